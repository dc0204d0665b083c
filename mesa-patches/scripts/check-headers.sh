#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The series adds include/drm-uapi/vsvm_drm.h and vsvm_isa.h to Mesa; they
# must be byte-identical to drm-driver/include/uapi/drm/.  The build copies
# them from there (series.sh), so this checks that the series takes them
# from there and has no copy of its own (no whole file, no hunk in a glue
# patch), and, if given, that an extracted tree has them identical.
#
# Usage: check-headers.sh [MESA_SRC]

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=series.sh
. "$here/series.sh"
tree=${1:-}
rc=0

result() {	# result OK TEXT
	if [ "$1" = 0 ]; then
		echo "PASS: $2"
	else
		echo "FAIL: $2"
		rc=1
	fi
}

series_read
for h in vsvm_drm.h vsvm_isa.h; do
	path=include/drm-uapi/$h
	want=$series_root/drm-driver/include/uapi/drm/$h
	n=$(printf '%s' "${series_files[@]}" | grep -cx "$path" || true)
	ok=0
	[ "$n" = 1 ] && [ "$(series_source "$path")" = "$want" ] || ok=1
	result $ok "the series adds $path from drm-driver/include/uapi/drm/"
	ok=0
	! grep -q "^+++ b/$path\$" "$series_dir"/patches/*.patch &&
		[ ! -e "$series_dir/$path" ] || ok=1
	result $ok "mesa-patches/ has no copy of $h of its own"
	if [ -n "$tree" ]; then
		ok=0
		cmp -s "$tree/$path" "$want" || ok=1
		result $ok "$tree/$path identical to the UAPI"
	fi
done
exit $rc
