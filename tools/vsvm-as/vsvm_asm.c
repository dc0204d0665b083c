// SPDX-License-Identifier: MIT
/* Copyright 2026 The vsvm authors */
/*
 * vsvm assembler and disassembler.
 *
 * One table, ops[], describes every opcode: its mnemonic, operand form,
 * modifier kind, sub-operation kind and immediate kind. Assembling,
 * disassembling and validating (vsvm_insn_check()) all read it, so the three
 * cannot disagree, and the tests enumerate the ISA from it.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L	/* open_memstream() */
#endif

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vsvm_isa.h"
#include "vsvm_asm.h"
#include "vsvm_asm_internal.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define __printf(a, b)	__attribute__((format(printf, a, b)))

/* Operands, in source order; d = dst, a = src0, b = src1 or imm, c = src2. */
enum form {
	FORM_NONE,	/* op */
	FORM_D_A,	/* op d, a */
	FORM_D_I,	/* op d, i */
	FORM_D_A_B,	/* op d, a, b */
	FORM_D_A_B_C,	/* op d, a, b, c */
	FORM_A,		/* op a */
	FORM_I,		/* op i */
	FORM_D_SV,	/* op d, sysval */
	FORM_LD,	/* op d, [a + i] */
	FORM_ST,	/* op [a + i], b */
	FORM_ATOM,	/* op d, [a + i], b; cmpxchg: op d, [a + i], b, c */
};

/* What the mod byte holds. */
enum modk {
	MODK_NONE,	/* zero */
	MODK_WIDTH,	/* VSVM_MOD_32 or VSVM_MOD_64 */
	MODK_LD,	/* size, sign, space */
	MODK_ST,	/* size, space */
	MODK_ATOM,	/* size 4 or 8, space */
	MODK_LDARG,	/* size, sign */
};

/* What the sub byte holds. */
enum subk {
	SUBK_NONE,	/* zero */
	SUBK_ICOND,	/* enum vsvm_cond */
	SUBK_FCOND,	/* enum vsvm_cond without LTU and LEU */
	SUBK_CVT,	/* enum vsvm_cvt */
	SUBK_ATOMIC,	/* enum vsvm_atomic */
	SUBK_SV,	/* enum vsvm_sysval */
};

/*
 * How the immediate reads: for FORM_D_A_B and FORM_D_A_B_C the kind of b when
 * it is an immediate (IMM_NONE: b must be a register), otherwise the kind
 * of the i operand.
 */
enum immk {
	IMM_NONE,
	IMM_INT,	/* integer of the operation's width */
	IMM_FP32,	/* float literal, or fp32 bits in hex */
	IMM_DATA,	/* IMM_INT, or a float literal giving its fp32 bits */
	IMM_OFFSET,	/* address offset, modulo 2^64 */
	IMM_UOFF,	/* unsigned offset into the argument buffer */
	IMM_CODE,	/* 32-bit unsigned trap code */
};

/* What an instruction does to the control-flow structure. */
enum cfk {
	CF_NONE,
	CF_IF,
	CF_ELSE,
	CF_ENDIF,
	CF_LOOP,
	CF_ENDLOOP,
	CF_IN_LOOP,	/* BREAK, CONTINUE: only inside a loop */
};

struct op_desc {
	const char *name;
	uint8_t op;
	uint8_t form;
	uint8_t modk;
	uint8_t subk;
	uint8_t immk;
	uint8_t cf;
};

#define OP(n, o, f, m, s, i, c) { n, VSVM_OP_##o, FORM_##f, MODK_##m, \
				  SUBK_##s, IMM_##i, CF_##c }

static const struct op_desc ops[] = {
	OP("nop",	NOP,	  NONE,	    NONE,  NONE,   NONE,   NONE),
	OP("end",	END,	  NONE,	    NONE,  NONE,   NONE,   NONE),
	OP("mov",	MOV,	  D_A,	    NONE,  NONE,   NONE,   NONE),
	OP("movi",	MOVI,	  D_I,	    NONE,  NONE,   DATA,   NONE),

	OP("add",	ADD,	  D_A_B,    WIDTH, NONE,   INT,    NONE),
	OP("sub",	SUB,	  D_A_B,    WIDTH, NONE,   INT,    NONE),
	OP("mul",	MUL,	  D_A_B,    WIDTH, NONE,   INT,    NONE),
	OP("mulhu",	MULHU,	  D_A_B,    WIDTH, NONE,   INT,    NONE),
	OP("mulhs",	MULHS,	  D_A_B,    WIDTH, NONE,   INT,    NONE),
	OP("divu",	DIVU,	  D_A_B,    WIDTH, NONE,   INT,    NONE),
	OP("divs",	DIVS,	  D_A_B,    WIDTH, NONE,   INT,    NONE),
	OP("remu",	REMU,	  D_A_B,    WIDTH, NONE,   INT,    NONE),
	OP("rems",	REMS,	  D_A_B,    WIDTH, NONE,   INT,    NONE),
	OP("and",	AND,	  D_A_B,    WIDTH, NONE,   INT,    NONE),
	OP("or",	OR,	  D_A_B,    WIDTH, NONE,   INT,    NONE),
	OP("xor",	XOR,	  D_A_B,    WIDTH, NONE,   INT,    NONE),
	OP("shl",	SHL,	  D_A_B,    WIDTH, NONE,   INT,    NONE),
	OP("shru",	SHRU,	  D_A_B,    WIDTH, NONE,   INT,    NONE),
	OP("shrs",	SHRS,	  D_A_B,    WIDTH, NONE,   INT,    NONE),
	OP("minu",	MINU,	  D_A_B,    WIDTH, NONE,   INT,    NONE),
	OP("mins",	MINS,	  D_A_B,    WIDTH, NONE,   INT,    NONE),
	OP("maxu",	MAXU,	  D_A_B,    WIDTH, NONE,   INT,    NONE),
	OP("maxs",	MAXS,	  D_A_B,    WIDTH, NONE,   INT,    NONE),
	OP("not",	NOT,	  D_A,	    WIDTH, NONE,   NONE,   NONE),
	OP("neg",	NEG,	  D_A,	    WIDTH, NONE,   NONE,   NONE),
	OP("popcnt",	POPCNT,	  D_A,	    WIDTH, NONE,   NONE,   NONE),
	OP("clz",	CLZ,	  D_A,	    WIDTH, NONE,   NONE,   NONE),
	OP("ctz",	CTZ,	  D_A,	    WIDTH, NONE,   NONE,   NONE),
	OP("icmp",	ICMP,	  D_A_B,    WIDTH, ICOND,  INT,    NONE),

	OP("fadd",	FADD,	  D_A_B,    NONE,  NONE,   FP32,   NONE),
	OP("fsub",	FSUB,	  D_A_B,    NONE,  NONE,   FP32,   NONE),
	OP("fmul",	FMUL,	  D_A_B,    NONE,  NONE,   FP32,   NONE),
	OP("fdiv",	FDIV,	  D_A_B,    NONE,  NONE,   FP32,   NONE),
	OP("ffma",	FFMA,	  D_A_B_C,  NONE,  NONE,   FP32,   NONE),
	OP("fmin",	FMIN,	  D_A_B,    NONE,  NONE,   FP32,   NONE),
	OP("fmax",	FMAX,	  D_A_B,    NONE,  NONE,   FP32,   NONE),
	OP("fneg",	FNEG,	  D_A,	    NONE,  NONE,   NONE,   NONE),
	OP("fabs",	FABS,	  D_A,	    NONE,  NONE,   NONE,   NONE),
	OP("fsqrt",	FSQRT,	  D_A,	    NONE,  NONE,   NONE,   NONE),
	OP("ffloor",	FFLOOR,	  D_A,	    NONE,  NONE,   NONE,   NONE),
	OP("fceil",	FCEIL,	  D_A,	    NONE,  NONE,   NONE,   NONE),
	OP("ftrunc",	FTRUNC,	  D_A,	    NONE,  NONE,   NONE,   NONE),
	OP("frnde",	FRNDE,	  D_A,	    NONE,  NONE,   NONE,   NONE),
	OP("fcmp",	FCMP,	  D_A_B,    NONE,  FCOND,  FP32,   NONE),

	OP("cvt",	CVT,	  D_A,	    NONE,  CVT,    NONE,   NONE),
	OP("sel",	SEL,	  D_A_B_C,  WIDTH, NONE,   DATA,   NONE),

	OP("ld",	LD,	  LD,	    LD,	   NONE,   OFFSET, NONE),
	OP("st",	ST,	  ST,	    ST,	   NONE,   OFFSET, NONE),
	OP("atom",	ATOM,	  ATOM,	    ATOM,  ATOMIC, OFFSET, NONE),
	OP("ldarg",	LDARG,	  D_I,	    LDARG, NONE,   UOFF,   NONE),
	OP("fence",	FENCE,	  NONE,	    NONE,  NONE,   NONE,   NONE),

	OP("if",	IF,	  A,	    NONE,  NONE,   NONE,   IF),
	OP("else",	ELSE,	  NONE,	    NONE,  NONE,   NONE,   ELSE),
	OP("endif",	ENDIF,	  NONE,	    NONE,  NONE,   NONE,   ENDIF),
	OP("loop",	LOOP,	  NONE,	    NONE,  NONE,   NONE,   LOOP),
	OP("endloop",	ENDLOOP,  NONE,	    NONE,  NONE,   NONE,   ENDLOOP),
	OP("break",	BREAK,	  NONE,	    NONE,  NONE,   NONE,   IN_LOOP),
	OP("continue",	CONTINUE, NONE,	    NONE,  NONE,   NONE,   IN_LOOP),
	OP("exit",	EXIT,	  NONE,	    NONE,  NONE,   NONE,   NONE),
	OP("bar",	BAR,	  NONE,	    NONE,  NONE,   NONE,   NONE),
	OP("trap",	TRAP,	  I,	    NONE,  NONE,   CODE,   NONE),

	OP("sv",	SV,	  D_SV,	    NONE,  SV,	   NONE,   NONE),
};

