// SPDX-License-Identifier: MIT
/*
 * ALU throughput: a loop of 16 dependent adds per iteration (four chains of
 * four), run by every lane of a large grid on the engine, and the same loop
 * in C on the CPU, in the same process and boot. Reports lane-operations per
 * second and the engine/CPU ratio, for 32-bit integer and fp32 adds.
 *
 * The engine's results are checked against the CPU's, bit for bit, before
 * any number is printed.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* 64 workgroups of 256 lanes: every wave is full, no lane diverges. */
#define WG_LANES	256
#define WGS		64
#define LANES		(WG_LANES * WGS)
#define ADDS_PER_ITER	16
#define REPS		5

/* Calibration: grow the loop until one engine run takes this long. */
#define TARGET_NS	400000000ull
#define CPU_TARGET_NS	100000000ull
#define MAX_ITERS	(1u << 20)

/* Arguments: 0: out (u64 pointer to u32[LANES]), 8: iterations (u32). */
#define LOOP_HEAD \
	"	ldarg.u32 r10, 8\n" \
	"	loop\n" \
	"		icmp.eq.32 r11, r10, 0\n" \
	"		if r11\n" \
	"			break\n" \
	"		endif\n"

#define LOOP_TAIL \
	"		sub.32 r10, r10, 1\n" \
	"	endloop\n" \
	"	xor.32 r1, r1, r2\n" \
	"	xor.32 r3, r3, r4\n" \
	"	xor.32 r1, r1, r3\n" \
	"	sv r5, global_id.x\n" \
	"	shl.64 r5, r5, 2\n" \
	"	ldarg.u64 r6, 0\n" \
	"	add.64 r6, r6, r5\n" \
	"	st.global.u32 [r6], r1\n" \
	"	end\n"

#define INT_ROUND \
	"		add.32 r1, r1, r2\n" \
	"		add.32 r2, r2, r3\n" \
	"		add.32 r3, r3, r4\n" \
	"		add.32 r4, r4, r1\n"

static const char int_src[] =
	"	sv r1, global_id.x\n"
	"	add.32 r2, r1, 0x9e3779b9\n"
	"	xor.32 r3, r1, 0x5bd1e995\n"
	"	add.32 r4, r1, 7\n"
	LOOP_HEAD
	INT_ROUND INT_ROUND INT_ROUND INT_ROUND
	LOOP_TAIL;

#define FP_ROUND \
	"		fadd r1, r1, r5\n" \
	"		fadd r2, r2, r6\n" \
	"		fadd r3, r3, r7\n" \
	"		fadd r4, r4, r8\n"

static const char fp_src[] =
	"	sv r1, global_id.x\n"
	"	cvt.f32.u32 r1, r1\n"
	"	fmul r5, r1, 0.0009765625\n"
	"	fadd r6, r5, 0.125\n"
	"	fadd r7, r5, 0.25\n"
	"	fadd r8, r5, 0.5\n"
	"	mov r2, r1\n"
	"	mov r3, r1\n"
	"	mov r4, r1\n"
	LOOP_HEAD
	FP_ROUND FP_ROUND FP_ROUND FP_ROUND
	LOOP_TAIL;

/*
 * The same loops in C. The empty asm makes each iteration's values opaque
 * to the compiler, so it cannot fold the chain into a closed form or
 * vectorise across lanes: the CPU does the adds one by one, as the engine.
 */
static void cpu_int(uint32_t *out, uint32_t iters)
{
	for (uint32_t i = 0; i < LANES; i++) {
		uint32_t a = i, b = i + 0x9e3779b9u, c = i ^ 0x5bd1e995u;
		uint32_t d = i + 7;

		for (uint32_t k = iters; k; k--) {
			for (int r = 0; r < ADDS_PER_ITER / 4; r++) {
				a += b;
				b += c;
				c += d;
				d += a;
			}
			__asm__ volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d));
		}
		out[i] = a ^ b ^ c ^ d;
	}
}

static uint32_t f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static void cpu_fp(uint32_t *out, uint32_t iters)
{
	for (uint32_t i = 0; i < LANES; i++) {
		float a = (float)i, e = a * 0.0009765625f;
		float f = e + 0.125f, g = e + 0.25f, h = e + 0.5f;
		float b = a, c = a, d = a;

		for (uint32_t k = iters; k; k--) {
			for (int r = 0; r < ADDS_PER_ITER / 4; r++) {
				a += e;
				b += f;
				c += g;
				d += h;
			}
			__asm__ volatile("" : "+x"(a), "+x"(b), "+x"(c), "+x"(d));
		}
		out[i] = f32_bits(a) ^ f32_bits(b) ^ f32_bits(c) ^ f32_bits(d);
	}
}

struct alu_kind {
	const char *name;
	const char *src;
	void (*cpu)(uint32_t *out, uint32_t iters);
};

struct alu_result {
	double gpu_adds, gpu_lane_insns, cpu_adds;
};

static uint64_t gpu_once(struct bench_dev *dev, uint64_t code,
			 uint32_t code_size, struct bench_bo *args,
			 struct bench_bo *out, uint32_t iters)
{
	struct drm_vsvm_exec exec;

	memcpy(args->cpu, &out->gpu, sizeof(out->gpu));
	memcpy((char *)args->cpu + 8, &iters, sizeof(iters));
	memset(out->cpu, 0, LANES * sizeof(uint32_t));
	vsvm_exec_init(&exec, dev->queue, code, code_size);
	exec.args_addr = args->gpu;
	exec.args_size = 16;
	exec.grid[0] = WGS;
	exec.wg_size[0] = WG_LANES;
	return bench_run(dev, &exec);
}

