; Mesa vsvm compiler output (VSVM_DEBUG=shaders), shader (unnamed): 9 instructions, 3 registers, 0 B scratch, 0 B shared
	ldarg.u64 r0, 0
	loop
	ld.global.u32 r1, [r0]
	icmp.ne.32 r2, r1, 0
	if r2
	break
	endif
	endloop
	end
