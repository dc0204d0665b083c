// SPDX-License-Identifier: MIT
/*
 * OpenCL compute tests for the vsvm Rusticl driver (and any other Rusticl
 * device): GPU atomics racing CPU atomics on the same malloc()ed word,
 * local memory with barriers (scan), int64 and float math (arithmetic and
 * libclc's sin, cos, exp, log, pow) against a CPU reference with stated
 * ULP bounds, private arrays (scratch memory), local-memory atomics, char
 * and short arithmetic, and many kernels on many queues at once.  Every result is compared element by element.
 *
 * Usage: cl_compute_test [-d DEVICE_SUBSTRING] [TEST...]
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
static cl_program program;

static const char *program_src =
	"kernel void hammer(global volatile int *counter, uint per_item)\n"
	"{\n"
	"	for (uint k = 0; k < per_item; k++)\n"
	"		atomic_inc(counter);\n"
	"}\n"
	"kernel void scan(global const uint *in, global uint *out,\n"
	"                 local uint *a, local uint *b)\n"
	"{\n"
	"	size_t l = get_local_id(0), n = get_local_size(0);\n"
	"	local uint *src = a, *dst = b, *t;\n"
	"	a[l] = in[get_global_id(0)];\n"
	"	barrier(CLK_LOCAL_MEM_FENCE);\n"
	"	for (size_t off = 1; off < n; off *= 2) {\n"
	"		dst[l] = l >= off ? src[l] + src[l - off] : src[l];\n"
	"		barrier(CLK_LOCAL_MEM_FENCE);\n"
	"		t = src; src = dst; dst = t;\n"
	"	}\n"
	"	out[get_global_id(0)] = src[l];\n"
	"}\n"
	"kernel void int64_ops(global const long *x, global const long *y,\n"
	"                      global long *out)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	long a = x[i], b = y[i];\n"
	"	ulong ua = (ulong)a, ub = (ulong)b;\n"
	"	global long *o = out + i * 12;\n"
	"	o[0] = a * b;\n"
	"	o[1] = b ? a / b : 0;\n"
	"	o[2] = b ? a % b : 0;\n"
	"	o[3] = (long)(ub ? ua / ub : 0);\n"
	"	o[4] = (long)(ub ? ua % ub : 0);\n"
	"	o[5] = mul_hi(a, b);\n"
	"	o[6] = (long)mul_hi(ua, ub);\n"
	"	o[7] = (a << (b & 63)) ^ (a >> (b & 31)) ^ (long)(ua >> (b & 15));\n"
	"	o[8] = a < b ? a - b : a + b;\n"
	"	o[9] = popcount(a) + clz(b) * 100;\n"
	"	o[10] = rotate(a, b);\n"
	"	o[11] = max(a, b) - min(ua, ub);\n"
	"}\n"
	"kernel void float_ops(global const float *x, global const float *y,\n"
	"                      global float *out)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	float a = x[i], b = y[i];\n"
	"	global float *o = out + i * 8;\n"
	"	o[0] = a + b;\n"
	"	o[1] = a - b;\n"
	"	o[2] = a * b;\n"
	"	o[3] = fma(a, b, -a);\n"
	"	o[4] = a / b;\n"
	"	o[5] = sqrt(fabs(a));\n"
	"	o[6] = floor(a) + ceil(b) * 0.5f + trunc(a * b) + rint(b * 3.0f);\n"
	"	o[7] = (float)(int)(a * 1000.0f) + (float)(long)(b * -7.0f);\n"
	"}\n"
	"kernel void libm_ops(global const float *x, global float *out)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	float a = x[i];\n"
	"	global float *o = out + i * 5;\n"
	"	o[0] = sin(a);\n"
	"	o[1] = cos(a);\n"
	"	o[2] = exp(a * 0.125f);\n"
	"	o[3] = log(fabs(a) + 0.5f);\n"
	"	o[4] = pow(fabs(a) + 0.25f, 1.75f);\n"
	"}\n"
	"kernel void private_array(global const uint *in, global uint *out)\n"
	"{\n"
	"	/* Indexed by data: lives in scratch memory. */\n"
	"	uint a[32];\n"
	"	size_t i = get_global_id(0);\n"
	"	for (uint k = 0; k < 32; k++)\n"
	"		a[k] = in[i] * k + 1;\n"
	"	uint x = 0;\n"
	"	for (uint k = 0; k < 32; k++)\n"
	"		x += a[(in[i] + k * 7) & 31];\n"
	"	out[i] = x;\n"
	"}\n"
	"kernel void histogram(global const uchar *in, global uint *out)\n"
	"{\n"
	"	local uint bins[16];\n"
	"	size_t l = get_local_id(0);\n"
	"	if (l < 16)\n"
	"		bins[l] = 0;\n"
	"	barrier(CLK_LOCAL_MEM_FENCE);\n"
	"	atomic_inc(&bins[in[get_global_id(0)] & 15]);\n"
	"	barrier(CLK_LOCAL_MEM_FENCE);\n"
	"	if (l < 16)\n"
	"		atomic_add(&out[l], bins[l]);\n"
	"}\n"
	"kernel void small_types(global const char *c, global const short *s,\n"
	"                        global short *o16, global uchar *o8,\n"
	"                        global int *o32)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	char a = c[i];\n"
	"	short b = s[i];\n"
	"	o16[i] = (short)(a * b + (b >> 3));\n"
	"	o8[i] = (uchar)(a ^ (uchar)b) + (uchar)(a < 0);\n"
	"	o32[i] = (int)a * 1000 + (int)b / (a | 1) + (ushort)b;\n"
	"}\n"
	"kernel void scale(global const float *in, global float *out, float f)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	out[i] = in[i] * f + (float)i;\n"
	"}\n";

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
run(cl_command_queue q, cl_kernel k, size_t global, size_t local)
{
	CHECK(clEnqueueNDRangeKernel(q, k, 1, NULL, &global, local ? &local : NULL,
				     0, NULL, NULL));
	CHECK(clFinish(q));
	return true;
}

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

