// SPDX-License-Identifier: MIT
/*
 * A Vulkan smoke test: one compute dispatch through descriptors and push
 * constants on the device whose name contains -d NAME (default "vsvm"),
 * checked word by word; where VK_VSVM_system_svm is listed, the same
 * kernel also updates plain malloc() memory through a pointer in the push
 * constants, and a load through a bad pointer must lose the device, with
 * VK_EXT_device_fault naming the address, while a new device works; and
 * vkCmdDispatchBase must write where it should through a dynamic storage
 * buffer, and a shader indexing a descriptor array and push constants by
 * its invocation must too.  The full tests are mesa-patches/vk-tests/.
 *
 * Usage: vk_smoke [-d NAME]
 * Prints "vk_smoke: N passed, N failed"; exit status 0 when all passed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vulkan/vulkan.h>

#include "vulkan_vsvm.h"
#include "vk_smoke_spv.h"
#include "vk_smoke_base_spv.h"
#include "vk_smoke_index_spv.h"

#define N 1000

static int passed, failed;

#define CHECK(x) do {							\
	VkResult r_ = (x);						\
	if (r_ != VK_SUCCESS) {						\
		fprintf(stderr, "vk_smoke: %s: %d\n", #x, r_);		\
		exit(1);						\
	}								\
} while (0)

static void
result(const char *what, int ok)
{
	printf("vk_smoke: %s: %s\n", what, ok ? "ok" : "FAILED");
	if (ok)
		passed++;
	else
		failed++;
}

static int
has_ext(VkPhysicalDevice pd, const char *name)
{
	VkExtensionProperties *e;
	uint32_t n = 0;
	int found = 0;

	vkEnumerateDeviceExtensionProperties(pd, NULL, &n, NULL);
	e = calloc(n, sizeof(*e));
	vkEnumerateDeviceExtensionProperties(pd, NULL, &n, e);
	for (uint32_t i = 0; i < n; i++)
		found |= !strcmp(e[i].extensionName, name);
	free(e);
	return found;
}

struct smoke {
	VkDevice dev;
	VkQueue queue;
	VkBuffer buf[2];
	VkDeviceMemory mem;
	uint32_t *src, *dst;
	VkDescriptorSetLayout dsl;
	VkPipelineLayout pl;
	VkShaderModule sm;
	VkPipeline pipe;
	VkDescriptorPool dp;
	VkDescriptorSet ds;
	VkCommandPool cpool;
};

struct push {
	uint32_t a, b, n, pad;
	uint64_t host;
};

static void
smoke_init(struct smoke *t, VkPhysicalDevice pd, int svm, int fault)
{
	VkPhysicalDeviceSystemSvmFeaturesVSVM svm_features = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SYSTEM_SVM_FEATURES_VSVM,
		.systemSvm = VK_TRUE,
	};
	VkPhysicalDeviceFaultFeaturesEXT fault_features = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FAULT_FEATURES_EXT,
		.pNext = svm ? &svm_features : NULL,
		.deviceFault = VK_TRUE,
	};
	VkPhysicalDeviceVulkan12Features f12 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
		.pNext = fault ? (void *)&fault_features : fault_features.pNext,
		.bufferDeviceAddress = VK_TRUE,
	};
	VkPhysicalDeviceFeatures2 f2 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
		.pNext = &f12,
		.features.shaderInt64 = VK_TRUE,
	};
	float prio = 1.0f;
	VkDeviceQueueCreateInfo qci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
		.queueFamilyIndex = 0,
		.queueCount = 1,
		.pQueuePriorities = &prio,
	};
	const char *exts[2];
	uint32_t next = 0;
	VkDeviceCreateInfo dci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
		.pNext = &f2,
		.queueCreateInfoCount = 1,
		.pQueueCreateInfos = &qci,
		.ppEnabledExtensionNames = exts,
	};

	if (fault)
		exts[next++] = VK_EXT_DEVICE_FAULT_EXTENSION_NAME;
	if (svm)
		exts[next++] = VK_VSVM_SYSTEM_SVM_EXTENSION_NAME;
	dci.enabledExtensionCount = next;

	CHECK(vkCreateDevice(pd, &dci, NULL, &t->dev));
	vkGetDeviceQueue(t->dev, 0, 0, &t->queue);

	/* Two buffers in one host-visible allocation. */
	VkMemoryRequirements req;
	VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.size = N * 4,
		.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
	};
	for (int i = 0; i < 2; i++)
		CHECK(vkCreateBuffer(t->dev, &bci, NULL, &t->buf[i]));
	vkGetBufferMemoryRequirements(t->dev, t->buf[0], &req);
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.allocationSize = 2 * req.size,
		.memoryTypeIndex = 0,
	};
	CHECK(vkAllocateMemory(t->dev, &mai, NULL, &t->mem));
	CHECK(vkBindBufferMemory(t->dev, t->buf[0], t->mem, 0));
	CHECK(vkBindBufferMemory(t->dev, t->buf[1], t->mem, req.size));
	uint32_t *map;
	CHECK(vkMapMemory(t->dev, t->mem, 0, VK_WHOLE_SIZE, 0, (void **)&map));
	t->src = map;
	t->dst = map + req.size / 4;

	VkDescriptorSetLayoutBinding b[2] = {
		{ 0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
		{ 1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
	};
	VkDescriptorSetLayoutCreateInfo dslci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
		.bindingCount = 2,
		.pBindings = b,
	};
	CHECK(vkCreateDescriptorSetLayout(t->dev, &dslci, NULL, &t->dsl));
	VkPushConstantRange pcr = {
		VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(struct push),
	};
	VkPipelineLayoutCreateInfo plci = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
		.setLayoutCount = 1,
		.pSetLayouts = &t->dsl,
		.pushConstantRangeCount = 1,
		.pPushConstantRanges = &pcr,
	};
	CHECK(vkCreatePipelineLayout(t->dev, &plci, NULL, &t->pl));
	VkShaderModuleCreateInfo smci = {
		.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
		.codeSize = sizeof(vk_smoke_spv),
		.pCode = vk_smoke_spv,
	};
	CHECK(vkCreateShaderModule(t->dev, &smci, NULL, &t->sm));
	VkComputePipelineCreateInfo cpci = {
		.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
		.stage = {
			.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
			.stage = VK_SHADER_STAGE_COMPUTE_BIT,
			.module = t->sm,
			.pName = "main",
		},
		.layout = t->pl,
	};
	CHECK(vkCreateComputePipelines(t->dev, VK_NULL_HANDLE, 1, &cpci, NULL,
				       &t->pipe));

	VkDescriptorPoolSize ps = { VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2 };
	VkDescriptorPoolCreateInfo dpci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
		.maxSets = 1,
		.poolSizeCount = 1,
		.pPoolSizes = &ps,
	};
	CHECK(vkCreateDescriptorPool(t->dev, &dpci, NULL, &t->dp));
	VkDescriptorSetAllocateInfo dsai = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
		.descriptorPool = t->dp,
		.descriptorSetCount = 1,
		.pSetLayouts = &t->dsl,
	};
	CHECK(vkAllocateDescriptorSets(t->dev, &dsai, &t->ds));
	VkDescriptorBufferInfo dbi[2] = {
		{ t->buf[0], 0, VK_WHOLE_SIZE }, { t->buf[1], 0, VK_WHOLE_SIZE },
	};
	VkWriteDescriptorSet w = {
		.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
		.dstSet = t->ds,
		.dstBinding = 0,
		.descriptorCount = 2,
		.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
		.pBufferInfo = dbi,
	};
	vkUpdateDescriptorSets(t->dev, 1, &w, 0, NULL);

	VkCommandPoolCreateInfo cpoolci = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
		.queueFamilyIndex = 0,
	};
	CHECK(vkCreateCommandPool(t->dev, &cpoolci, NULL, &t->cpool));
}

