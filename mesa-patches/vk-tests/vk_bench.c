// SPDX-License-Identifier: MIT
/*
 * cl_bench's kernels (test-lib/bench_kernels.h: the same data, sizes and
 * checks) through Vulkan on vsvm, OpenCL on vsvm and Vulkan on lavapipe,
 * in one run: the first run of each kernel on fresh malloc()ed memory
 * ("cold": vsvm takes GPU page faults), then the median of warm runs on
 * the same memory, whose output is then checked against the CPU.
 *
 * The kernels get plain pointers: on a device with VK_VSVM_system_svm as
 * they are; elsewhere each buffer is imported (VK_EXT_external_memory_host)
 * and must have its pointer as device address, which lavapipe's have (the
 * lists the chase kernel follows hold host pointers).  A side that cannot
 * run prints "-".  For vsvm's Vulkan side, the fault handler's time comes
 * from the driver's debugfs counters (run as root).
 *
 * Run with mesa-run --driver vsvm --vk vsvm,lavapipe.
 * Usage: vk_bench [-r RUNS] [-s SCALE]
 */
#include <inttypes.h>

#include "cl_bench.h"
#include "vk_common.h"
#include "bench_chase.h"
#include "bench_mix.h"
#include "bench_reduce.h"
#include "bench_stream.h"

struct vk_kernel {
	const uint32_t *spv;
	size_t size;
};

/* In benches[] order. */
static const struct vk_kernel vk_kernels[] = {
	{ bench_stream_spv, sizeof(bench_stream_spv) },
	{ bench_chase_spv, sizeof(bench_chase_spv) },
	{ bench_reduce_spv, sizeof(bench_reduce_spv) },
	{ bench_mix_spv, sizeof(bench_mix_spv) },
};

/* The push constants for @m's arguments, std430: 8-byte pointers aligned. */
static uint32_t
vk_bench_push(const struct bench_mem *m, uint8_t *push)
{
	uint32_t off = 0;

	for (unsigned int i = 0; i < m->nargs; i++) {
		const struct bench_arg *a = &m->arg[i];
		uint32_t v = (uint32_t)a->v;

		switch (a->kind) {
		case BENCH_PTR:
			off = (off + 7) & ~7u;
			memcpy(push + off, &a->v, 8);
			off += 8;
			break;
		case BENCH_U32:
			memcpy(push + off, &v, 4);
			off += 4;
			break;
		case BENCH_LOCAL:	/* sized in the shader */
			break;
		}
	}
	return (off + 7) & ~7u;
}

/*
 * Makes @m's buffers device memory: nothing to do with system SVM, else
 * an import each, whose device address must be the pointer.
 */
static bool
vk_bench_import(struct vk_ctx *c, struct bench_mem *m, struct vk_buf *bufs)
{
	if (c->system_svm)
		return true;
	if (!c->host_import)
		return false;
	for (unsigned int i = 0; i < m->nbufs; i++) {
		if (!vk_buf_init(c, &bufs[i], m->size[i], m->buf[i]))
			return false;
		if (bufs[i].addr != (uintptr_t)m->buf[i]) {
			printf("  (%s: device addresses are not host pointers)\n",
			       c->props.deviceName);
			return false;
		}
	}
	return true;
}

static void
vk_bench_release(struct vk_ctx *c, struct bench_mem *m, struct vk_buf *bufs)
{
	if (!c->system_svm)
		for (unsigned int i = 0; i < m->nbufs; i++)
			vk_buf_fini(c, &bufs[i]);
	bench_free(m);
}

static double
vk_bench_once(struct vk_ctx *c, struct vk_pipe *p, const uint8_t *push,
	      uint32_t size, uint32_t groups)
{
	double t = now_s();

	if (vk_dispatch(c, p, push, size, groups) != VK_SUCCESS)
		return -1.0;
	return now_s() - t;
}

