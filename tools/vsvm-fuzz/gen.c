// SPDX-License-Identifier: MIT
/*
 * vsvm-fuzz programs: generation and mutation.
 *
 * Values are drawn by argument kind (fuzz.h): resources mostly as
 * references to what the program created, sometimes as raw ids; addresses
 * from the slots (mapped or not, start, middle, end, just past), the GPU
 * buffer area, the edges of the address space and kernel addresses;
 * lengths, counts and dimensions from their edge values.
 *
 * A generated program is a working dispatch, on an SVM VM (code and
 * arguments in mirrored slots) or a buffer-object VM (code and data in
 * buffer objects mapped into slots and bound on the GPU side), with a few
 * random operations mixed in. Mutation changes arguments, inserts,
 * deletes, duplicates, swaps or moves operations between threads, mutates
 * shader code and argument buffers, splices two programs, and adds an mm
 * operation on another thread that races the job.
 */
#include <stdlib.h>
#include <string.h>

#include <drm.h>

#include "fuzz.h"
#include "vsvm_drm.h"

#define NSEC	1000000000ll

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

void fz_srand(uint64_t seed)
{
	rng_state = seed ? seed : 1;
}

/* xorshift64*: fast, and a seed replays a run's choices. */
uint64_t fz_rand(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

#define PICK(arr)	((arr)[fz_rand_below(sizeof(arr) / sizeof((arr)[0]))])

static uint64_t slot_addr(unsigned int slot)
{
	return FZ_SLOT_BASE + (uint64_t)(slot % FZ_NSLOTS) * FZ_SLOT_STRIDE;
}

uint64_t fz_gen_addr(void)
{
	static const uint64_t special[] = {
		0, 0x1000, 0xfff, 0x7ffffffff000ull, 0x7ffffffffff8ull, 0x800000000000ull,
		~0ull, ~0xfffull, 0xffff888000000000ull, 0xffffffffff600000ull,
		FZ_SLOT_END, FZ_SLOT_BASE - FZ_PAGE,
	};
	static const uint64_t in_slot[] = {
		0, FZ_PAGE, 2 * FZ_PAGE, 0x10000, 0x200000, FZ_SLOT_MAX - FZ_PAGE,
		FZ_SLOT_MAX /* the gap after a slot */, FZ_SLOT_MAX - 8, 0x7ff000,
	};

	switch (fz_rand_below(10)) {
	case 0:
		return PICK(special);
	case 1:	/* the executor's own text: read-only and executable */
		return (uintptr_t)fz_gen_addr & ~(FZ_PAGE - 1);
	case 2: case 3:
		return FZ_GPU_BASE + fz_rand_below(8) * 0x100000 + fz_rand_below(4) * FZ_PAGE;
	default:
		return slot_addr(fz_rand_below(fz_chance(2) ? 4 : FZ_NSLOTS)) +
		       (fz_chance(3) ? fz_rand_below(FZ_SLOT_MAX / FZ_PAGE) * FZ_PAGE :
				       PICK(in_slot));
	}
}

static uint64_t gen_len(void)
{
	static const uint64_t edge[] = {
		0, 1, 8, 0xfff, 0x1001, 0x200000, FZ_SLOT_MAX, FZ_SLOT_STRIDE,
		FZ_SLOT_END - FZ_SLOT_BASE, 1ull << 32, 1ull << 47, ~0ull, ~0xfffull,
		0x7ffffffff000ull,
	};

	if (fz_chance(6))
		return PICK(edge);
	return (1 + fz_rand_below(fz_chance(3) ? 1024 : 16)) * FZ_PAGE;
}

static uint64_t gen_value(const struct fz_arg_desc *d)
{
	static const uint64_t raw_ids[] = { 0, 1, 2, 3, 0x7fffffff, 0x80000000, 0xffffffff };
	static const uint64_t counts[] = {
		0, 1, 2, 3, 64, 65, 1ull << 28, 0xffffffff, 0x40000000,
	};
	static const uint64_t dims[] = { 0, 32, 33, 64, 1024, 1025, 0x10000, 0xffffffff };
	static const int64_t timeouts[] = {
		0, 1000, 1000000, 100000000, NSEC, 2 * NSEC, -1, INT64_MAX, INT64_MIN,
	};

	switch (d->kind) {
	case K_ADDR:
		return fz_gen_addr();
	case K_LEN:
		return gen_len();
	case K_FLAGS:
		if (fz_rand_below(10) < 7)
			return 0;
		return fz_chance(3) ? fz_rand() : 1ull << fz_rand_below(4);
	case K_ZERO:
		if (!fz_chance(10))
			return 0;
		return fz_chance(2) ? 1 : fz_gen_addr();
	case K_ENUM:
		if (!fz_chance(10))
			return fz_rand_below(d->max);
		return fz_chance(2) ? d->max + fz_rand_below(4) : ~0ull;
	case K_NUM:
		return fz_chance(8) ? fz_rand() : fz_rand_below(16);
	case K_COUNT:
		return fz_chance(3) ? PICK(counts) : fz_rand_below(4);
	case K_DIM:
		return fz_chance(8) ? PICK(dims) : 1 + fz_rand_below(fz_chance(2) ? 4 : 64);
	case K_TIMEOUT:
		return (uint64_t)PICK(timeouts);
	case K_USEC:
		return fz_rand_below(5000);
	default:	/* a resource */
		if (!fz_chance(7))
			return FZ_REF | fz_rand_below(4);
		return fz_chance(2) ? PICK(raw_ids) : fz_rand();
	}
}

/* An argument buffer: pointers (mostly into slots and buffers) and small values. */
static size_t gen_args(uint8_t *buf, size_t max, uint64_t data_addr)
{
	size_t n = (1 + fz_rand_below(8)) * 8;

	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v;

		if (data_addr && fz_rand_below(3))
			v = data_addr + fz_rand_below(16) * FZ_PAGE;
		else
			v = fz_chance(4) ? fz_rand_below(64) : fz_gen_addr();
		memcpy(buf + i, &v, 8);
	}
	return n;
}

