// SPDX-License-Identifier: MIT
/* Copyright 2026 The vsvm authors */
/*
 * Tests of the vsvm assembler and disassembler:
 *  - known answers: hand-encoded bytes for at least one instruction of each
 *    class, and the canonical text the disassembler prints for them;
 *  - the whole ISA: every opcode with every modifier, sub-operation and
 *    immediate flag the table accepts goes text -> bytes -> text -> bytes;
 *    the number of valid combinations is checked per opcode against counts
 *    worked out from vsvm_isa.h by hand;
 *  - random encodings, valid or not, survive disassembly and reassembly;
 *  - errors: each bad source is refused with the expected line:column.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsvm_isa.h"
#include "vsvm_asm.h"
#include "vsvm_asm_internal.h"

static int failures;
static int checks;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define CHECK(cond, ...)						\
	do {								\
		checks++;						\
		if (!(cond)) {						\
			failures++;					\
			fprintf(stderr, "%s:%d: FAIL: %s: ", __FILE__,	\
				__LINE__, #cond);			\
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
		}							\
	} while (0)

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

static uint64_t w0_of(unsigned int op, unsigned int dst, unsigned int src0,
		      unsigned int src1, unsigned int src2, unsigned int mod,
		      unsigned int sub, unsigned int flags)
{
	return vsvm_insn_word0((__u8)op, (__u8)dst, (__u8)src0, (__u8)src1,
			       (__u8)src2, (__u8)mod, (__u8)sub, (__u8)flags);
}

/*
 * Control-flow instructions only assemble inside the right block: the lines
 * to put around one so that it is accepted on its own.
 */
static void wrappers(uint8_t op, const char **pre, const char **post)
{
	*pre = "";
	*post = "";
	switch (op) {
	case VSVM_OP_IF:
		*post = "endif\n";
		break;
	case VSVM_OP_ELSE:
		*pre = "if r0\n";
		*post = "endif\n";
		break;
	case VSVM_OP_ENDIF:
		*pre = "if r0\n";
		break;
	case VSVM_OP_LOOP:
		*post = "endloop\n";
		break;
	case VSVM_OP_ENDLOOP:
		*pre = "loop\n";
		break;
	case VSVM_OP_BREAK:
	case VSVM_OP_CONTINUE:
		*pre = "loop\n";
		*post = "endloop\n";
		break;
	}
}

/*
 * Assembles @text as one instruction (wrapped as the opcode @op needs) and
 * returns its words. False if assembly failed; *err then holds the reason.
 */
static bool asm_one(uint8_t op, const char *text, uint64_t *w0, uint64_t *w1,
		    char *err, size_t errlen)
{
	const char *pre = "", *post = "";
	char src[512];
	uint8_t *code = NULL;
	size_t size = 0, idx;
	bool ok;

	/* .word is not an instruction to the structure check */
	if (strncmp(text, ".word", 5))
		wrappers(op, &pre, &post);
	snprintf(src, sizeof(src), "%s%s\n%s", pre, text, post);
	if (vsvm_asm(src, &code, &size, err, errlen))
		return false;
	idx = *pre ? VSVM_INSN_SIZE : 0;
	ok = size == idx + VSVM_INSN_SIZE + (*post ? VSVM_INSN_SIZE : 0);
	if (ok) {
		*w0 = get_le64(code + idx);
		*w1 = get_le64(code + idx + 8);
	} else {
		snprintf(err, errlen, "%zu bytes of code", size);
	}
	free(code);
	return ok;
}

/*
 * Disassembles one encoding and assembles the text back; the bytes must
 * come back unchanged, whatever the encoding (invalid ones as .word).
 * Returns the check class, or -1 after reporting a failure.
 */
static int roundtrip(uint64_t w0, uint64_t w1, char *text, size_t len)
{
	uint8_t insn[VSVM_INSN_SIZE];
	uint64_t r0 = 0, r1 = 0;
	char err[256];
	int cls, printed_raw;

	put_le64(insn, w0);
	put_le64(insn + 8, w1);
	cls = vsvm_insn_check(w0, w1, NULL);
	printed_raw = vsvm_disasm_insn(insn, text, len);
	CHECK(printed_raw == (cls != VSVM_INSN_OK),
	      "class %d but printed_raw %d: %s", cls, printed_raw, text);
	CHECK(!strncmp(text, ".word ", 6) == (cls != VSVM_INSN_OK),
	      "class %d printed as '%s'", cls, text);
	if (!asm_one((uint8_t)w0, text, &r0, &r1, err, sizeof(err))) {
		CHECK(0, "'%s' (0x%016" PRIx64 ", 0x%016" PRIx64
		      ") does not reassemble: %s", text, w0, w1, err);
		return -1;
	}
	CHECK(r0 == w0 && r1 == w1,
	      "'%s': 0x%016" PRIx64 ", 0x%016" PRIx64 " came back as 0x%016"
	      PRIx64 ", 0x%016" PRIx64, text, w0, w1, r0, r1);
	return cls;
}

/* ---- known answers ---- */

struct kat {
	const char *src;
	const char *canon;	/* disassembly, when it differs from @src */
	uint64_t w0, w1;
};

/*
 * word0 bytes from the least significant: op, dst, src0, src1, src2, mod,
 * sub, flags. Encoded by hand from vsvm_isa.h, not by the assembler.
 */
