#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/initramfs_args.sh - the kernel command line as the initramfs-tools
# boot script and the dracut module read it, under dash (Debian's
# /bin/sh, as in the initramfs) and bash when there: each script is
# sourced with D20_SOURCE_ONLY=1, which defines its functions and stops,
# and d20_cmdline is given the words of a command line. Numbers are
# decimal (08 is 8, 010 is 10, the bound's arithmetic works), non-digits
# fall back to the default, and d20.pin= takes pins joined by ';' or ','.
cd "$(dirname "$0")/.." || exit 1

ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }

itools=initramfs/initramfs-tools/scripts/init-premount/d20
dracut=initramfs/dracut/90d20/d20-seed.sh
shells=dash
command -v bash >/dev/null 2>&1 && shells="dash bash"
if ! command -v dash >/dev/null 2>&1; then
	nok "dash is installed (tools/deps.sh check)"
	exit 1
fi

# parse SHELL SCRIPT WORDS...: the variables after d20_cmdline WORDS, and
# the arithmetic each script does with them, on one line; log lines are
# printed as "log: ...", not sent to /dev/kmsg.
parse() {
	_sh=$1 _script=$2
	shift 2
	D20_SOURCE_ONLY=1 "$_sh" -c '
		script=$1; shift
		. "$script" || exit 1
		d20_log() { echo "log: $1" >&2; }
		log() { echo "log: $1" >&2; }
		d20_cmdline "$@" || { echo off; exit 0; }
		echo "timeout=$timeout netwait=${netwait:-} pin=$pin" \
			"sum=$((${netwait:-0} + timeout + 1))"
	' "$_sh" "$_script" "$@" 2>&1
}

# expect DESCRIPTION WANT SHELL SCRIPT WORDS...
expect() {
	_d=$1 _want=$2
	shift 2
	_got=$(parse "$@")
	if [ "$_got" = "$_want" ]; then
		ok "$_d"
	else
		nok "$_d"
		echo "# want: $_want"
		echo "$_got" | sed 's/^/# got:  /'
	fi
}

p1=sha256//NFw6IKA2TGDAgT5w8DVT6FVmAGTxsVP+4kUypzyz7v4=
p2=sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
for sh in $shells; do
	expect "$sh, initramfs-tools: defaults" \
		"timeout=5 netwait=10 pin= sum=16" $sh $itools ip=dhcp quiet
	expect "$sh, initramfs-tools: d20.timeout=08 d20.netwait=09 are 8 and 9" \
		"timeout=8 netwait=9 pin= sum=18" $sh $itools d20.timeout=08 d20.netwait=09
	expect "$sh, initramfs-tools: 010 is ten, 0 stays 0, 00 is 0" \
		"timeout=10 netwait=0 pin= sum=11" $sh $itools d20.timeout=010 d20.netwait=00
	expect "$sh, initramfs-tools: non-digits and 6 digits: the defaults, logged" \
		"log: not a whole number of seconds: '0x10', using 5
log: not a whole number of seconds: '123456', using 10
timeout=5 netwait=10 pin= sum=16" $sh $itools d20.timeout=0x10 d20.netwait=123456
	expect "$sh, initramfs-tools: d20.timeout=-1 and empty: the defaults" \
		"log: not a whole number of seconds: '-1', using 5
log: not a whole number of seconds: '', using 10
timeout=5 netwait=10 pin= sum=16" $sh $itools d20.timeout=-1 d20.netwait=
	expect "$sh, initramfs-tools: d20.pin= with ';' and with ','" \
		"timeout=5 netwait=10 pin=$p1;$p2 sum=16" $sh $itools "d20.pin=$p1,$p2"
	expect "$sh, initramfs-tools: d20.pin= joined by ';' kept as it is" \
		"timeout=5 netwait=10 pin=$p1;$p2;$p1 sum=16" $sh $itools "d20.pin=$p1;$p2,$p1"
	expect "$sh, initramfs-tools: d20=off" "off" $sh $itools d20.timeout=08 d20=off
	expect "$sh, dracut: d20.timeout=09 is 9" \
		"timeout=9 netwait= pin= sum=10" $sh $dracut d20.timeout=09
	expect "$sh, dracut: 0010 is ten; pins joined by ','" \
		"timeout=10 netwait= pin=$p2;$p1 sum=11" $sh $dracut d20.timeout=0010 "d20.pin=$p2,$p1"
	expect "$sh, dracut: a non-number: the default, logged" \
		"log: not a whole number of seconds: '5s', using 5
timeout=5 netwait= pin= sum=6" $sh $dracut d20.timeout=5s
done
