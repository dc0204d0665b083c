// SPDX-License-Identifier: MIT
/*
 * OpenCL tests of the vsvm Rusticl driver (and, for comparison, any other
 * Rusticl device): kernels get malloc()ed, clSVMAlloc()ed and
 * CL_MEM_USE_HOST_PTR memory and plain buffers, walk a linked structure and a table of
 * pointers the CPU built, use atomics and local memory with barriers; a
 * bad pointer, memory another thread unmaps while a kernel reads it, and a
 * kernel that never ends must end in an OpenCL error, not a hang.  Every result is compared with a CPU
 * reference, element by element.
 *
 * Usage: cl_svm_test [-d DEVICE_SUBSTRING] [TEST...]
 *   default device: the first whose name contains "vsvm"
 * Ends with "N passed, N failed, N skipped".
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cl_common.h"

static cl_context ctx;
static cl_command_queue queue;
static cl_device_id dev;
static cl_device_svm_capabilities svm_caps;

static const char *program_src =
	"kernel void vadd(global const float *a, global const float *b,\n"
	"                 global float *c)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	c[i] = a[i] + b[i];\n"
	"}\n"
	"struct node { global struct node *next; long value; };\n"
	"kernel void walk(global struct node *head, global long *out)\n"
	"{\n"
	"	/* Item i skips i nodes, then sums the rest of the list. */\n"
	"	global struct node *n = head;\n"
	"	size_t i = get_global_id(0);\n"
	"	long sum = 0;\n"
	"	for (size_t k = 0; k < i && n; k++)\n"
	"		n = n->next;\n"
	"	for (; n; n = n->next)\n"
	"		sum += n->value;\n"
	"	out[i] = sum;\n"
	"}\n"
	"kernel void count(global volatile int *counter, global int *old)\n"
	"{\n"
	"	old[get_global_id(0)] = atomic_add(counter, 1);\n"
	"}\n"
	CL_REDUCE_SRC
	"kernel void tables(global float *global *tabs, uint ntabs,\n"
	"                   global float *out)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	float sum = 0.0f;\n"
	"	for (uint t = 0; t < ntabs; t++)\n"
	"		sum += tabs[t][i] * (float)(t + 1);\n"
	"	out[i] = sum;\n"
	"}\n"
	"kernel void spin(global const uint *p, uint n, uint iters,\n"
	"                 global uint *out)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	uint sum = 0, at = (uint)i * 4099u;\n"
	"	for (uint k = 0; k < iters; k++) {\n"
	"		sum += p[at % n];\n"
	"		at += 1031u;\n"
	"	}\n"
	"	out[i] = sum;\n"
	"}\n"
	"kernel void forever(global volatile int *p)\n"
	"{\n"
	"	while (*p == 0)\n"
	"		;\n"
	"}\n"
	"kernel void poke(global int *p)\n"
	"{\n"
	"	*p = 42;\n"
	"}\n";

static cl_program program;

static cl_kernel
kernel(const char *name)
{
	cl_int err;
	cl_kernel k = clCreateKernel(program, name, &err);

	if (err != CL_SUCCESS)
		printf("  clCreateKernel(%s) = %d\n", name, err);
	return k;
}

static bool
run(cl_kernel k, size_t global, size_t local)
{
	CHECK(clEnqueueNDRangeKernel(queue, k, 1, NULL, &global,
				     local ? &local : NULL, 0, NULL, NULL));
	CHECK(clFinish(queue));
	return true;
}

static bool
check_vadd(const float *a, const float *b, const float *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		float want = a[i] + b[i];

		if (memcmp(&c[i], &want, sizeof(want))) {
			printf("  c[%zu] = %a, want %a\n", i, c[i], want);
			return false;
		}
	}
	return true;
}

static void
fill(float *a, float *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		a[i] = (float)i * 0.5f + 1.0f / (float)(i + 1);
		b[i] = (float)(n - i) * 1.25f;
	}
}

/* malloc()ed memory straight into the kernel: fine-grained system SVM. */
static bool
test_malloc(void)
{
	const size_t n = 1 << 16;
	float *a = malloc(n * 4), *b = malloc(n * 4), *c = malloc(n * 4);
	cl_kernel k = kernel("vadd");
	bool ok = false;

	if (!a || !b || !c || !k)
		goto out;
	fill(a, b, n);
	memset(c, 0xff, n * 4);
	if (clSetKernelArgSVMPointer(k, 0, a) || clSetKernelArgSVMPointer(k, 1, b) ||
	    clSetKernelArgSVMPointer(k, 2, c))
		goto out;
	ok = run(k, n, 64) && check_vadd(a, b, c, n);
out:
	free(a);
	free(b);
	free(c);
	if (k)
		clReleaseKernel(k);
	return ok;
}

