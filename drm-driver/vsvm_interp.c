// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */

/**
 * DOC: Shader interpreter
 *
 * A workgroup is cut into waves of %VSVM_WAVE_WIDTH lanes. vsvm_interp_run()
 * executes one wave's instructions, each across the lanes in &vsvm_wave.exec,
 * until an instruction budget runs out, the wave reaches a barrier, ends,
 * faults or fails. The engine interleaves the waves of a workgroup on one
 * compute-unit thread, so nothing here is shared between threads except the
 * global memory the shader addresses.
 *
 * Registers are stored lane-minor (&vsvm_wave.regs[reg * 32 + lane]), so an
 * ALU instruction is a tight loop over one row per operand. Every ALU case is
 * specialised at compile time on its operation, width and operand form, with
 * one loop for a full wave and one over the set bits of a partial mask.
 *
 * Control flow is structured and per wave: a stack of &struct vsvm_cf_frame
 * records, for each open IF, the lanes to restore at ENDIF and those waiting
 * for the ELSE, and for each open LOOP, the lanes that left it with BREAK and
 * those parked by CONTINUE until ENDLOOP. When no lane is active, the wave
 * skips to the next instruction that may reactivate lanes, jumping over whole
 * nested blocks with the targets resolved by vsvm_prog_decode().
 *
 * Global memory is reached through vsvm_mmu_xlate() one page at a time, with
 * the caller holding the compute unit's TLB lock for the whole run, so a
 * translation stays valid until we return and is cached here per access kind.
 * When a page has no usable translation the wave stops with
 * %VSVM_STOP_FAULT before the instruction retires; the lanes that already
 * completed it are kept in &vsvm_wave.mem_done so that the retry after the
 * fault is serviced does not repeat them (a repeated atomic would be visible).
 * Global atomics use the kernel's atomic operations on the translated
 * address, so they are atomic against CPU atomics on the same memory.
 *
 * Context: the engine calls vsvm_interp_run() between kernel_fpu_begin() and
 * kernel_fpu_end() with the TLB spinlock held. Nothing here sleeps, allocates
 * or takes a lock, and floating-point arithmetic is plain C compiled with the
 * kernel's FPU flags: no libm, no libgcc helper.
 *
 * This is the only file of the driver built that way, and the flags let the
 * compiler use SSE registers in any function here, floats or not (it copies
 * and initialises structs with them). So all of this file runs inside an FPU
 * section: vsvm_interp_run() is its only global symbol, no function pointer
 * leaves it, and whatever runs outside a section lives in a file built
 * without the flags (wave setup in vsvm_wave.c, decoding in vsvm_isa.c).
 * tools/check-fpu, part of "make check", verifies this on the built objects;
 * vsvm_interp_run() checks at entry that a section is open.
 */

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/unaligned.h>

/*
 * For irq_fpu_usable() only. linux/fpu.h refuses FPU units so that they do
 * not open sections themselves; tools/check-fpu checks that this one does not.
 */
#include <asm/fpu/api.h>

#include "include/uapi/drm/vsvm_drm.h"
#include "vsvm_interp.h"

#define VSVM_LANES_ALL		U32_MAX

/*
 * vsvm_mmu_xlate() returns a pointer valid to the end of the GPU page; the
 * smallest GPU page is 4 KiB, whatever the CPU page size.
 */
#define VSVM_XPAGE_SIZE		SZ_4K
#define VSVM_XPAGE_MASK		(~(u64)(VSVM_XPAGE_SIZE - 1))

#define VSVM_F32_SIGN		0x80000000u
#define VSVM_F32_QUIET		0x00400000u
#define VSVM_F32_MANT		0x007fffffu
#define VSVM_F32_INF		0x7f800000u
#define VSVM_F32_ONE		0x3f800000u
#define VSVM_F32_BIAS		127
#define VSVM_F32_MANT_BITS	23

/* Operand forms of an ALU operation, see vsvm_alu_insn(). */
#define VSVM_FORM_W		BIT(0)	/* mod selects 32 or 64 bits */
#define VSVM_FORM_B		BIT(1)	/* has b: src1, or imm with VSVM_F_SRC1_IMM */
#define VSVM_FORM_C		BIT(2)	/* has c: src2 */
#define VSVM_FORM_INT2		(VSVM_FORM_W | VSVM_FORM_B)

/* Rounding of vsvm_fround(). */
enum vsvm_fround {
	VSVM_ROUND_FLOOR,
	VSVM_ROUND_CEIL,
	VSVM_ROUND_TRUNC,
	VSVM_ROUND_EVEN,
};

/* Index of the translation cached for each access kind. */
enum vsvm_xkind {
	VSVM_X_READ,
	VSVM_X_WRITE,
	VSVM_X_ATOMIC,
	VSVM_X_KINDS
};

/**
 * struct vsvm_xcache - the last translation of one access kind
 */
struct vsvm_xcache {
	/** @page: GPU VA of the page, or U64_MAX (never a page address). */
	u64 page;
	/** @base: kernel address of the page. */
	u8 *base;
};

/**
 * struct vsvm_run - state of one vsvm_interp_run() call
 */
struct vsvm_run {
	/** @ctx: the workgroup's context. */
	struct vsvm_interp_ctx *ctx;
	/** @w: the wave. */
	struct vsvm_wave *w;
	/** @pc: index of the instruction being executed. */
	u32 pc;
	/** @stop: why a memory instruction did not retire. */
	enum vsvm_stop stop;
	/** @xc: translations, valid while the caller holds the TLB lock. */
	struct vsvm_xcache xc[VSVM_X_KINDS];
};

/* The low row of register @r; its high row follows it. */
static __always_inline u32 *vsvm_lo(u32 *regs, u8 r)
{
	return regs + (size_t)r * VSVM_REG_WORDS;
}

static __always_inline u64 vsvm_get(const u32 *regs, u8 r, unsigned int l)
{
	const u32 *lo = regs + (size_t)r * VSVM_REG_WORDS;

	return lo[l] | (u64)lo[l + VSVM_WAVE_WIDTH] << 32;
}

static __always_inline void vsvm_set(u32 *regs, u8 r, unsigned int l, u64 v)
{
	u32 *lo = regs + (size_t)r * VSVM_REG_WORDS;

	lo[l] = v;
	lo[l + VSVM_WAVE_WIDTH] = v >> 32;
}

/* fp32 values live in the low 32 bits of a register. */
static __always_inline float vsvm_f32(u64 x)
{
	union { u32 u; float f; } v = { .u = (u32)x };

	return v.f;
}

static __always_inline u64 vsvm_f32_bits(float f)
{
	union { u32 u; float f; } v = { .f = f };

	return v.u;
}

static __always_inline bool vsvm_f32_isnan(u32 x)
{
	return (x & ~VSVM_F32_SIGN) > VSVM_F32_INF;
}

static __always_inline u64 vsvm_width(bool w64, u64 v)
{
	return w64 ? v : (u32)v;
}

/* Population count without the libgcc helper or an out-of-line call. */
static __always_inline u64 vsvm_popcnt(u64 x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (x * 0x0101010101010101ull) >> 56;
}

/*
 * IEEE minNum/maxNum; of two equal zeros min is -0 and max is +0. Selects
 * rather than branches, so that the lane loop vectorises.
 */
static __always_inline u64 vsvm_fminmax(u32 a, u32 b, bool max)
{
	float fa = vsvm_f32(a), fb = vsvm_f32(b);
	bool an = vsvm_f32_isnan(a), bn = vsvm_f32_isnan(b);
	u32 r = max ? a & b : a | b;

	r = fa < fb ? (max ? b : a) : r;
	r = fb < fa ? (max ? a : b) : r;
	r = bn ? a : r;
	r = an ? (bn ? a | VSVM_F32_QUIET : b) : r;
	return r;
}

/* floor, ceil, trunc and round-half-even on the binary32 encoding. */
static __always_inline u64 vsvm_fround(u32 x, const unsigned int mode)
{
	u32 sign = x & VSVM_F32_SIGN;
	u32 exp = (x >> VSVM_F32_MANT_BITS) & 0xff;
	u32 mask, frac, half;
	bool up;

	if (exp >= VSVM_F32_BIAS + VSVM_F32_MANT_BITS)
		return vsvm_f32_isnan(x) ? x | VSVM_F32_QUIET : x;
	if (exp < VSVM_F32_BIAS) {
		/* |x| < 1 */
		if (!(x & ~VSVM_F32_SIGN))
			return x;
		switch (mode) {
		case VSVM_ROUND_FLOOR:
			return sign ? VSVM_F32_SIGN | VSVM_F32_ONE : 0;
		case VSVM_ROUND_CEIL:
			return sign ? VSVM_F32_SIGN : VSVM_F32_ONE;
		case VSVM_ROUND_TRUNC:
			return sign;
		default:
			/* Above one half rounds to 1; one half itself to 0. */
			if (exp == VSVM_F32_BIAS - 1 && (x & VSVM_F32_MANT))
				return sign | VSVM_F32_ONE;
			return sign;
		}
	}

	mask = VSVM_F32_MANT >> (exp - VSVM_F32_BIAS);
	frac = x & mask;
	if (!frac)
		return x;
	switch (mode) {
	case VSVM_ROUND_FLOOR:
		up = sign;
		break;
	case VSVM_ROUND_CEIL:
		up = !sign;
		break;
	case VSVM_ROUND_TRUNC:
		up = false;
		break;
	default:
		half = (mask >> 1) + 1;
		up = frac > half || (frac == half && (x & (mask + 1)));
		break;
	}
	/* Growing the magnitude may carry into the exponent, which is right. */
	if (up)
		x += mask + 1;
	return x & ~mask;
}

static __always_inline double vsvm_f64(u64 x)
{
	union { u64 u; double d; } v = { .u = x };

	return v.d;
}

static __always_inline u64 vsvm_f64_bits(double d)
{
	union { u64 u; double d; } v = { .d = d };

	return v.u;
}

/*
 * Correctly rounded binary32 square root. __builtin_sqrtf() would keep a
 * call to sqrtf() for errno unless built with -fno-math-errno, and the
 * kernel has no sqrtf(), so: a Newton estimate in binary64, good to far
 * better than one binary32 ulp, then an exact choice between the nearest
 * floats by squaring the midpoints around it. Those midpoints have 25
 * significant bits, so their squares are exact in binary64, and the square
 * of a midpoint is never a binary32, so there are no ties.
 */
