#!/bin/sh
# SPDX-License-Identifier: MIT
# Copyright 2026 The vsvm authors
#
# Tests of the vsvm-as command line: assemble, disassemble, reassemble,
# C output, error reporting. Usage: cli.sh VSVM_AS WORKDIR
set -eu

AS=$1
WORK=$2
HERE=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-cc}
fail=0

rm -rf "$WORK"
mkdir -p "$WORK"

ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# assemble; the default output name replaces the extension
cp "$HERE/saxpy.s" "$WORK/saxpy.s"
"$AS" "$WORK/saxpy.s"
[ -f "$WORK/saxpy.bin" ] && ok "default output name" || bad "no saxpy.bin"
[ "$(wc -c < "$WORK/saxpy.bin")" -eq $((20 * 16)) ] &&
	ok "20 instructions" || bad "saxpy.bin size $(wc -c < "$WORK/saxpy.bin")"

# the first instruction, sv r0, global_id.x, byte for byte
first=$(od -A n -t x1 -N 16 "$WORK/saxpy.bin" | tr -d ' \n')
[ "$first" = "7000000000000c000000000000000000" ] &&
	ok "first instruction bytes" || bad "first instruction $first"

# disassemble and reassemble through pipes
"$AS" -d "$WORK/saxpy.bin" > "$WORK/saxpy.dis"
"$AS" -o - - < "$WORK/saxpy.dis" > "$WORK/saxpy2.bin"
cmp "$WORK/saxpy.bin" "$WORK/saxpy2.bin" && ok "round trip" || bad "round trip"
grep -q '^    ffma r8, r5, r7, r8$' "$WORK/saxpy.dis" &&
	ok "indented disassembly" || bad "indentation: $(cat "$WORK/saxpy.dis")"

# offsets; a flat listing still reassembles
"$AS" -d -a -f -o "$WORK/saxpy.off" "$WORK/saxpy.bin"
grep -q '^end  *; 0x0130$' "$WORK/saxpy.off" && ok "offsets" || bad "offsets"
"$AS" -o "$WORK/saxpy3.bin" "$WORK/saxpy.off"
cmp "$WORK/saxpy.bin" "$WORK/saxpy3.bin" && ok "offset listing reassembles" ||
	bad "offset listing"

# C output compiles and holds the same bytes
"$AS" -c -n saxpy_code -o "$WORK/saxpy_code.h" "$WORK/saxpy.s"
cat > "$WORK/dump.c" <<'EOC'
#include <stdio.h>
#include "saxpy_code.h"
int main(void)
{
	return fwrite(saxpy_code, 1, sizeof(saxpy_code), stdout) !=
	       sizeof(saxpy_code);
}
EOC
"$CC" -Wall -Werror -o "$WORK/dump" "$WORK/dump.c" -I"$WORK"
"$WORK/dump" > "$WORK/saxpy4.bin"
cmp "$WORK/saxpy.bin" "$WORK/saxpy4.bin" && ok "C array" || bad "C array"
"$AS" -c "$WORK/saxpy.s" | grep -q 'static const unsigned char saxpy\[\]' &&
	ok "C array name from the file name" || bad "C array name"

# errors name file, line and column, and fail
printf 'nop\nadd.32 r1, r2, r300\n' > "$WORK/bad.s"
if "$AS" -o "$WORK/bad.bin" "$WORK/bad.s" 2> "$WORK/bad.err"; then
	bad "bad.s assembled"
else
	grep -q "^$WORK/bad.s:2:16: register r300 out of range" "$WORK/bad.err" &&
		ok "error location" || bad "error: $(cat "$WORK/bad.err")"
fi
[ ! -e "$WORK/bad.bin" ] && ok "no output on error" || bad "bad.bin written"

# invalid encodings print as .word, a partial instruction fails
printf '\377\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0' > "$WORK/inv.bin"
"$AS" -d "$WORK/inv.bin" > "$WORK/inv.dis" 2> "$WORK/inv.err"
grep -q '^\.word 0x00000000000000ff, 0x0000000000000000  ; invalid: unknown opcode$' \
	"$WORK/inv.dis" && ok ".word" || bad ".word: $(cat "$WORK/inv.dis")"
grep -q '1 instruction printed as .word' "$WORK/inv.err" && ok ".word note" ||
	bad ".word note"
printf '\0\0\0' >> "$WORK/inv.bin"
if "$AS" -d "$WORK/inv.bin" > /dev/null 2>&1; then
	bad "partial instruction accepted"
else
	ok "partial instruction"
fi

# usage errors
if "$AS" -d -c "$WORK/inv.bin" > /dev/null 2>&1; then
	bad "-d -c accepted"
else
	ok "usage"
fi

exit $fail
