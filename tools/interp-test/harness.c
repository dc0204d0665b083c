// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */
/*
 * Test registry and main(), the mock vsvm_mmu_xlate(), and a minimal engine
 * that runs one workgroup's waves with barriers and fault servicing.
 *
 * Usage: interp-test [-v] [name-substring...]
 */
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

/* The compat kvmalloc() fails while this is non-zero, see linux/slab.h. */
int compat_kvmalloc_fail;
int vsvm_simd_level;
bool compat_fpu_usable;
unsigned long compat_warnings;
const char *compat_warning_site;

unsigned long test_checks;
unsigned long test_failures;
static const char *current_test;
static unsigned long failures_shown;

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	test_failures++;
	/* A broken loop over many lanes would flood the log. */
	if (++failures_shown > 20)
		return;
	fprintf(stderr, "  %s:%d: %s: ", file, line, current_test);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static u64 rng_state = 1;

void rng_seed(u64 seed)
{
	rng_state = seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
	if (!rng_state)
		rng_state = 1;
}

u64 rng_u64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

u32 rng_below(u32 n)
{
	return (u32)((rng_u64() >> 32) % n);
}

void code_init(struct code *c)
{
	memset(c, 0, sizeof(*c));
}

void code_free(struct code *c)
{
	free(c->bytes);
	memset(c, 0, sizeof(*c));
}

static void put_le64(u8 *p, u64 v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = v >> (8 * i);
}

u32 emit(struct code *c, u8 op, u8 dst, u8 src0, u8 src1, u8 src2, u8 mod, u8 sub,
	 u8 flags, u64 imm)
{
	if (c->size + VSVM_INSN_SIZE > c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		c->bytes = realloc(c->bytes, c->cap);
		if (!c->bytes) {
			perror("realloc");
			exit(2);
		}
	}
	put_le64(c->bytes + c->size,
		 vsvm_insn_word0(op, dst, src0, src1, src2, mod, sub, flags));
	put_le64(c->bytes + c->size + 8, imm);
	c->size += VSVM_INSN_SIZE;
	return c->size / VSVM_INSN_SIZE - 1;
}

u32 code_len(const struct code *c)
{
	return c->size / VSVM_INSN_SIZE;
}

struct vsvm_prog *decode_ok(const struct code *c, u32 args_size)
{
	struct vsvm_prog *prog = NULL;
	const char *why = "(none)";
	u32 bad = 0;
	int ret;

	ret = vsvm_prog_decode(c->bytes, c->size, args_size, &prog, &bad, &why);
	if (!CHECK(ret == 0, "decode failed: %d at offset %u: %s", ret, bad, why))
		return NULL;
	return prog;
}

/* Mock page table */

void mmu_reset(struct vsvm_mmu *mmu)
{
	unsigned int i;

	for (i = 0; i < mmu->n_pages; i++)
		free(mmu->pages[i].mem);
	memset(mmu, 0, sizeof(*mmu));
}

struct mock_page *mmu_find(struct vsvm_mmu *mmu, u64 va)
{
	unsigned int i;

	for (i = 0; i < mmu->n_pages; i++)
		if (mmu->pages[i].va == (va & ~(u64)(PAGE_BYTES - 1)))
			return &mmu->pages[i];
	return NULL;
}

u8 *mmu_add(struct vsvm_mmu *mmu, u64 va, bool mapped, bool read_only)
{
	struct mock_page *p;

	if (va % PAGE_BYTES || mmu->n_pages == MAX_PAGES || mmu_find(mmu, va)) {
		fprintf(stderr, "mmu_add: bad page 0x%llx\n", (unsigned long long)va);
		exit(2);
	}
	p = &mmu->pages[mmu->n_pages++];
	/* One allocation per page, so ASan sees an access that runs past it. */
	p->mem = calloc(1, PAGE_BYTES);
	p->va = va;
	p->mapped = mapped;
	p->read_only = read_only;
	return p->mem;
}

u8 *mmu_host(struct vsvm_mmu *mmu, u64 va)
{
	struct mock_page *p = mmu_find(mmu, va);

	return p ? p->mem + (va & (PAGE_BYTES - 1)) : NULL;
}

void *vsvm_mmu_xlate(struct vsvm_tlb *tlb, struct vsvm_mmu *mmu, u64 va, u32 access)
{
	struct mock_page *p;

	(void)tlb;
	mmu->xlate_calls++;
	if (access != DRM_VSVM_ACCESS_READ && access != DRM_VSVM_ACCESS_WRITE &&
	    access != DRM_VSVM_ACCESS_ATOMIC)
		mmu->bad_calls++;
	p = mmu_find(mmu, va);
	if (!p || !p->mapped)
		return NULL;
	if (p->read_only && access != DRM_VSVM_ACCESS_READ)
		return NULL;
	return p->mem + (va & (PAGE_BYTES - 1));
}

