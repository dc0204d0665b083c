/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 *
 * Disassembler for VSVM_DEBUG=shaders and the unit tests.  It prints the
 * syntax of tools/vsvm-as (docs/isa.md, "Assembler syntax") so a dump can
 * be fed back to that assembler; the tests check that round trip.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/macros.h"
#include "vsvm_compiler.h"
#include "drm-uapi/vsvm_isa.h"

enum form {
	F_NONE,		/* nop */
	F_D_A,		/* op d, a */
	F_D_I,		/* op d, imm */
	F_D_A_B,	/* op d, a, b|imm */
	F_D_A_B_C,	/* op d, a, b|imm, c */
	F_A,		/* op a */
	F_I,		/* op imm */
	F_SV,		/* op d, sysval */
	F_LD,		/* op d, [a + imm] */
	F_ST,		/* op [a + imm], b */
	F_ATOM,		/* op d, [a + imm], b[, c] */
};

enum suffix {
	S_NONE,
	S_WIDTH,	/* .32 / .64 */
	S_ICOND,
	S_FCOND,
	S_CVT,
	S_MEM,		/* .space.type */
	S_ATOM,		/* .space.op.type */
	S_ARG,		/* .type */
};

enum imm_kind { I_INT, I_FP32, I_UINT };

struct op_info {
	const char *name;
	enum form form;
	enum suffix suffix;
	enum imm_kind imm;
};

#define OPI(op, n, f, s, i) [VSVM_OP_##op] = { n, f, s, i }

