#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The series adds include/drm-uapi/vsvm_drm.h and vsvm_isa.h to Mesa; they
# must be byte-identical to drm-driver/include/uapi/drm/.  Checks the copies
# inside the patches (and, if given, an extracted tree too).
#
# Usage: check-headers.sh [MESA_SRC]

set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
tree=${1:-}
rc=0

# Prints the content of new file @2 as added by patch @1.
added_file() {
	awk -v path="b/$2" '
		/^diff --git / { in_file = ($4 == path); in_hunk = 0; next }
		in_file && /^@@ / { in_hunk = 1; next }
		in_file && in_hunk && /^\+/ { print substr($0, 2); next }
		in_file && in_hunk && /^\\ No newline/ { next }
		in_file && in_hunk && !/^\+/ { in_hunk = 0 }
	' "$1"
}

for h in vsvm_drm.h vsvm_isa.h; do
	want=$root/drm-driver/include/uapi/drm/$h
	patch=$(grep -l "^+++ b/include/drm-uapi/$h\$" "$root"/mesa-patches/*.patch || true)
	if [ "$(echo "$patch" | grep -c .)" != 1 ]; then
		echo "FAIL: no single patch adds include/drm-uapi/$h"
		rc=1
		continue
	fi
	if added_file "$patch" "include/drm-uapi/$h" | cmp -s - "$want"; then
		echo "PASS: $(basename "$patch") adds $h identical to the UAPI"
	else
		echo "FAIL: $(basename "$patch") adds a $h that differs from $want"
		rc=1
	fi
	if [ -n "$tree" ]; then
		if cmp -s "$tree/include/drm-uapi/$h" "$want"; then
			echo "PASS: $tree/include/drm-uapi/$h identical to the UAPI"
		else
			echo "FAIL: $tree/include/drm-uapi/$h differs from $want"
			rc=1
		fi
	fi
done
exit $rc
