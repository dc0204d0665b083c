; Mesa vsvm compiler output (VSVM_DEBUG=shaders), shader (unnamed): 48 instructions, 9 registers, 0 B scratch, 0 B shared
	movi r0, 0
	ldarg.u64 r1, 0
	ldarg.u64 r2, 8
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
	mov r3, r0
	loop
	icmp.ltu.64 r5, r3, r4
	icmp.ne.64 r6, r1, 0
	and.32 r7, r5, r6
	not.32 r5, r7
	if r5
	break
	endif
	ld.global.u64 r1, [r1]
	add.64 r3, r3, 1
	endloop
	mov r3, r0
	loop
	icmp.eq.64 r0, r1, 0
	if r0
	break
	endif
	add.64 r0, r1, 8
	ld.global.u64 r5, [r0]
	add.64 r3, r3, r5
	ld.global.u64 r1, [r1]
	endloop
	shl.64 r0, r4, 3
	add.64 r1, r2, r0
	st.global.u64 [r1], r3
	end
