#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Builds the vsvm tests inside a real IGT source tree and runs them under
# igt_runner in the tools/vm guest; IGT's results.json is then checked by
# igt-results-check:
#
#   igt-tests/igt-real.sh [--module KO] [--results DIR] [--timeout S]
#                         [--per-test-timeout S] [--filter REGEX] IGT_SRC
#
# IGT_SRC is an IGT 2.2 checkout, under a path the guest sees (not /tmp).
# Steps: igt-dropin.sh; "meson setup" of IGT_SRC/build when it has no
# build yet; the vsvm tests rebuilt from scratch, so that every compiler
# warning shows (any warning in tests/vsvm fails here); igt_runner,
# igt_resume, igt_results and tests/test-list.txt, the list igt_runner
# reads and which no test target builds; the run in the guest, with
# IGT_FORCE_DRIVER=vsvm; the check. Dependencies: igt-real-deps.sh.
# --filter is igt_runner's -t: it must match the line igt@vsvm/BINARY as
# well as igt@vsvm/BINARY@SUBTEST, e.g. 'vsvm_svm($|@fault-4k)'.

set -eu -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
module=$top/drm-driver/vsvm.ko
results=
timeout=5400
per_test_timeout=1200
filter='^igt@vsvm/'

usage() {
	sed -n '7,8p' "$0" | sed 's/^# *//' >&2
	exit 2
}

while [ $# -gt 1 ]; do
	case $1 in
	--module) module=$2; shift ;;
	--results) results=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--per-test-timeout) per_test_timeout=$2; shift ;;
	--filter) filter=$2; shift ;;
	*) usage ;;
	esac
	shift
done
[ $# -eq 1 ] || usage
igt_src=$(cd "$1" && pwd)
build=$igt_src/build
case $igt_src in
/tmp/*) echo "igt-real: $igt_src is under /tmp, which the guest does not see" >&2
	exit 2 ;;
esac
[ -n "$results" ] || results=$top/build/igt-real/$(date +%Y%m%d-%H%M%S)
mkdir -p "$results"
results=$(cd "$results" && pwd)

"$here/igt-dropin.sh" "$igt_src"
tests=$(sed -n "s/^	'\(vsvm_[a-z0-9_]*\)',$/\1/p" "$igt_src/tests/vsvm/meson.build")

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$igt_src" -Ddocs=disabled -Dman=disabled \
		-Doverlay=disabled -Dchamelium=disabled -Dtestplan=disabled \
		-Drunner=enabled
fi

# Objects of tests/vsvm only: their warnings show on every run.
rm -rf "$build"/tests/vsvm/*.p
targets=(runner/igt_runner runner/igt_resume runner/igt_results
	 tests/test-list.txt)
for t in $tests; do
	targets+=("tests/vsvm/$t")
done
ninja -C "$build" "${targets[@]}" 2>&1 | tee "$results/build.log"
warnings=$(grep -cE '^\.\./tests/vsvm/.*(warning|error):' "$results/build.log" || true)
echo "igt-real: $warnings compiler warnings in tests/vsvm"
[ "$warnings" = 0 ]

# Only the vsvm binaries: with test-list.txt alone, igt_runner would list
# the subtests of every IGT test, built or not.
for t in $tests; do
	echo "igt@vsvm/$t"
done >"$results/vsvm-tests.txt"

# The guest writes under $VSVM_RESULTS only, which is $vm_results/ here.
vm_results=$results/vm
vm_rc=0
# tsc=reliable: under TCG on a busy host the clocksource watchdog's reads
# take long and it logs "clocksource: Long readout interval" at warning
# level, which igt_runner would count against whichever test ran then.
"$top/tools/vm" run --module "$module" --timeout "$timeout" \
	--results "$vm_results" --env IGT_FORCE_DRIVER=vsvm \
	--append tsc=reliable -- \
	bash -c '"$0" --per-test-timeout "$1" --overwrite -t "$2" \
		 --test-list "$3" "$4" "$VSVM_RESULTS/igt"' \
	"$build/runner/igt_runner" "$per_test_timeout" "$filter" \
	"$results/vsvm-tests.txt" "$build/tests" ||
	vm_rc=$?
[ "$vm_rc" = 0 ] || echo "igt-real: tools/vm run failed ($vm_rc)" >&2

"$here/igt-results-check" "$vm_results/igt/results.json" || exit 1
exit "$vm_rc"