static const char *const icond_names[VSVM_COND_COUNT] = {
	[VSVM_COND_EQ] = "eq",
	[VSVM_COND_NE] = "ne",
	[VSVM_COND_LTU] = "ltu",
	[VSVM_COND_LEU] = "leu",
	[VSVM_COND_LTS] = "lts",
	[VSVM_COND_LES] = "les",
};

/* FCMP's LTS and LES are its only orderings: there is no unsigned float. */
static const char *const fcond_names[VSVM_COND_COUNT] = {
	[VSVM_COND_EQ] = "eq",
	[VSVM_COND_NE] = "ne",
	[VSVM_COND_LTS] = "lt",
	[VSVM_COND_LES] = "le",
};

/* destination type first, as in "cvt.f32.s32 d, a": d = (float)(int32)a */
static const char *const cvt_names[VSVM_CVT_COUNT] = {
	[VSVM_CVT_F32_S32] = "f32.s32",
	[VSVM_CVT_F32_U32] = "f32.u32",
	[VSVM_CVT_F32_S64] = "f32.s64",
	[VSVM_CVT_F32_U64] = "f32.u64",
	[VSVM_CVT_S32_F32] = "s32.f32",
	[VSVM_CVT_U32_F32] = "u32.f32",
	[VSVM_CVT_S64_F32] = "s64.f32",
	[VSVM_CVT_U64_F32] = "u64.f32",
	[VSVM_CVT_SEXT8] = "s64.s8",
	[VSVM_CVT_SEXT16] = "s64.s16",
	[VSVM_CVT_SEXT32] = "s64.s32",
	[VSVM_CVT_ZEXT8] = "u64.u8",
	[VSVM_CVT_ZEXT16] = "u64.u16",
	[VSVM_CVT_ZEXT32] = "u64.u32",
};

static const char *const atomic_names[VSVM_ATOMIC_COUNT] = {
	[VSVM_ATOMIC_ADD] = "add",
	[VSVM_ATOMIC_SMIN] = "smin",
	[VSVM_ATOMIC_SMAX] = "smax",
	[VSVM_ATOMIC_UMIN] = "umin",
	[VSVM_ATOMIC_UMAX] = "umax",
	[VSVM_ATOMIC_AND] = "and",
	[VSVM_ATOMIC_OR] = "or",
	[VSVM_ATOMIC_XOR] = "xor",
	[VSVM_ATOMIC_XCHG] = "xchg",
	[VSVM_ATOMIC_CMPXCHG] = "cmpxchg",
};

static const char *const sv_names[VSVM_SV_COUNT] = {
	[VSVM_SV_LOCAL_ID_X] = "local_id.x",
	[VSVM_SV_LOCAL_ID_X + 1] = "local_id.y",
	[VSVM_SV_LOCAL_ID_X + 2] = "local_id.z",
	[VSVM_SV_WG_ID_X] = "wg_id.x",
	[VSVM_SV_WG_ID_X + 1] = "wg_id.y",
	[VSVM_SV_WG_ID_X + 2] = "wg_id.z",
	[VSVM_SV_NUM_WG_X] = "num_wg.x",
	[VSVM_SV_NUM_WG_X + 1] = "num_wg.y",
	[VSVM_SV_NUM_WG_X + 2] = "num_wg.z",
	[VSVM_SV_WG_SIZE_X] = "wg_size.x",
	[VSVM_SV_WG_SIZE_X + 1] = "wg_size.y",
	[VSVM_SV_WG_SIZE_X + 2] = "wg_size.z",
	[VSVM_SV_GLOBAL_ID_X] = "global_id.x",
	[VSVM_SV_GLOBAL_ID_X + 1] = "global_id.y",
	[VSVM_SV_GLOBAL_ID_X + 2] = "global_id.z",
	[VSVM_SV_LANE_ID] = "lane_id",
	[VSVM_SV_WAVE_ID] = "wave_id",
};

static const char *const space_names[] = {
	[VSVM_SPACE_GLOBAL] = "global",
	[VSVM_SPACE_SHARED] = "shared",
	[VSVM_SPACE_SCRATCH] = "scratch",
};

/* Memory types: the low 4 bits of a memory mod, log2 size and sign. */
static const char *const type_names[16] = {
	[0] = "u8",
	[1] = "u16",
	[2] = "u32",
	[3] = "u64",
	[4] = "b128",
	[VSVM_MOD_SIGNED | 0] = "s8",
	[VSVM_MOD_SIGNED | 1] = "s16",
	[VSVM_MOD_SIGNED | 2] = "s32",
};

#define TYPE_MASK	(VSVM_MOD_SIZE_MASK | VSVM_MOD_SIGNED)
#define SIZE_16		4	/* log2 of the 16-byte access size */

static const struct op_desc *find_op(uint8_t op)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ops); i++)
		if (ops[i].op == op)
			return &ops[i];
	return NULL;
}

static const struct op_desc *find_op_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ops); i++)
		if (!strcmp(ops[i].name, name))
			return &ops[i];
	return NULL;
}

/* Index of @name in @names, or -1. */
static int find_name(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			return (int)i;
	return -1;
}

