; Mesa vsvm compiler output (VSVM_DEBUG=shaders), shader (unnamed): 45 instructions, 10 registers, 0 B scratch, 0 B shared
	movi r0, 0
	ldarg.u64 r1, 0
	ldarg.u32 r2, 8
	ldarg.u64 r3, 16
	ldarg.u64 r4, 32
	sv r5, wg_size.x
	cvt.u64.u32 r6, r5
	sv r5, wg_id.x
	cvt.u64.u32 r7, r5
	ldarg.u64 r5, 64
	sv r8, local_id.x
	cvt.u64.u32 r9, r8
	cvt.u64.u32 r8, r9
	mov r9, r8
	cvt.u64.u32 r8, r6
	mov r6, r8
	cvt.u64.u32 r8, r7
	mov r7, r8
	add.64 r8, r7, r5
	mul.64 r5, r8, r6
	add.64 r6, r5, r9
	add.64 r5, r6, r4
	mov r4, r0
	mov r6, r0
	loop
	icmp.leu.32 r0, r2, r6
	if r0
	break
	endif
	cvt.u64.u32 r0, r6
	mov r7, r0
	shl.64 r0, r7, 3
	add.64 r7, r1, r0
	ld.global.u64 r0, [r7]
	shl.64 r7, r5, 2
	add.64 r8, r0, r7
	ld.global.u32 r0, [r8]
	add.32 r6, r6, 1
	cvt.f32.u32 r7, r6
	ffma r4, r0, r7, r4
	endloop
	shl.64 r0, r5, 2
	add.64 r1, r3, r0
	st.global.u32 [r1], r4
	end
