// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */
/*
 * Interpreter throughput on the host: lane-operations per second (executed
 * instructions times live lanes, so an over-count under divergence) for a
 * few instruction mixes. The numbers
 * are for tuning vsvm_interp.c; the driver's own benchmarks live in bench/.
 * The translation behind vsvm_mmu_xlate() here is a flat array, so memory
 * numbers exclude the driver's TLB.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/limits.h>
#include <linux/types.h>

#include "include/uapi/drm/vsvm_drm.h"
#include "vsvm_interp.h"

int compat_kvmalloc_fail;
bool compat_fpu_usable;
unsigned long compat_warnings;
const char *compat_warning_site;

#define MEM_PAGES	64
#define MEM_BASE	0x200000000ull

static u8 *mem;
static unsigned long xlates;

void *vsvm_mmu_xlate(struct vsvm_tlb *tlb, struct vsvm_mmu *mmu, u64 va, u32 access)
{
	xlates++;
	if (va < MEM_BASE || va >= MEM_BASE + MEM_PAGES * 4096ull)
		return NULL;
	return mem + (va - MEM_BASE);
}

struct code {
	u8 b[16 * 1024];
	u32 n;
};

static void emit(struct code *c, u8 op, u8 d, u8 a, u8 b, u8 cc, u8 mod, u8 sub, u8 fl, u64 imm)
{
	u64 w0 = vsvm_insn_word0(op, d, a, b, cc, mod, sub, fl);
	int i;

	for (i = 0; i < 8; i++) {
		c->b[16 * c->n + i] = w0 >> (8 * i);
		c->b[16 * c->n + 8 + i] = imm >> (8 * i);
	}
	c->n++;
}

/* CPU time: the machine may be shared. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Loop prologue: r30 counts iterations, leaves after @iters. */
static void loop_begin(struct code *c)
{
	emit(c, VSVM_OP_SV, 1, 0, 0, 0, 0, VSVM_SV_LANE_ID, 0, 0);
	emit(c, VSVM_OP_LOOP, 0, 0, 0, 0, 0, 0, 0, 0);
	emit(c, VSVM_OP_ADD, 30, 30, 0, 0, 1, 0, VSVM_F_SRC1_IMM, 1);
	emit(c, VSVM_OP_ICMP, 31, 30, 0, 0, 1, VSVM_COND_EQ, VSVM_F_SRC1_IMM, 20000);
	emit(c, VSVM_OP_IF, 0, 31, 0, 0, 0, 0, 0, 0);
	emit(c, VSVM_OP_BREAK, 0, 0, 0, 0, 0, 0, 0, 0);
	emit(c, VSVM_OP_ENDIF, 0, 0, 0, 0, 0, 0, 0, 0);
}

static void loop_end(struct code *c)
{
	emit(c, VSVM_OP_ENDLOOP, 0, 0, 0, 0, 0, 0, 0, 0);
	emit(c, VSVM_OP_END, 0, 0, 0, 0, 0, 0, 0, 0);
}

static void run(const char *name, struct code *c, u32 live)
{
	static const atomic_t no_yield;
	struct vsvm_interp_ctx ctx = { .yield = &no_yield };
	struct vsvm_prog *prog;
	struct vsvm_wave w;
	const char *why;
	double t0, t;
	u64 *regs, lane_ops = 0;
	u32 bad, waves = 0;
	enum vsvm_stop st;

	if (vsvm_prog_decode(c->b, 16 * c->n, 0, &prog, &bad, &why)) {
		fprintf(stderr, "%s: %s at %u\n", name, why, bad);
		exit(1);
	}
	regs = calloc(prog->n_regs * 32, 8);
	ctx.prog = prog;
	ctx.wg_size[0] = 32;
	ctx.wg_size[1] = 1;
	ctx.wg_size[2] = 1;
	xlates = 0;
	t0 = now();
	do {
		u64 before = ctx.insns;

		vsvm_wave_init(&w, 0, live, regs, prog->n_regs);
		do {
			st = vsvm_interp_run(&ctx, &w, 100000);
		} while (st == VSVM_STOP_BUDGET);
		if (st != VSVM_STOP_DONE) {
			fprintf(stderr, "%s: stop %d\n", name, st);
			exit(1);
		}
		lane_ops += (ctx.insns - before) * __builtin_popcount(live);
		waves++;
		t = now() - t0;
	} while (t < 0.5);
	printf("%-28s %8.1f M insn/s %9.1f M lane-op/s %6.2f xlate/kinsn\n", name,
	       ctx.insns / t * 1e-6, lane_ops / t * 1e-6, xlates * 1000.0 / ctx.insns);
	free(regs);
	free(prog);
}

