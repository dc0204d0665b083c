// SPDX-License-Identifier: MIT
/*
 * What the OpenCL conformance run found on vsvm, as tests of our own:
 * as_*() reinterpretations and half conversions (NIR's pack/unpack and
 * fp16 conversion ops), a kernel the device's compiler rejects (a build
 * error, not a crash), clSetKernelExecInfo with an empty SVM pointer list,
 * CL_MEM_USE_HOST_PTR buffers whose device address is the host address,
 * 64-bit atomics racing the CPU, and SVM atomics (a counter the kernel and
 * host threads increment, a flag-and-payload handoff both ways, a
 * lock-free queue host threads fill and a kernel empties).  Each test builds its own program, so
 * that one kernel the device cannot compile fails one test only.
 *
 * Usage: cl_conform_test [-d DEVICE_SUBSTRING] [TEST...]
 * Ends with "N passed, N failed, N skipped".
 */
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "cl_common.h"

static cl_context ctx;
static cl_command_queue queue;
static cl_device_id dev;

/* xorshift64*: reproducible inputs */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
rand64(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

/* @name from a program of its own; NULL (and the build log) on failure. */
static cl_kernel
build_kernel(const char *src, const char *name, cl_program *prog)
{
	cl_int err;
	cl_kernel k;

	*prog = cl_build(ctx, dev, src);
	if (!*prog)
		return NULL;
	k = clCreateKernel(*prog, name, &err);
	if (!k)
		printf("  clCreateKernel(%s) = %d\n", name, err);
	return k;
}

static void
release_mem(cl_mem m)
{
	if (m)
		clReleaseMemObject(m);
}

static void
release(cl_kernel k, cl_program p)
{
	if (k)
		clReleaseKernel(k);
	if (p)
		clReleaseProgram(p);
}

static bool
run(cl_kernel k, size_t global)
{
	CHECK(clEnqueueNDRangeKernel(queue, k, 1, NULL, &global, NULL, 0, NULL,
				     NULL));
	CHECK(clFinish(queue));
	return true;
}

/*
 * Every as_*() between 8-, 16-, 32- and 64-bit element vectors of the same
 * size, with arithmetic on both sides so that no reinterpretation folds
 * away: item i reads 16 bytes and writes 64.
 */
static const char *as_types_src =
	"kernel void as_types(global const uchar *in, global uchar *out)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	global const uchar *x = in + i * 16;\n"
	"	global uchar *o = out + i * 64;\n"
	"	char4 c4 = vload4(0, (global const char *)x);\n"
	"	short2 s2 = vload2(0, (global const short *)(x + 4));\n"
	"	uchar8 u8 = vload8(0, x);\n"
	"	short4 s4 = vload4(0, (global const short *)(x + 8));\n"
	"	int2 i2 = vload2(0, (global const int *)(x + 8));\n"
	"	uint w0 = *(global const uint *)x;\n"
	"	ulong l1 = *(global const ulong *)(x + 8);\n"
	"	*(global int *)(o + 0) = as_int(c4 + (char4)(1, 2, 3, 4));\n"
	"	vstore4(as_char4(w0 * 3u) - (char4)(5), 0, (global char *)(o + 4));\n"
	"	*(global int *)(o + 8) = as_int(s2 + (short2)(7, -9));\n"
	"	vstore2(as_short2(w0 + 12345u) * (short2)(3), 0,\n"
	"		(global short *)(o + 12));\n"
	"	*(global long *)(o + 16) = as_long(u8 ^ (uchar8)(0x11));\n"
	"	vstore8(as_uchar8(l1 + 0x0102030405060708ul) + (uchar8)(1), 0,\n"
	"		o + 24);\n"
	"	*(global long *)(o + 32) = as_long(s4 + (short4)(1, -1, 2, -2));\n"
	"	vstore4(as_short4(l1 * 3ul), 0, (global short *)(o + 40));\n"
	"	*(global long *)(o + 48) = as_long(i2 + (int2)(5, 6));\n"
	"	int2 j2 = as_int2(l1 - 7ul);\n"
	"	*(global int *)(o + 56) = j2.x ^ j2.y;\n"
	"	*(global uint *)(o + 60) =\n"
	"		as_uint(as_float((w0 & 0x3fffffffu) | 0x3f000000u) * 2.0f);\n"
	"}\n";

static void
as_types_ref(const uint8_t *x, uint8_t *o)
{
	int8_t c4[4], s8[4];
	int16_t s2[2], s4[4], t2[2];
	int32_t i2[2], j2[2], v;
	uint32_t w0, u;
	uint64_t l1, l;
	uint8_t u8[8];
	float f;

	memcpy(c4, x, 4);
	memcpy(s2, x + 4, 4);
	memcpy(u8, x, 8);
	memcpy(s4, x + 8, 8);
	memcpy(i2, x + 8, 8);
	memcpy(&w0, x, 4);
	memcpy(&l1, x + 8, 8);

	for (int k = 0; k < 4; k++)
		c4[k] = (int8_t)(c4[k] + k + 1);
	memcpy(o, c4, 4);
	u = w0 * 3u;
	memcpy(s8, &u, 4);
	for (int k = 0; k < 4; k++)
		s8[k] = (int8_t)(s8[k] - 5);
	memcpy(o + 4, s8, 4);
	s2[0] = (int16_t)(s2[0] + 7);
	s2[1] = (int16_t)(s2[1] - 9);
	memcpy(o + 8, s2, 4);
	u = w0 + 12345u;
	memcpy(t2, &u, 4);
	for (int k = 0; k < 2; k++)
		t2[k] = (int16_t)(t2[k] * 3);
	memcpy(o + 12, t2, 4);
	for (int k = 0; k < 8; k++)
		u8[k] ^= 0x11;
	memcpy(o + 16, u8, 8);
	l = l1 + 0x0102030405060708ull;
	memcpy(u8, &l, 8);
	for (int k = 0; k < 8; k++)
		u8[k] = (uint8_t)(u8[k] + 1);
	memcpy(o + 24, u8, 8);
	s4[0] = (int16_t)(s4[0] + 1);
	s4[1] = (int16_t)(s4[1] - 1);
	s4[2] = (int16_t)(s4[2] + 2);
	s4[3] = (int16_t)(s4[3] - 2);
	memcpy(o + 32, s4, 8);
	l = l1 * 3u;
	memcpy(o + 40, &l, 8);
	i2[0] = (int32_t)((uint32_t)i2[0] + 5);
	i2[1] = (int32_t)((uint32_t)i2[1] + 6);
	memcpy(o + 48, i2, 8);
	l = l1 - 7u;
	memcpy(j2, &l, 8);
	v = j2[0] ^ j2[1];
	memcpy(o + 56, &v, 4);
	u = (w0 & 0x3fffffffu) | 0x3f000000u;
	memcpy(&f, &u, 4);
	f *= 2.0f;
	memcpy(o + 60, &f, 4);
}

/* as_*() conversions, byte for byte. */
static bool
test_as_types(void)
{
	const size_t n = 4096;
	uint8_t *in = malloc(n * 16), *out = calloc(n, 64), want[64];
	cl_mem min = NULL, mout = NULL;
	cl_program p = NULL;
	cl_kernel k = build_kernel(as_types_src, "as_types", &p);
	bool ok = false;
	cl_int err;

	if (!in || !out || !k)
		goto out;
	for (size_t i = 0; i < n * 16; i += 8) {
		uint64_t r = rand64();

		memcpy(in + i, &r, 8);
	}
	min = clCreateBuffer(ctx, CL_MEM_COPY_HOST_PTR, n * 16, in, &err);
	mout = clCreateBuffer(ctx, CL_MEM_WRITE_ONLY, n * 64, NULL, &err);
	if (!min || !mout || clSetKernelArg(k, 0, sizeof(min), &min) ||
	    clSetKernelArg(k, 1, sizeof(mout), &mout) || !run(k, n) ||
	    clEnqueueReadBuffer(queue, mout, CL_TRUE, 0, n * 64, out, 0, NULL,
				NULL))
		goto out;
	ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		as_types_ref(in + i * 16, want);
		for (int b = 0; b < 64; b++) {
			if (out[i * 64 + b] != want[b]) {
				printf("  item %zu byte %d: 0x%02x, want 0x%02x\n", i,
				       b, out[i * 64 + b], want[b]);
				ok = false;
				break;
			}
		}
	}
out:
	release_mem(min);
	release_mem(mout);
	release(k, p);
	free(in);
	free(out);
	return ok;
}

