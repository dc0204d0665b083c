#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Runs in the qemu guest with vsvm.ko loaded (make mesa-vk-smoke): the
# Vulkan driver's smoke test.  vulkaninfo must list the vsvm device with
# API 1.3 and its extensions, VK_VSVM_system_svm only with the mirror;
# one dispatch must compute the right words, with and without the mirror
# (VSVM_DEBUG=nomirror); with the mirror, a load through address 0x10 must
# lose the device, print "vsvm: GPU fault at 0x10" and be reported by
# VK_EXT_device_fault, and a new device must work.  The full Vulkan tests are mesa-patches/vk-tests/.
#
# Usage: vk-smoke.sh VK_SMOKE_BINARY
# Prints "Subtest NAME: SUCCESS|FAIL" per check, then "N passed, N failed".

set -uo pipefail

here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
run=$here/mesa-run
smoke=${1:?usage: vk-smoke.sh VK_SMOKE_BINARY}
pass=0
fail=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

subtest() {
	local name=$1
	shift
	if "$@"; then
		echo "Subtest $name: SUCCESS"
		pass=$((pass + 1))
	else
		echo "Subtest $name: FAIL"
		fail=$((fail + 1))
	fi
}

summary() {
	"$run" --vk vsvm vulkaninfo --summary >"$out" 2>&1
	cat "$out"
	grep -Eq 'deviceName[[:space:]]*=[[:space:]]*vsvm$' "$out" &&
		grep -Eq 'apiVersion[[:space:]]*=[[:space:]]*1\.3\.' "$out"
}

# The full listing: vulkaninfo --summary names no device extensions.
extensions() {
	local want=$1 unwanted=${2:-}

	env ${VSVM_ENV:-} "$run" --vk vsvm vulkaninfo >"$out" 2>&1 || return 1
	for e in $want; do
		grep -q "$e" "$out" || { echo "missing $e"; return 1; }
	done
	for e in $unwanted; do
		! grep -q "$e" "$out" || { echo "unexpected $e"; return 1; }
	done
	grep -E 'VK_VSVM|VK_EXT_external_memory_host|VK_KHR_buffer_device_address|VK_EXT_device_fault' "$out"
}

dispatch() {
	env ${VSVM_ENV:-} "$run" --vk vsvm "$smoke" -d vsvm 2>"$out"
	local ret=$?

	cat "$out"
	[ "$ret" = 0 ] || return 1
	# The fault check runs with the mirror only.
	[ -n "${VSVM_ENV:-}" ] || grep -q '^vsvm: GPU fault at 0x10:' "$out"
}

subtest vulkaninfo-summary summary
subtest vulkaninfo-extensions extensions \
	"VK_VSVM_system_svm VK_EXT_external_memory_host VK_KHR_buffer_device_address VK_EXT_device_fault"
subtest vk-smoke dispatch
VSVM_ENV=VSVM_DEBUG=nomirror subtest nomirror-vulkaninfo-extensions extensions \
	"VK_EXT_external_memory_host VK_KHR_buffer_device_address" VK_VSVM_system_svm
VSVM_ENV=VSVM_DEBUG=nomirror subtest nomirror-vk-smoke dispatch
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
