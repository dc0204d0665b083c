// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */

#include <linux/fpu.h>
#include <linux/kcov.h>
#include <linux/kthread.h>
#include <linux/memcontrol.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "vsvm_drv.h"
#include "vsvm_engine.h"
#include "vsvm_exec.h"
#include "vsvm_fault.h"
#include "vsvm_inject.h"
#include "vsvm_interp.h"
#include "vsvm_params.h"
#include "vsvm_simd.h"
#include "vsvm_vm.h"

/**
 * DOC: Shader engine
 *
 * The engine is the device's "hardware". Each compute unit is a kernel
 * thread that takes one workgroup at a time from the active jobs and runs
 * its waves, switching between them cooperatively at barriers.
 *
 * A wave runs in batches of at most %VSVM_BATCH instructions. A batch is
 * the only place where floating point is used and where the compute unit's
 * TLB lock is held: it starts with kernel_fpu_begin() and the lock, and ends
 * with both dropped. Everything that may sleep (growing buffers,
 * rescheduling, checking the watchdog) happens between batches. Bounding
 * the batch bounds how long a TLB shootdown spins.
 *
 * Every job stops when told: the watchdog and cancellation
 * (vsvm_job_should_stop()) are checked, and the compute unit yields, at
 * every scheduling point: after each batch, at each barrier round of a
 * workgroup, and before each workgroup is run. A shader that only ever
 * reaches barriers, or a grid of 2^64 empty workgroups, ends TIMEOUT or
 * CANCELED like a long batch does.
 *
 * A GPU page fault stops the batch before the faulting instruction
 * retires. Unless another fault mapped the address meanwhile, the compute
 * unit parks the workgroup: its state (registers, scratch, shared memory,
 * waves) lives in a workgroup context (&struct vsvm_wg) that leaves the
 * compute unit with the fault, raised to the fault queue ("Fault queue").
 * The compute unit goes on with other workgroups and other jobs, and never
 * sleeps on a fault. Once the fault is serviced, the workgroup waits on
 * the ready list, which compute units serve before new workgroups, and
 * resumes on whichever takes it at the faulting instruction; an
 * unrecoverable fault fails the job and the rest of its workgroups are
 * skipped.
 *
 * A job has at most one workgroup per compute unit handed out, running or
 * parked (&vsvm_job.inflight), which bounds the contexts its faults keep;
 * a compute unit keeps one spare context and the engine %n_cus more, and
 * contexts are charged to the memory cgroup of the VM owner whose job
 * needed them.
 *
 * While a workgroup is parked, no compute unit watches its job, so the
 * job's watchdog (vsvm_engine_watchdog(), a delayed work armed at the
 * first park) does: at the deadline, or at once when the queue is
 * canceled, it fails the job, abandons its parked workgroups to the fault
 * worker, gives up its unclaimed ones and ends the job, without waiting
 * for any fault. The worker frees an abandoned context when its fault
 * returns.
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

/**
 * enum vsvm_wg_state - where a workgroup context is
 */
enum vsvm_wg_state {
	/** @VSVM_WG_IDLE: spare, on a compute unit or &vsvm_engine.pool. */
	VSVM_WG_IDLE,
	/** @VSVM_WG_RUNNING: on a compute unit. */
	VSVM_WG_RUNNING,
	/** @VSVM_WG_FAULTING: on &vsvm_engine.parked, its fault with the worker. */
	VSVM_WG_FAULTING,
	/** @VSVM_WG_READY: on &vsvm_engine.ready, its fault serviced. */
	VSVM_WG_READY,
	/**
	 * @VSVM_WG_ABANDONED: on &vsvm_engine.parked, its job gone; freed
	 * when the worker returns its fault.
	 */
	VSVM_WG_ABANDONED,
};

/**
 * struct vsvm_wg - a workgroup's state, apart from any compute unit
 */
