# Runs the libFuzzer targets for `make fuzz-smoke` and `make fuzz`, one summary line per target;
# fails, naming the reproducer and the log, when a target crashes, breaks an invariant or hangs.
#
# Usage: sh tests/fuzz/run.sh smoke|long BUILD_DIR SECONDS RUNS NAME...
#   First each file in tests/fuzz/regressions/NAME/ (inputs that once broke the target) is run
#   once; any failure there fails the target. Then:
#   smoke: a fresh copy of tests/fuzz/corpus/NAME in BUILD_DIR/smoke/NAME, fixed seed, at most
#          SECONDS seconds and RUNS executions per target (the copy grows; the seeds don't).
#   long:  corpus BUILD_DIR/corpus/NAME kept across runs (seeds copied in), SECONDS per target,
#          random seed (printed), no execution limit (RUNS is ignored).
# Logs: BUILD_DIR/logs/NAME.log; reproducers: BUILD_DIR/artifacts/NAME/ (crash-*, timeout-*, ...).
set -u
mode=$1 dir=$2 seconds=$3 runs=$4
shift 4
failed=""
total_start=$(date +%s)

# The first report in a log: an invariant and its message, or the sanitizer's summary.
reason() {
    grep -a -m1 -A1 'invariant broken' "$1" | cut -c1-300 | sed 's/^ */    /'
    grep -a -m2 -E 'ERROR: (AddressSanitizer|libFuzzer)|runtime error|^SUMMARY:' "$1" |
        cut -c1-300 | sed 's/^/    /'
}

for name in "$@"; do
    bin=$dir/fuzz_$name
    log=$dir/logs/$name.log
    art=$dir/artifacts/$name
    reg=tests/fuzz/regressions/$name
    mkdir -p "$dir/logs" "$art"
    rm -f "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-* "$art"/slow-unit-*

    nreg=0
    [ -d "$reg" ] && nreg=$(ls "$reg" | wc -l)
    if [ "$nreg" -gt 0 ] && ! "$bin" "$reg"/* >"$log" 2>&1; then
        bad=$(sed -n 's/^Running: \(.*\)$/\1/p' "$log" | tail -n 1)
        failed="$failed $name"
        printf 'fuzz %-20s FAILED: regression input %s\n' "$name" "$bad"
        reason "$log"
        echo "    log: $log"
        echo "    replay: $bin $bad"
        continue
    fi

    if [ "$mode" = smoke ]; then
        corpus=$dir/smoke/$name
        rm -rf "$corpus"
        opts="-seed=1 -runs=$runs"
    else
        corpus=$dir/corpus/$name
        opts=""
    fi
    mkdir -p "$corpus"
    [ -d "tests/fuzz/corpus/$name" ] && cp "tests/fuzz/corpus/$name"/* "$corpus"/
    before=$(ls "$corpus" | wc -l)
    start=$(date +%s)
    # shellcheck disable=SC2086
    "$bin" $opts -max_total_time="$seconds" -timeout=60 -artifact_prefix="$art/" \
        -print_final_stats=1 "$corpus" >"$log" 2>&1
    rc=$?
    secs=$(($(date +%s) - start))
    after=$(ls "$corpus" | wc -l)
    runs_done=$(sed -n 's/^Done \([0-9]*\) runs in [0-9]* second.*/\1/p' "$log" | tail -n 1)
    seed=$(sed -n 's/^INFO: Seed: \([0-9]*\).*/\1/p' "$log" | head -n 1)
    repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    if [ "$rc" -eq 0 ] && [ -n "$runs_done" ] && [ -z "$repro" ]; then
        printf 'fuzz %-20s ok: %s runs in %s s, corpus %s -> %s inputs, seed %s, %s regressions\n' \
            "$name" "$runs_done" "$secs" "$before" "$after" "$seed" "$nreg"
    else
        failed="$failed $name"
        printf 'fuzz %-20s FAILED (exit %s) after %s s, seed %s\n' "$name" "$rc" "$secs" "$seed"
        reason "$log"
        echo "    reproducer: ${repro:-none written (see the log)}"
        echo "    log: $log"
        [ -n "$repro" ] && echo "    replay: $bin $repro"
    fi
done
verdict=passed
[ -n "$failed" ] && verdict="FAILED:$failed"
echo "fuzz $mode: $(($(date +%s) - total_start)) s, $verdict"
[ -z "$failed" ]
