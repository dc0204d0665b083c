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
#include <inttypes.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cl_common.h"

static const char *src =
	"kernel void stream(global const float *a, global const float *b,\n"
	"                   global float *c)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	c[i] = a[i] * 2.0f + b[i];\n"
	"}\n"
	"struct node { global struct node *next; long value; };\n"
	"kernel void chase(global struct node *global *heads, uint steps,\n"
	"                  global long *out)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	global struct node *n = heads[i];\n"
	"	long sum = 0;\n"
	"	for (uint s = 0; s < steps; s++) {\n"
	"		sum += n->value;\n"
	"		n = n->next;\n"
	"	}\n"
	"	out[i] = sum;\n"
	"}\n"
	"kernel void reduce(global const uint *in, global uint *out,\n"
	"                   local uint *tmp)\n"
	"{\n"
	"	size_t l = get_local_id(0), n = get_local_size(0);\n"
	"	tmp[l] = in[get_global_id(0)];\n"
	"	barrier(CLK_LOCAL_MEM_FENCE);\n"
	"	for (size_t s = n / 2; s > 0; s /= 2) {\n"
	"		if (l < s)\n"
	"			tmp[l] += tmp[l + s];\n"
	"		barrier(CLK_LOCAL_MEM_FENCE);\n"
	"	}\n"
	"	if (l == 0)\n"
	"		out[get_group_id(0)] = tmp[0];\n"
	"}\n"
	"kernel void mix(global ulong *x, uint rounds)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	ulong v = x[i];\n"
	"	for (uint r = 0; r < rounds; r++) {\n"
	"		v ^= v >> 33;\n"
	"		v *= 0xff51afd7ed558ccdul;\n"
	"		v += r;\n"
	"	}\n"
	"	x[i] = v;\n"
	"}\n";

struct node {
	struct node *next;
	int64_t value;
};

static size_t scale = 1;
/* Runs of each kernel on the same memory: the cold one and the warm ones. */
static int total_runs;

/* One benchmark: set up fresh memory, run, check. */
struct bench {
	const char *name;
	const char *kernel;
	size_t global, local;
	bool scales;		/* global size grows with -s */
	void (*setup)(cl_kernel k, void **mem);
	bool (*check)(void *mem);
	void (*teardown)(void *mem);
};

/* ---- stream ---- */

struct stream_mem {
	float *a, *b, *c;
	size_t n;
};

static void
stream_setup(cl_kernel k, void **mem)
{
	struct stream_mem *m = calloc(1, sizeof(*m));

	m->n = (1u << 18) * scale;
	m->a = malloc(m->n * 4);
	m->b = malloc(m->n * 4);
	m->c = malloc(m->n * 4);
	for (size_t i = 0; i < m->n; i++) {
		m->a[i] = (float)i;
		m->b[i] = (float)(i % 1000);
	}
	clSetKernelArgSVMPointer(k, 0, m->a);
	clSetKernelArgSVMPointer(k, 1, m->b);
	clSetKernelArgSVMPointer(k, 2, m->c);
	*mem = m;
}

static bool
stream_check(void *mem)
{
	struct stream_mem *m = mem;

	for (size_t i = 0; i < m->n; i++)
		if (m->c[i] != m->a[i] * 2.0f + m->b[i])
			return false;
	return true;
}

static void
stream_teardown(void *mem)
{
	struct stream_mem *m = mem;

	free(m->a);
	free(m->b);
	free(m->c);
	free(m);
}

/* ---- chase ---- */

#define CHASE_ITEMS 1024
#define CHASE_STEPS 64

struct chase_mem {
	struct node *nodes;
	struct node **heads;
	int64_t *out;
	size_t n;
};

