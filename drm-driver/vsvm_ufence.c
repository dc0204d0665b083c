// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */

#include <linux/dma-fence.h>
#include <linux/hugetlb.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <drm/drm_file.h>

#include "vsvm_drv.h"
#include "vsvm_gem.h"
#include "vsvm_ufence.h"
#include "vsvm_vm.h"

/**
 * DOC: Long-running mode and user fences
 *
 * A dma-fence, once another driver or a syncobj can see it, must signal
 * without waiting for memory allocation: memory reclaim may wait on
 * fences, so a fence whose signalling needs an allocation can deadlock
 * the machine. A job of an SVM VM allocates while it runs, servicing its
 * page faults (page-table pages, hmm_range_fault() populating memory, SVM
 * ranges), so its fence must never be published. Such jobs run in
 * long-running mode, as xe's faulting VMs do: EXEC refuses syncobjs on an
 * SVM VM (vsvm_lr_check_exec()), and the drm_sched and hardware fences of
 * its jobs stay inside the driver, where they order a queue's jobs and let
 * WAIT sleep. Nothing else exports a job fence: vsvm attaches none to a
 * reservation object and has no sync_file path of its own. BO-only VMs
 * cannot page-fault into allocation and keep their syncobjs.
 *
 * Completion is told instead by a user fence: a 64-bit value the driver
 * stores at an address of the submitting process when the job ends,
 * whatever its status, so that a waiter never hangs on a failed job. User
 * fences work on both kinds of VM. The store runs on a worker of
 * &vsvm_device.ufence_wq that borrows the submitter's mm
 * (kthread_use_mm()), after mmget_not_zero(): an address space that is
 * gone has nobody left to read the value, and the store is skipped. It is
 * made with page faults disabled, and a page that is not writable is
 * faulted in with fixup_user_fault() without FAULT_FLAG_ALLOW_RETRY, so a
 * page that only a userfaultfd handler could provide fails the store at
 * once instead of parking the worker on a handler that may never answer:
 * the same rule as the GPU's own faults (hmm_range_fault()). A page of a
 * file system's file is not faulted in at all (ufence_fault_bounded()):
 * unlike the GPU's faults, which wait in a worker of the VM owner's share
 * (see "Fault queue"), a store that waited for a FUSE daemon that never
 * answers would keep a worker of &vsvm_device.ufence_wq for good, and
 * enough such queues would take them all. The store fails instead, as
 * for an unmapped address; a page already present is stored to, and one
 * of a private file mapping that is present but write-protected (a
 * program's .data after fork()) is copied first, which reads nothing. Nor does
 * the worker wait for the submitter's mmap lock, which a writer queued
 * behind one of the submitter's own stuck GPU faults would hold for good:
 * a store that finds it taken goes back to the head of its queue's list,
 * which is tried again a little later (ufence_defer()), and fails after
 * %UFENCE_LOCK_WAIT_MS of that. A store that fails is counted and logged
 * in debugfs; the job's status stays readable with WAIT.
 *
 * Order: a queue's jobs end in submission order, and their user fences
 * are stored in that order by one work item per queue
 * (&struct vsvm_ufence_timeline), so a value never goes backwards. The
 * hardware fence's callback only queues the store: it runs under that
 * fence's lock, where nothing may sleep.
 *
 * DRM_IOCTL_VSVM_WAIT_USER_FENCE sleeps on &vsvm_device.ufence_waiters,
 * which every store wakes, and compares the word it reads in the caller's
 * own address space.
 */

/* Attempts to store after faulting the page in; another CPU may unmap it between. */
#define UFENCE_STORE_TRIES	3
/* How long a store may keep finding the submitter's mmap lock taken: see ufence_defer(). */
#define UFENCE_LOCK_WAIT_MS	1000
/* How long a timeline waits before it tries such a store again. */
#define UFENCE_RETRY_DELAY	max(msecs_to_jiffies(10), 1UL)

/**
 * struct vsvm_ufence_timeline - stores one queue's user fences in order
 */
