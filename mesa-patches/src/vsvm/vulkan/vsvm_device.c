/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 *
 * Instance, physical device, device and queue.  One compute queue per
 * device, on a vsvm queue of the device's own GPU VM (the winsys's, shared
 * with the Gallium driver): an SVM VM, whose jobs publish no dma-fence, so
 * completion is the kernel's user fence, a 64-bit word per queue that
 * each job's seqno is stored to when it ends.  Syncs (vsvm_sync) are CPU
 * objects that may point at such a (queue, seqno); timelines are the
 * runtime's emulation on top of them.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>

#include "util/disk_cache.h"
#include "util/os_time.h"
#include "util/u_math.h"
#include "vk_alloc.h"
#include "vk_cmd_enqueue_entrypoints.h"
#include "vk_common_entrypoints.h"
#include "vk_util.h"

#include "vsvm_private.h"

static const struct vk_instance_extension_table vsvm_instance_extensions = {
	.KHR_device_group_creation = true,
	.KHR_external_fence_capabilities = true,
	.KHR_external_memory_capabilities = true,
	.KHR_external_semaphore_capabilities = true,
	.KHR_get_physical_device_properties2 = true,
	.EXT_debug_report = true,
	.EXT_debug_utils = true,
};

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_EnumerateInstanceExtensionProperties(const char *pLayerName,
					  uint32_t *pPropertyCount,
					  VkExtensionProperties *pProperties)
{
	if (pLayerName)
		return vk_error(NULL, VK_ERROR_LAYER_NOT_PRESENT);
	return vk_enumerate_instance_extension_properties(
		&vsvm_instance_extensions, pPropertyCount, pProperties);
}

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_EnumerateInstanceVersion(uint32_t *pApiVersion)
{
	*pApiVersion = VSVM_VK_API_VERSION;
	return VK_SUCCESS;
}

static void
vsvm_get_device_extensions(const struct vsvm_physical_device *pdev,
			   struct vk_device_extension_table *ext)
{
	*ext = (struct vk_device_extension_table) {
		.KHR_8bit_storage = true,
		.KHR_16bit_storage = true,
		.KHR_bind_memory2 = true,
		.KHR_buffer_device_address = true,
		.KHR_copy_commands2 = true,
		.KHR_create_renderpass2 = false,
		.KHR_dedicated_allocation = true,
		.KHR_descriptor_update_template = true,
		.KHR_device_group = true,
		.KHR_external_memory = true,
		.KHR_get_memory_requirements2 = true,
		.KHR_maintenance1 = true,
		.KHR_maintenance2 = true,
		.KHR_maintenance3 = true,
		.KHR_maintenance4 = true,
		.KHR_map_memory2 = true,
		.KHR_relaxed_block_layout = true,
		.KHR_shader_atomic_int64 = true,
		.KHR_shader_float_controls = true,
		.KHR_shader_integer_dot_product = true,
		.KHR_shader_non_semantic_info = true,
		.KHR_shader_terminate_invocation = true,
		.KHR_spirv_1_4 = true,
		.KHR_storage_buffer_storage_class = true,
		.KHR_synchronization2 = true,
		.KHR_timeline_semaphore = true,
		.KHR_uniform_buffer_standard_layout = true,
		.KHR_variable_pointers = true,
		.KHR_vulkan_memory_model = true,
		.KHR_zero_initialize_workgroup_memory = true,
		.EXT_device_fault = true,
		.EXT_external_memory_host = true,
		.EXT_host_query_reset = true,
		.EXT_pipeline_creation_cache_control = true,
		.EXT_pipeline_creation_feedback = true,
		.EXT_private_data = true,
		.EXT_scalar_block_layout = true,
		.EXT_shader_demote_to_helper_invocation = false,
		.EXT_tooling_info = true,
	};
}

static void
vsvm_get_features(const struct vsvm_physical_device *pdev,
		  struct vk_features *f)
{
	*f = (struct vk_features) {
		/* 1.0 */
		.robustBufferAccess = false,
		.shaderInt64 = true,
		.shaderInt16 = true,
		/* Non-constant offsets read the arguments through a pointer. */
		.shaderUniformBufferArrayDynamicIndexing = true,
		.shaderStorageBufferArrayDynamicIndexing = true,
		/* 1.1 */
		.storageBuffer16BitAccess = true,
		.uniformAndStorageBuffer16BitAccess = true,
		.storagePushConstant16 = true,
		.variablePointersStorageBuffer = true,
		.variablePointers = true,
		/* 1.2 */
		.storageBuffer8BitAccess = true,
		.uniformAndStorageBuffer8BitAccess = true,
		.storagePushConstant8 = true,
		.shaderBufferInt64Atomics = true,
		.shaderSharedInt64Atomics = true,
		.shaderInt8 = true,
		.scalarBlockLayout = true,
		.uniformBufferStandardLayout = true,
		.hostQueryReset = true,
		.timelineSemaphore = true,
		.bufferDeviceAddress = true,
		.bufferDeviceAddressCaptureReplay = false,
		.vulkanMemoryModel = true,
		.vulkanMemoryModelDeviceScope = true,
		/* 1.3 */
		.pipelineCreationCacheControl = true,
		.privateData = true,
		.shaderTerminateInvocation = true,
		.synchronization2 = true,
		.shaderZeroInitializeWorkgroupMemory = true,
		.shaderIntegerDotProduct = true,
		.maintenance4 = true,
		/* VK_EXT_device_fault */
		.deviceFault = true,
		.deviceFaultVendorBinary = false,
	};
}

