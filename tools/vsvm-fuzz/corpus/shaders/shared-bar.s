; 16-byte shared stores, a barrier, each lane's neighbour read back and
; written to buf + 16 * global id.  Arguments: 0 buf (pointer).
	sv r0, local_id.x
	shl.64 r1, r0, 4
	movi r2, 0x1234
	mov r3, r0
	st.shared.b128 [r1], r2
	bar
	ld.shared.b128 r4, [r1 + 16]
	ldarg.u64 r6, 0
	sv r7, global_id.x
	shl.64 r7, r7, 4
	add.64 r6, r6, r7
	st.global.b128 [r6], r4
	end
