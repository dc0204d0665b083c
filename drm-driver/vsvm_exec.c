// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */

#include <linux/dma-fence.h>
#include <linux/kcov.h>
#include <linux/kthread.h>
#include <linux/overflow.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_file.h>
#include <drm/drm_syncobj.h>

#include "vsvm_drv.h"
#include "vsvm_exec.h"
#include "vsvm_interp.h"
#include "vsvm_params.h"
#include "vsvm_ufence.h"
#include "vsvm_vm.h"

/**
 * DOC: Queues and jobs
 *
 * A queue is a drm_sched entity bound to one VM. EXEC reads and validates
 * the shader code at submission, so bad code is refused with -EINVAL at
 * the ioctl, then hands the job to the scheduler behind its in-syncobjs and
 * the queue's previous job. run_job() gives it to the engine; the engine
 * signals the job's hardware fence when its last workgroup ends, with an
 * error for a failed job. How each job ended is kept for WAIT in a ring of
 * the queue's last %VSVM_QUEUE_RESULTS jobs.
 *
 * Timeouts are the engine's: a job running longer than vsvm_job_timeout_ms
 * is stopped at its next batch boundary, or by its watchdog while its
 * workgroups wait on page faults, and fails with DRM_VSVM_STATUS_TIMEOUT.
 * The engine can stop one job without a reset, so the scheduler's own
 * timeout and recovery are not used.
 *
 * Fences of jobs that may page-fault: servicing a GPU fault allocates
 * memory, which the dma-fence rules forbid before a published fence
 * signals, because reclaim may wait on that fence. Jobs of SVM VMs
 * therefore run in long-running mode: their fences stay inside the driver
 * and user fences tell their end (vsvm_ufence.c, "Long-running mode and
 * user fences"). Only BO-only VMs take syncobjs.
 */

static const char *fence_driver_name(struct dma_fence *f)
{
	return DRIVER_NAME;
}

static const char *fence_timeline_name(struct dma_fence *f)
{
	return "vsvm-queue";
}

static const struct dma_fence_ops vsvm_fence_ops = {
	.get_driver_name = fence_driver_name,
	.get_timeline_name = fence_timeline_name,
};

/* The engine's fence for one job; the scheduler's finished fence follows it. */
struct vsvm_hw_fence {
	struct dma_fence base;
	/* @lock: the fence's own lock, as dma_fence_init() requires. */
	spinlock_t lock;
};

/**
 * vsvm_status_errno() - the errno a failed job's fence carries
 * @status: enum drm_vsvm_status, not OK
 *
 * Return: the negative errno docs/uapi.md gives for @status.
 */
int vsvm_status_errno(u32 status)
{
	static const int map[] = {
		[DRM_VSVM_STATUS_UNMAPPED] = -EFAULT,
		[DRM_VSVM_STATUS_READ_ONLY] = -EACCES,
		[DRM_VSVM_STATUS_NO_ACCESS] = -EACCES,
		[DRM_VSVM_STATUS_NO_VMA] = -EFAULT,
		[DRM_VSVM_STATUS_MISALIGNED] = -EINVAL,
		[DRM_VSVM_STATUS_TRAP] = -EIO,
		[DRM_VSVM_STATUS_TIMEOUT] = -ETIMEDOUT,
		[DRM_VSVM_STATUS_FAULT_RETRY] = -EDEADLK,
		[DRM_VSVM_STATUS_NOMEM] = -ENOMEM,
		[DRM_VSVM_STATUS_CANCELED] = -ECANCELED,
		[DRM_VSVM_STATUS_BAD_MEMORY] = -EFAULT,
		[DRM_VSVM_STATUS_UNREACHABLE] = -ENXIO,
		[DRM_VSVM_STATUS_RANGE_LIMIT] = -ENOSPC,
	};

	return status < ARRAY_SIZE(map) && map[status] ? map[status] : -EIO;
}

/**
 * vsvm_job_fail() - record a job's failure; the first one wins
 * @job: the job
 * @status: enum drm_vsvm_status
 * @access: DRM_VSVM_ACCESS_*
 * @addr: failing address
 * @pc: failing instruction's byte offset
 * @info: trap code
 *
 * Context: any; does not sleep.
 */