/* clSVMAlloc()ed memory, used by the CPU without map calls (fine grain). */
static bool
test_svmalloc(void)
{
	const size_t n = 4096;
	cl_svm_mem_flags fl = CL_MEM_READ_WRITE |
		((svm_caps & CL_DEVICE_SVM_FINE_GRAIN_BUFFER) ?
		 CL_MEM_SVM_FINE_GRAIN_BUFFER : 0);
	float *a = clSVMAlloc(ctx, fl, n * 4, 0);
	float *b = clSVMAlloc(ctx, fl, n * 4, 0);
	float *c = clSVMAlloc(ctx, fl, n * 4, 0);
	cl_kernel k = kernel("vadd");
	bool ok = false;

	if (!a || !b || !c || !k)
		goto out;
	if (!(fl & CL_MEM_SVM_FINE_GRAIN_BUFFER)) {
		clEnqueueSVMMap(queue, CL_TRUE, CL_MAP_WRITE, a, n * 4, 0, NULL, NULL);
		clEnqueueSVMMap(queue, CL_TRUE, CL_MAP_WRITE, b, n * 4, 0, NULL, NULL);
	}
	fill(a, b, n);
	if (!(fl & CL_MEM_SVM_FINE_GRAIN_BUFFER)) {
		clEnqueueSVMUnmap(queue, a, 0, NULL, NULL);
		clEnqueueSVMUnmap(queue, b, 0, NULL, NULL);
	}
	if (clSetKernelArgSVMPointer(k, 0, a) || clSetKernelArgSVMPointer(k, 1, b) ||
	    clSetKernelArgSVMPointer(k, 2, c) || !run(k, n, 0))
		goto out;
	if (!(fl & CL_MEM_SVM_FINE_GRAIN_BUFFER))
		clEnqueueSVMMap(queue, CL_TRUE, CL_MAP_READ, c, n * 4, 0, NULL, NULL);
	ok = check_vadd(a, b, c, n);
	if (!(fl & CL_MEM_SVM_FINE_GRAIN_BUFFER))
		clEnqueueSVMUnmap(queue, c, 0, NULL, NULL);
out:
	clFinish(queue);
	clSVMFree(ctx, a);
	clSVMFree(ctx, b);
	clSVMFree(ctx, c);
	if (k)
		clReleaseKernel(k);
	return ok;
}

/*
 * clEnqueueSVMMigrateMem() towards the device: vsvm prefetches the pages
 * (DRM_IOCTL_VSVM_PREFETCH), which its debugfs counters show when
 * readable; the kernel that follows must see the CPU's data either way.
 */
static bool
test_svm_migrate(void)
{
	const size_t n = 1 << 18;	/* 1 MiB of floats */
	float *a = clSVMAlloc(ctx, CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER,
			      n * 4, 0);
	float *b = malloc(n * 4), *c = malloc(n * 4);
	const void *ptrs[1] = { a };
	size_t sizes[1] = { n * 4 };
	struct vsvm_counters c0, c1;
	bool counters;
	cl_kernel k = kernel("vadd");
	bool ok = false;

	if (!a || !b || !c || !k)
		goto out;
	fill(a, b, n);
	counters = vsvm_read_counters(&c0);
	if (clEnqueueSVMMigrateMem(queue, 1, ptrs, sizes, 0, 0, NULL, NULL) ||
	    clFinish(queue))
		goto out;
	if (counters && vsvm_read_counters(&c1)) {
		long long pages = vsvm_counter(&c1, "prefetch_pages") -
				  vsvm_counter(&c0, "prefetch_pages");

		printf("  prefetched %lld pages\n", pages);
		if (pages < (long long)(n * 4 / 4096))
			goto out;
	}
	if (clSetKernelArgSVMPointer(k, 0, a) || clSetKernelArgSVMPointer(k, 1, b) ||
	    clSetKernelArgSVMPointer(k, 2, c) || !run(k, n, 64))
		goto out;
	ok = check_vadd(a, b, c, n);
out:
	clSVMFree(ctx, a);
	free(b);
	free(c);
	if (k)
		clReleaseKernel(k);
	return ok;
}

