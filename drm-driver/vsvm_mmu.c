// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>

#include <drm/drm_print.h>

#include "vsvm_drv.h"
#include "vsvm_interp.h"
#include "vsvm_mmu.h"

/**
 * DOC: Emulated GPU MMU
 *
 * Every VM has a four-level page table in the format a small GPU would
 * use: 512 entries per table, 4 KiB leaves at level 0 and 2 MiB leaves at
 * level 1, entries holding physical addresses. The engine translates
 * through it with vsvm_mmu_xlate(), caching translations in a per compute
 * unit TLB: set-associative, a 2 MiB leaf held as one 2 MiB entry and a
 * 4 KiB leaf as a 4 KiB entry (struct vsvm_tlb).
 *
 * Locking: writers hold &vsvm_mmu.lock. The engine walks locklessly: a new
 * table is filled before it is published, and a table is only freed after
 * a shootdown, so a walker holding its TLB lock never reads a freed table.
 *
 * Shootdown: a zap clears PTEs, then takes the TLB lock of every compute
 * unit that may cache some of them, in turn, and drops the entries of the
 * extent it cleared. That extent can be
 * larger than the range asked for: a 2 MiB leaf is dropped whole when any
 * of it is zapped, and its other 511 translations must go from the TLBs
 * too, or a later zap that finds nothing left to clear would leave them
 * there while the CPU frees the pages (see struct vsvm_tlb for the rule).
 * A compute unit holds the TLB lock for a whole interpreter batch, so when
 * the zap returns no shader access that used an old PTE is still in flight
 * and none can start. The zap only spins on bounded batches and never
 * sleeps or allocates: this is what lets an invalidation callback honour a
 * non-blockable range.
 *
 * Cost: a zap reads the tables under its range, but drops a level-0 table
 * whole without reading its entries (the table's page counts them), and a
 * zap that clears nothing shoots nothing down. A shootdown visits only the
 * compute units whose TLB may hold pages of the 2 MiB blocks cleared
 * (&vsvm_tlb.blocks).
 */

#define LEVEL_SHIFT(l)	(12 + 9 * (l))
#define LEVEL_SIZE(l)	(1ULL << LEVEL_SHIFT(l))
#define LEVEL_INDEX(va, l) (((va) >> LEVEL_SHIFT(l)) & (VSVM_PT_ENTRIES - 1))

/* The last &vsvm_mmu.id handed out; 2^64 tables will not be created. */
static atomic64_t vsvm_mmu_last_id = ATOMIC64_INIT(0);

/**
 * struct vsvm_zap_extent - the GPU VAs whose PTEs a zap or update cleared
 */
struct vsvm_zap_extent {
	/** @start: first VA cleared, U64_MAX when nothing was. */
	u64 start;
	/** @end: end of the last VA cleared. */
	u64 end;
};

static void extent_add(struct vsvm_zap_extent *x, u64 va, u64 size)
{
	x->start = min(x->start, va);
	x->end = max(x->end, va + size);
}

static u64 *table_of(u64 pte)
{
	return phys_to_virt(pte & VSVM_PTE_ADDR_MASK);
}

/*
 * Valid entries of the level-0 table holding @slot, kept in the table's
 * page under &vsvm_mmu.lock.
 */
static void pt0_count_add(u64 *slot, long n)
{
	struct page *page = virt_to_page(slot);

	set_page_private(page, page_private(page) + n);
}

static unsigned long pt0_count(u64 *t)
{
	return page_private(virt_to_page(t));
}

/*
 * Page tables belong to the process whose bindings and faults need them:
 * charged to its memory cgroup (the caller sets the active memcg when it
 * allocates on a kernel thread).
 */
static u64 *pt_page_alloc(void)
{
	u64 *t = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

	if (t)
		vsvm_obj_inc(VSVM_OBJ_PT_PAGE);
	return t;
}

