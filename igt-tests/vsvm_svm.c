// SPDX-License-Identifier: MIT
/*
 * Shared virtual memory: shaders dereferencing the process's own pointers
 * through a CPU-address mirror, userptr bindings, process isolation, GPU
 * fault service and its debugfs accounting, permission faults, PREFETCH,
 * invalidations (munmap, mprotect, MADV_DONTNEED, partial unmap, the
 * collision-retry protocol, non-blockable invalidations from
 * process_mrelease()), process exit with a job running, and GPU atomics
 * racing CPU atomics. docs/svm.md is the design being checked.
 *
 * Data is compared byte for byte. Counter checks read the device's debugfs
 * "counters" before and after the step under test; the subtests that count
 * faults keep their code and arguments in buffer objects above the mirror,
 * so that only the memory under test can fault.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "igt.h"
#include "vsvm_lib.h"
#include "vsvm_reap.h"

IGT_TEST_DESCRIPTION("Shared virtual memory: CPU-address mirrors, userptr, "
		     "isolation, fault service, permissions, PREFETCH, "
		     "invalidations, process exit and atomics.");

/* Lanes per workgroup of every dispatch here. */
#define WG_LANES	64

static int fd = -1;
static uint64_t mirror_end;	/* end of the mirrors over "everything" */
static uint64_t svm_caps;

/*
 * Shaders, in the syntax of docs/isa.md. Each lane handles element
 * i = global_id.x and does nothing when i >= n, so the grid may round up.
 */

/* Arguments: 0 in, 8 out (u64 pointers), 16 n, 20 seed (u32). */
static const char xform_src[] =
	"; out[i] = (in[i] * 0x9e3779b1 ^ seed) + i, 32-bit words\n"
	"	sv r0, global_id.x\n"
	"	ldarg.u32 r1, 16\n"
	"	icmp.ltu.32 r2, r0, r1\n"
	"	if r2\n"
	"	    ldarg.u64 r3, 0\n"
	"	    ldarg.u64 r4, 8\n"
	"	    ldarg.u32 r5, 20\n"
	"	    shl.64 r6, r0, 2\n"
	"	    add.64 r3, r3, r6\n"
	"	    add.64 r4, r4, r6\n"
	"	    ld.global.u32 r7, [r3]\n"
	"	    mul.32 r7, r7, 0x9e3779b1\n"
	"	    xor.32 r7, r7, r5\n"
	"	    add.32 r7, r7, r0\n"
	"	    st.global.u32 [r4], r7\n"
	"	endif\n"
	"	end\n";

struct xform_args {
	uint64_t in, out;
	uint32_t n, seed;
};

static uint32_t xform(uint32_t in, uint32_t i, uint32_t seed)
{
	return ((in * 0x9e3779b1u) ^ seed) + i;
}

/* Arguments: 0 src, 8 dst (u64 pointers), 16 n, 20 stride (u32). */
static const char gather_src[] =
	"; dst[i] = *(u64 *)(src + i * stride)\n"
	"	sv r0, global_id.x\n"
	"	ldarg.u32 r1, 16\n"
	"	icmp.ltu.32 r2, r0, r1\n"
	"	if r2\n"
	"	    ldarg.u64 r3, 0\n"
	"	    ldarg.u64 r4, 8\n"
	"	    ldarg.u32 r5, 20\n"
	"	    mul.64 r6, r0, r5\n"
	"	    add.64 r3, r3, r6\n"
	"	    shl.64 r7, r0, 3\n"
	"	    add.64 r4, r4, r7\n"
	"	    ld.global.u64 r8, [r3]\n"
	"	    st.global.u64 [r4], r8\n"
	"	endif\n"
	"	end\n";

/* Arguments: 0 dst (u64 pointer), 8 seed (u64), 16 n, 20 stride (u32). */
static const char fill_src[] =
	"; *(u64 *)(dst + i * stride) = seed ^ (i * 0x9e3779b97f4a7c15)\n"
	"	sv r0, global_id.x\n"
	"	ldarg.u32 r1, 16\n"
	"	icmp.ltu.32 r2, r0, r1\n"
	"	if r2\n"
	"	    ldarg.u64 r3, 0\n"
	"	    ldarg.u64 r4, 8\n"
	"	    ldarg.u32 r5, 20\n"
	"	    mul.64 r6, r0, r5\n"
	"	    add.64 r3, r3, r6\n"
	"	    mul.64 r7, r0, 0x9e3779b97f4a7c15\n"
	"	    xor.64 r7, r7, r4\n"
	"	    st.global.u64 [r3], r7\n"
	"	endif\n"
	"	end\n";

/* gather_src and fill_src take the same argument layout. */
struct strided_args {
	uint64_t ptr0, ptr1;	/* gather: src, dst; fill: dst, seed */
	uint32_t n, stride;
};

static uint64_t fill_value(uint64_t seed, uint64_t i)
{
	return seed ^ (i * 0x9e3779b97f4a7c15ull);
}

/* For EXECs that are refused before anything runs. */
static const char end_src[] = "	end\n";

/* One lane: a load, then a store, at fixed byte offsets (fault_pc). */
static const char load_src[] =
	"	ldarg.u64 r1, 0			; 0x00\n"
	"	ld.global.u32 r2, [r1]		; 0x10: the access\n"
	"	end\n";
#define LOAD_PC		0x10

static const char store_src[] =
	"	ldarg.u64 r1, 0			; 0x00\n"
	"	ldarg.u64 r2, 8			; 0x10\n"
	"	st.global.u32 [r1], r2		; 0x20: the access\n"
	"	end\n";
#define STORE_PC	0x20

struct poke_args {
	uint64_t addr, value;
};

/*
 * Lane i, turn k < iters, reads word w = (13 i + k) % 512 of page
 * p = (i + 7 k) % npages and records it at out[k * nlanes + i].
 * Arguments: 0 buf, 8 out (u64 pointers), 16 npages, 20 iters, 24 nlanes.
 */
static const char hammer_src[] =
	"	sv r0, global_id.x\n"
	"	ldarg.u64 r1, 0\n"
	"	ldarg.u64 r2, 8\n"
	"	ldarg.u32 r3, 16\n"
	"	ldarg.u32 r4, 20\n"
	"	ldarg.u32 r5, 24\n"
	"	movi r6, 0			; k\n"
	"	loop\n"
	"	    icmp.eq.32 r7, r6, r4\n"
	"	    if r7\n"
	"	        break\n"
	"	    endif\n"
	"	    mul.32 r8, r6, 7\n"
	"	    add.32 r8, r8, r0\n"
	"	    remu.32 r8, r8, r3		; p\n"
	"	    mul.32 r9, r0, 13\n"
	"	    add.32 r9, r9, r6\n"
	"	    and.32 r9, r9, 511		; w\n"
	"	    shl.64 r10, r8, 12\n"
	"	    shl.64 r11, r9, 3\n"
	"	    add.64 r10, r10, r11\n"
	"	    add.64 r10, r10, r1\n"
	"	    ld.global.u64 r12, [r10]\n"
	"	    mul.32 r13, r6, r5\n"
	"	    add.32 r13, r13, r0\n"
	"	    shl.64 r13, r13, 3\n"
	"	    add.64 r13, r13, r2\n"
	"	    st.global.u64 [r13], r12\n"
	"	    add.32 r6, r6, 1\n"
	"	endloop\n"
	"	end\n";

struct hammer_args {
	uint64_t buf, out;
	uint32_t npages, iters, nlanes, pad;
};

/*
 * Lane i, turn k < iters, adds 1 to counter c = (i + k) % n of both a u64
 * and a u32 array. Arguments: 0 c64, 8 c32 (pointers), 16 n, 20 iters.
 */
static const char atomic_src[] =
	"	sv r0, global_id.x\n"
	"	ldarg.u64 r1, 0\n"
	"	ldarg.u64 r2, 8\n"
	"	ldarg.u32 r3, 16\n"
	"	ldarg.u32 r4, 20\n"
	"	movi r5, 0			; k\n"
	"	movi r6, 1\n"
	"	loop\n"
	"	    icmp.eq.32 r7, r5, r4\n"
	"	    if r7\n"
	"	        break\n"
	"	    endif\n"
	"	    add.32 r8, r0, r5\n"
	"	    remu.32 r8, r8, r3\n"
	"	    shl.64 r9, r8, 3\n"
	"	    add.64 r9, r9, r1\n"
	"	    atom.global.add.u64 r10, [r9], r6\n"
	"	    shl.64 r9, r8, 2\n"
	"	    add.64 r9, r9, r2\n"
	"	    atom.global.add.u32 r10, [r9], r6\n"
	"	    add.32 r5, r5, 1\n"
	"	endloop\n"
	"	end\n";

struct atomic_args {
	uint64_t c64, c32;
	uint32_t n, iters;
};

/* Helpers. */

#define check_err(ret, err, what) do { \
	int __ret = (ret); \
	igt_assert_f(__ret == (err), "%s: got %d (%s), expected %d (%s)\n", \
		     what, __ret, strerror(-__ret), (err), strerror(-(err))); \
} while (0)

static uint32_t pattern_u32(uint32_t seed, uint64_t i)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull ^ seed;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 32;
	return x;
}

static void fill_u32(void *p, uint64_t bytes, uint32_t seed)
{
	uint32_t *w = p;

	for (uint64_t i = 0; i < bytes / 4; i++)
		w[i] = pattern_u32(seed, i);
}

static void check_u32(const void *p, uint64_t bytes, uint32_t seed)
{
	const uint32_t *w = p;

	for (uint64_t i = 0; i < bytes / 4; i++)
		igt_assert_f(w[i] == pattern_u32(seed, i),
			     "word %" PRIu64 " at %p is %#x, expected %#x\n",
			     i, &w[i], w[i], pattern_u32(seed, i));
}

static void check_xform(const uint32_t *in, const uint32_t *out, uint32_t n,
			uint32_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		igt_assert_f(out[i] == xform(in[i], i, seed),
			     "out[%u] at %p is %#x, expected %#x (in %#x)\n",
			     i, &out[i], out[i], xform(in[i], i, seed), in[i]);
}

static void check_zero(const void *p, uint64_t bytes)
{
	const uint8_t *b = p;

	for (uint64_t i = 0; i < bytes; i++)
		igt_assert_f(!b[i], "byte %" PRIu64 " at %p is %#x, expected 0\n",
			     i, &b[i], b[i]);
}

static void *map_anon(uint64_t size, int prot)
{
	void *p = mmap(NULL, size, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	igt_assert(p != MAP_FAILED);
	return p;
}

/*
 * @size bytes at a 2 MiB-aligned address, from a larger anonymous mapping
 * whose unaligned ends are unmapped again.
 */
static void *map_aligned_2m(uint64_t size)
{
	uint8_t *p = map_anon(size + SZ_2M, PROT_READ | PROT_WRITE);
	uint8_t *a = (uint8_t *)ALIGN((uintptr_t)p, SZ_2M);

	if (a > p)
		igt_assert_eq(munmap(p, a - p), 0);
	if (a + size < p + size + SZ_2M)
		igt_assert_eq(munmap(a + size, p + size + SZ_2M - (a + size)), 0);
	return a;
}

/*
 * @size bytes with a VMA of their own: PROT_NONE guard pages on both sides
 * keep it from merging with any neighbour, so SVM ranges, which never
 * cross a VMA's bounds, hold nothing else. Unmap *guard, @size + 8 KiB.
 */
static uint8_t *map_lonely(uint64_t size, uint8_t **guard)
{
	/*
	 * Inside one 2 MiB block with its guards, so that one SVM range
	 * holds it whatever address the kernel picks.
	 */
	uint64_t span = size + 2 * SZ_4K;
	uint8_t *raw = map_anon(span + SZ_2M, PROT_NONE);
	uint8_t *p = (uint8_t *)ALIGN(to_user_pointer(raw), SZ_2M);

	igt_assert(span <= SZ_2M);
	if (p > raw)
		igt_assert_eq(munmap(raw, p - raw), 0);
	igt_assert_eq(munmap(p + span, raw + span + SZ_2M - (p + span)), 0);
	igt_assert_eq(mprotect(p + SZ_4K, size, PROT_READ | PROT_WRITE), 0);
	*guard = p;
	return p + SZ_4K;
}

/* debugfs */

static void require_debugfs(void)
{
	igt_require_f(igt_debugfs_exists(fd, "counters", O_RDONLY),
		      "needs the device's debugfs (root)\n");
}

/* The value of one "name value" line of a debugfs file of the device. */
static int64_t debugfs_value(const char *file, const char *name)
{
	char *text = vsvm_debugfs_read(fd, file), *line, *save = NULL;
	size_t len = strlen(name);
	int64_t value = -1;

	igt_assert_f(text, "cannot read debugfs %s: %m\n", file);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, name, len) && line[len] == ' ') {
			value = strtoll(line + len + 1, NULL, 10);
			break;
		}
	}
	free(text);
	igt_assert_f(value >= 0, "no \"%s\" in debugfs %s\n", name, file);
	return value;
}

static int64_t live_objects(const char *name)
{
	return debugfs_value("objects", name);
}

/* One "range" line of debugfs "vms". */
struct svm_range {
	uint64_t start, end, seq, ptes_4k, ptes_2m, faults, last;
	bool unmapped;
};

/*
 * The SVM range holding @addr in any VM of any client.
 * Return: false if there is none.
 */
