// SPDX-License-Identifier: MIT
/*
 * vsvm as an attacker with only render-node access would try it: stale GPU
 * translations of freed pages, notifier and PTE teardown order, memory the
 * kernel cannot reach, jobs and results crossing process boundaries, kernel
 * memory that is not charged to the process asking for it, and submission
 * racing queue destruction. Each subtest targets one rule the driver relies
 * on (docs/svm.md "Rules"), and was seen to fail before the fix that
 * enforces it.
 *
 * Data is checked byte for byte; for freed memory, every byte the GPU
 * reports or writes must belong to the memory it was given.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt.h"
#include "vsvm_copy_kernel.h"
#include "vsvm_lib.h"
#include "vsvm_reap.h"

IGT_TEST_DESCRIPTION("Attacks on vsvm's memory safety and isolation: stale "
		     "translations, teardown order, unreachable memory, "
		     "cross-process access, accounting and job lifetimes.");

static int fd = -1;

/* ---- section: translations and teardown (defects 1, 2) ---- */

#include <sched.h>
#include <sys/mount.h>

/*
 * Translations and teardown. A shader reaches memory through GPU PTEs and
 * the TLB entries each compute unit fills from them; the CPU frees a page
 * once it has unmapped it and told every MMU notifier. Two rules keep the
 * GPU away from freed memory (docs/svm.md "Rules"):
 *
 * - No translation outlives its PTE. A zap that cuts into a 2 MiB GPU leaf
 *   drops it whole, so it must flush all 512 translations from the TLBs.
 *   Before the fix it flushed only the range asked for; the notification
 *   that followed (a THP split) found nothing left to clear and flushed
 *   nothing, and a compute unit kept the other 511 pages of a folio the CPU
 *   went on to free.
 * - No PTE outlives its notifier. Teardown (VM_BIND unmap, VM_DESTROY,
 *   userptr destroy, GC) zaps a range before it removes the notifier.
 *   Before the fix it removed the notifier first: in between, the CPU could
 *   unmap and free a page without telling vsvm, while the GPU still mapped
 *   it. fault_inject/teardown_delay_us holds that window open.
 *
 * Every attack makes the CPU free memory a shader has, or had, a
 * translation of, lets another mapping (the spray) take the freed pages,
 * and has the shader read and write on. It must read only what the CPU
 * sees at that address, write only there, and leave the spray alone.
 */

#define TLB_4K		((uint64_t)0x1000)
#define TLB_2M		((uint64_t)0x200000)
/*
 * Pages 1-63 of a 2 MiB buffer: TLB slots (vpn % 64) of their own. Page 0
 * shares slot 0 with the first pages of the runner's argument and data BOs,
 * which the shaders touch all the time.
 */
#define TLB_FIRST	1
#define TLB_N		63
/* A 2 MiB-aligned GPU VA for userptrs, above the runner's BOs. */
#define TLB_USERPTR_VA	0x80000000ull
/* Flags in the runner's argument BO, after the arguments. */
#define TLB_FLAG	256
#define TLB_DONE	264
/* The spray: huge pages for freed folios, small ones for split folios. */
#define TLB_SPRAY_HUGE	(8 * TLB_2M)
#define TLB_SPRAY_SMALL	TLB_2M
#define TLB_GPU_TAG	0x4750550000000000ull	/* "GPU" */
#define TLB_SPRAY_TAG	0x5350524159000000ull	/* "SPRAY" */

/*
 * Each workgroup's one lane runs @rounds rounds; round r waits for
 * *flag >= r, then for each of the n pages first.. of buf reads word 0 into
 * out[(wg * rounds + r) * n + i] and writes tlb_marker(r, page) to word
 * r + 1, and sets *done = r + 1. Arguments: 0 flag, 8 done, 16 buf, 24 out
 * (u64), 32 first, 36 n, 40 rounds (u32).
 */
static const char tlb_rounds_src[] =
	"	ldarg.u64 r1, 0\n"
	"	ldarg.u64 r2, 8\n"
	"	ldarg.u64 r3, 16\n"
	"	ldarg.u64 r4, 24\n"
	"	ldarg.u32 r5, 32\n"
	"	ldarg.u32 r6, 36\n"
	"	ldarg.u32 r7, 40\n"
	"	sv r20, wg_id.x\n"
	"	mul.32 r20, r20, r7\n"
	"	movi r8, 0\n"
	"	loop\n"
	"	    icmp.eq.32 r9, r8, r7\n"
	"	    if r9\n"
	"	        break\n"
	"	    endif\n"
	"	    loop\n"
	"	        ld.global.u64 r10, [r1]\n"
	"	        icmp.leu.64 r11, r8, r10\n"
	"	        if r11\n"
	"	            break\n"
	"	        endif\n"
	"	    endloop\n"
	"	    add.32 r21, r20, r8\n"
	"	    mul.32 r21, r21, r6\n"
	"	    shl.64 r22, r8, 3\n"
	"	    add.64 r22, r22, 8\n"
	"	    shl.64 r23, r8, 32\n"
	"	    or.64 r23, r23, 0x4750550000000000\n"
	"	    movi r12, 0\n"
	"	    loop\n"
	"	        icmp.eq.32 r13, r12, r6\n"
	"	        if r13\n"
	"	            break\n"
	"	        endif\n"
	"	        add.32 r14, r12, r5\n"
	"	        shl.64 r15, r14, 12\n"
	"	        add.64 r15, r15, r3\n"
	"	        ld.global.u64 r16, [r15]\n"
	"	        add.32 r17, r21, r12\n"
	"	        shl.64 r17, r17, 3\n"
	"	        add.64 r17, r17, r4\n"
	"	        st.global.u64 [r17], r16\n"
	"	        add.64 r18, r15, r22\n"
	"	        or.64 r19, r23, r14\n"
	"	        st.global.u64 [r18], r19\n"
	"	        add.32 r12, r12, 1\n"
	"	    endloop\n"
	"	    fence\n"
	"	    add.64 r24, r8, 1\n"
	"	    st.global.u64 [r2], r24\n"
	"	    fence\n"
	"	    add.32 r8, r8, 1\n"
	"	endloop\n"
	"	end\n";

struct tlb_rounds_args {
	uint64_t flag, done, buf, out;
	uint32_t first, n, rounds, pad;
};

/*
 * One lane sweeps the n pages first.. of buf until *flag != 0: reads word 0
 * of each into out[i], writes tlb_marker(0, page) to word 1, and counts its
 * sweeps in *done. Same arguments as tlb_rounds_src, without rounds.
 */
static const char tlb_sweep_src[] =
	"	ldarg.u64 r1, 0\n"
	"	ldarg.u64 r2, 8\n"
	"	ldarg.u64 r3, 16\n"
	"	ldarg.u64 r4, 24\n"
	"	ldarg.u32 r5, 32\n"
	"	ldarg.u32 r6, 36\n"
	"	movi r7, 0\n"
	"	loop\n"
	"	    ld.global.u64 r8, [r1]\n"
	"	    icmp.ne.32 r9, r8, 0\n"
	"	    if r9\n"
	"	        break\n"
	"	    endif\n"
	"	    movi r10, 0\n"
	"	    loop\n"
	"	        icmp.eq.32 r11, r10, r6\n"
	"	        if r11\n"
	"	            break\n"
	"	        endif\n"
	"	        add.32 r12, r10, r5\n"
	"	        shl.64 r13, r12, 12\n"
	"	        add.64 r13, r13, r3\n"
	"	        ld.global.u64 r14, [r13]\n"
	"	        shl.64 r15, r10, 3\n"
	"	        add.64 r15, r15, r4\n"
	"	        st.global.u64 [r15], r14\n"
	"	        or.64 r16, r12, 0x4750550000000000\n"
	"	        st.global.u64 [r13 + 8], r16\n"
	"	        add.32 r10, r10, 1\n"
	"	    endloop\n"
	"	    add.64 r7, r7, 1\n"
	"	    st.global.u64 [r2], r7\n"
	"	endloop\n"
	"	end\n";

/* What the GPU writes to word round + 1 of page @page. */
static uint64_t tlb_marker(uint32_t round, uint32_t page)
{
	return TLB_GPU_TAG | (uint64_t)round << 32 | page;
}

static bool tlb_is_marker(uint64_t v)
{
	return (v & 0xffffff0000000000ull) == TLB_GPU_TAG;
}

/* The CPU's data: word @i of the 2 MiB buffer, never zero, never a tag. */
static uint64_t tlb_pattern(uint64_t i)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	return (x ^ (x >> 29)) | 0x0101010101010101ull;
}

static uint64_t tlb_word0(uint32_t page)
{
	return tlb_pattern(page * TLB_4K / 8);
}

static void tlb_fill(void *p)
{
	for (uint64_t i = 0; i < TLB_2M / 8; i++)
		((uint64_t *)p)[i] = tlb_pattern(i);
}

/* @size bytes of fresh anonymous memory at a 2 MiB boundary. */
static void *tlb_map_2m(uint64_t size, int advice)
{
	uint8_t *p = mmap(NULL, size + TLB_2M, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *a;

	igt_assert(p != MAP_FAILED);
	a = (uint8_t *)ALIGN((uintptr_t)p, TLB_2M);
	if (a > p)
		munmap(p, a - p);
	munmap(a + size, p + TLB_2M - a);
	igt_assert_eq(madvise(a, size, advice), 0);
	return a;
}

static void tlb_require_thp(void)
{
	char buf[128] = "";
	int f = open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY);

	igt_require_f(f >= 0, "no transparent huge pages in this kernel\n");
	igt_assert_lte(0, read(f, buf, sizeof(buf) - 1));
	close(f);
	igt_require_f(!strstr(buf, "[never]"),
		      "transparent huge pages disabled: %s", buf);
}

/* Pin the calling thread to the CPU it is on, so that what it frees, it gets back. */
static cpu_set_t tlb_cpus;

static void tlb_pin(void)
{
	cpu_set_t one;

	igt_assert_eq(sched_getaffinity(0, sizeof(tlb_cpus), &tlb_cpus), 0);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	igt_assert_eq(sched_setaffinity(0, sizeof(one), &one), 0);
}

static void tlb_unpin(void)
{
	igt_assert_eq(sched_setaffinity(0, sizeof(tlb_cpus), &tlb_cpus), 0);
}

/*
 * The size of the leaf PTE that maps @va in VM @vm_id of this process,
 * from debugfs "ptes": TLB_2M, TLB_4K, or 0 if none does.
 */
static uint64_t tlb_gpu_leaf(uint32_t vm_id, uint64_t va)
{
	char *text = vsvm_debugfs_read(fd, "ptes"), *line, *save = NULL;
	bool ours = false, in_vm = false;
	unsigned long long a;
	uint64_t leaf = 0;
	unsigned int id;
	char size[4];
	int pid;

	igt_assert_f(text, "cannot read debugfs ptes: %m\n");
	for (line = strtok_r(text, "\n", &save); line && !leaf;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "client %d", &pid) == 1)
			ours = pid == getpid();
		else if (sscanf(line, " vm %u:", &id) == 1)
			in_vm = ours && id == vm_id;
		else if (in_vm && sscanf(line, " 0x%llx %3s pfn", &a, size) == 2 &&
			 a <= va && va < a + (size[0] == '2' ? TLB_2M : TLB_4K))
			leaf = size[0] == '2' ? TLB_2M : TLB_4K;
	}
	free(text);
	return leaf;
}

/*
 * Another mapping, filled with its own words, that takes the pages the CPU
 * has just freed: a folio freed whole goes back to its CPU's per-cpu list
 * of huge pages, split ones to that of small pages, and the next
 * allocations on that CPU take them.
 */
struct tlb_spray {
	uint64_t *huge, *small;
};

static uint64_t tlb_spray_word(uint64_t i)
{
	return TLB_SPRAY_TAG | i;
}

static uint64_t *tlb_spray_at(const struct tlb_spray *s, uint64_t i)
{
	return i < TLB_SPRAY_HUGE / 8 ? &s->huge[i] :
	       &s->small[i - TLB_SPRAY_HUGE / 8];
}

#define TLB_SPRAY_WORDS	((TLB_SPRAY_HUGE + TLB_SPRAY_SMALL) / 8)

static void tlb_spray(struct tlb_spray *s)
{
	s->huge = tlb_map_2m(TLB_SPRAY_HUGE, MADV_HUGEPAGE);
	s->small = tlb_map_2m(TLB_SPRAY_SMALL, MADV_NOHUGEPAGE);
	for (uint64_t i = 0; i < TLB_SPRAY_WORDS; i++)
		*tlb_spray_at(s, i) = tlb_spray_word(i);
}

static int tlb_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The page frames behind the 512 pages at @p, sorted; false if hidden. */
static bool tlb_pfns(const void *p, uint64_t *pfns)
{
	vsvm_pfns_of(p, TLB_2M / TLB_4K, pfns);
	qsort(pfns, TLB_2M / TLB_4K, sizeof(*pfns), tlb_cmp_u64);
	/* Sorted: a page without a frame comes first. */
	return pfns[0];
}

static int tlb_count_in(const uint64_t *frames, uint64_t n, const uint64_t *pfns)
{
	int hits = 0;

	for (uint64_t i = 0; i < n; i++)
		hits += frames[i] && bsearch(&frames[i], pfns, TLB_2M / TLB_4K,
					     sizeof(*pfns), tlb_cmp_u64);
	return hits;
}

/* How many spray pages sit on the frames @pfns (of tlb_pfns()). */
static int tlb_spray_reused(const struct tlb_spray *s, const uint64_t *pfns)
{
	static uint64_t frames[TLB_SPRAY_HUGE / TLB_4K];
	int n;

	vsvm_pfns_of(s->huge, TLB_SPRAY_HUGE / TLB_4K, frames);
	n = tlb_count_in(frames, TLB_SPRAY_HUGE / TLB_4K, pfns);
	vsvm_pfns_of(s->small, TLB_SPRAY_SMALL / TLB_4K, frames);
	return n + tlb_count_in(frames, TLB_SPRAY_SMALL / TLB_4K, pfns);
}

/*
 * The spray must hold its own words and nothing else; reports what the GPU
 * wrote into it.
 */
static void tlb_check_spray(const struct tlb_spray *s)
{
	uint64_t bad = 0, first = 0, first_v = 0;

	for (uint64_t i = 0; i < TLB_SPRAY_WORDS; i++) {
		uint64_t v = *tlb_spray_at(s, i);

		if (v == tlb_spray_word(i))
			continue;
		if (!bad++) {
			first = i;
			first_v = v;
		}
	}
	igt_assert_f(!bad, "%" PRIu64 " words of the spray changed; the first, "
		     "word %" PRIu64 " of spray page %" PRIu64 ", holds %#" PRIx64
		     "%s: the GPU wrote into a page the CPU had freed and given "
		     "to another mapping\n", bad, first % (TLB_4K / 8),
		     first / (TLB_4K / 8), first_v,
		     tlb_is_marker(first_v) ? " (a shader's marker)" : "");
}

static void tlb_spray_free(struct tlb_spray *s)
{
	munmap(s->huge, TLB_SPRAY_HUGE);
	munmap(s->small, TLB_SPRAY_SMALL);
}

/* Is @v something the GPU may only have read from the spray? */
static bool tlb_from_spray(uint64_t v)
{
	return (v & 0xffffffffff000000ull) == TLB_SPRAY_TAG;
}

static void tlb_wait_u64(volatile uint64_t *p, uint64_t value, const char *what)
{
	for (int64_t i = 0; i < vsvm_scaled_limit(60000) &&
	     __atomic_load_n(p, __ATOMIC_ACQUIRE) < value; i++)
		usleep(1000);
	igt_assert_f(__atomic_load_n(p, __ATOMIC_ACQUIRE) >= value,
		     "%s: still %" PRIu64 " after a minute (scaled), waiting for %" PRIu64 "\n",
		     what, *p, value);
}

static void tlb_require_debugfs(void)
{
	igt_require_f(igt_debugfs_exists(fd, "ptes", O_RDONLY) &&
		      igt_debugfs_exists(fd, "counters", O_RDONLY),
		      "no vsvm debugfs\n");
}

static struct drm_vsvm_wait tlb_wait_job(const struct vsvm_runner *r, uint64_t seqno)
{
	struct drm_vsvm_wait w;

	igt_assert_eq(__vsvm_wait(fd, r->queue_id, seqno, VSVM_WAIT_TIMEOUT_NS, &w), 0);
	igt_info("job %" PRIu64 ": %s, access %#x at %#llx, pc %#x\n", seqno,
		 vsvm_status_name(w.status), w.fault_access,
		 (unsigned long long)w.fault_addr, w.fault_pc);
	return w;
}

/* How a 2 MiB THP is dropped: part first, then all of it. */
enum tlb_drop {
	TLB_ANON_DONTNEED,
	TLB_ANON_FREE,
	TLB_SHMEM_PUNCH,
	TLB_SHMEM_TRUNCATE,
	TLB_USERPTR_DONTNEED,
};

static const char *const tlb_drop_name[] = {
	[TLB_ANON_DONTNEED] = "MADV_DONTNEED",
	[TLB_ANON_FREE] = "MADV_FREE",
	[TLB_SHMEM_PUNCH] = "FALLOC_FL_PUNCH_HOLE",
	[TLB_SHMEM_TRUNCATE] = "ftruncate()",
	[TLB_USERPTR_DONTNEED] = "MADV_DONTNEED under a userptr",
};

/* A huge tmpfs of our own: shmem THPs whatever shmem_enabled says. */
static char tlb_tmpfs[64];

static void tlb_tmpfs_exit_handler(int sig)
{
	(void)sig;
	if (tlb_tmpfs[0]) {
		umount2(tlb_tmpfs, MNT_DETACH);
		rmdir(tlb_tmpfs);
	}
}

/* A 2 MiB file on a huge=always tmpfs, mapped shared at a 2 MiB boundary. */
static void *tlb_map_shmem_2m(int *file)
{
	static bool handler;
	char path[96];
	void *p;

	if (!tlb_tmpfs[0]) {
		snprintf(tlb_tmpfs, sizeof(tlb_tmpfs), "/tmp/vsvm-huge-XXXXXX");
		igt_assert(mkdtemp(tlb_tmpfs));
		if (mount("vsvm-huge", tlb_tmpfs, "tmpfs", 0, "huge=always,size=16m")) {
			int err = errno;

			rmdir(tlb_tmpfs);
			tlb_tmpfs[0] = '\0';
			igt_skip("cannot mount a huge=always tmpfs: %s\n", strerror(err));
		}
		if (!handler) {
			igt_install_exit_handler(tlb_tmpfs_exit_handler);
			handler = true;
		}
	}
	snprintf(path, sizeof(path), "%s/thp", tlb_tmpfs);
	*file = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	igt_assert_fd(*file);
	unlink(path);
	igt_assert_eq(ftruncate(*file, TLB_2M), 0);
	p = tlb_map_2m(TLB_2M, MADV_NORMAL);
	igt_assert(mmap(p, TLB_2M, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			*file, 0) == p);
	return p;
}

static void tlb_drop(enum tlb_drop how, uint8_t *buf, int file, bool all)
{
	switch (how) {
	case TLB_ANON_DONTNEED:
	case TLB_USERPTR_DONTNEED:
		igt_assert_eq(madvise(buf, all ? TLB_2M : TLB_4K, MADV_DONTNEED), 0);
		break;
	case TLB_ANON_FREE:
		/* MADV_FREE only marks pages; the rest goes as with DONTNEED. */
		igt_assert_eq(madvise(buf, all ? TLB_2M : TLB_4K,
				      all ? MADV_DONTNEED : MADV_FREE), 0);
		break;
	case TLB_SHMEM_PUNCH:
		igt_assert_eq(fallocate(file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					0, all ? TLB_2M : TLB_4K), 0);
		break;
	case TLB_SHMEM_TRUNCATE:
		/* The last page, then everything; the size comes back as a hole. */
		igt_assert_eq(ftruncate(file, all ? 0 : TLB_2M - TLB_4K), 0);
		if (all)
			igt_assert_eq(ftruncate(file, TLB_2M), 0);
		break;
	}
}

/*
 * The attack of defect 1. A shader reads and writes pages 1-63 of a THP
 * that the GPU maps with one 2 MiB PTE (round 0), filling its compute
 * unit's TLB. The CPU drops one page of the THP (the zap drops the whole
 * GPU leaf; the CPU splits its PMD, a second notification that clears
 * nothing), then the rest, which frees the folio. Round 1 reads and writes
 * the pages again, round 2 after the spray took the freed memory. Each
 * round must see what the CPU sees at the address (zero: it was dropped)
 * and its writes must land there, not in the spray.
 */
