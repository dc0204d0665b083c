; Mesa vsvm compiler output (VSVM_DEBUG=shaders), shader (unnamed): 59 instructions, 10 registers, 128 B scratch, 0 B shared
	movi r0, 0
	ldarg.u64 r1, 0
	ldarg.u64 r2, 8
	movi r3, 32
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
	loop
	icmp.leu.32 r6, r3, r4
	if r6
	break
	endif
	shl.64 r6, r5, 2
	add.64 r7, r1, r6
	ld.global.u32 r6, [r7]
	mul.32 r7, r6, r4
	add.32 r6, r7, 1
	shl.32 r7, r4, 2
	st.scratch.u32 [r7], r6
	add.32 r4, r4, 1
	endloop
	mov r4, r0
	mov r6, r0
	loop
	icmp.leu.32 r0, r3, r6
	if r0
	break
	endif
	shl.64 r0, r5, 2
	add.64 r7, r1, r0
	ld.global.u32 r0, [r7]
	mul.32 r7, r6, 7
	add.32 r8, r0, r7
	and.32 r0, r8, 31
	shl.32 r7, r0, 2
	ld.scratch.u32 r0, [r7]
	add.32 r4, r4, r0
	add.32 r6, r6, 1
	endloop
	shl.64 r0, r5, 2
	add.64 r1, r2, r0
	st.global.u32 [r1], r4
	end
