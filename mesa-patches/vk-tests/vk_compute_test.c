// SPDX-License-Identifier: MIT
/*
 * Vulkan compute on one device (vsvm by default; "-d llvmpipe" for
 * lavapipe): descriptors (dynamic ones, and arrays indexed by the
 * invocation), transfers, indirect and based dispatch, semaphores,
 * timestamps, shared memory, and atomics racing host threads' atomics on
 * the same memory.  Every result is compared with the CPU's, byte for
 * byte.
 *
 * Usage: vk_compute_test [-d DEVICE_SUBSTRING] [TEST...]
 */
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "vk_common.h"
#include "atomics.h"
#include "atomics64.h"
#include "groups.h"
#include "index.h"
#include "reduce.h"
#include "saxpy.h"
#include "store.h"

static struct vk_ctx c;

/* y = a * x + y with x and y bound as descriptors. */
static bool
saxpy(void)
{
	enum { N = 10000 };
	struct { float a; uint32_t n; } push = { 2.0f, N };
	struct vk_buf x, y;
	struct vk_pipe p;
	float *want = malloc(N * sizeof(*want));

	EXPECT(want, "malloc");
	if (!vk_buf_init(&c, &x, N * 4, NULL) || !vk_buf_init(&c, &y, N * 4, NULL) ||
	    !VK_PIPE_INIT(&c, &p, saxpy_spv, 2, sizeof(push)))
		return false;
	vk_pipe_bind(&c, &p, (struct vk_buf *[]){ &x, &y });
	for (uint32_t i = 0; i < N; i++) {
		/* Integers: exact whether or not the driver fuses a * x + y. */
		((float *)x.map)[i] = (float)i;
		((float *)y.map)[i] = (float)(i % 1000);
		want[i] = 2.0f * (float)i + (float)(i % 1000);
	}
	VK_CHECK(vk_dispatch(&c, &p, &push, sizeof(push), (N + 63) / 64));
	EXPECT(!memcmp(y.map, want, N * 4), "y differs from the CPU's");
	vk_pipe_fini(&c, &p);
	vk_buf_fini(&c, &x);
	vk_buf_fini(&c, &y);
	free(want);
	return true;
}

/* vkCmdFillBuffer, vkCmdUpdateBuffer and vkCmdCopyBuffer, in order. */
static bool
fill_copy(void)
{
	enum { SIZE = 8192 };
	static const uint8_t update[64] = "vkCmdUpdateBuffer writes these sixty-four bytes in its command";
	uint8_t *a_want = malloc(SIZE), *b_want = malloc(SIZE);
	uint32_t fill = 0xdeadbeef;
	VkBufferCopy regions[] = {
		{ .srcOffset = 0, .dstOffset = 4096, .size = 2048 },
		{ .srcOffset = 300, .dstOffset = 12, .size = 1000 },
	};
	struct vk_buf a, b;
	VkCommandBuffer cb;

	EXPECT(a_want && b_want, "malloc");
	if (!vk_buf_init(&c, &a, SIZE, NULL) || !vk_buf_init(&c, &b, SIZE, NULL))
		return false;
	memset(a.map, 0x11, SIZE);
	memset(b.map, 0x22, SIZE);
	memset(a_want, 0x11, SIZE);
	memset(b_want, 0x22, SIZE);
	for (uint32_t off = 256; off < 256 + 1024; off += 4)
		memcpy(a_want + off, &fill, 4);
	memcpy(a_want + 512, update, sizeof(update));
	for (size_t r = 0; r < ARRAY_LEN(regions); r++)
		memcpy(b_want + regions[r].dstOffset, a_want + regions[r].srcOffset,
		       regions[r].size);

	cb = vk_cmd_begin(&c);
	EXPECT(cb, "no command buffer");
	vkCmdFillBuffer(cb, a.buf, 256, 1024, fill);
	vk_cmd_barrier(cb);
	vkCmdUpdateBuffer(cb, a.buf, 512, sizeof(update), update);
	vk_cmd_barrier(cb);
	vkCmdCopyBuffer(cb, a.buf, b.buf, ARRAY_LEN(regions), regions);
	vk_cmd_barrier(cb);
	VK_CHECK(vk_cmd_run(&c, cb));
	EXPECT(!memcmp(a.map, a_want, SIZE), "the filled and updated buffer differs");
	EXPECT(!memcmp(b.map, b_want, SIZE), "the copy differs");
	vk_buf_fini(&c, &a);
	vk_buf_fini(&c, &b);
	free(a_want);
	free(b_want);
	return true;
}

