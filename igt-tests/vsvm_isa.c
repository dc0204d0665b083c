// SPDX-License-Identifier: MIT
/*
 * Conformance of the vsvm instruction set (docs/isa.md) on the device. Every
 * instruction class runs on many lanes at once, with inputs from a fixed seed
 * plus a table of edge cases, and each lane's result is compared bit for bit
 * with a reference computed here on the CPU from the rules of docs/isa.md.
 * The references are written from the manual, not from the driver, and the
 * documented examples are also checked against hard-coded values.
 *
 * Instructions under test are emitted as raw words (".word") so that the
 * test controls every field, including immediates with garbage in the bits
 * a 32-bit operation must ignore; the code around them is assembled.
 * Register use: r0-r6 belong to VSVM_LANES_PROLOGUE (r1 input record, r2
 * output record), r8-r9 are scratch, r10-r15 hold inputs and r20 up results.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "igt.h"
#include "vsvm_lib.h"

#ifndef HAVE_VSVM_ASM
#error "vsvm_isa needs the shader assembler (tools/vsvm-as/vsvm_asm.c)"
#endif

IGT_TEST_DESCRIPTION("vsvm ISA conformance: every instruction class checked "
		     "on the device against a CPU reference, with edge cases, "
		     "faults, traps and rejected encodings.");

#define PAGE		4096ull

/* The runner's data BO: lane records below 4 MiB, test areas above. */
#define DATA_SIZE	(8ull << 20)
#define AREA_OFF	(6ull << 20)

/* MEM_PAGES single-page BOs bound back to back, for page-crossing accesses. */
#define MEM_ADDR	0x40000000ull
#define MEM_PAGES	16
#define MEM_SIZE	(MEM_PAGES * PAGE)
/* One page with nothing bound after it. */
#define FAULT_ADDR	0x50000000ull
/* A writable page followed by a read-only one. */
#define RO_ADDR		0x51000000ull
/* Two pages for an argument buffer that crosses a page boundary. */
#define ARGX_ADDR	0x52000000ull
/* Never bound. */
#define UNBOUND_ADDR	0x60000000ull

/* Initial contents of output records and of registers a test expects kept. */
#define POISON		0xa5a5a5a5a5a5a5a5ull
#define GARBAGE		0xdeadbeefcafef00dull

#define F32_SIGN	0x80000000u
#define F32_QUIET	0x00400000u
#define F32_INF		0x7f800000u
#define F32_QNAN	0x7fc00000u

#define MOD_MEM(log2size, sign, space) \
	((log2size) | ((sign) ? VSVM_MOD_SIGNED : 0) | \
	 ((space) << VSVM_MOD_SPACE_SHIFT))

/* vsvm_insn_word0() as a constant expression, for static tables. */
#define W0(op, d, a, b, c, mod, sub, fl) \
	((uint64_t)(op) << VSVM_W0_OP_SHIFT | \
	 (uint64_t)(d) << VSVM_W0_DST_SHIFT | \
	 (uint64_t)(a) << VSVM_W0_SRC0_SHIFT | \
	 (uint64_t)(b) << VSVM_W0_SRC1_SHIFT | \
	 (uint64_t)(c) << VSVM_W0_SRC2_SHIFT | \
	 (uint64_t)(mod) << VSVM_W0_MOD_SHIFT | \
	 (uint64_t)(sub) << VSVM_W0_SUB_SHIFT | \
	 (uint64_t)(fl) << VSVM_W0_FLAGS_SHIFT)

static int fd = -1;
static struct vsvm_runner *runner;
static bool have_debugfs;
static uint32_t mem_bo[MEM_PAGES];
static uint8_t *mem_cpu[MEM_PAGES];
static uint32_t fault_bo, ro_bo[2], argx_bo;
static uint8_t *fault_cpu, *ro_cpu[2], *argx_cpu;

/*
 * Random inputs: splitmix64, seeded from the subtest's name so that each
 * (dynamic) subtest sees the same inputs whether run alone or with others.
 */
static uint64_t rng;

static void seed(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (*name)
		h = (h ^ (uint8_t)*name++) * 0x100000001b3ull;
	rng = h;
}

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void fill_random(void *p, size_t len)
{
	uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		b[i] = rnd();
}

static void fill_u64(uint64_t *p, size_t n, uint64_t v)
{
	for (size_t i = 0; i < n; i++)
		p[i] = v;
}

static void *xmalloc(size_t size)
{
	void *p = malloc(size);

	igt_assert_f(p, "out of memory for %zu bytes\n", size);
	return p;
}

/* Shader source, built line by line. */
struct src {
	char *buf;
	size_t len, cap;
};

static void __attribute__((format(printf, 2, 3)))
emit(struct src *s, const char *fmt, ...)
{
	size_t need = 256;
	va_list ap;
	int n;

	for (;;) {
		if (s->cap - s->len < need) {
			s->cap = s->len + need + s->cap;
			s->buf = realloc(s->buf, s->cap);
			igt_assert(s->buf);
		}
		va_start(ap, fmt);
		n = vsnprintf(s->buf + s->len, s->cap - s->len, fmt, ap);
		va_end(ap);
		igt_assert(n >= 0);
		if ((size_t)n < s->cap - s->len)
			break;
		need = n + 1;
	}
	s->len += n;
}

/* One instruction with every field given, as the assembler's ".word". */
static void emit_raw(struct src *s, uint8_t op, uint8_t d, uint8_t a,
		     uint8_t b, uint8_t c, uint8_t mod, uint8_t sub,
		     uint8_t flags, uint64_t imm)
{
	uint64_t w0 = vsvm_insn_word0(op, d, a, b, c, mod, sub, flags);

	emit(s, ".word %#" PRIx64 ", %#" PRIx64 "\n", w0, imm);
}

/* Registers first_reg.. to the output record, from byte @off of it. */
static void emit_stores_at(struct src *s, int first_reg, int n, int off)
{
	for (int i = 0; i < n; i++)
		emit(s, "st.global.u64 [r2 + %d], r%d\n", off + 8 * i,
		     first_reg + i);
}

static void emit_stores(struct src *s, int first_reg, int n)
{
	emit_stores_at(s, first_reg, n, 0);
}

static void emit_loads(struct src *s, int first_reg, int n)
{
	for (int i = 0; i < n; i++)
		emit(s, "ld.global.u64 r%d, [r1 + %d]\n", first_reg + i, 8 * i);
}

static void *assemble(struct src *s, size_t *size)
{
	void *code;

	code = vsvm_assemble(s->buf, size);
	free(s->buf);
	*s = (struct src){};
	return code;
}

/* Byte offset of the @nth (from 0) instruction with opcode @op in @code. */
static uint32_t find_insn(const void *code, size_t size, uint8_t op, int nth)
{
	const uint8_t *p = code;

	for (size_t off = 0; off < size; off += VSVM_INSN_SIZE)
		if (p[off] == op && nth-- == 0)
			return off;
	igt_assert_f(false, "no instruction %#x in the code\n", op);
	return 0;
}

/* Runs @s over the lanes of @l, asserting that the job succeeds. */
static void run_lanes(struct src *s, const struct vsvm_lanes *l)
{
	size_t size;
	void *code = assemble(s, &size);

	vsvm_run_lanes(runner, code, size, l);
	free(code);
}

/* Runs a shader with no lane records; returns how the job ended. */
static struct drm_vsvm_wait run_status(struct src *s,
				       const struct vsvm_launch *launch,
				       void **code_out, size_t *size_out)
{
	struct drm_vsvm_wait res = {};
	size_t size;
	void *code = assemble(s, &size);
	int ret;

	ret = __vsvm_runner_exec(runner, code, size, launch, &res);
	igt_assert_f(ret == 0, "EXEC failed: %d (%s)\n", ret, strerror(-ret));
	if (size_out)
		*size_out = size;
	if (code_out)
		*code_out = code;
	else
		free(code);
	return res;
}

static void run_ok(struct src *s, const struct vsvm_launch *launch)
{
	size_t size;
	void *code = assemble(s, &size);

	vsvm_runner_exec(runner, code, size, launch);
	free(code);
}

/* Mismatches of one check: the first few are logged, all are counted. */
struct mism {
	unsigned int count;
	char first[768];
};

static void __attribute__((format(printf, 2, 3)))
mismatch(struct mism *m, const char *fmt, ...)
{
	char line[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!m->count)
		snprintf(m->first, sizeof(m->first), "%s", line);
	if (m->count < 8)
		igt_warn("%s\n", line);
	m->count++;
}

static void mism_assert(const struct mism *m, const char *what)
{
	igt_assert_f(!m->count, "%s: %u mismatches; the first: %s\n", what,
		     m->count, m->first);
}

static void check_bytes(const uint8_t *got, const uint8_t *exp, size_t len,
			const char *what)
{
	struct mism m = {};

	for (size_t i = 0; i < len; i++)
		if (got[i] != exp[i])
			mismatch(&m, "%s: byte %#zx is 0x%02x, expected 0x%02x", what,
				 i, got[i], exp[i]);
	mism_assert(&m, what);
}

static void check_status(const struct drm_vsvm_wait *res, uint32_t status,
			 const char *what)
{
	igt_assert_f(res->status == status,
		     "%s: job ended %s (access %#x, addr %#llx, pc %#x, info %#x), expected %s\n",
		     what, vsvm_status_name(res->status), res->fault_access,
		     (unsigned long long)res->fault_addr, res->fault_pc,
		     res->info, vsvm_status_name(status));
}

/*
 * Integer ALU
 */

struct alu_op {
	const char *name;
	uint8_t op;
	uint8_t sub;
	bool unary;
};

static const struct alu_op int_ops[] = {
	{ "add", VSVM_OP_ADD, 0, false },
	{ "sub", VSVM_OP_SUB, 0, false },
	{ "mul", VSVM_OP_MUL, 0, false },
	{ "mulhu", VSVM_OP_MULHU, 0, false },
	{ "mulhs", VSVM_OP_MULHS, 0, false },
	{ "divu", VSVM_OP_DIVU, 0, false },
	{ "divs", VSVM_OP_DIVS, 0, false },
	{ "remu", VSVM_OP_REMU, 0, false },
	{ "rems", VSVM_OP_REMS, 0, false },
	{ "and", VSVM_OP_AND, 0, false },
	{ "or", VSVM_OP_OR, 0, false },
	{ "xor", VSVM_OP_XOR, 0, false },
	{ "shl", VSVM_OP_SHL, 0, false },
	{ "shru", VSVM_OP_SHRU, 0, false },
	{ "shrs", VSVM_OP_SHRS, 0, false },
	{ "minu", VSVM_OP_MINU, 0, false },
	{ "mins", VSVM_OP_MINS, 0, false },
	{ "maxu", VSVM_OP_MAXU, 0, false },
	{ "maxs", VSVM_OP_MAXS, 0, false },
	{ "not", VSVM_OP_NOT, 0, true },
	{ "neg", VSVM_OP_NEG, 0, true },
	{ "popcnt", VSVM_OP_POPCNT, 0, true },
	{ "clz", VSVM_OP_CLZ, 0, true },
	{ "ctz", VSVM_OP_CTZ, 0, true },
};

static const struct alu_op icmp_ops[] = {
	{ "eq", VSVM_OP_ICMP, VSVM_COND_EQ, false },
	{ "ne", VSVM_OP_ICMP, VSVM_COND_NE, false },
	{ "ltu", VSVM_OP_ICMP, VSVM_COND_LTU, false },
	{ "leu", VSVM_OP_ICMP, VSVM_COND_LEU, false },
	{ "lts", VSVM_OP_ICMP, VSVM_COND_LTS, false },
	{ "les", VSVM_OP_ICMP, VSVM_COND_LES, false },
};

/*
 * Both widths' boundaries, shift counts around 32 and 64, and the same low
 * 32 bits with different upper halves, which a 32-bit operation must ignore.
 */
static const uint64_t int_edges[] = {
	0, 1, 2, 3, 5, 7, 0x1f, 0x20, 0x21, 0x3f, 0x40, 0x41, 0x80, 0xff,
	0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0x80000001,
	0xfffffffe, 0xffffffff, 0x100000000ull, 0x100000001ull,
	0x7fffffffffffffffull, 0x8000000000000000ull, 0x8000000000000001ull,
	0xfffffffffffffffeull, 0xffffffffffffffffull, 0xffffffff80000000ull,
	0xdeadbeef00000000ull, 0xdeadbeef80000000ull, 0x12345678ffffffffull,
	0xcafef00d00000001ull, 0x00000003fffffffdull,
};

/* b operands as immediates; some carry garbage above bit 31. */
static const uint64_t int_imms[] = {
	0, 1, 2, 31, 0xdeadbeef00000020ull, 33, 63, 64,
	0xffffffffffffffffull, 0x80000000, 0x7fffffff,
	0x8000000000000000ull, 0x00000001ffffffffull, 0xfedcba9876543210ull,
};

static uint64_t rnd_int(void)
{
	uint64_t r = rnd();

	switch (rnd() % 7) {
	case 0:
		return r;
	case 1:
		return r >> (rnd() % 64);
	case 2:
		return -(r >> (rnd() % 64));
	case 3:
		return (r & 0xffffffff00000000ull) | (uint32_t)(rnd() >> (rnd() % 64));
	case 4:
		return (r & 0xffffffff00000000ull) |
		       (uint32_t)-(int32_t)(rnd() >> (32 + rnd() % 32));
	case 5:
		return (1ull << (rnd() % 64)) + (int64_t)(r % 5) - 2;
	default:
		return (uint64_t)(int64_t)(int32_t)(r >> (rnd() % 32));
	}
}

static uint64_t int_ref(uint8_t op, uint8_t sub, bool w64, uint64_t a,
			uint64_t b)
{
	const unsigned int w = w64 ? 64 : 32;
	const uint64_t mask = w64 ? ~0ull : 0xffffffffull;
	const int64_t smin = w64 ? INT64_MIN : INT32_MIN;
	uint64_t ua = a & mask, ub = b & mask, r;
	int64_t sa = w64 ? (int64_t)a : (int32_t)a;
	int64_t sb = w64 ? (int64_t)b : (int32_t)b;

	switch (op) {
	case VSVM_OP_ADD:
		r = ua + ub;
		break;
	case VSVM_OP_SUB:
		r = ua - ub;
		break;
	case VSVM_OP_MUL:
		r = ua * ub;
		break;
	case VSVM_OP_MULHU:
		r = (uint64_t)(((__uint128_t)ua * ub) >> w);
		break;
	case VSVM_OP_MULHS:
		r = (uint64_t)(((__int128_t)sa * sb) >> w);
		break;
	case VSVM_OP_DIVU:
		r = ub ? ua / ub : mask;
		break;
	case VSVM_OP_DIVS:
		if (!sb)
			r = -1;
		else if (sa == smin && sb == -1)
			r = sa;
		else
			r = sa / sb;
		break;
	case VSVM_OP_REMU:
		r = ub ? ua % ub : ua;
		break;
	case VSVM_OP_REMS:
		if (!sb)
			r = sa;
		else if (sb == -1)
			r = 0;
		else
			r = sa % sb;
		break;
	case VSVM_OP_AND:
		r = ua & ub;
		break;
	case VSVM_OP_OR:
		r = ua | ub;
		break;
	case VSVM_OP_XOR:
		r = ua ^ ub;
		break;
	case VSVM_OP_SHL:
		r = ua << (ub % w);
		break;
	case VSVM_OP_SHRU:
		r = ua >> (ub % w);
		break;
	case VSVM_OP_SHRS:
		r = sa >> (ub % w);
		break;
	case VSVM_OP_MINU:
		r = ua < ub ? ua : ub;
		break;
	case VSVM_OP_MINS:
		r = sa < sb ? sa : sb;
		break;
	case VSVM_OP_MAXU:
		r = ua > ub ? ua : ub;
		break;
	case VSVM_OP_MAXS:
		r = sa > sb ? sa : sb;
		break;
	case VSVM_OP_NOT:
		r = ~ua;
		break;
	case VSVM_OP_NEG:
		r = -ua;
		break;
	case VSVM_OP_POPCNT:
		r = __builtin_popcountll(ua);
		break;
	case VSVM_OP_CLZ:
		r = ua ? (uint64_t)__builtin_clzll(ua) - (64 - w) : w;
		break;
	case VSVM_OP_CTZ:
		r = ua ? (uint64_t)__builtin_ctzll(ua) : w;
		break;
	case VSVM_OP_ICMP:
		switch (sub) {
		case VSVM_COND_EQ:
			r = ua == ub;
			break;
		case VSVM_COND_NE:
			r = ua != ub;
			break;
		case VSVM_COND_LTU:
			r = ua < ub;
			break;
		case VSVM_COND_LEU:
			r = ua <= ub;
			break;
		case VSVM_COND_LTS:
			r = sa < sb;
			break;
		default:
			r = sa <= sb;
			break;
		}
		return r ? 0xffffffffull : 0;
	default:
		igt_assert_f(false, "no reference for opcode %#x\n", op);
		return 0;
	}
	return r & mask;
}

/* What output j of a binary ALU shader computes: width, b, and the form. */
struct alu_out {
	bool w64;
	bool same;		/* b is a */
	bool imm;
	uint64_t b_imm;
	const char *form;
};

#define INT_FIXED_OUTS	5

static void int_outs(struct alu_out *o, bool unary)
{
	static const struct alu_out fixed[] = {
		{ false, false, false, 0, "r, r" },
		{ true, false, false, 0, "r, r" },
		{ true, false, false, 0, "d = a" },
		{ false, false, false, 0, "d = b" },
		{ true, true, false, 0, "b = a" },
	};
	static const struct alu_out fixed1[] = {
		{ false, false, false, 0, "r" },
		{ true, false, false, 0, "r" },
		{ false, false, false, 0, "d = a" },
		{ true, false, false, 0, "d = a" },
	};

	if (unary) {
		memcpy(o, fixed1, sizeof(fixed1));
		return;
	}
	memcpy(o, fixed, sizeof(fixed));
	for (unsigned int k = 0; k < ARRAY_SIZE(int_imms); k++) {
		for (int w = 0; w < 2; w++) {
			struct alu_out *x = &o[INT_FIXED_OUTS + 2 * k + w];

			*x = (struct alu_out){ w, false, true, int_imms[k], "imm" };
		}
	}
}

static void test_int_op(const struct alu_op *op)
{
	const uint32_t ne = ARRAY_SIZE(int_edges);
	const uint32_t n = op->unary ? ne + 2000 : ne * ne + 2500;
	const uint32_t nout = op->unary ? 4 : INT_FIXED_OUTS + 2 * ARRAY_SIZE(int_imms);
	struct alu_out outs[INT_FIXED_OUTS + 2 * ARRAY_SIZE(int_imms)];
	uint64_t *in = xmalloc(n * 16), *out = xmalloc(n * nout * 8);
	uint8_t o = op->op, c = op->sub;
	struct src s = {};
	struct mism m = {};

	for (uint32_t i = 0; i < n; i++) {
		if (op->unary) {
			in[2 * i] = i < ne ? int_edges[i] : rnd_int();
			in[2 * i + 1] = rnd();
		} else if (i < ne * ne) {
			in[2 * i] = int_edges[i / ne];
			in[2 * i + 1] = int_edges[i % ne];
		} else {
			in[2 * i] = rnd_int();
			in[2 * i + 1] = rnd_int();
		}
	}
	fill_u64(out, n * nout, POISON);
	int_outs(outs, op->unary);

	emit(&s, VSVM_LANES_PROLOGUE);
	emit_loads(&s, 10, 2);
	if (op->unary) {
		emit_raw(&s, o, 20, 10, 0, 0, VSVM_MOD_32, c, 0, 0);
		emit_raw(&s, o, 21, 10, 0, 0, VSVM_MOD_64, c, 0, 0);
		emit(&s, "mov r22, r10\nmov r23, r10\n");
		emit_raw(&s, o, 22, 22, 0, 0, VSVM_MOD_32, c, 0, 0);
		emit_raw(&s, o, 23, 23, 0, 0, VSVM_MOD_64, c, 0, 0);
	} else {
		emit_raw(&s, o, 20, 10, 11, 0, VSVM_MOD_32, c, 0, 0);
		emit_raw(&s, o, 21, 10, 11, 0, VSVM_MOD_64, c, 0, 0);
		emit(&s, "mov r22, r10\nmov r23, r11\n");
		emit_raw(&s, o, 22, 22, 11, 0, VSVM_MOD_64, c, 0, 0);
		emit_raw(&s, o, 23, 10, 23, 0, VSVM_MOD_32, c, 0, 0);
		emit_raw(&s, o, 24, 10, 10, 0, VSVM_MOD_64, c, 0, 0);
		for (uint32_t j = INT_FIXED_OUTS; j < nout; j++)
			emit_raw(&s, o, 20 + j, 10, 0, 0,
				 outs[j].w64 ? VSVM_MOD_64 : VSVM_MOD_32, c,
				 VSVM_F_SRC1_IMM, outs[j].b_imm);
	}
	emit_stores(&s, 20, nout);
	emit(&s, VSVM_LANES_EPILOGUE);

	run_lanes(&s, &(struct vsvm_lanes){
		.n = n, .in = in, .in_stride = 16,
		.out = out, .out_stride = nout * 8,
	});

	for (uint32_t i = 0; i < n; i++) {
		uint64_t a = in[2 * i];

		for (uint32_t j = 0; j < nout; j++) {
			const struct alu_out *x = &outs[j];
			uint64_t b = x->imm ? x->b_imm : x->same ? a : in[2 * i + 1];
			uint64_t exp = int_ref(o, c, x->w64, a, b);
			uint64_t got = out[i * nout + j];

			if (got != exp)
				mismatch(&m, "%s.%d (%s) lane %u: a %#" PRIx64 " b %#" PRIx64
					 ": expected %#" PRIx64 ", got %#" PRIx64,
					 op->name, x->w64 ? 64 : 32, x->form, i, a,
					 op->unary ? 0 : b, exp, got);
		}
	}
	free(in);
	free(out);
	mism_assert(&m, op->name);
}

