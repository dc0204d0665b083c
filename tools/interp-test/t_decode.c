// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */
/*
 * vsvm_prog_decode(): every rejection rule with the offset it reports, and
 * what an accepted program carries (targets, n_regs, max_depth).
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* vsvm_insn_word0() as a constant expression, for the tables below. */
#define W0(op, d, a, b, c, mod, sub, fl)				\
	((u64)(u8)(op) << VSVM_W0_OP_SHIFT | (u64)(u8)(d) << VSVM_W0_DST_SHIFT |	\
	 (u64)(u8)(a) << VSVM_W0_SRC0_SHIFT | (u64)(u8)(b) << VSVM_W0_SRC1_SHIFT |	\
	 (u64)(u8)(c) << VSVM_W0_SRC2_SHIFT | (u64)(u8)(mod) << VSVM_W0_MOD_SHIFT |	\
	 (u64)(u8)(sub) << VSVM_W0_SUB_SHIFT | (u64)(u8)(fl) << VSVM_W0_FLAGS_SHIFT)
#define NOP	{ W0(VSVM_OP_NOP, 0, 0, 0, 0, 0, 0, 0), 0 }
#define OP(op)	{ W0(op, 0, 0, 0, 0, 0, 0, 0), 0 }

struct raw {
	u64 w0, imm;
};

struct reject_case {
	const char *name;
	struct raw in[6];
	u32 n;
	u32 bad;		/* index of the offending instruction */
	const char *why;
	u32 args_size;
};

