/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 *
 * IR bookkeeping, dead-code elimination, register allocation and encoding.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/macros.h"
#include "util/ralloc.h"
#include "vsvm_ir.h"

void
vsvm_code_init(struct vsvm_code *c)
{
	memset(c, 0, sizeof(*c));
	util_dynarray_init(&c->insns, NULL);
	util_dynarray_init(&c->vreg_flags, NULL);
}

void
vsvm_code_finish(struct vsvm_code *c)
{
	util_dynarray_fini(&c->insns);
	util_dynarray_fini(&c->vreg_flags);
	free(c->error);
	c->error = NULL;
}

uint32_t
vsvm_new_vreg(struct vsvm_code *c, unsigned int flags)
{
	util_dynarray_append(&c->vreg_flags, uint8_t, flags);
	return c->num_vregs++;
}

void
vsvm_code_error(struct vsvm_code *c, const char *fmt, ...)
{
	va_list ap;

	if (c->error)
		return;		/* the first error is the useful one */
	va_start(ap, fmt);
	if (vasprintf(&c->error, fmt, ap) < 0)
		c->error = NULL;
	va_end(ap);
	if (!c->error)
		c->error = strdup("out of memory");
}

bool
vsvm_op_writes_dst(uint8_t op)
{
	switch (op) {
	case VSVM_OP_NOP:
	case VSVM_OP_END:
	case VSVM_OP_ST:
	case VSVM_OP_FENCE:
	case VSVM_OP_IF:
	case VSVM_OP_ELSE:
	case VSVM_OP_ENDIF:
	case VSVM_OP_LOOP:
	case VSVM_OP_ENDLOOP:
	case VSVM_OP_BREAK:
	case VSVM_OP_CONTINUE:
	case VSVM_OP_EXIT:
	case VSVM_OP_BAR:
	case VSVM_OP_TRAP:
		return false;
	default:
		return true;
	}
}

/* Register sources read, in src[] order; src1 is absent with an immediate. */
unsigned int
vsvm_op_num_srcs(const struct vsvm_insn *in)
{
	switch (in->op) {
	case VSVM_OP_NOP:
	case VSVM_OP_END:
	case VSVM_OP_MOVI:
	case VSVM_OP_LDARG:
	case VSVM_OP_FENCE:
	case VSVM_OP_ELSE:
	case VSVM_OP_ENDIF:
	case VSVM_OP_LOOP:
	case VSVM_OP_ENDLOOP:
	case VSVM_OP_BREAK:
	case VSVM_OP_CONTINUE:
	case VSVM_OP_EXIT:
	case VSVM_OP_BAR:
	case VSVM_OP_TRAP:
	case VSVM_OP_SV:
		return 0;
	case VSVM_OP_MOV:
	case VSVM_OP_NOT:
	case VSVM_OP_NEG:
	case VSVM_OP_POPCNT:
	case VSVM_OP_CLZ:
	case VSVM_OP_CTZ:
	case VSVM_OP_FNEG:
	case VSVM_OP_FABS:
	case VSVM_OP_FSQRT:
	case VSVM_OP_FFLOOR:
	case VSVM_OP_FCEIL:
	case VSVM_OP_FTRUNC:
	case VSVM_OP_FRNDE:
	case VSVM_OP_CVT:
	case VSVM_OP_LD:
	case VSVM_OP_IF:
		return 1;
	case VSVM_OP_ST:
		return 2;
	case VSVM_OP_ATOM:
		return in->sub == VSVM_ATOMIC_CMPXCHG ? 3 : 2;
	case VSVM_OP_FFMA:
	case VSVM_OP_SEL:
		return 3;
	default:
		return 2;
	}
}

bool
vsvm_op_has_side_effects(uint8_t op)
{
	switch (op) {
	case VSVM_OP_ST:
	case VSVM_OP_ATOM:
	case VSVM_OP_FENCE:
	case VSVM_OP_BAR:
	case VSVM_OP_TRAP:
	case VSVM_OP_END:
	case VSVM_OP_EXIT:
	case VSVM_OP_IF:
	case VSVM_OP_ELSE:
	case VSVM_OP_ENDIF:
	case VSVM_OP_LOOP:
	case VSVM_OP_ENDLOOP:
	case VSVM_OP_BREAK:
	case VSVM_OP_CONTINUE:
	/* A load can fault: keep it, as the source program would. */
	case VSVM_OP_LD:
		return true;
	default:
		return false;
	}
}

