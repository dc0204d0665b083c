// SPDX-License-Identifier: MIT
/*
 * Basic vsvm UAPI: device identity, parameters, buffer objects, VMs,
 * isolation between open files, and the errno of every rejected argument.
 * The errno checks are the contract of drm-driver/include/uapi/drm/vsvm_drm.h:
 * each case breaks exactly one rule of an otherwise valid request, and the
 * valid request is shown to succeed first, so a case can only pass for the
 * reason it names.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "igt.h"
#include "vsvm_lib.h"

IGT_TEST_DESCRIPTION("Basic vsvm UAPI: device identity, parameters, GEM, VMs, "
		     "per-file isolation and the errno of each invalid argument.");

#define SIZE_4K		0x1000ull
#define SIZE_64K		0x10000ull
#define SIZE_2M		0x200000ull

/* GPU addresses used by the tests; nothing else is bound there. */
#define BIND_ADDR	0x100000ull
#define CODE_ADDR	0x200000ull
#define UNBOUND_ADDR	0x40000000ull

#define KNOWN_SVM_CAPS	(DRM_VSVM_SVM_CAP_MIRROR | DRM_VSVM_SVM_CAP_USERPTR | \
			 DRM_VSVM_SVM_CAP_PREFETCH | DRM_VSVM_SVM_CAP_ATOMICS)

/* Never allocated: ids and handles are small and allocated upwards. */
#define BAD_ID		0xfffffff0u

static int fd = -1;

static uint64_t page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/* A byte stream that differs per @seed and has no short period. */
static uint8_t pattern_byte(uint64_t seed, uint64_t i)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull ^ seed;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 32;
	return x;
}

static void fill_pattern(uint8_t *p, uint64_t len, uint64_t seed)
{
	for (uint64_t i = 0; i < len; i++)
		p[i] = pattern_byte(seed, i);
}

static void check_pattern(const uint8_t *p, uint64_t len, uint64_t seed)
{
	for (uint64_t i = 0; i < len; i++)
		igt_assert_f(p[i] == pattern_byte(seed, i),
			     "byte %llu is %#x, expected %#x\n",
			     (unsigned long long)i, p[i],
			     pattern_byte(seed, i));
}

static void check_zero(const uint8_t *p, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++)
		igt_assert_f(p[i] == 0, "byte %llu of a new BO is %#x\n",
			     (unsigned long long)i, p[i]);
}

static void *mmap_offset(uint64_t len, int prot, uint64_t offset)
{
	return mmap(NULL, len, prot, MAP_SHARED, fd, offset);
}

/* Expects @ret, a 0-or-negative-errno result, to be @err. */
#define check_err(ret, err, what) do { \
	int __ret = (ret); \
	igt_assert_f(__ret == (err), "%s: got %d (%s), expected %d (%s)\n", \
		     what, __ret, strerror(-__ret), (err), strerror(-(err))); \
} while (0)

static void test_driver_name(void)
{
	char name[64] = "", date[64] = "", desc[256] = "";
	struct drm_version version = {};
	char path[64], target[PATH_MAX];
	const char *node;
	struct stat st;
	ssize_t len;

	/* First call: the lengths only. */
	do_ioctl(fd, DRM_IOCTL_VERSION, &version);
	igt_assert_eq((int)version.name_len, (int)strlen("vsvm"));

	version.name = name;
	version.name_len = sizeof(name) - 1;
	version.date = date;
	version.date_len = sizeof(date) - 1;
	version.desc = desc;
	version.desc_len = sizeof(desc) - 1;
	do_ioctl(fd, DRM_IOCTL_VERSION, &version);
	igt_assert_f(!strcmp(name, "vsvm"), "driver name is \"%s\"\n", name);
	igt_assert_f(desc[0], "empty driver description\n");
	igt_info("%s %d.%d.%d: %s\n", name, version.version_major,
		 version.version_minor, version.version_patchlevel, desc);

	igt_assert_eq(fstat(fd, &st), 0);
	igt_assert(S_ISCHR(st.st_mode));
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u", major(st.st_rdev),
		 minor(st.st_rdev));
	len = readlink(path, target, sizeof(target) - 1);
	igt_assert_lt(0, (int)len);
	target[len] = '\0';
	node = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	igt_assert_f(!strncmp(node, "renderD", 7), "%s is not a render node\n",
		     node);

	/* The kernel treats it as one too: primary-only ioctls are refused. */
	do_ioctl_err(fd, DRM_IOCTL_GET_MAGIC, &(struct drm_auth){}, EACCES);
}

static void test_debugfs_name(void)
{
	char *name;
	int dir;

	dir = igt_debugfs_dir(fd);
	igt_require_f(dir >= 0, "no debugfs directory for the device\n");
	close(dir);

	name = vsvm_debugfs_read(fd, "name");
	igt_assert_f(name, "cannot read debugfs name: %m\n");
	igt_assert_f(!strncmp(name, "vsvm ", 5), "debugfs name is \"%s\"\n",
		     name);
	free(name);
}

