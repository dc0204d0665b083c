// SPDX-License-Identifier: MIT
/*
 * Invalidation latency: how long the CPU waits for vsvm in munmap() of
 * mirrored memory (blockable invalidations) and in process_mrelease() of a
 * process with mirrored memory (non-blockable ones, as the OOM reaper
 * sends), with the engine idle and with a hostile shader running on every
 * compute unit in the same VM. The hostile shader thrashes the TLB: every
 * lane reads 8 bytes straddling two pages 64 pages apart, so every access
 * misses the direct-mapped TLB twice and walks the page table. A shootdown
 * of that VM cannot skip those compute units; what bounds its wait is that
 * the interpreter yields its TLB lock within an instruction.
 *
 * Prints p50, p99 and max of each, and the ratios hostile / idle. The
 * engine's compute units are kernel threads that compete with the caller
 * for the CPUs, which no hardware GPU does: the tails of the hostile case
 * are mostly the caller waiting for a CPU. So a third case runs as many
 * CPU-bound processes as there are compute units instead, touching no
 * vsvm memory, and hostile / CPU-busy is what vsvm itself adds to that.
 * Options: -n samples (default 200 for munmap, a quarter of it for
 * process_mrelease).
 */
#include <err.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#ifndef __NR_pidfd_open
#define __NR_pidfd_open		434
#endif
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal	424
#endif
#ifndef __NR_process_mrelease
#define __NR_process_mrelease	448
#endif

#define PAGE		4096ull
#define MIB		(1024 * 1024ull)
#define WG_LANES	256
/* What one sample unmaps: mirrored, CPU-populated, GPU-mapped 4 KiB pages. */
#define SAMPLE_PAGES	16u
/* The hostile shader's memory: 1024 pages, read 64 pages apart. */
#define HOSTILE_SIZE	(4 * MIB)
#define ARENA_SIZE	(64 * MIB)
#define MAX_SAMPLES	2000
#define MAX_SPINNERS	64

/*
 * Until *flag is nonzero, lane i reads the u64 at the end of page
 * (i + 64 k) % 1024 of base, 4 bytes into the next page. Arguments:
 * 0 flag, 8 base (u64 pointers).
 */
static const char hostile_src[] =
	"	sv r1, global_id.x\n"
	"	ldarg.u64 r2, 0\n"
	"	ldarg.u64 r3, 8\n"
	"	loop\n"
	"		ld.global.u64 r4, [r2]\n"
	"		icmp.ne.64 r5, r4, 0\n"
	"		if r5\n"
	"			break\n"
	"		endif\n"
	"		add.64 r1, r1, 64\n"
	"		and.64 r6, r1, 1023\n"
	"		shl.64 r6, r6, 12\n"
	"		add.64 r6, r6, r3\n"
	"		ld.global.u64 r7, [r6 + 4092]\n"
	"	endloop\n"
	"	end\n";

struct hostile_args {
	uint64_t flag, base;
};

struct hostile {
	uint64_t *flag;
	uint8_t *mem;
	struct bench_bo args;
	uint64_t seqno;
};

static int samples = 200;

enum load { IDLE, HOSTILE, CPU_BUSY };

/* @n processes that spin until killed, their pids to @pids. */
static void spinners_start(pid_t *pids, unsigned int n)
{
	if (n > MAX_SPINNERS)
		errx(1, "%u compute units: at most %d CPU-busy processes", n, MAX_SPINNERS);
	for (unsigned int i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			err(1, "fork");
		if (!pids[i])
			for (volatile uint64_t x = 0;; x++)
				;
	}
	/* Let the scheduler spread them, as the compute units are. */
	usleep(200000);
}

static void spinners_stop(pid_t *pids, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], NULL, 0);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct stats {
	uint64_t p50, p99, max;
};

/* Sorts the samples and prints them as a PLOT line for bench/plot. */
static const char *const load_name[] = { "idle", "hostile", "cpu-busy" };

static struct stats stats_of(uint64_t *v, int n, const char *what, enum load load)
{
	char line[16 * MAX_SAMPLES + 64];
	int len;

	qsort(v, n, sizeof(*v), cmp_u64);
	len = snprintf(line, sizeof(line), "inval_latency %s %s", what, load_name[load]);
	for (int i = 0; i < n; i++)
		len += snprintf(line + len, sizeof(line) - len, " %llu",
				(unsigned long long)v[i]);
	bench_plot("%s", line);
	return (struct stats){ v[n / 2], v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1],
			       v[n - 1] };
}

