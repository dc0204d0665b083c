// SPDX-License-Identifier: MIT
/*
 * vsvm's implementation of IGT's device helpers: opening and closing DRM
 * nodes, igt_ioctl(), the debugfs directory of a device and binary syncobjs.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <dirent.h>
#include <drm.h>

#include "igt.h"
#include "igt_syncobj.h"

static int restarting_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret;
}

__thread int (*igt_ioctl)(int fd, unsigned long request, void *arg) =
	restarting_ioctl;

/* device nodes */

static const char *chipset_driver(int chipset)
{
	const char *forced = getenv("IGT_FORCE_DRIVER");

	if (chipset == DRIVER_VGEM)
		return "vgem";
	if (chipset == DRIVER_ANY)
		return forced && *forced ? forced : "vsvm";
	return NULL;
}

static int device_driver_name(int fd, char *name, size_t size)
{
	struct drm_version version = {
		.name_len = size - 1,
		.name = name,
	};

	memset(name, 0, size);
	return restarting_ioctl(fd, DRM_IOCTL_VERSION, &version);
}

static void log_opened(const char *path)
{
	static char logged[16][64];

	for (unsigned int i = 0; i < ARRAY_SIZE(logged); i++) {
		if (!strcmp(logged[i], path)) {
			igt_debug("Opened previously opened device: %s\n", path);
			return;
		}
		if (!logged[i][0]) {
			snprintf(logged[i], sizeof(logged[i]), "%s", path);
			break;
		}
	}
	igt_info("Opened device: %s\n", path);
}

static int open_device(const char *path, const char *driver)
{
	char name[32];
	int fd;

	fd = open(path, O_RDWR);
	if (fd < 0)
		return -1;
	if (device_driver_name(fd, name, sizeof(name)) || strcmp(name, driver)) {
		igt_debug("%s: expected driver \"%s\" but got \"%s\"\n",
			  path, driver, name);
		close(fd);
		return -1;
	}
	log_opened(path);
	return fd;
}

static int search_and_open(const char *base, int offset, int chipset)
{
	const char *driver = chipset_driver(chipset);

	if (!driver)
		return -1;
	for (int i = 0; i < 16; i++) {
		char path[64];
		int fd;

		snprintf(path, sizeof(path), "%s%d", base, offset + i);
		fd = open_device(path, driver);
		if (fd >= 0)
			return fd;
	}
	return -1;
}

int __drm_open_driver(int chipset)
{
	return search_and_open("/dev/dri/card", 0, chipset);
}

int __drm_open_driver_render(int chipset)
{
	return search_and_open("/dev/dri/renderD", 128, chipset);
}

int drm_open_driver(int chipset)
{
	int fd = __drm_open_driver(chipset);

	igt_skip_on_f(fd < 0, "No known gpu found for chipset flags %#x (%s)\n",
		      chipset, chipset_driver(chipset) ?: "other");
	return fd;
}

int drm_open_driver_render(int chipset)
{
	int fd = __drm_open_driver_render(chipset);

	/* No render node: fall back to the primary node, as IGT does. */
	if (fd < 0)
		return drm_open_driver(chipset);
	return fd;
}

int drm_reopen_driver(int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	fd = open(path, O_RDWR);
	igt_assert_fd(fd);
	return fd;
}

static bool is_drm_fd(int fd)
{
	char path[64], target[PATH_MAX];
	ssize_t len;

	if (fd < 0)
		return false;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	len = readlink(path, target, sizeof(target) - 1);
	if (len <= 0)
		return false;
	target[len] = '\0';
	return !strncmp(target, "/dev/dri/card", 13) ||
	       !strncmp(target, "/dev/dri/renderD", 16);
}

int __drm_close_driver(int fd)
{
	if (!is_drm_fd(fd))
		return -1;
	return close(fd);
}

int drm_close_driver(int fd)
{
	if (!is_drm_fd(fd)) {
		igt_warn("Don't attempt to close standard/invalid file descriptor: %d\n",
			 fd);
		return -1;
	}
	return __drm_close_driver(fd);
}

/* debugfs */

const char *igt_debugfs_mount(void)
{
	static const char path[] = "/sys/kernel/debug";
	struct statfs st;

	if (!statfs(path, &st) && st.f_type == DEBUGFS_MAGIC)
		return path;
	if (!mount("debug", path, "debugfs", 0, NULL))
		return path;
	return NULL;
}

/*
 * The primary minor of the device behind @st_rdev. Debugfs files live in
 * the primary minor's directory; a render minor's is at best a link to it.
 */
static int primary_minor(dev_t rdev)
{
	char path[96];
	struct dirent *de;
	int minor = -1;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device/drm",
		 major(rdev), minor(rdev));
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		if (!strncmp(de->d_name, "card", 4) &&
		    sscanf(de->d_name + 4, "%d", &minor) == 1)
			break;
		minor = -1;
	}
	closedir(dir);
	return minor;
}