struct racer {
	_Atomic int *counter;
	_Atomic int *stop;
	long done;
};

static void *
race(void *arg)
{
	struct racer *r = arg;

	while (!atomic_load(r->stop) || r->done < 1000) {
		atomic_fetch_add(r->counter, 1);
		r->done++;
	}
	return NULL;
}

/* GPU atomic_inc and CPU atomic_fetch_add on one malloc()ed int, at once. */
static bool
test_cpu_atomic_race(void)
{
	const size_t items = 1024;
	const cl_uint per_item = 64;
	_Atomic int *counter = malloc(sizeof(*counter));
	_Atomic int stop = 0;
	struct racer r[2];
	pthread_t thr[2];
	cl_kernel k = kernel("hammer");
	long cpu = 0;
	bool ok;

	if (!counter || !k)
		return false;
	atomic_store(counter, 0);
	for (int i = 0; i < 2; i++) {
		r[i] = (struct racer){ counter, &stop, 0 };
		pthread_create(&thr[i], NULL, race, &r[i]);
	}
	ok = !clSetKernelArgSVMPointer(k, 0, (void *)counter) &&
	     !clSetKernelArg(k, 1, 4, &per_item) && run(queue, k, items, 64);
	atomic_store(&stop, 1);
	for (int i = 0; i < 2; i++) {
		pthread_join(thr[i], NULL);
		cpu += r[i].done;
	}
	printf("  GPU %zu + CPU %ld increments, counter %d\n", items * per_item,
	       cpu, atomic_load(counter));
	ok = ok && atomic_load(counter) == (long)(items * per_item) + cpu;
	free((void *)counter);
	clReleaseKernel(k);
	return ok;
}

