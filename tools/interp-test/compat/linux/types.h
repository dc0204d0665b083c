/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef _COMPAT_LINUX_TYPES_H
#define _COMPAT_LINUX_TYPES_H

/* The UAPI __u8.. __s64, which system headers also rely on. */
#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;
typedef unsigned __int128 u128;
typedef __int128 s128;

typedef unsigned int gfp_t;

#endif
