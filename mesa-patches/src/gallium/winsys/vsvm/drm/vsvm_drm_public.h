/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 */
#ifndef VSVM_DRM_PUBLIC_H
#define VSVM_DRM_PUBLIC_H

struct pipe_screen;
struct pipe_screen_config;

struct pipe_screen *vsvm_drm_screen_create(int fd,
					   const struct pipe_screen_config *config);

#endif /* VSVM_DRM_PUBLIC_H */
