/* SPDX-License-Identifier: MIT */
/*
 * vsvm's implementation of the device-opening subset of IGT's drmtest.h.
 *
 * DRIVER_ANY opens the device whose DRM driver name is $IGT_FORCE_DRIVER,
 * or "vsvm" when that is unset: unlike real IGT, which takes the first
 * device of any driver, so run real IGT with IGT_FORCE_DRIVER=vsvm.
 */
#ifndef DRMTEST_H
#define DRMTEST_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "igt_core.h"

#define DRIVER_VGEM	(1 << 2)
#define DRIVER_VKMS	(1 << 9)
#define DRIVER_VIRTIO	(1 << 10)
#define DRIVER_ANY	~(DRIVER_VGEM | DRIVER_VKMS | DRIVER_VIRTIO)

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof(arr[0]))
#endif
#define ALIGN(v, a) ALIGN_MASK(v, (typeof(v))(a) - 1)
#define ALIGN_MASK(v, mask) (((v) + (mask)) & ~(mask))
#define ALIGN_DOWN(x, a) ALIGN((x) - ((a) - 1), (a))
#define IS_ALIGNED(v, a) (((v) & ((typeof(v))(a) - 1)) == 0)

int __drm_open_driver(int chipset);
int __drm_open_driver_render(int chipset);
int drm_open_driver(int chipset);
int drm_open_driver_render(int chipset);
int drm_reopen_driver(int fd);
int __drm_close_driver(int fd);
int drm_close_driver(int fd);

#define do_or_die(x) igt_assert((x) == 0)

/* The ioctl succeeds; errno is cleared so later failures report theirs. */
#define do_ioctl(fd, ioc, ioc_data) do { \
	igt_assert_eq(igt_ioctl((fd), (ioc), (ioc_data)), 0); \
	errno = 0; \
} while (0)

/* The ioctl fails with errno @err. */
#define do_ioctl_err(fd, ioc, ioc_data, err) do { \
	igt_assert_eq(igt_ioctl((fd), (ioc), (ioc_data)), -1); \
	igt_assert_eq(errno, err); \
	errno = 0; \
} while (0)

#endif /* DRMTEST_H */
