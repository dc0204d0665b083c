; Lane i, round k: reads word 0 of page (i + k) % npages of buf, adds it
; to word 1 atomically and stores its id in word 2: one fault per page
; and round while the mm side moves pages under it.
; Arguments: 0 buf (pointer), 8 npages (u32), 12 rounds (u32).
	sv r0, global_id.x
	ldarg.u64 r1, 0
	ldarg.u32 r2, 8
	ldarg.u32 r3, 12
	movi r4, 0
	loop
	    icmp.leu.32 r5, r3, r4
	    if r5
	        break
	    endif
	    add.32 r6, r0, r4
	    remu.32 r6, r6, r2
	    shl.64 r6, r6, 12
	    add.64 r6, r6, r1
	    ld.global.u64 r7, [r6]
	    atom.global.add.u64 r8, [r6 + 8], r7
	    st.global.u64 [r6 + 16], r0
	    add.32 r4, r4, 1
	endloop
	end