/* A memory type the opcode accepts. */
static bool type_ok(const struct op_desc *d, unsigned int type)
{
	unsigned int size = type & VSVM_MOD_SIZE_MASK;

	if (type >= ARRAY_SIZE(type_names) || !type_names[type])
		return false;
	switch (d->modk) {
	case MODK_LD:
	case MODK_LDARG:
		return true;
	case MODK_ST:
		return !(type & VSVM_MOD_SIGNED);
	case MODK_ATOM:
		return !(type & VSVM_MOD_SIGNED) && (size == 2 || size == 3);
	}
	return false;
}

static bool sub_ok(const struct op_desc *d, uint8_t sub)
{
	switch (d->subk) {
	case SUBK_NONE:
		return sub == 0;
	case SUBK_ICOND:
		return sub < VSVM_COND_COUNT && icond_names[sub];
	case SUBK_FCOND:
		return sub < VSVM_COND_COUNT && fcond_names[sub];
	case SUBK_CVT:
		return sub < VSVM_CVT_COUNT && cvt_names[sub];
	case SUBK_ATOMIC:
		return sub < VSVM_ATOMIC_COUNT && atomic_names[sub];
	case SUBK_SV:
		return sub < VSVM_SV_COUNT && sv_names[sub];
	}
	return false;
}

static const char *mod_invalid(const struct op_desc *d, uint8_t mod)
{
	unsigned int space = (mod & VSVM_MOD_SPACE_MASK) >> VSVM_MOD_SPACE_SHIFT;
	unsigned int type = mod & TYPE_MASK;

	switch (d->modk) {
	case MODK_NONE:
		return mod ? "mod is unused and must be 0" : NULL;
	case MODK_WIDTH:
		return mod > VSVM_MOD_64 ? "mod is not a width" : NULL;
	case MODK_LDARG:
		if (mod & ~TYPE_MASK)
			return "ldarg has no address space";
		break;
	default:
		if (mod & ~(TYPE_MASK | VSVM_MOD_SPACE_MASK))
			return "mod bits 7:6 must be 0";
		if (space >= ARRAY_SIZE(space_names))
			return "unknown address space";
		break;
	}
	if ((type & VSVM_MOD_SIZE_MASK) > SIZE_16)
		return "access size above 16 bytes";
	if (!type_ok(d, type))
		return d->modk == MODK_ATOM ? "atomics are 4 or 8 bytes, unsigned" :
		       (type & VSVM_MOD_SIGNED) ? "sign extension of this size" :
		       "bad access type";
	return NULL;
}

unsigned int vsvm_insn_uses(uint8_t op, uint8_t sub, uint8_t flags)
{
	const struct op_desc *d = find_op(op);
	unsigned int u = 0;

	if (!d)
		return 0;
	switch (d->form) {
	case FORM_NONE:
		break;
	case FORM_D_A:
		u = VSVM_USES_DST | VSVM_USES_SRC0;
		break;
	case FORM_D_I:
		u = VSVM_USES_DST | VSVM_USES_IMM;
		break;
	case FORM_D_A_B:
		u = VSVM_USES_DST | VSVM_USES_SRC0 | VSVM_USES_SRC1;
		break;
	case FORM_D_A_B_C:
		u = VSVM_USES_DST | VSVM_USES_SRC0 | VSVM_USES_SRC1 |
		    VSVM_USES_SRC2;
		break;
	case FORM_A:
		u = VSVM_USES_SRC0;
		break;
	case FORM_I:
		u = VSVM_USES_IMM;
		break;
	case FORM_D_SV:
		u = VSVM_USES_DST;
		break;
	case FORM_LD:
		u = VSVM_USES_DST | VSVM_USES_SRC0 | VSVM_USES_IMM;
		break;
	case FORM_ST:
		u = VSVM_USES_SRC0 | VSVM_USES_SRC1 | VSVM_USES_IMM;
		break;
	case FORM_ATOM:
		u = VSVM_USES_DST | VSVM_USES_SRC0 | VSVM_USES_SRC1 |
		    VSVM_USES_IMM;
		if (sub == VSVM_ATOMIC_CMPXCHG)
			u |= VSVM_USES_SRC2;
		break;
	}
	if ((flags & VSVM_F_SRC1_IMM) && (u & VSVM_USES_SRC1) &&
	    !(u & VSVM_USES_IMM) && d->immk != IMM_NONE)
		u = (u & ~VSVM_USES_SRC1) | VSVM_USES_IMM;
	return u;
}

const char *vsvm_op_name(uint8_t op)
{
	const struct op_desc *d = find_op(op);

	return d ? d->name : NULL;
}

struct insn {
	uint8_t op, dst, src0, src1, src2, mod, sub, flags;
	uint64_t imm;
};

static struct insn insn_unpack(uint64_t w0, uint64_t w1)
{
	struct insn in = {
		.op = VSVM_W0_FIELD(w0, OP),
		.dst = VSVM_W0_FIELD(w0, DST),
		.src0 = VSVM_W0_FIELD(w0, SRC0),
		.src1 = VSVM_W0_FIELD(w0, SRC1),
		.src2 = VSVM_W0_FIELD(w0, SRC2),
		.mod = VSVM_W0_FIELD(w0, MOD),
		.sub = VSVM_W0_FIELD(w0, SUB),
		.flags = VSVM_W0_FIELD(w0, FLAGS),
		.imm = w1,
	};

	return in;
}