static void pt_page_free(u64 *t)
{
	set_page_private(virt_to_page(t), 0);
	free_page((unsigned long)t);
	vsvm_obj_dec(VSVM_OBJ_PT_PAGE);
}

/**
 * vsvm_mmu_init() - set up an empty page table
 * @mmu: the page table
 * @vdev: the device
 *
 * Return: 0 or -ENOMEM.
 */
int vsvm_mmu_init(struct vsvm_mmu *mmu, struct vsvm_device *vdev)
{
	mmu->vdev = vdev;
	mmu->id = atomic64_inc_return(&vsvm_mmu_last_id);
	spin_lock_init(&mmu->lock);
	mmu->root = pt_page_alloc();
	if (!mmu->root)
		return -ENOMEM;
	mmu->n_tables = 1;
	return 0;
}

static void free_level(u64 *t, int level)
{
	int i;

	for (i = 0; level > 0 && i < VSVM_PT_ENTRIES; i++) {
		u64 pte = t[i];

		if ((pte & VSVM_PTE_VALID) && !(pte & VSVM_PTE_LEAF))
			free_level(table_of(pte), level - 1);
	}
	pt_page_free(t);
}

static void shootdown(struct vsvm_mmu *mmu, u64 start, u64 end, bool every_cu);

/**
 * vsvm_mmu_fini() - free a page table
 * @mmu: the page table; no job may still run on it
 *
 * Flushes every compute unit of the VM's entries whatever the table still
 * held: the TLB rule must not depend on the PTEs having been accounted
 * for correctly by every earlier zap.
 */
void vsvm_mmu_fini(struct vsvm_mmu *mmu)
{
	vsvm_mmu_zap(mmu, 0, 1ULL << VSVM_VA_BITS);
	spin_lock(&mmu->lock);
	shootdown(mmu, 0, 1ULL << VSVM_VA_BITS, true);
	spin_unlock(&mmu->lock);
	free_level(mmu->root, VSVM_PT_LEVELS - 1);
	mmu->root = NULL;
}

/**
 * vsvm_pt_cache_fill() - allocate the tables an update of [@start, @end) needs
 * @c: the cache, empty or partly used
 * @start: first GPU VA
 * @end: end of the range; [@start, @end) lies in one 2 MiB block
 *
 * Tables are only ever added while the VM lives, except level-0 tables a
 * zap empties, so counting the missing ones without the lock can only
 * overestimate what the locked update will take, but for those.
 * Two spare pages cover them and the split of a 2 MiB leaf.
 *
 * Context: may sleep.
 * Return: 0 or -ENOMEM.
 */
int vsvm_pt_cache_fill(struct vsvm_pt_cache *c, u64 start, u64 end)
{
	u32 want = VSVM_PT_LEVELS - 1 + 2;

	if (WARN_ON_ONCE((start >> 21) != ((end - 1) >> 21)))
		return -EINVAL;
	while (c->n < want) {
		c->pages[c->n] = pt_page_alloc();
		if (!c->pages[c->n])
			return -ENOMEM;
		c->n++;
	}
	return 0;
}

/**
 * vsvm_pt_cache_drain() - free what an update did not use
 * @c: the cache
 */
void vsvm_pt_cache_drain(struct vsvm_pt_cache *c)
{
	while (c->n)
		pt_page_free(c->pages[--c->n]);
}

static u64 *next_table(struct vsvm_mmu *mmu, struct vsvm_pt_cache *c, u64 *t,
		       u64 va, int level)
{
	u64 *slot = &t[LEVEL_INDEX(va, level)];
	u64 pte = *slot, *child;
	int i;

	if ((pte & VSVM_PTE_VALID) && !(pte & VSVM_PTE_LEAF))
		return table_of(pte);

	if (WARN_ON_ONCE(!c->n))
		return NULL;
	child = c->pages[--c->n];
	mmu->n_tables++;
	if (pte & VSVM_PTE_VALID) {
		/* Split a 2 MiB leaf into the same 512 translations. */
		for (i = 0; i < VSVM_PT_ENTRIES; i++)
			child[i] = (pte + ((u64)i << PAGE_SHIFT)) | VSVM_PTE_LEAF;
		pt0_count_add(child, VSVM_PT_ENTRIES);
		mmu->n_2m--;
		mmu->n_4k += VSVM_PT_ENTRIES;
	}
	/* Publish the table only once its entries are visible. */
	smp_store_release(slot, virt_to_phys(child) | VSVM_PTE_VALID);
	return child;
}

