// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */
/*
 * Memory instructions: LD/ST/ATOM in the three address spaces, accesses
 * across page boundaries, faults and their retry (mem_done), read-only
 * pages, misaligned atomics, shared/scratch bounds, LDARG, and reuse of a
 * translation across lanes.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define P0	0x100000000ull	/* mapped */
#define P1	0x100001000ull	/* mapped */
#define P2	0x100002000ull	/* mapped read-only */
#define P3	0x100003000ull	/* not mapped until a fault maps it */
#define PX	0x100004000ull	/* no page at all */

static void mmu_setup(struct vsvm_mmu *mmu)
{
	u64 va;
	u32 i;

	memset(mmu, 0, sizeof(*mmu));
	mmu_add(mmu, P0, true, false);
	mmu_add(mmu, P1, true, false);
	mmu_add(mmu, P2, true, true);
	mmu_add(mmu, P3, false, false);
	for (va = P0; va < PX; va += PAGE_BYTES)
		for (i = 0; i < PAGE_BYTES; i++)
			mmu_host(mmu, va)[i] = rng_u64();
}

static bool map_faulting_page(struct wg *g, void *arg)
{
	struct mock_page *p = mmu_find(g->mmu, g->ctx.fault_addr);

	(void)arg;
	if (!p || p->mapped)
		return false;
	p->mapped = true;
	return true;
}

/* Little-endian bytes of the mock memory, as the reference sees them. */
static u64 host_load(struct vsvm_mmu *mmu, u64 va, unsigned int n)
{
	u64 v = 0;

	while (n--)
		v = v << 8 | *mmu_host(mmu, va + n);
	return v;
}

static u64 sext(u64 v, unsigned int bytes)
{
	unsigned int sh = 64 - 8 * bytes;

	return bytes < 8 ? (u64)((s64)(v << sh) >> sh) : v;
}

static struct vsvm_prog *prog1(u8 op, u8 d, u8 a, u8 b, u8 c, u8 mod, u8 sub, u64 imm,
			       u32 args_size)
{
	struct vsvm_prog *prog;
	struct code code;

	code_init(&code);
	e_op(&code, VSVM_OP_NOP);
	emit(&code, op, d, a, b, c, mod, sub, 0, imm);
	e_op(&code, VSVM_OP_FENCE);
	e_op(&code, VSVM_OP_END);
	prog = decode_ok(&code, args_size);
	code_free(&code);
	return prog;
}

/* Loads of one size and sign, some lanes straddling P0 and P1. */
static void ld_case(struct vsvm_mmu *mmu, unsigned int lg, bool sign, bool neg_offset)
{
	unsigned int size = 1u << lg, l;
	u64 imm = neg_offset ? (u64)-16 : 5, va[32];
	struct vsvm_prog *prog;
	struct wg g;

	prog = prog1(VSVM_OP_LD, 5, 1, 0, 0, MOD_MEM(lg, 0, sign), 0, imm, 0);
	if (!prog)
		return;
	wg_init1(&g, prog, mmu, 32);
	for (l = 0; l < 32; l++) {
		if (l < 16)	/* around the boundary */
			va[l] = P1 - 8 + l - (size - 1) / 2 * (l & 1);
		else
			va[l] = P0 + rng_below(2 * PAGE_BYTES - size);
		wg_set(&g, 0, 1, l, va[l] - imm);
	}
	if (CHECK_EQ(wg_run(&g, 100, NULL, NULL), VSVM_STOP_DONE)) {
		for (l = 0; l < 32; l++) {
			u64 want = host_load(mmu, va[l], size > 8 ? 8 : size);

			if (sign)
				want = sext(want, size);
			CHECK(wg_get(&g, 0, 5, l) == want, "size %u lane %u va 0x%llx", size, l,
			      (unsigned long long)va[l]);
			if (size == 16)
				CHECK_EQ(wg_get(&g, 0, 6, l), host_load(mmu, va[l] + 8, 8));
		}
	}
	wg_free(&g);
	free(prog);
}

static void test_ld_global(void)
{
	struct vsvm_mmu mmu;
	unsigned int lg, sign, round;

	mmu_setup(&mmu);
	for (lg = 0; lg <= 4; lg++)
		for (sign = 0; sign <= (lg <= 2); sign++)
			for (round = 0; round < 8; round++)
				ld_case(&mmu, lg, sign, round & 1);
	CHECK_EQ(mmu.bad_calls, 0);
	mmu_reset(&mmu);
}

/* Stores of every size; everything else in the pages stays as it was. */
static void test_st_global(void)
{
	struct vsvm_mmu mmu;
	unsigned int lg, round, l, i;
	u8 *image = malloc(2 * PAGE_BYTES);

	mmu_setup(&mmu);
	for (lg = 0; lg <= 4; lg++) {
		for (round = 0; round < 6; round++) {
			unsigned int size = 1u << lg;
			u64 base = P1 - 16 * 17 + round, lo[32], hi[32];
			struct vsvm_prog *prog;
			struct wg g;

			prog = prog1(VSVM_OP_ST, 0, 1, 2, 0, MOD_MEM(lg, 0, 0), 0, 3, 0);
			if (!prog)
				return;
			memcpy(image, mmu_host(&mmu, P0), PAGE_BYTES);
			memcpy(image + PAGE_BYTES, mmu_host(&mmu, P1), PAGE_BYTES);
			wg_init1(&g, prog, &mmu, 32);
			g.waves[0].exec = round ? (u32)rng_u64() : U32_MAX;
			for (l = 0; l < 32; l++) {
				/* 16 bytes apart: no overlap; lane 16 straddles the pages. */
				u64 va = base + 16 * l + (l == 16 ? 8 : 0);

				lo[l] = rng_u64();
				hi[l] = rng_u64();
				wg_set(&g, 0, 1, l, va - 3);
				wg_set(&g, 0, 2, l, lo[l]);
				if (size == 16)
					wg_set(&g, 0, 3, l, hi[l]);
				if (!(g.waves[0].exec >> l & 1))
					continue;
				for (i = 0; i < size; i++)
					image[va - P0 + i] = (i < 8 ? lo[l] >> (8 * i) :
							      hi[l] >> (8 * (i - 8)));
			}
			if (CHECK_EQ(wg_run(&g, 100, NULL, NULL), VSVM_STOP_DONE)) {
				CHECK(!memcmp(image, mmu_host(&mmu, P0), PAGE_BYTES) &&
				      !memcmp(image + PAGE_BYTES, mmu_host(&mmu, P1), PAGE_BYTES),
				      "size %u round %u: memory differs", size, round);
			}
			wg_free(&g);
			free(prog);
		}
	}
	free(image);
	mmu_reset(&mmu);
}

