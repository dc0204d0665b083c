// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */

/**
 * DOC: Shader validation
 *
 * EXEC hands the driver raw instruction words that userspace controls. Before
 * a job is queued, vsvm_prog_decode() checks every instruction against the ISA
 * (include/uapi/drm/vsvm_isa.h) and turns the code into an array of
 * &struct vsvm_insn, so that the interpreter can trust what it runs:
 *
 * - every opcode is known and every field it does not use is zero, so an
 *   encoding this driver does not understand is refused rather than guessed;
 * - every modifier, condition, conversion, atomic operation and system value
 *   is in range, and the two-register (16-byte) accesses stay below register
 *   256;
 * - LDARG reads stay inside the argument buffer and are naturally aligned;
 * - IF/ELSE/ENDIF and LOOP/ENDLOOP nest properly, at most %VSVM_MAX_NESTING
 *   deep, BREAK and CONTINUE sit inside a loop, and every block is closed.
 *
 * The interpreter then never searches for a matching instruction: each
 * control-flow instruction carries the index of its partner in
 * &vsvm_insn.target, and &vsvm_prog.n_regs and &vsvm_prog.max_depth size the
 * per-wave state. One pass over the code does all of this; branches to a
 * later ENDLOOP are resolved by threading the pending BREAK and CONTINUE
 * instructions of each open loop through their @target fields and patching
 * them when the ENDLOOP arrives.
 *
 * Rejections report the byte offset of the offending instruction and a fixed
 * reason string, which the engine shows in debugfs.
 */

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/types.h>
#include <linux/unaligned.h>

#include "vsvm_interp.h"

/* Fields an opcode uses; any other field must be zero. */
#define VSVM_U_DST	BIT(0)
#define VSVM_U_SRC0	BIT(1)
#define VSVM_U_SRC1	BIT(2)	/* b is a register... */
#define VSVM_U_IMMB	BIT(3)	/* ...or imm, with VSVM_F_SRC1_IMM */
#define VSVM_U_SRC2	BIT(4)
#define VSVM_U_MOD	BIT(5)
#define VSVM_U_SUB	BIT(6)
#define VSVM_U_IMM	BIT(7)	/* imm is an offset, constant or code */
#define VSVM_U_KNOWN	BIT(8)	/* the opcode exists */
#define VSVM_USES(fields)	(VSVM_U_KNOWN | (fields))

#define VSVM_FIELDS_INT2	(VSVM_U_DST | VSVM_U_SRC0 | VSVM_U_SRC1 | VSVM_U_IMMB | VSVM_U_MOD)
#define VSVM_FIELDS_INT1	(VSVM_U_DST | VSVM_U_SRC0 | VSVM_U_MOD)
#define VSVM_FIELDS_FP2		(VSVM_U_DST | VSVM_U_SRC0 | VSVM_U_SRC1 | VSVM_U_IMMB)
#define VSVM_FIELDS_FP1		(VSVM_U_DST | VSVM_U_SRC0)

