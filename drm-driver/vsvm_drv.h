/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Copyright 2026 The vsvm authors */

#ifndef __VSVM_DRV_H__
#define __VSVM_DRV_H__

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include <drm/drm_device.h>
#include <drm/gpu_scheduler.h>

#include "include/uapi/drm/vsvm_drm.h"
#include "vsvm_engine.h"
#include "vsvm_inject.h"

#define DRIVER_NAME	"vsvm"
#define DRIVER_DESC	"Virtual GPU for shared virtual memory"
#define DRIVER_MAJOR	1
#define DRIVER_MINOR	2

struct vsvm_file;

/**
 * enum vsvm_obj - kinds of object counted for leak detection at unload
 */
enum vsvm_obj {
	VSVM_OBJ_BO,
	VSVM_OBJ_VM,
	VSVM_OBJ_VMA,
	VSVM_OBJ_QUEUE,
	VSVM_OBJ_JOB,
	VSVM_OBJ_SVM_RANGE,
	VSVM_OBJ_PT_PAGE,
	VSVM_OBJ_FAULT_USER,
	VSVM_OBJ_COUNT
};

extern atomic_t vsvm_obj_live[VSVM_OBJ_COUNT];
extern const char *const vsvm_obj_names[VSVM_OBJ_COUNT];

static inline void vsvm_obj_inc(enum vsvm_obj kind)
{
	atomic_inc(&vsvm_obj_live[kind]);
}

static inline void vsvm_obj_dec(enum vsvm_obj kind)
{
	atomic_dec(&vsvm_obj_live[kind]);
}

/**
 * enum vsvm_stat - device-wide counters shown in debugfs
 */
enum vsvm_stat {
	VSVM_STAT_FAULTS,
	VSVM_STAT_FAULTS_FATAL,
	VSVM_STAT_PTE_4K,
	VSVM_STAT_PTE_2M,
	VSVM_STAT_RETRY_COLLISION,
	VSVM_STAT_RETRY_EBUSY,
	VSVM_STAT_FAULT_TIMEOUTS,
	VSVM_STAT_FAULT_UNREACHABLE,
	VSVM_STAT_FAULTS_INJECTED,
	VSVM_STAT_INVAL_UNMAP,
	VSVM_STAT_INVAL_CLEAR,
	VSVM_STAT_INVAL_PROTECTION,
	VSVM_STAT_INVAL_SOFT_DIRTY,
	VSVM_STAT_INVAL_RELEASE,
	VSVM_STAT_INVAL_MIGRATE,
	VSVM_STAT_INVAL_EXCLUSIVE,
	VSVM_STAT_INVAL_NONBLOCK,
	VSVM_STAT_INVAL_NS,
	VSVM_STAT_INVAL_NONBLOCK_NS,
	VSVM_STAT_INVAL_NONBLOCK_MAX_NS,
	VSVM_STAT_INVAL_SKIPPED_UNMAPPED,
	VSVM_STAT_SHOOTDOWNS,
	VSVM_STAT_SHOOTDOWN_SKIPPED,
	VSVM_STAT_GC_RANGES,
	VSVM_STAT_RANGES_CREATED,
	VSVM_STAT_USERPTR_REVALIDATE,
	VSVM_STAT_PREFETCH_PAGES,
	VSVM_STAT_FAULT_GATHER_NS,
	VSVM_STAT_FAULT_INSTALL_NS,
	VSVM_STAT_FAULT_PAGES,
	VSVM_STAT_JOBS_SUBMITTED,
	VSVM_STAT_JOBS_DONE,
	VSVM_STAT_JOBS_FAILED,
	VSVM_STAT_JOBS_TIMEOUT,
	VSVM_STAT_JOBS_TIMEOUT_FAULT_PENDING,
	VSVM_STAT_FAULTS_RAISED,
	VSVM_STAT_FAULTS_PENDING,
	VSVM_STAT_FAULTS_ABANDONED,
	VSVM_STAT_FAULTS_USER_WAITS,
	VSVM_STAT_UFENCE_WRITTEN,
	VSVM_STAT_UFENCE_FAILED,
	VSVM_STAT_UFENCE_SKIPPED,
	VSVM_STAT_INSNS,
	VSVM_STAT_BAD_IOCTL,
	VSVM_STAT_EXEC_QUEUE_DESTROYED,
	VSVM_STAT_COUNT
};

