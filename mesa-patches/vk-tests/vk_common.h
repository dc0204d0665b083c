/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the Vulkan test programs: device choice and creation
 * with the features the tests use, host-visible and imported buffers,
 * compute pipelines from the SPIR-V the build embeds (storage buffers,
 * dynamic ones, descriptor arrays), one-shot command buffers and their
 * submission behind a timeline semaphore, and the test loop, a device per
 * test.  Result lines are test-lib/test_util.h's, as in the OpenCL tests.
 * Header-only so that each program stays one file.
 */
#ifndef VK_COMMON_H
#define VK_COMMON_H

#include <stdint.h>
#include <vulkan/vulkan.h>

#include "test_util.h"
#include "vulkan_vsvm.h"

/* Long enough for the guest's emulated CPU, short of the harness's limit. */
#define VK_TIMEOUT_NS (120ull * 1000 * 1000 * 1000)

#define VK_CHECK(call)							\
	do {								\
		VkResult res_ = (call);					\
		if (res_ != VK_SUCCESS) {				\
			printf("  %s:%d: %s = %d\n", __FILE__, __LINE__,\
			       #call, res_);				\
			return false;					\
		}							\
	} while (0)

#define EXPECT(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			printf("  %s:%d: ", __FILE__, __LINE__);	\
			printf(__VA_ARGS__);				\
			printf("\n");					\
			return false;					\
		}							\
	} while (0)

struct vk_ctx {
	VkInstance inst;
	VkPhysicalDevice pd;
	VkDevice dev;
	uint32_t qfam;
	uint32_t nqueues;	/* of qfam, at most 2 */
	VkQueue queue[2];
	VkCommandPool pool;
	VkPhysicalDeviceProperties props;
	VkPhysicalDeviceMemoryProperties mem;
	uint32_t timestamp_bits;
	char driver_name[VK_MAX_DRIVER_NAME_SIZE];
	/* What the device has, and this context enabled. */
	bool system_svm;	/* VK_VSVM_system_svm */
	bool host_import;	/* VK_EXT_external_memory_host */
	VkDeviceSize host_align;
	bool device_fault;	/* VK_EXT_device_fault */
	bool atomics64;		/* shaderBufferInt64Atomics */
	PFN_vkGetMemoryHostPointerPropertiesEXT get_host_ptr_props;
	PFN_vkGetDeviceFaultInfoEXT get_fault_info;
};

struct vk_buf {
	VkBuffer buf;
	VkDeviceMemory mem;
	void *map;
	VkDeviceSize size;
	VkDeviceAddress addr;
};

struct vk_pipe {
	VkShaderModule module;
	VkDescriptorSetLayout dsl;
	VkPipelineLayout layout;
	VkPipeline pipe;
	VkDescriptorPool dpool;
	VkDescriptorSet set;
	uint32_t nbindings;
	uint32_t count;			/* descriptors per binding */
	VkDescriptorType type;
	VkDeviceSize range;
};

/* What vk_pipe_init_opts() may change from vk_pipe_init()'s defaults. */
struct vk_pipe_opts {
	VkDescriptorType type;	/* every binding's; 0: a storage buffer */
	uint32_t count;		/* descriptors per binding (an array); 0: 1 */
	VkDeviceSize range;	/* each descriptor's; 0: the whole buffer */
	VkPipelineCreateFlags flags;
};

static inline bool
vk_has_ext(const VkExtensionProperties *e, uint32_t n, const char *name)
{
	for (uint32_t i = 0; i < n; i++)
		if (!strcmp(e[i].extensionName, name))
			return true;
	return false;
}

/*
 * An instance and the first physical device whose name or driver name
 * contains @want, for which vk_create_device() then makes a device.
 * Returns false, having said why, if there is none.
 */
