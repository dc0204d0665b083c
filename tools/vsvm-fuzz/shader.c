// SPDX-License-Identifier: MIT
/*
 * vsvm-fuzz shaders: generation and mutation of vsvm ISA code.
 *
 * A generated shader is mostly valid, so that it gets past EXEC's
 * validator and runs: it loads up to four pointers from the argument
 * buffer, derives per-lane addresses from them (which the program points
 * at mirrors, buffer objects, unmapped or read-only memory), and mixes
 * ALU work with global, shared and scratch accesses, atomics, barriers,
 * nested IF/ELSE and bounded loops, and now and then a TRAP, an EXIT or an
 * endless loop for the job timeout. Mutations tweak one field of an
 * instruction, insert a generated statement, delete, duplicate or swap
 * instructions, splice in part of a seed shader (tools/vsvm-fuzz/corpus/
 * shaders: from the tests and from Mesa's compiler), or wrap a range in a
 * block. Most mutants are checked against the ISA's rules (the
 * assembler library's vsvm_insn_check() and the block structure) and
 * retried if invalid; the rest go to the validator as they are.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vsvm_asm.h"
#include "vsvm_isa.h"

#define MAX_SEEDS	128

/* Register roles in generated code. */
#define R_GID		0	/* global id x */
#define R_LID		1	/* local id x */
#define R_OFF		3	/* global id * 8 */
#define R_DATA_LO	4
#define R_DATA_N	8
#define R_PTR		16	/* r16..r19: pointers from the arguments */
#define R_ADDR		20	/* r20..r22: computed addresses */
#define R_COND		23
#define R_LOOP		24	/* r24..: one loop counter per nesting level */

static uint8_t *seeds[MAX_SEEDS];
static size_t seed_len[MAX_SEEDS];
static int nseeds;

struct sg {
	uint8_t *code;
	size_t n, max;
	uint32_t args_size;
	int depth, loops, nptrs;
};

static void put(struct sg *g, uint8_t op, uint8_t dst, uint8_t s0, uint8_t s1, uint8_t s2,
		uint8_t mod, uint8_t sub, uint8_t flags, uint64_t imm)
{
	uint64_t w0 = vsvm_insn_word0(op, dst, s0, s1, s2, mod, sub, flags);

	if (g->n + VSVM_INSN_SIZE > g->max)
		return;
	memcpy(g->code + g->n, &w0, 8);
	memcpy(g->code + g->n + 8, &imm, 8);
	g->n += VSVM_INSN_SIZE;
}

static uint8_t data_reg(void)
{
	return R_DATA_LO + fz_rand_below(R_DATA_N);
}

static uint8_t any_reg(void)
{
	static const uint8_t pick[] = { R_GID, R_LID, 2, R_OFF, R_PTR, R_ADDR, R_COND };

	if (fz_chance(3))
		return pick[fz_rand_below(sizeof(pick))];
	return data_reg();
}

static uint64_t interesting_imm(void)
{
	static const uint64_t v[] = {
		0, 1, 2, 3, 4, 7, 8, 16, 31, 32, 63, 64, 255, 4095, 4096, 0x7fffffff,
		0x80000000, 0xffffffff, 0x100000000ull, 0x7fffffffffffffffull,
		0x8000000000000000ull, ~0ull, ~0ull - 1, 0x3f800000 /* 1.0f */,
		0x7fc00000 /* NaN */, 0x7f800000 /* inf */, 0xff800000, 0x80000000,
		0x00800000 /* smallest normal */, 0x00000001 /* denormal */,
	};

	if (fz_chance(4))
		return fz_rand();
	return v[fz_rand_below(sizeof(v) / sizeof(v[0]))];
}

