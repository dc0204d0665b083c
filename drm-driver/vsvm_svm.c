// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Copyright 2026 The vsvm authors */

#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/hmm.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/memcontrol.h>
#include <linux/mutex.h>
#include <linux/oom.h>
#include <linux/pgtable.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "vsvm_drv.h"
#include "vsvm_exec.h"
#include "vsvm_params.h"
#include "vsvm_svm.h"
#include "vsvm_trace.h"
#include "vsvm_vm.h"

/**
 * DOC: Shared virtual memory
 *
 * Inside a CPU-address mirror, GPU VA equals CPU VA of the VM's owner and
 * the GPU page table is a cache of the CPU's, filled on GPU page fault and
 * emptied by mmu_interval_notifier callbacks. A userptr binding is the same
 * with an offset between the two addresses, validated at EXEC as well.
 *
 * Fault service (vsvm_svm_fault()) follows the collision-retry protocol of
 * mmu_interval_notifier: read the notifier sequence with
 * mmu_interval_read_begin(), gather the pages with hmm_range_fault() under
 * the mmap read lock, take the driver lock (&vsvm_mmu.lock), and install
 * PTEs only if mmu_interval_read_retry() says no invalidation ran since;
 * otherwise start again. There is no "valid" flag: as the 2019 threads on
 * hmm_range_valid() showed, a flag set outside the driver lock cannot tell
 * a fault that an invalidation overlapped it, a sequence count checked
 * under the lock can. One fault, with all its collision, -EBUSY and
 * unmapped-range retries, is bounded by vsvm_fault_timeout_ms; when it runs
 * out the job fails with DRM_VSVM_STATUS_FAULT_RETRY.
 *
 * Invalidation (svm_invalidate()) takes the same driver lock, records the
 * new sequence with mmu_interval_set_seq() and zaps the range's PTEs, with
 * a TLB shootdown, before it returns. The driver lock is a spinlock and the
 * zap neither sleeps nor allocates, so a non-blockable invalidation (the
 * OOM reaper, process_mrelease()) is honoured like any other: the callback
 * never has a reason to return false; debugfs counts how long those took.
 * An UNMAP only marks the range and queues it to a worker, because
 * removing a notifier from inside its own callback would deadlock.
 *
 * An invalidation costs little beyond its lock: nothing when the GPU maps
 * nothing of the range (&vsvm_svm_range.n_pages), else one walk of the
 * range's tables and one shootdown, which visits only the compute units
 * that may cache some of it (struct vsvm_tlb). There is one notifier per
 * range, so a CPU change only makes the faults it overlaps retry.
 *
 * Reads never request write access, so a GPU read never breaks COW; a
 * write to a page mapped read-only faults again and asks for write.
 *
 * Rules the code below enforces (docs/svm.md "Rules"):
 *
 * - No translation outlives its PTE: see struct vsvm_tlb.
 * - No PTE outlives the notifier that guards it: a range is zapped, with
 *   its shootdown, before its notifier is removed, and a range marked
 *   unmapped is never populated again (range_free(), populate()).
 * - Only memory the kernel can reach is mapped: a page outside the direct
 *   map (memfd_secret(), say) or device memory fails the fault with
 *   DRM_VSVM_STATUS_UNREACHABLE (svm_pages_reachable()).
 * - Only the owner's jobs fault in the owner's memory: only the owner
 *   submits to an SVM VM (vsvm_vm_check_owner()), and vsvm_vm_handle_fault()
 *   checks the submitter again before it gets here.
 * - The process pays for what its SVM use allocates: ranges and page
 *   tables are charged to the VM owner's memory cgroup, even when a compute
 *   unit's kernel thread services the fault, and a VM holds at most
 *   vsvm_max_ranges_per_vm ranges.
 */

static u32 classify(struct mm_struct *mm, struct vm_area_struct *vma, bool write)
{
	/* The OOM reaper or process_mrelease() is tearing the process down. */
	if (check_stable_address_space(mm))
		return DRM_VSVM_STATUS_CANCELED;
	if (!vma)
		return DRM_VSVM_STATUS_NO_VMA;
	if (vma->vm_flags & (VM_IO | VM_PFNMAP))
		return DRM_VSVM_STATUS_BAD_MEMORY;
	if (!(vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC)))
		return DRM_VSVM_STATUS_NO_ACCESS;
	if (write && !(vma->vm_flags & VM_WRITE))
		return DRM_VSVM_STATUS_READ_ONLY;
	return DRM_VSVM_STATUS_OK;
}

static void stat_event(struct vsvm_device *vdev, const struct mmu_notifier_range *r)
{
	static const u8 map[] = {
		[MMU_NOTIFY_UNMAP] = VSVM_STAT_INVAL_UNMAP,
		[MMU_NOTIFY_CLEAR] = VSVM_STAT_INVAL_CLEAR,
		[MMU_NOTIFY_PROTECTION_VMA] = VSVM_STAT_INVAL_PROTECTION,
		[MMU_NOTIFY_PROTECTION_PAGE] = VSVM_STAT_INVAL_PROTECTION,
		[MMU_NOTIFY_SOFT_DIRTY] = VSVM_STAT_INVAL_SOFT_DIRTY,
		[MMU_NOTIFY_RELEASE] = VSVM_STAT_INVAL_RELEASE,
		[MMU_NOTIFY_MIGRATE] = VSVM_STAT_INVAL_MIGRATE,
		[MMU_NOTIFY_EXCLUSIVE] = VSVM_STAT_INVAL_EXCLUSIVE,
	};

	if (r->event < ARRAY_SIZE(map))
		vsvm_stat_inc(vdev, map[r->event]);
	if (!mmu_notifier_range_blockable(r))
		vsvm_stat_inc(vdev, VSVM_STAT_INVAL_NONBLOCK);
}