static void fill_op(struct fz_op *op)
{
	const struct fz_op_desc *d = &fz_ops[op->type];
	uint8_t buf[FZ_MAX_BLOB];
	size_t n = 0;

	for (int a = 0; a < d->nargs; a++)
		op->a[a] = gen_value(&d->args[a]);
	if (!d->blob)
		return;
	switch (op->type) {
	case OP_CODE:
		n = fz_chance(3) ? fz_shader_seed(buf, 4096) : 0;
		if (!n)
			n = fz_shader_gen(buf, 4096, 64);
		break;
	case OP_ARGS:
		n = gen_args(buf, 64, 0);
		break;
	default:
		n = fz_rand_below(fz_chance(2) ? 64 : 256);
		for (size_t i = 0; i < n; i++)
			buf[i] = fz_chance(3) ? 0 : fz_rand();
		if (n >= 8 && fz_chance(2)) {
			uint64_t p = fz_gen_addr();

			memcpy(buf + fz_rand_below(n / 8) * 8, &p, 8);
		}
		break;
	}
	fz_op_set_blob(op, buf, n);
}

static int random_type(void)
{
	/* Weighted: what reaches vsvm's code most, most often. */
	static const uint8_t weighted[] = {
		OP_EXEC, OP_EXEC, OP_EXEC, OP_VM_BIND, OP_VM_BIND, OP_VM_BIND, OP_WAIT,
		OP_WAIT, OP_PREFETCH, OP_PREFETCH, OP_MUNMAP, OP_MUNMAP, OP_MPROTECT,
		OP_MPROTECT, OP_MADVISE, OP_MADVISE, OP_MREMAP, OP_MMAP, OP_MMAP,
		OP_TOUCH, OP_TOUCH, OP_FORK, OP_CODE, OP_ARGS, OP_VM_CREATE,
		OP_VM_DESTROY, OP_QUEUE_CREATE, OP_QUEUE_DESTROY, OP_GEM_CREATE,
		OP_GEM_MMAP, OP_SLEEP, OP_SLEEP, OP_WAIT_UFENCE,
	};

	if (fz_chance(4))
		return fz_rand_below(OP_COUNT);
	return PICK(weighted);
}

static struct fz_op *add(struct fz_prog *p, int type)
{
	struct fz_op *op = fz_op_insert(p, p->n, type);

	if (op)
		fill_op(op);
	return op;
}

static void set(struct fz_op *op, const char *name, uint64_t v)
{
	int a;

	if (!op)
		return;
	a = fz_arg_index(op->type, name);
	if (a >= 0)
		op->a[a] = v;
}

static void set_blob(struct fz_op *op, const void *data, size_t len)
{
	if (op)
		fz_op_set_blob(op, data, len);
}

