/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 *
 * The kernel interface shared by the Gallium and the Vulkan driver: it
 * knows nothing of either (vsvm_drm_screen.c makes the Gallium screen).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>

#include "util/log.h"
#include "util/os_file.h"
#include "util/u_debug.h"
#include "util/u_math.h"
#include "vsvm_winsys.h"

#define VSVM_PAGE		4096ull
/* Heap carved below the mirror's end when VA_BITS leaves no room above. */
#define VSVM_LOW_HEAP_SIZE	(64ull << 30)

/*
 * VSVM_DEBUG=nomirror: behave as a device without DRM_VSVM_SVM_CAP_MIRROR
 * (no mirror, no system SVM), so that path can be tested on vsvm itself.
 * The compiler reads its own flags from the same variable.
 */
#define VSVM_WS_DBG_NO_MIRROR	(1u << 0)

static const struct debug_named_value vsvm_ws_debug_options[] = {
	{ "nomirror", VSVM_WS_DBG_NO_MIRROR,
	  "Bind no CPU-address mirror, as on a device without SVM" },
	DEBUG_NAMED_VALUE_END
};

DEBUG_GET_ONCE_FLAGS_OPTION(vsvm_ws_debug, "VSVM_DEBUG", vsvm_ws_debug_options, 0)

static int
get_param(int fd, uint32_t param, uint64_t *value)
{
	struct drm_vsvm_get_param gp = { .param = param };

	if (drmIoctl(fd, DRM_IOCTL_VSVM_GET_PARAM, &gp))
		return -errno;
	*value = gp.value;
	return 0;
}

static bool
query_info(int fd, struct vsvm_device_info *info)
{
	static const struct {
		uint32_t param;
		size_t offset;
	} params[] = {
#define P(name, field) { DRM_VSVM_PARAM_##name, offsetof(struct vsvm_device_info, field) }
		P(VA_BITS, va_bits),
		P(ISA_VERSION, isa_version),
		P(WAVE_WIDTH, wave_width),
		P(NUM_CUS, num_cus),
		P(SVM_CAPS, svm_caps),
		P(MAX_WG_SIZE, max_wg_size),
		P(MAX_SHARED_SIZE, max_shared_size),
		P(MAX_SCRATCH_SIZE, max_scratch_size),
		P(NUM_REGS, num_regs),
		P(MAX_ARGS_SIZE, max_args_size),
		P(MAX_CODE_SIZE, max_code_size),
		P(MIRROR_VA_END, mirror_va_end),
		P(JOB_TIMEOUT_MS, job_timeout_ms),
		P(MAX_BO_SIZE, max_bo_size),
#undef P
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(params); i++) {
		int ret = get_param(fd, params[i].param,
				    (uint64_t *)((char *)info + params[i].offset));

		if (ret) {
			mesa_loge("vsvm: GET_PARAM %u failed: %s", params[i].param,
				  strerror(-ret));
			return false;
		}
	}
	if (debug_get_option_vsvm_ws_debug() & VSVM_WS_DBG_NO_MIRROR)
		info->svm_caps &= ~(uint64_t)DRM_VSVM_SVM_CAP_MIRROR;
	return true;
}

static int
vm_bind(struct vsvm_winsys *ws, uint32_t op, uint32_t handle, uint64_t addr,
	uint64_t range, uint64_t userptr)
{
	struct drm_vsvm_vm_bind b = {
		.vm_id = ws->vm_id,
		.op = op,
		.handle = handle,
		.addr = addr,
		.range = range,
		.userptr = userptr,
	};

	return drmIoctl(ws->fd, DRM_IOCTL_VSVM_VM_BIND, &b) ? -errno : 0;
}

