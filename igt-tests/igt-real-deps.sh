#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Installs, from Debian 12, what IGT 2.2 needs to build its library, the
# vsvm tests dropped into it (igt-dropin.sh) and igt_runner:
#
#   igt-tests/igt-real-deps.sh            (as root; apt-get via tools/apt-get-wait)
#   igt-tests/igt-real-deps.sh --print    the package list only
#
# The list is what IGT's meson.build and runner/meson.build require;
# libunwind-dev is optional there and gives IGT's backtraces.

set -eu

pkgs=(
	meson ninja-build pkg-config python3 flex bison
	libdrm-dev libpciaccess-dev libkmod-dev libproc2-dev libdw-dev
	libpixman-1-dev libcairo2-dev libudev-dev libglib2.0-dev
	libjson-c-dev libunwind-dev
)

if [ "${1:-}" = --print ]; then
	printf '%s\n' "${pkgs[@]}"
	exit 0
fi

# libdw-dev must match the installed libdw1, which may come from
# bookworm-backports (elfutils is pulled in by the kernel headers there).
dw=$(dpkg-query -W -f='${Version}' libdw1 2>/dev/null || true)
if [ -n "$dw" ]; then
	pkgs=("${pkgs[@]/#libdw-dev/libdw-dev=$dw}")
fi

here=$(cd "$(dirname "$0")" && pwd)
"$here/../tools/apt-get-wait" install -y --no-install-recommends "${pkgs[@]}"
