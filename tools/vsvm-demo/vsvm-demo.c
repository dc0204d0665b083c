// SPDX-License-Identifier: MIT
/*
 * vsvm-demo - a GPU that dereferences this process's own pointers.
 *
 * Walks through shared virtual memory on the vsvm device, one step at a
 * time, saying what each step does and what it shows:
 *
 *   1. one VM whose whole user address space is a CPU-address mirror;
 *   2. a shader assembled at run time from the source below, stored in
 *      malloc()ed memory;
 *   3. the shader run on malloc()ed, mmap()ed and stack arrays;
 *   4. the CPU replacing memory while a shader reads it (mremap());
 *   5. fork(): copy-on-write, and a child kept out of the parent's VM;
 *   6. what the driver's debugfs recorded: faults, ranges, invalidations.
 *
 * Every GPU result is checked against the CPU's own computation; the exit
 * status is 0 only if all of them match. Reading debugfs needs root (the
 * qemu guest of "make run" is root); without it the counters are skipped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vsvm_asm.h"
#include "vsvm_uapi.h"

#define KiB		1024ull
#define MiB		(1024 * KiB)
#define WG_LANES	64
#define WAIT_NS		(60ll * 1000 * 1000 * 1000)

/* y[i] = a * x[i] + y[i], in fp32: SAXPY through plain CPU pointers. */
static const char saxpy_src[] =
	"; y[i] = a * x[i] + y[i] for i < n\n"
	"; arguments: 0 x (pointer), 8 y (pointer), 16 a (f32), 20 n (u32)\n"
	"	sv r0, global_id.x		; i: this lane's element\n"
	"	ldarg.u32 r1, 20		; n\n"
	"	icmp.ltu.32 r2, r0, r1		; i < n ?\n"
	"	if r2\n"
	"	    ldarg.u64 r3, 0		; x: a CPU pointer\n"
	"	    ldarg.u64 r4, 8		; y: a CPU pointer\n"
	"	    ldarg.u32 r5, 16		; a\n"
	"	    shl.64 r6, r0, 2		; i * sizeof(float)\n"
	"	    add.64 r3, r3, r6		; &x[i]\n"
	"	    add.64 r4, r4, r6		; &y[i]\n"
	"	    ld.global.u32 r7, [r3]	; x[i]\n"
	"	    ld.global.u32 r8, [r4]	; y[i]\n"
	"	    fmul r7, r5, r7		; a * x[i]\n"
	"	    fadd r8, r7, r8		; + y[i]\n"
	"	    st.global.u32 [r4], r8	; y[i] =\n"
	"	endif\n"
	"	end\n";

struct saxpy_args {
	uint64_t x, y;
	float a;
	uint32_t n;
};

/* out[i] = buf[i], counting the words copied in *progress. */
static const char copy_src[] =
	"; out[i] = buf[i] for i < n, 64-bit words; *progress += 1 per word\n"
	"; arguments: 0 buf, 8 out, 16 progress (pointers), 24 n (u32)\n"
	"	sv r0, global_id.x\n"
	"	ldarg.u32 r1, 24\n"
	"	icmp.ltu.32 r2, r0, r1\n"
	"	if r2\n"
	"	    ldarg.u64 r3, 0\n"
	"	    ldarg.u64 r4, 8\n"
	"	    shl.64 r5, r0, 3\n"
	"	    add.64 r3, r3, r5\n"
	"	    add.64 r4, r4, r5\n"
	"	    ld.global.u64 r6, [r3]\n"
	"	    st.global.u64 [r4], r6\n"
	"	    ldarg.u64 r7, 16\n"
	"	    movi r8, 1\n"
	"	    atom.global.add.u64 r8, [r7], r8	; the CPU sees it\n"
	"	endif\n"
	"	end\n";

struct copy_args {
	uint64_t buf, out, progress;
	uint32_t n, pad;
};

