#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Builds Mesa VERSION with the vsvm series under OUT (nothing is installed):
# fetch and verify the tarball, extract it, put the series in (for each
# topic of mesa-patches/series: copy its whole files in, apply its glue
# patch; again whenever the series changes), configure, build.
#
# Usage: build-mesa.sh VERSION OUT [JOBS]
#
#   OUT/dl/      the tarball
#   OUT/src/     the Mesa tree with the series (OUT/src/.vsvm-series records
#                the series' identity, which covers the patches and the
#                whole files; a new series rewrites only the files it
#                changes)
#   OUT/build/   meson's build directory
#   OUT/icd/     an OpenCL ICD file naming OUT/build's Rusticl by path
#                (the Vulkan drivers' ICD manifests for the build tree are
#                meson's own *_devenv_icd.*.json, next to each driver)

set -euo pipefail
export LC_ALL=C

version=$1
out=$(mkdir -p "$2" && cd "$2" && pwd)
jobs=${3:-2}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=mesa-env.sh
. "$here/mesa-env.sh"
# shellcheck source=series.sh
. "$here/series.sh"

"$here/fetch-mesa.sh" "$version" "$out/dl"

series_read
series=$(series_identity)
if [ "$(cat "$out/src/.vsvm-series" 2>/dev/null)" != "$series" ]; then
	echo "build-mesa: extracting Mesa $version and putting the series in"
	rm -rf "$out/src.new"
	mkdir -p "$out/src.new"
	tar -xJf "$out/dl/mesa_$version.orig.tar.xz" -C "$out/src.new" \
		--no-same-owner --strip-components=1
	for i in "${!series_patch[@]}"; do
		echo "  TOPIC ${series_patch[i]}"
		series_apply "$out/src.new" "$i"
	done
	echo "$series" >"$out/src.new/.vsvm-series"
	# Only files whose content changed get a new mtime, so a changed
	# series rebuilds what it touches, not all of Mesa.
	mkdir -p "$out/src"
	rsync -rc --delete "$out/src.new/" "$out/src/"
	rm -rf "$out/src.new"
fi

# A minimal Rusticl: llvmpipe as the side-by-side peer, and vsvm; Vulkan:
# lavapipe (swrast), the peer the Vulkan tests compare with, and vsvm.
# shellcheck disable=SC2054 # the commas are meson's list syntax
options=(
	-Dbuildtype=debugoptimized
	-Dgallium-drivers=llvmpipe,vsvm
	-Dgallium-rusticl=true
	-Dvulkan-drivers=swrast,vsvm
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

# For clangd on the whole files: the build's compile commands of the
# files the series adds, pointed at mesa-patches/src/, in
# mesa-patches/compile_commands.json (not committed), where clangd looks
# first for a file there.
python3 - "$out" "$series_dir" >"$series_dir/compile_commands.json.new" <<'EOF'
import json, os, sys
out, series = sys.argv[1], sys.argv[2]
tree = os.path.join(out, "src") + os.sep
entries = []
for e in json.load(open(os.path.join(out, "build", "compile_commands.json"))):
    path = os.path.normpath(os.path.join(e["directory"], e["file"]))
    mine = os.path.join(series, path[len(tree):])
    if path.startswith(tree) and os.path.isfile(mine):
        e["command"] = e["command"].replace(e["file"], mine)
        e["file"] = mine
        entries.append(e)
json.dump(entries, sys.stdout, indent=1)
EOF
mv "$series_dir/compile_commands.json.new" "$series_dir/compile_commands.json"

mkdir -p "$out/icd"
echo "$out/build/src/gallium/targets/rusticl/libRusticlOpenCL.so" \
	>"$out/icd/rusticl-vsvm.icd"
