/* SPDX-License-Identifier: MIT */
/*
 * vsvm instruction set, version 1.0. docs/isa.md is the manual; this header
 * is the encoding shared by the kernel, tools/vsvm-as and Mesa.
 *
 * Every instruction is 16 bytes: two little-endian 64-bit words.
 *
 *   word0  63      56 55   48 47   40 39   32 31   24 23   16 15    8 7     0
 *          [ flags  ][ sub   ][ mod   ][ src2 ][ src1 ][ src0 ][ dst  ][ op  ]
 *   word1  imm: a 64-bit immediate (offset, constant, code or operand)
 *
 * A field an opcode does not use must be zero, so the validator can reject
 * any encoding the decoder would not understand.
 */
#ifndef _UAPI_VSVM_ISA_H_
#define _UAPI_VSVM_ISA_H_

#include <linux/types.h>

#define VSVM_ISA_VERSION_MAJOR	1
#define VSVM_ISA_VERSION_MINOR	0
#define VSVM_ISA_VERSION	((VSVM_ISA_VERSION_MAJOR << 16) | VSVM_ISA_VERSION_MINOR)

#define VSVM_INSN_SIZE		16
#define VSVM_NUM_REGS		256
#define VSVM_WAVE_WIDTH		32
#define VSVM_MAX_NESTING	32

/* word0 fields */
#define VSVM_W0_OP_SHIFT	0
#define VSVM_W0_DST_SHIFT	8
#define VSVM_W0_SRC0_SHIFT	16
#define VSVM_W0_SRC1_SHIFT	24
#define VSVM_W0_SRC2_SHIFT	32
#define VSVM_W0_MOD_SHIFT	40
#define VSVM_W0_SUB_SHIFT	48
#define VSVM_W0_FLAGS_SHIFT	56

/* flags: VSVM_F_SRC1_IMM replaces the src1 operand by imm (src1 must be 0). */
#define VSVM_F_SRC1_IMM		(1 << 0)

/*
 * mod for integer ALU, CMP and SEL: the operand width. 32-bit results are
 * zero-extended into the 64-bit register.
 */
#define VSVM_MOD_32		0
#define VSVM_MOD_64		1

/*
 * mod for LD, ST, ATOM and LDARG:
 *   bits 2:0  log2 of the access size in bytes (0..4; ATOM: 2..3)
 *   bit  3    LD/LDARG: sign-extend to 64 bits (sizes 1, 2, 4)
 *   bits 5:4  address space (LD, ST, ATOM)
 */
#define VSVM_MOD_SIZE_MASK	0x7
#define VSVM_MOD_SIGNED		(1 << 3)
#define VSVM_MOD_SPACE_SHIFT	4
#define VSVM_MOD_SPACE_MASK	(0x3 << VSVM_MOD_SPACE_SHIFT)
#define VSVM_SPACE_GLOBAL	0
#define VSVM_SPACE_SHARED	1
#define VSVM_SPACE_SCRATCH	2

/**
 * enum vsvm_opcode - word0 bits 7:0
 *
 * Operands: d = dst, a = src0, b = src1 (or imm with VSVM_F_SRC1_IMM),
 * c = src2, i = imm.
 */
enum vsvm_opcode {
	VSVM_OP_NOP	= 0x00,	/* */
	VSVM_OP_END	= 0x01,	/* the wave ends */
	VSVM_OP_MOV	= 0x02,	/* d = a */
	VSVM_OP_MOVI	= 0x03,	/* d = i */

