#!/bin/bash
# SPDX-License-Identifier: MIT
#
# For developers of the series: regenerates mesa-patches/*.patch from a git
# repository of the extracted tarball whose first commit is the pristine
# tree (tagged "upstream") and whose later commits are the series, one
# topic each.  The repository lives under build/, never in this repo.
#
# Usage: export-patches.sh DEV_REPO

set -euo pipefail

repo=$1
out=$(cd "$(dirname "$0")/.." && pwd)

git -C "$repo" rev-parse --verify -q upstream >/dev/null || {
	echo "export-patches: $repo has no 'upstream' tag" >&2
	exit 1
}
rm -f "$out"/*.patch
git -C "$repo" format-patch --quiet --no-signature --zero-commit \
	--no-numbered -o "$out" upstream..HEAD
ls "$out"/*.patch