static void test_moves(void)
{
	static const uint64_t consts[] = {
		0, 0xffffffffffffffffull, 0x8000000000000000ull,
		0x0123456789abcdefull, 0x00000000ffffffffull,
	};
	const uint32_t n = 96, nout = ARRAY_SIZE(consts) + 3;
	uint64_t in[96], out[96 * ARRAY_SIZE(consts) + 96 * 3];
	struct src s = {};
	struct mism m = {};

	for (uint32_t i = 0; i < n; i++)
		in[i] = i < ARRAY_SIZE(int_edges) ? int_edges[i] : rnd();
	fill_u64(out, n * nout, POISON);

	emit(&s, VSVM_LANES_PROLOGUE);
	emit_loads(&s, 10, 1);
	for (uint32_t k = 0; k < ARRAY_SIZE(consts); k++)
		emit_raw(&s, VSVM_OP_MOVI, 20 + k, 0, 0, 0, 0, 0, 0, consts[k]);
	/* NOP and FENCE change no register. */
	emit(&s, "nop\nmov r%u, r10\nfence\n", 20 + (unsigned int)ARRAY_SIZE(consts));
	/* The last register works like any other. */
	emit(&s, "mov r255, r10\nnot.64 r255, r255\nmov r%u, r255\n",
	     21 + (unsigned int)ARRAY_SIZE(consts));
	emit(&s, "movi r255, 0x0123456789abcdef\nmov r%u, r255\n",
	     22 + (unsigned int)ARRAY_SIZE(consts));
	emit_stores(&s, 20, nout);
	emit(&s, VSVM_LANES_EPILOGUE);
	run_lanes(&s, &(struct vsvm_lanes){
		.n = n, .in = in, .in_stride = 8,
		.out = out, .out_stride = nout * 8,
	});

	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t j = 0; j < nout; j++) {
			uint64_t exp, got = out[i * nout + j];

			if (j < ARRAY_SIZE(consts))
				exp = consts[j];
			else if (j == ARRAY_SIZE(consts))
				exp = in[i];
			else if (j == ARRAY_SIZE(consts) + 1)
				exp = ~in[i];
			else
				exp = 0x0123456789abcdefull;
			if (got != exp)
				mismatch(&m, "lane %u output %u (input %#" PRIx64 "): expected %#"
					 PRIx64 ", got %#" PRIx64, i, j, in[i], exp, got);
		}
	}
	mism_assert(&m, "moves");
}

/*
 * fp32
 */

static bool f32_isnan(uint32_t x)
{
	return (x & ~F32_SIGN) > F32_INF;
}

static const uint32_t fp_edges[] = {
	0x00000000, 0x80000000,			/* +-0 */
	0x3f800000, 0xbf800000, 0x3f000000, 0xbf000000,	/* +-1, +-0.5 */
	0x3fc00000, 0xbfc00000, 0x40200000, 0xc0200000,	/* +-1.5, +-2.5 */
	0x40400000, 0x3eaaaaab, 0x40490fdb,	/* 3, 1/3, pi */
	0x7f800000, 0xff800000,			/* +-inf */
	0x7fc00000, 0xffc00000, 0x7fc12345,	/* quiet NaNs */
	0x7f800001, 0xffa12345,			/* signalling NaNs */
	0x00000001, 0x80000001, 0x007fffff, 0x807fffff,	/* denormals */
	0x00400000, 0x00000003,
	0x00800000, 0x80800000, 0x00800001,	/* smallest normals */
	0x7f7fffff, 0xff7fffff,			/* largest finite */
	0x3f800001, 0x3f7fffff, 0xbf7fffff,	/* around 1 */
	0x4b000000, 0x4b000001, 0x4afffffe, 0x4affffff, 0xcaffffff,
	0x3effffff, 0x3f000001, 0x3f400000, 0xbf400000,
	0x4effffff, 0x4f000000, 0xcf000000, 0xcf000001,	/* around 2^31 */
	0x4f7fffff, 0x4f800000,			/* around 2^32 */
	0x5effffff, 0x5f000000, 0xdf000000, 0x5f7fffff, 0x5f800000,
	0x34000000, 0x1f800000, 0x0c000000, 0x72800000,
};

/*
 * Inputs whose square root lies closest to a midpoint between two floats,
 * found by exhaustive search of [1, 4): rounding them right needs more than
 * a good estimate.
 */
static const uint32_t fsqrt_hard[] = {
	0x3f800001, 0x407fffff, 0x3ffc114a, 0x3f800003, 0x407ffffd, 0x3f925859,
	0x406e9372, 0x3fb0c6c3, 0x40551dbf, 0x3fa97bef, 0x405ae03b, 0x3f800005,
	0x407ffffb, 0x3ff028ab, 0x402a177f, 0x3fcb41e9, 0x4041bc4e, 0x3fcdaeb2,
	0x3fb8cc66, 0x3ff0d9ce, 0x3f800007, 0x407ffff9, 0x3fd46581, 0x403b8bcc,
};

static uint32_t rnd_f32(void)
{
	uint32_t sign = (rnd() & 1) << 31;

	switch (rnd() % 9) {
	case 0:
	case 1:
		return rnd();
	case 2:	/* moderate exponents: cancellation and rounding */
		return sign | (uint32_t)(118 + rnd() % 20) << 23 | (rnd() & 0x7fffff);
	case 3:
		return sign | (rnd() & 0x7fffff);
	case 4:
		return fp_edges[rnd() % ARRAY_SIZE(fp_edges)];
	case 5: {	/* halfway and around it, for the rounding operations */
		static const float fr[] = { 0.5f, 0.25f, 0.75f, 0.49999997f, 0.50000006f };

		return vsvm_f32_bits((float)((int)(rnd() % 200) - 100) + fr[rnd() % 5]);
	}
	case 6:
		return sign | (uint32_t)(145 + rnd() % 50) << 23 | (rnd() & 0x7fffff);
	case 7:
		return sign | (uint32_t)(1 + rnd() % 8) << 23 | (rnd() & 0x7fffff);
	default:
		return sign | (uint32_t)(rnd() % 2 ? 0xff : 0) << 23 | (rnd() & 0x7fffff);
	}
}

/* A 64-bit register holding @f with garbage above, which fp32 ignores. */
static uint64_t fp_reg(uint32_t f)
{
	return (rnd() % 4 ? rnd() << 32 : 0) | f;
}

static uint64_t isqrt64(uint64_t v)
{
	uint64_t res = 0, bit = 1ull << 62;

	while (bit > v)
		bit >>= 2;
	while (bit) {
		if (v >= res + bit) {
			v -= res + bit;
			res = (res >> 1) + bit;
		} else {
			res >>= 1;
		}
		bit >>= 2;
	}
	return res;
}

/* Correctly rounded square root, in integer arithmetic. */
static uint32_t ref_fsqrt(uint32_t x)
{
	uint32_t exp = (x >> 23) & 0xff;
	uint64_t m, q, mant, rem, half;
	int e, s, sh, rexp;
	bool sticky;

	if (f32_isnan(x))
		return x | F32_QUIET;
	if (!(x & ~F32_SIGN))
		return x;
	if (x & F32_SIGN)
		return F32_QNAN;
	if (x == F32_INF)
		return x;

	m = exp ? (x & 0x7fffff) | 0x800000 : x & 0x7fffff;
	e = exp ? (int)exp - 150 : -149;
	/* m * 2^e with e even and m in [2^61, 2^63): sqrt(m) has 31-32 bits. */
	s = 62 - (63 - __builtin_clzll(m));
	if ((e - s) & 1)
		s--;
	m <<= s;
	e -= s;
	q = isqrt64(m);
	sticky = q * q != m;
	sh = (63 - __builtin_clzll(q)) - 23;
	mant = q >> sh;
	rem = q & ((1ull << sh) - 1);
	half = 1ull << (sh - 1);
	if (rem > half || (rem == half && (sticky || (mant & 1))))
		mant++;
	rexp = e / 2 + sh;
	if (mant == 1u << 24) {
		mant >>= 1;
		rexp++;
	}
	return (uint32_t)(rexp + 150) << 23 | (mant & 0x7fffff);
}

enum { RND_FLOOR, RND_CEIL, RND_TRUNC, RND_EVEN };

static uint32_t ref_fround(uint32_t x, int mode)
{
	float f = vsvm_f32(x), t, d, r;

	if (f32_isnan(x))
		return x | F32_QUIET;
	if ((x & ~F32_SIGN) >= 0x4b000000)	/* 2^23 and up, inf: integral */
		return x;
	t = (float)(int32_t)f;			/* exact, toward zero */
	switch (mode) {
	case RND_FLOOR:
		r = t > f ? t - 1 : t;
		break;
	case RND_CEIL:
		r = t < f ? t + 1 : t;
		break;
	case RND_TRUNC:
		r = t;
		break;
	default:
		d = f - t;			/* exact */
		r = t;
		if (d > 0.5f || (d == 0.5f && ((int32_t)t & 1)))
			r = t + 1;
		else if (d < -0.5f || (d == -0.5f && ((int32_t)t & 1)))
			r = t - 1;
		break;
	}
	/* An integral result has the sign of x, zero included. */
	return (vsvm_f32_bits(r) & ~F32_SIGN) | (x & F32_SIGN);
}

static uint32_t ref_fminmax(uint32_t a, uint32_t b, bool max)
{
	float fa = vsvm_f32(a), fb = vsvm_f32(b);

	if (f32_isnan(a) && f32_isnan(b))
		return F32_QNAN;	/* any quiet NaN, see fp_match() */
	if (f32_isnan(a))
		return b;
	if (f32_isnan(b))
		return a;
	if (!((a | b) & ~F32_SIGN))	/* two zeros */
		return max ? a & b : a | b;
	if (fa < fb)
		return max ? b : a;
	if (fb < fa)
		return max ? a : b;
	return a;
}

static uint64_t fp_ref(uint8_t op, uint8_t sub, uint32_t a, uint32_t b,
		       uint32_t c)
{
	float fa = vsvm_f32(a), fb = vsvm_f32(b), fc = vsvm_f32(c);
	double prod;

	switch (op) {
	case VSVM_OP_FADD:
		return vsvm_f32_bits(fa + fb);
	case VSVM_OP_FSUB:
		return vsvm_f32_bits(fa - fb);
	case VSVM_OP_FMUL:
		return vsvm_f32_bits(fa * fb);
	case VSVM_OP_FDIV:
		return vsvm_f32_bits(fa / fb);
	case VSVM_OP_FFMA:
		/*
		 * Exact product, one rounding to binary64, then to binary32.
		 * The product being exact, a contraction of the two binary64
		 * operations into an fma would not change the result.
		 */
		prod = (double)fa * (double)fb;
		return vsvm_f32_bits((float)(prod + (double)fc));
	case VSVM_OP_FMIN:
		return ref_fminmax(a, b, false);
	case VSVM_OP_FMAX:
		return ref_fminmax(a, b, true);
	case VSVM_OP_FNEG:
		return a ^ F32_SIGN;
	case VSVM_OP_FABS:
		return a & ~F32_SIGN;
	case VSVM_OP_FSQRT:
		return ref_fsqrt(a);
	case VSVM_OP_FFLOOR:
		return ref_fround(a, RND_FLOOR);
	case VSVM_OP_FCEIL:
		return ref_fround(a, RND_CEIL);
	case VSVM_OP_FTRUNC:
		return ref_fround(a, RND_TRUNC);
	case VSVM_OP_FRNDE:
		return ref_fround(a, RND_EVEN);
	case VSVM_OP_FCMP:
		switch (sub) {
		case VSVM_COND_EQ:
			return fa == fb ? 0xffffffffu : 0;
		case VSVM_COND_NE:
			return !(fa == fb) ? 0xffffffffu : 0;
		case VSVM_COND_LTS:
			return fa < fb ? 0xffffffffu : 0;
		default:
			return fa <= fb ? 0xffffffffu : 0;
		}
	default:
		igt_assert_f(false, "no reference for opcode %#x\n", op);
		return 0;
	}
}

/*
 * Which NaN an arithmetic operation returns is not specified: any quiet NaN
 * (with the upper half of the register zero) matches an expected NaN.
 * FNEG, FABS, FSQRT and the roundings say exactly which NaN they return.
 */
static bool fp_match(uint8_t op, uint64_t exp, uint64_t got)
{
	bool any_nan = op <= VSVM_OP_FMAX;

	if (any_nan && f32_isnan(exp))
		return !(got >> 32) && f32_isnan(got) && (got & F32_QUIET);
	return got == exp;
}

struct fp_op {
	const char *name;
	uint8_t op;
	uint8_t sub;
};

static const struct fp_op fp_bin_ops[] = {
	{ "fadd", VSVM_OP_FADD, 0 }, { "fsub", VSVM_OP_FSUB, 0 },
	{ "fmul", VSVM_OP_FMUL, 0 }, { "fdiv", VSVM_OP_FDIV, 0 },
	{ "ffma", VSVM_OP_FFMA, 0 }, { "fmin", VSVM_OP_FMIN, 0 },
	{ "fmax", VSVM_OP_FMAX, 0 },
};

static const struct fp_op fp_un_ops[] = {
	{ "fneg", VSVM_OP_FNEG, 0 }, { "fabs", VSVM_OP_FABS, 0 },
	{ "fsqrt", VSVM_OP_FSQRT, 0 }, { "ffloor", VSVM_OP_FFLOOR, 0 },
	{ "fceil", VSVM_OP_FCEIL, 0 }, { "ftrunc", VSVM_OP_FTRUNC, 0 },
	{ "frnde", VSVM_OP_FRNDE, 0 },
};

static const struct fp_op fcmp_ops[] = {
	{ "eq", VSVM_OP_FCMP, VSVM_COND_EQ },
	{ "ne", VSVM_OP_FCMP, VSVM_COND_NE },
	{ "lt", VSVM_OP_FCMP, VSVM_COND_LTS },
	{ "le", VSVM_OP_FCMP, VSVM_COND_LES },
};

/* b operands as immediates; bits 63:32 must be ignored. */
static const uint64_t fp_imms[] = {
	0x3f000000, 0x80000000, 0x7f800000, 0xffffffff7fc00000ull,
	0x7f800001, 0x00000001, 0x40400000, 0xdeadbeef3f800001ull,
	0xff800000, 0x00800000, 0x3eaaaaab,
};

/* Outputs: r,r; d = a; d = b; the immediates; b = a (FFMA: d = c). */
#define FP_FIXED_OUTS	3
#define FP_OUTS		(FP_FIXED_OUTS + ARRAY_SIZE(fp_imms) + 1)

/* Binary (FFMA: ternary) fp32 operations and FCMP. */
static void test_fp_binary(const struct fp_op *op)
{
	const uint32_t ne = ARRAY_SIZE(fp_edges);
	const uint32_t n = ne * ne + 4000;
	const bool fma = op->op == VSVM_OP_FFMA;
	uint64_t *in = xmalloc(n * 24), *out = xmalloc(n * FP_OUTS * 8);
	uint8_t o = op->op, c = op->sub;
	struct src s = {};
	struct mism m = {};

	for (uint32_t i = 0; i < n; i++) {
		uint64_t *x = &in[3 * i];

		if (i < ne * ne) {
			x[0] = fp_reg(fp_edges[i / ne]);
			x[1] = fp_reg(fp_edges[i % ne]);
		} else {
			x[0] = fp_reg(rnd_f32());
			x[1] = fp_reg(rnd_f32());
		}
		x[2] = fp_reg(rnd() % 2 ? fp_edges[rnd() % ne] : rnd_f32());
	}
	/* The double-rounding example of docs/isa.md, and exact cancellation. */
	in[0] = 0x3f800800;
	in[1] = 0x3f800800;
	in[2] = 0x17800000;
	in[3] = 0x3f800800;
	in[4] = 0x3f800800;
	in[5] = 0xbf801000;
	fill_u64(out, n * FP_OUTS, POISON);

	emit(&s, VSVM_LANES_PROLOGUE);
	emit_loads(&s, 10, 3);
	emit_raw(&s, o, 20, 10, 11, fma ? 12 : 0, 0, c, 0, 0);
	emit(&s, "mov r21, r10\nmov r22, r11\n");
	emit_raw(&s, o, 21, 21, 11, fma ? 12 : 0, 0, c, 0, 0);
	emit_raw(&s, o, 22, 10, 22, fma ? 12 : 0, 0, c, 0, 0);
	for (uint32_t k = 0; k < ARRAY_SIZE(fp_imms); k++)
		emit_raw(&s, o, 23 + k, 10, 0, fma ? 12 : 0, 0, c,
			 VSVM_F_SRC1_IMM, fp_imms[k]);
	if (fma) {
		emit(&s, "mov r%u, r12\n", 20 + (unsigned int)FP_OUTS - 1);
		emit_raw(&s, o, 20 + FP_OUTS - 1, 10, 11, 20 + FP_OUTS - 1, 0,
			 c, 0, 0);
	} else {
		emit_raw(&s, o, 20 + FP_OUTS - 1, 10, 10, 0, 0, c, 0, 0);
	}
	emit_stores(&s, 20, FP_OUTS);
	emit(&s, VSVM_LANES_EPILOGUE);

	run_lanes(&s, &(struct vsvm_lanes){
		.n = n, .in = in, .in_stride = 24,
		.out = out, .out_stride = FP_OUTS * 8,
	});

	for (uint32_t i = 0; i < n; i++) {
		uint32_t a = in[3 * i], b = in[3 * i + 1], cc = in[3 * i + 2];

		for (uint32_t j = 0; j < FP_OUTS; j++) {
			uint32_t bj = b;
			uint64_t exp, got = out[i * FP_OUTS + j];
			const char *form = j < FP_FIXED_OUTS ? "r, r" : "imm";

			if (j >= FP_FIXED_OUTS && j < FP_OUTS - 1)
				bj = fp_imms[j - FP_FIXED_OUTS];
			if (j == FP_OUTS - 1 && !fma) {
				bj = a;
				form = "b = a";
			}
			exp = fp_ref(o, c, a, bj, cc);
			if (!fp_match(o, exp, got))
				mismatch(&m, "%s%s (%s) lane %u: a %#x b %#x c %#x: expected %#"
					 PRIx64 ", got %#" PRIx64, o == VSVM_OP_FCMP ? "fcmp." : "",
					 op->name, form, i, a, bj, fma ? cc : 0, exp, got);
		}
	}
	free(in);
	free(out);
	mism_assert(&m, op->name);
}

static void test_fp_unary(const struct fp_op *op)
{
	const uint32_t ne = ARRAY_SIZE(fp_edges), nh = ARRAY_SIZE(fsqrt_hard);
	const uint32_t n = ne + 3 * nh + 8000;
	uint64_t *in = xmalloc(n * 8), *out = xmalloc(n * 16);
	struct src s = {};
	struct mism m = {};
	uint32_t i = 0;

	for (uint32_t k = 0; k < ne; k++)
		in[i++] = fp_reg(fp_edges[k]);
	/* Scaling by an even power of two keeps them hard. */
	for (uint32_t k = 0; k < nh; k++) {
		in[i++] = fp_reg(fsqrt_hard[k]);
		in[i++] = fp_reg(fsqrt_hard[k] - (100u << 23));
		in[i++] = fp_reg(fsqrt_hard[k] + (60u << 23));
	}
	while (i < n)
		in[i++] = fp_reg(rnd_f32());
	fill_u64(out, n * 2, POISON);

	emit(&s, VSVM_LANES_PROLOGUE);
	emit_loads(&s, 10, 1);
	emit_raw(&s, op->op, 20, 10, 0, 0, 0, 0, 0, 0);
	emit(&s, "mov r21, r10\n");
	emit_raw(&s, op->op, 21, 21, 0, 0, 0, 0, 0, 0);
	emit_stores(&s, 20, 2);
	emit(&s, VSVM_LANES_EPILOGUE);
	run_lanes(&s, &(struct vsvm_lanes){
		.n = n, .in = in, .in_stride = 8, .out = out, .out_stride = 16,
	});

	for (i = 0; i < n; i++) {
		uint64_t exp = fp_ref(op->op, 0, in[i], 0, 0);

		for (int j = 0; j < 2; j++)
			if (!fp_match(op->op, exp, out[2 * i + j]))
				mismatch(&m, "%s (%s) lane %u: a %#" PRIx64 ": expected %#"
					 PRIx64 ", got %#" PRIx64, op->name,
					 j ? "d = a" : "r", i, in[i], exp, out[2 * i + j]);
	}
	free(in);
	free(out);
	mism_assert(&m, op->name);
}

