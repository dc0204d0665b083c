// SPDX-License-Identifier: MIT
/*
 * Shared code of the vsvm engine benchmarks; see bench.h.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "vsvm_asm.h"

/* First GPU address handed out; low addresses stay unmapped. */
#define BENCH_VA_START		0x100000000ull
/* Buffers start on 2 MiB boundaries so large ones can use 2 MiB pages. */
#define BENCH_VA_ALIGN		0x200000ull
/* Generous: the interpreter runs under TCG emulation in the test VM. */
#define BENCH_WAIT_NS		(120ll * 1000 * 1000 * 1000)

#define ALIGN_UP(x, a)		(((x) + (a) - 1) & ~((uint64_t)(a) - 1))

static int is_vsvm(int fd)
{
	char name[16] = "";
	struct drm_version v = {
		.name = name,
		.name_len = sizeof(name) - 1,
	};

	if (ioctl(fd, DRM_IOCTL_VERSION, &v))
		return 0;
	return !strcmp(name, "vsvm");
}

/*
 * debugfs files live in the primary node's directory, named by its minor;
 * sysfs lists the primary next to the render node.
 */
static void find_debugfs(struct bench_dev *dev)
{
	char path[96];
	struct dirent *de;
	struct stat st;
	int minor = -1;
	DIR *dir;

	dev->debugfs[0] = '\0';
	if (fstat(dev->fd, &st))
		return;
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device/drm",
		 major(st.st_rdev), minor(st.st_rdev));
	dir = opendir(path);
	if (!dir)
		return;
	while ((de = readdir(dir)))
		if (sscanf(de->d_name, "card%d", &minor) == 1)
			break;
	closedir(dir);
	if (minor < 0)
		return;
	snprintf(dev->debugfs, sizeof(dev->debugfs),
		 "/sys/kernel/debug/dri/%d", minor);
	if (access(dev->debugfs, R_OK))
		dev->debugfs[0] = '\0';
}

