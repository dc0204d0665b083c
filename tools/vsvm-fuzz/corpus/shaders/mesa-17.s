; Mesa vsvm compiler output (VSVM_DEBUG=shaders), shader (unnamed): 26 instructions, 8 registers, 0 B scratch, 0 B shared
	ldarg.u64 r0, 0
	ldarg.u64 r1, 8
	movi r2, 1
	atom.global.add.u32 r3, [r0], r2
	ldarg.u64 r0, 32
	sv r2, wg_size.x
	cvt.u64.u32 r4, r2
	sv r2, wg_id.x
	cvt.u64.u32 r5, r2
	ldarg.u64 r2, 64
	sv r6, local_id.x
	cvt.u64.u32 r7, r6
	cvt.u64.u32 r6, r7
	mov r7, r6
	cvt.u64.u32 r6, r4
	mov r4, r6
	cvt.u64.u32 r6, r5
	mov r5, r6
	add.64 r6, r5, r2
	mul.64 r2, r6, r4
	add.64 r4, r2, r7
	add.64 r2, r4, r0
	shl.64 r0, r2, 2
	add.64 r2, r1, r0
	st.global.u32 [r2], r3
	end
