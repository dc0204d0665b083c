/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Copyright 2026 The vsvm authors */

#ifndef __VSVM_PARAMS_H__
#define __VSVM_PARAMS_H__

#include <linux/sizes.h>

/* Device limits reported by GET_PARAM and enforced at the ioctl boundary. */
#define VSVM_MAX_WG_SIZE	1024
#define VSVM_MAX_SHARED_SIZE	SZ_64K
#define VSVM_MAX_SCRATCH_SIZE	SZ_4K
#define VSVM_MAX_ARGS_SIZE	SZ_4K
#define VSVM_MAX_CODE_SIZE	SZ_1M
#define VSVM_MAX_IN_SYNCS	64

extern unsigned int vsvm_job_timeout_ms;
extern unsigned int vsvm_fault_timeout_ms;
extern unsigned int vsvm_max_ranges_per_vm;
extern unsigned int vsvm_fault_workers_per_user;

#endif /* __VSVM_PARAMS_H__ */