struct vsvm_wg {
	/** @engine: the engine. */
	struct vsvm_engine *engine;
	/** @link: on &vsvm_engine.parked, .ready or .pool, under its lock. */
	struct list_head link;
	/** @state: enum vsvm_wg_state, under &vsvm_engine.lock. */
	enum vsvm_wg_state state;
	/** @job: the job, while RUNNING, FAULTING or READY. */
	struct vsvm_job *job;
	/** @id: linear workgroup index in the grid. */
	u64 id;
	/** @n_waves: waves in @waves. */
	u32 n_waves;
	/** @next_wave: the wave the barrier round resumes at. */
	u32 next_wave;
	/** @ctx: what the waves run against; @ctx.tlb is the running CU's. */
	struct vsvm_interp_ctx ctx;
	/** @regs: register file. */
	u32 *regs;
	/** @regs_size: bytes at @regs. */
	size_t regs_size;
	/** @scratch: scratch memory. */
	u8 *scratch;
	/** @scratch_size: bytes at @scratch. */
	size_t scratch_size;
	/** @shared: shared memory, %VSVM_MAX_SHARED_SIZE bytes. */
	u8 *shared;
	/** @waves: wave states. */
	struct vsvm_wave *waves;
	/** @fault: the fault the workgroup is parked on. */
	struct vsvm_fault fault;
};

static void wg_fault_done(struct vsvm_fault *fault);

static void wg_free(struct vsvm_wg *wg)
{
	kvfree(wg->regs);
	kvfree(wg->scratch);
	kvfree(wg->shared);
	kvfree(wg->waves);
	kfree(wg);
}

/* Charged to the current memory cgroup: see wg_get(). */
static struct vsvm_wg *wg_alloc(struct vsvm_engine *engine)
{
	struct vsvm_wg *wg = kzalloc(sizeof(*wg), GFP_KERNEL_ACCOUNT);

	if (!wg)
		return NULL;
	wg->engine = engine;
	INIT_LIST_HEAD(&wg->link);
	wg->fault.done = wg_fault_done;
	wg->shared = kvzalloc(VSVM_MAX_SHARED_SIZE, GFP_KERNEL_ACCOUNT);
	wg->waves = kvcalloc(VSVM_MAX_WG_SIZE / VSVM_WAVE_WIDTH, sizeof(*wg->waves),
			     GFP_KERNEL_ACCOUNT);
	if (!wg->shared || !wg->waves) {
		wg_free(wg);
		return NULL;
	}
	return wg;
}

/*
 * A context for a new workgroup of @job: the compute unit's spare, one of
 * the pool, or a new one charged to @job's VM owner, whose faults took the
 * others away.
 */
static struct vsvm_wg *wg_get(struct vsvm_cu *cu, struct vsvm_job *job)
{
	struct vsvm_engine *engine = cu->engine;
	struct vsvm_wg *wg = cu->spare;
	struct mem_cgroup *memcg;

	if (wg) {
		cu->spare = NULL;
		return wg;
	}
	spin_lock(&engine->lock);
	wg = list_first_entry_or_null(&engine->pool, struct vsvm_wg, link);
	if (wg) {
		list_del_init(&wg->link);
		engine->n_pool--;
	}
	spin_unlock(&engine->lock);
	if (wg)
		return wg;
	memcg = set_active_memcg(job->vm->memcg);
	wg = wg_alloc(engine);
	set_active_memcg(memcg);
	return wg;
}

/* Keep a context that ended: as @cu's spare, in the pool, or not at all. */
static void wg_put(struct vsvm_engine *engine, struct vsvm_cu *cu, struct vsvm_wg *wg)
{
	wg->job = NULL;
	wg->state = VSVM_WG_IDLE;
	if (cu && !cu->spare) {
		cu->spare = wg;
		return;
	}
	spin_lock(&engine->lock);
	if (engine->n_pool < engine->n_cus) {
		list_add(&wg->link, &engine->pool);
		engine->n_pool++;
		wg = NULL;
	}
	spin_unlock(&engine->lock);
	if (wg)
		wg_free(wg);
}

