; Mesa vsvm compiler output (VSVM_DEBUG=shaders), shader (unnamed): 57 instructions, 10 registers, 0 B scratch, 0 B shared
	ldarg.u64 r0, 0
	ldarg.u64 r1, 8
	ldarg.u64 r2, 16
	sv r3, local_id.x
	cvt.u64.u32 r4, r3
	cvt.u64.u32 r3, r4
	mov r5, r3
	sv r3, wg_size.x
	cvt.u64.u32 r6, r3
	cvt.u64.u32 r3, r6
	mov r6, r3
	ldarg.u64 r3, 32
	sv r7, wg_id.x
	cvt.u64.u32 r8, r7
	ldarg.u64 r7, 64
	cvt.u64.u32 r9, r8
	mov r8, r9
	add.64 r9, r8, r7
	mul.64 r7, r9, r6
	add.64 r8, r7, r5
	add.64 r7, r8, r3
	shl.64 r3, r7, 2
	add.64 r7, r0, r3
	ld.global.u32 r0, [r7]
	shl.32 r3, r4, 2
	cvt.u64.u32 r7, r2
	add.32 r2, r7, r3
	st.shared.u32 [r2], r0
	bar
	shru.64 r0, r6, 1
	loop
	icmp.leu.64 r3, r0, 0
	if r3
	break
	endif
	icmp.ltu.64 r3, r5, r0
	if r3
	add.64 r3, r5, r0
	cvt.u64.u32 r6, r3
	shl.32 r3, r6, 2
	add.32 r6, r7, r3
	ld.shared.u32 r3, [r6]
	ld.shared.u32 r6, [r2]
	add.32 r8, r6, r3
	st.shared.u32 [r2], r8
	endif
	bar
	shru.64 r0, r0, 1
	endloop
	icmp.eq.32 r0, r4, 0
	if r0
	ld.shared.u32 r0, [r7]
	shl.64 r2, r9, 2
	add.64 r3, r1, r2
	st.global.u32 [r3], r0
	endif
	end