static const u16 vsvm_op_fields[VSVM_OP_COUNT] = {
	[VSVM_OP_NOP]		= VSVM_USES(0),
	[VSVM_OP_END]		= VSVM_USES(0),
	[VSVM_OP_MOV]		= VSVM_USES(VSVM_U_DST | VSVM_U_SRC0),
	[VSVM_OP_MOVI]		= VSVM_USES(VSVM_U_DST | VSVM_U_IMM),

	[VSVM_OP_ADD]		= VSVM_USES(VSVM_FIELDS_INT2),
	[VSVM_OP_SUB]		= VSVM_USES(VSVM_FIELDS_INT2),
	[VSVM_OP_MUL]		= VSVM_USES(VSVM_FIELDS_INT2),
	[VSVM_OP_MULHU]		= VSVM_USES(VSVM_FIELDS_INT2),
	[VSVM_OP_MULHS]		= VSVM_USES(VSVM_FIELDS_INT2),
	[VSVM_OP_DIVU]		= VSVM_USES(VSVM_FIELDS_INT2),
	[VSVM_OP_DIVS]		= VSVM_USES(VSVM_FIELDS_INT2),
	[VSVM_OP_REMU]		= VSVM_USES(VSVM_FIELDS_INT2),
	[VSVM_OP_REMS]		= VSVM_USES(VSVM_FIELDS_INT2),
	[VSVM_OP_AND]		= VSVM_USES(VSVM_FIELDS_INT2),
	[VSVM_OP_OR]		= VSVM_USES(VSVM_FIELDS_INT2),
	[VSVM_OP_XOR]		= VSVM_USES(VSVM_FIELDS_INT2),
	[VSVM_OP_SHL]		= VSVM_USES(VSVM_FIELDS_INT2),
	[VSVM_OP_SHRU]		= VSVM_USES(VSVM_FIELDS_INT2),
	[VSVM_OP_SHRS]		= VSVM_USES(VSVM_FIELDS_INT2),
	[VSVM_OP_MINU]		= VSVM_USES(VSVM_FIELDS_INT2),
	[VSVM_OP_MINS]		= VSVM_USES(VSVM_FIELDS_INT2),
	[VSVM_OP_MAXU]		= VSVM_USES(VSVM_FIELDS_INT2),
	[VSVM_OP_MAXS]		= VSVM_USES(VSVM_FIELDS_INT2),
	[VSVM_OP_NOT]		= VSVM_USES(VSVM_FIELDS_INT1),
	[VSVM_OP_NEG]		= VSVM_USES(VSVM_FIELDS_INT1),
	[VSVM_OP_POPCNT]	= VSVM_USES(VSVM_FIELDS_INT1),
	[VSVM_OP_CLZ]		= VSVM_USES(VSVM_FIELDS_INT1),
	[VSVM_OP_CTZ]		= VSVM_USES(VSVM_FIELDS_INT1),
	[VSVM_OP_ICMP]		= VSVM_USES(VSVM_FIELDS_INT2 | VSVM_U_SUB),

	[VSVM_OP_FADD]		= VSVM_USES(VSVM_FIELDS_FP2),
	[VSVM_OP_FSUB]		= VSVM_USES(VSVM_FIELDS_FP2),
	[VSVM_OP_FMUL]		= VSVM_USES(VSVM_FIELDS_FP2),
	[VSVM_OP_FDIV]		= VSVM_USES(VSVM_FIELDS_FP2),
	[VSVM_OP_FFMA]		= VSVM_USES(VSVM_FIELDS_FP2 | VSVM_U_SRC2),
	[VSVM_OP_FMIN]		= VSVM_USES(VSVM_FIELDS_FP2),
	[VSVM_OP_FMAX]		= VSVM_USES(VSVM_FIELDS_FP2),
	[VSVM_OP_FNEG]		= VSVM_USES(VSVM_FIELDS_FP1),
	[VSVM_OP_FABS]		= VSVM_USES(VSVM_FIELDS_FP1),
	[VSVM_OP_FSQRT]		= VSVM_USES(VSVM_FIELDS_FP1),
	[VSVM_OP_FFLOOR]	= VSVM_USES(VSVM_FIELDS_FP1),
	[VSVM_OP_FCEIL]		= VSVM_USES(VSVM_FIELDS_FP1),
	[VSVM_OP_FTRUNC]	= VSVM_USES(VSVM_FIELDS_FP1),
	[VSVM_OP_FRNDE]		= VSVM_USES(VSVM_FIELDS_FP1),
	[VSVM_OP_FCMP]		= VSVM_USES(VSVM_FIELDS_FP2 | VSVM_U_SUB),

	[VSVM_OP_CVT]		= VSVM_USES(VSVM_U_DST | VSVM_U_SRC0 | VSVM_U_SUB),
	[VSVM_OP_SEL]		= VSVM_USES(VSVM_FIELDS_INT2 | VSVM_U_SRC2),

	[VSVM_OP_LD]		= VSVM_USES(VSVM_U_DST | VSVM_U_SRC0 | VSVM_U_MOD | VSVM_U_IMM),
	[VSVM_OP_ST]		= VSVM_USES(VSVM_U_SRC0 | VSVM_U_SRC1 | VSVM_U_MOD | VSVM_U_IMM),
	/* src2 is used by CMPXCHG only; vsvm_check_insn() enforces it. */
	[VSVM_OP_ATOM]		= VSVM_USES(VSVM_U_DST | VSVM_U_SRC0 | VSVM_U_SRC1 |
					    VSVM_U_SRC2 | VSVM_U_MOD | VSVM_U_SUB |
					    VSVM_U_IMM),
	[VSVM_OP_LDARG]		= VSVM_USES(VSVM_U_DST | VSVM_U_MOD | VSVM_U_IMM),
	[VSVM_OP_FENCE]		= VSVM_USES(0),

	[VSVM_OP_IF]		= VSVM_USES(VSVM_U_SRC0),
	[VSVM_OP_ELSE]		= VSVM_USES(0),
	[VSVM_OP_ENDIF]		= VSVM_USES(0),
	[VSVM_OP_LOOP]		= VSVM_USES(0),
	[VSVM_OP_ENDLOOP]	= VSVM_USES(0),
	[VSVM_OP_BREAK]		= VSVM_USES(0),
	[VSVM_OP_CONTINUE]	= VSVM_USES(0),
	[VSVM_OP_EXIT]		= VSVM_USES(0),
	[VSVM_OP_BAR]		= VSVM_USES(0),
	[VSVM_OP_TRAP]		= VSVM_USES(VSVM_U_IMM),

	[VSVM_OP_SV]		= VSVM_USES(VSVM_U_DST | VSVM_U_SUB),
};