static uint64_t insn_w0(const struct insn *in)
{
	return vsvm_insn_word0(in->op, in->dst, in->src0, in->src1, in->src2,
			       in->mod, in->sub, in->flags);
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The width an integer immediate of this instruction has. */
static unsigned int imm_width(const struct op_desc *d, uint8_t mod)
{
	return d->modk == MODK_WIDTH && mod == VSVM_MOD_32 ? 32 : 64;
}

/* The immediate kind of the instruction, IMM_NONE if it has no immediate. */
static enum immk insn_immk(const struct op_desc *d, const struct insn *in)
{
	if (d->form == FORM_D_A_B || d->form == FORM_D_A_B_C)
		return in->flags & VSVM_F_SRC1_IMM ? d->immk : IMM_NONE;
	return d->immk;
}

/*
 * Immediates the assembler refuses as likely mistakes although the engine
 * would ignore the extra bits: it keeps "add.32 r1, r1, 0x100000000" from
 * silently adding 0. The disassembler prints such encodings as .word.
 */
static const char *imm_unprintable(enum immk k, unsigned int width,
				   uint64_t imm)
{
	uint32_t hi = (uint32_t)(imm >> 32);

	switch (k) {
	case IMM_INT:
	case IMM_DATA:
		if (width == 32 && hi &&
		    !(hi == UINT32_MAX && (imm & 0x80000000u)))
			return "immediate does not fit the 32-bit operation";
		return NULL;
	case IMM_FP32:
		return hi ? "fp32 immediate with bits 63:32 set" : NULL;
	case IMM_CODE:
		return hi ? "trap code with bits 63:32 set" : NULL;
	default:
		return NULL;
	}
}

static int check(const struct insn *in, const struct op_desc **pd,
		 const char **why)
{
	const struct op_desc *d = find_op(in->op);
	unsigned int uses;
	const char *r;

	*why = NULL;
	if (pd)
		*pd = d;
	if (!d) {
		*why = "unknown opcode";
		return VSVM_INSN_INVALID;
	}
	if (in->flags & ~VSVM_F_SRC1_IMM) {
		*why = "unknown flag bits";
		return VSVM_INSN_INVALID;
	}
	if ((in->flags & VSVM_F_SRC1_IMM) &&
	    ((d->form != FORM_D_A_B && d->form != FORM_D_A_B_C) ||
	     d->immk == IMM_NONE)) {
		*why = "VSVM_F_SRC1_IMM on an opcode without an immediate b";
		return VSVM_INSN_INVALID;
	}
	r = mod_invalid(d, in->mod);
	if (r) {
		*why = r;
		return VSVM_INSN_INVALID;
	}
	if (!sub_ok(d, in->sub)) {
		*why = d->subk == SUBK_NONE ? "sub is unused and must be 0" :
		       "unknown sub-operation";
		return VSVM_INSN_INVALID;
	}
	uses = vsvm_insn_uses(in->op, in->sub, in->flags);
	if (in->dst && !(uses & VSVM_USES_DST))
		r = "dst is unused and must be 0";
	else if (in->src0 && !(uses & VSVM_USES_SRC0))
		r = "src0 is unused and must be 0";
	else if (in->src1 && !(uses & VSVM_USES_SRC1))
		r = (in->flags & VSVM_F_SRC1_IMM) ?
		    "src1 must be 0 with VSVM_F_SRC1_IMM" :
		    "src1 is unused and must be 0";
	else if (in->src2 && !(uses & VSVM_USES_SRC2))
		r = "src2 is unused and must be 0";
	else if (in->imm && !(uses & VSVM_USES_IMM))
		r = "imm is unused and must be 0";
	else if ((in->mod & VSVM_MOD_SIZE_MASK) == SIZE_16 &&
		 (d->modk == MODK_LD || d->modk == MODK_LDARG) &&
		 in->dst == VSVM_NUM_REGS - 1)
		r = "16-byte load into r255 would write r256";
	else if ((in->mod & VSVM_MOD_SIZE_MASK) == SIZE_16 &&
		 d->modk == MODK_ST && in->src1 == VSVM_NUM_REGS - 1)
		r = "16-byte store from r255 would read r256";
	else if (d->modk == MODK_LDARG &&
		 (in->imm & ((1u << (in->mod & VSVM_MOD_SIZE_MASK)) - 1)))
		r = "ldarg offset not aligned to the access size";
	if (r) {
		*why = r;
		return VSVM_INSN_INVALID;
	}
	r = imm_unprintable(insn_immk(d, in), imm_width(d, in->mod), in->imm);
	if (r) {
		*why = r;
		return VSVM_INSN_RAW;
	}
	return VSVM_INSN_OK;
}

int vsvm_insn_check(uint64_t w0, uint64_t w1, const char **why)
{
	struct insn in = insn_unpack(w0, w1);
	const char *dummy;

	return check(&in, NULL, why ? why : &dummy);
}

/* ---- disassembler ---- */

/* A bounded string builder: output is truncated, never overflowed. */
struct sbuf {
	char *buf;
	size_t len;
	size_t pos;
};

static void sb_printf(struct sbuf *sb, const char *fmt, ...)
	__printf(2, 3);

static void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb->pos >= sb->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(sb->buf + sb->pos, sb->len - sb->pos, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb->pos += (size_t)n;
	if (sb->pos >= sb->len)
		sb->pos = sb->len - 1;
}

/* Small values in decimal, the rest in hex: both read back exactly. */
static void sb_uint(struct sbuf *sb, uint64_t v)
{
	if (v < 65536)
		sb_printf(sb, "%" PRIu64, v);
	else
		sb_printf(sb, "0x%" PRIx64, v);
}

static void sb_int(struct sbuf *sb, uint64_t v, unsigned int width)
{
	uint64_t mag = -v;

	if (width == 32 && (v >> 32)) {	/* sign-extended from bit 31 */
		sb_printf(sb, "-");
		sb_uint(sb, mag);
	} else if (width == 64 && (int64_t)v < 0 && mag <= 65536) {
		sb_printf(sb, "-%" PRIu64, mag);
	} else {
		sb_uint(sb, v);
	}
}

/*
 * The shortest decimal that reads back as the same fp32 bits, always with a
 * '.' or an exponent so the assembler sees a float; hex bits for NaN and
 * infinity, which have no literal.
 */
static void sb_fp32(struct sbuf *sb, uint32_t bits)
{
	char tmp[48];
	float f, g;
	int prec;

	memcpy(&f, &bits, sizeof(f));
	if (!isfinite(f)) {
		sb_printf(sb, "0x%08" PRIx32, bits);
		return;
	}
	for (prec = 1; prec <= 9; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, (double)f);
		g = strtof(tmp, NULL);
		if (!memcmp(&f, &g, sizeof(f)))
			break;
	}
	sb_printf(sb, "%s%s", tmp, strpbrk(tmp, ".e") ? "" : ".0");
}

static void sb_imm(struct sbuf *sb, const struct op_desc *d,
		   const struct insn *in)
{
	switch (insn_immk(d, in)) {
	case IMM_INT:
	case IMM_DATA:
		sb_int(sb, in->imm, imm_width(d, in->mod));
		break;
	case IMM_FP32:
		sb_fp32(sb, (uint32_t)in->imm);	/* check(): bits 63:32 are 0 */
		break;
	default:
		sb_uint(sb, in->imm);
		break;
	}
}

static void sb_mem(struct sbuf *sb, const struct insn *in)
{
	sb_printf(sb, "[r%u", in->src0);
	if ((int64_t)in->imm > 0) {
		sb_printf(sb, " + ");
		sb_uint(sb, in->imm);
	} else if (in->imm) {
		sb_printf(sb, " - ");
		sb_uint(sb, -in->imm);
	}
	sb_printf(sb, "]");
}

static void sb_b(struct sbuf *sb, const struct op_desc *d,
		 const struct insn *in)
{
	if (in->flags & VSVM_F_SRC1_IMM)
		sb_imm(sb, d, in);
	else
		sb_printf(sb, "r%u", in->src1);
}

/* Prints a valid instruction (check() returned VSVM_INSN_OK). */
static void sb_insn(struct sbuf *sb, const struct op_desc *d,
		    const struct insn *in)
{
	uint8_t space = (in->mod & VSVM_MOD_SPACE_MASK) >> VSVM_MOD_SPACE_SHIFT;

	sb_printf(sb, "%s", d->name);
	if (d->subk == SUBK_ICOND)
		sb_printf(sb, ".%s", icond_names[in->sub]);
	else if (d->subk == SUBK_FCOND)
		sb_printf(sb, ".%s", fcond_names[in->sub]);
	else if (d->subk == SUBK_CVT)
		sb_printf(sb, ".%s", cvt_names[in->sub]);
	if (d->modk == MODK_WIDTH)
		sb_printf(sb, ".%s", in->mod == VSVM_MOD_64 ? "64" : "32");
	if (d->modk == MODK_LD || d->modk == MODK_ST || d->modk == MODK_ATOM)
		sb_printf(sb, ".%s", space_names[space]);
	if (d->modk == MODK_ATOM)
		sb_printf(sb, ".%s", atomic_names[in->sub]);
	if (d->modk == MODK_LD || d->modk == MODK_ST || d->modk == MODK_ATOM ||
	    d->modk == MODK_LDARG)
		sb_printf(sb, ".%s", type_names[in->mod & TYPE_MASK]);

	switch (d->form) {
	case FORM_NONE:
		break;
	case FORM_D_A:
		sb_printf(sb, " r%u, r%u", in->dst, in->src0);
		break;
	case FORM_D_I:
		sb_printf(sb, " r%u, ", in->dst);
		sb_imm(sb, d, in);
		break;
	case FORM_D_A_B:
		sb_printf(sb, " r%u, r%u, ", in->dst, in->src0);
		sb_b(sb, d, in);
		break;
	case FORM_D_A_B_C:
		sb_printf(sb, " r%u, r%u, ", in->dst, in->src0);
		sb_b(sb, d, in);
		sb_printf(sb, ", r%u", in->src2);
		break;
	case FORM_A:
		sb_printf(sb, " r%u", in->src0);
		break;
	case FORM_I:
		sb_printf(sb, " ");
		sb_imm(sb, d, in);
		break;
	case FORM_D_SV:
		sb_printf(sb, " r%u, %s", in->dst, sv_names[in->sub]);
		break;
	case FORM_LD:
		sb_printf(sb, " r%u, ", in->dst);
		sb_mem(sb, in);
		break;
	case FORM_ST:
		sb_printf(sb, " ");
		sb_mem(sb, in);
		sb_printf(sb, ", r%u", in->src1);
		break;
	case FORM_ATOM:
		sb_printf(sb, " r%u, ", in->dst);
		sb_mem(sb, in);
		sb_printf(sb, ", r%u", in->src1);
		if (in->sub == VSVM_ATOMIC_CMPXCHG)
			sb_printf(sb, ", r%u", in->src2);
		break;
	}
}

