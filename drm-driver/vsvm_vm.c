// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */

#include <linux/io.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>

#include "vsvm_drv.h"
#include "vsvm_exec.h"
#include "vsvm_svm.h"
#include "vsvm_vm.h"

/**
 * DOC: VMs and bindings
 *
 * A VM is a GPU address space of 2^48 bytes, managed with drm_gpuvm. Three
 * kinds of binding live in it, and never overlap (VM_BIND refuses with
 * -EEXIST):
 *
 * - BO bindings pin the object's pages and write their PTEs at bind time;
 *   a GPU fault there is unrecoverable.
 * - CPU-address mirrors map nothing at bind time; GPU faults inside them
 *   are serviced from the owner's page tables (see "Shared virtual memory").
 * - userptr bindings are revalidated before each EXEC and fault back in
 *   like a mirror when an invalidation removed their PTEs mid-job.
 *
 * Ownership is decided once, at creation. A VM created with
 * DRM_VSVM_VM_CREATE_SVM records its creator's mm and may hold mirrors and
 * userptrs of it; every ioctl naming the VM, directly or through a queue,
 * fails with -EPERM from any other mm (a forked child, a process the fd
 * was passed to), so no other process can run a job that sees the owner's
 * memory, nor learn how the owner's jobs ended. Deciding it at the first
 * mirror bind instead would let another process bind and submit into the
 * VM before that bind and keep running after it. A VM created without the
 * flag holds BOs only and is shared like any DRM object.
 *
 * Binds are synchronous. An UNMAP over a running job is allowed; the job
 * then faults on the unmapped addresses and fails with
 * DRM_VSVM_STATUS_UNMAPPED.
 */

static void vm_free(struct drm_gpuvm *gpuvm)
{
	struct vsvm_vm *vm = to_vsvm_vm(gpuvm);

	if (vm->mmu.root)
		vsvm_mmu_fini(&vm->mmu);
	if (vm->mm)
		mmdrop(vm->mm);
	mem_cgroup_put(vm->memcg);
	vsvm_fault_queue_fini(vm->vdev, &vm->faults);
	mutex_destroy(&vm->lock);
	kfree(vm);
	vsvm_obj_dec(VSVM_OBJ_VM);
}

/**
 * vsvm_vm_put() - drop a VM reference
 * @vm: the VM
 */
void vsvm_vm_put(struct vsvm_vm *vm)
{
	drm_gpuvm_put(&vm->gpuvm);
}

/**
 * vsvm_vm_lookup() - get a reference on a file's VM
 * @vfile: the file
 * @id: the VM id
 *
 * Return: the VM or NULL.
 */
struct vsvm_vm *vsvm_vm_lookup(struct vsvm_file *vfile, u32 id)
{
	struct vsvm_vm *vm;

	xa_lock(&vfile->vms);
	vm = xa_load(&vfile->vms, id);
	if (vm)
		drm_gpuvm_get(&vm->gpuvm);
	xa_unlock(&vfile->vms);
	return vm;
}

/**
 * vsvm_vm_check_owner() - may the caller make the VM touch memory?
 * @vm: the VM
 *
 * VM_BIND, QUEUE_CREATE, EXEC and PREFETCH of an SVM VM belong to its
 * owner alone, whether or not the owner still lives: until exit_mmap()
 * zaps them, the PTEs of an owner whose last user is gone still map its
 * pages, so a job admitted then could read them with no fault to refuse it.
 *
 * Return: 0, or -EPERM if the VM is an SVM VM and the caller does not use
 * the owner's address space.
 */
int vsvm_vm_check_owner(struct vsvm_vm *vm)
{
	return !vm->mm || current->mm == vm->mm ? 0 : -EPERM;
}

/**
 * vsvm_vm_check_cleanup() - may the caller wait on or end the VM's work?
 * @vm: the VM
 *
 * WAIT, QUEUE_DESTROY and VM_DESTROY: the owner's alone while it lives;
 * once its address space is gone (its last user exited or exec()ed; it
 * never comes back), any holder of the file may collect and free what is
 * left, which can no longer touch that memory (vsvm_vm_check_owner()).
 *
 * Return: 0, or -EPERM if the VM is an SVM VM whose owner lives and the
 * caller does not use the owner's address space.
 */
