// SPDX-License-Identifier: MIT
/*
 * vsvm-fuzz coverage: KCOV areas, and vsvm.ko's PCs.
 *
 * The manager opens one KCOV descriptor per executor thread (KCOV_INIT_TRACE
 * and a shared mapping of its area, so the manager reads what the
 * executor's threads collected after they exit; each thread does
 * KCOV_ENABLE itself, exec.c), and one more for remote coverage: its first
 * thread calls KCOV_REMOTE_ENABLE with a common handle, which every task it
 * later creates inherits. vsvm records a submitter's handle in each job
 * and its compute units run workgroups under kcov_remote_start_common(),
 * so shader execution and GPU page faults land in the remote area.
 *
 * Only objects built with -fsanitize-coverage=trace-pc report PCs; the
 * debug lane instruments vsvm.ko alone (tools/debug-kernel/debug.config).
 * A PC is the return address of a call to __sanitizer_cov_trace_pc, so the
 * module's PCs are read from its relocations: each R_X86_64_PLT32 or PC32
 * against that symbol in an executable section is a call whose return
 * address is the relocation's offset plus 4. Adding the section's load
 * address from /sys/module/vsvm/sections/ gives the PCs KCOV reports (the
 * lane's kernel has no KASLR, so no offset is subtracted). The symbol
 * table names the function each PC belongs to.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/kcov.h>

#include "fuzz.h"

#define AREA_WORDS	(1u << 16)
/* Jobs: every workgroup of a program lands here, the interpreter's loop included. */
#define REMOTE_WORDS	(1u << 19)

struct fz_func {
	char *name;
	uint32_t npcs, reached;
};

struct fz_cover {
	int fds[FZ_THREADS + 1];		/* the last one is the remote one */
	uint64_t *areas[FZ_THREADS + 1];
	size_t words[FZ_THREADS + 1];
	int nareas;

	uint64_t *pcs;		/* sorted */
	uint32_t *pc_func;
	uint8_t *seen;
	size_t npcs, reached;
	struct fz_func *funcs;
	size_t nfuncs;
	uint64_t lo, hi;	/* the module's text, from the lowest PC to past the highest */
	uint64_t stray;		/* PCs in [lo, hi) that are not call sites: a wrong table */
};

struct raw_pc {
	uint64_t pc;
	uint32_t func;
};

static int cmp_pc(const void *a, const void *b)
{
	const struct raw_pc *x = a, *y = b;

	return x->pc < y->pc ? -1 : x->pc > y->pc;
}

