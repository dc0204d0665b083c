// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_print.h>

#include "include/uapi/drm/vsvm_drm.h"
#include "include/uapi/drm/vsvm_isa.h"
#include "vsvm_debugfs.h"
#include "vsvm_drv.h"
#include "vsvm_exec.h"
#include "vsvm_fault.h"
#include "vsvm_gem.h"
#include "vsvm_params.h"
#include "vsvm_simd.h"
#include "vsvm_ufence.h"
#include "vsvm_vm.h"

/**
 * DOC: vsvm
 *
 * vsvm is a virtual GPU whose shaders dereference the submitting process's
 * own pointers. There is no hardware: the shader engine is an interpreter
 * of a documented ISA running on kernel threads, and its MMU is a page
 * table in memory that mirrors the CPU's on demand. Each device is a
 * virtual platform device with a render node. This file holds the module,
 * the device and the ioctl table; each concept has its own file.
 */

static unsigned int num_devices = 1;
module_param(num_devices, uint, 0444);
MODULE_PARM_DESC(num_devices, "Number of vsvm devices (1-16)");

static unsigned int num_cus;
module_param(num_cus, uint, 0444);
MODULE_PARM_DESC(num_cus, "Compute units per device (0 = one per online CPU)");

unsigned int vsvm_job_timeout_ms = 10000;
module_param_named(job_timeout_ms, vsvm_job_timeout_ms, uint, 0644);
MODULE_PARM_DESC(job_timeout_ms, "Run time after which a job fails with TIMEOUT");

unsigned int vsvm_fault_timeout_ms = 5000;
module_param_named(fault_timeout_ms, vsvm_fault_timeout_ms, uint, 0644);
MODULE_PARM_DESC(fault_timeout_ms, "Time bound of one GPU fault's collision-retry loop");

/*
 * A range is at most 2 MiB of one VM, so the default lets a VM mirror
 * 512 GiB at once; ranges and their page tables are charged to the
 * owner's memory cgroup besides.
 */
unsigned int vsvm_max_ranges_per_vm = 1U << 18;
module_param_named(max_ranges_per_vm, vsvm_max_ranges_per_vm, uint, 0644);
MODULE_PARM_DESC(max_ranges_per_vm,
		 "SVM ranges one VM may hold; beyond, faults fail with RANGE_LIMIT");

/* See "Fault queue" in vsvm_fault.c. */
unsigned int vsvm_fault_workers_per_user = 16;
module_param_named(fault_workers_per_user, vsvm_fault_workers_per_user, uint, 0644);
MODULE_PARM_DESC(fault_workers_per_user,
		 "Fault workers the VMs of one user may keep busy at once (at least 1)");

#define VSVM_MAX_DEVICES 16

atomic_t vsvm_obj_live[VSVM_OBJ_COUNT];
static struct vsvm_device *vsvm_devices[VSVM_MAX_DEVICES];

void vsvm_log(struct vsvm_device *vdev, const char *fmt, ...)
{
	va_list args;
	u32 slot;

	spin_lock(&vdev->log_lock);
	slot = vdev->log_head++ % ARRAY_SIZE(vdev->log);
	va_start(args, fmt);
	vsnprintf(vdev->log[slot], sizeof(vdev->log[slot]), fmt, args);
	va_end(args);
	spin_unlock(&vdev->log_lock);
	drm_dbg_driver(&vdev->drm, "%s\n", vdev->log[slot]);
}

int __vsvm_reject(struct vsvm_device *vdev, int err, const char *func, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	vsvm_stat_inc(vdev, VSVM_STAT_BAD_IOCTL);
	vsvm_log(vdev, "%s: %d: %pV", func, err, &vaf);
	va_end(args);
	return err;
}

