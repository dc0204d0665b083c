#version 450
// SPDX-License-Identifier: MIT
// The smoke test's kernel: out[i] = a * in[i] + b through descriptors,
// and, when the push constants carry a pointer (system SVM), the same
// into plain malloc() memory through it.
#extension GL_EXT_buffer_reference : require
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require

layout(local_size_x = 64) in;

layout(buffer_reference, std430) buffer Words { uint w[]; };

layout(set = 0, binding = 0) readonly buffer In { uint src[]; };
layout(set = 0, binding = 1) writeonly buffer Out { uint dst[]; };

layout(push_constant) uniform Push {
	uint a;
	uint b;
	uint n;
	uint pad;
	uint64_t host;		// 0, or a malloc()ed array of n words
} pc;

void main()
{
	uint i = gl_GlobalInvocationID.x;

	if (i >= pc.n)
		return;
	dst[i] = pc.a * src[i] + pc.b;
	if (pc.host != 0) {
		Words h = Words(pc.host);
		h.w[i] = h.w[i] * pc.a + pc.b;
	}
}