int vsvm_vm_check_cleanup(struct vsvm_vm *vm)
{
	if (!vsvm_vm_check_owner(vm))
		return 0;
	return atomic_read(&vm->mm->mm_users) ? -EPERM : 0;
}

static struct vsvm_vma *vma_alloc(enum vsvm_vma_kind kind, bool readonly)
{
	struct vsvm_vma *vma = kzalloc(sizeof(*vma), GFP_KERNEL_ACCOUNT);

	if (vma) {
		vma->kind = kind;
		vma->readonly = readonly;
		vsvm_obj_inc(VSVM_OBJ_VMA);
	}
	return vma;
}

/* Frees a VMA not in the tree; a BO binding's pin and reference go with it. */
static void vma_free(struct vsvm_vma *vma)
{
	struct drm_gem_object *obj = vma->base.gem.obj;

	if (obj) {
		drm_gem_shmem_unpin(to_drm_gem_shmem_obj(obj));
		drm_gem_object_put(obj);
	}
	kfree(vma);
	vsvm_obj_dec(VSVM_OBJ_VMA);
}

static int vma_set_bo(struct vsvm_vma *vma, struct drm_gem_object *obj)
{
	int ret = drm_gem_shmem_pin(to_drm_gem_shmem_obj(obj));

	if (ret)
		return ret;
	drm_gem_object_get(obj);
	vma->base.gem.obj = obj;
	return 0;
}

/* Write the PTEs of [@addr, @addr + @range) of a BO binding. */
static int bo_map(struct vsvm_vm *vm, struct vsvm_vma *vma)
{
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(vma->base.gem.obj);
	u64 addr = vma->base.va.addr, end = addr + vma->base.va.range;
	pgoff_t idx = vma->base.gem.offset >> PAGE_SHIFT;
	struct vsvm_pt_cache cache = {};
	int ret = 0;

	while (addr < end) {
		u64 next = min(ALIGN_DOWN(addr, SZ_2M) + SZ_2M, end);

		ret = vsvm_pt_cache_fill(&cache, addr, next);
		if (ret)
			break;
		spin_lock(&vm->mmu.lock);
		for (; addr < next; addr += PAGE_SIZE, idx++)
			vsvm_mmu_map_locked(&vm->mmu, &cache, addr, page_to_pfn(shmem->pages[idx]),
					    0, !vma->readonly);
		spin_unlock(&vm->mmu.lock);
	}
	vsvm_pt_cache_drain(&cache);
	if (ret)
		vsvm_mmu_zap(&vm->mmu, vma->base.va.addr, end);
	return ret;
}

/* Remove what a binding maps in [@start, @end) before it leaves the tree. */
static void vma_unmap_range(struct vsvm_vm *vm, struct vsvm_vma *vma, u64 start, u64 end)
{
	if (vma->kind == VSVM_VMA_MIRROR)
		vsvm_svm_unmap(vm, start, end);
	if (vma->kind == VSVM_VMA_USERPTR)
		vsvm_userptr_destroy(vm, vma->userptr);
	vsvm_mmu_zap(&vm->mmu, start, end);
}

static int vm_sm_step_unmap(struct drm_gpuva_op *op, void *priv)
{
	struct vsvm_vma *vma = to_vsvm_vma(op->unmap.va);

	vma_unmap_range(priv, vma, vma->base.va.addr, vma->base.va.addr + vma->base.va.range);
	drm_gpuva_unmap(&op->unmap);
	vma_free(vma);
	return 0;
}

static struct vsvm_vma *vma_split(struct vsvm_vma *old)
{
	struct vsvm_vma *vma = vma_alloc(old->kind, old->readonly);

	if (vma && old->base.gem.obj && vma_set_bo(vma, old->base.gem.obj)) {
		vma_free(vma);
		return NULL;
	}
	return vma;
}

