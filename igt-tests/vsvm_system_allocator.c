// SPDX-License-Identifier: MIT
/*
 * The system-allocator scenario matrix: shaders dereferencing memory from
 * every kind of CPU allocation through a CPU-address mirror, in the
 * situations IGT's xe_exec_system_allocator and the kernel's hmm-tests
 * exercise, less those that need device memory (migration to VRAM,
 * device-private pages, eviction, madvise of memory placement, PAT):
 * vsvm has none. docs/testing.md maps each scenario of both to a subtest
 * here, and docs/svm.md is the design being checked.
 *
 * Data is always compared byte for byte against a shadow copy the CPU
 * computes independently. Shaders live in a read-only BO and their
 * arguments in another, both above the mirror (2^47 and up, where no CPU
 * address reaches), so the only mirrored memory a job touches is the memory
 * under test, unless a scenario puts the code there on purpose.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/userfaultfd.h>

#include "igt.h"
#include "vsvm_lib.h"
#include "vsvm_reap.h"

IGT_TEST_DESCRIPTION("System-allocator scenarios: every kind of CPU memory "
		     "mirrored to the GPU, under fork, mremap, munmap, mprotect, "
		     "threads, processes and the kernel's own invalidations.");

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE		25
#endif
#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE	101
#endif

/* malloc() serves requests of this size and up with mmap() (see main). */
#define MMAP_THRESHOLD	(128 * 1024)

/* GPU-only addresses for the code and argument BOs, above any CPU address. */
#define BO_VA		(1ull << 47)
#define CODE_VA		BO_VA
#define ARGS_VA		(BO_VA + SZ_1M)
/* Argument blocks per context: jobs in flight on one context, at most. */
#define ARGS_SLOTS	64
#define ARGS_SLOT_SIZE	64ull

/* Lanes per workgroup of every dispatch. */
#define WG_LANES	64

/*
 * Multiplier of the word index in every shader's output: odd, so i * GOLD
 * is a bijection and no two words of a buffer get the same value.
 */
#define GOLD		0x9e3779b97f4a7c15ull

static int fd = -1;
static uint64_t mirror_end;	/* the mirror: [0, mirror_end) */
static uint64_t page_size;

/*
 * Shaders, in the syntax of docs/isa.md; all take struct sa_args. Lane
 * i = global_id.x handles word i, at byte offset i * stride from src and
 * dst, and does nothing if i >= n, so the grid may round up.
 */
struct sa_args {
	uint64_t src;		/*  0 */
	uint64_t dst;		/*  8 */
	uint32_t n;		/* 16 */
	uint32_t stride;	/* 20 */
	uint64_t key;		/* 24 */
	uint64_t flag;		/* 32: a pointer, for shaders that signal */
	uint32_t iters;		/* 40 */
	uint32_t pad;
};

/* dst[i] = src[i] ^ key ^ i * GOLD: reads, then writes. */
static const char xform_src[] =
	"	sv r0, global_id.x\n"
	"	ldarg.u32 r1, 16\n"
	"	icmp.ltu.32 r2, r0, r1\n"
	"	if r2\n"
	"	    ldarg.u64 r3, 0\n"
	"	    ldarg.u64 r4, 8\n"
	"	    ldarg.u32 r5, 20\n"
	"	    ldarg.u64 r6, 24\n"
	"	    mul.64 r7, r0, r5\n"
	"	    add.64 r3, r3, r7\n"
	"	    add.64 r4, r4, r7\n"
	"	    ld.global.u64 r8, [r3]\n"
	"	    xor.64 r8, r8, r6\n"
	"	    mul.64 r9, r0, 0x9e3779b97f4a7c15\n"
	"	    xor.64 r8, r8, r9\n"
	"	    st.global.u64 [r4], r8\n"
	"	endif\n"
	"	end\n";

/* dst[i] = key ^ i * GOLD: writes only. */
static const char fill_src[] =
	"	sv r0, global_id.x\n"
	"	ldarg.u32 r1, 16\n"
	"	icmp.ltu.32 r2, r0, r1\n"
	"	if r2\n"
	"	    ldarg.u64 r4, 8\n"
	"	    ldarg.u32 r5, 20\n"
	"	    ldarg.u64 r6, 24\n"
	"	    mul.64 r7, r0, r5\n"
	"	    add.64 r4, r4, r7\n"
	"	    mul.64 r9, r0, 0x9e3779b97f4a7c15\n"
	"	    xor.64 r8, r6, r9\n"
	"	    st.global.u64 [r4], r8\n"
	"	endif\n"
	"	end\n";

/* dst[i] ^= key ^ i * GOLD, atomically: xform in place, as an atomic. */
static const char xor_atomic_src[] =
	"	sv r0, global_id.x\n"
	"	ldarg.u32 r1, 16\n"
	"	icmp.ltu.32 r2, r0, r1\n"
	"	if r2\n"
	"	    ldarg.u64 r4, 8\n"
	"	    ldarg.u32 r5, 20\n"
	"	    ldarg.u64 r6, 24\n"
	"	    mul.64 r7, r0, r5\n"
	"	    add.64 r4, r4, r7\n"
	"	    mul.64 r9, r0, 0x9e3779b97f4a7c15\n"
	"	    xor.64 r8, r6, r9\n"
	"	    atom.global.xor.u64 r10, [r4], r8\n"
	"	endif\n"
	"	end\n";

/*
 * Counters: lane i, turn k < iters, adds 1 to u64 counter (i + k) % n at
 * dst. Every lane of a wave hits a different counter each turn.
 */
static const char count_src[] =
	"	sv r0, global_id.x\n"
	"	ldarg.u64 r1, 8\n"
	"	ldarg.u32 r2, 16\n"
	"	ldarg.u32 r3, 40\n"
	"	movi r4, 0\n"
	"	movi r5, 1\n"
	"	loop\n"
	"	    icmp.eq.32 r6, r4, r3\n"
	"	    if r6\n"
	"	        break\n"
	"	    endif\n"
	"	    add.32 r7, r0, r4\n"
	"	    remu.32 r7, r7, r2\n"
	"	    shl.64 r7, r7, 3\n"
	"	    add.64 r7, r7, r1\n"
	"	    atom.global.add.u64 r8, [r7], r5\n"
	"	    add.32 r4, r4, 1\n"
	"	endloop\n"
	"	end\n";

/*
 * Self-checking reader: every word of src holds its own address times GOLD,
 * xor key. Lane i, turn k < iters, reads word (257 i + 4099 k) % n, which
 * spreads the lanes over the whole buffer, and traps with code 0xbad if
 * the value is anything else. Lane 0 first
 * stores 1 to *flag (when flag is not 0), so the CPU knows the job runs.
 * A job ends OK, with TRAP (wrong data: a bug), or with a fault.
 */
static const char check_src[] =
	"	sv r0, global_id.x\n"
	"	ldarg.u64 r1, 32\n"
	"	icmp.eq.64 r2, r0, 0\n"
	"	icmp.ne.64 r3, r1, 0\n"
	"	and.32 r2, r2, r3\n"
	"	if r2\n"
	"	    movi r3, 1\n"
	"	    st.global.u64 [r1], r3\n"
	"	    fence\n"
	"	endif\n"
	"	ldarg.u64 r4, 0\n"
	"	ldarg.u32 r5, 16\n"
	"	ldarg.u32 r6, 40\n"
	"	ldarg.u64 r7, 24\n"
	"	mul.32 r8, r0, 257\n"
	"	remu.32 r8, r8, r5\n"
	"	movi r9, 0\n"
	"	loop\n"
	"	    icmp.eq.32 r10, r9, r6\n"
	"	    if r10\n"
	"	        break\n"
	"	    endif\n"
	"	    shl.64 r11, r8, 3\n"
	"	    add.64 r11, r11, r4\n"
	"	    ld.global.u64 r12, [r11]\n"
	"	    mul.64 r13, r11, 0x9e3779b97f4a7c15\n"
	"	    xor.64 r13, r13, r7\n"
	"	    icmp.ne.64 r14, r12, r13\n"
	"	    if r14\n"
	"	        trap 0xbad\n"
	"	    endif\n"
	"	    add.32 r8, r8, 4099\n"
	"	    remu.32 r8, r8, r5\n"
	"	    add.32 r9, r9, 1\n"
	"	endloop\n"
	"	end\n";
#define CHECK_TRAP	0xbad

/*
 * Ping-pong with the CPU through one page, one lane. flag, in, out are
 * u64s at flag, flag + 8, flag + 16. Round k < iters: wait for
 * *flag == 2k + 1, read *in, store *out = *in ^ key, then *flag = 2k + 2.
 * The flag is read and written with atomics; the data with plain accesses
 * ordered by FENCE.
 */
static const char pingpong_src[] =
	"	ldarg.u64 r1, 32\n"
	"	ldarg.u32 r2, 40\n"
	"	ldarg.u64 r3, 24\n"
	"	movi r4, 0\n"
	"	movi r5, 0\n"
	"	loop\n"
	"	    icmp.eq.32 r6, r4, r2\n"
	"	    if r6\n"
	"	        break\n"
	"	    endif\n"
	"	    shl.64 r7, r4, 1\n"
	"	    add.64 r7, r7, 1\n"
	"	    loop\n"
	"	        atom.global.add.u64 r8, [r1], r5\n"
	"	        icmp.eq.64 r9, r8, r7\n"
	"	        if r9\n"
	"	            break\n"
	"	        endif\n"
	"	    endloop\n"
	"	    fence\n"
	"	    ld.global.u64 r10, [r1 + 8]\n"
	"	    xor.64 r10, r10, r3\n"
	"	    st.global.u64 [r1 + 16], r10\n"
	"	    fence\n"
	"	    add.64 r7, r7, 1\n"
	"	    atom.global.xchg.u64 r8, [r1], r7\n"
	"	    add.32 r4, r4, 1\n"
	"	endloop\n"
	"	end\n";

/*
 * Completion flag inside the memory under test: xform, then every lane
 * adds 1 to *flag after its store is visible (FENCE). The CPU polls *flag
 * and checks the data before the job is reported done.
 */
static const char xform_signal_src[] =
	"	sv r0, global_id.x\n"
	"	ldarg.u32 r1, 16\n"
	"	icmp.ltu.32 r2, r0, r1\n"
	"	if r2\n"
	"	    ldarg.u64 r3, 0\n"
	"	    ldarg.u64 r4, 8\n"
	"	    ldarg.u32 r5, 20\n"
	"	    ldarg.u64 r6, 24\n"
	"	    mul.64 r7, r0, r5\n"
	"	    add.64 r3, r3, r7\n"
	"	    add.64 r4, r4, r7\n"
	"	    ld.global.u64 r8, [r3]\n"
	"	    xor.64 r8, r8, r6\n"
	"	    mul.64 r9, r0, 0x9e3779b97f4a7c15\n"
	"	    xor.64 r8, r8, r9\n"
	"	    st.global.u64 [r4], r8\n"
	"	    fence\n"
	"	    ldarg.u64 r10, 32\n"
	"	    movi r11, 1\n"
	"	    atom.global.add.u64 r12, [r10], r11\n"
	"	endif\n"
	"	end\n";

enum shader {
	SH_XFORM,
	SH_FILL,
	SH_XOR_ATOMIC,
	SH_COUNT,
	SH_CHECK,
	SH_PINGPONG,
	SH_XFORM_SIGNAL,
	SH_COUNT_ALL,
};

static struct {
	const char *src;
	uint32_t offset, size;
} shaders[SH_COUNT_ALL] = {
	[SH_XFORM] = { xform_src },
	[SH_FILL] = { fill_src },
	[SH_XOR_ATOMIC] = { xor_atomic_src },
	[SH_COUNT] = { count_src },
	[SH_CHECK] = { check_src },
	[SH_PINGPONG] = { pingpong_src },
	[SH_XFORM_SIGNAL] = { xform_signal_src },
};

static uint8_t *code_blob;
static uint32_t code_blob_size;

static void assemble_shaders(void)
{
	uint32_t off = 0;

	code_blob = calloc(1, SZ_64K);
	igt_assert(code_blob);
	for (int s = 0; s < SH_COUNT_ALL; s++) {
		size_t size;
		void *code = vsvm_assemble(shaders[s].src, &size);

		igt_assert(off + size <= SZ_64K);
		memcpy(code_blob + off, code, size);
		shaders[s].offset = off;
		shaders[s].size = size;
		off += ALIGN((uint32_t)size, 64u);
		free(code);
	}
	code_blob_size = ALIGN(off, (uint32_t)SZ_4K);
}

/* Helpers. */

#define check_err(ret, err, what) do { \
	int __ret = (ret); \
	igt_assert_f(__ret == (err), "%s: got %d (%s), expected %d (%s)\n", \
		     what, __ret, strerror(-__ret), (err), strerror(-(err))); \
} while (0)

/* A 64-bit value per (seed, index) with no short period. */
static uint64_t pattern(uint64_t seed, uint64_t i)
{
	uint64_t x = (i + 1) * GOLD ^ seed;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29;
	return x;
}

static void fill_words(void *p, uint64_t bytes, uint64_t seed)
{
	uint64_t *w = p;

	for (uint64_t i = 0; i < bytes / 8; i++)
		w[i] = pattern(seed, i);
}

/* Byte-for-byte comparison that names the first difference. */
static void check_bytes(const void *got, const void *want, uint64_t len,
			const char *what)
{
	const uint8_t *g = got, *w = want;

	if (!memcmp(g, w, len))
		return;
	for (uint64_t i = 0; i < len; i++)
		igt_assert_f(g[i] == w[i],
			     "%s: byte %#" PRIx64 " (at %p) is %#x, expected %#x\n",
			     what, i, &g[i], g[i], w[i]);
}

static void check_zero(const void *p, uint64_t len, const char *what)
{
	const uint8_t *b = p;

	for (uint64_t i = 0; i < len; i++)
		igt_assert_f(!b[i], "%s: byte %#" PRIx64 " (at %p) is %#x, "
			     "expected 0\n", what, i, &b[i], b[i]);
}

/* The xform a shader applies to word i, on a shadow copy. */
static void shadow_xform(void *shadow, uint32_t n, uint32_t stride,
			 uint64_t key)
{
	for (uint32_t i = 0; i < n; i++) {
		uint64_t *w = (uint64_t *)((uint8_t *)shadow +
					   (uint64_t)i * stride);

		*w ^= key ^ i * GOLD;
	}
}

/* Memory in which each word holds its own address times GOLD, xor key. */
static void fill_self(void *p, uint64_t bytes, uint64_t key)
{
	uint64_t *w = p;

	for (uint64_t i = 0; i < bytes / 8; i++)
		w[i] = (uintptr_t)&w[i] * GOLD ^ key;
}

/* Runs @fmt through /bin/sh; returns its exit status, or -1. */
__attribute__((format(printf, 1, 2)))
static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	igt_debug("sh: %s\n", cmd);
	ret = system(cmd);
	return WIFEXITED(ret) ? WEXITSTATUS(ret) : -1;
}

__attribute__((format(printf, 2, 3)))
static int write_file(const char *path, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int f, len, ret;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	f = open(path, O_WRONLY);
	if (f < 0)
		return -errno;
	ret = write(f, buf, len) == len ? 0 : -errno;
	close(f);
	return ret;
}

static int64_t read_file_u64(const char *path)
{
	char buf[64] = "";
	int f = open(path, O_RDONLY);
	ssize_t len;

	if (f < 0)
		return -1;
	len = read(f, buf, sizeof(buf) - 1);
	close(f);
	return len > 0 ? strtoll(buf, NULL, 10) : -1;
}

