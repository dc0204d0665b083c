/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef _COMPAT_ASM_FPU_API_H
#define _COMPAT_ASM_FPU_API_H

#include <linux/types.h>

/*
 * Userspace always owns its FPU registers: as if inside kernel_fpu_begin(),
 * where irq_fpu_usable() is false. The harness sets this to test the
 * interpreter's check that it runs inside an FPU section.
 */
extern bool compat_fpu_usable;

static inline bool irq_fpu_usable(void)
{
	return compat_fpu_usable;
}

#endif