static int fd = -1;
static char debugfs[128];
static uint32_t vm, queue;
static int failures;

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	fputs("vsvm-demo: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("    %s ", ok ? "OK:  " : "FAIL:");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok)
		failures++;
}

static void step(const char *title)
{
	printf("\n== %s\n", title);
}

static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("    ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void try(int err, const char *what)
{
	if (err)
		die("%s: %s", what, strerror(-err));
}

static bool is_vsvm(int dfd)
{
	char name[16] = "";
	struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };

	return !__vsvm_ioctl(dfd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "vsvm");
}

/* The first render node driven by vsvm, and its debugfs directory. */
static void open_device(void)
{
	char path[64], link[192];
	struct stat st;

	for (int i = 128; i < 192 && fd < 0; i++) {
		snprintf(path, sizeof(path), "/dev/dri/renderD%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd >= 0 && !is_vsvm(fd)) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0)
		die("no vsvm render node in /dev/dri (is vsvm.ko loaded?)");
	say("device: %s", path);

	/* debugfs is per primary node: /sys/dev/char/M:m/device/drm/cardN. */
	for (int n = 0; n < 64 && !fstat(fd, &st); n++) {
		snprintf(link, sizeof(link), "/sys/dev/char/%u:%u/device/drm/card%d",
			 major(st.st_rdev), minor(st.st_rdev), n);
		if (access(link, F_OK))
			continue;
		snprintf(link, sizeof(link), "/sys/kernel/debug/dri/%d/counters",
			 n);
		if (!access(link, R_OK))
			snprintf(debugfs, sizeof(debugfs), "/sys/kernel/debug/dri/%d",
				 n);
		break;
	}
	say("debugfs: %s", debugfs[0] ? debugfs :
	    "not readable (needs root): no counters");
}

static uint64_t param(uint32_t p)
{
	uint64_t v;

	try(__vsvm_get_param(fd, p, &v), vsvm_param_name(p));
	return v;
}

/* debugfs */

static char *read_file(const char *name)
{
	char path[192], *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int f;

	if (!debugfs[0])
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", debugfs, name);
	f = open(path, O_RDONLY);
	if (f < 0)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			cap = cap ? 2 * cap : 16384;
			buf = realloc(buf, cap);
			if (!buf)
				die("out of memory");
		}
		n = read(f, buf + len, cap - len - 1);
		if (n > 0)
			len += n;
	} while (n > 0 || (n < 0 && errno == EINTR));
	close(f);
	buf[len] = '\0';
	return buf;
}

/* The "name value" counters the demo reports, in this order. */
static const char *const counter_names[] = {
	"faults", "fault_ptes_4k", "fault_ptes_2m", "fault_pages",
	"ranges_created", "retry_collision", "retry_ebusy", "inval_unmap",
	"inval_clear", "inval_protection", "inval_release",
	"tlb_shootdowns", "gc_ranges", "prefetch_pages",
};
#define N_COUNTERS (sizeof(counter_names) / sizeof(counter_names[0]))

struct counters {
	bool valid;
	int64_t v[N_COUNTERS];
};

static struct counters read_counters(void)
{
	struct counters c = {};
	char *text = read_file("counters"), *line, *save = NULL;

	if (!text)
		return c;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char key[64];
		long long value;

		if (sscanf(line, "%63s %lld", key, &value) != 2)
			continue;
		for (size_t i = 0; i < N_COUNTERS; i++)
			if (!strcmp(key, counter_names[i]))
				c.v[i] = value;
	}
	free(text);
	c.valid = true;
	return c;
}

static int64_t delta(const struct counters *a, const struct counters *b,
		     const char *name)
{
	for (size_t i = 0; i < N_COUNTERS; i++)
		if (!strcmp(counter_names[i], name))
			return b->v[i] - a->v[i];
	return 0;
}

