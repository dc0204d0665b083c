/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "compiler/nir/nir.h"
#include "util/log.h"
#include "util/os_time.h"
#include "util/ralloc.h"
#include "util/u_math.h"
#include "util/u_memory.h"
#include "vsvm/compiler/vsvm_compiler.h"
#include "vsvm_priv.h"

/* ---- job statuses ---- */

/* Reads the status of job @seqno, blocking until it ended. */
static void
check_job(struct vsvm_context *ctx, uint64_t seqno)
{
	struct vsvm_winsys *ws = ctx->screen->ws;
	struct drm_vsvm_wait w;
	int ret;

	do {
		ret = vsvm_wait(ws, ctx->queue_id, seqno, INT64_MAX, &w);
	} while (ret == -ETIME || ret == -EINTR);
	if (ret) {
		mesa_loge("vsvm: waiting for job %" PRIu64 " failed: %s", seqno,
			  strerror(-ret));
		ctx->guilty = true;
		return;
	}
	if (w.status == DRM_VSVM_STATUS_OK)
		return;
	/* Say where, for the developer; OpenCL only gets an error code. */
	if (w.fault_access)
		mesa_loge("vsvm: job %" PRIu64 " failed: %s (status %u) at 0x%"
			  PRIx64 ", access 0x%x, pc 0x%x", seqno,
			  vsvm_status_name(w.status), w.status,
			  (uint64_t)w.fault_addr, w.fault_access, w.fault_pc);
	else if (w.status == DRM_VSVM_STATUS_TRAP)
		mesa_loge("vsvm: job %" PRIu64 " failed: trap %u at pc 0x%x",
			  seqno, w.info, w.fault_pc);
	else
		mesa_loge("vsvm: job %" PRIu64 " failed: %s (status %u)", seqno,
			  vsvm_status_name(w.status), w.status);
	ctx->guilty = true;
}

static void
check_jobs_upto(struct vsvm_context *ctx, uint64_t seqno)
{
	while (ctx->checked_seqno < seqno)
		check_job(ctx, ++ctx->checked_seqno);
}

void
vsvm_context_wait_idle(struct vsvm_context *ctx)
{
	check_jobs_upto(ctx, ctx->last_seqno);
}

static enum pipe_reset_status
vsvm_get_device_reset_status(struct pipe_context *pctx)
{
	struct vsvm_context *ctx = vsvm_context(pctx);

	/* Rusticl asks after waiting on the fence: every job has ended. */
	vsvm_context_wait_idle(ctx);
	if (ctx->guilty) {
		ctx->guilty = false;
		return PIPE_GUILTY_CONTEXT_RESET;
	}
	return PIPE_NO_RESET;
}

/* ---- compute state ---- */

static void *
vsvm_create_compute_state(struct pipe_context *pctx,
			  const struct pipe_compute_state *state)
{
	struct vsvm_context *ctx = vsvm_context(pctx);
	const struct vsvm_device_info *info = &ctx->screen->ws->info;
	struct vsvm_compiler_limits limits = {
		.num_regs = MIN2(info->num_regs, VSVM_NUM_REGS),
		.max_scratch = info->max_scratch_size,
		.max_shared = info->max_shared_size,
		.max_args = info->max_args_size,
	};
	struct vsvm_shader_binary bin;
	struct vsvm_compute_state *cs;
	nir_shader *nir = (nir_shader *)state->prog;
	char *error = NULL;

	if (state->ir_type != PIPE_SHADER_IR_NIR)
		return NULL;
	cs = CALLOC_STRUCT(vsvm_compute_state);
	if (!cs)
		goto fail;
	cs->name = strdup(nir->info.name ? nir->info.name : "kernel");

	vsvm_preprocess_nir(nir);
	if (!vsvm_compile_nir(nir, &limits, &bin, &error)) {
		mesa_loge("vsvm: cannot compile %s: %s", cs->name, error);
		free(error);
		goto fail;
	}
	if (bin.size > info->max_code_size) {
		mesa_loge("vsvm: %s is %zu bytes of code, the device takes %" PRIu64,
			  cs->name, bin.size, info->max_code_size);
		vsvm_shader_binary_finish(&bin);
		goto fail;
	}
	cs->code = vsvm_bo_create(ctx->screen->ws, bin.size);
	if (!cs->code) {
		vsvm_shader_binary_finish(&bin);
		goto fail;
	}
	memcpy(cs->code->map, bin.code, bin.size);
	cs->code_size = bin.size;
	cs->num_regs = bin.num_regs;
	cs->scratch_size = bin.scratch_size;
	cs->shared_size = MAX2(bin.shared_size, state->static_shared_mem);
	vsvm_shader_binary_finish(&bin);
	ralloc_free(nir);
	return cs;

fail:
	ralloc_free(nir);
	if (cs)
		free(cs->name);
	FREE(cs);
	return NULL;
}

