// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */

#include <linux/seq_file.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_file.h>

#include "vsvm_debugfs.h"
#include "vsvm_drv.h"
#include "vsvm_exec.h"
#include "vsvm_vm.h"

/**
 * DOC: debugfs
 *
 * /sys/kernel/debug/dri/N/ holds:
 *
 * - vms: open files, their VMs (bindings, SVM ranges with notifier
 *   sequence and PTE counts by size) and queues;
 * - ptes: the same with every valid GPU PTE;
 * - counters: device counters, one "name value" per line, ending with the
 *   compute units' TLB counters summed (tlb_walks: page-table walks on TLB
 *   misses; tlb_fills_2m: 2 MiB TLB entries filled);
 * - fault_latency: histograms of GPU fault service time by the page size
 *   the fault installed (docs/svm.md "Fault latency histograms");
 * - objects: live objects of the whole module, as the unload check counts;
 * - engine: compute units and the jobs on them;
 * - log: the last rejected requests and failed jobs, oldest first.
 */

static const char *const stat_names[VSVM_STAT_COUNT] = {
	[VSVM_STAT_FAULTS] = "faults",
	[VSVM_STAT_FAULTS_FATAL] = "faults_fatal",
	[VSVM_STAT_PTE_4K] = "fault_ptes_4k",
	[VSVM_STAT_PTE_2M] = "fault_ptes_2m",
	[VSVM_STAT_RETRY_COLLISION] = "retry_collision",
	[VSVM_STAT_RETRY_EBUSY] = "retry_ebusy",
	[VSVM_STAT_FAULT_TIMEOUTS] = "fault_retry_timeouts",
	[VSVM_STAT_FAULT_UNREACHABLE] = "faults_unreachable",
	[VSVM_STAT_FAULTS_INJECTED] = "faults_injected",
	[VSVM_STAT_INVAL_UNMAP] = "inval_unmap",
	[VSVM_STAT_INVAL_CLEAR] = "inval_clear",
	[VSVM_STAT_INVAL_PROTECTION] = "inval_protection",
	[VSVM_STAT_INVAL_SOFT_DIRTY] = "inval_soft_dirty",
	[VSVM_STAT_INVAL_RELEASE] = "inval_release",
	[VSVM_STAT_INVAL_MIGRATE] = "inval_migrate",
	[VSVM_STAT_INVAL_EXCLUSIVE] = "inval_exclusive",
	[VSVM_STAT_INVAL_NONBLOCK] = "inval_nonblock_honoured",
	[VSVM_STAT_INVAL_NS] = "inval_ns",
	[VSVM_STAT_INVAL_NONBLOCK_NS] = "inval_nonblock_ns",
	[VSVM_STAT_INVAL_NONBLOCK_MAX_NS] = "inval_nonblock_max_ns",
	[VSVM_STAT_INVAL_SKIPPED_UNMAPPED] = "inval_skipped_unmapped",
	[VSVM_STAT_SHOOTDOWNS] = "tlb_shootdowns",
	[VSVM_STAT_SHOOTDOWN_SKIPPED] = "tlb_shootdown_cus_skipped",
	[VSVM_STAT_GC_RANGES] = "gc_ranges",
	[VSVM_STAT_RANGES_CREATED] = "ranges_created",
	[VSVM_STAT_USERPTR_REVALIDATE] = "userptr_revalidations",
	[VSVM_STAT_PREFETCH_PAGES] = "prefetch_pages",
	[VSVM_STAT_FAULT_GATHER_NS] = "fault_gather_ns",
	[VSVM_STAT_FAULT_INSTALL_NS] = "fault_install_ns",
	[VSVM_STAT_FAULT_PAGES] = "fault_pages",
	[VSVM_STAT_JOBS_SUBMITTED] = "jobs_submitted",
	[VSVM_STAT_JOBS_DONE] = "jobs_done",
	[VSVM_STAT_JOBS_FAILED] = "jobs_failed",
	[VSVM_STAT_JOBS_TIMEOUT] = "jobs_timeout",
	[VSVM_STAT_JOBS_TIMEOUT_FAULT_PENDING] = "jobs_timeout_fault_pending",
	[VSVM_STAT_FAULTS_RAISED] = "faults_raised",
	[VSVM_STAT_FAULTS_PENDING] = "faults_pending",
	[VSVM_STAT_FAULTS_ABANDONED] = "faults_abandoned",
	[VSVM_STAT_FAULTS_USER_WAITS] = "faults_user_waits",
	[VSVM_STAT_UFENCE_WRITTEN] = "ufences_written",
	[VSVM_STAT_UFENCE_FAILED] = "ufences_failed",
	[VSVM_STAT_UFENCE_SKIPPED] = "ufences_skipped",
	[VSVM_STAT_INSNS] = "instructions",
	[VSVM_STAT_BAD_IOCTL] = "rejected_ioctls",
	[VSVM_STAT_EXEC_QUEUE_DESTROYED] = "exec_queue_destroyed",
};

