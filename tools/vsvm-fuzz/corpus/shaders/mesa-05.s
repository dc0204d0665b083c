; Mesa vsvm compiler output (VSVM_DEBUG=shaders), shader (unnamed): 109 instructions, 11 registers, 0 B scratch, 0 B shared
	movi r0, 0
	ldarg.u64 r1, 0
	ldarg.u64 r2, 8
	ldarg.u64 r3, 16
	ldarg.u64 r4, 32
	sv r5, wg_size.x
	cvt.u64.u32 r6, r5
	sv r5, wg_id.x
	cvt.u64.u32 r7, r5
	movi r5, 64
	ldarg.u64 r8, 64
	sv r9, local_id.x
	cvt.u64.u32 r10, r9
	cvt.u64.u32 r9, r10
	mov r10, r9
	cvt.u64.u32 r9, r6
	mov r6, r9
	cvt.u64.u32 r9, r7
	mov r7, r9
	add.64 r9, r7, r8
	mul.64 r7, r9, r6
	add.64 r6, r7, r10
	add.64 r7, r6, r4
	shl.64 r4, r7, 3
	add.64 r6, r1, r4
	ld.global.u64 r1, [r6]
	add.64 r6, r2, r4
	ld.global.u64 r2, [r6]
	mul.64 r4, r7, 96
	add.64 r6, r3, r4
	mul.64 r7, r1, r2
	st.global.u64 [r6], r7
	icmp.eq.64 r6, r2, 0
	divs.64 r7, r1, r2
	sel.64 r8, r6, r0, r7
	add.64 r7, r4, 8
	add.64 r9, r3, r7
	st.global.u64 [r9], r8
	rems.64 r7, r1, r2
	sel.64 r8, r6, r0, r7
	add.64 r7, r4, 16
	add.64 r9, r3, r7
	st.global.u64 [r9], r8
	divu.64 r7, r1, r2
	sel.64 r8, r6, r0, r7
	add.64 r7, r4, 24
	add.64 r9, r3, r7
	st.global.u64 [r9], r8
	remu.64 r7, r1, r2
	sel.64 r8, r6, r0, r7
	add.64 r0, r4, 32
	add.64 r6, r3, r0
	st.global.u64 [r6], r8
	mulhs.64 r0, r1, r2
	add.64 r6, r4, 40
	add.64 r7, r3, r6
	st.global.u64 [r7], r0
	mulhu.64 r0, r1, r2
	add.64 r6, r4, 48
	add.64 r7, r3, r6
	st.global.u64 [r7], r0
	cvt.u64.u32 r0, r2
	movi r6, 63
	shl.64 r7, r1, r0
	and.32 r8, r0, 31
	shrs.64 r9, r1, r8
	xor.64 r8, r7, r9
	and.32 r7, r0, 15
	shru.64 r0, r1, r7
	xor.64 r7, r8, r0
	add.64 r0, r4, 56
	add.64 r8, r3, r0
	st.global.u64 [r8], r7
	icmp.les.64 r0, r2, r1
	neg.64 r7, r2
	sel.64 r8, r0, r2, r7
	add.64 r0, r1, r8
	add.64 r7, r4, 64
	add.64 r8, r3, r7
	st.global.u64 [r8], r0
	popcnt.64 r0, r1
	cvt.u64.u32 r7, r0
	mov r0, r7
	clz.64 r7, r2
	movi r8, 63
	sub.32 r9, r8, r7
	sub.32 r7, r6, r9
	cvt.u64.u32 r6, r7
	mov r7, r6
	mul.64 r6, r7, 100
	add.64 r7, r0, r6
	add.64 r0, r4, 72
	add.64 r6, r3, r0
	st.global.u64 [r6], r7
	cvt.u64.u32 r0, r2
	shl.64 r6, r1, r0
	sub.32 r7, r5, r0
	shru.64 r0, r1, r7
	or.64 r5, r6, r0
	add.64 r0, r4, 80
	add.64 r6, r3, r0
	st.global.u64 [r6], r5
	maxs.64 r0, r1, r2
	minu.64 r5, r1, r2
	sub.64 r1, r0, r5
	add.64 r0, r4, 88
	add.64 r2, r3, r0
	st.global.u64 [r2], r1
	end