static __always_inline u64 vsvm_fsqrt(u32 x)
{
	double d, y, mid;
	float r;
	u32 rb;

	if (x & VSVM_F32_SIGN) {
		if (!(x & ~VSVM_F32_SIGN))
			return x;
		return vsvm_f32_isnan(x) ? x | VSVM_F32_QUIET : VSVM_F32_INF | VSVM_F32_QUIET;
	}
	if (x >= VSVM_F32_INF)
		return vsvm_f32_isnan(x) ? x | VSVM_F32_QUIET : x;
	if (!x)
		return 0;

	d = vsvm_f32(x);
	/* 1/sqrt(d) to 3.5%, then three Newton steps: 2e-3, 5e-6, 4e-11. */
	y = vsvm_f64(0x5fe6eb50c7b537a9ull - (vsvm_f64_bits(d) >> 1));
	y = y * (1.5 - 0.5 * d * y * y);
	y = y * (1.5 - 0.5 * d * y * y);
	y = y * (1.5 - 0.5 * d * y * y);
	r = (float)(d * y);

	/* r is within one ulp: step to the neighbour whose interval holds d. */
	rb = vsvm_f32_bits(r);
	mid = ((double)r + (double)vsvm_f32(rb + 1)) * 0.5;
	if (d > mid * mid)
		return rb + 1;
	mid = ((double)r + (double)vsvm_f32(rb - 1)) * 0.5;
	if (d < mid * mid)
		return rb - 1;
	return rb;
}

static __always_inline u64 vsvm_cvt(const unsigned int sub, u64 x)
{
	float f = vsvm_f32(x);

	switch (sub) {
	case VSVM_CVT_F32_S32:
		return vsvm_f32_bits((float)(s32)x);
	case VSVM_CVT_F32_U32:
		return vsvm_f32_bits((float)(u32)x);
	case VSVM_CVT_F32_S64:
		return vsvm_f32_bits((float)(s64)x);
	case VSVM_CVT_F32_U64:
		return vsvm_f32_bits((float)x);
	case VSVM_CVT_S32_F32:
		if (f != f)
			return 0;
		if (f >= 2147483648.0f)
			return (u32)S32_MAX;
		if (f < -2147483648.0f)
			return (u32)S32_MIN;
		return (u32)(s32)f;
	case VSVM_CVT_U32_F32:
		/* Also catches NaN; (-1, 0] truncates to 0. */
		if (!(f > -1.0f))
			return 0;
		if (f >= 4294967296.0f)
			return U32_MAX;
		return (u32)f;
	case VSVM_CVT_S64_F32:
		if (f != f)
			return 0;
		if (f >= 9223372036854775808.0f)
			return S64_MAX;
		if (f < -9223372036854775808.0f)
			return (u64)S64_MIN;
		return (u64)(s64)f;
	case VSVM_CVT_U64_F32:
		if (!(f > -1.0f))
			return 0;
		if (f >= 18446744073709551616.0f)
			return U64_MAX;
		return (u64)f;
	case VSVM_CVT_SEXT8:
		return (u64)(s8)x;
	case VSVM_CVT_SEXT16:
		return (u64)(s16)x;
	case VSVM_CVT_SEXT32:
		return (u64)(s32)x;
	case VSVM_CVT_ZEXT8:
		return (u8)x;
	case VSVM_CVT_ZEXT16:
		return (u16)x;
	default:
		return (u32)x;
	}
}

static __always_inline bool vsvm_icmp(const unsigned int cond, bool w64, u64 x, u64 y)
{
	s64 sx = w64 ? (s64)x : (s32)x;
	s64 sy = w64 ? (s64)y : (s32)y;

	x = vsvm_width(w64, x);
	y = vsvm_width(w64, y);
	switch (cond) {
	case VSVM_COND_EQ:
		return x == y;
	case VSVM_COND_NE:
		return x != y;
	case VSVM_COND_LTU:
		return x < y;
	case VSVM_COND_LEU:
		return x <= y;
	case VSVM_COND_LTS:
		return sx < sy;
	default:
		return sx <= sy;
	}
}

/* Comparisons with a NaN are false, except NE. */
static __always_inline bool vsvm_fcmp(const unsigned int cond, float x, float y)
{
	switch (cond) {
	case VSVM_COND_EQ:
		return x == y;
	case VSVM_COND_NE:
		return !(x == y);
	case VSVM_COND_LTS:
		return x < y;
	default:
		return x <= y;
	}
}

static __always_inline u64 vsvm_divs(bool w64, u64 x, u64 y)
{
	if (w64) {
		if (!y)
			return U64_MAX;
		if ((s64)x == S64_MIN && (s64)y == -1)
			return x;
		return (u64)((s64)x / (s64)y);
	}
	if (!(u32)y)
		return U32_MAX;
	if ((s32)x == S32_MIN && (s32)y == -1)
		return (u32)x;
	return (u32)((s32)x / (s32)y);
}

static __always_inline u64 vsvm_rems(bool w64, u64 x, u64 y)
{
	if (w64) {
		if (!y)
			return x;
		if ((s64)y == -1)
			return 0;
		return (u64)((s64)x % (s64)y);
	}
	if (!(u32)y)
		return (u32)x;
	if ((s32)y == -1)
		return 0;
	return (u32)((s32)x % (s32)y);
}

/*
 * One lane of an ALU instruction. @op, @sub and @w64 are compile-time
 * constants at every call, so this folds to the single operation.
 */
static __always_inline u64 vsvm_alu(const unsigned int op, const unsigned int sub,
				    const bool w64, u64 x, u64 y, u64 z)
{
	u32 x32 = x, y32 = y;
	unsigned int sh = y & (w64 ? 63 : 31);

	switch (op) {
	case VSVM_OP_MOV:
		return x;
	case VSVM_OP_MOVI:
		return y;
	case VSVM_OP_ADD:
		return vsvm_width(w64, x + y);
	case VSVM_OP_SUB:
		return vsvm_width(w64, x - y);
	case VSVM_OP_MUL:
		return vsvm_width(w64, x * y);
	case VSVM_OP_MULHU:
		if (w64)
			return (u64)(((u128)x * y) >> 64);
		return ((u64)x32 * y32) >> 32;
	case VSVM_OP_MULHS:
		if (w64)
			return (u64)(((s128)(s64)x * (s64)y) >> 64);
		return (u32)(((s64)(s32)x32 * (s32)y32) >> 32);
	case VSVM_OP_DIVU:
		if (w64)
			return y ? x / y : U64_MAX;
		return y32 ? x32 / y32 : U32_MAX;
	case VSVM_OP_DIVS:
		return vsvm_divs(w64, x, y);
	case VSVM_OP_REMU:
		if (w64)
			return y ? x % y : x;
		return y32 ? x32 % y32 : x32;
	case VSVM_OP_REMS:
		return vsvm_rems(w64, x, y);
	case VSVM_OP_AND:
		return vsvm_width(w64, x & y);
	case VSVM_OP_OR:
		return vsvm_width(w64, x | y);
	case VSVM_OP_XOR:
		return vsvm_width(w64, x ^ y);
	case VSVM_OP_SHL:
		return w64 ? x << sh : (u32)(x32 << sh);
	case VSVM_OP_SHRU:
		return w64 ? x >> sh : x32 >> sh;
	case VSVM_OP_SHRS:
		return w64 ? (u64)((s64)x >> sh) : (u32)((s32)x32 >> sh);
	case VSVM_OP_MINU:
		return w64 ? min(x, y) : min(x32, y32);
	case VSVM_OP_MAXU:
		return w64 ? max(x, y) : max(x32, y32);
	case VSVM_OP_MINS:
		return w64 ? (u64)min((s64)x, (s64)y) : (u32)min((s32)x32, (s32)y32);
	case VSVM_OP_MAXS:
		return w64 ? (u64)max((s64)x, (s64)y) : (u32)max((s32)x32, (s32)y32);
	case VSVM_OP_NOT:
		return vsvm_width(w64, ~x);
	case VSVM_OP_NEG:
		return vsvm_width(w64, -x);
	case VSVM_OP_POPCNT:
		return vsvm_popcnt(vsvm_width(w64, x));
	case VSVM_OP_CLZ:
		return w64 ? 64 - fls64(x) : 32 - fls(x32);
	case VSVM_OP_CTZ:
		if (w64)
			return x ? __ffs64(x) : 64;
		return x32 ? __ffs(x32) : 32;
	case VSVM_OP_ICMP:
		return vsvm_icmp(sub, w64, x, y) ? U32_MAX : 0;

	case VSVM_OP_FADD:
		return vsvm_f32_bits(vsvm_f32(x) + vsvm_f32(y));
	case VSVM_OP_FSUB:
		return vsvm_f32_bits(vsvm_f32(x) - vsvm_f32(y));
	case VSVM_OP_FMUL:
		return vsvm_f32_bits(vsvm_f32(x) * vsvm_f32(y));
	case VSVM_OP_FDIV:
		return vsvm_f32_bits(vsvm_f32(x) / vsvm_f32(y));
	case VSVM_OP_FFMA:
		/* A binary32 product is exact in binary64: one rounding for the sum. */
		return vsvm_f32_bits((float)((double)vsvm_f32(x) * (double)vsvm_f32(y) +
					     (double)vsvm_f32(z)));
	case VSVM_OP_FMIN:
		return vsvm_fminmax(x32, y32, false);
	case VSVM_OP_FMAX:
		return vsvm_fminmax(x32, y32, true);
	case VSVM_OP_FNEG:
		return x32 ^ VSVM_F32_SIGN;
	case VSVM_OP_FABS:
		return x32 & ~VSVM_F32_SIGN;
	case VSVM_OP_FSQRT:
		return vsvm_fsqrt(x32);
	case VSVM_OP_FFLOOR:
		return vsvm_fround(x32, VSVM_ROUND_FLOOR);
	case VSVM_OP_FCEIL:
		return vsvm_fround(x32, VSVM_ROUND_CEIL);
	case VSVM_OP_FTRUNC:
		return vsvm_fround(x32, VSVM_ROUND_TRUNC);
	case VSVM_OP_FRNDE:
		return vsvm_fround(x32, VSVM_ROUND_EVEN);
	case VSVM_OP_FCMP:
		return vsvm_fcmp(sub, vsvm_f32(x), vsvm_f32(y)) ? U32_MAX : 0;

	case VSVM_OP_CVT:
		return vsvm_cvt(sub, x);
	case VSVM_OP_SEL:
		return vsvm_width(w64, x32 ? y : z);
	default:
		return 0;
	}
}