/* Zeroes the arguments a working call leaves at zero. */
static struct fz_op *add_clean(struct fz_prog *p, int type)
{
	struct fz_op *op = add(p, type);

	if (op)
		memset(op->a, 0, sizeof(op->a));
	return op;
}

void fz_gen_prog(struct fz_prog *p)
{
	uint8_t code[4096], args[64];
	bool svm = !fz_chance(3);
	uint64_t code_slot = slot_addr(0), args_slot = slot_addr(1), data_slot = slot_addr(2);
	uint32_t exec_i;
	uint64_t code_va, args_va, data_va;
	size_t code_len, args_len;
	struct fz_op *op;
	int extra;

	fz_prog_init(p);
	add_clean(p, OP_OPEN);
	op = add_clean(p, OP_VM_CREATE);
	set(op, "fd", FZ_REF);
	set(op, "flags", svm ? DRM_VSVM_VM_CREATE_SVM : 0);
	for (int s = 0; s < 3; s++) {
		op = add_clean(p, OP_MMAP);
		set(op, "addr", slot_addr(s));
		set(op, "len", s == 2 ? 0x100000 : 0x10000);
		set(op, "prot", 3);
		set(op, "kind", s == 2 && svm ? fz_rand_below(10) : 0);
	}
	if (svm) {
		op = add_clean(p, OP_VM_BIND);
		set(op, "fd", FZ_REF);
		set(op, "vm", FZ_REF);
		set(op, "op", 2);	/* MAP_MIRROR */
		set(op, "addr", FZ_SLOT_BASE);
		set(op, "range", FZ_SLOT_END - FZ_SLOT_BASE);
		code_va = code_slot;
		args_va = args_slot;
		data_va = data_slot;
	} else {
		/* Three BOs, CPU-mapped over the slots and bound at the GPU base. */
		for (int b = 0; b < 3; b++) {
			uint64_t size = b == 2 ? 0x100000 : 0x10000;

			op = add_clean(p, OP_GEM_CREATE);
			set(op, "fd", FZ_REF);
			set(op, "size", size);
			op = add_clean(p, OP_GEM_MMAP);
			set(op, "fd", FZ_REF);
			set(op, "bo", FZ_REF | b);
			set(op, "addr", slot_addr(b));
			set(op, "len", size);
			set(op, "prot", 3);
			op = add_clean(p, OP_VM_BIND);
			set(op, "fd", FZ_REF);
			set(op, "vm", FZ_REF);
			set(op, "bo", FZ_REF | b);
			set(op, "flags", b == 0 ? 1 : 0);	/* code read-only */
			set(op, "addr", FZ_GPU_BASE + b * 0x100000);
			set(op, "range", size);
		}
		code_va = FZ_GPU_BASE;
		args_va = FZ_GPU_BASE + 0x100000;
		data_va = FZ_GPU_BASE + 0x200000;
	}
	code_len = fz_chance(3) ? fz_shader_seed(code, sizeof(code)) : 0;
	if (!code_len)
		code_len = fz_shader_gen(code, sizeof(code), sizeof(args));
	args_len = gen_args(args, sizeof(args), data_va);
	op = add_clean(p, OP_CODE);
	set(op, "addr", code_slot);
	set_blob(op, code, code_len);
	op = add_clean(p, OP_ARGS);
	set(op, "addr", args_slot);
	set_blob(op, args, args_len);
	op = add_clean(p, OP_QUEUE_CREATE);
	set(op, "fd", FZ_REF);
	set(op, "vm", FZ_REF);
	op = add_clean(p, OP_EXEC);
	exec_i = p->n - 1;
	set(op, "fd", FZ_REF);
	set(op, "queue", FZ_REF);
	set(op, "code_addr", code_va);
	set(op, "code_size", code_len);
	set(op, "args_addr", args_va);
	set(op, "args_size", sizeof(args));
	set(op, "gx", 1 + fz_rand_below(4));
	set(op, "gy", 1);
	set(op, "gz", 1);
	set(op, "wx", fz_chance(2) ? 32 : 1 + fz_rand_below(128));
	set(op, "wy", 1);
	set(op, "wz", 1);
	set(op, "shared", fz_chance(2) ? 4096 : 0);
	set(op, "scratch", fz_chance(2) ? 256 : 0);
	/* Half the jobs end with a user fence, in the data slot: SVM VMs have no syncobjs. */
	if (fz_chance(2)) {
		uint64_t at = data_slot + fz_rand_below(64) * FZ_PAGE + fz_rand_below(512) * 8;
		uint64_t value = 1 + fz_rand_below(1000);

		set(op, "flags", DRM_VSVM_EXEC_USER_FENCE);
		set(op, "ufence_addr", at);
		set(op, "ufence_value", value);
		op = add_clean(p, OP_WAIT_UFENCE);
		set(op, "fd", FZ_REF);
		set(op, "addr", at);
		set(op, "value", value);
		set(op, "timeout", NSEC);
	}
	op = add_clean(p, OP_WAIT);
	set(op, "fd", FZ_REF);
	set(op, "job", FZ_REF);
	set(op, "timeout", NSEC);

	/* Something racing the job, then a few random operations. */
	if (fz_chance(2)) {
		static const uint8_t mm[] = { OP_MUNMAP, OP_MPROTECT, OP_MADVISE, OP_MREMAP,
					      OP_TOUCH, OP_FORK, OP_MMAP };

		op = fz_op_insert(p, p->n - 1, OP_WAIT_OP);
		op->a[0] = exec_i;
		op->thread = 1;
		op = fz_op_insert(p, p->n - 1, mm[fz_rand_below(sizeof(mm))]);
		fill_op(op);
		op->thread = 1;
		set(op, "addr", data_slot + fz_rand_below(64) * FZ_PAGE);
		set(op, "len", (1 + fz_rand_below(64)) * FZ_PAGE);
	}
	extra = fz_rand_below(4);
	while (extra-- > 0 && p->n < FZ_MAX_OPS) {
		op = fz_op_insert(p, 1 + fz_rand_below(p->n), random_type());
		fill_op(op);
		op->thread = fz_chance(3) ? 1 + fz_rand_below(FZ_THREADS - 1) : 0;
	}
}