void vsvm_job_fail(struct vsvm_job *job, u32 status, u32 access, u64 addr, u32 pc, u32 info)
{
	if (atomic_cmpxchg(&job->failed, 0, 1))
		return;
	job->result.status = status;
	job->result.fault_access = access;
	job->result.fault_addr = addr;
	job->result.fault_pc = pc;
	job->result.info = info;
}

/**
 * vsvm_job_should_stop() - the engine's watchdog and cancellation check
 * @job: the job
 *
 * Return: true when the job failed, ran out of time or was canceled.
 */
bool vsvm_job_should_stop(struct vsvm_job *job)
{
	if (atomic_read(&job->failed))
		return true;
	if (READ_ONCE(job->queue->canceled) || kthread_should_stop()) {
		vsvm_job_fail(job, DRM_VSVM_STATUS_CANCELED, 0, 0, 0, 0);
		return true;
	}
	if (time_after(jiffies, job->deadline)) {
		vsvm_stat_inc(job->queue->vdev, VSVM_STAT_JOBS_TIMEOUT);
		vsvm_job_fail(job, DRM_VSVM_STATUS_TIMEOUT, 0, 0, 0, 0);
		return true;
	}
	return false;
}

/**
 * vsvm_job_finish() - end a job: record its result and signal its fence
 * @job: the job; may be freed as soon as this returns
 *
 * Context: any; does not sleep.
 */
void vsvm_job_finish(struct vsvm_job *job)
{
	struct vsvm_queue *q = job->queue;
	struct vsvm_device *vdev = q->vdev;
	struct vsvm_job_result *slot = &q->results[job->seqno % VSVM_QUEUE_RESULTS];
	bool failed = atomic_read(&job->failed);

	if (failed) {
		dma_fence_set_error(job->hw_fence, vsvm_status_errno(job->result.status));
		vsvm_stat_inc(vdev, VSVM_STAT_JOBS_FAILED);
		vsvm_log(vdev,
			 "queue %u job %llu: status %u access 0x%x addr 0x%llx pc 0x%x info %u",
			 q->id, job->seqno, job->result.status, job->result.fault_access,
			 job->result.fault_addr, job->result.fault_pc, job->result.info);
	}
	vsvm_stat_inc(vdev, VSVM_STAT_JOBS_DONE);

	spin_lock(&q->result_lock);
	if (slot->seqno == job->seqno) {
		slot->status = job->result.status;
		slot->fault_access = job->result.fault_access;
		slot->fault_addr = job->result.fault_addr;
		slot->fault_pc = job->result.fault_pc;
		slot->info = job->result.info;
		slot->done = true;
	}
	spin_unlock(&q->result_lock);

	dma_fence_signal(job->hw_fence);
}

static struct dma_fence *vsvm_run_job(struct drm_sched_job *sched_job)
{
	struct vsvm_job *job = to_vsvm_job(sched_job);
	struct vsvm_device *vdev = job->queue->vdev;
	struct dma_fence *fence;

	/* The scheduler's worker: coverage goes to the submitter, as on a CU. */
	kcov_remote_start_common(job->kcov_handle);
	/*
	 * The queue is going: do not run. A failed dependency does not stop
	 * a job (the scheduler does not pass errors on); WAIT tells each
	 * job's own outcome.
	 */
	if (READ_ONCE(job->queue->canceled)) {
		vsvm_job_fail(job, DRM_VSVM_STATUS_CANCELED, 0, 0, 0, 0);
		vsvm_job_finish(job);
	} else {
		vsvm_engine_submit(&vdev->engine, job);
	}
	fence = dma_fence_get(job->hw_fence);
	kcov_remote_stop();
	return fence;
}

static enum drm_gpu_sched_stat vsvm_timedout_job(struct drm_sched_job *sched_job)
{
	/* Unreachable: the scheduler runs without a timeout, see DOC above. */
	return DRM_GPU_SCHED_STAT_NOMINAL;
}

static void queue_release(struct kref *ref);