static void
vsvm_bind_compute_state(struct pipe_context *pctx, void *state)
{
	vsvm_context(pctx)->cs = state;
}

static void
vsvm_delete_compute_state(struct pipe_context *pctx, void *state)
{
	struct vsvm_context *ctx = vsvm_context(pctx);
	struct vsvm_compute_state *cs = state;

	/*
	 * The kernel validated and copied the code at EXEC ("later changes to
	 * that memory do not affect the job"), so the BO can go at once.
	 */
	if (ctx->cs == cs)
		ctx->cs = NULL;
	vsvm_bo_destroy(cs->code);
	free(cs->name);
	FREE(cs);
}

static void
vsvm_get_compute_state_info(struct pipe_context *pctx, void *state,
			    struct pipe_compute_state_object_info *info)
{
	struct vsvm_context *ctx = vsvm_context(pctx);
	struct vsvm_compute_state *cs = state;
	const struct vsvm_device_info *di = &ctx->screen->ws->info;

	info->max_threads = di->max_wg_size;
	info->preferred_simd_size = di->wave_width;
	info->simd_sizes = di->wave_width;
	info->private_memory = cs->scratch_size;
}

/* ---- state ---- */

static void
vsvm_set_constant_buffer(struct pipe_context *pctx, enum pipe_shader_type shader,
			 uint index, bool take_ownership,
			 const struct pipe_constant_buffer *cb)
{
	struct vsvm_context *ctx = vsvm_context(pctx);

	/* Buffer 0 of compute is the argument block; copied, as the caller
	 * may change it before the next launch. */
	if (shader == PIPE_SHADER_COMPUTE && index == 0) {
		const uint8_t *data = NULL;
		uint32_t size = 0;

		if (cb && cb->user_buffer)
			data = cb->user_buffer;
		else if (cb && cb->buffer)
			data = vsvm_resource(cb->buffer)->cpu + cb->buffer_offset;
		if (data)
			size = cb->buffer_size;
		if (size > ctx->args_alloc) {
			uint8_t *p = realloc(ctx->args, size);

			if (p) {
				ctx->args = p;
				ctx->args_alloc = size;
			} else {
				size = 0;
			}
		}
		if (size)
			memcpy(ctx->args, data, size);
		ctx->args_size = size;
	}
	if (take_ownership && cb && cb->buffer) {
		struct pipe_resource *b = cb->buffer;

		pipe_resource_reference(&b, NULL);
	}
}

static void
vsvm_set_global_binding(struct pipe_context *pctx, unsigned int first,
			unsigned int count, struct pipe_resource **resources,
			uint32_t **handles)
{
	/*
	 * Each handle points at a 64-bit offset into the resource inside the
	 * argument block; turn it into the GPU address.  Rusticl then uploads
	 * the block with set_constant_buffer.
	 */
	if (!resources || !handles)
		return;
	for (unsigned int i = 0; i < count; i++) {
		uint64_t addr;

		if (!resources[i] || !handles[i])
			continue;
		memcpy(&addr, handles[i], sizeof(addr));
		addr += vsvm_resource(resources[i])->va;
		memcpy(handles[i], &addr, sizeof(addr));
	}
}

/* ---- launch ---- */

static uint64_t
args_alloc(struct vsvm_context *ctx, uint32_t size)
{
	uint32_t sz = align(MAX2(size, 16), 64);

	if (ctx->args_head + sz > VSVM_ARGS_RING_SIZE) {
		/* Jobs read their arguments until they end: drain first. */
		vsvm_context_wait_idle(ctx);
		ctx->args_head = 0;
	}
	ctx->args_head += sz;
	return ctx->args_head - sz;
}