static void tweak_value(struct fz_op *op, int a)
{
	const struct fz_arg_desc *d = &fz_ops[op->type].args[a];
	uint64_t *v = &op->a[a];

	switch (fz_rand_below(6)) {
	case 0:
		*v += 1;
		break;
	case 1:
		*v -= 1;
		break;
	case 2:
		*v += fz_chance(2) ? FZ_PAGE : -FZ_PAGE;
		break;
	case 3:
		*v ^= 1ull << fz_rand_below(64);
		break;
	case 4:
		if (d->kind < K_RES_COUNT)
			*v ^= FZ_REF;
		else
			*v = 0;
		break;
	default:
		*v = gen_value(d);
		break;
	}
}

static void mutate_blob(struct fz_prog *p, uint32_t i)
{
	struct fz_op *op = &p->ops[i];
	uint8_t buf[FZ_MAX_BLOB];
	size_t len = op->blob_len > sizeof(buf) ? sizeof(buf) : op->blob_len, old = len;

	memcpy(buf, op->blob, len);
	if (op->type == OP_CODE) {
		if (fz_chance(10))
			len = fz_shader_gen(buf, 4096, 64);
		else
			len = fz_shader_mutate(buf, len, 4096, 64);
		/* EXECs after it that ran all of the old code run the new. */
		for (uint32_t j = i + 1; j < p->n; j++)
			if (p->ops[j].type == OP_EXEC && p->ops[j].a[4] == old)
				p->ops[j].a[4] = len;
	} else if (op->type == OP_ARGS && len >= 8) {
		uint64_t v = fz_chance(2) ? fz_gen_addr() : fz_rand_below(256);

		memcpy(buf + fz_rand_below(len / 8) * 8, &v, 8);
	} else if (len && !fz_chance(8)) {
		buf[fz_rand_below(len)] ^= 1 << fz_rand_below(8);
	} else {
		len = fz_rand_below(256);
		for (size_t k = 0; k < len; k++)
			buf[k] = fz_rand();
	}
	fz_op_set_blob(op, buf, len);
}

static void splice(struct fz_prog *p, const struct fz_prog *other)
{
	uint32_t keep = fz_rand_below(p->n + 1), from = fz_rand_below(other->n + 1);

	while (p->n > keep)
		fz_op_remove(p, p->n - 1);
	for (uint32_t j = from; j < other->n && p->n < FZ_MAX_OPS; j++) {
		struct fz_op *op = fz_op_insert(p, p->n, other->ops[j].type);
		uint8_t *blob = NULL;

		*op = other->ops[j];
		op->blob = blob;
		op->blob_len = 0;
		fz_op_set_blob(op, other->ops[j].blob, other->ops[j].blob_len);
	}
}

