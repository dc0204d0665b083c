// SPDX-License-Identifier: MIT
/*
 * vsvm-fuzz programs: the operation table and the text form.
 *
 * The text form is what the seed corpus, the saved corpus and reproducers
 * are written in, one operation a line:
 *
 *   [tN:] NAME ARG=VALUE ... [data=BLOB]
 *
 * tN: names the executor thread (default t0). A value is a number (C
 * syntax, hex or decimal, or negative) or %N, the Nth resource of the
 * argument's kind created so far. Arguments left out are zero; exec's
 * code_size and args_size may be "auto", the length of the last code or
 * args blob before it. A blob is
 * hex:BYTES, u64:V,V,... (little-endian words) or asm:NAME (NAME.s from
 * the seed shader directories, assembled when the program is loaded). '#' starts a
 * comment line; a line "program" starts the next program of a file that
 * holds several (a reproducer holds the last ones run). Printing a
 * program gives the same program back when parsed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vsvm_asm.h"

#define R(n, k)		{ n, k, 0 }
#define E(n, max)	{ n, K_ENUM, max }
#define FD		R("fd", K_FD)
#define NONE		K_RES_COUNT

const struct fz_op_desc fz_ops[OP_COUNT] = {
	[OP_OPEN] = { "open", 0, K_FD, false, {} },
	[OP_CLOSE] = { "close", 1, NONE, false, { FD } },
	[OP_DUP] = { "dup", 1, K_FD, false, { FD } },
	[OP_GET_PARAM] = { "get_param", 3, NONE, false,
		{ FD, E("param", 16), R("pad", K_ZERO) } },
	[OP_GEM_CREATE] = { "gem_create", 3, K_BO, false,
		{ FD, R("size", K_LEN), R("flags", K_FLAGS) } },
	[OP_GEM_MMAP_OFFSET] = { "gem_mmap_offset", 3, NONE, false,
		{ FD, R("bo", K_BO), R("flags", K_FLAGS) } },
	[OP_GEM_MMAP] = { "gem_mmap", 6, NONE, false,
		{ FD, R("bo", K_BO), R("addr", K_ADDR), R("len", K_LEN),
		  E("prot", 8), R("delta", K_LEN) } },
	[OP_GEM_CLOSE] = { "gem_close", 3, NONE, false,
		{ FD, R("bo", K_BO), R("pad", K_ZERO) } },
	[OP_PRIME_EXPORT] = { "prime_export", 3, K_DMABUF, false,
		{ FD, R("bo", K_BO), R("flags", K_FLAGS) } },
	[OP_PRIME_IMPORT] = { "prime_import", 2, K_BO, false,
		{ FD, R("dmabuf", K_DMABUF) } },
	[OP_VM_CREATE] = { "vm_create", 3, K_VM, false,
		{ FD, R("flags", K_FLAGS), R("ext", K_ZERO) } },
	[OP_VM_DESTROY] = { "vm_destroy", 3, NONE, false,
		{ FD, R("vm", K_VM), R("pad", K_ZERO) } },
	[OP_VM_BIND] = { "vm_bind", 10, NONE, false,
		{ FD, R("vm", K_VM), E("op", 4), R("flags", K_FLAGS),
		  R("bo", K_BO), R("bo_offset", K_LEN), R("addr", K_ADDR),
		  R("range", K_LEN), R("userptr", K_ADDR), R("ext", K_ZERO) } },
	[OP_QUEUE_CREATE] = { "queue_create", 5, K_QUEUE, false,
		{ FD, R("vm", K_VM), R("flags", K_FLAGS), R("pad", K_ZERO),
		  R("ext", K_ZERO) } },
	[OP_QUEUE_DESTROY] = { "queue_destroy", 3, NONE, false,
		{ FD, R("queue", K_QUEUE), R("pad", K_ZERO) } },
	[OP_EXEC] = { "exec", 22, K_JOB, false,
		{ FD, R("queue", K_QUEUE), R("flags", K_FLAGS),
		  R("code_addr", K_ADDR), R("code_size", K_LEN),
		  R("args_addr", K_ADDR), R("args_size", K_LEN),
		  R("gx", K_DIM), R("gy", K_DIM), R("gz", K_DIM),
		  R("wx", K_DIM), R("wy", K_DIM), R("wz", K_DIM),
		  R("shared", K_LEN), R("scratch", K_LEN),
		  /* in_syncs 0: the executor's array, every entry in0 */
		  R("in_syncs", K_ADDR), R("num_in", K_COUNT),
		  R("in0", K_SYNCOBJ), R("out_sync", K_SYNCOBJ),
		  R("ext", K_ZERO), R("ufence_addr", K_ADDR),
		  R("ufence_value", K_NUM) } },
	[OP_WAIT] = { "wait", 6, NONE, false,
		{ FD, R("job", K_JOB), R("queue", K_QUEUE),
		  R("seqno_delta", K_NUM), R("timeout", K_TIMEOUT),
		  R("flags", K_FLAGS) } },
	[OP_PREFETCH] = { "prefetch", 5, NONE, false,
		{ FD, R("vm", K_VM), R("flags", K_FLAGS), R("addr", K_ADDR),
		  R("range", K_LEN) } },
	[OP_SYNCOBJ_CREATE] = { "syncobj_create", 2, K_SYNCOBJ, false,
		{ FD, R("flags", K_FLAGS) } },
	[OP_SYNCOBJ_DESTROY] = { "syncobj_destroy", 3, NONE, false,
		{ FD, R("syncobj", K_SYNCOBJ), R("pad", K_ZERO) } },
	[OP_SYNCOBJ_WAIT] = { "syncobj_wait", 5, NONE, false,
		{ FD, R("syncobj", K_SYNCOBJ), R("count", K_COUNT),
		  R("timeout", K_TIMEOUT), R("flags", K_FLAGS) } },
	[OP_SYNCOBJ_SIGNAL] = { "syncobj_signal", 3, NONE, false,
		{ FD, R("syncobj", K_SYNCOBJ), R("count", K_COUNT) } },
	[OP_SYNCOBJ_RESET] = { "syncobj_reset", 3, NONE, false,
		{ FD, R("syncobj", K_SYNCOBJ), R("count", K_COUNT) } },
	[OP_IOCTL] = { "ioctl", 4, NONE, true,
		{ FD, E("nr", 0x40), E("dir", 4), R("size", K_LEN) } },
	[OP_WRITE] = { "write", 1, NONE, true, { R("addr", K_ADDR) } },
	[OP_CODE] = { "code", 1, NONE, true, { R("addr", K_ADDR) } },
	[OP_ARGS] = { "args", 1, NONE, true, { R("addr", K_ADDR) } },
	[OP_MMAP] = { "mmap", 5, NONE, false,
		{ R("addr", K_ADDR), R("len", K_LEN), E("prot", 8),
		  E("kind", 10), R("flags", K_FLAGS) } },
	[OP_MUNMAP] = { "munmap", 2, NONE, false,
		{ R("addr", K_ADDR), R("len", K_LEN) } },
	[OP_MREMAP] = { "mremap", 5, NONE, false,
		{ R("addr", K_ADDR), R("len", K_LEN), R("new_len", K_LEN),
		  R("flags", K_FLAGS), R("new_addr", K_ADDR) } },
	[OP_MPROTECT] = { "mprotect", 3, NONE, false,
		{ R("addr", K_ADDR), R("len", K_LEN), E("prot", 8) } },
	[OP_MADVISE] = { "madvise", 3, NONE, false,
		{ R("addr", K_ADDR), R("len", K_LEN), E("advice", 16) } },
	[OP_TOUCH] = { "touch", 3, NONE, false,
		{ R("addr", K_ADDR), R("len", K_LEN), E("mode", 3) } },
	[OP_FORK] = { "fork", 3, NONE, false,
		{ R("nops", K_NUM), E("mode", 3), R("usec", K_USEC) } },
	[OP_SEND_FD] = { "send_fd", 1, NONE, false, { FD } },
	[OP_RECV_FD] = { "recv_fd", 0, K_FD, false, {} },
	[OP_SLEEP] = { "sleep", 1, NONE, false, { R("usec", K_USEC) } },
	[OP_DEBUGFS] = { "debugfs", 1, NONE, false, { E("file", 8) } },
	[OP_INJECT] = { "inject", 2, NONE, false,
		{ E("knob", 8), R("value", K_NUM) } },
	/* Orders threads: waits (2 s at most) until op INDEX has run. */
	[OP_WAIT_OP] = { "wait_op", 1, NONE, false, { E("index", FZ_MAX_OPS) } },
	[OP_WAIT_UFENCE] = { "wait_ufence", 6, NONE, false,
		{ FD, R("addr", K_ADDR), R("value", K_NUM), R("timeout", K_TIMEOUT),
		  R("flags", K_FLAGS), R("pad", K_ZERO) } },
};