/*
 * vload_half and vstore_half (core OpenCL, no cl_khr_fp16 needed): every
 * half to float, and floats across half's range (denormals, overflow,
 * infinities, NaN) to half, rounded to nearest even and towards zero.
 */
static const char *half_src =
	"kernel void half_conv(global const half *h, global float *f,\n"
	"                      global const float *x, global half *rte,\n"
	"                      global half *rtz)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	f[i] = vload_half(i, h);\n"
	"	vstore_half(x[i], i, rte);\n"
	"	vstore_half_rtz(x[i], i, rtz);\n"
	"}\n";

static uint16_t
half_bits(_Float16 h)
{
	uint16_t b;

	memcpy(&b, &h, 2);
	return b;
}

/* Round towards zero from the nearest-even result. */
static uint16_t
half_rtz(float f)
{
	_Float16 h = (_Float16)f;
	uint16_t b = half_bits(h);

	if (isnan(f))
		return b;
	if (isinf(h) && !isinf(f))
		return (uint16_t)((b & 0x8000) | 0x7bff);
	if (fabsf((float)h) > fabsf(f))
		b--;	/* one step towards zero in magnitude */
	return b;
}

static bool
same_half(uint16_t a, uint16_t b)
{
	bool nan_a = (a & 0x7c00) == 0x7c00 && (a & 0x3ff);
	bool nan_b = (b & 0x7c00) == 0x7c00 && (b & 0x3ff);

	return nan_a || nan_b ? nan_a == nan_b : a == b;
}

