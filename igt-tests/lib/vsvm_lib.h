/* SPDX-License-Identifier: MIT */
/*
 * UAPI helpers shared by the vsvm IGT tests, one per ioctl of
 * drm-driver/include/uapi/drm/vsvm_drm.h, in IGT's style:
 *
 *   __vsvm_foo(fd, ...)  issues the ioctl and returns 0 or -errno, leaving
 *                        errno at 0; outputs go through pointers
 *                        (vsvm_uapi.h, free of any test framework).
 *   vsvm_foo(fd, ...)    asserts that it succeeded and returns the output.
 *
 * A test that checks how the driver rejects a field with no helper argument
 * fills the structure itself and calls __vsvm_ioctl().
 *
 * Builds against real IGT and against igt-tests/lib/igt-shim alike.
 */
#ifndef VSVM_LIB_H
#define VSVM_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "igt.h"
#include "vsvm_drm.h"
#include "vsvm_uapi.h"
#include "vsvm_isa.h"

/*
 * Default bound for waiting on a job. Generous: the interpreter runs under
 * TCG emulation in the test VM, orders of magnitude slower than hardware.
 */
#define VSVM_WAIT_TIMEOUT_NS	(60ll * 1000 * 1000 * 1000)

/* DRM_IOCTL_VSVM_GET_PARAM */
uint64_t vsvm_get_param(int fd, uint32_t param);

/* DRM_IOCTL_VSVM_GEM_CREATE, DRM_IOCTL_VSVM_GEM_MMAP_OFFSET, GEM_CLOSE */
uint32_t vsvm_gem_create(int fd, uint64_t size);
uint64_t vsvm_gem_mmap_offset(int fd, uint32_t handle);
void *vsvm_gem_mmap(int fd, uint32_t handle, uint64_t size, int prot);
void vsvm_gem_close(int fd, uint32_t handle);
void vsvm_gem_write(int fd, uint32_t handle, uint64_t offset,
		    const void *data, size_t size);
void vsvm_gem_read(int fd, uint32_t handle, uint64_t offset,
		   void *data, size_t size);

/* DRM_IOCTL_VSVM_VM_CREATE, DRM_IOCTL_VSVM_VM_DESTROY */
uint32_t vsvm_vm_create(int fd);
void vsvm_vm_destroy(int fd, uint32_t vm_id);

/* DRM_IOCTL_VSVM_VM_BIND, one pair per operation */
void vsvm_vm_map(int fd, uint32_t vm_id, uint32_t handle,
		 uint64_t bo_offset, uint64_t addr, uint64_t range,
		 uint32_t flags);
void vsvm_vm_unmap(int fd, uint32_t vm_id, uint64_t addr, uint64_t range);
void vsvm_vm_map_mirror(int fd, uint32_t vm_id, uint64_t addr,
			uint64_t range);
void vsvm_vm_map_userptr(int fd, uint32_t vm_id, const void *ptr,
			 uint64_t addr, uint64_t range, uint32_t flags);

/* DRM_IOCTL_VSVM_QUEUE_CREATE, DRM_IOCTL_VSVM_QUEUE_DESTROY */
uint32_t vsvm_queue_create(int fd, uint32_t vm_id);
void vsvm_queue_destroy(int fd, uint32_t queue_id);

/* DRM_IOCTL_VSVM_EXEC */
uint64_t vsvm_exec(int fd, struct drm_vsvm_exec *exec);

/* DRM_IOCTL_VSVM_WAIT */
uint32_t vsvm_wait(int fd, uint32_t queue_id, uint64_t seqno,
		   int64_t timeout_ns);
void vsvm_wait_ok(int fd, uint32_t queue_id, uint64_t seqno);

/* DRM_IOCTL_VSVM_PREFETCH */
void vsvm_prefetch(int fd, uint32_t vm_id, uint64_t addr, uint64_t range,
		   uint32_t flags);

/* Code: a BO holding @size bytes of @code, bound read-only at @addr. */
uint32_t vsvm_upload_code(int fd, uint32_t vm_id, uint64_t addr,
			  const void *code, size_t size);
#ifdef HAVE_VSVM_ASM
void *vsvm_assemble(const char *src, size_t *size);
#endif

/* debugfs of the device behind @fd */
char *vsvm_debugfs_read(int fd, const char *name);

#endif /* VSVM_LIB_H */
