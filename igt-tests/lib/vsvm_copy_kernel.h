/* SPDX-License-Identifier: MIT */
/*
 * The strided block copy that measures the engine's TLB: the TLB
 * benchmark (bench/tlb.c) and the TLB tests (vsvm_security.c) run the
 * same kernel, so that what the tests assert is what the benchmark times.
 *
 * One wave of 32 lanes copies @n blocks of VSVM_COPY_BLOCK bytes, block i
 * from src + i * src_step to dst + i * dst_step, all of it @rounds times;
 * lane l copies 16 bytes, read at src + l * lane_step (16: the block is
 * contiguous) and written to dst + l * 16.  The arguments are struct
 * vsvm_copy_args, u64 each.  ISA assembly text, for vsvm_assemble().
 */
#ifndef VSVM_COPY_KERNEL_H
#define VSVM_COPY_KERNEL_H

#include <stdint.h>

#define VSVM_COPY_BLOCK	512

struct vsvm_copy_args {
	uint64_t src, dst, n, src_step, dst_step, rounds, lane_step;
};

static const char vsvm_copy_src[] =
	"	sv r1, global_id.x\n"
	"	ldarg.u64 r2, 0\n"
	"	ldarg.u64 r3, 8\n"
	"	ldarg.u64 r4, 16\n"
	"	ldarg.u64 r5, 24\n"
	"	ldarg.u64 r6, 32\n"
	"	ldarg.u64 r7, 40\n"
	"	ldarg.u64 r10, 48\n"
	"	mul.64 r11, r1, r10\n"
	"	add.64 r2, r2, r11\n"
	"	shl.64 r1, r1, 4\n"
	"	add.64 r3, r3, r1\n"
	"	movi r8, 0\n"
	"	loop\n"
	"	    icmp.ltu.64 r9, r8, r7\n"
	"	    if r9\n"
	"	    else\n"
	"	        break\n"
	"	    endif\n"
	"	    mov r12, r2\n"
	"	    mov r13, r3\n"
	"	    movi r14, 0\n"
	"	    loop\n"
	"	        icmp.ltu.64 r9, r14, r4\n"
	"	        if r9\n"
	"	        else\n"
	"	            break\n"
	"	        endif\n"
	"	        ld.global.b128 r16, [r12]\n"
	"	        st.global.b128 [r13], r16\n"
	"	        add.64 r12, r12, r5\n"
	"	        add.64 r13, r13, r6\n"
	"	        add.64 r14, r14, 1\n"
	"	    endloop\n"
	"	    add.64 r8, r8, 1\n"
	"	endloop\n"
	"	end\n";

#endif /* VSVM_COPY_KERNEL_H */
