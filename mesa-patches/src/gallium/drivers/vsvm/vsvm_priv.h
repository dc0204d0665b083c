/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 *
 * The vsvm Gallium driver: compute only, for Rusticl.  Buffers are BOs (or
 * userptr bindings of user memory), kernels are compiled by src/vsvm's NIR
 * backend, every launch_grid is one DRM_IOCTL_VSVM_EXEC, and fences are
 * user fences: the screen's VM is an SVM VM, whose jobs may page-fault and
 * therefore publish no dma-fence (no syncobjs), so each job has the kernel
 * store its seqno in a word of the context when it ends.
 */
#ifndef VSVM_PRIV_H
#define VSVM_PRIV_H

#include "pipe/p_context.h"
#include "pipe/p_screen.h"
#include "pipe/p_state.h"
#include "util/u_inlines.h"
#include "vsvm/drm/vsvm_winsys.h"

struct vsvm_screen {
	struct pipe_screen base;
	struct vsvm_winsys *ws;
	/* fine-grained system SVM: the CPU-address mirror is bound */
	bool system_svm;
	uint64_t global_mem_size;
	/* Rusticl's cache of libclc and kernels in NIR; NULL if disabled */
	struct disk_cache *disk_cache;
};

static inline struct vsvm_screen *
vsvm_screen(struct pipe_screen *p)
{
	return (struct vsvm_screen *)p;
}

struct vsvm_resource {
	struct pipe_resource base;
	struct vsvm_bo *bo;
	/* GPU address and CPU pointer of byte 0 of the resource */
	uint64_t va;
	uint8_t *cpu;
};

static inline struct vsvm_resource *
vsvm_resource(struct pipe_resource *p)
{
	return (struct vsvm_resource *)p;
}

/*
 * The word a queue's user fences go to: each job, however it ends, has the
 * kernel store its seqno there, in submission order.  Fences share it with
 * the context, as they may outlive it.
 */
struct vsvm_timeline {
	struct pipe_reference reference;
	uint64_t seqno;			/* written by the kernel */
};

struct vsvm_fence {
	struct pipe_reference reference;
	struct vsvm_timeline *tl;	/* NULL: already signalled (no jobs) */
	uint64_t seqno;			/* signalled once tl->seqno reaches it */
};

struct vsvm_compute_state {
	struct vsvm_bo *code;		/* the ISA, in a BO the GPU reads */
	uint32_t code_size;
	uint32_t num_regs;
	uint32_t scratch_size;
	uint32_t shared_size;		/* static shared memory */
	char *name;
};

/*
 * Kernel arguments outlive launch_grid (the shader reads them while it
 * runs), so each launch copies them into this ring.  Wrapping around
 * waits for the queue to drain first.
 */
#define VSVM_ARGS_RING_SIZE	(1u << 20)

/* Jobs whose status is unread; the kernel keeps the last 256 per queue. */
#define VSVM_MAX_UNCHECKED	128

struct vsvm_context {
	struct pipe_context base;
	struct vsvm_screen *screen;
	uint32_t queue_id;

	struct vsvm_compute_state *cs;

	/* constant buffer 0: the kernel's argument block */
	uint8_t *args;
	uint32_t args_size, args_alloc;

	struct vsvm_bo *args_ring;
	uint32_t args_head;

	/* the user-fence word of the queue's jobs */
	struct vsvm_timeline *tl;

	uint64_t last_seqno;		/* last job submitted */
	uint64_t checked_seqno;		/* statuses read up to here */
	bool guilty;			/* a job failed, not yet reported */
};

static inline struct vsvm_context *
vsvm_context(struct pipe_context *p)
{
	return (struct vsvm_context *)p;
}

struct pipe_context *vsvm_context_create(struct pipe_screen *pscreen,
					 void *priv, unsigned int flags);

void vsvm_resource_screen_init(struct pipe_screen *pscreen);
void vsvm_resource_context_init(struct pipe_context *pctx);
void vsvm_fence_screen_init(struct pipe_screen *pscreen);
struct vsvm_fence *vsvm_fence_create(struct vsvm_timeline *tl, uint64_t seqno);
struct vsvm_timeline *vsvm_timeline_create(void);
void vsvm_timeline_reference(struct vsvm_timeline **ptr,
			     struct vsvm_timeline *tl);

/* Waits for every job of the context and reads their statuses. */
void vsvm_context_wait_idle(struct vsvm_context *ctx);

#endif /* VSVM_PRIV_H */