/* An mm operation on another thread, on memory the program's ops use. */
static void add_race(struct fz_prog *p)
{
	static const uint8_t mm[] = {
		OP_MUNMAP, OP_MPROTECT, OP_MADVISE, OP_MREMAP, OP_TOUCH, OP_MMAP,
		OP_FORK, OP_VM_BIND, OP_QUEUE_DESTROY, OP_VM_DESTROY, OP_CLOSE,
		OP_GEM_CLOSE, OP_PREFETCH,
	};
	uint64_t target = 0;
	struct fz_op *op;
	uint32_t at, thread;

	/* The address of some op's argument, mostly a slot. */
	for (int tries = 0; tries < 8 && !target; tries++) {
		const struct fz_op *o = &p->ops[fz_rand_below(p->n)];

		for (int a = 0; a < fz_ops[o->type].nargs; a++)
			if (fz_ops[o->type].args[a].kind == K_ADDR &&
			    o->a[a] >= FZ_SLOT_BASE && o->a[a] < FZ_SLOT_END)
				target = o->a[a] & ~(FZ_PAGE - 1);
	}
	at = fz_rand_below(p->n + 1);
	thread = 1 + fz_rand_below(FZ_THREADS - 1);
	/* After some op of the program, then maybe a little later. */
	if (fz_chance(2) && (op = fz_op_insert(p, at, OP_WAIT_OP))) {
		op->a[0] = fz_rand_below(p->n);
		op->thread = thread;
		at++;
	}
	if (fz_chance(2) && (op = fz_op_insert(p, at, OP_SLEEP))) {
		fill_op(op);
		op->thread = thread;
		at++;
	}
	op = fz_op_insert(p, at, mm[fz_rand_below(sizeof(mm))]);
	if (!op)
		return;
	fill_op(op);
	op->thread = thread;
	if (target) {
		set(op, "addr", target + (fz_chance(2) ? 0 : fz_rand_below(16) * FZ_PAGE));
		set(op, "len", (1 + fz_rand_below(32)) * FZ_PAGE);
	}
}

void fz_mutate(struct fz_prog *p, const struct fz_prog *other)
{
	int rounds = 1 + (fz_chance(2) ? fz_rand_below(4) : 0);

	while (rounds--) {
		unsigned int r = fz_rand_below(100);
		uint32_t i = p->n ? fz_rand_below(p->n) : 0;
		struct fz_op *op;

		if (!p->n || (r < 10 && p->n < FZ_MAX_OPS)) {
			op = fz_op_insert(p, p->n ? fz_rand_below(p->n + 1) : 0, random_type());
			fill_op(op);
			op->thread = fz_chance(3) ? 1 + fz_rand_below(FZ_THREADS - 1) : 0;
		} else if (r < 40) {
			op = &p->ops[i];
			if (fz_ops[op->type].nargs)
				tweak_value(op, fz_rand_below(fz_ops[op->type].nargs));
		} else if (r < 46) {
			fz_op_remove(p, i);
		} else if (r < 50 && p->n < FZ_MAX_OPS) {
			op = fz_op_insert(p, i + 1, p->ops[i].type);
			*op = p->ops[i];
			op->blob = NULL;
			op->blob_len = 0;
			fz_op_set_blob(op, p->ops[i].blob, p->ops[i].blob_len);
		} else if (r < 54 && i + 1 < p->n) {
			struct fz_op tmp = p->ops[i];

			p->ops[i] = p->ops[i + 1];
			p->ops[i + 1] = tmp;
		} else if (r < 60) {
			p->ops[i].thread = fz_rand_below(FZ_THREADS);
		} else if (r < 80) {
			uint32_t tries = 0;

			while (!fz_ops[p->ops[i].type].blob && tries++ < 2 * p->n)
				i = fz_rand_below(p->n);
			if (fz_ops[p->ops[i].type].blob)
				mutate_blob(p, i);
		} else if (r < 85 && other && other->n) {
			splice(p, other);
		} else if (r < 95 && p->n + 2 <= FZ_MAX_OPS) {
			add_race(p);
		} else {
			/* A whole op regenerated. */
			fill_op(&p->ops[i]);
		}
	}
}