/*
 * Prints one instruction without indentation into @sb; returns the check()
 * result and sets *@cf to the control-flow kind of a printed instruction.
 */
static int disasm_one(struct sbuf *sb, const uint8_t *p, const char **why,
		      enum cfk *cf)
{
	uint64_t w0 = get_le64(p), w1 = get_le64(p + 8);
	struct insn in = insn_unpack(w0, w1);
	const struct op_desc *d;
	int r = check(&in, &d, why);

	*cf = CF_NONE;
	if (r == VSVM_INSN_OK) {
		sb_insn(sb, d, &in);
		*cf = (enum cfk)d->cf;
	} else {
		sb_printf(sb, ".word 0x%016" PRIx64 ", 0x%016" PRIx64,
			  w0, w1);
	}
	return r;
}

int vsvm_disasm_insn(const uint8_t *insn, char *buf, size_t len)
{
	struct sbuf sb = { buf, len, 0 };
	const char *why;
	enum cfk cf;
	int r;

	if (!len)
		return 1;
	buf[0] = '\0';
	r = disasm_one(&sb, insn, &why, &cf);
	if (r != VSVM_INSN_OK)
		sb_printf(&sb, "  ; %s: %s",
			  r == VSVM_INSN_RAW ? "valid" : "invalid", why);
	return r != VSVM_INSN_OK;
}

#define COMMENT_COLUMN	40

int vsvm_disasm_ex(const uint8_t *code, size_t size, FILE *out,
		   unsigned int flags)
{
	size_t off, n = size / VSVM_INSN_SIZE;
	unsigned int depth = 0, level;
	int raw = 0;

	for (off = 0; off < n * VSVM_INSN_SIZE; off += VSVM_INSN_SIZE) {
		char line[160];
		struct sbuf sb = { line, sizeof(line), 0 };
		const char *why;
		enum cfk cf;
		int r;

		r = disasm_one(&sb, code + off, &why, &cf);
		level = depth;
		if (cf == CF_IF || cf == CF_LOOP)
			depth++;
		else if ((cf == CF_ELSE || cf == CF_ENDIF ||
			  cf == CF_ENDLOOP) && depth)
			level = cf == CF_ELSE ? depth - 1 : --depth;
		if (flags & VSVM_DISASM_FLAT)
			level = 0;
		if (r != VSVM_INSN_OK || (flags & VSVM_DISASM_OFFSETS)) {
			size_t col = 4 * level + sb.pos;

			sb_printf(&sb, "%*s;", col + 2 <= COMMENT_COLUMN ?
				  (int)(COMMENT_COLUMN - col) : 2, "");
			if (flags & VSVM_DISASM_OFFSETS)
				sb_printf(&sb, " 0x%04zx", off);
			if (r != VSVM_INSN_OK)
				sb_printf(&sb, " %s: %s", r == VSVM_INSN_RAW ?
					  "valid" : "invalid", why);
		}
		if (r != VSVM_INSN_OK)
			raw++;
		if (fprintf(out, "%*s%s\n", (int)(4 * level), "", line) < 0)
			return -1;
	}
	if (size % VSVM_INSN_SIZE) {
		fprintf(out, "; %zu trailing bytes: not a whole instruction\n",
			size % VSVM_INSN_SIZE);
		return -1;
	}
	return ferror(out) ? -1 : raw;
}

int vsvm_disasm(const uint8_t *code, size_t size, FILE *out)
{
	return vsvm_disasm_ex(code, size, out, 0);
}

char *vsvm_disasm_str(const uint8_t *code, size_t size, unsigned int flags)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	vsvm_disasm_ex(code, size, f, flags);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* ---- assembler ---- */

struct frame {
	enum cfk kind;		/* CF_IF or CF_LOOP */
	bool has_else;
	unsigned int line, col;
};

struct asm_state {
	const char *line;	/* start of the current line */
	const char *p;		/* cursor */
	const char *end;	/* end of the code on this line (before a comment) */
	unsigned int lineno;
	char *err;
	size_t errlen;

	uint8_t *code;
	size_t size, cap;

	struct frame stack[VSVM_MAX_NESTING];
	unsigned int depth;
};

struct num {
	uint64_t v;		/* two's complement, or fp32 bits */
	bool neg;		/* written with a '-' */
	bool hex;
	bool is_float;
};

static int asm_error(struct asm_state *s, const char *at, const char *fmt, ...)
	__printf(3, 4);

static int verror(struct asm_state *s, unsigned int line, unsigned int col,
		  const char *fmt, va_list ap)
	__printf(4, 0);

static int verror(struct asm_state *s, unsigned int line, unsigned int col,
		  const char *fmt, va_list ap)
{
	int n;

	if (!s->err || !s->errlen)
		return -1;
	n = snprintf(s->err, s->errlen, "%u:%u: ", line, col);
	if (n >= 0 && (size_t)n < s->errlen)
		vsnprintf(s->err + n, s->errlen - (size_t)n, fmt, ap);
	return -1;
}

/* Reports an error at @at on the current line; returns -1. */
static int asm_error(struct asm_state *s, const char *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(s, s->lineno, (unsigned int)(at - s->line) + 1, fmt, ap);
	va_end(ap);
	return -1;
}

static int asm_error_at(struct asm_state *s, unsigned int line,
			unsigned int col, const char *fmt, ...)
	__printf(4, 5);

static int asm_error_at(struct asm_state *s, unsigned int line,
			unsigned int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(s, line, col, fmt, ap);
	va_end(ap);
	return -1;
}

static void skip_ws(struct asm_state *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
				 *s->p == '\r' || *s->p == '\f' ||
				 *s->p == '\v'))
		s->p++;
}

static bool is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.';
}

/* The text at @at for a message: up to the next blank, at most 24 bytes. */
static const char *token_text(struct asm_state *s, const char *at,
			      char *buf, size_t len)
{
	size_t n = 0;

	if (at >= s->end)
		return "end of line";
	while (at + n < s->end && n + 1 < len && n < 24 &&
	       !isspace((unsigned char)at[n]) && (n == 0 || at[n] != ','))
		n++;
	memcpy(buf, at, n);
	buf[n] = '\0';
	return buf;
}

/*
 * Reads a word ([A-Za-z0-9_.]+) into @buf in lower case. Returns its
 * length, 0 if there is none, -1 (with the error set) if it is too long.
 */