static void
chase_setup(cl_kernel k, void **mem)
{
	struct chase_mem *m = calloc(1, sizeof(*m));
	cl_uint steps = CHASE_STEPS;
	uint64_t x = 0x1234567;

	m->n = 65536 * scale;
	m->nodes = malloc(m->n * sizeof(*m->nodes));
	m->heads = malloc(CHASE_ITEMS * sizeof(*m->heads));
	m->out = malloc(CHASE_ITEMS * sizeof(*m->out));
	for (size_t i = 0; i < m->n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		m->nodes[i].next = &m->nodes[x % m->n];
		m->nodes[i].value = (int64_t)i;
	}
	for (size_t i = 0; i < CHASE_ITEMS; i++)
		m->heads[i] = &m->nodes[(i * 40503) % m->n];
	clSetKernelArgSVMPointer(k, 0, m->heads);
	clSetKernelArg(k, 1, 4, &steps);
	clSetKernelArgSVMPointer(k, 2, m->out);
	*mem = m;
}

static bool
chase_check(void *mem)
{
	struct chase_mem *m = mem;

	for (size_t i = 0; i < CHASE_ITEMS; i++) {
		struct node *n = m->heads[i];
		int64_t sum = 0;

		for (int s = 0; s < CHASE_STEPS; s++, n = n->next)
			sum += n->value;
		if (m->out[i] != sum)
			return false;
	}
	return true;
}

static void
chase_teardown(void *mem)
{
	struct chase_mem *m = mem;

	free(m->nodes);
	free(m->heads);
	free(m->out);
	free(m);
}

/* ---- reduce ---- */

#define REDUCE_WG 128

struct reduce_mem {
	uint32_t *in, *out;
	size_t n;
};

static void
reduce_setup(cl_kernel k, void **mem)
{
	struct reduce_mem *m = calloc(1, sizeof(*m));

	m->n = (1u << 16) * scale;
	m->in = malloc(m->n * 4);
	m->out = malloc(m->n / REDUCE_WG * 4);
	for (size_t i = 0; i < m->n; i++)
		m->in[i] = (uint32_t)(i * 2654435761u);
	clSetKernelArgSVMPointer(k, 0, m->in);
	clSetKernelArgSVMPointer(k, 1, m->out);
	clSetKernelArg(k, 2, REDUCE_WG * 4, NULL);
	*mem = m;
}

static bool
reduce_check(void *mem)
{
	struct reduce_mem *m = mem;

	for (size_t g = 0; g < m->n / REDUCE_WG; g++) {
		uint32_t sum = 0;

		for (size_t i = 0; i < REDUCE_WG; i++)
			sum += m->in[g * REDUCE_WG + i];
		if (m->out[g] != sum)
			return false;
	}
	return true;
}

static void
reduce_teardown(void *mem)
{
	struct reduce_mem *m = mem;

	free(m->in);
	free(m->out);
	free(m);
}

/* ---- mix ---- */

#define MIX_ROUNDS 32

struct mix_mem {
	uint64_t *x;
	size_t n;
};

static void
mix_setup(cl_kernel k, void **mem)
{
	struct mix_mem *m = calloc(1, sizeof(*m));
	cl_uint rounds = MIX_ROUNDS;

	m->n = 8192 * scale;
	m->x = malloc(m->n * 8);
	for (size_t i = 0; i < m->n; i++)
		m->x[i] = i;
	clSetKernelArgSVMPointer(k, 0, m->x);
	clSetKernelArg(k, 1, 4, &rounds);
	*mem = m;
}

static bool
mix_check(void *mem)
{
	struct mix_mem *m = mem;

	/* Every run continues from the last one's output. */
	for (size_t i = 0; i < m->n; i++) {
		uint64_t v = i;

		for (int run = 0; run < total_runs; run++) {
			for (uint32_t r = 0; r < MIX_ROUNDS; r++) {
				v ^= v >> 33;
				v *= 0xff51afd7ed558ccdull;
				v += r;
			}
		}
		if (m->x[i] != v)
			return false;
	}
	return true;
}

