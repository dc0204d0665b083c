// SPDX-License-Identifier: MIT
/*
 * vsvm-fuzz: a coverage-guided fuzzer for vsvm (tools/vsvm-fuzz/README.md).
 *
 *   vsvm-fuzz fuzz [OPTIONS]          fuzz until the time is up or a report
 *   vsvm-fuzz replay [-n N] FILE...   run saved programs N times each
 *   vsvm-fuzz print FILE...           parse programs and print them back
 *   vsvm-fuzz gen [-s SEED] [-n N]    generate and mutate N programs and
 *                                     check that each prints and parses back
 *
 * The manager (this file) picks a program (generated, or a corpus program
 * mutated), records it in OUT/inflight.prog with the three before it (a
 * panic leaves that file behind for the host to keep), forks an executor
 * for it (exec.c) and waits: an executor that outlives --prog-timeout is
 * killed, one that cannot be killed within --hang-timeout is a hang. Then
 * it waits for the device to be idle, every live object of the module
 * back to what it was at the start (debugfs "objects"): a job that never
 * ends is a hang, any other object left a leak, after --leak-timeout. It
 * resets the fault-injection knobs, folds the executor's coverage in
 * (cover.c) and keeps the program if it reached a vsvm.ko PC nothing had.
 * A report on the kernel log (report.c), a hang or a leak stops the run
 * with OUT/crash-N.prog: the report and the programs that ran last, which
 * "replay" runs again.
 *
 * Exit: 0 no finding, 1 a finding, 2 a usage or setup error, 77 no vsvm
 * device (skip).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>

#include "fuzz.h"

#define HISTORY		4
#define STATS_EVERY	30

struct opts {
	int seconds;
	uint64_t seed;
	const char *corpus_dirs[8];
	int ncorpus;
	const char *out;
	const char *ko;
	const char *patterns;
	const char *known;
	const char *shaders;
	int prog_timeout, hang_timeout, leak_timeout;
	int repeat;
	bool verbose;
};

static struct {
	struct opts o;
	struct fz_exec_opts ex;
	struct fz_cover *cover;
	struct fz_reports *reports;
	struct fz_corpus *corpus;
	char *objects_baseline;
	char debugfs[256];
	char render[64];
	struct fz_prog history[HISTORY];
	unsigned int nhistory;
	uint64_t execs, execs_killed, crashes;
	time_t start;
	char *finding;		/* what stops the run */
} m;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Finds the vsvm render node and its debugfs directory. */
static int find_device(void)
{
	DIR *d;
	struct dirent *e;

	for (int i = 128; i < 192 && !m.render[0]; i++) {
		char path[64], name[32] = "";
		struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };
		int fd;

		snprintf(path, sizeof(path), "/dev/dri/renderD%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "vsvm"))
			snprintf(m.render, sizeof(m.render), "%s", path);
		close(fd);
	}
	if (!m.render[0])
		return -1;
	d = opendir("/sys/kernel/debug/dri");
	while (d && (e = readdir(d))) {
		char path[PATH_MAX], name[64] = "";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%s/name", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f) && !strncmp(name, "vsvm", 4)) {
			snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%s/objects", e->d_name);
			if (!access(path, R_OK) && strlen(e->d_name) < 64)
				snprintf(m.debugfs, sizeof(m.debugfs), "/sys/kernel/debug/dri/%.64s",
					 e->d_name);
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	return 0;
}

static char *read_file(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = strdup("");
	}
	fclose(f);
	return buf;
}

static char *objects_now(void)
{
	char path[PATH_MAX];

	if (!m.debugfs[0])
		return NULL;
	snprintf(path, sizeof(path), "%s/objects", m.debugfs);
	return read_file(path);
}

static void write_knob(const char *name, const char *value)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/fault_inject/%s", m.debugfs, name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return;
	if (write(fd, value, strlen(value)) < 0) {
		/* A knob this module does not have. */
	}
	close(fd);
}

static void reset_injection(void)
{
	static const char *const counts[] = {
		"ebusy", "collisions", "unmaps", "range_alloc", "pt_alloc", "fail_faults",
		"latency_us",
	};

	if (!m.debugfs[0])
		return;
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		write_knob(counts[i], "0");
}

static void write_progs(FILE *f, const struct fz_prog *extra)
{
	for (unsigned int i = 0; i < m.nhistory; i++) {
		fprintf(f, "program\n");
		fz_prog_print(f, &m.history[i]);
	}
	if (extra) {
		fprintf(f, "program\n");
		fz_prog_print(f, extra);
	}
}