/*
 * Replacing a valid leaf is only meant to add write permission to the same
 * page: anything else the notifier protocol zaps first. Should it ever
 * happen, the old translation is flushed like a zapped one (@stale).
 * Returns the 4 KiB pages the leaf newly maps.
 */
static u32 set_leaf(struct vsvm_mmu *mmu, u64 *slot, u64 pte, int level, u64 va,
		    struct vsvm_zap_extent *stale)
{
	u64 old = *slot;
	u32 added = 0;

	if (!(old & VSVM_PTE_VALID)) {
		if (level) {
			mmu->n_2m++;
			added = VSVM_PT_ENTRIES;
		} else {
			mmu->n_4k++;
			pt0_count_add(slot, 1);
			added = 1;
		}
	} else if ((old & ~VSVM_PTE_WRITE) != (pte & ~VSVM_PTE_WRITE) ||
		   (old & ~pte & VSVM_PTE_WRITE)) {
		extent_add(stale, va, LEVEL_SIZE(level));
	}
	WRITE_ONCE(*slot, pte);
	return added;
}

/**
 * vsvm_mmu_map_locked() - install one PTE
 * @mmu: the page table, its lock held
 * @c: tables filled for this update by vsvm_pt_cache_fill()
 * @va: GPU VA, aligned to the page size
 * @pfn: first page frame
 * @order: 0 for 4 KiB, 9 for 2 MiB (physically contiguous, aligned)
 * @writable: allow writes
 *
 * Replacing a valid PTE with another one is only allowed for the same page
 * with more permission; anything else needs a zap first, so that no stale
 * TLB entry survives.
 *
 * Context: &vsvm_mmu.lock held; does not sleep.
 * Return: the 4 KiB pages mapped that were not before, for the caller's
 * count of what a later zap must clear.
 */
u32 vsvm_mmu_map_locked(struct vsvm_mmu *mmu, struct vsvm_pt_cache *c, u64 va,
			unsigned long pfn, unsigned int order, bool writable)
{
	u64 pte = ((u64)pfn << PAGE_SHIFT) | VSVM_PTE_VALID | VSVM_PTE_LEAF;
	struct vsvm_zap_extent stale = { .start = U64_MAX };
	u64 *t = mmu->root;
	u32 added = 0;
	int level, i;

	lockdep_assert_held(&mmu->lock);
	if (writable)
		pte |= VSVM_PTE_WRITE;

	for (level = VSVM_PT_LEVELS - 1; level > 1; level--) {
		t = next_table(mmu, c, t, va, level);
		if (!t)
			return 0;
	}

	if (order == 9) {
		u64 *slot = &t[LEVEL_INDEX(va, 1)];

		if (!(*slot & VSVM_PTE_VALID) || (*slot & VSVM_PTE_LEAF)) {
			added = set_leaf(mmu, slot, pte, 1, va, &stale);
		} else {
			/* Live 4 KiB entries below: keep the table, fill it. */
			t = table_of(*slot);
			for (i = 0; i < VSVM_PT_ENTRIES; i++)
				added += set_leaf(mmu, &t[i], pte + ((u64)i << PAGE_SHIFT), 0,
						  va + ((u64)i << PAGE_SHIFT), &stale);
		}
	} else {
		t = next_table(mmu, c, t, va, 1);
		if (t)
			added = set_leaf(mmu, &t[LEVEL_INDEX(va, 0)], pte, 0, va, &stale);
	}
	if (drm_WARN_ON_ONCE(&mmu->vdev->drm, stale.start < stale.end))
		shootdown(mmu, stale.start, stale.end, false);
	return added;
}