/* The grid size comes from a buffer the host wrote. */
static bool
dispatch_indirect(void)
{
	enum { GROUPS = 5, MAX = 16, WG = 32 };
	VkDispatchIndirectCommand cmd = { GROUPS, 1, 1 };
	uint32_t want[MAX * WG];
	struct vk_buf out, ind;
	struct vk_pipe p;
	VkCommandBuffer cb;

	if (!vk_buf_init(&c, &out, sizeof(want), NULL) ||
	    !vk_buf_init(&c, &ind, 64, NULL) ||
	    !VK_PIPE_INIT(&c, &p, groups_spv, 1, 0))
		return false;
	vk_pipe_bind(&c, &p, (struct vk_buf *[]){ &out });
	memset(out.map, 0xff, sizeof(want));
	memset(want, 0xff, sizeof(want));
	for (uint32_t g = 0; g < GROUPS; g++)
		for (uint32_t l = 0; l < WG; l++)
			want[g * WG + l] = g * 1000 + l + 1;
	/* At an offset: the command is read from there, not from 0. */
	memset(ind.map, 0, 64);
	memcpy((char *)ind.map + 16, &cmd, sizeof(cmd));

	cb = vk_cmd_begin(&c);
	EXPECT(cb, "no command buffer");
	vk_cmd_pipe(cb, &p, NULL, 0);
	vkCmdDispatchIndirect(cb, ind.buf, 16);
	vk_cmd_barrier(cb);
	VK_CHECK(vk_cmd_run(&c, cb));
	EXPECT(!memcmp(out.map, want, sizeof(want)),
	       "the output differs (GROUPS=%d groups of %d expected)", GROUPS, WG);
	vk_pipe_fini(&c, &p);
	vk_buf_fini(&c, &out);
	vk_buf_fini(&c, &ind);
	return true;
}

/*
 * vkCmdDispatchBase, groups 2..4 of 32 lanes, into a dynamic storage
 * buffer bound at offset 256: the work-group and global ids count from
 * the base, and the words around the view's written range stay as they
 * were.
 */
static bool
dispatch_base(void)
{
	enum { N = 1000, DYN = 256, WG = 32, BASE = 2, GROUPS = 3 };
	struct vk_pipe_opts opts = {
		.type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC,
		.range = 2048,
		.flags = VK_PIPELINE_CREATE_DISPATCH_BASE_BIT,
	};
	uint32_t dyn = DYN, want[N];
	struct vk_buf out;
	struct vk_pipe p;
	VkCommandBuffer cb;

	if (!vk_buf_init(&c, &out, sizeof(want), NULL) ||
	    !vk_pipe_init_opts(&c, &p, groups_spv, sizeof(groups_spv), 1, 0, &opts))
		return false;
	vk_pipe_bind(&c, &p, (struct vk_buf *[]){ &out });
	memset(out.map, 0xef, sizeof(want));
	memset(want, 0xef, sizeof(want));
	for (uint32_t g = BASE; g < BASE + GROUPS; g++)
		for (uint32_t l = 0; l < WG; l++)
			want[DYN / 4 + g * WG + l] = g * 1000 + l + 1;

	cb = vk_cmd_begin(&c);
	EXPECT(cb, "no command buffer");
	vk_cmd_pipe_dyn(cb, &p, NULL, 0, 1, &dyn);
	vkCmdDispatchBase(cb, BASE, 0, 0, GROUPS, 1, 1);
	vk_cmd_barrier(cb);
	VK_CHECK(vk_cmd_run(&c, cb));
	for (uint32_t i = 0; i < N; i++)
		EXPECT(((uint32_t *)out.map)[i] == want[i], "word %u = 0x%x, not 0x%x",
		       i, ((uint32_t *)out.map)[i], want[i]);
	vk_pipe_fini(&c, &p);
	vk_buf_fini(&c, &out);
	return true;
}

/*
 * A descriptor array and a push constant array indexed by the invocation:
 * 64 lanes, lane i writes v[i % 8] + i to word i of buffer i % 2, and
 * nothing else changes.
 */
