/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Copyright 2026 The vsvm authors */

#ifndef __VSVM_SVM_H__
#define __VSVM_SVM_H__

#include <linux/interval_tree.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/workqueue.h>

struct seq_file;
struct vsvm_vm;
struct vsvm_vma;

/* The largest chunk one GPU fault services, and the size of a 2 MiB PTE. */
#define VSVM_SVM_CHUNK		SZ_2M
#define VSVM_SVM_CHUNK_PAGES	(VSVM_SVM_CHUNK >> PAGE_SHIFT)

/**
 * struct vsvm_svm_range - a CPU range the GPU has touched, with its notifier
 *
 * For a mirror, a chunk of up to 2 MiB created by the first GPU fault in it
 * and destroyed by the garbage collector once the CPU unmaps any of it. For
 * a userptr binding, the binding's whole CPU range, destroyed with it.
 */
struct vsvm_svm_range {
	/** @notifier: invalidations of [@start, @end) in the VM's mm. */
	struct mmu_interval_notifier notifier;
	/** @itn: node in &vsvm_svm.ranges (mirror ranges only), under &vsvm_vm.lock. */
	struct interval_tree_node itn;
	/** @vm: the VM; the range does not hold a reference, the VM outlives it. */
	struct vsvm_vm *vm;
	/** @start: first CPU address. */
	u64 start;
	/** @end: end of the CPU range. */
	u64 end;
	/** @gpu_offset: GPU VA minus CPU VA; zero for a mirror. */
	u64 gpu_offset;
	/** @userptr: the range belongs to a userptr binding. */
	bool userptr;
	/**
	 * @unmapped: the CPU unmapped part of the range. Set by the
	 * invalidation callback under &vsvm_mmu.lock; a fault that finds it
	 * set destroys the range before going on.
	 */
	bool unmapped;
	/**
	 * @n_pages: 4 KiB pages of the range the GPU page table maps, under
	 * &vsvm_mmu.lock. Never less than what it maps (a PTE of the range is
	 * only written by a fault on it, which counts it), so at zero an
	 * invalidation has nothing to zap and skips the walk.
	 */
	u64 n_pages;
	/**
	 * @removed: the range left its tree or binding; set under
	 * &vsvm_mmu.lock with @unmapped. Its notifier zaps nothing more, and
	 * the last of @users frees it.
	 */
	bool removed;
	/**
	 * @users: faults using the range with &vsvm_vm.lock dropped
	 * (range_hold()); under &vsvm_vm.lock.
	 */
	u32 users;
	/** @validated: for userptr, @valid_seq is meaningful. */
	bool validated;
	/** @valid_seq: for userptr, notifier sequence the last revalidation read. */
	unsigned long valid_seq;
	/** @gc_link: in &vsvm_svm.gc_list, under &vsvm_mmu.lock. */
	struct list_head gc_link;
	/** @faults: faults serviced, under &vsvm_vm.lock. */
	u64 faults;
	/** @last_fault_addr: under &vsvm_vm.lock. */
	u64 last_fault_addr;
	/** @last_fault_ns: ktime of the last fault, under &vsvm_vm.lock. */
	u64 last_fault_ns;
};

/**
 * struct vsvm_svm - a VM's SVM state
 */
struct vsvm_svm {
	/** @ranges: mirror ranges by CPU address, under &vsvm_vm.lock. */
	struct rb_root_cached ranges;
	/** @n_ranges: ranges in @ranges, under &vsvm_vm.lock. */
	u32 n_ranges;
	/**
	 * @gc_list: ranges an UNMAP or RELEASE invalidation marked, for
	 * @gc_work to destroy; under &vsvm_mmu.lock because the callbacks
	 * that fill it cannot take a mutex.
	 */
	struct list_head gc_list;
	/** @gc_work: removes notifiers, which callbacks must never do. */
	struct work_struct gc_work;
};

void vsvm_svm_init(struct vsvm_vm *vm);
int vsvm_svm_prepare_mm(struct vsvm_vm *vm);
void vsvm_svm_fini(struct vsvm_vm *vm);
unsigned long vsvm_fault_deadline(void);
int vsvm_svm_fault(struct vsvm_vm *vm, u64 bstart, u64 bend, u64 addr, u64 wstart, u64 wend,
		   unsigned long deadline, u32 *status);
void vsvm_svm_unmap(struct vsvm_vm *vm, u64 start, u64 end);
struct vsvm_svm_range *vsvm_userptr_create(struct vsvm_vm *vm, u64 cpu, u64 gpu, u64 size);
void vsvm_userptr_destroy(struct vsvm_vm *vm, struct vsvm_svm_range *range);
int vsvm_userptr_fault(struct vsvm_vm *vm, struct vsvm_vma *vma, u64 addr, bool write,
		       unsigned long deadline, u32 *status);
int vsvm_userptr_validate(struct vsvm_vm *vm, struct vsvm_vma *vma, u32 *status);
void vsvm_svm_show(struct vsvm_vm *vm, struct seq_file *m);

#endif /* __VSVM_SVM_H__ */
