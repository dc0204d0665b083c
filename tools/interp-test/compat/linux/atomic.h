/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The kernel's value-returning atomics are fully ordered; the __atomic
 * builtins with __ATOMIC_SEQ_CST are at least as strong.
 */
#ifndef _COMPAT_LINUX_ATOMIC_H
#define _COMPAT_LINUX_ATOMIC_H

#include <linux/types.h>

typedef struct { int counter; } atomic_t;
typedef struct { s64 counter; } atomic64_t;

/* A full fence, like the kernel's smp_mb(). */
#define smp_mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)

#define __COMPAT_ATOMIC(pfx, t, T)					\
static inline T pfx##_read(const t *v)					\
{									\
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);		\
}									\
static inline T pfx##_fetch_add(T i, t *v)				\
{									\
	return __atomic_fetch_add(&v->counter, i, __ATOMIC_SEQ_CST);	\
}									\
static inline T pfx##_fetch_and(T i, t *v)				\
{									\
	return __atomic_fetch_and(&v->counter, i, __ATOMIC_SEQ_CST);	\
}									\
static inline T pfx##_fetch_or(T i, t *v)				\
{									\
	return __atomic_fetch_or(&v->counter, i, __ATOMIC_SEQ_CST);	\
}									\
static inline T pfx##_fetch_xor(T i, t *v)				\
{									\
	return __atomic_fetch_xor(&v->counter, i, __ATOMIC_SEQ_CST);	\
}									\
static inline T pfx##_xchg(t *v, T i)					\
{									\
	return __atomic_exchange_n(&v->counter, i, __ATOMIC_SEQ_CST);	\
}									\
static inline T pfx##_cmpxchg(t *v, T old, T new)			\
{									\
	__atomic_compare_exchange_n(&v->counter, &old, new, false,	\
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);\
	return old;							\
}									\
static inline bool pfx##_try_cmpxchg(t *v, T *old, T new)		\
{									\
	return __atomic_compare_exchange_n(&v->counter, old, new, false,\
					   __ATOMIC_SEQ_CST,		\
					   __ATOMIC_SEQ_CST);		\
}

__COMPAT_ATOMIC(atomic, atomic_t, int)
__COMPAT_ATOMIC(atomic64, atomic64_t, s64)

#endif
