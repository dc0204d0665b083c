/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Copyright 2026 The vsvm authors */

#ifndef __VSVM_MMU_H__
#define __VSVM_MMU_H__

#include <linux/atomic.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct vsvm_device;

#define VSVM_VA_BITS		48
#define VSVM_PT_LEVELS		4
#define VSVM_PT_ENTRIES		512
/*
 * The TLB: 16 sets of 4 ways, the 64 entries of the direct-mapped TLB it
 * replaced, so that a shootdown's scan costs what it did.
 */
#define VSVM_TLB_SETS		16
#define VSVM_TLB_WAYS		4
#define VSVM_TLB_ENTRIES	(VSVM_TLB_SETS * VSVM_TLB_WAYS)
/* The blocks &vsvm_tlb.blocks tracks: 2 MiB, so one barrier per new block. */
#define VSVM_TLB_BLOCK_SHIFT	21

/* Bits of a page-table entry. Tables and pages are stored by physical address. */
#define VSVM_PTE_VALID		BIT_ULL(0)
#define VSVM_PTE_WRITE		BIT_ULL(1)
#define VSVM_PTE_LEAF		BIT_ULL(2)
#define VSVM_PTE_ADDR_MASK	GENMASK_ULL(51, 12)

/**
 * struct vsvm_tlb_entry - one cached translation, 4 KiB or 2 MiB
 *
 * A 2 MiB GPU leaf is cached as one entry covering its whole extent, a
 * 4 KiB leaf as a 4 KiB entry. Every field is written by the compute unit
 * under &vsvm_tlb.lock and read under it, by the compute unit or by a
 * shootdown.
 */
struct vsvm_tlb_entry {
	/**
	 * @vm_id: &vsvm_mmu.id of the page table the entry came from, 0 when
	 * empty. An id is never reused, so an entry that outlived its page
	 * table can match no other.
	 */
	u64 vm_id;
	/**
	 * @vpn: GPU virtual page number (4 KiB units) of the first page the
	 * entry covers: aligned to 512 for a 2 MiB entry.
	 */
	u64 vpn;
	/** @kaddr: kernel address of the first page the entry covers. */
	u8 *kaddr;
	/**
	 * @used: &vsvm_tlb.tick at the entry's last fill or hit; the way with
	 * the lowest is replaced first (LRU within the set).
	 */
	u32 used;
	/** @order: 0 for a 4 KiB entry, 9 for a 2 MiB one. */
	u8 order;
	/** @writable: the PTE allowed writes. */
	bool writable;
};

/**
 * struct vsvm_tlb - a compute unit's software TLB
 *
 * The rule the TLB lives by: no translation outlives its PTE. Whatever
 * clears a PTE flushes, before it drops &vsvm_mmu.lock, every entry that
 * may have been filled from it, over the whole extent the PTE covered: a
 * dropped 2 MiB leaf is flushed whole, even when only part of it was asked
 * for. A page table being freed flushes every entry of its VM.
 *
 * The TLB lock is the engine's half of that protocol. A compute unit holds
 * it for the whole of an interpreter batch, so every address it translated
 * stays in use until the batch ends. A zap clears PTEs and then takes each
 * compute unit's lock in turn to flush its entries: once it has held them
 * all, no shader can still touch a page the zap removed. The lock is a
 * spinlock, so a zap never sleeps; and a shootdown never waits for a whole
 * batch, whatever the shader does: it raises @yield, which the interpreter
 * polls before every instruction, and the compute unit ends its batch and
 * waits for @yield to drop before it takes the lock again.
 *
 * Entries are set-associative, %VSVM_TLB_SETS sets of %VSVM_TLB_WAYS ways.
 * A 4 KiB entry lives in the set of its page number, a 2 MiB entry in the
 * set of its 2 MiB block number, each folded by vsvm_tlb_set() so that
 * power-of-two strides spread over the sets; a lookup probes both. Since
 * a shootdown flushes every entry whose extent overlaps the extent it
 * cleared, a 2 MiB entry goes with any part of its block that is zapped,
 * even after its leaf was split into 4 KiB PTEs.
 *
 * A TLB holds entries of one VM at a time, @vm_id: a compute unit that
 * starts a workgroup of another VM flushes it first. It also keeps a
 * summary of the 2 MiB blocks it may cache pages of, @blocks. A shootdown
 * skips the compute units whose @vm_id is not its VM's or whose @blocks
 * misses every block it cleared, so an invalidation in one process does not
 * wait for another process's shaders, and the invalidation of a range no
 * shader touched lately mostly takes no TLB lock at all.
 */
