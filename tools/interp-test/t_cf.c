// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */
/*
 * Control flow and wave scheduling: random structured programs (divergent
 * IF/ELSE inside loops with BREAK, CONTINUE and EXIT) run by the wave
 * interpreter under random instruction budgets and compared with a scalar
 * interpreter that runs each lane alone; then barriers, traps, budgets,
 * system values and the end of a wave.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Scalar reference: one lane, plain jumps, its own block matching. */

struct scalar_prog {
	u32 n;
	const u8 *bytes;
	u32 *match;	/* IF: ELSE or ENDIF; ELSE: ENDIF; LOOP <-> ENDLOOP */
	u32 *loop_end;	/* BREAK, CONTINUE: the innermost ENDLOOP */
};

static u64 le64(const u8 *p)
{
	u64 v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void scalar_prepare(struct scalar_prog *s, const struct code *c)
{
	u32 stack[64], depth = 0, i, k;

	s->n = code_len(c);
	s->bytes = c->bytes;
	s->match = calloc(s->n, sizeof(u32));
	s->loop_end = calloc(s->n, sizeof(u32));
	for (i = 0; i < s->n; i++) {
		switch (c->bytes[16 * i]) {
		case VSVM_OP_IF:
		case VSVM_OP_LOOP:
			stack[depth++] = i;
			break;
		case VSVM_OP_ELSE:
			s->match[stack[depth - 1]] = i;
			stack[depth - 1] = i;
			break;
		case VSVM_OP_ENDIF:
			s->match[stack[--depth]] = i;
			break;
		case VSVM_OP_ENDLOOP:
			k = stack[--depth];
			s->match[k] = i;
			s->match[i] = k;
			/* Every BREAK/CONTINUE in (k, i) not already claimed. */
			for (k++; k < i; k++)
				if ((c->bytes[16 * k] == VSVM_OP_BREAK ||
				     c->bytes[16 * k] == VSVM_OP_CONTINUE) && !s->loop_end[k])
					s->loop_end[k] = i;
			break;
		}
	}
}

static void scalar_free(struct scalar_prog *s)
{
	free(s->match);
	free(s->loop_end);
}

/* Runs one lane to its end; false if it does not end within the bound. */
static bool scalar_run(const struct scalar_prog *s, u64 *r, u32 lin)
{
	u32 pc = 0;
	unsigned long steps;

	for (steps = 0; steps < 10000000 && pc < s->n; steps++) {
		const u8 *p = s->bytes + 16 * pc;
		u8 op = p[0], d = p[1], a = p[2], b = p[3], sub = p[6];
		bool imm_b = p[7] & VSVM_F_SRC1_IMM;
		u64 imm = le64(p + 8), y = imm_b ? imm : r[b];

		pc++;
		switch (op) {
		case VSVM_OP_NOP:
		case VSVM_OP_BAR:
		case VSVM_OP_ENDIF:
		case VSVM_OP_LOOP:
		case VSVM_OP_FENCE:
			break;
		case VSVM_OP_END:
		case VSVM_OP_EXIT:
			return true;
		case VSVM_OP_MOVI:
			r[d] = imm;
			break;
		case VSVM_OP_ADD:
			r[d] = r[a] + y;
			break;
		case VSVM_OP_MUL:
			r[d] = r[a] * y;
			break;
		case VSVM_OP_XOR:
			r[d] = r[a] ^ y;
			break;
		case VSVM_OP_OR:
			r[d] = r[a] | y;
			break;
		case VSVM_OP_AND:
			r[d] = r[a] & y;
			break;
		case VSVM_OP_SHRU:
			r[d] = r[a] >> (y & 63);
			break;
		case VSVM_OP_ICMP:
			/* 64-bit unsigned only, in these programs */
			if (sub == VSVM_COND_LTU)
				r[d] = r[a] < y ? 0xffffffff : 0;
			else if (sub == VSVM_COND_EQ)
				r[d] = r[a] == y ? 0xffffffff : 0;
			else
				r[d] = r[a] != y ? 0xffffffff : 0;
			break;
		case VSVM_OP_SV:
			r[d] = sub == VSVM_SV_LOCAL_ID_X ? lin : sub == VSVM_SV_LANE_ID ?
			       lin % 32 : lin / 32;
			break;
		case VSVM_OP_IF:
			if (!(u32)r[a])
				pc = s->match[pc - 1] + 1;
			break;
		case VSVM_OP_ELSE:
			pc = s->match[pc - 1] + 1;
			break;
		case VSVM_OP_ENDLOOP:
			pc = s->match[pc - 1] + 1;
			break;
		case VSVM_OP_BREAK:
			pc = s->loop_end[pc - 1] + 1;
			break;
		case VSVM_OP_CONTINUE:
			pc = s->loop_end[pc - 1];
			break;
		default:
			fprintf(stderr, "scalar: op 0x%02x\n", op);
			exit(2);
		}
	}
	return pc >= s->n;
}

/* Random structured programs */

#define R_TRACE		9
#define R_COND		10
#define R_COUNT		11	/* + loop level */
#define R_LIMIT		20	/* + loop level */
#define N_REGS_USED	24
#define MAX_LOOPS	3
#define MAX_DEPTH	8

static u8 data_reg(void)
{
	return 1 + rng_below(8);
}

/* r10 = ((rX >> s) & mask) cond k, for a lane-dependent condition. */
static void gen_cond(struct code *c)
{
	e_alui(c, VSVM_OP_SHRU, R_COND, data_reg(), rng_below(20), 1);
	e_alui(c, VSVM_OP_AND, R_COND, R_COND, 1 + rng_below(7), 1);
	e_icmpi(c, R_COND, R_COND, rng_below(8), rng_below(2) ? VSVM_COND_LTU : VSVM_COND_NE, 1);
}

static void gen_block(struct code *c, int depth, int loops, int len, bool top);

static void gen_stmt(struct code *c, int depth, int loops, bool top)
{
	switch (rng_below(16)) {
	case 0:
	case 1:
		e_alu(c, VSVM_OP_ADD, data_reg(), data_reg(), data_reg(), 1);
		break;
	case 2:
		e_alu(c, VSVM_OP_XOR, data_reg(), data_reg(), data_reg(), 1);
		break;
	case 3:
		e_alui(c, VSVM_OP_MUL, data_reg(), data_reg(), rng_u64() | 1, 1);
		break;
	case 4:
		e_alui(c, VSVM_OP_SHRU, data_reg(), data_reg(), 1 + rng_below(13), 1);
		break;
	case 5:
	case 6:
		/* The trace: which statements a lane ran, in which order. */
		e_alui(c, VSVM_OP_MUL, R_TRACE, R_TRACE, 31, 1);
		e_alui(c, VSVM_OP_ADD, R_TRACE, R_TRACE, rng_below(1000), 1);
		break;
	case 7:
	case 8:
	case 9:
		if (depth >= MAX_DEPTH)
			break;
		gen_cond(c);
		e_if(c, R_COND);
		gen_block(c, depth + 1, loops, rng_below(5), false);
		if (rng_below(2)) {
			e_op(c, VSVM_OP_ELSE);
			gen_block(c, depth + 1, loops, rng_below(5), false);
		}
		e_op(c, VSVM_OP_ENDIF);
		break;
	case 10:
	case 11:
		if (depth >= MAX_DEPTH || loops >= MAX_LOOPS)
			break;
		e_movi(c, R_COUNT + loops, 0);
		e_alui(c, VSVM_OP_AND, R_LIMIT + loops, data_reg(), 3, 1);
		e_op(c, VSVM_OP_LOOP);
		e_alui(c, VSVM_OP_ADD, R_COUNT + loops, R_COUNT + loops, 1, 1);
		e_icmp(c, R_COND, R_LIMIT + loops, R_COUNT + loops, VSVM_COND_LTU, 1);
		e_if(c, R_COND);
		e_op(c, VSVM_OP_BREAK);
		e_op(c, VSVM_OP_ENDIF);
		gen_block(c, depth + 2, loops + 1, 1 + rng_below(5), false);
		e_op(c, VSVM_OP_ENDLOOP);
		break;
	case 12:
	case 13:
		if (!loops || depth >= MAX_DEPTH)
			break;
		if (rng_below(4)) {
			gen_cond(c);
			e_if(c, R_COND);
			e_op(c, rng_below(2) ? VSVM_OP_BREAK : VSVM_OP_CONTINUE);
			e_op(c, VSVM_OP_ENDIF);
		} else {
			/* Unconditional: the rest of the block is dead for these lanes. */
			e_op(c, rng_below(2) ? VSVM_OP_BREAK : VSVM_OP_CONTINUE);
		}
		break;
	case 14:
		if (depth >= MAX_DEPTH || rng_below(3))
			break;
		gen_cond(c);
		e_if(c, R_COND);
		e_op(c, VSVM_OP_EXIT);
		e_op(c, VSVM_OP_ENDIF);
		break;
	case 15:
		/* A barrier is only defined where every lane of a wave is. */
		if (top)
			e_op(c, VSVM_OP_BAR);
		break;
	}
}

static void gen_block(struct code *c, int depth, int loops, int len, bool top)
{
	while (len--)
		gen_stmt(c, depth, loops, top);
}

static void gen_program(struct code *c)
{
	code_init(c);
	e_sv(c, 1, VSVM_SV_LOCAL_ID_X);
	e_sv(c, 2, VSVM_SV_LANE_ID);
	e_sv(c, 3, VSVM_SV_WAVE_ID);
	e_alui(c, VSVM_OP_MUL, 4, 1, 0x9e3779b97f4a7c15ull, 1);
	e_alui(c, VSVM_OP_XOR, 4, 4, rng_u64(), 1);
	e_alui(c, VSVM_OP_SHRU, 5, 4, 17, 1);
	e_alui(c, VSVM_OP_MUL, 6, 4, rng_u64() | 1, 1);
	e_alui(c, VSVM_OP_SHRU, 7, 6, 29, 1);
	e_alui(c, VSVM_OP_OR, 8, 7, 0x10, 1);
	gen_block(c, 0, 0, 4 + rng_below(12), true);
	if (rng_below(4))
		e_op(c, VSVM_OP_END);
}

static void test_random_programs(void)
{
	unsigned long insns = 0, failures = test_failures;
	u32 iter;

	for (iter = 0; iter < 3000; iter++) {
		struct vsvm_mmu mmu = { 0 };
		struct scalar_prog sp;
		struct vsvm_prog *prog;
		struct code c;
		u32 lanes = 1 + rng_below(iter % 4 ? 96 : 32), lin, r;
		struct wg g;
		u64 ref[256];

		gen_program(&c);
		prog = decode_ok(&c, 0);
		if (!prog) {
			code_free(&c);
			return;
		}
		scalar_prepare(&sp, &c);
		wg_init1(&g, prog, &mmu, lanes);
		if (CHECK_EQ(wg_run(&g, iter % 3 ? 0 : 100000, NULL, NULL), VSVM_STOP_DONE)) {
			for (lin = 0; lin < lanes; lin++) {
				bool ok = true;

				memset(ref, 0, sizeof(ref));
				if (!CHECK(scalar_run(&sp, ref, lin), "reference looped"))
					break;
				for (r = 0; r < prog->n_regs && ok; r++) {
					u64 got = wg_get(&g, lin / 32, r, lin % 32);

					ok = CHECK(got == ref[r],
						   "program %u lane %u r%u: 0x%llx, want 0x%llx",
						   iter, lin, r, (unsigned long long)got,
						   (unsigned long long)ref[r]);
				}
				if (!ok)
					break;
			}
		}
		insns += g.ctx.insns;
		wg_free(&g);
		free(prog);
		scalar_free(&sp);
		code_free(&c);
		if (test_failures != failures)
			break;
	}
	CHECK(insns > 100000, "only %lu instructions ran: programs too trivial", insns);
}

/* Runs a program on @lanes lanes with a big budget; returns the stop. */
static enum vsvm_stop run_simple(struct code *c, u32 lanes, struct wg *g, struct vsvm_prog **pp)
{
	static struct vsvm_mmu mmu;

	memset(g, 0, sizeof(*g));
	*pp = decode_ok(c, 0);
	code_free(c);
	if (!*pp)
		return VSVM_STOP_ERROR;
	wg_init1(g, *pp, &mmu, lanes);
	return wg_run(g, 100000, NULL, NULL);
}

/*
 * Nested divergence 32 deep, the most the stack holds: IFs with ELSEs and,
 * every fourth level, a loop that BREAKs on its second iteration.
 */
static void test_deep_nesting(void)
{
	struct scalar_prog sp;
	struct vsvm_prog *prog;
	struct code c, copy;
	struct wg g;
	u64 ref[256];
	u32 i, lin, r;

	code_init(&c);
	e_sv(&c, 1, VSVM_SV_LOCAL_ID_X);
	e_alui(&c, VSVM_OP_MUL, 2, 1, 0x2545f4914f6cdd1dull, 1);
	for (i = 0; i < VSVM_MAX_NESTING; i++) {
		if (i % 4 == 2) {
			e_op(&c, VSVM_OP_LOOP);
			e_alui(&c, VSVM_OP_ADD, 11 + i / 4, 11 + i / 4, 1, 1);
			e_icmpi(&c, R_COND, 11 + i / 4, 1, VSVM_COND_NE, 1);
			e_if(&c, R_COND);
			e_op(&c, VSVM_OP_BREAK);
			e_op(&c, VSVM_OP_ENDIF);
		} else {
			e_alui(&c, VSVM_OP_SHRU, R_COND, 2, i + 20, 1);
			e_alui(&c, VSVM_OP_AND, R_COND, R_COND, 1, 1);
			e_if(&c, R_COND);
			e_alui(&c, VSVM_OP_ADD, 4, 4, 1ull << i, 1);
		}
	}
	e_alui(&c, VSVM_OP_MUL, 5, 4, 3, 1);
	for (i = VSVM_MAX_NESTING; i--;) {
		if (i % 4 == 2) {
			e_op(&c, VSVM_OP_ENDLOOP);
		} else {
			e_op(&c, VSVM_OP_ELSE);
			e_alui(&c, VSVM_OP_XOR, 6, 6, 1ull << i, 1);
			e_op(&c, VSVM_OP_ENDIF);
		}
	}
	e_op(&c, VSVM_OP_END);

	copy = c;
	copy.bytes = malloc(c.size);
	memcpy(copy.bytes, c.bytes, c.size);
	scalar_prepare(&sp, &copy);
	if (CHECK_EQ(run_simple(&c, 64, &g, &prog), VSVM_STOP_DONE)) {
		CHECK_EQ(prog->max_depth, VSVM_MAX_NESTING);
		for (lin = 0; lin < 64; lin++) {
			memset(ref, 0, sizeof(ref));
			scalar_run(&sp, ref, lin);
			for (r = 0; r < prog->n_regs; r++)
				CHECK(wg_get(&g, lin / 32, r, lin % 32) == ref[r], "lane %u r%u",
				      lin, r);
		}
		/* Some lanes went deep, some took the ELSEs. */
		CHECK(ref[4] || ref[6], "trivial");
	}
	scalar_free(&sp);
	free(copy.bytes);
	wg_free(&g);
	free(prog);
}

/*
 * With no lane active, blocks are jumped over whole: nothing inside runs and
 * the instruction count shows they were not walked.
 */
static void test_skip(void)
{
	struct vsvm_prog *prog;
	struct code c;
	struct wg g;
	u32 i;

	code_init(&c);
	e_sv(&c, 1, VSVM_SV_LANE_ID);				/* 0 */
	e_op(&c, VSVM_OP_LOOP);					/* 1 */
	e_op(&c, VSVM_OP_BREAK);				/* 2: everyone */
	e_if(&c, 1);						/* 3: skipped whole */
	for (i = 0; i < 500; i++)
		emit(&c, VSVM_OP_TRAP, 0, 0, 0, 0, 0, 0, 0, i);
	e_op(&c, VSVM_OP_ELSE);
	e_op(&c, VSVM_OP_TRAP);
	e_op(&c, VSVM_OP_ENDIF);
	e_op(&c, VSVM_OP_LOOP);					/* skipped whole */
	e_op(&c, VSVM_OP_TRAP);
	e_op(&c, VSVM_OP_ENDLOOP);
	e_op(&c, VSVM_OP_ENDLOOP);
	e_movi(&c, 2, 7);
	e_if(&c, 0);						/* r0 == 0: nobody */
	for (i = 0; i < 500; i++)
		e_op(&c, VSVM_OP_TRAP);
	e_op(&c, VSVM_OP_ENDIF);
	e_icmpi(&c, 3, 1, 5, VSVM_COND_LTU, 0);			/* lanes 0..4 */
	e_if(&c, 3);
	e_op(&c, VSVM_OP_EXIT);					/* lanes 0..4 end */
	e_op(&c, VSVM_OP_ENDIF);
	e_alui(&c, VSVM_OP_ADD, 4, 2, 1, 0);
	e_op(&c, VSVM_OP_EXIT);					/* everyone else */
	e_op(&c, VSVM_OP_TRAP);					/* never reached */
	e_op(&c, VSVM_OP_END);

	if (CHECK_EQ(run_simple(&c, 32, &g, &prog), VSVM_STOP_DONE)) {
		/*
		 * SV, LOOP, BREAK, then straight to ENDLOOP; MOVI, IF, ENDIF;
		 * ICMP, IF, EXIT, ENDIF, ADD, EXIT: none of the skipped code
		 * is visited.
		 */
		CHECK_EQ(g.ctx.insns, 13);
		for (i = 0; i < 32; i++)
			CHECK_EQ(wg_get(&g, 0, 4, i), i < 5 ? 0 : 8);
		CHECK_EQ(g.waves[0].exited, U32_MAX);
	}
	wg_free(&g);
	free(prog);
}

/* END ends the whole wave, even lanes waiting for another branch. */
static void test_end_in_branch(void)
{
	struct vsvm_prog *prog;
	struct code c;
	struct wg g;
	u32 l;

	code_init(&c);
	e_sv(&c, 1, VSVM_SV_LANE_ID);
	e_alui(&c, VSVM_OP_AND, 2, 1, 1, 0);
	e_if(&c, 2);
	e_movi(&c, 3, 1);
	e_op(&c, VSVM_OP_END);
	e_op(&c, VSVM_OP_ELSE);
	e_movi(&c, 3, 2);
	e_op(&c, VSVM_OP_ENDIF);
	e_movi(&c, 4, 3);
	if (CHECK_EQ(run_simple(&c, 32, &g, &prog), VSVM_STOP_DONE)) {
		for (l = 0; l < 32; l++) {
			CHECK_EQ(wg_get(&g, 0, 3, l), l & 1 ? 1 : 0);
			CHECK_EQ(wg_get(&g, 0, 4, l), 0);
		}
	}
	wg_free(&g);
	free(prog);

	/* Running off the end is END too; a done wave stays done. */
	code_init(&c);
	e_movi(&c, 1, 5);
	if (CHECK_EQ(run_simple(&c, 3, &g, &prog), VSVM_STOP_DONE)) {
		CHECK_EQ(wg_get(&g, 0, 1, 2), 5);
		CHECK_EQ(g.ctx.insns, 1);
		CHECK_EQ(vsvm_interp_run(&g.ctx, &g.waves[0], 10), VSVM_STOP_DONE);
		CHECK_EQ(g.ctx.insns, 1);
	}
	wg_free(&g);
	free(prog);
}

/*
 * Two waves exchange values through shared memory across a barrier: each
 * stops at BAR with pc past it, and only continues once both arrived.
 */
static void test_barrier(void)
{
	static struct vsvm_mmu mmu;
	struct vsvm_prog *prog;
	struct code c;
	struct wg g;
	u32 bar, w, l;

	code_init(&c);
	e_sv(&c, 1, VSVM_SV_LOCAL_ID_X);
	e_alui(&c, VSVM_OP_SHL, 2, 1, 2, 0);
	e_alui(&c, VSVM_OP_MUL, 3, 1, 3, 0);
	e_st(&c, 2, 3, 0, MOD_MEM(2, VSVM_SPACE_SHARED, 0));
	bar = e_op(&c, VSVM_OP_BAR);
	e_alui(&c, VSVM_OP_SUB, 4, 2, 4 * 63, 0);
	e_alui(&c, VSVM_OP_AND, 4, 4, 0xff, 0);			/* 4 * ((lid + 1) % 64) */
	e_ld(&c, 5, 4, 0, MOD_MEM(2, VSVM_SPACE_SHARED, 0));
	e_op(&c, VSVM_OP_BAR);
	e_op(&c, VSVM_OP_END);
	prog = decode_ok(&c, 0);
	code_free(&c);
	if (!prog)
		return;
	wg_init1(&g, prog, &mmu, 64);

	CHECK_EQ(vsvm_interp_run(&g.ctx, &g.waves[0], 1000), VSVM_STOP_BARRIER);
	CHECK_EQ(g.waves[0].pc, bar + 1);
	CHECK_EQ(g.waves[0].state, VSVM_WAVE_BARRIER);
	CHECK_EQ(g.ctx.insns, bar + 1);
	/* Wave 1 has not stored yet: what wave 0 would read is still zero. */
	CHECK_EQ(*(u32 *)(g.shared + 4 * 40), 0);
	CHECK_EQ(vsvm_interp_run(&g.ctx, &g.waves[1], 3), VSVM_STOP_BUDGET);
	CHECK_EQ(vsvm_interp_run(&g.ctx, &g.waves[1], 1000), VSVM_STOP_BARRIER);
	CHECK_EQ(g.waves[1].pc, bar + 1);
	CHECK_EQ(*(u32 *)(g.shared + 4 * 40), 120);

	/* The engine releases both. */
	for (w = 0; w < 2; w++)
		CHECK_EQ(vsvm_interp_run(&g.ctx, &g.waves[w], 1000), VSVM_STOP_BARRIER);
	for (w = 0; w < 2; w++) {
		CHECK_EQ(vsvm_interp_run(&g.ctx, &g.waves[w], 1000), VSVM_STOP_DONE);
		for (l = 0; l < 32; l++)
			CHECK_EQ(wg_get(&g, w, 5, l), 3 * ((32 * w + l + 1) % 64));
	}
	wg_free(&g);

	/* A wave whose lanes all exited is done, not waiting at the barrier. */
	code_init(&c);
	e_sv(&c, 1, VSVM_SV_WAVE_ID);
	e_if(&c, 1);
	e_op(&c, VSVM_OP_EXIT);
	e_op(&c, VSVM_OP_ENDIF);
	e_op(&c, VSVM_OP_BAR);
	e_movi(&c, 2, 9);
	free(prog);
	prog = decode_ok(&c, 0);
	code_free(&c);
	if (!prog)
		return;
	wg_init1(&g, prog, &mmu, 40);
	CHECK_EQ(vsvm_interp_run(&g.ctx, &g.waves[1], 1000), VSVM_STOP_DONE);
	CHECK_EQ(vsvm_interp_run(&g.ctx, &g.waves[0], 1000), VSVM_STOP_BARRIER);
	CHECK_EQ(vsvm_interp_run(&g.ctx, &g.waves[0], 1000), VSVM_STOP_DONE);
	CHECK_EQ(wg_get(&g, 0, 2, 31), 9);
	CHECK_EQ(wg_get(&g, 1, 2, 0), 0);
	wg_free(&g);
	free(prog);
}

static void test_trap(void)
{
	struct vsvm_prog *prog;
	struct code c;
	struct wg g;

	code_init(&c);
	e_sv(&c, 1, VSVM_SV_LANE_ID);
	e_icmpi(&c, 2, 1, 3, VSVM_COND_EQ, 0);
	e_if(&c, 2);
	emit(&c, VSVM_OP_TRAP, 0, 0, 0, 0, 0, 0, 0, 0x1234567890abcdefull);
	e_op(&c, VSVM_OP_ENDIF);
	e_op(&c, VSVM_OP_END);
	if (CHECK_EQ(run_simple(&c, 32, &g, &prog), VSVM_STOP_ERROR)) {
		CHECK_EQ(g.ctx.status, DRM_VSVM_STATUS_TRAP);
		CHECK_EQ(g.ctx.info, 0x90abcdef);
		CHECK_EQ(g.ctx.fault_pc, 3 * 16);
		CHECK_EQ(g.waves[0].pc, 3);
		CHECK_EQ(g.ctx.insns, 3);
	}
	wg_free(&g);
	free(prog);
}

/* Any budget split gives the same result; BUDGET stops count exactly. */
static void test_budget(void)
{
	struct vsvm_mmu mmu = { 0 };
	struct vsvm_prog *prog;
	enum vsvm_stop st;
	struct code c;
	struct wg g;
	u32 n, l;

	code_init(&c);
	e_sv(&c, 1, VSVM_SV_LANE_ID);
	e_op(&c, VSVM_OP_LOOP);
	e_alui(&c, VSVM_OP_ADD, 2, 2, 1, 0);
	e_icmp(&c, 3, 1, 2, VSVM_COND_LTU, 0);		/* lane id < count */
	e_if(&c, 3);
	e_op(&c, VSVM_OP_BREAK);
	e_op(&c, VSVM_OP_ENDIF);
	e_alu(&c, VSVM_OP_ADD, 4, 4, 2, 0);
	e_op(&c, VSVM_OP_ENDLOOP);
	e_op(&c, VSVM_OP_END);
	prog = decode_ok(&c, 0);
	code_free(&c);
	if (!prog)
		return;
	wg_init1(&g, prog, &mmu, 32);
	CHECK_EQ(vsvm_interp_run(&g.ctx, &g.waves[0], 0), VSVM_STOP_BUDGET);
	CHECK_EQ(g.ctx.insns, 0);
	CHECK_EQ(g.waves[0].pc, 0);
	for (n = 1; n < 10000; n++) {
		st = vsvm_interp_run(&g.ctx, &g.waves[0], 1);
		if (st != VSVM_STOP_BUDGET)
			break;
		if (!CHECK(g.ctx.insns == n, "step %u counted %llu", n,
			   (unsigned long long)g.ctx.insns))
			break;
	}
	CHECK_EQ(st, VSVM_STOP_DONE);
	for (l = 0; l < 32; l++)
		CHECK_EQ(wg_get(&g, 0, 4, l), l * (l + 1) / 2);
	wg_free(&g);
	free(prog);
}

/*
 * Every system value of a workgroup of @size, in each wave and lane, against
 * the definition with a division per lane; with @odd, only odd lanes run the
 * SVs (under an IF) and the others keep their cleared registers.
 */
static void check_sysvals(const u32 size[3], bool odd)
{
	const u32 grid[3] = { 4, 5, 6 }, id[3] = { 2, 1, 3 };
	u32 lanes = size[0] * size[1] * size[2], sv, w, l, lin, loc[3], k;
	struct vsvm_mmu mmu = { 0 };
	struct vsvm_prog *prog;
	struct code c;
	struct wg g;
	u64 want;

	code_init(&c);
	if (odd) {
		e_sv(&c, VSVM_SV_COUNT, VSVM_SV_LANE_ID);
		e_alui(&c, VSVM_OP_AND, VSVM_SV_COUNT, VSVM_SV_COUNT, 1, 0);
		e_if(&c, VSVM_SV_COUNT);
	}
	for (sv = 0; sv < VSVM_SV_COUNT; sv++)
		e_sv(&c, sv, sv);
	if (odd)
		e_op(&c, VSVM_OP_ENDIF);
	e_op(&c, VSVM_OP_END);
	prog = decode_ok(&c, 0);
	code_free(&c);
	if (!prog)
		return;
	wg_init(&g, prog, &mmu, grid, size, id, 0, 0);
	CHECK_EQ(wg_run(&g, 1000, NULL, NULL), VSVM_STOP_DONE);
	for (w = 0; w < g.n_waves; w++) {
		for (l = 0; l < 32; l++) {
			lin = 32 * w + l;
			loc[0] = lin % size[0];
			loc[1] = lin / size[0] % size[1];
			loc[2] = lin / size[0] / size[1];
			for (sv = 0; sv < VSVM_SV_COUNT; sv++) {
				k = sv % 3;
				if (lin >= lanes || (odd && !(l & 1)))
					want = 0;
				else if (sv < 3)
					want = loc[k];
				else if (sv < 6)
					want = id[k];
				else if (sv < 9)
					want = grid[k];
				else if (sv < 12)
					want = size[k];
				else if (sv < 15)
					want = id[k] * size[k] + loc[k];
				else if (sv == VSVM_SV_LANE_ID)
					want = l;
				else
					want = w;
				CHECK(wg_get(&g, w, sv, l) == want,
				      "%ux%ux%u%s lane %u sv %u: %llu, want %llu",
				      size[0], size[1], size[2], odd ? " odd" : "",
				      lin, sv, (unsigned long long)wg_get(&g, w, sv, l),
				      (unsigned long long)want);
			}
		}
	}
	wg_free(&g);
	free(prog);
}

/*
 * System values of 3-D workgroups: waves that start mid-row and mid-plane,
 * rows longer than a wave, rows of one lane, a partial last wave.
 */
static void test_sysvals(void)
{
	static const u32 sizes[][3] = {
		{ 5, 3, 4 }, { 40, 2, 1 }, { 1, 1, 64 }, { 7, 1, 9 },
		{ 2, 16, 3 }, { 32, 1, 1 }, { 3, 11, 1 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		check_sysvals(sizes[i], false);
		check_sysvals(sizes[i], true);
	}

	/* A wave with no lane is done from the start. */
	{
		struct vsvm_wave wave;
		u32 regs[VSVM_REG_WORDS];

		vsvm_wave_init(&wave, 0, 0, regs, 1);
		CHECK_EQ(wave.state, VSVM_WAVE_DONE);
	}
}

/*
 * Outside an FPU section the interpreter refuses to run, with one warning:
 * the wave, its registers and the memory it would write are untouched.
 */
static void test_outside_fpu_section(void)
{
	struct vsvm_mmu mmu = { 0 };
	struct vsvm_prog *prog;
	u8 *page;
	struct code c;
	struct wg g;
	u32 l;

	mmu_reset(&mmu);
	page = mmu_add(&mmu, 0x10000, true, false);
	code_init(&c);
	e_sv(&c, 1, VSVM_SV_LANE_ID);
	e_movi(&c, 2, 0x10000);
	e_alui(&c, VSVM_OP_SHL, 3, 1, 2, 1);
	e_alu(&c, VSVM_OP_ADD, 2, 2, 3, 1);
	e_st(&c, 2, 1, 0, MOD_MEM(2, VSVM_SPACE_GLOBAL, 0));
	e_op(&c, VSVM_OP_END);
	prog = decode_ok(&c, 0);
	code_free(&c);
	if (!prog)
		return;
	wg_init1(&g, prog, &mmu, 32);

	compat_fpu_usable = true;
	CHECK_EQ(vsvm_interp_run(&g.ctx, &g.waves[0], 100), VSVM_STOP_ERROR);
	compat_fpu_usable = false;
	/* Once per run of interp-test: at the first instruction set's turn. */
	CHECK_EQ(compat_warnings, vsvm_simd_level == VSVM_SIMD_PORTABLE);
	compat_warnings = 0;
	CHECK_EQ(g.ctx.status, DRM_VSVM_STATUS_CANCELED);
	CHECK_EQ(g.ctx.insns, 0);
	CHECK_EQ(g.waves[0].pc, 0);
	CHECK_EQ(g.waves[0].exec, U32_MAX);
	CHECK_EQ(g.waves[0].state, VSVM_WAVE_RUNNING);
	CHECK_EQ(wg_get(&g, 0, 1, 5), 0);
	for (l = 0; l < 32 * 4; l++)
		CHECK(!page[l], "byte %u written: 0x%x", l, page[l]);

	/* Inside one, the same wave runs: the check let nothing stick. */
	g.ctx.status = 0;
	CHECK_EQ(wg_run(&g, 100, NULL, NULL), VSVM_STOP_DONE);
	for (l = 0; l < 32; l++) {
		u32 v;

		memcpy(&v, page + 4 * l, sizeof(v));
		CHECK_EQ(v, l);
	}
	wg_free(&g);
	free(prog);
	mmu_reset(&mmu);
}

const struct test cf_tests[] = {
	{ "cf-random-programs", test_random_programs },
	{ "cf-deep-nesting", test_deep_nesting },
	{ "cf-skip-inactive", test_skip },
	{ "cf-end-in-branch", test_end_in_branch },
	{ "cf-barrier", test_barrier },
	{ "cf-trap", test_trap },
	{ "cf-budget", test_budget },
	{ "cf-sysvals", test_sysvals },
	{ "cf-outside-fpu-section", test_outside_fpu_section },
	{ NULL, NULL },
};
