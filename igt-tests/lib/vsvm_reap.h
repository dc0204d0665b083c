/* SPDX-License-Identifier: MIT */
/*
 * Killing a process the way the OOM reaper reaps it: SIGKILL through a
 * pidfd, then process_mrelease(), which tears the dying address space down
 * at once and so sends its MMU notifiers non-blockable invalidations. Plain
 * C, shared by the tests, the stress program and the debug lane.
 */
#ifndef VSVM_REAP_H
#define VSVM_REAP_H

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/* glibc 2.36 wraps none of these; the numbers are the same on every arch. */
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal	424
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open		434
#endif
#ifndef __NR_process_mrelease
#define __NR_process_mrelease	448
#endif

/*
 * Returns process_mrelease()'s result: 0, -ESRCH when the victim's exit had
 * already released its memory, -ENOSYS when the kernel lacks the call. If
 * no pidfd could be had or signalled, the victim gets a plain kill() and
 * that failure's -errno is returned. The caller still reaps the child.
 */
static inline int vsvm_kill_and_mrelease(pid_t pid)
{
	int pidfd = syscall(__NR_pidfd_open, pid, 0), ret = 0;

	if (pidfd < 0 || syscall(__NR_pidfd_send_signal, pidfd, SIGKILL, NULL, 0)) {
		ret = -errno;
		kill(pid, SIGKILL);
	} else if (syscall(__NR_process_mrelease, pidfd, 0)) {
		ret = -errno;
	}
	if (pidfd >= 0)
		close(pidfd);
	errno = 0;
	return ret;
}

#endif /* VSVM_REAP_H */
