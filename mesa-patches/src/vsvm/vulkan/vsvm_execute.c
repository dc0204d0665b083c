/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 *
 * Command buffers and their execution.  The runtime records every vkCmd*
 * (vk_cmd_queue); a submission replays them in order on the device's one
 * vsvm queue, whose jobs run in submission order:
 *
 *  - a dispatch is one EXEC, its argument buffer (push constants, base
 *    workgroup, the bound descriptors) taken from a ring in a BO;
 *  - barriers need nothing: each job ends, with its stores visible, before
 *    the next one starts;
 *  - copies, fills, updates and timestamps are done by the CPU once the
 *    jobs before them ended (the memory is the process's own);
 *  - an indirect dispatch reads its grid the same way.
 *
 * Every EXEC asks for the user fence, so the queue's fence word always
 * holds the last ended job; syncs signalled by the submission point at the
 * last job, so vkQueueSubmit returns while the jobs run.
 */
#include <inttypes.h>
#include <string.h>

#include "util/os_time.h"
#include "util/u_math.h"
#include "vk_alloc.h"
#include "vk_cmd_queue.h"
#include "vk_command_pool.h"
#include "vk_util.h"

#include "vsvm_private.h"

#define VSVM_ARGS_RING_ALIGN	64

static void
vsvm_cmd_buffer_destroy(struct vk_command_buffer *vk_cmd)
{
	vk_command_buffer_finish(vk_cmd);
	vk_free(&vk_cmd->pool->alloc, vk_cmd);
}

static VkResult
vsvm_cmd_buffer_create(struct vk_command_pool *pool, VkCommandBufferLevel level,
		       struct vk_command_buffer **out)
{
	struct vsvm_cmd_buffer *cmd;
	VkResult result;

	cmd = vk_zalloc(&pool->alloc, sizeof(*cmd), 8,
			VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);
	if (!cmd)
		return vk_error(pool->base.device, VK_ERROR_OUT_OF_HOST_MEMORY);
	result = vk_command_buffer_init(pool, &cmd->vk, &vsvm_cmd_buffer_ops,
					level);
	if (result != VK_SUCCESS) {
		vk_free(&pool->alloc, cmd);
		return result;
	}
	*out = &cmd->vk;
	return VK_SUCCESS;
}

static void
vsvm_cmd_buffer_reset(struct vk_command_buffer *vk_cmd,
		      VkCommandBufferResetFlags flags)
{
	vk_command_buffer_reset(vk_cmd);
}

const struct vk_command_buffer_ops vsvm_cmd_buffer_ops = {
	.create = vsvm_cmd_buffer_create,
	.reset = vsvm_cmd_buffer_reset,
	.destroy = vsvm_cmd_buffer_destroy,
};

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_BeginCommandBuffer(VkCommandBuffer commandBuffer,
			const VkCommandBufferBeginInfo *pBeginInfo)
{
	VK_FROM_HANDLE(vsvm_cmd_buffer, cmd, commandBuffer);

	vk_command_buffer_begin(&cmd->vk, pBeginInfo);
	return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_EndCommandBuffer(VkCommandBuffer commandBuffer)
{
	VK_FROM_HANDLE(vsvm_cmd_buffer, cmd, commandBuffer);

	return vk_command_buffer_end(&cmd->vk);
}

/* ---- query pools: timestamps, read from the CPU clock */

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_CreateQueryPool(VkDevice _device, const VkQueryPoolCreateInfo *pInfo,
		     const VkAllocationCallbacks *pAllocator,
		     VkQueryPool *pPool)
{
	VK_FROM_HANDLE(vsvm_device, dev, _device);
	struct vsvm_query_pool *pool;

	if (pInfo->queryType != VK_QUERY_TYPE_TIMESTAMP)
		return vk_errorf(dev, VK_ERROR_FEATURE_NOT_PRESENT,
				 "vsvm: timestamp queries only");
	pool = vk_query_pool_create(&dev->vk, pInfo, pAllocator, sizeof(*pool));
	if (!pool)
		return vk_error(dev, VK_ERROR_OUT_OF_HOST_MEMORY);
	pool->values = calloc(pInfo->queryCount, sizeof(uint64_t));
	pool->available = calloc(pInfo->queryCount, sizeof(bool));
	if (!pool->values || !pool->available) {
		free(pool->values);
		free(pool->available);
		vk_query_pool_destroy(&dev->vk, pAllocator, &pool->vk);
		return vk_error(dev, VK_ERROR_OUT_OF_HOST_MEMORY);
	}
	*pPool = vsvm_query_pool_to_handle(pool);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
vsvm_DestroyQueryPool(VkDevice _device, VkQueryPool _pool,
		      const VkAllocationCallbacks *pAllocator)
{
	VK_FROM_HANDLE(vsvm_device, dev, _device);
	VK_FROM_HANDLE(vsvm_query_pool, pool, _pool);

	if (!pool)
		return;
	free(pool->values);
	free(pool->available);
	vk_query_pool_destroy(&dev->vk, pAllocator, &pool->vk);
}

VKAPI_ATTR void VKAPI_CALL
vsvm_ResetQueryPool(VkDevice _device, VkQueryPool _pool, uint32_t first,
		    uint32_t count)
{
	VK_FROM_HANDLE(vsvm_query_pool, pool, _pool);

	for (uint32_t i = first; i < first + count; i++)
		p_atomic_set(&pool->available[i], false);
}

static void
write_result(void *dst, VkQueryResultFlags flags, uint32_t idx, uint64_t v)
{
	if (flags & VK_QUERY_RESULT_64_BIT)
		((uint64_t *)dst)[idx] = v;
	else
		((uint32_t *)dst)[idx] = (uint32_t)v;
}

VKAPI_ATTR VkResult VKAPI_CALL
vsvm_GetQueryPoolResults(VkDevice _device, VkQueryPool _pool, uint32_t first,
			 uint32_t count, size_t dataSize, void *pData,
			 VkDeviceSize stride, VkQueryResultFlags flags)
{
	VK_FROM_HANDLE(vsvm_device, dev, _device);
	VK_FROM_HANDLE(vsvm_query_pool, pool, _pool);
	VkResult result = VK_SUCCESS;

	if (vk_device_is_lost(&dev->vk))
		return VK_ERROR_DEVICE_LOST;
	for (uint32_t i = 0; i < count; i++) {
		uint32_t q = first + i;
		char *dst = (char *)pData + i * stride;
		bool avail;

		while (!(avail = p_atomic_read(&pool->available[q])) &&
		       (flags & VK_QUERY_RESULT_WAIT_BIT)) {
			if (vk_device_check_status(&dev->vk) != VK_SUCCESS)
				return VK_ERROR_DEVICE_LOST;
			os_time_sleep(100);
		}
		if (avail || (flags & VK_QUERY_RESULT_PARTIAL_BIT))
			write_result(dst, flags, 0, pool->values[q]);
		if (!avail)
			result = VK_NOT_READY;
		if (flags & VK_QUERY_RESULT_WITH_AVAILABILITY_BIT)
			write_result(dst, flags, 1, avail);
	}
	return result;
}

/* ---- replay */

struct exec_state {
	struct vsvm_queue *queue;
	struct vsvm_pipeline *pipeline;
	uint8_t push[VSVM_PUSH_CONSTANTS_SIZE];
	struct vsvm_descriptor_set *sets[MESA_VK_MAX_DESCRIPTOR_SETS];
	uint32_t dynamic[MESA_VK_MAX_DESCRIPTOR_SETS][64];
	VkResult result;
};

/* Waits until every job submitted so far ended (for work the CPU does). */
static VkResult
queue_drain(struct vsvm_queue *queue)
{
	VkResult result = vsvm_queue_wait_seqno(queue, queue->submitted,
						UINT64_MAX);

	if (result != VK_SUCCESS)
		return result;
	return vsvm_queue_check(queue);
}

static uint64_t
args_alloc(struct exec_state *st, uint32_t size, void **map)
{
	struct vsvm_queue *queue = st->queue;
	uint64_t off = align64(queue->args_head, VSVM_ARGS_RING_ALIGN);

	/* Wrapping: the jobs still reading older arguments must end first. */
	if (off + size > queue->args->size) {
		if (queue_drain(queue) != VK_SUCCESS)
			return 0;
		off = 0;
	}
	queue->args_head = off + size;
	*map = (char *)queue->args->map + off;
	return queue->args->va + off;
}

static void
dispatch(struct exec_state *st, const uint32_t base[3], const uint32_t grid[3])
{
	struct vsvm_queue *queue = st->queue;
	struct vsvm_device *dev = queue->device;
	struct vsvm_pipeline *p = st->pipeline;
	struct drm_vsvm_exec exec = { 0 };
	uint32_t offsets[MESA_VK_MAX_DESCRIPTOR_SETS];
	uint8_t *args;
	uint64_t va;
	int ret;

	if (!p || !grid[0] || !grid[1] || !grid[2] || st->result != VK_SUCCESS)
		return;
	va = args_alloc(st, p->args_size, (void **)&args);
	if (!va) {
		st->result = VK_ERROR_DEVICE_LOST;
		return;
	}
	memcpy(args, st->push, VSVM_PUSH_CONSTANTS_SIZE);
	memcpy(args + VSVM_ARGS_SELF, &va, sizeof(va));
	memcpy(args + VSVM_ARGS_BASE_GROUP, base, 3 * sizeof(uint32_t));
	vsvm_layout_set_offsets(p->layout, offsets);
	for (uint32_t s = 0; s < p->layout->set_count; s++) {
		struct vsvm_descriptor *d = (struct vsvm_descriptor *)
			(args + VSVM_ARGS_DESC) + offsets[s];
		const struct vsvm_descriptor_set *set = st->sets[s];
		const struct vsvm_ds_layout *l;

		if (!set || !p->layout->set_layouts[s])
			continue;
		l = set->layout;
		memcpy(d, set->desc, l->size * sizeof(*d));
		for (uint32_t b = 0; b < l->binding_count; b++) {
			const struct vsvm_ds_binding *bd = &l->binding[b];

			if (bd->type != VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC &&
			    bd->type != VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC)
				continue;
			for (uint32_t e = 0; e < bd->count; e++)
				d[bd->index + e].va += st->dynamic[s][bd->dynamic + e];
		}
	}

	exec.queue_id = queue->queue_id;
	exec.flags = DRM_VSVM_EXEC_USER_FENCE;
	exec.code_addr = p->code->va;
	exec.code_size = p->code_size;
	exec.args_addr = va;
	exec.args_size = p->args_size;
	for (unsigned int i = 0; i < 3; i++) {
		exec.grid[i] = grid[i];
		exec.wg_size[i] = p->wg_size[i];
	}
	exec.shared_size = p->shared_size;
	exec.scratch_size = p->scratch_size;
	exec.ufence_addr = (uintptr_t)queue->fence_word;
	exec.ufence_value = queue->submitted + 1;
	ret = vsvm_exec(dev->ws, &exec);
	if (ret) {
		st->result = vk_device_set_lost(&dev->vk, "vsvm: EXEC failed: %s",
						strerror(-ret));
		return;
	}
	queue->submitted = exec.seqno;
	/* The kernel keeps 256 statuses per queue: read them well before. */
	if (queue->submitted - queue->checked > 128) {
		vsvm_queue_wait_seqno(queue, queue->submitted - 64, UINT64_MAX);
		if (vsvm_queue_check(queue) != VK_SUCCESS)
			st->result = VK_ERROR_DEVICE_LOST;
	}
}

static void *
buffer_map(VkBuffer _buffer, uint64_t offset)
{
	VK_FROM_HANDLE(vsvm_buffer, buf, _buffer);

	return (char *)buf->map + offset;
}

static bool
cpu_work(struct exec_state *st)
{
	if (st->result == VK_SUCCESS)
		st->result = queue_drain(st->queue);
	return st->result == VK_SUCCESS;
}

static void
write_timestamp(struct exec_state *st, VkQueryPool _pool, uint32_t query)
{
	VK_FROM_HANDLE(vsvm_query_pool, pool, _pool);

	/* All work before it ended: the time it did. */
	if (!cpu_work(st))
		return;
	pool->values[query] = os_time_get_nano();
	p_atomic_set(&pool->available[query], true);
}

static void
execute_cmd_buffer(struct exec_state *st, struct vk_command_buffer *cmd_buffer)
{
	list_for_each_entry(struct vk_cmd_queue_entry, cmd,
			    &cmd_buffer->cmd_queue.cmds, cmd_link) {
		if (st->result != VK_SUCCESS)
			return;
		switch (cmd->type) {
		case VK_CMD_BIND_PIPELINE:
			if (cmd->u.bind_pipeline.pipeline_bind_point ==
			    VK_PIPELINE_BIND_POINT_COMPUTE)
				st->pipeline = vsvm_pipeline_from_handle(
					cmd->u.bind_pipeline.pipeline);
			break;
		case VK_CMD_BIND_DESCRIPTOR_SETS: {
			const struct vk_cmd_bind_descriptor_sets *b =
				&cmd->u.bind_descriptor_sets;
			uint32_t dyn = 0;

			if (b->pipeline_bind_point != VK_PIPELINE_BIND_POINT_COMPUTE)
				break;
			for (uint32_t i = 0; i < b->descriptor_set_count; i++) {
				uint32_t s = b->first_set + i;
				struct vsvm_descriptor_set *set =
					vsvm_descriptor_set_from_handle(b->descriptor_sets[i]);

				st->sets[s] = set;
				if (!set)
					continue;
				for (uint32_t d = 0; d < set->layout->dynamic_count &&
						     d < ARRAY_SIZE(st->dynamic[s]); d++)
					st->dynamic[s][d] = b->dynamic_offsets[dyn++];
			}
			break;
		}
		case VK_CMD_PUSH_CONSTANTS: {
			const struct vk_cmd_push_constants *pc = &cmd->u.push_constants;

			if (pc->offset + pc->size <= sizeof(st->push))
				memcpy(st->push + pc->offset, pc->values, pc->size);
			break;
		}
		case VK_CMD_DISPATCH: {
			const uint32_t base[3] = { 0, 0, 0 };
			const uint32_t grid[3] = {
				cmd->u.dispatch.group_count_x,
				cmd->u.dispatch.group_count_y,
				cmd->u.dispatch.group_count_z,
			};

			dispatch(st, base, grid);
			break;
		}
		case VK_CMD_DISPATCH_BASE: {
			const struct vk_cmd_dispatch_base *d = &cmd->u.dispatch_base;
			const uint32_t base[3] = {
				d->base_group_x, d->base_group_y, d->base_group_z,
			};
			const uint32_t grid[3] = {
				d->group_count_x, d->group_count_y, d->group_count_z,
			};

			dispatch(st, base, grid);
			break;
		}
		case VK_CMD_DISPATCH_INDIRECT: {
			const uint32_t base[3] = { 0, 0, 0 };
			uint32_t grid[3];

			/* Earlier jobs may write the parameters. */
			if (!cpu_work(st))
				break;
			memcpy(grid, buffer_map(cmd->u.dispatch_indirect.buffer,
						cmd->u.dispatch_indirect.offset),
			       sizeof(grid));
			dispatch(st, base, grid);
			break;
		}
		case VK_CMD_COPY_BUFFER: {
			const struct vk_cmd_copy_buffer *c = &cmd->u.copy_buffer;

			if (!cpu_work(st))
				break;
			for (uint32_t i = 0; i < c->region_count; i++)
				memmove(buffer_map(c->dst_buffer, c->regions[i].dstOffset),
					buffer_map(c->src_buffer, c->regions[i].srcOffset),
					c->regions[i].size);
			break;
		}
		case VK_CMD_COPY_BUFFER2: {
			const VkCopyBufferInfo2 *c = cmd->u.copy_buffer2.copy_buffer_info;

			if (!cpu_work(st))
				break;
			for (uint32_t i = 0; i < c->regionCount; i++)
				memmove(buffer_map(c->dstBuffer, c->pRegions[i].dstOffset),
					buffer_map(c->srcBuffer, c->pRegions[i].srcOffset),
					c->pRegions[i].size);
			break;
		}
		case VK_CMD_FILL_BUFFER: {
			const struct vk_cmd_fill_buffer *f = &cmd->u.fill_buffer;
			VK_FROM_HANDLE(vsvm_buffer, buf, f->dst_buffer);
			uint64_t size = vk_buffer_range(&buf->vk, f->dst_offset,
							f->size) & ~3ull;
			uint32_t *dst = buffer_map(f->dst_buffer, f->dst_offset);

			if (!cpu_work(st))
				break;
			for (uint64_t i = 0; i < size / 4; i++)
				dst[i] = f->data;
			break;
		}
		case VK_CMD_UPDATE_BUFFER: {
			const struct vk_cmd_update_buffer *u = &cmd->u.update_buffer;

			if (!cpu_work(st))
				break;
			memcpy(buffer_map(u->dst_buffer, u->dst_offset), u->data,
			       u->data_size);
			break;
		}
		case VK_CMD_WRITE_TIMESTAMP:
			write_timestamp(st, cmd->u.write_timestamp.query_pool,
					cmd->u.write_timestamp.query);
			break;
		case VK_CMD_WRITE_TIMESTAMP2:
			write_timestamp(st, cmd->u.write_timestamp2.query_pool,
					cmd->u.write_timestamp2.query);
			break;
		case VK_CMD_RESET_QUERY_POOL: {
			const struct vk_cmd_reset_query_pool *r = &cmd->u.reset_query_pool;
			VK_FROM_HANDLE(vsvm_query_pool, pool, r->query_pool);

			for (uint32_t i = r->first_query;
			     i < r->first_query + r->query_count; i++)
				p_atomic_set(&pool->available[i], false);
			break;
		}
		case VK_CMD_COPY_QUERY_POOL_RESULTS: {
			const struct vk_cmd_copy_query_pool_results *c =
				&cmd->u.copy_query_pool_results;
			VK_FROM_HANDLE(vsvm_query_pool, pool, c->query_pool);

			if (!cpu_work(st))
				break;
			for (uint32_t i = 0; i < c->query_count; i++) {
				uint32_t q = c->first_query + i;
				void *dst = buffer_map(c->dst_buffer,
						       c->dst_offset + i * c->stride);
				bool avail = p_atomic_read(&pool->available[q]);

				if (avail || (c->flags & VK_QUERY_RESULT_PARTIAL_BIT))
					write_result(dst, c->flags, 0, pool->values[q]);
				if (c->flags & VK_QUERY_RESULT_WITH_AVAILABILITY_BIT)
					write_result(dst, c->flags, 1, avail);
			}
			break;
		}
		case VK_CMD_EXECUTE_COMMANDS: {
			const struct vk_cmd_execute_commands *e = &cmd->u.execute_commands;

			for (uint32_t i = 0; i < e->command_buffer_count; i++) {
				VK_FROM_HANDLE(vk_command_buffer, sec,
					       e->command_buffers[i]);

				execute_cmd_buffer(st, sec);
			}
			break;
		}
		default:
			/*
			 * Barriers and events: jobs run one after the other, each
			 * one's stores visible to the next and to the CPU.
			 */
			break;
		}
	}
}

VkResult
vsvm_queue_submit(struct vk_queue *vk_queue, struct vk_queue_submit *submit)
{
	struct vsvm_queue *queue = container_of(vk_queue, struct vsvm_queue, vk);
	struct exec_state *st;
	VkResult result;

	/* Syncs a job of this queue signals are ordered by the queue itself. */
	for (uint32_t i = 0; i < submit->wait_count; i++) {
		if (vsvm_sync_is_on_queue(submit->waits[i].sync, queue))
			continue;
		result = vk_sync_wait(vk_queue->base.device, submit->waits[i].sync,
				      submit->waits[i].wait_value,
				      VK_SYNC_WAIT_COMPLETE, UINT64_MAX);
		if (result != VK_SUCCESS)
			return result;
	}

	st = calloc(1, sizeof(*st));
	if (!st)
		return vk_error(queue, VK_ERROR_OUT_OF_HOST_MEMORY);
	st->queue = queue;
	simple_mtx_lock(&queue->lock);
	for (uint32_t i = 0; i < submit->command_buffer_count; i++)
		execute_cmd_buffer(st, submit->command_buffers[i]);
	result = st->result;
	for (uint32_t i = 0; i < submit->signal_count; i++)
		vsvm_sync_signal_with_job(submit->signals[i].sync, queue,
					  queue->submitted);
	simple_mtx_unlock(&queue->lock);
	free(st);
	return result;
}