/*
 * Fault injection for the debug lane (tools/debug-kernel) and nothing else:
 * makes every invalidation take a mutex, which may sleep. That is allowed in
 * a blockable invalidation and a bug in a non-blockable one, which a
 * DEBUG_ATOMIC_SLEEP kernel must report. Off by default; never set it
 * outside a test.
 */
static bool inject_sleep_in_invalidate;
module_param(inject_sleep_in_invalidate, bool, 0644);
MODULE_PARM_DESC(inject_sleep_in_invalidate,
		 "TEST ONLY: invalidations take a sleeping lock, a bug when they must not block");
static DEFINE_MUTEX(inject_sleep_lock);

/*
 * Zap what the GPU maps of [@start, @end), CPU addresses within @range.
 * Returns false, having read no page table, when it maps nothing of the
 * range. Context: &vsvm_mmu.lock held.
 */
static bool range_zap_locked(struct vsvm_vm *vm, struct vsvm_svm_range *range, u64 start,
			     u64 end)
{
	u64 cleared;

	lockdep_assert_held(&vm->mmu.lock);
	if (!range->n_pages) {
		u64 n_4k = 0, n_2m = 0;

		/*
		 * A debug kernel checks the count, and zaps what it missed
		 * rather than leave a translation behind.
		 */
		if (IS_ENABLED(CONFIG_DEBUG_VM))
			vsvm_mmu_count_range(&vm->mmu, start + range->gpu_offset,
					     end + range->gpu_offset, &n_4k, &n_2m);
		if (!drm_WARN_ON_ONCE(&vm->vdev->drm, n_4k || n_2m))
			return false;
	}
	cleared = vsvm_mmu_zap_locked(&vm->mmu, start + range->gpu_offset,
				      end + range->gpu_offset);
	/* A PTE cleared by some other zap stays counted until this one. */
	if (start <= range->start && end >= range->end)
		range->n_pages = 0;
	else
		range->n_pages -= min(cleared, range->n_pages);
	return true;
}

/*
 * Hand @range to the GC worker, which is queued when the list was empty:
 * otherwise a run is pending, or running and empties the list before it
 * ends. Context: &vsvm_mmu.lock held.
 */
static void range_mark_unmapped(struct vsvm_vm *vm, struct vsvm_svm_range *range)
{
	lockdep_assert_held(&vm->mmu.lock);
	range->unmapped = true;
	if (list_empty(&vm->svm.gc_list))
		queue_work(system_unbound_wq, &vm->svm.gc_work);
	list_add_tail(&range->gc_link, &vm->svm.gc_list);
}

/*
 * Context: any, including non-blockable invalidations: takes only spinlocks
 * and queues work, never sleeps or allocates, so it always succeeds.
 */
static bool svm_invalidate(struct mmu_interval_notifier *mni,
			   const struct mmu_notifier_range *r, unsigned long cur_seq)
{
	struct vsvm_svm_range *range = container_of(mni, struct vsvm_svm_range, notifier);
	struct vsvm_vm *vm = range->vm;
	u64 start = max_t(u64, r->start, range->start);
	u64 end = min_t(u64, r->end, range->end);
	bool blockable = mmu_notifier_range_blockable(r);
	u64 t0 = ktime_get_ns(), ns;

	/*
	 * The core brackets only classic notifiers' non-blockable calls with
	 * non_block_start() (6.12's mn_itree_invalidate() does not): do it
	 * here, so that DEBUG_ATOMIC_SLEEP reports anything below that may
	 * sleep. A no-op on other kernels.
	 */
	if (!blockable)
		non_block_start();

	stat_event(vm->vdev, r);
	trace_vsvm_invalidate(vm->id, start, end, r->event, blockable);

	if (unlikely(READ_ONCE(inject_sleep_in_invalidate))) {
		mutex_lock(&inject_sleep_lock);
		mutex_unlock(&inject_sleep_lock);
	}

	spin_lock(&vm->mmu.lock);
	mmu_interval_set_seq(mni, cur_seq);
	/*
	 * A removed range maps nothing and never will; its GPU VAs may belong
	 * to another binding by now, whose PTEs are not this notifier's.
	 */
	if (range->removed || !range_zap_locked(vm, range, start, end))
		vsvm_stat_inc(vm->vdev, VSVM_STAT_INVAL_SKIPPED_UNMAPPED);
	if (!range->userptr &&
	    (r->event == MMU_NOTIFY_UNMAP || r->event == MMU_NOTIFY_RELEASE) &&
	    !range->unmapped)
		range_mark_unmapped(vm, range);
	spin_unlock(&vm->mmu.lock);

	ns = ktime_get_ns() - t0;
	vsvm_stat_add(vm->vdev, VSVM_STAT_INVAL_NS, ns);
	if (!blockable) {
		vsvm_stat_add(vm->vdev, VSVM_STAT_INVAL_NONBLOCK_NS, ns);
		vsvm_stat_max(vm->vdev, VSVM_STAT_INVAL_NONBLOCK_MAX_NS, ns);
		non_block_end();
	}
	return true;
}

static const struct mmu_interval_notifier_ops svm_notifier_ops = {
	.invalidate = svm_invalidate,
};

static struct vsvm_svm_range *range_alloc(struct vsvm_vm *vm, u64 start, u64 end,
					  u64 gpu_offset, bool userptr)
{
	struct vsvm_svm_range *range;
	int ret;

	if (vsvm_inject(vm->vdev, &vm->vdev->inject.range_alloc, "range allocation"))
		return ERR_PTR(-ENOMEM);
	range = kzalloc(sizeof(*range), GFP_KERNEL_ACCOUNT);
	if (!range)
		return ERR_PTR(-ENOMEM);
	range->vm = vm;
	range->start = start;
	range->end = end;
	range->gpu_offset = gpu_offset;
	range->userptr = userptr;
	INIT_LIST_HEAD(&range->gc_link);

	/*
	 * Runs under &vsvm_vm.lock (a fault's range_get(), a userptr bind),
	 * so it must not wait for mmap_lock: it takes none because
	 * vsvm_svm_prepare_mm() set the mm's notifier state up when the VM
	 * was created, holding nothing. The first insert on an mm would
	 * otherwise take mmap_lock for writing.
	 */
	ret = mmu_interval_notifier_insert(&range->notifier, vm->mm, start, end - start,
					   &svm_notifier_ops);
	if (ret) {
		kfree(range);
		return ERR_PTR(ret);
	}
	vsvm_obj_inc(VSVM_OBJ_SVM_RANGE);
	vsvm_stat_inc(vm->vdev, VSVM_STAT_RANGES_CREATED);
	trace_vsvm_range_create(vm->id, start, end);
	return range;
}

