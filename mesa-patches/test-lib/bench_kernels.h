/* SPDX-License-Identifier: MIT */
/*
 * The benchmark kernels' data, independent of the API: each benchmark
 * allocates and fills its memory with plain malloc(), describes its
 * kernel's arguments (pointers, 32-bit values, local memory), and checks
 * the output against the CPU.  cl_bench runs them through OpenCL (the
 * kernels' source is cl_bench.c's), vk_bench through OpenCL and Vulkan
 * (the same kernels in GLSL, vk-tests/shaders/bench_*.comp), on the very
 * same kind of memory, so that their times compare.
 *
 * Every buffer is page-aligned and a whole number of pages, so that a
 * Vulkan driver without system SVM can import it
 * (VK_EXT_external_memory_host).
 */
#ifndef BENCH_KERNELS_H
#define BENCH_KERNELS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

struct bench_node {
	struct bench_node *next;
	int64_t value;
};

enum bench_arg_kind { BENCH_PTR, BENCH_U32, BENCH_LOCAL };

/* A kernel argument: a pointer, a value, or the size of local memory. */
struct bench_arg {
	enum bench_arg_kind kind;
	uint64_t v;
};

#define BENCH_MAX_BUFS 4

/* What a benchmark's setup made: its buffers and its kernel's arguments. */
struct bench_mem {
	void *buf[BENCH_MAX_BUFS];
	size_t size[BENCH_MAX_BUFS];
	unsigned int nbufs;
	struct bench_arg arg[4];
	unsigned int nargs;
	size_t n;	/* elements */
};

/* Global size multiplier (-s), and runs of each kernel on the same memory. */
static size_t bench_scale = 1;
static int bench_total_runs;

/*
 * The benchmarks' command line, [-r RUNS] [-s SCALE]: sets bench_scale,
 * bench_total_runs (RUNS warm runs after the cold one) and *@runs (5 if
 * not given); false if a value is out of range.
 */
static inline bool
bench_args(int argc, char **argv, int *runs)
{
	*runs = 5;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "-r"))
			*runs = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "-s"))
			bench_scale = strtoul(argv[i + 1], NULL, 0);
	}
	if (*runs < 1 || *runs > 64 || bench_scale < 1)
		return false;
	bench_total_runs = *runs + 1;
	return true;
}

static inline void *
bench_alloc(struct bench_mem *m, size_t size)
{
	void *p;

	size = (size + 4095) & ~(size_t)4095;
	p = aligned_alloc(4096, size);

	if (!p)
		abort();
	m->buf[m->nbufs] = p;
	m->size[m->nbufs++] = size;
	return p;
}

static inline void
bench_arg(struct bench_mem *m, enum bench_arg_kind kind, uint64_t v)
{
	m->arg[m->nargs].kind = kind;
	m->arg[m->nargs++].v = v;
}

static inline void
bench_free(struct bench_mem *m)
{
	for (unsigned int i = 0; i < m->nbufs; i++)
		free(m->buf[i]);
	free(m);
}

/* One benchmark: set up fresh memory, run, check. */
struct bench {
	const char *name;
	const char *kernel;
	size_t global, local;
	bool scales;		/* global size grows with -s */
	struct bench_mem *(*setup)(void);
	bool (*check)(struct bench_mem *m);
};

/* ---- stream: c = a * 2 + b ---- */

static inline struct bench_mem *
stream_setup(void)
{
	struct bench_mem *m = calloc(1, sizeof(*m));
	float *a, *b, *c;

	m->n = (1u << 18) * bench_scale;
	a = bench_alloc(m, m->n * 4);
	b = bench_alloc(m, m->n * 4);
	c = bench_alloc(m, m->n * 4);
	for (size_t i = 0; i < m->n; i++) {
		a[i] = (float)i;
		b[i] = (float)(i % 1000);
	}
	bench_arg(m, BENCH_PTR, (uintptr_t)a);
	bench_arg(m, BENCH_PTR, (uintptr_t)b);
	bench_arg(m, BENCH_PTR, (uintptr_t)c);
	return m;
}

static inline bool
stream_check(struct bench_mem *m)
{
	const float *a = m->buf[0], *b = m->buf[1], *c = m->buf[2];

	for (size_t i = 0; i < m->n; i++)
		if (c[i] != a[i] * 2.0f + b[i])
			return false;
	return true;
}

/* ---- chase: each work-item follows a random linked list ---- */

#define CHASE_ITEMS 1024
#define CHASE_STEPS 64

