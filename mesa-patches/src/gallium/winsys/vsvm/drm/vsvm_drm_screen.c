/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 *
 * The Gallium screen on a vsvm render node: the pipe-loader's entry point.
 */
#include "vsvm/vsvm_public.h"
#include "vsvm_drm_public.h"
#include "vsvm_winsys.h"

struct pipe_screen *
vsvm_drm_screen_create(int fd, const struct pipe_screen_config *config)
{
	struct vsvm_winsys *ws = vsvm_winsys_create(fd);
	struct pipe_screen *screen;

	if (!ws)
		return NULL;
	screen = vsvm_screen_create(ws, config);
	if (!screen)
		vsvm_winsys_destroy(ws);
	return screen;
}
