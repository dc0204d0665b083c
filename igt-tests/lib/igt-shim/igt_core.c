// SPDX-License-Identifier: MIT
/*
 * vsvm's implementation of IGT's core test flow: subtests, fixtures, dynamic
 * subtests, results, forked children, logging, timeouts and crash handling.
 *
 * State machine, as in IGT:
 *  - A fixture that skips or fails makes every later subtest at the same
 *    group level report SKIP or FAIL without running ("skip henceforth").
 *  - A subtest ends through exit_subtest(), which prints its result and
 *    siglongjmp()s to the sigsetjmp() in the block's loop condition.
 *  - A dynamic container's result is derived from its dynamic subtests:
 *    FAIL if any failed, SKIP if none ran, SUCCESS otherwise.
 *  - The exit code is IGT_EXIT_FAILURE (or the first failure's code) if
 *    anything failed, else 0 if anything succeeded, else IGT_EXIT_SKIP.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <execinfo.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "igt_core.h"

sigjmp_buf igt_subtest_jmpbuf;
sigjmp_buf igt_dynamic_jmpbuf;

enum igt_log_level igt_log_level = IGT_LOG_INFO;

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof(arr[0]))
#endif

#define NAME_MAX_LEN 256
#define DESC_MAX_LEN 512
#define MAX_GROUP_DEPTH 16
#define MAX_EXIT_HANDLERS 5
#define LOG_RING_SIZE 256

enum henceforth { CONT = 0, SKIP, FAIL };

static const char *command_str;
static bool test_with_subtests;
static bool list_subtests, show_testlist, describe_subtests;
static char *run_single_subtest;
static char *run_single_dynamic_subtest;
static bool run_single_subtest_found;
static bool plain_output;

static bool in_fixture;
static enum henceforth skip_subtests_henceforth;
static char subtest_buf[NAME_MAX_LEN], dynamic_buf[NAME_MAX_LEN];
static const char *in_subtest, *in_dynamic_subtest;
static struct timespec subtest_time, dynamic_subtest_time;

/* -1 outside a dynamic container, else dynamic subtests run (not skipped). */
static int dynamic_tests_executed = -1;
static bool dynamic_failed_one;

static bool skipped_one, succeeded_one, failed_one;
static int igt_exitcode = IGT_EXIT_SUCCESS;

static char current_description[DESC_MAX_LEN];
static char group_descriptions[MAX_GROUP_DEPTH][DESC_MAX_LEN];
static int num_group_descriptions;

static pid_t *test_children;
static int num_test_children, test_children_size;
static bool test_child;

static igt_exit_handler_t exit_handlers[MAX_EXIT_HANDLERS];
static int num_exit_handlers;
static bool in_atexit_handler;

static __thread bool is_main_thread;
static volatile sig_atomic_t thread_failed;

static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;
static char *log_ring[LOG_RING_SIZE];
static unsigned int log_ring_start, log_ring_end;
static __thread bool log_line_continues;

static const char *timeout_op;

__attribute__((constructor))
static void igt_core_mark_main_thread(void)
{
	is_main_thread = true;
}

/* A misuse of the API: abort like IGT's internal assertions do. */
__attribute__((format(printf, 2, 3)))
static void internal_assert(bool cond, const char *format, ...)
{
	va_list ap;

	if (cond)
		return;
	va_start(ap, format);
	fprintf(stderr, "igt-shim: ");
	vfprintf(stderr, format, ap);
	va_end(ap);
	abort();
}

const char *igt_test_name(void)
{
	return command_str;
}

/* time */

int igt_gettime(struct timespec *ts)
{
	memset(ts, 0, sizeof(*ts));
	return clock_gettime(CLOCK_MONOTONIC, ts) ? -errno : 0;
}

double igt_time_elapsed(struct timespec *then, struct timespec *now)
{
	if ((then->tv_sec | then->tv_nsec) == 0)
		return -1.0;
	return (now->tv_sec - then->tv_sec) +
	       1e-9 * (now->tv_nsec - then->tv_nsec);
}

uint64_t igt_nsec_elapsed(struct timespec *start)
{
	struct timespec now;

	igt_gettime(&now);
	if ((start->tv_sec | start->tv_nsec) == 0) {
		*start = now;
		return 0;
	}
	return (uint64_t)(now.tv_sec - start->tv_sec) * 1000000000ull +
	       now.tv_nsec - start->tv_nsec;
}

/* logging */

