/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 *
 * The kernel interface of the vsvm Gallium and Vulkan drivers: device
 * facts, one GPU VM per screen or VkDevice, buffer objects, queues,
 * submission and waits.
 *
 * Address space layout of the screen's VM (docs/mesa.md):
 *
 *   [page, mirror_end)   CPU-address mirror of the whole user address space,
 *                        so any pointer the process holds (malloc, stack,
 *                        mmap) is a valid GPU address with the same value;
 *   [heap_start, heap_end)
 *                        buffer objects and userptr bindings, above the
 *                        user address space (VA_BITS 48 leaves 128 TiB
 *                        there), where the CPU never maps anything.
 *
 * Bindings may not overlap (the kernel refuses with -EEXIST), hence the
 * separate regions.  A device without DRM_VSVM_SVM_CAP_MIRROR gets no mirror
 * and only the heap.
 */
#ifndef VSVM_WINSYS_H
#define VSVM_WINSYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drm-uapi/vsvm_drm.h"
#include "drm-uapi/vsvm_isa.h"
#include "util/simple_mtx.h"
#include "util/vma.h"

struct vsvm_device_info {
	uint64_t va_bits;
	uint64_t isa_version;
	uint64_t wave_width;
	uint64_t num_cus;
	uint64_t svm_caps;
	uint64_t max_wg_size;
	uint64_t max_shared_size;
	uint64_t max_scratch_size;
	uint64_t num_regs;
	uint64_t max_args_size;
	uint64_t max_code_size;
	uint64_t mirror_va_end;
	uint64_t job_timeout_ms;
	uint64_t max_bo_size;
};

struct vsvm_winsys {
	int fd;
	uint32_t vm_id;
	struct vsvm_device_info info;
	bool has_mirror;		/* the mirror is bound */
	uint64_t mirror_start, mirror_end;
	uint64_t heap_start, heap_end;
	simple_mtx_t heap_lock;
	struct util_vma_heap heap;
};

struct vsvm_bo {
	struct vsvm_winsys *ws;
	uint32_t handle;		/* 0 for a userptr binding */
	uint64_t size;			/* bytes bound, page aligned */
	uint64_t va;			/* GPU address of the first byte bound */
	void *map;			/* CPU mapping of a BO, or the user pages */
};

/*
 * Whether @fd is a vsvm device this code speaks to (UAPI and ISA
 * versions); if so, fills @info.  Creates nothing.
 */
bool vsvm_winsys_query(int fd, struct vsvm_device_info *info);

/* Takes ownership of nothing: @fd is duplicated. NULL if not a vsvm device. */
struct vsvm_winsys *vsvm_winsys_create(int fd);
void vsvm_winsys_destroy(struct vsvm_winsys *ws);

/* A shmem BO of at least @size bytes, bound in the heap and CPU-mapped. */
struct vsvm_bo *vsvm_bo_create(struct vsvm_winsys *ws, uint64_t size);

/*
 * Binds the pages holding [@ptr, @ptr + @size) with MAP_USERPTR in the
 * heap; @ptr itself is then at GPU address bo->va + (@ptr & 4095).
 */
struct vsvm_bo *vsvm_bo_userptr(struct vsvm_winsys *ws, void *ptr,
				uint64_t size);
void vsvm_bo_destroy(struct vsvm_bo *bo);

/* Whether [@ptr, @ptr + @size) lies in the bound CPU-address mirror. */
static inline bool
vsvm_in_mirror(const struct vsvm_winsys *ws, const void *ptr, uint64_t size)
{
	uint64_t p = (uintptr_t)ptr;

	return ws->has_mirror && p >= ws->mirror_start &&
	       p <= ws->mirror_end && size <= ws->mirror_end - p;
}

uint32_t vsvm_queue_create(struct vsvm_winsys *ws);
void vsvm_queue_destroy(struct vsvm_winsys *ws, uint32_t queue_id);

/* Returns 0 and the job's sequence number, or a negative errno. */
int vsvm_exec(struct vsvm_winsys *ws, struct drm_vsvm_exec *exec);

/*
 * DRM_IOCTL_VSVM_WAIT: 0 once the job ended (its status in @out), -ETIME,
 * or another negative errno.
 */
int vsvm_wait(struct vsvm_winsys *ws, uint32_t queue_id, uint64_t seqno,
	      int64_t timeout_ns, struct drm_vsvm_wait *out);

int vsvm_prefetch(struct vsvm_winsys *ws, uint64_t addr, uint64_t range,
		  bool write);

/*
 * DRM_IOCTL_VSVM_WAIT_USER_FENCE: true once *@word >= @value, false if
 * @timeout_ns (relative; UINT64_MAX: forever) passed first.
 */
bool vsvm_wait_user_fence(struct vsvm_winsys *ws, const uint64_t *word,
			  uint64_t value, uint64_t timeout_ns);

const char *vsvm_status_name(uint32_t status);

#endif /* VSVM_WINSYS_H */