static bool
dynamic_index(void)
{
	enum { N = 1000 };
	static const uint32_t v[8] = { 10, 20, 30, 40, 50, 60, 70, 80 };
	struct vk_pipe_opts opts = { .count = 2 };
	struct vk_buf b[2];
	struct vk_pipe p;

	if (!vk_buf_init(&c, &b[0], N * 4, NULL) ||
	    !vk_buf_init(&c, &b[1], N * 4, NULL) ||
	    !vk_pipe_init_opts(&c, &p, index_spv, sizeof(index_spv), 1, sizeof(v),
			       &opts))
		return false;
	vk_pipe_bind(&c, &p, (struct vk_buf *[]){ &b[0], &b[1] });
	memset(b[0].map, 0xef, N * 4);
	memset(b[1].map, 0xef, N * 4);
	VK_CHECK(vk_dispatch(&c, &p, v, sizeof(v), 1));
	for (uint32_t k = 0; k < 2; k++) {
		for (uint32_t i = 0; i < N; i++) {
			uint32_t got = ((uint32_t *)b[k].map)[i];
			uint32_t want = i < 64 && (i & 1) == k ? v[i & 7] + i :
				0xefefefef;

			EXPECT(got == want, "buffer %u word %u = 0x%x, not 0x%x",
			       k, i, got, want);
		}
	}
	vk_pipe_fini(&c, &p);
	vk_buf_fini(&c, &b[0]);
	vk_buf_fini(&c, &b[1]);
	return true;
}

/* Records store.comp writing value + i into @b's first @n words. */
static void
record_store(VkCommandBuffer cb, struct vk_pipe *p, uint32_t value, uint32_t n)
{
	struct { uint32_t value, n; } push = { value, n };

	vk_cmd_pipe(cb, p, &push, sizeof(push));
	vkCmdDispatch(cb, (n + 63) / 64, 1, 1);
	vk_cmd_barrier(cb);
}

static bool
check_store(const uint32_t *o, uint32_t value, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		EXPECT(o[i] == value + i, "o[%u] = %u, not %u", i, o[i], value + i);
	return true;
}

/*
 * A submission waits for timeline value 1, which the host signals, and
 * signals 2, which the host waits for.
 */
static bool
timeline_semaphore(void)
{
	enum { N = 256 };
	uint64_t signal_value = 2, value = 0;
	VkSemaphoreWaitInfo swi = {
		.sType = VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO,
		.semaphoreCount = 1,
		.pValues = &signal_value,
	};
	struct vk_buf out;
	struct vk_pipe p;
	VkCommandBuffer cb;
	VkSemaphore sem;
	VkResult res;
	VkFence f;

	if (!vk_buf_init(&c, &out, N * 4, NULL) ||
	    !VK_PIPE_INIT(&c, &p, store_spv, 1, 8))
		return false;
	vk_pipe_bind(&c, &p, (struct vk_buf *[]){ &out });
	memset(out.map, 0, N * 4);
	VK_CHECK(vk_timeline_init(&c, &sem));
	swi.pSemaphores = &sem;
	cb = vk_cmd_begin(&c);
	EXPECT(cb, "no command buffer");
	record_store(cb, &p, 7000, N);
	f = vk_cmd_submit_after(&c, cb, 0, sem, 1, signal_value, &res);
	VK_CHECK(res);

	/* Until the host signals 1, the work must not run. */
	usleep(100 * 1000);
	VK_CHECK(vkGetSemaphoreCounterValue(c.dev, sem, &value));
	EXPECT(value == 0, "the counter is %llu before the host signalled",
	       (unsigned long long)value);
	EXPECT(((uint32_t *)out.map)[0] == 0, "the work ran before its wait");
	VK_CHECK(vk_timeline_signal(&c, sem, 1));
	VK_CHECK(vkWaitSemaphores(c.dev, &swi, VK_TIMEOUT_NS));
	VK_CHECK(vkGetSemaphoreCounterValue(c.dev, sem, &value));
	EXPECT(value == 2, "the counter is %llu, not 2", (unsigned long long)value);
	if (!check_store(out.map, 7000, N))
		return false;
	VK_CHECK(vk_cmd_wait(&c, cb, f));
	vkDestroySemaphore(c.dev, sem, NULL);
	vk_pipe_fini(&c, &p);
	vk_buf_fini(&c, &out);
	return true;
}

/*
 * A binary semaphore orders a dispatch on one queue before a copy on the
 * other (the same queue if the device has one).
 */