static struct vsvm_device *entry_vdev(struct seq_file *m)
{
	struct drm_debugfs_entry *entry = m->private;

	return to_vsvm(entry->dev);
}

static int clients_show_ptes(struct seq_file *m, bool ptes)
{
	struct vsvm_device *vdev = entry_vdev(m);
	struct vsvm_file *vfile;

	mutex_lock(&vdev->clients_lock);
	list_for_each_entry(vfile, &vdev->clients, link) {
		seq_printf(m, "client %d %s\n", vfile->pid, vfile->comm);
		vsvm_vms_show(vfile, m, ptes);
		vsvm_queues_show(vfile, m);
	}
	mutex_unlock(&vdev->clients_lock);
	return 0;
}

static int vms_show(struct seq_file *m, void *data)
{
	return clients_show_ptes(m, false);
}

static int ptes_show(struct seq_file *m, void *data)
{
	return clients_show_ptes(m, true);
}

static int counters_show(struct seq_file *m, void *data)
{
	struct vsvm_device *vdev = entry_vdev(m);
	u64 walks, fills_2m;
	int i;

	for (i = 0; i < VSVM_STAT_COUNT; i++)
		seq_printf(m, "%s %lld\n", stat_names[i], (s64)atomic64_read(&vdev->stats[i]));
	/* Per compute unit, so that a TLB miss writes no shared cache line. */
	vsvm_engine_tlb_counts(&vdev->engine, &walks, &fills_2m);
	seq_printf(m, "tlb_walks %llu\ntlb_fills_2m %llu\n", walks, fills_2m);
	return 0;
}

/*
 * A header, then one row per bucket: its exclusive upper bound in ns ("inf"
 * for the last) and the faults in it for each page size; then the sums.
 */
static int fault_latency_show(struct seq_file *m, void *data)
{
	struct vsvm_fault_latency *lat = &entry_vdev(m)->fault_latency;
	int b;

	seq_puts(m, "lt_ns 4k 2m\n");
	for (b = 0; b < VSVM_FAULT_LAT_BUCKETS; b++) {
		if (b == VSVM_FAULT_LAT_BUCKETS - 1)
			seq_puts(m, "inf");
		else
			seq_printf(m, "%llu", 1ULL << (VSVM_FAULT_LAT_SHIFT + b));
		seq_printf(m, " %lld %lld\n",
			   (s64)atomic64_read(&lat->count[VSVM_PTE_SIZE_4K][b]),
			   (s64)atomic64_read(&lat->count[VSVM_PTE_SIZE_2M][b]));
	}
	seq_printf(m, "sum_ns %lld %lld\n",
		   (s64)atomic64_read(&lat->sum_ns[VSVM_PTE_SIZE_4K]),
		   (s64)atomic64_read(&lat->sum_ns[VSVM_PTE_SIZE_2M]));
	return 0;
}

static int objects_show(struct seq_file *m, void *data)
{
	int i;

	for (i = 0; i < VSVM_OBJ_COUNT; i++)
		seq_printf(m, "%s %d\n", vsvm_obj_names[i], atomic_read(&vsvm_obj_live[i]));
	return 0;
}

static int engine_show(struct seq_file *m, void *data)
{
	vsvm_engine_show(&entry_vdev(m)->engine, m);
	return 0;
}

static int log_show(struct seq_file *m, void *data)
{
	struct vsvm_device *vdev = entry_vdev(m);
	u32 n = ARRAY_SIZE(vdev->log), head, i;

	spin_lock(&vdev->log_lock);
	head = vdev->log_head;
	for (i = head > n ? head - n : 0; i < head; i++)
		seq_printf(m, "%s\n", vdev->log[i % n]);
	spin_unlock(&vdev->log_lock);
	return 0;
}

static const struct drm_debugfs_info vsvm_debugfs_files[] = {
	{ "vms", vms_show, 0 },
	{ "ptes", ptes_show, 0 },
	{ "counters", counters_show, 0 },
	{ "fault_latency", fault_latency_show, 0 },
	{ "objects", objects_show, 0 },
	{ "engine", engine_show, 0 },
	{ "log", log_show, 0 },
};

/**
 * vsvm_debugfs_init() - register the debugfs files; before drm_dev_register()
 * @vdev: the device
 */
void vsvm_debugfs_init(struct vsvm_device *vdev)
{
	drm_debugfs_add_files(&vdev->drm, vsvm_debugfs_files, ARRAY_SIZE(vsvm_debugfs_files));
	vsvm_inject_debugfs_init(&vdev->inject, vdev->drm.debugfs_root);
}
