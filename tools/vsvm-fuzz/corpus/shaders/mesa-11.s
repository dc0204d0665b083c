; Mesa vsvm compiler output (VSVM_DEBUG=shaders), shader (unnamed): 29 instructions, 9 registers, 0 B scratch, 0 B shared
	ldarg.u64 r0, 0
	ldarg.u64 r1, 8
	ldarg.u32 r2, 16
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
	cvt.f32.u64 r5, r4
	ffma r4, r0, r2, r5
	add.64 r0, r1, r3
	st.global.u32 [r0], r4
	end
