/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 *
 * Compute pipelines: SPIR-V to NIR with the runtime's spirv_to_nir, then
 * Vulkan's resources lowered onto the argument buffer (vsvm_private.h):
 * push constants and descriptors become kernel inputs (LDARG), buffers
 * 64-bit global addresses, and the same NIR backend as the Gallium
 * driver's (src/vsvm/compiler) makes the ISA.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "compiler/nir/nir.h"
#include "compiler/nir/nir_builder.h"
#include "compiler/spirv/nir_spirv.h"
#include "util/u_math.h"
#include "vk_pipeline.h"
#include "vk_util.h"
#include "vsvm_compiler.h"

#include "vsvm_private.h"

uint32_t
vsvm_layout_set_offsets(const struct vk_pipeline_layout *layout,
			uint32_t *offsets)
{
	uint32_t n = 0;

	for (uint32_t s = 0; s < MESA_VK_MAX_DESCRIPTOR_SETS; s++) {
		const struct vk_descriptor_set_layout *l =
			s < layout->set_count ? layout->set_layouts[s] : NULL;

		offsets[s] = n;
		if (l)
			n += container_of(l, struct vsvm_ds_layout, vk)->size;
	}
	return n;
}

struct lower_state {
	const struct vk_pipeline_layout *layout;
	uint32_t set_offset[MESA_VK_MAX_DESCRIPTOR_SETS];
};

/* A value of @bits from the argument buffer at @offset (32-bit) + @base. */
static nir_def *
load_arg(nir_builder *b, unsigned int nc, unsigned int bits, nir_def *offset,
	 unsigned int base)
{
	return nir_load_kernel_input(b, nc, bits, offset, .base = base,
				     .align_mul = bits / 8);
}

static bool
lower_resources(nir_builder *b, nir_intrinsic_instr *intr, void *data)
{
	struct lower_state *st = data;
	nir_def *v;

	b->cursor = nir_before_instr(&intr->instr);
	switch (intr->intrinsic) {
	case nir_intrinsic_vulkan_resource_index: {
		unsigned int set = nir_intrinsic_desc_set(intr);
		unsigned int binding = nir_intrinsic_binding(intr);
		const struct vsvm_ds_layout *l = set < st->layout->set_count &&
			st->layout->set_layouts[set] ?
			container_of(st->layout->set_layouts[set],
				     struct vsvm_ds_layout, vk) : NULL;
		uint32_t first = st->set_offset[set] +
			(l && binding < l->binding_count ? l->binding[binding].index : 0);

		/* The "index" is the descriptor's byte offset in the arguments. */
		v = nir_iadd_imm(b, nir_imul_imm(b, nir_u2u32(b, intr->src[0].ssa),
						 VSVM_DESC_SIZE),
				 VSVM_ARGS_DESC + first * VSVM_DESC_SIZE);
		v = nir_u2uN(b, v, intr->def.bit_size);
		break;
	}
	case nir_intrinsic_vulkan_resource_reindex:
		v = nir_iadd(b, intr->src[0].ssa,
			     nir_u2uN(b, nir_imul_imm(b, intr->src[1].ssa,
						      VSVM_DESC_SIZE),
				      intr->def.bit_size));
		break;
	case nir_intrinsic_load_vulkan_descriptor:
		v = load_arg(b, 1, 64, nir_u2u32(b, intr->src[0].ssa), 0);
		v = nir_u2uN(b, v, intr->def.bit_size);
		break;
	case nir_intrinsic_load_push_constant:
		v = load_arg(b, intr->def.num_components, intr->def.bit_size,
			     intr->src[0].ssa, nir_intrinsic_base(intr));
		break;
	case nir_intrinsic_load_base_workgroup_id:
		v = nir_u2uN(b, load_arg(b, 3, 32, nir_imm_int(b, 0),
					 VSVM_ARGS_BASE_GROUP),
			     intr->def.bit_size);
		break;
	default:
		return false;
	}
	nir_def_replace(&intr->def, v);
	return true;
}

/*
 * LDARG takes constant offsets only; other offsets (a dynamically indexed
 * descriptor array or push constant) read the arguments through their
 * own address.
 */
static bool
lower_indirect_args(nir_builder *b, nir_intrinsic_instr *intr, void *data)
{
	nir_def *self, *addr, *v;

	if (intr->intrinsic != nir_intrinsic_load_kernel_input ||
	    nir_src_is_const(intr->src[0]))
		return false;
	b->cursor = nir_before_instr(&intr->instr);
	self = nir_load_kernel_input(b, 1, 64, nir_imm_int(b, 0),
				     .base = VSVM_ARGS_SELF, .align_mul = 8);
	addr = nir_iadd(b, self, nir_u2u64(b, nir_iadd_imm(b, intr->src[0].ssa,
						     nir_intrinsic_base(intr))));
	v = nir_load_global_constant(b, addr, intr->def.bit_size / 8,
				     intr->def.num_components, intr->def.bit_size);
	nir_def_replace(&intr->def, v);
	return true;
}