/* One line on what the GPU's page faults did between @a and now. */
static void report_faults(const struct counters *a)
{
	struct counters b = read_counters();

	if (!a->valid || !b.valid)
		return;
	say("debugfs: %" PRId64 " GPU page faults mapped %" PRId64
	    " pages (%" PRId64 " 4 KiB and %" PRId64 " 2 MiB GPU PTEs) in %"
	    PRId64 " new SVM ranges",
	    delta(a, &b, "faults"), delta(a, &b, "fault_pages"),
	    delta(a, &b, "fault_ptes_4k"), delta(a, &b, "fault_ptes_2m"),
	    delta(a, &b, "ranges_created"));
}

/* GPU jobs */

static uint8_t *assemble(const char *src, uint32_t *size)
{
	char err[256];
	uint8_t *code, *mem;
	size_t len;

	if (vsvm_asm(src, &code, &len, err, sizeof(err)))
		die("assembler: %s", err);
	/* Code must be 16-byte aligned; it lives in the mirror like data. */
	mem = aligned_alloc(64, (len + 63) & ~63ull);
	if (!mem)
		die("out of memory");
	memcpy(mem, code, len);
	free(code);
	*size = len;
	return mem;
}

/*
 * Jobs of an SVM VM may page-fault, so they publish no dma-fence: each
 * job has the driver store its seqno here, in this process's memory, when
 * it ends (a user fence). WAIT then tells how it ended.
 */
static uint64_t fence_word;

static struct drm_vsvm_wait run(const void *code, uint32_t code_size,
				const void *args, uint32_t args_size,
				uint32_t lanes)
{
	struct drm_vsvm_exec exec;
	struct drm_vsvm_wait w;

	vsvm_exec_init(&exec, queue, (uintptr_t)code, code_size);
	exec.args_addr = (uintptr_t)args;
	exec.args_size = args_size;
	exec.wg_size[0] = WG_LANES;
	exec.grid[0] = (lanes + WG_LANES - 1) / WG_LANES;
	/* A queue's seqnos go 1, 2, ...: the job's will be the last one + 1. */
	vsvm_exec_set_user_fence(&exec, &fence_word, fence_word + 1);
	try(__vsvm_exec(fd, &exec), "EXEC");
	try(__vsvm_wait_user_fence(fd, &fence_word, exec.seqno, WAIT_NS),
	    "WAIT_USER_FENCE");
	try(__vsvm_wait(fd, queue, exec.seqno, 0, &w), "WAIT");
	return w;
}

static bool run_ok(const void *code, uint32_t code_size, const void *args,
		   uint32_t args_size, uint32_t lanes)
{
	struct drm_vsvm_wait w = run(code, code_size, args, args_size, lanes);

	if (w.status != DRM_VSVM_STATUS_OK)
		check(false, "the job failed: %s, access %#x at %#llx, pc %#x",
		      vsvm_status_name(w.status), w.fault_access,
		      (unsigned long long)w.fault_addr, w.fault_pc);
	return w.status == DRM_VSVM_STATUS_OK;
}

/* Step 3: SAXPY on one kind of memory. */
static void saxpy_on(const char *kind, float *x, float *y, uint32_t n,
		     const uint8_t *code, uint32_t code_size)
{
	struct saxpy_args args = {
		.x = (uintptr_t)x, .y = (uintptr_t)y, .a = 2.5f, .n = n,
	};
	struct counters before = read_counters();
	uint32_t bad = 0;
	float *expect = malloc(n * sizeof(float));

	if (!expect)
		die("out of memory");
	for (uint32_t i = 0; i < n; i++) {
		x[i] = (float)i * 0.25f;
		y[i] = 1000.0f - (float)i;
		/* The same two roundings as the shader's FMUL and FADD. */
		expect[i] = args.a * x[i];
		expect[i] = expect[i] + y[i];
	}
	printf("\n  %s: x at %p, y at %p, %u floats each\n", kind, (void *)x,
	       (void *)y, n);
	if (!run_ok(code, code_size, &args, sizeof(args), n))
		goto out;
	for (uint32_t i = 0; i < n; i++)
		bad += memcmp(&y[i], &expect[i], sizeof(float)) != 0;
	say("y[0..2] = %g %g %g ... y[%u] = %g", y[0], y[1], y[2], n - 1,
	    y[n - 1]);
	check(!bad, "%u of %u results equal the CPU's, bit for bit",
	      n - bad, n);
	report_faults(&before);
out:
	free(expect);
}