static inline struct bench_mem *
chase_setup(void)
{
	struct bench_mem *m = calloc(1, sizeof(*m));
	struct bench_node *nodes, **heads;
	int64_t *out;
	uint64_t x = 0x1234567;

	m->n = 65536 * bench_scale;
	nodes = bench_alloc(m, m->n * sizeof(*nodes));
	heads = bench_alloc(m, CHASE_ITEMS * sizeof(*heads));
	out = bench_alloc(m, CHASE_ITEMS * sizeof(*out));
	for (size_t i = 0; i < m->n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		nodes[i].next = &nodes[x % m->n];
		nodes[i].value = (int64_t)i;
	}
	for (size_t i = 0; i < CHASE_ITEMS; i++)
		heads[i] = &nodes[(i * 40503) % m->n];
	bench_arg(m, BENCH_PTR, (uintptr_t)heads);
	bench_arg(m, BENCH_U32, CHASE_STEPS);
	bench_arg(m, BENCH_PTR, (uintptr_t)out);
	return m;
}

static inline bool
chase_check(struct bench_mem *m)
{
	struct bench_node **heads = m->buf[1];
	const int64_t *out = m->buf[2];

	for (size_t i = 0; i < CHASE_ITEMS; i++) {
		struct bench_node *n = heads[i];
		int64_t sum = 0;

		for (int s = 0; s < CHASE_STEPS; s++, n = n->next)
			sum += n->value;
		if (out[i] != sum)
			return false;
	}
	return true;
}

/* ---- reduce: per work-group sums in local memory ---- */

#define REDUCE_WG 128

static inline struct bench_mem *
reduce_setup(void)
{
	struct bench_mem *m = calloc(1, sizeof(*m));
	uint32_t *in, *out;

	m->n = (1u << 16) * bench_scale;
	in = bench_alloc(m, m->n * 4);
	out = bench_alloc(m, m->n / REDUCE_WG * 4);
	for (size_t i = 0; i < m->n; i++)
		in[i] = (uint32_t)(i * 2654435761u);
	bench_arg(m, BENCH_PTR, (uintptr_t)in);
	bench_arg(m, BENCH_PTR, (uintptr_t)out);
	bench_arg(m, BENCH_LOCAL, REDUCE_WG * 4);
	return m;
}

static inline bool
reduce_check(struct bench_mem *m)
{
	const uint32_t *in = m->buf[0], *out = m->buf[1];

	for (size_t g = 0; g < m->n / REDUCE_WG; g++) {
		uint32_t sum = 0;

		for (size_t i = 0; i < REDUCE_WG; i++)
			sum += in[g * REDUCE_WG + i];
		if (out[g] != sum)
			return false;
	}
	return true;
}

/* ---- mix: 64-bit integer arithmetic ---- */

#define MIX_ROUNDS 32

static inline struct bench_mem *
mix_setup(void)
{
	struct bench_mem *m = calloc(1, sizeof(*m));
	uint64_t *x;

	m->n = 8192 * bench_scale;
	x = bench_alloc(m, m->n * 8);
	for (size_t i = 0; i < m->n; i++)
		x[i] = i;
	bench_arg(m, BENCH_PTR, (uintptr_t)x);
	bench_arg(m, BENCH_U32, MIX_ROUNDS);
	return m;
}

static inline bool
mix_check(struct bench_mem *m)
{
	const uint64_t *x = m->buf[0];

	/* Every run continues from the last one's output. */
	for (size_t i = 0; i < m->n; i++) {
		uint64_t v = i;

		for (int run = 0; run < bench_total_runs; run++) {
			for (uint32_t r = 0; r < MIX_ROUNDS; r++) {
				v ^= v >> 33;
				v *= 0xff51afd7ed558ccdull;
				v += r;
			}
		}
		if (x[i] != v)
			return false;
	}
	return true;
}

static const struct bench benches[] = {
	{ "stream 3x1MiB", "stream", 1u << 18, 64, true, stream_setup, stream_check },
	{ "pointer chase", "chase", CHASE_ITEMS, 64, false, chase_setup, chase_check },
	{ "local reduce", "reduce", 1u << 16, REDUCE_WG, true, reduce_setup, reduce_check },
	{ "int64 mix", "mix", 8192, 64, true, mix_setup, mix_check },
};

/* A benchmark's times on one device, and what vsvm's counters saw. */
struct bench_result {
	double cold, warm;
	long long fault_ns, faults, insns;
	bool ok;
};

/*
 * Reads the counters around a cold run: call with @before true, run,
 * then with @before false.
 */
static inline void
bench_counters(struct bench_result *r, struct vsvm_counters *c0, bool before)
{
	struct vsvm_counters c1;

	if (before) {
		vsvm_read_counters(c0);
		return;
	}
	vsvm_read_counters(&c1);
	r->fault_ns = vsvm_counter(&c1, "fault_gather_ns") +
		      vsvm_counter(&c1, "fault_install_ns") -
		      vsvm_counter(c0, "fault_gather_ns") -
		      vsvm_counter(c0, "fault_install_ns");
	r->faults = vsvm_counter(&c1, "faults") - vsvm_counter(c0, "faults");
	r->insns = vsvm_counter(&c1, "instructions") - vsvm_counter(c0, "instructions");
}

#endif /* BENCH_KERNELS_H */
