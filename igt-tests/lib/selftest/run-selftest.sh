#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Runs shim_selftest with several command lines and checks its result lines
# (Starting/Subtest/Dynamic subtest, timings masked), a few log lines and
# the exit code. The same expectations hold for the binary built against
# real IGT, which is how we know the shim behaves like IGT.
#
# usage: run-selftest.sh PATH/TO/shim_selftest [igt]
#
# With "igt", the binary was built against real IGT: the cases where the
# shim deliberately differs (README.md) are left out.

set -u

bin=${1:?usage: $0 PATH/TO/shim_selftest [igt]}
real_igt=false
[ "${2:-}" = igt ] && real_igt=true
passed=0
failed=0
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# Prepended to the test's command line by check().
run_prefix=()

export IGT_PLAIN_OUTPUT=1
unset IGT_LOG_LEVEL

# check NAME EXIT_CODE ARGS... <<< expected result lines
check() {
	local name=$1 want_rc=$2 rc got want
	shift 2
	want=$(cat)
	"${run_prefix[@]}" "$bin" "$@" >"$out" 2>"$err"
	rc=$?
	got=$(grep -E '^(Starting (dynamic )?subtest|(Dynamic s|S)ubtest )' "$out" |
	      sed -E 's/\([0-9]+\.[0-9]{3}s\)$/(T)/')
	if [ "$rc" != "$want_rc" ] || [ "$got" != "$want" ]; then
		echo "FAIL: $name (exit $rc, want $want_rc)"
		diff -u <(echo "$want") <(echo "$got") | sed 's/^/    /'
		failed=$((failed + 1))
		return 1
	fi
	echo "ok: $name"
	passed=$((passed + 1))
}

# expect NAME FILE PATTERN: the last run printed a line matching PATTERN.
expect() {
	local file=$out

	[ "$2" = stderr ] && file=$err
	if grep -qE -- "$3" "$file"; then
		echo "ok: $1"
		passed=$((passed + 1))
	else
		echo "FAIL: $1: no line matching '$3' in $2"
		failed=$((failed + 1))
	fi
}

# reject NAME FILE PATTERN: the last run printed no line matching PATTERN.
reject() {
	local file=$out

	[ "$2" = stderr ] && file=$err
	if grep -qE -- "$3" "$file"; then
		echo "FAIL: $1: unexpected line matching '$3' in $2"
		failed=$((failed + 1))
	else
		echo "ok: $1"
		passed=$((passed + 1))
	fi
}

export SELFTEST_FIXTURE_FAIL=1
check full-run 98 <<'EOF'
Starting subtest: pass
Subtest pass: SUCCESS (T)
Starting subtest: fail-assert
Subtest fail-assert: FAIL (T)
Starting subtest: fail-u64
Subtest fail-u64: FAIL (T)
Starting subtest: fail-explicit
Subtest fail-explicit: FAIL (T)
Starting subtest: skip-require
Subtest skip-require: SKIP (T)
Starting subtest: skip-on
Subtest skip-on: SKIP (T)
Starting subtest: formatted-7
Subtest formatted-7: SUCCESS (T)
Starting subtest: fork-pass
Subtest fork-pass: SUCCESS (T)
Starting subtest: oom-score-adj
Subtest oom-score-adj: SUCCESS (T)
Starting subtest: fork-child-fails
Subtest fork-child-fails: FAIL (T)
Starting subtest: fork-child-crashes
Subtest fork-child-crashes: SKIP (T)
Starting subtest: dynamic-mixed
Starting dynamic subtest: a
Dynamic subtest a: SUCCESS (T)
Starting dynamic subtest: b
Dynamic subtest b: FAIL (T)
Starting dynamic subtest: c
Dynamic subtest c: SKIP (T)
Subtest dynamic-mixed: FAIL (T)
Starting subtest: dynamic-crash
Subtest dynamic-crash: SKIP (T)
Starting subtest: dynamic-none
Subtest dynamic-none: SKIP (T)
Starting subtest: dynamic-pass
Starting dynamic subtest: n-0
Dynamic subtest n-0: SUCCESS (T)
Starting dynamic subtest: n-1
Dynamic subtest n-1: SUCCESS (T)
Subtest dynamic-pass: SUCCESS (T)
Starting subtest: crash
Subtest crash: CRASH (T)
Starting subtest: after-crash
Subtest after-crash: SUCCESS (T)
Starting subtest: timeout
Subtest timeout: FAIL (T)
Starting subtest: thread-fail
Subtest thread-fail: FAIL (T)
Subtest group-skipped: SKIP (T)
Subtest group-failed: FAIL (T)
Starting subtest: after-groups
Subtest after-groups: SUCCESS (T)
Subtest after-fixture-skip: SKIP (T)
EOF
expect fixture-runs stdout '^selftest: fixture ran$'
expect assert-location stderr 'Test assertion failure function .*, file .*shim_selftest\.c:[0-9]+:'
expect assert-condition stderr 'Failed assertion: 2 == 3'
expect assert-values stderr 'error: 2 != 3'
expect assert-errno stderr 'Last errno: 2, No such file or directory'
expect assert-u64-values stderr 'error: 0x10000000000 != 0x20000000000'
expect log-dump stderr '^Subtest fail-explicit failed\.'
expect log-dump-content stderr 'selftest: before igt_fail'
expect debug-in-dump stderr 'DEBUG: selftest: debug before igt_fail'
reject debug-not-printed stdout 'selftest: debug'
reject fixture-fail-ends-fixture stdout 'must not be reached'
expect skip-message stdout '^Test requirement: 0$'
expect skip-user-message stdout '^selftest: requirement message$'
reject skip-ends-subtest stdout 'must not be reached'
expect child-failure stdout '^child 1 failed with exit status 98$'
expect crash-signal stderr '^Received signal SIGSEGV\.$'
expect timeout-op stdout '^Timed out: selftest sleep$'
expect thread-failure stderr 'Failure in a thread!'
expect dynamic-none-skip stdout '^No dynamic tests executed\.$'
unset SELFTEST_FIXTURE_FAIL

