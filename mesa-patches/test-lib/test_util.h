/* SPDX-License-Identifier: MIT */
/*
 * What the OpenCL and Vulkan test programs share, whatever the API:
 * result lines, test selection, timing and vsvm's debugfs counters.
 * Header-only so that each program stays one file.
 *
 * A program prints one line per test, "PASS: NAME (0.12 s)",
 * "FAIL: NAME" or "SKIP: NAME (WHY)", then "N passed, N failed,
 * N skipped".  mesa-vm-test.sh turns those lines into the guest harness's
 * subtest lines, mesa-test.sh counts them.
 */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <glob.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static inline double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- results ---- */

struct test_report {
	unsigned int passed, failed, skipped;
	double start;
};

/* Starts timing a test. */
static inline void
test_begin(struct test_report *r)
{
	r->start = now_s();
}

static inline void
test_pass(struct test_report *r, const char *name)
{
	printf("PASS: %s (%.2f s)\n", name, now_s() - r->start);
	fflush(stdout);
	r->passed++;
}

static inline void
test_fail(struct test_report *r, const char *name)
{
	printf("FAIL: %s\n", name);
	fflush(stdout);
	r->failed++;
}

static inline void
test_skip(struct test_report *r, const char *name, const char *why)
{
	printf("SKIP: %s (%s)\n", name, why);
	fflush(stdout);
	r->skipped++;
}

/* Prints the summary line; returns the process exit status. */
static inline int
test_end(const struct test_report *r)
{
	printf("%u passed, %u failed, %u skipped\n", r->passed, r->failed,
	       r->skipped);
	return r->failed ? 1 : 0;
}

/*
 * The test programs' command line, "[-d DEVICE_SUBSTRING] [TEST...]":
 * returns the device substring (@def if none) and sets @first to the
 * index of the first test name.
 */
static inline const char *
test_device_arg(int argc, char **argv, const char *def, int *first)
{
	*first = 1;
	if (argc > 2 && !strcmp(argv[1], "-d")) {
		*first = 3;
		return argv[2];
	}
	return def;
}

/* Whether test @name is selected: named in argv[@first..], or none named. */
static inline bool
test_selected(const char *name, int argc, char **argv, int first)
{
	if (first >= argc)
		return true;
	for (int a = first; a < argc; a++)
		if (!strcmp(argv[a], name))
			return true;
	return false;
}

/*
 * A test's reason to skip, set by the test itself (test_skip_because())
 * when it finds at run time that the device lacks what it needs.
 */
static char test_skip_reason[256];

static inline void
test_skip_because(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(test_skip_reason, sizeof(test_skip_reason), fmt, ap);
	va_end(ap);
}

/* ---- benchmarks ---- */

static inline int
bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of @n times (sorts them); negative if any run failed. */
static inline double
bench_median(double *t, int n)
{
	qsort(t, n, sizeof(t[0]), bench_cmp_double);
	return t[0] < 0 ? -1.0 : t[n / 2];
}

/* @a / @b as a ratio to print, 0 where either time is missing. */
static inline double
bench_ratio(double a, double b)
{
	return a > 0 && b > 0 ? a / b : 0.0;
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

/* Prints @names' increase from @a to @b, one "  name: N" line each. */
static inline void
vsvm_print_delta(const struct vsvm_counters *a, const struct vsvm_counters *b,
		 const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("  %-24s %lld\n", names[i],
		       vsvm_counter(b, names[i]) - vsvm_counter(a, names[i]));
}

#endif /* TEST_UTIL_H */
