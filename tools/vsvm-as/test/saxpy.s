; y[i] = a * x[i] + y[i] for i < n, and count the lanes past the end.
; Arguments: 0: x (u64 pointer), 8: y (u64 pointer), 16: a (f32), 20: n (u32),
; 24: counter (u64 pointer to a u32)
	sv r0, global_id.x
	ldarg.u32 r1, 20		# n
	icmp.ltu.32 r2, r0, r1
	if r2
	    ldarg.u64 r3, 0
	    ldarg.u64 r4, 8
	    ldarg.u32 r5, 16
	    shl.64 r6, r0, 2		# byte offset of element i
	    add.64 r3, r3, r6
	    add.64 r4, r4, r6
	    ld.global.u32 r7, [r3]
	    ld.global.u32 r8, [r4]
	    ffma r8, r5, r7, r8
	    st.global.u32 [r4], r8
	else
	    ldarg.u64 r4, 24
	    movi r9, 1
	    atom.global.add.u32 r9, [r4], r9	; r9 = the old count
	endif
	end
