// SPDX-License-Identifier: MIT
/*
 * Long-running mode and user fences (docs/uapi.md, section 4.8). A job of
 * an SVM VM may page-fault, and servicing a fault allocates memory, so it
 * may publish no dma-fence: EXEC refuses syncobjs on SVM VMs, and BO-only
 * VMs keep them. A user fence tells a job's end instead: the driver stores
 * a value at an address of the submitter when the job ends, however it
 * ends (OK, fault, timeout, cancel), in submission order, visible to a CPU
 * that polls the word and to DRM_IOCTL_VSVM_WAIT_USER_FENCE. Where the
 * store cannot be made (unmapped or read-only memory) it is logged and
 * nothing else changes; it lands in the submitting process only, never in
 * a forked relative; it is skipped once the submitter is gone.
 *
 * Shaders, their arguments and the data live in plain process memory that
 * the SVM VM mirrors, as a runtime using long-running mode keeps them.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include "igt.h"
#include "igt_syncobj.h"
#include "vsvm_lib.h"

#ifndef HAVE_VSVM_ASM
#error "vsvm_user_fence needs the shader assembler (tools/vsvm-as/vsvm_asm.c)"
#endif

IGT_TEST_DESCRIPTION("Long-running mode: syncobjs refused on SVM VMs, user "
		     "fences stored however a job ends, in order, waited on "
		     "or polled, and never into another process.");

#define WG_LANES	64

/* memfd_secret(); glibc 2.36 has no wrapper. */
#define SECRET_SYSCALL	447

/*
 * Buffer objects of the BO-only VMs, at 2^47 and up, where the CPU never
 * maps anything by itself; mirrors stop below.
 */
#define BO_VA_BASE	(1ull << 47)

/*
 * Bound on waiting for what has no job of its own (a counter, a start), in
 * polls of 1 ms, scaled for a busy host.
 */
#define SETTLE_MS	vsvm_scaled_limit(20000)

static int fd = -1;
static uint64_t mirror_end;

/* One lane loads the u64 at argument 0. */
static const char load_src[] =
	"	ldarg.u64 r1, 0			; 0x00\n"
	"	ld.global.u64 r2, [r1]		; 0x10: the access\n"
	"	end\n";
#define LOAD_PC		0x10

struct load_args {
	uint64_t addr;
};

struct shader {
	const char *src;
	void *code;		/* in process memory, which SVM VMs mirror */
	uint32_t size;
};

/* gate: vsvm_spin_src, which holds a job until the test opens it. */
static struct shader fill = { .src = vsvm_fill_src }, gate = { .src = vsvm_spin_src },
	load = { .src = load_src };

static void shader_build(struct shader *sh)
{
	size_t size;
	void *code = vsvm_assemble(sh->src, &size);

	sh->code = aligned_alloc(64, ALIGN(size, 64));
	igt_assert(sh->code);
	memcpy(sh->code, code, size);
	free(code);
	sh->size = size;
}

static void check_fill(const uint64_t *p, uint32_t n, uint64_t seed,
		       const char *what)
{
	for (uint32_t i = 0; i < n; i++)
		igt_assert_f(p[i] == vsvm_fill_word(seed, i),
			     "%s: word %u at %p is %#" PRIx64 ", expected %#" PRIx64 "\n",
			     what, i, &p[i], p[i], vsvm_fill_word(seed, i));
}

static void check_zero(const uint64_t *p, uint32_t n, const char *what)
{
	for (uint32_t i = 0; i < n; i++)
		igt_assert_f(!p[i], "%s: word %u at %p is %#" PRIx64 ", expected 0\n",
			     what, i, &p[i], p[i]);
}

/* Pages of their own, zeroed and touched, so that fork() shares them COW. */
static uint64_t *map_words(uint64_t bytes)
{
	uint64_t *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	igt_assert(p != MAP_FAILED);
	memset(p, 0, bytes);
	return p;
}

/* A page-aligned address with nothing mapped there. */
static uint64_t *hole(void)
{
	uint64_t *p = map_words(SZ_4K);

	igt_assert_eq(munmap(p, SZ_4K), 0);
	return p;
}

/* An SVM VM mirroring the whole address space, and a queue on it. */
struct lr {
	int fd;
	uint32_t vm, queue;
};

static void lr_init(struct lr *l, int dfd)
{
	l->fd = dfd;
	l->vm = vsvm_vm_create(dfd, DRM_VSVM_VM_CREATE_SVM);
	vsvm_vm_map_mirror(dfd, l->vm, 0, mirror_end);
	l->queue = vsvm_queue_create(dfd, l->vm);
}

static void lr_fini(struct lr *l)
{
	vsvm_queue_destroy(l->fd, l->queue);
	vsvm_vm_destroy(l->fd, l->vm);
}

/* @args must live until the job ends: the shader reads them as it runs. */
static void exec_init(struct drm_vsvm_exec *exec, uint32_t queue,
		      const struct shader *sh, const void *args,
		      uint32_t args_size, uint32_t lanes)
{
	vsvm_exec_init(exec, queue, to_user_pointer(sh->code), sh->size);
	exec->args_addr = to_user_pointer(args);
	exec->args_size = args_size;
	exec->wg_size[0] = lanes < WG_LANES ? lanes : WG_LANES;
	exec->grid[0] = (lanes + WG_LANES - 1) / WG_LANES;
}

