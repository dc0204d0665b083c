// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */
/*
 * The interpreter's vector copies against its portable one: every valid ALU
 * encoding (opcode, sub, width, register or immediate operand) on random and
 * edge inputs under every mask shape, run once per instruction set; the
 * whole register file must come out byte for byte the same. The other suites
 * also run at every level (see main()), against their own references.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define N_REGS		5

static const u64 edges[] = {
	0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
	0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, 31, 32, 63, 64,
	/* fp32: +-0, +-1, 0.5, 1.5, 2.5, -2.5, inf, -inf, qNaN, sNaN, denormal, max */
	0x80000000, 0x3f800000, 0xbf800000, 0x3f000000, 0x3fc00000, 0x40200000,
	0xc0200000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0x00000001,
	0x007fffff, 0x7f7fffff, 0x4f000000, 0xcf000000, 0x4f800000, 0x5f000000,
	0xdf000000, 0x5f800000,
};

static u64 value(void)
{
	switch (rng_below(4)) {
	case 0:
		return edges[rng_below(ARRAY_SIZE(edges))];
	case 1:
		/* An edge with garbage in the upper half, which 32-bit ops ignore. */
		return edges[rng_below(ARRAY_SIZE(edges))] | rng_u64() << 32;
	case 2:
		return rng_u64() >> rng_below(64);
	default:
		return rng_u64();
	}
}

static u32 mask_shape(unsigned int i)
{
	switch (i) {
	case 0:
		return U32_MAX;
	case 1:
		return 0;
	case 2:
		return 1u << rng_below(32);
	case 3:
		return 0x55555555;
	case 4:
		return 0xaaaaaaaa;
	case 5:
		return U32_MAX >> rng_below(32);
	default:
		return (u32)rng_u64();
	}
}

#define N_SHAPES	8

/*
 * Runs @prog on one wave with registers @init and mask @exec at @level;
 * leaves the register file in @out.
 */
static bool run_at(struct vsvm_prog *prog, int level, const u64 init[N_REGS][32],
		   u32 exec, u32 out[N_REGS * VSVM_REG_WORDS])
{
	struct vsvm_mmu mmu = { 0 };
	struct wg g;
	u32 r, l;
	bool ok;

	vsvm_simd_level = level;
	wg_init1(&g, prog, &mmu, 32);
	g.waves[0].exec = exec;
	for (r = 0; r < prog->n_regs; r++)
		for (l = 0; l < 32; l++)
			wg_set(&g, 0, r, l, init[r][l]);
	ok = CHECK_EQ(wg_run(&g, 1000, NULL, NULL), VSVM_STOP_DONE);
	memcpy(out, g.waves[0].regs, prog->n_regs * VSVM_REG_WORDS * sizeof(u32));
	wg_free(&g);
	return ok;
}

static bool is_nan32(u32 x)
{
	return (x & 0x7fffffff) > 0x7f800000;
}

/*
 * Which NaN an fp32 operation returns is unspecified (docs/isa.md, fp32), and
 * vector code may pick another operand's: for the operations @nan_any marks,
 * a NaN matches a NaN.
 */
static void compare_levels(struct vsvm_prog *prog, const char *what, int best, bool nan_any)
{
	u32 want[N_REGS * VSVM_REG_WORDS], got[N_REGS * VSVM_REG_WORDS];
	u64 init[N_REGS][32];
	unsigned int shape, round, r, l;
	int level, saved = vsvm_simd_level;

	for (shape = 0; shape < N_SHAPES; shape++) {
		for (round = 0; round < 4; round++) {
			u32 exec = mask_shape(shape);

			for (r = 0; r < N_REGS; r++)
				for (l = 0; l < 32; l++)
					init[r][l] = value();
			if (!run_at(prog, VSVM_SIMD_PORTABLE, init, exec, want))
				continue;
			for (level = VSVM_SIMD_PORTABLE + 1; level <= best; level++) {
				if (!run_at(prog, level, init, exec, got))
					continue;
				for (r = 0; r < prog->n_regs * VSVM_REG_WORDS; r++)
					if (!CHECK(got[r] == want[r] ||
						   (nan_any && is_nan32(want[r]) &&
						    is_nan32(got[r]) &&
						    r % VSVM_REG_WORDS < VSVM_WAVE_WIDTH),
						   "%s level %d exec 0x%08x: word %u (r%u lane %u %s) 0x%08x, portable 0x%08x",
						   what, level, exec, r, r / VSVM_REG_WORDS,
						   r % VSVM_WAVE_WIDTH,
						   r % VSVM_REG_WORDS >= 32 ? "high" : "low",
						   got[r], want[r]))
						break;
			}
		}
	}
	vsvm_simd_level = saved;
}

