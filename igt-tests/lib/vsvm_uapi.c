// SPDX-License-Identifier: MIT
/*
 * The vsvm UAPI as plain C calls, with no test framework: every function
 * returns 0 or -errno. Tests use it through vsvm_lib.h, which adds IGT
 * assertions; the demo and the benchmarks use it directly.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "vsvm_uapi.h"

/* As drmIoctl(): restart when a signal or a busy device interrupts. */
static int uapi_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret;
}

/**
 * __vsvm_ioctl - issue a DRM ioctl
 * @fd: DRM file
 * @request: ioctl number
 * @arg: its argument
 *
 * Return: 0 or -errno; errno is left at 0 so later assertions do not report
 * a stale one.
 */
int __vsvm_ioctl(int fd, unsigned long request, void *arg)
{
	int err = 0;

	if (uapi_ioctl(fd, request, arg)) {
		err = -errno;
		errno = 0;
	}
	return err;
}

int __vsvm_get_param(int fd, uint32_t param, uint64_t *value)
{
	struct drm_vsvm_get_param gp = { .param = param };
	int err;

	err = __vsvm_ioctl(fd, DRM_IOCTL_VSVM_GET_PARAM, &gp);
	if (!err)
		*value = gp.value;
	return err;
}

const char *vsvm_param_name(uint32_t param)
{
	static const char * const names[] = {
		[DRM_VSVM_PARAM_VA_BITS] = "VA_BITS",
		[DRM_VSVM_PARAM_PAGE_SIZES] = "PAGE_SIZES",
		[DRM_VSVM_PARAM_ISA_VERSION] = "ISA_VERSION",
		[DRM_VSVM_PARAM_WAVE_WIDTH] = "WAVE_WIDTH",
		[DRM_VSVM_PARAM_NUM_CUS] = "NUM_CUS",
		[DRM_VSVM_PARAM_SVM_CAPS] = "SVM_CAPS",
		[DRM_VSVM_PARAM_MAX_WG_SIZE] = "MAX_WG_SIZE",
		[DRM_VSVM_PARAM_MAX_SHARED_SIZE] = "MAX_SHARED_SIZE",
		[DRM_VSVM_PARAM_MAX_SCRATCH_SIZE] = "MAX_SCRATCH_SIZE",
		[DRM_VSVM_PARAM_NUM_REGS] = "NUM_REGS",
		[DRM_VSVM_PARAM_MAX_ARGS_SIZE] = "MAX_ARGS_SIZE",
		[DRM_VSVM_PARAM_MAX_CODE_SIZE] = "MAX_CODE_SIZE",
		[DRM_VSVM_PARAM_MIRROR_VA_END] = "MIRROR_VA_END",
		[DRM_VSVM_PARAM_JOB_TIMEOUT_MS] = "JOB_TIMEOUT_MS",
		[DRM_VSVM_PARAM_MAX_BO_SIZE] = "MAX_BO_SIZE",
	};

	if (param < sizeof(names) / sizeof(names[0]) && names[param])
		return names[param];
	return "unknown";
}

int __vsvm_gem_create(int fd, uint64_t size, uint32_t *handle)
{
	struct drm_vsvm_gem_create create = { .size = size };
	int err;

	err = __vsvm_ioctl(fd, DRM_IOCTL_VSVM_GEM_CREATE, &create);
	if (!err)
		*handle = create.handle;
	return err;
}

int __vsvm_gem_mmap_offset(int fd, uint32_t handle, uint64_t *offset)
{
	struct drm_vsvm_gem_mmap_offset arg = { .handle = handle };
	int err;

	err = __vsvm_ioctl(fd, DRM_IOCTL_VSVM_GEM_MMAP_OFFSET, &arg);
	if (!err)
		*offset = arg.offset;
	return err;
}

/**
 * __vsvm_gem_mmap - map a BO through the DRM file, shared
 * @fd: DRM file
 * @handle: BO
 * @size: bytes to map, from the start of the BO
 * @prot: PROT_* of the mapping
 *
 * Return: the mapping, or NULL with errno set by GEM_MMAP_OFFSET or mmap().
 */
void *__vsvm_gem_mmap(int fd, uint32_t handle, uint64_t size, int prot)
{
	uint64_t offset;
	void *ptr;
	int err;

	err = __vsvm_gem_mmap_offset(fd, handle, &offset);
	if (err) {
		errno = -err;
		return NULL;
	}
	ptr = mmap(NULL, size, prot, MAP_SHARED, fd, offset);
	return ptr == MAP_FAILED ? NULL : ptr;
}

/* GEM_CLOSE is the DRM core's: a bad handle is -EINVAL, not -ENOENT. */
int __vsvm_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close close = { .handle = handle };

	return __vsvm_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &close);
}

int __vsvm_vm_create(int fd, uint32_t flags, uint32_t *vm_id)
{
	struct drm_vsvm_vm_create create = { .flags = flags };
	int err;

	err = __vsvm_ioctl(fd, DRM_IOCTL_VSVM_VM_CREATE, &create);
	if (!err)
		*vm_id = create.vm_id;
	return err;
}