/* The GPU page sizes a fault installs, for &struct vsvm_fault_latency. */
enum vsvm_pte_size {
	VSVM_PTE_SIZE_4K,
	VSVM_PTE_SIZE_2M,
	VSVM_PTE_SIZE_COUNT
};

/*
 * Log2 buckets of fault service time: bucket 0 holds services under
 * 2^VSVM_FAULT_LAT_SHIFT ns (1 us), bucket i under 2^(VSVM_FAULT_LAT_SHIFT + i)
 * ns, the last one everything longer (above 2^32 ns, 4.3 s).
 */
#define VSVM_FAULT_LAT_SHIFT	10
#define VSVM_FAULT_LAT_BUCKETS	24

/**
 * struct vsvm_fault_latency - histograms of GPU fault service time
 *
 * One histogram per GPU page size the fault installed, for faults that
 * were serviced; a fault that fails is counted by the counters, not here.
 * The time is the service proper (see fault_unlocked() in vsvm_svm.c).
 * Updated locklessly and never reset; debugfs "fault_latency" shows it.
 */
struct vsvm_fault_latency {
	/**
	 * @count: faults, by enum vsvm_pte_size and bucket (see
	 * VSVM_FAULT_LAT_BUCKETS); atomic, as faults of several VMs are
	 * serviced at once.
	 */
	atomic64_t count[VSVM_PTE_SIZE_COUNT][VSVM_FAULT_LAT_BUCKETS];
	/** @sum_ns: total service time of the faults in @count, by size. */
	atomic64_t sum_ns[VSVM_PTE_SIZE_COUNT];
};

/**
 * struct vsvm_device - one virtual GPU
 */
struct vsvm_device {
	/** @drm: the DRM device; its lifetime is the vsvm_device's. */
	struct drm_device drm;

	/** @engine: the shader engine and its compute units. */
	struct vsvm_engine engine;

	/**
	 * @sched: one scheduler feeds the engine; every queue is an entity
	 * of it. Jobs of a queue are ordered by an explicit dependency on
	 * the queue's previous job.
	 */
	struct drm_gpu_scheduler sched;

	/**
	 * @jobs_live: jobs allocated and not yet freed by the scheduler.
	 * Unload waits on @jobs_idle for it to reach zero: a job canceled
	 * when its file closed may still be ending after the last close.
	 */
	atomic_t jobs_live;
	/** @jobs_idle: woken when @jobs_live drops to zero. */
	wait_queue_head_t jobs_idle;

	/**
	 * @fault_wq: services GPU page faults off the compute units; see
	 * "Fault queue" in vsvm_fault.c.
	 */
	struct workqueue_struct *fault_wq;
	/**
	 * @fault_lock: protects @fault_users and every
	 * &struct vsvm_fault_user; taken alone, never with another lock.
	 */
	spinlock_t fault_lock;
	/**
	 * @fault_users: &struct vsvm_fault_user of every user with a VM,
	 * under @fault_lock.
	 */
	struct list_head fault_users;

	/**
	 * @ufence_wq: writes user fences, one work item per queue
	 * (vsvm_ufence.c); unbound, so one write stuck in a slow page fault
	 * holds up its own queue only.
	 */
	struct workqueue_struct *ufence_wq;
	/** @ufence_waiters: woken after every user fence store. */
	wait_queue_head_t ufence_waiters;
	/**
	 * @ufence_deferred: timelines armed to retry a store later
	 * (vsvm_ufence.c); unload waits, on @ufence_waiters, for none to be
	 * left before it destroys @ufence_wq.
	 */
	atomic_t ufence_deferred;