char *igt_debugfs_path(int device, char *path, int pathlen)
{
	const char *root = igt_debugfs_mount();
	struct stat st = {};
	int idx;

	if (!root)
		return NULL;
	if (device != -1) {
		if (fstat(device, &st) || !S_ISCHR(st.st_mode)) {
			igt_debug("FD for DRM device is not a char device\n");
			return NULL;
		}
	}
	idx = minor(st.st_rdev);
	if (idx >= 64) {
		int primary = primary_minor(st.st_rdev);

		snprintf(path, pathlen, "%s/dri/%d", root, primary);
		if (primary >= 0 && !access(path, F_OK))
			return path;
	}
	snprintf(path, pathlen, "%s/dri/%d", root, idx);
	if (access(path, F_OK))
		return NULL;
	return path;
}

int igt_debugfs_dir(int device)
{
	char path[200];
	int fd;

	if (igt_debug_on(!igt_debugfs_path(device, path, sizeof(path))))
		return -1;
	fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		igt_debug("cannot open %s: %m\n", path);
	return fd;
}

int igt_debugfs_open(int device, const char *filename, int mode)
{
	int dir, ret;

	dir = igt_debugfs_dir(device);
	if (dir < 0)
		return dir;
	ret = openat(dir, filename, mode);
	close(dir);
	return ret;
}

bool igt_debugfs_exists(int device, const char *filename, int mode)
{
	int fd = igt_debugfs_open(device, filename, mode);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

void __igt_debugfs_read(int device, const char *filename, char *buf, int size)
{
	int fd = igt_debugfs_open(device, filename, O_RDONLY);
	int len = 0;

	if (fd >= 0) {
		while (len < size - 1) {
			ssize_t n = read(fd, buf + len, size - 1 - len);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			len += n;
		}
		close(fd);
	}
	buf[len] = '\0';
}

/* syncobj */

static int __ioctl_err(int fd, unsigned long request, void *arg)
{
	int err = 0;

	if (igt_ioctl(fd, request, arg)) {
		err = -errno;
		errno = 0;
	}
	return err;
}

uint32_t syncobj_create(int fd, uint32_t flags)
{
	struct drm_syncobj_create create = { .flags = flags };

	igt_assert_eq(__ioctl_err(fd, DRM_IOCTL_SYNCOBJ_CREATE, &create), 0);
	igt_assert(create.handle);
	return create.handle;
}

void syncobj_destroy(int fd, uint32_t handle)
{
	struct drm_syncobj_destroy destroy = { .handle = handle };

	igt_assert_eq(__ioctl_err(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &destroy), 0);
}

int __syncobj_handle_to_fd(int fd, struct drm_syncobj_handle *args)
{
	return __ioctl_err(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, args);
}

int __syncobj_fd_to_handle(int fd, struct drm_syncobj_handle *args)
{
	return __ioctl_err(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, args);
}

/* The syncobj as a file, or with DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE its fence. */
int syncobj_handle_to_fd(int fd, uint32_t handle, uint32_t flags)
{
	struct drm_syncobj_handle args = { .handle = handle, .flags = flags, .fd = -1 };

	igt_assert_eq(__syncobj_handle_to_fd(fd, &args), 0);
	igt_assert(args.fd >= 0);
	return args.fd;
}

uint32_t syncobj_fd_to_handle(int fd, int syncobj_fd, uint32_t flags)
{
	struct drm_syncobj_handle args = { .fd = syncobj_fd, .flags = flags };

	igt_assert_eq(__syncobj_fd_to_handle(fd, &args), 0);
	igt_assert(args.handle > 0);
	return args.handle;
}

int __syncobj_wait(int fd, struct drm_syncobj_wait *args)
{
	return __ioctl_err(fd, DRM_IOCTL_SYNCOBJ_WAIT, args);
}

int syncobj_wait_err(int fd, uint32_t *handles, uint32_t count,
		     uint64_t abs_timeout_nsec, uint32_t flags)
{
	struct drm_syncobj_wait wait = {
		.handles = to_user_pointer(handles),
		.timeout_nsec = abs_timeout_nsec,
		.count_handles = count,
		.flags = flags,
	};

	return __syncobj_wait(fd, &wait);
}

bool syncobj_wait(int fd, uint32_t *handles, uint32_t count,
		  uint64_t abs_timeout_nsec, uint32_t flags,
		  uint32_t *first_signaled)
{
	struct drm_syncobj_wait wait = {
		.handles = to_user_pointer(handles),
		.timeout_nsec = abs_timeout_nsec,
		.count_handles = count,
		.flags = flags,
	};
	int ret = __syncobj_wait(fd, &wait);

	if (ret == -ETIME)
		return false;
	igt_assert_eq(ret, 0);
	if (first_signaled)
		*first_signaled = wait.first_signaled;
	return true;
}

void syncobj_reset(int fd, uint32_t *handles, uint32_t count)
{
	struct drm_syncobj_array array = {
		.handles = to_user_pointer(handles),
		.count_handles = count,
	};

	igt_assert_eq(__ioctl_err(fd, DRM_IOCTL_SYNCOBJ_RESET, &array), 0);
}

void syncobj_signal(int fd, uint32_t *handles, uint32_t count)
{
	struct drm_syncobj_array array = {
		.handles = to_user_pointer(handles),
		.count_handles = count,
	};

	igt_assert_eq(__ioctl_err(fd, DRM_IOCTL_SYNCOBJ_SIGNAL, &array), 0);
}
