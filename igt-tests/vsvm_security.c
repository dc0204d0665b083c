// SPDX-License-Identifier: MIT
/*
 * vsvm as an attacker with only render-node access would try it: stale GPU
 * translations of freed pages, notifier and PTE teardown order, memory the
 * kernel cannot reach, jobs and results crossing process boundaries, kernel
 * memory that is not charged to the process asking for it, and submission
 * racing queue destruction. Each subtest targets one rule the driver relies
 * on (docs/svm.md "Rules"), and was seen to fail before the fix that
 * enforces it.
 *
 * Data is checked byte for byte; for freed memory, every byte the GPU
 * reports or writes must belong to the memory it was given.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt.h"
#include "vsvm_lib.h"
#include "vsvm_reap.h"

IGT_TEST_DESCRIPTION("Attacks on vsvm's memory safety and isolation: stale "
		     "translations, teardown order, unreachable memory, "
		     "cross-process access, accounting and job lifetimes.");

static int fd = -1;

/* ---- section: translations and teardown (defects 1, 2) ---- */

/* ---- end section: translations and teardown ---- */


/* ---- section: unreachable memory, isolation, accounting (defects 3, 4, 6, 8) ---- */

/* ---- end section: unreachable memory, isolation, accounting ---- */


/* ---- section: job and queue lifetimes (defects 7, 8) ---- */

/* ---- end section: job and queue lifetimes ---- */


igt_main
{
	igt_fixture {
		fd = drm_open_driver_render(DRIVER_ANY);
	}

	/* ---- subtests: translations and teardown ---- */

	/* ---- end subtests: translations and teardown ---- */


	/* ---- subtests: unreachable memory, isolation, accounting ---- */

	/* ---- end subtests: unreachable memory, isolation, accounting ---- */


	/* ---- subtests: job and queue lifetimes ---- */

	/* ---- end subtests: job and queue lifetimes ---- */


	igt_fixture {
		drm_close_driver(fd);
	}
}