struct vsvm_ufence_timeline {
	/**
	 * @refcount: the queue's reference, and one for each time @work was
	 * queued and has not finished running.
	 */
	struct kref refcount;
	/** @vdev: the device. */
	struct vsvm_device *vdev;
	/**
	 * @lock: protects @pending. Taken in a hardware fence's callback,
	 * so inside that fence's lock and with interrupts disabled.
	 */
	spinlock_t lock;
	/** @pending: fences of ended jobs, not yet stored, oldest first. */
	struct list_head pending;
	/**
	 * @deferred: @work was armed with a delay to try the store at the
	 * head of @pending again; under @lock, and counted in
	 * &vsvm_device.ufence_deferred until @work runs.
	 */
	bool deferred;
	/** @work: stores @pending in order. */
	struct delayed_work work;
};

/**
 * struct vsvm_ufence - one job's user fence
 */
struct vsvm_ufence {
	/** @cb: on the job's hardware fence. */
	struct dma_fence_cb cb;
	/** @link: in &vsvm_ufence_timeline.pending, under its lock. */
	struct list_head link;
	/** @tl: the queue's timeline; set when armed. */
	struct vsvm_ufence_timeline *tl;
	/** @mm: the submitter's address space, mmgrab()ed. */
	struct mm_struct *mm;
	/** @addr: where to store, in @mm. */
	u64 addr;
	/** @value: what to store. */
	u64 value;
	/** @queue_id: for the log. */
	u32 queue_id;
	/** @seqno: for the log. */
	u64 seqno;
	/**
	 * @lock_deadline: jiffies after which a store that still finds the
	 * submitter's mmap lock taken fails; 0 until a try first found it so.
	 */
	unsigned long lock_deadline;
};

static void timeline_release(struct kref *ref)
{
	kfree(container_of(ref, struct vsvm_ufence_timeline, refcount));
}

/**
 * vsvm_ufence_timeline_put() - drop a reference to a timeline
 * @tl: the timeline, or NULL
 */
void vsvm_ufence_timeline_put(struct vsvm_ufence_timeline *tl)
{
	if (tl)
		kref_put(&tl->refcount, timeline_release);
}

/**
 * vsvm_ufence_free() - free a user fence that will not be stored
 * @uf: the fence, or NULL
 */
void vsvm_ufence_free(struct vsvm_ufence *uf)
{
	if (!uf)
		return;
	mmdrop(uf->mm);
	kfree(uf);
}

/*
 * May the worker fault @vma's page in? Only where a fault never waits for
 * another process: anonymous memory (a userfaultfd handler is not waited
 * for, see "Long-running mode and user fences"), shmem and memfd mapped
 * by shmem itself, hugetlbfs, and vsvm's own BOs. A file system's page
 * may never come (a FUSE daemon that does not answer), and the worker
 * would wait for it for good, uninterruptibly, with every later fence of
 * its queue behind it; so may a driver's fault handler over a shmem file,
 * or another driver's BO whose reservation an importer holds.
 */
static bool ufence_fault_bounded(struct vm_area_struct *vma)
{
	if (vma_is_anonymous(vma) || is_vm_hugetlb_page(vma) || vsvm_gem_vma_is_ours(vma))
		return true;
	return vma->vm_file && shmem_file(vma->vm_file) &&
	       !(vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP | VM_IO));
}

/*
 * May the worker take a write fault at @addr, in @vma? Where
 * ufence_fault_bounded() says so, and in a private file mapping (a
 * program's .data, say) whose page is present, write-protected after
 * fork() or never written: that fault copies the page and asks the file
 * system nothing. *@page is then held, so that it stays in the page cache
 * until the fault is done, and the caller puts it; NULL otherwise.
 */
static bool ufence_may_fault(struct mm_struct *mm, struct vm_area_struct *vma,
			     unsigned long addr, struct page **page)
{
	*page = NULL;
	if (ufence_fault_bounded(vma))
		return true;
	if (!vma->vm_file || (vma->vm_flags & (VM_SHARED | VM_PFNMAP | VM_MIXEDMAP | VM_IO)))
		return false;
	return get_user_pages_remote(mm, addr, 1, FOLL_NOFAULT, page, NULL) == 1;
}

/*
 * Store @uf->value as the submitter's own store would be made: through its
 * page tables, honouring its protections. Return: 0, -ESRCH when the
 * address space is gone, -EBUSY when its lock is taken (try again later),
 * or -EFAULT.
 */
