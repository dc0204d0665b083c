// SPDX-License-Identifier: MIT
// dst = *src: with a bad src, a GPU fault.
#version 450
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_buffer_reference : require
layout(local_size_x = 1) in;
layout(buffer_reference, std430, buffer_reference_align = 8) buffer U { uint64_t v; };
layout(push_constant) uniform P { U src; U dst; } p;

void main()
{
	p.dst.v = p.src.v;
}