/*
 * Plain buffers (BOs): write, fill, copy, run, read back.  Needs no SVM:
 * this is what a device without the CPU-address mirror still does.
 */
static bool
test_buffers(void)
{
	const size_t n = 5000;
	float *a = malloc(n * 4), *b = malloc(n * 4), *c = malloc(n * 4);
	const float pattern = 3.25f;
	cl_mem ma = NULL, mb = NULL, mc = NULL;
	cl_kernel k = kernel("vadd");
	bool ok = false;
	cl_int err;

	if (!a || !b || !c || !k)
		goto out;
	fill(a, b, n);
	ma = clCreateBuffer(ctx, CL_MEM_READ_WRITE, n * 4, NULL, &err);
	mb = clCreateBuffer(ctx, CL_MEM_READ_WRITE, n * 4, NULL, &err);
	mc = clCreateBuffer(ctx, CL_MEM_READ_WRITE, n * 4, NULL, &err);
	if (!ma || !mb || !mc)
		goto out;
	/* a goes in by write, b by fill then a copy over its first half. */
	if (clEnqueueWriteBuffer(queue, ma, CL_FALSE, 0, n * 4, a, 0, NULL, NULL) ||
	    clEnqueueFillBuffer(queue, mb, &pattern, 4, 0, n * 4, 0, NULL, NULL) ||
	    clEnqueueCopyBuffer(queue, ma, mb, 0, 0, n / 2 * 4, 0, NULL, NULL))
		goto out;
	for (size_t i = 0; i < n; i++)
		b[i] = i < n / 2 ? a[i] : pattern;
	if (clSetKernelArg(k, 0, sizeof(ma), &ma) || clSetKernelArg(k, 1, sizeof(mb), &mb) ||
	    clSetKernelArg(k, 2, sizeof(mc), &mc) || !run(k, n, 0) ||
	    clEnqueueReadBuffer(queue, mc, CL_TRUE, 0, n * 4, c, 0, NULL, NULL))
		goto out;
	ok = check_vadd(a, b, c, n);
out:
	if (ma)
		clReleaseMemObject(ma);
	if (mb)
		clReleaseMemObject(mb);
	if (mc)
		clReleaseMemObject(mc);
	if (k)
		clReleaseKernel(k);
	free(a);
	free(b);
	free(c);
	return ok;
}

/* CL_MEM_USE_HOST_PTR buffers: the driver binds the user pages. */
static bool
test_use_host_ptr(void)
{
	const size_t n = 10000;	/* not a multiple of the page size */
	float *a = malloc(n * 4), *b = malloc(n * 4), *c = malloc(n * 4);
	cl_mem ma = NULL, mb = NULL, mc = NULL;
	cl_kernel k = kernel("vadd");
	bool ok = false;
	cl_int err;
	float *map;

	if (!a || !b || !c || !k)
		goto out;
	fill(a, b, n);
	ma = clCreateBuffer(ctx, CL_MEM_USE_HOST_PTR | CL_MEM_READ_ONLY, n * 4, a, &err);
	mb = clCreateBuffer(ctx, CL_MEM_USE_HOST_PTR | CL_MEM_READ_ONLY, n * 4, b, &err);
	mc = clCreateBuffer(ctx, CL_MEM_USE_HOST_PTR, n * 4, c, &err);
	if (!ma || !mb || !mc)
		goto out;
	if (clSetKernelArg(k, 0, sizeof(ma), &ma) || clSetKernelArg(k, 1, sizeof(mb), &mb) ||
	    clSetKernelArg(k, 2, sizeof(mc), &mc) || !run(k, n, 0))
		goto out;
	map = clEnqueueMapBuffer(queue, mc, CL_TRUE, CL_MAP_READ, 0, n * 4, 0, NULL,
				 NULL, &err);
	if (!map)
		goto out;
	ok = check_vadd(a, b, map, n);
	clEnqueueUnmapMemObject(queue, mc, map, 0, NULL, NULL);
	clFinish(queue);
out:
	if (ma)
		clReleaseMemObject(ma);
	if (mb)
		clReleaseMemObject(mb);
	if (mc)
		clReleaseMemObject(mc);
	if (k)
		clReleaseKernel(k);
	free(a);
	free(b);
	free(c);
	return ok;
}

struct node {
	struct node *next;
	int64_t value;
};