/*
 * Shared and scratch: in range they behave like global memory; scratch is
 * per lane, lane L of the workgroup at L * scratch_size.
 */
static void test_local_spaces(void)
{
	const u32 grid[3] = { 1, 1, 1 }, size[3] = { 45, 1, 1 }, id[3] = { 0, 0, 0 };
	struct vsvm_mmu mmu = { 0 };
	struct vsvm_prog *prog;
	struct code code;
	struct wg g;
	u32 w, l, lin;

	code_init(&code);
	e_sv(&code, 1, VSVM_SV_LOCAL_ID_X);
	e_alui(&code, VSVM_OP_SHL, 2, 1, 2, 0);			/* r2 = 4 * lid */
	e_alui(&code, VSVM_OP_ADD, 3, 1, 0x1000, 0);		/* r3 = 0x1000 + lid */
	e_st(&code, 2, 3, 0, MOD_MEM(2, VSVM_SPACE_SHARED, 0));	/* shared[4 * lid] */
	e_movi(&code, 4, 5);
	e_st(&code, 4, 3, 0, MOD_MEM(1, VSVM_SPACE_SCRATCH, 0));	/* scratch[5..6] */
	e_st(&code, 4, 1, 2, MOD_MEM(4, VSVM_SPACE_SCRATCH, 0));	/* scratch[7..22] */
	e_op(&code, VSVM_OP_BAR);
	e_alui(&code, VSVM_OP_XOR, 5, 2, 4, 0);			/* neighbour's slot */
	e_ld(&code, 6, 5, 0, MOD_MEM(2, VSVM_SPACE_SHARED, 0));
	e_ld(&code, 7, 4, 0, MOD_MEM(1, VSVM_SPACE_SCRATCH, 1));	/* sign-extended */
	e_ld(&code, 8, 4, 2, MOD_MEM(4, VSVM_SPACE_SCRATCH, 0));
	e_op(&code, VSVM_OP_END);
	prog = decode_ok(&code, 0);
	code_free(&code);
	if (!prog)
		return;
	wg_init(&g, prog, &mmu, grid, size, id, 4 * 48, 24);
	if (CHECK_EQ(wg_run(&g, 0, NULL, NULL), VSVM_STOP_DONE)) {
		for (w = 0; w < 2; w++) {
			for (l = 0; l < 32; l++) {
				lin = 32 * w + l;
				if (lin >= 45)
					break;
				/* lid 44's neighbour does not exist: 0 */
				CHECK_EQ(wg_get(&g, w, 6, l), lin == 44 ? 0 : 0x1000 + (lin ^ 1));
				CHECK_EQ(wg_get(&g, w, 7, l), 0x1000 + lin);
				CHECK_EQ(wg_get(&g, w, 8, l), lin);
				CHECK_EQ(wg_get(&g, w, 9, l), 4 * lin);
				CHECK_EQ(g.scratch[lin * 24 + 5], (u8)(lin));
				CHECK_EQ(g.scratch[lin * 24 + 6], 0x10);
				CHECK_EQ(g.scratch[lin * 24 + 7], (u8)lin);
				CHECK_EQ(g.scratch[lin * 24 + 23], 0);
			}
		}
		/* lid 44 wrote shared[176..179]; 180.. untouched */
		CHECK_EQ(g.shared[176], 44);
		CHECK_EQ(g.shared[177], 0x10);
		CHECK_EQ(g.shared[180], 0);
	}
	wg_free(&g);
	free(prog);
}

struct bounds_case {
	u8 op, space, lg;
	u64 addr;
	bool ok;
};

