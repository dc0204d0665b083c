/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 *
 * Unit tests of the vsvm NIR backend: NIR built here goes in, and the ISA
 * that comes out is compared, as disassembly, with the expected program.
 * The expected programs were checked by hand against docs/isa.md; a change
 * in instruction selection or register allocation shows up as a diff.
 *
 * Usage: vsvm_compiler_test [--dump DIR]
 *   --dump DIR  also write each test's NAME.bin and NAME.s (the
 *               disassembly) into DIR, for the round trip through
 *               tools/vsvm-as that "make mesa-test" checks.
 *
 * Ends with the line "N passed, N failed".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/glsl_types.h"
#include "compiler/nir/nir.h"
#include "compiler/nir/nir_builder.h"
#include "drm-uapi/vsvm_isa.h"
#include "vsvm_compiler.h"

static const char *dump_dir;
static unsigned int passed, failed;

static const struct vsvm_compiler_limits limits = {
	.num_regs = 256,
	.max_scratch = 4096,
	.max_shared = 65536,
	.max_args = 4096,
};

static nir_builder
kernel(const char *name)
{
	nir_builder b = nir_builder_init_simple_shader(MESA_SHADER_KERNEL,
						       vsvm_get_nir_options(),
						       "%s", name);

	b.shader->info.workgroup_size[0] = 64;
	b.shader->info.workgroup_size[1] = 1;
	b.shader->info.workgroup_size[2] = 1;
	return b;
}

/* Disassembly without the offset comments and indentation, one line each. */
static char *
listing(const struct vsvm_shader_binary *bin)
{
	size_t cap = bin->num_insns * 96 + 1, pos = 0;
	char *out = malloc(cap);

	out[0] = '\0';
	for (unsigned int i = 0; i < bin->num_insns; i++) {
		uint64_t w0, w1;
		char line[128];

		memcpy(&w0, bin->code + i * 16, 8);
		memcpy(&w1, bin->code + i * 16 + 8, 8);
		vsvm_disassemble_insn(w0, w1, line, sizeof(line));
		pos += snprintf(out + pos, cap - pos, "%s\n", line);
	}
	return out;
}

