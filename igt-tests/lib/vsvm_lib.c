// SPDX-License-Identifier: MIT
/*
 * UAPI helpers shared by the vsvm IGT tests; see vsvm_lib.h.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vsvm_lib.h"
#ifdef HAVE_VSVM_ASM
#include "vsvm_asm.h"
#endif

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

	if (igt_ioctl(fd, request, arg)) {
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

uint64_t vsvm_get_param(int fd, uint32_t param)
{
	uint64_t value = 0;

	igt_assert_f(__vsvm_get_param(fd, param, &value) == 0,
		     "GET_PARAM %s (%u) failed\n", vsvm_param_name(param),
		     param);
	return value;
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

	if (param < ARRAY_SIZE(names) && names[param])
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

uint32_t vsvm_gem_create(int fd, uint64_t size)
{
	uint32_t handle = 0;

	igt_assert_eq(__vsvm_gem_create(fd, size, &handle), 0);
	igt_assert_f(handle, "GEM_CREATE returned handle 0\n");
	return handle;
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

uint64_t vsvm_gem_mmap_offset(int fd, uint32_t handle)
{
	uint64_t offset = 0;

	igt_assert_eq(__vsvm_gem_mmap_offset(fd, handle, &offset), 0);
	return offset;
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

void *vsvm_gem_mmap(int fd, uint32_t handle, uint64_t size, int prot)
{
	void *ptr = __vsvm_gem_mmap(fd, handle, size, prot);

	igt_assert_f(ptr, "mmap of BO %u, %llu bytes failed\n", handle,
		     (unsigned long long)size);
	return ptr;
}

/* GEM_CLOSE is the DRM core's: a bad handle is -EINVAL, not -ENOENT. */
int __vsvm_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close close = { .handle = handle };

	return __vsvm_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &close);
}

void vsvm_gem_close(int fd, uint32_t handle)
{
	igt_assert_eq(__vsvm_gem_close(fd, handle), 0);
}

static void gem_access(int fd, uint32_t handle, uint64_t offset,
		       void *data, size_t size, bool write)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t start = offset & ~(uint64_t)(page - 1);
	uint64_t len = offset + size - start;
	uint8_t *ptr;

	ptr = vsvm_gem_mmap(fd, handle, len,
			    write ? PROT_READ | PROT_WRITE : PROT_READ);
	if (write)
		memcpy(ptr + (offset - start), data, size);
	else
		memcpy(data, ptr + (offset - start), size);
	igt_assert_eq(munmap(ptr, len), 0);
}

void vsvm_gem_write(int fd, uint32_t handle, uint64_t offset,
		    const void *data, size_t size)
{
	gem_access(fd, handle, offset, (void *)data, size, true);
}

void vsvm_gem_read(int fd, uint32_t handle, uint64_t offset,
		   void *data, size_t size)
{
	gem_access(fd, handle, offset, data, size, false);
}

int __vsvm_vm_create(int fd, uint32_t *vm_id)
{
	struct drm_vsvm_vm_create create = {};
	int err;

	err = __vsvm_ioctl(fd, DRM_IOCTL_VSVM_VM_CREATE, &create);
	if (!err)
		*vm_id = create.vm_id;
	return err;
}

uint32_t vsvm_vm_create(int fd)
{
	uint32_t vm_id = 0;

	igt_assert_eq(__vsvm_vm_create(fd, &vm_id), 0);
	igt_assert_f(vm_id, "VM_CREATE returned VM id 0\n");
	return vm_id;
}

int __vsvm_vm_destroy(int fd, uint32_t vm_id)
{
	struct drm_vsvm_vm_destroy destroy = { .vm_id = vm_id };

	return __vsvm_ioctl(fd, DRM_IOCTL_VSVM_VM_DESTROY, &destroy);
}