static const struct kat kats[] = {
	/* moves */
	{ "nop", NULL, 0x0000000000000000, 0 },
	{ "end", NULL, 0x0000000000000001, 0 },
	{ "mov r1, r2", NULL, 0x0000000000020102, 0 },
	{ "movi r0, 0x1234", "movi r0, 4660", 0x0000000000000003, 0x1234 },
	{ "movi r0, 0x10000", NULL, 0x0000000000000003, 0x10000 },
	{ "movi r1, 1.5f", "movi r1, 0x3fc00000", 0x0000000000000103,
	  0x3fc00000 },
	{ "movi r2, 1f", "movi r2, 0x3f800000", 0x0000000000000203,
	  0x3f800000 },
	{ "movi r255, -1", NULL, 0x000000000000ff03, 0xffffffffffffffff },
	{ "movi r3, 18446744073709551615", "movi r3, -1", 0x0000000000000303,
	  0xffffffffffffffff },
	{ "movi r3, -9223372036854775808", "movi r3, 0x8000000000000000",
	  0x0000000000000303, 0x8000000000000000 },
	/* integer ALU */
	{ "add.32 r1, r2, r3", NULL, 0x0000000003020110, 0 },
	{ "add.u64 r1, r2, 42", "add.64 r1, r2, 42", 0x0100010000020110, 42 },
	{ "sub.32 r4, r5, -1", NULL, 0x0100000000050411, 0xffffffffffffffff },
	{ "add.32 r1, r2, -0x80000000", NULL, 0x0100000000020110,
	  0xffffffff80000000 },
	{ "add.32 r1, r2, 4294967295", "add.32 r1, r2, 0xffffffff",
	  0x0100000000020110, 0xffffffff },
	{ "shrs.64 r10, r11, r12", NULL, 0x000001000c0b0a1e, 0 },
	{ "maxs.s32 r1, r2, r3", "maxs.32 r1, r2, r3", 0x0000000003020122, 0 },
	{ "clz.32 r1, r2", NULL, 0x000000000002012b, 0 },
	{ "not.64 r7, r7", NULL, 0x0000010000070728, 0 },
	{ "icmp.lts.32 r3, r1, r2", NULL, 0x000400000201032d, 0 },
	{ "icmp.leu.64 r3, r1, 7", NULL, 0x010301000001032d, 7 },
	/* fp32 */
	{ "fadd r1, r2, -0.0", NULL, 0x0100000000020130, 0x80000000 },
	{ "fmul r1, r2, 0.1", NULL, 0x0100000000020132, 0x3dcccccd },
	{ "fdiv r1, r2, 0x7fc00000", NULL, 0x0100000000020133, 0x7fc00000 },
	{ "fsub r1, r2, 1e10", "fsub r1, r2, 1e+10", 0x0100000000020131,
	  0x501502f9 },
	{ "fmin r1, r2, 1.4e-45", "fmin r1, r2, 1e-45", 0x0100000000020135,
	  1 },
	{ "ffma r1, r2, r3, r4", NULL, 0x0000000403020134, 0 },
	{ "ffma r1, r2, 2f, r4", "ffma r1, r2, 2.0, r4", 0x0100000400020134,
	  0x40000000 },
	{ "fsqrt r1, r2", NULL, 0x0000000000020139, 0 },
	{ "fcmp.lt r3, r1, r2", NULL, 0x000400000201033e, 0 },
	{ "fcmp.ne r3, r1, 0.5", NULL, 0x010100000001033e, 0x3f000000 },
	/* conversion, select */
	{ "cvt.f32.s32 r1, r2", NULL, 0x0000000000020140, 0 },
	{ "cvt.u64.u16 r1, r2", NULL, 0x000c000000020140, 0 },
	{ "cvt.s64.f32 r1, r2", NULL, 0x0006000000020140, 0 },
	{ "sel.32 r1, r2, r3, r4", NULL, 0x0000000403020141, 0 },
	{ "sel.64 r1, r2, 5, r4", NULL, 0x0100010400020141, 5 },
	{ "sel.32 r1, r2, 1.0, r4", "sel.32 r1, r2, 0x3f800000, r4",
	  0x0100000400020141, 0x3f800000 },
	/* memory */
	{ "ld.global.u32 r1, [r2 + 16]", NULL, 0x0000020000020150, 16 },
	{ "ld.global.s8 r1, [r2]", NULL, 0x0000080000020150, 0 },
	{ "ld.shared.u64 r1, [r2]", NULL, 0x0000130000020150, 0 },
	{ "ld.global.b128 r4, [r2]", NULL, 0x0000040000020450, 0 },
	{ "ld.scratch.s16 r1, [r2 - 8]", NULL, 0x0000290000020150,
	  0xfffffffffffffff8 },
	{ "ld.global.u8 r1, [r2 + -8]", "ld.global.u8 r1, [r2 - 8]",
	  0x0000000000020150, 0xfffffffffffffff8 },
	{ "ld.global.u16 r1, [ r2 + 0x10000 ]", "ld.global.u16 r1, [r2 + 0x10000]",
	  0x0000010000020150, 0x10000 },
	{ "st.global.u32 [r2 + 4], r3", NULL, 0x0000020003020051, 4 },
	{ "st.shared.b128 [r2], r254", NULL, 0x00001400fe020051, 0 },
	{ "atom.global.add.u32 r1, [r2], r3", NULL, 0x0000020003020152, 0 },
	{ "atom.global.cmpxchg.u64 r1, [r2], r3, r4", NULL,
	  0x0009030403020152, 0 },
	{ "atom.shared.umax.u64 r1, [r2 + 8], r3", NULL, 0x0004130003020152,
	  8 },
	{ "ldarg.u64 r1, 8", NULL, 0x0000030000000153, 8 },
	{ "ldarg.s32 r1, 4", NULL, 0x00000a0000000153, 4 },
	{ "fence", NULL, 0x0000000000000054, 0 },
	/* control flow */
	{ "if r1", NULL, 0x0000000000010060, 0 },
	{ "else", NULL, 0x0000000000000061, 0 },
	{ "endif", NULL, 0x0000000000000062, 0 },
	{ "loop", NULL, 0x0000000000000063, 0 },
	{ "endloop", NULL, 0x0000000000000064, 0 },
	{ "break", NULL, 0x0000000000000065, 0 },
	{ "continue", NULL, 0x0000000000000066, 0 },
	{ "exit", NULL, 0x0000000000000067, 0 },
	{ "bar", NULL, 0x0000000000000068, 0 },
	{ "trap 7", NULL, 0x0000000000000069, 7 },
	{ "trap 0xdeadbeef", NULL, 0x0000000000000069, 0xdeadbeef },
	/* system values */
	{ "sv r1, global_id.x", NULL, 0x000c000000000170, 0 },
	{ "sv r2, wave_id", NULL, 0x0010000000000270, 0 },
	{ "sv r3, wg_size.z", NULL, 0x000b000000000370, 0 },
	/* spelling: case, blanks, comments */
	{ "  ADD.32\tR1 ,R2,R3   ; comment", "add.32 r1, r2, r3",
	  0x0000000003020110, 0 },
	{ "add.32 r1, r2, r3 # comment\r", "add.32 r1, r2, r3",
	  0x0000000003020110, 0 },
	/* raw words */
	{ ".word 0xff, 0", ".word 0x00000000000000ff, 0x0000000000000000",
	  0x00000000000000ff, 0 },
};