static const struct reject_case rejects[] = {
	{ "opcode 0x04", { NOP, OP(0x04) }, 2, 1, "unknown opcode" },
	{ "opcode hole 0x23", { OP(0x23) }, 1, 0, "unknown opcode" },
	{ "opcode 0x42", { OP(0x42) }, 1, 0, "unknown opcode" },
	{ "opcode past SV", { OP(VSVM_OP_SV + 1) }, 1, 0, "unknown opcode" },
	{ "opcode 0xff", { OP(0xff) }, 1, 0, "unknown opcode" },

	{ "flags bit 1", { { W0(VSVM_OP_ADD, 1, 2, 3, 0, 0, 0, 2), 0 } }, 1, 0, "unknown flags" },
	{ "flags bit 7", { { W0(VSVM_OP_NOP, 0, 0, 0, 0, 0, 0, 0x80), 0 } }, 1, 0,
	  "unknown flags" },
	{ "SRC1_IMM on NOT", { { W0(VSVM_OP_NOT, 1, 2, 0, 0, 0, 0, 1), 5 } }, 1, 0,
	  "SRC1_IMM on an opcode whose b cannot be immediate" },
	{ "SRC1_IMM on ST", { { W0(VSVM_OP_ST, 0, 2, 0, 0, 2, 0, 1), 5 } }, 1, 0,
	  "SRC1_IMM on an opcode whose b cannot be immediate" },
	{ "SRC1_IMM on ATOM", { { W0(VSVM_OP_ATOM, 1, 2, 0, 0, 2, 0, 1), 0 } }, 1, 0,
	  "SRC1_IMM on an opcode whose b cannot be immediate" },
	{ "SRC1_IMM on MOV", { { W0(VSVM_OP_MOV, 1, 2, 0, 0, 0, 0, 1), 0 } }, 1, 0,
	  "SRC1_IMM on an opcode whose b cannot be immediate" },
	{ "SRC1_IMM with src1", { { W0(VSVM_OP_ADD, 1, 2, 3, 0, 0, 0, 1), 5 } }, 1, 0,
	  "src1 not zero with SRC1_IMM" },

	{ "dst on ST", { { W0(VSVM_OP_ST, 1, 2, 3, 0, 2, 0, 0), 0 } }, 1, 0,
	  "unused dst field not zero" },
	{ "dst on IF", { { W0(VSVM_OP_IF, 1, 2, 0, 0, 0, 0, 0), 0 } }, 1, 0,
	  "unused dst field not zero" },
	{ "src0 on MOVI", { { W0(VSVM_OP_MOVI, 1, 2, 0, 0, 0, 0, 0), 0 } }, 1, 0,
	  "unused src0 field not zero" },
	{ "src0 on SV", { { W0(VSVM_OP_SV, 1, 2, 0, 0, 0, 0, 0), 0 } }, 1, 0,
	  "unused src0 field not zero" },
	{ "src0 on LDARG", { { W0(VSVM_OP_LDARG, 1, 2, 0, 0, 2, 0, 0), 0 } }, 1, 0,
	  "unused src0 field not zero" },
	{ "src1 on MOV", { { W0(VSVM_OP_MOV, 1, 2, 3, 0, 0, 0, 0), 0 } }, 1, 0,
	  "unused src1 field not zero" },
	{ "src1 on LD", { { W0(VSVM_OP_LD, 1, 2, 3, 0, 2, 0, 0), 0 } }, 1, 0,
	  "unused src1 field not zero" },
	{ "src2 on ADD", { { W0(VSVM_OP_ADD, 1, 2, 3, 4, 0, 0, 0), 0 } }, 1, 0,
	  "unused src2 field not zero" },
	{ "src2 on FADD", { { W0(VSVM_OP_FADD, 1, 2, 3, 4, 0, 0, 0), 0 } }, 1, 0,
	  "unused src2 field not zero" },
	{ "mod on MOV", { { W0(VSVM_OP_MOV, 1, 2, 0, 0, 1, 0, 0), 0 } }, 1, 0,
	  "unused mod field not zero" },
	{ "mod on FADD", { { W0(VSVM_OP_FADD, 1, 2, 3, 0, 1, 0, 0), 0 } }, 1, 0,
	  "unused mod field not zero" },
	{ "mod on CVT", { { W0(VSVM_OP_CVT, 1, 2, 0, 0, 1, 0, 0), 0 } }, 1, 0,
	  "unused mod field not zero" },
	{ "sub on ADD", { { W0(VSVM_OP_ADD, 1, 2, 3, 0, 0, 1, 0), 0 } }, 1, 0,
	  "unused sub field not zero" },
	{ "sub on SEL", { { W0(VSVM_OP_SEL, 1, 2, 3, 4, 0, 1, 0), 0 } }, 1, 0,
	  "unused sub field not zero" },
	{ "sub on LD", { { W0(VSVM_OP_LD, 1, 2, 0, 0, 2, 1, 0), 0 } }, 1, 0,
	  "unused sub field not zero" },
	{ "imm on ADD", { { W0(VSVM_OP_ADD, 1, 2, 3, 0, 0, 0, 0), 1 } }, 1, 0,
	  "unused imm field not zero" },
	{ "imm on NOP", { { W0(VSVM_OP_NOP, 0, 0, 0, 0, 0, 0, 0), 1ull << 63 } }, 1, 0,
	  "unused imm field not zero" },
	{ "imm on MOV", { { W0(VSVM_OP_MOV, 1, 2, 0, 0, 0, 0, 0), 7 } }, 1, 0,
	  "unused imm field not zero" },
	{ "imm on IF", { { W0(VSVM_OP_IF, 0, 2, 0, 0, 0, 0, 0), 7 } }, 1, 0,
	  "unused imm field not zero" },

	{ "width 2 on ADD", { { W0(VSVM_OP_ADD, 1, 2, 3, 0, 2, 0, 0), 0 } }, 1, 0,
	  "invalid operand width" },
	{ "width 2 on NOT", { { W0(VSVM_OP_NOT, 1, 2, 0, 0, 2, 0, 0), 0 } }, 1, 0,
	  "invalid operand width" },
	{ "width 0x80 on SEL", { { W0(VSVM_OP_SEL, 1, 2, 3, 4, 0x80, 0, 0), 0 } }, 1, 0,
	  "invalid operand width" },
	{ "width 2 on ICMP", { { W0(VSVM_OP_ICMP, 1, 2, 3, 0, 2, 0, 0), 0 } }, 1, 0,
	  "invalid operand width" },
	{ "ICMP cond 6", { { W0(VSVM_OP_ICMP, 1, 2, 3, 0, 0, 6, 0), 0 } }, 1, 0,
	  "invalid condition" },
	{ "FCMP LTU", { { W0(VSVM_OP_FCMP, 1, 2, 3, 0, 0, VSVM_COND_LTU, 0), 0 } }, 1, 0,
	  "invalid condition" },
	{ "FCMP LEU", { { W0(VSVM_OP_FCMP, 1, 2, 3, 0, 0, VSVM_COND_LEU, 0), 0 } }, 1, 0,
	  "invalid condition" },
	{ "FCMP cond 6", { { W0(VSVM_OP_FCMP, 1, 2, 3, 0, 0, 6, 0), 0 } }, 1, 0,
	  "invalid condition" },
	{ "CVT 14", { { W0(VSVM_OP_CVT, 1, 2, 0, 0, 0, VSVM_CVT_COUNT, 0), 0 } }, 1, 0,
	  "invalid conversion" },
	{ "SV 17", { { W0(VSVM_OP_SV, 1, 0, 0, 0, 0, VSVM_SV_COUNT, 0), 0 } }, 1, 0,
	  "invalid system value" },
	{ "ATOM op 10", { { W0(VSVM_OP_ATOM, 1, 2, 3, 0, 2, VSVM_ATOMIC_COUNT, 0), 0 } }, 1, 0,
	  "invalid atomic operation" },
	{ "ATOM ADD with src2", { { W0(VSVM_OP_ATOM, 1, 2, 3, 4, 2, VSVM_ATOMIC_ADD, 0), 0 } },
	  1, 0, "src2 not zero for an atomic other than CMPXCHG" },
	{ "ATOM XCHG with src2", { { W0(VSVM_OP_ATOM, 1, 2, 3, 1, 3, VSVM_ATOMIC_XCHG, 0), 0 } },
	  1, 0, "src2 not zero for an atomic other than CMPXCHG" },

	{ "LD size 32", { { W0(VSVM_OP_LD, 1, 2, 0, 0, 5, 0, 0), 0 } }, 1, 0,
	  "access size above 16 bytes" },
	{ "ST size 128", { { W0(VSVM_OP_ST, 0, 2, 3, 0, 7, 0, 0), 0 } }, 1, 0,
	  "access size above 16 bytes" },
	{ "ATOM size 1", { { W0(VSVM_OP_ATOM, 1, 2, 3, 0, 0, 0, 0), 0 } }, 1, 0,
	  "atomic size not 4 or 8 bytes" },
	{ "ATOM size 2", { { W0(VSVM_OP_ATOM, 1, 2, 3, 0, 1, 0, 0), 0 } }, 1, 0,
	  "atomic size not 4 or 8 bytes" },
	{ "ATOM size 16", { { W0(VSVM_OP_ATOM, 1, 2, 3, 0, 4, 0, 0), 0 } }, 1, 0,
	  "atomic size not 4 or 8 bytes" },
	{ "ST signed", { { W0(VSVM_OP_ST, 0, 2, 3, 0, 2 | VSVM_MOD_SIGNED, 0, 0), 0 } }, 1, 0,
	  "sign flag on a store or atomic" },
	{ "ATOM signed", { { W0(VSVM_OP_ATOM, 1, 2, 3, 0, 2 | VSVM_MOD_SIGNED, 0, 0), 0 } },
	  1, 0, "sign flag on a store or atomic" },
	{ "LD 8 signed", { { W0(VSVM_OP_LD, 1, 2, 0, 0, 3 | VSVM_MOD_SIGNED, 0, 0), 0 } }, 1, 0,
	  "sign flag on an 8 or 16 byte load" },
	{ "LD 16 signed", { { W0(VSVM_OP_LD, 1, 2, 0, 0, 4 | VSVM_MOD_SIGNED, 0, 0), 0 } }, 1, 0,
	  "sign flag on an 8 or 16 byte load" },
	{ "LDARG 8 signed", { { W0(VSVM_OP_LDARG, 1, 0, 0, 0, 3 | VSVM_MOD_SIGNED, 0, 0), 0 } },
	  1, 0, "sign flag on an 8 or 16 byte load", 64 },
	{ "LD space 3", { { W0(VSVM_OP_LD, 1, 2, 0, 0, 0x32, 0, 0), 0 } }, 1, 0,
	  "invalid address space" },
	{ "ATOM space 3", { { W0(VSVM_OP_ATOM, 1, 2, 3, 0, 0x33, 0, 0), 0 } }, 1, 0,
	  "invalid address space" },
	{ "LDARG shared", { { W0(VSVM_OP_LDARG, 1, 0, 0, 0, 0x12, 0, 0), 0 } }, 1, 0,
	  "LDARG with an address space", 64 },
	{ "LD mod bit 6", { { W0(VSVM_OP_LD, 1, 2, 0, 0, 0x42, 0, 0), 0 } }, 1, 0,
	  "reserved mod bits set" },
	{ "ST mod bit 7", { { W0(VSVM_OP_ST, 0, 2, 3, 0, 0x82, 0, 0), 0 } }, 1, 0,
	  "reserved mod bits set" },

	{ "LD 16 into r255", { { W0(VSVM_OP_LD, 255, 2, 0, 0, 4, 0, 0), 0 } }, 1, 0,
	  "16-byte load into the last register" },
	{ "LDARG 16 into r255", { { W0(VSVM_OP_LDARG, 255, 0, 0, 0, 4, 0, 0), 0 } }, 1, 0,
	  "16-byte load into the last register", 16 },
	{ "ST 16 from r255", { { W0(VSVM_OP_ST, 0, 2, 255, 0, 4, 0, 0), 0 } }, 1, 0,
	  "16-byte store from the last register" },

	{ "LDARG past the end", { NOP, { W0(VSVM_OP_LDARG, 1, 0, 0, 0, 3, 0, 0), 8 } }, 2, 1,
	  "LDARG beyond the argument buffer", 12 },
	{ "LDARG no args", { { W0(VSVM_OP_LDARG, 1, 0, 0, 0, 0, 0, 0), 0 } }, 1, 0,
	  "LDARG beyond the argument buffer", 0 },
	{ "LDARG offset wraps", { { W0(VSVM_OP_LDARG, 1, 0, 0, 0, 2, 0, 0), ~3ull } }, 1, 0,
	  "LDARG beyond the argument buffer", 16 },
	{ "LDARG offset above 4G", { { W0(VSVM_OP_LDARG, 1, 0, 0, 0, 2, 0, 0), 1ull << 32 } },
	  1, 0, "LDARG beyond the argument buffer", 16 },
	{ "LDARG misaligned 4", { { W0(VSVM_OP_LDARG, 1, 0, 0, 0, 2, 0, 0), 2 } }, 1, 0,
	  "LDARG offset not aligned to its size", 16 },
	{ "LDARG misaligned 16", { { W0(VSVM_OP_LDARG, 1, 0, 0, 0, 4, 0, 0), 8 } }, 1, 0,
	  "LDARG offset not aligned to its size", 32 },

	{ "ELSE first", { OP(VSVM_OP_ELSE) }, 1, 0, "ELSE without IF" },
	{ "ELSE in LOOP", { OP(VSVM_OP_LOOP), OP(VSVM_OP_ELSE) }, 2, 1, "ELSE without IF" },
	{ "ELSE after IF LOOP", { OP(VSVM_OP_IF), OP(VSVM_OP_LOOP), OP(VSVM_OP_ELSE) }, 3, 2,
	  "ELSE without IF" },
	{ "second ELSE", { OP(VSVM_OP_IF), OP(VSVM_OP_ELSE), NOP, OP(VSVM_OP_ELSE) }, 4, 3,
	  "second ELSE for one IF" },
	{ "ENDIF first", { NOP, OP(VSVM_OP_ENDIF) }, 2, 1, "ENDIF without IF" },
	{ "ENDIF closes LOOP", { OP(VSVM_OP_LOOP), OP(VSVM_OP_ENDIF) }, 2, 1,
	  "ENDIF without IF" },
	{ "ENDIF twice", { OP(VSVM_OP_IF), OP(VSVM_OP_ENDIF), OP(VSVM_OP_ENDIF) }, 3, 2,
	  "ENDIF without IF" },
	{ "ENDLOOP first", { OP(VSVM_OP_ENDLOOP) }, 1, 0, "ENDLOOP without LOOP" },
	{ "ENDLOOP closes IF", { OP(VSVM_OP_LOOP), OP(VSVM_OP_IF), OP(VSVM_OP_ENDLOOP) }, 3, 2,
	  "ENDLOOP without LOOP" },
	{ "BREAK outside", { NOP, OP(VSVM_OP_BREAK) }, 2, 1, "BREAK or CONTINUE outside a loop" },
	{ "BREAK in IF outside", { OP(VSVM_OP_IF), OP(VSVM_OP_BREAK), OP(VSVM_OP_ENDIF) }, 3, 1,
	  "BREAK or CONTINUE outside a loop" },
	{ "CONTINUE after loop",
	  { OP(VSVM_OP_LOOP), OP(VSVM_OP_ENDLOOP), OP(VSVM_OP_IF), OP(VSVM_OP_CONTINUE) }, 4, 3,
	  "BREAK or CONTINUE outside a loop" },

	{ "open IF", { NOP, OP(VSVM_OP_IF), OP(VSVM_OP_END) }, 3, 1, "IF without ENDIF" },
	{ "open ELSE", { OP(VSVM_OP_IF), OP(VSVM_OP_ELSE), OP(VSVM_OP_END) }, 3, 1,
	  "ELSE without ENDIF" },
	{ "open LOOP", { OP(VSVM_OP_LOOP), OP(VSVM_OP_IF), OP(VSVM_OP_ENDIF) }, 3, 0,
	  "LOOP without ENDLOOP" },
	{ "open inner IF", { OP(VSVM_OP_LOOP), OP(VSVM_OP_IF), OP(VSVM_OP_ENDIF), OP(VSVM_OP_IF) },
	  4, 3, "IF without ENDIF" },
};

