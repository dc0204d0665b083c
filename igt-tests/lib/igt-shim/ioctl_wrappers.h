/* SPDX-License-Identifier: MIT */
/*
 * vsvm's implementation of the generic part of IGT's ioctl_wrappers.h.
 */
#ifndef IOCTL_WRAPPERS_H
#define IOCTL_WRAPPERS_H

#include <stdint.h>

/*
 * igt_ioctl: ioctl() restarted on EINTR and EAGAIN, like libdrm's drmIoctl().
 * A pointer, as in IGT, so a test can interpose on every ioctl it issues.
 */
extern __thread int (*igt_ioctl)(int fd, unsigned long request, void *arg);

static inline uint64_t to_user_pointer(const void *ptr)
{
	return (uintptr_t)ptr;
}

static inline void *from_user_pointer(uint64_t u64p)
{
	return (void *)(uintptr_t)u64p;
}

#endif /* IOCTL_WRAPPERS_H */