static void test_getparam(void)
{
	uint64_t v[DRM_VSVM_PARAM_MAX_BO_SIZE + 1];
	uint64_t va_end, end;
	int stack_var;
	void *map;

	for (uint32_t p = 0; p < ARRAY_SIZE(v); p++) {
		check_err(__vsvm_get_param(fd, p, &v[p]), 0,
			  vsvm_param_name(p));
		igt_info("%s = %#llx\n", vsvm_param_name(p),
			 (unsigned long long)v[p]);
		/* Device facts do not change between calls. */
		igt_assert_eq_u64(vsvm_get_param(fd, p), v[p]);
	}

	igt_assert_eq_u64(v[DRM_VSVM_PARAM_VA_BITS], 48);
	igt_assert_eq_u64(v[DRM_VSVM_PARAM_PAGE_SIZES] & (SIZE_4K | SIZE_2M),
			  SIZE_4K | SIZE_2M);
	igt_assert_eq_u64(v[DRM_VSVM_PARAM_PAGE_SIZES] & (SIZE_4K - 1), 0);
	igt_assert_eq_u64(v[DRM_VSVM_PARAM_ISA_VERSION], VSVM_ISA_VERSION);
	igt_assert_eq_u64(v[DRM_VSVM_PARAM_ISA_VERSION], 1 << 16);
	igt_assert_eq_u64(v[DRM_VSVM_PARAM_WAVE_WIDTH], VSVM_WAVE_WIDTH);
	igt_assert_eq_u64(v[DRM_VSVM_PARAM_WAVE_WIDTH], 32);
	igt_assert_lte_u64(1, v[DRM_VSVM_PARAM_NUM_CUS]);
	igt_assert_eq_u64(v[DRM_VSVM_PARAM_SVM_CAPS] & ~(uint64_t)KNOWN_SVM_CAPS,
			  0);
	igt_assert_lte_u64(1, v[DRM_VSVM_PARAM_MAX_WG_SIZE]);
	igt_assert_lte_u64(v[DRM_VSVM_PARAM_MAX_WG_SIZE], UINT32_MAX);
	/* These bound __u32 fields of struct drm_vsvm_exec. */
	igt_assert_lte_u64(v[DRM_VSVM_PARAM_MAX_SHARED_SIZE], UINT32_MAX);
	igt_assert_lte_u64(v[DRM_VSVM_PARAM_MAX_SCRATCH_SIZE], UINT32_MAX);
	igt_assert_lte_u64(v[DRM_VSVM_PARAM_MAX_ARGS_SIZE], UINT32_MAX);
	igt_assert_eq_u64(v[DRM_VSVM_PARAM_NUM_REGS], VSVM_NUM_REGS);
	igt_assert_eq_u64(v[DRM_VSVM_PARAM_NUM_REGS], 256);
	igt_assert_lte_u64(VSVM_INSN_SIZE, v[DRM_VSVM_PARAM_MAX_CODE_SIZE]);
	igt_assert_lte_u64(v[DRM_VSVM_PARAM_MAX_CODE_SIZE], UINT32_MAX);
	igt_assert_eq_u64(v[DRM_VSVM_PARAM_MAX_CODE_SIZE] % VSVM_INSN_SIZE, 0);
	igt_assert_lte_u64(1, v[DRM_VSVM_PARAM_JOB_TIMEOUT_MS]);
	igt_assert_lte_u64(page_size(), v[DRM_VSVM_PARAM_MAX_BO_SIZE]);

	/* Every address this process can have lies below MIRROR_VA_END. */
	va_end = 1ull << v[DRM_VSVM_PARAM_VA_BITS];
	end = v[DRM_VSVM_PARAM_MIRROR_VA_END];
	igt_assert_eq_u64(end % SIZE_4K, 0);
	igt_assert_lte_u64(end, va_end);
	igt_assert_lt_u64(to_user_pointer(&stack_var), end);
	map = mmap(NULL, SIZE_4K, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(map != MAP_FAILED);
	igt_assert_lte_u64(to_user_pointer(map) + SIZE_4K, end);
	munmap(map, SIZE_4K);
}

static void test_bad_getparam(void)
{
	struct drm_vsvm_get_param gp = {};
	uint64_t value;

	check_err(__vsvm_get_param(fd, 0xffff, &value), -EINVAL,
		  "param 0xffff");
	check_err(__vsvm_get_param(fd, 0xffffffff, &value), -EINVAL,
		  "param 0xffffffff");

	gp.param = DRM_VSVM_PARAM_VA_BITS;
	do_ioctl(fd, DRM_IOCTL_VSVM_GET_PARAM, &gp);
	gp.pad = 1;
	do_ioctl_err(fd, DRM_IOCTL_VSVM_GET_PARAM, &gp, EINVAL);
}

static void test_bad_ioctl(void)
{
	struct drm_vsvm_get_param gp = { .param = DRM_VSVM_PARAM_VA_BITS };

	do_ioctl_err(fd, DRM_IOWR(DRM_COMMAND_BASE + 0x3f,
				  struct drm_vsvm_get_param), &gp, EINVAL);
	do_ioctl_err(fd, DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_WAIT_USER_FENCE + 1,
				  struct drm_vsvm_get_param), &gp, EINVAL);
}

/*
 * Write through one mapping, read back through another: the data lives in
 * the BO, not the mapping, and the size rounds up to whole pages.
 */
static void test_gem_mmap(uint64_t size)
{
	uint64_t alloc = ALIGN(size, page_size());
	uint64_t offset, offset2;
	uint8_t *ptr, *ptr2, byte;
	uint32_t handle;

	handle = vsvm_gem_create(fd, size);
	offset = vsvm_gem_mmap_offset(fd, handle);
	igt_assert_eq_u64(offset % page_size(), 0);

	ptr = mmap_offset(alloc, PROT_READ | PROT_WRITE, offset);
	igt_assert(ptr != MAP_FAILED);
	check_zero(ptr, alloc);
	fill_pattern(ptr, alloc, size);
	igt_assert_eq(munmap(ptr, alloc), 0);

	/* Exactly the rounded-up size is mappable. */
	ptr = mmap_offset(alloc + page_size(), PROT_READ, offset);
	igt_assert(ptr == MAP_FAILED);
	igt_assert_eq(errno, EINVAL);
	errno = 0;

	offset2 = vsvm_gem_mmap_offset(fd, handle);
	igt_assert_eq_u64(offset2, offset);
	ptr = mmap_offset(alloc, PROT_READ, offset2);
	igt_assert(ptr != MAP_FAILED);
	check_pattern(ptr, alloc, size);

	/* Two live mappings of one BO alias. */
	ptr2 = mmap_offset(alloc, PROT_READ | PROT_WRITE, offset2);
	igt_assert(ptr2 != MAP_FAILED);
	ptr2[alloc - 1] ^= 0xff;
	igt_assert_eq(ptr[alloc - 1], pattern_byte(size, alloc - 1) ^ 0xff);
	ptr2[0] ^= 0xff;
	igt_assert_eq(ptr[0], pattern_byte(size, 0) ^ 0xff);

	/* The library's BO accessors reach the last byte too. */
	vsvm_gem_read(fd, handle, alloc - 1, &byte, 1);
	igt_assert_eq(byte, pattern_byte(size, alloc - 1) ^ 0xff);
	byte = 0x3c;
	vsvm_gem_write(fd, handle, alloc - 1, &byte, 1);
	igt_assert_eq(ptr[alloc - 1], 0x3c);

	igt_assert_eq(munmap(ptr2, alloc), 0);
	igt_assert_eq(munmap(ptr, alloc), 0);
	vsvm_gem_close(fd, handle);
}