/*
 * Zap first, remove the notifier second: until the notifier is gone, an
 * invalidation of the range still zaps it, so no CPU page can be freed
 * while the GPU maps it. The other order leaves a window in which the CPU
 * unmaps and frees a page nobody tells vsvm about. Marking the range
 * unmapped under the lock keeps callbacks from requeueing it and faults
 * from populating it; &vsvm_vm.lock keeps faults away meanwhile anyway.
 */
static void range_release(struct vsvm_vm *vm, struct vsvm_svm_range *range)
{
	u32 delay = READ_ONCE(vm->vdev->inject.teardown_delay_us);

	/* Between the zap and this, where a test races the CPU against teardown. */
	if (unlikely(delay)) {
		char what[96];

		snprintf(what, sizeof(what), "teardown of pid %d vm %u range 0x%llx delayed",
			 vm->owner_pid, vm->id, range->start);
		vsvm_inject_hit(vm->vdev, what);
		fsleep(delay);
	}

	/* Waits for a running callback; none can start after it. */
	mmu_interval_notifier_remove(&range->notifier);

	trace_vsvm_range_destroy(vm->id, range->start, range->end);
	vsvm_obj_dec(VSVM_OBJ_SVM_RANGE);
	kfree(range);
}

/*
 * A fault in progress outside &vsvm_vm.lock (range_hold()) keeps the range
 * allocated and its notifier registered: the range is only marked removed
 * here, and the fault frees it when it lets go (range_unhold()).
 */
static void range_free(struct vsvm_vm *vm, struct vsvm_svm_range *range)
{
	lockdep_assert_held(&vm->lock);
	spin_lock(&vm->mmu.lock);
	range->unmapped = true;
	range->removed = true;
	list_del_init(&range->gc_link);
	range_zap_locked(vm, range, range->start, range->end);
	spin_unlock(&vm->mmu.lock);

	if (!range->users)
		range_release(vm, range);
}

/* Keep @range while &vsvm_vm.lock is dropped around a fault's gather. */
static void range_hold(struct vsvm_vm *vm, struct vsvm_svm_range *range)
{
	lockdep_assert_held(&vm->lock);
	range->users++;
}

static void range_unhold(struct vsvm_vm *vm, struct vsvm_svm_range *range)
{
	lockdep_assert_held(&vm->lock);
	if (!--range->users && range->removed)
		range_release(vm, range);
}

static void range_destroy(struct vsvm_vm *vm, struct vsvm_svm_range *range)
{
	lockdep_assert_held(&vm->lock);
	interval_tree_remove(&range->itn, &vm->svm.ranges);
	vm->svm.n_ranges--;
	range_free(vm, range);
}

static void gc_locked(struct vsvm_vm *vm)
{
	struct vsvm_svm_range *range;

	lockdep_assert_held(&vm->lock);
	for (;;) {
		spin_lock(&vm->mmu.lock);
		range = list_first_entry_or_null(&vm->svm.gc_list, struct vsvm_svm_range,
						 gc_link);
		if (range)
			list_del_init(&range->gc_link);
		spin_unlock(&vm->mmu.lock);
		if (!range)
			break;
		range_destroy(vm, range);
		vsvm_stat_inc(vm->vdev, VSVM_STAT_GC_RANGES);
	}
}

static void gc_work(struct work_struct *work)
{
	struct vsvm_vm *vm = container_of(work, struct vsvm_vm, svm.gc_work);

	mutex_lock(&vm->lock);
	gc_locked(vm);
	mutex_unlock(&vm->lock);
}

/**
 * vsvm_svm_init() - set up a VM's SVM state
 * @vm: the VM
 */
void vsvm_svm_init(struct vsvm_vm *vm)
{
	vm->svm.ranges = RB_ROOT_CACHED;
	INIT_LIST_HEAD(&vm->svm.gc_list);
	INIT_WORK(&vm->svm.gc_work, gc_work);
}

static bool prepare_invalidate(struct mmu_interval_notifier *mni,
			       const struct mmu_notifier_range *r, unsigned long cur_seq)
{
	return true;
}

static const struct mmu_interval_notifier_ops prepare_ops = {
	.invalidate = prepare_invalidate,
};

/**
 * vsvm_svm_prepare_mm() - set up the owner's mm for interval notifiers
 * @vm: an SVM VM being created by its owner, not yet visible
 *
 * The first interval notifier inserted in an mm registers the mm's notifier
 * state, and mmu_interval_notifier_insert() takes mmap_lock for writing to
 * do so. range_alloc() runs under &vsvm_vm.lock, where that write lock
 * would wait behind any thread of the process that holds mmap_lock for
 * reading and is stuck (a read() into a mapping of a FUSE file that never
 * answers), keeping the VM lock and a fault worker for good. So it is done
 * here, holding nothing, by inserting and removing a throwaway notifier:
 * the state lives as long as the mm, and later inserts take no lock.
 *
 * Context: process context of @vm's owner, no vsvm lock held; sleeps.
 * Return: 0; -EINTR when a fatal signal ended the wait for mmap_lock, or
 * a signal came while the notifier core took the mm's locks; -ENOMEM.
 */
