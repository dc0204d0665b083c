/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Copyright 2026 The vsvm authors */

#ifndef __VSVM_SIMD_H__
#define __VSVM_SIMD_H__

void vsvm_simd_init(void);
const char *vsvm_simd_name(void);

#endif /* __VSVM_SIMD_H__ */
