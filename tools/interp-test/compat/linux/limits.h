/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef _COMPAT_LINUX_LIMITS_H
#define _COMPAT_LINUX_LIMITS_H

/* glibc includes this name for NR_OPEN and friends: keep them. */
#include_next <linux/limits.h>
#include <stdint.h>

#define U8_MAX		UINT8_MAX
#define U16_MAX		UINT16_MAX
#define U32_MAX		UINT32_MAX
#define U64_MAX		UINT64_MAX
#define S32_MIN		INT32_MIN
#define S32_MAX		INT32_MAX
#define S64_MIN		INT64_MIN
#define S64_MAX		INT64_MAX

#endif
