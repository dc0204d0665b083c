// SPDX-License-Identifier: MIT
/*
 * UAPI helpers shared by the vsvm IGT tests; see vsvm_lib.h.
 */
#include <fcntl.h>
#include <linux/fuse.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/sync_file.h>

#include "igt_syncobj.h"
#include <linux/userfaultfd.h>

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

/* A BO's mapping always starts at its first byte: map up to @offset + @size. */
static void gem_access(int fd, uint32_t handle, uint64_t offset,
		       void *data, size_t size, bool write)
{
	uint64_t len = offset + size;
	uint8_t *ptr;

	ptr = vsvm_gem_mmap(fd, handle, len,
			    write ? PROT_READ | PROT_WRITE : PROT_READ);
	if (write)
		memcpy(ptr + offset, data, size);
	else
		memcpy(data, ptr + offset, size);
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

uint32_t vsvm_vm_create(int fd, uint32_t flags)
{
	uint32_t vm_id = 0;

	igt_assert_eq(__vsvm_vm_create(fd, flags, &vm_id), 0);
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

/* *@addr reaches @value within VSVM_WAIT_TIMEOUT_NS. */
void vsvm_wait_user_fence(int fd, volatile uint64_t *addr, uint64_t value)
{
	int err = __vsvm_wait_user_fence(fd, addr, value, VSVM_WAIT_TIMEOUT_NS);

	igt_assert_f(!err, "user fence at %p: %d (%s), holds %#llx, waited for %#llx\n",
		     (void *)addr, err, strerror(-err),
		     (unsigned long long)*addr, (unsigned long long)value);
	igt_assert_lte_u64(value, *addr);
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

/**
 * vsvm_debugfs_write_u64 - write a number to a debugfs file of the device
 * @fd: DRM file of the device
 * @name: file name in the device's debugfs directory, e.g.
 *	"fault_inject/ebusy"
 * @value: what to write, in decimal
 *
 * Return: 0, or -errno if the file cannot be opened or refuses the value.
 */
int vsvm_debugfs_write_u64(int fd, const char *name, uint64_t value)
{
	char buf[24];
	int file, len, ret = 0;

	file = igt_debugfs_open(fd, name, O_WRONLY);
	if (file < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", value);
	if (write(file, buf, len) != len)
		ret = -errno;
	close(file);
	return ret;
}

/**
 * vsvm_debugfs_value - one value of a "name value" debugfs file
 * @fd: DRM file of the device
 * @file: file name in the device's debugfs directory, e.g. "counters"
 * @name: the line's name, e.g. "faults"
 *
 * Return: the value, or -1 if the file cannot be read or has no such line.
 */
int64_t vsvm_debugfs_value(int fd, const char *file, const char *name)
{
	char *text = vsvm_debugfs_read(fd, file), *line, *save = NULL;
	size_t len = strlen(name);
	int64_t value = -1;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, name, len) && line[len] == ' ') {
			value = strtoll(line + len + 1, NULL, 10);
			break;
		}
	}
	free(text);
	return value;
}

static void *runner_bo(struct vsvm_runner *r, uint64_t size, uint64_t addr,
		       uint32_t bind_flags, uint32_t *handle)
{
	*handle = vsvm_gem_create(r->fd, size);
	vsvm_vm_map(r->fd, r->vm_id, *handle, 0, addr, size, bind_flags);
	return vsvm_gem_mmap(r->fd, *handle, size, PROT_READ | PROT_WRITE);
}

/**
 * vsvm_runner_create - a VM, a queue, and code, argument and data buffers
 * @fd: DRM file
 * @data_size: bytes of the data BO, rounded up to whole pages
 *
 * See struct vsvm_runner for the layout.
 *
 * Return: the runner, to be freed with vsvm_runner_destroy().
 */
struct vsvm_runner *vsvm_runner_create(int fd, uint64_t data_size)
{
	struct vsvm_runner *r = calloc(1, sizeof(*r));

	igt_assert(r);
	r->fd = fd;
	r->vm_id = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_SVM);
	r->queue_id = vsvm_queue_create(fd, r->vm_id);
	r->args_size = ALIGN(vsvm_get_param(fd, DRM_VSVM_PARAM_MAX_ARGS_SIZE),
			     VSVM_PAGE_SIZE);
	r->data_size = ALIGN(data_size, VSVM_PAGE_SIZE);
	igt_assert(VSVM_RUNNER_ARGS_ADDR + r->args_size <= VSVM_RUNNER_DATA_ADDR);

	r->code = runner_bo(r, VSVM_RUNNER_CODE_SIZE, VSVM_RUNNER_CODE_ADDR,
			    DRM_VSVM_BIND_READONLY, &r->code_bo);
	r->args = runner_bo(r, r->args_size, VSVM_RUNNER_ARGS_ADDR, 0,
			    &r->args_bo);
	r->data = runner_bo(r, r->data_size, VSVM_RUNNER_DATA_ADDR, 0,
			    &r->data_bo);
	return r;
}

