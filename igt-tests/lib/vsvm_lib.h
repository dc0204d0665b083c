/* SPDX-License-Identifier: MIT */
/*
 * UAPI helpers shared by the vsvm IGT tests, one per ioctl of
 * drm-driver/include/uapi/drm/vsvm_drm.h, in IGT's style:
 *
 *   __vsvm_foo(fd, ...)  issues the ioctl and returns 0 or -errno, leaving
 *                        errno at 0; outputs go through pointers
 *                        (vsvm_uapi.h, free of any test framework).
 *   vsvm_foo(fd, ...)    asserts that it succeeded and returns the output.
 *
 * A test that checks how the driver rejects a field with no helper argument
 * fills the structure itself and calls __vsvm_ioctl().
 *
 * Builds against real IGT and against igt-tests/lib/igt-shim alike.
 */
#ifndef VSVM_LIB_H
#define VSVM_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "igt.h"
#include "vsvm_drm.h"
#include "vsvm_uapi.h"
#include "vsvm_isa.h"

/*
 * Default bound for waiting on a job. Generous: the interpreter runs under
 * TCG emulation in the test VM, orders of magnitude slower than hardware,
 * and scaled for a busy host (vsvm_scaled_limit()).
 */
#define VSVM_WAIT_TIMEOUT_NS	vsvm_scaled_limit(60ll * 1000 * 1000 * 1000)

