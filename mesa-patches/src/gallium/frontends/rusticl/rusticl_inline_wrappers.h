/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 *
 * Out-of-line copies of the static inline functions Rusticl calls, for
 * bindgen older than 0.65, which cannot generate such wrappers itself
 * (--wrap-static-fns).  meson.build aliases each rusticl_inline_NAME back
 * to NAME on the Rust side; keep the list there in sync with this file.
 */
#ifndef RUSTICL_INLINE_WRAPPERS_H
#define RUSTICL_INLINE_WRAPPERS_H

#include <stdbool.h>

#include "compiler/glsl_types.h"
#include "compiler/nir/nir.h"
#include "pipe/p_state.h"
#include "util/blob.h"
#include "util/format/u_formats.h"

struct mesa_sha1;

void rusticl_inline_blob_finish(struct blob *blob);
bool rusticl_inline_disk_cache_get_function_identifier(void *ptr,
                                                       struct mesa_sha1 *ctx);
const struct glsl_type *rusticl_inline_glsl_int16_t_type(void);
const struct glsl_type *rusticl_inline_glsl_uint8_t_type(void);
const struct glsl_type *rusticl_inline_glsl_uint_type(void);
const struct glsl_type *rusticl_inline_glsl_uint64_t_type(void);
const struct glsl_type *rusticl_inline_glsl_vector_type(enum glsl_base_type base_type,
                                                        unsigned components);
bool rusticl_inline_glsl_type_is_image(const struct glsl_type *t);
bool rusticl_inline_glsl_type_is_sampler(const struct glsl_type *t);
bool rusticl_inline_glsl_type_is_texture(const struct glsl_type *t);
char *rusticl_inline_mesa_bytes_to_hex(char *buf, const unsigned char *binary,
                                       unsigned len);
nir_function_impl *rusticl_inline_nir_shader_get_entrypoint(const nir_shader *shader);
bool rusticl_inline_should_print_nir(nir_shader *shader);
bool rusticl_inline_should_skip_nir(const char *name);
void rusticl_inline_pipe_resource_reference(struct pipe_resource **dst,
                                            struct pipe_resource *src);
void rusticl_inline_pipe_sampler_view_reference(struct pipe_sampler_view **dst,
                                                struct pipe_sampler_view *src);
void rusticl_inline_util_format_pack_rgba(enum pipe_format format, void *dst,
                                          const void *src, unsigned w);

#endif /* RUSTICL_INLINE_WRAPPERS_H */
