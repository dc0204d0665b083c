// SPDX-License-Identifier: MIT
/*
 * vsvm-stress: a bounded-time stress of shared virtual memory.
 *
 * One process mirrors its whole address space into one VM. An arena of
 * slots is mutated by CPU threads (rewrite, munmap, mmap, mprotect,
 * MADV_DONTNEED, mremap away and back, fork with a copy-on-write touch)
 * while GPU threads run jobs that fault all over the arena: readers copy
 * words of the arena into a private buffer, writers store into the arena.
 * A reaper thread now and then kills a child process whose shader runs
 * over its own mirrored memory and reaps it with process_mrelease(), which
 * makes the kernel invalidate with non-blockable notifier calls.
 *
 * Every word of the arena holds a stamp naming its own page and word: a
 * CPU stamp also carries the page's generation, bumped before each
 * rewrite; a GPU stamp is what writers store. So every value a reader
 * copies, and every value a rewrite finds, must be zero (a fresh page), a
 * GPU stamp of that very word, or a CPU stamp of that word with a
 * generation the CPU has reached for the page. A value from another page
 * (a stale GPU translation after the page was freed and reused), a torn
 * value or a future generation fails the run. Jobs must end OK or with a
 * status the mutation explains: NO_VMA (unmapped), NO_ACCESS (PROT_NONE),
 * READ_ONLY (writers, read-only slot). Anything else fails, as does a job
 * that does not end within a minute, or a live object left once
 * everything is closed.
 *
 * The interpreter's aligned 8-byte loads and stores are single accesses on
 * x86-64, as the CPU's are, so a stamp is never seen half written.
 *
 * Usage: vsvm-stress [-t SECONDS] [-g GPU_THREADS] [-m MUTATORS] [-s SEED]
 * Exit: 0 pass, 1 failure, 77 no vsvm device (skip).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>

#include "vsvm_asm.h"
#include "vsvm_reap.h"
#include "vsvm_uapi.h"


#define PAGE		4096ull
#define WORDS		(PAGE / 8)
#define SLOT_SIZE	(256 * 1024ull)
#define SLOTS		32
#define ARENA_SIZE	(SLOTS * SLOT_SIZE)
#define ARENA_PAGES	(ARENA_SIZE / PAGE)
#define SZ_2M		(2 * 1024 * 1024ull)

/* GPU-only addresses for code and arguments, above any CPU address. */
#define BO_VA		(1ull << 47)
#define ARGS_VA		(BO_VA + (1ull << 20))

/* Lanes and turns of a job: each job touches LANES * TURNS words. */
#define LANES		256
#define TURNS		4
#define WG		64

/*
 * Limits on waiting, scaled for a busy host (VSVM_TIME_SCALE); the run's
 * length (-t) is not: a slower machine does fewer operations in it.
 */
#define JOB_TIMEOUT_NS	vsvm_scaled_limit(60ll * 1000 * 1000 * 1000)
#define POISON		0xdeadbeefdeadbeefull

/*
 * Stamps: [63:56] magic, [55] written by the GPU, [54:32] generation
 * (CPU stamps only), [31:12] page of the arena, [11:3] word of the page.
 */
#define MAGIC		0xa5ull
#define GPU_BIT		(1ull << 55)
#define GEN_MASK	0x7fffffull

static uint64_t stamp(uint32_t page, uint32_t word)
{
	return MAGIC << 56 | (uint64_t)page << 12 | (uint64_t)word << 3;
}

static uint64_t cpu_stamp(uint32_t page, uint32_t word, uint32_t gen)
{
	return stamp(page, word) | ((uint64_t)gen & GEN_MASK) << 32;
}

/*
 * Arguments of both shaders. Lane i, turn k: j = k * lanes + i, page
 * p = (base + j * stride % span) % npages, word w = (13 i + 7 k + seed) %
 * 512: a job touches up to @span pages from @base. The reader stores
 * arena[p][w] to out[j]; the writer stores the GPU stamp of (p, w) to
 * arena[p][w].
 */
struct job_args {
	uint64_t arena, out;
	uint32_t npages, base, stride, turns, lanes, seed, span, pad;
};

static uint32_t job_page(const struct job_args *a, uint32_t j)
{
	return (a->base + (uint64_t)j * a->stride % a->span) % a->npages;
}

