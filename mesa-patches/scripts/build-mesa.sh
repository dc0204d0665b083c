#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Builds Mesa VERSION with mesa-patches/*.patch under OUT (nothing is
# installed): fetch and verify the tarball, extract it and apply the series
# (again whenever the series changes), configure, build.
#
# Usage: build-mesa.sh VERSION OUT [JOBS]
#
#   OUT/dl/      the tarball
#   OUT/src/     the patched tree (OUT/src/.vsvm-series records the series;
#                a new series rewrites only the files it changes)
#   OUT/build/   meson's build directory
#   OUT/icd/     an OpenCL ICD file naming OUT/build's Rusticl by path

set -euo pipefail
export LC_ALL=C	# glob order: the series applies in name order

version=$1
out=$(mkdir -p "$2" && cd "$2" && pwd)
jobs=${3:-2}
here=$(cd "$(dirname "$0")" && pwd)
patches=$(cd "$here/.." && pwd)
# shellcheck source=mesa-env.sh
. "$here/mesa-env.sh"

"$here/fetch-mesa.sh" "$version" "$out/dl"

# The series, in name order, and its identity: names and contents.
series_files=("$patches"/*.patch)
[ -e "${series_files[0]}" ] || { echo "build-mesa: no patches" >&2; exit 1; }
series=$( (printf '%s\n' "${series_files[@]##*/}"; cat "${series_files[@]}") |
	sha256sum | cut -c1-16)
if [ "$(cat "$out/src/.vsvm-series" 2>/dev/null)" != "$series" ]; then
	echo "build-mesa: extracting Mesa $version and applying the series"
	rm -rf "$out/src.new"
	mkdir -p "$out/src.new"
	tar -xJf "$out/dl/mesa_$version.orig.tar.xz" -C "$out/src.new" \
		--no-same-owner --strip-components=1
	for p in "${series_files[@]}"; do
		echo "  APPLY ${p##*/}"
		patch -d "$out/src.new" -p1 --batch --forward --quiet <"$p"
	done
	echo "$series" >"$out/src.new/.vsvm-series"
	# Only files whose content changed get a new mtime, so a changed
	# series rebuilds what it touches, not all of Mesa.
	mkdir -p "$out/src"
	rsync -rc --delete "$out/src.new/" "$out/src/"
	rm -rf "$out/src.new"
fi

# A minimal Rusticl: llvmpipe as the side-by-side peer, and vsvm.
# shellcheck disable=SC2054 # the commas are meson's list syntax
options=(
	-Dbuildtype=debugoptimized
	-Dgallium-drivers=llvmpipe,vsvm
	-Dgallium-rusticl=true
	-Dvulkan-drivers=
	-Dplatforms=
	-Dglx=disabled
	-Degl=disabled
	-Dgbm=disabled
	-Dopengl=false
	-Dgles1=disabled
	-Dgles2=disabled
	-Dllvm=enabled
	-Dshared-llvm=enabled
	-Dgallium-va=disabled
	-Dgallium-vdpau=disabled
	-Dgallium-xa=disabled
	-Dgallium-nine=false
	-Dgallium-opencl=disabled
	-Dvalgrind=disabled
	-Dlibunwind=disabled
	-Dlmsensors=disabled
	-Dbuild-tests=false
)
opthash=$(printf '%s\n' "${options[@]}" | sha256sum | cut -c1-16)
if [ ! -f "$out/build/build.ninja" ]; then
	meson setup "$out/build" "$out/src" "${options[@]}"
elif [ "$(cat "$out/build/.vsvm-options" 2>/dev/null)" != "$opthash" ]; then
	meson setup --reconfigure "$out/build" "$out/src" "${options[@]}"
fi
echo "$opthash" >"$out/build/.vsvm-options"
start=$(date +%s)
ninja -C "$out/build" -j"$jobs"
ninja -C "$out/build" -j"$jobs" src/vsvm/compiler/vsvm_compiler_test
echo "build-mesa: ninja took $(( $(date +%s) - start )) s"

mkdir -p "$out/icd"
echo "$out/build/src/gallium/targets/rusticl/libRusticlOpenCL.so" \
	>"$out/icd/rusticl-vsvm.icd"
