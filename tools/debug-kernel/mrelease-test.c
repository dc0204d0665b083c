// SPDX-License-Identifier: MIT
/*
 * mrelease-test - make vsvm honour a non-blockable invalidation.
 *
 * A child opens the vsvm device, creates a VM with a CPU-address mirror over
 * a malloc()ed buffer and faults the whole buffer into the GPU page table
 * with PREFETCH. The parent then kills it through a pidfd and at once reaps
 * its memory with process_mrelease(), which invalidates the mirror with
 * mmu_notifier_invalidate_range_start_nonblock(): the path in which vsvm's
 * invalidation callback must neither sleep nor refuse (docs/locking.md).
 * On a DEBUG_ATOMIC_SLEEP kernel a callback that may sleep there prints
 * "BUG: sleeping function called from invalid context", which the debug
 * lane's kernel log check turns into a failure.
 *
 * The reaper races with the child's own exit, which also unmaps everything
 * but with a blockable invalidation, and process_mrelease() returns 0 even
 * when exit won. So the test reads the device's counters: it passes once
 * inval_nonblock_honoured has grown (the reaper reached the mirror) and
 * inval_nonblock_ns with it, fails if a step fails, and gives up as a failure
 * after MAX_TRIES races lost in a row. A large ballast mapped above the
 * mirror keeps the child's exit busy while the reaper, which walks the
 * address space upwards, reaches the mirror first.
 *
 * Needs root (debugfs). Exit status: 0 pass, 1 fail, 77 skip (no vsvm
 * device, no debugfs).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vsvm_drm.h"

/* glibc 2.36 wraps none of these; the numbers are the same on every arch. */
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_process_mrelease
#define __NR_process_mrelease 448
#endif

#define MAX_TRIES	20
#define BUF_SIZE	(4u << 20)
#define BALLAST_SIZE	(64u << 20)

static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("mrelease-test: FAIL: ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	exit(1);
}

static void skip(const char *why)
{
	printf("mrelease-test: SKIP: %s\n", why);
	exit(77);
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret;
}

/* The first /dev/dri/cardN whose driver is vsvm; N is its minor. */
static int open_vsvm(int *minor)
{
	char path[32], name[16];
	int i, fd;

	for (i = 0; i < 64; i++) {
		struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(name, 0, sizeof(name));
		if (!xioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "vsvm")) {
			*minor = i;
			return fd;
		}
		close(fd);
	}
	return -1;
}

/* One "name value" line of the device's debugfs counters file. */
static long long counter(int minor, const char *name)
{
	char path[64], line[128], key[64];
	long long value, found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%d/counters", minor);
	f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT || errno == EACCES)
			skip("no vsvm counters in debugfs (needs root and debugfs)");
		fail("open %s: %s", path, strerror(errno));
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld", key, &value) == 2 && !strcmp(key, name))
			found = value;
	fclose(f);
	if (found < 0)
		fail("no counter %s in %s", name, path);
	return found;
}

/*
 * The child: ballast first (the kernel places later mappings below earlier
 * ones, so the mirror ends up lowest), then a mirrored buffer faulted in for
 * writing. Reports readiness through @ready and waits to be killed.
 */
