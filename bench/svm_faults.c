// SPDX-License-Identifier: MIT
/*
 * Shared virtual memory against the CPU's own memory management, side by
 * side in one process and boot:
 *
 *  1. First touch: a kernel writing one word to each page of N MiB of
 *     never-touched malloc()ed memory, so that the GPU fault path allocates
 *     every page (hmm_range_fault() with write access), against the CPU's
 *     memset() of the same size and its one-byte-per-page touch.
 *  2. Where a fault's time goes: GPU read faults on CPU-populated memory,
 *     the job's wall time against the driver's own fault_gather_ns
 *     (hmm_range_fault()) and fault_install_ns (writing GPU PTEs).
 *  3. munmap() of a GPU-mirrored region against an untouched one and a
 *     CPU-populated, unmirrored one of the same size and age, on 4 KiB
 *     pages: what the MMU notifier callbacks (GPU PTE zap, TLB shootdown,
 *     GC) add.
 *  4. The same on transparent huge pages.
 *  5. First touch again, for 1 MiB and each power of two up to -t, for the
 *     plot of its cost against the CPU's by size (bench/plot).
 *
 * Parts 1 and 2 run twice: on 4 KiB pages (MADV_NOHUGEPAGE) and on
 * transparent huge pages (MADV_HUGEPAGE). Each buffer gets a CPU-address
 * mirror binding of its own; code and arguments live in buffer objects.
 * GPU results are checked before any number is printed. Options: -t MiB
 * (parts 1 and 2, default 64), -u MiB (parts 3 and 4, default 1024,
 * halved until it fits in half the available memory), -r runs (parts 1
 * and 2, default 3; medians are reported), -R runs (parts 3 and 4,
 * default 5; the ratio is the median of the runs' ratios), -p parts to run
 * (default 12345). Parts 1 and 2 also print the fault_latency histogram of
 * their GPU faults as PLOT lines, part 5 its times.
 */
#include <err.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

#define WG_LANES	256
#define MIB		(1024 * 1024ull)
#define PAGE		4096ull
#define MAX_REPS	15

/*
 * Lane i < n writes i to the first word of page i of base, or reads it and
 * adds it to *sum. Arguments: 0 base, 8 n, 16 sum (u64; pointers).
 */
static const char touch_write_src[] =
	"	sv r1, global_id.x\n"
	"	ldarg.u64 r2, 0\n"
	"	ldarg.u64 r3, 8\n"
	"	icmp.ltu.64 r4, r1, r3\n"
	"	if r4\n"
	"		shl.64 r5, r1, 12\n"
	"		add.64 r5, r5, r2\n"
	"		st.global.u64 [r5], r1\n"
	"	endif\n"
	"	end\n";

static const char touch_read_src[] =
	"	sv r1, global_id.x\n"
	"	ldarg.u64 r2, 0\n"
	"	ldarg.u64 r3, 8\n"
	"	icmp.ltu.64 r4, r1, r3\n"
	"	if r4\n"
	"		shl.64 r5, r1, 12\n"
	"		add.64 r5, r5, r2\n"
	"		ld.global.u64 r6, [r5]\n"
	"		ldarg.u64 r7, 16\n"
	"		atom.global.add.u64 r6, [r7], r6\n"
	"	endif\n"
	"	end\n";

struct touch_args {
	uint64_t base, n, sum;
};

static struct bench_dev dev;
static uint64_t write_code, read_code;
static uint32_t write_size, read_size;
static struct bench_bo args_bo;
static int reps = 3;

static const char *const counter_names[] = {
	"faults", "fault_pages", "fault_ptes_4k", "fault_ptes_2m",
	"fault_gather_ns", "fault_install_ns", "ranges_created", "gc_ranges",
	"inval_unmap", "tlb_shootdowns", "tlb_shootdown_cus_skipped",
	"inval_ns",
};
#define N_COUNTERS	(sizeof(counter_names) / sizeof(counter_names[0]))
enum {
	C_FAULTS, C_PAGES, C_PTES_4K, C_PTES_2M, C_GATHER_NS, C_INSTALL_NS,
	C_RANGES, C_GC, C_UNMAP, C_SHOOTDOWNS, C_SKIPPED,
	C_INVAL_NS,
};

