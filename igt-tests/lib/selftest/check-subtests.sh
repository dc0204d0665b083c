#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Static checks of IGT test binaries that need no device: --list-subtests
# succeeds without running fixtures and lists unique kebab-case names, and
# --describe finds an igt_describe() for every subtest.
#
# usage: check-subtests.sh TEST_BINARY...

set -u
passed=0
failed=0

fail() {
	echo "FAIL: $1"
	failed=$((failed + 1))
}

for t in "$@"; do
	name=$(basename "$t")
	list=$("$t" --list-subtests 2>&1)
	rc=$?
	if [ $rc -ne 0 ] || [ -z "$list" ]; then
		fail "$name: --list-subtests exited $rc with '${list:0:200}'"
		continue
	fi
	dups=$(sort <<<"$list" | uniq -d)
	[ -z "$dups" ] || fail "$name: duplicate subtests: $dups"
	bad=$(grep -vE '^[a-z0-9]+(-[a-z0-9]+)*$' <<<"$list")
	[ -z "$bad" ] || fail "$name: subtest names not in kebab-case: $bad"
	undocumented=$("$t" --describe 2>&1 | grep -B1 'NO DOCUMENTATION!' |
		       sed -n 's/^SUB \([^ ]*\) .*/\1/p')
	[ -z "$undocumented" ] ||
		fail "$name: subtests without igt_describe(): $undocumented"
	if [ -z "$dups$bad$undocumented" ]; then
		echo "ok: $name ($(wc -l <<<"$list") subtests)"
		passed=$((passed + 1))
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
