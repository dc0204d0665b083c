#version 450
// SPDX-License-Identifier: MIT
// The smoke test's vkCmdDispatchBase kernel: each invocation writes where
// it is, into a dynamic storage buffer.
layout(local_size_x = 32) in;

layout(set = 0, binding = 0) writeonly buffer Out { uint o[]; };

void main()
{
	o[gl_GlobalInvocationID.x] = gl_WorkGroupID.x * 1000u +
				     gl_LocalInvocationID.x + 1u;
}