/* Submits @sh with a user fence storing @value at @word (none if NULL). */
static uint64_t lr_exec(struct lr *l, const struct shader *sh, const void *args,
			uint32_t args_size, uint32_t lanes,
			volatile uint64_t *word, uint64_t value)
{
	struct drm_vsvm_exec exec;

	exec_init(&exec, l->queue, sh, args, args_size, lanes);
	if (word)
		vsvm_exec_set_user_fence(&exec, word, value);
	return vsvm_exec(l->fd, &exec);
}

static uint64_t lr_fill(struct lr *l, struct vsvm_fill_args *a, uint64_t *dst,
			uint32_t n, uint64_t seed, volatile uint64_t *word,
			uint64_t value)
{
	*a = (struct vsvm_fill_args){ .dst = to_user_pointer(dst), .seed = seed, .n = n };
	return lr_exec(l, &fill, a, sizeof(*a), n, word, value);
}

/* A job held until the test opens it, in a page of its own. */
struct gate {
	uint64_t *ctl;			/* [0] open, [1] started */
	struct vsvm_spin_args args;
};

static uint64_t lr_gate(struct lr *l, struct gate *g, volatile uint64_t *word,
			uint64_t value)
{
	g->ctl = map_words(SZ_4K);
	g->args = (struct vsvm_spin_args){
		.flag = to_user_pointer(&g->ctl[0]),
		.started = to_user_pointer(&g->ctl[1]),
		.buf = to_user_pointer(g->ctl), .npages = 1,
	};
	return lr_exec(l, &gate, &g->args, sizeof(g->args), 1, word, value);
}

static bool gate_started(struct gate *g)
{
	return __atomic_load_n(&g->ctl[1], __ATOMIC_ACQUIRE);
}

static void gate_wait_started(struct gate *g)
{
	for (int64_t i = 0; !gate_started(g); i++) {
		igt_assert_f(i < SETTLE_MS, "the gate job did not start\n");
		usleep(1000);
	}
}

static void gate_open(struct gate *g)
{
	__atomic_store_n(&g->ctl[0], 1, __ATOMIC_RELEASE);
}

/* Once its job has ended. */
static void gate_fini(struct gate *g)
{
	munmap(g->ctl, SZ_4K);
}

static struct drm_vsvm_wait job_result(struct lr *l, uint64_t seqno)
{
	struct drm_vsvm_wait w;

	igt_assert_eq(__vsvm_wait(l->fd, l->queue, seqno, VSVM_WAIT_TIMEOUT_NS, &w), 0);
	return w;
}

static void check_status(struct lr *l, uint64_t seqno, uint32_t status)
{
	struct drm_vsvm_wait w = job_result(l, seqno);

	igt_assert_f(w.status == status, "job %" PRIu64 ": %s, expected %s\n",
		     seqno, vsvm_status_name(w.status), vsvm_status_name(status));
}

/* Waits for debugfs counter @name to reach @value; user fences are stored asynchronously. */
static void wait_counter(const char *name, int64_t value)
{
	int64_t v;

	for (int64_t i = 0; (v = vsvm_counter(fd, name)) < value; i++) {
		igt_assert_f(i < SETTLE_MS, "counter %s is %" PRId64 ", expected %" PRId64 "\n",
			     name, v, value);
		usleep(1000);
	}
	igt_assert_eq_s64(v, value);
}

static void require_debugfs(void)
{
	igt_require_f(igt_debugfs_exists(fd, "counters", O_RDONLY) &&
		      igt_debugfs_exists(fd, "log", O_RDONLY),
		      "needs the device's debugfs (root)\n");
}

/* Syncobjs */

/*
 * EXEC on an SVM VM refuses in- and out-syncobjs with EOPNOTSUPP, logged,
 * before anything runs or a seqno is taken; on a BO-only VM of the same
 * file the same syncobjs work. Before long-running mode the SVM EXECs were
 * accepted and published the faulting job's fence.
 */
