// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/wait.h>

#include "include/uapi/drm/vsvm_drm.h"
#include "vsvm_drv.h"
#include "vsvm_inject.h"

/**
 * vsvm_inject_hit() - account for an injected event
 * @vdev: the device
 * @what: the event
 *
 * Context: any; does not sleep.
 */
void vsvm_inject_hit(struct vsvm_device *vdev, const char *what)
{
	vsvm_stat_inc(vdev, VSVM_STAT_FAULTS_INJECTED);
	vsvm_log(vdev, "fault injection: %s", what);
}

/* A status a fault can end with: not OK, and one the UAPI defines. */
static int fail_status_set(void *data, u64 val)
{
	struct vsvm_fault_inject *inject = data;

	if (val == DRM_VSVM_STATUS_OK || val > DRM_VSVM_STATUS_RANGE_LIMIT)
		return -EINVAL;
	WRITE_ONCE(inject->fail_status, val);
	return 0;
}

static int fail_status_get(void *data, u64 *val)
{
	struct vsvm_fault_inject *inject = data;

	*val = READ_ONCE(inject->fail_status);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(fail_status_fops, fail_status_get, fail_status_set, "%llu\n");

static int hold_set(void *data, u64 val)
{
	struct vsvm_fault_inject *inject = data;

	WRITE_ONCE(inject->hold, !!val);
	if (!val)
		wake_up_all(&inject->hold_wq);
	return 0;
}

static int hold_get(void *data, u64 *val)
{
	struct vsvm_fault_inject *inject = data;

	*val = READ_ONCE(inject->hold);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(hold_fops, hold_get, hold_set, "%llu\n");

/**
 * vsvm_inject_hold() - hold a fault while &vsvm_fault_inject.hold is set
 * @vdev: the device
 *
 * Context: the fault path, before its gather, the mmap read lock held;
 * sleeps while held: killable in process context, forever in a worker.
 */
void vsvm_inject_hold(struct vsvm_device *vdev)
{
	struct vsvm_fault_inject *inject = &vdev->inject;

	if (likely(!READ_ONCE(inject->hold)))
		return;
	vsvm_inject_hit(vdev, "fault held");
	/* A fatal signal ends the wait; the gather then goes on. */
	wait_event_killable(inject->hold_wq, !READ_ONCE(inject->hold));
}

/**
 * vsvm_inject_park_delay() - wait &vsvm_fault_inject.park_delay_us, if set
 * @vdev: the device
 * @what: the window held open, for the debugfs log
 *
 * Context: process; sleeps.
 */
void vsvm_inject_park_delay(struct vsvm_device *vdev, const char *what)
{
	u32 us = READ_ONCE(vdev->inject.park_delay_us);

	if (likely(!us))
		return;
	vsvm_inject_hit(vdev, what);
	fsleep(us);
}

/**
 * vsvm_inject_release() - release held faults for good, at unload
 * @inject: the device's injection state
 */
void vsvm_inject_release(struct vsvm_fault_inject *inject)
{
	hold_set(inject, 0);
}

/**
 * vsvm_inject_debugfs_init() - create the fault_inject directory
 * @inject: the device's injection state
 * @root: the device's debugfs directory
 */
void vsvm_inject_debugfs_init(struct vsvm_fault_inject *inject, struct dentry *root)
{
	struct dentry *dir = debugfs_create_dir("fault_inject", root);

	inject->fail_status = DRM_VSVM_STATUS_BAD_MEMORY;
	init_waitqueue_head(&inject->hold_wq);
	debugfs_create_atomic_t("ebusy", 0600, dir, &inject->ebusy);
	debugfs_create_atomic_t("collisions", 0600, dir, &inject->collisions);
	debugfs_create_atomic_t("unmaps", 0600, dir, &inject->unmaps);
	debugfs_create_atomic_t("range_alloc", 0600, dir, &inject->range_alloc);
	debugfs_create_atomic_t("pt_alloc", 0600, dir, &inject->pt_alloc);
	debugfs_create_atomic_t("fail_faults", 0600, dir, &inject->fail_faults);
	debugfs_create_file_unsafe("fail_status", 0600, dir, inject, &fail_status_fops);
	debugfs_create_u32("latency_us", 0600, dir, &inject->latency_us);
	debugfs_create_u32("teardown_delay_us", 0600, dir, &inject->teardown_delay_us);
	debugfs_create_file_unsafe("hold", 0600, dir, inject, &hold_fops);
	debugfs_create_u32("park_delay_us", 0600, dir, &inject->park_delay_us);
}