/*
 * Clears the leaves of [@start, @end) below table @t and adds to @x the
 * extent of every leaf it cleared, whole: a 2 MiB leaf only partly inside
 * the range is dropped and its whole 2 MiB recorded. Returns the 4 KiB
 * pages cleared.
 */
static u64 zap_level(struct vsvm_mmu *mmu, u64 *t, int level, u64 base,
		     u64 start, u64 end, struct list_head *freed,
		     struct vsvm_zap_extent *x)
{
	u64 size = LEVEL_SIZE(level);
	u64 va, cleared = 0;

	for (va = max(base, start & ~(size - 1)); va < end && va < base + size * VSVM_PT_ENTRIES;
	     va += size) {
		u64 *slot = &t[LEVEL_INDEX(va, level)];
		u64 pte = *slot;

		if (!(pte & VSVM_PTE_VALID))
			continue;
		if (pte & VSVM_PTE_LEAF) {
			/* A 2 MiB leaf is dropped whole; the rest faults back in. */
			WRITE_ONCE(*slot, 0);
			if (level) {
				mmu->n_2m--;
				cleared += VSVM_PT_ENTRIES;
			} else {
				mmu->n_4k--;
				pt0_count_add(slot, -1);
				cleared++;
			}
			extent_add(x, va, size);
		} else if (level == 1 && va >= start && va + size <= end) {
			u64 *child = table_of(pte);
			unsigned long n = pt0_count(child);

			WRITE_ONCE(*slot, 0);
			mmu->n_4k -= n;
			cleared += n;
			list_add(&virt_to_page(child)->lru, freed);
			mmu->n_tables--;
			/* Even empty, a walker may be reading it: shoot down. */
			extent_add(x, va, size);
		} else {
			cleared += zap_level(mmu, table_of(pte), level - 1, va, start, end,
					     freed, x);
		}
	}
	return cleared;
}

/* The bit of &vsvm_tlb.blocks that stands for @vpn's block. */
static u64 block_bit(u64 vpn)
{
	return BIT_ULL((vpn >> (VSVM_TLB_BLOCK_SHIFT - PAGE_SHIFT)) % 64);
}

/* The bits of &vsvm_tlb.blocks of every block of [@first, @last]. */
static u64 block_bits(u64 first, u64 last)
{
	u64 b = first >> (VSVM_TLB_BLOCK_SHIFT - PAGE_SHIFT);
	u64 end = last >> (VSVM_TLB_BLOCK_SHIFT - PAGE_SHIFT);
	u64 bits = 0;

	if (end - b >= 63)
		return ~0ULL;
	for (; b <= end; b++)
		bits |= BIT_ULL(b % 64);
	return bits;
}

/*
 * Flush the entries of [@start, @end) from every compute unit that may
 * hold some, and waits for the batch of each that it visits. @every_cu
 * visits each compute unit running @mmu whatever its &vsvm_tlb.blocks
 * says, for teardown, which must not depend on that summary. Context:
 * @mmu's lock held, the PTEs of the range already cleared.
 */
