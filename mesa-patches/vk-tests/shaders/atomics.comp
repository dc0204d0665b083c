// SPDX-License-Identifier: MIT
// Each invocation adds 1 to the counters iters times, round robin from
// its own index, while host threads add to the same counters.
#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0, std430) buffer C { uint c[]; };
layout(push_constant) uniform P { uint iters; uint ncounters; } p;

void main()
{
	uint i = gl_GlobalInvocationID.x;

	for (uint k = 0u; k < p.iters; k++)
		atomicAdd(c[(i + k) % p.ncounters], 1u);
}
