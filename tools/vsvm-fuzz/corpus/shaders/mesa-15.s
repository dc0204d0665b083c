; Mesa vsvm compiler output (VSVM_DEBUG=shaders), shader (unnamed): 59 instructions, 11 registers, 0 B scratch, 0 B shared
	ldarg.u64 r0, 0
	ldarg.u64 r1, 8
	ldarg.u64 r2, 16
	ldarg.u64 r3, 24
	ldarg.u64 r4, 32
	ldarg.u64 r5, 64
	sv r6, wg_size.x
	cvt.u64.u32 r7, r6
	sv r6, wg_id.x
	cvt.u64.u32 r8, r6
	ldarg.u64 r6, 96
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
	add.64 r5, r0, r6
	ld.global.u8 r0, [r5]
	shl.64 r5, r6, 1
	add.64 r7, r1, r5
	ld.global.u16 r1, [r7]
	cvt.s64.s8 r7, r0
	cvt.u64.u32 r0, r7
	cvt.s64.s16 r7, r1
	cvt.u64.u32 r8, r7
	mul.32 r7, r0, r8
	shrs.32 r9, r8, 3
	add.32 r10, r7, r9
	mov r7, r10
	add.64 r9, r2, r5
	st.global.u16 [r9], r7
	mov r2, r1
	cvt.u64.u8 r5, r2
	mov r2, r5
	xor.32 r5, r0, r2
	icmp.lts.32 r2, r0, 0
	and.64 r7, r2, 1
	add.32 r2, r5, r7
	mov r5, r2
	add.64 r2, r3, r6
	st.global.u8 [r2], r5
	mul.32 r2, r0, 1000
	or.32 r3, r0, 1
	divs.32 r0, r8, r3
	add.32 r3, r2, r0
	cvt.u64.u16 r0, r1
	mov r1, r0
	add.32 r0, r3, r1
	shl.64 r1, r6, 2
	add.64 r2, r4, r1
	st.global.u32 [r2], r0
	end