static int ufence_store(struct vsvm_ufence *uf)
{
	u64 __user *ptr = u64_to_user_ptr(uf->addr);
	struct vm_area_struct *vma;
	struct page *page;
	int tries, ret = -EFAULT;

	if (!mmget_not_zero(uf->mm))
		return -ESRCH;
	kthread_use_mm(uf->mm);
	for (tries = 0; tries < UFENCE_STORE_TRIES; tries++) {
		/* One aligned 64-bit store: a CPU polling the word never sees it torn. */
		pagefault_disable();
		ret = put_user(uf->value, ptr);
		pagefault_enable();
		if (!ret)
			break;
		/*
		 * Never waited for: a writer queued behind a reader that
		 * never ends (one of the submitter's GPU faults stuck in a
		 * file system) would hold the worker for good.
		 */
		if (!mmap_read_trylock(uf->mm)) {
			ret = -EBUSY;
			break;
		}
		vma = vma_lookup(uf->mm, uf->addr);
		page = NULL;
		if (vma && ufence_may_fault(uf->mm, vma, uf->addr, &page))
			ret = fixup_user_fault(uf->mm, uf->addr, FAULT_FLAG_WRITE, NULL);
		mmap_read_unlock(uf->mm);
		if (page)
			put_page(page);
		if (ret)
			break;
		ret = -EFAULT;
	}
	kthread_unuse_mm(uf->mm);
	mmput(uf->mm);
	return ret;
}

/*
 * @uf found the submitter's mmap lock taken: put it back at the head of
 * its timeline, so that order is kept, and try again after a delay,
 * without holding a worker meanwhile. Return: false once @uf has kept
 * finding it taken for %UFENCE_LOCK_WAIT_MS: it fails instead.
 */
static bool ufence_defer(struct vsvm_ufence_timeline *tl, struct vsvm_ufence *uf)
{
	struct vsvm_device *vdev = tl->vdev;

	if (!uf->lock_deadline)
		uf->lock_deadline = jiffies + msecs_to_jiffies(UFENCE_LOCK_WAIT_MS);
	if (time_after(jiffies, uf->lock_deadline))
		return false;
	spin_lock_irq(&tl->lock);
	list_add(&uf->link, &tl->pending);
	if (!tl->deferred)
		atomic_inc(&vdev->ufence_deferred);
	tl->deferred = true;
	spin_unlock_irq(&tl->lock);
	/* The work runs: this is not the last reference. */
	kref_get(&tl->refcount);
	if (!queue_delayed_work(vdev->ufence_wq, &tl->work, UFENCE_RETRY_DELAY))
		kref_put(&tl->refcount, timeline_release);
	return true;
}

static void timeline_work(struct work_struct *work)
{
	struct vsvm_ufence_timeline *tl = container_of(to_delayed_work(work),
						       struct vsvm_ufence_timeline, work);
	struct vsvm_device *vdev = tl->vdev;
	struct vsvm_ufence *uf;
	bool deferred;
	int ret;

	spin_lock_irq(&tl->lock);
	deferred = tl->deferred;
	tl->deferred = false;
	spin_unlock_irq(&tl->lock);
	if (deferred && atomic_dec_and_test(&vdev->ufence_deferred))
		wake_up_all(&vdev->ufence_waiters);

	for (;;) {
		spin_lock_irq(&tl->lock);
		uf = list_first_entry_or_null(&tl->pending, struct vsvm_ufence, link);
		if (uf)
			list_del(&uf->link);
		spin_unlock_irq(&tl->lock);
		if (!uf)
			break;

		ret = ufence_store(uf);
		if (ret == -EBUSY) {
			if (ufence_defer(tl, uf))
				break;
			ret = -EAGAIN;
		}
		if (!ret) {
			vsvm_stat_inc(vdev, VSVM_STAT_UFENCE_WRITTEN);
		} else if (ret == -ESRCH) {
			vsvm_stat_inc(vdev, VSVM_STAT_UFENCE_SKIPPED);
		} else {
			vsvm_stat_inc(vdev, VSVM_STAT_UFENCE_FAILED);
			vsvm_log(vdev, "queue %u job %llu: user fence at 0x%llx not stored: %d",
				 uf->queue_id, uf->seqno, uf->addr, ret);
		}
		vsvm_ufence_free(uf);
		wake_up_all(&vdev->ufence_waiters);
	}
	vsvm_ufence_timeline_put(tl);
}

