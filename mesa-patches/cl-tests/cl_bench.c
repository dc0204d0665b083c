// SPDX-License-Identifier: MIT
/*
 * The same OpenCL kernels on Rusticl+vsvm and Rusticl+llvmpipe in one run
 * (RUSTICL_ENABLE=vsvm,llvmpipe), on malloc()ed memory: the first run of
 * each kernel on fresh memory ("cold": vsvm takes GPU page faults), then
 * the median of warm runs.  For vsvm, the time its fault handler spent
 * comes from the driver's debugfs counters (run as root).  Every run's
 * output is checked against the CPU.
 *
 * Then OpenCL start-up, which every process pays: `clinfo -l` with one
 * driver enabled, first with an empty shader cache (what Rusticl translates
 * and compiles, libclc above all, it keeps there), then the median of warm
 * runs, and vsvm's time over llvmpipe's.
 *
 * Usage: cl_bench [-r RUNS] [-s SCALE]
 */
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cl_bench.h"

extern char **environ;

/*
 * Seconds `clinfo -l` takes with only @driver enabled and its shader cache
 * in @cache_dir; -1 if it fails.
 */
static double
startup_once(const char *driver, const char *cache_dir)
{
	char *args[] = { "clinfo", "-l", NULL };
	char enable[64], cache[4200], **env;
	posix_spawn_file_actions_t fa;
	size_t n = 0, k = 0;
	int status = -1;
	double t;
	pid_t pid;

	while (environ[n])
		n++;
	env = calloc(n + 3, sizeof(*env));
	if (!env)
		return -1.0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "RUSTICL_ENABLE=", 15) &&
		    strncmp(environ[i], "MESA_SHADER_CACHE_DIR=", 22))
			env[k++] = environ[i];
	snprintf(enable, sizeof(enable), "RUSTICL_ENABLE=%s", driver);
	snprintf(cache, sizeof(cache), "MESA_SHADER_CACHE_DIR=%s", cache_dir);
	env[k++] = enable;
	env[k++] = cache;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	t = now_s();
	if (!posix_spawnp(&pid, args[0], &fa, NULL, args, env))
		waitpid(pid, &status, 0);
	t = now_s() - t;
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	return WIFEXITED(status) && !WEXITSTATUS(status) ? t : -1.0;
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Cold (empty cache) and median warm start-up of @driver, in seconds. */
static void
startup(const char *driver, int runs, double *cold, double *warm)
{
	char dir[4096];
	const char *tmp = getenv("TMPDIR");
	double times[64];

	snprintf(dir, sizeof(dir), "%s/cl_bench_cache.XXXXXX", tmp ? tmp : "/tmp");
	*cold = *warm = -1.0;
	if (!mkdtemp(dir))
		return;
	*cold = startup_once(driver, dir);
	for (int i = 0; i < runs; i++)
		times[i] = startup_once(driver, dir);
	*warm = bench_median(times, runs);
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int
main(int argc, char **argv)
{
	double lp_cold, lp_warm, v_cold, v_warm;
	cl_device_id vsvm, lp;
	int runs, bad = 0;

	if (!bench_args(argc, argv, &runs))
		return 2;
	vsvm = cl_find_device("vsvm");
	lp = cl_find_device("llvmpipe");
	if (!lp) {
		fprintf(stderr, "no llvmpipe device: RUSTICL_ENABLE=vsvm,llvmpipe\n");
		return 1;
	}
	if (!vsvm) {
		/* Lets the benchmark itself be checked on a machine without vsvm. */
		printf("(no vsvm device: llvmpipe stands in for it)\n");
		vsvm = lp;
	}
	printf("%-14s %11s %11s %11s %11s %8s %10s %8s %12s\n", "kernel",
	       "lp cold ms", "lp warm ms", "vsvm cold", "vsvm warm", "warm x",
	       "fault ms", "faults", "insns");
	for (size_t i = 0; i < ARRAY_LEN(benches); i++) {
		struct bench_result l, v;

		cl_bench_device(lp, &benches[i], runs, &l);
		cl_bench_device(vsvm, &benches[i], runs, &v);
		printf("%-14s %11.2f %11.2f %11.2f %11.2f %8.1f %10.2f %8lld %12lld%s\n",
		       benches[i].name, l.cold * 1e3, l.warm * 1e3, v.cold * 1e3,
		       v.warm * 1e3, l.warm > 0 ? v.warm / l.warm : 0.0,
		       v.fault_ns / 1e6, v.faults, v.insns,
		       l.ok && v.ok ? "" : "  WRONG RESULT");
		bad += !l.ok || !v.ok;
	}
	printf("warm x = vsvm warm time / llvmpipe warm time; fault ms = time the "
	       "vsvm fault handler spent during the cold run (debugfs)\n");

	startup("llvmpipe", runs, &lp_cold, &lp_warm);
	startup(vsvm == lp ? "llvmpipe" : "vsvm", runs, &v_cold, &v_warm);
	printf("\n%-34s %11s %11s %8s\n", "start-up (clinfo -l, one driver)",
	       "llvmpipe ms", "vsvm ms", "x");
	printf("%-34s %11.0f %11.0f %8.2f\n", "cold: empty shader cache",
	       lp_cold * 1e3, v_cold * 1e3, lp_cold > 0 ? v_cold / lp_cold : 0.0);
	printf("%-34s %11.0f %11.0f %8.2f\n", "warm: shader cache filled",
	       lp_warm * 1e3, v_warm * 1e3, lp_warm > 0 ? v_warm / lp_warm : 0.0);
	printf("x = vsvm start-up time / llvmpipe start-up time (warm: median "
	       "of %d)\n", runs);
	bad += lp_cold < 0 || lp_warm < 0 || v_cold < 0 || v_warm < 0;
	return bad ? 1 : 0;
}
