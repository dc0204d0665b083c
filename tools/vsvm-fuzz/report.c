// SPDX-License-Identifier: MIT
/*
 * vsvm-fuzz kernel log watcher.
 *
 * A thread reads /dev/kmsg from the time the fuzzer starts and matches
 * each line against tools/vm-lib/log-patterns (the list every tools/vm run
 * fails on: WARNING, BUG, KASAN, lockdep, RCU stalls, hung tasks, kmemleak,
 * "vsvm: leak:") plus the fuzzer's own: DRM's "*ERROR*". A match starts a
 * report, which collects the lines that follow until an end-of-report
 * line or half a second of quiet. A complete report stops the run, unless
 * it is one of tools/vm-lib/known-reports: a named report from outside
 * vsvm, recognised by its header line and a culprit (a function) within
 * it, documented with its upstream status. Those are counted by name and
 * the run goes on; nothing else about them is silenced.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

#define REPORT_MAX	(64 * 1024)
#define QUIET_MS	500
#define CONTEXT_LINES	4

/* Lines only the fuzzer stops on (a test may provoke them on purpose). */
static const char *const extra_patterns[] = {
	"\\*ERROR\\*",
};

struct known {
	char *name;
	char *upstream;
	regex_t header, culprit;
	unsigned int hits;
};

struct fz_reports {
	regex_t *pats;
	size_t npats;
	struct known *known;
	size_t nknown;
	int fd;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* The report being collected, and the few lines before it. */
	char *cur;
	size_t cur_len;
	bool collecting;
	char ctx[CONTEXT_LINES][256];
	unsigned int ctx_n;
	/* A complete report that stops the run. */
	char *stop;
};

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

static int add_pattern(struct fz_reports *r, const char *re, char *err, size_t errlen)
{
	r->pats = realloc(r->pats, (r->npats + 1) * sizeof(*r->pats));
	if (regcomp(&r->pats[r->npats], re, REG_EXTENDED | REG_NOSUB)) {
		snprintf(err, errlen, "bad pattern '%s'", re);
		return -1;
	}
	r->npats++;
	return 0;
}

static int load_patterns(struct fz_reports *r, const char *path, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (!ret && getline(&line, &cap, f) > 0) {
		char *s = line;

		/* Leading blanks belong to the pattern: check-log keeps them. */
		s[strcspn(s, "\n")] = '\0';
		if (!*trim(s) || *trim(s) == '#')
			continue;
		ret = add_pattern(r, s, err, errlen);
	}
	free(line);
	fclose(f);
	return ret;
}

/*
 * known-reports: blocks of "key: value" lines separated by blank lines;
 * keys name, header, culprit (extended regular expressions) and upstream.
 */
static int load_known(struct fz_reports *r, const char *path, char *err, size_t errlen)
{
	char *line = NULL, *name = NULL, *header = NULL, *culprit = NULL, *upstream = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "r");
	bool eof = false;
	int ret = 0;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (!ret && !eof) {
		char *s, *colon;

		eof = getline(&line, &cap, f) <= 0;
		s = eof ? "" : trim(line);
		if (*s == '#')
			continue;
		if (*s) {
			colon = strchr(s, ':');
			if (!colon) {
				snprintf(err, errlen, "%s: '%s' is not KEY: VALUE", path, s);
				ret = -1;
				break;
			}
			*colon = '\0';
			char **slot = !strcmp(s, "name") ? &name : !strcmp(s, "header") ? &header :
				      !strcmp(s, "culprit") ? &culprit :
				      !strcmp(s, "upstream") ? &upstream : NULL;
			if (slot) {
				free(*slot);
				*slot = strdup(trim(colon + 1));
			}
			continue;
		}
		if (!name && !header && !culprit)
			continue;
		if (!name || !header || !culprit) {
			snprintf(err, errlen, "%s: an entry lacks name, header or culprit", path);
			ret = -1;
			break;
		}
		r->known = realloc(r->known, (r->nknown + 1) * sizeof(*r->known));
		struct known *k = &r->known[r->nknown];

		memset(k, 0, sizeof(*k));
		if (regcomp(&k->header, header, REG_EXTENDED | REG_NOSUB) ||
		    regcomp(&k->culprit, culprit, REG_EXTENDED | REG_NOSUB)) {
			snprintf(err, errlen, "%s: %s: bad regular expression", path, name);
			ret = -1;
			break;
		}
		k->name = name;
		k->upstream = upstream ? upstream : strdup("?");
		r->nknown++;
		free(header);
		free(culprit);
		name = header = culprit = upstream = NULL;
	}
	free(name);
	free(header);
	free(culprit);
	free(upstream);
	free(line);
	fclose(f);
	return ret;
}

static bool matches(const regex_t *re, const char *s)
{
	return !regexec(re, s, 0, NULL, 0);
}