static int read_word(struct asm_state *s, char *buf, size_t len)
{
	const char *at = s->p;
	size_t n = 0;

	while (s->p < s->end && is_word_char(*s->p)) {
		if (n + 1 >= len)
			return asm_error(s, at, "name too long");
		buf[n++] = (char)tolower((unsigned char)*s->p++);
	}
	buf[n] = '\0';
	return (int)n;
}

static int expect_char(struct asm_state *s, char c, const char *what)
{
	char tok[32];

	skip_ws(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return 0;
	}
	return asm_error(s, s->p, "expected %s, found '%s'", what,
			 token_text(s, s->p, tok, sizeof(tok)));
}

static int parse_reg(struct asm_state *s, uint8_t *reg)
{
	const char *at;
	char word[32], tok[32];
	unsigned long v;
	char *endp;
	int n;

	skip_ws(s);
	at = s->p;
	n = read_word(s, word, sizeof(word));
	if (n < 0)
		return -1;
	if (n < 2 || word[0] != 'r' || !isdigit((unsigned char)word[1]))
		return asm_error(s, at, "expected a register r0..r%u, found '%s'",
				 VSVM_NUM_REGS - 1,
				 token_text(s, at, tok, sizeof(tok)));
	errno = 0;
	v = strtoul(word + 1, &endp, 10);
	if (*endp)
		return asm_error(s, at, "bad register name '%s'", word);
	if (errno || v >= VSVM_NUM_REGS)
		return asm_error(s, at, "register %s out of range: r0..r%u",
				 word, VSVM_NUM_REGS - 1);
	*reg = (uint8_t)v;
	return 0;
}

/*
 * Integers: [-]decimal or [-]0xhex, up to 64 bits (a negative one down to
 * -2^63). Floats: [-]digits[.digits][e[+-]digits][f], with at least a '.',
 * an exponent or the 'f' suffix, rounded to fp32.
 */
static int parse_num(struct asm_state *s, struct num *n)
{
	const char *at, *q, *digits, *lexeme_end;
	char buf[64], tok[32];
	uint64_t v = 0;

	skip_ws(s);
	at = s->p;
	q = at;
	memset(n, 0, sizeof(*n));
	if (q < s->end && *q == '-') {
		n->neg = true;
		q++;
	}
	digits = q;
	if (s->end - q > 2 && q[0] == '0' && (q[1] == 'x' || q[1] == 'X') &&
	    isxdigit((unsigned char)q[2])) {
		n->hex = true;
		for (q += 2; q < s->end && isxdigit((unsigned char)*q); q++) {
			unsigned int d = isdigit((unsigned char)*q) ?
				(unsigned int)(*q - '0') :
				(unsigned int)(tolower((unsigned char)*q) - 'a' + 10);

			if (v >> 60)
				return asm_error(s, at, "number too large for 64 bits");
			v = v << 4 | d;
		}
		lexeme_end = q;
	} else if (q < s->end && isdigit((unsigned char)*q)) {
		while (q < s->end && isdigit((unsigned char)*q))
			q++;
		if (q < s->end && *q == '.') {
			n->is_float = true;
			for (q++; q < s->end && isdigit((unsigned char)*q); q++)
				;
		}
		if (q < s->end && (*q == 'e' || *q == 'E')) {
			const char *e = q + 1;

			if (e < s->end && (*e == '+' || *e == '-'))
				e++;
			if (e < s->end && isdigit((unsigned char)*e)) {
				n->is_float = true;
				for (q = e; q < s->end &&
				     isdigit((unsigned char)*q); q++)
					;
			}
		}
		lexeme_end = q;
		if (q < s->end && (*q == 'f' || *q == 'F')) {
			n->is_float = true;
			q++;
		}
	} else {
		return asm_error(s, at, "expected a number, found '%s'",
				 token_text(s, at, tok, sizeof(tok)));
	}
	if (q < s->end && is_word_char(*q))
		return asm_error(s, at, "bad number '%s'",
				 token_text(s, at, tok, sizeof(tok)));
	s->p = q;

	if (n->is_float) {
		uint32_t bits;
		char *endp;
		float f;

		if ((size_t)(lexeme_end - at) >= sizeof(buf))
			return asm_error(s, at, "number too long");
		memcpy(buf, at, (size_t)(lexeme_end - at));
		buf[lexeme_end - at] = '\0';
		f = strtof(buf, &endp);
		if (*endp)
			return asm_error(s, at, "bad number '%s'", buf);
		if (isinf(f))
			return asm_error(s, at, "%s is out of the fp32 range", buf);
		memcpy(&bits, &f, sizeof(bits));
		n->v = bits;
		return 0;
	}
	if (!n->hex) {
		for (q = digits; q < lexeme_end; q++) {
			unsigned int d = (unsigned int)(*q - '0');

			if (v > (UINT64_MAX - d) / 10)
				return asm_error(s, at, "number too large for 64 bits");
			v = v * 10 + d;
		}
	}
	if (n->neg) {
		if (v > (UINT64_C(1) << 63))
			return asm_error(s, at, "number too small for 64 bits");
		v = -v;
	}
	n->v = v;
	return 0;
}

/* Checks a parsed number against an immediate kind and returns its bits. */
static int num_to_imm(struct asm_state *s, const char *at, const struct num *n,
		      enum immk k, unsigned int width, uint64_t *imm)
{
	switch (k) {
	case IMM_DATA:
		if (n->is_float) {
			*imm = n->v;
			return 0;
		}
		/* fall through */
	case IMM_INT:
		if (n->is_float)
			return asm_error(s, at, "float literal for an integer operand");
		if (width == 32 && (n->neg ? -n->v > UINT64_C(1) << 31 :
				    n->v > UINT32_MAX))
			return asm_error(s, at, "immediate does not fit 32 bits");
		break;
	case IMM_FP32:
		if (n->is_float)
			break;
		if (!n->hex)
			return asm_error(s, at,
					 "integer literal for an fp32 operand: write a float (2.0) or its bits in hex");
		if (n->neg || n->v > UINT32_MAX)
			return asm_error(s, at, "fp32 bits must be 0..0xffffffff");
		break;
	case IMM_UOFF:
	case IMM_CODE:
		if (n->is_float)
			return asm_error(s, at, "float literal for an integer operand");
		if (n->neg)
			return asm_error(s, at, "negative %s",
					 k == IMM_CODE ? "trap code" : "offset");
		if (k == IMM_CODE && n->v > UINT32_MAX)
			return asm_error(s, at, "trap code does not fit 32 bits");
		break;
	case IMM_NONE:
	case IMM_OFFSET:
		return asm_error(s, at, "no immediate allowed here");
	}
	*imm = n->v;
	return 0;
}

static int parse_imm(struct asm_state *s, enum immk k, unsigned int width,
		     uint64_t *imm)
{
	struct num n;
	const char *at;

	skip_ws(s);
	at = s->p;
	if (parse_num(s, &n))
		return -1;
	return num_to_imm(s, at, &n, k, width, imm);
}

/* [rA], [rA + N], [rA - N]; the offset wraps modulo 2^64 like the address. */
static int parse_mem(struct asm_state *s, struct insn *in)
{
	const char *at;
	struct num n;
	bool minus;

	if (expect_char(s, '[', "'[' of a memory operand") ||
	    parse_reg(s, &in->src0))
		return -1;
	skip_ws(s);
	if (s->p < s->end && (*s->p == '+' || *s->p == '-')) {
		minus = *s->p++ == '-';
		skip_ws(s);
		at = s->p;
		if (parse_num(s, &n))
			return -1;
		if (n.is_float)
			return asm_error(s, at, "float literal as an address offset");
		in->imm = minus ? -n.v : n.v;
	}
	return expect_char(s, ']', "'+', '-' or ']'");
}