static inline bool
vk_find_device(struct vk_ctx *c, const char *want)
{
	VkApplicationInfo app = {
		.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
		.pApplicationName = "vsvm-vk-tests",
		.apiVersion = VK_API_VERSION_1_3,
	};
	VkInstanceCreateInfo ici = {
		.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
		.pApplicationInfo = &app,
	};
	VkPhysicalDevice pds[8];
	uint32_t n = ARRAY_LEN(pds);

	memset(c, 0, sizeof(*c));
	if (vkCreateInstance(&ici, NULL, &c->inst) != VK_SUCCESS) {
		printf("  vkCreateInstance failed\n");
		return false;
	}
	if (vkEnumeratePhysicalDevices(c->inst, &n, pds) < 0)
		n = 0;
	for (uint32_t i = 0; i < n; i++) {
		VkPhysicalDeviceDriverProperties drv = {
			.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES,
		};
		VkPhysicalDeviceProperties2 p2 = {
			.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
			.pNext = &drv,
		};

		vkGetPhysicalDeviceProperties2(pds[i], &p2);
		if (strstr(p2.properties.deviceName, want) ||
		    strstr(drv.driverName, want)) {
			c->pd = pds[i];
			c->props = p2.properties;
			snprintf(c->driver_name, sizeof(c->driver_name), "%s",
				 drv.driverName);
			break;
		}
	}
	if (!c->pd) {
		printf("  no Vulkan device named *%s*\n", want);
		vkDestroyInstance(c->inst, NULL);
		c->inst = VK_NULL_HANDLE;
		return false;
	}
	vkGetPhysicalDeviceMemoryProperties(c->pd, &c->mem);
	return true;
}

/* Whether the chosen device is vsvm's (not lavapipe or another). */
static inline bool
vk_is_vsvm(const struct vk_ctx *c)
{
	return strstr(c->props.deviceName, "vsvm") || strstr(c->driver_name, "vsvm");
}

/*
 * A device on c->pd with a compute queue family (two queues if it has
 * them), buffer device addresses, timeline semaphores, 64-bit integers,
 * and whichever of 64-bit buffer atomics, VK_EXT_external_memory_host,
 * VK_EXT_device_fault and VK_VSVM_system_svm it lists.
 */
