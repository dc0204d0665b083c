/* SPDX-License-Identifier: MIT */
/*
 * vsvm: a virtual GPU for shared virtual memory.
 *
 * Userspace API. docs/uapi.md explains each choice; this header is the
 * contract. All structures are 64-bit aligned, padding is explicit and must
 * be zero, and every structure that may grow has an @extensions field that
 * must be zero until an extension is defined.
 */
#ifndef _UAPI_VSVM_DRM_H_
#define _UAPI_VSVM_DRM_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_VSVM_GET_PARAM		0x00
#define DRM_VSVM_GEM_CREATE		0x01
#define DRM_VSVM_GEM_MMAP_OFFSET	0x02
#define DRM_VSVM_VM_CREATE		0x03
#define DRM_VSVM_VM_DESTROY		0x04
#define DRM_VSVM_VM_BIND		0x05
#define DRM_VSVM_QUEUE_CREATE		0x06
#define DRM_VSVM_QUEUE_DESTROY		0x07
#define DRM_VSVM_EXEC			0x08
#define DRM_VSVM_WAIT			0x09
#define DRM_VSVM_PREFETCH		0x0a
#define DRM_VSVM_WAIT_USER_FENCE	0x0b

/**
 * enum drm_vsvm_param - device facts readable with DRM_IOCTL_VSVM_GET_PARAM
 *
 * Unknown parameters return -EINVAL, so userspace can probe for new ones.
 */
enum drm_vsvm_param {
	/** @DRM_VSVM_PARAM_VA_BITS: width of a GPU virtual address. */
	DRM_VSVM_PARAM_VA_BITS = 0,
	/** @DRM_VSVM_PARAM_PAGE_SIZES: bitmask of GPU page sizes (4K, 2M). */
	DRM_VSVM_PARAM_PAGE_SIZES = 1,
	/** @DRM_VSVM_PARAM_ISA_VERSION: (major << 16) | minor, see vsvm_isa.h. */
	DRM_VSVM_PARAM_ISA_VERSION = 2,
	/** @DRM_VSVM_PARAM_WAVE_WIDTH: lanes per wave. */
	DRM_VSVM_PARAM_WAVE_WIDTH = 3,
	/** @DRM_VSVM_PARAM_NUM_CUS: compute units (engine workers). */
	DRM_VSVM_PARAM_NUM_CUS = 4,
	/** @DRM_VSVM_PARAM_SVM_CAPS: bitmask of DRM_VSVM_SVM_CAP_*. */
	DRM_VSVM_PARAM_SVM_CAPS = 5,
	/** @DRM_VSVM_PARAM_MAX_WG_SIZE: lanes per workgroup, all dimensions. */
	DRM_VSVM_PARAM_MAX_WG_SIZE = 6,
	/** @DRM_VSVM_PARAM_MAX_SHARED_SIZE: bytes of workgroup-shared memory. */
	DRM_VSVM_PARAM_MAX_SHARED_SIZE = 7,
	/** @DRM_VSVM_PARAM_MAX_SCRATCH_SIZE: bytes of scratch per lane. */
	DRM_VSVM_PARAM_MAX_SCRATCH_SIZE = 8,
	/** @DRM_VSVM_PARAM_NUM_REGS: registers per lane. */
	DRM_VSVM_PARAM_NUM_REGS = 9,
	/** @DRM_VSVM_PARAM_MAX_ARGS_SIZE: bytes of kernel-argument buffer. */
	DRM_VSVM_PARAM_MAX_ARGS_SIZE = 10,
	/** @DRM_VSVM_PARAM_MAX_CODE_SIZE: bytes of shader code per EXEC. */
	DRM_VSVM_PARAM_MAX_CODE_SIZE = 11,
	/**
	 * @DRM_VSVM_PARAM_MIRROR_VA_END: first address above the caller's
	 * user address space; a CPU-address mirror lies below it.
	 */
	DRM_VSVM_PARAM_MIRROR_VA_END = 12,
	/** @DRM_VSVM_PARAM_JOB_TIMEOUT_MS: run time after which a job fails. */
	DRM_VSVM_PARAM_JOB_TIMEOUT_MS = 13,
	/** @DRM_VSVM_PARAM_MAX_BO_SIZE: largest GEM_CREATE size, in bytes. */
	DRM_VSVM_PARAM_MAX_BO_SIZE = 14,
};

