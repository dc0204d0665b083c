/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the OpenCL test programs: device choice, program
 * building, result counting.  Header-only so each program is one file.
 */
#ifndef CL_COMMON_H
#define CL_COMMON_H

#define CL_TARGET_OPENCL_VERSION 300
#include <CL/cl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <glob.h>
#include <stdlib.h>
#include <time.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define CHECK(call)							\
	do {								\
		cl_int err_ = (call);					\
		if (err_ != CL_SUCCESS) {				\
			printf("  %s:%d: %s = %d\n", __FILE__, __LINE__,\
			       #call, err_);				\
			return false;					\
		}							\
	} while (0)

struct cl_test {
	const char *name;
	bool (*fn)(void);
	bool needs_system_svm;
	bool gpu_only;	/* a CPU device runs kernels in-process */
	/* skipped on a device without this extension, or svm_atomics */
	const char *needs;
};

static inline double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/*
 * The vsvm driver's debugfs counters ("name value" lines), summed over the
 * vsvm devices.  Returns false if none is readable (not root, no debugfs,
 * no vsvm).
 */
#define VSVM_MAX_COUNTERS 64

struct vsvm_counters {
	unsigned int n;
	char name[VSVM_MAX_COUNTERS][40];
	long long value[VSVM_MAX_COUNTERS];
};

static inline bool
vsvm_read_counters(struct vsvm_counters *c)
{
	glob_t g;
	bool found = false;

	memset(c, 0, sizeof(*c));
	if (glob("/sys/kernel/debug/dri/*/counters", 0, NULL, &g))
		return false;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char line[128], name[40];
		long long v;
		FILE *f;

		/* drm lists each device twice (minor and name): take one. */
		if (!strstr(g.gl_pathv[i], "vsvm"))
			continue;
		f = fopen(g.gl_pathv[i], "r");
		if (!f)
			continue;
		found = true;
		while (fgets(line, sizeof(line), f)) {
			unsigned int k;

			if (sscanf(line, "%39s %lld", name, &v) != 2)
				continue;
			for (k = 0; k < c->n && strcmp(c->name[k], name); k++)
				;
			if (k == c->n && c->n < VSVM_MAX_COUNTERS)
				snprintf(c->name[c->n++], sizeof(c->name[0]), "%s", name);
			if (k < c->n)
				c->value[k] += v;
		}
		fclose(f);
	}
	globfree(&g);
	return found;
}

static inline long long
vsvm_counter(const struct vsvm_counters *c, const char *name)
{
	for (unsigned int k = 0; k < c->n; k++)
		if (!strcmp(c->name[k], name))
			return c->value[k];
	return 0;
}

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
	const char *want = "vsvm";
	char name[256] = "";
	cl_device_id dev;

	*first = 1;
	if (argc > 2 && !strcmp(argv[1], "-d")) {
		want = argv[2];
		*first = 3;
	}
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
	unsigned int passed = 0, failed = 0, skipped = 0;

	clGetDeviceInfo(dev, CL_DEVICE_SVM_CAPABILITIES, sizeof(svm), &svm, NULL);
	clGetDeviceInfo(dev, CL_DEVICE_TYPE, sizeof(type), &type, NULL);
	for (size_t i = 0; i < n; i++) {
		bool selected = first >= argc;
		double t;

		for (int a = first; a < argc; a++)
			selected |= !strcmp(argv[a], tests[i].name);
		if (!selected)
			continue;
		if (tests[i].gpu_only && type == CL_DEVICE_TYPE_CPU) {
			printf("SKIP: %s (CPU device)\n", tests[i].name);
			skipped++;
			continue;
		}
		if (tests[i].needs_system_svm &&
		    !(svm & CL_DEVICE_SVM_FINE_GRAIN_SYSTEM)) {
			printf("SKIP: %s (no fine-grained system SVM)\n",
			       tests[i].name);
			skipped++;
			continue;
		}
		if (tests[i].needs && !cl_device_has(dev, tests[i].needs)) {
			printf("SKIP: %s (no %s)\n", tests[i].name,
			       tests[i].needs);
			skipped++;
			continue;
		}
		t = now_s();
		if (tests[i].fn()) {
			printf("PASS: %s (%.2f s)\n", tests[i].name, now_s() - t);
			passed++;
		} else {
			printf("FAIL: %s\n", tests[i].name);
			failed++;
		}
		fflush(stdout);
	}
	printf("%u passed, %u failed, %u skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}

#endif /* CL_COMMON_H */