#define ADDRESSING \
	"	sv r0, global_id.x\n" \
	"	ldarg.u64 r1, 0\n" \
	"	ldarg.u64 r2, 8\n" \
	"	ldarg.u32 r3, 16\n" \
	"	ldarg.u32 r4, 20\n" \
	"	ldarg.u32 r5, 24\n" \
	"	ldarg.u32 r6, 28\n" \
	"	ldarg.u32 r7, 32\n" \
	"	ldarg.u32 r8, 36\n" \
	"	movi r9, 0\n" \
	"	loop\n" \
	"	    icmp.eq.32 r10, r9, r6\n" \
	"	    if r10\n" \
	"	        break\n" \
	"	    endif\n" \
	"	    mul.32 r11, r9, r7\n" \
	"	    add.32 r11, r11, r0\n" \
	"	    ldarg.u32 r19, 40\n" \
	"	    mul.64 r12, r11, r5\n" \
	"	    remu.64 r12, r12, r19\n" \
	"	    add.64 r12, r12, r4\n" \
	"	    remu.64 r12, r12, r3\n" \
	"	    mul.32 r13, r0, 13\n" \
	"	    mul.32 r14, r9, 7\n" \
	"	    add.32 r13, r13, r14\n" \
	"	    add.32 r13, r13, r8\n" \
	"	    and.32 r13, r13, 511\n" \
	"	    shl.64 r15, r12, 12\n" \
	"	    shl.64 r16, r13, 3\n" \
	"	    add.64 r15, r15, r16\n" \
	"	    add.64 r15, r15, r1\n"

static const char reader_src[] =
	ADDRESSING
	"	    ld.global.u64 r17, [r15]\n"
	"	    shl.64 r18, r11, 3\n"
	"	    add.64 r18, r18, r2\n"
	"	    st.global.u64 [r18], r17\n"
	"	    add.32 r9, r9, 1\n"
	"	endloop\n"
	"	end\n";

static const char writer_src[] =
	ADDRESSING
	"	    shl.64 r17, r12, 12\n"
	"	    or.64 r17, r17, r16\n"
	"	    or.64 r17, r17, 0xa580000000000000\n"
	"	    st.global.u64 [r15], r17\n"
	"	    add.32 r9, r9, 1\n"
	"	endloop\n"
	"	end\n";

enum { SH_READER, SH_WRITER, SH_COUNT };
static const char *const shader_src[SH_COUNT] = { reader_src, writer_src };
static uint8_t *code[SH_COUNT];
static size_t code_size[SH_COUNT];

static int fd = -1;
static char dev_path[64];
static char debugfs_dir[64];
static uint32_t vm;
static uint64_t mirror_end;
static uint8_t *arena;
static _Atomic uint32_t gen[ARENA_PAGES];
static _Atomic bool stop, failed;
static bool verbose;

enum slot_state { S_RW, S_RO, S_NONE, S_UNMAPPED };

static struct slot {
	pthread_mutex_t lock;
	enum slot_state state;
} slots[SLOTS];

/* Statistics, printed at the end. */
static _Atomic uint64_t n_jobs[SH_COUNT], n_status[SH_COUNT][16];
static _Atomic uint64_t n_words, n_ops[16], n_reaped;

static void fail(const char *fmt, ...)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	va_list ap;

	pthread_mutex_lock(&lock);
	if (!atomic_exchange(&failed, true)) {
		va_start(ap, fmt);
		fputs("vsvm-stress: FAIL: ", stdout);
		vprintf(fmt, ap);
		va_end(ap);
		fflush(stdout);
	}
	atomic_store(&stop, true);
	pthread_mutex_unlock(&lock);
}

/* Fatal setup errors: not a finding about the driver, but a failure. */
static void die(const char *what, int err)
{
	fprintf(stderr, "vsvm-stress: %s: %s\n", what, strerror(err));
	exit(1);
}

/* xorshift64*, one state per thread. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/*
 * Is @v a value word @word of arena page @page may hold? @gen_now is the
 * page's generation read after the value was.
 */