static void
mix_teardown(void *mem)
{
	struct mix_mem *m = mem;

	free(m->x);
	free(m);
}

static const struct bench benches[] = {
	{ "stream 3x1MiB", "stream", 1u << 18, 64, true, stream_setup, stream_check,
	  stream_teardown },
	{ "pointer chase", "chase", CHASE_ITEMS, 64, false, chase_setup, chase_check,
	  chase_teardown },
	{ "local reduce", "reduce", 1u << 16, REDUCE_WG, true, reduce_setup, reduce_check,
	  reduce_teardown },
	{ "int64 mix", "mix", 8192, 64, true, mix_setup, mix_check, mix_teardown },
};

struct result {
	double cold, warm;
	long long fault_ns, faults, insns;
	bool ok;
};

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
run_once(cl_command_queue q, cl_kernel k, size_t global, size_t local)
{
	double t = now_s();

	if (clEnqueueNDRangeKernel(q, k, 1, NULL, &global, &local, 0, NULL, NULL) ||
	    clFinish(q))
		return -1.0;
	return now_s() - t;
}

static void
bench_device(cl_device_id dev, const struct bench *b, int runs,
	     struct result *r)
{
	cl_context ctx = clCreateContext(NULL, 1, &dev, NULL, NULL, NULL);
	cl_command_queue q = clCreateCommandQueueWithProperties(ctx, dev, NULL, NULL);
	cl_program p = cl_build(ctx, dev, src);
	cl_kernel k = p ? clCreateKernel(p, b->kernel, NULL) : NULL;
	struct vsvm_counters c0, c1;
	double times[64];
	size_t global = b->global * (b->scales ? scale : 1);
	void *mem, *warmup;

	memset(r, 0, sizeof(*r));
	if (!k)
		return;
	/*
	 * Compile outside the timing: one tiny warm-up on throw-away memory,
	 * kept until the end so that the measured run's memory is at new
	 * addresses the GPU has never seen.
	 */
	b->setup(k, &warmup);
	run_once(q, k, b->local, b->local);

	b->setup(k, &mem);
	vsvm_read_counters(&c0);
	r->cold = run_once(q, k, global, b->local);
	vsvm_read_counters(&c1);
	r->fault_ns = vsvm_counter(&c1, "fault_gather_ns") +
		      vsvm_counter(&c1, "fault_install_ns") -
		      vsvm_counter(&c0, "fault_gather_ns") -
		      vsvm_counter(&c0, "fault_install_ns");
	r->faults = vsvm_counter(&c1, "faults") - vsvm_counter(&c0, "faults");
	r->insns = vsvm_counter(&c1, "instructions") - vsvm_counter(&c0, "instructions");
	for (int i = 0; i < runs; i++)
		times[i] = run_once(q, k, global, b->local);
	qsort(times, runs, sizeof(times[0]), cmp_double);
	r->warm = times[runs / 2];
	r->ok = r->cold >= 0 && times[0] >= 0 && b->check(mem);
	b->teardown(mem);
	b->teardown(warmup);
	clReleaseKernel(k);
	clReleaseProgram(p);
	clReleaseCommandQueue(q);
	clReleaseContext(ctx);
}

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
	qsort(times, runs, sizeof(times[0]), cmp_double);
	*warm = times[0] < 0 ? -1.0 : times[runs / 2];
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int
main(int argc, char **argv)
{
	double lp_cold, lp_warm, v_cold, v_warm;
	cl_device_id vsvm, lp;
	int runs = 5, bad = 0;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "-r"))
			runs = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "-s"))
			scale = strtoul(argv[i + 1], NULL, 0);
	}
	if (runs < 1 || runs > 64 || scale < 1)
		return 2;
	total_runs = runs + 1;
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
		struct result l, v;

		bench_device(lp, &benches[i], runs, &l);
		bench_device(vsvm, &benches[i], runs, &v);
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
