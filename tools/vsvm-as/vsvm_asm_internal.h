/* SPDX-License-Identifier: MIT */
/* Copyright 2026 The vsvm authors */
/*
 * Table queries for the assembler's own tests: they enumerate the ISA from
 * the same table the assembler and disassembler use. Not a stable API.
 */
#ifndef VSVM_ASM_INTERNAL_H
#define VSVM_ASM_INTERNAL_H

#include <stdint.h>

#define VSVM_USES_DST	(1u << 0)
#define VSVM_USES_SRC0	(1u << 1)
#define VSVM_USES_SRC1	(1u << 2)
#define VSVM_USES_SRC2	(1u << 3)
#define VSVM_USES_IMM	(1u << 4)

/*
 * The fields an instruction with this op, sub and flags reads or writes;
 * 0 for an unknown opcode. Does not validate mod, sub or flags.
 */
unsigned int vsvm_insn_uses(uint8_t op, uint8_t sub, uint8_t flags);

/* The mnemonic of an opcode, or NULL if it is unknown. */
const char *vsvm_op_name(uint8_t op);

#endif /* VSVM_ASM_INTERNAL_H */