static bool stamp_ok(uint64_t v, uint32_t page, uint32_t word,
		     uint32_t gen_now)
{
	uint64_t g = (v >> 32) & GEN_MASK;

	if (!v)
		return true;
	if ((v & ~(GPU_BIT | GEN_MASK << 32)) != stamp(page, word))
		return false;
	if (v & GPU_BIT)
		return !g;
	return g >= 1 && g <= (gen_now & GEN_MASK);
}

/* Debugfs: "name value" lines of the device's counters and objects. */
static int64_t debugfs_value(const char *file, const char *name)
{
	char path[128], line[128];
	size_t len = strlen(name);
	int64_t v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", debugfs_dir, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ' ')
			v = strtoll(line + len + 1, NULL, 10);
	fclose(f);
	return v;
}

static char *read_text(const char *file)
{
	char path[128];
	static char buf[4][1024];
	static int next;
	char *b = buf[next++ % 4];
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "%s/%s", debugfs_dir, file);
	f = open(path, O_RDONLY);
	if (f < 0)
		return NULL;
	n = read(f, b, sizeof(buf[0]) - 1);
	close(f);
	if (n < 0)
		return NULL;
	b[n] = '\0';
	return b;
}

static const char *const counter_names[] = {
	"faults", "retry_collision", "retry_ebusy", "fault_retry_timeouts",
	"inval_unmap", "inval_clear", "inval_protection",
	"inval_nonblock_honoured", "inval_nonblock_ns", "gc_ranges",
	"tlb_shootdowns", "jobs_failed",
};

#define N_COUNTERS (sizeof(counter_names) / sizeof(counter_names[0]))

static void counters_read(int64_t *v)
{
	for (size_t i = 0; i < N_COUNTERS; i++)
		v[i] = debugfs_value("counters", counter_names[i]);
}

/* The vsvm render node: the first whose driver is "vsvm". */
static int open_device(void)
{
	for (int minor = 128; minor < 192; minor++) {
		char name[16] = "";
		struct drm_version v = { .name = name, .name_len = 15 };
		int f;

		snprintf(dev_path, sizeof(dev_path), "/dev/dri/renderD%d", minor);
		f = open(dev_path, O_RDWR | O_CLOEXEC);
		if (f < 0)
			continue;
		if (!ioctl(f, DRM_IOCTL_VERSION, &v) && !strcmp(name, "vsvm")) {
			snprintf(debugfs_dir, sizeof(debugfs_dir),
				 "/sys/kernel/debug/dri/%d", minor);
			return f;
		}
		close(f);
	}
	return -1;
}

/* A BO bound at @va in @vm of @f, filled with @size bytes of @data. */
static void bo_at(int f, uint32_t vmid, uint64_t va, const void *data,
		  uint64_t size, uint32_t flags)
{
	uint64_t len = (size + PAGE - 1) & ~(PAGE - 1);
	uint32_t handle;
	void *p;
	int err;

	err = __vsvm_gem_create(f, len, &handle);
	if (err)
		die("GEM_CREATE", -err);
	p = __vsvm_gem_mmap(f, handle, len, PROT_READ | PROT_WRITE);
	if (!p)
		die("GEM mmap", errno);
	memcpy(p, data, size);
	munmap(p, len);
	err = __vsvm_vm_map(f, vmid, handle, 0, va, len, flags);
	if (err)
		die("VM_BIND MAP", -err);
	__vsvm_gem_close(f, handle);
}

/* The arena. */

static uint8_t *slot_addr(unsigned int s)
{
	return arena + s * SLOT_SIZE;
}

static uint32_t slot_page0(unsigned int s)
{
	return s * (SLOT_SIZE / PAGE);
}

/* Every word of slot @s holds a value it may hold. Slot lock held. */
static void slot_verify(unsigned int s, const char *when)
{
	const uint64_t *w = (const uint64_t *)slot_addr(s);

	for (uint32_t i = 0; i < SLOT_SIZE / 8; i++) {
		uint32_t page = slot_page0(s) + i / WORDS;
		uint64_t v = w[i];

		if (!stamp_ok(v, page, i % WORDS, atomic_load(&gen[page])))
			fail("%s: arena page %u word %u (%p) holds %#" PRIx64
			     ", generation %u\n", when, page, i % WORDS, &w[i],
			     v, atomic_load(&gen[page]));
	}
}