/* The examples docs/isa.md gives, with their values written out. */
static void test_fp_examples(void)
{
	static const struct {
		uint8_t op, sub;
		uint32_t a, b, c;
		uint64_t exp;
	} ex[] = {
		{ VSVM_OP_FFMA, 0, 0x3f800800, 0x3f800800, 0x17800000, 0x3f801000 },
		{ VSVM_OP_FSQRT, 0, 0x80000000, 0, 0, 0x80000000 },
		{ VSVM_OP_FSQRT, 0, 0xbf800000, 0, 0, 0x7fc00000 },
		{ VSVM_OP_FSQRT, 0, 0xff800000, 0, 0, 0x7fc00000 },
		{ VSVM_OP_FSQRT, 0, 0x40800000, 0, 0, 0x40000000 },
		{ VSVM_OP_FSQRT, 0, 0x7f800000, 0, 0, 0x7f800000 },
		{ VSVM_OP_FCEIL, 0, 0xbf000000, 0, 0, 0x80000000 },
		{ VSVM_OP_FFLOOR, 0, 0xbf000000, 0, 0, 0xbf800000 },
		{ VSVM_OP_FFLOOR, 0, 0x80000000, 0, 0, 0x80000000 },
		{ VSVM_OP_FTRUNC, 0, 0xbf7fffff, 0, 0, 0x80000000 },
		{ VSVM_OP_FRNDE, 0, 0x40200000, 0, 0, 0x40000000 },
		{ VSVM_OP_FRNDE, 0, 0x3fc00000, 0, 0, 0x40000000 },
		{ VSVM_OP_FRNDE, 0, 0x3f000000, 0, 0, 0x00000000 },
		{ VSVM_OP_FRNDE, 0, 0xbf000000, 0, 0, 0x80000000 },
		{ VSVM_OP_FRNDE, 0, 0xff800000, 0, 0, 0xff800000 },
		{ VSVM_OP_FMIN, 0, 0x80000000, 0x00000000, 0, 0x80000000 },
		{ VSVM_OP_FMIN, 0, 0x00000000, 0x80000000, 0, 0x80000000 },
		{ VSVM_OP_FMAX, 0, 0x80000000, 0x00000000, 0, 0x00000000 },
		{ VSVM_OP_FMAX, 0, 0x00000000, 0x80000000, 0, 0x00000000 },
		{ VSVM_OP_FMIN, 0, 0x7fc00000, 0x3f800000, 0, 0x3f800000 },
		{ VSVM_OP_FMAX, 0, 0x3f800000, 0x7f800001, 0, 0x3f800000 },
		{ VSVM_OP_FMIN, 0, 0xff800001, 0x80000001, 0, 0x80000001 },
		{ VSVM_OP_FDIV, 0, 0x3f800000, 0x00000000, 0, 0x7f800000 },
		{ VSVM_OP_FDIV, 0, 0x3f800000, 0x80000000, 0, 0xff800000 },
		{ VSVM_OP_FMUL, 0, 0x00000001, 0x3f000000, 0, 0x00000000 },
		{ VSVM_OP_FMUL, 0, 0x00000003, 0x3f000000, 0, 0x00000002 },
		{ VSVM_OP_FADD, 0, 0x00000001, 0x80000001, 0, 0x00000000 },
		{ VSVM_OP_FNEG, 0, 0x7fc00001, 0, 0, 0xffc00001 },
		{ VSVM_OP_FABS, 0, 0xff800001, 0, 0, 0x7f800001 },
		{ VSVM_OP_FCMP, VSVM_COND_EQ, 0x80000000, 0, 0, 0xffffffff },
		{ VSVM_OP_FCMP, VSVM_COND_NE, 0x7fc00000, 0x7fc00000, 0, 0xffffffff },
		{ VSVM_OP_FCMP, VSVM_COND_EQ, 0x7fc00000, 0x7fc00000, 0, 0 },
		{ VSVM_OP_FCMP, VSVM_COND_LES, 0x7fc00000, 0x3f800000, 0, 0 },
		{ VSVM_OP_FCMP, VSVM_COND_LTS, 0xff800000, 0x7f800000, 0, 0xffffffff },
		{ VSVM_OP_FCMP, VSVM_COND_LES, 0x80000000, 0x00000000, 0, 0xffffffff },
		{ VSVM_OP_FCMP, VSVM_COND_LTS, 0x80000000, 0x00000000, 0, 0 },
	};
	const uint32_t n = ARRAY_SIZE(ex);
	uint64_t in[ARRAY_SIZE(ex) * 3], out[ARRAY_SIZE(ex)];
	struct src s = {};
	struct mism m = {};

	/* One shader: each lane runs the example with its own index. */
	emit(&s, VSVM_LANES_PROLOGUE);
	emit_loads(&s, 10, 3);
	for (uint32_t i = 0; i < n; i++) {
		bool unary = ex[i].op >= VSVM_OP_FNEG && ex[i].op <= VSVM_OP_FRNDE;

		in[3 * i] = ex[i].a | 0xffffffff00000000ull;
		in[3 * i + 1] = ex[i].b;
		in[3 * i + 2] = ex[i].c;
		emit(&s, "icmp.eq.64 r8, r0, %u\nif r8\n", i);
		emit_raw(&s, ex[i].op, 20, 10, unary ? 0 : 11,
			 ex[i].op == VSVM_OP_FFMA ? 12 : 0, 0, ex[i].sub, 0, 0);
		emit(&s, "endif\n");
	}
	emit_stores(&s, 20, 1);
	emit(&s, VSVM_LANES_EPILOGUE);
	fill_u64(out, n, POISON);
	run_lanes(&s, &(struct vsvm_lanes){
		.n = n, .in = in, .in_stride = 24, .out = out, .out_stride = 8,
	});

	for (uint32_t i = 0; i < n; i++)
		if (out[i] != ex[i].exp)
			mismatch(&m, "example %u (opcode %#x.%u of %#x, %#x, %#x): expected %#"
				 PRIx64 ", got %#" PRIx64, i, ex[i].op, ex[i].sub,
				 ex[i].a, ex[i].b, ex[i].c, ex[i].exp, out[i]);
	mism_assert(&m, "documented fp32 results");
}

/*
 * Conversions and SEL
 */

static const struct {
	const char *name;
	uint8_t sub;
} cvts[] = {
	{ "f32-s32", VSVM_CVT_F32_S32 }, { "f32-u32", VSVM_CVT_F32_U32 },
	{ "f32-s64", VSVM_CVT_F32_S64 }, { "f32-u64", VSVM_CVT_F32_U64 },
	{ "s32-f32", VSVM_CVT_S32_F32 }, { "u32-f32", VSVM_CVT_U32_F32 },
	{ "s64-f32", VSVM_CVT_S64_F32 }, { "u64-f32", VSVM_CVT_U64_F32 },
	{ "sext8", VSVM_CVT_SEXT8 }, { "sext16", VSVM_CVT_SEXT16 },
	{ "sext32", VSVM_CVT_SEXT32 }, { "zext8", VSVM_CVT_ZEXT8 },
	{ "zext16", VSVM_CVT_ZEXT16 }, { "zext32", VSVM_CVT_ZEXT32 },
};

/* Integers whose rounding to fp32 is delicate, in 32 and 64 bits. */
static const uint64_t cvt_edges[] = {
	0x00ffffff, 0x01000000, 0x01000001, 0x01000002, 0x01000003,
	0x02000001, 0x02000002, 0x02000003, 0x02000006, 0x7fffffc0,
	0x7fffff80, 0x7fffff7f, 0xffffff80, 0xffffff7f, 0xfffffffe,
	0x0020000000000001ull, 0x0020000000000002ull,
	0x8000008000000000ull, 0x8000008000000001ull, 0x8000018000000000ull,
	0xffffff7fffffffffull, 0xffffff8000000000ull, 0xffffffbfffffffffull,
	0x7fffff7fffffffffull, 0x7fffff8000000000ull, 0x7fffffffffffffffull,
	0xfffffffffeffffffull, 0xffffffffff000001ull, 0x8000000000000001ull,
	0xffffffff7fffff80ull,
};

/* Rounds a magnitude to fp32, nearest even, in integer arithmetic. */
static uint32_t ref_int_to_f32(uint64_t mag, bool neg)
{
	uint64_t mant, rem, half;
	int msb, sh;
	uint32_t exp;

	if (!mag)
		return 0;
	msb = 63 - __builtin_clzll(mag);
	exp = msb + 127;
	if (msb <= 23) {
		mant = mag << (23 - msb);
	} else {
		sh = msb - 23;
		mant = mag >> sh;
		rem = mag & ((1ull << sh) - 1);
		half = 1ull << (sh - 1);
		if (rem > half || (rem == half && (mant & 1)))
			mant++;
		if (mant == 1u << 24) {
			mant >>= 1;
			exp++;
		}
	}
	return (neg ? F32_SIGN : 0) | exp << 23 | (uint32_t)(mant & 0x7fffff);
}

static uint64_t ref_cvt(uint8_t sub, uint64_t a)
{
	float f = vsvm_f32(a);
	int64_t s;

	switch (sub) {
	case VSVM_CVT_F32_S32:
		s = (int32_t)a;
		return ref_int_to_f32(s < 0 ? -(uint64_t)s : (uint64_t)s, s < 0);
	case VSVM_CVT_F32_U32:
		return ref_int_to_f32((uint32_t)a, false);
	case VSVM_CVT_F32_S64:
		s = a;
		return ref_int_to_f32(s < 0 ? -(uint64_t)s : (uint64_t)s, s < 0);
	case VSVM_CVT_F32_U64:
		return ref_int_to_f32(a, false);
	case VSVM_CVT_S32_F32:
		if (f32_isnan(a))
			return 0;
		if (f >= 2147483648.0f)
			return 0x7fffffff;
		if (f < -2147483648.0f)
			return 0x80000000;
		return (uint32_t)(int32_t)f;
	case VSVM_CVT_U32_F32:
		if (f32_isnan(a) || f < 0)
			return 0;
		if (f >= 4294967296.0f)
			return 0xffffffff;
		return (uint32_t)f;
	case VSVM_CVT_S64_F32:
		if (f32_isnan(a))
			return 0;
		if (f >= 9223372036854775808.0f)
			return INT64_MAX;
		if (f < -9223372036854775808.0f)
			return (uint64_t)INT64_MIN;
		return (uint64_t)(int64_t)f;
	case VSVM_CVT_U64_F32:
		if (f32_isnan(a) || f < 0)
			return 0;
		if (f >= 18446744073709551616.0f)
			return UINT64_MAX;
		return (uint64_t)f;
	case VSVM_CVT_SEXT8:
		return (uint64_t)(int8_t)a;
	case VSVM_CVT_SEXT16:
		return (uint64_t)(int16_t)a;
	case VSVM_CVT_SEXT32:
		return (uint64_t)(int32_t)a;
	case VSVM_CVT_ZEXT8:
		return (uint8_t)a;
	case VSVM_CVT_ZEXT16:
		return (uint16_t)a;
	default:
		return (uint32_t)a;
	}
}

static void test_cvt(uint8_t sub, const char *name)
{
	const uint32_t ni = ARRAY_SIZE(int_edges), nc = ARRAY_SIZE(cvt_edges);
	const uint32_t nf = ARRAY_SIZE(fp_edges);
	const uint32_t n = ni + 2 * nc + 2 * nf + 4000;
	uint64_t *in = xmalloc(n * 8), *out = xmalloc(n * 16);
	struct src s = {};
	struct mism m = {};
	uint32_t i = 0, k;

	for (k = 0; k < ni; k++)
		in[i++] = int_edges[k];
	for (k = 0; k < nc; k++) {
		in[i++] = cvt_edges[k];
		in[i++] = -cvt_edges[k];
	}
	for (k = 0; k < nf; k++) {
		in[i++] = fp_edges[k];
		in[i++] = fp_reg(fp_edges[k]);
	}
	while (i < n)
		in[i++] = rnd() % 2 ? rnd_int() : fp_reg(rnd_f32());
	fill_u64(out, n * 2, POISON);

	emit(&s, VSVM_LANES_PROLOGUE);
	emit_loads(&s, 10, 1);
	emit_raw(&s, VSVM_OP_CVT, 20, 10, 0, 0, 0, sub, 0, 0);
	emit(&s, "mov r21, r10\n");
	emit_raw(&s, VSVM_OP_CVT, 21, 21, 0, 0, 0, sub, 0, 0);
	emit_stores(&s, 20, 2);
	emit(&s, VSVM_LANES_EPILOGUE);
	run_lanes(&s, &(struct vsvm_lanes){
		.n = n, .in = in, .in_stride = 8, .out = out, .out_stride = 16,
	});

	for (i = 0; i < n; i++) {
		uint64_t exp = ref_cvt(sub, in[i]);

		for (int j = 0; j < 2; j++)
			if (out[2 * i + j] != exp)
				mismatch(&m, "cvt %s (%s) lane %u: a %#" PRIx64 ": expected %#"
					 PRIx64 ", got %#" PRIx64, name, j ? "d = a" : "r",
					 i, in[i], exp, out[2 * i + j]);
	}
	free(in);
	free(out);
	mism_assert(&m, name);
}

static void test_sel(void)
{
	static const uint64_t conds[] = {
		0, 1, 0x100000000ull, 0xffffffff00000000ull, 0x80000000,
		0xffffffff, 0x8000000000000000ull,
	};
	static const uint64_t imms[] = {
		0xffffffffffffffffull, 0xdeadbeef12345678ull, 0,
	};
	const uint32_t n = 512, nout = 4 + 2 * ARRAY_SIZE(imms);
	uint64_t *in = xmalloc(n * 24), *out = xmalloc(n * nout * 8);
	struct src s = {};
	struct mism m = {};

	for (uint32_t i = 0; i < n; i++) {
		in[3 * i] = i < 2 * ARRAY_SIZE(conds) ? conds[i / 2] :
			    rnd() % 2 ? rnd_int() : conds[rnd() % ARRAY_SIZE(conds)];
		in[3 * i + 1] = rnd();
		in[3 * i + 2] = rnd();
	}
	fill_u64(out, n * nout, POISON);

	emit(&s, VSVM_LANES_PROLOGUE);
	emit_loads(&s, 10, 3);
	emit_raw(&s, VSVM_OP_SEL, 20, 10, 11, 12, VSVM_MOD_32, 0, 0, 0);
	emit_raw(&s, VSVM_OP_SEL, 21, 10, 11, 12, VSVM_MOD_64, 0, 0, 0);
	emit(&s, "mov r22, r10\nmov r23, r12\n");
	emit_raw(&s, VSVM_OP_SEL, 22, 22, 11, 12, VSVM_MOD_64, 0, 0, 0);
	emit_raw(&s, VSVM_OP_SEL, 23, 10, 11, 23, VSVM_MOD_64, 0, 0, 0);
	for (uint32_t k = 0; k < ARRAY_SIZE(imms); k++) {
		emit_raw(&s, VSVM_OP_SEL, 24 + 2 * k, 10, 0, 12, VSVM_MOD_32, 0,
			 VSVM_F_SRC1_IMM, imms[k]);
		emit_raw(&s, VSVM_OP_SEL, 25 + 2 * k, 10, 0, 12, VSVM_MOD_64, 0,
			 VSVM_F_SRC1_IMM, imms[k]);
	}
	emit_stores(&s, 20, nout);
	emit(&s, VSVM_LANES_EPILOGUE);
	run_lanes(&s, &(struct vsvm_lanes){
		.n = n, .in = in, .in_stride = 24,
		.out = out, .out_stride = nout * 8,
	});

	for (uint32_t i = 0; i < n; i++) {
		uint64_t a = in[3 * i], b = in[3 * i + 1], c = in[3 * i + 2];

		for (uint32_t j = 0; j < nout; j++) {
			bool w64 = j != 0 && !(j >= 4 && j % 2 == 0);
			uint64_t bj = j >= 4 ? imms[(j - 4) / 2] : b;
			uint64_t exp = (uint32_t)a ? bj : c;
			uint64_t got = out[i * nout + j];

			if (!w64)
				exp = (uint32_t)exp;
			if (got != exp)
				mismatch(&m, "sel.%d output %u lane %u: a %#" PRIx64 " b %#" PRIx64
					 " c %#" PRIx64 ": expected %#" PRIx64 ", got %#" PRIx64,
					 w64 ? 64 : 32, j, i, a, bj, c, exp, got);
		}
	}
	free(in);
	free(out);
	mism_assert(&m, "sel");
}

/*
 * Memory
 */

static void mem_store(const uint8_t *img)
{
	for (int p = 0; p < MEM_PAGES; p++)
		memcpy(mem_cpu[p], img + p * PAGE, PAGE);
}

static void mem_load(uint8_t *img)
{
	for (int p = 0; p < MEM_PAGES; p++)
		memcpy(img + p * PAGE, mem_cpu[p], PAGE);
}

static uint64_t le(const uint8_t *p, unsigned int size)
{
	uint64_t v = 0;

	memcpy(&v, p, size);
	return v;
}

static uint64_t sext(uint64_t v, unsigned int size)
{
	unsigned int sh = 64 - 8 * size;

	return (uint64_t)((int64_t)(v << sh) >> sh);
}

/*
 * Loads of every size and extension at every alignment, across each of the
 * page boundaries between MEM_PAGES separately bound BOs, with offsets in
 * the instruction, negative ones and one that wraps around 2^64.
 */
static void test_load_global(void)
{
	enum { NOUT = 13 };
	uint32_t n = 0, cap = 1024;
	uint64_t *off = xmalloc(cap * 8), *in, *out;
	uint8_t *img = xmalloc(MEM_SIZE);
	struct src s = {};
	struct mism m = {};

	for (uint64_t o = 0; o < 48; o++)
		off[n++] = o;
	for (uint64_t b = PAGE; b < MEM_SIZE; b += PAGE)
		for (uint64_t o = b - 16; o <= b + 1; o++)
			off[n++] = o;
	for (uint64_t o = MEM_SIZE - 24; o <= MEM_SIZE - 16; o++)
		off[n++] = o;
	while (n < 640)
		off[n++] = rnd() % (MEM_SIZE - 15);
	igt_assert(n <= cap);

	fill_random(img, MEM_SIZE);
	mem_store(img);
	in = xmalloc(n * 8);
	out = xmalloc(n * NOUT * 8);
	for (uint32_t i = 0; i < n; i++)
		in[i] = MEM_ADDR + off[i];
	fill_u64(out, n * NOUT, POISON);

	emit(&s, VSVM_LANES_PROLOGUE);
	emit_loads(&s, 10, 1);
	for (int r = 20; r < 20 + NOUT; r++)
		emit(&s, "movi r%d, %#llx\n", r, GARBAGE);
	emit(&s, "ld.global.u8 r20, [r10]\n"
		 "ld.global.s8 r21, [r10]\n"
		 "sub.64 r9, r10, 1000\n"
		 "ld.global.u16 r22, [r9 + 1000]\n"
		 "add.64 r9, r10, 77\n"
		 "ld.global.s16 r23, [r9 - 77]\n"
		 "ld.global.u32 r24, [r10]\n"
		 "ld.global.s32 r25, [r10]\n"
		 "ld.global.u64 r26, [r10]\n"
		 "ld.global.b128 r27, [r10]\n"
		 "add.64 r9, r10, 0x8000000000000000\n");
	emit_raw(&s, VSVM_OP_LD, 30, 9, 0, 0, MOD_MEM(3, 0, VSVM_SPACE_GLOBAL),
		 0, 0, 1ull << 63);
	emit(&s, "ld.global.b128 r254, [r10]\n"
		 "mov r31, r254\n"
		 "mov r32, r255\n");
	emit_stores(&s, 20, NOUT);
	emit(&s, VSVM_LANES_EPILOGUE);
	run_lanes(&s, &(struct vsvm_lanes){
		.n = n, .in = in, .in_stride = 8,
		.out = out, .out_stride = NOUT * 8,
	});

	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = img + off[i];
		const uint64_t exp[NOUT] = {
			le(p, 1), sext(le(p, 1), 1), le(p, 2), sext(le(p, 2), 2),
			le(p, 4), sext(le(p, 4), 4), le(p, 8), le(p, 8),
			le(p + 8, 8), GARBAGE, le(p, 8), le(p, 8), le(p + 8, 8),
		};
		static const char *const what[NOUT] = {
			"u8", "s8", "u16 [+1000]", "s16 [-77]", "u32", "s32",
			"u64", "b128 low", "b128 high", "register after a b128",
			"u64 with a wrapping offset", "b128 to r254", "b128 to r255",
		};

		for (int j = 0; j < NOUT; j++)
			if (out[i * NOUT + j] != exp[j])
				mismatch(&m, "ld.global.%s lane %u at MEM + %#" PRIx64
					 ": expected %#" PRIx64 ", got %#" PRIx64,
					 what[j], i, off[i], exp[j], out[i * NOUT + j]);
	}
	free(off);
	free(in);
	free(out);
	free(img);
	mism_assert(&m, "global loads");
}

static bool claim_bytes(uint8_t *used, uint64_t off, unsigned int size)
{
	for (unsigned int k = 0; k < size; k++)
		if (used[off + k])
			return false;
	memset(used + off, 1, size);
	return true;
}

/*
 * Stores of one size: lanes write disjoint ranges, some across each split
 * point of a page boundary, and the whole area is compared afterwards, so a
 * byte written where it should not be is found too.
 */
static void test_store_global(unsigned int log2size)
{
	const unsigned int size = 1u << log2size;
	const char *const names[] = { "u8", "u16", "u32", "u64", "b128" };
	uint8_t *used = calloc(MEM_SIZE, 1), *img = xmalloc(MEM_SIZE);
	uint8_t *exp = xmalloc(MEM_SIZE), *got = xmalloc(MEM_SIZE);
	uint32_t n = 0, tries = 0;
	uint64_t *in = xmalloc(400 * 32), off, out = 0;
	struct src s = {};

	igt_assert(used);
	/* Split point j at page boundary j: j bytes before it, the rest after. */
	for (unsigned int j = 1; j < size; j++) {
		off = j * PAGE - j;
		igt_assert(claim_bytes(used, off, size));
		in[4 * n++] = off;
	}
	while (n < 400 && tries++ < 100000) {
		off = rnd() % (MEM_SIZE - size + 1);
		if (rnd() % 2)
			off &= ~(uint64_t)(size - 1);
		if (claim_bytes(used, off, size))
			in[4 * n++] = off;
	}
	/* Lanes in random order. */
	for (uint32_t i = n - 1; i > 0; i--) {
		uint32_t k = rnd() % (i + 1);
		uint64_t t = in[4 * i];

		in[4 * i] = in[4 * k];
		in[4 * k] = t;
	}

	fill_random(img, MEM_SIZE);
	mem_store(img);
	memcpy(exp, img, MEM_SIZE);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t *x = &in[4 * i];

		off = x[0];
		x[0] = MEM_ADDR + off;
		x[1] = rnd();
		x[2] = rnd();
		x[3] = rnd() % 2;
		memcpy(exp + off, &x[1], size < 8 ? size : 8);
		if (size == 16)
			memcpy(exp + off + 8, &x[2], 8);
	}

	emit(&s, VSVM_LANES_PROLOGUE);
	emit_loads(&s, 10, 4);
	emit(&s, "mov r254, r11\n"
		 "mov r255, r12\n"
		 "if r13\n"
		 "sub.64 r9, r10, 0x1234\n"
		 "st.global.%s [r9 + 0x1234], r%d\n"
		 "else\n"
		 "add.64 r9, r10, 7\n"
		 "st.global.%s [r9 - 7], r%d\n"
		 "endif\n", names[log2size], size == 16 ? 254 : 11,
		 names[log2size], size == 16 ? 254 : 11);
	emit(&s, VSVM_LANES_EPILOGUE);
	run_lanes(&s, &(struct vsvm_lanes){
		.n = n, .in = in, .in_stride = 32, .out = &out, .out_stride = 0,
	});

	mem_load(got);
	check_bytes(got, exp, MEM_SIZE, names[log2size]);
	free(used);
	free(img);
	free(exp);
	free(got);
	free(in);
}