static int vm_sm_step_remap(struct drm_gpuva_op *op, void *priv)
{
	struct vsvm_vma *old = to_vsvm_vma(op->remap.unmap->va);
	struct vsvm_vma *prev = NULL, *next = NULL;
	u64 start, range;

	/* vm_bind_unmap() refused partial unmaps of userptr bindings. */
	if (op->remap.prev) {
		prev = vma_split(old);
		if (!prev)
			return -ENOMEM;
	}
	if (op->remap.next) {
		next = vma_split(old);
		if (!next) {
			if (prev)
				vma_free(prev);
			return -ENOMEM;
		}
	}
	drm_gpuva_op_remap_to_unmap_range(&op->remap, &start, &range);
	drm_gpuva_remap(prev ? &prev->base : NULL, next ? &next->base : NULL, &op->remap);
	vma_unmap_range(priv, old, start, start + range);
	vma_free(old);
	return 0;
}

static const struct drm_gpuvm_ops vm_ops = {
	.vm_free = vm_free,
	.sm_step_unmap = vm_sm_step_unmap,
	.sm_step_remap = vm_sm_step_remap,
};

/* Remove every binding; jobs still running fault and fail. */
static void vm_close(struct vsvm_vm *vm)
{
	struct drm_gpuva *va, *next;

	mutex_lock(&vm->lock);
	vm->closed = true;
	drm_gpuvm_for_each_va_safe(va, next, &vm->gpuvm) {
		struct vsvm_vma *vma = to_vsvm_vma(va);

		vma_unmap_range(vm, vma, va->va.addr, va->va.addr + va->va.range);
		drm_gpuva_remove(va);
		vma_free(vma);
	}
	mutex_unlock(&vm->lock);
	vsvm_svm_fini(vm);
}

/*
 * Teach lockdep the reclaim rules of docs/locking.md when a VM is born, so
 * that a run in which reclaim never calls our notifier still reports a
 * breach: invalidation callbacks take the MMU lock inside reclaim, and the
 * VM lock is held across allocations, so reclaim must never take it.
 */
static void vm_prime_lockdep(struct vsvm_vm *vm)
{
	if (!IS_ENABLED(CONFIG_LOCKDEP))
		return;

	fs_reclaim_acquire(GFP_KERNEL);
	might_lock(&vm->mmu.lock);
	fs_reclaim_release(GFP_KERNEL);

	mutex_lock(&vm->lock);
	might_alloc(GFP_KERNEL);
	mutex_unlock(&vm->lock);
}

int vsvm_ioctl_vm_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct vsvm_device *vdev = to_vsvm(drm);
	struct vsvm_file *vfile = file->driver_priv;
	struct drm_vsvm_vm_create *args = data;
	struct drm_gem_object *r_obj;
	struct vsvm_vm *vm;
	int ret;

	if ((args->flags & ~DRM_VSVM_VM_CREATE_SVM) || args->extensions)
		return vsvm_reject(vdev, -EINVAL, "flags 0x%x extensions 0x%llx",
				   args->flags, args->extensions);

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	ret = vsvm_fault_queue_init(vdev, &vm->faults);
	if (ret) {
		kfree(vm);
		return ret;
	}
	r_obj = drm_gpuvm_resv_object_alloc(drm);
	if (!r_obj) {
		vsvm_fault_queue_fini(vdev, &vm->faults);
		kfree(vm);
		return -ENOMEM;
	}
	vsvm_obj_inc(VSVM_OBJ_VM);
	vm->vdev = vdev;
	mutex_init(&vm->lock);
	vsvm_svm_init(vm);
	if (args->flags & DRM_VSVM_VM_CREATE_SVM) {
		vm->mm = current->mm;
		mmgrab(vm->mm);
		vm->memcg = get_mem_cgroup_from_mm(vm->mm);
	}
	vm->owner_pid = task_tgid_nr(current);
	drm_gpuvm_init(&vm->gpuvm, "vsvm", 0, drm, r_obj, 0, 1ULL << VSVM_VA_BITS, 0, 0, &vm_ops);
	drm_gem_object_put(r_obj);

	ret = vsvm_mmu_init(&vm->mmu, vdev);
	if (ret)
		goto err_put;
	vm_prime_lockdep(vm);
	/* Before any fault: see the rule at vsvm_svm_prepare_mm(). */
	if (vm->mm) {
		ret = vsvm_svm_prepare_mm(vm);
		if (ret)
			goto err_put;
	}
	ret = xa_alloc(&vfile->vms, &vm->id, vm, xa_limit_32b, GFP_KERNEL);
	if (ret)
		goto err_put;
	args->vm_id = vm->id;
	return 0;

