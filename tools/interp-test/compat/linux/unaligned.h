/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef _COMPAT_LINUX_UNALIGNED_H
#define _COMPAT_LINUX_UNALIGNED_H

#include <linux/types.h>

/* A packed wrapper tells the compiler the access may be unaligned. */
#define get_unaligned(ptr) ({						\
	const struct { __typeof__(*(ptr)) x; } __attribute__((packed))	\
		*_p = (const void *)(ptr);				\
	_p->x; })

#define put_unaligned(val, ptr) do {					\
	struct { __typeof__(*(ptr)) x; } __attribute__((packed))	\
		*_p = (void *)(ptr);					\
	_p->x = (val);							\
} while (0)

static inline u64 get_unaligned_le64(const void *p)
{
	const u8 *b = p;
	u64 v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

#endif