static void
vsvm_get_properties(const struct vsvm_physical_device *pdev,
		    struct vk_properties *p)
{
	const struct vsvm_device_info *info = &pdev->info;
	uint32_t max_wg = (uint32_t)MIN2(info->max_wg_size, 1024);
	/* Descriptors share the argument buffer with the push constants. */
	uint32_t max_desc = info->max_args_size > VSVM_ARGS_DESC ?
		(uint32_t)((info->max_args_size - VSVM_ARGS_DESC) / VSVM_DESC_SIZE) : 0;
	uint64_t mem = MIN2(info->max_bo_size, 1ull << 31);

	*p = (struct vk_properties) {
		.apiVersion = VSVM_VK_API_VERSION,
		.driverVersion = vk_get_driver_version(),
		.vendorID = 0x10005,	/* VK_VENDOR_ID_MESA */
		.deviceID = 0x5356,
		.deviceType = VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU,
		.maxMemoryAllocationCount = 1u << 20,
		.maxSamplerAllocationCount = 0,
		.bufferImageGranularity = 1,
		.maxBoundDescriptorSets = MESA_VK_MAX_DESCRIPTOR_SETS,
		.maxPerStageDescriptorUniformBuffers = max_desc,
		.maxPerStageDescriptorStorageBuffers = max_desc,
		.maxPerStageResources = max_desc,
		.maxDescriptorSetUniformBuffers = max_desc,
		.maxDescriptorSetUniformBuffersDynamic = max_desc,
		.maxDescriptorSetStorageBuffers = max_desc,
		.maxDescriptorSetStorageBuffersDynamic = max_desc,
		.maxUniformBufferRange = UINT32_MAX,
		.maxStorageBufferRange = UINT32_MAX,
		.maxPushConstantsSize = VSVM_PUSH_CONSTANTS_SIZE,
		.maxComputeSharedMemorySize = (uint32_t)info->max_shared_size,
		.maxComputeWorkGroupCount = { 65535, 65535, 65535 },
		.maxComputeWorkGroupInvocations = max_wg,
		.maxComputeWorkGroupSize = { max_wg, max_wg, MIN2(max_wg, 64) },
		.subPixelPrecisionBits = 0,
		.maxMemoryAllocationSize = mem,
		.minMemoryMapAlignment = 4096,
		.minTexelBufferOffsetAlignment = 16,
		.minUniformBufferOffsetAlignment = 16,
		.minStorageBufferOffsetAlignment = 16,
		.timestampComputeAndGraphics = false,
		.timestampPeriod = 1.0f,
		.discreteQueuePriorities = 2,
		.optimalBufferCopyOffsetAlignment = 16,
		.optimalBufferCopyRowPitchAlignment = 16,
		.nonCoherentAtomSize = 64,

		/* 1.1 */
		.subgroupSize = 1,
		.subgroupSupportedStages = VK_SHADER_STAGE_COMPUTE_BIT,
		.subgroupSupportedOperations = VK_SUBGROUP_FEATURE_BASIC_BIT,
		.maxMultiviewViewCount = 0,
		.maxPerSetDescriptors = max_desc,
		.pointClippingBehavior = VK_POINT_CLIPPING_BEHAVIOR_ALL_CLIP_PLANES,

		/* 1.2 */
		/* No VkDriverId is registered for vsvm: none is claimed. */
		.driverID = (VkDriverId)0,
		.conformanceVersion = { 0, 0, 0, 0 },
		.denormBehaviorIndependence = VK_SHADER_FLOAT_CONTROLS_INDEPENDENCE_ALL,
		.roundingModeIndependence = VK_SHADER_FLOAT_CONTROLS_INDEPENDENCE_ALL,
		.shaderRoundingModeRTEFloat32 = true,
		.shaderDenormPreserveFloat32 = true,
		.maxTimelineSemaphoreValueDifference = UINT64_MAX,
		.framebufferIntegerColorSampleCounts = 0,
		.maxUpdateAfterBindDescriptorsInAllPools = 0,

		/* 1.3 */
		.minSubgroupSize = 1,
		.maxSubgroupSize = 1,
		.maxComputeWorkgroupSubgroups = max_wg,
		.requiredSubgroupSizeStages = 0,
		.maxBufferSize = mem,

		/* VK_EXT_external_memory_host */
		.minImportedHostPointerAlignment = 4096,
	};
	snprintf(p->deviceName, sizeof(p->deviceName), "vsvm");
	snprintf(p->driverName, sizeof(p->driverName), "vsvm");
	snprintf(p->driverInfo, sizeof(p->driverInfo),
		 "Mesa " PACKAGE_VERSION " (ISA %u.%u%s)",
		 (unsigned int)(pdev->info.isa_version >> 16),
		 (unsigned int)(pdev->info.isa_version & 0xffff),
		 pdev->mirror ? ", system SVM" : "");
	/* Identifies this build's compiler for pipeline caches. */
	memset(p->pipelineCacheUUID, 0, VK_UUID_SIZE);
	memcpy(p->pipelineCacheUUID, "vsvm-" PACKAGE_VERSION,
	       MIN2(VK_UUID_SIZE, sizeof("vsvm-" PACKAGE_VERSION) - 1));
	memcpy(p->deviceUUID, "vsvm-device", sizeof("vsvm-device") - 1);
	memcpy(p->driverUUID, "vsvm-mesa-driver", 16);
}