static void __attribute__((noinline)) saxpy_on_stack(const uint8_t *code,
						     uint32_t code_size)
{
	float x[2048], y[2048];

	saxpy_on("stack arrays (local variables of this function)", x, y, 2048,
		 code, code_size);
}

/* Step 4: the CPU swaps memory under a running shader. */
struct swapper {
	uint64_t *buf, *fresh, *progress;
	uint64_t swap_off, swap_len, trigger;
	uint64_t seen;		/* progress when the swap happened */
	struct counters at_swap;
	int err;
};

static void *swapper_thread(void *data)
{
	struct swapper *s = data;

	while (__atomic_load_n(s->progress, __ATOMIC_ACQUIRE) < s->trigger)
		;
	s->seen = __atomic_load_n(s->progress, __ATOMIC_ACQUIRE);
	s->at_swap = read_counters();
	/* One system call replaces the pages: no moment without data. */
	if (mremap(s->fresh, s->swap_len, s->swap_len,
		   MREMAP_MAYMOVE | MREMAP_FIXED,
		   (uint8_t *)s->buf + s->swap_off) == MAP_FAILED)
		s->err = errno;
	return NULL;
}

static uint64_t old_word(uint64_t i)
{
	return 0x01d0000000000000ull | i;
}

static uint64_t new_word(uint64_t i)
{
	return 0x0e90000000000000ull | i;
}