static void test_kats(void)
{
	uint8_t insn[VSVM_INSN_SIZE];
	char err[256], text[256];
	uint64_t w0 = 0, w1 = 0;
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(kats); i++) {
		const struct kat *k = &kats[i];
		const char *canon = k->canon ? k->canon : k->src;

		if (!asm_one((uint8_t)k->w0, k->src, &w0, &w1, err,
			     sizeof(err))) {
			CHECK(0, "'%s': %s", k->src, err);
			continue;
		}
		CHECK(w0 == k->w0 && w1 == k->w1,
		      "'%s' gave 0x%016" PRIx64 ", 0x%016" PRIx64
		      ", expected 0x%016" PRIx64 ", 0x%016" PRIx64,
		      k->src, w0, w1, k->w0, k->w1);
		put_le64(insn, k->w0);
		put_le64(insn + 8, k->w1);
		vsvm_disasm_insn(insn, text, sizeof(text));
		/* .word lines carry a comment after the canonical part */
		n = strlen(canon);
		CHECK(!strncmp(text, canon, n) &&
		      (!text[n] || !strncmp(text + n, "  ;", 3)),
		      "0x%016" PRIx64 " printed as '%s', expected '%s'",
		      k->w0, text, canon);
	}
}

/* ---- the whole ISA ---- */

/*
 * Valid (mod, sub, flags) combinations per opcode, counted by hand from
 * vsvm_isa.h and docs/isa.md: flags doubles the count where b may be an
 * immediate; LD has 3 spaces x 8 types, ST 3 x 5, ATOM 3 x 10 ops x 2
 * sizes, LDARG 8 types.
 */