/* Inclusive scan of each work-group, in local memory with barriers. */
static bool
test_local_scan(void)
{
	const size_t n = 1 << 13, wg = 256;
	uint32_t *in = malloc(n * 4), *out = calloc(n, 4);
	cl_kernel k = kernel("scan");
	bool ok = false;

	if (!in || !out || !k)
		goto out;
	for (size_t i = 0; i < n; i++)
		in[i] = (uint32_t)rand64() & 0xffff;
	if (clSetKernelArgSVMPointer(k, 0, in) || clSetKernelArgSVMPointer(k, 1, out) ||
	    clSetKernelArg(k, 2, wg * 4, NULL) || clSetKernelArg(k, 3, wg * 4, NULL) ||
	    !run(queue, k, n, wg))
		goto out;
	ok = true;
	for (size_t g = 0; g < n / wg && ok; g++) {
		uint32_t sum = 0;

		for (size_t l = 0; l < wg; l++) {
			sum += in[g * wg + l];
			if (out[g * wg + l] != sum) {
				printf("  out[%zu] = %u, want %u\n", g * wg + l,
				       out[g * wg + l], sum);
				ok = false;
				break;
			}
		}
	}
out:
	free(in);
	free(out);
	if (k)
		clReleaseKernel(k);
	return ok;
}

static int64_t
mulhi_s(int64_t a, int64_t b)
{
	return (int64_t)(((__int128)a * b) >> 64);
}

static uint64_t
mulhi_u(uint64_t a, uint64_t b)
{
	return (uint64_t)(((unsigned __int128)a * b) >> 64);
}

static uint64_t
rotl(uint64_t a, uint64_t b)
{
	b &= 63;
	return b ? (a << b) | (a >> (64 - b)) : a;
}

/* 64-bit integer arithmetic: exact. */
static bool
test_int64_math(void)
{
	const size_t n = 4096;
	int64_t *x = malloc(n * 8), *y = malloc(n * 8), *out = calloc(n * 12, 8);
	cl_kernel k = kernel("int64_ops");
	bool ok = false;

	if (!x || !y || !out || !k)
		goto out;
	for (size_t i = 0; i < n; i++) {
		x[i] = (int64_t)rand64() >> (i % 40);
		y[i] = (int64_t)rand64() >> (i % 61);
	}
	/* The corners: zero, -1, INT64_MIN / -1. */
	x[0] = INT64_MIN, y[0] = -1;
	x[1] = 12345, y[1] = 0;
	x[2] = -7, y[2] = 2;
	x[3] = INT64_MAX, y[3] = INT64_MIN;
	if (clSetKernelArgSVMPointer(k, 0, x) || clSetKernelArgSVMPointer(k, 1, y) ||
	    clSetKernelArgSVMPointer(k, 2, out) || !run(queue, k, n, 0))
		goto out;
	ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		int64_t a = x[i], b = y[i], w[12];
		uint64_t ua = (uint64_t)a, ub = (uint64_t)b;

		w[0] = (int64_t)(ua * ub);
		/* OpenCL leaves INT64_MIN / -1 undefined: skip that lane's op. */
		w[1] = b ? (a == INT64_MIN && b == -1 ? out[i * 12 + 1] : a / b) : 0;
		w[2] = b ? (a == INT64_MIN && b == -1 ? out[i * 12 + 2] : a % b) : 0;
		w[3] = (int64_t)(ub ? ua / ub : 0);
		w[4] = (int64_t)(ub ? ua % ub : 0);
		w[5] = mulhi_s(a, b);
		w[6] = (int64_t)mulhi_u(ua, ub);
		w[7] = (int64_t)(ua << (b & 63)) ^ (a >> (b & 31)) ^ (int64_t)(ua >> (b & 15));
		w[8] = a < b ? (int64_t)(ua - ub) : (int64_t)(ua + ub);
		w[9] = __builtin_popcountll(ua) + (ub ? __builtin_clzll(ub) : 64) * 100;
		w[10] = (int64_t)rotl(ua, ub);
		w[11] = (int64_t)((uint64_t)(a > b ? a : b) - (ua < ub ? ua : ub));
		for (int j = 0; j < 12; j++) {
			if (out[i * 12 + j] != w[j]) {
				printf("  x=%" PRId64 " y=%" PRId64 " op %d: %" PRId64
				       ", want %" PRId64 "\n", a, b, j, out[i * 12 + j], w[j]);
				ok = false;
			}
		}
	}
out:
	free(x);
	free(y);
	free(out);
	if (k)
		clReleaseKernel(k);
	return ok;
}

