#!/bin/bash
# SPDX-License-Identifier: MIT
#
# For developers of the series: writes the commits of a development
# repository (dev-repo.sh; upstream..HEAD) as a git format-patch series,
# for upstream review, into OUT (default build/mesa/series/ of this
# checkout; its old *.patch files are removed).  The series is not kept in
# this repository: import-patches.sh takes the commits into mesa-patches/.
#
# Usage: export-patches.sh DEV_REPO [OUT]

set -euo pipefail

repo=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${2:-$root/build/mesa/series}

git -C "$repo" rev-parse --verify -q upstream >/dev/null || {
	echo "export-patches: $repo has no 'upstream' tag" >&2
	exit 1
}
mkdir -p "$out"
rm -f "$out"/*.patch
git -C "$repo" format-patch --quiet --no-signature --zero-commit \
	--no-numbered -o "$out" upstream..HEAD
ls "$out"/*.patch
