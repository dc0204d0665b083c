#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Runs in the qemu guest with vsvm.ko loaded (make mesa-vm-test):
# Rusticl must list the vsvm device with fine-grained system SVM, and the
# OpenCL tests and the demo must pass on it; without the mirror
# (VSVM_DEBUG=nomirror) it must not claim system SVM and buffers must
# still work.  Ends with "N passed, N failed".
#
# Each check is also reported as an IGT-style "Subtest NAME: SUCCESS|FAIL"
# line, so tools/vm counts them with the rest of the suite in one summary.
#
# Usage: mesa-vm-test.sh [CL_TESTS_DIR]   (default: build/mesa/cl-tests)

set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cl_tests=${1:-$here/../../build/mesa/cl-tests}
pass=0
fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# "opencl-" and the check's name in kebab case, as a subtest name.
subtest_name() {
	printf 'opencl-%s' "$(printf '%s' "$1" | tr 'A-Z' 'a-z' |
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

# The PASS:/FAIL: lines a test program printed, as subtest lines.
subtests_of() {
	sed -n -e 's/^PASS: \(.*\)/\1\tSUCCESS/p' -e 's/^FAIL: \(.*\)/\1\tFAIL/p' "$2" |
	while IFS=$'\t' read -r name res; do
		echo "Subtest $(subtest_name "$1 $name"): $res"
	done
}

"$here/mesa-run" --driver vsvm clinfo >"$log" 2>&1
grep -q 'Device Name *vsvm' "$log"
result "clinfo lists the vsvm device" $?
# clinfo prints the SVM capabilities one per line, with Yes/No.
grep -q 'Fine-grained system sharing *Yes' "$log"
result "vsvm has fine-grained system SVM" $?
sed -n '/Device Name *vsvm/,+8p' "$log"

for t in cl_svm_test cl_compute_test; do
	"$here/mesa-run" --driver vsvm "$cl_tests/$t" -d vsvm | tee "$log"
	subtests_of "$t" "$log"
	pass=$((pass + $(grep -c '^PASS' "$log")))
	fail=$((fail + $(grep -c '^FAIL' "$log")))
	grep -q '^[0-9]* passed, [0-9]* failed' "$log" ||
		result "$t ended early" 1
done

"$here/mesa-run" --driver vsvm "$cl_tests/cl_svm_demo" -d vsvm
result "cl_svm_demo" $?

# A device without DRM_VSVM_SVM_CAP_MIRROR, simulated by the winsys: it
# must not claim system SVM, and buffers must still work.
VSVM_DEBUG=nomirror "$here/mesa-run" --driver vsvm clinfo >"$log" 2>&1
grep -q 'Fine-grained system sharing *No' "$log"
result "without the mirror, no system SVM is claimed" $?
VSVM_DEBUG=nomirror "$here/mesa-run" --driver vsvm "$cl_tests/cl_svm_test" \
	-d vsvm | tee "$log"
subtests_of "nomirror cl_svm_test" "$log"
pass=$((pass + $(grep -c '^PASS' "$log")))
fail=$((fail + $(grep -c '^FAIL' "$log")))
grep -q '^[0-9]* passed, 0 failed' "$log" ||
	result "cl_svm_test without the mirror" 1

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