static u8 *raw_bytes(const struct raw *in, u32 n)
{
	u8 *b = malloc(n * VSVM_INSN_SIZE + 1);
	u32 i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < 8; k++) {
			b[i * 16 + k] = in[i].w0 >> (8 * k);
			b[i * 16 + 8 + k] = in[i].imm >> (8 * k);
		}
	}
	return b;
}

static void test_reject_rules(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rejects); i++) {
		const struct reject_case *r = &rejects[i];
		struct vsvm_prog *prog = (void *)1;
		const char *why = NULL;
		u32 bad = ~0u;
		u8 *b = raw_bytes(r->in, r->n);
		int ret;

		ret = vsvm_prog_decode(b, r->n * VSVM_INSN_SIZE, r->args_size, &prog, &bad, &why);
		CHECK(ret == -EINVAL, "%s: returned %d", r->name, ret);
		CHECK(bad == r->bad * VSVM_INSN_SIZE, "%s: offset %u, want %u", r->name, bad,
		      r->bad * VSVM_INSN_SIZE);
		CHECK(why && !strcmp(why, r->why), "%s: why \"%s\", want \"%s\"", r->name,
		      why ? why : "(null)", r->why);
		CHECK(prog == (void *)1, "%s: *out written on failure", r->name);
		free(b);
	}
}

