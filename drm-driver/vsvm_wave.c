// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */

/**
 * DOC: Waves
 *
 * A wave is the %VSVM_WAVE_WIDTH lanes of a workgroup that execute in
 * lockstep: &struct vsvm_wave holds its program counter, its lane masks, its
 * control-flow stack and a pointer to its registers. The compute unit sets a
 * wave up here when a workgroup starts; from then on only vsvm_interp_run()
 * changes it.
 *
 * Setup is apart from the interpreter because it runs outside an FPU
 * section: vsvm_interp.c is built with the kernel's FPU flags, and there the
 * compiler stores this very struct with SSE registers, which a softirq
 * using the FPU may clobber outside kernel_fpu_begin() (a torn @exec would
 * let lanes past the workgroup size run). This file is built like the rest
 * of the driver, without them.
 */

#include <linux/string.h>

#include "vsvm_wave.h"

/**
 * vsvm_wave_init() - prepare a wave to run from the first instruction
 * @w: the wave
 * @id: index of the wave in its workgroup
 * @live: lanes that exist; bit L is local linear index @id * 32 + L
 * @regs: the wave's register file, @n_regs * %VSVM_REG_WORDS words
 * @n_regs: &vsvm_prog.n_regs of the program it will run
 *
 * Registers start at zero, so no value from an earlier job is visible.
 *
 * Context: any, outside or inside an FPU section.
 */
void vsvm_wave_init(struct vsvm_wave *w, u32 id, u32 live, u32 *regs, u32 n_regs)
{
	*w = (struct vsvm_wave) {
		.exec = live,
		.live = live,
		.state = live ? VSVM_WAVE_RUNNING : VSVM_WAVE_DONE,
		.id = id,
		.regs = regs,
	};
	memset(regs, 0, (size_t)n_regs * VSVM_REG_WORDS * sizeof(*regs));
}
