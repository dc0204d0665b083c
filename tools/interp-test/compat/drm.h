/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Host stand-in for the UAPI drm.h that vsvm_drm.h includes: only the ioctl
 * number macros, which the interpreter never expands.
 */
#ifndef _COMPAT_DRM_H
#define _COMPAT_DRM_H

#include <sys/ioctl.h>

#define DRM_IOCTL_BASE		'd'
#define DRM_COMMAND_BASE	0x40
#define DRM_IOW(nr, type)	_IOW(DRM_IOCTL_BASE, nr, type)
#define DRM_IOWR(nr, type)	_IOWR(DRM_IOCTL_BASE, nr, type)

#endif