static void test_stale_tlb_thp(enum tlb_drop how)
{
	const bool shmem = how == TLB_SHMEM_PUNCH || how == TLB_SHMEM_TRUNCATE;
	const char *huge_field = shmem ? "ShmemPmdMapped" : "AnonHugePages";
	const uint32_t rounds = 3;
	struct tlb_rounds_args a;
	struct vsvm_launch launch = { .args = &a, .args_size = sizeof(a) };
	struct drm_vsvm_wait w;
	struct vsvm_runner *r;
	struct tlb_spray spray;
	volatile uint64_t *flag, *done;
	int64_t clears, faults, fills_2m;
	uint64_t gpu, pfns[TLB_2M / TLB_4K], *out, seqno;
	uint32_t page;
	int file = -1, reused = -1;
	bool have_pfns;
	uint8_t *buf;
	size_t size;
	void *code = vsvm_assemble(tlb_rounds_src, &size);

	tlb_require_debugfs();
	tlb_require_thp();
	if (shmem) {
		buf = tlb_map_shmem_2m(&file);
	} else {
		buf = tlb_map_2m(TLB_2M, MADV_HUGEPAGE);
	}
	tlb_fill(buf);
	igt_require_f(vsvm_smaps_kb(buf, huge_field) >= 2048,
		      "no PMD-mapped huge page behind %p (%s %" PRId64 " kB)\n",
		      buf, huge_field, vsvm_smaps_kb(buf, huge_field));
	have_pfns = tlb_pfns(buf, pfns);

	r = vsvm_runner_create(fd, TLB_4K * 4);
	if (how == TLB_USERPTR_DONTNEED) {
		gpu = TLB_USERPTR_VA;
		vsvm_vm_map_userptr(fd, r->vm_id, buf, gpu, TLB_2M, 0);
	} else {
		gpu = to_user_pointer(buf);
		vsvm_vm_map_mirror(fd, r->vm_id, gpu, TLB_2M);
	}
	flag = (uint64_t *)(r->args + TLB_FLAG);
	done = (uint64_t *)(r->args + TLB_DONE);
	out = (uint64_t *)r->data;
	memset(r->data, 0x5a, r->data_size);
	a = (struct tlb_rounds_args){
		.flag = VSVM_RUNNER_ARGS_ADDR + TLB_FLAG,
		.done = VSVM_RUNNER_ARGS_ADDR + TLB_DONE,
		.buf = gpu, .out = vsvm_runner_addr(r, 0),
		.first = TLB_FIRST, .n = TLB_N, .rounds = rounds,
	};
	fills_2m = vsvm_counter(fd, "tlb_fills_2m");
	seqno = vsvm_runner_submit(r, code, size, &launch);

	/* Round 0: one 2 MiB PTE, the TLB filled from it with a 2 MiB entry. */
	tlb_wait_u64(done, 1, "round 0");
	for (uint32_t i = 0; i < TLB_N; i++)
		igt_assert_eq_u64(out[i], tlb_word0(TLB_FIRST + i));
	igt_assert_f(tlb_gpu_leaf(r->vm_id, gpu) == TLB_2M,
		     "the GPU does not map the huge page with a 2 MiB PTE\n");
	igt_assert_f(vsvm_counter(fd, "tlb_fills_2m") > fills_2m,
		     "round 0 filled no 2 MiB TLB entry: the partial drop "
		     "below would not test one\n");

	/* One page: the GPU leaf goes whole, the CPU splits its PMD. */
	clears = vsvm_counter(fd, "inval_clear");
	tlb_drop(how, buf, file, false);
	igt_info("%s of one page: %" PRId64 " CLEAR invalidations\n",
		 tlb_drop_name[how], vsvm_counter(fd, "inval_clear") - clears);
	igt_assert_f(vsvm_counter(fd, "inval_clear") - clears >= 2,
		     "no split after the partial drop: %" PRId64 " invalidations\n",
		     vsvm_counter(fd, "inval_clear") - clears);
	igt_assert_f(tlb_gpu_leaf(r->vm_id, gpu) == 0,
		     "the partial drop left a GPU PTE at %#" PRIx64 "\n", gpu);
	igt_assert_eq(vsvm_smaps_kb(buf, huge_field), 0);

	/* The rest: the folio is freed. Round 1 reads and writes the pages. */
	tlb_pin();
	tlb_drop(how, buf, file, true);
	faults = vsvm_counter(fd, "faults");
	__atomic_store_n(flag, 1, __ATOMIC_RELEASE);
	tlb_wait_u64(done, 2, "round 1");
	faults = vsvm_counter(fd, "faults") - faults;

	/* Round 2, once other memory has taken the freed pages. */
	tlb_spray(&spray);
	tlb_unpin();
	__atomic_store_n(flag, 2, __ATOMIC_RELEASE);
	w = tlb_wait_job(r, seqno);
	if (have_pfns)
		reused = tlb_spray_reused(&spray, pfns);
	igt_info("round 1 took %" PRId64 " GPU faults; the spray took %d of the "
		 "512 freed pages\n", faults, reused);
	igt_assert_eq_u32(w.status, DRM_VSVM_STATUS_OK);

	tlb_check_spray(&spray);
	for (uint32_t round = 1; round < rounds; round++) {
		for (uint32_t i = 0; i < TLB_N; i++) {
			uint64_t v = out[round * TLB_N + i];
			uint64_t *cpu = (uint64_t *)(buf + (TLB_FIRST + i) * TLB_4K);

			page = TLB_FIRST + i;
			igt_assert_f(!tlb_from_spray(v), "round %u read %#" PRIx64
				     " at page %u: a word of the spray, which took "
				     "the page the CPU freed\n", round, v, page);
			igt_assert_f(v == cpu[0], "round %u read %#" PRIx64 " at "
				     "page %u, where the CPU has %#" PRIx64 " since "
				     "it dropped the page%s\n", round, v, page, cpu[0],
				     v == tlb_word0(page) ? ": the freed page's old "
				     "data, through a stale translation" : "");
		}
	}
	for (uint32_t i = 0; i < TLB_N; i++) {
		uint64_t *cpu = (uint64_t *)(buf + (TLB_FIRST + i) * TLB_4K);

		page = TLB_FIRST + i;
		for (uint32_t round = 1; round < rounds; round++)
			igt_assert_f(cpu[round + 1] == tlb_marker(round, page),
				     "page %u word %u: %#" PRIx64 ", not the GPU's "
				     "round-%u write: it went to other memory\n",
				     page, round + 1, cpu[round + 1], round);
		igt_assert_eq_u64(cpu[0], 0);
		igt_assert_eq_u64(cpu[1], 0);
		for (uint32_t j = rounds + 1; j < TLB_4K / 8; j++)
			igt_assert_eq_u64(cpu[j], 0);
	}
	/* Gone from the TLB too: round 1 had to fault the pages back. */
	igt_assert_lt(0, faults);

	vsvm_runner_destroy(r);
	tlb_spray_free(&spray);
	munmap(buf, TLB_2M);
	if (file >= 0)
		close(file);
	free(code);
}

/* The runner's shader arguments for pages TLB_FIRST.. of @gpu. */
static struct tlb_rounds_args tlb_args(const struct vsvm_runner *r, uint64_t gpu,
				       uint32_t rounds)
{
	return (struct tlb_rounds_args){
		.flag = VSVM_RUNNER_ARGS_ADDR + TLB_FLAG,
		.done = VSVM_RUNNER_ARGS_ADDR + TLB_DONE,
		.buf = gpu, .out = vsvm_runner_addr(r, 0),
		.first = TLB_FIRST, .n = TLB_N, .rounds = rounds,
	};
}

/*
 * Write permission cached for a whole 2 MiB: a shader writes pages 1-63 of
 * a THP the GPU maps with one writable 2 MiB PTE (round 0), so its compute
 * unit holds one writable 2 MiB TLB entry. The CPU makes one page in the
 * middle read-only, which splits the VMA and the PMD. Round 1 writes the
 * pages again: the pages before it must take the writes, the read-only page
 * must fault READ_ONLY and keep the CPU's data, the pages after it must not
 * be reached.
 */
#define TLB_RO_PAGE	32

static void test_stale_tlb_thp_mprotect(void)
{
	struct tlb_rounds_args a;
	struct vsvm_launch launch = { .args = &a, .args_size = sizeof(a) };
	struct drm_vsvm_wait w;
	struct vsvm_runner *r;
	volatile uint64_t *flag, *done;
	int64_t prot, fills_2m;
	uint64_t gpu, *out, seqno;
	uint8_t *buf;
	size_t size;
	void *code = vsvm_assemble(tlb_rounds_src, &size);

	tlb_require_debugfs();
	tlb_require_thp();
	buf = tlb_map_2m(TLB_2M, MADV_HUGEPAGE);
	tlb_fill(buf);
	igt_require_f(vsvm_smaps_kb(buf, "AnonHugePages") >= 2048,
		      "no PMD-mapped huge page behind %p\n", buf);

	r = vsvm_runner_create(fd, TLB_4K * 4);
	gpu = to_user_pointer(buf);
	vsvm_vm_map_mirror(fd, r->vm_id, gpu, TLB_2M);
	flag = (uint64_t *)(r->args + TLB_FLAG);
	done = (uint64_t *)(r->args + TLB_DONE);
	out = (uint64_t *)r->data;
	memset(r->data, 0x5a, r->data_size);
	a = tlb_args(r, gpu, 2);
	fills_2m = vsvm_counter(fd, "tlb_fills_2m");
	seqno = vsvm_runner_submit(r, code, size, &launch);

	tlb_wait_u64(done, 1, "round 0");
	for (uint32_t i = 0; i < TLB_N; i++)
		igt_assert_eq_u64(out[i], tlb_word0(TLB_FIRST + i));
	igt_assert_f(tlb_gpu_leaf(r->vm_id, gpu) == TLB_2M,
		     "the GPU does not map the huge page with a 2 MiB PTE\n");
	igt_assert_f(vsvm_counter(fd, "tlb_fills_2m") > fills_2m,
		     "round 0 filled no 2 MiB TLB entry\n");

	prot = vsvm_counter(fd, "inval_protection");
	igt_assert_eq(mprotect(buf + TLB_RO_PAGE * TLB_4K, TLB_4K, PROT_READ), 0);
	igt_assert_eq(vsvm_smaps_kb(buf, "AnonHugePages"), 0);
	igt_info("mprotect() of one page: %" PRId64 " PROTECTION invalidations\n",
		 vsvm_counter(fd, "inval_protection") - prot);
	igt_assert_f(tlb_gpu_leaf(r->vm_id, gpu) != TLB_2M,
		     "the 2 MiB GPU leaf survived mprotect() of one page\n");

	__atomic_store_n(flag, 1, __ATOMIC_RELEASE);
	w = tlb_wait_job(r, seqno);
	igt_assert_eq_u32(w.status, DRM_VSVM_STATUS_READ_ONLY);
	igt_assert_eq_u64(w.fault_addr, gpu + TLB_RO_PAGE * TLB_4K + 2 * 8);
	igt_assert_eq_u64(*done, 1);

	for (uint32_t page = TLB_FIRST; page < TLB_FIRST + TLB_N; page++) {
		uint64_t *cpu = (uint64_t *)(buf + page * TLB_4K);
		uint64_t base = page * TLB_4K / 8;

		igt_assert_eq_u64(cpu[0], tlb_pattern(base));
		igt_assert_eq_u64(cpu[1], tlb_marker(0, page));
		if (page < TLB_RO_PAGE)
			igt_assert_eq_u64(cpu[2], tlb_marker(1, page));
		else
			igt_assert_f(cpu[2] == tlb_pattern(base + 2),
				     "page %u word 2: %#" PRIx64 ", the CPU's "
				     "data was %#" PRIx64 "%s\n", page, cpu[2],
				     tlb_pattern(base + 2), page == TLB_RO_PAGE ?
				     ": the GPU wrote a read-only page" : "");
		for (uint32_t j = 3; j < TLB_4K / 8; j++)
			igt_assert_eq_u64(cpu[j], tlb_pattern(base + j));
	}

	vsvm_runner_destroy(r);
	munmap(buf, TLB_2M);
	free(code);
}

/*
 * COW of a THP the GPU wrote through one writable 2 MiB TLB entry: after
 * fork() the folio is shared read-only with the child. The shader writes
 * the pages again: each write must break COW for the parent, so the writes
 * land in the parent's new pages and the child's copy keeps round 0's data,
 * byte for byte.
 */
static void test_stale_tlb_thp_fork(void)
{
	struct tlb_rounds_args a;
	struct vsvm_launch launch = { .args = &a, .args_size = sizeof(a) };
	struct drm_vsvm_wait w;
	struct vsvm_runner *r;
	volatile uint64_t *flag, *done;
	int64_t fills_2m, faults;
	uint64_t gpu, seqno;
	int go[2], status;
	uint8_t *buf;
	size_t size;
	pid_t child;
	void *code = vsvm_assemble(tlb_rounds_src, &size);

	tlb_require_debugfs();
	tlb_require_thp();
	buf = tlb_map_2m(TLB_2M, MADV_HUGEPAGE);
	tlb_fill(buf);
	igt_require_f(vsvm_smaps_kb(buf, "AnonHugePages") >= 2048,
		      "no PMD-mapped huge page behind %p\n", buf);

	r = vsvm_runner_create(fd, TLB_4K * 4);
	gpu = to_user_pointer(buf);
	vsvm_vm_map_mirror(fd, r->vm_id, gpu, TLB_2M);
	flag = (uint64_t *)(r->args + TLB_FLAG);
	done = (uint64_t *)(r->args + TLB_DONE);
	memset(r->data, 0x5a, r->data_size);
	a = tlb_args(r, gpu, 2);
	fills_2m = vsvm_counter(fd, "tlb_fills_2m");
	seqno = vsvm_runner_submit(r, code, size, &launch);

	tlb_wait_u64(done, 1, "round 0");
	igt_assert_f(tlb_gpu_leaf(r->vm_id, gpu) == TLB_2M,
		     "the GPU does not map the huge page with a 2 MiB PTE\n");
	igt_assert_f(vsvm_counter(fd, "tlb_fills_2m") > fills_2m,
		     "round 0 filled no 2 MiB TLB entry\n");

	igt_assert_eq(pipe(go), 0);
	child = fork();
	igt_assert(child >= 0);
	if (!child) {
		char c;
		int bad = 0;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		for (uint32_t page = TLB_FIRST; page < TLB_FIRST + TLB_N; page++) {
			uint64_t *cpu = (uint64_t *)(buf + page * TLB_4K);
			uint64_t base = page * TLB_4K / 8;

			bad += cpu[1] != tlb_marker(0, page);
			bad += cpu[2] != tlb_pattern(base + 2);
			for (uint32_t j = 3; j < TLB_4K / 8; j++)
				bad += cpu[j] != tlb_pattern(base + j);
		}
		_exit(bad ? 1 : 0);
	}
	close(go[0]);

	faults = vsvm_counter(fd, "faults");
	__atomic_store_n(flag, 1, __ATOMIC_RELEASE);
	w = tlb_wait_job(r, seqno);
	igt_assert_eq_u32(w.status, DRM_VSVM_STATUS_OK);
	faults = vsvm_counter(fd, "faults") - faults;
	igt_info("round 1 after fork(): %" PRId64 " GPU faults\n", faults);
	igt_assert_eq(write(go[1], "g", 1), 1);
	close(go[1]);
	igt_assert_eq(waitpid(child, &status, 0), child);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "the child's copy of the THP changed after fork() "
		     "(status %#x): the GPU wrote the shared folio through a "
		     "translation that outlived COW\n", status);
	for (uint32_t page = TLB_FIRST; page < TLB_FIRST + TLB_N; page++) {
		uint64_t *cpu = (uint64_t *)(buf + page * TLB_4K);

		igt_assert_eq_u64(cpu[1], tlb_marker(0, page));
		igt_assert_f(cpu[2] == tlb_marker(1, page),
			     "page %u word 2: %#" PRIx64 ", not the GPU's round-1 "
			     "write: it went to other memory\n", page, cpu[2]);
	}
	/* The write-protect of fork() zapped the writable leaf. */
	igt_assert_lt(0, faults);

	vsvm_runner_destroy(r);
	munmap(buf, TLB_2M);
	free(code);
}

/*
 * VM_CREATE of an SVM VM interrupted in vsvm_svm_prepare_mm(): the first
 * interval notifier of an mm takes all its locks, VMA by VMA, and gives up
 * with -EINTR on any pending signal. A child with thousands of VMAs tries
 * VM_CREATE (raw ioctl, no restart) once while a second thread signals it
 * without pause; then the storm stops and VM_CREATE must succeed, so an
 * interrupted attempt must have left nothing behind, and the VM is
 * destroyed by its owner like any other.
 *
 * No timer: how long the lock walk takes depends on the host (TCG, a debug
 * kernel, a busy machine), so a timer period either never lands inside it
 * or always does. A thread that keeps a signal pending lands inside any
 * walk long enough to check for one; a child whose walk beat the signal
 * reports that, and the next one has twice as many VMAs.
 */
#define EINTR_VMAS	8192
#define EINTR_VMAS_MAX	16384	/* 2 VMAs each: under the default max_map_count */

struct eintr_storm {
	pthread_t target;
	int stop;
};

static volatile sig_atomic_t eintr_handled;

static void eintr_handler(int sig)
{
	(void)sig;
	eintr_handled = 1;
}

static void *eintr_signaller(void *arg)
{
	struct eintr_storm *s = arg;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE))
		pthread_kill(s->target, SIGUSR1);
	return NULL;
}

/* Exit codes of the child. */
enum { EINTR_SEEN, EINTR_NONE, EINTR_FAIL };

static int eintr_child(int vmas)
{
	struct sigaction sa = { .sa_handler = eintr_handler };
	struct drm_vsvm_vm_create c = { .flags = DRM_VSVM_VM_CREATE_SVM };
	struct drm_vsvm_vm_destroy d = {};
	struct eintr_storm s = { .target = pthread_self() };
	pthread_t signaller;
	int eintr, ret;
	uint8_t *p;

	p = mmap(NULL, 2ul * vmas * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return EINTR_FAIL;
	for (int i = 0; i < vmas; i++)
		if (mprotect(p + 2ul * i * 4096, 4096, PROT_NONE))
			return EINTR_FAIL;
	if (sigaction(SIGUSR1, &sa, NULL) ||
	    pthread_create(&signaller, NULL, eintr_signaller, &s))
		return EINTR_FAIL;
	/* Once a handler has run, the storm is on. */
	for (int i = 0; i < 1000000 && !eintr_handled; i++)
		sched_yield();
	/*
	 * One try: the first VM_CREATE that succeeds sets the mm up for good,
	 * and no later one walks the VMAs.
	 */
	ret = ioctl(fd, DRM_IOCTL_VSVM_VM_CREATE, &c);
	if (ret && errno != EINTR)
		return EINTR_FAIL;
	eintr = !!ret;
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	pthread_join(signaller, NULL);
	/*
	 * The storm is over; at most a signal it sent last may still be on
	 * its way. The attempt that failed must not stand in the way.
	 */
	for (int i = 0; ret && i < 100; i++) {
		ret = ioctl(fd, DRM_IOCTL_VSVM_VM_CREATE, &c);
		if (ret && errno != EINTR)
			return EINTR_FAIL;
	}
	if (ret)
		return EINTR_FAIL;
	if (!c.vm_id)
		return EINTR_FAIL;
	d.vm_id = c.vm_id;
	if (ioctl(fd, DRM_IOCTL_VSVM_VM_DESTROY, &d))
		return EINTR_FAIL;
	return eintr ? EINTR_SEEN : EINTR_NONE;
}

static void test_vm_create_eintr(void)
{
	char *baseline = vsvm_objects_snapshot(fd);
	int seen = 0, status, vmas = EINTR_VMAS;

	for (int round = 0; round < 8 && !seen; round++) {
		pid_t child = fork();

		igt_assert(child >= 0);
		if (!child)
			_exit(eintr_child(vmas));
		igt_assert_eq(waitpid(child, &status, 0), child);
		igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) != EINTR_FAIL,
			     "child %d (%d VMAs): status %#x\n", round, 2 * vmas, status);
		seen += WEXITSTATUS(status) == EINTR_SEEN;
		if (!seen)
			igt_info("child %d: every VM_CREATE with %d VMAs beat the signals\n",
				 round, 2 * vmas);
		vmas = 2 * vmas < EINTR_VMAS_MAX ? 2 * vmas : EINTR_VMAS_MAX;
	}
	igt_info("%d children saw VM_CREATE fail with EINTR\n", seen);
	igt_assert_f(seen, "no VM_CREATE was interrupted: the error path did not run\n");
	vsvm_wait_objects(fd, baseline, 30);
	free(baseline);
}

/*
 * A VM for the attack across VMs: a mirror of @buf and one BO, a single
 * 2 MiB binding at a 2 MiB boundary that holds the code, the arguments and
 * the output. Unbinding it frees its page-table page, so that once the
 * mirror's PTEs are gone the VM's page table holds nothing at all.
 */
#define TLB_VM_BO_VA	0x40000000ull
#define TLB_VM_ARGS	0x40000		/* TLB slot 0, like the code */
#define TLB_VM_OUT	0x80000

struct tlb_vm {
	uint32_t vm, queue, bo;
	uint8_t *cpu;
};

static void tlb_vm_create(struct tlb_vm *v, void *buf)
{
	v->vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_SVM);
	v->queue = vsvm_queue_create(fd, v->vm);
	v->bo = vsvm_gem_create(fd, TLB_2M);
	vsvm_vm_map(fd, v->vm, v->bo, 0, TLB_VM_BO_VA, TLB_2M, 0);
	v->cpu = vsvm_gem_mmap(fd, v->bo, TLB_2M, PROT_READ | PROT_WRITE);
	vsvm_vm_map_mirror(fd, v->vm, to_user_pointer(buf), TLB_2M);
}

/* Runs round 0 of tlb_rounds_src over @buf in @wgs workgroups; returns the output. */
static const uint64_t *tlb_vm_run(struct tlb_vm *v, const void *code, size_t size,
				  void *buf, uint32_t wgs)
{
	struct tlb_rounds_args a = {
		.flag = TLB_VM_BO_VA + TLB_VM_ARGS + TLB_FLAG,
		.done = TLB_VM_BO_VA + TLB_VM_ARGS + TLB_DONE,
		.buf = to_user_pointer(buf), .out = TLB_VM_BO_VA + TLB_VM_OUT,
		.first = TLB_FIRST, .n = TLB_N, .rounds = 1,
	};
	struct drm_vsvm_exec e;

	memcpy(v->cpu, code, size);
	memcpy(v->cpu + TLB_VM_ARGS, &a, sizeof(a));
	memset(v->cpu + TLB_VM_OUT, 0x5a, (size_t)wgs * TLB_N * 8);
	vsvm_exec_init(&e, v->queue, TLB_VM_BO_VA, size);
	e.args_addr = TLB_VM_BO_VA + TLB_VM_ARGS;
	e.args_size = sizeof(a);
	e.grid[0] = wgs;
	vsvm_wait_ok(fd, v->queue, vsvm_exec(fd, &e));
	return (const uint64_t *)(v->cpu + TLB_VM_OUT);
}