/* An offset for a memory access: mostly small and aligned, now and then far. */
static uint64_t mem_offset(unsigned int align)
{
	static const int64_t far[] = {
		4096, -4096, 1 << 21, -(1 << 21), 1ll << 32, FZ_SLOT_STRIDE, -8, 65536, 65532,
	};

	if (fz_chance(6))
		return (uint64_t)far[fz_rand_below(sizeof(far) / sizeof(far[0]))];
	/* Just short of a page end: a wide access straddles two pages. */
	if (fz_chance(6))
		return 4096 - 1 - fz_rand_below(15);
	return fz_rand_below(32) * align;
}

static void stmt(struct sg *g);

static void block(struct sg *g, int n)
{
	while (n-- > 0 && g->n + 8 * VSVM_INSN_SIZE <= g->max)
		stmt(g);
}

static void gen_alu(struct sg *g)
{
	static const uint8_t int2[] = {
		VSVM_OP_ADD, VSVM_OP_SUB, VSVM_OP_MUL, VSVM_OP_MULHU, VSVM_OP_MULHS,
		VSVM_OP_DIVU, VSVM_OP_DIVS, VSVM_OP_REMU, VSVM_OP_REMS, VSVM_OP_AND,
		VSVM_OP_OR, VSVM_OP_XOR, VSVM_OP_SHL, VSVM_OP_SHRU, VSVM_OP_SHRS,
		VSVM_OP_MINU, VSVM_OP_MINS, VSVM_OP_MAXU, VSVM_OP_MAXS, VSVM_OP_ICMP,
	};
	static const uint8_t int1[] = {
		VSVM_OP_NOT, VSVM_OP_NEG, VSVM_OP_POPCNT, VSVM_OP_CLZ, VSVM_OP_CTZ, VSVM_OP_MOV,
	};
	static const uint8_t fp2[] = {
		VSVM_OP_FADD, VSVM_OP_FSUB, VSVM_OP_FMUL, VSVM_OP_FDIV, VSVM_OP_FMIN,
		VSVM_OP_FMAX, VSVM_OP_FCMP,
	};
	static const uint8_t fp1[] = {
		VSVM_OP_FNEG, VSVM_OP_FABS, VSVM_OP_FSQRT, VSVM_OP_FFLOOR, VSVM_OP_FCEIL,
		VSVM_OP_FTRUNC, VSVM_OP_FRNDE,
	};
	static const uint8_t fcond[] = { VSVM_COND_EQ, VSVM_COND_NE, VSVM_COND_LTS, VSVM_COND_LES };
	uint8_t d = data_reg(), a = any_reg(), b = any_reg(), op;
	bool imm = fz_chance(3);

	switch (fz_rand_below(8)) {
	case 0: case 1: case 2:
		op = int2[fz_rand_below(sizeof(int2))];
		put(g, op, d, a, imm ? 0 : b, 0, fz_rand_below(2),
		    op == VSVM_OP_ICMP ? fz_rand_below(VSVM_COND_COUNT) : 0,
		    imm ? VSVM_F_SRC1_IMM : 0, imm ? interesting_imm() : 0);
		break;
	case 3:
		op = int1[fz_rand_below(sizeof(int1))];
		put(g, op, d, a, 0, 0, op == VSVM_OP_MOV ? 0 : fz_rand_below(2), 0, 0, 0);
		break;
	case 4:
		op = fp2[fz_rand_below(sizeof(fp2))];
		put(g, op, d, a, imm ? 0 : b, 0, 0,
		    op == VSVM_OP_FCMP ? fcond[fz_rand_below(4)] : 0,
		    imm ? VSVM_F_SRC1_IMM : 0, imm ? interesting_imm() & 0xffffffff : 0);
		break;
	case 5:
		if (fz_chance(2))
			put(g, VSVM_OP_FFMA, d, a, b, any_reg(), 0, 0, 0, 0);
		else
			put(g, fp1[fz_rand_below(sizeof(fp1))], d, a, 0, 0, 0, 0, 0, 0);
		break;
	case 6:
		if (fz_chance(2))
			put(g, VSVM_OP_CVT, d, a, 0, 0, 0, fz_rand_below(VSVM_CVT_COUNT), 0, 0);
		else
			put(g, VSVM_OP_SEL, d, a, imm ? 0 : b, any_reg(), fz_rand_below(2), 0,
			    imm ? VSVM_F_SRC1_IMM : 0, imm ? interesting_imm() : 0);
		break;
	default:
		put(g, VSVM_OP_MOVI, d, 0, 0, 0, 0, 0, 0, interesting_imm());
		break;
	}
}

