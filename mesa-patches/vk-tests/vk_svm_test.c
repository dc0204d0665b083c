// SPDX-License-Identifier: MIT
/*
 * Shared virtual memory through Vulkan: buffer-device-address pointers in
 * imported host memory (VK_EXT_external_memory_host), and on vsvm with
 * VK_VSVM_system_svm plain malloc() pointers handed to shaders; a shader
 * and the host signalling each other through system memory; a bad pointer
 * losing the device, with the fault's address, and a new device working.
 *
 * Usage: vk_svm_test [-d DEVICE_SUBSTRING] [TEST...]
 */
#include <inttypes.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vk_common.h"
#include "malloc_tree.h"
#include "bench_chase.h"
#include "load.h"
#include "spin.h"
#include "store.h"
#include "tree_walk.h"

static struct vk_ctx c;

/* Page-aligned memory of @size bytes rounded up to c.host_align. */
static void *
host_alloc(size_t *size)
{
	size_t align = c.host_align > 4096 ? c.host_align : 4096;

	*size = (*size + align - 1) & ~(align - 1);
	return aligned_alloc(align, *size);
}

/*
 * Linked lists built by the host in host memory imported as a Vulkan
 * buffer, linked by device addresses; a shader follows them.
 */
static bool
bda_host(void)
{
	enum { NODES = 4096, ITEMS = 256, STEPS = 32 };
	struct dnode { uint64_t next; int64_t value; } *nodes;
	size_t size = NODES * sizeof(*nodes) + ITEMS * 16;
	struct { uint64_t heads; uint32_t steps, pad; uint64_t out; } push;
	uint64_t *heads, x = 0x9e3779b9;
	int64_t *out;
	struct vk_buf b;
	struct vk_pipe p;
	void *mem;

	if (!c.host_import) {
		test_skip_because("no VK_EXT_external_memory_host");
		return true;
	}
	mem = host_alloc(&size);
	EXPECT(mem, "aligned_alloc");
	if (!vk_buf_init(&c, &b, size, mem) ||
	    !VK_PIPE_INIT(&c, &p, bench_chase_spv, 0, sizeof(push)))
		return false;
	printf("  imported %zu bytes at %p: device address 0x%" PRIx64 "\n",
	       size, mem, (uint64_t)b.addr);
	nodes = mem;
	heads = (uint64_t *)(nodes + NODES);
	out = (int64_t *)(heads + ITEMS);
	for (size_t i = 0; i < NODES; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		nodes[i].next = b.addr + (x % NODES) * sizeof(*nodes);
		nodes[i].value = (int64_t)(i * 7919);
	}
	for (size_t i = 0; i < ITEMS; i++) {
		heads[i] = b.addr + ((i * 40503) % NODES) * sizeof(*nodes);
		out[i] = -1;
	}
	push.heads = b.addr + (uintptr_t)heads - (uintptr_t)mem;
	push.steps = STEPS;
	push.pad = 0;
	push.out = b.addr + (uintptr_t)out - (uintptr_t)mem;
	VK_CHECK(vk_dispatch(&c, &p, &push, sizeof(push), ITEMS / 64));
	for (size_t i = 0; i < ITEMS; i++) {
		uint64_t n = heads[i];
		int64_t sum = 0;

		for (int s = 0; s < STEPS; s++) {
			struct dnode *d = &nodes[(n - b.addr) / sizeof(*d)];

			sum += d->value;
			n = d->next;
		}
		EXPECT(out[i] == sum, "list %zu: %" PRId64 ", not %" PRId64, i,
		       out[i], sum);
	}
	vk_pipe_fini(&c, &p);
	vk_buf_fini(&c, &b);
	free(mem);
	return true;
}

/*
 * With the mirror (VK_VSVM_system_svm), an imported allocation's device
 * address is its CPU address: pointers stored in it mean the same to both.
 */
static bool
host_address_is_cpu_address(void)
{
	size_t size = 3 * 4096;
	struct vk_buf b;
	void *mem;

	if (!vk_is_vsvm(&c)) {
		test_skip_because("not vsvm");
		return true;
	}
	if (!c.system_svm || !c.host_import) {
		test_skip_because("no VK_VSVM_system_svm (no mirror)");
		return true;
	}
	mem = host_alloc(&size);
	EXPECT(mem, "aligned_alloc");
	if (!vk_buf_init(&c, &b, size, mem))
		return false;
	printf("  %p imported: device address 0x%" PRIx64 "\n", mem,
	       (uint64_t)b.addr);
	EXPECT(b.addr == (uintptr_t)mem, "the device address is not the pointer");
	vk_buf_fini(&c, &b);
	free(mem);
	return true;
}

/* ---- a tree built with malloc() ---- */

enum { TREE_NODES = 20000, QUERIES = 4096 };