static void shootdown(struct vsvm_mmu *mmu, u64 start, u64 end, bool every_cu)
{
	struct vsvm_engine *engine = &mmu->vdev->engine;
	u64 first = start >> PAGE_SHIFT, last = (end - 1) >> PAGE_SHIFT;
	u64 bits = block_bits(first, last);
	u32 i, j;

	/*
	 * Pairs with vsvm_tlb_switch() and tlb_track(): the PTE clears before
	 * @vm_id and @blocks are read.
	 */
	smp_mb();
	for (i = 0; i < engine->n_cus; i++) {
		struct vsvm_tlb *tlb = &engine->cus[i].tlb;
		u64 left = 0;

		if (READ_ONCE(tlb->vm_id) != mmu->id ||
		    (!every_cu && !(READ_ONCE(tlb->blocks) & bits))) {
			vsvm_stat_inc(mmu->vdev, VSVM_STAT_SHOOTDOWN_SKIPPED);
			continue;
		}
		/* Ends the compute unit's batch within an instruction. */
		atomic_inc(&tlb->yield);
		spin_lock(&tlb->lock);
		atomic_dec(&tlb->yield);
		for (j = 0; j < VSVM_TLB_ENTRIES; j++) {
			struct vsvm_tlb_entry *e = &tlb->e[j];

			if (!e->vm_id)
				continue;
			/* Overlap, not inclusion: a 2 MiB entry goes with any page of it. */
			if (e->vm_id == mmu->id && e->vpn <= last &&
			    e->vpn + (1ULL << e->order) - 1 >= first)
				e->vm_id = 0;
			else
				left |= block_bit(e->vpn);
		}
		/*
		 * Only what is left, so that later zaps of what this one emptied
		 * skip the compute unit. It cannot be walking: its batch holds
		 * @lock. Whatever VM the entries left are of (the compute unit
		 * may have switched since @vm_id was read), they stay covered.
		 */
		WRITE_ONCE(tlb->blocks, left);
		spin_unlock(&tlb->lock);
	}
	vsvm_stat_inc(mmu->vdev, VSVM_STAT_SHOOTDOWNS);
}

/**
 * vsvm_mmu_zap_locked() - remove every translation of [@start, @end)
 * @mmu: the page table, its lock held
 * @start: first GPU VA, page aligned
 * @end: end of the range, page aligned
 *
 * On return no compute unit can reach a page that was mapped in the range,
 * nor any other page of a 2 MiB leaf the range cut into. One shootdown at
 * most, none when nothing was cleared.
 *
 * Context: &vsvm_mmu.lock held. Does not sleep or allocate, so it may run in
 * a non-blockable invalidation.
 * Return: the 4 KiB pages whose translation was removed, those of a cut
 * 2 MiB leaf included.
 */
u64 vsvm_mmu_zap_locked(struct vsvm_mmu *mmu, u64 start, u64 end)
{
	struct vsvm_zap_extent x = { .start = U64_MAX };
	LIST_HEAD(freed);
	struct page *p, *tmp;
	u64 cleared;

	lockdep_assert_held(&mmu->lock);
	if (start >= end)
		return 0;
	cleared = zap_level(mmu, mmu->root, VSVM_PT_LEVELS - 1, 0, start, end, &freed, &x);
	/*
	 * Nothing cleared: every entry filled from this range went with the
	 * zap that cleared its PTE, over that PTE's whole extent.
	 */
	if (x.start >= x.end)
		return 0;
	shootdown(mmu, x.start, x.end, false);
	list_for_each_entry_safe(p, tmp, &freed, lru) {
		list_del(&p->lru);
		pt_page_free(page_address(p));
	}
	return cleared;
}

/**
 * vsvm_mmu_zap() - vsvm_mmu_zap_locked() taking the lock
 * @mmu: the page table
 * @start: first GPU VA
 * @end: end of the range
 */
void vsvm_mmu_zap(struct vsvm_mmu *mmu, u64 start, u64 end)
{
	spin_lock(&mmu->lock);
	vsvm_mmu_zap_locked(mmu, start, end);
	spin_unlock(&mmu->lock);
}

static u64 walk(struct vsvm_mmu *mmu, u64 va, int *leaf_level)
{
	u64 *t = mmu->root;
	int level;

	for (level = VSVM_PT_LEVELS - 1; level >= 0; level--) {
		u64 pte = READ_ONCE(t[LEVEL_INDEX(va, level)]);

		if (!(pte & VSVM_PTE_VALID))
			return 0;
		if (pte & VSVM_PTE_LEAF) {
			*leaf_level = level;
			return pte;
		}
		t = table_of(pte);
	}
	return 0;
}