/* Each rule above, with the offending field cleared, is accepted. */
static void test_accept_neighbours(void)
{
	static const struct raw ok[] = {
		{ W0(VSVM_OP_ADD, 1, 2, 0, 0, 1, 0, VSVM_F_SRC1_IMM), ~0ull },
		{ W0(VSVM_OP_ICMP, 1, 2, 0, 0, 1, VSVM_COND_LES, VSVM_F_SRC1_IMM), 5 },
		{ W0(VSVM_OP_FCMP, 1, 2, 3, 0, 0, VSVM_COND_LES, 0), 0 },
		{ W0(VSVM_OP_FFMA, 1, 2, 0, 4, 0, 0, VSVM_F_SRC1_IMM), 0x3f800000 },
		{ W0(VSVM_OP_SEL, 1, 2, 0, 4, 1, 0, VSVM_F_SRC1_IMM), 9 },
		{ W0(VSVM_OP_CVT, 1, 2, 0, 0, 0, VSVM_CVT_ZEXT32, 0), 0 },
		{ W0(VSVM_OP_SV, 1, 0, 0, 0, 0, VSVM_SV_WAVE_ID, 0), 0 },
		{ W0(VSVM_OP_ATOM, 1, 2, 3, 4, 3, VSVM_ATOMIC_CMPXCHG, 0), 8 },
		{ W0(VSVM_OP_ATOM, 1, 2, 3, 0, 0x22, VSVM_ATOMIC_XOR, 0), 0 },
		{ W0(VSVM_OP_LD, 1, 2, 0, 0, 2 | VSVM_MOD_SIGNED | 0x20, 0, 0), ~0ull },
		{ W0(VSVM_OP_LD, 254, 2, 0, 0, 4, 0, 0), 0 },
		{ W0(VSVM_OP_ST, 0, 2, 254, 0, 0x14, 0, 0), 0 },
		{ W0(VSVM_OP_LDARG, 1, 0, 0, 0, 0 | VSVM_MOD_SIGNED, 0, 0), 11 },
		{ W0(VSVM_OP_LDARG, 1, 0, 0, 0, 4, 0, 0), 0 },
		{ W0(VSVM_OP_TRAP, 0, 0, 0, 0, 0, 0, 0), ~0ull },
		{ W0(VSVM_OP_MOVI, 255, 0, 0, 0, 0, 0, 0), ~0ull },
		{ W0(VSVM_OP_FENCE, 0, 0, 0, 0, 0, 0, 0), 0 },
		{ W0(VSVM_OP_BAR, 0, 0, 0, 0, 0, 0, 0), 0 },
		{ W0(VSVM_OP_END, 0, 0, 0, 0, 0, 0, 0), 0 },
	};
	u32 n = ARRAY_SIZE(ok);
	struct vsvm_prog *prog = NULL;
	const char *why = "(none)";
	u8 *b = raw_bytes(ok, n);
	u32 bad = 0, i;
	int ret;

	ret = vsvm_prog_decode(b, n * VSVM_INSN_SIZE, 16, &prog, &bad, &why);
	if (CHECK(ret == 0, "rejected: offset %u: %s", bad, why)) {
		CHECK_EQ(prog->n_insns, n);
		CHECK_EQ(prog->n_regs, 256);
		CHECK_EQ(prog->max_depth, 0);
		for (i = 0; i < n; i++) {
			CHECK_EQ(prog->insns[i].op, (u8)ok[i].w0);
			CHECK_EQ(prog->insns[i].imm, ok[i].imm);
		}
		CHECK_EQ(prog->insns[7].dst, 1);
		CHECK_EQ(prog->insns[7].src0, 2);
		CHECK_EQ(prog->insns[7].src1, 3);
		CHECK_EQ(prog->insns[7].src2, 4);
		CHECK_EQ(prog->insns[7].mod, 3);
		CHECK_EQ(prog->insns[7].sub, VSVM_ATOMIC_CMPXCHG);
		CHECK_EQ(prog->insns[0].flags, VSVM_F_SRC1_IMM);
	}
	free(prog);
	free(b);
}