/* Runs tree_walk.comp over @keys into @values; compares with the CPU. */
static bool
tree_walk(struct vk_pipe *p, struct tree_node *root, int64_t *keys,
	  int64_t *values, const char *what)
{
	struct { uint64_t root, keys, values; uint32_t n, pad; } push = {
		(uintptr_t)root, (uintptr_t)keys, (uintptr_t)values, QUERIES, 0,
	};
	size_t found = 0;

	for (size_t i = 0; i < QUERIES; i++)
		values[i] = -2;
	VK_CHECK(vk_dispatch(&c, p, &push, sizeof(push), QUERIES / 64));
	for (size_t i = 0; i < QUERIES; i++) {
		int64_t want = tree_find(root, keys[i]);

		EXPECT(values[i] == want, "%s: key %" PRId64 " gave %" PRId64
		       ", not %" PRId64, what, keys[i], values[i], want);
		found += want != -1;
	}
	printf("  %s: %d lookups, %zu found, all as the CPU's\n", what, QUERIES,
	       found);
	return true;
}

/*
 * A tree of TREE_NODES nodes, each its own malloc(), walked by a shader
 * through the root pointer in push constants; the keys and results are
 * malloc()ed too.  Then the host changes values and relinks a subtree, and
 * a second walk sees it all.
 */
static bool
malloc_tree(void)
{
	static const char *const shown[] = {
		"jobs_submitted", "jobs_done", "instructions", "faults",
		"fault_pages", "fault_gather_ns", "fault_install_ns",
	};
	struct vsvm_counters c0, c1;
	struct tree_node *root = NULL, **all = malloc(TREE_NODES * sizeof(*all));
	int64_t *keys = malloc(QUERIES * sizeof(*keys));
	int64_t *values = malloc(QUERIES * sizeof(*values));
	struct vk_pipe p;
	uint64_t x = 88172645463325252ull;
	bool counters;

	if (!c.system_svm) {
		test_skip_because("no VK_VSVM_system_svm");
		return true;
	}
	EXPECT(all && keys && values, "malloc");
	for (size_t i = 0; i < TREE_NODES; i++) {
		all[i] = tree_node_new((int64_t)(tree_rand(&x) % 1000000), (int64_t)i);
		root = tree_insert(root, all[i]);
	}
	for (size_t i = 0; i < QUERIES; i++)
		keys[i] = i % 2 ? all[(i * 7) % TREE_NODES]->key : (int64_t)(i * 977);
	if (!VK_PIPE_INIT(&c, &p, tree_walk_spv, 0, 32))
		return false;
	printf("  %d nodes, each its own malloc(); the shader gets the root, "
	       "%p, in push constants\n", TREE_NODES, (void *)root);
	counters = vsvm_read_counters(&c0);
	if (!tree_walk(&p, root, keys, values, "first walk"))
		return false;
	if (counters && vsvm_read_counters(&c1)) {
		printf("  vsvm debugfs counters during the first walk:\n");
		vsvm_print_delta(&c0, &c1, shown, ARRAY_LEN(shown));
	}

	/* The host changes the tree under the same pointers. */
	for (size_t i = 0; i < TREE_NODES; i += 3)
		all[i]->value = -1000 - (int64_t)i;
	root->left = NULL;
	if (!tree_walk(&p, root, keys, values, "after the host's changes"))
		return false;
	vk_pipe_fini(&c, &p);
	for (size_t i = 0; i < TREE_NODES; i++)
		free(all[i]);
	free(all);
	free(keys);
	free(values);
	return true;
}

/*
 * A shader spins on a flag in system memory (malloc() with system SVM,
 * else a host-visible buffer) until the host sets it; the host first
 * waits for the shader to say it is running.  Both waits are bounded.
 */
static bool
host_signals_shader(void)
{
	struct { uint64_t flag, out; uint32_t limit, pad; } push;
	struct vk_buf b = { 0 };
	volatile uint32_t *flag, *out;
	struct vk_pipe p;
	VkCommandBuffer cb;
	VkResult res;
	VkFence f;
	double t;
	void *mem;

	if (c.system_svm) {
		mem = malloc(64);
		EXPECT(mem, "malloc");
		push.flag = (uintptr_t)mem;
		push.out = (uintptr_t)mem + 16;
	} else {
		if (!vk_buf_init(&c, &b, 64, NULL))
			return false;
		mem = b.map;
		push.flag = b.addr;
		push.out = b.addr + 16;
	}
	printf("  flag in %s memory\n", c.system_svm ? "malloc()" : "buffer");
	memset(mem, 0, 64);
	flag = mem;
	out = (uint32_t *)((char *)mem + 16);
	push.limit = 1u << 24;
	if (!VK_PIPE_INIT(&c, &p, spin_spv, 0, sizeof(push)))
		return false;
	cb = vk_cmd_begin(&c);
	EXPECT(cb, "no command buffer");
	vk_cmd_pipe(cb, &p, &push, sizeof(push));
	vkCmdDispatch(cb, 1, 1, 1);
	vk_cmd_barrier(cb);
	f = vk_cmd_submit(&c, cb, 0, &res);
	VK_CHECK(res);
	for (t = now_s(); !__atomic_load_n(&out[0], __ATOMIC_ACQUIRE) &&
			  now_s() - t < 60 &&
			  vkGetFenceStatus(c.dev, f) == VK_NOT_READY;)
		usleep(100);
	EXPECT(out[0] == 1, "the shader did not start (out %u %u)", out[0], out[1]);
	__atomic_store_n(flag, 1, __ATOMIC_RELEASE);
	VK_CHECK(vk_cmd_wait(&c, cb, f));
	printf("  the shader went round %u times before it saw the flag\n", out[2]);
	EXPECT(out[1] == 2, "the shader did not see the flag (out %u %u %u)",
	       out[0], out[1], out[2]);
	vk_pipe_fini(&c, &p);
	if (c.system_svm)
		free(mem);
	else
		vk_buf_fini(&c, &b);
	return true;
}