/* An access must lie inside the window: the last byte too. */
static void test_local_bounds(void)
{
	static const struct bounds_case tcases[] = {
		{ VSVM_OP_LD, VSVM_SPACE_SHARED, 2, 60, true },
		{ VSVM_OP_LD, VSVM_SPACE_SHARED, 2, 61, false },
		{ VSVM_OP_LD, VSVM_SPACE_SHARED, 0, 64, false },
		{ VSVM_OP_LD, VSVM_SPACE_SHARED, 4, ~0ull - 7, false },
		{ VSVM_OP_ST, VSVM_SPACE_SHARED, 4, 48, true },
		{ VSVM_OP_ST, VSVM_SPACE_SHARED, 4, 49, false },
		{ VSVM_OP_ST, VSVM_SPACE_SHARED, 3, 1ull << 32, false },
		{ VSVM_OP_ATOM, VSVM_SPACE_SHARED, 3, 56, true },
		{ VSVM_OP_ATOM, VSVM_SPACE_SHARED, 3, 64, false },
		{ VSVM_OP_LD, VSVM_SPACE_SCRATCH, 3, 8, true },
		{ VSVM_OP_LD, VSVM_SPACE_SCRATCH, 3, 9, false },
		{ VSVM_OP_ST, VSVM_SPACE_SCRATCH, 0, 16, false },
		{ VSVM_OP_ATOM, VSVM_SPACE_SCRATCH, 2, 12, true },
		{ VSVM_OP_ATOM, VSVM_SPACE_SCRATCH, 2, 16, false },
	};
	const u32 grid[3] = { 1, 1, 1 }, size[3] = { 32, 1, 1 }, id[3] = { 0, 0, 0 };
	struct vsvm_mmu mmu = { 0 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tcases); i++) {
		const struct bounds_case *c = &tcases[i];
		struct vsvm_prog *prog;
		u32 access;
		struct wg g;

		prog = prog1(c->op, c->op == VSVM_OP_ST ? 0 : 3, 1, c->op == VSVM_OP_LD ? 0 : 2, 0,
			     MOD_MEM(c->lg, c->space, 0),
			     c->op == VSVM_OP_ATOM ? VSVM_ATOMIC_ADD : 0, 0, 0);
		if (!prog)
			return;
		wg_init(&g, prog, &mmu, grid, size, id, 64, 16);
		/* Lane 7 makes the access; the others stay at offset 0. */
		wg_set(&g, 0, 1, 7, c->addr);
		if (c->ok) {
			CHECK(wg_run(&g, 100, NULL, NULL) == VSVM_STOP_DONE, "case %zu", i);
		} else {
			access = c->op == VSVM_OP_LD ? DRM_VSVM_ACCESS_READ :
				 c->op == VSVM_OP_ST ? DRM_VSVM_ACCESS_WRITE :
				 DRM_VSVM_ACCESS_ATOMIC | DRM_VSVM_ACCESS_WRITE;
			access |= c->space == VSVM_SPACE_SHARED ? DRM_VSVM_ACCESS_SHARED :
				  DRM_VSVM_ACCESS_SCRATCH;
			CHECK(wg_run(&g, 100, NULL, NULL) == VSVM_STOP_ERROR, "case %zu", i);
			CHECK(g.ctx.status == DRM_VSVM_STATUS_UNMAPPED, "case %zu: status %u", i,
			      g.ctx.status);
			CHECK(g.ctx.fault_addr == c->addr, "case %zu: addr 0x%llx", i,
			      (unsigned long long)g.ctx.fault_addr);
			CHECK(g.ctx.fault_access == access, "case %zu: access 0x%x", i,
			      g.ctx.fault_access);
			CHECK_EQ(g.ctx.fault_pc, 16);
			CHECK_EQ(g.waves[0].pc, 1);
		}
		wg_free(&g);
		free(prog);
	}
}

/*
 * The fault-and-retry contract: the wave stops before the instruction
 * retires, with the completed lanes in mem_done; after the page is mapped
 * the retry completes the others only, so an atomic adds exactly once per
 * lane, and a lane whose result register is also its operand is not redone
 * with the new value.
 */
static void test_fault_retry_atomic(void)
{
	unsigned int lg, alias;

	for (lg = 2; lg <= 3; lg++) {
		for (alias = 0; alias <= 1; alias++) {
			unsigned int size = 1u << lg;
			u8 d = alias ? 2 : 5;
			u64 old[32], va[32], add[32];
			struct vsvm_mmu mmu;
			struct vsvm_prog *prog;
			struct wg g;
			u32 l;

			mmu_setup(&mmu);
			prog = prog1(VSVM_OP_ATOM, d, 1, 2, 0, MOD_MEM(lg, 0, 0),
				     VSVM_ATOMIC_ADD, 0, 0);
			if (!prog)
				return;
			wg_init1(&g, prog, &mmu, 32);
			for (l = 0; l < 32; l++) {
				va[l] = (l < 5 ? P0 : P3) + size * 3 * l;
				old[l] = host_load(&mmu, va[l], size);
				add[l] = 0x100000001ull * (l + 1);
				wg_set(&g, 0, 1, l, va[l]);
				wg_set(&g, 0, 2, l, add[l]);
			}
			CHECK_EQ(vsvm_interp_run(&g.ctx, &g.waves[0], 100), VSVM_STOP_FAULT);
			CHECK_EQ(g.ctx.fault_addr, va[5]);
			CHECK_EQ(g.ctx.fault_access,
				 DRM_VSVM_ACCESS_ATOMIC | DRM_VSVM_ACCESS_WRITE);
			CHECK_EQ(g.ctx.fault_pc, 16);
			CHECK_EQ(g.waves[0].pc, 1);
			CHECK_EQ(g.waves[0].mem_done, 0x1f);
			CHECK_EQ(g.waves[0].exec, U32_MAX);
			CHECK_EQ(g.waves[0].state, VSVM_WAVE_RUNNING);
			CHECK_EQ(g.ctx.insns, 1);	/* the NOP only */

			/* A retry without servicing faults again, at the same lane. */
			CHECK_EQ(vsvm_interp_run(&g.ctx, &g.waves[0], 100), VSVM_STOP_FAULT);
			CHECK_EQ(g.ctx.fault_addr, va[5]);
			CHECK_EQ(g.waves[0].mem_done, 0x1f);

			mmu_find(&mmu, P3)->mapped = true;
			CHECK_EQ(vsvm_interp_run(&g.ctx, &g.waves[0], 100), VSVM_STOP_DONE);
			CHECK_EQ(g.waves[0].mem_done, 0);
			CHECK_EQ(g.ctx.insns, 4);
			for (l = 0; l < 32; l++) {
				u64 mask = size == 8 ? ~0ull : 0xffffffffull;

				CHECK(host_load(&mmu, va[l], size) == ((old[l] + add[l]) & mask),
				      "size %u lane %u: added more than once", size, l);
				CHECK(wg_get(&g, 0, d, l) == old[l], "size %u lane %u: old value",
				      size, l);
			}
			wg_free(&g);
			free(prog);
			mmu_reset(&mmu);
		}
	}
}