int vsvm_svm_prepare_mm(struct vsvm_vm *vm)
{
	struct mmu_interval_notifier probe;
	int ret;

	if (mmap_write_lock_killable(vm->mm))
		return -EINTR;
	ret = mmu_interval_notifier_insert_locked(&probe, vm->mm, 0, PAGE_SIZE, &prepare_ops);
	mmap_write_unlock(vm->mm);
	/* May wait for a running invalidation: not under mmap_lock. */
	if (!ret)
		mmu_interval_notifier_remove(&probe);
	return ret;
}

/**
 * vsvm_svm_unmap() - destroy the mirror ranges that overlap [@start, @end)
 * @vm: the VM, its lock held
 * @start: first CPU address
 * @end: end of the range
 *
 * A range partly outside is destroyed whole; its other part faults back in.
 */
void vsvm_svm_unmap(struct vsvm_vm *vm, u64 start, u64 end)
{
	struct interval_tree_node *node;

	lockdep_assert_held(&vm->lock);
	while ((node = interval_tree_iter_first(&vm->svm.ranges, start, end - 1)))
		range_destroy(vm, container_of(node, struct vsvm_svm_range, itn));
}

/**
 * vsvm_svm_fini() - destroy every range of a closing VM
 * @vm: the VM, its lock not held
 */
void vsvm_svm_fini(struct vsvm_vm *vm)
{
	mutex_lock(&vm->lock);
	vsvm_svm_unmap(vm, 0, U64_MAX);
	mutex_unlock(&vm->lock);
	/* Callbacks cannot queue it any more; a pending run has nothing left. */
	cancel_work_sync(&vm->svm.gc_work);
}

/*
 * Which pages of [@start, @end) to ask write access for: those in
 * [@wstart, @wend), and, in a private anonymous mapping, those the CPU has
 * nothing mapped at yet. Writing a page that does not exist breaks no COW,
 * and asking for it now keeps a first touch at one fault per chunk instead
 * of one per page. A page the CPU already maps is only asked for write if
 * the GPU writes it, so neither a GPU read nor a neighbouring write ever
 * breaks COW or dirties a file page.
 */
static void want_write(struct vsvm_vm *vm, struct vsvm_svm_range *range, u64 start, u64 end,
		       u64 wstart, u64 wend, unsigned long *want, unsigned long *pfns)
{
	struct hmm_range hr = {
		.notifier = &range->notifier,
		.start = start,
		.end = end,
		.hmm_pfns = pfns,
	};
	u64 i, n = (end - start) >> PAGE_SHIFT;
	struct vm_area_struct *vma;
	int ret = -EINVAL;

	bitmap_zero(want, VSVM_SVM_CHUNK_PAGES);
	for (i = 0; i < n; i++) {
		u64 a = start + (i << PAGE_SHIFT);

		if (a >= wstart && a < wend)
			__set_bit(i, want);
	}
	if (bitmap_empty(want, n))
		return;

	/* A snapshot, not a fault: it only has to be a good guess. */
	memset(pfns, 0, n * sizeof(pfns[0]));
	hr.notifier_seq = mmu_interval_read_begin(&range->notifier);
	mmap_read_lock(vm->mm);
	vma = vma_lookup(vm->mm, start);
	if (vma && vma_is_anonymous(vma) && !(vma->vm_flags & VM_SHARED) &&
	    end <= vma->vm_end)
		ret = hmm_range_fault(&hr);
	mmap_read_unlock(vm->mm);
	for (i = 0; !ret && i < n; i++)
		if (!(pfns[i] & HMM_PFN_VALID))
			__set_bit(i, want);
}

/*
 * Gather the pages of [@start, @start + @npages pages) under notifier
 * sequence @seq, asking write access for those set in @want (NULL: none).
 * hmm_range_fault() faults every page from the first one that needs it to
 * the end of its range with the same flags, so pages that want write and
 * pages that do not go in separate runs: a run-wide write would break COW
 * on pages the GPU never writes. Context: the mmap read lock held.
 */
static int gather(struct vsvm_vm *vm, struct vsvm_svm_range *range, u64 start, u64 npages,
		  const unsigned long *want, unsigned long seq, unsigned long *pfns)
{
	u64 i = 0, j;
	int ret;

	if (vsvm_inject(vm->vdev, &vm->vdev->inject.ebusy, "hmm_range_fault() -EBUSY"))
		return -EBUSY;
	for (; i < npages; i = j) {
		bool w = want && test_bit(i, want);
		struct hmm_range hr = {
			.notifier = &range->notifier,
			.notifier_seq = seq,
			.hmm_pfns = pfns + i,
			.default_flags = HMM_PFN_REQ_FAULT | (w ? HMM_PFN_REQ_WRITE : 0),
		};

		j = !want ? npages : w ? find_next_zero_bit(want, npages, i) :
					  find_next_bit(want, npages, i);
		hr.start = start + (i << PAGE_SHIFT);
		hr.end = start + (j << PAGE_SHIFT);
		ret = hmm_range_fault(&hr);
		if (ret)
			return ret;
	}
	return 0;
}

static bool fault_expired(struct vsvm_vm *vm, unsigned long deadline, u32 *status)
{
	if (!time_after(jiffies, deadline))
		return false;
	vsvm_stat_inc(vm->vdev, VSVM_STAT_FAULT_TIMEOUTS);
	*status = DRM_VSVM_STATUS_FAULT_RETRY;
	return true;
}

/*
 * Can the kernel dereference the page at @pfn through its direct map, as
 * the engine does? hmm_range_fault() hands out pages that GUP refuses:
 * memfd_secret() pages are taken out of the direct map while a process
 * maps them, and touching one oopses. Device (ZONE_DEVICE) memory is
 * refused whole, as it is no ordinary RAM whatever the direct map says.
 * A page's direct-map entry only changes while nobody maps it, so the
 * answer holds as long as the notifier sequence it was read under.
 */
static bool svm_page_reachable(unsigned long pfn)
{
	unsigned int level;
	struct page *page;
	pte_t *pte;

	if (!pfn_valid(pfn))
		return false;
	page = pfn_to_page(pfn);
	if (is_zone_device_page(page) || PageHighMem(page))
		return false;
	pte = lookup_address((unsigned long)page_address(page), &level);
	return pte && pte_present(*pte);
}