static void job_put_live(struct vsvm_device *vdev)
{
	if (atomic_dec_and_test(&vdev->jobs_live))
		wake_up_all(&vdev->jobs_idle);
}

static void vsvm_free_job(struct drm_sched_job *sched_job)
{
	struct vsvm_job *job = to_vsvm_job(sched_job);
	struct vsvm_device *vdev = job->queue->vdev;

	kcov_remote_start_common(job->kcov_handle);
	drm_sched_job_cleanup(sched_job);
	cancel_delayed_work_sync(&job->watchdog);
	/*
	 * A job the scheduler discarded without running (its entity was
	 * killed) never reached the engine; the next job of the queue
	 * depends on this fence, so it must signal all the same.
	 */
	if (!dma_fence_is_signaled(job->hw_fence)) {
		dma_fence_set_error(job->hw_fence, -ECANCELED);
		dma_fence_signal(job->hw_fence);
	}
	dma_fence_put(job->hw_fence);
	kvfree(job->prog);
	vsvm_vm_put(job->vm);
	kref_put(&job->queue->refcount, queue_release);
	kfree(job);
	vsvm_obj_dec(VSVM_OBJ_JOB);
	job_put_live(vdev);
	kcov_remote_stop();
}

static const struct drm_sched_backend_ops vsvm_sched_ops = {
	.run_job = vsvm_run_job,
	.timedout_job = vsvm_timedout_job,
	.free_job = vsvm_free_job,
};

/**
 * vsvm_exec_init() - set up the device's scheduler
 * @vdev: the device
 *
 * Return: 0 or a negative errno.
 */
int vsvm_exec_init(struct vsvm_device *vdev)
{
	const struct drm_sched_init_args args = {
		.ops = &vsvm_sched_ops,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		/* Enough jobs in flight for every compute unit to stay busy. */
		.credit_limit = 64,
		.timeout = MAX_SCHEDULE_TIMEOUT,
		.name = DRIVER_NAME,
		.dev = vdev->drm.dev,
	};

	return drm_sched_init(&vdev->sched, &args);
}

/**
 * vsvm_exec_fini() - stop the scheduler
 * @vdev: the device; no file is open
 */
void vsvm_exec_fini(struct vsvm_device *vdev)
{
	drm_sched_fini(&vdev->sched);
}

static void queue_release(struct kref *ref)
{
	struct vsvm_queue *q = container_of(ref, struct vsvm_queue, refcount);
	int i;

	for (i = 0; i < VSVM_QUEUE_RESULTS; i++)
		dma_fence_put(q->results[i].fence);
	dma_fence_put(q->last_fence);
	vsvm_ufence_timeline_put(q->ufences);
	vsvm_vm_put(q->vm);
	mutex_destroy(&q->submit_lock);
	kfree(q);
	vsvm_obj_dec(VSVM_OBJ_QUEUE);
}

static struct vsvm_queue *queue_lookup(struct vsvm_file *vfile, u32 id)
{
	struct vsvm_queue *q;

	xa_lock(&vfile->queues);
	q = xa_load(&vfile->queues, id);
	if (q)
		kref_get(&q->refcount);
	xa_unlock(&vfile->queues);
	return q;
}