/**
 * vsvm_ufence_timeline_create() - the user-fence timeline of a new queue
 * @vdev: the device
 *
 * Return: the timeline, holding the caller's reference, or NULL.
 */
struct vsvm_ufence_timeline *vsvm_ufence_timeline_create(struct vsvm_device *vdev)
{
	struct vsvm_ufence_timeline *tl;

	tl = kzalloc(sizeof(*tl), GFP_KERNEL_ACCOUNT);
	if (!tl)
		return NULL;
	kref_init(&tl->refcount);
	tl->vdev = vdev;
	spin_lock_init(&tl->lock);
	INIT_LIST_HEAD(&tl->pending);
	INIT_DELAYED_WORK(&tl->work, timeline_work);
	return tl;
}

/**
 * vsvm_lr_check_exec() - refuse what long-running mode does not allow
 * @vdev: the device
 * @vm: the queue's VM
 * @queue_id: the queue, for the log
 * @args: the EXEC arguments
 *
 * Jobs of an SVM VM publish no dma-fence, so they can neither signal a
 * syncobj nor, to keep one synchronisation model per VM, wait on one.
 *
 * Return: 0, or -EOPNOTSUPP for syncobjs on an SVM VM.
 */
int vsvm_lr_check_exec(struct vsvm_device *vdev, const struct vsvm_vm *vm, u32 queue_id,
		       const struct drm_vsvm_exec *args)
{
	if (vm->mm && (args->num_in_syncs || args->out_sync))
		return vsvm_reject(vdev, -EOPNOTSUPP,
				   "queue %u: syncobjs on an SVM VM (%u in, out %u)",
				   queue_id, args->num_in_syncs, args->out_sync);
	return 0;
}

/**
 * vsvm_ufence_create() - check and take EXEC's user fence
 * @vdev: the device
 * @args: the EXEC arguments
 * @ufence: out, the fence, or NULL without DRM_VSVM_EXEC_USER_FENCE
 *
 * Context: the submitting process.
 * Return: 0, -EINVAL for a misaligned address or a value without the
 * flag, -EFAULT for an address outside user space, or -ENOMEM.
 */
int vsvm_ufence_create(struct vsvm_device *vdev, const struct drm_vsvm_exec *args,
		       struct vsvm_ufence **ufence)
{
	struct vsvm_ufence *uf;

	*ufence = NULL;
	if (!(args->flags & DRM_VSVM_EXEC_USER_FENCE)) {
		if (args->ufence_addr || args->ufence_value)
			return vsvm_reject(vdev, -EINVAL, "user fence fields without the flag");
		return 0;
	}
	if (!IS_ALIGNED(args->ufence_addr, sizeof(u64)))
		return vsvm_reject(vdev, -EINVAL, "user fence at 0x%llx is misaligned",
				   args->ufence_addr);
	if (!access_ok(u64_to_user_ptr(args->ufence_addr), sizeof(u64)))
		return vsvm_reject(vdev, -EFAULT, "user fence at 0x%llx is not a user address",
				   args->ufence_addr);

	uf = kzalloc(sizeof(*uf), GFP_KERNEL_ACCOUNT);
	if (!uf)
		return -ENOMEM;
	uf->mm = current->mm;
	mmgrab(uf->mm);
	uf->addr = args->ufence_addr;
	uf->value = args->ufence_value;
	*ufence = uf;
	return 0;
}

static void ufence_signalled(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	struct vsvm_ufence *uf = container_of(cb, struct vsvm_ufence, cb);
	struct vsvm_ufence_timeline *tl = uf->tl;
	unsigned long flags;

	spin_lock_irqsave(&tl->lock, flags);
	list_add_tail(&uf->link, &tl->pending);
	spin_unlock_irqrestore(&tl->lock, flags);
	/* Never the last reference: the job that ended holds its queue's. */
	kref_get(&tl->refcount);
	if (!queue_delayed_work(tl->vdev->ufence_wq, &tl->work, 0))
		kref_put(&tl->refcount, timeline_release);
}