static void test_syncobj_refused(void)
{
	const uint32_t n = 64;
	uint64_t *dst = map_words(n * 8), seqno;
	struct vsvm_fill_args a = { .dst = to_user_pointer(dst), .seed = 0x5eed, .n = n };
	uint32_t in = syncobj_create(fd, DRM_SYNCOBJ_CREATE_SIGNALED);
	uint32_t out = syncobj_create(fd, 0);
	struct drm_vsvm_exec exec;
	struct {
		uint32_t num_in, out;
		const char *what;
	} cases[] = {
		{ 0, out, "out-syncobj" },
		{ 1, 0, "in-syncobj" },
		{ 1, out, "both" },
	};
	struct lr l;

	lr_init(&l, fd);
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		exec_init(&exec, l.queue, &fill, &a, sizeof(a), n);
		exec.in_syncs = to_user_pointer(&in);
		exec.num_in_syncs = cases[i].num_in;
		exec.out_sync = cases[i].out;
		igt_assert_f(__vsvm_exec(fd, &exec) == -EOPNOTSUPP,
			     "%s on an SVM VM not refused\n", cases[i].what);
		igt_assert(vsvm_log_has(fd, "syncobjs on an SVM VM"));
	}
	/* Nothing ran, no seqno was taken, the out-syncobj got no fence. */
	igt_assert(!syncobj_wait(fd, &out, 1, 0, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL));
	check_zero(dst, n, "after refused EXECs");
	seqno = lr_exec(&l, &fill, &a, sizeof(a), n, NULL, 0);
	igt_assert_eq_u64(seqno, 1);
	vsvm_wait_ok(fd, l.queue, seqno);
	check_fill(dst, n, a.seed, "accepted EXEC");
	lr_fini(&l);

	/* A BO-only VM keeps its dma-fences: in and out. */
	{
		uint32_t vm = vsvm_vm_create(fd, 0), queue = vsvm_queue_create(fd, vm);
		uint32_t data_bo = vsvm_gem_create(fd, SZ_4K);
		uint32_t args_bo = vsvm_gem_create(fd, SZ_4K);
		uint32_t code_bo = vsvm_upload_code(fd, vm, BO_VA_BASE, fill.code, fill.size);
		uint64_t data_va = BO_VA_BASE + SZ_1M, args_va = BO_VA_BASE + 2 * SZ_1M;
		struct vsvm_fill_args ba = { .dst = data_va, .seed = 0xb0, .n = n };
		uint64_t *data;

		vsvm_vm_map(fd, vm, data_bo, 0, data_va, SZ_4K, 0);
		vsvm_vm_map(fd, vm, args_bo, 0, args_va, SZ_4K, 0);
		vsvm_gem_write(fd, args_bo, 0, &ba, sizeof(ba));
		data = vsvm_gem_mmap(fd, data_bo, SZ_4K, PROT_READ);

		vsvm_exec_init(&exec, queue, BO_VA_BASE, fill.size);
		exec.args_addr = args_va;
		exec.args_size = sizeof(ba);
		exec.wg_size[0] = n;
		exec.in_syncs = to_user_pointer(&in);
		exec.num_in_syncs = 1;
		exec.out_sync = out;
		seqno = vsvm_exec(fd, &exec);
		igt_assert(syncobj_wait(fd, &out, 1, INT64_MAX, 0, NULL));
		check_status(&(struct lr){ .fd = fd, .queue = queue }, seqno,
			     DRM_VSVM_STATUS_OK);
		check_fill(data, n, ba.seed, "BO-only VM");

		munmap(data, SZ_4K);
		vsvm_queue_destroy(fd, queue);
		vsvm_vm_destroy(fd, vm);
		vsvm_gem_close(fd, code_bo);
		vsvm_gem_close(fd, data_bo);
		vsvm_gem_close(fd, args_bo);
	}
	syncobj_destroy(fd, in);
	syncobj_destroy(fd, out);
	munmap(dst, n * 8);
}

/* Stored however the job ends */

enum ending { END_OK, END_FAULT, END_TIMEOUT, END_CANCEL };

/*
 * One job per ending, each with a user fence: the value arrives, the data
 * says the job ran (or, canceled in the queue, did not), and WAIT still
 * tells the status.
 */
static void test_signal(enum ending ending)
{
	const uint32_t n = 256;
	const uint64_t value = 0xf00d0000ull + ending;
	uint64_t *words = map_words(SZ_4K), *dst = map_words(n * 8);
	int64_t written = vsvm_counter(fd, "ufences_written");
	struct gate g;
	struct load_args la;
	struct vsvm_fill_args fa[2];
	uint64_t *bad, seqno;
	struct drm_vsvm_wait w;
	struct lr l;

	lr_init(&l, fd);
	switch (ending) {
	case END_OK:
		seqno = lr_fill(&l, &fa[0], dst, n, 0x1234, &words[0], value);
		vsvm_wait_user_fence(fd, &words[0], value);
		igt_assert_eq_u64(words[0], value);
		check_fill(dst, n, 0x1234, "job before its user fence");
		check_status(&l, seqno, DRM_VSVM_STATUS_OK);
		break;
	case END_FAULT:
		bad = hole();
		la.addr = to_user_pointer(bad);
		seqno = lr_exec(&l, &load, &la, sizeof(la), 1, &words[0], value);
		vsvm_wait_user_fence(fd, &words[0], value);
		w = job_result(&l, seqno);
		igt_assert_f(w.status == DRM_VSVM_STATUS_NO_VMA, "status %s\n",
			     vsvm_status_name(w.status));
		igt_assert_eq_u64(w.fault_addr, to_user_pointer(bad));
		igt_assert_eq_u32(w.fault_pc, LOAD_PC);
		break;
	case END_TIMEOUT:
		vsvm_param_set_u64("job_timeout_ms", 1000);
		seqno = lr_gate(&l, &g, &words[0], value);
		vsvm_wait_user_fence(fd, &words[0], value);
		igt_assert(gate_started(&g));
		check_status(&l, seqno, DRM_VSVM_STATUS_TIMEOUT);
		vsvm_param_restore("job_timeout_ms");
		gate_fini(&g);
		break;
	case END_CANCEL:
		/* One job running, two queued behind it; each fence its own word. */
		lr_gate(&l, &g, &words[0], value);
		lr_fill(&l, &fa[0], dst, n / 2, 1, &words[1], value + 1);
		lr_fill(&l, &fa[1], dst + n / 2, n / 2, 2, &words[2], value + 2);
		gate_wait_started(&g);
		vsvm_queue_destroy(fd, l.queue);
		for (int i = 0; i < 3; i++)
			vsvm_wait_user_fence(fd, &words[i], value + i);
		check_zero(dst, n, "jobs canceled in the queue");
		gate_fini(&g);
		vsvm_vm_destroy(fd, l.vm);
		written += 2;
		break;
	}
	wait_counter("ufences_written", written + 1);
	if (ending != END_CANCEL)
		lr_fini(&l);
	munmap(words, SZ_4K);
	munmap(dst, n * 8);
}

/* Order and the CPU */

/*
 * Behind a job held at a gate, jobs on one queue store 2, 3, ... JOBS in
 * one word, which the CPU polls without any ioctl: nothing shows while
 * the gate is closed; then the value never goes back, ends at JOBS, and
 * whenever it reads k the data of jobs 2..k is all there.
 */