/* Places the mirror and the heap; see the layout in vsvm_winsys.h. */
static bool
setup_address_space(struct vsvm_winsys *ws)
{
	uint64_t va_end = 1ull << ws->info.va_bits;
	uint64_t user_end = ws->info.mirror_va_end & ~(VSVM_PAGE - 1);
	uint64_t above = align64(user_end, 1ull << 32);

	if (above < va_end && va_end - above >= (1ull << 32)) {
		ws->heap_start = above;
		ws->heap_end = va_end;
		ws->mirror_end = user_end;
	} else {
		if (user_end <= 2 * VSVM_LOW_HEAP_SIZE)
			return false;
		ws->heap_start = user_end - VSVM_LOW_HEAP_SIZE;
		ws->heap_end = user_end;
		ws->mirror_end = ws->heap_start;
	}
	/* Page zero stays unbound so a NULL dereference is reported as such. */
	ws->mirror_start = VSVM_PAGE;

	if (ws->info.svm_caps & DRM_VSVM_SVM_CAP_MIRROR) {
		int ret = vm_bind(ws, DRM_VSVM_BIND_OP_MAP_MIRROR, 0,
				  ws->mirror_start,
				  ws->mirror_end - ws->mirror_start, 0);

		if (ret)
			mesa_logw("vsvm: binding the CPU-address mirror failed: %s",
				  strerror(-ret));
		ws->has_mirror = ret == 0;
	}

	simple_mtx_init(&ws->heap_lock, mtx_plain);
	util_vma_heap_init(&ws->heap, ws->heap_start,
			   ws->heap_end - ws->heap_start);
	return true;
}

bool
vsvm_winsys_query(int fd, struct vsvm_device_info *info)
{
	drmVersionPtr ver = drmGetVersion(fd);

	if (!ver || strcmp(ver->name, "vsvm")) {
		drmFreeVersion(ver);
		return false;
	}
	/* 1.2: user fences, which the SVM VM's jobs need instead of syncobjs. */
	if (ver->version_major != 1 || ver->version_minor < 2) {
		mesa_loge("vsvm: kernel UAPI %d.%d, Mesa needs 1.2",
			  ver->version_major, ver->version_minor);
		drmFreeVersion(ver);
		return false;
	}
	drmFreeVersion(ver);

	if (!query_info(fd, info))
		return false;
	if ((info->isa_version >> 16) != VSVM_ISA_VERSION_MAJOR) {
		mesa_loge("vsvm: kernel ISA %u.%u, Mesa speaks %u.%u",
			  (unsigned int)(info->isa_version >> 16),
			  (unsigned int)(info->isa_version & 0xffff),
			  VSVM_ISA_VERSION_MAJOR, VSVM_ISA_VERSION_MINOR);
		return false;
	}
	return true;
}

struct vsvm_winsys *
vsvm_winsys_create(int fd)
{
	struct vsvm_winsys *ws = calloc(1, sizeof(*ws));
	/* The VM holds a mirror and userptr bindings of this process. */
	struct drm_vsvm_vm_create vc = { .flags = DRM_VSVM_VM_CREATE_SVM };

	if (!ws)
		return NULL;
	ws->fd = os_dupfd_cloexec(fd);
	if (ws->fd < 0)
		goto fail_free;
	if (!vsvm_winsys_query(ws->fd, &ws->info))
		goto fail_close;

	if (drmIoctl(ws->fd, DRM_IOCTL_VSVM_VM_CREATE, &vc)) {
		mesa_loge("vsvm: VM_CREATE failed: %s", strerror(errno));
		goto fail_close;
	}
	ws->vm_id = vc.vm_id;
	if (!setup_address_space(ws))
		goto fail_vm;
	return ws;

fail_vm: {
		struct drm_vsvm_vm_destroy vd = { .vm_id = ws->vm_id };

		drmIoctl(ws->fd, DRM_IOCTL_VSVM_VM_DESTROY, &vd);
	}
fail_close:
	close(ws->fd);
fail_free:
	free(ws);
	return NULL;
}

void
vsvm_winsys_destroy(struct vsvm_winsys *ws)
{
	struct drm_vsvm_vm_destroy vd = { .vm_id = ws->vm_id };

	drmIoctl(ws->fd, DRM_IOCTL_VSVM_VM_DESTROY, &vd);
	util_vma_heap_finish(&ws->heap);
	simple_mtx_destroy(&ws->heap_lock);
	close(ws->fd);
	free(ws);
}

static uint64_t
heap_alloc(struct vsvm_winsys *ws, uint64_t size)
{
	uint64_t va;

	simple_mtx_lock(&ws->heap_lock);
	va = util_vma_heap_alloc(&ws->heap, size, VSVM_PAGE);
	simple_mtx_unlock(&ws->heap_lock);
	return va;
}