static bool
find_unsupported(nir_builder *b, nir_intrinsic_instr *intr, void *data)
{
	const char **what = data;

	switch (intr->intrinsic) {
	case nir_intrinsic_deref_buffer_array_length:
	case nir_intrinsic_get_ssbo_size:
		*what = "OpArrayLength (runtime array length): the shader has "
			"no buffer sizes";
		return false;
	case nir_intrinsic_image_deref_load:
	case nir_intrinsic_image_deref_store:
	case nir_intrinsic_image_deref_size:
		*what = "images";
		return false;
	default:
		return false;
	}
}

static const struct spirv_to_nir_options vsvm_spirv_options = {
	.environment = NIR_SPIRV_VULKAN,
	.ubo_addr_format = nir_address_format_64bit_global,
	.ssbo_addr_format = nir_address_format_64bit_global,
	.phys_ssbo_addr_format = nir_address_format_64bit_global,
	.push_const_addr_format = nir_address_format_32bit_offset,
	.shared_addr_format = nir_address_format_32bit_offset,
	.min_ubo_alignment = 16,
	.min_ssbo_alignment = 16,
};

static VkResult
compile(struct vsvm_device *dev, struct vsvm_pipeline *pipeline,
	const VkComputePipelineCreateInfo *info)
{
	const struct vsvm_device_info *di = &dev->ws->info;
	struct vsvm_compiler_limits limits = {
		.num_regs = MIN2(di->num_regs, VSVM_NUM_REGS),
		.max_scratch = di->max_scratch_size,
		.max_shared = di->max_shared_size,
		.max_args = di->max_args_size,
	};
	struct lower_state st = { .layout = pipeline->layout };
	const char *unsupported = NULL;
	struct vsvm_shader_binary bin;
	char *error = NULL;
	nir_shader *nir;
	VkResult result;
	uint32_t ndesc;

	result = vk_pipeline_shader_stage_to_nir(&dev->vk, 0, &info->stage,
						 &vsvm_spirv_options,
						 vsvm_get_nir_options(), NULL,
						 &nir);
	if (result != VK_SUCCESS)
		return result;

	nir_shader_intrinsics_pass(nir, find_unsupported, nir_metadata_all,
				   &unsupported);
	if (unsupported) {
		fprintf(stderr, "vsvm: cannot compile %s: %s\n",
			info->stage.pName, unsupported);
		result = vk_errorf(dev, VK_ERROR_UNKNOWN,
				   "vsvm: cannot compile %s: %s",
				   info->stage.pName, unsupported);
		goto out;
	}

	ndesc = vsvm_layout_set_offsets(pipeline->layout, st.set_offset);
	pipeline->args_size = VSVM_ARGS_DESC + ndesc * VSVM_DESC_SIZE;
	if (pipeline->args_size > di->max_args_size) {
		fprintf(stderr, "vsvm: cannot compile %s: %u descriptors do not "
			"fit the argument buffer\n", info->stage.pName, ndesc);
		result = vk_errorf(dev, VK_ERROR_UNKNOWN,
				   "vsvm: %u descriptors do not fit the device's "
				   "%" PRIu64 "-byte argument buffer", ndesc,
				   di->max_args_size);
		goto out;
	}

	NIR_PASS(_, nir, nir_lower_vars_to_ssa);
	NIR_PASS(_, nir, nir_lower_var_copies);
	NIR_PASS(_, nir, nir_lower_global_vars_to_local);
	/*
	 * WorkgroupId becomes load_workgroup_id + load_base_workgroup_id here
	 * already; GlobalInvocationId gets the base below.
	 */
	NIR_PASS(_, nir, nir_lower_system_values);
	{
		nir_lower_compute_system_values_options csv = {
			.has_base_workgroup_id = true,
		};

		NIR_PASS(_, nir, nir_lower_compute_system_values, &csv);
	}

	NIR_PASS(_, nir, nir_lower_vars_to_explicit_types, nir_var_mem_shared,
		 glsl_get_natural_size_align_bytes);
	if (nir->info.zero_initialize_shared_memory && nir->info.shared_size)
		NIR_PASS(_, nir, nir_zero_initialize_shared_memory,
			 align(nir->info.shared_size, 4), 4);
	NIR_PASS(_, nir, nir_lower_explicit_io, nir_var_mem_shared,
		 nir_address_format_32bit_offset);
	NIR_PASS(_, nir, nir_lower_vars_to_explicit_types,
		 nir_var_function_temp, glsl_get_natural_size_align_bytes);
	NIR_PASS(_, nir, nir_lower_explicit_io, nir_var_function_temp,
		 nir_address_format_32bit_offset);
	NIR_PASS(_, nir, nir_lower_explicit_io, nir_var_mem_push_const,
		 nir_address_format_32bit_offset);
	NIR_PASS(_, nir, nir_shader_intrinsics_pass, lower_resources,
		 nir_metadata_control_flow, &st);
	NIR_PASS(_, nir, nir_lower_explicit_io,
		 nir_var_mem_ubo | nir_var_mem_ssbo | nir_var_mem_global,
		 nir_address_format_64bit_global);
	NIR_PASS(_, nir, nir_remove_dead_variables,
		 nir_var_function_temp | nir_var_mem_shared | nir_var_mem_ubo |
		 nir_var_mem_ssbo | nir_var_mem_push_const, NULL);
	vsvm_optimize_nir(nir);
	NIR_PASS(_, nir, nir_shader_intrinsics_pass, lower_indirect_args,
		 nir_metadata_control_flow, NULL);

	vsvm_preprocess_nir(nir);
	if (!vsvm_compile_nir(nir, &limits, &bin, &error)) {
		result = vk_errorf(dev, VK_ERROR_UNKNOWN,
				   "vsvm: cannot compile %s: %s",
				   info->stage.pName, error);
		fprintf(stderr, "vsvm: cannot compile %s: %s\n",
			info->stage.pName, error);
		free(error);
		goto out;
	}
	if (bin.size > di->max_code_size) {
		result = vk_errorf(dev, VK_ERROR_UNKNOWN,
				   "vsvm: %zu bytes of code, the device takes %" PRIu64,
				   bin.size, di->max_code_size);
		vsvm_shader_binary_finish(&bin);
		goto out;
	}
	pipeline->code = vsvm_bo_create(dev->ws, bin.size);
	if (!pipeline->code) {
		vsvm_shader_binary_finish(&bin);
		result = vk_error(dev, VK_ERROR_OUT_OF_DEVICE_MEMORY);
		goto out;
	}
	memcpy(pipeline->code->map, bin.code, bin.size);
	pipeline->code_size = bin.size;
	pipeline->scratch_size = bin.scratch_size;
	pipeline->shared_size = MAX2(bin.shared_size, nir->info.shared_size);
	for (unsigned int i = 0; i < 3; i++)
		pipeline->wg_size[i] = MAX2(nir->info.workgroup_size[i], 1);
	vsvm_shader_binary_finish(&bin);
	result = VK_SUCCESS;
out:
	ralloc_free(nir);
	return result;
}