int vsvm_ioctl_queue_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct vsvm_device *vdev = to_vsvm(drm);
	struct vsvm_file *vfile = file->driver_priv;
	struct drm_vsvm_queue_create *args = data;
	struct drm_gpu_scheduler *sched = &vdev->sched;
	struct vsvm_queue *q;
	struct vsvm_vm *vm;
	int ret;

	if (args->extensions || args->flags || args->pad)
		return vsvm_reject(vdev, -EINVAL, "extensions/flags/pad");
	vm = vsvm_vm_lookup(vfile, args->vm_id);
	if (!vm)
		return vsvm_reject(vdev, -ENOENT, "vm %u", args->vm_id);
	ret = vsvm_vm_check_owner(vm);
	if (ret) {
		vsvm_vm_put(vm);
		return vsvm_reject(vdev, ret, "vm %u mirrors another process", args->vm_id);
	}

	q = kzalloc(sizeof(*q), GFP_KERNEL_ACCOUNT);
	if (!q) {
		vsvm_vm_put(vm);
		return -ENOMEM;
	}
	vsvm_obj_inc(VSVM_OBJ_QUEUE);
	kref_init(&q->refcount);
	q->vdev = vdev;
	q->vm = vm;
	mutex_init(&q->submit_lock);
	spin_lock_init(&q->result_lock);
	q->fence_context = dma_fence_context_alloc(1);
	q->next_seqno = 1;
	q->ufences = vsvm_ufence_timeline_create(vdev);
	if (!q->ufences) {
		ret = -ENOMEM;
		goto err_put;
	}

	ret = drm_sched_entity_init(&q->entity, DRM_SCHED_PRIORITY_NORMAL, &sched, 1, NULL);
	if (ret)
		goto err_put;
	ret = xa_alloc(&vfile->queues, &q->id, q, xa_limit_32b, GFP_KERNEL);
	if (ret) {
		drm_sched_entity_destroy(&q->entity);
		goto err_put;
	}
	args->queue_id = q->id;
	return 0;

err_put:
	kref_put(&q->refcount, queue_release);
	return ret;
}

static void queue_destroy(struct vsvm_queue *q)
{
	/*
	 * Under @submit_lock: an EXEC that got the queue before it left the
	 * file either has pushed its job by now, and the flush below sees it,
	 * or sees @canceled and pushes nothing. A job pushed after
	 * drm_sched_entity_fini() would stay on the killed entity for good.
	 */
	mutex_lock(&q->submit_lock);
	WRITE_ONCE(q->canceled, true);
	mutex_unlock(&q->submit_lock);
	/* Jobs waiting on faults stop now, without waiting for them. */
	vsvm_engine_cancel(&q->vdev->engine, q);
	/* Jobs not yet run are run, and see @canceled at once. */
	drm_sched_entity_destroy(&q->entity);
	kref_put(&q->refcount, queue_release);
}

int vsvm_ioctl_queue_destroy(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct vsvm_device *vdev = to_vsvm(drm);
	struct vsvm_file *vfile = file->driver_priv;
	struct drm_vsvm_queue_destroy *args = data;
	struct vsvm_queue *q;

	int ret;

	if (args->pad)
		return vsvm_reject(vdev, -EINVAL, "pad 0x%x", args->pad);
	/* Erasing index 0 of an ALLOC1 xarray would hand it out next. */
	q = args->queue_id ? queue_lookup(vfile, args->queue_id) : NULL;
	if (!q)
		return vsvm_reject(vdev, -ENOENT, "queue %u", args->queue_id);
	ret = vsvm_vm_check_cleanup(q->vm);
	if (ret) {
		vsvm_reject(vdev, ret, "queue %u: VM belongs to another process", q->id);
	} else if (xa_cmpxchg(&vfile->queues, args->queue_id, q, NULL, 0) != q) {
		/* A concurrent destroy won. */
		ret = vsvm_reject(vdev, -ENOENT, "queue %u", args->queue_id);
	} else {
		queue_destroy(q);
	}
	kref_put(&q->refcount, queue_release);
	return ret;
}

/**
 * vsvm_queue_destroy_all() - destroy every queue of a closing file
 * @vfile: the file
 */
void vsvm_queue_destroy_all(struct vsvm_file *vfile)
{
	struct vsvm_queue *q;
	unsigned long id;

	xa_for_each(&vfile->queues, id, q) {
		xa_erase(&vfile->queues, id);
		queue_destroy(q);
	}
	xa_destroy(&vfile->queues);
}

/* x * y * z, or false if it does not fit in 64 bits. */
static bool mul3_u64(u32 x, u32 y, u32 z, u64 *prod)
{
	return !check_mul_overflow((u64)x * y, (u64)z, prod);
}

