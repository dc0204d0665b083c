// SPDX-License-Identifier: MIT
/*
 * The shader engine and job submission: real kernels on buffer objects,
 * each result compared bit for bit with the same computation on the CPU;
 * dispatch of multi-dimensional and large grids; ordering through queues,
 * syncobjs and WAIT; how each kind of failing job ends, and that the engine
 * carries on after it; several clients at once; and the cleanup of clients
 * and queues that go away with jobs in flight.
 *
 * Jobs that must stay in flight run gate_src: they spin on a flag in a BO
 * until the test opens the gate. An ordering check therefore never depends
 * on timing: the test looks at what has and has not run while the gate is
 * closed, and proves with a control job that a free compute unit was there
 * to run anything that was not held back.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <time.h>
#include <linux/sync_file.h>
#include <linux/userfaultfd.h>

#include "igt.h"
#include "igt_syncobj.h"
#include "vsvm_lib.h"

#ifndef HAVE_VSVM_ASM
#error "vsvm_exec needs the shader assembler (tools/vsvm-as/vsvm_asm.c)"
#endif

IGT_TEST_DESCRIPTION("Shader engine and submission: kernels checked against "
		     "the CPU, grids, queue and syncobj ordering, failing jobs, "
		     "concurrent clients and cleanup with jobs in flight.");

#define SIZE_4K		0x1000ull
#define SIZE_64K	0x10000ull

/* Contexts bind from here up; nothing is ever bound below. */
#define VA_BASE		0x100000000ull
#define UNMAPPED_VA	0x40000000ull

/* Kernel arguments: a ring of slots in one BO per context. */
#define ARGS_SLOT	256
#define ARGS_SLOTS	64

#define MAX_BUFS	48
#define MAX_KERNELS	16

/* Every output buffer starts as this, so an unwritten word shows. */
#define SENTINEL	0xdeadbeefu

/*
 * Bound on anything the test waits for that has no job of its own; like
 * every bound here, scaled for a busy host (vsvm_scaled_limit()).
 */
#define SETTLE_NS	vsvm_scaled_limit(10 * NSEC_PER_SEC)
/*
 * Bound on the cleanup of a client or queue with jobs in flight: under
 * half the default job timeout (which tools/vm scales alike), so that only
 * cancellation can meet it.
 */
#define CLEANUP_NS	vsvm_scaled_limit(4 * NSEC_PER_SEC)

#ifndef DIV_ROUND_UP
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#endif

/* debugfs file listing each open file as "client PID COMM", with its VMs. */
#define DEBUGFS_CLIENTS		"vms"

static int fd = -1;
static uint32_t num_cus;

struct buf {
	uint32_t handle;
	uint64_t gpu;
	uint64_t size;
	void *cpu;
};

struct kernel {
	uint64_t gpu;
	uint32_t size;
	uint8_t *code;
};

/*
 * An open file of its own with a VM, a queue, buffers and kernels. Only BOs
 * are bound, so the VM is not an SVM one.
 */
struct ctx {
	int fd;
	uint32_t vm;
	uint32_t queue;
	uint64_t next_va;
	struct buf bufs[MAX_BUFS];
	unsigned int n_bufs;
	struct kernel kernels[MAX_KERNELS];
	unsigned int n_kernels;
	struct buf *args;
	unsigned int next_args;
};

struct launch {
	const struct kernel *k;
	const void *args;
	uint32_t args_size;
	/* Zero entries mean 1. */
	uint32_t grid[3];
	uint32_t wg[3];
	uint32_t shared;
	uint32_t scratch;
	const uint32_t *in_syncs;
	uint32_t num_in_syncs;
	uint32_t out_sync;
};

/* xorshift64*: reproducible inputs that differ per seed. */
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
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/* Whole ms and s in @ns, signed: IGT's NSEC_PER_* are unsigned long. */
static long long ns_ms(int64_t ns)
{
	return ns / (int64_t)NSEC_PER_MSEC;
}

static long long ns_s(int64_t ns)
{
	return ns / (int64_t)NSEC_PER_SEC;
}

/*
 * Files of contexts that a failed subtest left open, perhaps with gated
 * jobs spinning: the next subtest closes them before it starts, so one
 * failure neither holds compute units until the job timeout nor fails the
 * subtests after it. A BO mapping holds its file open, so the mappings
 * are recorded too, to go first.
 */
#define MAX_LIVE_FILES	16
#define MAX_LIVE_MAPS	(MAX_LIVE_FILES * MAX_BUFS)

static struct {
	int fd;
	char subtest[128];
} live_files[MAX_LIVE_FILES];

static struct {
	int fd;
	void *cpu;
	uint64_t size;
} live_maps[MAX_LIVE_MAPS];

static void add_live_map(int dev, void *cpu, uint64_t size)
{
	for (int i = 0; i < MAX_LIVE_MAPS; i++) {
		if (!live_maps[i].cpu) {
			live_maps[i].fd = dev;
			live_maps[i].cpu = cpu;
			live_maps[i].size = size;
			return;
		}
	}
	igt_assert_f(false, "more than %d BO mappings\n", MAX_LIVE_MAPS);
}

/* Unmaps every BO mapping of file @dev. */
static void unmap_all(int dev)
{
	for (int i = 0; i < MAX_LIVE_MAPS; i++) {
		if (live_maps[i].cpu && live_maps[i].fd == dev) {
			igt_assert_eq(munmap(live_maps[i].cpu,
					     live_maps[i].size), 0);
			live_maps[i].cpu = NULL;
		}
	}
}

static void current_subtest(char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", igt_subtest_name() ?: "",
		 igt_dynamic_subtest_name() ?: "");
}

static bool engine_idle(void);

static void reap_leftovers(void)
{
	char cur[sizeof(live_files[0].subtest)];
	bool reaped = false;
	int64_t start;

	current_subtest(cur, sizeof(cur));
	for (int i = 0; i < MAX_LIVE_FILES; i++) {
		if (live_files[i].fd <= 0 || !strcmp(live_files[i].subtest, cur))
			continue;
		igt_info("closing a file left open by subtest %s\n",
			 live_files[i].subtest);
		unmap_all(live_files[i].fd);
		close(live_files[i].fd);
		live_files[i].fd = 0;
		reaped = true;
	}
	if (!reaped)
		return;
	/* Their jobs are canceled: let them end before counting anything. */
	for (start = now_ns(); !engine_idle() && now_ns() - start < SETTLE_NS;)
		usleep(10000);
}

static struct buf *buf_new_flags(struct ctx *c, uint64_t size,
				 uint32_t flags)
{
	struct buf *b;

	igt_assert(c->n_bufs < MAX_BUFS);
	b = &c->bufs[c->n_bufs++];
	b->size = ALIGN(size, SIZE_4K);
	b->handle = vsvm_gem_create(c->fd, b->size);
	b->cpu = vsvm_gem_mmap(c->fd, b->handle, b->size,
			       PROT_READ | PROT_WRITE);
	add_live_map(c->fd, b->cpu, b->size);
	/* An unmapped gap after each binding: overruns fault. */
	b->gpu = c->next_va;
	c->next_va = ALIGN(b->gpu + b->size, SIZE_64K) + SIZE_64K;
	vsvm_vm_map(c->fd, c->vm, b->handle, 0, b->gpu, b->size, flags);
	return b;
}

static struct buf *buf_new(struct ctx *c, uint64_t size)
{
	return buf_new_flags(c, size, 0);
}

static uint32_t *buf_u32(struct buf *b)
{
	return b->cpu;
}

static void fill_u32(struct buf *b, uint32_t v)
{
	for (uint64_t i = 0; i < b->size / 4; i++)
		buf_u32(b)[i] = v;
}

static const struct kernel *kernel_raw(struct ctx *c, const void *code,
				       size_t size)
{
	struct kernel *k;
	struct buf *b;

	igt_assert(c->n_kernels < MAX_KERNELS && c->n_bufs < MAX_BUFS);
	k = &c->kernels[c->n_kernels++];
	k->code = malloc(size);
	igt_assert(k->code);
	memcpy(k->code, code, size);
	k->size = size;
	k->gpu = c->next_va;

	b = &c->bufs[c->n_bufs++];
	b->handle = vsvm_upload_code(c->fd, c->vm, k->gpu, code, size);
	b->gpu = k->gpu;
	b->size = ALIGN((uint64_t)size, SIZE_4K);
	b->cpu = NULL;
	c->next_va = ALIGN(k->gpu + b->size, SIZE_64K) + SIZE_64K;
	return k;
}

static const struct kernel *kernel_new(struct ctx *c, const char *src)
{
	const struct kernel *k;
	size_t size;
	void *code;

	code = vsvm_assemble(src, &size);
	k = kernel_raw(c, code, size);
	free(code);
	return k;
}

/* Byte offset of the @nth (from 0) instruction with opcode @op: a fault_pc. */
static uint32_t insn_offset(const struct kernel *k, uint8_t op, int nth)
{
	for (uint32_t off = 0; off < k->size; off += VSVM_INSN_SIZE) {
		uint64_t w0;

		memcpy(&w0, k->code + off, sizeof(w0));
		if (VSVM_W0_FIELD(w0, OP) == op && nth-- == 0)
			return off;
	}
	igt_assert_f(false, "no instruction %#x number %d\n", op, nth);
	return 0;
}

static void ctx_init(struct ctx *c)
{
	int i;

	reap_leftovers();
	memset(c, 0, sizeof(*c));
	c->fd = drm_open_driver_render(DRIVER_ANY);
	for (i = 0; i < MAX_LIVE_FILES && live_files[i].fd > 0; i++)
		;
	igt_assert(i < MAX_LIVE_FILES);
	live_files[i].fd = c->fd;
	current_subtest(live_files[i].subtest, sizeof(live_files[i].subtest));

	c->vm = vsvm_vm_create(c->fd, 0);
	c->queue = vsvm_queue_create(c->fd, c->vm);
	c->next_va = VA_BASE;
	c->args = buf_new(c, ARGS_SLOT * ARGS_SLOTS);
}

/* Closing the file releases the rest; this also checks each release works. */
static void ctx_fini(struct ctx *c)
{
	if (c->queue)
		vsvm_queue_destroy(c->fd, c->queue);
	unmap_all(c->fd);
	for (unsigned int i = 0; i < c->n_bufs; i++)
		vsvm_gem_close(c->fd, c->bufs[i].handle);
	for (unsigned int i = 0; i < c->n_kernels; i++)
		free(c->kernels[i].code);
	vsvm_vm_destroy(c->fd, c->vm);
	for (int i = 0; i < MAX_LIVE_FILES; i++)
		if (live_files[i].fd == c->fd)
			live_files[i].fd = 0;
	drm_close_driver(c->fd);
	c->fd = -1;
}

static void launch_exec(struct ctx *c, uint32_t queue, const struct launch *l,
			struct drm_vsvm_exec *e)
{
	vsvm_exec_init(e, queue, l->k->gpu, l->k->size);
	if (l->args_size) {
		unsigned int slot = c->next_args++ % ARGS_SLOTS;

		igt_assert(l->args_size <= ARGS_SLOT);
		memcpy((uint8_t *)c->args->cpu + slot * ARGS_SLOT, l->args,
		       l->args_size);
		e->args_addr = c->args->gpu + slot * ARGS_SLOT;
		e->args_size = l->args_size;
	}
	for (int i = 0; i < 3; i++) {
		e->grid[i] = l->grid[i] ?: 1;
		e->wg_size[i] = l->wg[i] ?: 1;
	}
	e->shared_size = l->shared;
	e->scratch_size = l->scratch;
	e->in_syncs = to_user_pointer(l->in_syncs);
	e->num_in_syncs = l->num_in_syncs;
	e->out_sync = l->out_sync;
}

static uint64_t submit_on(struct ctx *c, uint32_t queue,
			  const struct launch *l)
{
	struct drm_vsvm_exec e;

	launch_exec(c, queue, l, &e);
	return vsvm_exec(c->fd, &e);
}

static uint64_t submit(struct ctx *c, const struct launch *l)
{
	return submit_on(c, c->queue, l);
}

static void run(struct ctx *c, const struct launch *l)
{
	vsvm_wait_ok(c->fd, c->queue, submit(c, l));
}

/* debugfs */

static const char *next_line(const char *p)
{
	p = strchr(p, '\n');
	return p && p[1] ? p + 1 : NULL;
}

/* The value of line "@name VALUE" of a debugfs file's @text, or -1. */
static int64_t lookup_value(const char *text, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = text; p; p = next_line(p))
		if (!strncmp(p, name, len) && p[len] == ' ')
			return strtoll(p + len + 1, NULL, 10);
	return -1;
}

static int64_t counter(const char *name)
{
	char *text = vsvm_debugfs_read(fd, "counters");
	int64_t v;

	igt_assert_f(text, "cannot read debugfs counters: %m\n");
	v = lookup_value(text, name);
	free(text);
	igt_assert_f(v >= 0, "no counter %s in debugfs\n", name);
	return v;
}

enum {
	CNT_SUBMITTED, CNT_DONE, CNT_FAILED, CNT_TIMEOUT, CNT_INSNS,
	CNT_REJECTED, CNT_COUNT
};

static const char *const counter_names[CNT_COUNT] = {
	"jobs_submitted", "jobs_done", "jobs_failed", "jobs_timeout",
	"instructions", "rejected_ioctls",
};

struct counters {
	int64_t v[CNT_COUNT];
};

static void counters_read(struct counters *cnt)
{
	for (int i = 0; i < CNT_COUNT; i++)
		cnt->v[i] = counter(counter_names[i]);
}

/* Counter @i grew by exactly @delta since @before. */
static void counter_grew(const struct counters *before, int i, int64_t delta)
{
	int64_t now = counter(counter_names[i]);

	igt_assert_f(now - before->v[i] == delta,
		     "counter %s grew by %" PRId64 ", expected %" PRId64 "\n",
		     counter_names[i], now - before->v[i], delta);
}

static bool debugfs_has(const char *file, const char *needle)
{
	char *text = vsvm_debugfs_read(fd, file);
	bool found;

	igt_assert_f(text, "cannot read debugfs %s: %m\n", file);
	found = strstr(text, needle);
	if (!found)
		igt_debug("debugfs %s has no \"%s\":\n%s\n", file, needle, text);
	free(text);
	return found;
}

enum { OBJ_BO, OBJ_VM, OBJ_VMA, OBJ_QUEUE, OBJ_JOB, OBJ_COUNT };

static const char *const obj_names[OBJ_COUNT] = {
	"bo", "vm", "vma", "queue", "job",
};

struct objects {
	int v[OBJ_COUNT];
};

