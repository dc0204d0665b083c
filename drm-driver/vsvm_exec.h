/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Copyright 2026 The vsvm authors */

#ifndef __VSVM_EXEC_H__
#define __VSVM_EXEC_H__

#include <linux/dma-fence.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

#include <drm/gpu_scheduler.h>

#include "include/uapi/drm/vsvm_drm.h"

struct drm_device;
struct drm_file;
struct mm_struct;
struct seq_file;
struct vsvm_device;
struct vsvm_file;
struct vsvm_prog;
struct vsvm_ufence_timeline;
struct vsvm_vm;

#define VSVM_QUEUE_RESULTS	256

/**
 * struct vsvm_job_result - how a job ended, kept for DRM_IOCTL_VSVM_WAIT
 */
struct vsvm_job_result {
	/** @seqno: the job, or 0 for an empty slot. */
	u64 seqno;
	/** @fence: the job's finished fence; a reference. */
	struct dma_fence *fence;
	/** @done: the fields below are final. */
	bool done;
	/** @status: enum drm_vsvm_status. */
	u32 status;
	/** @fault_access: DRM_VSVM_ACCESS_*. */
	u32 fault_access;
	/** @fault_addr: address of the failing access. */
	u64 fault_addr;
	/** @fault_pc: byte offset of the failing instruction. */
	u32 fault_pc;
	/** @info: trap code. */
	u32 info;
};

/**
 * struct vsvm_queue - an ordered stream of jobs on one VM
 */
struct vsvm_queue {
	/** @refcount: the file's reference and one per job. */
	struct kref refcount;
	/** @vdev: the device. */
	struct vsvm_device *vdev;
	/** @vm: the VM jobs run in; a reference. */
	struct vsvm_vm *vm;
	/** @id: id in the file's queue xarray. */
	u32 id;
	/** @entity: the queue's scheduler entity. */
	struct drm_sched_entity entity;
	/** @fence_context: context of the jobs' hardware fences. */
	u64 fence_context;
	/** @ufences: stores the jobs' user fences in order; a reference. */
	struct vsvm_ufence_timeline *ufences;
	/**
	 * @submit_lock: serialises submissions: protects @next_seqno and
	 * @last_fence, and keeps arm and push in seqno order. Destroy sets
	 * @canceled under it, before the entity is flushed and killed.
	 */
	struct mutex submit_lock;
	/** @next_seqno: seqno of the next job, from 1. */
	u64 next_seqno;
	/** @last_fence: hardware fence of the last job, which the next one waits for. */
	struct dma_fence *last_fence;
	/**
	 * @canceled: set once by destroy, under @submit_lock; EXEC tests it
	 * there before it pushes, so no job reaches a killed entity. Jobs
	 * that see it end as CANCELED; they read it locklessly.
	 */
	bool canceled;
	/** @result_lock: protects @results; never held across sleeping. */
	spinlock_t result_lock;
	/** @results: the last jobs, in slot seqno % VSVM_QUEUE_RESULTS. */
	struct vsvm_job_result results[VSVM_QUEUE_RESULTS];
};

/**
 * struct vsvm_job - one dispatch
 */
struct vsvm_job {
	/** @base: the scheduler's job. */
	struct drm_sched_job base;
	/** @queue: the queue; a reference. */
	struct vsvm_queue *queue;
	/** @vm: the queue's VM; a reference. */
	struct vsvm_vm *vm;
	/**
	 * @mm: the submitter's address space, compared and never
	 * dereferenced: the job's faults in mirrors and userptrs are serviced
	 * only when it is the VM owner's (vsvm_vm_handle_fault()).
	 */
	struct mm_struct *mm;
	/** @prog: the validated code. */
	struct vsvm_prog *prog;
	/** @seqno: number in the queue. */
	u64 seqno;
	/** @args: the EXEC arguments. */
	struct drm_vsvm_exec args;
	/** @wg_lanes: lanes per workgroup, 1 to %VSVM_MAX_WG_SIZE (checked at EXEC). */
	u32 wg_lanes;
	/** @total_wgs: workgroups in the grid. */
	u64 total_wgs;
	/** @engine_link: in &vsvm_engine.active, under its lock. */
	struct list_head engine_link;
	/** @next_wg: next workgroup to hand out, under &vsvm_engine.lock. */
	u64 next_wg;
	/**
	 * @inflight: workgroups handed out and not ended, running or parked
	 * on a fault, under &vsvm_engine.lock; at most &vsvm_engine.n_cus,
	 * which bounds the contexts a job's faults keep.
	 */
	u32 inflight;
	/** @parked: workgroups whose fault is with the fault worker, likewise. */
	u32 parked;
	/**
	 * @watchdog: armed while a workgroup is parked: ends the job at its
	 * deadline, or when its queue is canceled, whatever its faults do
	 * (vsvm_engine_watchdog()).
	 */
	struct delayed_work watchdog;
	/**
	 * @wgs_left: workgroups not finished; the last one ends the job. A
	 * u64 count (a grid may exceed 2^63), read back as one.
	 */
	atomic64_t wgs_left;
	/** @deadline: jiffies after which the job fails with TIMEOUT. */
	unsigned long deadline;
	/** @hw_fence: signalled by the engine when the job ends. */
	struct dma_fence *hw_fence;
	/** @failed: set by the first failure; others then stop early. */
	atomic_t failed;
	/** @result: the outcome, written by the first failure or at the end. */
	struct vsvm_job_result result;
	/** @insns: instructions executed, summed over waves. */
	atomic64_t insns;
	/**
	 * @kcov_handle: the submitter's KCOV remote handle, under which the
	 * scheduler's run_job and free_job and the compute units collect
	 * coverage of the job for a fuzzer (tools/vsvm-fuzz); zero when the
	 * submitter collects none.
	 */
	u64 kcov_handle;
};

static inline struct vsvm_job *to_vsvm_job(struct drm_sched_job *job)
{
	return container_of(job, struct vsvm_job, base);
}

int vsvm_exec_init(struct vsvm_device *vdev);
void vsvm_exec_fini(struct vsvm_device *vdev);
int vsvm_status_errno(u32 status);
void vsvm_job_fail(struct vsvm_job *job, u32 status, u32 access, u64 addr, u32 pc, u32 info);
void vsvm_job_finish(struct vsvm_job *job);
bool vsvm_job_should_stop(struct vsvm_job *job);
void vsvm_queue_destroy_all(struct vsvm_file *vfile);
void vsvm_queues_show(struct vsvm_file *vfile, struct seq_file *m);

int vsvm_ioctl_queue_create(struct drm_device *drm, void *data, struct drm_file *file);
int vsvm_ioctl_queue_destroy(struct drm_device *drm, void *data, struct drm_file *file);
int vsvm_ioctl_exec(struct drm_device *drm, void *data, struct drm_file *file);
int vsvm_ioctl_wait(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* __VSVM_EXEC_H__ */