/* One dispatch over push->n words; the fence wait's result. */
static VkResult
smoke_run(struct smoke *t, const struct push *push)
{
	VkCommandBufferAllocateInfo cbai = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.commandPool = t->cpool,
		.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
		.commandBufferCount = 1,
	};
	VkCommandBufferBeginInfo cbbi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
	};
	VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
	VkCommandBuffer cb;
	VkFence fence;
	VkResult r;

	CHECK(vkAllocateCommandBuffers(t->dev, &cbai, &cb));
	CHECK(vkBeginCommandBuffer(cb, &cbbi));
	vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, t->pipe);
	vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, t->pl, 0, 1,
				&t->ds, 0, NULL);
	vkCmdPushConstants(cb, t->pl, VK_SHADER_STAGE_COMPUTE_BIT, 0,
			   sizeof(*push), push);
	vkCmdDispatch(cb, (push->n + 63) / 64, 1, 1);
	CHECK(vkEndCommandBuffer(cb));

	CHECK(vkCreateFence(t->dev, &fci, NULL, &fence));
	VkSubmitInfo si = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
		.commandBufferCount = 1,
		.pCommandBuffers = &cb,
	};
	r = vkQueueSubmit(t->queue, 1, &si, fence);
	if (r == VK_SUCCESS)
		r = vkWaitForFences(t->dev, 1, &fence, VK_TRUE, UINT64_MAX);
	vkDestroyFence(t->dev, fence, NULL);
	vkFreeCommandBuffers(t->dev, t->cpool, 1, &cb);
	return r;
}