/* LD r1 <- [r1]: the completed lanes must not load again from their result. */
static void test_fault_retry_load_alias(void)
{
	struct vsvm_mmu mmu;
	struct vsvm_prog *prog;
	u64 va[32], want[32];
	struct wg g;
	u32 l;

	mmu_setup(&mmu);
	prog = prog1(VSVM_OP_LD, 1, 1, 0, 0, MOD_MEM(3, 0, 0), 0, 0, 0);
	if (!prog)
		return;
	wg_init1(&g, prog, &mmu, 32);
	for (l = 0; l < 32; l++) {
		va[l] = (l < 9 ? P0 : P3) + 8 * l;
		want[l] = host_load(&mmu, va[l], 8);
		wg_set(&g, 0, 1, l, va[l]);
	}
	CHECK_EQ(wg_run(&g, 50, map_faulting_page, NULL), VSVM_STOP_DONE);
	CHECK_EQ(g.faults, 1);
	for (l = 0; l < 32; l++)
		CHECK(wg_get(&g, 0, 1, l) == want[l], "lane %u", l);
	wg_free(&g);
	free(prog);
	mmu_reset(&mmu);
}

/* Stores to a read-only page fault as writes and change nothing. */
static void test_fault_read_only(void)
{
	static const struct {
		u8 op, lg;
		u64 va;
		u64 fault_addr;
		u32 access;
	} tcases[] = {
		{ VSVM_OP_ST, 2, P2 + 8, P2 + 8, DRM_VSVM_ACCESS_WRITE },
		{ VSVM_OP_ATOM, 2, P2 + 8, P2 + 8, DRM_VSVM_ACCESS_ATOMIC | DRM_VSVM_ACCESS_WRITE },
		/* Straddling: the P1 half must not be written either. */
		{ VSVM_OP_ST, 3, P2 - 4, P2, DRM_VSVM_ACCESS_WRITE },
		{ VSVM_OP_ST, 4, P2 - 1, P2, DRM_VSVM_ACCESS_WRITE },
		{ VSVM_OP_LD, 3, P3 - 4, P3, DRM_VSVM_ACCESS_READ },
		{ VSVM_OP_LD, 2, PX + 4, PX + 4, DRM_VSVM_ACCESS_READ },
		{ VSVM_OP_LD, 4, P0 - 8, P0 - 8, DRM_VSVM_ACCESS_READ },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tcases); i++) {
		struct vsvm_mmu mmu;
		struct vsvm_prog *prog;
		u8 *before = malloc(3 * PAGE_BYTES);
		struct wg g;

		mmu_setup(&mmu);
		memcpy(before, mmu_host(&mmu, P0), PAGE_BYTES);
		memcpy(before + PAGE_BYTES, mmu_host(&mmu, P1), PAGE_BYTES);
		memcpy(before + 2 * PAGE_BYTES, mmu_host(&mmu, P2), PAGE_BYTES);
		prog = prog1(tcases[i].op, tcases[i].op == VSVM_OP_ST ? 0 : 4, 1,
			     tcases[i].op == VSVM_OP_LD ? 0 : 2, 0, MOD_MEM(tcases[i].lg, 0, 0),
			     tcases[i].op == VSVM_OP_ATOM ? VSVM_ATOMIC_XCHG : 0, 0, 0);
		if (!prog)
			return;
		wg_init1(&g, prog, &mmu, 1);
		wg_set(&g, 0, 1, 0, tcases[i].va);
		if (tcases[i].op != VSVM_OP_LD) {
			wg_set(&g, 0, 2, 0, ~0ull);
			if (tcases[i].lg == 4)
				wg_set(&g, 0, 3, 0, ~0ull);
		}
		CHECK(wg_run(&g, 100, NULL, NULL) == VSVM_STOP_FAULT, "case %zu", i);
		CHECK(g.ctx.fault_addr == tcases[i].fault_addr, "case %zu: addr 0x%llx", i,
		      (unsigned long long)g.ctx.fault_addr);
		CHECK(g.ctx.fault_access == tcases[i].access, "case %zu: access 0x%x", i,
		      g.ctx.fault_access);
		CHECK(!memcmp(before, mmu_host(&mmu, P0), PAGE_BYTES) &&
		      !memcmp(before + PAGE_BYTES, mmu_host(&mmu, P1), PAGE_BYTES) &&
		      !memcmp(before + 2 * PAGE_BYTES, mmu_host(&mmu, P2), PAGE_BYTES),
		      "case %zu: memory changed", i);
		if (tcases[i].op != VSVM_OP_ST)
			CHECK_EQ(wg_get(&g, 0, 4, 0), 0);
		wg_free(&g);
		free(prog);
		free(before);
		mmu_reset(&mmu);
	}
}

/* Atomics with lanes sharing addresses, against sequential lane order. */
static u64 ref_atomic(u8 sub, bool w64, u64 old, u64 b, u64 c)
{
	u64 mask = w64 ? ~0ull : 0xffffffffull;
	s64 so = w64 ? (s64)old : (s32)old, sb = w64 ? (s64)b : (s32)b;

	old &= mask;
	b &= mask;
	c &= mask;
	switch (sub) {
	case VSVM_ATOMIC_ADD:
		return (old + b) & mask;
	case VSVM_ATOMIC_SMIN:
		return (u64)(so < sb ? so : sb) & mask;
	case VSVM_ATOMIC_SMAX:
		return (u64)(so > sb ? so : sb) & mask;
	case VSVM_ATOMIC_UMIN:
		return old < b ? old : b;
	case VSVM_ATOMIC_UMAX:
		return old > b ? old : b;
	case VSVM_ATOMIC_AND:
		return old & b;
	case VSVM_ATOMIC_OR:
		return old | b;
	case VSVM_ATOMIC_XOR:
		return old ^ b;
	case VSVM_ATOMIC_XCHG:
		return b;
	default:
		return old == c ? b : old;
	}
}

