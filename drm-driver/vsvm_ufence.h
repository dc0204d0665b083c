/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Copyright 2026 The vsvm authors */

#ifndef __VSVM_UFENCE_H__
#define __VSVM_UFENCE_H__

#include <linux/types.h>

struct dma_fence;
struct drm_device;
struct drm_file;
struct drm_vsvm_exec;
struct vsvm_device;
struct vsvm_ufence;
struct vsvm_ufence_timeline;
struct vsvm_vm;

int vsvm_ufence_init(struct vsvm_device *vdev);
void vsvm_ufence_fini(struct vsvm_device *vdev);

struct vsvm_ufence_timeline *vsvm_ufence_timeline_create(struct vsvm_device *vdev);
void vsvm_ufence_timeline_put(struct vsvm_ufence_timeline *tl);

int vsvm_lr_check_exec(struct vsvm_device *vdev, const struct vsvm_vm *vm, u32 queue_id,
		       const struct drm_vsvm_exec *args);
int vsvm_ufence_create(struct vsvm_device *vdev, const struct drm_vsvm_exec *args,
		       struct vsvm_ufence **ufence);
void vsvm_ufence_arm(struct vsvm_ufence *uf, struct vsvm_ufence_timeline *tl,
		     struct dma_fence *fence, u32 queue_id, u64 seqno);
void vsvm_ufence_free(struct vsvm_ufence *uf);

int vsvm_ioctl_wait_user_fence(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* __VSVM_UFENCE_H__ */