/* The table above is sparse: a zero entry is an unassigned opcode. */
static bool vsvm_op_known(u8 op)
{
	return op < VSVM_OP_COUNT && (vsvm_op_fields[op] & VSVM_U_KNOWN);
}

/* Chain terminator for BREAK/CONTINUE waiting for their ENDLOOP. */
#define VSVM_CHAIN_END	U32_MAX

/**
 * struct vsvm_cf_open - a control-flow block still open during decoding
 */
struct vsvm_cf_open {
	/** @insn: the IF, ELSE or LOOP that opened the block. */
	u32 insn;
	/** @chain: LOOP: last BREAK/CONTINUE waiting for the ENDLOOP. */
	u32 chain;
	/** @loop: index in the stack of the innermost LOOP at or below, or -1. */
	s32 loop;
};

/**
 * struct vsvm_cf_check - control-flow state of one decoding pass
 */
struct vsvm_cf_check {
	/** @depth: entries in use in @open. */
	u32 depth;
	/** @max_depth: highest @depth reached. */
	u32 max_depth;
	/** @open: open blocks, innermost last. */
	struct vsvm_cf_open open[VSVM_MAX_NESTING];
};

static const char *vsvm_cf_push(struct vsvm_cf_check *cf, u32 idx, bool loop)
{
	struct vsvm_cf_open *o;

	if (cf->depth == VSVM_MAX_NESTING)
		return "control flow nested deeper than VSVM_MAX_NESTING";
	o = &cf->open[cf->depth];
	o->insn = idx;
	o->chain = VSVM_CHAIN_END;
	if (loop)
		o->loop = cf->depth;
	else
		o->loop = cf->depth ? cf->open[cf->depth - 1].loop : -1;
	cf->depth++;
	if (cf->depth > cf->max_depth)
		cf->max_depth = cf->depth;
	return NULL;
}

/* The opcode of the innermost open block, or VSVM_OP_COUNT if none. */
static u8 vsvm_cf_top_op(const struct vsvm_prog *prog, const struct vsvm_cf_check *cf)
{
	if (!cf->depth)
		return VSVM_OP_COUNT;
	return prog->insns[cf->open[cf->depth - 1].insn].op;
}