static void check_out(const struct alu_kind *kind, const struct bench_bo *out,
		      const uint32_t *expect)
{
	const uint32_t *got = out->cpu;

	for (uint32_t i = 0; i < LANES; i++)
		if (got[i] != expect[i])
			errx(1, "%s: lane %u computed %#x, the CPU %#x",
			     kind->name, i, got[i], expect[i]);
}

/* Nanoseconds of one CPU run, averaged over @reps back-to-back runs. */
static uint64_t cpu_once(const struct alu_kind *kind, uint32_t *out,
			 uint32_t iters, uint64_t reps)
{
	uint64_t start = bench_now_ns();

	for (uint64_t k = 0; k < reps; k++)
		kind->cpu(out, iters);
	return (bench_now_ns() - start) / reps;
}

static void run_kind(struct bench_dev *dev, const struct alu_kind *kind,
		     struct alu_result *res)
{
	static uint32_t expect[LANES], cpu_out[LANES];
	uint64_t code, t_gpu[REPS], t_cpu[REPS], cpu_reps;
	uint32_t code_size, iters = 16;
	struct bench_bo args, out;
	int64_t insns0, insns1;

	code = bench_kernel(dev, kind->src, &code_size);
	bench_bo_create(dev, 4096, &args);
	bench_bo_create(dev, LANES * sizeof(uint32_t), &out);

	/* Also the warm-up: the buffers' GPU mappings get populated. */
	while (gpu_once(dev, code, code_size, &args, &out, iters) <
	       TARGET_NS / 4 && iters < MAX_ITERS)
		iters *= 2;
	iters = iters < MAX_ITERS ? iters * 4 : MAX_ITERS;
	kind->cpu(expect, iters);

	/* The CPU is faster: enough runs per sample to be measurable. */
	for (cpu_reps = 1;
	     cpu_once(kind, cpu_out, iters, cpu_reps) * cpu_reps < CPU_TARGET_NS;
	     cpu_reps *= 2)
		;

	/*
	 * Engine and CPU samples alternate, so that a change in the load of
	 * the host, which the emulation feels, affects both sides alike.
	 */
	insns0 = bench_counter(dev, "instructions");
	for (int r = 0; r < REPS; r++) {
		t_gpu[r] = gpu_once(dev, code, code_size, &args, &out, iters);
		check_out(kind, &out, expect);
		t_cpu[r] = cpu_once(kind, cpu_out, iters, cpu_reps);
	}
	insns1 = bench_counter(dev, "instructions");

	res->gpu_adds = (double)LANES * iters * ADDS_PER_ITER * 1e9 /
			bench_median(t_gpu, REPS);
	/* Every wave is full: a wave instruction is 32 lane-operations. */
	res->gpu_lane_insns = insns0 < 0 || insns1 < 0 ? 0 :
		res->gpu_adds * (insns1 - insns0) * 32 /
		((double)LANES * iters * ADDS_PER_ITER * REPS);
	res->cpu_adds = (double)LANES * iters * ADDS_PER_ITER * 1e9 /
			bench_median(t_cpu, REPS);

	printf("\n%s: %u lanes (%u workgroups of %u), %u iterations of %u adds; "
	       "medians of %d engine runs and %d CPU samples of %llu runs, "
	       "alternating\n", kind->name, LANES, WGS, WG_LANES, iters,
	       ADDS_PER_ITER, REPS, REPS, (unsigned long long)cpu_reps);

	bench_bo_destroy(dev, &out);
	bench_bo_destroy(dev, &args);
}

int main(void)
{
	static const struct alu_kind kinds[] = {
		{ "int32 add", int_src, cpu_int },
		{ "fp32 add", fp_src, cpu_fp },
	};
	struct alu_result res[2];
	struct bench_dev dev;
	char what[64];

	setvbuf(stdout, NULL, _IOLBF, 0);
	bench_open(&dev);
	printf("vsvm ALU benchmark: %u compute units; the CPU loop runs on one "
	       "thread\n", dev.num_cus);
	for (int k = 0; k < 2; k++)
		run_kind(&dev, &kinds[k], &res[k]);

	bench_header("ALU throughput (lane-operations per second)");
	for (int k = 0; k < 2; k++) {
		snprintf(what, sizeof(what), "%s: engine, adds", kinds[k].name);
		bench_row(what, res[k].gpu_adds, "lane-ops/s");
		snprintf(what, sizeof(what), "%s: engine, all instructions",
			 kinds[k].name);
		if (res[k].gpu_lane_insns)
			bench_row(what, res[k].gpu_lane_insns, "lane-ops/s");
		snprintf(what, sizeof(what), "%s: CPU, adds", kinds[k].name);
		bench_row(what, res[k].cpu_adds, "ops/s");
		snprintf(what, sizeof(what), "%s: engine / CPU", kinds[k].name);
		bench_row(what, res[k].gpu_adds / res[k].cpu_adds, "x");
	}
	for (int k = 0; k < 2; k++)
		bench_summary("alu %s: engine %.3g lane-ops/s = %.4g x the CPU "
			      "loop (%.3g ops/s)", kinds[k].name,
			      res[k].gpu_adds,
			      res[k].gpu_adds / res[k].cpu_adds,
			      res[k].cpu_adds);
	bench_close(&dev);
	return 0;
}
