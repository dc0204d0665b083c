// SPDX-License-Identifier: MIT
// Per work-group sums: a tree in shared memory, a barrier per level.
#version 450
layout(local_size_x = 128) in;
layout(set = 0, binding = 0, std430) readonly buffer I { uint in_[]; };
layout(set = 0, binding = 1, std430) writeonly buffer O { uint out_[]; };
shared uint tmp[128];

void main()
{
	uint l = gl_LocalInvocationID.x;

	tmp[l] = in_[gl_GlobalInvocationID.x];
	barrier();
	for (uint s = 64u; s > 0u; s >>= 1) {
		if (l < s)
			tmp[l] += tmp[l + s];
		barrier();
	}
	if (l == 0u)
		out_[gl_WorkGroupID.x] = tmp[0];
}