/* Workgroup engine */

/* The mock has no shootdowns: nothing ever asks a run to yield. */
static const atomic_t no_yield;

void wg_init(struct wg *g, struct vsvm_prog *prog, struct vsvm_mmu *mmu,
	     const u32 grid[3], const u32 wg_size[3], const u32 wg_id[3],
	     u32 shared_size, u32 scratch_size)
{
	u32 lanes = wg_size[0] * wg_size[1] * wg_size[2];
	u32 i, live;
	size_t bytes;

	memset(g, 0, sizeof(*g));
	g->prog = prog;
	g->mmu = mmu;
	g->n_waves = (lanes + VSVM_WAVE_WIDTH - 1) / VSVM_WAVE_WIDTH;
	if (!lanes || g->n_waves > MAX_WAVES) {
		fprintf(stderr, "wg_init: bad size %u\n", lanes);
		exit(2);
	}
	g->shared = malloc(shared_size ? shared_size : 1);
	memset(g->shared, 0, shared_size);
	g->scratch = malloc((size_t)scratch_size * lanes + 1);
	memset(g->scratch, 0, (size_t)scratch_size * lanes);

	g->ctx.prog = prog;
	g->ctx.mmu = mmu;
	g->ctx.tlb = NULL;
	g->ctx.yield = &no_yield;
	memcpy(g->ctx.grid, grid, sizeof(g->ctx.grid));
	memcpy(g->ctx.wg_size, wg_size, sizeof(g->ctx.wg_size));
	memcpy(g->ctx.wg_id, wg_id, sizeof(g->ctx.wg_id));
	g->ctx.shared = g->shared;
	g->ctx.shared_size = shared_size;
	g->ctx.scratch = g->scratch;
	g->ctx.scratch_size = scratch_size;

	bytes = (size_t)prog->n_regs * VSVM_REG_WORDS * sizeof(u32);
	for (i = 0; i < g->n_waves; i++) {
		u32 *regs = malloc(bytes ? bytes : 1);

		/* Garbage, to prove vsvm_wave_init() clears the registers. */
		memset(regs, 0xa5, bytes);
		live = lanes - i * VSVM_WAVE_WIDTH >= VSVM_WAVE_WIDTH ? U32_MAX :
		       (u32)((1ull << (lanes - i * VSVM_WAVE_WIDTH)) - 1);
		vsvm_wave_init(&g->waves[i], i, live, regs, prog->n_regs);
	}
}

void wg_init1(struct wg *g, struct vsvm_prog *prog, struct vsvm_mmu *mmu, u32 lanes)
{
	const u32 grid[3] = { 1, 1, 1 }, size[3] = { lanes, 1, 1 }, id[3] = { 0, 0, 0 };

	wg_init(g, prog, mmu, grid, size, id, 4096, 256);
}

void wg_free(struct wg *g)
{
	u32 i;

	for (i = 0; i < g->n_waves; i++)
		free(g->waves[i].regs);
	free(g->shared);
	free(g->scratch);
	memset(g, 0, sizeof(*g));
}

enum vsvm_stop wg_run(struct wg *g, u32 budget, fault_fn on_fault, void *arg)
{
	unsigned long turns;
	enum vsvm_stop stop;
	u32 i, b, done, waiting;
	u64 before;

