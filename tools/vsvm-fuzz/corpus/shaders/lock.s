; A spin lock on word 0 of buf taken with cmpxchg by every lane in turn,
; bounded by 64 tries; the holder bumps word 1.  Arguments: 0 buf.
	sv r0, global_id.x
	add.64 r9, r0, 1
	ldarg.u64 r1, 0
	movi r2, 64
	movi r8, 0
	loop
	    atom.global.cmpxchg.u64 r3, [r1], r9, r8
	    icmp.eq.64 r4, r3, 0
	    if r4
	        ld.global.u64 r5, [r1 + 8]
	        add.64 r5, r5, 1
	        st.global.u64 [r1 + 8], r5
	        fence
	        atom.global.xchg.u64 r6, [r1], r8
	        break
	    endif
	    sub.64 r2, r2, 1
	    icmp.eq.64 r4, r2, 0
	    if r4
	        break
	    endif
	endloop
	end
