/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "compiler/nir/nir.h"
#include "util/disk_cache.h"
#include "util/hex.h"
#include "util/mesa-sha1.h"
#include "util/os_misc.h"
#include "util/u_memory.h"
#include "util/u_screen.h"
#include "vsvm/compiler/vsvm_compiler.h"
#include "vsvm_priv.h"
#include "vsvm_public.h"

static const char *
vsvm_get_name(struct pipe_screen *pscreen)
{
	return "vsvm";
}

static const char *
vsvm_get_vendor(struct pipe_screen *pscreen)
{
	return "vsvm";
}

static const char *
vsvm_get_device_vendor(struct pipe_screen *pscreen)
{
	return "vsvm virtual GPU";
}

static int
vsvm_get_screen_fd(struct pipe_screen *pscreen)
{
	return vsvm_screen(pscreen)->ws->fd;
}

static int
vsvm_get_shader_param(struct pipe_screen *pscreen, enum pipe_shader_type shader,
		      enum pipe_shader_cap param)
{
	const struct vsvm_device_info *info = &vsvm_screen(pscreen)->ws->info;

	if (shader != PIPE_SHADER_COMPUTE)
		return 0;

	switch (param) {
	case PIPE_SHADER_CAP_MAX_INSTRUCTIONS:
	case PIPE_SHADER_CAP_MAX_ALU_INSTRUCTIONS:
		return info->max_code_size / VSVM_INSN_SIZE;
	case PIPE_SHADER_CAP_MAX_CONTROL_FLOW_DEPTH:
		return VSVM_MAX_NESTING;
	case PIPE_SHADER_CAP_MAX_CONST_BUFFER0_SIZE:
		/* The kernel-argument buffer. */
		return info->max_args_size;
	case PIPE_SHADER_CAP_MAX_CONST_BUFFERS:
		return 1;
	case PIPE_SHADER_CAP_MAX_TEMPS:
		return info->num_regs;
	case PIPE_SHADER_CAP_CONT_SUPPORTED:
	case PIPE_SHADER_CAP_INDIRECT_TEMP_ADDR:
	case PIPE_SHADER_CAP_INTEGERS:
	case PIPE_SHADER_CAP_INT64_ATOMICS:
		return 1;
	case PIPE_SHADER_CAP_SUPPORTED_IRS:
		return 1 << PIPE_SHADER_IR_NIR;
	default:
		/* No fp16, int16 ALU, images, samplers or textures. */
		return 0;
	}
}

#define RET(type, value)						\
	do {								\
		if (ret)						\
			*(type *)ret = (value);				\
		return sizeof(type);					\
	} while (0)

static int
vsvm_get_compute_param(struct pipe_screen *pscreen, enum pipe_shader_ir ir,
		       enum pipe_compute_cap param, void *ret)
{
	struct vsvm_screen *screen = vsvm_screen(pscreen);
	const struct vsvm_device_info *info = &screen->ws->info;

