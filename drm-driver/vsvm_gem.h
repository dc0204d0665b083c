/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Copyright 2026 The vsvm authors */

#ifndef __VSVM_GEM_H__
#define __VSVM_GEM_H__

struct drm_device;
struct drm_file;
struct drm_gem_object;
struct vm_area_struct;

u64 vsvm_gem_max_size(void);
bool vsvm_gem_vma_is_ours(struct vm_area_struct *vma);
struct drm_gem_object *vsvm_gem_create_object(struct drm_device *drm, size_t size);

int vsvm_ioctl_gem_create(struct drm_device *drm, void *data, struct drm_file *file);
int vsvm_ioctl_gem_mmap_offset(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* __VSVM_GEM_H__ */