	for (turns = 0; turns < (g->max_turns ? g->max_turns : 1000000); turns++) {
		for (i = 0; i < g->n_waves; i++) {
			struct vsvm_wave *w = &g->waves[i];

			if (w->state != VSVM_WAVE_RUNNING)
				continue;
			b = budget ? budget : 1 + rng_below(40);
			before = g->ctx.insns;
			stop = vsvm_interp_run(&g->ctx, w, b);
			CHECK(g->ctx.insns - before <= b, "ran %llu insns over a budget of %u",
			      (unsigned long long)(g->ctx.insns - before), b);
			switch (stop) {
			case VSVM_STOP_BUDGET:
				CHECK(g->ctx.insns - before == b, "BUDGET after %llu of %u",
				      (unsigned long long)(g->ctx.insns - before), b);
				CHECK_EQ(w->state, VSVM_WAVE_RUNNING);
				break;
			case VSVM_STOP_BARRIER:
				CHECK_EQ(w->state, VSVM_WAVE_BARRIER);
				break;
			case VSVM_STOP_DONE:
				CHECK_EQ(w->state, VSVM_WAVE_DONE);
				break;
			case VSVM_STOP_FAULT:
				if (!on_fault || !on_fault(g, arg))
					return stop;
				if (!CHECK(++g->faults < 1000, "fault not serviced"))
					return stop;
				break;
			default:
				return stop;
			}
		}
		done = 0;
		waiting = 0;
		for (i = 0; i < g->n_waves; i++) {
			done += g->waves[i].state == VSVM_WAVE_DONE;
			waiting += g->waves[i].state == VSVM_WAVE_BARRIER;
		}
		if (done == g->n_waves)
			return VSVM_STOP_DONE;
		if (waiting + done == g->n_waves) {
			for (i = 0; i < g->n_waves; i++)
				if (g->waves[i].state == VSVM_WAVE_BARRIER)
					g->waves[i].state = VSVM_WAVE_RUNNING;
		}
	}
	CHECK(g->max_turns, "workgroup did not finish");
	return VSVM_STOP_BUDGET;
}

/* main */

static const struct test *const suites[] = {
	decode_tests, alu_tests, mem_tests, cf_tests, simd_tests,
};

static const char *const simd_names[VSVM_SIMD_COUNT] = { "portable", "avx2", "avx512" };

int simd_best(void)
{
	int level = VSVM_SIMD_PORTABLE;

#ifdef __x86_64__
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2"))
		level = VSVM_SIMD_AVX2;
	if (level == VSVM_SIMD_AVX2 && __builtin_cpu_supports("avx512f") &&
	    __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
	    __builtin_cpu_supports("avx512vl"))
		level = VSVM_SIMD_AVX512;
#endif
	return level;
}

static u64 name_hash(const char *s)
{
	u64 h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (u8)*s++) * 1099511628211ull;
	return h;
}

/* A crash or a hang names the test, then fails the run. */
static void on_signal(int sig)
{
	static const char msg[] = "interp-test: killed by a signal in ";

	if (write(2, msg, sizeof(msg) - 1) < 0 ||
	    write(2, current_test, strlen(current_test)) < 0 ||
	    write(2, "\n", 1) < 0)
		_exit(3);
	_exit(sig == SIGALRM ? 4 : 3);
}

int main(int argc, char **argv)
{
	unsigned long n_tests = 0, n_failed = 0, before;
	bool verbose = false;
	int i, first = 1, level, best = simd_best();
	size_t s;

	/* Keep results already printed when a later test crashes. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGSEGV, on_signal);
	signal(SIGBUS, on_signal);
	signal(SIGFPE, on_signal);
	signal(SIGILL, on_signal);
	signal(SIGABRT, on_signal);
	signal(SIGALRM, on_signal);
	if (argc > 1 && !strcmp(argv[1], "-v")) {
		verbose = true;
		first = 2;
	}
	/* Every test at every instruction set of the interpreter this CPU runs. */
	for (level = 0; level <= best; level++)
	for (s = 0; s < ARRAY_SIZE(suites); s++) {
		const struct test *t;

		for (t = suites[s]; t->name; t++) {
			bool selected = first >= argc;

			for (i = first; i < argc; i++)
				selected |= strstr(t->name, argv[i]) != NULL;
			if (!selected)
				continue;
			vsvm_simd_level = level;
			current_test = t->name;
			failures_shown = 0;
			before = test_failures;
			/* Seeded by name: a test sees the same numbers when run alone. */
			rng_seed(name_hash(t->name));
			/* Each test takes well under a second; a minute is a hang. */
			alarm(60);
			t->fn();
			alarm(0);
			if (!CHECK(!compat_warnings, "%lu unexpected warnings, the last at %s",
				   compat_warnings, compat_warning_site))
				compat_warnings = 0;
			n_tests++;
			if (test_failures != before) {
				n_failed++;
				printf("FAIL %s [%s] (%lu failed checks)\n", t->name,
				       simd_names[level], test_failures - before);
			} else if (verbose) {
				printf("ok   %s [%s]\n", t->name, simd_names[level]);
			}
		}
	}
	printf("interp-test: instruction sets portable to %s\n", simd_names[best]);
	printf("interp-test: %lu tests, %lu checks, %lu failed tests, %lu failed checks\n",
	       n_tests, test_checks, n_failed, test_failures);
	return n_failed || !n_tests ? 1 : 0;
}
