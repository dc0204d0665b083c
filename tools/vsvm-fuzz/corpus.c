// SPDX-License-Identifier: MIT
/*
 * vsvm-fuzz corpus: the programs that reached new vsvm.ko code.
 *
 * Kept in memory for mutation; each one the run adds is also written to
 * the save directory as HASH.prog, in the text form, so that a run's
 * findings can seed the next one (or join tools/vsvm-fuzz/corpus/).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

struct fz_corpus {
	struct fz_prog *progs;
	size_t n, cap;
	char *save_dir;
};

struct fz_corpus *fz_corpus_new(const char *save_dir)
{
	struct fz_corpus *c = calloc(1, sizeof(*c));

	if (c && save_dir)
		c->save_dir = strdup(save_dir);
	return c;
}

void fz_corpus_add(struct fz_corpus *c, struct fz_prog *p, bool save)
{
	if (save && c->save_dir) {
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%016" PRIx64 ".prog", c->save_dir,
			 fz_prog_hash(p));
		f = fopen(path, "w");
		if (f) {
			fz_prog_print(f, p);
			fclose(f);
		}
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->progs = realloc(c->progs, c->cap * sizeof(*c->progs));
		if (!c->progs) {
			perror("vsvm-fuzz: corpus");
			exit(2);
		}
	}
	/* A move: the corpus now owns the blobs. */
	c->progs[c->n++] = *p;
	fz_prog_init(p);
}

size_t fz_corpus_size(const struct fz_corpus *c)
{
	return c->n;
}

/* Newer programs found newer code: favour the last quarter a little. */
const struct fz_prog *fz_corpus_pick(const struct fz_corpus *c)
{
	if (!c->n)
		return NULL;
	if (c->n > 8 && fz_chance(3))
		return &c->progs[c->n - 1 - fz_rand_below(c->n / 4)];
	return &c->progs[fz_rand_below(c->n)];
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **fz_list_progs(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **list = NULL;
	size_t n = 0;

	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len < 6 || strcmp(e->d_name + len - 5, ".prog"))
			continue;
		list = realloc(list, (n + 2) * sizeof(*list));
		if (asprintf(&list[n], "%s/%s", dir, e->d_name) < 0)
			break;
		n++;
	}
	closedir(d);
	if (!list)
		list = calloc(1, sizeof(*list));
	else
		qsort(list, n, sizeof(*list), cmp_str);
	list[n] = NULL;
	return list;
}
