// SPDX-License-Identifier: MIT
/*
 * What fine-grained system SVM buys: the CPU builds a binary search tree
 * with plain malloc(), and OpenCL kernels search it through the very same
 * pointers -- no buffers, no copies, no pointer fix-ups.  The keys to look
 * up live in clSVMAlloc() memory, the answers land in a
 * CL_MEM_USE_HOST_PTR buffer over the CPU's own array.  The demo checks
 * every answer against the CPU's and prints what the vsvm driver did, from
 * its debugfs counters (run as root for those).
 *
 * Usage: cl_svm_demo [-d DEVICE_SUBSTRING] [NODES]
 */
#include <inttypes.h>
#include <stdlib.h>

#include "cl_common.h"
#include "malloc_tree.h"

static const char *src =
	"struct node {\n"
	"	global struct node *left, *right;\n"
	"	long key, value;\n"
	"};\n"
	"kernel void lookup(global const struct node *root,\n"
	"                   global const long *keys, global long *values)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	long key = keys[i];\n"
	"	global const struct node *n = root;\n"
	"	while (n && n->key != key)\n"
	"		n = key < n->key ? n->left : n->right;\n"
	"	values[i] = n ? n->value : -1;\n"
	"}\n";

static void
print_delta(const struct vsvm_counters *a, const struct vsvm_counters *b)
{
	static const char *const shown[] = {
		"jobs_submitted", "jobs_done", "jobs_failed", "instructions",
		"faults", "fault_pages", "fault_ptes_4k", "fault_ptes_2m",
		"fault_gather_ns", "fault_install_ns", "userptr_revalidations",
		"inval_unmap", "tlb_shootdowns",
	};

	printf("vsvm debugfs counters during the demo:\n");
	vsvm_print_delta(a, b, shown, ARRAY_LEN(shown));
}

int
main(int argc, char **argv)
{
	const char *want = "vsvm";
	size_t nodes = 20000, queries = 4096;
	struct vsvm_counters before, after;
	bool have_counters;
	struct tree_node *root = NULL, **all;
	int64_t *keys, *values;
	cl_mem vbuf;
	cl_context ctx;
	cl_command_queue q;
	cl_program prog;
	cl_kernel k;
	cl_device_id dev;
	cl_int err;
	size_t bad = 0;
	uint64_t x = 88172645463325252ull;
	double t;
	int a = 1;

	if (argc > 2 && !strcmp(argv[1], "-d")) {
		want = argv[2];
		a = 3;
	}
	if (a < argc)
		nodes = strtoul(argv[a], NULL, 0);
	dev = cl_find_device(want);
	if (!dev) {
		fprintf(stderr, "no OpenCL device named *%s*\n", want);
		return 1;
	}
	have_counters = vsvm_read_counters(&before);

	/* The CPU's tree: nodes malloc()ed one by one, keys in random order. */
	all = calloc(nodes, sizeof(*all));
	for (size_t i = 0; i < nodes; i++) {
		all[i] = tree_node_new((int64_t)(tree_rand(&x) % (nodes * 4)),
				       (int64_t)i * 3 + 1);
		if (tree_find(root, all[i]->key) < 0)
			root = tree_insert(root, all[i]);
	}

	ctx = clCreateContext(NULL, 1, &dev, NULL, NULL, &err);
	q = clCreateCommandQueueWithProperties(ctx, dev, NULL, &err);
	prog = cl_build(ctx, dev, src);
	if (!prog)
		return 1;
	k = clCreateKernel(prog, "lookup", &err);

	/* Half the keys are in the tree, half are not. */
	keys = clSVMAlloc(ctx, CL_MEM_READ_ONLY, queries * sizeof(*keys), 0);
	values = malloc(queries * sizeof(*values));
	clEnqueueSVMMap(q, CL_TRUE, CL_MAP_WRITE, keys, queries * sizeof(*keys), 0,
			NULL, NULL);
	for (size_t i = 0; i < queries; i++)
		keys[i] = (i & 1) ? all[(i * 7919) % nodes]->key : (int64_t)(i * 977);
	clEnqueueSVMUnmap(q, keys, 0, NULL, NULL);
	vbuf = clCreateBuffer(ctx, CL_MEM_USE_HOST_PTR, queries * sizeof(*values),
			      values, &err);

	clSetKernelArgSVMPointer(k, 0, root);
	clSetKernelArgSVMPointer(k, 1, keys);
	clSetKernelArg(k, 2, sizeof(vbuf), &vbuf);
	t = now_s();
	err = clEnqueueNDRangeKernel(q, k, 1, NULL, &queries, NULL, 0, NULL, NULL);
	if (!err)
		err = clFinish(q);
	t = now_s() - t;
	if (err) {
		fprintf(stderr, "the lookup kernel failed: %d\n", err);
		return 1;
	}
	clEnqueueReadBuffer(q, vbuf, CL_TRUE, 0, queries * sizeof(*values), values,
			    0, NULL, NULL);
	clEnqueueSVMMap(q, CL_TRUE, CL_MAP_READ, keys, queries * sizeof(*keys), 0,
			NULL, NULL);
	for (size_t i = 0; i < queries; i++) {
		if (values[i] != tree_find(root, keys[i])) {
			if (bad++ < 5)
				printf("key %" PRId64 ": GPU %" PRId64 ", CPU %" PRId64 "\n",
				       keys[i], values[i], tree_find(root, keys[i]));
		}
	}
	clEnqueueSVMUnmap(q, keys, 0, NULL, NULL);
	clFinish(q);
	printf("%zu lookups in a malloc()ed tree of %zu nodes: %zu wrong, %.3f s\n",
	       queries, nodes, bad, t);

	if (have_counters && vsvm_read_counters(&after))
		print_delta(&before, &after);
	else
		printf("(no vsvm debugfs counters: not root, or not a vsvm device)\n");

	clReleaseMemObject(vbuf);
	clSVMFree(ctx, keys);
	clReleaseKernel(k);
	clReleaseProgram(prog);
	clReleaseCommandQueue(q);
	clReleaseContext(ctx);
	for (size_t i = 0; i < nodes; i++)
		free(all[i]);
	free(all);
	free(values);
	printf("%s\n", bad ? "FAIL" : "PASS");
	return bad ? 1 : 0;
}
