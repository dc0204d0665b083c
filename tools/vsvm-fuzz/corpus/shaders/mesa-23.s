; Mesa vsvm compiler output (VSVM_DEBUG=shaders), shader (unnamed): 46 instructions, 11 registers, 0 B scratch, 0 B shared
	movi r0, 0
	ldarg.u64 r1, 0
	ldarg.u32 r2, 8
	ldarg.u32 r3, 12
	ldarg.u64 r4, 16
	ldarg.u64 r5, 32
	sv r6, wg_size.x
	cvt.u64.u32 r7, r6
	sv r6, wg_id.x
	cvt.u64.u32 r8, r6
	ldarg.u64 r6, 64
	sv r9, local_id.x
	cvt.u64.u32 r10, r9
	cvt.u64.u32 r9, r10
	mov r10, r9
	cvt.u64.u32 r9, r7
	mov r7, r9
	cvt.u64.u32 r9, r8
	mov r8, r9
	add.64 r9, r8, r6
	mul.64 r6, r9, r7
	add.64 r7, r6, r10
	add.64 r6, r7, r5
	cvt.u64.u32 r5, r6
	mul.32 r7, r5, 4099
	mov r5, r0
	mov r8, r0
	loop
	icmp.leu.32 r0, r3, r8
	if r0
	break
	endif
	remu.32 r0, r7, r2
	cvt.u64.u32 r9, r0
	mov r0, r9
	shl.64 r9, r0, 2
	add.64 r0, r1, r9
	ld.global.u32 r9, [r0]
	add.32 r5, r5, r9
	add.32 r7, r7, 1031
	add.32 r8, r8, 1
	endloop
	shl.64 r0, r6, 2
	add.64 r1, r4, r0
	st.global.u32 [r1], r5
	end