/**
 * vsvm_mmu_lookup_locked() - read the translation of one address
 * @mmu: the page table, its lock held so the page stays mapped
 * @va: GPU VA
 * @pfn: out, the page frame of @va's 4 KiB page
 * @writable: out
 * @order: out, order of the PTE
 *
 * Return: true if @va is mapped.
 */
bool vsvm_mmu_lookup_locked(struct vsvm_mmu *mmu, u64 va, unsigned long *pfn,
			    bool *writable, unsigned int *order)
{
	int level = 0;
	u64 pte;

	lockdep_assert_held(&mmu->lock);
	pte = walk(mmu, va, &level);
	if (!pte)
		return false;
	*pfn = ((pte & VSVM_PTE_ADDR_MASK) >> PAGE_SHIFT) +
	       ((va & (LEVEL_SIZE(level) - 1)) >> PAGE_SHIFT);
	*writable = pte & VSVM_PTE_WRITE;
	*order = level * 9;
	return true;
}

/*
 * Make &vsvm_tlb.blocks cover @vpn before a PTE of it is read: a zap that
 * clears the PTE after this either sees the bit and flushes the compute
 * unit, or was seen by the walk. Context: @tlb's lock held.
 */
static void tlb_track(struct vsvm_tlb *tlb, u64 vpn)
{
	lockdep_assert_held(&tlb->lock);
	WRITE_ONCE(tlb->blocks, tlb->blocks | block_bit(vpn));
	/* Pairs with shootdown(): the bit is visible before the PTE read. */
	smp_mb();
}

/*
 * Test and benchmark only: the TLB as it was before it was set-associative,
 * 64 direct-mapped 4 KiB entries, so that one run can compare the two.
 */
bool vsvm_debug_tlb_direct_mapped;
module_param_named(debug_tlb_direct_mapped, vsvm_debug_tlb_direct_mapped, bool, 0644);
MODULE_PARM_DESC(debug_tlb_direct_mapped,
		 "TEST ONLY: direct-mapped 4 KiB-only TLB, for comparisons");

/*
 * The set of @tag, a page number or a 2 MiB block number: the xor of its
 * nibbles, so that consecutive tags fill every set and a power-of-two stride
 * of them moves through the sets too, where the low bits alone would put
 * every access of a 64 KiB or larger stride in one set.
 */
static struct vsvm_tlb_entry *tlb_set(struct vsvm_tlb *tlb, u64 tag)
{
	tag ^= tag >> 32;
	tag ^= tag >> 16;
	tag ^= tag >> 8;
	tag ^= tag >> 4;
	return &tlb->e[(tag % VSVM_TLB_SETS) * VSVM_TLB_WAYS];
}

static struct vsvm_tlb_entry *tlb_probe(struct vsvm_tlb_entry *set, u64 vm_id, u64 vpn,
					u8 order)
{
	int w;

	for (w = 0; w < VSVM_TLB_WAYS; w++) {
		struct vsvm_tlb_entry *e = &set[w];

		if (e->vm_id == vm_id && e->vpn == vpn && e->order == order)
			return e;
	}
	return NULL;
}

/* An empty way of @set, or else its least recently used one. */
static struct vsvm_tlb_entry *tlb_victim(struct vsvm_tlb *tlb, struct vsvm_tlb_entry *set)
{
	struct vsvm_tlb_entry *v = set;
	int w;

	for (w = 0; w < VSVM_TLB_WAYS; w++) {
		if (!set[w].vm_id)
			return &set[w];
		if (tlb->tick - set[w].used > tlb->tick - v->used)
			v = &set[w];
	}
	return v;
}

