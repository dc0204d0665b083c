// SPDX-License-Identifier: MIT
// cl_bench.h's stream kernel: c = a * 2 + b.
#version 450
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#extension GL_EXT_buffer_reference : require
layout(local_size_x = 64) in;
layout(buffer_reference, std430, buffer_reference_align = 4) buffer F { float v[]; };
layout(push_constant) uniform P { F a; F b; F c; } p;

void main()
{
	uint i = gl_GlobalInvocationID.x;

	p.c.v[i] = p.a.v[i] * 2.0 + p.b.v[i];
}