/* The history ring, oldest first, in m.history order. */
static void history_push(const struct fz_prog *p)
{
	if (m.nhistory == HISTORY) {
		fz_prog_free(&m.history[0]);
		memmove(&m.history[0], &m.history[1], sizeof(m.history[0]) * (HISTORY - 1));
		m.nhistory--;
	}
	fz_prog_copy(&m.history[m.nhistory++], p);
}

static void write_inflight(const struct fz_prog *p)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/inflight.prog", m.o.out);
	f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "# vsvm-fuzz: the programs run last, the one running at the end.\n"
		   "# A kernel panic leaves this file behind: see README.md.\n");
	write_progs(f, p);
	fclose(f);
}

static void write_crash(const char *what)
{
	char path[PATH_MAX], *copy = strdup(what), *line, *save = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/crash-%" PRIu64 ".prog", m.o.out, ++m.crashes);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		free(copy);
		return;
	}
	fprintf(f, "# vsvm-fuzz reproducer, after %" PRIu64 " executions.\n"
		   "# Replay in a fresh guest: vsvm-fuzz replay -n 20 %s\n"
		   "# The last program ran when this was reported:\n#\n",
		m.execs, basename(path));
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		fprintf(f, "#   %s\n", line);
	free(copy);
	write_progs(f, NULL);
	fclose(f);
	fprintf(stderr, "vsvm-fuzz: reproducer in %s\n", path);
}

/* Kernel stacks of every task of PID, for a hang report. */
static void append_stacks(char **what, pid_t pid)
{
	char dir[64], path[PATH_MAX], *stack, *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/stack", dir, e->d_name);
		stack = read_file(path);
		fprintf(out, "task %s:\n%s", e->d_name, stack ? stack : "?\n");
		free(stack);
	}
	if (d)
		closedir(d);
	fclose(out);
	if (asprintf(&stack, "%s\n%s", *what, text) >= 0) {
		free(*what);
		*what = stack;
	}
	free(text);
}

/* The device's own view, for a hang or leak report. */
static void append_debugfs(char **what)
{
	static const char *const files[] = { "engine", "vms", "log" };
	char path[PATH_MAX], *text, *both;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", m.debugfs, files[i]);
		text = read_file(path);
		if (text && asprintf(&both, "%s\ndebugfs %s:\n%s", *what, files[i], text) >= 0) {
			free(*what);
			*what = both;
		}
		free(text);
	}
}

static void finding(char *what)
{
	if (!m.finding)
		m.finding = what;
	else
		free(what);
}

/* Reaps every child (orphans of executors come to us, the subreaper). */
static void reap_all(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static bool wait_pid(pid_t pid, double seconds)
{
	double until = now_s() + seconds;

	for (;;) {
		pid_t r = waitpid(pid, NULL, WNOHANG);

		if (r == pid || (r < 0 && errno == ECHILD))
			return true;
		if (now_s() > until)
			return false;
		usleep(2000);
	}
}

/* Waits for the module's objects to be back at the baseline. */
static void wait_idle(void)
{
	double until = now_s() + m.o.leak_timeout;
	char *now = NULL;

	if (!m.objects_baseline)
		return;
	for (unsigned int i = 0;; i++) {
		free(now);
		now = objects_now();
		if (!now || !strcmp(now, m.objects_baseline))
			break;
		/* A report says more than the objects it leaves behind. */
		if (m.reports && i % 50 == 49) {
			char *r = fz_reports_take(m.reports);

			if (r) {
				finding(r);
				break;
			}
		}
		if (now_s() > until) {
			char *what;

			if (asprintf(&what, "%s: live objects did not return to the baseline "
				     "within %d s:\n%snow:\n%s",
				     strstr(now, "job 0") ? "leak" : "hang: a job never ended",
				     m.o.leak_timeout, m.objects_baseline, now) >= 0) {
				append_debugfs(&what);
				finding(what);
			}
			break;
		}
		usleep(i < 100 ? 1000 : 20000);
	}
	free(now);
}

/* Runs P once; true if it reached new coverage. */
static bool run_one(const struct fz_prog *p)
{
	pid_t pid;
	size_t fresh;

	write_inflight(p);
	history_push(p);
	fz_cover_reset(m.cover);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("vsvm-fuzz: fork");
		exit(2);
	}
	if (pid == 0)
		fz_exec_child(p, &m.ex);
	m.execs++;
	if (!wait_pid(pid, m.o.prog_timeout)) {
		m.execs_killed++;
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		if (!wait_pid(pid, m.o.hang_timeout)) {
			char *what = strdup("hang: an executor did not die within --hang-timeout "
					    "of SIGKILL; its kernel stacks:");

			append_stacks(&what, pid);
			finding(what);
			return false;
		}
	}
	kill(-pid, SIGKILL);
	reap_all();
	wait_idle();
	reset_injection();
	fresh = fz_cover_collect(m.cover);
	if (m.reports) {
		char *r = fz_reports_take(m.reports);

		if (r)
			finding(r);
	}
	return fresh > 0;
}