int fz_arg_index(int type, const char *name)
{
	for (int i = 0; i < fz_ops[type].nargs; i++)
		if (!strcmp(fz_ops[type].args[i].name, name))
			return i;
	return -1;
}

void fz_prog_init(struct fz_prog *p)
{
	memset(p, 0, sizeof(*p));
}

void fz_prog_free(struct fz_prog *p)
{
	for (uint32_t i = 0; i < p->n; i++)
		free(p->ops[i].blob);
	fz_prog_init(p);
}

static void *xmemdup(const void *data, size_t len)
{
	void *copy;

	if (!len)
		return NULL;
	copy = malloc(len);
	if (!copy) {
		perror("vsvm-fuzz: malloc");
		exit(2);
	}
	memcpy(copy, data, len);
	return copy;
}

void fz_prog_copy(struct fz_prog *dst, const struct fz_prog *src)
{
	*dst = *src;
	for (uint32_t i = 0; i < src->n; i++)
		dst->ops[i].blob = xmemdup(src->ops[i].blob, src->ops[i].blob_len);
}

void fz_op_set_blob(struct fz_op *op, const void *data, size_t len)
{
	void *copy = xmemdup(data, len);

	free(op->blob);
	op->blob = copy;
	op->blob_len = len;
}

void fz_op_remove(struct fz_prog *p, uint32_t i)
{
	free(p->ops[i].blob);
	memmove(&p->ops[i], &p->ops[i + 1], (p->n - i - 1) * sizeof(p->ops[0]));
	p->n--;
}

