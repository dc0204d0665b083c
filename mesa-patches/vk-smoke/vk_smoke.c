// SPDX-License-Identifier: MIT
/*
 * A Vulkan smoke test: one compute dispatch through descriptors and push
 * constants on the device whose name contains -d NAME (default "vsvm"),
 * checked word by word; where VK_VSVM_system_svm is listed, the same
 * kernel also updates plain malloc() memory through a pointer in the push
 * constants.  The full tests are mesa-patches/vk-tests/.
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
	int svm;

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

	VkPhysicalDeviceSystemSvmFeaturesVSVM svm_features = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SYSTEM_SVM_FEATURES_VSVM,
		.systemSvm = VK_TRUE,
	};
	VkPhysicalDeviceVulkan12Features f12 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
		.pNext = svm ? &svm_features : NULL,
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
	const char *exts[] = { VK_VSVM_SYSTEM_SVM_EXTENSION_NAME };
	VkDeviceCreateInfo dci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
		.pNext = &f2,
		.queueCreateInfoCount = 1,
		.pQueueCreateInfos = &qci,
		.enabledExtensionCount = svm ? 1 : 0,
		.ppEnabledExtensionNames = exts,
	};
	VkDevice dev;
	VkQueue queue;

	CHECK(vkCreateDevice(pd, &dci, NULL, &dev));
	vkGetDeviceQueue(dev, 0, 0, &queue);

	/* Two buffers in one host-visible allocation. */
	VkBuffer buf[2];
	VkDeviceMemory mem;
	VkMemoryRequirements req;
	VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.size = N * 4,
		.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
	};
	for (int i = 0; i < 2; i++)
		CHECK(vkCreateBuffer(dev, &bci, NULL, &buf[i]));
	vkGetBufferMemoryRequirements(dev, buf[0], &req);
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.allocationSize = 2 * req.size,
		.memoryTypeIndex = 0,
	};
	CHECK(vkAllocateMemory(dev, &mai, NULL, &mem));
	CHECK(vkBindBufferMemory(dev, buf[0], mem, 0));
	CHECK(vkBindBufferMemory(dev, buf[1], mem, req.size));
	uint32_t *map;
	CHECK(vkMapMemory(dev, mem, 0, VK_WHOLE_SIZE, 0, (void **)&map));
	uint32_t *src = map, *dst = map + req.size / 4;
	for (uint32_t i = 0; i < N; i++) {
		src[i] = i * 7 + 1;
		dst[i] = 0xdeadbeef;
	}
	uint32_t *host = malloc(N * 4);
	for (uint32_t i = 0; i < N; i++)
		host[i] = i ^ 0x55;

	VkDescriptorSetLayoutBinding b[2] = {
		{ 0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
		{ 1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
	};
	VkDescriptorSetLayoutCreateInfo dslci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
		.bindingCount = 2,
		.pBindings = b,
	};
	VkDescriptorSetLayout dsl;
	CHECK(vkCreateDescriptorSetLayout(dev, &dslci, NULL, &dsl));
	VkPushConstantRange pcr = { VK_SHADER_STAGE_COMPUTE_BIT, 0, 24 };
	VkPipelineLayoutCreateInfo plci = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
		.setLayoutCount = 1,
		.pSetLayouts = &dsl,
		.pushConstantRangeCount = 1,
		.pPushConstantRanges = &pcr,
	};
	VkPipelineLayout pl;
	CHECK(vkCreatePipelineLayout(dev, &plci, NULL, &pl));
	VkShaderModuleCreateInfo smci = {
		.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
		.codeSize = sizeof(vk_smoke_spv),
		.pCode = vk_smoke_spv,
	};
	VkShaderModule sm;
	CHECK(vkCreateShaderModule(dev, &smci, NULL, &sm));
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
	VkPipeline pipe;
	CHECK(vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &cpci, NULL, &pipe));

	VkDescriptorPoolSize ps = { VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2 };
	VkDescriptorPoolCreateInfo dpci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
		.maxSets = 1,
		.poolSizeCount = 1,
		.pPoolSizes = &ps,
	};
	VkDescriptorPool dp;
	CHECK(vkCreateDescriptorPool(dev, &dpci, NULL, &dp));
	VkDescriptorSetAllocateInfo dsai = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
		.descriptorPool = dp,
		.descriptorSetCount = 1,
		.pSetLayouts = &dsl,
	};
	VkDescriptorSet ds;
	CHECK(vkAllocateDescriptorSets(dev, &dsai, &ds));
	VkDescriptorBufferInfo dbi[2] = {
		{ buf[0], 0, VK_WHOLE_SIZE }, { buf[1], 0, VK_WHOLE_SIZE },
	};
	VkWriteDescriptorSet w = {
		.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
		.dstSet = ds,
		.dstBinding = 0,
		.descriptorCount = 2,
		.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
		.pBufferInfo = dbi,
	};
	vkUpdateDescriptorSets(dev, 1, &w, 0, NULL);

	VkCommandPoolCreateInfo cpoolci = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
		.queueFamilyIndex = 0,
	};
	VkCommandPool cpool;
	CHECK(vkCreateCommandPool(dev, &cpoolci, NULL, &cpool));
	VkCommandBufferAllocateInfo cbai = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.commandPool = cpool,
		.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
		.commandBufferCount = 1,
	};
	VkCommandBuffer cb;
	CHECK(vkAllocateCommandBuffers(dev, &cbai, &cb));
	VkCommandBufferBeginInfo cbbi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
	};
	struct {
		uint32_t a, b, n, pad;
		uint64_t host;
	} push = { 3, 11, N, 0, svm ? (uintptr_t)host : 0 };

	CHECK(vkBeginCommandBuffer(cb, &cbbi));
	vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipe);
	vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pl, 0, 1,
				&ds, 0, NULL);
	vkCmdPushConstants(cb, pl, VK_SHADER_STAGE_COMPUTE_BIT, 0,
			   sizeof(push), &push);
	vkCmdDispatch(cb, (N + 63) / 64, 1, 1);
	CHECK(vkEndCommandBuffer(cb));

	VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
	VkFence fence;
	CHECK(vkCreateFence(dev, &fci, NULL, &fence));
	VkSubmitInfo si = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
		.commandBufferCount = 1,
		.pCommandBuffers = &cb,
	};
	CHECK(vkQueueSubmit(queue, 1, &si, fence));
	CHECK(vkWaitForFences(dev, 1, &fence, VK_TRUE, UINT64_MAX));

	int ok = 1;
	for (uint32_t i = 0; i < N; i++) {
		if (dst[i] != 3 * (i * 7 + 1) + 11) {
			printf("vk_smoke: dst[%u] = 0x%x, want 0x%x\n", i, dst[i],
			       3 * (i * 7 + 1) + 11);
			ok = 0;
			break;
		}
	}
	result("dispatch through descriptors and push constants", ok);
	if (svm) {
		ok = 1;
		for (uint32_t i = 0; i < N; i++) {
			if (host[i] != 3 * (i ^ 0x55) + 11) {
				printf("vk_smoke: host[%u] = 0x%x, want 0x%x\n", i,
				       host[i], 3 * (i ^ 0x55) + 11);
				ok = 0;
				break;
			}
		}
		result("malloc() memory through a pointer (system SVM)", ok);
	}

	vkDestroyFence(dev, fence, NULL);
	vkDestroyCommandPool(dev, cpool, NULL);
	vkDestroyDescriptorPool(dev, dp, NULL);
	vkDestroyPipeline(dev, pipe, NULL);
	vkDestroyShaderModule(dev, sm, NULL);
	vkDestroyPipelineLayout(dev, pl, NULL);
	vkDestroyDescriptorSetLayout(dev, dsl, NULL);
	for (int i = 0; i < 2; i++)
		vkDestroyBuffer(dev, buf[i], NULL);
	vkFreeMemory(dev, mem, NULL);
	vkDestroyDevice(dev, NULL);
	vkDestroyInstance(inst, NULL);
	free(host);
	printf("vk_smoke: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
