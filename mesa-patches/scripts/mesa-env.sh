# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# Sourced by the Mesa build scripts: the environment Mesa's meson and
# bindgen need on Debian 12.
#
# - rustc: Mesa 25.0 needs 1.78 or newer, which Debian 12 does not ship;
#   the first rustc on PATH that is new enough is kept in front.
# - python: meson's scripts need Debian's python3 with python3-mako and
#   python3-yaml, so /usr/bin comes before any pyenv or virtualenv.
# - bindgen loads libclang at run time; Debian's bindgen needs clang 15's
#   (clang 14's headers break on LLVM 15 and Mesa's includes).

_vsvm_rust_dir=
for _d in $(type -ap rustc 2>/dev/null | xargs -r -n1 dirname); do
	_v=$("$_d/rustc" --version 2>/dev/null | awk '{print $2}')
	if [ -n "$_v" ] && [ "$(printf '%s\n1.78.0\n' "$_v" | sort -V | head -n1)" = 1.78.0 ]; then
		_vsvm_rust_dir=$_d
		break
	fi
done
if [ -z "$_vsvm_rust_dir" ]; then
	echo "mesa-env: no rustc 1.78 or newer on PATH (Mesa 25.0 needs one)" >&2
	# shellcheck disable=SC2317 # exit when run rather than sourced
	return 1 2>/dev/null || exit 1
fi
export PATH="$_vsvm_rust_dir:/usr/bin:/bin:/usr/sbin:/sbin"
export LIBCLANG_PATH=/usr/lib/llvm-15/lib
export CLANG_PATH=/usr/bin/clang-15
unset _d _v _vsvm_rust_dir