static inline bool
vk_create_device(struct vk_ctx *c)
{
	VkExtensionProperties exts[512];
	uint32_t next = ARRAY_LEN(exts), nfam = 16, ne = 0;
	VkQueueFamilyProperties fams[16];
	const char *enable[4];
	float prio[2] = { 1.0f, 1.0f };
	VkPhysicalDeviceSystemSvmFeaturesVSVM svm = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SYSTEM_SVM_FEATURES_VSVM,
	};
	VkPhysicalDeviceFaultFeaturesEXT fault = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FAULT_FEATURES_EXT,
	};
	VkPhysicalDeviceVulkan12Features f12 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
	};
	VkPhysicalDeviceFeatures2 f2 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
		.pNext = &f12,
	};
	VkDeviceQueueCreateInfo qci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
		.pQueuePriorities = prio,
	};
	VkDeviceCreateInfo dci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
		.pNext = &f2,
		.queueCreateInfoCount = 1,
		.pQueueCreateInfos = &qci,
		.ppEnabledExtensionNames = enable,
	};
	VkCommandPoolCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
		.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
	};
	void **tail = &f12.pNext;

	if (vkEnumerateDeviceExtensionProperties(c->pd, NULL, &next, exts) < 0)
		next = 0;
	c->system_svm = vk_has_ext(exts, next, VK_VSVM_SYSTEM_SVM_EXTENSION_NAME);
	c->host_import = vk_has_ext(exts, next, VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
	c->device_fault = vk_has_ext(exts, next, VK_EXT_DEVICE_FAULT_EXTENSION_NAME);
	if (c->system_svm) {
		enable[ne++] = VK_VSVM_SYSTEM_SVM_EXTENSION_NAME;
		*tail = &svm;
		tail = &svm.pNext;
	}
	if (c->device_fault) {
		enable[ne++] = VK_EXT_DEVICE_FAULT_EXTENSION_NAME;
		*tail = &fault;
		tail = &fault.pNext;
	}
	if (c->host_import) {
		VkPhysicalDeviceExternalMemoryHostPropertiesEXT hp = {
			.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT,
		};
		VkPhysicalDeviceProperties2 p2 = {
			.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
			.pNext = &hp,
		};

		vkGetPhysicalDeviceProperties2(c->pd, &p2);
		c->host_align = hp.minImportedHostPointerAlignment;
		enable[ne++] = VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME;
	}
	dci.enabledExtensionCount = ne;

	/* Enable what is listed of what the tests use, no more. */
	vkGetPhysicalDeviceFeatures2(c->pd, &f2);
	if (!f12.bufferDeviceAddress || !f12.timelineSemaphore ||
	    !f2.features.shaderInt64) {
		printf("  the device lacks buffer device addresses, timeline "
		       "semaphores or 64-bit integers\n");
		return false;
	}
	if (c->system_svm && !svm.systemSvm) {
		printf("  VK_VSVM_system_svm is listed, its feature is not\n");
		return false;
	}
	c->atomics64 = f12.shaderBufferInt64Atomics;
	c->device_fault = c->device_fault && fault.deviceFault;
	memset(&f2.features, 0, sizeof(f2.features));
	f2.features.shaderInt64 = VK_TRUE;
	f12 = (VkPhysicalDeviceVulkan12Features){
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
		.pNext = f12.pNext,
		.bufferDeviceAddress = VK_TRUE,
		.timelineSemaphore = VK_TRUE,
		.shaderBufferInt64Atomics = c->atomics64,
	};
	fault.deviceFaultVendorBinary = VK_FALSE;

	vkGetPhysicalDeviceQueueFamilyProperties(c->pd, &nfam, fams);
	c->qfam = UINT32_MAX;
	for (uint32_t i = 0; i < nfam && c->qfam == UINT32_MAX; i++)
		if (fams[i].queueFlags & VK_QUEUE_COMPUTE_BIT)
			c->qfam = i;
	if (c->qfam == UINT32_MAX) {
		printf("  no compute queue family\n");
		return false;
	}
	c->nqueues = fams[c->qfam].queueCount >= 2 ? 2 : 1;
	c->timestamp_bits = fams[c->qfam].timestampValidBits;
	qci.queueFamilyIndex = c->qfam;
	qci.queueCount = c->nqueues;
	VK_CHECK(vkCreateDevice(c->pd, &dci, NULL, &c->dev));
	for (uint32_t i = 0; i < c->nqueues; i++)
		vkGetDeviceQueue(c->dev, c->qfam, i, &c->queue[i]);
	pci.queueFamilyIndex = c->qfam;
	VK_CHECK(vkCreateCommandPool(c->dev, &pci, NULL, &c->pool));
	c->get_host_ptr_props = (PFN_vkGetMemoryHostPointerPropertiesEXT)
		vkGetDeviceProcAddr(c->dev, "vkGetMemoryHostPointerPropertiesEXT");
	c->get_fault_info = (PFN_vkGetDeviceFaultInfoEXT)
		vkGetDeviceProcAddr(c->dev, "vkGetDeviceFaultInfoEXT");
	return true;
}

static inline bool
vk_open(struct vk_ctx *c, const char *want)
{
	return vk_find_device(c, want) && vk_create_device(c);
}

static inline void
vk_close(struct vk_ctx *c)
{
	if (c->dev) {
		vkDeviceWaitIdle(c->dev);
		vkDestroyCommandPool(c->dev, c->pool, NULL);
		vkDestroyDevice(c->dev, NULL);
	}
	if (c->inst)
		vkDestroyInstance(c->inst, NULL);
	memset(c, 0, sizeof(*c));
}

/* ---- memory ---- */

static inline uint32_t
vk_mem_type(const struct vk_ctx *c, uint32_t bits, VkMemoryPropertyFlags want)
{
	for (uint32_t i = 0; i < c->mem.memoryTypeCount; i++)
		if ((bits & (1u << i)) &&
		    (c->mem.memoryTypes[i].propertyFlags & want) == want)
			return i;
	return UINT32_MAX;
}

#define VK_BUF_USAGE (VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |		\
		      VK_BUFFER_USAGE_TRANSFER_SRC_BIT |		\
		      VK_BUFFER_USAGE_TRANSFER_DST_BIT |		\
		      VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT |		\
		      VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT)

