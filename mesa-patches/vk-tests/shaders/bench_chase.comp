// SPDX-License-Identifier: MIT
// cl_bench.h's chase kernel: each invocation follows its linked list.
#version 450
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_buffer_reference : require
layout(local_size_x = 64) in;
layout(buffer_reference) buffer Node;
layout(buffer_reference, std430, buffer_reference_align = 8) readonly buffer Node {
	Node next;
	int64_t value;
};
layout(buffer_reference, std430, buffer_reference_align = 8) readonly buffer Heads { Node h[]; };
layout(buffer_reference, std430, buffer_reference_align = 8) buffer I64 { int64_t v[]; };
layout(push_constant) uniform P { Heads heads; uint steps; I64 out_; } p;

void main()
{
	uint i = gl_GlobalInvocationID.x;
	Node n = p.heads.h[i];
	int64_t sum = 0l;

	for (uint s = 0u; s < p.steps; s++) {
		sum += n.value;
		n = n.next;
	}
	p.out_.v[i] = sum;
}