static int wg_reserve(struct vsvm_wg *wg, const struct vsvm_job *job)
{
	size_t regs = (size_t)job->prog->n_regs * VSVM_REG_WORDS * sizeof(u32) *
		      DIV_ROUND_UP(job->wg_lanes, VSVM_WAVE_WIDTH);
	size_t scratch = (size_t)job->args.scratch_size * job->wg_lanes;
	struct mem_cgroup *memcg = set_active_memcg(job->vm->memcg);
	int ret = -ENOMEM;

	if (regs > wg->regs_size) {
		kvfree(wg->regs);
		wg->regs_size = 0;
		wg->regs = kvmalloc(regs, GFP_KERNEL_ACCOUNT);
		if (!wg->regs)
			goto out;
		wg->regs_size = regs;
	}
	if (scratch > wg->scratch_size) {
		kvfree(wg->scratch);
		wg->scratch_size = 0;
		wg->scratch = kvmalloc(scratch, GFP_KERNEL_ACCOUNT);
		if (!wg->scratch)
			goto out;
		wg->scratch_size = scratch;
	}
	/*
	 * Nothing of an earlier workgroup, maybe another process's, may leak
	 * in. Registers are zeroed by vsvm_wave_init() in wg_start(), once.
	 */
	if (scratch)
		memset(wg->scratch, 0, scratch);
	memset(wg->shared, 0, job->args.shared_size);
	ret = 0;
out:
	set_active_memcg(memcg);
	return ret;
}

/* Set @wg up to run workgroup @id of @job from its start. */
static void wg_start(struct vsvm_wg *wg, struct vsvm_job *job, u64 id)
{
	const struct drm_vsvm_exec *a = &job->args;
	u32 stride = job->prog->n_regs * VSVM_REG_WORDS;
	u32 i;

	wg->job = job;
	wg->id = id;
	wg->state = VSVM_WG_RUNNING;
	wg->n_waves = DIV_ROUND_UP(job->wg_lanes, VSVM_WAVE_WIDTH);
	wg->next_wave = 0;
	wg->ctx = (struct vsvm_interp_ctx) {
		.prog = job->prog,
		.mmu = &job->vm->mmu,
		.args_va = a->args_addr,
		.args_size = a->args_size,
		.shared = wg->shared,
		.shared_size = a->shared_size,
		.scratch = wg->scratch,
		.scratch_size = a->scratch_size,
	};
	memcpy(wg->ctx.grid, a->grid, sizeof(wg->ctx.grid));
	memcpy(wg->ctx.wg_size, a->wg_size, sizeof(wg->ctx.wg_size));
	wg->ctx.wg_id[0] = id % a->grid[0];
	wg->ctx.wg_id[1] = (id / a->grid[0]) % a->grid[1];
	wg->ctx.wg_id[2] = id / ((u64)a->grid[0] * a->grid[1]);

	for (i = 0; i < wg->n_waves; i++) {
		u32 lanes = min_t(u32, VSVM_WAVE_WIDTH, job->wg_lanes - i * VSVM_WAVE_WIDTH);

		vsvm_wave_init(&wg->waves[i], i, lanes == 32 ? ~0u : (1u << lanes) - 1,
			       wg->regs + (size_t)i * stride, job->prog->n_regs);
	}
}

/* May a compute unit hand out a workgroup of @job? */
static bool job_claimable(const struct vsvm_engine *engine, const struct vsvm_job *job)
{
	/* A failed job gives up all that is left at once: always. */
	return atomic_read(&job->failed) || job->inflight < engine->n_cus;
}

static bool engine_has_work(struct vsvm_engine *engine)
{
	struct vsvm_job *job;
	bool ret;

	spin_lock(&engine->lock);
	ret = !list_empty(&engine->ready);
	list_for_each_entry(job, &engine->active, engine_link) {
		if (ret)
			break;
		ret = job_claimable(engine, job);
	}
	spin_unlock(&engine->lock);
	return ret;
}

/*
 * Claim the next workgroup of the first active job that may have one,
 * rotating jobs so that concurrent jobs share the compute units. A failed
 * job gives up all its remaining workgroups at once; *count says how many
 * were claimed and *run whether the one claimed should run.
 */
static struct vsvm_job *claim(struct vsvm_engine *engine, u64 *wg, u64 *count, bool *run)
{
	struct vsvm_job *job, *found = NULL;

	spin_lock(&engine->lock);
	list_for_each_entry(job, &engine->active, engine_link) {
		if (job_claimable(engine, job)) {
			found = job;
			break;
		}
	}
	job = found;
	if (job) {
		*wg = job->next_wg;
		*run = !atomic_read(&job->failed);
		*count = *run ? 1 : job->total_wgs - job->next_wg;
		job->next_wg += *count;
		job->inflight += *run;
		if (job->next_wg == job->total_wgs)
			list_del_init(&job->engine_link);
		else
			list_move_tail(&job->engine_link, &engine->active);
	}
	spin_unlock(&engine->lock);
	return job;
}