static void
vsvm_launch_grid(struct pipe_context *pctx, const struct pipe_grid_info *info)
{
	struct vsvm_context *ctx = vsvm_context(pctx);
	struct vsvm_winsys *ws = ctx->screen->ws;
	struct vsvm_compute_state *cs = ctx->cs;
	struct drm_vsvm_exec exec = { 0 };
	uint64_t off;
	int ret;

	if (!cs || info->indirect) {
		mesa_loge("vsvm: launch without a kernel or with indirect sizes");
		ctx->guilty = true;
		return;
	}
	for (unsigned int i = 0; i < 3; i++)
		if (!info->grid[i] || !info->block[i])
			return;	/* an empty grid runs nothing */

	off = args_alloc(ctx, ctx->args_size);
	memcpy(ctx->args_ring->map + off, ctx->args, ctx->args_size);

	exec.queue_id = ctx->queue_id;
	exec.code_addr = cs->code->va;
	exec.code_size = cs->code_size;
	exec.args_addr = ctx->args_ring->va + off;
	exec.args_size = ctx->args_size;
	for (unsigned int i = 0; i < 3; i++) {
		exec.grid[i] = info->grid[i];
		exec.wg_size[i] = info->block[i];
	}
	exec.shared_size = cs->shared_size + info->variable_shared_mem;
	exec.scratch_size = cs->scratch_size;
	/* Seqnos of a queue go 1, 2, ...; a refused EXEC takes none. */
	exec.flags = DRM_VSVM_EXEC_USER_FENCE;
	exec.ufence_addr = (uintptr_t)&ctx->tl->seqno;
	exec.ufence_value = ctx->last_seqno + 1;

	/* Keep the number of unread statuses within what the kernel keeps. */
	if (ctx->last_seqno - ctx->checked_seqno >= VSVM_MAX_UNCHECKED)
		check_jobs_upto(ctx, ctx->last_seqno - VSVM_MAX_UNCHECKED / 2);

	ret = vsvm_exec(ws, &exec);
	if (ret) {
		mesa_loge("vsvm: EXEC of %s failed: %s", cs->name, strerror(-ret));
		ctx->guilty = true;
		return;
	}
	assert(exec.seqno == ctx->last_seqno + 1);
	ctx->last_seqno = exec.seqno;
}

static void
vsvm_flush(struct pipe_context *pctx, struct pipe_fence_handle **fence,
	   unsigned int flags)
{
	struct vsvm_context *ctx = vsvm_context(pctx);
	struct pipe_screen *screen = pctx->screen;
	struct vsvm_fence *f;

	/* EXEC already submitted every job.  A queue runs its jobs in order:
	 * the last one's seqno covers them all. */
	if (!fence)
		return;
	f = vsvm_fence_create(ctx->last_seqno ? ctx->tl : NULL, ctx->last_seqno);
	if (!f) {
		/* Out of memory: wait now, and hand out nothing to wait on. */
		vsvm_context_wait_idle(ctx);
	}
	screen->fence_reference(screen, fence, NULL);
	*fence = (struct pipe_fence_handle *)f;
}

static void
vsvm_memory_barrier(struct pipe_context *pctx, unsigned int flags)
{
	/* Jobs of a queue run in order and see each other's writes. */
}

static void
vsvm_svm_migrate(struct pipe_context *pctx, unsigned int num,
		 const void *const *ptrs, const size_t *sizes, bool to_device,
		 bool content_undefined)
{
	struct vsvm_context *ctx = vsvm_context(pctx);
	struct vsvm_winsys *ws = ctx->screen->ws;

	/* Migrating back needs nothing: the CPU faults its pages itself. */
	if (!to_device || !ws->has_mirror ||
	    !(ws->info.svm_caps & DRM_VSVM_SVM_CAP_PREFETCH))
		return;
	for (unsigned int i = 0; i < num; i++) {
		uint64_t start = (uintptr_t)ptrs[i] & ~4095ull;
		uint64_t end = align64((uintptr_t)ptrs[i] + MAX2(sizes[i], 1), 4096);
		int ret = vsvm_prefetch(ws, start, end - start, true);

		/* A hint only: the job faults pages in on its own. */
		if (ret && ret != -EFAULT)
			mesa_logw("vsvm: prefetch of 0x%" PRIx64 "+0x%" PRIx64
				  " failed: %s", start, end - start, strerror(-ret));
	}
}

/* ---- what Rusticl requires but a compute-only device does not have ---- */

struct vsvm_query {
	uint64_t ns;
};

static struct pipe_query *
vsvm_create_query(struct pipe_context *pctx, unsigned int type,
		  unsigned int index)
{
	return (struct pipe_query *)CALLOC_STRUCT(vsvm_query);
}

static void
vsvm_destroy_query(struct pipe_context *pctx, struct pipe_query *q)
{
	FREE(q);
}