/* A test that destroyed the runner's VM itself sets r->vm_id to 0 first. */
void vsvm_runner_destroy(struct vsvm_runner *r)
{
	if (!r)
		return;
	munmap(r->code, VSVM_RUNNER_CODE_SIZE);
	munmap(r->args, r->args_size);
	munmap(r->data, r->data_size);
	vsvm_queue_destroy(r->fd, r->queue_id);
	if (r->vm_id)
		vsvm_vm_destroy(r->fd, r->vm_id);
	vsvm_gem_close(r->fd, r->code_bo);
	vsvm_gem_close(r->fd, r->args_bo);
	vsvm_gem_close(r->fd, r->data_bo);
	free(r);
}

/**
 * __vsvm_runner_submit - submit a shader without waiting for it
 * @r: runner
 * @code: instructions, copied to the code BO
 * @size: bytes at @code
 * @launch: dispatch
 * @seqno: out, the job's sequence number, when EXEC succeeded
 *
 * EXEC copies the code, so the runner may take the next shader at once;
 * the arguments are read while the job runs and must stay as they are.
 *
 * Return: 0, or the -errno of a rejected EXEC.
 */
int __vsvm_runner_submit(struct vsvm_runner *r, const void *code, size_t size,
			 const struct vsvm_launch *launch, uint64_t *seqno)
{
	struct drm_vsvm_exec exec;
	int ret;

	igt_assert_f(size <= VSVM_RUNNER_CODE_SIZE, "%zu bytes of code\n", size);
	memcpy(r->code, code, size);
	vsvm_exec_init(&exec, r->queue_id, VSVM_RUNNER_CODE_ADDR, size);
	for (int i = 0; i < 3; i++) {
		exec.grid[i] = launch->grid[i] ?: 1;
		exec.wg_size[i] = launch->wg_size[i] ?: 1;
	}
	exec.shared_size = launch->shared_size;
	exec.scratch_size = launch->scratch_size;
	exec.args_size = launch->args_size;
	exec.args_addr = launch->args_addr;
	if (launch->args) {
		igt_assert_lte(launch->args_size, r->args_size);
		memcpy(r->args, launch->args, launch->args_size);
		exec.args_addr = VSVM_RUNNER_ARGS_ADDR;
	}

	ret = __vsvm_exec(r->fd, &exec);
	if (!ret)
		*seqno = exec.seqno;
	return ret;
}

/* __vsvm_runner_submit(), asserting that EXEC took the job. */
uint64_t vsvm_runner_submit(struct vsvm_runner *r, const void *code, size_t size,
			    const struct vsvm_launch *launch)
{
	uint64_t seqno = 0;
	int ret = __vsvm_runner_submit(r, code, size, launch, &seqno);

	igt_assert_f(ret == 0, "EXEC failed: %d (%s)\n", ret, strerror(-ret));
	return seqno;
}

/**
 * __vsvm_runner_exec - run a shader and wait for it
 * @r: runner
 * @code: instructions, copied to the code BO
 * @size: bytes at @code
 * @launch: dispatch
 * @result: out, how the job ended, when EXEC succeeded
 *
 * Waits at most VSVM_WAIT_TIMEOUT_NS, failing the test if the job has not
 * ended by then.
 *
 * Return: 0, or the -errno of a rejected EXEC.
 */
int __vsvm_runner_exec(struct vsvm_runner *r, const void *code, size_t size,
		       const struct vsvm_launch *launch,
		       struct drm_vsvm_wait *result)
{
	uint64_t seqno;
	int ret;

	ret = __vsvm_runner_submit(r, code, size, launch, &seqno);
	if (ret)
		return ret;
	igt_assert_eq(__vsvm_wait(r->fd, r->queue_id, seqno,
				  VSVM_WAIT_TIMEOUT_NS, result), 0);
	return 0;
}

