/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef _COMPAT_LINUX_ERRNO_H
#define _COMPAT_LINUX_ERRNO_H

/* The UAPI errno values, then whatever the kernel adds that we need. */
#include_next <linux/errno.h>

#endif