int main(void)
{
	struct code c;
	int i;

	mem = aligned_alloc(4096, MEM_PAGES * 4096);
	memset(mem, 1, MEM_PAGES * 4096);

	memset(&c, 0, sizeof(c));
	loop_begin(&c);
	for (i = 0; i < 8; i++) {
		emit(&c, VSVM_OP_ADD, 2, 2, 1, 0, 1, 0, 0, 0);
		emit(&c, VSVM_OP_MUL, 3, 3, 0, 0, 0, 0, VSVM_F_SRC1_IMM, 0x9e3779b9);
		emit(&c, VSVM_OP_XOR, 4, 4, 3, 0, 1, 0, 0, 0);
		emit(&c, VSVM_OP_SHRU, 5, 4, 0, 0, 0, 0, VSVM_F_SRC1_IMM, 3);
	}
	loop_end(&c);
	run("int alu, 32 lanes", &c, U32_MAX);
	run("int alu, 17 lanes", &c, 0x1ffff);

	memset(&c, 0, sizeof(c));
	loop_begin(&c);
	emit(&c, VSVM_OP_CVT, 6, 1, 0, 0, 0, VSVM_CVT_F32_U32, 0, 0);
	for (i = 0; i < 8; i++) {
		emit(&c, VSVM_OP_FFMA, 7, 6, 7, 6, 0, 0, 0, 0);
		emit(&c, VSVM_OP_FMUL, 8, 7, 0, 0, 0, 0, VSVM_F_SRC1_IMM, 0x3f000000);
		emit(&c, VSVM_OP_FADD, 9, 8, 6, 0, 0, 0, 0, 0);
		emit(&c, VSVM_OP_FMAX, 7, 9, 6, 0, 0, 0, 0, 0);
	}
	loop_end(&c);
	run("fp32 alu, 32 lanes", &c, U32_MAX);

	/* Each iteration: 32 lanes load 4 bytes, add, store elsewhere. */
	memset(&c, 0, sizeof(c));
	loop_begin(&c);
	emit(&c, VSVM_OP_SHL, 10, 1, 0, 0, 1, 0, VSVM_F_SRC1_IMM, 2);
	emit(&c, VSVM_OP_SHL, 11, 30, 0, 0, 1, 0, VSVM_F_SRC1_IMM, 7);
	emit(&c, VSVM_OP_ADD, 10, 10, 11, 0, 1, 0, 0, 0);
	emit(&c, VSVM_OP_AND, 10, 10, 0, 0, 1, 0, VSVM_F_SRC1_IMM, 0x7fff);
	emit(&c, VSVM_OP_ADD, 10, 10, 0, 0, 1, 0, VSVM_F_SRC1_IMM, MEM_BASE);
	for (i = 0; i < 4; i++) {
		emit(&c, VSVM_OP_LD, 12, 10, 0, 0, 2, 0, 0, 0);
		emit(&c, VSVM_OP_ADD, 12, 12, 1, 0, 0, 0, 0, 0);
		emit(&c, VSVM_OP_ST, 0, 10, 12, 0, 2, 0, 0, 0x8000);
	}
	loop_end(&c);
	run("ld/add/st, 32 lanes", &c, U32_MAX);

	/* Divergent control flow in the loop body. */
	memset(&c, 0, sizeof(c));
	loop_begin(&c);
	emit(&c, VSVM_OP_AND, 12, 1, 0, 0, 0, 0, VSVM_F_SRC1_IMM, 1);
	emit(&c, VSVM_OP_IF, 0, 12, 0, 0, 0, 0, 0, 0);
	for (i = 0; i < 8; i++)
		emit(&c, VSVM_OP_ADD, 2, 2, 1, 0, 1, 0, 0, 0);
	emit(&c, VSVM_OP_ELSE, 0, 0, 0, 0, 0, 0, 0, 0);
	for (i = 0; i < 8; i++)
		emit(&c, VSVM_OP_XOR, 2, 2, 1, 0, 1, 0, 0, 0);
	emit(&c, VSVM_OP_ENDIF, 0, 0, 0, 0, 0, 0, 0, 0);
	loop_end(&c);
	run("if/else halves, 32 lanes", &c, U32_MAX);
	return 0;
}