err_put:
	vsvm_vm_put(vm);
	return ret;
}

int vsvm_ioctl_vm_destroy(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct vsvm_device *vdev = to_vsvm(drm);
	struct vsvm_file *vfile = file->driver_priv;
	struct drm_vsvm_vm_destroy *args = data;
	struct vsvm_vm *vm;

	int ret;

	if (args->pad)
		return vsvm_reject(vdev, -EINVAL, "pad 0x%x", args->pad);
	/* Erasing index 0 of an ALLOC1 xarray would hand it out next. */
	vm = args->vm_id ? vsvm_vm_lookup(vfile, args->vm_id) : NULL;
	if (!vm)
		return vsvm_reject(vdev, -ENOENT, "vm %u", args->vm_id);
	ret = vsvm_vm_check_cleanup(vm);
	if (ret) {
		vsvm_reject(vdev, ret, "vm %u belongs to another process", vm->id);
	} else if (xa_cmpxchg(&vfile->vms, args->vm_id, vm, NULL, 0) != vm) {
		/* A concurrent destroy won. */
		ret = vsvm_reject(vdev, -ENOENT, "vm %u", args->vm_id);
	} else {
		vm_close(vm);
		/* The file's reference. */
		vsvm_vm_put(vm);
	}
	vsvm_vm_put(vm);
	return ret;
}

/**
 * vsvm_vm_destroy_all() - close every VM of a closing file
 * @vfile: the file
 */
void vsvm_vm_destroy_all(struct vsvm_file *vfile)
{
	struct vsvm_vm *vm;
	unsigned long id;

	xa_for_each(&vfile->vms, id, vm) {
		xa_erase(&vfile->vms, id);
		vm_close(vm);
		vsvm_vm_put(vm);
	}
	xa_destroy(&vfile->vms);
}

