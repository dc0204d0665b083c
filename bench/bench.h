/* SPDX-License-Identifier: MIT */
/*
 * Shared code of the vsvm engine benchmarks: opening the device, buffers
 * bound in a VM, assembling and running shaders, reading debugfs counters,
 * clocks and result tables. Built on igt-tests/lib/vsvm_uapi.[ch] and the
 * assembler library; no test framework. Every failure is fatal (err()):
 * a benchmark that cannot run reports nothing rather than a wrong number.
 */
#ifndef VSVM_BENCH_H
#define VSVM_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsvm_uapi.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

struct bench_dev {
	int fd;
	/* The device's debugfs directory, or "" when it cannot be found. */
	char debugfs[128];
	uint32_t num_cus;
	/* An SVM VM: svm_faults binds mirrors in it. */
	uint32_t vm;
	uint32_t queue;
	/* Next free GPU address for bench_bo_create() and bench_kernel(). */
	uint64_t next_va;
};

struct bench_bo {
	uint32_t handle;
	uint64_t gpu;
	uint64_t size;
	void *cpu;
};

void bench_open(struct bench_dev *dev);
void bench_close(struct bench_dev *dev);

void bench_bo_create(struct bench_dev *dev, uint64_t size,
		     struct bench_bo *bo);
void bench_bo_destroy(struct bench_dev *dev, struct bench_bo *bo);

/* Assembles @src into a read-only BO; returns its GPU address. */
uint64_t bench_kernel(struct bench_dev *dev, const char *src,
		      uint32_t *code_size);

/*
 * Runs one job and waits for it, failing unless it ends OK.
 * Return: nanoseconds from EXEC to the end of WAIT.
 */
uint64_t bench_run(struct bench_dev *dev, struct drm_vsvm_exec *exec);

/* A debugfs "counters" value, or -1 when debugfs is unavailable. */
int64_t bench_counter(struct bench_dev *dev, const char *name);

/* debugfs "fault_latency"; false when it cannot be read. */
bool bench_fault_latency(struct bench_dev *dev, struct vsvm_fault_latency *lat);

uint64_t bench_now_ns(void);

/* Median of @n samples; sorts @v. */
uint64_t bench_median(uint64_t *v, unsigned int n);

/* Prints "what  value unit" rows under a header, aligned. */
void bench_header(const char *title);
void bench_row(const char *what, double value, const char *unit);
void bench_summary(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/*
 * "PLOT: " lines: data for bench/plot, which turns a run's output into
 * PNGs (bench/README.md "Plots"). bench_plot_latency() prints the faults
 * between two fault_latency readings, one line per bucket that has some.
 */
void bench_plot(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
void bench_plot_latency(const char *label, const struct vsvm_fault_latency *a,
			const struct vsvm_fault_latency *b);

#endif /* VSVM_BENCH_H */