	/* integer, mod = width */
	VSVM_OP_ADD	= 0x10,	/* d = a + b */
	VSVM_OP_SUB	= 0x11,	/* d = a - b */
	VSVM_OP_MUL	= 0x12,	/* d = a * b, low half */
	VSVM_OP_MULHU	= 0x13,	/* d = high half of unsigned a * b */
	VSVM_OP_MULHS	= 0x14,	/* d = high half of signed a * b */
	VSVM_OP_DIVU	= 0x15,	/* b == 0: all ones */
	VSVM_OP_DIVS	= 0x16,	/* b == 0: -1; MIN / -1: MIN */
	VSVM_OP_REMU	= 0x17,	/* b == 0: a */
	VSVM_OP_REMS	= 0x18,	/* b == 0: a; MIN % -1: 0; sign of a */
	VSVM_OP_AND	= 0x19,
	VSVM_OP_OR	= 0x1a,
	VSVM_OP_XOR	= 0x1b,
	VSVM_OP_SHL	= 0x1c,	/* shift count taken modulo the width */
	VSVM_OP_SHRU	= 0x1d,
	VSVM_OP_SHRS	= 0x1e,
	VSVM_OP_MINU	= 0x1f,
	VSVM_OP_MINS	= 0x20,
	VSVM_OP_MAXU	= 0x21,
	VSVM_OP_MAXS	= 0x22,
	VSVM_OP_NOT	= 0x28,	/* d = ~a */
	VSVM_OP_NEG	= 0x29,	/* d = -a */
	VSVM_OP_POPCNT	= 0x2a,
	VSVM_OP_CLZ	= 0x2b,	/* a == 0: width */
	VSVM_OP_CTZ	= 0x2c,	/* a == 0: width */
	VSVM_OP_ICMP	= 0x2d,	/* d = (a sub b) ? 0xffffffff : 0 */

	/* fp32, IEEE 754 binary32, round to nearest even, no exceptions */
	VSVM_OP_FADD	= 0x30,
	VSVM_OP_FSUB	= 0x31,
	VSVM_OP_FMUL	= 0x32,
	VSVM_OP_FDIV	= 0x33,
	VSVM_OP_FFMA	= 0x34,	/* d = a * b + c, exact product, one rounding of the sum in fp64 */
	VSVM_OP_FMIN	= 0x35,	/* IEEE minNum: a NaN operand yields the other */
	VSVM_OP_FMAX	= 0x36,
	VSVM_OP_FNEG	= 0x37,
	VSVM_OP_FABS	= 0x38,
	VSVM_OP_FSQRT	= 0x39,
	VSVM_OP_FFLOOR	= 0x3a,
	VSVM_OP_FCEIL	= 0x3b,
	VSVM_OP_FTRUNC	= 0x3c,
	VSVM_OP_FRNDE	= 0x3d,	/* round to nearest, ties to even */
	VSVM_OP_FCMP	= 0x3e,	/* d = (a sub b) ? 0xffffffff : 0 */

	VSVM_OP_CVT	= 0x40,	/* d = convert(a), sub = enum vsvm_cvt */
	VSVM_OP_SEL	= 0x41,	/* d = low32(a) ? b : c, mod = width */

	/* memory */
	VSVM_OP_LD	= 0x50,	/* d = [a + i]; size 16 writes d and d + 1 */
	VSVM_OP_ST	= 0x51,	/* [a + i] = b; size 16 reads b and b + 1 */
	VSVM_OP_ATOM	= 0x52,	/* d = old [a + i]; [a + i] = sub(old, b, c) */
	VSVM_OP_LDARG	= 0x53,	/* d = args[i], uniform */
	VSVM_OP_FENCE	= 0x54,	/* orders this lane's memory accesses (full barrier) */

	/* structured control flow */
	VSVM_OP_IF	= 0x60,	/* lanes with low32(a) != 0 run the then-block */
	VSVM_OP_ELSE	= 0x61,
	VSVM_OP_ENDIF	= 0x62,
	VSVM_OP_LOOP	= 0x63,
	VSVM_OP_ENDLOOP	= 0x64,	/* back to the matching LOOP */
	VSVM_OP_BREAK	= 0x65,	/* active lanes leave the innermost loop */
	VSVM_OP_CONTINUE = 0x66, /* active lanes go to the innermost ENDLOOP */
	VSVM_OP_EXIT	= 0x67,	/* active lanes end */
	VSVM_OP_BAR	= 0x68,	/* workgroup barrier and shared-memory fence */
	VSVM_OP_TRAP	= 0x69,	/* the job fails with DRM_VSVM_STATUS_TRAP, info = low32(i) */

	VSVM_OP_SV	= 0x70,	/* d = system value sub */