static bool
binary_semaphore(void)
{
	enum { N = 4096 };
	VkSemaphoreCreateInfo sci = { .sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO };
	VkPipelineStageFlags stage = VK_PIPELINE_STAGE_TRANSFER_BIT;
	VkBufferCopy region = { .size = N * 4 };
	VkCommandBuffer cb[2];
	VkSemaphore sem;
	VkSubmitInfo si[2] = {
		{
			.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
			.commandBufferCount = 1,
			.pCommandBuffers = &cb[0],
			.signalSemaphoreCount = 1,
			.pSignalSemaphores = &sem,
		}, {
			.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
			.waitSemaphoreCount = 1,
			.pWaitSemaphores = &sem,
			.pWaitDstStageMask = &stage,
			.commandBufferCount = 1,
			.pCommandBuffers = &cb[1],
		},
	};
	VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
	struct vk_buf a, b;
	struct vk_pipe p;
	VkFence f;

	if (!vk_buf_init(&c, &a, N * 4, NULL) || !vk_buf_init(&c, &b, N * 4, NULL) ||
	    !VK_PIPE_INIT(&c, &p, store_spv, 1, 8))
		return false;
	printf("  %u queue(s)\n", c.nqueues);
	vk_pipe_bind(&c, &p, (struct vk_buf *[]){ &a });
	memset(a.map, 0, N * 4);
	memset(b.map, 0, N * 4);
	VK_CHECK(vkCreateSemaphore(c.dev, &sci, NULL, &sem));
	VK_CHECK(vkCreateFence(c.dev, &fci, NULL, &f));
	cb[0] = vk_cmd_begin(&c);
	cb[1] = vk_cmd_begin(&c);
	EXPECT(cb[0] && cb[1], "no command buffers");
	record_store(cb[0], &p, 123456, N);
	vkEndCommandBuffer(cb[0]);
	vkCmdCopyBuffer(cb[1], a.buf, b.buf, 1, &region);
	vk_cmd_barrier(cb[1]);
	vkEndCommandBuffer(cb[1]);
	VK_CHECK(vkQueueSubmit(c.queue[0], 1, &si[0], VK_NULL_HANDLE));
	VK_CHECK(vkQueueSubmit(c.queue[c.nqueues - 1], 1, &si[1], f));
	VK_CHECK(vkWaitForFences(c.dev, 1, &f, VK_TRUE, VK_TIMEOUT_NS));
	if (!check_store(b.map, 123456, N))
		return false;
	VK_CHECK(vkDeviceWaitIdle(c.dev));
	vkFreeCommandBuffers(c.dev, c.pool, 2, cb);
	vkDestroyFence(c.dev, f, NULL);
	vkDestroySemaphore(c.dev, sem, NULL);
	vk_pipe_fini(&c, &p);
	vk_buf_fini(&c, &a);
	vk_buf_fini(&c, &b);
	return true;
}

/* Timestamps around a dispatch: ordered, and within the host's time. */
static bool
timestamps(void)
{
	enum { N = 1 << 16 };
	VkQueryPoolCreateInfo qpci = {
		.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
		.queryType = VK_QUERY_TYPE_TIMESTAMP,
		.queryCount = 2,
	};
	uint64_t ts[2] = { 0, 0 };
	struct vk_buf out;
	struct vk_pipe p;
	VkQueryPool qp;
	VkCommandBuffer cb;
	double host, gpu;

	if (!c.timestamp_bits || c.props.limits.timestampPeriod <= 0) {
		test_skip_because("no timestamps on the queue family");
		return true;
	}
	if (!vk_buf_init(&c, &out, N * 4, NULL) ||
	    !VK_PIPE_INIT(&c, &p, store_spv, 1, 8))
		return false;
	vk_pipe_bind(&c, &p, (struct vk_buf *[]){ &out });
	VK_CHECK(vkCreateQueryPool(c.dev, &qpci, NULL, &qp));
	cb = vk_cmd_begin(&c);
	EXPECT(cb, "no command buffer");
	vkCmdResetQueryPool(cb, qp, 0, 2);
	vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, qp, 0);
	record_store(cb, &p, 1, N);
	vkCmdWriteTimestamp(cb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, qp, 1);
	host = now_s();
	VK_CHECK(vk_cmd_run(&c, cb));
	host = now_s() - host;
	VK_CHECK(vkGetQueryPoolResults(c.dev, qp, 0, 2, sizeof(ts), ts, 8,
				       VK_QUERY_RESULT_64_BIT |
				       VK_QUERY_RESULT_WAIT_BIT));
	if (c.timestamp_bits < 64) {
		ts[0] &= (1ull << c.timestamp_bits) - 1;
		ts[1] &= (1ull << c.timestamp_bits) - 1;
	}
	gpu = (double)(ts[1] - ts[0]) * c.props.limits.timestampPeriod * 1e-9;
	printf("  %u valid bits, period %g ns: dispatch %.3f ms, host %.3f ms\n",
	       c.timestamp_bits, c.props.limits.timestampPeriod, gpu * 1e3,
	       host * 1e3);
	EXPECT(ts[1] >= ts[0] && ts[0] != 0, "timestamps %llu then %llu",
	       (unsigned long long)ts[0], (unsigned long long)ts[1]);
	EXPECT(gpu <= host, "the dispatch took longer than the host waited");
	if (!check_store(out.map, 1, N))
		return false;
	vkDestroyQueryPool(c.dev, qp, NULL);
	vk_pipe_fini(&c, &p);
	vk_buf_fini(&c, &out);
	return true;
}

