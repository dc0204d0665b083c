// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */

#include <drm/drm_gpuvm.h>
#include <linux/cred.h>
#include <linux/kcov.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>

#include "vsvm_drv.h"
#include "vsvm_fault.h"
#include "vsvm_params.h"
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
 * A fault that never ends keeps its worker too, and the workqueue has a
 * bounded number of them (%VSVM_FAULT_WORKERS): one process with that many
 * VMs, each stuck on such a file, would leave no worker to anyone else. So
 * each user (the real uid that created the VM, or the creator of its
 * outermost user namespace, or the innermost namespace root made: a
 * container) gets a share of them, &struct vsvm_fault_user: at most
 * fault_workers_per_user of its VMs' queues are on the workqueue at once;
 * the others wait on the user's list, in order, without a worker. A queue
 * gives its worker to the next of the user's queues when it runs dry, and
 * after each fault when others wait, so a busy VM takes turns with its
 * user's others. What a user's stuck faults hold up is then the user's own
 * other VMs. A change of the parameter applies at the user's next fault or
 * worker hand-over.
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
 * Workers of &vsvm_device.fault_wq: enough for fault_workers_per_user of
 * every user of a busy machine, each possibly stuck.
 */
#define VSVM_FAULT_WORKERS	WQ_MAX_ACTIVE

/**
 * struct vsvm_fault_user - one user's share of the fault workers
 *
 * One per user (see "Fault queue") that has a VM on the device, on
 * &vsvm_device.fault_users; every field is under &vsvm_device.fault_lock.
 */
struct vsvm_fault_user {
	/** @link: on &vsvm_device.fault_users. */
	struct list_head link;
	/** @uid: the user, when @ns is &init_user_ns. */
	kuid_t uid;
	/**
	 * @ns: a user namespace root made, whose users share this share
	 * (see vsvm_fault_queue_init()), or &init_user_ns for a user of the
	 * initial namespace or of namespaces that user made; a reference.
	 */
	struct user_namespace *ns;
	/** @vms: VMs of the user; the last one's end frees the share. */
	unsigned int vms;
	/**
	 * @running: fault queues of the user on the workqueue or running;
	 * fault_workers_per_user or more (if it was lowered) while any
	 * queue waits.
	 */
	unsigned int running;
	/** @waiting: &vsvm_fault_queue.wait_link of queues waiting for a worker. */
	struct list_head waiting;
};

/*
 * Start the user's waiting queues, oldest first, while the share allows;
 * @torun collects them, to be queued once the lock is dropped.
 */
static void fault_user_fill(struct vsvm_fault_user *user, struct list_head *torun)
{
	unsigned int share = max(READ_ONCE(vsvm_fault_workers_per_user), 1U);
	struct vsvm_fault_queue *next;

	while (user->running < share) {
		next = list_first_entry_or_null(&user->waiting, struct vsvm_fault_queue,
						wait_link);
		if (!next)
			break;
		list_move_tail(&next->wait_link, torun);
		user->running++;
	}
}

/* Queue what fault_user_fill() started: from a fault work, allowed while unload drains. */
static void fault_user_run(struct vsvm_device *vdev, struct list_head *torun)
{
	struct vsvm_fault_queue *fq, *tmp;

	list_for_each_entry_safe(fq, tmp, torun, wait_link) {
		list_del_init(&fq->wait_link);
		queue_work(vdev->fault_wq, &fq->work);
	}
}

/*
 * Schedule @fq, which has a fault and no worker: behind the user's
 * waiting queues, so a queue that raises often cannot overtake them, and
 * now if the share allows.
 */
static void fault_user_admit(struct vsvm_device *vdev, struct vsvm_fault_queue *fq)
{
	struct vsvm_fault_user *user = fq->user;
	LIST_HEAD(torun);
	bool waits;

	spin_lock(&vdev->fault_lock);
	list_add_tail(&fq->wait_link, &user->waiting);
	fault_user_fill(user, &torun);
	/* Started in order: @fq, the last, waits unless all of them started. */
	waits = !list_empty(&user->waiting);
	spin_unlock(&vdev->fault_lock);

	if (waits)
		vsvm_stat_inc(vdev, VSVM_STAT_FAULTS_USER_WAITS);
	fault_user_run(vdev, &torun);
}

/* A queue of @user ran dry: its worker goes to the user's next waiting queues. */
static void fault_user_release(struct vsvm_device *vdev, struct vsvm_fault_user *user)
{
	LIST_HEAD(torun);

	spin_lock(&vdev->fault_lock);
	user->running--;
	fault_user_fill(user, &torun);
	spin_unlock(&vdev->fault_lock);
	fault_user_run(vdev, &torun);
}

/*
 * After each fault, a queue whose user has queues waiting gives its worker
 * to the oldest and waits behind them, keeping its scheduling: a VM that
 * keeps faulting must not keep its user's other VMs waiting for good.
 * Return: true if it did, and the work must return at once.
 */
