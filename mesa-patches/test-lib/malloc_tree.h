/* SPDX-License-Identifier: MIT */
/*
 * A binary search tree whose every node is a malloc() of its own, for the
 * programs that hand its root to a kernel as a plain pointer (cl_svm_demo
 * through OpenCL fine-grained system SVM, vk_svm_test through
 * VK_VSVM_system_svm).  struct tree_node is the kernels' node layout
 * (cl_svm_demo.c's OpenCL C, vk-tests/shaders/tree_walk.comp), and
 * tree_find() the CPU's answer they are checked against.
 */
#ifndef MALLOC_TREE_H
#define MALLOC_TREE_H

#include <stdint.h>
#include <stdlib.h>

struct tree_node {
	struct tree_node *left, *right;
	int64_t key;
	int64_t value;
};

/* A node in memory of its own; aborts if there is none. */
static inline struct tree_node *
tree_node_new(int64_t key, int64_t value)
{
	struct tree_node *n = calloc(1, sizeof(*n));

	if (!n)
		abort();
	n->key = key;
	n->value = value;
	return n;
}

/* Links @n into the tree at @root, equal keys to the right; the root. */
static inline struct tree_node *
tree_insert(struct tree_node *root, struct tree_node *n)
{
	struct tree_node **link = &root;

	while (*link)
		link = n->key < (*link)->key ? &(*link)->left : &(*link)->right;
	*link = n;
	return root;
}

/* The value of the first node with @key on the way down, or -1. */
static inline int64_t
tree_find(const struct tree_node *n, int64_t key)
{
	while (n && n->key != key)
		n = key < n->key ? n->left : n->right;
	return n ? n->value : -1;
}

/* The next number of the xorshift64 sequence in *@x (the trees' keys). */
static inline uint64_t
tree_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

#endif /* MALLOC_TREE_H */