static void atomic_case(unsigned int sub, unsigned int lg, unsigned int space, bool full)
{
	static const u64 vals[] = {
		0, 1, 5, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
		0x8000000000000000ull, ~0ull, 0x7fffffffffffffffull,
	};
	const u32 grid[3] = { 1, 1, 1 }, size[3] = { 32, 1, 1 }, id[3] = { 0, 0, 0 };
	u64 mask = lg == 3 ? ~0ull : 0xffffffffull;
	u64 init[40], val[40], b[32], c[32], want_old[32];
	u32 sid[32], l, s, exec;
	struct vsvm_prog *prog;
	struct vsvm_mmu mmu;
	u8 *host[40];
	struct wg g;

	mmu_setup(&mmu);
	prog = prog1(VSVM_OP_ATOM, 4, 1, 2, sub == VSVM_ATOMIC_CMPXCHG ? 3 : 0,
		     MOD_MEM(lg, space, 0), sub, 0x10, 0);
	if (!prog)
		return;
	wg_init(&g, prog, &mmu, grid, size, id, 256, 128);
	exec = full ? U32_MAX : (u32)rng_u64();
	g.waves[0].exec = exec;

	/* Slots 0..7 shared by lanes (global, shared); 8 + L: lane L's scratch. */
	for (s = 0; s < 40; s++) {
		init[s] = rng_below(3) ? vals[rng_below(10)] : rng_u64();
		val[s] = init[s];
		if (space == VSVM_SPACE_SCRATCH)
			host[s] = s < 8 ? NULL : g.scratch + 128 * (s - 8) + 0x40;
		else if (s >= 8)
			host[s] = NULL;
		else if (space == VSVM_SPACE_GLOBAL)
			host[s] = mmu_host(&mmu, P1 + 0x40 + 8 * s);
		else
			host[s] = g.shared + 0x40 + 8 * s;
		if (host[s])
			memcpy(host[s], &init[s], 8);
	}
	for (l = 0; l < 32; l++) {
		sid[l] = space == VSVM_SPACE_SCRATCH ? 8 + l : rng_below(8);
		b[l] = rng_below(2) ? vals[rng_below(10)] : rng_u64();
		c[l] = rng_below(2) ? init[sid[l]] : b[l];
		wg_set(&g, 0, 1, l, (space == VSVM_SPACE_GLOBAL ? P1 : 0) + 0x40 +
				      (space == VSVM_SPACE_SCRATCH ? 0 : 8 * sid[l]) - 0x10);
		wg_set(&g, 0, 2, l, b[l]);
		if (sub == VSVM_ATOMIC_CMPXCHG)
			wg_set(&g, 0, 3, l, c[l]);
	}
	/* The reference, one lane after the other. */
	for (l = 0; l < 32; l++) {
		if (!(exec >> l & 1))
			continue;
		want_old[l] = val[sid[l]] & mask;
		val[sid[l]] = (val[sid[l]] & ~mask) |
			      ref_atomic(sub, lg == 3, val[sid[l]], b[l], c[l]);
	}
	if (CHECK_EQ(wg_run(&g, 100, NULL, NULL), VSVM_STOP_DONE)) {
		for (s = 0; s < 40; s++) {
			u64 m;

			if (!host[s])
				continue;
			memcpy(&m, host[s], 8);
			CHECK(m == val[s], "sub %u size %u space %u slot %u: 0x%llx, want 0x%llx",
			      sub, 1u << lg, space, s, (unsigned long long)m,
			      (unsigned long long)val[s]);
		}
		for (l = 0; l < 32; l++)
			CHECK(wg_get(&g, 0, 4, l) == (exec >> l & 1 ? want_old[l] : 0),
			      "sub %u size %u space %u lane %u: old value", sub, 1u << lg,
			      space, l);
	}
	wg_free(&g);
	free(prog);
	mmu_reset(&mmu);
}

static void test_atomics(void)
{
	unsigned int sub, lg, space, round;

	for (sub = 0; sub < VSVM_ATOMIC_COUNT; sub++)
		for (lg = 2; lg <= 3; lg++)
			for (space = 0; space <= 2; space++)
				for (round = 0; round < 4; round++)
					atomic_case(sub, lg, space, !round);
}

/* Atomics must be naturally aligned, in every space. */
static void test_atomic_misaligned(void)
{
	static const struct {
		u8 lg, space;
		u64 addr;
		u32 access;
	} tcases[] = {
		{ 2, VSVM_SPACE_GLOBAL, P0 + 0x102, 0 },
		{ 3, VSVM_SPACE_GLOBAL, P0 + 0x104, 0 },
		{ 3, VSVM_SPACE_GLOBAL, P0 + 0xfff, 0 },
		{ 2, VSVM_SPACE_SHARED, 0x21, DRM_VSVM_ACCESS_SHARED },
		{ 3, VSVM_SPACE_SCRATCH, 0x4, DRM_VSVM_ACCESS_SCRATCH },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tcases); i++) {
		struct vsvm_prog *prog;
		struct vsvm_mmu mmu;
		struct wg g;
		u32 l;

		mmu_setup(&mmu);
		prog = prog1(VSVM_OP_ATOM, 4, 1, 2, 0, MOD_MEM(tcases[i].lg, tcases[i].space, 0),
			     VSVM_ATOMIC_ADD, 0, 0);
		if (!prog)
			return;
		wg_init1(&g, prog, &mmu, 32);
		for (l = 0; l < 32; l++)
			wg_set(&g, 0, 1, l, l == 3 ? tcases[i].addr : tcases[i].space ? 0 : P0);
		CHECK(wg_run(&g, 100, NULL, NULL) == VSVM_STOP_ERROR, "case %zu", i);
		CHECK_EQ(g.ctx.status, DRM_VSVM_STATUS_MISALIGNED);
		CHECK_EQ(g.ctx.fault_addr, tcases[i].addr);
		CHECK_EQ(g.ctx.fault_access,
			 DRM_VSVM_ACCESS_ATOMIC | DRM_VSVM_ACCESS_WRITE | tcases[i].access);
		CHECK_EQ(g.ctx.fault_pc, 16);
		wg_free(&g);
		free(prog);
		mmu_reset(&mmu);
	}
}