static bool fault_user_yield(struct vsvm_device *vdev, struct vsvm_fault_queue *fq)
{
	struct vsvm_fault_user *user = fq->user;
	LIST_HEAD(torun);
	bool yield;

	/* A queue with nothing pending is about to run dry: let it. */
	spin_lock(&fq->lock);
	yield = !list_empty(&fq->pending);
	spin_unlock(&fq->lock);
	if (!yield)
		return false;

	spin_lock(&vdev->fault_lock);
	yield = !list_empty(&user->waiting);
	if (yield) {
		list_add_tail(&fq->wait_link, &user->waiting);
		user->running--;
		fault_user_fill(user, &torun);
	}
	spin_unlock(&vdev->fault_lock);
	fault_user_run(vdev, &torun);
	return yield;
}

/*
 * Each fault holds a VM reference until it is done, and each scheduling of
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
		else
			fq->scheduled = false;
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
		if (fault_user_yield(vdev, fq))
			return;
	}
	fault_user_release(vdev, fq->user);
	vsvm_vm_put(vm);
}

/**
 * vsvm_fault_queue_init() - set up a VM's fault queue
 * @vdev: the device
 * @fq: the queue of a VM the caller is creating
 *
 * Context: process; the caller's real uid, the creator of its outermost
 * user namespace, or the innermost namespace that root made, is the VM's
 * user.
 * Return: 0 or -ENOMEM.
 */
int vsvm_fault_queue_init(struct vsvm_device *vdev, struct vsvm_fault_queue *fq)
{
	struct user_namespace *ns = current_user_ns();
	struct vsvm_fault_user *user, *new;
	kuid_t uid = current_uid();

	/*
	 * The uids of a user namespace are its creator's to hand out: the
	 * share is that of the user who made the outermost one, as for the
	 * kernel's own per-user limits, or 65536 subordinate uids would be
	 * 65536 shares. A namespace that root made (a container) is a user
	 * of its own, not root, or every container would share root's.
	 */
	for (; ns != &init_user_ns; ns = ns->parent) {
		if (uid_eq(ns->owner, GLOBAL_ROOT_UID))
			break;
		uid = ns->owner;
	}
	if (ns != &init_user_ns)
		uid = GLOBAL_ROOT_UID;

	/* Allocated first, as the lock is a spinlock; freed if not needed. */
	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	if (!new)
		return -ENOMEM;
	spin_lock(&vdev->fault_lock);
	list_for_each_entry(user, &vdev->fault_users, link)
		if (user->ns == ns && uid_eq(user->uid, uid))
			goto found;
	user = new;
	new = NULL;
	vsvm_obj_inc(VSVM_OBJ_FAULT_USER);
	user->uid = uid;
	user->ns = get_user_ns(ns);
	INIT_LIST_HEAD(&user->waiting);
	list_add(&user->link, &vdev->fault_users);
found:
	user->vms++;
	spin_unlock(&vdev->fault_lock);
	kfree(new);

	spin_lock_init(&fq->lock);
	INIT_LIST_HEAD(&fq->pending);
	INIT_WORK(&fq->work, fault_queue_work);
	INIT_LIST_HEAD(&fq->wait_link);
	fq->user = user;
	return 0;
}

/**
 * vsvm_fault_queue_fini() - drop a freed VM's share of the fault workers
 * @vdev: the device
 * @fq: the queue; no fault and no scheduling of its work is left
 */
void vsvm_fault_queue_fini(struct vsvm_device *vdev, struct vsvm_fault_queue *fq)
{
	struct vsvm_fault_user *user = fq->user;

	spin_lock(&vdev->fault_lock);
	if (--user->vms) {
		spin_unlock(&vdev->fault_lock);
		return;
	}
	list_del(&user->link);
	spin_unlock(&vdev->fault_lock);
	put_user_ns(user->ns);
	kfree(user);
	vsvm_obj_dec(VSVM_OBJ_FAULT_USER);
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
	bool schedule;

	vsvm_stat_inc(vdev, VSVM_STAT_FAULTS_PENDING);
	spin_lock(&fq->lock);
	list_add_tail(&fault->link, &fq->pending);
	schedule = !fq->scheduled;
	fq->scheduled = true;
	/*
	 * The scheduling's reference, before the lock is dropped: from then
	 * on the fault may be done, and its own reference dropped, at any
	 * time.
	 */
	if (schedule)
		drm_gpuvm_get(&vm->gpuvm);
	spin_unlock(&fq->lock);
	if (schedule)
		fault_user_admit(vdev, fq);
}

/**
 * vsvm_fault_init() - create the device's fault workqueue
 * @vdev: the device
 *
 * Return: 0 or -ENOMEM.
 */
int vsvm_fault_init(struct vsvm_device *vdev)
{
	spin_lock_init(&vdev->fault_lock);
	INIT_LIST_HEAD(&vdev->fault_users);
	vdev->fault_wq = alloc_workqueue("vsvm-fault", WQ_UNBOUND, VSVM_FAULT_WORKERS);
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
