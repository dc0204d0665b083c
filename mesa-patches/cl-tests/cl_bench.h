/* SPDX-License-Identifier: MIT */
/*
 * The benchmark kernels through OpenCL (test-lib/bench_kernels.h has their
 * data and checks): shared by cl_bench and vk_bench.
 */
#ifndef CL_BENCH_H
#define CL_BENCH_H

#include "bench_kernels.h"
#include "cl_common.h"

static const char *cl_bench_src =
	"kernel void stream(global const float *a, global const float *b,\n"
	"                   global float *c)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	c[i] = a[i] * 2.0f + b[i];\n"
	"}\n"
	"struct node { global struct node *next; long value; };\n"
	"kernel void chase(global struct node *global *heads, uint steps,\n"
	"                  global long *out)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	global struct node *n = heads[i];\n"
	"	long sum = 0;\n"
	"	for (uint s = 0; s < steps; s++) {\n"
	"		sum += n->value;\n"
	"		n = n->next;\n"
	"	}\n"
	"	out[i] = sum;\n"
	"}\n"
	CL_REDUCE_SRC
	"kernel void mix(global ulong *x, uint rounds)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	ulong v = x[i];\n"
	"	for (uint r = 0; r < rounds; r++) {\n"
	"		v ^= v >> 33;\n"
	"		v *= 0xff51afd7ed558ccdul;\n"
	"		v += r;\n"
	"	}\n"
	"	x[i] = v;\n"
	"}\n";

static inline void
cl_bench_args(cl_kernel k, const struct bench_mem *m)
{
	for (unsigned int i = 0; i < m->nargs; i++) {
		const struct bench_arg *a = &m->arg[i];
		cl_uint v = (cl_uint)a->v;

		switch (a->kind) {
		case BENCH_PTR:
			clSetKernelArgSVMPointer(k, i, (void *)(uintptr_t)a->v);
			break;
		case BENCH_U32:
			clSetKernelArg(k, i, sizeof(v), &v);
			break;
		case BENCH_LOCAL:
			clSetKernelArg(k, i, a->v, NULL);
			break;
		}
	}
}

static inline double
cl_bench_once(cl_command_queue q, cl_kernel k, size_t global, size_t local)
{
	double t = now_s();

	if (clEnqueueNDRangeKernel(q, k, 1, NULL, &global, &local, 0, NULL, NULL) ||
	    clFinish(q))
		return -1.0;
	return now_s() - t;
}

/*
 * @b on @dev: a cold run on fresh malloc()ed memory, then the median of
 * @runs warm runs on the same memory, whose output is then checked.
 */
static inline void
cl_bench_device(cl_device_id dev, const struct bench *b, int runs,
		struct bench_result *r)
{
	cl_context ctx = clCreateContext(NULL, 1, &dev, NULL, NULL, NULL);
	cl_command_queue q = clCreateCommandQueueWithProperties(ctx, dev, NULL, NULL);
	cl_program p = cl_build(ctx, dev, cl_bench_src);
	cl_kernel k = p ? clCreateKernel(p, b->kernel, NULL) : NULL;
	struct vsvm_counters c0;
	double times[64];
	size_t global = b->global * (b->scales ? bench_scale : 1);
	struct bench_mem *mem, *warmup;

	memset(r, 0, sizeof(*r));
	if (!k)
		return;
	/*
	 * Compile outside the timing: one tiny warm-up on throw-away memory,
	 * kept until the end so that the measured run's memory is at new
	 * addresses the GPU has never seen.
	 */
	warmup = b->setup();
	cl_bench_args(k, warmup);
	cl_bench_once(q, k, b->local, b->local);

	mem = b->setup();
	cl_bench_args(k, mem);
	bench_counters(r, &c0, true);
	r->cold = cl_bench_once(q, k, global, b->local);
	bench_counters(r, &c0, false);
	for (int i = 0; i < runs; i++)
		times[i] = cl_bench_once(q, k, global, b->local);
	r->warm = bench_median(times, runs);
	r->ok = r->cold >= 0 && r->warm >= 0 && b->check(mem);
	bench_free(mem);
	bench_free(warmup);
	clReleaseKernel(k);
	clReleaseProgram(p);
	clReleaseCommandQueue(q);
	clReleaseContext(ctx);
}

#endif /* CL_BENCH_H */