/* A list the CPU built with malloc(), nodes scattered, walked by the GPU. */
static bool
test_linked_list(void)
{
	const size_t len = 1000, items = 64;
	struct node *head = NULL, **nodes = calloc(len, sizeof(*nodes));
	int64_t *out = calloc(items, sizeof(*out));
	cl_kernel k = kernel("walk");
	bool ok = false;

	if (!nodes || !out || !k)
		goto out;
	/* Allocate in one order, link in another: pointers go everywhere. */
	for (size_t i = 0; i < len; i++) {
		nodes[i] = malloc(sizeof(struct node) + (i % 7) * 24);
		nodes[i]->value = (int64_t)(i * i) - 3 * (int64_t)i + 7;
	}
	for (size_t i = 0; i < len; i++) {
		size_t j = (i * 389) % len;

		nodes[j]->next = head;
		head = nodes[j];
	}
	if (clSetKernelArgSVMPointer(k, 0, head) || clSetKernelArgSVMPointer(k, 1, out) ||
	    !run(k, items, 0))
		goto out;
	ok = true;
	for (size_t i = 0; i < items; i++) {
		struct node *n = head;
		int64_t want = 0;

		for (size_t s = 0; s < i && n; s++)
			n = n->next;
		for (; n; n = n->next)
			want += n->value;
		if (out[i] != want) {
			printf("  out[%zu] = %" PRId64 ", want %" PRId64 "\n", i, out[i], want);
			ok = false;
		}
	}
out:
	if (nodes)
		for (size_t i = 0; i < len; i++)
			free(nodes[i]);
	free(nodes);
	free(out);
	if (k)
		clReleaseKernel(k);
	return ok;
}

/* Every item takes a distinct ticket from one atomic counter. */
static bool
test_atomics(void)
{
	const size_t n = 4096;
	int *counter = malloc(sizeof(int)), *old = malloc(n * sizeof(int));
	char *seen = calloc(n, 1);
	cl_kernel k = kernel("count");
	bool ok = false;

	if (!counter || !old || !seen || !k)
		goto out;
	*counter = 0;
	if (clSetKernelArgSVMPointer(k, 0, counter) || clSetKernelArgSVMPointer(k, 1, old) ||
	    !run(k, n, 64))
		goto out;
	ok = *counter == (int)n;
	if (!ok)
		printf("  counter = %d, want %zu\n", *counter, n);
	for (size_t i = 0; i < n && ok; i++) {
		if (old[i] < 0 || old[i] >= (int)n || seen[old[i]]++) {
			printf("  ticket %d of item %zu is wrong or taken twice\n", old[i], i);
			ok = false;
		}
	}
out:
	free(counter);
	free(old);
	free(seen);
	if (k)
		clReleaseKernel(k);
	return ok;
}

/* Tree reduction in local memory with barriers, one sum per work-group. */
static bool
test_local_reduce(void)
{
	const size_t n = 1 << 14, wg = 128;
	uint32_t *in = malloc(n * 4), *out = calloc(n / wg, 4);
	cl_kernel k = kernel("reduce");
	bool ok = false;

	if (!in || !out || !k)
		goto out;
	for (size_t i = 0; i < n; i++)
		in[i] = (uint32_t)(i * 2654435761u) >> 7;
	if (clSetKernelArgSVMPointer(k, 0, in) || clSetKernelArgSVMPointer(k, 1, out) ||
	    clSetKernelArg(k, 2, wg * 4, NULL) || !run(k, n, wg))
		goto out;
	ok = true;
	for (size_t g = 0; g < n / wg; g++) {
		uint32_t want = 0;

		for (size_t i = 0; i < wg; i++)
			want += in[g * wg + i];
		if (out[g] != want) {
			printf("  group %zu: %u, want %u\n", g, out[g], want);
			ok = false;
			break;
		}
	}
out:
	free(in);
	free(out);
	if (k)
		clReleaseKernel(k);
	return ok;
}

/*
 * A pointer to nothing: the launch fails with an OpenCL error, no hang.
 * Rusticl fails every later command of a queue that saw an error, so the
 * faulting tests use a queue of their own.
 */
