// SPDX-License-Identifier: MIT
/*
 * vsvm-fuzz executor: runs one program in a fresh process.
 *
 * The manager forks a process per program, which runs here and exits, so
 * that every program starts from an empty file table and address space and
 * ends through the driver's release and mm-teardown paths. Thread 0 is the
 * process's first thread; threads 1..FZ_THREADS-1 start only if the program
 * gives them operations, and all run at once, each its own operations in
 * program order, so operations of different threads race. Each thread
 * collects coverage with KCOV_ENABLE on the descriptor the manager opened
 * for it; jobs report theirs through the remote handle the process
 * inherited (cover.c).
 *
 * WAIT_OP orders threads where a program needs it: it waits, two seconds at
 * most, until the op at a given index has run (in whatever thread).
 *
 * FORK runs the thread's next nops operations in a child process (one
 * thread, no per-thread coverage) and, by mode, goes on at once, waits for
 * it, or kills it after usec. SEND_FD passes a descriptor over a socket
 * pair that RECV_FD reads, in the same process or from a child.
 *
 * Memory the CPU side touches is confined to the slots (FZ_SLOT_BASE...):
 * an mmap, munmap, mprotect, madvise, mremap or store outside them is
 * skipped, so a program cannot unmap the executor under itself. GPU-side
 * addresses (bindings, shader arguments, code and argument buffers) are
 * not confined. CPU stores go through a SIGSEGV/SIGBUS guard, as the
 * memory may be unmapped or read-only by then.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/kcov.h>

#include <drm.h>

#include "fuzz.h"
#include "vsvm_drm.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif
#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif

/* Upper bounds that keep one program short; raw edge values pass as is. */
#define WAIT_MAX_NS	2000000000ll
#define SYNC_WAIT_MAX_NS 500000000ll
#define SLEEP_MAX_US	50000
#define LATENCY_MAX_US	2000

static const int advice_table[16] = {
	MADV_DONTNEED, MADV_FREE, MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK,
	MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE,
	MADV_COLD, MADV_PAGEOUT, MADV_COLLAPSE, MADV_POPULATE_READ,
	MADV_POPULATE_WRITE, MADV_WIPEONFORK, MADV_WILLNEED,
};

static const char *const debugfs_files[8] = {
	"vms", "ptes", "counters", "objects", "engine", "log", "clients",
	"fault_inject/fail_status",
};

static const char *const inject_knobs[8] = {
	"ebusy", "collisions", "unmaps", "range_alloc", "pt_alloc",
	"fail_faults", "fail_status", "latency_us",
};

static struct {
	pthread_mutex_t lock;
	struct {
		uint32_t n;
		uint64_t v[FZ_MAX_RES];
	} res[K_RES_COUNT];
	pid_t children[16];
	uint32_t nchildren;
	int sock[2];
	const struct fz_prog *p;
	const struct fz_exec_opts *o;
	bool in_child;
	/* Which ops have run, for WAIT_OP. */
	uint8_t done[FZ_MAX_OPS];
} st;

static __thread sigjmp_buf *fault_jb;