static const struct {
	uint8_t op;
	unsigned int n;
} expected_counts[] = {
	{ VSVM_OP_NOP, 1 }, { VSVM_OP_END, 1 }, { VSVM_OP_MOV, 1 },
	{ VSVM_OP_MOVI, 1 },
	{ VSVM_OP_ADD, 4 }, { VSVM_OP_SUB, 4 }, { VSVM_OP_MUL, 4 },
	{ VSVM_OP_MULHU, 4 }, { VSVM_OP_MULHS, 4 }, { VSVM_OP_DIVU, 4 },
	{ VSVM_OP_DIVS, 4 }, { VSVM_OP_REMU, 4 }, { VSVM_OP_REMS, 4 },
	{ VSVM_OP_AND, 4 }, { VSVM_OP_OR, 4 }, { VSVM_OP_XOR, 4 },
	{ VSVM_OP_SHL, 4 }, { VSVM_OP_SHRU, 4 }, { VSVM_OP_SHRS, 4 },
	{ VSVM_OP_MINU, 4 }, { VSVM_OP_MINS, 4 }, { VSVM_OP_MAXU, 4 },
	{ VSVM_OP_MAXS, 4 },
	{ VSVM_OP_NOT, 2 }, { VSVM_OP_NEG, 2 }, { VSVM_OP_POPCNT, 2 },
	{ VSVM_OP_CLZ, 2 }, { VSVM_OP_CTZ, 2 },
	{ VSVM_OP_ICMP, 6 * 2 * 2 },
	{ VSVM_OP_FADD, 2 }, { VSVM_OP_FSUB, 2 }, { VSVM_OP_FMUL, 2 },
	{ VSVM_OP_FDIV, 2 }, { VSVM_OP_FFMA, 2 }, { VSVM_OP_FMIN, 2 },
	{ VSVM_OP_FMAX, 2 },
	{ VSVM_OP_FNEG, 1 }, { VSVM_OP_FABS, 1 }, { VSVM_OP_FSQRT, 1 },
	{ VSVM_OP_FFLOOR, 1 }, { VSVM_OP_FCEIL, 1 }, { VSVM_OP_FTRUNC, 1 },
	{ VSVM_OP_FRNDE, 1 },
	{ VSVM_OP_FCMP, 4 * 2 },
	{ VSVM_OP_CVT, 14 }, { VSVM_OP_SEL, 4 },
	{ VSVM_OP_LD, 3 * 8 }, { VSVM_OP_ST, 3 * 5 }, { VSVM_OP_ATOM, 3 * 10 * 2 },
	{ VSVM_OP_LDARG, 8 }, { VSVM_OP_FENCE, 1 },
	{ VSVM_OP_IF, 1 }, { VSVM_OP_ELSE, 1 }, { VSVM_OP_ENDIF, 1 },
	{ VSVM_OP_LOOP, 1 }, { VSVM_OP_ENDLOOP, 1 }, { VSVM_OP_BREAK, 1 },
	{ VSVM_OP_CONTINUE, 1 }, { VSVM_OP_EXIT, 1 }, { VSVM_OP_BAR, 1 },
	{ VSVM_OP_TRAP, 1 },
	{ VSVM_OP_SV, VSVM_SV_COUNT },
};

#define EXPECTED_TOTAL	296

static const uint64_t imm_samples[] = {
	0, 1, 42, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
	0xffffffff80000000, 0xffffffffffff0000, 0xfffffffffffeffff,
	0xffffffffffffffff, 0x100000000, 0x8000000000000000,
	0x123456789abcdef0,
	/* fp32: 1.5, -0.0 is 0x80000000 above, 0.1, NaN, -inf, max, min normal */
	0x3fc00000, 0x3dcccccd, 0x7fc00000, 0xff800000, 0x7f7fffff,
	0x00800000,
};

/* Register values: ordinary, both ends, and r255 for the 16-byte rule. */
static const uint8_t reg_samples[][4] = {
	{ 1, 2, 3, 4 }, { 0, 0, 0, 0 }, { 255, 254, 253, 252 },
	{ 254, 255, 255, 255 }, { 17, 200, 9, 128 },
};

/* Builds the encoding: sample registers in the fields @uses says are used. */
static uint64_t build(unsigned int op, unsigned int mod, unsigned int sub,
		      unsigned int flags, unsigned int uses, const uint8_t *r)
{
	return w0_of(op, uses & VSVM_USES_DST ? r[0] : 0,
		     uses & VSVM_USES_SRC0 ? r[1] : 0,
		     uses & VSVM_USES_SRC1 ? r[2] : 0,
		     uses & VSVM_USES_SRC2 ? r[3] : 0, mod, sub, flags);
}

/* The 16-byte register-pair rule, the one check that depends on registers. */
static bool pair_overflow(uint64_t w0)
{
	uint8_t op = VSVM_W0_FIELD(w0, OP), mod = VSVM_W0_FIELD(w0, MOD);

	if ((mod & VSVM_MOD_SIZE_MASK) != 4)
		return false;
	if (op == VSVM_OP_LD || op == VSVM_OP_LDARG)
		return VSVM_W0_FIELD(w0, DST) == 255;
	if (op == VSVM_OP_ST)
		return VSVM_W0_FIELD(w0, SRC1) == 255;
	return false;
}

/* Every valid encoding, concatenated and wrapped, for the program test. */
struct program {
	char *text;
	size_t len, cap;
	uint8_t *code;
	size_t size, code_cap;
};

static void prog_add(struct program *p, const char *line, uint64_t w0,
		     uint64_t w1)
{
	size_t n = strlen(line);

	if (p->len + n + 2 > p->cap) {
		p->cap = (p->cap + n + 2) * 2;
		p->text = realloc(p->text, p->cap);
	}
	if (p->size + VSVM_INSN_SIZE > p->code_cap) {
		p->code_cap = (p->code_cap + VSVM_INSN_SIZE) * 2;
		p->code = realloc(p->code, p->code_cap);
	}
	if (!p->text || !p->code) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	memcpy(p->text + p->len, line, n);
	p->len += n;
	p->text[p->len++] = '\n';
	p->text[p->len] = '\0';
	put_le64(p->code + p->size, w0);
	put_le64(p->code + p->size + 8, w1);
	p->size += VSVM_INSN_SIZE;
}