static const char *vsvm_check_cf(struct vsvm_prog *prog, struct vsvm_cf_check *cf, u32 idx)
{
	struct vsvm_insn *insn = &prog->insns[idx];
	struct vsvm_cf_open *top = cf->depth ? &cf->open[cf->depth - 1] : NULL;
	u8 top_op = vsvm_cf_top_op(prog, cf);
	u32 i, next;

	switch (insn->op) {
	case VSVM_OP_IF:
		return vsvm_cf_push(cf, idx, false);
	case VSVM_OP_LOOP:
		return vsvm_cf_push(cf, idx, true);
	case VSVM_OP_ELSE:
		if (top_op == VSVM_OP_ELSE)
			return "second ELSE for one IF";
		if (top_op != VSVM_OP_IF)
			return "ELSE without IF";
		prog->insns[top->insn].target = idx;
		top->insn = idx;
		return NULL;
	case VSVM_OP_ENDIF:
		if (top_op != VSVM_OP_IF && top_op != VSVM_OP_ELSE)
			return "ENDIF without IF";
		prog->insns[top->insn].target = idx;
		cf->depth--;
		return NULL;
	case VSVM_OP_ENDLOOP:
		if (top_op != VSVM_OP_LOOP)
			return "ENDLOOP without LOOP";
		prog->insns[top->insn].target = idx;
		insn->target = top->insn;
		for (i = top->chain; i != VSVM_CHAIN_END; i = next) {
			next = prog->insns[i].target;
			prog->insns[i].target = idx;
		}
		cf->depth--;
		return NULL;
	case VSVM_OP_BREAK:
	case VSVM_OP_CONTINUE:
		if (!top || top->loop < 0)
			return "BREAK or CONTINUE outside a loop";
		insn->target = cf->open[top->loop].chain;
		cf->open[top->loop].chain = idx;
		return NULL;
	default:
		return NULL;
	}
}

/* Checks the memory-access modifier of LD, ST, ATOM and LDARG. */
static const char *vsvm_check_mem_mod(u8 op, u8 mod)
{
	u32 size = mod & VSVM_MOD_SIZE_MASK;
	u32 space = (mod & VSVM_MOD_SPACE_MASK) >> VSVM_MOD_SPACE_SHIFT;

	if (mod & ~(VSVM_MOD_SIZE_MASK | VSVM_MOD_SIGNED | VSVM_MOD_SPACE_MASK))
		return "reserved mod bits set";
	if (size > 4)
		return "access size above 16 bytes";
	if (op == VSVM_OP_ATOM && size != 2 && size != 3)
		return "atomic size not 4 or 8 bytes";
	if (mod & VSVM_MOD_SIGNED) {
		if (op == VSVM_OP_ST || op == VSVM_OP_ATOM)
			return "sign flag on a store or atomic";
		if (size > 2)
			return "sign flag on an 8 or 16 byte load";
	}
	if (op == VSVM_OP_LDARG && space)
		return "LDARG with an address space";
	if (space > VSVM_SPACE_SCRATCH)
		return "invalid address space";
	return NULL;
}