static bool
vsvm_end_query(struct pipe_context *pctx, struct pipe_query *q)
{
	/* Timestamps are CPU time: the device has no clock of its own. */
	((struct vsvm_query *)q)->ns = os_time_get_nano();
	return true;
}

static bool
vsvm_get_query_result(struct pipe_context *pctx, struct pipe_query *q,
		      bool wait, union pipe_query_result *result)
{
	result->u64 = ((struct vsvm_query *)q)->ns;
	return true;
}

static void *
vsvm_create_sampler_state(struct pipe_context *pctx,
			  const struct pipe_sampler_state *state)
{
	return CALLOC_STRUCT(pipe_sampler_state);
}

static void
vsvm_delete_sampler_state(struct pipe_context *pctx, void *state)
{
	FREE(state);
}

static void
vsvm_bind_sampler_states(struct pipe_context *pctx,
			 enum pipe_shader_type shader, unsigned int start,
			 unsigned int num, void **states)
{
}

static void
vsvm_set_sampler_views(struct pipe_context *pctx, enum pipe_shader_type shader,
		       unsigned int start, unsigned int num,
		       unsigned int unbind_trailing, bool take_ownership,
		       struct pipe_sampler_view **views)
{
}

static void
vsvm_sampler_view_destroy(struct pipe_context *pctx,
			  struct pipe_sampler_view *view)
{
	pipe_resource_reference(&view->texture, NULL);
	FREE(view);
}

static void
vsvm_set_shader_images(struct pipe_context *pctx, enum pipe_shader_type shader,
		       unsigned int start, unsigned int num,
		       unsigned int unbind_trailing,
		       const struct pipe_image_view *images)
{
}

/* ---- context ---- */

static void
vsvm_context_destroy(struct pipe_context *pctx)
{
	struct vsvm_context *ctx = vsvm_context(pctx);
	struct vsvm_winsys *ws = ctx->screen->ws;

	/* Destroying the queue cancels jobs: let them finish instead. */
	vsvm_context_wait_idle(ctx);
	if (ctx->queue_id)
		vsvm_queue_destroy(ws, ctx->queue_id);
	vsvm_timeline_reference(&ctx->tl, NULL);
	vsvm_bo_destroy(ctx->args_ring);
	free(ctx->args);
	FREE(ctx);
}

struct pipe_context *
vsvm_context_create(struct pipe_screen *pscreen, void *priv, unsigned int flags)
{
	struct vsvm_screen *screen = vsvm_screen(pscreen);
	struct vsvm_context *ctx = CALLOC_STRUCT(vsvm_context);
	struct pipe_context *p;

	if (!ctx)
		return NULL;
	p = &ctx->base;
	ctx->screen = screen;
	p->screen = pscreen;
	p->priv = priv;

	ctx->queue_id = vsvm_queue_create(screen->ws);
	ctx->args_ring = vsvm_bo_create(screen->ws, VSVM_ARGS_RING_SIZE);
	ctx->tl = vsvm_timeline_create();
	if (!ctx->queue_id || !ctx->args_ring || !ctx->tl) {
		mesa_loge("vsvm: cannot create a context");
		vsvm_context_destroy(p);
		return NULL;
	}

	p->destroy = vsvm_context_destroy;
	p->flush = vsvm_flush;
	p->get_device_reset_status = vsvm_get_device_reset_status;
	p->create_compute_state = vsvm_create_compute_state;
	p->bind_compute_state = vsvm_bind_compute_state;
	p->delete_compute_state = vsvm_delete_compute_state;
	p->get_compute_state_info = vsvm_get_compute_state_info;
	p->set_constant_buffer = vsvm_set_constant_buffer;
	p->set_global_binding = vsvm_set_global_binding;
	p->launch_grid = vsvm_launch_grid;
	p->memory_barrier = vsvm_memory_barrier;
	p->svm_migrate = vsvm_svm_migrate;
	p->create_query = vsvm_create_query;
	p->destroy_query = vsvm_destroy_query;
	p->end_query = vsvm_end_query;
	p->get_query_result = vsvm_get_query_result;
	p->create_sampler_state = vsvm_create_sampler_state;
	p->delete_sampler_state = vsvm_delete_sampler_state;
	p->bind_sampler_states = vsvm_bind_sampler_states;
	p->set_sampler_views = vsvm_set_sampler_views;
	p->sampler_view_destroy = vsvm_sampler_view_destroy;
	p->set_shader_images = vsvm_set_shader_images;
	vsvm_resource_context_init(p);
	return p;
}