struct counters {
	int64_t v[N_COUNTERS];
};

static struct counters counters(void)
{
	struct counters c;

	for (size_t i = 0; i < N_COUNTERS; i++)
		c.v[i] = bench_counter(&dev, counter_names[i]);
	return c;
}

static int64_t delta(const struct counters *a, const struct counters *b, int i)
{
	return b->v[i] - a->v[i];
}

static void mirror(void *p, uint64_t size)
{
	int ret = __vsvm_vm_map_mirror(dev.fd, dev.vm, (uintptr_t)p, size);

	if (ret)
		errx(1, "VM_BIND MAP_MIRROR of %p: %s", p, strerror(-ret));
}

static void unmirror(void *p, uint64_t size)
{
	int ret = __vsvm_vm_unmap(dev.fd, dev.vm, (uintptr_t)p, size);

	if (ret)
		errx(1, "VM_BIND UNMAP of %p: %s", p, strerror(-ret));
}

/* Runs the touch kernel over @npages pages of @base; returns its ns. */
static uint64_t gpu_touch(void *base, uint64_t npages, bool write)
{
	struct touch_args a = {
		.base = (uintptr_t)base, .n = npages,
		.sum = args_bo.gpu + sizeof(struct touch_args),
	};
	struct drm_vsvm_exec exec;
	uint64_t *sum = (uint64_t *)((uint8_t *)args_bo.cpu + a.sum -
				     args_bo.gpu);

	memcpy(args_bo.cpu, &a, sizeof(a));
	*sum = 0;
	vsvm_exec_init(&exec, dev.queue, write ? write_code : read_code,
		       write ? write_size : read_size);
	exec.args_addr = args_bo.gpu;
	exec.args_size = sizeof(a);
	exec.wg_size[0] = WG_LANES;
	exec.grid[0] = (npages + WG_LANES - 1) / WG_LANES;
	return bench_run(&dev, &exec);
}

static uint64_t read_sum(void)
{
	return *(uint64_t *)((uint8_t *)args_bo.cpu + sizeof(struct touch_args));
}

/*
 * Never-touched memory from malloc(), 2 MiB-aligned so that huge pages
 * can back it, with huge pages asked for or refused.
 */
