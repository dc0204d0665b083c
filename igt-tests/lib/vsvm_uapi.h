/* SPDX-License-Identifier: MIT */
/*
 * The vsvm UAPI of drm-driver/include/uapi/drm/vsvm_drm.h as plain C calls,
 * shared by the tests (through vsvm_lib.h), the demo and the benchmarks.
 * Each __vsvm_foo(fd, ...) issues one ioctl, restarting it on EINTR/EAGAIN,
 * and returns 0 or -errno; outputs go through pointers.
 */
#ifndef VSVM_UAPI_H
#define VSVM_UAPI_H

#include <stdint.h>

#include "vsvm_drm.h"

/* The GPU page size every VM_BIND and PREFETCH argument is aligned to. */
#define VSVM_PAGE_SIZE		4096ull

int __vsvm_ioctl(int fd, unsigned long request, void *arg);
int __vsvm_get_param(int fd, uint32_t param, uint64_t *value);
const char *vsvm_param_name(uint32_t param);
int __vsvm_gem_create(int fd, uint64_t size, uint32_t *handle);
int __vsvm_gem_mmap_offset(int fd, uint32_t handle, uint64_t *offset);
void *__vsvm_gem_mmap(int fd, uint32_t handle, uint64_t size, int prot);
int __vsvm_gem_close(int fd, uint32_t handle);
int __vsvm_vm_create(int fd, uint32_t flags, uint32_t *vm_id);
int __vsvm_vm_destroy(int fd, uint32_t vm_id);
int __vsvm_vm_bind(int fd, struct drm_vsvm_vm_bind *bind);
int __vsvm_vm_map(int fd, uint32_t vm_id, uint32_t handle,
		  uint64_t bo_offset, uint64_t addr, uint64_t range,
		  uint32_t flags);
int __vsvm_vm_unmap(int fd, uint32_t vm_id, uint64_t addr, uint64_t range);
int __vsvm_vm_map_mirror(int fd, uint32_t vm_id, uint64_t addr,
			 uint64_t range);
int __vsvm_vm_map_userptr(int fd, uint32_t vm_id, const void *ptr,
			  uint64_t addr, uint64_t range, uint32_t flags);
int __vsvm_queue_create(int fd, uint32_t vm_id, uint32_t *queue_id);
int __vsvm_queue_destroy(int fd, uint32_t queue_id);
void vsvm_exec_init(struct drm_vsvm_exec *exec, uint32_t queue_id,
		    uint64_t code_addr, uint32_t code_size);
int __vsvm_exec(int fd, struct drm_vsvm_exec *exec);
void vsvm_exec_set_user_fence(struct drm_vsvm_exec *exec,
			      volatile uint64_t *addr, uint64_t value);
int __vsvm_wait_user_fence(int fd, volatile uint64_t *addr, uint64_t value,
			   int64_t timeout_ns);
int __vsvm_wait(int fd, uint32_t queue_id, uint64_t seqno,
		int64_t timeout_ns, struct drm_vsvm_wait *result);
const char *vsvm_status_name(uint32_t status);
int __vsvm_prefetch(int fd, uint32_t vm_id, uint64_t addr, uint64_t range,
		    uint32_t flags);

/*
 * debugfs "fault_latency" (docs/svm.md "Fault latency histograms"): per
 * bucket its exclusive upper bound in ns (UINT64_MAX for the last) and the
 * faults in it that installed 4 KiB ([0]) and 2 MiB ([1]) PTEs.
 */
#define VSVM_FAULT_LAT_MAX_BUCKETS	64
struct vsvm_fault_latency {
	int n_buckets;
	uint64_t lt_ns[VSVM_FAULT_LAT_MAX_BUCKETS];
	int64_t count[2][VSVM_FAULT_LAT_MAX_BUCKETS];
	int64_t sum_ns[2];
};

/* Parses the file's @text into @lat; 0, or -EINVAL if it is malformed. */
int vsvm_fault_latency_parse(const char *text, struct vsvm_fault_latency *lat);

/* Time limits for a busy host (VSVM_TIME_SCALE): the tools need them too. */
double vsvm_time_scale(void);
int64_t vsvm_scaled_limit(int64_t limit);

#endif /* VSVM_UAPI_H */