static bool
test_half_conversions(void)
{
	const size_t n = 65536;
	uint16_t *h = malloc(n * 2), *rte = calloc(n, 2), *rtz = calloc(n, 2);
	float *f = calloc(n, 4), *x = malloc(n * 4);
	cl_mem m[5] = { NULL };
	cl_program p = NULL;
	cl_kernel k = build_kernel(half_src, "half_conv", &p);
	unsigned int bad = 0;
	bool ok = false;
	cl_int err;

	if (!h || !rte || !rtz || !f || !x || !k)
		goto out;
	for (size_t i = 0; i < n; i++) {
		uint32_t bits;

		h[i] = (uint16_t)i;
		/* Exponents around half's range, all mantissas. */
		bits = (uint32_t)rand64();
		bits = (bits & 0x807fffffu) |
		       ((uint32_t)(96 + (rand64() % 64)) << 23);
		memcpy(&x[i], &bits, 4);
	}
	x[0] = INFINITY;
	x[1] = -INFINITY;
	x[2] = NAN;
	x[3] = 65520.0f;	/* rounds to infinity, truncates to 65504 */
	x[4] = 0x1p-25f;	/* a tie at the smallest denormal */
	x[5] = -0.0f;
	m[0] = clCreateBuffer(ctx, CL_MEM_COPY_HOST_PTR, n * 2, h, &err);
	m[1] = clCreateBuffer(ctx, CL_MEM_WRITE_ONLY, n * 4, NULL, &err);
	m[2] = clCreateBuffer(ctx, CL_MEM_COPY_HOST_PTR, n * 4, x, &err);
	m[3] = clCreateBuffer(ctx, CL_MEM_WRITE_ONLY, n * 2, NULL, &err);
	m[4] = clCreateBuffer(ctx, CL_MEM_WRITE_ONLY, n * 2, NULL, &err);
	for (int i = 0; i < 5; i++)
		if (!m[i] || clSetKernelArg(k, i, sizeof(m[i]), &m[i]))
			goto out;
	if (!run(k, n) ||
	    clEnqueueReadBuffer(queue, m[1], CL_TRUE, 0, n * 4, f, 0, NULL, NULL) ||
	    clEnqueueReadBuffer(queue, m[3], CL_TRUE, 0, n * 2, rte, 0, NULL, NULL) ||
	    clEnqueueReadBuffer(queue, m[4], CL_TRUE, 0, n * 2, rtz, 0, NULL, NULL))
		goto out;
	for (size_t i = 0; i < n; i++) {
		_Float16 hv;
		float want;
		uint16_t w;

		memcpy(&hv, &h[i], 2);
		want = (float)hv;
		if (memcmp(&want, &f[i], 4) && !(isnan(want) && isnan(f[i]))) {
			if (bad++ < 5)
				printf("  vload_half(0x%04x) = %a, want %a\n", h[i],
				       f[i], want);
		}
		w = half_bits((_Float16)x[i]);
		if (!same_half(rte[i], w) && bad++ < 5)
			printf("  vstore_half(%a) = 0x%04x, want 0x%04x\n", x[i],
			       rte[i], w);
		w = half_rtz(x[i]);
		if (!same_half(rtz[i], w) && bad++ < 5)
			printf("  vstore_half_rtz(%a) = 0x%04x, want 0x%04x\n",
			       x[i], rtz[i], w);
	}
	ok = !bad;
	if (bad)
		printf("  %u mismatches\n", bad);
out:
	for (int i = 0; i < 5; i++)
		release_mem(m[i]);
	release(k, p);
	free(h);
	free(rte);
	free(rtz);
	free(f);
	free(x);
	return ok;
}

/*
 * A kernel the device's compiler rejects (vsvm has no native_sin: NIR's
 * fsin) must fail clBuildProgram with a log, not crash the process, and the
 * context must still build and run other programs.
 */
static bool
test_rejected_kernel_build_error(void)
{
	static const char *bad_src =
		"kernel void bad(global float *x)\n"
		"{\n"
		"	x[get_global_id(0)] = native_sin(x[get_global_id(0)]);\n"
		"}\n";
	static const char *good_src =
		"kernel void good(global int *x) { x[get_global_id(0)] += 1; }\n";
	const char *src = bad_src;
	cl_program p = clCreateProgramWithSource(ctx, 1, &src, NULL, NULL);
	cl_build_status status = CL_BUILD_NONE;
	char log[4096] = "";
	cl_int err, x[64] = { 0 };
	cl_kernel k = NULL;
	cl_mem m = NULL;
	bool ok = false;

	if (!p)
		return false;
	err = clBuildProgram(p, 1, &dev, "", NULL, NULL);
	clGetProgramBuildInfo(p, dev, CL_PROGRAM_BUILD_STATUS, sizeof(status),
			      &status, NULL);
	clGetProgramBuildInfo(p, dev, CL_PROGRAM_BUILD_LOG, sizeof(log), log, NULL);
	printf("  clBuildProgram = %d, status %d, log: %s\n", err, status, log);
	if (err != CL_BUILD_PROGRAM_FAILURE || status != CL_BUILD_ERROR ||
	    !strstr(log, "bad"))
		goto out;
	if (clCreateKernel(p, "bad", &err) || err != CL_INVALID_PROGRAM_EXECUTABLE) {
		printf("  clCreateKernel on the failed build = %d\n", err);
		goto out;
	}
	clReleaseProgram(p);
	k = build_kernel(good_src, "good", &p);
	m = clCreateBuffer(ctx, CL_MEM_COPY_HOST_PTR, sizeof(x), x, &err);
	if (!k || !m || clSetKernelArg(k, 0, sizeof(m), &m) || !run(k, 64) ||
	    clEnqueueReadBuffer(queue, m, CL_TRUE, 0, sizeof(x), x, 0, NULL, NULL))
		goto out;
	ok = true;
	for (int i = 0; i < 64; i++)
		ok &= x[i] == 1;
out:
	release_mem(m);
	release(k, p);
	return ok;
}

static const char *svm_src =
	"kernel void addr(global long *b, global ulong *out)\n"
	"{\n"
	"	out[0] = (ulong)&b[0];\n"
	"	out[1] = (ulong)&b[5];\n"
	"	b[get_global_id(0)] += 1;\n"
	"}\n"
	"kernel void link(global long *a, global long * global *b, uint n)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	b[i] = &a[(i * 7) % n];\n"
	"}\n"
	"kernel void follow(global long * global *b, global long *out)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	out[i] = *b[i] * 2;\n"
	"}\n"
	"kernel void add_one(global long *x)\n"
	"{\n"
	"	x[get_global_id(0)] += 1;\n"
	"}\n";

/*
 * A kernel given @m reports the address of its first and sixth element:
 * both must be @host's.
 */
static bool
check_buffer_address(cl_kernel k, cl_mem m, void *host, uint64_t *addrs,
		     const char *what)
{
	addrs[0] = addrs[1] = 0;
	CHECK(clSetKernelArg(k, 0, sizeof(m), &m));
	CHECK(clSetKernelArgSVMPointer(k, 1, addrs));
	if (!run(k, 1))
		return false;
	printf("  %s: host %p, device %#" PRIx64 "\n", what, host, addrs[0]);
	return addrs[0] == (uintptr_t)host && addrs[1] == (uintptr_t)host + 40;
}

/*
 * CL_MEM_USE_HOST_PTR over clSVMAlloc and malloc memory: the buffer's
 * device address is the host pointer (as the OpenCL SVM rules want for SVM
 * memory), also for a sub-buffer, and pointers a kernel stores in one such
 * buffer to another are host pointers the CPU and the next kernel follow.
 */