/* New stamps in every word of slot @s. Slot lock held, slot writable. */
static void slot_rewrite(unsigned int s)
{
	uint64_t *w = (uint64_t *)slot_addr(s);

	for (uint32_t p = 0; p < SLOT_SIZE / PAGE; p++) {
		uint32_t page = slot_page0(s) + p;
		uint32_t g = atomic_fetch_add(&gen[page], 1) + 1;

		for (uint32_t i = 0; i < WORDS; i++)
			w[p * WORDS + i] = cpu_stamp(page, i, g);
	}
}

static void slot_map_fresh(unsigned int s)
{
	if (mmap(slot_addr(s), SLOT_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) !=
	    slot_addr(s))
		fail("mmap of slot %u: %s\n", s, strerror(errno));
	slots[s].state = S_RW;
}

static void slot_protect(unsigned int s, int prot, enum slot_state state)
{
	if (mprotect(slot_addr(s), SLOT_SIZE, prot))
		fail("mprotect of slot %u: %s\n", s, strerror(errno));
	slots[s].state = state;
}

/* Makes slot @s mapped read-write, whatever it was. */
static void slot_make_rw(unsigned int s)
{
	if (slots[s].state == S_UNMAPPED)
		slot_map_fresh(s);
	else if (slots[s].state != S_RW)
		slot_protect(s, PROT_READ | PROT_WRITE, S_RW);
}

enum op {
	OP_REWRITE, OP_UNMAP, OP_MAP, OP_RO, OP_NONE, OP_RW, OP_DONTNEED,
	OP_MREMAP, OP_FORK, OP_THP, OP_COUNT,
};

static const char *const op_names[OP_COUNT] = {
	"rewrite", "munmap", "mmap", "mprotect-ro", "mprotect-none",
	"mprotect-rw", "dontneed", "mremap", "fork", "thp",
};

struct mutator {
	pthread_t thread;
	uint64_t seed;
	uint8_t *away;		/* a free slot-sized range, for mremap */
};

static void mutate(struct mutator *m, unsigned int s, enum op op)
{
	uint8_t *a = slot_addr(s);
	enum slot_state st = slots[s].state;
	pid_t pid;
	int status;

	switch (op) {
	case OP_REWRITE:
		slot_make_rw(s);
		slot_verify(s, "before a rewrite");
		slot_rewrite(s);
		break;
	case OP_UNMAP:
		/* For a moment, or until an OP_MAP. */
		if (st != S_UNMAPPED && munmap(a, SLOT_SIZE))
			fail("munmap of slot %u: %s\n", s, strerror(errno));
		slots[s].state = S_UNMAPPED;
		if (rnd(&m->seed) & 1) {
			usleep(rnd(&m->seed) % 2000);
			slot_map_fresh(s);
		}
		break;
	case OP_MAP:
		if (st == S_UNMAPPED)
			slot_map_fresh(s);
		break;
	case OP_RO:
	case OP_NONE:
		if (st == S_UNMAPPED)
			break;
		slot_protect(s, op == OP_RO ? PROT_READ : PROT_NONE,
			     op == OP_RO ? S_RO : S_NONE);
		if (rnd(&m->seed) & 1) {
			usleep(rnd(&m->seed) % 2000);
			slot_make_rw(s);
		}
		break;
	case OP_RW:
		slot_make_rw(s);
		break;
	case OP_DONTNEED:
		if (st != S_UNMAPPED && madvise(a, SLOT_SIZE, MADV_DONTNEED))
			fail("MADV_DONTNEED of slot %u: %s\n", s,
			     strerror(errno));
		break;
	case OP_MREMAP:
		/* Away and back: the data must come back with it. */
		if (st != S_RW)
			break;
		if (mremap(a, SLOT_SIZE, SLOT_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED,
			   m->away) != m->away ||
		    mremap(m->away, SLOT_SIZE, SLOT_SIZE,
			   MREMAP_MAYMOVE | MREMAP_FIXED, a) != a)
			fail("mremap of slot %u: %s\n", s, strerror(errno));
		slot_verify(s, "after mremap");
		/* Keep the away range reserved. */
		if (mmap(m->away, SLOT_SIZE, PROT_NONE, MAP_PRIVATE |
			 MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) !=
		    m->away)
			fail("mmap: %s\n", strerror(errno));
		break;
	case OP_FORK:
		/* A child writes the slot: copy-on-write for both. */
		if (st != S_RW)
			break;
		pid = fork();
		if (pid < 0) {
			fail("fork: %s\n", strerror(errno));
			break;
		}
		if (!pid) {
			memset(a, 0x5a, PAGE);
			_exit(0);
		}
		if (waitpid(pid, &status, 0) != pid || status)
			fail("fork child: status %#x\n", status);
		break;
	case OP_THP:
		/* Huge or not: a later fault may map, or split, a THP. */
		madvise(arena + (rnd(&m->seed) % (ARENA_SIZE / SZ_2M)) * SZ_2M,
			SZ_2M, rnd(&m->seed) & 1 ? MADV_HUGEPAGE :
			MADV_NOHUGEPAGE);
		break;
	default:
		break;
	}
}