/* b: a register, or an immediate that sets VSVM_F_SRC1_IMM. */
static int parse_b(struct asm_state *s, const struct op_desc *d,
		   struct insn *in)
{
	char c;

	skip_ws(s);
	c = s->p < s->end ? *s->p : '\0';
	if (c == 'r' || c == 'R' || d->immk == IMM_NONE)
		return parse_reg(s, &in->src1);
	in->flags |= VSVM_F_SRC1_IMM;
	return parse_imm(s, d->immk, imm_width(d, in->mod), &in->imm);
}

static int comma(struct asm_state *s)
{
	return expect_char(s, ',', "','");
}

static int parse_sysval(struct asm_state *s, struct insn *in)
{
	char word[32], tok[32];
	const char *at;
	int k;

	skip_ws(s);
	at = s->p;
	if (read_word(s, word, sizeof(word)) < 0)
		return -1;
	k = find_name(sv_names, ARRAY_SIZE(sv_names), word);
	if (k < 0)
		return asm_error(s, at, "unknown system value '%s'",
				 token_text(s, at, tok, sizeof(tok)));
	in->sub = (uint8_t)k;
	return 0;
}

/* The operands of @d in source order; the parsers return non-zero on error. */
static int parse_operands(struct asm_state *s, const struct op_desc *d,
			  struct insn *in)
{
	unsigned int width = imm_width(d, in->mod);
	char tok[32];
	int err = 0;

	switch (d->form) {
	case FORM_NONE:
		break;
	case FORM_D_A:
		err = parse_reg(s, &in->dst) || comma(s) ||
		      parse_reg(s, &in->src0);
		break;
	case FORM_D_I:
		err = parse_reg(s, &in->dst) || comma(s) ||
		      parse_imm(s, d->immk, width, &in->imm);
		break;
	case FORM_D_A_B:
		err = parse_reg(s, &in->dst) || comma(s) ||
		      parse_reg(s, &in->src0) || comma(s) || parse_b(s, d, in);
		break;
	case FORM_D_A_B_C:
		err = parse_reg(s, &in->dst) || comma(s) ||
		      parse_reg(s, &in->src0) || comma(s) ||
		      parse_b(s, d, in) || comma(s) || parse_reg(s, &in->src2);
		break;
	case FORM_A:
		err = parse_reg(s, &in->src0);
		break;
	case FORM_I:
		err = parse_imm(s, d->immk, width, &in->imm);
		break;
	case FORM_D_SV:
		err = parse_reg(s, &in->dst) || comma(s) || parse_sysval(s, in);
		break;
	case FORM_LD:
		err = parse_reg(s, &in->dst) || comma(s) || parse_mem(s, in);
		break;
	case FORM_ST:
		err = parse_mem(s, in) || comma(s) || parse_reg(s, &in->src1);
		break;
	case FORM_ATOM:
		err = parse_reg(s, &in->dst) || comma(s) || parse_mem(s, in) ||
		      comma(s) || parse_reg(s, &in->src1) ||
		      (in->sub == VSVM_ATOMIC_CMPXCHG &&
		       (comma(s) || parse_reg(s, &in->src2)));
		break;
	}
	if (err)
		return -1;
	skip_ws(s);
	if (s->p < s->end)
		return asm_error(s, s->p, "unexpected '%s' after the operands",
				 token_text(s, s->p, tok, sizeof(tok)));
	return 0;
}

/* "a, b, c" of @names for messages. */
static const char *name_list(const char *const *names, size_t n, char *buf,
			     size_t len)
{
	struct sbuf sb = { buf, len, 0 };
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		if (names[i])
			sb_printf(&sb, "%s%s", sb.pos ? ", " : "", names[i]);
	return buf;
}

#define MAX_PARTS	5

/* A mnemonic split at its dots: "atom.global.add.u32" has four parts. */
struct mnemonic {
	char buf[64];
	char *part[MAX_PARTS];
	const char *pos[MAX_PARTS];	/* where each part is in the source */
	int n;
	int next;			/* the part parse_modifiers() reads next */
};

/* The next modifier, or NULL with the error set if there is none. */
static const char *next_part(struct asm_state *s, struct mnemonic *m,
			     const char *what)
{
	if (m->next < m->n)
		return m->part[m->next++];
	asm_error(s, m->pos[0], "'%s' needs %s", m->part[0], what);
	return NULL;
}

/* Position of the part next_part() returned last, for messages. */
static const char *last_pos(const struct mnemonic *m)
{
	return m->pos[m->next - 1];
}

/*
 * Parses the modifiers after the mnemonic into mod and sub. The order is
 * fixed: condition or conversion, then width; or space, atomic operation,
 * then type.
 */
static int parse_modifiers(struct asm_state *s, const struct op_desc *d,
			   struct mnemonic *m, struct insn *in)
{
	const char *const *names;
	const char *p, *q;
	char list[160], both[32];
	int k;

	m->next = 1;
	switch (d->subk) {
	case SUBK_ICOND:
	case SUBK_FCOND:
		names = d->subk == SUBK_ICOND ? icond_names : fcond_names;
		p = next_part(s, m, "a condition");
		if (!p)
			return -1;
		k = find_name(names, VSVM_COND_COUNT, p);
		if (k < 0)
			return asm_error(s, last_pos(m),
					 "unknown condition '%s' for %s: %s",
					 p, d->name, name_list(names, VSVM_COND_COUNT,
							       list, sizeof(list)));
		in->sub = (uint8_t)k;
		break;
	case SUBK_CVT:
		p = next_part(s, m, "a conversion such as .f32.s32");
		if (!p)
			return -1;
		q = m->next < m->n ? m->part[m->next++] : "";
		snprintf(both, sizeof(both), "%s.%s", p, q);
		k = find_name(cvt_names, VSVM_CVT_COUNT, both);
		if (k < 0)
			return asm_error(s, m->pos[1], "unknown conversion '%s': %s",
					 both, name_list(cvt_names, VSVM_CVT_COUNT,
							 list, sizeof(list)));
		in->sub = (uint8_t)k;
		break;
	default:
		break;
	}

	switch (d->modk) {
	case MODK_WIDTH:
		p = next_part(s, m, "a width, .32 or .64");
		if (!p)
			return -1;
		/* .u32 and .s32 are accepted as PTX habit; .32 is canonical */
		if (!strcmp(p, "32") || !strcmp(p, "u32") || !strcmp(p, "s32"))
			in->mod = VSVM_MOD_32;
		else if (!strcmp(p, "64") || !strcmp(p, "u64") || !strcmp(p, "s64"))
			in->mod = VSVM_MOD_64;
		else
			return asm_error(s, last_pos(m), "bad width '%s' for %s: 32 or 64",
					 p, d->name);
		break;
	case MODK_LD:
	case MODK_ST:
	case MODK_ATOM:
		p = next_part(s, m, "an address space, .global, .shared or .scratch");
		if (!p)
			return -1;
		k = find_name(space_names, ARRAY_SIZE(space_names), p);
		if (k < 0)
			return asm_error(s, last_pos(m), "unknown address space '%s': %s",
					 p, name_list(space_names, ARRAY_SIZE(space_names),
						      list, sizeof(list)));
		in->mod = (uint8_t)(k << VSVM_MOD_SPACE_SHIFT);
		if (d->modk == MODK_ATOM) {
			p = next_part(s, m, "an atomic operation such as .add");
			if (!p)
				return -1;
			k = find_name(atomic_names, VSVM_ATOMIC_COUNT, p);
			if (k < 0)
				return asm_error(s, last_pos(m),
						 "unknown atomic operation '%s': %s", p,
						 name_list(atomic_names, VSVM_ATOMIC_COUNT,
							   list, sizeof(list)));
			in->sub = (uint8_t)k;
		}
		/* fall through */
	case MODK_LDARG:
		p = next_part(s, m, "a type such as .u32");
		if (!p)
			return -1;
		k = find_name(type_names, ARRAY_SIZE(type_names), p);
		if (k < 0 || !type_ok(d, (unsigned int)k))
			return asm_error(s, last_pos(m), "bad type '%s' for %s: %s",
					 p, d->name,
					 d->modk == MODK_ATOM ? "u32, u64" :
					 d->modk == MODK_ST ? "u8, u16, u32, u64, b128" :
					 "u8, u16, u32, u64, b128, s8, s16, s32");
		in->mod |= (uint8_t)k;
		break;
	default:
		break;
	}
	if (m->next < m->n)
		return asm_error(s, m->pos[m->next], "unexpected modifier '%s' for %s",
				 m->part[m->next], d->name);
	return 0;
}