/* Every ALU encoding the decoder accepts, dst aliasing a source or not. */
static void test_alu_levels(void)
{
	int best = simd_best();
	unsigned int op, sub, w64, imm, d, b, c2, forms = 0;
	char what[96];

	if (best == VSVM_SIMD_PORTABLE) {
		printf("simd-alu-levels: this CPU has no vector level to compare\n");
		return;
	}
	for (op = VSVM_OP_MOV; op <= VSVM_OP_SEL; op++) {
		for (sub = 0; sub < VSVM_CVT_COUNT; sub++) {
			for (w64 = 0; w64 < 2; w64++) {
				for (imm = 0; imm < 2; imm++) {
					for (d = 1; d <= 4; d += 3)
					for (b = 0; b <= 2; b += 2)
					for (c2 = 0; c2 <= 3; c2 += 3) {
						struct vsvm_prog *prog;
						const char *why;
						struct code c;
						u32 bad;
						int ret;

						code_init(&c);
						emit(&c, op, d, 1, b, c2, w64, sub,
						     imm ? VSVM_F_SRC1_IMM : 0,
						     imm ? value() : 0);
						/* Keeps n_regs at N_REGS. */
						emit(&c, VSVM_OP_MOV, 4, 4, 0, 0, 0, 0, 0, 0);
						e_op(&c, VSVM_OP_END);
						ret = vsvm_prog_decode(c.bytes, c.size, 0, &prog,
								       &bad, &why);
						code_free(&c);
						if (ret)
							continue;
						snprintf(what, sizeof(what),
							 "op 0x%02x sub %u w64 %u imm %u r%u = r1, r%u, r%u",
							 op, sub, w64, imm, d, b, c2);
						compare_levels(prog, what, best,
							       op >= VSVM_OP_FADD &&
							       op <= VSVM_OP_FRNDE &&
							       op != VSVM_OP_FNEG &&
							       op != VSVM_OP_FABS);
						free(prog);
						forms++;
					}
				}
			}
		}
	}
	/* Guards the enumeration itself: a decoder change must not empty it. */
	CHECK(forms > 300, "only %u ALU encodings enumerated", forms);
}

/* Nonzero-lane masks of IF, which the vector copies compute too. */
static void test_if_levels(void)
{
	int best = simd_best();
	struct vsvm_prog *prog;
	struct code c;

	code_init(&c);
	e_if(&c, 1);
	e_alui(&c, VSVM_OP_ADD, 2, 2, 7, 1);
	e_op(&c, VSVM_OP_ELSE);
	e_alui(&c, VSVM_OP_XOR, 3, 3, 0x55, 0);
	e_op(&c, VSVM_OP_ENDIF);
	emit(&c, VSVM_OP_MOV, 4, 4, 0, 0, 0, 0, 0, 0);
	e_op(&c, VSVM_OP_END);
	prog = decode_ok(&c, 0);
	code_free(&c);
	if (prog && best > VSVM_SIMD_PORTABLE)
		compare_levels(prog, "if/else", best, false);
	free(prog);
}

const struct test simd_tests[] = {
	{ "simd-alu-levels", test_alu_levels },
	{ "simd-if-levels", test_if_levels },
	{ NULL, NULL },
};
