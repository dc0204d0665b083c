; Scratch: 16-byte and atomic accesses at lane-dependent offsets, then
; the sum stored to buf + 8 * global id.  Arguments: 0 buf (pointer).
	sv r0, global_id.x
	and.64 r1, r0, 7
	shl.64 r1, r1, 4
	movi r2, 7
	mov r3, r0
	st.scratch.b128 [r1], r2
	atom.scratch.add.u32 r4, [r1 + 4], r2
	ld.scratch.b128 r5, [r1]
	add.64 r5, r5, r6
	ldarg.u64 r7, 0
	shl.64 r8, r0, 3
	add.64 r7, r7, r8
	st.global.u64 [r7], r5
	end
