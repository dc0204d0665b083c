/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 */
#ifndef VSVM_PUBLIC_H
#define VSVM_PUBLIC_H

struct pipe_screen;
struct pipe_screen_config;
struct vsvm_winsys;

/* Takes ownership of @ws on success. */
struct pipe_screen *vsvm_screen_create(struct vsvm_winsys *ws,
				       const struct pipe_screen_config *config);

#endif /* VSVM_PUBLIC_H */
