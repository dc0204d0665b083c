/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Copyright 2026 The vsvm authors */
/*
 * Host unit test of the shader decoder (drm-driver/vsvm_isa.c) and
 * interpreter (drm-driver/vsvm_interp.c): a test registry, an instruction
 * emitter, a mock GPU page table behind vsvm_mmu_xlate(), and a small engine
 * that runs the waves of one workgroup the way the driver does.
 */
#ifndef VSVM_INTERP_TEST_HARNESS_H
#define VSVM_INTERP_TEST_HARNESS_H

#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>

#include "include/uapi/drm/vsvm_drm.h"
#include "vsvm_interp.h"

/* The compat kvmalloc() fails while this is non-zero, see linux/slab.h. */
extern int compat_kvmalloc_fail;
/* irq_fpu_usable() returns this, see asm/fpu/api.h; normally false. */
extern bool compat_fpu_usable;
/*
 * WARN_ON_ONCE() reports so far, see linux/bug.h. A test that provokes one
 * checks it and sets this back to zero; any other fails the test.
 */
extern unsigned long compat_warnings;
extern const char *compat_warning_site;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Tests */

struct test {
	const char *name;
	void (*fn)(void);
};

/* Each test file defines one NULL-terminated table. */
extern const struct test decode_tests[];
extern const struct test simd_tests[];
/* The widest enum vsvm_simd level this CPU runs. */
int simd_best(void);
extern const struct test alu_tests[];
extern const struct test mem_tests[];
extern const struct test cf_tests[];

extern unsigned long test_checks;
extern unsigned long test_failures;

void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records a failure, with a message, unless @cond holds; returns @cond. */
#define CHECK(cond, ...) ({						\
	bool _ok = (cond);						\
	test_checks++;							\
	if (!_ok)							\
		test_fail(__FILE__, __LINE__, __VA_ARGS__);		\
	_ok; })