/*
 * The ALU operations that take or give more than 32 bits: the others read
 * and write only the low rows (the high row of the result becomes zero).
 */
static __always_inline bool vsvm_alu_wide(const unsigned int op, const unsigned int sub,
					  const bool w64)
{
	switch (op) {
	case VSVM_OP_MOV:
	case VSVM_OP_MOVI:
		return true;
	case VSVM_OP_CVT:
		switch (sub) {
		case VSVM_CVT_F32_S64:
		case VSVM_CVT_F32_U64:
		case VSVM_CVT_S64_F32:
		case VSVM_CVT_U64_F32:
		case VSVM_CVT_SEXT8:
		case VSVM_CVT_SEXT16:
		case VSVM_CVT_SEXT32:
			return true;
		default:
			return false;
		}
	default:
		return w64;
	}
}

/*
 * Operations worth computing on every lane and blending under a partial
 * mask. Division is scalar and slow, so it runs on the active lanes only.
 */
static __always_inline bool vsvm_alu_blend(const unsigned int op)
{
	return op < VSVM_OP_DIVU || op > VSVM_OP_REMS;
}

/*
 * The 64-bit operations computed on the two 32-bit rows of a register
 * rather than on 64-bit values: bitwise ones row by row, ADD and SUB with
 * the carry out of the low row, MUL from 32-bit products, shifts with the
 * bits that move across.
 * The rows vectorise twice as wide, and no lane is assembled from its
 * halves; these are the address arithmetic of most shaders.
 */
static __always_inline bool vsvm_alu_split(const unsigned int op)
{
	switch (op) {
	case VSVM_OP_MOV:
	case VSVM_OP_MOVI:
	case VSVM_OP_ADD:
	case VSVM_OP_SUB:
	case VSVM_OP_MUL:
	case VSVM_OP_AND:
	case VSVM_OP_OR:
	case VSVM_OP_XOR:
	case VSVM_OP_NOT:
	case VSVM_OP_SHL:
	case VSVM_OP_SHRU:
	case VSVM_OP_SHRS:
		return true;
	default:
		return false;
	}
}

/*
 * vsvm_alu() of a 64-bit split operation on halves: x = @xl | @xh << 32,
 * y likewise. Branch-free, and no shift reaches 32 bits, so that it is
 * defined C and vectorises with per-lane shift counts.
 */
static __always_inline void vsvm_alu_split_lane(const unsigned int op, u32 xl, u32 xh,
						u32 yl, u32 yh, u32 *vl, u32 *vh)
{
	unsigned int sh = yl & 63, s = sh & 31;
	bool big = sh >= 32;

	switch (op) {
	case VSVM_OP_MOV:
		*vl = xl;
		*vh = xh;
		break;
	case VSVM_OP_MOVI:
		*vl = yl;
		*vh = yh;
		break;
	case VSVM_OP_ADD:
		/* The carry out of bit 31, without an unsigned compare: AVX2 has none. */
		*vl = xl + yl;
		*vh = xh + yh + (((xl & yl) | ((xl | yl) & ~*vl)) >> 31);
		break;
	case VSVM_OP_SUB:
		*vl = xl - yl;
		*vh = xh - yh - (((~xl & yl) | (~(xl ^ yl) & *vl)) >> 31);
		break;
	case VSVM_OP_MUL:
		/* Modulo 2^64 the cross products only reach the high row. */
		*vl = xl * yl;
		*vh = (u32)(((u64)xl * yl) >> 32) + xl * yh + xh * yl;
		break;
	case VSVM_OP_AND:
		*vl = xl & yl;
		*vh = xh & yh;
		break;
	case VSVM_OP_OR:
		*vl = xl | yl;
		*vh = xh | yh;
		break;
	case VSVM_OP_XOR:
		*vl = xl ^ yl;
		*vh = xh ^ yh;
		break;
	case VSVM_OP_NOT:
		*vl = ~xl;
		*vh = ~xh;
		break;
	case VSVM_OP_SHL:
		*vl = big ? 0 : xl << s;
		*vh = big ? xl << s : xh << s | (xl >> 1) >> (31 - s);
		break;
	case VSVM_OP_SHRU:
		*vl = big ? xh >> s : xl >> s | (xh << 1) << (31 - s);
		*vh = big ? 0 : xh >> s;
		break;
	default: /* VSVM_OP_SHRS */
		*vl = big ? (u32)((s32)xh >> s) : xl >> s | (xh << 1) << (31 - s);
		*vh = (u32)((s32)xh >> (big ? 31 : s));
		break;
	}
}

/* All ones in the lanes of @exec, for a blend. */
static __always_inline u32 vsvm_lane_mask(u32 exec, unsigned int l)
{
	return -((exec >> l) & 1);
}

/*
 * vsvm_lane_mask() where @full, a constant at each call, may say that @m
 * has every lane: the blend then compiles to a plain store.
 */
static __always_inline u32 vsvm_lane_sel(u32 m, unsigned int l, const bool full)
{
	return full ? ~0u : vsvm_lane_mask(m, l);
}

/*
 * d = op(a, b) of a split operation on the lanes of @exec, blending the
 * rest unless @full says that @exec has every lane.
 */
static __always_inline void vsvm_alu_split_rows(u32 *regs, const struct vsvm_insn *insn,
						u32 exec, const unsigned int op,
						const unsigned int form, const bool use_imm,
						const bool full)
{
	u32 *dlo = vsvm_lo(regs, insn->dst), *dhi = dlo + VSVM_WAVE_WIDTH;
	const u32 *alo = vsvm_lo(regs, insn->src0), *ahi = alo + VSVM_WAVE_WIDTH;
	const u32 *blo = (form & VSVM_FORM_B) ? vsvm_lo(regs, insn->src1) : alo;
	const u32 *bhi = blo + VSVM_WAVE_WIDTH;
	u32 yl = insn->imm, yh = insn->imm >> 32, vl, vh, m;
	unsigned int l;

#ifndef __clang__
#pragma GCC ivdep
#endif
	for (l = 0; l < VSVM_WAVE_WIDTH; l++) {
		vsvm_alu_split_lane(op, alo[l], ahi[l], use_imm ? yl : blo[l],
				    use_imm ? yh : bhi[l], &vl, &vh);
		m = vsvm_lane_sel(exec, l, full);
		dlo[l] = (vl & m) | (dlo[l] & ~m);
		dhi[l] = (vh & m) | (dhi[l] & ~m);
	}
}

/*
 * d = op(a, b, c) on the lanes of @exec, where b is @bimm if @use_imm. The
 * registers may be the same: each lane reads its operands before writing its
 * result, and rows of different registers never overlap. A partial mask
 * computes every lane and keeps the old value where a lane is inactive: the
 * operations have no side effect and are defined on any input.
 */
static __always_inline void vsvm_alu_lanes(u32 *regs, const struct vsvm_insn *insn,
					   u32 exec, const unsigned int op,
					   const unsigned int sub, const unsigned int form,
					   const bool w64, const bool use_imm)
{
	u32 *dlo = vsvm_lo(regs, insn->dst), *dhi = dlo + VSVM_WAVE_WIDTH;
	const u32 *alo = vsvm_lo(regs, insn->src0), *ahi = alo + VSVM_WAVE_WIDTH;
	/* Unused operands point at a valid row; their loads are dead code. */
	const u32 *blo = (form & VSVM_FORM_B) ? vsvm_lo(regs, insn->src1) : alo;
	const u32 *bhi = blo + VSVM_WAVE_WIDTH;
	const u32 *clo = (form & VSVM_FORM_C) ? vsvm_lo(regs, insn->src2) : alo;
	const u32 *chi = clo + VSVM_WAVE_WIDTH;
	const bool wide = vsvm_alu_wide(op, sub, w64);
	u64 bimm = insn->imm, x, y, z, v;
	unsigned int l;
	u32 m;

	/*
	 * Sparse expands every inlined copy of this, hundreds of them; the
	 * per-lane loop at the end has all the constructs of the others.
	 */
#ifndef __CHECKER__
	if (!wide && exec == VSVM_LANES_ALL) {
#ifndef __clang__
#pragma GCC ivdep
#endif
		for (l = 0; l < VSVM_WAVE_WIDTH; l++) {
			dlo[l] = vsvm_alu(op, sub, false, alo[l], use_imm ? (u32)bimm : blo[l],
					  clo[l]);
			/* Not memset(): gcc would make it a slow "rep stos". */
			dhi[l] = 0;
		}
		return;
	}
	if (!wide && vsvm_alu_blend(op)) {
#ifndef __clang__
#pragma GCC ivdep
#endif
		for (l = 0; l < VSVM_WAVE_WIDTH; l++) {
			m = vsvm_lane_mask(exec, l);
			v = vsvm_alu(op, sub, false, alo[l], use_imm ? (u32)bimm : blo[l], clo[l]);
			dlo[l] = ((u32)v & m) | (dlo[l] & ~m);
			dhi[l] &= ~m;
		}
		return;
	}
	if (wide && vsvm_alu_split(op)) {
		/* A constant full mask compiles to plain stores, without the blend. */
		if (exec == VSVM_LANES_ALL)
			vsvm_alu_split_rows(regs, insn, exec, op, form, use_imm, true);
		else
			vsvm_alu_split_rows(regs, insn, exec, op, form, use_imm, false);
		return;
	}
	if (wide && exec == VSVM_LANES_ALL) {
#ifndef __clang__
#pragma GCC ivdep
#endif
		for (l = 0; l < VSVM_WAVE_WIDTH; l++) {
			x = alo[l] | (u64)ahi[l] << 32;
			y = use_imm ? bimm : blo[l] | (u64)bhi[l] << 32;
			z = clo[l] | (u64)chi[l] << 32;
			v = vsvm_alu(op, sub, true, x, y, z);
			dlo[l] = v;
			dhi[l] = v >> 32;
		}
		return;
	}
	if (wide && vsvm_alu_blend(op)) {
#ifndef __clang__
#pragma GCC ivdep
#endif
		for (l = 0; l < VSVM_WAVE_WIDTH; l++) {
			m = vsvm_lane_mask(exec, l);
			x = alo[l] | (u64)ahi[l] << 32;
			y = use_imm ? bimm : blo[l] | (u64)bhi[l] << 32;
			z = clo[l] | (u64)chi[l] << 32;
			v = vsvm_alu(op, sub, true, x, y, z);
			dlo[l] = ((u32)v & m) | (dlo[l] & ~m);
			dhi[l] = ((u32)(v >> 32) & m) | (dhi[l] & ~m);
		}
		return;
	}
#endif
	for (m = exec; m; m &= m - 1) {
		l = __ffs(m);
		x = alo[l] | (wide ? (u64)ahi[l] << 32 : 0);
		y = use_imm ? bimm : blo[l] | (wide ? (u64)bhi[l] << 32 : 0);
		z = clo[l] | (wide ? (u64)chi[l] << 32 : 0);
		v = vsvm_alu(op, sub, wide, x, y, z);
		dlo[l] = v;
		dhi[l] = v >> 32;
	}
}

