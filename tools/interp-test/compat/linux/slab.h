/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef _COMPAT_LINUX_SLAB_H
#define _COMPAT_LINUX_SLAB_H

#include <stdlib.h>
#include <linux/types.h>

#define GFP_KERNEL		0u
#define GFP_KERNEL_ACCOUNT	0u

/* The harness can make the next allocations fail to test -ENOMEM paths. */
extern int compat_kvmalloc_fail;

static inline void *kvmalloc(size_t size, gfp_t flags)
{
	(void)flags;
	if (compat_kvmalloc_fail) {
		compat_kvmalloc_fail--;
		return NULL;
	}
	return malloc(size);
}

static inline void kvfree(const void *p)
{
	free((void *)p);
}

#endif
