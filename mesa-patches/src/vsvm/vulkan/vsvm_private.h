/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 *
 * The vsvm Vulkan driver: compute only, on Mesa's common Vulkan runtime.
 * Commands are recorded by the runtime's generic command queue
 * (vk_cmd_enqueue) and replayed at submission (vsvm_execute.c), where each
 * dispatch becomes one DRM_IOCTL_VSVM_EXEC with an argument buffer holding
 * the push constants, a few system values and the bound descriptors.
 */
#ifndef VSVM_PRIVATE_H
#define VSVM_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "util/list.h"
#include "util/simple_mtx.h"
#include "vk_buffer.h"
#include "vk_command_buffer.h"
#include "vk_descriptor_set_layout.h"
#include "vk_device.h"
#include "vk_device_memory.h"
#include "vk_instance.h"
#include "vk_log.h"
#include "vk_object.h"
#include "vk_physical_device.h"
#include "vk_pipeline_layout.h"
#include "vk_query_pool.h"
#include "vk_queue.h"
#include "vk_sync.h"
#include "vk_sync_timeline.h"

#include "vsvm_entrypoints.h"
#include "vsvm_winsys.h"
#include "vulkan_vsvm.h"

#define VSVM_VK_API_VERSION	VK_MAKE_VERSION(1, 3, VK_HEADER_VERSION)

/*
 * The argument buffer of a dispatch (read by LDARG, or through its own
 * address for indirect offsets):
 *
 *   [0, 256)          push constants
 *   256               its own GPU address (u64)
 *   264               base workgroup id (3 x u32, vkCmdDispatchBase)
 *   [VSVM_ARGS_DESC, ...)
 *                     descriptors of the pipeline layout's sets in order,
 *                     16 bytes each: GPU address (u64), range (u64)
 */
#define VSVM_PUSH_CONSTANTS_SIZE	256
#define VSVM_ARGS_SELF			256
#define VSVM_ARGS_BASE_GROUP		264
#define VSVM_ARGS_DESC			288
#define VSVM_DESC_SIZE			16

struct vsvm_instance {
	struct vk_instance vk;
};

struct vsvm_physical_device {
	struct vk_physical_device vk;
	int fd;
	struct vsvm_device_info info;
	/* The device has a CPU-address mirror: VK_VSVM_system_svm. */
	bool mirror;
	const struct vk_sync_type *sync_types[3];
	struct vk_sync_timeline_type sync_timeline_type;
};

struct vsvm_queue {
	struct vk_queue vk;
	struct vsvm_device *device;
	uint32_t queue_id;
	/* Protects @submitted, @checked and @args_head. */
	simple_mtx_t lock;
	/* The kernel stores each job's seqno here when it ends (user fence). */
	uint64_t *fence_word;
	uint64_t submitted;	/* seqno of the last EXEC */
	uint64_t checked;	/* statuses read up to this seqno */
	/* Ring of argument buffers; wrapping waits for the queue to drain. */
	struct vsvm_bo *args;
	uint64_t args_head;
};

struct vsvm_fault {
	bool valid;
	uint32_t status;
	uint32_t access;
	uint64_t addr;
	uint32_t pc;
};

struct vsvm_device {
	struct vk_device vk;
	struct vsvm_physical_device *pdev;
	struct vsvm_winsys *ws;
	struct vsvm_queue queue;
	bool system_svm;	/* systemSvm enabled */
	simple_mtx_t fault_lock;
	struct vsvm_fault fault;	/* first failed job, for device_fault */
};

struct vsvm_memory {
	struct vk_device_memory vk;
	struct vsvm_bo *bo;	/* NULL for a host pointer in the mirror */
	uint64_t va;		/* device address of the first byte */
	void *map;		/* CPU address of the first byte */
};

struct vsvm_buffer {
	struct vk_buffer vk;
	uint64_t va;		/* 0 until bound */
	void *map;
};

struct vsvm_ds_binding {
	VkDescriptorType type;
	uint32_t count;
	uint32_t index;		/* first descriptor of the binding in the set */
	uint32_t dynamic;	/* first dynamic offset of the binding */
};

struct vsvm_ds_layout {
	struct vk_descriptor_set_layout vk;
	uint32_t binding_count;
	uint32_t size;		/* descriptors */
	uint32_t dynamic_count;
	struct vsvm_ds_binding binding[];
};

struct vsvm_descriptor {
	uint64_t va;
	uint64_t range;
};