#define CHECK_EQ(got, want) ({						\
	unsigned long long _g = (got), _w = (want);			\
	CHECK(_g == _w, "%s = 0x%llx, want %s = 0x%llx",		\
	      #got, _g, #want, _w); })

/* Deterministic pseudo-random numbers (xorshift64*). */
void rng_seed(u64 seed);
u64 rng_u64(void);
u32 rng_below(u32 n);

/* Code */

struct code {
	u8 *bytes;
	u32 size;
	u32 cap;
};

void code_init(struct code *c);
void code_free(struct code *c);
/* Appends one instruction; returns its index. */
u32 emit(struct code *c, u8 op, u8 dst, u8 src0, u8 src1, u8 src2, u8 mod, u8 sub,
	 u8 flags, u64 imm);
u32 code_len(const struct code *c);

#define MOD_MEM(log2size, space, sign)					\
	((log2size) | ((space) << VSVM_MOD_SPACE_SHIFT) | ((sign) ? VSVM_MOD_SIGNED : 0))

static inline u32 e_op(struct code *c, u8 op)
{
	return emit(c, op, 0, 0, 0, 0, 0, 0, 0, 0);
}

static inline u32 e_alu(struct code *c, u8 op, u8 d, u8 a, u8 b, u8 w64)
{
	return emit(c, op, d, a, b, 0, w64, 0, 0, 0);
}

static inline u32 e_alui(struct code *c, u8 op, u8 d, u8 a, u64 imm, u8 w64)
{
	return emit(c, op, d, a, 0, 0, w64, 0, VSVM_F_SRC1_IMM, imm);
}

static inline u32 e_movi(struct code *c, u8 d, u64 imm)
{
	return emit(c, VSVM_OP_MOVI, d, 0, 0, 0, 0, 0, 0, imm);
}

static inline u32 e_icmp(struct code *c, u8 d, u8 a, u8 b, u8 cond, u8 w64)
{
	return emit(c, VSVM_OP_ICMP, d, a, b, 0, w64, cond, 0, 0);
}

static inline u32 e_icmpi(struct code *c, u8 d, u8 a, u64 imm, u8 cond, u8 w64)
{
	return emit(c, VSVM_OP_ICMP, d, a, 0, 0, w64, cond, VSVM_F_SRC1_IMM, imm);
}

static inline u32 e_if(struct code *c, u8 a)
{
	return emit(c, VSVM_OP_IF, 0, a, 0, 0, 0, 0, 0, 0);
}

static inline u32 e_sv(struct code *c, u8 d, u8 sv)
{
	return emit(c, VSVM_OP_SV, d, 0, 0, 0, 0, sv, 0, 0);
}

static inline u32 e_ld(struct code *c, u8 d, u8 a, u64 off, u8 mod)
{
	return emit(c, VSVM_OP_LD, d, a, 0, 0, mod, 0, 0, off);
}

static inline u32 e_st(struct code *c, u8 a, u8 b, u64 off, u8 mod)
{
	return emit(c, VSVM_OP_ST, 0, a, b, 0, mod, 0, 0, off);
}

static inline u32 e_atom(struct code *c, u8 d, u8 a, u8 b, u8 cr, u64 off, u8 mod, u8 sub)
{
	return emit(c, VSVM_OP_ATOM, d, a, b, cr, mod, sub, 0, off);
}

/* Decodes @c, failing the test if it is rejected. NULL on rejection. */
struct vsvm_prog *decode_ok(const struct code *c, u32 args_size);

/* Mock page table: 4 KiB test pages at arbitrary GPU VAs. */

#define PAGE_BYTES	4096u
#define MAX_PAGES	64

struct mock_page {
	u64 va;
	u8 *mem;
	bool mapped;
	bool read_only;
};

struct vsvm_mmu {
	struct mock_page pages[MAX_PAGES];
	unsigned int n_pages;
	unsigned long xlate_calls;
	unsigned long bad_calls;
};

void mmu_reset(struct vsvm_mmu *mmu);
/* Adds a zeroed page at @va (4 KiB aligned); returns its memory. */
u8 *mmu_add(struct vsvm_mmu *mmu, u64 va, bool mapped, bool read_only);
struct mock_page *mmu_find(struct vsvm_mmu *mmu, u64 va);
/* Host address of @va, or NULL; ignores the mapped and read-only state. */
u8 *mmu_host(struct vsvm_mmu *mmu, u64 va);

/* A workgroup: context, waves, register files and local memories. */

#define MAX_WAVES	8

struct wg {
	struct vsvm_interp_ctx ctx;
	struct vsvm_mmu *mmu;
	struct vsvm_prog *prog;
	struct vsvm_wave waves[MAX_WAVES];
	u32 n_waves;
	u64 *regs;
	u8 *shared;
	u8 *scratch;
	/* Number of FAULT stops serviced by wg_run(). */
	unsigned int faults;
	/* wg_run() gives up quietly after this many rounds; 0: fails at 10M. */
	unsigned long max_turns;
};

/*
 * Sets up a workgroup of @wg_size lanes (the last wave possibly partial) at
 * @wg_id of @grid, with @shared_size and @scratch_size bytes of local memory.
 */
void wg_init(struct wg *g, struct vsvm_prog *prog, struct vsvm_mmu *mmu,
	     const u32 grid[3], const u32 wg_size[3], const u32 wg_id[3],
	     u32 shared_size, u32 scratch_size);
void wg_free(struct wg *g);
/* One-dimensional shorthand: @lanes lanes, workgroup 0 of 1. */
void wg_init1(struct wg *g, struct vsvm_prog *prog, struct vsvm_mmu *mmu, u32 lanes);

static inline u32 *wg_reg(struct wg *g, u32 wave, u32 reg, u32 lane)
{
	/* Register files hold exactly n_regs rows: catch a test's overrun. */
	if (wave >= g->n_waves || reg >= g->prog->n_regs || lane >= VSVM_WAVE_WIDTH) {
		fprintf(stderr, "wg_reg: wave %u reg %u lane %u out of range\n", wave, reg, lane);
		abort();
	}
	return g->waves[wave].regs + (size_t)reg * VSVM_REG_WORDS + lane;
}

/* Register @reg of lane @lane of wave @wave, all 64 bits. */
static inline u64 wg_get(struct wg *g, u32 wave, u32 reg, u32 lane)
{
	u32 *lo = wg_reg(g, wave, reg, lane);

	return lo[0] | (u64)lo[VSVM_WAVE_WIDTH] << 32;
}

static inline void wg_set(struct wg *g, u32 wave, u32 reg, u32 lane, u64 v)
{
	u32 *lo = wg_reg(g, wave, reg, lane);

	lo[0] = v;
	lo[VSVM_WAVE_WIDTH] = v >> 32;
}

/* Called on a FAULT stop; returns true once it has mapped the page. */
typedef bool (*fault_fn)(struct wg *g, void *arg);

/*
 * Runs every wave to completion as the engine does: round robin with
 * @budget instructions per turn (0: random small budgets), releasing a
 * barrier once every wave not done has arrived, and servicing faults
 * with @on_fault (NULL: a fault ends the run). Returns VSVM_STOP_DONE, or
 * the stop that ended it early.
 */
enum vsvm_stop wg_run(struct wg *g, u32 budget, fault_fn on_fault, void *arg);

#endif