/* A per-lane global address in R_ADDR: pointer + lane offset (masked). */
static uint8_t global_addr(struct sg *g)
{
	uint8_t base = g->nptrs ? R_PTR + fz_rand_below(g->nptrs) : data_reg();

	switch (fz_rand_below(4)) {
	case 0:
		return base;
	case 1:
		put(g, VSVM_OP_AND, R_ADDR + 1, R_OFF, 0, 0, VSVM_MOD_64, 0, VSVM_F_SRC1_IMM,
		    fz_chance(2) ? 0xff8 : 0x3ff8);
		put(g, VSVM_OP_ADD, R_ADDR, base, R_ADDR + 1, 0, VSVM_MOD_64, 0, 0, 0);
		return R_ADDR;
	default:
		put(g, VSVM_OP_ADD, R_ADDR, base, R_OFF, 0, VSVM_MOD_64, 0, 0, 0);
		return R_ADDR;
	}
}

static void gen_mem(struct sg *g)
{
	unsigned int space = fz_rand_below(5) < 3 ? VSVM_SPACE_GLOBAL :
			     fz_chance(2) ? VSVM_SPACE_SHARED : VSVM_SPACE_SCRATCH;
	unsigned int kind = fz_rand_below(3);	/* LD, ST, ATOM */
	unsigned int size = kind == 2 ? 2 + fz_rand_below(2) : fz_rand_below(5);
	uint8_t mod = size | space << VSVM_MOD_SPACE_SHIFT, addr;
	uint64_t off = mem_offset(kind == 2 || size > 3 ? 8 : 1u << size);

	if (space == VSVM_SPACE_GLOBAL) {
		addr = global_addr(g);
	} else {
		/* Lane-indexed within the workgroup, sometimes out of bounds. */
		addr = R_ADDR + 2;
		put(g, VSVM_OP_SHL, addr, fz_chance(2) ? R_LID : R_GID, 0, 0, VSVM_MOD_64, 0,
		    VSVM_F_SRC1_IMM, kind == 2 ? 3 : size);
	}
	switch (kind) {
	case 0:
		if (size <= 2 && fz_chance(3))
			mod |= VSVM_MOD_SIGNED;
		put(g, VSVM_OP_LD, size == 4 ? R_DATA_LO : data_reg(), addr, 0, 0, mod, 0, 0, off);
		break;
	case 1:
		put(g, VSVM_OP_ST, 0, addr, size == 4 ? R_DATA_LO : data_reg(), 0, mod, 0, 0, off);
		break;
	default: {
		uint8_t sub = fz_rand_below(VSVM_ATOMIC_COUNT);

		put(g, VSVM_OP_ATOM, data_reg(), addr, data_reg(),
		    sub == VSVM_ATOMIC_CMPXCHG ? data_reg() : 0, mod, sub, 0, off);
		break;
	}
	}
}

static void gen_if(struct sg *g)
{
	put(g, VSVM_OP_ICMP, R_COND, fz_chance(2) ? R_LID : data_reg(), 0, 0, VSVM_MOD_32,
	    fz_rand_below(VSVM_COND_COUNT), VSVM_F_SRC1_IMM, fz_rand_below(64));
	put(g, VSVM_OP_IF, 0, R_COND, 0, 0, 0, 0, 0, 0);
	g->depth++;
	block(g, 1 + fz_rand_below(4));
	if (fz_chance(2)) {
		put(g, VSVM_OP_ELSE, 0, 0, 0, 0, 0, 0, 0, 0);
		block(g, 1 + fz_rand_below(3));
	}
	g->depth--;
	put(g, VSVM_OP_ENDIF, 0, 0, 0, 0, 0, 0, 0, 0);
}

