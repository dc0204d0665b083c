#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Fetches Mesa's upstream tarball from Debian's bookworm-backports source
# package with apt's own client, and checks its sha256 twice: against the
# index apt verified (apt-cache showsrc) and against the value pinned in
# mesa-patches/mesa.sha256.  Prints nothing else on success.
#
# Usage: fetch-mesa.sh VERSION DESTDIR

set -euo pipefail

version=$1
dest=$2
here=$(cd "$(dirname "$0")/.." && pwd)
tarball=mesa_$version.orig.tar.xz

mkdir -p "$dest"
cd "$dest"

# The sha256 that the signed source index gives for this tarball.
expected=$(apt-cache showsrc mesa | awk -v f="$tarball" '
	/^Checksums-Sha256:/ { in_sums = 1; next }
	/^[^ ]/ { in_sums = 0 }
	in_sums && $3 == f && !found { print $1; found = 1 }')
if [ -z "$expected" ]; then
	echo "fetch-mesa: apt-cache showsrc mesa lists no $tarball" >&2
	echo "fetch-mesa: run mesa-patches/scripts/apt-sources.sh first" >&2
	exit 1
fi
pinned=$(awk -v f="$tarball" '$2 == f { print $1 }' "$here/mesa.sha256")
if [ "$expected" != "$pinned" ]; then
	echo "fetch-mesa: index says $expected, mesa.sha256 pins $pinned" >&2
	exit 1
fi

if [ ! -f "$tarball" ] || \
   [ "$(sha256sum "$tarball" | cut -d' ' -f1)" != "$expected" ]; then
	rm -f "$tarball"
	# The backports index can list a .dsc that is not downloadable: apt
	# then fails after fetching the tarball, which is all we need.  Its
	# exit status is judged by the checksum below instead.
	"$here/../tools/apt-get-wait" source --download-only \
		"mesa/bookworm-backports" || \
		echo "fetch-mesa: apt-get source failed; checking what arrived" >&2
fi

[ -f "$tarball" ] || { echo "fetch-mesa: $tarball did not arrive" >&2; exit 1; }
actual=$(sha256sum "$tarball" | cut -d' ' -f1)
if [ "$actual" != "$expected" ]; then
	echo "fetch-mesa: $tarball has sha256 $actual, expected $expected" >&2
	exit 1
fi
