/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 *
 * Descriptor sets: storage and uniform buffers only (dynamic ones too),
 * each a GPU address and a range in CPU memory.  A dispatch copies the
 * bound sets into its argument buffer (vsvm_execute.c), where shaders load
 * the addresses.
 */
#include <string.h>

#include "vk_alloc.h"
#include "vk_descriptor_update_template.h"
#include "vk_descriptors.h"
#include "vk_util.h"

#include "vsvm_private.h"

static bool
supported_type(VkDescriptorType type)
{
	switch (type) {
	case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER:
	case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER:
	case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC:
	case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC:
		return true;
	default:
		return false;
	}
}

static bool
is_dynamic(VkDescriptorType type)
{
	return type == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC ||
	       type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC;
}

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_CreateDescriptorSetLayout(VkDevice _device,
			       const VkDescriptorSetLayoutCreateInfo *pInfo,
			       const VkAllocationCallbacks *pAllocator,
			       VkDescriptorSetLayout *pLayout)
{
	VK_FROM_HANDLE(vsvm_device, dev, _device);
	struct vsvm_ds_layout *layout;
	uint32_t n = 0;

	for (uint32_t i = 0; i < pInfo->bindingCount; i++) {
		const VkDescriptorSetLayoutBinding *b = &pInfo->pBindings[i];

		if (b->descriptorCount && !supported_type(b->descriptorType))
			return vk_errorf(dev, VK_ERROR_FEATURE_NOT_PRESENT,
					 "vsvm: descriptor type %d: only buffers",
					 b->descriptorType);
		n = MAX2(n, b->binding + 1);
	}
	layout = vk_descriptor_set_layout_zalloc(&dev->vk, sizeof(*layout) +
						 n * sizeof(layout->binding[0]));
	if (!layout)
		return vk_error(dev, VK_ERROR_OUT_OF_HOST_MEMORY);
	layout->binding_count = n;
	for (uint32_t i = 0; i < pInfo->bindingCount; i++) {
		const VkDescriptorSetLayoutBinding *b = &pInfo->pBindings[i];

		layout->binding[b->binding].type = b->descriptorType;
		layout->binding[b->binding].count = b->descriptorCount;
	}
	/* In binding order, as dynamic offsets are given. */
	for (uint32_t i = 0; i < n; i++) {
		struct vsvm_ds_binding *b = &layout->binding[i];

		b->index = layout->size;
		layout->size += b->count;
		b->dynamic = layout->dynamic_count;
		if (is_dynamic(b->type))
			layout->dynamic_count += b->count;
	}
	*pLayout = vsvm_ds_layout_to_handle(layout);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
vsvm_GetDescriptorSetLayoutSupport(VkDevice _device,
				   const VkDescriptorSetLayoutCreateInfo *pInfo,
				   VkDescriptorSetLayoutSupport *pSupport)
{
	VK_FROM_HANDLE(vsvm_device, dev, _device);
	uint64_t n = 0;
	bool ok = true;

	for (uint32_t i = 0; i < pInfo->bindingCount; i++) {
		ok &= !pInfo->pBindings[i].descriptorCount ||
		      supported_type(pInfo->pBindings[i].descriptorType);
		n += pInfo->pBindings[i].descriptorCount;
	}
	pSupport->supported = ok &&
		n <= dev->pdev->vk.properties.maxPerSetDescriptors;
}

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_CreateDescriptorPool(VkDevice _device,
			  const VkDescriptorPoolCreateInfo *pInfo,
			  const VkAllocationCallbacks *pAllocator,
			  VkDescriptorPool *pPool)
{
	VK_FROM_HANDLE(vsvm_device, dev, _device);
	struct vsvm_descriptor_pool *pool;

	pool = vk_object_zalloc(&dev->vk, pAllocator, sizeof(*pool),
				VK_OBJECT_TYPE_DESCRIPTOR_POOL);
	if (!pool)
		return vk_error(dev, VK_ERROR_OUT_OF_HOST_MEMORY);
	list_inithead(&pool->sets);
	*pPool = vsvm_descriptor_pool_to_handle(pool);
	return VK_SUCCESS;
}

static void
free_set(struct vsvm_device *dev, struct vsvm_descriptor_set *set)
{
	list_del(&set->link);
	vk_descriptor_set_layout_unref(&dev->vk, &set->layout->vk);
	vk_object_free(&dev->vk, NULL, set);
}

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_ResetDescriptorPool(VkDevice _device, VkDescriptorPool _pool,
			 VkDescriptorPoolResetFlags flags)
{
	VK_FROM_HANDLE(vsvm_device, dev, _device);
	VK_FROM_HANDLE(vsvm_descriptor_pool, pool, _pool);

	list_for_each_entry_safe(struct vsvm_descriptor_set, set, &pool->sets, link)
		free_set(dev, set);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
vsvm_DestroyDescriptorPool(VkDevice _device, VkDescriptorPool _pool,
			   const VkAllocationCallbacks *pAllocator)
{
	VK_FROM_HANDLE(vsvm_device, dev, _device);
	VK_FROM_HANDLE(vsvm_descriptor_pool, pool, _pool);

	if (!pool)
		return;
	vsvm_ResetDescriptorPool(_device, _pool, 0);
	vk_object_free(&dev->vk, pAllocator, pool);
}

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_AllocateDescriptorSets(VkDevice _device,
			    const VkDescriptorSetAllocateInfo *pInfo,
			    VkDescriptorSet *pSets)
{
	VK_FROM_HANDLE(vsvm_device, dev, _device);
	VK_FROM_HANDLE(vsvm_descriptor_pool, pool, pInfo->descriptorPool);
	uint32_t i;

	for (i = 0; i < pInfo->descriptorSetCount; i++) {
		VK_FROM_HANDLE(vsvm_ds_layout, layout, pInfo->pSetLayouts[i]);
		struct vsvm_descriptor_set *set;

		set = vk_object_zalloc(&dev->vk, NULL, sizeof(*set) +
				       layout->size * sizeof(set->desc[0]),
				       VK_OBJECT_TYPE_DESCRIPTOR_SET);
		if (!set)
			goto fail;
		set->layout = layout;
		vk_descriptor_set_layout_ref(&layout->vk);
		list_addtail(&set->link, &pool->sets);
		pSets[i] = vsvm_descriptor_set_to_handle(set);
	}
	return VK_SUCCESS;

fail:
	while (i--) {
		free_set(dev, vsvm_descriptor_set_from_handle(pSets[i]));
		pSets[i] = VK_NULL_HANDLE;
	}
	return vk_error(dev, VK_ERROR_OUT_OF_HOST_MEMORY);
}

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_FreeDescriptorSets(VkDevice _device, VkDescriptorPool pool,
			uint32_t count, const VkDescriptorSet *pSets)
{
	VK_FROM_HANDLE(vsvm_device, dev, _device);

	for (uint32_t i = 0; i < count; i++) {
		VK_FROM_HANDLE(vsvm_descriptor_set, set, pSets[i]);

		if (set)
			free_set(dev, set);
	}
	return VK_SUCCESS;
}

static struct vsvm_descriptor
buffer_descriptor(const VkDescriptorBufferInfo *info)
{
	VK_FROM_HANDLE(vsvm_buffer, buf, info->buffer);

	if (!buf)
		return (struct vsvm_descriptor) { 0 };	/* a null descriptor */
	return (struct vsvm_descriptor) {
		.va = buf->va + info->offset,
		.range = vk_buffer_range(&buf->vk, info->offset, info->range),
	};
}

/* Descriptor @elem of @binding, following on in later bindings. */
static struct vsvm_descriptor *
set_slot(struct vsvm_descriptor_set *set, uint32_t binding, uint32_t elem)
{
	const struct vsvm_ds_layout *l = set->layout;

	while (binding < l->binding_count && elem >= l->binding[binding].count) {
		elem -= l->binding[binding].count;
		binding++;
	}
	if (binding >= l->binding_count)
		return NULL;
	return &set->desc[l->binding[binding].index + elem];
}

VKAPI_ATTR void VKAPI_CALL
vsvm_UpdateDescriptorSets(VkDevice _device, uint32_t writeCount,
			  const VkWriteDescriptorSet *pWrites,
			  uint32_t copyCount, const VkCopyDescriptorSet *pCopies)
{
	for (uint32_t i = 0; i < writeCount; i++) {
		const VkWriteDescriptorSet *w = &pWrites[i];
		VK_FROM_HANDLE(vsvm_descriptor_set, set, w->dstSet);

		if (!supported_type(w->descriptorType))
			continue;
		for (uint32_t j = 0; j < w->descriptorCount; j++) {
			struct vsvm_descriptor *d =
				set_slot(set, w->dstBinding, w->dstArrayElement + j);

			if (d)
				*d = buffer_descriptor(&w->pBufferInfo[j]);
		}
	}
	for (uint32_t i = 0; i < copyCount; i++) {
		const VkCopyDescriptorSet *c = &pCopies[i];
		VK_FROM_HANDLE(vsvm_descriptor_set, src, c->srcSet);
		VK_FROM_HANDLE(vsvm_descriptor_set, dst, c->dstSet);

		for (uint32_t j = 0; j < c->descriptorCount; j++) {
			struct vsvm_descriptor *s =
				set_slot(src, c->srcBinding, c->srcArrayElement + j);
			struct vsvm_descriptor *d =
				set_slot(dst, c->dstBinding, c->dstArrayElement + j);

			if (s && d)
				*d = *s;
		}
	}
}

VKAPI_ATTR void VKAPI_CALL
vsvm_UpdateDescriptorSetWithTemplate(VkDevice _device, VkDescriptorSet _set,
				     VkDescriptorUpdateTemplate _template,
				     const void *pData)
{
	VK_FROM_HANDLE(vsvm_descriptor_set, set, _set);
	VK_FROM_HANDLE(vk_descriptor_update_template, templ, _template);

	for (uint32_t i = 0; i < templ->entry_count; i++) {
		const struct vk_descriptor_template_entry *e = &templ->entries[i];

		if (!supported_type(e->type))
			continue;
		for (uint32_t j = 0; j < e->array_count; j++) {
			const VkDescriptorBufferInfo *info = (const void *)
				((const char *)pData + e->offset + j * e->stride);
			struct vsvm_descriptor *d =
				set_slot(set, e->binding, e->array_element + j);

			if (d)
				*d = buffer_descriptor(info);
		}
	}
}