static void prog_add_wrapped(struct program *p, uint64_t w0, uint64_t w1,
			     const char *text)
{
	uint8_t op = (uint8_t)w0;
	const char *pre, *post;

	wrappers(op, &pre, &post);
	if (*pre)
		prog_add(p, op == VSVM_OP_ENDLOOP || op == VSVM_OP_BREAK ||
			 op == VSVM_OP_CONTINUE ? "loop" : "if r0",
			 op == VSVM_OP_ENDLOOP || op == VSVM_OP_BREAK ||
			 op == VSVM_OP_CONTINUE ? VSVM_OP_LOOP :
			 w0_of(VSVM_OP_IF, 0, 0, 0, 0, 0, 0, 0), 0);
	prog_add(p, text, w0, w1);
	if (*post)
		prog_add(p, op == VSVM_OP_IF || op == VSVM_OP_ELSE ? "endif" :
			 "endloop",
			 op == VSVM_OP_IF || op == VSVM_OP_ELSE ? VSVM_OP_ENDIF :
			 VSVM_OP_ENDLOOP, 0);
}

struct isa_stats {
	unsigned int total;
	unsigned int count[256];	/* valid combinations per opcode */
	unsigned int per_class[3];	/* immediate samples by check class */
};

/* One (op, mod, sub, flags) combination the table accepts. */
static void check_valid_combo(unsigned int op, unsigned int mod,
			      unsigned int sub, unsigned int flags,
			      unsigned int uses, struct isa_stats *st,
			      struct program *prog)
{
	static const unsigned int field[] = {
		VSVM_USES_DST, VSVM_USES_SRC0, VSVM_USES_SRC1, VSVM_USES_SRC2,
	};
	uint64_t w0 = build(op, mod, sub, flags, uses, reg_samples[0]);
	char text[256];
	unsigned int i;
	int cls;

	CHECK(vsvm_op_name((uint8_t)op), "op 0x%02x valid but unknown", op);
	CHECK(flags <= VSVM_F_SRC1_IMM, "flags 0x%02x accepted", flags);
	st->count[op]++;
	st->total++;
	if (roundtrip(w0, 0, text, sizeof(text)) == VSVM_INSN_OK)
		prog_add_wrapped(prog, w0, 0, text);

	/* every unused field must be refused */
	for (i = 0; i < ARRAY_SIZE(field); i++) {
		uint64_t bad = w0 | (uint64_t)7 << (8 * (i + 1));

		if (!(uses & field[i]))
			CHECK(vsvm_insn_check(bad, 0, NULL) == VSVM_INSN_INVALID,
			      "0x%016" PRIx64 " with field %u set accepted",
			      w0, i + 1);
	}
	if (!(uses & VSVM_USES_IMM))
		CHECK(vsvm_insn_check(w0, 1, NULL) == VSVM_INSN_INVALID,
		      "0x%016" PRIx64 " with imm set accepted", w0);

	/* registers and immediates: everything round-trips */
	for (i = 0; i < ARRAY_SIZE(reg_samples); i++) {
		uint64_t rw0 = build(op, mod, sub, flags, uses, reg_samples[i]);

		cls = roundtrip(rw0, 0, text, sizeof(text));
		CHECK(cls == (pair_overflow(rw0) ? VSVM_INSN_INVALID :
			      VSVM_INSN_OK), "'%s': class %d", text, cls);
	}
	for (i = 0; (uses & VSVM_USES_IMM) && i < ARRAY_SIZE(imm_samples); i++) {
		cls = roundtrip(w0, imm_samples[i], text, sizeof(text));
		if (cls >= 0)
			st->per_class[cls]++;
	}
}

/* The same set as one indented program: disassemble, reassemble. */
static void check_program(const struct program *prog)
{
	char *dis = vsvm_disasm_str(prog->code, prog->size, 0);
	uint8_t *code = NULL;
	size_t size = 0;
	char err[256] = "";

	CHECK(dis && strcmp(dis, prog->text) != 0,
	      "the program disassembly is missing or not indented");
	CHECK(dis && !vsvm_asm(dis, &code, &size, err, sizeof(err)),
	      "program does not reassemble: %s", err);
	CHECK(size == prog->size && code && !memcmp(code, prog->code, size),
	      "program of %zu bytes came back as %zu different bytes",
	      prog->size, size);
	free(code);
	code = NULL;
	CHECK(!vsvm_asm(prog->text, &code, &size, err, sizeof(err)) &&
	      size == prog->size && !memcmp(code, prog->code, size),
	      "flat program text does not assemble to its bytes: %s", err);
	free(code);
	free(dis);
}

