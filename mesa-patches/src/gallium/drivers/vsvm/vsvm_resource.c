/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 *
 * Buffers and fences.  Every buffer is CPU-mapped for its whole life: a
 * shmem BO through its mmap offset, user memory as itself.
 */
#include <string.h>

#include "util/log.h"
#include "util/u_memory.h"
#include "util/u_transfer.h"
#include "vsvm_priv.h"

static struct pipe_resource *
vsvm_resource_create(struct pipe_screen *pscreen,
		     const struct pipe_resource *templ)
{
	struct vsvm_screen *screen = vsvm_screen(pscreen);
	struct vsvm_resource *res;

	/* Compute only: no textures or images. */
	if (templ->target != PIPE_BUFFER)
		return NULL;
	res = CALLOC_STRUCT(vsvm_resource);
	if (!res)
		return NULL;
	res->base = *templ;
	res->base.screen = pscreen;
	pipe_reference_init(&res->base.reference, 1);

	res->bo = vsvm_bo_create(screen->ws, templ->width0);
	if (!res->bo) {
		FREE(res);
		return NULL;
	}
	res->va = res->bo->va;
	res->cpu = res->bo->map;
	return &res->base;
}

static struct pipe_resource *
vsvm_resource_from_user_memory(struct pipe_screen *pscreen,
			       const struct pipe_resource *templ,
			       void *user_memory)
{
	struct vsvm_screen *screen = vsvm_screen(pscreen);
	struct vsvm_resource *res;

	if (templ->target != PIPE_BUFFER)
		return NULL;
	res = CALLOC_STRUCT(vsvm_resource);
	if (!res)
		return NULL;
	res->base = *templ;
	res->base.screen = pscreen;
	pipe_reference_init(&res->base.reference, 1);

	/*
	 * In the mirror the pointer is its own GPU address, and must be: the
	 * memory may be SVM memory, whose device and host addresses are equal,
	 * and kernels store pointers into it that the host then follows.
	 */
	if (vsvm_in_mirror(screen->ws, user_memory, templ->width0)) {
		res->va = (uintptr_t)user_memory;
		res->cpu = user_memory;
		return &res->base;
	}
	/* Without the mirror: a userptr binding in the heap. */
	res->bo = vsvm_bo_userptr(screen->ws, user_memory, templ->width0);
	if (!res->bo) {
		FREE(res);
		return NULL;
	}
	res->va = res->bo->va + ((uintptr_t)user_memory & 4095);
	res->cpu = user_memory;
	return &res->base;
}

static void
vsvm_resource_destroy(struct pipe_screen *pscreen, struct pipe_resource *pres)
{
	struct vsvm_resource *res = vsvm_resource(pres);

	vsvm_bo_destroy(res->bo);
	FREE(res);
}

static void *
vsvm_buffer_map(struct pipe_context *pctx, struct pipe_resource *pres,
		unsigned int level, unsigned int usage,
		const struct pipe_box *box, struct pipe_transfer **out)
{
	struct vsvm_context *ctx = vsvm_context(pctx);
	struct vsvm_resource *res = vsvm_resource(pres);
	struct pipe_transfer *xfer;

	/*
	 * The context does not track which job uses which buffer: a
	 * synchronized map waits for all of them.  Rusticl maps after waiting
	 * for the queue anyway, so this rarely costs anything.
	 */
	if (!(usage & PIPE_MAP_UNSYNCHRONIZED))
		vsvm_context_wait_idle(ctx);

	xfer = CALLOC_STRUCT(pipe_transfer);
	if (!xfer)
		return NULL;
	pipe_resource_reference(&xfer->resource, pres);
	xfer->level = level;
	xfer->usage = usage;
	xfer->box = *box;
	*out = xfer;
	return res->cpu + box->x;
}

static void
vsvm_buffer_unmap(struct pipe_context *pctx, struct pipe_transfer *xfer)
{
	pipe_resource_reference(&xfer->resource, NULL);
	FREE(xfer);
}

static void *
vsvm_texture_map(struct pipe_context *pctx, struct pipe_resource *pres,
		 unsigned int level, unsigned int usage,
		 const struct pipe_box *box, struct pipe_transfer **out)
{
	return NULL;	/* no textures */
}

static void
vsvm_texture_unmap(struct pipe_context *pctx, struct pipe_transfer *xfer)
{
}

