// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */

#include <drm/drm_gpuvm.h>
#include <linux/kcov.h>

#include "vsvm_drv.h"
#include "vsvm_fault.h"
#include "vsvm_vm.h"

/**
 * DOC: Fault queue
 *
 * Compute units never service GPU page faults themselves: servicing one
 * may block for as long as the faulting memory takes to come, and for a
 * file whose filesystem never answers (a FUSE daemon that does not reply)
 * that is forever, in an uninterruptible wait that a kernel thread cannot
 * even be signalled out of. A compute unit that meets a fault parks the
 * workgroup (see "Shader engine") and raises the fault here, as hardware
 * raises one to its handler, then goes on with other workgroups.
 *
 * Each VM has a fault queue (&struct vsvm_fault_queue) whose work item,
 * on the device's fault workqueue, takes its faults in the order they
 * were raised, as one fault handler per VM would, runs
 * vsvm_vm_handle_fault() for each under the usual collision-retry
 * protocol, with its time bound, owner check and memory cgroup, and hands
 * the result back through &vsvm_fault.done. One fault at a time per VM
 * keeps two workgroups faulting on one chunk from gathering it twice: the
 * second finds it mapped. A fault that never ends holds its VM's queue,
 * and nothing else: other VMs' queues run on other workers.
 *
 * The workqueue is unbound, as a fault sleeps and may take long. It is not
 * WQ_MEM_RECLAIM: no reclaim waits for a GPU fault (vsvm has no shrinker
 * and never lets reclaim wait on its fences, see "Queues and jobs"), and a
 * rescuer could not help a fault that allocates memory itself.
 *
 * Nothing waits for a fault but unload: a job ends when its watchdog or
 * its cancellation says so, whatever its faults are doing, and VM and file
 * close do not wait either (the fault holds what it needs: a VM reference,
 * and its SVM range, see "Shared virtual memory"). Unload destroys the
 * workqueue, which waits for every fault: a fault blocked in a filesystem
 * holds the module until the filesystem answers or its connection is
 * aborted (for FUSE, /sys/fs/fuse/connections/N/abort, or the daemon's
 * exit), which fails the fault.
 */

/*
 * Each fault holds a VM reference until it is done, and each queueing of
 * the work one more until the work returns, which may free the VM, and the
 * work with it, as its very last step.
 */
static void fault_queue_work(struct work_struct *work)
{
	struct vsvm_fault_queue *fq = container_of(work, struct vsvm_fault_queue, work);
	struct vsvm_vm *vm = container_of(fq, struct vsvm_vm, faults);
	struct vsvm_device *vdev = vm->vdev;
	struct vsvm_fault *fault;

	for (;;) {
		spin_lock(&fq->lock);
		fault = list_first_entry_or_null(&fq->pending, struct vsvm_fault, link);
		if (fault)
			list_del_init(&fault->link);
		spin_unlock(&fq->lock);
		if (!fault)
			break;
		/* Coverage goes to the faulting job's submitter, as its EXEC's does. */
		kcov_remote_start_common(fault->kcov_handle);
		fault->ret = vsvm_vm_handle_fault(vm, fault->mm, fault->addr, fault->access,
						  &fault->status);
		vsvm_stat_add(vdev, VSVM_STAT_FAULTS_PENDING, -1);
		fault->done(fault);
		kcov_remote_stop();
		vsvm_vm_put(vm);
	}
	vsvm_vm_put(vm);
}

/**
 * vsvm_fault_queue_init() - set up a VM's fault queue
 * @fq: the queue
 */
void vsvm_fault_queue_init(struct vsvm_fault_queue *fq)
{
	spin_lock_init(&fq->lock);
	INIT_LIST_HEAD(&fq->pending);
	INIT_WORK(&fq->work, fault_queue_work);
}

/**
 * vsvm_fault_raise() - queue a fault to its VM's fault queue
 * @vdev: the device
 * @fault: the fault, with @vm, @mm, @addr, @access and @done set; @vm is
 *	   a reference the caller took for the fault, dropped after @done
 *
 * Context: any; does not sleep.
 */
void vsvm_fault_raise(struct vsvm_device *vdev, struct vsvm_fault *fault)
{
	struct vsvm_vm *vm = fault->vm;
	struct vsvm_fault_queue *fq = &vm->faults;

	/*
	 * The work's reference, before the fault is on the list: from then
	 * on the fault may be done, and its own reference dropped, at any
	 * time.
	 */
	drm_gpuvm_get(&vm->gpuvm);
	vsvm_stat_inc(vdev, VSVM_STAT_FAULTS_PENDING);
	spin_lock(&fq->lock);
	list_add_tail(&fault->link, &fq->pending);
	spin_unlock(&fq->lock);
	if (!queue_work(vdev->fault_wq, &fq->work))
		vsvm_vm_put(vm);
}

/**
 * vsvm_fault_init() - create the device's fault workqueue
 * @vdev: the device
 *
 * Return: 0 or -ENOMEM.
 */
int vsvm_fault_init(struct vsvm_device *vdev)
{
	vdev->fault_wq = alloc_workqueue("vsvm-fault", WQ_UNBOUND, 0);
	return vdev->fault_wq ? 0 : -ENOMEM;
}

/**
 * vsvm_fault_fini() - wait for every fault and destroy the workqueue
 * @vdev: the device; no job is left
 *
 * Context: unload. Waits for faults blocked in a filesystem until it
 * answers or is aborted; faults held by fault injection are released.
 */
void vsvm_fault_fini(struct vsvm_device *vdev)
{
	if (!vdev->fault_wq)
		return;
	vsvm_inject_release(&vdev->inject);
	destroy_workqueue(vdev->fault_wq);
	vdev->fault_wq = NULL;
}