static void test_gem_no_alias(void)
{
	const uint64_t size = 2 * SIZE_64K;
	uint32_t a, b;
	uint8_t *pa, *pb;

	a = vsvm_gem_create(fd, size);
	b = vsvm_gem_create(fd, size);
	igt_assert_neq_u32(a, b);
	igt_assert_neq_u64(vsvm_gem_mmap_offset(fd, a),
			   vsvm_gem_mmap_offset(fd, b));

	pa = vsvm_gem_mmap(fd, a, size, PROT_READ | PROT_WRITE);
	pb = vsvm_gem_mmap(fd, b, size, PROT_READ | PROT_WRITE);
	fill_pattern(pa, size, 1);
	fill_pattern(pb, size, 2);
	check_pattern(pa, size, 1);
	check_pattern(pb, size, 2);
	munmap(pa, size);
	munmap(pb, size);

	pa = vsvm_gem_mmap(fd, a, size, PROT_READ);
	pb = vsvm_gem_mmap(fd, b, size, PROT_READ);
	check_pattern(pa, size, 1);
	check_pattern(pb, size, 2);
	munmap(pa, size);
	munmap(pb, size);

	vsvm_gem_close(fd, a);
	vsvm_gem_close(fd, b);
}

static void test_gem_close(void)
{
	const uint64_t size = 4 * SIZE_4K;
	uint32_t handle, again;
	uint64_t offset;
	uint8_t *ptr, *ptr2;

	handle = vsvm_gem_create(fd, size);
	ptr = vsvm_gem_mmap(fd, handle, size, PROT_READ | PROT_WRITE);
	fill_pattern(ptr, size, 3);

	vsvm_gem_close(fd, handle);
	check_err(__vsvm_gem_mmap_offset(fd, handle, &offset), -ENOENT,
		  "mmap offset of a closed handle");
	check_err(__vsvm_gem_close(fd, handle), -EINVAL,
		  "second GEM_CLOSE");

	/* A mapping keeps the object, and its contents, alive. */
	check_pattern(ptr, size, 3);
	fill_pattern(ptr, size, 4);
	check_pattern(ptr, size, 4);
	igt_assert_eq(munmap(ptr, size), 0);

	/* A new BO, perhaps with the same handle, has none of the old data. */
	again = vsvm_gem_create(fd, size);
	ptr2 = vsvm_gem_mmap(fd, again, size, PROT_READ);
	check_zero(ptr2, size);
	munmap(ptr2, size);
	vsvm_gem_close(fd, again);
}

static void test_bad_gem(void)
{
	struct drm_vsvm_gem_create create = { .size = SIZE_4K };
	struct drm_vsvm_gem_mmap_offset mo = {};
	uint64_t max = vsvm_get_param(fd, DRM_VSVM_PARAM_MAX_BO_SIZE);
	uint32_t handle, valid;
	uint64_t offset;

	do_ioctl(fd, DRM_IOCTL_VSVM_GEM_CREATE, &create);
	valid = create.handle;
	igt_assert(valid);

	check_err(__vsvm_gem_create(fd, 0, &handle), -EINVAL, "size 0");
	create = (struct drm_vsvm_gem_create){ .size = SIZE_4K, .flags = 1 };
	do_ioctl_err(fd, DRM_IOCTL_VSVM_GEM_CREATE, &create, EINVAL);
	create.flags = 1u << 31;
	do_ioctl_err(fd, DRM_IOCTL_VSVM_GEM_CREATE, &create, EINVAL);
	if (max < UINT64_MAX - SIZE_4K)
		check_err(__vsvm_gem_create(fd, max + 1, &handle), -E2BIG,
			  "size MAX_BO_SIZE + 1");
	check_err(__vsvm_gem_create(fd, ~0ull, &handle), -E2BIG, "size ~0");
	check_err(__vsvm_gem_create(fd, ~0ull - SIZE_4K + 2, &handle), -E2BIG,
		  "size rounding up past 2^64");

	mo.handle = valid;
	do_ioctl(fd, DRM_IOCTL_VSVM_GEM_MMAP_OFFSET, &mo);
	check_err(__vsvm_gem_mmap_offset(fd, 0, &offset), -ENOENT, "handle 0");
	check_err(__vsvm_gem_mmap_offset(fd, BAD_ID, &offset), -ENOENT,
		  "unknown handle");
	mo = (struct drm_vsvm_gem_mmap_offset){ .handle = valid, .flags = 1 };
	do_ioctl_err(fd, DRM_IOCTL_VSVM_GEM_MMAP_OFFSET, &mo, EINVAL);

	check_err(__vsvm_gem_close(fd, BAD_ID), -EINVAL, "close unknown");
	check_err(__vsvm_gem_close(fd, 0), -EINVAL, "close handle 0");
	vsvm_gem_close(fd, valid);
}

static void test_vm_create_destroy(void)
{
	enum { NUM_VMS = 512 };
	static uint32_t ids[NUM_VMS];

	/* BO-only and SVM VMs alternately: they share one id space. */
	for (int i = 0; i < NUM_VMS; i++) {
		ids[i] = vsvm_vm_create(fd, i & 1 ? DRM_VSVM_VM_CREATE_SVM : 0);
		for (int j = 0; j < i; j++)
			igt_assert_neq_u32(ids[i], ids[j]);
	}
	for (int i = 0; i < NUM_VMS; i++)
		vsvm_vm_destroy(fd, ids[i]);
	for (int i = 0; i < NUM_VMS; i++)
		check_err(__vsvm_vm_destroy(fd, ids[i]), -ENOENT,
			  "second VM_DESTROY");

	/* Creation still works after many destructions. */
	ids[0] = vsvm_vm_create(fd, 0);
	ids[1] = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_SVM);
	vsvm_vm_destroy(fd, ids[0]);
	vsvm_vm_destroy(fd, ids[1]);
}