static bool svm_pages_reachable(const unsigned long *hmm_pfns, u64 npages)
{
	u64 i;

	for (i = 0; i < npages; i++)
		if (!svm_page_reachable(hmm_pfns[i] & ~HMM_PFN_FLAGS))
			return false;
	return true;
}

/*
 * Collision-retry service of [@start, @end) of @range, which lies in one
 * GPU 2 MiB block, asking write access for the pages set in @want (NULL:
 * none), gathering into @pfns. Returns -EAGAIN when the range was unmapped
 * meanwhile: it must be looked up again, never populated; on success, the
 * enum vsvm_pte_size of the PTEs installed (the range lies in one 2 MiB
 * block: one 2 MiB PTE or 4 KiB ones). Context: @range held (by
 * &vsvm_vm.lock or range_hold()), an mm_users reference held, the VM
 * owner's memcg active; may block as long as the mm's pages take to come
 * (a filesystem that never answers: forever).
 */
static int populate(struct vsvm_vm *vm, struct vsvm_svm_range *range, u64 start, u64 end,
		    const unsigned long *want, bool readonly, unsigned long deadline,
		    unsigned long *pfns, u32 *status)
{
	struct vsvm_device *vdev = vm->vdev;
	u64 npages = (end - start) >> PAGE_SHIFT, gpu = start + range->gpu_offset, i;
	bool write = want && !bitmap_empty(want, npages);
	struct vsvm_pt_cache cache = {};
	u32 latency = READ_ONCE(vdev->inject.latency_us);
	enum vsvm_pte_size size = VSVM_PTE_SIZE_4K;
	bool collide, unmap;
	unsigned long seq;
	ktime_t t0, t1;
	int ret;

	if (unlikely(latency))
		fsleep(latency);
	if (vsvm_inject(vdev, &vdev->inject.pt_alloc, "page-table allocation"))
		goto nomem;
	ret = vsvm_pt_cache_fill(&cache, gpu, gpu + (end - start));
	if (ret)
		goto nomem;

	for (;;) {
		if (fault_expired(vm, deadline, status)) {
			ret = -EDEADLK;
			goto out;
		}
		t0 = ktime_get();
		seq = mmu_interval_read_begin(&range->notifier);
		mmap_read_lock(vm->mm);
		vsvm_inject_hold(vdev);
		ret = gather(vm, range, start, npages, want, seq, pfns);
		if (ret && ret != -EBUSY)
			*status = classify(vm->mm, vma_lookup(vm->mm, start), write);
		mmap_read_unlock(vm->mm);
		t1 = ktime_get();
		vsvm_stat_add(vdev, VSVM_STAT_FAULT_GATHER_NS, ktime_to_ns(ktime_sub(t1, t0)));
		if (ret == -EBUSY) {
			vsvm_stat_inc(vdev, VSVM_STAT_RETRY_EBUSY);
			trace_vsvm_fault_retry(vm->id, start, 0);
			continue;
		}
		if (ret) {
			if (ret == -ENOMEM)
				*status = DRM_VSVM_STATUS_NOMEM;
			else if (*status == DRM_VSVM_STATUS_OK)
				*status = DRM_VSVM_STATUS_BAD_MEMORY;
			goto out;
		}
		if (!svm_pages_reachable(pfns, npages)) {
			vsvm_stat_inc(vdev, VSVM_STAT_FAULT_UNREACHABLE);
			*status = DRM_VSVM_STATUS_UNREACHABLE;
			ret = -ENXIO;
			goto out;
		}

		/* Decided outside the lock: injecting logs. */
		collide = vsvm_inject(vdev, &vdev->inject.collisions, "notifier collision");
		unmap = !range->userptr &&
			vsvm_inject(vdev, &vdev->inject.unmaps, "range unmapped before install");

		spin_lock(&vm->mmu.lock);
		/* What svm_invalidate() does for an UNMAP. */
		if (unlikely(unmap) && !range->unmapped)
			range_mark_unmapped(vm, range);
		if (range->unmapped) {
			spin_unlock(&vm->mmu.lock);
			ret = -EAGAIN;
			goto out;
		}
		if (collide || mmu_interval_read_retry(&range->notifier, seq)) {
			spin_unlock(&vm->mmu.lock);
			vsvm_stat_inc(vdev, VSVM_STAT_RETRY_COLLISION);
			trace_vsvm_fault_retry(vm->id, start, 1);
			continue;
		}
		for (i = 0; i < npages; ) {
			unsigned long hpfn = pfns[i];
			unsigned long pfn = hpfn & ~HMM_PFN_FLAGS;
			bool w = (hpfn & HMM_PFN_WRITE) && !readonly;
			u64 va = gpu + (i << PAGE_SHIFT);

			if (hmm_pfn_to_map_order(hpfn) >= 9 && IS_ALIGNED(va, SZ_2M) &&
			    IS_ALIGNED(pfn, VSVM_SVM_CHUNK_PAGES) &&
			    i + VSVM_SVM_CHUNK_PAGES <= npages) {
				range->n_pages += vsvm_mmu_map_locked(&vm->mmu, &cache, va,
								      pfn, 9, w);
				vsvm_stat_inc(vdev, VSVM_STAT_PTE_2M);
				size = VSVM_PTE_SIZE_2M;
				i += VSVM_SVM_CHUNK_PAGES;
			} else {
				range->n_pages += vsvm_mmu_map_locked(&vm->mmu, &cache, va,
								      pfn, 0, w);
				vsvm_stat_inc(vdev, VSVM_STAT_PTE_4K);
				i++;
			}
		}
		spin_unlock(&vm->mmu.lock);
		vsvm_stat_add(vdev, VSVM_STAT_FAULT_INSTALL_NS,
			      ktime_to_ns(ktime_sub(ktime_get(), t1)));
		vsvm_stat_add(vdev, VSVM_STAT_FAULT_PAGES, npages);
		ret = size;
		break;
	}
out:
	vsvm_pt_cache_drain(&cache);
	return ret;
nomem:
	*status = DRM_VSVM_STATUS_NOMEM;
	vsvm_pt_cache_drain(&cache);
	return -ENOMEM;
}

