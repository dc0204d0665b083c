; Mesa vsvm compiler output (VSVM_DEBUG=shaders), shader (unnamed): 14 instructions, 5 registers, 0 B scratch, 0 B shared
	movi r0, 0
	ldarg.u64 r1, 0
	ldarg.u32 r2, 8
	mov r3, r0
	loop
	icmp.leu.32 r0, r2, r3
	if r0
	break
	endif
	movi r0, 1
	atom.global.add.u32 r4, [r1], r0
	add.32 r3, r3, 1
	endloop
	end