static void *mutator_thread(void *arg)
{
	struct mutator *m = arg;

	while (!atomic_load(&stop)) {
		unsigned int s = rnd(&m->seed) % SLOTS;
		/* Rewrites more often: they check what the GPU wrote. */
		uint64_t r = rnd(&m->seed) % 16;
		enum op op = r < 6 ? OP_REWRITE : (enum op)(r - 5);

		if (op >= OP_COUNT)
			op = OP_REWRITE;
		pthread_mutex_lock(&slots[s].lock);
		mutate(m, s, op);
		pthread_mutex_unlock(&slots[s].lock);
		atomic_fetch_add(&n_ops[op], 1);
		usleep(rnd(&m->seed) % 500);
	}
	return NULL;
}

/* GPU threads. */

struct gpu {
	pthread_t thread;
	uint64_t seed;
	uint32_t queue;
	uint64_t args_va;
	struct job_args *args;	/* CPU mapping of the argument BO */
	uint64_t *out;
};

static bool status_allowed(int sh, uint32_t status)
{
	switch (status) {
	case DRM_VSVM_STATUS_OK:
	case DRM_VSVM_STATUS_NO_VMA:
	case DRM_VSVM_STATUS_NO_ACCESS:
		return true;
	case DRM_VSVM_STATUS_READ_ONLY:
		return sh == SH_WRITER;
	default:
		return false;
	}
}

static void gpu_job(struct gpu *g)
{
	int sh = rnd(&g->seed) % 4 ? SH_READER : SH_WRITER;
	struct drm_vsvm_exec exec;
	struct drm_vsvm_wait w;
	struct job_args *a = g->args;
	int err;

	a->arena = (uintptr_t)arena;
	a->out = (uintptr_t)g->out;
	a->npages = ARENA_PAGES;
	a->base = rnd(&g->seed) % ARENA_PAGES;
	/* A few slots' worth of pages, visited in a scattered order. */
	a->span = 1 + rnd(&g->seed) % (3 * SLOT_SIZE / PAGE);
	a->stride = (rnd(&g->seed) % ARENA_PAGES) | 1;
	a->turns = TURNS;
	a->lanes = LANES;
	a->seed = rnd(&g->seed);
	for (int j = 0; j < LANES * TURNS; j++)
		g->out[j] = POISON;

	vsvm_exec_init(&exec, g->queue, BO_VA + sh * 4096, code_size[sh]);
	exec.args_addr = g->args_va;
	exec.args_size = sizeof(*a);
	exec.wg_size[0] = WG;
	exec.grid[0] = LANES / WG;
	err = __vsvm_exec(fd, &exec);
	if (err) {
		fail("EXEC: %s\n", strerror(-err));
		return;
	}
	err = __vsvm_wait(fd, g->queue, exec.seqno, JOB_TIMEOUT_NS, &w);
	if (err) {
		fail("job %" PRIu64 " did not end in %lld s: %s\n", exec.seqno,
		     JOB_TIMEOUT_NS / 1000000000, strerror(-err));
		return;
	}
	atomic_fetch_add(&n_jobs[sh], 1);
	atomic_fetch_add(&n_status[sh][w.status & 15], 1);
	if (!status_allowed(sh, w.status)) {
		fail("%s job: %s, access %#x at %#llx, pc %#x\n",
		     sh == SH_READER ? "reader" : "writer",
		     vsvm_status_name(w.status), w.fault_access,
		     (unsigned long long)w.fault_addr, w.fault_pc);
		return;
	}
	if (sh != SH_READER)
		return;
	for (uint32_t k = 0; k < TURNS; k++)
		for (uint32_t i = 0; i < LANES; i++) {
			uint32_t j = k * LANES + i;
			uint32_t page = job_page(a, j);
			uint32_t word = (13 * i + 7 * k + a->seed) % WORDS;
			uint64_t v = g->out[j];

			if (v == POISON) {
				/* Lanes after a fault may not have run. */
				if (w.status == DRM_VSVM_STATUS_OK)
					fail("reader: lane %u turn %u wrote "
					     "nothing\n", i, k);
				continue;
			}
			atomic_fetch_add(&n_words, 1);
			if (!stamp_ok(v, page, word, atomic_load(&gen[page])))
				fail("reader: arena page %u word %u read as "
				     "%#" PRIx64 ", generation %u\n", page,
				     word, v, atomic_load(&gen[page]));
		}
}

