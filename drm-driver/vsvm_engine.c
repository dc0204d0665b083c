// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */

#include <linux/fpu.h>
#include <linux/kcov.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "vsvm_drv.h"
#include "vsvm_engine.h"
#include "vsvm_exec.h"
#include "vsvm_interp.h"
#include "vsvm_params.h"
#include "vsvm_vm.h"

/**
 * DOC: Shader engine
 *
 * The engine is the device's "hardware". Each compute unit is a kernel
 * thread that takes one workgroup at a time from the active jobs and runs
 * all of its waves to completion, switching between them cooperatively at
 * barriers.
 *
 * A wave runs in batches of at most %VSVM_BATCH instructions. A batch is
 * the only place where floating point is used and where the compute unit's
 * TLB lock is held: it starts with kernel_fpu_begin() and the lock, and ends
 * with both dropped. Everything that may sleep (servicing a GPU page fault,
 * growing buffers, rescheduling, checking the watchdog) happens between
 * batches. Bounding the batch bounds how long a TLB shootdown spins.
 *
 * Every job stops when told: the watchdog and cancellation
 * (vsvm_job_should_stop()) are checked, and the compute unit yields, at
 * every scheduling point: after each batch, at each barrier round of a
 * workgroup, and before each workgroup is run. A shader that only ever
 * reaches barriers, or a grid of 2^64 empty workgroups, ends TIMEOUT or
 * CANCELED like a long batch does.
 *
 * A GPU page fault stops the batch before the faulting instruction
 * retires. The compute unit asks the VM to service the fault and runs the
 * wave again; an unrecoverable fault fails the job and the rest of its
 * workgroups are skipped.
 */

#define VSVM_BATCH	1024

/*
 * A batch takes &vsvm_tlb.lock inside kernel_fpu_begin(), which disables
 * preemption, and a spinlock_t sleeps on PREEMPT_RT. This stands for the
 * "depends on !PREEMPT_RT" a Kconfig entry would carry.
 */
#ifdef CONFIG_PREEMPT_RT
#error "vsvm takes a spinlock_t inside kernel_fpu_begin(): PREEMPT_RT is not supported"
#endif

static bool engine_has_work(struct vsvm_engine *engine)
{
	bool ret;

	spin_lock(&engine->lock);
	ret = !list_empty(&engine->active);
	spin_unlock(&engine->lock);
	return ret;
}

/*
 * Claim the next workgroup of the first active job, rotating jobs so that
 * concurrent jobs share the compute units. A failed job gives up all its
 * remaining workgroups at once; *count says how many were claimed and
 * *run whether the one claimed should run.
 */
static struct vsvm_job *claim(struct vsvm_engine *engine, u64 *wg, u64 *count, bool *run)
{
	struct vsvm_job *job;

	spin_lock(&engine->lock);
	job = list_first_entry_or_null(&engine->active, struct vsvm_job, engine_link);
	if (job) {
		*wg = job->next_wg;
		*run = !atomic_read(&job->failed);
		*count = *run ? 1 : job->total_wgs - job->next_wg;
		job->next_wg += *count;
		if (job->next_wg == job->total_wgs)
			list_del_init(&job->engine_link);
		else
			list_move_tail(&job->engine_link, &engine->active);
	}
	spin_unlock(&engine->lock);
	return job;
}

static int cu_reserve(struct vsvm_cu *cu, const struct vsvm_job *job)
{
	size_t regs = (size_t)job->prog->n_regs * VSVM_WAVE_WIDTH * sizeof(u64) *
		      DIV_ROUND_UP(job->wg_lanes, VSVM_WAVE_WIDTH);
	size_t scratch = (size_t)job->args.scratch_size * job->wg_lanes;

	if (regs > cu->regs_size) {
		kvfree(cu->regs);
		cu->regs_size = 0;
		cu->regs = kvmalloc(regs, GFP_KERNEL);
		if (!cu->regs)
			return -ENOMEM;
		cu->regs_size = regs;
	}
	if (scratch > cu->scratch_size) {
		kvfree(cu->scratch);
		cu->scratch_size = 0;
		cu->scratch = kvmalloc(scratch, GFP_KERNEL);
		if (!cu->scratch)
			return -ENOMEM;
		cu->scratch_size = scratch;
	}
	/* Nothing of an earlier workgroup, maybe another process's, may leak in. */
	memset(cu->regs, 0, regs);
	if (scratch)
		memset(cu->scratch, 0, scratch);
	memset(cu->shared, 0, job->args.shared_size);
	return 0;
}

/* Runs one wave until it reaches a barrier or ends. */
static int run_wave(struct vsvm_cu *cu, struct vsvm_job *job,
		    struct vsvm_interp_ctx *ctx, struct vsvm_wave *w)
{
	struct vsvm_device *vdev = cu->engine->vdev;
	enum vsvm_stop stop;
	u32 status;
	int ret;

