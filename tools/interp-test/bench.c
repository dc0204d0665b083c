// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */
/*
 * Interpreter throughput on the host, one core: lane-operations per second
 * (executed instructions times live lanes, so an over-count under
 * divergence) for a few instruction mixes, each beside the same work as a
 * scalar C loop on this core, and a stream copy beside memcpy().
 *
 * Built twice by "make bench": against today's drm-driver/ and, with
 * BENCH_OLD, against the interpreter of a fixed earlier commit. The old
 * build prints "RESULT name ratio" lines; the new one reads them (argument
 * 1) and prints each SUMMARY line with the old figure beside the new.
 *
 * The translation behind vsvm_mmu_xlate() here is a flat array, so memory
 * numbers exclude the driver's TLB.
 *
 * BENCH_ONLY=text runs only the mixes whose name has it; BENCH_WAVES=n runs
 * n waves a round instead of a fixed time and prints the instructions, so
 * that callgrind counts x86 instructions per wave instruction exactly.
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
#ifndef BENCH_OLD
int vsvm_simd_level;
#endif

#define MEM_PAGES	64
#define MEM_BASE	0x200000000ull
#define ITERS		20000
/* Stream copy: COPY_BYTES from MEM_BASE to MEM_BASE + COPY_BYTES. */
#define COPY_BYTES	(32 * 4096)
/* Each figure is the best of ROUNDS rounds of MIN_TIME: the host is shared. */
#define MIN_TIME	0.1
#define ROUNDS		5
#define BEST(expr) ({ double _b = 0, _v; int _r; for (_r = 0; _r < ROUNDS; _r++) { _v = (expr); if (_v > _b) _b = _v; } _b; })

static u8 *mem;
static unsigned long xlates;
static double last_insn_rate, last_xlate;
static unsigned long long last_insns;

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
static void loop_begin(struct code *c, u32 iters)
{
	memset(c, 0, sizeof(*c));
	emit(c, VSVM_OP_SV, 1, 0, 0, 0, 0, VSVM_SV_LANE_ID, 0, 0);
	emit(c, VSVM_OP_LOOP, 0, 0, 0, 0, 0, 0, 0, 0);
	emit(c, VSVM_OP_ADD, 30, 30, 0, 0, 0, 0, VSVM_F_SRC1_IMM, 1);
	emit(c, VSVM_OP_ICMP, 31, 30, 0, 0, 0, VSVM_COND_EQ, VSVM_F_SRC1_IMM, iters);
	emit(c, VSVM_OP_IF, 0, 31, 0, 0, 0, 0, 0, 0);
	emit(c, VSVM_OP_BREAK, 0, 0, 0, 0, 0, 0, 0, 0);
	emit(c, VSVM_OP_ENDIF, 0, 0, 0, 0, 0, 0, 0, 0);
}

static void loop_end(struct code *c)
{
	emit(c, VSVM_OP_ENDLOOP, 0, 0, 0, 0, 0, 0, 0, 0);
	emit(c, VSVM_OP_END, 0, 0, 0, 0, 0, 0, 0, 0);
}

/* Runs @c on one wave until MIN_TIME passed; returns lane-ops per second. */
static double run1(const char *name, struct code *c, u32 live, double *waves_per_s)
{
	static const atomic_t no_yield;
	struct vsvm_interp_ctx ctx = { .yield = &no_yield };
	struct vsvm_prog *prog;
	struct vsvm_wave w;
	const char *why;
	double t0, t;
	u64 lane_ops = 0;
	void *regs;
	u32 bad, waves = 0;
	enum vsvm_stop st;
	/* BENCH_WAVES=n: n waves a round, for counting instructions (callgrind). */
	u32 fixed_waves = getenv("BENCH_WAVES") ? atoi(getenv("BENCH_WAVES")) : 0;

	if (vsvm_prog_decode(c->b, 16 * c->n, 0, &prog, &bad, &why)) {
		fprintf(stderr, "%s: %s at %u\n", name, why, bad);
		exit(1);
	}
	/* 8 bytes per lane and register in both layouts. */
	regs = calloc(prog->n_regs * VSVM_WAVE_WIDTH, sizeof(u64));
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
	} while (fixed_waves ? waves < fixed_waves : t < MIN_TIME);
	free(regs);
	free(prog);
	if (waves_per_s)
		*waves_per_s = waves / t;
	last_insn_rate = ctx.insns / t;
	last_insns = ctx.insns;
	last_xlate = xlates * 1000.0 / ctx.insns;
	return lane_ops / t;
}

