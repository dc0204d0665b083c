// SPDX-License-Identifier: MIT
// cl_bench.h's mix kernel: 64-bit multiply, shift and add.
#version 450
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_buffer_reference : require
layout(local_size_x = 64) in;
layout(buffer_reference, std430, buffer_reference_align = 8) buffer U64 { uint64_t v[]; };
layout(push_constant) uniform P { U64 x; uint rounds; } p;

void main()
{
	uint i = gl_GlobalInvocationID.x;
	uint64_t v = p.x.v[i];

	for (uint r = 0u; r < p.rounds; r++) {
		v ^= v >> 33;
		v *= 0xff51afd7ed558ccdul;
		v += uint64_t(r);
	}
	p.x.v[i] = v;
}
