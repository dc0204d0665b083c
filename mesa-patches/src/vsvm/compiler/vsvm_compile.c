/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 *
 * NIR to vsvm ISA.  NIR's own passes lower what the ISA lacks; this file
 * does instruction selection over NIR's structured control flow, which the
 * ISA mirrors one to one (IF/ELSE/ENDIF, LOOP/ENDLOOP, BREAK, CONTINUE).
 *
 * Value conventions, which every emitter below keeps:
 *  - each scalar lives in one 64-bit register;
 *  - a 32-bit value (int, float or boolean) is zero-extended: the ISA's
 *    32-bit operations produce that, and conversions from 64 bits make it;
 *  - booleans are 32-bit 0 / 0xffffffff, what ICMP and FCMP produce;
 *  - 8- and 16-bit values exist only as load/store data and conversion
 *    operands (NIR widens their arithmetic to 32 bits), and their bits above
 *    the type are undefined: every widening conversion masks or extends.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/nir/nir.h"
#include "compiler/nir/nir_builder.h"
#include "util/u_debug.h"
#include "util/u_math.h"
#include "vsvm_compiler.h"
#include "vsvm_ir.h"

static const struct debug_named_value vsvm_debug_options[] = {
	{ "shaders", VSVM_DBG_SHADERS, "Print the ISA of each compiled shader" },
	{ "nir", VSVM_DBG_NIR, "Print the NIR the backend compiles" },
	{ "noopt", VSVM_DBG_NO_OPT, "Skip the backend's dead-code removal" },
	DEBUG_NAMED_VALUE_END
};

DEBUG_GET_ONCE_FLAGS_OPTION(vsvm_debug, "VSVM_DEBUG", vsvm_debug_options, 0)

uint32_t
vsvm_debug_flags(void)
{
	return (uint32_t)debug_get_option_vsvm_debug();
}

static const nir_shader_compiler_options vsvm_nir_options = {
	/* The ISA has 64-bit integer ALU, division included. */
	.lower_int64_options = 0,
	.lower_flrp32 = true,
	.lower_flrp64 = true,
	.lower_fpow = true,
	.lower_fsat = true,
	.lower_fmod = true,
	.lower_ffract = true,
	.lower_fdph = true,
	.lower_fdot = true,
	.lower_fsign = true,
	.lower_isign = true,
	.lower_iabs = true,
	.lower_ldexp = true,
	.lower_fisnormal = true,
	.lower_scmp = true,
	.lower_vector_cmp = true,
	.lower_bitfield_extract = true,
	.lower_bitfield_insert = true,
	.lower_bitfield_reverse = true,
	.lower_ifind_msb = true,
	.lower_uadd_carry = true,
	.lower_usub_borrow = true,
	.lower_uadd_sat = true,
	.lower_usub_sat = true,
	.lower_iadd_sat = true,
	.lower_hadd = true,
	.lower_hadd64 = true,
	.lower_extract_byte = true,
	.lower_extract_word = true,
	.lower_insert_byte = true,
	.lower_insert_word = true,
	.lower_pack_half_2x16 = true,
	.lower_pack_unorm_2x16 = true,
	.lower_pack_snorm_2x16 = true,
	.lower_pack_unorm_4x8 = true,
	.lower_pack_snorm_4x8 = true,
	.lower_unpack_half_2x16 = true,
	.lower_unpack_unorm_2x16 = true,
	.lower_unpack_snorm_2x16 = true,
	.lower_unpack_unorm_4x8 = true,
	.lower_unpack_snorm_4x8 = true,
	.lower_pack_64_2x32 = true,
	.lower_pack_64_4x16 = true,
	.lower_pack_32_2x16 = true,
	.lower_pack_32_2x16_split = true,
	.lower_unpack_32_2x16_split = true,
	.lower_mul_2x32_64 = true,
	.lower_cs_local_index_to_id = true,
	/*
	 * SV has the 64-bit global id: one instruction where the lowering to
	 * workgroup id * size + local id took five.  With a base workgroup
	 * (Rusticl's offset variants, Vulkan's dispatch base) NIR still lowers.
	 */
	.has_cs_global_id = true,
	.lower_device_index_to_zero = true,
	.lower_to_scalar = true,
	.has_isub = true,
	.has_uclz = true,
	.max_unroll_iterations = 16,
};

const struct nir_shader_compiler_options *
vsvm_get_nir_options(void)
{
	return &vsvm_nir_options;
}

/* Widen 8- and 16-bit arithmetic to 32 bits; conversions stay. */
static unsigned int
lower_bit_size_cb(const nir_instr *instr, void *data)
{
	const nir_alu_instr *alu;
	unsigned int bits;

	if (instr->type != nir_instr_type_alu)
		return 0;
	alu = nir_instr_as_alu(instr);
	switch (alu->op) {
	case nir_op_mov:
	case nir_op_vec2:
	case nir_op_vec3:
	case nir_op_vec4:
	case nir_op_vec5:
	case nir_op_vec8:
	case nir_op_vec16:
	case nir_op_bcsel:
	case nir_op_b32csel:
		return 0;
	default:
		break;
	}
	if (nir_op_infos[alu->op].is_conversion)
		return 0;
	/* Booleans (1 bit) say nothing: a comparison of bytes is byte-wide. */
	bits = alu->def.bit_size == 1 ? 64 : alu->def.bit_size;
	for (unsigned int i = 0; i < nir_op_infos[alu->op].num_inputs; i++)
		if (nir_src_bit_size(alu->src[i].src) != 1)
			bits = MIN2(bits, nir_src_bit_size(alu->src[i].src));
	return (bits == 8 || bits == 16) ? 32 : 0;
}

void
vsvm_optimize_nir(nir_shader *nir)
{
	bool progress;

	do {
		progress = false;
		NIR_PASS(progress, nir, nir_copy_prop);
		NIR_PASS(progress, nir, nir_opt_dce);
		NIR_PASS(progress, nir, nir_opt_cse);
		NIR_PASS(progress, nir, nir_opt_constant_folding);
		NIR_PASS(progress, nir, nir_opt_algebraic);
		NIR_PASS(progress, nir, nir_opt_dead_cf);
		NIR_PASS(progress, nir, nir_opt_if, nir_opt_if_optimize_phi_true_false);
		NIR_PASS(progress, nir, nir_opt_peephole_select, 8, true, true);
		NIR_PASS(progress, nir, nir_opt_remove_phis);
		NIR_PASS(progress, nir, nir_opt_undef);
	} while (progress);
}

/*
 * half to float with integer operations: the ISA has no fp16.  Normal
 * numbers rebias the exponent, infinities and NaNs keep their mantissa,
 * and a denormal m * 2^-24 is exact in fp32.
 */
