/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 *
 * The vsvm NIR backend: NIR compute shaders in, vsvm ISA (see
 * include/drm-uapi/vsvm_isa.h) out.  It knows nothing of Gallium, so a
 * Vulkan driver can share it.
 */
#ifndef VSVM_COMPILER_H
#define VSVM_COMPILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct nir_shader;
struct nir_shader_compiler_options;

/* VSVM_DEBUG bits */
#define VSVM_DBG_SHADERS	(1u << 0)	/* print the final ISA */
#define VSVM_DBG_NIR		(1u << 1)	/* print the NIR the backend gets */
#define VSVM_DBG_NO_OPT		(1u << 2)	/* skip the backend's own cleanup */

/* Parsed once from the VSVM_DEBUG environment variable. */
uint32_t vsvm_debug_flags(void);

struct vsvm_compiler_limits {
	unsigned int num_regs;		/* registers per lane, <= VSVM_NUM_REGS */
	unsigned int max_scratch;	/* bytes of scratch per lane */
	unsigned int max_shared;	/* bytes of shared memory */
	unsigned int max_args;		/* bytes of argument buffer */
};

struct vsvm_shader_binary {
	uint8_t *code;			/* malloc()ed, a multiple of 16 bytes */
	size_t size;
	unsigned int num_insns;
	unsigned int num_regs;		/* registers the code uses */
	unsigned int scratch_size;	/* bytes per lane */
	unsigned int shared_size;	/* bytes of static shared memory */
};

/* Options the producer of the NIR should honour; stable for the process. */
const struct nir_shader_compiler_options *vsvm_get_nir_options(void);

/*
 * NIR's generic optimizations, to a fixed point, as vsvm_preprocess_nir()
 * runs them; for a producer's own lowering between them.
 */
void vsvm_optimize_nir(struct nir_shader *nir);

/*
 * Lowers and optimizes @nir (a MESA_SHADER_KERNEL or COMPUTE shader with
 * explicit I/O) into the form vsvm_compile_nir() expects.  Idempotent.
 */
void vsvm_preprocess_nir(struct nir_shader *nir);

/*
 * Compiles a preprocessed shader.  On failure returns false and puts a
 * malloc()ed, NUL-terminated reason into *@error (the caller frees it).
 */
bool vsvm_compile_nir(struct nir_shader *nir,
		      const struct vsvm_compiler_limits *limits,
		      struct vsvm_shader_binary *out, char **error);

void vsvm_shader_binary_finish(struct vsvm_shader_binary *bin);

/*
 * Prints @size bytes of code in the syntax of tools/vsvm-as, one
 * instruction a line with blocks indented, so the output assembles back to
 * the same bytes.  Returns the number of instructions it could not decode.
 */
int vsvm_disassemble(const uint8_t *code, size_t size, FILE *fp);

/* One instruction into @buf (no indentation); false if it is not valid. */
bool vsvm_disassemble_insn(uint64_t w0, uint64_t w1, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* VSVM_COMPILER_H */