static int vm_bind_map(struct vsvm_vm *vm, struct drm_file *file,
		       const struct drm_vsvm_vm_bind *args)
{
	struct vsvm_device *vdev = vm->vdev;
	bool ro = args->flags & DRM_VSVM_BIND_READONLY;
	struct drm_gem_object *obj = NULL;
	struct vsvm_vma *vma;
	u64 end;
	int ret;

	if (args->op == DRM_VSVM_BIND_OP_MAP) {
		if (args->userptr)
			return vsvm_reject(vdev, -EINVAL, "userptr with MAP");
		obj = drm_gem_object_lookup(file, args->handle);
		if (!obj)
			return vsvm_reject(vdev, -ENOENT, "handle %u", args->handle);
		if (check_add_overflow(args->bo_offset, args->range, &end) || end > obj->size) {
			ret = vsvm_reject(vdev, -EINVAL, "bo range 0x%llx+0x%llx of 0x%zx",
					  args->bo_offset, args->range, obj->size);
			goto out_put;
		}
	} else {
		if (args->handle || args->bo_offset)
			return vsvm_reject(vdev, -EINVAL, "handle/bo_offset with op %u", args->op);
		if (!vm->mm)
			return vsvm_reject(vdev, -EINVAL, "op %u in a VM created without SVM",
					   args->op);
		if (args->op == DRM_VSVM_BIND_OP_MAP_MIRROR &&
		    (args->userptr || (args->flags & DRM_VSVM_BIND_READONLY)))
			return vsvm_reject(vdev, -EINVAL, "userptr/flags with MAP_MIRROR");
		if (args->op == DRM_VSVM_BIND_OP_MAP_MIRROR &&
		    args->addr + args->range > min_t(u64, vm->mm->task_size, 1ULL << VSVM_VA_BITS))
			return vsvm_reject(vdev, -EINVAL, "mirror beyond the user address space");
		if (args->op == DRM_VSVM_BIND_OP_MAP_USERPTR &&
		    (!IS_ALIGNED(args->userptr, PAGE_SIZE) ||
		     check_add_overflow(args->userptr, args->range, &end) ||
		     end > vm->mm->task_size))
			return vsvm_reject(vdev, -EINVAL, "userptr 0x%llx", args->userptr);
	}

	if (!drm_gpuvm_interval_empty(&vm->gpuvm, args->addr, args->range)) {
		ret = vsvm_reject(vdev, -EEXIST, "0x%llx+0x%llx overlaps a binding",
				  args->addr, args->range);
		goto out_put;
	}

	vma = vma_alloc(args->op == DRM_VSVM_BIND_OP_MAP ? VSVM_VMA_BO :
			args->op == DRM_VSVM_BIND_OP_MAP_MIRROR ? VSVM_VMA_MIRROR :
			VSVM_VMA_USERPTR, ro);
	if (!vma) {
		ret = -ENOMEM;
		goto out_put;
	}
	vma->base.va.addr = args->addr;
	vma->base.va.range = args->range;
	if (obj) {
		ret = vma_set_bo(vma, obj);
		if (ret)
			goto err_free;
		vma->base.gem.offset = args->bo_offset;
		ret = bo_map(vm, vma);
		if (ret)
			goto err_free;
	} else if (vma->kind == VSVM_VMA_USERPTR) {
		vma->userptr = vsvm_userptr_create(vm, args->userptr, args->addr, args->range);
		if (IS_ERR(vma->userptr)) {
			ret = PTR_ERR(vma->userptr);
			goto err_free;
		}
	}
	ret = drm_gpuva_insert(&vm->gpuvm, &vma->base);
	if (drm_WARN_ON(&vdev->drm, ret)) {
		vma_unmap_range(vm, vma, args->addr, args->addr + args->range);
		goto err_free;
	}
	goto out_put;

err_free:
	vma_free(vma);
out_put:
	if (obj)
		drm_gem_object_put(obj);
	return ret;
}

static int vm_bind_unmap(struct vsvm_vm *vm, const struct drm_vsvm_vm_bind *args)
{
	u64 end = args->addr + args->range;
	struct drm_gpuva *va;

	if (args->handle || args->bo_offset || args->userptr || args->flags)
		return vsvm_reject(vm->vdev, -EINVAL, "UNMAP with map arguments");
	drm_gpuvm_for_each_va_range(va, &vm->gpuvm, args->addr, end) {
		if (to_vsvm_vma(va)->kind == VSVM_VMA_USERPTR &&
		    (va->va.addr < args->addr || va->va.addr + va->va.range > end))
			return vsvm_reject(vm->vdev, -EINVAL,
					   "partial unmap of userptr 0x%llx", va->va.addr);
	}
	return drm_gpuvm_sm_unmap(&vm->gpuvm, vm, args->addr, args->range);
}

int vsvm_ioctl_vm_bind(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct vsvm_device *vdev = to_vsvm(drm);
	struct drm_vsvm_vm_bind *args = data;
	struct vsvm_vm *vm;
	int ret;

	if (args->extensions)
		return vsvm_reject(vdev, -EINVAL, "extensions 0x%llx", args->extensions);
	if (args->op > DRM_VSVM_BIND_OP_MAP_USERPTR)
		return vsvm_reject(vdev, -EINVAL, "op %u", args->op);
	if (args->flags & ~DRM_VSVM_BIND_READONLY)
		return vsvm_reject(vdev, -EINVAL, "flags 0x%x", args->flags);
	if (!args->range || !IS_ALIGNED(args->addr | args->range | args->bo_offset, PAGE_SIZE) ||
	    args->addr + args->range < args->addr ||
	    args->addr + args->range > (1ULL << VSVM_VA_BITS))
		return vsvm_reject(vdev, -EINVAL, "range 0x%llx+0x%llx offset 0x%llx",
				   args->addr, args->range, args->bo_offset);

	vm = vsvm_vm_lookup(file->driver_priv, args->vm_id);
	if (!vm)
		return vsvm_reject(vdev, -ENOENT, "vm %u", args->vm_id);
	ret = vsvm_vm_check_owner(vm);
	if (ret) {
		vsvm_reject(vdev, ret, "vm %u belongs to another process", vm->id);
		goto out;
	}

	mutex_lock(&vm->lock);
	if (vm->closed)
		ret = -ENOENT;
	else if (args->op == DRM_VSVM_BIND_OP_UNMAP)
		ret = vm_bind_unmap(vm, args);
	else
		ret = vm_bind_map(vm, file, args);
	mutex_unlock(&vm->lock);
out:
	vsvm_vm_put(vm);
	return ret;
}

