// SPDX-License-Identifier: MIT
// atomics.comp on 64-bit counters, adding 2^32 + 1: both halves count.
#version 450
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_shader_atomic_int64 : require
layout(local_size_x = 64) in;
layout(set = 0, binding = 0, std430) buffer C { uint64_t c[]; };
layout(push_constant) uniform P { uint iters; uint ncounters; } p;

void main()
{
	uint i = gl_GlobalInvocationID.x;

	for (uint k = 0u; k < p.iters; k++)
		atomicAdd(c[(i + k) % p.ncounters], 0x100000001ul);
}