/*
 * d = op(a, b, c) for instructions of this operation, in the loop specialised
 * for the instruction's width and b operand. Every call site names a constant
 * operation: the case for it in vsvm_interp_wave() inlines its four loops.
 */
static __always_inline void vsvm_alu_insn(u32 *regs, const struct vsvm_insn *insn,
					  u32 exec, const unsigned int op,
					  const unsigned int sub, const unsigned int form)
{
	/* As before the variant was decoded: a width or b the form lacks is ignored. */
	const bool w = form & VSVM_FORM_W;
	const bool b = op == VSVM_OP_MOVI || (form & VSVM_FORM_B);

	switch (insn->variant) {
	case 0:
		vsvm_alu_lanes(regs, insn, exec, op, sub, form, false, false);
		break;
	case VSVM_VARIANT_IMM:
		vsvm_alu_lanes(regs, insn, exec, op, sub, form, false, b);
		break;
	case VSVM_VARIANT_W64:
		vsvm_alu_lanes(regs, insn, exec, op, sub, form, w, false);
		break;
	default:
		vsvm_alu_lanes(regs, insn, exec, op, sub, form, w, b);
		break;
	}
}

/*
 * Lane l of the register whose low row is @dlo = @start + @step * l, in the
 * lanes of @exec (every lane if @full): SV and LDARG values, row by row.
 */
static __always_inline void vsvm_set_rows(u32 *dlo, u32 exec, u64 start, u32 step,
					  const bool full)
{
	u32 *dhi = dlo + VSVM_WAVE_WIDTH, vl, vh, m;
	unsigned int l;

#ifndef __clang__
#pragma GCC ivdep
#endif
	for (l = 0; l < VSVM_WAVE_WIDTH; l++) {
		vsvm_alu_split_lane(VSVM_OP_ADD, start, start >> 32, step * l, 0, &vl, &vh);
		m = vsvm_lane_sel(exec, l, full);
		dlo[l] = (vl & m) | (dlo[l] & ~m);
		dhi[l] = (vh & m) | (dhi[l] & ~m);
	}
}

/* vsvm_set_rows() with a constant @full, so that a full wave needs no blend. */
static __always_inline void vsvm_set_lanes(u32 *dlo, u32 exec, u64 start, u32 step)
{
	if (exec == VSVM_LANES_ALL)
		vsvm_set_rows(dlo, exec, start, step, true);
	else
		vsvm_set_rows(dlo, exec, start, step, false);
}

/*
 * SV. Every value is start + step * lane: the same in every lane (step 0),
 * the lane number, or a lane position in a wave that lies within one row
 * of the workgroup; those fill the rows in one vector loop. Only a wave
 * that crosses a row end steps lane by lane, with a carry: three divisions
 * a lane, as before, made SV the dearest instruction.
 */
static __always_inline void vsvm_sv_insn(const struct vsvm_interp_ctx *ctx,
					 const struct vsvm_wave *w,
					 const struct vsvm_insn *insn, u32 exec)
{
	u32 *dlo = vsvm_lo(w->regs, insn->dst);
	/* EXEC rejects zero sizes; never divide by zero regardless. */
	u32 sx = max(ctx->wg_size[0], 1u), sy = max(ctx->wg_size[1], 1u);
	unsigned int sub = insn->sub, dim = sub % 3, l;
	u32 lin = w->id * VSVM_WAVE_WIDTH, id[3], step = 0;
	u64 start;

	switch (sub) {
	case VSVM_SV_LOCAL_ID_X ... VSVM_SV_LOCAL_ID_X + 2:
	case VSVM_SV_GLOBAL_ID_X ... VSVM_SV_GLOBAL_ID_X + 2:
		/* x varies fastest */
		id[0] = lin % sx;
		id[1] = lin / sx % sy;
		id[2] = lin / sx / sy;
		start = sub >= VSVM_SV_GLOBAL_ID_X ?
			(u64)ctx->wg_id[dim] * ctx->wg_size[dim] : 0;
		if (sx - id[0] < VSVM_WAVE_WIDTH) {
			for (l = 0; l < VSVM_WAVE_WIDTH; l++) {
				if (exec & BIT(l))
					vsvm_set(w->regs, insn->dst, l, start + id[dim]);
				if (++id[0] == sx) {
					id[0] = 0;
					if (++id[1] == sy) {
						id[1] = 0;
						id[2]++;
					}
				}
			}
			return;
		}
		start += id[dim];
		step = dim == 0;
		break;
	case VSVM_SV_LANE_ID:
		start = 0;
		step = 1;
		break;
	case VSVM_SV_WG_ID_X ... VSVM_SV_WG_ID_X + 2:
		start = ctx->wg_id[dim];
		break;
	case VSVM_SV_NUM_WG_X ... VSVM_SV_NUM_WG_X + 2:
		start = ctx->grid[dim];
		break;
	case VSVM_SV_WG_SIZE_X ... VSVM_SV_WG_SIZE_X + 2:
		start = ctx->wg_size[dim];
		break;
	default:
		start = w->id;
		break;
	}
	vsvm_set_lanes(dlo, exec, start, step);
}

/*
 * Memory.
 *
 * Every memory helper returns true when the instruction retired, false with
 * @r->stop set otherwise. A stop leaves the context's fault fields filled in.
 */

static noinline void vsvm_fail(struct vsvm_run *r, u32 status, u64 addr, u32 access)
{
	struct vsvm_interp_ctx *ctx = r->ctx;

	ctx->status = status;
	ctx->fault_addr = addr;
	ctx->fault_access = access;
	ctx->fault_pc = r->pc * VSVM_INSN_SIZE;
	r->stop = VSVM_STOP_ERROR;
}

static noinline void vsvm_fault(struct vsvm_run *r, u64 va, u32 access, u32 done)
{
	struct vsvm_interp_ctx *ctx = r->ctx;

	ctx->fault_addr = va;
	ctx->fault_access = access;
	ctx->fault_pc = r->pc * VSVM_INSN_SIZE;
	r->w->mem_done = done;
	r->stop = VSVM_STOP_FAULT;
}

static const u32 vsvm_xaccess[VSVM_X_KINDS] = {
	[VSVM_X_READ] = DRM_VSVM_ACCESS_READ,
	[VSVM_X_WRITE] = DRM_VSVM_ACCESS_WRITE,
	[VSVM_X_ATOMIC] = DRM_VSVM_ACCESS_ATOMIC,
};

static noinline u8 *vsvm_xlate_miss(struct vsvm_run *r, u64 va, const unsigned int kind)
{
	struct vsvm_xcache *xc = &r->xc[kind];
	u64 page = va & VSVM_XPAGE_MASK;
	u8 *base;

	base = vsvm_mmu_xlate(r->ctx->tlb, r->ctx->mmu, page, vsvm_xaccess[kind]);
	if (!base)
		return NULL;
	xc->page = page;
	xc->base = base;
	return base + (va - page);
}

/* Kernel address of global @va, valid to the end of its 4 KiB page. */
static __always_inline u8 *vsvm_xlate(struct vsvm_run *r, u64 va, const unsigned int kind)
{
	struct vsvm_xcache *xc = &r->xc[kind];

	if (likely((va & VSVM_XPAGE_MASK) == xc->page))
		return xc->base + (va & (VSVM_XPAGE_SIZE - 1));
	return vsvm_xlate_miss(r, va, kind);
}

static __always_inline bool vsvm_in_page(u64 va, u32 size)
{
	return (va & (VSVM_XPAGE_SIZE - 1)) <= VSVM_XPAGE_SIZE - size;
}

/*
 * Translates both parts of a global access that crosses a page boundary.
 * Both are translated before any byte moves, so a store never lands half.
 * Returns the first failing address in @bad.
 */
static noinline bool vsvm_xlate_split(struct vsvm_run *r, u64 va, const unsigned int kind,
				      u8 **p0, u8 **p1, u64 *bad)
{
	u64 va1 = (va & VSVM_XPAGE_MASK) + VSVM_XPAGE_SIZE;

	*p0 = vsvm_xlate(r, va, kind);
	if (!*p0) {
		*bad = va;
		return false;
	}
	*p1 = vsvm_xlate(r, va1, kind);
	if (!*p1) {
		*bad = va1;
		return false;
	}
	return true;
}

/* Loads of any alignment; the memory is native-endian, like the CPU's. */
static __always_inline u64 vsvm_load(const u8 *p, const unsigned int size)
{
	switch (size) {
	case 1:
		return *p;
	case 2:
		return get_unaligned((const u16 *)p);
	case 4:
		return get_unaligned((const u32 *)p);
	default:
		return get_unaligned((const u64 *)p);
	}
}

static __always_inline void vsvm_store(u8 *p, u64 v, const unsigned int size)
{
	switch (size) {
	case 1:
		*p = v;
		break;
	case 2:
		put_unaligned((u16)v, (u16 *)p);
		break;
	case 4:
		put_unaligned((u32)v, (u32 *)p);
		break;
	default:
		put_unaligned(v, (u64 *)p);
		break;
	}
}

static __always_inline u64 vsvm_extend(u64 v, const unsigned int size, bool sign)
{
	if (!sign)
		return v;
	switch (size) {
	case 1:
		return (u64)(s8)v;
	case 2:
		return (u64)(s16)v;
	default:
		return (u64)(s32)v;
	}
}

/*
 * Address of a shared or scratch access of @size bytes at offset @addr, or
 * NULL with the wave failed if it leaves the lane's window.
 */