static void test_size_rules(void)
{
	u8 b[48] = { 0 };
	struct vsvm_prog *prog = NULL;
	const char *why = NULL;
	u32 bad = ~0u;

	CHECK_EQ(vsvm_prog_decode(b, 0, 0, &prog, &bad, &why), (u64)-EINVAL);
	CHECK_EQ(bad, 0);
	CHECK(why && !strcmp(why, "empty code"), "why %s", why);
	bad = ~0u;
	CHECK_EQ(vsvm_prog_decode(b, 8, 0, &prog, &bad, &why), (u64)-EINVAL);
	CHECK_EQ(bad, 0);
	CHECK(why && !strcmp(why, "code size not a multiple of 16"), "why %s", why);
	CHECK_EQ(vsvm_prog_decode(b, 33, 0, &prog, &bad, &why), (u64)-EINVAL);
	CHECK_EQ(bad, 32);
	CHECK(!prog, "*out written on failure");

	/* Three NOPs: fine, and reading from an odd address is fine too. */
	CHECK_EQ(vsvm_prog_decode(b, 48, 0, &prog, &bad, &why), 0);
	if (prog) {
		CHECK_EQ(prog->n_insns, 3);
		CHECK_EQ(prog->n_regs, 0);
		free(prog);
	}
	{
		u8 *odd = calloc(1, 16 * 4 + 1);

		odd[1 + 16] = VSVM_OP_MOVI;
		odd[1 + 16 + 1] = 7;		/* dst */
		odd[1 + 16 + 8] = 0x34;		/* imm */
		odd[1 + 16 + 15] = 0x12;
		prog = NULL;
		CHECK_EQ(vsvm_prog_decode(odd + 1, 64, 0, &prog, &bad, &why), 0);
		if (prog) {
			CHECK_EQ(prog->insns[1].op, VSVM_OP_MOVI);
			CHECK_EQ(prog->insns[1].dst, 7);
			CHECK_EQ(prog->insns[1].imm, 0x1200000000000034ull);
			CHECK_EQ(prog->n_regs, 8);
			free(prog);
		}
		free(odd);
	}
}

static void test_enomem(void)
{
	u8 b[16] = { 0 };
	struct vsvm_prog *prog = NULL;
	const char *why = NULL;
	u32 bad = 0;

	compat_kvmalloc_fail = 1;
	CHECK_EQ(vsvm_prog_decode(b, 16, 0, &prog, &bad, &why), (u64)-ENOMEM);
	CHECK(!prog, "*out written on failure");
	compat_kvmalloc_fail = 0;
}

static void test_targets(void)
{
	struct code c;
	struct vsvm_prog *prog;
	u32 l0, if1, br, el, l1, co, br2, el1, ei, ei2, if2, ei3, el0, if3, br3, ei4;

	code_init(&c);
	l0 = e_op(&c, VSVM_OP_LOOP);		/* 0 */
	if1 = e_if(&c, 1);
	br = e_op(&c, VSVM_OP_BREAK);
	el = e_op(&c, VSVM_OP_ELSE);
	l1 = e_op(&c, VSVM_OP_LOOP);
	co = e_op(&c, VSVM_OP_CONTINUE);
	br2 = e_op(&c, VSVM_OP_BREAK);
	el1 = e_op(&c, VSVM_OP_ENDLOOP);
	ei = e_op(&c, VSVM_OP_ENDIF);
	if2 = e_if(&c, 2);			/* IF with no ELSE */
	ei2 = e_op(&c, VSVM_OP_CONTINUE);
	ei3 = e_op(&c, VSVM_OP_ENDIF);
	el0 = e_op(&c, VSVM_OP_ENDLOOP);
	if3 = e_if(&c, 3);
	br3 = e_op(&c, VSVM_OP_NOP);
	ei4 = e_op(&c, VSVM_OP_ENDIF);
	e_op(&c, VSVM_OP_END);

	prog = decode_ok(&c, 0);
	if (prog) {
		CHECK_EQ(prog->insns[l0].target, el0);
		CHECK_EQ(prog->insns[el0].target, l0);
		CHECK_EQ(prog->insns[if1].target, el);
		CHECK_EQ(prog->insns[el].target, ei);
		CHECK_EQ(prog->insns[br].target, el0);
		CHECK_EQ(prog->insns[l1].target, el1);
		CHECK_EQ(prog->insns[el1].target, l1);
		CHECK_EQ(prog->insns[co].target, el1);
		CHECK_EQ(prog->insns[br2].target, el1);
		CHECK_EQ(prog->insns[if2].target, ei3);
		CHECK_EQ(prog->insns[ei2].target, el0);
		CHECK_EQ(prog->insns[if3].target, ei4);
		CHECK_EQ(prog->insns[br3].target, 0);
		CHECK_EQ(prog->max_depth, 3);
		CHECK_EQ(prog->n_regs, 4);
		free(prog);
	}
	code_free(&c);
}