static void test_cpu_poll(void)
{
	enum { JOBS = 24, N = 512 };
	uint64_t *word = map_words(SZ_4K), *dst = map_words(JOBS * N * 8);
	struct vsvm_fill_args *fa = calloc(JOBS, sizeof(*fa));
	uint64_t last = 0, checked = 1, seqno[JOBS];
	unsigned int values = 0;
	struct gate g;
	struct lr l;

	igt_assert(fa);
	lr_init(&l, fd);
	seqno[0] = lr_gate(&l, &g, word, 1);
	for (int j = 1; j < JOBS; j++)
		seqno[j] = lr_fill(&l, &fa[j], dst + j * N, N, 0x100 + j, word, j + 1);
	gate_wait_started(&g);
	igt_assert_eq_u64(*word, 0);
	gate_open(&g);

	igt_set_timeout(VSVM_WAIT_TIMEOUT_NS / 1000000000, "polling the user fence");
	while (last < JOBS) {
		uint64_t v = __atomic_load_n(word, __ATOMIC_ACQUIRE);

		igt_assert_f(v >= last && v <= JOBS,
			     "user fence went from %" PRIu64 " to %" PRIu64 "\n", last, v);
		if (v > last)
			values++;
		last = v;
		/* Value k: jobs 0..k-1 ended; job j >= 1 filled slice j. */
		for (; checked < v; checked++)
			check_fill(dst + checked * N, N, 0x100 + checked,
				   "job the user fence says ended");
		sched_yield();
	}
	igt_reset_timeout();
	igt_info("the CPU saw %u of the %u values\n", values, JOBS - 1);
	for (int j = 0; j < JOBS; j++)
		check_status(&l, seqno[j], DRM_VSVM_STATUS_OK);
	/* Nothing older came after the last one. */
	igt_assert_eq_u64(*word, JOBS);
	gate_fini(&g);
	lr_fini(&l);
	free(fa);
	munmap(word, SZ_4K);
	munmap(dst, JOBS * N * 8);
}

struct waiter {
	pthread_t thread;
	volatile uint64_t *word;
	uint64_t value;
	int ret;
};

static void *waiter_thread(void *data)
{
	struct waiter *w = data;

	w->ret = __vsvm_wait_user_fence(fd, w->word, w->value, VSVM_WAIT_TIMEOUT_NS);
	return NULL;
}

/*
 * WAIT_USER_FENCE: polls with a zero timeout, times out with -ETIME while
 * the job runs, compares unsigned and with >=, and a waiter asleep when
 * the job ends is woken by the store (else it would sleep a minute).
 */
static void test_wait(void)
{
	uint64_t *words = map_words(SZ_4K);
	struct waiter waiter = { .word = &words[0], .value = 5 };
	struct gate g;
	struct lr l;

	lr_init(&l, fd);
	lr_gate(&l, &g, &words[0], 5);
	gate_wait_started(&g);
	igt_assert_eq(__vsvm_wait_user_fence(fd, &words[0], 5, 0), -ETIME);
	igt_assert_eq(__vsvm_wait_user_fence(fd, &words[0], 5, 50 * NSEC_PER_MSEC), -ETIME);
	igt_assert_eq(__vsvm_wait_user_fence(fd, &words[0], 0, 0), 0);
	igt_assert_eq_u64(words[0], 0);

	igt_assert_eq(pthread_create(&waiter.thread, NULL, waiter_thread, &waiter), 0);
	usleep(200 * 1000);
	gate_open(&g);
	igt_assert_eq(pthread_join(waiter.thread, NULL), 0);
	igt_assert_f(waiter.ret == 0, "waiter: %d (%s)\n", waiter.ret, strerror(-waiter.ret));
	igt_assert_eq_u64(words[0], 5);

	igt_assert_eq(__vsvm_wait_user_fence(fd, &words[0], 4, 0), 0);
	igt_assert_eq(__vsvm_wait_user_fence(fd, &words[0], 6, 0), -ETIME);
	words[1] = 1ull << 63;
	igt_assert_eq(__vsvm_wait_user_fence(fd, &words[1], 1, 0), 0);
	gate_fini(&g);
	lr_fini(&l);
	munmap(words, SZ_4K);
}

/* Bad arguments */