static bool find_range(uint64_t addr, struct svm_range *r)
{
	char *text = vsvm_debugfs_read(fd, "vms"), *line, *save = NULL;
	bool found = false;

	igt_assert(text);
	for (line = strtok_r(text, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		struct svm_range t = {};

		if (sscanf(line, " range 0x%" SCNx64 "-0x%" SCNx64 " seq %" SCNu64
			   " ptes 4K %" SCNu64 " 2M %" SCNu64 " faults %" SCNu64
			   " last 0x%" SCNx64, &t.start, &t.end, &t.seq,
			   &t.ptes_4k, &t.ptes_2m, &t.faults, &t.last) != 7)
			continue;
		if (addr < t.start || addr >= t.end)
			continue;
		t.unmapped = strstr(line, "unmapped");
		*r = t;
		found = true;
	}
	free(text);
	return found;
}

static void log_range(const char *what, const struct svm_range *r)
{
	igt_info("%s: range %#" PRIx64 "-%#" PRIx64 " seq %" PRIu64
		 " ptes 4K %" PRIu64 " 2M %" PRIu64 " faults %" PRIu64 "%s\n",
		 what, r->start, r->end, r->seq, r->ptes_4k, r->ptes_2m,
		 r->faults, r->unmapped ? " unmapped" : "");
}

/*
 * Waits up to 5 s (scaled: vsvm_scaled_limit()) for the GC worker to remove
 * the range holding @addr.
 */
static void wait_range_gone(uint64_t addr)
{
	struct svm_range r;

	for (int64_t i = 0; i < vsvm_scaled_limit(100); i++) {
		if (!find_range(addr, &r))
			return;
		usleep(50 * 1000);
	}
	log_range("still there", &r);
	igt_assert_f(false, "the range holding %#" PRIx64 " was not collected\n",
		     addr);
}

/* /proc/PID/pagemap: the page frame behind @addr; needs CAP_SYS_ADMIN. */
static uint64_t pfn_of(pid_t pid, const void *addr)
{
	char path[64];
	uint64_t e = 0;
	int f;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	f = open(path, O_RDONLY);
	igt_assert_fd(f);
	igt_assert_eq(pread(f, &e, sizeof(e),
			    (uintptr_t)addr / SZ_4K * sizeof(e)), sizeof(e));
	close(f);
	igt_assert_f(e >> 63, "%p is not present in process %d\n", addr, pid);
	e &= (1ull << 55) - 1;
	igt_require_f(e, "pagemap hides page frames (needs CAP_SYS_ADMIN)\n");
	return e;
}

/* Transparent huge pages backing @addr, in KiB, from /proc/self/smaps. */
static uint64_t anon_huge_kb(const void *addr)
{
	uintptr_t a = (uintptr_t)addr, start, end;
	char line[256];
	bool in = false;
	uint64_t kb = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	igt_assert(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = a >= start && a < end;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %" SCNu64, &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/*
 * A VM, a queue and GPU-only addresses above the mirror for BOs. ctx_init()
 * makes an SVM VM, which mirrors and userptrs need.
 */
struct ctx {
	uint32_t vm, queue;
	uint64_t next_va;
};

/*
 * Buffer objects live at 2^47 and above, where mmap() never puts anything
 * unless asked to: with 4-level paging no user address reaches there, with
 * 5-level paging only mappings placed there on purpose (x86-64's
 * DEFAULT_MAP_WINDOW). Mirrors of "everything" stop below.
 */
#define BO_VA_BASE	(1ull << 47)

static void ctx_init(struct ctx *c, bool mirror_all)
{
	c->vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_SVM);
	if (mirror_all)
		vsvm_vm_map_mirror(fd, c->vm, 0, mirror_end);
	c->queue = vsvm_queue_create(fd, c->vm);
	c->next_va = BO_VA_BASE;
}

static void ctx_fini(struct ctx *c)
{
	vsvm_queue_destroy(fd, c->queue);
	vsvm_vm_destroy(fd, c->vm);
}

static uint64_t ctx_va(struct ctx *c, uint64_t size)
{
	uint64_t va = c->next_va;

	c->next_va += ALIGN(size, SZ_64K);
	return va;
}

/* A BO bound at a fresh GPU address; *cpu maps it, the handle is closed. */
static uint64_t ctx_bo(struct ctx *c, uint64_t size, void **cpu)
{
	uint64_t va = ctx_va(c, size);
	uint32_t bo;

	size = ALIGN(size, SZ_4K);
	bo = vsvm_gem_create(fd, size);

	vsvm_vm_map(fd, c->vm, bo, 0, va, size, 0);
	if (cpu)
		*cpu = vsvm_gem_mmap(fd, bo, size, PROT_READ | PROT_WRITE);
	vsvm_gem_close(fd, bo);
	return va;
}

/* Shader code in a read-only BO; returns its GPU address. */
static uint64_t ctx_code(struct ctx *c, const char *src, uint32_t *code_size)
{
	size_t size;
	void *code = vsvm_assemble(src, &size);
	uint64_t va = ctx_va(c, size);

	vsvm_gem_close(fd, vsvm_upload_code(fd, c->vm, va, code, size));
	free(code);
	*code_size = size;
	return va;
}

/* Arguments in a BO of their own; returns its GPU address. */
static uint64_t ctx_args(struct ctx *c, const void *args, uint32_t size)
{
	void *cpu;
	uint64_t va = ctx_bo(c, SZ_4K, &cpu);

	memcpy(cpu, args, size);
	munmap(cpu, SZ_4K);
	return va;
}

/* Shader code in malloc()ed memory: for a VM that mirrors it. */
static void *code_malloc(const char *src, uint32_t *code_size)
{
	size_t size;
	void *code = vsvm_assemble(src, &size), *p;

	p = aligned_alloc(64, ALIGN(size, 64));
	igt_assert(p);
	memcpy(p, code, size);
	free(code);
	*code_size = size;
	return p;
}

static uint64_t submit(uint32_t queue, uint64_t code, uint32_t code_size,
		       uint64_t args, uint32_t args_size, uint32_t lanes)
{
	struct drm_vsvm_exec exec;

	vsvm_exec_init(&exec, queue, code, code_size);
	exec.args_addr = args;
	exec.args_size = args_size;
	exec.wg_size[0] = lanes < WG_LANES ? lanes : WG_LANES;
	exec.grid[0] = (lanes + WG_LANES - 1) / WG_LANES;
	return vsvm_exec(fd, &exec);
}

/*
 * Runs @lanes lanes (at most 1024) as one workgroup and expects it to end
 * OK: one compute unit, whose waves run one after the other, so the first
 * wave's fault is the only one when it maps everything the others touch.
 */
static void ctx_run_1wg(struct ctx *c, uint64_t code, uint32_t code_size,
			const void *args, uint32_t args_size, uint32_t lanes)
{
	struct drm_vsvm_exec exec;

	vsvm_exec_init(&exec, c->queue, code, code_size);
	exec.args_addr = ctx_args(c, args, args_size);
	exec.args_size = args_size;
	exec.wg_size[0] = lanes;
	vsvm_wait_ok(fd, c->queue, vsvm_exec(fd, &exec));
}

static struct drm_vsvm_wait wait_job(uint32_t queue, uint64_t seqno)
{
	struct drm_vsvm_wait w;

	igt_assert_eq(__vsvm_wait(fd, queue, seqno, VSVM_WAIT_TIMEOUT_NS, &w),
		      0);
	return w;
}

/* Runs a job and expects it to end OK. */
static void run_ok(uint32_t queue, uint64_t code, uint32_t code_size,
		   uint64_t args, uint32_t args_size, uint32_t lanes)
{
	vsvm_wait_ok(fd, queue,
		     submit(queue, code, code_size, args, args_size, lanes));
}

/* Runs a job with its arguments in a BO and expects it to end OK. */
static void ctx_run(struct ctx *c, uint64_t code, uint32_t code_size,
		    const void *args, uint32_t args_size, uint32_t lanes)
{
	run_ok(c->queue, code, code_size, ctx_args(c, args, args_size),
	       args_size, lanes);
}

/* Runs a one-lane job expected to fail with @status at @addr and @pc. */
static void expect_fault(struct ctx *c, uint64_t code, uint32_t code_size,
			 const void *args, uint32_t args_size, uint32_t status,
			 uint32_t access, uint64_t addr, uint32_t pc)
{
	uint64_t seqno = submit(c->queue, code, code_size,
				ctx_args(c, args, args_size), args_size, 1);
	struct drm_vsvm_wait w = wait_job(c->queue, seqno);

	igt_info("job %" PRIu64 ": %s, access %#x at %#llx, pc %#x\n", seqno,
		 vsvm_status_name(w.status), w.fault_access,
		 (unsigned long long)w.fault_addr, w.fault_pc);
	igt_assert_f(w.status == status, "status %s, expected %s\n",
		     vsvm_status_name(w.status), vsvm_status_name(status));
	igt_assert_eq_u32(w.fault_access, access);
	igt_assert_eq_u64(w.fault_addr, addr);
	igt_assert_eq_u32(w.fault_pc, pc);
}

/* A forked child that checks its own view of a buffer on request. */
struct watcher {
	int cmd[2], reply[2];
	pid_t pid;
};

/*
 * The child: reads a command byte; 'c' checks @buf against pattern @seed
 * and replies '1' or '0', 'q' exits.
 */
static void watcher_loop(struct watcher *w, const void *buf, uint64_t size,
			 uint32_t seed)
{
	pid_t pid = getpid();
	char cmd;

	igt_assert_eq(write(w->reply[1], &pid, sizeof(pid)), sizeof(pid));
	while (read(w->cmd[0], &cmd, 1) == 1 && cmd == 'c') {
		const uint32_t *p = buf;
		char ok = '1';

		for (uint64_t i = 0; i < size / 4; i++)
			if (p[i] != pattern_u32(seed, i))
				ok = '0';
		igt_assert_eq(write(w->reply[1], &ok, 1), 1);
	}
}

static void watcher_start(struct watcher *w, const void *buf, uint64_t size,
			  uint32_t seed)
{
	igt_assert_eq(pipe(w->cmd), 0);
	igt_assert_eq(pipe(w->reply), 0);
	igt_fork(child, 1)
		watcher_loop(w, buf, size, seed);
	igt_assert_eq(read(w->reply[0], &w->pid, sizeof(w->pid)),
		      sizeof(w->pid));
}

/* Does the child still see pattern @seed? */
static bool watcher_sees_pattern(struct watcher *w)
{
	char c = 'c';

	igt_assert_eq(write(w->cmd[1], &c, 1), 1);
	igt_assert_eq(read(w->reply[0], &c, 1), 1);
	return c == '1';
}

static void watcher_stop(struct watcher *w)
{
	char c = 'q';

	igt_assert_eq(write(w->cmd[1], &c, 1), 1);
	igt_waitchildren();
	close(w->cmd[0]);
	close(w->cmd[1]);
	close(w->reply[0]);
	close(w->reply[1]);
}

static void require_caps(uint64_t caps)
{
	igt_require_f((svm_caps & caps) == caps,
		      "SVM_CAPS %#" PRIx64 " lacks %#" PRIx64 "\n", svm_caps,
		      caps);
}

/*
 * Mirror: shaders use plain pointers. The code is in malloc()ed memory and
 * the arguments on the stack, both reached through the mirror too.
 */
static void xform_in_mirror(uint32_t *in, uint32_t *out, uint32_t n,
			    uint32_t seed)
{
	struct xform_args args = {
		.in = to_user_pointer(in), .out = to_user_pointer(out),
		.n = n, .seed = seed,
	};
	uint32_t code_size;
	void *code = code_malloc(xform_src, &code_size);
	struct ctx c;

	ctx_init(&c, true);
	fill_u32(in, n * 4ull, seed);
	memset(out, 0xa5, n * 4ull);
	run_ok(c.queue, to_user_pointer(code), code_size,
	       to_user_pointer(&args), sizeof(args), n);
	check_xform(in, out, n, seed);
	check_u32(in, n * 4ull, seed);
	ctx_fini(&c);
	free(code);
}

static void test_mirror_malloc(void)
{
	const uint32_t n = 16384;
	uint32_t *in = malloc(n * 4), *out = malloc(n * 4);

	igt_assert(in && out);
	igt_info("malloc: in %p, out %p\n", in, out);
	xform_in_mirror(in, out, n, 0x1234);
	free(in);
	free(out);
}

static void test_mirror_mmap(void)
{
	const uint32_t n = 32768;
	uint32_t *buf = map_anon(2 * n * 4, PROT_READ | PROT_WRITE);

	igt_info("mmap: %p\n", buf);
	xform_in_mirror(buf, buf + n, n, 0x5678);
	igt_assert_eq(munmap(buf, 2 * n * 4), 0);
}

static void __attribute__((noinline)) test_mirror_stack(void)
{
	uint32_t in[1024], out[1024];

	igt_info("stack: in %p, out %p\n", in, out);
	xform_in_mirror(in, out, ARRAY_SIZE(in), 0x9abc);
}

/*
 * EXEC reads the code through the mirror when it is called: rewriting the
 * malloc()ed code changes what the next EXEC runs, and garbage there is
 * refused.
 */
static void put_code(uint8_t *mem, const char *src, uint32_t *code_size)
{
	size_t size;
	void *code = vsvm_assemble(src, &size);

	igt_assert_lte(size, SZ_4K);
	memcpy(mem, code, size);
	free(code);
	*code_size = size;
}

static void test_mirror_code_malloc(void)
{
	const uint32_t n = 4096;
	uint32_t code_size, *buf = malloc(2 * n * 4), *copy = malloc(2 * n * 4);
	uint8_t *code = aligned_alloc(64, SZ_4K);
	struct xform_args xa = {
		.in = to_user_pointer(buf), .out = to_user_pointer(buf + n),
		.n = n, .seed = 7,
	};
	struct strided_args fa = {
		.ptr0 = to_user_pointer(buf), .ptr1 = 0xfeedface, .n = n / 2,
		.stride = 16,
	};
	struct drm_vsvm_exec exec;
	struct ctx c;

	igt_assert(buf && copy && code);
	ctx_init(&c, true);
	fill_u32(buf, n * 4, 7);
	put_code(code, xform_src, &code_size);
	run_ok(c.queue, to_user_pointer(code), code_size,
	       to_user_pointer(&xa), sizeof(xa), n);
	check_xform(buf, buf + n, n, 7);

	/* Not an instruction: EXEC validates what is there now. */
	memset(code, 0xff, code_size);
	vsvm_exec_init(&exec, c.queue, to_user_pointer(code), code_size);
	check_err(__vsvm_exec(fd, &exec), -EINVAL, "EXEC of garbage code");

	/* Another program in the same memory. */
	put_code(code, fill_src, &code_size);
	memcpy(copy, buf, 2 * n * 4);
	run_ok(c.queue, to_user_pointer(code), code_size,
	       to_user_pointer(&fa), sizeof(fa), n / 2);
	for (uint32_t i = 0; i < n / 2; i++) {
		uint64_t v;

		memcpy(&v, buf + 4 * i, 8);
		igt_assert_eq_u64(v, fill_value(0xfeedface, i));
		igt_assert_eq_u32(buf[4 * i + 2], copy[4 * i + 2]);
		igt_assert_eq_u32(buf[4 * i + 3], copy[4 * i + 3]);
	}
	ctx_fini(&c);
	free(code);
	free(copy);
	free(buf);
}

/* A mirror and a BO binding never overlap, whichever comes first. */
static void test_mirror_bo_overlap(void)
{
	uint8_t *cpu = map_anon(SZ_2M, PROT_READ | PROT_WRITE);
	uint64_t a = to_user_pointer(cpu), b = a + 8 * SZ_1M, out_va;
	uint32_t code_size, bo = vsvm_gem_create(fd, SZ_64K);
	uint64_t *out, *bo_cpu, code;
	struct strided_args args;
	struct ctx c;

	igt_require(b + 2 * SZ_1M <= mirror_end);
	ctx_init(&c, false);
	code = ctx_code(&c, gather_src, &code_size);
	out_va = ctx_bo(&c, SZ_4K, (void **)&out);
	fill_u32(cpu, SZ_2M, 11);
	bo_cpu = vsvm_gem_mmap(fd, bo, SZ_64K, PROT_READ | PROT_WRITE);
	fill_u32(bo_cpu, SZ_64K, 12);

	/* Mirror first. */
	vsvm_vm_map_mirror(fd, c.vm, a, SZ_2M);
	check_err(__vsvm_vm_map(fd, c.vm, bo, 0, a + SZ_1M, SZ_64K, 0),
		  -EEXIST, "BO inside a mirror");
	check_err(__vsvm_vm_map(fd, c.vm, bo, 0, a - SZ_4K, SZ_64K, 0),
		  -EEXIST, "BO over a mirror's start");
	check_err(__vsvm_vm_map(fd, c.vm, bo, 0, a + SZ_2M - SZ_4K, SZ_64K,
				0), -EEXIST, "BO over a mirror's end");
	check_err(__vsvm_vm_map(fd, c.vm, bo, 0, a, SZ_2M / 32, 0), -EEXIST,
		  "BO at a mirror's start");
	check_err(__vsvm_vm_map_userptr(fd, c.vm, cpu, a + SZ_1M, SZ_64K, 0),
		  -EEXIST, "userptr inside a mirror");
	check_err(__vsvm_vm_map_mirror(fd, c.vm, a + SZ_1M, SZ_2M), -EEXIST,
		  "mirror over a mirror");

	/* BO first. */
	vsvm_vm_map(fd, c.vm, bo, 0, b, SZ_64K, 0);
	check_err(__vsvm_vm_map_mirror(fd, c.vm, b - SZ_1M, SZ_2M), -EEXIST,
		  "mirror around a BO");
	check_err(__vsvm_vm_map_mirror(fd, c.vm, b, SZ_64K), -EEXIST,
		  "mirror exactly over a BO");
	check_err(__vsvm_vm_map_mirror(fd, c.vm, b + SZ_4K, SZ_4K), -EEXIST,
		  "mirror inside a BO");
	check_err(__vsvm_vm_map_mirror(fd, c.vm, b + SZ_64K - SZ_4K, SZ_1M),
		  -EEXIST, "mirror over a BO's end");

	/* Touching is not overlapping. */
	vsvm_vm_map_mirror(fd, c.vm, b + SZ_64K, SZ_64K);
	vsvm_vm_map_mirror(fd, c.vm, b - SZ_64K, SZ_64K);
	vsvm_vm_unmap(fd, c.vm, b - SZ_64K, SZ_64K);
	vsvm_vm_unmap(fd, c.vm, b + SZ_64K, SZ_64K);

	/* The refused binds changed nothing: both bindings still work. */
	args = (struct strided_args){ a, out_va, 256, 8192 };
	ctx_run(&c, code, code_size, &args, sizeof(args), 256);
	for (int i = 0; i < 256; i++)
		igt_assert_eq_u64(out[i], *(uint64_t *)(cpu + 8192ull * i));
	args = (struct strided_args){ b, out_va, 256, 256 };
	ctx_run(&c, code, code_size, &args, sizeof(args), 256);
	for (int i = 0; i < 256; i++)
		igt_assert_eq_u64(out[i], bo_cpu[32 * i]);

	/* Once the mirror is gone, the BO fits where it was. */
	vsvm_vm_unmap(fd, c.vm, a, SZ_2M);
	vsvm_vm_map(fd, c.vm, bo, 0, a + SZ_1M, SZ_64K, 0);

	ctx_fini(&c);
	munmap(out, SZ_4K);
	munmap(bo_cpu, SZ_64K);
	vsvm_gem_close(fd, bo);
	munmap(cpu, SZ_2M);
}

/*
 * userptr: CPU memory at a GPU address of its own. The GPU's writes land
 * in the CPU's pages, and each EXEC revalidates the binding, so a CPU
 * mapping replaced under it is seen by the next job.
 */
static void test_userptr(void)
{
	const uint64_t size = SZ_64K, half = size / 2;
	const uint32_t n = half / 4;
	uint32_t code_size, end_size, *buf = map_anon(size, PROT_READ |
						      PROT_WRITE);
	struct xform_args args;
	uint64_t code, end, g, revals = 0;
	struct drm_vsvm_exec exec;
	bool debugfs = igt_debugfs_exists(fd, "counters", O_RDONLY);
	struct ctx c;

	ctx_init(&c, false);
	code = ctx_code(&c, xform_src, &code_size);
	end = ctx_code(&c, end_src, &end_size);
	g = ctx_va(&c, size);
	vsvm_vm_map_userptr(fd, c.vm, buf, g, size, 0);
	igt_info("userptr: CPU %p at GPU %#" PRIx64 "\n", buf, g);
	args = (struct xform_args){ g, g + half, n, 21 };

	fill_u32(buf, half, 21);
	memset(buf + n, 0xa5, half);
	ctx_run(&c, code, code_size, &args, sizeof(args), n);
	check_xform(buf, buf + n, n, 21);

	/* A new mapping replaces the old one at once (MAP_FIXED). */
	if (debugfs)
		revals = vsvm_counter(fd, "userptr_revalidations");
	igt_assert(mmap(buf, size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == buf);
	fill_u32(buf, half, 22);
	memset(buf + n, 0x5a, half);
	args.seed = 22;
	ctx_run(&c, code, code_size, &args, sizeof(args), n);
	check_xform(buf, buf + n, n, 22);
	if (debugfs)
		igt_assert_lt(revals, vsvm_counter(fd, "userptr_revalidations"));

	/* Nothing mapped: no EXEC on the VM can map the binding. */
	igt_assert_eq(munmap(buf, size), 0);
	vsvm_exec_init(&exec, c.queue, end, end_size);
	check_err(__vsvm_exec(fd, &exec), -EFAULT,
		  "EXEC with an unmapped userptr");

	/* Mapped again, with new data. */
	igt_assert(mmap(buf, size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == buf);
	fill_u32(buf, half, 23);
	args.seed = 23;
	ctx_run(&c, code, code_size, &args, sizeof(args), n);
	check_xform(buf, buf + n, n, 23);
	check_u32(buf, half, 23);

	ctx_fini(&c);
	munmap(buf, size);
}

/* A READONLY userptr can be read, not written; the CPU data stays. */
static void test_userptr_readonly(void)
{
	const uint64_t size = SZ_64K;
	uint32_t gather_size, store_size, end_size;
	uint32_t *buf = map_anon(size, PROT_READ | PROT_WRITE);
	uint32_t *ro = map_anon(size, PROT_READ);
	uint64_t gather, store, end, g, g2, out_va, *out;
	struct strided_args args;
	struct poke_args poke;
	struct drm_vsvm_exec exec;
	struct ctx c;

	ctx_init(&c, false);
	gather = ctx_code(&c, gather_src, &gather_size);
	store = ctx_code(&c, store_src, &store_size);
	end = ctx_code(&c, end_src, &end_size);
	out_va = ctx_bo(&c, SZ_64K, (void **)&out);
	g = ctx_va(&c, size);
	fill_u32(buf, size, 31);
	vsvm_vm_map_userptr(fd, c.vm, buf, g, size, DRM_VSVM_BIND_READONLY);

	args = (struct strided_args){ g, out_va, size / 8, 8 };
	ctx_run(&c, gather, gather_size, &args, sizeof(args), size / 8);
	igt_assert_eq(memcmp(out, buf, size), 0);

	poke = (struct poke_args){ g + 0x1234, 0xdeadbeef };
	expect_fault(&c, store, store_size, &poke, sizeof(poke),
		     DRM_VSVM_STATUS_READ_ONLY, DRM_VSVM_ACCESS_WRITE,
		     g + 0x1234, STORE_PC);
	check_u32(buf, size, 31);

	/*
	 * Without READONLY the binding is mapped for writing at EXEC, which
	 * a read-only CPU mapping refuses.
	 */
	g2 = ctx_va(&c, size);
	vsvm_vm_map_userptr(fd, c.vm, ro, g2, size, 0);
	vsvm_exec_init(&exec, c.queue, end, end_size);
	check_err(__vsvm_exec(fd, &exec), -EACCES,
		  "EXEC with a writable userptr of read-only memory");
	vsvm_vm_unmap(fd, c.vm, g2, size);
	ctx_run(&c, gather, gather_size, &args, sizeof(args), size / 8);
	igt_assert_eq(memcmp(out, buf, size), 0);

	ctx_fini(&c);
	munmap(out, SZ_64K);
	munmap(ro, size);
	munmap(buf, size);
}

/*
 * Isolation: what the parent set up before another process got its file.
 * The SVM VM mirrors everything and ran a job; the BO-only VM holds the
 * fill shader, a 64 KiB output BO that a job of the parent filled, and a
 * free 64 KiB of GPU addresses.
 */
struct iso_parent {
	uint32_t vm, queue;
	uint64_t seqno;
	uint64_t code;			/* fill_src, malloc()ed */
	uint32_t code_size;
	uint32_t *buf;			/* @size bytes the parent filled */
	uint64_t size;
	struct ctx bo;
	uint64_t bo_code, bo_out, bo_free, bo_seqno;
	uint32_t bo_code_size;
};

#define ISO_BO_SIZE	SZ_64K
#define ISO_CHILD_SEED	0xb0b0cafeull

/*
 * The other process in the parent's BO-only VM: like any DRM object, it
 * may wait for the parent's job there, bind a BO of its own, create a
 * queue and run a job, which fills the parent's output BO; mirrors and
 * userptrs are refused there whoever asks.
 */
static void iso_use_bo_vm(int dfd, const struct iso_parent *p)
{
	struct strided_args fa = {
		.ptr0 = p->bo_out, .ptr1 = ISO_CHILD_SEED,
		.n = ISO_BO_SIZE / 8, .stride = 8,
	};
	struct drm_vsvm_exec exec;
	struct drm_vsvm_wait w;
	uint32_t queue, bo;
	void *cpu;

	igt_assert_eq(__vsvm_wait(dfd, p->bo.queue, p->bo_seqno, 0, &w), 0);
	igt_assert_eq_u32(w.status, DRM_VSVM_STATUS_OK);
	check_err(__vsvm_vm_map_mirror(dfd, p->bo.vm, to_user_pointer(p->buf),
				       p->size), -EINVAL,
		  "MAP_MIRROR in the BO-only VM");
	check_err(__vsvm_vm_map_userptr(dfd, p->bo.vm, p->buf, p->bo_free,
					p->size, 0), -EINVAL,
		  "MAP_USERPTR in the BO-only VM");

	igt_assert_eq(__vsvm_gem_create(dfd, SZ_4K, &bo), 0);
	cpu = __vsvm_gem_mmap(dfd, bo, SZ_4K, PROT_READ | PROT_WRITE);
	igt_assert(cpu);
	memcpy(cpu, &fa, sizeof(fa));
	igt_assert_eq(__vsvm_vm_map(dfd, p->bo.vm, bo, 0, p->bo_free, SZ_4K,
				    0), 0);
	igt_assert_eq(__vsvm_queue_create(dfd, p->bo.vm, &queue), 0);
	vsvm_exec_init(&exec, queue, p->bo_code, p->bo_code_size);
	exec.args_addr = p->bo_free;
	exec.args_size = sizeof(fa);
	exec.wg_size[0] = WG_LANES;
	exec.grid[0] = fa.n / WG_LANES;
	igt_assert_eq(__vsvm_exec(dfd, &exec), 0);
	vsvm_wait_ok(dfd, queue, exec.seqno);
	igt_assert_eq(__vsvm_queue_destroy(dfd, queue), 0);
	igt_assert_eq(__vsvm_vm_unmap(dfd, p->bo.vm, p->bo_free, SZ_4K), 0);
	munmap(cpu, SZ_4K);
	igt_assert_eq(__vsvm_gem_close(dfd, bo), 0);
}

/*
 * The other process (@dfd: the parent's file) gets EPERM from every ioctl
 * that names the parent's SVM VM or its queue, uses the BO-only VM, then
 * makes an SVM VM of its own in the same file and writes the parent's
 * buffer's address through it: only its own copy changes.
 */
static void isolation_child(int dfd, const struct iso_parent *p)
{
	uint32_t *buf = p->buf;
	uint64_t size = p->size;
	struct strided_args fa = {
		.ptr0 = to_user_pointer(buf), .ptr1 = 0xc0ffee,
		.n = size / 8, .stride = 8,
	};
	uint32_t own_vm, own_queue, q, bo, fill_size;
	struct drm_vsvm_exec exec;
	struct drm_vsvm_wait w;
	void *fill;

	check_err(__vsvm_vm_map_mirror(dfd, p->vm, to_user_pointer(buf), size),
		  -EPERM, "VM_BIND MAP_MIRROR");
	check_err(__vsvm_vm_unmap(dfd, p->vm, to_user_pointer(buf), size),
		  -EPERM, "VM_BIND UNMAP of the parent's mirror");
	check_err(__vsvm_vm_map_userptr(dfd, p->vm, buf, BO_VA_BASE + SZ_1M,
					size, 0), -EPERM, "VM_BIND MAP_USERPTR");
	igt_assert_eq(__vsvm_gem_create(dfd, SZ_4K, &bo), 0);
	check_err(__vsvm_vm_map(dfd, p->vm, bo, 0, BO_VA_BASE + SZ_1M, SZ_4K,
				0), -EPERM, "VM_BIND MAP of a BO");
	check_err(__vsvm_queue_create(dfd, p->vm, &q), -EPERM, "QUEUE_CREATE");
	vsvm_exec_init(&exec, p->queue, p->code, p->code_size);
	exec.args_addr = to_user_pointer(&fa);
	exec.args_size = sizeof(fa);
	exec.wg_size[0] = WG_LANES;
	exec.grid[0] = fa.n / WG_LANES;
	check_err(__vsvm_exec(dfd, &exec), -EPERM, "EXEC");
	check_err(__vsvm_prefetch(dfd, p->vm, to_user_pointer(buf), size, 0),
		  -EPERM, "PREFETCH");
	check_err(__vsvm_prefetch(dfd, p->vm, to_user_pointer(buf), size,
				  DRM_VSVM_PREFETCH_WRITE), -EPERM,
		  "PREFETCH_WRITE");
	check_err(__vsvm_wait(dfd, p->queue, p->seqno, 0, &w), -EPERM,
		  "WAIT for the parent's job");
	check_u32(buf, size, 41);

	iso_use_bo_vm(dfd, p);

	/* Last: were they allowed, the parent's checks would fail too. */
	check_err(__vsvm_queue_destroy(dfd, p->queue), -EPERM, "QUEUE_DESTROY");
	check_err(__vsvm_vm_destroy(dfd, p->vm), -EPERM, "VM_DESTROY");

	/* Its own VM in the same file: same addresses, its own pages. */
	igt_assert_eq(__vsvm_vm_create(dfd, DRM_VSVM_VM_CREATE_SVM, &own_vm), 0);
	igt_assert_eq(__vsvm_vm_map_mirror(dfd, own_vm, 0, mirror_end), 0);
	igt_assert_eq(__vsvm_queue_create(dfd, own_vm, &own_queue), 0);
	fill = code_malloc(fill_src, &fill_size);
	exec.queue_id = own_queue;
	exec.code_addr = to_user_pointer(fill);
	exec.code_size = fill_size;
	igt_assert_eq(__vsvm_exec(dfd, &exec), 0);
	vsvm_wait_ok(dfd, own_queue, exec.seqno);
	for (uint64_t i = 0; i < size / 8; i++)
		igt_assert_eq_u64(((uint64_t *)buf)[i], fill_value(0xc0ffee, i));
	igt_assert_eq(__vsvm_queue_destroy(dfd, own_queue), 0);
	igt_assert_eq(__vsvm_vm_destroy(dfd, own_vm), 0);
	igt_assert_eq(__vsvm_gem_close(dfd, bo), 0);
	free(fill);
}

/* Fills the BO-only VM's output BO with a job of the parent's. */
static uint64_t iso_fill_bo(struct iso_parent *p, uint64_t seed)
{
	struct strided_args fa = {
		.ptr0 = p->bo_out, .ptr1 = seed, .n = ISO_BO_SIZE / 8,
		.stride = 8,
	};
	uint64_t seqno = submit(p->bo.queue, p->bo_code, p->bo_code_size,
				ctx_args(&p->bo, &fa, sizeof(fa)), sizeof(fa),
				fa.n);

	vsvm_wait_ok(fd, p->bo.queue, seqno);
	return seqno;
}

static void check_fill(const uint64_t *p, uint64_t bytes, uint64_t seed)
{
	for (uint64_t i = 0; i < bytes / 8; i++)
		igt_assert_f(p[i] == fill_value(seed, i),
			     "word %" PRIu64 " is %#" PRIx64 ", expected %#"
			     PRIx64 "\n", i, p[i], fill_value(seed, i));
}

static void test_isolation(bool scm_rights)
{
	const uint64_t size = SZ_64K;
	struct iso_parent p = {
		.buf = map_anon(size, PROT_READ | PROT_WRITE), .size = size,
	};
	struct strided_args fa = {
		.ptr0 = to_user_pointer(p.buf), .ptr1 = 0xabcdef,
		.n = size / 8, .stride = 8,
	};
	void *code = code_malloc(fill_src, &p.code_size);
	uint64_t *out;
	int sv[2];
	struct ctx c;

	p.code = to_user_pointer(code);
	ctx_init(&c, true);
	p.vm = c.vm;
	p.queue = c.queue;
	p.seqno = submit(c.queue, p.code, p.code_size, to_user_pointer(&fa),
			 sizeof(fa), fa.n);
	vsvm_wait_ok(fd, c.queue, p.seqno);
	fill_u32(p.buf, size, 41);

	/* A VM without DRM_VSVM_VM_CREATE_SVM: BOs only, shared. */
	p.bo.vm = vsvm_vm_create(fd, 0);
	p.bo.queue = vsvm_queue_create(fd, p.bo.vm);
	p.bo.next_va = BO_VA_BASE;
	p.bo_code = ctx_code(&p.bo, fill_src, &p.bo_code_size);
	p.bo_out = ctx_bo(&p.bo, ISO_BO_SIZE, (void **)&out);
	p.bo_free = ctx_va(&p.bo, size);
	p.bo_seqno = iso_fill_bo(&p, 0x5eed);
	check_fill(out, ISO_BO_SIZE, 0x5eed);

	igt_assert_eq(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	igt_fork(child, 1) {
		int dfd = fd;

		if (scm_rights) {
			/* Only the received descriptor reaches the device. */
			close(fd);
			dfd = vsvm_recv_fd(sv[1]);
			igt_info("child %d received the file as fd %d\n",
				 getpid(), dfd);
		}
		isolation_child(dfd, &p);
	}
	if (scm_rights)
		vsvm_send_fd(sv[0], fd);
	igt_waitchildren();
	close(sv[0]);
	close(sv[1]);

	/* The parent's memory and VM are as they were. */
	check_u32(p.buf, size, 41);
	igt_assert_eq_u64(submit(c.queue, p.code, p.code_size,
				 to_user_pointer(&fa), sizeof(fa), fa.n),
			  p.seqno + 1);
	vsvm_wait_ok(fd, c.queue, p.seqno + 1);
	for (uint64_t i = 0; i < size / 8; i++)
		igt_assert_eq_u64(((uint64_t *)p.buf)[i], fill_value(0xabcdef, i));

	/* The child's job filled the BO; the BO-only VM works on. */
	check_fill(out, ISO_BO_SIZE, ISO_CHILD_SEED);
	iso_fill_bo(&p, 0x5eed2);
	check_fill(out, ISO_BO_SIZE, 0x5eed2);

	ctx_fini(&p.bo);
	ctx_fini(&c);
	munmap(out, ISO_BO_SIZE);
	free(code);
	munmap(p.buf, size);
}

/* Counters a fault changes, read before and after a step. */
struct fault_stats {
	int64_t faults, ptes_4k, ptes_2m, pages, ranges;
};

static struct fault_stats fault_stats(void)
{
	return (struct fault_stats){
		.faults = vsvm_counter(fd, "faults"),
		.ptes_4k = vsvm_counter(fd, "fault_ptes_4k"),
		.ptes_2m = vsvm_counter(fd, "fault_ptes_2m"),
		.pages = vsvm_counter(fd, "fault_pages"),
		.ranges = vsvm_counter(fd, "ranges_created"),
	};
}

static void check_fault_stats(const struct fault_stats *before,
			      int64_t faults, int64_t ptes_4k,
			      int64_t ptes_2m, int64_t pages, int64_t ranges)
{
	struct fault_stats now = fault_stats();

	igt_info("faults +%" PRId64 ", 4K PTEs +%" PRId64 ", 2M PTEs +%" PRId64
		 ", pages +%" PRId64 ", ranges +%" PRId64 "\n",
		 now.faults - before->faults, now.ptes_4k - before->ptes_4k,
		 now.ptes_2m - before->ptes_2m, now.pages - before->pages,
		 now.ranges - before->ranges);
	igt_assert_eq_s64(now.faults - before->faults, faults);
	igt_assert_eq_s64(now.ptes_4k - before->ptes_4k, ptes_4k);
	igt_assert_eq_s64(now.ptes_2m - before->ptes_2m, ptes_2m);
	igt_assert_eq_s64(now.pages - before->pages, pages);
	igt_assert_eq_s64(now.ranges - before->ranges, ranges);
}

static void check_range(uint64_t addr, uint64_t start, uint64_t end,
			uint64_t ptes_4k, uint64_t ptes_2m)
{
	struct svm_range r;

	igt_assert_f(find_range(addr, &r), "no SVM range holds %#" PRIx64 "\n",
		     addr);
	log_range("debugfs vms", &r);
	igt_assert_eq_u64(r.start, start);
	igt_assert_eq_u64(r.end, end);
	igt_assert_eq_u64(r.ptes_4k, ptes_4k);
	igt_assert_eq_u64(r.ptes_2m, ptes_2m);
	igt_assert(!r.unmapped);
}

static bool thp_enabled(void)
{
	char buf[128] = "";
	int f = open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY);

	if (f < 0)
		return false;
	igt_assert_lte(0, read(f, buf, sizeof(buf) - 1));
	close(f);
	return strstr(buf, "[always]") || strstr(buf, "[madvise]");
}

/*
 * A 2 MiB-aligned 2 MiB buffer, filled by the CPU, backed by a transparent
 * huge page if @huge, else by 4 KiB pages.
 */
static uint8_t *map_touched_2m(bool huge, uint32_t seed)
{
	uint8_t *buf = map_aligned_2m(SZ_2M);

	if (huge)
		igt_require_f(thp_enabled(), "transparent huge pages disabled\n");
	igt_assert_eq(madvise(buf, SZ_2M, huge ? MADV_HUGEPAGE :
			      MADV_NOHUGEPAGE), 0);
	fill_u32(buf, SZ_2M, seed);
	if (huge)
		igt_require_f(anon_huge_kb(buf) >= 2048,
			      "no huge page behind %p\n", buf);
	else
		igt_assert_eq_u64(anon_huge_kb(buf), 0);
	return buf;
}

/*
 * Reads one word from each 4 KiB page of a 2 MiB buffer in one fault: a
 * huge page gets a single 2 MiB PTE, 4 KiB pages 512 PTEs, and the SVM
 * range is the aligned 2 MiB chunk.
 */
static void test_fault_2m(bool huge)
{
	uint8_t *buf = map_touched_2m(huge, 51);
	uint64_t a = to_user_pointer(buf), code, out_va, *out;
	uint32_t code_size;
	struct strided_args args;
	struct fault_stats before;
	struct svm_range r;
	struct ctx c;

	ctx_init(&c, true);
	code = ctx_code(&c, gather_src, &code_size);
	out_va = ctx_bo(&c, SZ_4K, (void **)&out);
	args = (struct strided_args){ a + 8, out_va, 512, 4096 };

	before = fault_stats();
	ctx_run_1wg(&c, code, code_size, &args, sizeof(args), 512);
	if (huge)
		check_fault_stats(&before, 1, 0, 1, 512, 1);
	else
		check_fault_stats(&before, 1, 512, 0, 512, 1);
	check_range(a, a, a + SZ_2M, huge ? 0 : 512, huge ? 1 : 0);
	igt_assert(find_range(a, &r));
	igt_assert_eq_u64(r.faults, 1);
	igt_assert_eq_u64(r.last, a + 8);
	for (int i = 0; i < 512; i++)
		igt_assert_eq_u64(out[i], *(uint64_t *)(buf + 4096ull * i + 8));

	/* Mapped now: reading it again takes no fault. */
	before = fault_stats();
	ctx_run_1wg(&c, code, code_size, &args, sizeof(args), 512);
	check_fault_stats(&before, 0, 0, 0, 0, 0);

	ctx_fini(&c);
	munmap(out, SZ_4K);
	munmap(buf, SZ_2M);
}

/* A page whose VMA is just that page: one range, one 4 KiB PTE. */
static void test_fault_4k(void)
{
	uint8_t *guard, *page = map_lonely(SZ_4K, &guard);
	uint64_t a = to_user_pointer(page), code, out_va, *out;
	uint32_t code_size;
	struct strided_args args;
	struct fault_stats before;
	struct svm_range r;
	struct ctx c;

	fill_u32(page, SZ_4K, 52);
	ctx_init(&c, true);
	code = ctx_code(&c, gather_src, &code_size);
	out_va = ctx_bo(&c, SZ_4K, (void **)&out);
	args = (struct strided_args){ a + 0x88, out_va, 16, 8 };

	before = fault_stats();
	ctx_run_1wg(&c, code, code_size, &args, sizeof(args), 16);
	check_fault_stats(&before, 1, 1, 0, 1, 1);
	check_range(a, a, a + SZ_4K, 1, 0);
	igt_assert(find_range(a, &r));
	igt_assert_eq_u64(r.last, a + 0x88);
	igt_assert_eq(memcmp(out, page + 0x88, 16 * 8), 0);

	ctx_fini(&c);
	munmap(out, SZ_4K);
	munmap(guard, 3 * SZ_4K);
}

/*
 * Checks that debugfs fault_latency moved by exactly @n[size] faults of each
 * PTE size since @before, and, for a size that moved by one fault, that the
 * bucket it went to holds the time its sum grew by.
 */
static void check_fault_latency(const struct vsvm_fault_latency *before,
				const int64_t n[2], const char *step)
{
	static const char *const size_name[2] = { "4 KiB", "2 MiB" };
	struct vsvm_fault_latency now;

	vsvm_fault_latency_read(fd, &now);
	igt_assert_eq(now.n_buckets, before->n_buckets);
	for (int s = 0; s < 2; s++) {
		int64_t total = 0, dsum = now.sum_ns[s] - before->sum_ns[s];
		int moved = -1;

		for (int b = 0; b < now.n_buckets; b++) {
			int64_t d = now.count[s][b] - before->count[s][b];

			igt_assert_lte(0, d);
			if (d)
				moved = b;
			total += d;
		}
		igt_info("%s: %s faults +%" PRId64 " (expected %" PRId64
			 "), time +%" PRId64 " ns, last bucket moved %d\n",
			 step, size_name[s], total, n[s], dsum, moved);
		igt_assert_eq_s64(total, n[s]);
		igt_assert_eq(dsum > 0, n[s] > 0);
		if (n[s] == 1) {
			uint64_t lo = moved ? now.lt_ns[moved - 1] : 0;

			igt_assert_lte_u64(lo, dsum);
			igt_assert_f((uint64_t)dsum < now.lt_ns[moved],
				     "%" PRId64 " ns counted under %" PRIu64 "\n",
				     dsum, now.lt_ns[moved]);
		}
	}
}

/*
 * Faults of known page sizes, each checked against debugfs fault_latency:
 * a transparent huge page (one 2 MiB PTE), a 2 MiB chunk of 4 KiB pages
 * (512 PTEs, still one fault), a page alone in its VMA, a run on memory
 * already mapped (no fault), and PREFETCH of another huge page, serviced
 * in the caller's context rather than by the fault worker.
 */
static void test_fault_latency(void)
{
	uint8_t *thp = map_touched_2m(true, 54), *small = map_touched_2m(false, 55);
	uint8_t *thp2 = map_touched_2m(true, 56), *guard, *page = map_lonely(SZ_4K, &guard);
	struct vsvm_fault_latency before;
	struct strided_args args;
	uint64_t code, out_va, *out;
	uint32_t code_size;
	struct ctx c;

	fill_u32(page, SZ_4K, 57);
	ctx_init(&c, true);
	code = ctx_code(&c, gather_src, &code_size);
	out_va = ctx_bo(&c, SZ_4K, (void **)&out);

	vsvm_fault_latency_read(fd, &before);
	args = (struct strided_args){ to_user_pointer(thp), out_va, 512, 4096 };
	ctx_run_1wg(&c, code, code_size, &args, sizeof(args), 512);
	for (int i = 0; i < 512; i++)
		igt_assert_eq_u64(out[i], *(uint64_t *)(thp + 4096ull * i));
	check_fault_latency(&before, (int64_t[2]){ 0, 1 }, "huge page");

	vsvm_fault_latency_read(fd, &before);
	args.ptr0 = to_user_pointer(small);
	ctx_run_1wg(&c, code, code_size, &args, sizeof(args), 512);
	for (int i = 0; i < 512; i++)
		igt_assert_eq_u64(out[i], *(uint64_t *)(small + 4096ull * i));
	check_fault_latency(&before, (int64_t[2]){ 1, 0 }, "4 KiB pages");

	vsvm_fault_latency_read(fd, &before);
	args = (struct strided_args){ to_user_pointer(page), out_va, 16, 8 };
	ctx_run_1wg(&c, code, code_size, &args, sizeof(args), 16);
	igt_assert_eq(memcmp(out, page, 16 * 8), 0);
	check_fault_latency(&before, (int64_t[2]){ 1, 0 }, "lonely page");

	vsvm_fault_latency_read(fd, &before);
	ctx_run_1wg(&c, code, code_size, &args, sizeof(args), 16);
	check_fault_latency(&before, (int64_t[2]){ 0, 0 }, "mapped");

	if (svm_caps & DRM_VSVM_SVM_CAP_PREFETCH) {
		vsvm_fault_latency_read(fd, &before);
		vsvm_prefetch(fd, c.vm, to_user_pointer(thp2), SZ_2M, 0);
		check_fault_latency(&before, (int64_t[2]){ 0, 1 }, "prefetch");
	}

	ctx_fini(&c);
	munmap(out, SZ_4K);
	munmap(guard, 3 * SZ_4K);
	munmap(thp, SZ_2M);
	munmap(small, SZ_2M);
	munmap(thp2, SZ_2M);
}

/*
 * GPU reads do not break copy-on-write: after fork, the parent's GPU read
 * maps the page still shared with the child, read-only. A GPU write then
 * faults for writing and gives the parent a private copy; the child's view
 * never changes.
 */
static void test_fault_cow(void)
{
	const uint64_t size = 16 * SZ_4K;
	uint8_t *buf = map_anon(size, PROT_READ | PROT_WRITE);
	uint64_t code, fill, out_va, *out;
	uint32_t code_size, fill_size;
	struct strided_args args;
	struct watcher w;
	int64_t faults;
	struct ctx c;

	fill_u32(buf, size, 53);
	ctx_init(&c, true);
	code = ctx_code(&c, gather_src, &code_size);
	fill = ctx_code(&c, fill_src, &fill_size);
	out_va = ctx_bo(&c, size, (void **)&out);
	pfn_of(getpid(), buf);	/* skips now, not with a child running */
	watcher_start(&w, buf, size, 53);
	for (uint64_t off = 0; off < size; off += SZ_4K)
		igt_assert_eq_u64(pfn_of(getpid(), buf + off),
				  pfn_of(w.pid, buf + off));

	args = (struct strided_args){ to_user_pointer(buf), out_va, size / 8, 8 };
	ctx_run(&c, code, code_size, &args, sizeof(args), size / 8);
	igt_assert_eq(memcmp(out, buf, size), 0);
	for (uint64_t off = 0; off < size; off += SZ_4K)
		igt_assert_f(pfn_of(getpid(), buf + off) ==
			     pfn_of(w.pid, buf + off),
			     "a GPU read broke COW at %p\n", buf + off);
	igt_assert(watcher_sees_pattern(&w));

	faults = vsvm_counter(fd, "faults");
	args.ptr1 = 0x5eed;
	ctx_run(&c, fill, fill_size, &args, sizeof(args), size / 8);
	igt_assert_lt(faults, vsvm_counter(fd, "faults"));
	for (uint64_t i = 0; i < size / 8; i++)
		igt_assert_eq_u64(((uint64_t *)buf)[i], fill_value(0x5eed, i));
	for (uint64_t off = 0; off < size; off += SZ_4K)
		igt_assert_f(pfn_of(getpid(), buf + off) !=
			     pfn_of(w.pid, buf + off),
			     "a GPU write did not break COW at %p\n",
			     buf + off);
	igt_assert_f(watcher_sees_pattern(&w),
		     "the parent's GPU write reached the child\n");
	watcher_stop(&w);

	ctx_fini(&c);
	munmap(out, size);
	munmap(buf, size);
}

/*
 * Faults that cannot be serviced: write to a read-only mapping, any access
 * to PROT_NONE, an address with no mapping. Each job reports the status,
 * access, exact address and instruction; PREFETCH returns the errno a job
 * would carry.
 */
static void test_fault_permissions(void)
{
	uint8_t *ro = map_anon(2 * SZ_4K, PROT_READ);
	uint8_t *none = map_anon(2 * SZ_4K, PROT_NONE);
	uint8_t *hole = map_anon(3 * SZ_4K, PROT_READ | PROT_WRITE) + SZ_4K;
	uint64_t load, store, gather, out_va, *out;
	uint32_t load_size, store_size, gather_size;
	struct poke_args poke = { .value = 0x11223344 };
	struct strided_args args;
	struct ctx c;

	ctx_init(&c, true);
	load = ctx_code(&c, load_src, &load_size);
	store = ctx_code(&c, store_src, &store_size);
	gather = ctx_code(&c, gather_src, &gather_size);
	out_va = ctx_bo(&c, SZ_4K, (void **)&out);
	/*
	 * The hole is made last: a lasting mapping made later (the BO's
	 * above) could land in it. Argument BOs are mapped only briefly,
	 * never while a job runs.
	 */
	igt_assert_eq(munmap(hole, SZ_4K), 0);

	/* Read-only: reads work, writes fault. */
	poke.addr = to_user_pointer(ro + 0x1124);
	ctx_run(&c, load, load_size, &poke, sizeof(poke), 1);
	expect_fault(&c, store, store_size, &poke, sizeof(poke),
		     DRM_VSVM_STATUS_READ_ONLY, DRM_VSVM_ACCESS_WRITE,
		     poke.addr, STORE_PC);
	check_zero(ro, 2 * SZ_4K);

	poke.addr = to_user_pointer(none + 0x1008);
	expect_fault(&c, load, load_size, &poke, sizeof(poke),
		     DRM_VSVM_STATUS_NO_ACCESS, DRM_VSVM_ACCESS_READ,
		     poke.addr, LOAD_PC);
	expect_fault(&c, store, store_size, &poke, sizeof(poke),
		     DRM_VSVM_STATUS_NO_ACCESS, DRM_VSVM_ACCESS_WRITE,
		     poke.addr, STORE_PC);

	poke.addr = to_user_pointer(hole + 0x7fc);
	expect_fault(&c, load, load_size, &poke, sizeof(poke),
		     DRM_VSVM_STATUS_NO_VMA, DRM_VSVM_ACCESS_READ, poke.addr,
		     LOAD_PC);
	expect_fault(&c, store, store_size, &poke, sizeof(poke),
		     DRM_VSVM_STATUS_NO_VMA, DRM_VSVM_ACCESS_WRITE, poke.addr,
		     STORE_PC);

	/* A NULL pointer is an address with no mapping too. */
	poke.addr = 0x10;
	expect_fault(&c, load, load_size, &poke, sizeof(poke),
		     DRM_VSVM_STATUS_NO_VMA, DRM_VSVM_ACCESS_READ, 0x10,
		     LOAD_PC);

	check_err(__vsvm_prefetch(fd, c.vm, to_user_pointer(ro), 2 * SZ_4K, 0),
		  0, "PREFETCH of read-only memory");
	check_err(__vsvm_prefetch(fd, c.vm, to_user_pointer(ro), 2 * SZ_4K,
				  DRM_VSVM_PREFETCH_WRITE), -EACCES,
		  "PREFETCH_WRITE of read-only memory");
	check_err(__vsvm_prefetch(fd, c.vm, to_user_pointer(none), SZ_4K, 0),
		  -EACCES, "PREFETCH of PROT_NONE memory");
	check_err(__vsvm_prefetch(fd, c.vm, to_user_pointer(hole), SZ_4K, 0),
		  -EFAULT, "PREFETCH of unmapped memory");

	/* Failed jobs leave the queue working. */
	args = (struct strided_args){ to_user_pointer(ro), out_va, 16, 8 };
	ctx_run(&c, gather, gather_size, &args, sizeof(args), 16);
	check_zero(out, 16 * 8);

	ctx_fini(&c);
	munmap(out, SZ_4K);
	munmap(ro, 2 * SZ_4K);
	munmap(none, 2 * SZ_4K);
	munmap(hole - SZ_4K, 3 * SZ_4K);
}

/*
 * PREFETCH services the faults a job would take: afterwards the job takes
 * none. Memory the CPU wrote is mapped writable even by a read prefetch
 * (the CPU's PTEs are); memory never touched gets the zero page read-only
 * unless the prefetch asks for write.
 */
static void test_prefetch(void)
{
	const uint64_t size = SZ_1M, n = size / SZ_4K;
	uint8_t *g[3], *buf = map_lonely(size, &g[0]);
	/*
	 * Kept apart: a fault maps its whole range, and a range would span
	 * both buffers if their VMAs merged.
	 */
	uint8_t *fresh = map_lonely(size, &g[1]);
	uint8_t *fresh_w = map_lonely(size, &g[2]);
	uint64_t gather, fill, out_va, *out;
	uint32_t gather_size, fill_size;
	struct strided_args args;
	int64_t faults, pages;
	struct ctx c;

	fill_u32(buf, size, 61);
	ctx_init(&c, true);
	gather = ctx_code(&c, gather_src, &gather_size);
	fill = ctx_code(&c, fill_src, &fill_size);
	out_va = ctx_bo(&c, n * 8, (void **)&out);

	pages = vsvm_counter(fd, "prefetch_pages");
	vsvm_prefetch(fd, c.vm, to_user_pointer(buf), size, 0);
	igt_assert_eq_s64(vsvm_counter(fd, "prefetch_pages") - pages, n);

	faults = vsvm_counter(fd, "faults");
	args = (struct strided_args){ to_user_pointer(buf) + 24, out_va, n,
				      SZ_4K };
	ctx_run(&c, gather, gather_size, &args, sizeof(args), n);
	for (uint64_t i = 0; i < n; i++)
		igt_assert_eq_u64(out[i], *(uint64_t *)(buf + i * SZ_4K + 24));
	args.ptr0 = to_user_pointer(buf) + 40;
	args.ptr1 = 0x6161;
	ctx_run(&c, fill, fill_size, &args, sizeof(args), n);
	igt_assert_eq_s64(vsvm_counter(fd, "faults"), faults);
	for (uint64_t i = 0; i < n; i++)
		igt_assert_eq_u64(*(uint64_t *)(buf + i * SZ_4K + 40),
				  fill_value(0x6161, i));

	/* Never touched, prefetched for writing: no fault either. */
	vsvm_prefetch(fd, c.vm, to_user_pointer(fresh_w), size,
		      DRM_VSVM_PREFETCH_WRITE);
	args.ptr0 = to_user_pointer(fresh_w);
	ctx_run(&c, fill, fill_size, &args, sizeof(args), n);
	igt_assert_eq_s64(vsvm_counter(fd, "faults"), faults);

	/* Never touched, prefetched for reading: zeros, and writes fault. */
	vsvm_prefetch(fd, c.vm, to_user_pointer(fresh), size, 0);
	args.ptr0 = to_user_pointer(fresh);
	args.ptr1 = out_va;
	memset(out, 0xa5, n * 8);
	ctx_run(&c, gather, gather_size, &args, sizeof(args), n);
	check_zero(out, n * 8);
	igt_assert_eq_s64(vsvm_counter(fd, "faults"), faults);
	args.ptr1 = 0x6262;
	ctx_run(&c, fill, fill_size, &args, sizeof(args), n);
	igt_assert_lt(faults, vsvm_counter(fd, "faults"));

	for (uint64_t i = 0; i < n; i++) {
		igt_assert_eq_u64(*(uint64_t *)(fresh_w + i * SZ_4K),
				  fill_value(0x6161, i));
		igt_assert_eq_u64(*(uint64_t *)(fresh + i * SZ_4K),
				  fill_value(0x6262, i));
		check_zero(fresh + i * SZ_4K + 8, SZ_4K - 8);
	}

	ctx_fini(&c);
	munmap(out, n * 8);
	for (int i = 0; i < 3; i++)
		munmap(g[i], size + 2 * SZ_4K);
}

/*
 * Pages the parent and the child still share after fork, out of @n from
 * @buf; @expect_private[i] says which must have been copied.
 */
static void check_cow_pages(const struct watcher *w, uint8_t *buf, unsigned int n,
			    const bool *expect_private, const char *what)
{
	for (unsigned int i = 0; i < n; i++) {
		bool private = pfn_of(getpid(), buf + i * SZ_4K) !=
			       pfn_of(w->pid, buf + i * SZ_4K);

		igt_assert_f(private == expect_private[i],
			     "%s: page %u is %s, expected %s\n", what, i,
			     private ? "private" : "shared",
			     expect_private[i] ? "private" : "shared");
	}
}

/*
 * After fork, a GPU write copies exactly the page it writes: the rest of
 * the chunk the fault maps stays shared with the child, read-only.
 */
static void test_fault_write_cow_page(void)
{
	const unsigned int n = 16, victim = 5;
	uint8_t *buf = map_anon(n * SZ_4K, PROT_READ | PROT_WRITE);
	bool expect[16] = { [victim] = true };
	struct strided_args args;
	uint32_t fill_size;
	struct watcher w;
	uint64_t fill;
	struct ctx c;

	fill_u32(buf, n * SZ_4K, 71);
	ctx_init(&c, true);
	fill = ctx_code(&c, fill_src, &fill_size);
	pfn_of(getpid(), buf);	/* skips now, not with a child running */
	watcher_start(&w, buf, n * SZ_4K, 71);

	args = (struct strided_args){ to_user_pointer(buf + victim * SZ_4K), 0x7171,
				      SZ_4K / 8, 8 };
	ctx_run(&c, fill, fill_size, &args, sizeof(args), SZ_4K / 8);
	for (uint64_t i = 0; i < SZ_4K / 8; i++)
		igt_assert_eq_u64(((uint64_t *)(buf + victim * SZ_4K))[i],
				  fill_value(0x7171, i));
	check_cow_pages(&w, buf, n, expect, "one-page GPU write");
	igt_assert(watcher_sees_pattern(&w));
	watcher_stop(&w);

	ctx_fini(&c);
	munmap(buf, n * SZ_4K);
}

/* After fork, PREFETCH_WRITE copies exactly the pages of its range. */
static void test_prefetch_write_cow_partial(void)
{
	const unsigned int n = 16, first = 4, count = 3;
	uint8_t *buf = map_anon(n * SZ_4K, PROT_READ | PROT_WRITE);
	bool expect[16] = { false };
	struct watcher w;
	struct ctx c;

	for (unsigned int i = first; i < first + count; i++)
		expect[i] = true;
	fill_u32(buf, n * SZ_4K, 72);
	ctx_init(&c, true);
	pfn_of(getpid(), buf);	/* skips now, not with a child running */
	watcher_start(&w, buf, n * SZ_4K, 72);

	vsvm_prefetch(fd, c.vm, to_user_pointer(buf + first * SZ_4K), count * SZ_4K,
		      DRM_VSVM_PREFETCH_WRITE);
	check_cow_pages(&w, buf, n, expect, "PREFETCH_WRITE of 3 pages");
	check_u32(buf, n * SZ_4K, 72);
	igt_assert(watcher_sees_pattern(&w));
	watcher_stop(&w);

	ctx_fini(&c);
	munmap(buf, n * SZ_4K);
}

/*
 * After fork, a read PREFETCH keeps the pages shared with the child; a
 * PREFETCH_WRITE breaks COW up front, so the GPU write that follows takes
 * no fault and stays private to the parent.
 */
static void test_prefetch_write_cow(void)
{
	const uint64_t size = 16 * SZ_4K;
	uint8_t *buf = map_anon(size, PROT_READ | PROT_WRITE);
	struct strided_args args;
	uint32_t fill_size;
	struct watcher w;
	uint64_t fill;
	int64_t faults;
	struct ctx c;

	fill_u32(buf, size, 62);
	ctx_init(&c, true);
	fill = ctx_code(&c, fill_src, &fill_size);
	pfn_of(getpid(), buf);	/* skips now, not with a child running */
	watcher_start(&w, buf, size, 62);

	vsvm_prefetch(fd, c.vm, to_user_pointer(buf), size, 0);
	for (uint64_t off = 0; off < size; off += SZ_4K)
		igt_assert_f(pfn_of(getpid(), buf + off) ==
			     pfn_of(w.pid, buf + off),
			     "a read PREFETCH broke COW at %p\n", buf + off);

	vsvm_prefetch(fd, c.vm, to_user_pointer(buf), size,
		      DRM_VSVM_PREFETCH_WRITE);
	for (uint64_t off = 0; off < size; off += SZ_4K)
		igt_assert_f(pfn_of(getpid(), buf + off) !=
			     pfn_of(w.pid, buf + off),
			     "PREFETCH_WRITE did not break COW at %p\n",
			     buf + off);
	check_u32(buf, size, 62);
	igt_assert(watcher_sees_pattern(&w));

	faults = vsvm_counter(fd, "faults");
	args = (struct strided_args){ to_user_pointer(buf), 0x6363, size / 8, 8 };
	ctx_run(&c, fill, fill_size, &args, sizeof(args), size / 8);
	igt_assert_eq_s64(vsvm_counter(fd, "faults"), faults);
	for (uint64_t i = 0; i < size / 8; i++)
		igt_assert_eq_u64(((uint64_t *)buf)[i], fill_value(0x6363, i));
	igt_assert_f(watcher_sees_pattern(&w),
		     "the parent's GPU write reached the child\n");
	watcher_stop(&w);

	ctx_fini(&c);
	munmap(buf, size);
}

/* PREFETCH serves mirrors only. */
static void test_prefetch_outside_mirror(void)
{
	uint8_t *buf = map_anon(SZ_1M, PROT_READ | PROT_WRITE);
	uint64_t a = to_user_pointer(buf), half = SZ_1M / 2, bo_va, up_va;
	struct ctx c;

	ctx_init(&c, false);
	vsvm_vm_map_mirror(fd, c.vm, a, half);
	bo_va = ctx_bo(&c, SZ_64K, NULL);
	up_va = ctx_va(&c, half);
	vsvm_vm_map_userptr(fd, c.vm, buf + half, up_va, half, 0);

	check_err(__vsvm_prefetch(fd, c.vm, a, half, 0), 0, "the mirror");
	check_err(__vsvm_prefetch(fd, c.vm, a + half - SZ_4K, 2 * SZ_4K, 0),
		  -EFAULT, "across the mirror's end");
	check_err(__vsvm_prefetch(fd, c.vm, a + half, SZ_4K, 0), -EFAULT,
		  "just past the mirror");
	check_err(__vsvm_prefetch(fd, c.vm, a, SZ_1M, 0), -EFAULT,
		  "a range twice the mirror");
	check_err(__vsvm_prefetch(fd, c.vm, bo_va, SZ_4K, 0), -EFAULT,
		  "a BO binding");
	check_err(__vsvm_prefetch(fd, c.vm, up_va, SZ_4K, 0), -EFAULT,
		  "a userptr binding");
	check_err(__vsvm_prefetch(fd, c.vm, up_va + half, SZ_4K, 0), -EFAULT,
		  "nothing bound");
	check_err(__vsvm_prefetch(fd, c.vm, a, half, DRM_VSVM_PREFETCH_WRITE),
		  0, "the mirror, for writing");

	ctx_fini(&c);
	munmap(buf, SZ_1M);
}

/*
 * munmap of GPU-mapped memory: the UNMAP invalidation zaps the PTEs at
 * once, the GC worker then removes the range, and the GPU finds nothing.
 */
static void test_inval_munmap(void)
{
	uint8_t *buf = map_touched_2m(false, 71);
	uint64_t a = to_user_pointer(buf), gather, load, out_va, *out;
	uint32_t gather_size, load_size;
	int64_t unmaps, gcs, ranges;
	struct strided_args args;
	struct poke_args poke = { .addr = a + 0x1230 };
	struct ctx c;

	ctx_init(&c, true);
	gather = ctx_code(&c, gather_src, &gather_size);
	load = ctx_code(&c, load_src, &load_size);
	out_va = ctx_bo(&c, SZ_4K, (void **)&out);
	args = (struct strided_args){ a, out_va, 512, SZ_4K };
	ctx_run(&c, gather, gather_size, &args, sizeof(args), 512);
	check_range(a, a, a + SZ_2M, 512, 0);

	unmaps = vsvm_counter(fd, "inval_unmap");
	gcs = vsvm_counter(fd, "gc_ranges");
	ranges = live_objects("svm_range");
	igt_assert_eq(munmap(buf, SZ_2M), 0);
	igt_assert_lt(unmaps, vsvm_counter(fd, "inval_unmap"));
	wait_range_gone(a);
	igt_assert_lt(gcs, vsvm_counter(fd, "gc_ranges"));
	igt_assert_eq_s64(live_objects("svm_range"), ranges - 1);

	expect_fault(&c, load, load_size, &poke, sizeof(poke),
		     DRM_VSVM_STATUS_NO_VMA, DRM_VSVM_ACCESS_READ, poke.addr,
		     LOAD_PC);
	ctx_fini(&c);
	munmap(out, SZ_4K);
}

/*
 * mprotect: the PROTECTION invalidation zaps the writable PTEs; the GPU
 * may then read but not write, until the CPU allows it again.
 */
static void test_inval_mprotect(void)
{
	const uint64_t size = SZ_64K, n = size / SZ_4K;
	uint8_t *guard, *buf = map_lonely(size, &guard);
	uint64_t a = to_user_pointer(buf), fill, gather, store, out_va, *out;
	uint32_t fill_size, gather_size, store_size;
	struct poke_args poke = { .addr = a + 0x2468, .value = 1 };
	struct strided_args args;
	struct svm_range r;
	int64_t prots;
	uint64_t seq;
	struct ctx c;

	ctx_init(&c, true);
	fill = ctx_code(&c, fill_src, &fill_size);
	gather = ctx_code(&c, gather_src, &gather_size);
	store = ctx_code(&c, store_src, &store_size);
	out_va = ctx_bo(&c, SZ_4K, (void **)&out);
	memset(buf, 0, size);
	args = (struct strided_args){ a, 0x7171, n, SZ_4K };
	ctx_run(&c, fill, fill_size, &args, sizeof(args), n);
	check_range(a, a, a + size, n, 0);
	igt_assert(find_range(a, &r));
	seq = r.seq;

	prots = vsvm_counter(fd, "inval_protection");
	igt_assert_eq(mprotect(buf, size, PROT_READ), 0);
	igt_assert_lt(prots, vsvm_counter(fd, "inval_protection"));
	check_range(a, a, a + size, 0, 0);
	/* The notifier's sequence moved: a fault in flight would retry. */
	igt_assert(find_range(a, &r));
	igt_assert_neq_u64(r.seq, seq);

	args = (struct strided_args){ a, out_va, n, SZ_4K };
	ctx_run(&c, gather, gather_size, &args, sizeof(args), n);
	for (uint64_t i = 0; i < n; i++)
		igt_assert_eq_u64(out[i], fill_value(0x7171, i));
	expect_fault(&c, store, store_size, &poke, sizeof(poke),
		     DRM_VSVM_STATUS_READ_ONLY, DRM_VSVM_ACCESS_WRITE,
		     poke.addr, STORE_PC);

	igt_assert_eq(mprotect(buf, size, PROT_READ | PROT_WRITE), 0);
	args = (struct strided_args){ a, 0x7272, n, SZ_4K };
	ctx_run(&c, fill, fill_size, &args, sizeof(args), n);
	for (uint64_t i = 0; i < n; i++) {
		igt_assert_eq_u64(*(uint64_t *)(buf + i * SZ_4K),
				  fill_value(0x7272, i));
		check_zero(buf + i * SZ_4K + 8, SZ_4K - 8);
	}
	igt_assert(find_range(a, &r));
	log_range("after the last write", &r);

	ctx_fini(&c);
	munmap(out, SZ_4K);
	munmap(guard, size + 2 * SZ_4K);
}

/*
 * MADV_DONTNEED drops the pages: the CLEAR invalidation zaps the GPU's
 * PTEs, the GPU then reads the zeros the CPU would, and later CPU writes.
 */
static void test_inval_dontneed(void)
{
	const uint64_t size = SZ_64K;
	uint8_t *guard, *buf = map_lonely(size, &guard);
	uint64_t a = to_user_pointer(buf), gather, out_va;
	uint32_t gather_size;
	struct strided_args args;
	struct svm_range r;
	int64_t clears;
	uint64_t seq;
	uint8_t *out;
	struct ctx c;

	ctx_init(&c, true);
	gather = ctx_code(&c, gather_src, &gather_size);
	out_va = ctx_bo(&c, size, (void **)&out);
	args = (struct strided_args){ a, out_va, size / 8, 8 };

	fill_u32(buf, size, 73);
	ctx_run(&c, gather, gather_size, &args, sizeof(args), size / 8);
	check_u32(out, size, 73);
	check_range(a, a, a + size, size / SZ_4K, 0);
	igt_assert(find_range(a, &r));
	seq = r.seq;

	clears = vsvm_counter(fd, "inval_clear");
	igt_assert_eq(madvise(buf, size, MADV_DONTNEED), 0);
	igt_assert_lt(clears, vsvm_counter(fd, "inval_clear"));
	check_range(a, a, a + size, 0, 0);
	igt_assert(find_range(a, &r));
	igt_assert_neq_u64(r.seq, seq);
	memset(out, 0xa5, size);
	ctx_run(&c, gather, gather_size, &args, sizeof(args), size / 8);
	check_zero(out, size);

	fill_u32(buf, size, 74);
	ctx_run(&c, gather, gather_size, &args, sizeof(args), size / 8);
	check_u32(out, size, 74);

	ctx_fini(&c);
	munmap(out, size);
	munmap(guard, size + 2 * SZ_4K);
}

/*
 * Unmapping the middle of a 2 MiB range destroys the range; what is left
 * on each side faults back in as new ranges clamped to the surviving
 * mappings, with the CPU's data intact, and the hole has no mapping.
 */
static void test_inval_partial_munmap(bool huge)
{
	uint8_t *buf = map_touched_2m(huge, 75);
	uint64_t a = to_user_pointer(buf), gather, load, out_va, *out;
	uint32_t gather_size, load_size;
	struct poke_args poke = { .addr = a + SZ_1M + 0x40 };
	struct strided_args args;
	int64_t unmaps;
	struct ctx c;

	ctx_init(&c, true);
	gather = ctx_code(&c, gather_src, &gather_size);
	load = ctx_code(&c, load_src, &load_size);
	out_va = ctx_bo(&c, SZ_4K, (void **)&out);
	args = (struct strided_args){ a + 16, out_va, 512, SZ_4K };
	ctx_run_1wg(&c, gather, gather_size, &args, sizeof(args), 512);
	check_range(a, a, a + SZ_2M, huge ? 0 : 512, huge ? 1 : 0);

	unmaps = vsvm_counter(fd, "inval_unmap");
	igt_assert_eq(munmap(buf + SZ_1M, SZ_1M / 2), 0);
	igt_assert_lt(unmaps, vsvm_counter(fd, "inval_unmap"));
	wait_range_gone(a);

	args = (struct strided_args){ a + 16, out_va, 256, SZ_4K };
	ctx_run_1wg(&c, gather, gather_size, &args, sizeof(args), 256);
	for (int i = 0; i < 256; i++)
		igt_assert_eq_u64(out[i], *(uint64_t *)(buf + SZ_4K * i + 16));
	check_range(a, a, a + SZ_1M, 256, 0);

	args = (struct strided_args){ a + 3 * SZ_1M / 2 + 16, out_va, 128,
				      SZ_4K };
	ctx_run_1wg(&c, gather, gather_size, &args, sizeof(args), 128);
	for (int i = 0; i < 128; i++)
		igt_assert_eq_u64(out[i], *(uint64_t *)(buf + 3 * SZ_1M / 2 +
							SZ_4K * i + 16));
	check_range(a + 3 * SZ_1M / 2, a + 3 * SZ_1M / 2, a + SZ_2M, 128, 0);

	expect_fault(&c, load, load_size, &poke, sizeof(poke),
		     DRM_VSVM_STATUS_NO_VMA, DRM_VSVM_ACCESS_READ, poke.addr,
		     LOAD_PC);
	check_u32(buf, SZ_1M, 75);

	ctx_fini(&c);
	munmap(out, SZ_4K);
	munmap(buf, SZ_1M);
	munmap(buf + 3 * SZ_1M / 2, SZ_1M / 2);
}

/*
 * The collision-retry path. A CPU thread keeps invalidating the memory the
 * GPU is faulting in (MADV_DONTNEED, or an mprotect() round trip), then
 * stamps every page again; each stamping write to a page the GPU fault
 * has just mapped to the zero page invalidates again. Word w of page p
 * holds tag(p, w, gen): every value a shader reads must be one the CPU
 * wrote there, or zero between a DONTNEED and the next stamp; anything
 * else would come from a stale or foreign page.
 */
struct churn {
	uint64_t *buf;
	uint32_t npages;
	bool stop;
	uint32_t gen;		/* last generation written, or being written */
	uint64_t dontneeds, mprotects;
};

static uint64_t tag(uint64_t p, uint64_t w, uint64_t gen)
{
	return (p + 1) << 48 | w << 32 | gen;
}

static void stamp(struct churn *ch, uint32_t gen)
{
	/* Published first: a reader may see the stamp before it is done. */
	__atomic_store_n(&ch->gen, gen, __ATOMIC_RELEASE);
	for (uint32_t p = 0; p < ch->npages; p++)
		for (uint32_t w = 0; w < SZ_4K / 8; w++)
			__atomic_store_n(&ch->buf[p * SZ_4K / 8 + w],
					 tag(p, w, gen), __ATOMIC_RELAXED);
}

static void *churn_thread(void *data)
{
	struct churn *ch = data;
	uint64_t size = ch->npages * SZ_4K;

	while (!__atomic_load_n(&ch->stop, __ATOMIC_RELAXED)) {
		uint32_t gen = ch->gen + 1;

		if (gen & 1) {
			igt_assert_eq(madvise(ch->buf, size, MADV_DONTNEED), 0);
			ch->dontneeds++;
		} else {
			igt_assert_eq(mprotect(ch->buf, size, PROT_READ), 0);
			igt_assert_eq(mprotect(ch->buf, size,
					       PROT_READ | PROT_WRITE), 0);
			ch->mprotects++;
		}
		stamp(ch, gen);
	}
	return NULL;
}

static void test_collision_retry(void)
{
	const uint32_t npages = 256, lanes = 128, iters = 32;
	const uint64_t size = npages * SZ_4K;
	uint8_t *guard, *buf = map_lonely(size, &guard);
	uint64_t hammer, out_va, *out;
	struct churn ch = { .buf = (uint64_t *)buf, .npages = npages };
	struct hammer_args args = {
		.buf = to_user_pointer(buf), .npages = npages,
		.iters = iters, .nlanes = lanes,
	};
	int64_t collisions, busy, timeouts, coll, retries = 0;
	uint64_t zeros = 0, jobs = 0;
	uint32_t hammer_size;
	pthread_t thread;
	struct ctx c;

	require_debugfs();
	stamp(&ch, 1);
	ctx_init(&c, true);
	hammer = ctx_code(&c, hammer_src, &hammer_size);
	out_va = ctx_bo(&c, lanes * iters * 8, (void **)&out);
	args.out = out_va;
	collisions = vsvm_counter(fd, "retry_collision");
	busy = vsvm_counter(fd, "retry_ebusy");
	timeouts = vsvm_counter(fd, "fault_retry_timeouts");

	igt_assert_eq(pthread_create(&thread, NULL, churn_thread, &ch), 0);
	for (;;) {
		memset(out, 0xee, lanes * iters * 8);
		ctx_run(&c, hammer, hammer_size, &args, sizeof(args), lanes);
		for (uint32_t k = 0; k < iters; k++) {
			for (uint32_t i = 0; i < lanes; i++) {
				uint32_t p = (i + 7 * k) % npages;
				uint32_t w = (13 * i + k) % 512;
				uint64_t v = out[k * lanes + i];
				uint32_t gen = v, last;

				if (!v) {
					zeros++;
					continue;
				}
				last = __atomic_load_n(&ch.gen,
						       __ATOMIC_ACQUIRE);
				igt_assert_f(v >> 32 == tag(p, w, 0) >> 32 &&
					     gen >= 1 && gen <= last,
					     "job %" PRIu64 ", lane %u, turn %u "
					     "read %#" PRIx64 " in page %u word "
					     "%u\n", jobs, i, k, v, p, w);
			}
		}
		/*
		 * Until the sequence check itself caught one (-EBUSY comes
		 * from inside hmm_range_fault() and is more frequent), with
		 * a bound: either kind shows the protocol at work.
		 */
		coll = vsvm_counter(fd, "retry_collision") - collisions;
		retries = coll + vsvm_counter(fd, "retry_ebusy") - busy;
		if ((++jobs >= 4 && coll) || jobs == 200)
			break;
	}
	__atomic_store_n(&ch.stop, true, __ATOMIC_RELAXED);
	pthread_join(thread, NULL);
	igt_info("%" PRIu64 " jobs, %" PRIu64 " DONTNEEDs, %" PRIu64
		 " mprotects, %" PRIu64 " zeros read; retries: %" PRId64
		 " collisions, %" PRId64 " -EBUSY\n", jobs, ch.dontneeds,
		 ch.mprotects, zeros, vsvm_counter(fd, "retry_collision") - collisions,
		 vsvm_counter(fd, "retry_ebusy") - busy);
	igt_assert_f(retries > 0, "no fault had to retry\n");
	igt_assert_lt_u64(zeros, jobs * lanes * iters);
	igt_assert_eq_s64(vsvm_counter(fd, "fault_retry_timeouts"), timeouts);

	ctx_fini(&c);
	munmap(out, lanes * iters * 8);
	munmap(guard, size + 2 * SZ_4K);
}

/*
 * Non-blockable invalidation. A victim process with 64 MiB of mirrored,
 * GPU-mapped memory and a shader running over it is killed through a pidfd
 * and reaped at once with process_mrelease(): the reaper unmaps the
 * victim's memory with mmu_notifier_invalidate_range_start_nonblock(),
 * which vsvm must honour (docs/svm.md). The victim's own exit races with
 * the reaper and sends blockable invalidations, so the kill is repeated
 * until the counters show the reaper reached vsvm.
 */
#define VICTIM_SIZE	(64ull << 20)

enum victim_step {
	VICTIM_MMAP = 10, VICTIM_OPEN, VICTIM_VM, VICTIM_PREFETCH, VICTIM_EXEC,
	VICTIM_START, VICTIM_READY,
};

/* Runs in a plain fork()ed child: no IGT assertions, exit codes instead. */
static void __attribute__((noreturn))
victim(int ready, const void *code, uint32_t code_size)
{
	static struct vsvm_spin_args args;
	static uint64_t flags[2];
	struct drm_vsvm_exec exec;
	uint32_t vm, queue;
	char path[64];
	uint8_t *buf;
	int vfd;

	buf = mmap(NULL, VICTIM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		_exit(VICTIM_MMAP);
	memset(buf, 0x3c, VICTIM_SIZE);

	/* A file of its own, closed by its death. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	vfd = open(path, O_RDWR);
	if (vfd < 0)
		_exit(VICTIM_OPEN);
	if (__vsvm_vm_create(vfd, DRM_VSVM_VM_CREATE_SVM, &vm) ||
	    __vsvm_vm_map_mirror(vfd, vm, 0, mirror_end) ||
	    __vsvm_queue_create(vfd, vm, &queue))
		_exit(VICTIM_VM);
	if (__vsvm_prefetch(vfd, vm, to_user_pointer(buf), VICTIM_SIZE,
			    DRM_VSVM_PREFETCH_WRITE))
		_exit(VICTIM_PREFETCH);

	args = (struct vsvm_spin_args){
		.flag = to_user_pointer(&flags[0]),
		.started = to_user_pointer(&flags[1]),
		.buf = to_user_pointer(buf), .npages = VICTIM_SIZE / SZ_4K,
	};
	vsvm_exec_init(&exec, queue, to_user_pointer(code), code_size);
	exec.args_addr = to_user_pointer(&args);
	exec.args_size = sizeof(args);
	exec.wg_size[0] = WG_LANES;
	exec.grid[0] = 4;
	if (__vsvm_exec(vfd, &exec))
		_exit(VICTIM_EXEC);
	for (int i = 0; !__atomic_load_n(&flags[1], __ATOMIC_ACQUIRE); i++) {
		if (i == vsvm_scaled_limit(20000))
			_exit(VICTIM_START);
		usleep(1000);
	}
	if (write(ready, "r", 1) != 1)
		_exit(VICTIM_READY);
	for (;;)
		pause();
}

/* Kills one victim; returns how many non-blockable invalidations it took. */
static int64_t kill_victim(int attempt, const void *code, uint32_t code_size)
{
	int64_t honoured;
	int ready[2], status;
	long ret;
	pid_t pid;
	char c;

	igt_assert_eq(pipe(ready), 0);
	fflush(NULL);
	pid = fork();
	igt_assert_lte(0, pid);
	if (!pid) {
		close(ready[0]);
		victim(ready[1], code, code_size);
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1) {
		igt_assert_eq(waitpid(pid, &status, 0), pid);
		igt_assert_f(false, "the victim failed: status %#x\n", status);
	}
	close(ready[0]);
	honoured = vsvm_counter(fd, "inval_nonblock_honoured");
	ret = vsvm_kill_and_mrelease(pid);
	/* ESRCH: the victim's exit had already released its memory. */
	igt_assert_f(!ret || ret == -ESRCH, "process_mrelease: %s\n", strerror(-ret));
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	honoured = vsvm_counter(fd, "inval_nonblock_honoured") - honoured;
	igt_info("kill %d: process_mrelease %s, %" PRId64
		 " non-blockable invalidations honoured\n", attempt,
		 ret ? "ESRCH" : "0", honoured);
	return honoured;
}

static void test_inval_nonblock(void)
{
	int64_t honoured, ns, max_ns;
	char *baseline;
	uint32_t code_size;
	void *code;
	int attempt;

	require_debugfs();
	baseline = vsvm_objects_baseline(fd);
	honoured = vsvm_counter(fd, "inval_nonblock_honoured");
	ns = vsvm_counter(fd, "inval_nonblock_ns");
	code = code_malloc(vsvm_spin_src, &code_size);
	for (attempt = 1; attempt <= 10; attempt++)
		if (kill_victim(attempt, code, code_size) > 0)
			break;
	igt_assert_f(attempt <= 10, "the reaper never reached vsvm: every "
		     "victim's own exit won the race\n");
	honoured = vsvm_counter(fd, "inval_nonblock_honoured") - honoured;
	ns = vsvm_counter(fd, "inval_nonblock_ns") - ns;
	max_ns = vsvm_counter(fd, "inval_nonblock_max_ns");
	igt_info("%" PRId64 " non-blockable invalidations took %" PRId64
		 " ns; the longest one ever %" PRId64 " ns\n", honoured, ns, max_ns);
	/*
	 * What the reaper waited for: the callbacks zapped a running
	 * shader's pages and waited for its compute units to yield.
	 */
	igt_assert_lt_s64(0, ns);
	igt_assert_lte_s64(ns / honoured, max_ns);
	vsvm_wait_objects(fd, baseline, 10);
	free(code);
	free(baseline);
}

/*
 * RELEASE: a child creates an SVM VM in the parent's file, starts a shader
 * that spins on its memory and exits. Its address space goes
 * (MMU_NOTIFY_RELEASE zaps everything) while the file lives on in the
 * parent: the job's next fault finds no address space and the job ends
 * CANCELED. With the owner gone, the parent may wait for the job and
 * destroy the VM and queue, which frees everything.
 */
struct spin_job {
	uint32_t vm, queue;
	uint64_t seqno, flag, buf, args;
};

static void start_spin_job(int dfd, const void *code, uint32_t code_size,
			   struct spin_job *job)
{
	uint64_t *flags = calloc(2, sizeof(*flags));
	uint8_t *buf = map_anon(SZ_1M, PROT_READ | PROT_WRITE);
	struct vsvm_spin_args *args = malloc(sizeof(*args));
	struct drm_vsvm_exec exec;

	igt_assert(flags && args);
	memset(buf, 0x42, SZ_1M);
	igt_assert_eq(__vsvm_vm_create(dfd, DRM_VSVM_VM_CREATE_SVM, &job->vm),
		      0);
	igt_assert_eq(__vsvm_vm_map_mirror(dfd, job->vm, 0, mirror_end), 0);
	igt_assert_eq(__vsvm_queue_create(dfd, job->vm, &job->queue), 0);
	*args = (struct vsvm_spin_args){
		.flag = to_user_pointer(&flags[0]),
		.started = to_user_pointer(&flags[1]),
		.buf = to_user_pointer(buf), .npages = SZ_1M / SZ_4K,
	};
	vsvm_exec_init(&exec, job->queue, to_user_pointer(code), code_size);
	exec.args_addr = to_user_pointer(args);
	exec.args_size = sizeof(*args);
	exec.wg_size[0] = WG_LANES;
	exec.grid[0] = 2;
	igt_assert_eq(__vsvm_exec(dfd, &exec), 0);
	job->seqno = exec.seqno;
	job->flag = args->flag;
	job->buf = args->buf;
	job->args = to_user_pointer(args);
	for (int i = 0; !__atomic_load_n(&flags[1], __ATOMIC_ACQUIRE); i++) {
		igt_assert_f(i < vsvm_scaled_limit(20000),
			     "the shader did not start\n");
		usleep(1000);
	}
}

/* Waits until debugfs "engine" shows @n compute units running a job. */
static void wait_cus_running(uint32_t n)
{
	uint32_t seen = 0;

	for (int64_t i = 0; i < vsvm_scaled_limit(2000) && seen < n; i++) {
		char *text = vsvm_debugfs_read(fd, "engine");
		const char *p;

		seen = 0;
		for (p = text; (p = strstr(p, " running ")); p++)
			seen++;
		free(text);
		if (seen < n)
			usleep(5000);
	}
	igt_assert_f(seen >= n, "%u compute units running, expected %u\n",
		     seen, n);
}

/*
 * A shootdown visits only the compute units whose TLB may hold the VM's
 * entries: with every compute unit running another VM's job, an
 * invalidation of ours skips them all, and our next job still sees what
 * the CPU has.
 */
static void test_shootdown_other_vm(void)
{
	uint32_t cus = vsvm_get_param(fd, DRM_VSVM_PARAM_NUM_CUS);
	const uint64_t size = SZ_64K;
	uint8_t *guard, *buf = map_lonely(size, &guard), *out;
	uint64_t a = to_user_pointer(buf), gather, out_va;
	int64_t shootdowns, skipped;
	uint32_t gather_size, spin_size;
	struct strided_args args;
	struct spin_job spin;
	struct ctx c;
	void *code;

	require_debugfs();
	/* start_spin_job() runs two workgroups: one per compute unit. */
	igt_require(cus <= 2);
	ctx_init(&c, true);
	gather = ctx_code(&c, gather_src, &gather_size);
	out_va = ctx_bo(&c, size, (void **)&out);
	args = (struct strided_args){ a, out_va, size / 8, 8 };
	fill_u32(buf, size, 91);
	ctx_run(&c, gather, gather_size, &args, sizeof(args), size / 8);
	check_u32(out, size, 91);

	code = code_malloc(vsvm_spin_src, &spin_size);
	start_spin_job(fd, code, spin_size, &spin);
	wait_cus_running(cus);
	shootdowns = vsvm_counter(fd, "tlb_shootdowns");
	skipped = vsvm_counter(fd, "tlb_shootdown_cus_skipped");
	igt_assert_eq(madvise(buf, size, MADV_DONTNEED), 0);
	igt_assert_lt(shootdowns, vsvm_counter(fd, "tlb_shootdowns"));
	igt_assert_lte(skipped + cus, vsvm_counter(fd, "tlb_shootdown_cus_skipped"));

	__atomic_store_n((uint64_t *)from_user_pointer(spin.flag), 1, __ATOMIC_RELEASE);
	igt_assert_eq_u32(wait_job(spin.queue, spin.seqno).status, DRM_VSVM_STATUS_OK);
	memset(out, 0xff, size);
	ctx_run(&c, gather, gather_size, &args, sizeof(args), size / 8);
	check_zero(out, size);

	vsvm_queue_destroy(fd, spin.queue);
	vsvm_vm_destroy(fd, spin.vm);
	ctx_fini(&c);
	free(code);
	munmap(guard, size + 2 * SZ_4K);
}

/*
 * An invalidation of a range the GPU maps nothing of reads no page table
 * and shoots nothing down; one that clears PTEs costs exactly one
 * shootdown. Four 2 MiB ranges are GPU-mapped, MADV_DONTNEED empties two,
 * and a munmap() of all four skips those two. Memory mapped anew at the
 * same addresses then reads back as the CPU wrote it: nothing of the old
 * pages survived in a PTE or a TLB.
 */
static void test_inval_unmapped_range(void)
{
	const uint64_t size = 4 * SZ_2M, n = size / SZ_4K;
	uint8_t *buf = map_aligned_2m(size);
	uint64_t a = to_user_pointer(buf), fill, gather, out_va, *out;
	int64_t unmaps, skipped, shootdowns;
	uint32_t fill_size, gather_size;
	struct strided_args args;
	struct ctx c;

	igt_assert_eq(madvise(buf, size, MADV_NOHUGEPAGE), 0);
	memset(buf, 0, size);
	ctx_init(&c, true);
	fill = ctx_code(&c, fill_src, &fill_size);
	gather = ctx_code(&c, gather_src, &gather_size);
	out_va = ctx_bo(&c, n * 8, (void **)&out);
	args = (struct strided_args){ a, 0x5151, n, SZ_4K };
	ctx_run(&c, fill, fill_size, &args, sizeof(args), n);
	for (uint64_t r = a; r < a + size; r += SZ_2M)
		check_range(r, r, r + SZ_2M, SZ_2M / SZ_4K, 0);

	shootdowns = vsvm_counter(fd, "tlb_shootdowns");
	igt_assert_eq(madvise(buf, 2 * SZ_2M, MADV_DONTNEED), 0);
	igt_assert_eq_s64(vsvm_counter(fd, "tlb_shootdowns") - shootdowns, 2);
	check_range(a, a, a + SZ_2M, 0, 0);
	check_range(a + SZ_2M, a + SZ_2M, a + 2 * SZ_2M, 0, 0);

	unmaps = vsvm_counter(fd, "inval_unmap");
	skipped = vsvm_counter(fd, "inval_skipped_unmapped");
	shootdowns = vsvm_counter(fd, "tlb_shootdowns");
	igt_assert_eq(munmap(buf, size), 0);
	unmaps = vsvm_counter(fd, "inval_unmap") - unmaps;
	skipped = vsvm_counter(fd, "inval_skipped_unmapped") - skipped;
	shootdowns = vsvm_counter(fd, "tlb_shootdowns") - shootdowns;
	igt_info("munmap: %" PRId64 " callbacks, %" PRId64 " skipped, %" PRId64
		 " shootdowns\n", unmaps, skipped, shootdowns);
	igt_assert_lte_s64(4, unmaps);
	igt_assert_eq_s64(shootdowns, 2);
	igt_assert_eq_s64(skipped, unmaps - 2);

	igt_assert(mmap(buf, size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == buf);
	igt_assert_eq(madvise(buf, size, MADV_NOHUGEPAGE), 0);
	for (uint64_t i = 0; i < n; i++)
		*(uint64_t *)(buf + i * SZ_4K) = fill_value(0x5252, i);
	args = (struct strided_args){ a, out_va, n, SZ_4K };
	ctx_run(&c, gather, gather_size, &args, sizeof(args), n);
	for (uint64_t i = 0; i < n; i++)
		igt_assert_eq_u64(out[i], fill_value(0x5252, i));

	ctx_fini(&c);
	munmap(out, n * 8);
	munmap(buf, size);
}

/*
 * A TLB summarises the 2 MiB blocks it caches pages of as bit (block % 64)
 * of a word (struct vsvm_tlb); a shootdown visits a compute unit only if a
 * block it cleared has its bit set there.
 */
static uint64_t tlb_block_bit(uint64_t va)
{
	return 1ull << ((va >> 21) % 64);
}

/*
 * Like map_lonely(), in a 2 MiB block whose TLB summary bit is none of
 * @avoid's, so that no compute unit caching only those blocks may hold it.
 * Unmap *reserved, 66 * 2 MiB.
 */
static uint8_t *map_lonely_avoiding(uint64_t size, uint64_t avoid, uint8_t **reserved)
{
	uint8_t *raw = map_anon(66 * SZ_2M, PROT_NONE);
	uint8_t *p = (uint8_t *)ALIGN(to_user_pointer(raw), SZ_2M);

	igt_assert(size + 2 * SZ_4K <= SZ_2M && ~avoid);
	while (avoid & tlb_block_bit(to_user_pointer(p)))
		p += SZ_2M;
	igt_assert_eq(mprotect(p + SZ_4K, size, PROT_READ | PROT_WRITE), 0);
	*reserved = raw;
	return p + SZ_4K;
}

/*
 * A shootdown visits only the compute units whose TLB may hold what it
 * flushes. One workgroup reads A, so one compute unit caches A (and the
 * job's BOs); B, in a block that shares no summary bit with those, is
 * mapped by PREFETCH, which fills no TLB. Emptying B's PTEs then visits no
 * compute unit, emptying A's the one that read it; the GPU then reads the
 * CPU's new pages in both.
 */
static void test_shootdown_cold_cus(void)
{
	uint32_t cus = vsvm_get_param(fd, DRM_VSVM_PARAM_NUM_CUS);
	const uint64_t size = SZ_64K, n = size / SZ_4K;
	uint8_t *guard, *reserved, *bufs[2];
	uint64_t gather, out_va, *out, avoid;
	int64_t shootdowns, skipped;
	struct strided_args args;
	uint32_t gather_size;
	struct ctx c;

	bufs[0] = map_lonely(size, &guard);
	ctx_init(&c, true);
	gather = ctx_code(&c, gather_src, &gather_size);
	out_va = ctx_bo(&c, n * 8, (void **)&out);
	for (uint64_t i = 0; i < n; i++)
		*(uint64_t *)(bufs[0] + i * SZ_4K) = fill_value(0, i);
	/*
	 * Mapped before the job, which then takes no fault: a workgroup that
	 * faults parks, and may resume on another compute unit.
	 */
	vsvm_prefetch(fd, c.vm, to_user_pointer(bufs[0]), size, 0);
	args = (struct strided_args){ to_user_pointer(bufs[0]), out_va, n, SZ_4K };
	ctx_run_1wg(&c, gather, gather_size, &args, sizeof(args), n);
	for (uint64_t i = 0; i < n; i++)
		igt_assert_eq_u64(out[i], fill_value(0, i));

	/* Everything the job may have translated: A and the BOs so far. */
	avoid = tlb_block_bit(to_user_pointer(bufs[0]));
	for (uint64_t va = BO_VA_BASE; va < c.next_va; va += SZ_2M)
		avoid |= tlb_block_bit(va);
	avoid |= tlb_block_bit(c.next_va - 1);
	bufs[1] = map_lonely_avoiding(size, avoid, &reserved);
	for (uint64_t i = 0; i < n; i++)
		*(uint64_t *)(bufs[1] + i * SZ_4K) = fill_value(1, i);
	vsvm_prefetch(fd, c.vm, to_user_pointer(bufs[1]), size, 0);
	check_range(to_user_pointer(bufs[1]), to_user_pointer(bufs[1]),
		    to_user_pointer(bufs[1]) + size, n, 0);

	for (int b = 1; b >= 0; b--) {
		shootdowns = vsvm_counter(fd, "tlb_shootdowns");
		skipped = vsvm_counter(fd, "tlb_shootdown_cus_skipped");
		igt_assert_eq(madvise(bufs[b], size, MADV_DONTNEED), 0);
		igt_assert_eq_s64(vsvm_counter(fd, "tlb_shootdowns") - shootdowns, 1);
		/* B: cached nowhere; A: by the compute unit that read it. */
		igt_assert_eq_s64(vsvm_counter(fd, "tlb_shootdown_cus_skipped") - skipped,
				  b ? cus : cus - 1);
	}

	for (int b = 0; b < 2; b++) {
		for (uint64_t i = 0; i < n; i++)
			*(uint64_t *)(bufs[b] + i * SZ_4K) = fill_value(2 + b, i);
		args = (struct strided_args){ to_user_pointer(bufs[b]), out_va, n, SZ_4K };
		ctx_run_1wg(&c, gather, gather_size, &args, sizeof(args), n);
		for (uint64_t i = 0; i < n; i++)
			igt_assert_eq_u64(out[i], fill_value(2 + b, i));
	}

	ctx_fini(&c);
	munmap(out, n * 8);
	munmap(guard, size + 2 * SZ_4K);
	munmap(reserved, 66 * SZ_2M);
}

static void test_release_job(void)
{
	struct spin_job job;
	struct drm_vsvm_wait w;
	int64_t releases;
	uint32_t code_size;
	char *baseline;
	int p[2];
	void *code;

	require_debugfs();
	baseline = vsvm_objects_baseline(fd);
	releases = vsvm_counter(fd, "inval_release");
	code = code_malloc(vsvm_spin_src, &code_size);
	igt_assert_eq(pipe(p), 0);
	igt_fork(child, 1) {
		start_spin_job(fd, code, code_size, &job);
		igt_assert_eq(write(p[1], &job, sizeof(job)), sizeof(job));
	}
	igt_assert_eq(read(p[0], &job, sizeof(job)), sizeof(job));
	igt_waitchildren();

	w = wait_job(job.queue, job.seqno);
	igt_info("the orphaned job: %s, access %#x at %#llx\n",
		 vsvm_status_name(w.status), w.fault_access,
		 (unsigned long long)w.fault_addr);
	/* Nobody sets the flag: the job cannot end OK. */
	igt_assert_eq_u32(w.status, DRM_VSVM_STATUS_CANCELED);
	igt_assert_eq_u32(w.fault_access, DRM_VSVM_ACCESS_READ);
	/* LDARG reads the arguments through the VM too, each iteration. */
	igt_assert_f(w.fault_addr == job.flag ||
		     (w.fault_addr >= job.buf && w.fault_addr < job.buf + SZ_1M) ||
		     (w.fault_addr >= job.args &&
		      w.fault_addr < job.args + sizeof(struct vsvm_spin_args)),
		     "fault at %#llx, neither the flag, the buffer nor the arguments\n",
		     (unsigned long long)w.fault_addr);
	igt_assert_lt(releases, vsvm_counter(fd, "inval_release"));

	/* Any holder of the file may destroy them. */
	vsvm_queue_destroy(fd, job.queue);
	vsvm_vm_destroy(fd, job.vm);
	vsvm_wait_objects(fd, baseline, 10);
	close(p[0]);
	close(p[1]);
	free(code);
	free(baseline);
}

/* The same with a file of the child's own, closed by its exit. */
static void test_release_file(void)
{
	uint32_t code_size;
	char *baseline;
	void *code;

	require_debugfs();
	baseline = vsvm_objects_baseline(fd);
	code = code_malloc(vsvm_spin_src, &code_size);
	igt_fork(child, 1) {
		struct spin_job job;

		start_spin_job(drm_reopen_driver(fd), code, code_size, &job);
	}
	igt_waitchildren();
	vsvm_wait_objects(fd, baseline, 10);
	free(code);
	free(baseline);
}

/*
 * GPU atomics and CPU atomics on the same counters, at the same time: a
 * CPU thread starts adding once the shader's first adds show, and stops
 * after the job ends. Every add of both counts.
 */
struct cpu_adder {
	uint64_t *c64;
	uint32_t *c32;
	uint32_t n;
	bool stop;
	uint64_t rounds, seen_first;
};

static void *cpu_adder_thread(void *data)
{
	struct cpu_adder *a = data;

	while (!__atomic_load_n(&a->c64[0], __ATOMIC_RELAXED) &&
	       !__atomic_load_n(&a->stop, __ATOMIC_RELAXED))
		;
	for (uint32_t c = 0; c < a->n; c++)
		a->seen_first += __atomic_load_n(&a->c64[c], __ATOMIC_RELAXED);
	while (!__atomic_load_n(&a->stop, __ATOMIC_RELAXED)) {
		for (uint32_t c = 0; c < a->n; c++) {
			__atomic_fetch_add(&a->c64[c], 1, __ATOMIC_SEQ_CST);
			__atomic_fetch_add(&a->c32[c], 1, __ATOMIC_SEQ_CST);
		}
		a->rounds++;
	}
	return NULL;
}

static void test_atomics(void)
{
	const uint32_t n = 16, lanes = 256, iters = 256;
	const uint64_t gpu_total = (uint64_t)lanes * iters;
	uint64_t *c64 = aligned_alloc(64, n * 8);
	uint32_t code_size, c32[16];
	struct atomic_args args = {
		.c64 = to_user_pointer(c64), .c32 = to_user_pointer(c32),
		.n = n, .iters = iters,
	};
	void *code = code_malloc(atomic_src, &code_size);
	uint64_t expect[16] = {};
	struct cpu_adder a;
	pthread_t thread;
	struct ctx c;
	int tries = 0;

	igt_assert(c64);
	for (uint32_t i = 0; i < lanes; i++)
		for (uint32_t k = 0; k < iters; k++)
			expect[(i + k) % n]++;
	ctx_init(&c, true);
	do {
		memset(c64, 0, n * 8);
		memset(c32, 0, sizeof(c32));
		a = (struct cpu_adder){ .c64 = c64, .c32 = c32, .n = n };
		igt_assert_eq(pthread_create(&thread, NULL, cpu_adder_thread,
					     &a), 0);
		run_ok(c.queue, to_user_pointer(code), code_size,
		       to_user_pointer(&args), sizeof(args), lanes);
		__atomic_store_n(&a.stop, true, __ATOMIC_RELAXED);
		pthread_join(thread, NULL);
		igt_info("try %d: %" PRIu64 " CPU rounds, starting after %"
			 PRIu64 " of %" PRIu64 " GPU adds\n", tries, a.rounds,
			 a.seen_first, gpu_total);
		for (uint32_t i = 0; i < n; i++) {
			igt_assert_eq_u64(c64[i], expect[i] + a.rounds);
			igt_assert_eq_u32(c32[i], expect[i] + a.rounds);
		}
	} while ((!a.rounds || a.seen_first >= gpu_total) && ++tries < 5);
	igt_assert_f(a.rounds && a.seen_first < gpu_total,
		     "the CPU never added while the GPU did\n");

	ctx_fini(&c);
	free(code);
	free(c64);
}

/*
 * Fault injection (debugfs fault_inject/, docs/svm.md): every retry and
 * error path of the fault protocol on demand. Each case arms a knob, runs
 * one wave over a buffer of its own (code and arguments in BOs, so the
 * buffer's chunk is the only mirror fault), and checks how the job ended,
 * the data byte for byte, and the counter naming the path. The "forever"
 * cases keep the retry going until the fault's time bound ends it
 * FAULT_RETRY; before that bound covered unmapped-range retries,
 * "unmapped-forever" held its compute unit until the knob was cleared.
 */
struct inject_case {
	const char *name, *knob;
	uint64_t count;
	const char *counter;	/* moves by >= @count (1 for "forever") */
	uint32_t status;
};

static const struct inject_case inject_cases[] = {
	{ "ebusy", "ebusy", 3, "retry_ebusy", DRM_VSVM_STATUS_OK },
	{ "collisions", "collisions", 3, "retry_collision", DRM_VSVM_STATUS_OK },
	{ "unmapped", "unmaps", 3, "gc_ranges", DRM_VSVM_STATUS_OK },
	{ "range-alloc", "range_alloc", 1, "faults_fatal", DRM_VSVM_STATUS_NOMEM },
	{ "pt-alloc", "pt_alloc", 1, "faults_fatal", DRM_VSVM_STATUS_NOMEM },
	{ "fail-status", "fail_faults", 1, "faults_fatal",
	  DRM_VSVM_STATUS_UNREACHABLE },
	{ "collisions-forever", "collisions", 1ull << 30,
	  "fault_retry_timeouts", DRM_VSVM_STATUS_FAULT_RETRY },
	{ "unmapped-forever", "unmaps", 1ull << 30, "fault_retry_timeouts",
	  DRM_VSVM_STATUS_FAULT_RETRY },
};

static const char *const inject_knobs[] = {
	"ebusy", "collisions", "unmaps", "range_alloc", "pt_alloc",
	"fail_faults", "latency_us", "hold", "park_delay_us",
};

static void inject_set(const char *knob, uint64_t value)
{
	char path[64];

	snprintf(path, sizeof(path), "fault_inject/%s", knob);
	igt_assert_f(!vsvm_debugfs_write_u64(fd, path, value),
		     "cannot write %s\n", path);
}

/* Also the exit handler: a failed case must not leave a knob armed. */
static void inject_clear(int sig __attribute__((unused)))
{
	char path[64];

	for (unsigned int i = 0; i < ARRAY_SIZE(inject_knobs); i++) {
		snprintf(path, sizeof(path), "fault_inject/%s", inject_knobs[i]);
		vsvm_debugfs_write_u64(fd, path, 0);
	}
}

static void test_fault_inject(const struct inject_case *ic)
{
	const uint32_t n = 1024;
	int64_t injected, path;
	uint8_t *guard, *buf = map_lonely(2 * n * 4, &guard);
	uint32_t *in = (uint32_t *)buf, *out = in + n, code_size;
	struct xform_args args = {
		.in = to_user_pointer(in), .out = to_user_pointer(out),
		.n = n, .seed = 0x1e,
	};
	struct drm_vsvm_wait w;
	uint64_t code, seqno;
	struct ctx c;
	char line[96];
	bool forever = ic->count > 1000;

	require_debugfs();
	fill_u32(in, n * 4ull, 0x1e);
	memset(out, 0xa5, n * 4ull);
	ctx_init(&c, true);
	code = ctx_code(&c, xform_src, &code_size);
	injected = vsvm_counter(fd, "faults_injected");
	path = vsvm_counter(fd, ic->counter);
	if (!strcmp(ic->name, "fail-status"))
		inject_set("fail_status", ic->status);
	inject_set("latency_us", 1000);
	inject_set(ic->knob, ic->count);
	seqno = submit(c.queue, code, code_size,
		       ctx_args(&c, &args, sizeof(args)), sizeof(args), n);
	w = wait_job(c.queue, seqno);
	for (unsigned int i = 0; i < ARRAY_SIZE(inject_knobs); i++)
		inject_set(inject_knobs[i], 0);

	injected = vsvm_counter(fd, "faults_injected") - injected;
	path = vsvm_counter(fd, ic->counter) - path;
	igt_info("%s: job %s, access %#x at %#llx; %" PRId64 " injected, "
		 "%s +%" PRId64 "\n", ic->name, vsvm_status_name(w.status),
		 w.fault_access, (unsigned long long)w.fault_addr, injected,
		 ic->counter, path);
	igt_assert_f(w.status == ic->status, "status %s, expected %s\n",
		     vsvm_status_name(w.status), vsvm_status_name(ic->status));
	if (forever) {
		/* Each compute unit that faulted on the chunk timed out. */
		igt_assert_lte(1, injected);
		igt_assert_lte(1, path);
	} else {
		igt_assert_eq(injected, ic->count);
		igt_assert_lte(ic->count, path);
	}
	if (ic->status == DRM_VSVM_STATUS_OK) {
		check_xform(in, out, n, 0x1e);
	} else {
		/*
		 * Some wave's first access, a load of in[], failed; which one
		 * depends on which compute unit faulted first.  A workgroup
		 * whose fault another CU serviced first may have finished:
		 * every word is untouched or right, never anything else.
		 */
		igt_assert_f(w.fault_addr >= to_user_pointer(in) &&
			     w.fault_addr < to_user_pointer(in + n) &&
			     !(w.fault_addr % 4), "fault at %#llx, not in in[]\n",
			     (unsigned long long)w.fault_addr);
		igt_assert_eq_u32(w.fault_access, DRM_VSVM_ACCESS_READ);
		for (uint32_t i = 0; i < n; i++)
			igt_assert_f(out[i] == 0xa5a5a5a5 ||
				     out[i] == xform(in[i], i, 0x1e),
				     "out[%u] is %#x\n", i, out[i]);
		snprintf(line, sizeof(line), "queue %u job %" PRIu64
			 ": status %u", c.queue, seqno, ic->status);
		igt_assert(strstr(vsvm_debugfs_read(fd, "log"), line));
	}
	check_u32(in, n * 4ull, 0x1e);
	ctx_fini(&c);
	igt_assert_eq(munmap(guard, 2 * n * 4 + 2 * SZ_4K), 0);
}

/* Bad values for a status are refused, not stored. */
static void test_fault_inject_bad_status(void)
{
	const char *knob = "fault_inject/fail_status";
	char *before, *after;

	require_debugfs();
	igt_assert_eq(vsvm_debugfs_write_u64(fd, knob,
					     DRM_VSVM_STATUS_NO_ACCESS), 0);
	before = vsvm_debugfs_read(fd, knob);
	igt_assert_eq(vsvm_debugfs_write_u64(fd, knob, DRM_VSVM_STATUS_OK),
		      -EINVAL);
	igt_assert_eq(vsvm_debugfs_write_u64(fd, knob, 1000), -EINVAL);
	after = vsvm_debugfs_read(fd, knob);
	igt_assert(before && after);
	igt_assert_eq(atoi(after), DRM_VSVM_STATUS_NO_ACCESS);
	igt_assert_eq(strcmp(before, after), 0);
	free(before);
	free(after);
}

/*
 * A fault held forever. Faults on the memory of one process never end:
 * it mirrors a file on a FUSE mount whose daemon never answers READ (the
 * kernel's wait for it is uninterruptible, and hmm_range_fault() cannot
 * drop mmap_lock to retry, see docs/svm.md), or fault injection holds them
 * ("hold"). That process runs one job per compute unit, each held on its
 * fault, and one more that its QUEUE_DESTROY cancels; meanwhile another
 * client keeps every compute unit busy and gets every result right. The
 * held jobs end TIMEOUT at the job timeout with their faults still
 * pending, the canceled one CANCELED, the holder's file closes without
 * waiting, and releasing the faults (aborting the FUSE connection) frees
 * everything; the harness then unloads the module.
 */
#define HELD_MAX	16
#define HELD_STRIDE	(4 * SZ_1M)	/* each job's fault, a 2 MiB chunk of its own */
#define HELD_TIMEOUT_MS	3000

/* Shared between the test and the holder, which may not allocate (below). */
struct held {
	uint32_t n;			/* jobs held to their timeout */
	uint32_t cancel_queue;		/* queue of the job QUEUE_DESTROY cancels */
	int submitted, cancel, canceled, closed, release;
	uint32_t status[HELD_MAX];
	int64_t ended_ms[HELD_MAX];	/* from submission */
	int64_t close_ms;
};

static int64_t held_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ll + ts.tv_nsec / 1000000;
}

/*
 * Keeps khugepaged away from a process that will hold its mmap_lock for
 * reading for good: a collapse takes the lock for writing, so khugepaged
 * (one thread for the whole system) would wait behind the stuck reader,
 * and every later reader of the process, GPU faults included, behind it.
 */
static void held_no_thp(void)
{
	igt_assert_eq(prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0), 0);
}

/*
 * The holder, an igt_fork() child. Once its faults are held it holds its
 * mmap_lock, so it must not take it for writing: no allocation (malloc()
 * may grow the heap), no mapping, no output until it is released.
 */
static void held_client(struct held *h, bool fuse)
{
	uint32_t queues[HELD_MAX + 1], code_size;
	uint64_t seqnos[HELD_MAX + 1], args[HELD_MAX + 1], code, t0;
	uint64_t size = (h->n + 1) * HELD_STRIDE;
	struct drm_vsvm_wait w;
	struct ctx c = {};
	uint8_t *buf;

	held_no_thp();
	fd = drm_reopen_driver(fd);
	if (fuse) {
		buf = vsvm_stuck_fuse_map(size, PROT_READ, MAP_SHARED);
	} else {
		buf = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		igt_assert(buf != MAP_FAILED);
	}

	c.vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_SVM);
	vsvm_vm_map_mirror(fd, c.vm, 0, mirror_end);
	c.next_va = BO_VA_BASE;
	code = ctx_code(&c, load_src, &code_size);
	for (uint32_t i = 0; i <= h->n; i++) {
		struct poke_args a = { .addr = to_user_pointer(buf + i * HELD_STRIDE) };

		queues[i] = vsvm_queue_create(fd, c.vm);
		args[i] = ctx_args(&c, &a, sizeof(a));
	}
	h->cancel_queue = queues[h->n];
	fflush(NULL);

	t0 = held_now_ms();
	for (uint32_t i = 0; i <= h->n; i++)
		seqnos[i] = submit(queues[i], code, code_size, args[i],
				   sizeof(struct poke_args), 1);
	vsvm_flag_set(&h->submitted);

	igt_assert(vsvm_flag_wait(&h->cancel, vsvm_scaled_limit(60 * 1000)));
	vsvm_queue_destroy(fd, queues[h->n]);
	vsvm_flag_set(&h->canceled);

	for (uint32_t i = 0; i < h->n; i++) {
		memset(&w, 0, sizeof(w));
		h->status[i] = __vsvm_wait(fd, queues[i], seqnos[i], VSVM_WAIT_TIMEOUT_NS, &w) ?
			       ~0u : w.status;
		h->ended_ms[i] = held_now_ms() - t0;
	}
	t0 = held_now_ms();
	close(fd);
	h->close_ms = held_now_ms() - t0;
	vsvm_flag_set(&h->closed);
	while (!__atomic_load_n(&h->release, __ATOMIC_ACQUIRE))
		usleep(10 * 1000);
}

/* The workgroups each compute unit ran so far, from debugfs "engine". */
static uint32_t cu_workgroups(uint64_t *wgs, uint32_t max)
{
	char *text = vsvm_debugfs_read(fd, "engine"), *line, *save = NULL;
	uint32_t n = 0, cu;
	uint64_t v;

	igt_assert(text);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "cu%u: workgroups %" SCNu64, &cu, &v) == 2 && cu < max) {
			wgs[cu] = v;
			if (cu >= n)
				n = cu + 1;
		}
	free(text);
	return n;
}

/* out[i] = 400 steps of an LCG from in[i]: a few ms of work per workgroup. */
static const char lcg_src[] =
	VSVM_LANES_PROLOGUE
	"	ld.global.u32 r7, [r1]\n"
	"	movi r8, 0\n"
	"	movi r10, 400\n"
	"	loop\n"
	"	    icmp.eq.32 r9, r8, r10\n"
	"	    if r9\n"
	"	        break\n"
	"	    endif\n"
	"	    mul.32 r7, r7, 1664525\n"
	"	    add.32 r7, r7, 1013904223\n"
	"	    add.32 r8, r8, 1\n"
	"	endloop\n"
	"	st.global.u32 [r2], r7\n"
	VSVM_LANES_EPILOGUE
	"	end\n";

/* Rounds of LCG jobs over every compute unit, each result checked. */
static void busy_client(uint32_t ncus)
{
	const uint32_t n = WG_LANES * 4 * ncus, rounds = 8;
	uint64_t before[HELD_MAX] = {}, after[HELD_MAX] = {};
	uint32_t *in = calloc(n, 4), *out = calloc(n, 4);
	struct vsvm_runner *r = vsvm_runner_create(fd, 2ull * n * 4 + SZ_4K);
	struct drm_vsvm_wait w;
	size_t size;
	void *code = vsvm_assemble(lcg_src, &size);

	igt_assert(in && out);
	igt_assert_eq(cu_workgroups(before, HELD_MAX), ncus);
	for (uint32_t k = 0; k < rounds; k++) {
		struct vsvm_lanes lanes = {
			.n = n, .wg_size = WG_LANES,
			.in = in, .in_stride = 4, .out = out, .out_stride = 4,
		};

		fill_u32(in, n * 4ull, k);
		memset(out, 0, n * 4ull);
		igt_assert_f(!__vsvm_run_lanes(r, code, size, &lanes, &w),
			     "round %u of the other client did not end\n", k);
		igt_assert_eq_u32(w.status, DRM_VSVM_STATUS_OK);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t x = in[i];

			for (int s = 0; s < 400; s++)
				x = x * 1664525u + 1013904223u;
			igt_assert_f(out[i] == x, "round %u: out[%u] is %#x, expected %#x\n",
				     k, i, out[i], x);
		}
	}
	cu_workgroups(after, HELD_MAX);
	for (uint32_t cu = 0; cu < ncus; cu++) {
		igt_info("cu%u ran %" PRIu64 " workgroups of the other client\n",
			 cu, after[cu] - before[cu]);
		igt_assert_f(after[cu] > before[cu], "cu%u ran nothing\n", cu);
	}
	vsvm_runner_destroy(r);
	free(code);
	free(in);
	free(out);
}

static int64_t counter_or_zero(const char *name)
{
	int64_t v = vsvm_debugfs_value(fd, "counters", name);

	return v < 0 ? 0 : v;
}

static void test_fault_held(bool fuse)
{
	uint32_t ncus = vsvm_get_param(fd, DRM_VSVM_PARAM_NUM_CUS);
	int64_t pending_timeouts, abandoned, injected = 0, t0;
	char *baseline, line[96], *log;
	struct held *h;

	require_debugfs();
	igt_require(ncus <= HELD_MAX);
	igt_install_exit_handler(inject_clear);
	baseline = vsvm_objects_baseline(fd);
	h = vsvm_shared_alloc(sizeof(*h));
	h->n = ncus;

	if (fuse) {
		vsvm_stuck_fuse_start((h->n + 1) * HELD_STRIDE);
	} else {
		injected = vsvm_counter(fd, "faults_injected");
		inject_set("hold", 1);
	}
	/* Read without failing on a module that lacks them: see below. */
	pending_timeouts = counter_or_zero("jobs_timeout_fault_pending");
	abandoned = counter_or_zero("faults_abandoned");
	snprintf(line, sizeof(line), "%d", HELD_TIMEOUT_MS);
	vsvm_param_set("job_timeout_ms", line);

	igt_fork(child, 1)
		held_client(h, fuse);

	igt_assert_f(vsvm_flag_wait(&h->submitted, vsvm_scaled_limit(60 * 1000)), "the holder did not submit\n");
	/* The first fault is held; give the others a moment to reach theirs. */
	t0 = held_now_ms();
	while (fuse ? !__atomic_load_n(vsvm_stuck_fuse.reads, __ATOMIC_ACQUIRE) :
	       vsvm_counter(fd, "faults_injected") - injected < 1) {
		igt_assert_f(held_now_ms() - t0 < vsvm_scaled_limit(20 * 1000), "no fault was held\n");
		usleep(10 * 1000);
	}
	usleep(200 * 1000);

	/*
	 * The other client has every compute unit: on a module whose compute
	 * units service faults themselves, all of them are stuck here, and
	 * its first job never ends.
	 */
	busy_client(ncus);
	igt_assert_lte(h->n + 1, vsvm_counter(fd, "faults_pending"));

	/* QUEUE_DESTROY ends the extra job at once, CANCELED, not at its timeout. */
	vsvm_flag_set(&h->cancel);
	igt_assert_f(vsvm_flag_wait(&h->canceled, vsvm_scaled_limit(10 * 1000)), "QUEUE_DESTROY did not return\n");
	snprintf(line, sizeof(line), "queue %u job 1: status %u", h->cancel_queue,
		 DRM_VSVM_STATUS_CANCELED);
	for (t0 = held_now_ms(); !(log = vsvm_debugfs_read(fd, "log")) || !strstr(log, line);
	     free(log)) {
		igt_assert_f(held_now_ms() - t0 < vsvm_scaled_limit(20 * 1000), "no \"%s\" in the log\n", line);
		usleep(10 * 1000);
	}
	free(log);

	igt_assert_f(vsvm_flag_wait(&h->closed, vsvm_scaled_limit(60 * 1000)), "the holder's jobs did not end\n");
	for (uint32_t i = 0; i < h->n; i++) {
		igt_info("held job %u: %s after %" PRId64 " ms\n", i,
			 vsvm_status_name(h->status[i]), h->ended_ms[i]);
		igt_assert_eq_u32(h->status[i], DRM_VSVM_STATUS_TIMEOUT);
		/* Not early, and by the lowered timeout (see vsvm_exec's timeout). */
		igt_assert_lte_s64(HELD_TIMEOUT_MS / 2, h->ended_ms[i]);
		igt_assert_lt_s64(h->ended_ms[i], vsvm_scaled_limit(5 * HELD_TIMEOUT_MS));
	}
	/* Each timed out with its fault pending, which still is. */
	igt_assert_eq_s64(vsvm_counter(fd, "jobs_timeout_fault_pending") - pending_timeouts,
			  h->n);
	igt_assert_lte(h->n + 1, vsvm_counter(fd, "faults_abandoned") - abandoned);
	igt_assert_lte(h->n + 1, vsvm_counter(fd, "faults_pending"));
	igt_info("the holder's file closed in %" PRId64 " ms\n", h->close_ms);
	igt_assert_lt_s64(h->close_ms, vsvm_scaled_limit(10 * 1000));

	/* Release the faults: they fail, and free what they held. */
	if (fuse)
		vsvm_stuck_fuse_abort(0);
	else
		inject_set("hold", 0);
	for (t0 = held_now_ms(); vsvm_counter(fd, "faults_pending"); usleep(10 * 1000))
		igt_assert_f(held_now_ms() - t0 < vsvm_scaled_limit(20 * 1000), "the faults did not end\n");
	vsvm_flag_set(&h->release);
	igt_waitchildren();
	vsvm_param_restore("job_timeout_ms");
	vsvm_wait_objects(fd, baseline, 10);
	munmap(h, sizeof(*h));
	free(baseline);
}

/*
 * A GPU fault while another thread of the process holds mmap_lock for
 * reading, stuck for good: the thread reads /proc/self/mem at a page of the
 * stuck FUSE file, and access_remote_vm() waits for that page under the
 * mmap read lock (a fault from its GUP may not drop the lock, unlike a
 * read() into the mapping, whose fault drops it to wait). A fault needs
 * mmap_lock for reading only, which that thread does not block while no
 * writer queues behind it, so a job touching a fresh page must end OK, its
 * store in the CPU's memory. It did not when the first notifier insert of
 * the mm, in the fault under the VM lock, took mmap_lock for writing
 * (docs/svm.md): the job ended TIMEOUT, the fault worker stuck until the
 * reader let go. The child owning the VM has a fresh mm (fork), so the
 * fault's insert is the first there; once the reader is stuck it neither
 * maps nor allocates, which would queue a writer.
 */
struct stuck_reader {
	int ready, go, done, release;
	pid_t pid, tid;			/* the child, its reader thread */
	int wait_ret;
	uint32_t status, value;		/* the job's, what the CPU reads back */
	ssize_t read_ret;
	int read_errno;
};

#define STUCK_READER_VALUE	0x5eedf00du

struct stuck_reader_thread_args {
	struct stuck_reader *s;
	int mem;
	const void *page;		/* of the FUSE file */
};

static void *stuck_reader_thread(void *arg)
{
	const struct stuck_reader_thread_args *a = arg;
	static uint8_t sink[SZ_4K];
	ssize_t ret;

	__atomic_store_n(&a->s->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	ret = pread(a->mem, sink, sizeof(sink), (off_t)to_user_pointer(a->page));
	a->s->read_errno = errno;
	__atomic_store_n(&a->s->read_ret, ret, __ATOMIC_RELEASE);
	return NULL;
}

static void stuck_reader_client(struct stuck_reader *s)
{
	struct stuck_reader_thread_args a = { .s = s };
	struct poke_args pa = { .value = STUCK_READER_VALUE };
	struct drm_vsvm_wait w = {};
	uint32_t code_size;
	uint64_t code, args, seqno;
	pthread_t thread;
	struct ctx c;
	uint32_t *buf;

	held_no_thp();
	fd = drm_reopen_driver(fd);
	a.page = vsvm_stuck_fuse_map(SZ_4K, PROT_READ, MAP_SHARED);
	buf = map_anon(SZ_4K, PROT_READ | PROT_WRITE);	/* never touched */
	pa.addr = to_user_pointer(buf);
	ctx_init(&c, true);
	code = ctx_code(&c, store_src, &code_size);
	args = ctx_args(&c, &pa, sizeof(pa));
	a.mem = open("/proc/self/mem", O_RDONLY);
	igt_assert_fd(a.mem);
	s->pid = getpid();
	igt_assert_eq(pthread_create(&thread, NULL, stuck_reader_thread, &a), 0);
	fflush(NULL);
	vsvm_flag_set(&s->ready);

	/* From here until the release: no allocation, mapping or output. */
	igt_assert(vsvm_flag_wait(&s->go, vsvm_scaled_limit(60 * 1000)));
	seqno = submit(c.queue, code, code_size, args, sizeof(pa), 1);
	s->wait_ret = __vsvm_wait(fd, c.queue, seqno, VSVM_WAIT_TIMEOUT_NS, &w);
	s->status = w.status;
	if (!s->wait_ret && w.status == DRM_VSVM_STATUS_OK)
		s->value = *(volatile uint32_t *)buf;
	vsvm_flag_set(&s->done);

	igt_assert(vsvm_flag_wait(&s->release, vsvm_scaled_limit(120 * 1000)));
	pthread_join(thread, NULL);
	close(a.mem);
	ctx_fini(&c);
	close(fd);
}

/* Does /proc/@pid/task/@tid/stack hold @fn? Reads it into @stack. */
static bool task_stack_has(pid_t pid, pid_t tid, const char *fn, char *stack, size_t size)
{
	char path[64];
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stack", pid, tid);
	f = open(path, O_RDONLY);
	igt_assert_f(f >= 0, "cannot open %s: %m\n", path);
	n = read(f, stack, size - 1);
	close(f);
	stack[n > 0 ? n : 0] = '\0';
	return strstr(stack, fn);
}

static void test_fault_behind_stuck_reader(void)
{
	int64_t ranges, t0;
	char *baseline, stack[4096];
	struct stuck_reader *s;

	require_debugfs();
	baseline = vsvm_objects_baseline(fd);
	s = vsvm_shared_alloc(sizeof(*s));
	s->read_ret = 1;
	vsvm_stuck_fuse_start(SZ_4K);

	igt_fork(child, 1)
		stuck_reader_client(s);

	igt_assert_f(vsvm_flag_wait(&s->ready, vsvm_scaled_limit(60 * 1000)),
		     "the client did not get ready\n");
	/* The reader is stuck with the mmap read lock held, where the GUP waits. */
	for (t0 = held_now_ms(); !__atomic_load_n(vsvm_stuck_fuse.reads, __ATOMIC_ACQUIRE) ||
	     !task_stack_has(s->pid, __atomic_load_n(&s->tid, __ATOMIC_ACQUIRE),
			     "access_remote_vm", stack, sizeof(stack)); usleep(10 * 1000))
		igt_assert_f(held_now_ms() - t0 < vsvm_scaled_limit(20 * 1000),
			     "the reader did not get stuck in access_remote_vm():\n%s", stack);
	ranges = vsvm_counter(fd, "ranges_created");

	vsvm_flag_set(&s->go);
	igt_assert_f(vsvm_flag_wait(&s->done, vsvm_scaled_limit(120 * 1000)),
		     "the job did not end\n");
	/* Still stuck: the fault was serviced behind it. */
	igt_assert_f(task_stack_has(s->pid, s->tid, "access_remote_vm", stack, sizeof(stack)),
		     "the reader let go before the job ended:\n%s", stack);
	igt_assert_eq(__atomic_load_n(&s->read_ret, __ATOMIC_ACQUIRE), 1);

	/* Release the reader: its read fails, and everything is freed. */
	vsvm_stuck_fuse_abort(0);
	vsvm_flag_set(&s->release);
	igt_waitchildren();

	igt_info("job: wait %d, %s; the reader's pread(): %zd (%s)\n", s->wait_ret,
		 vsvm_status_name(s->status), s->read_ret, strerror(s->read_errno));
	igt_assert_eq(s->wait_ret, 0);
	igt_assert_f(s->status == DRM_VSVM_STATUS_OK, "the job ended %s\n",
		     vsvm_status_name(s->status));
	igt_assert_eq_u32(s->value, STUCK_READER_VALUE);
	igt_assert_lte(1, vsvm_counter(fd, "ranges_created") - ranges);
	igt_assert_eq(s->read_ret, -1);
	igt_assert_eq(s->read_errno, EIO);
	vsvm_wait_objects(fd, baseline, 10);
	munmap(s, sizeof(*s));
	free(baseline);
}

/*
 * One user's faults stuck on many VMs hold up that user only. The holder
 * (root) has MANY_VMS VMs, each with a job whose fault reads a file on the
 * stuck FUSE mount, and a share of MANY_SHARE fault workers: that many
 * READs reach the daemon, and the other VMs' fault queues wait, without a
 * worker (faults_user_waits). Without the share each would keep a worker
 * of the 512, and as many stuck VMs would leave none to anyone. Meanwhile
 * another user (uid 65534) faults and gets its results, byte for byte.
 */
#define MANY_VMS	6
#define MANY_SHARE	2

struct many {
	int submitted, other_done, release, unshared, mapped;
	pid_t holder;
};

/*
 * Who the holder is. MANY_USERNS: uid MANY_USER, and half of its VMs are
 * made as uid 0 of a user namespace of its own, mapped to uid
 * MANY_NS_UID: a uid of the namespace's creator to hand out, as
 * subordinate uids are, so still the creator's share. MANY_CONTAINER:
 * root, and half of its VMs are made in a user namespace root made, as a
 * container runtime does: a user of its own, with a share of its own.
 */
enum many_mode { MANY_ONE_UID, MANY_USERNS, MANY_CONTAINER };

#define MANY_USER	1000
#define MANY_NS_UID	100000

static void many_enter_userns(struct many *m)
{
	igt_assert_eq(unshare(CLONE_NEWUSER), 0);
	m->holder = getpid();
	vsvm_flag_set(&m->unshared);
	igt_assert(vsvm_flag_wait(&m->mapped, vsvm_scaled_limit(20 * 1000)));
	igt_assert_eq(setresuid(0, 0, 0), 0);
}

/* Can a process here make a user namespace (CONFIG_USER_NS, not chrooted)? */
static bool userns_available(void)
{
	int status;
	pid_t pid = fork();

	igt_assert_lte(0, pid);
	if (!pid)
		_exit(unshare(CLONE_NEWUSER) ? 1 : 0);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) && !WEXITSTATUS(status);
}

/* The test maps the holder's namespace: root of the initial one may. */
static void many_map_userns(struct many *m)
{
	char path[64], map[32];
	int f;

	igt_assert_f(vsvm_flag_wait(&m->unshared, vsvm_scaled_limit(60 * 1000)),
		     "the holder did not make its user namespace\n");
	snprintf(path, sizeof(path), "/proc/%d/uid_map", m->holder);
	snprintf(map, sizeof(map), "0 %d 1\n", MANY_NS_UID);
	f = open(path, O_WRONLY);
	igt_assert_fd(f);
	igt_assert_eq(write(f, map, strlen(map)), (ssize_t)strlen(map));
	close(f);
	vsvm_flag_set(&m->mapped);
}

static void many_holder(struct many *m, enum many_mode mode)
{
	uint32_t queues[MANY_VMS], code_size;
	uint64_t code[MANY_VMS], args[MANY_VMS];
	struct ctx c[MANY_VMS];
	uint8_t *buf;

	held_no_thp();
	fd = drm_reopen_driver(fd);
	buf = vsvm_stuck_fuse_map(MANY_VMS * HELD_STRIDE, PROT_READ, MAP_SHARED);
	if (mode == MANY_USERNS)
		igt_assert_eq(setresuid(MANY_USER, MANY_USER, MANY_USER), 0);
	for (int i = 0; i < MANY_VMS; i++) {
		struct poke_args a = { .addr = to_user_pointer(buf + i * HELD_STRIDE) };

		if (mode != MANY_ONE_UID && i == MANY_VMS / 2)
			many_enter_userns(m);
		ctx_init(&c[i], true);
		queues[i] = c[i].queue;
		code[i] = ctx_code(&c[i], load_src, &code_size);
		args[i] = ctx_args(&c[i], &a, sizeof(a));
	}
	fflush(NULL);
	/* From here on, no allocation: see held_client(). */
	for (int i = 0; i < MANY_VMS; i++)
		submit(queues[i], code[i], code_size, args[i], sizeof(struct poke_args), 1);
	vsvm_flag_set(&m->submitted);
	while (!__atomic_load_n(&m->release, __ATOMIC_ACQUIRE))
		usleep(10 * 1000);
}

static void many_other_user(struct many *m)
{
	const uint32_t n = 1024;
	uint32_t *in = calloc(2 * n, 4), *out = in + n, code_size;
	struct xform_args args = {
		.in = to_user_pointer(in), .out = to_user_pointer(out),
		.n = n, .seed = 0x65,
	};
	struct drm_vsvm_wait w;
	uint64_t code, seqno;
	struct ctx c;

	igt_assert(in);
	fd = drm_reopen_driver(fd);
	igt_assert_eq(setresgid(65534, 65534, 65534), 0);
	igt_assert_eq(setresuid(65534, 65534, 65534), 0);
	fill_u32(in, n * 4ull, 0x65);
	ctx_init(&c, true);
	code = ctx_code(&c, xform_src, &code_size);
	seqno = submit(c.queue, code, code_size, ctx_args(&c, &args, sizeof(args)),
		       sizeof(args), n);
	w = wait_job(c.queue, seqno);
	igt_assert_eq_u32(w.status, DRM_VSVM_STATUS_OK);
	check_xform(in, out, n, 0x65);
	ctx_fini(&c);
	vsvm_flag_set(&m->other_done);
}

static void test_fault_held_many_vms(enum many_mode mode)
{
	/* The holder's shares, and the fault workers they keep stuck. */
	const uint64_t stuck = (mode == MANY_CONTAINER ? 2 : 1) * MANY_SHARE;
	int64_t waits, raised, t0;
	char *baseline;
	struct many *m;

	require_debugfs();
	igt_require_f(vsvm_debugfs_value(fd, "counters", "faults_user_waits") >= 0,
		      "no faults_user_waits counter\n");
	igt_require_f(mode == MANY_ONE_UID || userns_available(),
		      "no user namespaces here (CONFIG_USER_NS, or a chroot)\n");
	baseline = vsvm_objects_baseline(fd);
	m = vsvm_shared_alloc(sizeof(*m));
	vsvm_stuck_fuse_start(MANY_VMS * HELD_STRIDE);
	vsvm_param_set_u64("fault_workers_per_user", MANY_SHARE);
	waits = vsvm_counter(fd, "faults_user_waits");
	raised = vsvm_counter(fd, "faults_raised");

	igt_fork(child, 1)
		many_holder(m, mode);
	if (mode != MANY_ONE_UID)
		many_map_userns(m);
	igt_assert_f(vsvm_flag_wait(&m->submitted, vsvm_scaled_limit(60 * 1000)),
		     "the holder did not submit\n");
	for (t0 = held_now_ms(); vsvm_counter(fd, "faults_raised") - raised < MANY_VMS ||
	     __atomic_load_n(vsvm_stuck_fuse.reads, __ATOMIC_ACQUIRE) < stuck; usleep(10 * 1000))
		igt_assert_f(held_now_ms() - t0 < vsvm_scaled_limit(30 * 1000),
			     "%" PRId64 " faults raised, %" PRIu64 " READs\n",
			     vsvm_counter(fd, "faults_raised") - raised, *vsvm_stuck_fuse.reads);
	/* Give a worker that should not exist time to reach the daemon. */
	usleep(vsvm_scaled_limit(500) * 1000);
	igt_info("%" PRIu64 " READs stuck, %" PRId64 " fault queues waiting\n",
		 *vsvm_stuck_fuse.reads, vsvm_counter(fd, "faults_user_waits") - waits);
	igt_assert_eq_u64(__atomic_load_n(vsvm_stuck_fuse.reads, __ATOMIC_ACQUIRE), stuck);
	igt_assert_eq(vsvm_counter(fd, "faults_user_waits") - waits, MANY_VMS - (int64_t)stuck);

	/* The holder is at its share; another user is not. */
	igt_fork(child, 1)
		many_other_user(m);
	igt_assert_f(vsvm_flag_wait(&m->other_done, vsvm_scaled_limit(60 * 1000)),
		     "the other user's job did not end OK\n");

	/*
	 * The holder exits: its VMs go while their faults are stuck or wait
	 * for a worker. Then the stuck faults fail, and the waiting queues
	 * run, and fail.
	 */
	vsvm_flag_set(&m->release);
	igt_waitchildren();
	igt_assert_lte(MANY_VMS, vsvm_counter(fd, "faults_pending"));
	vsvm_stuck_fuse_abort(0);
	for (t0 = held_now_ms(); vsvm_counter(fd, "faults_pending"); usleep(10 * 1000))
		igt_assert_f(held_now_ms() - t0 < vsvm_scaled_limit(30 * 1000),
			     "the faults did not end\n");
	vsvm_param_restore("fault_workers_per_user");
	vsvm_wait_objects(fd, baseline, 10);
	munmap(m, sizeof(*m));
	free(baseline);
}

/* One lane: two loads, 4 MiB apart, so in two SVM ranges: two faults. */
static const char load2_src[] =
	"	ldarg.u64 r1, 0\n"
	"	ld.global.u32 r2, [r1]\n"
	"	ldarg.u64 r3, 8\n"
	"	ld.global.u32 r4, [r3]\n"
	"	end\n";

/*
 * Cancel and VM destroy while a compute unit parks a workgroup. Between
 * checking whether its job must stop and putting the workgroup on the
 * parked list, the compute unit is the only one who knows of it: a
 * QUEUE_DESTROY there walks a parked list without it, and the watchdog,
 * armed by the job's first park for its (unreachable) deadline, must be
 * moved to now. And once the workgroup is on the list, the watchdog may
 * end the job, and the job's end may free the VM, before the fault is
 * raised. fault_inject/park_delay_us holds both windows of each park
 * open: the job's first fault parks and is serviced, and the test cancels
 * and destroys the VM in the first window of the second. The job must end
 * CANCELED before its second fault is raised, and that fault must not
 * touch a freed VM: the harness fails the run on the KASAN or refcount
 * report that would give.
 */
static void test_park_cancel(void)
{
	const uint64_t delay_ms = vsvm_scaled_limit(1000);
	struct poke_args a = {};
	int64_t injected, raised, t0;
	uint64_t code, seqno;
	uint32_t code_size, queue;
	char *baseline, line[96], *log;
	struct ctx c;
	uint8_t *buf;

	require_debugfs();
	igt_require_f(igt_debugfs_exists(fd, "fault_inject/park_delay_us", O_RDWR),
		      "no fault_inject/park_delay_us\n");
	igt_install_exit_handler(inject_clear);
	baseline = vsvm_objects_baseline(fd);
	vsvm_param_set("job_timeout_ms", "3600000");

	/* Never touched: both loads fault. */
	buf = mmap(NULL, 8 * SZ_1M, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(buf != MAP_FAILED);
	a.addr = to_user_pointer(buf);
	a.value = to_user_pointer(buf + 4 * SZ_1M);
	ctx_init(&c, true);
	code = ctx_code(&c, load2_src, &code_size);
	queue = c.queue;
	injected = vsvm_counter(fd, "faults_injected");
	raised = vsvm_counter(fd, "faults_raised");
	inject_set("park_delay_us", delay_ms * 1000);
	seqno = submit(queue, code, code_size, ctx_args(&c, &a, sizeof(a)), sizeof(a), 1);

	/* The first park's two windows, its fault, and the second park's first window. */
	for (t0 = held_now_ms(); vsvm_counter(fd, "faults_injected") - injected < 3;
	     usleep(1000))
		igt_assert_f(held_now_ms() - t0 < vsvm_scaled_limit(30 * 1000),
			     "the second park was not delayed\n");
	ctx_fini(&c);
	igt_assert_f(vsvm_counter(fd, "faults_injected") - injected == 3,
		     "QUEUE_DESTROY and VM_DESTROY came after the first window\n");
	igt_assert_eq(vsvm_counter(fd, "faults_raised") - raised, 1);
	igt_assert(vsvm_log_has(fd, "workgroup held off the parked list"));

	snprintf(line, sizeof(line), "queue %u job %" PRIu64 ": status %u", queue, seqno,
		 DRM_VSVM_STATUS_CANCELED);
	for (t0 = held_now_ms(); !(log = vsvm_debugfs_read(fd, "log")) || !strstr(log, line);
	     free(log), usleep(1000))
		igt_assert_f(held_now_ms() - t0 < vsvm_scaled_limit(20 * 1000),
			     "no \"%s\" in the log: the cancel was missed\n", line);
	free(log);
	/* The job ended, and its VM may be gone, before its second fault is raised. */
	for (t0 = held_now_ms(); vsvm_counter(fd, "faults_injected") - injected < 4;
	     usleep(1000))
		igt_assert_f(held_now_ms() - t0 < vsvm_scaled_limit(20 * 1000),
			     "the second window never opened\n");
	igt_assert_f(vsvm_counter(fd, "faults_raised") - raised == 1,
		     "the job ended after its fault was raised, not at the cancel\n");
	for (t0 = held_now_ms(); vsvm_counter(fd, "faults_raised") - raised < 2; usleep(1000))
		igt_assert_f(held_now_ms() - t0 < vsvm_scaled_limit(20 * 1000),
			     "the fault was never raised\n");
	inject_set("park_delay_us", 0);
	vsvm_param_restore("job_timeout_ms");
	vsvm_wait_objects(fd, baseline, 10);
	free(baseline);
	munmap(buf, 8 * SZ_1M);
}

igt_main
{
	igt_fixture {
		fd = drm_open_driver_render(DRIVER_ANY);
		mirror_end = vsvm_get_param(fd, DRM_VSVM_PARAM_MIRROR_VA_END);
		if (mirror_end > BO_VA_BASE)
			mirror_end = BO_VA_BASE;
		svm_caps = vsvm_get_param(fd, DRM_VSVM_PARAM_SVM_CAPS);
		igt_require(svm_caps & DRM_VSVM_SVM_CAP_MIRROR);
	}

	igt_describe("Fault injection reaches each retry and error path of "
		     "the fault protocol on demand; the job ends as it must, "
		     "data checked byte for byte.");
	igt_subtest_with_dynamic("fault-inject") {
		igt_install_exit_handler(inject_clear);
		/* The "forever" cases need not wait the default 5 s per fault. */
		vsvm_param_set("fault_timeout_ms", "500");
		for (unsigned int i = 0; i < ARRAY_SIZE(inject_cases); i++)
			igt_dynamic(inject_cases[i].name)
				test_fault_inject(&inject_cases[i]);
		igt_dynamic("bad-status")
			test_fault_inject_bad_status();
		inject_clear(0);
		vsvm_param_restore("fault_timeout_ms");
	}

	igt_describe("A shader reads and writes malloc()ed memory through "
		     "plain pointers; its code is malloc()ed too, its "
		     "arguments on the stack.");
	igt_subtest("mirror-malloc")
		test_mirror_malloc();

	igt_describe("A shader reads and writes anonymous mmap()ed memory.");
	igt_subtest("mirror-mmap")
		test_mirror_mmap();

	igt_describe("A shader reads and writes arrays on the CPU stack.");
	igt_subtest("mirror-stack")
		test_mirror_stack();

	igt_describe("EXEC reads malloc()ed code through the mirror when "
		     "called: new code there runs, garbage is refused.");
	igt_subtest("mirror-code-in-malloc")
		test_mirror_code_malloc();

	igt_describe("A mirror and a BO binding never overlap: each refuses "
		     "the other with EEXIST, whichever came first, and the "
		     "refusals change nothing.");
	igt_subtest("mirror-bo-overlap")
		test_mirror_bo_overlap();

	igt_subtest_group {
		igt_fixture
			require_caps(DRM_VSVM_SVM_CAP_USERPTR);

		igt_describe("GPU writes through a userptr land in the CPU's "
			     "memory; a CPU mapping replaced or removed under "
			     "the binding is revalidated at the next EXEC.");
		igt_subtest("userptr")
			test_userptr();

		igt_describe("A READONLY userptr reads but faults READ_ONLY on "
			     "write; a writable one of read-only memory fails "
			     "EXEC with EACCES.");
		igt_subtest("userptr-readonly")
			test_userptr_readonly();
	}

	igt_describe("A forked child using the parent's file gets EPERM from "
		     "every ioctl on the parent's SVM VM and its queue (bind, "
		     "queue create and destroy, submit, wait, prefetch, VM "
		     "destroy), but shares its BO-only VM like any DRM object "
		     "(where mirrors and userptrs are EINVAL); its own SVM VM "
		     "writes only its own pages.");
	igt_subtest("isolation-fork")
		test_isolation(false);

	igt_describe("The same for a process that received the file over a "
		     "unix socket (SCM_RIGHTS).");
	igt_subtest("isolation-scm-rights")
		test_isolation(true);

	igt_subtest_group {
		igt_fixture
			require_debugfs();

		igt_describe("One fault maps a CPU-touched transparent huge "
			     "page with one 2 MiB GPU PTE (debugfs counters "
			     "and vms).");
		igt_subtest("fault-2m-thp")
			test_fault_2m(true);

		igt_describe("One fault maps a 2 MiB chunk of 4 KiB pages with "
			     "512 4 KiB PTEs, as one SVM range.");
		igt_subtest("fault-2m-4k-pages")
			test_fault_2m(false);

		igt_describe("A page alone in its VMA gets a range of its own "
			     "and one 4 KiB PTE.");
		igt_subtest("fault-4k")
			test_fault_4k();

		igt_describe("debugfs fault_latency counts each serviced fault "
			     "once, under the PTE size it installed (4 KiB or "
			     "2 MiB), in the bucket holding its service time; "
			     "GPU faults and PREFETCH alike.");
		igt_subtest("fault-latency-histogram")
			test_fault_latency();

		igt_describe("After fork, GPU reads keep the pages shared with "
			     "the child; a GPU write breaks COW in the parent "
			     "only.");
		igt_subtest("fault-read-keeps-cow")
			test_fault_cow();

		igt_describe("After fork, a GPU write to one page copies that "
			     "page only; the rest of the chunk its fault maps "
			     "stays shared with the child.");
		igt_subtest("fault-write-cow-page-only")
			test_fault_write_cow_page();
	}

	igt_describe("Write to PROT_READ fails READ_ONLY, PROT_NONE fails "
		     "NO_ACCESS, no mapping fails NO_VMA, each with its exact "
		     "address and instruction; PREFETCH gives the same errnos.");
	igt_subtest("fault-permissions")
		test_fault_permissions();

	igt_subtest_group {
		igt_fixture {
			require_caps(DRM_VSVM_SVM_CAP_PREFETCH);
			require_debugfs();
		}

		igt_describe("After PREFETCH a job touching the memory takes no "
			     "fault; untouched memory is writable only after "
			     "PREFETCH_WRITE.");
		igt_subtest("prefetch-no-fault")
			test_prefetch();

		igt_describe("After fork, PREFETCH keeps pages shared, "
			     "PREFETCH_WRITE breaks COW, and the GPU write "
			     "that follows takes no fault.");
		igt_subtest("prefetch-write-cow")
			test_prefetch_write_cow();

		igt_describe("After fork, PREFETCH_WRITE of a few pages copies "
			     "exactly those pages.");
		igt_subtest("prefetch-write-cow-partial")
			test_prefetch_write_cow_partial();

		igt_describe("PREFETCH of anything but a mirror is EFAULT.");
		igt_subtest("prefetch-outside-mirror")
			test_prefetch_outside_mirror();
	}

	igt_subtest_group {
		igt_fixture
			require_debugfs();

		igt_describe("munmap of GPU-mapped memory zaps it, the GC worker "
			     "removes the range, and the GPU then finds no "
			     "mapping.");
		igt_subtest("inval-munmap")
			test_inval_munmap();

		igt_describe("mprotect zaps the GPU's PTEs: the GPU then reads "
			     "but may not write, until the CPU allows it again.");
		igt_subtest("inval-mprotect")
			test_inval_mprotect();

		igt_describe("MADV_DONTNEED zaps the GPU's PTEs and the GPU then "
			     "reads zeros, then the CPU's new data.");
		igt_subtest("inval-dontneed")
			test_inval_dontneed();

		igt_describe("A shootdown skips the compute units running "
			     "another VM's job, and the VM's next job reads what "
			     "the CPU has.");
		igt_subtest("inval-shootdown-skips-other-vm")
			test_shootdown_other_vm();

		igt_describe("A shootdown skips the compute units whose TLB "
			     "caches nothing of what it flushes, and the GPU "
			     "then reads the CPU's new pages.");
		igt_subtest("inval-shootdown-skips-cold-cus")
			test_shootdown_cold_cus();

		igt_describe("An invalidation of a range the GPU maps nothing "
			     "of walks no page table and shoots nothing down; "
			     "one that clears PTEs shoots down once; memory "
			     "mapped anew reads back as the CPU wrote it.");
		igt_subtest("inval-unmapped-range-skipped")
			test_inval_unmapped_range();

		igt_describe("Unmapping the middle of a 2 MiB range leaves both "
			     "sides usable as new, smaller ranges.");
		igt_subtest_with_dynamic("inval-partial-munmap") {
			igt_dynamic("huge-page")
				test_inval_partial_munmap(true);
			igt_dynamic("small-pages")
				test_inval_partial_munmap(false);
		}

		igt_describe("Invalidations racing GPU faults make them retry "
			     "(collision or -EBUSY), and every value the GPU "
			     "reads is one the CPU wrote.");
		igt_subtest("collision-retry")
			test_collision_retry();

		igt_describe("process_mrelease() of a killed process with a "
			     "shader running on its mirror: vsvm honours the "
			     "non-blockable invalidations, debugfs shows how "
			     "long they took, nothing leaks.");
		igt_subtest("inval-nonblock-mrelease")
			test_inval_nonblock();

		igt_describe("A job running on the mirror of a process that "
			     "exits ends CANCELED in the surviving file, and "
			     "everything is freed.");
		igt_subtest("release-running-job")
			test_release_job();

		igt_describe("A process exiting with a job running on its mirror "
			     "and its own file leaks nothing.");
		igt_subtest("release-file-closed")
			test_release_file();
	}

	igt_describe("Faults held forever (a FUSE daemon that never answers, "
		     "or fault injection) on one job per compute unit: other "
		     "clients keep every compute unit and get their results, "
		     "the held jobs end TIMEOUT at the job timeout with the "
		     "faults pending, QUEUE_DESTROY and file close do not wait, "
		     "and releasing the faults frees everything.");
	igt_subtest_with_dynamic("fault-held-forever") {
		igt_dynamic("injected")
			test_fault_held(false);
		igt_dynamic("fuse")
			test_fault_held(true);
	}

	igt_describe("A shader touches a fresh page while another thread of "
		     "the process holds mmap_lock for reading, stuck on a FUSE "
		     "file: the fault needs only the read lock, so the job "
		     "ends OK with its store in the CPU's memory, and releasing "
		     "the reader frees everything.");
	igt_subtest("fault-behind-stuck-reader")
		test_fault_behind_stuck_reader();

	igt_describe("QUEUE_DESTROY and VM_DESTROY while a compute unit parks "
		     "a faulting workgroup (held open by fault injection): the "
		     "job ends CANCELED at once and its fault, raised after the "
		     "job and the VM are gone, touches nothing freed.");
	igt_subtest("park-cancel-race")
		test_park_cancel();

	igt_describe("One user's faults stuck on a FUSE file in many VMs keep "
		     "at most its share of the fault workers, also with half "
		     "of the VMs made as another uid of a user namespace of "
		     "its own; its other VMs wait, and another user's faults "
		     "are serviced meanwhile. A user namespace root made (a "
		     "container) has a share of its own.");
	igt_subtest_with_dynamic("fault-held-many-vms") {
		igt_dynamic("one-uid")
			test_fault_held_many_vms(MANY_ONE_UID);
		igt_dynamic("user-namespace")
			test_fault_held_many_vms(MANY_USERNS);
		igt_dynamic("root-container")
			test_fault_held_many_vms(MANY_CONTAINER);
	}

	igt_describe("GPU atomic adds and concurrent CPU atomic adds on the "
		     "same u32 and u64 counters all count.");
	igt_subtest("atomics-cpu-gpu") {
		require_caps(DRM_VSVM_SVM_CAP_ATOMICS);
		test_atomics();
	}

	igt_fixture
		drm_close_driver(fd);
}