/* Nesting: 32 levels accepted, 33 rejected at the 33rd opener. */
static void test_nesting(void)
{
	struct vsvm_prog *prog;
	const char *why = NULL;
	struct code c;
	u32 bad = 0, i;

	code_init(&c);
	for (i = 0; i < VSVM_MAX_NESTING; i++)
		emit(&c, i & 1 ? VSVM_OP_IF : VSVM_OP_LOOP, 0, 0, 0, 0, 0, 0, 0, 0);
	e_op(&c, VSVM_OP_BREAK);
	for (i = VSVM_MAX_NESTING; i--;)
		e_op(&c, i & 1 ? VSVM_OP_ENDIF : VSVM_OP_ENDLOOP);
	prog = decode_ok(&c, 0);
	if (prog) {
		CHECK_EQ(prog->max_depth, VSVM_MAX_NESTING);
		/* The BREAK leaves the innermost loop, level 30. */
		CHECK_EQ(prog->insns[VSVM_MAX_NESTING].target, VSVM_MAX_NESTING + 2);
		free(prog);
	}
	code_free(&c);

	code_init(&c);
	e_op(&c, VSVM_OP_NOP);
	for (i = 0; i <= VSVM_MAX_NESTING; i++)
		e_op(&c, VSVM_OP_LOOP);
	for (i = 0; i <= VSVM_MAX_NESTING; i++)
		e_op(&c, VSVM_OP_ENDLOOP);
	CHECK_EQ(vsvm_prog_decode(c.bytes, c.size, 0, &prog, &bad, &why), (u64)-EINVAL);
	CHECK_EQ(bad, (VSVM_MAX_NESTING + 1) * VSVM_INSN_SIZE);
	CHECK(why && !strcmp(why, "control flow nested deeper than VSVM_MAX_NESTING"),
	      "why %s", why);
	code_free(&c);

	/* Depth is the live depth, not the number of blocks. */
	code_init(&c);
	for (i = 0; i < 100; i++) {
		e_if(&c, 0);
		e_op(&c, VSVM_OP_ELSE);
		e_op(&c, VSVM_OP_ENDIF);
	}
	prog = decode_ok(&c, 0);
	if (prog) {
		CHECK_EQ(prog->max_depth, 1);
		CHECK_EQ(prog->n_regs, 1);
		free(prog);
	}
	code_free(&c);
}

static void test_n_regs(void)
{
	static const struct {
		struct raw in;
		u32 n_regs;
	} tcases[] = {
		{ { W0(VSVM_OP_END, 0, 0, 0, 0, 0, 0, 0), 0 }, 0 },
		{ { W0(VSVM_OP_MOVI, 9, 0, 0, 0, 0, 0, 0), 1 }, 10 },
		{ { W0(VSVM_OP_ADD, 1, 7, 0, 0, 0, 0, VSVM_F_SRC1_IMM), 1 }, 8 },
		{ { W0(VSVM_OP_ADD, 1, 7, 12, 0, 0, 0, 0), 0 }, 13 },
		{ { W0(VSVM_OP_SEL, 1, 2, 3, 40, 0, 0, 0), 0 }, 41 },
		{ { W0(VSVM_OP_FFMA, 1, 2, 3, 41, 0, 0, 0), 0 }, 42 },
		{ { W0(VSVM_OP_LD, 10, 2, 0, 0, 4, 0, 0), 0 }, 12 },
		{ { W0(VSVM_OP_LD, 10, 2, 0, 0, 3, 0, 0), 0 }, 11 },
		{ { W0(VSVM_OP_LDARG, 20, 0, 0, 0, 4, 0, 0), 0 }, 22 },
		{ { W0(VSVM_OP_ST, 0, 2, 20, 0, 4, 0, 0), 0 }, 22 },
		{ { W0(VSVM_OP_ST, 0, 30, 20, 0, 4, 0, 0), 0 }, 31 },
		{ { W0(VSVM_OP_ATOM, 3, 4, 5, 0, 2, VSVM_ATOMIC_ADD, 0), 0 }, 6 },
		{ { W0(VSVM_OP_ATOM, 3, 4, 5, 9, 2, VSVM_ATOMIC_CMPXCHG, 0), 0 }, 10 },
		{ { W0(VSVM_OP_IF, 0, 77, 0, 0, 0, 0, 0), 0 }, 78 },
		{ { W0(VSVM_OP_SV, 5, 0, 0, 0, 0, 3, 0), 0 }, 6 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tcases); i++) {
		struct raw in[2] = { tcases[i].in, { W0(VSVM_OP_ENDIF, 0, 0, 0, 0, 0, 0, 0), 0 } };
		struct vsvm_prog *prog = NULL;
		const char *why = NULL;
		u32 n = (u8)in[0].w0 == VSVM_OP_IF ? 2 : 1, bad = 0;
		u8 *b = raw_bytes(in, n);

		if (CHECK(!vsvm_prog_decode(b, n * 16, 64, &prog, &bad, &why),
			  "case %zu rejected: %s", i, why)) {
			CHECK(prog->n_regs == tcases[i].n_regs, "case %zu: n_regs %u, want %u",
			      i, prog->n_regs, tcases[i].n_regs);
			free(prog);
		}
		free(b);
	}
}