/**
 * vsvm_vm_mapped_for() - is @addr mapped for the access?
 * @vm: the VM
 * @addr: GPU VA
 * @write: the access writes
 *
 * Another fault may have mapped it since the access faulted.
 *
 * Context: any but an FPU section; takes &vsvm_mmu.lock.
 * Return: true when a PTE allows the access.
 */
bool vsvm_vm_mapped_for(struct vsvm_vm *vm, u64 addr, bool write)
{
	unsigned int order;
	unsigned long pfn;
	bool mapped, w;

	spin_lock(&vm->mmu.lock);
	mapped = vsvm_mmu_lookup_locked(&vm->mmu, addr, &pfn, &w, &order);
	spin_unlock(&vm->mmu.lock);
	return mapped && (w || !write);
}

/**
 * vsvm_vm_handle_fault() - service a GPU page fault
 * @vm: the VM
 * @mm: the address space the access is made for: the submitter's for a
 *	job, the caller's for PREFETCH and EXEC's code read; compared only
 * @addr: faulting GPU VA
 * @access: DRM_VSVM_ACCESS_*
 * @status: out, enum drm_vsvm_status when the fault is fatal
 *
 * A mirror or userptr fault is serviced only for the VM's owner: the ioctls
 * already refuse everyone else, and this keeps the rule where the owner's
 * pages are handed out.
 *
 * Context: sleeps, for as long as the pages take to come (see
 * vsvm_svm_fault()); takes &vsvm_vm.lock, not held while it waits for them.
 * Return: 0 when the access can be retried, else a negative errno.
 */
int vsvm_vm_handle_fault(struct vsvm_vm *vm, struct mm_struct *mm, u64 addr, u32 access,
			 u32 *status)
{
	bool write = access & (DRM_VSVM_ACCESS_WRITE | DRM_VSVM_ACCESS_ATOMIC);
	unsigned long deadline = vsvm_fault_deadline();
	struct drm_gpuva *va;
	struct vsvm_vma *vma;
	int ret;

	mutex_lock(&vm->lock);
again:
	ret = -EFAULT;
	va = addr >> VSVM_VA_BITS ? NULL : drm_gpuva_find_first(&vm->gpuvm, addr, 1);
	vma = va ? to_vsvm_vma(va) : NULL;
	*status = DRM_VSVM_STATUS_UNMAPPED;
	if (vma && vsvm_vm_mapped_for(vm, addr, write)) {
		/* Another compute unit serviced it while this one waited. */
		ret = 0;
	} else if (!vma) {
		/* Unmapped: the job fails. */
	} else if (write && vma->readonly) {
		*status = DRM_VSVM_STATUS_READ_ONLY;
		ret = -EACCES;
	} else if (vma->kind != VSVM_VMA_BO && (!vm->mm || mm != vm->mm)) {
		*status = DRM_VSVM_STATUS_NO_ACCESS;
		ret = -EACCES;
	} else if (vma->kind != VSVM_VMA_BO &&
		   vsvm_inject(vm->vdev, &vm->vdev->inject.fail_faults, "fault failed")) {
		*status = READ_ONCE(vm->vdev->inject.fail_status);
		ret = vsvm_status_errno(*status);
	} else if (vma->kind == VSVM_VMA_MIRROR) {
		u64 page = addr & PAGE_MASK;

		ret = vsvm_svm_fault(vm, va->va.addr, va->va.addr + va->va.range, addr, page,
				     write ? page + PAGE_SIZE : page, deadline, status);
	} else if (vma->kind == VSVM_VMA_USERPTR) {
		ret = vsvm_userptr_fault(vm, vma, addr, write, deadline, status);
	}
	/* The lock was dropped and the binding changed meanwhile. */
	if (ret == -EAGAIN)
		goto again;
	mutex_unlock(&vm->lock);
	if (ret)
		vsvm_log(vm->vdev, "vm %u: fatal %s fault at 0x%llx: status %u",
			 vm->id, write ? "write" : "read", addr, *status);
	return ret;
}