static bool
test_use_host_ptr_address(void)
{
	const size_t n = 1024;
	cl_uint align_bits = 0;
	int64_t *svm = clSVMAlloc(ctx, CL_MEM_READ_WRITE, n * 8, 0);
	int64_t *svm2 = clSVMAlloc(ctx, CL_MEM_READ_WRITE, n * 8, 0);
	int64_t *heap = malloc(n * 8), *out = clSVMAlloc(ctx, CL_MEM_READ_WRITE, n * 8, 0);
	uint64_t *addrs = clSVMAlloc(ctx, CL_MEM_READ_WRITE, 16, 0);
	cl_program p = NULL;
	cl_kernel k = build_kernel(svm_src, "addr", &p), kl = NULL, kf = NULL;
	cl_mem m = NULL, msub = NULL, mheap = NULL, m2 = NULL;
	cl_buffer_region region;
	cl_uint nn = n;
	bool ok = false;
	cl_int err;

	if (!svm || !svm2 || !heap || !out || !addrs || !k)
		goto out;
	kl = clCreateKernel(p, "link", &err);
	kf = clCreateKernel(p, "follow", &err);
	if (!kl || !kf)
		goto out;
	for (size_t i = 0; i < n; i++)
		svm[i] = heap[i] = (int64_t)rand64();
	m = clCreateBuffer(ctx, CL_MEM_USE_HOST_PTR, n * 8, svm, &err);
	mheap = clCreateBuffer(ctx, CL_MEM_USE_HOST_PTR, n * 8, heap, &err);
	m2 = clCreateBuffer(ctx, CL_MEM_USE_HOST_PTR, n * 8, svm2, &err);
	if (!m || !mheap || !m2)
		goto out;
	clGetDeviceInfo(dev, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof(align_bits),
			&align_bits, NULL);
	region.origin = align_bits / 8 * 2;
	region.size = n * 8 - region.origin;
	msub = clCreateSubBuffer(m, 0, CL_BUFFER_CREATE_TYPE_REGION, &region, &err);
	if (!msub) {
		printf("  clCreateSubBuffer(origin %zu) = %d\n", region.origin, err);
		goto out;
	}
	if (!check_buffer_address(k, m, svm, addrs, "clSVMAlloc") ||
	    !check_buffer_address(k, msub, (uint8_t *)svm + region.origin, addrs,
				  "sub-buffer") ||
	    !check_buffer_address(k, mheap, heap, addrs, "malloc"))
		goto out;

	/* Cross-buffer pointers: svm2[i] = &svm[i * 7 % n], then followed. */
	if (clSetKernelArg(kl, 0, sizeof(m), &m) ||
	    clSetKernelArg(kl, 1, sizeof(m2), &m2) ||
	    clSetKernelArg(kl, 2, sizeof(nn), &nn) || !run(kl, n) ||
	    clSetKernelArg(kf, 0, sizeof(m2), &m2) ||
	    clSetKernelArgSVMPointer(kf, 1, out) || !run(kf, n))
		goto out;
	ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		int64_t *want = &svm[(i * 7) % n];

		if ((int64_t *)(uintptr_t)svm2[i] != want || out[i] != *want * 2) {
			printf("  [%zu]: pointer %#" PRIx64 " (want %p), value %" PRId64
			       " (want %" PRId64 ")\n", i, (uint64_t)svm2[i],
			       (void *)want, out[i], *want * 2);
			ok = false;
		}
	}
out:
	release_mem(msub);
	release_mem(m);
	release_mem(m2);
	release_mem(mheap);
	release(kl, NULL);
	release(kf, NULL);
	release(k, p);
	clSVMFree(ctx, svm);
	clSVMFree(ctx, svm2);
	clSVMFree(ctx, out);
	clSVMFree(ctx, addrs);
	free(heap);
	return ok;
}

/*
 * clSetKernelExecInfo(CL_KERNEL_EXEC_INFO_SVM_PTRS) with a list, then with
 * none (0, NULL: the spec's way to clear it); the kernel still runs.
 */
static bool
test_exec_info_svm_ptrs(void)
{
	const size_t n = 256;
	int64_t *x = clSVMAlloc(ctx, CL_MEM_READ_WRITE, n * 8, 0);
	cl_program p = NULL;
	cl_kernel k = build_kernel(svm_src, "add_one", &p);
	void *ptrs[1] = { x };
	bool ok = false;
	cl_int err;

	if (!x || !k)
		goto out;
	for (size_t i = 0; i < n; i++)
		x[i] = (int64_t)i;
	err = clSetKernelExecInfo(k, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof(ptrs), ptrs);
	if (err) {
		printf("  SVM_PTRS with one pointer = %d\n", err);
		goto out;
	}
	err = clSetKernelExecInfo(k, CL_KERNEL_EXEC_INFO_SVM_PTRS, 0, NULL);
	if (err) {
		printf("  SVM_PTRS with none (0, NULL) = %d\n", err);
		goto out;
	}
	if (clSetKernelArgSVMPointer(k, 0, x) || !run(k, n))
		goto out;
	ok = true;
	for (size_t i = 0; i < n; i++)
		ok &= x[i] == (int64_t)i + 1;
out:
	release(k, p);
	clSVMFree(ctx, x);
	return ok;
}

/*
 * 64-bit atomics (cl_khr_int64_base_atomics, cl_khr_int64_extended_atomics)
 * on malloc()ed counters that CPU threads hit with C11 atomics at the same
 * time.  The counters start just below 2^32, so every add carries into the
 * upper word; GPU and CPU both add 1 and 2^33.  The work-items start once
 * both threads increment, and the threads stop after the kernel: they
 * always race.
 */