/*
 * Service a fault at @addr over the chunk [@start, @end) around it. The
 * whole chunk is asked for first, to map large pages and spare later
 * faults; if some page of it cannot be had (a file hole past EOF, say)
 * only the faulting page is, so an error is only reported for @addr itself.
 * Returns as populate(). Context: as populate().
 */
static int populate_around(struct vsvm_vm *vm, struct vsvm_svm_range *range, u64 addr,
			   u64 start, u64 end, u64 wstart, u64 wend, bool readonly,
			   unsigned long deadline, unsigned long *pfns, u32 *status)
{
	DECLARE_BITMAP(want, VSVM_SVM_CHUNK_PAGES);
	u64 page = addr & PAGE_MASK;
	int ret;

	*status = DRM_VSVM_STATUS_OK;
	want_write(vm, range, start, end, wstart, wend, want, pfns);
	ret = populate(vm, range, start, end, want, readonly, deadline, pfns, status);
	if (ret < 0 && ret != -EDEADLK && ret != -ENOMEM && ret != -EAGAIN &&
	    *status != DRM_VSVM_STATUS_CANCELED && end - start > PAGE_SIZE) {
		*status = DRM_VSVM_STATUS_OK;
		bitmap_zero(want, VSVM_SVM_CHUNK_PAGES);
		if (page >= wstart && page < wend)
			__set_bit(0, want);
		ret = populate(vm, range, page, page + PAGE_SIZE, want, readonly, deadline,
			       pfns, status);
	}
	if (ret >= 0 || ret == -EAGAIN)
		return ret;
	if (*status == DRM_VSVM_STATUS_OK)
		*status = DRM_VSVM_STATUS_BAD_MEMORY;
	return vsvm_status_errno(*status);
}

/*
 * Drops a reference to the owner's mm taken under &vsvm_vm.lock. If the owner
 * exited meanwhile it is the last one, and mmput() would tear the address
 * space down here: exit_mmap() takes mmap_lock for writing, which nothing
 * under the VM lock may do (docs/locking.md). mmput_async() leaves that to a
 * worker.
 */
static void vm_mmput(struct vsvm_vm *vm)
{
	lockdep_assert_held(&vm->lock);
	mmput_async(vm->mm);
}

/* Undoes gather_begin(). */
static void gather_end(struct vsvm_vm *vm, struct mem_cgroup *memcg, unsigned long *pfns)
{
	kfree(pfns);
	set_active_memcg(memcg);
	vm_mmput(vm);
}

/*
 * What gathering the owner's pages needs: its mm pinned, its memory cgroup
 * charged for what the fault allocates, and a PFN array for one chunk.
 * Return: the array, or NULL with *@status set (CANCELED: the owner's
 * address space is gone; NOMEM).
 */
static unsigned long *gather_begin(struct vsvm_vm *vm, struct mem_cgroup **memcg, u32 *status)
{
	unsigned long *pfns;

	if (!mmget_not_zero(vm->mm)) {
		*status = DRM_VSVM_STATUS_CANCELED;
		return NULL;
	}
	*memcg = set_active_memcg(vm->memcg);
	pfns = kmalloc_array(VSVM_SVM_CHUNK_PAGES, sizeof(*pfns), GFP_KERNEL_ACCOUNT);
	if (!pfns) {
		gather_end(vm, *memcg, NULL);
		*status = DRM_VSVM_STATUS_NOMEM;
	}
	return pfns;
}

/*
 * Service a fault in @range, held, with &vsvm_vm.lock dropped: a page of a
 * filesystem that never answers blocks hmm_range_fault() for good, and
 * closing the VM, other faults and debugfs must not wait for it. The gather
 * and the VMA lookups that may wait for mmap_lock happen without the lock;
 * the range stays allocated, and a PTE is only installed while it is not
 * unmapped (checked under &vsvm_mmu.lock), so a binding removed meanwhile
 * gets none: populate() then returns -EAGAIN and the caller looks again.
 *
 * The fault latency histogram times populate_around(), the service proper:
 * page gathering (and allocation, on a first touch), its retries and the
 * PTE writes, which is what the PTE size it is filed under changes. Time
 * spent waiting in the VM's fault queue or for &vsvm_vm.lock is left out:
 * it depends on the other faults, not on this one.
 */
static int fault_unlocked(struct vsvm_vm *vm, struct vsvm_svm_range *range, u64 addr,
			  u64 start, u64 end, u64 wstart, u64 wend, bool readonly,
			  unsigned long deadline, u32 *status)
{
	struct mem_cgroup *memcg;
	unsigned long *pfns;
	u64 t0;
	int ret;

	lockdep_assert_held(&vm->lock);
	pfns = gather_begin(vm, &memcg, status);
	if (!pfns)
		return vsvm_status_errno(*status);
	range_hold(vm, range);
	mutex_unlock(&vm->lock);
	t0 = ktime_get_ns();
	ret = populate_around(vm, range, addr, start, end, wstart, wend, readonly, deadline,
			      pfns, status);
	if (ret >= 0) {
		vsvm_fault_latency_add(vm->vdev, ret, ktime_get_ns() - t0);
		ret = 0;
	}
	mutex_lock(&vm->lock);
	range->faults++;
	range->last_fault_addr = addr;
	range->last_fault_ns = ktime_get_ns();
	range_unhold(vm, range);
	gather_end(vm, memcg, pfns);
	return ret;
}

/*
 * The CPU VMA at @addr, looked up under &vsvm_vm.lock: only with a trylock,
 * as a writer may be queued on mmap_lock behind a fault that never ends.
 * When the trylock fails, wait for mmap_lock without &vsvm_vm.lock and
 * return -EAGAIN: the binding must be looked up again.
 */