struct fz_op *fz_op_insert(struct fz_prog *p, uint32_t i, int type)
{
	if (p->n == FZ_MAX_OPS)
		return NULL;
	memmove(&p->ops[i + 1], &p->ops[i], (p->n - i) * sizeof(p->ops[0]));
	p->n++;
	memset(&p->ops[i], 0, sizeof(p->ops[i]));
	p->ops[i].type = type;
	return &p->ops[i];
}

static bool is_resource(const struct fz_arg_desc *d)
{
	return d->kind < K_RES_COUNT;
}

static void print_blob(FILE *f, const struct fz_op *op)
{
	if (op->type == OP_ARGS && op->blob_len % 8 == 0) {
		fputs(" data=u64:", f);
		for (uint32_t i = 0; i < op->blob_len; i += 8) {
			uint64_t v;

			memcpy(&v, op->blob + i, 8);
			fprintf(f, "%s0x%" PRIx64, i ? "," : "", v);
		}
		return;
	}
	fputs(" data=hex:", f);
	for (uint32_t i = 0; i < op->blob_len; i++)
		fprintf(f, "%02x", op->blob[i]);
}

/* Shader code gets its disassembly above it, for whoever reads a reproducer. */
static void print_disasm(FILE *f, const struct fz_op *op)
{
	char *text, *line, *save = NULL;
	size_t len = op->blob_len / 16 * 16;

	if (!len)
		return;
	text = vsvm_disasm_str(op->blob, len, VSVM_DISASM_OFFSETS);
	if (!text)
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		fprintf(f, "#   %s\n", line);
	free(text);
}

void fz_prog_print(FILE *f, const struct fz_prog *p)
{
	for (uint32_t i = 0; i < p->n; i++) {
		const struct fz_op *op = &p->ops[i];
		const struct fz_op_desc *d = &fz_ops[op->type];

		if (op->type == OP_CODE)
			print_disasm(f, op);
		if (op->thread)
			fprintf(f, "t%u: ", op->thread);
		fputs(d->name, f);
		for (int a = 0; a < d->nargs; a++) {
			uint64_t v = op->a[a];

			if (is_resource(&d->args[a]) && (v & FZ_REF))
				fprintf(f, " %s=%%%" PRIu64, d->args[a].name, v & ~FZ_REF);
			else
				fprintf(f, " %s=0x%" PRIx64, d->args[a].name, v);
		}
		if (d->blob)
			print_blob(f, op);
		fputc('\n', f);
	}
}

