// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */
/*
 * ALU instructions against a C reference written independently of the
 * interpreter (libm for the fp rounding functions, schoolbook arithmetic for
 * the high multiplies), on edge values and random ones, in every operand
 * form: both widths, b from a register or the immediate, full and partial
 * lane masks, and a destination aliasing a source.
 */
#include <math.h>
#include <string.h>

#include "harness.h"

#define FORM_W	1	/* mod selects the width */
#define FORM_B	2	/* has b (register or immediate) */
#define FORM_C	4	/* has c */

static float fl(u32 x)
{
	float f;

	memcpy(&f, &x, 4);
	return f;
}

static u32 fb(float f)
{
	u32 x;

	memcpy(&x, &f, 4);
	return x;
}

static bool is_nan32(u64 x)
{
	return ((u32)x & 0x7fffffff) > 0x7f800000;
}

/* High 64 bits of a 64 x 64 product, from 32-bit halves. */
static u64 ref_mulhu64(u64 a, u64 b)
{
	u64 al = (u32)a, ah = a >> 32, bl = (u32)b, bh = b >> 32;
	u64 ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	u64 mid = (ll >> 32) + (u32)lh + (u32)hl;

	return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

static u64 ref_int(u8 op, u8 sub, bool w64, u64 a, u64 b, u64 c)
{
	unsigned int bits = w64 ? 64 : 32, i, n;
	u64 mask = w64 ? ~0ull : 0xffffffffull;
	u64 ua = a & mask, ub = b & mask;
	s64 sa = w64 ? (s64)a : (s32)a, sb = w64 ? (s64)b : (s32)b;
	s64 smin = w64 ? INT64_MIN : INT32_MIN;
	bool t;

	switch (op) {
	case VSVM_OP_ADD:
		return (ua + ub) & mask;
	case VSVM_OP_SUB:
		return (ua - ub) & mask;
	case VSVM_OP_MUL:
		return (ua * ub) & mask;
	case VSVM_OP_MULHU:
		return w64 ? ref_mulhu64(ua, ub) : (ua * ub) >> 32;
	case VSVM_OP_MULHS:
		if (!w64)
			return (u64)((sa * sb) >> 32) & mask;
		return ref_mulhu64(ua, ub) - (sa < 0 ? ub : 0) - (sb < 0 ? ua : 0);
	case VSVM_OP_DIVU:
		return ub ? ua / ub : mask;
	case VSVM_OP_DIVS:
		if (!sb)
			return mask;
		if (sa == smin && sb == -1)
			return (u64)smin & mask;
		return (u64)(sa / sb) & mask;
	case VSVM_OP_REMU:
		return ub ? ua % ub : ua;
	case VSVM_OP_REMS:
		if (!sb)
			return ua;
		if (sb == -1)
			return 0;
		return (u64)(sa % sb) & mask;
	case VSVM_OP_AND:
		return ua & ub;
	case VSVM_OP_OR:
		return ua | ub;
	case VSVM_OP_XOR:
		return ua ^ ub;
	case VSVM_OP_SHL:
		return (ua << (ub % bits)) & mask;
	case VSVM_OP_SHRU:
		return ua >> (ub % bits);
	case VSVM_OP_SHRS:
		return (u64)(sa >> (ub % bits)) & mask;
	case VSVM_OP_MINU:
		return ua < ub ? ua : ub;
	case VSVM_OP_MAXU:
		return ua > ub ? ua : ub;
	case VSVM_OP_MINS:
		return (u64)(sa < sb ? sa : sb) & mask;
	case VSVM_OP_MAXS:
		return (u64)(sa > sb ? sa : sb) & mask;
	case VSVM_OP_NOT:
		return ~ua & mask;
	case VSVM_OP_NEG:
		return (0 - ua) & mask;
	case VSVM_OP_POPCNT:
		for (i = 0, n = 0; i < bits; i++)
			n += (ua >> i) & 1;
		return n;
	case VSVM_OP_CLZ:
		for (n = 0; n < bits && !((ua >> (bits - 1 - n)) & 1); n++)
			;
		return n;
	case VSVM_OP_CTZ:
		for (n = 0; n < bits && !((ua >> n) & 1); n++)
			;
		return n;
	case VSVM_OP_ICMP:
		switch (sub) {
		case VSVM_COND_EQ:
			t = ua == ub;
			break;
		case VSVM_COND_NE:
			t = ua != ub;
			break;
		case VSVM_COND_LTU:
			t = ua < ub;
			break;
		case VSVM_COND_LEU:
			t = ua <= ub;
			break;
		case VSVM_COND_LTS:
			t = sa < sb;
			break;
		default:
			t = sa <= sb;
			break;
		}
		return t ? 0xffffffff : 0;
	case VSVM_OP_SEL:
		return ((u32)a ? b : c) & mask;
	case VSVM_OP_MOV:
		return a;
	}
	return 0xbad;
}

static u64 ref_cvt(u8 sub, u64 a)
{
	float f = fl(a);
	double t = trunc(f);

	switch (sub) {
	case VSVM_CVT_F32_S32:
		return fb((float)(long double)(s32)a);
	case VSVM_CVT_F32_U32:
		return fb((float)(long double)(u32)a);
	case VSVM_CVT_F32_S64:
		return fb((float)(long double)(s64)a);
	case VSVM_CVT_F32_U64:
		return fb((float)(long double)a);
	case VSVM_CVT_S32_F32:
		if (isnan(f))
			return 0;
		if (t > 2147483647.0)
			return 0x7fffffff;
		if (t < -2147483648.0)
			return 0x80000000;
		return (u32)(s32)t;
	case VSVM_CVT_U32_F32:
		if (isnan(f) || t <= 0)
			return 0;
		if (t > 4294967295.0)
			return 0xffffffff;
		return (u32)t;
	case VSVM_CVT_S64_F32:
		if (isnan(f))
			return 0;
		if (t >= 9223372036854775808.0)
			return INT64_MAX;
		if (t < -9223372036854775808.0)
			return (u64)INT64_MIN;
		return (u64)(s64)t;
	case VSVM_CVT_U64_F32:
		if (isnan(f) || t <= 0)
			return 0;
		if (t >= 18446744073709551616.0)
			return ~0ull;
		return (u64)t;
	case VSVM_CVT_SEXT8:
		return (u64)(s64)(s8)a;
	case VSVM_CVT_SEXT16:
		return (u64)(s64)(s16)a;
	case VSVM_CVT_SEXT32:
		return (u64)(s64)(s32)a;
	case VSVM_CVT_ZEXT8:
		return a & 0xff;
	case VSVM_CVT_ZEXT16:
		return a & 0xffff;
	default:
		return a & 0xffffffff;
	}
}

static u64 ref_fminmax(u32 a, u32 b, bool max)
{
	float x = fl(a), y = fl(b);

	if (isnan(x) && isnan(y))
		return 0x7fc00000;	/* any NaN */
	if (isnan(x))
		return b;
	if (isnan(y))
		return a;
	if (x == y && x == 0)
		return (signbit(x) == signbit(y)) ? a : (max ? 0 : 0x80000000);
	return fb(max ? fmaxf(x, y) : fminf(x, y));
}

static u64 ref_fp(u8 op, u8 sub, u64 a, u64 b, u64 c)
{
	float x = fl(a), y = fl(b), z = fl(c);

	switch (op) {
	case VSVM_OP_FADD:
		return fb(x + y);
	case VSVM_OP_FSUB:
		return fb(x - y);
	case VSVM_OP_FMUL:
		return fb(x * y);
	case VSVM_OP_FDIV:
		return fb(x / y);
	case VSVM_OP_FFMA:
		/* The product of two binary32 is exact in binary64. */
		return fb((float)fma((double)x, (double)y, (double)z));
	case VSVM_OP_FMIN:
		return ref_fminmax(a, b, false);
	case VSVM_OP_FMAX:
		return ref_fminmax(a, b, true);
	case VSVM_OP_FNEG:
		return (u32)a ^ 0x80000000;
	case VSVM_OP_FABS:
		return (u32)a & 0x7fffffff;
	case VSVM_OP_FSQRT:
		return fb(sqrtf(x));
	case VSVM_OP_FFLOOR:
		return fb(floorf(x));
	case VSVM_OP_FCEIL:
		return fb(ceilf(x));
	case VSVM_OP_FTRUNC:
		return fb(truncf(x));
	case VSVM_OP_FRNDE:
		return fb(nearbyintf(x));
	case VSVM_OP_FCMP:
		switch (sub) {
		case VSVM_COND_EQ:
			return x == y ? 0xffffffff : 0;
		case VSVM_COND_NE:
			return isnan(x) || isnan(y) || x != y ? 0xffffffff : 0;
		case VSVM_COND_LTS:
			return isless(x, y) ? 0xffffffff : 0;
		default:
			return islessequal(x, y) ? 0xffffffff : 0;
		}
	case VSVM_OP_CVT:
		return ref_cvt(sub, a);
	}
	return ref_int(op, sub, false, a, b, c);
}

static bool is_fp(u8 op)
{
	return (op >= VSVM_OP_FADD && op <= VSVM_OP_FCMP) || op == VSVM_OP_CVT;
}

/* Ops whose NaN results may be any NaN: arithmetic, not sign operations. */
static bool nan_any(u8 op)
{
	return is_fp(op) && op != VSVM_OP_FNEG && op != VSVM_OP_FABS &&
	       op != VSVM_OP_FCMP && op != VSVM_OP_CVT;
}

static const u64 int_edges[] = {
	0, 1, 2, 3, 7, 31, 32, 33, 63, 64, 65, 127, 0x80, 0xff, 0x8000, 0xffff,
	0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0x100000000ull,
	0x1ffffffffull, 0xffffffff80000000ull, 0xffffffff7fffffffull,
	0x7fffffffffffffffull, 0x8000000000000000ull, 0x8000000000000001ull,
	0xfffffffffffffffeull, 0xffffffffffffffffull, 0xdeadbeefcafef00dull,
	0x123456789abcdef0ull,
};

static const u32 fp_edges[] = {
	0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3f000000, 0xbf000000,
	0x3fc00000, 0xbfc00000, 0x40200000, 0xc0200000, 0x40400000, 0x3effffff,
	0x3f7fffff, 0xbf7fffff, 0xbf800001, 0x3f000001, 0x7f800000, 0xff800000,
	0x7fc00000, 0xffc00000, 0x7f800001, 0x7fbfffff, 0xffc12345, 0x00000001,
	0x80000001, 0x007fffff, 0x807fffff, 0x00800000, 0x7f7fffff, 0xff7fffff,
	0x4b000000, 0x4b000001, 0xcb000001, 0x4a800001, 0x4b7fffff, 0x4effffff,
	0x4f000000, 0xcf000000, 0xcf000001, 0x4f7fffff, 0x4f800000, 0x5effffff,
	0x5f000000, 0xdf000000, 0xdf000001, 0x5f7fffff, 0x5f800000, 0x40490fdb,
	0x3dcccccd, 0xc2f6e979,
};

static u64 gen_value(bool fp)
{
	u64 garbage = rng_below(2) ? rng_u64() << 32 : 0;

	switch (rng_below(4)) {
	case 0:
		if (fp)
			return fp_edges[rng_below(ARRAY_SIZE(fp_edges))] | garbage;
		return int_edges[rng_below(ARRAY_SIZE(int_edges))];
	case 1:
		if (fp)	/* Moderate magnitudes, where rounding bites. */
			return fb((float)((s32)rng_u64() >> rng_below(31)) /
				  (float)(1 << rng_below(20))) | garbage;
		return rng_u64() >> rng_below(64);
	default:
		return rng_u64();
	}
}

struct alu_op {
	u8 op;
	u8 form;
	u8 n_subs;
	u8 subs[14];
};

static const struct alu_op alu_ops[] = {
	{ VSVM_OP_MOV, 0 },
	{ VSVM_OP_ADD, FORM_W | FORM_B }, { VSVM_OP_SUB, FORM_W | FORM_B },
	{ VSVM_OP_MUL, FORM_W | FORM_B }, { VSVM_OP_MULHU, FORM_W | FORM_B },
	{ VSVM_OP_MULHS, FORM_W | FORM_B }, { VSVM_OP_DIVU, FORM_W | FORM_B },
	{ VSVM_OP_DIVS, FORM_W | FORM_B }, { VSVM_OP_REMU, FORM_W | FORM_B },
	{ VSVM_OP_REMS, FORM_W | FORM_B }, { VSVM_OP_AND, FORM_W | FORM_B },
	{ VSVM_OP_OR, FORM_W | FORM_B }, { VSVM_OP_XOR, FORM_W | FORM_B },
	{ VSVM_OP_SHL, FORM_W | FORM_B }, { VSVM_OP_SHRU, FORM_W | FORM_B },
	{ VSVM_OP_SHRS, FORM_W | FORM_B }, { VSVM_OP_MINU, FORM_W | FORM_B },
	{ VSVM_OP_MINS, FORM_W | FORM_B }, { VSVM_OP_MAXU, FORM_W | FORM_B },
	{ VSVM_OP_MAXS, FORM_W | FORM_B },
	{ VSVM_OP_NOT, FORM_W }, { VSVM_OP_NEG, FORM_W }, { VSVM_OP_POPCNT, FORM_W },
	{ VSVM_OP_CLZ, FORM_W }, { VSVM_OP_CTZ, FORM_W },
	{ VSVM_OP_ICMP, FORM_W | FORM_B, 6, { 0, 1, 2, 3, 4, 5 } },
	{ VSVM_OP_FADD, FORM_B }, { VSVM_OP_FSUB, FORM_B }, { VSVM_OP_FMUL, FORM_B },
	{ VSVM_OP_FDIV, FORM_B }, { VSVM_OP_FFMA, FORM_B | FORM_C },
	{ VSVM_OP_FMIN, FORM_B }, { VSVM_OP_FMAX, FORM_B },
	{ VSVM_OP_FNEG, 0 }, { VSVM_OP_FABS, 0 }, { VSVM_OP_FSQRT, 0 },
	{ VSVM_OP_FFLOOR, 0 }, { VSVM_OP_FCEIL, 0 }, { VSVM_OP_FTRUNC, 0 },
	{ VSVM_OP_FRNDE, 0 },
	{ VSVM_OP_FCMP, FORM_B, 4, { VSVM_COND_EQ, VSVM_COND_NE, VSVM_COND_LTS, VSVM_COND_LES } },
	{ VSVM_OP_CVT, 0, 14, { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 } },
	{ VSVM_OP_SEL, FORM_W | FORM_B | FORM_C },
};

static u64 ref(u8 op, u8 sub, bool w64, u64 a, u64 b, u64 c)
{
	return is_fp(op) ? ref_fp(op, sub, a, b, c) : ref_int(op, sub, w64, a, b, c);
}

static bool same(u8 op, u64 got, u64 want)
{
	if (nan_any(op) && is_nan32(want))
		return is_nan32(got) && !(got >> 32);
	return got == want;
}

/*
 * Runs one instruction over a wave whose r1, r2, r3 hold a, b, c, and
 * compares each lane with the reference. Lanes outside the mask keep their
 * value.
 */
static void run_one(const struct alu_op *o, u8 sub, bool w64, bool imm, unsigned int round)
{
	static const u8 dsts[] = { 4, 1, 2, 3 };
	u8 d = dsts[round % 4];
	u8 b_reg = (o->form & FORM_B) && !imm ? 2 : 0;
	u64 a[32], b[32], c[32], before[32], bimm = gen_value(is_fp(o->op));
	struct vsvm_mmu mmu = { 0 };
	struct vsvm_prog *prog;
	struct code code;
	struct wg g;
	u32 mask, l;

	if (!(o->form & FORM_B) && d == 2)
		d = 4;
	if (!(o->form & FORM_C) && d == 3)
		d = 4;
	code_init(&code);
	emit(&code, o->op, d, 1, b_reg, o->form & FORM_C ? 3 : 0, w64, sub,
	     imm ? VSVM_F_SRC1_IMM : 0, imm ? bimm : 0);
	e_op(&code, VSVM_OP_END);
	prog = decode_ok(&code, 0);
	code_free(&code);
	if (!prog)
		return;

	wg_init1(&g, prog, &mmu, 32);
	mask = round % 3 ? (u32)rng_u64() : U32_MAX;
	g.waves[0].exec = mask;
	for (l = 0; l < 32; l++) {
		a[l] = gen_value(is_fp(o->op));
		b[l] = gen_value(is_fp(o->op));
		c[l] = gen_value(is_fp(o->op));
		/* The register file holds exactly the registers the code names. */
		if (prog->n_regs > 1)
			wg_set(&g, 0, 1, l, a[l]);
		if (prog->n_regs > 2)
			wg_set(&g, 0, 2, l, b[l]);
		if (prog->n_regs > 3)
			wg_set(&g, 0, 3, l, c[l]);
		if (prog->n_regs > 4)
			wg_set(&g, 0, 4, l, 0x5e5e5e5e00000000ull | l);
		before[l] = wg_get(&g, 0, d, l);
	}
	if (CHECK_EQ(wg_run(&g, 1000, NULL, NULL), VSVM_STOP_DONE)) {
		for (l = 0; l < 32; l++) {
			u64 got = wg_get(&g, 0, d, l);
			bool on = mask >> l & 1;
			u64 want = on ? ref(o->op, sub, w64, a[l], imm ? bimm : b[l], c[l]) :
				   before[l];

			if (!CHECK(on ? same(o->op, got, want) : got == want,
				   "op 0x%02x sub %u w64 %d imm %d d r%u lane %u: "
				   "a 0x%llx b 0x%llx c 0x%llx: got 0x%llx want 0x%llx",
				   o->op, sub, w64, imm, d, l, (unsigned long long)a[l],
				   (unsigned long long)(imm ? bimm : b[l]),
				   (unsigned long long)c[l], (unsigned long long)got,
				   (unsigned long long)want))
				break;
		}
		CHECK_EQ(g.ctx.insns, 2);
	}
	wg_free(&g);
	free(prog);
}

static void test_alu_reference(void)
{
	size_t i;
	unsigned int w, imm, s, round;

	for (i = 0; i < ARRAY_SIZE(alu_ops); i++) {
		const struct alu_op *o = &alu_ops[i];
		unsigned int n_subs = o->n_subs ? o->n_subs : 1;

		for (w = 0; w <= !!(o->form & FORM_W); w++)
			for (imm = 0; imm <= !!(o->form & FORM_B); imm++)
				for (s = 0; s < n_subs; s++)
					for (round = 0; round < 24; round++)
						run_one(o, o->subs[s], w, imm, round);
	}
}

/*
 * The decisions the ISA documents, pinned as plain vectors, so that the
 * reference above cannot drift along with the interpreter.
 */
static void test_alu_vectors(void)
{
	static const struct {
		u8 op, sub, w64;
		u64 a, b, c, want;
	} v[] = {
		{ VSVM_OP_ADD, 0, 0, 0xffffffff, 1, 0, 0 },
		{ VSVM_OP_ADD, 0, 0, 0x1234500000001, 0xabc00000002, 0, 3 },
		{ VSVM_OP_ADD, 0, 1, ~0ull, 2, 0, 1 },
		{ VSVM_OP_DIVU, 0, 0, 7, 0, 0, 0xffffffff },
		{ VSVM_OP_DIVU, 0, 1, 7, 0, 0, ~0ull },
		{ VSVM_OP_DIVU, 0, 0, 7, 0x100000000ull, 0, 0xffffffff },
		{ VSVM_OP_DIVS, 0, 0, 7, 0, 0, 0xffffffff },
		{ VSVM_OP_DIVS, 0, 0, 0x80000000, 0xffffffff, 0, 0x80000000 },
		{ VSVM_OP_DIVS, 0, 1, 1ull << 63, ~0ull, 0, 1ull << 63 },
		{ VSVM_OP_DIVS, 0, 0, (u32)-7, 2, 0, (u32)-3 },
		{ VSVM_OP_REMU, 0, 0, 0xffffffff00000007ull, 0, 0, 7 },
		{ VSVM_OP_REMS, 0, 0, (u32)-7, 0, 0, (u32)-7 },
		{ VSVM_OP_REMS, 0, 0, (u32)-7, 2, 0, (u32)-1 },
		{ VSVM_OP_REMS, 0, 0, 7, (u32)-2, 0, 1 },
		{ VSVM_OP_REMS, 0, 0, 0x80000000, 0xffffffff, 0, 0 },
		{ VSVM_OP_REMS, 0, 1, 1ull << 63, ~0ull, 0, 0 },
		{ VSVM_OP_SHL, 0, 0, 1, 33, 0, 2 },
		{ VSVM_OP_SHL, 0, 1, 1, 65, 0, 2 },
		{ VSVM_OP_SHRS, 0, 0, 0x80000000, 31, 0, 0xffffffff },
		{ VSVM_OP_SHRS, 0, 0, 0x80000000, 32, 0, 0x80000000 },
		{ VSVM_OP_SHRU, 0, 0, 0xffffffff80000000ull, 31, 0, 1 },
		{ VSVM_OP_CLZ, 0, 0, 0xffffffff00000000ull, 0, 0, 32 },
		{ VSVM_OP_CLZ, 0, 1, 0, 0, 0, 64 },
		{ VSVM_OP_CTZ, 0, 0, 0, 0, 0, 32 },
		{ VSVM_OP_CTZ, 0, 1, 1ull << 63, 0, 0, 63 },
		{ VSVM_OP_POPCNT, 0, 0, ~0ull, 0, 0, 32 },
		{ VSVM_OP_NEG, 0, 0, 1, 0, 0, 0xffffffff },
		{ VSVM_OP_MULHU, 0, 1, ~0ull, ~0ull, 0, ~0ull - 1 },
		{ VSVM_OP_MULHS, 0, 1, ~0ull, ~0ull, 0, 0 },
		{ VSVM_OP_MULHS, 0, 1, 1ull << 63, 1ull << 63, 0, 1ull << 62 },
		{ VSVM_OP_MULHS, 0, 0, 0x80000000, 2, 0, 0xffffffff },
		{ VSVM_OP_MINS, 0, 0, 0x80000000, 5, 0, 0x80000000 },
		{ VSVM_OP_MINU, 0, 0, 0x80000000, 5, 0, 5 },
		{ VSVM_OP_ICMP, VSVM_COND_LTS, 0, 0xffffffff, 0, 0, 0xffffffff },
		{ VSVM_OP_ICMP, VSVM_COND_LTU, 0, 0xffffffff, 0, 0, 0 },
		{ VSVM_OP_ICMP, VSVM_COND_EQ, 0, 0x100000005ull, 5, 0, 0xffffffff },
		{ VSVM_OP_ICMP, VSVM_COND_EQ, 1, 0x100000005ull, 5, 0, 0 },
		{ VSVM_OP_SEL, 0, 0, 0x100000000ull, 0x1111111122222222ull, 0x33, 0x33 },
		{ VSVM_OP_SEL, 0, 1, 2, 0x1111111122222222ull, 0x33, 0x1111111122222222ull },
		{ VSVM_OP_SEL, 0, 0, 2, 0x1111111122222222ull, 0x33, 0x22222222 },

		/* fp32: -0/+0, NaN handling, fp -> int saturation */
		{ VSVM_OP_FMIN, 0, 0, 0x00000000, 0x80000000, 0, 0x80000000 },
		{ VSVM_OP_FMIN, 0, 0, 0x80000000, 0x00000000, 0, 0x80000000 },
		{ VSVM_OP_FMAX, 0, 0, 0x80000000, 0x00000000, 0, 0x00000000 },
		{ VSVM_OP_FMAX, 0, 0, 0x7fc00000, 0x3f800000, 0, 0x3f800000 },
		{ VSVM_OP_FMIN, 0, 0, 0x3f800000, 0xffc00000, 0, 0x3f800000 },
		{ VSVM_OP_FCMP, VSVM_COND_EQ, 0, 0x7fc00000, 0x7fc00000, 0, 0 },
		{ VSVM_OP_FCMP, VSVM_COND_NE, 0, 0x7fc00000, 0x7fc00000, 0, 0xffffffff },
		{ VSVM_OP_FCMP, VSVM_COND_LES, 0, 0x7fc00000, 0x3f800000, 0, 0 },
		{ VSVM_OP_FCMP, VSVM_COND_EQ, 0, 0x80000000, 0x00000000, 0, 0xffffffff },
		{ VSVM_OP_FCMP, VSVM_COND_LTS, 0, 0x80000000, 0x00000000, 0, 0 },
		{ VSVM_OP_FADD, 0, 0, 0xffffffff3f800000ull, 0x3f800000, 0, 0x40000000 },
		{ VSVM_OP_FNEG, 0, 0, 0xffffffff00000000ull, 0, 0, 0x80000000 },
		{ VSVM_OP_FABS, 0, 0, 0xffc00001, 0, 0, 0x7fc00001 },
		{ VSVM_OP_FRNDE, 0, 0, 0x40200000, 0, 0, 0x40000000 },	/* 2.5 -> 2 */
		{ VSVM_OP_FRNDE, 0, 0, 0x40600000, 0, 0, 0x40800000 },	/* 3.5 -> 4 */
		{ VSVM_OP_FRNDE, 0, 0, 0xbf000000, 0, 0, 0x80000000 },	/* -0.5 -> -0 */
		{ VSVM_OP_FFLOOR, 0, 0, 0xbe800000, 0, 0, 0xbf800000 },	/* -0.25 -> -1 */
		{ VSVM_OP_FCEIL, 0, 0, 0xbe800000, 0, 0, 0x80000000 },	/* -0.25 -> -0 */
		{ VSVM_OP_FTRUNC, 0, 0, 0xc0700000, 0, 0, 0xc0400000 },	/* -3.75 -> -3 */
		{ VSVM_OP_FSQRT, 0, 0, 0x40800000, 0, 0, 0x40000000 },
		{ VSVM_OP_FSQRT, 0, 0, 0x80000000, 0, 0, 0x80000000 },
		{ VSVM_OP_FSQRT, 0, 0, 0x7f800000, 0, 0, 0x7f800000 },
		{ VSVM_OP_CVT, VSVM_CVT_S32_F32, 0, 0x4f800000, 0, 0, 0x7fffffff },
		{ VSVM_OP_CVT, VSVM_CVT_S32_F32, 0, 0xcf800000, 0, 0, 0x80000000 },
		{ VSVM_OP_CVT, VSVM_CVT_S32_F32, 0, 0xbfc00000, 0, 0, 0xffffffff },
		{ VSVM_OP_CVT, VSVM_CVT_S32_F32, 0, 0x7fc00000, 0, 0, 0 },
		{ VSVM_OP_CVT, VSVM_CVT_U32_F32, 0, 0xbfc00000, 0, 0, 0 },
		{ VSVM_OP_CVT, VSVM_CVT_U32_F32, 0, 0xbf000000, 0, 0, 0 },
		{ VSVM_OP_CVT, VSVM_CVT_U32_F32, 0, 0x4f800000, 0, 0, 0xffffffff },
		{ VSVM_OP_CVT, VSVM_CVT_U32_F32, 0, 0x4f7fffff, 0, 0, 0xffffff00 },
		{ VSVM_OP_CVT, VSVM_CVT_S64_F32, 0, 0x5f000000, 0, 0, INT64_MAX },
		{ VSVM_OP_CVT, VSVM_CVT_S64_F32, 0, 0xdf000000, 0, 0, (u64)INT64_MIN },
		{ VSVM_OP_CVT, VSVM_CVT_S64_F32, 0, 0xff800000, 0, 0, (u64)INT64_MIN },
		{ VSVM_OP_CVT, VSVM_CVT_U64_F32, 0, 0x5f7fffff, 0, 0, 0xffffff0000000000ull },
		{ VSVM_OP_CVT, VSVM_CVT_U64_F32, 0, 0x5f800000, 0, 0, ~0ull },
		{ VSVM_OP_CVT, VSVM_CVT_U64_F32, 0, 0xffc00000, 0, 0, 0 },
		{ VSVM_OP_CVT, VSVM_CVT_F32_U64, 0, ~0ull, 0, 0, 0x5f800000 },
		{ VSVM_OP_CVT, VSVM_CVT_F32_S32, 0, 0x1ffffffffull, 0, 0, 0xbf800000 },
		{ VSVM_OP_CVT, VSVM_CVT_F32_U32, 0, 0xffffffff, 0, 0, 0x4f800000 },
		{ VSVM_OP_CVT, VSVM_CVT_F32_S64, 0, 1ull << 63, 0, 0, 0xdf000000 },
		{ VSVM_OP_CVT, VSVM_CVT_SEXT8, 0, 0x180, 0, 0, 0xffffffffffffff80ull },
		{ VSVM_OP_CVT, VSVM_CVT_ZEXT16, 0, 0xffff8000, 0, 0, 0x8000 },
		{ VSVM_OP_CVT, VSVM_CVT_SEXT32, 0, 0x80000000, 0, 0, 0xffffffff80000000ull },
		/*
		 * FFMA rounds the sum to binary64, then to binary32. Here
		 * (1 + 2^-12)^2 + 2^-80 is just above a binary32 midpoint,
		 * the binary64 sum rounds onto the midpoint, and the tie goes
		 * to even: down, where a fused fmaf() would round up.
		 */
		{ VSVM_OP_FFMA, 0, 0, 0x3f800800, 0x3f800800, 0x17800000, 0x3f801000 },
	};
	struct vsvm_mmu mmu = { 0 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		struct vsvm_prog *prog;
		struct code code;
		struct wg g;
		u64 got;

		code_init(&code);
		emit(&code, v[i].op, 4, 1, 2, v[i].op == VSVM_OP_SEL || v[i].op == VSVM_OP_FFMA ?
		     3 : 0, v[i].w64, v[i].sub, 0, 0);
		if (v[i].op == VSVM_OP_NOT || (v[i].op >= VSVM_OP_NEG && v[i].op <= VSVM_OP_CTZ) ||
		    (v[i].op >= VSVM_OP_FNEG && v[i].op <= VSVM_OP_FRNDE) ||
		    v[i].op == VSVM_OP_CVT) {
			/* One-operand ops have no src1. */
			code.size = 0;
			emit(&code, v[i].op, 4, 1, 0, 0, v[i].w64, v[i].sub, 0, 0);
		}
		e_op(&code, VSVM_OP_END);
		prog = decode_ok(&code, 0);
		code_free(&code);
		if (!prog)
			continue;
		wg_init1(&g, prog, &mmu, 1);
		wg_set(&g, 0, 1, 0, v[i].a);
		wg_set(&g, 0, 2, 0, v[i].b);
		wg_set(&g, 0, 3, 0, v[i].c);
		CHECK_EQ(wg_run(&g, 100, NULL, NULL), VSVM_STOP_DONE);
		got = wg_get(&g, 0, 4, 0);
		CHECK(got == v[i].want, "vector %zu (op 0x%02x): got 0x%llx want 0x%llx", i,
		      v[i].op, (unsigned long long)got, (unsigned long long)v[i].want);
		wg_free(&g);
		free(prog);
	}
}

/* MOVI, and the register file starting at zero. */
static void test_movi(void)
{
	struct vsvm_mmu mmu = { 0 };
	struct vsvm_prog *prog;
	struct code code;
	struct wg g;
	u32 l;

	code_init(&code);
	e_movi(&code, 3, 0xfedcba9876543210ull);
	e_op(&code, VSVM_OP_END);
	emit(&code, VSVM_OP_MOV, 9, 0, 0, 0, 0, 0, 0, 0);
	prog = decode_ok(&code, 0);
	code_free(&code);
	if (!prog)
		return;
	CHECK_EQ(prog->n_regs, 10);
	wg_init1(&g, prog, &mmu, 50);
	g.waves[1].exec = 0x2ffff;	/* lanes 32..47 and 49 */
	CHECK_EQ(wg_run(&g, 1000, NULL, NULL), VSVM_STOP_DONE);
	for (l = 0; l < 32; l++) {
		CHECK_EQ(wg_get(&g, 0, 3, l), 0xfedcba9876543210ull);
		CHECK_EQ(wg_get(&g, 1, 3, l), (0x2ffffu >> l & 1) ? 0xfedcba9876543210ull : 0);
		CHECK_EQ(wg_get(&g, 0, 9, l), 0);
		CHECK_EQ(wg_get(&g, 1, 0, l), 0);
	}
	wg_free(&g);
	free(prog);
}

const struct test alu_tests[] = {
	{ "alu-reference", test_alu_reference },
	{ "alu-vectors", test_alu_vectors },
	{ "alu-movi", test_movi },
	{ NULL, NULL },
};