static void tlb_vm_destroy(struct tlb_vm *v)
{
	munmap(v->cpu, TLB_2M);
	vsvm_queue_destroy(fd, v->queue);
	vsvm_vm_destroy(fd, v->vm);
	vsvm_gem_close(fd, v->bo);
}

/*
 * Defect 1 across VMs. TLB entries were tagged with the address of their
 * page table, and freeing a table flushed nothing when no PTE was left: an
 * entry left by a partial drop outlived its VM and matched the next VM
 * allocated at the same address. A VM fills a TLB from a THP, loses the
 * GPU leaf to a partial MADV_DONTNEED and is destroyed with nothing left
 * in its page table; the folio is freed and sprayed; new VMs mirroring the
 * same address read and write the pages on every compute unit, and must
 * see only what the CPU sees there.
 */
static void test_stale_tlb_vm_recreate(void)
{
	const uint32_t attempts = 8, wgs = 4 * vsvm_get_param(fd, DRM_VSVM_PARAM_NUM_CUS);
	uint64_t pfns[TLB_2M / TLB_4K];
	const uint64_t *out;
	struct tlb_spray spray;
	struct tlb_vm v;
	int64_t vms;
	int reused = -1;
	bool have_pfns;
	uint8_t *buf;
	size_t size;
	void *code = vsvm_assemble(tlb_rounds_src, &size);

	tlb_require_debugfs();
	tlb_require_thp();
	buf = tlb_map_2m(TLB_2M, MADV_HUGEPAGE);
	tlb_fill(buf);
	igt_require_f(vsvm_smaps_kb(buf, "AnonHugePages") >= 2048,
		      "no huge page behind %p\n", buf);
	have_pfns = tlb_pfns(buf, pfns);

	/* Not counting a VM an earlier test's last job still holds. */
	igt_assert(vsvm_objects_settle(fd, NULL));
	vms = vsvm_debugfs_value(fd, "objects", "vm");
	tlb_vm_create(&v, buf);
	out = tlb_vm_run(&v, code, size, buf, 1);
	for (uint32_t i = 0; i < TLB_N; i++)
		igt_assert_eq_u64(out[i], tlb_word0(TLB_FIRST + i));
	igt_assert_f(tlb_gpu_leaf(v.vm, to_user_pointer(buf)) == TLB_2M,
		     "the GPU does not map the huge page with a 2 MiB PTE\n");
	tlb_drop(TLB_ANON_DONTNEED, buf, -1, false);
	igt_assert_f(tlb_gpu_leaf(v.vm, to_user_pointer(buf)) == 0,
		     "the partial drop left a GPU PTE at %p\n", buf);

	/* The VM goes, on this CPU, so that the next one can take its place. */
	tlb_pin();
	tlb_vm_destroy(&v);
	for (int i = 0; vsvm_debugfs_value(fd, "objects", "vm") > vms; i++) {
		igt_assert_f(i < vsvm_scaled_limit(6000), "the destroyed VM was never freed\n");
		usleep(10 * 1000);
	}
	tlb_drop(TLB_ANON_DONTNEED, buf, -1, true);
	tlb_spray(&spray);

	for (uint32_t k = 0; k < attempts; k++) {
		tlb_vm_create(&v, buf);
		out = tlb_vm_run(&v, code, size, buf, wgs);
		for (uint32_t wg = 0; wg < wgs; wg++) {
			for (uint32_t i = 0; i < TLB_N; i++) {
				uint64_t x = out[wg * TLB_N + i];
				uint32_t page = TLB_FIRST + i;

				igt_assert_f(!tlb_from_spray(x), "new VM %u, workgroup "
					     "%u read %#" PRIx64 " at page %u: a word of "
					     "the spray, through a translation of the "
					     "destroyed VM\n", k, wg, x, page);
				igt_assert_f(x == 0, "new VM %u, workgroup %u read %#"
					     PRIx64 " at page %u, where the CPU has 0%s\n",
					     k, wg, x, page, x == tlb_word0(page) ?
					     ": the freed page's old data, through a "
					     "translation of the destroyed VM" : "");
			}
		}
		tlb_vm_destroy(&v);
	}
	tlb_unpin();
	if (have_pfns)
		reused = tlb_spray_reused(&spray, pfns);
	igt_info("the spray took %d of the 512 freed pages\n", reused);

	tlb_check_spray(&spray);
	for (uint32_t i = 0; i < TLB_N; i++) {
		uint64_t *cpu = (uint64_t *)(buf + (TLB_FIRST + i) * TLB_4K);

		igt_assert_f(cpu[1] == tlb_marker(0, TLB_FIRST + i),
			     "page %u word 1: %#" PRIx64 ", not the new VMs' "
			     "write: it went to other memory\n", TLB_FIRST + i,
			     cpu[1]);
		igt_assert_eq_u64(cpu[0], 0);
	}

	tlb_spray_free(&spray);
	munmap(buf, TLB_2M);
	free(code);
}

/*
 * The TLB's reach (struct vsvm_tlb in vsvm_mmu.h), measured with
 * vsvm_copy_kernel.h's copy, as bench/tlb.c does.
 */

/* Runs vsvm_copy_src once; returns the page-table walks the TLBs took. */
static int64_t tlb_copy_walks(struct vsvm_runner *r, const void *code, size_t size,
			      const struct vsvm_copy_args *a)
{
	struct vsvm_launch launch = {
		.wg_size = { 32 }, .args = a, .args_size = sizeof(*a),
	};
	int64_t walks = vsvm_counter(fd, "tlb_walks");

	vsvm_runner_exec(r, code, size, &launch);
	return vsvm_counter(fd, "tlb_walks") - walks;
}

/*
 * Walks of @a, as a warmed run, under the TLB the module uses and, when
 * it has the test switch, under the direct-mapped 4 KiB TLB it replaced
 * (-1 if not). @check verifies the copy after each.
 */
static void tlb_copy_compare(struct vsvm_runner *r, struct vsvm_copy_args *a,
			     void (*check)(void *), void *data,
			     int64_t *walks, int64_t *walks_old)
{
	size_t size;
	void *code = vsvm_assemble(vsvm_copy_src, &size);
	uint64_t rounds = a->rounds;

	/* Warm-up: GPU faults map everything; their retries walk too. */
	a->rounds = 1;
	tlb_copy_walks(r, code, size, a);
	check(data);
	a->rounds = rounds;
	*walks = tlb_copy_walks(r, code, size, a);
	check(data);
	*walks_old = -1;
	if (!__vsvm_param_set("debug_tlb_direct_mapped", "1")) {
		*walks_old = tlb_copy_walks(r, code, size, a);
		vsvm_param_restore("debug_tlb_direct_mapped");
		check(data);
	}
	free(code);
}

struct tlb_2m_copy {
	uint8_t *src, *dst;
};

static void tlb_2m_check(void *data)
{
	struct tlb_2m_copy *c = data;

	for (uint64_t i = 0; i < TLB_2M; i++)
		igt_assert_f(c->dst[i] == c->src[i], "byte %#" PRIx64 " of the copy: "
			     "%#x, the source has %#x\n", i, c->dst[i], c->src[i]);
	memset(c->dst, 0, TLB_2M);
}

/*
 * A shader streams through a THP that the GPU maps with one 2 MiB PTE,
 * copying it into another: each is one 2 MiB TLB entry, so a warmed run
 * takes a handful of walks where a TLB of 4 KiB entries takes one per page
 * per round (the source and destination pages even evicted each other in
 * the direct-mapped one: same slot).
 */
static void test_tlb_2m_entry(void)
{
	struct tlb_2m_copy c;
	struct vsvm_copy_args a;
	struct vsvm_runner *r;
	int64_t fills, walks, walks_old;

	tlb_require_debugfs();
	tlb_require_thp();
	c.src = tlb_map_2m(TLB_2M, MADV_HUGEPAGE);
	c.dst = tlb_map_2m(TLB_2M, MADV_HUGEPAGE);
	tlb_fill(c.src);
	memset(c.dst, 0, TLB_2M);
	igt_require_f(vsvm_smaps_kb(c.src, "AnonHugePages") >= 2048 &&
		      vsvm_smaps_kb(c.dst, "AnonHugePages") >= 2048,
		      "no PMD-mapped huge pages behind %p and %p\n", c.src, c.dst);

	r = vsvm_runner_create(fd, TLB_4K);
	vsvm_vm_map_mirror(fd, r->vm_id, to_user_pointer(c.src), TLB_2M);
	vsvm_vm_map_mirror(fd, r->vm_id, to_user_pointer(c.dst), TLB_2M);
	a = (struct vsvm_copy_args){
		.src = to_user_pointer(c.src), .dst = to_user_pointer(c.dst),
		.n = TLB_2M / VSVM_COPY_BLOCK, .src_step = VSVM_COPY_BLOCK,
		.dst_step = VSVM_COPY_BLOCK, .rounds = 4, .lane_step = 16,
	};
	fills = vsvm_counter(fd, "tlb_fills_2m");
	tlb_copy_compare(r, &a, tlb_2m_check, &c, &walks, &walks_old);
	fills = vsvm_counter(fd, "tlb_fills_2m") - fills;
	igt_info("4 rounds over 2 x 2 MiB: %" PRId64 " walks, %" PRId64
		 " with the direct-mapped 4 KiB TLB; %" PRId64 " 2 MiB entries filled\n",
		 walks, walks_old, fills);
	igt_assert_f(tlb_gpu_leaf(r->vm_id, a.src) == TLB_2M &&
		     tlb_gpu_leaf(r->vm_id, a.dst) == TLB_2M,
		     "the GPU does not map the huge pages with 2 MiB PTEs\n");
	igt_assert_f(fills >= 2, "%" PRId64 " 2 MiB TLB entries filled\n", fills);
	igt_assert_f(walks <= 16, "%" PRId64 " walks: the 2 MiB PTEs were cached "
		     "by 4 KiB\n", walks);
	if (walks_old >= 0)
		igt_assert_f(walks_old >= 4 * 2 * (int64_t)(TLB_2M / TLB_4K),
			     "the direct-mapped TLB took only %" PRId64 " walks: "
			     "the test does not measure the TLB\n", walks_old);
	vsvm_runner_destroy(r);
	munmap(c.src, TLB_2M);
	munmap(c.dst, TLB_2M);
}

struct tlb_stride_copy {
	const uint8_t *src;
	uint8_t *dst;
	uint64_t pages, stride;
};

static void tlb_stride_check(void *data)
{
	struct tlb_stride_copy *c = data;

	for (uint64_t i = 0; i < c->pages; i++)
		for (uint64_t j = 0; j < VSVM_COPY_BLOCK; j++)
			igt_assert_f(c->dst[i * VSVM_COPY_BLOCK + j] ==
				     c->src[i * c->stride + j],
				     "block %" PRIu64 " byte %" PRIu64 ": %#x, the "
				     "source has %#x\n", i, j,
				     c->dst[i * VSVM_COPY_BLOCK + j],
				     c->src[i * c->stride + j]);
	memset(c->dst, 0, c->pages * VSVM_COPY_BLOCK);
}

/*
 * 32 pages of 4 KiB at a power-of-two stride of 16, 64 and 512 pages:
 * the direct-mapped TLB put them in 4, 1 and 1 of its 64 slots and missed
 * on every access; the set-associative one holds them all, so a warmed run
 * takes at most one walk per page.
 */
static void test_tlb_stride(void)
{
	static const uint64_t strides[] = { 16, 64, 512 };
	const uint64_t pages = 32, rounds = 4;

	tlb_require_debugfs();
	for (unsigned int s = 0; s < ARRAY_SIZE(strides); s++) {
		uint64_t stride = strides[s] * TLB_4K, span = pages * stride;
		struct tlb_stride_copy c = { .pages = pages, .stride = stride };
		struct vsvm_copy_args a;
		struct vsvm_runner *r;
		int64_t walks, walks_old;
		uint8_t *buf = tlb_map_2m(span, MADV_NOHUGEPAGE);

		for (uint64_t i = 0; i < pages; i++)
			for (uint64_t w = 0; w < TLB_4K / 8; w++)
				((uint64_t *)(buf + i * stride))[w] =
					tlb_pattern(i * TLB_4K / 8 + w);
		r = vsvm_runner_create(fd, pages * VSVM_COPY_BLOCK);
		vsvm_vm_map_mirror(fd, r->vm_id, to_user_pointer(buf), span);
		c.src = buf;
		c.dst = r->data;
		a = (struct vsvm_copy_args){
			.src = to_user_pointer(buf), .dst = vsvm_runner_addr(r, 0),
			.n = pages, .src_step = stride, .dst_step = VSVM_COPY_BLOCK,
			.rounds = rounds, .lane_step = 16,
		};
		tlb_copy_compare(r, &a, tlb_stride_check, &c, &walks, &walks_old);
		igt_info("stride %" PRIu64 " KiB, %" PRIu64 " rounds over %" PRIu64
			 " pages: %" PRId64 " walks, %" PRId64 " with the "
			 "direct-mapped TLB\n", stride >> 10, rounds, pages, walks,
			 walks_old);
		igt_assert_f(walks <= (int64_t)pages + 8, "stride %" PRIu64 " KiB: %"
			     PRId64 " walks, the TLB thrashes\n", stride >> 10, walks);
		if (walks_old >= 0)
			igt_assert_f(walks_old >= (int64_t)(rounds * pages),
				     "the direct-mapped TLB took only %" PRId64
				     " walks: the test does not measure the TLB\n",
				     walks_old);
		vsvm_runner_destroy(r);
		munmap(buf, span);
	}
}

/*
 * Defect 2: teardown racing the CPU. A shader sweeps pages of a 2 MiB
 * buffer, reading and writing each, while another thread tears down the
 * binding (VM_BIND unmap of a mirror or a userptr, or VM_DESTROY), held
 * between its two steps by fault_inject/teardown_delay_us. Meanwhile the
 * CPU unmaps the buffer, which frees it, and the spray takes the pages.
 * Zapping first, the shader cannot reach the buffer once the teardown has
 * begun; removing the notifier first, nobody tells vsvm about the munmap
 * and the shader sweeps the spray until the zap.
 */
enum tlb_teardown {
	TLB_UNBIND_MIRROR,
	TLB_UNBIND_USERPTR,
	TLB_VM_DESTROY,
};

static const char *const tlb_teardown_name[] = {
	[TLB_UNBIND_MIRROR] = "VM_BIND unmap of the mirror",
	[TLB_UNBIND_USERPTR] = "VM_BIND unmap of the userptr",
	[TLB_VM_DESTROY] = "VM_DESTROY",
};

/*
 * The buffer mirrored at a GPU address below the runner's BOs: VM_DESTROY
 * tears bindings down in address order, and must reach this one while the
 * shader's argument and output BOs are still bound.
 */
#define TLB_LOW_VA	0x6000000ull
/*
 * The window: long enough for the CPU to free and spray 18 MiB on a loaded
 * machine, under a job timeout raised above it for the test.
 */
#define TLB_TEARDOWN_US		8000000
#define TLB_JOB_TIMEOUT_MS	"120000"

struct tlb_teardown_thread {
	enum tlb_teardown how;
	uint32_t vm_id;
	uint64_t gpu;
	int ret;
	bool returned;
};

static void *tlb_teardown(void *data)
{
	struct tlb_teardown_thread *t = data;

	if (t->how == TLB_VM_DESTROY)
		t->ret = __vsvm_vm_destroy(fd, t->vm_id);
	else
		t->ret = __vsvm_vm_unmap(fd, t->vm_id, t->gpu, TLB_2M);
	__atomic_store_n(&t->returned, true, __ATOMIC_RELEASE);
	return NULL;
}

static void tlb_teardown_exit_handler(int sig)
{
	(void)sig;
	if (fd >= 0)
		vsvm_debugfs_write_u64(fd, "fault_inject/teardown_delay_us", 0);
}

/* Lines of debugfs "log" that hold @needle. */
static int tlb_log_count(const char *needle)
{
	char *text = vsvm_debugfs_read(fd, "log"), *at;
	int n = 0;

	igt_assert_f(text, "cannot read debugfs log: %m\n");
	for (at = strstr(text, needle); at; at = strstr(at + 1, needle))
		n++;
	free(text);
	return n;
}

static void test_teardown_race(enum tlb_teardown how)
{
	static bool handler;
	struct tlb_teardown_thread t = { .how = how };
	struct tlb_rounds_args a;
	struct vsvm_launch launch = { .args = &a, .args_size = sizeof(a) };
	uint64_t pfns[TLB_2M / TLB_4K], *out, seqno, sweeps;
	struct drm_vsvm_wait w;
	struct vsvm_runner *r;
	struct tlb_spray spray;
	volatile uint64_t *done;
	struct timespec t0;
	char line[96];
	int logged;
	pthread_t thread;
	bool in_window;
	int reused;
	uint8_t *buf;
	size_t size;
	void *code = vsvm_assemble(tlb_sweep_src, &size);

	tlb_require_debugfs();
	igt_require_f(igt_debugfs_exists(fd, "fault_inject/teardown_delay_us", O_RDWR),
		      "no fault_inject/teardown_delay_us\n");
	if (!handler) {
		igt_install_exit_handler(tlb_teardown_exit_handler);
		handler = true;
	}
	vsvm_param_set("job_timeout_ms", TLB_JOB_TIMEOUT_MS);
	buf = mmap(from_user_pointer(TLB_LOW_VA), TLB_2M, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	igt_require_f(buf == from_user_pointer(TLB_LOW_VA),
		      "cannot map at %#llx: %m\n", TLB_LOW_VA);
	tlb_fill(buf);
	igt_require_f(tlb_pfns(buf, pfns), "pagemap hides page frames\n");

	r = vsvm_runner_create(fd, TLB_4K * 4);
	t.vm_id = r->vm_id;
	if (how == TLB_UNBIND_USERPTR) {
		t.gpu = TLB_USERPTR_VA;
		vsvm_vm_map_userptr(fd, r->vm_id, buf, t.gpu, TLB_2M, 0);
	} else {
		t.gpu = TLB_LOW_VA;
		vsvm_vm_map_mirror(fd, r->vm_id, t.gpu, TLB_2M);
	}
	done = (uint64_t *)(r->args + TLB_DONE);
	out = (uint64_t *)r->data;
	a = tlb_args(r, t.gpu, 0);
	seqno = vsvm_runner_submit(r, code, size, &launch);
	tlb_wait_u64(done, 2, "the shader's first sweeps");

	/* Wait for this VM's range, not another process's, to enter the window. */
	snprintf(line, sizeof(line), "teardown of pid %d vm %u range %#llx delayed",
		 getpid(), r->vm_id, TLB_LOW_VA);
	igt_assert_eq(vsvm_debugfs_write_u64(fd, "fault_inject/teardown_delay_us",
					     TLB_TEARDOWN_US), 0);
	logged = tlb_log_count(line);
	igt_assert_eq(pthread_create(&thread, NULL, tlb_teardown, &t), 0);
	for (int i = 0; tlb_log_count(line) == logged; i++) {
		igt_assert_f(i < vsvm_scaled_limit(60000) &&
			     !__atomic_load_n(&t.returned, __ATOMIC_ACQUIRE),
			     "%s never reached the range teardown\n",
			     tlb_teardown_name[how]);
		usleep(1000);
	}

	/* In the window: the CPU frees the buffer, the spray takes its pages. */
	tlb_pin();
	igt_assert_eq(munmap(buf, TLB_2M), 0);
	tlb_spray(&spray);
	tlb_unpin();
	in_window = !__atomic_load_n(&t.returned, __ATOMIC_ACQUIRE);
	/* Give a shader that can still reach the spray time to sweep it. */
	sweeps = *done;
	igt_gettime(&t0);
	while (*done < sweeps + 2 && !__atomic_load_n(&t.returned, __ATOMIC_ACQUIRE) &&
	       igt_nsec_elapsed(&t0) < 500ull * 1000 * 1000)
		usleep(1000);
	igt_info("%s: the shader swept %" PRIu64 " more times after the spray\n",
		 tlb_teardown_name[how], *done - sweeps);

	vsvm_debugfs_write_u64(fd, "fault_inject/teardown_delay_us", 0);
	igt_assert_eq(pthread_join(thread, NULL), 0);
	igt_assert_eq(t.ret, 0);
	w = tlb_wait_job(r, seqno);
	reused = tlb_spray_reused(&spray, pfns);
	igt_info("the spray took %d of the 512 freed pages\n", reused);

	tlb_check_spray(&spray);
	for (uint32_t i = 0; i < TLB_N; i++) {
		uint32_t page = TLB_FIRST + i;

		igt_assert_f(!tlb_from_spray(out[i]), "the shader read %#" PRIx64
			     " at page %u: a word of the spray, which took the "
			     "page the CPU freed\n", out[i], page);
		igt_assert_f(out[i] == tlb_word0(page), "the shader read %#" PRIx64
			     " at page %u, where the CPU had %#" PRIx64 "\n",
			     out[i], page, tlb_word0(page));
	}
	igt_assert_eq_u32(w.status, DRM_VSVM_STATUS_UNMAPPED);
	/* The target path: freed and reused while the teardown was under way. */
	igt_assert_f(in_window, "%s ended before the CPU had freed and reused "
		     "the memory\n", tlb_teardown_name[how]);
	igt_assert_f(reused > 0, "the spray took none of the freed pages\n");

	if (how == TLB_VM_DESTROY)
		r->vm_id = 0;
	vsvm_runner_destroy(r);
	tlb_spray_free(&spray);
	vsvm_param_restore("job_timeout_ms");
	free(code);
}

/* ---- end section: translations and teardown ---- */


/* ---- section: unreachable memory, isolation, accounting (defects 3, 4, 6, 8) ---- */

#include <stdarg.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>

/*
 * Everything here targets SVM VMs, created with DRM_VSVM_VM_CREATE_SVM, so
 * it builds its own VMs instead of using vsvm_runner. Buffer objects live at
 * ISO_BO_VA and above, where no mirror reaches, so that only the memory
 * under test can fault.
 */
#define ISO_4K		((uint64_t)0x1000)
#define ISO_64K		((uint64_t)0x10000)
#define ISO_1M		((uint64_t)0x100000)
#define ISO_2M		((uint64_t)0x200000)
#define ISO_1G		((uint64_t)0x40000000)
#define ISO_BO_VA	((uint64_t)1 << 47)
#define ISO_WG		64
#define ISO_SECRET_SYSCALL	447	/* memfd_secret(), glibc 2.36 has no wrapper */

static uint64_t iso_mirror_end;	/* mirrors "of everything" stop here */
static char iso_dev_path[64];	/* the device node, for files of one's own */

#define iso_check_err(ret, err, what) do { \
	int __r = (ret); \
	igt_assert_f(__r == (err), "%s: got %d (%s), expected %d (%s)\n", \
		     what, __r, strerror(-__r), (err), strerror(-(err))); \
} while (0)