int __vsvm_vm_destroy(int fd, uint32_t vm_id)
{
	struct drm_vsvm_vm_destroy destroy = { .vm_id = vm_id };

	return __vsvm_ioctl(fd, DRM_IOCTL_VSVM_VM_DESTROY, &destroy);
}

int __vsvm_vm_bind(int fd, struct drm_vsvm_vm_bind *bind)
{
	return __vsvm_ioctl(fd, DRM_IOCTL_VSVM_VM_BIND, bind);
}

int __vsvm_vm_map(int fd, uint32_t vm_id, uint32_t handle,
		  uint64_t bo_offset, uint64_t addr, uint64_t range,
		  uint32_t flags)
{
	struct drm_vsvm_vm_bind bind = {
		.vm_id = vm_id,
		.op = DRM_VSVM_BIND_OP_MAP,
		.flags = flags,
		.handle = handle,
		.bo_offset = bo_offset,
		.addr = addr,
		.range = range,
	};

	return __vsvm_vm_bind(fd, &bind);
}

int __vsvm_vm_unmap(int fd, uint32_t vm_id, uint64_t addr, uint64_t range)
{
	struct drm_vsvm_vm_bind bind = {
		.vm_id = vm_id,
		.op = DRM_VSVM_BIND_OP_UNMAP,
		.addr = addr,
		.range = range,
	};

	return __vsvm_vm_bind(fd, &bind);
}

int __vsvm_vm_map_mirror(int fd, uint32_t vm_id, uint64_t addr,
			 uint64_t range)
{
	struct drm_vsvm_vm_bind bind = {
		.vm_id = vm_id,
		.op = DRM_VSVM_BIND_OP_MAP_MIRROR,
		.addr = addr,
		.range = range,
	};

	return __vsvm_vm_bind(fd, &bind);
}

int __vsvm_vm_map_userptr(int fd, uint32_t vm_id, const void *ptr,
			  uint64_t addr, uint64_t range, uint32_t flags)
{
	struct drm_vsvm_vm_bind bind = {
		.vm_id = vm_id,
		.op = DRM_VSVM_BIND_OP_MAP_USERPTR,
		.flags = flags,
		.addr = addr,
		.range = range,
		.userptr = (uintptr_t)ptr,
	};

	return __vsvm_vm_bind(fd, &bind);
}

int __vsvm_queue_create(int fd, uint32_t vm_id, uint32_t *queue_id)
{
	struct drm_vsvm_queue_create create = { .vm_id = vm_id };
	int err;

	err = __vsvm_ioctl(fd, DRM_IOCTL_VSVM_QUEUE_CREATE, &create);
	if (!err)
		*queue_id = create.queue_id;
	return err;
}

int __vsvm_queue_destroy(int fd, uint32_t queue_id)
{
	struct drm_vsvm_queue_destroy destroy = { .queue_id = queue_id };

	return __vsvm_ioctl(fd, DRM_IOCTL_VSVM_QUEUE_DESTROY, &destroy);
}

/**
 * vsvm_exec_init - describe a dispatch of one single-lane workgroup
 * @exec: filled in; the caller adjusts grid, sizes and arguments after
 * @queue_id: queue
 * @code_addr: GPU VA of the code
 * @code_size: bytes of code
 */
void vsvm_exec_init(struct drm_vsvm_exec *exec, uint32_t queue_id,
		    uint64_t code_addr, uint32_t code_size)
{
	memset(exec, 0, sizeof(*exec));
	exec->queue_id = queue_id;
	exec->code_addr = code_addr;
	exec->code_size = code_size;
	for (int i = 0; i < 3; i++) {
		exec->grid[i] = 1;
		exec->wg_size[i] = 1;
	}
}

int __vsvm_exec(int fd, struct drm_vsvm_exec *exec)
{
	return __vsvm_ioctl(fd, DRM_IOCTL_VSVM_EXEC, exec);
}

/**
 * vsvm_exec_set_user_fence - have the job store @value at @addr when it ends
 * @exec: the dispatch
 * @addr: 8-byte aligned word of the caller's memory
 * @value: what the driver stores there, whatever the job's status
 */
void vsvm_exec_set_user_fence(struct drm_vsvm_exec *exec,
			      volatile uint64_t *addr, uint64_t value)
{
	exec->flags |= DRM_VSVM_EXEC_USER_FENCE;
	exec->ufence_addr = (uintptr_t)addr;
	exec->ufence_value = value;
}

/* Return: 0 once *@addr >= @value, -ETIME after @timeout_ns, or -errno. */
int __vsvm_wait_user_fence(int fd, volatile uint64_t *addr, uint64_t value,
			   int64_t timeout_ns)
{
	struct drm_vsvm_wait_user_fence wait = {
		.addr = (uintptr_t)addr,
		.value = value,
		.timeout_ns = timeout_ns,
	};

	return __vsvm_ioctl(fd, DRM_IOCTL_VSVM_WAIT_USER_FENCE, &wait);
}

