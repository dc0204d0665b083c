; Mesa vsvm compiler output (VSVM_DEBUG=shaders), shader (unnamed): 68 instructions, 14 registers, 0 B scratch, 0 B shared
	ldarg.u64 r0, 0
	ldarg.u64 r1, 8
	ldarg.u64 r2, 16
	ldarg.u64 r3, 24
	sv r4, local_id.x
	cvt.u64.u32 r5, r4
	cvt.u64.u32 r4, r5
	mov r6, r4
	sv r4, wg_size.x
	cvt.u64.u32 r7, r4
	cvt.u64.u32 r4, r7
	mov r7, r4
	ldarg.u64 r4, 32
	sv r8, wg_id.x
	cvt.u64.u32 r9, r8
	ldarg.u64 r8, 64
	cvt.u64.u32 r10, r9
	mov r9, r10
	add.64 r10, r9, r8
	mul.64 r8, r10, r7
	add.64 r9, r8, r6
	add.64 r8, r9, r4
	shl.64 r4, r8, 2
	add.64 r8, r0, r4
	ld.global.u32 r0, [r8]
	shl.32 r8, r5, 2
	cvt.u64.u32 r5, r2
	add.32 r9, r5, r8
	st.shared.u32 [r9], r0
	bar
	movi r0, 1
	mov r5, r0
	loop
	icmp.leu.64 r10, r7, r5
	if r10
	break
	endif
	icmp.ltu.64 r10, r6, r5
	if r10
	cvt.u64.u32 r10, r2
	add.32 r11, r10, r8
	ld.shared.u32 r9, [r11]
	else
	cvt.u64.u32 r10, r2
	add.32 r11, r10, r8
	ld.shared.u32 r12, [r11]
	sub.64 r11, r6, r5
	cvt.u64.u32 r13, r11
	shl.32 r11, r13, 2
	add.32 r13, r10, r11
	ld.shared.u32 r10, [r13]
	add.32 r9, r12, r10
	endif
	cvt.u64.u32 r10, r3
	add.32 r11, r10, r8
	st.shared.u32 [r11], r9
	bar
	shl.64 r5, r5, 1
	mov r0, r2
	mov r2, r3
	mov r3, r0
	endloop
	cvt.u64.u32 r0, r2
	add.32 r2, r0, r8
	ld.shared.u32 r0, [r2]
	add.64 r2, r1, r4
	st.global.u32 [r2], r0
	end