static void
smoke_finish(struct smoke *t)
{
	vkDestroyCommandPool(t->dev, t->cpool, NULL);
	vkDestroyDescriptorPool(t->dev, t->dp, NULL);
	vkDestroyPipeline(t->dev, t->pipe, NULL);
	vkDestroyShaderModule(t->dev, t->sm, NULL);
	vkDestroyPipelineLayout(t->dev, t->pl, NULL);
	vkDestroyDescriptorSetLayout(t->dev, t->dsl, NULL);
	for (int i = 0; i < 2; i++)
		vkDestroyBuffer(t->dev, t->buf[i], NULL);
	vkFreeMemory(t->dev, t->mem, NULL);
	vkDestroyDevice(t->dev, NULL);
}

/* Descriptors and push constants, and @host through a pointer if set. */
static void
check_dispatch(struct smoke *t, uint32_t *host, const char *what)
{
	struct push push = { 3, 11, N, 0, (uintptr_t)host };
	int ok = 1;

	for (uint32_t i = 0; i < N; i++) {
		t->src[i] = i * 7 + 1;
		t->dst[i] = 0xdeadbeef;
		if (host)
			host[i] = i ^ 0x55;
	}
	if (smoke_run(t, &push) != VK_SUCCESS) {
		result(what, 0);
		return;
	}
	for (uint32_t i = 0; i < N && ok; i++) {
		if (t->dst[i] != 3 * (i * 7 + 1) + 11) {
			printf("vk_smoke: dst[%u] = 0x%x, want 0x%x\n", i,
			       t->dst[i], 3 * (i * 7 + 1) + 11);
			ok = 0;
		}
		if (host && host[i] != 3 * (i ^ 0x55) + 11) {
			printf("vk_smoke: host[%u] = 0x%x, want 0x%x\n", i,
			       host[i], 3 * (i ^ 0x55) + 11);
			ok = 0;
		}
	}
	result(what, ok);
}

/*
 * vkCmdDispatchBase, groups 2..4 of 32 lanes, into a dynamic storage buffer
 * at offset 256: WorkgroupId and GlobalInvocationId count from the base.
 */
