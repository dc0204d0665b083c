#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Runs in the qemu guest with vsvm.ko loaded (make mesa-vm-test, make test):
# Rusticl must list the vsvm device with fine-grained system SVM, and the
# OpenCL tests and the demo must pass on it; vulkaninfo must list the vsvm
# Vulkan device at API 1.3 with VK_VSVM_system_svm, VK_EXT_device_fault and
# the rest, and the Vulkan tests must pass on it; without the mirror
# (VSVM_DEBUG=nomirror) neither may claim system SVM and buffers must
# still work.
#
# Each program is one check, and each check is a test of its own for
# tools/vm, with its own time limit and its own line in the summary: "make
# test" lists the links that "--links DIR" makes, DIR/opencl-CHECK and
# DIR/vulkan-CHECK, and this script, started through such a link, runs
# that check only.  Each result is an IGT-style "Subtest NAME:
# SUCCESS|FAIL|SKIP" line, which tools/vm counts.
#
# Usage: mesa-vm-test.sh [CHECK] [CL_TESTS_DIR]
#        mesa-vm-test.sh --links DIR
#   CHECK         one of the checks below, or all (the default): every
#                 check in turn, then "N passed, N failed"
#   CL_TESTS_DIR  the OpenCL test programs (default: $MESA_CL_TESTS, else
#                 build/mesa/cl-tests of this checkout); the Vulkan ones
#                 are $MESA_VK_TESTS, else build/mesa/vk-tests
#   --links DIR   make DIR/opencl-CHECK and DIR/vulkan-CHECK, links to
#                 this script, for every check, and print their paths, one
#                 a line
# MESA_BUILD chooses the Mesa build (see mesa-run).

set -uo pipefail

here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
checks=(clinfo default-clinfo cl_svm_test cl_compute_test cl_conform_test
	cl_svm_demo nomirror-clinfo nomirror-cl_svm_test)
vk_checks=(vulkaninfo vk_compute_test vk_svm_test nomirror-vulkaninfo
	nomirror-vk_svm_test)

if [ "${1:-}" = --links ]; then
	[ $# = 2 ] || { echo "usage: $0 --links DIR" >&2; exit 2; }
	mkdir -p "$2" || exit 1
	dir=$(cd "$2" && pwd)
	for c in "${checks[@]}"; do
		ln -sfn "$here/mesa-vm-test.sh" "$dir/opencl-$c" || exit 1
		echo "$dir/opencl-$c"
	done
	for c in "${vk_checks[@]}"; do
		ln -sfn "$here/mesa-vm-test.sh" "$dir/vulkan-$c" || exit 1
		echo "$dir/vulkan-$c"
	done
	exit 0
fi

# Started as opencl-CHECK or vulkan-CHECK: that check.
me=${0##*/}
check=${1:-all}
api=opencl
case $me in
opencl-*) check=${me#opencl-} ;;
vulkan-*) check=${me#vulkan-} api=vulkan ;;
*) [ $# -gt 0 ] && shift ;;
esac
cl_tests=${1:-${MESA_CL_TESTS:-$here/../../build/mesa/cl-tests}}
vk_tests=${MESA_VK_TESTS:-$here/../../build/mesa/vk-tests}
pass=0
fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# "opencl-" or "vulkan-" and the check's name in kebab case, as a subtest
# name.
subtest_name() {
	printf '%s-%s' "$api" "$(printf '%s' "$1" | tr 'A-Z' 'a-z' |
		sed -e 's/([^)]*)//g' -e 's/[^a-z0-9]\{1,\}/-/g' -e 's/^-//' -e 's/-$//')"
}

result() {
	if [ "$2" = 0 ]; then
		echo "PASS: $1"
		echo "Subtest $(subtest_name "$1"): SUCCESS"
		pass=$((pass + 1))
	else
		echo "FAIL: $1"
		echo "Subtest $(subtest_name "$1"): FAIL"
		fail=$((fail + 1))
	fi
}

# LABEL CMD...: a test program that prints PASS:/FAIL:/SKIP: lines and
# ends with "N passed, N failed", run on vsvm; LABEL names its subtests.
# Each line is turned into a subtest line as it comes, so that a program
# killed at the time limit still reports what it did; its output is
# also kept in $log.
test_program() {
	local label=$1 line res ended=0

	shift
	: >"$log"
	while IFS= read -r line; do
		echo "$line"
		printf '%s\n' "$line" >>"$log"
		case $line in
		"PASS: "*) res=SUCCESS pass=$((pass + 1)) ;;
		"FAIL: "*) res=FAIL fail=$((fail + 1)) ;;
		"SKIP: "*) res=SKIP ;;
		[0-9]*" passed, "[0-9]*" failed"*) ended=1; continue ;;
		*) continue ;;
		esac
		echo "Subtest $(subtest_name "$label ${line#*: }"): $res"
	done < <("$@" 2>&1)
	[ "$ended" = 1 ] || result "$label ended early" 1
}

# PROGRAM [LABEL]: an OpenCL test program on vsvm.
cl_program() {
	test_program "${2:-$1}" "$here/mesa-run" --driver vsvm "$cl_tests/$1" -d vsvm
}