static void gen_loop(struct sg *g)
{
	uint8_t ctr = R_LOOP + g->loops;
	bool endless = fz_chance(40);

	if (!endless)
		put(g, VSVM_OP_MOVI, ctr, 0, 0, 0, 0, 0, 0, 1 + fz_rand_below(8));
	put(g, VSVM_OP_LOOP, 0, 0, 0, 0, 0, 0, 0, 0);
	g->depth++;
	g->loops++;
	block(g, 1 + fz_rand_below(4));
	if (!endless) {
		put(g, VSVM_OP_SUB, ctr, ctr, 0, 0, VSVM_MOD_64, 0, VSVM_F_SRC1_IMM, 1);
		put(g, VSVM_OP_ICMP, R_COND, ctr, 0, 0, VSVM_MOD_64, VSVM_COND_EQ,
		    VSVM_F_SRC1_IMM, 0);
		put(g, VSVM_OP_IF, 0, R_COND, 0, 0, 0, 0, 0, 0);
		put(g, fz_chance(8) ? VSVM_OP_CONTINUE : VSVM_OP_BREAK, 0, 0, 0, 0, 0, 0, 0, 0);
		put(g, VSVM_OP_ENDIF, 0, 0, 0, 0, 0, 0, 0, 0);
	}
	g->loops--;
	g->depth--;
	put(g, VSVM_OP_ENDLOOP, 0, 0, 0, 0, 0, 0, 0, 0);
}

static void stmt(struct sg *g)
{
	unsigned int r = fz_rand_below(100);

	if (r < 35) {
		gen_alu(g);
	} else if (r < 65) {
		gen_mem(g);
	} else if (r < 75 && g->depth < 6) {
		gen_if(g);
	} else if (r < 82 && g->depth < 6 && g->loops < 8) {
		gen_loop(g);
	} else if (r < 87) {
		put(g, VSVM_OP_BAR, 0, 0, 0, 0, 0, 0, 0, 0);
	} else if (r < 90) {
		put(g, VSVM_OP_FENCE, 0, 0, 0, 0, 0, 0, 0, 0);
	} else if (r < 94 && g->args_size >= 4) {
		uint32_t size = fz_rand_below(4);

		while ((1u << size) > g->args_size)
			size--;
		put(g, VSVM_OP_LDARG, data_reg(), 0, 0, 0, size, 0, 0,
		    fz_rand_below(g->args_size / (1u << size)) << size);
	} else if (r < 97) {
		put(g, VSVM_OP_SV, data_reg(), 0, 0, 0, 0, 0, fz_rand_below(VSVM_SV_COUNT), 0);
	} else if (r < 98) {
		put(g, VSVM_OP_TRAP, 0, 0, 0, 0, 0, 0, 0, fz_rand_below(16));
	} else if (r < 99 && g->depth) {
		put(g, VSVM_OP_EXIT, 0, 0, 0, 0, 0, 0, 0, 0);
	} else if (g->loops) {
		put(g, fz_chance(2) ? VSVM_OP_BREAK : VSVM_OP_CONTINUE, 0, 0, 0, 0, 0, 0, 0, 0);
	} else {
		put(g, VSVM_OP_NOP, 0, 0, 0, 0, 0, 0, 0, 0);
	}
}