static double run(const char *name, struct code *c, u32 live, double *waves_per_s)
{
	double best = 0, insn = 0, waves = 0, v, wv;
	int r;

	/* BENCH_ONLY=text: run only the mixes whose name has it (for perf). */
	if (getenv("BENCH_ONLY") && !strstr(name, getenv("BENCH_ONLY")))
		return 1;

	for (r = 0; r < ROUNDS; r++) {
		v = run1(name, c, live, &wv);
		if (v > best) {
			best = v;
			waves = wv;
			insn = last_insn_rate;
		}
	}
	printf("%-28s %8.1f M insn/s %9.1f M lane-op/s %6.2f xlate/kinsn\n", name,
	       insn * 1e-6, best * 1e-6, last_xlate);
	if (getenv("BENCH_WAVES"))
		printf("%-28s %8llu wave instructions a round\n", "", last_insns);
	if (waves_per_s)
		*waves_per_s = waves;
	return best;
}

/*
 * The scalar references: the same operations as the shader's loop body, one
 * element at a time, not vectorised, over 32 elements per iteration like
 * the wave's lanes. Each returns operations per second.
 */
#define SCALAR noinline __attribute__((optimize("no-tree-vectorize", "no-unroll-loops")))

static volatile u32 sink;

static SCALAR double scalar_int32(void)
{
	u32 r2[32], r3[32], r4[32], r5[32];
	double t0 = now(), t;
	u64 ops = 0;
	int it, i, l;

	for (l = 0; l < 32; l++)
		r2[l] = r3[l] = r4[l] = r5[l] = l;
	do {
		for (it = 0; it < 1000; it++) {
			for (l = 0; l < 32; l++) {
				u32 a = r2[l], b = r3[l], x = r4[l], s = 0;

				for (i = 0; i < 8; i++) {
					a += l;
					b *= 0x9e3779b9u;
					x ^= b;
					s = x >> 3;
					/* Keep the compiler from folding the 8 steps. */
					__asm__("" : "+r"(a), "+r"(b), "+r"(x), "+r"(s));
				}
				r2[l] = a;
				r3[l] = b;
				r4[l] = x;
				r5[l] = s;
			}
		}
		ops += 1000ull * 32 * 32;
		t = now() - t0;
	} while (t < MIN_TIME);
	sink = r2[3] + r5[7];
	return ops / t;
}

static SCALAR double scalar_fp32(void)
{
	float r6[32], r7[32], r9[32];
	double t0 = now(), t;
	u64 ops = 0;
	int it, i, l;

	for (l = 0; l < 32; l++) {
		r6[l] = l;
		r7[l] = 0;
	}
	do {
		for (it = 0; it < 1000; it++) {
			for (l = 0; l < 32; l++) {
				float a = r6[l], x = r7[l], y;

				for (i = 0; i < 8; i++) {
					x = (float)((double)a * x + a);
					y = x * 0.5f;
					y = y + a;
					x = y > a ? y : a;
					__asm__("" : "+x"(x), "+x"(y));
				}
				r7[l] = x;
				r9[l] = y;
			}
		}
		ops += 1000ull * 32 * 32;
		t = now() - t0;
	} while (t < MIN_TIME);
	sink = (u32)r7[3] + (u32)r9[5];
	return ops / t;
}

static SCALAR double scalar_ldst(void)
{
	u32 *buf = (u32 *)mem;
	double t0 = now(), t;
	u64 ops = 0;
	int it, i, l;

	do {
		for (it = 0; it < 1000; it++) {
			u32 base = (it * 32) & 0x1fff;

			for (l = 0; l < 32; l++) {
				u32 *p = buf + ((base + l) & 0x1fff);

				for (i = 0; i < 4; i++) {
					u32 v = *(volatile u32 *)p;

					v += l;
					*(volatile u32 *)(p + 0x2000) = v;
				}
			}
		}
		/* Three operations per step, as LD, ADD, ST. */
		ops += 1000ull * 32 * 4 * 3;
		t = now() - t0;
	} while (t < MIN_TIME);
	return ops / t;
}

static SCALAR double scalar_divergent(void)
{
	u32 r2[32];
	double t0 = now(), t;
	u64 ops = 0;
	int it, i, l;

	for (l = 0; l < 32; l++)
		r2[l] = l;
	do {
		for (it = 0; it < 1000; it++) {
			for (l = 0; l < 32; l++) {
				u32 a = r2[l];

				if (l & 1) {
					for (i = 0; i < 8; i++) {
						a += l;
						__asm__("" : "+r"(a));
					}
				} else {
					for (i = 0; i < 8; i++) {
						a ^= l;
						__asm__("" : "+r"(a));
					}
				}
				r2[l] = a;
			}
		}
		/* Each element does one branch's 8 operations and the test. */
		ops += 1000ull * 32 * 9;
		t = now() - t0;
	} while (t < MIN_TIME);
	sink = r2[3];
	return ops / t;
}