/* __vsvm_runner_exec(), asserting that the job ran with every lane done. */
void vsvm_runner_exec(struct vsvm_runner *r, const void *code, size_t size,
		      const struct vsvm_launch *launch)
{
	struct drm_vsvm_wait res;
	int ret;

	ret = __vsvm_runner_exec(r, code, size, launch, &res);
	igt_assert_f(ret == 0, "EXEC failed: %d (%s)\n", ret, strerror(-ret));
	igt_assert_f(res.status == DRM_VSVM_STATUS_OK,
		     "job: %s, access %#x at %#llx, pc %#x, info %u\n",
		     vsvm_status_name(res.status), res.fault_access,
		     (unsigned long long)res.fault_addr, res.fault_pc,
		     res.info);
}

/**
 * __vsvm_run_lanes - run a shader over per-lane input and output records
 * @r: runner
 * @code: instructions
 * @size: bytes at @code
 * @lanes: lanes, records and memory sizes, see struct vsvm_lanes_args
 * @result: out, how the job ended, when EXEC succeeded
 *
 * When EXEC succeeds, the output records are copied back to @lanes->out
 * whatever the job's status.
 *
 * Return: 0, or the -errno of a rejected EXEC.
 */
int __vsvm_run_lanes(struct vsvm_runner *r, const void *code, size_t size,
		     const struct vsvm_lanes *lanes,
		     struct drm_vsvm_wait *result)
{
	uint32_t wg = lanes->wg_size ?: 64;
	uint64_t in_bytes = (uint64_t)lanes->n * lanes->in_stride;
	uint64_t out_bytes = (uint64_t)lanes->n * lanes->out_stride;
	uint64_t out_off = ALIGN(in_bytes, VSVM_PAGE_SIZE);
	struct vsvm_lanes_args *args;
	struct vsvm_launch launch = {
		.grid = { (lanes->n + wg - 1) / wg },
		.wg_size = { wg },
		.shared_size = lanes->shared_size,
		.scratch_size = lanes->scratch_size,
	};
	uint8_t buf[4096];
	int ret;

	igt_assert(lanes->n);
	igt_assert_f(out_off + out_bytes <= r->data_size,
		     "%llu bytes of records for a %llu-byte data BO\n",
		     (unsigned long long)(out_off + out_bytes),
		     (unsigned long long)r->data_size);
	launch.args_size = sizeof(*args) + lanes->extra_args_size;
	igt_assert_lte(launch.args_size, sizeof(buf));
	args = (struct vsvm_lanes_args *)buf;
	*args = (struct vsvm_lanes_args){
		.in_addr = vsvm_runner_addr(r, 0),
		.out_addr = vsvm_runner_addr(r, out_off),
		.n = lanes->n,
		.in_stride = lanes->in_stride,
		.out_stride = lanes->out_stride,
	};
	if (lanes->extra_args_size)
		memcpy(buf + sizeof(*args), lanes->extra_args,
		       lanes->extra_args_size);
	launch.args = buf;

	if (in_bytes)
		memcpy(r->data, lanes->in, in_bytes);
	if (out_bytes)
		memcpy(r->data + out_off, lanes->out, out_bytes);
	ret = __vsvm_runner_exec(r, code, size, &launch, result);
	if (!ret && out_bytes)
		memcpy(lanes->out, r->data + out_off, out_bytes);
	return ret;
}

/* __vsvm_run_lanes(), asserting that the job ran with every lane done. */
void vsvm_run_lanes(struct vsvm_runner *r, const void *code, size_t size,
		    const struct vsvm_lanes *lanes)
{
	struct drm_vsvm_wait res;
	int ret;

	ret = __vsvm_run_lanes(r, code, size, lanes, &res);
	igt_assert_f(ret == 0, "EXEC failed: %d (%s)\n", ret, strerror(-ret));
	igt_assert_f(res.status == DRM_VSVM_STATUS_OK,
		     "job: %s, access %#x at %#llx, pc %#x, info %u\n",
		     vsvm_status_name(res.status), res.fault_access,
		     (unsigned long long)res.fault_addr, res.fault_pc,
		     res.info);
}

int vsvm_syncobj_status(int fd, uint32_t syncobj)
{
	struct sync_file_info info = {};
	int file = syncobj_handle_to_fd(fd, syncobj,
					DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE);

	do_ioctl(file, SYNC_IOC_FILE_INFO, &info);
	close(file);
	return info.status;
}