static int __svm_vm_create(int dfd, uint32_t flags, uint32_t *vm_id)
{
	struct drm_vsvm_vm_create c = { .flags = flags };
	int ret = __vsvm_ioctl(dfd, DRM_IOCTL_VSVM_VM_CREATE, &c);

	*vm_id = c.vm_id;
	return ret;
}

static uint32_t svm_vm_create(int dfd, uint32_t flags)
{
	uint32_t vm_id = 0;

	igt_assert_eq(__svm_vm_create(dfd, flags, &vm_id), 0);
	igt_assert(vm_id);
	return vm_id;
}

/* Arguments: 0 src, 8 dst (u64 pointers), 16 n (u32): dst[i] = src[i]. */
static const char iso_copy_src[] =
	"	sv r0, global_id.x\n"
	"	ldarg.u32 r1, 16\n"
	"	icmp.ltu.32 r2, r0, r1\n"
	"	if r2\n"
	"	    ldarg.u64 r3, 0\n"
	"	    ldarg.u64 r4, 8\n"
	"	    shl.64 r5, r0, 3\n"
	"	    add.64 r3, r3, r5\n"
	"	    add.64 r4, r4, r5\n"
	"	    ld.global.u64 r6, [r3]\n"
	"	    st.global.u64 [r4], r6\n"
	"	endif\n"
	"	end\n";

struct iso_copy_args {
	uint64_t src, dst;
	uint32_t n;
};

/*
 * One lane: sets *started, spins until *flag != 0, then copies n u64 words
 * from src to dst, in order. Arguments: 0 flag, 8 started, 16 src, 24 dst
 * (u64 pointers), 32 n (u32).
 */
static const char iso_wait_copy_src[] =
	"	ldarg.u64 r1, 0\n"
	"	ldarg.u64 r2, 8\n"
	"	movi r3, 1\n"
	"	st.global.u64 [r2], r3\n"
	"	fence\n"
	"	loop\n"
	"	    ld.global.u64 r4, [r1]\n"
	"	    icmp.ne.32 r5, r4, 0\n"
	"	    if r5\n"
	"	        break\n"
	"	    endif\n"
	"	endloop\n"
	"	ldarg.u64 r6, 16\n"
	"	ldarg.u64 r7, 24\n"
	"	ldarg.u32 r8, 32\n"
	"	movi r9, 0\n"
	"	loop\n"
	"	    icmp.eq.32 r10, r9, r8\n"
	"	    if r10\n"
	"	        break\n"
	"	    endif\n"
	"	    shl.64 r11, r9, 3\n"
	"	    add.64 r12, r6, r11\n"
	"	    ld.global.u64 r13, [r12]\n"
	"	    add.64 r12, r7, r11\n"
	"	    st.global.u64 [r12], r13\n"
	"	    add.32 r9, r9, 1\n"
	"	endloop\n"
	"	end\n";

struct iso_wait_copy_args {
	uint64_t flag, started, src, dst;
	uint32_t n;
};

/* Lane i reads the u64 at base + i * stride. Arguments: 0 base, 8 stride, 16 n. */
static const char iso_touch_src[] =
	"	sv r0, global_id.x\n"
	"	ldarg.u32 r1, 16\n"
	"	icmp.ltu.32 r2, r0, r1\n"
	"	if r2\n"
	"	    ldarg.u64 r3, 0\n"
	"	    ldarg.u64 r4, 8\n"
	"	    mul.64 r5, r0, r4\n"
	"	    add.64 r3, r3, r5\n"
	"	    ld.global.u64 r6, [r3]\n"
	"	endif\n"
	"	end\n";

struct iso_touch_args {
	uint64_t base, stride;
	uint32_t n;
};

static const char iso_end_src[] = "	end\n";

/* A VM, maybe a mirror of everything below iso_mirror_end, and a queue. */
struct iso_ctx {
	int fd;
	uint32_t vm, queue;
	uint64_t next_va;
};

static void iso_ctx_init(struct iso_ctx *c, int dfd, uint32_t flags,
			 bool mirror_all)
{
	c->fd = dfd;
	c->vm = svm_vm_create(dfd, flags);
	if (mirror_all)
		vsvm_vm_map_mirror(dfd, c->vm, 0, iso_mirror_end);
	c->queue = vsvm_queue_create(dfd, c->vm);
	c->next_va = ISO_BO_VA;
}

static void iso_ctx_fini(struct iso_ctx *c)
{
	vsvm_queue_destroy(c->fd, c->queue);
	vsvm_vm_destroy(c->fd, c->vm);
}

static uint64_t iso_va(struct iso_ctx *c, uint64_t size)
{
	uint64_t va = c->next_va;

	c->next_va += ALIGN(size, ISO_64K);
	return va;
}

/* A zeroed BO bound at a fresh GPU address; *cpu maps it, *handle names it. */
static uint64_t iso_bo(struct iso_ctx *c, uint64_t size, void **cpu,
		       uint32_t *handle)
{
	uint64_t va = iso_va(c, size);
	uint32_t bo;

	size = ALIGN(size, ISO_4K);
	bo = vsvm_gem_create(c->fd, size);
	vsvm_vm_map(c->fd, c->vm, bo, 0, va, size, 0);
	if (cpu)
		*cpu = vsvm_gem_mmap(c->fd, bo, size, PROT_READ | PROT_WRITE);
	if (handle)
		*handle = bo;
	else
		vsvm_gem_close(c->fd, bo);
	return va;
}

static uint64_t iso_code(struct iso_ctx *c, const char *src, uint32_t *size)
{
	size_t n;
	void *code = vsvm_assemble(src, &n);
	uint64_t va = iso_va(c, n);

	vsvm_gem_close(c->fd, vsvm_upload_code(c->fd, c->vm, va, code, n));
	free(code);
	*size = n;
	return va;
}

/* Arguments in a BO of their own, left mapped at *cpu if asked. */
static uint64_t iso_args(struct iso_ctx *c, const void *args, uint32_t size,
			 void **cpu)
{
	void *p;
	uint64_t va = iso_bo(c, ISO_4K, &p, NULL);

	memcpy(p, args, size);
	if (cpu)
		*cpu = p;
	else
		munmap(p, ISO_4K);
	return va;
}

static void iso_exec_init(struct drm_vsvm_exec *e, uint32_t queue,
			  uint64_t code, uint32_t code_size, uint64_t args,
			  uint32_t args_size, uint32_t lanes)
{
	vsvm_exec_init(e, queue, code, code_size);
	e->args_addr = args;
	e->args_size = args_size;
	e->wg_size[0] = lanes < ISO_WG ? lanes : ISO_WG;
	e->grid[0] = (lanes + ISO_WG - 1) / ISO_WG;
}

static uint64_t iso_submit(struct iso_ctx *c, uint64_t code, uint32_t code_size,
			   uint64_t args, uint32_t args_size, uint32_t lanes)
{
	struct drm_vsvm_exec e;

	iso_exec_init(&e, c->queue, code, code_size, args, args_size, lanes);
	return vsvm_exec(c->fd, &e);
}

static struct drm_vsvm_wait iso_wait(int dfd, uint32_t queue, uint64_t seqno)
{
	struct drm_vsvm_wait w;

	igt_assert_eq(__vsvm_wait(dfd, queue, seqno, VSVM_WAIT_TIMEOUT_NS, &w), 0);
	igt_info("queue %u job %" PRIu64 ": %s, access %#x at %#llx, pc %#x\n",
		 queue, seqno, vsvm_status_name(w.status), w.fault_access,
		 (unsigned long long)w.fault_addr, w.fault_pc);
	return w;
}

/*
 * Waits up to a minute (scaled: vsvm_scaled_limit()) for a u64 the GPU
 * sets; false if it never came.
 */
static bool iso_wait_flag(volatile uint64_t *flag)
{
	for (int64_t i = 0; i < vsvm_scaled_limit(60000); i++) {
		if (__atomic_load_n(flag, __ATOMIC_ACQUIRE))
			return true;
		usleep(1000);
	}
	return false;
}

static void iso_require_debugfs(int dfd)
{
	igt_require_f(igt_debugfs_exists(dfd, "log", O_RDONLY) &&
		      igt_debugfs_exists(dfd, "objects", O_RDONLY),
		      "no vsvm debugfs\n");
}

static int64_t iso_objects(int dfd, const char *name)
{
	int64_t v = vsvm_debugfs_value(dfd, "objects", name);

	igt_assert_f(v >= 0, "no \"%s\" in debugfs objects\n", name);
	return v;
}

/* Anonymous memory, @size bytes at a 2 MiB boundary. */
static void *iso_map_2m(uint64_t size, int prot, int flags)
{
	uint8_t *p = mmap(NULL, size + ISO_2M, prot,
			  MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	uint8_t *a;

	igt_assert(p != MAP_FAILED);
	a = (uint8_t *)ALIGN((uintptr_t)p, ISO_2M);
	if (a > p)
		munmap(p, a - p);
	munmap(a + size, p + ISO_2M - a);
	return a;
}

static uint64_t iso_pattern(uint64_t seed, uint64_t i)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull ^ (seed << 32 | seed);

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	return (x ^ (x >> 32)) | 0x0101010101010101ull;	/* no zero byte */
}

static void iso_fill_pattern(void *p, uint64_t bytes, uint64_t seed)
{
	for (uint64_t i = 0; i < bytes / 8; i++)
		((uint64_t *)p)[i] = iso_pattern(seed, i);
}

static void iso_check_pattern(const void *p, uint64_t bytes, uint64_t seed)
{
	for (uint64_t i = 0; i < bytes / 8; i++)
		igt_assert_f(((const uint64_t *)p)[i] == iso_pattern(seed, i),
			     "word %" PRIu64 ": %#" PRIx64 ", expected %#" PRIx64 "\n",
			     i, ((const uint64_t *)p)[i], iso_pattern(seed, i));
}

static void iso_check_bytes(const void *p, uint64_t bytes, uint8_t value)
{
	for (uint64_t i = 0; i < bytes; i++)
		igt_assert_f(((const uint8_t *)p)[i] == value,
			     "byte %" PRIu64 ": %#x, expected %#x\n", i,
			     ((const uint8_t *)p)[i], value);
}

/*
 * memfd_secret() memory: the kernel removes its pages from the direct map
 * when they are first touched, so nothing in the kernel may dereference
 * them. Filled with pattern @seed.
 */
static uint8_t *iso_secret_map(uint64_t size, uint64_t seed, int *memfd)
{
	int sfd = syscall(ISO_SECRET_SYSCALL, 0);
	uint8_t *p;

	igt_require_f(sfd >= 0, "memfd_secret() unavailable: %m\n");
	igt_assert_eq(ftruncate(sfd, size), 0);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
	igt_require_f(p != MAP_FAILED, "cannot map memfd_secret(): %m\n");
	iso_fill_pattern(p, size, seed);
	if (memfd)
		*memfd = sfd;
	else
		close(sfd);
	return p;
}

/*
 * Unreachable memory: memfd_secret() pages are out of the kernel's direct
 * map, so vsvm must never map them for the GPU: a job touching them ends
 * DRM_VSVM_STATUS_UNREACHABLE with a debugfs log line, and nothing of the
 * secret reaches the GPU. Before the fix the interpreter dereferenced the
 * direct-map address and the kernel oopsed.
 */
static void test_unreachable_mirror_job(void)
{
	const uint64_t size = 2 * ISO_4K;
	uint8_t *secret = iso_secret_map(size, 0x5ec, NULL), *out;
	uint64_t *plain = iso_map_2m(ISO_2M, PROT_READ | PROT_WRITE, 0);
	uint64_t copy, fill, out_va, seqno;
	uint32_t copy_size, fill_size;
	struct iso_copy_args ca;
	struct vsvm_fill_args fa;
	struct drm_vsvm_wait w;
	char line[96];
	struct iso_ctx c;

	iso_require_debugfs(fd);
	iso_ctx_init(&c, fd, DRM_VSVM_VM_CREATE_SVM, true);
	copy = iso_code(&c, iso_copy_src, &copy_size);
	fill = iso_code(&c, vsvm_fill_src, &fill_size);
	out_va = iso_bo(&c, size, (void **)&out, NULL);

	/* A GPU read of the secret: refused, nothing copied. */
	memset(out, 0x5a, size);
	ca = (struct iso_copy_args){ to_user_pointer(secret), out_va, size / 8 };
	seqno = iso_submit(&c, copy, copy_size,
			   iso_args(&c, &ca, sizeof(ca), NULL), sizeof(ca),
			   size / 8);
	w = iso_wait(fd, c.queue, seqno);
	igt_assert_f(w.status == DRM_VSVM_STATUS_UNREACHABLE,
		     "read of memfd_secret memory: %s, expected UNREACHABLE\n",
		     vsvm_status_name(w.status));
	igt_assert_eq_u32(w.fault_access & DRM_VSVM_ACCESS_READ,
			  DRM_VSVM_ACCESS_READ);
	igt_assert_lte_u64(to_user_pointer(secret), w.fault_addr);
	igt_assert_lt_u64(w.fault_addr, to_user_pointer(secret) + size);
	iso_check_bytes(out, size, 0x5a);
	snprintf(line, sizeof(line), "queue %u job %" PRIu64 ": status %u",
		 c.queue, seqno, DRM_VSVM_STATUS_UNREACHABLE);
	igt_assert(vsvm_log_has(fd, line));

	/* A GPU write: refused, the secret unchanged. */
	fa = (struct vsvm_fill_args){ .dst = to_user_pointer(secret),
						.seed = 0xbad, .n = size / 8 };
	seqno = iso_submit(&c, fill, fill_size,
			   iso_args(&c, &fa, sizeof(fa), NULL), sizeof(fa),
			   size / 8);
	w = iso_wait(fd, c.queue, seqno);
	igt_assert_f(w.status == DRM_VSVM_STATUS_UNREACHABLE,
		     "write of memfd_secret memory: %s, expected UNREACHABLE\n",
		     vsvm_status_name(w.status));
	igt_assert_lte_u64(to_user_pointer(secret), w.fault_addr);
	igt_assert_lt_u64(w.fault_addr, to_user_pointer(secret) + size);
	iso_check_pattern(secret, size, 0x5ec);
	snprintf(line, sizeof(line), "queue %u job %" PRIu64 ": status %u",
		 c.queue, seqno, DRM_VSVM_STATUS_UNREACHABLE);
	igt_assert(vsvm_log_has(fd, line));

	/* The VM still serves ordinary memory. */
	iso_fill_pattern(plain, ISO_2M, 77);
	ca = (struct iso_copy_args){ to_user_pointer(plain), out_va, size / 8 };
	vsvm_wait_ok(fd, c.queue,
		     iso_submit(&c, copy, copy_size,
				iso_args(&c, &ca, sizeof(ca), NULL),
				sizeof(ca), size / 8));
	iso_check_pattern(out, size, 77);

	iso_ctx_fini(&c);
	munmap(out, size);
	munmap(plain, ISO_2M);
	munmap(secret, size);
}

/* PREFETCH of memfd_secret memory fails ENXIO, for reading and writing. */
static void test_unreachable_prefetch(void)
{
	const uint64_t size = 4 * ISO_4K;
	uint8_t *secret = iso_secret_map(size, 0x5ed, NULL);
	struct iso_ctx c;

	iso_ctx_init(&c, fd, DRM_VSVM_VM_CREATE_SVM, true);
	iso_check_err(__vsvm_prefetch(fd, c.vm, to_user_pointer(secret), size, 0),
		      -ENXIO, "PREFETCH of memfd_secret memory");
	iso_check_err(__vsvm_prefetch(fd, c.vm, to_user_pointer(secret), size,
				      DRM_VSVM_PREFETCH_WRITE),
		      -ENXIO, "PREFETCH_WRITE of memfd_secret memory");
	iso_check_pattern(secret, size, 0x5ed);
	iso_ctx_fini(&c);
	munmap(secret, size);
}

/* EXEC reads its code through the VM: code in memfd_secret memory is ENXIO. */
static void test_unreachable_exec_code(void)
{
	const uint64_t size = ISO_4K;
	uint8_t *secret = iso_secret_map(size, 0x5ee, NULL);
	struct drm_vsvm_exec e;
	size_t code_size;
	void *code = vsvm_assemble(iso_end_src, &code_size);
	struct iso_ctx c;

	memcpy(secret, code, code_size);
	iso_ctx_init(&c, fd, DRM_VSVM_VM_CREATE_SVM, true);
	vsvm_exec_init(&e, c.queue, to_user_pointer(secret), code_size);
	iso_check_err(__vsvm_exec(fd, &e), -ENXIO,
		      "EXEC of code in memfd_secret memory");
	iso_ctx_fini(&c);
	free(code);
	munmap(secret, size);
}

/* A userptr of memfd_secret memory cannot be validated: EXEC fails ENXIO. */
static void test_unreachable_userptr(void)
{
	const uint64_t size = 4 * ISO_4K;
	uint8_t *secret = iso_secret_map(size, 0x5ef, NULL);
	uint32_t end_size;
	uint64_t end, g, g_ro;
	struct drm_vsvm_exec e;
	struct iso_ctx c;

	iso_ctx_init(&c, fd, DRM_VSVM_VM_CREATE_SVM, false);
	end = iso_code(&c, iso_end_src, &end_size);
	g = iso_va(&c, size);
	vsvm_vm_map_userptr(fd, c.vm, secret, g, size, 0);
	vsvm_exec_init(&e, c.queue, end, end_size);
	iso_check_err(__vsvm_exec(fd, &e), -ENXIO,
		      "EXEC with a userptr of memfd_secret memory");
	vsvm_vm_unmap(fd, c.vm, g, size);

	g_ro = iso_va(&c, size);
	vsvm_vm_map_userptr(fd, c.vm, secret, g_ro, size,
			    DRM_VSVM_BIND_READONLY);
	iso_check_err(__vsvm_exec(fd, &e), -ENXIO,
		      "EXEC with a read-only userptr of memfd_secret memory");
	vsvm_vm_unmap(fd, c.vm, g_ro, size);

	/* Without it, the same EXEC runs. */
	vsvm_wait_ok(fd, c.queue, vsvm_exec(fd, &e));
	iso_check_pattern(secret, size, 0x5ef);
	iso_ctx_fini(&c);
	munmap(secret, size);
}

/*
 * A userptr validated over ordinary memory, which the CPU replaces with
 * memfd_secret memory (MAP_FIXED) while a job waits: the invalidation zaps
 * the GPU's PTEs, and the job's fault on the binding must refuse the
 * secret pages rather than map them.
 */
static void test_unreachable_userptr_remapped(void)
{
	const uint64_t size = 4 * ISO_4K;
	uint8_t *buf = iso_map_2m(size, PROT_READ | PROT_WRITE, 0), *out;
	uint64_t *flags, code, g, out_va, args_va, seqno;
	struct iso_wait_copy_args a;
	struct drm_vsvm_wait w;
	uint32_t code_size;
	uint8_t *secret;
	int sfd;
	char line[96];
	struct iso_ctx c;

	iso_require_debugfs(fd);
	secret = iso_secret_map(size, 0x5f0, &sfd);
	iso_ctx_init(&c, fd, DRM_VSVM_VM_CREATE_SVM, false);
	code = iso_code(&c, iso_wait_copy_src, &code_size);
	out_va = iso_bo(&c, size, (void **)&out, NULL);
	g = iso_va(&c, size);
	memset(buf, 0x11, size);
	memset(out, 0x5a, size);
	vsvm_vm_map_userptr(fd, c.vm, buf, g, size, DRM_VSVM_BIND_READONLY);
	a = (struct iso_wait_copy_args){ .src = g, .dst = out_va, .n = size / 8 };
	args_va = iso_args(&c, &a, sizeof(a), (void **)&flags);
	/* The flags live in the argument BO, after the arguments. */
	a.flag = args_va + 256;
	a.started = args_va + 264;
	memcpy(flags, &a, sizeof(a));
	seqno = iso_submit(&c, code, code_size, args_va, sizeof(a), 1);
	igt_assert_f(iso_wait_flag(&flags[33]), "the job did not start\n");

	igt_assert(mmap(buf, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			sfd, 0) == buf);
	iso_fill_pattern(buf, size, 0x5f1);
	__atomic_store_n(&flags[32], 1, __ATOMIC_RELEASE);
	w = iso_wait(fd, c.queue, seqno);
	igt_assert_f(w.status == DRM_VSVM_STATUS_UNREACHABLE,
		     "fault on a userptr now backed by memfd_secret: %s, "
		     "expected UNREACHABLE\n", vsvm_status_name(w.status));
	igt_assert_eq_u64(w.fault_addr, g);
	iso_check_bytes(out, size, 0x5a);
	snprintf(line, sizeof(line), "queue %u job %" PRIu64 ": status %u",
		 c.queue, seqno, DRM_VSVM_STATUS_UNREACHABLE);
	igt_assert(vsvm_log_has(fd, line));

	iso_ctx_fini(&c);
	munmap(flags, ISO_4K);
	munmap(out, size);
	munmap(buf, size);
	munmap(secret, size);
	close(sfd);
}