static void
dump(const char *name, const struct vsvm_shader_binary *bin)
{
	char path[4096];
	FILE *f;

	if (!dump_dir)
		return;
	snprintf(path, sizeof(path), "%s/%s.bin", dump_dir, name);
	f = fopen(path, "wb");
	if (f) {
		fwrite(bin->code, 1, bin->size, f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/%s.s", dump_dir, name);
	f = fopen(path, "w");
	if (f) {
		vsvm_disassemble(bin->code, bin->size, f);
		fclose(f);
	}
}

static void
result(const char *name, bool ok, const char *why)
{
	printf("%s: %s%s%s\n", ok ? "PASS" : "FAIL", name, why ? ": " : "",
	       why ? why : "");
	if (ok)
		passed++;
	else
		failed++;
}

/* Compiles @b's shader; checks the listing equals @expected if non-NULL. */
static void
check_program(const char *name, nir_builder *b, const char *expected)
{
	struct vsvm_shader_binary bin;
	char *error = NULL, *got;

	nir_validate_shader(b->shader, "test input");
	NIR_PASS(_, b->shader, nir_lower_vars_to_ssa);
	vsvm_preprocess_nir(b->shader);
	if (!vsvm_compile_nir(b->shader, &limits, &bin, &error)) {
		result(name, false, error);
		free(error);
		ralloc_free(b->shader);
		return;
	}
	dump(name, &bin);
	got = listing(&bin);
	if (expected && strcmp(got, expected)) {
		printf("--- expected\n%s--- got\n%s---\n", expected, got);
		result(name, false, "unexpected ISA");
	} else {
		result(name, true, NULL);
	}
	free(got);
	vsvm_shader_binary_finish(&bin);
	ralloc_free(b->shader);
}

/* Compilation must fail with an error containing @needle. */
static void
check_error(const char *name, nir_builder *b, const char *needle)
{
	struct vsvm_shader_binary bin;
	char *error = NULL;

	NIR_PASS(_, b->shader, nir_lower_vars_to_ssa);
	vsvm_preprocess_nir(b->shader);
	if (vsvm_compile_nir(b->shader, &limits, &bin, &error)) {
		vsvm_shader_binary_finish(&bin);
		result(name, false, "compiled, but must not");
	} else if (!error || !strstr(error, needle)) {
		printf("error was: %s\n", error ? error : "(none)");
		result(name, false, "wrong error");
	} else {
		result(name, true, NULL);
	}
	free(error);
	ralloc_free(b->shader);
}

static nir_def *
arg_ptr(nir_builder *b, unsigned int offset)
{
	return nir_load_kernel_input(b, 1, 64, nir_imm_int(b, 0), .base = offset);
}

/* c[i] = a[i] + b[i] on floats, with i the 64-bit global id. */
static void
test_vector_add(void)
{
	nir_builder b = kernel("vector_add");
	nir_def *i = nir_channel(&b, nir_load_global_invocation_id(&b, 64), 0);
	nir_def *off = nir_imul_imm(&b, i, 4);
	nir_def *x = nir_load_global(&b, nir_iadd(&b, arg_ptr(&b, 0), off), 4, 1, 32);
	nir_def *y = nir_load_global(&b, nir_iadd(&b, arg_ptr(&b, 8), off), 4, 1, 32);

	nir_store_global(&b, nir_iadd(&b, arg_ptr(&b, 16), off), 4,
			 nir_fadd(&b, x, y), 1);
	check_program("vector_add", &b,
		      "sv r0, global_id.x\n"
		      "shl.64 r1, r0, 2\n"
		      "ldarg.u64 r0, 0\n"
		      "add.64 r2, r0, r1\n"
		      "ld.global.u32 r0, [r2]\n"
		      "ldarg.u64 r2, 8\n"
		      "add.64 r3, r2, r1\n"
		      "ld.global.u32 r2, [r3]\n"
		      "fadd r3, r0, r2\n"
		      "ldarg.u64 r0, 16\n"
		      "add.64 r2, r0, r1\n"
		      "st.global.u32 [r2], r3\n"
		      "end\n");
}

/* Lanes below n add 1 atomically; the others swap 5 in where 0 was. */
static void
test_atomics(void)
{
	nir_builder b = kernel("atomics");
	nir_def *i = nir_channel(&b, nir_load_global_invocation_id(&b, 32), 0);
	nir_def *n = nir_load_kernel_input(&b, 1, 32, nir_imm_int(&b, 0), .base = 8);
	nir_def *p = arg_ptr(&b, 0);

	nir_push_if(&b, nir_ult(&b, i, n));
	nir_global_atomic(&b, 32, p, nir_imm_int(&b, 1),
			  .atomic_op = nir_atomic_op_iadd);
	nir_push_else(&b, NULL);
	nir_global_atomic_swap(&b, 64, p, nir_imm_int64(&b, 0),
			       nir_imm_int64(&b, 5),
			       .atomic_op = nir_atomic_op_cmpxchg);
	nir_pop_if(&b, NULL);
	check_program("atomics", &b,
		      "sv r0, global_id.x\n"
		      "cvt.u64.u32 r1, r0\n"
		      "ldarg.u32 r0, 8\n"
		      "ldarg.u64 r2, 0\n"
		      "icmp.ltu.32 r3, r1, r0\n"
		      "if r3\n"
		      "movi r0, 1\n"
		      "atom.global.add.u32 r1, [r2], r0\n"
		      "else\n"
		      "movi r0, 5\n"
		      "movi r1, 0\n"
		      "atom.global.cmpxchg.u64 r3, [r2], r0, r1\n"
		      "endif\n"
		      "end\n");
}

/*
 * OpenCL's atomic_store(release) and atomic_load(acquire) as spirv_to_nir
 * gives them: coherent accesses between barriers.  They become ATOMs
 * (XCHG, OR of 0) and the barriers FENCEs.
 */
static void
test_coherent(void)
{
	nir_builder b = kernel("coherent");
	nir_def *p = arg_ptr(&b, 0), *v;

	nir_barrier(&b, .memory_scope = SCOPE_DEVICE,
		    .memory_semantics = NIR_MEMORY_RELEASE,
		    .memory_modes = nir_var_mem_global);
	nir_build_store_global(&b, nir_imm_int(&b, 1), p, .write_mask = 1,
			       .access = ACCESS_COHERENT, .align_mul = 4);
	v = nir_build_load_global(&b, 1, 32, nir_iadd_imm(&b, p, 4),
				  .access = ACCESS_COHERENT, .align_mul = 4);
	nir_barrier(&b, .memory_scope = SCOPE_DEVICE,
		    .memory_semantics = NIR_MEMORY_ACQUIRE,
		    .memory_modes = nir_var_mem_global);
	nir_store_global(&b, nir_iadd_imm(&b, p, 8), 4, v, 1);
	check_program("coherent", &b,
		      "ldarg.u64 r0, 0\n"
		      "fence\n"
		      "movi r1, 1\n"
		      "atom.global.xchg.u32 r2, [r0], r1\n"
		      "add.64 r1, r0, 4\n"
		      "movi r2, 0\n"
		      "atom.global.or.u32 r3, [r1], r2\n"
		      "fence\n"
		      "add.64 r1, r0, 8\n"
		      "st.global.u32 [r1], r3\n"
		      "end\n");
}

/* A loop with a counter carried around it, leaving through break. */
static void
test_loop(void)
{
	nir_builder b = kernel("loop");
	nir_variable *sum = nir_local_variable_create(b.impl, glsl_uint_type(), "sum");
	nir_variable *k = nir_local_variable_create(b.impl, glsl_uint_type(), "k");
	nir_def *n = nir_load_kernel_input(&b, 1, 32, nir_imm_int(&b, 0), .base = 8);

	nir_store_var(&b, sum, nir_imm_int(&b, 0), 1);
	nir_store_var(&b, k, nir_imm_int(&b, 0), 1);
	nir_push_loop(&b);
	{
		nir_def *kv = nir_load_var(&b, k);

		nir_push_if(&b, nir_uge(&b, kv, n));
		nir_jump(&b, nir_jump_break);
		nir_pop_if(&b, NULL);
		nir_store_var(&b, sum, nir_iadd(&b, nir_load_var(&b, sum),
						nir_imul(&b, kv, kv)), 1);
		nir_store_var(&b, k, nir_iadd_imm(&b, kv, 1), 1);
	}
	nir_pop_loop(&b, NULL);
	nir_store_global(&b, arg_ptr(&b, 0), 4, nir_load_var(&b, sum), 1);
	check_program("loop", &b,
		      "movi r0, 0\n"
		      "ldarg.u32 r1, 8\n"
		      "mov r2, r0\n"
		      "mov r3, r0\n"
		      "loop\n"
		      "icmp.leu.32 r0, r1, r3\n"
		      "if r0\n"
		      "break\n"
		      "endif\n"
		      "mul.32 r0, r3, r3\n"
		      "add.32 r2, r2, r0\n"
		      "add.32 r3, r3, 1\n"
		      "endloop\n"
		      "ldarg.u64 r0, 0\n"
		      "st.global.u32 [r0], r2\n"
		      "end\n");
}

/* Local memory with a barrier: each lane writes its id, reads its neighbour's. */
static void
test_shared_barrier(void)
{
	nir_builder b = kernel("shared_barrier");
	nir_def *l = nir_channel(&b, nir_load_local_invocation_id(&b), 0);
	nir_def *off = nir_ishl_imm(&b, l, 2);
	nir_def *next = nir_iand_imm(&b, nir_iadd_imm(&b, l, 1), 63);

	b.shader->info.shared_size = 256;
	nir_store_shared(&b, l, off, .base = 0, .align_mul = 4, .write_mask = 1);
	nir_barrier(&b, .execution_scope = SCOPE_WORKGROUP,
		    .memory_scope = SCOPE_WORKGROUP,
		    .memory_semantics = NIR_MEMORY_ACQ_REL,
		    .memory_modes = nir_var_mem_shared);
	nir_def *v = nir_load_shared(&b, 1, 32, nir_ishl_imm(&b, next, 2),
				     .base = 0, .align_mul = 4);
	nir_def *gid = nir_channel(&b, nir_load_global_invocation_id(&b, 64), 0);

	nir_store_global(&b, nir_iadd(&b, arg_ptr(&b, 0), nir_imul_imm(&b, gid, 4)),
			 4, v, 1);
	check_program("shared_barrier", &b,
		      "sv r0, local_id.x\n"
		      "mov r1, r0\n"
		      "shl.32 r2, r0, 2\n"
		      "add.32 r3, r0, 1\n"
		      "and.32 r0, r3, 63\n"
		      "st.shared.u32 [r2], r1\n"
		      "bar\n"
		      "shl.32 r1, r0, 2\n"
		      "ld.shared.u32 r0, [r1]\n"
		      "sv r1, global_id.x\n"
		      "shl.64 r2, r1, 2\n"
		      "ldarg.u64 r1, 0\n"
		      "add.64 r3, r1, r2\n"
		      "st.global.u32 [r3], r0\n"
		      "end\n");
}

/* int64 division, float conversions and a select. */
static void
test_int64_float(void)
{
	nir_builder b = kernel("int64_float");
	nir_def *x = nir_load_kernel_input(&b, 1, 64, nir_imm_int(&b, 0), .base = 8);
	nir_def *y = nir_load_kernel_input(&b, 1, 64, nir_imm_int(&b, 0), .base = 16);
	nir_def *q = nir_idiv(&b, x, y);
	nir_def *r = nir_imod(&b, x, y);
	nir_def *f = nir_i2f32(&b, q);
	nir_def *g = nir_fsqrt(&b, nir_fabs(&b, f));
	nir_def *sel = nir_bcsel(&b, nir_flt(&b, g, nir_imm_float(&b, 2.0f)),
				 nir_f2i64(&b, g), r);
	nir_def *p = arg_ptr(&b, 0);

	nir_store_global(&b, p, 8, sel, 1);
	check_program("int64_float", &b,
		      "ldarg.u64 r0, 8\n"
		      "ldarg.u64 r1, 16\n"
		      "divs.64 r2, r0, r1\n"
		      "rems.64 r3, r0, r1\n"
		      "xor.64 r0, r3, r1\n"
		      "icmp.lts.64 r4, r0, 0\n"
		      "icmp.ne.64 r0, r3, 0\n"
		      "and.32 r5, r4, r0\n"
		      "add.64 r0, r3, r1\n"
		      "sel.64 r1, r5, r0, r3\n"
		      "cvt.f32.s64 r0, r2\n"
		      "fabs r2, r0\n"
		      "fsqrt r0, r2\n"
		      "cvt.s64.f32 r2, r0\n"
		      "fcmp.lt r3, r0, 2.0\n"
		      "sel.64 r0, r3, r2, r1\n"
		      "ldarg.u64 r1, 0\n"
		      "st.global.u64 [r1], r0\n"
		      "end\n");
}

/*
 * Widening integer conversions write their destination directly: one CVT
 * each, not a CVT into a temporary and a MOV.
 */
static void
test_widen(void)
{
	nir_builder b = kernel("widen");
	nir_def *x = nir_load_kernel_input(&b, 1, 32, nir_imm_int(&b, 0), .base = 8);
	nir_def *y = nir_load_kernel_input(&b, 1, 32, nir_imm_int(&b, 0), .base = 12);
	nir_def *p = arg_ptr(&b, 0);

	nir_store_global(&b, nir_iadd(&b, p, nir_u2u64(&b, x)), 8, nir_i2i64(&b, y), 1);
	check_program("widen", &b,
		      "ldarg.u32 r0, 8\n"
		      "ldarg.u32 r1, 12\n"
		      "ldarg.u64 r2, 0\n"
		      "cvt.s64.s32 r3, r1\n"
		      "add.64 r1, r2, r0\n"
		      "st.global.u64 [r1], r3\n"
		      "end\n");
}

/*
 * The stream kernel's shape: a 32-bit system value widened for an address
 * is the SV's register itself (SV and 32-bit results are zero-extended),
 * but not when the 32-bit value is a NIR register that changes after the
 * widening; ffma takes a constant multiplier as its immediate b.
 */
static void
test_zext_alias(void)
{
	nir_builder b = kernel("zext_alias");
	nir_def *l = nir_channel(&b, nir_load_local_invocation_id(&b), 0);
	nir_def *off = nir_ishl_imm(&b, nir_u2u64(&b, l), 2);
	nir_def *p = nir_iadd(&b, arg_ptr(&b, 0), off);
	nir_def *x = nir_load_global(&b, p, 4, 1, 32);
	nir_def *r = nir_decl_reg(&b, 1, 32, 0);
	nir_def *w;

	nir_store_reg(&b, x, r);
	w = nir_u2u64(&b, nir_load_reg(&b, r));
	nir_store_reg(&b, nir_iadd_imm(&b, x, 1), r);
	nir_store_global(&b, p, 4,
			 nir_ffma(&b, nir_imm_float(&b, 2.0f), x,
				  nir_load_reg(&b, r)), 1);
	nir_store_global(&b, nir_iadd_imm(&b, p, 8), 8, w, 1);
	check_program("zext_alias", &b,
		      "sv r0, local_id.x\n"
		      "shl.64 r1, r0, 2\n"
		      "ldarg.u64 r0, 0\n"
		      "add.64 r2, r0, r1\n"
		      "ld.global.u32 r0, [r2]\n"
		      "mov r1, r0\n"
		      "cvt.u64.u32 r3, r1\n"
		      "add.32 r1, r0, 1\n"
		      "ffma r4, r0, 2.0, r1\n"
		      "st.global.u32 [r2], r4\n"
		      "add.64 r0, r2, 8\n"
		      "st.global.u64 [r0], r3\n"
		      "end\n");
}

static bool
uses_intrinsic(nir_shader *nir, nir_intrinsic_op op)
{
	nir_foreach_function_impl(impl, nir) {
		nir_foreach_block(block, impl) {
			nir_foreach_instr(instr, block) {
				if (instr->type == nir_instr_type_intrinsic &&
				    nir_instr_as_intrinsic(instr)->intrinsic == op)
					return true;
			}
		}
	}
	return false;
}

/*
 * u2u64 of a NIR register (a loop counter, say): the register itself while
 * every use comes before the next write of the register, whether that
 * write is the store_reg or, as for n below, the producer writing the
 * register in its place.
 */
static void
test_zext_alias_reg(void)
{
	nir_builder b = kernel("zext_alias_reg");
	nir_def *p = arg_ptr(&b, 0);
	nir_def *r = nir_decl_reg(&b, 1, 32, 0);
	nir_def *w, *n;

	nir_store_reg(&b, nir_load_global(&b, p, 4, 1, 32), r);
	/* Used before the register changes: no cvt. */
	w = nir_u2u64(&b, nir_load_reg(&b, r));
	nir_store_global(&b, nir_iadd_imm(&b, p, 8), 8, w, 1);
	nir_store_reg(&b, nir_iadd_imm(&b, nir_load_reg(&b, r), 1), r);
	/* Used after n is computed into the register: a cvt first. */
	w = nir_u2u64(&b, nir_load_reg(&b, r));
	n = nir_iadd_imm(&b, nir_load_reg(&b, r), 5);
	nir_store_global(&b, nir_iadd_imm(&b, p, 16), 8, w, 1);
	nir_store_reg(&b, n, r);
	nir_store_global(&b, p, 4, nir_load_reg(&b, r), 1);
	/* A register that may hold an undef (a phi of one, out of SSA): a cvt. */
	r = nir_decl_reg(&b, 1, 32, 0);
	nir_push_if(&b, nir_ieq_imm(&b, nir_load_global(&b, p, 4, 1, 32), 0));
	nir_store_reg(&b, nir_undef(&b, 1, 32), r);
	nir_push_else(&b, NULL);
	nir_store_reg(&b, nir_load_global(&b, p, 4, 1, 32), r);
	nir_pop_if(&b, NULL);
	nir_store_global(&b, nir_iadd_imm(&b, p, 24), 8,
			 nir_u2u64(&b, nir_load_reg(&b, r)), 1);
	check_program("zext_alias_reg", &b,
		      "ldarg.u64 r0, 0\n"
		      "ld.global.u32 r1, [r0]\n"
		      "add.64 r2, r0, 8\n"
		      "st.global.u64 [r2], r1\n"
		      "add.32 r1, r1, 1\n"
		      "cvt.u64.u32 r2, r1\n"
		      "add.32 r1, r1, 5\n"
		      "add.64 r3, r0, 16\n"
		      "st.global.u64 [r3], r2\n"
		      "st.global.u32 [r0], r1\n"
		      "ld.global.u32 r1, [r0]\n"
		      "icmp.eq.32 r2, r1, 0\n"
		      "if r2\n"
		      "mov r1, r2\n"
		      "else\n"
		      "ld.global.u32 r1, [r0]\n"
		      "endif\n"
		      "cvt.u64.u32 r2, r1\n"
		      "add.64 r1, r0, 24\n"
		      "st.global.u64 [r1], r2\n"
		      "end\n");
}

/*
 * get_global_id(0) as Rusticl lowers it: without a base workgroup (its
 * variant for launches without an offset) the global id stays one SV; with
 * one, NIR builds it from the workgroup id, size and local id.
 */
static void
global_id_case(const char *name, bool base, const char *expected)
{
	nir_builder b = kernel(name);
	nir_lower_compute_system_values_options csv = {
		.has_global_size = true,
		.has_base_global_invocation_id = base,
		.has_base_workgroup_id = base,
	};
	nir_def *gid = nir_channel(&b, nir_load_global_invocation_id(&b, 64), 0);
	nir_def *p = nir_iadd(&b, arg_ptr(&b, 0), nir_ishl_imm(&b, gid, 2));
	bool ok;

	b.shader->info.workgroup_size_variable = true;
	nir_store_global(&b, p, 4, nir_u2u32(&b, gid), 1);
	NIR_PASS(_, b.shader, nir_lower_compute_system_values, &csv);
	if (!base) {
		check_program(name, &b, expected);
		return;
	}
	/* Rusticl turns the base into a kernel input; here, NIR's part only. */
	ok = !uses_intrinsic(b.shader, nir_intrinsic_load_global_invocation_id) &&
	     uses_intrinsic(b.shader, nir_intrinsic_load_base_workgroup_id);
	result(name, ok, ok ? NULL : "the global id is not built from the base workgroup");
	ralloc_free(b.shader);
}

static void
test_global_id(void)
{
	global_id_case("global_id", false,
		       "sv r0, global_id.x\n"
		       "shl.64 r1, r0, 2\n"
		       "ldarg.u64 r2, 0\n"
		       "add.64 r3, r2, r1\n"
		       "cvt.u64.u32 r1, r0\n"
		       "st.global.u32 [r3], r1\n"
		       "end\n");
	global_id_case("global_id_base", true, NULL);
}

/* More live values than registers: a clean error, no spilling. */
static void
test_register_pressure(void)
{
	nir_builder b = kernel("pressure");
	nir_def *p = arg_ptr(&b, 0);
	nir_def *vals[300];
	nir_def *sum;

	for (unsigned int i = 0; i < 300; i++)
		vals[i] = nir_load_global(&b, nir_iadd_imm(&b, p, i * 4), 4, 1, 32);
	sum = vals[299];
	for (int i = 298; i >= 0; i--)
		sum = nir_iadd(&b, nir_imul(&b, sum, vals[299 - i]), vals[i]);
	nir_store_global(&b, p, 4, sum, 1);
	check_error("register_pressure", &b, "more than 256 registers");
}

/* An operation the ISA does not have and NIR cannot lower: a clean error. */
static void
test_unsupported(void)
{
	nir_builder b = kernel("unsupported");
	nir_def *p = arg_ptr(&b, 0);

	nir_store_global(&b, p, 4,
			 nir_fsin(&b, nir_load_global(&b, p, 4, 1, 32)), 1);
	check_error("unsupported_fsin", &b, "fsin");
}

/* The disassembler prints what tools/vsvm-as reads. */
static void
test_disasm(void)
{
	const struct {
		uint64_t w0, w1;
		const char *text;
	} cases[] = {
		{ vsvm_insn_word0(VSVM_OP_ADD, 1, 2, 0, 0, VSVM_MOD_32, 0,
				  VSVM_F_SRC1_IMM), (uint64_t)-4, "add.32 r1, r2, -4" },
		{ vsvm_insn_word0(VSVM_OP_LD, 3, 4, 0, 0,
				  3 | (VSVM_SPACE_GLOBAL << VSVM_MOD_SPACE_SHIFT), 0, 0),
		  24, "ld.global.u64 r3, [r4 + 24]" },
		{ vsvm_insn_word0(VSVM_OP_LD, 3, 4, 0, 0,
				  VSVM_MOD_SIGNED | 1 |
				  (VSVM_SPACE_SCRATCH << VSVM_MOD_SPACE_SHIFT), 0, 0),
		  (uint64_t)-8, "ld.scratch.s16 r3, [r4 - 8]" },
		{ vsvm_insn_word0(VSVM_OP_FMUL, 5, 6, 0, 0, 0, 0, VSVM_F_SRC1_IMM),
		  0x3fc00000, "fmul r5, r6, 1.5" },
		{ vsvm_insn_word0(VSVM_OP_FCMP, 7, 8, 9, 0, 0, VSVM_COND_LES, 0), 0,
		  "fcmp.le r7, r8, r9" },
		{ vsvm_insn_word0(VSVM_OP_CVT, 1, 2, 0, 0, 0, VSVM_CVT_F32_U64, 0), 0,
		  "cvt.f32.u64 r1, r2" },
		{ vsvm_insn_word0(VSVM_OP_SEL, 1, 2, 3, 4, VSVM_MOD_64, 0, 0), 0,
		  "sel.64 r1, r2, r3, r4" },
		{ vsvm_insn_word0(VSVM_OP_TRAP, 0, 0, 0, 0, 0, 0, 0), 7, "trap 7" },
		{ vsvm_insn_word0(VSVM_OP_SV, 1, 0, 0, 0, 0, VSVM_SV_WG_SIZE_X + 2, 0),
		  0, "sv r1, wg_size.z" },
		{ 0xee, 0, ".word 0x00000000000000ee, 0x0000000000000000" },
	};
	char buf[128];
	bool ok = true;

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		vsvm_disassemble_insn(cases[i].w0, cases[i].w1, buf, sizeof(buf));
		if (strcmp(buf, cases[i].text)) {
			printf("disasm: expected \"%s\", got \"%s\"\n",
			       cases[i].text, buf);
			ok = false;
		}
	}
	result("disassembler", ok, NULL);
}

int
main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--dump"))
		dump_dir = argv[2];
	else if (argc != 1) {
		fprintf(stderr, "usage: %s [--dump DIR]\n", argv[0]);
		return 2;
	}
	glsl_type_singleton_init_or_ref();

	test_disasm();
	test_vector_add();
	test_atomics();
	test_coherent();
	test_loop();
	test_shared_barrier();
	test_int64_float();
	test_widen();
	test_zext_alias();
	test_zext_alias_reg();
	test_global_id();
	test_register_pressure();
	test_unsupported();

	glsl_type_singleton_decref();
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