/*
 * A buffer of @size bytes in host-visible, coherent memory, mapped, with
 * its device address; over the host memory at @host instead if not NULL
 * (VK_EXT_external_memory_host: @host and @size aligned to c->host_align).
 */
static inline bool
vk_buf_init(struct vk_ctx *c, struct vk_buf *b, VkDeviceSize size, void *host)
{
	VkExternalMemoryBufferCreateInfo ext = {
		.sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO,
		.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
	};
	VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.pNext = host ? &ext : NULL,
		.size = size,
		.usage = VK_BUF_USAGE,
	};
	VkImportMemoryHostPointerInfoEXT import = {
		.sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT,
		.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
		.pHostPointer = host,
	};
	VkMemoryAllocateFlagsInfo flags = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO,
		.pNext = host ? &import : NULL,
		.flags = VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT,
	};
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.pNext = &flags,
	};
	VkBufferDeviceAddressInfo bdai = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_INFO,
	};
	VkMemoryRequirements req;
	uint32_t bits;

	memset(b, 0, sizeof(*b));
	b->size = size;
	VK_CHECK(vkCreateBuffer(c->dev, &bci, NULL, &b->buf));
	vkGetBufferMemoryRequirements(c->dev, b->buf, &req);
	bits = req.memoryTypeBits;
	mai.allocationSize = req.size;
	if (host) {
		VkMemoryHostPointerPropertiesEXT hp = {
			.sType = VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT,
		};

		VK_CHECK(c->get_host_ptr_props(c->dev,
			VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
			host, &hp));
		bits &= hp.memoryTypeBits;
		mai.allocationSize = size;
	}
	mai.memoryTypeIndex = vk_mem_type(c, bits,
					  VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
					  VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
	EXPECT(mai.memoryTypeIndex != UINT32_MAX,
	       "no host-visible coherent memory type in 0x%x", bits);
	VK_CHECK(vkAllocateMemory(c->dev, &mai, NULL, &b->mem));
	VK_CHECK(vkBindBufferMemory(c->dev, b->buf, b->mem, 0));
	if (host)
		b->map = host;
	else
		VK_CHECK(vkMapMemory(c->dev, b->mem, 0, VK_WHOLE_SIZE, 0, &b->map));
	bdai.buffer = b->buf;
	b->addr = vkGetBufferDeviceAddress(c->dev, &bdai);
	return true;
}

static inline void
vk_buf_fini(struct vk_ctx *c, struct vk_buf *b)
{
	if (b->buf)
		vkDestroyBuffer(c->dev, b->buf, NULL);
	if (b->mem)
		vkFreeMemory(c->dev, b->mem, NULL);
	memset(b, 0, sizeof(*b));
}

/* ---- pipelines ---- */

/*
 * A compute pipeline from @code (SPIR-V), with @nbindings bindings in set
 * 0, each of @o's type and count (storage buffers, one each, if @o is
 * NULL), and @push bytes of push constants.
 */