/* Under the lock: decide what the collected report is. */
static void finish(struct fz_reports *r)
{
	char *first = r->cur, *nl;

	r->collecting = false;
	/* The line that matched follows the context lines. */
	for (unsigned int i = 0; i < r->ctx_n && (nl = strchr(first, '\n')); i++)
		first = nl + 1;
	nl = strchr(first, '\n');
	if (nl)
		*nl = '\0';
	for (size_t k = 0; k < r->nknown; k++) {
		struct known *kn = &r->known[k];

		if (matches(&kn->header, first)) {
			if (nl)
				*nl = '\n';
			if (matches(&kn->culprit, r->cur)) {
				kn->hits++;
				fprintf(stderr, "vsvm-fuzz: known report %s (not vsvm: %s), going on\n",
					kn->name, kn->upstream);
				free(r->cur);
				r->cur = NULL;
				return;
			}
			if (nl)
				*nl = '\0';
		}
	}
	if (nl)
		*nl = '\n';
	if (!r->stop)
		r->stop = r->cur;
	else
		free(r->cur);
	r->cur = NULL;
	pthread_cond_broadcast(&r->cond);
}

static void append(struct fz_reports *r, const char *line)
{
	size_t n = strlen(line);

	if (r->cur_len + n + 2 > REPORT_MAX)
		return;
	memcpy(r->cur + r->cur_len, line, n);
	r->cur_len += n;
	r->cur[r->cur_len++] = '\n';
	r->cur[r->cur_len] = '\0';
}

static bool ends_report(const char *line)
{
	return strstr(line, "---[ end trace") || strstr(line, "=================") ||
	       strstr(line, "---[ end Kernel panic");
}

static void on_line(struct fz_reports *r, const char *line)
{
	pthread_mutex_lock(&r->lock);
	if (r->collecting) {
		append(r, line);
		if (ends_report(line))
			finish(r);
		pthread_mutex_unlock(&r->lock);
		return;
	}
	for (size_t i = 0; i < r->npats; i++) {
		if (!matches(&r->pats[i], line))
			continue;
		r->cur = malloc(REPORT_MAX);
		r->cur_len = 0;
		r->cur[0] = '\0';
		/* "cut here" and the like come before the matching line. */
		for (unsigned int k = 0; k < r->ctx_n; k++)
			append(r, r->ctx[k]);
		append(r, line);
		r->collecting = true;
		pthread_mutex_unlock(&r->lock);
		return;
	}
	if (r->ctx_n == CONTEXT_LINES) {
		memmove(r->ctx[0], r->ctx[1], sizeof(r->ctx[0]) * (CONTEXT_LINES - 1));
		r->ctx_n--;
	}
	snprintf(r->ctx[r->ctx_n++], sizeof(r->ctx[0]), "%s", line);
	pthread_mutex_unlock(&r->lock);
}

static void *watch(void *arg)
{
	struct fz_reports *r = arg;
	char buf[8192];

	for (;;) {
		struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
		ssize_t n;
		char *msg, *nl;

		if (poll(&pfd, 1, QUIET_MS) == 0) {
			pthread_mutex_lock(&r->lock);
			if (r->collecting)
				finish(r);
			pthread_mutex_unlock(&r->lock);
			continue;
		}
		n = read(r->fd, buf, sizeof(buf) - 1);
		if (n < 0) {
			if (errno == EPIPE || errno == EINTR || errno == EAGAIN)
				continue;	/* overwritten records, or nothing yet */
			return NULL;
		}
		buf[n] = '\0';
		/* "PRIO,SEQ,TIME,FLAGS;MESSAGE\n" then " KEY=VALUE" lines. */
		msg = strchr(buf, ';');
		if (!msg)
			continue;
		msg++;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		on_line(r, msg);
	}
}

struct fz_reports *fz_reports_start(const char *patterns, const char *known,
				    char *err, size_t errlen)
{
	struct fz_reports *r = calloc(1, sizeof(*r));

	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	if (load_patterns(r, patterns, err, errlen))
		return NULL;
	for (size_t i = 0; i < sizeof(extra_patterns) / sizeof(extra_patterns[0]); i++)
		if (add_pattern(r, extra_patterns[i], err, errlen))
			return NULL;
	if (known && load_known(r, known, err, errlen))
		return NULL;
	r->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (r->fd < 0) {
		snprintf(err, errlen, "/dev/kmsg: %s", strerror(errno));
		return NULL;
	}
	/* Only what happens from now on. */
	lseek(r->fd, 0, SEEK_END);
	if (pthread_create(&r->thread, NULL, watch, r)) {
		snprintf(err, errlen, "cannot start the kmsg thread");
		return NULL;
	}
	return r;
}

char *fz_reports_take(struct fz_reports *r)
{
	char *s;

	pthread_mutex_lock(&r->lock);
	s = r->stop;
	r->stop = NULL;
	pthread_mutex_unlock(&r->lock);
	return s;
}

void fz_reports_settle(struct fz_reports *r, int ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000l;
	if (until.tv_nsec >= 1000000000l) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000l;
	}
	pthread_mutex_lock(&r->lock);
	while (r->collecting && !r->stop &&
	       pthread_cond_timedwait(&r->cond, &r->lock, &until) == 0)
		;
	pthread_mutex_unlock(&r->lock);
}

void fz_reports_known(struct fz_reports *r, FILE *f)
{
	pthread_mutex_lock(&r->lock);
	for (size_t k = 0; k < r->nknown; k++)
		if (r->known[k].hits)
			fprintf(f, "known report %s: %u (%s)\n", r->known[k].name,
				r->known[k].hits, r->known[k].upstream);
	pthread_mutex_unlock(&r->lock);
}