static int vsvm_ioctl_get_param(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct vsvm_device *vdev = to_vsvm(drm);
	struct drm_vsvm_get_param *args = data;

	if (args->pad)
		return vsvm_reject(vdev, -EINVAL, "pad 0x%x", args->pad);

	switch (args->param) {
	case DRM_VSVM_PARAM_VA_BITS:
		args->value = VSVM_VA_BITS;
		break;
	case DRM_VSVM_PARAM_PAGE_SIZES:
		args->value = SZ_4K | SZ_2M;
		break;
	case DRM_VSVM_PARAM_ISA_VERSION:
		args->value = VSVM_ISA_VERSION;
		break;
	case DRM_VSVM_PARAM_WAVE_WIDTH:
		args->value = VSVM_WAVE_WIDTH;
		break;
	case DRM_VSVM_PARAM_NUM_CUS:
		args->value = vdev->engine.n_cus;
		break;
	case DRM_VSVM_PARAM_SVM_CAPS:
		args->value = DRM_VSVM_SVM_CAP_MIRROR | DRM_VSVM_SVM_CAP_USERPTR |
			      DRM_VSVM_SVM_CAP_PREFETCH | DRM_VSVM_SVM_CAP_ATOMICS;
		break;
	case DRM_VSVM_PARAM_MAX_WG_SIZE:
		args->value = VSVM_MAX_WG_SIZE;
		break;
	case DRM_VSVM_PARAM_MAX_SHARED_SIZE:
		args->value = VSVM_MAX_SHARED_SIZE;
		break;
	case DRM_VSVM_PARAM_MAX_SCRATCH_SIZE:
		args->value = VSVM_MAX_SCRATCH_SIZE;
		break;
	case DRM_VSVM_PARAM_NUM_REGS:
		args->value = VSVM_NUM_REGS;
		break;
	case DRM_VSVM_PARAM_MAX_ARGS_SIZE:
		args->value = VSVM_MAX_ARGS_SIZE;
		break;
	case DRM_VSVM_PARAM_MAX_CODE_SIZE:
		args->value = VSVM_MAX_CODE_SIZE;
		break;
	case DRM_VSVM_PARAM_MIRROR_VA_END:
		args->value = min_t(u64, current->mm->task_size, 1ULL << VSVM_VA_BITS);
		break;
	case DRM_VSVM_PARAM_JOB_TIMEOUT_MS:
		args->value = READ_ONCE(vsvm_job_timeout_ms);
		break;
	case DRM_VSVM_PARAM_MAX_BO_SIZE:
		args->value = vsvm_gem_max_size();
		break;
	default:
		return vsvm_reject(vdev, -EINVAL, "param %u", args->param);
	}
	return 0;
}

static int vsvm_open(struct drm_device *drm, struct drm_file *file)
{
	struct vsvm_device *vdev = to_vsvm(drm);
	struct vsvm_file *vfile;

	vfile = kzalloc(sizeof(*vfile), GFP_KERNEL_ACCOUNT);
	if (!vfile)
		return -ENOMEM;
	vfile->vdev = vdev;
	xa_init_flags(&vfile->vms, XA_FLAGS_ALLOC1);
	xa_init_flags(&vfile->queues, XA_FLAGS_ALLOC1);
	vfile->pid = task_tgid_nr(current);
	get_task_comm(vfile->comm, current);
	file->driver_priv = vfile;

	mutex_lock(&vdev->clients_lock);
	list_add_tail(&vfile->link, &vdev->clients);
	mutex_unlock(&vdev->clients_lock);
	return 0;
}

static void vsvm_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct vsvm_device *vdev = to_vsvm(drm);
	struct vsvm_file *vfile = file->driver_priv;

	mutex_lock(&vdev->clients_lock);
	list_del(&vfile->link);
	mutex_unlock(&vdev->clients_lock);

	/* Queues first: their jobs stop before the VMs lose their bindings. */
	vsvm_queue_destroy_all(vfile);
	vsvm_vm_destroy_all(vfile);
	kfree(vfile);
}

static const struct drm_ioctl_desc vsvm_ioctls[] = {
#define VSVM_IOCTL(n, func) \
	DRM_IOCTL_DEF_DRV(VSVM_##n, vsvm_ioctl_##func, DRM_RENDER_ALLOW)
	VSVM_IOCTL(GET_PARAM, get_param),
	VSVM_IOCTL(GEM_CREATE, gem_create),
	VSVM_IOCTL(GEM_MMAP_OFFSET, gem_mmap_offset),
	VSVM_IOCTL(VM_CREATE, vm_create),
	VSVM_IOCTL(VM_DESTROY, vm_destroy),
	VSVM_IOCTL(VM_BIND, vm_bind),
	VSVM_IOCTL(QUEUE_CREATE, queue_create),
	VSVM_IOCTL(QUEUE_DESTROY, queue_destroy),
	VSVM_IOCTL(EXEC, exec),
	VSVM_IOCTL(WAIT, wait),
	VSVM_IOCTL(PREFETCH, prefetch),
	VSVM_IOCTL(WAIT_USER_FENCE, wait_user_fence),
#undef VSVM_IOCTL
};

DEFINE_DRM_GEM_FOPS(vsvm_fops);

static const struct drm_driver vsvm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER | DRIVER_SYNCOBJ,
	.open = vsvm_open,
	.postclose = vsvm_postclose,
	.gem_create_object = vsvm_gem_create_object,
	.ioctls = vsvm_ioctls,
	.num_ioctls = ARRAY_SIZE(vsvm_ioctls),
	.fops = &vsvm_fops,
	.name = DRIVER_NAME,
	.desc = DRIVER_DESC,
	.major = DRIVER_MAJOR,
	.minor = DRIVER_MINOR,
};