static const char *int64_atomics_src =
	"#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable\n"
	"#pragma OPENCL EXTENSION cl_khr_int64_extended_atomics : enable\n"
	"kernel void atom64(volatile global long *c, global long *old)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	long big = 1l << 33;\n"
	"	/* c[10]: host threads incrementing already */\n"
	"	while (atom_or(&c[10], 0) < 2)\n"
	"		;\n"
	"	for (int k = 0; k < 16; k++) {\n"
	"		atom_add(&c[0], 1);\n"
	"		atom_add(&c[1], big);\n"
	"		atom_inc(&c[2]);\n"
	"	}\n"
	"	/* a compare-and-swap loop adding i */\n"
	"	long v = c[3], seen;\n"
	"	while ((seen = atom_cmpxchg(&c[3], v, v + (long)i)) != v)\n"
	"		v = seen;\n"
	"	atom_max(&c[4], (long)i << 40);\n"
	"	atom_min(&c[5], -((long)i << 40));\n"
	"	atom_or(&c[6], 1l << (i & 63));\n"
	"	atom_and(&c[7], ~(1l << (i & 63)));\n"
	"	atom_xor(&c[8], (long)i << 32);\n"
	"	old[i] = atom_xchg(&c[9], (long)i << 32 | 1);\n"
	"}\n";

struct atomic64_racer {
	_Atomic int64_t *c;
	_Atomic int *stop;
	long done;
};

static void *
race64(void *arg)
{
	struct atomic64_racer *r = arg;

	for (bool started = false; !atomic_load(r->stop); started = true) {
		atomic_fetch_add(&r->c[0], 1);
		atomic_fetch_add(&r->c[1], (int64_t)1 << 33);
		atomic_fetch_add(&r->c[2], 1);
		r->done++;
		if (!started)
			atomic_fetch_add(&r->c[10], 1);
	}
	return NULL;
}

static bool
test_int64_atomics(void)
{
	const size_t n = 1024;
	const int64_t start = 0xffffff00ll;
	_Atomic int64_t *c = malloc(11 * sizeof(*c));
	int64_t *old = calloc(n, 8), want[10];
	_Atomic int stop = 0;
	struct atomic64_racer r[2];
	pthread_t thr[2];
	cl_program p = NULL;
	cl_kernel k = NULL;
	bool ok = false, started = false;
	long cpu = 0;

	/* cl_run_tests() checked the base extension. */
	if (!cl_has_extension(dev, "cl_khr_int64_extended_atomics")) {
		printf("  no cl_khr_int64_extended_atomics\n");
		goto out;
	}
	k = build_kernel(int64_atomics_src, "atom64", &p);
	if (!c || !old || !k)
		goto out;
	for (int i = 0; i < 3; i++)
		atomic_store(&c[i], start);
	atomic_store(&c[3], start);
	atomic_store(&c[4], INT64_MIN);
	atomic_store(&c[5], INT64_MAX);
	atomic_store(&c[6], 0);
	atomic_store(&c[7], -1);
	atomic_store(&c[8], 0x5555);
	atomic_store(&c[9], 7);
	atomic_store(&c[10], 0);
	for (int i = 0; i < 2; i++) {
		r[i] = (struct atomic64_racer){ c, &stop, 0 };
		pthread_create(&thr[i], NULL, race64, &r[i]);
	}
	started = true;
	ok = !clSetKernelArgSVMPointer(k, 0, (void *)c) &&
	     !clSetKernelArgSVMPointer(k, 1, old) && run(k, n);
out:
	atomic_store(&stop, 1);
	for (int i = 0; started && i < 2; i++) {
		pthread_join(thr[i], NULL);
		cpu += r[i].done;
	}
	if (ok) {
		int64_t x = 0x5555, sum = 0;
		bool seen[1024] = { false }, seen7 = false;

		for (size_t i = 0; i < n; i++) {
			x ^= (int64_t)i << 32;
			sum += (int64_t)i;
		}
		want[0] = start + (int64_t)n * 16 + cpu;
		want[1] = start + (((int64_t)n * 16 + cpu) << 33);
		want[2] = want[0];
		want[3] = start + sum;
		want[4] = (int64_t)(n - 1) << 40;
		want[5] = -((int64_t)(n - 1) << 40);
		want[6] = -1;
		want[7] = 0;
		want[8] = x;
		want[9] = 0;	/* checked below: one of the values stored */
		printf("  GPU %zu x 16 + CPU %ld increments per counter\n", n, cpu);
		for (int i = 0; i < 9; i++) {
			if (atomic_load(&c[i]) != want[i]) {
				printf("  counter %d: %#" PRIx64 ", want %#" PRIx64 "\n",
				       i, (uint64_t)atomic_load(&c[i]),
				       (uint64_t)want[i]);
				ok = false;
			}
		}
		/* xchg: the old values and the final one are 7 and every i once */
		for (size_t i = 0; i <= n && ok; i++) {
			int64_t v = i < n ? old[i] : atomic_load(&c[9]);

			if (v == 7 && !seen7) {
				seen7 = true;
			} else if ((v & 0xffffffff) == 1 && (v >> 32) < (int64_t)n &&
				   !seen[v >> 32]) {
				seen[v >> 32] = true;
			} else {
				printf("  xchg value %#" PRIx64 " unexpected\n",
				       (uint64_t)v);
				ok = false;
			}
		}
	}
	release(k, p);
	free((void *)c);
	free(old);
	return ok;
}

/*
 * SVM atomics (CL_DEVICE_SVM_ATOMICS): C11-style atomics at all-devices
 * scope on fine-grain SVM memory, with the host's C11 atomics on the same
 * words at the same time.
 */