/* Distance in units in the last place between two finite floats. */
static uint32_t
ulps(float a, float b)
{
	int32_t ia, ib;

	memcpy(&ia, &a, 4);
	memcpy(&ib, &b, 4);
	if (ia < 0)
		ia = INT32_MIN - ia;
	if (ib < 0)
		ib = INT32_MIN - ib;
	return ia > ib ? (uint32_t)ia - (uint32_t)ib : (uint32_t)ib - (uint32_t)ia;
}

/*
 * fp32 arithmetic against the CPU.  Bounds, from the OpenCL C spec's
 * full-profile table: add, sub, mul, fma, floor/ceil/trunc/rint and
 * conversions are exact (0 ULP); x / y is within 2.5 ULP (checked as
 * <= 2) and sqrt within 3 ULP.  Inputs avoid denormals, which OpenCL
 * lets a device flush.
 */
static bool
test_float_math(void)
{
	static const uint32_t bound[8] = { 0, 0, 0, 0, 2, 3, 0, 0 };
	static const char *const names[8] = {
		"add", "sub", "mul", "fma", "div", "sqrt", "round", "cvt",
	};
	const size_t n = 8192;
	float *x = malloc(n * 4), *y = malloc(n * 4), *out = calloc(n * 8, 4);
	uint32_t worst[8] = { 0 };
	cl_kernel k = kernel("float_ops");
	bool ok = false;

	if (!x || !y || !out || !k)
		goto out;
	for (size_t i = 0; i < n; i++) {
		x[i] = ldexpf((float)(rand64() >> 40) / (float)(1 << 24) + 0.5f,
			      (int)(rand64() % 40) - 20) * ((i & 1) ? -1.0f : 1.0f);
		y[i] = ldexpf((float)(rand64() >> 40) / (float)(1 << 24) + 0.5f,
			      (int)(rand64() % 40) - 20) * ((i & 2) ? -1.0f : 1.0f);
	}
	if (clSetKernelArgSVMPointer(k, 0, x) || clSetKernelArgSVMPointer(k, 1, y) ||
	    clSetKernelArgSVMPointer(k, 2, out) || !run(queue, k, n, 0))
		goto out;
	ok = true;
	for (size_t i = 0; i < n; i++) {
		float a = x[i], b = y[i], w[8];

		w[0] = a + b;
		w[1] = a - b;
		w[2] = a * b;
		w[3] = fmaf(a, b, -a);
		w[4] = (float)((double)a / (double)b);
		w[5] = (float)sqrt((double)fabsf(a));
		w[6] = floorf(a) + ceilf(b) * 0.5f + truncf(a * b) + rintf(b * 3.0f);
		w[7] = (float)(int)(a * 1000.0f) + (float)(long)(b * -7.0f);
		for (int j = 0; j < 8; j++) {
			uint32_t u = ulps(out[i * 8 + j], w[j]);

			worst[j] = u > worst[j] ? u : worst[j];
			if (u > bound[j] && ok) {
				printf("  %s(%a, %a) = %a, want %a (%u ULP)\n", names[j],
				       a, b, out[i * 8 + j], w[j], u);
				ok = false;
			}
		}
	}
	printf("  worst ULP:");
	for (int j = 0; j < 8; j++)
		printf(" %s %u/%u", names[j], worst[j], bound[j]);
	printf("\n");
out:
	free(x);
	free(y);
	free(out);
	if (k)
		clReleaseKernel(k);
	return ok;
}

/*
 * libclc's full-precision built-ins, which compile to plain arithmetic,
 * against double-precision libm.  Bounds from the OpenCL C spec's
 * full-profile table: sin, cos 4 ULP; exp, log 3 ULP; pow 16 ULP.
 */