size_t fz_shader_gen(uint8_t *code, size_t max, uint32_t args_size)
{
	struct sg g = { .code = code, .max = max, .args_size = args_size };

	put(&g, VSVM_OP_SV, R_GID, 0, 0, 0, 0, VSVM_SV_GLOBAL_ID_X, 0, 0);
	put(&g, VSVM_OP_SV, R_LID, 0, 0, 0, 0, VSVM_SV_LOCAL_ID_X, 0, 0);
	put(&g, VSVM_OP_SHL, R_OFF, R_GID, 0, 0, VSVM_MOD_64, 0, VSVM_F_SRC1_IMM, 3);
	for (g.nptrs = 0; g.nptrs < 4 && (g.nptrs + 1) * 8u <= args_size; g.nptrs++)
		put(&g, VSVM_OP_LDARG, R_PTR + g.nptrs, 0, 0, 0, 3, 0, 0, g.nptrs * 8);
	block(&g, 2 + fz_rand_below(12));
	put(&g, VSVM_OP_END, 0, 0, 0, 0, 0, 0, 0, 0);
	return g.n;
}

/* Block structure as the kernel checks it (vsvm_prog_decode()). */
static bool structure_ok(const uint8_t *code, size_t len)
{
	uint8_t stack[VSVM_MAX_NESTING];
	int depth = 0, loops = 0;

	if (!len || len % VSVM_INSN_SIZE)
		return false;
	for (size_t i = 0; i < len; i += VSVM_INSN_SIZE) {
		uint64_t w0, w1;

		memcpy(&w0, code + i, 8);
		memcpy(&w1, code + i + 8, 8);
		if (vsvm_insn_check(w0, w1, NULL) == VSVM_INSN_INVALID)
			return false;
		switch (VSVM_W0_FIELD(w0, OP)) {
		case VSVM_OP_IF:
		case VSVM_OP_LOOP:
			if (depth == VSVM_MAX_NESTING)
				return false;
			stack[depth++] = VSVM_W0_FIELD(w0, OP);
			loops += VSVM_W0_FIELD(w0, OP) == VSVM_OP_LOOP;
			break;
		case VSVM_OP_ELSE:
			if (!depth || stack[depth - 1] != VSVM_OP_IF)
				return false;
			stack[depth - 1] = VSVM_OP_ELSE;
			break;
		case VSVM_OP_ENDIF:
			if (!depth || stack[depth - 1] == VSVM_OP_LOOP)
				return false;
			depth--;
			break;
		case VSVM_OP_ENDLOOP:
			if (!depth || stack[depth - 1] != VSVM_OP_LOOP)
				return false;
			depth--;
			loops--;
			break;
		case VSVM_OP_BREAK:
		case VSVM_OP_CONTINUE:
			if (!loops)
				return false;
			break;
		}
	}
	return depth == 0;
}

static void tweak_field(uint8_t *insn)
{
	uint64_t w0, w1;

	memcpy(&w0, insn, 8);
	memcpy(&w1, insn + 8, 8);
	switch (fz_rand_below(7)) {
	case 0: {	/* another opcode, keeping the operands */
		uint8_t op = fz_rand_below(VSVM_OP_COUNT);

		w0 = (w0 & ~0xffull) | op;
		break;
	}
	case 1: case 2: {	/* a register */
		int shift = 8 * (1 + fz_rand_below(4));
		uint8_t r = fz_chance(8) ? 255 : fz_rand_below(32);

		w0 = (w0 & ~(0xffull << shift)) | (uint64_t)r << shift;
		break;
	}
	case 3:
		w0 = (w0 & ~(0xffull << VSVM_W0_MOD_SHIFT)) |
		     fz_rand_below(0x40) << VSVM_W0_MOD_SHIFT;
		break;
	case 4:
		w0 = (w0 & ~(0xffull << VSVM_W0_SUB_SHIFT)) |
		     fz_rand_below(18) << VSVM_W0_SUB_SHIFT;
		break;
	case 5:
		w0 ^= (uint64_t)VSVM_F_SRC1_IMM << VSVM_W0_FLAGS_SHIFT;
		break;
	default:
		w1 = fz_chance(2) ? interesting_imm() : w1 + (int64_t)(fz_rand_below(33) - 16) * 8;
		break;
	}
	memcpy(insn, &w0, 8);
	memcpy(insn + 8, &w1, 8);
}

