// SPDX-License-Identifier: MIT
// o[i] = value + i for i < n: a known pattern for the tests around it.
#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0, std430) buffer O { uint o[]; };
layout(push_constant) uniform P { uint value; uint n; } p;

void main()
{
	uint i = gl_GlobalInvocationID.x;

	if (i < p.n)
		o[i] = p.value + i;
}