static bool
test_bad_pointer(void)
{
	cl_command_queue q = clCreateCommandQueueWithProperties(ctx, dev, NULL, NULL);
	cl_kernel k = kernel("poke");
	void *bad = (void *)(uintptr_t)0x10;
	size_t one = 1;
	cl_event ev = NULL;
	cl_int err, status = CL_COMPLETE;
	bool ok = false;

	if (!k || !q)
		goto out;
	if (clSetKernelArgSVMPointer(k, 0, bad))
		goto out;
	err = clEnqueueNDRangeKernel(q, k, 1, NULL, &one, NULL, 0, NULL, &ev);
	if (err == CL_SUCCESS) {
		err = clWaitForEvents(1, &ev);
		clGetEventInfo(ev, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof(status),
			       &status, NULL);
	}
	ok = err != CL_SUCCESS || status < 0;
	printf("  enqueue/wait = %d, event status = %d\n", err, status);
	clFinish(q);
out:
	if (ev)
		clReleaseEvent(ev);
	if (k)
		clReleaseKernel(k);
	if (q)
		clReleaseCommandQueue(q);
	return ok;
}

/*
 * A kernel that never ends: the device's job timeout must end it with an
 * OpenCL error, and the queue must not hang.  (vsvm: 10 s by default.)
 */
static bool
test_runaway_kernel(void)
{
	cl_command_queue q = clCreateCommandQueueWithProperties(ctx, dev, NULL, NULL);
	cl_kernel k = kernel("forever");
	cl_mem m = clCreateBuffer(ctx, CL_MEM_READ_WRITE, 4, NULL, NULL);
	const int zero = 0;
	size_t one = 1;
	cl_event ev = NULL;
	cl_int err, status = CL_COMPLETE;
	double t = now_s();
	bool ok = false;

	if (!q || !k || !m ||
	    clEnqueueWriteBuffer(q, m, CL_TRUE, 0, 4, &zero, 0, NULL, NULL) ||
	    clSetKernelArg(k, 0, sizeof(m), &m))
		goto out;
	err = clEnqueueNDRangeKernel(q, k, 1, NULL, &one, NULL, 0, NULL, &ev);
	if (err == CL_SUCCESS) {
		err = clWaitForEvents(1, &ev);
		clGetEventInfo(ev, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof(status),
			       &status, NULL);
	}
	printf("  ended after %.1f s: wait = %d, event status = %d\n", now_s() - t,
	       err, status);
	ok = err != CL_SUCCESS || status < 0;
	clFinish(q);
out:
	if (ev)
		clReleaseEvent(ev);
	if (m)
		clReleaseMemObject(m);
	if (k)
		clReleaseKernel(k);
	if (q)
		clReleaseCommandQueue(q);
	return ok;
}

/* An array of pointers to separately malloc()ed tables: pointers in SVM. */
static bool
test_pointer_table(void)
{
	const size_t n = 2048, ntabs = 5;
	float **tabs = malloc(ntabs * sizeof(*tabs)), *out = calloc(n, 4);
	cl_kernel k = kernel("tables");
	cl_uint nt = ntabs;
	bool ok = false;

	if (!tabs || !out || !k)
		goto out;
	for (size_t t = 0; t < ntabs; t++) {
		tabs[t] = malloc(n * 4);
		for (size_t i = 0; i < n; i++)
			tabs[t][i] = (float)((i * 7 + t * 13) % 101) * 0.25f;
	}
	if (clSetKernelArgSVMPointer(k, 0, tabs) || clSetKernelArg(k, 1, 4, &nt) ||
	    clSetKernelArgSVMPointer(k, 2, out) || !run(k, n, 0))
		goto free_tabs;
	ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		float want = 0.0f;

		for (size_t t = 0; t < ntabs; t++)
			want += tabs[t][i] * (float)(t + 1);
		if (memcmp(&want, &out[i], 4)) {
			printf("  out[%zu] = %a, want %a\n", i, out[i], want);
			ok = false;
		}
	}
free_tabs:
	for (size_t t = 0; t < ntabs; t++)
		free(tabs[t]);
out:
	free(tabs);
	free(out);
	if (k)
		clReleaseKernel(k);
	return ok;
}

struct unmapper {
	void *p;
	size_t size;
	double delay;
};

static void *
unmap_later(void *arg)
{
	struct unmapper *u = arg;

	usleep((useconds_t)(u->delay * 1e6));
	munmap(u->p, u->size);
	return NULL;
}

