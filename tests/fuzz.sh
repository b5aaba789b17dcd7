#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/fuzz.sh - run each libFuzzer harness named in $FUZZ for
# $FUZZ_SECONDS from its seed corpus in tests/corpus/NAME (copied, so the
# repository's corpus only grows by hand). A crash fails that harness and
# leaves its input in $BUILD/fuzz/NAME-crashes/.
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
secs=${FUZZ_SECONDS:-10}
ran=
for name in $FUZZ; do
	case " $ran " in *" $name "*) continue ;; esac
	ran="$ran $name"
	corpus=$BUILD/fuzz/$name-corpus
	crashes=$BUILD/fuzz/$name-crashes
	rm -rf "$corpus" && mkdir -p "$corpus" "$crashes"
	[ -d "tests/corpus/$name" ] && cp tests/corpus/"$name"/* "$corpus"/ 2>/dev/null
	log=$BUILD/fuzz/$name.log
	if "$BUILD/fuzz/$name" -max_total_time="$secs" -timeout=5 -rss_limit_mb=1024 \
	    -print_final_stats=1 -artifact_prefix="$crashes/" "$corpus" >"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "ok - fuzz $name: ${execs:-?} executions in ${secs}s, no crash"
	else
		echo "not ok - fuzz $name crashed: see $log and $crashes"
		tail -n 20 "$log" | sed 's/^/# /'
	fi
done
