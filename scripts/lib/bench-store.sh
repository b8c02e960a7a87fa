# Sourced by scripts/bench: the directory at a million users on each store
# backend, through HTTP (the MCSManager dialect, authenticated with an
# administrator's API key), with `pgbench -S` on the same PostgreSQL and the
# same client count as the ceiling. Uses mcsm_directory, wrk_run, write_section, tree_rss_kb,
# $BIN, $work, $SECONDS_PER_RUN, $THREADS, $DATE, $CORES, $CPU from scripts/bench.
#
#   point read  GET /api/auth/?uuid=<random existing user>   (key lookup + user read)
#   create      POST /api/auth {username, password, permission} (insert; cheap password hashing)
#   search      GET /api/auth/search?userName=<3 characters>&page=1&page_size=20 (substring + total)


# Lua for wrk: GET with a random id from a file.
_store_read_lua() {
    cat > "$work/store/read.lua" <<'LUA'
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
local key = os.getenv("BENCH_KEY")
request = function()
  return wrk.format("GET", "/api/auth/?uuid=" .. ids[math.random(#ids)], { ["X-Request-API-Key"] = key })
end
LUA
}

# Lua for wrk: POST a new user with a name unique across threads and runs.
_store_create_lua() {
    cat > "$work/store/create.lua" <<'LUA'
math.randomseed(os.time())
local counter = 0
local prefix = ""
local key = os.getenv("BENCH_KEY")
setup = function(thread) thread:set("tid", tostring(math.random(1, 1e9))) end
init = function() prefix = "bench" .. tid .. "x" end
request = function()
  counter = counter + 1
  local body = '{"username":"' .. prefix .. counter .. '","password":"Benchmark1pass","permission":1}'
  return wrk.format("POST", "/api/auth", { ["X-Request-API-Key"] = key, ["Content-Type"] = "application/json" }, body)
end
LUA
}

_bench_pg_password() {
    python3 -c "import urllib.parse,sys; print(urllib.parse.urlparse(sys.argv[1]).password)" "$PROTEUS_TEST_POSTGRES_URL"
}

# bench_store_backend NAME STORE_JSON USERS CONNECTIONS -> appends a table row set to $work/store/rows
_bench_store_backend() {
    local name=$1 store=$2 users=$3 connections=$4
    local dir="$work/store/$name"
    mcsm_directory "$dir" "$store" "$users" \
        '"threads": 20, "auth": [ { "plugin": "password", "options": { "memoryKiB": 1024, "iterations": 1 } } ]'
    local generate_seconds=$MCSM_GENERATE_SECONDS base=$MCSM_BASE key=$MCSM_KEY
    # 2,000 existing ids from pages spread over the directory.
    python3 - "$base" "$key" "$users" > "$dir/ids" <<'PY'
import json, random, sys, urllib.request
base, key, users = sys.argv[1], sys.argv[2], int(sys.argv[3])
pages = max(1, users // 50)
for page in random.sample(range(1, pages + 1), min(40, pages)):
    req = urllib.request.Request(f"{base}/api/auth/search?page={page}&page_size=50", headers={"X-Request-API-Key": key})
    for u in json.load(urllib.request.urlopen(req))["data"]["data"]:
        print(u["uuid"])
PY
    local needle="345"
    local search="$base/api/auth/search?page=1&page_size=20&userName=$needle"
    local matches=$(curl -s -H "X-Request-API-Key: $key" "$search" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["total"])')
    export BENCH_IDS="$dir/ids" BENCH_KEY="$key"
    echo "[$name] warming up..."
    wrk -t1 -c4 -d2s -s "$work/store/read.lua" "$base" > /dev/null
    echo "[$name] read, create, search (wrk, $connections connections)..."
    read -r r_rps r_p50 r_p99 < <(wrk_run "store-$name-read" "$base" "" "$connections" "$work/store/read.lua")
    read -r c_rps c_p50 c_p99 < <(wrk_run "store-$name-create" "$base" "" "$connections" "$work/store/create.lua")
    read -r s_rps s_p50 s_p99 < <(wrk_run "store-$name-search" "$search" "X-Request-API-Key: $key" "$connections")
    local rss_kb=$(tree_rss_kb "$store_pid")
    local non2xx=$(for run in read create search; do
        n=$(sed -n 's/.*Non-2xx or 3xx responses: \([0-9]*\).*/\1/p' "$work/store-$name-$run.wrk"); echo -n "$run ${n:-0}, "; done)
    stop_store_proteus
    cat >> "$work/store/rows" <<ROWS
| $name | point read \`GET /api/auth/?uuid=\` | $r_rps | $r_p50 | $r_p99 |
| $name | create \`POST /api/auth\` | $c_rps | $c_p50 | $c_p99 |
| $name | search \`userName=$needle\` ($matches matches), page of 20 + total | $s_rps | $s_p50 | $s_p99 |
ROWS
    echo "$name: $users users generated in ${generate_seconds} s; proteus RSS $((rss_kb / 1024)) MB; non-2xx answers: ${non2xx%, }" >> "$work/store/notes"
}

bench_store() {
    local users=${BENCH_STORE_USERS:-1000000}
    local connections=16
    mkdir -p "$work/store"
    : > "$work/store/rows"
    : > "$work/store/notes"
    _store_read_lua
    _store_create_lua
    _bench_store_backend sqlite "{ \"plugin\": \"sqlite\" }" "$users" "$connections"

    # Directly under /tmp: the cluster's owner (postgres) can't enter $work.
    store_pgdir=$(mktemp -d /tmp/proteus-bench-pg.XXXXXX)
    postgres_start_cluster "$store_pgdir"
    export BENCH_PG_URL="$PROTEUS_TEST_POSTGRES_URL"
    _bench_store_backend postgres "{ \"plugin\": \"postgres\", \"options\": { \"urlEnv\": \"BENCH_PG_URL\" } }" "$users" "$connections"
    # The ceiling: pgbench's select-only load on the same server, same client count.
    local bin=$(postgres_bin_dir)
    PGPASSWORD=$(_bench_pg_password) \
        "$bin/pgbench" -i -q -s 10 -h 127.0.0.1 -p "$PROTEUS_TEST_POSTGRES_PORT" -U proteus proteus > "$work/store/pgbench-init.log" 2>&1
    PGPASSWORD=$(_bench_pg_password) \
        "$bin/pgbench" -S -n -c $connections -j $THREADS -T $SECONDS_PER_RUN -r -h 127.0.0.1 -p "$PROTEUS_TEST_POSTGRES_PORT" -U proteus proteus \
        > "$work/store/pgbench.log" 2>&1
    postgres_stop_cluster "$store_pgdir"
    store_pgdir=
    local tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/store/pgbench.log" | head -1 | cut -d. -f1)
    local lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$work/store/pgbench.log" | head -1)
    local pg_read_rps=$(grep "^| postgres | point read" "$work/store/rows" | awk -F'|' '{print $4}' | tr -d ' ')

    local table=$(cat <<TABLE
Measured $DATE on $CORES cores ($CPU), loopback, wrk, proteus and PostgreSQL 15 on the same machine,
$connections connections, ${SECONDS_PER_RUN} s each, $users users per store (made with \`proteus generate-users\`,
the stores' bulk path). Through HTTP with the MCSManager dialect; every request authenticates with an
administrator's API key (a SHA-256 lookup in the store) before its own work. Creates hash the new password with
argon2id at a deliberately small cost (m=1 MiB, t=1) so they measure the store, not the KDF. Proteus release
build, default workers, 20 serving threads per worker (so that all 16 creates may wait for the KDF pool instead
of the default admission answering 503 past 6 waiting per worker), access log off.
$(sed 's/^/- /' "$work/store/notes")

| store | request | requests/s | p50 ms | p99 ms |
|---|---|---|---|---|
$(cat "$work/store/rows")
| PostgreSQL | \`pgbench -S -c $connections -j $THREADS\` (one indexed select per transaction) | $tps | $lat (average) | |

A point read through Proteus makes four store calls, each one indexed read (the API key, the key's owner,
the requested user, that user's API-key presence), plus HTTP, JSON and the panel's user shape; it reaches $(python3 -c "print(f'{$pg_read_rps/$tps*100:.0f}%')") of pgbench's select-only rate on the same server.
TABLE
)
    write_section store "$table"
    echo "$table"
}