static void test_bad_vm(void)
{
	struct drm_vsvm_vm_create create = {};
	struct drm_vsvm_vm_destroy destroy = {};
	uint32_t vm, svm;

	/* Flags 0 and DRM_VSVM_VM_CREATE_SVM are the valid requests. */
	do_ioctl(fd, DRM_IOCTL_VSVM_VM_CREATE, &create);
	vm = create.vm_id;
	igt_assert(vm);
	create = (struct drm_vsvm_vm_create){ .flags = DRM_VSVM_VM_CREATE_SVM };
	do_ioctl(fd, DRM_IOCTL_VSVM_VM_CREATE, &create);
	svm = create.vm_id;
	igt_assert(svm);
	igt_assert_neq_u32(svm, vm);

	create = (struct drm_vsvm_vm_create){
		.flags = DRM_VSVM_VM_CREATE_SVM << 1 };
	do_ioctl_err(fd, DRM_IOCTL_VSVM_VM_CREATE, &create, EINVAL);
	create = (struct drm_vsvm_vm_create){ .flags = 1u << 31 };
	do_ioctl_err(fd, DRM_IOCTL_VSVM_VM_CREATE, &create, EINVAL);
	/* A known flag does not excuse an unknown one beside it. */
	create = (struct drm_vsvm_vm_create){
		.flags = DRM_VSVM_VM_CREATE_SVM | DRM_VSVM_VM_CREATE_SVM << 1 };
	do_ioctl_err(fd, DRM_IOCTL_VSVM_VM_CREATE, &create, EINVAL);
	create = (struct drm_vsvm_vm_create){ .flags = ~0u };
	do_ioctl_err(fd, DRM_IOCTL_VSVM_VM_CREATE, &create, EINVAL);
	create = (struct drm_vsvm_vm_create){ .extensions = 1 };
	do_ioctl_err(fd, DRM_IOCTL_VSVM_VM_CREATE, &create, EINVAL);
	create = (struct drm_vsvm_vm_create){
		.flags = DRM_VSVM_VM_CREATE_SVM, .extensions = 1 };
	do_ioctl_err(fd, DRM_IOCTL_VSVM_VM_CREATE, &create, EINVAL);

	check_err(__vsvm_vm_destroy(fd, 0), -ENOENT, "destroy VM 0");
	check_err(__vsvm_vm_destroy(fd, BAD_ID), -ENOENT, "destroy unknown");
	destroy = (struct drm_vsvm_vm_destroy){ .vm_id = vm, .pad = 1 };
	do_ioctl_err(fd, DRM_IOCTL_VSVM_VM_DESTROY, &destroy, EINVAL);
	destroy = (struct drm_vsvm_vm_destroy){ .vm_id = svm, .pad = 1 };
	do_ioctl_err(fd, DRM_IOCTL_VSVM_VM_DESTROY, &destroy, EINVAL);

	/* The rejected destroys left the VMs alone and id 0 unallocated. */
	vsvm_vm_destroy(fd, vm);
	vsvm_vm_destroy(fd, svm);
	vm = vsvm_vm_create(fd, 0);
	vsvm_vm_destroy(fd, vm);
}

static void check_bind(struct drm_vsvm_vm_bind *bind, int err,
		       const char *what)
{
	check_err(__vsvm_vm_bind(fd, bind), err, what);
}