static bool
lower_f2f32_from_f16(nir_builder *b, nir_alu_instr *alu, void *data)
{
	nir_def *h, *e, *m, *norm, *inf_nan, *denorm, *res;

	if (alu->op != nir_op_f2f32 || nir_src_bit_size(alu->src[0].src) != 16)
		return false;
	b->cursor = nir_before_instr(&alu->instr);
	h = nir_u2u32(b, nir_ssa_for_alu_src(b, alu, 0));
	e = nir_iand_imm(b, nir_ushr_imm(b, h, 10), 0x1f);
	m = nir_iand_imm(b, h, 0x3ff);
	norm = nir_ior(b, nir_ishl_imm(b, nir_iadd_imm(b, e, 112), 23),
		       nir_ishl_imm(b, m, 13));
	inf_nan = nir_ior_imm(b, nir_ishl_imm(b, m, 13), 0x7f800000);
	denorm = nir_fmul_imm(b, nir_u2f32(b, m), 0x1p-24);
	res = nir_bcsel(b, nir_ieq_imm(b, e, 0), denorm,
			nir_bcsel(b, nir_ieq_imm(b, e, 31), inf_nan, norm));
	res = nir_ior(b, res, nir_ishl_imm(b, nir_iand_imm(b, h, 0x8000), 16));
	nir_def_replace(&alu->def, res);
	return true;
}

void
vsvm_preprocess_nir(nir_shader *nir)
{
	/*
	 * as_*() and vload/vstore of other element sizes reinterpret vectors
	 * with pack/unpack ops; nir_lower_pack makes shifts and the split
	 * forms of them, which the compiler options lower further or
	 * instruction selection handles (pack_64_2x32_split).
	 */
	NIR_PASS(_, nir, nir_lower_pack);
	/* vload_half/vstore_half are core OpenCL; the ISA has no fp16. */
	NIR_PASS(_, nir, nir_lower_fp16_casts, nir_lower_fp16_all);
	NIR_PASS(_, nir, nir_lower_frexp);
	NIR_PASS(_, nir, nir_lower_flrp, 16 | 32 | 64, false);
	NIR_PASS(_, nir, nir_lower_alu_to_scalar, NULL, NULL);
	NIR_PASS(_, nir, nir_shader_alu_pass, lower_f2f32_from_f16,
		 nir_metadata_control_flow, NULL);
	NIR_PASS(_, nir, nir_lower_phis_to_scalar, true);
	NIR_PASS(_, nir, nir_lower_bit_size, lower_bit_size_cb, NULL);
	vsvm_optimize_nir(nir);
	NIR_PASS(_, nir, nir_lower_bool_to_int32);
	NIR_PASS(_, nir, nir_opt_algebraic_late);
	NIR_PASS(_, nir, nir_lower_alu_to_scalar, NULL, NULL);
	NIR_PASS(_, nir, nir_copy_prop);
	NIR_PASS(_, nir, nir_opt_dce);
	NIR_PASS(_, nir, nir_opt_cse);
}

/* ---- instruction selection ---- */

struct isel {
	struct vsvm_code *code;
	const struct vsvm_compiler_limits *limits;
	uint32_t *def_base;	/* first vreg of each SSA def; NO_REG unset */
	unsigned int num_defs;
};

static void
emit(struct isel *s, uint8_t op, uint8_t mod, uint8_t sub, uint32_t dst,
     uint32_t a, uint32_t b, uint32_t c, uint64_t imm)
{
	struct vsvm_insn in = {
		.op = op, .mod = mod, .sub = sub, .dst = dst,
		.src = { a, b, c }, .imm = imm,
	};

	util_dynarray_append(&s->code->insns, struct vsvm_insn, in);
}

#define N VSVM_NO_REG

/* "op dst, a, imm, c": b is the immediate (VSVM_F_SRC1_IMM). */
static void
emit_imm_bc(struct isel *s, uint8_t op, uint8_t mod, uint8_t sub, uint32_t dst,
	    uint32_t a, uint32_t c, uint64_t imm)
{
	struct vsvm_insn in = {
		.op = op, .mod = mod, .sub = sub, .flags = VSVM_F_SRC1_IMM,
		.dst = dst, .src = { a, N, c }, .imm = imm,
	};

	util_dynarray_append(&s->code->insns, struct vsvm_insn, in);
}

static void
emit_imm_b(struct isel *s, uint8_t op, uint8_t mod, uint8_t sub, uint32_t dst,
	   uint32_t a, uint64_t imm)
{
	emit_imm_bc(s, op, mod, sub, dst, a, N, imm);
}

static uint32_t
tmp(struct isel *s)
{
	return vsvm_new_vreg(s->code, 0);
}

static uint32_t
def_vreg(struct isel *s, nir_def *def, unsigned int comp)
{
	if (s->def_base[def->index] == N) {
		s->def_base[def->index] = s->code->num_vregs;
		for (unsigned int i = 0; i < def->num_components; i++)
			vsvm_new_vreg(s->code, 0);
	}
	return s->def_base[def->index] + comp;
}

static uint32_t
src_vreg(struct isel *s, nir_src src, unsigned int comp)
{
	return def_vreg(s, src.ssa, comp);
}

static uint8_t
width(unsigned int bits)
{
	return bits == 64 ? VSVM_MOD_64 : VSVM_MOD_32;
}

/* 32-bit immediates are given sign-extended, as the assembler prints them. */
static uint64_t
imm_for(unsigned int bits, uint64_t v)
{
	return bits == 64 ? v : (uint64_t)(int64_t)(int32_t)(uint32_t)v;
}

static uint32_t
movi(struct isel *s, uint64_t v)
{
	uint32_t d = tmp(s);

	emit(s, VSVM_OP_MOVI, 0, 0, d, N, N, N, v);
	return d;
}

/* The CVT that widens @bits to 64, signed or not; 0 (no extension) for 64. */
static uint8_t
extend_cvt(unsigned int bits, bool sign)
{
	switch (bits) {
	case 1:
	case 32:
		return sign ? VSVM_CVT_SEXT32 : VSVM_CVT_ZEXT32;
	case 16:
		return sign ? VSVM_CVT_SEXT16 : VSVM_CVT_ZEXT16;
	case 8:
		return sign ? VSVM_CVT_SEXT8 : VSVM_CVT_ZEXT8;
	default:
		return 0;
	}
}

/* Widen a value of @bits to a 64-bit register, signed or not. */
static uint32_t
extend(struct isel *s, uint32_t v, unsigned int bits, bool sign)
{
	uint8_t cvt = extend_cvt(bits, sign);
	uint32_t d;

	if (!cvt)
		return v;
	d = tmp(s);
	emit(s, VSVM_OP_CVT, 0, cvt, d, v, N, N, 0);
	return d;
}

