/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef _COMPAT_LINUX_BUG_H
#define _COMPAT_LINUX_BUG_H

/*
 * Warnings so far and where the last one was; each WARN_ON_ONCE() site
 * counts at most once. The harness fails a test that leaves any behind.
 */
extern unsigned long compat_warnings;
extern const char *compat_warning_site;

#define COMPAT_STR2(x)	#x
#define COMPAT_STR(x)	COMPAT_STR2(x)

#define WARN_ON_ONCE(cond) ({						\
	static int _warned;						\
	int _c = !!(cond);						\
	if (_c && !_warned) {						\
		_warned = 1;						\
		compat_warnings++;					\
		compat_warning_site = __FILE__ ":" COMPAT_STR(__LINE__);	\
	}								\
	_c; })

#endif