	for (;;) {
		vsvm_tlb_wait_yield(&cu->tlb);
		kernel_fpu_begin();
		spin_lock(&cu->tlb.lock);
		stop = vsvm_interp_run(ctx, w, VSVM_BATCH);
		spin_unlock(&cu->tlb.lock);
		kernel_fpu_end();

		switch (stop) {
		case VSVM_STOP_BARRIER:
		case VSVM_STOP_DONE:
			return 0;
		case VSVM_STOP_ERROR:
			vsvm_job_fail(job, ctx->status, ctx->fault_access,
				      ctx->fault_addr, ctx->fault_pc, ctx->info);
			return -EIO;
		case VSVM_STOP_FAULT:
			vsvm_stat_inc(vdev, VSVM_STAT_FAULTS);
			ret = vsvm_vm_handle_fault(job->vm, job->mm, ctx->fault_addr,
						   ctx->fault_access, &status);
			if (ret) {
				vsvm_stat_inc(vdev, VSVM_STAT_FAULTS_FATAL);
				/*
				 * A canceled job's bindings may go before it
				 * stops: its fault then says CANCELED, not
				 * that the memory was gone.
				 */
				if (!vsvm_job_should_stop(job))
					vsvm_job_fail(job, status, ctx->fault_access,
						      ctx->fault_addr, ctx->fault_pc, 0);
				return ret;
			}
			break;
		case VSVM_STOP_BUDGET:
			break;
		}
		if (vsvm_job_should_stop(job))
			return -ECANCELED;
		cond_resched();
	}
}

static void run_workgroup(struct vsvm_cu *cu, struct vsvm_job *job, u64 wg)
{
	const struct drm_vsvm_exec *a = &job->args;
	u32 n_waves = DIV_ROUND_UP(job->wg_lanes, VSVM_WAVE_WIDTH);
	u32 stride = job->prog->n_regs * VSVM_WAVE_WIDTH;
	struct vsvm_interp_ctx ctx = {
		.prog = job->prog,
		.mmu = &job->vm->mmu,
		.tlb = &cu->tlb,
		.yield = &cu->tlb.yield,
		.args_va = a->args_addr,
		.args_size = a->args_size,
		.shared = cu->shared,
		.shared_size = a->shared_size,
		.scratch = cu->scratch,
		.scratch_size = a->scratch_size,
	};
	struct vsvm_wave *waves = cu->waves;
	u32 i, at_barrier;

	if (cu_reserve(cu, job)) {
		vsvm_job_fail(job, DRM_VSVM_STATUS_NOMEM, 0, 0, 0, 0);
		return;
	}
	vsvm_tlb_switch(&cu->tlb, ctx.mmu);
	ctx.scratch = cu->scratch;
	memcpy(ctx.grid, a->grid, sizeof(ctx.grid));
	memcpy(ctx.wg_size, a->wg_size, sizeof(ctx.wg_size));
	ctx.wg_id[0] = wg % a->grid[0];
	ctx.wg_id[1] = (wg / a->grid[0]) % a->grid[1];
	ctx.wg_id[2] = wg / ((u64)a->grid[0] * a->grid[1]);

	for (i = 0; i < n_waves; i++) {
		u32 lanes = min_t(u32, VSVM_WAVE_WIDTH, job->wg_lanes - i * VSVM_WAVE_WIDTH);

		vsvm_wave_init(&waves[i], i, lanes == 32 ? ~0u : (1u << lanes) - 1,
			       cu->regs + (size_t)i * stride, job->prog->n_regs);
	}

	do {
		at_barrier = 0;
		for (i = 0; i < n_waves; i++) {
			if (waves[i].state == VSVM_WAVE_RUNNING &&
			    run_wave(cu, job, &ctx, &waves[i]))
				goto out;
		}
		/* Every wave is done or waiting: release the barrier. */
		for (i = 0; i < n_waves; i++) {
			if (waves[i].state == VSVM_WAVE_BARRIER) {
				waves[i].state = VSVM_WAVE_RUNNING;
				at_barrier++;
			}
		}
		/* A barrier in a loop may never end a batch: check here too. */
		if (at_barrier) {
			if (vsvm_job_should_stop(job))
				goto out;
			cond_resched();
		}
	} while (at_barrier);
out:
	atomic64_add(ctx.insns, &job->insns);
	vsvm_stat_add(cu->engine->vdev, VSVM_STAT_INSNS, ctx.insns);
}

/* Under the engine lock, so debugfs never sees a job that may have ended. */
static void set_current_job(struct vsvm_cu *cu, struct vsvm_job *job)
{
	spin_lock(&cu->engine->lock);
	cu->job = job;
	if (job)
		cu->wgs++;
	spin_unlock(&cu->engine->lock);
}