/* Per work-group sums in shared memory, a barrier per level. */
static bool
reduce(void)
{
	enum { WG = 128, GROUPS = 512, N = WG * GROUPS };
	uint32_t want[GROUPS];
	struct vk_buf in, out;
	struct vk_pipe p;

	if (!vk_buf_init(&c, &in, N * 4, NULL) ||
	    !vk_buf_init(&c, &out, sizeof(want), NULL) ||
	    !VK_PIPE_INIT(&c, &p, reduce_spv, 2, 0))
		return false;
	vk_pipe_bind(&c, &p, (struct vk_buf *[]){ &in, &out });
	memset(want, 0, sizeof(want));
	for (uint32_t i = 0; i < N; i++) {
		uint32_t v = i * 2654435761u;

		((uint32_t *)in.map)[i] = v;
		want[i / WG] += v;
	}
	memset(out.map, 0, sizeof(want));
	VK_CHECK(vk_dispatch(&c, &p, NULL, 0, GROUPS));
	EXPECT(!memcmp(out.map, want, sizeof(want)), "the sums differ");
	vk_pipe_fini(&c, &p);
	vk_buf_fini(&c, &in);
	vk_buf_fini(&c, &out);
	return true;
}

/* ---- atomics racing host threads ---- */

enum { NCOUNTERS = 8, HOST_THREADS = 2, ATOM_GROUPS = 16, ATOM_ITERS = 256 };

struct racer {
	pthread_t thread;
	void *counters;
	bool wide;
	unsigned int seed;
	VkFence fence;
	const int *released;		/* the device's work may run */
	uint64_t adds[NCOUNTERS];	/* this thread's, per counter */
	uint64_t total;
	uint64_t racing;	/* adds begun after the release */
};

static void *
racer_main(void *arg)
{
	struct racer *r = arg;

	/* Add until the device's work is done. */
	while (vkGetFenceStatus(c.dev, r->fence) == VK_NOT_READY) {
		unsigned int k = rand_r(&r->seed) % NCOUNTERS;
		bool racing = __atomic_load_n(r->released, __ATOMIC_ACQUIRE);

		for (int i = 0; i < 64; i++) {
			if (r->wide)
				__atomic_fetch_add((uint64_t *)r->counters + k,
						   0x100000001ull, __ATOMIC_RELAXED);
			else
				__atomic_fetch_add((uint32_t *)r->counters + k, 1,
						   __ATOMIC_RELAXED);
		}
		r->adds[k] += 64;
		__atomic_store_n(&r->total, r->total + 64, __ATOMIC_RELEASE);
		r->racing += racing ? 64 : 0;
	}
	return NULL;
}

/*
 * The device adds to NCOUNTERS counters in host-visible coherent memory
 * while host threads add to the same counters: every add must count.
 */