static void test_bad_args(void)
{
	uint64_t *words = map_words(SZ_4K), *bad = hole();
	struct drm_vsvm_wait_user_fence wuf;
	struct vsvm_fill_args fa = { .dst = to_user_pointer(&words[8]), .seed = 9, .n = 1 };
	struct drm_vsvm_exec exec, e;
	struct lr l;

	lr_init(&l, fd);
	exec_init(&exec, l.queue, &fill, &fa, sizeof(fa), 1);

	e = exec; vsvm_exec_set_user_fence(&e, &words[0], 1);
	e.ufence_addr += 4;
	igt_assert_eq(__vsvm_exec(fd, &e), -EINVAL);
	e = exec; vsvm_exec_set_user_fence(&e, &words[0], 1);
	e.ufence_addr = 0xffff800000000000ull;
	igt_assert_eq(__vsvm_exec(fd, &e), -EFAULT);
	e = exec; e.ufence_addr = to_user_pointer(&words[0]);
	igt_assert_eq(__vsvm_exec(fd, &e), -EINVAL);
	e = exec; e.ufence_value = 1;
	igt_assert_eq(__vsvm_exec(fd, &e), -EINVAL);
	e = exec; e.flags = DRM_VSVM_EXEC_USER_FENCE << 1;
	igt_assert_eq(__vsvm_exec(fd, &e), -EINVAL);
	/* None of them ran or took a seqno. */
	igt_assert_eq_u64(words[8], 0);
	e = exec; vsvm_exec_set_user_fence(&e, &words[0], 1);
	igt_assert_eq_u64(vsvm_exec(fd, &e), 1);
	vsvm_wait_user_fence(fd, &words[0], 1);
	igt_assert_eq_u64(words[8], vsvm_fill_word(9, 0));

	wuf = (struct drm_vsvm_wait_user_fence){ .addr = to_user_pointer(&words[0]) };
	igt_assert_eq(__vsvm_ioctl(fd, DRM_IOCTL_VSVM_WAIT_USER_FENCE, &wuf), 0);
	wuf.flags = 1;
	igt_assert_eq(__vsvm_ioctl(fd, DRM_IOCTL_VSVM_WAIT_USER_FENCE, &wuf), -EINVAL);
	wuf.flags = 0;
	wuf.pad = 1;
	igt_assert_eq(__vsvm_ioctl(fd, DRM_IOCTL_VSVM_WAIT_USER_FENCE, &wuf), -EINVAL);
	wuf.pad = 0;
	wuf.timeout_ns = -1;
	igt_assert_eq(__vsvm_ioctl(fd, DRM_IOCTL_VSVM_WAIT_USER_FENCE, &wuf), -EINVAL);
	wuf.timeout_ns = 0;
	wuf.addr += 4;
	igt_assert_eq(__vsvm_ioctl(fd, DRM_IOCTL_VSVM_WAIT_USER_FENCE, &wuf), -EINVAL);
	igt_assert_eq(__vsvm_wait_user_fence(fd, bad, 1, 0), -EFAULT);
	igt_assert_eq(__vsvm_wait_user_fence(fd, NULL, 1, 0), -EFAULT);
	lr_fini(&l);
	munmap(words, SZ_4K);
}

/*
 * A binary built against UAPI 1.1 passes a 96-byte EXEC: the DRM core
 * zero-fills the appended user-fence fields, so it runs as before.
 */
static void test_exec_struct_1_1(void)
{
	const unsigned long exec_1_1 =
		_IOC(_IOC_READ | _IOC_WRITE, DRM_IOCTL_BASE,
		     DRM_COMMAND_BASE + DRM_VSVM_EXEC,
		     offsetof(struct drm_vsvm_exec, ufence_addr));
	uint64_t *words = map_words(SZ_4K);
	struct vsvm_fill_args fa = { .dst = to_user_pointer(words), .seed = 11, .n = 8 };
	struct drm_vsvm_exec exec;
	struct lr l;

	igt_assert_eq(offsetof(struct drm_vsvm_exec, ufence_addr), 96);
	lr_init(&l, fd);
	exec_init(&exec, l.queue, &fill, &fa, sizeof(fa), 8);
	/* Beyond the 96 bytes: never read. */
	exec.ufence_addr = 3;
	exec.ufence_value = 3;
	igt_assert_eq(__vsvm_ioctl(fd, exec_1_1, &exec), 0);
	igt_assert_eq_u64(exec.seqno, 1);
	vsvm_wait_ok(fd, l.queue, 1);
	check_fill(words, 8, 11, "1.1 EXEC");
	lr_fini(&l);
	munmap(words, SZ_4K);
}

/* Where the store goes, or fails */

enum target {
	TARGET_UNMAPPED, TARGET_READ_ONLY, TARGET_USERFAULTFD, TARGET_SECRETMEM, TARGET_BO,
	TARGET_FUSE, TARGET_DATA
};

/* In .data: a private mapping of this program's file, as a global of a runtime is. */
static uint64_t data_word = 1;

/*
 * The store is the submitter's own: it fails (logged, counted, memory
 * unchanged) where the process could not store either, and for a page
 * only a userfaultfd handler or a file system could provide, which the
 * store does not wait for (else the queue's next fence would never come,
 * with a FUSE daemon that never answers); it works in
 * memfd_secret() memory and in a BO's CPU mapping as a store of the
 * process would; a failure does not stall the queue's later fences.
 */
