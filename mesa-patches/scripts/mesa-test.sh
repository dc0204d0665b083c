#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Host-side tests of the Mesa work; needs no vsvm device:
#  - the series' UAPI/ISA headers equal drm-driver's;
#  - the NIR backend's unit tests (NIR in, expected ISA out);
#  - each unit test's disassembly assembles back, with tools/vsvm-as, to
#    the very bytes the compiler emitted;
#  - Rusticl built here lists llvmpipe, and the OpenCL tests pass on it;
#  - lavapipe built here is listed by vulkaninfo, and the Vulkan tests
#    pass on it (what needs vsvm skips).
# Ends with "N passed, N failed".
#
# Usage: mesa-test.sh MESA_OUT VSVM_AS CL_TESTS_DIR VK_TESTS_DIR

set -uo pipefail

out=$1
vsvm_as=$2
cl_tests=$3
vk_tests=$4
here=$(cd "$(dirname "$0")" && pwd)
pass=0
fail=0

count() {	# counts the PASS:/FAIL: lines of a step's output
	local log=$1 p f
	p=$(grep -c '^PASS' "$log")
	f=$(grep -c '^FAIL' "$log")
	pass=$((pass + p))
	fail=$((fail + f))
}

step() {	# step NAME CMD...: one result from an exit status
	local name=$1
	shift
	if "$@"; then
		echo "PASS: $name"
		pass=$((pass + 1))
	else
		echo "FAIL: $name"
		fail=$((fail + 1))
	fi
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== headers"
"$here/check-headers.sh" "$out/src" | tee "$log"
count "$log"

echo "== compiler unit tests"
dump=$out/compiler-test-dump
rm -rf "$dump" && mkdir -p "$dump"
"$out/build/src/vsvm/compiler/vsvm_compiler_test" --dump "$dump" | tee "$log"
count "$log"
grep -q '^[0-9]* passed, 0 failed$' "$log" || step "compiler test ran to the end" false

echo "== disassembly round trip through vsvm-as"
for s in "$dump"/*.s; do
	[ -e "$s" ] || { step "round trip: no dumps" false; break; }
	bin=${s%.s}.bin
	# shellcheck disable=SC2016 # expanded by the inner shell
	step "round trip $(basename "$s" .s)" \
		sh -c '"$1" -o "$2.re" "$3" && cmp "$2" "$2.re"' sh \
		"$vsvm_as" "$bin" "$s"
done

echo "== Rusticl on llvmpipe"
"$here/mesa-run" --driver llvmpipe clinfo -l | tee "$log"
step "clinfo lists llvmpipe" grep -q llvmpipe "$log"
for t in cl_svm_test cl_compute_test cl_conform_test; do
	"$here/mesa-run" --driver llvmpipe "$cl_tests/$t" -d llvmpipe | tee "$log"
	count "$log"
done
step "cl_svm_demo on llvmpipe" \
	"$here/mesa-run" --driver llvmpipe "$cl_tests/cl_svm_demo" -d llvmpipe

echo "== Vulkan on lavapipe"
"$here/mesa-run" --vk lavapipe vulkaninfo --summary 2>&1 | tee "$log"
step "vulkaninfo lists lavapipe" grep -q 'driverName *= llvmpipe' "$log"
for t in vk_compute_test vk_svm_test; do
	"$here/mesa-run" --vk lavapipe "$vk_tests/$t" -d llvmpipe | tee "$log"
	count "$log"
	step "$t ran to the end" grep -q '^[0-9]* passed, 0 failed' "$log"
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