static void
heap_free(struct vsvm_winsys *ws, uint64_t va, uint64_t size)
{
	simple_mtx_lock(&ws->heap_lock);
	util_vma_heap_free(&ws->heap, va, size);
	simple_mtx_unlock(&ws->heap_lock);
}

static void
gem_close(struct vsvm_winsys *ws, uint32_t handle)
{
	struct drm_gem_close gc = { .handle = handle };

	drmIoctl(ws->fd, DRM_IOCTL_GEM_CLOSE, &gc);
}

struct vsvm_bo *
vsvm_bo_create(struct vsvm_winsys *ws, uint64_t size)
{
	struct vsvm_bo *bo = calloc(1, sizeof(*bo));
	struct drm_vsvm_gem_create gc = { 0 };
	struct drm_vsvm_gem_mmap_offset mo = { 0 };
	int ret;

	if (!bo)
		return NULL;
	bo->ws = ws;
	bo->size = align64(MAX2(size, 1), VSVM_PAGE);
	gc.size = bo->size;
	if (drmIoctl(ws->fd, DRM_IOCTL_VSVM_GEM_CREATE, &gc)) {
		mesa_logw("vsvm: GEM_CREATE of %" PRIu64 " bytes failed: %s",
			  bo->size, strerror(errno));
		goto fail_free;
	}
	bo->handle = gc.handle;

	mo.handle = bo->handle;
	if (drmIoctl(ws->fd, DRM_IOCTL_VSVM_GEM_MMAP_OFFSET, &mo))
		goto fail_close;
	bo->map = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       ws->fd, mo.offset);
	if (bo->map == MAP_FAILED)
		goto fail_close;

	bo->va = heap_alloc(ws, bo->size);
	if (!bo->va)
		goto fail_unmap;
	ret = vm_bind(ws, DRM_VSVM_BIND_OP_MAP, bo->handle, bo->va, bo->size, 0);
	if (ret) {
		mesa_logw("vsvm: binding a BO at 0x%" PRIx64 " failed: %s",
			  bo->va, strerror(-ret));
		goto fail_va;
	}
	return bo;

fail_va:
	heap_free(ws, bo->va, bo->size);
fail_unmap:
	munmap(bo->map, bo->size);
fail_close:
	gem_close(ws, bo->handle);
fail_free:
	free(bo);
	return NULL;
}

struct vsvm_bo *
vsvm_bo_userptr(struct vsvm_winsys *ws, void *ptr, uint64_t size)
{
	struct vsvm_bo *bo;
	uint64_t start = (uintptr_t)ptr & ~(VSVM_PAGE - 1);
	uint64_t end = align64((uintptr_t)ptr + MAX2(size, 1), VSVM_PAGE);
	int ret;

	if (!(ws->info.svm_caps & DRM_VSVM_SVM_CAP_USERPTR))
		return NULL;
	bo = calloc(1, sizeof(*bo));
	if (!bo)
		return NULL;
	bo->ws = ws;
	bo->size = end - start;
	bo->map = (void *)(uintptr_t)start;
	bo->va = heap_alloc(ws, bo->size);
	if (!bo->va)
		goto fail_free;
	ret = vm_bind(ws, DRM_VSVM_BIND_OP_MAP_USERPTR, 0, bo->va, bo->size, start);
	if (ret) {
		mesa_logw("vsvm: userptr bind of 0x%" PRIx64 "+0x%" PRIx64
			  " failed: %s", start, bo->size, strerror(-ret));
		goto fail_va;
	}
	return bo;

fail_va:
	heap_free(ws, bo->va, bo->size);
fail_free:
	free(bo);
	return NULL;
}

void
vsvm_bo_destroy(struct vsvm_bo *bo)
{
	struct vsvm_winsys *ws;

	if (!bo)
		return;
	ws = bo->ws;
	/*
	 * The caller made sure no job uses the BO; unbinding also stops a
	 * job that would, which then fails with DRM_VSVM_STATUS_UNMAPPED.
	 */
	vm_bind(ws, DRM_VSVM_BIND_OP_UNMAP, 0, bo->va, bo->size, 0);
	heap_free(ws, bo->va, bo->size);
	if (bo->handle) {
		munmap(bo->map, bo->size);
		gem_close(ws, bo->handle);
	}
	free(bo);
}

