// SPDX-License-Identifier: MIT
/*
 * Exercises the IGT flow that vsvm tests rely on: results of plain, forked,
 * dynamic and crashing subtests, fixtures that skip or fail, groups,
 * timeouts and thread failures. run-selftest.sh runs it with several
 * command lines and compares the result lines and exit codes; it builds
 * against our shim and against real IGT, and both must give the same lines.
 */
#include <pthread.h>
#include <signal.h>

#include "igt.h"

IGT_TEST_DESCRIPTION("Self-test of the IGT subset used by the vsvm tests.");

static void *failing_thread(void *arg)
{
	igt_assert_f(arg == NULL, "thread assertion\n");
	return NULL;
}

static int oom_score_adj(void)
{
	FILE *f = fopen("/proc/self/oom_score_adj", "r");
	int adj = 0;

	igt_assert(f);
	igt_assert_eq(fscanf(f, "%d", &adj), 1);
	fclose(f);
	return adj;
}

igt_main
{
	igt_fixture
		igt_info("selftest: fixture ran\n");

	igt_describe("An assertion that holds passes.");
	igt_subtest("pass") {
		igt_assert(true);
		igt_assert_eq(1, 1);
		igt_assert_neq(1, 2);
		igt_assert_lt(1, 2);
		igt_assert_lte(2, 2);
		igt_assert_eq_u32(0xffffffffu, 0xffffffffu);
		igt_assert_eq_u64(1ull << 40, 1ull << 40);
	}

	igt_describe("A failed assertion fails the subtest and reports errno.");
	igt_subtest("fail-assert") {
		errno = ENOENT;
		igt_assert_eq(2, 3);
	}

	igt_subtest("fail-u64") {
		igt_assert_eq_u64(1ull << 40, 1ull << 41);
	}

	igt_subtest("fail-explicit") {
		igt_info("selftest: before igt_fail\n");
		igt_debug("selftest: debug before igt_fail\n");
		igt_fail(IGT_EXIT_FAILURE);
	}

	igt_subtest("skip-require") {
		igt_require_f(0, "selftest: requirement message\n");
		igt_info("selftest: must not be reached\n");
	}

	igt_subtest("skip-on") {
		igt_skip_on(1);
	}

	igt_subtest_f("formatted-%d", 7) {
		igt_debug("selftest: debug output\n");
	}

	igt_subtest("fork-pass") {
		igt_fork(child, 3)
			igt_assert(child < 3);
		igt_waitchildren();
	}

	igt_describe("A test process and its forked children are the OOM "
		     "killer's first choice, whatever they inherited.");
	igt_subtest("oom-score-adj") {
		igt_assert_eq(oom_score_adj(), 1000);
		igt_fork(child, 1)
			igt_assert_eq(oom_score_adj(), 1000);
		igt_waitchildren();
	}

	igt_subtest("fork-child-fails") {
		igt_fork(child, 2)
			igt_assert_eq(child, 0);
		igt_waitchildren();
	}

	/*
	 * Opt-in: real IGT's crash handler makes the crashed child carry on
	 * with the parent's remaining subtests, so only the shim is checked.
	 */
	igt_subtest("fork-child-crashes") {
		igt_require(getenv("SELFTEST_CHILD_CRASH"));
		igt_fork(child, 1)
			raise(SIGSEGV);
		igt_waitchildren();
	}

	igt_subtest_with_dynamic("dynamic-mixed") {
		igt_dynamic("a")
			igt_assert(true);
		igt_dynamic("b")
			igt_assert(false);
		igt_dynamic("c")
			igt_skip("selftest: dynamic skip\n");
	}

	/* Opt-in: real IGT reports this container SUCCESS, the shim FAIL. */
	igt_subtest_with_dynamic("dynamic-crash") {
		igt_require(getenv("SELFTEST_DYNAMIC_CRASH"));
		igt_dynamic("crash")
			raise(SIGSEGV);
	}

	igt_subtest_with_dynamic("dynamic-none") {
		igt_info("selftest: no dynamic subtests\n");
	}

	igt_subtest_with_dynamic("dynamic-pass") {
		for (int i = 0; i < 2; i++)
			igt_dynamic_f("n-%d", i)
				igt_assert(i < 2);
	}

	igt_subtest("crash") {
		raise(SIGSEGV);
	}

	igt_subtest("after-crash") {
		igt_assert(true);
	}

	igt_subtest("timeout") {
		igt_set_timeout(1, "selftest sleep");
		sleep(10);
		igt_reset_timeout();
	}

	igt_subtest("thread-fail") {
		pthread_t thread;

		igt_assert_eq(pthread_create(&thread, NULL, failing_thread,
					     (void *)1), 0);
		pthread_join(thread, NULL);
	}

	igt_subtest_group {
		igt_fixture
			igt_require(false);

		igt_subtest("group-skipped")
			igt_info("selftest: must not be reached\n");
	}

	/* Opt-in, since a failing fixture fails the whole run. */
	igt_subtest_group {
		igt_fixture
			igt_assert(!getenv("SELFTEST_FIXTURE_FAIL"));

		igt_subtest("group-failed")
			igt_assert(!getenv("SELFTEST_FIXTURE_FAIL"));
	}

	igt_subtest("after-groups")
		igt_assert(true);

	igt_fixture
		igt_require(false);

	igt_subtest("after-fixture-skip")
		igt_info("selftest: must not be reached\n");
}