/*
 * Isolation. An SVM VM belongs to the address space that created it, from
 * VM_CREATE on: no other process, whether it forked from the owner or was
 * handed the file, may bind into it, create or destroy its queues, submit
 * to them, prefetch, wait for its jobs or destroy it. Before the fix, a VM
 * became its owner's only at the first mirror or userptr bind, and WAIT,
 * QUEUE_DESTROY and VM_DESTROY never checked.
 */

/* What a process that is not the owner tries, in this order. */
enum iso_op {
	ISO_OP_MAP_BO,
	ISO_OP_MAP_MIRROR,
	ISO_OP_MAP_USERPTR,
	ISO_OP_UNMAP,
	ISO_OP_PREFETCH,
	ISO_OP_QUEUE_CREATE,
	ISO_OP_EXEC,
	ISO_OP_WAIT,
	ISO_OP_QUEUE_DESTROY,
	ISO_OP_VM_DESTROY,
	ISO_OP_COUNT
};

static const char *const iso_op_names[ISO_OP_COUNT] = {
	"VM_BIND MAP", "VM_BIND MAP_MIRROR", "VM_BIND MAP_USERPTR",
	"VM_BIND UNMAP", "PREFETCH", "QUEUE_CREATE", "EXEC", "WAIT",
	"QUEUE_DESTROY", "VM_DESTROY",
};

/* The owner's objects as far as they exist; zero ids are skipped. */
struct iso_target {
	uint32_t vm, queue;
	uint64_t seqno;			/* a job to WAIT for */
	uint64_t code, code_size;	/* EXEC arguments */
	uint64_t unmap_va, unmap_size;	/* a binding of the owner's */
	uint64_t mem;			/* owner memory to bind or prefetch */
};

#define ISO_NOT_TRIED	1

struct iso_report {
	int ret[ISO_OP_COUNT];		/* 0, -errno, or ISO_NOT_TRIED */
	struct drm_vsvm_wait wait;	/* what WAIT told, if it worked */
};

/* Tries every ioctl on the owner's VM and queue through @dfd. */
static void iso_try_all(int dfd, const struct iso_target *t,
			struct iso_report *r)
{
	struct drm_vsvm_exec e;
	uint32_t bo = 0, q = 0;
	int ret;

	for (int i = 0; i < ISO_OP_COUNT; i++)
		r->ret[i] = ISO_NOT_TRIED;
	memset(&r->wait, 0, sizeof(r->wait));

	ret = __vsvm_gem_create(dfd, ISO_4K, &bo);
	r->ret[ISO_OP_MAP_BO] = ret ?:
		__vsvm_vm_map(dfd, t->vm, bo, 0, ISO_BO_VA + 1000 * ISO_1G,
			      ISO_4K, 0);
	r->ret[ISO_OP_MAP_MIRROR] = __vsvm_vm_map_mirror(dfd, t->vm, t->mem,
							 ISO_4K);
	r->ret[ISO_OP_MAP_USERPTR] =
		__vsvm_vm_map_userptr(dfd, t->vm, from_user_pointer(t->mem),
				      ISO_BO_VA + 1001 * ISO_1G, ISO_4K, 0);
	if (t->unmap_size)
		r->ret[ISO_OP_UNMAP] = __vsvm_vm_unmap(dfd, t->vm, t->unmap_va,
						       t->unmap_size);
	r->ret[ISO_OP_PREFETCH] = __vsvm_prefetch(dfd, t->vm, t->mem, ISO_4K, 0);
	r->ret[ISO_OP_QUEUE_CREATE] = __vsvm_queue_create(dfd, t->vm, &q);
	if (t->queue && t->code_size) {
		iso_exec_init(&e, t->queue, t->code, t->code_size, 0, 0, 1);
		r->ret[ISO_OP_EXEC] = __vsvm_exec(dfd, &e);
	}
	if (t->queue && t->seqno)
		r->ret[ISO_OP_WAIT] = __vsvm_wait(dfd, t->queue, t->seqno, 0,
						  &r->wait);
	if (t->queue)
		r->ret[ISO_OP_QUEUE_DESTROY] = __vsvm_queue_destroy(dfd, t->queue);
	r->ret[ISO_OP_VM_DESTROY] = __vsvm_vm_destroy(dfd, t->vm);
	if (bo)
		__vsvm_gem_close(dfd, bo);
}

/*
 * Runs iso_try_all() in a forked child through the inherited file, or, with
 * @scm_rights, through a copy of the file received over a unix socket by a
 * child that closed its own.
 */
static void iso_intruder(const struct iso_target *t, bool scm_rights,
			 struct iso_report *r)
{
	int sock, status;
	pid_t pid;

	pid = vsvm_fork_with_socket(&sock);
	if (!pid) {
		int dfd = fd;

		if (scm_rights) {
			close(fd);
			dfd = vsvm_recv_fd(sock);
		}
		iso_try_all(dfd, t, r);
		_exit(write(sock, r, sizeof(*r)) == sizeof(*r) ? 0 : 1);
	}
	if (scm_rights)
		vsvm_send_fd(sock, fd);
	igt_assert_eq(read(sock, r, sizeof(*r)), sizeof(*r));
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert_eq(status, 0);
	close(sock);
}

/* Every ioctl the intruder tried failed EPERM; prints them all first. */
static void iso_check_report(const char *stage, const struct iso_report *r)
{
	bool ok = true;

	for (int i = 0; i < ISO_OP_COUNT; i++) {
		if (r->ret[i] == ISO_NOT_TRIED)
			continue;
		igt_info("%s: intruder's %s: %d (%s)\n", stage, iso_op_names[i],
			 r->ret[i], strerror(-r->ret[i]));
		if (r->ret[i] != -EPERM)
			ok = false;
	}
	if (r->ret[ISO_OP_WAIT] == 0)
		igt_info("%s: WAIT told the intruder: %s at %#llx\n", stage,
			 vsvm_status_name(r->wait.status),
			 (unsigned long long)r->wait.fault_addr);
	igt_assert_f(ok, "%s: an ioctl on another process's SVM VM did not "
		     "fail EPERM\n", stage);
}

/*
 * The attack as reported: a forked child binds a BO into its parent's SVM
 * VM before the parent bound any mirror, submits a job that waits on a
 * flag, the parent binds its mirror, and the job reads the parent's
 * memory at an address the child chose.
 */
struct iso_attack_msg {
	int bind, queue_create, exec, exec_parent_queue, wait;
	uint32_t status;
	uint8_t out[ISO_4K];
};

static void iso_attack_child(int sock, uint32_t vm, uint32_t parent_queue,
			     uint64_t secret_va)
{
	struct iso_attack_msg m = { .wait = ISO_NOT_TRIED };
	struct iso_wait_copy_args a = {
		.flag = ISO_BO_VA + 2 * ISO_1G + 256,
		.started = ISO_BO_VA + 2 * ISO_1G + 264,
		.src = secret_va, .dst = ISO_BO_VA + 2 * ISO_1G + ISO_64K,
		.n = ISO_4K / 8,
	};
	uint32_t code_bo, io_bo, q = 0;
	uint64_t code_va = ISO_BO_VA + 2 * ISO_1G + 2 * ISO_64K;
	struct drm_vsvm_exec e;
	struct drm_vsvm_wait w;
	uint8_t *io = NULL;
	size_t code_size;
	void *code = vsvm_assemble(iso_wait_copy_src, &code_size);
	char c;

	/* One BO: arguments and flags in its first page, the loot at 64K. */
	if (__vsvm_gem_create(fd, 2 * ISO_64K, &io_bo) ||
	    __vsvm_gem_create(fd, ISO_4K, &code_bo))
		_exit(2);
	io = __vsvm_gem_mmap(fd, io_bo, 2 * ISO_64K, PROT_READ | PROT_WRITE);
	if (!io)
		_exit(3);
	memcpy(io, &a, sizeof(a));
	memset(io + ISO_64K, 0, ISO_4K);
	memcpy(io + 2 * ISO_4K, code, code_size);
	free(code);

	m.bind = __vsvm_vm_map(fd, vm, io_bo, 0, ISO_BO_VA + 2 * ISO_1G,
			       2 * ISO_64K, 0);
	if (!m.bind)
		m.bind = __vsvm_vm_map(fd, vm, io_bo, 2 * ISO_4K, code_va, ISO_4K,
				       DRM_VSVM_BIND_READONLY);
	m.queue_create = __vsvm_queue_create(fd, vm, &q);
	iso_exec_init(&e, parent_queue, code_va, code_size,
		      ISO_BO_VA + 2 * ISO_1G, sizeof(a), 1);
	m.exec_parent_queue = __vsvm_exec(fd, &e);
	m.exec = ISO_NOT_TRIED;
	if (q) {
		e.queue_id = q;
		m.exec = __vsvm_exec(fd, &e);
	}
	if (write(sock, "s", 1) != 1 || read(sock, &c, 1) != 1)
		_exit(4);

	/* The parent has bound its mirror over the secret by now. */
	__atomic_store_n((uint64_t *)(io + 256), 1, __ATOMIC_RELEASE);
	if (!m.exec || !m.exec_parent_queue) {
		m.wait = __vsvm_wait(fd, m.exec ? parent_queue : q, e.seqno,
				     VSVM_WAIT_TIMEOUT_NS, &w);
		m.status = w.status;
	}
	memcpy(m.out, io + ISO_64K, ISO_4K);
	munmap(io, 2 * ISO_64K);
	__vsvm_gem_close(fd, io_bo);
	__vsvm_gem_close(fd, code_bo);
	_exit(write(sock, &m, sizeof(m)) == sizeof(m) ? 0 : 5);
}

static void test_isolation_child_job_before_mirror(void)
{
	uint64_t *secret = iso_map_2m(ISO_2M, PROT_READ | PROT_WRITE, 0);
	struct iso_attack_msg m;
	uint64_t leaked = 0;
	int sock, status;
	struct iso_ctx c;
	pid_t pid;
	char s;

	memset(secret, 0, ISO_2M);
	iso_ctx_init(&c, fd, DRM_VSVM_VM_CREATE_SVM, false);
	pid = vsvm_fork_with_socket(&sock);
	if (!pid)
		iso_attack_child(sock, c.vm, c.queue, to_user_pointer(secret));
	/* Written after fork: the child's own copy stays zero. */
	iso_fill_pattern(secret, ISO_4K, 0xfeed);
	igt_assert_eq(read(sock, &s, 1), 1);
	vsvm_vm_map_mirror(fd, c.vm, 0, iso_mirror_end);
	igt_assert_eq(write(sock, "g", 1), 1);
	igt_assert_eq(read(sock, &m, sizeof(m)), sizeof(m));
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert_eq(status, 0);
	close(sock);

	igt_info("child: BO bind %d, QUEUE_CREATE %d, EXEC %d, EXEC on the "
		 "parent's queue %d, WAIT %d (%s)\n", m.bind, m.queue_create,
		 m.exec, m.exec_parent_queue, m.wait,
		 m.wait ? "-" : vsvm_status_name(m.status));
	for (uint64_t i = 0; i < ISO_4K / 8; i++)
		for (uint64_t j = 0; j < ISO_4K / 8; j++)
			if (((uint64_t *)m.out)[i] == iso_pattern(0xfeed, j))
				leaked++;
	igt_assert_f(!leaked, "the child's job read %" PRIu64 " words of the "
		     "parent's memory\n", leaked);
	iso_check_bytes(m.out, ISO_4K, 0);
	iso_check_err(m.bind, -EPERM, "child's BO bind into the parent's SVM VM");
	iso_check_err(m.queue_create, -EPERM, "child's QUEUE_CREATE");
	iso_check_err(m.exec_parent_queue, -EPERM,
		      "child's EXEC on the parent's queue");
	igt_assert_eq(m.exec, ISO_NOT_TRIED);

	/* The owner's own job reads the same memory. */
	{
		uint64_t out_va, copy;
		uint32_t copy_size;
		struct iso_copy_args ca;
		uint8_t *out;

		copy = iso_code(&c, iso_copy_src, &copy_size);
		out_va = iso_bo(&c, ISO_4K, (void **)&out, NULL);
		ca = (struct iso_copy_args){ to_user_pointer(secret), out_va,
					     ISO_4K / 8 };
		vsvm_wait_ok(fd, c.queue,
			     iso_submit(&c, copy, copy_size,
					iso_args(&c, &ca, sizeof(ca), NULL),
					sizeof(ca), ISO_4K / 8));
		iso_check_pattern(out, ISO_4K, 0xfeed);
		munmap(out, ISO_4K);
	}
	iso_ctx_fini(&c);
	munmap(secret, ISO_2M);
}

/*
 * The owner builds its VM step by step; after each step an intruder (a
 * forked child, or with @scm_rights a process the file was passed to)
 * tries every ioctl on it. The owner's jobs then run as if nobody had.
 */
static void test_isolation_every_step(bool scm_rights)
{
	uint64_t *mem = iso_map_2m(ISO_2M, PROT_READ | PROT_WRITE, 0);
	uint8_t *none = iso_map_2m(ISO_4K, PROT_NONE, 0);
	uint64_t code, load, end, io_va, *io, seqno;
	uint32_t code_size, load_size, end_size;
	struct iso_wait_copy_args a;
	struct iso_copy_args ca;
	struct iso_target t = { .mem = to_user_pointer(mem) };
	struct iso_report r;
	struct drm_vsvm_wait w;
	struct iso_ctx c = { .fd = fd, .next_va = ISO_BO_VA };

	c.vm = svm_vm_create(fd, DRM_VSVM_VM_CREATE_SVM);
	t.vm = c.vm;
	iso_intruder(&t, scm_rights, &r);
	iso_check_report("after VM_CREATE", &r);

	code = iso_code(&c, iso_wait_copy_src, &code_size);
	load = iso_code(&c, iso_copy_src, &load_size);
	end = iso_code(&c, iso_end_src, &end_size);
	io_va = iso_bo(&c, ISO_64K, (void **)&io, NULL);
	t.code = end;
	t.code_size = end_size;
	t.unmap_va = io_va;
	t.unmap_size = ISO_64K;
	iso_intruder(&t, scm_rights, &r);
	iso_check_report("after a BO bind", &r);

	c.queue = vsvm_queue_create(fd, c.vm);
	t.queue = c.queue;
	iso_intruder(&t, scm_rights, &r);
	iso_check_report("after QUEUE_CREATE", &r);

	/* A job that faults at an address of the owner's: nobody else learns it. */
	vsvm_vm_map_mirror(fd, c.vm, 0, iso_mirror_end);
	ca = (struct iso_copy_args){ to_user_pointer(none), io_va + ISO_4K, 1 };
	memcpy(io, &ca, sizeof(ca));
	seqno = iso_submit(&c, load, load_size, io_va, sizeof(ca), 1);
	w = iso_wait(fd, c.queue, seqno);
	igt_assert_eq_u32(w.status, DRM_VSVM_STATUS_NO_ACCESS);
	igt_assert_eq_u64(w.fault_addr, to_user_pointer(none));
	t.seqno = seqno;
	t.unmap_va = to_user_pointer(mem);
	t.unmap_size = ISO_2M;
	iso_intruder(&t, scm_rights, &r);
	iso_check_report("after a mirror bind and a failed job", &r);

	/* A job waits on a flag while the intruder tries again. */
	iso_fill_pattern(mem, ISO_4K, 0x1d);
	memset(mem + ISO_4K / 8, 0xa5, ISO_4K);
	a = (struct iso_wait_copy_args){
		.flag = io_va + 2048, .started = io_va + 2056,
		.src = to_user_pointer(mem), .dst = to_user_pointer(mem + ISO_4K / 8),
		.n = ISO_4K / 8,
	};
	memset(io, 0, ISO_4K);
	memcpy(io, &a, sizeof(a));
	seqno = iso_submit(&c, code, code_size, io_va, sizeof(a), 1);
	igt_assert_f(iso_wait_flag(&io[2056 / 8]), "the job did not start\n");
	t.seqno = seqno;
	iso_intruder(&t, scm_rights, &r);
	iso_check_report("with a job running", &r);

	__atomic_store_n(&io[2048 / 8], 1, __ATOMIC_RELEASE);
	vsvm_wait_ok(fd, c.queue, seqno);
	iso_check_pattern(mem + ISO_4K / 8, ISO_4K, 0x1d);
	iso_check_pattern(mem, ISO_4K, 0x1d);

	iso_ctx_fini(&c);
	munmap(io, ISO_64K);
	munmap(none, ISO_4K);
	munmap(mem, ISO_2M);
}

/*
 * The owner gone: a forked child builds an SVM VM in the shared file, runs
 * a job over its memory and exits. Until exit_mmap() zaps them, the VM's
 * PTEs still map the exiting owner's pages, so nothing may run in the VM
 * again: binds, PREFETCH, QUEUE_CREATE and EXEC stay the owner's and fail
 * EPERM for everyone, even the code it left in its mirror; WAIT and the
 * destroys open to any holder of the file, which must be able to clean up.
 * Before the fix every ioctl opened once the owner had no users, and the
 * window before exit_mmap() let a job of another process read its memory.
 */
struct iso_gone_msg {
	struct iso_target t;
	uint32_t status;
};

static void test_isolation_owner_gone(void)
{
	uint64_t *mem = iso_map_2m(ISO_2M, PROT_READ | PROT_WRITE, 0);
	struct iso_gone_msg m;
	struct iso_report r;
	int p[2], status;
	pid_t pid;

	igt_assert_eq(pipe(p), 0);
	fflush(NULL);
	pid = fork();
	igt_assert_lte(0, pid);
	if (!pid) {
		uint64_t *secret = iso_map_2m(ISO_2M, PROT_READ | PROT_WRITE, 0);
		size_t n;
		void *code = vsvm_assemble(iso_copy_src, &n);
		void *code_mem = iso_map_2m(ISO_4K, PROT_READ | PROT_WRITE, 0);
		struct iso_copy_args ca;
		struct iso_ctx c;
		uint64_t seqno;

		memcpy(code_mem, code, n);
		iso_fill_pattern(secret, ISO_2M, 0x90e);
		iso_ctx_init(&c, fd, DRM_VSVM_VM_CREATE_SVM, true);
		/* A job of the owner's maps its secret and its code on the GPU. */
		ca = (struct iso_copy_args){ to_user_pointer(secret),
					     to_user_pointer(secret + ISO_1M / 8),
					     ISO_4K / 8 };
		seqno = iso_submit(&c, to_user_pointer(code_mem), n,
				   iso_args(&c, &ca, sizeof(ca), NULL),
				   sizeof(ca), ISO_4K / 8);
		m.status = iso_wait(fd, c.queue, seqno).status;
		m.t = (struct iso_target){
			.vm = c.vm, .queue = c.queue, .seqno = seqno,
			.code = to_user_pointer(code_mem), .code_size = n,
			.unmap_va = to_user_pointer(secret), .unmap_size = ISO_2M,
			.mem = to_user_pointer(mem),
		};
		_exit(write(p[1], &m, sizeof(m)) == sizeof(m) ? 0 : 1);
	}
	close(p[1]);
	igt_assert_eq(read(p[0], &m, sizeof(m)), sizeof(m));
	close(p[0]);
	/* exit_mm() ran before the child became a zombie. */
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert_eq(status, 0);
	igt_assert_eq_u32(m.status, DRM_VSVM_STATUS_OK);

	iso_try_all(fd, &m.t, &r);
	for (int i = 0; i < ISO_OP_COUNT; i++)
		igt_info("owner gone: %s: %d (%s)\n", iso_op_names[i], r.ret[i],
			 strerror(-r.ret[i]));
	for (int i = ISO_OP_MAP_BO; i <= ISO_OP_EXEC; i++)
		igt_assert_f(r.ret[i] == -EPERM, "owner gone: %s: %d, expected "
			     "EPERM\n", iso_op_names[i], r.ret[i]);
	igt_assert_eq(r.ret[ISO_OP_WAIT], 0);
	igt_assert_eq_u32(r.wait.status, DRM_VSVM_STATUS_OK);
	igt_assert_eq(r.ret[ISO_OP_QUEUE_DESTROY], 0);
	igt_assert_eq(r.ret[ISO_OP_VM_DESTROY], 0);
	munmap(mem, ISO_2M);
}

/*
 * Positive control: a VM created without DRM_VSVM_VM_CREATE_SVM holds only
 * BOs (MAP_MIRROR and MAP_USERPTR fail EINVAL, even for its creator), and
 * any holder of the file may use it: a forked child binds, creates a
 * queue, submits to its own and to the parent's queue and waits, with the
 * right results. So the EPERMs above are about owning an address space.
 */
struct iso_bo_only_msg {
	int bind, queue_create, exec_own, exec_parent, wait_own, wait_parent,
	    wait_parent_job;
	uint32_t status_own, status_parent, status_parent_job;
};