int __vsvm_wait(int fd, uint32_t queue_id, uint64_t seqno,
		int64_t timeout_ns, struct drm_vsvm_wait *result)
{
	struct drm_vsvm_wait wait = {
		.queue_id = queue_id,
		.seqno = seqno,
		.timeout_ns = timeout_ns,
	};
	int err;

	err = __vsvm_ioctl(fd, DRM_IOCTL_VSVM_WAIT, &wait);
	if (result)
		*result = wait;
	return err;
}

const char *vsvm_status_name(uint32_t status)
{
	static const char * const names[] = {
		[DRM_VSVM_STATUS_OK] = "OK",
		[DRM_VSVM_STATUS_UNMAPPED] = "UNMAPPED",
		[DRM_VSVM_STATUS_READ_ONLY] = "READ_ONLY",
		[DRM_VSVM_STATUS_NO_ACCESS] = "NO_ACCESS",
		[DRM_VSVM_STATUS_NO_VMA] = "NO_VMA",
		[DRM_VSVM_STATUS_MISALIGNED] = "MISALIGNED",
		[DRM_VSVM_STATUS_TRAP] = "TRAP",
		[DRM_VSVM_STATUS_TIMEOUT] = "TIMEOUT",
		[DRM_VSVM_STATUS_FAULT_RETRY] = "FAULT_RETRY",
		[DRM_VSVM_STATUS_NOMEM] = "NOMEM",
		[DRM_VSVM_STATUS_CANCELED] = "CANCELED",
		[DRM_VSVM_STATUS_BAD_MEMORY] = "BAD_MEMORY",
		[DRM_VSVM_STATUS_UNREACHABLE] = "UNREACHABLE",
		[DRM_VSVM_STATUS_RANGE_LIMIT] = "RANGE_LIMIT",
	};

	if (status < sizeof(names) / sizeof(names[0]) && names[status])
		return names[status];
	return "unknown";
}

int __vsvm_prefetch(int fd, uint32_t vm_id, uint64_t addr, uint64_t range,
		    uint32_t flags)
{
	struct drm_vsvm_prefetch prefetch = {
		.vm_id = vm_id,
		.flags = flags,
		.addr = addr,
		.range = range,
	};

	return __vsvm_ioctl(fd, DRM_IOCTL_VSVM_PREFETCH, &prefetch);
}

/**
 * vsvm_time_scale - how much slower than an idle host this machine runs
 *
 * tools/vm calibrates the guest at boot and exports the factor as
 * VSVM_TIME_SCALE (docs/testing.md, "Time limits under load"). Limits on
 * how long to wait before calling something hung are multiplied by it;
 * checks of how fast something was are not.
 *
 * Return: VSVM_TIME_SCALE, or 1 when it is unset, malformed or below 1.
 */
double vsvm_time_scale(void)
{
	const char *env = getenv("VSVM_TIME_SCALE");
	char *end;
	double scale;

	if (!env || !*env)
		return 1;
	scale = strtod(env, &end);
	/* Also false for a NaN. */
	if (*end || !(scale >= 1))
		return 1;
	return scale < 100 ? scale : 100;
}

/**
 * vsvm_scaled_limit - a time limit for this machine's speed
 * @limit: the limit on an idle host, in any unit: nanoseconds, seconds,
 *	   polls of a fixed period
 *
 * Return: @limit times vsvm_time_scale(), rounded up.
 */
int64_t vsvm_scaled_limit(int64_t limit)
{
	double scaled = limit * vsvm_time_scale();
	int64_t ret = (int64_t)scaled;

	return ret < scaled ? ret + 1 : ret;
}

/**
 * vsvm_fault_latency_parse - parse debugfs "fault_latency"
 * @text: the file's contents
 * @lat: out
 *
 * Return: 0, or -EINVAL if @text is not the format docs/svm.md describes.
 */
int vsvm_fault_latency_parse(const char *text, struct vsvm_fault_latency *lat)
{
	const char *line = text;
	bool sums = false;

	memset(lat, 0, sizeof(*lat));
	if (strncmp(line, "lt_ns 4k 2m\n", 12))
		return -EINVAL;
	while ((line = strchr(line, '\n')) && *++line) {
		char bound[32];
		int64_t n4k, n2m;
		int i = lat->n_buckets;

		if (sums || sscanf(line, "%31s %" SCNd64 " %" SCNd64, bound, &n4k, &n2m) != 3)
			return -EINVAL;
		if (!strcmp(bound, "sum_ns")) {
			lat->sum_ns[0] = n4k;
			lat->sum_ns[1] = n2m;
			sums = true;
			continue;
		}
		if (i == VSVM_FAULT_LAT_MAX_BUCKETS)
			return -EINVAL;
		lat->lt_ns[i] = strcmp(bound, "inf") ? strtoull(bound, NULL, 10) : UINT64_MAX;
		if (i && lat->lt_ns[i] <= lat->lt_ns[i - 1])
			return -EINVAL;
		lat->count[0][i] = n4k;
		lat->count[1][i] = n2m;
		lat->n_buckets++;
	}
	if (!sums || lat->n_buckets < 2 || lat->lt_ns[lat->n_buckets - 1] != UINT64_MAX)
		return -EINVAL;
	return 0;
}