static const char *vsvm_check_insn(const struct vsvm_insn *insn, u32 args_size)
{
	u16 used = vsvm_op_fields[insn->op];
	bool immb = insn->flags & VSVM_F_SRC1_IMM;
	const char *why;
	u32 size;

	if (insn->flags & ~VSVM_F_SRC1_IMM)
		return "unknown flags";
	if (immb && !(used & VSVM_U_IMMB))
		return "SRC1_IMM on an opcode whose b cannot be immediate";
	if (immb && insn->src1)
		return "src1 not zero with SRC1_IMM";
	if (insn->dst && !(used & VSVM_U_DST))
		return "unused dst field not zero";
	if (insn->src0 && !(used & VSVM_U_SRC0))
		return "unused src0 field not zero";
	if (insn->src1 && !(used & VSVM_U_SRC1))
		return "unused src1 field not zero";
	if (insn->src2 && !(used & VSVM_U_SRC2))
		return "unused src2 field not zero";
	if (insn->mod && !(used & VSVM_U_MOD))
		return "unused mod field not zero";
	if (insn->sub && !(used & VSVM_U_SUB))
		return "unused sub field not zero";
	if (insn->imm && !(used & VSVM_U_IMM) && !immb)
		return "unused imm field not zero";

	switch (insn->op) {
	case VSVM_OP_ADD ... VSVM_OP_MAXS:
	case VSVM_OP_NOT ... VSVM_OP_CTZ:
	case VSVM_OP_SEL:
		if (insn->mod > VSVM_MOD_64)
			return "invalid operand width";
		break;
	case VSVM_OP_ICMP:
		if (insn->mod > VSVM_MOD_64)
			return "invalid operand width";
		if (insn->sub >= VSVM_COND_COUNT)
			return "invalid condition";
		break;
	case VSVM_OP_FCMP:
		if (insn->sub >= VSVM_COND_COUNT ||
		    insn->sub == VSVM_COND_LTU || insn->sub == VSVM_COND_LEU)
			return "invalid condition";
		break;
	case VSVM_OP_CVT:
		if (insn->sub >= VSVM_CVT_COUNT)
			return "invalid conversion";
		break;
	case VSVM_OP_SV:
		if (insn->sub >= VSVM_SV_COUNT)
			return "invalid system value";
		break;
	case VSVM_OP_ATOM:
		if (insn->sub >= VSVM_ATOMIC_COUNT)
			return "invalid atomic operation";
		if (insn->sub != VSVM_ATOMIC_CMPXCHG && insn->src2)
			return "src2 not zero for an atomic other than CMPXCHG";
		fallthrough;
	case VSVM_OP_LD:
	case VSVM_OP_ST:
		return vsvm_check_mem_mod(insn->op, insn->mod);
	case VSVM_OP_LDARG:
		why = vsvm_check_mem_mod(insn->op, insn->mod);
		if (why)
			return why;
		size = 1u << (insn->mod & VSVM_MOD_SIZE_MASK);
		if (insn->imm > args_size || size > args_size - insn->imm)
			return "LDARG beyond the argument buffer";
		if (insn->imm & (size - 1))
			return "LDARG offset not aligned to its size";
		break;
	default:
		break;
	}
	return NULL;
}

/*
 * Where the interpreter dispatches @insn, from the fields it would otherwise
 * test at every execution. The checks above require zero where the opcode
 * does not use a field: sub, mod (the width of an ALU operation), and
 * SRC1_IMM where b cannot be an immediate.
 */
static void vsvm_insn_handler(struct vsvm_insn *insn)
{
	bool alu = insn->op >= VSVM_OP_MOV && insn->op <= VSVM_OP_SEL;
	bool by_sub = insn->op == VSVM_OP_ICMP || insn->op == VSVM_OP_FCMP ||
		      insn->op == VSVM_OP_CVT;

	static_assert(VSVM_COND_COUNT <= 16 && VSVM_CVT_COUNT <= 16);
	insn->handler = VSVM_HANDLER(insn->op, by_sub ? insn->sub : 0);
	insn->variant = 0;
	if (!alu)
		return;
	/* MOVI's operand is always its immediate. */
	if (insn->op == VSVM_OP_MOVI || (insn->flags & VSVM_F_SRC1_IMM))
		insn->variant |= VSVM_VARIANT_IMM;
	if (insn->mod == VSVM_MOD_64)
		insn->variant |= VSVM_VARIANT_W64;
}

/*
 * Raises *@n_regs to the highest register the instruction touches, plus one.
 * 16-byte accesses use two consecutive registers, so the second must exist.
 */
static const char *vsvm_check_regs(const struct vsvm_insn *insn, u32 *n_regs)
{
	u16 used = vsvm_op_fields[insn->op];
	bool pair = false;
	u32 n = 0;

	if ((insn->op == VSVM_OP_LD || insn->op == VSVM_OP_ST || insn->op == VSVM_OP_LDARG) &&
	    (insn->mod & VSVM_MOD_SIZE_MASK) == 4)
		pair = true;

	if (used & VSVM_U_DST) {
		if (pair && insn->dst == VSVM_NUM_REGS - 1)
			return "16-byte load into the last register";
		n = max_t(u32, n, insn->dst + 1 + pair);
	}
	if (used & VSVM_U_SRC0)
		n = max_t(u32, n, insn->src0 + 1);
	if ((used & VSVM_U_SRC1) && !(insn->flags & VSVM_F_SRC1_IMM)) {
		if (pair && insn->src1 == VSVM_NUM_REGS - 1)
			return "16-byte store from the last register";
		n = max_t(u32, n, insn->src1 + 1 + pair);
	}
	if ((used & VSVM_U_SRC2) &&
	    (insn->op != VSVM_OP_ATOM || insn->sub == VSVM_ATOMIC_CMPXCHG))
		n = max_t(u32, n, insn->src2 + 1);
	*n_regs = max(*n_regs, n);
	return NULL;
}

