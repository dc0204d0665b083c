#version 450
// SPDX-License-Identifier: MIT
// The smoke test's dynamic indexing kernel: a descriptor array and a push
// constant array indexed by the invocation (offsets LDARG cannot take).
layout(local_size_x = 64) in;

layout(set = 0, binding = 0) buffer B { uint x[]; } bufs[2];

layout(push_constant) uniform P { uint v[8]; } pc;

void main()
{
	uint i = gl_GlobalInvocationID.x;

	bufs[i & 1u].x[i] = pc.v[i & 7u] + i;
}
