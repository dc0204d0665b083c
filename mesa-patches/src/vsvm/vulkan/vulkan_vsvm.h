/* SPDX-License-Identifier: MIT */
/*
 * VK_VSVM_system_svm: an experimental vsvm extension (docs/VK_VSVM_system_svm.md
 * in the vsvm project). Not registered with Khronos: the structure type below
 * lies in no registered extension's range and may change.
 *
 * With the systemSvm feature enabled at vkCreateDevice, every address of the
 * calling process is a valid device address: a shader may dereference any
 * pointer the application passes it (push constants, buffer contents) through
 * VK_KHR_buffer_device_address's physical storage buffer pointers, without
 * importing or allocating device memory. Accesses to addresses with no CPU
 * mapping, or without the needed CPU permission, lose the device.
 */
#ifndef VULKAN_VSVM_H_
#define VULKAN_VSVM_H_ 1

#include <vulkan/vulkan_core.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VK_VSVM_system_svm 1
#define VK_VSVM_SYSTEM_SVM_SPEC_VERSION 1
#define VK_VSVM_SYSTEM_SVM_EXTENSION_NAME "VK_VSVM_system_svm"

#define VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SYSTEM_SVM_FEATURES_VSVM \
	((VkStructureType)1000999000)

typedef struct VkPhysicalDeviceSystemSvmFeaturesVSVM {
	VkStructureType sType;
	void *pNext;
	VkBool32 systemSvm;
} VkPhysicalDeviceSystemSvmFeaturesVSVM;

#ifdef __cplusplus
}
#endif

#endif /* VULKAN_VSVM_H_ */