static int cpu_vma_bounds(struct vsvm_vm *vm, u64 addr, bool write, u64 *start, u64 *end,
			  u32 *status)
{
	struct vm_area_struct *cpu_vma;

	if (!mmap_read_trylock(vm->mm)) {
		mutex_unlock(&vm->lock);
		if (!mmap_read_lock_killable(vm->mm))
			mmap_read_unlock(vm->mm);
		mutex_lock(&vm->lock);
		return -EAGAIN;
	}
	cpu_vma = vma_lookup(vm->mm, addr);
	*status = classify(vm->mm, cpu_vma, write);
	if (cpu_vma) {
		*start = max_t(u64, *start, cpu_vma->vm_start);
		*end = min_t(u64, *end, cpu_vma->vm_end);
	}
	mmap_read_unlock(vm->mm);
	return *status != DRM_VSVM_STATUS_OK ? vsvm_status_errno(*status) : 0;
}

/*
 * Find the mirror range holding @addr or create one, clamped to the CPU
 * VMA, to the binding [@bstart, @bend) and to its neighbours.
 */
static struct vsvm_svm_range *range_get(struct vsvm_vm *vm, u64 bstart, u64 bend,
					u64 addr, bool write, u32 *status)
{
	u64 start = ALIGN_DOWN(addr, VSVM_SVM_CHUNK), end = start + VSVM_SVM_CHUNK;
	struct interval_tree_node *node;
	struct vsvm_svm_range *range;
	int ret;

	gc_locked(vm);
	node = interval_tree_iter_first(&vm->svm.ranges, addr, addr);
	if (node)
		return container_of(node, struct vsvm_svm_range, itn);

	ret = cpu_vma_bounds(vm, addr, write, &start, &end, status);
	if (ret)
		return ERR_PTR(ret);

	start = max(start, bstart);
	end = min(end, bend);
	for (node = interval_tree_iter_first(&vm->svm.ranges, start, end - 1); node;
	     node = interval_tree_iter_next(node, start, end - 1)) {
		if (node->last < addr)
			start = max_t(u64, start, node->last + 1);
		else
			end = min_t(u64, end, node->start);
	}

	if (vm->svm.n_ranges >= READ_ONCE(vsvm_max_ranges_per_vm)) {
		*status = DRM_VSVM_STATUS_RANGE_LIMIT;
		return ERR_PTR(-ENOSPC);
	}
	range = range_alloc(vm, start, end, 0, false);
	if (IS_ERR(range)) {
		*status = DRM_VSVM_STATUS_NOMEM;
		return range;
	}
	range->itn.start = start;
	range->itn.last = end - 1;
	interval_tree_insert(&range->itn, &vm->svm.ranges);
	vm->svm.n_ranges++;
	return range;
}

/**
 * vsvm_fault_deadline() - the time bound of one fault
 *
 * Every retry of a fault, of any kind, counts against it.
 *
 * Return: the jiffies after which the fault fails with
 * DRM_VSVM_STATUS_FAULT_RETRY.
 */
unsigned long vsvm_fault_deadline(void)
{
	return jiffies + msecs_to_jiffies(READ_ONCE(vsvm_fault_timeout_ms));
}

/**
 * vsvm_svm_fault() - service a GPU page fault in a CPU-address mirror
 * @vm: the VM, its lock held
 * @bstart: first address of the mirror binding holding @addr
 * @bend: end of that binding
 * @addr: faulting address
 * @wstart: first address to map for writing
 * @wend: end of the range to map for writing; @wstart == @wend for a read
 * @deadline: vsvm_fault_deadline() of the fault
 * @status: out, enum drm_vsvm_status when the fault cannot be serviced
 *
 * Maps the chunk around @addr: read-only, except the pages of
 * [@wstart, @wend) and pages nothing was mapped at yet (see want_write()).
 *
 * Context: sleeps, for as long as the mm's pages take to come;
 * &vsvm_vm.lock held, and dropped meanwhile (see fault_unlocked()); mmap_lock
 * not held.
 * Return: 0 when the address is mapped for the access; -EAGAIN when the
 * lock was dropped and the binding must be looked up again; else a
 * negative errno matching *@status.
 */
int vsvm_svm_fault(struct vsvm_vm *vm, u64 bstart, u64 bend, u64 addr, u64 wstart, u64 wend,
		   unsigned long deadline, u32 *status)
{
	bool write = wstart < wend;
	struct vsvm_svm_range *range;
	struct mem_cgroup *memcg;

	lockdep_assert_held(&vm->lock);
	trace_vsvm_fault(vm->id, addr, write);
	/*
	 * Each -EAGAIN (an unmap that raced the fault) comes back here within
	 * the same time bound as the collision retries, so that a process
	 * remapping the address in a loop cannot hold the fault.
	 */
	if (fault_expired(vm, deadline, status))
		return -EDEADLK;
	if (!mmget_not_zero(vm->mm)) {
		*status = DRM_VSVM_STATUS_CANCELED;
		return -ECANCELED;
	}
	memcg = set_active_memcg(vm->memcg);
	range = range_get(vm, bstart, bend, addr, write, status);
	set_active_memcg(memcg);
	vm_mmput(vm);
	if (IS_ERR(range))
		return PTR_ERR(range);
	return fault_unlocked(vm, range, addr, range->start, range->end, wstart, wend, false,
			      deadline, status);
}

/**
 * vsvm_userptr_create() - set up the notifier of a userptr binding
 * @vm: the VM, its lock held
 * @cpu: first CPU address
 * @gpu: GPU VA it appears at
 * @size: bytes
 *
 * Return: the range or an ERR_PTR().
 */
struct vsvm_svm_range *vsvm_userptr_create(struct vsvm_vm *vm, u64 cpu, u64 gpu, u64 size)
{
	return range_alloc(vm, cpu, cpu + size, gpu - cpu, true);
}