static void test_whole_isa(void)
{
	static const uint8_t flag_samples[] = {
		0, VSVM_F_SRC1_IMM, 0x02, 0x80, 0xff,
	};
	static struct isa_stats st;
	struct program prog = { 0 };
	unsigned int op, mod, sub, f, i, uses, n;
	char text[256];

	for (op = 0; op < 256; op++) {
		/* an unknown opcode is refused whatever the other fields */
		if (!vsvm_op_name((uint8_t)op)) {
			CHECK(vsvm_insn_check(op, 0, NULL) == VSVM_INSN_INVALID &&
			      vsvm_insn_check(w0_of(op, 1, 2, 3, 4, 1, 1, 1), 1,
					      NULL) == VSVM_INSN_INVALID,
			      "unknown opcode 0x%02x accepted", op);
			roundtrip(op, 0, text, sizeof(text));
			continue;
		}
		for (mod = 0; mod < 256; mod++) {
			for (sub = 0; sub < 256; sub++) {
				for (f = 0; f < sizeof(flag_samples); f++) {
					uses = vsvm_insn_uses(op, sub, flag_samples[f]);
					if (vsvm_insn_check(build(op, mod, sub, flag_samples[f],
								  uses, reg_samples[0]),
							    0, NULL) != VSVM_INSN_INVALID)
						check_valid_combo(op, mod, sub, flag_samples[f],
								  uses, &st, &prog);
				}
			}
		}
	}

	for (i = 0; i < ARRAY_SIZE(expected_counts); i++) {
		op = expected_counts[i].op;
		n = expected_counts[i].n;
		CHECK(st.count[op] == n,
		      "%s (0x%02x): %u valid combinations, expected %u",
		      vsvm_op_name(op), op, st.count[op], n);
		st.count[op] = 0;
	}
	for (op = 0; op < 256; op++)
		CHECK(!st.count[op],
		      "opcode 0x%02x: %u valid combinations, no expected count",
		      op, st.count[op]);
	CHECK(st.total == EXPECTED_TOTAL, "%u valid combinations, expected %u",
	      st.total, EXPECTED_TOTAL);
	/* the immediate samples must reach both printable and .word forms */
	CHECK(st.per_class[VSVM_INSN_OK] && st.per_class[VSVM_INSN_RAW],
	      "immediate samples: %u printable, %u raw",
	      st.per_class[VSVM_INSN_OK], st.per_class[VSVM_INSN_RAW]);

	check_program(&prog);
	free(prog.text);
	free(prog.code);
}

/* ---- random encodings ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1d;
}

static void test_random(void)
{
	unsigned int i, seen[3] = { 0 };
	char text[256];

	for (i = 0; i < 300000; i++) {
		uint64_t w0 = rnd(), w1 = rnd(), r = rnd();
		uint8_t op = (uint8_t)w0;
		int cls;

		/* bias towards near-valid encodings: known op, small fields */
		if (r & 1) {
			do
				op = (uint8_t)rnd();
			while (!vsvm_op_name(op));
			w0 = (w0 & ~(uint64_t)0xff) | op;
		}
		if (r & 2) {
			/* mostly small mods and subs, mostly no flags */
			unsigned int mod = (unsigned int)(r >> 8) &
					   (r & 16 ? 0x3f : 0x1);
			unsigned int sub = (unsigned int)(r >> 16) %
					   (r & 32 ? 20 : 2);
			unsigned int flags = (unsigned int)(r >> 24) & 1;
			unsigned int uses = vsvm_insn_uses(op, (uint8_t)sub,
							   (uint8_t)flags);

			w0 = build(op, mod, sub, flags, uses,
				   (const uint8_t *)&w1);
			if (!(uses & VSVM_USES_IMM) && (r & 64))
				w1 = 0;
		}
		if (r & 4)
			w1 = imm_samples[(r >> 32) % ARRAY_SIZE(imm_samples)];
		else if (r & 8)
			w1 = 0;
		cls = roundtrip(w0, w1, text, sizeof(text));
		if (cls >= 0)
			seen[cls]++;
	}
	CHECK(seen[0] > 1000 && seen[1] > 100 && seen[2] > 1000,
	      "random classes: %u ok, %u raw, %u invalid", seen[0], seen[1],
	      seen[2]);
}

/* ---- disassembler output ---- */

static void test_disasm_text(void)
{
	static const char src[] =
		"if r1\nloop\nbreak\nendloop\nelse\nnop\nendif\nend\n";
	static const char indented[] =
		"if r1\n"
		"    loop\n"
		"        break\n"
		"    endloop\n"
		"else\n"
		"    nop\n"
		"endif\n"
		"end\n";
	static const char with_offsets[] =
		"if r1                                   ; 0x0000\n"
		"    loop                                ; 0x0010\n"
		"        break                           ; 0x0020\n"
		"    endloop                             ; 0x0030\n"
		"else                                    ; 0x0040\n"
		"    nop                                 ; 0x0050\n"
		"endif                                   ; 0x0060\n"
		"end                                     ; 0x0070\n";
	static const char two_words[] =
		".word 0x00000000000000ff, 0x0000000000000000"
		"  ; invalid: unknown opcode\n"
		".word 0x0000000000000500, 0x0000000000000000"
		"  ; invalid: dst is unused and must be 0\n";
	static const char raw_add[] =
		".word 0x0100000000020110, 0x0000000100000000"
		"  ; valid: immediate does not fit the 32-bit operation";
	uint8_t *code = NULL, bad[2 * VSVM_INSN_SIZE + 3] = { 0 };
	char err[256], *s;
	size_t size = 0;
	FILE *f;
	int r;

	CHECK(!vsvm_asm(src, &code, &size, err, sizeof(err)), "%s", err);
	s = vsvm_disasm_str(code, size, 0);
	CHECK(s && !strcmp(s, indented), "got:\n%s", s);
	free(s);
	s = vsvm_disasm_str(code, size, VSVM_DISASM_FLAT);
	CHECK(s && !strcmp(s, src), "got:\n%s", s);
	free(s);
	s = vsvm_disasm_str(code, size, VSVM_DISASM_OFFSETS);
	CHECK(s && !strcmp(s, with_offsets), "got:\n%s", s);
	free(s);
	free(code);

	/* unknown opcode, then a valid nop with a stray dst: both .word */
	bad[0] = 0xff;
	bad[VSVM_INSN_SIZE + 1] = 5;
	s = vsvm_disasm_str(bad, 2 * VSVM_INSN_SIZE, 0);
	CHECK(s && !strcmp(s, two_words), "got:\n%s", s);
	free(s);

	f = tmpfile();
	CHECK(f, "tmpfile");
	if (f) {
		r = vsvm_disasm(bad, 2 * VSVM_INSN_SIZE, f);
		CHECK(r == 2, "vsvm_disasm returned %d, expected 2 .word lines", r);
		r = vsvm_disasm(bad, sizeof(bad), f);
		CHECK(r == -1, "trailing bytes: vsvm_disasm returned %d", r);
		fclose(f);
	}
	s = vsvm_disasm_str(bad + VSVM_INSN_SIZE, VSVM_INSN_SIZE + 3, 0);
	CHECK(s && strstr(s, "; 3 trailing bytes"), "got:\n%s", s);
	free(s);

	/* a valid encoding the assembler cannot spell */
	{
		uint8_t insn[VSVM_INSN_SIZE];
		char text[200];
		const char *why = NULL;

		put_le64(insn, w0_of(VSVM_OP_ADD, 1, 2, 0, 0, VSVM_MOD_32, 0,
				     VSVM_F_SRC1_IMM));
		put_le64(insn + 8, 0x100000000);
		CHECK(vsvm_disasm_insn(insn, text, sizeof(text)) == 1 &&
		      !strcmp(text, raw_add), "got '%s'", text);
		CHECK(vsvm_insn_check(get_le64(insn), 0x100000000, &why) ==
		      VSVM_INSN_RAW && why, "class");
	}
}