static void print_stats(FILE *f, const char *prefix)
{
	double secs = difftime(time(NULL), m.start);
	size_t reached = fz_cover_reached(m.cover), total = fz_cover_total(m.cover);

	fprintf(f, "%s%.0fs execs %" PRIu64 " (%.2f/s, %" PRIu64 " killed) corpus %zu "
		"cover %zu/%zu PCs (%.1f%%)\n", prefix, secs, m.execs,
		secs > 0 ? m.execs / secs : 0.0, m.execs_killed, fz_corpus_size(m.corpus),
		reached, total, total ? 100.0 * reached / total : 0.0);
}

static void summary(void)
{
	char path[PATH_MAX];
	FILE *f;

	print_stats(stdout, "vsvm-fuzz: done: ");
	if (m.cover) {
		fz_cover_unreached(m.cover, stdout, 400);
		snprintf(path, sizeof(path), "%s/cover.txt", m.o.out);
		f = fopen(path, "w");
		if (f) {
			fz_cover_report(m.cover, f);
			fclose(f);
			printf("vsvm-fuzz: per-function coverage in %s\n", path);
		}
	}
	if (m.reports)
		fz_reports_known(m.reports, stdout);
	fflush(stdout);
}

/* Runs the seed programs: each goes in the corpus if it reached anything new. */
static void run_seeds(void)
{
	for (int d = 0; d < m.o.ncorpus && !m.finding; d++) {
		char **list = fz_list_progs(m.o.corpus_dirs[d]);

		if (!list) {
			fprintf(stderr, "vsvm-fuzz: %s: %s\n", m.o.corpus_dirs[d], strerror(errno));
			continue;
		}
		for (char **l = list; *l; l++) {
			struct fz_prog progs[8];
			char err[512];
			int n = fz_prog_load(*l, m.o.shaders, progs, 8, err, sizeof(err));

			if (n < 0)
				fprintf(stderr, "vsvm-fuzz: %s\n", err);
			for (int i = 0; i < n; i++) {
				bool fresh = !m.finding && run_one(&progs[i]);

				/* Without coverage every seed is kept. */
				if (fresh || !m.cover)
					fz_corpus_add(m.corpus, &progs[i], false);
				fz_prog_free(&progs[i]);
			}
			free(*l);
		}
		free(list);
	}
}

static int fuzz(void)
{
	double end = now_s() + m.o.seconds, next_stats = now_s() + STATS_EVERY;
	struct fz_prog p;

	m.start = time(NULL);
	run_seeds();
	print_stats(stdout, "vsvm-fuzz: seeds: ");
	while (!m.finding && now_s() < end) {
		const struct fz_prog *base = fz_corpus_pick(m.corpus);

		if (!base || fz_chance(20)) {
			fz_gen_prog(&p);
		} else {
			fz_prog_copy(&p, base);
			fz_mutate(&p, fz_corpus_pick(m.corpus));
		}
		if (p.n && run_one(&p))
			fz_corpus_add(m.corpus, &p, true);
		fz_prog_free(&p);
		if (now_s() >= next_stats) {
			print_stats(stdout, "vsvm-fuzz: ");
			fflush(stdout);
			next_stats += STATS_EVERY;
		}
	}
	if (m.reports && !m.finding) {
		char *r;

		fz_reports_settle(m.reports, 1000);
		r = fz_reports_take(m.reports);
		if (r)
			finding(r);
	}
	if (m.finding) {
		fprintf(stdout, "vsvm-fuzz: FINDING:\n%s\n", m.finding);
		write_crash(m.finding);
	}
	summary();
	return m.finding ? 1 : 0;
}

static int replay(int argc, char **argv)
{
	int found = 0;

	m.start = time(NULL);
	for (int i = 0; i < argc; i++) {
		struct fz_prog progs[16];
		char err[512];
		int n = fz_prog_load(argv[i], m.o.shaders, progs, 16, err, sizeof(err));

		if (n < 0) {
			fprintf(stderr, "vsvm-fuzz: %s\n", err);
			return 2;
		}
		for (int r = 0; r < m.o.repeat && !m.finding; r++)
			for (int k = 0; k < n && !m.finding; k++)
				run_one(&progs[k]);
		if (m.reports && !m.finding) {
			char *rep;

			fz_reports_settle(m.reports, 1000);
			rep = fz_reports_take(m.reports);
			if (rep)
				finding(rep);
		}
		printf("vsvm-fuzz: replay %s: %d program(s) x %d: %s\n", argv[i], n,
		       m.o.repeat, m.finding ? "REPRODUCED" : "no finding");
		if (m.finding) {
			printf("%s\n", m.finding);
			found = 1;
			free(m.finding);
			m.finding = NULL;
		}
		for (int k = 0; k < n; k++)
			fz_prog_free(&progs[k]);
	}
	return found;
}