/* A "name value" line of a file such as /proc/meminfo or memory.events. */
static int64_t read_key(const char *path, const char *key)
{
	char line[256];
	size_t len = strlen(key);
	int64_t v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && (line[len] == ' ' ||
						 line[len] == ':')) {
			v = strtoll(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* debugfs: counters and live objects of the device. */

static bool have_debugfs(void)
{
	return igt_debugfs_exists(fd, "counters", O_RDONLY);
}

static void require_debugfs(void)
{
	igt_require_f(have_debugfs(), "needs the device's debugfs (root)\n");
}

/* Every counter at once, to report the deltas a scenario caused. */
#define MAX_COUNTERS	64
struct counters {
	char names[MAX_COUNTERS][32];
	int64_t v[MAX_COUNTERS];
	int n;
};

static void counters_read(struct counters *c)
{
	char *text = vsvm_debugfs_read(fd, "counters"), *line, *save = NULL;

	igt_assert_f(text, "cannot read debugfs counters: %m\n");
	c->n = 0;
	for (line = strtok_r(text, "\n", &save); line && c->n < MAX_COUNTERS;
	     line = strtok_r(NULL, "\n", &save)) {
		long long v;

		if (sscanf(line, "%31s %lld", c->names[c->n], &v) == 2)
			c->v[c->n++] = v;
	}
	free(text);
}

static int64_t counters_delta(const struct counters *before,
			      const struct counters *after, const char *name)
{
	for (int i = 0; i < after->n; i++)
		if (!strcmp(after->names[i], name))
			return after->v[i] - before->v[i];
	igt_assert_f(false, "no counter \"%s\" in debugfs\n", name);
	return 0;
}

/* Logs every counter that moved, the fault-time ones aside. */
static void counters_log(const struct counters *before,
			 const struct counters *after)
{
	char line[1024] = "";
	size_t len = 0;

	for (int i = 0; i < after->n && i < before->n; i++) {
		int64_t d = after->v[i] - before->v[i];

		if (!d || strstr(after->names[i], "_ns") ||
		    !strcmp(after->names[i], "instructions"))
			continue;
		len += snprintf(line + len, sizeof(line) - len, " %s +%" PRId64,
				after->names[i], d);
		if (len >= sizeof(line))
			break;
	}
	igt_info("counters:%s\n", line[0] ? line : " none moved");
}

/*
 * Waits up to 5 s (scaled: vsvm_scaled_limit()) for counter @name to have
 * grown by @min since @before.
 */
static void wait_counter(const struct counters *before, const char *name,
			 int64_t min)
{
	struct counters now;
	int64_t d = 0;

	for (int64_t i = 0; i < vsvm_scaled_limit(100); i++) {
		counters_read(&now);
		d = counters_delta(before, &now, name);
		if (d >= min)
			return;
		usleep(50 * 1000);
	}
	igt_assert_f(false, "counter %s grew by %" PRId64 ", expected %" PRId64
		     " or more\n", name, d, min);
}

/* /proc/self/pagemap entry of @addr (PFNs need CAP_SYS_ADMIN). */
static uint64_t pagemap(const void *addr)
{
	uint64_t e = 0;
	int f = open("/proc/self/pagemap", O_RDONLY);

	igt_assert_fd(f);
	igt_assert_eq(pread(f, &e, sizeof(e),
			    (uintptr_t)addr / page_size * sizeof(e)),
		      sizeof(e));
	close(f);
	return e;
}

#define PM_PRESENT	(1ull << 63)
#define PM_SWAPPED	(1ull << 62)
#define PM_PFN(e)	((e) & ((1ull << 55) - 1))

/*
 * The context of one process (or thread) using the device: a VM
 * mirroring [0, mirror_end), a queue, the shaders in a read-only BO at
 * CODE_VA, and ARGS_SLOTS argument blocks in a BO at @args_va.
 */
struct sa_ctx {
	int fd;
	uint32_t vm, queue;
	uint64_t args_va;
	uint8_t *args;
	unsigned int next_slot;
	bool own_vm;
};

/*
 * @vm: an existing VM (shared by threads: code already bound, each context
 * with its own @args_va), or 0 for a new one with the mirror and the code.
 */
static void ctx_init_vm(struct sa_ctx *c, int dev, uint32_t vm,
			uint64_t args_va)
{
	uint32_t bo;

	memset(c, 0, sizeof(*c));
	c->fd = dev;
	c->own_vm = !vm;
	if (!vm) {
		vm = vsvm_vm_create(dev, DRM_VSVM_VM_CREATE_SVM);
		vsvm_vm_map_mirror(dev, vm, 0, mirror_end);
		vsvm_gem_close(dev, vsvm_upload_code(dev, vm, CODE_VA,
						     code_blob,
						     code_blob_size));
	}
	c->vm = vm;
	c->args_va = args_va;
	bo = vsvm_gem_create(dev, ARGS_SLOTS * ARGS_SLOT_SIZE);
	vsvm_vm_map(dev, vm, bo, 0, args_va, ARGS_SLOTS * ARGS_SLOT_SIZE, 0);
	c->args = vsvm_gem_mmap(dev, bo, ARGS_SLOTS * ARGS_SLOT_SIZE,
				PROT_READ | PROT_WRITE);
	vsvm_gem_close(dev, bo);
	c->queue = vsvm_queue_create(dev, vm);
}

static void ctx_init(struct sa_ctx *c)
{
	ctx_init_vm(c, fd, 0, ARGS_VA);
}

static void ctx_fini(struct sa_ctx *c)
{
	vsvm_queue_destroy(c->fd, c->queue);
	munmap(c->args, ARGS_SLOTS * ARGS_SLOT_SIZE);
	if (c->own_vm)
		vsvm_vm_destroy(c->fd, c->vm);
	else
		vsvm_vm_unmap(c->fd, c->vm, c->args_va,
			      ARGS_SLOTS * ARGS_SLOT_SIZE);
}

static int __ctx_submit_at(struct sa_ctx *c, uint64_t code, uint32_t size,
			   const struct sa_args *a, uint32_t lanes,
			   uint64_t *seqno)
{
	unsigned int slot = c->next_slot++ % ARGS_SLOTS;
	struct drm_vsvm_exec exec;
	int ret;

	memcpy(c->args + slot * ARGS_SLOT_SIZE, a, sizeof(*a));
	vsvm_exec_init(&exec, c->queue, code, size);
	exec.args_addr = c->args_va + slot * ARGS_SLOT_SIZE;
	exec.args_size = sizeof(*a);
	exec.wg_size[0] = lanes < WG_LANES ? lanes : WG_LANES;
	exec.grid[0] = (lanes + WG_LANES - 1) / WG_LANES;
	ret = __vsvm_exec(c->fd, &exec);
	*seqno = exec.seqno;
	return ret;
}

static uint64_t ctx_submit(struct sa_ctx *c, enum shader s,
			   const struct sa_args *a, uint32_t lanes)
{
	uint64_t seqno = 0;

	igt_assert_eq(__ctx_submit_at(c, CODE_VA + shaders[s].offset,
				      shaders[s].size, a, lanes, &seqno), 0);
	return seqno;
}

static struct drm_vsvm_wait ctx_wait(struct sa_ctx *c, uint64_t seqno)
{
	struct drm_vsvm_wait w;

	igt_assert_eq(__vsvm_wait(c->fd, c->queue, seqno, VSVM_WAIT_TIMEOUT_NS,
				  &w), 0);
	return w;
}

static void log_wait(const char *what, const struct drm_vsvm_wait *w)
{
	igt_info("%s: %s, access %#x at %#llx, pc %#x, info %#x\n", what,
		 vsvm_status_name(w->status), w->fault_access,
		 (unsigned long long)w->fault_addr, w->fault_pc, w->info);
}

/* Runs a job to its end; returns how it ended. */
static struct drm_vsvm_wait ctx_run(struct sa_ctx *c, enum shader s,
				    const struct sa_args *a, uint32_t lanes)
{
	return ctx_wait(c, ctx_submit(c, s, a, lanes));
}

static void ctx_run_ok(struct sa_ctx *c, enum shader s,
		       const struct sa_args *a, uint32_t lanes)
{
	struct drm_vsvm_wait w = ctx_run(c, s, a, lanes);

	if (w.status != DRM_VSVM_STATUS_OK)
		log_wait("job", &w);
	igt_assert_eq_u32(w.status, DRM_VSVM_STATUS_OK);
}

/* A job expected to fail with @status on an access at @addr. */
static void ctx_run_fault(struct sa_ctx *c, enum shader s,
			  const struct sa_args *a, uint32_t lanes,
			  uint32_t status, uint64_t addr)
{
	struct drm_vsvm_wait w = ctx_run(c, s, a, lanes);

	log_wait("job", &w);
	igt_assert_f(w.status == status, "status %s, expected %s\n",
		     vsvm_status_name(w.status), vsvm_status_name(status));
	igt_assert_eq_u64(w.fault_addr, addr);
}

/*
 * xform of @n words at @stride, in place at @p; the same on @shadow; then
 * @len bytes at @p must equal @shadow (0: the caller compares).
 */
static void xform_in_place(struct sa_ctx *c, void *p, void *shadow,
			   uint32_t n, uint32_t stride, uint64_t key,
			   uint64_t len, const char *what)
{
	struct sa_args a = {
		.src = to_user_pointer(p), .dst = to_user_pointer(p),
		.n = n, .stride = stride, .key = key,
	};

	ctx_run_ok(c, SH_XFORM, &a, n);
	shadow_xform(shadow, n, stride, key);
	check_bytes(p, shadow, len, what);
}

/*
 * Backing stores. A buffer is @len bytes at @ptr inside a CPU allocation of
 * the kind named; buf_free() releases the allocation.
 */
enum backing {
	B_MALLOC,	/* malloc() */
	B_ANON,		/* private anonymous mmap() */
	B_SHARED,	/* shared anonymous mmap() */
	B_TMPFS,	/* shared mapping of a file in /tmp (tmpfs in the VM) */
	B_TMPFS_PRIVATE, /* private mapping of the same: COW from the page cache */
	B_EXT4,		/* shared mapping of a file on ext4 (on a zram disk) */
	B_THP,		/* 2 MiB-aligned anonymous, madvise(MADV_HUGEPAGE) */
	B_HUGETLB,	/* MAP_HUGETLB, 2 MiB pages */
	B_MLOCK,	/* anonymous, mlock()ed */
	B_STACK,	/* the calling thread's stack */
	B_COUNT,
};

static const char *const backing_names[B_COUNT] = {
	[B_MALLOC] = "malloc",
	[B_ANON] = "anon",
	[B_SHARED] = "shared",
	[B_TMPFS] = "tmpfs",
	[B_TMPFS_PRIVATE] = "tmpfs-private",
	[B_EXT4] = "ext4",
	[B_THP] = "thp",
	[B_HUGETLB] = "hugetlb",
	[B_MLOCK] = "mlock",
	[B_STACK] = "stack",
};

struct buf {
	enum backing kind;
	uint8_t *ptr;		/* the buffer under test */
	uint64_t len;
	void *map;		/* what to munmap() or free() */
	uint64_t map_len;
	int file;		/* file-backed: the file, and its offset of ptr */
	uint64_t file_off;
};

/* ext4 on a zram disk, for a file system with a block device under it. */
#define EXT4_DIR	"/tmp/vsvm-sa-ext4"
static int ext4_zram = -1;

static bool zram_available(void)
{
	if (access("/sys/class/zram-control/hot_add", R_OK))
		sh("modprobe zram >/dev/null 2>&1");
	return !access("/sys/class/zram-control/hot_add", R_OK);
}

/* A new zram disk of @bytes; returns its number, or -1. */
static int zram_add(uint64_t bytes)
{
	char path[64];
	int64_t id;

	if (!zram_available())
		return -1;
	id = read_file_u64("/sys/class/zram-control/hot_add");
	if (id < 0)
		return -1;
	snprintf(path, sizeof(path), "/sys/block/zram%" PRId64 "/disksize", id);
	if (write_file(path, "%" PRIu64, bytes)) {
		write_file("/sys/class/zram-control/hot_remove", "%" PRId64, id);
		return -1;
	}
	return id;
}

static void zram_remove(int id)
{
	igt_warn_on(write_file("/sys/class/zram-control/hot_remove", "%d", id));
}

/* Mounts ext4 at EXT4_DIR the first time; false if it cannot. */
static bool ext4_setup(void)
{
	if (ext4_zram >= 0)
		return true;
	ext4_zram = zram_add(64 * SZ_1M);
	if (ext4_zram < 0)
		return false;
	if (sh("mkfs.ext4 -q -F /dev/zram%d >/dev/null 2>&1", ext4_zram) ||
	    sh("mkdir -p %s && { mount -t ext4 /dev/zram%d %s || "
	       "{ modprobe ext4 && mount -t ext4 /dev/zram%d %s; }; } "
	       ">/dev/null 2>&1", EXT4_DIR, ext4_zram, EXT4_DIR, ext4_zram,
	       EXT4_DIR)) {
		zram_remove(ext4_zram);
		ext4_zram = -1;
		return false;
	}
	return true;
}

static void ext4_teardown(void)
{
	if (ext4_zram < 0)
		return;
	igt_warn_on(sh("umount %s", EXT4_DIR));
	rmdir(EXT4_DIR);
	zram_remove(ext4_zram);
	ext4_zram = -1;
}

/* Reserves @n more 2 MiB hugetlb pages; the old count to restore, or -1. */
static int64_t hugetlb_reserve(int64_t n)
{
	const char *knob = "/proc/sys/vm/nr_hugepages";
	int64_t old = read_file_u64(knob);

	if (old < 0 || read_key("/proc/meminfo", "Hugepagesize") != 2048)
		return -1;
	if (write_file(knob, "%" PRId64, old + n) ||
	    read_key("/proc/meminfo", "HugePages_Free") < n) {
		write_file(knob, "%" PRId64, old);
		return -1;
	}
	return old;
}

static void hugetlb_release(int64_t old)
{
	if (old >= 0)
		igt_warn_on(write_file("/proc/sys/vm/nr_hugepages", "%" PRId64,
				       old));
}

/* An anonymous mapping of @len at a @align-aligned address. */
static void *mmap_aligned(uint64_t len, uint64_t align, int prot, int flags,
			  int file, off_t off)
{
	uint8_t *p = mmap(NULL, len + align, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint8_t *a;

	igt_assert(p != MAP_FAILED);
	a = (uint8_t *)ALIGN((uintptr_t)p, align);
	igt_assert_eq(munmap(p, len + align), 0);
	a = mmap(a, len, prot, flags | MAP_FIXED, file, off);
	return a == MAP_FAILED ? NULL : a;
}

/* What a private file mapping's file holds: pattern FILE_SEED. */
#define FILE_SEED	0xf11e5eedull

static void file_fill(int file, uint64_t len)
{
	uint64_t *data = malloc(len);

	igt_assert(data);
	fill_words(data, len, FILE_SEED);
	igt_assert_eq(pwrite(file, data, len, 0), (ssize_t)len);
	free(data);
}

static int tmp_file(const char *dir, uint64_t len)
{
	char name[96];
	int f;

	snprintf(name, sizeof(name), "%s/vsvm-sa-XXXXXX", dir);
	f = mkstemp(name);
	igt_assert_fd(f);
	unlink(name);
	igt_assert_eq(ftruncate(f, len), 0);
	return f;
}

/*
 * @len bytes of kind @kind; @unaligned puts the buffer at a 24-byte offset
 * into its first page and rounds nothing, so that neither its start nor its
 * end is page-aligned. Skips the subtest if the kind is unavailable.
 * B_STACK is not allocated here: see with_stack_buf().
 */
static void buf_alloc(struct buf *b, enum backing kind, uint64_t len,
		      bool unaligned)
{
	uint64_t off = unaligned ? 24 : 0;
	uint64_t map_len = ALIGN(len + off, page_size);
	int rw = PROT_READ | PROT_WRITE;

	memset(b, 0, sizeof(*b));
	b->kind = kind;
	b->len = len;
	b->file = -1;
	switch (kind) {
	case B_MALLOC:
		b->map = malloc(len + off);
		igt_assert(b->map);
		map_len = len + off;
		break;
	case B_ANON:
	case B_MLOCK:
		b->map = mmap(NULL, map_len, rw, MAP_PRIVATE | MAP_ANONYMOUS,
			      -1, 0);
		igt_assert(b->map != MAP_FAILED);
		if (kind == B_MLOCK)
			igt_require_f(!mlock(b->map, map_len),
				      "mlock of %" PRIu64 " bytes: %m\n",
				      map_len);
		break;
	case B_SHARED:
		b->map = mmap(NULL, map_len, rw, MAP_SHARED | MAP_ANONYMOUS,
			      -1, 0);
		igt_assert(b->map != MAP_FAILED);
		break;
	case B_TMPFS:
	case B_TMPFS_PRIVATE:
	case B_EXT4:
		if (kind == B_EXT4)
			igt_require_f(ext4_setup(),
				      "no ext4 on zram (modules zram, ext4)\n");
		b->file = tmp_file(kind == B_EXT4 ? EXT4_DIR : "/tmp",
				   map_len);
		if (kind == B_TMPFS_PRIVATE)
			file_fill(b->file, map_len);
		b->map = mmap(NULL, map_len, rw,
			      kind == B_TMPFS_PRIVATE ? MAP_PRIVATE : MAP_SHARED,
			      b->file, 0);
		igt_assert(b->map != MAP_FAILED);
		b->file_off = off;
		break;
	case B_THP:
		map_len = ALIGN(map_len, SZ_2M);
		b->map = mmap_aligned(map_len, SZ_2M, rw,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		igt_assert(b->map);
		igt_require_f(!madvise(b->map, map_len, MADV_HUGEPAGE),
			      "madvise(MADV_HUGEPAGE): %m\n");
		break;
	case B_HUGETLB:
		map_len = ALIGN(map_len, SZ_2M);
		b->map = mmap(NULL, map_len, rw, MAP_PRIVATE | MAP_ANONYMOUS |
			      MAP_HUGETLB | (21 << MAP_HUGE_SHIFT), -1, 0);
		igt_require_f(b->map != MAP_FAILED,
			      "no free 2 MiB hugetlb page: %m\n");
		break;
	default:
		igt_assert_f(false, "backing %d\n", kind);
	}
	b->map_len = map_len;
	b->ptr = (uint8_t *)b->map + off;
}

static void buf_free(struct buf *b)
{
	if (b->kind == B_STACK)
		return;
	if (b->kind == B_MALLOC)
		free(b->map);
	else
		igt_assert_eq(munmap(b->map, b->map_len), 0);
	if (b->file >= 0)
		close(b->file);
	memset(b, 0, sizeof(*b));
}

/*
 * The file under a shared mapping holds what the mapping shows (@shadow,
 * the whole mapping); the one under a private mapping still holds what it
 * held before the mapping was written (pattern FILE_SEED).
 */
static void buf_check_file(const struct buf *b, const void *shadow)
{
	uint8_t *data, *want = NULL;

	if (b->file < 0)
		return;
	data = malloc(b->map_len);
	igt_assert(data);
	igt_assert_eq(pread(b->file, data, b->map_len, 0),
		      (ssize_t)b->map_len);
	if (b->kind == B_TMPFS_PRIVATE) {
		want = malloc(b->map_len);
		igt_assert(want);
		fill_words(want, b->map_len, FILE_SEED);
		shadow = want;
	}
	check_bytes(data, shadow, b->map_len, "file contents");
	free(want);
	free(data);
}

/* Runs @fn(@arg, buffer) on a @len-byte buffer on this thread's stack. */
static void __attribute__((noinline))
with_stack_buf(uint64_t len, void (*fn)(void *arg, struct buf *b), void *arg)
{
	uint8_t stack[len + 64] __attribute__((aligned(16)));
	struct buf b = {
		.kind = B_STACK, .ptr = stack + 24, .len = len,
		.map = stack, .map_len = len + 64, .file = -1,
	};

	fn(arg, &b);
	/* Keep the array live until the GPU is done with it. */
	asm volatile("" : : "r"(stack) : "memory");
}

/* The backing matrix: sizes, access patterns and repetitions. */

struct matrix_case {
	const char *name;
	uint64_t len;
	bool unaligned;
	uint32_t stride;	/* bytes between the words a job touches */
	unsigned int execs;
};

#define UNALIGNED_LEN	(3 * SZ_4K + 1000)
#define MANY		16

static const struct matrix_case matrix_cases[] = {
	{ "4k-once", SZ_4K, false, 8, 1 },
	{ "4k-twice", SZ_4K, false, 8, 2 },
	{ "4k-many", SZ_4K, false, 8, MANY },
	{ "64k-once", SZ_64K, false, 8, 1 },
	{ "64k-twice", SZ_64K, false, 8, 2 },
	{ "64k-many", SZ_64K, false, 8, MANY },
	{ "2m-once", SZ_2M, false, 8, 1 },
	{ "2m-twice", SZ_2M, false, 8, 2 },
	{ "2m-many", SZ_2M, false, 8, MANY / 2 },
	{ "2m-stride-once", SZ_2M, false, SZ_4K + 8, 1 },
	{ "2m-stride-many", SZ_2M, false, SZ_4K + 8, MANY / 2 },
	{ "unaligned-once", UNALIGNED_LEN, true, 8, 1 },
	{ "unaligned-twice", UNALIGNED_LEN, true, 8, 2 },
	{ "unaligned-many", UNALIGNED_LEN, true, 8, MANY },
};

static uint32_t words_in(uint64_t len, uint32_t stride)
{
	return (len - 8) / stride + 1;
}

/*
 * @execs jobs on buffer @b: the even ones after the CPU rewrote the whole
 * mapping with new data (the GPU must see it), the odd ones on what the
 * previous job wrote (the CPU must have seen it, and so must the GPU).
 * After each job the whole mapping, guard bytes around the buffer
 * included, is compared with a shadow the CPU computed.
 */
static void matrix_run(struct sa_ctx *c, struct buf *b, uint32_t stride,
		       unsigned int execs)
{
	uint64_t off = b->ptr - (uint8_t *)b->map;
	uint32_t n = words_in(b->len, stride);
	uint8_t *shadow = malloc(b->map_len);
	bool huge = (b->kind == B_THP || b->kind == B_HUGETLB) &&
		    b->len == SZ_2M && have_debugfs();
	int64_t ptes_2m = huge ? vsvm_counter(fd, "fault_ptes_2m") : 0;

	igt_assert(shadow);
	for (unsigned int k = 0; k < execs; k++) {
		char what[64];

		if (!(k & 1)) {
			fill_words(b->map, b->map_len, 1000 + k);
			memcpy(shadow, b->map, b->map_len);
		}
		snprintf(what, sizeof(what), "%s, job %u", backing_names[b->kind],
			 k);
		xform_in_place(c, b->ptr, shadow + off, n, stride,
			       pattern(77, k), 0, what);
		check_bytes(b->map, shadow, b->map_len, what);
	}
	buf_check_file(b, shadow);
	/* The large CPU page is mapped by one GPU PTE (hmm-tests "compound"). */
	if (huge)
		igt_assert_f(vsvm_counter(fd, "fault_ptes_2m") > ptes_2m,
			     "no 2 MiB GPU PTE for a 2 MiB CPU page\n");
	free(shadow);
}

struct matrix_arg {
	struct sa_ctx *c;
	const struct matrix_case *mc;
};

static void matrix_stack(void *arg, struct buf *b)
{
	struct matrix_arg *m = arg;

	b->len = m->mc->len;
	if (!m->mc->unaligned)
		b->ptr = (uint8_t *)b->map;
	matrix_run(m->c, b, m->mc->stride, m->mc->execs);
}

static void test_backing(enum backing kind, const struct matrix_case *mc)
{
	struct sa_ctx c;
	struct buf b;

	ctx_init(&c);
	if (kind == B_STACK) {
		struct matrix_arg m = { &c, mc };

		with_stack_buf(mc->len, matrix_stack, &m);
	} else {
		buf_alloc(&b, kind, mc->len, mc->unaligned);
		matrix_run(&c, &b, mc->stride, mc->execs);
		buf_free(&b);
	}
	ctx_fini(&c);
}

static bool backing_has_small_pages(enum backing kind)
{
	return kind != B_THP && kind != B_HUGETLB;
}

/*
 * What a new buffer holds before anyone writes it: zeros, or the file's
 * contents under a private file mapping.
 */
static void buf_initial(const struct buf *b, void *shadow)
{
	if (b->kind == B_TMPFS_PRIVATE)
		fill_words(shadow, b->map_len, FILE_SEED);
	else
		memset(shadow, 0, b->map_len);
}

/*
 * The GPU is the first to touch memory the CPU never did: it reads zero
 * pages or page-cache pages, then writes (or only writes), and the CPU sees
 * the result.
 */
static void test_first_touch(enum backing kind, uint64_t len, bool read)
{
	struct sa_ctx c;
	uint8_t *shadow;
	struct buf b;
	struct sa_args a = {};
	uint32_t n = len / 8;

	/* Only malloc()s above the mmap threshold get untouched memory. */
	igt_assert(kind != B_MALLOC || len >= MMAP_THRESHOLD);
	ctx_init(&c);
	buf_alloc(&b, kind, len, false);
	shadow = malloc(b.map_len);
	igt_assert(shadow);
	buf_initial(&b, shadow);
	a.src = a.dst = to_user_pointer(b.ptr);
	a.n = n;
	a.stride = 8;
	a.key = pattern(5, len);
	ctx_run_ok(&c, read ? SH_XFORM : SH_FILL, &a, n);
	if (!read)
		memset(shadow, 0, len);
	shadow_xform(shadow, n, 8, a.key);
	check_bytes(b.map, shadow, b.map_len, "GPU-first-touched memory");
	buf_check_file(&b, shadow);

	/* And again, now that both have it mapped. */
	a.key = pattern(6, len);
	ctx_run_ok(&c, SH_XFORM, &a, n);
	shadow_xform(shadow, n, 8, a.key);
	check_bytes(b.map, shadow, b.map_len, "second job");
	buf_check_file(&b, shadow);
	free(shadow);
	buf_free(&b);
	ctx_fini(&c);
}

/*
 * A new allocation for every job, holding its own code (as IGT's batches
 * live in the allocation): the GPU fetches the code from memory the CPU
 * just wrote, then transforms the rest. With @free_each, the allocation is
 * freed right after its job, while the GPU still maps it; otherwise all are
 * freed at the end.
 */
static void test_new_each_exec(enum backing kind, uint64_t len, bool free_each)
{
	const unsigned int execs = MANY;
	const uint32_t code_room = 1024;
	struct counters before, after;
	struct buf bufs[MANY];
	uint32_t n = (len - code_room) / 8;
	uint8_t *shadow = malloc(len);
	struct sa_ctx c;

	igt_assert(shadow);
	igt_assert(shaders[SH_XFORM].size <= code_room);
	ctx_init(&c);
	if (have_debugfs())
		counters_read(&before);
	for (unsigned int k = 0; k < execs; k++) {
		struct buf *b = &bufs[k];
		struct sa_args a = {};
		struct drm_vsvm_wait w;
		uint64_t seqno;

		buf_alloc(b, kind, len, false);
		memcpy(b->ptr, code_blob + shaders[SH_XFORM].offset,
		       shaders[SH_XFORM].size);
		fill_words(b->ptr + code_room, len - code_room, k);
		memcpy(shadow, b->ptr, len);
		a.src = a.dst = to_user_pointer(b->ptr + code_room);
		a.n = n;
		a.stride = 8;
		a.key = pattern(9, k);
		igt_assert_eq(__ctx_submit_at(&c, to_user_pointer(b->ptr),
					      shaders[SH_XFORM].size, &a, n,
					      &seqno), 0);
		w = ctx_wait(&c, seqno);
		if (w.status)
			log_wait("job", &w);
		igt_assert_eq_u32(w.status, DRM_VSVM_STATUS_OK);
		shadow_xform(shadow + code_room, n, 8, a.key);
		check_bytes(b->ptr, shadow, len, "new allocation");
		if (free_each)
			buf_free(b);
	}
	if (!free_each)
		for (unsigned int k = 0; k < execs; k++)
			buf_free(&bufs[k]);
	if (have_debugfs()) {
		/* Each munmap()ed range is collected (by a worker). */
		if (kind != B_MALLOC || len >= MMAP_THRESHOLD)
			wait_counter(&before, "gc_ranges", execs);
		counters_read(&after);
		counters_log(&before, &after);
	}
	ctx_fini(&c);
	free(shadow);
}

/*
 * The CPU polls a completion counter inside the buffer while the GPU
 * faults that very memory in (IGT's "race" sections), and checks the data
 * as soon as the counter says every lane is done: before the job is known
 * to have ended. With @cpu_first false the CPU writes only the counter, so
 * the GPU is the first to write the rest.
 */
static void test_race_poll(enum backing kind, uint64_t len, bool cpu_first)
{
	struct sa_ctx c;
	struct buf b;
	struct sa_args a = {};
	struct timespec start = {};
	_Atomic uint64_t *flag;
	uint8_t *shadow;
	uint32_t n = (len - 64) / 8;
	uint64_t seqno, polls = 0;

	ctx_init(&c);
	buf_alloc(&b, kind, len, false);
	shadow = malloc(b.map_len);
	igt_assert(shadow);
	flag = (_Atomic uint64_t *)b.ptr;
	if (cpu_first) {
		fill_words(b.map, b.map_len, 3);
		*flag = 0;
		memcpy(shadow, b.map, b.map_len);
	} else {
		/* Only the flag's page is touched by the CPU first. */
		buf_initial(&b, shadow);
		*flag = 0;
		memset(shadow, 0, 8);
	}
	a.src = a.dst = to_user_pointer(b.ptr + 64);
	a.n = n;
	a.stride = 8;
	a.key = pattern(4, len);
	a.flag = to_user_pointer(flag);
	seqno = ctx_submit(&c, SH_XFORM_SIGNAL, &a, n);
	igt_gettime(&start);
	while (atomic_load(flag) != n) {
		igt_assert_f(igt_nsec_elapsed(&start) <
			     (uint64_t)VSVM_WAIT_TIMEOUT_NS,
			     "completion counter at %" PRIu64 " of %u\n",
			     (uint64_t)atomic_load(flag), n);
		polls++;
	}
	shadow_xform(shadow + 64, n, 8, a.key);
	*(uint64_t *)shadow = n;
	check_bytes(b.map, shadow, b.map_len, "data when the flag said done");
	igt_assert_eq_u32(ctx_wait(&c, seqno).status, DRM_VSVM_STATUS_OK);
	igt_info("%" PRIu64 " polls of the flag while the job ran\n", polls);
	buf_check_file(&b, shadow);
	free(shadow);
	buf_free(&b);
	ctx_fini(&c);
}

/*
 * CPU and GPU take turns on one page, each waiting for the other's flag
 * with atomics and passing data the other must see: live, two-way
 * coherence on a page both have mapped at once.
 */
static void test_ping_pong(enum backing kind)
{
	const uint32_t rounds = 50;
	struct sa_ctx c;
	struct buf b;
	struct sa_args a = {};
	struct timespec start = {};
	_Atomic uint64_t *flag;
	uint64_t *in, *out, seqno;

	ctx_init(&c);
	buf_alloc(&b, kind, SZ_4K, false);
	flag = (_Atomic uint64_t *)(b.ptr + 128);
	in = (uint64_t *)(b.ptr + 136);
	out = (uint64_t *)(b.ptr + 144);
	fill_words(b.map, b.map_len, 8);
	atomic_store(flag, 0);
	a.flag = to_user_pointer(flag);
	a.iters = rounds;
	a.key = pattern(12, 0);
	seqno = ctx_submit(&c, SH_PINGPONG, &a, 1);
	igt_gettime(&start);
	for (uint32_t k = 0; k < rounds; k++) {
		*in = pattern(13, k);
		atomic_store(flag, 2 * k + 1);
		while (atomic_load(flag) != 2 * k + 2) {
			igt_assert_f(igt_nsec_elapsed(&start) <
				     (uint64_t)VSVM_WAIT_TIMEOUT_NS,
				     "round %u: flag %" PRIu64 "\n", k,
				     (uint64_t)atomic_load(flag));
			/* The compute unit may need this CPU. */
			sched_yield();
		}
		igt_assert_eq_u64(*out, pattern(13, k) ^ a.key);
	}
	igt_assert_eq_u32(ctx_wait(&c, seqno).status, DRM_VSVM_STATUS_OK);
	igt_info("%u rounds in %.3f s\n", rounds,
		 igt_nsec_elapsed(&start) / 1e9);
	buf_free(&b);
	ctx_fini(&c);
}

/* A free range of @len bytes at an @align-aligned address. */
static void *free_va(uint64_t len, uint64_t align)
{
	void *p = mmap_aligned(len, align, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	igt_assert(p);
	igt_assert_eq(munmap(p, len), 0);
	return p;
}

/*
 * mremap() of memory the GPU maps (IGT's remap sections): the data moves,
 * the GPU finds it at the new address, and the old address behaves as the
 * CPU's does: unmapped (NO_VMA), or with MREMAP_DONTUNMAP an empty private
 * range (zeros; read-only if it was) or, for shared memory, the same pages.
 */
static void test_mremap(enum backing kind, bool dontunmap, bool ro)
{
	uint64_t len = kind == B_THP ? SZ_2M : 4 * SZ_64K;
	uint32_t n = len / 8;
	int flags = MREMAP_MAYMOVE | MREMAP_FIXED |
		    (dontunmap ? MREMAP_DONTUNMAP : 0);
	struct sa_args a = { .n = n, .stride = 8 };
	uint8_t *shadow = malloc(len), *old, *new;
	struct counters before, after;
	struct sa_ctx c;
	struct buf b;

	igt_assert(shadow);
	ctx_init(&c);
	buf_alloc(&b, kind, len, false);
	old = b.ptr;
	fill_words(old, len, 21);
	memcpy(shadow, old, len);
	xform_in_place(&c, old, shadow, n, 8, pattern(1, 21), len,
		       "before mremap");
	if (have_debugfs())
		counters_read(&before);

	if (ro)
		igt_assert_eq(mprotect(old, len, PROT_READ), 0);
	new = mremap(old, len, len, flags,
		     free_va(len, kind == B_THP ? SZ_2M : page_size));
	igt_assert(new != MAP_FAILED);
	if (ro)
		igt_assert_eq(mprotect(new, len, PROT_READ | PROT_WRITE), 0);
	b.map = b.ptr = new;
	check_bytes(new, shadow, len, "moved data");
	xform_in_place(&c, new, shadow, n, 8, pattern(2, 21), len,
		       "at the new address");

	a.src = a.dst = to_user_pointer(old);
	if (!dontunmap) {
		a.n = 1;
		ctx_run_fault(&c, SH_XFORM, &a, 1, DRM_VSVM_STATUS_NO_VMA,
			      to_user_pointer(old));
	} else if (ro) {
		/* Still read-only: the GPU reads what the CPU would ... */
		uint8_t *want = malloc(len), *scratch = calloc(1, len);

		igt_assert(want && scratch);
		if (kind == B_SHARED)
			memcpy(want, shadow, len);
		else
			memset(want, 0, len);
		a.dst = to_user_pointer(scratch);
		a.key = pattern(3, 21);
		ctx_run_ok(&c, SH_XFORM, &a, n);
		shadow_xform(want, n, 8, a.key);
		check_bytes(scratch, want, len, "read from the old range");
		/* ... and may not write. */
		a.dst = to_user_pointer(old);
		a.n = 1;
		ctx_run_fault(&c, SH_XFORM, &a, 1, DRM_VSVM_STATUS_READ_ONLY,
			      to_user_pointer(old));
		if (kind == B_SHARED)
			check_bytes(old, shadow, len, "old read-only range");
		else
			check_zero(old, len, "old read-only range");
		check_bytes(new, shadow, len, "new range");
		free(scratch);
		free(want);
	} else if (kind == B_SHARED) {
		/* The old range maps the same shared object again. */
		check_bytes(old, shadow, len, "old range of shared memory");
		xform_in_place(&c, old, shadow, n, 8, pattern(3, 21), len,
			       "at the old address");
		check_bytes(new, shadow, len, "new range, written at the old");
	} else {
		uint8_t *zeros = calloc(1, len);

		igt_assert(zeros);
		xform_in_place(&c, old, zeros, n, 8, pattern(3, 21), len,
			       "old range, empty again");
		check_bytes(new, shadow, len, "new range, after a job at the old");
		free(zeros);
	}
	if (have_debugfs()) {
		counters_read(&after);
		counters_log(&before, &after);
		/* The move invalidated what the GPU mapped at the old address. */
		igt_assert_lt_s64(0, counters_delta(&before, &after, "inval_unmap") +
			      counters_delta(&before, &after, "inval_clear"));
	}
	if (dontunmap)
		igt_assert_eq(munmap(old, len), 0);
	buf_free(&b);
	ctx_fini(&c);
	free(shadow);
}

enum fork_case {
	FORK_CHILD_READS,	/* the child sees what the GPU wrote */
	FORK_PARENT_GPU_WRITES,	/* after fork: private to the parent, or shared */
	FORK_CHILD_CPU_WRITES,	/* the parent's GPU sees its own, or shared, data */
	FORK_CHILD_GPU_WRITES,	/* the child's own VM writes its own copy */
};

static void sync_read(int f, char want)
{
	char c = 0;

	igt_assert_eq(read(f, &c, 1), 1);
	igt_assert_eq(c, want);
}

static void sync_write(int f, char c)
{
	igt_assert_eq(write(f, &c, 1), 1);
}

/*
 * fork() and memory the GPU maps (IGT's fork-read sections, hmm-tests'
 * anon_write_child and anon_write_child_shared). Private memory is
 * copy-on-write between parent and child whoever writes it, the GPU
 * included; shared memory is the same pages in both.
 */
static void test_fork(enum backing kind, enum fork_case fc)
{
	bool shared = kind == B_SHARED || kind == B_TMPFS;
	uint64_t len = kind == B_THP ? SZ_2M : SZ_64K;
	uint8_t *shadow = malloc(len), *next = malloc(len), *child_data;
	uint32_t n = len / 8;
	int p2c[2], c2p[2];
	struct sa_ctx c;
	struct buf b;

	igt_assert(shadow && next);
	ctx_init(&c);
	buf_alloc(&b, kind, len, false);
	fill_words(b.ptr, len, 31);
	memcpy(shadow, b.ptr, len);
	xform_in_place(&c, b.ptr, shadow, n, 8, pattern(1, 31), len,
		       "before fork");
	/* What the parent's next job, or the child's CPU, will make of it. */
	memcpy(next, shadow, len);
	shadow_xform(next, n, 8, pattern(2, 31));
	child_data = malloc(len);
	igt_assert(child_data);
	fill_words(child_data, len, 32);

	igt_assert_eq(pipe(p2c), 0);
	igt_assert_eq(pipe(c2p), 0);
	igt_fork(child, 1) {
		struct sa_ctx cc;

		switch (fc) {
		case FORK_CHILD_READS:
			check_bytes(b.ptr, shadow, len, "child's view");
			break;
		case FORK_PARENT_GPU_WRITES:
			sync_read(p2c[0], 'w');
			check_bytes(b.ptr, shared ? next : shadow, len,
				    "child's view after the parent's job");
			sync_write(c2p[1], 'c');
			break;
		case FORK_CHILD_CPU_WRITES:
			memcpy(b.ptr, child_data, len);
			sync_write(c2p[1], 'w');
			sync_read(p2c[0], 'q');
			if (shared)
				shadow_xform(child_data, n, 8, pattern(2, 31));
			check_bytes(b.ptr, child_data, len,
				    "child's view after the parent's job");
			break;
		case FORK_CHILD_GPU_WRITES:
			/* The child's own file and VM mirror the child's mm. */
			ctx_init_vm(&cc, drm_open_driver_render(DRIVER_ANY), 0,
				    ARGS_VA);
			xform_in_place(&cc, b.ptr, shadow, n, 8, pattern(2, 31),
				       len, "child's own job");
			ctx_fini(&cc);
			drm_close_driver(cc.fd);
			break;
		}
	}

	switch (fc) {
	case FORK_CHILD_READS:
		igt_waitchildren();
		check_bytes(b.ptr, shadow, len, "parent's view after the child");
		xform_in_place(&c, b.ptr, shadow, n, 8, pattern(2, 31), len,
			       "after the child exited");
		break;
	case FORK_PARENT_GPU_WRITES:
		xform_in_place(&c, b.ptr, shadow, n, 8, pattern(2, 31), len,
			       "parent's job after fork");
		sync_write(p2c[1], 'w');
		sync_read(c2p[0], 'c');
		igt_waitchildren();
		check_bytes(b.ptr, next, len, "parent's view after the child");
		break;
	case FORK_CHILD_CPU_WRITES:
		sync_read(c2p[0], 'w');
		if (shared)
			memcpy(shadow, child_data, len);
		memcpy(next, shadow, len);
		shadow_xform(next, n, 8, pattern(2, 31));
		xform_in_place(&c, b.ptr, shadow, n, 8, pattern(2, 31), len,
			       "parent's job after the child wrote");
		sync_write(p2c[1], 'q');
		igt_waitchildren();
		break;
	case FORK_CHILD_GPU_WRITES:
		igt_waitchildren();
		check_bytes(b.ptr, shared ? next : shadow, len,
			    "parent's view after the child's job");
		if (shared)
			memcpy(shadow, next, len);
		xform_in_place(&c, b.ptr, shadow, n, 8, pattern(3, 31), len,
			       "parent's job after the child's");
		break;
	}
	for (int i = 0; i < 2; i++) {
		close(p2c[i]);
		close(c2p[i]);
	}
	buf_free(&b);
	ctx_fini(&c);
	free(child_data);
	free(next);
	free(shadow);
}

/*
 * One job faults many separate ranges: 64 pages, each alone in its own
 * 2 MiB block and VMA, so that no fault can serve another (IGT's
 * multi-fault).
 */
static void test_multi_fault(void)
{
	const uint32_t n = 64;
	uint8_t *base = free_va(n * SZ_2M, SZ_2M);
	uint8_t *shadow = malloc(n * SZ_4K);
	struct counters before, after;
	struct sa_args a = {
		.src = to_user_pointer(base), .dst = to_user_pointer(base),
		.n = n, .stride = SZ_2M, .key = pattern(1, 41),
	};
	struct sa_ctx c;

	igt_assert(shadow);
	ctx_init(&c);
	for (uint32_t i = 0; i < n; i++) {
		void *p = mmap(base + i * SZ_2M, SZ_4K, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

		igt_assert(p == base + i * SZ_2M);
		fill_words(p, SZ_4K, 41 + i);
		memcpy(shadow + i * SZ_4K, p, SZ_4K);
	}
	if (have_debugfs())
		counters_read(&before);
	ctx_run_ok(&c, SH_XFORM, &a, n);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t *w = (uint64_t *)(shadow + i * SZ_4K);

		w[0] ^= a.key ^ i * GOLD;
		check_bytes(base + i * SZ_2M, shadow + i * SZ_4K, SZ_4K,
			    "one of many pages");
	}
	if (have_debugfs()) {
		counters_read(&after);
		counters_log(&before, &after);
		igt_assert_lte_s64(n, counters_delta(&before, &after, "faults"));
		igt_assert_lte_s64(n, counters_delta(&before, &after,
						 "ranges_created"));
	}
	for (uint32_t i = 0; i < n; i++)
		munmap(base + i * SZ_2M, SZ_4K);
	ctx_fini(&c);
	free(shadow);
}

/* Live SVM ranges of the whole module. */
static int64_t live_ranges(void)
{
	return vsvm_debugfs_value(fd, "objects", "svm_range");
}

/*
 * VM_BIND UNMAP of the mirror while the GPU maps ranges of it, idle or
 * with a job running: the ranges go, the job faults UNMAPPED (never reads
 * wrong data), the memory is untouched, and a new mirror works.
 */
static void test_mirror_unbind(bool running)
{
	const uint64_t len = SZ_1M;
	const uint32_t n = len / 8;
	struct sa_args a = { .n = n, .stride = 8 };
	uint8_t *shadow = malloc(len);
	int64_t ranges = 0;
	struct sa_ctx c;
	struct buf b;

	igt_assert(shadow);
	ctx_init(&c);
	buf_alloc(&b, B_ANON, len, false);
	if (have_debugfs())
		ranges = live_ranges();
	if (!running) {
		fill_words(b.ptr, len, 51);
		memcpy(shadow, b.ptr, len);
		xform_in_place(&c, b.ptr, shadow, n, 8, pattern(1, 51), len,
			       "before unbinding");
		if (have_debugfs())
			igt_assert_lt(ranges, live_ranges());
		vsvm_vm_unmap(fd, c.vm, 0, mirror_end);
		if (have_debugfs())
			igt_assert_eq(live_ranges(), ranges);
		a.src = a.dst = to_user_pointer(b.ptr);
		a.n = 1;
		ctx_run_fault(&c, SH_XFORM, &a, 1, DRM_VSVM_STATUS_UNMAPPED,
			      a.src);
	} else {
		_Atomic uint64_t *started = (_Atomic uint64_t *)b.ptr;
		struct drm_vsvm_wait w;
		uint64_t seqno;

		fill_self(b.ptr + 64, len - 64, 52);
		memcpy(shadow, b.ptr, len);
		*started = 0;
		a.src = to_user_pointer(b.ptr + 64);
		a.n = (len - 64) / 8;
		a.key = 52;
		a.flag = to_user_pointer(started);
		a.iters = 4000;
		seqno = ctx_submit(&c, SH_CHECK, &a, 1024);
		while (!atomic_load(started))
			;
		vsvm_vm_unmap(fd, c.vm, 0, mirror_end);
		w = ctx_wait(&c, seqno);
		log_wait("job running while the mirror went", &w);
		igt_assert_f(w.status == DRM_VSVM_STATUS_UNMAPPED,
			     "status %s: the job should have faulted\n",
			     vsvm_status_name(w.status));
		igt_assert(w.fault_addr >= a.src && w.fault_addr < a.src + len);
		*(uint64_t *)shadow = 1;
	}
	check_bytes(b.ptr, shadow, len, "memory after the unbind");

	vsvm_vm_map_mirror(fd, c.vm, 0, mirror_end);
	a.src = a.dst = to_user_pointer(b.ptr);
	a.n = n;
	xform_in_place(&c, b.ptr, shadow, n, 8, pattern(2, 51), len,
		       "with a new mirror");
	buf_free(&b);
	ctx_fini(&c);
	free(shadow);
}

/*
 * UNMAP of part of a mirror: a hole the GPU faults in (UNMAPPED), mirror
 * on both sides, and a new mirror binding filling the hole.
 */
static void test_mirror_unbind_partial(void)
{
	const uint64_t len = 4 * SZ_64K;
	uint8_t *shadow = malloc(len);
	struct sa_args a = { .n = len / 8, .stride = 8 };
	uint8_t *hole;
	struct sa_ctx c;
	struct buf b;

	igt_assert(shadow);
	ctx_init(&c);
	buf_alloc(&b, B_ANON, len, false);
	hole = b.ptr + SZ_64K;
	fill_words(b.ptr, len, 53);
	memcpy(shadow, b.ptr, len);
	xform_in_place(&c, b.ptr, shadow, len / 8, 8, pattern(1, 53), len,
		       "before");

	vsvm_vm_unmap(fd, c.vm, to_user_pointer(hole), SZ_64K);
	a.src = a.dst = to_user_pointer(hole);
	a.n = 1;
	ctx_run_fault(&c, SH_XFORM, &a, 1, DRM_VSVM_STATUS_UNMAPPED,
		      to_user_pointer(hole));
	check_bytes(b.ptr, shadow, len, "after a fault in the hole");
	xform_in_place(&c, b.ptr, shadow, SZ_64K / 8, 8, pattern(2, 53), len,
		       "below the hole");
	xform_in_place(&c, hole + SZ_64K, shadow + 2 * SZ_64K, 2 * SZ_64K / 8,
		       8, pattern(3, 53), 0, "above the hole");
	check_bytes(b.ptr, shadow, len, "above the hole");

	vsvm_vm_map_mirror(fd, c.vm, to_user_pointer(hole), SZ_64K);
	xform_in_place(&c, b.ptr, shadow, len / 8, 8, pattern(4, 53), len,
		       "with the hole filled");
	buf_free(&b);
	ctx_fini(&c);
	free(shadow);
}

/*
 * A BO and a mirror at the same GPU address: refused while the mirror is
 * there (IGT's bo-unmap binds the BO first and the mirror over it); with
 * part of the mirror unbound the BO takes the address, and the GPU sees the
 * BO there, not the CPU's memory; rebinding the mirror brings it back.
 */
static void test_bo_over_mirror(void)
{
	const uint64_t len = SZ_64K;
	uint8_t *shadow = malloc(len), *bo_cpu, *bo_shadow = malloc(len);
	uint64_t addr;
	uint32_t bo;
	struct sa_ctx c;
	struct buf b;

	igt_assert(shadow && bo_shadow);
	ctx_init(&c);
	buf_alloc(&b, B_ANON, len, false);
	addr = to_user_pointer(b.ptr);
	fill_words(b.ptr, len, 61);
	memcpy(shadow, b.ptr, len);
	xform_in_place(&c, b.ptr, shadow, len / 8, 8, pattern(1, 61), len,
		       "mirror");

	bo = vsvm_gem_create(fd, len);
	check_err(__vsvm_vm_map(fd, c.vm, bo, 0, addr, len, 0), -EEXIST,
		  "BO over a mirror");
	check_err(__vsvm_vm_map(fd, c.vm, bo, 0, addr - SZ_4K, len, 0),
		  -EEXIST, "BO overlapping a mirror");

	vsvm_vm_unmap(fd, c.vm, addr, len);
	vsvm_vm_map(fd, c.vm, bo, 0, addr, len, 0);
	check_err(__vsvm_vm_map_mirror(fd, c.vm, addr, len), -EEXIST,
		  "mirror over a BO");
	bo_cpu = vsvm_gem_mmap(fd, bo, len, PROT_READ | PROT_WRITE);
	fill_words(bo_cpu, len, 62);
	memcpy(bo_shadow, bo_cpu, len);
	xform_in_place(&c, b.ptr, bo_shadow, len / 8, 8, pattern(2, 61), 0,
		       "BO");
	check_bytes(bo_cpu, bo_shadow, len, "the BO at the CPU's address");
	check_bytes(b.ptr, shadow, len, "CPU memory hidden by the BO");

	vsvm_vm_unmap(fd, c.vm, addr, len);
	vsvm_vm_map_mirror(fd, c.vm, addr, len);
	xform_in_place(&c, b.ptr, shadow, len / 8, 8, pattern(3, 61), len,
		       "mirror again");
	check_bytes(bo_cpu, bo_shadow, len, "BO after the mirror came back");
	munmap(bo_cpu, len);
	vsvm_gem_close(fd, bo);
	buf_free(&b);
	ctx_fini(&c);
	free(bo_shadow);
	free(shadow);
}

/*
 * The CPU maps a BO (a VM_PFNMAP mapping of the DRM file) inside the
 * mirror: not mirrorable, the job fails BAD_MEMORY (hmm-tests' mixedmap
 * has the device file mapped in the mirrored range), and the BO is intact.
 */
static void test_mirror_of_pfnmap(void)
{
	const uint64_t len = SZ_64K;
	uint8_t *cpu, *shadow = malloc(len);
	struct sa_args a = { .n = 1, .stride = 8 };
	struct sa_ctx c;
	uint32_t bo;

	igt_assert(shadow);
	ctx_init(&c);
	bo = vsvm_gem_create(fd, len);
	cpu = vsvm_gem_mmap(fd, bo, len, PROT_READ | PROT_WRITE);
	fill_words(cpu, len, 63);
	memcpy(shadow, cpu, len);
	a.src = a.dst = to_user_pointer(cpu);
	ctx_run_fault(&c, SH_XFORM, &a, 1, DRM_VSVM_STATUS_BAD_MEMORY, a.src);
	a.src = a.dst = to_user_pointer(cpu + SZ_4K);
	ctx_run_fault(&c, SH_FILL, &a, 1, DRM_VSVM_STATUS_BAD_MEMORY, a.src);
	check_bytes(cpu, shadow, len, "BO mapped by the CPU");
	munmap(cpu, len);
	vsvm_gem_close(fd, bo);
	ctx_fini(&c);
	free(shadow);
}

/* Partial munmap or remap of a GPU-touched 2 MiB range (IGT "partial"). */
#define P_REMAP		(1 << 0)
#define P_MIDDLE	(1 << 1)
#define P_CPU_FAULT	(1 << 2)
#define P_ATOMIC	(1 << 3)

static void test_partial(unsigned int flags)
{
	const uint64_t len = SZ_2M, hole_len = len / 2;
	const uint64_t hole_off = flags & P_MIDDLE ? len / 4 : 0;
	enum shader sh = flags & P_ATOMIC ? SH_XOR_ATOMIC : SH_XFORM;
	struct counters before, after;
	struct sa_args a = { .stride = 8 };
	uint8_t *shadow = malloc(len), *p, *hole;
	struct sa_ctx c;
	struct buf b;

	igt_assert(shadow);
	ctx_init(&c);
	buf_alloc(&b, B_THP, len, false);
	p = b.ptr;
	hole = p + hole_off;
	fill_words(p, len, 71);
	memcpy(shadow, p, len);
	a.src = a.dst = to_user_pointer(p);
	a.n = len / 8;
	a.key = pattern(1, 71);
	ctx_run_ok(&c, sh, &a, a.n);
	shadow_xform(shadow, a.n, 8, a.key);
	if (flags & P_CPU_FAULT)
		check_bytes(p, shadow, len, "whole range");
	if (have_debugfs())
		counters_read(&before);

	igt_assert_eq(munmap(hole, hole_len), 0);
	if (flags & P_REMAP)
		igt_assert(mmap(hole, hole_len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				-1, 0) == hole);
	if (flags & P_CPU_FAULT) {
		/* The CPU touches what is left, and the new part. */
		check_bytes(hole + hole_len, shadow + hole_off + hole_len,
			    len - hole_off - hole_len, "above the hole");
		if (hole_off)
			check_bytes(p, shadow, hole_off, "below the hole");
		if (flags & P_REMAP)
			check_zero(hole, hole_len, "new memory in the hole");
	}

	/* What survived is intact and the GPU finds it again. */
	a.src = a.dst = to_user_pointer(hole + hole_len);
	a.n = (len - hole_off - hole_len) / 8;
	a.key = pattern(2, 71);
	ctx_run_ok(&c, sh, &a, a.n);
	shadow_xform(shadow + hole_off + hole_len, a.n, 8, a.key);
	check_bytes(hole + hole_len, shadow + hole_off + hole_len,
		    len - hole_off - hole_len, "above the hole");
	if (hole_off) {
		a.src = a.dst = to_user_pointer(p);
		a.n = hole_off / 8;
		ctx_run_ok(&c, sh, &a, a.n);
		shadow_xform(shadow, a.n, 8, a.key);
		check_bytes(p, shadow, hole_off, "below the hole");
	}

	/* The hole: gone, or new zeroed memory. */
	a.src = a.dst = to_user_pointer(hole);
	if (flags & P_REMAP) {
		memset(shadow + hole_off, 0, hole_len);
		a.n = hole_len / 8;
		ctx_run_ok(&c, sh, &a, a.n);
		shadow_xform(shadow + hole_off, a.n, 8, a.key);
		check_bytes(p, shadow, len, "whole range after remap");
	} else {
		a.n = 1;
		ctx_run_fault(&c, sh, &a, 1, DRM_VSVM_STATUS_NO_VMA,
			      to_user_pointer(hole));
	}
	if (have_debugfs()) {
		wait_counter(&before, "gc_ranges", 1);
		counters_read(&after);
		counters_log(&before, &after);
		igt_assert_lt_s64(0, counters_delta(&before, &after, "inval_unmap"));
	}
	/* The whole 2 MiB, hole included: munmap() skips what is not mapped. */
	igt_assert_eq(munmap(p, len), 0);
	ctx_fini(&c);
	free(shadow);
}

/*
 * Bad addresses (IGT's "fault"): a job touching an address with no
 * binding fails UNMAPPED, one inside the mirror with no CPU mapping fails
 * NO_VMA, each with the exact address and access; the queue is not
 * poisoned: the jobs around the bad ones run and are right, and the
 * device counts exactly the bad ones as failed.
 */
static void test_bad_address(void)
{
	const uint64_t len = SZ_64K;
	const unsigned int rounds = 8;
	uint8_t *shadow = malloc(len), *gone = free_va(SZ_64K, SZ_64K);
	const uint64_t bad[] = {
		BO_VA + 64 * SZ_1M,		/* no binding */
		to_user_pointer(gone) + 8,	/* mirror, no VMA */
	};
	const uint32_t status[] = {
		DRM_VSVM_STATUS_UNMAPPED, DRM_VSVM_STATUS_NO_VMA,
	};
	struct counters before, after;
	struct sa_ctx c;
	struct buf b;

	igt_assert(shadow);
	/* A fresh VM: the first fault of its mirror is a bad one. */
	ctx_init(&c);
	buf_alloc(&b, B_ANON, len, false);
	fill_words(b.ptr, len, 81);
	memcpy(shadow, b.ptr, len);
	if (have_debugfs())
		counters_read(&before);
	for (unsigned int r = 0; r < rounds; r++) {
		for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
			struct sa_args a = {
				.src = bad[i], .dst = bad[i], .n = 1, .stride = 8,
			};
			struct drm_vsvm_wait w = ctx_run(&c, r & 1 ? SH_FILL :
							 SH_XFORM, &a, 1);

			igt_assert_f(w.status == status[i],
				     "status %s, expected %s\n",
				     vsvm_status_name(w.status),
				     vsvm_status_name(status[i]));
			igt_assert_eq_u64(w.fault_addr, bad[i]);
			igt_assert_eq_u32(w.fault_access, r & 1 ?
					  DRM_VSVM_ACCESS_WRITE :
					  DRM_VSVM_ACCESS_READ);
		}
		xform_in_place(&c, b.ptr, shadow, len / 8, 8, pattern(r, 81),
			       len, "between bad jobs");
	}
	if (have_debugfs()) {
		counters_read(&after);
		counters_log(&before, &after);
		igt_assert_eq_s64(counters_delta(&before, &after, "jobs_failed"),
			      rounds * ARRAY_SIZE(bad));
		igt_assert_eq_s64(counters_delta(&before, &after, "jobs_done"),
			      rounds * (ARRAY_SIZE(bad) + 1));
	}
	buf_free(&b);
	ctx_fini(&c);
	free(shadow);
}

/* What the creator tells the other process. */
struct creator_info {
	uint32_t vm, queue;
	uint64_t seqno, addr, len;
};

/*
 * The other process's side: @f is the creator's file, by inheritance or
 * received over @sock. Every ioctl naming the creator's SVM VM or its
 * queue is refused, waiting for its job included: the VM's owner was fixed
 * when it was created.
 */
static void not_the_creator(int f, const struct creator_info *ci)
{
	const uint64_t len = SZ_64K;
	/* Page-aligned: a valid userptr but for the VM's owner. */
	uint8_t *mine = aligned_alloc(SZ_4K, len);
	struct drm_vsvm_exec exec;
	struct drm_vsvm_wait w;
	struct sa_ctx own;
	uint32_t queue, bo;
	struct buf b;

	igt_assert(mine);
	check_err(__vsvm_vm_map_mirror(f, ci->vm, 0, SZ_1M), -EPERM,
		  "MAP_MIRROR in the creator's VM");
	check_err(__vsvm_vm_map_userptr(f, ci->vm, mine, ARGS_VA + SZ_1M, len,
					0), -EPERM,
		  "MAP_USERPTR in the creator's VM");
	bo = vsvm_gem_create(f, SZ_4K);
	check_err(__vsvm_vm_map(f, ci->vm, bo, 0, ARGS_VA + SZ_1M, SZ_4K, 0),
		  -EPERM, "MAP of a BO in the creator's VM");
	vsvm_gem_close(f, bo);
	check_err(__vsvm_vm_unmap(f, ci->vm, ci->addr, ci->len), -EPERM,
		  "UNMAP in the creator's VM");
	check_err(__vsvm_queue_create(f, ci->vm, &queue), -EPERM,
		  "QUEUE_CREATE on the creator's VM");
	check_err(__vsvm_prefetch(f, ci->vm, ci->addr, ci->len, 0), -EPERM,
		  "PREFETCH in the creator's VM");
	vsvm_exec_init(&exec, ci->queue, CODE_VA + shaders[SH_XFORM].offset,
		       shaders[SH_XFORM].size);
	check_err(__vsvm_exec(f, &exec), -EPERM, "EXEC on the creator's queue");
	check_err(__vsvm_wait(f, ci->queue, ci->seqno, 0, &w), -EPERM,
		  "WAIT for the creator's job");
	check_err(__vsvm_queue_destroy(f, ci->queue), -EPERM,
		  "QUEUE_DESTROY of the creator's queue");
	check_err(__vsvm_vm_destroy(f, ci->vm), -EPERM,
		  "VM_DESTROY of the creator's VM");

	/* Its own VM on the same file mirrors its own memory. */
	buf_alloc(&b, B_ANON, len, false);
	fill_words(b.ptr, len, 92);
	memcpy(mine, b.ptr, len);
	ctx_init_vm(&own, f, 0, ARGS_VA);
	xform_in_place(&own, b.ptr, mine, len / 8, 8, pattern(2, 91), len,
		       "its own VM");
	ctx_fini(&own);
	buf_free(&b);
	free(mine);
}

/*
 * Another process with the creator's file, a forked child or a process it
 * was passed to over a unix socket (forked before the file was opened, so
 * it inherits nothing), cannot bind, unbind, create or destroy queues,
 * submit, wait, prefetch or destroy on the creator's SVM VM; its own SVM
 * VM on the same file sees its own memory, and none of it reaches the
 * creator's, whose VM and queue work on.
 */
static void test_isolation(bool passed)
{
	const uint64_t len = SZ_64K;
	uint8_t *shadow = malloc(len);
	struct creator_info ci = { .len = len };
	struct sa_args a = { .n = len / 8, .stride = 8, .key = pattern(1, 91) };
	int sock[2], dev = fd;
	struct sa_ctx c;
	struct buf b;

	igt_assert(shadow);
	igt_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sock), 0);
	if (passed) {
		igt_fork(child, 1) {
			struct creator_info got;
			int f = vsvm_recv_fd(sock[1]);

			igt_assert_eq(read(sock[1], &got, sizeof(got)),
				      sizeof(got));
			not_the_creator(f, &got);
			close(f);
		}
		dev = drm_open_driver_render(DRIVER_ANY);
	}
	ctx_init_vm(&c, dev, 0, ARGS_VA);
	buf_alloc(&b, B_ANON, len, false);
	fill_words(b.ptr, len, 91);
	memcpy(shadow, b.ptr, len);
	a.src = a.dst = to_user_pointer(b.ptr);
	ci.vm = c.vm;
	ci.queue = c.queue;
	ci.addr = a.src;
	ci.seqno = ctx_submit(&c, SH_XFORM, &a, a.n);
	igt_assert_eq_u32(ctx_wait(&c, ci.seqno).status, DRM_VSVM_STATUS_OK);
	shadow_xform(shadow, a.n, 8, a.key);
	check_bytes(b.ptr, shadow, len, "creator's job");

	if (passed) {
		vsvm_send_fd(sock[0], dev);
		igt_assert_eq(write(sock[0], &ci, sizeof(ci)), sizeof(ci));
	} else {
		igt_fork(child, 1)
			not_the_creator(dev, &ci);
	}
	igt_waitchildren();

	check_bytes(b.ptr, shadow, len, "creator's memory");
	xform_in_place(&c, b.ptr, shadow, len / 8, 8, pattern(3, 91), len,
		       "creator's job after the other process");
	buf_free(&b);
	ctx_fini(&c);
	if (passed)
		drm_close_driver(dev);
	close(sock[0]);
	close(sock[1]);
	free(shadow);
}

/*
 * Two processes map unrelated memory at the same virtual address (each
 * mmap()s it after the fork, so nothing is shared or copied on write),
 * fill it with different data and mirror it through files of their own,
 * jobs of both in flight at once: neither's GPU ever sees the other's.
 */
static void test_isolation_same_va(void)
{
	const uint64_t len = SZ_64K;
	const unsigned int rounds = 16;
	uint8_t *va = free_va(len, SZ_64K), *shadow = malloc(len);
	int p2c[2], c2p[2];
	struct sa_ctx c;

	igt_assert(shadow);
	igt_assert_eq(pipe(p2c), 0);
	igt_assert_eq(pipe(c2p), 0);
	igt_fork(child, 1) {
		struct sa_ctx cc;
		uint8_t *mine = malloc(len);

		igt_assert(mine);
		igt_assert(mmap(va, len, PROT_READ | PROT_WRITE, MAP_PRIVATE |
				MAP_ANONYMOUS | MAP_FIXED, -1, 0) == va);
		fill_words(va, len, 102);
		memcpy(mine, va, len);
		ctx_init_vm(&cc, drm_open_driver_render(DRIVER_ANY), 0, ARGS_VA);
		for (unsigned int r = 0; r < rounds; r++) {
			sync_read(p2c[0], 'g');
			xform_in_place(&cc, va, mine, len / 8, 8,
				       pattern(r, 102), len, "child");
			sync_write(c2p[1], 'd');
		}
		ctx_fini(&cc);
		drm_close_driver(cc.fd);
		free(mine);
	}
	igt_assert(mmap(va, len, PROT_READ | PROT_WRITE, MAP_PRIVATE |
			MAP_ANONYMOUS | MAP_FIXED, -1, 0) == va);
	fill_words(va, len, 101);
	memcpy(shadow, va, len);
	ctx_init_vm(&c, drm_open_driver_render(DRIVER_ANY), 0, ARGS_VA);
	for (unsigned int r = 0; r < rounds; r++) {
		/* Both jobs in flight at once, on the same address. */
		struct sa_args a = {
			.src = to_user_pointer(va), .dst = to_user_pointer(va),
			.n = len / 8, .stride = 8, .key = pattern(r, 101),
		};
		uint64_t seqno = ctx_submit(&c, SH_XFORM, &a, a.n);

		sync_write(p2c[1], 'g');
		igt_assert_eq_u32(ctx_wait(&c, seqno).status,
				  DRM_VSVM_STATUS_OK);
		shadow_xform(shadow, a.n, 8, a.key);
		check_bytes(va, shadow, len, "parent");
		sync_read(c2p[0], 'd');
	}
	igt_waitchildren();
	ctx_fini(&c);
	drm_close_driver(c.fd);
	munmap(va, len);
	for (int i = 0; i < 2; i++) {
		close(p2c[i]);
		close(c2p[i]);
	}
	free(shadow);
}

/*
 * Threads, each with its own VM or all on one, on their own pages or
 * interleaved on the same page (IGT's threads-* and shared-alloc).
 */
#define N_THREADS	4

struct thread_job {
	pthread_t thread;
	struct sa_ctx *shared_ctx;	/* NULL: a VM of its own */
	uint32_t vm;
	unsigned int index;
	uint8_t *base;			/* this thread's first word */
	uint32_t n, stride;
	pthread_barrier_t *barrier;
};

static void *thread_body(void *arg)
{
	struct thread_job *t = arg;
	uint64_t *shadow = malloc(t->n * 8);
	struct sa_ctx c;

	igt_assert(shadow);
	ctx_init_vm(&c, fd, t->vm, ARGS_VA + t->index * SZ_64K);
	pthread_barrier_wait(t->barrier);
	for (unsigned int k = 0; k < MANY; k++) {
		struct sa_args a = {
			.src = to_user_pointer(t->base),
			.dst = to_user_pointer(t->base),
			.n = t->n, .stride = t->stride,
			.key = pattern(t->index, k),
		};

		for (uint32_t i = 0; i < t->n; i++) {
			uint64_t *w = (uint64_t *)(t->base +
						   (uint64_t)i * t->stride);

			if (!(k & 1))
				*w = pattern(t->index + 100, i + k);
			shadow[i] = *w ^ a.key ^ i * GOLD;
		}
		ctx_run_ok(&c, SH_XFORM, &a, t->n);
		for (uint32_t i = 0; i < t->n; i++)
			igt_assert_f(*(uint64_t *)(t->base +
						   (uint64_t)i * t->stride) ==
				     shadow[i], "thread %u, job %u, word %u\n",
				     t->index, k, i);
	}
	ctx_fini(&c);
	free(shadow);
	return NULL;
}

static void test_threads(bool shared_vm, bool same_page)
{
	const uint64_t per_thread = SZ_64K;
	struct thread_job t[N_THREADS];
	pthread_barrier_t barrier;
	uint32_t vm = 0;
	struct buf b;

	buf_alloc(&b, B_ANON, N_THREADS * per_thread, false);
	fill_words(b.ptr, b.len, 111);
	if (shared_vm) {
		vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_SVM);
		vsvm_vm_map_mirror(fd, vm, 0, mirror_end);
		vsvm_gem_close(fd, vsvm_upload_code(fd, vm, CODE_VA, code_blob,
						    code_blob_size));
	}
	pthread_barrier_init(&barrier, NULL, N_THREADS);
	for (unsigned int i = 0; i < N_THREADS; i++) {
		t[i] = (struct thread_job){
			.vm = vm, .index = i, .barrier = &barrier,
		};
		if (same_page) {
			/* Words i, i + N, i + 2N... of the same pages. */
			t[i].base = b.ptr + i * 8;
			t[i].stride = N_THREADS * 8;
			t[i].n = b.len / t[i].stride;
		} else {
			t[i].base = b.ptr + i * per_thread;
			t[i].stride = 8;
			t[i].n = per_thread / 8;
		}
		igt_assert_eq(pthread_create(&t[i].thread, NULL, thread_body,
					     &t[i]), 0);
	}
	for (unsigned int i = 0; i < N_THREADS; i++)
		igt_assert_eq(pthread_join(t[i].thread, NULL), 0);
	pthread_barrier_destroy(&barrier);
	if (vm)
		vsvm_vm_destroy(fd, vm);
	buf_free(&b);
}

/*
 * Many queues on one VM (IGT's many-execqueues): jobs on 16 queues, all in
 * flight at once, each on its own pages of one buffer, then checked.
 */
static void test_many_queues(void)
{
	const unsigned int n_queues = 16, jobs = 4 * n_queues;
	const uint64_t per_job = SZ_4K, len = jobs * per_job;
	uint32_t queues[16], own;
	uint64_t seqnos[64];
	uint8_t *shadow = malloc(len);
	struct sa_ctx c;
	struct buf b;

	igt_assert(shadow);
	ctx_init(&c);
	own = c.queue;
	for (unsigned int q = 0; q < n_queues; q++)
		queues[q] = vsvm_queue_create(fd, c.vm);
	buf_alloc(&b, B_ANON, len, false);
	fill_words(b.ptr, len, 231);
	memcpy(shadow, b.ptr, len);
	for (unsigned int j = 0; j < jobs; j++) {
		struct sa_args a = {
			.src = to_user_pointer(b.ptr + j * per_job),
			.dst = to_user_pointer(b.ptr + j * per_job),
			.n = per_job / 8, .stride = 8, .key = pattern(j, 231),
		};

		c.queue = queues[j % n_queues];
		seqnos[j] = ctx_submit(&c, SH_XFORM, &a, a.n);
		shadow_xform(shadow + j * per_job, a.n, 8, a.key);
	}
	for (unsigned int j = 0; j < jobs; j++) {
		c.queue = queues[j % n_queues];
		igt_assert_eq_u32(ctx_wait(&c, seqnos[j]).status,
				  DRM_VSVM_STATUS_OK);
	}
	check_bytes(b.ptr, shadow, len, "after jobs on many queues");
	c.queue = own;
	for (unsigned int q = 0; q < n_queues; q++)
		vsvm_queue_destroy(fd, queues[q]);
	buf_free(&b);
	ctx_fini(&c);
	free(shadow);
}

/* Several processes at once, each with its own file, on the matrix. */
static void test_processes(void)
{
	igt_fork(child, N_THREADS) {
		struct sa_ctx c;
		struct buf b;

		ctx_init_vm(&c, drm_open_driver_render(DRIVER_ANY), 0, ARGS_VA);
		for (enum backing kind = B_MALLOC; kind <= B_TMPFS; kind++) {
			buf_alloc(&b, kind, SZ_64K, child & 1);
			matrix_run(&c, &b, 8, MANY);
			buf_free(&b);
		}
		buf_alloc(&b, B_THP, SZ_2M, false);
		matrix_run(&c, &b, SZ_4K + 8, MANY);
		buf_free(&b);
		ctx_fini(&c);
		drm_close_driver(c.fd);
	}
	igt_waitchildren();
}

/*
 * PREFETCH services the faults a job would take: a job after a write
 * prefetch faults nowhere; a read prefetch of never-written memory maps
 * the zero page read-only, so reads need no fault and a write faults once
 * more; and a prefetch is no pin: munmap() after it still wins.
 */
static void test_prefetch(const char *which)
{
	const uint64_t len = SZ_2M;
	const uint32_t n = len / 8;
	uint8_t *shadow = calloc(1, len);
	struct counters before, after;
	struct sa_args a = { .n = n, .stride = 8, .key = pattern(1, 121) };
	struct sa_ctx c;
	struct buf b;

	igt_assert(shadow);
	igt_require(vsvm_get_param(fd, DRM_VSVM_PARAM_SVM_CAPS) &
		    DRM_VSVM_SVM_CAP_PREFETCH);
	require_debugfs();
	ctx_init(&c);
	buf_alloc(&b, B_ANON, len, false);
	a.src = a.dst = to_user_pointer(b.ptr);
	if (!strcmp(which, "write")) {
		fill_words(b.ptr, len, 121);
		memcpy(shadow, b.ptr, len);
		vsvm_prefetch(fd, c.vm, a.src, len, DRM_VSVM_PREFETCH_WRITE);
		counters_read(&before);
		ctx_run_ok(&c, SH_XFORM, &a, n);
		counters_read(&after);
		counters_log(&before, &after);
		igt_assert_eq_s64(counters_delta(&before, &after, "faults"), 0);
	} else if (!strcmp(which, "read-zero-page")) {
		struct buf out;

		buf_alloc(&out, B_ANON, len, false);
		vsvm_prefetch(fd, c.vm, a.src, len, 0);
		vsvm_prefetch(fd, c.vm, to_user_pointer(out.ptr), len,
			      DRM_VSVM_PREFETCH_WRITE);
		a.dst = to_user_pointer(out.ptr);
		counters_read(&before);
		ctx_run_ok(&c, SH_XFORM, &a, n);
		counters_read(&after);
		counters_log(&before, &after);
		igt_assert_eq_s64(counters_delta(&before, &after, "faults"), 0);
		shadow_xform(shadow, n, 8, a.key);
		check_bytes(out.ptr, shadow, len,
			    "read of prefetched zero pages");
		buf_free(&out);
		memset(shadow, 0, len);
		a.dst = a.src;
		counters_read(&before);
		ctx_run_ok(&c, SH_XFORM, &a, n);
		counters_read(&after);
		counters_log(&before, &after);
		igt_assert_lt_s64(0, counters_delta(&before, &after, "faults"));
	} else {
		fill_words(b.ptr, len, 122);
		vsvm_prefetch(fd, c.vm, a.src, len, DRM_VSVM_PREFETCH_WRITE);
		igt_assert_eq(munmap(b.ptr, len), 0);
		a.n = 1;
		ctx_run_fault(&c, SH_XFORM, &a, 1, DRM_VSVM_STATUS_NO_VMA,
			      a.src);
		check_err(__vsvm_prefetch(fd, c.vm, a.src, len, 0), -EFAULT,
			  "PREFETCH of unmapped memory");
		b.map = mmap(b.ptr, len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		igt_assert(b.map == b.ptr);
		goto out;
	}
	shadow_xform(shadow, n, 8, a.key);
	check_bytes(b.ptr, shadow, len, "after the job");
out:
	buf_free(&b);
	ctx_fini(&c);
	free(shadow);
}

/*
 * GPU atomics racing CPU atomics on the same counters: none is lost.
 * The GPU adds lanes * iters in total, spread evenly; two CPU threads add
 * their own share to every counter at the same time.
 */
#define N_COUNTERS	16
#define CPU_ADDS	20000

struct cpu_adder {
	pthread_t thread;
	_Atomic uint64_t *counters;
	_Atomic bool *go;
};

static void *cpu_add(void *arg)
{
	struct cpu_adder *c = arg;

	while (!atomic_load(c->go))
		;
	for (unsigned int i = 0; i < CPU_ADDS; i++)
		atomic_fetch_add(&c->counters[i % N_COUNTERS], 1);
	return NULL;
}

static void test_atomics_vs_cpu(enum backing kind)
{
	const uint32_t lanes = 256, iters = 64;
	struct cpu_adder adders[2];
	_Atomic bool go = false;
	_Atomic uint64_t *ctr;
	struct sa_args a = {};
	struct sa_ctx c;
	struct buf b;
	uint64_t seqno;

	igt_require(vsvm_get_param(fd, DRM_VSVM_PARAM_SVM_CAPS) &
		    DRM_VSVM_SVM_CAP_ATOMICS);
	ctx_init(&c);
	buf_alloc(&b, kind, kind == B_THP || kind == B_HUGETLB ? SZ_2M : SZ_4K,
		  false);
	memset(b.ptr, 0, b.len);
	ctr = (_Atomic uint64_t *)(b.ptr + 64);
	for (unsigned int i = 0; i < ARRAY_SIZE(adders); i++) {
		adders[i].counters = ctr;
		adders[i].go = &go;
		igt_assert_eq(pthread_create(&adders[i].thread, NULL, cpu_add,
					     &adders[i]), 0);
	}
	a.dst = to_user_pointer(ctr);
	a.n = N_COUNTERS;
	a.iters = iters;
	seqno = ctx_submit(&c, SH_COUNT, &a, lanes);
	atomic_store(&go, true);
	for (unsigned int i = 0; i < ARRAY_SIZE(adders); i++)
		igt_assert_eq(pthread_join(adders[i].thread, NULL), 0);
	igt_assert_eq_u32(ctx_wait(&c, seqno).status, DRM_VSVM_STATUS_OK);
	for (unsigned int i = 0; i < N_COUNTERS; i++)
		igt_assert_eq_u64(atomic_load(&ctr[i]),
				  lanes * iters / N_COUNTERS +
				  ARRAY_SIZE(adders) * CPU_ADDS / N_COUNTERS);
	/* Nothing around the counters was touched. */
	check_zero(b.ptr, 64, "below the counters");
	check_zero(b.ptr + 64 + N_COUNTERS * 8, b.len - 64 - N_COUNTERS * 8,
		   "above the counters");
	buf_check_file(&b, b.map);
	buf_free(&b);
	ctx_fini(&c);
}

/* Invalidations from the rest of mm. */

/* Runs a 1-lane job on @addr expecting @status there (read or write). */
static void expect_fault_at(struct sa_ctx *c, void *addr, bool write,
			    uint32_t status)
{
	struct sa_args a = {
		.src = to_user_pointer(addr), .dst = to_user_pointer(addr),
		.n = 1, .stride = 8, .key = 1,
	};

	ctx_run_fault(c, write ? SH_FILL : SH_XFORM, &a, 1, status,
		      to_user_pointer(addr));
}

/* GPU read of @len bytes at @p into a scratch buffer, checked to be @want. */
static void gpu_read_check(struct sa_ctx *c, const void *p, const void *want,
			   uint64_t len, const char *what)
{
	uint8_t *out = malloc(len), *expect = malloc(len);
	struct sa_args a = {
		.src = to_user_pointer(p), .n = len / 8, .stride = 8,
		.key = pattern(len, 7),
	};

	igt_assert(out && expect);
	a.dst = to_user_pointer(out);
	ctx_run_ok(c, SH_XFORM, &a, a.n);
	memcpy(expect, want, len);
	shadow_xform(expect, a.n, 8, a.key);
	check_bytes(out, expect, len, what);
	free(expect);
	free(out);
}

/*
 * mprotect() of memory the GPU maps (hmm-tests' anon_read_prot,
 * anon_write_prot): read-only refuses GPU writes with READ_ONLY and keeps
 * reads working, PROT_NONE refuses both with NO_ACCESS; the data is never
 * changed by a refused job, and write access comes back with PROT_WRITE.
 */
static void test_mprotect(const char *which)
{
	bool thp = strstr(which, "thp");
	uint64_t len = thp ? SZ_2M : SZ_64K, part = thp ? len / 2 : len;
	uint8_t *shadow = calloc(1, len);
	struct sa_ctx c;
	struct buf b;

	igt_assert(shadow);
	ctx_init(&c);
	if (!strcmp(which, "read-only-from-start")) {
		/* Never written: zero pages, read-only from the first fault. */
		b.map = b.ptr = mmap(NULL, len, PROT_READ,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		igt_assert(b.ptr != MAP_FAILED);
		b.kind = B_ANON;
		b.map_len = b.len = len;
		b.file = -1;
		gpu_read_check(&c, b.ptr, shadow, len, "read-only zero pages");
		expect_fault_at(&c, b.ptr + SZ_4K, true,
				DRM_VSVM_STATUS_READ_ONLY);
		check_zero(b.ptr, len, "after a refused write");
	} else {
		buf_alloc(&b, thp ? B_THP : B_ANON, len, false);
		fill_words(b.ptr, len, 131);
		memcpy(shadow, b.ptr, len);
		xform_in_place(&c, b.ptr, shadow, len / 8, 8, pattern(1, 131),
			       len, "writable");
		if (!strcmp(which, "prot-none")) {
			igt_assert_eq(mprotect(b.ptr, len, PROT_NONE), 0);
			expect_fault_at(&c, b.ptr + 8, false,
					DRM_VSVM_STATUS_NO_ACCESS);
			expect_fault_at(&c, b.ptr + len - 8, true,
					DRM_VSVM_STATUS_NO_ACCESS);
			igt_assert_eq(mprotect(b.ptr, len, PROT_READ), 0);
			check_bytes(b.ptr, shadow, len, "after PROT_NONE");
			gpu_read_check(&c, b.ptr, shadow, len, "read-only again");
		} else {
			/* All, or the upper half of a 2 MiB GPU page. */
			igt_assert_eq(mprotect(b.ptr + len - part, part,
					       PROT_READ), 0);
			gpu_read_check(&c, b.ptr, shadow, len, "read-only");
			expect_fault_at(&c, b.ptr + len - part, true,
					DRM_VSVM_STATUS_READ_ONLY);
			expect_fault_at(&c, b.ptr + len - 8, true,
					DRM_VSVM_STATUS_READ_ONLY);
			check_bytes(b.ptr, shadow, len, "after refused writes");
			if (part < len)
				xform_in_place(&c, b.ptr, shadow,
					       (len - part) / 8, 8,
					       pattern(2, 131), len,
					       "still writable half");
		}
	}
	igt_assert_eq(mprotect(b.ptr, len, PROT_READ | PROT_WRITE), 0);
	xform_in_place(&c, b.ptr, shadow, len / 8, 8, pattern(3, 131), len,
		       "writable again");
	buf_free(&b);
	ctx_fini(&c);
	free(shadow);
}

/*
 * Memory taken away under the GPU by madvise(), fallocate() or ftruncate():
 * the GPU sees what the CPU sees next (zeros, the old shared data, or
 * nothing: BAD_MEMORY past the end of a file).
 */
static void test_discard(const char *which)
{
	bool thp = !strcmp(which, "dontneed-thp-page");
	bool shared = strstr(which, "shared") || strstr(which, "tmpfs");
	enum backing kind = thp ? B_THP : !strcmp(which, "dontneed-shared") ?
			    B_SHARED : shared ? B_TMPFS : B_ANON;
	uint64_t len = thp ? SZ_2M : SZ_64K;
	uint64_t off = thp ? SZ_1M + 5 * SZ_4K : len / 4;
	uint64_t cut = thp ? SZ_4K : len / 2;
	uint8_t *shadow = malloc(len);
	struct sa_ctx c;
	struct buf b;

	igt_assert(shadow);
	ctx_init(&c);
	buf_alloc(&b, kind, len, false);
	fill_words(b.ptr, len, 141);
	memcpy(shadow, b.ptr, len);
	xform_in_place(&c, b.ptr, shadow, len / 8, 8, pattern(1, 141), len,
		       "before");

	if (!strncmp(which, "dontneed", 8)) {
		igt_assert_eq(madvise(b.ptr + off, cut, MADV_DONTNEED), 0);
		/* Private memory is gone; shared memory is still there. */
		if (kind != B_SHARED)
			memset(shadow + off, 0, cut);
	} else if (!strcmp(which, "remove-tmpfs")) {
		igt_assert_eq(madvise(b.ptr + off, cut, MADV_REMOVE), 0);
		memset(shadow + off, 0, cut);
	} else if (!strcmp(which, "punch-hole-tmpfs")) {
		igt_assert_eq(fallocate(b.file, FALLOC_FL_PUNCH_HOLE |
					FALLOC_FL_KEEP_SIZE, off, cut), 0);
		memset(shadow + off, 0, cut);
	} else {
		/* truncate-tmpfs: past the new end, the GPU finds nothing. */
		igt_assert_eq(ftruncate(b.file, off), 0);
		gpu_read_check(&c, b.ptr, shadow, off, "below the new end");
		expect_fault_at(&c, b.ptr + off, false,
				DRM_VSVM_STATUS_BAD_MEMORY);
		expect_fault_at(&c, b.ptr + len - 8, true,
				DRM_VSVM_STATUS_BAD_MEMORY);
		igt_assert_eq(ftruncate(b.file, len), 0);
		memset(shadow + off, 0, len - off);
	}
	gpu_read_check(&c, b.ptr, shadow, len, which);
	xform_in_place(&c, b.ptr, shadow, len / 8, 8, pattern(2, 141), len,
		       "written after");
	buf_check_file(&b, shadow);
	buf_free(&b);
	ctx_fini(&c);
	free(shadow);
}

/*
 * munmap() in another thread while a job reads (hmm-tests' anon_teardown):
 * every job ends OK or with NO_VMA inside the unmapped part, never with
 * wrong data (the shader checks every word it reads and traps).
 */
struct unmapper {
	uint8_t *p;
	uint64_t len;
	_Atomic uint64_t *started;
	unsigned int delay_us;
};

static void *unmap_later(void *arg)
{
	struct unmapper *u = arg;

	while (!atomic_load(u->started))
		;
	usleep(u->delay_us);
	igt_assert_eq(munmap(u->p, u->len), 0);
	return NULL;
}

static void test_munmap_race(void)
{
	const unsigned int runs = 64;
	const uint64_t len = SZ_1M;
	unsigned int ok = 0, faulted = 0;
	struct counters before, after;
	struct sa_ctx c;

	ctx_init(&c);
	if (have_debugfs())
		counters_read(&before);
	for (unsigned int r = 0; r < runs; r++) {
		uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		_Atomic uint64_t started = 0;
		struct unmapper u = {
			.p = p + len / 2, .len = len / 2, .started = &started,
			.delay_us = (r * 997) % 50000,
		};
		struct sa_args a = {
			.src = to_user_pointer(p), .n = len / 8, .key = r,
			.flag = to_user_pointer(&started), .iters = 256,
		};
		struct drm_vsvm_wait w;
		pthread_t thread;
		uint64_t seqno;

		igt_assert(p != MAP_FAILED);
		fill_self(p, len, r);
		seqno = ctx_submit(&c, SH_CHECK, &a, 512);
		igt_assert_eq(pthread_create(&thread, NULL, unmap_later, &u), 0);
		w = ctx_wait(&c, seqno);
		igt_assert_eq(pthread_join(thread, NULL), 0);
		if (w.status == DRM_VSVM_STATUS_OK) {
			ok++;
		} else {
			if (w.status != DRM_VSVM_STATUS_NO_VMA)
				log_wait("run", &w);
			igt_assert_eq_u32(w.status, DRM_VSVM_STATUS_NO_VMA);
			igt_assert(w.fault_addr >= to_user_pointer(u.p) &&
				   w.fault_addr < to_user_pointer(u.p) + u.len);
			faulted++;
		}
		/* The half that stayed is intact. */
		for (uint64_t i = 0; i < len / 2 / 8; i++)
			igt_assert_eq_u64(((uint64_t *)p)[i],
					  (uintptr_t)&((uint64_t *)p)[i] * GOLD ^ r);
		munmap(p, len / 2);
	}
	igt_info("%u runs: %u read everything, %u faulted on the unmapped "
		 "half\n", runs, ok, faulted);
	if (have_debugfs()) {
		counters_read(&after);
		counters_log(&before, &after);
		igt_assert_lte_s64(runs, counters_delta(&before, &after,
						    "inval_unmap"));
	}
	/* Both outcomes happen: the race was real. */
	igt_assert_lt(0, faulted);
	ctx_fini(&c);
}

/*
 * KSM merges identical pages the GPU maps writable: the merge write-protects
 * and replaces them, so the GPU must lose its mappings; afterwards it reads
 * the merged pages and a GPU write breaks the sharing instead of writing
 * into a page other mappings share.
 */
static void test_ksm(void)
{
	const uint64_t npages = 64, len = npages * SZ_4K;
	const char *ksm = "/sys/kernel/mm/ksm";
	struct counters before, after;
	struct timespec start = {};
	uint8_t *shadow = malloc(len);
	int64_t sharing0, sharing = 0, run_old, scan_old, sleep_old;
	char path[96];
	struct sa_ctx c;
	struct buf b;

	igt_assert(shadow);
	snprintf(path, sizeof(path), "%s/run", ksm);
	run_old = read_file_u64(path);
	igt_require_f(run_old >= 0, "no KSM\n");
	require_debugfs();
	ctx_init(&c);
	buf_alloc(&b, B_ANON, len, false);
	igt_require_f(!madvise(b.ptr, len, MADV_NOHUGEPAGE), "madvise: %m\n");
	fill_words(b.ptr, len, 151);
	memcpy(shadow, b.ptr, len);
	/* The GPU maps every page, writable (it wrote them) ... */
	xform_in_place(&c, b.ptr, shadow, len / 8, 8, pattern(1, 151), len,
		       "mapped");
	/* ... and the CPU makes them all the same. */
	for (uint64_t p = 0; p < npages; p++)
		fill_words(b.ptr + p * SZ_4K, SZ_4K, 152);
	memcpy(shadow, b.ptr, len);
	counters_read(&before);

	snprintf(path, sizeof(path), "%s/pages_sharing", ksm);
	sharing0 = read_file_u64(path);
	igt_require_f(!madvise(b.ptr, len, MADV_MERGEABLE),
		      "MADV_MERGEABLE: %m\n");
	/* Scan fast; the old settings come back at the end. */
	snprintf(path, sizeof(path), "%s/pages_to_scan", ksm);
	scan_old = read_file_u64(path);
	write_file(path, "%d", 1000);
	snprintf(path, sizeof(path), "%s/sleep_millisecs", ksm);
	sleep_old = read_file_u64(path);
	write_file(path, "%d", 10);
	snprintf(path, sizeof(path), "%s/run", ksm);
	igt_assert_eq(write_file(path, "1"), 0);
	snprintf(path, sizeof(path), "%s/pages_sharing", ksm);
	igt_gettime(&start);
	while (igt_nsec_elapsed(&start) <
	       (uint64_t)vsvm_scaled_limit(20ll * 1000 * 1000 * 1000)) {
		sharing = read_file_u64(path) - sharing0;
		if (sharing >= (int64_t)npages - 1)
			break;
		usleep(10 * 1000);
	}
	igt_info("KSM merged %" PRId64 " of %" PRIu64 " pages in %.2f s\n",
		 sharing, npages, igt_nsec_elapsed(&start) / 1e9);
	igt_assert_f(sharing >= (int64_t)npages - 1,
		     "KSM merged %" PRId64 " of %" PRIu64 " identical pages\n",
		     sharing, npages);
	igt_assert_eq_u64(PM_PFN(pagemap(b.ptr)),
			  PM_PFN(pagemap(b.ptr + (npages - 1) * SZ_4K)));
	counters_read(&after);
	counters_log(&before, &after);
	igt_assert_lte_s64(sharing, counters_delta(&before, &after, "inval_clear") +
		       counters_delta(&before, &after, "inval_protection"));

	check_bytes(b.ptr, shadow, len, "merged pages");
	gpu_read_check(&c, b.ptr, shadow, len, "GPU read of merged pages");
	/* Different data per page: writes must unshare every page. */
	xform_in_place(&c, b.ptr, shadow, len / 8, 8, pattern(2, 151), len,
		       "GPU write to merged pages");
	igt_assert_neq_u64(PM_PFN(pagemap(b.ptr)),
			   PM_PFN(pagemap(b.ptr + (npages - 1) * SZ_4K)));

	/* run = 2 unmerges every page, then back to what it was. */
	snprintf(path, sizeof(path), "%s/run", ksm);
	igt_warn_on(write_file(path, "2"));
	igt_warn_on(write_file(path, "%" PRId64, run_old));
	snprintf(path, sizeof(path), "%s/pages_to_scan", ksm);
	igt_warn_on(write_file(path, "%" PRId64, scan_old));
	snprintf(path, sizeof(path), "%s/sleep_millisecs", ksm);
	igt_warn_on(write_file(path, "%" PRId64, sleep_old));
	buf_free(&b);
	ctx_fini(&c);
	free(shadow);
}

/*
 * THP collapse (MADV_COLLAPSE, what khugepaged does) of 4 KiB pages the
 * GPU maps: they are copied into a new huge page, so the GPU must lose the
 * old ones; afterwards one 2 MiB GPU PTE maps the new page.
 */
static void test_thp_collapse(void)
{
	const uint64_t len = SZ_2M;
	uint8_t *shadow = malloc(len);
	struct counters before, after;
	uint64_t pfn0;
	struct sa_ctx c;
	struct buf b;

	igt_assert(shadow);
	require_debugfs();
	ctx_init(&c);
	buf_alloc(&b, B_THP, len, false);
	igt_assert_eq(madvise(b.ptr, len, MADV_NOHUGEPAGE), 0);
	fill_words(b.ptr, len, 161);
	memcpy(shadow, b.ptr, len);
	xform_in_place(&c, b.ptr, shadow, len / 8, 8, pattern(1, 161), len,
		       "small pages");
	pfn0 = PM_PFN(pagemap(b.ptr));
	counters_read(&before);
	igt_assert_eq(madvise(b.ptr, len, MADV_HUGEPAGE), 0);
	igt_require_f(!madvise(b.ptr, len, MADV_COLLAPSE),
		      "MADV_COLLAPSE: %m\n");
	igt_assert_neq_u64(PM_PFN(pagemap(b.ptr)), pfn0);
	counters_read(&after);
	igt_assert_lt_s64(0, counters_delta(&before, &after, "inval_clear") +
		      counters_delta(&before, &after, "inval_unmap"));
	check_bytes(b.ptr, shadow, len, "collapsed");
	xform_in_place(&c, b.ptr, shadow, len / 8, 8, pattern(2, 161), len,
		       "huge page");
	counters_read(&after);
	counters_log(&before, &after);
	igt_assert_lt_s64(0, counters_delta(&before, &after, "fault_ptes_2m"));
	buf_free(&b);
	ctx_fini(&c);
	free(shadow);
}

/*
 * Compaction moves pages from the bottom of the zone into free pages of
 * partly used blocks at its top, until the two scans meet. Make such holes
 * above @top: three pages of every four of a @len-byte filler, where they
 * lie above it; then compact.
 */
static void compact_with_holes_above(uint64_t top, uint64_t len)
{
	uint8_t *filler = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t holes = 0;

	igt_assert(filler != MAP_FAILED);
	madvise(filler, len, MADV_NOHUGEPAGE);
	for (uint64_t o = 0; o < len; o += SZ_4K)
		filler[o] = 1;
	for (uint64_t o = 0; o < len; o += SZ_4K)
		if (o % (4 * SZ_4K) && PM_PFN(pagemap(filler + o)) > top) {
			madvise(filler + o, SZ_4K, MADV_DONTNEED);
			holes++;
		}
	igt_info("%" PRIu64 " holes above our pages\n", holes);
	igt_require_f(!write_file("/proc/sys/vm/compact_memory", "1"),
		      "no compaction\n");
	munmap(filler, len);
}

static uint64_t pages_moved(const uint8_t *p, const uint64_t *pfns,
			    uint64_t npages)
{
	uint64_t moved = 0;

	for (uint64_t i = 0; i < npages; i++)
		moved += PM_PFN(pagemap(p + i * SZ_4K)) != pfns[i];
	return moved;
}

/*
 * Page migration under the GPU: after it, the GPU must see the data the
 * CPU writes to the new pages, not the old pages. Compaction moves our
 * pages into holes of a fragmented filler above them; soft offline
 * migrates chosen pages; move_pages() does across NUMA nodes (a single
 * node migrates nothing).
 */
static void migrate_check(struct sa_ctx *c, struct buf *b, uint8_t *shadow,
			  const uint64_t *pfns, uint64_t npages,
			  const struct counters *before)
{
	uint64_t moved = pages_moved(b->ptr, pfns, npages);
	struct counters after;

	igt_info("%" PRIu64 " of %" PRIu64 " pages migrated\n", moved, npages);
	igt_require_f(moved, "nothing was migrated\n");
	counters_read(&after);
	counters_log(before, &after);
	igt_assert_lte_s64(1, counters_delta(before, &after, "inval_clear") +
		       counters_delta(before, &after, "inval_migrate"));
	check_bytes(b->ptr, shadow, b->len, "migrated");
	/* New data in the new pages: the GPU must read that. */
	fill_words(b->ptr, b->len, 173);
	memcpy(shadow, b->ptr, b->len);
	gpu_read_check(c, b->ptr, shadow, b->len, "after migration");
	xform_in_place(c, b->ptr, shadow, b->len / 8, 8, pattern(2, 171),
		       b->len, "written after migration");
}

static void test_migrate(const char *which)
{
	const uint64_t len = SZ_1M, npages = len / SZ_4K;
	uint8_t *shadow = malloc(len);
	uint64_t pfns[SZ_1M / SZ_4K];
	struct counters before;
	struct sa_ctx c;
	struct buf b;

	igt_assert(shadow);
	require_debugfs();
	ctx_init(&c);
	/*
	 * Compaction moves pages from the bottom of the zone first: ours must
	 * be low. Freeing the clean page cache just before allocating them
	 * hands them pages from there.
	 */
	if (!strcmp(which, "compaction"))
		write_file("/proc/sys/vm/drop_caches", "1");
	buf_alloc(&b, B_ANON, len, false);
	igt_assert_eq(madvise(b.ptr, len, MADV_NOHUGEPAGE), 0);
	fill_words(b.ptr, len, 171);
	memcpy(shadow, b.ptr, len);
	xform_in_place(&c, b.ptr, shadow, len / 8, 8, pattern(1, 171), len,
		       "before migration");
	for (uint64_t p = 0; p < npages; p++) {
		pfns[p] = PM_PFN(pagemap(b.ptr + p * SZ_4K));
		igt_require_f(pfns[p], "pagemap hides PFNs (needs root)\n");
	}
	counters_read(&before);

	if (!strcmp(which, "compaction")) {
		uint64_t top = 0;

		for (uint64_t p = 0; p < npages; p++)
			if (pfns[p] > top)
				top = pfns[p];
		/* A small filler first; a large one if that moved nothing. */
		for (uint64_t f = 32 * SZ_1M; f <= 256 * SZ_1M; f *= 8) {
			compact_with_holes_above(top, f);
			if (pages_moved(b.ptr, pfns, npages))
				break;
		}
	} else if (!strcmp(which, "soft-offline")) {
		for (uint64_t p = 0; p < npages; p += 16)
			igt_require_f(!madvise(b.ptr + p * SZ_4K, SZ_4K,
					       MADV_SOFT_OFFLINE),
				      "MADV_SOFT_OFFLINE: %m\n");
	} else {
		void *pages[SZ_1M / SZ_4K];
		int nodes[SZ_1M / SZ_4K], status[SZ_1M / SZ_4K];
		int target = -1;
		char node[64];

		/* Where the pages are now (nodes NULL: a query). */
		for (uint64_t p = 0; p < npages; p++)
			pages[p] = b.ptr + p * SZ_4K;
		igt_assert_eq(syscall(__NR_move_pages, 0, npages, pages, NULL,
				      status, 0), 0);
		/* Any other node. */
		for (int n = 0; n < 64 && target < 0; n++) {
			snprintf(node, sizeof(node),
				 "/sys/devices/system/node/node%d", n);
			if (n != status[0] && !access(node, F_OK))
				target = n;
		}
		igt_require_f(target >= 0, "a single NUMA node (boot the VM "
			      "with numa=fake=2 to run this)\n");
		for (uint64_t p = 0; p < npages; p++)
			nodes[p] = target;
		igt_assert_eq(syscall(__NR_move_pages, 0, npages, pages, nodes,
				      status, 2 /* MPOL_MF_MOVE */), 0);
		for (uint64_t p = 0; p < npages; p++)
			igt_assert_eq(status[p], target);
	}
	migrate_check(&c, &b, shadow, pfns, npages, &before);
	buf_free(&b);
	ctx_fini(&c);
	free(shadow);
}

static void uffd_wp(int u, void *p, uint64_t len, bool protect)
{
	struct uffdio_writeprotect wp = {
		.range = { to_user_pointer(p), len },
		.mode = protect ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
	};

	igt_assert_eq(ioctl(u, UFFDIO_WRITEPROTECT, &wp), 0);
}

/*
 * userfaultfd-managed memory. hmm_range_fault() faults pages in without
 * FAULT_FLAG_ALLOW_RETRY, which handle_userfault() answers with SIGBUS:
 * a GPU access that needs the handler (a missing page, a write to a
 * write-protected one) fails BAD_MEMORY without queuing a message, and the
 * same access works once the CPU resolved it (UFFDIO_COPY, or write
 * protection removed).
 */
static void test_userfaultfd(const char *which)
{
	const uint64_t len = SZ_64K;
	uint8_t *shadow = malloc(len), *src = malloc(len);
	bool gpu_first = strcmp(which, "missing-copy-first");
	struct sa_ctx c;
	struct buf b;
	int u;

	igt_assert(shadow && src);
	/* Such a fault makes a CONFIG_DEBUG_VM kernel dump a stack. */
	if (gpu_first)
		igt_require_f(vsvm_kconfig_enabled("CONFIG_DEBUG_VM") == 0,
			      "CONFIG_DEBUG_VM kernel, or its config unknown: "
			      "the handler's stack dump would fail the run\n");
	ctx_init(&c);
	u = vsvm_uffd_open();
	buf_alloc(&b, B_ANON, len, false);
	igt_assert_eq(madvise(b.ptr, len, MADV_NOHUGEPAGE), 0);
	fill_words(src, len, 181);

	if (!strcmp(which, "write-protect")) {
		vsvm_uffd_register(u, b.ptr, len, UFFDIO_REGISTER_MODE_WP);
		memcpy(b.ptr, src, len);
		memcpy(shadow, src, len);
		xform_in_place(&c, b.ptr, shadow, len / 8, 8, pattern(1, 181),
			       len, "before write protection");
		uffd_wp(u, b.ptr, len, true);
		gpu_read_check(&c, b.ptr, shadow, len, "write-protected");
		expect_fault_at(&c, b.ptr + SZ_4K, true,
				DRM_VSVM_STATUS_BAD_MEMORY);
		vsvm_uffd_no_event(u);
		check_bytes(b.ptr, shadow, len, "after a refused write");
		uffd_wp(u, b.ptr, len, false);
	} else {
		vsvm_uffd_register(u, b.ptr, len, UFFDIO_REGISTER_MODE_MISSING);
		if (gpu_first) {
			/* Half resolved: a job there works, not elsewhere. */
			vsvm_uffd_copy(u, b.ptr, src, len / 2);
			gpu_read_check(&c, b.ptr, src, len / 2, "resolved half");
			expect_fault_at(&c, b.ptr + len / 2, false,
					DRM_VSVM_STATUS_BAD_MEMORY);
			expect_fault_at(&c, b.ptr + len - 8, true,
					DRM_VSVM_STATUS_BAD_MEMORY);
			vsvm_uffd_no_event(u);
			vsvm_uffd_copy(u, b.ptr + len / 2, src + len / 2, len / 2);
		} else {
			vsvm_uffd_copy(u, b.ptr, src, len);
		}
		memcpy(shadow, src, len);
	}
	gpu_read_check(&c, b.ptr, shadow, len, "resolved");
	xform_in_place(&c, b.ptr, shadow, len / 8, 8, pattern(2, 181), len,
		       "written after");
	vsvm_uffd_no_event(u);
	close(u);
	buf_free(&b);
	ctx_fini(&c);
	free(src);
	free(shadow);
}

static int swap_zram = -1;

static bool swap_setup(void)
{
	if (swap_zram >= 0)
		return true;
	swap_zram = zram_add(64 * SZ_1M);
	if (swap_zram < 0)
		return false;
	if (sh("mkswap /dev/zram%d >/dev/null 2>&1 && swapon /dev/zram%d "
	       ">/dev/null 2>&1", swap_zram, swap_zram)) {
		zram_remove(swap_zram);
		swap_zram = -1;
		return false;
	}
	return true;
}

static void swap_teardown(void)
{
	if (swap_zram < 0)
		return;
	igt_warn_on(sh("swapoff /dev/zram%d", swap_zram));
	zram_remove(swap_zram);
	swap_zram = -1;
}

/* Pages of [p, p + len) that are not present (paged out, or swapped). */
static uint64_t pages_out(const uint8_t *p, uint64_t len)
{
	uint64_t n = 0;

	for (uint64_t o = 0; o < len; o += SZ_4K)
		n += !(pagemap(p + o) & PM_PRESENT);
	return n;
}

/*
 * Memory the GPU maps, reclaimed by MADV_PAGEOUT: anonymous and shared
 * memory to swap (zram), clean file pages dropped. The GPU faults them
 * back and reads the same data.
 */
static void test_pageout(enum backing kind)
{
	const uint64_t len = SZ_1M;
	uint8_t *shadow = malloc(len);
	struct counters before, after;
	uint64_t out;
	struct sa_ctx c;
	struct buf b;

	igt_assert(shadow);
	require_debugfs();
	if (kind != B_EXT4)
		igt_require_f(swap_setup(), "no swap on zram\n");
	ctx_init(&c);
	buf_alloc(&b, kind, len, false);
	madvise(b.ptr, len, MADV_NOHUGEPAGE);
	fill_words(b.ptr, len, 191);
	memcpy(shadow, b.ptr, len);
	xform_in_place(&c, b.ptr, shadow, len / 8, 8, pattern(1, 191), len,
		       "before page-out");
	if (kind == B_EXT4)
		igt_assert_eq(msync(b.ptr, len, MS_SYNC), 0);
	counters_read(&before);
	igt_assert_eq(madvise(b.ptr, len, MADV_PAGEOUT), 0);
	out = pages_out(b.ptr, len);
	igt_info("%" PRIu64 " of %" PRIu64 " pages paged out\n", out,
		 (uint64_t)(len / SZ_4K));
	igt_require_f(out, "MADV_PAGEOUT reclaimed nothing\n");
	if (kind == B_ANON)
		igt_assert(pagemap(b.ptr) & PM_SWAPPED ||
			   pagemap(b.ptr) & PM_PRESENT);
	gpu_read_check(&c, b.ptr, shadow, len, "paged back in by the GPU");
	counters_read(&after);
	counters_log(&before, &after);
	igt_assert_lte_s64(out, counters_delta(&before, &after, "inval_clear") +
		       counters_delta(&before, &after, "inval_unmap"));
	xform_in_place(&c, b.ptr, shadow, len / 8, 8, pattern(2, 191), len,
		       "written after");
	buf_check_file(&b, shadow);
	buf_free(&b);
	ctx_fini(&c);
	free(shadow);
}

/*
 * Writeback of a file page the GPU writes: msync() cleans it and
 * write-protects it in the CPU page tables; the GPU's next write must fault
 * and dirty it again, or it would be lost when the clean page is dropped.
 * The file is read back from the disk after the page cache is dropped.
 */
static void test_file_writeback(void)
{
	const uint64_t len = 256 * 1024;
	uint8_t *shadow = malloc(len), *disk = malloc(len);
	struct counters before, after;
	struct sa_ctx c;
	struct buf b;
	int f;

	igt_assert(shadow && disk);
	require_debugfs();
	ctx_init(&c);
	buf_alloc(&b, B_EXT4, len, false);
	fill_words(b.ptr, len, 201);
	memcpy(shadow, b.ptr, len);
	xform_in_place(&c, b.ptr, shadow, len / 8, 8, pattern(1, 201), len,
		       "dirty");
	counters_read(&before);
	igt_assert_eq(msync(b.ptr, len, MS_SYNC), 0);
	counters_read(&after);
	counters_log(&before, &after);
	/* Cleaning write-protected the pages, for the GPU too. */
	igt_assert_lt_s64(0, counters_delta(&before, &after, "inval_protection") +
		      counters_delta(&before, &after, "inval_clear"));
	xform_in_place(&c, b.ptr, shadow, len / 8, 8, pattern(2, 201), len,
		       "written again after msync");

	f = dup(b.file);
	igt_assert_fd(f);
	buf_free(&b);
	igt_assert_eq(fsync(f), 0);
	igt_assert_eq(posix_fadvise(f, 0, len, POSIX_FADV_DONTNEED), 0);
	igt_assert_eq(write_file("/proc/sys/vm/drop_caches", "1"), 0);
	igt_assert_eq(pread(f, disk, len, 0), (ssize_t)len);
	check_bytes(disk, shadow, len, "file read back from the disk");
	close(f);
	ctx_fini(&c);
	free(disk);
	free(shadow);
}

/*
 * Processes that end with jobs in flight. The busy child is a plain fork()
 * that must not use the test framework (it may be killed at any point,
 * and its failures are reported through its exit code): it opens the
 * device itself, mirrors its address space, puts code, arguments and data
 * in its own memory, and starts a long self-checking job over @len bytes.
 */
enum busy_end {
	BUSY_EXIT,	/* _exit() with the job running */
	BUSY_SEND_FD,	/* give the file to the parent, then _exit() */
	BUSY_WAIT,	/* wait to be killed */
	BUSY_OOM,	/* allocate until the OOM killer comes */
};

struct busy_msg {
	uint32_t queue;
	uint32_t pad;
	uint64_t seqno;
	uint64_t code;		/* the job's code, in the child's memory */
};

static char dev_path[64];

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void busy_child(int sock, enum busy_end end, uint64_t len,
		       const char *cgroup_procs)
{
	struct drm_vsvm_exec exec;
	struct busy_msg msg = {};
	struct sa_args *args;
	_Atomic uint64_t *started;
	uint32_t vm;
	uint8_t *p;
	int f;

	if (cgroup_procs && write_file(cgroup_procs, "%d", getpid()))
		_exit(10);
	f = open(dev_path, O_RDWR | O_CLOEXEC);
	if (f < 0 || __vsvm_vm_create(f, DRM_VSVM_VM_CREATE_SVM, &vm) ||
	    __vsvm_vm_map_mirror(f, vm, 0, mirror_end) ||
	    __vsvm_queue_create(f, vm, &msg.queue))
		_exit(11);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		_exit(12);
	/* Page 0: code, arguments, flag. The rest: self-checking data. */
	memcpy(p, code_blob + shaders[SH_CHECK].offset, shaders[SH_CHECK].size);
	args = (struct sa_args *)(p + 2048);
	started = (_Atomic uint64_t *)(p + 3072);
	fill_self(p + SZ_4K, len - SZ_4K, 211);
	*args = (struct sa_args){
		.src = to_user_pointer(p + SZ_4K), .n = (len - SZ_4K) / 8,
		.key = 211, .flag = to_user_pointer(started), .iters = 1u << 20,
	};
	vsvm_exec_init(&exec, msg.queue, to_user_pointer(p),
		       shaders[SH_CHECK].size);
	exec.args_addr = to_user_pointer(args);
	exec.args_size = sizeof(*args);
	exec.wg_size[0] = WG_LANES;
	exec.grid[0] = 16;
	if (__vsvm_exec(f, &exec))
		_exit(13);
	msg.seqno = exec.seqno;
	msg.code = exec.code_addr;
	for (int64_t t0 = now_ns(); !atomic_load(started); )
		if (now_ns() - t0 > VSVM_WAIT_TIMEOUT_NS)
			_exit(17);
	if (write(sock, &msg, sizeof(msg)) != sizeof(msg))
		_exit(14);
	switch (end) {
	case BUSY_SEND_FD:
		if (__vsvm_send_fd(sock, f))
			_exit(15);
		/* Fall through. */
	case BUSY_EXIT:
		_exit(0);
	case BUSY_WAIT:
		for (;;)
			pause();
	case BUSY_OOM:
		for (;;) {
			uint8_t *more = mmap(NULL, SZ_1M, PROT_READ | PROT_WRITE,
					     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (more == MAP_FAILED)
				continue;
			for (uint64_t o = 0; o < SZ_1M; o += SZ_4K)
				more[o] = o;
		}
	}
	_exit(16);
}

/* Starts a busy child; returns its pid once its job runs. */
static pid_t busy_start(enum busy_end end, uint64_t len,
			const char *cgroup_procs, int *sock_out,
			struct busy_msg *msg)
{
	int sock;
	pid_t pid;

	pid = vsvm_fork_with_socket(&sock);
	if (!pid)
		busy_child(sock, end, len, cgroup_procs);
	igt_assert_f(read(sock, msg, sizeof(*msg)) == sizeof(*msg),
		     "the busy child died before its job ran\n");
	*sock_out = sock;
	return pid;
}

static int busy_reap(pid_t pid)
{
	int status;

	igt_assert_eq(waitpid(pid, &status, 0), pid);
	return status;
}

/*
 * A process exits, or is killed, while its job runs: the job is stopped
 * (CANCELED when its file closes), nothing leaks, the kernel log stays
 * clean (the harness checks it). With its file handed to another process
 * first, its job fails CANCELED at its next fault for want of the address
 * space. The owner gone, the receiver may wait for the job, but no job
 * runs in the VM again: EXEC of the code the owner left there is refused,
 * as only the owner submits to an SVM VM.
 */
static void test_exit_with_jobs(enum busy_end end)
{
	char *baseline;
	struct busy_msg msg;
	int sock, status;
	pid_t pid;

	require_debugfs();
	baseline = vsvm_objects_baseline(fd);
	pid = busy_start(end, 4 * SZ_1M, NULL, &sock, &msg);
	igt_info("job %" PRIu64 " on queue %u runs\n", msg.seqno, msg.queue);
	if (end == BUSY_WAIT)
		igt_assert_eq(kill(pid, SIGKILL), 0);
	if (end == BUSY_SEND_FD) {
		int f = vsvm_recv_fd(sock);
		struct drm_vsvm_wait w;
		struct drm_vsvm_exec exec;

		status = busy_reap(pid);
		igt_assert(WIFEXITED(status) && !WEXITSTATUS(status));
		igt_assert_eq(__vsvm_wait(f, msg.queue, msg.seqno,
					  VSVM_WAIT_TIMEOUT_NS, &w), 0);
		log_wait("job of the exited owner", &w);
		igt_assert_eq_u32(w.status, DRM_VSVM_STATUS_CANCELED);
		vsvm_exec_init(&exec, msg.queue, msg.code,
			       shaders[SH_CHECK].size);
		check_err(__vsvm_exec(f, &exec), -EPERM,
			  "EXEC of code in the exited owner's memory");
		close(f);
	} else {
		status = busy_reap(pid);
		if (end == BUSY_WAIT)
			igt_assert(WIFSIGNALED(status) &&
				   WTERMSIG(status) == SIGKILL);
		else
			igt_assert(WIFEXITED(status) && !WEXITSTATUS(status));
	}
	close(sock);
	vsvm_wait_objects(fd, baseline, 10);
	free(baseline);
}

/*
 * The OOM reaper's path, on demand: SIGKILL through a pidfd, then
 * process_mrelease() reaps the victim's memory at once, invalidating its
 * mirror with non-blockable notifier calls while its shader still runs.
 * The victim's own exit_mmap() (blockable) can win the race, so it is
 * repeated until the counters show non-blockable invalidations arrived;
 * their time must show in debugfs, and nothing may leak.
 */
static void test_reap_while_running(void)
{
	const unsigned int max_tries = 20;
	struct counters before, after;
	unsigned int tries = 0;
	int64_t honoured = 0;
	char *baseline;

	require_debugfs();
	baseline = vsvm_objects_baseline(fd);
	counters_read(&before);
	while (tries++ < max_tries && !honoured) {
		struct busy_msg msg;
		int sock, ret, status;
		pid_t pid;

		pid = busy_start(BUSY_WAIT, 64 * SZ_1M, NULL, &sock, &msg);
		ret = vsvm_kill_and_mrelease(pid);
		igt_debug("process_mrelease: %d\n", ret);
		igt_require_f(ret != -ENOSYS, "no process_mrelease()\n");
		status = busy_reap(pid);
		igt_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		close(sock);
		counters_read(&after);
		honoured = counters_delta(&before, &after,
					  "inval_nonblock_honoured");
	}
	counters_log(&before, &after);
	igt_info("%" PRId64 " non-blockable invalidations after %u tries\n",
		 honoured, tries);
	igt_assert_f(honoured > 0, "the reaper never reached the mirror in %u "
		     "tries\n", max_tries);
	igt_assert_lt_s64(0, counters_delta(&before, &after, "inval_nonblock_ns"));
	vsvm_wait_objects(fd, baseline, 10);
	free(baseline);
}

/*
 * A real OOM kill: a process in a memory cgroup (cgroup v2) GPU-touches
 * its memory, keeps a job running over it, and allocates until the memcg
 * OOM killer kills it. It must die of SIGKILL, the cgroup must count the
 * kill, and nothing may leak.
 */
#define CGROUP_ROOT	"/sys/fs/cgroup"
#define CGROUP_OOM	CGROUP_ROOT "/vsvm-sa-oom"

static void test_memcg_oom(void)
{
	struct counters before, after;
	struct busy_msg msg;
	int sock, status;
	char *baseline;
	pid_t pid;

	require_debugfs();
	if (access(CGROUP_ROOT "/cgroup.controllers", R_OK))
		sh("mkdir -p %s && mount -t cgroup2 none %s", CGROUP_ROOT,
		   CGROUP_ROOT);
	igt_require_f(!access(CGROUP_ROOT "/cgroup.controllers", R_OK),
		      "no cgroup v2 at %s\n", CGROUP_ROOT);
	igt_require_f(!write_file(CGROUP_ROOT "/cgroup.subtree_control",
				  "+memory"), "no memory controller\n");
	rmdir(CGROUP_OOM);
	igt_assert(!mkdir(CGROUP_OOM, 0755) || errno == EEXIST);
	errno = 0;
	igt_assert_eq(write_file(CGROUP_OOM "/memory.max", "%d",
				 48 * SZ_1M), 0);
	/* Out of memory means out of memory, not swapped to zram. */
	write_file(CGROUP_OOM "/memory.swap.max", "0");

	baseline = vsvm_objects_baseline(fd);
	counters_read(&before);
	vsvm_expect_oom_kill_begin();
	pid = busy_start(BUSY_OOM, 16 * SZ_1M, CGROUP_OOM "/cgroup.procs",
			 &sock, &msg);
	status = busy_reap(pid);
	vsvm_expect_oom_kill_end();
	counters_read(&after);
	counters_log(&before, &after);
	igt_assert_f(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		     "the child ended with status %#x, not by SIGKILL\n",
		     status);
	igt_assert_lte(1, read_key(CGROUP_OOM "/memory.events", "oom_kill"));
	igt_info("non-blockable invalidations from the OOM reaper: %" PRId64
		 ", %" PRId64 " ns\n",
		 counters_delta(&before, &after, "inval_nonblock_honoured"),
		 counters_delta(&before, &after, "inval_nonblock_ns"));
	close(sock);
	vsvm_wait_objects(fd, baseline, 10);
	free(baseline);
	igt_assert_eq(rmdir(CGROUP_OOM), 0);
}

static int64_t hugetlb_old = -1;

igt_main
{
	igt_fixture {
		fd = drm_open_driver_render(DRIVER_ANY);
		igt_require(vsvm_get_param(fd, DRM_VSVM_PARAM_SVM_CAPS) &
			    DRM_VSVM_SVM_CAP_MIRROR);
		mirror_end = vsvm_get_param(fd, DRM_VSVM_PARAM_MIRROR_VA_END);
		if (mirror_end > BO_VA)
			mirror_end = BO_VA;
		page_size = sysconf(_SC_PAGESIZE);
		snprintf(dev_path, sizeof(dev_path), "/proc/self/fd/%d", fd);
		{
			char target[64] = "";

			igt_assert_lt(0, readlink(dev_path, target,
						  sizeof(target) - 1));
			snprintf(dev_path, sizeof(dev_path), "%s", target);
		}
		/* A fixed threshold: large malloc()s always get fresh memory. */
		igt_assert(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD));
		assemble_shaders();
		/* One 2 MiB page per hugetlb buffer, two at most at once. */
		hugetlb_old = hugetlb_reserve(4);
	}

	for (enum backing kind = 0; kind < B_COUNT; kind++) {
		igt_describe_f("Jobs read and write %s memory of every size, "
			       "aligned or not, densely and one word per page, "
			       "once, twice and many (%d, or %d for 2 MiB) "
			       "times, with the CPU changing it between jobs; "
			       "compared byte for byte, guard bytes and the "
			       "backing file included.",
			       backing_names[kind], MANY, MANY / 2);
		igt_subtest_with_dynamic_f("backing-%s", backing_names[kind]) {
			for (unsigned int i = 0; i < ARRAY_SIZE(matrix_cases);
			     i++) {
				const struct matrix_case *mc = &matrix_cases[i];

				if (!backing_has_small_pages(kind) &&
				    mc->len < SZ_2M && !mc->unaligned)
					continue;
				igt_dynamic(mc->name)
					test_backing(kind, mc);
			}
		}
	}

	igt_describe("The GPU touches memory the CPU never touched: it reads "
		     "zero pages or page-cache pages and writes (or only "
		     "writes), for every backing; the CPU sees the result, "
		     "and so does the file.");
	igt_subtest_with_dynamic("gpu-first-touch") {
		static const enum backing kinds[] = {
			B_MALLOC, B_ANON, B_SHARED, B_TMPFS, B_TMPFS_PRIVATE,
			B_EXT4, B_THP, B_HUGETLB, B_MLOCK,
		};

		for (unsigned int i = 0; i < ARRAY_SIZE(kinds); i++) {
			const char *name = backing_names[kinds[i]];

			igt_dynamic_f("%s-read-write", name)
				test_first_touch(kinds[i], SZ_2M, true);
			igt_dynamic_f("%s-write-only", name)
				test_first_touch(kinds[i], SZ_2M, false);
		}
	}

	igt_describe("A new allocation for every job, the shader's code in it "
		     "(the GPU fetches code the CPU just wrote); all freed at "
		     "the end.");
	igt_subtest_with_dynamic("new-each-exec") {
		igt_dynamic("malloc-4k")
			test_new_each_exec(B_MALLOC, SZ_4K, false);
		igt_dynamic("malloc-2m")
			test_new_each_exec(B_MALLOC, SZ_2M, false);
		igt_dynamic("anon-64k")
			test_new_each_exec(B_ANON, SZ_64K, false);
		igt_dynamic("shared-64k")
			test_new_each_exec(B_SHARED, SZ_64K, false);
		igt_dynamic("thp-2m")
			test_new_each_exec(B_THP, SZ_2M, false);
	}

	igt_describe("malloc() and free() (or mmap() and munmap()) around "
		     "every job: memory is unmapped while the GPU maps it; "
		     "every unmapped range is garbage-collected.");
	igt_subtest_with_dynamic("free-each-exec") {
		igt_dynamic("malloc-4k")
			test_new_each_exec(B_MALLOC, SZ_4K, true);
		igt_dynamic("malloc-2m")
			test_new_each_exec(B_MALLOC, SZ_2M, true);
		igt_dynamic("anon-64k")
			test_new_each_exec(B_ANON, SZ_64K, true);
		igt_dynamic("shared-64k")
			test_new_each_exec(B_SHARED, SZ_64K, true);
		igt_dynamic("thp-2m")
			test_new_each_exec(B_THP, SZ_2M, true);
	}

	igt_describe("The CPU polls a completion counter the shader keeps "
		     "inside the memory it transforms, and checks the data "
		     "before the job is known to have ended.");
	igt_subtest_with_dynamic("race-poll-flag") {
		static const enum backing kinds[] = {
			B_MALLOC, B_ANON, B_SHARED, B_TMPFS, B_THP,
		};

		for (unsigned int i = 0; i < ARRAY_SIZE(kinds); i++) {
			igt_dynamic_f("%s", backing_names[kinds[i]])
				test_race_poll(kinds[i], SZ_2M, true);
			if (kinds[i] != B_MALLOC)
				igt_dynamic_f("%s-gpu-first",
					      backing_names[kinds[i]])
					test_race_poll(kinds[i], SZ_2M, false);
		}
	}

	igt_describe("CPU and GPU take turns on one page, each waiting for the "
		     "other's atomic flag and checking the data it passed.");
	igt_subtest_with_dynamic("ping-pong") {
		static const enum backing kinds[] = {
			B_MALLOC, B_ANON, B_SHARED, B_TMPFS, B_THP, B_HUGETLB,
		};

		for (unsigned int i = 0; i < ARRAY_SIZE(kinds); i++)
			igt_dynamic_f("%s", backing_names[kinds[i]])
				test_ping_pong(kinds[i]);
	}

	igt_describe("mremap() (MREMAP_MAYMOVE | MREMAP_FIXED, with and "
		     "without MREMAP_DONTUNMAP, after mprotect() read-only) of "
		     "memory the GPU maps: the GPU finds the data at the new "
		     "address, and the old one behaves as it does for the CPU.");
	igt_subtest_with_dynamic("mremap") {
		static const enum backing kinds[] = { B_ANON, B_SHARED, B_THP };

		for (unsigned int i = 0; i < ARRAY_SIZE(kinds); i++) {
			const char *name = backing_names[kinds[i]];

			igt_dynamic_f("%s-move", name)
				test_mremap(kinds[i], false, false);
			igt_dynamic_f("%s-move-dontunmap", name)
				test_mremap(kinds[i], true, false);
			igt_dynamic_f("%s-move-ro", name)
				test_mremap(kinds[i], false, true);
			igt_dynamic_f("%s-move-ro-dontunmap", name)
				test_mremap(kinds[i], true, true);
		}
	}

	igt_describe("fork() with memory the GPU maps: the child reads what "
		     "the GPU wrote and the parent re-checks after it exits; "
		     "GPU writes after fork stay private to the writer, or are "
		     "shared for shared memory, whether the parent's GPU, the "
		     "child's CPU or the child's own VM writes.");
	igt_subtest_with_dynamic("fork") {
		static const enum backing kinds[] = {
			B_ANON, B_THP, B_SHARED, B_TMPFS,
		};
		static const char *const cases[] = {
			[FORK_CHILD_READS] = "child-reads",
			[FORK_PARENT_GPU_WRITES] = "parent-gpu-writes",
			[FORK_CHILD_CPU_WRITES] = "child-cpu-writes",
			[FORK_CHILD_GPU_WRITES] = "child-gpu-writes",
		};

		for (unsigned int i = 0; i < ARRAY_SIZE(kinds); i++)
			for (unsigned int fc = 0; fc < ARRAY_SIZE(cases); fc++)
				igt_dynamic_f("%s-%s", backing_names[kinds[i]],
					      cases[fc])
					test_fork(kinds[i], fc);
	}

	igt_describe("One job faults 64 pages in 64 separate ranges.");
	igt_subtest("multi-fault")
		test_multi_fault();

	igt_describe("VM_BIND UNMAP of the whole mirror while the GPU maps "
		     "ranges of it, idle or with a job running: the ranges are "
		     "destroyed, the job faults UNMAPPED, memory is untouched, "
		     "and a new mirror works.");
	igt_subtest_with_dynamic("mirror-unbind") {
		igt_dynamic("idle")
			test_mirror_unbind(false);
		igt_dynamic("running")
			test_mirror_unbind(true);
		igt_dynamic("partial")
			test_mirror_unbind_partial();
	}

	igt_describe("A BO cannot be bound over a mirror, nor a mirror over a "
		     "BO; with the mirror unbound there, the GPU sees the BO at "
		     "the CPU's address, and the CPU's memory again after.");
	igt_subtest("bo-over-mirror")
		test_bo_over_mirror();

	igt_describe("A CPU mapping of a BO (VM_PFNMAP) inside the mirror "
		     "cannot be mirrored: jobs fail BAD_MEMORY.");
	igt_subtest("mirror-of-pfnmap")
		test_mirror_of_pfnmap();

	igt_describe("munmap() or MAP_FIXED remap of half or the middle of a "
		     "GPU-touched 2 MiB range, with or without CPU access in "
		     "between, with plain or atomic GPU writes: what is left "
		     "is intact, the hole is gone or zero, ranges are "
		     "collected.");
	igt_subtest_with_dynamic("partial") {
		for (unsigned int f = 0; f < 16; f++)
			igt_dynamic_f("%s%s-%s-%s", f & P_ATOMIC ? "atomic-" : "",
				      f & P_REMAP ? "remap" : "munmap",
				      f & P_MIDDLE ? "middle" : "half",
				      f & P_CPU_FAULT ? "cpu-fault" :
				      "no-cpu-fault")
				test_partial(f);
	}

	igt_describe("Jobs touching an address with no binding (UNMAPPED) or "
		     "no CPU mapping (NO_VMA), the first in a fresh VM: exact "
		     "status, address and access; the jobs between them run "
		     "right, and only the bad ones count as failed.");
	igt_subtest("bad-address")
		test_bad_address();

	igt_describe("A forked child, or a process given the file over a unix "
		     "socket, gets EPERM from every ioctl on the creator's SVM "
		     "VM and its queue: bind, queue create and destroy, "
		     "submit, wait, prefetch, VM destroy; its own SVM VM on "
		     "the same file sees its own memory.");
	igt_subtest_with_dynamic("isolation") {
		igt_dynamic("forked-child")
			test_isolation(false);
		igt_dynamic("fd-passed")
			test_isolation(true);
		igt_dynamic("same-va")
			test_isolation_same_va();
	}

	igt_describe("Threads with their own VMs or one shared VM, on their "
		     "own pages or interleaved on the same pages, each checking "
		     "its words after every job.");
	igt_subtest_with_dynamic("threads") {
		igt_dynamic("own-vm-own-pages")
			test_threads(false, false);
		igt_dynamic("own-vm-same-page")
			test_threads(false, true);
		igt_dynamic("shared-vm-own-pages")
			test_threads(true, false);
		igt_dynamic("shared-vm-same-page")
			test_threads(true, true);
	}

	igt_describe("Jobs on 16 queues of one VM, all in flight at once, each "
		     "on its own pages of one buffer.");
	igt_subtest("many-queues")
		test_many_queues();

	igt_describe("Several processes at once, each with its own file, run "
		     "the backing matrix.");
	igt_subtest("processes")
		test_processes();

	igt_describe("PREFETCH before a job: after a write prefetch the job "
		     "faults nowhere; a read prefetch of untouched memory maps "
		     "zero pages read-only; a prefetch is not a pin.");
	igt_subtest_with_dynamic("prefetch") {
		igt_dynamic("write")
			test_prefetch("write");
		igt_dynamic("read-zero-page")
			test_prefetch("read-zero-page");
		igt_dynamic("not-a-pin")
			test_prefetch("not-a-pin");
	}

	igt_describe("GPU atomics and CPU atomics from two threads on the same "
		     "counters at the same time: no increment is lost.");
	igt_subtest_with_dynamic("atomics-vs-cpu") {
		static const enum backing kinds[] = {
			B_MALLOC, B_ANON, B_SHARED, B_TMPFS, B_EXT4, B_THP,
			B_HUGETLB,
		};

		for (unsigned int i = 0; i < ARRAY_SIZE(kinds); i++)
			igt_dynamic_f("%s", backing_names[kinds[i]])
				test_atomics_vs_cpu(kinds[i]);
	}

	igt_describe("mprotect() of memory the GPU maps: read-only refuses GPU "
		     "writes (READ_ONLY) and keeps reads, also for half of a "
		     "2 MiB GPU page and for memory read-only from the start; "
		     "PROT_NONE refuses both (NO_ACCESS); data never changes "
		     "by a refused job; PROT_WRITE brings writes back.");
	igt_subtest_with_dynamic("mprotect") {
		static const char *const cases[] = {
			"read-only", "read-only-thp-half",
			"read-only-from-start", "prot-none",
		};

		for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++)
			igt_dynamic(cases[i])
				test_mprotect(cases[i]);
	}

	igt_describe("Memory discarded under the GPU: MADV_DONTNEED (private "
		     "memory reads zeros after, shared keeps its data, one page "
		     "of a 2 MiB GPU page), MADV_REMOVE and hole punching of "
		     "tmpfs (zeros), truncation (BAD_MEMORY past the end).");
	igt_subtest_with_dynamic("discard") {
		static const char *const cases[] = {
			"dontneed-private", "dontneed-shared",
			"dontneed-thp-page", "remove-tmpfs", "punch-hole-tmpfs",
			"truncate-tmpfs",
		};

		for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++)
			igt_dynamic(cases[i])
				test_discard(cases[i]);
	}

	igt_describe("munmap() of half a buffer in another thread while a job "
		     "reads all of it, 64 times with varying delays: every job "
		     "reads right data or faults NO_VMA in the unmapped half.");
	igt_subtest("munmap-race")
		test_munmap_race();

	igt_describe("KSM merges identical pages the GPU maps writable: the "
		     "GPU loses them, reads the merged page, and its writes "
		     "unshare it.");
	igt_subtest("ksm")
		test_ksm();

	igt_describe("MADV_COLLAPSE copies 4 KiB pages the GPU maps into a "
		     "huge page: the GPU loses the old ones and maps the new "
		     "one with a 2 MiB PTE.");
	igt_subtest("thp-collapse")
		test_thp_collapse();

	igt_describe("Pages the GPU maps are migrated (compaction, soft "
		     "offline, move_pages() to another NUMA node): the GPU then "
		     "reads what the CPU writes to the new pages.");
	igt_subtest_with_dynamic("migrate") {
		static const char *const cases[] = {
			"compaction", "soft-offline", "move-pages",
		};

		for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++)
			igt_dynamic(cases[i])
				test_migrate(cases[i]);
	}

	igt_describe("userfaultfd: a GPU access needing the handler (missing "
		     "page, write to a write-protected page) fails BAD_MEMORY "
		     "without a message to the handler; the same access works "
		     "once the CPU resolved it (UFFDIO_COPY, protection "
		     "removed).");
	igt_subtest_with_dynamic("userfaultfd") {
		static const char *const cases[] = {
			"missing-copy-first", "missing-gpu-first",
			"write-protect",
		};

		for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++)
			igt_dynamic(cases[i])
				test_userfaultfd(cases[i]);
	}

	igt_describe("MADV_PAGEOUT of memory the GPU maps: anonymous and "
		     "shared memory to swap on zram, clean ext4 file pages "
		     "dropped; the GPU faults them back with the same data.");
	igt_subtest_with_dynamic("pageout") {
		igt_dynamic("anon-swap")
			test_pageout(B_ANON);
		igt_dynamic("shared-swap")
			test_pageout(B_SHARED);
		igt_dynamic("ext4-file")
			test_pageout(B_EXT4);
	}

	igt_describe("msync() cleans ext4 pages the GPU wrote: its next "
		     "writes dirty them again and reach the disk.");
	igt_subtest("file-writeback")
		test_file_writeback();

	igt_describe("A process exits, or is killed, with a job running over "
		     "its mirrored memory: nothing leaks. With its file handed "
		     "to another process first, the job fails CANCELED once "
		     "the address space is gone, and the receiver can wait "
		     "for it but not run code in that memory.");
	igt_subtest_with_dynamic("exit-with-jobs") {
		igt_dynamic("exit")
			test_exit_with_jobs(BUSY_EXIT);
		igt_dynamic("kill")
			test_exit_with_jobs(BUSY_WAIT);
		igt_dynamic("owner-exit-file-kept")
			test_exit_with_jobs(BUSY_SEND_FD);
	}

	igt_describe("SIGKILL and process_mrelease() of a process whose shader "
		     "runs over its mirrored memory: the reaper's non-blockable "
		     "invalidations reach the mirror and are all honoured; "
		     "nothing leaks.");
	igt_subtest("reap-while-running")
		test_reap_while_running();

	igt_describe("A memcg OOM kill of a process with mirrored memory and a "
		     "running job: killed by SIGKILL, counted by the cgroup, "
		     "nothing leaks.");
	igt_subtest("memcg-oom-kill")
		test_memcg_oom();

	igt_fixture {
		hugetlb_release(hugetlb_old);
		swap_teardown();
		ext4_teardown();
		drm_close_driver(fd);
	}
}
