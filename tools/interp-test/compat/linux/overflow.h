/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef _COMPAT_LINUX_OVERFLOW_H
#define _COMPAT_LINUX_OVERFLOW_H

#include <stddef.h>
#include <stdint.h>

/* Saturates to SIZE_MAX on overflow, so the allocation fails. */
static inline size_t __compat_struct_size(size_t base, size_t elem, size_t n)
{
	size_t bytes;

	if (__builtin_mul_overflow(elem, n, &bytes) ||
	    __builtin_add_overflow(bytes, base, &bytes))
		return SIZE_MAX;
	return bytes;
}

#define struct_size(p, member, n) \
	__compat_struct_size(sizeof(*(p)), sizeof(*(p)->member), (n))

#endif
