/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the OpenCL test programs: device choice, program
 * building, which tests a device can run.  Result lines, timing and the
 * debugfs counters are test-lib/test_util.h's, shared with the Vulkan
 * tests.  Header-only so each program is one file.
 */
#ifndef CL_COMMON_H
#define CL_COMMON_H

#define CL_TARGET_OPENCL_VERSION 300
#include <CL/cl.h>
#include <stdint.h>

#include "test_util.h"

#define CHECK(call)							\
	do {								\
		cl_int err_ = (call);					\
		if (err_ != CL_SUCCESS) {				\
			printf("  %s:%d: %s = %d\n", __FILE__, __LINE__,\
			       #call, err_);				\
			return false;					\
		}							\
	} while (0)

/*
 * OpenCL C for "reduce": out[group] = the sum of in[] over the work-group,
 * in local memory (tmp: a uint per work-item), a barrier per level; the
 * work-group size a power of two.
 */
#define CL_REDUCE_SRC							\
	"kernel void reduce(global const uint *in, global uint *out,\n"	\
	"                   local uint *tmp)\n"				\
	"{\n"								\
	"	size_t l = get_local_id(0), n = get_local_size(0);\n"	\
	"	tmp[l] = in[get_global_id(0)];\n"			\
	"	barrier(CLK_LOCAL_MEM_FENCE);\n"			\
	"	for (size_t s = n / 2; s > 0; s /= 2) {\n"		\
	"		if (l < s)\n"					\
	"			tmp[l] += tmp[l + s];\n"		\
	"		barrier(CLK_LOCAL_MEM_FENCE);\n"		\
	"	}\n"							\
	"	if (l == 0)\n"						\
	"		out[get_group_id(0)] = tmp[0];\n"		\
	"}\n"

struct cl_test {
	const char *name;
	bool (*fn)(void);
	bool needs_system_svm;
	bool gpu_only;	/* a CPU device runs kernels in-process */
	/* skipped on a device without this extension, or svm_atomics */
	const char *needs;
};

/* The first device whose name contains @want, in any platform. */
static inline cl_device_id
cl_find_device(const char *want)
{
	cl_platform_id plats[8];
	cl_uint np = 0;

	if (clGetPlatformIDs(ARRAY_LEN(plats), plats, &np) != CL_SUCCESS)
		return NULL;
	for (cl_uint p = 0; p < np; p++) {
		cl_device_id devs[8];
		cl_uint nd = 0;

		if (clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, ARRAY_LEN(devs),
				   devs, &nd))
			continue;
		for (cl_uint d = 0; d < nd; d++) {
			char name[256] = "";

			clGetDeviceInfo(devs[d], CL_DEVICE_NAME, sizeof(name), name,
					NULL);
			if (strstr(name, want))
				return devs[d];
		}
	}
	return NULL;
}

/*
 * The test programs' command line, "[-d DEVICE_SUBSTRING] [TEST...]": the
 * device (default: the first named *vsvm*), and in @first the index of
 * the first test name.  Prints the device's name, or the failure summary
 * and returns NULL.
 */
static inline cl_device_id
cl_test_device(int argc, char **argv, int *first)
{
	const char *want = test_device_arg(argc, argv, "vsvm", first);
	char name[256] = "";
	cl_device_id dev;

	dev = cl_find_device(want);
	if (!dev) {
		printf("no OpenCL device named *%s*\n0 passed, 1 failed\n", want);
		return NULL;
	}
	clGetDeviceInfo(dev, CL_DEVICE_NAME, sizeof(name), name, NULL);
	printf("# device: %s\n", name);
	return dev;
}

/* Builds @src for @dev; prints the log and returns NULL on failure. */
static inline cl_program
cl_build(cl_context ctx, cl_device_id dev, const char *src)
{
	cl_int err;
	cl_program p = clCreateProgramWithSource(ctx, 1, &src, NULL, &err);

	if (!p)
		return NULL;
	err = clBuildProgram(p, 1, &dev, "-cl-std=CL3.0", NULL, NULL);
	if (err != CL_SUCCESS) {
		static char log[16384];

		log[0] = '\0';
		clGetProgramBuildInfo(p, dev, CL_PROGRAM_BUILD_LOG, sizeof(log),
				      log, NULL);
		printf("  build failed (%d):\n%s\n", err, log);
		clReleaseProgram(p);
		return NULL;
	}
	return p;
}

/* Whether @dev lists @ext among its extensions. */
static inline bool
cl_has_extension(cl_device_id dev, const char *ext)
{
	char exts[8192] = "";
	size_t len = strlen(ext);

	clGetDeviceInfo(dev, CL_DEVICE_EXTENSIONS, sizeof(exts), exts, NULL);
	for (char *p = strstr(exts, ext); p; p = strstr(p + 1, ext))
		if ((p == exts || p[-1] == ' ') && (p[len] == ' ' || !p[len]))
			return true;
	return false;
}

/* Whether @dev has @what: "svm_atomics" (CL_DEVICE_SVM_ATOMICS) or an extension. */
static inline bool
cl_device_has(cl_device_id dev, const char *what)
{
	cl_device_svm_capabilities svm = 0;

	if (strcmp(what, "svm_atomics"))
		return cl_has_extension(dev, what);
	clGetDeviceInfo(dev, CL_DEVICE_SVM_CAPABILITIES, sizeof(svm), &svm, NULL);
	return svm & CL_DEVICE_SVM_ATOMICS;
}

/*
 * Runs the selected tests (all if @argc <= @first) and prints the summary.
 * Returns the process exit status.
 */
static inline int
cl_run_tests(const struct cl_test *tests, size_t n, int argc, char **argv,
	     int first, cl_device_id dev)
{
	cl_device_svm_capabilities svm = 0;
	cl_device_type type = 0;
	struct test_report r = { 0 };

	clGetDeviceInfo(dev, CL_DEVICE_SVM_CAPABILITIES, sizeof(svm), &svm, NULL);
	clGetDeviceInfo(dev, CL_DEVICE_TYPE, sizeof(type), &type, NULL);
	for (size_t i = 0; i < n; i++) {
		char why[128];

		if (!test_selected(tests[i].name, argc, argv, first))
			continue;
		if (tests[i].gpu_only && type == CL_DEVICE_TYPE_CPU) {
			test_skip(&r, tests[i].name, "CPU device");
			continue;
		}
		if (tests[i].needs_system_svm &&
		    !(svm & CL_DEVICE_SVM_FINE_GRAIN_SYSTEM)) {
			test_skip(&r, tests[i].name, "no fine-grained system SVM");
			continue;
		}
		if (tests[i].needs && !cl_device_has(dev, tests[i].needs)) {
			snprintf(why, sizeof(why), "no %s", tests[i].needs);
			test_skip(&r, tests[i].name, why);
			continue;
		}
		test_begin(&r);
		if (tests[i].fn())
			test_pass(&r, tests[i].name);
		else
			test_fail(&r, tests[i].name);
	}
	return test_end(&r);
}

#endif /* CL_COMMON_H */