/** DRM_VSVM_SVM_CAP_MIRROR: VM_BIND supports DRM_VSVM_BIND_OP_MAP_MIRROR. */
#define DRM_VSVM_SVM_CAP_MIRROR		(1 << 0)
/** DRM_VSVM_SVM_CAP_USERPTR: VM_BIND supports DRM_VSVM_BIND_OP_MAP_USERPTR. */
#define DRM_VSVM_SVM_CAP_USERPTR	(1 << 1)
/** DRM_VSVM_SVM_CAP_PREFETCH: the PREFETCH ioctl is implemented. */
#define DRM_VSVM_SVM_CAP_PREFETCH	(1 << 2)
/** DRM_VSVM_SVM_CAP_ATOMICS: GPU atomics are atomic against CPU atomics. */
#define DRM_VSVM_SVM_CAP_ATOMICS	(1 << 3)

/**
 * struct drm_vsvm_get_param - argument of DRM_IOCTL_VSVM_GET_PARAM
 */
struct drm_vsvm_get_param {
	/** @param: in, an enum drm_vsvm_param. */
	__u32 param;
	/** @pad: must be zero. */
	__u32 pad;
	/** @value: out. */
	__u64 value;
};

/**
 * struct drm_vsvm_gem_create - argument of DRM_IOCTL_VSVM_GEM_CREATE
 *
 * Creates a shmem-backed buffer object of @size bytes, rounded up to the
 * CPU page size.
 */
struct drm_vsvm_gem_create {
	/** @size: in, bytes; non-zero. */
	__u64 size;
	/** @flags: in, must be zero. */
	__u32 flags;
	/** @handle: out, GEM handle. */
	__u32 handle;
};

/**
 * struct drm_vsvm_gem_mmap_offset - argument of DRM_IOCTL_VSVM_GEM_MMAP_OFFSET
 */
struct drm_vsvm_gem_mmap_offset {
	/** @handle: in, GEM handle. */
	__u32 handle;
	/** @flags: in, must be zero. */
	__u32 flags;
	/** @offset: out, fake offset to pass to mmap() on the DRM fd. */
	__u64 offset;
};

/**
 * DRM_VSVM_VM_CREATE_SVM: the VM may hold CPU-address mirrors and userptr
 * bindings of the creating process's address space, which becomes the VM's
 * owner for good. Every ioctl that names such a VM, directly or through one
 * of its queues, fails with -EPERM unless the caller uses that address
 * space, so a forked child or a process the fd was passed to can neither
 * run jobs in it nor learn how its jobs ended. Once that address space is
 * gone (its process exited or exec()ed), any holder of the file may wait
 * on and destroy what is left, but nothing runs in the VM again: binds,
 * PREFETCH, QUEUE_CREATE and EXEC stay the owner's. A VM
 * created without the flag holds only buffer objects and is usable by any
 * holder of the file.
 */
#define DRM_VSVM_VM_CREATE_SVM		(1 << 0)

/**
 * struct drm_vsvm_vm_create - argument of DRM_IOCTL_VSVM_VM_CREATE
 *
 * A VM is a GPU address space owned by the open file.
 */
struct drm_vsvm_vm_create {
	/** @extensions: in, must be zero. */
	__u64 extensions;
	/** @flags: in, DRM_VSVM_VM_CREATE_*. */
	__u32 flags;
	/** @vm_id: out, non-zero VM id, local to the file. */
	__u32 vm_id;
};

/**
 * struct drm_vsvm_vm_destroy - argument of DRM_IOCTL_VSVM_VM_DESTROY
 */
struct drm_vsvm_vm_destroy {
	/** @vm_id: in. */
	__u32 vm_id;
	/** @pad: must be zero. */
	__u32 pad;
};

/**
 * enum drm_vsvm_bind_op - operation of DRM_IOCTL_VSVM_VM_BIND
 */
enum drm_vsvm_bind_op {
	/** @DRM_VSVM_BIND_OP_MAP: map @handle at [@addr, @addr + @range). */
	DRM_VSVM_BIND_OP_MAP = 0,
	/** @DRM_VSVM_BIND_OP_UNMAP: unmap every binding kind in the range. */
	DRM_VSVM_BIND_OP_UNMAP = 1,
	/**
	 * @DRM_VSVM_BIND_OP_MAP_MIRROR: declare [@addr, @addr + @range) a
	 * CPU-address mirror: GPU VA == CPU VA of the VM's owner, resolved on
	 * GPU page fault.
	 */
	DRM_VSVM_BIND_OP_MAP_MIRROR = 2,
	/**
	 * @DRM_VSVM_BIND_OP_MAP_USERPTR: map the owner's CPU range
	 * [@userptr, @userptr + @range) at GPU VA @addr.
	 */
	DRM_VSVM_BIND_OP_MAP_USERPTR = 3,
};