static __always_inline u8 *vsvm_local_ptr(struct vsvm_run *r, const unsigned int space,
					  unsigned int lane, u64 addr, unsigned int size,
					  u32 access)
{
	const struct vsvm_interp_ctx *ctx = r->ctx;
	u32 limit;
	u8 *base;

	if (space == VSVM_SPACE_SHARED) {
		limit = ctx->shared_size;
		base = ctx->shared;
		access |= DRM_VSVM_ACCESS_SHARED;
	} else {
		limit = ctx->scratch_size;
		base = ctx->scratch + (size_t)(r->w->id * VSVM_WAVE_WIDTH + lane) * limit;
		access |= DRM_VSVM_ACCESS_SCRATCH;
	}
	if (unlikely(addr >= limit || size > limit - addr)) {
		vsvm_fail(r, DRM_VSVM_STATUS_UNMAPPED, addr, access);
		return NULL;
	}
	return base + addr;
}

/* A global access crossing a page, one lane: copy through a bounce buffer. */
static noinline bool vsvm_global_read_split(struct vsvm_run *r, u64 va, u8 *buf,
					    unsigned int size, u32 done)
{
	unsigned int n0 = VSVM_XPAGE_SIZE - (va & (VSVM_XPAGE_SIZE - 1));
	u8 *p0, *p1;
	u64 bad;

	if (!vsvm_xlate_split(r, va, VSVM_X_READ, &p0, &p1, &bad)) {
		vsvm_fault(r, bad, DRM_VSVM_ACCESS_READ, done);
		return false;
	}
	memcpy(buf, p0, n0);
	memcpy(buf + n0, p1, size - n0);
	return true;
}

static noinline bool vsvm_global_write_split(struct vsvm_run *r, u64 va, const u8 *buf,
					     unsigned int size, u32 done)
{
	unsigned int n0 = VSVM_XPAGE_SIZE - (va & (VSVM_XPAGE_SIZE - 1));
	u8 *p0, *p1;
	u64 bad;

	if (!vsvm_xlate_split(r, va, VSVM_X_WRITE, &p0, &p1, &bad)) {
		vsvm_fault(r, bad, DRM_VSVM_ACCESS_WRITE, done);
		return false;
	}
	memcpy(p0, buf, n0);
	memcpy(p1, buf + n0, size - n0);
	return true;
}

static __always_inline void vsvm_ld_lane(u32 *regs, const struct vsvm_insn *insn,
					 unsigned int l, const u8 *p, const unsigned int size,
					 bool sign)
{
	if (size == 16) {
		vsvm_set(regs, insn->dst, l, vsvm_load(p, 8));
		vsvm_set(regs, insn->dst + 1, l, vsvm_load(p + 8, 8));
	} else {
		vsvm_set(regs, insn->dst, l, vsvm_extend(vsvm_load(p, size), size, sign));
	}
}

static __always_inline void vsvm_st_lane(u32 *regs, const struct vsvm_insn *insn,
					 unsigned int l, u8 *p, const unsigned int size)
{
	if (size == 16) {
		vsvm_store(p, vsvm_get(regs, insn->src1, l), 8);
		vsvm_store(p + 8, vsvm_get(regs, insn->src1 + 1, l), 8);
	} else {
		vsvm_store(p, vsvm_get(regs, insn->src1, l), size);
	}
}

/*
 * The coalesced path of a global access by the whole wave: when every lane
 * accesses the same GPU page, translate it once. Returns the kernel address
 * of the page, or NULL when the lanes span pages or the page has no usable
 * translation; the per-lane path then handles them, faults included, so
 * what a wave sees is the same either way. The test is branch-free over all
 * lanes, so that it vectorises.
 */
static __always_inline u8 *vsvm_xlate_wave(struct vsvm_run *r, const struct vsvm_insn *insn,
					   const unsigned int size, const unsigned int kind)
{
	const u32 *alo = vsvm_lo(r->w->regs, insn->src0), *ahi = alo + VSVM_WAVE_WIDTH;
	u64 va0 = (alo[0] | (u64)ahi[0] << 32) + insn->imm;
	u64 off = VSVM_XPAGE_SIZE - 1, bad = 0, va;
	unsigned int l;

	for (l = 0; l < VSVM_WAVE_WIDTH; l++) {
		va = (alo[l] | (u64)ahi[l] << 32) + insn->imm;
		/* Another page than lane 0's, or past the end of its own. */
		bad |= ((va ^ va0) | ((va & off) + (size - 1))) & VSVM_XPAGE_MASK;
	}
	if (bad)
		return NULL;
	return vsvm_xlate(r, va0 & VSVM_XPAGE_MASK, kind);
}

/*
 * Whether the lanes in @m access consecutive elements, lane l at
 * *@base + l * @size, with the whole 32-element run inside one GPU page.
 * Lanes outside @m may hold any address: the run is where they would
 * access if they followed the pattern, and it lies in the same page as the
 * active lanes' accesses, so reading all of it touches nothing they do not.
 *
 * The offset is the same for every lane, so the addresses follow the
 * pattern exactly when the base registers do. Those are compared as 32-bit
 * rows, which vectorise twice as wide as 64-bit values: every high half
 * must equal the first active lane's, and the low halves must step by
 * @size without wrapping. A run whose base registers cross a 4 GiB line
 * fails the test and takes the per-lane path.
 */
static __always_inline bool vsvm_contig(const u32 *regs, const struct vsvm_insn *insn, u32 m,
					const unsigned int size, u64 *base, const bool full)
{
	const u32 *alo = vsvm_lo((u32 *)regs, insn->src0), *ahi = alo + VSVM_WAVE_WIDTH;
	unsigned int f = __ffs(m), l;
	u32 lo0 = alo[f] - f * size, hi = ahi[f], bad = 0;
	u64 b;

	/* Low halves that wrap within the run: not one 64-bit pattern. */
	if (lo0 > alo[f] || lo0 > U32_MAX - (VSVM_WAVE_WIDTH - 1) * size)
		return false;
	for (l = 0; l < VSVM_WAVE_WIDTH; l++)
		bad |= ((alo[l] ^ (lo0 + l * size)) | (ahi[l] ^ hi)) & vsvm_lane_sel(m, l, full);
	b = (lo0 | (u64)hi << 32) + insn->imm;
	*base = b;
	return !bad && ((b ^ (b + VSVM_WAVE_WIDTH * size - 1)) & VSVM_XPAGE_MASK) == 0;
}

/* Lane @l's part of a row loaded from consecutive elements, selected by @sel. */
static __always_inline void vsvm_blend(u32 *row, unsigned int l, u32 v, u32 sel)
{
	row[l] = (v & sel) | (row[l] & ~sel);
}

/*
 * The coalesced load: the lanes in @m read consecutive elements at @p. The
 * 32 elements are read whole and each row is written in one pass, which the
 * AVX2 and AVX-512 builds turn into vector moves and shuffles (64- and
 * 128-bit elements are split into the rows of their halves); lanes outside
 * @m keep their registers. Memory and registers never overlap (ivdep).
 */
static __always_inline void vsvm_ld_run(u32 *regs, const struct vsvm_insn *insn, u32 m,
					const u8 *p, const unsigned int size, bool sign,
					const bool full)
{
	u32 *dlo = vsvm_lo(regs, insn->dst), *dhi = dlo + VSVM_WAVE_WIDTH;
	u32 *elo = dlo + VSVM_REG_WORDS, *ehi = elo + VSVM_WAVE_WIDTH;
	unsigned int l;
	u32 v, sel;

#ifndef __clang__
#pragma GCC ivdep
#endif
	for (l = 0; l < VSVM_WAVE_WIDTH; l++) {
		sel = vsvm_lane_sel(m, l, full);
		switch (size) {
		case 1:
			v = sign ? (u32)(s8)p[l] : p[l];
			vsvm_blend(dlo, l, v, sel);
			vsvm_blend(dhi, l, sign ? (u32)((s32)v >> 31) : 0, sel);
			break;
		case 2:
			v = get_unaligned((const u16 *)p + l);
			v = sign ? (u32)(s16)v : v;
			vsvm_blend(dlo, l, v, sel);
			vsvm_blend(dhi, l, sign ? (u32)((s32)v >> 31) : 0, sel);
			break;
		case 4:
			v = get_unaligned((const u32 *)p + l);
			vsvm_blend(dlo, l, v, sel);
			vsvm_blend(dhi, l, sign ? (u32)((s32)v >> 31) : 0, sel);
			break;
		case 8:
			vsvm_blend(dlo, l, get_unaligned((const u32 *)p + 2 * l), sel);
			vsvm_blend(dhi, l, get_unaligned((const u32 *)p + 2 * l + 1), sel);
			break;
		default:
			vsvm_blend(dlo, l, get_unaligned((const u32 *)p + 4 * l), sel);
			vsvm_blend(dhi, l, get_unaligned((const u32 *)p + 4 * l + 1), sel);
			vsvm_blend(elo, l, get_unaligned((const u32 *)p + 4 * l + 2), sel);
			vsvm_blend(ehi, l, get_unaligned((const u32 *)p + 4 * l + 3), sel);
			break;
		}
	}
}

/*
 * The coalesced store of a full wave: every lane writes its element of the
 * run at @p. Only for a full wave: blending into memory would rewrite the
 * elements of inactive lanes, which another agent may be writing.
 */
static __always_inline void vsvm_st_run(const u32 *regs, const struct vsvm_insn *insn, u8 *p,
					const unsigned int size)
{
	const u32 *slo = vsvm_lo((u32 *)regs, insn->src1), *shi = slo + VSVM_WAVE_WIDTH;
	const u32 *tlo = slo + VSVM_REG_WORDS, *thi = tlo + VSVM_WAVE_WIDTH;
	unsigned int l;

#ifndef __clang__
#pragma GCC ivdep
#endif
	for (l = 0; l < VSVM_WAVE_WIDTH; l++) {
		switch (size) {
		case 1:
			p[l] = slo[l];
			break;
		case 2:
			put_unaligned((u16)slo[l], (u16 *)p + l);
			break;
		case 4:
			put_unaligned(slo[l], (u32 *)p + l);
			break;
		case 8:
			put_unaligned(slo[l], (u32 *)p + 2 * l);
			put_unaligned(shi[l], (u32 *)p + 2 * l + 1);
			break;
		default:
			put_unaligned(slo[l], (u32 *)p + 4 * l);
			put_unaligned(shi[l], (u32 *)p + 4 * l + 1);
			put_unaligned(tlo[l], (u32 *)p + 4 * l + 2);
			put_unaligned(thi[l], (u32 *)p + 4 * l + 3);
			break;
		}
	}
}

/*
 * The coalesced load of the lanes in @m, when their run passes
 * vsvm_contig() and its page translates; @full says @m has every lane.
 */
