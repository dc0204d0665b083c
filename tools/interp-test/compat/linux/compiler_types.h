/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Host stand-in for the kernel's linux/compiler_types.h, force-included into
 * every file like Kbuild does.
 */
#ifndef _COMPAT_LINUX_COMPILER_TYPES_H
#define _COMPAT_LINUX_COMPILER_TYPES_H

#define __always_inline		inline __attribute__((__always_inline__))
#define noinline		__attribute__((__noinline__))
#define fallthrough		__attribute__((__fallthrough__))
#define __counted_by(member)

#endif