/*
 * A shader loads from 0x40, where nothing is mapped: the device is lost,
 * the fault's address is reported as a bad read (VK_EXT_device_fault, if
 * listed), and a new device works.
 */
static bool
bad_pointer(void)
{
	enum { BAD = 0x40 };
	struct vk_buf b;
	struct vk_pipe p;
	struct { uint64_t src, dst; } push;
	VkResult res;

	if (c.props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU) {
		test_skip_because("CPU device: the shader would fault this process");
		return true;
	}
	if (!vk_buf_init(&c, &b, 64, NULL) ||
	    !VK_PIPE_INIT(&c, &p, load_spv, 0, sizeof(push)))
		return false;
	memset(b.map, 0x5a, 64);
	push.src = BAD;
	push.dst = b.addr;
	res = vk_dispatch(&c, &p, &push, sizeof(push), 1);
	printf("  the dispatch: %d\n", res);
	EXPECT(res == VK_ERROR_DEVICE_LOST, "not VK_ERROR_DEVICE_LOST");
	EXPECT(((uint8_t *)b.map)[0] == 0x5a, "the destination was written");
	if (c.device_fault) {
		VkDeviceFaultAddressInfoEXT addr[8];
		VkDeviceFaultCountsEXT counts = {
			.sType = VK_STRUCTURE_TYPE_DEVICE_FAULT_COUNTS_EXT,
		};
		VkDeviceFaultInfoEXT info = {
			.sType = VK_STRUCTURE_TYPE_DEVICE_FAULT_INFO_EXT,
			.pAddressInfos = addr,
		};
		bool found = false;

		VK_CHECK(c.get_fault_info(c.dev, &counts, NULL));
		EXPECT(counts.addressInfoCount >= 1, "no fault address reported");
		if (counts.addressInfoCount > ARRAY_LEN(addr))
			counts.addressInfoCount = ARRAY_LEN(addr);
		counts.vendorInfoCount = 0;
		counts.vendorBinarySize = 0;
		res = c.get_fault_info(c.dev, &counts, &info);
		EXPECT(res == VK_SUCCESS || res == VK_INCOMPLETE,
		       "vkGetDeviceFaultInfoEXT = %d", res);
		printf("  fault: %s\n", info.description);
		for (uint32_t i = 0; i < counts.addressInfoCount; i++) {
			uint64_t mask = ~(addr[i].addressPrecision - 1);

			printf("  address 0x%" PRIx64 " (precision %" PRIu64
			       ", type %d)\n", (uint64_t)addr[i].reportedAddress,
			       (uint64_t)addr[i].addressPrecision,
			       addr[i].addressType);
			found |= addr[i].addressPrecision &&
				 (addr[i].reportedAddress & mask) == (BAD & mask) &&
				 addr[i].addressType ==
					VK_DEVICE_FAULT_ADDRESS_TYPE_READ_INVALID_EXT;
		}
		EXPECT(found, "0x%x is not among the reported addresses as a bad read",
		       BAD);
	} else {
		printf("  no VK_EXT_device_fault: the address is in the driver's log\n");
	}
	vk_pipe_fini(&c, &p);
	vk_buf_fini(&c, &b);
	vk_close(&c);

	/* The next device works. */
	if (!vk_open(&c, vk_want) || !vk_buf_init(&c, &b, 256 * 4, NULL) ||
	    !VK_PIPE_INIT(&c, &p, store_spv, 1, 8))
		return false;
	vk_pipe_bind(&c, &p, (struct vk_buf *[]){ &b });
	VK_CHECK(vk_dispatch(&c, &p, (uint32_t[]){ 500, 256 }, 8, 4));
	for (uint32_t i = 0; i < 256; i++)
		EXPECT(((uint32_t *)b.map)[i] == 500 + i,
		       "the new device's o[%u] = %u", i, ((uint32_t *)b.map)[i]);
	printf("  a new device works\n");
	vk_pipe_fini(&c, &p);
	vk_buf_fini(&c, &b);
	return true;
}

static const struct vk_test tests[] = {
	{ "bda_host", bda_host },
	{ "host_address_is_cpu_address", host_address_is_cpu_address },
	{ "malloc_tree", malloc_tree },
	{ "host_signals_shader", host_signals_shader },
	{ "bad_pointer", bad_pointer },
};

int
main(int argc, char **argv)
{
	return vk_run_tests(&c, tests, ARRAY_LEN(tests), argc, argv);
}