char *fz_prog_str(const struct fz_prog *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fz_prog_print(f, p);
	fclose(f);
	return buf;
}

struct parser {
	const char *shader_dir;
	int line;
	char *err;
	size_t errlen;
};

static int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(ps->err, ps->errlen, "line %d: ", ps->line);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < ps->errlen)
		vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_num(struct parser *ps, const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	if (*s == '-')
		*v = (uint64_t)strtoll(s, &end, 0);
	else
		*v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		return fail(ps, "bad number '%s'", s);
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int parse_asm(struct parser *ps, const char *name, struct fz_op *op)
{
	char path[4096], asmerr[256];
	size_t len = 0, size;
	char *src = NULL;
	uint8_t *code;
	FILE *f;

	if (!ps->shader_dir || strchr(name, '/'))
		return fail(ps, "asm:%s: no shader directory", name);
	/* The first directory of the list that has it. */
	f = NULL;
	for (const char *d = ps->shader_dir; d && !f; d = strchr(d, ':') ? strchr(d, ':') + 1 : NULL) {
		int n = strchr(d, ':') ? (int)(strchr(d, ':') - d) : (int)strlen(d);

		snprintf(path, sizeof(path), "%.*s/%s.s", n, d, name);
		f = fopen(path, "r");
	}
	if (!f)
		return fail(ps, "asm:%s: no %s.s in %s", name, name, ps->shader_dir);
	if (getdelim(&src, &len, '\0', f) < 0) {
		fclose(f);
		free(src);
		return fail(ps, "%s: cannot read", path);
	}
	fclose(f);
	if (vsvm_asm(src, &code, &size, asmerr, sizeof(asmerr))) {
		free(src);
		return fail(ps, "%s:%s", path, asmerr);
	}
	free(src);
	if (size > FZ_MAX_BLOB) {
		free(code);
		return fail(ps, "%s: longer than %d bytes", path, FZ_MAX_BLOB);
	}
	fz_op_set_blob(op, code, size);
	free(code);
	return 0;
}

static int parse_blob(struct parser *ps, const char *s, struct fz_op *op)
{
	uint8_t buf[FZ_MAX_BLOB];
	size_t n = 0;

	if (!strncmp(s, "asm:", 4))
		return parse_asm(ps, s + 4, op);
	if (!strncmp(s, "hex:", 4)) {
		for (s += 4; *s; s += 2) {
			int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

			if (lo < 0)
				return fail(ps, "bad hex blob");
			if (n == sizeof(buf))
				return fail(ps, "blob longer than %zu bytes", sizeof(buf));
			buf[n++] = hi << 4 | lo;
		}
	} else if (!strncmp(s, "u64:", 4)) {
		char *copy = strdup(s + 4), *tok, *save = NULL;
		uint64_t v;

		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (parse_num(ps, tok, &v) || n + 8 > sizeof(buf)) {
				free(copy);
				return n + 8 > sizeof(buf) ? fail(ps, "blob too long") : -1;
			}
			memcpy(buf + n, &v, 8);
			n += 8;
		}
		free(copy);
	} else {
		return fail(ps, "blob must be hex:, u64: or asm:");
	}
	fz_op_set_blob(op, buf, n);
	return 0;
}

/*
 * exec's code_size=auto and args_size=auto: the length of the last code or
 * args blob before it, so that a hand-written program need not count bytes.
 */
static int auto_size(const struct fz_prog *p, int type, const char *name, uint64_t *v)
{
	int want = !strcmp(name, "code_size") ? OP_CODE : !strcmp(name, "args_size") ? OP_ARGS : -1;

	if (type != OP_EXEC || want < 0)
		return -1;
	for (uint32_t i = p->n - 1; i-- > 0;) {
		if (p->ops[i].type == want) {
			*v = p->ops[i].blob_len;
			return 0;
		}
	}
	return -1;
}

