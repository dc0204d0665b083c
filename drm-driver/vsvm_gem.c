// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */

#include <linux/mm.h>
#include <linux/slab.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>

#include "vsvm_drv.h"
#include "vsvm_gem.h"

/**
 * DOC: Buffer objects
 *
 * Buffer objects are plain drm_gem_shmem objects: pageable until a VM
 * binds them, pinned while bound. CPU access goes through mmap() of the
 * DRM file at the offset GEM_MMAP_OFFSET returns, as for any shmem driver.
 */

/**
 * vsvm_gem_max_size() - the largest object GEM_CREATE accepts
 *
 * Shmem objects are lazily backed, so any size would be accepted and only
 * fail at first use. The limit is the machine's memory, so that a size no
 * use could ever back is refused at creation with -E2BIG.
 *
 * Return: bytes.
 */
u64 vsvm_gem_max_size(void)
{
	return (u64)totalram_pages() << PAGE_SHIFT;
}

static void vsvm_gem_free(struct drm_gem_object *obj)
{
	drm_gem_shmem_object_free(obj);
	vsvm_obj_dec(VSVM_OBJ_BO);
}

static const struct drm_gem_object_funcs vsvm_gem_funcs = {
	.free = vsvm_gem_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

/**
 * vsvm_gem_vma_is_ours() - is @vma a CPU mapping of a vsvm BO?
 * @vma: a VMA, its mm's lock held
 *
 * Return: true for a mapping of one of this driver's BOs, made through
 * the DRM file or a dma-buf of it, whose faults wait only for vsvm.
 */
bool vsvm_gem_vma_is_ours(struct vm_area_struct *vma)
{
	struct drm_gem_object *obj = vma->vm_private_data;

	return vma->vm_ops == &drm_gem_shmem_vm_ops && obj && obj->funcs == &vsvm_gem_funcs;
}

/**
 * vsvm_gem_create_object() - &drm_driver.gem_create_object
 * @drm: the device
 * @size: bytes
 *
 * Return: the object's GEM base or an ERR_PTR().
 */
struct drm_gem_object *vsvm_gem_create_object(struct drm_device *drm, size_t size)
{
	struct drm_gem_shmem_object *shmem = kzalloc(sizeof(*shmem), GFP_KERNEL_ACCOUNT);

	if (!shmem)
		return ERR_PTR(-ENOMEM);
	/* CPU and GPU share the pages coherently: no write-combining. */
	shmem->map_wc = false;
	shmem->base.funcs = &vsvm_gem_funcs;
	vsvm_obj_inc(VSVM_OBJ_BO);
	return &shmem->base;
}

int vsvm_ioctl_gem_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct vsvm_device *vdev = to_vsvm(drm);
	struct drm_vsvm_gem_create *args = data;
	struct drm_gem_shmem_object *shmem;
	int ret;

	if (args->flags)
		return vsvm_reject(vdev, -EINVAL, "flags 0x%x", args->flags);
	if (!args->size)
		return vsvm_reject(vdev, -EINVAL, "size 0");
	if (args->size > vsvm_gem_max_size())
		return vsvm_reject(vdev, -E2BIG, "size 0x%llx", args->size);

	shmem = drm_gem_shmem_create(drm, PAGE_ALIGN(args->size));
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);
	ret = drm_gem_handle_create(file, &shmem->base, &args->handle);
	/* The handle, if any, holds the object now. */
	drm_gem_object_put(&shmem->base);
	return ret;
}

int vsvm_ioctl_gem_mmap_offset(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct vsvm_device *vdev = to_vsvm(drm);
	struct drm_vsvm_gem_mmap_offset *args = data;
	struct drm_gem_object *obj;
	int ret;

	if (args->flags)
		return vsvm_reject(vdev, -EINVAL, "flags 0x%x", args->flags);
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return vsvm_reject(vdev, -ENOENT, "handle %u", args->handle);
	ret = drm_gem_create_mmap_offset(obj);
	if (!ret)
		args->offset = drm_vma_node_offset_addr(&obj->vma_node);
	drm_gem_object_put(obj);
	return ret;
}