static int section_base(const char *name, uint64_t *base)
{
	char path[256];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/module/vsvm/sections/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	ok = fscanf(f, "%" SCNx64, base) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

/*
 * The function of section SHNDX around OFFSET, as an index in c->funcs
 * (static functions of the same name count as one), or UINT32_MAX. The
 * last hit is remembered: calls come in address order within a function.
 */
static uint32_t func_of(struct fz_cover *c, const Elf64_Sym *syms, size_t nsyms,
			const char *strtab, uint32_t shndx, uint64_t offset)
{
	static const Elf64_Sym *last;
	static uint32_t last_func;

	if (last && last->st_shndx == shndx && offset >= last->st_value &&
	    offset < last->st_value + last->st_size)
		return last_func;
	for (size_t k = 0; k < nsyms; k++) {
		const Elf64_Sym *f = &syms[k];
		const char *name = strtab + f->st_name;

		if (ELF64_ST_TYPE(f->st_info) != STT_FUNC || f->st_shndx != shndx ||
		    offset < f->st_value || offset >= f->st_value + f->st_size)
			continue;
		last = f;
		for (size_t n = 0; n < c->nfuncs; n++) {
			if (!strcmp(c->funcs[n].name, name)) {
				last_func = n;
				return n;
			}
		}
		c->funcs = realloc(c->funcs, (c->nfuncs + 1) * sizeof(*c->funcs));
		c->funcs[c->nfuncs] = (struct fz_func){ strdup(name), 0, 0 };
		last_func = c->nfuncs++;
		return last_func;
	}
	return UINT32_MAX;
}

/* Reads the call sites of __sanitizer_cov_trace_pc out of KO. */
static int load_module_pcs(struct fz_cover *c, const char *ko, char *err, size_t errlen)
{
	struct raw_pc *raw = NULL;
	size_t nraw = 0, cap = 0;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	const char *shstr;
	uint8_t *img;
	struct stat sb;
	int fd, ret = -1;

	fd = open(ko, O_RDONLY);
	if (fd < 0 || fstat(fd, &sb)) {
		snprintf(err, errlen, "%s: %s", ko, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	img = mmap(NULL, sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (img == MAP_FAILED) {
		snprintf(err, errlen, "%s: %s", ko, strerror(errno));
		return -1;
	}
	eh = (const Elf64_Ehdr *)img;
	if ((size_t)sb.st_size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_type != ET_REL ||
	    eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(*sh) > (uint64_t)sb.st_size) {
		snprintf(err, errlen, "%s: not a 64-bit kernel module", ko);
		goto out;
	}
	sh = (const Elf64_Shdr *)(img + eh->e_shoff);
	shstr = (const char *)img + sh[eh->e_shstrndx].sh_offset;

	for (int s = 0; s < eh->e_shnum; s++) {
		const Elf64_Shdr *rel = &sh[s], *tgt, *symtab;
		const Elf64_Sym *syms;
		const char *strtab, *tname;
		uint64_t base;
		size_t nrel;

		if (rel->sh_type != SHT_RELA || rel->sh_info >= eh->e_shnum)
			continue;
		tgt = &sh[rel->sh_info];
		tname = shstr + tgt->sh_name;
		/* .init.text is gone after loading and .exit.text runs at rmmod only. */
		if (!(tgt->sh_flags & SHF_EXECINSTR) || strncmp(tname, ".text", 5))
			continue;
		if (section_base(tname, &base)) {
			snprintf(err, errlen, "no /sys/module/vsvm/sections/%s: is vsvm loaded?", tname);
			goto out;
		}
		symtab = &sh[rel->sh_link];
		syms = (const Elf64_Sym *)(img + symtab->sh_offset);
		strtab = (const char *)img + sh[symtab->sh_link].sh_offset;
		nrel = rel->sh_size / sizeof(Elf64_Rela);
		for (size_t r = 0; r < nrel; r++) {
			const Elf64_Rela *ra = (const Elf64_Rela *)(img + rel->sh_offset) + r;
			const Elf64_Sym *sym = &syms[ELF64_R_SYM(ra->r_info)];
			uint32_t type = ELF64_R_TYPE(ra->r_info);

			if ((type != R_X86_64_PLT32 && type != R_X86_64_PC32) ||
			    strcmp(strtab + sym->st_name, "__sanitizer_cov_trace_pc"))
				continue;
			if (nraw == cap) {
				cap = cap ? cap * 2 : 4096;
				raw = realloc(raw, cap * sizeof(*raw));
				if (!raw) {
					snprintf(err, errlen, "out of memory");
					goto out;
				}
			}
			raw[nraw].pc = base + ra->r_offset + 4;
			raw[nraw].func = func_of(c, syms, symtab->sh_size / sizeof(Elf64_Sym),
						 strtab, rel->sh_info, ra->r_offset);
			nraw++;
		}
	}
	if (!nraw) {
		snprintf(err, errlen, "%s has no __sanitizer_cov_trace_pc calls: built without KCOV?", ko);
		goto out;
	}
	qsort(raw, nraw, sizeof(*raw), cmp_pc);
	c->pcs = malloc(nraw * sizeof(*c->pcs));
	c->pc_func = malloc(nraw * sizeof(*c->pc_func));
	c->seen = calloc(nraw, 1);
	for (size_t i = 0; i < nraw; i++) {
		c->pcs[i] = raw[i].pc;
		c->pc_func[i] = raw[i].func;
		if (raw[i].func != UINT32_MAX)
			c->funcs[raw[i].func].npcs++;
	}
	c->npcs = nraw;
	c->lo = c->pcs[0];
	c->hi = c->pcs[nraw - 1] + 1;
	ret = 0;
out:
	free(raw);
	munmap(img, sb.st_size);
	return ret;
}

static int open_area(struct fz_cover *c, int i, size_t words, char *err, size_t errlen)
{
	/* Not close-on-exec: the executor inherits it (and never execs). */
	int fd = open("/sys/kernel/debug/kcov", O_RDWR);
	void *area;

	if (fd < 0) {
		snprintf(err, errlen, "/sys/kernel/debug/kcov: %s (no CONFIG_KCOV?)", strerror(errno));
		return -1;
	}
	if (ioctl(fd, KCOV_INIT_TRACE, words)) {
		snprintf(err, errlen, "KCOV_INIT_TRACE: %s", strerror(errno));
		close(fd);
		return -1;
	}
	area = mmap(NULL, words * sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (area == MAP_FAILED) {
		snprintf(err, errlen, "mmap of a KCOV area: %s", strerror(errno));
		close(fd);
		return -1;
	}
	c->fds[i] = fd;
	c->areas[i] = area;
	c->words[i] = words;
	return 0;
}

/*
 * Must run on the manager's first thread before it creates any thread or
 * executor: they inherit the remote handle.
 */
struct fz_cover *fz_cover_open(const char *ko_path, int nthreads, char *err, size_t errlen)
{
	struct fz_cover *c = calloc(1, sizeof(*c));
	struct kcov_remote_arg arg = {
		.trace_mode = KCOV_TRACE_PC,
		.area_size = REMOTE_WORDS,
		.num_handles = 0,
		/* KCOV_SUBSYSTEM_COMMON, instance: the pid, unique while we live. */
		.common_handle = (uint32_t)getpid(),
	};

	if (!c || load_module_pcs(c, ko_path, err, errlen))
		goto fail;
	for (int i = 0; i < nthreads; i++)
		if (open_area(c, i, AREA_WORDS, err, errlen))
			goto fail;
	if (open_area(c, nthreads, REMOTE_WORDS, err, errlen))
		goto fail;
	if (ioctl(c->fds[nthreads], KCOV_REMOTE_ENABLE, &arg)) {
		snprintf(err, errlen, "KCOV_REMOTE_ENABLE: %s", strerror(errno));
		goto fail;
	}
	c->nareas = nthreads + 1;
	return c;
fail:
	free(c);
	return NULL;
}

void fz_cover_child_fds(const struct fz_cover *c, int fds[FZ_THREADS])
{
	for (int i = 0; i < FZ_THREADS; i++)
		fds[i] = c && i < c->nareas - 1 ? c->fds[i] : -1;
}

void fz_cover_reset(struct fz_cover *c)
{
	for (int i = 0; c && i < c->nareas; i++)
		__atomic_store_n(&c->areas[i][0], 0, __ATOMIC_RELAXED);
}

static long find_pc(const struct fz_cover *c, uint64_t pc)
{
	size_t lo = 0, hi = c->npcs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c->pcs[mid] == pc)
			return mid;
		if (c->pcs[mid] < pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

size_t fz_cover_collect(struct fz_cover *c)
{
	size_t fresh = 0;

	for (int i = 0; c && i < c->nareas; i++) {
		uint64_t *area = c->areas[i];
		uint64_t n = __atomic_load_n(&area[0], __ATOMIC_RELAXED);

		if (n >= c->words[i])
			n = c->words[i] - 1;
		for (uint64_t k = 1; k <= n; k++) {
			uint64_t pc = area[k];
			long idx;

			if (pc < c->lo || pc >= c->hi)
				continue;
			idx = find_pc(c, pc);
			if (idx < 0) {
				c->stray++;
				continue;
			}
			if (!c->seen[idx]) {
				c->seen[idx] = 1;
				c->reached++;
				if (c->pc_func[idx] != UINT32_MAX)
					c->funcs[c->pc_func[idx]].reached++;
				fresh++;
			}
		}
		__atomic_store_n(&area[0], 0, __ATOMIC_RELAXED);
	}
	return fresh;
}

size_t fz_cover_reached(const struct fz_cover *c)
{
	return c ? c->reached : 0;
}

size_t fz_cover_total(const struct fz_cover *c)
{
	return c ? c->npcs : 0;
}

static int cmp_func(const void *a, const void *b)
{
	const struct fz_func *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* One line per function: reached, total, name; sorted by name. */
void fz_cover_report(const struct fz_cover *c, FILE *f)
{
	struct fz_func *sorted;

	if (!c)
		return;
	sorted = malloc(c->nfuncs * sizeof(*sorted));
	memcpy(sorted, c->funcs, c->nfuncs * sizeof(*sorted));
	qsort(sorted, c->nfuncs, sizeof(*sorted), cmp_func);
	fprintf(f, "# reached\ttotal\tfunction (vsvm.ko PCs: %zu of %zu; %" PRIu64
		" stray)\n", c->reached, c->npcs, c->stray);
	for (size_t i = 0; i < c->nfuncs; i++)
		fprintf(f, "%u\t%u\t%s\n", sorted[i].reached, sorted[i].npcs, sorted[i].name);
	free(sorted);
}

void fz_cover_unreached(const struct fz_cover *c, FILE *f, size_t max)
{
	struct fz_func *sorted;
	size_t n = 0;

	if (!c)
		return;
	sorted = malloc(c->nfuncs * sizeof(*sorted));
	memcpy(sorted, c->funcs, c->nfuncs * sizeof(*sorted));
	qsort(sorted, c->nfuncs, sizeof(*sorted), cmp_func);
	for (size_t i = 0; i < c->nfuncs; i++)
		n += !sorted[i].reached;
	fprintf(f, "unreached functions (%zu of %zu):", n, c->nfuncs);
	n = 0;
	for (size_t i = 0; i < c->nfuncs; i++) {
		if (sorted[i].reached)
			continue;
		if (n++ == max) {
			fputs(" ...", f);
			break;
		}
		fprintf(f, " %s", sorted[i].name);
	}
	fputc('\n', f);
	free(sorted);
}