/** DRM_VSVM_BIND_READONLY: GPU writes to the mapping fault. MAP, MAP_USERPTR. */
#define DRM_VSVM_BIND_READONLY		(1 << 0)

/**
 * struct drm_vsvm_vm_bind - argument of DRM_IOCTL_VSVM_VM_BIND
 *
 * Binds are synchronous: when the ioctl returns the GPU page table reflects
 * the operation. Addresses, sizes and offsets are 4 KiB aligned.
 */
struct drm_vsvm_vm_bind {
	/** @extensions: in, must be zero. */
	__u64 extensions;
	/** @vm_id: in. */
	__u32 vm_id;
	/** @op: in, an enum drm_vsvm_bind_op. */
	__u32 op;
	/** @flags: in, DRM_VSVM_BIND_*. */
	__u32 flags;
	/** @handle: in, GEM handle for MAP; zero otherwise. */
	__u32 handle;
	/** @bo_offset: in, offset into the BO for MAP; zero otherwise. */
	__u64 bo_offset;
	/** @addr: in, GPU virtual address. */
	__u64 addr;
	/** @range: in, bytes; non-zero. */
	__u64 range;
	/** @userptr: in, CPU address for MAP_USERPTR; zero otherwise. */
	__u64 userptr;
};

/**
 * struct drm_vsvm_queue_create - argument of DRM_IOCTL_VSVM_QUEUE_CREATE
 *
 * A queue runs jobs in submission order on one VM.
 */
struct drm_vsvm_queue_create {
	/** @extensions: in, must be zero. */
	__u64 extensions;
	/** @vm_id: in. */
	__u32 vm_id;
	/** @flags: in, must be zero. */
	__u32 flags;
	/** @queue_id: out, non-zero, local to the file. */
	__u32 queue_id;
	/** @pad: must be zero. */
	__u32 pad;
};

/**
 * struct drm_vsvm_queue_destroy - argument of DRM_IOCTL_VSVM_QUEUE_DESTROY
 *
 * Jobs still queued or running fail with DRM_VSVM_STATUS_CANCELED.
 */
struct drm_vsvm_queue_destroy {
	/** @queue_id: in. */
	__u32 queue_id;
	/** @pad: must be zero. */
	__u32 pad;
};

/**
 * DRM_VSVM_EXEC_USER_FENCE: when the job ends, whatever its status, the
 * driver stores @ufence_value at @ufence_addr and wakes
 * DRM_IOCTL_VSVM_WAIT_USER_FENCE. The store is made in the submitting
 * process's address space, as a store of that process would be, in
 * submission order per queue. It is skipped when that address space is
 * gone, and it fails (the memory keeps its old value; debugfs logs it)
 * where the process could not store either: an unmapped or read-only
 * address, or a page only a userfaultfd handler could provide, for which
 * the driver does not wait.
 */
#define DRM_VSVM_EXEC_USER_FENCE	(1 << 0)

/**
 * struct drm_vsvm_exec - argument of DRM_IOCTL_VSVM_EXEC
 *
 * Dispatches a grid of @grid[0] x @grid[1] x @grid[2] workgroups of
 * @wg_size[0] x @wg_size[1] x @wg_size[2] lanes. The code is read through
 * the queue's VM and validated by the ioctl: invalid code fails it with
 * -EINVAL, and debugfs names the offending offset. Later changes to that
 * memory do not affect the job. The argument buffer is read by the shader
 * (LDARG) while it runs.
 *
 * On a queue of an SVM VM (DRM_VSVM_VM_CREATE_SVM), @num_in_syncs and
 * @out_sync must be zero (-EOPNOTSUPP): such jobs publish no dma-fence.
 */
struct drm_vsvm_exec {
	/** @extensions: in, must be zero. */
	__u64 extensions;
	/** @queue_id: in. */
	__u32 queue_id;
	/** @flags: in, DRM_VSVM_EXEC_*. */
	__u32 flags;
	/** @code_addr: in, GPU VA of the first instruction, 16-byte aligned. */
	__u64 code_addr;
	/** @code_size: in, bytes, a non-zero multiple of 16. */
	__u32 code_size;
	/** @args_size: in, bytes of the argument buffer; may be zero. */
	__u32 args_size;
	/** @args_addr: in, GPU VA of the argument buffer. */
	__u64 args_addr;
	/** @grid: in, workgroups per dimension; each non-zero. */
	__u32 grid[3];
	/** @wg_size: in, lanes per dimension; each non-zero. */
	__u32 wg_size[3];
	/** @shared_size: in, bytes of workgroup-shared memory. */
	__u32 shared_size;
	/** @scratch_size: in, bytes of scratch per lane. */
	__u32 scratch_size;
	/** @in_syncs: in, user pointer to an array of __u32 syncobj handles. */
	__u64 in_syncs;
	/** @num_in_syncs: in, entries in @in_syncs. */
	__u32 num_in_syncs;
	/** @out_sync: in, syncobj that receives the job's fence, or zero. */
	__u32 out_sync;
	/** @seqno: out, the job's sequence number on the queue, from 1. */
	__u64 seqno;
	/**
	 * @ufence_addr: in, with DRM_VSVM_EXEC_USER_FENCE: 8-byte aligned
	 * address in the caller's address space; zero otherwise.
	 */
	__u64 ufence_addr;
	/**
	 * @ufence_value: in, with DRM_VSVM_EXEC_USER_FENCE: the value stored
	 * at @ufence_addr when the job ends; zero otherwise.
	 */
	__u64 ufence_value;
};

