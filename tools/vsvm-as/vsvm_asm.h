/* SPDX-License-Identifier: MIT */
/* Copyright 2026 The vsvm authors */
/*
 * Assembler and disassembler for the vsvm ISA (drm-driver/include/uapi/drm/
 * vsvm_isa.h). The syntax is described in docs/isa.md, section "Assembler
 * syntax". Numbers are converted with the C library, so call these in the
 * "C" LC_NUMERIC locale (the default unless the program calls setlocale()).
 */
#ifndef VSVM_ASM_H
#define VSVM_ASM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * vsvm_asm() - assemble vsvm source text
 * @src: NUL-terminated source
 * @code: out, malloc()ed machine code on success; the caller frees it
 * @size: out, bytes at @code, a multiple of 16 (zero for an empty source)
 * @err: out, on failure "LINE:COLUMN: message" (both from 1, the column
 *	counts bytes); may be NULL
 * @errlen: bytes at @err
 *
 * Checks every operand and the structure of the control flow (IF/ELSE/ENDIF
 * and LOOP/ENDLOOP balance, BREAK and CONTINUE inside a loop, nesting depth).
 * Stops at the first error.
 *
 * Return: 0 on success, -1 on error (*code and *size are then untouched).
 */
int vsvm_asm(const char *src, uint8_t **code, size_t *size, char *err,
	     size_t errlen);

/* vsvm_disasm_ex() flags */
/* Append "; 0xOFFSET" to each line: the byte offset a job's fault_pc uses. */
#define VSVM_DISASM_OFFSETS	(1u << 0)
/* Do not indent blocks. */
#define VSVM_DISASM_FLAT	(1u << 1)

/**
 * vsvm_disasm_ex() - disassemble machine code
 * @code: the code
 * @size: bytes at @code
 * @out: where to print, one instruction a line
 * @flags: VSVM_DISASM_*
 *
 * Prints the assembler's own syntax, so the output assembles back to the same
 * bytes. An encoding the assembler cannot express (an invalid one, or a
 * valid one with an immediate outside the assembler's ranges) is printed as
 * ".word WORD0, WORD1" with a comment saying why. Trailing bytes short of an
 * instruction are reported in a comment.
 *
 * Return: the number of instructions printed as .word, or -1 if @size is
 * not a multiple of 16 or writing failed.
 */
int vsvm_disasm_ex(const uint8_t *code, size_t size, FILE *out,
		   unsigned int flags);

/** vsvm_disasm() - vsvm_disasm_ex() with no flags */
int vsvm_disasm(const uint8_t *code, size_t size, FILE *out);

/**
 * vsvm_disasm_str() - disassemble into a string
 * @code: the code
 * @size: bytes at @code
 * @flags: VSVM_DISASM_*
 *
 * Return: a malloc()ed NUL-terminated string the caller frees, or NULL if
 * out of memory. Errors vsvm_disasm_ex() would report are in its comments.
 */
char *vsvm_disasm_str(const uint8_t *code, size_t size, unsigned int flags);

/**
 * vsvm_disasm_insn() - disassemble one instruction, without indentation
 * @insn: VSVM_INSN_SIZE bytes
 * @buf: out, NUL-terminated text (truncated to fit)
 * @len: bytes at @buf
 *
 * Return: 0 if printed as an instruction, 1 if printed as .word.
 */
int vsvm_disasm_insn(const uint8_t *insn, char *buf, size_t len);

/* vsvm_insn_check() results */
#define VSVM_INSN_OK		0	/* valid, and expressible in assembly */
#define VSVM_INSN_RAW		1	/* valid, but only expressible as .word */
#define VSVM_INSN_INVALID	2	/* the kernel must reject it */

/**
 * vsvm_insn_check() - classify one encoding
 * @w0: word0
 * @w1: word1 (the immediate)
 * @why: out, a reason for RAW and INVALID, else NULL; may be NULL
 *
 * Checks the per-instruction rules of docs/isa.md ("Validation"): known
 * opcode, modifier and sub-operation, unused fields zero, register ranges.
 * Control-flow structure is a property of the whole program and is checked
 * by vsvm_asm() only.
 *
 * Return: VSVM_INSN_OK, VSVM_INSN_RAW or VSVM_INSN_INVALID.
 */
int vsvm_insn_check(uint64_t w0, uint64_t w1, const char **why);

#ifdef __cplusplus
}
#endif

#endif /* VSVM_ASM_H */