static void
vsvm_resource_copy_region(struct pipe_context *pctx, struct pipe_resource *dst,
			  unsigned int dst_level, unsigned int dstx,
			  unsigned int dsty, unsigned int dstz,
			  struct pipe_resource *src, unsigned int src_level,
			  const struct pipe_box *box)
{
	struct vsvm_context *ctx = vsvm_context(pctx);

	if (dst->target != PIPE_BUFFER || src->target != PIPE_BUFFER)
		return;
	vsvm_context_wait_idle(ctx);
	memmove(vsvm_resource(dst)->cpu + dstx, vsvm_resource(src)->cpu + box->x,
		box->width);
}

static void
vsvm_clear_buffer(struct pipe_context *pctx, struct pipe_resource *pres,
		  unsigned int offset, unsigned int size, const void *value,
		  int value_size)
{
	struct vsvm_context *ctx = vsvm_context(pctx);
	uint8_t *p = vsvm_resource(pres)->cpu + offset;

	vsvm_context_wait_idle(ctx);
	for (unsigned int i = 0; i + value_size <= size; i += value_size)
		memcpy(p + i, value, value_size);
}

void
vsvm_resource_screen_init(struct pipe_screen *pscreen)
{
	pscreen->resource_create = vsvm_resource_create;
	pscreen->resource_from_user_memory = vsvm_resource_from_user_memory;
	pscreen->resource_destroy = vsvm_resource_destroy;
}

void
vsvm_resource_context_init(struct pipe_context *pctx)
{
	pctx->buffer_map = vsvm_buffer_map;
	pctx->buffer_unmap = vsvm_buffer_unmap;
	pctx->texture_map = vsvm_texture_map;
	pctx->texture_unmap = vsvm_texture_unmap;
	pctx->buffer_subdata = u_default_buffer_subdata;
	pctx->texture_subdata = u_default_texture_subdata;
	pctx->resource_copy_region = vsvm_resource_copy_region;
	pctx->clear_buffer = vsvm_clear_buffer;
}

/* ---- fences ---- */

struct vsvm_timeline *
vsvm_timeline_create(void)
{
	struct vsvm_timeline *tl = CALLOC_STRUCT(vsvm_timeline);

	if (tl)
		pipe_reference_init(&tl->reference, 1);
	return tl;
}

void
vsvm_timeline_reference(struct vsvm_timeline **ptr, struct vsvm_timeline *tl)
{
	struct vsvm_timeline *old = *ptr;

	if (pipe_reference(old ? &old->reference : NULL,
			   tl ? &tl->reference : NULL))
		FREE(old);
	*ptr = tl;
}

struct vsvm_fence *
vsvm_fence_create(struct vsvm_timeline *tl, uint64_t seqno)
{
	struct vsvm_fence *fence = CALLOC_STRUCT(vsvm_fence);

	if (!fence)
		return NULL;
	pipe_reference_init(&fence->reference, 1);
	vsvm_timeline_reference(&fence->tl, tl);
	fence->seqno = seqno;
	return fence;
}

static void
vsvm_fence_reference(struct pipe_screen *pscreen,
		     struct pipe_fence_handle **ptr,
		     struct pipe_fence_handle *fence)
{
	struct vsvm_fence *old = (struct vsvm_fence *)*ptr;
	struct vsvm_fence *f = (struct vsvm_fence *)fence;

	if (pipe_reference(old ? &old->reference : NULL,
			   f ? &f->reference : NULL)) {
		vsvm_timeline_reference(&old->tl, NULL);
		FREE(old);
	}
	*ptr = fence;
}

static bool
vsvm_fence_finish(struct pipe_screen *pscreen, struct pipe_context *pctx,
		  struct pipe_fence_handle *fence, uint64_t timeout)
{
	struct vsvm_fence *f = (struct vsvm_fence *)fence;

	/* No fence (out of memory at flush) was waited for then. */
	if (!f || !f->tl)
		return true;
	/* The word only grows: a CPU load answers without a syscall. */
	if (p_atomic_read(&f->tl->seqno) >= f->seqno)
		return true;
	if (!timeout)
		return false;
	return vsvm_wait_user_fence(vsvm_screen(pscreen)->ws, &f->tl->seqno,
				    f->seqno,
				    timeout == OS_TIMEOUT_INFINITE ? UINT64_MAX :
								     timeout);
}

void
vsvm_fence_screen_init(struct pipe_screen *pscreen)
{
	pscreen->fence_reference = vsvm_fence_reference;
	pscreen->fence_finish = vsvm_fence_finish;
}