static void test_isolation_bo_only_shared(void)
{
	uint64_t *buf = iso_map_2m(ISO_4K, PROT_READ | PROT_WRITE, 0);
	uint64_t fill, out_va, *out, seqno;
	uint32_t fill_size, out_bo;
	struct iso_bo_only_msg m;
	struct vsvm_fill_args fa;
	int sock, status;
	struct iso_ctx c;
	pid_t pid;

	iso_ctx_init(&c, fd, 0, false);
	iso_check_err(__vsvm_vm_map_mirror(fd, c.vm, 0, iso_mirror_end), -EINVAL,
		      "MAP_MIRROR into a VM without DRM_VSVM_VM_CREATE_SVM");
	iso_check_err(__vsvm_vm_map_mirror(fd, c.vm, to_user_pointer(buf), ISO_4K),
		      -EINVAL, "MAP_MIRROR of a page into a BO-only VM");
	iso_check_err(__vsvm_vm_map_userptr(fd, c.vm, buf, ISO_BO_VA + 100 * ISO_1G,
					    ISO_4K, 0), -EINVAL,
		      "MAP_USERPTR into a BO-only VM");
	fill = iso_code(&c, vsvm_fill_src, &fill_size);
	out_va = iso_bo(&c, 3 * ISO_64K, (void **)&out, &out_bo);
	memset(out, 0, 3 * ISO_64K);
	fa = (struct vsvm_fill_args){ .dst = out_va, .seed = 0x100, .n = ISO_64K / 8 };
	memcpy(out + 2 * ISO_64K / 8, &fa, sizeof(fa));
	seqno = iso_submit(&c, fill, fill_size, out_va + 2 * ISO_64K, sizeof(fa),
			   ISO_64K / 8);
	vsvm_wait_ok(fd, c.queue, seqno);

	pid = vsvm_fork_with_socket(&sock);
	if (!pid) {
		struct iso_bo_only_msg cm = {};
		struct drm_vsvm_exec e;
		struct drm_vsvm_wait w;
		uint32_t bo, q = 0;
		uint64_t s1 = 0;

		/* The child's own BO, bound into the parent's VM. */
		cm.bind = __vsvm_gem_create(fd, ISO_64K, &bo) ?:
			  __vsvm_vm_map(fd, c.vm, bo, 0, ISO_BO_VA + 200 * ISO_1G,
					ISO_64K, 0);
		cm.queue_create = __vsvm_queue_create(fd, c.vm, &q);
		/* Its own queue fills the middle third, the parent's the first. */
		fa = (struct vsvm_fill_args){ .dst = out_va + ISO_64K,
							.seed = 0x200, .n = ISO_64K / 8 };
		memcpy((uint8_t *)out + 2 * ISO_64K + 64, &fa, sizeof(fa));
		iso_exec_init(&e, q, fill, fill_size, out_va + 2 * ISO_64K + 64,
			      sizeof(fa), ISO_64K / 8);
		cm.exec_own = q ? __vsvm_exec(fd, &e) : ISO_NOT_TRIED;
		s1 = e.seqno;
		cm.wait_own = cm.exec_own ? ISO_NOT_TRIED :
			      __vsvm_wait(fd, q, s1, VSVM_WAIT_TIMEOUT_NS, &w);
		cm.status_own = w.status;
		fa = (struct vsvm_fill_args){ .dst = out_va, .seed = 0x300, .n = ISO_64K / 8 };
		memcpy((uint8_t *)out + 2 * ISO_64K + 128, &fa, sizeof(fa));
		iso_exec_init(&e, c.queue, fill, fill_size,
			      out_va + 2 * ISO_64K + 128, sizeof(fa), ISO_64K / 8);
		cm.exec_parent = __vsvm_exec(fd, &e);
		cm.wait_parent = cm.exec_parent ? ISO_NOT_TRIED :
				 __vsvm_wait(fd, c.queue, e.seqno,
					     VSVM_WAIT_TIMEOUT_NS, &w);
		cm.status_parent = w.status;
		cm.wait_parent_job = __vsvm_wait(fd, c.queue, seqno, 0, &w);
		cm.status_parent_job = w.status;
		_exit(write(sock, &cm, sizeof(cm)) == sizeof(cm) ? 0 : 1);
	}
	igt_assert_eq(read(sock, &m, sizeof(m)), sizeof(m));
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert_eq(status, 0);
	close(sock);
	igt_info("child on a BO-only VM: bind %d, QUEUE_CREATE %d, EXEC %d/%d, "
		 "WAIT %d/%d/%d\n", m.bind, m.queue_create, m.exec_own,
		 m.exec_parent, m.wait_own, m.wait_parent, m.wait_parent_job);
	igt_assert_eq(m.bind, 0);
	igt_assert_eq(m.queue_create, 0);
	igt_assert_eq(m.exec_own, 0);
	igt_assert_eq(m.wait_own, 0);
	igt_assert_eq_u32(m.status_own, DRM_VSVM_STATUS_OK);
	igt_assert_eq(m.exec_parent, 0);
	igt_assert_eq(m.wait_parent, 0);
	igt_assert_eq_u32(m.status_parent, DRM_VSVM_STATUS_OK);
	igt_assert_eq(m.wait_parent_job, 0);
	igt_assert_eq_u32(m.status_parent_job, DRM_VSVM_STATUS_OK);
	for (uint64_t i = 0; i < ISO_64K / 8; i++) {
		igt_assert_eq_u64(out[i], vsvm_fill_word(0x300, i));
		igt_assert_eq_u64(out[ISO_64K / 8 + i], vsvm_fill_word(0x200, i));
	}
	iso_ctx_fini(&c);
	munmap(out, 3 * ISO_64K);
	vsvm_gem_close(fd, out_bo);
	munmap(buf, ISO_4K);
}

/*
 * Accounting. What vsvm allocates for a VM (SVM ranges, notifiers, GPU
 * page tables) is charged to the memory cgroup of the VM's owner, even
 * when a compute unit's kernel thread services the fault, and a VM holds
 * at most max_ranges_per_vm ranges. Before the fix none of it was charged:
 * a process in a small cgroup could prefetch a huge PROT_READ mapping,
 * which costs it one huge zero page, while vsvm allocated slab without
 * bound.
 */
#define ISO_CGROUP_ROOT		"/sys/fs/cgroup"
/* Lower bounds of what one object costs, to turn counts into bytes. */
#define ISO_RANGE_BYTES		128
#define ISO_PT_PAGE_BYTES	4096

static char iso_cgroup[128];
static bool iso_cgroup_mounted;

/*
 * Tests that need many ranges raise max_ranges_per_vm well above what
 * they create, where the parameter exists, so that only what they test
 * can stop them.
 */
#define ISO_MANY_RANGES		"65536"

__attribute__((format(printf, 2, 3)))
static int iso_write(const char *path, const char *fmt, ...)
{
	char buf[64];
	va_list ap;
	int f, len, ret = 0;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	f = open(path, O_WRONLY);
	if (f < 0)
		return -errno;
	if (write(f, buf, len) != len)
		ret = -errno;
	close(f);
	errno = 0;
	return ret;
}

/* The first number of a file, or of the line starting "@key " if @key. */
static int64_t iso_read_value(const char *path, const char *key)
{
	char line[256];
	int64_t v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t n = key ? strlen(key) : 0;

		if (key && (strncmp(line, key, n) || line[n] != ' '))
			continue;
		v = strtoll(line + (key ? n + 1 : 0), NULL, 10);
		break;
	}
	fclose(f);
	return v;
}

static void iso_cgroup_exit_handler(int sig)
{
	(void)sig;
	if (iso_cgroup[0])
		rmdir(iso_cgroup);
	if (iso_cgroup_mounted)
		umount(ISO_CGROUP_ROOT);
}

/* A cgroup v2 child group with memory.max = @max, removed at exit. */
static void iso_cgroup_create(const char *name, uint64_t max)
{
	static bool handler;
	char path[192];

	if (access(ISO_CGROUP_ROOT "/cgroup.controllers", R_OK)) {
		igt_require_f(!mount("none", ISO_CGROUP_ROOT, "cgroup2", 0, NULL),
			      "cannot mount cgroup2: %m\n");
		iso_cgroup_mounted = true;
	}
	if (!handler) {
		igt_install_exit_handler(iso_cgroup_exit_handler);
		handler = true;
	}
	igt_require_f(!iso_write(ISO_CGROUP_ROOT "/cgroup.subtree_control",
				 "+memory"), "no memory controller\n");
	snprintf(iso_cgroup, sizeof(iso_cgroup), ISO_CGROUP_ROOT "/%s", name);
	rmdir(iso_cgroup);
	igt_assert_f(!mkdir(iso_cgroup, 0755), "mkdir %s: %m\n", iso_cgroup);
	snprintf(path, sizeof(path), "%s/memory.max", iso_cgroup);
	igt_assert_eq(iso_write(path, "%" PRIu64, max), 0);
	/* Out of memory means out of memory, not swapped out. */
	snprintf(path, sizeof(path), "%s/memory.swap.max", iso_cgroup);
	iso_write(path, "0");
}

static void iso_cgroup_remove(void)
{
	igt_assert_f(!rmdir(iso_cgroup), "rmdir %s: %m\n", iso_cgroup);
	iso_cgroup[0] = '\0';
}

static int64_t iso_cgroup_value(const char *file, const char *key)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/%s", iso_cgroup, file);
	return iso_read_value(path, key);
}

/* What the cgroup was charged and what vsvm had allocated, at one moment. */
struct iso_charge {
	int64_t current, ranges, pt_pages;
};

static struct iso_charge iso_charge_now(int dfd)
{
	return (struct iso_charge){
		.current = iso_cgroup_value("memory.current", NULL),
		.ranges = iso_objects(dfd, "svm_range"),
		.pt_pages = iso_objects(dfd, "pt_page"),
	};
}

/* A lower bound of the bytes vsvm allocated between @a and @b. */
static int64_t iso_driver_bytes(const struct iso_charge *a,
				const struct iso_charge *b)
{
	return (b->ranges - a->ranges) * ISO_RANGE_BYTES +
	       (b->pt_pages - a->pt_pages) * ISO_PT_PAGE_BYTES;
}

/*
 * A huge PROT_READ mapping that reads as the huge zero page, read here
 * once per 2 MiB. Mapping the huge zero page costs a page-table page (the
 * one deposited for a later split), charged to the cgroup of whoever
 * faults: a child forked afterwards inherits a copy charged to the
 * parent's cgroup, so that in the child's own cgroup only what vsvm
 * allocates for it shows.
 */
static uint8_t *iso_map_zero(uint64_t size)
{
	uint8_t *p = iso_map_2m(size, PROT_READ, MAP_NORESERVE);
	uint64_t sum = 0;

	igt_assert_eq(madvise(p, size, MADV_HUGEPAGE), 0);
	for (uint64_t o = 0; o < size; o += ISO_2M)
		sum += ((volatile uint8_t *)p)[o];
	igt_assert_eq_u64(sum, 0);
	return p;
}

/* The child of the memcg tests: one message per step. */
struct iso_memcg_msg {
	struct iso_charge start, now;
	uint64_t prefetched;
	int ret;
	int state;		/* ISO_MEMCG_* */
};

enum { ISO_MEMCG_STEP, ISO_MEMCG_ERROR, ISO_MEMCG_ALL_DONE, ISO_MEMCG_OVERRUN,
       ISO_MEMCG_SETUP };

#define ISO_MEMCG_MAX		(2 * ISO_1M)
#define ISO_MEMCG_REGION	(64 * ISO_1G)

static void __attribute__((noreturn)) iso_memcg_prefetch_child(int sock,
								uint8_t *r)
{
	struct iso_memcg_msg m = { .state = ISO_MEMCG_SETUP };
	uint32_t vm;
	int dfd;

	if (iso_write(ISO_CGROUP_ROOT "/vsvm-sec-iso/cgroup.procs", "0"))
		_exit(write(sock, &m, sizeof(m)) == sizeof(m) ? 2 : 3);
	dfd = open(iso_dev_path, O_RDWR);
	if (dfd < 0)
		_exit(write(sock, &m, sizeof(m)) == sizeof(m) ? 2 : 3);
	m.start = iso_charge_now(dfd);
	if (__svm_vm_create(dfd, DRM_VSVM_VM_CREATE_SVM, &vm) ||
	    __vsvm_vm_map_mirror(dfd, vm, to_user_pointer(r), ISO_MEMCG_REGION))
		_exit(write(sock, &m, sizeof(m)) == sizeof(m) ? 2 : 3);

	for (m.prefetched = 0; m.prefetched < ISO_MEMCG_REGION; ) {
		m.ret = __vsvm_prefetch(dfd, vm, to_user_pointer(r) + m.prefetched,
					ISO_1G, 0);
		if (!m.ret)
			m.prefetched += ISO_1G;
		m.now = iso_charge_now(dfd);
		m.state = m.ret ? ISO_MEMCG_ERROR :
			  iso_driver_bytes(&m.start, &m.now) > 2 * (int64_t)ISO_MEMCG_MAX ?
			  ISO_MEMCG_OVERRUN : m.prefetched == ISO_MEMCG_REGION ?
			  ISO_MEMCG_ALL_DONE : ISO_MEMCG_STEP;
		if (write(sock, &m, sizeof(m)) != sizeof(m))
			_exit(3);
		if (m.state != ISO_MEMCG_STEP)
			break;
	}
	_exit(0);
}

static void test_accounting_prefetch_memcg(void)
{
	struct iso_memcg_msg m = { .state = ISO_MEMCG_SETUP }, next;
	char *baseline;
	int sock, status;
	int64_t charged, driver, kills;
	uint8_t *r;
	pid_t pid;

	iso_require_debugfs(fd);
	baseline = vsvm_objects_baseline(fd);
	vsvm_param_set("max_ranges_per_vm", ISO_MANY_RANGES);
	r = iso_map_zero(ISO_MEMCG_REGION);
	iso_cgroup_create("vsvm-sec-iso", ISO_MEMCG_MAX);
	vsvm_expect_oom_kill_begin();
	pid = vsvm_fork_with_socket(&sock);
	if (!pid)
		iso_memcg_prefetch_child(sock, r);
	while (read(sock, &next, sizeof(next)) == sizeof(next))
		m = next;
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	vsvm_expect_oom_kill_end();
	close(sock);
	kills = iso_cgroup_value("memory.events", "oom_kill");

	igt_assert_f(m.state != ISO_MEMCG_SETUP, "the child could not set up\n");
	charged = m.now.current - m.start.current;
	driver = iso_driver_bytes(&m.start, &m.now);
	igt_info("%s after %" PRIu64 " GiB prefetched (last PREFETCH %d): "
		 "vsvm holds %" PRId64 " ranges and %" PRId64 " page-table pages "
		 "(at least %" PRId64 " KiB), the cgroup was charged %" PRId64
		 " KiB more; memory.max %" PRIu64 " KiB; child status %#x, "
		 "%" PRId64 " OOM kills\n",
		 m.state == ISO_MEMCG_OVERRUN ? "overrun" :
		 m.state == ISO_MEMCG_ALL_DONE ? "everything mapped" :
		 m.state == ISO_MEMCG_ERROR ? "stopped" : "killed",
		 m.prefetched / ISO_1G, m.ret, m.now.ranges - m.start.ranges,
		 m.now.pt_pages - m.start.pt_pages, driver / 1024,
		 charged / 1024, ISO_MEMCG_MAX / 1024, status, kills);
	igt_assert_f(m.state != ISO_MEMCG_OVERRUN && m.state != ISO_MEMCG_ALL_DONE,
		     "vsvm allocated at least %" PRId64 " KiB for a process "
		     "whose cgroup allows %" PRIu64 " KiB\n", driver / 1024,
		     ISO_MEMCG_MAX / 1024);
	if (m.state == ISO_MEMCG_ERROR)
		igt_assert_f(m.ret == -ENOMEM || m.ret == -ENOSPC,
			     "PREFETCH failed %d, expected ENOMEM or ENOSPC\n",
			     m.ret);
	else
		igt_assert_f(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL &&
			     kills > 0, "the child neither saw PREFETCH fail nor "
			     "was OOM-killed: status %#x\n", status);
	igt_assert_f(charged >= driver / 2, "the cgroup was charged %" PRId64
		     " KiB for at least %" PRId64 " KiB of vsvm objects\n",
		     charged / 1024, driver / 1024);
	vsvm_wait_objects(fd, baseline, 60);
	iso_cgroup_remove();
	vsvm_param_restore("max_ranges_per_vm");
	munmap(r, ISO_MEMCG_REGION);
	free(baseline);
}

/*
 * A job's faults are serviced by a compute unit's kernel thread, which
 * has no cgroup of its own: the ranges and page tables they allocate must
 * still be charged to the cgroup of the VM's owner.
 */
#define ISO_TOUCH_CHUNKS	16384
#define ISO_TOUCH_TIMEOUT_S	600ll

static void __attribute__((noreturn)) iso_memcg_job_child(int sock, uint8_t *r)
{
	struct iso_memcg_msg m = { .state = ISO_MEMCG_SETUP };
	struct iso_touch_args a;
	struct drm_vsvm_wait w;
	uint64_t code, args;
	uint32_t code_size;
	struct iso_ctx c;

	if (iso_write(ISO_CGROUP_ROOT "/vsvm-sec-iso/cgroup.procs", "0"))
		_exit(write(sock, &m, sizeof(m)) == sizeof(m) ? 2 : 3);
	c.fd = open(iso_dev_path, O_RDWR);
	if (c.fd < 0)
		_exit(write(sock, &m, sizeof(m)) == sizeof(m) ? 2 : 3);
	c.vm = svm_vm_create(c.fd, DRM_VSVM_VM_CREATE_SVM);
	vsvm_vm_map_mirror(c.fd, c.vm, to_user_pointer(r),
			   ISO_TOUCH_CHUNKS * ISO_2M);
	c.queue = vsvm_queue_create(c.fd, c.vm);
	c.next_va = ISO_BO_VA;
	code = iso_code(&c, iso_touch_src, &code_size);
	a = (struct iso_touch_args){ to_user_pointer(r), ISO_2M, ISO_TOUCH_CHUNKS };
	args = iso_args(&c, &a, sizeof(a), NULL);
	m.start = iso_charge_now(c.fd);
	/* As long as the job may run: see the job timeout the parent set. */
	m.ret = __vsvm_wait(c.fd, c.queue,
			    iso_submit(&c, code, code_size, args, sizeof(a),
				       ISO_TOUCH_CHUNKS),
			    vsvm_scaled_limit(ISO_TOUCH_TIMEOUT_S * 1000000000), &w) ?:
		(int)w.status;
	m.now = iso_charge_now(c.fd);
	m.state = ISO_MEMCG_ALL_DONE;
	_exit(write(sock, &m, sizeof(m)) == sizeof(m) ? 0 : 3);
}

static void test_accounting_job_faults_memcg(void)
{
	struct iso_memcg_msg m = { .state = ISO_MEMCG_SETUP };
	int64_t charged, driver;
	int sock, status;
	char *baseline;
	uint8_t *r;
	pid_t pid;

	iso_require_debugfs(fd);
	baseline = vsvm_objects_baseline(fd);
	vsvm_param_set("max_ranges_per_vm", ISO_MANY_RANGES);
	r = iso_map_zero(ISO_TOUCH_CHUNKS * ISO_2M);
	/* 16384 faults take longer than the default timeout on a busy TCG guest. */
	vsvm_param_set_u64("job_timeout_ms", ISO_TOUCH_TIMEOUT_S * 1000);
	iso_cgroup_create("vsvm-sec-iso", 256 * ISO_1M);
	pid = vsvm_fork_with_socket(&sock);
	if (!pid)
		iso_memcg_job_child(sock, r);
	igt_assert_eq(read(sock, &m, sizeof(m)), sizeof(m));
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	close(sock);
	igt_assert_f(m.state == ISO_MEMCG_ALL_DONE, "the child failed: status %#x\n",
		     status);
	charged = m.now.current - m.start.current;
	driver = iso_driver_bytes(&m.start, &m.now);
	igt_info("the job's faults made %" PRId64 " ranges and %" PRId64
		 " page-table pages (at least %" PRId64 " KiB); the owner's "
		 "cgroup was charged %" PRId64 " KiB more\n",
		 m.now.ranges - m.start.ranges, m.now.pt_pages - m.start.pt_pages,
		 driver / 1024, charged / 1024);
	igt_assert_f(m.ret == DRM_VSVM_STATUS_OK, "the job: %d\n", m.ret);
	/* The target path ran: one range per 2 MiB chunk the job touched. */
	igt_assert_lte(ISO_TOUCH_CHUNKS, m.now.ranges - m.start.ranges);
	igt_assert_f(charged >= driver / 2, "the owner's cgroup was charged %"
		     PRId64 " KiB for at least %" PRId64 " KiB of vsvm objects\n",
		     charged / 1024, driver / 1024);
	vsvm_wait_objects(fd, baseline, 60);
	iso_cgroup_remove();
	vsvm_param_restore("job_timeout_ms");
	vsvm_param_restore("max_ranges_per_vm");
	munmap(r, ISO_TOUCH_CHUNKS * ISO_2M);
	free(baseline);
}

/*
 * With max_ranges_per_vm at 4, a mirror VM takes four 2 MiB ranges: the
 * fifth PREFETCH fails ENOSPC and a job touching a fifth chunk ends
 * RANGE_LIMIT, while the first four still serve. Raising the limit lets
 * the same job through.
 */
