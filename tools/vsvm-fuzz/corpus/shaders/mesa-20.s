; Mesa vsvm compiler output (VSVM_DEBUG=shaders), shader (unnamed): 4 instructions, 2 registers, 0 B scratch, 0 B shared
	ldarg.u64 r0, 0
	movi r1, 42
	st.global.u32 [r0], r1
	end
