/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Copyright 2026 The vsvm authors */

#ifndef __VSVM_ENGINE_H__
#define __VSVM_ENGINE_H__

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "vsvm_mmu.h"

struct task_struct;
struct vsvm_device;
struct vsvm_job;
struct vsvm_queue;
struct vsvm_wg;
struct work_struct;

/**
 * struct vsvm_cu - a compute unit: one kernel thread running workgroups
 */
struct vsvm_cu {
	/** @engine: the engine. */
	struct vsvm_engine *engine;
	/** @id: index in &vsvm_engine.cus. */
	u32 id;
	/** @thread: the worker. */
	struct task_struct *thread;
	/** @tlb: the TLB; see struct vsvm_tlb for the shootdown protocol. */
	struct vsvm_tlb tlb;
	/**
	 * @spare: a workgroup context for the next new workgroup, or NULL;
	 * owned by @thread. A workgroup parked on a fault takes its context
	 * away with it.
	 */
	struct vsvm_wg *spare;
	/** @job: job of the workgroup running now, for debugfs; under &vsvm_engine.lock. */
	struct vsvm_job *job;
	/** @wgs: workgroups run, under &vsvm_engine.lock. */
	u64 wgs;
};

/**
 * struct vsvm_engine - the shader engine
 *
 * The scheduler hands jobs to the engine; compute units take workgroups
 * from the active jobs round-robin until every workgroup of a job has run.
 */
struct vsvm_engine {
	/** @vdev: the device. */
	struct vsvm_device *vdev;
	/** @n_cus: compute units. */
	u32 n_cus;
	/** @cus: the compute units. */
	struct vsvm_cu *cus;
	/**
	 * @lock: protects @active and the dispatch state of the jobs on it
	 * (&vsvm_job.next_wg, .inflight, .parked), &vsvm_cu.job, @parked,
	 * @ready, @pool and the state of the workgroup contexts on them. A
	 * spinlock taken by compute units, the scheduler's run_job, the fault
	 * worker and job watchdogs; nothing is taken inside it but the
	 * workqueue's own locks (arming a watchdog).
	 */
	spinlock_t lock;
	/** @active: jobs with workgroups not yet handed out. */
	struct list_head active;
	/**
	 * @parked: workgroups whose fault is with the fault worker, and those
	 * abandoned there by a job that ended meanwhile.
	 */
	struct list_head parked;
	/** @ready: workgroups whose fault is serviced, to resume first. */
	struct list_head ready;
	/** @pool: spare workgroup contexts, at most @n_cus. */
	struct list_head pool;
	/** @n_pool: contexts on @pool. */
	u32 n_pool;
	/** @wq: compute units wait here for work. */
	wait_queue_head_t wq;
};

int vsvm_engine_init(struct vsvm_engine *engine, struct vsvm_device *vdev, u32 n_cus);
void vsvm_engine_fini(struct vsvm_engine *engine);
void vsvm_engine_submit(struct vsvm_engine *engine, struct vsvm_job *job);
void vsvm_engine_watchdog(struct work_struct *work);
void vsvm_engine_cancel(struct vsvm_engine *engine, struct vsvm_queue *q);
struct seq_file;
void vsvm_engine_tlb_counts(struct vsvm_engine *engine, u64 *walks, u64 *fills_2m);
void vsvm_engine_show(struct vsvm_engine *engine, struct seq_file *m);

#endif /* __VSVM_ENGINE_H__ */
