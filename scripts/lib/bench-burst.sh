# Sourced by scripts/bench: the "burst" section — slow work off the serving
# path (docs/ARCHITECTURE.md, "Slow work").
#
#  1. The embedded default config (as ./scripts/run serves it: default
#     workers, lane, argon2id cost and AIOStreams rate limit): 200 creates
#     sent at the same moment, each from its own loopback address.
#  2. One worker, default cost: 1,000 logins sent at the same moment. Those
#     beyond kdf.maxWaitMs or the lane are refused (503 + Retry-After); the
#     admitted ones finish within maxWaitMs plus about one job.
#  3. Cheap requests (paced wrk, GET without credentials → 400) alone, then
#     while the 1,000-login bursts repeat and 20 outbound calls hang on a
#     silent loopback server (the C fixture dialect fetch_dialect.c, its /fetch route).
#  4. The lane's memory: the worker's RSS idle, with a full lane (a cheap
#     hash, so hashing buffers do not count), and after its threads ended.

bench_burst() {
echo "burst..."
local dir="$work/burst"
mkdir -p "$dir"

# --- 1. default config, 200 concurrent creates
cat > "$dir/default.json" <<JSON
{ "listen": "127.0.0.1:0", "dataDirectory": "$dir/default-data" }
JSON
"$BIN" --config "$dir/default.json" > "$dir/default.log" 2>&1 &
proteus_pid=$!
wait_listening "$dir/default.log"
python3 "$LOADGEN" burst --port "$PROTEUS_PORT" --clients 200 --method POST --path /api/v1/user \
    --body '{"config": {"theme": "dark"}, "password": "correct horse battery"}' --distinct-addresses > "$dir/creates.json"
read -r cr_ok cr_503 cr_other cr_p50 cr_p99 cr_max < <(burst_stats "$dir/creates.json" 201)
stop_proteus

# --- 2 + 3. one worker, default argon2id cost, the C fixture dialect at /c
# (fetch_dialect.c: its /fetch route calls host->http_request), outbound to loopback allowed.
cc -shared -fPIC -O2 -I Sources/PluginAPI/include -o "$dir/libproteus-fetch-c.so" Tests/Fixtures/CPlugin/fetch_dialect.c
python3 - "$dir/silent.port" <<'PY' &
# A server that accepts connections and never answers.
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(128)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
held = []
deadline = time.time() + 600
s.settimeout(1)
while time.time() < deadline:
    try: held.append(s.accept()[0])
    except socket.timeout: pass
PY
silent_pid=$!
for _ in $(seq 1 50); do [ -s "$dir/silent.port" ] && break; sleep 0.1; done
SILENT_PORT=$(cat "$dir/silent.port")
cat > "$dir/one.json" <<JSON
{ "listen": "127.0.0.1:0", "dataDirectory": "$dir/one-data", "workers": 1,
  "outbound": { "allowPrivateNetworks": true },
  "dialects": [ { "plugin": "aiostreams", "mount": "/", "options": { "rateLimit": false } },
                { "plugin": "$dir/libproteus-fetch-c.so", "mount": "/c" } ] }
JSON
"$BIN" --config "$dir/one.json" > "$dir/one.log" 2>&1 &
proteus_pid=$!
wait_listening "$dir/one.log"
local worker
worker=$(pgrep -P "$proteus_pid" | head -1)
created=$(curl -s -X POST "http://127.0.0.1:$PROTEUS_PORT/api/v1/user" -H 'Content-Type: application/json' \
    -d '{"config": {"theme": "dark"}, "password": "correct horse battery"}')
local basic
basic=$(python3 -c 'import base64,json,sys; d=json.loads(sys.argv[1])["data"]; print(base64.b64encode((d["uuid"]+":"+d["encryptedPassword"]).encode()).decode())' "$created")
sleep 1
# 2. one burst of 1,000 logins; the access log gives the server-side time
# of each refusal (from its request's head to its answer).
local log_before
log_before=$(wc -l < "$dir/one.log")
python3 "$LOADGEN" burst --port "$PROTEUS_PORT" --clients 1000 --path /api/v1/user \
    --header "Authorization: Basic $basic" > "$dir/logins.json"
sleep 0.5
read -r sv_p50 sv_p99 sv_max < <(tail -n +"$((log_before + 1))" "$dir/one.log" | python3 -c '
import sys
t = sorted(float(l.split()[3][:-2]) for l in sys.stdin if l.startswith("GET /api/v1/user 503 "))
p = lambda q: t[min(len(t) - 1, int(q * len(t)))] if t else 0
print(p(0.5), p(0.99), t[-1] if t else 0)')
read -r lg_ok lg_503 lg_other lg_p50 lg_p99 lg_max < <(burst_stats "$dir/logins.json" 200)
read -r rf_p50 rf_p99 rf_max < <(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["statuses"].get("503", {})
print(s.get("p50_ms", 0), s.get("p99_ms", 0), s.get("max_ms", 0))' "$dir/logins.json")
retry_after=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["retry_after"]; print(", ".join(f"{k} s × {v}" for k, v in sorted(r.items(), key=lambda kv: int(kv[0]))) or "none")' "$dir/logins.json")

# 3. cheap requests alone, then during repeated login bursts + 20 hanging outbound calls
cat > "$work/pace.lua" <<'LUA'
-- about 125 requests/s per connection
function delay() return 8 end
LUA
wrk -t1 -c16 -d${SECONDS_PER_RUN}s --latency -s "$work/pace.lua" \
    "http://127.0.0.1:$PROTEUS_PORT/api/v1/user" > "$dir/cheap-alone.wrk"
python3 "$LOADGEN" burst --port "$PROTEUS_PORT" --clients 20 --path "/c/fetch?timeout=30000&url=http://127.0.0.1:$SILENT_PORT/" \
    --timeout 120 > "$dir/hanging.json" &
local hanging=$!
python3 "$LOADGEN" burst --port "$PROTEUS_PORT" --clients 1000 --path /api/v1/user \
    --header "Authorization: Basic $basic" --repeat-seconds "$SECONDS_PER_RUN" > "$dir/logins-repeat.json" &
burst_pid=$!
sleep 0.5
wrk -t1 -c16 -d${SECONDS_PER_RUN}s --latency -s "$work/pace.lua" \
    "http://127.0.0.1:$PROTEUS_PORT/api/v1/user" > "$dir/cheap-burst.wrk"
wait "$burst_pid"
burst_pid=
read -r rp_ok rp_503 rp_other _ _ rp_max < <(burst_stats "$dir/logins-repeat.json" 200)
rp_bursts=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bursts"])' "$dir/logins-repeat.json")
stop_proteus
kill "$hanging" "$silent_pid" 2>/dev/null || true
wait "$hanging" "$silent_pid" 2>/dev/null || true

# 4. The lane's memory at its default size: one worker, a cheap hash
# (1 MiB, so hashing buffers do not count), one hashing thread and no
# deadline, so 1,000 logins at once fill the lane (512 waiting).
cat > "$dir/lane.json" <<JSON
{ "listen": "127.0.0.1:0", "dataDirectory": "$dir/lane-data", "workers": 1, "logRequests": false,
  "auth": [ { "plugin": "password", "options": { "memoryKiB": 1024, "iterations": 1 } } ],
  "kdf": { "threads": 1, "maxWaitMs": 600000 },
  "dialects": [ { "plugin": "aiostreams", "mount": "/", "options": { "rateLimit": false } } ] }
JSON
"$BIN" --config "$dir/lane.json" > "$dir/lane.log" 2>&1 &
proteus_pid=$!
wait_listening "$dir/lane.log"
worker=$(pgrep -P "$proteus_pid" | head -1)
created=$(curl -s -X POST "http://127.0.0.1:$PROTEUS_PORT/api/v1/user" -H 'Content-Type: application/json' \
    -d '{"config": {"theme": "dark"}, "password": "correct horse battery"}')
basic=$(python3 -c 'import base64,json,sys; d=json.loads(sys.argv[1])["data"]; print(base64.b64encode((d["uuid"]+":"+d["encryptedPassword"]).encode()).decode())' "$created")
sleep 1
local idle_kb idle_threads
idle_kb=$(awk '/VmRSS/ {print $2}' "/proc/$worker/status")
idle_threads=$(awk '/Threads/ {print $2}' "/proc/$worker/status")
sample_rss "$worker" > "$dir/rss.txt" &
local sampler=$!
python3 "$LOADGEN" burst --port "$PROTEUS_PORT" --clients 1000 --path /api/v1/user \
    --header "Authorization: Basic $basic" > "$dir/lane-logins.json"
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
local peak_kb peak_threads
read -r peak_kb peak_threads < <(sort -n "$dir/rss.txt" | tail -1)
read -r ln_ok ln_503 _ < <(burst_stats "$dir/lane-logins.json" 200)
sleep 12   # the lane's threads end after 10 s without work
local after_kb after_threads
after_kb=$(awk '/VmRSS/ {print $2}' "/proc/$worker/status")
after_threads=$(awk '/Threads/ {print $2}' "/proc/$worker/status")
stop_proteus
local per_thread_kb
per_thread_kb=$(( (peak_kb - idle_kb) / (peak_threads - idle_threads > 0 ? peak_threads - idle_threads : 1) ))
read -r c0_rps c0_p50 c0_p99 c0_max _ < <(wrk_stats "$dir/cheap-alone.wrk")
read -r c1_rps c1_p50 c1_p99 c1_max _ < <(wrk_stats "$dir/cheap-burst.wrk")
local verdict
verdict=$(python3 -c "print('met' if $c1_p99 < 20 else 'NOT met')")
local refused_verdict
refused_verdict=$(python3 -c "print('met' if $sv_p99 <= 10 else 'NOT met')")
local admitted_verdict
admitted_verdict=$(python3 -c "print('met' if $lg_max <= 10000 + 250 else 'NOT met')")

burst_table=$(cat <<TABLE
Measured $DATE on $CORES cores ($CPU), release build, \`scripts/bench burst\`. Requests sent at the same moment by
\`scripts/lib/loadgen.py burst\` (one connection each; latency from each request's send to its whole answer).

**Default config** (\`./scripts/run\`'s: $CORES workers, lane 512 per worker, argon2id m=19456 KiB t=2, AIOStreams
rate limit on — each client from its own loopback address): 200 \`POST /api/v1/user\` at once.

| creates | 201 | 503 | other | p50 ms | p99 ms | max ms |
|---|---|---|---|---|---|---|
| 200 at once | $cr_ok | $cr_503 | $cr_other | $cr_p50 | $cr_p99 | $cr_max |

**One worker** (\`"workers": 1\`, default argon2id cost, $CORES hashing threads, \`kdf.maxWaitMs\` 10000): 1,000
\`GET /api/v1/user\` with Basic auth (AES-GCM open + argon2id verify) at once.

| logins | answered 200 | refused 503 | other | 200: p50 / p99 / max ms | 503: p50 / p99 / max ms |
|---|---|---|---|---|---|
| 1,000 at once | $lg_ok | $lg_503 | $lg_other | $lg_p50 / $lg_p99 / $lg_max | $rf_p50 / $rf_p99 / $rf_max |

Retry-After on the refusals: $retry_after. Inside the server (access log: from a request's complete head to its
answer) a refusal took p50 $sv_p50 ms, p99 $sv_p99 ms, max $sv_max ms: refused within 10 ms: **$refused_verdict**.
The client-side times above also hold the wait in the socket queues while the server reads 1,000 requests that
arrived at once, and the load generator's own turn on the same 2 cores. Admitted logins within maxWaitMs plus one
job (≤ 10.25 s): **$admitted_verdict**.

**Cheap requests** (\`wrk -t1 -c16 -d${SECONDS_PER_RUN}s --latency\`, paced by \`function delay() return 8 end\`,
\`GET /api/v1/user\` without credentials → 400) on the same one-worker server, alone and then while the 1,000-login
burst repeats ($rp_bursts bursts: $rp_ok answered 200, $rp_503 refused, $rp_other other; slowest 200 in $rp_max ms) and
20 requests to the C fixture's \`/c/fetch\` wait on outbound calls to a loopback server that accepts and never answers.

| cheap requests | requests/s | p50 ms | p99 ms | max ms |
|---|---|---|---|---|
| alone | $c0_rps | $c0_p50 | $c0_p99 | $c0_max |
| during logins + hanging outbound calls | $c1_rps | $c1_p50 | $c1_p99 | $c1_max |

Target p99 < 20 ms during the burst: **$verdict**.

**Memory of the lane at its default size** (512 per worker): one worker with a 1 MiB hash, one hashing thread and
no deadline, so that 1,000 logins at once fill the lane ($ln_ok answered 200, $ln_503 refused with the lane full).
The worker's RSS: idle $(( idle_kb / 1024 )) MB with $idle_threads threads; at the peak $(( peak_kb / 1024 )) MB with $peak_threads
threads, about $per_thread_kb KiB per waiting request (its thread's stack, and the transport's per-thread buffers of
the thread that takes its place); 12 s later $(( after_kb / 1024 )) MB with $after_threads threads (the lane's threads have
ended; what stays is heap the allocator keeps for the next burst).
TABLE
)
write_section burst "$burst_table"
echo "$burst_table"
}

wait_listening() { # log file -> sets PROTEUS_PORT
    for _ in $(seq 1 100); do grep -q "listening on" "$1" 2>/dev/null && break; sleep 0.1; done
    PROTEUS_PORT=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$1" | head -1)
    [ -n "$PROTEUS_PORT" ] || { cat "$1"; exit 1; }
}

sample_rss() { # pid: prints "RSS-KiB threads" every 0.1 s until killed
    while true; do
        awk '/VmRSS/ {r=$2} /Threads/ {t=$2} END {print r, t}' "/proc/$1/status" 2>/dev/null || exit 0
        sleep 0.1
    done
}

burst_stats() { # loadgen burst JSON, expected status -> "ok refused other p50 p99 max" (of the expected status)
    python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["statuses"]
ok = s.get(sys.argv[2], {"count": 0, "p50_ms": 0, "p99_ms": 0, "max_ms": 0})
busy = s.get("503", {}).get("count", 0)
other = sum(v["count"] for k, v in s.items() if k not in (sys.argv[2], "503")) + d["errors"]
print(ok["count"], busy, other, ok["p50_ms"], ok["p99_ms"], ok["max_ms"])
PY
}
