# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# Sourced by the Mesa scripts: reads mesa-patches/series and puts a topic
# of the series into a Mesa tree.  The layout (docs/mesa.md, section 7):
#
#   mesa-patches/series      the topics in order: each a patch name, then,
#                            indented, the files the topic adds to Mesa
#   mesa-patches/patches/    per topic, its commit message and its glue
#                            hunks in Mesa's own files (git format-patch)
#   mesa-patches/src/        the files the series adds, whole, at Mesa's
#                            paths (mesa-patches/src/X is Mesa's src/X)
#
# include/drm-uapi/vsvm_*.h are not kept here: they are copied from
# drm-driver/include/uapi/drm/, so there is one copy of each.
#
# After series_read: series_root (the repository), series_patch[i],
# series_files[i] (the added files, one a line) for i in 0..n-1.

series_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
series_dir=$series_root/mesa-patches
series_patch=()
series_files=()

series_fail() {
	echo "series: $*" >&2
	exit 1
}

# The project file that is Mesa file @1 of the series.
series_source() {
	case $1 in
	include/drm-uapi/vsvm_*.h)
		echo "$series_root/drm-driver/include/uapi/drm/${1##*/}" ;;
	src/*)	echo "$series_dir/$1" ;;
	*)	series_fail "$1: an added file must be under src/ or be a UAPI header" ;;
	esac
}

series_read() {
	local line n=-1 f listed

	[ -r "$series_dir/series" ] || series_fail "no $series_dir/series"
	while IFS= read -r line; do
		case $line in
		'' | '#'*) ;;
		[[:space:]]*)
			[ "$n" -ge 0 ] || series_fail "a file before the first topic"
			f=${line#"${line%%[![:space:]]*}"}
			series_files[n]+="$f"$'\n'
			;;
		*)
			n=$((n + 1))
			series_patch[n]=$line
			series_files[n]=
			[ -r "$series_dir/patches/$line" ] ||
				series_fail "no patches/$line"
			;;
		esac
	done <"$series_dir/series"
	[ "$n" -ge 0 ] || series_fail "the series is empty"

	# Every whole file under src/ belongs to exactly one topic.
	listed=$(printf '%s' "${series_files[@]}" | sort)
	[ -z "$(printf '%s\n' "$listed" | uniq -d)" ] ||
		series_fail "files listed twice: $(printf '%s\n' "$listed" | uniq -d)"
	for f in $listed; do
		[ -f "$(series_source "$f")" ] || series_fail "no $(series_source "$f")"
	done
	f=$(cd "$series_dir" && find src -type f 2>/dev/null | sort |
		comm -23 - <(printf '%s\n' "$listed"))
	[ -z "$f" ] || series_fail "in mesa-patches/ but in no topic: $f"
}

# A short hash of everything that makes the tree: the topics, their
# patches, and each added file's path and content.
series_identity() {
	local i f

	{
		cat "$series_dir/series"
		for i in "${!series_patch[@]}"; do
			echo "${series_patch[i]}"
			cat "$series_dir/patches/${series_patch[i]}"
			for f in ${series_files[i]}; do
				printf '%s %s\n' "$f" \
					"$(sha256sum <"$(series_source "$f")" | cut -c1-64)"
			done
		done
	} | sha256sum | cut -c1-16
}

# Puts topic @2 into the Mesa tree @1: copies its files in, applies its
# glue (a topic may have none).
series_apply() {
	local tree=$1 i=$2 f p

	for f in ${series_files[i]}; do
		[ ! -e "$tree/$f" ] || series_fail "$f exists in Mesa already"
		install -D -m 0644 "$(series_source "$f")" "$tree/$f"
	done
	p=$series_dir/patches/${series_patch[i]}
	if grep -q '^diff --git ' "$p"; then
		patch -d "$tree" -p1 --batch --forward --quiet \
			--no-backup-if-mismatch <"$p" ||
			series_fail "${series_patch[i]} does not apply"
	fi
}