static int emit(struct asm_state *s, uint64_t w0, uint64_t w1)
{
	if (s->size + VSVM_INSN_SIZE > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64 * VSVM_INSN_SIZE;
		uint8_t *code = realloc(s->code, cap);

		if (!code)
			return asm_error(s, s->line, "out of memory");
		s->code = code;
		s->cap = cap;
	}
	put_le64(s->code + s->size, w0);
	put_le64(s->code + s->size + 8, w1);
	s->size += VSVM_INSN_SIZE;
	return 0;
}

static const char *cf_name(enum cfk k)
{
	return k == CF_LOOP ? "loop" : "if";
}

static int structure(struct asm_state *s, const struct op_desc *d,
		     const char *at)
{
	struct frame *top = s->depth ? &s->stack[s->depth - 1] : NULL;
	unsigned int i;

	switch ((enum cfk)d->cf) {
	case CF_NONE:
		break;
	case CF_IF:
	case CF_LOOP:
		if (s->depth == VSVM_MAX_NESTING)
			return asm_error(s, at, "nesting deeper than %u levels",
					 VSVM_MAX_NESTING);
		s->stack[s->depth++] = (struct frame){
			.kind = (enum cfk)d->cf,
			.line = s->lineno,
			.col = (unsigned int)(at - s->line) + 1,
		};
		break;
	case CF_ELSE:
		if (!top)
			return asm_error(s, at, "else without if");
		if (top->kind != CF_IF)
			return asm_error(s, at, "else directly inside the loop of line %u",
					 top->line);
		if (top->has_else)
			return asm_error(s, at, "second else for the if of line %u",
					 top->line);
		top->has_else = true;
		break;
	case CF_ENDIF:
	case CF_ENDLOOP: {
		enum cfk want = d->cf == CF_ENDIF ? CF_IF : CF_LOOP;

		if (!top)
			return asm_error(s, at, "%s without %s", d->name,
					 cf_name(want));
		if (top->kind != want)
			return asm_error(s, at,
					 "%s, but the innermost open block is the %s of line %u",
					 d->name, cf_name(top->kind), top->line);
		s->depth--;
		break;
	}
	case CF_IN_LOOP:
		for (i = 0; i < s->depth; i++)
			if (s->stack[i].kind == CF_LOOP)
				return 0;
		return asm_error(s, at, "%s outside a loop", d->name);
	}
	return 0;
}

/* .word W0, W1: an instruction given as raw words, emitted unchecked. */
static int directive(struct asm_state *s, const char *name, const char *at)
{
	uint64_t w[2];
	const char *nat;
	struct num n;
	int i;

	if (strcmp(name, ".word"))
		return asm_error(s, at, "unknown directive '%s'", name);
	for (i = 0; i < 2; i++) {
		if (i && expect_char(s, ',', "','"))
			return -1;
		skip_ws(s);
		nat = s->p;
		if (parse_num(s, &n))
			return -1;
		if (n.is_float)
			return asm_error(s, nat, "float literal in .word");
		w[i] = n.v;
	}
	skip_ws(s);
	if (s->p < s->end)
		return asm_error(s, s->p, "unexpected text after .word");
	return emit(s, w[0], w[1]);
}

/* Reads the mnemonic and splits it at its dots. */
static int read_mnemonic(struct asm_state *s, struct mnemonic *m)
{
	const char *at = s->p;
	char tok[32];
	int len, i;

	len = read_word(s, m->buf, sizeof(m->buf));
	if (len < 0)
		return -1;
	if (len == 0)
		return asm_error(s, at, "expected an instruction, found '%s'",
				 token_text(s, at, tok, sizeof(tok)));
	m->part[0] = m->buf;
	m->pos[0] = at;
	m->n = 1;
	for (i = 0; i < len; i++) {
		if (m->buf[i] != '.')
			continue;
		if (m->n == MAX_PARTS)
			return asm_error(s, at + i, "too many modifiers");
		m->buf[i] = '\0';
		m->part[m->n] = m->buf + i + 1;
		m->pos[m->n++] = at + i + 1;
	}
	return 0;
}

static int assemble_line(struct asm_state *s)
{
	const struct op_desc *d;
	struct mnemonic m;
	struct insn in = { 0 };
	const char *at, *why;
	int i;

	skip_ws(s);
	if (s->p == s->end)
		return 0;
	at = s->p;
	if (read_mnemonic(s, &m))
		return -1;
	if (s->p < s->end && *s->p == ':')
		return asm_error(s, at, "labels are not supported: control flow is structured");
	if (at[0] == '.') {
		m.buf[0] = '.';	/* undo the split of ".word" */
		return directive(s, m.buf, at);
	}
	for (i = 0; i < m.n; i++)
		if (!*m.part[i])
			return asm_error(s, m.pos[i], "empty modifier");

	d = find_op_name(m.part[0]);
	if (!d)
		return asm_error(s, at, "unknown instruction '%s'", m.part[0]);
	in.op = d->op;
	if (parse_modifiers(s, d, &m, &in) || parse_operands(s, d, &in) ||
	    structure(s, d, at))
		return -1;
	/*
	 * Rules that span operands (a 16-byte access at r255) are left to
	 * check(), so they are written once.
	 */
	if (check(&in, NULL, &why) != VSVM_INSN_OK)
		return asm_error(s, at, "%s", why);
	return emit(s, insn_w0(&in), in.imm);
}

int vsvm_asm(const char *src, uint8_t **code, size_t *size, char *err,
	     size_t errlen)
{
	struct asm_state s = { .err = err, .errlen = errlen };
	const char *line = src, *nl;
	const struct frame *f;

	if (err && errlen)
		err[0] = '\0';
	for (s.lineno = 1; ; s.lineno++) {
		const char *c;

		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line);
		s.line = line;
		s.p = line;
		for (c = line; c < nl; c++)
			if (*c == ';' || *c == '#')
				break;
		s.end = c;
		if (assemble_line(&s))
			goto fail;
		if (!*nl)
			break;
		line = nl + 1;
	}
	if (s.depth) {
		f = &s.stack[s.depth - 1];
		asm_error_at(&s, f->line, f->col, "%s is not closed by %s",
			     cf_name(f->kind),
			     f->kind == CF_LOOP ? "endloop" : "endif");
		goto fail;
	}
	/* an empty program still gets a buffer, so the caller always frees */
	if (!s.code) {
		s.code = malloc(VSVM_INSN_SIZE);
		if (!s.code) {
			asm_error_at(&s, 1, 1, "out of memory");
			return -1;
		}
	}
	*code = s.code;
	*size = s.size;
	return 0;
fail:
	free(s.code);
	return -1;
}