static void
check_dispatch_base(struct smoke *t)
{
	VkDescriptorSetLayoutBinding b = {
		0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC, 1,
		VK_SHADER_STAGE_COMPUTE_BIT, NULL,
	};
	VkDescriptorSetLayoutCreateInfo dslci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
		.bindingCount = 1,
		.pBindings = &b,
	};
	VkDescriptorSetLayout dsl;
	VkPipelineLayout pl;
	VkShaderModule sm;
	VkPipeline pipe;
	VkDescriptorPool dp;
	VkDescriptorSet ds;
	VkCommandBuffer cb;
	VkFence fence;
	uint32_t *o = t->dst;
	int ok = 1;

	CHECK(vkCreateDescriptorSetLayout(t->dev, &dslci, NULL, &dsl));
	VkPipelineLayoutCreateInfo plci = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
		.setLayoutCount = 1,
		.pSetLayouts = &dsl,
	};
	CHECK(vkCreatePipelineLayout(t->dev, &plci, NULL, &pl));
	VkShaderModuleCreateInfo smci = {
		.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
		.codeSize = sizeof(vk_smoke_base_spv),
		.pCode = vk_smoke_base_spv,
	};
	CHECK(vkCreateShaderModule(t->dev, &smci, NULL, &sm));
	VkComputePipelineCreateInfo cpci = {
		.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
		.flags = VK_PIPELINE_CREATE_DISPATCH_BASE_BIT,
		.stage = {
			.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
			.stage = VK_SHADER_STAGE_COMPUTE_BIT,
			.module = sm,
			.pName = "main",
		},
		.layout = pl,
	};
	CHECK(vkCreateComputePipelines(t->dev, VK_NULL_HANDLE, 1, &cpci, NULL,
				       &pipe));
	VkDescriptorPoolSize ps = { VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC, 1 };
	VkDescriptorPoolCreateInfo dpci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
		.maxSets = 1,
		.poolSizeCount = 1,
		.pPoolSizes = &ps,
	};
	CHECK(vkCreateDescriptorPool(t->dev, &dpci, NULL, &dp));
	VkDescriptorSetAllocateInfo dsai = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
		.descriptorPool = dp,
		.descriptorSetCount = 1,
		.pSetLayouts = &dsl,
	};
	CHECK(vkAllocateDescriptorSets(t->dev, &dsai, &ds));
	VkDescriptorBufferInfo dbi = { t->buf[1], 0, 2048 };
	VkWriteDescriptorSet w = {
		.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
		.dstSet = ds,
		.descriptorCount = 1,
		.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC,
		.pBufferInfo = &dbi,
	};
	vkUpdateDescriptorSets(t->dev, 1, &w, 0, NULL);

	VkCommandBufferAllocateInfo cbai = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.commandPool = t->cpool,
		.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
		.commandBufferCount = 1,
	};
	VkCommandBufferBeginInfo cbbi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
	};
	VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
	uint32_t dyn = 256;

	for (uint32_t i = 0; i < N; i++)
		o[i] = 0xdeadbeef;
	CHECK(vkAllocateCommandBuffers(t->dev, &cbai, &cb));
	CHECK(vkBeginCommandBuffer(cb, &cbbi));
	vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipe);
	vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pl, 0, 1,
				&ds, 1, &dyn);
	vkCmdDispatchBase(cb, 2, 0, 0, 3, 1, 1);
	CHECK(vkEndCommandBuffer(cb));
	CHECK(vkCreateFence(t->dev, &fci, NULL, &fence));
	VkSubmitInfo si = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
		.commandBufferCount = 1,
		.pCommandBuffers = &cb,
	};
	CHECK(vkQueueSubmit(t->queue, 1, &si, fence));
	CHECK(vkWaitForFences(t->dev, 1, &fence, VK_TRUE, UINT64_MAX));

	/* Words [64, 160) of the buffer's view, 64 words in. */
	for (uint32_t i = 0; i < N && ok; i++) {
		uint32_t g = i - 64;	/* the global id that wrote word i */
		uint32_t want = i >= 64 + 64 && i < 64 + 160 ?
			(g / 32) * 1000 + g % 32 + 1 : 0xdeadbeef;

		if (o[i] != want) {
			printf("vk_smoke: word %u = 0x%x, want 0x%x\n", i, o[i],
			       want);
			ok = 0;
		}
	}
	result("vkCmdDispatchBase into a dynamic storage buffer", ok);

	vkDestroyFence(t->dev, fence, NULL);
	vkFreeCommandBuffers(t->dev, t->cpool, 1, &cb);
	vkDestroyDescriptorPool(t->dev, dp, NULL);
	vkDestroyPipeline(t->dev, pipe, NULL);
	vkDestroyShaderModule(t->dev, sm, NULL);
	vkDestroyPipelineLayout(t->dev, pl, NULL);
	vkDestroyDescriptorSetLayout(t->dev, dsl, NULL);
}

/*
 * A descriptor array and push constants indexed by the invocation: 64
 * lanes, lane i writes v[i % 8] + i to word i of buffer i % 2.
 */