static void log_ring_append(char *line)
{
	free(log_ring[log_ring_end % LOG_RING_SIZE]);
	log_ring[log_ring_end % LOG_RING_SIZE] = line;
	log_ring_end++;
	if (log_ring_end - log_ring_start > LOG_RING_SIZE)
		log_ring_start = log_ring_end - LOG_RING_SIZE;
}

static void log_ring_reset(void)
{
	pthread_mutex_lock(&log_mutex);
	log_ring_start = log_ring_end;
	pthread_mutex_unlock(&log_mutex);
}

/*
 * On failure, replay everything logged since the (dynamic) subtest started,
 * debug messages included, so a failure explains itself without --debug.
 */
static void log_ring_dump(void)
{
	/* A failed dynamic subtest already dumped its log. */
	if (in_subtest && !in_dynamic_subtest && dynamic_tests_executed >= 0) {
		log_ring_reset();
		return;
	}

	fflush(stdout);
	if (in_dynamic_subtest)
		fprintf(stderr, "Dynamic subtest %s failed.\n",
			in_dynamic_subtest);
	else if (in_subtest)
		fprintf(stderr, "Subtest %s failed.\n", in_subtest);
	else
		fprintf(stderr, "Test %s failed.\n", command_str);

	pthread_mutex_lock(&log_mutex);
	if (log_ring_start == log_ring_end) {
		fprintf(stderr, "No log.\n");
	} else {
		fprintf(stderr, "**** DEBUG ****\n");
		for (; log_ring_start != log_ring_end; log_ring_start++)
			fputs(log_ring[log_ring_start % LOG_RING_SIZE], stderr);
		fprintf(stderr, "****  END  ****\n");
	}
	pthread_mutex_unlock(&log_mutex);
	fflush(stderr);
}

void igt_vlog(const char *domain, enum igt_log_level level,
	      const char *format, va_list args)
{
	static const char * const level_str[] = {
		"DEBUG", "INFO", "WARNING", "CRITICAL", "NONE"
	};
	char *line, *formatted;
	size_t len;
	int ret;

	if (igt_only_list_subtests() && level <= IGT_LOG_WARN)
		return;
	if (vasprintf(&line, format, args) < 0)
		return;

	/* A message split over several calls gets one prefix. */
	if (log_line_continues)
		ret = asprintf(&formatted, "%s", line);
	else if (is_main_thread)
		ret = asprintf(&formatted, "(%s:%d) %s%s%s: %s",
			       command_str ?: "igt", getpid(),
			       domain ?: "", domain ? "-" : "",
			       level_str[level], line);
	else
		ret = asprintf(&formatted, "(%s:%d) [thread:%d] %s%s%s: %s",
			       command_str ?: "igt", getpid(), gettid(),
			       domain ?: "", domain ? "-" : "",
			       level_str[level], line);
	if (ret < 0) {
		free(line);
		return;
	}
	len = strlen(line);
	log_line_continues = len && line[len - 1] != '\n';

	pthread_mutex_lock(&log_mutex);
	log_ring_append(formatted);
	if (level >= igt_log_level) {
		if (level >= IGT_LOG_WARN) {
			fflush(stdout);
			fputs(formatted, stderr);
			fflush(stderr);
		} else if (level == IGT_LOG_INFO) {
			fputs(line, stdout);
		} else {
			fputs(formatted, stdout);
		}
	}
	pthread_mutex_unlock(&log_mutex);
	free(line);
}

void igt_log(const char *domain, enum igt_log_level level,
	     const char *format, ...)
{
	va_list args;

	va_start(args, format);
	igt_vlog(domain, level, format, args);
	va_end(args);
}

static void print_backtrace(void)
{
	void *frames[32];
	int n;

	n = backtrace(frames, 32);
	fflush(stderr);
	fprintf(stderr, "Stack trace:\n");
	fflush(stderr);
	backtrace_symbols_fd(frames, n, STDERR_FILENO);
}

static void result_message(bool dynamic, const char *name, const char *result,
			   double elapsed)
{
	printf("%s%s %s: %s (%.3fs)%s\n",
	       plain_output ? "" : "\x1b[1m",
	       dynamic ? "Dynamic subtest" : "Subtest", name, result, elapsed,
	       plain_output ? "" : "\x1b[0m");
	fflush(stdout);
}

/* wildmat: comma-separated patterns, the last matching one decides. */