/* One translation serves every lane on the page, and later instructions. */
static void test_xlate_reuse(void)
{
	struct vsvm_mmu mmu;
	struct vsvm_prog *prog;
	struct code code;
	struct wg g;
	u32 l;

	mmu_setup(&mmu);
	code_init(&code);
	e_ld(&code, 2, 1, 0, MOD_MEM(2, 0, 0));		/* 32 x 4 bytes, one page */
	e_ld(&code, 3, 1, 4, MOD_MEM(2, 0, 0));		/* same page */
	e_st(&code, 1, 2, 0, MOD_MEM(2, 0, 0));		/* first write translation */
	e_st(&code, 1, 3, 0x80, MOD_MEM(2, 0, 0));
	e_ld(&code, 4, 1, 0xf80, MOD_MEM(3, 0, 0));	/* P0 end and P1 start */
	e_op(&code, VSVM_OP_END);
	prog = decode_ok(&code, 0);
	code_free(&code);
	if (!prog)
		return;
	wg_init1(&g, prog, &mmu, 32);
	for (l = 0; l < 32; l++)
		wg_set(&g, 0, 1, l, P0 + 4 * l);
	CHECK_EQ(vsvm_interp_run(&g.ctx, &g.waves[0], 100), VSVM_STOP_DONE);
	/* P0 read, P0 write, P1 read. */
	CHECK_EQ(mmu.xlate_calls, 3);
	wg_free(&g);
	free(prog);
	mmu_reset(&mmu);
}

/*
 * Translations are kept per access kind: a read translation of a read-only
 * page must not serve a later store. And an access that ends exactly at a
 * page end does not touch the next page, which here is unmapped.
 */
static void test_xlate_kinds(void)
{
	struct vsvm_mmu mmu;
	struct vsvm_prog *prog;
	struct code code;
	struct wg g;
	u8 before[16];

	mmu_setup(&mmu);
	code_init(&code);
	e_ld(&code, 2, 1, 0xff0, MOD_MEM(4, 0, 0));	/* P2's last 16 bytes */
	e_st(&code, 1, 2, 0xff8, MOD_MEM(3, 0, 0));	/* read-only: must fault */
	e_op(&code, VSVM_OP_END);
	prog = decode_ok(&code, 0);
	code_free(&code);
	if (!prog)
		return;
	wg_init1(&g, prog, &mmu, 1);
	wg_set(&g, 0, 1, 0, P2);
	memcpy(before, mmu_host(&mmu, P2 + 0xff0), 16);
	CHECK_EQ(wg_run(&g, 100, NULL, NULL), VSVM_STOP_FAULT);
	CHECK_EQ(g.ctx.fault_addr, P2 + 0xff8);
	CHECK_EQ(g.ctx.fault_access, DRM_VSVM_ACCESS_WRITE);
	CHECK_EQ(g.ctx.fault_pc, 16);
	CHECK(!memcmp(before, mmu_host(&mmu, P2 + 0xff0), 16), "read-only page written");
	CHECK_EQ(wg_get(&g, 0, 2, 0), host_load(&mmu, P2 + 0xff0, 8));
	CHECK_EQ(wg_get(&g, 0, 3, 0), host_load(&mmu, P2 + 0xff8, 8));
	wg_free(&g);
	free(prog);
	mmu_reset(&mmu);
}

/*
 * The coalesced path of LD and ST against a per-lane model: run shapes that
 * take it (contiguous, ascending, one page, full or partial wave) and shapes
 * that must not (page crossing, by one byte too, reversed, duplicates, one
 * lane out of the run, one lane 4 GiB away from it, a run reaching an
 * unmapped or read-only page, low halves of the base registers that wrap
 * under equal high halves), and a run whose base registers cross a 4 GiB
 * line while the addresses do not, with the registers, the memory of P0..P3
 * and, on a fault, its address and the lanes already done, checked byte for
 * byte.
 */
enum coal_shape {
	COAL_FULL,
	COAL_PARTIAL,
	COAL_PARTIAL_EDGE,
	COAL_CROSS,
	COAL_CROSS1,
	COAL_END,
	COAL_LAST_OFF,
	COAL_REVERSED,
	COAL_DUP,
	COAL_UNMAPPED,
	COAL_HIGH,
	COAL_WRAP,
	COAL_WRAP_LOW,
	COAL_SHAPES
};

/* Whether lane access [@va, @va + @size) can proceed; else the failing address. */
static bool coal_ok(struct vsvm_mmu *mmu, u64 va, unsigned int size, bool store, u64 *bad)
{
	u64 pg[2] = { va & ~(u64)(PAGE_BYTES - 1), (va + size - 1) & ~(u64)(PAGE_BYTES - 1) };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct mock_page *p = mmu_find(mmu, pg[i]);

		if (!p || !p->mapped || (store && p->read_only)) {
			*bad = i ? pg[1] : va;
			return false;
		}
	}
	return true;
}