/**
 * enum drm_vsvm_status - how a job ended, read with DRM_IOCTL_VSVM_WAIT
 *
 * A failed job's fence also carries an errno, given here for each status.
 */
enum drm_vsvm_status {
	/** @DRM_VSVM_STATUS_OK: every lane ran to the end. */
	DRM_VSVM_STATUS_OK = 0,
	/** @DRM_VSVM_STATUS_UNMAPPED: no binding at the address (-EFAULT). */
	DRM_VSVM_STATUS_UNMAPPED = 1,
	/** @DRM_VSVM_STATUS_READ_ONLY: write to a read-only page (-EACCES). */
	DRM_VSVM_STATUS_READ_ONLY = 2,
	/** @DRM_VSVM_STATUS_NO_ACCESS: a PROT_NONE CPU mapping (-EACCES). */
	DRM_VSVM_STATUS_NO_ACCESS = 3,
	/** @DRM_VSVM_STATUS_NO_VMA: mirror address with no CPU mapping (-EFAULT). */
	DRM_VSVM_STATUS_NO_VMA = 4,
	/** @DRM_VSVM_STATUS_MISALIGNED: an atomic not naturally aligned (-EINVAL). */
	DRM_VSVM_STATUS_MISALIGNED = 5,
	/** @DRM_VSVM_STATUS_TRAP: a TRAP instruction; @info is its code (-EIO). */
	DRM_VSVM_STATUS_TRAP = 6,
	/** @DRM_VSVM_STATUS_TIMEOUT: ran longer than the job timeout (-ETIMEDOUT). */
	DRM_VSVM_STATUS_TIMEOUT = 7,
	/**
	 * @DRM_VSVM_STATUS_FAULT_RETRY: a page fault kept colliding with
	 * invalidations until its time bound (-EDEADLK).
	 */
	DRM_VSVM_STATUS_FAULT_RETRY = 8,
	/** @DRM_VSVM_STATUS_NOMEM: out of memory servicing a fault (-ENOMEM). */
	DRM_VSVM_STATUS_NOMEM = 9,
	/**
	 * @DRM_VSVM_STATUS_CANCELED: the queue was destroyed or the owning
	 * process's address space went away (-ECANCELED).
	 */
	DRM_VSVM_STATUS_CANCELED = 10,
	/**
	 * @DRM_VSVM_STATUS_BAD_MEMORY: the CPU mapping cannot be mirrored,
	 * for example VM_IO or VM_PFNMAP (-EFAULT).
	 */
	DRM_VSVM_STATUS_BAD_MEMORY = 11,
	/**
	 * @DRM_VSVM_STATUS_UNREACHABLE: the CPU page is one the kernel keeps
	 * out of its own address space, such as memfd_secret() memory, or
	 * device memory (-ENXIO).
	 */
	DRM_VSVM_STATUS_UNREACHABLE = 12,
	/**
	 * @DRM_VSVM_STATUS_RANGE_LIMIT: the VM already tracks as many SVM
	 * ranges as the driver allows one VM (-ENOSPC).
	 */
	DRM_VSVM_STATUS_RANGE_LIMIT = 13,
};

/* Access kinds reported in drm_vsvm_wait.fault_access. */
#define DRM_VSVM_ACCESS_READ		(1 << 0)
#define DRM_VSVM_ACCESS_WRITE		(1 << 1)
#define DRM_VSVM_ACCESS_ATOMIC		(1 << 2)
#define DRM_VSVM_ACCESS_FETCH		(1 << 3)
#define DRM_VSVM_ACCESS_SHARED		(1 << 4)
#define DRM_VSVM_ACCESS_SCRATCH		(1 << 5)