/* fp32 values as registers hold them: the bits of an IEEE binary32. */
static inline uint32_t vsvm_f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static inline float vsvm_f32(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

/* DRM_IOCTL_VSVM_GET_PARAM */
uint64_t vsvm_get_param(int fd, uint32_t param);

/* DRM_IOCTL_VSVM_GEM_CREATE, DRM_IOCTL_VSVM_GEM_MMAP_OFFSET, GEM_CLOSE */
uint32_t vsvm_gem_create(int fd, uint64_t size);
uint64_t vsvm_gem_mmap_offset(int fd, uint32_t handle);
void *vsvm_gem_mmap(int fd, uint32_t handle, uint64_t size, int prot);
void vsvm_gem_close(int fd, uint32_t handle);
void vsvm_gem_write(int fd, uint32_t handle, uint64_t offset,
		    const void *data, size_t size);
void vsvm_gem_read(int fd, uint32_t handle, uint64_t offset,
		   void *data, size_t size);

/*
 * DRM_IOCTL_VSVM_VM_CREATE, DRM_IOCTL_VSVM_VM_DESTROY. @flags 0 makes a VM
 * for BOs only, DRM_VSVM_VM_CREATE_SVM one that also takes mirrors and
 * userptrs and belongs to the calling process.
 */
uint32_t vsvm_vm_create(int fd, uint32_t flags);
void vsvm_vm_destroy(int fd, uint32_t vm_id);

/* DRM_IOCTL_VSVM_VM_BIND, one pair per operation */
void vsvm_vm_map(int fd, uint32_t vm_id, uint32_t handle,
		 uint64_t bo_offset, uint64_t addr, uint64_t range,
		 uint32_t flags);
void vsvm_vm_unmap(int fd, uint32_t vm_id, uint64_t addr, uint64_t range);
void vsvm_vm_map_mirror(int fd, uint32_t vm_id, uint64_t addr,
			uint64_t range);
void vsvm_vm_map_userptr(int fd, uint32_t vm_id, const void *ptr,
			 uint64_t addr, uint64_t range, uint32_t flags);

/* DRM_IOCTL_VSVM_QUEUE_CREATE, DRM_IOCTL_VSVM_QUEUE_DESTROY */
uint32_t vsvm_queue_create(int fd, uint32_t vm_id);
void vsvm_queue_destroy(int fd, uint32_t queue_id);

/* DRM_IOCTL_VSVM_EXEC */
uint64_t vsvm_exec(int fd, struct drm_vsvm_exec *exec);

/* DRM_IOCTL_VSVM_WAIT */
uint32_t vsvm_wait(int fd, uint32_t queue_id, uint64_t seqno,
		   int64_t timeout_ns);
void vsvm_wait_ok(int fd, uint32_t queue_id, uint64_t seqno);

/* DRM_IOCTL_VSVM_WAIT_USER_FENCE */
void vsvm_wait_user_fence(int fd, volatile uint64_t *addr, uint64_t value);

/* DRM_IOCTL_VSVM_PREFETCH */
void vsvm_prefetch(int fd, uint32_t vm_id, uint64_t addr, uint64_t range,
		   uint32_t flags);

/* Code: a BO holding @size bytes of @code, bound read-only at @addr. */
uint32_t vsvm_upload_code(int fd, uint32_t vm_id, uint64_t addr,
			  const void *code, size_t size);
#ifdef HAVE_VSVM_ASM
void *vsvm_assemble(const char *src, size_t *size);
#endif

/* debugfs of the device behind @fd */
char *vsvm_debugfs_read(int fd, const char *name);
int64_t vsvm_debugfs_value(int fd, const char *file, const char *name);
int vsvm_debugfs_write_u64(int fd, const char *name, uint64_t value);

/*
 * Runner: a VM and a queue to run shaders on data. Three BOs are bound and
 * mapped in the test too: VSVM_RUNNER_CODE_SIZE bytes of code at
 * VSVM_RUNNER_CODE_ADDR (read-only for the GPU), a DRM_VSVM_PARAM_MAX_ARGS_SIZE
 * argument buffer at VSVM_RUNNER_ARGS_ADDR and the data BO at
 * VSVM_RUNNER_DATA_ADDR. Tests may bind more in @vm_id outside
 * [VSVM_RUNNER_CODE_ADDR, VSVM_RUNNER_DATA_ADDR + data size), mirrors and
 * userptrs included: the VM is created with DRM_VSVM_VM_CREATE_SVM, so only
 * the process that created the runner may use it.
 */
#define VSVM_RUNNER_CODE_ADDR	0x10000000ull
#define VSVM_RUNNER_CODE_SIZE	0x40000ull
#define VSVM_RUNNER_ARGS_ADDR	0x18000000ull
#define VSVM_RUNNER_DATA_ADDR	0x20000000ull

struct vsvm_runner {
	int fd;
	uint32_t vm_id;
	uint32_t queue_id;
	uint32_t code_bo, args_bo, data_bo;
	uint32_t args_size;	/* bytes at @args */
	uint64_t data_size;	/* bytes at @data */
	uint8_t *code, *args, *data;
};

/* One dispatch. Zero grid and wg_size entries mean 1. */
struct vsvm_launch {
	uint32_t grid[3];
	uint32_t wg_size[3];
	uint32_t shared_size;
	uint32_t scratch_size;
	/* Copied to the runner's argument buffer; if NULL, @args_addr is used. */
	const void *args;
	uint32_t args_size;
	uint64_t args_addr;
};

struct vsvm_runner *vsvm_runner_create(int fd, uint64_t data_size);
void vsvm_runner_destroy(struct vsvm_runner *r);
int __vsvm_runner_submit(struct vsvm_runner *r, const void *code, size_t size,
			 const struct vsvm_launch *launch, uint64_t *seqno);
uint64_t vsvm_runner_submit(struct vsvm_runner *r, const void *code, size_t size,
			    const struct vsvm_launch *launch);
int __vsvm_runner_exec(struct vsvm_runner *r, const void *code, size_t size,
		       const struct vsvm_launch *launch,
		       struct drm_vsvm_wait *result);
void vsvm_runner_exec(struct vsvm_runner *r, const void *code, size_t size,
		      const struct vsvm_launch *launch);

/* GPU VA of byte @data_offset of the data BO, which is at r->data + offset. */
static inline uint64_t vsvm_runner_addr(const struct vsvm_runner *r,
					uint64_t data_offset)
{
	(void)r;
	return VSVM_RUNNER_DATA_ADDR + data_offset;
}

/*
 * Per-lane records: vsvm_run_lanes() runs a shader over @n lanes in 1-D
 * workgroups, lane i reading its input record at in_addr + i * in_stride
 * and writing its output record at out_addr + i * out_stride (data BO
 * offsets 0 and the next page up). The arguments start with struct
 * vsvm_lanes_args; @extra_args follow at VSVM_LANES_EXTRA_ARGS.
 * VSVM_LANES_PROLOGUE sets r1 to the lane's input record and r2 to its output
 * record inside an IF taken by lanes below n (r0, r3-r6 are clobbered);
 * VSVM_LANES_EPILOGUE closes it.
 */
struct vsvm_lanes_args {
	uint64_t in_addr;
	uint64_t out_addr;
	uint32_t n;
	uint32_t in_stride;
	uint32_t out_stride;
	uint32_t pad;
};

#define VSVM_LANES_EXTRA_ARGS	sizeof(struct vsvm_lanes_args)

#define VSVM_LANES_PROLOGUE \
	"sv r0, global_id.x\n" \
	"ldarg.u32 r3, 16\n" \
	"icmp.ltu.64 r4, r0, r3\n" \
	"if r4\n" \
	"ldarg.u32 r5, 20\n" \
	"ldarg.u32 r6, 24\n" \
	"mul.64 r5, r0, r5\n" \
	"mul.64 r6, r0, r6\n" \
	"ldarg.u64 r1, 0\n" \
	"ldarg.u64 r2, 8\n" \
	"add.64 r1, r1, r5\n" \
	"add.64 r2, r2, r6\n"
#define VSVM_LANES_EPILOGUE	"endif\n"

struct vsvm_lanes {
	uint32_t n;
	uint32_t wg_size;		/* 0: 64 */
	const void *in;
	uint32_t in_stride;
	void *out;			/* in: initial contents; out: results */
	uint32_t out_stride;
	const void *extra_args;
	uint32_t extra_args_size;
	uint32_t shared_size;
	uint32_t scratch_size;
};

int __vsvm_run_lanes(struct vsvm_runner *r, const void *code, size_t size,
		     const struct vsvm_lanes *lanes,
		     struct drm_vsvm_wait *result);
void vsvm_run_lanes(struct vsvm_runner *r, const void *code, size_t size,
		    const struct vsvm_lanes *lanes);

/* The sync_file status of @syncobj's fence: 1 signalled, 0 pending, -errno. */
int vsvm_syncobj_status(int fd, uint32_t syncobj);

/* One counter of debugfs "counters"; fails the test if it is missing. */
int64_t vsvm_counter(int fd, const char *name);

/* debugfs "fault_latency"; fails the test if it is missing or malformed. */
void vsvm_fault_latency_read(int fd, struct vsvm_fault_latency *lat);

/* Does a line of debugfs "log" hold @needle? If not, the log is printed. */
bool vsvm_log_has(int fd, const char *needle);

/* Live objects of the module (debugfs "objects"), as one string. */
char *vsvm_objects_snapshot(int fd);
/*
 * Waits until the module is quiet: no job alive (the DRM scheduler frees a
 * job in its free_job work, after WAIT already saw it end, so a previous
 * subtest's jobs may still be going), no fault pending, and two reads of
 * "objects" 50 ms apart agree; at most 10 s (scaled: vsvm_scaled_limit()).
 * Tells whether it got there; *@snapshot (if not NULL) is the last read,
 * to free.
 */
bool vsvm_objects_settle(int fd, char **snapshot);
/*
 * The "objects" to compare with once a test is done (vsvm_wait_objects()),
 * read once the module settled; fails the test if it does not.
 */
char *vsvm_objects_baseline(int fd);
/*
 * Waits up to @seconds (scaled: vsvm_scaled_limit()) for debugfs "objects"
 * to read @baseline again.
 */
void vsvm_wait_objects(int fd, const char *baseline, int seconds);

/*
 * @size bytes of zeroed memory shared with the children forked after it
 * (anonymous MAP_SHARED), for flags and results; munmap() it.
 */
void *vsvm_shared_alloc(size_t size);

/*
 * Flags in memory shared with a forked child: vsvm_flag_wait() polls for
 * up to @ms for *@flag to be set, and tells whether it was.
 */
bool vsvm_flag_wait(const int *flag, int ms);
void vsvm_flag_set(int *flag);

/*
 * A FUSE file system whose daemon answers everything but READ: a fault on
 * its file "f" (dir/f, size bytes) waits until vsvm_stuck_fuse_abort(),
 * also installed as an exit handler, kills the daemon. The daemon exits
 * by itself after 90 s, before the hung-task detector's 120 s. Root only.
 */
struct vsvm_stuck_fuse {
	pid_t daemon;
	char dir[32];
	uint64_t *reads;	/* READ requests received, shared */
};

extern struct vsvm_stuck_fuse vsvm_stuck_fuse;
void vsvm_stuck_fuse_start(uint64_t size);
void vsvm_stuck_fuse_abort(int sig);
/* A mapping of its file "f", opened read-only; @flags: MAP_SHARED or MAP_PRIVATE. */
void *vsvm_stuck_fuse_map(uint64_t size, int prot, int flags);

/* dst[i] = vsvm_fill_word(seed, i) for global ids i < n, u64 words. */
extern const char vsvm_fill_src[];

struct vsvm_fill_args {
	uint64_t dst, seed;
	uint32_t n, pad;
};

static inline uint64_t vsvm_fill_word(uint64_t seed, uint64_t i)
{
	return seed ^ (i * 0x9e3779b97f4a7c15ull);
}

/*
 * A shader that keeps a compute unit and its TLB busy: every lane reads
 * word 0 of page (lane + 17 k) % npages of buf, turn k, until *flag != 0;
 * lane 0 sets *started first.
 */
extern const char vsvm_spin_src[];

struct vsvm_spin_args {
	uint64_t flag, started, buf;
	uint32_t npages, pad;
};

/*
 * vsvm's module parameters (/sys/module/vsvm/parameters/NAME), changed for
 * a test: the first change of a parameter keeps its value, which an exit
 * handler writes back however the test ends, and vsvm_param_restore()
 * writes back earlier.  __vsvm_param_set() returns 0 or -errno.
 */
int __vsvm_param_set(const char *name, const char *value);
void vsvm_param_set(const char *name, const char *value);
void vsvm_param_set_u64(const char *name, uint64_t value);
void vsvm_param_restore(const char *name);

/* The calling process's memory: smaps fields and page frames. */
int64_t vsvm_smaps_kb(const void *addr, const char *field);
void vsvm_pfns_of(const void *addr, uint64_t n, uint64_t *pfns);

/*
 * userfaultfd: a descriptor (non-blocking, close-on-exec; skips the test if
 * the kernel has none), a range registered in @mode (skips if the mode is
 * unsupported), and UFFDIO_COPY of @len bytes that must all be copied.
 */
int vsvm_uffd_open(void);
void vsvm_uffd_register(int uffd, void *p, uint64_t len, uint64_t mode);
void vsvm_uffd_copy(int uffd, void *dst, const void *src, uint64_t len);
/* No fault message waits: a kernel access that needed the handler did not reach it. */
void vsvm_uffd_no_event(int uffd);

/*
 * The running kernel's setting of @opt: 1 if built in ("=y"), 0 if not,
 * -1 if the configuration cannot be found (/boot/config-*, /proc/config.gz).
 */
int vsvm_kconfig_enabled(const char *opt);

/* Pass a file descriptor over a unix socket (SCM_RIGHTS). */
int __vsvm_send_fd(int sock, int fd_to_send);
void vsvm_send_fd(int sock, int fd_to_send);
int vsvm_recv_fd(int sock);

/*
 * fork() with a connected unix stream socket between parent and child.
 * Returns the child's pid in the parent and 0 in the child; *sock is
 * that side's end, the other end is closed.  Output is flushed first.
 */
pid_t vsvm_fork_with_socket(int *sock);

/*
 * Around an OOM kill provoked on purpose. The kernel's OOM report, stack
 * dump included, is then expected by both log checks: igt_runner's
 * (igt_emit_ignore_dmesg_regex(), until the subtest ends) and tools/vm's
 * (the "vsvm-test: expect oom-kill begin" ... "end" lines that
 * tools/vm-lib/check-log reads). Begin also asserts that this process is
 * killable: a test that inherited oom_score_adj -1000 (igt_runner's own)
 * would make the OOM killer find no victim and the test hang.
 */
void vsvm_expect_oom_kill_begin(void);
void vsvm_expect_oom_kill_end(void);

#endif /* VSVM_LIB_H */