/* @count workgroups of @job ended; @inflight: one that was handed out. */
static void job_wgs_end(struct vsvm_engine *engine, struct vsvm_job *job, u64 count,
			bool inflight)
{
	bool wake = false;

	if (inflight) {
		spin_lock(&engine->lock);
		wake = job->inflight-- == engine->n_cus && !list_empty(&job->engine_link);
		spin_unlock(&engine->lock);
	}
	/* The job may have more workgroups than this compute unit alone should run. */
	if (wake)
		wake_up_all(&engine->wq);
	if (atomic64_sub_and_test(count, &job->wgs_left))
		vsvm_job_finish(job);
}

/*
 * Runs one wave until it reaches a barrier or ends. Return: 0, -EAGAIN
 * when the wave faulted and the workgroup must park, or another negative
 * errno when the workgroup must end.
 */
static int run_wave(struct vsvm_cu *cu, struct vsvm_wg *wg, struct vsvm_wave *w)
{
	struct vsvm_device *vdev = cu->engine->vdev;
	struct vsvm_interp_ctx *ctx = &wg->ctx;
	struct vsvm_job *job = wg->job;
	enum vsvm_stop stop;
	bool write;

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
			write = ctx->fault_access &
				(DRM_VSVM_ACCESS_WRITE | DRM_VSVM_ACCESS_ATOMIC);
			/* Another workgroup's fault may have mapped it already. */
			if (!vsvm_vm_mapped_for(job->vm, ctx->fault_addr, write))
				return -EAGAIN;
			break;
		case VSVM_STOP_BUDGET:
			break;
		}
		if (vsvm_job_should_stop(job))
			return -ECANCELED;
		cond_resched();
	}
}

