/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Copyright 2026 The vsvm authors */

#undef TRACE_SYSTEM
#define TRACE_SYSTEM vsvm

#if !defined(_VSVM_TRACE_H_) || defined(TRACE_HEADER_MULTI_READ)
#define _VSVM_TRACE_H_

#include <linux/tracepoint.h>

TRACE_EVENT(vsvm_fault,
	    TP_PROTO(u32 vm, u64 addr, bool write),
	    TP_ARGS(vm, addr, write),
	    TP_STRUCT__entry(__field(u32, vm) __field(u64, addr) __field(bool, write)),
	    TP_fast_assign(__entry->vm = vm; __entry->addr = addr; __entry->write = write;),
	    TP_printk("vm=%u addr=0x%llx %s", __entry->vm, __entry->addr,
		      __entry->write ? "write" : "read")
);

TRACE_EVENT(vsvm_fault_retry,
	    TP_PROTO(u32 vm, u64 addr, int collision),
	    TP_ARGS(vm, addr, collision),
	    TP_STRUCT__entry(__field(u32, vm) __field(u64, addr) __field(int, collision)),
	    TP_fast_assign(__entry->vm = vm; __entry->addr = addr;
			   __entry->collision = collision;),
	    TP_printk("vm=%u addr=0x%llx %s", __entry->vm, __entry->addr,
		      __entry->collision ? "collision" : "ebusy")
);

TRACE_EVENT(vsvm_invalidate,
	    TP_PROTO(u32 vm, u64 start, u64 end, int event, bool blockable),
	    TP_ARGS(vm, start, end, event, blockable),
	    TP_STRUCT__entry(__field(u32, vm) __field(u64, start) __field(u64, end)
			     __field(int, event) __field(bool, blockable)),
	    TP_fast_assign(__entry->vm = vm; __entry->start = start; __entry->end = end;
			   __entry->event = event; __entry->blockable = blockable;),
	    TP_printk("vm=%u 0x%llx-0x%llx event=%d%s", __entry->vm, __entry->start,
		      __entry->end, __entry->event, __entry->blockable ? "" : " nonblock")
);

DECLARE_EVENT_CLASS(vsvm_range,
		    TP_PROTO(u32 vm, u64 start, u64 end),
		    TP_ARGS(vm, start, end),
		    TP_STRUCT__entry(__field(u32, vm) __field(u64, start) __field(u64, end)),
		    TP_fast_assign(__entry->vm = vm; __entry->start = start;
				   __entry->end = end;),
		    TP_printk("vm=%u 0x%llx-0x%llx", __entry->vm, __entry->start, __entry->end)
);

DEFINE_EVENT(vsvm_range, vsvm_range_create,
	     TP_PROTO(u32 vm, u64 start, u64 end),
	     TP_ARGS(vm, start, end));

DEFINE_EVENT(vsvm_range, vsvm_range_destroy,
	     TP_PROTO(u32 vm, u64 start, u64 end),
	     TP_ARGS(vm, start, end));

#endif /* _VSVM_TRACE_H_ */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE vsvm_trace
#include <trace/define_trace.h>