static size_t mutate_once(uint8_t *code, size_t len, size_t max, uint32_t args_size)
{
	size_t n = len / VSVM_INSN_SIZE, i = n ? fz_rand_below(n) : 0;
	uint8_t tmp[FZ_MAX_BLOB];

	switch (fz_rand_below(9)) {
	case 0: case 1: case 2:
		if (n)
			tweak_field(code + i * VSVM_INSN_SIZE);
		return len;
	case 3: {	/* insert a statement */
		struct sg g = { .code = tmp, .max = max - len < sizeof(tmp) ? max - len : sizeof(tmp),
				.args_size = args_size, .nptrs = args_size >= 32 ? 4 : args_size / 8 };

		stmt(&g);
		memmove(code + i * VSVM_INSN_SIZE + g.n, code + i * VSVM_INSN_SIZE,
			len - i * VSVM_INSN_SIZE);
		memcpy(code + i * VSVM_INSN_SIZE, tmp, g.n);
		return len + g.n;
	}
	case 4:	/* delete */
		if (n < 2)
			return len;
		memmove(code + i * VSVM_INSN_SIZE, code + (i + 1) * VSVM_INSN_SIZE,
			len - (i + 1) * VSVM_INSN_SIZE);
		return len - VSVM_INSN_SIZE;
	case 5:	/* duplicate */
		if (!n || len + VSVM_INSN_SIZE > max)
			return len;
		memmove(code + (i + 1) * VSVM_INSN_SIZE, code + i * VSVM_INSN_SIZE,
			len - i * VSVM_INSN_SIZE);
		return len + VSVM_INSN_SIZE;
	case 6: {	/* swap */
		size_t j = n ? fz_rand_below(n) : 0;

		if (n < 2)
			return len;
		memcpy(tmp, code + i * VSVM_INSN_SIZE, VSVM_INSN_SIZE);
		memcpy(code + i * VSVM_INSN_SIZE, code + j * VSVM_INSN_SIZE, VSVM_INSN_SIZE);
		memcpy(code + j * VSVM_INSN_SIZE, tmp, VSVM_INSN_SIZE);
		return len;
	}
	case 7: {	/* splice a run of a seed in */
		size_t slen = fz_shader_seed(tmp, sizeof(tmp)), sn = slen / VSVM_INSN_SIZE;
		size_t from, cnt;

		if (!sn)
			return len;
		from = fz_rand_below(sn);
		cnt = 1 + fz_rand_below(sn - from);
		if (len + cnt * VSVM_INSN_SIZE > max)
			return len;
		memmove(code + (i + cnt) * VSVM_INSN_SIZE, code + i * VSVM_INSN_SIZE,
			len - i * VSVM_INSN_SIZE);
		memcpy(code + i * VSVM_INSN_SIZE, tmp + from * VSVM_INSN_SIZE, cnt * VSVM_INSN_SIZE);
		return len + cnt * VSVM_INSN_SIZE;
	}
	default: {	/* wrap [i, j) in a block */
		size_t j = i + 1 + (n > i + 1 ? fz_rand_below(n - i) : 0);
		bool loop = fz_chance(2);
		size_t extra = loop ? 6 : 3;
		struct sg g = { .code = tmp, .max = sizeof(tmp) };

		if (j > n || len + extra * VSVM_INSN_SIZE > max)
			return len;
		if (loop) {
			put(&g, VSVM_OP_MOVI, R_LOOP + 7, 0, 0, 0, 0, 0, 0, 1 + fz_rand_below(4));
			put(&g, VSVM_OP_LOOP, 0, 0, 0, 0, 0, 0, 0, 0);
		} else {
			put(&g, VSVM_OP_ICMP, R_COND, R_LID, 0, 0, VSVM_MOD_32, VSVM_COND_LTU,
			    VSVM_F_SRC1_IMM, fz_rand_below(64));
			put(&g, VSVM_OP_IF, 0, R_COND, 0, 0, 0, 0, 0, 0);
		}
		memcpy(g.code + g.n, code + i * VSVM_INSN_SIZE, (j - i) * VSVM_INSN_SIZE);
		g.n += (j - i) * VSVM_INSN_SIZE;
		if (loop) {
			put(&g, VSVM_OP_SUB, R_LOOP + 7, R_LOOP + 7, 0, 0, VSVM_MOD_64, 0,
			    VSVM_F_SRC1_IMM, 1);
			put(&g, VSVM_OP_IF, 0, R_LOOP + 7, 0, 0, 0, 0, 0, 0);
			put(&g, VSVM_OP_ELSE, 0, 0, 0, 0, 0, 0, 0, 0);
			put(&g, VSVM_OP_BREAK, 0, 0, 0, 0, 0, 0, 0, 0);
			put(&g, VSVM_OP_ENDIF, 0, 0, 0, 0, 0, 0, 0, 0);
			put(&g, VSVM_OP_ENDLOOP, 0, 0, 0, 0, 0, 0, 0, 0);
		} else {
			put(&g, VSVM_OP_ENDIF, 0, 0, 0, 0, 0, 0, 0, 0);
		}
		if (len - (j - i) * VSVM_INSN_SIZE + g.n > max)
			return len;
		memmove(code + i * VSVM_INSN_SIZE + g.n, code + j * VSVM_INSN_SIZE,
			len - j * VSVM_INSN_SIZE);
		memcpy(code + i * VSVM_INSN_SIZE, tmp, g.n);
		return len - (j - i) * VSVM_INSN_SIZE + g.n;
	}
	}
}

