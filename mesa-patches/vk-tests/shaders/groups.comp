// SPDX-License-Identifier: MIT
// Each invocation writes where it is in the grid: for indirect dispatch
// and vkCmdDispatchBase.
#version 450
layout(local_size_x = 32) in;
layout(set = 0, binding = 0, std430) buffer O { uint o[]; };

void main()
{
	o[gl_GlobalInvocationID.x] = gl_WorkGroupID.x * 1000u +
				     gl_LocalInvocationID.x + 1u;
}