/* ---- errors ---- */

struct err_case {
	const char *src;
	const char *where;	/* "line:column: " */
	const char *msg;	/* a part of the message */
};

static const struct err_case err_cases[] = {
	/* structure */
	{ "endif", "1:1: ", "endif without if" },
	{ "if r1\nendif\n  endif", "3:3: ", "endif without if" },
	{ "else", "1:1: ", "else without if" },
	{ "if r1\nelse\nelse\nendif", "3:1: ", "second else for the if of line 1" },
	{ "loop\nelse\nendloop", "2:1: ", "else directly inside the loop of line 1" },
	{ "loop\nendif", "2:1: ", "innermost open block is the loop of line 1" },
	{ "if r1\nendloop", "2:1: ", "innermost open block is the if of line 1" },
	{ "endloop", "1:1: ", "endloop without loop" },
	{ "nop\n  if r1\nnop", "2:3: ", "if is not closed by endif" },
	{ "loop\nif r1\nendif", "1:1: ", "loop is not closed by endloop" },
	{ "break", "1:1: ", "break outside a loop" },
	{ "if r1\ncontinue\nendif", "2:1: ", "continue outside a loop" },
	/* registers */
	{ "add.32 r1, r2, r256", "1:16: ", "register r256 out of range" },
	{ "mov r1, x2", "1:9: ", "expected a register" },
	{ "mov r1, r2x", "1:9: ", "bad register name" },
	{ "ld.global.b128 r255, [r1]", "1:1: ", "would write r256" },
	{ "st.scratch.b128 [r1], r255", "1:1: ", "would read r256" },
	/* mnemonics and modifiers */
	{ "frob r1", "1:1: ", "unknown instruction 'frob'" },
	{ "add r1, r2, r3", "1:1: ", "'add' needs a width" },
	{ "add.u8 r1, r2, r3", "1:5: ", "bad width 'u8'" },
	{ "add.32.64 r1, r2, r3", "1:8: ", "unexpected modifier '64'" },
	{ "icmp.gt.32 r1, r2, r3", "1:6: ", "unknown condition 'gt'" },
	{ "fcmp.ltu r1, r2, r3", "1:6: ", "unknown condition 'ltu'" },
	{ "fadd.32 r1, r2, r3", "1:6: ", "unexpected modifier '32'" },
	{ "cvt.f32.f32 r1, r2", "1:5: ", "unknown conversion 'f32.f32'" },
	{ "ld.local.u32 r1, [r2]", "1:4: ", "unknown address space 'local'" },
	{ "ld.global r1, [r2]", "1:1: ", "needs a type" },
	{ "ld.global.s64 r1, [r2]", "1:11: ", "bad type 's64'" },
	{ "st.global.s8 [r1], r2", "1:11: ", "bad type 's8'" },
	{ "atom.global.add.u8 r1, [r2], r3", "1:17: ", "bad type 'u8'" },
	{ "atom.global.nand.u32 r1, [r2], r3", "1:13: ", "unknown atomic operation 'nand'" },
	{ "ldarg.shared.u32 r1, 0", "1:7: ", "bad type 'shared'" },
	{ "add..32 r1, r2, r3", "1:5: ", "empty modifier" },
	/* operands */
	{ "add.32 r1, r2", "1:14: ", "expected ','" },
	{ "add.32 r1, r2, r3, r4", "1:18: ", "unexpected ','" },
	{ "nop r1", "1:5: ", "unexpected 'r1'" },
	{ "ld.global.u32 r1, r2", "1:19: ", "expected '['" },
	{ "ld.global.u32 r1, [r2 * 4]", "1:23: ", "expected '+', '-' or ']'" },
	{ "atom.global.cmpxchg.u32 r1, [r2], r3", "1:37: ", "expected ','" },
	{ "sv r1, global_id.w", "1:8: ", "unknown system value" },
	{ "lbl:", "1:1: ", "labels are not supported" },
	{ ".byte 1", "1:1: ", "unknown directive" },
	{ "st.global.u32 [r1], 5", "1:21: ", "expected a register" },
	{ "not.32 r1, 5", "1:12: ", "expected a register" },
	/* immediates */
	{ "add.32 r1, r2, 0x100000000", "1:16: ", "does not fit 32 bits" },
	{ "add.32 r1, r2, -0x80000001", "1:16: ", "does not fit 32 bits" },
	{ "add.64 r1, r2, 1.5", "1:16: ", "float literal for an integer" },
	{ "fadd r1, r2, 2", "1:14: ", "integer literal for an fp32 operand" },
	{ "fadd r1, r2, 0x100000000", "1:14: ", "fp32 bits" },
	{ "fadd r1, r2, 1e39", "1:14: ", "out of the fp32 range" },
	{ "movi r1, 18446744073709551616", "1:10: ", "too large" },
	{ "movi r1, 0x10000000000000000", "1:10: ", "too large" },
	{ "movi r1, -9223372036854775809", "1:10: ", "too small" },
	{ "movi r1, 12ab", "1:10: ", "bad number" },
	{ "movi r1, abc", "1:10: ", "expected a number" },
	{ "trap -1", "1:6: ", "negative trap code" },
	{ "trap 0x100000000", "1:6: ", "does not fit 32 bits" },
	{ "ldarg.u32 r1, -4", "1:15: ", "negative offset" },
	{ "ldarg.u64 r1, 4", "1:1: ", "ldarg offset not aligned" },
	{ "ldarg.b128 r1, 8", "1:1: ", "ldarg offset not aligned" },
	{ "ld.global.u32 r1, [r2 + 1.5]", "1:25: ", "float literal as an address" },
	{ ".word 1", "1:8: ", "expected ','" },
};