# PROGRAM [LABEL]: a Vulkan test program on vsvm.
vk_program() {
	test_program "${2:-$1}" "$here/mesa-run" --vk vsvm "$vk_tests/$1" -d vsvm
}

# The device's extensions as vulkaninfo lists them: one a line, names only.
vk_extensions() {
	sed -n '/^Device Extensions/,/^$/s/^[[:space:]]*\(VK_[A-Za-z0-9_]*\).*/\1/p' "$1"
}

run_check() {
	case $1 in
	clinfo)
		"$here/mesa-run" --driver vsvm clinfo >"$log" 2>&1
		grep -q 'Device Name *vsvm' "$log"
		result "clinfo lists the vsvm device" $?
		# clinfo prints the SVM capabilities one per line, with Yes/No.
		grep -q 'Fine-grained system sharing *Yes' "$log"
		result "vsvm has fine-grained system SVM" $?
		grep -q 'cl_khr_int64_base_atomics' "$log" &&
			grep -q 'cl_khr_int64_extended_atomics' "$log"
		result "vsvm has 64-bit atomics" $?
		grep -q '^ *Atomics *Yes' "$log" &&
			grep -q 'Atomic memory capabilities.*all-devices scope' "$log"
		result "vsvm has SVM atomics at all-devices scope" $?
		sed -n '/Device Name *vsvm/,+8p' "$log"
		;;
	# Rusticl enables vsvm without RUSTICL_ENABLE.
	default-clinfo)
		"$here/mesa-run" --driver default clinfo -l >"$log" 2>&1
		grep -q 'vsvm' "$log"
		result "clinfo lists vsvm without RUSTICL_ENABLE" $?
		cat "$log"
		;;
	cl_svm_test | cl_compute_test | cl_conform_test)
		cl_program "$1"
		;;
	cl_svm_demo)
		"$here/mesa-run" --driver vsvm "$cl_tests/cl_svm_demo" -d vsvm
		result "cl_svm_demo" $?
		;;
	# A device without DRM_VSVM_SVM_CAP_MIRROR, simulated by the winsys:
	# it must not claim system SVM, and buffers must still work.
	nomirror-clinfo)
		VSVM_DEBUG=nomirror "$here/mesa-run" --driver vsvm clinfo \
			>"$log" 2>&1
		grep -q 'Fine-grained system sharing *No' "$log"
		result "without the mirror, no system SVM is claimed" $?
		;;
	nomirror-cl_svm_test)
		VSVM_DEBUG=nomirror cl_program cl_svm_test "nomirror cl_svm_test"
		;;
	*)
		echo "mesa-vm-test: no check '$1' (checks: ${checks[*]}, all)" >&2
		exit 2
		;;
	esac
}

run_vk_check() {
	case $1 in
	vulkaninfo)
		"$here/mesa-run" --vk vsvm vulkaninfo >"$log" 2>&1
		grep -q 'deviceName *= vsvm' "$log"
		result "vulkaninfo lists the vsvm device" $?
		for e in VK_KHR_buffer_device_address VK_EXT_external_memory_host \
			VK_EXT_device_fault VK_VSVM_system_svm; do
			vk_extensions "$log" | grep -qx "$e"
			result "vsvm lists $e" $?
		done
		"$here/mesa-run" --vk vsvm vulkaninfo --summary >"$log" 2>&1
		sed -n '/^Devices:/,$p' "$log"
		grep -Eq 'apiVersion *= *1\.3\.' "$log"
		result "vsvm offers Vulkan 1.3" $?
		;;
	vk_compute_test)
		vk_program "$1"
		;;
	# bad_pointer's fault is also in the driver's log, with its address.
	vk_svm_test)
		vk_program "$1"
		grep -q '^vsvm: GPU fault at 0x40:' "$log"
		result "the driver logs the bad pointer's fault" $?
		;;
	# Without the mirror: no system SVM claimed, imports still work.
	nomirror-vulkaninfo)
		VSVM_DEBUG=nomirror "$here/mesa-run" --vk vsvm vulkaninfo \
			>"$log" 2>&1
		grep -q 'deviceName *= vsvm' "$log"
		result "without the mirror, vulkaninfo lists vsvm" $?
		! vk_extensions "$log" | grep -qx VK_VSVM_system_svm
		result "without the mirror, VK_VSVM_system_svm is not listed" $?
		for e in VK_KHR_buffer_device_address VK_EXT_external_memory_host; do
			vk_extensions "$log" | grep -qx "$e"
			result "without the mirror, vsvm lists $e" $?
		done
		;;
	nomirror-vk_svm_test)
		VSVM_DEBUG=nomirror vk_program vk_svm_test "nomirror vk_svm_test"
		;;
	*)
		echo "mesa-vm-test: no check '$1' (checks: ${vk_checks[*]}, all)" >&2
		exit 2
		;;
	esac
}

if [ "$check" = all ]; then
	for c in "${checks[@]}"; do
		run_check "$c"
	done
	api=vulkan
	for c in "${vk_checks[@]}"; do
		run_vk_check "$c"
	done
elif [ "$api" = vulkan ]; then
	run_vk_check "$check"
else
	run_check "$check"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