int64_t vsvm_counter(int fd, const char *name)
{
	int64_t v = vsvm_debugfs_value(fd, "counters", name);

	igt_assert_f(v >= 0, "no counter \"%s\" in debugfs\n", name);
	return v;
}

void vsvm_fault_latency_read(int fd, struct vsvm_fault_latency *lat)
{
	char *text = vsvm_debugfs_read(fd, "fault_latency");

	igt_assert_f(text, "cannot read debugfs fault_latency: %m\n");
	igt_assert_f(!vsvm_fault_latency_parse(text, lat),
		     "debugfs fault_latency malformed:\n%s", text);
	free(text);
}

bool vsvm_log_has(int fd, const char *needle)
{
	char *text = vsvm_debugfs_read(fd, "log");
	bool found;

	igt_assert_f(text, "cannot read debugfs log: %m\n");
	found = strstr(text, needle);
	if (!found)
		igt_info("debugfs log, no \"%s\":\n%s", needle, text);
	free(text);
	return found;
}

char *vsvm_objects_snapshot(int fd)
{
	char *text = vsvm_debugfs_read(fd, "objects");

	igt_assert_f(text, "cannot read debugfs objects: %m\n");
	return text;
}

/* The count of @name in an "objects" snapshot, -1 if it has none. */
static int64_t objects_count(const char *text, const char *name)
{
	size_t len = strlen(name);
	const char *line = text;

	while (line && *line) {
		if (!strncmp(line, name, len) && line[len] == ' ')
			return strtoll(line + len + 1, NULL, 10);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ll + ts.tv_nsec / 1000000;
}

bool vsvm_objects_settle(int fd, char **snapshot)
{
	int64_t end = monotonic_ms() + vsvm_scaled_limit(10 * 1000);
	char *prev = NULL, *now;
	bool quiet;

	for (;;) {
		now = vsvm_objects_snapshot(fd);
		quiet = prev && !strcmp(prev, now) && objects_count(now, "job") == 0 &&
			vsvm_debugfs_value(fd, "counters", "faults_pending") == 0;
		free(prev);
		if (quiet || monotonic_ms() > end)
			break;
		prev = now;
		usleep(50 * 1000);
	}
	if (snapshot)
		*snapshot = now;
	else
		free(now);
	return quiet;
}

char *vsvm_objects_baseline(int fd)
{
	char *text;

	igt_assert_f(vsvm_objects_settle(fd, &text),
		     "the module did not settle (no job alive, no fault pending, "
		     "objects steady) within %" PRId64 " ms:\n%s",
		     vsvm_scaled_limit(10 * 1000), text);
	return text;
}

void vsvm_wait_objects(int fd, const char *baseline, int seconds)
{
	int64_t polls = vsvm_scaled_limit(seconds * 20);
	char *now = NULL;

	for (int64_t i = 0; i < polls; i++) {
		free(now);
		now = vsvm_objects_snapshot(fd);
		if (!strcmp(now, baseline))
			break;
		usleep(50 * 1000);
	}
	igt_assert_f(!strcmp(now, baseline),
		     "live objects did not return to the baseline:\n%s"
		     "now:\n%s", baseline, now);
	free(now);
}

const char vsvm_fill_src[] =
	"	sv r0, global_id.x\n"
	"	ldarg.u32 r1, 16\n"
	"	icmp.ltu.32 r2, r0, r1\n"
	"	if r2\n"
	"	    ldarg.u64 r3, 0\n"
	"	    ldarg.u64 r4, 8\n"
	"	    shl.64 r5, r0, 3\n"
	"	    add.64 r3, r3, r5\n"
	"	    mul.64 r6, r0, 0x9e3779b97f4a7c15\n"
	"	    xor.64 r6, r6, r4\n"
	"	    st.global.u64 [r3], r6\n"
	"	endif\n"
	"	end\n";

const char vsvm_spin_src[] =
	"	sv r0, global_id.x\n"
	"	icmp.eq.32 r1, r0, 0\n"
	"	if r1\n"
	"	    ldarg.u64 r2, 8\n"
	"	    movi r3, 1\n"
	"	    st.global.u64 [r2], r3\n"
	"	    fence\n"
	"	endif\n"
	"	ldarg.u64 r2, 0\n"
	"	ldarg.u64 r4, 16\n"
	"	ldarg.u32 r5, 24\n"
	"	mov r6, r0			; page index\n"
	"	loop\n"
	"	    ld.global.u64 r7, [r2]\n"
	"	    icmp.ne.32 r8, r7, 0\n"
	"	    if r8\n"
	"	        break\n"
	"	    endif\n"
	"	    remu.32 r6, r6, r5\n"
	"	    shl.64 r9, r6, 12\n"
	"	    add.64 r9, r9, r4\n"
	"	    ld.global.u64 r10, [r9]\n"
	"	    add.32 r6, r6, 17\n"
	"	endloop\n"
	"	end\n";

#define VSVM_PARAM_DIR		"/sys/module/vsvm/parameters/"
#define VSVM_PARAMS_SAVED	8

/* Saved values; the exit handler may run on a signal, so no allocation. */
static struct {
	char name[32];
	char value[32];
} vsvm_params_saved[VSVM_PARAMS_SAVED];

static int vsvm_param_write(const char *name, const char *value)
{
	char path[96];
	ssize_t len = strlen(value), n;
	int f;

	snprintf(path, sizeof(path), VSVM_PARAM_DIR "%s", name);
	f = open(path, O_WRONLY);
	if (f < 0)
		return -errno;
	n = write(f, value, len);
	if (n < 0)
		n = -errno;
	close(f);
	return n == len ? 0 : n < 0 ? n : -EIO;
}

/* Only open(), write() and close(): also runs on a fatal signal. */
static void vsvm_params_exit_handler(int sig)
{
	(void)sig;
	for (int i = 0; i < VSVM_PARAMS_SAVED; i++)
		if (vsvm_params_saved[i].name[0])
			vsvm_param_write(vsvm_params_saved[i].name,
					 vsvm_params_saved[i].value);
}

static int vsvm_param_save(const char *name)
{
	static bool handler;
	char path[96];
	int i, f;
	ssize_t n;

	for (i = 0; i < VSVM_PARAMS_SAVED; i++)
		if (!strcmp(vsvm_params_saved[i].name, name))
			return 0;
	for (i = 0; i < VSVM_PARAMS_SAVED && vsvm_params_saved[i].name[0]; i++)
		;
	igt_assert_f(i < VSVM_PARAMS_SAVED, "more than %d parameters changed\n",
		     VSVM_PARAMS_SAVED);
	snprintf(path, sizeof(path), VSVM_PARAM_DIR "%s", name);
	f = open(path, O_RDONLY);
	if (f < 0)
		return -errno;
	n = read(f, vsvm_params_saved[i].value, sizeof(vsvm_params_saved[i].value) - 1);
	close(f);
	if (n <= 0)
		return -EIO;
	vsvm_params_saved[i].value[strcspn(vsvm_params_saved[i].value, "\n")] = '\0';
	snprintf(vsvm_params_saved[i].name, sizeof(vsvm_params_saved[i].name), "%s", name);
	if (!handler) {
		igt_install_exit_handler(vsvm_params_exit_handler);
		handler = true;
	}
	return 0;
}

int __vsvm_param_set(const char *name, const char *value)
{
	return vsvm_param_save(name) ?: vsvm_param_write(name, value);
}

void vsvm_param_set(const char *name, const char *value)
{
	int ret = __vsvm_param_set(name, value);

	igt_require_f(ret != -ENOENT, "vsvm has no parameter %s\n", name);
	igt_assert_f(!ret, "cannot set %s to %s: %s\n", name, value, strerror(-ret));
}

void vsvm_param_set_u64(const char *name, uint64_t value)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRIu64, value);
	vsvm_param_set(name, s);
}

