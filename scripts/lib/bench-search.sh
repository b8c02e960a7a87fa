# Sourced by scripts/bench: issue 11's baseline. The MCSManager panel's user
# search at a million users (BENCH_SEARCH_USERS), through HTTP with an
# administrator's API key, 16 connections, every request with a random needle
# or page (scripts/lib/search-random.lua, seeded by BENCH_SEARCH_SEED so that
# runs are comparable), on SQLite then PostgreSQL (BENCH_SEARCH_STORES).
# Each request has a timeout (BENCH_SEARCH_TIMEOUT, wrk's --timeout): the
# table reports the completed requests and wrk's timeout count beside the
# latency distribution of the completed ones.
# Uses mcsm_directory, stop_store_proteus, write_section, tree_rss_kb, $BIN,
# $work, $SECONDS_PER_RUN, $THREADS, $DATE, $CORES, $CPU from scripts/bench.

# The rows: kind (search-random.lua's BENCH_SEARCH_KIND) | label.
_SEARCH_KINDS=(needle needle2 role-needle role-page page)

# wrk output file -> "responses rps p50_ms p99_ms non2xx timeouts errors".
# wrk counts every response that arrived before the run ended (also those later
# than the timeout); its latency distribution holds only those within the
# timeout: "-" when there was none.
_search_stats() {
    python3 - "$1" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def ms(v):
    n, u = re.match(r"([\d.]+)(us|ms|s|m)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[u]
done = int(re.search(r"(\d+) requests in", t).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
def pct(p):
    m = re.search(r"\s%s%%\s+(\S+)" % p, t)
    v = ms(m.group(1)) if m else 0
    return f"{v:.2f}" if v > 0 else "-"
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
timeouts = int(sock.group(4)) if sock else 0
errors = sum(int(sock.group(i)) for i in (1, 2, 3)) if sock else 0
print(done, f"{rps:.1f}", pct(50), pct(99), bad.group(1) if bad else 0, timeouts, errors)
PY
}

# Waits until the server answers a cheap request again (slow searches that
# wrk gave up on may still be running and would weigh on the next row).
_search_drain() {
    curl -s -m 300 -o /dev/null -H "X-Request-API-Key: $MCSM_KEY" "$MCSM_BASE/api/auth/search?page=1&page_size=1&userName=user0" || true
}

# _bench_search_backend NAME STORE_JSON USERS CONNECTIONS -> rows in $work/search/rows
_bench_search_backend() {
    local name=$1 store=$2 users=$3 connections=$4
    local dir="$work/search/$name"
    # 20 serving threads per worker: all 16 connections are admitted (the
    # default admission would answer 503 to some slow searches), so the
    # table shows the store's time, not the admission's.
    mcsm_directory "$dir" "$store" "$users" '"threads": 20'
    local header="X-Request-API-Key: $MCSM_KEY"
    local total=$(curl -s -H "$header" "$MCSM_BASE/api/auth/search?page=1&page_size=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["total"])')
    [ "$total" -eq "$users" ] || { echo "[$name] the directory has $total users, expected $users"; exit 1; }
    # Pages of 20: the issue's 1000-40000 at a million users (of 50,000
    # pages), in proportion for another count.
    export BENCH_KEY=$MCSM_KEY BENCH_PAGE_SIZE=20
    export BENCH_PAGE_MIN=$(( users / 1000 > 1 ? users / 1000 : 1 ))
    export BENCH_PAGE_MAX=$(( users / 25 > BENCH_PAGE_MIN ? users / 25 : BENCH_PAGE_MIN ))
    export BENCH_SEARCH_SEED=${BENCH_SEARCH_SEED:-11}
    local lua=scripts/lib/search-random.lua
    echo "[$name] warming up..."
    BENCH_SEARCH_KIND=needle wrk -t1 -c4 -d2s --timeout "$BENCH_SEARCH_TIMEOUT" -s "$lua" "$MCSM_BASE" > /dev/null
    _search_drain
    local kind
    for kind in "${_SEARCH_KINDS[@]}"; do
        echo "[$name] $kind (wrk, $connections connections, ${SECONDS_PER_RUN} s)..."
        BENCH_SEARCH_KIND=$kind wrk -t$THREADS -c$connections -d${SECONDS_PER_RUN}s --timeout "$BENCH_SEARCH_TIMEOUT" \
            --latency -s "$lua" "$MCSM_BASE" > "$work/search-$name-$kind.wrk"
        local done rps p50 p99 bad timeouts errors
        read -r done rps p50 p99 bad timeouts errors < <(_search_stats "$work/search-$name-$kind.wrk")
        cp "$work/search-$name-$kind.wrk" "$work/search/$name-$kind.wrk"
        echo "$name $kind $done $rps $p50 $p99 $bad $timeouts $errors" >> "$work/search/results"
        _search_drain
    done
    local rss_kb=$(tree_rss_kb "$store_pid")
    stop_store_proteus
    # What the server logged about failed store calls (the non-2xx answers), numbers blanked.
    local failures=$(sed -n 's/.*store call failed: //p' "$dir/proteus.log" | sed 's/[0-9][0-9]*/N/g' | sort | uniq -c | sort -rn \
        | awk '{n=$1; $1=""; printf "%s%s× \"%s\"", (NR>1 ? ", " : ""), n, substr($0, 2)}')
    echo "$name: $users users generated in $MCSM_GENERATE_SECONDS s; proteus RSS after the runs $((rss_kb / 1024)) MB; failed store calls logged: ${failures:-none}" >> "$work/search/notes"
}

bench_search() {
    local users=${BENCH_SEARCH_USERS:-1000000}
    local stores=${BENCH_SEARCH_STORES:-sqlite postgres}
    local connections=16
    BENCH_SEARCH_TIMEOUT=${BENCH_SEARCH_TIMEOUT:-2s}
    mkdir -p "$work/search"
    : > "$work/search/results"
    : > "$work/search/notes"
    if [[ " $stores " == *" sqlite "* ]]; then
        _bench_search_backend sqlite '{ "plugin": "sqlite" }' "$users" "$connections"
    fi
    if [[ " $stores " == *" postgres "* ]]; then
        # Directly under /tmp: the cluster's owner (postgres) can't enter $work.
        store_pgdir=$(mktemp -d /tmp/proteus-bench-pg.XXXXXX)
        postgres_start_cluster "$store_pgdir"
        export BENCH_PG_URL="$PROTEUS_TEST_POSTGRES_URL"
        _bench_search_backend postgres '{ "plugin": "postgres", "options": { "urlEnv": "BENCH_PG_URL" } }' "$users" "$connections"
        postgres_stop_cluster "$store_pgdir"
        store_pgdir=
    fi
    # Keep the raw wrk outputs next to the results for a look afterwards.
    [ -n "${BENCH_SEARCH_KEEP:-}" ] && cp -r "$work/search" "$BENCH_SEARCH_KEEP"

    local rows=$(python3 - "$work/search/results" "$BENCH_PAGE_MIN" "$BENCH_PAGE_MAX" <<'PY'
import sys
labels = {
    "needle": "`userName=<random 3–6 digits>` + total",
    "needle2": "`userName=<random 2 digits>` + total",
    "role-needle": "`role=10&userName=<random 3–6 digits>`",
    "role-page": "`role=1&page=<random 1–50>` (the panel's role listing)",
    "page": f"unfiltered `page=<random {int(sys.argv[2]):,}–{int(sys.argv[3]):,}>`",
}
for line in open(sys.argv[1]):
    name, kind, done, rps, p50, p99, bad, timeouts, errors = line.split()
    print(f"| {name} | {labels[kind]} | {int(done):,} | {float(rps):,.1f} | {p50} | {p99} | {bad} | {timeouts} |"
          + (f" ({errors} socket errors)" if errors != "0" else ""))
PY
)
    local table=$(cat <<TABLE
Measured $DATE on $CORES cores ($CPU), loopback, wrk and proteus (and PostgreSQL) on the same machine,
$users users per store (made with \`proteus generate-users\`: names \`user\` + $(( ${#users} - 1 )) digits, one in ten an
administrator), through HTTP with the MCSManager dialect: \`GET /api/auth/search?page_size=20&…\`, every request
authenticated with an administrator's API key (\`X-Request-API-Key\`), answering a page of 20 users with the total.
\`wrk -t$THREADS -c$connections -d${SECONDS_PER_RUN}s --timeout $BENCH_SEARCH_TIMEOUT -s scripts/lib/search-random.lua\`: every request draws a new random needle
or page (seed $BENCH_SEARCH_SEED, the same sequence per wrk thread in every run). Proteus release build, default
workers, 20 serving threads per worker, access log off; after each row the next waits until the server answers again.
$(sed 's/^/- /' "$work/search/notes")

"responses" counts every response wrk read during the run, including those later than the $BENCH_SEARCH_TIMEOUT timeout and the
non-2xx ones; p50/p99 are wrk's latency distribution of the responses (any status) within the timeout ("-": none
within it; a p99 near the timeout is cut by it); "timeouts" is wrk's count (responses later than the timeout,
plus connections found still waiting past it at each of wrk's 2 s checks).

| store | request | responses | requests/s | p50 ms | p99 ms | non-2xx | timeouts |
|---|---|---|---|---|---|---|---|
$rows
TABLE
)
    write_section search "$table"
    echo "$table"
}