static __always_inline bool vsvm_ld_coalesced(struct vsvm_run *r, const struct vsvm_insn *insn,
					      u32 m, const unsigned int size, bool sign,
					      const bool full)
{
	u32 *regs = r->w->regs;
	u64 va;
	u8 *p;

	if (!vsvm_contig(regs, insn, m, size, &va, full))
		return false;
	p = vsvm_xlate(r, va, VSVM_X_READ);
	if (!p)
		return false;
	vsvm_ld_run(regs, insn, m, p, size, sign, full);
	return true;
}

/* LD of one space and size, specialised at each call. */
static __always_inline bool vsvm_ld_lanes(struct vsvm_run *r, const struct vsvm_insn *insn,
					  u32 exec, const unsigned int space,
					  const unsigned int size)
{
	u32 *regs = r->w->regs;
	bool sign = insn->mod & VSVM_MOD_SIGNED;
	u32 done = r->w->mem_done, m;
	unsigned int l;
	u8 buf[16];
	u64 va;
	u8 *p;

	m = exec & ~done;
	/* A full wave, the common case, without the masks' blends. */
	if (space == VSVM_SPACE_GLOBAL && m &&
	    (m == VSVM_LANES_ALL ? vsvm_ld_coalesced(r, insn, m, size, sign, true) :
				   vsvm_ld_coalesced(r, insn, m, size, sign, false)))
		return true;
	p = space == VSVM_SPACE_GLOBAL && m == VSVM_LANES_ALL ?
	    vsvm_xlate_wave(r, insn, size, VSVM_X_READ) : NULL;
	if (p) {
		for (l = 0; l < VSVM_WAVE_WIDTH; l++) {
			va = vsvm_get(regs, insn->src0, l) + insn->imm;
			vsvm_ld_lane(regs, insn, l, p + (va & (VSVM_XPAGE_SIZE - 1)), size, sign);
		}
		return true;
	}
	for (m = exec & ~done; m; m &= m - 1) {
		l = __ffs(m);
		va = vsvm_get(regs, insn->src0, l) + insn->imm;
		if (space != VSVM_SPACE_GLOBAL) {
			p = vsvm_local_ptr(r, space, l, va, size, DRM_VSVM_ACCESS_READ);
			if (!p)
				return false;
		} else if (likely(vsvm_in_page(va, size))) {
			p = vsvm_xlate(r, va, VSVM_X_READ);
			if (unlikely(!p)) {
				vsvm_fault(r, va, DRM_VSVM_ACCESS_READ, done);
				return false;
			}
		} else {
			if (!vsvm_global_read_split(r, va, buf, size, done))
				return false;
			p = buf;
		}
		vsvm_ld_lane(regs, insn, l, p, size, sign);
		done |= BIT(l);
	}
	return true;
}

static __always_inline bool vsvm_st_lanes(struct vsvm_run *r, const struct vsvm_insn *insn,
					  u32 exec, const unsigned int space,
					  const unsigned int size)
{
	u32 *regs = r->w->regs;
	u32 done = r->w->mem_done, m;
	unsigned int l;
	u8 buf[16];
	u64 va;
	u8 *p;

	if (space == VSVM_SPACE_GLOBAL && (exec & ~done) == VSVM_LANES_ALL &&
	    vsvm_contig(regs, insn, VSVM_LANES_ALL, size, &va, true)) {
		p = vsvm_xlate(r, va, VSVM_X_WRITE);
		if (p) {
			vsvm_st_run(regs, insn, p, size);
			return true;
		}
	}
	p = space == VSVM_SPACE_GLOBAL && (exec & ~done) == VSVM_LANES_ALL ?
	    vsvm_xlate_wave(r, insn, size, VSVM_X_WRITE) : NULL;
	if (p) {
		for (l = 0; l < VSVM_WAVE_WIDTH; l++) {
			va = vsvm_get(regs, insn->src0, l) + insn->imm;
			vsvm_st_lane(regs, insn, l, p + (va & (VSVM_XPAGE_SIZE - 1)), size);
		}
		return true;
	}
	for (m = exec & ~done; m; m &= m - 1) {
		l = __ffs(m);
		va = vsvm_get(regs, insn->src0, l) + insn->imm;
		if (space != VSVM_SPACE_GLOBAL) {
			p = vsvm_local_ptr(r, space, l, va, size, DRM_VSVM_ACCESS_WRITE);
			if (!p)
				return false;
		} else if (likely(vsvm_in_page(va, size))) {
			p = vsvm_xlate(r, va, VSVM_X_WRITE);
			if (unlikely(!p)) {
				vsvm_fault(r, va, DRM_VSVM_ACCESS_WRITE, done);
				return false;
			}
		} else {
			p = buf;
		}
		vsvm_st_lane(regs, insn, l, p, size);
		if (p == buf && !vsvm_global_write_split(r, va, buf, size, done))
			return false;
		done |= BIT(l);
	}
	return true;
}

/*
 * The size and space of an access are constants in each loop: pick the loop
 * once per instruction.
 */
static __always_inline bool vsvm_ld_space(struct vsvm_run *r, const struct vsvm_insn *insn,
					  u32 exec, const unsigned int space)
{
	switch (insn->mod & VSVM_MOD_SIZE_MASK) {
	case 0:
		return vsvm_ld_lanes(r, insn, exec, space, 1);
	case 1:
		return vsvm_ld_lanes(r, insn, exec, space, 2);
	case 2:
		return vsvm_ld_lanes(r, insn, exec, space, 4);
	case 3:
		return vsvm_ld_lanes(r, insn, exec, space, 8);
	default:
		return vsvm_ld_lanes(r, insn, exec, space, 16);
	}
}

static __always_inline bool vsvm_st_space(struct vsvm_run *r, const struct vsvm_insn *insn,
					  u32 exec, const unsigned int space)
{
	switch (insn->mod & VSVM_MOD_SIZE_MASK) {
	case 0:
		return vsvm_st_lanes(r, insn, exec, space, 1);
	case 1:
		return vsvm_st_lanes(r, insn, exec, space, 2);
	case 2:
		return vsvm_st_lanes(r, insn, exec, space, 4);
	case 3:
		return vsvm_st_lanes(r, insn, exec, space, 8);
	default:
		return vsvm_st_lanes(r, insn, exec, space, 16);
	}
}

static __always_inline unsigned int vsvm_space(const struct vsvm_insn *insn)
{
	return (insn->mod & VSVM_MOD_SPACE_MASK) >> VSVM_MOD_SPACE_SHIFT;
}

/*
 * Inlined into each instruction set's copy of the interpreter, like the ALU,
 * so that the coalesced copies are vectorised at that level.
 */
static __always_inline bool vsvm_ld(struct vsvm_run *r, const struct vsvm_insn *insn, u32 exec)
{
	switch (vsvm_space(insn)) {
	case VSVM_SPACE_GLOBAL:
		return vsvm_ld_space(r, insn, exec, VSVM_SPACE_GLOBAL);
	case VSVM_SPACE_SHARED:
		return vsvm_ld_space(r, insn, exec, VSVM_SPACE_SHARED);
	default:
		return vsvm_ld_space(r, insn, exec, VSVM_SPACE_SCRATCH);
	}
}

static __always_inline bool vsvm_st(struct vsvm_run *r, const struct vsvm_insn *insn, u32 exec)
{
	switch (vsvm_space(insn)) {
	case VSVM_SPACE_GLOBAL:
		return vsvm_st_space(r, insn, exec, VSVM_SPACE_GLOBAL);
	case VSVM_SPACE_SHARED:
		return vsvm_st_space(r, insn, exec, VSVM_SPACE_SHARED);
	default:
		return vsvm_st_space(r, insn, exec, VSVM_SPACE_SCRATCH);
	}
}

/* The value an atomic leaves in memory, for shared and scratch. */
static u64 vsvm_atomic_new(unsigned int sub, bool w64, u64 old, u64 b, u64 c)
{
	s64 so = w64 ? (s64)old : (s32)old;
	s64 sb = w64 ? (s64)b : (s32)b;

	old = vsvm_width(w64, old);
	b = vsvm_width(w64, b);
	c = vsvm_width(w64, c);
	switch (sub) {
	case VSVM_ATOMIC_ADD:
		return vsvm_width(w64, old + b);
	case VSVM_ATOMIC_SMIN:
		return vsvm_width(w64, min(so, sb));
	case VSVM_ATOMIC_SMAX:
		return vsvm_width(w64, max(so, sb));
	case VSVM_ATOMIC_UMIN:
		return min(old, b);
	case VSVM_ATOMIC_UMAX:
		return max(old, b);
	case VSVM_ATOMIC_AND:
		return old & b;
	case VSVM_ATOMIC_OR:
		return old | b;
	case VSVM_ATOMIC_XOR:
		return old ^ b;
	case VSVM_ATOMIC_XCHG:
		return b;
	default:
		return old == c ? b : old;
	}
}

/* Global atomics: the kernel's primitives, atomic against the CPU's. */
static u32 vsvm_atomic32(u8 *p, unsigned int sub, u32 b, u32 c)
{
	atomic_t *v = (atomic_t *)p;
	int old, new;

	switch (sub) {
	case VSVM_ATOMIC_ADD:
		return atomic_fetch_add(b, v);
	case VSVM_ATOMIC_AND:
		return atomic_fetch_and(b, v);
	case VSVM_ATOMIC_OR:
		return atomic_fetch_or(b, v);
	case VSVM_ATOMIC_XOR:
		return atomic_fetch_xor(b, v);
	case VSVM_ATOMIC_XCHG:
		return atomic_xchg(v, b);
	case VSVM_ATOMIC_CMPXCHG:
		return atomic_cmpxchg(v, c, b);
	default:
		old = atomic_read(v);
		do {
			new = vsvm_atomic_new(sub, false, (u32)old, b, c);
		} while (!atomic_try_cmpxchg(v, &old, new));
		return old;
	}
}

static u64 vsvm_atomic64(u8 *p, unsigned int sub, u64 b, u64 c)
{
	atomic64_t *v = (atomic64_t *)p;
	s64 old, new;

	switch (sub) {
	case VSVM_ATOMIC_ADD:
		return atomic64_fetch_add(b, v);
	case VSVM_ATOMIC_AND:
		return atomic64_fetch_and(b, v);
	case VSVM_ATOMIC_OR:
		return atomic64_fetch_or(b, v);
	case VSVM_ATOMIC_XOR:
		return atomic64_fetch_xor(b, v);
	case VSVM_ATOMIC_XCHG:
		return atomic64_xchg(v, b);
	case VSVM_ATOMIC_CMPXCHG:
		return atomic64_cmpxchg(v, c, b);
	default:
		old = atomic64_read(v);
		do {
			new = vsvm_atomic_new(sub, true, old, b, c);
		} while (!atomic64_try_cmpxchg(v, &old, new));
		return old;
	}
}