/**
 * vsvm_vm_read() - copy from GPU memory, faulting it in
 * @vm: the VM
 * @va: GPU VA
 * @buf: destination
 * @size: bytes
 *
 * Context: sleeps.
 * Return: 0, or the errno of the status of a fault that cannot be serviced
 * (-EFAULT after repeated faults).
 */
int vsvm_vm_read(struct vsvm_vm *vm, u64 va, void *buf, u32 size)
{
	unsigned int tries = 0, order;
	unsigned long pfn;
	bool writable, ok;
	u32 status;

	while (size) {
		u32 off = offset_in_page(va), n = min_t(u32, size, PAGE_SIZE - off);

		spin_lock(&vm->mmu.lock);
		ok = vsvm_mmu_lookup_locked(&vm->mmu, va, &pfn, &writable, &order);
		/*
		 * The lock keeps the page mapped, and so alive, while it is
		 * read: freeing it takes an invalidation, whose zap waits for
		 * the lock, and a PTE never outlives its notifier.
		 */
		if (ok)
			memcpy(buf, (u8 *)phys_to_virt(PFN_PHYS(pfn)) + off, n);
		spin_unlock(&vm->mmu.lock);
		if (!ok) {
			int ret;

			if (++tries > 64)
				return -EFAULT;
			ret = vsvm_vm_handle_fault(vm, current->mm, va, DRM_VSVM_ACCESS_READ |
						   DRM_VSVM_ACCESS_FETCH, &status);
			if (ret)
				return ret;
			continue;
		}
		buf += n;
		va += n;
		size -= n;
	}
	return 0;
}

/**
 * vsvm_vm_revalidate_userptrs() - map every userptr binding before a job
 * @vm: the VM
 *
 * Context: sleeps.
 * Return: 0 or the errno of a binding that cannot be mapped.
 */
int vsvm_vm_revalidate_userptrs(struct vsvm_vm *vm)
{
	struct drm_gpuva *va;
	u32 status;
	int ret = 0;

	mutex_lock(&vm->lock);
	drm_gpuvm_for_each_va(va, &vm->gpuvm) {
		if (to_vsvm_vma(va)->kind != VSVM_VMA_USERPTR)
			continue;
		ret = vsvm_userptr_validate(vm, to_vsvm_vma(va), &status);
		if (ret)
			break;
	}
	mutex_unlock(&vm->lock);
	return ret;
}