static void
emit_conversion(struct isel *s, nir_alu_instr *alu, uint32_t d, uint32_t a)
{
	unsigned int sbits = nir_src_bit_size(alu->src[0].src);
	unsigned int dbits = alu->def.bit_size;
	nir_alu_type st = nir_op_infos[alu->op].input_types[0];
	nir_alu_type dt = nir_op_infos[alu->op].output_type;
	bool ssign = nir_alu_type_get_base_type(st) == nir_type_int;
	uint32_t w;

	if (nir_alu_type_get_base_type(dt) == nir_type_float) {
		if (dbits != 32 || nir_alu_type_get_base_type(st) == nir_type_float) {
			if (dbits == 32 && sbits == 32) {
				emit(s, VSVM_OP_MOV, 0, 0, d, a, N, N, 0);
				return;
			}
			vsvm_code_error(s->code, "unsupported conversion %s",
					nir_op_infos[alu->op].name);
			return;
		}
		if (sbits < 32)
			a = extend(s, a, sbits, ssign), sbits = 64;
		emit(s, VSVM_OP_CVT, 0,
		     sbits == 64 ? (ssign ? VSVM_CVT_F32_S64 : VSVM_CVT_F32_U64) :
				   (ssign ? VSVM_CVT_F32_S32 : VSVM_CVT_F32_U32),
		     d, a, N, N, 0);
		return;
	}

	if (nir_alu_type_get_base_type(st) == nir_type_float) {
		bool dsign = nir_alu_type_get_base_type(dt) == nir_type_int;

		if (sbits != 32) {
			vsvm_code_error(s->code, "unsupported conversion %s",
					nir_op_infos[alu->op].name);
			return;
		}
		if (dbits == 64) {
			emit(s, VSVM_OP_CVT, 0,
			     dsign ? VSVM_CVT_S64_F32 : VSVM_CVT_U64_F32,
			     d, a, N, N, 0);
		} else if (dsign) {
			/* Keep the 32-bit result zero-extended. */
			w = tmp(s);
			emit(s, VSVM_OP_CVT, 0, VSVM_CVT_S32_F32, w, a, N, N, 0);
			emit(s, VSVM_OP_CVT, 0, VSVM_CVT_ZEXT32, d, w, N, N, 0);
		} else {
			emit(s, VSVM_OP_CVT, 0, VSVM_CVT_U32_F32, d, a, N, N, 0);
		}
		return;
	}

	/* Integer to integer. */
	if (dbits <= sbits) {
		/* Narrowing: 32-bit results must be zero-extended. */
		if (dbits == 32 && sbits == 64)
			emit(s, VSVM_OP_CVT, 0, VSVM_CVT_ZEXT32, d, a, N, N, 0);
		else
			emit(s, VSVM_OP_MOV, 0, 0, d, a, N, N, 0);
		return;
	}
	if (dbits == 32 && ssign) {
		w = extend(s, a, sbits, ssign);
		emit(s, VSVM_OP_CVT, 0, VSVM_CVT_ZEXT32, d, w, N, N, 0);
		return;
	}
	/* Straight into @d: through a temporary, it cost a MOV. */
	emit(s, VSVM_OP_CVT, 0, extend_cvt(sbits, ssign), d, a, N, N, 0);
}

/*
 * "op d, x, y[, c]" on ALU sources @xi and @yi, with y as the instruction's
 * immediate when it is a constant (VSVM_F_SRC1_IMM); an operation
 * commutative in x and y takes a constant x as y.  The constant's MOVI then
 * dies.  @c is the third operand's vreg, N for two-operand ops.
 */
static void
emit_xy(struct isel *s, nir_alu_instr *alu, uint8_t op, uint8_t mod,
	uint8_t sub, uint32_t d, unsigned int xi, unsigned int yi, bool fp,
	uint32_t c)
{
	bool comm = nir_op_infos[alu->op].algebraic_properties &
		    NIR_OP_IS_2SRC_COMMUTATIVE;
	nir_alu_src *x, *y;

	if (comm && nir_src_is_const(alu->src[xi].src) &&
	    !nir_src_is_const(alu->src[yi].src)) {
		unsigned int t = xi;

		xi = yi;
		yi = t;
	}
	x = &alu->src[xi];
	y = &alu->src[yi];
	if (nir_src_is_const(y->src)) {
		uint64_t v = nir_src_comp_as_uint(y->src, y->swizzle[0]);

		/* fp32 bits as they are; integers as the width reads them. */
		if (fp)
			v = (uint32_t)v;
		else
			v = imm_for(mod == VSVM_MOD_64 ? 64 : 32, v);
		emit_imm_bc(s, op, mod, sub, d,
			    src_vreg(s, x->src, x->swizzle[0]), c, v);
		return;
	}
	emit(s, op, mod, sub, d, src_vreg(s, x->src, x->swizzle[0]),
	     src_vreg(s, y->src, y->swizzle[0]), c, 0);
}

/* Is component @c of @def an undef, directly or through movs and vecs? */
static bool
is_undef(nir_def *def, unsigned int c)
{
	for (;;) {
		nir_instr *p = def->parent_instr;
		nir_alu_instr *alu;

		if (p->type == nir_instr_type_undef)
			return true;
		if (p->type != nir_instr_type_alu)
			return false;
		alu = nir_instr_as_alu(p);
		if (alu->op == nir_op_mov) {
			c = alu->src[0].swizzle[c];
			def = alu->src[0].src.ssa;
		} else if (nir_op_is_vec(alu->op)) {
			def = alu->src[c].src.ssa;
			c = alu->src[c].swizzle[0];
		} else {
			return false;
		}
	}
}

struct use_count {
	nir_def *def;
	unsigned int n;
};

static bool
count_use(nir_src *src, void *data)
{
	struct use_count *u = data;

	u->n += src->ssa == u->def;
	return true;
}

/*
 * Does @instr write vreg @v?  A store_reg writes its register's vregs; so
 * does a producer that the store_reg pass made write the register itself.
 */
static bool
writes_vreg(struct isel *s, nir_instr *instr, uint32_t v)
{
	nir_def *def;

	if (instr->type == nir_instr_type_intrinsic &&
	    nir_instr_as_intrinsic(instr)->intrinsic == nir_intrinsic_store_reg) {
		nir_def *reg = nir_instr_as_intrinsic(instr)->src[1].ssa;

		return s->def_base[reg->index] != N &&
		       v - s->def_base[reg->index] < nir_intrinsic_num_components(
			       nir_reg_get_decl(reg));
	}
	def = nir_instr_def(instr);
	return def && s->def_base[def->index] != N &&
	       v - s->def_base[def->index] < def->num_components;
}

/*
 * Are all uses of @alu's def in its block, each before the first
 * instruction after @alu that writes vreg @v?  An instruction reads its
 * sources before it writes, so a use in the writer itself still counts.
 */
