/* SPDX-License-Identifier: MIT */
/*
 * vsvm's implementation of the directory and file helpers of IGT's
 * igt_debugfs.h.
 */
#ifndef __IGT_DEBUGFS_H__
#define __IGT_DEBUGFS_H__

#include <stdbool.h>

const char *igt_debugfs_mount(void);
char *igt_debugfs_path(int device, char *path, int pathlen);
int igt_debugfs_dir(int device);
int igt_debugfs_open(int fd, const char *filename, int mode);
bool igt_debugfs_exists(int fd, const char *filename, int mode);
void __igt_debugfs_read(int fd, const char *filename, char *buf, int size);

/* Reads @filename into the array @buf, NUL-terminated; "" on error. */
#define igt_debugfs_read(fd, filename, buf) \
	__igt_debugfs_read(fd, (filename), (buf), sizeof(buf))

#endif /* __IGT_DEBUGFS_H__ */
