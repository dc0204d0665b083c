; Mesa vsvm compiler output (VSVM_DEBUG=shaders), shader (unnamed): 89 instructions, 12 registers, 0 B scratch, 0 B shared
	ldarg.u64 r0, 0
	ldarg.u64 r1, 8
	ldarg.u64 r2, 16
	ldarg.u64 r3, 32
	sv r4, wg_size.x
	cvt.u64.u32 r5, r4
	sv r4, wg_id.x
	cvt.u64.u32 r6, r4
	ldarg.u64 r4, 64
	sv r7, local_id.x
	cvt.u64.u32 r8, r7
	cvt.u64.u32 r7, r8
	mov r8, r7
	cvt.u64.u32 r7, r5
	mov r5, r7
	cvt.u64.u32 r7, r6
	mov r6, r7
	add.64 r7, r6, r4
	mul.64 r4, r7, r5
	add.64 r5, r4, r8
	add.64 r4, r5, r3
	shl.64 r3, r4, 2
	add.64 r5, r0, r3
	ld.global.u32 r0, [r5]
	add.64 r5, r1, r3
	ld.global.u32 r1, [r5]
	shl.64 r3, r4, 5
	add.64 r4, r2, r3
	fadd r5, r0, r1
	st.global.u32 [r4], r5
	fneg r4, r1
	fadd r5, r0, r4
	add.64 r4, r3, 4
	add.64 r6, r2, r4
	st.global.u32 [r6], r5
	fmul r4, r0, r1
	add.64 r5, r3, 8
	add.64 r6, r2, r5
	st.global.u32 [r6], r4
	fneg r5, r0
	ffma r6, r0, r1, r5
	add.64 r5, r3, 12
	add.64 r7, r2, r5
	st.global.u32 [r7], r6
	fabs r5, r1
	movi r6, 0x7e800000
	fcmp.lt r7, r6, r5
	fcmp.lt r6, r5, 1.1754944e-38
	fmul r5, r0, 0.25
	fmul r8, r1, 0.25
	fmul r9, r0, 16777216.0
	fmul r10, r1, 16777216.0
	sel.32 r11, r6, r9, r0
	sel.32 r9, r7, r5, r11
	sel.32 r5, r6, r10, r1
	sel.32 r6, r7, r8, r5
	fdiv r5, r9, r6
	add.64 r6, r3, 16
	add.64 r7, r2, r6
	st.global.u32 [r7], r5
	fabs r5, r0
	fsqrt r6, r5
	add.64 r5, r3, 20
	add.64 r7, r2, r5
	st.global.u32 [r7], r6
	ffloor r5, r0
	fceil r6, r1
	movi r7, 0x3f000000
	ffma r8, r6, r7, r5
	ftrunc r5, r4
	fadd r4, r8, r5
	fmul r5, r1, 3.0
	frnde r6, r5
	fadd r5, r4, r6
	add.64 r4, r3, 24
	add.64 r6, r2, r4
	st.global.u32 [r6], r5
	fmul r4, r0, 1e+03
	cvt.s32.f32 r0, r4
	cvt.u64.u32 r4, r0
	cvt.f32.s32 r0, r4
	fmul r4, r1, -7.0
	cvt.s64.f32 r1, r4
	cvt.f32.s64 r4, r1
	fadd r1, r0, r4
	add.64 r0, r3, 28
	add.64 r3, r2, r0
	st.global.u32 [r3], r1
	end