void vsvm_param_restore(const char *name)
{
	for (int i = 0; i < VSVM_PARAMS_SAVED; i++)
		if (!strcmp(vsvm_params_saved[i].name, name))
			igt_assert_eq(vsvm_param_write(name, vsvm_params_saved[i].value), 0);
}

int vsvm_uffd_open(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	int u = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	igt_require_f(u >= 0, "userfaultfd: %m\n");
	igt_assert_eq(ioctl(u, UFFDIO_API, &api), 0);
	return u;
}

void vsvm_uffd_register(int uffd, void *p, uint64_t len, uint64_t mode)
{
	struct uffdio_register r = {
		.range = { to_user_pointer(p), len }, .mode = mode,
	};

	igt_require_f(!ioctl(uffd, UFFDIO_REGISTER, &r),
		      "UFFDIO_REGISTER mode %#" PRIx64 ": %m\n", mode);
}

void vsvm_uffd_copy(int uffd, void *dst, const void *src, uint64_t len)
{
	struct uffdio_copy cp = {
		.dst = to_user_pointer(dst), .src = to_user_pointer(src),
		.len = len,
	};

	igt_assert_eq(ioctl(uffd, UFFDIO_COPY, &cp), 0);
	igt_assert_eq(cp.copy, (int64_t)len);
}

