// SPDX-License-Identifier: MIT
// A descriptor array and a push constant array indexed by the invocation
// (offsets not known when the shader is compiled): lane i writes
// v[i % 8] + i to word i of buffer i % 2.
#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0, std430) buffer B { uint x[]; } bufs[2];
layout(push_constant) uniform P { uint v[8]; } pc;

void main()
{
	uint i = gl_GlobalInvocationID.x;

	bufs[i & 1u].x[i] = pc.v[i & 7u] + i;
}