	VSVM_OP_COUNT
};

/** enum vsvm_cond - sub of ICMP (U/S variants) and FCMP (ordered, NE unordered) */
enum vsvm_cond {
	VSVM_COND_EQ	= 0,
	VSVM_COND_NE	= 1,
	VSVM_COND_LTU	= 2,	/* ICMP only */
	VSVM_COND_LEU	= 3,	/* ICMP only */
	VSVM_COND_LTS	= 4,	/* ICMP: signed; FCMP: less than */
	VSVM_COND_LES	= 5,	/* ICMP: signed; FCMP: less or equal */
	VSVM_COND_COUNT
};

/** enum vsvm_cvt - sub of CVT; fp to int truncates and saturates, NaN is 0 */
enum vsvm_cvt {
	VSVM_CVT_F32_S32 = 0,	/* int32 -> fp32 */
	VSVM_CVT_F32_U32 = 1,
	VSVM_CVT_F32_S64 = 2,
	VSVM_CVT_F32_U64 = 3,
	VSVM_CVT_S32_F32 = 4,	/* fp32 -> int32 */
	VSVM_CVT_U32_F32 = 5,
	VSVM_CVT_S64_F32 = 6,
	VSVM_CVT_U64_F32 = 7,
	VSVM_CVT_SEXT8	 = 8,	/* sign-extend the low 8 bits to 64 */
	VSVM_CVT_SEXT16	 = 9,
	VSVM_CVT_SEXT32	 = 10,
	VSVM_CVT_ZEXT8	 = 11,	/* zero-extend the low 8 bits to 64 */
	VSVM_CVT_ZEXT16	 = 12,
	VSVM_CVT_ZEXT32	 = 13,
	VSVM_CVT_COUNT
};

/** enum vsvm_atomic - sub of ATOM */
enum vsvm_atomic {
	VSVM_ATOMIC_ADD	 = 0,
	VSVM_ATOMIC_SMIN = 1,
	VSVM_ATOMIC_SMAX = 2,
	VSVM_ATOMIC_UMIN = 3,
	VSVM_ATOMIC_UMAX = 4,
	VSVM_ATOMIC_AND	 = 5,
	VSVM_ATOMIC_OR	 = 6,
	VSVM_ATOMIC_XOR	 = 7,
	VSVM_ATOMIC_XCHG = 8,
	VSVM_ATOMIC_CMPXCHG = 9,	/* if old == c then store b */
	VSVM_ATOMIC_COUNT
};

/** enum vsvm_sysval - sub of SV; X, Y, Z are consecutive */
enum vsvm_sysval {
	VSVM_SV_LOCAL_ID_X	= 0,
	VSVM_SV_WG_ID_X		= 3,
	VSVM_SV_NUM_WG_X	= 6,
	VSVM_SV_WG_SIZE_X	= 9,
	VSVM_SV_GLOBAL_ID_X	= 12,
	VSVM_SV_LANE_ID		= 15,
	VSVM_SV_WAVE_ID		= 16,
	VSVM_SV_COUNT		= 17
};

static inline __u64 vsvm_insn_word0(__u8 op, __u8 dst, __u8 src0, __u8 src1,
				    __u8 src2, __u8 mod, __u8 sub, __u8 flags)
{
	return ((__u64)op << VSVM_W0_OP_SHIFT) |
	       ((__u64)dst << VSVM_W0_DST_SHIFT) |
	       ((__u64)src0 << VSVM_W0_SRC0_SHIFT) |
	       ((__u64)src1 << VSVM_W0_SRC1_SHIFT) |
	       ((__u64)src2 << VSVM_W0_SRC2_SHIFT) |
	       ((__u64)mod << VSVM_W0_MOD_SHIFT) |
	       ((__u64)sub << VSVM_W0_SUB_SHIFT) |
	       ((__u64)flags << VSVM_W0_FLAGS_SHIFT);
}

#define VSVM_W0_FIELD(w0, f)	((__u8)((w0) >> VSVM_W0_##f##_SHIFT))

#endif /* _UAPI_VSVM_ISA_H_ */