struct split_case {
	const char *name;
	const char *insn;	/* address r1, data r2 (and r3), loads into r3 */
	uint64_t addr;
	unsigned int size;
	uint32_t status;
	uint32_t access;
};

/*
 * An access that crosses into a page it may not use fails before any byte
 * moves: a store leaves the first page as it was.
 */
static void test_split_fault(const struct split_case *c)
{
	uint8_t fault_before[PAGE], ro_before[2 * PAGE];
	struct drm_vsvm_wait res;
	size_t size;
	void *code;
	struct src s = {};
	uint32_t pc;
	uint64_t *out = (uint64_t *)(runner->data + AREA_OFF);

	fill_random(fault_cpu, PAGE);
	fill_random(ro_cpu[0], PAGE);
	fill_random(ro_cpu[1], PAGE);
	memcpy(fault_before, fault_cpu, PAGE);
	memcpy(ro_before, ro_cpu[0], PAGE);
	memcpy(ro_before + PAGE, ro_cpu[1], PAGE);
	*out = POISON;

	emit(&s, "movi r1, %#" PRIx64 "\n"
		 "movi r2, 0x1122334455667788\n"
		 "movi r3, 0x99aabbccddeeff00\n"
		 "movi r4, %#" PRIx64 "\n"
		 "%s\n"
		 "st.global.u64 [r4], r3\n", c->addr,
	     vsvm_runner_addr(runner, AREA_OFF), c->insn);
	res = run_status(&s, &(struct vsvm_launch){}, &code, &size);
	pc = find_insn(code, size, c->insn[0] == 'l' ? VSVM_OP_LD : VSVM_OP_ST, 0);
	free(code);

	check_status(&res, c->status, c->name);
	if (c->status == DRM_VSVM_STATUS_OK) {
		igt_assert(c->addr >= RO_ADDR && c->addr + 8 <= RO_ADDR + 2 * PAGE);
		igt_assert_eq_u64(*out, le(ro_before + (c->addr - RO_ADDR), 8));
	} else {
		igt_assert_f(res.fault_addr >= c->addr &&
			     res.fault_addr < c->addr + c->size,
			     "fault_addr %#llx outside the access [%#" PRIx64 ", +%u)\n",
			     (unsigned long long)res.fault_addr, c->addr, c->size);
		igt_assert_f((res.fault_access & c->access) == c->access,
			     "fault_access %#x lacks %#x\n", res.fault_access,
			     c->access);
		igt_assert_eq_u32(res.fault_pc, pc);
		igt_assert_eq_u64(*out, POISON);
	}
	check_bytes(fault_cpu, fault_before, PAGE, "page before the unbound one");
	check_bytes(ro_cpu[0], ro_before, PAGE, "page before the read-only one");
	check_bytes(ro_cpu[1], ro_before + PAGE, PAGE, "read-only page");
}

/* Shared memory: zero at start, per workgroup, every size, through a BAR. */
static void test_shared_memory(void)
{
	enum { WG = 96, WGS = 2, N = WG * WGS, NIN = 6, NOUT = 11, SHARED = 3072 };
	uint64_t *in = xmalloc(N * NIN * 8), *out = xmalloc(N * NOUT * 8);
	uint8_t sh[WGS][SHARED];
	struct mism m = {};

	for (int run = 0; run < 2; run++) {
		struct src s = {};

		for (int i = 0; i < N * NIN; i++)
			in[i] = rnd();
		fill_u64(out, N * NOUT, POISON);

		emit(&s, VSVM_LANES_PROLOGUE);
		emit_loads(&s, 10, NIN);
		emit(&s, "sv r30, local_id.x\n"
			 "mul.64 r32, r30, 24\n"
			 "movi r33, %d\n"
			 "ld.shared.u64 r20, [r32 + 3]\n"
			 "ld.shared.u32 r21, [r33 - 4]\n"
			 "bar\n"
			 "st.shared.u16 [r32], r13\n"
			 "st.shared.u8 [r32 + 2], r14\n"
			 "st.shared.b128 [r32 + 3], r10\n"
			 "st.shared.u32 [r32 + 19], r12\n"
			 "st.shared.u8 [r32 + 23], r15\n"
			 "bar\n"
			 "add.64 r34, r30, 37\n"
			 "remu.64 r34, r34, %d\n"
			 "mul.64 r34, r34, 24\n"
			 "ld.shared.u64 r22, [r34]\n"
			 "ld.shared.s32 r23, [r34 + 8]\n"
			 "ld.shared.b128 r24, [r34 + 5]\n"
			 "ld.shared.s8 r26, [r34 + 23]\n"
			 "ld.shared.s16 r27, [r34 + 1]\n"
			 "ld.shared.u32 r28, [r34 + 20]\n"
			 "ld.shared.u64 r29, [r33 - 8]\n"
			 "ld.shared.s8 r30, [r34 + 2]\n",
		     SHARED, WG);
		emit_stores(&s, 20, NOUT);
		emit(&s, VSVM_LANES_EPILOGUE);
		run_lanes(&s, &(struct vsvm_lanes){
			.n = N, .wg_size = WG, .in = in, .in_stride = NIN * 8,
			.out = out, .out_stride = NOUT * 8,
			.shared_size = SHARED,
		});

		memset(sh, 0, sizeof(sh));
		for (int i = 0; i < N; i++) {
			uint8_t *p = &sh[i / WG][(i % WG) * 24];
			const uint64_t *x = &in[i * NIN];

			memcpy(p, &x[3], 2);
			memcpy(p + 2, &x[4], 1);
			memcpy(p + 3, &x[0], 8);
			memcpy(p + 11, &x[1], 8);
			memcpy(p + 19, &x[2], 4);
			memcpy(p + 23, &x[5], 1);
		}
		for (int i = 0; i < N; i++) {
			const uint8_t *q = &sh[i / WG][((i % WG + 37) % WG) * 24];
			const uint64_t exp[NOUT] = {
				0, 0, le(q, 8), sext(le(q + 8, 4), 4), le(q + 5, 8),
				le(q + 13, 8), sext(le(q + 23, 1), 1),
				sext(le(q + 1, 2), 2), le(q + 20, 4), 0,
				sext(le(q + 2, 1), 1),
			};

			for (int j = 0; j < NOUT; j++)
				if (out[i * NOUT + j] != exp[j])
					mismatch(&m, "run %d lane %d output %d: expected %#"
						 PRIx64 ", got %#" PRIx64, run, i, j, exp[j],
						 out[i * NOUT + j]);
		}
	}
	free(in);
	free(out);
	mism_assert(&m, "shared memory");
}

/* Scratch: zero at start, private to each lane, every size. */
static void test_scratch_memory(void)
{
	enum { WG = 64, N = 2 * WG, NIN = 5, NOUT = 11, SCRATCH = 64 };
	uint64_t *in = xmalloc(N * NIN * 8), *out = xmalloc(N * NOUT * 8);
	struct src s = {};
	struct mism m = {};

	for (int i = 0; i < N * NIN; i++)
		in[i] = rnd();
	fill_u64(out, N * NOUT, POISON);

	emit(&s, VSVM_LANES_PROLOGUE);
	emit_loads(&s, 10, NIN);
	emit(&s, "movi r30, 0\n"
		 "ld.scratch.u64 r20, [r30]\n"
		 "ld.scratch.b128 r21, [r30 + 48]\n"
		 "st.scratch.u64 [r30], r10\n"
		 "st.scratch.b128 [r30 + 8], r11\n"
		 "st.scratch.u32 [r30 + 24], r13\n"
		 "st.scratch.u16 [r30 + 28], r14\n"
		 "st.scratch.u8 [r30 + 63], r13\n"
		 "st.scratch.u64 [r30 + 33], r14\n"
		 "bar\n"
		 "ld.scratch.u64 r23, [r30]\n"
		 "ld.scratch.s8 r24, [r30 + 63]\n"
		 "ld.scratch.b128 r25, [r30 + 8]\n"
		 "ld.scratch.u64 r27, [r30 + 33]\n"
		 "ld.scratch.s32 r28, [r30 + 24]\n"
		 "ld.scratch.u64 r29, [r30 + 26]\n"
		 "ld.scratch.s16 r30, [r30 + 40]\n");
	emit_stores(&s, 20, NOUT);
	emit(&s, VSVM_LANES_EPILOGUE);
	run_lanes(&s, &(struct vsvm_lanes){
		.n = N, .wg_size = WG, .in = in, .in_stride = NIN * 8,
		.out = out, .out_stride = NOUT * 8, .scratch_size = SCRATCH,
	});

	for (int i = 0; i < N; i++) {
		const uint64_t *x = &in[i * NIN];
		uint8_t sc[SCRATCH] = {};
		uint64_t exp[NOUT];

		memcpy(sc, &x[0], 8);
		memcpy(sc + 8, &x[1], 8);
		memcpy(sc + 16, &x[2], 8);
		memcpy(sc + 24, &x[3], 4);
		memcpy(sc + 28, &x[4], 2);
		memcpy(sc + 63, &x[3], 1);
		memcpy(sc + 33, &x[4], 8);
		memcpy(exp, (const uint64_t [NOUT]){
			0, 0, 0, le(sc, 8), sext(le(sc + 63, 1), 1),
			le(sc + 8, 8), le(sc + 16, 8), le(sc + 33, 8),
			sext(le(sc + 24, 4), 4), le(sc + 26, 8),
			sext(le(sc + 40, 2), 2),
		}, sizeof(exp));

		for (int j = 0; j < NOUT; j++)
			if (out[i * NOUT + j] != exp[j])
				mismatch(&m, "lane %d output %d: expected %#" PRIx64
					 ", got %#" PRIx64, i, j, exp[j], out[i * NOUT + j]);
	}
	free(in);
	free(out);
	mism_assert(&m, "scratch memory");
}

struct oob_case {
	const char *name;
	const char *op;		/* the instruction is "OP.SPACE.OPERANDS" */
	const char *operands;	/* address r9, data r20 */
	uint32_t limit;		/* shared_size or scratch_size */
	uint64_t bad, good;
	uint32_t access;
};

static const struct oob_case oob_cases[] = {
	{ "ld-u32-past-end", "ld", "u32 r21, [r9]", 256, 253, 252, DRM_VSVM_ACCESS_READ },
	{ "ld-b128-past-end", "ld", "b128 r21, [r9]", 256, 241, 240, DRM_VSVM_ACCESS_READ },
	{ "ld-u8-at-end", "ld", "u8 r21, [r9]", 256, 256, 255, DRM_VSVM_ACCESS_READ },
	{ "ld-u64-far", "ld", "u64 r21, [r9]", 256, 0x100000000ull, 248, DRM_VSVM_ACCESS_READ },
	{ "ld-wrapping-offset", "ld", "u64 r21, [r9]", 256, 0xfffffffffffffff8ull, 0,
	  DRM_VSVM_ACCESS_READ },
	{ "ld-odd-size", "ld", "u32 r21, [r9]", 100, 97, 96, DRM_VSVM_ACCESS_READ },
	{ "ld-zero-size", "ld", "u8 r21, [r9]", 0, 0, 0, DRM_VSVM_ACCESS_READ },
	{ "st-u64-past-end", "st", "u64 [r9], r20", 256, 249, 248, DRM_VSVM_ACCESS_WRITE },
	{ "st-u8-at-end", "st", "u8 [r9], r20", 256, 256, 255, DRM_VSVM_ACCESS_WRITE },
	{ "st-b128-past-end", "st", "b128 [r9], r20", 256, 248, 240, DRM_VSVM_ACCESS_WRITE },
	{ "atom-u32-at-end", "atom", "add.u32 r21, [r9], r20", 256, 256, 252,
	  DRM_VSVM_ACCESS_ATOMIC },
	{ "atom-u64-past-end", "atom", "xchg.u64 r21, [r9], r20", 100, 96, 88,
	  DRM_VSVM_ACCESS_ATOMIC },
};

/*
 * One lane of the second wave goes out of bounds, the others stay in: the
 * job fails UNMAPPED with the offset, the space and the kind of access.
 */
static void test_local_oob(const struct oob_case *c, bool shared)
{
	const char *space = shared ? "shared" : "scratch";
	uint32_t flag = shared ? DRM_VSVM_ACCESS_SHARED : DRM_VSVM_ACCESS_SCRATCH;
	uint64_t args[2];
	struct drm_vsvm_wait res;
	struct src s = {};
	size_t size;
	void *code;
	uint32_t pc;
	char insn[128];

	snprintf(insn, sizeof(insn), "%s.%s.%s", c->op, space, c->operands);
	for (int bad = c->limit ? 0 : 1; bad < 2; bad++) {
		struct vsvm_launch l = {
			.wg_size = { 64 },
			.args = args, .args_size = sizeof(args),
		};

		if (shared)
			l.shared_size = c->limit;
		else
			l.scratch_size = c->limit;
		args[0] = bad ? c->bad : c->good;
		args[1] = c->good;
		emit(&s, "sv r0, local_id.x\n"
			 "ldarg.u64 r10, 0\n"
			 "ldarg.u64 r11, 8\n"
			 "icmp.eq.32 r1, r0, 40\n"
			 "sel.64 r9, r1, r10, r11\n"
			 "movi r20, 0x55\n"
			 "%s\n", insn);
		res = run_status(&s, &l, &code, &size);
		pc = find_insn(code, size, insn[0] == 'l' ? VSVM_OP_LD :
			       insn[0] == 's' ? VSVM_OP_ST : VSVM_OP_ATOM, 0);
		free(code);
		if (!bad) {
			check_status(&res, DRM_VSVM_STATUS_OK, "in bounds");
			continue;
		}
		check_status(&res, DRM_VSVM_STATUS_UNMAPPED, insn);
		igt_assert_eq_u64(res.fault_addr, c->bad);
		igt_assert_f((res.fault_access & (flag | c->access)) == (flag | c->access),
			     "fault_access %#x lacks %#x\n", res.fault_access,
			     flag | c->access);
		igt_assert_eq_u32(res.fault_pc, pc);
	}
}

/*
 * LDARG
 */

/* Every size and extension, up to the last byte; the same value in every lane. */
static void test_ldarg(void)
{
	enum { N = 96, NOUT = 14, EXTRA = 64 };
	uint8_t extra[EXTRA];
	uint64_t *out = xmalloc(N * NOUT * 8);
	const uint8_t *a = extra - VSVM_LANES_EXTRA_ARGS;	/* by argument offset */
	struct mism m = {};

	for (int run = 0; run < 2; run++) {
		struct src s = {};

		fill_random(extra, EXTRA);
		/* The sign bits of the signed loads: set, then clear. */
		for (int k = 0; k < EXTRA; k++)
			extra[k] = run ? extra[k] & 0x7f : extra[k] | 0x80;
		fill_u64(out, N * NOUT, POISON);

		emit(&s, VSVM_LANES_PROLOGUE);
		for (int r = 20; r < 20 + NOUT; r++)
			emit(&s, "movi r%d, %#llx\n", r, GARBAGE);
		emit(&s, "ldarg.u8 r20, 95\n"
			 "ldarg.s8 r21, 95\n"
			 "ldarg.u16 r22, 94\n"
			 "ldarg.s16 r23, 46\n"
			 "ldarg.u32 r24, 92\n"
			 "ldarg.s32 r25, 36\n"
			 "ldarg.u64 r26, 88\n"
			 "ldarg.b128 r27, 80\n"
			 "ldarg.b128 r254, 32\n"
			 "mov r29, r254\n"
			 "mov r30, r255\n"
			 "ldarg.s8 r31, 33\n"
			 "sv r8, lane_id\n"
			 "and.64 r8, r8, 1\n"
			 "if r8\n"
			 "ldarg.u64 r32, 40\n"
			 "endif\n"
			 "ldarg.s16 r33, 64\n");
		emit_stores(&s, 20, NOUT);
		emit(&s, VSVM_LANES_EPILOGUE);
		run_lanes(&s, &(struct vsvm_lanes){
			.n = N, .out = out, .out_stride = NOUT * 8,
			.extra_args = extra, .extra_args_size = EXTRA,
		});

		for (int i = 0; i < N; i++) {
			const uint64_t exp[NOUT] = {
				a[95], sext(a[95], 1), le(a + 94, 2),
				sext(le(a + 46, 2), 2), le(a + 92, 4),
				sext(le(a + 36, 4), 4), le(a + 88, 8), le(a + 80, 8),
				le(a + 88, 8), le(a + 32, 8), le(a + 40, 8),
				sext(a[33], 1), i % 2 ? le(a + 40, 8) : GARBAGE,
				sext(le(a + 64, 2), 2),
			};

			for (int j = 0; j < NOUT; j++)
				if (out[i * NOUT + j] != exp[j])
					mismatch(&m, "run %d lane %d output %d: expected %#"
						 PRIx64 ", got %#" PRIx64, run, i, j,
						 exp[j], out[i * NOUT + j]);
		}
	}
	free(out);
	mism_assert(&m, "ldarg");
}

/* An argument buffer across a page boundary: LDARG reads both pages. */
static void test_ldarg_page_crossing(void)
{
	enum { N = 8, ARGS = 80 };
	const uint64_t args_off = PAGE - 36;
	uint8_t *a = argx_cpu + args_off;
	uint64_t *out = (uint64_t *)(runner->data + AREA_OFF);
	struct src s = {};
	struct mism m = {};

	fill_random(argx_cpu, 2 * PAGE);
	*(uint64_t *)a = vsvm_runner_addr(runner, AREA_OFF);
	fill_u64(out, N * 4, POISON);
	emit(&s, "ldarg.u64 r1, 0\n"
		 "sv r0, global_id.x\n"
		 "shl.64 r3, r0, 5\n"
		 "add.64 r1, r1, r3\n"
		 "ldarg.u64 r20, 32\n"
		 "ldarg.b128 r21, 32\n"
		 "ldarg.s32 r23, 36\n"
		 "st.global.u64 [r1], r20\n"
		 "st.global.u64 [r1 + 8], r21\n"
		 "st.global.u64 [r1 + 16], r22\n"
		 "st.global.u64 [r1 + 24], r23\n");
	run_ok(&s, &(struct vsvm_launch){
		.wg_size = { N }, .args_addr = ARGX_ADDR + args_off,
		.args_size = ARGS,
	});

	for (int i = 0; i < N; i++) {
		const uint64_t exp[4] = {
			le(a + 32, 8), le(a + 32, 8), le(a + 40, 8),
			sext(le(a + 36, 4), 4),
		};

		for (int j = 0; j < 4; j++)
			if (out[i * 4 + j] != exp[j])
				mismatch(&m, "lane %d output %d: expected %#" PRIx64
					 ", got %#" PRIx64, i, j, exp[j], out[i * 4 + j]);
	}
	mism_assert(&m, "ldarg across a page");
}

/*
 * LDARG reads the argument buffer through the VM while the job runs: an
 * unmapped one faults when read, and not at all in a block no lane enters.
 */
static void test_ldarg_fault(void)
{
	uint64_t *out = (uint64_t *)(runner->data + AREA_OFF);
	struct vsvm_launch l = { .args_addr = UNBOUND_ADDR, .args_size = 16 };
	struct drm_vsvm_wait res;
	struct src s = {};
	size_t size;
	void *code;

	out[0] = POISON;
	out[1] = POISON;
	emit(&s, "movi r1, %#" PRIx64 "\n"
		 "movi r2, 1\n"
		 "st.global.u64 [r1], r2\n"
		 "if r0\n"
		 "ldarg.u64 r3, 8\n"
		 "endif\n"
		 "movi r2, 2\n"
		 "st.global.u64 [r1 + 8], r2\n", vsvm_runner_addr(runner, AREA_OFF));
	run_ok(&s, &l);
	igt_assert_eq_u64(out[0], 1);
	igt_assert_eq_u64(out[1], 2);

	out[0] = POISON;
	out[1] = POISON;
	emit(&s, "movi r1, %#" PRIx64 "\n"
		 "movi r2, 1\n"
		 "st.global.u64 [r1], r2\n"
		 "ldarg.u64 r3, 8\n"
		 "st.global.u64 [r1 + 8], r3\n", vsvm_runner_addr(runner, AREA_OFF));
	res = run_status(&s, &l, &code, &size);
	check_status(&res, DRM_VSVM_STATUS_UNMAPPED, "LDARG of an unmapped buffer");
	igt_assert_eq_u64(res.fault_addr, UNBOUND_ADDR + 8);
	igt_assert_f(res.fault_access & DRM_VSVM_ACCESS_READ,
		     "fault_access %#x\n", res.fault_access);
	igt_assert_eq_u32(res.fault_pc, find_insn(code, size, VSVM_OP_LDARG, 0));
	igt_assert_eq_u64(out[0], 1);
	igt_assert_eq_u64(out[1], POISON);
	free(code);
}

/*
 * Atomics
 */

static const struct {
	const char *name;
	uint8_t sub;
} atom_ops[] = {
	{ "add", VSVM_ATOMIC_ADD }, { "smin", VSVM_ATOMIC_SMIN },
	{ "smax", VSVM_ATOMIC_SMAX }, { "umin", VSVM_ATOMIC_UMIN },
	{ "umax", VSVM_ATOMIC_UMAX }, { "and", VSVM_ATOMIC_AND },
	{ "or", VSVM_ATOMIC_OR }, { "xor", VSVM_ATOMIC_XOR },
	{ "xchg", VSVM_ATOMIC_XCHG }, { "cmpxchg", VSVM_ATOMIC_CMPXCHG },
};