static void test_bad_bind(void)
{
	const uint64_t bo_size = 16 * SIZE_4K;
	uint64_t va_end = 1ull << vsvm_get_param(fd, DRM_VSVM_PARAM_VA_BITS);
	struct drm_vsvm_vm_bind valid, b;
	uint32_t vm, bo;

	vm = vsvm_vm_create(fd, 0);
	bo = vsvm_gem_create(fd, bo_size);
	valid = (struct drm_vsvm_vm_bind){
		.vm_id = vm,
		.op = DRM_VSVM_BIND_OP_MAP,
		.handle = bo,
		.addr = BIND_ADDR,
		.range = bo_size,
	};

	b = valid;
	check_bind(&b, 0, "valid MAP");
	vsvm_vm_unmap(fd, vm, BIND_ADDR, bo_size);

	b = valid; b.vm_id = 0;
	check_bind(&b, -ENOENT, "VM 0");
	b = valid; b.vm_id = BAD_ID;
	check_bind(&b, -ENOENT, "unknown VM");

	b = valid; b.op = DRM_VSVM_BIND_OP_MAP_USERPTR + 1;
	check_bind(&b, -EINVAL, "op past the last");
	b = valid; b.op = 0xffffffff;
	check_bind(&b, -EINVAL, "op ~0");

	b = valid; b.flags = DRM_VSVM_BIND_READONLY << 1;
	check_bind(&b, -EINVAL, "unknown flag");
	b = valid; b.flags = 1u << 31;
	check_bind(&b, -EINVAL, "flag 1 << 31");
	b = valid; b.extensions = 1;
	check_bind(&b, -EINVAL, "extensions");

	b = valid; b.handle = 0;
	check_bind(&b, -ENOENT, "MAP of handle 0");
	b = valid; b.handle = BAD_ID;
	check_bind(&b, -ENOENT, "MAP of an unknown handle");

	b = valid; b.addr += 1;
	check_bind(&b, -EINVAL, "addr + 1");
	b = valid; b.addr += SIZE_4K / 2;
	check_bind(&b, -EINVAL, "addr + 2K");
	b = valid; b.range = SIZE_4K + 1;
	check_bind(&b, -EINVAL, "range 4K + 1");
	b = valid; b.range = SIZE_4K / 2;
	check_bind(&b, -EINVAL, "range 2K");
	b = valid; b.range = SIZE_4K; b.bo_offset = SIZE_4K / 2;
	check_bind(&b, -EINVAL, "bo_offset 2K");
	b = valid; b.range = 0;
	check_bind(&b, -EINVAL, "range 0");

	b = valid; b.bo_offset = SIZE_4K;
	check_bind(&b, -EINVAL, "bo_offset + range past the BO");
	b = valid; b.range = bo_size + SIZE_4K;
	check_bind(&b, -EINVAL, "range past the BO");
	b = valid; b.bo_offset = bo_size; b.range = SIZE_4K;
	check_bind(&b, -EINVAL, "bo_offset at the BO's end");
	b = valid; b.bo_offset = ~(SIZE_4K - 1); b.range = SIZE_4K;
	check_bind(&b, -EINVAL, "bo_offset + range overflowing");

	b = valid; b.addr = va_end - SIZE_4K;
	check_bind(&b, -EINVAL, "range crossing 2^VA_BITS");
	b = valid; b.addr = va_end; b.range = SIZE_4K;
	check_bind(&b, -EINVAL, "addr at 2^VA_BITS");
	b = valid; b.addr = ~(SIZE_4K - 1); b.range = 2 * SIZE_4K;
	check_bind(&b, -EINVAL, "addr + range overflowing");
	b = (struct drm_vsvm_vm_bind){ .vm_id = vm,
		.op = DRM_VSVM_BIND_OP_UNMAP, .addr = va_end - SIZE_4K,
		.range = 2 * SIZE_4K };
	check_bind(&b, -EINVAL, "UNMAP crossing 2^VA_BITS");

	/* The very top of the address space is usable. */
	b = valid; b.addr = va_end - bo_size;
	check_bind(&b, 0, "MAP ending at 2^VA_BITS");
	vsvm_vm_unmap(fd, vm, va_end - bo_size, bo_size);

	/* None of the rejected binds left anything behind. */
	b = valid;
	check_bind(&b, 0, "MAP after the rejected ones");

	b = valid;
	check_bind(&b, -EEXIST, "MAP over the same range");
	b = valid; b.addr = BIND_ADDR - SIZE_4K; b.range = 2 * SIZE_4K;
	check_bind(&b, -EEXIST, "MAP overlapping the start");
	b = valid; b.addr = BIND_ADDR + bo_size - SIZE_4K; b.range = 2 * SIZE_4K;
	check_bind(&b, -EEXIST, "MAP overlapping the end");
	b = valid; b.addr = BIND_ADDR + SIZE_4K; b.range = SIZE_4K;
	check_bind(&b, -EEXIST, "MAP inside");
	b = valid; b.addr = BIND_ADDR - SIZE_4K; b.range = bo_size;
	b.bo_offset = 0;
	check_bind(&b, -EEXIST, "MAP overlapping all but the last page");

	check_err(__vsvm_vm_unmap(fd, vm, UNBOUND_ADDR, bo_size), 0,
		  "UNMAP of an empty range");
	check_err(__vsvm_vm_unmap(fd, vm, BIND_ADDR, bo_size), 0,
		  "UNMAP of the binding");
	check_err(__vsvm_vm_unmap(fd, vm, BIND_ADDR, bo_size), 0,
		  "UNMAP of the same range again");
	b = valid;
	check_bind(&b, 0, "MAP again after UNMAP");

	vsvm_gem_close(fd, bo);
	vsvm_vm_destroy(fd, vm);
}

/*
 * Mirrors and userptrs need a VM created with DRM_VSVM_VM_CREATE_SVM: the
 * binds that succeed in one are refused in a VM for BOs only, which they
 * leave as it was.
 */
static void test_bad_bind_svm_op(void)
{
	uint64_t caps = vsvm_get_param(fd, DRM_VSVM_PARAM_SVM_CAPS);
	const uint64_t size = 16 * SIZE_4K;
	struct drm_vsvm_vm_bind mirror, userptr, b;
	uint32_t vm, svm, bo;
	void *cpu;

	igt_require(caps & (DRM_VSVM_SVM_CAP_MIRROR | DRM_VSVM_SVM_CAP_USERPTR));

	cpu = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	igt_assert(cpu != MAP_FAILED);
	vm = vsvm_vm_create(fd, 0);
	svm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_SVM);
	mirror = (struct drm_vsvm_vm_bind){
		.vm_id = svm,
		.op = DRM_VSVM_BIND_OP_MAP_MIRROR,
		.addr = to_user_pointer(cpu),
		.range = size,
	};
	userptr = (struct drm_vsvm_vm_bind){
		.vm_id = svm,
		.op = DRM_VSVM_BIND_OP_MAP_USERPTR,
		.addr = UNBOUND_ADDR,
		.range = size,
		.userptr = to_user_pointer(cpu),
	};

	if (caps & DRM_VSVM_SVM_CAP_MIRROR) {
		b = mirror;
		check_bind(&b, 0, "MAP_MIRROR in an SVM VM");
		b = mirror; b.vm_id = vm;
		check_bind(&b, -EINVAL, "MAP_MIRROR in a BO-only VM");
	}
	if (caps & DRM_VSVM_SVM_CAP_USERPTR) {
		b = userptr;
		check_bind(&b, 0, "MAP_USERPTR in an SVM VM");
		b = userptr; b.vm_id = vm;
		check_bind(&b, -EINVAL, "MAP_USERPTR in a BO-only VM");
		b = userptr; b.vm_id = vm; b.flags = DRM_VSVM_BIND_READONLY;
		check_bind(&b, -EINVAL, "read-only MAP_USERPTR in a BO-only VM");
	}

	/* Nothing was bound in the BO-only VM: a BO fits at both places. */
	bo = vsvm_gem_create(fd, size);
	vsvm_vm_map(fd, vm, bo, 0, to_user_pointer(cpu), size, 0);
	vsvm_vm_map(fd, vm, bo, 0, UNBOUND_ADDR, size, 0);

	vsvm_gem_close(fd, bo);
	vsvm_vm_destroy(fd, svm);
	vsvm_vm_destroy(fd, vm);
	munmap(cpu, size);
}