static void *fresh_malloc(uint64_t size, bool huge)
{
	void *p = aligned_alloc(2 * MIB, size);

	if (!p)
		err(1, "aligned_alloc of %llu MiB", (unsigned long long)(size / MIB));
	if (madvise(p, size, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		err(1, "madvise");
	return p;
}

static const char *page_kind(bool huge)
{
	return huge ? "transparent huge pages" : "4 KiB pages";
}

static void check_written(const uint8_t *p, uint64_t npages)
{
	for (uint64_t i = 0; i < npages; i++)
		if (*(const uint64_t *)(p + i * PAGE) != i)
			errx(1, "page %llu: the GPU's write is missing",
			     (unsigned long long)i);
}

/* Medians of the runs of a first touch of @size bytes. */
struct touch_times {
	uint64_t memset, touch, gpu, warm;
};

/*
 * Times the CPU's and the GPU's first touch of @size bytes, @reps times;
 * *@a and *@b are the counters around the last run's GPU touch. Only the
 * GPU touches fault on the GPU.
 */
static void measure_first_touch(uint64_t size, bool huge, struct touch_times *t,
				struct counters *a, struct counters *b)
{
	uint64_t npages = size / PAGE, t_memset[MAX_REPS], t_touch[MAX_REPS];
	uint64_t t_gpu[MAX_REPS], t_warm[MAX_REPS];

	for (int r = 0; r < reps; r++) {
		uint8_t *p = fresh_malloc(size, huge);
		uint64_t start = bench_now_ns();

		memset(p, 0x5a, size);
		__asm__ volatile("" : : "r"(p) : "memory");
		t_memset[r] = bench_now_ns() - start;
		free(p);

		p = fresh_malloc(size, huge);
		start = bench_now_ns();
		for (uint64_t i = 0; i < npages; i++)
			*(volatile uint8_t *)(p + i * PAGE) = 1;
		t_touch[r] = bench_now_ns() - start;
		free(p);

		p = fresh_malloc(size, huge);
		mirror(p, size);
		*a = counters();
		t_gpu[r] = gpu_touch(p, npages, true);
		*b = counters();
		t_warm[r] = gpu_touch(p, npages, true);
		check_written(p, npages);
		unmirror(p, size);
		free(p);
	}
	t->gpu = bench_median(t_gpu, reps);
	t->warm = bench_median(t_warm, reps);
	t->memset = bench_median(t_memset, reps);
	t->touch = bench_median(t_touch, reps);
}

/* The faults between two fault_latency readings, as PLOT lines. */
static void plot_latency(const char *what, bool huge, const struct vsvm_fault_latency *la)
{
	struct vsvm_fault_latency lb;
	char label[48];

	if (!la->n_buckets || !bench_fault_latency(&dev, &lb))
		return;
	snprintf(label, sizeof(label), "%s-%s", what, huge ? "thp" : "4k");
	bench_plot_latency(label, la, &lb);
}

/* 1. First touch. */
static void first_touch(uint64_t size, bool huge)
{
	struct vsvm_fault_latency la = {};
	struct counters a = {}, b = {};
	struct touch_times t;
	uint64_t gpu, warm, cpu_set, cpu_touch;
	char what[96];

	bench_fault_latency(&dev, &la);
	measure_first_touch(size, huge, &t, &a, &b);
	plot_latency("first-touch", huge, &la);
	gpu = t.gpu;
	warm = t.warm;
	cpu_set = t.memset;
	cpu_touch = t.touch;

	snprintf(what, sizeof(what), "First touch of %llu MiB of malloc()ed "
		 "memory, %s", (unsigned long long)(size / MIB), page_kind(huge));
	bench_header(what);
	bench_row("CPU memset()", cpu_set / 1e6, "ms");
	bench_row("CPU one byte per page", cpu_touch / 1e6, "ms");
	bench_row("GPU one word per page (faults allocate)", gpu / 1e6, "ms");
	bench_row("GPU the same again, all mapped", warm / 1e6, "ms");
	if (a.v[0] >= 0) {
		bench_row("  GPU faults (last run)", delta(&a, &b, C_FAULTS), "");
		bench_row("  pages mapped: 4 KiB PTEs", delta(&a, &b, C_PTES_4K), "");
		bench_row("  pages mapped: 2 MiB PTEs", delta(&a, &b, C_PTES_2M), "");
	}
	bench_row("GPU first touch / CPU memset()", (double)gpu / cpu_set, "x");
	bench_row("GPU fault time / CPU touch time",
		  (double)(gpu > warm ? gpu - warm : 0) / cpu_touch, "x");
	bench_summary("first touch %llu MiB, %s: GPU %.4g ms = %.3g x memset() "
		      "(%.4g ms), %.3g x one byte per page (%.4g ms)",
		      (unsigned long long)(size / MIB), page_kind(huge), gpu / 1e6,
		      (double)gpu / cpu_set, cpu_set / 1e6,
		      (double)gpu / cpu_touch, cpu_touch / 1e6);
}

/* 5. First touch of growing sizes, 1 MiB to @max, for the plot. */
static void first_touch_sizes(uint64_t max, bool huge)
{
	char what[96];

	snprintf(what, sizeof(what), "First touch by size, %s: GPU / CPU memset()",
		 page_kind(huge));
	bench_header(what);
	for (uint64_t size = MIB; size <= max; size *= 2) {
		struct counters a, b;
		struct touch_times t;
		char row[48];

		measure_first_touch(size, huge, &t, &a, &b);
		snprintf(row, sizeof(row), "%llu MiB", (unsigned long long)(size / MIB));
		bench_row(row, (double)t.gpu / t.memset, "x");
		bench_plot("first_touch %s %llu %llu %llu %llu %llu", huge ? "thp" : "4k",
			   (unsigned long long)(size / MIB), (unsigned long long)t.memset,
			   (unsigned long long)t.touch, (unsigned long long)t.gpu,
			   (unsigned long long)t.warm);
	}
}

/* 2. Where the time of faults on CPU-populated memory goes. */
static void fault_breakdown(uint64_t size, bool huge)
{
	uint64_t npages = size / PAGE, expect = npages * (npages - 1) / 2;
	uint64_t t_job[MAX_REPS], t_warm[MAX_REPS], gather[MAX_REPS];
	uint64_t install[MAX_REPS], job, warm, g, in;
	double per_page_us;
	int64_t faults = 0, pages = 0;
	char what[96];

	struct vsvm_fault_latency la = {};

	if (bench_counter(&dev, "fault_gather_ns") < 0) {
		printf("\n(fault breakdown skipped: debugfs counters not readable, "
		       "run as root)\n");
		return;
	}
	bench_fault_latency(&dev, &la);
	for (int r = 0; r < reps; r++) {
		uint8_t *p = fresh_malloc(size, huge);
		struct counters a, b;

		for (uint64_t i = 0; i < npages; i++)
			*(uint64_t *)(p + i * PAGE) = i;
		mirror(p, size);
		a = counters();
		t_job[r] = gpu_touch(p, npages, false);
		b = counters();
		if (read_sum() != expect)
			errx(1, "the GPU read a wrong sum: %llu, expected %llu",
			     (unsigned long long)read_sum(),
			     (unsigned long long)expect);
		t_warm[r] = gpu_touch(p, npages, false);
		gather[r] = delta(&a, &b, C_GATHER_NS);
		install[r] = delta(&a, &b, C_INSTALL_NS);
		faults = delta(&a, &b, C_FAULTS);
		pages = delta(&a, &b, C_PAGES);
		unmirror(p, size);
		free(p);
	}
	plot_latency("populated", huge, &la);
	job = bench_median(t_job, reps);
	warm = bench_median(t_warm, reps);
	g = bench_median(gather, reps);
	in = bench_median(install, reps);

	snprintf(what, sizeof(what), "GPU read faults on %llu MiB the CPU "
		 "populated, %s", (unsigned long long)(size / MIB),
		 page_kind(huge));
	bench_header(what);
	bench_row("job, every page faulted", job / 1e6, "ms");
	bench_row("job again, all mapped", warm / 1e6, "ms");
	bench_row("  faults", faults, "");
	bench_row("  pages mapped", pages, "");
	bench_row("  page gathering, hmm_range_fault()", g / 1e6, "ms");
	bench_row("  GPU PTE install", in / 1e6, "ms");
	bench_row("  the rest: dispatch, locks, ranges", (job > warm + g + in ?
		  job - warm - g - in : 0) / 1e6, "ms");
	bench_row("page gathering / job", (double)g / job, "x");
	bench_row("PTE install / job", (double)in / job, "x");
	bench_row("(gathering + install) / (job - mapped job)",
		  (double)(g + in) / (job > warm ? job - warm : 1), "x");
	/* Unsigned times: with few faults, noise can make the mapped job slower. */
	per_page_us = (double)(job > warm ? job - warm : 0) / npages / 1e3;
	bench_row("fault cost per page", per_page_us, "us");
	bench_summary("faults on %llu MiB populated, %s: job %.4g ms, "
		      "gathering %.3g of it, PTE install %.3g, %.3g us per page",
		      (unsigned long long)(size / MIB), page_kind(huge), job / 1e6,
		      (double)g / job, (double)in / job, per_page_us);
}

/* 3. munmap() cost: untouched, CPU-populated, CPU-populated and mirrored. */
static uint64_t timed_munmap(void *p, uint64_t size)
{
	uint64_t start = bench_now_ns();

	if (munmap(p, size))
		err(1, "munmap");
	return bench_now_ns() - start;
}

/*
 * Populated by the kernel and stamped one word per page, on 4 KiB pages or
 * transparent huge pages, 2 MiB-aligned so that huge pages can back it all.
 */
static uint8_t *map_region(uint64_t size, bool populate, bool huge)
{
	uint8_t *p = mmap(NULL, size + 2 * MIB, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t head;

	if (p == MAP_FAILED)
		err(1, "mmap of %llu MiB", (unsigned long long)(size / MIB));
	head = -(uintptr_t)p & (2 * MIB - 1);
	if ((head && munmap(p, head)) || munmap(p + head + size, 2 * MIB - head))
		err(1, "munmap of the alignment slack");
	p += head;
	if (madvise(p, size, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		err(1, "madvise");
	if (populate) {
		if (madvise(p, size, MADV_POPULATE_WRITE))
			err(1, "MADV_POPULATE_WRITE of %llu MiB",
			    (unsigned long long)(size / MIB));
		for (uint64_t i = 0; i < size / PAGE; i++)
			*(uint64_t *)(p + i * PAGE) = i;
	}
	return p;
}

/*
 * munmap() of a CPU-populated region @age_ns after it was populated: as old
 * as the mirrored one, whose PREFETCH and GPU touch take seconds in the
 * emulator, so that the two differ only by the mirror.
 */
static uint64_t cpu_munmap(uint64_t size, bool huge, uint64_t age_ns)
{
	uint8_t *p = map_region(size, true, huge);

	usleep(age_ns / 1000);
	return timed_munmap(p, size);
}

static void munmap_cost(uint64_t size, bool huge, int runs)
{
	uint64_t npages = size / PAGE, expect = npages * (npages - 1) / 2;
	uint64_t t_none[MAX_REPS], t_cpu[MAX_REPS], t_gpu[MAX_REPS];
	uint64_t t_gc[MAX_REPS], ratio[MAX_REPS], none, cpu, gpu, gc = 0, age = 0;
	struct counters a = {}, b = {};
	int64_t ranges = 0;
	double r_med;
	char what[96];
	uint8_t *p;

	/* The order alternates, so that a drift of the host's speed spreads. */
	for (int r = 0; r < runs; r++) {
		p = map_region(size, false, huge);
		t_none[r] = timed_munmap(p, size);

		if (r & 1)
			t_cpu[r] = cpu_munmap(size, huge, age);

		p = map_region(size, true, huge);
		age = bench_now_ns();
		mirror(p, size);
		a = counters();
		if (__vsvm_prefetch(dev.fd, dev.vm, (uintptr_t)p, size, 0))
			errx(1, "PREFETCH of %llu MiB failed",
			     (unsigned long long)(size / MIB));
		/* The GPU has it all: one word of every page, no fault. */
		gpu_touch(p, npages, false);
		if (read_sum() != expect)
			errx(1, "the GPU read a wrong sum over the mirrored region");
		b = counters();
		ranges = delta(&a, &b, C_RANGES);
		a = b;
		age = bench_now_ns() - age;
		t_gpu[r] = timed_munmap(p, size);
		b = counters();
		t_gc[r] = 0;
		if (b.v[C_GC] >= 0) {
			uint64_t start = bench_now_ns();

			while (bench_counter(&dev, "gc_ranges") - a.v[C_GC] < ranges &&
			       bench_now_ns() - start < 10000000000ull)
				usleep(100);
			t_gc[r] = bench_now_ns() - start;
		}
		unmirror(p, size);

		if (!(r & 1))
			t_cpu[r] = cpu_munmap(size, huge, age);
		/* Per run, in thousandths: both sides saw the same host load. */
		ratio[r] = t_gpu[r] * 1000 / (t_cpu[r] ? t_cpu[r] : 1);
	}
	none = bench_median(t_none, runs);
	cpu = bench_median(t_cpu, runs);
	gpu = bench_median(t_gpu, runs);
	gc = bench_median(t_gc, runs);
	r_med = bench_median(ratio, runs) / 1000.0;

	snprintf(what, sizeof(what), "munmap() of %llu MiB, %s",
		 (unsigned long long)(size / MIB), page_kind(huge));
	bench_header(what);
	bench_row("never touched", none / 1e6, "ms");
	bench_row("populated by the CPU", cpu / 1e6, "ms");
	bench_row("populated and mirrored in the GPU page table", gpu / 1e6, "ms");
	if (b.v[C_GC] >= 0) {
		bench_row("  SVM ranges invalidated (last run)", ranges, "");
		bench_row("  UNMAP invalidation callbacks", delta(&a, &b, C_UNMAP), "");
		bench_row("  TLB shootdowns", delta(&a, &b, C_SHOOTDOWNS), "");
		bench_row("  compute units a shootdown skipped",
			  delta(&a, &b, C_SKIPPED), "");
		bench_row("  time in the invalidation callbacks",
			  delta(&a, &b, C_INVAL_NS) / 1e6, "ms");
		bench_row("  GC worker done, after munmap() returned", gc / 1e6, "ms");
	}
	bench_row("mirrored / never touched", (double)gpu / none, "x");
	bench_row("mirrored / populated by the CPU, median of runs", r_med, "x");
	bench_summary("munmap %llu MiB, %s: mirrored %.4g ms = %.3g x "
		      "CPU-populated (%.4g ms; median of %d runs' ratios), "
		      "%.3g x untouched (%.4g ms)",
		      (unsigned long long)(size / MIB), page_kind(huge),
		      gpu / 1e6, r_med, cpu / 1e6, runs, (double)gpu / none,
		      none / 1e6);
}

/* The kernel's transparent huge page mode, e.g. "always [madvise] never". */
static void thp_mode(char *buf, size_t len)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	snprintf(buf, len, "unknown");
	if (f) {
		if (fgets(buf, len, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

/* MemAvailable of /proc/meminfo, in bytes; 0 if unknown. */
static uint64_t mem_available(void)
{
	unsigned long long kb = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

int main(int argc, char **argv)
{
	uint64_t touch_mib = 64, unmap_mib = 1024, avail;
	const char *parts = "12345";
	int opt, unmap_reps = 5;
	char thp[64];

	while ((opt = getopt(argc, argv, "t:u:r:R:p:")) != -1) {
		switch (opt) {
		case 't':
			touch_mib = strtoull(optarg, NULL, 0);
			break;
		case 'u':
			unmap_mib = strtoull(optarg, NULL, 0);
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		case 'R':
			unmap_reps = atoi(optarg);
			break;
		case 'p':
			parts = optarg;
			break;
		default:
			errx(2, "usage: %s [-t MiB] [-u MiB] [-r runs] [-R munmap runs] "
			     "[-p parts, e.g. 34]", argv[0]);
		}
	}
	if (!touch_mib || !unmap_mib || reps < 1 || reps > MAX_REPS ||
	    unmap_reps < 1 || unmap_reps > MAX_REPS)
		errx(2, "sizes must be non-zero, runs 1 to %d", MAX_REPS);

	/* Room for the region and the rest of the system. */
	avail = mem_available();
	while (avail && unmap_mib > 1 && unmap_mib * MIB > avail / 2)
		unmap_mib /= 2;
	while (avail && touch_mib > 1 && touch_mib * MIB > avail / 4)
		touch_mib /= 2;

	/*
	 * A fixed threshold: glibc would otherwise raise it after the first
	 * free() and serve later "fresh" buffers from reused heap memory.
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	setvbuf(stdout, NULL, _IOLBF, 0);
	bench_open(&dev);
	thp_mode(thp, sizeof(thp));
	printf("vsvm SVM fault benchmark: %u compute units, median of %d runs "
	       "(munmap() %d), %llu MiB available,\ntransparent huge pages: %s\n",
	       dev.num_cus, reps, unmap_reps, (unsigned long long)(avail / MIB), thp);
	write_code = bench_kernel(&dev, touch_write_src, &write_size);
	read_code = bench_kernel(&dev, touch_read_src, &read_size);
	bench_bo_create(&dev, PAGE, &args_bo);

	for (int huge = 0; huge < 2; huge++) {
		if (strchr(parts, '1'))
			first_touch(touch_mib * MIB, huge);
		if (strchr(parts, '2'))
			fault_breakdown(touch_mib * MIB, huge);
		if (strchr(parts, '5'))
			first_touch_sizes(touch_mib * MIB, huge);
	}
	if (strchr(parts, '3'))
		munmap_cost(unmap_mib * MIB, false, unmap_reps);
	if (strchr(parts, '4'))
		munmap_cost(unmap_mib * MIB, true, unmap_reps);

	bench_bo_destroy(&dev, &args_bo);
	bench_close(&dev);
	return 0;
}