static void
check_indexing(struct smoke *t)
{
	VkDescriptorSetLayoutBinding b = {
		0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2,
		VK_SHADER_STAGE_COMPUTE_BIT, NULL,
	};
	static const uint32_t v[8] = { 10, 20, 30, 40, 50, 60, 70, 80 };
	VkPushConstantRange pcr = { VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(v) };
	VkDescriptorSetLayoutCreateInfo dslci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
		.bindingCount = 1,
		.pBindings = &b,
	};
	VkDescriptorSetLayout dsl;
	VkPipelineLayout pl;
	VkShaderModule sm;
	VkPipeline pipe;
	VkDescriptorPool dp;
	VkDescriptorSet ds;
	VkCommandBuffer cb;
	VkFence fence;
	uint32_t *o = t->dst;
	uint32_t *bufs[2] = { t->src, t->dst };
	int ok = 1;

	CHECK(vkCreateDescriptorSetLayout(t->dev, &dslci, NULL, &dsl));
	VkPipelineLayoutCreateInfo plci = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
		.setLayoutCount = 1,
		.pSetLayouts = &dsl,
		.pushConstantRangeCount = 1,
		.pPushConstantRanges = &pcr,
	};
	CHECK(vkCreatePipelineLayout(t->dev, &plci, NULL, &pl));
	VkShaderModuleCreateInfo smci = {
		.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
		.codeSize = sizeof(vk_smoke_index_spv),
		.pCode = vk_smoke_index_spv,
	};
	CHECK(vkCreateShaderModule(t->dev, &smci, NULL, &sm));
	VkComputePipelineCreateInfo cpci = {
		.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
		.stage = {
			.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
			.stage = VK_SHADER_STAGE_COMPUTE_BIT,
			.module = sm,
			.pName = "main",
		},
		.layout = pl,
	};
	CHECK(vkCreateComputePipelines(t->dev, VK_NULL_HANDLE, 1, &cpci, NULL,
				       &pipe));
	VkDescriptorPoolSize ps = { VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2 };
	VkDescriptorPoolCreateInfo dpci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
		.maxSets = 1,
		.poolSizeCount = 1,
		.pPoolSizes = &ps,
	};
	CHECK(vkCreateDescriptorPool(t->dev, &dpci, NULL, &dp));
	VkDescriptorSetAllocateInfo dsai = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
		.descriptorPool = dp,
		.descriptorSetCount = 1,
		.pSetLayouts = &dsl,
	};
	CHECK(vkAllocateDescriptorSets(t->dev, &dsai, &ds));
	VkDescriptorBufferInfo dbi[2] = {
		{ t->buf[0], 0, VK_WHOLE_SIZE }, { t->buf[1], 0, VK_WHOLE_SIZE },
	};
	VkWriteDescriptorSet w = {
		.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
		.dstSet = ds,
		.descriptorCount = 2,
		.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
		.pBufferInfo = dbi,
	};
	vkUpdateDescriptorSets(t->dev, 1, &w, 0, NULL);

	VkCommandBufferAllocateInfo cbai = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.commandPool = t->cpool,
		.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
		.commandBufferCount = 1,
	};
	VkCommandBufferBeginInfo cbbi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
	};
	VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
	for (uint32_t i = 0; i < N; i++)
		t->src[i] = o[i] = 0xdeadbeef;
	CHECK(vkAllocateCommandBuffers(t->dev, &cbai, &cb));
	CHECK(vkBeginCommandBuffer(cb, &cbbi));
	vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipe);
	vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pl, 0, 1,
				&ds, 0, NULL);
	vkCmdPushConstants(cb, pl, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(v), v);
	vkCmdDispatch(cb, 1, 1, 1);
	CHECK(vkEndCommandBuffer(cb));
	CHECK(vkCreateFence(t->dev, &fci, NULL, &fence));
	VkSubmitInfo si = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
		.commandBufferCount = 1,
		.pCommandBuffers = &cb,
	};
	CHECK(vkQueueSubmit(t->queue, 1, &si, fence));
	CHECK(vkWaitForFences(t->dev, 1, &fence, VK_TRUE, UINT64_MAX));

	for (uint32_t k = 0; k < 2; k++) {
		for (uint32_t i = 0; i < N && ok; i++) {
			uint32_t want = i < 64 && (i & 1) == k ?
				v[i & 7] + i : 0xdeadbeef;

			if (bufs[k][i] != want) {
				printf("vk_smoke: buffer %u word %u = 0x%x, want 0x%x\n",
				       k, i, bufs[k][i], want);
				ok = 0;
			}
		}
	}
	result("dynamically indexed descriptors and push constants", ok);

	vkDestroyFence(t->dev, fence, NULL);
	vkFreeCommandBuffers(t->dev, t->cpool, 1, &cb);
	vkDestroyDescriptorPool(t->dev, dp, NULL);
	vkDestroyPipeline(t->dev, pipe, NULL);
	vkDestroyShaderModule(t->dev, sm, NULL);
	vkDestroyPipelineLayout(t->dev, pl, NULL);
	vkDestroyDescriptorSetLayout(t->dev, dsl, NULL);
}