static bool
test_libm(void)
{
	static const uint32_t bound[5] = { 4, 4, 3, 3, 16 };
	static const char *const names[5] = { "sin", "cos", "exp", "log", "pow" };
	const size_t n = 4096;
	float *x = malloc(n * 4), *out = calloc(n * 5, 4);
	uint32_t worst[5] = { 0 };
	cl_kernel k = kernel("libm_ops");
	bool ok = false;

	if (!x || !out || !k)
		goto out;
	for (size_t i = 0; i < n; i++)
		x[i] = ((float)(rand64() >> 40) / (float)(1 << 24) - 0.5f) * 200.0f;
	if (clSetKernelArgSVMPointer(k, 0, x) || clSetKernelArgSVMPointer(k, 1, out) ||
	    !run(queue, k, n, 0))
		goto out;
	ok = true;
	for (size_t i = 0; i < n; i++) {
		double a = x[i];
		float w[5] = {
			(float)sin(a), (float)cos(a), (float)exp((double)(x[i] * 0.125f)),
			(float)log((double)(fabsf(x[i]) + 0.5f)),
			(float)pow((double)(fabsf(x[i]) + 0.25f), 1.75),
		};

		for (int j = 0; j < 5; j++) {
			uint32_t u = ulps(out[i * 5 + j], w[j]);

			worst[j] = u > worst[j] ? u : worst[j];
			if (u > bound[j] && ok) {
				printf("  %s(%a) = %a, want %a (%u ULP)\n", names[j],
				       x[i], out[i * 5 + j], w[j], u);
				ok = false;
			}
		}
	}
	printf("  worst ULP:");
	for (int j = 0; j < 5; j++)
		printf(" %s %u/%u", names[j], worst[j], bound[j]);
	printf("\n");
out:
	free(x);
	free(out);
	if (k)
		clReleaseKernel(k);
	return ok;
}

/* A private array indexed by data: scratch memory. */
static bool
test_private_array(void)
{
	const size_t n = 2048;
	uint32_t *in = malloc(n * 4), *out = calloc(n, 4);
	cl_kernel k = kernel("private_array");
	bool ok = false;

	if (!in || !out || !k)
		goto out;
	for (size_t i = 0; i < n; i++)
		in[i] = (uint32_t)rand64();
	if (clSetKernelArgSVMPointer(k, 0, in) || clSetKernelArgSVMPointer(k, 1, out) ||
	    !run(queue, k, n, 0))
		goto out;
	ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		uint32_t a[32], x = 0;

		for (uint32_t j = 0; j < 32; j++)
			a[j] = in[i] * j + 1;
		for (uint32_t j = 0; j < 32; j++)
			x += a[(in[i] + j * 7) & 31];
		if (out[i] != x) {
			printf("  out[%zu] = %u, want %u\n", i, out[i], x);
			ok = false;
		}
	}
out:
	free(in);
	free(out);
	if (k)
		clReleaseKernel(k);
	return ok;
}

/* Local-memory atomics into per-group bins, then global atomics. */
static bool
test_local_atomics(void)
{
	const size_t n = 1 << 14;
	uint8_t *in = malloc(n);
	uint32_t *out = calloc(16, 4), want[16] = { 0 };
	cl_kernel k = kernel("histogram");
	bool ok = false;

	if (!in || !out || !k)
		goto out;
	for (size_t i = 0; i < n; i++) {
		in[i] = (uint8_t)(rand64() >> 17);
		want[in[i] & 15]++;
	}
	if (clSetKernelArgSVMPointer(k, 0, in) || clSetKernelArgSVMPointer(k, 1, out) ||
	    !run(queue, k, n, 64))
		goto out;
	ok = !memcmp(out, want, sizeof(want));
	for (int b = 0; b < 16 && !ok; b++)
		printf("  bin %d: %u, want %u\n", b, out[b], want[b]);
out:
	free(in);
	free(out);
	if (k)
		clReleaseKernel(k);
	return ok;
}