	/** @inject: fault injection, set from debugfs; see its type. */
	struct vsvm_fault_inject inject;

	/** @stats: counters, updated locklessly. */
	atomic64_t stats[VSVM_STAT_COUNT];
	/** @fault_latency: fault service time histograms; see its type. */
	struct vsvm_fault_latency fault_latency;

	/** @clients_lock: protects @clients. Taken before any VM lock. */
	struct mutex clients_lock;
	/** @clients: struct vsvm_file of every open file, for debugfs. */
	struct list_head clients;

	/** @log_lock: protects @log and @log_head; never held across sleeping. */
	spinlock_t log_lock;
	/** @log_head: number of lines ever logged; next slot is head % size. */
	u32 log_head;
	/** @log: last rejected requests and job failures, for debugfs. */
	char log[64][160];
};

/**
 * struct vsvm_file - per open file state
 */
struct vsvm_file {
	/** @vdev: the device. */
	struct vsvm_device *vdev;
	/** @vms: struct vsvm_vm by id; the xarray's own lock protects it. */
	struct xarray vms;
	/** @queues: struct vsvm_queue by id; the xarray's own lock protects it. */
	struct xarray queues;
	/** @link: in vsvm_device.clients, under clients_lock. */
	struct list_head link;
	/** @pid: the opener's thread group id, for debugfs. */
	pid_t pid;
	/** @comm: the opener's name, for debugfs. */
	char comm[TASK_COMM_LEN];
};

static inline struct vsvm_device *to_vsvm(struct drm_device *drm)
{
	return container_of(drm, struct vsvm_device, drm);
}

static inline void vsvm_stat_add(struct vsvm_device *vdev, enum vsvm_stat s, s64 v)
{
	atomic64_add(v, &vdev->stats[s]);
}

static inline void vsvm_stat_inc(struct vsvm_device *vdev, enum vsvm_stat s)
{
	atomic64_inc(&vdev->stats[s]);
}

/* Raise a high-water mark counter to @v. */
static inline void vsvm_stat_max(struct vsvm_device *vdev, enum vsvm_stat s, s64 v)
{
	s64 old = atomic64_read(&vdev->stats[s]);

	while (old < v && !atomic64_try_cmpxchg(&vdev->stats[s], &old, v))
		;
}

/**
 * vsvm_fault_latency_add() - count one serviced fault in its histogram
 * @vdev: the device
 * @size: the GPU page size the fault installed
 * @ns: how long its service took
 *
 * Context: any; lockless, does not sleep.
 */
static inline void vsvm_fault_latency_add(struct vsvm_device *vdev, enum vsvm_pte_size size,
					  u64 ns)
{
	struct vsvm_fault_latency *lat = &vdev->fault_latency;
	unsigned int b = ns >> VSVM_FAULT_LAT_SHIFT ? fls64(ns) - VSVM_FAULT_LAT_SHIFT : 0;

	atomic64_inc(&lat->count[size][min(b, VSVM_FAULT_LAT_BUCKETS - 1)]);
	atomic64_add(ns, &lat->sum_ns[size]);
}

__printf(2, 3)
void vsvm_log(struct vsvm_device *vdev, const char *fmt, ...);

__printf(4, 5)
int __vsvm_reject(struct vsvm_device *vdev, int err, const char *func, const char *fmt, ...);

/*
 * vsvm_reject() - log why an ioctl refused its input and return the errno.
 * Every errno that answers bad input goes through here, so debugfs shows
 * the reason next to the ioctl that failed.
 */
#define vsvm_reject(vdev, err, fmt, ...) \
	__vsvm_reject(vdev, err, __func__, fmt, ##__VA_ARGS__)

#endif /* __VSVM_DRV_H__ */