/**
 * vsvm_prog_decode() - validate shader code and pre-decode it
 * @code: the raw instructions, little-endian 64-bit words, any alignment
 * @size: bytes at @code; the caller has bounded it by the code size limit
 * @args_size: bytes of the job's argument buffer, which LDARG must stay in
 * @out: receives the program, to be freed with kvfree()
 * @bad_offset: on -EINVAL, byte offset of the offending instruction
 * @why: on -EINVAL, a static string saying what is wrong
 *
 * Checks every rule described in the DOC comment above and resolves the
 * control-flow targets described at &vsvm_insn.target. Nothing but the
 * returned program is allocated or modified.
 *
 * Context: process context; allocates with GFP_KERNEL_ACCOUNT and may sleep.
 *
 * Return: 0 on success, -EINVAL if the code is invalid, -ENOMEM if the
 * program cannot be allocated.
 */
int vsvm_prog_decode(const void *code, u32 size, u32 args_size,
		     struct vsvm_prog **out, u32 *bad_offset, const char **why)
{
	struct vsvm_cf_check cf = { .depth = 0 };
	struct vsvm_prog *prog;
	const char *reason;
	u32 i, n, n_regs = 0;
	u64 w0;

	if (!size || size % VSVM_INSN_SIZE) {
		*bad_offset = size / VSVM_INSN_SIZE * VSVM_INSN_SIZE;
		*why = size ? "code size not a multiple of 16" : "empty code";
		return -EINVAL;
	}
	n = size / VSVM_INSN_SIZE;

	prog = kvmalloc(struct_size(prog, insns, n), GFP_KERNEL_ACCOUNT);
	if (!prog)
		return -ENOMEM;
	prog->n_insns = n;

	for (i = 0; i < n; i++) {
		const u8 *raw = (const u8 *)code + (size_t)i * VSVM_INSN_SIZE;
		struct vsvm_insn *insn = &prog->insns[i];

		w0 = get_unaligned_le64(raw);
		insn->op = VSVM_W0_FIELD(w0, OP);
		insn->dst = VSVM_W0_FIELD(w0, DST);
		insn->src0 = VSVM_W0_FIELD(w0, SRC0);
		insn->src1 = VSVM_W0_FIELD(w0, SRC1);
		insn->src2 = VSVM_W0_FIELD(w0, SRC2);
		insn->mod = VSVM_W0_FIELD(w0, MOD);
		insn->sub = VSVM_W0_FIELD(w0, SUB);
		insn->flags = VSVM_W0_FIELD(w0, FLAGS);
		insn->target = 0;
		insn->imm = get_unaligned_le64(raw + 8);

		if (!vsvm_op_known(insn->op)) {
			reason = "unknown opcode";
			goto invalid;
		}
		reason = vsvm_check_insn(insn, args_size);
		if (!reason)
			reason = vsvm_check_regs(insn, &n_regs);
		if (!reason)
			reason = vsvm_check_cf(prog, &cf, i);
		if (reason)
			goto invalid;
		vsvm_insn_handler(insn);
	}

	if (cf.depth) {
		i = cf.open[cf.depth - 1].insn;
		switch (prog->insns[i].op) {
		case VSVM_OP_IF:
			reason = "IF without ENDIF";
			break;
		case VSVM_OP_ELSE:
			reason = "ELSE without ENDIF";
			break;
		default:
			reason = "LOOP without ENDLOOP";
			break;
		}
		goto invalid;
	}

	prog->n_regs = n_regs;
	prog->max_depth = cf.max_depth;
	*out = prog;
	return 0;

invalid:
	*bad_offset = i * VSVM_INSN_SIZE;
	*why = reason;
	kvfree(prog);
	return -EINVAL;
}