/* Bytes per second @copy moves, COPY_BYTES at a time, as the engine does. */
static double copy_rate(void (*copy)(u8 *dst, const u8 *src, size_t bytes))
{
	double t0 = now(), t;
	u64 bytes = 0;

	do {
		copy(mem + COPY_BYTES, mem, COPY_BYTES);
		__asm__ volatile("" ::: "memory");
		bytes += COPY_BYTES;
		t = now() - t0;
	} while (t < MIN_TIME);
	return bytes / t;
}

static void libc_copy(u8 *dst, const u8 *src, size_t bytes)
{
	memcpy(dst, src, bytes);
}

/*
 * The copy the register layout asks for, without the engine: each 512-byte
 * run of 32 16-byte elements into four rows of 32 words (the low and high
 * rows of two registers) and back out, as LD and ST of 16-byte lanes do.
 * Vectorised by gcc -O3 for the baseline vector set (an AVX-512 build of
 * it was slower); its rate over memcpy()'s bounds the engine's copy.
 */
static noinline __attribute__((optimize("O3"))) void rows_copy(u8 *dst, const u8 *src,
								size_t bytes)
{
	u32 rows[4][32];
	size_t off;
	int l, k;

	for (off = 0; off < bytes; off += 512) {
		const u32 *s = (const u32 *)(src + off);
		u32 *d = (u32 *)(dst + off);

		for (l = 0; l < 32; l++)
			for (k = 0; k < 4; k++)
				rows[k][l] = s[4 * l + k];
		/* The rows are registers: they live in memory between the two. */
		__asm__ volatile("" : : "r"(rows) : "memory");
		for (l = 0; l < 32; l++)
			for (k = 0; k < 4; k++)
				d[4 * l + k] = rows[k][l];
	}
}

struct result {
	const char *name;
	const char *what;
	double ratio;
};

static struct result results[8];
static int n_results;

static void result(const char *name, const char *what, double ratio)
{
	results[n_results++] = (struct result) { name, what, ratio };
}

