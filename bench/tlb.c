// SPDX-License-Identifier: MIT
/*
 * The compute units' TLB: the set-associative TLB that holds a 2 MiB GPU
 * PTE as one entry, against the direct-mapped 4 KiB TLB it replaced, which
 * the test-only module parameter debug_tlb_direct_mapped brings back, in one run.
 *
 * One wave (32 lanes, 16 bytes each) copies blocks of 512 bytes from a
 * source to a destination, both CPU memory mirrored into the VM:
 *
 *  1. 2 MiB streaming: 8 MiB of transparent huge pages into 8 MiB more,
 *     block after block. The old TLB held each 4 KiB page of a 2 MiB PTE
 *     in its own entry, and the source and destination pages shared a slot.
 *  2. Strides: 32 pages of 4 KiB pages, one block each, 64 KiB and
 *     256 KiB apart, read 256 times over: the old TLB put them in 4 and 1
 *     of its 64 slots.
 *  3. Gather: the same pages, each lane of the wave reading its own page,
 *     so that every load translates 32 addresses (the interpreter keeps
 *     one page per access kind): the TLB's lookups are most of the work.
 *
 * Engine times alternate between the two TLBs, 5 runs each after a
 * warm-up that maps everything; medians; page-table walks from debugfs
 * tlb_walks. Every copy is checked byte for byte.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "vsvm_copy_kernel.h"

#define REPS		5
#define KIB		1024ull
#define MIB		(1024 * KIB)
#define BLOCK		VSVM_COPY_BLOCK
#define PARAM		"/sys/module/vsvm/parameters/debug_tlb_direct_mapped"

struct tlb_case {
	const char *name;
	struct vsvm_copy_args a;
	uint8_t *src, *dst;
	uint64_t src_size, dst_size;
	/* Medians: [0] set-associative, [1] direct-mapped. */
	uint64_t ns[2];
	int64_t walks[2];
};

static struct bench_dev dev;
static struct bench_bo args_bo;
static uint64_t code;
static uint32_t code_size;

static void set_direct_mapped(bool on)
{
	int f = open(PARAM, O_WRONLY);

	if (f < 0 || write(f, on ? "1" : "0", 1) != 1)
		err(1, "%s", PARAM);
	close(f);
}