static bool
atomics_race(bool wide)
{
	struct { uint32_t iters, ncounters; } push = { ATOM_ITERS, NCOUNTERS };
	uint32_t invocations = ATOM_GROUPS * 64;
	size_t size = NCOUNTERS * (wide ? 8 : 4);
	struct racer r[HOST_THREADS];
	uint64_t want[NCOUNTERS] = { 0 }, host = 0, racing = 0;
	struct vk_buf buf;
	struct vk_pipe p;
	VkCommandBuffer cb;
	VkSemaphore sem;
	int released = 0;
	VkResult res;
	VkFence f;

	if (!vk_buf_init(&c, &buf, size, NULL))
		return false;
	if (wide ? !VK_PIPE_INIT(&c, &p, atomics64_spv, 1, sizeof(push)) :
		   !VK_PIPE_INIT(&c, &p, atomics_spv, 1, sizeof(push)))
		return false;
	vk_pipe_bind(&c, &p, (struct vk_buf *[]){ &buf });
	memset(buf.map, 0, size);
	/* lavapipe's JIT would be done within the threads' first adds. */
	if (c.props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU)
		push.iters = 16 * ATOM_ITERS;
	for (uint32_t i = 0; i < invocations; i++)
		for (uint32_t k = 0; k < push.iters; k++)
			want[(i + k) % NCOUNTERS]++;

	/*
	 * The work waits for a timeline semaphore, which the host signals
	 * once every thread is adding: lavapipe would otherwise be done
	 * before the threads start.
	 */
	VK_CHECK(vk_timeline_init(&c, &sem));
	cb = vk_cmd_begin(&c);
	EXPECT(cb, "no command buffer");
	vk_cmd_pipe(cb, &p, &push, sizeof(push));
	vkCmdDispatch(cb, ATOM_GROUPS, 1, 1);
	vk_cmd_barrier(cb);
	f = vk_cmd_submit_after(&c, cb, 0, sem, 1, 0, &res);
	VK_CHECK(res);
	for (int t = 0; t < HOST_THREADS; t++) {
		r[t] = (struct racer){ .counters = buf.map, .wide = wide,
				       .seed = 17u + t, .fence = f,
				       .released = &released };
		EXPECT(!pthread_create(&r[t].thread, NULL, racer_main, &r[t]),
		       "pthread_create");
	}
	for (int t = 0; t < HOST_THREADS; t++)
		for (double t0 = now_s(); now_s() - t0 < 60 &&
		     !__atomic_load_n(&r[t].total, __ATOMIC_ACQUIRE);)
			sched_yield();
	__atomic_store_n(&released, 1, __ATOMIC_RELEASE);
	res = vk_timeline_signal(&c, sem, 1);
	for (int t = 0; t < HOST_THREADS; t++)
		pthread_join(r[t].thread, NULL);
	VK_CHECK(res);
	VK_CHECK(vk_cmd_wait(&c, cb, f));
	vkDestroySemaphore(c.dev, sem, NULL);
	for (int t = 0; t < HOST_THREADS; t++) {
		host += r[t].total;
		racing += r[t].racing;
		for (int k = 0; k < NCOUNTERS; k++)
			want[k] += r[t].adds[k];
	}
	printf("  %u device adds, %llu host adds, %llu of them begun after the "
	       "device's work was released\n", invocations * push.iters,
	       (unsigned long long)host, (unsigned long long)racing);
	for (int k = 0; k < NCOUNTERS; k++) {
		uint64_t got = wide ? ((uint64_t *)buf.map)[k] :
				      ((uint32_t *)buf.map)[k];
		uint64_t exp = wide ? want[k] * 0x100000001ull : want[k];

		EXPECT(got == exp, "counter %d is 0x%llx, not 0x%llx", k,
		       (unsigned long long)got, (unsigned long long)exp);
	}
	/* The race is the point: it must have happened. */
	EXPECT(racing > 0, "no host add overlapped the device's work");
	vk_pipe_fini(&c, &p);
	vk_buf_fini(&c, &buf);
	return true;
}

static bool
atomics(void)
{
	return atomics_race(false);
}

static bool
atomics64(void)
{
	if (!c.atomics64) {
		test_skip_because("no shaderBufferInt64Atomics");
		return true;
	}
	return atomics_race(true);
}

static const struct vk_test tests[] = {
	{ "saxpy", saxpy },
	{ "fill_copy", fill_copy },
	{ "dispatch_indirect", dispatch_indirect },
	{ "dispatch_base", dispatch_base },
	{ "dynamic_index", dynamic_index },
	{ "timeline_semaphore", timeline_semaphore },
	{ "binary_semaphore", binary_semaphore },
	{ "timestamps", timestamps },
	{ "reduce", reduce },
	{ "atomics", atomics },
	{ "atomics64", atomics64 },
};

int
main(int argc, char **argv)
{
	return vk_run_tests(&c, tests, ARRAY_LEN(tests), argc, argv);
}