check list-subtests 0 --list-subtests <<'EOF'
EOF
if [ "$(cat "$out")" = "pass
fail-assert
fail-u64
fail-explicit
skip-require
skip-on
formatted-7
fork-pass
oom-score-adj
fork-child-fails
fork-child-crashes
dynamic-mixed
dynamic-crash
dynamic-none
dynamic-pass
crash
after-crash
timeout
thread-fail
group-skipped
group-failed
after-groups
after-fixture-skip" ]; then
	echo "ok: list-subtests-exact"
	passed=$((passed + 1))
else
	echo "FAIL: list-subtests-exact"
	sed 's/^/    /' "$out"
	failed=$((failed + 1))
fi

check run-one-pass 0 --run-subtest pass <<'EOF'
Starting subtest: pass
Subtest pass: SUCCESS (T)
EOF

# Started with oom_score_adj -1000, as igt_runner starts tests, the test
# and its children still set 1000. Lowering it needs CAP_SYS_RESOURCE, as
# the runner has; without it the case is left out.
if choom -n -1000 -- true 2>/dev/null; then
	run_prefix=(choom -n -1000 --)
	check oom-score-adj-from-runner 0 --run-subtest oom-score-adj <<'EOF'
Starting subtest: oom-score-adj
Subtest oom-score-adj: SUCCESS (T)
EOF
	run_prefix=()
fi

check run-list-wildcard 0 --run-subtest 'formatted-*,dynamic-p*' <<'EOF'
Starting subtest: formatted-7
Subtest formatted-7: SUCCESS (T)
Starting subtest: dynamic-pass
Starting dynamic subtest: n-0
Dynamic subtest n-0: SUCCESS (T)
Starting dynamic subtest: n-1
Dynamic subtest n-1: SUCCESS (T)
Subtest dynamic-pass: SUCCESS (T)
EOF

check run-negated 98 --run-subtest 'fork-*,!fork-child-crashes' <<'EOF'
Starting subtest: fork-pass
Subtest fork-pass: SUCCESS (T)
Starting subtest: fork-child-fails
Subtest fork-child-fails: FAIL (T)
EOF

check run-skips-only 77 --run-subtest 'skip-*' <<'EOF'
Starting subtest: skip-require
Subtest skip-require: SKIP (T)
Starting subtest: skip-on
Subtest skip-on: SKIP (T)
EOF

check fixture-skip-henceforth 77 --run-subtest after-fixture-skip <<'EOF'
Subtest after-fixture-skip: SKIP (T)
EOF

export SELFTEST_FIXTURE_FAIL=1
check fixture-fail-henceforth 98 --run-subtest group-failed <<'EOF'
Subtest group-failed: FAIL (T)
EOF
unset SELFTEST_FIXTURE_FAIL

check fixture-pass 0 --run-subtest group-failed <<'EOF'
Starting subtest: group-failed
Subtest group-failed: SUCCESS (T)
EOF

check dynamic-filter 0 --run-subtest dynamic-mixed --dynamic-subtest a <<'EOF'
Starting subtest: dynamic-mixed
Starting dynamic subtest: a
Dynamic subtest a: SUCCESS (T)
Subtest dynamic-mixed: SUCCESS (T)
EOF

check crash-exit-code 139 --run-subtest 'crash,after-crash' <<'EOF'
Starting subtest: crash
Subtest crash: CRASH (T)
Starting subtest: after-crash
Subtest after-crash: SUCCESS (T)
EOF

if ! $real_igt; then
	export SELFTEST_CHILD_CRASH=1
	check child-crash 139 --run-subtest fork-child-crashes <<'EOF'
Starting subtest: fork-child-crashes
Subtest fork-child-crashes: FAIL (T)
EOF
	expect child-crash-reported stdout '^child 0 died with signal 11, Segmentation fault$'
	unset SELFTEST_CHILD_CRASH

	export SELFTEST_DYNAMIC_CRASH=1
	check dynamic-crash 139 --run-subtest dynamic-crash <<'EOF'
Starting subtest: dynamic-crash
Starting dynamic subtest: crash
Dynamic subtest crash: CRASH (T)
Subtest dynamic-crash: FAIL (T)
EOF
	unset SELFTEST_DYNAMIC_CRASH
fi

check unknown-subtest 79 --run-subtest no-such-subtest <<'EOF'
EOF
expect unknown-subtest-message stderr 'Unknown subtest: no-such-subtest'

check bad-option 79 --no-such-option <<'EOF'
EOF

check describe 0 --describe=pass <<'EOF'
EOF
expect describe-sub stdout '^SUB pass .*shim_selftest\.c:[0-9]+:$'
expect describe-text stdout '^  An assertion that holds passes\.$'

check describe-undocumented 0 --describe=fail-u64 <<'EOF'
EOF
expect describe-missing stdout '^  NO DOCUMENTATION!$'

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