static __always_inline bool vsvm_atom_lanes(struct vsvm_run *r, const struct vsvm_insn *insn,
					    u32 exec, const unsigned int space,
					    const unsigned int size)
{
	const u32 access = DRM_VSVM_ACCESS_ATOMIC | DRM_VSVM_ACCESS_WRITE;
	u32 *regs = r->w->regs;
	u32 done = r->w->mem_done, m;
	unsigned int l;
	u64 va, old, b, c;
	u8 *p;

	for (m = exec & ~done; m; m &= m - 1) {
		l = __ffs(m);
		va = vsvm_get(regs, insn->src0, l) + insn->imm;
		/* src2 is 0 unless CMPXCHG; register 0 exists since dst is counted. */
		b = vsvm_get(regs, insn->src1, l);
		c = vsvm_get(regs, insn->src2, l);
		if (unlikely(va & (size - 1))) {
			u32 where = space == VSVM_SPACE_SHARED ? DRM_VSVM_ACCESS_SHARED :
				    space == VSVM_SPACE_SCRATCH ? DRM_VSVM_ACCESS_SCRATCH : 0;

			vsvm_fail(r, DRM_VSVM_STATUS_MISALIGNED, va, access | where);
			return false;
		}
		if (space == VSVM_SPACE_GLOBAL) {
			p = vsvm_xlate(r, va, VSVM_X_ATOMIC);
			if (unlikely(!p)) {
				vsvm_fault(r, va, access, done);
				return false;
			}
			if (size == 4)
				old = vsvm_atomic32(p, insn->sub, b, c);
			else
				old = vsvm_atomic64(p, insn->sub, b, c);
		} else {
			/* One thread runs the whole workgroup: plain accesses suffice. */
			p = vsvm_local_ptr(r, space, l, va, size, access);
			if (!p)
				return false;
			old = vsvm_load(p, size);
			vsvm_store(p, vsvm_atomic_new(insn->sub, size == 8, old, b, c), size);
		}
		vsvm_set(regs, insn->dst, l, old);
		done |= BIT(l);
	}
	return true;
}

static bool vsvm_atom(struct vsvm_run *r, const struct vsvm_insn *insn, u32 exec)
{
	bool w64 = (insn->mod & VSVM_MOD_SIZE_MASK) == 3;

	switch (vsvm_space(insn)) {
	case VSVM_SPACE_GLOBAL:
		return w64 ? vsvm_atom_lanes(r, insn, exec, VSVM_SPACE_GLOBAL, 8) :
			     vsvm_atom_lanes(r, insn, exec, VSVM_SPACE_GLOBAL, 4);
	case VSVM_SPACE_SHARED:
		return w64 ? vsvm_atom_lanes(r, insn, exec, VSVM_SPACE_SHARED, 8) :
			     vsvm_atom_lanes(r, insn, exec, VSVM_SPACE_SHARED, 4);
	default:
		return w64 ? vsvm_atom_lanes(r, insn, exec, VSVM_SPACE_SCRATCH, 8) :
			     vsvm_atom_lanes(r, insn, exec, VSVM_SPACE_SCRATCH, 4);
	}
}

/* One read of the argument buffer, the same for every lane. */
static bool vsvm_ldarg(struct vsvm_run *r, const struct vsvm_insn *insn, u32 exec)
{
	unsigned int size = 1u << (insn->mod & VSVM_MOD_SIZE_MASK);
	u64 va = r->ctx->args_va + insn->imm;
	u32 *regs = r->w->regs;
	u8 buf[16];
	u8 *p;

	if (vsvm_in_page(va, size)) {
		p = vsvm_xlate(r, va, VSVM_X_READ);
		if (!p) {
			vsvm_fault(r, va, DRM_VSVM_ACCESS_READ, 0);
			return false;
		}
	} else {
		if (!vsvm_global_read_split(r, va, buf, size, 0))
			return false;
		p = buf;
	}
	if (size == 16) {
		vsvm_set_lanes(vsvm_lo(regs, insn->dst), exec, vsvm_load(p, 8), 0);
		vsvm_set_lanes(vsvm_lo(regs, insn->dst + 1), exec, vsvm_load(p + 8, 8), 0);
	} else {
		vsvm_set_lanes(vsvm_lo(regs, insn->dst), exec,
			       vsvm_extend(vsvm_load(p, size), size,
					   insn->mod & VSVM_MOD_SIGNED), 0);
	}
	return true;
}

/* Lanes of @exec whose low 32 bits of @a are non-zero. */
static __always_inline u32 vsvm_true_lanes(const u32 *a, u32 exec)
{
	unsigned int l;
	u32 t = 0;

	for (l = 0; l < VSVM_WAVE_WIDTH; l++)
		t |= (u32)(a[l] != 0) << l;
	return t & exec;
}

/* Stack index of the innermost LOOP frame, or -1. */
static int vsvm_inner_loop(const struct vsvm_wave *w)
{
	int i;

	for (i = (int)w->depth - 1; i >= 0; i--)
		if (w->stack[i].is_loop)
			return i;
	return -1;
}

/* Lanes that left the current iteration of the innermost loop, or ended. */
static __always_inline u32 vsvm_gone(const struct vsvm_wave *w, int loop)
{
	u32 gone = w->exited;

	if (loop >= 0)
		gone |= w->stack[loop].pending | w->stack[loop].cont;
	return gone;
}

/*
 * vsvm_interp_run() once it has checked its context. Inlined whole, with
 * every ALU instruction, into one function per instruction set below.
 */
static __always_inline enum vsvm_stop vsvm_interp_wave(struct vsvm_interp_ctx *ctx,
						       struct vsvm_wave *w, u32 budget)
{
	const struct vsvm_insn *insns = ctx->prog->insns;
	const struct vsvm_insn *insn;
	u32 n_insns = ctx->prog->n_insns;
	struct vsvm_run r = { .ctx = ctx, .w = w, .stop = VSVM_STOP_BUDGET };
	u32 pc = w->pc, exec = w->exec, n;
	int loop = vsvm_inner_loop(w);
	struct vsvm_cf_frame *f;
	u32 *regs = w->regs;
	unsigned int k;

	if (w->state == VSVM_WAVE_DONE)
		return VSVM_STOP_DONE;
	w->state = VSVM_WAVE_RUNNING;
	for (k = 0; k < VSVM_X_KINDS; k++)
		r.xc[k].page = U64_MAX;