static int print_progs(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		struct fz_prog progs[16];
		char err[512];
		int n = fz_prog_load(argv[i], m.o.shaders, progs, 16, err, sizeof(err));

		if (n < 0) {
			fprintf(stderr, "vsvm-fuzz: %s\n", err);
			return 2;
		}
		for (int k = 0; k < n; k++) {
			if (n > 1)
				printf("program\n");
			fz_prog_print(stdout, &progs[k]);
			fz_prog_free(&progs[k]);
		}
	}
	return 0;
}

/* Generated and mutated programs must print and parse back to the same text. */
static int gen_check(int count)
{
	struct fz_prog p, q, back;
	int bad = 0;

	fz_prog_init(&q);
	for (int i = 0; i < count; i++) {
		char *a, *b, err[512];

		if (!q.n || fz_chance(4)) {
			fz_prog_free(&q);
			fz_gen_prog(&q);
		}
		fz_prog_copy(&p, &q);
		fz_mutate(&p, &q);
		a = fz_prog_str(&p);
		if (fz_prog_parse(a, NULL, &back, 1, err, sizeof(err)) < 0) {
			fprintf(stderr, "vsvm-fuzz: gen: program %d does not parse back: %s\n%s",
				i, err, a);
			bad++;
		} else {
			b = fz_prog_str(&back);
			if (strcmp(a, b)) {
				fprintf(stderr, "vsvm-fuzz: gen: program %d prints differently "
					"once parsed:\n%s---\n%s", i, a, b);
				bad++;
			}
			free(b);
			fz_prog_free(&back);
		}
		if (m.o.verbose)
			printf("program\n%s", a);
		free(a);
		fz_prog_free(&q);
		q = p;
	}
	fz_prog_free(&q);
	printf("vsvm-fuzz: gen: %d programs, %d bad\n", count, bad);
	return bad ? 1 : 0;
}

/* Without ASLR, raw addresses in saved programs mean the same memory. */
static void no_aslr(char **argv)
{
	int pers = personality(0xffffffff);

	if (pers == -1 || (pers & ADDR_NO_RANDOMIZE))
		return;
	if (personality(pers | ADDR_NO_RANDOMIZE) == -1)
		return;
	execv("/proc/self/exe", argv);
}