/* @size bytes at a 2 MiB boundary, huge pages or not, mirrored. */
static uint8_t *map_mirrored(uint64_t size, bool huge)
{
	uint8_t *p = mmap(NULL, size + 2 * MIB, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *a;
	int ret;

	if (p == MAP_FAILED)
		err(1, "mmap");
	a = (uint8_t *)(((uintptr_t)p + 2 * MIB - 1) & ~(uintptr_t)(2 * MIB - 1));
	if (a > p)
		munmap(p, a - p);
	munmap(a + size, p + 2 * MIB - a);
	if (madvise(a, size, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		err(1, "madvise");
	ret = __vsvm_vm_map_mirror(dev.fd, dev.vm, (uintptr_t)a, size);
	if (ret)
		errx(1, "VM_BIND MAP_MIRROR: %s", strerror(-ret));
	return a;
}

static void check(const struct tlb_case *c)
{
	for (uint64_t i = 0; i < c->a.n; i++)
		for (uint64_t l = 0; l < BLOCK / 16; l++)
			if (memcmp(c->dst + i * c->a.dst_step + l * 16,
				   c->src + i * c->a.src_step + l * c->a.lane_step, 16))
				errx(1, "%s: block %llu lane %llu of the copy differs "
				     "from the source", c->name, (unsigned long long)i,
				     (unsigned long long)l);
	for (uint64_t i = 0; i < c->a.n; i++)
		memset(c->dst + i * c->a.dst_step, 0, BLOCK);
}

static uint64_t run(struct tlb_case *c, int64_t *walks)
{
	struct drm_vsvm_exec exec;
	int64_t w = bench_counter(&dev, "tlb_walks");
	uint64_t ns;

	memcpy(args_bo.cpu, &c->a, sizeof(c->a));
	vsvm_exec_init(&exec, dev.queue, code, code_size);
	exec.args_addr = args_bo.gpu;
	exec.args_size = sizeof(c->a);
	exec.wg_size[0] = 32;
	ns = bench_run(&dev, &exec);
	*walks = bench_counter(&dev, "tlb_walks") - w;
	check(c);
	return ns;
}

static void measure(struct tlb_case *c)
{
	uint64_t ns[2][REPS];
	int64_t walks[2][REPS], w;

	for (uint64_t i = 0; i < c->src_size / 8; i++)
		((uint64_t *)c->src)[i] = (i + 1) * 0x9e3779b97f4a7c15ull;
	memset(c->dst, 0, c->dst_size);
	run(c, &w);
	for (int r = 0; r < REPS; r++) {
		for (int old = 0; old < 2; old++) {
			set_direct_mapped(old);
			ns[old][r] = run(c, &walks[old][r]);
		}
	}
	set_direct_mapped(false);
	for (int old = 0; old < 2; old++) {
		uint64_t wv[REPS];

		for (int r = 0; r < REPS; r++)
			wv[r] = walks[old][r];
		c->ns[old] = bench_median(ns[old], REPS);
		c->walks[old] = bench_median(wv, REPS);
	}
}

int main(void)
{
	struct tlb_case cases[] = {
		{ .name = "2 MiB streaming, 8 MiB THP -> 8 MiB THP",
		  .src_size = 8 * MIB, .dst_size = 8 * MIB,
		  .a = { .n = 8 * MIB / BLOCK, .src_step = BLOCK, .dst_step = BLOCK,
			 .rounds = 1, .lane_step = 16 } },
		{ .name = "stride 64 KiB, 32 pages x 256",
		  .src_size = 32 * 64 * KIB, .dst_size = 32 * BLOCK,
		  .a = { .n = 32, .src_step = 64 * KIB, .dst_step = BLOCK, .rounds = 256,
			 .lane_step = 16 } },
		{ .name = "stride 256 KiB, 32 pages x 256",
		  .src_size = 32 * 256 * KIB, .dst_size = 32 * BLOCK,
		  .a = { .n = 32, .src_step = 256 * KIB, .dst_step = BLOCK, .rounds = 256,
			 .lane_step = 16 } },
		{ .name = "gather, a page per lane 64 KiB apart, x 8192",
		  .src_size = 32 * 64 * KIB, .dst_size = BLOCK,
		  .a = { .n = 32, .src_step = 0, .dst_step = 0, .rounds = 256,
			 .lane_step = 64 * KIB } },
		{ .name = "gather, a page per lane 2 MiB apart, x 8192",
		  .src_size = 32 * 2 * MIB, .dst_size = BLOCK,
		  .a = { .n = 32, .src_step = 0, .dst_step = 0, .rounds = 256,
			 .lane_step = 2 * MIB } },
	};
	const unsigned int n = ARRAY_SIZE(cases);
	char what[96];

	setvbuf(stdout, NULL, _IOLBF, 0);
	bench_open(&dev);
	if (access(PARAM, W_OK))
		errx(1, "%s: %s (the module has no old TLB to compare with)", PARAM,
		     strerror(errno));
	if (bench_counter(&dev, "tlb_walks") < 0)
		errx(1, "no debugfs tlb_walks");
	printf("vsvm TLB benchmark: one wave; set-associative TLB with 2 MiB entries "
	       "against the direct-mapped 4 KiB one (debug_tlb_direct_mapped=1), "
	       "alternated, median of %d runs\n", REPS);
	bench_bo_create(&dev, 4096, &args_bo);
	code = bench_kernel(&dev, vsvm_copy_src, &code_size);
	for (unsigned int i = 0; i < n; i++) {
		struct tlb_case *c = &cases[i];

		c->src = map_mirrored(c->src_size, i == 0);
		c->dst = map_mirrored(c->dst_size < 4096 ? 4096 : c->dst_size, i == 0);
		c->a.src = (uintptr_t)c->src;
		c->a.dst = (uintptr_t)c->dst;
		measure(c);
	}

	bench_header("TLB: engine time and page-table walks per run");
	for (unsigned int i = 0; i < n; i++) {
		const struct tlb_case *c = &cases[i];

		snprintf(what, sizeof(what), "%s: set-associative", c->name);
		bench_row(what, c->ns[0] / 1e6, "ms");
		snprintf(what, sizeof(what), "%s: direct-mapped", c->name);
		bench_row(what, c->ns[1] / 1e6, "ms");
		snprintf(what, sizeof(what), "%s: walks, set-associative", c->name);
		bench_row(what, c->walks[0], "");
		snprintf(what, sizeof(what), "%s: walks, direct-mapped", c->name);
		bench_row(what, c->walks[1], "");
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct tlb_case *c = &cases[i];

		bench_summary("tlb %s: time %.3g x direct-mapped (%.4g ms / %.4g ms), "
			      "walks %lld / %lld", c->name,
			      (double)c->ns[0] / c->ns[1], c->ns[0] / 1e6,
			      c->ns[1] / 1e6, (long long)c->walks[0],
			      (long long)c->walks[1]);
	}
	bench_close(&dev);
	return 0;
}