static const char *svm_atomics_src =
	"/* go[0]: items done; go[1]: host threads incrementing already */\n"
	"kernel void count(global atomic_long *c, global atomic_int *go)\n"
	"{\n"
	"	while (atomic_load_explicit(&go[1], memory_order_relaxed,\n"
	"				    memory_scope_all_svm_devices) < 2)\n"
	"		;\n"
	"	for (int k = 0; k < 16; k++)\n"
	"		atomic_fetch_add_explicit(c, 1, memory_order_relaxed,\n"
	"					  memory_scope_all_svm_devices);\n"
	"	atomic_fetch_add_explicit(go, 1, memory_order_relaxed,\n"
	"				  memory_scope_all_svm_devices);\n"
	"}\n"
	"/* The handoff, both ways, while the kernel runs (one item). */\n"
	"kernel void handoff(global int *to_host, global const int *to_dev,\n"
	"                    global int *out, global atomic_int *flag, int n)\n"
	"{\n"
	"	for (int i = 0; i < n; i++)\n"
	"		to_host[i] = i * 3 + 1;\n"
	"	atomic_store_explicit(&flag[0], 1, memory_order_release,\n"
	"			      memory_scope_all_svm_devices);\n"
	"	while (atomic_load_explicit(&flag[1], memory_order_acquire,\n"
	"				    memory_scope_all_svm_devices) != 1)\n"
	"		;\n"
	"	for (int i = 0; i < n; i++)\n"
	"		out[i] = to_dev[i];\n"
	"}\n"
	"/* Consumers of a bounded MPMC queue (a sequence number per cell). */\n"
	"typedef struct { atomic_uint seq; uint value; } cell_t;\n"
	"kernel void consume(global cell_t *cells, global atomic_uint *head,\n"
	"                    uint mask, uint per_item, global atomic_uint *seen)\n"
	"{\n"
	"	for (uint k = 0; k < per_item; k++) {\n"
	"		uint pos = atomic_load_explicit(head, memory_order_relaxed,\n"
	"						memory_scope_all_svm_devices);\n"
	"		global cell_t *c;\n"
	"		for (;;) {\n"
	"			c = &cells[pos & mask];\n"
	"			uint seq = atomic_load_explicit(&c->seq,\n"
	"				memory_order_acquire, memory_scope_all_svm_devices);\n"
	"			if (seq == pos + 1 &&\n"
	"			    atomic_compare_exchange_strong_explicit(head, &pos,\n"
	"				pos + 1, memory_order_relaxed, memory_order_relaxed,\n"
	"				memory_scope_all_svm_devices))\n"
	"				break;\n"
	"			pos = atomic_load_explicit(head, memory_order_relaxed,\n"
	"						   memory_scope_all_svm_devices);\n"
	"		}\n"
	"		uint v = c->value;\n"
	"		atomic_store_explicit(&c->seq, pos + mask + 1,\n"
	"			memory_order_release, memory_scope_all_svm_devices);\n"
	"		atomic_fetch_add_explicit(&seen[v], 1, memory_order_relaxed,\n"
	"					  memory_scope_all_svm_devices);\n"
	"	}\n"
	"}\n";

struct svm_counter_racer {
	_Atomic int64_t *c;
	_Atomic int *go;	/* work-items done, threads started */
	int items;
	long done;
};

/* Increments until every work-item is done: they all race the host. */
static void *
svm_counter_race(void *arg)
{
	struct svm_counter_racer *r = arg;

	atomic_fetch_add(r->c, 1);
	r->done++;
	atomic_fetch_add(&r->go[1], 1);
	while (atomic_load(&r->go[0]) < r->items) {
		atomic_fetch_add(r->c, 1);
		r->done++;
	}
	return NULL;
}

/*
 * The kernel's and two host threads' increments of one counter all count.
 * The work-items start incrementing only once both threads have, and the
 * threads stop only once every work-item is done: they always race.
 */
static bool
test_svm_atomics_counter(void)
{
	const int items = 512;
	cl_svm_mem_flags fl = CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER |
			      CL_MEM_SVM_ATOMICS;
	_Atomic int64_t *c = clSVMAlloc(ctx, fl, 8, 0);
	_Atomic int *go = clSVMAlloc(ctx, fl, 8, 0);
	struct svm_counter_racer r[2];
	pthread_t thr[2];
	cl_program p = NULL;
	cl_kernel k = build_kernel(svm_atomics_src, "count", &p);
	bool ok = false;
	long cpu = 0;

	if (!c || !go || !k)
		goto out;
	atomic_store(c, 0xfffffff0ll);
	atomic_store(&go[0], 0);
	atomic_store(&go[1], 0);
	for (int i = 0; i < 2; i++) {
		r[i] = (struct svm_counter_racer){ c, go, items, 0 };
		pthread_create(&thr[i], NULL, svm_counter_race, &r[i]);
	}
	ok = !clSetKernelArgSVMPointer(k, 0, (void *)c) &&
	     !clSetKernelArgSVMPointer(k, 1, (void *)go) && run(k, items);
	if (!ok)
		atomic_store(&go[0], items);	/* let the threads end */
	for (int i = 0; i < 2; i++) {
		pthread_join(thr[i], NULL);
		cpu += r[i].done;
	}
	printf("  GPU %d x 16 + CPU %ld increments: %#" PRIx64 "\n", items, cpu,
	       (uint64_t)atomic_load(c));
	ok = ok && atomic_load(c) == 0xfffffff0ll + items * 16 + cpu;
out:
	release(k, p);
	clSVMFree(ctx, (void *)c);
	clSVMFree(ctx, (void *)go);
	return ok;
}

/*
 * Flag-and-payload handoff in both directions within one kernel run: the
 * kernel writes a payload with plain stores and releases flag 0; the host
 * acquires it and checks the payload while the kernel still waits (it
 * cannot end before flag 1), writes its own payload and releases flag 1;
 * the kernel acquires that and copies the host's payload out.
 */
