// SPDX-License-Identifier: MIT
// Says it started, then spins until the host sets a flag (at most limit
// times round): out = { 1, 2 if it saw the flag else 3, rounds }.
#version 450
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_buffer_reference : require
layout(local_size_x = 1) in;
layout(buffer_reference, std430, buffer_reference_align = 4) buffer U { uint v[]; };
layout(push_constant) uniform P { U flag; U out_; uint limit; } p;

void main()
{
	uint i = 0u;

	atomicExchange(p.out_.v[0], 1u);
	// An atomic read: a plain load may be hoisted out of the loop.
	while (atomicOr(p.flag.v[0], 0u) == 0u && i < p.limit)
		i++;
	p.out_.v[2] = i;
	atomicExchange(p.out_.v[1], i < p.limit ? 2u : 3u);
}
