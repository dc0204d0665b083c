/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 *
 * Device memory and buffers.  Allocated memory is a shmem BO, CPU-mapped
 * for its life and bound in the heap above the user address space.
 * Imported host memory (VK_EXT_external_memory_host) needs nothing in a
 * mirror VM: its device address is its CPU address.  Without the mirror
 * its pages are bound with MAP_USERPTR in the heap.
 */
#include <string.h>

#include "util/u_math.h"
#include "vk_alloc.h"
#include "vk_util.h"

#include "vsvm_private.h"

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_AllocateMemory(VkDevice _device, const VkMemoryAllocateInfo *pInfo,
		    const VkAllocationCallbacks *pAllocator,
		    VkDeviceMemory *pMem)
{
	VK_FROM_HANDLE(vsvm_device, dev, _device);
	struct vsvm_memory *mem;

	if (pInfo->allocationSize > dev->pdev->vk.properties.maxMemoryAllocationSize)
		return vk_error(dev, VK_ERROR_OUT_OF_DEVICE_MEMORY);
	mem = vk_device_memory_create(&dev->vk, pInfo, pAllocator, sizeof(*mem));
	if (!mem)
		return vk_error(dev, VK_ERROR_OUT_OF_HOST_MEMORY);

	if (mem->vk.host_ptr) {
		void *ptr = mem->vk.host_ptr;

		if (((uintptr_t)ptr & 4095) || (mem->vk.size & 4095)) {
			vk_device_memory_destroy(&dev->vk, pAllocator, &mem->vk);
			return vk_error(dev, VK_ERROR_INVALID_EXTERNAL_HANDLE);
		}
		mem->map = ptr;
		if (vsvm_in_mirror(dev->ws, ptr, mem->vk.size)) {
			mem->va = (uintptr_t)ptr;
		} else {
			mem->bo = vsvm_bo_userptr(dev->ws, ptr, mem->vk.size);
			if (!mem->bo) {
				vk_device_memory_destroy(&dev->vk, pAllocator, &mem->vk);
				return vk_error(dev, VK_ERROR_INVALID_EXTERNAL_HANDLE);
			}
			mem->va = mem->bo->va;
		}
	} else {
		mem->bo = vsvm_bo_create(dev->ws, mem->vk.size);
		if (!mem->bo) {
			vk_device_memory_destroy(&dev->vk, pAllocator, &mem->vk);
			return vk_error(dev, VK_ERROR_OUT_OF_DEVICE_MEMORY);
		}
		mem->va = mem->bo->va;
		mem->map = mem->bo->map;
	}
	*pMem = vsvm_memory_to_handle(mem);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
vsvm_FreeMemory(VkDevice _device, VkDeviceMemory _mem,
		const VkAllocationCallbacks *pAllocator)
{
	VK_FROM_HANDLE(vsvm_device, dev, _device);
	VK_FROM_HANDLE(vsvm_memory, mem, _mem);

	if (!mem)
		return;
	vsvm_bo_destroy(mem->bo);
	vk_device_memory_destroy(&dev->vk, pAllocator, &mem->vk);
}

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_MapMemory2KHR(VkDevice _device, const VkMemoryMapInfoKHR *pInfo,
		   void **ppData)
{
	VK_FROM_HANDLE(vsvm_memory, mem, pInfo->memory);

	*ppData = (char *)mem->map + pInfo->offset;
	return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_UnmapMemory2KHR(VkDevice _device, const VkMemoryUnmapInfoKHR *pInfo)
{
	return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_FlushMappedMemoryRanges(VkDevice _device, uint32_t count,
			     const VkMappedMemoryRange *pRanges)
{
	return VK_SUCCESS;	/* coherent */
}

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_InvalidateMappedMemoryRanges(VkDevice _device, uint32_t count,
				  const VkMappedMemoryRange *pRanges)
{
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
vsvm_GetDeviceMemoryCommitment(VkDevice _device, VkDeviceMemory _mem,
			       VkDeviceSize *pCommitted)
{
	VK_FROM_HANDLE(vsvm_memory, mem, _mem);

	*pCommitted = mem->vk.size;
}

VKAPI_ATTR uint64_t VKAPI_CALL
vsvm_GetDeviceMemoryOpaqueCaptureAddress(VkDevice _device,
	const VkDeviceMemoryOpaqueCaptureAddressInfo *pInfo)
{
	return 0;
}

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_GetMemoryHostPointerPropertiesEXT(VkDevice _device,
	VkExternalMemoryHandleTypeFlagBits type, const void *ptr,
	VkMemoryHostPointerPropertiesEXT *pProps)
{
	VK_FROM_HANDLE(vsvm_device, dev, _device);

	if (type != VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT)
		return vk_error(dev, VK_ERROR_INVALID_EXTERNAL_HANDLE);
	pProps->memoryTypeBits = 1;
	return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_CreateBuffer(VkDevice _device, const VkBufferCreateInfo *pInfo,
		  const VkAllocationCallbacks *pAllocator, VkBuffer *pBuffer)
{
	VK_FROM_HANDLE(vsvm_device, dev, _device);
	struct vsvm_buffer *buf;

	if (pInfo->size > dev->pdev->vk.properties.maxBufferSize)
		return vk_error(dev, VK_ERROR_OUT_OF_DEVICE_MEMORY);
	buf = vk_buffer_create(&dev->vk, pInfo, pAllocator, sizeof(*buf));
	if (!buf)
		return vk_error(dev, VK_ERROR_OUT_OF_HOST_MEMORY);
	*pBuffer = vsvm_buffer_to_handle(buf);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
vsvm_DestroyBuffer(VkDevice _device, VkBuffer _buffer,
		   const VkAllocationCallbacks *pAllocator)
{
	VK_FROM_HANDLE(vsvm_device, dev, _device);
	VK_FROM_HANDLE(vsvm_buffer, buf, _buffer);

	if (buf)
		vk_buffer_destroy(&dev->vk, pAllocator, &buf->vk);
}

static void
buffer_requirements(uint64_t size, VkMemoryRequirements2 *pReqs)
{
	pReqs->memoryRequirements = (VkMemoryRequirements) {
		/* 16: the vec4 alignment std430 blocks may ask for. */
		.size = align64(MAX2(size, 1), 16),
		.alignment = 64,
		.memoryTypeBits = 1,
	};
	vk_foreach_struct(s, pReqs->pNext) {
		if (s->sType == VK_STRUCTURE_TYPE_MEMORY_DEDICATED_REQUIREMENTS) {
			VkMemoryDedicatedRequirements *d = (void *)s;

			d->prefersDedicatedAllocation = false;
			d->requiresDedicatedAllocation = false;
		}
	}
}

VKAPI_ATTR void VKAPI_CALL
vsvm_GetBufferMemoryRequirements2(VkDevice _device,
				  const VkBufferMemoryRequirementsInfo2 *pInfo,
				  VkMemoryRequirements2 *pReqs)
{
	VK_FROM_HANDLE(vsvm_buffer, buf, pInfo->buffer);

	buffer_requirements(buf->vk.size, pReqs);
}

VKAPI_ATTR void VKAPI_CALL
vsvm_GetDeviceBufferMemoryRequirements(VkDevice _device,
				       const VkDeviceBufferMemoryRequirements *pInfo,
				       VkMemoryRequirements2 *pReqs)
{
	buffer_requirements(pInfo->pCreateInfo->size, pReqs);
}

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_BindBufferMemory2(VkDevice _device, uint32_t count,
		       const VkBindBufferMemoryInfo *pInfos)
{
	for (uint32_t i = 0; i < count; i++) {
		VK_FROM_HANDLE(vsvm_buffer, buf, pInfos[i].buffer);
		VK_FROM_HANDLE(vsvm_memory, mem, pInfos[i].memory);
		const VkBindMemoryStatusKHR *status =
			vk_find_struct_const(pInfos[i].pNext, BIND_MEMORY_STATUS_KHR);

		buf->va = mem->va + pInfos[i].memoryOffset;
		buf->map = (char *)mem->map + pInfos[i].memoryOffset;
		if (status && status->pResult)
			*status->pResult = VK_SUCCESS;
	}
	return VK_SUCCESS;
}

VKAPI_ATTR VkDeviceAddress VKAPI_CALL
vsvm_GetBufferDeviceAddress(VkDevice _device,
			    const VkBufferDeviceAddressInfo *pInfo)
{
	VK_FROM_HANDLE(vsvm_buffer, buf, pInfo->buffer);

	return buf->va;
}

VKAPI_ATTR uint64_t VKAPI_CALL
vsvm_GetBufferOpaqueCaptureAddress(VkDevice _device,
				   const VkBufferDeviceAddressInfo *pInfo)
{
	return 0;
}