struct vsvm_tlb {
	/**
	 * @lock: protects @e and @tick, and orders the writes of @walks and
	 * @fills_2m. Held by the compute unit across a batch; taken
	 * inside &vsvm_mmu.lock by shootdowns. Nothing is taken inside it.
	 */
	spinlock_t lock;
	/**
	 * @vm_id: &vsvm_mmu.id of the only VM @e may hold entries of, 0 for
	 * none. Written by the compute unit under @lock, then a full barrier
	 * before it reads a PTE of that VM; read locklessly by shootdowns after
	 * a full barrier that follows their PTE clears. One of the two sees
	 * the other's store, so a skipped compute unit sees the cleared PTE.
	 */
	u64 vm_id;
	/**
	 * @blocks: bit b % 64 is set for every 2 MiB block b that @e may hold
	 * entries of (a 64-bit hash: a set bit may be another block's). Set by
	 * the compute unit before it reads a PTE of a block whose bit is
	 * clear, then a full barrier; recomputed from what is left by the
	 * shootdowns that flush @e, under @lock. A shootdown reads it
	 * locklessly like @vm_id, with the same pairing.
	 */
	u64 blocks;
	/** @yield: shootdowns waiting for @lock; nonzero ends a batch early. */
	atomic_t yield;
	/**
	 * @tick: the LRU clock, advanced by every fill and hit under @lock;
	 * wraps harmlessly (a wrong victim is only a later miss).
	 */
	u32 tick;
	/**
	 * @walks: page-table walks taken on misses. Written by the compute
	 * unit under @lock; read locklessly by debugfs, which may see a
	 * count one walk old.
	 */
	u64 walks;
	/** @fills_2m: 2 MiB entries filled; like @walks. */
	u64 fills_2m;
	/**
	 * @e: the entries, set s in [s * %VSVM_TLB_WAYS, (s + 1) *
	 * %VSVM_TLB_WAYS); under @lock.
	 */
	struct vsvm_tlb_entry e[VSVM_TLB_ENTRIES];
};

/**
 * struct vsvm_pt_cache - page-table pages allocated ahead of a PTE update
 *
 * PTEs are written under a spinlock, where nothing may be allocated, so the
 * tables an update can need are allocated before the lock is taken.
 */
struct vsvm_pt_cache {
	/** @n: pages in @pages. */
	u32 n;
	/** @pages: zeroed pages, by kernel address. */
	u64 *pages[12];
};

/**
 * struct vsvm_mmu - a VM's emulated GPU page table
 *
 * Four levels of 512 entries, 4 KiB leaves at level 0 and 2 MiB leaves at
 * level 1. The engine walks it without a lock (entries are read once and
 * tables are never freed while the VM lives); writers hold @lock.
 */
struct vsvm_mmu {
	/** @vdev: the device, whose compute units a shootdown visits. */
	struct vsvm_device *vdev;
	/**
	 * @id: tags this table's TLB entries; unique for the module's
	 * lifetime (a 64-bit count that is never reused, unlike an address).
	 */
	u64 id;
	/**
	 * @lock: the driver lock of the notifier protocol. Protects every
	 * PTE write. A fault installs PTEs under it only after
	 * mmu_interval_read_retry() said its pages are current, and
	 * invalidation callbacks call mmu_interval_set_seq() and zap under
	 * it. A spinlock, so non-blockable invalidations can take it.
	 * Taken inside mmap_lock and the VM mutexes; &vsvm_tlb.lock nests
	 * inside it.
	 */
	spinlock_t lock;
	/** @root: the level-3 table. */
	u64 *root;
	/** @n_tables: table pages allocated, under @lock. */
	u32 n_tables;
	/**
	 * @n_4k: valid 4 KiB PTEs, under @lock. Each level-0 table keeps its
	 * own count in its page's private field, so that a zap dropping the
	 * table whole need not read its 512 entries.
	 */
	u64 n_4k;
	/** @n_2m: valid 2 MiB PTEs, under @lock. */
	u64 n_2m;
};

int vsvm_mmu_init(struct vsvm_mmu *mmu, struct vsvm_device *vdev);
void vsvm_mmu_fini(struct vsvm_mmu *mmu);
int vsvm_pt_cache_fill(struct vsvm_pt_cache *c, u64 start, u64 end);
void vsvm_pt_cache_drain(struct vsvm_pt_cache *c);
u32 vsvm_mmu_map_locked(struct vsvm_mmu *mmu, struct vsvm_pt_cache *c, u64 va,
			unsigned long pfn, unsigned int order, bool writable);
u64 vsvm_mmu_zap_locked(struct vsvm_mmu *mmu, u64 start, u64 end);
void vsvm_mmu_zap(struct vsvm_mmu *mmu, u64 start, u64 end);
bool vsvm_mmu_lookup_locked(struct vsvm_mmu *mmu, u64 va, unsigned long *pfn,
			    bool *writable, unsigned int *order);
void vsvm_tlb_init(struct vsvm_tlb *tlb);
void vsvm_tlb_switch(struct vsvm_tlb *tlb, struct vsvm_mmu *mmu);
void vsvm_tlb_wait_yield(struct vsvm_tlb *tlb);
extern bool vsvm_debug_tlb_direct_mapped;
void vsvm_mmu_count_range(struct vsvm_mmu *mmu, u64 start, u64 end, u64 *n_4k, u64 *n_2m);
struct seq_file;
void vsvm_mmu_dump(struct vsvm_mmu *mmu, struct seq_file *m);

#endif /* __VSVM_MMU_H__ */