static bool
uses_before_write(struct isel *s, nir_alu_instr *alu, uint32_t v)
{
	struct use_count u = { &alu->def, 0 };
	unsigned int left = 0;

	nir_foreach_use_including_if(src, &alu->def) {
		if (nir_src_is_if(src) || nir_src_parent_instr(src)->block != alu->instr.block)
			return false;
		left++;
	}
	for (nir_instr *i = nir_instr_next(&alu->instr); i; i = nir_instr_next(i)) {
		u.n = 0;
		nir_foreach_src(i, count_use, &u);
		left -= u.n;
		if (!left)
			return true;
		if (writes_vreg(s, i, v))
			return false;
	}
	return false;
}

/*
 * May the NIR register that @load reads hold an undef?  Out of SSA, a phi
 * of an undef becomes a store_reg of it, and MOV copies all 64 bits.
 */
static bool
reg_may_be_undef(nir_def *load)
{
	nir_intrinsic_instr *ld;

	if (load->parent_instr->type != nir_instr_type_intrinsic)
		return true;
	ld = nir_instr_as_intrinsic(load->parent_instr);
	if (ld->intrinsic != nir_intrinsic_load_reg)
		return true;
	nir_foreach_reg_store(store, nir_reg_get_decl(ld->src[0].ssa)) {
		nir_intrinsic_instr *st = nir_instr_as_intrinsic(nir_src_parent_instr(store));

		for (unsigned int c = 0; c < st->src[0].ssa->num_components; c++)
			if (is_undef(st->src[0].ssa, c))
				return true;
	}
	return false;
}

/*
 * A 32-bit value's register already holds it zero-extended, so u2u64 of
 * it is the same register: give @alu's def the vreg of its source, and
 * emit nothing.  Not when the def must land in a NIR register (its
 * store_reg's producer), nor when the source is undef (registers left as
 * they were; MOV copies all 64 bits, so an undef behind movs and vecs
 * counts too).  A source in a NIR register (a loop counter, say) is
 * aliased only if no store puts an undef in it, and while nothing writes
 * the register before the def's last use.
 */
static bool
alias_zext32(struct isel *s, nir_alu_instr *alu)
{
	nir_alu_src *src = &alu->src[0];
	uint32_t v;

	if (s->def_base[alu->def.index] != N || is_undef(src->src.ssa, src->swizzle[0]))
		return false;
	v = src_vreg(s, src->src, src->swizzle[0]);
	/* After src_vreg(), which may grow the flags array. */
	if ((*util_dynarray_element(&s->code->vreg_flags, uint8_t, v) & VSVM_VREG_MULTI_DEF) &&
	    (reg_may_be_undef(src->src.ssa) || !uses_before_write(s, alu, v)))
		return false;
	s->def_base[alu->def.index] = v;
	return true;
}