struct vsvm_descriptor_set {
	struct vk_object_base base;
	struct vsvm_ds_layout *layout;
	struct list_head link;	/* in the pool */
	struct vsvm_descriptor desc[];
};

struct vsvm_descriptor_pool {
	struct vk_object_base base;
	struct list_head sets;
};

struct vsvm_pipeline {
	struct vk_object_base base;
	struct vk_pipeline_layout *layout;
	struct vsvm_bo *code;
	uint32_t code_size;
	uint32_t wg_size[3];
	uint32_t shared_size;
	uint32_t scratch_size;
	uint32_t args_size;
	uint32_t set_offset[MESA_VK_MAX_DESCRIPTOR_SETS];	/* descriptors */
};

struct vsvm_query_pool {
	struct vk_query_pool vk;
	uint64_t *values;
	bool *available;
};

struct vsvm_cmd_buffer {
	struct vk_command_buffer vk;
};

/* A CPU-signalled binary sync that may also wait for a job of a queue. */
struct vsvm_sync {
	struct vk_sync base;
	mtx_t mutex;
	cnd_t cond;
	bool signaled;
	struct vsvm_queue *queue;	/* signaled once seqno ended there */
	uint64_t seqno;
};

extern const struct vk_sync_type vsvm_sync_type;
extern const struct vk_command_buffer_ops vsvm_cmd_buffer_ops;

VK_DEFINE_HANDLE_CASTS(vsvm_instance, vk.base, VkInstance,
		       VK_OBJECT_TYPE_INSTANCE)
VK_DEFINE_HANDLE_CASTS(vsvm_physical_device, vk.base, VkPhysicalDevice,
		       VK_OBJECT_TYPE_PHYSICAL_DEVICE)
VK_DEFINE_HANDLE_CASTS(vsvm_device, vk.base, VkDevice, VK_OBJECT_TYPE_DEVICE)
VK_DEFINE_HANDLE_CASTS(vsvm_queue, vk.base, VkQueue, VK_OBJECT_TYPE_QUEUE)
VK_DEFINE_HANDLE_CASTS(vsvm_cmd_buffer, vk.base, VkCommandBuffer,
		       VK_OBJECT_TYPE_COMMAND_BUFFER)
VK_DEFINE_NONDISP_HANDLE_CASTS(vsvm_memory, vk.base, VkDeviceMemory,
			       VK_OBJECT_TYPE_DEVICE_MEMORY)
VK_DEFINE_NONDISP_HANDLE_CASTS(vsvm_buffer, vk.base, VkBuffer,
			       VK_OBJECT_TYPE_BUFFER)
VK_DEFINE_NONDISP_HANDLE_CASTS(vsvm_ds_layout, vk.base, VkDescriptorSetLayout,
			       VK_OBJECT_TYPE_DESCRIPTOR_SET_LAYOUT)
VK_DEFINE_NONDISP_HANDLE_CASTS(vsvm_descriptor_set, base, VkDescriptorSet,
			       VK_OBJECT_TYPE_DESCRIPTOR_SET)
VK_DEFINE_NONDISP_HANDLE_CASTS(vsvm_descriptor_pool, base, VkDescriptorPool,
			       VK_OBJECT_TYPE_DESCRIPTOR_POOL)
VK_DEFINE_NONDISP_HANDLE_CASTS(vsvm_pipeline, base, VkPipeline,
			       VK_OBJECT_TYPE_PIPELINE)
VK_DEFINE_NONDISP_HANDLE_CASTS(vsvm_query_pool, vk.base, VkQueryPool,
			       VK_OBJECT_TYPE_QUERY_POOL)

/* vsvm_device.c */
VkResult vsvm_queue_wait_seqno(struct vsvm_queue *queue, uint64_t seqno,
			       uint64_t abs_timeout_ns);
VkResult vsvm_queue_check(struct vsvm_queue *queue);
void vsvm_sync_signal_with_job(struct vk_sync *vsync, struct vsvm_queue *queue,
			       uint64_t seqno);
bool vsvm_sync_is_on_queue(struct vk_sync *vsync, struct vsvm_queue *queue);

/* vsvm_execute.c */
VkResult vsvm_queue_submit(struct vk_queue *vk_queue,
			   struct vk_queue_submit *submit);

/* vsvm_pipeline.c: offset of each set's descriptors, in descriptors. */
uint32_t vsvm_layout_set_offsets(const struct vk_pipeline_layout *layout,
				 uint32_t *offsets);

#endif /* VSVM_PRIVATE_H */