/* char and short arithmetic, widened and narrowed. */
static bool
test_small_types(void)
{
	const size_t n = 4096;
	int8_t *c = malloc(n);
	int16_t *sh = malloc(n * 2), *o16 = calloc(n, 2);
	uint8_t *o8 = calloc(n, 1);
	int32_t *o32 = calloc(n, 4);
	cl_kernel k = kernel("small_types");
	bool ok = false;

	if (!c || !sh || !o16 || !o8 || !o32 || !k)
		goto out;
	for (size_t i = 0; i < n; i++) {
		c[i] = (int8_t)rand64();
		sh[i] = (int16_t)rand64();
	}
	if (clSetKernelArgSVMPointer(k, 0, c) || clSetKernelArgSVMPointer(k, 1, sh) ||
	    clSetKernelArgSVMPointer(k, 2, o16) || clSetKernelArgSVMPointer(k, 3, o8) ||
	    clSetKernelArgSVMPointer(k, 4, o32) || !run(queue, k, n, 0))
		goto out;
	ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		int8_t a = c[i];
		int16_t b = sh[i];
		int16_t w16 = (int16_t)(a * b + (b >> 3));
		uint8_t w8 = (uint8_t)((uint8_t)(a ^ (uint8_t)b) + (uint8_t)(a < 0));
		int32_t w32 = (int32_t)a * 1000 + (int32_t)b / (a | 1) + (uint16_t)b;

		if (o16[i] != w16 || o8[i] != w8 || o32[i] != w32) {
			printf("  [%zu] a=%d b=%d: %d %u %d, want %d %u %d\n", i, a, b,
			       o16[i], o8[i], o32[i], w16, w8, w32);
			ok = false;
		}
	}
out:
	free(c);
	free(sh);
	free(o16);
	free(o8);
	free(o32);
	if (k)
		clReleaseKernel(k);
	return ok;
}

/* Several queues, several kernels in flight on each, one wait at the end. */
static bool
test_many_queues(void)
{
	enum { QUEUES = 4, KERNELS = 8 };
	const size_t n = 4096;
	cl_command_queue q[QUEUES] = { 0 };
	cl_kernel k[QUEUES][KERNELS] = { { 0 } };
	float *in = malloc(n * 4), *out[QUEUES][KERNELS] = { { 0 } };
	bool ok = false;
	cl_int err;

	if (!in)
		return false;
	for (size_t i = 0; i < n; i++)
		in[i] = (float)(i % 977) * 0.125f;
	for (int a = 0; a < QUEUES; a++) {
		q[a] = clCreateCommandQueueWithProperties(ctx, dev, NULL, &err);
		if (!q[a])
			goto out;
		for (int b = 0; b < KERNELS; b++) {
			float f = (float)(a * KERNELS + b) + 0.5f;

			out[a][b] = malloc(n * 4);
			k[a][b] = kernel("scale");
			if (!out[a][b] || !k[a][b] ||
			    clSetKernelArgSVMPointer(k[a][b], 0, in) ||
			    clSetKernelArgSVMPointer(k[a][b], 1, out[a][b]) ||
			    clSetKernelArg(k[a][b], 2, 4, &f) ||
			    clEnqueueNDRangeKernel(q[a], k[a][b], 1, NULL, &n, NULL, 0,
						   NULL, NULL))
				goto out;
		}
		clFlush(q[a]);
	}
	for (int a = 0; a < QUEUES; a++)
		if (clFinish(q[a]))
			goto out;
	ok = true;
	for (int a = 0; a < QUEUES; a++) {
		for (int b = 0; b < KERNELS; b++) {
			float f = (float)(a * KERNELS + b) + 0.5f;

			for (size_t i = 0; i < n; i++) {
				float want = in[i] * f + (float)i;

				if (memcmp(&want, &out[a][b][i], 4)) {
					printf("  queue %d kernel %d [%zu] = %a, want %a\n",
					       a, b, i, out[a][b][i], want);
					ok = false;
					break;
				}
			}
		}
	}
out:
	for (int a = 0; a < QUEUES; a++) {
		for (int b = 0; b < KERNELS; b++) {
			if (k[a][b])
				clReleaseKernel(k[a][b]);
			free(out[a][b]);
		}
		if (q[a])
			clReleaseCommandQueue(q[a]);
	}
	free(in);
	return ok;
}

static const struct cl_test tests[] = {
	{ "cpu_atomic_race", test_cpu_atomic_race, true, false, NULL },
	{ "local_scan", test_local_scan, true, false, NULL },
	{ "int64_math", test_int64_math, true, false, NULL },
	{ "float_math", test_float_math, true, false, NULL },
	{ "libm", test_libm, true, false, NULL },
	{ "private_array", test_private_array, true, false, NULL },
	{ "local_atomics", test_local_atomics, true, false, NULL },
	{ "small_types", test_small_types, true, false, NULL },
	{ "many_queues", test_many_queues, true, false, NULL },
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
