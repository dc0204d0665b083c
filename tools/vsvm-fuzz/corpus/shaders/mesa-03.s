; Mesa vsvm compiler output (VSVM_DEBUG=shaders), shader (unnamed): 44 instructions, 10 registers, 0 B scratch, 64 B shared
	movi r0, 0
	ldarg.u64 r1, 0
	ldarg.u64 r2, 8
	sv r3, local_id.x
	cvt.u64.u32 r4, r3
	cvt.u64.u32 r3, r4
	mov r5, r3
	icmp.ltu.32 r3, r4, 16
	if r3
	shl.32 r6, r4, 2
	st.shared.u32 [r6], r0
	endif
	bar
	ldarg.u64 r0, 32
	sv r6, wg_size.x
	cvt.u64.u32 r7, r6
	sv r6, wg_id.x
	cvt.u64.u32 r8, r6
	ldarg.u64 r6, 64
	cvt.u64.u32 r9, r7
	mov r7, r9
	cvt.u64.u32 r9, r8
	mov r8, r9
	add.64 r9, r8, r6
	mul.64 r6, r9, r7
	add.64 r7, r6, r5
	add.64 r6, r7, r0
	add.64 r0, r1, r6
	ld.global.u8 r1, [r0]
	cvt.u64.u8 r0, r1
	mov r1, r0
	and.32 r0, r1, 15
	shl.32 r1, r0, 2
	movi r0, 1
	atom.shared.add.u32 r6, [r1], r0
	bar
	if r3
	shl.64 r0, r5, 2
	add.64 r1, r2, r0
	shl.32 r0, r4, 2
	ld.shared.u32 r2, [r0]
	atom.global.add.u32 r0, [r1], r2
	endif
	end