static int cu_thread(void *data)
{
	struct vsvm_cu *cu = data;
	struct vsvm_engine *engine = cu->engine;

	while (!kthread_should_stop()) {
		struct vsvm_job *job;
		u64 wg, count;
		bool run;

		job = claim(engine, &wg, &count, &run);
		if (!job) {
			wait_event_interruptible(engine->wq, engine_has_work(engine) ||
						 kthread_should_stop());
			continue;
		}
		/*
		 * The workgroup's coverage, faults included, goes to the
		 * submitter's KCOV remote handle if it has one.
		 */
		kcov_remote_start_common(job->kcov_handle);
		/*
		 * Empty workgroups never reach a batch boundary: the watchdog
		 * runs per workgroup, and a job it stops gives up the rest of
		 * its grid at the next claim.
		 */
		if (run && !vsvm_job_should_stop(job)) {
			set_current_job(cu, job);
			run_workgroup(cu, job, wg);
			set_current_job(cu, NULL);
		}
		if (atomic64_sub_and_test(count, &job->wgs_left))
			vsvm_job_finish(job);
		kcov_remote_stop();
		cond_resched();
	}
	return 0;
}

/**
 * vsvm_engine_submit() - start a job
 * @engine: the engine
 * @job: a job with at least one workgroup
 *
 * Context: the scheduler's run_job; does not sleep.
 */
void vsvm_engine_submit(struct vsvm_engine *engine, struct vsvm_job *job)
{
	job->deadline = jiffies + msecs_to_jiffies(READ_ONCE(vsvm_job_timeout_ms));
	job->next_wg = 0;
	atomic64_set(&job->wgs_left, job->total_wgs);
	spin_lock(&engine->lock);
	list_add_tail(&job->engine_link, &engine->active);
	spin_unlock(&engine->lock);
	wake_up_all(&engine->wq);
}

/**
 * vsvm_engine_init() - start the compute units
 * @engine: the engine
 * @vdev: the device
 * @n_cus: compute units; 0 means one per online CPU
 *
 * Return: 0 or a negative errno.
 */
int vsvm_engine_init(struct vsvm_engine *engine, struct vsvm_device *vdev, u32 n_cus)
{
	u32 i;
	int ret;

	engine->vdev = vdev;
	spin_lock_init(&engine->lock);
	INIT_LIST_HEAD(&engine->active);
	init_waitqueue_head(&engine->wq);
	engine->n_cus = n_cus ? n_cus : num_online_cpus();
	engine->cus = kcalloc(engine->n_cus, sizeof(*engine->cus), GFP_KERNEL);
	if (!engine->cus)
		return -ENOMEM;

	for (i = 0; i < engine->n_cus; i++) {
		struct vsvm_cu *cu = &engine->cus[i];

		cu->engine = engine;
		cu->id = i;
		vsvm_tlb_init(&cu->tlb);
		cu->shared = kvzalloc(VSVM_MAX_SHARED_SIZE, GFP_KERNEL);
		cu->waves = kvcalloc(VSVM_MAX_WG_SIZE / VSVM_WAVE_WIDTH,
				     sizeof(*cu->waves), GFP_KERNEL);
		if (!cu->shared || !cu->waves) {
			ret = -ENOMEM;
			goto err;
		}
		cu->thread = kthread_run(cu_thread, cu, "vsvm-cu%u", i);
		if (IS_ERR(cu->thread)) {
			ret = PTR_ERR(cu->thread);
			cu->thread = NULL;
			goto err;
		}
	}
	return 0;
err:
	vsvm_engine_fini(engine);
	return ret;
}

/**
 * vsvm_engine_fini() - stop the compute units
 * @engine: the engine; no job may be active
 */
void vsvm_engine_fini(struct vsvm_engine *engine)
{
	u32 i;

	for (i = 0; i < engine->n_cus; i++) {
		struct vsvm_cu *cu = &engine->cus[i];

		if (cu->thread)
			kthread_stop(cu->thread);
		kvfree(cu->regs);
		kvfree(cu->scratch);
		kvfree(cu->shared);
		kvfree(cu->waves);
	}
	kfree(engine->cus);
	engine->cus = NULL;
	engine->n_cus = 0;
}

/**
 * vsvm_engine_show() - debugfs: compute units and active jobs
 * @engine: the engine
 * @m: the file
 */
void vsvm_engine_show(struct vsvm_engine *engine, struct seq_file *m)
{
	struct vsvm_job *job;
	u32 i;

	seq_printf(m, "compute units: %u, wave width %u\n", engine->n_cus, VSVM_WAVE_WIDTH);
	spin_lock(&engine->lock);
	for (i = 0; i < engine->n_cus; i++) {
		struct vsvm_cu *cu = &engine->cus[i];
		struct vsvm_job *cur = cu->job;

		seq_printf(m, "cu%u: workgroups %llu, %s", i, cu->wgs, cur ? "running" : "idle");
		if (cur)
			seq_printf(m, " queue %u job %llu", cur->queue->id, cur->seqno);
		seq_puts(m, "\n");
	}
	list_for_each_entry(job, &engine->active, engine_link)
		seq_printf(m, "active: queue %u job %llu workgroups %llu/%llu left %llu\n",
			   job->queue->id, job->seqno, job->next_wg, job->total_wgs,
			   (u64)atomic64_read(&job->wgs_left));
	spin_unlock(&engine->lock);
}