static bool match_one(const char *s, const char *p, const char *end)
{
	for (; p < end; p++, s++) {
		if (*p == '*') {
			while (p + 1 < end && p[1] == '*')
				p++;
			if (p + 1 == end)
				return true;
			for (; *s; s++)
				if (match_one(s, p + 1, end))
					return true;
			return false;
		}
		if (!*s)
			return false;
		if (*p == '?')
			continue;
		if (*p == '[') {
			const char *q = p + 1;
			bool negate = false, found = false;

			if (q < end && *q == '^') {
				negate = true;
				q++;
			}
			for (; q < end && (*q != ']' || q == p + 1 + negate); q++) {
				if (q + 2 < end && q[1] == '-' && q[2] != ']') {
					found |= *s >= q[0] && *s <= q[2];
					q += 2;
				} else {
					found |= *s == *q;
				}
			}
			if (q == end || found == negate)
				return false;
			p = q;
			continue;
		}
		if (*p == '\\' && p + 1 < end)
			p++;
		if (*p != *s)
			return false;
	}
	return !*s;
}

static bool wildmat(const char *name, const char *patterns)
{
	const char *p = patterns;
	bool matched = false;

	for (;;) {
		const char *end = strchr(p, ',') ?: p + strlen(p);
		bool negate = *p == '!';

		if (match_one(name, p + negate, end))
			matched = !negate;
		if (!*end)
			return matched;
		p = end + 1;
	}
}

/* descriptions */

/* IGT's wrapping, so --describe output matches: spaces are not counted. */
static void print_wrapped(const char *indent, const char *text)
{
	const int width = 80 - (int)strlen(indent);
	const char *start = text;
	int col = 0;

	printf("%s", indent);
	for (;;) {
		int len = strcspn(text, " ");

		if (col + len > width && text != start) {
			printf("\n%s", indent);
			col = 0;
		}
		printf("%s%.*s", col ? " " : "", len, text);
		col += len;
		if (!text[len])
			break;
		text += len + 1;
	}
	printf("\n");
}

static void print_test_description(void)
{
	if (&__igt_test_description && __igt_test_description) {
		print_wrapped("", __igt_test_description);
		if (describe_subtests)
			printf("\n");
	}
}

static void print_subtest_description(const char *name, const char *file,
				      int line)
{
	bool documented = false;

	printf("SUB %s %s:%d:\n", name, file, line);
	for (int i = 0; i < num_group_descriptions; i++) {
		print_wrapped("  ", group_descriptions[i]);
		printf("\n");
		documented = true;
	}
	if (current_description[0]) {
		print_wrapped("  ", current_description);
		printf("\n");
		documented = true;
	}
	if (!documented)
		printf("  NO DOCUMENTATION!\n\n");
}

void igt_describe_f(const char *fmt, ...)
{
	va_list args;

	internal_assert(!in_subtest || dynamic_tests_executed < 0,
			"igt_describe() inside a dynamic container\n");
	if (!describe_subtests)
		return;
	va_start(args, fmt);
	vsnprintf(current_description, sizeof(current_description), fmt, args);
	va_end(args);
}

/* signals, exit handlers, timeouts */

static const struct {
	int sig;
	const char *name;	/* NULL: die silently */
} handled_signals[] = {
	{ SIGINT, NULL }, { SIGHUP, NULL }, { SIGPIPE, NULL },
	{ SIGTERM, NULL }, { SIGQUIT, "SIGQUIT" }, { SIGABRT, "SIGABRT" },
	{ SIGSEGV, "SIGSEGV" }, { SIGBUS, "SIGBUS" }, { SIGFPE, "SIGFPE" },
	{ SIGILL, "SIGILL" },
};

static void call_exit_handlers(int sig)
{
	int n = num_exit_handlers;

	/* Each handler runs once, even if it raises a signal itself. */
	num_exit_handlers = 0;
	while (n--)
		exit_handlers[n](sig);
}

static void restore_default_signals(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(handled_signals); i++)
		signal(handled_signals[i].sig, SIG_DFL);
}

static void atexit_handler(void)
{
	in_atexit_handler = true;
	restore_default_signals();
	call_exit_handlers(0);
}

void igt_install_exit_handler(igt_exit_handler_t fn)
{
	for (int i = 0; i < num_exit_handlers; i++)
		if (exit_handlers[i] == fn)
			return;
	igt_assert(num_exit_handlers < MAX_EXIT_HANDLERS);
	exit_handlers[num_exit_handlers++] = fn;
}

static __noreturn void exit_subtest(const char *result);