static uint64_t atom_ref(uint8_t sub, bool w64, uint64_t old, uint64_t b,
			 uint64_t c)
{
	const uint64_t mask = w64 ? ~0ull : 0xffffffffull;
	int64_t so = w64 ? (int64_t)old : (int32_t)old;
	int64_t sb = w64 ? (int64_t)b : (int32_t)b;

	old &= mask;
	b &= mask;
	c &= mask;
	switch (sub) {
	case VSVM_ATOMIC_ADD:
		return (old + b) & mask;
	case VSVM_ATOMIC_SMIN:
		return so < sb ? old : b;
	case VSVM_ATOMIC_SMAX:
		return so > sb ? old : b;
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

/*
 * Is there an order of the lanes in which applying their operations one
 * after another, from @init, gives each lane the old value it returned and
 * ends at @final? A lane whose operation leaves the value unchanged can go
 * wherever the value equals its old one, so those are placed as soon as
 * possible; the others are searched depth first.
 */
struct serial {
	uint8_t sub;
	bool w64;
	uint32_t n;
	const uint64_t *b, *c, *old;
	uint64_t final;
	bool *used;
	long budget;
};

static bool serial_search(struct serial *s, uint64_t v, uint32_t left)
{
	uint32_t placed[1024], np = 0;
	bool ok = false;

	for (uint32_t i = 0; i < s->n; i++) {
		if (!s->used[i] && s->old[i] == v &&
		    atom_ref(s->sub, s->w64, v, s->b[i], s->c[i]) == v) {
			s->used[i] = true;
			placed[np++] = i;
		}
	}
	left -= np;
	if (!left) {
		ok = v == s->final;
	} else {
		for (uint32_t i = 0; i < s->n && !ok && s->budget > 0; i++) {
			if (s->used[i] || s->old[i] != v)
				continue;
			s->budget--;
			s->used[i] = true;
			ok = serial_search(s, atom_ref(s->sub, s->w64, v, s->b[i],
						       s->c[i]), left - 1);
			s->used[i] = false;
		}
	}
	for (uint32_t k = 0; k < np; k++)
		s->used[placed[k]] = false;
	return ok;
}

/* Inputs for @n lanes on one address that make a serial order checkable. */
static uint64_t atom_inputs(uint8_t sub, bool w64, uint32_t n, uint64_t *b,
			    uint64_t *c)
{
	const unsigned int w = w64 ? 64 : 32;
	const uint64_t mask = w64 ? ~0ull : 0xffffffffull;
	/* 32-bit atomics ignore the upper half of b and c. */
	const uint64_t junk = w64 ? 0 : 0xdead000000000000ull;
	uint64_t init = rnd_int() & mask;

	for (uint32_t i = 0; i < n; i++) {
		c[i] = 0;
		switch (sub) {
		case VSVM_ATOMIC_ADD:
			/* Wraps around 2^W on the way. */
			init = (mask - 0x10000) & mask;
			b[i] = 1 + rnd() % 0x1000;
			break;
		case VSVM_ATOMIC_AND:
			init = mask;
			b[i] = ~(1ull << (i % w)) & (rnd() | rnd() | rnd());
			break;
		case VSVM_ATOMIC_OR:
			init = 0;
			b[i] = (1ull << (i % w)) | (rnd() & rnd() & rnd());
			break;
		case VSVM_ATOMIC_XCHG:
			b[i] = (rnd() & ~0xffull) | i;
			break;
		case VSVM_ATOMIC_CMPXCHG:
			/* In lane order every exchange succeeds. */
			c[i] = (init + i) & mask;
			b[i] = (init + i + 1) & mask;
			break;
		default:
			b[i] = rnd_int();
			break;
		}
		b[i] = (b[i] & mask) | (rnd() & junk);
		c[i] |= rnd() & junk;
	}
	return init;
}

static void check_serial(uint8_t sub, bool w64, uint32_t n, uint64_t init,
			 uint64_t final, const uint64_t *b, const uint64_t *c,
			 const uint64_t *old, const char *what)
{
	bool *used = calloc(n, sizeof(*used));
	struct serial s = {
		.sub = sub, .w64 = w64, .n = n, .b = b, .c = c, .old = old,
		.final = final, .used = used, .budget = 1000000,
	};

	igt_assert(used);
	for (uint32_t i = 0; i < n; i++)
		igt_assert_f(w64 || !(old[i] >> 32),
			     "%s: lane %u got %#" PRIx64 ", not zero-extended\n",
			     what, i, old[i]);
	igt_assert_f(serial_search(&s, init, n),
		     "%s: no serial order of the %u lanes from %#" PRIx64
		     " gives their old values and the final %#" PRIx64 "\n",
		     what, n, init, final);
	free(used);
}

static const char *atom_name(uint8_t sub)
{
	for (unsigned int k = 0; k < ARRAY_SIZE(atom_ops); k++)
		if (atom_ops[k].sub == sub)
			return atom_ops[k].name;
	return "?";
}

static void emit_atom(struct src *s, const char *space, uint8_t sub, bool w64,
		      int d, int a, int b, int c)
{
	if (sub == VSVM_ATOMIC_CMPXCHG)
		emit(s, "atom.%s.cmpxchg.%s r%d, [r%d], r%d, r%d\n", space,
		     w64 ? "u64" : "u32", d, a, b, c);
	else
		emit(s, "atom.%s.%s.%s r%d, [r%d], r%d\n", space,
		     atom_name(sub), w64 ? "u64" : "u32", d, a, b);
}

/*
 * All lanes of two workgroups (global) or of four waves of one workgroup
 * (shared) on one address: the memory ends as some serial composition of
 * the operations and the old values returned are consistent with it.
 */
static void test_atomic_same(uint8_t sub, bool w64, bool shared)
{
	enum { N = 128, OUTS = 5 };
	const unsigned int size = w64 ? 8 : 4;
	const uint64_t toff = shared ? (w64 ? 16 : 20) : (w64 ? 64 : 68);
	uint64_t b[N], c[N], in[2 * N], out[N * OUTS], old[N], init, final;
	uint8_t *area = runner->data + AREA_OFF, before[128], exp[128];
	const char *what = shared ? "shared" : "global";
	struct src s = {};

	init = atom_inputs(sub, w64, N, b, c);
	for (int i = 0; i < N; i++) {
		in[2 * i] = b[i];
		in[2 * i + 1] = c[i];
	}
	fill_u64(out, N * OUTS, POISON);

	emit(&s, VSVM_LANES_PROLOGUE);
	emit_loads(&s, 11, 2);
	if (shared) {
		uint64_t arg = init;

		emit(&s, "ldarg.u64 r14, 32\n"
			 "sv r30, local_id.x\n"
			 "icmp.eq.32 r31, r30, 0\n"
			 "movi r15, %" PRIu64 "\n"
			 "if r31\n"
			 "st.shared.%s [r15], r14\n"
			 "endif\n"
			 "bar\n"
			 "movi r20, %#llx\n", toff, w64 ? "u64" : "u32", GARBAGE);
		emit_atom(&s, "shared", sub, w64, 20, 15, 11, 12);
		emit(&s, "bar\n"
			 "st.global.u64 [r2], r20\n"
			 "if r31\n"
			 "movi r16, 8\n"
			 "ld.shared.b128 r21, [r16]\n"
			 "ld.shared.b128 r23, [r16 + 16]\n");
		emit_stores_at(&s, 21, 4, 8);
		emit(&s, "endif\n");
		emit(&s, VSVM_LANES_EPILOGUE);
		run_lanes(&s, &(struct vsvm_lanes){
			.n = N, .wg_size = N, .in = in, .in_stride = 16,
			.out = out, .out_stride = OUTS * 8,
			.extra_args = &arg, .extra_args_size = 8,
			.shared_size = 64,
		});
		/* Shared [8, 40) as lane 0 saw it after the second BAR. */
		memcpy(before, &out[1], 32);
		final = le(before + toff - 8, size);
		memset(exp, 0, 32);
		memcpy(exp + toff - 8, &final, size);
		check_bytes(before, exp, 32, "shared memory around the target");
	} else {
		uint64_t arg = vsvm_runner_addr(runner, AREA_OFF + toff);

		fill_random(area, sizeof(before));
		memcpy(area + toff, &init, size);
		memcpy(before, area, sizeof(before));
		emit(&s, "ldarg.u64 r13, 32\n"
			 "movi r20, %#llx\n", GARBAGE);
		emit_atom(&s, "global", sub, w64, 20, 13, 11, 12);
		emit(&s, "st.global.u64 [r2], r20\n");
		emit(&s, VSVM_LANES_EPILOGUE);
		run_lanes(&s, &(struct vsvm_lanes){
			.n = N, .wg_size = 64, .in = in, .in_stride = 16,
			.out = out, .out_stride = OUTS * 8,
			.extra_args = &arg, .extra_args_size = 8,
		});
		final = le(area + toff, size);
		memcpy(exp, before, sizeof(exp));
		memcpy(exp + toff, &final, size);
		check_bytes(area, exp, sizeof(exp), "memory around the target");
	}
	for (int i = 0; i < N; i++)
		old[i] = out[i * OUTS];
	check_serial(sub, w64, N, init, final, b, c, old, what);
}

/* Every lane on its own address: old value and result of each. */
static void test_atomic_distinct(uint8_t sub, bool w64, unsigned int space)
{
	enum { N = 128, WG = 64, NIN = 4, NOUT = 3 };
	static const char *const spaces[] = { "global", "shared", "scratch" };
	const unsigned int size = w64 ? 8 : 4, w = w64 ? 64 : 32;
	const uint64_t mask = w64 ? ~0ull : 0xffffffffull;
	const uint64_t junk = w64 ? 0 : 0xbad0000000000000ull;
	uint64_t in[N * NIN], out[N * NOUT], init[N], toff[N];
	uint8_t *area = runner->data + AREA_OFF, *exp = xmalloc(N * 16);
	struct src s = {};
	struct mism m = {};

	for (int i = 0; i < N; i++) {
		uint64_t *x = &in[i * NIN];

		init[i] = rnd_int() & mask;
		toff[i] = w64 ? 8 * (i & 1) : 4 + 8 * (i & 1);
		x[0] = (rnd_int() & mask) | (rnd() & junk);
		x[1] = init[i];
		if (sub == VSVM_ATOMIC_CMPXCHG && (i & 2))
			x[1] ^= 1ull << (rnd() % w);
		x[1] |= rnd() & junk;
		x[3] = init[i] | (rnd() & junk);
	}
	fill_u64(out, N * NOUT, POISON);

	emit(&s, VSVM_LANES_PROLOGUE);
	emit_loads(&s, 11, NIN);
	if (space == VSVM_SPACE_GLOBAL) {
		fill_random(area, N * 16);
		for (int i = 0; i < N; i++) {
			memcpy(area + i * 16 + toff[i], &init[i], size);
			in[i * NIN + 2] = vsvm_runner_addr(runner, AREA_OFF + i * 16 + toff[i]);
		}
		memcpy(exp, area, N * 16);
		emit(&s, "mov r15, r13\n");
	} else {
		memset(exp, 0, N * 16);
		for (int i = 0; i < N; i++)
			in[i * NIN + 2] = toff[i];
		if (space == VSVM_SPACE_SHARED)
			emit(&s, "sv r16, local_id.x\nshl.64 r16, r16, 4\n");
		else
			emit(&s, "movi r16, 0\n");
		emit(&s, "add.64 r15, r16, r13\n"
			 "st.%s.%s [r15], r14\n", spaces[space],
		     w64 ? "u64" : "u32");
	}
	emit(&s, "movi r20, %#llx\n", GARBAGE);
	emit_atom(&s, spaces[space], sub, w64, 20, 15, 11, 12);
	if (space == VSVM_SPACE_GLOBAL)
		emit(&s, "ld.global.%s r21, [r15]\nmovi r22, 0\n",
		     w64 ? "u64" : "u32");
	else
		emit(&s, "sub.64 r15, r15, r13\nld.%s.b128 r21, [r15]\n",
		     spaces[space]);
	emit_stores(&s, 20, NOUT);
	emit(&s, VSVM_LANES_EPILOGUE);
	run_lanes(&s, &(struct vsvm_lanes){
		.n = N, .wg_size = WG, .in = in, .in_stride = NIN * 8,
		.out = out, .out_stride = NOUT * 8,
		.shared_size = space == VSVM_SPACE_SHARED ? WG * 16 : 0,
		.scratch_size = space == VSVM_SPACE_SCRATCH ? 16 : 0,
	});

	for (int i = 0; i < N; i++) {
		const uint64_t *x = &in[i * NIN];
		uint64_t final = atom_ref(sub, w64, init[i], x[0], x[1]);
		uint8_t *slot = exp + i * 16;

		memcpy(slot + toff[i], &final, size);
		if (out[i * NOUT] != init[i])
			mismatch(&m, "%s lane %d: old value %#" PRIx64 ", expected %#" PRIx64,
				 atom_name(sub), i, out[i * NOUT], init[i]);
		if (space == VSVM_SPACE_GLOBAL) {
			if (out[i * NOUT + 1] != final)
				mismatch(&m, "%s lane %d: %#" PRIx64 " op (%#" PRIx64 ", %#"
					 PRIx64 ") read back %#" PRIx64 ", expected %#" PRIx64,
					 atom_name(sub), i, init[i], x[0], x[1],
					 out[i * NOUT + 1], final);
		} else if (memcmp(&out[i * NOUT + 1], slot, 16)) {
			mismatch(&m, "%s lane %d: %#" PRIx64 " op (%#" PRIx64 ", %#" PRIx64
				 ") left the slot %#" PRIx64 ":%#" PRIx64 ", expected %#"
				 PRIx64 ":%#" PRIx64, atom_name(sub), i, init[i], x[0],
				 x[1], out[i * NOUT + 1], out[i * NOUT + 2],
				 le(slot, 8), le(slot + 8, 8));
		}
	}
	if (space == VSVM_SPACE_GLOBAL)
		check_bytes(area, exp, N * 16, "global memory");
	free(exp);
	mism_assert(&m, atom_name(sub));
}

struct misaligned_case {
	const char *name;
	unsigned int space;
	bool w64;
	uint64_t bad, good;	/* offsets; global ones into the test area */
};

static const struct misaligned_case misaligned_cases[] = {
	{ "global-u32-2", VSVM_SPACE_GLOBAL, false, 0x102, 0x200 },
	{ "global-u64-4", VSVM_SPACE_GLOBAL, true, 0x104, 0x200 },
	{ "global-u64-1", VSVM_SPACE_GLOBAL, true, 0x101, 0x200 },
	{ "shared-u32-2", VSVM_SPACE_SHARED, false, 2, 8 },
	{ "shared-u64-12", VSVM_SPACE_SHARED, true, 12, 16 },
	{ "scratch-u32-1", VSVM_SPACE_SCRATCH, false, 1, 4 },
	{ "scratch-u64-4", VSVM_SPACE_SCRATCH, true, 4, 8 },
};

/* A misaligned atomic fails the job and changes nothing at its address. */
static void test_atomic_misaligned(const struct misaligned_case *c)
{
	static const char *const spaces[] = { "global", "shared", "scratch" };
	const bool global = c->space == VSVM_SPACE_GLOBAL;
	const uint64_t base = global ? vsvm_runner_addr(runner, AREA_OFF) : 0;
	uint8_t *area = runner->data + AREA_OFF, before[0x300];
	uint64_t args[2] = { base + c->good, base + c->good };
	struct drm_vsvm_wait res;
	struct src s = {};
	size_t size;
	void *code;

	for (int bad = 0; bad < 2; bad++) {
		struct vsvm_launch l = {
			.wg_size = { 64 },
			.args = args, .args_size = sizeof(args),
			.shared_size = c->space == VSVM_SPACE_SHARED ? 64 : 0,
			.scratch_size = c->space == VSVM_SPACE_SCRATCH ? 16 : 0,
		};

		args[0] = base + (bad ? c->bad : c->good);
		fill_random(area, sizeof(before));
		memcpy(before, area, sizeof(before));
		emit(&s, "sv r0, local_id.x\n"
			 "ldarg.u64 r10, 0\n"
			 "ldarg.u64 r11, 8\n"
			 "icmp.eq.32 r1, r0, 40\n"
			 "sel.64 r9, r1, r10, r11\n"
			 "movi r20, 1\n"
			 "atom.%s.add.%s r21, [r9], r20\n", spaces[c->space],
		     c->w64 ? "u64" : "u32");
		res = run_status(&s, &l, &code, &size);
		if (!bad) {
			check_status(&res, DRM_VSVM_STATUS_OK, "aligned");
			free(code);
			continue;
		}
		check_status(&res, DRM_VSVM_STATUS_MISALIGNED, c->name);
		igt_assert_eq_u64(res.fault_addr, base + c->bad);
		igt_assert_eq_u32(res.fault_pc, find_insn(code, size, VSVM_OP_ATOM, 0));
		free(code);
		if (global)
			check_bytes(area + (c->bad & ~7ull), before + (c->bad & ~7ull),
				    16, "memory at the misaligned address");
	}
}

/*
 * Control flow
 */

#define CF_MAX_TRACE	64

/* What a lane did: events (code, value) in order, and how it ended. */
struct trace {
	uint32_t n;
	bool exited;
	uint64_t acc;
	uint64_t ev[CF_MAX_TRACE][2];
};

static void tr(struct trace *t, uint64_t code, uint64_t v)
{
	igt_assert(t->n < CF_MAX_TRACE);
	t->ev[t->n][0] = code;
	t->ev[t->n][1] = v;
	t->n++;
}

/* The shader's tracing: r2 walks the lane's record. */
static void emit_trace(struct src *s, int code, int reg)
{
	emit(s, "movi r8, %d\n"
		"st.global.u64 [r2], r8\n"
		"st.global.u64 [r2 + 8], r%d\n"
		"add.64 r2, r2, 16\n", code, reg);
}

/* Scalar model of the shader of test_cf_nested(), one lane at a time. */
static void cf_ref(uint64_t x, uint64_t y, uint64_t z, struct trace *t)
{
	uint64_t i = 0, acc = 0, j;
	const uint64_t li = (x & 7) + 1, lj = (y & 3) + 1;

	*t = (struct trace){};
	for (;;) {
		i++;
		if (li < i) {
			tr(t, 11, i);
			break;
		}
		tr(t, 1, i);
		if (i & 1) {
			acc += i;
			if (((acc + y) & 3) == 0) {
				tr(t, 2, acc);
				continue;
			}
			j = 0;
			for (;;) {
				j++;
				if (lj <= j)
					break;
				if ((j ^ z) & 1) {
					tr(t, 3, j);
					continue;
				}
				acc ^= j << 4;
				if ((acc & 0x40) && (z & 8)) {
					tr(t, 4, acc);
					t->exited = true;
					return;
				}
				tr(t, 5, acc);
			}
			tr(t, 6, j);
		} else {
			if (i == 4 && (z & 0x10)) {
				tr(t, 7, i);
				break;
			}
			acc *= 3;
			tr(t, 8, acc);
		}
		tr(t, 9, acc);
	}
	tr(t, 10, acc);
	t->acc = acc;
}

/*
 * Divergent IF/ELSE nested in two loops, with BREAK and CONTINUE from inside
 * IFs of both loops and EXIT from the inner one. Each lane records the
 * blocks it runs; the trace and the result must be the scalar model's.
 */
static void test_cf_nested(void)
{
	enum { N = 320, REC = 16 + CF_MAX_TRACE * 16 };
	uint64_t *in = xmalloc(N * 24), *out = xmalloc(N * REC);
	uint64_t *exp = xmalloc(REC);
	struct trace t;
	struct src s = {};
	struct mism m = {};
	uint32_t exits = 0;

	for (int i = 0; i < N * 3; i++)
		in[i] = rnd();
	/* Waves 3 and 7 are uniform: no divergence at all. */
	for (int i = 96; i < 128; i++)
		memcpy(&in[i * 3], &in[96 * 3], 24);
	for (int i = 224; i < 256; i++)
		memcpy(&in[i * 3], &in[224 * 3], 24);
	fill_u64(out, N * REC / 8, POISON);

	emit(&s, VSVM_LANES_PROLOGUE);
	emit_loads(&s, 10, 3);
	emit(&s, "mov r25, r2\n"
		 "add.64 r2, r2, 16\n"
		 "movi r14, 0\n"
		 "movi r15, 0\n"
		 "and.64 r19, r10, 7\n"
		 "add.64 r19, r19, 1\n"
		 "and.64 r24, r11, 3\n"
		 "add.64 r24, r24, 1\n"
		 "loop\n"
		 "add.64 r14, r14, 1\n"
		 "icmp.ltu.64 r17, r19, r14\n"
		 "if r17\n");
	emit_trace(&s, 11, 14);
	emit(&s, "break\n"
		 "endif\n");
	emit_trace(&s, 1, 14);
	emit(&s, "and.64 r17, r14, 1\n"
		 "if r17\n"
		 "add.64 r15, r15, r14\n"
		 "add.64 r17, r15, r11\n"
		 "and.64 r17, r17, 3\n"
		 "icmp.eq.64 r17, r17, 0\n"
		 "if r17\n");
	emit_trace(&s, 2, 15);
	emit(&s, "continue\n"
		 "endif\n"
		 "movi r16, 0\n"
		 "loop\n"
		 "add.64 r16, r16, 1\n"
		 "icmp.leu.64 r17, r24, r16\n"
		 "if r17\n"
		 "break\n"
		 "endif\n"
		 "xor.64 r17, r16, r12\n"
		 "and.64 r17, r17, 1\n"
		 "if r17\n");
	emit_trace(&s, 3, 16);
	emit(&s, "continue\n"
		 "endif\n"
		 "shl.64 r17, r16, 4\n"
		 "xor.64 r15, r15, r17\n"
		 "and.64 r17, r15, 0x40\n"
		 "and.64 r18, r12, 8\n"
		 "if r17\n"
		 "if r18\n");
	emit_trace(&s, 4, 15);
	emit(&s, "exit\n"
		 "endif\n"
		 "endif\n");
	emit_trace(&s, 5, 15);
	emit(&s, "endloop\n");
	emit_trace(&s, 6, 16);
	emit(&s, "else\n"
		 "icmp.eq.64 r17, r14, 4\n"
		 "and.64 r18, r12, 0x10\n"
		 "if r17\n"
		 "if r18\n");
	emit_trace(&s, 7, 14);
	emit(&s, "break\n"
		 "endif\n"
		 "endif\n"
		 "mul.64 r15, r15, 3\n");
	emit_trace(&s, 8, 15);
	emit(&s, "endif\n");
	emit_trace(&s, 9, 15);
	emit(&s, "endloop\n");
	emit_trace(&s, 10, 15);
	emit(&s, "sub.64 r17, r2, r25\n"
		 "sub.64 r17, r17, 16\n"
		 "st.global.u64 [r25], r15\n"
		 "st.global.u64 [r25 + 8], r17\n");
	emit(&s, VSVM_LANES_EPILOGUE);
	run_lanes(&s, &(struct vsvm_lanes){
		.n = N, .wg_size = 64, .in = in, .in_stride = 24,
		.out = out, .out_stride = REC,
	});

	for (int i = 0; i < N; i++) {
		const uint64_t *got = &out[i * REC / 8];

		cf_ref(in[3 * i], in[3 * i + 1], in[3 * i + 2], &t);
		exits += t.exited;
		fill_u64(exp, REC / 8, POISON);
		if (!t.exited) {
			exp[0] = t.acc;
			exp[1] = t.n * 16;
		}
		memcpy(&exp[2], t.ev, t.n * 16);
		for (int k = 0; k < REC / 8; k++) {
			if (got[k] == exp[k])
				continue;
			if (k < 2)
				mismatch(&m, "lane %d (x %#" PRIx64 " y %#" PRIx64 " z %#" PRIx64
					 "): %s %#" PRIx64 ", expected %#" PRIx64 "%s", i,
					 in[3 * i], in[3 * i + 1], in[3 * i + 2],
					 k ? "trace length" : "result", got[k], exp[k],
					 t.exited ? " (the lane exits)" : "");
			else
				mismatch(&m, "lane %d (x %#" PRIx64 " y %#" PRIx64 " z %#" PRIx64
					 "): event %d is %s %#" PRIx64 ", expected %s %#" PRIx64,
					 i, in[3 * i], in[3 * i + 1], in[3 * i + 2],
					 (k - 2) / 2, k % 2 ? "value" : "block", got[k],
					 k % 2 ? "value" : "block", exp[k]);
			break;
		}
	}
	igt_debug("%u of %u lanes exit\n", exits, N);
	igt_assert(exits > 0 && exits < N);
	free(in);
	free(out);
	free(exp);
	mism_assert(&m, "nested control flow");
}

/* The lane prologue without its IF, for lane counts the grid fills exactly. */
static void emit_prologue_noif(struct src *s)
{
	emit(s, "sv r0, global_id.x\n"
		"ldarg.u32 r5, 20\n"
		"ldarg.u32 r6, 24\n"
		"mul.64 r5, r0, r5\n"
		"mul.64 r6, r0, r6\n"
		"ldarg.u64 r1, 0\n"
		"ldarg.u64 r2, 8\n"
		"add.64 r1, r1, r5\n"
		"add.64 r2, r2, r6\n");
}

static void emit_deep(struct src *s, int k)
{
	if (k == VSVM_MAX_NESTING)
		return;
	emit(s, "and.64 r17, r10, %#llx\n"
		"if r17\n"
		"add.64 r20, r20, 1\n", 1ull << k);
	emit_deep(s, k + 1);
	emit(s, "else\n"
		"or.64 r21, r21, %#llx\n"
		"endif\n"
		"add.64 r22, r22, r20\n", 1ull << k);
}

static void deep_ref(uint64_t x, int k, uint64_t *cnt, uint64_t *els,
		     uint64_t *sum)
{
	if (k == VSVM_MAX_NESTING)
		return;
	if ((x >> k) & 1) {
		(*cnt)++;
		deep_ref(x, k + 1, cnt, els, sum);
	} else {
		*els |= 1ull << k;
	}
	*sum += *cnt;
}

/* IF/ELSE nested VSVM_MAX_NESTING deep, each lane leaving at its own depth. */
static void test_cf_deep(void)
{
	enum { N = 256 };
	uint64_t in[N], out[N * 3];
	struct src s = {};
	struct mism m = {};

	for (int i = 0; i < N; i++) {
		if (i <= 32)
			in[i] = (i == 32 ? 0xffffffffull : (1ull << i) - 1) |
				rnd() << (i + 1);
		else if (i < 40)
			in[i] = ~0ull;
		else
			in[i] = rnd() | (rnd() % 2 ? (1ull << (rnd() % 32)) - 1 : 0);
	}
	fill_u64(out, N * 3, POISON);

	emit_prologue_noif(&s);
	emit_loads(&s, 10, 1);
	emit(&s, "movi r20, 0\nmovi r21, 0\nmovi r22, 0\n");
	emit_deep(&s, 0);
	emit_stores(&s, 20, 3);
	run_lanes(&s, &(struct vsvm_lanes){
		.n = N, .in = in, .in_stride = 8, .out = out, .out_stride = 24,
	});

	for (int i = 0; i < N; i++) {
		uint64_t e[3] = {};

		deep_ref(in[i], 0, &e[0], &e[1], &e[2]);
		for (int j = 0; j < 3; j++)
			if (out[3 * i + j] != e[j])
				mismatch(&m, "lane %d (x %#" PRIx64 ") output %d: expected %#"
					 PRIx64 ", got %#" PRIx64, i, in[i], j, e[j],
					 out[3 * i + j]);
	}
	mism_assert(&m, "deep nesting");
}

/*
 * END ends the whole wave at once: lanes parked by BREAK, lanes waiting for
 * an ELSE and lanes of the same wave that did not take the branch alike.
 * An END in a block no lane of a wave enters is not executed by it, and
 * nothing after the final END runs.
 */
static void test_cf_end(void)
{
	enum { WAVES = 6, N = WAVES * 32, REC = 5 };
	uint64_t in[N], out[N * REC];
	struct src s = {};
	struct mism m = {};

	for (int i = 0; i < N; i++) {
		in[i] = rnd();
		if ((in[i] & 7) == 6)
			in[i] ^= 4;
	}
	in[32 + 13] = (in[32 + 13] & ~7ull) | 6;	/* one lane of wave 1 */
	for (int i = 64; i < 96; i++)			/* wave 2 breaks early */
		in[i] |= i % 3 ? 0 : 7;
	for (int i = 96; i < 128; i++)			/* wave 3: all END */
		in[i] = (in[i] & ~7ull) | 6;
	in[160 + 31] = 6;				/* the last lane of wave 5 */
	fill_u64(out, N * REC, POISON);

	emit(&s, VSVM_LANES_PROLOGUE);
	emit_loads(&s, 10, 1);
	emit(&s, "movi r17, 1\n"
		 "st.global.u64 [r2], r17\n"
		 "loop\n"
		 "and.64 r17, r10, 1\n"
		 "if r17\n"
		 "break\n"
		 "endif\n"
		 "and.64 r17, r10, 2\n"
		 "if r17\n"
		 "and.64 r18, r10, 4\n"
		 "if r18\n"
		 "end\n"
		 "endif\n"
		 "movi r17, 2\n"
		 "st.global.u64 [r2 + 8], r17\n"
		 "else\n"
		 "movi r17, 3\n"
		 "st.global.u64 [r2 + 16], r17\n"
		 "endif\n"
		 "break\n"
		 "endloop\n"
		 "movi r17, 4\n"
		 "st.global.u64 [r2 + 24], r17\n");
	emit(&s, VSVM_LANES_EPILOGUE);
	emit(&s, "end\n"
		 "movi r17, 5\n"
		 "st.global.u64 [r2 + 32], r17\n");
	run_lanes(&s, &(struct vsvm_lanes){
		.n = N, .wg_size = 96, .in = in, .in_stride = 8,
		.out = out, .out_stride = REC * 8,
	});

	for (int w = 0; w < WAVES; w++) {
		bool ended = false;

		for (int l = 0; l < 32; l++)
			ended |= (in[w * 32 + l] & 7) == 6;
		for (int l = 0; l < 32; l++) {
			int i = w * 32 + l;
			uint64_t x = in[i], e[REC];

			fill_u64(e, REC, POISON);
			e[0] = 1;
			if (!ended) {
				if (!(x & 1))
					e[(x & 2) ? 1 : 2] = (x & 2) ? 2 : 3;
				e[3] = 4;
			}
			for (int k = 0; k < REC; k++)
				if (out[i * REC + k] != e[k])
					mismatch(&m, "wave %d%s lane %d (x & 7 = %" PRIu64
						 "): marker %d is %#" PRIx64 ", expected %#" PRIx64,
						 w, ended ? " (ends)" : "", l, x & 7, k + 1,
						 out[i * REC + k], e[k]);
		}
	}
	mism_assert(&m, "END");
}

/* EXIT ends only the active lanes; a wave whose lanes all exit ends. */
static void test_cf_exit(void)
{
	enum { N = 128, REC = 5 };
	uint64_t in[N], out[N * REC];
	struct src s = {};
	struct mism m = {};

	for (int i = 0; i < N; i++) {
		in[i] = rnd();
		if (i >= 32 && i < 64)
			in[i] |= 1;		/* wave 1: every lane exits */
		if (i >= 64 && i < 96)
			in[i] &= ~1ull;		/* wave 2: none */
	}
	fill_u64(out, N * REC, POISON);

	emit(&s, VSVM_LANES_PROLOGUE);
	emit_loads(&s, 10, 1);
	emit(&s, "movi r17, 1\n"
		 "st.global.u64 [r2], r17\n"
		 "and.64 r17, r10, 1\n"
		 "if r17\n"
		 "movi r17, 2\n"
		 "st.global.u64 [r2 + 8], r17\n"
		 "exit\n"
		 "movi r17, 9\n"
		 "st.global.u64 [r2 + 32], r17\n"
		 "else\n"
		 "movi r17, 3\n"
		 "st.global.u64 [r2 + 16], r17\n"
		 "endif\n"
		 "movi r17, 4\n"
		 "st.global.u64 [r2 + 24], r17\n");
	emit(&s, VSVM_LANES_EPILOGUE);
	emit(&s, "movi r17, 9\n"
		 "st.global.u64 [r2 + 32], r17\n"
		 "exit\n"
		 "st.global.u64 [r2], r17\n");
	run_lanes(&s, &(struct vsvm_lanes){
		.n = N, .in = in, .in_stride = 8, .out = out, .out_stride = REC * 8,
	});

	for (int i = 0; i < N; i++) {
		bool odd = in[i] & 1;
		const uint64_t e[REC] = {
			1, odd ? 2 : POISON, odd ? POISON : 3, odd ? POISON : 4,
			odd ? POISON : 9,
		};

		for (int k = 0; k < REC; k++)
			if (out[i * REC + k] != e[k])
				mismatch(&m, "lane %d (%s): marker %d is %#" PRIx64
					 ", expected %#" PRIx64, i, odd ? "exits" : "stays",
					 k + 1, out[i * REC + k], e[k]);
	}
	mism_assert(&m, "EXIT");
}

struct bar_case {
	const char *name;
	uint32_t wg, grid;
	int32_t exit_wave;	/* a wave whose lanes all exit first, or -1 */
};

static const struct bar_case bar_cases[] = {
	{ "wg-128", 128, 3, -1 },
	{ "wg-100-partial-wave", 100, 2, -1 },
	{ "wg-1024", 1024, 1, -1 },
	{ "wg-96-ended-wave", 96, 2, 2 },
	{ "wg-64-ended-wave", 64, 3, 0 },
};

/*
 * Each wave writes shared memory, BAR, then reads what another wave wrote;
 * twice, the second BAR inside an IF only some lanes of each wave take.
 * A wave that has ended does not hold the barrier.
 */
static void test_barrier(const struct bar_case *c)
{
	const uint32_t n = c->wg * c->grid;
	uint64_t *in = xmalloc(n * 8), *out = xmalloc(n * 16);
	uint64_t *sh1 = xmalloc(c->wg * 8), *sh2 = xmalloc(c->wg * 8);
	uint64_t *r20 = xmalloc(c->wg * 8);
	uint32_t arg = c->exit_wave < 0 ? UINT32_MAX : (uint32_t)c->exit_wave;
	struct src s = {};
	struct mism m = {};

	for (uint32_t i = 0; i < n; i++)
		in[i] = rnd();
	fill_u64(out, n * 2, POISON);

	emit(&s, VSVM_LANES_PROLOGUE);
	emit_loads(&s, 10, 1);
	emit(&s, "sv r30, local_id.x\n"
		 "sv r34, wg_size.x\n"
		 "sv r36, wave_id\n"
		 "ldarg.u32 r35, 32\n"
		 "icmp.eq.32 r37, r36, r35\n"
		 "if r37\n"
		 "exit\n"
		 "endif\n"
		 "shl.64 r32, r30, 3\n"
		 "st.shared.u64 [r32], r10\n"
		 "bar\n"
		 "add.64 r33, r30, 32\n"
		 "remu.64 r33, r33, r34\n"
		 "shl.64 r33, r33, 3\n"
		 "ld.shared.u64 r20, [r33]\n"
		 "add.64 r38, r20, r30\n"
		 "st.shared.u64 [r32 + 8192], r38\n"
		 "and.64 r39, r30, 1\n"
		 "if r39\n"
		 "bar\n"
		 "endif\n"
		 "add.64 r33, r30, 64\n"
		 "remu.64 r33, r33, r34\n"
		 "shl.64 r33, r33, 3\n"
		 "ld.shared.u64 r21, [r33 + 8192]\n");
	emit_stores(&s, 20, 2);
	emit(&s, VSVM_LANES_EPILOGUE);
	run_lanes(&s, &(struct vsvm_lanes){
		.n = n, .wg_size = c->wg, .in = in, .in_stride = 8,
		.out = out, .out_stride = 16, .shared_size = 16384,
		.extra_args = &arg, .extra_args_size = sizeof(arg),
	});

	for (uint32_t g = 0; g < c->grid; g++) {
		const uint64_t *v = &in[g * c->wg];

		for (uint32_t l = 0; l < c->wg; l++)
			sh1[l] = (int32_t)(l / 32) == c->exit_wave ? 0 : v[l];
		for (uint32_t l = 0; l < c->wg; l++) {
			r20[l] = sh1[(l + 32) % c->wg];
			sh2[l] = (int32_t)(l / 32) == c->exit_wave ? 0 : r20[l] + l;
		}
		for (uint32_t l = 0; l < c->wg; l++) {
			bool gone = (int32_t)(l / 32) == c->exit_wave;
			uint64_t e0 = gone ? POISON : r20[l];
			uint64_t e1 = gone ? POISON : sh2[(l + 64) % c->wg];
			const uint64_t *o = &out[(g * c->wg + l) * 2];

			if (o[0] != e0 || o[1] != e1)
				mismatch(&m, "workgroup %u lane %u: read %#" PRIx64 ", %#" PRIx64
					 ", expected %#" PRIx64 ", %#" PRIx64, g, l, o[0],
					 o[1], e0, e1);
		}
	}
	free(in);
	free(out);
	free(sh1);
	free(sh2);
	free(r20);
	mism_assert(&m, c->name);
}

/*
 * System values
 */

struct sv_case {
	const char *name;
	uint32_t grid[3], wg[3];
};

static const struct sv_case sv_cases[] = {
	{ "1d-partial-wave", { 3, 1, 1 }, { 40, 1, 1 } },
	{ "2d", { 2, 3, 1 }, { 5, 7, 1 } },
	{ "3d", { 2, 2, 3 }, { 3, 5, 7 } },
	{ "z-only", { 1, 1, 2 }, { 1, 1, 64 } },
	{ "y-only", { 1, 3, 1 }, { 1, 33, 1 } },
	{ "wg-1024", { 1, 1, 1 }, { 1024, 1, 1 } },
	{ "wg-16x16x4", { 2, 1, 1 }, { 16, 16, 4 } },
	{ "single-lane-groups", { 17, 5, 3 }, { 1, 1, 1 } },
};

#define SV_REC	(VSVM_SV_COUNT + 1)

/*
 * Every lane stores every system value at a slot it takes from an atomic
 * counter, so that nothing depends on the values under test; the records
 * must then cover every (workgroup, local id) exactly once, consistently.
 */
static void test_sysvals(const struct sv_case *c)
{
	const uint32_t sx = c->wg[0], sy = c->wg[1], sz = c->wg[2];
	const uint32_t wgl = sx * sy * sz;
	const uint32_t nwg = c->grid[0] * c->grid[1] * c->grid[2];
	const uint32_t n = wgl * nwg;
	uint64_t *counter = (uint64_t *)(runner->data + AREA_OFF);
	uint64_t *rec = (uint64_t *)(runner->data + AREA_OFF + 64);
	uint8_t *seen = calloc(n, 1);
	uint64_t args[2] = {
		vsvm_runner_addr(runner, AREA_OFF), vsvm_runner_addr(runner, AREA_OFF + 64),
	};
	struct src s = {};
	struct mism m = {};

	igt_assert(seen);
	igt_assert(AREA_OFF + 64 + (uint64_t)n * SV_REC * 8 <= DATA_SIZE);
	*counter = 0;
	fill_u64(rec, (uint64_t)n * SV_REC, POISON);

	emit(&s, "ldarg.u64 r1, 0\n"
		 "ldarg.u64 r2, 8\n"
		 "movi r3, 1\n"
		 "atom.global.add.u64 r4, [r1], r3\n"
		 "mul.64 r5, r4, %d\n"
		 "add.64 r2, r2, r5\n", SV_REC * 8);
	for (int k = 0; k < VSVM_SV_COUNT; k++)
		emit(&s, "movi r%d, %#llx\n", 20 + k, GARBAGE);
	emit(&s, "movi r%d, %#llx\n", 20 + VSVM_SV_COUNT, GARBAGE);
	for (int k = 0; k < VSVM_SV_COUNT; k++)
		emit_raw(&s, VSVM_OP_SV, 20 + k, 0, 0, 0, 0, k, 0, 0);
	/* SV writes only the active lanes. */
	emit(&s, "and.64 r8, r%d, 1\n"
		 "if r8\n"
		 "sv r%d, global_id.x\n"
		 "endif\n", 20 + VSVM_SV_LANE_ID, 20 + VSVM_SV_COUNT);
	emit_stores(&s, 20, SV_REC);
	run_ok(&s, &(struct vsvm_launch){
		.grid = { c->grid[0], c->grid[1], c->grid[2] },
		.wg_size = { sx, sy, sz },
		.args = args, .args_size = sizeof(args),
	});

	igt_assert_eq_u64(*counter, n);
	for (uint32_t r = 0; r < n; r++) {
		const uint64_t *v = &rec[(uint64_t)r * SV_REC];
		const uint64_t *lid = &v[VSVM_SV_LOCAL_ID_X];
		const uint64_t *wid = &v[VSVM_SV_WG_ID_X];
		uint64_t lin, wlin, e[SV_REC];
		bool ok = true;

		for (int d = 0; d < 3; d++)
			ok &= lid[d] < c->wg[d] && wid[d] < c->grid[d];
		if (!ok) {
			mismatch(&m, "record %u: local id (%" PRIu64 ", %" PRIu64 ", %" PRIu64
				 ") or workgroup id (%" PRIu64 ", %" PRIu64 ", %" PRIu64
				 ") out of range", r, lid[0], lid[1], lid[2], wid[0],
				 wid[1], wid[2]);
			continue;
		}
		lin = lid[0] + lid[1] * sx + lid[2] * sx * sy;
		wlin = wid[0] + wid[1] * c->grid[0] +
		       wid[2] * c->grid[0] * c->grid[1];
		if (seen[wlin * wgl + lin]++)
			mismatch(&m, "record %u: workgroup %" PRIu64 " lane %" PRIu64
				 " seen twice", r, wlin, lin);
		for (int d = 0; d < 3; d++) {
			e[VSVM_SV_LOCAL_ID_X + d] = lid[d];
			e[VSVM_SV_WG_ID_X + d] = wid[d];
			e[VSVM_SV_NUM_WG_X + d] = c->grid[d];
			e[VSVM_SV_WG_SIZE_X + d] = c->wg[d];
			e[VSVM_SV_GLOBAL_ID_X + d] = wid[d] * c->wg[d] + lid[d];
		}
		e[VSVM_SV_LANE_ID] = lin % 32;
		e[VSVM_SV_WAVE_ID] = lin / 32;
		e[VSVM_SV_COUNT] = lin % 2 ? e[VSVM_SV_GLOBAL_ID_X] : GARBAGE;
		for (int k = 0; k < SV_REC; k++)
			if (v[k] != e[k])
				mismatch(&m, "workgroup (%" PRIu64 ", %" PRIu64 ", %" PRIu64
					 ") local id (%" PRIu64 ", %" PRIu64 ", %" PRIu64
					 "): system value %d is %#" PRIx64 ", expected %#"
					 PRIx64, wid[0], wid[1], wid[2], lid[0], lid[1],
					 lid[2], k, v[k], e[k]);
	}
	free(seen);
	mism_assert(&m, c->name);
}

/*
 * TRAP
 */

/*
 * One lane of one wave of one workgroup traps: the job fails with the low
 * 32 bits of the code and the TRAP's offset. A TRAP in a block no lane
 * enters does nothing.
 */
static void test_trap(bool taken, uint64_t code_imm)
{
	struct drm_vsvm_wait res;
	struct src s = {};
	size_t size;
	void *code;

	emit(&s, "sv r0, wg_id.x\n"
		 "sv r1, local_id.x\n"
		 "icmp.eq.32 r2, r0, %d\n"
		 "icmp.eq.32 r3, r1, 37\n"
		 "and.32 r2, r2, r3\n"
		 "if r2\n", taken ? 2 : 7);
	emit_raw(&s, VSVM_OP_TRAP, 0, 0, 0, 0, 0, 0, 0, code_imm);
	emit(&s, "endif\n"
		 "end\n");
	res = run_status(&s, &(struct vsvm_launch){
		.grid = { 4 }, .wg_size = { 64 },
	}, &code, &size);
	if (!taken) {
		check_status(&res, DRM_VSVM_STATUS_OK, "TRAP no lane reaches");
	} else {
		check_status(&res, DRM_VSVM_STATUS_TRAP, "TRAP");
		igt_assert_eq_u32(res.info, (uint32_t)code_imm);
		igt_assert_eq_u32(res.fault_pc, find_insn(code, size, VSVM_OP_TRAP, 0));
	}
	free(code);
}

/*
 * Validation: EXEC rejects invalid code with -EINVAL and names the offset
 * in debugfs. Each case comes with a valid variant that differs only in the
 * broken rule, and which must run, so a case cannot pass for another reason.
 */

struct raw_insn {
	uint64_t w0, w1;
};

#define INSN(op, d, a, b, c, mod, sub, fl, imm) \
	{ W0(VSVM_OP_##op, d, a, b, c, mod, sub, fl), imm }

/* A single instruction, checked inside "if r0 ... endif" so it never runs. */
struct enc_case {
	const char *name;
	struct raw_insn bad, good;
	uint32_t args_size;
	uint32_t good_args_size;	/* 0: args_size */
};

static const struct enc_case enc_cases[] = {
	{ "reserved-flag-bit-1",
	  INSN(ADD, 1, 2, 3, 0, 1, 0, 2, 0), INSN(ADD, 1, 2, 3, 0, 1, 0, 0, 0), 0, 0 },
	{ "reserved-flag-bit-7",
	  INSN(ADD, 1, 2, 3, 0, 1, 0, 0x80, 0), INSN(ADD, 1, 2, 3, 0, 1, 0, 0, 0), 0, 0 },
	{ "imm-flag-on-mov",
	  INSN(MOV, 1, 2, 0, 0, 0, 0, 1, 5), INSN(MOV, 1, 2, 0, 0, 0, 0, 0, 0), 0, 0 },
	{ "imm-flag-on-movi",
	  INSN(MOVI, 1, 0, 0, 0, 0, 0, 1, 5), INSN(MOVI, 1, 0, 0, 0, 0, 0, 0, 5), 0, 0 },
	{ "imm-flag-on-not",
	  INSN(NOT, 1, 2, 0, 0, 1, 0, 1, 0), INSN(NOT, 1, 2, 0, 0, 1, 0, 0, 0), 0, 0 },
	{ "imm-flag-on-fsqrt",
	  INSN(FSQRT, 1, 2, 0, 0, 0, 0, 1, 0), INSN(FSQRT, 1, 2, 0, 0, 0, 0, 0, 0), 0, 0 },
	{ "imm-flag-on-cvt",
	  INSN(CVT, 1, 2, 0, 0, 0, 3, 1, 0), INSN(CVT, 1, 2, 0, 0, 0, 3, 0, 0), 0, 0 },
	{ "imm-flag-on-st",
	  INSN(ST, 0, 2, 0, 0, 3, 0, 1, 8), INSN(ST, 0, 2, 3, 0, 3, 0, 0, 8), 0, 0 },
	{ "imm-flag-on-atom",
	  INSN(ATOM, 1, 2, 0, 0, 2, 0, 1, 0), INSN(ATOM, 1, 2, 3, 0, 2, 0, 0, 0), 0, 0 },
	{ "imm-flag-on-ldarg",
	  INSN(LDARG, 1, 0, 0, 0, 3, 0, 1, 0), INSN(LDARG, 1, 0, 0, 0, 3, 0, 0, 0), 8, 0 },
	{ "imm-flag-with-src1",
	  INSN(ADD, 1, 2, 3, 0, 1, 0, 1, 5), INSN(ADD, 1, 2, 0, 0, 1, 0, 1, 5), 0, 0 },
	{ "imm-flag-with-src1-fp",
	  INSN(FMUL, 1, 2, 3, 0, 0, 0, 1, 5), INSN(FMUL, 1, 2, 0, 0, 0, 0, 1, 5), 0, 0 },
	{ "nop-dst", INSN(NOP, 1, 0, 0, 0, 0, 0, 0, 0), INSN(NOP, 0, 0, 0, 0, 0, 0, 0, 0), 0, 0 },
	{ "nop-imm", INSN(NOP, 0, 0, 0, 0, 0, 0, 0, 1), INSN(NOP, 0, 0, 0, 0, 0, 0, 0, 0), 0, 0 },
	{ "end-src0", INSN(END, 0, 1, 0, 0, 0, 0, 0, 0), INSN(END, 0, 0, 0, 0, 0, 0, 0, 0), 0, 0 },
	{ "mov-src1", INSN(MOV, 1, 2, 3, 0, 0, 0, 0, 0), INSN(MOV, 1, 2, 0, 0, 0, 0, 0, 0), 0, 0 },
	{ "mov-mod", INSN(MOV, 1, 2, 0, 0, 1, 0, 0, 0), INSN(MOV, 1, 2, 0, 0, 0, 0, 0, 0), 0, 0 },
	{ "movi-src0",
	  INSN(MOVI, 1, 2, 0, 0, 0, 0, 0, 5), INSN(MOVI, 1, 0, 0, 0, 0, 0, 0, 5), 0, 0 },
	{ "add-src2", INSN(ADD, 1, 2, 3, 4, 1, 0, 0, 0), INSN(ADD, 1, 2, 3, 0, 1, 0, 0, 0), 0, 0 },
	{ "add-sub", INSN(ADD, 1, 2, 3, 0, 1, 1, 0, 0), INSN(ADD, 1, 2, 3, 0, 1, 0, 0, 0), 0, 0 },
	{ "add-imm-without-flag",
	  INSN(ADD, 1, 2, 3, 0, 1, 0, 0, 5), INSN(ADD, 1, 2, 3, 0, 1, 0, 0, 0), 0, 0 },
	{ "not-src1", INSN(NOT, 1, 2, 3, 0, 1, 0, 0, 0), INSN(NOT, 1, 2, 0, 0, 1, 0, 0, 0), 0, 0 },
	{ "fadd-mod",
	  INSN(FADD, 1, 2, 3, 0, 1, 0, 0, 0), INSN(FADD, 1, 2, 3, 0, 0, 0, 0, 0), 0, 0 },
	{ "fadd-src2",
	  INSN(FADD, 1, 2, 3, 4, 0, 0, 0, 0), INSN(FADD, 1, 2, 3, 0, 0, 0, 0, 0), 0, 0 },
	{ "fneg-src1",
	  INSN(FNEG, 1, 2, 3, 0, 0, 0, 0, 0), INSN(FNEG, 1, 2, 0, 0, 0, 0, 0, 0), 0, 0 },
	{ "fcmp-mod",
	  INSN(FCMP, 1, 2, 3, 0, 1, 0, 0, 0), INSN(FCMP, 1, 2, 3, 0, 0, 0, 0, 0), 0, 0 },
	{ "cvt-mod", INSN(CVT, 1, 2, 0, 0, 1, 11, 0, 0), INSN(CVT, 1, 2, 0, 0, 0, 11, 0, 0), 0, 0 },
	{ "cvt-imm", INSN(CVT, 1, 2, 0, 0, 0, 11, 0, 1), INSN(CVT, 1, 2, 0, 0, 0, 11, 0, 0), 0, 0 },
	{ "sel-sub", INSN(SEL, 1, 2, 3, 4, 1, 1, 0, 0), INSN(SEL, 1, 2, 3, 4, 1, 0, 0, 0), 0, 0 },
	{ "ld-src1", INSN(LD, 1, 2, 3, 0, 3, 0, 0, 0), INSN(LD, 1, 2, 0, 0, 3, 0, 0, 0), 0, 0 },
	{ "ld-sub", INSN(LD, 1, 2, 0, 0, 3, 1, 0, 0), INSN(LD, 1, 2, 0, 0, 3, 0, 0, 0), 0, 0 },
	{ "st-dst", INSN(ST, 1, 2, 3, 0, 3, 0, 0, 0), INSN(ST, 0, 2, 3, 0, 3, 0, 0, 0), 0, 0 },
	{ "st-src2", INSN(ST, 0, 2, 3, 4, 3, 0, 0, 0), INSN(ST, 0, 2, 3, 0, 3, 0, 0, 0), 0, 0 },
	{ "atom-add-src2",
	  INSN(ATOM, 1, 2, 3, 4, 2, 0, 0, 0), INSN(ATOM, 1, 2, 3, 0, 2, 0, 0, 0), 0, 0 },
	{ "atom-xchg-src2",
	  INSN(ATOM, 1, 2, 3, 4, 3, 8, 0, 0), INSN(ATOM, 1, 2, 3, 4, 3, 9, 0, 0), 0, 0 },
	{ "ldarg-src0",
	  INSN(LDARG, 1, 2, 0, 0, 3, 0, 0, 0), INSN(LDARG, 1, 0, 0, 0, 3, 0, 0, 0), 8, 0 },
	{ "ldarg-sub",
	  INSN(LDARG, 1, 0, 0, 0, 3, 1, 0, 0), INSN(LDARG, 1, 0, 0, 0, 3, 0, 0, 0), 8, 0 },
	{ "fence-sub",
	  INSN(FENCE, 0, 0, 0, 0, 0, 1, 0, 0), INSN(FENCE, 0, 0, 0, 0, 0, 0, 0, 0), 0, 0 },
	{ "trap-dst",
	  INSN(TRAP, 1, 0, 0, 0, 0, 0, 0, 3), INSN(TRAP, 0, 0, 0, 0, 0, 0, 0, 3), 0, 0 },
	{ "trap-mod",
	  INSN(TRAP, 0, 0, 0, 0, 1, 0, 0, 3), INSN(TRAP, 0, 0, 0, 0, 0, 0, 0, 3), 0, 0 },
	{ "bar-src0", INSN(BAR, 0, 1, 0, 0, 0, 0, 0, 0), INSN(BAR, 0, 0, 0, 0, 0, 0, 0, 0), 0, 0 },
	{ "exit-imm",
	  INSN(EXIT, 0, 0, 0, 0, 0, 0, 0, 1), INSN(EXIT, 0, 0, 0, 0, 0, 0, 0, 0), 0, 0 },
	{ "sv-src0", INSN(SV, 1, 2, 0, 0, 0, 15, 0, 0), INSN(SV, 1, 0, 0, 0, 0, 15, 0, 0), 0, 0 },
	{ "sv-mod", INSN(SV, 1, 0, 0, 0, 1, 15, 0, 0), INSN(SV, 1, 0, 0, 0, 0, 15, 0, 0), 0, 0 },
	{ "sv-imm", INSN(SV, 1, 0, 0, 0, 0, 15, 0, 1), INSN(SV, 1, 0, 0, 0, 0, 15, 0, 0), 0, 0 },
	{ "add-width-2",
	  INSN(ADD, 1, 2, 3, 0, 2, 0, 0, 0), INSN(ADD, 1, 2, 3, 0, 1, 0, 0, 0), 0, 0 },
	{ "clz-width-255",
	  INSN(CLZ, 1, 2, 0, 0, 0xff, 0, 0, 0), INSN(CLZ, 1, 2, 0, 0, 0, 0, 0, 0), 0, 0 },
	{ "icmp-width-2",
	  INSN(ICMP, 1, 2, 3, 0, 2, 0, 0, 0), INSN(ICMP, 1, 2, 3, 0, 1, 0, 0, 0), 0, 0 },
	{ "sel-width-2",
	  INSN(SEL, 1, 2, 3, 4, 2, 0, 0, 0), INSN(SEL, 1, 2, 3, 4, 0, 0, 0, 0), 0, 0 },
	{ "ld-size-5", INSN(LD, 1, 2, 0, 0, 5, 0, 0, 0), INSN(LD, 1, 2, 0, 0, 4, 0, 0, 0), 0, 0 },
	{ "ld-size-7", INSN(LD, 1, 2, 0, 0, 7, 0, 0, 0), INSN(LD, 1, 2, 0, 0, 3, 0, 0, 0), 0, 0 },
	{ "ld-mod-bit-6",
	  INSN(LD, 1, 2, 0, 0, 0x43, 0, 0, 0), INSN(LD, 1, 2, 0, 0, 3, 0, 0, 0), 0, 0 },
	{ "ld-mod-bit-7",
	  INSN(LD, 1, 2, 0, 0, 0x83, 0, 0, 0), INSN(LD, 1, 2, 0, 0, 3, 0, 0, 0), 0, 0 },
	{ "ld-space-3",
	  INSN(LD, 1, 2, 0, 0, 0x32, 0, 0, 0), INSN(LD, 1, 2, 0, 0, 0x22, 0, 0, 0), 0, 0 },
	{ "ld-signed-u64",
	  INSN(LD, 1, 2, 0, 0, 0x0b, 0, 0, 0), INSN(LD, 1, 2, 0, 0, 0x0a, 0, 0, 0), 0, 0 },
	{ "ld-signed-b128",
	  INSN(LD, 1, 2, 0, 0, 0x0c, 0, 0, 0), INSN(LD, 1, 2, 0, 0, 0x04, 0, 0, 0), 0, 0 },
	{ "st-signed",
	  INSN(ST, 0, 2, 3, 0, 0x0a, 0, 0, 0), INSN(ST, 0, 2, 3, 0, 0x02, 0, 0, 0), 0, 0 },
	{ "st-size-5", INSN(ST, 0, 2, 3, 0, 5, 0, 0, 0), INSN(ST, 0, 2, 3, 0, 4, 0, 0, 0), 0, 0 },
	{ "st-space-3",
	  INSN(ST, 0, 2, 3, 0, 0x33, 0, 0, 0), INSN(ST, 0, 2, 3, 0, 0x13, 0, 0, 0), 0, 0 },
	{ "atom-u8", INSN(ATOM, 1, 2, 3, 0, 0, 0, 0, 0), INSN(ATOM, 1, 2, 3, 0, 2, 0, 0, 0), 0, 0 },
	{ "atom-u16",
	  INSN(ATOM, 1, 2, 3, 0, 1, 0, 0, 0), INSN(ATOM, 1, 2, 3, 0, 2, 0, 0, 0), 0, 0 },
	{ "atom-b128",
	  INSN(ATOM, 1, 2, 3, 0, 4, 0, 0, 0), INSN(ATOM, 1, 2, 3, 0, 3, 0, 0, 0), 0, 0 },
	{ "atom-signed",
	  INSN(ATOM, 1, 2, 3, 0, 0x0a, 0, 0, 0), INSN(ATOM, 1, 2, 3, 0, 0x02, 0, 0, 0), 0, 0 },
	{ "atom-space-3",
	  INSN(ATOM, 1, 2, 3, 0, 0x33, 0, 0, 0), INSN(ATOM, 1, 2, 3, 0, 0x23, 0, 0, 0), 0, 0 },
	{ "ldarg-space-shared",
	  INSN(LDARG, 1, 0, 0, 0, 0x13, 0, 0, 0), INSN(LDARG, 1, 0, 0, 0, 0x03, 0, 0, 0), 8, 0 },
	{ "ldarg-signed-u64",
	  INSN(LDARG, 1, 0, 0, 0, 0x0b, 0, 0, 0), INSN(LDARG, 1, 0, 0, 0, 0x0a, 0, 0, 0), 8, 0 },
	{ "ldarg-size-5",
	  INSN(LDARG, 1, 0, 0, 0, 5, 0, 0, 0), INSN(LDARG, 1, 0, 0, 0, 4, 0, 0, 0), 64, 0 },
	{ "icmp-cond-6",
	  INSN(ICMP, 1, 2, 3, 0, 0, 6, 0, 0), INSN(ICMP, 1, 2, 3, 0, 0, 5, 0, 0), 0, 0 },
	{ "icmp-cond-255",
	  INSN(ICMP, 1, 2, 3, 0, 0, 0xff, 0, 0), INSN(ICMP, 1, 2, 3, 0, 0, 0, 0, 0), 0, 0 },
	{ "fcmp-ltu",
	  INSN(FCMP, 1, 2, 3, 0, 0, 2, 0, 0), INSN(FCMP, 1, 2, 3, 0, 0, 4, 0, 0), 0, 0 },
	{ "fcmp-leu",
	  INSN(FCMP, 1, 2, 3, 0, 0, 3, 0, 0), INSN(FCMP, 1, 2, 3, 0, 0, 5, 0, 0), 0, 0 },
	{ "fcmp-cond-6",
	  INSN(FCMP, 1, 2, 3, 0, 0, 6, 0, 0), INSN(FCMP, 1, 2, 3, 0, 0, 1, 0, 0), 0, 0 },
	{ "cvt-14", INSN(CVT, 1, 2, 0, 0, 0, 14, 0, 0), INSN(CVT, 1, 2, 0, 0, 0, 13, 0, 0), 0, 0 },
	{ "cvt-255",
	  INSN(CVT, 1, 2, 0, 0, 0, 0xff, 0, 0), INSN(CVT, 1, 2, 0, 0, 0, 0, 0, 0), 0, 0 },
	{ "atom-op-10",
	  INSN(ATOM, 1, 2, 3, 4, 3, 10, 0, 0), INSN(ATOM, 1, 2, 3, 4, 3, 9, 0, 0), 0, 0 },
	{ "sv-17", INSN(SV, 1, 0, 0, 0, 0, 17, 0, 0), INSN(SV, 1, 0, 0, 0, 0, 16, 0, 0), 0, 0 },
	{ "sv-255", INSN(SV, 1, 0, 0, 0, 0, 0xff, 0, 0), INSN(SV, 1, 0, 0, 0, 0, 0, 0, 0), 0, 0 },
	{ "ld-b128-r255",
	  INSN(LD, 255, 2, 0, 0, 4, 0, 0, 0), INSN(LD, 254, 2, 0, 0, 4, 0, 0, 0), 0, 0 },
	{ "st-b128-r255",
	  INSN(ST, 0, 2, 255, 0, 4, 0, 0, 0), INSN(ST, 0, 2, 254, 0, 4, 0, 0, 0), 0, 0 },
	{ "ldarg-b128-r255",
	  INSN(LDARG, 255, 0, 0, 0, 4, 0, 0, 0), INSN(LDARG, 254, 0, 0, 0, 4, 0, 0, 0), 16, 0 },
	/* LDARG must lie in [0, args_size) and be aligned to its size. */
	{ "ldarg-past-end",
	  INSN(LDARG, 1, 0, 0, 0, 3, 0, 0, 8), INSN(LDARG, 1, 0, 0, 0, 3, 0, 0, 8), 8, 16 },
	{ "ldarg-u8-at-end",
	  INSN(LDARG, 1, 0, 0, 0, 0, 0, 0, 16), INSN(LDARG, 1, 0, 0, 0, 0, 0, 0, 16), 16, 17 },
	{ "ldarg-u32-straddling-end",
	  INSN(LDARG, 1, 0, 0, 0, 2, 0, 0, 12), INSN(LDARG, 1, 0, 0, 0, 2, 0, 0, 12), 14, 16 },
	{ "ldarg-b128-past-end",
	  INSN(LDARG, 1, 0, 0, 0, 4, 0, 0, 16), INSN(LDARG, 1, 0, 0, 0, 4, 0, 0, 16), 24, 32 },
	{ "ldarg-no-args",
	  INSN(LDARG, 1, 0, 0, 0, 0, 0, 0, 0), INSN(LDARG, 1, 0, 0, 0, 0, 0, 0, 0), 0, 1 },
	{ "ldarg-misaligned-u16",
	  INSN(LDARG, 1, 0, 0, 0, 1, 0, 0, 1), INSN(LDARG, 1, 0, 0, 0, 1, 0, 0, 2), 16, 0 },
	{ "ldarg-misaligned-u32",
	  INSN(LDARG, 1, 0, 0, 0, 2, 0, 0, 2), INSN(LDARG, 1, 0, 0, 0, 2, 0, 0, 4), 16, 0 },
	{ "ldarg-misaligned-s32",
	  INSN(LDARG, 1, 0, 0, 0, 0x0a, 0, 0, 6), INSN(LDARG, 1, 0, 0, 0, 0x0a, 0, 0, 8), 16, 0 },
	{ "ldarg-misaligned-u64",
	  INSN(LDARG, 1, 0, 0, 0, 3, 0, 0, 4), INSN(LDARG, 1, 0, 0, 0, 3, 0, 0, 8), 16, 0 },
	{ "ldarg-misaligned-b128",
	  INSN(LDARG, 1, 0, 0, 0, 4, 0, 0, 8), INSN(LDARG, 1, 0, 0, 0, 4, 0, 0, 16), 32, 0 },
	{ "ldarg-offset-wrapping", INSN(LDARG, 1, 0, 0, 0, 3, 0, 0, 0xfffffffffffffff8ull),
	  INSN(LDARG, 1, 0, 0, 0, 3, 0, 0, 8), 16, 0 },
	{ "ldarg-offset-above-4g", INSN(LDARG, 1, 0, 0, 0, 0, 0, 0, 0x100000000ull),
	  INSN(LDARG, 1, 0, 0, 0, 0, 0, 0, 0), 16, 0 },
};

static const uint8_t unknown_opcodes[] = {
	0x04, 0x0f, 0x23, 0x27, 0x2e, 0x2f, 0x3f, 0x42, 0x4f, 0x55, 0x5f, 0x6a,
	0x6f, 0x71, 0x80, 0xff,
};

/*
 * A control-flow shape, one character an instruction: I "if r0", E else,
 * F endif, L loop, P endloop, B break, C continue, N nop. @bad_at is the
 * offending instruction, @alt_at another acceptable one for a block left
 * open (the opener or the end of the code), or -1. With @patch_at set,
 * @good with that instruction's fields or-ed with @patch_w0 and its
 * immediate set to @patch_imm is the bad program.
 */
struct cf_case {
	const char *name;
	const char *bad, *good;
	int bad_at, alt_at;
	int patch_at;
	uint64_t patch_w0, patch_imm;
};

static const struct cf_case cf_cases[] = {
	{ "else-without-if", "E", "IEF", 0, -1, -1, 0, 0 },
	{ "endif-without-if", "NF", "N", 1, -1, -1, 0, 0 },
	{ "second-else", "IEEF", "IEF", 2, -1, -1, 0, 0 },
	{ "endloop-without-loop", "IPF", "IF", 1, -1, -1, 0, 0 },
	{ "endloop-closing-if", "ILIPFF", "ILIFBPF", 3, -1, -1, 0, 0 },
	{ "endif-closing-loop", "ILFP", "ILBPF", 2, -1, -1, 0, 0 },
	{ "else-closing-loop", "ILEPF", "ILIEFBPF", 2, -1, -1, 0, 0 },
	{ "break-outside-loop", "IBF", "ILBPF", 1, -1, -1, 0, 0 },
	{ "continue-outside-loop", "C", "ILCBPF", 0, -1, -1, 0, 0 },
	{ "break-after-loop", "ILBPBF", "ILBPF", 4, -1, -1, 0, 0 },
	{ "if-without-endif", "IN", "INF", 0, 2, -1, 0, 0 },
	{ "else-without-endif", "IEN", "IENF", 1, 0, -1, 0, 0 },
	{ "loop-without-endloop", "IFLN", "IFLBP", 2, 4, -1, 0, 0 },
	{ "if-dst", "IF", "IF", 0, -1, 0, W0(0, 1, 0, 0, 0, 0, 0, 0), 0 },
	{ "if-imm", "IF", "IF", 0, -1, 0, 0, 1 },
	{ "if-imm-flag", "IF", "IF", 0, -1, 0, W0(0, 0, 0, 0, 0, 0, 0, 1), 0 },
	{ "else-src0", "IEF", "IEF", 1, -1, 1, W0(0, 0, 1, 0, 0, 0, 0, 0), 0 },
	{ "endif-imm", "IEF", "IEF", 2, -1, 2, 0, 7 },
	{ "loop-mod", "ILBPF", "ILBPF", 1, -1, 1, W0(0, 0, 0, 0, 0, 1, 0, 0), 0 },
	{ "endloop-sub", "ILBPF", "ILBPF", 3, -1, 3, W0(0, 0, 0, 0, 0, 0, 1, 0), 0 },
	{ "break-dst", "ILBPF", "ILBPF", 2, -1, 2, W0(0, 3, 0, 0, 0, 0, 0, 0), 0 },
	{ "continue-imm", "ILCBPF", "ILCBPF", 2, -1, 2, 0, 1 },
};

static struct raw_insn cf_insn(char c)
{
	static const struct {
		char c;
		uint8_t op;
	} map[] = {
		{ 'I', VSVM_OP_IF }, { 'E', VSVM_OP_ELSE }, { 'F', VSVM_OP_ENDIF },
		{ 'L', VSVM_OP_LOOP }, { 'P', VSVM_OP_ENDLOOP },
		{ 'B', VSVM_OP_BREAK }, { 'C', VSVM_OP_CONTINUE },
		{ 'N', VSVM_OP_NOP },
	};

	for (unsigned int k = 0; k < ARRAY_SIZE(map); k++)
		if (map[k].c == c)
			return (struct raw_insn){ W0(map[k].op, 0, 0, 0, 0, 0, 0, 0), 0 };
	igt_assert_f(false, "bad shape character %c\n", c);
	return (struct raw_insn){};
}

static uint32_t shape(const char *s, struct raw_insn *code)
{
	uint32_t n = 0;

	for (; *s; s++)
		code[n++] = cf_insn(*s);
	return n;
}

/* The last non-empty line of @log, without its newline, in place. */
static char *last_line(char *log)
{
	char *end = log + strlen(log), *start;

	while (end > log && end[-1] == '\n')
		*--end = '\0';
	start = strrchr(log, '\n');
	return start ? start + 1 : log;
}

/* Does @line name byte offset @off, as "0x" and hex digits? */
static bool names_offset(const char *line, uint32_t off)
{
	char needle[32];
	const char *p;
	size_t len;

	len = snprintf(needle, sizeof(needle), "0x%x", off);
	for (p = line; (p = strstr(p, needle)); p++) {
		char next = p[len];

		if (!(next >= '0' && next <= '9') && !(next >= 'a' && next <= 'f'))
			return true;
	}
	return false;
}

static void check_accepted(const struct raw_insn *code, uint32_t n,
			   uint32_t args_size)
{
	struct drm_vsvm_wait res;
	struct vsvm_launch l = {
		.wg_size = { 32 },
		.args_addr = VSVM_RUNNER_ARGS_ADDR, .args_size = args_size,
	};
	int ret;

	ret = __vsvm_runner_exec(runner, code, n * sizeof(*code), &l, &res);
	igt_assert_f(ret == 0, "the valid variant is rejected: %d (%s)\n", ret,
		     strerror(-ret));
	check_status(&res, DRM_VSVM_STATUS_OK, "the valid variant");
}

static void check_rejected(const struct raw_insn *code, uint32_t n,
			   uint32_t args_size, uint32_t off, int alt)
{
	struct vsvm_launch l = {
		.wg_size = { 32 },
		.args_addr = VSVM_RUNNER_ARGS_ADDR, .args_size = args_size,
	};
	struct drm_vsvm_wait res;
	char *log, *line;
	int ret;

	ret = __vsvm_runner_exec(runner, code, n * sizeof(*code), &l, &res);
	igt_assert_f(ret == -EINVAL,
		     "EXEC of invalid code (instruction at %#x: %#" PRIx64 ", %#"
		     PRIx64 ") returned %d (%s)%s\n", off, code[off / 16].w0,
		     code[off / 16].w1, ret, strerror(-ret),
		     ret ? "" : ", the job ran");
	if (!have_debugfs)
		return;
	log = vsvm_debugfs_read(fd, "log");
	igt_assert_f(log, "cannot read debugfs log: %m\n");
	line = last_line(log);
	igt_debug("debugfs log: %s\n", line);
	igt_assert_f(names_offset(line, off) || (alt >= 0 && names_offset(line, alt)),
		     "the debugfs log does not name offset %#x%s: \"%s\"\n", off,
		     alt >= 0 ? " (nor the alternative)" : "", line);
	free(log);
}

/* The single instruction at offset 0x10 of "if r0; INSN; endif". */
static void test_bad_encoding(const struct raw_insn *bad,
			      const struct raw_insn *good, uint32_t args_size,
			      uint32_t good_args_size)
{
	struct raw_insn code[3] = { cf_insn('I'), *good, cf_insn('F') };

	check_accepted(code, 3, good_args_size);
	code[1] = *bad;
	check_rejected(code, 3, args_size, VSVM_INSN_SIZE, -1);
}

static void test_bad_cf(const struct cf_case *c)
{
	struct raw_insn code[16];
	uint32_t n;

	n = shape(c->good, code);
	check_accepted(code, n, 0);
	if (c->patch_at >= 0) {
		code[c->patch_at].w0 |= c->patch_w0;
		code[c->patch_at].w1 = c->patch_imm;
	} else {
		n = shape(c->bad, code);
	}
	check_rejected(code, n, 0, c->bad_at * VSVM_INSN_SIZE,
		       c->alt_at < 0 ? -1 : c->alt_at * VSVM_INSN_SIZE);
}

/*
 * VSVM_MAX_NESTING blocks deep is valid, one more is not: all IFs, all
 * LOOPs (inside an IF, so they never run), and the two alternating.
 */
static void test_bad_nesting(char kind)
{
	struct raw_insn code[3 * (VSVM_MAX_NESTING + 1)];
	char opener[VSVM_MAX_NESTING + 1];
	uint32_t n;

	for (int depth = VSVM_MAX_NESTING; depth <= VSVM_MAX_NESTING + 1; depth++) {
		for (int k = 0; k < depth; k++)
			opener[k] = kind == 'I' || k == 0 ||
				    (kind == 'M' && k % 2 == 0) ? 'I' : 'L';
		n = 0;
		for (int k = 0; k < depth; k++)
			code[n++] = cf_insn(opener[k]);
		for (int k = depth - 1; k >= 0; k--) {
			if (opener[k] == 'L')
				code[n++] = cf_insn('B');
			code[n++] = cf_insn(opener[k] == 'I' ? 'F' : 'P');
		}
		if (depth == VSVM_MAX_NESTING)
			check_accepted(code, n, 0);
		else
			check_rejected(code, n, 0, VSVM_MAX_NESTING * VSVM_INSN_SIZE, -1);
	}
}

static void bind_page(uint64_t addr, uint32_t flags, uint32_t *bo, uint8_t **cpu,
		      uint64_t size)
{
	*bo = vsvm_gem_create(fd, size);
	vsvm_vm_map(fd, runner->vm_id, *bo, 0, addr, size, flags);
	*cpu = vsvm_gem_mmap(fd, *bo, size, PROT_READ | PROT_WRITE);
}

static void unbind_page(uint32_t bo, uint8_t *cpu, uint64_t size)
{
	munmap(cpu, size);
	vsvm_gem_close(fd, bo);
}

igt_main
{
	igt_fixture {
		int dir;

		fd = drm_open_driver_render(DRIVER_ANY);
		igt_require(vsvm_get_param(fd, DRM_VSVM_PARAM_ISA_VERSION) ==
			    VSVM_ISA_VERSION);
		runner = vsvm_runner_create(fd, DATA_SIZE);
		for (int p = 0; p < MEM_PAGES; p++)
			bind_page(MEM_ADDR + p * PAGE, 0, &mem_bo[p], &mem_cpu[p], PAGE);
		bind_page(FAULT_ADDR, 0, &fault_bo, &fault_cpu, PAGE);
		bind_page(RO_ADDR, 0, &ro_bo[0], &ro_cpu[0], PAGE);
		bind_page(RO_ADDR + PAGE, DRM_VSVM_BIND_READONLY, &ro_bo[1],
			  &ro_cpu[1], PAGE);
		bind_page(ARGX_ADDR, 0, &argx_bo, &argx_cpu, 2 * PAGE);
		dir = igt_debugfs_dir(fd);
		have_debugfs = dir >= 0;
		if (have_debugfs)
			close(dir);
		else
			igt_info("no debugfs: rejected code is not looked up in the log\n");
	}

	igt_describe("Integer ALU operations in 32 and 64 bits, register and "
		     "immediate forms, on edge cases and random inputs.");
	igt_subtest_with_dynamic("int-alu") {
		for (unsigned int k = 0; k < ARRAY_SIZE(int_ops); k++)
			igt_dynamic(int_ops[k].name) {
				seed(int_ops[k].name);
				test_int_op(&int_ops[k]);
			}
	}

	igt_describe("ICMP with every condition, in both widths and forms.");
	igt_subtest_with_dynamic("icmp") {
		for (unsigned int k = 0; k < ARRAY_SIZE(icmp_ops); k++)
			igt_dynamic(icmp_ops[k].name) {
				seed(icmp_ops[k].name);
				test_int_op(&icmp_ops[k]);
			}
	}

	igt_describe("MOV and MOVI move all 64 bits, r255 included; NOP and "
		     "FENCE change nothing.");
	igt_subtest("moves") {
		seed("moves");
		test_moves();
	}

	igt_describe("Binary fp32 operations and FFMA, bit-exact against the "
		     "CPU with NaNs, infinities, signed zeros and denormals.");
	igt_subtest_with_dynamic("fp-arith") {
		for (unsigned int k = 0; k < ARRAY_SIZE(fp_bin_ops); k++)
			igt_dynamic(fp_bin_ops[k].name) {
				seed(fp_bin_ops[k].name);
				test_fp_binary(&fp_bin_ops[k]);
			}
	}

	igt_describe("Unary fp32 operations: sign, square root and roundings.");
	igt_subtest_with_dynamic("fp-unary") {
		for (unsigned int k = 0; k < ARRAY_SIZE(fp_un_ops); k++)
			igt_dynamic(fp_un_ops[k].name) {
				seed(fp_un_ops[k].name);
				test_fp_unary(&fp_un_ops[k]);
			}
	}

	igt_describe("FCMP with every condition; NaNs compare unordered.");
	igt_subtest_with_dynamic("fcmp") {
		for (unsigned int k = 0; k < ARRAY_SIZE(fcmp_ops); k++)
			igt_dynamic(fcmp_ops[k].name) {
				seed(fcmp_ops[k].name);
				test_fp_binary(&fcmp_ops[k]);
			}
	}

	igt_describe("The fp32 results docs/isa.md spells out.");
	igt_subtest("fp-documented-results")
		test_fp_examples();

	igt_describe("Every conversion, with saturation, NaN to 0 and single "
		     "rounding of 64-bit integers.");
	igt_subtest_with_dynamic("cvt") {
		for (unsigned int k = 0; k < ARRAY_SIZE(cvts); k++)
			igt_dynamic(cvts[k].name) {
				seed(cvts[k].name);
				test_cvt(cvts[k].sub, cvts[k].name);
			}
	}

	igt_describe("SEL tests the low 32 bits of its condition, in both widths.");
	igt_subtest("sel") {
		seed("sel");
		test_sel();
	}

	igt_describe("Global loads of 1 to 16 bytes, zero- and sign-extended, at "
		     "every alignment and across page boundaries.");
	igt_subtest("load-global") {
		seed("load-global");
		test_load_global();
	}

	igt_describe("Global stores of each size at any alignment and across "
		     "page boundaries touch exactly their bytes.");
	igt_subtest_with_dynamic("store-global") {
		static const char *const names[] = { "u8", "u16", "u32", "u64", "b128" };

		for (unsigned int k = 0; k < ARRAY_SIZE(names); k++)
			igt_dynamic(names[k]) {
				seed(names[k]);
				test_store_global(k);
			}
	}

	igt_describe("An access crossing into a page it may not use faults "
		     "before moving any byte.");
	igt_subtest_with_dynamic("page-crossing-fault") {
		const struct split_case cases[] = {
			{ "load-into-unbound", "ld.global.u64 r3, [r1]",
			  FAULT_ADDR + PAGE - 4, 8, DRM_VSVM_STATUS_UNMAPPED,
			  DRM_VSVM_ACCESS_READ },
			{ "store-into-unbound", "st.global.u64 [r1], r2",
			  FAULT_ADDR + PAGE - 4, 8, DRM_VSVM_STATUS_UNMAPPED,
			  DRM_VSVM_ACCESS_WRITE },
			{ "store-b128-into-unbound", "st.global.b128 [r1], r2",
			  FAULT_ADDR + PAGE - 8, 16, DRM_VSVM_STATUS_UNMAPPED,
			  DRM_VSVM_ACCESS_WRITE },
			{ "store-into-read-only", "st.global.u32 [r1], r2",
			  RO_ADDR + PAGE - 2, 4, DRM_VSVM_STATUS_READ_ONLY,
			  DRM_VSVM_ACCESS_WRITE },
			{ "load-from-read-only", "ld.global.u64 r3, [r1]",
			  RO_ADDR + PAGE - 4, 8, DRM_VSVM_STATUS_OK, 0 },
		};

		for (unsigned int k = 0; k < ARRAY_SIZE(cases); k++)
			igt_dynamic(cases[k].name) {
				seed(cases[k].name);
				test_split_fault(&cases[k]);
			}
	}

	igt_describe("Shared memory: zeroed per workgroup and job, accesses of "
		     "every size, other waves' writes visible after BAR.");
	igt_subtest("shared-memory") {
		seed("shared-memory");
		test_shared_memory();
	}

	igt_describe("Scratch memory: zeroed, private to each lane, every size.");
	igt_subtest("scratch-memory") {
		seed("scratch-memory");
		test_scratch_memory();
	}

	igt_describe("Shared accesses out of bounds fail UNMAPPED with the "
		     "offset and DRM_VSVM_ACCESS_SHARED.");
	igt_subtest_with_dynamic("shared-out-of-bounds") {
		for (unsigned int k = 0; k < ARRAY_SIZE(oob_cases); k++)
			igt_dynamic(oob_cases[k].name)
				test_local_oob(&oob_cases[k], true);
	}

	igt_describe("Scratch accesses out of bounds fail UNMAPPED with the "
		     "offset and DRM_VSVM_ACCESS_SCRATCH.");
	igt_subtest_with_dynamic("scratch-out-of-bounds") {
		for (unsigned int k = 0; k < ARRAY_SIZE(oob_cases); k++)
			igt_dynamic(oob_cases[k].name)
				test_local_oob(&oob_cases[k], false);
	}

	igt_describe("LDARG of every size and extension gives all active lanes "
		     "the same value, up to the buffer's last byte.");
	igt_subtest("ldarg") {
		seed("ldarg");
		test_ldarg();
	}

	igt_describe("LDARG reads an argument buffer that crosses a page.");
	igt_subtest("ldarg-page-crossing") {
		seed("ldarg-page-crossing");
		test_ldarg_page_crossing();
	}

	igt_describe("LDARG of an unmapped argument buffer faults, except in a "
		     "block no lane enters.");
	igt_subtest("ldarg-fault")
		test_ldarg_fault();

	igt_describe("Atomics of two workgroups or four waves on one address "
		     "compose serially, and return consistent old values.");
	igt_subtest_with_dynamic("atomic-same-address") {
		char name[64];

		for (unsigned int k = 0; k < ARRAY_SIZE(atom_ops); k++) {
			for (int w = 0; w < 2; w++) {
				for (int sh = 0; sh < 2; sh++) {
					snprintf(name, sizeof(name), "%s-%s-%s",
						 atom_ops[k].name, w ? "u64" : "u32",
						 sh ? "shared" : "global");
					igt_dynamic(name) {
						seed(name);
						test_atomic_same(atom_ops[k].sub, w, sh);
					}
				}
			}
		}
	}

	igt_describe("Atomics of each lane on its own address, in every space.");
	igt_subtest_with_dynamic("atomic-distinct-address") {
		static const char *const spaces[] = { "global", "shared", "scratch" };
		char name[64];

		for (unsigned int k = 0; k < ARRAY_SIZE(atom_ops); k++) {
			for (int w = 0; w < 2; w++) {
				for (unsigned int sp = 0; sp < 3; sp++) {
					snprintf(name, sizeof(name), "%s-%s-%s",
						 atom_ops[k].name, w ? "u64" : "u32",
						 spaces[sp]);
					igt_dynamic(name) {
						seed(name);
						test_atomic_distinct(atom_ops[k].sub, w, sp);
					}
				}
			}
		}
	}

	igt_describe("A misaligned atomic fails the job MISALIGNED with its "
		     "address, and does not happen.");
	igt_subtest_with_dynamic("atomic-misaligned") {
		for (unsigned int k = 0; k < ARRAY_SIZE(misaligned_cases); k++)
			igt_dynamic(misaligned_cases[k].name) {
				seed(misaligned_cases[k].name);
				test_atomic_misaligned(&misaligned_cases[k]);
			}
	}

	igt_describe("Divergent IF/ELSE in nested loops with BREAK, CONTINUE and "
		     "EXIT: each lane's path matches a scalar model.");
	igt_subtest("control-flow-nested") {
		seed("control-flow-nested");
		test_cf_nested();
	}

	igt_describe("IF/ELSE nested VSVM_MAX_NESTING deep, lanes leaving at "
		     "every depth.");
	igt_subtest("control-flow-deep") {
		seed("control-flow-deep");
		test_cf_deep();
	}

	igt_describe("END ends the whole wave, parked and waiting lanes "
		     "included, and only the wave that executes it.");
	igt_subtest("control-flow-end") {
		seed("control-flow-end");
		test_cf_end();
	}

	igt_describe("EXIT ends the active lanes only; a wave all of whose "
		     "lanes exit ends.");
	igt_subtest("control-flow-exit") {
		seed("control-flow-exit");
		test_cf_exit();
	}

	igt_describe("BAR orders shared memory between the waves of a "
		     "workgroup, partial and ended waves included.");
	igt_subtest_with_dynamic("barrier") {
		for (unsigned int k = 0; k < ARRAY_SIZE(bar_cases); k++)
			igt_dynamic(bar_cases[k].name) {
				seed(bar_cases[k].name);
				test_barrier(&bar_cases[k]);
			}
	}

	igt_describe("Every system value in 1-, 2- and 3-D grids and workgroups, "
		     "partial last waves included.");
	igt_subtest_with_dynamic("system-values") {
		for (unsigned int k = 0; k < ARRAY_SIZE(sv_cases); k++)
			igt_dynamic(sv_cases[k].name)
				test_sysvals(&sv_cases[k]);
	}

	igt_describe("TRAP fails the job with its code and offset, unless no "
		     "lane reaches it.");
	igt_subtest_with_dynamic("trap") {
		igt_dynamic("divergent")
			test_trap(true, 0xfedcba9876543210ull);
		igt_dynamic("code-zero")
			test_trap(true, 0);
		igt_dynamic("not-reached")
			test_trap(false, 1);
	}

	igt_describe("EXEC rejects each invalid field of an instruction with "
		     "-EINVAL and names its offset in debugfs.");
	igt_subtest_with_dynamic("invalid-encoding") {
		for (unsigned int k = 0; k < ARRAY_SIZE(unknown_opcodes); k++) {
			igt_dynamic_f("unknown-opcode-%02x", unknown_opcodes[k]) {
				struct raw_insn bad = {
					W0(unknown_opcodes[k], 0, 0, 0, 0, 0, 0, 0), 0
				};
				struct raw_insn nop = { 0, 0 };

				test_bad_encoding(&bad, &nop, 0, 0);
			}
		}
		for (unsigned int k = 0; k < ARRAY_SIZE(enc_cases); k++) {
			const struct enc_case *c = &enc_cases[k];

			igt_dynamic(c->name)
				test_bad_encoding(&c->bad, &c->good, c->args_size,
						  c->good_args_size ?: c->args_size);
		}
	}

	igt_describe("EXEC rejects unbalanced or too deep control flow with "
		     "-EINVAL and names the offending offset in debugfs.");
	igt_subtest_with_dynamic("invalid-control-flow") {
		for (unsigned int k = 0; k < ARRAY_SIZE(cf_cases); k++)
			igt_dynamic(cf_cases[k].name)
				test_bad_cf(&cf_cases[k]);
		igt_dynamic("nesting-if")
			test_bad_nesting('I');
		igt_dynamic("nesting-loop")
			test_bad_nesting('L');
		igt_dynamic("nesting-mixed")
			test_bad_nesting('M');
	}

	igt_fixture {
		unbind_page(argx_bo, argx_cpu, 2 * PAGE);
		unbind_page(ro_bo[1], ro_cpu[1], PAGE);
		unbind_page(ro_bo[0], ro_cpu[0], PAGE);
		unbind_page(fault_bo, fault_cpu, PAGE);
		for (int p = 0; p < MEM_PAGES; p++)
			unbind_page(mem_bo[p], mem_cpu[p], PAGE);
		vsvm_runner_destroy(runner);
		drm_close_driver(fd);
	}
}