size_t fz_shader_mutate(uint8_t *code, size_t len, size_t max, uint32_t args_size)
{
	uint8_t orig[FZ_MAX_BLOB];
	size_t orig_len = len > sizeof(orig) ? sizeof(orig) : len;
	bool want_valid = !fz_chance(5);

	if (max > sizeof(orig))
		max = sizeof(orig);
	/* A stray tail: the size check, not the decoder. */
	if (fz_chance(50))
		return len % VSVM_INSN_SIZE ? len - len % VSVM_INSN_SIZE :
		       len + 1 + fz_rand_below(15) <= max ? len + 1 + fz_rand_below(15) : len;
	len -= len % VSVM_INSN_SIZE;
	memcpy(orig, code, orig_len);
	for (int tries = 0; tries < 8; tries++) {
		int rounds = 1 + fz_rand_below(3);

		for (int r = 0; r < rounds; r++)
			len = mutate_once(code, len, max, args_size);
		if (!want_valid || structure_ok(code, len))
			return len;
		memcpy(code, orig, orig_len);
		len = orig_len - orig_len % VSVM_INSN_SIZE;
	}
	return len;
}

static void load_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)) && nseeds < MAX_SEEDS) {
		size_t len = strlen(e->d_name), size, cap = 0;
		char path[4096], *src = NULL, err[256] = "cannot read";
		uint8_t *code;
		FILE *f;

		if (len < 3 || strcmp(e->d_name + len - 2, ".s"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (getdelim(&src, &cap, '\0', f) > 0 &&
		    !vsvm_asm(src, &code, &size, err, sizeof(err))) {
			if (size && size <= FZ_MAX_BLOB) {
				seeds[nseeds] = code;
				seed_len[nseeds++] = size;
			} else {
				free(code);
			}
		} else {
			fprintf(stderr, "vsvm-fuzz: %s: %s\n", path, err);
		}
		free(src);
		fclose(f);
	}
	if (d)
		closedir(d);
}

int fz_shader_load_seeds(const char *dirs)
{
	char *copy = strdup(dirs), *dir, *save = NULL;

	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save))
		load_dir(dir);
	free(copy);
	return nseeds;
}

size_t fz_shader_seed(uint8_t *code, size_t max)
{
	int i;

	if (!nseeds)
		return 0;
	i = fz_rand_below(nseeds);
	if (seed_len[i] > max)
		return 0;
	memcpy(code, seeds[i], seed_len[i]);
	return seed_len[i];
}