static void test_bad_queue(void)
{
	struct drm_vsvm_queue_create create;
	uint32_t vm, queue;

	vm = vsvm_vm_create(fd, 0);
	create = (struct drm_vsvm_queue_create){ .vm_id = vm };
	do_ioctl(fd, DRM_IOCTL_VSVM_QUEUE_CREATE, &create);
	queue = create.queue_id;
	igt_assert(queue);

	check_err(__vsvm_queue_create(fd, 0, &queue), -ENOENT, "VM 0");
	check_err(__vsvm_queue_create(fd, BAD_ID, &queue), -ENOENT,
		  "unknown VM");
	create = (struct drm_vsvm_queue_create){ .vm_id = vm, .flags = 1 };
	do_ioctl_err(fd, DRM_IOCTL_VSVM_QUEUE_CREATE, &create, EINVAL);
	create = (struct drm_vsvm_queue_create){ .vm_id = vm, .pad = 1 };
	do_ioctl_err(fd, DRM_IOCTL_VSVM_QUEUE_CREATE, &create, EINVAL);
	create = (struct drm_vsvm_queue_create){ .vm_id = vm, .extensions = 1 };
	do_ioctl_err(fd, DRM_IOCTL_VSVM_QUEUE_CREATE, &create, EINVAL);

	check_err(__vsvm_queue_destroy(fd, 0), -ENOENT, "destroy queue 0");
	check_err(__vsvm_queue_destroy(fd, BAD_ID), -ENOENT,
		  "destroy unknown queue");
	vsvm_queue_destroy(fd, queue);
	check_err(__vsvm_queue_destroy(fd, queue), -ENOENT,
		  "second QUEUE_DESTROY");

	/* Rejected destroys leave id 0 unallocated. */
	queue = vsvm_queue_create(fd, vm);
	vsvm_queue_destroy(fd, queue);
	vsvm_vm_destroy(fd, vm);
}

/* A VM with a one-instruction program (END) bound at CODE_ADDR, a queue. */
struct exec_ctx {
	uint32_t vm, queue, code_bo;
};

static void exec_ctx_init(struct exec_ctx *ctx)
{
	uint64_t end[2] = {
		vsvm_insn_word0(VSVM_OP_END, 0, 0, 0, 0, 0, 0, 0), 0
	};

	ctx->vm = vsvm_vm_create(fd, 0);
	ctx->code_bo = vsvm_upload_code(fd, ctx->vm, CODE_ADDR, end,
					sizeof(end));
	ctx->queue = vsvm_queue_create(fd, ctx->vm);
}

static void exec_ctx_fini(struct exec_ctx *ctx)
{
	vsvm_queue_destroy(fd, ctx->queue);
	vsvm_gem_close(fd, ctx->code_bo);
	vsvm_vm_destroy(fd, ctx->vm);
}

static void check_exec(struct drm_vsvm_exec *exec, int err, const char *what)
{
	check_err(__vsvm_exec(fd, exec), err, what);
}

static void test_bad_exec(void)
{
	uint64_t max_wg = vsvm_get_param(fd, DRM_VSVM_PARAM_MAX_WG_SIZE);
	uint64_t max_shared = vsvm_get_param(fd, DRM_VSVM_PARAM_MAX_SHARED_SIZE);
	uint64_t max_scratch = vsvm_get_param(fd, DRM_VSVM_PARAM_MAX_SCRATCH_SIZE);
	uint64_t max_args = vsvm_get_param(fd, DRM_VSVM_PARAM_MAX_ARGS_SIZE);
	uint32_t bad_sync = BAD_ID;
	struct drm_vsvm_exec valid, e;
	struct exec_ctx ctx;
	uint64_t first;

	exec_ctx_init(&ctx);
	vsvm_exec_init(&valid, ctx.queue, CODE_ADDR, VSVM_INSN_SIZE);

	e = valid;
	first = vsvm_exec(fd, &e);
	vsvm_wait_ok(fd, ctx.queue, first);

	e = valid; e.queue_id = 0;
	check_exec(&e, -ENOENT, "queue 0");
	e = valid; e.queue_id = BAD_ID;
	check_exec(&e, -ENOENT, "unknown queue");

	e = valid; e.code_size = 0;
	check_exec(&e, -EINVAL, "code_size 0");
	e = valid; e.code_size = VSVM_INSN_SIZE / 2;
	check_exec(&e, -EINVAL, "code_size 8");
	e = valid; e.code_size = VSVM_INSN_SIZE + 8;
	check_exec(&e, -EINVAL, "code_size 24");

	for (int i = 0; i < 3; i++) {
		e = valid; e.grid[i] = 0;
		check_exec(&e, -EINVAL, "a grid dimension of 0");
		e = valid; e.wg_size[i] = 0;
		check_exec(&e, -EINVAL, "a workgroup dimension of 0");
		if (max_wg < UINT32_MAX) {
			e = valid; e.wg_size[i] = max_wg + 1;
			check_exec(&e, -EINVAL, "a dimension of MAX_WG_SIZE + 1");
		}
	}
	if (max_wg <= UINT32_MAX / 2) {
		e = valid; e.wg_size[0] = max_wg; e.wg_size[1] = 2;
		check_exec(&e, -EINVAL, "product of 2 * MAX_WG_SIZE");
	}
	/* The product is 2^48: it must not be computed in 32 bits. */
	e = valid;
	for (int i = 0; i < 3; i++)
		e.wg_size[i] = 1u << 16;
	check_exec(&e, -EINVAL, "product overflowing 32 bits");

	if (max_shared < UINT32_MAX) {
		e = valid; e.shared_size = max_shared + 1;
		check_exec(&e, -EINVAL, "shared_size MAX + 1");
	}
	if (max_scratch < UINT32_MAX) {
		e = valid; e.scratch_size = max_scratch + 1;
		check_exec(&e, -EINVAL, "scratch_size MAX + 1");
	}
	if (max_args < UINT32_MAX) {
		e = valid; e.args_addr = CODE_ADDR;
		e.args_size = max_args + 1;
		check_exec(&e, -EINVAL, "args_size MAX + 1");
	}

	e = valid; e.flags = DRM_VSVM_EXEC_USER_FENCE << 1;
	check_exec(&e, -EINVAL, "flags: first unknown bit");
	e = valid; e.flags = 1u << 31;
	check_exec(&e, -EINVAL, "flags 1 << 31");
	e = valid; e.extensions = 1;
	check_exec(&e, -EINVAL, "extensions");

	e = valid; e.code_addr = UNBOUND_ADDR;
	check_exec(&e, -EFAULT, "code not mapped");

	e = valid; e.in_syncs = to_user_pointer(&bad_sync); e.num_in_syncs = 1;
	check_exec(&e, -ENOENT, "unknown in-sync");
	e = valid; e.out_sync = BAD_ID;
	check_exec(&e, -ENOENT, "unknown out_sync");

	/* The queue still works, and rejected execs ran nothing. */
	e = valid;
	igt_assert_lt_u64(first, vsvm_exec(fd, &e));
	vsvm_wait_ok(fd, ctx.queue, e.seqno);

	exec_ctx_fini(&ctx);
}

