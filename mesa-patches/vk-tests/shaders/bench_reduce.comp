// SPDX-License-Identifier: MIT
// cl_bench.h's reduce kernel: per work-group sums in shared memory.
#version 450
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_buffer_reference : require
layout(local_size_x = 128) in;
layout(buffer_reference, std430, buffer_reference_align = 4) buffer U { uint v[]; };
layout(push_constant) uniform P { U in_; U out_; } p;
shared uint tmp[128];

void main()
{
	uint l = gl_LocalInvocationID.x;

	tmp[l] = p.in_.v[gl_GlobalInvocationID.x];
	barrier();
	for (uint s = 64u; s > 0u; s >>= 1) {
		if (l < s)
			tmp[l] += tmp[l + s];
		barrier();
	}
	if (l == 0u)
		p.out_.v[gl_WorkGroupID.x] = tmp[0];
}