int vsvm_ioctl_prefetch(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct vsvm_device *vdev = to_vsvm(drm);
	struct drm_vsvm_prefetch *args = data;
	u64 addr, end = args->addr + args->range;
	unsigned long deadline = 0;
	bool retry = false;
	struct vsvm_vm *vm;
	u32 status;
	int ret = 0;

	if (args->flags & ~DRM_VSVM_PREFETCH_WRITE)
		return vsvm_reject(vdev, -EINVAL, "flags 0x%x", args->flags);
	if (!args->range || !IS_ALIGNED(args->addr | args->range, PAGE_SIZE) ||
	    end < args->addr || end > (1ULL << VSVM_VA_BITS))
		return vsvm_reject(vdev, -EINVAL, "range 0x%llx+0x%llx", args->addr, args->range);
	vm = vsvm_vm_lookup(file->driver_priv, args->vm_id);
	if (!vm)
		return vsvm_reject(vdev, -ENOENT, "vm %u", args->vm_id);
	ret = vsvm_vm_check_owner(vm);
	if (ret) {
		vsvm_reject(vdev, ret, "vm %u belongs to another process", vm->id);
		goto out;
	}

	mutex_lock(&vm->lock);
	for (addr = args->addr; addr < end && !ret; addr += PAGE_SIZE) {
		struct drm_gpuva *va = drm_gpuva_find_first(&vm->gpuvm, addr, 1);
		bool write = args->flags & DRM_VSVM_PREFETCH_WRITE;

		/* Up to 2^36 pages: a killed caller must not wait for them all. */
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();

		if (!va || to_vsvm_vma(va)->kind != VSVM_VMA_MIRROR) {
			ret = vsvm_reject(vdev, -EFAULT, "0x%llx is not in a mirror", addr);
			break;
		}
		if (vsvm_vm_mapped_for(vm, addr, write))
			continue;
		/* One fault maps the chunk; write only what the caller asked for. */
		if (!retry)
			deadline = vsvm_fault_deadline();
		ret = vsvm_svm_fault(vm, va->va.addr, va->va.addr + va->va.range, addr,
				     args->addr, write ? end : args->addr, deadline, &status);
		retry = ret == -EAGAIN;
		if (retry) {
			/* The lock was dropped and the binding changed: look again. */
			ret = 0;
			addr -= PAGE_SIZE;
		} else if (ret) {
			vsvm_log(vdev, "prefetch 0x%llx: status %u", addr, status);
		}
	}
	mutex_unlock(&vm->lock);
	if (!ret)
		vsvm_stat_add(vdev, VSVM_STAT_PREFETCH_PAGES, args->range >> PAGE_SHIFT);
out:
	vsvm_vm_put(vm);
	return ret;
}

static const char *const kind_name[] = {
	[VSVM_VMA_BO] = "bo",
	[VSVM_VMA_MIRROR] = "mirror",
	[VSVM_VMA_USERPTR] = "userptr",
};

/**
 * vsvm_vms_show() - debugfs: a file's VMs, bindings, ranges and PTEs
 * @vfile: the file
 * @m: the debugfs file
 * @ptes: also dump every valid PTE
 */
void vsvm_vms_show(struct vsvm_file *vfile, struct seq_file *m, bool ptes)
{
	unsigned long id = 0;
	struct vsvm_vm *vm;

	/* A VM found under the xarray lock still has the file's reference. */
	for (;; id++) {
		struct drm_gpuva *va;

		xa_lock(&vfile->vms);
		vm = xa_find(&vfile->vms, &id, ULONG_MAX, XA_PRESENT);
		if (vm)
			drm_gpuvm_get(&vm->gpuvm);
		xa_unlock(&vfile->vms);
		if (!vm)
			break;
		mutex_lock(&vm->lock);
		seq_printf(m, " vm %u: owner %d%s\n", vm->id, vm->owner_pid,
			   vm->mm ? " svm" : "");
		drm_gpuvm_for_each_va(va, &vm->gpuvm) {
			struct vsvm_vma *vma = to_vsvm_vma(va);

			seq_printf(m, "  %s 0x%llx-0x%llx%s", kind_name[vma->kind],
				   va->va.addr, va->va.addr + va->va.range,
				   vma->readonly ? " ro" : "");
			if (vma->userptr)
				seq_printf(m, " cpu 0x%llx seq %lu", vma->userptr->start,
					   READ_ONCE(vma->userptr->notifier.invalidate_seq));
			if (va->gem.obj)
				seq_printf(m, " bo %zu bytes +0x%llx", va->gem.obj->size,
					   va->gem.offset);
			seq_puts(m, "\n");
		}
		vsvm_svm_show(vm, m);
		spin_lock(&vm->mmu.lock);
		seq_printf(m, "  ptes: 4K %llu 2M %llu tables %u\n", vm->mmu.n_4k,
			   vm->mmu.n_2m, vm->mmu.n_tables);
		if (ptes)
			vsvm_mmu_dump(&vm->mmu, m);
		spin_unlock(&vm->mmu.lock);
		mutex_unlock(&vm->lock);
		vsvm_vm_put(vm);
	}
}