/* cl_bench_device() through Vulkan on the device named *@want*. */
static void
vk_bench_device(const char *want, size_t k, int runs, struct bench_result *r)
{
	const struct bench *b = &benches[k];
	struct vk_buf wbufs[BENCH_MAX_BUFS] = { 0 }, bufs[BENCH_MAX_BUFS] = { 0 };
	size_t global = b->global * (b->scales ? bench_scale : 1);
	struct bench_mem *warmup = b->setup(), *mem = b->setup();
	struct vsvm_counters c0;
	uint8_t push[64];
	uint32_t size;
	double times[64];
	struct vk_pipe p;
	struct vk_ctx c;

	memset(r, 0, sizeof(*r));
	r->cold = r->warm = -1.0;
	if (!vk_open(&c, want))
		goto out;
	if (!vk_pipe_init(&c, &p, vk_kernels[k].spv, vk_kernels[k].size, 0, 64) ||
	    !vk_bench_import(&c, warmup, wbufs) || !vk_bench_import(&c, mem, bufs))
		goto close;
	/* Compile and warm up outside the timing, on other memory. */
	size = vk_bench_push(warmup, push);
	vk_bench_once(&c, &p, push, size, 1);

	size = vk_bench_push(mem, push);
	bench_counters(r, &c0, true);
	r->cold = vk_bench_once(&c, &p, push, size, global / b->local);
	bench_counters(r, &c0, false);
	for (int i = 0; i < runs; i++)
		times[i] = vk_bench_once(&c, &p, push, size, global / b->local);
	r->warm = bench_median(times, runs);
	r->ok = r->cold >= 0 && r->warm >= 0 && b->check(mem);
	vk_pipe_fini(&c, &p);
close:
	vk_bench_release(&c, mem, bufs);
	vk_bench_release(&c, warmup, wbufs);
	mem = warmup = NULL;
	vk_close(&c);
out:
	if (mem)
		bench_free(mem);
	if (warmup)
		bench_free(warmup);
}

static void
ms(double t)
{
	if (t > 0)
		printf(" %10.2f", t * 1e3);
	else
		printf(" %10s", "-");
}

static void
ratio(double a, double b)
{
	if (a > 0 && b > 0)
		printf(" %8.2f", a / b);
	else
		printf(" %8s", "-");
}

int
main(int argc, char **argv)
{
	cl_device_id cl_vsvm;
	int runs, bad = 0;
	struct vk_ctx probe;
	bool have_vk_vsvm;

	if (!bench_args(argc, argv, &runs))
		return 2;
	cl_vsvm = cl_find_device("vsvm");
	have_vk_vsvm = vk_find_device(&probe, "vsvm");
	vk_close(&probe);
	if (!have_vk_vsvm)
		printf("(no Vulkan vsvm device: its columns are empty)\n");
	if (!cl_vsvm)
		printf("(no OpenCL vsvm device: its columns are empty)\n");

	printf("%-14s %10s %10s %10s %10s %10s %10s %8s %8s %10s %8s\n", "kernel",
	       "vk cold", "vk warm", "cl cold", "cl warm", "lvp cold", "lvp warm",
	       "vk/cl", "vk/lvp", "fault ms", "faults");
	for (size_t i = 0; i < ARRAY_LEN(benches); i++) {
		struct bench_result v = { 0 }, l, o = { 0 };
		bool wrong = false;

		if (have_vk_vsvm) {
			vk_bench_device("vsvm", i, runs, &v);
			wrong |= !v.ok;
		}
		if (cl_vsvm) {
			cl_bench_device(cl_vsvm, &benches[i], runs, &o);
			wrong |= !o.ok;
		}
		vk_bench_device("llvmpipe", i, runs, &l);
		wrong |= !l.ok;
		printf("%-14s", benches[i].name);
		ms(v.cold), ms(v.warm), ms(o.cold), ms(o.warm), ms(l.cold), ms(l.warm);
		ratio(v.warm, o.warm), ratio(v.warm, l.warm);
		printf(" %10.2f %8lld%s\n", v.fault_ns / 1e6, v.faults,
		       wrong ? "  WRONG RESULT" : "");
		bad += wrong;
	}
	printf("times in ms; vk = Vulkan on vsvm, cl = OpenCL (Rusticl) on vsvm, "
	       "lvp = Vulkan on lavapipe; vk/cl and vk/lvp = warm time over warm "
	       "time (median of %d); fault ms = time vsvm's fault handler spent "
	       "in the Vulkan cold run (debugfs)\n", runs);
	return bad ? 1 : 0;
}