static void write_stderr(const char *str)
{
	size_t len = strlen(str);

	while (len) {
		ssize_t n = write(STDERR_FILENO, str, len);

		if (n <= 0)
			return;
		str += n;
		len -= n;
	}
}

static void fatal_sig_handler(int sig)
{
	const char *name = NULL;
	bool crash = sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE ||
		     sig == SIGILL;

	for (size_t i = 0; i < ARRAY_SIZE(handled_signals); i++)
		if (handled_signals[i].sig == sig)
			name = handled_signals[i].name;
	if (name) {
		/* Only async-signal-safe calls until we know where we are. */
		write_stderr("Received signal ");
		write_stderr(name);
		write_stderr(".\n");
	}

	if (crash) {
		void *frames[32];

		backtrace_symbols_fd(frames, backtrace(frames, 32),
				     STDERR_FILENO);
		/* A crashing subtest ends as CRASH; the others still run. */
		if (in_subtest && !test_child) {
			if (!failed_one)
				igt_exitcode = 128 + sig;
			failed_one = true;
			if (in_dynamic_subtest)
				dynamic_failed_one = true;
			exit_subtest("CRASH");
		}
	}

	restore_default_signals();
	call_exit_handlers(sig);
	raise(sig);
}

static void install_signal_handlers(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(handled_signals); i++)
		signal(handled_signals[i].sig, fatal_sig_handler);
	atexit(atexit_handler);
}

static __noreturn void alarm_handler(int sig)
{
	(void)sig;
	if (timeout_op)
		igt_info("Timed out: %s\n", timeout_op);
	else
		igt_info("Timed out\n");
	igt_fail(IGT_EXIT_FAILURE);
}

void igt_set_timeout(unsigned int seconds, const char *op)
{
	struct sigaction sa = { .sa_handler = alarm_handler };

	timeout_op = op;
	sigemptyset(&sa.sa_mask);
	if (seconds)
		sigaction(SIGALRM, &sa, NULL);
	alarm(seconds);
}

void igt_reset_timeout(void)
{
	igt_set_timeout(0, NULL);
}

/* option parsing */

enum {
	OPT_LIST_SUBTESTS = 500,
	OPT_SHOW_TESTLIST,
	OPT_DESCRIBE_SUBTESTS,
	OPT_RUN_SUBTEST,
	OPT_RUN_DYNAMIC_SUBTEST,
	OPT_DESCRIPTION,
	OPT_DEBUG,
	OPT_HELP = 'h',
};

static void print_usage(const char *help_str, FILE *f)
{
	fprintf(f, "Usage: %s [OPTIONS]\n"
		"  --list-subtests\n"
		"  --show-testlist\n"
		"  --run-subtest <pattern>\n"
		"  --dynamic-subtest <pattern>\n"
		"  --debug[=log-domain]\n"
		"  --help-description\n"
		"  --describe[=pattern]\n"
		"  --help|-h\n", command_str);
	if (help_str)
		fprintf(f, "%s\n", help_str);
}

static void print_version(void)
{
	struct utsname uts;

	if (igt_only_list_subtests())
		return;
	uname(&uts);
	igt_info("IGT-Version: vsvm-shim (%s) (%s: %s %s)\n", uts.machine,
		 uts.sysname, uts.release, uts.machine);
}

/*
 * As IGT: a test process is the OOM killer's first choice. A test run by
 * igt_runner inherits the runner's -1000 (never kill) otherwise, and then
 * a memory cgroup whose only tasks are the test's can kill nothing.
 */
static void oom_adjust_for_doom(void)
{
	static const char always_kill[] = "1000";
	int fd = open("/proc/self/oom_score_adj", O_WRONLY);

	internal_assert(fd >= 0, "cannot open /proc/self/oom_score_adj: %m\n");
	internal_assert(write(fd, always_kill, strlen(always_kill)) ==
			(ssize_t)strlen(always_kill),
			"cannot write /proc/self/oom_score_adj: %m\n");
	close(fd);
}

static void init_env(void)
{
	const char *env;

	plain_output = !isatty(STDOUT_FILENO) || getenv("IGT_PLAIN_OUTPUT");
	env = getenv("IGT_LOG_LEVEL");
	if (env) {
		if (!strcmp(env, "debug"))
			igt_log_level = IGT_LOG_DEBUG;
		else if (!strcmp(env, "info"))
			igt_log_level = IGT_LOG_INFO;
		else if (!strcmp(env, "warn"))
			igt_log_level = IGT_LOG_WARN;
		else if (!strcmp(env, "none"))
			igt_log_level = IGT_LOG_NONE;
	}
	/* isatty() may leave ENOTTY behind; assertions report errno. */
	errno = 0;
}