	for (n = 0; n < budget; n++) {
		if (unlikely(pc >= n_insns))
			goto done;
		/* A shootdown is spinning on our TLB lock: let it in. */
		if (unlikely(atomic_read(ctx->yield)) && n)
			goto out;
		insn = &insns[pc];

		if (unlikely(!exec)) {
			/* Only frames can bring lanes back. */
			if (!w->depth)
				goto done;
			switch (insn->op) {
			case VSVM_OP_IF:
				/* Over the whole block, without a frame. */
				pc = insn->target;
				if (insns[pc].op == VSVM_OP_ELSE)
					pc = insns[pc].target;
				pc++;
				continue;
			case VSVM_OP_LOOP:
				pc = insn->target + 1;
				continue;
			case VSVM_OP_ELSE:
			case VSVM_OP_ENDIF:
			case VSVM_OP_ENDLOOP:
				break;
			default:
				pc++;
				continue;
			}
		}

		r.pc = pc;
		/*
		 * One switch for every instruction: a tree of compares in a
		 * retpoline kernel, which builds without jump tables.
		 */
		switch (insn->handler) {
		case VSVM_HANDLER(VSVM_OP_NOP, 0):
			break;
		case VSVM_HANDLER(VSVM_OP_END, 0):
			n++;
			goto done;
		case VSVM_HANDLER(VSVM_OP_MOV, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_MOV, 0, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_MOVI, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_MOVI, 0, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_ADD, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_ADD, 0, VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_SUB, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_SUB, 0, VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_MUL, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_MUL, 0, VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_MULHU, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_MULHU, 0, VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_MULHS, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_MULHS, 0, VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_DIVU, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_DIVU, 0, VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_DIVS, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_DIVS, 0, VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_REMU, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_REMU, 0, VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_REMS, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_REMS, 0, VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_AND, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_AND, 0, VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_OR, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_OR, 0, VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_XOR, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_XOR, 0, VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_SHL, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_SHL, 0, VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_SHRU, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_SHRU, 0, VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_SHRS, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_SHRS, 0, VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_MINU, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_MINU, 0, VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_MINS, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_MINS, 0, VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_MAXU, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_MAXU, 0, VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_MAXS, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_MAXS, 0, VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_NOT, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_NOT, 0, VSVM_FORM_W);
			break;
		case VSVM_HANDLER(VSVM_OP_NEG, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_NEG, 0, VSVM_FORM_W);
			break;
		case VSVM_HANDLER(VSVM_OP_POPCNT, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_POPCNT, 0, VSVM_FORM_W);
			break;
		case VSVM_HANDLER(VSVM_OP_CLZ, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_CLZ, 0, VSVM_FORM_W);
			break;
		case VSVM_HANDLER(VSVM_OP_CTZ, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_CTZ, 0, VSVM_FORM_W);
			break;
		case VSVM_HANDLER(VSVM_OP_ICMP, VSVM_COND_EQ):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_ICMP, VSVM_COND_EQ, VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_ICMP, VSVM_COND_NE):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_ICMP, VSVM_COND_NE, VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_ICMP, VSVM_COND_LTU):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_ICMP, VSVM_COND_LTU,
				      VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_ICMP, VSVM_COND_LEU):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_ICMP, VSVM_COND_LEU,
				      VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_ICMP, VSVM_COND_LTS):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_ICMP, VSVM_COND_LTS,
				      VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_ICMP, VSVM_COND_LES):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_ICMP, VSVM_COND_LES,
				      VSVM_FORM_INT2);
			break;
		case VSVM_HANDLER(VSVM_OP_FADD, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_FADD, 0, VSVM_FORM_B);
			break;
		case VSVM_HANDLER(VSVM_OP_FSUB, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_FSUB, 0, VSVM_FORM_B);
			break;
		case VSVM_HANDLER(VSVM_OP_FMUL, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_FMUL, 0, VSVM_FORM_B);
			break;
		case VSVM_HANDLER(VSVM_OP_FDIV, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_FDIV, 0, VSVM_FORM_B);
			break;
		case VSVM_HANDLER(VSVM_OP_FFMA, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_FFMA, 0, VSVM_FORM_B | VSVM_FORM_C);
			break;
		case VSVM_HANDLER(VSVM_OP_FMIN, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_FMIN, 0, VSVM_FORM_B);
			break;
		case VSVM_HANDLER(VSVM_OP_FMAX, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_FMAX, 0, VSVM_FORM_B);
			break;
		case VSVM_HANDLER(VSVM_OP_FNEG, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_FNEG, 0, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_FABS, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_FABS, 0, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_FSQRT, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_FSQRT, 0, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_FFLOOR, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_FFLOOR, 0, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_FCEIL, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_FCEIL, 0, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_FTRUNC, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_FTRUNC, 0, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_FRNDE, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_FRNDE, 0, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_FCMP, VSVM_COND_EQ):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_FCMP, VSVM_COND_EQ, VSVM_FORM_B);
			break;
		case VSVM_HANDLER(VSVM_OP_FCMP, VSVM_COND_NE):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_FCMP, VSVM_COND_NE, VSVM_FORM_B);
			break;
		case VSVM_HANDLER(VSVM_OP_FCMP, VSVM_COND_LTS):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_FCMP, VSVM_COND_LTS, VSVM_FORM_B);
			break;
		case VSVM_HANDLER(VSVM_OP_FCMP, VSVM_COND_LES):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_FCMP, VSVM_COND_LES, VSVM_FORM_B);
			break;
		case VSVM_HANDLER(VSVM_OP_CVT, VSVM_CVT_F32_S32):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_CVT, VSVM_CVT_F32_S32, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_CVT, VSVM_CVT_F32_U32):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_CVT, VSVM_CVT_F32_U32, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_CVT, VSVM_CVT_F32_S64):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_CVT, VSVM_CVT_F32_S64, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_CVT, VSVM_CVT_F32_U64):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_CVT, VSVM_CVT_F32_U64, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_CVT, VSVM_CVT_S32_F32):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_CVT, VSVM_CVT_S32_F32, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_CVT, VSVM_CVT_U32_F32):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_CVT, VSVM_CVT_U32_F32, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_CVT, VSVM_CVT_S64_F32):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_CVT, VSVM_CVT_S64_F32, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_CVT, VSVM_CVT_U64_F32):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_CVT, VSVM_CVT_U64_F32, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_CVT, VSVM_CVT_SEXT8):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_CVT, VSVM_CVT_SEXT8, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_CVT, VSVM_CVT_SEXT16):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_CVT, VSVM_CVT_SEXT16, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_CVT, VSVM_CVT_SEXT32):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_CVT, VSVM_CVT_SEXT32, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_CVT, VSVM_CVT_ZEXT8):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_CVT, VSVM_CVT_ZEXT8, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_CVT, VSVM_CVT_ZEXT16):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_CVT, VSVM_CVT_ZEXT16, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_CVT, VSVM_CVT_ZEXT32):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_CVT, VSVM_CVT_ZEXT32, 0);
			break;
		case VSVM_HANDLER(VSVM_OP_SEL, 0):
			vsvm_alu_insn(regs, insn, exec, VSVM_OP_SEL, 0,
				      VSVM_FORM_W | VSVM_FORM_B | VSVM_FORM_C);
			break;

		case VSVM_HANDLER(VSVM_OP_LD, 0):
			if (!vsvm_ld(&r, insn, exec))
				goto out;
			w->mem_done = 0;
			break;
		case VSVM_HANDLER(VSVM_OP_ST, 0):
			if (!vsvm_st(&r, insn, exec))
				goto out;
			w->mem_done = 0;
			break;
		case VSVM_HANDLER(VSVM_OP_ATOM, 0):
			if (!vsvm_atom(&r, insn, exec))
				goto out;
			w->mem_done = 0;
			break;
		case VSVM_HANDLER(VSVM_OP_LDARG, 0):
			if (!vsvm_ldarg(&r, insn, exec))
				goto out;
			break;
		case VSVM_HANDLER(VSVM_OP_FENCE, 0):
			/* Orders the lanes' accesses against other CUs and the CPU. */
			smp_mb();
			break;

		case VSVM_HANDLER(VSVM_OP_IF, 0):
			f = &w->stack[w->depth++];
			f->is_loop = 0;
			f->saved = exec;
			f->cont = 0;
			k = vsvm_true_lanes(vsvm_lo(regs, insn->src0), exec);
			f->pending = exec & ~k;
			exec &= k;
			if (!exec) {
				/* To the ELSE, or to the ENDIF, which pops. */
				pc = insn->target;
				continue;
			}
			break;
		case VSVM_HANDLER(VSVM_OP_ELSE, 0):
			f = &w->stack[w->depth - 1];
			exec = f->pending & ~vsvm_gone(w, loop);
			f->pending = 0;
			if (!exec) {
				pc = insn->target;
				continue;
			}
			break;
		case VSVM_HANDLER(VSVM_OP_ENDIF, 0):
			f = &w->stack[--w->depth];
			exec = f->saved & ~vsvm_gone(w, loop);
			break;
		case VSVM_HANDLER(VSVM_OP_LOOP, 0):
			loop = w->depth++;
			w->stack[loop] = (struct vsvm_cf_frame) { .is_loop = 1 };
			break;
		case VSVM_HANDLER(VSVM_OP_ENDLOOP, 0):
			f = &w->stack[loop];
			exec |= f->cont;
			f->cont = 0;
			if (exec) {
				pc = insn->target + 1;
				continue;
			}
			exec = f->pending & ~w->exited;
			w->depth--;
			loop = vsvm_inner_loop(w);
			break;
		case VSVM_HANDLER(VSVM_OP_BREAK, 0):
		case VSVM_HANDLER(VSVM_OP_CONTINUE, 0):
			f = &w->stack[loop];
			if (insn->op == VSVM_OP_BREAK)
				f->pending |= exec;
			else
				f->cont |= exec;
			exec = 0;
			/* Nothing to restore in between: straight to ENDLOOP. */
			if (loop == (int)w->depth - 1) {
				pc = insn->target;
				continue;
			}
			break;
		case VSVM_HANDLER(VSVM_OP_EXIT, 0):
			w->exited |= exec;
			exec = 0;
			break;
		case VSVM_HANDLER(VSVM_OP_BAR, 0):
			pc++;
			n++;
			w->state = VSVM_WAVE_BARRIER;
			r.stop = VSVM_STOP_BARRIER;
			goto out;
		case VSVM_HANDLER(VSVM_OP_TRAP, 0):
			vsvm_fail(&r, DRM_VSVM_STATUS_TRAP, 0, 0);
			ctx->info = (u32)insn->imm;
			goto out;

		case VSVM_HANDLER(VSVM_OP_SV, 0):
			vsvm_sv_insn(ctx, w, insn, exec);
			break;
		}
		pc++;
	}
	goto out;

done:
	w->state = VSVM_WAVE_DONE;
	r.stop = VSVM_STOP_DONE;
out:
	w->pc = pc;
	w->exec = exec;
	ctx->insns += n;
	return r.stop;
}

/*
 * The interpreter once per instruction set, so that the compiler vectorises
 * each ALU operation's lane loop for it: 32 lanes of a 32-bit operation are
 * one AVX-512 or two AVX2 instructions per operand. Only vsvm_interp_run()
 * calls them, inside its FPU section, at the level vsvm_simd_init() chose at
 * module load from what the CPU and the kernel's saved FPU state support.
 * Sparse checks the one copy: the others are the same source.
 */
static noinline enum vsvm_stop vsvm_interp_portable(struct vsvm_interp_ctx *ctx,
						    struct vsvm_wave *w, u32 budget)
{
	return vsvm_interp_wave(ctx, w, budget);
}

#if defined(__x86_64__) && !defined(__CHECKER__)
static noinline __attribute__((target("avx2")))
enum vsvm_stop vsvm_interp_avx2(struct vsvm_interp_ctx *ctx, struct vsvm_wave *w, u32 budget)
{
	return vsvm_interp_wave(ctx, w, budget);
}

static noinline
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,prefer-vector-width=512")))
enum vsvm_stop vsvm_interp_avx512(struct vsvm_interp_ctx *ctx, struct vsvm_wave *w, u32 budget)
{
	return vsvm_interp_wave(ctx, w, budget);
}
#endif

/**
 * vsvm_interp_run() - run one wave for a bounded number of instructions
 * @ctx: the workgroup's context; the fault fields, @status and @info are
 *	 written when the wave stops with %VSVM_STOP_FAULT or %VSVM_STOP_ERROR,
 *	 and @insns grows by the instructions executed
 * @w: the wave, initialised by vsvm_wave_init() and resumed where it stopped
 * @budget: most instructions to execute, counting skipped ones
 *
 * A wave that stopped at a barrier resumes past it; the caller calls this
 * again only when every other live wave of the workgroup has arrived. After
 * %VSVM_STOP_FAULT the caller services the fault and calls this again: the
 * faulting instruction resumes with the lanes that had not completed.
 *
 * Context: inside kernel_fpu_begin()/kernel_fpu_end(), with the compute
 * unit's TLB lock held. Does not sleep, allocate or take locks. Called
 * outside an FPU section, it warns and stops with %VSVM_STOP_ERROR and
 * %DRM_VSVM_STATUS_CANCELED without running the wave.
 *
 * Return: why the wave stopped, see &enum vsvm_stop.
 */
enum vsvm_stop vsvm_interp_run(struct vsvm_interp_ctx *ctx, struct vsvm_wave *w, u32 budget)
{
	/*
	 * In task context the FPU is usable exactly when no section is open,
	 * and then a softirq may clobber our registers: do not run at all.
	 * vsvm_interp_wave() is not inlined here, so that its SSE code, struct
	 * initialisers included, comes after this test.
	 */
	if (WARN_ON_ONCE(irq_fpu_usable())) {
		ctx->status = DRM_VSVM_STATUS_CANCELED;
		return VSVM_STOP_ERROR;
	}
#if defined(__x86_64__) && !defined(__CHECKER__)
	if (vsvm_simd_level >= VSVM_SIMD_AVX512)
		return vsvm_interp_avx512(ctx, w, budget);
	if (vsvm_simd_level == VSVM_SIMD_AVX2)
		return vsvm_interp_avx2(ctx, w, budget);
#endif
	return vsvm_interp_portable(ctx, w, budget);
}