static void objects_parse(struct objects *o, char *text)
{
	for (int i = 0; i < OBJ_COUNT; i++) {
		int64_t v = lookup_value(text, obj_names[i]);

		igt_assert_f(v >= 0, "no %s count in debugfs objects\n",
			     obj_names[i]);
		o->v[i] = v;
	}
	free(text);
}

static void objects_read(struct objects *o)
{
	objects_parse(o, vsvm_objects_snapshot(fd));
}

/* What to compare with later, once no job of an earlier test is left. */
static void objects_baseline(struct objects *o)
{
	objects_parse(o, vsvm_objects_baseline(fd));
}

static bool objects_equal(const struct objects *a, const struct objects *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* Workgroups run so far, summed over the compute units. */
static uint64_t engine_workgroups(void)
{
	char *text = vsvm_debugfs_read(fd, "engine");
	unsigned long long wgs;
	uint64_t sum = 0;
	unsigned int cu;

	igt_assert_f(text, "cannot read debugfs engine: %m\n");
	for (const char *p = text; p; p = next_line(p))
		if (sscanf(p, "cu%u: workgroups %llu", &cu, &wgs) == 2)
			sum += wgs;
	free(text);
	return sum;
}

/* No compute unit runs a workgroup and no job waits for one. */
static bool engine_idle(void)
{
	char *text = vsvm_debugfs_read(fd, "engine");
	bool idle;

	igt_assert_f(text, "cannot read debugfs engine: %m\n");
	idle = !strstr(text, "running") && !strstr(text, "active:");
	free(text);
	return idle;
}

/* Whether @syncobj signals within @timeout_ns (0 polls). */
static bool syncobj_signaled(int dev, uint32_t syncobj, int64_t timeout_ns)
{
	/* The ioctl takes an absolute CLOCK_MONOTONIC deadline. */
	return syncobj_wait(dev, &syncobj, 1, now_ns() + timeout_ns, 0, NULL);
}

/*
 * Gates: jobs that stay in flight until the test lets them go.
 *
 * gate_src: every lane marks the gate started, spins until the gate is
 * open, then writes out[i] = value + i for its global id i. Arguments:
 * 0: gate (u64 pointer to struct gate_ctl), 8: out (u64), 16: value (u32).
 * The flag is read with an atomic, as memory another agent writes must be.
 */
static const char gate_src[] =
	"	ldarg.u64 r1, 0\n"
	"	movi r2, 1\n"
	"	atom.global.xchg.u32 r3, [r1], r2\n"
	"	movi r4, 0\n"
	"	loop\n"
	"		atom.global.add.u32 r5, [r1 + 4], r4\n"
	"		if r5\n"
	"			break\n"
	"		endif\n"
	"	endloop\n"
	"	sv r6, global_id.x\n"
	"	ldarg.u32 r7, 16\n"
	"	add.32 r7, r7, r6\n"
	"	shl.64 r6, r6, 2\n"
	"	ldarg.u64 r8, 8\n"
	"	add.64 r8, r8, r6\n"
	"	st.global.u32 [r8], r7\n"
	"	end\n";

struct gate_ctl {
	uint32_t started;
	uint32_t open;
};

struct gate {
	struct buf *ctl;
	struct buf *out;
	uint64_t args[3];
};

/* A closed gate whose job writes @lanes words of @value + i to its out. */
static void gate_init(struct ctx *c, struct gate *g, uint32_t lanes,
		      uint32_t value)
{
	g->ctl = buf_new(c, SIZE_4K);
	g->out = buf_new(c, lanes * 4);
	fill_u32(g->out, SENTINEL);
	g->args[0] = g->ctl->gpu;
	g->args[1] = g->out->gpu;
	g->args[2] = value;
}

static struct gate_ctl *gate_ctl(struct gate *g)
{
	return g->ctl->cpu;
}

/* Waits until a lane of the gate's job runs: the job is on a compute unit. */
static void gate_wait_started(struct gate *g)
{
	int64_t start = now_ns();

	while (!__atomic_load_n(&gate_ctl(g)->started, __ATOMIC_ACQUIRE)) {
		igt_assert_f(now_ns() - start < SETTLE_NS,
			     "gated job did not start within %llds\n",
			     ns_s(SETTLE_NS));
		usleep(1000);
	}
}

static void gate_open(struct gate *g)
{
	__atomic_store_n(&gate_ctl(g)->open, 1, __ATOMIC_RELEASE);
}

static void check_gate_out(struct gate *g, uint32_t lanes)
{
	for (uint32_t i = 0; i < lanes; i++)
		igt_assert_f(buf_u32(g->out)[i] == g->args[2] + i,
			     "gate output %u is %#x, expected %#x\n", i,
			     buf_u32(g->out)[i], (uint32_t)g->args[2] + i);
}

/* dst[i] = src[i] for i < n. Arguments: 0: src, 8: dst, 16: n (u32). */
static const char copy_src[] =
	"	sv r0, global_id.x\n"
	"	ldarg.u32 r1, 16\n"
	"	icmp.ltu.32 r2, r0, r1\n"
	"	if r2\n"
	"		shl.64 r3, r0, 2\n"
	"		ldarg.u64 r4, 0\n"
	"		add.64 r4, r4, r3\n"
	"		ld.global.u32 r5, [r4]\n"
	"		ldarg.u64 r4, 8\n"
	"		add.64 r4, r4, r3\n"
	"		st.global.u32 [r4], r5\n"
	"	endif\n"
	"	end\n";

/* A launch of copy_src over @n words; @args is the caller's storage. */
static struct launch copy_launch(const struct kernel *k, uint64_t args[3],
				 const struct buf *src, const struct buf *dst,
				 uint32_t n)
{
	args[0] = src->gpu;
	args[1] = dst->gpu;
	args[2] = n;
	return (struct launch){
		.k = k, .args = args, .args_size = 3 * sizeof(args[0]),
		.grid = { DIV_ROUND_UP(n, 64) }, .wg = { 64 },
	};
}

static void check_words(const struct buf *b, uint32_t n, uint32_t base,
			const char *what)
{
	for (uint32_t i = 0; i < n; i++)
		igt_assert_f(((uint32_t *)b->cpu)[i] == base + i,
			     "%s: word %u is %#x, expected %#x\n", what, i,
			     ((uint32_t *)b->cpu)[i], base + i);
}

static void check_sentinel(const struct buf *b, uint32_t from, uint32_t to,
			   const char *what)
{
	for (uint32_t i = from; i < to; i++)
		igt_assert_f(((uint32_t *)b->cpu)[i] == SENTINEL,
			     "%s: word %u is %#x, expected it untouched\n",
			     what, i, ((uint32_t *)b->cpu)[i]);
}

/*
 * saxpy in both fp32 forms, against the CPU.
 *
 * out_fma[i] = FFMA(a, x[i], y[i]) and out_mad[i] = FADD(FMUL(a, x[i]),
 * y[i]) for i < n. Arguments: 0: x, 8: y, 16: out_fma, 24: out_mad,
 * 32: a (f32 bits), 40: n.
 */
static const char saxpy_src[] =
	"	sv r0, global_id.x\n"
	"	ldarg.u32 r1, 40\n"
	"	icmp.ltu.32 r2, r0, r1\n"
	"	if r2\n"
	"		shl.64 r3, r0, 2\n"
	"		ldarg.u64 r4, 0\n"
	"		add.64 r4, r4, r3\n"
	"		ld.global.u32 r5, [r4]\n"
	"		ldarg.u64 r4, 8\n"
	"		add.64 r4, r4, r3\n"
	"		ld.global.u32 r6, [r4]\n"
	"		ldarg.u32 r7, 32\n"
	"		ffma r8, r7, r5, r6\n"
	"		fmul r9, r7, r5\n"
	"		fadd r9, r9, r6\n"
	"		ldarg.u64 r4, 16\n"
	"		add.64 r4, r4, r3\n"
	"		st.global.u32 [r4], r8\n"
	"		ldarg.u64 r4, 24\n"
	"		add.64 r4, r4, r3\n"
	"		st.global.u32 [r4], r9\n"
	"	endif\n"
	"	end\n";

/* FFMA as docs/isa.md defines it: exact product, sum rounded to binary64. */
static uint32_t ref_ffma(uint32_t a, uint32_t b, uint32_t c)
{
	return vsvm_f32_bits((float)((double)vsvm_f32(a) * (double)vsvm_f32(b) +
				(double)vsvm_f32(c)));
}

static uint32_t ref_fmul_fadd(uint32_t a, uint32_t b, uint32_t c)
{
	/* volatile: rounded to binary32 here, never contracted into an fma */
	volatile float p = vsvm_f32(a) * vsvm_f32(b);

	return vsvm_f32_bits(p + vsvm_f32(c));
}

/* A finite fp32 value of magnitude 2^-7 .. 2^8, random sign and mantissa. */
static uint32_t rnd_f32(uint64_t *s)
{
	uint64_t r = rnd(s);

	return (uint32_t)(r >> 63) << 31 | (120 + (r >> 32) % 16) << 23 |
	       (r & 0x7fffff);
}

static void test_saxpy(void)
{
	const uint32_t n = 3000, wg = 64, cap = 3072;
	/* 1 + 2^-12: with x = a and y = 2^-80, FFMA rounds twice (isa.md). */
	const uint32_t a = 0x3f800800;
	struct buf *x, *y, *out_fma, *out_mad;
	uint32_t differ = 0;
	uint64_t seed = 1, args[6];
	struct ctx c;

	ctx_init(&c);
	x = buf_new(&c, cap * 4);
	y = buf_new(&c, cap * 4);
	out_fma = buf_new(&c, cap * 4);
	out_mad = buf_new(&c, cap * 4);
	for (uint32_t i = 0; i < cap; i++) {
		buf_u32(x)[i] = rnd_f32(&seed);
		buf_u32(y)[i] = rnd_f32(&seed);
	}
	buf_u32(x)[17] = a;
	buf_u32(y)[17] = 0x17800000;
	buf_u32(x)[18] = 0;			/* +0 * a + y */
	buf_u32(x)[19] = 0x80000000;		/* -0 */
	buf_u32(y)[19] = 0x80000000;
	buf_u32(x)[20] = 0x00000001;		/* denormals kept */
	buf_u32(y)[20] = 0x00000003;
	buf_u32(x)[21] = 0x7f7fffff;		/* FLT_MAX * a overflows */
	fill_u32(out_fma, SENTINEL);
	fill_u32(out_mad, SENTINEL);

	args[0] = x->gpu;
	args[1] = y->gpu;
	args[2] = out_fma->gpu;
	args[3] = out_mad->gpu;
	args[4] = a;
	args[5] = n;
	run(&c, &(struct launch){
		.k = kernel_new(&c, saxpy_src), .args = args,
		.args_size = sizeof(args), .grid = { DIV_ROUND_UP(n, wg) },
		.wg = { wg },
	});

	for (uint32_t i = 0; i < n; i++) {
		uint32_t xi = buf_u32(x)[i], yi = buf_u32(y)[i];
		uint32_t fma = ref_ffma(a, xi, yi);
		uint32_t mad = ref_fmul_fadd(a, xi, yi);

		igt_assert_f(buf_u32(out_fma)[i] == fma,
			     "FFMA %u: %#x * %#x + %#x gave %#x, expected %#x\n",
			     i, a, xi, yi, buf_u32(out_fma)[i], fma);
		igt_assert_f(buf_u32(out_mad)[i] == mad,
			     "FMUL+FADD %u: %#x * %#x + %#x gave %#x, expected %#x\n",
			     i, a, xi, yi, buf_u32(out_mad)[i], mad);
		differ += fma != mad;
	}
	/* Lanes past n wrote nothing. */
	check_sentinel(out_fma, n, cap, "FFMA output past n");
	check_sentinel(out_mad, n, cap, "FMUL+FADD output past n");
	/* isa.md's example, and the two forms do differ: both were checked. */
	igt_assert_eq_u32(buf_u32(out_fma)[17], 0x3f801000);
	igt_assert_eq_u32(buf_u32(out_fma)[21], 0x7f800000);
	igt_assert_eq_u32(buf_u32(out_fma)[20], 0x00000004);
	igt_info("%u of %u results differ between FFMA and FMUL+FADD\n",
		 differ, n);
	igt_assert_lt_u32(0, differ);
	ctx_fini(&c);
}

/*
 * Reductions of n u32 values.
 *
 * reduce_global_src: each lane adds its value to a u64 with a global atomic
 * and keeps the old value: olds[i] = atomic_add(sum, v[i]).
 * Arguments: 0: v, 8: n, 16: sum (u64), 24: olds (u64[]).
 */
static const char reduce_global_src[] =
	"	sv r0, global_id.x\n"
	"	ldarg.u32 r1, 8\n"
	"	icmp.ltu.32 r2, r0, r1\n"
	"	if r2\n"
	"		shl.64 r3, r0, 2\n"
	"		ldarg.u64 r4, 0\n"
	"		add.64 r4, r4, r3\n"
	"		ld.global.u32 r5, [r4]\n"
	"		ldarg.u64 r6, 16\n"
	"		atom.global.add.u64 r7, [r6], r5\n"
	"		shl.64 r3, r0, 3\n"
	"		ldarg.u64 r4, 24\n"
	"		add.64 r4, r4, r3\n"
	"		st.global.u64 [r4], r7\n"
	"	endif\n"
	"	end\n";

/*
 * reduce_tree_src: each workgroup sums its values in shared memory, halving
 * the active lanes at each step between barriers; lane 0 stores the
 * workgroup's partial and adds it to the total with one global atomic.
 * The workgroup size is a power of two. Arguments: 0: v, 8: n,
 * 16: partials (u32 per workgroup), 24: total (u32).
 */
static const char reduce_tree_src[] =
	"	sv r0, global_id.x\n"
	"	sv r1, local_id.x\n"
	"	movi r2, 0\n"
	"	ldarg.u32 r3, 8\n"
	"	icmp.ltu.32 r4, r0, r3\n"
	"	if r4\n"
	"		shl.64 r5, r0, 2\n"
	"		ldarg.u64 r6, 0\n"
	"		add.64 r6, r6, r5\n"
	"		ld.global.u32 r2, [r6]\n"
	"	endif\n"
	"	shl.64 r7, r1, 2\n"
	"	st.shared.u32 [r7], r2\n"
	"	bar\n"
	"	sv r8, wg_size.x\n"
	"	shru.32 r8, r8, 1\n"
	"	loop\n"
	"		icmp.eq.32 r9, r8, 0\n"
	"		if r9\n"
	"			break\n"
	"		endif\n"
	"		icmp.ltu.32 r9, r1, r8\n"
	"		if r9\n"
	"			shl.64 r10, r8, 2\n"
	"			add.64 r10, r7, r10\n"
	"			ld.shared.u32 r11, [r10]\n"
	"			ld.shared.u32 r12, [r7]\n"
	"			add.32 r12, r12, r11\n"
	"			st.shared.u32 [r7], r12\n"
	"		endif\n"
	"		bar\n"
	"		shru.32 r8, r8, 1\n"
	"	endloop\n"
	"	icmp.eq.32 r9, r1, 0\n"
	"	if r9\n"
	"		ld.shared.u32 r12, [r7]\n"
	"		sv r13, wg_id.x\n"
	"		shl.64 r13, r13, 2\n"
	"		ldarg.u64 r14, 16\n"
	"		add.64 r14, r14, r13\n"
	"		st.global.u32 [r14], r12\n"
	"		ldarg.u64 r14, 24\n"
	"		atom.global.add.u32 r15, [r14], r12\n"
	"	endif\n"
	"	end\n";

/*
 * reduce_shared_atomic_src: as reduce_tree_src, but the lanes sum with a
 * shared-memory atomic, and one barrier separates that from lane 0's read.
 */
static const char reduce_shared_atomic_src[] =
	"	sv r0, global_id.x\n"
	"	sv r1, local_id.x\n"
	"	ldarg.u32 r3, 8\n"
	"	icmp.ltu.32 r4, r0, r3\n"
	"	if r4\n"
	"		shl.64 r5, r0, 2\n"
	"		ldarg.u64 r6, 0\n"
	"		add.64 r6, r6, r5\n"
	"		ld.global.u32 r2, [r6]\n"
	"		movi r7, 0\n"
	"		atom.shared.add.u32 r8, [r7], r2\n"
	"	endif\n"
	"	bar\n"
	"	icmp.eq.32 r9, r1, 0\n"
	"	if r9\n"
	"		movi r7, 0\n"
	"		ld.shared.u32 r12, [r7]\n"
	"		sv r13, wg_id.x\n"
	"		shl.64 r13, r13, 2\n"
	"		ldarg.u64 r14, 16\n"
	"		add.64 r14, r14, r13\n"
	"		st.global.u32 [r14], r12\n"
	"		ldarg.u64 r14, 24\n"
	"		atom.global.add.u32 r15, [r14], r12\n"
	"	endif\n"
	"	end\n";

#define REDUCE_N	10000

static void reduce_input(struct buf *v)
{
	uint64_t seed = 2;

	for (uint32_t i = 0; i < REDUCE_N; i++)
		buf_u32(v)[i] = 1 + rnd(&seed) % 1000;
}

static int cmp_u64_pair(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

static void test_reduce_global(void)
{
	const uint64_t init = 0x100000000ull;	/* the atomic is 64-bit */
	uint64_t (*pairs)[2], sum = init, args[4];
	struct buf *v, *total, *olds;
	struct ctx c;

	ctx_init(&c);
	v = buf_new(&c, REDUCE_N * 4);
	total = buf_new(&c, SIZE_4K);
	olds = buf_new(&c, REDUCE_N * 8);
	reduce_input(v);
	*(uint64_t *)total->cpu = init;

	args[0] = v->gpu;
	args[1] = REDUCE_N;
	args[2] = total->gpu;
	args[3] = olds->gpu;
	run(&c, &(struct launch){
		.k = kernel_new(&c, reduce_global_src), .args = args,
		.args_size = sizeof(args),
		.grid = { DIV_ROUND_UP(REDUCE_N, 256) }, .wg = { 256 },
	});

	for (uint32_t i = 0; i < REDUCE_N; i++)
		sum += buf_u32(v)[i];
	igt_assert_eq_u64(*(uint64_t *)total->cpu, sum);

	/*
	 * No update was lost or doubled: sorted by the value each lane saw,
	 * each lane's add leads exactly to the next lane's old value.
	 */
	pairs = malloc(REDUCE_N * sizeof(*pairs));
	igt_assert(pairs);
	for (uint32_t i = 0; i < REDUCE_N; i++) {
		pairs[i][0] = ((uint64_t *)olds->cpu)[i];
		pairs[i][1] = buf_u32(v)[i];
	}
	qsort(pairs, REDUCE_N, sizeof(*pairs), cmp_u64_pair);
	igt_assert_eq_u64(pairs[0][0], init);
	for (uint32_t i = 1; i < REDUCE_N; i++)
		igt_assert_f(pairs[i][0] == pairs[i - 1][0] + pairs[i - 1][1],
			     "atomic chain broken at %u: old %#" PRIx64
			     " after %#" PRIx64 " + %" PRIu64 "\n", i,
			     pairs[i][0], pairs[i - 1][0], pairs[i - 1][1]);
	free(pairs);
	ctx_fini(&c);
}

static void test_reduce_workgroup(const char *src, uint32_t wg,
				  uint32_t shared)
{
	const uint32_t wgs = DIV_ROUND_UP(REDUCE_N, wg), init = 7;
	struct buf *v, *partials, *total;
	uint32_t sum = init;
	uint64_t args[4];
	struct ctx c;

	ctx_init(&c);
	v = buf_new(&c, REDUCE_N * 4);
	partials = buf_new(&c, wgs * 4);
	total = buf_new(&c, SIZE_4K);
	reduce_input(v);
	fill_u32(partials, SENTINEL);
	buf_u32(total)[0] = init;

	args[0] = v->gpu;
	args[1] = REDUCE_N;
	args[2] = partials->gpu;
	args[3] = total->gpu;
	run(&c, &(struct launch){
		.k = kernel_new(&c, src), .args = args,
		.args_size = sizeof(args), .grid = { wgs }, .wg = { wg },
		.shared = shared,
	});

	for (uint32_t w = 0; w < wgs; w++) {
		uint32_t part = 0;

		for (uint32_t i = w * wg; i < (w + 1) * wg && i < REDUCE_N; i++)
			part += buf_u32(v)[i];
		igt_assert_f(buf_u32(partials)[w] == part,
			     "workgroup %u summed %u, expected %u\n", w,
			     buf_u32(partials)[w], part);
		sum += part;
	}
	igt_assert_eq_u32(buf_u32(total)[0], sum);
	ctx_fini(&c);
}

/*
 * Hillis-Steele inclusive scan of each workgroup's segment in shared
 * memory: at each step every lane reads its neighbour at distance d,
 * all wait at a barrier, then write, and wait again. Without working
 * barriers a wave would read values another has already overwritten.
 * Arguments: 0: in, 8: out (u32[], one segment per workgroup).
 */
static const char scan_src[] =
	"	sv r0, global_id.x\n"
	"	sv r1, local_id.x\n"
	"	sv r20, wg_size.x\n"
	"	shl.64 r2, r0, 2\n"
	"	ldarg.u64 r3, 0\n"
	"	add.64 r3, r3, r2\n"
	"	ld.global.u32 r4, [r3]\n"
	"	shl.64 r5, r1, 2\n"
	"	st.shared.u32 [r5], r4\n"
	"	bar\n"
	"	movi r6, 1\n"
	"	loop\n"
	"		icmp.ltu.32 r7, r6, r20\n"
	"		if r7\n"
	"		else\n"
	"			break\n"
	"		endif\n"
	"		icmp.leu.32 r8, r6, r1\n"
	"		if r8\n"
	"			sub.32 r9, r1, r6\n"
	"			shl.64 r9, r9, 2\n"
	"			ld.shared.u32 r10, [r9]\n"
	"			add.32 r4, r4, r10\n"
	"		endif\n"
	"		bar\n"
	"		st.shared.u32 [r5], r4\n"
	"		bar\n"
	"		shl.32 r6, r6, 1\n"
	"	endloop\n"
	"	ldarg.u64 r3, 8\n"
	"	add.64 r3, r3, r2\n"
	"	st.global.u32 [r3], r4\n"
	"	end\n";

static void test_scan(uint32_t wg)
{
	const uint32_t wgs = 8, n = wgs * wg;
	uint64_t seed = 3, args[2];
	struct buf *in, *out;
	struct ctx c;

	ctx_init(&c);
	in = buf_new(&c, n * 4);
	out = buf_new(&c, n * 4);
	for (uint32_t i = 0; i < n; i++)
		buf_u32(in)[i] = rnd(&seed);	/* sums wrap, as in C */
	fill_u32(out, SENTINEL);

	args[0] = in->gpu;
	args[1] = out->gpu;
	run(&c, &(struct launch){
		.k = kernel_new(&c, scan_src), .args = args,
		.args_size = sizeof(args), .grid = { wgs }, .wg = { wg },
		.shared = wg * 4,
	});

	for (uint32_t w = 0; w < wgs; w++) {
		uint32_t acc = 0;

		for (uint32_t l = 0; l < wg; l++) {
			uint32_t i = w * wg + l;

			acc += buf_u32(in)[i];
			igt_assert_f(buf_u32(out)[i] == acc,
				     "workgroup %u lane %u: prefix %#x, expected %#x\n",
				     w, l, buf_u32(out)[i], acc);
		}
	}
	ctx_fini(&c);
}

/*
 * Divergent, nested control flow, against a scalar C version (cf_ref()).
 * Lanes with i % 7 == 6 EXIT at once; the others count Collatz steps from
 * i + 1 (a loop with two BREAKs, an IF/ELSE by parity inside), then pick a
 * result by lane parity and range, one range through a loop that skips
 * multiples of 3 with CONTINUE. Arguments: 0: out (u32[]).
 */
static const char cf_src[] =
	"	sv r0, global_id.x\n"
	"	remu.32 r1, r0, 7\n"
	"	icmp.eq.32 r2, r1, 6\n"
	"	if r2\n"
	"		exit\n"
	"	endif\n"
	"	add.32 r3, r0, 1\n"
	"	movi r4, 0\n"
	"	loop\n"
	"		icmp.eq.32 r5, r3, 1\n"
	"		if r5\n"
	"			break\n"
	"		endif\n"
	"		and.32 r6, r3, 1\n"
	"		if r6\n"
	"			mul.32 r3, r3, 3\n"
	"			add.32 r3, r3, 1\n"
	"		else\n"
	"			shru.32 r3, r3, 1\n"
	"		endif\n"
	"		add.32 r4, r4, 1\n"
	"		icmp.ltu.32 r5, r4, 100\n"
	"		if r5\n"
	"		else\n"
	"			break\n"
	"		endif\n"
	"	endloop\n"
	"	and.32 r6, r0, 1\n"
	"	if r6\n"
	"		icmp.ltu.32 r7, r4, 41\n"
	"		if r7\n"
	"			add.32 r8, r4, 1000\n"
	"		else\n"
	"			mul.32 r8, r4, 3\n"
	"		endif\n"
	"	else\n"
	"		icmp.ltu.32 r7, r0, 500\n"
	"		if r7\n"
	"			xor.32 r8, r4, 0x55\n"
	"		else\n"
	"			icmp.ltu.32 r7, r0, 1500\n"
	"			if r7\n"
	"				remu.32 r9, r0, 37\n"
	"				movi r10, 0\n"
	"				movi r11, 0\n"
	"				loop\n"
	"					icmp.ltu.32 r12, r10, r9\n"
	"					if r12\n"
	"					else\n"
	"						break\n"
	"					endif\n"
	"					remu.32 r13, r10, 3\n"
	"					add.32 r10, r10, 1\n"
	"					icmp.eq.32 r12, r13, 0\n"
	"					if r12\n"
	"						continue\n"
	"					endif\n"
	"					sub.32 r14, r10, 1\n"
	"					add.32 r11, r11, r14\n"
	"				endloop\n"
	"				add.32 r8, r11, r4\n"
	"			else\n"
	"				not.32 r8, r4\n"
	"			endif\n"
	"		endif\n"
	"	endif\n"
	"	shl.64 r15, r0, 2\n"
	"	ldarg.u64 r16, 0\n"
	"	add.64 r16, r16, r15\n"
	"	st.global.u32 [r16], r8\n"
	"	end\n";

/* Return: what lane @i writes, or SENTINEL for a lane that exits. */
static uint32_t cf_ref(uint32_t i)
{
	uint32_t x = i + 1, steps = 0, r;

	if (i % 7 == 6)
		return SENTINEL;
	while (x != 1) {
		x = x & 1 ? 3 * x + 1 : x >> 1;
		if (++steps >= 100)
			break;
	}
	if (i & 1) {
		r = steps <= 40 ? steps + 1000 : steps * 3;
	} else if (i < 500) {
		r = steps ^ 0x55;
	} else if (i < 1500) {
		uint32_t sum = 0;

		for (uint32_t k = 0; k < i % 37; k++) {
			if (k % 3 == 0)
				continue;
			sum += k;
		}
		r = sum + steps;
	} else {
		r = ~steps;
	}
	return r;
}

static void test_control_flow(void)
{
	/* 125 lanes: three full waves and one of 29 per workgroup. */
	const uint32_t wg = 125, wgs = 16, n = wg * wgs;
	uint32_t capped = 0;
	uint64_t args[1];
	struct buf *out;
	struct ctx c;

	ctx_init(&c);
	out = buf_new(&c, n * 4);
	fill_u32(out, SENTINEL);
	args[0] = out->gpu;
	run(&c, &(struct launch){
		.k = kernel_new(&c, cf_src), .args = args,
		.args_size = sizeof(args), .grid = { wgs }, .wg = { wg },
	});

	for (uint32_t i = 0; i < n; i++) {
		uint32_t want = cf_ref(i);

		igt_assert_f(buf_u32(out)[i] == want,
			     "lane %u wrote %#x, expected %#x\n", i,
			     buf_u32(out)[i], want);
		capped += i % 7 != 6 && (i & 1) && want == 300;
	}
	/* Both BREAKs of the Collatz loop were taken by some lanes. */
	igt_assert_lt_u32(0, capped);
	ctx_fini(&c);
}

/*
 * Every lane writes a record of its system values at its linear global
 * index x + y * X + z * X * Y. Straight-line code: each wave executes each
 * instruction once. Arguments: 0: records (struct sv_record[]).
 */
static const char grid_src[] =
	"	sv r0, global_id.x\n"
	"	sv r1, global_id.y\n"
	"	sv r2, global_id.z\n"
	"	sv r3, num_wg.x\n"
	"	sv r4, wg_size.x\n"
	"	mul.32 r5, r3, r4\n"
	"	sv r6, num_wg.y\n"
	"	sv r7, wg_size.y\n"
	"	mul.32 r8, r6, r7\n"
	"	mul.32 r9, r2, r8\n"
	"	add.32 r9, r9, r1\n"
	"	mul.32 r9, r9, r5\n"
	"	add.32 r9, r9, r0\n"
	"	shl.64 r9, r9, 6\n"
	"	ldarg.u64 r10, 0\n"
	"	add.64 r10, r10, r9\n"
	"	st.global.u32 [r10], r0\n"
	"	st.global.u32 [r10 + 4], r1\n"
	"	st.global.u32 [r10 + 8], r2\n"
	"	sv r11, local_id.x\n"
	"	st.global.u32 [r10 + 12], r11\n"
	"	sv r11, local_id.y\n"
	"	st.global.u32 [r10 + 16], r11\n"
	"	sv r11, local_id.z\n"
	"	st.global.u32 [r10 + 20], r11\n"
	"	sv r11, wg_id.x\n"
	"	st.global.u32 [r10 + 24], r11\n"
	"	sv r11, wg_id.y\n"
	"	st.global.u32 [r10 + 28], r11\n"
	"	sv r11, wg_id.z\n"
	"	st.global.u32 [r10 + 32], r11\n"
	"	st.global.u32 [r10 + 36], r3\n"
	"	st.global.u32 [r10 + 40], r6\n"
	"	sv r11, num_wg.z\n"
	"	st.global.u32 [r10 + 44], r11\n"
	"	st.global.u32 [r10 + 48], r4\n"
	"	st.global.u32 [r10 + 52], r7\n"
	"	sv r11, wg_size.z\n"
	"	st.global.u32 [r10 + 56], r11\n"
	"	sv r12, lane_id\n"
	"	sv r13, wave_id\n"
	"	shl.32 r13, r13, 16\n"
	"	or.32 r12, r12, r13\n"
	"	st.global.u32 [r10 + 60], r12\n"
	"	end\n";

struct sv_record {
	uint32_t global_id[3];
	uint32_t local_id[3];
	uint32_t wg_id[3];
	uint32_t num_wg[3];
	uint32_t wg_size[3];
	uint32_t lane_wave;
};

static void test_grid_3d(void)
{
	const uint32_t grid[3] = { 3, 4, 2 }, wg[3] = { 7, 5, 3 };
	const uint32_t lanes = wg[0] * wg[1] * wg[2];
	const uint32_t wgs = grid[0] * grid[1] * grid[2];
	const uint32_t X = grid[0] * wg[0], Y = grid[1] * wg[1];
	const uint32_t Z = grid[2] * wg[2], n = X * Y * Z;
	const struct kernel *k;
	struct counters cnt;
	struct sv_record *rec;
	uint64_t args[1], wgs_before;
	struct buf *out;
	struct ctx c;

	ctx_init(&c);
	out = buf_new(&c, n * sizeof(*rec));
	fill_u32(out, SENTINEL);
	k = kernel_new(&c, grid_src);
	args[0] = out->gpu;

	counters_read(&cnt);
	wgs_before = engine_workgroups();
	run(&c, &(struct launch){
		.k = k, .args = args, .args_size = sizeof(args),
		.grid = { grid[0], grid[1], grid[2] },
		.wg = { wg[0], wg[1], wg[2] },
	});

	rec = out->cpu;
	for (uint32_t i = 0; i < n; i++) {
		const struct sv_record *r = &rec[i];
		const uint32_t g[3] = { i % X, i / X % Y, i / (X * Y) };
		uint32_t L;

		for (int d = 0; d < 3; d++) {
			igt_assert_eq_u32(r->global_id[d], g[d]);
			igt_assert_eq_u32(r->local_id[d], g[d] % wg[d]);
			igt_assert_eq_u32(r->wg_id[d], g[d] / wg[d]);
			igt_assert_eq_u32(r->num_wg[d], grid[d]);
			igt_assert_eq_u32(r->wg_size[d], wg[d]);
		}
		L = r->local_id[0] + r->local_id[1] * wg[0] +
		    r->local_id[2] * wg[0] * wg[1];
		igt_assert_eq_u32(r->lane_wave, (L % 32) | (L / 32) << 16);
	}

	/*
	 * The engine ran every workgroup once and every wave executed each
	 * instruction once: the counters prove the path, not just the data.
	 */
	igt_assert_eq_u64(engine_workgroups() - wgs_before, wgs);
	counter_grew(&cnt, CNT_SUBMITTED, 1);
	counter_grew(&cnt, CNT_DONE, 1);
	counter_grew(&cnt, CNT_FAILED, 0);
	counter_grew(&cnt, CNT_INSNS, (int64_t)k->size / VSVM_INSN_SIZE *
		     DIV_ROUND_UP(lanes, 32) * wgs);
	ctx_fini(&c);
}

/*
 * Lane l of workgroup w adds 1 << 4l to counts[w]: each workgroup that ran
 * exactly once, all its lanes once, leaves 0x11111111 (8 lanes).
 * Arguments: 0: counts (u32 per workgroup).
 */
static const char many_wgs_src[] =
	"	sv r0, wg_id.x\n"
	"	sv r1, wg_id.y\n"
	"	sv r2, wg_id.z\n"
	"	sv r3, num_wg.x\n"
	"	sv r4, num_wg.y\n"
	"	mul.32 r5, r2, r4\n"
	"	add.32 r5, r5, r1\n"
	"	mul.32 r5, r5, r3\n"
	"	add.32 r5, r5, r0\n"
	"	shl.64 r5, r5, 2\n"
	"	ldarg.u64 r6, 0\n"
	"	add.64 r6, r6, r5\n"
	"	sv r7, local_id.x\n"
	"	shl.32 r7, r7, 2\n"
	"	movi r8, 1\n"
	"	shl.32 r8, r8, r7\n"
	"	atom.global.add.u32 r9, [r6], r8\n"
	"	end\n";

static void test_many_workgroups(void)
{
	const uint32_t grid[3] = { 64, 8, 2 }, wgs = 64 * 8 * 2;
	uint64_t args[1], wgs_before;
	struct counters cnt;
	struct buf *counts;
	struct ctx c;

	igt_assert_lt_u32(num_cus, wgs);
	ctx_init(&c);
	counts = buf_new(&c, wgs * 4);
	args[0] = counts->gpu;

	counters_read(&cnt);
	wgs_before = engine_workgroups();
	run(&c, &(struct launch){
		.k = kernel_new(&c, many_wgs_src), .args = args,
		.args_size = sizeof(args),
		.grid = { grid[0], grid[1], grid[2] }, .wg = { 8 },
	});
	for (uint32_t w = 0; w < wgs; w++)
		igt_assert_f(buf_u32(counts)[w] == 0x11111111,
			     "workgroup %u left %#x\n", w, buf_u32(counts)[w]);
	igt_assert_eq_u64(engine_workgroups() - wgs_before, wgs);
	counter_grew(&cnt, CNT_SUBMITTED, 1);
	counter_grew(&cnt, CNT_DONE, 1);
	ctx_fini(&c);
}

/* Ordering: queues, syncobjs and WAIT */

/* A job on its own queue copies the gate's output while the gate is shut. */
static void control_job(struct ctx *c, const struct kernel *copy,
			struct gate *g, uint32_t lanes)
{
	struct buf *early = buf_new(c, lanes * 4);
	uint32_t q = vsvm_queue_create(c->fd, c->vm);
	struct launch l;
	uint64_t args[3];

	fill_u32(early, SENTINEL);
	l = copy_launch(copy, args, g->out, early, lanes);
	vsvm_wait_ok(c->fd, q, submit_on(c, q, &l));
	/* It ran while the gated job had not written anything yet. */
	check_sentinel(early, 0, lanes, "control job");
	vsvm_queue_destroy(c->fd, q);
}

static void test_queue_order(void)
{
	const uint32_t lanes = 64;
	const struct kernel *gk, *ck;
	uint64_t s1, s2, args[3];
	struct buf *copy;
	struct launch l;
	struct gate g;
	struct ctx c;

	ctx_init(&c);
	gk = kernel_new(&c, gate_src);
	ck = kernel_new(&c, copy_src);
	gate_init(&c, &g, lanes, 1000);
	copy = buf_new(&c, lanes * 4);
	fill_u32(copy, SENTINEL);

	s1 = submit(&c, &(struct launch){
		.k = gk, .args = g.args, .args_size = sizeof(g.args),
		.wg = { lanes },
	});
	gate_wait_started(&g);
	l = copy_launch(ck, args, g.out, copy, lanes);
	s2 = submit(&c, &l);
	igt_assert_eq_u64(s2, s1 + 1);
	if (num_cus > 1)
		control_job(&c, ck, &g, lanes);

	/* Job 2 reads job 1's output: it must still be waiting. */
	igt_assert_eq(__vsvm_wait(c.fd, c.queue, s1, 0, NULL), -ETIME);
	igt_assert_eq(__vsvm_wait(c.fd, c.queue, s2, 0, NULL), -ETIME);
	check_sentinel(copy, 0, lanes, "job queued behind a running one");

	gate_open(&g);
	vsvm_wait_ok(c.fd, c.queue, s2);
	vsvm_wait_ok(c.fd, c.queue, s1);
	check_gate_out(&g, lanes);
	check_words(copy, lanes, 1000, "job 2's copy of job 1's output");
	ctx_fini(&c);
}

static void test_syncobj_cross_queue(void)
{
	const uint32_t lanes = 64;
	const struct kernel *gk, *ck;
	uint64_t sa, sb, args[3];
	uint32_t q2, sync;
	struct buf *copy;
	struct launch l;
	struct gate g;
	struct ctx c;

	ctx_init(&c);
	gk = kernel_new(&c, gate_src);
	ck = kernel_new(&c, copy_src);
	gate_init(&c, &g, lanes, 2000);
	copy = buf_new(&c, lanes * 4);
	fill_u32(copy, SENTINEL);
	q2 = vsvm_queue_create(c.fd, c.vm);
	sync = syncobj_create(c.fd, 0);

	sa = submit(&c, &(struct launch){
		.k = gk, .args = g.args, .args_size = sizeof(g.args),
		.wg = { lanes }, .out_sync = sync,
	});
	gate_wait_started(&g);
	l = copy_launch(ck, args, g.out, copy, lanes);
	l.in_syncs = &sync;
	l.num_in_syncs = 1;
	sb = submit_on(&c, q2, &l);
	if (num_cus > 1)
		control_job(&c, ck, &g, lanes);

	igt_assert(!syncobj_signaled(c.fd, sync, 0));
	igt_assert_eq(vsvm_syncobj_status(c.fd, sync), 0);
	igt_assert_eq(__vsvm_wait(c.fd, c.queue, sa, 0, NULL), -ETIME);
	igt_assert_eq(__vsvm_wait(c.fd, q2, sb, 0, NULL), -ETIME);
	check_sentinel(copy, 0, lanes, "job waiting on an out-syncobj");

	gate_open(&g);
	vsvm_wait_ok(c.fd, q2, sb);
	/* B ended, so A's fence had signalled, and B saw A's writes. */
	igt_assert(syncobj_signaled(c.fd, sync, 0));
	igt_assert_eq(vsvm_syncobj_status(c.fd, sync), 1);
	vsvm_wait_ok(c.fd, c.queue, sa);
	check_gate_out(&g, lanes);
	check_words(copy, lanes, 2000, "the copy on the waiting queue");

	syncobj_destroy(c.fd, sync);
	vsvm_queue_destroy(c.fd, q2);
	ctx_fini(&c);
}

/* dst[i] = a[i] + b[i] for i < n. Arguments: 0: a, 8: b, 16: dst, 24: n. */
static const char add_src[] =
	"	sv r0, global_id.x\n"
	"	ldarg.u32 r1, 24\n"
	"	icmp.ltu.32 r2, r0, r1\n"
	"	if r2\n"
	"		shl.64 r3, r0, 2\n"
	"		ldarg.u64 r4, 0\n"
	"		add.64 r4, r4, r3\n"
	"		ld.global.u32 r5, [r4]\n"
	"		ldarg.u64 r4, 8\n"
	"		add.64 r4, r4, r3\n"
	"		ld.global.u32 r6, [r4]\n"
	"		add.32 r5, r5, r6\n"
	"		ldarg.u64 r4, 16\n"
	"		add.64 r4, r4, r3\n"
	"		st.global.u32 [r4], r5\n"
	"	endif\n"
	"	end\n";

static void test_syncobj_many_in_syncs(void)
{
	const uint32_t lanes = 64;
	const struct kernel *gk, *ck, *ak;
	uint32_t q[3], sync[2];
	uint64_t s[2], sc, args[4];
	struct gate g[2];
	struct buf *sum;
	struct ctx c;

	/* Both gated jobs must run at once. */
	igt_require(num_cus > 1);
	ctx_init(&c);
	gk = kernel_new(&c, gate_src);
	ck = kernel_new(&c, copy_src);
	ak = kernel_new(&c, add_src);
	sum = buf_new(&c, lanes * 4);
	fill_u32(sum, SENTINEL);
	q[0] = c.queue;
	for (int i = 1; i < 3; i++)
		q[i] = vsvm_queue_create(c.fd, c.vm);

	for (int i = 0; i < 2; i++) {
		gate_init(&c, &g[i], lanes, 1000 * (i + 1));
		sync[i] = syncobj_create(c.fd, 0);
		s[i] = submit_on(&c, q[i], &(struct launch){
			.k = gk, .args = g[i].args,
			.args_size = sizeof(g[i].args), .wg = { lanes },
			.out_sync = sync[i],
		});
		gate_wait_started(&g[i]);
	}
	args[0] = g[0].out->gpu;
	args[1] = g[1].out->gpu;
	args[2] = sum->gpu;
	args[3] = lanes;
	sc = submit_on(&c, q[2], &(struct launch){
		.k = ak, .args = args, .args_size = sizeof(args),
		.wg = { lanes }, .in_syncs = sync, .num_in_syncs = 2,
	});

	/* One of two in-syncs signalled is not enough. */
	gate_open(&g[0]);
	vsvm_wait_ok(c.fd, q[0], s[0]);
	control_job(&c, ck, &g[1], lanes);
	igt_assert_eq(__vsvm_wait(c.fd, q[2], sc, 0, NULL), -ETIME);
	check_sentinel(sum, 0, lanes, "job with one in-sync left");

	gate_open(&g[1]);
	vsvm_wait_ok(c.fd, q[2], sc);
	vsvm_wait_ok(c.fd, q[1], s[1]);
	for (uint32_t i = 0; i < lanes; i++)
		igt_assert_eq_u32(buf_u32(sum)[i], 3000 + 2 * i);

	for (int i = 0; i < 2; i++)
		syncobj_destroy(c.fd, sync[i]);
	for (int i = 1; i < 3; i++)
		vsvm_queue_destroy(c.fd, q[i]);
	ctx_fini(&c);
}

static void test_wait_timeout(void)
{
	const uint32_t lanes = 32;
	const int64_t timeout = 100 * NSEC_PER_MSEC;
	const struct kernel *gk, *ck;
	uint64_t s1, s2, args[3];
	struct buf *copy;
	uint32_t sync;
	struct launch l;
	int64_t start;
	struct gate g;
	struct ctx c;

	ctx_init(&c);
	gk = kernel_new(&c, gate_src);
	ck = kernel_new(&c, copy_src);
	gate_init(&c, &g, lanes, 3000);
	copy = buf_new(&c, lanes * 4);
	fill_u32(copy, SENTINEL);
	sync = syncobj_create(c.fd, 0);

	s1 = submit(&c, &(struct launch){
		.k = gk, .args = g.args, .args_size = sizeof(g.args),
		.wg = { lanes }, .out_sync = sync,
	});
	gate_wait_started(&g);
	l = copy_launch(ck, args, g.out, copy, lanes);
	s2 = submit(&c, &l);

	/* A running job and one queued behind it: polling says -ETIME. */
	igt_assert_eq(__vsvm_wait(c.fd, c.queue, s1, 0, NULL), -ETIME);
	igt_assert_eq(__vsvm_wait(c.fd, c.queue, s2, 0, NULL), -ETIME);
	start = now_ns();
	igt_assert_eq(__vsvm_wait(c.fd, c.queue, s1, timeout, NULL), -ETIME);
	/*
	 * It did wait. Loosely: the kernel counts the timeout in jiffies,
	 * which under TCG can run well ahead of CLOCK_MONOTONIC.
	 */
	igt_info("WAIT of %lld ms returned after %lld ms\n",
		 ns_ms(timeout), ns_ms(now_ns() - start));
	igt_assert_lte_s64(timeout / 4, now_ns() - start);
	igt_assert(!syncobj_signaled(c.fd, sync, 0));

	gate_open(&g);
	vsvm_wait_ok(c.fd, c.queue, s1);
	vsvm_wait_ok(c.fd, c.queue, s2);
	igt_assert(syncobj_signaled(c.fd, sync, 0));
	check_gate_out(&g, lanes);
	check_words(copy, lanes, 3000, "copy");
	syncobj_destroy(c.fd, sync);
	ctx_fini(&c);
}

/* Failing jobs */

/* The errno a failed job's fence carries, from vsvm_drm.h. */
static int status_errno(uint32_t status)
{
	switch (status) {
	case DRM_VSVM_STATUS_OK:
		return 0;
	case DRM_VSVM_STATUS_READ_ONLY:
	case DRM_VSVM_STATUS_NO_ACCESS:
		return -EACCES;
	case DRM_VSVM_STATUS_MISALIGNED:
		return -EINVAL;
	case DRM_VSVM_STATUS_TRAP:
		return -EIO;
	case DRM_VSVM_STATUS_TIMEOUT:
		return -ETIMEDOUT;
	case DRM_VSVM_STATUS_FAULT_RETRY:
		return -EDEADLK;
	case DRM_VSVM_STATUS_NOMEM:
		return -ENOMEM;
	case DRM_VSVM_STATUS_CANCELED:
		return -ECANCELED;
	case DRM_VSVM_STATUS_UNREACHABLE:
		return -ENXIO;
	case DRM_VSVM_STATUS_RANGE_LIMIT:
		return -ENOSPC;
	default:	/* UNMAPPED, NO_VMA, BAD_MEMORY */
		return -EFAULT;
	}
}

/* How a job is expected to fail; with @any_fault, only the status counts. */
struct failure {
	uint32_t status;
	uint32_t access;
	uint64_t addr;
	uint32_t pc;
	uint32_t info;
	bool any_fault;
};

/* One of the last @n lines of the debugfs log starts with @line. */
static bool log_tail_has(const char *line, int n)
{
	char *text = vsvm_debugfs_read(fd, "log");
	size_t len = strlen(line);
	bool found = false;
	char *p;

	igt_assert_f(text, "cannot read debugfs log: %m\n");
	/* Backwards from the end, one newline-terminated line at a time. */
	p = text + strlen(text);
	while (n-- > 0 && p > text && !found) {
		char *start = p - 1;

		while (start > text && start[-1] != '\n')
			start--;
		found = (size_t)(p - 1 - start) >= len &&
			!memcmp(start, line, len);
		p = start;
	}
	if (!found)
		igt_debug("no \"%s\" at the end of the debugfs log:\n%s\n",
			  line, text);
	free(text);
	return found;
}

/*
 * Job @seqno of @queue ended as @f says: in WAIT, in the errno of its
 * out-syncobj's fence (if @sync), and in the debugfs log.
 */
static void check_failed(struct ctx *c, uint32_t queue, uint64_t seqno,
			 uint32_t sync, const struct failure *f)
{
	struct drm_vsvm_wait w;
	char line[160];

	igt_assert_eq(__vsvm_wait(c->fd, queue, seqno, VSVM_WAIT_TIMEOUT_NS,
				  &w), 0);
	igt_info("job %llu: %s, access %#x at %#llx, pc %#x, info %#x\n",
		 (unsigned long long)seqno, vsvm_status_name(w.status),
		 w.fault_access, (unsigned long long)w.fault_addr, w.fault_pc,
		 w.info);
	igt_assert_f(w.status == f->status, "job ended %s, expected %s\n",
		     vsvm_status_name(w.status), vsvm_status_name(f->status));
	if (!f->any_fault) {
		igt_assert_eq_u32(w.fault_access, f->access);
		igt_assert_eq_u64(w.fault_addr, f->addr);
		igt_assert_eq_u32(w.fault_pc, f->pc);
		igt_assert_eq_u32(w.info, f->info);
	}
	if (sync) {
		igt_assert(syncobj_signaled(c->fd, sync, 0));
		igt_assert_eq(vsvm_syncobj_status(c->fd, sync),
			      status_errno(f->status));
	}
	/* vsvm_job_finish()'s record of the failure. */
	snprintf(line, sizeof(line),
		 "queue %u job %llu: status %u access 0x%x addr 0x%llx pc 0x%x info %u",
		 queue, (unsigned long long)seqno, w.status, w.fault_access,
		 (unsigned long long)w.fault_addr, w.fault_pc, w.info);
	igt_assert_f(log_tail_has(line, 8), "no \"%s\" in debugfs log\n",
		     line);
}

/* A copy job on @queue runs and copies, byte for byte. */
static void check_queue_works(struct ctx *c, uint32_t queue)
{
	const uint32_t n = 256;
	struct buf *src = buf_new(c, n * 4), *dst = buf_new(c, n * 4);
	uint64_t args[3];
	struct launch l;

	for (uint32_t i = 0; i < n; i++)
		buf_u32(src)[i] = 0x7000 + i;
	fill_u32(dst, SENTINEL);
	l = copy_launch(kernel_new(c, copy_src), args, src, dst, n);
	vsvm_wait_ok(c->fd, queue, submit_on(c, queue, &l));
	check_words(dst, n, 0x7000, "copy after a failed job");
}

/* A new client's copy job runs and copies. */
static void check_new_client_works(void)
{
	struct ctx c;

	ctx_init(&c);
	check_queue_works(&c, c.queue);
	ctx_fini(&c);
}

/* store_src: [arg 0] = arg 8 (u32). */
static const char store_src[] =
	"	ldarg.u64 r1, 0\n"
	"	ldarg.u32 r2, 8\n"
	"	st.global.u32 [r1], r2\n"
	"	end\n";

/* trap_src: traps before it would store like store_src. */
static const char trap_src[] =
	"	ldarg.u64 r1, 0\n"
	"	ldarg.u32 r2, 8\n"
	"	trap 0x33\n"
	"	st.global.u32 [r1], r2\n"
	"	end\n";

/*
 * Six jobs on one queue, the third trapping and the fifth faulting; each
 * seqno's WAIT, in any order and more than once, reports its own job.
 */
static void test_wait_seqnos(void)
{
	const struct kernel *ks, *kt;
	uint64_t seq[7], args[7][2];
	uint32_t sync[7];
	struct buf *out;
	struct failure trap = {}, fault = {};
	struct ctx c;

	ctx_init(&c);
	ks = kernel_new(&c, store_src);
	kt = kernel_new(&c, trap_src);
	out = buf_new(&c, SIZE_4K);
	fill_u32(out, SENTINEL);

	for (int j = 1; j <= 6; j++) {
		args[j][0] = j == 5 ? UNMAPPED_VA : out->gpu + 4 * j;
		args[j][1] = 0x100 + j;
		sync[j] = syncobj_create(c.fd, 0);
		seq[j] = submit(&c, &(struct launch){
			.k = j == 3 ? kt : ks, .args = args[j],
			.args_size = sizeof(args[j]), .out_sync = sync[j],
		});
		igt_assert_eq_u64(seq[j], j);
	}

	trap.status = DRM_VSVM_STATUS_TRAP;
	trap.pc = insn_offset(kt, VSVM_OP_TRAP, 0);
	trap.info = 0x33;
	fault.status = DRM_VSVM_STATUS_UNMAPPED;
	fault.access = DRM_VSVM_ACCESS_WRITE;
	fault.addr = UNMAPPED_VA;
	fault.pc = insn_offset(ks, VSVM_OP_ST, 0);

	vsvm_wait_ok(c.fd, c.queue, seq[6]);
	vsvm_wait_ok(c.fd, c.queue, seq[1]);
	check_failed(&c, c.queue, seq[5], sync[5], &fault);
	vsvm_wait_ok(c.fd, c.queue, seq[2]);
	vsvm_wait_ok(c.fd, c.queue, seq[4]);
	check_failed(&c, c.queue, seq[3], sync[3], &trap);
	/* Ended jobs answer again, with the same result. */
	vsvm_wait_ok(c.fd, c.queue, seq[1]);
	check_failed(&c, c.queue, seq[5], sync[5], &fault);
	check_failed(&c, c.queue, seq[3], sync[3], &trap);
	igt_assert(syncobj_wait(c.fd, &sync[1], 6, 0,
				DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL));

	for (int j = 1; j <= 6; j++) {
		bool stored = j != 3 && j != 5;

		igt_assert_eq_u32(buf_u32(out)[j], stored ? 0x100u + j : SENTINEL);
		igt_assert_eq(vsvm_syncobj_status(c.fd, sync[j]),
			      stored ? 1 : j == 3 ? -EIO : -EFAULT);
		syncobj_destroy(c.fd, sync[j]);
	}
	ctx_fini(&c);
}

/* vsvm_insn_word0() as a constant expression, for static tables. */
#define W0(op, d, a, b, c, mod, sub, flags) \
	((uint64_t)VSVM_OP_##op << VSVM_W0_OP_SHIFT | \
	 (uint64_t)(d) << VSVM_W0_DST_SHIFT | \
	 (uint64_t)(a) << VSVM_W0_SRC0_SHIFT | \
	 (uint64_t)(b) << VSVM_W0_SRC1_SHIFT | \
	 (uint64_t)(c) << VSVM_W0_SRC2_SHIFT | \
	 (uint64_t)(mod) << VSVM_W0_MOD_SHIFT | \
	 (uint64_t)(sub) << VSVM_W0_SUB_SHIFT | \
	 (uint64_t)(flags) << VSVM_W0_FLAGS_SHIFT)

/* Raw encodings the assembler refuses; each breaks one validation rule. */
static const struct bad_code {
	const char *name;
	uint64_t insn[4][2];
	unsigned int n;
	/* Byte offset the rejection names, or -1 when the rule has none. */
	int offset;
	uint32_t args_size;
} bad_codes[] = {
	{ .name = "unknown-opcode", .insn = {
		{ W0(MOVI, 1, 0, 0, 0, 0, 0, 0), 1 },
		{ W0(NOP, 0, 0, 0, 0, 0, 0, 0), 0 },
		{ 0xff, 0 },
		{ W0(END, 0, 0, 0, 0, 0, 0, 0), 0 } }, .n = 4, .offset = 0x20 },
	{ .name = "unused-field", .insn = {
		{ W0(NOP, 0, 0, 0, 0, 0, 0, 0), 0 },
		{ W0(ADD, 1, 2, 3, 4, VSVM_MOD_32, 0, 0), 0 } }, .n = 2, .offset = 0x10 },
	{ .name = "immediate-store-value", .insn = {
		{ W0(ST, 0, 1, 0, 0, 2, 0, VSVM_F_SRC1_IMM), 0 } }, .n = 1, .offset = 0 },
	{ .name = "bad-width", .insn = {
		{ W0(ADD, 1, 2, 3, 0, 2, 0, 0), 0 } }, .n = 1, .offset = 0 },
	{ .name = "bad-sysval", .insn = {
		{ W0(SV, 1, 0, 0, 0, 0, VSVM_SV_COUNT, 0), 0 } }, .n = 1, .offset = 0 },
	{ .name = "endif-without-if", .insn = {
		{ W0(NOP, 0, 0, 0, 0, 0, 0, 0), 0 },
		{ W0(ENDIF, 0, 0, 0, 0, 0, 0, 0), 0 },
		{ W0(END, 0, 0, 0, 0, 0, 0, 0), 0 } }, .n = 3, .offset = 0x10 },
	{ .name = "break-outside-loop", .insn = {
		{ W0(IF, 0, 1, 0, 0, 0, 0, 0), 0 },
		{ W0(BREAK, 0, 0, 0, 0, 0, 0, 0), 0 },
		{ W0(ENDIF, 0, 0, 0, 0, 0, 0, 0), 0 } }, .n = 3, .offset = 0x10 },
	{ .name = "loop-left-open", .insn = {
		{ W0(LOOP, 0, 0, 0, 0, 0, 0, 0), 0 },
		{ W0(NOP, 0, 0, 0, 0, 0, 0, 0), 0 } }, .n = 2, .offset = -1 },
	{ .name = "ldarg-past-args", .insn = {
		{ W0(LDARG, 1, 0, 0, 0, 3, 0, 0), 8 } }, .n = 1, .offset = 0,
	  .args_size = 8 },
};

static void test_bad_code(const struct bad_code *bc)
{
	struct drm_vsvm_exec e;
	struct counters cnt;
	const struct kernel *k;
	struct buf *args;
	char needle[64];
	struct ctx c;

	ctx_init(&c);
	k = kernel_raw(&c, bc->insn, bc->n * VSVM_INSN_SIZE);
	args = buf_new(&c, SIZE_4K);
	vsvm_exec_init(&e, c.queue, k->gpu, k->size);
	e.args_addr = args->gpu;
	e.args_size = bc->args_size;

	counters_read(&cnt);
	igt_assert_eq(__vsvm_exec(c.fd, &e), -EINVAL);
	igt_assert_eq_u64(e.seqno, 0);
	if (bc->offset >= 0)
		snprintf(needle, sizeof(needle), "invalid code at offset 0x%x:",
			 bc->offset);
	else
		snprintf(needle, sizeof(needle), "invalid code at offset");
	igt_assert_f(debugfs_has("log", needle), "debugfs log lacks \"%s\"\n",
		     needle);
	counter_grew(&cnt, CNT_REJECTED, 1);
	counter_grew(&cnt, CNT_SUBMITTED, 0);

	/* The queue is intact and the rejected EXEC used no seqno. */
	check_queue_works(&c, c.queue);
	igt_assert_eq(__vsvm_wait(c.fd, c.queue, 1, 0, NULL), 0);
	igt_assert_eq(__vsvm_wait(c.fd, c.queue, 2, 0, NULL), -ENOENT);
	ctx_fini(&c);
}

/*
 * Faulting accesses. Lane 0 stores 0x1111 to good[0], proving the job
 * ran up to the fault, makes one access at bad + 0x10, and would then store
 * to good[1]. Arguments: 0: good, 8: bad.
 */
#define FAULT_PROLOGUE \
	"	ldarg.u64 r1, 0\n" \
	"	movi r2, 0x1111\n" \
	"	st.global.u32 [r1], r2\n" \
	"	ldarg.u64 r3, 8\n"
#define FAULT_EPILOGUE \
	"	st.global.u32 [r1 + 4], r2\n" \
	"	end\n"

static const char fault_load_src[] =
	FAULT_PROLOGUE "	ld.global.u32 r2, [r3 + 0x10]\n" FAULT_EPILOGUE;
static const char fault_store_src[] =
	FAULT_PROLOGUE "	st.global.u32 [r3 + 0x10], r2\n" FAULT_EPILOGUE;
static const char fault_atomic_src[] =
	FAULT_PROLOGUE "	atom.global.add.u32 r4, [r3 + 0x10], r2\n"
	FAULT_EPILOGUE;

/*
 * 128 lanes load good[i + 4]; lane 100 loads bad + 0x10 instead.
 * Arguments: 0: good, 8: bad.
 */
static const char fault_one_lane_src[] =
	"	sv r0, global_id.x\n"
	"	ldarg.u64 r1, 0\n"
	"	ldarg.u64 r3, 8\n"
	"	shl.64 r2, r0, 2\n"
	"	add.64 r4, r1, r2\n"
	"	icmp.eq.32 r5, r0, 100\n"
	"	sel.64 r4, r5, r3, r4\n"
	"	ld.global.u32 r6, [r4 + 0x10]\n"
	"	end\n";

/* An 8-byte store at arg 0, which is 4 bytes before an unmapped page. */
static const char fault_straddle_src[] =
	"	ldarg.u64 r1, 0\n"
	"	movi r2, 0x1122334455667788\n"
	"	st.global.u64 [r1], r2\n"
	"	end\n";

/* Out of bounds of a 64-byte shared memory and a 16-byte scratch. */
static const char fault_shared_src[] =
	"	movi r1, 64\n"
	"	movi r2, 5\n"
	"	st.shared.u32 [r1 - 4], r2\n"
	"	st.shared.u32 [r1], r2\n"
	"	end\n";
static const char fault_scratch_src[] =
	"	movi r1, 12\n"
	"	ld.scratch.u32 r2, [r1]\n"
	"	ld.scratch.u32 r2, [r1 + 4]\n"
	"	end\n";

enum fault_kind {
	FAULT_LOAD, FAULT_STORE, FAULT_ATOMIC, FAULT_ONE_LANE, FAULT_LDARG,
	FAULT_STRADDLE, FAULT_SHARED, FAULT_SCRATCH,
};

static void test_fault(enum fault_kind kind)
{
	static const char *const srcs[] = {
		[FAULT_LOAD] = fault_load_src,
		[FAULT_STORE] = fault_store_src,
		[FAULT_ATOMIC] = fault_atomic_src,
		[FAULT_ONE_LANE] = fault_one_lane_src,
		[FAULT_LDARG] = "	ldarg.u64 r1, 8\n	end\n",
		[FAULT_STRADDLE] = fault_straddle_src,
		[FAULT_SHARED] = fault_shared_src,
		[FAULT_SCRATCH] = fault_scratch_src,
	};
	const uint64_t bad = UNMAPPED_VA + 0x3000;
	struct failure f = { .status = DRM_VSVM_STATUS_UNMAPPED };
	struct drm_vsvm_exec e;
	const struct kernel *k;
	struct counters cnt;
	struct buf *good;
	uint64_t args[2];
	uint32_t sync;
	struct ctx c;

	ctx_init(&c);
	k = kernel_new(&c, srcs[kind]);
	good = buf_new(&c, SIZE_4K);
	fill_u32(good, SENTINEL);
	sync = syncobj_create(c.fd, 0);
	args[0] = good->gpu;
	args[1] = bad;
	launch_exec(&c, c.queue, &(struct launch){
		.k = k, .args = args, .args_size = sizeof(args),
		.out_sync = sync,
	}, &e);

	f.addr = bad + 0x10;
	switch (kind) {
	case FAULT_LOAD:
		f.access = DRM_VSVM_ACCESS_READ;
		f.pc = insn_offset(k, VSVM_OP_LD, 0);
		break;
	case FAULT_STORE:
		f.access = DRM_VSVM_ACCESS_WRITE;
		f.pc = insn_offset(k, VSVM_OP_ST, 1);
		break;
	case FAULT_ATOMIC:
		f.access = DRM_VSVM_ACCESS_ATOMIC | DRM_VSVM_ACCESS_WRITE;
		f.pc = insn_offset(k, VSVM_OP_ATOM, 0);
		break;
	case FAULT_ONE_LANE:
		f.access = DRM_VSVM_ACCESS_READ;
		f.pc = insn_offset(k, VSVM_OP_LD, 0);
		e.grid[0] = 2;
		e.wg_size[0] = 64;
		break;
	case FAULT_LDARG:
		f.access = DRM_VSVM_ACCESS_READ;
		f.addr = UNMAPPED_VA + 8;
		f.pc = 0;
		e.args_addr = UNMAPPED_VA;
		break;
	case FAULT_STRADDLE:
		/* Where in the 8 bytes the fault is reported is not fixed. */
		f.any_fault = true;
		args[0] = good->gpu + good->size - 4;
		launch_exec(&c, c.queue, &(struct launch){
			.k = k, .args = args, .args_size = sizeof(args),
			.out_sync = sync,
		}, &e);
		break;
	case FAULT_SHARED:
		f.access = DRM_VSVM_ACCESS_WRITE | DRM_VSVM_ACCESS_SHARED;
		f.addr = 64;
		f.pc = insn_offset(k, VSVM_OP_ST, 1);
		e.shared_size = 64;
		break;
	case FAULT_SCRATCH:
		f.access = DRM_VSVM_ACCESS_READ | DRM_VSVM_ACCESS_SCRATCH;
		f.addr = 16;
		f.pc = insn_offset(k, VSVM_OP_LD, 1);
		e.scratch_size = 16;
		break;
	}

	counters_read(&cnt);
	check_failed(&c, c.queue, vsvm_exec(c.fd, &e), sync, &f);
	counter_grew(&cnt, CNT_FAILED, 1);

	switch (kind) {
	case FAULT_LOAD:
	case FAULT_STORE:
	case FAULT_ATOMIC:
		/* It ran up to the fault, and stopped there. */
		igt_assert_eq_u32(buf_u32(good)[0], 0x1111);
		check_sentinel(good, 1, good->size / 4, "after the fault");
		break;
	case FAULT_STRADDLE: {
		struct drm_vsvm_wait w;

		igt_assert_eq(__vsvm_wait(c.fd, c.queue, e.seqno, 0, &w), 0);
		igt_assert_eq_u32(w.fault_access, DRM_VSVM_ACCESS_WRITE);
		igt_assert_lte_u64(args[0], w.fault_addr);
		igt_assert_lt_u64(w.fault_addr, args[0] + 8);
		igt_assert_eq_u32(w.fault_pc, insn_offset(k, VSVM_OP_ST, 0));
		/* No half store: the mapped 4 bytes are untouched. */
		check_sentinel(good, 0, good->size / 4, "straddling store");
		break;
	}
	default:
		break;
	}
	syncobj_destroy(c.fd, sync);
	check_queue_works(&c, c.queue);
	ctx_fini(&c);
}

/*
 * A read-only binding: lane 0 loads ro[2] and stores it to out[0] (reads
 * are allowed), then writes ro[2] and would store out[1].
 * Arguments: 0: ro, 8: out.
 */
#define RO_PROLOGUE \
	"	ldarg.u64 r1, 0\n" \
	"	ldarg.u64 r2, 8\n" \
	"	ld.global.u32 r3, [r1 + 8]\n" \
	"	st.global.u32 [r2], r3\n"
#define RO_EPILOGUE \
	"	st.global.u32 [r2 + 4], r3\n" \
	"	end\n"

static const char ro_store_src[] =
	RO_PROLOGUE "	st.global.u32 [r1 + 8], r3\n" RO_EPILOGUE;
static const char ro_atomic_src[] =
	RO_PROLOGUE "	atom.global.add.u32 r4, [r1 + 8], r3\n" RO_EPILOGUE;

static void test_read_only(bool atomic)
{
	struct failure f = { .status = DRM_VSVM_STATUS_READ_ONLY };
	const struct kernel *k;
	struct buf *ro, *out;
	uint64_t args[2];
	uint32_t sync;
	struct ctx c;

	ctx_init(&c);
	k = kernel_new(&c, atomic ? ro_atomic_src : ro_store_src);
	ro = buf_new_flags(&c, SIZE_4K, DRM_VSVM_BIND_READONLY);
	out = buf_new(&c, SIZE_4K);
	for (uint32_t i = 0; i < ro->size / 4; i++)
		buf_u32(ro)[i] = 0x5000 + i;
	fill_u32(out, SENTINEL);
	sync = syncobj_create(c.fd, 0);
	args[0] = ro->gpu;
	args[1] = out->gpu;

	f.addr = ro->gpu + 8;
	if (atomic) {
		f.access = DRM_VSVM_ACCESS_ATOMIC | DRM_VSVM_ACCESS_WRITE;
		f.pc = insn_offset(k, VSVM_OP_ATOM, 0);
	} else {
		f.access = DRM_VSVM_ACCESS_WRITE;
		f.pc = insn_offset(k, VSVM_OP_ST, 1);
	}
	check_failed(&c, c.queue, submit(&c, &(struct launch){
		.k = k, .args = args, .args_size = sizeof(args),
		.out_sync = sync,
	}), sync, &f);

	igt_assert_eq_u32(buf_u32(out)[0], 0x5002);
	check_sentinel(out, 1, out->size / 4, "after the fault");
	check_words(ro, ro->size / 4, 0x5000, "read-only BO");
	syncobj_destroy(c.fd, sync);
	check_queue_works(&c, c.queue);
	ctx_fini(&c);
}

/*
 * Every lane stores out[i] = i, then lane 77 traps; a second TRAP sits in
 * a block no lane enters. Arguments: 0: out.
 */
static const char trap_lane_src[] =
	"	sv r0, global_id.x\n"
	"	shl.64 r1, r0, 2\n"
	"	ldarg.u64 r2, 0\n"
	"	add.64 r2, r2, r1\n"
	"	st.global.u32 [r2], r0\n"
	"	icmp.eq.32 r3, r0, 77\n"
	"	if r3\n"
	"		trap 0xc0ffee\n"
	"	endif\n"
	"	icmp.eq.32 r3, r0, 100000\n"
	"	if r3\n"
	"		trap 1\n"
	"	endif\n"
	"	end\n";

static void test_trap(void)
{
	const struct failure f = {
		.status = DRM_VSVM_STATUS_TRAP,
		.pc = 7 * VSVM_INSN_SIZE,
		.info = 0xc0ffee,
	};
	const struct kernel *k;
	struct counters cnt;
	uint64_t args[1];
	struct buf *out;
	uint32_t sync;
	struct ctx c;

	ctx_init(&c);
	k = kernel_new(&c, trap_lane_src);
	igt_assert_eq_u32(insn_offset(k, VSVM_OP_TRAP, 0), f.pc);
	out = buf_new(&c, SIZE_4K);
	fill_u32(out, SENTINEL);
	sync = syncobj_create(c.fd, 0);
	args[0] = out->gpu;

	/* 64 lanes: lane 77 does not exist, neither TRAP runs. */
	run(&c, &(struct launch){
		.k = k, .args = args, .args_size = sizeof(args),
		.wg = { 64 },
	});
	check_words(out, 64, 0, "lanes of a job that does not trap");
	check_sentinel(out, 64, out->size / 4, "lanes past the grid");

	counters_read(&cnt);
	check_failed(&c, c.queue, submit(&c, &(struct launch){
		.k = k, .args = args, .args_size = sizeof(args),
		.grid = { 2 }, .wg = { 64 }, .out_sync = sync,
	}), sync, &f);
	counter_grew(&cnt, CNT_FAILED, 1);
	/* Lane 77's wave stored before it trapped. */
	igt_assert_eq_u32(buf_u32(out)[77], 77);

	syncobj_destroy(c.fd, sync);
	check_queue_works(&c, c.queue);
	ctx_fini(&c);
}

/* The job timeout, changed for the test and restored at its end. */
static void set_job_timeout(unsigned int ms)
{
	vsvm_param_set_u64("job_timeout_ms", ms);
	igt_assert_eq_u64(vsvm_get_param(fd, DRM_VSVM_PARAM_JOB_TIMEOUT_MS), ms);
}

static const char infinite_src[] =
	"	sv r0, global_id.x\n"
	"	loop\n"
	"		add.32 r0, r0, 1\n"
	"	endloop\n"
	"	end\n";

static void test_timeout(void)
{
	const unsigned int timeout_ms = 1000;
	const struct failure f = {
		.status = DRM_VSVM_STATUS_TIMEOUT,
		.any_fault = true,
	};
	struct counters cnt;
	struct ctx c, other;
	int64_t start;
	uint64_t seqno;
	uint32_t sync;

	ctx_init(&c);
	ctx_init(&other);
	sync = syncobj_create(c.fd, 0);
	set_job_timeout(timeout_ms);

	counters_read(&cnt);
	start = now_ns();
	seqno = submit(&c, &(struct launch){
		.k = kernel_new(&c, infinite_src), .wg = { 64 },
		.out_sync = sync,
	});
	/*
	 * Another client is served meanwhile, on another compute unit: its
	 * job ends before the looping one can.
	 */
	if (num_cus > 1) {
		check_queue_works(&other, other.queue);
		igt_assert_lt_s64(now_ns() - start, timeout_ms * NSEC_PER_MSEC);
	}
	check_failed(&c, c.queue, seqno, sync, &f);
	igt_info("timed out after %lld ms\n",
		 ns_ms(now_ns() - start));
	/*
	 * Not early, and by the lowered timeout: the default, ten times
	 * longer, would not fit in the margin. The lower bound is loose as
	 * the deadline is in jiffies, which under TCG can run ahead of
	 * CLOCK_MONOTONIC.
	 */
	igt_assert_lte_s64(timeout_ms * NSEC_PER_MSEC / 2, now_ns() - start);
	igt_assert_lt_s64(now_ns() - start, 5 * timeout_ms * NSEC_PER_MSEC);
	vsvm_param_restore("job_timeout_ms");
	counter_grew(&cnt, CNT_TIMEOUT, 1);
	counter_grew(&cnt, CNT_FAILED, 1);

	/* The engine carries on, for this queue and for another client. */
	check_queue_works(&c, c.queue);
	check_queue_works(&other, other.queue);
	syncobj_destroy(c.fd, sync);
	ctx_fini(&other);
	ctx_fini(&c);
}

/* Clients */

/*
 * out[i] = h^k(seed ^ i) for i < n, h(x) = x * 0x9e3779b1 + 0x7f4a7c15
 * then x ^= x >> 13, in 32 bits. Arguments: 0: out, 8: seed, 16: k, 24: n.
 */
static const char hash_src[] =
	"	sv r0, global_id.x\n"
	"	ldarg.u32 r1, 24\n"
	"	icmp.ltu.32 r2, r0, r1\n"
	"	if r2\n"
	"		ldarg.u32 r3, 8\n"
	"		xor.32 r3, r3, r0\n"
	"		ldarg.u32 r4, 16\n"
	"		loop\n"
	"			icmp.eq.32 r5, r4, 0\n"
	"			if r5\n"
	"				break\n"
	"			endif\n"
	"			mul.32 r3, r3, 0x9e3779b1\n"
	"			add.32 r3, r3, 0x7f4a7c15\n"
	"			shru.32 r6, r3, 13\n"
	"			xor.32 r3, r3, r6\n"
	"			sub.32 r4, r4, 1\n"
	"		endloop\n"
	"		shl.64 r7, r0, 2\n"
	"		ldarg.u64 r8, 0\n"
	"		add.64 r8, r8, r7\n"
	"		st.global.u32 [r8], r3\n"
	"	endif\n"
	"	end\n";

static uint32_t hash_ref(uint32_t seed, uint32_t i, uint32_t k)
{
	uint32_t x = seed ^ i;

	while (k--) {
		x = x * 0x9e3779b1u + 0x7f4a7c15u;
		x ^= x >> 13;
	}
	return x;
}

static void test_concurrent_clients(void)
{
	enum { CLIENTS = 4, ROUNDS = 3 };
	const uint32_t n = 4096, k = 300;
	struct objects before, now;
	struct counters cnt;
	int64_t start;

	reap_leftovers();
	objects_baseline(&before);
	counters_read(&cnt);
	igt_fork(child, CLIENTS) {
		const struct kernel *hk;
		uint64_t seq[ROUNDS], args[ROUNDS][4];
		struct buf *out[ROUNDS];
		struct ctx c;

		ctx_init(&c);
		hk = kernel_new(&c, hash_src);
		/* Every round queued before any is waited for. */
		for (int r = 0; r < ROUNDS; r++) {
			out[r] = buf_new(&c, n * 4);
			fill_u32(out[r], SENTINEL);
			args[r][0] = out[r]->gpu;
			args[r][1] = 0x1000 * child + r;
			args[r][2] = k;
			args[r][3] = n;
			seq[r] = submit(&c, &(struct launch){
				.k = hk, .args = args[r],
				.args_size = sizeof(args[r]),
				.grid = { n / 256 }, .wg = { 256 },
			});
		}
		for (int r = 0; r < ROUNDS; r++) {
			vsvm_wait_ok(c.fd, c.queue, seq[r]);
			for (uint32_t i = 0; i < n; i++) {
				uint32_t want = hash_ref(args[r][1], i, k);

				igt_assert_f(buf_u32(out[r])[i] == want,
					     "client %d round %d word %u: %#x, expected %#x\n",
					     child, r, i, buf_u32(out[r])[i],
					     want);
			}
		}
		ctx_fini(&c);
	}
	igt_waitchildren();

	counter_grew(&cnt, CNT_SUBMITTED, CLIENTS * ROUNDS);
	counter_grew(&cnt, CNT_FAILED, 0);
	/* Their files are closed: everything of theirs goes, soon. */
	start = now_ns();
	do {
		objects_read(&now);
	} while (!objects_equal(&before, &now) &&
		 now_ns() - start < SETTLE_NS && !usleep(10000));
	igt_assert_f(objects_equal(&before, &now),
		     "objects: jobs %d queues %d VMs %d, before %d %d %d\n",
		     now.v[OBJ_JOB], now.v[OBJ_QUEUE], now.v[OBJ_VM],
		     before.v[OBJ_JOB], before.v[OBJ_QUEUE], before.v[OBJ_VM]);
}

/*
 * A client leaves with jobs in flight: two queues, each with a gated job
 * running (or ready to) and two queued behind it, none ever released. It
 * exits, is killed, or closes its file and lives on. Everything of the
 * client goes within CLEANUP_NS, under the job timeout, so the jobs were
 * canceled rather than timed out, and the device keeps working.
 */
enum leave_mode { LEAVE_EXIT, LEAVE_SIGKILL, LEAVE_CLOSE };

/*
 * Polls until the client's objects, jobs and debugfs entry are gone, at
 * most CLEANUP_NS after @start.
 */
static void wait_client_gone(const struct objects *before, const char *needle,
			     int64_t start)
{
	struct objects now;
	bool gone;

	do {
		objects_read(&now);
		gone = objects_equal(before, &now) && engine_idle() &&
		       !debugfs_has(DEBUGFS_CLIENTS, needle);
	} while (!gone && now_ns() - start < CLEANUP_NS && !usleep(10000));
	igt_info("cleaned up within %lld ms of the client leaving\n",
		 ns_ms(now_ns() - start));
	/* Even when the leaving itself took the time. */
	igt_assert_lt_s64(now_ns() - start, CLEANUP_NS);
	igt_assert_f(objects_equal(before, &now),
		     "objects: jobs %d queues %d VMs %d mappings %d BOs %d, "
		     "before %d %d %d %d %d\n",
		     now.v[OBJ_JOB], now.v[OBJ_QUEUE], now.v[OBJ_VM],
		     now.v[OBJ_VMA], now.v[OBJ_BO], before->v[OBJ_JOB],
		     before->v[OBJ_QUEUE], before->v[OBJ_VM], before->v[OBJ_VMA],
		     before->v[OBJ_BO]);
	igt_assert(engine_idle());
	igt_assert(!debugfs_has(DEBUGFS_CLIENTS, needle));
}

static void test_exit_in_flight(enum leave_mode mode)
{
	const uint32_t lanes = 64;
	int to_parent[2], to_child[2];
	struct objects before;
	struct counters cnt;
	char needle[32], ack;
	int64_t start;
	pid_t pid;

	igt_require(vsvm_get_param(fd, DRM_VSVM_PARAM_JOB_TIMEOUT_MS) >=
		    (uint64_t)(2 * CLEANUP_NS / NSEC_PER_MSEC));
	igt_assert_eq(pipe(to_parent), 0);
	igt_assert_eq(pipe(to_child), 0);
	reap_leftovers();
	objects_baseline(&before);
	counters_read(&cnt);

	igt_fork(child, 1) {
		const struct kernel *gk;
		uint32_t queues[2];
		struct gate g[2];
		pid_t me = getpid();
		struct ctx c;
		char cmd;

		close(to_parent[0]);
		close(to_child[1]);
		ctx_init(&c);
		gk = kernel_new(&c, gate_src);
		queues[0] = c.queue;
		queues[1] = vsvm_queue_create(c.fd, c.vm);
		for (int q = 0; q < 2; q++) {
			gate_init(&c, &g[q], lanes, 0);
			for (int j = 0; j < 3; j++)
				submit_on(&c, queues[q], &(struct launch){
					.k = gk, .args = g[q].args,
					.args_size = sizeof(g[q].args),
					.wg = { lanes },
				});
		}
		gate_wait_started(&g[0]);
		if (num_cus > 1)
			gate_wait_started(&g[1]);
		igt_assert_eq(write(to_parent[1], &me, sizeof(me)), sizeof(me));

		/*
		 * 'c': close the file, as a live process; its BO mappings
		 * hold the file open, so they go first. EOF: exit.
		 */
		while (read(to_child[0], &cmd, 1) == 1) {
			unmap_all(c.fd);
			close(c.fd);
			igt_assert_eq(write(to_parent[1], &cmd, 1), 1);
		}
	}
	close(to_parent[1]);
	close(to_child[0]);
	/* The child's jobs are on the engine. */
	igt_assert_eq(read(to_parent[0], &pid, sizeof(pid)), sizeof(pid));
	snprintf(needle, sizeof(needle), "client %d ", pid);
	igt_assert(debugfs_has(DEBUGFS_CLIENTS, needle));
	igt_assert(!engine_idle());

	start = now_ns();
	switch (mode) {
	case LEAVE_EXIT:
		close(to_child[1]);
		igt_waitchildren();
		break;
	case LEAVE_SIGKILL:
		igt_kill_children(SIGKILL);
		igt_assert_eq(__igt_waitchildren(), 128 + SIGKILL);
		close(to_child[1]);
		break;
	case LEAVE_CLOSE:
		igt_assert_eq(write(to_child[1], "c", 1), 1);
		igt_assert_eq(read(to_parent[0], &ack, 1), 1);
		/* The process lives on, but nothing of its file does. */
		wait_client_gone(&before, needle, start);
		close(to_child[1]);
		igt_waitchildren();
		break;
	}
	close(to_parent[0]);
	wait_client_gone(&before, needle, start);

	counter_grew(&cnt, CNT_SUBMITTED, 6);
	counter_grew(&cnt, CNT_TIMEOUT, 0);
	/* The running gated jobs were stopped, as failed (canceled) jobs. */
	igt_assert_lte_s64(num_cus > 1 ? 2 : 1,
			   counter("jobs_failed") - cnt.v[CNT_FAILED]);

	check_new_client_works();
}

/*
 * QUEUE_DESTROY with a job running (gated, never released) and three
 * queued behind it: all four end CANCELED, their out-syncobjs signal with
 * -ECANCELED, none of them wrote anything, and the VM takes a new queue.
 */
/*
 * Jobs that never reach the end of a batch: one lane that only ever meets
 * barriers, and a grid of 2^64 - 2^33 + 1 workgroups that end at once.
 * The watchdog and cancellation must reach them all the same.
 */
static const char barrier_loop_src[] =
	"	loop\n"
	"		bar\n"
	"	endloop\n"
	"	end\n";

static const char empty_src[] =
	"	end\n";

enum stop_what { STOP_BARRIER_LOOP, STOP_EMPTY_GRID };
enum stop_how { STOP_TIMEOUT, STOP_CANCEL };

/* Bound on a job stopping once its deadline passed or its queue went. */
#define STOP_NS		vsvm_scaled_limit(30 * NSEC_PER_SEC)

static struct launch stop_launch(struct ctx *c, enum stop_what what)
{
	if (what == STOP_BARRIER_LOOP)
		return (struct launch){
			.k = kernel_new(c, barrier_loop_src), .wg = { 1 },
		};
	return (struct launch){
		.k = kernel_new(c, empty_src),
		.grid = { UINT32_MAX, UINT32_MAX, 1 }, .wg = { 1 },
	};
}

/* Polls until debugfs "objects" counts what @before did, within SETTLE_NS. */
static void objects_settle(const struct objects *before)
{
	int64_t end = now_ns() + SETTLE_NS;
	struct objects now;

	do {
		objects_read(&now);
	} while (!objects_equal(before, &now) && now_ns() < end && !usleep(10000));
	igt_assert_f(objects_equal(before, &now), "objects left behind\n");
}

/*
 * Waits until debugfs "engine" shows @n jobs on the engine: running a
 * workgroup on a compute unit, or with workgroups left to hand out.
 */
static void wait_on_engine(int n)
{
	int64_t end = now_ns() + SETTLE_NS;
	char *text;
	int seen;

	do {
		const char *p;

		text = vsvm_debugfs_read(fd, "engine");
		seen = 0;
		for (p = text; (p = strstr(p, " running ")); p++)
			seen++;
		for (p = text; (p = strstr(p, "active:")); p++)
			seen++;
		free(text);
	} while (seen < n && now_ns() < end && !usleep(10000));
	igt_assert_f(seen >= n, "%d jobs on the engine, expected %d\n",
		     seen, n);
}

/*
 * @copies jobs of kind @what, one per queue so they run at once on every
 * compute unit, end TIMEOUT or CANCELED (@how) within STOP_NS; another
 * client's job completes meanwhile, and nothing is left behind.
 */
static void test_stop(enum stop_what what, enum stop_how how, unsigned int copies)
{
	const struct failure f = {
		.status = how == STOP_TIMEOUT ? DRM_VSVM_STATUS_TIMEOUT :
						DRM_VSVM_STATUS_CANCELED,
		.any_fault = true,
	};
	uint32_t queue[8], sync[8];
	uint64_t seqno[8];
	struct objects before;
	struct ctx c, other;
	unsigned int i;
	int64_t start;

	igt_assert(copies <= ARRAY_SIZE(queue));
	objects_baseline(&before);
	/* Cancel alone can stop a job within STOP_NS when timing out cannot. */
	set_job_timeout(how == STOP_TIMEOUT ? 1000 : 600000);
	ctx_init(&c);
	ctx_init(&other);
	for (i = 0; i < copies; i++) {
		struct launch l = stop_launch(&c, what);

		queue[i] = i ? vsvm_queue_create(c.fd, c.vm) : c.queue;
		sync[i] = syncobj_create(c.fd, 0);
		l.out_sync = sync[i];
		seqno[i] = submit_on(&c, queue[i], &l);
	}
	wait_on_engine(copies < num_cus ? copies : num_cus);
	start = now_ns();

	if (how == STOP_CANCEL) {
		for (i = 0; i < copies; i++)
			vsvm_queue_destroy(c.fd, queue[i]);
		c.queue = 0;
	}
	for (i = 0; i < copies; i++) {
		igt_assert_f(syncobj_signaled(c.fd, sync[i], STOP_NS),
			     "job %u did not stop within %llds\n", i,
			     ns_s(STOP_NS));
		if (how == STOP_TIMEOUT)
			check_failed(&c, queue[i], seqno[i], sync[i], &f);
		else
			igt_assert_eq(vsvm_syncobj_status(c.fd, sync[i]), -ECANCELED);
	}
	igt_info("%u jobs stopped after %lld ms\n", copies,
		 ns_ms(now_ns() - start));
	/* Whatever held the compute units, another client is served. */
	check_queue_works(&other, other.queue);
	vsvm_param_restore("job_timeout_ms");
	for (i = 1; how == STOP_TIMEOUT && i < copies; i++)
		vsvm_queue_destroy(c.fd, queue[i]);
	ctx_fini(&other);
	ctx_fini(&c);
	objects_settle(&before);
}

struct exec_call {
	int fd;
	struct drm_vsvm_exec e;
	int ret;
};

static void *exec_call(void *arg)
{
	struct exec_call *x = arg;

	x->ret = __vsvm_exec(x->fd, &x->e);
	return NULL;
}

/*
 * Found by tools/vsvm-fuzz: the EXEC is held inside the ioctl by its
 * in-sync handles, which it reads from a page under userfaultfd after it
 * has looked the queue up, and the queue is destroyed while it waits.
 */
static void test_queue_destroy_during_exec(void)
{
	uint32_t lanes = 64, queue, sync, *handles, *page;
	struct objects before;
	struct exec_call x = {};
	struct uffd_msg msg;
	struct pollfd pfd;
	struct buf *src, *dst;
	const struct kernel *k;
	struct launch l;
	uint64_t args[3];
	pthread_t thread;
	struct ctx c;
	int u;

	ctx_init(&c);
	k = kernel_new(&c, copy_src);
	src = buf_new(&c, lanes * 4);
	dst = buf_new(&c, lanes * 4);
	fill_u32(dst, SENTINEL);
	sync = syncobj_create(c.fd, DRM_SYNCOBJ_CREATE_SIGNALED);
	objects_baseline(&before);
	queue = vsvm_queue_create(c.fd, c.vm);

	u = vsvm_uffd_open();
	handles = mmap(NULL, SIZE_4K, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(handles != MAP_FAILED);
	vsvm_uffd_register(u, handles, SIZE_4K, UFFDIO_REGISTER_MODE_MISSING);
	l = copy_launch(k, args, src, dst, lanes);
	l.in_syncs = handles;
	l.num_in_syncs = 1;
	x.fd = c.fd;
	launch_exec(&c, queue, &l, &x.e);
	igt_assert_eq(pthread_create(&thread, NULL, exec_call, &x), 0);

	/* The EXEC's read of its in-syncs faulted: it is past the lookup. */
	pfd = (struct pollfd){ .fd = u, .events = POLLIN };
	igt_assert_eq(poll(&pfd, 1, SETTLE_NS / NSEC_PER_MSEC), 1);
	igt_assert_eq(read(u, &msg, sizeof(msg)), (ssize_t)sizeof(msg));
	igt_assert_eq(msg.event, UFFD_EVENT_PAGEFAULT);
	igt_assert_eq_u64(msg.arg.pagefault.address & ~(SIZE_4K - 1),
			  to_user_pointer(handles));
	vsvm_queue_destroy(c.fd, queue);

	page = calloc(1, SIZE_4K);
	page[0] = sync;
	vsvm_uffd_copy(u, handles, page, SIZE_4K);
	igt_assert_eq(pthread_join(thread, NULL), 0);
	igt_assert_eq(x.ret, -ENOENT);

	/* No job, and nothing it would have held, outlives the queue. */
	objects_settle(&before);
	check_sentinel(dst, 0, lanes, "destroyed queue's job");
	free(page);
	munmap(handles, SIZE_4K);
	close(u);
	syncobj_destroy(c.fd, sync);
	ctx_fini(&c);
}

static void test_queue_destroy_in_flight(void)
{
	const uint32_t lanes = 64;
	const struct kernel *gk, *ck;
	struct objects before, now;
	uint64_t args[4][3], seq;
	struct buf *src, *dst;
	uint32_t queue, sync[4];
	struct counters cnt;
	char line[64];
	int64_t start;
	struct gate g;
	struct ctx c;

	ctx_init(&c);
	gk = kernel_new(&c, gate_src);
	ck = kernel_new(&c, copy_src);
	gate_init(&c, &g, lanes, 4000);
	src = buf_new(&c, lanes * 4);
	dst = buf_new(&c, lanes * 4);
	for (uint32_t i = 0; i < lanes; i++)
		buf_u32(src)[i] = 0x9000 + i;
	fill_u32(dst, SENTINEL);
	queue = c.queue;
	objects_baseline(&before);

	for (int j = 0; j < 4; j++) {
		struct launch l = copy_launch(ck, args[j], src, dst, lanes);

		sync[j] = syncobj_create(c.fd, 0);
		if (!j)
			l = (struct launch){
				.k = gk, .args = g.args,
				.args_size = sizeof(g.args), .wg = { lanes },
			};
		l.out_sync = sync[j];
		seq = submit(&c, &l);
		if (!j)
			gate_wait_started(&g);
	}
	igt_assert_eq_u64(seq, 4);
	snprintf(line, sizeof(line), "running queue %u job 1", queue);
	igt_assert(debugfs_has("engine", line));
	/* Jobs 2-4 are queued behind job 1, not merely not started yet. */
	if (num_cus > 1)
		control_job(&c, ck, &g, lanes);
	for (uint64_t j = 2; j <= 4; j++)
		igt_assert_eq(__vsvm_wait(c.fd, queue, j, 0, NULL), -ETIME);
	counters_read(&cnt);

	start = now_ns();
	vsvm_queue_destroy(c.fd, queue);
	c.queue = 0;
	igt_info("QUEUE_DESTROY took %lld ms\n",
		 ns_ms(now_ns() - start));
	igt_assert(syncobj_wait(c.fd, sync, 4, start + CLEANUP_NS,
				DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL));
	igt_assert_lt_s64(now_ns() - start, CLEANUP_NS);
	for (int j = 0; j < 4; j++) {
		igt_assert_eq(vsvm_syncobj_status(c.fd, sync[j]), -ECANCELED);
		syncobj_destroy(c.fd, sync[j]);
	}
	igt_assert_eq(__vsvm_wait(c.fd, queue, 1, 0, NULL), -ENOENT);
	/* The running job stopped in its loop, the others never ran. */
	check_sentinel(g.out, 0, lanes, "canceled gated job");
	check_sentinel(dst, 0, lanes, "canceled queued jobs");
	/* Each ended as a CANCELED job; WAIT cannot tell, the queue is gone. */
	for (int j = 1; j <= 4; j++) {
		snprintf(line, sizeof(line), "queue %u job %d: status %u ",
			 queue, j, DRM_VSVM_STATUS_CANCELED);
		igt_assert_f(log_tail_has(line, 8), "no \"%s\" in debugfs log\n",
			     line);
	}
	counter_grew(&cnt, CNT_TIMEOUT, 0);

	/* Every job of the test is freed, and the queue with them. */
	start = now_ns();
	do {
		objects_read(&now);
	} while ((now.v[OBJ_JOB] != before.v[OBJ_JOB] ||
		  now.v[OBJ_QUEUE] != before.v[OBJ_QUEUE] - 1) &&
		 now_ns() - start < CLEANUP_NS && !usleep(10000));
	igt_assert_eq(now.v[OBJ_JOB], before.v[OBJ_JOB]);
	igt_assert_eq(now.v[OBJ_QUEUE], before.v[OBJ_QUEUE] - 1);
	igt_assert(engine_idle());

	c.queue = vsvm_queue_create(c.fd, c.vm);
	check_queue_works(&c, c.queue);
	ctx_fini(&c);
}

igt_main
{
	igt_fixture {
		fd = drm_open_driver_render(DRIVER_ANY);
		num_cus = vsvm_get_param(fd, DRM_VSVM_PARAM_NUM_CUS);
		igt_require_f(igt_debugfs_exists(fd, "counters", O_RDONLY),
			      "vsvm debugfs is needed to prove the paths ran\n");
	}

	igt_describe("saxpy over 3000 fp32 elements with FFMA and with FMUL+FADD "
		     "matches the CPU's same operations bit for bit; lanes past "
		     "the end write nothing.");
	igt_subtest("saxpy")
		test_saxpy();

	igt_describe("Reductions of 10000 ints: by global atomics (the old "
		     "values form an unbroken chain), by a shared-memory tree "
		     "with barriers, and by shared atomics, one global atomic "
		     "per workgroup; partials and totals match the CPU.");
	igt_subtest_with_dynamic("reduce") {
		igt_dynamic("global-atomic")
			test_reduce_global();
		igt_dynamic("workgroup-tree")
			test_reduce_workgroup(reduce_tree_src, 256, 256 * 4);
		igt_dynamic("workgroup-shared-atomic")
			test_reduce_workgroup(reduce_shared_atomic_src, 256, 4);
	}

	igt_describe("A barrier-synchronised Hillis-Steele prefix sum within each "
		     "workgroup matches the CPU's, for 256 lanes and for a "
		     "partial last wave.");
	igt_subtest_with_dynamic("scan") {
		igt_dynamic("wg-256")
			test_scan(256);
		igt_dynamic("wg-1000")
			test_scan(1000);
	}

	igt_describe("Nested divergent control flow (EXIT, loops with several "
		     "BREAKs and a CONTINUE, IF/ELSE by parity and range) in "
		     "partial waves matches a scalar C version lane by lane.");
	igt_subtest("control-flow")
		test_control_flow();

	igt_describe("Every system value of a 3-D grid of 3-D workgroups with a "
		     "partial wave is right; the engine ran each workgroup once "
		     "and each wave executed each instruction once.");
	igt_subtest("grid-3d")
		test_grid_3d();

	igt_describe("1024 workgroups, far more than compute units, each run "
		     "exactly once with all of its lanes.");
	igt_subtest("many-workgroups")
		test_many_workgroups();

	igt_describe("A job waits for the previous job of its queue and reads "
		     "what it wrote, while an independent job runs at once.");
	igt_subtest("queue-order")
		test_queue_order();

	igt_describe("A job on one queue waits for another queue's job through "
		     "its out-syncobj and reads what it wrote.");
	igt_subtest("syncobj-cross-queue")
		test_syncobj_cross_queue();

	igt_describe("A job with two in-syncobjs runs only when both signalled.");
	igt_subtest("syncobj-many-in-syncs")
		test_syncobj_many_in_syncs();

	igt_describe("WAIT on a running job and on one queued behind it returns "
		     "-ETIME with a zero timeout and after a short one.");
	igt_subtest("wait-timeout")
		test_wait_timeout();

	igt_describe("WAIT on each of six seqnos, in any order and again, reports "
		     "its own job: OK, TRAP or UNMAPPED; jobs after a failed one "
		     "still run.");
	igt_subtest("wait-several-seqnos")
		test_wait_seqnos();

	igt_describe("EXEC rejects each kind of invalid code with -EINVAL, "
		     "debugfs names the offset, and the queue is unaffected.");
	igt_subtest_with_dynamic("bad-code") {
		for (unsigned int i = 0; i < ARRAY_SIZE(bad_codes); i++)
			igt_dynamic(bad_codes[i].name)
				test_bad_code(&bad_codes[i]);
	}

	igt_describe("An access to an unmapped address (global, argument "
		     "buffer, shared or scratch bounds) fails the job UNMAPPED "
		     "with the right address, access and pc, after the work "
		     "before it and before any after it; its fence carries "
		     "-EFAULT and the queue carries on.");
	igt_subtest_with_dynamic("fault-unmapped") {
		static const struct {
			const char *name;
			enum fault_kind kind;
		} kinds[] = {
			{ "load", FAULT_LOAD },
			{ "store", FAULT_STORE },
			{ "atomic", FAULT_ATOMIC },
			{ "one-lane-of-many", FAULT_ONE_LANE },
			{ "ldarg", FAULT_LDARG },
			{ "store-straddling-pages", FAULT_STRADDLE },
			{ "shared-out-of-bounds", FAULT_SHARED },
			{ "scratch-out-of-bounds", FAULT_SCRATCH },
		};

		for (unsigned int i = 0; i < ARRAY_SIZE(kinds); i++)
			igt_dynamic(kinds[i].name)
				test_fault(kinds[i].kind);
	}

	igt_describe("A store or atomic to a read-only binding fails the job "
		     "READ_ONLY after a permitted load; the BO is unchanged.");
	igt_subtest_with_dynamic("fault-read-only") {
		igt_dynamic("store")
			test_read_only(false);
		igt_dynamic("atomic")
			test_read_only(true);
	}

	igt_describe("TRAP fails the job with its code and pc; a TRAP no lane "
		     "reaches does nothing.");
	igt_subtest("trap")
		test_trap();

	igt_describe("A job that never ends fails with TIMEOUT after the "
		     "(lowered) job timeout and not before; the queue and other "
		     "clients carry on.");
	igt_subtest("timeout")
		test_timeout();

	igt_describe("Several processes, each with its own file, VM and queue, "
		     "run kernels at once and each gets its own results.");
	igt_subtest("concurrent-clients")
		test_concurrent_clients();

	igt_describe("A client that exits, is killed or closes its file with "
		     "jobs running and queued leaves nothing behind, promptly "
		     "and without timeouts, and the device works on.");
	igt_subtest_with_dynamic("exit-in-flight") {
		igt_dynamic("exit")
			test_exit_in_flight(LEAVE_EXIT);
		igt_dynamic("sigkill")
			test_exit_in_flight(LEAVE_SIGKILL);
		igt_dynamic("close-file")
			test_exit_in_flight(LEAVE_CLOSE);
	}

	igt_describe("Jobs that never end a batch (a lane looping on a "
		     "barrier, a grid of 2^64 empty workgroups) time out or "
		     "are canceled like any other, one at a time or several on "
		     "every compute unit, and another client is served.");
	igt_subtest_with_dynamic("stop-when-told") {
		static const struct {
			const char *name;
			enum stop_what what;
		} kinds[] = {
			{ "barrier-loop", STOP_BARRIER_LOOP },
			{ "empty-grid", STOP_EMPTY_GRID },
		};

		for (unsigned int k = 0; k < ARRAY_SIZE(kinds); k++) {
			igt_dynamic_f("%s-timeout", kinds[k].name)
				test_stop(kinds[k].what, STOP_TIMEOUT, 1);
			igt_dynamic_f("%s-cancel", kinds[k].name)
				test_stop(kinds[k].what, STOP_CANCEL, 1);
			igt_dynamic_f("%s-every-cu", kinds[k].name)
				test_stop(kinds[k].what, STOP_TIMEOUT,
					  2 * num_cus < 8 ? 2 * num_cus : 8);
		}
	}

	igt_describe("QUEUE_DESTROY with a job running and jobs queued cancels "
		     "them all promptly; none writes anything and their fences "
		     "carry -ECANCELED.");
	igt_subtest("queue-destroy-in-flight")
		test_queue_destroy_in_flight();

	igt_describe("QUEUE_DESTROY while an EXEC on that queue is inside the "
		     "ioctl, past its queue lookup: the EXEC fails with -ENOENT "
		     "and leaves nothing behind (a job pushed to the destroyed "
		     "queue's entity would never run nor end).");
	igt_subtest("queue-destroy-during-exec")
		test_queue_destroy_during_exec();

	igt_fixture {
		vsvm_param_restore("job_timeout_ms");
		drm_close_driver(fd);
	}
}