static const struct op_info ops[VSVM_OP_COUNT] = {
	OPI(NOP, "nop", F_NONE, S_NONE, I_UINT),
	OPI(END, "end", F_NONE, S_NONE, I_UINT),
	OPI(MOV, "mov", F_D_A, S_NONE, I_UINT),
	OPI(MOVI, "movi", F_D_I, S_NONE, I_INT),
	OPI(ADD, "add", F_D_A_B, S_WIDTH, I_INT),
	OPI(SUB, "sub", F_D_A_B, S_WIDTH, I_INT),
	OPI(MUL, "mul", F_D_A_B, S_WIDTH, I_INT),
	OPI(MULHU, "mulhu", F_D_A_B, S_WIDTH, I_INT),
	OPI(MULHS, "mulhs", F_D_A_B, S_WIDTH, I_INT),
	OPI(DIVU, "divu", F_D_A_B, S_WIDTH, I_INT),
	OPI(DIVS, "divs", F_D_A_B, S_WIDTH, I_INT),
	OPI(REMU, "remu", F_D_A_B, S_WIDTH, I_INT),
	OPI(REMS, "rems", F_D_A_B, S_WIDTH, I_INT),
	OPI(AND, "and", F_D_A_B, S_WIDTH, I_INT),
	OPI(OR, "or", F_D_A_B, S_WIDTH, I_INT),
	OPI(XOR, "xor", F_D_A_B, S_WIDTH, I_INT),
	OPI(SHL, "shl", F_D_A_B, S_WIDTH, I_INT),
	OPI(SHRU, "shru", F_D_A_B, S_WIDTH, I_INT),
	OPI(SHRS, "shrs", F_D_A_B, S_WIDTH, I_INT),
	OPI(MINU, "minu", F_D_A_B, S_WIDTH, I_INT),
	OPI(MINS, "mins", F_D_A_B, S_WIDTH, I_INT),
	OPI(MAXU, "maxu", F_D_A_B, S_WIDTH, I_INT),
	OPI(MAXS, "maxs", F_D_A_B, S_WIDTH, I_INT),
	OPI(NOT, "not", F_D_A, S_WIDTH, I_INT),
	OPI(NEG, "neg", F_D_A, S_WIDTH, I_INT),
	OPI(POPCNT, "popcnt", F_D_A, S_WIDTH, I_INT),
	OPI(CLZ, "clz", F_D_A, S_WIDTH, I_INT),
	OPI(CTZ, "ctz", F_D_A, S_WIDTH, I_INT),
	OPI(ICMP, "icmp", F_D_A_B, S_ICOND, I_INT),
	OPI(FADD, "fadd", F_D_A_B, S_NONE, I_FP32),
	OPI(FSUB, "fsub", F_D_A_B, S_NONE, I_FP32),
	OPI(FMUL, "fmul", F_D_A_B, S_NONE, I_FP32),
	OPI(FDIV, "fdiv", F_D_A_B, S_NONE, I_FP32),
	OPI(FFMA, "ffma", F_D_A_B_C, S_NONE, I_FP32),
	OPI(FMIN, "fmin", F_D_A_B, S_NONE, I_FP32),
	OPI(FMAX, "fmax", F_D_A_B, S_NONE, I_FP32),
	OPI(FNEG, "fneg", F_D_A, S_NONE, I_FP32),
	OPI(FABS, "fabs", F_D_A, S_NONE, I_FP32),
	OPI(FSQRT, "fsqrt", F_D_A, S_NONE, I_FP32),
	OPI(FFLOOR, "ffloor", F_D_A, S_NONE, I_FP32),
	OPI(FCEIL, "fceil", F_D_A, S_NONE, I_FP32),
	OPI(FTRUNC, "ftrunc", F_D_A, S_NONE, I_FP32),
	OPI(FRNDE, "frnde", F_D_A, S_NONE, I_FP32),
	OPI(FCMP, "fcmp", F_D_A_B, S_FCOND, I_FP32),
	OPI(CVT, "cvt", F_D_A, S_CVT, I_UINT),
	OPI(SEL, "sel", F_D_A_B_C, S_WIDTH, I_INT),
	OPI(LD, "ld", F_LD, S_MEM, I_INT),
	OPI(ST, "st", F_ST, S_MEM, I_INT),
	OPI(ATOM, "atom", F_ATOM, S_ATOM, I_INT),
	OPI(LDARG, "ldarg", F_D_I, S_ARG, I_UINT),
	OPI(FENCE, "fence", F_NONE, S_NONE, I_UINT),
	OPI(IF, "if", F_A, S_NONE, I_UINT),
	OPI(ELSE, "else", F_NONE, S_NONE, I_UINT),
	OPI(ENDIF, "endif", F_NONE, S_NONE, I_UINT),
	OPI(LOOP, "loop", F_NONE, S_NONE, I_UINT),
	OPI(ENDLOOP, "endloop", F_NONE, S_NONE, I_UINT),
	OPI(BREAK, "break", F_NONE, S_NONE, I_UINT),
	OPI(CONTINUE, "continue", F_NONE, S_NONE, I_UINT),
	OPI(EXIT, "exit", F_NONE, S_NONE, I_UINT),
	OPI(BAR, "bar", F_NONE, S_NONE, I_UINT),
	OPI(TRAP, "trap", F_I, S_NONE, I_UINT),
	OPI(SV, "sv", F_SV, S_NONE, I_UINT),
};

static const char *const icond[] = { "eq", "ne", "ltu", "leu", "lts", "les" };
static const char *const fcond[] = { "eq", "ne", NULL, NULL, "lt", "le" };
static const char *const cvts[VSVM_CVT_COUNT] = {
	"f32.s32", "f32.u32", "f32.s64", "f32.u64",
	"s32.f32", "u32.f32", "s64.f32", "u64.f32",
	"s64.s8", "s64.s16", "s64.s32", "u64.u8", "u64.u16", "u64.u32",
};
static const char *const atomics[VSVM_ATOMIC_COUNT] = {
	"add", "smin", "smax", "umin", "umax", "and", "or", "xor", "xchg",
	"cmpxchg",
};
static const char *const spaces[] = { "global", "shared", "scratch", NULL };
static const char *const types[16] = {
	"u8", "u16", "u32", "u64", "b128", NULL, NULL, NULL,
	"s8", "s16", "s32", NULL, NULL, NULL, NULL, NULL,
};
static const char *const sysvals[VSVM_SV_COUNT] = {
	"local_id.x", "local_id.y", "local_id.z",
	"wg_id.x", "wg_id.y", "wg_id.z",
	"num_wg.x", "num_wg.y", "num_wg.z",
	"wg_size.x", "wg_size.y", "wg_size.z",
	"global_id.x", "global_id.y", "global_id.z",
	"lane_id", "wave_id",
};