/*
 * The largest program the engine allows (1 MiB), with many BREAK and
 * CONTINUE chained on each of 32 nested loops: every target resolved, and
 * in linear time (this would time out if patching were quadratic).
 */
static void test_large(void)
{
	const u32 n = (1u << 20) / VSVM_INSN_SIZE;
	u32 i, depth = 0, mid;
	struct vsvm_prog *prog;
	struct code c;

	code_init(&c);
	for (i = 0; i < VSVM_MAX_NESTING; i++)
		e_op(&c, VSVM_OP_LOOP);
	mid = n - 2 * VSVM_MAX_NESTING;
	for (i = 0; i < mid; i++) {
		if (i % 1024 == 1023 && depth < VSVM_MAX_NESTING - 1) {
			/* Close one loop now and then, so chains end at several ENDLOOPs. */
			e_op(&c, VSVM_OP_ENDLOOP);
			depth++;
		} else {
			e_op(&c, i & 1 ? VSVM_OP_BREAK : VSVM_OP_CONTINUE);
		}
	}
	for (i = depth; i < VSVM_MAX_NESTING; i++)
		e_op(&c, VSVM_OP_ENDLOOP);
	while (code_len(&c) < n)
		e_op(&c, VSVM_OP_NOP);
	CHECK_EQ(c.size, 1u << 20);

	prog = decode_ok(&c, 0);
	if (prog) {
		u32 next_endloop = 0;

		/* Every BREAK/CONTINUE targets the first ENDLOOP after it. */
		for (i = n; i--;) {
			const struct vsvm_insn *in = &prog->insns[i];

			if (in->op == VSVM_OP_ENDLOOP)
				next_endloop = i;
			if ((in->op == VSVM_OP_BREAK || in->op == VSVM_OP_CONTINUE) &&
			    !CHECK(in->target == next_endloop, "insn %u: target %u, want %u",
				   i, in->target, next_endloop))
				break;
		}
		free(prog);
	}
	code_free(&c);
}

/* One plausible instruction of @op, tracking control-flow nesting. */
static void fuzz_insn(struct code *c, u8 op, u8 *open, u32 *depth, u32 *loops)
{
	u8 d = rng_below(8), a = rng_below(8), b = rng_below(8), cc = 0, mod = 0, sub = 0;
	u8 fl = 0, lg;
	u64 imm = 0;

	switch (op) {
	case VSVM_OP_ADD:
	case VSVM_OP_DIVS:
	case VSVM_OP_SHL:
	case VSVM_OP_MULHS:
	case VSVM_OP_ICMP:
	case VSVM_OP_SEL:
	case VSVM_OP_FADD:
	case VSVM_OP_FFMA:
	case VSVM_OP_FCMP:
		if (op != VSVM_OP_FADD && op != VSVM_OP_FFMA && op != VSVM_OP_FCMP)
			mod = rng_below(2);
		if (op == VSVM_OP_ICMP)
			sub = rng_below(VSVM_COND_COUNT);
		if (op == VSVM_OP_FCMP)
			sub = rng_below(2) ? VSVM_COND_LTS : VSVM_COND_NE;
		if (op == VSVM_OP_SEL || op == VSVM_OP_FFMA)
			cc = rng_below(8);
		if (!rng_below(3)) {
			fl = VSVM_F_SRC1_IMM;
			b = 0;
			imm = rng_u64();
		}
		break;
	case VSVM_OP_CLZ:
	case VSVM_OP_POPCNT:
		mod = rng_below(2);
		fallthrough;
	case VSVM_OP_MOV:
	case VSVM_OP_FSQRT:
		b = 0;
		break;
	case VSVM_OP_CVT:
		b = 0;
		sub = rng_below(VSVM_CVT_COUNT);
		break;
	case VSVM_OP_MOVI:
		a = 0;
		b = 0;
		imm = rng_below(2) ? 0x10000 + rng_below(0x2000) : rng_u64();
		break;
	case VSVM_OP_SV:
		a = 0;
		b = 0;
		sub = rng_below(VSVM_SV_COUNT);
		break;
	case VSVM_OP_LD:
	case VSVM_OP_ST:
	case VSVM_OP_ATOM:
		lg = op == VSVM_OP_ATOM ? 2 + rng_below(2) : rng_below(5);
		mod = lg | rng_below(3) << VSVM_MOD_SPACE_SHIFT;
		if (op == VSVM_OP_LD && lg <= 2 && rng_below(2))
			mod |= VSVM_MOD_SIGNED;
		if (op == VSVM_OP_LD)
			b = 0;
		if (op == VSVM_OP_ST)
			d = 0;
		if (op == VSVM_OP_ATOM) {
			sub = rng_below(VSVM_ATOMIC_COUNT);
			cc = sub == VSVM_ATOMIC_CMPXCHG ? rng_below(8) : 0;
		}
		imm = rng_below(2) ? rng_below(64) : rng_u64();
		break;
	case VSVM_OP_LDARG:
		lg = rng_below(5);
		mod = lg;
		a = 0;
		b = 0;
		imm = rng_below(32 >> lg) << lg;
		break;
	case VSVM_OP_IF:
	case VSVM_OP_LOOP:
		if (*depth == VSVM_MAX_NESTING)
			return;
		open[(*depth)++] = op;
		*loops += op == VSVM_OP_LOOP;
		d = 0;
		b = 0;
		if (op == VSVM_OP_LOOP)
			a = 0;
		break;
	case VSVM_OP_ELSE:
		if (!*depth || open[*depth - 1] != VSVM_OP_IF)
			return;
		open[*depth - 1] = VSVM_OP_ELSE;
		d = 0;
		a = 0;
		b = 0;
		break;
	case VSVM_OP_ENDIF:
	case VSVM_OP_ENDLOOP:
		if (!*depth || (open[*depth - 1] == VSVM_OP_LOOP ? VSVM_OP_ENDLOOP :
				VSVM_OP_ENDIF) != op)
			return;
		*loops -= open[--*depth] == VSVM_OP_LOOP;
		d = 0;
		a = 0;
		b = 0;
		break;
	case VSVM_OP_BREAK:
	case VSVM_OP_CONTINUE:
		if (!*loops)
			return;
		fallthrough;
	default:
		d = 0;
		a = 0;
		b = 0;
		if (op == VSVM_OP_TRAP)
			imm = rng_u64();
		break;
	}
	emit(c, op, d, a, b, cc, mod, sub, fl, imm);
}