static inline bool
vk_pipe_init_opts(struct vk_ctx *c, struct vk_pipe *p, const uint32_t *code,
		  size_t code_size, uint32_t nbindings, uint32_t push,
		  const struct vk_pipe_opts *o)
{
	VkDescriptorType type = o && o->type ? o->type :
				VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
	uint32_t count = o && o->count ? o->count : 1;
	VkDescriptorSetLayoutBinding bind[8];
	VkShaderModuleCreateInfo smci = {
		.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
		.codeSize = code_size,
		.pCode = code,
	};
	VkDescriptorSetLayoutCreateInfo dslci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
		.bindingCount = nbindings,
		.pBindings = bind,
	};
	VkPushConstantRange range = {
		.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
		.size = push,
	};
	VkPipelineLayoutCreateInfo plci = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
		.setLayoutCount = 1,
		.pSetLayouts = &p->dsl,
		.pushConstantRangeCount = push ? 1 : 0,
		.pPushConstantRanges = &range,
	};
	VkComputePipelineCreateInfo cpci = {
		.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
		.flags = o ? o->flags : 0,
		.stage = {
			.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
			.stage = VK_SHADER_STAGE_COMPUTE_BIT,
			.pName = "main",
		},
	};
	VkDescriptorPoolSize ps = {
		.type = type,
		.descriptorCount = nbindings ? nbindings * count : 1,
	};
	VkDescriptorPoolCreateInfo dpci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
		.maxSets = 1,
		.poolSizeCount = 1,
		.pPoolSizes = &ps,
	};
	VkDescriptorSetAllocateInfo dsai = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
		.descriptorSetCount = 1,
	};

	memset(p, 0, sizeof(*p));
	/* vk_pipe_bind() has room for 8 descriptors. */
	EXPECT(nbindings * count <= ARRAY_LEN(bind), "too many descriptors");
	for (uint32_t i = 0; i < nbindings; i++)
		bind[i] = (VkDescriptorSetLayoutBinding){
			.binding = i,
			.descriptorType = type,
			.descriptorCount = count,
			.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
		};
	p->nbindings = nbindings;
	p->count = count;
	p->type = type;
	p->range = o && o->range ? o->range : VK_WHOLE_SIZE;
	VK_CHECK(vkCreateShaderModule(c->dev, &smci, NULL, &p->module));
	VK_CHECK(vkCreateDescriptorSetLayout(c->dev, &dslci, NULL, &p->dsl));
	VK_CHECK(vkCreatePipelineLayout(c->dev, &plci, NULL, &p->layout));
	cpci.stage.module = p->module;
	cpci.layout = p->layout;
	VK_CHECK(vkCreateComputePipelines(c->dev, VK_NULL_HANDLE, 1, &cpci,
					  NULL, &p->pipe));
	VK_CHECK(vkCreateDescriptorPool(c->dev, &dpci, NULL, &p->dpool));
	dsai.descriptorPool = p->dpool;
	dsai.pSetLayouts = &p->dsl;
	VK_CHECK(vkAllocateDescriptorSets(c->dev, &dsai, &p->set));
	return true;
}

static inline bool
vk_pipe_init(struct vk_ctx *c, struct vk_pipe *p, const uint32_t *code,
	     size_t code_size, uint32_t nbindings, uint32_t push)
{
	return vk_pipe_init_opts(c, p, code, code_size, nbindings, push, NULL);
}

#define VK_PIPE_INIT(c, p, spv, nbindings, push) \
	vk_pipe_init(c, p, spv, sizeof(spv), nbindings, push)

/*
 * Points the pipeline's descriptors at @bufs, binding by binding and
 * element by element within an array binding, each over the pipeline's
 * range from offset 0.
 */
static inline void
vk_pipe_bind(struct vk_ctx *c, struct vk_pipe *p, struct vk_buf *const *bufs)
{
	VkDescriptorBufferInfo info[8];
	VkWriteDescriptorSet w[8];

	for (uint32_t i = 0; i < p->nbindings * p->count; i++)
		info[i] = (VkDescriptorBufferInfo){ bufs[i]->buf, 0, p->range };
	for (uint32_t i = 0; i < p->nbindings; i++)
		w[i] = (VkWriteDescriptorSet){
			.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
			.dstSet = p->set,
			.dstBinding = i,
			.descriptorCount = p->count,
			.descriptorType = p->type,
			.pBufferInfo = &info[i * p->count],
		};
	vkUpdateDescriptorSets(c->dev, p->nbindings, w, 0, NULL);
}

static inline void
vk_pipe_fini(struct vk_ctx *c, struct vk_pipe *p)
{
	vkDestroyPipeline(c->dev, p->pipe, NULL);
	vkDestroyPipelineLayout(c->dev, p->layout, NULL);
	vkDestroyDescriptorPool(c->dev, p->dpool, NULL);
	vkDestroyDescriptorSetLayout(c->dev, p->dsl, NULL);
	vkDestroyShaderModule(c->dev, p->module, NULL);
	memset(p, 0, sizeof(*p));
}

/* ---- commands ---- */

