// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */

/**
 * DOC: Interpreter instruction set
 *
 * vsvm_interp.c carries its ALU three times: built for the kernel's baseline
 * x86-64 flags, for AVX2 and for AVX-512, so that 32 lanes of a 32-bit
 * operation are one or two vector instructions. Which copy runs is chosen
 * once here, at module load, from the CPU's features and the XSAVE state
 * the kernel manages (kernel_fpu_begin() saves exactly that state, so a
 * vector unit whose registers it does not save is never used). On CPUs
 * where the kernel's own crypto code avoids 512-bit registers because they
 * slow the core down, AVX2 is the most we use. The simd_max parameter caps
 * the choice, for tests and comparisons.
 *
 * This file is built without the FPU flags: it only reads CPU features.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/printk.h>

#include <asm/cpu_device_id.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/intel-family.h>

#include "vsvm_interp.h"
#include "vsvm_simd.h"

int vsvm_simd_level;

static int simd_max = -1;
module_param(simd_max, int, 0444);
MODULE_PARM_DESC(simd_max,
		 "Widest vector code of the shader interpreter: -1 the best the CPU has (default), 0 portable, 1 AVX2, 2 AVX-512");

/*
 * CPUs on which 512-bit registers cost more than they give: the list the
 * kernel's AES-GCM/XTS code (arch/x86/crypto/aesni-intel_glue.c) keeps.
 */
static const struct x86_cpu_id vsvm_zmm_slow[] = {
	X86_MATCH_VFM(INTEL_SKYLAKE_X, 0),
	X86_MATCH_VFM(INTEL_ICELAKE_X, 0),
	X86_MATCH_VFM(INTEL_ICELAKE_D, 0),
	X86_MATCH_VFM(INTEL_ICELAKE, 0),
	X86_MATCH_VFM(INTEL_ICELAKE_L, 0),
	X86_MATCH_VFM(INTEL_ICELAKE_NNPI, 0),
	X86_MATCH_VFM(INTEL_TIGERLAKE_L, 0),
	X86_MATCH_VFM(INTEL_TIGERLAKE, 0),
	{}
};

static const char *const vsvm_simd_names[VSVM_SIMD_COUNT] = {
	[VSVM_SIMD_PORTABLE] = "portable",
	[VSVM_SIMD_AVX2] = "avx2",
	[VSVM_SIMD_AVX512] = "avx512",
};

static int vsvm_simd_best(void)
{
	if (!boot_cpu_has(X86_FEATURE_AVX) || !boot_cpu_has(X86_FEATURE_AVX2) ||
	    !cpu_has_xfeatures(XFEATURE_MASK_SSE | XFEATURE_MASK_YMM, NULL))
		return VSVM_SIMD_PORTABLE;
	if (!boot_cpu_has(X86_FEATURE_AVX512F) || !boot_cpu_has(X86_FEATURE_AVX512BW) ||
	    !boot_cpu_has(X86_FEATURE_AVX512DQ) || !boot_cpu_has(X86_FEATURE_AVX512VL) ||
	    !cpu_has_xfeatures(XFEATURE_MASK_SSE | XFEATURE_MASK_YMM | XFEATURE_MASK_AVX512,
			       NULL) ||
	    x86_match_cpu(vsvm_zmm_slow))
		return VSVM_SIMD_AVX2;
	return VSVM_SIMD_AVX512;
}

/**
 * vsvm_simd_init() - choose the interpreter's instruction set
 *
 * Context: module load, before any job runs.
 */
void vsvm_simd_init(void)
{
	int level = vsvm_simd_best();

	if (simd_max >= 0 && simd_max < level)
		level = simd_max;
	vsvm_simd_level = level;
	pr_info("shader interpreter: %s (CPU: %s, simd_max=%d)\n", vsvm_simd_names[level],
		boot_cpu_data.x86_model_id[0] ? boot_cpu_data.x86_model_id : "unknown",
		simd_max);
}

/**
 * vsvm_simd_name() - the instruction set the interpreter runs
 *
 * Return: "portable", "avx2" or "avx512".
 */
const char *vsvm_simd_name(void)
{
	return vsvm_simd_names[vsvm_simd_level];
}