static bool
src_is_reg(const struct vsvm_insn *in, unsigned int s)
{
	if (s >= vsvm_op_num_srcs(in))
		return false;
	if (s == 1 && (in->flags & VSVM_F_SRC1_IMM))
		return false;
	return in->src[s] != VSVM_NO_REG;
}

void
vsvm_dce(struct vsvm_code *c)
{
	unsigned int n = vsvm_code_num_insns(c);
	unsigned int *uses = calloc(c->num_vregs ? c->num_vregs : 1,
				    sizeof(*uses));
	bool progress = true;

	if (!uses)
		return;
	for (unsigned int i = 0; i < n; i++) {
		struct vsvm_insn *in = vsvm_code_insn(c, i);

		for (unsigned int s = 0; s < 3; s++)
			if (src_is_reg(in, s))
				uses[in->src[s]]++;
	}
	/* Iterate: removing one instruction can make its sources dead. */
	while (progress) {
		progress = false;
		for (unsigned int i = n; i-- > 0;) {
			struct vsvm_insn *in = vsvm_code_insn(c, i);

			if (in->op == VSVM_OP_NOP ||
			    vsvm_op_has_side_effects(in->op) ||
			    !vsvm_op_writes_dst(in->op) || uses[in->dst])
				continue;
			for (unsigned int s = 0; s < 3; s++)
				if (src_is_reg(in, s))
					uses[in->src[s]]--;
			in->op = VSVM_OP_NOP;
			progress = true;
		}
	}
	free(uses);

	/* Compact away the NOPs. */
	unsigned int out = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct vsvm_insn *in = vsvm_code_insn(c, i);

		if (in->op != VSVM_OP_NOP)
			*vsvm_code_insn(c, out++) = *in;
	}
	c->insns.size = out * sizeof(struct vsvm_insn);
}

struct interval {
	int start, end;		/* instruction indices, inclusive; -1 unused */
};

struct loop_range {
	int start, end;		/* LOOP and ENDLOOP indices */
};

static void
widen_for_loops(struct vsvm_code *c, struct interval *iv,
		const struct loop_range *loops, unsigned int num_loops)
{
	const uint8_t *flags = c->vreg_flags.data;
	bool progress = true;

	/*
	 * A value live into a loop must survive every iteration: extend it to
	 * ENDLOOP.  A NIR register (several definitions, from phi webs) may
	 * be read in one iteration and written in the next, so it lives in
	 * the whole loop.  SSA values defined in the loop and dead at its end
	 * need nothing: their definition precedes all their uses.  Nested
	 * loops feed each other, hence the fixed point.
	 */
	while (progress) {
		progress = false;
		for (uint32_t v = 0; v < c->num_vregs; v++) {
			if (iv[v].start < 0)
				continue;
			for (unsigned int l = 0; l < num_loops; l++) {
				const struct loop_range *lr = &loops[l];
				bool touches = iv[v].end >= lr->start &&
					       iv[v].start <= lr->end;
				int s = iv[v].start, e = iv[v].end;

				if (!touches)
					continue;
				if ((flags[v] & VSVM_VREG_MULTI_DEF) ||
				    iv[v].start < lr->start) {
					s = MIN2(s, lr->start);
					e = MAX2(e, lr->end);
				}
				if (s != iv[v].start || e != iv[v].end) {
					iv[v].start = s;
					iv[v].end = e;
					progress = true;
				}
			}
		}
	}
}

struct by_start {
	uint32_t vreg;
	int start;
};

static int
cmp_start(const void *a, const void *b)
{
	const struct by_start *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->vreg < y->vreg ? -1 : x->vreg > y->vreg;
}

