/*
 * Copyright 2026 The vsvm authors
 * SPDX-License-Identifier: MIT
 *
 * The backend's own IR: a flat list of ISA instructions whose register
 * fields name virtual registers until register allocation rewrites them.
 * The ISA's control flow is structured, so the list needs no CFG: LOOP and
 * ENDLOOP positions are all that liveness needs.
 */
#ifndef VSVM_IR_H
#define VSVM_IR_H

#include <stdbool.h>
#include <stdint.h>

#include "util/u_dynarray.h"
#include "drm-uapi/vsvm_isa.h"

#define VSVM_NO_REG	UINT32_MAX

struct vsvm_insn {
	uint8_t op;
	uint8_t mod;
	uint8_t sub;
	uint8_t flags;
	uint32_t dst;		/* VSVM_NO_REG if none */
	uint32_t src[3];	/* VSVM_NO_REG if none */
	uint64_t imm;
};

struct vsvm_code {
	struct util_dynarray insns;	/* struct vsvm_insn */
	/* One byte per virtual register: VSVM_VREG_* */
	struct util_dynarray vreg_flags;
	uint32_t num_vregs;
	uint32_t num_phys;		/* after RA: registers used */
	char *error;			/* first error, malloc()ed */
};

/* A NIR register: several definitions, so it may carry a value around a loop. */
#define VSVM_VREG_MULTI_DEF	(1u << 0)

static inline unsigned int
vsvm_code_num_insns(const struct vsvm_code *c)
{
	return util_dynarray_num_elements(&c->insns, struct vsvm_insn);
}

static inline struct vsvm_insn *
vsvm_code_insn(struct vsvm_code *c, unsigned int i)
{
	return util_dynarray_element(&c->insns, struct vsvm_insn, i);
}

void vsvm_code_init(struct vsvm_code *c);
void vsvm_code_finish(struct vsvm_code *c);
uint32_t vsvm_new_vreg(struct vsvm_code *c, unsigned int flags);
void vsvm_code_error(struct vsvm_code *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Whether an instruction writes dst / reads each src, by opcode. */
bool vsvm_op_writes_dst(uint8_t op);
unsigned int vsvm_op_num_srcs(const struct vsvm_insn *in);
bool vsvm_op_has_side_effects(uint8_t op);

/* Removes instructions whose result nobody reads. */
void vsvm_dce(struct vsvm_code *c);

/*
 * Maps virtual to physical registers with a linear scan over live
 * intervals, widened to whole loops where a value lives across an
 * iteration.  Fails (vsvm_code_error) when more than @num_regs registers
 * would be live at once: the backend does not spill.
 */
bool vsvm_register_allocate(struct vsvm_code *c, unsigned int num_regs);

/* Encodes the allocated code; returns a malloc()ed buffer of 16 * n bytes. */
uint8_t *vsvm_encode(struct vsvm_code *c, size_t *size);

#endif /* VSVM_IR_H */