static void test_errors(void)
{
	uint8_t *code = (uint8_t *)&code, *sentinel = code;
	char err[256], src[64 * 10];
	size_t size = 12345, i, n;
	int d;

	for (i = 0; i < ARRAY_SIZE(err_cases); i++) {
		const struct err_case *e = &err_cases[i];
		int r = vsvm_asm(e->src, &code, &size, err, sizeof(err));

		CHECK(r == -1, "'%s' assembled", e->src);
		CHECK(code == sentinel && size == 12345,
		      "'%s': outputs touched on error", e->src);
		n = strlen(e->where);
		CHECK(!strncmp(err, e->where, n) && strstr(err + n, e->msg),
		      "'%s': error '%s', expected '%s%s...'", e->src, err,
		      e->where, e->msg);
	}

	/* nesting: VSVM_MAX_NESTING levels are fine, one more is not */
	for (d = VSVM_MAX_NESTING; d <= VSVM_MAX_NESTING + 1; d++) {
		uint8_t *c = NULL;
		int k, r;

		src[0] = '\0';
		for (k = 0; k < d; k++)
			strcat(src, k % 2 ? "loop\n" : "if r0\n");
		for (k = d - 1; k >= 0; k--)
			strcat(src, k % 2 ? "endloop\n" : "endif\n");
		r = vsvm_asm(src, &c, &size, err, sizeof(err));
		if (d == VSVM_MAX_NESTING) {
			CHECK(r == 0 && size == (size_t)(2 * d * VSVM_INSN_SIZE),
			      "%d levels refused: %s", d, err);
		} else {
			snprintf(src, sizeof(src), "%d:1: nesting deeper than %d", d,
				 VSVM_MAX_NESTING);
			CHECK(r == -1 && !strncmp(err, src, strlen(src)),
			      "%d levels: %s", d, r ? err : "accepted");
		}
		if (!r)
			free(c);
	}

	/* a short error buffer is truncated, not overrun; NULL is allowed */
	memset(err, 'x', sizeof(err));
	CHECK(vsvm_asm("endif", &code, &size, err, 5) == -1 && !strcmp(err, "1:1:") &&
	      err[5] == 'x', "truncation: '%.8s'", err);
	CHECK(vsvm_asm("endif", &code, &size, NULL, 0) == -1, "NULL err");
}

/* ---- programs that must assemble ---- */

static void test_accepts(void)
{
	static const char *const ok[] = {
		"",
		"; only a comment\n\n   \n# another",
		"loop\n if r1\n\tbreak\n else\n\tcontinue\n endif\nendloop",
		"loop\nloop\nbreak\nendloop\nif r2\ncontinue\nendif\nendloop",
		"if r1\nexit\nendif\nbar\nend",
		"add.32 r1, r2, r3",	/* no final newline */
	};
	static const size_t sizes[] = { 0, 0, 7, 8, 5, 1 };
	char err[256];
	size_t i, size;
	uint8_t *code;

	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		code = NULL;
		size = 99;
		CHECK(!vsvm_asm(ok[i], &code, &size, err, sizeof(err)) && code &&
		      size == sizes[i] * VSVM_INSN_SIZE,
		      "'%s': %s, size %zu", ok[i], err, size);
		free(code);
	}
}

int main(void)
{
	test_kats();
	test_accepts();
	test_errors();
	test_disasm_text();
	test_random();
	test_whole_isa();
	printf("vsvm-as tests: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