/* The repository's files next to a binary in build/tools/vsvm-fuzz/. */
static const char *repo_file(const char *rel)
{
	static char root[PATH_MAX];
	char path[PATH_MAX + 64], *p;

	if (!root[0]) {
		ssize_t n = readlink("/proc/self/exe", root, sizeof(root) - 1);

		root[n > 0 ? n : 0] = '\0';
		for (int up = 0; up < 4 && (p = strrchr(root, '/')); up++)
			*p = '\0';
	}
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return access(path, R_OK) ? NULL : strdup(path);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vsvm-fuzz fuzz [-t SECONDS] [-s SEED] [-c CORPUS_DIR]... [-o OUT]\n"
		"                      [--ko VSVM_KO] [--patterns FILE] [--known FILE]\n"
		"                      [--shaders DIR] [--prog-timeout S] [--hang-timeout S]\n"
		"                      [--leak-timeout S] [-v]\n"
		"       vsvm-fuzz replay [-n N] [-v] FILE...\n"
		"       vsvm-fuzz print FILE...\n"
		"       vsvm-fuzz gen [-s SEED] [-n N] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "ko", required_argument, NULL, 'k' },
		{ "patterns", required_argument, NULL, 'p' },
		{ "known", required_argument, NULL, 'K' },
		{ "shaders", required_argument, NULL, 'S' },
		{ "prog-timeout", required_argument, NULL, 'P' },
		{ "hang-timeout", required_argument, NULL, 'H' },
		{ "leak-timeout", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	const char *mode;
	char err[512];
	int c;

	if (argc < 2)
		usage();
	mode = argv[1];
	m.o = (struct opts){
		.seconds = 300, .seed = time(NULL), .prog_timeout = 30, .hang_timeout = 120,
		.leak_timeout = 120, .repeat = 1,
	};
	optind = 2;
	while ((c = getopt_long(argc, argv, "t:s:c:o:n:v", longs, NULL)) != -1) {
		switch (c) {
		case 't': m.o.seconds = atoi(optarg); break;
		case 's': m.o.seed = strtoull(optarg, NULL, 0); break;
		case 'c':
			if (m.o.ncorpus < 8)
				m.o.corpus_dirs[m.o.ncorpus++] = optarg;
			break;
		case 'o': m.o.out = optarg; break;
		case 'n': m.o.repeat = atoi(optarg); break;
		case 'v': m.o.verbose = true; break;
		case 'k': m.o.ko = optarg; break;
		case 'p': m.o.patterns = optarg; break;
		case 'K': m.o.known = optarg; break;
		case 'S': m.o.shaders = optarg; break;
		case 'P': m.o.prog_timeout = atoi(optarg); break;
		case 'H': m.o.hang_timeout = atoi(optarg); break;
		case 'L': m.o.leak_timeout = atoi(optarg); break;
		default: usage();
		}
	}
	fz_srand(m.o.seed);
	if (!m.o.shaders) {
		const char *seeds = repo_file("tools/vsvm-fuzz/corpus/shaders");
		const char *tests = repo_file("build/tools/vsvm-fuzz/shaders");
		char *both;

		if (seeds && tests && asprintf(&both, "%s:%s", seeds, tests) >= 0)
			m.o.shaders = both;
		else
			m.o.shaders = seeds ? seeds : tests;
	}
	if (m.o.shaders)
		fz_shader_load_seeds(m.o.shaders);

	if (!strcmp(mode, "print"))
		return print_progs(argc - optind, argv + optind);
	if (!strcmp(mode, "gen"))
		return gen_check(m.o.repeat > 1 ? m.o.repeat : 1000);
	if (strcmp(mode, "fuzz") && strcmp(mode, "replay"))
		usage();
	if (!strcmp(mode, "replay") && optind == argc)
		usage();

	no_aslr(argv);
	if (find_device()) {
		fprintf(stderr, "vsvm-fuzz: no vsvm render node: skipping\n");
		return 77;
	}
	if (!m.o.patterns)
		m.o.patterns = repo_file("tools/vm-lib/log-patterns");
	if (!m.o.known)
		m.o.known = repo_file("tools/vm-lib/known-reports");
	if (!m.o.ncorpus && !strcmp(mode, "fuzz")) {
		const char *dir = repo_file("tools/vsvm-fuzz/corpus");

		if (dir)
			m.o.corpus_dirs[m.o.ncorpus++] = dir;
	}
	if (!m.o.out) {
		const char *r = getenv("VSVM_RESULTS");
		char *out;

		if (asprintf(&out, "%s/fuzz", r ? r : ".") < 0)
			return 2;
		m.o.out = out;
	}
	mkdir(m.o.out, 0755);
	{
		char *dir;

		if (asprintf(&dir, "%s/corpus", m.o.out) < 0)
			return 2;
		mkdir(dir, 0755);
		m.corpus = fz_corpus_new(dir);
	}

	/* First, before any thread or child: they inherit the remote handle. */
	if (m.o.ko) {
		m.cover = fz_cover_open(m.o.ko, FZ_THREADS, err, sizeof(err));
		if (!m.cover) {
			fprintf(stderr, "vsvm-fuzz: no coverage: %s\n", err);
			return 2;
		}
	} else {
		fprintf(stderr, "vsvm-fuzz: no --ko: running without coverage\n");
	}
	if (!m.o.patterns) {
		fprintf(stderr, "vsvm-fuzz: no log patterns (--patterns)\n");
		return 2;
	}
	m.reports = fz_reports_start(m.o.patterns, m.o.known, err, sizeof(err));
	if (!m.reports) {
		fprintf(stderr, "vsvm-fuzz: %s\n", err);
		return 2;
	}
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGPIPE, SIG_IGN);
	m.ex.render_node = m.render;
	m.ex.debugfs_dir = m.debugfs[0] ? m.debugfs : NULL;
	m.ex.verbose = m.o.verbose;
	fz_cover_child_fds(m.cover, m.ex.kcov_fds);
	reset_injection();
	m.objects_baseline = objects_now();
	printf("vsvm-fuzz: %s on %s (debugfs %s), seed %" PRIu64 ", coverage %s (%zu PCs)\n",
	       mode, m.render, m.debugfs[0] ? m.debugfs : "none", m.o.seed,
	       m.cover ? "on" : "off", fz_cover_total(m.cover));
	fflush(stdout);

	if (!strcmp(mode, "replay"))
		return replay(argc - optind, argv + optind);
	return fuzz();
}
