/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef _COMPAT_LINUX_STRING_H
#define _COMPAT_LINUX_STRING_H

#include_next <linux/string.h>
#include <string.h>

#endif