bool
vsvm_register_allocate(struct vsvm_code *c, unsigned int num_regs)
{
	unsigned int n = vsvm_code_num_insns(c);
	struct interval *iv = malloc(sizeof(*iv) * (c->num_vregs + 1));
	uint32_t *phys = malloc(sizeof(*phys) * (c->num_vregs + 1));
	struct loop_range *loops = malloc(sizeof(*loops) * (n + 1));
	unsigned int *stack = malloc(sizeof(*stack) * (n + 1));
	struct by_start *order = malloc(sizeof(*order) * (c->num_vregs + 1));
	int *busy_until = malloc(sizeof(*busy_until) * (num_regs + 1));
	unsigned int num_loops = 0, depth = 0, count = 0;
	bool ok = false;

	if (!iv || !phys || !loops || !stack || !order || !busy_until) {
		vsvm_code_error(c, "out of memory in register allocation");
		goto out;
	}

	for (uint32_t v = 0; v < c->num_vregs; v++)
		iv[v] = (struct interval){ -1, -1 };

	for (unsigned int i = 0; i < n; i++) {
		struct vsvm_insn *in = vsvm_code_insn(c, i);
		uint32_t regs[4];
		unsigned int nr = 0;

		if (in->op == VSVM_OP_LOOP) {
			stack[depth++] = num_loops;
			loops[num_loops++] = (struct loop_range){ (int)i, -1 };
		} else if (in->op == VSVM_OP_ENDLOOP) {
			assert(depth > 0);
			loops[stack[--depth]].end = (int)i;
		}
		for (unsigned int s = 0; s < 3; s++)
			if (src_is_reg(in, s))
				regs[nr++] = in->src[s];
		if (vsvm_op_writes_dst(in->op))
			regs[nr++] = in->dst;
		for (unsigned int r = 0; r < nr; r++) {
			uint32_t v = regs[r];

			assert(v < c->num_vregs);
			if (iv[v].start < 0)
				iv[v].start = (int)i;
			iv[v].end = (int)i;
		}
	}
	widen_for_loops(c, iv, loops, num_loops);

	for (uint32_t v = 0; v < c->num_vregs; v++) {
		phys[v] = VSVM_NO_REG;
		if (iv[v].start >= 0)
			order[count++] = (struct by_start){ v, iv[v].start };
	}
	qsort(order, count, sizeof(*order), cmp_start);

	/*
	 * Linear scan.  A register becomes free only after the instruction
	 * that last reads it, never at it: the ISA does not promise that an
	 * instruction reads all its operands before writing its result.
	 */
	for (unsigned int r = 0; r < num_regs; r++)
		busy_until[r] = -1;
	c->num_phys = 0;
	for (unsigned int k = 0; k < count; k++) {
		uint32_t v = order[k].vreg;
		unsigned int r;

		for (r = 0; r < num_regs; r++)
			if (busy_until[r] < iv[v].start)
				break;
		if (r == num_regs) {
			vsvm_code_error(c, "shader needs more than %u registers "
					"(vsvm does not spill)", num_regs);
			goto out;
		}
		busy_until[r] = iv[v].end;
		phys[v] = r;
		c->num_phys = MAX2(c->num_phys, r + 1);
	}

	for (unsigned int i = 0; i < n; i++) {
		struct vsvm_insn *in = vsvm_code_insn(c, i);

		for (unsigned int s = 0; s < 3; s++) {
			if (src_is_reg(in, s))
				in->src[s] = phys[in->src[s]];
			else if (!(s == 1 && (in->flags & VSVM_F_SRC1_IMM)))
				in->src[s] = VSVM_NO_REG;
		}
		if (vsvm_op_writes_dst(in->op))
			in->dst = phys[in->dst];
		else
			in->dst = VSVM_NO_REG;
	}
	ok = true;
out:
	free(iv);
	free(phys);
	free(loops);
	free(stack);
	free(order);
	free(busy_until);
	return ok;
}

static uint8_t
field(uint32_t r)
{
	return r == VSVM_NO_REG ? 0 : (uint8_t)r;
}

uint8_t *
vsvm_encode(struct vsvm_code *c, size_t *size)
{
	unsigned int n = vsvm_code_num_insns(c);
	uint8_t *out = malloc(n * VSVM_INSN_SIZE + 1);

	if (!out)
		return NULL;
	for (unsigned int i = 0; i < n; i++) {
		const struct vsvm_insn *in = vsvm_code_insn(c, i);
		bool imm = in->flags & VSVM_F_SRC1_IMM;
		uint64_t w0 = vsvm_insn_word0(in->op, field(in->dst),
					      field(in->src[0]),
					      imm ? 0 : field(in->src[1]),
					      field(in->src[2]), in->mod,
					      in->sub, in->flags);

		/* The ISA is little-endian, like every host Mesa runs vsvm on. */
		memcpy(out + i * VSVM_INSN_SIZE, &w0, 8);
		memcpy(out + i * VSVM_INSN_SIZE + 8, &in->imm, 8);
	}
	*size = (size_t)n * VSVM_INSN_SIZE;
	return out;
}
