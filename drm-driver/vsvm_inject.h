/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Copyright 2026 The vsvm authors */

#ifndef __VSVM_INJECT_H__
#define __VSVM_INJECT_H__

#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/wait.h>

struct dentry;
struct vsvm_device;

/**
 * struct vsvm_fault_inject - deterministic fault injection, per device
 *
 * Set from debugfs (dri/N/fault_inject/, docs/svm.md "Fault injection")
 * by tests and by runtime developers who need each retry and error path of
 * the fault protocol on demand instead of hoping a race happens. Every
 * count is consumed one event at a time, so "the next N" is exact even
 * with several compute units faulting; zero everywhere (the default) costs
 * one atomic read per event. Each injected event bumps the
 * "faults_injected" counter and leaves a debugfs log line.
 */
struct vsvm_fault_inject {
	/** @ebusy: the next N hmm_range_fault() calls return -EBUSY. */
	atomic_t ebusy;
	/**
	 * @collisions: the next N installs find the notifier sequence moved,
	 * as if an invalidation ran between gather and install.
	 */
	atomic_t collisions;
	/**
	 * @unmaps: the next N mirror installs find their range unmapped by a
	 * concurrent munmap(): the range is collected and looked up again.
	 */
	atomic_t unmaps;
	/** @range_alloc: the next N range allocations fail -ENOMEM. */
	atomic_t range_alloc;
	/** @pt_alloc: the next N page-table preallocations fail -ENOMEM. */
	atomic_t pt_alloc;
	/**
	 * @fail_faults: the next N mirror or userptr faults of a job fail
	 * with @fail_status without being serviced.
	 */
	atomic_t fail_faults;
	/** @fail_status: enum drm_vsvm_status for @fail_faults; validated on write. */
	u32 fail_status;
	/** @latency_us: added to every mirror and userptr fault, before its gather. */
	u32 latency_us;
	/**
	 * @teardown_delay_us: every SVM range teardown waits this long
	 * between zapping its PTEs and removing its notifier, the window a
	 * test races the CPU against (see range_release()).
	 */
	u32 teardown_delay_us;
	/**
	 * @hold: while nonzero, every mirror and userptr fault waits before
	 * its gather, holding the owner's mmap read lock, as a fault on a
	 * file whose filesystem never answers does; writing 0 releases them,
	 * as aborting the filesystem's connection does. Unload releases them
	 * too. Killable in process context (PREFETCH), forever in the fault
	 * worker.
	 */
	u32 hold;
	/** @hold_wq: faults held by @hold wait here. */
	wait_queue_head_t hold_wq;
	/**
	 * @park_delay_us: a compute unit parking a workgroup waits this long
	 * before making it visible to cancellation and the watchdog, and
	 * again before raising its fault: the windows in which
	 * QUEUE_DESTROY, VM destroy and the watchdog may end the job (see
	 * park()).
	 */
	u32 park_delay_us;
};

void vsvm_inject_hit(struct vsvm_device *vdev, const char *what);
void vsvm_inject_debugfs_init(struct vsvm_fault_inject *inject, struct dentry *root);
void vsvm_inject_release(struct vsvm_fault_inject *inject);
void vsvm_inject_hold(struct vsvm_device *vdev);
void vsvm_inject_park_delay(struct vsvm_device *vdev, const char *what);

/**
 * vsvm_inject() - consume one injected event, if any is left
 * @vdev: the device
 * @count: one of the counts of @vdev's &struct vsvm_fault_inject
 * @what: the event, for the debugfs log
 *
 * Context: any; does not sleep.
 * Return: true if the caller must inject the event.
 */
static inline bool vsvm_inject(struct vsvm_device *vdev, atomic_t *count, const char *what)
{
	if (likely(!atomic_read(count)) || atomic_dec_if_positive(count) < 0)
		return false;
	vsvm_inject_hit(vdev, what);
	return true;
}

#endif /* __VSVM_INJECT_H__ */
