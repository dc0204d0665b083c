/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 */
#include "rusticl_mesa_bindings.h"

void
rusticl_inline_blob_finish(struct blob *blob)
{
   blob_finish(blob);
}

bool
rusticl_inline_disk_cache_get_function_identifier(void *ptr,
                                                  struct mesa_sha1 *ctx)
{
   return disk_cache_get_function_identifier(ptr, ctx);
}

const struct glsl_type *
rusticl_inline_glsl_int16_t_type(void)
{
   return glsl_int16_t_type();
}

const struct glsl_type *
rusticl_inline_glsl_uint8_t_type(void)
{
   return glsl_uint8_t_type();
}

const struct glsl_type *
rusticl_inline_glsl_uint_type(void)
{
   return glsl_uint_type();
}

const struct glsl_type *
rusticl_inline_glsl_uint64_t_type(void)
{
   return glsl_uint64_t_type();
}

const struct glsl_type *
rusticl_inline_glsl_vector_type(enum glsl_base_type base_type,
                                unsigned components)
{
   return glsl_vector_type(base_type, components);
}

bool
rusticl_inline_glsl_type_is_image(const struct glsl_type *t)
{
   return glsl_type_is_image(t);
}

bool
rusticl_inline_glsl_type_is_sampler(const struct glsl_type *t)
{
   return glsl_type_is_sampler(t);
}

bool
rusticl_inline_glsl_type_is_texture(const struct glsl_type *t)
{
   return glsl_type_is_texture(t);
}

char *
rusticl_inline_mesa_bytes_to_hex(char *buf, const unsigned char *binary,
                                 unsigned len)
{
   return mesa_bytes_to_hex(buf, binary, len);
}

nir_function_impl *
rusticl_inline_nir_shader_get_entrypoint(const nir_shader *shader)
{
   return nir_shader_get_entrypoint(shader);
}

bool
rusticl_inline_should_print_nir(nir_shader *shader)
{
   return should_print_nir(shader);
}

bool
rusticl_inline_should_skip_nir(const char *name)
{
   return should_skip_nir(name);
}

void
rusticl_inline_pipe_resource_reference(struct pipe_resource **dst,
                                       struct pipe_resource *src)
{
   pipe_resource_reference(dst, src);
}

void
rusticl_inline_pipe_sampler_view_reference(struct pipe_sampler_view **dst,
                                           struct pipe_sampler_view *src)
{
   pipe_sampler_view_reference(dst, src);
}

void
rusticl_inline_util_format_pack_rgba(enum pipe_format format, void *dst,
                                     const void *src, unsigned w)
{
   util_format_pack_rgba(format, dst, src, w);
}