/* Time for one run of "spin" with @iters iterations over @p. */
static double
time_spin(cl_command_queue q, cl_kernel k, const uint32_t *p, cl_uint n, cl_uint iters,
	  uint32_t *out, size_t items, cl_int *status)
{
	cl_event ev = NULL;
	double t = now_s();

	clSetKernelArgSVMPointer(k, 0, p);
	clSetKernelArg(k, 1, 4, &n);
	clSetKernelArg(k, 2, 4, &iters);
	clSetKernelArgSVMPointer(k, 3, out);
	*status = clEnqueueNDRangeKernel(q, k, 1, NULL, &items, NULL, 0, NULL, &ev);
	if (*status == CL_SUCCESS) {
		clWaitForEvents(1, &ev);
		clGetEventInfo(ev, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof(*status),
			       status, NULL);
		clReleaseEvent(ev);
	}
	clFinish(q);
	return now_s() - t;
}

/*
 * Another thread munmap()s the memory a running kernel reads: the kernel
 * must fail with an OpenCL error, and nothing may hang.  The kernel is
 * sized to run for about a second, well past the munmap.
 */
static bool
test_unmap_mid_kernel(void)
{
	const size_t size = 16 << 20, items = 256;
	const cl_uint n = size / 4;
	uint32_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint32_t *out = calloc(items, 4);
	cl_kernel k = kernel("spin");
	cl_command_queue q;
	struct unmapper u;
	pthread_t thr;
	cl_uint iters = 64;
	cl_int status;
	double t;
	bool ok = false;

	if (p == MAP_FAILED || !out || !k)
		goto out;
	for (size_t i = 0; i < n; i++)
		p[i] = (uint32_t)i;
	/* Grow the work until one run takes 0.2 s. */
	while ((t = time_spin(queue, k, p, n, iters, out, items, &status)) < 0.2 &&
	       iters < (1u << 24)) {
		if (status != CL_COMPLETE) {
			printf("  a sizing run failed: %d\n", status);
			goto out;
		}
		iters *= 4;
	}
	iters = (cl_uint)(iters * (1.0 / t));	/* about a second */
	u = (struct unmapper){ p, size, 0.25 };
	pthread_create(&thr, NULL, unmap_later, &u);
	q = clCreateCommandQueueWithProperties(ctx, dev, NULL, NULL);
	if (!q)
		goto out;
	t = time_spin(q, k, p, n, iters, out, items, &status);
	clReleaseCommandQueue(q);
	pthread_join(thr, NULL);
	p = MAP_FAILED;
	printf("  %u iterations, %.2f s, event status %d\n", iters, t, status);
	ok = status < 0;
out:
	if (p != MAP_FAILED)
		munmap(p, size);
	free(out);
	if (k)
		clReleaseKernel(k);
	return ok;
}

static const struct cl_test tests[] = {
	{ "malloc", test_malloc, true, false, NULL },
	{ "svmalloc", test_svmalloc, true, false, NULL },
	{ "buffers", test_buffers, false, false, NULL },
	{ "use_host_ptr", test_use_host_ptr, false, false, NULL },
	{ "svm_migrate", test_svm_migrate, true, false, NULL },
	{ "linked_list", test_linked_list, true, false, NULL },
	{ "pointer_table", test_pointer_table, true, false, NULL },
	{ "atomics", test_atomics, true, false, NULL },
	{ "local_reduce", test_local_reduce, true, false, NULL },
	{ "bad_pointer", test_bad_pointer, true, true, NULL },
	{ "unmap_mid_kernel", test_unmap_mid_kernel, true, true, NULL },
	{ "runaway_kernel", test_runaway_kernel, false, true, NULL },
};

int
main(int argc, char **argv)
{
	cl_int err;
	int first, rc;

	dev = cl_test_device(argc, argv, &first);
	if (!dev)
		return 1;
	clGetDeviceInfo(dev, CL_DEVICE_SVM_CAPABILITIES, sizeof(svm_caps), &svm_caps, NULL);
	printf("# SVM capabilities 0x%" PRIx64 "%s\n", (uint64_t)svm_caps,
	       (svm_caps & CL_DEVICE_SVM_FINE_GRAIN_SYSTEM) ?
	       " (fine-grained system)" : "");
	ctx = clCreateContext(NULL, 1, &dev, NULL, NULL, &err);
	queue = clCreateCommandQueueWithProperties(ctx, dev, NULL, &err);
	program = cl_build(ctx, dev, program_src);
	if (!program) {
		printf("0 passed, 1 failed\n");
		return 1;
	}
	rc = cl_run_tests(tests, ARRAY_LEN(tests), argc, argv, first, dev);
	clReleaseProgram(program);
	clReleaseCommandQueue(queue);
	clReleaseContext(ctx);
	return rc;
}
