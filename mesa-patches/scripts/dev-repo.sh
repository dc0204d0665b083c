#!/bin/bash
# SPDX-License-Identifier: MIT
#
# For developers of the series: makes a git repository of Mesa VERSION
# with the series as commits, to edit, rebase and build in.  Its first
# commit is the pristine tarball, tagged "upstream"; then one commit per
# topic of mesa-patches/series (its whole files and its glue, with the
# patch's author, date and message).  import-patches.sh takes the commits
# back into mesa-patches/, export-patches.sh makes a git format-patch
# series of them.  Keep the repository under build/, never in this one.
#
# Usage: dev-repo.sh VERSION DEV_REPO   (DEV_REPO must not exist)

set -euo pipefail
export LC_ALL=C

version=$1
repo=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=series.sh
. "$here/series.sh"

[ ! -e "$repo" ] || series_fail "$repo exists"
series_read
dl=$series_root/build/mesa/dl
"$here/fetch-mesa.sh" "$version" "$dl"

mkdir -p "$repo"
repo=$(cd "$repo" && pwd)
tar -xJf "$dl/mesa_$version.orig.tar.xz" -C "$repo" \
	--no-same-owner --strip-components=1
git=(git -C "$repo")
"${git[@]}" init -q
# -f: the tree is exactly the tarball's, whatever its .gitignore says.
"${git[@]}" add -A -f
GIT_AUTHOR_NAME=upstream GIT_AUTHOR_EMAIL=upstream@vsvm.invalid \
GIT_COMMITTER_NAME=upstream GIT_COMMITTER_EMAIL=upstream@vsvm.invalid \
	"${git[@]}" commit -q -m "Mesa $version"
"${git[@]}" tag upstream

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
field() { sed -n "s/^$1: //p" <<<"$info"; }	# of git mailinfo's output
for i in "${!series_patch[@]}"; do
	series_apply "$repo" "$i"
	"${git[@]}" add -A -f
	info=$(git mailinfo "$tmp/msg" "$tmp/diff" \
		<"$series_dir/patches/${series_patch[i]}")
	{ field Subject; echo; cat "$tmp/msg"; } | git stripspace >"$tmp/message"
	GIT_AUTHOR_NAME=$(field Author) GIT_AUTHOR_EMAIL=$(field Email) \
	GIT_AUTHOR_DATE=$(field Date) \
	GIT_COMMITTER_NAME=$(field Author) GIT_COMMITTER_EMAIL=$(field Email) \
		"${git[@]}" commit -q --allow-empty -F "$tmp/message"
	echo "dev-repo: $("${git[@]}" log -1 --format=%s)"
done