static void on_fault(int sig)
{
	if (fault_jb)
		siglongjmp(*fault_jb, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* memcpy()/memset() that survive a fault: false if one happened. */
static bool guarded(void *dst, const void *src, int c, size_t len)
{
	sigjmp_buf jb;
	bool ok = false;

	if (!sigsetjmp(jb, 1)) {
		fault_jb = &jb;
		if (src)
			memcpy(dst, src, len);
		else
			memset(dst, c, len);
		ok = true;
	}
	fault_jb = NULL;
	return ok;
}

static bool in_slots(uint64_t addr, uint64_t len)
{
	return addr >= FZ_SLOT_BASE && len <= FZ_SLOT_END - FZ_SLOT_BASE &&
	       addr + len <= FZ_SLOT_END;
}

static uint64_t res_get(int kind, uint64_t v)
{
	uint64_t r = 0;

	if (!(v & FZ_REF))
		return v;
	pthread_mutex_lock(&st.lock);
	if (st.res[kind].n)
		r = st.res[kind].v[(v & ~FZ_REF) % st.res[kind].n];
	pthread_mutex_unlock(&st.lock);
	return r;
}

static void res_add(int kind, uint64_t v)
{
	pthread_mutex_lock(&st.lock);
	if (st.res[kind].n < FZ_MAX_RES)
		st.res[kind].v[st.res[kind].n++] = v;
	pthread_mutex_unlock(&st.lock);
}

static bool res_has(int kind, uint64_t v)
{
	bool found = false;

	pthread_mutex_lock(&st.lock);
	for (uint32_t i = 0; i < st.res[kind].n; i++)
		found |= st.res[kind].v[i] == v;
	pthread_mutex_unlock(&st.lock);
	return found;
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	return ret < 0 ? -errno : ret;
}

static int fd_arg(uint64_t v)
{
	return (int)res_get(K_FD, v);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static int prot_of(uint64_t v)
{
	return (v & 1 ? PROT_READ : 0) | (v & 2 ? PROT_WRITE : 0) |
	       (v & 4 ? PROT_EXEC : 0);
}

static int do_mmap(const uint64_t *a)
{
	uint64_t addr = a[0], len = a[1], kind = a[3], flags = a[4];
	int prot = prot_of(a[2]), mflags = MAP_FIXED, fd = -1, ret = 0;
	void *m;

	if (!len || !in_slots(addr, len))
		return -EINVAL;
	mflags |= flags & 1 ? MAP_POPULATE : 0;
	mflags |= flags & 2 ? MAP_NORESERVE : 0;
	mflags |= flags & 4 ? MAP_LOCKED : 0;
	switch (kind) {
	case 0:	/* anonymous, private */
	case 7:	/* the same, with THP asked for */
		mflags |= MAP_PRIVATE | MAP_ANONYMOUS;
		break;
	case 1:
		mflags |= MAP_SHARED | MAP_ANONYMOUS;
		break;
	case 2:	/* shmem, shared and private */
	case 3:
		fd = memfd_create("vsvm-fuzz", 0);
		mflags |= kind == 2 ? MAP_SHARED : MAP_PRIVATE;
		break;
	case 4:	/* a tmpfs file */
		fd = open("/tmp", O_TMPFILE | O_RDWR, 0600);
		mflags |= MAP_SHARED;
		break;
	case 5:	/* outside the kernel's direct map */
		fd = syscall(SYS_memfd_secret, 0);
		mflags |= MAP_SHARED;
		break;
	case 6:
		mflags |= MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB;
		break;
	case 8:	/* page cache of a read-only file: this program */
		fd = open("/proc/self/exe", O_RDONLY);
		mflags |= MAP_PRIVATE;
		break;
	default:
		fd = open("/dev/zero", O_RDWR);
		mflags |= MAP_SHARED;
		break;
	}
	if ((kind >= 2 && kind <= 5) && fd >= 0 && ftruncate(fd, len))
		ret = -errno;
	if (!ret && (kind >= 2 && kind != 6 && kind != 7) && fd < 0)
		ret = -errno;
	if (!ret) {
		m = mmap((void *)(uintptr_t)addr, len, prot, mflags, fd, 0);
		ret = m == MAP_FAILED ? -errno : 0;
		if (!ret && kind == 7)
			madvise(m, len, MADV_HUGEPAGE);
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

/* An atomic add on the word at P that survives a fault. */
static bool guarded_inc(uint64_t *p)
{
	sigjmp_buf jb;
	bool ok = false;

	if (!sigsetjmp(jb, 1)) {
		fault_jb = &jb;
		__atomic_fetch_add(p, 1, __ATOMIC_SEQ_CST);
		ok = true;
	}
	fault_jb = NULL;
	return ok;
}

static int do_touch(uint64_t addr, uint64_t len, uint64_t mode)
{
	static __thread uint8_t sink[FZ_PAGE];
	uint8_t *p = (uint8_t *)(uintptr_t)addr;

	if (!in_slots(addr, len))
		return -EINVAL;
	for (uint64_t off = 0; off < len; off += FZ_PAGE) {
		uint64_t n = len - off < FZ_PAGE ? len - off : FZ_PAGE;
		bool ok;

		if (mode == 0)
			ok = guarded(sink, p + off, 0, n);
		else if (mode == 1)
			ok = guarded(p + off, NULL, 0x5a + (int)(off >> 12), n);
		else
			ok = n < 8 || ((addr + off) & 7) || guarded_inc((uint64_t *)(p + off));
		if (!ok)
			return -EFAULT;
	}
	return 0;
}

static int do_write(const struct fz_op *op)
{
	if (!op->blob_len)
		return 0;
	if (!in_slots(op->a[0], op->blob_len))
		return -EINVAL;
	return guarded((void *)(uintptr_t)op->a[0], op->blob, 0, op->blob_len) ? 0 : -EFAULT;
}

static int send_fd(int fd)
{
	char data = 'f', ctl[CMSG_SPACE(sizeof(int))] = {};
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(st.sock[0], &msg, MSG_DONTWAIT) == 1 ? 0 : -errno;
}

static int recv_fd(void)
{
	char data, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(st.sock[1], &msg, MSG_DONTWAIT) != 1)
		return -errno;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -EBADMSG;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	res_add(K_FD, fd);
	return 0;
}

static int debugfs_io(const char *name, const char *value)
{
	char path[512], buf[4096];
	int fd, ret = 0;

	if (!st.o->debugfs_dir)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s", st.o->debugfs_dir, name);
	fd = open(path, value ? O_WRONLY : O_RDONLY);
	if (fd < 0)
		return -errno;
	if (value) {
		if (write(fd, value, strlen(value)) < 0)
			ret = -errno;
	} else {
		while (read(fd, buf, sizeof(buf)) > 0)
			;
	}
	close(fd);
	return ret;
}

static int do_exec(const uint64_t *a)
{
	uint32_t handles[64];
	struct drm_vsvm_exec e = {
		.extensions = a[19],
		.queue_id = res_get(K_QUEUE, a[1]),
		.flags = a[2],
		.code_addr = a[3],
		.code_size = a[4],
		.args_addr = a[5],
		.args_size = a[6],
		.grid = { a[7], a[8], a[9] },
		.wg_size = { a[10], a[11], a[12] },
		.shared_size = a[13],
		.scratch_size = a[14],
		.in_syncs = a[15] ? a[15] : (uintptr_t)handles,
		.num_in_syncs = a[16],
		.out_sync = res_get(K_SYNCOBJ, a[18]),
		.ufence_addr = a[20],
		.ufence_value = a[21],
	};
	int ret;

	for (int i = 0; i < 64; i++)
		handles[i] = res_get(K_SYNCOBJ, a[17]);
	ret = xioctl(fd_arg(a[0]), DRM_IOCTL_VSVM_EXEC, &e);
	if (!ret)
		res_add(K_JOB, (uint64_t)e.queue_id << 32 | (uint32_t)e.seqno);
	return ret;
}

static int do_wait(const uint64_t *a)
{
	struct drm_vsvm_wait w = { .flags = a[5] };
	uint64_t job = res_get(K_JOB, a[1]);
	int64_t t = (int64_t)a[4];

	if (a[1] & FZ_REF) {
		w.queue_id = job >> 32;
		w.seqno = (uint32_t)job;
	} else {
		w.seqno = job;
	}
	if (a[2])
		w.queue_id = res_get(K_QUEUE, a[2]);
	w.seqno += (int64_t)a[3];
	w.timeout_ns = t > WAIT_MAX_NS ? WAIT_MAX_NS : t;
	return xioctl(fd_arg(a[0]), DRM_IOCTL_VSVM_WAIT, &w);
}

static int do_syncobj_array(const uint64_t *a, unsigned long req)
{
	uint32_t handles[64];
	struct drm_syncobj_array arr = {
		.handles = (uintptr_t)handles,
		.count_handles = a[2],
	};

	for (int i = 0; i < 64; i++)
		handles[i] = res_get(K_SYNCOBJ, a[1]);
	return xioctl(fd_arg(a[0]), req, &arr);
}

static int do_syncobj_wait(const uint64_t *a)
{
	uint32_t handles[64];
	int64_t t = (int64_t)a[3];
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)handles,
		.count_handles = a[2],
		.flags = a[4],
	};

	for (int i = 0; i < 64; i++)
		handles[i] = res_get(K_SYNCOBJ, a[1]);
	/* The ioctl takes an absolute CLOCK_MONOTONIC time. */
	w.timeout_nsec = t > 0 ? now_ns() + (t > SYNC_WAIT_MAX_NS ? SYNC_WAIT_MAX_NS : t) : t;
	return xioctl(fd_arg(a[0]), DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

static int do_raw_ioctl(const struct fz_op *op)
{
	uint32_t size = op->a[3] > 4096 ? 4096 : op->a[3];
	uint8_t buf[4096] = {};

	memcpy(buf, op->blob, op->blob_len < size ? op->blob_len : size);
	return xioctl(fd_arg(op->a[0]),
		      _IOC(op->a[2] & 3, DRM_IOCTL_BASE, DRM_COMMAND_BASE + (op->a[1] & 0x3f),
			   size), buf);
}

static int run_op(const struct fz_op *op)
{
	const uint64_t *a = op->a;
	int ret = 0, fd;

	switch (op->type) {
	case OP_OPEN:
		fd = open(st.o->render_node, O_RDWR);
		if (fd < 0)
			return -errno;
		res_add(K_FD, fd);
		return 0;
	case OP_CLOSE:
		fd = fd_arg(a[0]);
		/* Only what the program opened: not the executor's own files. */
		if (!res_has(K_FD, fd) && !res_has(K_DMABUF, fd))
			return -EBADF;
		return close(fd) ? -errno : 0;
	case OP_DUP:
		fd = dup(fd_arg(a[0]));
		if (fd < 0)
			return -errno;
		res_add(K_FD, fd);
		return 0;
	case OP_GET_PARAM: {
		struct drm_vsvm_get_param g = { .param = a[1], .pad = a[2] };

		return xioctl(fd_arg(a[0]), DRM_IOCTL_VSVM_GET_PARAM, &g);
	}
	case OP_GEM_CREATE: {
		struct drm_vsvm_gem_create c = { .size = a[1], .flags = a[2] };

		ret = xioctl(fd_arg(a[0]), DRM_IOCTL_VSVM_GEM_CREATE, &c);
		if (!ret)
			res_add(K_BO, c.handle);
		return ret;
	}
	case OP_GEM_MMAP_OFFSET: {
		struct drm_vsvm_gem_mmap_offset m = {
			.handle = res_get(K_BO, a[1]), .flags = a[2],
		};

		return xioctl(fd_arg(a[0]), DRM_IOCTL_VSVM_GEM_MMAP_OFFSET, &m);
	}
	case OP_GEM_MMAP: {
		struct drm_vsvm_gem_mmap_offset m = { .handle = res_get(K_BO, a[1]) };
		void *p;

		fd = fd_arg(a[0]);
		ret = xioctl(fd, DRM_IOCTL_VSVM_GEM_MMAP_OFFSET, &m);
		if (ret)
			return ret;
		if (!a[3] || !in_slots(a[2], a[3]))
			return -EINVAL;
		p = mmap((void *)(uintptr_t)a[2], a[3], prot_of(a[4]), MAP_SHARED | MAP_FIXED,
			 fd, m.offset + a[5]);
		return p == MAP_FAILED ? -errno : 0;
	}
	case OP_GEM_CLOSE: {
		struct drm_gem_close c = { .handle = res_get(K_BO, a[1]), .pad = a[2] };

		return xioctl(fd_arg(a[0]), DRM_IOCTL_GEM_CLOSE, &c);
	}
	case OP_PRIME_EXPORT: {
		struct drm_prime_handle h = { .handle = res_get(K_BO, a[1]), .flags = a[2] };

		ret = xioctl(fd_arg(a[0]), DRM_IOCTL_PRIME_HANDLE_TO_FD, &h);
		if (!ret)
			res_add(K_DMABUF, h.fd);
		return ret;
	}
	case OP_PRIME_IMPORT: {
		struct drm_prime_handle h = { .fd = res_get(K_DMABUF, a[1]) };

		ret = xioctl(fd_arg(a[0]), DRM_IOCTL_PRIME_FD_TO_HANDLE, &h);
		if (!ret)
			res_add(K_BO, h.handle);
		return ret;
	}
	case OP_VM_CREATE: {
		struct drm_vsvm_vm_create c = { .extensions = a[2], .flags = a[1] };

		ret = xioctl(fd_arg(a[0]), DRM_IOCTL_VSVM_VM_CREATE, &c);
		if (!ret)
			res_add(K_VM, c.vm_id);
		return ret;
	}
	case OP_VM_DESTROY: {
		struct drm_vsvm_vm_destroy d = { .vm_id = res_get(K_VM, a[1]), .pad = a[2] };

		return xioctl(fd_arg(a[0]), DRM_IOCTL_VSVM_VM_DESTROY, &d);
	}
	case OP_VM_BIND: {
		struct drm_vsvm_vm_bind b = {
			.extensions = a[9], .vm_id = res_get(K_VM, a[1]), .op = a[2],
			.flags = a[3], .handle = res_get(K_BO, a[4]), .bo_offset = a[5],
			.addr = a[6], .range = a[7], .userptr = a[8],
		};

		return xioctl(fd_arg(a[0]), DRM_IOCTL_VSVM_VM_BIND, &b);
	}
	case OP_QUEUE_CREATE: {
		struct drm_vsvm_queue_create c = {
			.extensions = a[4], .vm_id = res_get(K_VM, a[1]), .flags = a[2],
			.pad = a[3],
		};

		ret = xioctl(fd_arg(a[0]), DRM_IOCTL_VSVM_QUEUE_CREATE, &c);
		if (!ret)
			res_add(K_QUEUE, c.queue_id);
		return ret;
	}
	case OP_QUEUE_DESTROY: {
		struct drm_vsvm_queue_destroy d = { .queue_id = res_get(K_QUEUE, a[1]), .pad = a[2] };

		return xioctl(fd_arg(a[0]), DRM_IOCTL_VSVM_QUEUE_DESTROY, &d);
	}
	case OP_EXEC:
		return do_exec(a);
	case OP_WAIT:
		return do_wait(a);
	case OP_WAIT_UFENCE: {
		struct drm_vsvm_wait_user_fence w = {
			.addr = a[1], .value = a[2], .timeout_ns = (int64_t)a[3],
			.flags = a[4], .pad = a[5],
		};

		return xioctl(fd_arg(a[0]), DRM_IOCTL_VSVM_WAIT_USER_FENCE, &w);
	}
	case OP_PREFETCH: {
		struct drm_vsvm_prefetch f = {
			.vm_id = res_get(K_VM, a[1]), .flags = a[2], .addr = a[3], .range = a[4],
		};

		return xioctl(fd_arg(a[0]), DRM_IOCTL_VSVM_PREFETCH, &f);
	}
	case OP_SYNCOBJ_CREATE: {
		struct drm_syncobj_create c = { .flags = a[1] };

		ret = xioctl(fd_arg(a[0]), DRM_IOCTL_SYNCOBJ_CREATE, &c);
		if (!ret)
			res_add(K_SYNCOBJ, c.handle);
		return ret;
	}
	case OP_SYNCOBJ_DESTROY: {
		struct drm_syncobj_destroy d = { .handle = res_get(K_SYNCOBJ, a[1]), .pad = a[2] };

		return xioctl(fd_arg(a[0]), DRM_IOCTL_SYNCOBJ_DESTROY, &d);
	}
	case OP_SYNCOBJ_WAIT:
		return do_syncobj_wait(a);
	case OP_SYNCOBJ_SIGNAL:
		return do_syncobj_array(a, DRM_IOCTL_SYNCOBJ_SIGNAL);
	case OP_SYNCOBJ_RESET:
		return do_syncobj_array(a, DRM_IOCTL_SYNCOBJ_RESET);
	case OP_IOCTL:
		return do_raw_ioctl(op);
	case OP_WRITE:
	case OP_CODE:
	case OP_ARGS:
		return do_write(op);
	case OP_MMAP:
		return do_mmap(a);
	case OP_MUNMAP:
		if (!in_slots(a[0], a[1]))
			return -EINVAL;
		return munmap((void *)(uintptr_t)a[0], a[1]) ? -errno : 0;
	case OP_MREMAP: {
		int flags = (a[3] & 1 ? MREMAP_MAYMOVE : 0) |
			    (a[3] & 2 ? MREMAP_FIXED | MREMAP_MAYMOVE : 0) |
			    (a[3] & 4 ? MREMAP_DONTUNMAP | MREMAP_MAYMOVE : 0);
		void *p;

		if (!in_slots(a[0], a[1]) ||
		    ((flags & MREMAP_FIXED) && !in_slots(a[4], a[2])))
			return -EINVAL;
		p = mremap((void *)(uintptr_t)a[0], a[1], a[2], flags, (void *)(uintptr_t)a[4]);
		return p == MAP_FAILED ? -errno : 0;
	}
	case OP_MPROTECT:
		if (!in_slots(a[0], a[1]))
			return -EINVAL;
		return mprotect((void *)(uintptr_t)a[0], a[1], prot_of(a[2])) ? -errno : 0;
	case OP_MADVISE:
		if (!in_slots(a[0], a[1]))
			return -EINVAL;
		return madvise((void *)(uintptr_t)a[0], a[1], advice_table[a[2] & 15]) ? -errno : 0;
	case OP_TOUCH:
		return do_touch(a[0], a[1], a[2]);
	case OP_SEND_FD:
		fd = fd_arg(a[0]);
		/*
		 * Only the program's own files: a socket sent over itself
		 * would keep its DRM files open after exit, until the unix
		 * garbage collector runs.
		 */
		if (!res_has(K_FD, fd) && !res_has(K_DMABUF, fd))
			return -EBADF;
		return send_fd(fd);
	case OP_RECV_FD:
		return recv_fd();
	case OP_SLEEP:
		usleep(a[0] > SLEEP_MAX_US ? SLEEP_MAX_US : a[0]);
		return 0;
	case OP_DEBUGFS:
		return debugfs_io(debugfs_files[a[0] & 7], NULL);
	case OP_WAIT_OP:
		for (int i = 0; i < 20000; i++) {
			if (a[0] >= st.p->n || __atomic_load_n(&st.done[a[0]], __ATOMIC_ACQUIRE))
				return 0;
			usleep(100);
		}
		return -ETIMEDOUT;
	case OP_INJECT: {
		char name[64], value[32];
		uint64_t v = a[1];

		if ((a[0] & 7) == 7 && v > LATENCY_MAX_US)
			v = LATENCY_MAX_US;
		snprintf(name, sizeof(name), "fault_inject/%s", inject_knobs[a[0] & 7]);
		snprintf(value, sizeof(value), "%" PRIu64, v);
		return debugfs_io(name, value);
	}
	default:
		return -ENOSYS;
	}
}

static void log_op(int t, uint32_t i, const struct fz_op *op, int ret)
{
	if (st.o->verbose)
		fprintf(stderr, "vsvm-fuzz: %s t%d #%u %s = %d%s%s\n",
			st.in_child ? "child" : "exec", t, i, fz_ops[op->type].name, ret,
			ret < 0 ? " " : "", ret < 0 ? strerror(-ret) : "");
}

static void run_ops(int t, uint32_t from, uint32_t count);

/* FORK at index I of thread T: the child runs the next nops ops of T. */
static uint32_t do_fork(int t, uint32_t i, const struct fz_op *op)
{
	uint32_t nops = op->a[0] < 1 ? 1 : op->a[0] > 16 ? 16 : op->a[0], skip = 0, j;
	pid_t pid;

	for (j = i + 1; j < st.p->n && skip < nops; j++)
		if (st.p->ops[j].thread == t)
			skip++;
	pid = fork();
	if (pid == 0) {
		/* Other threads may have held it: they are gone here. */
		pthread_mutex_init(&st.lock, NULL);
		st.in_child = true;
		st.nchildren = 0;
		run_ops(t, i + 1, nops);
		_exit(0);
	}
	log_op(t, i, op, pid < 0 ? -errno : 0);
	if (pid > 0) {
		switch (op->a[1] % 3) {
		case 0: {
			bool kept = false;

			pthread_mutex_lock(&st.lock);
			if (st.nchildren < 16) {
				st.children[st.nchildren++] = pid;
				kept = true;
			}
			pthread_mutex_unlock(&st.lock);
			if (!kept) {
				kill(pid, SIGKILL);
				waitpid(pid, NULL, 0);
			}
			break;
		}
		case 1:
			waitpid(pid, NULL, 0);
			break;
		default:
			usleep(op->a[2] > SLEEP_MAX_US ? SLEEP_MAX_US : op->a[2]);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			break;
		}
	}
	return j;
}

/* Thread T's ops from index FROM on, COUNT of them (0: all). */
static void run_ops(int t, uint32_t from, uint32_t count)
{
	uint32_t i = from, done = 0;

	while (i < st.p->n && (!count || done < count)) {
		const struct fz_op *op = &st.p->ops[i];

		if (op->thread != t) {
			i++;
			continue;
		}
		done++;
		if (op->type == OP_FORK) {
			uint32_t next = do_fork(t, i, op);

			/* The child's ops count as done for a nested FORK's child. */
			for (uint32_t j = i + 1; j < next; j++)
				done += st.p->ops[j].thread == t;
			i = next;
			continue;
		}
		log_op(t, i, op, run_op(op));
		__atomic_store_n(&st.done[i], 1, __ATOMIC_RELEASE);
		i++;
	}
}

static void *thread_main(void *arg)
{
	int t = (int)(intptr_t)arg;
	int kcov = st.o->kcov_fds[t];

	if (kcov >= 0 && ioctl(kcov, KCOV_ENABLE, KCOV_TRACE_PC))
		kcov = -1;
	run_ops(t, 0, 0);
	if (kcov >= 0)
		ioctl(kcov, KCOV_DISABLE, 0);
	return NULL;
}

void fz_exec_child(const struct fz_prog *p, const struct fz_exec_opts *o)
{
	pthread_t threads[FZ_THREADS];
	bool used[FZ_THREADS] = {};
	struct sigaction sa = { .sa_handler = on_fault, .sa_flags = SA_NODEFER };

	setpgid(0, 0);
	pthread_mutex_init(&st.lock, NULL);
	st.p = p;
	st.o = o;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, st.sock))
		st.sock[0] = st.sock[1] = -1;

	for (uint32_t i = 0; i < p->n; i++)
		used[p->ops[i].thread] = true;
	for (int t = 1; t < FZ_THREADS; t++)
		if (used[t] && pthread_create(&threads[t], NULL, thread_main, (void *)(intptr_t)t))
			used[t] = false;
	thread_main((void *)0);
	for (int t = 1; t < FZ_THREADS; t++)
		if (used[t])
			pthread_join(threads[t], NULL);

	/* Children still running get a moment, then are killed. */
	for (int tries = 0; tries < 200; tries++) {
		bool left = false;

		for (uint32_t i = 0; i < st.nchildren; i++) {
			if (st.children[i] > 0 && waitpid(st.children[i], NULL, WNOHANG) == 0)
				left = true;
			else
				st.children[i] = 0;
		}
		if (!left)
			break;
		usleep(10000);
	}
	for (uint32_t i = 0; i < st.nchildren; i++) {
		if (st.children[i] > 0) {
			kill(st.children[i], SIGKILL);
			waitpid(st.children[i], NULL, 0);
		}
	}
	_exit(0);
}
