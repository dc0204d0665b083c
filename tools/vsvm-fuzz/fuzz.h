/* SPDX-License-Identifier: MIT */
/*
 * vsvm-fuzz: declarations shared by its files.
 *
 * A program is a short list of operations (ioctls, mm syscalls, fork, fd
 * passing, shader and argument uploads), each run by one of FZ_THREADS
 * threads of a fresh executor process. Arguments are 64-bit values; an
 * argument of a resource kind (fd, VM, queue, ...) is either a raw value or,
 * with FZ_REF set, the Nth resource of that kind the program created, so
 * that mutating it either keeps the program meaningful or feeds the driver
 * a raw id. Each operation may carry one byte string (shader code, an
 * argument buffer, an ioctl payload).
 *
 * Files: prog.c (text form), gen.c (generation and mutation of programs),
 * shader.c (of shader code), exec.c (the executor), cover.c (KCOV and
 * vsvm.ko's PCs), report.c (kernel log watcher), corpus.c, main.c.
 */
#ifndef VSVM_FUZZ_H
#define VSVM_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FZ_MAX_OPS	48
#define FZ_MAX_ARGS	22
#define FZ_MAX_BLOB	8192
#define FZ_THREADS	3
#define FZ_REF		((uint64_t)1 << 63)
#define FZ_MAX_RES	32

/*
 * The executor's memory slots: fixed addresses (ASLR is off in the
 * executor, see main.c), so that raw addresses in a saved program mean the
 * same memory when it is replayed. Slots are FZ_SLOT_STRIDE apart and at
 * most FZ_SLOT_MAX long: the space between two slots stays unmapped. A
 * mirror over [FZ_SLOT_BASE, FZ_SLOT_END) covers them all.
 */
#define FZ_SLOT_BASE	0x500000000000ull
#define FZ_SLOT_STRIDE	0x800000ull
#define FZ_SLOT_MAX	0x400000ull
#define FZ_NSLOTS	16
#define FZ_SLOT_END	(FZ_SLOT_BASE + FZ_NSLOTS * FZ_SLOT_STRIDE)
/* GPU-only addresses where programs bind buffer objects. */
#define FZ_GPU_BASE	0x10000000ull
#define FZ_PAGE		4096ull

/* Argument kinds: what a value means, and how to generate one. */
enum fz_kind {
	/* Resources: FZ_REF | index, or a raw value. */
	K_FD,
	K_VM,
	K_QUEUE,
	K_BO,
	K_SYNCOBJ,
	K_JOB,		/* an EXEC's queue and seqno */
	K_DMABUF,
	K_RES_COUNT,
	/* Values. */
	K_ADDR = K_RES_COUNT,	/* CPU or GPU address */
	K_LEN,		/* byte length */
	K_FLAGS,	/* a bit mask, mostly zero */
	K_ZERO,		/* must be zero: padding, extensions */
	K_ENUM,		/* 0 .. max - 1, sometimes beyond */
	K_NUM,		/* a small number */
	K_COUNT,	/* an element count, sometimes huge */
	K_DIM,		/* a grid or workgroup dimension */
	K_TIMEOUT,	/* nanoseconds */
	K_USEC,		/* a short delay */
};

enum fz_op_type {
	OP_OPEN,
	OP_CLOSE,
	OP_DUP,
	OP_GET_PARAM,
	OP_GEM_CREATE,
	OP_GEM_MMAP_OFFSET,
	OP_GEM_MMAP,
	OP_GEM_CLOSE,
	OP_PRIME_EXPORT,
	OP_PRIME_IMPORT,
	OP_VM_CREATE,
	OP_VM_DESTROY,
	OP_VM_BIND,
	OP_QUEUE_CREATE,
	OP_QUEUE_DESTROY,
	OP_EXEC,
	OP_WAIT,
	OP_PREFETCH,
	OP_SYNCOBJ_CREATE,
	OP_SYNCOBJ_DESTROY,
	OP_SYNCOBJ_WAIT,
	OP_SYNCOBJ_SIGNAL,
	OP_SYNCOBJ_RESET,
	OP_IOCTL,
	OP_WRITE,
	OP_CODE,
	OP_ARGS,
	OP_MMAP,
	OP_MUNMAP,
	OP_MREMAP,
	OP_MPROTECT,
	OP_MADVISE,
	OP_TOUCH,
	OP_FORK,
	OP_SEND_FD,
	OP_RECV_FD,
	OP_SLEEP,
	OP_DEBUGFS,
	OP_INJECT,
	OP_WAIT_OP,
	OP_WAIT_UFENCE,
	OP_COUNT
};

struct fz_arg_desc {
	const char *name;
	uint8_t kind;
	uint32_t max;		/* K_ENUM: number of values */
};

struct fz_op_desc {
	const char *name;
	uint8_t nargs;
	/* Resource kind the op adds on success, or K_RES_COUNT for none. */
	uint8_t creates;
	/* Whether the op carries a byte string (prog.c prints it as data=). */
	bool blob;
	struct fz_arg_desc args[FZ_MAX_ARGS];
};

extern const struct fz_op_desc fz_ops[OP_COUNT];

struct fz_op {
	uint8_t type;
	uint8_t thread;
	uint32_t blob_len;
	uint8_t *blob;		/* malloc()ed, or NULL */
	uint64_t a[FZ_MAX_ARGS];
};