static int parse_line(struct parser *ps, char *line, struct fz_prog *p)
{
	char *tok, *save = NULL;
	struct fz_op *op;
	unsigned int thread = 0;
	int type;

	tok = strtok_r(line, " \t", &save);
	if (tok[0] == 't' && isdigit((unsigned char)tok[1]) && tok[strlen(tok) - 1] == ':') {
		thread = strtoul(tok + 1, NULL, 10);
		if (thread >= FZ_THREADS)
			return fail(ps, "thread %u: there are %d", thread, FZ_THREADS);
		tok = strtok_r(NULL, " \t", &save);
		if (!tok)
			return fail(ps, "thread without an operation");
	}
	for (type = 0; type < OP_COUNT; type++)
		if (!strcmp(fz_ops[type].name, tok))
			break;
	if (type == OP_COUNT)
		return fail(ps, "unknown operation '%s'", tok);
	if (p->n == FZ_MAX_OPS)
		return fail(ps, "more than %d operations", FZ_MAX_OPS);
	op = fz_op_insert(p, p->n, type);
	op->thread = thread;

	while ((tok = strtok_r(NULL, " \t", &save))) {
		char *eq = strchr(tok, '=');
		int a;

		if (!eq)
			return fail(ps, "'%s' is not NAME=VALUE", tok);
		*eq = '\0';
		if (!strcmp(tok, "data") && fz_ops[type].blob) {
			if (parse_blob(ps, eq + 1, op))
				return -1;
			continue;
		}
		a = fz_arg_index(type, tok);
		if (a < 0)
			return fail(ps, "%s has no argument '%s'", fz_ops[type].name, tok);
		if (!strcmp(eq + 1, "auto")) {
			if (auto_size(p, type, tok, &op->a[a]))
				return fail(ps, "%s=auto: no earlier %s", tok,
					    !strcmp(tok, "code_size") ? "code" : "args");
		} else if (eq[1] == '%') {
			if (!is_resource(&fz_ops[type].args[a]))
				return fail(ps, "%s is not a resource", tok);
			if (parse_num(ps, eq + 2, &op->a[a]))
				return -1;
			op->a[a] |= FZ_REF;
		} else if (parse_num(ps, eq + 1, &op->a[a])) {
			return -1;
		}
	}
	return 0;
}

int fz_prog_parse(const char *text, const char *shader_dir,
		  struct fz_prog *out, int max, char *err, size_t errlen)
{
	struct parser ps = { shader_dir, 0, err, errlen };
	char *copy = strdup(text), *line, *save = NULL;
	int n = 0;

	if (!copy || max < 1) {
		snprintf(err, errlen, "out of memory");
		free(copy);
		return -1;
	}
	fz_prog_init(&out[0]);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *s = line, *e;

		ps.line++;
		while (isspace((unsigned char)*s))
			s++;
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (!*s || *s == '#')
			continue;
		if (!strcmp(s, "program")) {
			if (out[n].n) {
				if (++n == max) {
					fail(&ps, "more than %d programs", max);
					goto err;
				}
				fz_prog_init(&out[n]);
			}
			continue;
		}
		if (parse_line(&ps, s, &out[n]))
			goto err;
	}
	free(copy);
	return out[n].n ? n + 1 : n;
err:
	for (int i = 0; i <= n; i++)
		fz_prog_free(&out[i]);
	free(copy);
	return -1;
}

int fz_prog_load(const char *path, const char *shader_dir,
		 struct fz_prog *out, int max, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r");
	int n;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (getdelim(&text, &len, '\0', f) < 0) {
		snprintf(err, errlen, "%s: cannot read", path);
		fclose(f);
		free(text);
		return -1;
	}
	fclose(f);
	n = fz_prog_parse(text, shader_dir, out, max, err, errlen);
	free(text);
	if (n < 0) {
		size_t l = strlen(err);
		char tmp[512];

		snprintf(tmp, sizeof(tmp), "%s: %.*s", path, (int)l, err);
		snprintf(err, errlen, "%s", tmp);
	}
	return n;
}

/* FNV-1a over the printed form: names corpus files. */
uint64_t fz_prog_hash(const struct fz_prog *p)
{
	char *s = fz_prog_str(p);
	uint64_t h = 0xcbf29ce484222325ull;

	for (char *c = s; c && *c; c++)
		h = (h ^ (uint8_t)*c) * 0x100000001b3ull;
	free(s);
	return h;
}
