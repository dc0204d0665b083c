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

uint64_t vsvm_get_param(int fd, uint32_t param)
{
	uint64_t value = 0;

	igt_assert_f(__vsvm_get_param(fd, param, &value) == 0,
		     "GET_PARAM %s (%u) failed\n", vsvm_param_name(param),
		     param);
	return value;
}

uint32_t vsvm_gem_create(int fd, uint64_t size)
{
	uint32_t handle = 0;

	igt_assert_eq(__vsvm_gem_create(fd, size, &handle), 0);
	igt_assert_f(handle, "GEM_CREATE returned handle 0\n");
	return handle;
}

uint64_t vsvm_gem_mmap_offset(int fd, uint32_t handle)
{
	uint64_t offset = 0;

	igt_assert_eq(__vsvm_gem_mmap_offset(fd, handle, &offset), 0);
	return offset;
}

void *vsvm_gem_mmap(int fd, uint32_t handle, uint64_t size, int prot)
{
	void *ptr = __vsvm_gem_mmap(fd, handle, size, prot);

	igt_assert_f(ptr, "mmap of BO %u, %llu bytes failed\n", handle,
		     (unsigned long long)size);
	return ptr;
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

uint32_t vsvm_vm_create(int fd)
{
	uint32_t vm_id = 0;

	igt_assert_eq(__vsvm_vm_create(fd, &vm_id), 0);
	igt_assert_f(vm_id, "VM_CREATE returned VM id 0\n");
	return vm_id;
}

void vsvm_vm_destroy(int fd, uint32_t vm_id)
{
	igt_assert_eq(__vsvm_vm_destroy(fd, vm_id), 0);
}

void vsvm_vm_map(int fd, uint32_t vm_id, uint32_t handle,
		 uint64_t bo_offset, uint64_t addr, uint64_t range,
		 uint32_t flags)
{
	igt_assert_eq(__vsvm_vm_map(fd, vm_id, handle, bo_offset, addr, range,
				    flags), 0);
}

void vsvm_vm_unmap(int fd, uint32_t vm_id, uint64_t addr, uint64_t range)
{
	igt_assert_eq(__vsvm_vm_unmap(fd, vm_id, addr, range), 0);
}

void vsvm_vm_map_mirror(int fd, uint32_t vm_id, uint64_t addr,
			uint64_t range)
{
	igt_assert_eq(__vsvm_vm_map_mirror(fd, vm_id, addr, range), 0);
}

void vsvm_vm_map_userptr(int fd, uint32_t vm_id, const void *ptr,
			 uint64_t addr, uint64_t range, uint32_t flags)
{
	igt_assert_eq(__vsvm_vm_map_userptr(fd, vm_id, ptr, addr, range,
					    flags), 0);
}

uint32_t vsvm_queue_create(int fd, uint32_t vm_id)
{
	uint32_t queue_id = 0;

	igt_assert_eq(__vsvm_queue_create(fd, vm_id, &queue_id), 0);
	igt_assert_f(queue_id, "QUEUE_CREATE returned queue id 0\n");
	return queue_id;
}

void vsvm_queue_destroy(int fd, uint32_t queue_id)
{
	igt_assert_eq(__vsvm_queue_destroy(fd, queue_id), 0);
}

uint64_t vsvm_exec(int fd, struct drm_vsvm_exec *exec)
{
	igt_assert_eq(__vsvm_exec(fd, exec), 0);
	igt_assert(exec->seqno);
	return exec->seqno;
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
