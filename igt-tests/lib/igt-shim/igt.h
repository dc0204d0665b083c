/* SPDX-License-Identifier: MIT */
/*
 * vsvm's stand-in for IGT's umbrella header: only the parts we implement.
 */
#ifndef IGT_H
#define IGT_H

#include "drmtest.h"
#include "igt_core.h"
#include "igt_debugfs.h"
#include "igt_sizes.h"
#include "ioctl_wrappers.h"

#endif /* IGT_H */