static void coal_case(unsigned int lg, bool store, unsigned int shape)
{
	unsigned int size = 1u << lg, l, i, nregs = size == 16 ? 2 : 1;
	u64 imm = rng_below(2) ? 0 : (u64)-24, va[32], base, want_fault = 0;
	u64 reg[2][32], want[2][32];
	u32 exec = U32_MAX, want_done = 0;
	bool fault = false;
	struct vsvm_prog *prog;
	struct vsvm_mmu mmu;
	u8 *image = malloc(4 * PAGE_BYTES);
	struct wg g;

	mmu_setup(&mmu);
	switch (shape) {
	case COAL_FULL:
	case COAL_PARTIAL:
		base = P0 + rng_below(PAGE_BYTES - 32 * size + 1);
		break;
	case COAL_PARTIAL_EDGE:
		/* Lanes 0-7 would be in P0: off, so the rest are in P1. */
		base = P1 - 8 * size;
		exec = 0xffffff00;
		break;
	case COAL_CROSS:
		base = P1 - 7 * size - size / 2;
		break;
	case COAL_CROSS1:
		/* The run's last byte is P1's first. */
		base = P1 - 32 * size + 1;
		break;
	case COAL_END:
		/* The run's last byte is P0's last. */
		base = P1 - 32 * size;
		break;
	case COAL_UNMAPPED:
		/* Loads: from read-only P2 into unmapped P3; stores: P1 into P2. */
		base = (store ? P2 : P3) - 9 * size - size / 2;
		break;
	default:
		base = P0 + 64 + rng_below(PAGE_BYTES - 64 * size);
		break;
	}
	if (shape == COAL_PARTIAL)
		exec = (u32)rng_u64() | 1u << rng_below(32);
	/*
	 * COAL_WRAP: the registers cross 4 GiB at lane 16, the offset brings
	 * them back. COAL_WRAP_LOW: all high halves are 0, the low halves wrap.
	 */
	if (shape == COAL_WRAP || shape == COAL_WRAP_LOW)
		imm = base + 16 * size - (1ull << 32);
	for (l = 0; l < 32; l++) {
		switch (shape) {
		case COAL_REVERSED:
			va[l] = base + (31 - l) * size;
			break;
		case COAL_DUP:
			va[l] = base + l / 2 * size;
			break;
		case COAL_LAST_OFF:
			/* Contiguous but for the last lane, which repeats lane 0. */
			va[l] = base + (l == 31 ? 0 : l * size);
			break;
		case COAL_HIGH:
			/* Lane 7's low half is in the run, its high half is not. */
			va[l] = base + l * size + (l == 7 ? 1ull << 32 : 0);
			break;
		case COAL_WRAP_LOW:
			/* With the offset below, lanes 16-31 land 4 GiB under the run. */
			va[l] = base + l * size - (l >= 16 ? 1ull << 32 : 0);
			break;
		default:
			va[l] = base + l * size;
			break;
		}
		/* Inactive lanes: any address, even one with no page. */
		if (!(exec >> l & 1))
			va[l] = PX + rng_below(64);
	}

	prog = store ? prog1(VSVM_OP_ST, 0, 1, 5, 0, MOD_MEM(lg, 0, 0), 0, imm, 0) :
		       prog1(VSVM_OP_LD, 5, 1, 0, 0, MOD_MEM(lg, 0, lg <= 2 && rng_below(2)),
			     0, imm, 0);
	if (!prog)
		goto out;
	wg_init1(&g, prog, &mmu, 32);
	g.waves[0].exec = exec;
	memcpy(image, mmu_host(&mmu, P0), PAGE_BYTES);
	memcpy(image + PAGE_BYTES, mmu_host(&mmu, P1), PAGE_BYTES);
	memcpy(image + 2 * PAGE_BYTES, mmu_host(&mmu, P2), PAGE_BYTES);
	memcpy(image + 3 * PAGE_BYTES, mmu_host(&mmu, P3), PAGE_BYTES);
	for (l = 0; l < 32; l++) {
		wg_set(&g, 0, 1, l, va[l] - imm);
		for (i = 0; i < nregs; i++) {
			reg[i][l] = rng_u64();
			want[i][l] = reg[i][l];
			wg_set(&g, 0, 5 + i, l, reg[i][l]);
		}
	}

	/* The model: lanes in order, stopping at the first that cannot proceed. */
	for (l = 0; l < 32 && !fault; l++) {
		if (!(exec >> l & 1))
			continue;
		if (!coal_ok(&mmu, va[l], size, store, &want_fault)) {
			fault = true;
			break;
		}
		want_done |= 1u << l;
		for (i = 0; i < nregs; i++) {
			unsigned int n = size > 8 ? 8 : size;

			if (store) {
				unsigned int b;

				for (b = 0; b < n; b++)
					image[va[l] + 8 * i - P0 + b] = reg[i][l] >> (8 * b);
			} else {
				want[i][l] = host_load(&mmu, va[l] + 8 * i, n);
				if (prog->insns[1].mod & VSVM_MOD_SIGNED)
					want[i][l] = sext(want[i][l], size);
			}
		}
	}

	if (CHECK_EQ(wg_run(&g, 100, NULL, NULL), fault ? VSVM_STOP_FAULT : VSVM_STOP_DONE)) {
		if (fault) {
			CHECK_EQ(g.ctx.fault_addr, want_fault);
			CHECK_EQ(g.ctx.fault_access,
				 store ? DRM_VSVM_ACCESS_WRITE : DRM_VSVM_ACCESS_READ);
			CHECK_EQ(g.waves[0].mem_done, want_done);
		}
		for (l = 0; l < 32; l++) {
			CHECK(wg_get(&g, 0, 1, l) == va[l] - imm, "address lane %u", l);
			for (i = 0; i < nregs; i++)
				CHECK(wg_get(&g, 0, 5 + i, l) == want[i][l],
				      "size %u %s shape %u exec 0x%08x: r%u lane %u = 0x%llx, want 0x%llx",
				      size, store ? "st" : "ld", shape, exec, 5 + i, l,
				      (unsigned long long)wg_get(&g, 0, 5 + i, l),
				      (unsigned long long)want[i][l]);
		}
		for (i = 0; i < 4; i++)
			CHECK(!memcmp(image + i * PAGE_BYTES, mmu_host(&mmu, P0 + i * PAGE_BYTES),
				      PAGE_BYTES),
			      "size %u st shape %u exec 0x%08x: page P%u differs", size, shape,
			      exec, i);
	}
	wg_free(&g);
	free(prog);
out:
	free(image);
	CHECK_EQ(mmu.bad_calls, 0);
	mmu_reset(&mmu);
}