/*
 * The miss path: walk, then fill. Returns the kernel address of @va, or
 * NULL. @stale is the entry that matched without write permission, dropped
 * so that the refreshed translation is the only one. Context: @tlb's lock.
 */
static void *tlb_fill(struct vsvm_tlb *tlb, struct vsvm_mmu *mmu, u64 va, bool write,
		      struct vsvm_tlb_entry *slot, struct vsvm_tlb_entry *stale)
{
	u64 vpn = va >> PAGE_SHIFT;
	struct vsvm_tlb_entry *e;
	int level = 0;
	u64 pte, pa;

	if (va >> VSVM_VA_BITS)
		return NULL;
	if (unlikely(!(tlb->blocks & block_bit(vpn))))
		tlb_track(tlb, vpn);
	tlb->walks++;
	pte = walk(mmu, va, &level);
	if (!pte || (write && !(pte & VSVM_PTE_WRITE)))
		return NULL;
	if (stale)
		stale->vm_id = 0;
	pa = pte & VSVM_PTE_ADDR_MASK;
	if (level == 1 && !slot) {
		/* The leaf's whole 2 MiB, one entry. */
		vpn &= ~(u64)(VSVM_PT_ENTRIES - 1);
		e = tlb_victim(tlb, tlb_set(tlb, vpn >> 9));
		e->order = 9;
		tlb->fills_2m++;
	} else {
		pa += va & (LEVEL_SIZE(level) - 1) & PAGE_MASK;
		e = slot ? slot : tlb_victim(tlb, tlb_set(tlb, vpn));
		e->order = 0;
	}
	e->vm_id = mmu->id;
	e->vpn = vpn;
	e->kaddr = phys_to_virt(pa);
	e->writable = pte & VSVM_PTE_WRITE;
	e->used = ++tlb->tick;
	return e->kaddr + (va - (vpn << PAGE_SHIFT));
}

/* vsvm_debug_tlb_direct_mapped: the slot is the page number modulo the size. */
static void *xlate_direct(struct vsvm_tlb *tlb, struct vsvm_mmu *mmu, u64 va, bool write)
{
	u64 vpn = va >> PAGE_SHIFT;
	struct vsvm_tlb_entry *e = &tlb->e[vpn % VSVM_TLB_ENTRIES];

	if (e->vm_id == mmu->id && e->vpn == vpn && !e->order && (!write || e->writable))
		return e->kaddr + (va & ~PAGE_MASK);
	return tlb_fill(tlb, mmu, va, write, e, NULL);
}

void *vsvm_mmu_xlate(struct vsvm_tlb *tlb, struct vsvm_mmu *mmu, u64 va, u32 access)
{
	bool write = access & (DRM_VSVM_ACCESS_WRITE | DRM_VSVM_ACCESS_ATOMIC);
	u64 vpn = va >> PAGE_SHIFT;
	struct vsvm_tlb_entry *e;

	if (unlikely(READ_ONCE(vsvm_debug_tlb_direct_mapped)))
		return xlate_direct(tlb, mmu, va, write);
	e = tlb_probe(tlb_set(tlb, vpn), mmu->id, vpn, 0);
	if (!e) {
		vpn &= ~(u64)(VSVM_PT_ENTRIES - 1);
		e = tlb_probe(tlb_set(tlb, vpn >> 9), mmu->id, vpn, 9);
	}
	if (likely(e && (!write || e->writable))) {
		e->used = ++tlb->tick;
		return e->kaddr + (va - (e->vpn << PAGE_SHIFT));
	}
	return tlb_fill(tlb, mmu, va, write, NULL, e);
}

/**
 * vsvm_tlb_init() - set up an empty TLB
 * @tlb: the TLB
 */
void vsvm_tlb_init(struct vsvm_tlb *tlb)
{
	spin_lock_init(&tlb->lock);
	tlb->vm_id = 0;
	tlb->blocks = 0;
	atomic_set(&tlb->yield, 0);
	tlb->tick = 0;
	tlb->walks = 0;
	tlb->fills_2m = 0;
	memset(tlb->e, 0, sizeof(tlb->e));
}