static void
vsvm_physical_device_destroy(struct vk_physical_device *vk_pdev)
{
	struct vsvm_physical_device *pdev =
		container_of(vk_pdev, struct vsvm_physical_device, vk);

	vk_physical_device_finish(&pdev->vk);
	close(pdev->fd);
	vk_free(&pdev->vk.instance->alloc, pdev);
}

static VkResult
vsvm_try_create_for_drm(struct vk_instance *vk_instance,
			struct _drmDevice *drm_device,
			struct vk_physical_device **out)
{
	struct vk_physical_device_dispatch_table dt;
	struct vk_device_extension_table ext;
	struct vk_features features;
	struct vk_properties props;
	struct vsvm_physical_device *pdev;
	struct vsvm_device_info info;
	VkResult result;
	int fd;

	if (!(drm_device->available_nodes & (1 << DRM_NODE_RENDER)))
		return VK_ERROR_INCOMPATIBLE_DRIVER;
	fd = open(drm_device->nodes[DRM_NODE_RENDER], O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return VK_ERROR_INCOMPATIBLE_DRIVER;
	if (!vsvm_winsys_query(fd, &info)) {
		close(fd);
		return VK_ERROR_INCOMPATIBLE_DRIVER;
	}

	pdev = vk_zalloc(&vk_instance->alloc, sizeof(*pdev), 8,
			 VK_SYSTEM_ALLOCATION_SCOPE_INSTANCE);
	if (!pdev) {
		close(fd);
		return vk_error(vk_instance, VK_ERROR_OUT_OF_HOST_MEMORY);
	}
	pdev->fd = fd;
	pdev->info = info;
	pdev->mirror = info.svm_caps & DRM_VSVM_SVM_CAP_MIRROR;

	vsvm_get_device_extensions(pdev, &ext);
	vsvm_get_features(pdev, &features);
	vsvm_get_properties(pdev, &props);
	vk_physical_device_dispatch_table_from_entrypoints(
		&dt, &vsvm_physical_device_entrypoints, true);
	result = vk_physical_device_init(&pdev->vk, vk_instance, &ext,
					 &features, &props, &dt);
	if (result != VK_SUCCESS) {
		close(fd);
		vk_free(&vk_instance->alloc, pdev);
		return result;
	}

	pdev->sync_timeline_type = vk_sync_timeline_get_type(&vsvm_sync_type);
	pdev->sync_types[0] = &vsvm_sync_type;
	pdev->sync_types[1] = &pdev->sync_timeline_type.sync;
	pdev->sync_types[2] = NULL;
	pdev->vk.supported_sync_types = pdev->sync_types;
	*out = &pdev->vk;
	return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_CreateInstance(const VkInstanceCreateInfo *pCreateInfo,
		    const VkAllocationCallbacks *pAllocator,
		    VkInstance *pInstance)
{
	struct vk_instance_dispatch_table dt;
	struct vsvm_instance *instance;
	VkResult result;

	if (!pAllocator)
		pAllocator = vk_default_allocator();
	instance = vk_zalloc(pAllocator, sizeof(*instance), 8,
			     VK_SYSTEM_ALLOCATION_SCOPE_INSTANCE);
	if (!instance)
		return vk_error(NULL, VK_ERROR_OUT_OF_HOST_MEMORY);

	vk_instance_dispatch_table_from_entrypoints(
		&dt, &vsvm_instance_entrypoints, true);
	result = vk_instance_init(&instance->vk, &vsvm_instance_extensions,
				  &dt, pCreateInfo, pAllocator);
	if (result != VK_SUCCESS) {
		vk_free(pAllocator, instance);
		return vk_error(NULL, result);
	}
	instance->vk.physical_devices.try_create_for_drm = vsvm_try_create_for_drm;
	instance->vk.physical_devices.destroy = vsvm_physical_device_destroy;
	*pInstance = vsvm_instance_to_handle(instance);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
vsvm_DestroyInstance(VkInstance _instance,
		     const VkAllocationCallbacks *pAllocator)
{
	VK_FROM_HANDLE(vsvm_instance, instance, _instance);

	if (!instance)
		return;
	vk_instance_finish(&instance->vk);
	vk_free(&instance->vk.alloc, instance);
}

VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
vsvm_GetInstanceProcAddr(VkInstance _instance, const char *pName)
{
	VK_FROM_HANDLE(vk_instance, instance, _instance);

	return vk_instance_get_proc_addr(instance, &vsvm_instance_entrypoints,
					 pName);
}

/*
 * The loader's entry points, the only symbols the library exports; the
 * runtime has the other two.
 */
PUBLIC VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
vk_icdGetInstanceProcAddr(VkInstance instance, const char *pName);

PUBLIC VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
vk_icdGetInstanceProcAddr(VkInstance instance, const char *pName)
{
	return vsvm_GetInstanceProcAddr(instance, pName);
}

/* ---- VK_VSVM_system_svm: an extension the runtime's tables do not know */

static const VkExtensionProperties vsvm_system_svm_ext = {
	.extensionName = VK_VSVM_SYSTEM_SVM_EXTENSION_NAME,
	.specVersion = VK_VSVM_SYSTEM_SVM_SPEC_VERSION,
};

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_EnumerateDeviceExtensionProperties(VkPhysicalDevice physicalDevice,
					const char *pLayerName,
					uint32_t *pPropertyCount,
					VkExtensionProperties *pProperties)
{
	VK_FROM_HANDLE(vsvm_physical_device, pdev, physicalDevice);
	uint32_t n = 0, cap = pProperties ? *pPropertyCount : 0;
	VkResult result;

	if (pLayerName)
		return vk_error(pdev, VK_ERROR_LAYER_NOT_PRESENT);
	result = vk_common_EnumerateDeviceExtensionProperties(
		physicalDevice, NULL, &n, NULL);
	if (result != VK_SUCCESS)
		return result;
	if (!pProperties) {
		*pPropertyCount = n + pdev->mirror;
		return VK_SUCCESS;
	}
	n = cap;
	result = vk_common_EnumerateDeviceExtensionProperties(
		physicalDevice, NULL, &n, pProperties);
	if (result != VK_SUCCESS || !pdev->mirror) {
		*pPropertyCount = n;
		return result;
	}
	if (n == cap) {
		*pPropertyCount = n;
		return VK_INCOMPLETE;
	}
	pProperties[n++] = vsvm_system_svm_ext;
	*pPropertyCount = n;
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
vsvm_GetPhysicalDeviceFeatures2(VkPhysicalDevice physicalDevice,
				VkPhysicalDeviceFeatures2 *pFeatures)
{
	VK_FROM_HANDLE(vsvm_physical_device, pdev, physicalDevice);

	vk_common_GetPhysicalDeviceFeatures2(physicalDevice, pFeatures);
	vk_foreach_struct(s, pFeatures->pNext) {
		if (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SYSTEM_SVM_FEATURES_VSVM)
			((VkPhysicalDeviceSystemSvmFeaturesVSVM *)s)->systemSvm =
				pdev->mirror;
	}
}

/* ---- physical device queries */

VKAPI_ATTR void VKAPI_CALL
vsvm_GetPhysicalDeviceQueueFamilyProperties2(VkPhysicalDevice physicalDevice,
	uint32_t *pCount, VkQueueFamilyProperties2 *pProps)
{
	VK_OUTARRAY_MAKE_TYPED(VkQueueFamilyProperties2, out, pProps, pCount);

	vk_outarray_append_typed(VkQueueFamilyProperties2, &out, p) {
		p->queueFamilyProperties = (VkQueueFamilyProperties) {
			/* Compute only: allowed by the spec, and all there is. */
			.queueFlags = VK_QUEUE_COMPUTE_BIT | VK_QUEUE_TRANSFER_BIT,
			.queueCount = 1,
			.timestampValidBits = 64,
			.minImageTransferGranularity = { 1, 1, 1 },
		};
	}
}

VKAPI_ATTR void VKAPI_CALL
vsvm_GetPhysicalDeviceMemoryProperties2(VkPhysicalDevice physicalDevice,
	VkPhysicalDeviceMemoryProperties2 *pProps)
{
	VK_FROM_HANDLE(vsvm_physical_device, pdev, physicalDevice);
	uint64_t total = 0;

	if (!os_get_total_physical_memory(&total))
		total = 1ull << 30;
	/* System memory, coherent with the CPU's caches: one type. */
	pProps->memoryProperties = (VkPhysicalDeviceMemoryProperties) {
		.memoryTypeCount = 1,
		.memoryTypes[0] = {
			.propertyFlags = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT |
					 VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
					 VK_MEMORY_PROPERTY_HOST_COHERENT_BIT |
					 VK_MEMORY_PROPERTY_HOST_CACHED_BIT,
			.heapIndex = 0,
		},
		.memoryHeapCount = 1,
		.memoryHeaps[0] = {
			.size = MIN2(total / 2, pdev->info.max_bo_size * 1024),
			.flags = VK_MEMORY_HEAP_DEVICE_LOCAL_BIT,
		},
	};
}

VKAPI_ATTR void VKAPI_CALL
vsvm_GetPhysicalDeviceFormatProperties2(VkPhysicalDevice physicalDevice,
	VkFormat format, VkFormatProperties2 *pProps)
{
	/* No images, samplers or texel buffers. */
	pProps->formatProperties = (VkFormatProperties) { 0 };
}

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_GetPhysicalDeviceImageFormatProperties2(VkPhysicalDevice physicalDevice,
	const VkPhysicalDeviceImageFormatInfo2 *pInfo,
	VkImageFormatProperties2 *pProps)
{
	pProps->imageFormatProperties = (VkImageFormatProperties) { 0 };
	return VK_ERROR_FORMAT_NOT_SUPPORTED;
}

VKAPI_ATTR void VKAPI_CALL
vsvm_GetPhysicalDeviceSparseImageFormatProperties2(VkPhysicalDevice pd,
	const VkPhysicalDeviceSparseImageFormatInfo2 *pInfo,
	uint32_t *pCount, VkSparseImageFormatProperties2 *pProps)
{
	*pCount = 0;
}

VKAPI_ATTR void VKAPI_CALL
vsvm_GetPhysicalDeviceExternalBufferProperties(VkPhysicalDevice pd,
	const VkPhysicalDeviceExternalBufferInfo *pInfo,
	VkExternalBufferProperties *pProps)
{
	VkExternalMemoryProperties *p = &pProps->externalMemoryProperties;

	*p = (VkExternalMemoryProperties) { 0 };
	if (pInfo->handleType == VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT) {
		p->externalMemoryFeatures = VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT;
		p->compatibleHandleTypes = pInfo->handleType;
	}
}

/* ---- user fences, job statuses, faults */

static void
vsvm_record_fault(struct vsvm_queue *queue, uint64_t seqno,
		  const struct drm_vsvm_wait *w)
{
	struct vsvm_device *dev = queue->device;

	simple_mtx_lock(&dev->fault_lock);
	if (!dev->fault.valid) {
		dev->fault = (struct vsvm_fault) {
			.valid = true,
			.status = w->status,
			.access = w->fault_access,
			.addr = (uint64_t)w->fault_addr,
			.pc = w->fault_pc,
		};
		fprintf(stderr, "vsvm: GPU fault at 0x%" PRIx64 ": %s, access 0x%x, "
			"job %" PRIu64 ", pc 0x%x\n", (uint64_t)w->fault_addr,
			vsvm_status_name(w->status), w->fault_access, seqno,
			w->fault_pc);
	}
	simple_mtx_unlock(&dev->fault_lock);
	vk_device_set_lost(&dev->vk, "vsvm: job %" PRIu64 " failed: %s", seqno,
			   vsvm_status_name(w->status));
}

/*
 * Reads the status of every ended job not read yet; the kernel keeps the
 * last 256 per queue.  A failed job loses the device.  Takes queue->lock.
 */
VkResult
vsvm_queue_check(struct vsvm_queue *queue)
{
	uint64_t done = p_atomic_read(queue->fence_word);
	VkResult result = VK_SUCCESS;

	while (queue->checked < done) {
		struct drm_vsvm_wait w;
		uint64_t seqno = queue->checked + 1;
		int ret = vsvm_wait(queue->device->ws, queue->queue_id, seqno, 0, &w);

		if (ret == -ETIME)
			break;
		queue->checked = seqno;
		if (ret == 0 && w.status != DRM_VSVM_STATUS_OK) {
			vsvm_record_fault(queue, seqno, &w);
			result = VK_ERROR_DEVICE_LOST;
		}
	}
	return vk_device_is_lost(&queue->device->vk) ? VK_ERROR_DEVICE_LOST : result;
}

VkResult
vsvm_queue_wait_seqno(struct vsvm_queue *queue, uint64_t seqno,
		      uint64_t abs_timeout_ns)
{
	while (p_atomic_read(queue->fence_word) < seqno) {
		uint64_t now = os_time_get_nano();

		if (abs_timeout_ns <= now)
			return VK_TIMEOUT;
		vsvm_wait_user_fence(queue->device->ws, queue->fence_word, seqno,
				     abs_timeout_ns == UINT64_MAX ? UINT64_MAX :
				     abs_timeout_ns - now);
	}
	return VK_SUCCESS;
}

static VkResult
vsvm_device_check_status(struct vk_device *vk_dev)
{
	struct vsvm_device *dev = container_of(vk_dev, struct vsvm_device, vk);
	VkResult result;

	simple_mtx_lock(&dev->queue.lock);
	result = vsvm_queue_check(&dev->queue);
	simple_mtx_unlock(&dev->queue.lock);
	return result;
}

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_GetDeviceFaultInfoEXT(VkDevice _device, VkDeviceFaultCountsEXT *pCounts,
			   VkDeviceFaultInfoEXT *pInfo)
{
	VK_FROM_HANDLE(vsvm_device, dev, _device);
	struct vsvm_fault f;
	VkResult result = VK_SUCCESS;

	simple_mtx_lock(&dev->fault_lock);
	f = dev->fault;
	simple_mtx_unlock(&dev->fault_lock);

	if (!pInfo) {
		pCounts->addressInfoCount = f.valid;
		pCounts->vendorInfoCount = f.valid;
		pCounts->vendorBinarySize = 0;
		return VK_SUCCESS;
	}
	memset(pInfo->description, 0, sizeof(pInfo->description));
	if (!f.valid) {
		snprintf(pInfo->description, sizeof(pInfo->description),
			 "no fault");
		pCounts->addressInfoCount = 0;
		pCounts->vendorInfoCount = 0;
		pCounts->vendorBinarySize = 0;
		return VK_SUCCESS;
	}
	snprintf(pInfo->description, sizeof(pInfo->description),
		 "vsvm: %s at 0x%" PRIx64 ", access 0x%x, pc 0x%x",
		 vsvm_status_name(f.status), f.addr, f.access, f.pc);
	if (pCounts->addressInfoCount && pInfo->pAddressInfos) {
		VkDeviceFaultAddressTypeEXT type =
			(f.access & DRM_VSVM_ACCESS_FETCH) ?
				VK_DEVICE_FAULT_ADDRESS_TYPE_EXECUTE_INVALID_EXT :
			(f.access & (DRM_VSVM_ACCESS_WRITE | DRM_VSVM_ACCESS_ATOMIC)) ?
				VK_DEVICE_FAULT_ADDRESS_TYPE_WRITE_INVALID_EXT :
			(f.access & DRM_VSVM_ACCESS_READ) ?
				VK_DEVICE_FAULT_ADDRESS_TYPE_READ_INVALID_EXT :
				VK_DEVICE_FAULT_ADDRESS_TYPE_NONE_EXT;

		pInfo->pAddressInfos[0] = (VkDeviceFaultAddressInfoEXT) {
			.addressType = type,
			.reportedAddress = f.addr,
			.addressPrecision = 1,
		};
		pCounts->addressInfoCount = 1;
	} else if (pCounts->addressInfoCount < 1) {
		result = VK_INCOMPLETE;
	}
	if (pCounts->vendorInfoCount && pInfo->pVendorInfos) {
		VkDeviceFaultVendorInfoEXT *v = &pInfo->pVendorInfos[0];

		memset(v, 0, sizeof(*v));
		snprintf(v->description, sizeof(v->description),
			 "DRM_VSVM_STATUS %u (%s); fault_access 0x%x; fault_pc 0x%x",
			 f.status, vsvm_status_name(f.status), f.access, f.pc);
		v->vendorFaultCode = f.status;
		v->vendorFaultData = f.access;
		pCounts->vendorInfoCount = 1;
	} else if (pCounts->vendorInfoCount < 1) {
		result = VK_INCOMPLETE;
	}
	pCounts->vendorBinarySize = 0;
	return result;
}

/* ---- the device */

static VkResult
vsvm_queue_init(struct vsvm_device *dev, struct vsvm_queue *queue,
		const VkDeviceQueueCreateInfo *info)
{
	VkResult result = vk_queue_init(&queue->vk, &dev->vk, info, 0);

	if (result != VK_SUCCESS)
		return result;
	queue->device = dev;
	simple_mtx_init(&queue->lock, mtx_plain);
	queue->vk.driver_submit = vsvm_queue_submit;
	/* Plain memory: the kernel stores to it as this process would. */
	queue->fence_word = aligned_alloc(64, 64);
	queue->args = vsvm_bo_create(dev->ws, 1 << 20);
	queue->queue_id = vsvm_queue_create(dev->ws);
	if (!queue->fence_word || !queue->args || !queue->queue_id) {
		free(queue->fence_word);
		vsvm_bo_destroy(queue->args);
		if (queue->queue_id)
			vsvm_queue_destroy(dev->ws, queue->queue_id);
		vk_queue_finish(&queue->vk);
		return vk_error(dev, VK_ERROR_INITIALIZATION_FAILED);
	}
	*queue->fence_word = 0;
	return VK_SUCCESS;
}

static void
vsvm_queue_finish(struct vsvm_queue *queue)
{
	struct vsvm_device *dev = queue->device;

	vk_queue_finish(&queue->vk);
	vsvm_queue_wait_seqno(queue, queue->submitted, UINT64_MAX);
	vsvm_queue_destroy(dev->ws, queue->queue_id);
	vsvm_bo_destroy(queue->args);
	free(queue->fence_word);
	simple_mtx_destroy(&queue->lock);
}

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_CreateDevice(VkPhysicalDevice physicalDevice,
		  const VkDeviceCreateInfo *pCreateInfo,
		  const VkAllocationCallbacks *pAllocator, VkDevice *pDevice)
{
	VK_FROM_HANDLE(vsvm_physical_device, pdev, physicalDevice);
	struct vk_device_dispatch_table dt;
	VkDeviceCreateInfo info = *pCreateInfo;
	const char **names = NULL;
	bool ext_svm = false, want_svm = false;
	struct vsvm_device *dev;
	VkResult result;

	/* The runtime knows no VK_VSVM_system_svm: take it out of the list. */
	if (pCreateInfo->enabledExtensionCount) {
		names = calloc(pCreateInfo->enabledExtensionCount, sizeof(*names));
		if (!names)
			return vk_error(pdev, VK_ERROR_OUT_OF_HOST_MEMORY);
		info.enabledExtensionCount = 0;
		for (uint32_t i = 0; i < pCreateInfo->enabledExtensionCount; i++) {
			const char *n = pCreateInfo->ppEnabledExtensionNames[i];

			if (!strcmp(n, VK_VSVM_SYSTEM_SVM_EXTENSION_NAME)) {
				if (!pdev->mirror) {
					free(names);
					return vk_error(pdev, VK_ERROR_EXTENSION_NOT_PRESENT);
				}
				ext_svm = true;
				continue;
			}
			names[info.enabledExtensionCount++] = n;
		}
		info.ppEnabledExtensionNames = names;
	}
	vk_foreach_struct_const(s, pCreateInfo->pNext) {
		if (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SYSTEM_SVM_FEATURES_VSVM)
			want_svm |= ((const VkPhysicalDeviceSystemSvmFeaturesVSVM *)s)->systemSvm;
	}
	if (want_svm && !ext_svm) {
		free(names);
		return vk_error(pdev, VK_ERROR_FEATURE_NOT_PRESENT);
	}

	dev = vk_zalloc2(&pdev->vk.instance->alloc, pAllocator, sizeof(*dev), 8,
			 VK_SYSTEM_ALLOCATION_SCOPE_DEVICE);
	if (!dev) {
		free(names);
		return vk_error(pdev, VK_ERROR_OUT_OF_HOST_MEMORY);
	}
	vk_device_dispatch_table_from_entrypoints(&dt, &vsvm_device_entrypoints,
						  true);
	/* Every other vkCmd* is recorded generically and replayed at submit. */
	vk_device_dispatch_table_from_entrypoints(
		&dt, &vk_cmd_enqueue_device_entrypoints, false);
	result = vk_device_init(&dev->vk, &pdev->vk, &dt, &info, pAllocator);
	free(names);
	if (result != VK_SUCCESS) {
		vk_free(&dev->vk.alloc, dev);
		return result;
	}
	dev->pdev = pdev;
	dev->system_svm = want_svm;
	dev->vk.command_buffer_ops = &vsvm_cmd_buffer_ops;
	dev->vk.check_status = vsvm_device_check_status;
	simple_mtx_init(&dev->fault_lock, mtx_plain);

	dev->ws = vsvm_winsys_create(pdev->fd);
	if (!dev->ws) {
		result = vk_error(dev, VK_ERROR_INITIALIZATION_FAILED);
		goto fail_dev;
	}
	if (want_svm && !dev->ws->has_mirror) {
		result = vk_errorf(dev, VK_ERROR_INITIALIZATION_FAILED,
				   "vsvm: the CPU-address mirror could not be bound");
		goto fail_ws;
	}
	if (info.queueCreateInfoCount != 1 ||
	    info.pQueueCreateInfos[0].queueFamilyIndex != 0 ||
	    info.pQueueCreateInfos[0].queueCount != 1) {
		result = vk_error(dev, VK_ERROR_INITIALIZATION_FAILED);
		goto fail_ws;
	}
	/* Before the queue, which takes the device's submit mode. */
	vk_device_enable_threaded_submit(&dev->vk);
	result = vsvm_queue_init(dev, &dev->queue, &info.pQueueCreateInfos[0]);
	if (result != VK_SUCCESS)
		goto fail_ws;

	*pDevice = vsvm_device_to_handle(dev);
	return VK_SUCCESS;

fail_ws:
	vsvm_winsys_destroy(dev->ws);
fail_dev:
	simple_mtx_destroy(&dev->fault_lock);
	vk_device_finish(&dev->vk);
	vk_free(&dev->vk.alloc, dev);
	return result;
}

VKAPI_ATTR void VKAPI_CALL
vsvm_DestroyDevice(VkDevice _device, const VkAllocationCallbacks *pAllocator)
{
	VK_FROM_HANDLE(vsvm_device, dev, _device);

	if (!dev)
		return;
	vsvm_queue_finish(&dev->queue);
	vsvm_winsys_destroy(dev->ws);
	simple_mtx_destroy(&dev->fault_lock);
	vk_device_finish(&dev->vk);
	vk_free(&dev->vk.alloc, dev);
}

/* ---- vsvm_sync: binary, CPU-signalled, or signalled by a job's end */

static struct vsvm_sync *
to_vsvm_sync(struct vk_sync *sync)
{
	assert(sync->type == &vsvm_sync_type);
	return container_of(sync, struct vsvm_sync, base);
}

static VkResult
vsvm_sync_init(struct vk_device *dev, struct vk_sync *vsync, uint64_t value)
{
	struct vsvm_sync *sync = to_vsvm_sync(vsync);

	mtx_init(&sync->mutex, mtx_plain);
	cnd_init(&sync->cond);
	sync->signaled = value != 0;
	sync->queue = NULL;
	return VK_SUCCESS;
}

static void
vsvm_sync_finish(struct vk_device *dev, struct vk_sync *vsync)
{
	struct vsvm_sync *sync = to_vsvm_sync(vsync);

	cnd_destroy(&sync->cond);
	mtx_destroy(&sync->mutex);
}

static VkResult
vsvm_sync_signal(struct vk_device *dev, struct vk_sync *vsync, uint64_t value)
{
	struct vsvm_sync *sync = to_vsvm_sync(vsync);

	mtx_lock(&sync->mutex);
	sync->signaled = true;
	sync->queue = NULL;
	cnd_broadcast(&sync->cond);
	mtx_unlock(&sync->mutex);
	return VK_SUCCESS;
}

/* Called by the submission: signaled once job @seqno of @queue ended. */
void
vsvm_sync_signal_with_job(struct vk_sync *vsync, struct vsvm_queue *queue,
			  uint64_t seqno)
{
	struct vsvm_sync *sync = to_vsvm_sync(vsync);

	mtx_lock(&sync->mutex);
	sync->signaled = true;
	sync->queue = seqno ? queue : NULL;
	sync->seqno = seqno;
	cnd_broadcast(&sync->cond);
	mtx_unlock(&sync->mutex);
}

static VkResult
vsvm_sync_reset(struct vk_device *dev, struct vk_sync *vsync)
{
	struct vsvm_sync *sync = to_vsvm_sync(vsync);

	mtx_lock(&sync->mutex);
	sync->signaled = false;
	sync->queue = NULL;
	mtx_unlock(&sync->mutex);
	return VK_SUCCESS;
}

static VkResult
vsvm_sync_move(struct vk_device *dev, struct vk_sync *vdst,
	       struct vk_sync *vsrc)
{
	struct vsvm_sync *dst = to_vsvm_sync(vdst), *src = to_vsvm_sync(vsrc);
	bool signaled;
	struct vsvm_queue *queue;
	uint64_t seqno;

	mtx_lock(&src->mutex);
	signaled = src->signaled;
	queue = src->queue;
	seqno = src->seqno;
	src->signaled = false;
	src->queue = NULL;
	mtx_unlock(&src->mutex);

	mtx_lock(&dst->mutex);
	dst->signaled = signaled;
	dst->queue = queue;
	dst->seqno = seqno;
	cnd_broadcast(&dst->cond);
	mtx_unlock(&dst->mutex);
	return VK_SUCCESS;
}

/* Whether @vsync is signaled by a job of @queue: in-order, nothing to wait. */
bool
vsvm_sync_is_on_queue(struct vk_sync *vsync, struct vsvm_queue *queue)
{
	struct vsvm_sync *sync;
	bool ret;

	if (vsync->type != &vsvm_sync_type)
		return false;
	sync = to_vsvm_sync(vsync);
	mtx_lock(&sync->mutex);
	ret = sync->signaled && sync->queue == queue;
	mtx_unlock(&sync->mutex);
	return ret;
}

static VkResult
vsvm_sync_wait_one(struct vk_device *dev, struct vsvm_sync *sync,
		   enum vk_sync_wait_flags flags, uint64_t abs_timeout_ns)
{
	struct vsvm_queue *queue;
	uint64_t seqno;
	VkResult result;

	mtx_lock(&sync->mutex);
	while (!sync->signaled) {
		struct timespec ts;

		if (abs_timeout_ns == UINT64_MAX) {
			cnd_wait(&sync->cond, &sync->mutex);
			continue;
		}
		if (os_time_get_nano() >= abs_timeout_ns) {
			mtx_unlock(&sync->mutex);
			return VK_TIMEOUT;
		}
		/* cnd_timedwait takes CLOCK_REALTIME: wait in short steps. */
		timespec_get(&ts, TIME_UTC);
		ts.tv_nsec += 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		cnd_timedwait(&sync->cond, &sync->mutex, &ts);
	}
	queue = sync->queue;
	seqno = sync->seqno;
	mtx_unlock(&sync->mutex);

	if (!queue || (flags & VK_SYNC_WAIT_PENDING))
		return VK_SUCCESS;
	result = vsvm_queue_wait_seqno(queue, seqno, abs_timeout_ns);
	if (result != VK_SUCCESS)
		return result;
	simple_mtx_lock(&queue->lock);
	result = vsvm_queue_check(queue);
	simple_mtx_unlock(&queue->lock);
	return result;
}

static VkResult
vsvm_sync_wait_many(struct vk_device *dev, uint32_t count,
		    const struct vk_sync_wait *waits,
		    enum vk_sync_wait_flags flags, uint64_t abs_timeout_ns)
{
	if (flags & VK_SYNC_WAIT_ANY) {
		/* Poll: which one ends first is not known up front. */
		for (;;) {
			for (uint32_t i = 0; i < count; i++) {
				VkResult r = vsvm_sync_wait_one(dev,
					to_vsvm_sync(waits[i].sync),
					flags & ~VK_SYNC_WAIT_ANY, 0);

				if (r != VK_TIMEOUT)
					return r;
			}
			if (os_time_get_nano() >= abs_timeout_ns)
				return VK_TIMEOUT;
			os_time_sleep(100);
		}
	}
	for (uint32_t i = 0; i < count; i++) {
		VkResult r = vsvm_sync_wait_one(dev, to_vsvm_sync(waits[i].sync),
						flags, abs_timeout_ns);

		if (r != VK_SUCCESS)
			return r;
	}
	return VK_SUCCESS;
}

const struct vk_sync_type vsvm_sync_type = {
	.size = sizeof(struct vsvm_sync),
	.features = VK_SYNC_FEATURE_BINARY | VK_SYNC_FEATURE_GPU_WAIT |
		    VK_SYNC_FEATURE_GPU_MULTI_WAIT | VK_SYNC_FEATURE_CPU_WAIT |
		    VK_SYNC_FEATURE_CPU_RESET | VK_SYNC_FEATURE_CPU_SIGNAL |
		    VK_SYNC_FEATURE_WAIT_PENDING | VK_SYNC_FEATURE_WAIT_ANY,
	.init = vsvm_sync_init,
	.finish = vsvm_sync_finish,
	.signal = vsvm_sync_signal,
	.reset = vsvm_sync_reset,
	.move = vsvm_sync_move,
	.wait_many = vsvm_sync_wait_many,
};