/* Validate @a; on success *@lanes and *@wgs are the workgroup and grid sizes. */
static int exec_check_args(struct vsvm_device *vdev, const struct drm_vsvm_exec *a,
			   u32 *lanes, u64 *wgs)
{
	u64 wg_lanes;

	if (a->extensions || a->flags & ~DRM_VSVM_EXEC_USER_FENCE)
		return vsvm_reject(vdev, -EINVAL, "extensions/flags");
	if (!a->code_size || a->code_size % VSVM_INSN_SIZE ||
	    a->code_size > VSVM_MAX_CODE_SIZE || !IS_ALIGNED(a->code_addr, VSVM_INSN_SIZE))
		return vsvm_reject(vdev, -EINVAL, "code 0x%llx size %u",
				   a->code_addr, a->code_size);
	/* Three u32 can wrap even 64 bits, to a small product that would pass. */
	if (!a->grid[0] || !a->grid[1] || !a->grid[2] ||
	    !mul3_u64(a->wg_size[0], a->wg_size[1], a->wg_size[2], &wg_lanes) ||
	    !wg_lanes || wg_lanes > VSVM_MAX_WG_SIZE)
		return vsvm_reject(vdev, -EINVAL, "grid %ux%ux%u workgroup %ux%ux%u",
				   a->grid[0], a->grid[1], a->grid[2],
				   a->wg_size[0], a->wg_size[1], a->wg_size[2]);
	if (!mul3_u64(a->grid[0], a->grid[1], a->grid[2], wgs))
		return vsvm_reject(vdev, -EINVAL, "grid %ux%ux%u overflows",
				   a->grid[0], a->grid[1], a->grid[2]);
	*lanes = wg_lanes;
	if (a->shared_size > VSVM_MAX_SHARED_SIZE || a->scratch_size > VSVM_MAX_SCRATCH_SIZE ||
	    a->args_size > VSVM_MAX_ARGS_SIZE)
		return vsvm_reject(vdev, -EINVAL, "shared %u scratch %u args %u",
				   a->shared_size, a->scratch_size, a->args_size);
	if (a->num_in_syncs > VSVM_MAX_IN_SYNCS)
		return vsvm_reject(vdev, -EINVAL, "%u in-syncs", a->num_in_syncs);
	return 0;
}

/* Read and validate the code through the VM; -EINVAL names the offset. */
static int exec_load_code(struct vsvm_device *vdev, struct vsvm_vm *vm,
			  const struct drm_vsvm_exec *a, struct vsvm_prog **prog)
{
	const char *why = "";
	u32 bad = 0;
	void *code;
	int ret;

	code = kvmalloc(a->code_size, GFP_KERNEL_ACCOUNT);
	if (!code)
		return -ENOMEM;
	ret = vsvm_vm_read(vm, a->code_addr, code, a->code_size);
	if (ret) {
		ret = vsvm_reject(vdev, ret, "code at 0x%llx is not readable", a->code_addr);
		goto out;
	}
	ret = vsvm_prog_decode(code, a->code_size, a->args_size, prog, &bad, &why);
	if (ret)
		ret = vsvm_reject(vdev, ret, "invalid code at offset 0x%x: %s", bad, why);
out:
	kvfree(code);
	return ret;
}

static int exec_add_deps(struct vsvm_job *job, struct drm_file *file,
			 const struct drm_vsvm_exec *a)
{
	u32 __user *handles = u64_to_user_ptr(a->in_syncs);
	u32 i, h;
	int ret;

	for (i = 0; i < a->num_in_syncs; i++) {
		if (get_user(h, handles + i))
			return -EFAULT;
		ret = drm_sched_job_add_syncobj_dependency(&job->base, file, h, 0);
		if (ret)
			return vsvm_reject(job->queue->vdev, ret, "in-sync %u", h);
	}
	return 0;
}