/**
 * vsvm_tlb_switch() - make a TLB hold entries of @mmu's VM only
 * @tlb: a compute unit's TLB, its lock not held
 * @mmu: the page table the compute unit is about to translate through
 *
 * Context: the compute unit's thread, before a workgroup; takes the TLB lock.
 */
void vsvm_tlb_switch(struct vsvm_tlb *tlb, struct vsvm_mmu *mmu)
{
	if (READ_ONCE(tlb->vm_id) == mmu->id)
		return;
	spin_lock(&tlb->lock);
	memset(tlb->e, 0, sizeof(tlb->e));
	WRITE_ONCE(tlb->blocks, 0);
	WRITE_ONCE(tlb->vm_id, mmu->id);
	spin_unlock(&tlb->lock);
	/* Pairs with shootdown(): @vm_id is visible before a PTE is read. */
	smp_mb();
}

/**
 * vsvm_tlb_wait_yield() - wait for the shootdowns a batch yielded to
 * @tlb: a compute unit's TLB, its lock not held
 *
 * Context: the compute unit's thread, between batches. Each shootdown holds
 * the lock for a scan of %VSVM_TLB_ENTRIES entries.
 */
void vsvm_tlb_wait_yield(struct vsvm_tlb *tlb)
{
	while (atomic_read(&tlb->yield))
		cpu_relax();
}

static void count_level(u64 *t, int level, u64 base, u64 start, u64 end,
			u64 *n_4k, u64 *n_2m)
{
	u64 size = LEVEL_SIZE(level);
	u64 va;

	for (va = max(base, start & ~(size - 1)); va < end && va < base + size * VSVM_PT_ENTRIES;
	     va += size) {
		u64 pte = READ_ONCE(t[LEVEL_INDEX(va, level)]);

		if (!(pte & VSVM_PTE_VALID))
			continue;
		if (pte & VSVM_PTE_LEAF)
			*(level ? n_2m : n_4k) += 1;
		else
			count_level(table_of(pte), level - 1, va, start, end, n_4k, n_2m);
	}
}

/**
 * vsvm_mmu_count_range() - count the PTEs of a range, for debugfs
 * @mmu: the page table, its lock held
 * @start: first GPU VA
 * @end: end of the range
 * @n_4k: out
 * @n_2m: out
 */
void vsvm_mmu_count_range(struct vsvm_mmu *mmu, u64 start, u64 end, u64 *n_4k, u64 *n_2m)
{
	*n_4k = 0;
	*n_2m = 0;
	count_level(mmu->root, VSVM_PT_LEVELS - 1, 0, start, end, n_4k, n_2m);
}

static void dump_level(struct seq_file *m, u64 *t, int level, u64 base)
{
	int i;

	for (i = 0; i < VSVM_PT_ENTRIES; i++) {
		u64 pte = READ_ONCE(t[i]);
		u64 va = base + (u64)i * LEVEL_SIZE(level);

		if (!(pte & VSVM_PTE_VALID))
			continue;
		if (pte & VSVM_PTE_LEAF)
			seq_printf(m, "    0x%012llx %s pfn 0x%llx %s\n", va,
				   level ? "2M" : "4K",
				   (pte & VSVM_PTE_ADDR_MASK) >> PAGE_SHIFT,
				   pte & VSVM_PTE_WRITE ? "rw" : "ro");
		else
			dump_level(m, table_of(pte), level - 1, va);
	}
}

/**
 * vsvm_mmu_dump() - print every valid PTE
 * @mmu: the page table, its lock held
 * @m: the debugfs file
 */
void vsvm_mmu_dump(struct vsvm_mmu *mmu, struct seq_file *m)
{
	dump_level(m, mmu->root, VSVM_PT_LEVELS - 1, 0);
}