int igt_subtest_init_parse_opts(int *argc, char **argv,
				const char *extra_short_opts,
				const struct option *extra_long_opts,
				const char *help_str,
				igt_opt_handler_t extra_opt_handler,
				void *handler_data)
{
	static const struct option std_opts[] = {
		{ "list-subtests", no_argument, NULL, OPT_LIST_SUBTESTS },
		{ "show-testlist", no_argument, NULL, OPT_SHOW_TESTLIST },
		{ "describe", optional_argument, NULL, OPT_DESCRIBE_SUBTESTS },
		{ "run-subtest", required_argument, NULL, OPT_RUN_SUBTEST },
		{ "dynamic-subtest", required_argument, NULL, OPT_RUN_DYNAMIC_SUBTEST },
		{ "help-description", no_argument, NULL, OPT_DESCRIPTION },
		{ "debug", optional_argument, NULL, OPT_DEBUG },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const size_t num_std = ARRAY_SIZE(std_opts);
	struct option *opts;
	char *short_opts;
	size_t num_extra = 0;
	int c, opt_index = 0, ret = 0;

	test_with_subtests = true;
	command_str = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	init_env();

	while (extra_long_opts && extra_long_opts[num_extra].name)
		num_extra++;
	opts = calloc(num_extra + num_std, sizeof(*opts));
	internal_assert(opts != NULL, "out of memory\n");
	if (num_extra)
		memcpy(opts, extra_long_opts, num_extra * sizeof(*opts));
	memcpy(opts + num_extra, std_opts, sizeof(std_opts));
	internal_assert(asprintf(&short_opts, "%sh", extra_short_opts ?: "") > 0,
			"out of memory\n");

	while ((c = getopt_long(*argc, argv, short_opts, opts,
				&opt_index)) != -1) {
		switch (c) {
		case OPT_LIST_SUBTESTS:
			if (!run_single_subtest)
				list_subtests = true;
			break;
		case OPT_SHOW_TESTLIST:
			show_testlist = true;
			break;
		case OPT_DESCRIBE_SUBTESTS:
			if (optarg)
				run_single_subtest = strdup(optarg);
			list_subtests = true;
			describe_subtests = true;
			print_test_description();
			break;
		case OPT_RUN_SUBTEST:
			if (!igt_only_list_subtests())
				run_single_subtest = strdup(optarg);
			break;
		case OPT_RUN_DYNAMIC_SUBTEST:
			if (!igt_only_list_subtests())
				run_single_dynamic_subtest = strdup(optarg);
			break;
		case OPT_DESCRIPTION:
			print_test_description();
			ret = -1;
			goto out;
		case OPT_DEBUG:
			igt_log_level = IGT_LOG_DEBUG;
			break;
		case OPT_HELP:
			print_usage(help_str, stdout);
			ret = -1;
			goto out;
		case '?':
			print_usage(help_str, stderr);
			ret = -2;
			goto out;
		default:
			ret = extra_opt_handler ?
			      extra_opt_handler(c, opt_index, handler_data) :
			      IGT_OPT_HANDLER_ERROR;
			if (ret)
				goto out;
		}
	}

out:
	free(short_opts);
	free(opts);
	if (ret < 0)
		exit(ret == -1 ? IGT_EXIT_SUCCESS : IGT_EXIT_INVALID);

	print_version();
	if (!igt_only_list_subtests())
		oom_adjust_for_doom();
	install_signal_handlers();

	/* Leave the non-option arguments for the test, as IGT does. */
	for (int i = 0; optind + i < *argc; i++)
		argv[i + 1] = argv[optind + i];
	*argc = *argc - optind + 1;

	return ret;
}

bool igt_only_list_subtests(void)
{
	return list_subtests || show_testlist;
}

/* blocks */

bool igt_can_fail(void)
{
	return !test_with_subtests || in_fixture || in_subtest;
}

bool __igt_fixture(void)
{
	internal_assert(!in_fixture, "nested igt_fixture\n");
	internal_assert(!in_subtest, "igt_fixture inside igt_subtest\n");

	if (igt_only_list_subtests() || skip_subtests_henceforth)
		return false;
	in_fixture = true;
	return true;
}

void __igt_fixture_complete(void)
{
	in_fixture = false;
}

void __igt_fixture_end(void)
{
	in_fixture = false;
	siglongjmp(igt_subtest_jmpbuf, 1);
}

static bool valid_name(const char *name)
{
	if (!*name)
		return false;
	for (; *name; name++)
		if (!isalnum((unsigned char)*name) && *name != '-' &&
		    *name != '_')
			return false;
	return true;
}

bool __igt_run_subtest(const char *subtest_name, const char *file,
		       const int line)
{
	internal_assert(!igt_can_fail(),
			"igt_subtest nested in a fixture or subtest\n");

	if (!valid_name(subtest_name)) {
		igt_critical("Invalid subtest name \"%s\".\n", subtest_name);
		igt_exit();
	}

	if (run_single_subtest) {
		if (!wildmat(subtest_name, run_single_subtest)) {
			current_description[0] = '\0';
			return false;
		}
		run_single_subtest_found = true;
	}

	if (describe_subtests) {
		print_subtest_description(subtest_name, file, line);
		current_description[0] = '\0';
		return false;
	} else if (show_testlist) {
		printf("igt@%s@%s\n", command_str, subtest_name);
		return false;
	} else if (list_subtests) {
		printf("%s\n", subtest_name);
		return false;
	}

	if (skip_subtests_henceforth) {
		result_message(false, subtest_name,
			       skip_subtests_henceforth == SKIP ? "SKIP" : "FAIL",
			       0.0);
		return false;
	}

	igt_info("Starting subtest: %s\n", subtest_name);
	fflush(stdout);
	log_ring_reset();
	thread_failed = 0;
	igt_gettime(&subtest_time);

	snprintf(subtest_buf, sizeof(subtest_buf), "%s", subtest_name);
	in_subtest = subtest_buf;
	return true;
}

bool __igt_enter_dynamic_container(void)
{
	dynamic_tests_executed = 0;
	dynamic_failed_one = false;
	return true;
}

bool __igt_run_dynamic_subtest(const char *dynamic_subtest_name)
{
	internal_assert(in_subtest && dynamic_tests_executed >= 0,
			"igt_dynamic outside igt_subtest_with_dynamic\n");
	internal_assert(!in_dynamic_subtest, "nested igt_dynamic\n");

	if (!valid_name(dynamic_subtest_name)) {
		igt_critical("Invalid dynamic subtest name \"%s\".\n",
			     dynamic_subtest_name);
		igt_exit();
	}

	if (run_single_dynamic_subtest &&
	    !wildmat(dynamic_subtest_name, run_single_dynamic_subtest))
		return false;

	igt_info("Starting dynamic subtest: %s\n", dynamic_subtest_name);
	fflush(stdout);
	log_ring_reset();
	thread_failed = 0;
	dynamic_tests_executed++;
	igt_gettime(&dynamic_subtest_time);

	snprintf(dynamic_buf, sizeof(dynamic_buf), "%s", dynamic_subtest_name);
	in_dynamic_subtest = dynamic_buf;
	return true;
}

const char *igt_subtest_name(void)
{
	return in_subtest;
}

const char *igt_dynamic_subtest_name(void)
{
	return in_dynamic_subtest;
}

void __igt_subtest_group_save(int *save, int *desc)
{
	internal_assert(test_with_subtests, "igt_subtest_group outside igt_main\n");

	*desc = false;
	if (current_description[0]) {
		internal_assert(num_group_descriptions < MAX_GROUP_DEPTH,
				"igt_subtest_group nested too deep\n");
		memcpy(group_descriptions[num_group_descriptions++],
		       current_description, sizeof(current_description));
		current_description[0] = '\0';
		*desc = true;
	}
	*save = skip_subtests_henceforth;
}

void __igt_subtest_group_restore(int save, int desc)
{
	if (desc)
		num_group_descriptions--;
	skip_subtests_henceforth = save;
}

static void kill_children(void)
{
	int err = errno;	/* keep the test's errno for its reports */

	for (int c = 0; c < num_test_children; c++) {
		if (test_children[c] > 0) {
			kill(test_children[c], SIGKILL);
			waitpid(test_children[c], NULL, 0);
		}
	}
	num_test_children = 0;
	errno = err;
}

static __noreturn void exit_subtest(const char *result)
{
	bool dynamic = in_dynamic_subtest != NULL;
	struct timespec now;

	if (!is_main_thread) {
		thread_failed = 1;
		pthread_exit(NULL);
	}

	igt_gettime(&now);
	result_message(dynamic, dynamic ? in_dynamic_subtest : in_subtest,
		       result,
		       igt_time_elapsed(dynamic ? &dynamic_subtest_time :
						  &subtest_time, &now));

	/* A subtest that bailed out may have left children behind. */
	kill_children();

	if (dynamic) {
		in_dynamic_subtest = NULL;
		log_ring_reset();
		siglongjmp(igt_dynamic_jmpbuf, 1);
	}
	dynamic_tests_executed = -1;
	in_subtest = NULL;
	siglongjmp(igt_subtest_jmpbuf, 1);
}

static void check_thread_failures(void)
{
	if (thread_failed) {
		thread_failed = 0;
		igt_critical("Failure in a thread!\n");
		igt_fail(IGT_EXIT_FAILURE);
	}
}

void igt_success(void)
{
	check_thread_failures();

	if (in_subtest && !in_dynamic_subtest && dynamic_tests_executed >= 0) {
		if (dynamic_failed_one)
			igt_fail(IGT_EXIT_FAILURE);
		if (dynamic_tests_executed == 0)
			igt_skip("No dynamic tests executed.\n");
	}

	if (!in_dynamic_subtest)
		succeeded_one = true;
	if (in_subtest)
		exit_subtest("SUCCESS");
}

void igt_skip(const char *f, ...)
{
	va_list args;

	internal_assert(!test_child, "igt_skip() in a forked child\n");
	internal_assert(is_main_thread, "igt_skip() outside the main thread\n");
	skipped_one = true;

	if (!igt_only_list_subtests()) {
		va_start(args, f);
		vprintf(f, args);
		va_end(args);
		fflush(stdout);
	}

	if (in_subtest) {
		/* A skipped dynamic subtest does not count as executed. */
		if (in_dynamic_subtest)
			dynamic_tests_executed--;
		exit_subtest("SKIP");
	}
	internal_assert(in_fixture,
			"igt_skip() outside a fixture or subtest\n");
	skip_subtests_henceforth = SKIP;
	__igt_fixture_end();
}

void __igt_skip_check(const char *file, const int line, const char *func,
		      const char *check, const char *f, ...)
{
	int err = errno;
	char errbuf[160] = "";
	char *msg = NULL;
	va_list args;

	if (err)
		snprintf(errbuf, sizeof(errbuf), "Last errno: %i, %s\n", err,
			 strerror(err));
	if (f) {
		va_start(args, f);
		if (vasprintf(&msg, f, args) < 0)
			msg = NULL;
		va_end(args);
	}
	igt_skip("Test requirement not met in function %s, file %s:%i:\n"
		 "Test requirement: %s\n%s%s",
		 func, file, line, check, msg ?: "", errbuf);
}

void igt_fail(int exitcode)
{
	internal_assert(exitcode != IGT_EXIT_SUCCESS && exitcode != IGT_EXIT_SKIP,
			"igt_fail() with a success or skip code\n");

	if (!is_main_thread) {
		thread_failed = 1;
		pthread_exit(NULL);
	}
	if (in_atexit_handler)
		_exit(IGT_EXIT_FAILURE);

	if (in_dynamic_subtest) {
		dynamic_failed_one = true;
	} else {
		internal_assert(dynamic_tests_executed < 0 || dynamic_failed_one,
				"explicit failure in a dynamic container outside igt_dynamic\n");
		if (!failed_one)
			igt_exitcode = exitcode;
		failed_one = true;
	}

	log_ring_dump();

	if (test_child)
		exit(exitcode);

	if (in_subtest)
		exit_subtest("FAIL");

	internal_assert(igt_can_fail(),
			"igt_fail() outside a fixture or subtest\n");
	skip_subtests_henceforth = FAIL;
	__igt_fixture_end();
}

void __igt_fail_assert(const char *domain, const char *file, const int line,
		       const char *func, const char *assertion,
		       const char *f, ...)
{
	int err = errno;
	va_list args;

	igt_log(domain, IGT_LOG_CRITICAL,
		"Test assertion failure function %s, file %s:%i:\n",
		func, file, line);
	igt_log(domain, IGT_LOG_CRITICAL, "Failed assertion: %s\n", assertion);
	if (err)
		igt_log(domain, IGT_LOG_CRITICAL, "Last errno: %i, %s\n", err,
			strerror(err));
	if (f) {
		va_start(args, f);
		igt_vlog(domain, IGT_LOG_CRITICAL, f, args);
		va_end(args);
	}
	print_backtrace();
	igt_fail(IGT_EXIT_FAILURE);
}

void igt_exit(void)
{
	if (run_single_subtest && !run_single_subtest_found) {
		igt_critical("Unknown subtest: %s\n", run_single_subtest);
		exit(IGT_EXIT_INVALID);
	}
	if (igt_only_list_subtests())
		exit(IGT_EXIT_SUCCESS);

	internal_assert(skipped_one || succeeded_one || failed_one,
			"igt_exit() without any subtest result\n");

	if (!failed_one)
		igt_exitcode = succeeded_one ? IGT_EXIT_SUCCESS : IGT_EXIT_SKIP;

	igt_debug("Exiting with status code %d\n", igt_exitcode);
	kill_children();
	exit(igt_exitcode);
}

/* forked children */

bool __igt_fork(void)
{
	pid_t pid;

	internal_assert(in_subtest, "igt_fork() outside a subtest\n");
	internal_assert(!test_child, "igt_fork() in a forked child\n");

	if (num_test_children >= test_children_size) {
		test_children_size = test_children_size ? 2 * test_children_size : 4;
		test_children = realloc(test_children,
					test_children_size * sizeof(pid_t));
		igt_assert(test_children);
	}

	/* Buffered output would otherwise be printed twice. */
	fflush(NULL);
	pid = fork();
	igt_assert(pid != -1);
	if (pid == 0) {
		test_child = true;
		num_test_children = 0;
		num_exit_handlers = 0;
		pthread_mutex_init(&log_mutex, NULL);
		oom_adjust_for_doom();
		return true;
	}
	test_children[num_test_children++] = pid;
	return false;
}

int __igt_waitchildren(void)
{
	int err = 0, count = 0;

	internal_assert(!test_child, "igt_waitchildren() in a forked child\n");

	while (count < num_test_children) {
		int status = -1, c;
		pid_t pid;

		pid = wait(&status);
		if (pid == -1) {
			if (errno == EINTR)
				continue;
			printf("wait(num_children:%d) failed with %m\n",
			       num_test_children - count);
			return IGT_EXIT_FAILURE;
		}
		for (c = 0; c < num_test_children; c++)
			if (pid == test_children[c])
				break;
		if (c == num_test_children)
			continue;

		if (err == 0 && status != 0) {
			if (WIFEXITED(status)) {
				printf("child %i failed with exit status %i\n",
				       c, WEXITSTATUS(status));
				err = WEXITSTATUS(status);
			} else if (WIFSIGNALED(status)) {
				printf("child %i died with signal %i, %s\n",
				       c, WTERMSIG(status),
				       strsignal(WTERMSIG(status)));
				err = 128 + WTERMSIG(status);
			} else {
				printf("Unhandled failure [%d] in child %i\n",
				       status, c);
				err = 256;
			}
			igt_kill_children(SIGKILL);
		}
		test_children[c] = -1;
		count++;
	}
	num_test_children = 0;
	return err;
}

void igt_waitchildren(void)
{
	int err = __igt_waitchildren();

	if (err)
		igt_fail(err);
}

void igt_kill_children(int signal)
{
	int err = errno;

	for (int c = 0; c < num_test_children; c++)
		if (test_children[c] > 0)
			kill(test_children[c], signal);
	errno = err;
}

/* the kernel log */

void igt_kmsg(const char *format, ...)
{
	va_list ap;
	FILE *file = fopen("/dev/kmsg", "w");

	/* As in IGT, a log that cannot be opened is no error. */
	if (!file)
		return;
	va_start(ap, format);
	vfprintf(file, format, ap);
	va_end(ap);
	fclose(file);
}

/*
 * igt_runner ignores the kernel log lines matching this regex, from here to
 * the end of the subtest. IGT compiles it with GLib (PCRE); the shim
 * checks it as a POSIX extended regex, so use their common subset.
 */
void igt_emit_ignore_dmesg_regex(const char *ignore_dmesg_regex)
{
	regex_t re;
	int err = regcomp(&re, ignore_dmesg_regex, REG_EXTENDED | REG_NOSUB);

	if (err) {
		char msg[128];

		regerror(err, &re, msg, sizeof(msg));
		igt_debug("regexp: '%s'\n", msg);
		igt_assert_f(!err, "Error in regexp\n");
	}
	regfree(&re);
	igt_kmsg(KMSG_INFO "add ignored dmesg regex: %s\n", ignore_dmesg_regex);
}