/**
 * struct drm_vsvm_wait - argument of DRM_IOCTL_VSVM_WAIT
 *
 * Waits for job @seqno of @queue_id and reports how it ended. Returns 0 when
 * the job has ended, -ETIME if @timeout_ns passed first, -ENOENT if @seqno
 * was never submitted, or 256 or more jobs were submitted to the queue
 * after it.
 */
struct drm_vsvm_wait {
	/** @queue_id: in. */
	__u32 queue_id;
	/** @flags: in, must be zero. */
	__u32 flags;
	/** @seqno: in. */
	__u64 seqno;
	/** @timeout_ns: in, relative; zero polls. */
	__s64 timeout_ns;
	/** @status: out, an enum drm_vsvm_status. */
	__u32 status;
	/** @fault_access: out, DRM_VSVM_ACCESS_* of the failing access. */
	__u32 fault_access;
	/** @fault_addr: out, address of the failing access. */
	__u64 fault_addr;
	/** @fault_pc: out, byte offset of the failing instruction. */
	__u32 fault_pc;
	/** @info: out, the trap code for DRM_VSVM_STATUS_TRAP. */
	__u32 info;
};

/** DRM_VSVM_PREFETCH_WRITE: fault pages in for writing (breaks COW). */
#define DRM_VSVM_PREFETCH_WRITE		(1 << 0)

/**
 * struct drm_vsvm_prefetch - argument of DRM_IOCTL_VSVM_PREFETCH
 *
 * Services GPU page faults for [@addr, @addr + @range) of a CPU-address
 * mirror without running a shader. Fails with the errno a job would carry.
 */
struct drm_vsvm_prefetch {
	/** @vm_id: in. */
	__u32 vm_id;
	/** @flags: in, DRM_VSVM_PREFETCH_*. */
	__u32 flags;
	/** @addr: in, 4 KiB aligned. */
	__u64 addr;
	/** @range: in, bytes, 4 KiB aligned, non-zero. */
	__u64 range;
};

/**
 * struct drm_vsvm_wait_user_fence - argument of DRM_IOCTL_VSVM_WAIT_USER_FENCE
 *
 * Waits until the 64-bit word at @addr in the caller's address space is at
 * least @value (unsigned). The word is read at the call and again each time
 * the device stores a user fence (DRM_VSVM_EXEC_USER_FENCE); a store by the
 * CPU wakes nobody. Returns 0 when the condition holds, -ETIME if
 * @timeout_ns passed first, -EFAULT if the word cannot be read.
 */
struct drm_vsvm_wait_user_fence {
	/** @addr: in, 8-byte aligned. */
	__u64 addr;
	/** @value: in. */
	__u64 value;
	/** @timeout_ns: in, relative; zero polls. */
	__s64 timeout_ns;
	/** @flags: in, must be zero. */
	__u32 flags;
	/** @pad: must be zero. */
	__u32 pad;
};

#define DRM_IOCTL_VSVM_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_GET_PARAM, struct drm_vsvm_get_param)
#define DRM_IOCTL_VSVM_GEM_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_GEM_CREATE, struct drm_vsvm_gem_create)
#define DRM_IOCTL_VSVM_GEM_MMAP_OFFSET \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_GEM_MMAP_OFFSET, struct drm_vsvm_gem_mmap_offset)
#define DRM_IOCTL_VSVM_VM_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_VM_CREATE, struct drm_vsvm_vm_create)
#define DRM_IOCTL_VSVM_VM_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_VSVM_VM_DESTROY, struct drm_vsvm_vm_destroy)
#define DRM_IOCTL_VSVM_VM_BIND \
	DRM_IOW(DRM_COMMAND_BASE + DRM_VSVM_VM_BIND, struct drm_vsvm_vm_bind)
#define DRM_IOCTL_VSVM_QUEUE_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_QUEUE_CREATE, struct drm_vsvm_queue_create)
#define DRM_IOCTL_VSVM_QUEUE_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_VSVM_QUEUE_DESTROY, struct drm_vsvm_queue_destroy)
#define DRM_IOCTL_VSVM_EXEC \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_EXEC, struct drm_vsvm_exec)
#define DRM_IOCTL_VSVM_WAIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_WAIT, struct drm_vsvm_wait)
#define DRM_IOCTL_VSVM_PREFETCH \
	DRM_IOW(DRM_COMMAND_BASE + DRM_VSVM_PREFETCH, struct drm_vsvm_prefetch)
#define DRM_IOCTL_VSVM_WAIT_USER_FENCE \
	DRM_IOW(DRM_COMMAND_BASE + DRM_VSVM_WAIT_USER_FENCE, struct drm_vsvm_wait_user_fence)

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_VSVM_DRM_H_ */
