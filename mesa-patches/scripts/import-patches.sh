#!/bin/bash
# SPDX-License-Identifier: MIT
#
# For developers of the series: takes the commits of a development
# repository (upstream..HEAD, see dev-repo.sh) back into the project's
# layout (series.sh): each file the series adds goes whole, as HEAD has
# it, to mesa-patches/src/; each commit's hunks in Mesa's own files go to
# mesa-patches/patches/, one patch per commit; mesa-patches/series lists
# them.  A later commit's change to a file an earlier one added is kept
# in the whole file (reported below).  The UAPI headers are not copied:
# HEAD's must equal drm-driver/include/uapi/drm/'s.
#
# Usage: import-patches.sh DEV_REPO

set -euo pipefail
export LC_ALL=C

repo=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=series.sh
. "$here/series.sh"
git=(git -C "$repo")
fmt=(format-patch --zero-commit --no-signature --no-numbered)

"${git[@]}" rev-parse --verify -q upstream >/dev/null ||
	series_fail "$repo has no 'upstream' tag"
[ -z "$("${git[@]}" status --porcelain --untracked-files=no)" ] ||
	series_fail "$repo has uncommitted changes"
# What is replaced must be in git, so that nothing is lost.
[ -z "$(git -C "$series_root" status --porcelain -- mesa-patches/series \
	mesa-patches/patches mesa-patches/src)" ] ||
	series_fail "mesa-patches/ has uncommitted changes: commit them first"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/all" "$tmp/patches" "$tmp/src"
# format-patch names each commit's patch.
"${git[@]}" "${fmt[@]}" --quiet -o "$tmp/all" upstream..HEAD
mapfile -t names < <(cd "$tmp/all" && ls)
mapfile -t commits < <("${git[@]}" rev-list --reverse upstream..HEAD)
[ "${#names[@]}" = "${#commits[@]}" ] || series_fail "merges are not supported"

{
	echo "# The vsvm series for Mesa, one topic per line, in order (written by"
	echo "# scripts/import-patches.sh; docs/mesa.md, section 7): the topic's patch"
	echo "# in patches/ (its commit message, its hunks in Mesa's own files), then,"
	echo "# indented, the files it adds, kept whole at the same path under"
	echo "# mesa-patches/ (UAPI headers: drm-driver/include/uapi/drm/)."
} >"$tmp/series"

declare -A added=()
for i in "${!commits[@]}"; do
	c=${commits[i]}
	name=${names[i]}
	glue=()
	files=()
	while IFS=$'\t' read -r status path; do
		if "${git[@]}" cat-file -e "upstream:$path" 2>/dev/null; then
			glue+=("$path")
		elif [ "$status" = A ] && [ -z "${added[$path]:-}" ]; then
			added[$path]=$c
			"${git[@]}" cat-file -e "HEAD:$path" 2>/dev/null || continue
			files+=("$path")
		elif [ -n "${added[$path]:-}" ]; then
			echo "import-patches: $name changes $path, which an" \
				"earlier commit adds: the change stays in the whole file"
		fi
	done < <("${git[@]}" diff-tree -r --no-commit-id --name-status "$c")
	if [ "${#glue[@]}" = 0 ] && [ "${#files[@]}" = 0 ]; then
		echo "import-patches: $name: nothing left of it, dropped"
		continue
	fi
	echo "$name" >>"$tmp/series"
	[ "${#files[@]}" = 0 ] || printf '\t%s\n' "${files[@]}" >>"$tmp/series"
	if [ "${#glue[@]}" -gt 0 ]; then
		"${git[@]}" "${fmt[@]}" --start-number $((i + 1)) --stdout \
			-1 "$c" -- "${glue[@]}" >"$tmp/patches/$name"
	else
		# No glue: the commit message alone.
		sed '/^---$/q' "$tmp/all/$name" >"$tmp/patches/$name"
	fi
done

# The added files, as HEAD has them.
while IFS= read -r line; do
	case $line in
	$'\t'*) path=${line#$'\t'} ;;
	*) continue ;;
	esac
	mode=$("${git[@]}" ls-tree HEAD -- "$path" | cut -d' ' -f1)
	[ "$mode" = 100644 ] || series_fail "$path: mode $mode, not 100644"
	src=$(series_source "$path")
	case $path in
	src/*)
		mkdir -p "$tmp/$(dirname "$path")"
		"${git[@]}" cat-file blob "HEAD:$path" >"$tmp/$path"
		;;
	*)
		"${git[@]}" cat-file blob "HEAD:$path" | cmp -s - "$src" ||
			series_fail "$path differs from $src: change it there first"
		;;
	esac
done <"$tmp/series"

rm -rf "$series_dir/patches" "$series_dir/src"
mv "$tmp/patches" "$tmp/src" "$series_dir/"
mv "$tmp/series" "$series_dir/series"
echo "import-patches: $(grep -c "^[^#[:space:]]" "$series_dir/series") topics into $series_dir"