/* A primary command buffer, begun for one submission. */
static inline VkCommandBuffer
vk_cmd_begin(struct vk_ctx *c)
{
	VkCommandBufferAllocateInfo ai = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.commandPool = c->pool,
		.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
		.commandBufferCount = 1,
	};
	VkCommandBufferBeginInfo bi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
		.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
	};
	VkCommandBuffer cb = VK_NULL_HANDLE;

	if (vkAllocateCommandBuffers(c->dev, &ai, &cb) != VK_SUCCESS)
		return VK_NULL_HANDLE;
	vkBeginCommandBuffer(cb, &bi);
	return cb;
}

/*
 * Binds @p with its descriptor set at the @ndyn dynamic offsets @dyn, and
 * pushes @push (@size bytes).
 */
static inline void
vk_cmd_pipe_dyn(VkCommandBuffer cb, const struct vk_pipe *p, const void *push,
		uint32_t size, uint32_t ndyn, const uint32_t *dyn)
{
	vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, p->pipe);
	vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, p->layout,
				0, 1, &p->set, ndyn, dyn);
	if (size)
		vkCmdPushConstants(cb, p->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0,
				   size, push);
}

/* Binds @p with its descriptor set and pushes @push (@size bytes). */
static inline void
vk_cmd_pipe(VkCommandBuffer cb, const struct vk_pipe *p, const void *push,
	    uint32_t size)
{
	vk_cmd_pipe_dyn(cb, p, push, size, 0, NULL);
}

/* Makes everything before visible to everything after, host included. */
static inline void
vk_cmd_barrier(VkCommandBuffer cb)
{
	VkMemoryBarrier mb = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_MEMORY_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT,
	};

	vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
			     VK_PIPELINE_STAGE_ALL_COMMANDS_BIT | VK_PIPELINE_STAGE_HOST_BIT,
			     0, 1, &mb, 0, NULL, 0, NULL);
}

/*
 * Ends @cb and submits it to queue @q with a fence, to start once the
 * timeline semaphore @sem reaches @wait and to set it to @signal when done
 * (no semaphore if @sem is VK_NULL_HANDLE, no signal if @signal is 0);
 * returns the fence (VK_NULL_HANDLE if the submission failed, with *@res
 * saying why).
 */
static inline VkFence
vk_cmd_submit_after(struct vk_ctx *c, VkCommandBuffer cb, uint32_t q,
		    VkSemaphore sem, uint64_t wait, uint64_t signal,
		    VkResult *res)
{
	VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
	VkTimelineSemaphoreSubmitInfo tssi = {
		.sType = VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO,
		.waitSemaphoreValueCount = 1,
		.pWaitSemaphoreValues = &wait,
		.signalSemaphoreValueCount = signal ? 1 : 0,
		.pSignalSemaphoreValues = &signal,
	};
	VkPipelineStageFlags stage = VK_PIPELINE_STAGE_ALL_COMMANDS_BIT;
	VkSubmitInfo si = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
		.commandBufferCount = 1,
		.pCommandBuffers = &cb,
	};
	VkFence f = VK_NULL_HANDLE;

	if (sem) {
		si.pNext = &tssi;
		si.waitSemaphoreCount = 1;
		si.pWaitSemaphores = &sem;
		si.pWaitDstStageMask = &stage;
		si.signalSemaphoreCount = signal ? 1 : 0;
		si.pSignalSemaphores = &sem;
	}
	vkEndCommandBuffer(cb);
	*res = vkCreateFence(c->dev, &fci, NULL, &f);
	if (*res != VK_SUCCESS)
		return VK_NULL_HANDLE;
	*res = vkQueueSubmit(c->queue[q], 1, &si, f);
	if (*res != VK_SUCCESS) {
		vkDestroyFence(c->dev, f, NULL);
		return VK_NULL_HANDLE;
	}
	return f;
}

/*
 * Ends @cb, submits it to queue @q with a fence, and returns the fence
 * (VK_NULL_HANDLE if the submission failed, with *@res saying why).
 */