static void
emit_alu(struct isel *s, nir_alu_instr *alu)
{
	const nir_op_info *info = &nir_op_infos[alu->op];
	unsigned int bits = alu->def.bit_size;
	unsigned int sbits = info->num_inputs ?
			     nir_src_bit_size(alu->src[0].src) : bits;
	uint32_t a = N, b = N, c = N, d, t;
	uint8_t w = width(bits), sw = width(sbits);

	switch (alu->op) {
	case nir_op_vec2:
	case nir_op_vec3:
	case nir_op_vec4:
	case nir_op_vec5:
	case nir_op_vec8:
	case nir_op_vec16:
		for (unsigned int i = 0; i < info->num_inputs; i++)
			emit(s, VSVM_OP_MOV, 0, 0, def_vreg(s, &alu->def, i),
			     src_vreg(s, alu->src[i].src, alu->src[i].swizzle[0]),
			     N, N, 0);
		return;
	case nir_op_unpack_64_2x32:
		a = src_vreg(s, alu->src[0].src, alu->src[0].swizzle[0]);
		emit(s, VSVM_OP_CVT, 0, VSVM_CVT_ZEXT32, def_vreg(s, &alu->def, 0),
		     a, N, N, 0);
		emit_imm_b(s, VSVM_OP_SHRU, VSVM_MOD_64, 0,
			   def_vreg(s, &alu->def, 1), a, 32);
		return;
	default:
		break;
	}

	if (alu->def.num_components != 1) {
		vsvm_code_error(s->code, "vector ALU op %s", info->name);
		return;
	}
	if (alu->op == nir_op_u2u64 && sbits == 32 && alias_zext32(s, alu))
		return;
	d = def_vreg(s, &alu->def, 0);
	if (info->num_inputs > 0)
		a = src_vreg(s, alu->src[0].src, alu->src[0].swizzle[0]);
	if (info->num_inputs > 1)
		b = src_vreg(s, alu->src[1].src, alu->src[1].swizzle[0]);
	if (info->num_inputs > 2)
		c = src_vreg(s, alu->src[2].src, alu->src[2].swizzle[0]);

#define BIN(nop, vop) \
	case nir_op_##nop: emit_xy(s, alu, VSVM_OP_##vop, w, 0, d, 0, 1, false, N); return
#define FBIN(nop, vop) \
	case nir_op_##nop: emit_xy(s, alu, VSVM_OP_##vop, 0, 0, d, 0, 1, true, N); return
#define FUN(nop, vop) \
	case nir_op_##nop: emit(s, VSVM_OP_##vop, 0, 0, d, a, N, N, 0); return
#define ICMP(nop, cond, x, y) \
	case nir_op_##nop: emit_xy(s, alu, VSVM_OP_ICMP, sw, VSVM_COND_##cond, d, x, y, false, N); return
#define FCMP(nop, cond, x, y) \
	case nir_op_##nop: emit_xy(s, alu, VSVM_OP_FCMP, 0, VSVM_COND_##cond, d, x, y, true, N); return

	switch (alu->op) {
	case nir_op_mov:
		emit(s, VSVM_OP_MOV, 0, 0, d, a, N, N, 0);
		return;
	BIN(iadd, ADD);
	BIN(isub, SUB);
	BIN(imul, MUL);
	BIN(umul_high, MULHU);
	BIN(imul_high, MULHS);
	BIN(udiv, DIVU);
	BIN(idiv, DIVS);
	BIN(umod, REMU);
	BIN(irem, REMS);
	BIN(iand, AND);
	BIN(ior, OR);
	BIN(ixor, XOR);
	BIN(ishl, SHL);
	BIN(ushr, SHRU);
	BIN(ishr, SHRS);
	BIN(umin, MINU);
	BIN(imin, MINS);
	BIN(umax, MAXU);
	BIN(imax, MAXS);
	case nir_op_imod: {
		/* The remainder takes the divisor's sign: fix up irem. */
		uint32_t r = tmp(s), x = tmp(s), neg = tmp(s), nz = tmp(s);
		uint32_t fix = tmp(s), sum = tmp(s);

		emit(s, VSVM_OP_REMS, w, 0, r, a, b, N, 0);
		emit(s, VSVM_OP_XOR, w, 0, x, r, b, N, 0);
		emit_imm_b(s, VSVM_OP_ICMP, w, VSVM_COND_LTS, neg, x, 0);
		emit_imm_b(s, VSVM_OP_ICMP, w, VSVM_COND_NE, nz, r, 0);
		emit(s, VSVM_OP_AND, VSVM_MOD_32, 0, fix, neg, nz, N, 0);
		emit(s, VSVM_OP_ADD, w, 0, sum, r, b, N, 0);
		emit(s, VSVM_OP_SEL, w, 0, d, fix, sum, r, 0);
		return;
	}
	case nir_op_inot:
		emit(s, VSVM_OP_NOT, w, 0, d, a, N, N, 0);
		return;
	case nir_op_ineg:
		emit(s, VSVM_OP_NEG, w, 0, d, a, N, N, 0);
		return;
	case nir_op_bit_count:
		emit(s, VSVM_OP_POPCNT, sw, 0, d, a, N, N, 0);
		return;
	case nir_op_uclz:
		emit(s, VSVM_OP_CLZ, sw, 0, d, a, N, N, 0);
		return;
	case nir_op_ufind_msb:
		/* width - 1 - clz: -1 for zero, as NIR wants. */
		t = tmp(s);
		emit(s, VSVM_OP_CLZ, sw, 0, t, a, N, N, 0);
		emit(s, VSVM_OP_SUB, VSVM_MOD_32, 0, d, movi(s, sbits - 1), t, N, 0);
		return;
	case nir_op_find_lsb: {
		uint32_t z = tmp(s);

		t = tmp(s);
		emit(s, VSVM_OP_CTZ, sw, 0, t, a, N, N, 0);
		emit_imm_b(s, VSVM_OP_ICMP, sw, VSVM_COND_EQ, z, a, 0);
		emit(s, VSVM_OP_SEL, VSVM_MOD_32, 0, d, z, movi(s, 0xffffffff), t, 0);
		return;
	}
	ICMP(ieq32, EQ, 0, 1);
	ICMP(ine32, NE, 0, 1);
	ICMP(ult32, LTU, 0, 1);
	ICMP(uge32, LEU, 1, 0);
	ICMP(ilt32, LTS, 0, 1);
	ICMP(ige32, LES, 1, 0);
	FCMP(feq32, EQ, 0, 1);
	FCMP(fneu32, NE, 0, 1);
	FCMP(flt32, LTS, 0, 1);
	FCMP(fge32, LES, 1, 0);
	case nir_op_b32csel:
		emit(s, VSVM_OP_SEL, w, 0, d, a, b, c, 0);
		return;
	case nir_op_b2b32:
	case nir_op_b2b1:
		emit(s, VSVM_OP_MOV, 0, 0, d, a, N, N, 0);
		return;
	case nir_op_b2i8:
	case nir_op_b2i16:
	case nir_op_b2i32:
	case nir_op_b2i64:
		emit_imm_b(s, VSVM_OP_AND, VSVM_MOD_64, 0, d, a, 1);
		return;
	case nir_op_b2f32:
		emit_imm_b(s, VSVM_OP_AND, VSVM_MOD_32, 0, d, a, 0x3f800000);
		return;
	FBIN(fadd, FADD);
	FBIN(fsub, FSUB);
	FBIN(fmul, FMUL);
	FBIN(fdiv, FDIV);
	FBIN(fmin, FMIN);
	FBIN(fmax, FMAX);
	FUN(fneg, FNEG);
	FUN(fabs, FABS);
	FUN(fsqrt, FSQRT);
	FUN(ffloor, FFLOOR);
	FUN(fceil, FCEIL);
	FUN(ftrunc, FTRUNC);
	FUN(fround_even, FRNDE);
	case nir_op_ffma:
		emit_xy(s, alu, VSVM_OP_FFMA, 0, 0, d, 0, 1, true, c);
		return;
	case nir_op_frcp:
		emit(s, VSVM_OP_FDIV, 0, 0, d, movi(s, 0x3f800000), a, N, 0);
		return;
	case nir_op_frsq:
		t = tmp(s);
		emit(s, VSVM_OP_FSQRT, 0, 0, t, a, N, N, 0);
		emit(s, VSVM_OP_FDIV, 0, 0, d, movi(s, 0x3f800000), t, N, 0);
		return;
	case nir_op_pack_64_2x32_split: {
		uint32_t hi = tmp(s);

		emit_imm_b(s, VSVM_OP_SHL, VSVM_MOD_64, 0, hi, b, 32);
		emit(s, VSVM_OP_OR, VSVM_MOD_64, 0, d,
		     extend(s, a, 32, false), hi, N, 0);
		return;
	}
	case nir_op_unpack_64_2x32_split_x:
		emit(s, VSVM_OP_CVT, 0, VSVM_CVT_ZEXT32, d, a, N, N, 0);
		return;
	case nir_op_unpack_64_2x32_split_y:
		emit_imm_b(s, VSVM_OP_SHRU, VSVM_MOD_64, 0, d, a, 32);
		return;
	default:
		break;
	}
#undef BIN
#undef FBIN
#undef FUN
#undef ICMP
#undef FCMP

	if (info->is_conversion || alu->op == nir_op_i2i32 ||
	    alu->op == nir_op_u2u32) {
		if (bits == 1 || sbits == 1 || (bits != 32 && bits != 64 &&
						bits != 8 && bits != 16)) {
			vsvm_code_error(s->code, "unsupported %s", info->name);
			return;
		}
		emit_conversion(s, alu, d, a);
		return;
	}
	vsvm_code_error(s->code, "unsupported ALU op %s (%u-bit)", info->name,
			bits);
}

static unsigned int
log2_bytes(unsigned int bits)
{
	return util_logbase2(MAX2(bits, 8) / 8);
}

static void
emit_load(struct isel *s, nir_intrinsic_instr *intr, unsigned int space,
	  uint32_t addr, uint64_t offset)
{
	unsigned int bits = intr->def.bit_size;
	uint8_t mod = log2_bytes(bits) | (space << VSVM_MOD_SPACE_SHIFT);

	if (bits == 1) {
		vsvm_code_error(s->code, "1-bit load");
		return;
	}
	for (unsigned int i = 0; i < intr->def.num_components; i++)
		emit(s, VSVM_OP_LD, mod, 0, def_vreg(s, &intr->def, i), addr,
		     N, N, offset + i * (bits / 8));
}

static void
emit_store(struct isel *s, nir_intrinsic_instr *intr, unsigned int space,
	   nir_src value, uint32_t addr, uint64_t offset)
{
	unsigned int bits = nir_src_bit_size(value);
	uint8_t mod = log2_bytes(bits) | (space << VSVM_MOD_SPACE_SHIFT);
	unsigned int mask = nir_intrinsic_write_mask(intr);

	u_foreach_bit(i, mask)
		emit(s, VSVM_OP_ST, mod, 0, N, addr, src_vreg(s, value, i), N,
		     offset + i * (bits / 8));
}