struct sb {
	char *buf;
	size_t len, pos;
};

static void PRINTFLIKE(2, 3)
sbp(struct sb *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb->pos + 1 >= sb->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(sb->buf + sb->pos, sb->len - sb->pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		sb->pos = MIN2(sb->pos + (size_t)n, sb->len - 1);
}

static void
print_uint(struct sb *sb, uint64_t v)
{
	if (v < 65536)
		sbp(sb, "%" PRIu64, v);
	else
		sbp(sb, "0x%" PRIx64, v);
}

static void
print_int(struct sb *sb, uint64_t v, bool w64)
{
	uint64_t mag = -v;

	if (!w64 && (v >> 32))
		sbp(sb, "-"), print_uint(sb, mag);
	else if (w64 && (int64_t)v < 0 && mag <= 65536)
		sbp(sb, "-%" PRIu64, mag);
	else
		print_uint(sb, v);
}

static void
print_fp32(struct sb *sb, uint32_t bits)
{
	char tmp[48];
	float f, g;
	int prec;

	memcpy(&f, &bits, sizeof(f));
	if (!isfinite(f)) {
		sbp(sb, "0x%08" PRIx32, bits);
		return;
	}
	for (prec = 1; prec <= 9; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, (double)f);
		g = strtof(tmp, NULL);
		if (!memcmp(&f, &g, sizeof(f)))
			break;
	}
	sbp(sb, "%s%s", tmp, strpbrk(tmp, ".e") ? "" : ".0");
}

static void
print_imm(struct sb *sb, const struct op_info *oi, uint8_t mod, uint64_t imm)
{
	switch (oi->imm) {
	case I_INT:
		print_int(sb, imm, oi->suffix != S_WIDTH || mod == VSVM_MOD_64);
		break;
	case I_FP32:
		print_fp32(sb, (uint32_t)imm);
		break;
	default:
		print_uint(sb, imm);
		break;
	}
}

static void
print_mem(struct sb *sb, uint8_t a, uint64_t imm)
{
	sbp(sb, "[r%u", a);
	if ((int64_t)imm > 0)
		sbp(sb, " + "), print_uint(sb, imm);
	else if (imm)
		sbp(sb, " - "), print_uint(sb, -imm);
	sbp(sb, "]");
}