int main(int argc, char **argv)
{
	double eng, ref, waves;
	struct code c;
	int i;

#ifndef BENCH_OLD
	vsvm_simd_level = getenv("VSVM_SIMD") ? atoi(getenv("VSVM_SIMD")) : 0;
	if (!getenv("VSVM_SIMD")) {
		__builtin_cpu_init();
		if (__builtin_cpu_supports("avx2"))
			vsvm_simd_level = VSVM_SIMD_AVX2;
		if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
		    __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
			vsvm_simd_level = VSVM_SIMD_AVX512;
	}
	printf("interpreter: simd level %d\n", vsvm_simd_level);
#else
	printf("interpreter: old\n");
#endif
	mem = aligned_alloc(4096, MEM_PAGES * 4096);
	memset(mem, 1, MEM_PAGES * 4096);

	/* 32-bit integer: the scalar loop's four operations, eight times. */
	loop_begin(&c, ITERS);
	for (i = 0; i < 8; i++) {
		emit(&c, VSVM_OP_ADD, 2, 2, 1, 0, 0, 0, 0, 0);
		emit(&c, VSVM_OP_MUL, 3, 3, 0, 0, 0, 0, VSVM_F_SRC1_IMM, 0x9e3779b9);
		emit(&c, VSVM_OP_XOR, 4, 4, 3, 0, 0, 0, 0, 0);
		emit(&c, VSVM_OP_SHRU, 5, 4, 0, 0, 0, 0, VSVM_F_SRC1_IMM, 3);
	}
	loop_end(&c);
	eng = run("int32 alu, 32 lanes", &c, U32_MAX, NULL);
	ref = BEST(scalar_int32());
	printf("%-28s %31.1f M op/s\n", "  scalar C loop", ref * 1e-6);
	result("int32", "int32 lane-ops/s", eng / ref);
	run("int32 alu, 17 lanes", &c, 0x1ffff, NULL);

	/*
	 * The same loop with NOPs for the ALU operations: dispatch alone. Its
	 * "lane-ops" over the scalar loop's bound what any ALU code can reach.
	 */
	loop_begin(&c, ITERS);
	for (i = 0; i < 32; i++)
		emit(&c, VSVM_OP_NOP, 0, 0, 0, 0, 0, 0, 0, 0);
	loop_end(&c);
	eng = run("nop (dispatch), 32 lanes", &c, U32_MAX, NULL);
	printf("%-28s %8.2f x scalar C loop: the most an ALU mix can reach\n",
	       "  dispatch bound", eng / ref);

	/* The same with 64-bit ADD and XOR. */
	loop_begin(&c, ITERS);
	for (i = 0; i < 8; i++) {
		emit(&c, VSVM_OP_ADD, 2, 2, 1, 0, 1, 0, 0, 0);
		emit(&c, VSVM_OP_MUL, 3, 3, 0, 0, 0, 0, VSVM_F_SRC1_IMM, 0x9e3779b9);
		emit(&c, VSVM_OP_XOR, 4, 4, 3, 0, 1, 0, 0, 0);
		emit(&c, VSVM_OP_SHRU, 5, 4, 0, 0, 0, 0, VSVM_F_SRC1_IMM, 3);
	}
	loop_end(&c);
	run("int 32/64 alu, 32 lanes", &c, U32_MAX, NULL);

	loop_begin(&c, ITERS);
	emit(&c, VSVM_OP_CVT, 6, 1, 0, 0, 0, VSVM_CVT_F32_U32, 0, 0);
	for (i = 0; i < 8; i++) {
		emit(&c, VSVM_OP_FFMA, 7, 6, 7, 6, 0, 0, 0, 0);
		emit(&c, VSVM_OP_FMUL, 8, 7, 0, 0, 0, 0, VSVM_F_SRC1_IMM, 0x3f000000);
		emit(&c, VSVM_OP_FADD, 9, 8, 6, 0, 0, 0, 0, 0);
		emit(&c, VSVM_OP_FMAX, 7, 9, 6, 0, 0, 0, 0, 0);
	}
	loop_end(&c);
	eng = run("fp32 alu, 32 lanes", &c, U32_MAX, NULL);
	ref = BEST(scalar_fp32());
	printf("%-28s %31.1f M op/s\n", "  scalar C loop", ref * 1e-6);
	result("fp32", "fp32 lane-ops/s", eng / ref);

	/* Each iteration: 32 lanes load 4 bytes, add, store elsewhere. */
	loop_begin(&c, ITERS);
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
	eng = run("ld/add/st, 32 lanes", &c, U32_MAX, NULL);
	ref = BEST(scalar_ldst());
	printf("%-28s %31.1f M op/s\n", "  scalar C loop", ref * 1e-6);
	result("ld/add/st", "load/add/store lane-ops/s", eng / ref);

	/*
	 * The body of the OpenCL stream kernel as vsvm's compiler emits it
	 * (docs/mesa.md), without its LDARGs (no argument buffer here): the
	 * global id, then c[i] = a[i] * 2 + b[i], with a, b and c a page apart.
	 */
	loop_begin(&c, ITERS);
	emit(&c, VSVM_OP_SV, 23, 0, 0, 0, 0, VSVM_SV_GLOBAL_ID_X, 0, 0);
	emit(&c, VSVM_OP_SHL, 24, 23, 0, 0, 1, 0, VSVM_F_SRC1_IMM, 2);
	for (i = 0; i < 3; i++)
		emit(&c, VSVM_OP_ADD, 25, 24, 0, 0, 1, 0, VSVM_F_SRC1_IMM,
		     MEM_BASE + i * 4096);
	emit(&c, VSVM_OP_LD, 26, 25, 0, 0, 2, 0, 0, 0);
	emit(&c, VSVM_OP_LD, 27, 25, 0, 0, 2, 0, 0, 4096);
	emit(&c, VSVM_OP_FFMA, 28, 26, 0, 27, 0, 0, VSVM_F_SRC1_IMM, 0x40000000);
	emit(&c, VSVM_OP_ST, 0, 25, 28, 0, 2, 0, 0, 8192);
	loop_end(&c);
	run("OpenCL stream body, 32 lanes", &c, U32_MAX, NULL);

	/* Divergent control flow in the loop body. */
	loop_begin(&c, ITERS);
	emit(&c, VSVM_OP_AND, 12, 1, 0, 0, 0, 0, VSVM_F_SRC1_IMM, 1);
	emit(&c, VSVM_OP_IF, 0, 12, 0, 0, 0, 0, 0, 0);
	for (i = 0; i < 8; i++)
		emit(&c, VSVM_OP_ADD, 2, 2, 1, 0, 0, 0, 0, 0);
	emit(&c, VSVM_OP_ELSE, 0, 0, 0, 0, 0, 0, 0, 0);
	for (i = 0; i < 8; i++)
		emit(&c, VSVM_OP_XOR, 2, 2, 1, 0, 0, 0, 0, 0);
	emit(&c, VSVM_OP_ENDIF, 0, 0, 0, 0, 0, 0, 0, 0);
	loop_end(&c);
	/*
	 * Counted as work done: each lane runs 9 of the body's operations (the
	 * test and one branch) per iteration, as the scalar loop does.
	 */
	run("if/else halves, 32 lanes", &c, U32_MAX, &waves);
	eng = waves * ITERS * 32 * 9;
	ref = BEST(scalar_divergent());
	printf("%-28s %31.1f M op/s (engine: %.1f M useful op/s)\n", "  scalar C loop",
	       ref * 1e-6, eng * 1e-6);
	result("divergent", "divergent loop useful ops/s", eng / ref);

	/*
	 * Stream copy: each iteration, 32 lanes copy 16 bytes each, four times
	 * (2 KiB), through r10 (source) and r11 (destination).
	 */
	memset(&c, 0, sizeof(c));
	emit(&c, VSVM_OP_SV, 1, 0, 0, 0, 0, VSVM_SV_LANE_ID, 0, 0);
	emit(&c, VSVM_OP_SHL, 10, 1, 0, 0, 1, 0, VSVM_F_SRC1_IMM, 4);
	emit(&c, VSVM_OP_ADD, 10, 10, 0, 0, 1, 0, VSVM_F_SRC1_IMM, MEM_BASE);
	emit(&c, VSVM_OP_LOOP, 0, 0, 0, 0, 0, 0, 0, 0);
	for (i = 0; i < 4; i++)
		emit(&c, VSVM_OP_LD, 12 + 2 * i, 10, 0, 0, 4, 0, 0, 512 * i);
	for (i = 0; i < 4; i++)
		emit(&c, VSVM_OP_ST, 0, 10, 12 + 2 * i, 0, 4, 0, 0, COPY_BYTES + 512 * i);
	emit(&c, VSVM_OP_ADD, 10, 10, 0, 0, 1, 0, VSVM_F_SRC1_IMM, 2048);
	emit(&c, VSVM_OP_ICMP, 31, 10, 0, 0, 1, VSVM_COND_LTU, VSVM_F_SRC1_IMM,
	     MEM_BASE + COPY_BYTES);
	emit(&c, VSVM_OP_IF, 0, 31, 0, 0, 0, 0, 0, 0);
	emit(&c, VSVM_OP_CONTINUE, 0, 0, 0, 0, 0, 0, 0, 0);
	emit(&c, VSVM_OP_ENDIF, 0, 0, 0, 0, 0, 0, 0, 0);
	emit(&c, VSVM_OP_BREAK, 0, 0, 0, 0, 0, 0, 0, 0);
	loop_end(&c);
	waves = 0;
	run("stream copy, 32 lanes", &c, U32_MAX, &waves);
	eng = waves * COPY_BYTES;
	/* Unless BENCH_ONLY skipped it. */
	if (waves && memcmp(mem, mem + COPY_BYTES, COPY_BYTES)) {
		fprintf(stderr, "stream copy: wrong bytes\n");
		return 1;
	}
	ref = BEST(copy_rate(libc_copy));
	printf("%-28s %8.1f MB/s, memcpy() %.1f MB/s\n", "  stream copy", eng * 1e-6, ref * 1e-6);
	result("copy", "coalesced stream copy bytes/s", eng / ref);
	printf("%-28s %8.2f x memcpy(): the most the register layout allows\n",
	       "  rows round trip", BEST(copy_rate(rows_copy)) / ref);

	for (i = 0; i < n_results; i++)
		printf("RESULT %s %.3f\n", results[i].name, results[i].ratio);

	if (argc > 1) {
		FILE *f = fopen(argv[1], "r");
		char line[256], name[64];
		double old;
		int j;

		if (!f) {
			perror(argv[1]);
			return 1;
		}
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "RESULT %63s %lf", name, &old) != 2)
				continue;
			for (j = 0; j < n_results; j++)
				if (!strcmp(name, results[j].name))
					printf("SUMMARY: %s = %.2f x %s (old interpreter: %.2f x)\n",
					       results[j].what, results[j].ratio,
					       strcmp(name, "copy") ? "scalar C loop" : "memcpy()",
					       old);
		}
		fclose(f);
	}
	return 0;
}