static void
emit_atomic(struct isel *s, nir_intrinsic_instr *intr, unsigned int space,
	    bool swap)
{
	nir_atomic_op op = nir_intrinsic_atomic_op(intr);
	unsigned int bits = intr->def.bit_size;
	uint8_t mod = log2_bytes(bits) | (space << VSVM_MOD_SPACE_SHIFT);
	uint32_t addr = src_vreg(s, intr->src[0], 0);
	uint64_t offset = nir_intrinsic_has_base(intr) ? nir_intrinsic_base(intr) : 0;
	uint8_t sub;

	switch (op) {
	case nir_atomic_op_iadd: sub = VSVM_ATOMIC_ADD; break;
	case nir_atomic_op_imin: sub = VSVM_ATOMIC_SMIN; break;
	case nir_atomic_op_umin: sub = VSVM_ATOMIC_UMIN; break;
	case nir_atomic_op_imax: sub = VSVM_ATOMIC_SMAX; break;
	case nir_atomic_op_umax: sub = VSVM_ATOMIC_UMAX; break;
	case nir_atomic_op_iand: sub = VSVM_ATOMIC_AND; break;
	case nir_atomic_op_ior: sub = VSVM_ATOMIC_OR; break;
	case nir_atomic_op_ixor: sub = VSVM_ATOMIC_XOR; break;
	case nir_atomic_op_xchg: sub = VSVM_ATOMIC_XCHG; break;
	case nir_atomic_op_cmpxchg: sub = VSVM_ATOMIC_CMPXCHG; break;
	default:
		vsvm_code_error(s->code, "unsupported atomic operation %d", op);
		return;
	}
	if (bits != 32 && bits != 64) {
		vsvm_code_error(s->code, "%u-bit atomic", bits);
		return;
	}
	if (swap)
		/* NIR: src1 compares, src2 is stored; ISA: b stored if old == c. */
		emit(s, VSVM_OP_ATOM, mod, sub, def_vreg(s, &intr->def, 0), addr,
		     src_vreg(s, intr->src[2], 0), src_vreg(s, intr->src[1], 0),
		     offset);
	else
		emit(s, VSVM_OP_ATOM, mod, sub, def_vreg(s, &intr->def, 0), addr,
		     src_vreg(s, intr->src[1], 0), N, offset);
}

/*
 * OpenCL's atomic_load and atomic_store arrive as coherent global loads and
 * stores.  The ISA makes only ATOM single-copy atomic against other agents
 * (the CPU among them), so they become an ATOM OR of 0 and an ATOM XCHG;
 * their ordering comes from the barriers NIR puts around them.
 */
static bool
emit_coherent_global(struct isel *s, nir_intrinsic_instr *intr, bool store)
{
	nir_def *val = store ? intr->src[0].ssa : &intr->def;
	unsigned int bits = val->bit_size;
	uint8_t mod = log2_bytes(bits) | (VSVM_SPACE_GLOBAL << VSVM_MOD_SPACE_SHIFT);
	uint32_t addr = src_vreg(s, intr->src[store ? 1 : 0], 0);

	if (!(nir_intrinsic_access(intr) & ACCESS_COHERENT) ||
	    (bits != 32 && bits != 64))
		return false;
	for (unsigned int i = 0; i < val->num_components; i++) {
		uint64_t off = i * (bits / 8);

		if (store && !(nir_intrinsic_write_mask(intr) & (1u << i)))
			continue;
		if (store)
			emit(s, VSVM_OP_ATOM, mod, VSVM_ATOMIC_XCHG, tmp(s), addr,
			     src_vreg(s, intr->src[0], i), N, off);
		else
			emit(s, VSVM_OP_ATOM, mod, VSVM_ATOMIC_OR,
			     def_vreg(s, &intr->def, i), addr, movi(s, 0), N, off);
	}
	return true;
}

static void
emit_sysval(struct isel *s, nir_intrinsic_instr *intr, uint8_t first)
{
	for (unsigned int i = 0; i < intr->def.num_components; i++) {
		uint32_t d = def_vreg(s, &intr->def, i);

		/*
		 * SV writes 64 bits; every system value but the global id
		 * fits in 32, so SV leaves it zero-extended already.
		 */
		if (intr->def.bit_size == 32 && first == VSVM_SV_GLOBAL_ID_X) {
			uint32_t t = tmp(s);

			emit(s, VSVM_OP_SV, 0, first + i, t, N, N, N, 0);
			emit(s, VSVM_OP_CVT, 0, VSVM_CVT_ZEXT32, d, t, N, N, 0);
		} else {
			emit(s, VSVM_OP_SV, 0, first + i, d, N, N, N, 0);
		}
	}
}