bool
vsvm_disassemble_insn(uint64_t w0, uint64_t w1, char *buf, size_t len)
{
	uint8_t op = VSVM_W0_FIELD(w0, OP), d = VSVM_W0_FIELD(w0, DST);
	uint8_t a = VSVM_W0_FIELD(w0, SRC0), b = VSVM_W0_FIELD(w0, SRC1);
	uint8_t c = VSVM_W0_FIELD(w0, SRC2), mod = VSVM_W0_FIELD(w0, MOD);
	uint8_t sub = VSVM_W0_FIELD(w0, SUB), flags = VSVM_W0_FIELD(w0, FLAGS);
	const struct op_info *oi = op < VSVM_OP_COUNT ? &ops[op] : NULL;
	struct sb sb = { buf, len, 0 };
	const char *type = types[mod & 0xf];
	const char *space = spaces[(mod & VSVM_MOD_SPACE_MASK) >>
				   VSVM_MOD_SPACE_SHIFT];

	buf[0] = '\0';
	if (!oi || !oi->name)
		goto raw;

	sbp(&sb, "%s", oi->name);
	switch (oi->suffix) {
	case S_NONE:
		break;
	case S_WIDTH:
		sbp(&sb, ".%s", mod == VSVM_MOD_64 ? "64" : "32");
		break;
	case S_ICOND:
		if (sub >= ARRAY_SIZE(icond))
			goto raw;
		sbp(&sb, ".%s.%s", icond[sub], mod == VSVM_MOD_64 ? "64" : "32");
		break;
	case S_FCOND:
		if (sub >= ARRAY_SIZE(fcond) || !fcond[sub])
			goto raw;
		sbp(&sb, ".%s", fcond[sub]);
		break;
	case S_CVT:
		if (sub >= VSVM_CVT_COUNT)
			goto raw;
		sbp(&sb, ".%s", cvts[sub]);
		break;
	case S_MEM:
		if (!space || !type)
			goto raw;
		sbp(&sb, ".%s.%s", space, type);
		break;
	case S_ATOM:
		if (!space || !type || sub >= VSVM_ATOMIC_COUNT)
			goto raw;
		sbp(&sb, ".%s.%s.%s", space, atomics[sub], type);
		break;
	case S_ARG:
		if (!type)
			goto raw;
		sbp(&sb, ".%s", type);
		break;
	}

	switch (oi->form) {
	case F_NONE:
		break;
	case F_D_A:
		sbp(&sb, " r%u, r%u", d, a);
		break;
	case F_D_I:
		sbp(&sb, " r%u, ", d);
		print_imm(&sb, oi, mod, w1);
		break;
	case F_D_A_B:
	case F_D_A_B_C:
		sbp(&sb, " r%u, r%u, ", d, a);
		if (flags & VSVM_F_SRC1_IMM)
			print_imm(&sb, oi, mod, w1);
		else
			sbp(&sb, "r%u", b);
		if (oi->form == F_D_A_B_C)
			sbp(&sb, ", r%u", c);
		break;
	case F_A:
		sbp(&sb, " r%u", a);
		break;
	case F_I:
		sbp(&sb, " ");
		print_uint(&sb, w1);
		break;
	case F_SV:
		if (sub >= VSVM_SV_COUNT)
			goto raw;
		sbp(&sb, " r%u, %s", d, sysvals[sub]);
		break;
	case F_LD:
		sbp(&sb, " r%u, ", d);
		print_mem(&sb, a, w1);
		break;
	case F_ST:
		sbp(&sb, " ");
		print_mem(&sb, a, w1);
		sbp(&sb, ", r%u", b);
		break;
	case F_ATOM:
		sbp(&sb, " r%u, ", d);
		print_mem(&sb, a, w1);
		sbp(&sb, ", r%u", b);
		if (sub == VSVM_ATOMIC_CMPXCHG)
			sbp(&sb, ", r%u", c);
		break;
	}
	return true;

raw:
	sb.pos = 0;
	sbp(&sb, ".word 0x%016" PRIx64 ", 0x%016" PRIx64, w0, w1);
	return false;
}

int
vsvm_disassemble(const uint8_t *code, size_t size, FILE *fp)
{
	unsigned int level = 0;
	int bad = 0;

	for (size_t off = 0; off + VSVM_INSN_SIZE <= size;
	     off += VSVM_INSN_SIZE) {
		uint64_t w0, w1;
		char line[160];
		uint8_t op;
		unsigned int indent;

		memcpy(&w0, code + off, 8);
		memcpy(&w1, code + off + 8, 8);
		op = VSVM_W0_FIELD(w0, OP);
		if (!vsvm_disassemble_insn(w0, w1, line, sizeof(line)))
			bad++;
		if (op == VSVM_OP_ENDIF || op == VSVM_OP_ENDLOOP)
			level = level ? level - 1 : 0;
		indent = (op == VSVM_OP_ELSE && level) ? level - 1 : level;
		fprintf(fp, "\t%*s%-40s; 0x%zx\n", (int)(4 * indent), "", line,
			off);
		if (op == VSVM_OP_IF || op == VSVM_OP_LOOP)
			level++;
	}
	return bad;
}
