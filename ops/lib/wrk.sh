# Load with wrk for the benches (ops/bench/*). Source after common.sh; the caller sets WARMUP and DURATION (wrk's
# -d, e.g. 40s and 20s) and wrk_dir, where each measurement's full wrk output is kept.

# measure NAME URL [CONNECTIONS]: warms up, then loads URL and prints NAME_rps, NAME_p50_ms and NAME_p99_ms; fails
# if any answer was not 2xx.
measure() {
    local name=$1 url=$2 connections=${3:-32}
    wrk -t2 -c"$connections" -d"$WARMUP" "$url" > /dev/null
    local out
    out=$(wrk -t2 -c"$connections" -d"$DURATION" --latency "$url")
    echo "$out" > "$wrk_dir/$name"
    local rps p50 p99 non2xx
    rps=$(awk '/^Requests\/sec/ {print $2}' <<< "$out")
    p50=$(awk '$1 == "50%" {print $2}' <<< "$out")
    p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<< "$out")
    printf '%s_rps %s\n%s_p50_ms %s\n%s_p99_ms %s\n' "$name" "$rps" "$name" "$(to_ms "$p50")" "$name" "$(to_ms "$p99")"
    [[ -z "$non2xx" ]] || { echo "$name answered $non2xx non-2xx responses" >&2; exit 1; }
}

# wrk prints 812.00us, 3.41ms or 1.02s.
to_ms() {
    awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}

# ratio A B: A / B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
