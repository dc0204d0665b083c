// SPDX-License-Identifier: MIT
/*
 * Stream copy: a kernel copying one buffer object into another with 16-byte
 * loads and stores, against the CPU's memcpy() of the same size in the same
 * process and boot. Reports both bandwidths and the engine/CPU ratio.
 *
 * The copy is checked byte for byte before any number is printed.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define WG_LANES	256
#define REPS		5
#define MIB		(1024 * 1024ull)

/*
 * Each lane copies 16-byte elements gid, gid + lanes, gid + 2 * lanes...:
 * the lanes of a wave touch 512 consecutive bytes per instruction.
 * Arguments: 0: src, 8: dst (u64 pointers), 16: elements (u64),
 * 24: lanes in the grid (u64).
 */
static const char copy_src[] =
	"	sv r1, global_id.x\n"
	"	ldarg.u64 r2, 0\n"
	"	ldarg.u64 r3, 8\n"
	"	ldarg.u64 r4, 16\n"
	"	ldarg.u64 r5, 24\n"
	"	shl.64 r6, r5, 4\n"		/* stride in bytes */
	"	shl.64 r7, r1, 4\n"
	"	add.64 r2, r2, r7\n"
	"	add.64 r3, r3, r7\n"
	"	loop\n"
	"		icmp.ltu.64 r8, r1, r4\n"
	"		if r8\n"
	"		else\n"
	"			break\n"
	"		endif\n"
	"		ld.global.b128 r10, [r2]\n"
	"		st.global.b128 [r3], r10\n"
	"		add.64 r2, r2, r6\n"
	"		add.64 r3, r3, r6\n"
	"		add.64 r1, r1, r5\n"
	"	endloop\n"
	"	end\n";

struct stream_result {
	uint64_t size;
	double gpu_bps, cpu_bps;
};

static void fill(uint8_t *p, uint64_t size, uint64_t seed)
{
	uint64_t x = seed | 1;

	for (uint64_t i = 0; i < size; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(p + i, &x, 8);
	}
}

static void run_size(struct bench_dev *dev, uint64_t code, uint32_t code_size,
		     uint64_t size, struct stream_result *res)
{
	struct bench_bo src, dst, args;
	struct drm_vsvm_exec exec;
	uint64_t t_gpu[REPS], t_cpu[REPS], wgs, lanes, a[4];
	uint8_t *cpu_dst;

	bench_bo_create(dev, size, &src);
	bench_bo_create(dev, size, &dst);
	bench_bo_create(dev, 4096, &args);
	cpu_dst = malloc(size);
	if (!cpu_dst)
		err(1, "malloc");

	/* Enough workgroups to keep every compute unit busy, a few each. */
	wgs = 4 * dev->num_cus;
	lanes = wgs * WG_LANES;
	a[0] = src.gpu;
	a[1] = dst.gpu;
	a[2] = size / 16;
	a[3] = lanes;
	memcpy(args.cpu, a, sizeof(a));
	vsvm_exec_init(&exec, dev->queue, code, code_size);
	exec.args_addr = args.gpu;
	exec.args_size = sizeof(a);
	exec.grid[0] = wgs;
	exec.wg_size[0] = WG_LANES;

	/*
	 * Run -1 is the warm-up: it populates the GPU mappings and the
	 * CPU's destination. Engine and CPU runs alternate, so that a change
	 * in the load of the host affects both sides alike.
	 */
	for (int r = -1; r < REPS; r++) {
		uint64_t ns, start;

		fill(src.cpu, size, size + r + 2);
		memset(dst.cpu, 0, size);
		ns = bench_run(dev, &exec);
		if (memcmp(dst.cpu, src.cpu, size))
			errx(1, "the copy of %llu bytes differs from its source",
			     (unsigned long long)size);
		if (r >= 0)
			t_gpu[r] = ns;

		start = bench_now_ns();
		memcpy(cpu_dst, src.cpu, size);
		/* Keep the copy: the compiler may not drop it. */
		__asm__ volatile("" : : "r"(cpu_dst) : "memory");
		if (r >= 0)
			t_cpu[r] = bench_now_ns() - start;
		if (memcmp(cpu_dst, src.cpu, size))
			errx(1, "memcpy() differs from its source");
	}
	res->gpu_bps = size * 1e9 / bench_median(t_gpu, REPS);
	res->cpu_bps = size * 1e9 / bench_median(t_cpu, REPS);
	res->size = size;

	free(cpu_dst);
	bench_bo_destroy(dev, &args);
	bench_bo_destroy(dev, &dst);
	bench_bo_destroy(dev, &src);
}

int main(void)
{
	static const uint64_t sizes[] = { 1 * MIB, 8 * MIB, 32 * MIB };
	struct stream_result res[ARRAY_SIZE(sizes)];
	const unsigned int n = ARRAY_SIZE(sizes);
	struct bench_dev dev;
	uint32_t code_size;
	uint64_t code;
	char what[64];

	setvbuf(stdout, NULL, _IOLBF, 0);
	bench_open(&dev);
	printf("vsvm stream-copy benchmark: %u compute units, %u workgroups of "
	       "%u lanes; memcpy() on one CPU thread; median of %d runs\n",
	       dev.num_cus, 4 * dev.num_cus, WG_LANES, REPS);
	code = bench_kernel(&dev, copy_src, &code_size);
	for (unsigned int i = 0; i < n; i++)
		run_size(&dev, code, code_size, sizes[i], &res[i]);

	bench_header("Stream copy (bytes copied per second)");
	for (unsigned int i = 0; i < n; i++) {
		unsigned int mib = res[i].size / MIB;

		snprintf(what, sizeof(what), "%u MiB: engine copy kernel", mib);
		bench_row(what, res[i].gpu_bps / MIB, "MiB/s");
		snprintf(what, sizeof(what), "%u MiB: CPU memcpy()", mib);
		bench_row(what, res[i].cpu_bps / MIB, "MiB/s");
		snprintf(what, sizeof(what), "%u MiB: engine / CPU", mib);
		bench_row(what, res[i].gpu_bps / res[i].cpu_bps, "x");
	}
	for (unsigned int i = 0; i < n; i++)
		bench_summary("stream %llu MiB: engine %.4g MiB/s = %.4g x "
			      "memcpy() (%.4g MiB/s)",
			      (unsigned long long)(res[i].size / MIB),
			      res[i].gpu_bps / MIB,
			      res[i].gpu_bps / res[i].cpu_bps,
			      res[i].cpu_bps / MIB);
	bench_close(&dev);
	return 0;
}