/* A CPU-address mirror over a reserved arena; samples map inside it. */
static uint8_t *arena_create(struct bench_dev *dev)
{
	uint8_t *arena = mmap(NULL, ARENA_SIZE, PROT_NONE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	int ret;

	if (arena == MAP_FAILED)
		err(1, "mmap arena");
	ret = __vsvm_vm_map_mirror(dev->fd, dev->vm, (uintptr_t)arena, ARENA_SIZE);
	if (ret)
		errx(1, "MAP_MIRROR: %s", strerror(-ret));
	return arena;
}

/* @size bytes at @at, written by the CPU and mapped by the GPU. */
static void map_mirrored(struct bench_dev *dev, uint8_t *at, uint64_t size)
{
	int ret;

	if (mmap(at, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != at)
		err(1, "mmap");
	madvise(at, size, MADV_NOHUGEPAGE);
	memset(at, 0x5a, size);
	ret = __vsvm_prefetch(dev->fd, dev->vm, (uintptr_t)at, size, 0);
	if (ret)
		errx(1, "PREFETCH: %s", strerror(-ret));
}

/* One workgroup of the hostile shader per compute unit, in @dev's VM. */
static void hostile_start(struct bench_dev *dev, uint8_t *arena, struct hostile *h)
{
	struct drm_vsvm_exec exec;
	uint32_t code_size;
	uint64_t code = bench_kernel(dev, hostile_src, &code_size);
	int ret;

	h->mem = arena + ARENA_SIZE - HOSTILE_SIZE - PAGE;
	map_mirrored(dev, h->mem, HOSTILE_SIZE + PAGE);
	h->flag = (uint64_t *)(h->mem + HOSTILE_SIZE);
	*h->flag = 0;
	bench_bo_create(dev, PAGE, &h->args);
	*(struct hostile_args *)h->args.cpu = (struct hostile_args){
		(uintptr_t)h->flag, (uintptr_t)h->mem,
	};
	vsvm_exec_init(&exec, dev->queue, code, code_size);
	exec.args_addr = h->args.gpu;
	exec.args_size = sizeof(struct hostile_args);
	exec.grid[0] = dev->num_cus;
	exec.wg_size[0] = WG_LANES;
	ret = __vsvm_exec(dev->fd, &exec);
	if (ret)
		errx(1, "EXEC: %s", strerror(-ret));
	h->seqno = exec.seqno;
	/* Let every compute unit pick its workgroup up. */
	usleep(200000);
}

static void hostile_stop(struct bench_dev *dev, struct hostile *h)
{
	struct drm_vsvm_wait w;
	int ret;

	__atomic_store_n(h->flag, 1, __ATOMIC_RELEASE);
	ret = __vsvm_wait(dev->fd, dev->queue, h->seqno, 600ll * 1000000000, &w);
	if (ret || w.status != DRM_VSVM_STATUS_OK)
		errx(1, "the hostile shader ended %d, status %s", ret,
		     vsvm_status_name(w.status));
	bench_bo_destroy(dev, &h->args);
}

static struct stats munmap_latency(struct bench_dev *dev, uint8_t *arena, enum load load)
{
	static uint64_t v[MAX_SAMPLES];
	pid_t spin[MAX_SPINNERS];
	struct hostile h;

	if (load == HOSTILE)
		hostile_start(dev, arena, &h);
	else if (load == CPU_BUSY)
		spinners_start(spin, dev->num_cus);
	for (int i = 0; i < samples; i++) {
		uint8_t *at = arena + (uint64_t)(i % 64) * SAMPLE_PAGES * PAGE;
		uint64_t t0;

		map_mirrored(dev, at, SAMPLE_PAGES * PAGE);
		t0 = bench_now_ns();
		if (munmap(at, SAMPLE_PAGES * PAGE))
			err(1, "munmap");
		v[i] = bench_now_ns() - t0;
	}
	if (load == HOSTILE)
		hostile_stop(dev, &h);
	else if (load == CPU_BUSY)
		spinners_stop(spin, dev->num_cus);
	return stats_of(v, samples, "munmap", load);
}

/*
 * A child with its own file, VM and mirrored memory (and the hostile shader
 * in that VM) is killed; the parent times process_mrelease() of it.
 * Returns false when the child's own exit released the memory first.
 */
static bool mrelease_sample(bool hostile, uint64_t *ns)
{
	int ready[2], pidfd, ret;
	uint64_t t0;
	pid_t pid;
	char c;

	if (pipe(ready))
		err(1, "pipe");
	pid = fork();
	if (pid < 0)
		err(1, "fork");
	if (!pid) {
		struct bench_dev cdev;
		struct hostile h;
		uint8_t *arena;

		bench_open(&cdev);
		arena = arena_create(&cdev);
		map_mirrored(&cdev, arena, 64 * SAMPLE_PAGES * PAGE);
		if (hostile)
			hostile_start(&cdev, arena, &h);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		errx(1, "the child did not get ready");
	close(ready[0]);
	pidfd = syscall(__NR_pidfd_open, pid, 0);
	if (pidfd < 0 || syscall(__NR_pidfd_send_signal, pidfd, SIGKILL, NULL, 0))
		err(1, "pidfd");
	t0 = bench_now_ns();
	ret = syscall(__NR_process_mrelease, pidfd, 0);
	*ns = bench_now_ns() - t0;
	close(pidfd);
	waitpid(pid, NULL, 0);
	return !ret;
}

static struct stats mrelease_latency(enum load load, unsigned int num_cus, int n)
{
	static uint64_t v[MAX_SAMPLES];
	pid_t spin[MAX_SPINNERS];
	int got = 0;

	if (load == CPU_BUSY)
		spinners_start(spin, num_cus);
	for (int tries = 0; got < n && tries < 4 * n; tries++)
		got += mrelease_sample(load == HOSTILE, &v[got]);
	if (load == CPU_BUSY)
		spinners_stop(spin, num_cus);
	if (got < n / 2)
		errx(1, "process_mrelease() found the memory released %d times of %d",
		     4 * n - got, 4 * n);
	return stats_of(v, got, "mrelease", load);
}

static void report_row(const char *row, struct stats st)
{
	printf("  %-40s %8.1f %8.1f %8.1f us\n", row, st.p50 / 1e3, st.p99 / 1e3,
	       st.max / 1e3);
}

static void report(const char *what, struct stats idle, struct stats hostile,
		   struct stats busy)
{
	bench_header(what);
	report_row("idle p50 / p99 / max", idle);
	report_row("hostile p50 / p99 / max", hostile);
	report_row("CPU-busy p50 / p99 / max", busy);
	bench_summary("%s hostile / idle = p50 %.2f x, p99 %.2f x, max %.2f x", what,
		      (double)hostile.p50 / idle.p50, (double)hostile.p99 / idle.p99,
		      (double)hostile.max / idle.max);
	bench_summary("%s hostile / CPU-busy = p50 %.2f x, p99 %.2f x, max %.2f x", what,
		      (double)hostile.p50 / busy.p50, (double)hostile.p99 / busy.p99,
		      (double)hostile.max / busy.max);
}

int main(int argc, char **argv)
{
	struct stats idle, hostile, busy;
	struct bench_dev dev;
	uint8_t *arena;
	int opt;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n')
			errx(2, "usage: %s [-n samples]", argv[0]);
		samples = atoi(optarg);
	}
	if (samples < 4 || samples > MAX_SAMPLES)
		errx(2, "samples: 4 to %d", MAX_SAMPLES);
	setvbuf(stdout, NULL, _IOLBF, 0);
	bench_open(&dev);
	printf("vsvm invalidation latency: %u compute units, %d samples of munmap() "
	       "of %u mirrored pages, %d of process_mrelease()\n", dev.num_cus,
	       samples, SAMPLE_PAGES, samples / 4);
	arena = arena_create(&dev);

	idle = munmap_latency(&dev, arena, IDLE);
	hostile = munmap_latency(&dev, arena, HOSTILE);
	busy = munmap_latency(&dev, arena, CPU_BUSY);
	report("munmap() of mirrored memory", idle, hostile, busy);

	idle = mrelease_latency(IDLE, dev.num_cus, samples / 4);
	hostile = mrelease_latency(HOSTILE, dev.num_cus, samples / 4);
	busy = mrelease_latency(CPU_BUSY, dev.num_cus, samples / 4);
	report("process_mrelease() (non-blockable)", idle, hostile, busy);

	bench_close(&dev);
	return 0;
}