/* A load through 0x10 (unmapped) loses the device and is reported. */
static void
check_fault(struct smoke *t)
{
	struct push push = { 3, 11, 1, 0, 0x10 };
	PFN_vkGetDeviceFaultInfoEXT get_fault = (PFN_vkGetDeviceFaultInfoEXT)
		vkGetDeviceProcAddr(t->dev, "vkGetDeviceFaultInfoEXT");
	VkDeviceFaultCountsEXT counts = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_FAULT_COUNTS_EXT,
	};
	VkDeviceFaultAddressInfoEXT addr = { 0 };
	VkDeviceFaultVendorInfoEXT vendor = { 0 };
	VkDeviceFaultInfoEXT info = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_FAULT_INFO_EXT,
		.pAddressInfos = &addr,
		.pVendorInfos = &vendor,
	};
	VkResult r = smoke_run(t, &push);

	printf("vk_smoke: bad pointer: %d\n", r);
	result("bad pointer loses the device", r == VK_ERROR_DEVICE_LOST);
	if (!get_fault) {
		result("vkGetDeviceFaultInfoEXT", 0);
		return;
	}
	r = get_fault(t->dev, &counts, NULL);
	if (r == VK_SUCCESS && counts.addressInfoCount == 1 &&
	    counts.vendorInfoCount <= 1 && !counts.vendorBinarySize)
		r = get_fault(t->dev, &counts, &info);
	printf("vk_smoke: fault: %d, %u address(es), 0x%llx type %d: %s\n", r,
	       counts.addressInfoCount,
	       (unsigned long long)addr.reportedAddress, addr.addressType,
	       info.description);
	result("vkGetDeviceFaultInfoEXT names 0x10, a read",
	       r == VK_SUCCESS && counts.addressInfoCount == 1 &&
	       addr.reportedAddress == 0x10 &&
	       addr.addressType == VK_DEVICE_FAULT_ADDRESS_TYPE_READ_INVALID_EXT);
}

int
main(int argc, char **argv)
{
	const char *want = argc == 3 && !strcmp(argv[1], "-d") ? argv[2] : "vsvm";
	VkApplicationInfo app = {
		.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
		.apiVersion = VK_API_VERSION_1_3,
	};
	VkInstanceCreateInfo ici = {
		.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
		.pApplicationInfo = &app,
	};
	VkInstance inst;
	VkPhysicalDevice pds[8], pd = VK_NULL_HANDLE;
	VkPhysicalDeviceProperties props;
	uint32_t npd = 8;
	struct smoke t;
	uint32_t *host;
	int svm, fault;

	CHECK(vkCreateInstance(&ici, NULL, &inst));
	CHECK(vkEnumeratePhysicalDevices(inst, &npd, pds));
	for (uint32_t i = 0; i < npd; i++) {
		vkGetPhysicalDeviceProperties(pds[i], &props);
		if (strstr(props.deviceName, want)) {
			pd = pds[i];
			break;
		}
	}
	if (!pd) {
		fprintf(stderr, "vk_smoke: no device named %s\n", want);
		return 1;
	}
	svm = has_ext(pd, VK_VSVM_SYSTEM_SVM_EXTENSION_NAME);
	printf("vk_smoke: device %s, API %u.%u, %s\n", props.deviceName,
	       VK_API_VERSION_MAJOR(props.apiVersion),
	       VK_API_VERSION_MINOR(props.apiVersion),
	       svm ? "VK_VSVM_system_svm" : "no system SVM");
	fault = has_ext(pd, VK_EXT_DEVICE_FAULT_EXTENSION_NAME);

	host = malloc(N * 4);
	smoke_init(&t, pd, svm, fault);
	check_dispatch(&t, NULL, "dispatch through descriptors and push constants");
	check_dispatch_base(&t);
	check_indexing(&t);
	/* The bad pointer needs system SVM to reach the shader. */
	if (svm) {
		check_dispatch(&t, host,
			       "malloc() memory through a pointer (system SVM)");
		if (!fault) {
			result("VK_EXT_device_fault listed", 0);
		} else {
			check_fault(&t);
			smoke_finish(&t);
			smoke_init(&t, pd, svm, fault);
			check_dispatch(&t, host, "a new device after the fault");
		}
	}
	smoke_finish(&t);
	vkDestroyInstance(inst, NULL);
	free(host);
	printf("vk_smoke: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
