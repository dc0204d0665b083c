/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Copyright 2026 The vsvm authors */

#ifndef __VSVM_WAVE_H__
#define __VSVM_WAVE_H__

#include <linux/types.h>

#include "include/uapi/drm/vsvm_isa.h"

/**
 * struct vsvm_cf_frame - one level of a wave's control-flow stack
 */
struct vsvm_cf_frame {
	/** @is_loop: a LOOP frame, else an IF frame. */
	u32 is_loop;
	/** @saved: IF: exec when the IF began. LOOP: unused. */
	u32 saved;
	/** @pending: IF: lanes waiting for the ELSE block. LOOP: lanes that hit BREAK. */
	u32 pending;
	/** @cont: LOOP: lanes that hit CONTINUE in this iteration. */
	u32 cont;
};

/*
 * Words of one register across a wave: the low 32 bits of every lane, then
 * the high 32 bits of every lane. A 32-bit operation reads and writes dense
 * rows of 32-bit values, as wide vector units want them.
 */
#define VSVM_REG_WORDS		(2 * VSVM_WAVE_WIDTH)

/** enum vsvm_wave_state - where a wave stands between two vsvm_interp_run() */
enum vsvm_wave_state {
	VSVM_WAVE_RUNNING = 0,
	VSVM_WAVE_BARRIER,
	VSVM_WAVE_DONE,
};

/**
 * struct vsvm_wave - state of one wave of a workgroup
 */
struct vsvm_wave {
	/** @pc: index of the next instruction. */
	u32 pc;
	/** @exec: lanes that execute the next instruction. */
	u32 exec;
	/** @live: lanes that exist (the last wave may be partial). */
	u32 live;
	/** @exited: lanes that executed EXIT. */
	u32 exited;
	/**
	 * @mem_done: lanes of the memory instruction at @pc that already
	 * completed before a fault stopped it, so a retry does not repeat
	 * them. Zero whenever the instruction at @pc has not started.
	 */
	u32 mem_done;
	/** @depth: frames in use in @stack. */
	u32 depth;
	/** @state: enum vsvm_wave_state. */
	u32 state;
	/** @id: index of the wave in its workgroup. */
	u32 id;
	/** @stack: control-flow frames, innermost last. */
	struct vsvm_cf_frame stack[VSVM_MAX_NESTING];
	/**
	 * @regs: n_regs registers of %VSVM_REG_WORDS words: the low half of
	 * register R of lane L is [R * %VSVM_REG_WORDS + L], its high half
	 * %VSVM_WAVE_WIDTH words further.
	 */
	u32 *regs;
};

void vsvm_wave_init(struct vsvm_wave *w, u32 id, u32 live, u32 *regs, u32 n_regs);

#endif /* __VSVM_WAVE_H__ */