static bool
test_svm_atomics_handoff(void)
{
	const int n = 4096;
	cl_svm_mem_flags fl = CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER |
			      CL_MEM_SVM_ATOMICS;
	int *to_host = clSVMAlloc(ctx, fl, n * 4, 0);
	int *to_dev = clSVMAlloc(ctx, fl, n * 4, 0);
	int *out = clSVMAlloc(ctx, fl, n * 4, 0);
	_Atomic int *flag = clSVMAlloc(ctx, fl, 8, 0);
	cl_program p = NULL;
	cl_kernel k = build_kernel(svm_atomics_src, "handoff", &p);
	bool ok = false, seen = false;
	cl_int status = CL_QUEUED;
	cl_event ev = NULL;
	size_t one = 1;
	double t;

	if (!to_host || !to_dev || !out || !flag || !k)
		goto out;
	memset(to_host, 0, n * 4);
	memset(out, 0, n * 4);
	atomic_store(&flag[0], 0);
	atomic_store(&flag[1], 0);
	if (clSetKernelArgSVMPointer(k, 0, to_host) ||
	    clSetKernelArgSVMPointer(k, 1, to_dev) ||
	    clSetKernelArgSVMPointer(k, 2, out) ||
	    clSetKernelArgSVMPointer(k, 3, (void *)flag) ||
	    clSetKernelArg(k, 4, sizeof(n), &n) ||
	    clEnqueueNDRangeKernel(queue, k, 1, NULL, &one, NULL, 0, NULL, &ev) ||
	    clFlush(queue))
		goto out;
	/* The kernel waits for flag 1, so it is still running when flag 0 is seen. */
	for (t = now_s(); now_s() - t < 60;) {
		if (atomic_load_explicit(&flag[0], memory_order_acquire)) {
			seen = true;
			break;
		}
	}
	ok = seen;
	clGetEventInfo(ev, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof(status),
		       &status, NULL);
	if (!seen)
		printf("  the host never saw flag 0\n");
	else if (status == CL_COMPLETE || status < 0) {
		printf("  the kernel ended (%d) before the host's flag\n", status);
		ok = false;
	}
	for (int i = 0; i < n && ok; i++) {
		if (to_host[i] != i * 3 + 1) {
			printf("  host read to_host[%d] = %d, want %d\n", i, to_host[i],
			       i * 3 + 1);
			ok = false;
		}
	}
	for (int i = 0; i < n; i++)
		to_dev[i] = i ^ 0x5a5a;
	atomic_store_explicit(&flag[1], 1, memory_order_release);
	if (clFinish(queue)) {
		printf("  the kernel failed\n");
		ok = false;
	}
	for (int i = 0; i < n && ok; i++) {
		if (out[i] != (i ^ 0x5a5a)) {
			printf("  kernel read to_dev[%d] = %d, want %d\n", i, out[i],
			       i ^ 0x5a5a);
			ok = false;
		}
	}
out:
	if (ev)
		clReleaseEvent(ev);
	release(k, p);
	clSVMFree(ctx, to_host);
	clSVMFree(ctx, to_dev);
	clSVMFree(ctx, out);
	clSVMFree(ctx, (void *)flag);
	return ok;
}

/* The queue's cells, as the kernel's cell_t. */
struct queue_cell {
	_Atomic uint32_t seq;
	uint32_t value;
};

struct queue_producer {
	struct queue_cell *cells;
	_Atomic uint32_t *tail;
	uint32_t mask, first, count;
	bool timed_out;
};

/* Pushes first .. first + count - 1; gives up after 60 s (a dead kernel). */
static void *
queue_produce(void *arg)
{
	struct queue_producer *p = arg;
	double t0 = now_s();

	for (uint32_t v = p->first; v < p->first + p->count; v++) {
		uint32_t pos = atomic_load_explicit(p->tail, memory_order_relaxed);
		struct queue_cell *c;

		for (;;) {
			c = &p->cells[pos & p->mask];
			if (atomic_load_explicit(&c->seq, memory_order_acquire) == pos &&
			    atomic_compare_exchange_strong_explicit(p->tail, &pos, pos + 1,
								    memory_order_relaxed,
								    memory_order_relaxed))
				break;
			if (now_s() - t0 > 60) {
				p->timed_out = true;
				return NULL;
			}
			pos = atomic_load_explicit(p->tail, memory_order_relaxed);
		}
		c->value = v;
		atomic_store_explicit(&c->seq, pos + 1, memory_order_release);
	}
	return NULL;
}

/*
 * A lock-free bounded queue in fine-grain SVM memory, 64 cells for 4 Ki
 * values: two host threads push while 64 work-items pop, so producers
 * wait for the kernel and the kernel for them.  Every value must be
 * popped exactly once.
 */