static void swap_mid_run(void)
{
	/* Big enough that the swap lands mid-run despite scheduling delays. */
	const uint64_t n = 2 * MiB, size = n * 8;
	const uint64_t swap_off = size / 4, swap_len = size / 2;
	uint64_t *buf, *fresh, *out, *progress;
	uint64_t old_before = 0, new_after = 0, other = 0, kept = 0;
	uint64_t first_new = n;
	struct counters after;
	struct copy_args args;
	struct swapper s;
	pthread_t thread;
	uint32_t code_size;
	uint8_t *code = assemble(copy_src, &code_size);

	buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fresh = mmap(NULL, swap_len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	out = malloc(size);
	progress = calloc(1, sizeof(*progress));
	if (buf == MAP_FAILED || fresh == MAP_FAILED || !out || !progress)
		die("out of memory");
	for (uint64_t i = 0; i < n; i++)
		buf[i] = old_word(i);
	for (uint64_t i = 0; i < swap_len / 8; i++)
		fresh[i] = new_word(swap_off / 8 + i);

	say("buf: %" PRIu64 " KiB at %p, every word 0x01d0... (\"old\"); the "
	    "shader copies it to out,", size / KiB, (void *)buf);
	say("word by word, and counts its progress with a GPU atomic the CPU "
	    "can read.");
	say("When 3/8 of the words are copied, a CPU thread mremap()s new "
	    "pages, 0x0e90... (\"new\"),");
	say("over the middle half of buf [%" PRIu64 " KiB, %" PRIu64
	    " KiB), while the shader runs.", swap_off / KiB,
	    (swap_off + swap_len) / KiB);

	s = (struct swapper){
		.buf = buf, .fresh = fresh, .progress = progress,
		.swap_off = swap_off, .swap_len = swap_len,
		.trigger = 3 * n / 8,
	};
	args = (struct copy_args){
		.buf = (uintptr_t)buf, .out = (uintptr_t)out,
		.progress = (uintptr_t)progress, .n = n,
	};
	if (pthread_create(&thread, NULL, swapper_thread, &s))
		die("pthread_create failed");
	if (!run_ok(code, code_size, &args, sizeof(args), n)) {
		*progress = n;
		pthread_join(thread, NULL);
		goto out;
	}
	pthread_join(thread, NULL);
	if (s.err)
		die("mremap: %s", strerror(s.err));

	for (uint64_t i = 0; i < n; i++) {
		bool swapped = i >= swap_off / 8 &&
			       i < (swap_off + swap_len) / 8;

		if (!swapped) {
			kept += out[i] == old_word(i);
			other += out[i] != old_word(i);
		} else if (out[i] == old_word(i)) {
			old_before++;
		} else if (out[i] == new_word(i)) {
			new_after++;
			if (i < first_new)
				first_new = i;
		} else {
			other++;
		}
	}
	say("The swap happened when the GPU had copied %" PRIu64 " of %" PRIu64
	    " words.", s.seen, n);
	say("In the swapped half the GPU copied %" PRIu64 " old words, read "
	    "before the swap,", old_before);
	say("and %" PRIu64 " new ones, read after it (the first at word %"
	    PRIu64 ").", new_after, first_new);
	check(kept == n - swap_len / 8, "the %" PRIu64 " words outside the "
	      "swapped half are the old ones", kept);
	check(!other, "%" PRIu64 " words are neither the old nor the new value "
	      "of their place", other);
	check(new_after > 0, "the GPU saw the CPU's new pages as soon as they "
	      "replaced the old ones");
	after = read_counters();
	if (s.at_swap.valid && after.valid) {
		say("debugfs, from the swap to the job's end: %" PRId64 " UNMAP "
		    "invalidations zapped", delta(&s.at_swap, &after, "inval_unmap"));
		say("the old pages' GPU PTEs (%" PRId64 " TLB shootdowns), %"
		    PRId64 " GPU faults mapped the new pages,",
		    delta(&s.at_swap, &after, "tlb_shootdowns"),
		    delta(&s.at_swap, &after, "faults"));
		say("and faults were retried %" PRId64 " times because an "
		    "invalidation overlapped them.",
		    delta(&s.at_swap, &after, "retry_collision") +
		    delta(&s.at_swap, &after, "retry_ebusy"));
	}
out:
	munmap(buf, size);
	free(out);
	free(progress);
	free(code);
}

/* Step 5: fork. */
static void fork_cow(void)
{
	const uint32_t n = 16 * KiB;
	uint32_t code_size;
	uint8_t *code = assemble(saxpy_src, &code_size);
	float *x = malloc(n * sizeof(float)), *y = malloc(n * sizeof(float));
	struct saxpy_args args = {
		.x = (uintptr_t)x, .y = (uintptr_t)y, .a = -1.0f, .n = n,
	};
	int to_child[2], from_child[2], status;
	struct drm_vsvm_exec exec;
	char c, eperm;
	uint32_t same = 0;
	pid_t pid;

	if (!x || !y)
		die("out of memory");
	for (uint32_t i = 0; i < n; i++) {
		x[i] = 1.0f;
		y[i] = (float)i;
	}
	if (pipe(to_child) || pipe(from_child))
		die("pipe: %s", strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		/* The child holds the same file, but not the same memory. */
		vsvm_exec_init(&exec, queue, (uintptr_t)code, code_size);
		exec.args_addr = (uintptr_t)&args;
		exec.args_size = sizeof(args);
		exec.grid[0] = n / WG_LANES;
		exec.wg_size[0] = WG_LANES;
		eperm = __vsvm_exec(fd, &exec) == -EPERM;
		if (write(from_child[1], &eperm, 1) != 1 ||
		    read(to_child[0], &c, 1) != 1)
			_exit(2);
		for (uint32_t i = 0; i < n; i++)
			if (y[i] != (float)i)
				_exit(1);
		_exit(0);
	}
	if (read(from_child[0], &eperm, 1) != 1)
		die("the child died");
	say("The child (pid %d) tried to submit the same shader to the parent's "
	    "queue:", pid);
	check(eperm, "refused with EPERM: the parent created the VM as an SVM VM, "
	      "which belongs to its address space, not the child's");

	say("The parent runs y = -1 * x + y on the GPU, on memory now shared "
	    "copy-on-write:");
	if (run_ok(code, code_size, &args, sizeof(args), n)) {
		for (uint32_t i = 0; i < n; i++)
			same += y[i] == (float)i - 1.0f;
		check(same == n, "the parent sees y[i] = i - 1 in all %u elements"
		      " (the GPU write broke COW for the parent)", same);
	}
	c = 'c';
	if (write(to_child[1], &c, 1) != 1 || waitpid(pid, &status, 0) != pid)
		die("the child died");
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the child still sees y[i] = i: its pages were never touched");
	free(x);
	free(y);
	free(code);
}

/* Step 6: the GPU page table as debugfs shows it. */
static void show_ranges(void)
{
	char *text = read_file("vms"), *line, *save = NULL;
	pid_t me = getpid();
	bool mine = false;
	int shown = 0, total = 0;

	if (!text)
		return;
	say("%-31s %8s %8s %8s %7s", "SVM range (CPU = GPU address)", "size",
	    "4K PTEs", "2M PTEs", "faults");
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long start, end, seq, n4k, n2m, faults;
		int pid;

		if (sscanf(line, "client %d", &pid) == 1) {
			mine = pid == me;
			continue;
		}
		if (!mine || sscanf(line, " range 0x%llx-0x%llx seq %llu ptes 4K "
				    "%llu 2M %llu faults %llu", &start, &end,
				    &seq, &n4k, &n2m, &faults) != 6)
			continue;
		if (shown++ < 12)
			say("%#14llx-%-#14llx %6llu K %8llu %8llu %7llu", start,
			    end, (end - start) / KiB, n4k, n2m, faults);
		total++;
	}
	if (total > shown || shown > 12)
		say("... %d ranges in all", total);
	free(text);
}

