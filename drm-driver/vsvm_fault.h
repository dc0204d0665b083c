/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Copyright 2026 The vsvm authors */

#ifndef __VSVM_FAULT_H__
#define __VSVM_FAULT_H__

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

struct mm_struct;
struct vsvm_device;
struct vsvm_fault_user;
struct vsvm_vm;

/**
 * struct vsvm_fault - a GPU page fault raised to the fault worker
 *
 * Filled by the compute unit that raised it and owned by the fault queue
 * until @done is called; the compute unit does not touch it meanwhile.
 */
struct vsvm_fault {
	/** @link: in &vsvm_fault_queue.pending, under its lock. */
	struct list_head link;
	/**
	 * @vm: the VM; a reference the raiser took before anyone who may end
	 * the job could see the fault, dropped after @done is called.
	 */
	struct vsvm_vm *vm;
	/** @mm: the faulting job's submitter, compared and never dereferenced. */
	struct mm_struct *mm;
	/** @addr: faulting GPU VA. */
	u64 addr;
	/** @access: DRM_VSVM_ACCESS_*. */
	u32 access;
	/** @kcov_handle: the faulting job's &vsvm_job.kcov_handle. */
	u64 kcov_handle;
	/** @status: out, enum drm_vsvm_status when @ret is not 0. */
	u32 status;
	/** @ret: out, what vsvm_vm_handle_fault() returned. */
	int ret;
	/**
	 * @done: called by the worker once the fault is serviced or has
	 * failed; the fault is the callee's from then on, and the worker
	 * touches it no more.
	 */
	void (*done)(struct vsvm_fault *fault);
};

/**
 * struct vsvm_fault_queue - a VM's faults, serviced in the order raised
 */
struct vsvm_fault_queue {
	/** @lock: protects @pending and @scheduled; nothing nests inside it. */
	spinlock_t lock;
	/** @pending: faults raised and not yet taken by @work. */
	struct list_head pending;
	/**
	 * @scheduled: @work is on the workqueue, running, or waiting for a
	 * worker of @user's share, and will take what is on @pending; set
	 * by the raise that found it clear, cleared by @work when it finds
	 * @pending empty.
	 */
	bool scheduled;
	/**
	 * @work: services @pending one fault at a time, on
	 * &vsvm_device.fault_wq; each fault holds a VM reference, so the VM
	 * outlives it, and so does each scheduling of @work.
	 */
	struct work_struct work;
	/** @user: the share of fault workers of the VM's creator. */
	struct vsvm_fault_user *user;
	/**
	 * @wait_link: on &vsvm_fault_user.waiting while @work waits for a
	 * worker, under &vsvm_device.fault_lock.
	 */
	struct list_head wait_link;
};

int vsvm_fault_queue_init(struct vsvm_device *vdev, struct vsvm_fault_queue *fq);
void vsvm_fault_queue_fini(struct vsvm_device *vdev, struct vsvm_fault_queue *fq);
int vsvm_fault_init(struct vsvm_device *vdev);
void vsvm_fault_fini(struct vsvm_device *vdev);
void vsvm_fault_raise(struct vsvm_device *vdev, struct vsvm_fault *fault);

#endif /* __VSVM_FAULT_H__ */