static void test_bad_wait(void)
{
	struct drm_vsvm_wait wait;
	struct drm_vsvm_exec e;
	struct exec_ctx ctx;
	uint64_t seqno;

	exec_ctx_init(&ctx);

	/* A fresh queue has run nothing. */
	check_err(__vsvm_wait(fd, ctx.queue, 1, 0, NULL), -ENOENT,
		  "seqno 1 on a fresh queue");

	vsvm_exec_init(&e, ctx.queue, CODE_ADDR, VSVM_INSN_SIZE);
	seqno = vsvm_exec(fd, &e);
	vsvm_wait_ok(fd, ctx.queue, seqno);
	/* An ended job can be waited for again. */
	check_err(__vsvm_wait(fd, ctx.queue, seqno, 0, &wait), 0,
		  "second wait");
	igt_assert_eq_u32(wait.status, DRM_VSVM_STATUS_OK);

	check_err(__vsvm_wait(fd, 0, seqno, 0, NULL), -ENOENT, "queue 0");
	check_err(__vsvm_wait(fd, BAD_ID, seqno, 0, NULL), -ENOENT,
		  "unknown queue");
	check_err(__vsvm_wait(fd, ctx.queue, 0, 0, NULL), -ENOENT,
		  "seqno 0");
	check_err(__vsvm_wait(fd, ctx.queue, seqno + 1, 0, NULL), -ENOENT,
		  "next seqno");
	check_err(__vsvm_wait(fd, ctx.queue, ~0ull, 0, NULL), -ENOENT,
		  "seqno ~0");

	wait = (struct drm_vsvm_wait){
		.queue_id = ctx.queue, .seqno = seqno, .flags = 1,
	};
	do_ioctl_err(fd, DRM_IOCTL_VSVM_WAIT, &wait, EINVAL);
	wait.flags = 1u << 31;
	do_ioctl_err(fd, DRM_IOCTL_VSVM_WAIT, &wait, EINVAL);

	exec_ctx_fini(&ctx);
}

static void test_bad_prefetch(void)
{
	uint64_t caps = vsvm_get_param(fd, DRM_VSVM_PARAM_SVM_CAPS);
	const uint64_t size = 16 * SIZE_4K;
	uint64_t addr;
	uint32_t vm;
	void *buf;

	igt_require(caps & DRM_VSVM_SVM_CAP_PREFETCH);
	igt_require(caps & DRM_VSVM_SVM_CAP_MIRROR);

	buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	igt_assert(buf != MAP_FAILED);
	addr = to_user_pointer(buf);
	vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_SVM);
	vsvm_vm_map_mirror(fd, vm, addr, size);
	check_err(__vsvm_prefetch(fd, vm, addr, size, 0), 0, "valid prefetch");
	check_err(__vsvm_prefetch(fd, vm, addr, size, DRM_VSVM_PREFETCH_WRITE),
		  0, "valid prefetch for writing");

	check_err(__vsvm_prefetch(fd, 0, addr, size, 0), -ENOENT, "VM 0");
	check_err(__vsvm_prefetch(fd, BAD_ID, addr, size, 0), -ENOENT,
		  "unknown VM");
	check_err(__vsvm_prefetch(fd, vm, addr + 1, SIZE_4K, 0), -EINVAL,
		  "addr + 1");
	check_err(__vsvm_prefetch(fd, vm, addr + SIZE_4K / 2, SIZE_4K, 0),
		  -EINVAL, "addr + 2K");
	check_err(__vsvm_prefetch(fd, vm, addr, SIZE_4K + 1, 0), -EINVAL,
		  "range 4K + 1");
	check_err(__vsvm_prefetch(fd, vm, addr, 0, 0), -EINVAL, "range 0");
	check_err(__vsvm_prefetch(fd, vm, addr, size,
				  DRM_VSVM_PREFETCH_WRITE << 1), -EINVAL,
		  "unknown flag");
	check_err(__vsvm_prefetch(fd, vm, addr, size, 1u << 31), -EINVAL,
		  "flag 1 << 31");

	vsvm_vm_destroy(fd, vm);
	munmap(buf, size);
}

/*
 * Handles and ids are per open file: another file neither sees nor
 * disturbs them, even when its own objects get the same numbers.
 */