static void
emit_intrinsic(struct isel *s, nir_intrinsic_instr *intr)
{
	switch (intr->intrinsic) {
	case nir_intrinsic_decl_reg: {
		/* A NIR register: vregs written more than once. */
		unsigned int nc = nir_intrinsic_num_components(intr);

		if (s->def_base[intr->def.index] != N)
			return;	/* allocated before instruction selection */

		if (nir_intrinsic_num_array_elems(intr)) {
			vsvm_code_error(s->code, "register arrays");
			return;
		}
		s->def_base[intr->def.index] = s->code->num_vregs;
		for (unsigned int i = 0; i < nc; i++)
			vsvm_new_vreg(s->code, VSVM_VREG_MULTI_DEF);
		return;
	}
	case nir_intrinsic_load_reg:
		/*
		 * Trivial (nir_trivialize_registers): every use is in this block
		 * with no store in between, so the uses read the register itself.
		 */
		s->def_base[intr->def.index] = src_vreg(s, intr->src[0], 0);
		return;
	case nir_intrinsic_store_reg:
		if (s->def_base[intr->src[0].ssa->index] ==
		    src_vreg(s, intr->src[1], 0))
			return;	/* the producer wrote the register directly */
		u_foreach_bit(i, nir_intrinsic_write_mask(intr))
			emit(s, VSVM_OP_MOV, 0, 0, src_vreg(s, intr->src[1], i),
			     src_vreg(s, intr->src[0], i), N, N, 0);
		return;
	case nir_intrinsic_load_kernel_input: {
		unsigned int bits = intr->def.bit_size;
		uint64_t off;

		if (!nir_src_is_const(intr->src[0])) {
			vsvm_code_error(s->code, "indirect kernel input");
			return;
		}
		off = nir_intrinsic_base(intr) + nir_src_as_uint(intr->src[0]);
		for (unsigned int i = 0; i < intr->def.num_components; i++) {
			uint64_t o = off + i * (bits / 8);

			if (o & ((bits / 8) - 1)) {
				vsvm_code_error(s->code, "misaligned kernel input");
				return;
			}
			if (s->limits->max_args &&
			    o + bits / 8 > s->limits->max_args) {
				vsvm_code_error(s->code, "kernel arguments beyond the "
						"device's %u bytes", s->limits->max_args);
				return;
			}
			emit(s, VSVM_OP_LDARG, log2_bytes(bits), 0,
			     def_vreg(s, &intr->def, i), N, N, N, o);
		}
		return;
	}
	case nir_intrinsic_load_global:
		if (emit_coherent_global(s, intr, false))
			return;
		FALLTHROUGH;
	case nir_intrinsic_load_global_constant:
		emit_load(s, intr, VSVM_SPACE_GLOBAL, src_vreg(s, intr->src[0], 0), 0);
		return;
	case nir_intrinsic_store_global:
		if (emit_coherent_global(s, intr, true))
			return;
		emit_store(s, intr, VSVM_SPACE_GLOBAL, intr->src[0],
			   src_vreg(s, intr->src[1], 0), 0);
		return;
	case nir_intrinsic_load_shared:
		emit_load(s, intr, VSVM_SPACE_SHARED, src_vreg(s, intr->src[0], 0),
			  nir_intrinsic_base(intr));
		return;
	case nir_intrinsic_store_shared:
		emit_store(s, intr, VSVM_SPACE_SHARED, intr->src[0],
			   src_vreg(s, intr->src[1], 0), nir_intrinsic_base(intr));
		return;
	case nir_intrinsic_load_scratch:
		emit_load(s, intr, VSVM_SPACE_SCRATCH, src_vreg(s, intr->src[0], 0), 0);
		return;
	case nir_intrinsic_store_scratch:
		emit_store(s, intr, VSVM_SPACE_SCRATCH, intr->src[0],
			   src_vreg(s, intr->src[1], 0), 0);
		return;
	case nir_intrinsic_global_atomic:
		emit_atomic(s, intr, VSVM_SPACE_GLOBAL, false);
		return;
	case nir_intrinsic_global_atomic_swap:
		emit_atomic(s, intr, VSVM_SPACE_GLOBAL, true);
		return;
	case nir_intrinsic_shared_atomic:
		emit_atomic(s, intr, VSVM_SPACE_SHARED, false);
		return;
	case nir_intrinsic_shared_atomic_swap:
		emit_atomic(s, intr, VSVM_SPACE_SHARED, true);
		return;
	case nir_intrinsic_load_local_invocation_id:
		emit_sysval(s, intr, VSVM_SV_LOCAL_ID_X);
		return;
	case nir_intrinsic_load_workgroup_id:
		emit_sysval(s, intr, VSVM_SV_WG_ID_X);
		return;
	case nir_intrinsic_load_num_workgroups:
		emit_sysval(s, intr, VSVM_SV_NUM_WG_X);
		return;
	case nir_intrinsic_load_workgroup_size:
		emit_sysval(s, intr, VSVM_SV_WG_SIZE_X);
		return;
	case nir_intrinsic_load_global_invocation_id:
		emit_sysval(s, intr, VSVM_SV_GLOBAL_ID_X);
		return;
	case nir_intrinsic_load_subgroup_invocation:
		emit_sysval(s, intr, VSVM_SV_LANE_ID);
		return;
	case nir_intrinsic_barrier: {
		mesa_scope exec = nir_intrinsic_execution_scope(intr);
		nir_variable_mode modes = nir_intrinsic_memory_modes(intr);

		/* BAR orders shared memory; global memory needs a FENCE. */
		if (modes & (nir_var_mem_global | nir_var_mem_ssbo |
			     nir_var_image))
			emit(s, VSVM_OP_FENCE, 0, 0, N, N, N, N, 0);
		if (exec >= SCOPE_WORKGROUP)
			emit(s, VSVM_OP_BAR, 0, 0, N, N, N, N, 0);
		else if (modes & nir_var_mem_shared)
			emit(s, VSVM_OP_FENCE, 0, 0, N, N, N, N, 0);
		return;
	}
	default:
		vsvm_code_error(s->code, "unsupported intrinsic %s",
				nir_intrinsic_infos[intr->intrinsic].name);
		return;
	}
}

static void
emit_block(struct isel *s, nir_block *block)
{
	nir_foreach_instr(instr, block) {
		switch (instr->type) {
		case nir_instr_type_alu:
			emit_alu(s, nir_instr_as_alu(instr));
			break;
		case nir_instr_type_intrinsic:
			emit_intrinsic(s, nir_instr_as_intrinsic(instr));
			break;
		case nir_instr_type_load_const: {
			nir_load_const_instr *lc = nir_instr_as_load_const(instr);

			for (unsigned int i = 0; i < lc->def.num_components; i++) {
				uint64_t v = nir_const_value_as_uint(lc->value[i],
								     lc->def.bit_size);

				if (lc->def.bit_size == 1)
					v = v ? 0xffffffff : 0;
				emit(s, VSVM_OP_MOVI, 0, 0, def_vreg(s, &lc->def, i),
				     N, N, N, v);
			}
			break;
		}
		case nir_instr_type_undef:
			/* Any value will do: leave the registers as they are. */
			break;
		case nir_instr_type_jump: {
			nir_jump_instr *j = nir_instr_as_jump(instr);

			if (j->type == nir_jump_break)
				emit(s, VSVM_OP_BREAK, 0, 0, N, N, N, N, 0);
			else if (j->type == nir_jump_continue)
				emit(s, VSVM_OP_CONTINUE, 0, 0, N, N, N, N, 0);
			else if (j->type == nir_jump_halt || j->type == nir_jump_return)
				emit(s, VSVM_OP_EXIT, 0, 0, N, N, N, N, 0);
			else
				vsvm_code_error(s->code, "unsupported jump");
			break;
		}
		default:
			vsvm_code_error(s->code, "unsupported instruction type %d",
					instr->type);
			break;
		}
		if (s->code->error)
			return;
	}
}

static void emit_cf_list(struct isel *s, struct exec_list *list);