static inline VkFence
vk_cmd_submit(struct vk_ctx *c, VkCommandBuffer cb, uint32_t q, VkResult *res)
{
	return vk_cmd_submit_after(c, cb, q, VK_NULL_HANDLE, 0, 0, res);
}

/* Waits for @f and frees it and @cb; returns the wait's result. */
static inline VkResult
vk_cmd_wait(struct vk_ctx *c, VkCommandBuffer cb, VkFence f)
{
	VkResult res = vkWaitForFences(c->dev, 1, &f, VK_TRUE, VK_TIMEOUT_NS);

	/* A lost device's fences count as signalled: freeing is safe. */
	if (res != VK_TIMEOUT) {
		vkDestroyFence(c->dev, f, NULL);
		vkFreeCommandBuffers(c->dev, c->pool, 1, &cb);
	}
	return res;
}

/* Submits @cb to the first queue and waits for it. */
static inline VkResult
vk_cmd_run(struct vk_ctx *c, VkCommandBuffer cb)
{
	VkResult res;
	VkFence f = vk_cmd_submit(c, cb, 0, &res);

	return f ? vk_cmd_wait(c, cb, f) : res;
}

/* Records one dispatch of @p and runs it. */
static inline VkResult
vk_dispatch(struct vk_ctx *c, const struct vk_pipe *p, const void *push,
	    uint32_t size, uint32_t groups)
{
	VkCommandBuffer cb = vk_cmd_begin(c);

	if (!cb)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	vk_cmd_pipe(cb, p, push, size);
	vkCmdDispatch(cb, groups, 1, 1);
	vk_cmd_barrier(cb);
	return vk_cmd_run(c, cb);
}

/* ---- timeline semaphores ---- */

/* A timeline semaphore at 0. */
static inline VkResult
vk_timeline_init(struct vk_ctx *c, VkSemaphore *sem)
{
	VkSemaphoreTypeCreateInfo type = {
		.sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
		.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE,
	};
	VkSemaphoreCreateInfo sci = {
		.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO,
		.pNext = &type,
	};

	return vkCreateSemaphore(c->dev, &sci, NULL, sem);
}

/* The host sets @sem to @value. */
static inline VkResult
vk_timeline_signal(struct vk_ctx *c, VkSemaphore sem, uint64_t value)
{
	VkSemaphoreSignalInfo ssi = {
		.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO,
		.semaphore = sem,
		.value = value,
	};

	return vkSignalSemaphore(c->dev, &ssi);
}

/* ---- programs ---- */

struct vk_test {
	const char *name;
	/*
	 * Runs on the device vk_run_tests() opened for it, which it may
	 * close and reopen; returns false on failure; sets
	 * test_skip_reason to skip.
	 */
	bool (*fn)(void);
};

/* The device substring of the command line ("-d NAME"; default vsvm). */
static const char *vk_want = "vsvm";

/*
 * Prints the chosen device, runs the selected tests, each on a device of
 * its own opened in @c (a test may lose its device), prints the summary;
 * returns the exit status.
 */
static inline int
vk_run_tests(struct vk_ctx *c, const struct vk_test *tests, size_t n,
	     int argc, char **argv)
{
	struct test_report r = { 0 };
	int first;

	vk_want = test_device_arg(argc, argv, "vsvm", &first);
	if (!vk_find_device(c, vk_want)) {
		printf("0 passed, 1 failed\n");
		return 1;
	}
	printf("# device: %s (%s)\n", c->props.deviceName, c->driver_name);
	vk_close(c);
	for (size_t i = 0; i < n; i++) {
		bool ok;

		if (!test_selected(tests[i].name, argc, argv, first))
			continue;
		test_skip_reason[0] = '\0';
		test_begin(&r);
		ok = vk_open(c, vk_want) && tests[i].fn();
		vk_close(c);
		if (test_skip_reason[0])
			test_skip(&r, tests[i].name, test_skip_reason);
		else if (ok)
			test_pass(&r, tests[i].name);
		else
			test_fail(&r, tests[i].name);
	}
	return test_end(&r);
}

#endif /* VK_COMMON_H */