	switch (param) {
	case PIPE_COMPUTE_CAP_ADDRESS_BITS:
		RET(uint32_t, 64);
	case PIPE_COMPUTE_CAP_IR_TARGET:
		if (ret)
			strcpy(ret, "vsvm");
		return strlen("vsvm") + 1;
	case PIPE_COMPUTE_CAP_GRID_DIMENSION:
		RET(uint64_t, 3);
	case PIPE_COMPUTE_CAP_MAX_GRID_SIZE:
		if (ret) {
			uint64_t *g = ret;

			/* drm_vsvm_exec.grid is __u32 per dimension. */
			g[0] = g[1] = g[2] = UINT32_MAX;
		}
		return 3 * sizeof(uint64_t);
	case PIPE_COMPUTE_CAP_MAX_BLOCK_SIZE:
		if (ret) {
			uint64_t *b = ret;

			b[0] = b[1] = b[2] = info->max_wg_size;
		}
		return 3 * sizeof(uint64_t);
	case PIPE_COMPUTE_CAP_MAX_THREADS_PER_BLOCK:
		RET(uint64_t, info->max_wg_size);
	case PIPE_COMPUTE_CAP_MAX_GLOBAL_SIZE:
		RET(uint64_t, screen->global_mem_size);
	case PIPE_COMPUTE_CAP_MAX_LOCAL_SIZE:
		RET(uint64_t, info->max_shared_size);
	case PIPE_COMPUTE_CAP_MAX_PRIVATE_SIZE:
		RET(uint64_t, info->max_scratch_size);
	case PIPE_COMPUTE_CAP_MAX_INPUT_SIZE:
		RET(uint64_t, info->max_args_size);
	case PIPE_COMPUTE_CAP_MAX_MEM_ALLOC_SIZE:
		RET(uint64_t, MIN2(info->max_bo_size, screen->global_mem_size));
	case PIPE_COMPUTE_CAP_MAX_CLOCK_FREQUENCY:
		RET(uint32_t, 1);
	case PIPE_COMPUTE_CAP_MAX_COMPUTE_UNITS:
		RET(uint32_t, info->num_cus);
	case PIPE_COMPUTE_CAP_MAX_SUBGROUPS:
		/* No subgroup operations in the ISA. */
		RET(uint32_t, 0);
	case PIPE_COMPUTE_CAP_IMAGES_SUPPORTED:
		RET(uint32_t, 0);
	case PIPE_COMPUTE_CAP_SUBGROUP_SIZES:
		RET(uint32_t, info->wave_width);
	case PIPE_COMPUTE_CAP_MAX_VARIABLE_THREADS_PER_BLOCK:
		RET(uint64_t, 0);
	}
	return 0;
}

static const void *
vsvm_get_compiler_options(struct pipe_screen *pscreen, enum pipe_shader_ir ir,
			  enum pipe_shader_type shader)
{
	return vsvm_get_nir_options();
}

static char *
vsvm_finalize_nir(struct pipe_screen *pscreen, struct nir_shader *nir)
{
	vsvm_preprocess_nir(nir);
	return NULL;
}

static bool
vsvm_is_format_supported(struct pipe_screen *pscreen, enum pipe_format format,
			 enum pipe_texture_target target,
			 unsigned int sample_count,
			 unsigned int storage_sample_count, unsigned int usage)
{
	/* Buffers only: no images or samplers. */
	return target == PIPE_BUFFER && sample_count <= 1 &&
	       !(usage & ~(PIPE_BIND_GLOBAL | PIPE_BIND_COMPUTE_RESOURCE |
			   PIPE_BIND_SHADER_BUFFER | PIPE_BIND_CONSTANT_BUFFER));
}

static void
vsvm_query_memory_info(struct pipe_screen *pscreen, struct pipe_memory_info *info)
{
	uint64_t avail = 0;

	memset(info, 0, sizeof(*info));
	info->total_device_memory = vsvm_screen(pscreen)->global_mem_size >> 10;
	if (os_get_available_system_memory(&avail))
		info->avail_device_memory = avail >> 10;
}

static struct disk_cache *
vsvm_get_disk_shader_cache(struct pipe_screen *pscreen)
{
	return vsvm_screen(pscreen)->disk_cache;
}

/*
 * Rusticl keeps libclc and every kernel it compiled, as NIR after
 * finalize_nir, in the screen's disk cache; without one, each process
 * translates all of libclc from SPIR-V again.  That NIR depends on this
 * build (the compiler's options and passes) and on the device's limits,
 * which Rusticl reads while compiling: both name the cache.
 */
static void
vsvm_disk_cache_create(struct vsvm_screen *screen)
{
	struct mesa_sha1 ctx;
	unsigned char sha1[20];
	char id[20 * 2 + 1];

	_mesa_sha1_init(&ctx);
	if (!disk_cache_get_function_identifier(vsvm_disk_cache_create, &ctx))
		return;
	_mesa_sha1_update(&ctx, &screen->ws->info, sizeof(screen->ws->info));
	_mesa_sha1_final(&ctx, sha1);
	mesa_bytes_to_hex(id, sha1, 20);
	screen->disk_cache = disk_cache_create("vsvm", id, 0);
}

