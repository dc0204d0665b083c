; Divergent control flow: per-lane EXIT, CONTINUE, BREAK, a TRAP for lane
; 37 and a barrier reached by the survivors.  Arguments: 0 buf.
	sv r0, local_id.x
	ldarg.u64 r1, 0
	and.32 r2, r0, 3
	movi r3, 0
	loop
	    add.32 r3, r3, 1
	    icmp.eq.32 r4, r2, 1
	    if r4
	        exit
	    endif
	    icmp.ltu.32 r4, r3, 3
	    if r4
	        continue
	    endif
	    icmp.eq.32 r4, r0, 37
	    if r4
	        trap 37
	    endif
	    break
	endloop
	bar
	shl.64 r5, r0, 3
	add.64 r5, r5, r1
	st.global.u64 [r5], r3
	end
