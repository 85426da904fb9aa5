# Runs the libFuzzer targets for `make fuzz-smoke` and `make fuzz`, one summary line per target;
# fails, naming the reproducer and the log, when a target crashes, breaks an invariant or hangs.
#
# Usage: sh run.sh smoke|long BUILD_DIR SECONDS RUNS NAME...
#   smoke: a fresh copy of tests/fuzz/corpus/NAME in BUILD_DIR/smoke/NAME, fixed seed, at most
#          SECONDS seconds and RUNS executions per target (the corpus copy grows; the seeds don't).
#   long:  corpus BUILD_DIR/corpus/NAME kept across runs (seeds copied in), SECONDS per target,
#          random seed (printed), no execution limit (RUNS 0).
# Logs: BUILD_DIR/logs/NAME.log; reproducers: BUILD_DIR/artifacts/NAME/ (crash-*, timeout-*, ...).
set -u
mode=$1 dir=$2 seconds=$3 runs=$4
shift 4
src=tests/fuzz/corpus
failed=""
total_start=$(date +%s)
for name in "$@"; do
    bin=$dir/fuzz_$name
    log=$dir/logs/$name.log
    art=$dir/artifacts/$name
    mkdir -p "$dir/logs" "$art"
    rm -f "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-* "$art"/slow-unit-*
    if [ "$mode" = smoke ]; then
        corpus=$dir/smoke/$name
        rm -rf "$corpus"
        mkdir -p "$corpus"
        opts="-seed=1 -runs=$runs"
    else
        corpus=$dir/corpus/$name
        mkdir -p "$corpus"
        opts=""
    fi
    [ -d "$src/$name" ] && cp "$src/$name"/* "$corpus"/ 2>/dev/null
    before=$(ls "$corpus" | wc -l)
    start=$(date +%s)
    # shellcheck disable=SC2086
    "$bin" $opts -max_total_time="$seconds" -timeout=60 -artifact_prefix="$art/" \
        -print_final_stats=1 "$corpus" >"$log" 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    after=$(ls "$corpus" | wc -l)
    done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -n 1)
    runs_done=$(echo "$done_line" | sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p')
    seed=$(sed -n 's/^INFO: Seed: \([0-9]*\).*/\1/p' "$log" | head -n 1)
    repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    if [ "$rc" -eq 0 ] && [ -n "$runs_done" ] && [ -z "$repro" ]; then
        printf 'fuzz %-20s ok: %s runs in %s s, corpus %s -> %s inputs (seed %s)\n' \
            "$name" "$runs_done" "$secs" "$before" "$after" "$seed"
    else
        failed="$failed $name"
        printf 'fuzz %-20s FAILED (exit %s) after %s s, seed %s\n' "$name" "$rc" "$secs" "$seed"
        # The first report: an invariant and its message, or the sanitizer's summary.
        grep -a -m1 -A1 'invariant broken' "$log" | cut -c1-300 | sed 's/^ */    /'
        grep -a -m2 -E 'ERROR: (AddressSanitizer|libFuzzer)|runtime error|^SUMMARY:' "$log" |
            cut -c1-300 | sed 's/^/    /'
        echo "    reproducer: ${repro:-none written (see the log)}"
        echo "    log: $log"
        [ -n "$repro" ] && echo "    replay: $bin $repro"
    fi
done
verdict=passed
[ -n "$failed" ] && verdict="FAILED:$failed"
echo "fuzz $mode: $(( $(date +%s) - total_start )) s, $verdict"
[ -z "$failed" ]