static void
vsvm_destroy_screen(struct pipe_screen *pscreen)
{
	struct vsvm_screen *screen = vsvm_screen(pscreen);

	disk_cache_destroy(screen->disk_cache);
	vsvm_winsys_destroy(screen->ws);
	FREE(screen);
}

static void
vsvm_init_caps(struct vsvm_screen *screen)
{
	struct pipe_caps *caps = (struct pipe_caps *)&screen->base.caps;
	const struct vsvm_device_info *info = &screen->ws->info;

	u_init_pipe_screen_caps(&screen->base, 1);

	caps->graphics = false;
	caps->compute = true;
	caps->int64 = true;
	caps->doubles = false;
	/* The GPU works on system memory: what the CPU sees, it sees. */
	caps->uma = true;
	caps->resource_from_user_memory = true;
	caps->resource_from_user_memory_compute_only = true;
	caps->shareable_shaders = true;
	caps->endianness = PIPE_ENDIAN_LITTLE;
	caps->max_shader_buffer_size = MIN2(info->max_bo_size, INT32_MAX);
	caps->max_constant_buffer_size = info->max_args_size;
	caps->max_texture_2d_size = 0;
	caps->max_texture_3d_levels = 0;
	caps->max_texture_array_layers = 0;
	caps->max_texel_buffer_elements = 0;
	/*
	 * Fine-grained system SVM means any pointer of the process is a GPU
	 * pointer: exactly what the CPU-address mirror gives, and nothing less.
	 */
	caps->system_svm = screen->system_svm;
	/*
	 * SVM atomics: GPU atomics are the CPU's own atomic instructions on
	 * the process's memory (DRM_VSVM_SVM_CAP_ATOMICS), every barrier that
	 * orders global memory is a FENCE (a full barrier, also against the
	 * CPU), and atomic loads and stores are ATOMs (vsvm_compile.c).
	 */
	caps->svm_atomics = screen->system_svm &&
			    (info->svm_caps & DRM_VSVM_SVM_CAP_ATOMICS);
	caps->vendor_id = 0xffffffff;
	caps->device_id = 0xffffffff;
}

struct pipe_screen *
vsvm_screen_create(struct vsvm_winsys *ws, const struct pipe_screen_config *config)
{
	struct vsvm_screen *screen = CALLOC_STRUCT(vsvm_screen);
	struct pipe_screen *ps;

	if (!screen)
		return NULL;
	ps = &screen->base;
	screen->ws = ws;
	screen->system_svm = ws->has_mirror &&
			     (ws->info.svm_caps & DRM_VSVM_SVM_CAP_MIRROR);
	if (!os_get_total_physical_memory(&screen->global_mem_size))
		screen->global_mem_size = 1ull << 30;

	ps->destroy = vsvm_destroy_screen;
	ps->get_name = vsvm_get_name;
	ps->get_vendor = vsvm_get_vendor;
	ps->get_device_vendor = vsvm_get_device_vendor;
	ps->get_screen_fd = vsvm_get_screen_fd;
	ps->get_shader_param = vsvm_get_shader_param;
	ps->get_compute_param = vsvm_get_compute_param;
	ps->get_compiler_options = vsvm_get_compiler_options;
	ps->finalize_nir = vsvm_finalize_nir;
	ps->is_format_supported = vsvm_is_format_supported;
	ps->query_memory_info = vsvm_query_memory_info;
	ps->context_create = vsvm_context_create;
	ps->get_disk_shader_cache = vsvm_get_disk_shader_cache;
	vsvm_resource_screen_init(ps);
	vsvm_fence_screen_init(ps);
	vsvm_init_caps(screen);
	vsvm_disk_cache_create(screen);
	return ps;
}