static bool
test_svm_atomics_queue(void)
{
	const uint32_t cells_n = 64, values = 4096, items = 64;
	cl_svm_mem_flags fl = CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER |
			      CL_MEM_SVM_ATOMICS;
	struct queue_cell *cells = clSVMAlloc(ctx, fl, cells_n * sizeof(*cells), 0);
	_Atomic uint32_t *ends = clSVMAlloc(ctx, fl, 8, 0);	/* head, tail */
	_Atomic uint32_t *seen = clSVMAlloc(ctx, fl, values * 4, 0);
	struct queue_producer prod[2];
	pthread_t thr[2];
	cl_program p = NULL;
	cl_kernel k = build_kernel(svm_atomics_src, "consume", &p);
	uint32_t mask = cells_n - 1, per_item = values / items;
	unsigned int bad = 0;
	size_t global = items;
	bool ok = false;

	if (!cells || !ends || !seen || !k)
		goto out;
	for (uint32_t i = 0; i < cells_n; i++)
		atomic_store(&cells[i].seq, i);
	atomic_store(&ends[0], 0);
	atomic_store(&ends[1], 0);
	for (uint32_t i = 0; i < values; i++)
		atomic_store(&seen[i], 0);
	if (clSetKernelArgSVMPointer(k, 0, cells) ||
	    clSetKernelArgSVMPointer(k, 1, (void *)&ends[0]) ||
	    clSetKernelArg(k, 2, 4, &mask) || clSetKernelArg(k, 3, 4, &per_item) ||
	    clSetKernelArgSVMPointer(k, 4, (void *)seen) ||
	    clEnqueueNDRangeKernel(queue, k, 1, NULL, &global, NULL, 0, NULL, NULL) ||
	    clFlush(queue))
		goto out;
	for (int i = 0; i < 2; i++) {
		prod[i] = (struct queue_producer){ cells, &ends[1], mask,
						   i * values / 2, values / 2, false };
		pthread_create(&thr[i], NULL, queue_produce, &prod[i]);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(thr[i], NULL);
	ok = !clFinish(queue) && !prod[0].timed_out && !prod[1].timed_out;
	if (!ok)
		printf("  the kernel failed or the producers timed out\n");
	for (uint32_t i = 0; i < values && ok; i++) {
		if (atomic_load(&seen[i]) != 1 && bad++ < 5)
			printf("  value %u popped %u times\n", i, atomic_load(&seen[i]));
	}
	ok = ok && !bad && atomic_load(&ends[0]) == values &&
	     atomic_load(&ends[1]) == values;
out:
	release(k, p);
	clSVMFree(ctx, cells);
	clSVMFree(ctx, (void *)ends);
	clSVMFree(ctx, (void *)seen);
	return ok;
}

/*
 * get_global_id() and get_local_id() in three dimensions, launched without
 * and with a global offset: Rusticl compiles a kernel variant for each,
 * and vsvm reads the first's global id from one system value.
 */
static const char *global_ids_src =
	"kernel void global_ids(global ulong *out)\n"
	"{\n"
	"	size_t x = get_global_id(0) - get_global_offset(0);\n"
	"	size_t y = get_global_id(1) - get_global_offset(1);\n"
	"	size_t z = get_global_id(2) - get_global_offset(2);\n"
	"	global ulong *o = out + 4 * (x + get_global_size(0) *\n"
	"				     (y + get_global_size(1) * z));\n"
	"	o[0] = get_global_id(0);\n"
	"	o[1] = get_global_id(1);\n"
	"	o[2] = get_global_id(2);\n"
	"	o[3] = get_local_id(0) | get_local_id(1) << 16 | get_local_id(2) << 32;\n"
	"}\n";

static bool
test_global_ids(void)
{
	const size_t global[3] = { 40, 6, 5 }, local[3] = { 20, 3, 1 };
	const size_t offsets[2][3] = { { 0, 0, 0 }, { 7, 0x10001, 3 } };
	const size_t n = global[0] * global[1] * global[2];
	uint64_t *out = malloc(n * 4 * sizeof(*out));
	cl_mem m = NULL;
	cl_program p = NULL;
	cl_kernel k = build_kernel(global_ids_src, "global_ids", &p);
	bool ok = !!out && !!k;
	cl_int err;

	if (ok)
		m = clCreateBuffer(ctx, CL_MEM_WRITE_ONLY, n * 4 * sizeof(*out), NULL, &err);
	ok = ok && m && !clSetKernelArg(k, 0, sizeof(m), &m);
	for (int v = 0; v < 2 && ok; v++) {
		const size_t *off = offsets[v];

		memset(out, 0xa5, n * 4 * sizeof(*out));
		if (clEnqueueWriteBuffer(queue, m, CL_TRUE, 0, n * 4 * sizeof(*out), out,
					 0, NULL, NULL) ||
		    clEnqueueNDRangeKernel(queue, k, 3, v ? off : NULL, global, local,
					   0, NULL, NULL) ||
		    clEnqueueReadBuffer(queue, m, CL_TRUE, 0, n * 4 * sizeof(*out), out,
					0, NULL, NULL)) {
			ok = false;
			break;
		}
		for (size_t i = 0; i < n && ok; i++) {
			size_t x = i % global[0], y = i / global[0] % global[1];
			size_t z = i / global[0] / global[1];
			uint64_t want[4] = {
				off[0] + x, off[1] + y, off[2] + z,
				x % local[0] | (y % local[1]) << 16 |
				(uint64_t)(z % local[2]) << 32,
			};

			for (int c = 0; c < 4; c++) {
				if (out[i * 4 + c] != want[c]) {
					printf("  %s offset, item (%zu, %zu, %zu) word %d: "
					       "0x%" PRIx64 ", want 0x%" PRIx64 "\n",
					       v ? "with" : "no", x, y, z, c, out[i * 4 + c],
					       want[c]);
					ok = false;
					break;
				}
			}
		}
	}
	release_mem(m);
	release(k, p);
	free(out);
	return ok;
}

static const struct cl_test tests[] = {
	{ "as_types", test_as_types, false, false, NULL },
	{ "global_ids", test_global_ids, false, false, NULL },
	{ "half_conversions", test_half_conversions, false, false, NULL },
	{ "rejected_kernel_build_error", test_rejected_kernel_build_error, false,
	  true, NULL },
	{ "use_host_ptr_address", test_use_host_ptr_address, true, false, NULL },
	{ "exec_info_svm_ptrs", test_exec_info_svm_ptrs, true, false, NULL },
	{ "int64_atomics", test_int64_atomics, true, false,
	  "cl_khr_int64_base_atomics" },
	{ "svm_atomics_counter", test_svm_atomics_counter, true, false,
	  "svm_atomics" },
	{ "svm_atomics_handoff", test_svm_atomics_handoff, true, true,
	  "svm_atomics" },
	{ "svm_atomics_queue", test_svm_atomics_queue, true, true,
	  "svm_atomics" },
};

int
main(int argc, char **argv)
{
	cl_int err;
	int first, rc;

	dev = cl_test_device(argc, argv, &first);
	if (!dev)
		return 1;
	ctx = clCreateContext(NULL, 1, &dev, NULL, NULL, &err);
	queue = clCreateCommandQueueWithProperties(ctx, dev, NULL, &err);
	if (!ctx || !queue) {
		printf("no context or queue (%d)\n0 passed, 1 failed\n", err);
		return 1;
	}
	rc = cl_run_tests(tests, ARRAY_LEN(tests), argc, argv, first, dev);
	clReleaseCommandQueue(queue);
	clReleaseContext(ctx);
	return rc;
}