static void
pipeline_destroy(struct vsvm_device *dev, struct vsvm_pipeline *pipeline,
		 const VkAllocationCallbacks *pAllocator)
{
	/* EXEC validated and copied the code: no job reads this BO. */
	vsvm_bo_destroy(pipeline->code);
	if (pipeline->layout)
		vk_pipeline_layout_unref(&dev->vk, pipeline->layout);
	vk_object_free(&dev->vk, pAllocator, pipeline);
}

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_CreateComputePipelines(VkDevice _device, VkPipelineCache cache,
			    uint32_t count,
			    const VkComputePipelineCreateInfo *pInfos,
			    const VkAllocationCallbacks *pAllocator,
			    VkPipeline *pPipelines)
{
	VK_FROM_HANDLE(vsvm_device, dev, _device);
	VkResult result = VK_SUCCESS;
	uint32_t i;

	for (i = 0; i < count; i++)
		pPipelines[i] = VK_NULL_HANDLE;
	for (i = 0; i < count; i++) {
		VK_FROM_HANDLE(vk_pipeline_layout, layout, pInfos[i].layout);
		VkPipelineCreateFlags2KHR flags =
			vk_compute_pipeline_create_flags(&pInfos[i]);
		struct vsvm_pipeline *pipeline;
		VkResult r;

		/* There is no cache to find it in: every pipeline compiles. */
		if (flags & VK_PIPELINE_CREATE_2_FAIL_ON_PIPELINE_COMPILE_REQUIRED_BIT_KHR) {
			result = VK_PIPELINE_COMPILE_REQUIRED;
			if (flags & VK_PIPELINE_CREATE_2_EARLY_RETURN_ON_FAILURE_BIT_KHR)
				break;
			continue;
		}
		pipeline = vk_object_zalloc(&dev->vk, pAllocator, sizeof(*pipeline),
					    VK_OBJECT_TYPE_PIPELINE);
		if (!pipeline) {
			result = vk_error(dev, VK_ERROR_OUT_OF_HOST_MEMORY);
			break;
		}
		pipeline->layout = vk_pipeline_layout_ref(layout);
		r = compile(dev, pipeline, &pInfos[i]);
		if (r != VK_SUCCESS) {
			pipeline_destroy(dev, pipeline, pAllocator);
			result = r;
			if (flags & VK_PIPELINE_CREATE_2_EARLY_RETURN_ON_FAILURE_BIT_KHR)
				break;
			continue;
		}
		pPipelines[i] = vsvm_pipeline_to_handle(pipeline);
	}
	return result;
}

VKAPI_ATTR void VKAPI_CALL
vsvm_DestroyPipeline(VkDevice _device, VkPipeline _pipeline,
		     const VkAllocationCallbacks *pAllocator)
{
	VK_FROM_HANDLE(vsvm_device, dev, _device);
	VK_FROM_HANDLE(vsvm_pipeline, pipeline, _pipeline);

	if (pipeline)
		pipeline_destroy(dev, pipeline, pAllocator);
}