void vsvm_uffd_no_event(int uffd)
{
	struct uffd_msg msg;

	igt_assert_eq(read(uffd, &msg, sizeof(msg)), -1);
	igt_assert_eq(errno, EAGAIN);
	errno = 0;
}

int vsvm_kconfig_enabled(const char *opt)
{
	char path[128], line[256];
	struct utsname u;
	size_t len = strlen(opt);
	bool piped = false;
	int found = 0;
	FILE *f;

	igt_assert_eq(uname(&u), 0);
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	f = fopen(path, "r");
	if (!f && !access("/proc/config.gz", R_OK)) {
		f = popen("zcat /proc/config.gz", "r");
		piped = true;
	}
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, opt, len) && !strncmp(line + len, "=y", 2))
			found = 1;
	if (piped)
		pclose(f);
	else
		fclose(f);
	return found;
}

/* Returns 0 or -errno, for children that report by exit code. */
int __vsvm_send_fd(int sock, int fd_to_send)
{
	char data = 'f', ctl[CMSG_SPACE(sizeof(int))] = {};
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd_to_send, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

void vsvm_send_fd(int sock, int fd_to_send)
{
	igt_assert_eq(__vsvm_send_fd(sock, fd_to_send), 0);
}

pid_t vsvm_fork_with_socket(int *sock)
{
	int sv[2];
	pid_t pid;

	igt_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fflush(NULL);
	pid = fork();
	igt_assert_lte(0, pid);
	close(sv[pid ? 1 : 0]);
	*sock = sv[pid ? 0 : 1];
	return pid;
}

int vsvm_recv_fd(int sock)
{
	char data, ctl[CMSG_SPACE(sizeof(int))] = {};
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *cm;
	int received;

	igt_assert_eq(recvmsg(sock, &msg, 0), 1);
	cm = CMSG_FIRSTHDR(&msg);
	igt_assert(cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS);
	memcpy(&received, CMSG_DATA(cm), sizeof(int));
	return received;
}

/**
 * vsvm_smaps_kb - one "Field: N kB" line of the mapping holding @addr
 * @addr: an address of the calling process
 * @field: e.g. "AnonHugePages", "ShmemPmdMapped"
 *
 * Return: the value in KiB, or -1 if no mapping holds @addr or it has no
 * such line.
 */
int64_t vsvm_smaps_kb(const void *addr, const char *field)
{
	uintptr_t a = (uintptr_t)addr, start, end;
	size_t len = strlen(field);
	int64_t kb = -1;
	bool in = false;
	char line[256];
	FILE *f = fopen("/proc/self/smaps", "r");

	igt_assert_f(f, "cannot open /proc/self/smaps: %m\n");
	while (fgets(line, sizeof(line), f)) {
		/* A mapping's first line: "start-end perms ...". */
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			if (in)
				break;
			in = a >= start && a < end;
			continue;
		}
		if (in && !strncmp(line, field, len) && line[len] == ':') {
			kb = strtoll(line + len + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

/**
 * vsvm_pfns_of - the page frames behind consecutive pages, from pagemap
 * @addr: an address of the calling process, page aligned
 * @n: pages
 * @pfns: out, one page frame number per page, 0 where nothing is mapped or
 *	the kernel hides frame numbers (pagemap shows them to CAP_SYS_ADMIN
 *	only)
 */
void vsvm_pfns_of(const void *addr, uint64_t n, uint64_t *pfns)
{
	int f = open("/proc/self/pagemap", O_RDONLY);

	igt_assert_f(f >= 0, "cannot open /proc/self/pagemap: %m\n");
	igt_assert_eq(pread(f, pfns, n * sizeof(*pfns),
			    (uintptr_t)addr / 4096 * sizeof(*pfns)),
		      (ssize_t)(n * sizeof(*pfns)));
	close(f);
	/* Bit 63: present; bits 54:0: the frame. */
	for (uint64_t i = 0; i < n; i++)
		pfns[i] = pfns[i] >> 63 ? pfns[i] & ((1ull << 55) - 1) : 0;
}

struct vsvm_stuck_fuse vsvm_stuck_fuse;

#define STUCK_FUSE_INO	2

static void fuse_reply(int dev, uint64_t unique, int error, const void *out, size_t size)
{
	struct fuse_out_header h = {
		.len = sizeof(h) + (error ? 0 : size),
		.error = error,
		.unique = unique,
	};
	struct iovec iov[2] = {
		{ &h, sizeof(h) },
		{ (void *)out, size },
	};

	if (writev(dev, iov, error || !size ? 1 : 2) < 0)
		_exit(1);
}

static void fuse_attr_fill(struct fuse_attr *a, uint64_t ino, uint64_t size)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->mode = ino == FUSE_ROOT_ID ? S_IFDIR | 0755 : S_IFREG | 0444;
	a->nlink = 1;
	a->size = ino == FUSE_ROOT_ID ? 0 : size;
	a->blocks = a->size / 512;
	a->blksize = 4096;
}

/* Runs in a plain fork()ed child until the connection is gone. */
static void __attribute__((noreturn)) fuse_daemon(int dev, uint64_t size)
{
	static uint8_t buf[FUSE_MIN_READ_BUFFER + (64 << 10)];
	struct fuse_in_header *in = (void *)buf;
	void *arg = in + 1;

	for (;;) {
		ssize_t n = read(dev, buf, sizeof(buf));

		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < (ssize_t)sizeof(*in))
			_exit(0);	/* ENODEV: aborted or unmounted */
		switch (in->opcode) {
		case FUSE_INIT: {
			const struct fuse_init_in *ii = arg;
			struct fuse_init_out o = {
				.major = FUSE_KERNEL_VERSION,
				.minor = FUSE_KERNEL_MINOR_VERSION,
				.max_readahead = ii->max_readahead,
				.max_background = 16,
				.congestion_threshold = 12,
				.max_write = 4096,
			};

			fuse_reply(dev, in->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_LOOKUP: {
			struct fuse_entry_out o = {
				.nodeid = STUCK_FUSE_INO,
				.entry_valid = 3600,
				.attr_valid = 3600,
			};

			if (in->nodeid != FUSE_ROOT_ID || strcmp(arg, "f")) {
				fuse_reply(dev, in->unique, -ENOENT, NULL, 0);
				break;
			}
			fuse_attr_fill(&o.attr, STUCK_FUSE_INO, size);
			fuse_reply(dev, in->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_GETATTR: {
			struct fuse_attr_out o = { .attr_valid = 3600 };

			fuse_attr_fill(&o.attr, in->nodeid, size);
			fuse_reply(dev, in->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_OPEN: {
			struct fuse_open_out o = { .fh = 1 };

			fuse_reply(dev, in->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_READ:
			/* Never answered: the reader waits until the abort. */
			__atomic_add_fetch(vsvm_stuck_fuse.reads, 1, __ATOMIC_RELEASE);
			break;
		case FUSE_FLUSH:
		case FUSE_RELEASE:
			fuse_reply(dev, in->unique, 0, NULL, 0);
			break;
		case FUSE_FORGET:
		case FUSE_BATCH_FORGET:
		case FUSE_INTERRUPT:
			break;
		default:
			fuse_reply(dev, in->unique, -ENOSYS, NULL, 0);
			break;
		}
	}
}

/*
 * Aborts the connection: the daemon's /dev/fuse file is the last, and its
 * release ends every request with an error. Also the exit handler: only
 * async-signal-safe calls.
 */
void vsvm_stuck_fuse_abort(int sig __attribute__((unused)))
{
	if (vsvm_stuck_fuse.daemon > 0) {
		kill(vsvm_stuck_fuse.daemon, SIGKILL);
		waitpid(vsvm_stuck_fuse.daemon, NULL, 0);
		vsvm_stuck_fuse.daemon = 0;
	}
	if (vsvm_stuck_fuse.dir[0]) {
		umount2(vsvm_stuck_fuse.dir, MNT_DETACH);
		rmdir(vsvm_stuck_fuse.dir);
		vsvm_stuck_fuse.dir[0] = '\0';
	}
}

void vsvm_stuck_fuse_start(uint64_t size)
{
	char opts[96];
	int dev;

	dev = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	igt_require_f(dev >= 0, "no /dev/fuse: %m\n");
	/* A previous subtest's daemon would count this one's READs. */
	vsvm_stuck_fuse_abort(0);
	/* One shared counter for every start of the process, zeroed each time. */
	if (!vsvm_stuck_fuse.reads)
		vsvm_stuck_fuse.reads = vsvm_shared_alloc(sizeof(*vsvm_stuck_fuse.reads));
	__atomic_store_n(vsvm_stuck_fuse.reads, 0, __ATOMIC_RELEASE);
	strcpy(vsvm_stuck_fuse.dir, "/tmp/vsvm-fuse-XXXXXX");
	igt_assert(mkdtemp(vsvm_stuck_fuse.dir));
	igt_install_exit_handler(vsvm_stuck_fuse_abort);
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0", dev);
	if (mount("vsvm-stuck", vsvm_stuck_fuse.dir, "fuse.vsvm-stuck", MS_NOSUID | MS_NODEV,
		  opts)) {
		rmdir(vsvm_stuck_fuse.dir);
		vsvm_stuck_fuse.dir[0] = '\0';
		close(dev);
		igt_require_f(false, "cannot mount FUSE: %m\n");
	}
	fflush(NULL);
	vsvm_stuck_fuse.daemon = fork();
	igt_assert_lte(0, vsvm_stuck_fuse.daemon);
	if (!vsvm_stuck_fuse.daemon) {
		/*
		 * Whatever happens to the test, the connection goes within
		 * 90 s, before the hung-task detector's 120 s: a failure
		 * must not leave the machine stuck, e.g. on a module whose
		 * compute units wait for the READ themselves, where the
		 * killed holder's file close waits for them.
		 */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(90);
		fuse_daemon(dev, size);
	}
	close(dev);
}

void *vsvm_stuck_fuse_map(uint64_t size, int prot, int flags)
{
	char path[64];
	void *p;
	int f;

	snprintf(path, sizeof(path), "%s/f", vsvm_stuck_fuse.dir);
	f = open(path, O_RDONLY);
	igt_assert_fd(f);
	p = mmap(NULL, size, prot, flags, f, 0);
	igt_assert(p != MAP_FAILED);
	close(f);
	return p;
}

void *vsvm_shared_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	igt_assert(p != MAP_FAILED);
	return p;
}

bool vsvm_flag_wait(const int *flag, int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		if (__atomic_load_n(flag, __ATOMIC_ACQUIRE))
			return true;
		usleep(10 * 1000);
	}
	return __atomic_load_n(flag, __ATOMIC_ACQUIRE);
}

void vsvm_flag_set(int *flag)
{
	__atomic_store_n(flag, 1, __ATOMIC_RELEASE);
}

/*
 * The OOM report's lines at warning level or above: its first line, the
 * stack dump (header, frames, user registers) and the kill. Nothing else,
 * so a WARNING or BUG in the same subtest still counts. PCRE (IGT) and
 * POSIX extended (the shim) read it alike. igt_runner reads it back from
 * the kernel log, which escapes a backslash as "\x5c": hence [+] and [?].
 * And the log check reads that line too: hence "Call Trace" without the
 * colon that tools/vm-lib/log-patterns fails on.
 */
#define VSVM_OOM_REPORT_REGEX \
	"invoked oom-killer: |^CPU: [0-9]+ |^Tainted: |^Hardware name: |" \
	"^Call Trace|^ *</?TASK>|" \
	"^ +([?] )?[A-Za-z0-9_.]+[+]0x[0-9a-f]+/0x[0-9a-f]+|" \
	"^(RIP|RSP|RAX|RDX|RBP|R10|R13|Code): |" \
	"Memory cgroup out of memory: Killed process "

void vsvm_expect_oom_kill_begin(void)
{
	FILE *f = fopen("/proc/self/oom_score_adj", "r");
	int adj = 0;

	igt_assert(f);
	igt_assert_eq(fscanf(f, "%d", &adj), 1);
	fclose(f);
	igt_assert_f(adj > -1000, "oom_score_adj is %d: the OOM killer would "
		     "find no victim\n", adj);
	igt_kmsg(KMSG_INFO "vsvm-test: expect oom-kill begin\n");
	igt_emit_ignore_dmesg_regex(VSVM_OOM_REPORT_REGEX);
}

void vsvm_expect_oom_kill_end(void)
{
	igt_kmsg(KMSG_INFO "vsvm-test: expect oom-kill end\n");
}