/**
 * vsvm_userptr_destroy() - remove a userptr binding's notifier and PTEs
 * @vm: the VM, its lock held
 * @range: the userptr range
 */
void vsvm_userptr_destroy(struct vsvm_vm *vm, struct vsvm_svm_range *range)
{
	range_free(vm, range);
}

/**
 * vsvm_userptr_validate() - map a whole userptr binding
 * @vm: the VM, its lock held
 * @vma: the binding
 * @status: out, enum drm_vsvm_status on failure
 *
 * Skips the work when no invalidation hit the range since the last time.
 * A later invalidation zaps the PTEs as for a mirror, and the GPU fault
 * that follows maps them again.
 *
 * Context: sleeps.
 * Return: 0 or a negative errno.
 */
int vsvm_userptr_validate(struct vsvm_vm *vm, struct vsvm_vma *vma, u32 *status)
{
	DECLARE_BITMAP(want, VSVM_SVM_CHUNK_PAGES);
	struct vsvm_svm_range *range = vma->userptr;
	struct mem_cgroup *memcg;
	unsigned long seq, *pfns;
	u64 addr;
	int ret = 0;

	lockdep_assert_held(&vm->lock);
	if (range->validated && !mmu_interval_check_retry(&range->notifier, range->valid_seq))
		return 0;
	pfns = gather_begin(vm, &memcg, status);
	if (!pfns)
		return vsvm_status_errno(*status);
	vsvm_stat_inc(vm->vdev, VSVM_STAT_USERPTR_REVALIDATE);
	/*
	 * The sequence read before the first block proves the whole range
	 * current at the next EXEC; a block zapped meanwhile faults back in.
	 */
	seq = mmu_interval_read_begin(&range->notifier);
	/* Walk in GPU 2 MiB blocks: the unit a page-table update is sized for. */
	for (addr = range->start; addr < range->end && !ret; ) {
		u64 gpu_next = ALIGN_DOWN(addr + range->gpu_offset, SZ_2M) + SZ_2M;
		u64 next = min_t(u64, gpu_next - range->gpu_offset, range->end);

		/* Up to 2^27 blocks: a killed caller must not wait for them all. */
		if (fatal_signal_pending(current)) {
			*status = DRM_VSVM_STATUS_CANCELED;
			ret = -EINTR;
			break;
		}
		cond_resched();
		*status = DRM_VSVM_STATUS_OK;
		/* A writable userptr is bound for GPU writes: map it writable. */
		bitmap_fill(want, VSVM_SVM_CHUNK_PAGES);
		ret = populate(vm, range, addr, next, vma->readonly ? NULL : want,
			       vma->readonly, vsvm_fault_deadline(), pfns, status);
		ret = ret < 0 ? vsvm_status_errno(*status) : 0;
		addr = next;
	}
	range->validated = !ret;
	range->valid_seq = seq;
	gather_end(vm, memcg, pfns);
	return ret;
}

/**
 * vsvm_userptr_fault() - service a GPU fault in a userptr binding
 * @vm: the VM, its lock held
 * @vma: the binding
 * @addr: GPU VA
 * @write: the access writes
 * @deadline: vsvm_fault_deadline() of the fault
 * @status: out
 *
 * Context: as vsvm_svm_fault(); @vma may be gone when it returns.
 * Return: 0, -EAGAIN when the binding must be looked up again, or a
 * negative errno matching *@status.
 */
int vsvm_userptr_fault(struct vsvm_vm *vm, struct vsvm_vma *vma, u64 addr, bool write,
		       unsigned long deadline, u32 *status)
{
	struct vsvm_svm_range *range = vma->userptr;
	u64 off = range->gpu_offset, cpu = addr - off, page = cpu & PAGE_MASK;
	/*
	 * The GPU 2 MiB block around @addr, clipped to the binding, in GPU
	 * addresses first: CPU and GPU addresses are not ordered alike across
	 * the offset, so clipping after the subtraction could wrap.
	 */
	u64 start = max_t(u64, ALIGN_DOWN(addr, SZ_2M), range->start + off) - off;
	u64 end = min_t(u64, ALIGN_DOWN(addr, SZ_2M) + SZ_2M, range->end + off) - off;

	lockdep_assert_held(&vm->lock);
	if (fault_expired(vm, deadline, status))
		return -EDEADLK;
	/* A userptr range is only marked unmapped when its binding goes. */
	return fault_unlocked(vm, range, cpu, start, end, page,
			      write && !vma->readonly ? page + PAGE_SIZE : page,
			      vma->readonly, deadline, status);
}

/**
 * vsvm_svm_show() - debugfs: the VM's SVM ranges
 * @vm: the VM, its lock held
 * @m: the file
 */
void vsvm_svm_show(struct vsvm_vm *vm, struct seq_file *m)
{
	struct interval_tree_node *node;

	lockdep_assert_held(&vm->lock);
	seq_printf(m, "  svm ranges: %u\n", vm->svm.n_ranges);
	for (node = interval_tree_iter_first(&vm->svm.ranges, 0, U64_MAX); node;
	     node = interval_tree_iter_next(node, 0, U64_MAX)) {
		struct vsvm_svm_range *r = container_of(node, struct vsvm_svm_range, itn);
		u64 n_4k, n_2m;

		spin_lock(&vm->mmu.lock);
		vsvm_mmu_count_range(&vm->mmu, r->start, r->end, &n_4k, &n_2m);
		spin_unlock(&vm->mmu.lock);
		seq_printf(m, "    range 0x%llx-0x%llx seq %lu", r->start, r->end,
			   READ_ONCE(r->notifier.invalidate_seq));
		seq_printf(m, " ptes 4K %llu 2M %llu faults %llu last 0x%llx%s\n",
			   n_4k, n_2m, r->faults, r->last_fault_addr,
			   READ_ONCE(r->unmapped) ? " unmapped" : "");
	}
}