static void vsvm_device_destroy(struct vsvm_device *vdev)
{
	struct platform_device *pdev = to_platform_device(vdev->drm.dev);

	drm_dev_unregister(&vdev->drm);
	/* No file is open, so every job is canceled: let them end. */
	wait_event(vdev->jobs_idle, !atomic_read(&vdev->jobs_live));
	vsvm_exec_fini(vdev);
	/* Jobs end without their faults: wait for those here. */
	vsvm_fault_fini(vdev);
	vsvm_engine_fini(&vdev->engine);
	vsvm_ufence_fini(vdev);
	devres_release_group(&pdev->dev, NULL);
	platform_device_unregister(pdev);
}

static struct vsvm_device *vsvm_device_create(int index)
{
	struct platform_device *pdev;
	struct vsvm_device *vdev;
	int ret;

	pdev = platform_device_register_simple(DRIVER_NAME, index, NULL, 0);
	if (IS_ERR(pdev))
		return ERR_CAST(pdev);
	if (!devres_open_group(&pdev->dev, NULL, GFP_KERNEL)) {
		ret = -ENOMEM;
		goto err_pdev;
	}
	vdev = devm_drm_dev_alloc(&pdev->dev, &vsvm_driver, struct vsvm_device, drm);
	if (IS_ERR(vdev)) {
		ret = PTR_ERR(vdev);
		goto err_group;
	}
	mutex_init(&vdev->clients_lock);
	INIT_LIST_HEAD(&vdev->clients);
	spin_lock_init(&vdev->log_lock);
	init_waitqueue_head(&vdev->jobs_idle);

	ret = vsvm_fault_init(vdev);
	if (ret)
		goto err_group;
	ret = vsvm_ufence_init(vdev);
	if (ret)
		goto err_fault;
	ret = vsvm_engine_init(&vdev->engine, vdev, num_cus);
	if (ret)
		goto err_ufence;
	ret = vsvm_exec_init(vdev);
	if (ret)
		goto err_engine;
	vsvm_debugfs_init(vdev);
	ret = drm_dev_register(&vdev->drm, 0);
	if (ret)
		goto err_exec;
	drm_info(&vdev->drm, "%u compute units, ISA %u.%u\n", vdev->engine.n_cus,
		 VSVM_ISA_VERSION_MAJOR, VSVM_ISA_VERSION_MINOR);
	return vdev;

err_exec:
	vsvm_exec_fini(vdev);
err_engine:
	vsvm_engine_fini(&vdev->engine);
err_ufence:
	vsvm_ufence_fini(vdev);
err_fault:
	vsvm_fault_fini(vdev);
err_group:
	devres_release_group(&pdev->dev, NULL);
err_pdev:
	platform_device_unregister(pdev);
	return ERR_PTR(ret);
}

/* For the leak check and debugfs "objects". */
const char *const vsvm_obj_names[VSVM_OBJ_COUNT] = {
	[VSVM_OBJ_BO] = "bo",
	[VSVM_OBJ_VM] = "vm",
	[VSVM_OBJ_VMA] = "vma",
	[VSVM_OBJ_QUEUE] = "queue",
	[VSVM_OBJ_JOB] = "job",
	[VSVM_OBJ_SVM_RANGE] = "svm_range",
	[VSVM_OBJ_PT_PAGE] = "pt_page",
	[VSVM_OBJ_FAULT_USER] = "fault_user",
};

static void vsvm_check_leaks(void)
{
	int i;

	for (i = 0; i < VSVM_OBJ_COUNT; i++)
		if (atomic_read(&vsvm_obj_live[i]))
			pr_err("leak: %s %d\n", vsvm_obj_names[i],
			       atomic_read(&vsvm_obj_live[i]));
}

static void vsvm_exit(void)
{
	int i;

	for (i = 0; i < VSVM_MAX_DEVICES; i++) {
		if (vsvm_devices[i])
			vsvm_device_destroy(vsvm_devices[i]);
		vsvm_devices[i] = NULL;
	}
	vsvm_check_leaks();
}

static int __init vsvm_init(void)
{
	unsigned int i;

	if (!num_devices || num_devices > VSVM_MAX_DEVICES) {
		pr_err("num_devices must be 1 to %d\n", VSVM_MAX_DEVICES);
		return -EINVAL;
	}
	vsvm_simd_init();
	for (i = 0; i < num_devices; i++) {
		struct vsvm_device *vdev = vsvm_device_create(i);

		if (IS_ERR(vdev)) {
			vsvm_exit();
			return PTR_ERR(vdev);
		}
		vsvm_devices[i] = vdev;
	}
	return 0;
}

static void __exit vsvm_module_exit(void)
{
	vsvm_exit();
}

module_init(vsvm_init);
module_exit(vsvm_module_exit);

MODULE_AUTHOR("The vsvm authors");
MODULE_DESCRIPTION(DRIVER_DESC);
MODULE_LICENSE("Dual MIT/GPL");