static void test_range_limit(void)
{
	const uint64_t chunks = 8;
	uint64_t *buf = iso_map_2m(chunks * ISO_2M, PROT_READ | PROT_WRITE, 0);
	uint64_t a = to_user_pointer(buf), copy, out_va, *out, seqno;
	struct iso_copy_args ca;
	struct drm_vsvm_wait w;
	int64_t ranges;
	uint32_t copy_size;
	char line[96];
	struct iso_ctx c;

	iso_require_debugfs(fd);
	vsvm_param_set("max_ranges_per_vm", "4");
	for (uint64_t i = 0; i < chunks; i++)
		iso_fill_pattern((uint8_t *)buf + i * ISO_2M, ISO_4K, 900 + i);

	iso_ctx_init(&c, fd, DRM_VSVM_VM_CREATE_SVM, true);
	copy = iso_code(&c, iso_copy_src, &copy_size);
	out_va = iso_bo(&c, ISO_4K, (void **)&out, NULL);
	ranges = iso_objects(fd, "svm_range");
	vsvm_prefetch(fd, c.vm, a, 4 * ISO_2M, 0);
	igt_assert_eq(iso_objects(fd, "svm_range") - ranges, 4);
	iso_check_err(__vsvm_prefetch(fd, c.vm, a + 4 * ISO_2M, ISO_2M, 0),
		      -ENOSPC, "PREFETCH of a fifth range");
	iso_check_err(__vsvm_prefetch(fd, c.vm, a + 5 * ISO_2M, ISO_4K,
				      DRM_VSVM_PREFETCH_WRITE),
		      -ENOSPC, "PREFETCH_WRITE of a sixth range");
	igt_assert_eq(iso_objects(fd, "svm_range") - ranges, 4);

	/* The four ranges serve jobs. */
	for (uint64_t i = 0; i < 4; i++) {
		memset(out, 0, ISO_4K);
		ca = (struct iso_copy_args){ a + i * ISO_2M, out_va, ISO_4K / 8 };
		vsvm_wait_ok(fd, c.queue,
			     iso_submit(&c, copy, copy_size,
					iso_args(&c, &ca, sizeof(ca), NULL),
					sizeof(ca), ISO_4K / 8));
		iso_check_pattern(out, ISO_4K, 900 + i);
	}

	/* A fifth does not. */
	memset(out, 0x5a, ISO_4K);
	ca = (struct iso_copy_args){ a + 6 * ISO_2M, out_va, ISO_4K / 8 };
	seqno = iso_submit(&c, copy, copy_size,
			   iso_args(&c, &ca, sizeof(ca), NULL), sizeof(ca),
			   ISO_4K / 8);
	w = iso_wait(fd, c.queue, seqno);
	igt_assert_f(w.status == DRM_VSVM_STATUS_RANGE_LIMIT,
		     "a job past the range limit: %s, expected RANGE_LIMIT\n",
		     vsvm_status_name(w.status));
	igt_assert_lte_u64(a + 6 * ISO_2M, w.fault_addr);
	igt_assert_lt_u64(w.fault_addr, a + 6 * ISO_2M + ISO_4K);
	iso_check_bytes(out, ISO_4K, 0x5a);
	snprintf(line, sizeof(line), "queue %u job %" PRIu64 ": status %u",
		 c.queue, seqno, DRM_VSVM_STATUS_RANGE_LIMIT);
	igt_assert(vsvm_log_has(fd, line));
	igt_assert_eq(iso_objects(fd, "svm_range") - ranges, 4);

	/* With room, the same job runs. */
	vsvm_param_restore("max_ranges_per_vm");
	vsvm_wait_ok(fd, c.queue,
		     iso_submit(&c, copy, copy_size,
				iso_args(&c, &ca, sizeof(ca), NULL), sizeof(ca),
				ISO_4K / 8));
	iso_check_pattern(out, ISO_4K, 906);

	iso_ctx_fini(&c);
	munmap(out, ISO_4K);
	munmap(buf, chunks * ISO_2M);
}

/*
 * A userptr whose GPU address lies 3 MiB above its CPU address, with the
 * CPU address in the first 2 MiB: the 2 MiB GPU block around a fault
 * starts below the GPU-CPU offset, so the chunk start computed in CPU
 * addresses wraps. A mid-job MADV_DONTNEED zaps the binding while the job
 * waits; the job's first access then faults in the userptr, and that one
 * fault must map the whole binding again with the CPU's new data.
 */
#define ISO_LOW_CPU	0x10000ull
#define ISO_LOW_OFFSET	0x300000ull

static void test_userptr_low_cpu_address(void)
{
	const uint64_t size = 16 * ISO_4K, g = ISO_LOW_CPU + ISO_LOW_OFFSET;
	uint64_t code, out_va, args_va, seqno, *io, clears, faults;
	struct iso_wait_copy_args a;
	uint32_t code_size;
	uint8_t *buf, *out;
	struct iso_ctx c;

	iso_require_debugfs(fd);
	buf = mmap(from_user_pointer(ISO_LOW_CPU), size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	igt_require_f(buf == from_user_pointer(ISO_LOW_CPU),
		      "cannot map at %#llx: %m\n", ISO_LOW_CPU);
	iso_fill_pattern(buf, size, 0x10);

	iso_ctx_init(&c, fd, DRM_VSVM_VM_CREATE_SVM, false);
	code = iso_code(&c, iso_wait_copy_src, &code_size);
	out_va = iso_bo(&c, size, (void **)&out, NULL);
	memset(out, 0x5a, size);
	vsvm_vm_map_userptr(fd, c.vm, buf, g, size, 0);
	igt_info("userptr: CPU %p at GPU %#" PRIx64 "\n", buf, g);
	a = (struct iso_wait_copy_args){ .src = g, .dst = out_va, .n = size / 8 };
	args_va = iso_args(&c, &a, sizeof(a), (void **)&io);
	a.flag = args_va + 256;
	a.started = args_va + 264;
	memcpy(io, &a, sizeof(a));
	seqno = iso_submit(&c, code, code_size, args_va, sizeof(a), 1);
	igt_assert_f(iso_wait_flag(&io[33]), "the job did not start\n");

	clears = vsvm_counter(fd, "inval_clear");
	igt_assert_eq(madvise(buf, size, MADV_DONTNEED), 0);
	igt_assert_lt(clears, vsvm_counter(fd, "inval_clear"));
	iso_fill_pattern(buf, size, 0x11);
	faults = vsvm_counter(fd, "faults");
	__atomic_store_n(&io[32], 1, __ATOMIC_RELEASE);
	vsvm_wait_ok(fd, c.queue, seqno);
	faults = vsvm_counter(fd, "faults") - faults;
	igt_info("the job took %" PRIu64 " faults in the zapped userptr\n",
		 faults);
	iso_check_pattern(out, size, 0x11);
	iso_check_pattern(buf, size, 0x11);
	/* The first fault maps the chunk around it: all of the binding. */
	igt_assert_f(faults == 1, "%" PRIu64 " faults for %" PRIu64 " pages in one "
		     "2 MiB GPU block: the fault did not map its chunk\n",
		     faults, size / ISO_4K);

	iso_ctx_fini(&c);
	munmap(io, ISO_4K);
	munmap(out, size);
	munmap(buf, size);
}

/*
 * PREFETCH over terabytes of a PROT_READ mapping, or the revalidation of a
 * userptr that large, runs for as long as the process lets it: a SIGKILL
 * must end it, and the process, within a minute.
 */
#define ISO_HUGE	(64ull << 40)

static void __attribute__((noreturn)) iso_huge_child(int sock, bool userptr)
{
	struct drm_vsvm_exec e;
	uint64_t r, end_va = ISO_BO_VA + ISO_HUGE + ISO_1G;
	size_t end_size;
	void *end = vsvm_assemble(iso_end_src, &end_size);
	uint32_t vm, queue, bo;
	int dfd, ret;
	void *p;

	dfd = open(iso_dev_path, O_RDWR);
	p = mmap(NULL, ISO_HUGE + ISO_2M, PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (dfd < 0 || p == MAP_FAILED)
		_exit(2);
	r = ALIGN(to_user_pointer(p), ISO_2M);
	madvise(from_user_pointer(r), ISO_HUGE, MADV_HUGEPAGE);
	if (__svm_vm_create(dfd, DRM_VSVM_VM_CREATE_SVM, &vm) ||
	    __vsvm_queue_create(dfd, vm, &queue) ||
	    __vsvm_gem_create(dfd, ISO_4K, &bo))
		_exit(3);
	p = __vsvm_gem_mmap(dfd, bo, ISO_4K, PROT_READ | PROT_WRITE);
	if (!p || __vsvm_vm_map(dfd, vm, bo, 0, end_va, ISO_4K,
				DRM_VSVM_BIND_READONLY))
		_exit(4);
	memcpy(p, end, end_size);
	if (userptr ? __vsvm_vm_map_userptr(dfd, vm, from_user_pointer(r),
					    ISO_BO_VA, ISO_HUGE,
					    DRM_VSVM_BIND_READONLY) :
		      __vsvm_vm_map_mirror(dfd, vm, r, ISO_HUGE))
		_exit(5);
	if (write(sock, "g", 1) != 1)
		_exit(6);
	if (userptr) {
		vsvm_exec_init(&e, queue, end_va, end_size);
		ret = __vsvm_exec(dfd, &e);
	} else {
		ret = __vsvm_prefetch(dfd, vm, r, ISO_HUGE, 0);
	}
	/* Only reached if the ioctl ended by itself. */
	_exit(write(sock, &ret, sizeof(ret)) == sizeof(ret) ? 7 : 8);
}

static void test_huge_sigkill(bool userptr)
{
	const char *counter = userptr ? "fault_pages" : "ranges_created";
	const int64_t progress = userptr ? 64 * 512 : 64;
	struct timespec t0;
	int64_t start;
	int sock, status = 0, ret = 0;
	char *baseline, g;
	double secs;
	pid_t pid;

	iso_require_debugfs(fd);
	baseline = vsvm_objects_baseline(fd);
	vsvm_param_set("max_ranges_per_vm", ISO_MANY_RANGES);
	pid = vsvm_fork_with_socket(&sock);
	if (!pid)
		iso_huge_child(sock, userptr);
	igt_assert_f(read(sock, &g, 1) == 1, "the child could not set up: %#x\n",
		     waitpid(pid, &status, 0) == pid ? status : -1);
	start = vsvm_counter(fd, counter);

	/* Kill it while the ioctl runs, once it has made progress. */
	for (int i = 0; vsvm_counter(fd, counter) - start < progress; i++) {
		igt_assert_f(waitpid(pid, &status, WNOHANG) == 0,
			     "the %s ended by itself (%d), status %#x\n",
			     userptr ? "EXEC" : "PREFETCH",
			     read(sock, &ret, sizeof(ret)) == sizeof(ret) ? ret : 0,
			     status);
		igt_assert_f(i < vsvm_scaled_limit(6000),
			     "the %s made no progress in a minute\n",
			     userptr ? "EXEC" : "PREFETCH");
		usleep(10 * 1000);
	}
	igt_info("%s: %" PRId64 " %s before SIGKILL\n",
		 userptr ? "EXEC" : "PREFETCH", vsvm_counter(fd, counter) - start,
		 counter);
	igt_assert_eq(kill(pid, SIGKILL), 0);
	igt_gettime(&t0);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		igt_assert_f(igt_nsec_elapsed(&t0) <
			     (uint64_t)vsvm_scaled_limit(60ll * 1000 * 1000 * 1000),
			     "the child still runs its %s a minute after SIGKILL "
			     "(%" PRId64 " %s so far)\n",
			     userptr ? "EXEC" : "PREFETCH",
			     vsvm_counter(fd, counter) - start, counter);
		usleep(10 * 1000);
	}
	secs = igt_nsec_elapsed(&t0) / 1e9;
	igt_info("the child died %.2f s after SIGKILL\n", secs);
	igt_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(sock);
	vsvm_wait_objects(fd, baseline, 60);
	vsvm_param_restore("max_ranges_per_vm");
	free(baseline);
}

/*
 * A process killed with process_mrelease() while its job keeps faulting
 * through its mirror: the job must end CANCELED, as docs/uapi.md says of a
 * job whose address space went away, not BAD_MEMORY. The job's outcome is
 * read from debugfs "log", as the dead process's file is gone.
 */
struct iso_reap_msg {
	uint32_t queue;
	uint64_t seqno;
};

static void *iso_sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/*
 * Threads that only sleep: SIGKILL must wake and end each of them before
 * the last one drops the address space, which keeps a reaped address
 * space alive long enough for the job to fault on it.
 */
#define ISO_REAP_THREADS	48

static void __attribute__((noreturn)) iso_reap_victim(int sock, int nqueues)
{
	struct vsvm_spin_args a;
	struct iso_reap_msg m;
	uint64_t code, args_va, *io;
	uint32_t code_size;
	uint8_t *buf = iso_map_2m(ISO_1M, PROT_READ | PROT_WRITE, 0);
	struct iso_ctx c;

	memset(buf, 0x3c, ISO_1M);
	c.fd = open(iso_dev_path, O_RDWR);
	if (c.fd < 0)
		_exit(2);
	/* Queue ids tell the attempts apart in the log. */
	iso_ctx_init(&c, c.fd, DRM_VSVM_VM_CREATE_SVM, true);
	for (int i = 0; i < nqueues; i++)
		c.queue = vsvm_queue_create(c.fd, c.vm);
	code = iso_code(&c, vsvm_spin_src, &code_size);
	vsvm_prefetch(c.fd, c.vm, to_user_pointer(buf), ISO_1M, 0);
	a = (struct vsvm_spin_args){ .buf = to_user_pointer(buf),
				    .npages = ISO_1M / ISO_4K };
	args_va = iso_args(&c, &a, sizeof(a), (void **)&io);
	a.flag = args_va + 256;
	a.started = args_va + 264;
	memcpy(io, &a, sizeof(a));
	m.queue = c.queue;
	m.seqno = iso_submit(&c, code, code_size, args_va, sizeof(a), 2 * ISO_WG);
	if (!iso_wait_flag(&io[33]))
		_exit(3);
	for (int i = 0; i < ISO_REAP_THREADS; i++) {
		pthread_attr_t attr;
		pthread_t t;

		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 64 * 1024);
		if (pthread_create(&t, &attr, iso_sleeper, NULL))
			_exit(5);
		pthread_attr_destroy(&attr);
	}
	if (write(sock, &m, sizeof(m)) != sizeof(m))
		_exit(4);
	for (;;)
		pause();
}

/* Matching log lines, and the status of the newest. */
static int iso_log_count(int dfd, uint32_t queue, uint64_t seqno, int *status)
{
	char *text = vsvm_debugfs_read(dfd, "log"), *line, *save = NULL;
	char key[64];
	int n = 0;

	igt_assert_f(text, "cannot read debugfs log: %m\n");
	snprintf(key, sizeof(key), "queue %u job %" PRIu64 ": status ", queue,
		 seqno);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *at = strstr(line, key);

		if (at) {
			n++;
			*status = atoi(at + strlen(key));
		}
	}
	free(text);
	return n;
}

static void test_reaped_job_canceled(void)
{
	int reached = 0, attempts = 16;
	char *baseline;

	iso_require_debugfs(fd);
	baseline = vsvm_objects_baseline(fd);
	for (int i = 1; i <= attempts; i++) {
		struct iso_reap_msg m;
		int sock, status, before, n, job = -1;
		int64_t honoured;
		pid_t pid;
		long ret;

		pid = vsvm_fork_with_socket(&sock);
		if (!pid)
			iso_reap_victim(sock, i);
		igt_assert_f(read(sock, &m, sizeof(m)) == sizeof(m),
			     "the victim failed: %#x\n",
			     waitpid(pid, &status, 0) == pid ? status : -1);
		close(sock);
		before = iso_log_count(fd, m.queue, m.seqno, &job);
		honoured = vsvm_counter(fd, "inval_nonblock_honoured");
		ret = vsvm_kill_and_mrelease(pid);
		igt_assert_eq(waitpid(pid, &status, 0), pid);
		igt_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		honoured = vsvm_counter(fd, "inval_nonblock_honoured") - honoured;
		for (int t = 0; (n = iso_log_count(fd, m.queue, m.seqno, &job)) == before;
		     t++) {
			igt_assert_f(t < vsvm_scaled_limit(600),
				     "no log line for queue %u job %" PRIu64
				     "\n", m.queue, m.seqno);
			usleep(100 * 1000);
		}
		igt_info("attempt %d: process_mrelease %ld, %" PRId64
			 " non-blockable invalidations; the job ended %s\n", i, ret,
			 honoured, vsvm_status_name(job));
		igt_assert_f(job == DRM_VSVM_STATUS_CANCELED,
			     "the reaped process's job ended %s, not CANCELED\n",
			     vsvm_status_name(job));
		if (!ret && honoured > 0)
			reached++;
	}
	/* The target path ran: the reaper, not the exit, tore memory down. */
	igt_assert_f(reached, "process_mrelease() never reached vsvm in %d "
		     "attempts\n", attempts);
	vsvm_wait_objects(fd, baseline, 30);
	free(baseline);
}


/* ---- end section: unreachable memory, isolation, accounting ---- */


/* ---- section: job and queue lifetimes (defects 7, 8) ---- */

#include <sched.h>
#include <time.h>

#include "igt_syncobj.h"

/*
 * A job is either run and freed or refused: destroying its queue or closing
 * its file while another thread submits never leaves one behind, and the
 * user fence of every EXEC that succeeded is stored (the VM is an SVM VM,
 * which takes no syncobjs). Jobs take their arguments from and store to the
 * test's own memory through a mirror: a CPU mapping of a BO would keep the
 * DRM file open after close().
 */
#define LIFE_JOBS	64		/* EXECs one round submits at most */
#define LIFE_SPIN	1000		/* loop turns before the store: a few batches */
#define LIFE_SENTINEL	0x5e5e5e5e5e5e5e5eull
#define LIFE_MEM_SIZE	ISO_64K		/* arguments, user fences, data */
#define LIFE_ROUNDS	200		/* exec-vs-queue-destroy: rounds at most, */
#define LIFE_HITS	8		/* ended early by this many refusals */
#define LIFE_CLOSE_ROUNDS	16	/* exec-vs-file-close */

/*
 * Spins for n turns, then one lane stores value at dst. Arguments: 0 dst
 * (u64 pointer), 8 value, 16 n (u32). The spin keeps jobs queued behind a
 * running one, so a destroy or close finds some to cancel.
 */
static const char life_store_src[] =
	"	ldarg.u32 r3, 16\n"
	"	movi r4, 0\n"
	"	loop\n"
	"	    icmp.eq.32 r5, r4, r3\n"
	"	    if r5\n"
	"	        break\n"
	"	    endif\n"
	"	    add.32 r4, r4, 1\n"
	"	endloop\n"
	"	ldarg.u64 r1, 0\n"
	"	ldarg.u64 r2, 8\n"
	"	st.global.u64 [r1], r2\n"
	"	end\n";

/*
 * life_store_src, then LIFE_PAD NOPs that never run but that EXEC reads and
 * validates between its queue lookup and its push: the window a destroy
 * must hit.
 */
#define LIFE_PAD	4096

static uint64_t life_code(struct iso_ctx *c, uint32_t *size)
{
	size_t len = strlen(life_store_src);
	char *src = malloc(len + LIFE_PAD * 4 + 1);
	uint64_t va;

	igt_assert(src);
	memcpy(src, life_store_src, len);
	for (int i = 0; i < LIFE_PAD; i++)
		memcpy(src + len + i * 4, "nop\n", 4);
	src[len + LIFE_PAD * 4] = '\0';
	va = iso_code(c, src, size);
	free(src);
	return va;
}

struct life_store_args {
	uint64_t dst, value;
	uint32_t n, pad;
};

/* One round's jobs: job i stores life_value(round, i) at data word i. */
struct life_round {
	int fd;			/* the file EXEC goes to */
	uint32_t queue;
	uint64_t code;		/* GPU address */
	uint32_t code_size;
	struct life_store_args *args;	/* mirrored: GPU address = CPU address */
	uint64_t *data;			/* the same */
	uint64_t *fences;		/* user fence of job i: life_value(round, i) */
	int ret[LIFE_JOBS];		/* EXEC's return, for i < @n */
	int n;				/* EXECs issued, set by the submitter */
	bool done;			/* the submitter has stopped */
};

static uint64_t life_value(int round, int i)
{
	return 0xa11ce000000000ull | (uint64_t)round << 16 | (uint64_t)i;
}

