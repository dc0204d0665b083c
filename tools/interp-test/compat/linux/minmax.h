/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef _COMPAT_LINUX_MINMAX_H
#define _COMPAT_LINUX_MINMAX_H

/* Like the kernel's, both operands must have the same type. */
#define __compat_cmp(x, y, op) ({				\
	__typeof__(x) _x = (x);					\
	__typeof__(y) _y = (y);					\
	(void)(&_x == &_y);					\
	_x op _y ? _x : _y; })

#define min(x, y)		__compat_cmp(x, y, <)
#define max(x, y)		__compat_cmp(x, y, >)
#define min_t(type, x, y)	__compat_cmp((type)(x), (type)(y), <)
#define max_t(type, x, y)	__compat_cmp((type)(x), (type)(y), >)

#endif