static void *gpu_thread(void *arg)
{
	struct gpu *g = arg;

	while (!atomic_load(&stop))
		gpu_job(g);
	return NULL;
}

/*
 * The reaper: a child mirrors its own memory and keeps a job running over
 * it; it is killed with a pidfd and reaped with process_mrelease(), which
 * invalidates its mirror from the reaper's non-blockable path while the
 * child's own exit races it.
 */
static void reap_child(int pipe_w)
{
	const uint64_t len = 16 << 20;
	struct drm_vsvm_exec exec;
	struct job_args *a;
	uint32_t cvm, q;
	uint8_t *p;
	char c = 'r';
	int f;

	f = open(dev_path, O_RDWR | O_CLOEXEC);
	if (f < 0 || __vsvm_vm_create(f, DRM_VSVM_VM_CREATE_SVM, &cvm) ||
	    __vsvm_vm_map_mirror(f, cvm, 0, mirror_end) ||
	    __vsvm_queue_create(f, cvm, &q))
		_exit(2);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		_exit(3);
	memcpy(p, code[SH_READER], code_size[SH_READER]);
	a = (struct job_args *)(p + 2048);
	*a = (struct job_args){
		.arena = (uintptr_t)p + PAGE, .out = (uintptr_t)p + PAGE,
		.npages = len / PAGE - 1, .stride = 1, .turns = 1u << 20,
		.lanes = LANES, .span = len / PAGE - 1,
	};
	vsvm_exec_init(&exec, q, (uintptr_t)p, code_size[SH_READER]);
	exec.args_addr = (uintptr_t)a;
	exec.args_size = sizeof(*a);
	exec.wg_size[0] = WG;
	exec.grid[0] = LANES / WG;
	if (__vsvm_exec(f, &exec) || write(pipe_w, &c, 1) != 1)
		_exit(4);
	for (;;)
		pause();
}