/* An SVM VM on @dfd with @r's memory mirrored, its code, and a queue. */
static void life_round_init(struct life_round *r, struct iso_ctx *c, int dfd,
			    int round)
{
	uint8_t *mem = mmap(NULL, LIFE_MEM_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	igt_assert(mem != MAP_FAILED);
	igt_assert_lt_u64((uintptr_t)mem + LIFE_MEM_SIZE, ISO_BO_VA);
	iso_ctx_init(c, dfd, DRM_VSVM_VM_CREATE_SVM, false);
	vsvm_vm_map_mirror(dfd, c->vm, (uintptr_t)mem, LIFE_MEM_SIZE);
	r->fd = dfd;
	r->queue = c->queue;
	r->code = life_code(c, &r->code_size);
	r->args = (struct life_store_args *)mem;
	r->fences = (uint64_t *)(mem + LIFE_MEM_SIZE / 4);
	r->data = (uint64_t *)(mem + LIFE_MEM_SIZE / 2);
	for (int i = 0; i < LIFE_JOBS; i++) {
		r->args[i] = (struct life_store_args){
			.dst = (uintptr_t)&r->data[i],
			.value = life_value(round, i),
			.n = LIFE_SPIN,
		};
		r->data[i] = LIFE_SENTINEL;
	}
	r->n = 0;
	r->done = false;
}

/* Next round on the same memory: fresh values, sentinels, no fences. */
static void life_round_reset(struct life_round *r, int round)
{
	for (int i = 0; i < LIFE_JOBS; i++) {
		r->args[i].value = life_value(round, i);
		r->data[i] = LIFE_SENTINEL;
		r->fences[i] = 0;
	}
	r->n = 0;
	r->done = false;
}

static void life_round_fini(struct life_round *r)
{
	munmap(r->args, LIFE_MEM_SIZE);
}

/* syncobj_wait()'s deadline, CLOCK_MONOTONIC: VSVM_WAIT_TIMEOUT_NS from now. */
static int64_t life_deadline(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec + VSVM_WAIT_TIMEOUT_NS;
}

/* Submits job after job until an EXEC fails or LIFE_JOBS went in. */
static void *life_submitter(void *arg)
{
	struct life_round *r = arg;

	for (int i = 0; i < LIFE_JOBS; i++) {
		struct drm_vsvm_exec e;

		iso_exec_init(&e, r->queue, r->code, r->code_size,
			      (uintptr_t)&r->args[i], sizeof(r->args[i]), 1);
		vsvm_exec_set_user_fence(&e, &r->fences[i], r->args[i].value);
		r->ret[i] = __vsvm_exec(r->fd, &e);
		__atomic_store_n(&r->n, i + 1, __ATOMIC_RELEASE);
		if (r->ret[i])
			break;
	}
	__atomic_store_n(&r->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* Starts the submitter and returns once it has issued @k EXECs, or stopped. */
static pthread_t life_start(struct life_round *r, int k)
{
	pthread_t t;

	igt_assert_eq(pthread_create(&t, NULL, life_submitter, r), 0);
	while (__atomic_load_n(&r->n, __ATOMIC_ACQUIRE) < k &&
	       !__atomic_load_n(&r->done, __ATOMIC_ACQUIRE))
		sched_yield();
	return t;
}

/*
 * After the round: each EXEC returned 0 until one failed with @err. Each
 * success's user fence is stored, in order, whether the job ran or was
 * canceled; a job stored its value or, canceled, perhaps nothing; the
 * failed EXEC armed no fence and stored nothing; no later word changed.
 * Returns the jobs that stored nothing, each one canceled.
 */
static int life_check_round(const struct life_round *r, int dfd, int round,
			    int err)
{
	int n = r->n, canceled = 0;

	for (int i = 0; i < n; i++) {
		if (!r->ret[i]) {
			igt_assert_f(!__vsvm_wait_user_fence(dfd, &r->fences[i],
							     life_value(round, i),
							     VSVM_WAIT_TIMEOUT_NS),
				     "round %d: the user fence of job %d never came\n",
				     round, i);
			igt_assert_eq_u64(r->fences[i], life_value(round, i));
			continue;
		}
		iso_check_err(r->ret[i], err, "EXEC");
		igt_assert_eq(i, n - 1);
	}
	/* Every job has ended, its fence stored in order: no word changes any more. */
	for (int i = 0; i < LIFE_JOBS; i++) {
		uint64_t want = life_value(round, i), got = r->data[i];

		if (i >= n || r->ret[i]) {
			igt_assert_eq_u64(got, LIFE_SENTINEL);
			igt_assert_eq_u64(r->fences[i], 0);
			continue;
		}
		igt_assert_f(got == want || got == LIFE_SENTINEL,
			     "round %d: job %d wrote %#" PRIx64 "\n", round, i, got);
		canceled += got == LIFE_SENTINEL;
	}
	return canceled;
}

static int life_successes(const struct life_round *r)
{
	int ok = 0;

	for (int i = 0; i < r->n; i++)
		ok += !r->ret[i];
	return ok;
}

static void test_exec_vs_queue_destroy(void)
{
	int64_t refused = 0, refused0;
	int round, jobs = 0, canceled = 0;
	struct life_round r;
	struct iso_ctx c;
	char *baseline;

	iso_require_debugfs(fd);
	baseline = vsvm_objects_baseline(fd);
	life_round_init(&r, &c, fd, 0);
	/* -1 on a driver without the counter, whose leaked fences fail first. */
	refused0 = vsvm_debugfs_value(fd, "counters", "exec_queue_destroyed");

	for (round = 0; round < LIFE_ROUNDS && refused < LIFE_HITS; round++) {
		pthread_t t;

		life_round_reset(&r, round);
		r.queue = vsvm_queue_create(fd, c.vm);
		/* Destroy after 0 to 3 EXECs, so the window moves over the loop. */
		t = life_start(&r, round % 4);
		vsvm_queue_destroy(fd, r.queue);
		pthread_join(t, NULL);
		canceled += life_check_round(&r, fd, round, -ENOENT);
		jobs += life_successes(&r);
		refused = vsvm_debugfs_value(fd, "counters", "exec_queue_destroyed") - refused0;
	}
	igt_info("%d rounds: %d jobs (%d canceled before their store), %" PRId64
		 " EXECs refused between lookup and push\n",
		 round, jobs, canceled, refused);
	igt_assert_f(refused > 0,
		     "no EXEC met a queue destroyed after its lookup in %d rounds\n",
		     round);

	life_round_fini(&r);
	iso_ctx_fini(&c);
	vsvm_wait_objects(fd, baseline, 30);
	free(baseline);
}

static void test_exec_vs_file_close(void)
{
	int round, jobs = 0, canceled = 0;
	char *baseline;

	iso_require_debugfs(fd);
	baseline = vsvm_objects_baseline(fd);
	for (round = 0; round < LIFE_CLOSE_ROUNDS; round++) {
		struct life_round r;
		struct iso_ctx c;
		pthread_t t;

		life_round_init(&r, &c, drm_open_driver_render(DRIVER_ANY), round);
		t = life_start(&r, round % 4);
		/* Nothing opens a file before the join, so the number stays dead. */
		close(c.fd);
		pthread_join(t, NULL);
		/* User fences live in this process's memory, past the file. */
		canceled += life_check_round(&r, fd, round, -EBADF);
		jobs += life_successes(&r);
		life_round_fini(&r);
	}
	igt_info("%d rounds: %d jobs, %d canceled by the close\n",
		 round, jobs, canceled);
	igt_assert_f(canceled > 0, "no close caught a job in %d rounds\n", round);
	vsvm_wait_objects(fd, baseline, 30);
	free(baseline);
}

static void test_exec_wg_size_overflow(void)
{
	static const struct {
		uint32_t wg[3];
		const char *product;
	} bad[] = {
		{ { 1025, 1, 1 }, "MAX_WG_SIZE + 1" },
		{ { 64, 0x4000001, 1 }, "2^32 + 64, 64 in 32 bits" },
		{ { 0x10000, 0x10000, 1 }, "2^32, 0 in 32 bits" },
		{ { 64, 0x20008001, 0x1fff8001 }, "2^64 + 64, 64 in 64 bits" },
		{ { 0x20008001, 0x1fff8001, 64 }, "2^64 + 64, the other order" },
		{ { 1024, 0x8004001, 0x7ffc001 }, "2^64 + 1024, 1024 in 64 bits" },
		{ { 0x400000, 0x400000, 0x100000 }, "2^64, 0 in 64 bits" },
		{ { 0xffffffff, 0xffffffff, 0xffffffff }, "(2^32 - 1)^3" },
	};
	struct drm_vsvm_exec e;
	struct life_round r;
	struct iso_ctx c;
	char line[64];

	iso_require_debugfs(fd);
	life_round_init(&r, &c, fd, 0);
	iso_exec_init(&e, c.queue, r.code, r.code_size, (uintptr_t)&r.args[0],
		      sizeof(r.args[0]), 1);
	vsvm_exec_set_user_fence(&e, &r.fences[0], 1);

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		igt_info("workgroup %#x x %#x x %#x: %s\n", bad[i].wg[0],
			 bad[i].wg[1], bad[i].wg[2], bad[i].product);
		memcpy(e.wg_size, bad[i].wg, sizeof(e.wg_size));
		iso_check_err(__vsvm_exec(fd, &e), -EINVAL, bad[i].product);
		snprintf(line, sizeof(line), "workgroup %ux%ux%u",
			 bad[i].wg[0], bad[i].wg[1], bad[i].wg[2]);
		igt_assert(vsvm_log_has(fd, line));
	}
	igt_assert_eq_u64(r.fences[0], 0);
	igt_assert_eq_u64(r.data[0], LIFE_SENTINEL);

	/* The largest workgroup runs, as the first job of the queue. */
	e.wg_size[0] = 8;
	e.wg_size[1] = 8;
	e.wg_size[2] = 16;
	igt_assert_eq_u64(vsvm_exec(fd, &e), 1);
	vsvm_wait_ok(fd, c.queue, 1);
	igt_assert_eq_u64(r.data[0], life_value(0, 0));
	vsvm_wait_user_fence(fd, &r.fences[0], 1);

	life_round_fini(&r);
	iso_ctx_fini(&c);
}

static void test_debugfs_left_unsigned(void)
{
	const uint64_t total = 0xffffffffull * 0xffffffffull;
	unsigned long long next = 0, wgs = 0, left = 0;
	char needle[64], left_text[32] = "";
	struct drm_vsvm_exec e;
	uint32_t code_size, sync;
	struct iso_ctx c;
	uint64_t code;
	bool seen = false;

	iso_require_debugfs(fd);
	iso_ctx_init(&c, fd, 0, false);
	code = iso_code(&c, iso_end_src, &code_size);
	sync = syncobj_create(fd, 0);
	vsvm_exec_init(&e, c.queue, code, code_size);
	e.grid[0] = 0xffffffff;
	e.grid[1] = 0xffffffff;
	e.out_sync = sync;
	snprintf(needle, sizeof(needle), "active: queue %u job %" PRIu64 " ",
		 c.queue, vsvm_exec(fd, &e));

	/*
	 * The job times out after job_timeout_ms (10 s, scaled alike by
	 * tools/vm): look well before.
	 */
	for (int64_t i = 0; i < vsvm_scaled_limit(300) && !seen; i++) {
		char *text = vsvm_debugfs_read(fd, "engine"), *line;

		igt_assert_f(text, "cannot read debugfs engine: %m\n");
		line = strstr(text, needle);
		if (line) {
			igt_info("%.*s\n", (int)strcspn(line, "\n"), line);
			igt_assert_eq(sscanf(line + strlen(needle),
					     "workgroups %llu/%llu left %31s",
					     &next, &wgs, left_text), 3);
			seen = true;
		}
		free(text);
		if (!seen)
			usleep(10 * 1000);
	}
	igt_assert_f(seen, "job never seen active in debugfs engine\n");
	igt_assert_eq_u64(wgs, total);
	igt_assert_f(strspn(left_text, "0123456789") == strlen(left_text),
		     "left \"%s\" is not an unsigned count\n", left_text);
	errno = 0;
	left = strtoull(left_text, NULL, 10);
	igt_assert_eq(errno, 0);
	/* Between the workgroups not handed out and all of them: above 2^63. */
	igt_assert_lte_u64(wgs - next, left);
	igt_assert_lte_u64(left, wgs);
	igt_assert_lt_u64(1ull << 63, left);

	vsvm_queue_destroy(fd, c.queue);
	igt_assert(syncobj_wait(fd, &sync, 1, life_deadline(), 0, NULL));
	igt_assert_eq(vsvm_syncobj_status(fd, sync), -ECANCELED);
	syncobj_destroy(fd, sync);
	vsvm_vm_destroy(fd, c.vm);
}

/* ---- end section: job and queue lifetimes ---- */


igt_main
{
	igt_fixture {
		fd = drm_open_driver_render(DRIVER_ANY);
	}

	/* ---- subtests: translations and teardown ---- */

	igt_subtest_group {
		igt_describe("A THP the GPU maps with a 2 MiB PTE: MADV_DONTNEED "
			     "of one page (the GPU leaf goes whole, the CPU "
			     "splits its PMD), then of the rest, frees the "
			     "folio. The shader that read the pages before reads "
			     "and writes them again, before and after a spray "
			     "takes the freed memory: it sees only what the CPU "
			     "sees there (zero), its writes land there, and the "
			     "spray is untouched.");
		igt_subtest("stale-tlb-thp-dontneed")
			test_stale_tlb_thp(TLB_ANON_DONTNEED);

		igt_describe("The same with MADV_FREE of one page (the folio "
			     "is split) before MADV_DONTNEED of the rest.");
		igt_subtest("stale-tlb-thp-free")
			test_stale_tlb_thp(TLB_ANON_FREE);

		igt_describe("The same with a shmem THP on a huge=always tmpfs, "
			     "dropped by FALLOC_FL_PUNCH_HOLE of one page, then "
			     "of all of it.");
		igt_subtest("stale-tlb-shmem-thp-punch-hole")
			test_stale_tlb_thp(TLB_SHMEM_PUNCH);

		igt_describe("The same with a shmem THP truncated by its last "
			     "page, then to nothing (and back to a hole).");
		igt_subtest("stale-tlb-shmem-thp-truncate")
			test_stale_tlb_thp(TLB_SHMEM_TRUNCATE);

		igt_describe("The same through a userptr binding of the THP at "
			     "a 2 MiB-aligned GPU address.");
		igt_subtest("stale-tlb-userptr-thp-dontneed")
			test_stale_tlb_thp(TLB_USERPTR_DONTNEED);

		igt_describe("A THP the GPU maps with one writable 2 MiB PTE, "
			     "written by a shader; mprotect() makes one page "
			     "read-only. The shader writes the pages again: "
			     "the read-only page faults READ_ONLY and keeps "
			     "the CPU's data byte for byte.");
		igt_subtest("stale-tlb-thp-mprotect")
			test_stale_tlb_thp_mprotect();

		igt_describe("A THP the GPU wrote through one writable 2 MiB "
			     "PTE is shared with a child by fork(); the shader "
			     "writes it again: the writes land in the parent's "
			     "COW copies, the child's copy is unchanged byte for "
			     "byte.");
		igt_subtest("stale-tlb-thp-fork")
			test_stale_tlb_thp_fork();

		igt_describe("VM_CREATE of an SVM VM interrupted by signals "
			     "while the notifier core takes the locks of "
			     "thousands of VMAs: it fails with EINTR, leaves "
			     "no object behind, and a retry creates a VM.");
		igt_subtest("vm-create-eintr")
			test_vm_create_eintr();

		igt_describe("A VM whose GPU leaf of a THP a partial "
			     "MADV_DONTNEED dropped is destroyed, the folio "
			     "freed and sprayed; new VMs mirroring the same "
			     "address, on every compute unit, read zero and "
			     "write only the CPU's memory, never the spray.");
		igt_subtest("stale-tlb-vm-recreate")
			test_stale_tlb_vm_recreate();

		igt_describe("A shader copies a THP the GPU maps with a 2 MiB "
			     "PTE into another, four times: each is one 2 MiB "
			     "TLB entry, so the copy takes a handful of "
			     "page-table walks (debugfs tlb_walks), not one per "
			     "4 KiB page; the copy is checked byte for byte.");
		igt_subtest("tlb-2m-entry")
			test_tlb_2m_entry();

		igt_describe("32 pages at power-of-two strides of 64 KiB, "
			     "256 KiB and 2 MiB, read four times: the TLB holds "
			     "them all (at most a walk per page), where a "
			     "direct-mapped one missed on every access.");
		igt_subtest("tlb-stride")
			test_tlb_stride();

		igt_describe("VM_BIND unmap of a mirror, held between its zap and "
			     "its notifier removal, while a shader sweeps the "
			     "memory and the CPU unmaps it and a spray takes the "
			     "freed pages: the shader never reads or writes the "
			     "spray, and its job ends UNMAPPED.");
		igt_subtest("teardown-unbind-mirror-race")
			test_teardown_race(TLB_UNBIND_MIRROR);

		igt_describe("The same for VM_BIND unmap of a userptr binding.");
		igt_subtest("teardown-unbind-userptr-race")
			test_teardown_race(TLB_UNBIND_USERPTR);

		igt_describe("The same for VM_DESTROY with the job running.");
		igt_subtest("teardown-vm-destroy-race")
			test_teardown_race(TLB_VM_DESTROY);
	}

	/* ---- end subtests: translations and teardown ---- */


	/* ---- subtests: unreachable memory, isolation, accounting ---- */

	igt_subtest_group {
		igt_fixture {
			char link[64], target[64] = "";

			iso_mirror_end = vsvm_get_param(fd, DRM_VSVM_PARAM_MIRROR_VA_END);
			if (iso_mirror_end > ISO_BO_VA)
				iso_mirror_end = ISO_BO_VA;
			snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
			igt_assert_lt(0, readlink(link, target, sizeof(target) - 1));
			snprintf(iso_dev_path, sizeof(iso_dev_path), "%s", target);
		}

		igt_describe("A job reading or writing memfd_secret() memory "
			     "through a mirror ends UNREACHABLE with a debugfs "
			     "log line; no byte of the secret reaches the GPU, "
			     "none of it changes, and the VM still serves "
			     "ordinary memory.");
		igt_subtest("unreachable-secretmem-mirror-job")
			test_unreachable_mirror_job();

		igt_describe("PREFETCH and PREFETCH_WRITE of memfd_secret() "
			     "memory fail ENXIO.");
		igt_subtest("unreachable-secretmem-prefetch")
			test_unreachable_prefetch();

		igt_describe("EXEC of shader code in memfd_secret() memory fails "
			     "ENXIO.");
		igt_subtest("unreachable-secretmem-exec-code")
			test_unreachable_exec_code();

		igt_describe("EXEC with a userptr, writable or read-only, of "
			     "memfd_secret() memory fails ENXIO; without it the "
			     "same EXEC runs.");
		igt_subtest("unreachable-secretmem-userptr")
			test_unreachable_userptr();

		igt_describe("A userptr the CPU remaps to memfd_secret() memory "
			     "while a job waits: the job's fault on it ends "
			     "UNREACHABLE and copies nothing.");
		igt_subtest("unreachable-secretmem-userptr-remapped")
			test_unreachable_userptr_remapped();

		igt_describe("The reported attack: a forked child binds a BO into "
			     "its parent's SVM VM before the parent's first "
			     "mirror and submits a job that then reads the "
			     "parent's memory. Its bind, QUEUE_CREATE and EXEC "
			     "fail EPERM and nothing of the parent's reaches it.");
		igt_subtest("isolation-child-job-before-mirror")
			test_isolation_child_job_before_mirror();

		igt_describe("A forked child tries every ioctl on its parent's "
			     "SVM VM and queue after each step of the parent's "
			     "setup (VM_CREATE, BO bind, QUEUE_CREATE, mirror "
			     "bind and a faulted job, a job running): each fails "
			     "EPERM, WAIT included, and the parent's job ends "
			     "with the right data.");
		igt_subtest("isolation-fork-every-step")
			test_isolation_every_step(false);

		igt_describe("The same for a process that received the file over "
			     "a unix socket (SCM_RIGHTS).");
		igt_subtest("isolation-scm-rights-every-step")
			test_isolation_every_step(true);

		igt_describe("The owner gone, nobody binds, prefetches, creates "
			     "queues or submits in its SVM VM any more, not "
			     "even code it left in its mirror; any holder of "
			     "the file may wait and destroy.");
		igt_subtest("isolation-owner-gone")
			test_isolation_owner_gone();

		igt_describe("Positive control: a VM created without "
			     "DRM_VSVM_VM_CREATE_SVM refuses mirrors and "
			     "userptrs (EINVAL) and is usable by a forked child: "
			     "BO bind, QUEUE_CREATE, EXEC on its own and the "
			     "parent's queue, WAIT, with the right data.");
		igt_subtest("isolation-bo-only-vm-shared")
			test_isolation_bo_only_shared();

		igt_describe("PREFETCH of a huge PROT_READ mapping (the huge zero "
			     "page) from a cgroup with memory.max 2 MiB stops "
			     "with ENOMEM or ENOSPC, or the cgroup's OOM kill, "
			     "and the cgroup was charged for what vsvm "
			     "allocated (debugfs objects).");
		igt_subtest("accounting-prefetch-zero-page-memcg")
			test_accounting_prefetch_memcg();

		igt_describe("GPU faults serviced on a compute unit's kernel "
			     "thread charge the ranges and page tables they "
			     "allocate to the VM owner's cgroup.");
		igt_subtest("accounting-job-faults-memcg")
			test_accounting_job_faults_memcg();

		igt_describe("With max_ranges_per_vm lowered to 4, PREFETCH of a "
			     "fifth range fails ENOSPC and a job touching it "
			     "ends RANGE_LIMIT with a debugfs log line; the four "
			     "ranges still serve, and raising the limit lets "
			     "the job through.");
		igt_subtest("range-limit")
			test_range_limit();

		igt_describe("A userptr 3 MiB above a CPU address in the first "
			     "2 MiB, zapped mid-job by MADV_DONTNEED: one GPU "
			     "fault maps the binding again with the CPU's new "
			     "data, byte for byte.");
		igt_subtest("userptr-fault-low-cpu-address")
			test_userptr_low_cpu_address();

		igt_describe("SIGKILL ends a PREFETCH over 64 TiB of a PROT_READ "
			     "mapping, and its process, within a minute.");
		igt_subtest("prefetch-huge-sigkill")
			test_huge_sigkill(false);

		igt_describe("SIGKILL ends an EXEC revalidating a 64 TiB userptr, "
			     "and its process, within a minute.");
		igt_subtest("userptr-revalidate-huge-sigkill")
			test_huge_sigkill(true);

		igt_describe("A process reaped with process_mrelease() while its "
			     "job keeps faulting through its mirror: the job "
			     "ends CANCELED (debugfs log), never BAD_MEMORY.");
		igt_subtest("reaped-job-canceled")
			test_reaped_job_canceled();
	}

	/* ---- end subtests: unreachable memory, isolation, accounting ---- */


	/* ---- subtests: job and queue lifetimes ---- */

	igt_subtest_group {
		igt_describe("One thread submits in a loop while another "
			     "destroys the queue: every EXEC either succeeds, "
			     "and its user fence is stored with the job run or "
			     "canceled, or fails ENOENT with no fence armed; "
			     "EXECs refused between lookup and push "
			     "are counted (debugfs exec_queue_destroyed), and "
			     "no job outlives the test.");
		igt_subtest("exec-vs-queue-destroy")
			test_exec_vs_queue_destroy();

		igt_describe("The same with the file closed under the "
			     "submitter: EXECs fail EBADF once it is gone, the "
			     "user fences of those that went in are stored "
			     "after the close, and the close cancels queued "
			     "jobs.");
		igt_subtest("exec-vs-file-close")
			test_exec_vs_file_close();

		igt_describe("Workgroup sizes whose product wraps 32 or 64 "
			     "bits to a small value fail EINVAL with a debugfs "
			     "log line and run nothing; 8x8x16 runs.");
		igt_subtest("exec-wg-size-overflow")
			test_exec_wg_size_overflow();

		igt_describe("debugfs engine prints the workgroups left of a "
			     "grid above 2^63 as an unsigned count; destroying "
			     "the queue cancels the job.");
		igt_subtest("debugfs-left-unsigned")
			test_debugfs_left_unsigned();
	}

	/* ---- end subtests: job and queue lifetimes ---- */


	igt_fixture {
		drm_close_driver(fd);
	}
}