static void test_coalesced(void)
{
	unsigned int lg, store, shape, round;

	for (lg = 0; lg <= 4; lg++)
		for (store = 0; store < 2; store++)
			for (shape = 0; shape < COAL_SHAPES; shape++)
				for (round = 0; round < 4; round++)
					coal_case(lg, store, shape);
}

/* LDARG reads once and gives every active lane the value. */
static void test_ldarg(void)
{
	const u64 args_va = P2 - 8;	/* 8 bytes in P1, the rest in P2 */
	struct vsvm_prog *prog;
	struct vsvm_mmu mmu;
	struct code code;
	struct wg g;
	u32 w, l, r;
	u64 a0, a1, want[6];

	mmu_setup(&mmu);
	code_init(&code);
	emit(&code, VSVM_OP_LDARG, 1, 0, 0, 0, 4, 0, 0, 0);	/* 16 bytes, straddling */
	emit(&code, VSVM_OP_LDARG, 3, 0, 0, 0, 2 | VSVM_MOD_SIGNED, 0, 0, 4);
	emit(&code, VSVM_OP_LDARG, 4, 0, 0, 0, 0, 0, 0, 31);
	emit(&code, VSVM_OP_LDARG, 5, 0, 0, 0, 1 | VSVM_MOD_SIGNED, 0, 0, 30);
	emit(&code, VSVM_OP_LDARG, 6, 0, 0, 0, 3, 0, 0, 16);
	e_op(&code, VSVM_OP_END);
	prog = decode_ok(&code, 32);
	code_free(&code);
	if (!prog)
		return;
	wg_init1(&g, prog, &mmu, 40);
	g.ctx.args_va = args_va;
	g.ctx.args_size = 32;
	g.waves[0].exec = 0xf0f0f0f0;
	mmu_host(&mmu, args_va + 7)[0] = 0x80;	/* r3's sign */
	a0 = host_load(&mmu, args_va, 8);
	a1 = host_load(&mmu, args_va + 8, 8);
	CHECK_EQ(wg_run(&g, 100, NULL, NULL), VSVM_STOP_DONE);
	want[0] = a0;
	want[1] = a1;
	want[2] = sext(host_load(&mmu, args_va + 4, 4), 4);
	want[3] = host_load(&mmu, args_va + 31, 1);
	want[4] = sext(host_load(&mmu, args_va + 30, 2), 2);
	want[5] = host_load(&mmu, args_va + 16, 8);
	for (w = 0; w < 2; w++) {
		for (l = 0; l < 32; l++) {
			bool on = w ? l < 8 : 0xf0f0f0f0u >> l & 1;

			for (r = 0; r < 6; r++)
				CHECK(wg_get(&g, w, r + 1, l) == (on ? want[r] : 0),
				      "wave %u lane %u r%u", w, l, r + 1);
		}
	}
	CHECK(wg_get(&g, 0, 3, 4) >> 63, "LDARG sign extension");
	wg_free(&g);

	/* Unmapped argument buffer: a read fault at the argument. */
	wg_init1(&g, prog, &mmu, 32);
	g.ctx.args_va = P3 - 8;
	g.ctx.args_size = 32;
	CHECK_EQ(wg_run(&g, 100, NULL, NULL), VSVM_STOP_FAULT);
	CHECK_EQ(g.ctx.fault_addr, P3);
	CHECK_EQ(g.ctx.fault_access, DRM_VSVM_ACCESS_READ);
	CHECK_EQ(g.ctx.fault_pc, 0);
	CHECK_EQ(wg_run(&g, 100, map_faulting_page, NULL), VSVM_STOP_DONE);
	CHECK_EQ(wg_get(&g, 0, 2, 31), host_load(&mmu, P3, 8));
	wg_free(&g);
	free(prog);
	mmu_reset(&mmu);
}

const struct test mem_tests[] = {
	{ "mem-ld-global", test_ld_global },
	{ "mem-st-global", test_st_global },
	{ "mem-local-spaces", test_local_spaces },
	{ "mem-local-bounds", test_local_bounds },
	{ "mem-fault-retry-atomic", test_fault_retry_atomic },
	{ "mem-fault-retry-load-alias", test_fault_retry_load_alias },
	{ "mem-fault-kinds", test_fault_read_only },
	{ "mem-atomics", test_atomics },
	{ "mem-atomic-misaligned", test_atomic_misaligned },
	{ "mem-xlate-reuse", test_xlate_reuse },
	{ "mem-xlate-kinds", test_xlate_kinds },
	{ "mem-ldarg", test_ldarg },
	{ "mem-coalesced", test_coalesced },
	{ NULL, NULL },
};