/* Runs @wg until it ends or faults. Return: true when it must park. */
static bool run_workgroup(struct vsvm_cu *cu, struct vsvm_wg *wg)
{
	struct vsvm_wave *waves = wg->waves;
	u32 i, at_barrier;
	int ret;

	wg->ctx.tlb = &cu->tlb;
	wg->ctx.yield = &cu->tlb.yield;
	vsvm_tlb_switch(&cu->tlb, wg->ctx.mmu);

	do {
		at_barrier = 0;
		for (i = wg->next_wave; i < wg->n_waves; i++) {
			if (waves[i].state != VSVM_WAVE_RUNNING)
				continue;
			ret = run_wave(cu, wg, &waves[i]);
			if (ret == -EAGAIN) {
				wg->next_wave = i;
				return true;
			}
			if (ret)
				return false;
		}
		wg->next_wave = 0;
		/* Every wave is done or waiting: release the barrier. */
		for (i = 0; i < wg->n_waves; i++) {
			if (waves[i].state == VSVM_WAVE_BARRIER) {
				waves[i].state = VSVM_WAVE_RUNNING;
				at_barrier++;
			}
		}
		/* A barrier in a loop may never end a batch: check here too. */
		if (at_barrier) {
			if (vsvm_job_should_stop(wg->job))
				return false;
			cond_resched();
		}
	} while (at_barrier);
	return false;
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

static unsigned long watchdog_delay(const struct vsvm_job *job)
{
	long left = (long)(job->deadline - jiffies);

	/* vsvm_job_should_stop() times out strictly after the deadline. */
	return left >= 0 ? left + 1 : 0;
}

/*
 * Hand @wg's fault to the fault worker and let the compute unit go.
 * Return: false when the job is to stop instead.
 */
static bool park(struct vsvm_cu *cu, struct vsvm_wg *wg)
{
	struct vsvm_engine *engine = cu->engine;
	struct vsvm_job *job = wg->job;

	if (vsvm_job_should_stop(job))
		return false;
	/*
	 * The fault's own VM reference, taken while the job still holds
	 * one: once the watchdog can see the workgroup, the job may end and
	 * be freed, and the VM with it, before the fault is raised.
	 */
	drm_gpuvm_get(&job->vm->gpuvm);
	wg->fault.vm = job->vm;
	wg->fault.mm = job->mm;
	wg->fault.addr = wg->ctx.fault_addr;
	wg->fault.access = wg->ctx.fault_access;
	wg->fault.kcov_handle = job->kcov_handle;
	vsvm_inject_park_delay(engine->vdev, "workgroup held off the parked list");

	spin_lock(&engine->lock);
	wg->state = VSVM_WG_FAULTING;
	list_add_tail(&wg->link, &engine->parked);
	job->parked++;
	/*
	 * Armed before the fault leaves, and under the lock, as the job may
	 * end once the watchdog can see the workgroup. A cancel that came
	 * after the check above did not see the workgroup either
	 * (vsvm_engine_cancel() walks the parked list under this lock): the
	 * watchdog must then run at once, not at the deadline it may already
	 * be armed for by an earlier park.
	 */
	if (READ_ONCE(job->queue->canceled))
		mod_delayed_work(system_wq, &job->watchdog, 0);
	else
		queue_delayed_work(system_wq, &job->watchdog, watchdog_delay(job));
	spin_unlock(&engine->lock);

	vsvm_inject_park_delay(engine->vdev, "parked fault held before it is raised");
	vsvm_stat_inc(engine->vdev, VSVM_STAT_FAULTS_RAISED);
	vsvm_fault_raise(engine->vdev, &wg->fault);
	return true;
}

/* The fault worker is done with @fault: resume its workgroup, or free it. */
static void wg_fault_done(struct vsvm_fault *fault)
{
	struct vsvm_wg *wg = container_of(fault, struct vsvm_wg, fault);
	struct vsvm_engine *engine = wg->engine;
	bool abandoned;

	spin_lock(&engine->lock);
	abandoned = wg->state == VSVM_WG_ABANDONED;
	if (abandoned) {
		list_del_init(&wg->link);
	} else {
		wg->state = VSVM_WG_READY;
		wg->job->parked--;
		list_move_tail(&wg->link, &engine->ready);
	}
	spin_unlock(&engine->lock);

	if (abandoned)
		wg_put(engine, NULL, wg);
	else
		wake_up(&engine->wq);
}

/* Runs @wg, RUNNING, until it ends or parks; ends it. */
static void cu_run(struct vsvm_cu *cu, struct vsvm_wg *wg)
{
	struct vsvm_engine *engine = cu->engine;
	struct vsvm_job *job = wg->job;
	bool parked;

	set_current_job(cu, job);
	parked = run_workgroup(cu, wg);
	set_current_job(cu, NULL);
	/* Before parking: the workgroup may run elsewhere as soon as it is. */
	atomic64_add(wg->ctx.insns, &job->insns);
	vsvm_stat_add(engine->vdev, VSVM_STAT_INSNS, wg->ctx.insns);
	wg->ctx.insns = 0;
	if (parked && park(cu, wg))
		return;
	wg_put(engine, cu, wg);
	job_wgs_end(engine, job, 1, true);
}

/* Resume a workgroup whose fault the worker returned. */
static void cu_resume(struct vsvm_cu *cu, struct vsvm_wg *wg)
{
	struct vsvm_interp_ctx *ctx = &wg->ctx;
	struct vsvm_job *job = wg->job;

	if (wg->fault.ret) {
		vsvm_stat_inc(cu->engine->vdev, VSVM_STAT_FAULTS_FATAL);
		/*
		 * A canceled job's bindings may go before it stops: its fault
		 * then says CANCELED, not that the memory was gone.
		 */
		if (!vsvm_job_should_stop(job))
			vsvm_job_fail(job, wg->fault.status, ctx->fault_access,
				      ctx->fault_addr, ctx->fault_pc, 0);
	} else if (!vsvm_job_should_stop(job)) {
		cu_run(cu, wg);
		return;
	}
	wg_put(cu->engine, cu, wg);
	job_wgs_end(cu->engine, job, 1, true);
}

static struct vsvm_wg *take_ready(struct vsvm_engine *engine)
{
	struct vsvm_wg *wg;

	spin_lock(&engine->lock);
	wg = list_first_entry_or_null(&engine->ready, struct vsvm_wg, link);
	if (wg) {
		list_del_init(&wg->link);
		wg->state = VSVM_WG_RUNNING;
	}
	spin_unlock(&engine->lock);
	return wg;
}

static void cu_start(struct vsvm_cu *cu, struct vsvm_job *job, u64 id)
{
	struct vsvm_wg *wg = wg_get(cu, job);

	if (!wg || wg_reserve(wg, job)) {
		vsvm_job_fail(job, DRM_VSVM_STATUS_NOMEM, 0, 0, 0, 0);
		if (wg)
			wg_put(cu->engine, cu, wg);
		job_wgs_end(cu->engine, job, 1, true);
		return;
	}
	wg_start(wg, job, id);
	cu_run(cu, wg);
}

static int cu_thread(void *data)
{
	struct vsvm_cu *cu = data;
	struct vsvm_engine *engine = cu->engine;

	while (!kthread_should_stop()) {
		struct vsvm_job *job;
		struct vsvm_wg *wg;
		u64 id, count;
		bool run;

		/* Workgroups already started come first. */
		wg = take_ready(engine);
		if (wg) {
			kcov_remote_start_common(wg->job->kcov_handle);
			cu_resume(cu, wg);
			kcov_remote_stop();
			cond_resched();
			continue;
		}
		job = claim(engine, &id, &count, &run);
		if (!job) {
			wait_event_interruptible(engine->wq, engine_has_work(engine) ||
						 kthread_should_stop());
			continue;
		}
		/*
		 * The workgroup's coverage goes to the submitter's KCOV
		 * remote handle if it has one; its faults' coverage too, from
		 * the fault worker.
		 */
		kcov_remote_start_common(job->kcov_handle);
		/*
		 * Empty workgroups never reach a batch boundary: the watchdog
		 * runs per workgroup, and a job it stops gives up the rest of
		 * its grid at the next claim.
		 */
		if (run && !vsvm_job_should_stop(job))
			cu_start(cu, job, id);
		else
			job_wgs_end(engine, job, count, run);
		kcov_remote_stop();
		cond_resched();
	}
	return 0;
}

/**
 * vsvm_engine_watchdog() - end a job whose workgroups wait on faults
 * @work: &vsvm_job.watchdog
 *
 * No compute unit watches a job whose workgroups are all parked. Past the
 * deadline, or once the queue is canceled, the job fails (TIMEOUT or
 * CANCELED), its parked workgroups are abandoned to the fault worker, its
 * unclaimed ones given up, and the job ends if nothing else of it runs;
 * no fault is waited for.
 *
 * Context: a workqueue; does not sleep.
 */
void vsvm_engine_watchdog(struct work_struct *work)
{
	struct vsvm_job *job = container_of(to_delayed_work(work), struct vsvm_job, watchdog);
	struct vsvm_engine *engine = &job->queue->vdev->engine;
	struct vsvm_wg *wg;
	u64 n = 0;

	spin_lock(&engine->lock);
	if (!job->parked)
		goto unlock;
	if (!vsvm_job_should_stop(job)) {
		queue_delayed_work(system_wq, &job->watchdog, watchdog_delay(job));
		goto unlock;
	}
	list_for_each_entry(wg, &engine->parked, link) {
		if (wg->state != VSVM_WG_FAULTING || wg->job != job)
			continue;
		wg->state = VSVM_WG_ABANDONED;
		wg->job = NULL;
		n++;
	}
	job->parked -= n;
	job->inflight -= n;
	vsvm_stat_add(engine->vdev, VSVM_STAT_FAULTS_ABANDONED, n);
	if (job->result.status == DRM_VSVM_STATUS_TIMEOUT)
		vsvm_stat_inc(engine->vdev, VSVM_STAT_JOBS_TIMEOUT_FAULT_PENDING);
	/* What claim() does for a failed job, as no compute unit may come. */
	if (!list_empty(&job->engine_link)) {
		n += job->total_wgs - job->next_wg;
		job->next_wg = job->total_wgs;
		list_del_init(&job->engine_link);
	}
unlock:
	spin_unlock(&engine->lock);
	if (n && atomic64_sub_and_test(n, &job->wgs_left))
		vsvm_job_finish(job);
}

/**
 * vsvm_engine_cancel() - stop at once the jobs of @q that wait on faults
 * @engine: the engine
 * @q: a queue just marked canceled
 *
 * Context: any; does not sleep or wait for the jobs.
 */
void vsvm_engine_cancel(struct vsvm_engine *engine, struct vsvm_queue *q)
{
	struct vsvm_wg *wg;

	spin_lock(&engine->lock);
	list_for_each_entry(wg, &engine->parked, link)
		if (wg->state == VSVM_WG_FAULTING && wg->job->queue == q)
			mod_delayed_work(system_wq, &wg->job->watchdog, 0);
	spin_unlock(&engine->lock);
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
	job->inflight = 0;
	job->parked = 0;
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
	INIT_LIST_HEAD(&engine->parked);
	INIT_LIST_HEAD(&engine->ready);
	INIT_LIST_HEAD(&engine->pool);
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
		cu->spare = wg_alloc(engine);
		if (!cu->spare) {
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
 * @engine: the engine; no job may be active, no fault pending
 */
void vsvm_engine_fini(struct vsvm_engine *engine)
{
	struct vsvm_wg *wg, *next;
	u32 i;

	for (i = 0; i < engine->n_cus; i++) {
		struct vsvm_cu *cu = &engine->cus[i];

		if (cu->thread)
			kthread_stop(cu->thread);
		if (cu->spare)
			wg_free(cu->spare);
	}
	list_for_each_entry_safe(wg, next, &engine->pool, link)
		wg_free(wg);
	INIT_LIST_HEAD(&engine->pool);
	engine->n_pool = 0;
	kfree(engine->cus);
	engine->cus = NULL;
	engine->n_cus = 0;
}

/**
 * vsvm_engine_tlb_counts() - TLB counters summed over the compute units
 * @engine: the engine
 * @walks: out, page-table walks taken on TLB misses
 * @fills_2m: out, 2 MiB entries filled
 *
 * Read without the TLB locks: each count may be a few walks old.
 */
void vsvm_engine_tlb_counts(struct vsvm_engine *engine, u64 *walks, u64 *fills_2m)
{
	u32 i;

	*walks = 0;
	*fills_2m = 0;
	for (i = 0; i < engine->n_cus; i++) {
		*walks += READ_ONCE(engine->cus[i].tlb.walks);
		*fills_2m += READ_ONCE(engine->cus[i].tlb.fills_2m);
	}
}

/**
 * vsvm_engine_show() - debugfs: compute units and active jobs
 * @engine: the engine
 * @m: the file
 */
void vsvm_engine_show(struct vsvm_engine *engine, struct seq_file *m)
{
	static const char *const state[] = {
		[VSVM_WG_FAULTING] = "faulting",
		[VSVM_WG_READY] = "ready",
		[VSVM_WG_ABANDONED] = "abandoned",
	};
	struct vsvm_job *job;
	struct vsvm_wg *wg;
	u32 i;

	seq_printf(m, "compute units: %u, wave width %u\n", engine->n_cus, VSVM_WAVE_WIDTH);
	seq_printf(m, "interpreter: %s\n", vsvm_simd_name());
	spin_lock(&engine->lock);
	for (i = 0; i < engine->n_cus; i++) {
		struct vsvm_cu *cu = &engine->cus[i];
		struct vsvm_job *cur = cu->job;

		seq_printf(m, "cu%u: workgroups %llu, %s", i, cu->wgs, cur ? "running" : "idle");
		if (cur)
			seq_printf(m, " queue %u job %llu", cur->queue->id, cur->seqno);
		seq_printf(m, ", tlb walks %llu fills_2m %llu\n", READ_ONCE(cu->tlb.walks),
			   READ_ONCE(cu->tlb.fills_2m));
	}
	list_for_each_entry(job, &engine->active, engine_link)
		seq_printf(m, "active: queue %u job %llu workgroups %llu/%llu left %llu\n",
			   job->queue->id, job->seqno, job->next_wg, job->total_wgs,
			   (u64)atomic64_read(&job->wgs_left));
	for (i = 0; i < 2; i++) {
		list_for_each_entry(wg, i ? &engine->ready : &engine->parked, link) {
			seq_printf(m, "parked: %s fault 0x%llx access 0x%x", state[wg->state],
				   wg->fault.addr, wg->fault.access);
			if (wg->job)
				seq_printf(m, " queue %u job %llu workgroup %llu",
					   wg->job->queue->id, wg->job->seqno, wg->id);
			seq_puts(m, "\n");
		}
	}
	seq_printf(m, "spare contexts: %u\n", engine->n_pool);
	spin_unlock(&engine->lock);
}