static void test_target(enum target target)
{
	int64_t written = vsvm_counter(fd, "ufences_written");
	int64_t failed = vsvm_counter(fd, "ufences_failed");
	uint64_t *words = map_words(SZ_4K), *dst = map_words(SZ_4K), *word, *zeros;
	struct vsvm_fill_args fa[3];
	uint32_t bo = 0;
	char needle[96];
	bool fails;
	int sfd = -1, u = -1;
	pid_t child = 0;
	struct lr l;

	switch (target) {
	case TARGET_UNMAPPED:
		word = hole();
		break;
	case TARGET_READ_ONLY:
		word = mmap(NULL, SZ_4K, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		igt_assert(word != MAP_FAILED);
		igt_assert_eq_u64(*word, 0);
		break;
	case TARGET_USERFAULTFD:
		/* The failed fault makes a CONFIG_DEBUG_VM kernel dump a stack. */
		igt_require_f(vsvm_kconfig_enabled("CONFIG_DEBUG_VM") == 0,
			      "CONFIG_DEBUG_VM kernel, or its config unknown: "
			      "handle_userfault()'s stack dump would fail the run\n");
		u = vsvm_uffd_open();
		word = mmap(NULL, SZ_4K, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		igt_assert(word != MAP_FAILED);
		vsvm_uffd_register(u, word, SZ_4K, UFFDIO_REGISTER_MODE_MISSING);
		break;
	case TARGET_SECRETMEM:
		sfd = syscall(SECRET_SYSCALL, 0);
		igt_require_f(sfd >= 0, "memfd_secret() unavailable: %m\n");
		igt_assert_eq(ftruncate(sfd, SZ_4K), 0);
		word = mmap(NULL, SZ_4K, PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
		igt_require_f(word != MAP_FAILED, "cannot map memfd_secret(): %m\n");
		*word = 0;
		break;
	case TARGET_BO:
		bo = vsvm_gem_create(fd, SZ_4K);
		word = vsvm_gem_mmap(fd, bo, SZ_4K, PROT_READ | PROT_WRITE);
		break;
	case TARGET_DATA:
		/* A child keeps the page copy-on-write, as after any fork(). */
		word = &data_word;
		*word = 0;
		child = fork();
		igt_assert_lte(0, child);
		if (!child) {
			pause();
			_exit(0);
		}
		break;
	case TARGET_FUSE:
		vsvm_stuck_fuse_start(SZ_4K);
		word = vsvm_stuck_fuse_map(SZ_4K, PROT_READ | PROT_WRITE, MAP_PRIVATE);
		break;
	}
	fails = target == TARGET_UNMAPPED || target == TARGET_READ_ONLY ||
		target == TARGET_USERFAULTFD || target == TARGET_FUSE;

	lr_init(&l, fd);
	lr_fill(&l, &fa[0], dst, 8, 1, word, 0x77);
	/* Stored after the first in queue order: its wait orders both. */
	lr_fill(&l, &fa[1], dst + 8, 8, 2, &words[0], 2);
	vsvm_wait_user_fence(fd, &words[0], 2);
	check_fill(dst, 8, 1, "job whose fence is elsewhere");
	check_status(&l, 1, DRM_VSVM_STATUS_OK);
	if (fails) {
		wait_counter("ufences_failed", failed + 1);
		wait_counter("ufences_written", written + 1);
		snprintf(needle, sizeof(needle), "queue %u job 1: user fence at %#" PRIx64
			 " not stored: -14", l.queue, to_user_pointer(word));
		igt_assert(vsvm_log_has(fd, needle));
	} else {
		wait_counter("ufences_written", written + 2);
		igt_assert_eq_u64(vsvm_counter(fd, "ufences_failed"), failed);
		igt_assert_eq_u64(*word, 0x77);
		igt_assert_eq(__vsvm_wait_user_fence(fd, word, 0x77, 0), 0);
	}

	/* The worker never asked the daemon for the page. */
	if (target == TARGET_FUSE)
		igt_assert_eq_u64(__atomic_load_n(vsvm_stuck_fuse.reads, __ATOMIC_ACQUIRE), 0);
	if (target == TARGET_USERFAULTFD) {
		/* The handler never heard of it; resolved, the page is still zero. */
		vsvm_uffd_no_event(u);
		zeros = map_words(SZ_4K);
		vsvm_uffd_copy(u, word, zeros, SZ_4K);
		munmap(zeros, SZ_4K);
	}
	if (target == TARGET_READ_ONLY || target == TARGET_USERFAULTFD) {
		igt_assert_eq_u64(*word, 0);
		/* Writable again, or present: the next store lands. */
		if (target == TARGET_READ_ONLY)
			igt_assert_eq(mprotect(word, SZ_4K, PROT_READ | PROT_WRITE), 0);
		lr_fill(&l, &fa[2], dst + 16, 8, 3, word, 0x78);
		vsvm_wait_user_fence(fd, word, 0x78);
		check_fill(dst + 16, 8, 3, "after mprotect");
	}
	lr_fini(&l);
	if (child) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	if (target != TARGET_UNMAPPED && target != TARGET_DATA)
		munmap(word, SZ_4K);
	if (target == TARGET_FUSE)
		vsvm_stuck_fuse_abort(0);
	if (sfd >= 0)
		close(sfd);
	if (u >= 0)
		close(u);
	if (bo)
		vsvm_gem_close(fd, bo);
	munmap(words, SZ_4K);
	munmap(dst, SZ_4K);
}

/*
 * A store whose page must be faulted in needs the submitter's mmap lock.
 * A writer queued behind a reader that never ends blocks every new reader:
 * here the reader is the submitter's own GPU fault, stuck on a FUSE file
 * whose daemon never answers READ, and the writer a thread of it calling
 * mmap(). The store must give up (-EAGAIN), not wait with its worker
 * until the daemon is gone. A forked holder does it all; once its writer
 * waits it must not fault: no new heap page, and its mappings are locked
 * in memory beforehand.
 */
struct mm_locked {
	int go, submitted, release, writer_tid;
	uint64_t hole, warm;
};

static void *mm_locked_writer(void *arg)
{
	struct mm_locked *s = arg;

	__atomic_store_n(&s->writer_tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	while (!__atomic_load_n(&s->go, __ATOMIC_ACQUIRE))
		usleep(1000);
	munmap(mmap(NULL, SZ_4K, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), SZ_4K);
	return NULL;
}

/* Is thread @tid asleep in the kernel (state D)? No allocation: see above. */
static bool thread_in_d(int tid)
{
	char path[64], buf[256], *p;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = open(path, O_RDONLY);
	if (f < 0)
		return false;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'D';
}

static void mm_locked_holder(struct mm_locked *s)
{
	static const char end_src[] = "\tend\n";
	struct drm_vsvm_exec exec;
	struct load_args a;
	uint32_t bo_vm, bo_queue;
	size_t end_size;
	void *end_code = vsvm_assemble(end_src, &end_size);
	/* Every wait of the holder is bounded: ms, or 1 ms polls. */
	int limit = vsvm_scaled_limit(60 * 1000);
	pthread_t writer;
	struct lr l;
	uint8_t *buf;

	fd = drm_reopen_driver(fd);
	s->hole = to_user_pointer(hole());

	/* A BO-only VM: its job takes no fault, so nothing of it needs the lock. */
	bo_vm = vsvm_vm_create(fd, 0);
	bo_queue = vsvm_queue_create(fd, bo_vm);
	vsvm_gem_close(fd, vsvm_upload_code(fd, bo_vm, BO_VA_BASE, end_code, end_size));
	/* The submission below, once, so that its code and stack are in memory. */
	vsvm_exec_init(&exec, bo_queue, BO_VA_BASE, end_size);
	vsvm_exec_set_user_fence(&exec, &s->warm, 1);
	vsvm_wait_ok(fd, bo_queue, vsvm_exec(fd, &exec));
	lr_init(&l, fd);
	igt_assert_eq(pthread_create(&writer, NULL, mm_locked_writer, s), 0);
	igt_assert_f(vsvm_flag_wait(&s->writer_tid, limit), "the writer did not start\n");
	fflush(NULL);
	/*
	 * And every page mapped so far, code included: a first touch of one
	 * once the writer waits would wait behind it too. Before the FUSE
	 * mapping, whose page never comes.
	 */
	igt_assert_eq(mlockall(MCL_CURRENT), 0);
	buf = vsvm_stuck_fuse_map(SZ_4K, PROT_READ, MAP_SHARED);
	a.addr = to_user_pointer(buf);

	/* Stuck in the FUSE READ, holding this process's mmap lock for reading. */
	lr_exec(&l, &load, &a, sizeof(a), 1, NULL, 0);
	for (int i = 0; !__atomic_load_n(vsvm_stuck_fuse.reads, __ATOMIC_ACQUIRE); i++) {
		igt_assert_f(i < limit, "the job's read never reached the FUSE daemon\n");
		usleep(1000);
	}
	vsvm_flag_set(&s->go);
	for (int i = 0; !thread_in_d(s->writer_tid); i++) {
		igt_assert_f(i < limit, "the writer never waited for the mmap lock\n");
		usleep(1000);
	}

	vsvm_exec_init(&exec, bo_queue, BO_VA_BASE, end_size);
	vsvm_exec_set_user_fence(&exec, (uint64_t *)(uintptr_t)s->hole, 1);
	vsvm_exec(fd, &exec);
	vsvm_flag_set(&s->submitted);
	igt_assert_f(vsvm_flag_wait(&s->release, 2 * limit), "the parent never released\n");
	pthread_join(writer, NULL);
}

static void test_target_mm_locked(void)
{
	int64_t failed = vsvm_counter(fd, "ufences_failed");
	struct mm_locked *s;
	char needle[96];

	require_debugfs();
	s = vsvm_shared_alloc(sizeof(*s));
	vsvm_stuck_fuse_start(SZ_4K);
	igt_fork(child, 1)
		mm_locked_holder(s);
	igt_assert_f(vsvm_flag_wait(&s->submitted, vsvm_scaled_limit(60 * 1000)),
		     "the holder did not submit\n");
	/* Failed while the fault still holds the lock, within its bound. */
	for (int i = 0; vsvm_counter(fd, "ufences_failed") <= failed; i++) {
		igt_assert_f(i < vsvm_scaled_limit(30 * 1000) / 10,
			     "the store is still waiting for the mmap lock\n");
		usleep(10 * 1000);
	}
	igt_assert_eq_u64(__atomic_load_n(vsvm_stuck_fuse.reads, __ATOMIC_ACQUIRE), 1);
	snprintf(needle, sizeof(needle), "user fence at %#" PRIx64 " not stored: -11", s->hole);
	igt_assert(vsvm_log_has(fd, needle));

	vsvm_stuck_fuse_abort(0);
	vsvm_flag_set(&s->release);
	igt_waitchildren();
	munmap(s, sizeof(*s));
}

/* Other processes */

/*
 * A forked child runs a job in an SVM VM of its own with a user fence at
 * an address it shares COW with its parent: the child's copy gets the
 * value, the parent's stays zero.
 */
static void test_fork_child(void)
{
	uint64_t *slot = map_words(SZ_4K), *dst = map_words(SZ_4K);

	igt_fork(child, 1) {
		struct vsvm_fill_args fa;
		struct lr l;

		lr_init(&l, fd);
		lr_fill(&l, &fa, dst, 16, 0xc41d, slot, 0xc1);
		vsvm_wait_user_fence(fd, slot, 0xc1);
		check_fill(dst, 16, 0xc41d, "child's job");
		lr_fini(&l);
	}
	igt_waitchildren();
	check_zero(slot, SZ_4K / 8, "parent's copy of the child's user fence");
	check_zero(dst, SZ_4K / 8, "parent's copy of the child's data");
	munmap(slot, SZ_4K);
	munmap(dst, SZ_4K);
}

/*
 * The parent forks while its job runs: the job's user fence lands in the
 * parent's memory, and the child's COW copy of the word stays zero.
 */
static void test_fork_parent(void)
{
	uint64_t *slot = map_words(SZ_4K);
	struct gate g;
	int done[2];
	char c = 0;
	struct lr l;

	igt_assert_eq(pipe(done), 0);
	lr_init(&l, fd);
	lr_gate(&l, &g, slot, 0xa1);
	gate_wait_started(&g);
	igt_fork(child, 1) {
		igt_assert_eq(read(done[0], &c, 1), 1);
		check_zero(slot, SZ_4K / 8, "child's copy of the parent's user fence");
	}
	gate_open(&g);
	vsvm_wait_user_fence(fd, slot, 0xa1);
	igt_assert_eq_u64(*slot, 0xa1);
	igt_assert_eq(write(done[1], &c, 1), 1);
	igt_waitchildren();
	gate_fini(&g);
	lr_fini(&l);
	close(done[0]);
	close(done[1]);
	munmap(slot, SZ_4K);
}

/*
 * The submitter exits with its job running: the job is canceled and its
 * user fence skipped, since nobody is left to read it.
 */
static void test_owner_gone(void)
{
	int64_t skipped = vsvm_counter(fd, "ufences_skipped");
	uint64_t *slot = map_words(SZ_4K);

	igt_fork(child, 1) {
		int cfd = drm_open_driver_render(DRIVER_ANY);
		struct gate g;
		struct lr l;

		lr_init(&l, cfd);
		lr_gate(&l, &g, slot, 1);
		gate_wait_started(&g);
		/* Exit with the job running and the file open. */
	}
	igt_waitchildren();
	wait_counter("ufences_skipped", skipped + 1);
	igt_assert_eq_u64(*slot, 0);
	munmap(slot, SZ_4K);
}

igt_main
{
	igt_fixture {
		fd = drm_open_driver_render(DRIVER_ANY);
		igt_require(vsvm_get_param(fd, DRM_VSVM_PARAM_SVM_CAPS) &
			    DRM_VSVM_SVM_CAP_MIRROR);
		mirror_end = vsvm_get_param(fd, DRM_VSVM_PARAM_MIRROR_VA_END);
		if (mirror_end > BO_VA_BASE)
			mirror_end = BO_VA_BASE;
		shader_build(&fill);
		shader_build(&gate);
		shader_build(&load);
	}

	igt_describe("EXEC refuses in- and out-syncobjs on an SVM VM with "
		     "EOPNOTSUPP before running anything; a BO-only VM takes them.");
	igt_subtest("svm-syncobj-refused")
		test_syncobj_refused();

	igt_describe("WAIT_USER_FENCE polls, times out, compares unsigned >=, "
		     "and is woken by the store.");
	igt_subtest("wait")
		test_wait();

	igt_describe("Bad user-fence fields of EXEC and WAIT_USER_FENCE are "
		     "refused and run nothing.");
	igt_subtest("bad-args")
		test_bad_args();

	igt_describe("A 96-byte EXEC of UAPI 1.1 still runs.");
	igt_subtest("exec-struct-1-1")
		test_exec_struct_1_1();

	igt_subtest_group {
		igt_fixture
			require_debugfs();

		igt_describe("The user fence is stored after the job's data, and "
			     "WAIT still reports the status.");
		igt_subtest("signal-ok")
			test_signal(END_OK);

		igt_describe("A job that faults stores its user fence; WAIT "
			     "reports the fault.");
		igt_subtest("signal-fault")
			test_signal(END_FAULT);

		igt_describe("A job stopped by the job timeout stores its user fence.");
		igt_subtest("signal-timeout")
			test_signal(END_TIMEOUT);

		igt_describe("QUEUE_DESTROY with a job running and two queued: all "
			     "three user fences are stored, the queued jobs never ran.");
		igt_subtest("signal-cancel")
			test_signal(END_CANCEL);

		igt_describe("A CPU polling the word sees 1..N in order, each "
			     "job's data complete when its value shows.");
		igt_subtest("cpu-poll")
			test_cpu_poll();

		igt_describe("A user fence at an unmapped address is not stored, "
			     "logged and counted; later fences of the queue still are.");
		igt_subtest("target-unmapped")
			test_target(TARGET_UNMAPPED);

		igt_describe("A user fence in read-only memory is not stored, and "
			     "is once the memory is writable.");
		igt_subtest("target-read-only")
			test_target(TARGET_READ_ONLY);

		igt_describe("A user fence in a userfaultfd page not yet provided "
			     "fails at once, without waiting for the handler, and "
			     "is stored once the page is there.");
		igt_subtest("target-userfaultfd")
			test_target(TARGET_USERFAULTFD);

		igt_describe("A user fence in memfd_secret() memory is stored, "
			     "as the process's own store would be.");
		igt_subtest("target-secretmem")
			test_target(TARGET_SECRETMEM);

		igt_describe("A user fence in a BO's CPU mapping is stored.");
		igt_subtest("target-bo-mmap")
			test_target(TARGET_BO);

		igt_describe("A user fence in a file of a FUSE mount whose "
			     "daemon never answers fails at once: the store "
			     "never waits for a file system, and the queue's "
			     "next fence is stored.");
		igt_subtest("target-fuse")
			test_target(TARGET_FUSE);

		igt_describe("A user fence in the program's .data, write-"
			     "protected by fork(), is stored: the page is "
			     "present, and copying it reads nothing.");
		igt_subtest("target-data-after-fork")
			test_target(TARGET_DATA);

		igt_describe("A user fence whose page needs faulting in, while "
			     "the submitter's mmap lock is held by its own GPU "
			     "fault stuck on a FUSE file and a writer waits "
			     "behind it, fails -EAGAIN within a second instead "
			     "of waiting for the daemon.");
		igt_subtest("target-mm-locked")
			test_target_mm_locked();

		igt_describe("A child's user fence never lands in its parent's "
			     "copy of the word.");
		igt_subtest("fork-child")
			test_fork_child();

		igt_describe("A parent that forks with a job running gets the "
			     "value; the child's copy stays zero.");
		igt_subtest("fork-parent")
			test_fork_parent();

		igt_describe("The user fence of a job whose submitter exited is "
			     "skipped.");
		igt_subtest("owner-gone")
			test_owner_gone();
	}

	igt_fixture {
		drm_close_driver(fd);
	}
}
