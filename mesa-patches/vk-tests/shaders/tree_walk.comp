// SPDX-License-Identifier: MIT
// Looks keys up in a binary search tree through plain pointers: the CPU
// built the tree with malloc(), the pointers come in push constants.
#version 450
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_buffer_reference : require
layout(local_size_x = 64) in;
layout(buffer_reference) buffer Node;
layout(buffer_reference, std430, buffer_reference_align = 8) readonly buffer Node {
	Node left;
	Node right;
	int64_t key;
	int64_t value;
};
layout(buffer_reference, std430, buffer_reference_align = 8) buffer I64 { int64_t v[]; };
layout(push_constant) uniform P { Node root; I64 keys; I64 values; uint n; } p;

void main()
{
	uint i = gl_GlobalInvocationID.x;
	int64_t key;
	Node n = p.root;

	if (i >= p.n)
		return;
	key = p.keys.v[i];
	while (uint64_t(n) != 0ul && n.key != key)
		n = key < n.key ? n.left : n.right;
	p.values.v[i] = uint64_t(n) != 0ul ? n.value : -1l;
}
