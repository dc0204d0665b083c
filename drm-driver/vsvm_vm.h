/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Copyright 2026 The vsvm authors */

#ifndef __VSVM_VM_H__
#define __VSVM_VM_H__

#include <linux/mutex.h>

#include <drm/drm_gpuvm.h>

#include "vsvm_fault.h"
#include "vsvm_mmu.h"
#include "vsvm_svm.h"

struct drm_device;
struct drm_file;
struct mem_cgroup;
struct mm_struct;
struct seq_file;
struct vsvm_device;
struct vsvm_file;

/**
 * enum vsvm_vma_kind - what a binding maps
 */
enum vsvm_vma_kind {
	/** @VSVM_VMA_BO: a GEM object, pinned while bound, PTEs installed at bind. */
	VSVM_VMA_BO,
	/** @VSVM_VMA_MIRROR: the owner's address space, faulted on demand. */
	VSVM_VMA_MIRROR,
	/** @VSVM_VMA_USERPTR: a range of the owner's memory at another GPU VA. */
	VSVM_VMA_USERPTR,
};

/**
 * struct vsvm_vma - one binding, a node of the VM's drm_gpuvm tree
 */
struct vsvm_vma {
	/** @base: the VA; @base.gem.obj holds a reference for VSVM_VMA_BO. */
	struct drm_gpuva base;
	/** @kind: enum vsvm_vma_kind. */
	enum vsvm_vma_kind kind;
	/** @readonly: GPU writes fault. */
	bool readonly;
	/** @userptr: the CPU range and its notifier, for VSVM_VMA_USERPTR. */
	struct vsvm_svm_range *userptr;
};

/**
 * struct vsvm_vm - a GPU address space
 *
 * Lifetime: the file holds a reference through its VM id, and every queue
 * and job one more; the struct goes with the last drm_gpuvm reference.
 * Bindings go earlier, when the id is destroyed or the file closes.
 */
struct vsvm_vm {
	/** @gpuvm: VA management; its refcount is the VM's. */
	struct drm_gpuvm gpuvm;
	/** @vdev: the device. */
	struct vsvm_device *vdev;
	/** @id: id in the owning file. */
	u32 id;
	/** @owner_pid: thread group that created the VM, for debugfs. */
	pid_t owner_pid;
	/**
	 * @mm: for a VM created with DRM_VSVM_VM_CREATE_SVM, the creator's
	 * address space (mmgrab()ed), fixed for the VM's life; NULL for a
	 * BO-only VM. Mirrors and userptrs resolve addresses in it, and every
	 * ioctl naming the VM must come from a task using it
	 * (vsvm_vm_check_owner()), but for waiting and destroying once the
	 * owner is gone (vsvm_vm_check_cleanup()).
	 */
	struct mm_struct *mm;
	/**
	 * @memcg: with @mm, the creator's memory cgroup (a reference): what
	 * the VM's SVM use allocates is charged to it, also when a compute
	 * unit's kernel thread services the fault.
	 */
	struct mem_cgroup *memcg;
	/**
	 * @lock: protects the gpuvm tree, @svm's range tree and @closed.
	 * Held across GPU fault service, so it is taken outside mmap_lock and
	 * &vsvm_mmu.lock. Never taken by invalidation callbacks.
	 */
	struct mutex lock;
	/**
	 * @faults: GPU faults raised by compute units, serviced one at a time
	 * in the order raised (see "Fault queue"); nothing that closes the VM
	 * waits for them.
	 */
	struct vsvm_fault_queue faults;
	/** @closed: the id is gone; no binding may be added. */
	bool closed;
	/** @mmu: the GPU page table. */
	struct vsvm_mmu mmu;
	/** @svm: SVM ranges and their garbage collector. */
	struct vsvm_svm svm;
};

static inline struct vsvm_vm *to_vsvm_vm(struct drm_gpuvm *gpuvm)
{
	return container_of(gpuvm, struct vsvm_vm, gpuvm);
}

static inline struct vsvm_vma *to_vsvm_vma(struct drm_gpuva *va)
{
	return container_of(va, struct vsvm_vma, base);
}

struct vsvm_vm *vsvm_vm_lookup(struct vsvm_file *vfile, u32 id);
void vsvm_vm_put(struct vsvm_vm *vm);
int vsvm_vm_check_owner(struct vsvm_vm *vm);
int vsvm_vm_check_cleanup(struct vsvm_vm *vm);
bool vsvm_vm_mapped_for(struct vsvm_vm *vm, u64 addr, bool write);
int vsvm_vm_handle_fault(struct vsvm_vm *vm, struct mm_struct *mm, u64 addr, u32 access,
			 u32 *status);
int vsvm_vm_read(struct vsvm_vm *vm, u64 va, void *buf, u32 size);
int vsvm_vm_revalidate_userptrs(struct vsvm_vm *vm);
void vsvm_vm_destroy_all(struct vsvm_file *vfile);
void vsvm_vms_show(struct vsvm_file *vfile, struct seq_file *m, bool ptes);

int vsvm_ioctl_vm_create(struct drm_device *drm, void *data, struct drm_file *file);
int vsvm_ioctl_vm_destroy(struct drm_device *drm, void *data, struct drm_file *file);
int vsvm_ioctl_vm_bind(struct drm_device *drm, void *data, struct drm_file *file);
int vsvm_ioctl_prefetch(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* __VSVM_VM_H__ */