int vsvm_ioctl_exec(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct vsvm_device *vdev = to_vsvm(drm);
	struct drm_vsvm_exec *args = data;
	struct drm_syncobj *out = NULL;
	struct vsvm_ufence *ufence;
	struct vsvm_hw_fence *hw;
	struct vsvm_job_result *slot;
	struct dma_fence *done;
	struct vsvm_queue *q;
	struct vsvm_job *job;
	u32 wg_lanes;
	u64 wgs;
	int ret;

	ret = exec_check_args(vdev, args, &wg_lanes, &wgs);
	if (ret)
		return ret;
	q = queue_lookup(file->driver_priv, args->queue_id);
	if (!q)
		return vsvm_reject(vdev, -ENOENT, "queue %u", args->queue_id);
	ret = vsvm_vm_check_owner(q->vm);
	if (ret) {
		vsvm_reject(vdev, ret, "queue %u: VM mirrors another process", q->id);
		goto err_queue;
	}
	ret = vsvm_lr_check_exec(vdev, q->vm, q->id, args);
	if (ret)
		goto err_queue;
	ret = vsvm_ufence_create(vdev, args, &ufence);
	if (ret)
		goto err_queue;
	if (args->out_sync) {
		out = drm_syncobj_find(file, args->out_sync);
		if (!out) {
			ret = vsvm_reject(vdev, -ENOENT, "out-sync %u", args->out_sync);
			goto err_ufence;
		}
	}

	job = kzalloc(sizeof(*job), GFP_KERNEL_ACCOUNT);
	hw = kzalloc(sizeof(*hw), GFP_KERNEL_ACCOUNT);
	if (!job || !hw) {
		kfree(job);
		kfree(hw);
		ret = -ENOMEM;
		goto err_out;
	}
	vsvm_obj_inc(VSVM_OBJ_JOB);
	atomic_inc(&vdev->jobs_live);
	job->queue = q;
	job->vm = q->vm;
	job->mm = current->mm;
	job->kcov_handle = kcov_common_handle();
	drm_gpuvm_get(&job->vm->gpuvm);
	job->args = *args;
	job->wg_lanes = wg_lanes;
	job->total_wgs = wgs;
	INIT_LIST_HEAD(&job->engine_link);
	INIT_DELAYED_WORK(&job->watchdog, vsvm_engine_watchdog);
	spin_lock_init(&hw->lock);
	job->hw_fence = &hw->base;

	ret = exec_load_code(vdev, job->vm, args, &job->prog);
	if (ret)
		goto err_job;
	ret = vsvm_vm_revalidate_userptrs(job->vm);
	if (ret) {
		vsvm_reject(vdev, ret, "queue %u: a userptr binding cannot be mapped", q->id);
		goto err_job;
	}
	ret = drm_sched_job_init(&job->base, &q->entity, 1, NULL, file->client_id);
	if (ret)
		goto err_job;
	ret = exec_add_deps(job, file, args);
	if (ret)
		goto err_cleanup;

	mutex_lock(&q->submit_lock);
	if (q->canceled) {
		/* Destroyed since the lookup: its entity is, or is about to be, killed. */
		mutex_unlock(&q->submit_lock);
		vsvm_stat_inc(vdev, VSVM_STAT_EXEC_QUEUE_DESTROYED);
		ret = vsvm_reject(vdev, -ENOENT, "queue %u destroyed during EXEC", q->id);
		goto err_cleanup;
	}
	/*
	 * Order the queue on the previous job's hardware fence: the
	 * scheduler ignores dependencies on its entity's own fences, as it
	 * assumes hardware runs an entity's jobs in order, and the engine
	 * does not.
	 */
	if (q->last_fence) {
		ret = drm_sched_job_add_dependency(&job->base, dma_fence_get(q->last_fence));
		if (ret) {
			mutex_unlock(&q->submit_lock);
			goto err_cleanup;
		}
	}
	drm_sched_job_arm(&job->base);
	job->seqno = q->next_seqno++;
	dma_fence_init(&hw->base, &vsvm_fence_ops, &hw->lock, q->fence_context, job->seqno);
	done = &job->base.s_fence->finished;
	/* Jobs of other queues waiting on this one must wait for its end, not its start. */
	set_bit(DRM_SCHED_FENCE_DONT_PIPELINE, &done->flags);
	dma_fence_put(q->last_fence);
	q->last_fence = dma_fence_get(&hw->base);
	if (ufence)
		vsvm_ufence_arm(ufence, q->ufences, &hw->base, q->id, job->seqno);

	slot = &q->results[job->seqno % VSVM_QUEUE_RESULTS];
	spin_lock(&q->result_lock);
	dma_fence_put(slot->fence);
	*slot = (struct vsvm_job_result){ .seqno = job->seqno, .fence = dma_fence_get(done) };
	spin_unlock(&q->result_lock);

	if (out)
		drm_syncobj_replace_fence(out, done);
	args->seqno = job->seqno;
	vsvm_stat_inc(vdev, VSVM_STAT_JOBS_SUBMITTED);
	/* The job now owns the queue reference taken by the lookup. */
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(&q->submit_lock);
	if (out)
		drm_syncobj_put(out);
	return 0;

err_cleanup:
	drm_sched_job_cleanup(&job->base);
err_job:
	kvfree(job->prog);
	vsvm_vm_put(job->vm);
	kfree(hw);
	kfree(job);
	vsvm_obj_dec(VSVM_OBJ_JOB);
	job_put_live(vdev);
err_out:
	if (out)
		drm_syncobj_put(out);
err_ufence:
	vsvm_ufence_free(ufence);
err_queue:
	kref_put(&q->refcount, queue_release);
	return ret;
}