/**
 * vsvm_ufence_arm() - store @uf when @fence signals
 * @uf: the job's user fence; the timeline owns it from now on
 * @tl: the job's queue's timeline
 * @fence: the job's hardware fence, which signals whatever the job's fate
 * @queue_id: for the log
 * @seqno: the job's seqno, for the log
 *
 * Context: EXEC, under the queue's submit_lock, once nothing can fail.
 */
void vsvm_ufence_arm(struct vsvm_ufence *uf, struct vsvm_ufence_timeline *tl,
		     struct dma_fence *fence, u32 queue_id, u64 seqno)
{
	uf->tl = tl;
	uf->queue_id = queue_id;
	uf->seqno = seqno;
	if (dma_fence_add_callback(fence, &uf->cb, ufence_signalled))
		ufence_signalled(fence, &uf->cb);
}

/**
 * vsvm_ioctl_wait_user_fence() - DRM_IOCTL_VSVM_WAIT_USER_FENCE
 * @drm: the device
 * @data: struct drm_vsvm_wait_user_fence
 * @file: the caller's file
 *
 * Context: process; sleeps interruptibly.
 * Return: 0 once the word at @addr is at least @value, -ETIME after the
 * timeout, -EFAULT if the word cannot be read, -ERESTARTSYS on a signal,
 * -EINVAL for bad arguments.
 */
int vsvm_ioctl_wait_user_fence(struct drm_device *drm, void *data, struct drm_file *file)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct vsvm_device *vdev = to_vsvm(drm);
	struct drm_vsvm_wait_user_fence *args = data;
	u64 __user *ptr = u64_to_user_ptr(args->addr);
	long timeout;
	u64 value;
	int ret;

	if (args->flags || args->pad)
		return vsvm_reject(vdev, -EINVAL, "flags 0x%x pad 0x%x", args->flags, args->pad);
	if (!IS_ALIGNED(args->addr, sizeof(u64)))
		return vsvm_reject(vdev, -EINVAL, "addr 0x%llx is misaligned", args->addr);
	if (args->timeout_ns < 0)
		return vsvm_reject(vdev, -EINVAL, "timeout %lld", args->timeout_ns);
	timeout = nsecs_to_jiffies64(args->timeout_ns);

	/* Queued before each read, so a store between read and sleep wakes us. */
	add_wait_queue(&vdev->ufence_waiters, &wait);
	for (;;) {
		if (get_user(value, ptr)) {
			ret = vsvm_reject(vdev, -EFAULT, "addr 0x%llx is not readable", args->addr);
			break;
		}
		ret = 0;
		if (value >= args->value)
			break;
		ret = -ETIME;
		if (!timeout)
			break;
		ret = -ERESTARTSYS;
		if (signal_pending(current))
			break;
		timeout = wait_woken(&wait, TASK_INTERRUPTIBLE, timeout);
	}
	remove_wait_queue(&vdev->ufence_waiters, &wait);
	return ret;
}

/**
 * vsvm_ufence_init() - set up a device's user-fence worker
 * @vdev: the device
 *
 * Return: 0 or -ENOMEM.
 */
int vsvm_ufence_init(struct vsvm_device *vdev)
{
	init_waitqueue_head(&vdev->ufence_waiters);
	vdev->ufence_wq = alloc_workqueue("vsvm-ufence", WQ_UNBOUND, 0);
	return vdev->ufence_wq ? 0 : -ENOMEM;
}

/**
 * vsvm_ufence_fini() - store what is pending and stop the worker
 * @vdev: the device; no job is left
 */
void vsvm_ufence_fini(struct vsvm_device *vdev)
{
	/*
	 * The drain of destroy_workqueue() does not see a delayed work whose
	 * timer has not fired: wait for every deferred store to be retried.
	 * Each fails within %UFENCE_LOCK_WAIT_MS.
	 */
	do {
		wait_event(vdev->ufence_waiters, !atomic_read(&vdev->ufence_deferred));
		flush_workqueue(vdev->ufence_wq);
	} while (atomic_read(&vdev->ufence_deferred));
	destroy_workqueue(vdev->ufence_wq);
}