struct fz_prog {
	uint32_t n;
	struct fz_op ops[FZ_MAX_OPS];
};

/* Argument index of NAME in op TYPE, or -1 (used by gen.c to link ops). */
int fz_arg_index(int type, const char *name);

/* prog.c */
void fz_prog_init(struct fz_prog *p);
void fz_prog_free(struct fz_prog *p);
void fz_prog_copy(struct fz_prog *dst, const struct fz_prog *src);
void fz_op_set_blob(struct fz_op *op, const void *data, size_t len);
void fz_op_remove(struct fz_prog *p, uint32_t i);
/* Inserts a zeroed op of TYPE at I; returns it, or NULL if P is full. */
struct fz_op *fz_op_insert(struct fz_prog *p, uint32_t i, int type);
void fz_prog_print(FILE *f, const struct fz_prog *p);
char *fz_prog_str(const struct fz_prog *p);
/*
 * Parses programs from TEXT: each starts at a line "program" (or at the
 * text's start) and runs to the next. asm:NAME blobs are read from
 * SHADER_DIR/NAME.s. Returns the number parsed into OUT (at most MAX), or
 * -1 with ERR set. SHADER_DIR may list several directories, ':'-separated.
 */
int fz_prog_parse(const char *text, const char *shader_dir,
		  struct fz_prog *out, int max, char *err, size_t errlen);
int fz_prog_load(const char *path, const char *shader_dir,
		 struct fz_prog *out, int max, char *err, size_t errlen);
uint64_t fz_prog_hash(const struct fz_prog *p);

/* gen.c */
uint64_t fz_rand(void);
void fz_srand(uint64_t seed);
static inline uint64_t fz_rand_below(uint64_t n)
{
	return n ? fz_rand() % n : 0;
}
static inline bool fz_chance(unsigned int one_in)
{
	return fz_rand_below(one_in) == 0;
}
uint64_t fz_gen_addr(void);
void fz_gen_prog(struct fz_prog *p);
/* Mutates P in place; OTHER (may be NULL) is a second corpus program to splice. */
void fz_mutate(struct fz_prog *p, const struct fz_prog *other);

/* shader.c */
/* Writes a random, mostly valid shader into CODE; returns its size. */
size_t fz_shader_gen(uint8_t *code, size_t max, uint32_t args_size);
/* Mutates the LEN bytes at CODE (room for MAX); returns the new length. */
size_t fz_shader_mutate(uint8_t *code, size_t len, size_t max, uint32_t args_size);
/* Loads the .s files of DIRS (':'-separated), assembled, as seeds. */
int fz_shader_load_seeds(const char *dirs);
/* A copy of a random seed shader, or 0 if none. */
size_t fz_shader_seed(uint8_t *code, size_t max);

/* exec.c */
struct fz_exec_opts {
	const char *render_node;	/* e.g. /dev/dri/renderD128 */
	const char *debugfs_dir;	/* the device's, or NULL */
	int kcov_fds[FZ_THREADS];	/* -1 without coverage */
	bool verbose;
};
/* Runs P in the calling (freshly forked) process; never returns. */
void fz_exec_child(const struct fz_prog *p, const struct fz_exec_opts *o)
	__attribute__((noreturn));

/* cover.c */
struct fz_cover;
struct fz_cover *fz_cover_open(const char *ko_path, int nthreads, char *err,
			       size_t errlen);
void fz_cover_child_fds(const struct fz_cover *c, int fds[FZ_THREADS]);
void fz_cover_reset(struct fz_cover *c);
/* Folds the areas into the coverage; returns how many PCs were new. */
size_t fz_cover_collect(struct fz_cover *c);
size_t fz_cover_reached(const struct fz_cover *c);
size_t fz_cover_total(const struct fz_cover *c);
/* Per-function table to F; unreached function names (at most MAX) to OUT. */
void fz_cover_report(const struct fz_cover *c, FILE *f);
void fz_cover_unreached(const struct fz_cover *c, FILE *f, size_t max);

/* report.c */
struct fz_reports;
struct fz_reports *fz_reports_start(const char *patterns, const char *known,
				    char *err, size_t errlen);
/* A report that stops the run, malloc()ed, or NULL; clears it. */
char *fz_reports_take(struct fz_reports *r);
/* Waits up to MS for a report in progress to complete. */
void fz_reports_settle(struct fz_reports *r, int ms);
/* Names and counts of the known reports excluded so far, to F. */
void fz_reports_known(struct fz_reports *r, FILE *f);

/* corpus.c */
struct fz_corpus;
/* SAVE_DIR (may be NULL) receives each program added with SAVE set. */
struct fz_corpus *fz_corpus_new(const char *save_dir);
/* Takes over P's blobs (P is left empty). */
void fz_corpus_add(struct fz_corpus *c, struct fz_prog *p, bool save);
size_t fz_corpus_size(const struct fz_corpus *c);
/* A random program, or NULL if the corpus is empty. */
const struct fz_prog *fz_corpus_pick(const struct fz_corpus *c);
/* The *.prog files of DIR, sorted, malloc()ed; NULL-terminated. */
char **fz_list_progs(const char *dir);

#endif /* VSVM_FUZZ_H */