static void *reaper_thread(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		int pfd[2], status;
		char c;
		pid_t pid;

		if (pipe(pfd))
			die("pipe", errno);
		pid = fork();
		if (pid < 0)
			die("fork", errno);
		if (!pid) {
			close(pfd[0]);
			reap_child(pfd[1]);
		}
		close(pfd[1]);
		if (read(pfd[0], &c, 1) != 1)
			fail("the reaper's child died before its job ran\n");
		close(pfd[0]);
		/* Any outcome will do: the child dies either way. */
		vsvm_kill_and_mrelease(pid);
		if (waitpid(pid, &status, 0) != pid ||
		    !(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
			fail("the reaper's child ended with status %#x\n",
			     status);
		atomic_fetch_add(&n_reaped, 1);
		for (int i = 0; i < 20 && !atomic_load(&stop); i++)
			usleep(50 * 1000);
	}
	return NULL;
}

static void usage(const char *me)
{
	fprintf(stderr, "usage: %s [-t SECONDS] [-g GPU_THREADS] "
		"[-m MUTATORS] [-s SEED] [-v]\n", me);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int seconds = 20, n_gpu = 2, n_mut = 2;
	uint64_t seed = 0;
	int64_t c0[N_COUNTERS], c1[N_COUNTERS];
	struct mutator *mut;
	struct gpu *gpus;
	pthread_t reaper;
	uint8_t *blob;
	char *objects0 = NULL;
	int64_t t0, t_end;
	uint8_t *p;
	int opt, err;
	bool have_debugfs;

	while ((opt = getopt(argc, argv, "t:g:m:s:vh")) != -1) {
		switch (opt) {
		case 't':
			seconds = strtoul(optarg, NULL, 0);
			break;
		case 'g':
			n_gpu = strtoul(optarg, NULL, 0);
			break;
		case 'm':
			n_mut = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (!n_gpu || !n_mut || n_gpu > 16 || n_mut > 16)
		usage(argv[0]);
	if (!seed)
		seed = now_ns() | 1;
	setvbuf(stdout, NULL, _IOLBF, 0);

	fd = open_device();
	if (fd < 0) {
		printf("vsvm-stress: no vsvm device: skip\n");
		return 77;
	}
	have_debugfs = debugfs_value("counters", "faults") >= 0;
	if (have_debugfs) {
		objects0 = strdup(read_text("objects"));
		counters_read(c0);
	}

	for (int s = 0; s < SH_COUNT; s++) {
		char e[256];

		if (vsvm_asm(shader_src[s], &code[s], &code_size[s], e,
			     sizeof(e))) {
			fprintf(stderr, "vsvm-stress: shader %d: %s\n", s, e);
			return 1;
		}
	}
	err = __vsvm_get_param(fd, DRM_VSVM_PARAM_MIRROR_VA_END, &mirror_end);
	if (err)
		die("GET_PARAM", -err);
	if (mirror_end > BO_VA)
		mirror_end = BO_VA;
	err = __vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_SVM, &vm);
	if (!err)
		err = __vsvm_vm_map_mirror(fd, vm, 0, mirror_end);
	if (err)
		die("mirror VM", -err);
	blob = calloc(1, 2 * PAGE);
	for (int s = 0; s < SH_COUNT; s++)
		memcpy(blob + s * PAGE, code[s], code_size[s]);
	bo_at(fd, vm, BO_VA, blob, 2 * PAGE, DRM_VSVM_BIND_READONLY);
	free(blob);

	/* The arena, 2 MiB-aligned so that parts of it may become THPs. */
	p = mmap(NULL, ARENA_SIZE + SZ_2M, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		die("mmap", errno);
	arena = (uint8_t *)(((uintptr_t)p + SZ_2M - 1) & ~(SZ_2M - 1));
	for (unsigned int s = 0; s < SLOTS; s++) {
		pthread_mutex_init(&slots[s].lock, NULL);
		slot_map_fresh(s);
		slot_rewrite(s);
	}

	gpus = calloc(n_gpu, sizeof(*gpus));
	mut = calloc(n_mut, sizeof(*mut));
	for (unsigned int i = 0; i < n_gpu; i++) {
		struct gpu *g = &gpus[i];
		uint32_t h;

		g->seed = seed * 2654435761u + i + 1;
		g->args_va = ARGS_VA + i * PAGE;
		err = __vsvm_queue_create(fd, vm, &g->queue);
		if (!err)
			err = __vsvm_gem_create(fd, PAGE, &h);
		if (!err)
			err = __vsvm_vm_map(fd, vm, h, 0, g->args_va, PAGE, 0);
		if (err)
			die("GPU thread setup", -err);
		g->args = __vsvm_gem_mmap(fd, h, PAGE, PROT_READ | PROT_WRITE);
		if (!g->args)
			die("GEM mmap", errno);
		__vsvm_gem_close(fd, h);
		g->out = malloc(LANES * TURNS * sizeof(uint64_t));
	}
	for (unsigned int i = 0; i < n_mut; i++) {
		mut[i].seed = seed * 40503u + 1000 + i;
		mut[i].away = mmap(NULL, SLOT_SIZE, PROT_NONE, MAP_PRIVATE |
				   MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (mut[i].away == MAP_FAILED)
			die("mmap", errno);
	}

	printf("vsvm-stress: %u s, %u GPU threads, %u mutators, seed %#" PRIx64
	       ", arena %llu KiB at %p\n", seconds, n_gpu, n_mut, seed,
	       ARENA_SIZE >> 10, arena);
	t0 = now_ns();
	t_end = t0 + seconds * 1000000000ll;
	for (unsigned int i = 0; i < n_gpu; i++)
		pthread_create(&gpus[i].thread, NULL, gpu_thread, &gpus[i]);
	for (unsigned int i = 0; i < n_mut; i++)
		pthread_create(&mut[i].thread, NULL, mutator_thread, &mut[i]);
	pthread_create(&reaper, NULL, reaper_thread, NULL);
	while (!atomic_load(&stop) && now_ns() < t_end) {
		usleep(100 * 1000);
		if (verbose && (now_ns() - t0) / 100000000 % 50 == 0)
			printf("  %.0f s: %" PRIu64 " + %" PRIu64 " jobs\n",
			       (now_ns() - t0) / 1e9,
			       (uint64_t)atomic_load(&n_jobs[SH_READER]),
			       (uint64_t)atomic_load(&n_jobs[SH_WRITER]));
	}
	atomic_store(&stop, true);
	for (unsigned int i = 0; i < n_gpu; i++)
		pthread_join(gpus[i].thread, NULL);
	for (unsigned int i = 0; i < n_mut; i++)
		pthread_join(mut[i].thread, NULL);
	pthread_join(reaper, NULL);

	/* A last look at every slot the CPU can read. */
	if (!atomic_load(&failed))
		for (unsigned int s = 0; s < SLOTS; s++) {
			if (slots[s].state == S_RW || slots[s].state == S_RO)
				slot_verify(s, "at the end");
		}

	printf("vsvm-stress: %.1f s; jobs: %" PRIu64 " readers, %" PRIu64
	       " writers; %" PRIu64 " words checked; %" PRIu64
	       " processes reaped\n", (now_ns() - t0) / 1e9,
	       (uint64_t)n_jobs[SH_READER], (uint64_t)n_jobs[SH_WRITER],
	       (uint64_t)n_words, (uint64_t)n_reaped);
	for (int sh = 0; sh < SH_COUNT; sh++) {
		printf("  %s jobs ended:", sh == SH_READER ? "reader" : "writer");
		for (uint32_t st = 0; st < 16; st++)
			if (n_status[sh][st])
				printf(" %s %" PRIu64, vsvm_status_name(st),
				       (uint64_t)n_status[sh][st]);
		printf("\n");
	}
	printf("  CPU operations:");
	for (int op = 0; op < OP_COUNT; op++)
		printf(" %s %" PRIu64, op_names[op], (uint64_t)n_ops[op]);
	printf("\n");

	for (unsigned int i = 0; i < n_gpu; i++) {
		__vsvm_queue_destroy(fd, gpus[i].queue);
		/* The mapping holds the BO. */
		munmap(gpus[i].args, PAGE);
		free(gpus[i].out);
	}
	__vsvm_vm_destroy(fd, vm);
	close(fd);

	if (have_debugfs) {
		char *objects1 = NULL;

		counters_read(c1);
		printf("  driver counters:");
		for (size_t i = 0; i < N_COUNTERS; i++)
			printf(" %s +%" PRId64, counter_names[i], c1[i] - c0[i]);
		printf("\n");
		printf("vsvm-stress: %" PRId64 " collisions (retry_collision), %"
		       PRId64 " non-blockable invalidations honoured in %" PRId64
		       " ns\n", c1[1] - c0[1], c1[7] - c0[7], c1[8] - c0[8]);
		/* The file's objects go once its last reference does. */
		for (int64_t i = 0; i < vsvm_scaled_limit(100); i++) {
			objects1 = read_text("objects");
			if (objects1 && !strcmp(objects1, objects0))
				break;
			usleep(100 * 1000);
		}
		if (!objects1 || strcmp(objects1, objects0))
			fail("live objects did not return to the baseline:\n%s"
			     "now:\n%s", objects0, objects1 ? objects1 : "?");
		free(objects0);
	} else {
		printf("vsvm-stress: no debugfs: counters and leaks unchecked\n");
	}
	if (atomic_load(&failed))
		return 1;
	printf("vsvm-stress: PASS\n");
	return 0;
}