/*
 * Random encodings must never crash the decoder, and whatever it accepts
 * must run without touching memory outside the register file, the pages and
 * the local memories (this matters most in the sanitizer build). Programs
 * are mostly well formed, with a bit flipped now and then.
 */
static void test_fuzz(void)
{
	static const u8 ops[] = {
		VSVM_OP_NOP, VSVM_OP_MOV, VSVM_OP_MOVI, VSVM_OP_ADD, VSVM_OP_DIVS,
		VSVM_OP_SHL, VSVM_OP_CLZ, VSVM_OP_ICMP, VSVM_OP_FADD, VSVM_OP_FFMA,
		VSVM_OP_FSQRT, VSVM_OP_FCMP, VSVM_OP_CVT, VSVM_OP_SEL, VSVM_OP_LD,
		VSVM_OP_ST, VSVM_OP_ATOM, VSVM_OP_LDARG, VSVM_OP_IF, VSVM_OP_ELSE,
		VSVM_OP_ENDIF, VSVM_OP_LOOP, VSVM_OP_ENDLOOP, VSVM_OP_BREAK,
		VSVM_OP_CONTINUE, VSVM_OP_EXIT, VSVM_OP_BAR, VSVM_OP_SV, VSVM_OP_END,
		VSVM_OP_TRAP, VSVM_OP_FENCE, VSVM_OP_POPCNT, VSVM_OP_MULHS,
		VSVM_OP_LD, VSVM_OP_ST, VSVM_OP_MOVI, VSVM_OP_IF, VSVM_OP_ENDIF,
	};
	unsigned long accepted = 0;
	struct vsvm_mmu mmu = { 0 };
	u32 iter, i, n;

	mmu_add(&mmu, 0x10000, true, false);
	mmu_add(&mmu, 0x11000, true, true);
	for (iter = 0; iter < 20000; iter++) {
		struct vsvm_prog *prog = NULL;
		u32 depth = 0, loops = 0;
		const char *why = NULL;
		u8 open[VSVM_MAX_NESTING];
		struct code c;
		u32 bad;

		code_init(&c);
		n = 1 + rng_below(32);
		for (i = 0; i < n; i++) {
			/* Now and then an opcode that may not exist. */
			u8 op = rng_below(64) ? ops[rng_below(ARRAY_SIZE(ops))] : (u8)rng_u64();

			fuzz_insn(&c, op, open, &depth, &loops);
		}
		while (depth && rng_below(8))
			fuzz_insn(&c, open[depth - 1] == VSVM_OP_LOOP ? VSVM_OP_ENDLOOP :
				  VSVM_OP_ENDIF, open, &depth, &loops);
		if (!c.size)
			e_op(&c, VSVM_OP_NOP);
		if (!rng_below(4)) {
			/* Flip one bit anywhere. */
			i = rng_below(c.size * 8);
			c.bytes[i / 8] ^= 1u << (i % 8);
		}
		if (!vsvm_prog_decode(c.bytes, c.size, 32, &prog, &bad, &why)) {
			struct wg g;
			u32 k;

			accepted++;
			wg_init1(&g, prog, &mmu, 1 + rng_below(64));
			g.ctx.args_va = 0x10000 + rng_below(4096);
			for (k = 0; k < g.n_waves; k++) {
				u32 j;

				/* Addresses around the two pages, some unmapped. */
				for (j = 0; j < prog->n_regs * VSVM_WAVE_WIDTH; j++)
					wg_set(&g, k, j / VSVM_WAVE_WIDTH, j % VSVM_WAVE_WIDTH,
					       rng_below(2) ? 0x10000 + rng_below(0x2100) - 0x80 :
					       rng_u64());
			}
			g.max_turns = 40;
			if (wg_run(&g, 1 + rng_below(100), NULL, NULL) == VSVM_STOP_FAULT)
				CHECK(g.ctx.fault_pc < c.size, "fault_pc %u", g.ctx.fault_pc);
			wg_free(&g);
			free(prog);
		} else {
			CHECK(bad < c.size && bad % 16 == 0, "bad offset %u", bad);
		}
		code_free(&c);
	}
	CHECK(mmu.bad_calls == 0, "xlate with a bad access kind");
	/* The generator is meant to produce a fair share of valid programs. */
	CHECK(accepted > 1000, "only %lu programs accepted", accepted);
	mmu_reset(&mmu);
}

const struct test decode_tests[] = {
	{ "decode-reject-rules", test_reject_rules },
	{ "decode-accept-neighbours", test_accept_neighbours },
	{ "decode-size-rules", test_size_rules },
	{ "decode-enomem", test_enomem },
	{ "decode-targets", test_targets },
	{ "decode-nesting", test_nesting },
	{ "decode-n-regs", test_n_regs },
	{ "decode-large", test_large },
	{ "decode-fuzz-run", test_fuzz },
	{ NULL, NULL },
};