static void summary(const struct counters *start)
{
	struct counters now = read_counters();
	static const char *const what[N_COUNTERS] = {
		"GPU page faults serviced from the CPU page tables",
		"4 KiB GPU PTEs written by faults",
		"2 MiB GPU PTEs written by faults (transparent huge pages)",
		"pages gathered with hmm_range_fault()",
		"SVM ranges (one MMU interval notifier each) created",
		"faults retried: an invalidation collided with them",
		"faults retried: hmm_range_fault() returned -EBUSY",
		"invalidations: munmap/mremap (UNMAP)",
		"invalidations: page freed or replaced (CLEAR, COW)",
		"invalidations: mprotect or fork's write-protect (PROTECTION)",
		"invalidations: process exit (RELEASE)",
		"TLB shootdowns of the compute units",
		"SVM ranges removed by the GC worker after an unmap",
		"pages mapped by PREFETCH",
	};

	if (!start->valid || !now.valid) {
		say("(debugfs not readable: run as root to see the counters)");
		return;
	}
	for (size_t i = 0; i < N_COUNTERS; i++)
		say("%8" PRId64 "  %s", now.v[i] - start->v[i], what[i]);
}

int main(void)
{
	struct counters start;
	uint64_t caps, end;
	uint32_t code_size;
	uint8_t *code;
	uint32_t n = 64 * KiB;
	float *x, *y;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("vsvm-demo: a GPU that dereferences this process's own "
	       "pointers\n");

	step("0. The device");
	open_device();
	caps = param(DRM_VSVM_PARAM_SVM_CAPS);
	say("%" PRIu64 " compute units, %" PRIu64 "-lane waves, SVM:%s%s%s%s",
	    param(DRM_VSVM_PARAM_NUM_CUS), param(DRM_VSVM_PARAM_WAVE_WIDTH),
	    caps & DRM_VSVM_SVM_CAP_MIRROR ? " mirror" : "",
	    caps & DRM_VSVM_SVM_CAP_USERPTR ? " userptr" : "",
	    caps & DRM_VSVM_SVM_CAP_PREFETCH ? " prefetch" : "",
	    caps & DRM_VSVM_SVM_CAP_ATOMICS ? " atomics" : "");
	if (!(caps & DRM_VSVM_SVM_CAP_MIRROR) ||
	    !(caps & DRM_VSVM_SVM_CAP_ATOMICS))
		die("the device lacks CPU-address mirrors or atomics");
	start = read_counters();

	step("1. A VM whose whole user address space is a CPU-address mirror");
	end = param(DRM_VSVM_PARAM_MIRROR_VA_END);
	try(__vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_SVM, &vm), "VM_CREATE");
	try(__vsvm_vm_map_mirror(fd, vm, 0, end), "VM_BIND MAP_MIRROR");
	try(__vsvm_queue_create(fd, vm, &queue), "QUEUE_CREATE");
	say("VM_CREATE with DRM_VSVM_VM_CREATE_SVM: a VM that may mirror this "
	    "process's memory, and that only this process may use.");
	say("VM_BIND MAP_MIRROR [0, %#" PRIx64 "): in this VM, GPU address == "
	    "CPU address.", end);
	say("Its jobs run in long-running mode: they may fault, so they signal "
	    "their end with a user fence,");
	say("a value the driver stores in this process's memory, not with a "
	    "dma-fence (no syncobjs).");
	say("Nothing is mapped yet. The GPU page table is a cache of the CPU's: "
	    "GPU page faults");
	say("fill it (hmm_range_fault), MMU notifiers empty it when the CPU's "
	    "mappings change.");

	step("2. A shader, assembled at run time and stored in malloc()ed "
	     "memory");
	code = assemble(saxpy_src, &code_size);
	say("%u bytes of code at %p (the heap): EXEC reads them through the "
	    "mirror too.", code_size, (void *)code);
	say("Its source:");
	for (const char *p = saxpy_src; *p; ) {
		const char *nl = strchr(p, '\n');

		printf("      %.*s\n", (int)(nl - p), p);
		p = nl + 1;
	}

	step("3. The shader on three kinds of memory, through plain pointers");
	say("Each run: the CPU fills x and y, the GPU computes y = 2.5 * x + y "
	    "in place,");
	say("and the CPU checks every element against its own arithmetic.");
	say("Nothing is copied or registered: the shader gets the pointers "
	    "themselves, and");
	say("GPU page faults bring the pages in, as debugfs shows after each "
	    "run.");
	x = malloc(n * sizeof(float));
	y = malloc(n * sizeof(float));
	if (!x || !y)
		die("out of memory");
	saxpy_on("malloc()ed arrays", x, y, n, code, code_size);
	free(x);
	free(y);
	x = mmap(NULL, 2 * n * sizeof(float), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	saxpy_on("anonymous mmap()", x, x + n, n, code, code_size);
	munmap(x, 2 * n * sizeof(float));
	saxpy_on_stack(code, code_size);

	step("4. The CPU replaces memory while a shader reads it");
	swap_mid_run();

	step("5. fork(): copy-on-write, and a child kept out of the parent's VM");
	fork_cow();

	step("6. What the driver recorded (debugfs)");
	if (start.valid) {
		say("The SVM ranges of this process's VM now:");
		show_ranges();
		say("Counters since the demo started:");
	}
	summary(&start);

	try(__vsvm_queue_destroy(fd, queue), "QUEUE_DESTROY");
	try(__vsvm_vm_destroy(fd, vm), "VM_DESTROY");
	free(code);
	close(fd);
	printf("\n%s\n", failures ? "vsvm-demo: SOME CHECKS FAILED" :
	       "vsvm-demo: every GPU result matched the CPU's");
	return failures ? 1 : 0;
}
