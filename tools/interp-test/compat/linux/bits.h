/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef _COMPAT_LINUX_BITS_H
#define _COMPAT_LINUX_BITS_H

#define BIT(nr)		(1UL << (nr))

#endif