static void
emit_cf_list(struct isel *s, struct exec_list *list)
{
	foreach_list_typed(nir_cf_node, node, node, list) {
		switch (node->type) {
		case nir_cf_node_block:
			emit_block(s, nir_cf_node_as_block(node));
			break;
		case nir_cf_node_if: {
			nir_if *nif = nir_cf_node_as_if(node);

			emit(s, VSVM_OP_IF, 0, 0, N, src_vreg(s, nif->condition, 0),
			     N, N, 0);
			emit_cf_list(s, &nif->then_list);
			if (!nir_cf_list_is_empty_block(&nif->else_list)) {
				emit(s, VSVM_OP_ELSE, 0, 0, N, N, N, N, 0);
				emit_cf_list(s, &nif->else_list);
			}
			emit(s, VSVM_OP_ENDIF, 0, 0, N, N, N, N, 0);
			break;
		}
		case nir_cf_node_loop: {
			nir_loop *loop = nir_cf_node_as_loop(node);

			if (nir_loop_has_continue_construct(loop)) {
				vsvm_code_error(s->code, "loop continue construct");
				return;
			}
			emit(s, VSVM_OP_LOOP, 0, 0, N, N, N, N, 0);
			emit_cf_list(s, &loop->body);
			emit(s, VSVM_OP_ENDLOOP, 0, 0, N, N, N, N, 0);
			break;
		}
		default:
			vsvm_code_error(s->code, "unsupported control flow");
			return;
		}
		if (s->code->error)
			return;
	}
}

/*
 * A trivial store_reg of a scalar whose producer is an ALU operation or a
 * load: the producer can write the register itself.  Every emitter writes
 * its destination last, after reading all sources, so this holds even when
 * a source is a load_reg of the same register (x = x + 1).
 */
static void
coalesce_stores(struct isel *s, nir_function_impl *impl)
{
	nir_foreach_block(block, impl) {
		nir_foreach_instr(instr, block) {
			nir_intrinsic_instr *st;
			nir_def *val;
			nir_instr *prod;

			if (instr->type != nir_instr_type_intrinsic)
				continue;
			st = nir_instr_as_intrinsic(instr);
			if (st->intrinsic != nir_intrinsic_store_reg)
				continue;
			val = st->src[0].ssa;
			prod = val->parent_instr;
			if (val->num_components != 1 ||
			    nir_intrinsic_write_mask(st) != 1 ||
			    !list_is_singular(&val->uses) ||
			    prod->block != block ||
			    s->def_base[val->index] != N)
				continue;
			if (prod->type == nir_instr_type_alu ||
			    (prod->type == nir_instr_type_intrinsic &&
			     nir_instr_as_intrinsic(prod)->intrinsic !=
				nir_intrinsic_load_reg &&
			     nir_instr_as_intrinsic(prod)->intrinsic !=
				nir_intrinsic_decl_reg))
				s->def_base[val->index] = src_vreg(s, st->src[1], 0);
		}
	}
}

/* Control-flow nesting the ISA allows (VSVM_MAX_NESTING). */
static bool
check_nesting(struct vsvm_code *c)
{
	unsigned int depth = 0;

	for (unsigned int i = 0; i < vsvm_code_num_insns(c); i++) {
		uint8_t op = vsvm_code_insn(c, i)->op;

		if (op == VSVM_OP_IF || op == VSVM_OP_LOOP)
			depth++;
		else if (op == VSVM_OP_ENDIF || op == VSVM_OP_ENDLOOP)
			depth--;
		if (depth > VSVM_MAX_NESTING) {
			vsvm_code_error(c, "control flow nested deeper than %u",
					VSVM_MAX_NESTING);
			return false;
		}
	}
	return true;
}

bool
vsvm_compile_nir(nir_shader *nir, const struct vsvm_compiler_limits *limits,
		 struct vsvm_shader_binary *out, char **error)
{
	struct vsvm_code code;
	struct isel s = { .code = &code, .limits = limits };
	nir_function_impl *impl;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	*error = NULL;
	vsvm_code_init(&code);

	/*
	 * Out of SSA: phi webs become NIR registers (decl/load/store_reg),
	 * made trivial so that loads and stores need no copies.
	 */
	NIR_PASS(_, nir, nir_convert_from_ssa, true, false);
	NIR_PASS(_, nir, nir_opt_dce);
	nir_trivialize_registers(nir);

	impl = nir_shader_get_entrypoint(nir);
	if (!impl) {
		vsvm_code_error(&code, "no entry point");
		goto out;
	}
	nir_index_ssa_defs(impl);
	if (vsvm_debug_flags() & VSVM_DBG_NIR)
		nir_print_shader(nir, stderr);

	s.num_defs = impl->ssa_alloc;
	s.def_base = malloc(sizeof(*s.def_base) * (s.num_defs + 1));
	if (!s.def_base) {
		vsvm_code_error(&code, "out of memory");
		goto out;
	}
	for (unsigned int i = 0; i < s.num_defs; i++)
		s.def_base[i] = N;

	/* Registers first: decl_reg must have its vregs before any use. */
	nir_foreach_block(block, impl) {
		nir_foreach_instr(instr, block) {
			if (instr->type == nir_instr_type_intrinsic &&
			    nir_instr_as_intrinsic(instr)->intrinsic ==
				nir_intrinsic_decl_reg)
				emit_intrinsic(&s, nir_instr_as_intrinsic(instr));
		}
	}
	coalesce_stores(&s, impl);
	emit_cf_list(&s, &impl->body);
	emit(&s, VSVM_OP_END, 0, 0, N, N, N, N, 0);
	if (code.error || !check_nesting(&code))
		goto out;

	if (!(vsvm_debug_flags() & VSVM_DBG_NO_OPT))
		vsvm_dce(&code);
	if (!vsvm_register_allocate(&code, limits->num_regs))
		goto out;

	out->scratch_size = nir->scratch_size;
	out->shared_size = nir->info.shared_size;
	if (limits->max_scratch && out->scratch_size > limits->max_scratch) {
		vsvm_code_error(&code, "%u bytes of scratch per lane, the device "
				"has %u", out->scratch_size, limits->max_scratch);
		goto out;
	}
	if (limits->max_shared && out->shared_size > limits->max_shared) {
		vsvm_code_error(&code, "%u bytes of shared memory, the device "
				"has %u", out->shared_size, limits->max_shared);
		goto out;
	}

	out->code = vsvm_encode(&code, &out->size);
	if (!out->code) {
		vsvm_code_error(&code, "out of memory");
		goto out;
	}
	out->num_insns = out->size / VSVM_INSN_SIZE;
	out->num_regs = code.num_phys;
	ok = true;

	if (vsvm_debug_flags() & VSVM_DBG_SHADERS) {
		fprintf(stderr, "vsvm: shader %s: %u instructions, %u registers, "
			"%u B scratch, %u B shared\n",
			nir->info.name ? nir->info.name : "(unnamed)",
			out->num_insns, out->num_regs, out->scratch_size,
			out->shared_size);
		vsvm_disassemble(out->code, out->size, stderr);
	}
out:
	if (!ok) {
		*error = code.error ? code.error : strdup("unknown error");
		code.error = NULL;
	}
	free(s.def_base);
	vsvm_code_finish(&code);
	return ok;
}

void
vsvm_shader_binary_finish(struct vsvm_shader_binary *bin)
{
	free(bin->code);
	memset(bin, 0, sizeof(*bin));
}
