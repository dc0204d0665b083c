/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef _COMPAT_LINUX_SIZES_H
#define _COMPAT_LINUX_SIZES_H

#define SZ_4K		0x00001000

#endif