static void child(int ready)
{
	struct drm_vsvm_vm_create create = { .flags = DRM_VSVM_VM_CREATE_SVM };
	struct drm_vsvm_vm_bind bind = {};
	struct drm_vsvm_prefetch pf = {};
	unsigned char *ballast, *buf;
	int fd, minor, i;

	ballast = mmap(NULL, BALLAST_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (ballast == MAP_FAILED)
		_exit(10);
	if (posix_memalign((void **)&buf, 4096, BUF_SIZE))
		_exit(11);
	for (i = 0; i < (int)BUF_SIZE; i++)
		buf[i] = (unsigned char)(i * 7 + 1);

	fd = open_vsvm(&minor);
	if (fd < 0)
		_exit(12);
	if (xioctl(fd, DRM_IOCTL_VSVM_VM_CREATE, &create))
		_exit(13);
	bind.vm_id = create.vm_id;
	bind.op = DRM_VSVM_BIND_OP_MAP_MIRROR;
	bind.addr = (uintptr_t)buf;
	bind.range = BUF_SIZE;
	if (xioctl(fd, DRM_IOCTL_VSVM_VM_BIND, &bind))
		_exit(14);
	pf.vm_id = create.vm_id;
	pf.flags = DRM_VSVM_PREFETCH_WRITE;
	pf.addr = (uintptr_t)buf;
	pf.range = BUF_SIZE;
	if (xioctl(fd, DRM_IOCTL_VSVM_PREFETCH, &pf))
		_exit(15);
	/* Faulting for write must not have changed the data. */
	for (i = 0; i < (int)BUF_SIZE; i++)
		if (buf[i] != (unsigned char)(i * 7 + 1))
			_exit(16);

	if (write(ready, "r", 1) != 1)
		_exit(17);
	for (;;)
		pause();
}

static const char *const child_steps[] = {
	[10] = "mmap of the ballast", [11] = "posix_memalign",
	[12] = "open of the vsvm device", [13] = "VM_CREATE",
	[14] = "VM_BIND MAP_MIRROR", [15] = "PREFETCH",
	[16] = "buffer check after PREFETCH", [17] = "readiness write",
};

/* One race; returns whether the reaper's invalidation reached vsvm. */
static int try_once(int minor, int attempt)
{
	long long honoured, ns, d_honoured, d_ns;
	int pipefd[2], pidfd, status;
	long ret;
	pid_t pid;
	char c;

	if (pipe2(pipefd, O_CLOEXEC))
		fail("pipe2: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (!pid) {
		close(pipefd[0]);
		child(pipefd[1]);
	}
	close(pipefd[1]);
	pidfd = syscall(__NR_pidfd_open, pid, 0);
	if (pidfd < 0)
		fail("pidfd_open: %s", strerror(errno));

	if (read(pipefd[0], &c, 1) != 1) {
		if (waitpid(pid, &status, 0) != pid)
			fail("waitpid: %s", strerror(errno));
		if (WIFEXITED(status) && WEXITSTATUS(status) < 18 &&
		    child_steps[WEXITSTATUS(status)])
			fail("child: %s failed", child_steps[WEXITSTATUS(status)]);
		fail("child died before it was ready (status 0x%x)", status);
	}
	close(pipefd[0]);

	honoured = counter(minor, "inval_nonblock_honoured");
	ns = counter(minor, "inval_nonblock_ns");

	if (syscall(__NR_pidfd_send_signal, pidfd, SIGKILL, NULL, 0))
		fail("pidfd_send_signal: %s", strerror(errno));
	ret = syscall(__NR_process_mrelease, pidfd, 0);
	/* ESRCH: the child had already given up its mm, a lost race. */
	if (ret && errno != ESRCH)
		fail("process_mrelease: %s", strerror(errno));
	if (waitpid(pid, &status, 0) != pid)
		fail("waitpid: %s", strerror(errno));
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		fail("child status 0x%x, expected death by SIGKILL", status);
	close(pidfd);

	d_honoured = counter(minor, "inval_nonblock_honoured") - honoured;
	d_ns = counter(minor, "inval_nonblock_ns") - ns;
	printf("attempt %d: process_mrelease %s, %lld non-blockable invalidations honoured in %lld ns\n",
	       attempt, ret ? "ESRCH" : "0", d_honoured, d_ns);
	if (d_honoured > 0 && d_ns <= 0)
		fail("%lld non-blockable invalidations took no time in debugfs", d_honoured);
	return d_honoured > 0;
}

int main(void)
{
	int fd, minor, attempt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open_vsvm(&minor);
	if (fd < 0)
		skip("no vsvm device");

	for (attempt = 1; attempt <= MAX_TRIES; attempt++) {
		if (try_once(minor, attempt)) {
			printf("mrelease-test: PASS: the reaper invalidated the mirror without blocking\n");
			close(fd);
			return 0;
		}
	}
	fail("the child's exit won the race %d times: no non-blockable invalidation reached vsvm",
	     MAX_TRIES);
}