static void test_two_clients(void)
{
	const uint64_t size = 2 * SIZE_4K;
	uint32_t bo, vm, queue, bo2, vm2, queue2;
	uint64_t offset;
	uint8_t *ptr;
	int fd2;

	bo = vsvm_gem_create(fd, size);
	vsvm_gem_write(fd, bo, 0, (uint8_t[]){ 0x5a, 0xa5 }, 2);
	vm = vsvm_vm_create(fd, 0);
	queue = vsvm_queue_create(fd, vm);

	fd2 = drm_open_driver_render(DRIVER_ANY);
	check_err(__vsvm_gem_mmap_offset(fd2, bo, &offset), -ENOENT,
		  "other file's handle: GEM_MMAP_OFFSET");
	check_err(__vsvm_gem_close(fd2, bo), -EINVAL,
		  "other file's handle: GEM_CLOSE");
	check_err(__vsvm_vm_destroy(fd2, vm), -ENOENT,
		  "other file's VM: VM_DESTROY");
	check_err(__vsvm_queue_create(fd2, vm, &queue2), -ENOENT,
		  "other file's VM: QUEUE_CREATE");
	check_err(__vsvm_vm_unmap(fd2, vm, BIND_ADDR, SIZE_4K), -ENOENT,
		  "other file's VM: VM_BIND");
	check_err(__vsvm_queue_destroy(fd2, queue), -ENOENT,
		  "other file's queue: QUEUE_DESTROY");
	check_err(__vsvm_wait(fd2, queue, 1, 0, NULL), -ENOENT,
		  "other file's queue: WAIT");

	/* The second file's objects are its own, whatever their numbers. */
	bo2 = vsvm_gem_create(fd2, size);
	vm2 = vsvm_vm_create(fd2, 0);
	queue2 = vsvm_queue_create(fd2, vm2);
	vsvm_vm_map(fd2, vm2, bo2, 0, BIND_ADDR, size, 0);
	ptr = vsvm_gem_mmap(fd2, bo2, size, PROT_READ);
	check_zero(ptr, size);
	munmap(ptr, size);
	igt_info("file 1: bo %u vm %u queue %u; file 2: bo %u vm %u queue %u\n",
		 bo, vm, queue, bo2, vm2, queue2);

	/* Closing a file with live objects releases only its own. */
	drm_close_driver(fd2);

	ptr = vsvm_gem_mmap(fd, bo, size, PROT_READ);
	igt_assert_eq(ptr[0], 0x5a);
	igt_assert_eq(ptr[1], 0xa5);
	check_zero(ptr + 2, size - 2);
	munmap(ptr, size);
	vsvm_vm_map(fd, vm, bo, 0, BIND_ADDR, size, 0);
	vsvm_queue_destroy(fd, queue);
	vsvm_vm_destroy(fd, vm);
	vsvm_gem_close(fd, bo);
}

igt_main
{
	igt_fixture
		fd = drm_open_driver_render(DRIVER_ANY);

	igt_describe("The device is driven by vsvm and opened as a render node.");
	igt_subtest("driver-name")
		test_driver_name();

	igt_describe("The device's debugfs directory is found from a render node.");
	igt_subtest("debugfs-name")
		test_debugfs_name();

	igt_describe("Every GET_PARAM parameter has the value the ISA and UAPI fix, "
		     "or a sane one, and the same on each call.");
	igt_subtest("getparam")
		test_getparam();

	igt_describe("GET_PARAM rejects unknown parameters and non-zero padding.");
	igt_subtest("bad-getparam")
		test_bad_getparam();

	igt_describe("Driver ioctl numbers past the last one are rejected.");
	igt_subtest("bad-ioctl")
		test_bad_ioctl();

	igt_describe("A new BO reads as zero; data written through one mapping "
		     "reads back byte for byte through another, and through "
		     "the library's accessors at any offset; sizes round up "
		     "to whole pages and no further.");
	igt_subtest_with_dynamic("gem-mmap") {
		static const uint64_t sizes[] = {
			1, 4095, 4096, 4097, 3 * 4096 + 123, SIZE_64K, SIZE_2M + 1,
		};

		for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++)
			igt_dynamic_f("size-%llu", (unsigned long long)sizes[i])
				test_gem_mmap(sizes[i]);
	}

	igt_describe("Two BOs have distinct handles, offsets and storage.");
	igt_subtest("gem-no-alias")
		test_gem_no_alias();

	igt_describe("GEM_CLOSE invalidates the handle but not a live mapping; a "
		     "new BO never shows the old one's data.");
	igt_subtest("gem-close")
		test_gem_close();

	igt_describe("GEM_CREATE, GEM_MMAP_OFFSET and GEM_CLOSE reject invalid "
		     "sizes, flags and handles with their documented errno.");
	igt_subtest("bad-gem")
		test_bad_gem();

	igt_describe("Hundreds of VMs, BO-only and SVM, get non-zero distinct "
		     "ids; each destroys once, then is unknown.");
	igt_subtest("vm-create-destroy")
		test_vm_create_destroy();

	igt_describe("VM_CREATE takes flags 0 and DRM_VSVM_VM_CREATE_SVM and "
		     "rejects unknown flags and extensions; VM_DESTROY rejects "
		     "unknown ids and padding.");
	igt_subtest("bad-vm")
		test_bad_vm();

	igt_describe("VM_BIND rejects each invalid field with its errno, refuses "
		     "to map over a binding, and unmaps empty ranges quietly.");
	igt_subtest("bad-bind")
		test_bad_bind();

	igt_describe("MAP_MIRROR and MAP_USERPTR, valid in a VM created with "
		     "DRM_VSVM_VM_CREATE_SVM, are EINVAL in a VM created "
		     "without it, and bind nothing there.");
	igt_subtest("bad-bind-bo-only-vm")
		test_bad_bind_svm_op();

	igt_describe("QUEUE_CREATE and QUEUE_DESTROY reject unknown ids and "
		     "non-zero flags, padding and extensions.");
	igt_subtest("bad-queue")
		test_bad_queue();

	igt_describe("EXEC rejects each invalid field, limit and sync object with "
		     "its errno, and the queue keeps working.");
	igt_subtest("bad-exec")
		test_bad_exec();

	igt_describe("WAIT rejects unknown queues, seqnos never submitted and "
		     "flags, and reports an ended job more than once.");
	igt_subtest("bad-wait")
		test_bad_wait();

	igt_describe("PREFETCH rejects unknown VMs, unaligned or empty ranges and "
		     "unknown flags.");
	igt_subtest("bad-prefetch")
		test_bad_prefetch();

	igt_describe("Handles and ids of one open file mean nothing in another, "
		     "and closing a file with live objects spares the other's.");
	igt_subtest("two-clients")
		test_two_clients();

	igt_fixture
		drm_close_driver(fd);
}