void vsvm_vm_destroy(int fd, uint32_t vm_id)
{
	igt_assert_eq(__vsvm_vm_destroy(fd, vm_id), 0);
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

void vsvm_vm_map(int fd, uint32_t vm_id, uint32_t handle,
		 uint64_t bo_offset, uint64_t addr, uint64_t range,
		 uint32_t flags)
{
	igt_assert_eq(__vsvm_vm_map(fd, vm_id, handle, bo_offset, addr, range,
				    flags), 0);
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

void vsvm_vm_unmap(int fd, uint32_t vm_id, uint64_t addr, uint64_t range)
{
	igt_assert_eq(__vsvm_vm_unmap(fd, vm_id, addr, range), 0);
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

void vsvm_vm_map_mirror(int fd, uint32_t vm_id, uint64_t addr,
			uint64_t range)
{
	igt_assert_eq(__vsvm_vm_map_mirror(fd, vm_id, addr, range), 0);
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
		.userptr = to_user_pointer(ptr),
	};

	return __vsvm_vm_bind(fd, &bind);
}

void vsvm_vm_map_userptr(int fd, uint32_t vm_id, const void *ptr,
			 uint64_t addr, uint64_t range, uint32_t flags)
{
	igt_assert_eq(__vsvm_vm_map_userptr(fd, vm_id, ptr, addr, range,
					    flags), 0);
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

uint32_t vsvm_queue_create(int fd, uint32_t vm_id)
{
	uint32_t queue_id = 0;

	igt_assert_eq(__vsvm_queue_create(fd, vm_id, &queue_id), 0);
	igt_assert_f(queue_id, "QUEUE_CREATE returned queue id 0\n");
	return queue_id;
}

int __vsvm_queue_destroy(int fd, uint32_t queue_id)
{
	struct drm_vsvm_queue_destroy destroy = { .queue_id = queue_id };

	return __vsvm_ioctl(fd, DRM_IOCTL_VSVM_QUEUE_DESTROY, &destroy);
}

void vsvm_queue_destroy(int fd, uint32_t queue_id)
{
	igt_assert_eq(__vsvm_queue_destroy(fd, queue_id), 0);
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

uint64_t vsvm_exec(int fd, struct drm_vsvm_exec *exec)
{
	igt_assert_eq(__vsvm_exec(fd, exec), 0);
	igt_assert(exec->seqno);
	return exec->seqno;
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

/* Return: how job @seqno ended, an enum drm_vsvm_status. */
uint32_t vsvm_wait(int fd, uint32_t queue_id, uint64_t seqno,
		   int64_t timeout_ns)
{
	struct drm_vsvm_wait wait;

	igt_assert_eq(__vsvm_wait(fd, queue_id, seqno, timeout_ns, &wait), 0);
	return wait.status;
}

/* Job @seqno ends within VSVM_WAIT_TIMEOUT_NS with every lane done. */
void vsvm_wait_ok(int fd, uint32_t queue_id, uint64_t seqno)
{
	struct drm_vsvm_wait wait;

	igt_assert_eq(__vsvm_wait(fd, queue_id, seqno, VSVM_WAIT_TIMEOUT_NS,
				  &wait), 0);
	igt_assert_f(wait.status == DRM_VSVM_STATUS_OK,
		     "job %llu on queue %u: %s, access %#x at %#llx, pc %#x, info %u\n",
		     (unsigned long long)seqno, queue_id,
		     vsvm_status_name(wait.status), wait.fault_access,
		     (unsigned long long)wait.fault_addr, wait.fault_pc,
		     wait.info);
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
	};

	if (status < ARRAY_SIZE(names) && names[status])
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

void vsvm_prefetch(int fd, uint32_t vm_id, uint64_t addr, uint64_t range,
		   uint32_t flags)
{
	igt_assert_eq(__vsvm_prefetch(fd, vm_id, addr, range, flags), 0);
}

/**
 * vsvm_upload_code - put shader code in a BO bound in a VM
 * @fd: DRM file
 * @vm_id: VM to bind in
 * @addr: GPU VA, page aligned; [addr, addr + @size rounded up) must be free
 * @code: instructions
 * @size: bytes at @code
 *
 * The binding is read-only: EXEC copies the code, shaders never write it.
 *
 * Return: the BO's handle; closing it leaves the binding in place.
 */
uint32_t vsvm_upload_code(int fd, uint32_t vm_id, uint64_t addr,
			  const void *code, size_t size)
{
	uint64_t bo_size = ALIGN((uint64_t)size, VSVM_PAGE_SIZE);
	uint32_t handle;

	igt_assert(size);
	handle = vsvm_gem_create(fd, bo_size);
	vsvm_gem_write(fd, handle, 0, code, size);
	vsvm_vm_map(fd, vm_id, handle, 0, addr, bo_size,
		    DRM_VSVM_BIND_READONLY);
	return handle;
}

#ifdef HAVE_VSVM_ASM
/**
 * vsvm_assemble - assemble shader source, failing the test on an error
 * @src: source text, syntax of docs/isa.md
 * @size: out, bytes of code
 *
 * Return: malloc()ed code the caller frees.
 */
void *vsvm_assemble(const char *src, size_t *size)
{
	char err[256] = "";
	uint8_t *code = NULL;

	igt_assert_f(vsvm_asm(src, &code, size, err, sizeof(err)) == 0,
		     "assembly failed: %s\n", err);
	return code;
}
#endif

/**
 * vsvm_debugfs_read - read a whole debugfs file of the device
 * @fd: DRM file of the device
 * @name: file name in the device's debugfs directory
 *
 * Return: malloc()ed NUL-terminated contents, or NULL with errno set if the
 * file cannot be opened or read.
 */
char *vsvm_debugfs_read(int fd, const char *name)
{
	size_t len = 0, cap = 4096;
	char *buf = NULL, *tmp;
	int file, err;

	file = igt_debugfs_open(fd, name, O_RDONLY);
	if (file < 0)
		return NULL;

	for (;;) {
		ssize_t n;

		if (!buf || len + 1 >= cap) {
			cap *= 2;
			tmp = realloc(buf, cap);
			if (!tmp) {
				err = ENOMEM;
				goto fail;
			}
			buf = tmp;
		}
		n = read(file, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(file);
	buf[len] = '\0';
	return buf;

fail:
	free(buf);
	close(file);
	errno = err;
	return NULL;
}
