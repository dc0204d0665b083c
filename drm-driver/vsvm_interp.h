/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Copyright 2026 The vsvm authors */

#ifndef __VSVM_INTERP_H__
#define __VSVM_INTERP_H__

#include <linux/atomic.h>
#include <linux/types.h>

#include "include/uapi/drm/vsvm_isa.h"
#include "vsvm_wave.h"

struct vsvm_mmu;
struct vsvm_tlb;

/* vsvm_insn.handler: an opcode, and the sub field that selects an operation. */
#define VSVM_HANDLER(op, sub)	((op) << 4 | (sub))
/* vsvm_insn.variant of an ALU instruction: */
#define VSVM_VARIANT_IMM	1	/* b is the immediate */
#define VSVM_VARIANT_W64	2	/* a 64-bit operation */

/**
 * struct vsvm_insn - a pre-decoded instruction
 *
 * Built once per job by vsvm_prog_decode() so the interpreter never looks at
 * raw encodings or searches for a matching control-flow instruction.
 */
struct vsvm_insn {
	/** @op: enum vsvm_opcode. */
	u8 op;
	/** @dst: destination register. */
	u8 dst;
	/** @src0: first source register. */
	u8 src0;
	/** @src1: second source register (unused with VSVM_F_SRC1_IMM). */
	u8 src1;
	/** @src2: third source register. */
	u8 src2;
	/** @mod: width, or memory size/sign/space. */
	u8 mod;
	/** @sub: condition, conversion, atomic op or system value. */
	u8 sub;
	/** @flags: VSVM_F_*. */
	u8 flags;
	/**
	 * @handler: what the interpreter dispatches on, VSVM_HANDLER() of the
	 * opcode and, for ICMP, FCMP and CVT, of the sub field, so that it
	 * reaches the loop of an ALU operation in one step.
	 */
	u16 handler;
	/** @variant: VSVM_VARIANT_* of an ALU instruction, otherwise 0. */
	u8 variant;
	/**
	 * @target: index of the related instruction. IF: its ELSE, or its
	 * ENDIF when it has none. ELSE: its ENDIF. LOOP: its ENDLOOP.
	 * ENDLOOP: its LOOP. BREAK, CONTINUE: the innermost ENDLOOP.
	 */
	u32 target;
	/** @imm: word1. */
	u64 imm;
};

/**
 * struct vsvm_prog - validated, pre-decoded shader code
 */
struct vsvm_prog {
	/** @n_insns: instructions in @insns. */
	u32 n_insns;
	/** @n_regs: registers a lane needs: highest register used plus one. */
	u32 n_regs;
	/** @max_depth: deepest control-flow nesting reached. */
	u32 max_depth;
	/** @insns: the code. */
	struct vsvm_insn insns[] __counted_by(n_insns);
};

/** enum vsvm_stop - why vsvm_interp_run() returned */
enum vsvm_stop {
	/** @VSVM_STOP_BUDGET: the instruction budget ran out. */
	VSVM_STOP_BUDGET = 0,
	/** @VSVM_STOP_BARRIER: the wave reached BAR; @pc is past it. */
	VSVM_STOP_BARRIER,
	/** @VSVM_STOP_DONE: every lane of the wave ended. */
	VSVM_STOP_DONE,
	/**
	 * @VSVM_STOP_FAULT: a global access found no usable translation; the
	 * faulting instruction has not retired (@pc points at it) and the
	 * context's fault fields say where. The caller services the fault
	 * outside the FPU section and the TLB lock, then runs the wave again.
	 */
	VSVM_STOP_FAULT,
	/** @VSVM_STOP_ERROR: the job must fail with the context's @status. */
	VSVM_STOP_ERROR,
};

/**
 * struct vsvm_interp_ctx - what a workgroup's waves run against
 */
struct vsvm_interp_ctx {
	/** @prog: the code. */
	const struct vsvm_prog *prog;
	/** @mmu: the VM's GPU page table. */
	struct vsvm_mmu *mmu;
	/** @tlb: the compute unit's TLB; its lock is held by the caller. */
	struct vsvm_tlb *tlb;
	/**
	 * @yield: nonzero while a shootdown waits for the TLB lock: the run
	 * ends before its next instruction (after at least one, so a wave
	 * always makes progress).
	 */
	const atomic_t *yield;
	/** @args_va: GPU VA of the argument buffer. */
	u64 args_va;
	/** @args_size: bytes of the argument buffer. */
	u32 args_size;
	/** @grid: workgroups per dimension. */
	u32 grid[3];
	/** @wg_size: lanes per workgroup dimension. */
	u32 wg_size[3];
	/** @wg_id: this workgroup's id. */
	u32 wg_id[3];
	/** @shared: workgroup-shared memory, zeroed at workgroup start. */
	u8 *shared;
	/** @shared_size: bytes at @shared. */
	u32 shared_size;
	/**
	 * @scratch: per-lane scratch; lane L of the workgroup owns
	 * [L * @scratch_size, (L + 1) * @scratch_size).
	 */
	u8 *scratch;
	/** @scratch_size: bytes per lane. */
	u32 scratch_size;

	/** @status: out, enum drm_vsvm_status for VSVM_STOP_ERROR. */
	u32 status;
	/** @fault_access: out, DRM_VSVM_ACCESS_* for FAULT and ERROR. */
	u32 fault_access;
	/** @fault_addr: out, for FAULT and ERROR. */
	u64 fault_addr;
	/** @fault_pc: out, byte offset of the instruction, for FAULT and ERROR. */
	u32 fault_pc;
	/** @info: out, the trap code. */
	u32 info;
	/** @insns: in/out, instructions executed, counted per wave. */
	u64 insns;
};

/**
 * vsvm_mmu_xlate() - translate a GPU VA for the interpreter
 * @tlb: the compute unit's TLB, its lock held
 * @mmu: the GPU page table
 * @va: address
 * @access: DRM_VSVM_ACCESS_READ, _WRITE or _ATOMIC (which implies write)
 *
 * Context: called with the TLB lock held, inside an FPU section. Does not
 * sleep. Implemented in vsvm_mmu.c.
 *
 * Return: the kernel address of the byte at @va, valid for the rest of its
 * page until the TLB lock is dropped, or NULL if no PTE maps @va with
 * @access.
 */
void *vsvm_mmu_xlate(struct vsvm_tlb *tlb, struct vsvm_mmu *mmu, u64 va, u32 access);

/**
 * enum vsvm_simd - the instruction sets the interpreter's ALU is built for
 * @VSVM_SIMD_PORTABLE: the kernel's baseline x86-64 FPU flags (SSE2)
 * @VSVM_SIMD_AVX2: 256-bit vectors
 * @VSVM_SIMD_AVX512: 512-bit vectors (AVX-512 F, BW, DQ and VL)
 * @VSVM_SIMD_COUNT: number of levels
 */
enum vsvm_simd {
	VSVM_SIMD_PORTABLE,
	VSVM_SIMD_AVX2,
	VSVM_SIMD_AVX512,
	VSVM_SIMD_COUNT
};

/*
 * The level vsvm_interp_run() uses, an enum vsvm_simd the CPU supports. Set
 * once at module load by vsvm_simd_init(), outside any FPU section.
 */
extern int vsvm_simd_level;

int vsvm_prog_decode(const void *code, u32 size, u32 args_size,
		     struct vsvm_prog **out, u32 *bad_offset, const char **why);
enum vsvm_stop vsvm_interp_run(struct vsvm_interp_ctx *ctx, struct vsvm_wave *w, u32 budget);

#endif /* __VSVM_INTERP_H__ */