void bench_open(struct bench_dev *dev)
{
	uint64_t v;
	int ret;

	memset(dev, 0, sizeof(*dev));
	dev->fd = -1;
	for (int i = 128; i < 192 && dev->fd < 0; i++) {
		char path[32];
		int fd;

		snprintf(path, sizeof(path), "/dev/dri/renderD%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (is_vsvm(fd))
			dev->fd = fd;
		else
			close(fd);
	}
	if (dev->fd < 0)
		errx(77, "no vsvm render node (is vsvm.ko loaded?)");

	ret = __vsvm_get_param(dev->fd, DRM_VSVM_PARAM_NUM_CUS, &v);
	if (ret)
		errx(1, "GET_PARAM NUM_CUS: %s", strerror(-ret));
	dev->num_cus = v;
	find_debugfs(dev);

	ret = __vsvm_vm_create(dev->fd, DRM_VSVM_VM_CREATE_SVM, &dev->vm);
	if (!ret)
		ret = __vsvm_queue_create(dev->fd, dev->vm, &dev->queue);
	if (ret)
		errx(1, "VM/queue creation: %s", strerror(-ret));
	dev->next_va = BENCH_VA_START;
}

void bench_close(struct bench_dev *dev)
{
	__vsvm_queue_destroy(dev->fd, dev->queue);
	__vsvm_vm_destroy(dev->fd, dev->vm);
	close(dev->fd);
	dev->fd = -1;
}

static uint64_t alloc_va(struct bench_dev *dev, uint64_t size)
{
	uint64_t va = dev->next_va;

	dev->next_va = ALIGN_UP(va + size, BENCH_VA_ALIGN);
	return va;
}

static void bo_create(struct bench_dev *dev, uint64_t size, uint32_t flags,
		      struct bench_bo *bo)
{
	int ret;

	bo->size = ALIGN_UP(size, VSVM_PAGE_SIZE);
	ret = __vsvm_gem_create(dev->fd, bo->size, &bo->handle);
	if (ret)
		errx(1, "GEM_CREATE of %llu bytes: %s",
		     (unsigned long long)bo->size, strerror(-ret));
	bo->cpu = __vsvm_gem_mmap(dev->fd, bo->handle, bo->size,
				  PROT_READ | PROT_WRITE);
	if (!bo->cpu)
		err(1, "mmap of a BO");
	bo->gpu = alloc_va(dev, bo->size);
	ret = __vsvm_vm_map(dev->fd, dev->vm, bo->handle, 0, bo->gpu, bo->size,
			    flags);
	if (ret)
		errx(1, "VM_BIND MAP at %#llx: %s",
		     (unsigned long long)bo->gpu, strerror(-ret));
}

void bench_bo_create(struct bench_dev *dev, uint64_t size,
		     struct bench_bo *bo)
{
	bo_create(dev, size, 0, bo);
}

void bench_bo_destroy(struct bench_dev *dev, struct bench_bo *bo)
{
	__vsvm_vm_unmap(dev->fd, dev->vm, bo->gpu, bo->size);
	munmap(bo->cpu, bo->size);
	__vsvm_gem_close(dev->fd, bo->handle);
	memset(bo, 0, sizeof(*bo));
}

uint64_t bench_kernel(struct bench_dev *dev, const char *src,
		      uint32_t *code_size)
{
	struct bench_bo bo;
	char msg[256] = "";
	uint8_t *code;
	size_t size;

	if (vsvm_asm(src, &code, &size, msg, sizeof(msg)))
		errx(1, "assembly failed: %s", msg);
	/* Read-only: the engine copies code at EXEC and never writes it. */
	bo_create(dev, size, DRM_VSVM_BIND_READONLY, &bo);
	memcpy(bo.cpu, code, size);
	munmap(bo.cpu, bo.size);
	free(code);
	*code_size = size;
	return bo.gpu;
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t bench_run(struct bench_dev *dev, struct drm_vsvm_exec *exec)
{
	struct drm_vsvm_wait wait;
	uint64_t start = bench_now_ns();
	int ret;

	exec->queue_id = dev->queue;
	ret = __vsvm_exec(dev->fd, exec);
	if (ret)
		errx(1, "EXEC: %s", strerror(-ret));
	ret = __vsvm_wait(dev->fd, dev->queue, exec->seqno, BENCH_WAIT_NS,
			  &wait);
	if (ret)
		errx(1, "WAIT: %s", strerror(-ret));
	if (wait.status != DRM_VSVM_STATUS_OK)
		errx(1, "job failed: %s, access %#x at %#llx, pc %#x",
		     vsvm_status_name(wait.status), wait.fault_access,
		     (unsigned long long)wait.fault_addr, wait.fault_pc);
	return bench_now_ns() - start;
}

int64_t bench_counter(struct bench_dev *dev, const char *name)
{
	char path[160], key[64];
	long long value;
	int64_t ret = -1;
	FILE *f;

	if (!dev->debugfs[0])
		return -1;
	snprintf(path, sizeof(path), "%s/counters", dev->debugfs);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", key, &value) == 2) {
		if (!strcmp(key, name)) {
			ret = value;
			break;
		}
	}
	fclose(f);
	return ret;
}

bool bench_fault_latency(struct bench_dev *dev, struct vsvm_fault_latency *lat)
{
	char path[160], text[4096];
	size_t n;
	FILE *f;

	if (!dev->debugfs[0])
		return false;
	snprintf(path, sizeof(path), "%s/fault_latency", dev->debugfs);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return !vsvm_fault_latency_parse(text, lat);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t bench_median(uint64_t *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void bench_header(const char *title)
{
	printf("\n%s\n", title);
	for (const char *p = title; *p; p++)
		putchar('-');
	putchar('\n');
}

void bench_row(const char *what, double value, const char *unit)
{
	printf("  %-44s %14.4g %s\n", what, value, unit);
}

void bench_summary(const char *fmt, ...)
{
	va_list ap;

	printf("SUMMARY: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void bench_plot(const char *fmt, ...)
{
	va_list ap;

	printf("PLOT: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void bench_plot_latency(const char *label, const struct vsvm_fault_latency *a,
			const struct vsvm_fault_latency *b)
{
	for (int i = 0; i < b->n_buckets && b->n_buckets == a->n_buckets; i++) {
		char bound[24] = "inf";

		if (b->count[0][i] == a->count[0][i] && b->count[1][i] == a->count[1][i])
			continue;
		if (b->lt_ns[i] != UINT64_MAX)
			snprintf(bound, sizeof(bound), "%llu", (unsigned long long)b->lt_ns[i]);
		bench_plot("fault_latency %s %s %lld %lld", label, bound,
			   (long long)(b->count[0][i] - a->count[0][i]),
			   (long long)(b->count[1][i] - a->count[1][i]));
	}
}