int vsvm_ioctl_wait(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct vsvm_device *vdev = to_vsvm(drm);
	struct drm_vsvm_wait *args = data;
	struct vsvm_job_result *slot;
	struct dma_fence *fence = NULL;
	struct vsvm_queue *q;
	long timeout;
	int ret = 0;

	if (args->flags)
		return vsvm_reject(vdev, -EINVAL, "flags 0x%x", args->flags);
	if (args->timeout_ns < 0)
		return vsvm_reject(vdev, -EINVAL, "timeout %lld", args->timeout_ns);
	q = queue_lookup(file->driver_priv, args->queue_id);
	if (!q)
		return vsvm_reject(vdev, -ENOENT, "queue %u", args->queue_id);
	/* How the owner's jobs ended is the owner's to learn. */
	ret = vsvm_vm_check_cleanup(q->vm);
	if (ret) {
		vsvm_reject(vdev, ret, "queue %u: VM belongs to another process", q->id);
		goto out;
	}

	slot = &q->results[args->seqno % VSVM_QUEUE_RESULTS];
	spin_lock(&q->result_lock);
	if (args->seqno && slot->seqno == args->seqno)
		fence = dma_fence_get(slot->fence);
	spin_unlock(&q->result_lock);
	if (!fence) {
		ret = vsvm_reject(vdev, -ENOENT, "queue %u has no job %llu", q->id, args->seqno);
		goto out;
	}

	timeout = dma_fence_wait_timeout(fence, true, nsecs_to_jiffies64(args->timeout_ns));
	dma_fence_put(fence);
	if (timeout < 0) {
		ret = timeout;
		goto out;
	}
	if (!timeout) {
		ret = -ETIME;
		goto out;
	}

	spin_lock(&q->result_lock);
	if (slot->seqno != args->seqno) {
		ret = -ENOENT;
	} else if (slot->done) {
		args->status = slot->status;
		args->fault_access = slot->fault_access;
		args->fault_addr = slot->fault_addr;
		args->fault_pc = slot->fault_pc;
		args->info = slot->info;
	} else {
		/* Discarded without running: its queue or file went away. */
		args->status = DRM_VSVM_STATUS_CANCELED;
		args->fault_access = 0;
		args->fault_addr = 0;
		args->fault_pc = 0;
		args->info = 0;
	}
	spin_unlock(&q->result_lock);
out:
	kref_put(&q->refcount, queue_release);
	return ret;
}

/**
 * vsvm_queues_show() - debugfs: a file's queues and their last results
 * @vfile: the file
 * @m: the debugfs file
 */
void vsvm_queues_show(struct vsvm_file *vfile, struct seq_file *m)
{
	struct vsvm_queue *q;
	unsigned long id;

	xa_lock(&vfile->queues);
	xa_for_each(&vfile->queues, id, q) {
		seq_printf(m, " queue %lu: vm %u next seqno %llu%s\n", id, q->vm->id,
			   q->next_seqno, READ_ONCE(q->canceled) ? " canceled" : "");
	}
	xa_unlock(&vfile->queues);
}