uint32_t
vsvm_queue_create(struct vsvm_winsys *ws)
{
	struct drm_vsvm_queue_create qc = { .vm_id = ws->vm_id };

	if (drmIoctl(ws->fd, DRM_IOCTL_VSVM_QUEUE_CREATE, &qc))
		return 0;
	return qc.queue_id;
}

void
vsvm_queue_destroy(struct vsvm_winsys *ws, uint32_t queue_id)
{
	struct drm_vsvm_queue_destroy qd = { .queue_id = queue_id };

	drmIoctl(ws->fd, DRM_IOCTL_VSVM_QUEUE_DESTROY, &qd);
}

int
vsvm_exec(struct vsvm_winsys *ws, struct drm_vsvm_exec *exec)
{
	return drmIoctl(ws->fd, DRM_IOCTL_VSVM_EXEC, exec) ? -errno : 0;
}

int
vsvm_wait(struct vsvm_winsys *ws, uint32_t queue_id, uint64_t seqno,
	  int64_t timeout_ns, struct drm_vsvm_wait *out)
{
	memset(out, 0, sizeof(*out));
	out->queue_id = queue_id;
	out->seqno = seqno;
	out->timeout_ns = timeout_ns;
	return drmIoctl(ws->fd, DRM_IOCTL_VSVM_WAIT, out) ? -errno : 0;
}

int
vsvm_prefetch(struct vsvm_winsys *ws, uint64_t addr, uint64_t range,
	      bool write)
{
	struct drm_vsvm_prefetch pf = {
		.vm_id = ws->vm_id,
		.flags = write ? DRM_VSVM_PREFETCH_WRITE : 0,
		.addr = addr,
		.range = range,
	};

	return drmIoctl(ws->fd, DRM_IOCTL_VSVM_PREFETCH, &pf) ? -errno : 0;
}

bool
vsvm_wait_user_fence(struct vsvm_winsys *ws, const uint64_t *word,
		     uint64_t value, uint64_t timeout_ns)
{
	struct drm_vsvm_wait_user_fence w = {
		.addr = (uintptr_t)word,
		.value = value,
		.timeout_ns = MIN2(timeout_ns, (uint64_t)INT64_MAX),
	};
	int ret;

	/* INT64_MAX ns is 292 years: "forever" needs no loop of its own. */
	ret = drmIoctl(ws->fd, DRM_IOCTL_VSVM_WAIT_USER_FENCE, &w) ? -errno : 0;
	if (ret && ret != -ETIME)
		mesa_loge("vsvm: WAIT_USER_FENCE failed: %s", strerror(-ret));
	return ret == 0;
}

const char *
vsvm_status_name(uint32_t status)
{
	static const char *const names[] = {
		[DRM_VSVM_STATUS_OK] = "ok",
		[DRM_VSVM_STATUS_UNMAPPED] = "unmapped address",
		[DRM_VSVM_STATUS_READ_ONLY] = "write to read-only memory",
		[DRM_VSVM_STATUS_NO_ACCESS] = "PROT_NONE memory",
		[DRM_VSVM_STATUS_NO_VMA] = "no CPU mapping at the address",
		[DRM_VSVM_STATUS_MISALIGNED] = "misaligned atomic",
		[DRM_VSVM_STATUS_TRAP] = "trap",
		[DRM_VSVM_STATUS_TIMEOUT] = "job timeout",
		[DRM_VSVM_STATUS_FAULT_RETRY] = "fault kept racing invalidations",
		[DRM_VSVM_STATUS_NOMEM] = "out of memory",
		[DRM_VSVM_STATUS_CANCELED] = "canceled",
		[DRM_VSVM_STATUS_BAD_MEMORY] = "memory that cannot be mirrored",
		[DRM_VSVM_STATUS_UNREACHABLE] = "secret or device memory",
		[DRM_VSVM_STATUS_RANGE_LIMIT] = "too many SVM ranges in the VM",
	};

	return status < ARRAY_SIZE(names) && names[status] ? names[status] :
	       "unknown status";
}
