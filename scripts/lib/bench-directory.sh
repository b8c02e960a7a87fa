# Sourced by scripts/bench: the MCSManager directory at a million users on
# each store, measured once per script run and reported by two sections:
#
#   scripts/bench mcsm    issue 11's search rows + the authenticated point read
#   scripts/bench store   the same rows + creates
#   scripts/bench search  an alias of mcsm
#
# (`scripts/bench`, `all` or `mcsm store` runs both sections from one measurement.)
#
# Per store (BENCH_STORES, default "sqlite postgres"): a directory of
# BENCH_USERS users (default 1,000,000) from `proteus generate-users`, API
# keys of BENCH_API_KEYS random administrators (default 1,000), the ids of 2,000
# random users; then, through HTTP, 16 connections, wrk with
# scripts/lib/mcsm-random.lua — every request a random API key and a random
# needle, page or user (seeded by BENCH_SEARCH_SEED, default 11), a timeout of
# BENCH_SEARCH_TIMEOUT (default 2s) — one row per kind:
#
#   needle       userName=<3-6 random digits>                  p99 ≤ 20 ms
#   needle2      userName=<2 random digits>                    p99 ≤ 50 ms
#   needle1      userName=<1 random digit>                     p99 ≤ 50 ms
#   role-needle  role=10&userName=<3-6 random digits>          p99 ≤ 20 ms
#   role10-page  role=10&page=<random over all its pages>      p99 ≤ 20 ms
#   role1-page   role=1&page=<random over all its pages>       p99 ≤ 20 ms
#   page         page=<random over all pages>                  p99 ≤ 20 ms
#   scim-eq      SCIM userName eq "<random user, upper case>"  p99 ≤ 20 ms (issue 12)
#   scim-sw      SCIM userName sw "user<3-6 digits>", count=20 p99 ≤ 20 ms
#   scim-co      SCIM userName co "R<2-5 digits>", count=20     p99 ≤ 20 ms
#                (the folded substring: the directory's names hold no other
#                letters than "user", so a text with one is near their start)
#   read         GET /api/auth/?uuid=<random user>             ≥ 40 % of nginx (SQLite),
#                                                              ≥ 50 % of pgbench -S (PostgreSQL)
#   create       POST /api/auth (only when the store section runs)
#
# and the ceiling of the same run at the same 16 connections, with Proteus
# stopped: on SQLite nginx serving the same bytes from static files (the
# point reads' bodies, a random one per request; a page of 20 users for the
# other rows), on PostgreSQL `pgbench -S` on the same server.
#
# Uses mcsm_directory, stop_store_proteus, start_nginx, stop_nginx,
# write_section, tree_rss_kb, $BIN, $work, $SECONDS_PER_RUN, $THREADS,
# section, $DATE, $CORES, $CPU from scripts/bench.

# BENCH_ROWS: a subset of these rows, for a quick look (the table then has only them).
_DIR_SEARCH_KINDS=(${BENCH_ROWS:-needle needle2 needle1 role-needle role10-page role1-page page scim-eq scim-sw scim-co})
_DIR_LUA=scripts/lib/mcsm-random.lua
_DIR_CONNECTIONS=16

# wrk output file -> "responses rps p50_ms p99_ms non2xx timeouts errors".
# wrk counts every response that arrived before the run ended (also those later
# than the timeout); its latency distribution holds only those within the
# timeout: "-" when there was none.
_dir_stats() {
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

# _dir_measure NAME ROW KIND URL [ENV=VALUE...]: one wrk run (16 connections,
# the timeout, mcsm-random.lua with BENCH_KIND=KIND); appends
# "NAME ROW <stats>" to $work/directory/results.
_dir_measure() {
    local name=$1 row=$2 kind=$3 url=$4
    shift 4
    local out="$work/directory/$name-$row.wrk"
    echo "[$name] $row (wrk, $_DIR_CONNECTIONS connections, ${SECONDS_PER_RUN} s)..."
    env BENCH_KIND="$kind" "$@" wrk -t$THREADS -c$_DIR_CONNECTIONS -d${SECONDS_PER_RUN}s --timeout "$_DIR_TIMEOUT" \
        --latency -s "$_DIR_LUA" "$url" > "$out"
    echo "$name $row $(_dir_stats "$out")" >> "$work/directory/results"
}

# Waits until the server answers a point read again (slow searches that wrk
# gave up on may still be running and would weigh on the next row).
_dir_drain() {
    curl -s -m 300 -o /dev/null -H "X-Request-API-Key: $MCSM_KEY" "$MCSM_BASE/api/auth/" || true
}

# _dir_total QUERY -> the total the server reports for /api/auth/search?…QUERY
_dir_total() {
    curl -s -m 600 -H "X-Request-API-Key: $MCSM_KEY" "$MCSM_BASE/api/auth/search?page=1&page_size=1$1" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["total"])'
}

_dir_meta() { echo "$*" >> "$work/directory/meta"; } # NAME KEY VALUE

# _bench_directory_backend NAME STORE_JSON: one store's rows and its ceiling.
_bench_directory_backend() {
    local name=$1 store=$2 users=$_DIR_USERS
    local dir="$work/directory/$name"
    # 20 serving threads per worker: all 16 connections are admitted (the
    # default admission would answer 503 to some slow searches, or past 6
    # creates waiting for the KDF per worker), so the table shows the store's
    # time, not the admission's. Creates hash at a deliberately small argon2id
    # cost (m=1 MiB, t=1), so they measure the store, not the KDF; the
    # generated users' verifier has that cost too (cheap sign-ins for the keys).
    mcsm_directory "$dir" "$store" "$users" \
        '"threads": 20, "auth": [ { "plugin": "password", "options": { "memoryKiB": 1024, "iterations": 1 } } ]'
    local total=$(_dir_total "")
    [ "$total" -eq "$users" ] || { echo "[$name] the directory has $total users, expected $users"; exit 1; }

    # The inputs drawn from at random: API keys of random administrators (each
    # signs in and creates its key, as the panel does; plus the first
    # administrator's, MCSM_KEY) and the ids of 2,000 users from 40 random
    # pages of 50.
    echo "[$name] API keys of $_DIR_KEYS random administrators, ids of random users..."
    python3 - "$MCSM_BASE" "$MCSM_KEY" "$users" "$_DIR_KEYS" "$BENCH_SEARCH_SEED" "$dir" <<'PY'
import http.cookiejar, json, random, sys, urllib.parse, urllib.request
from concurrent.futures import ThreadPoolExecutor
base, first_key, users, count, seed, dir = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
rng = random.Random(seed)
width = len(str(users - 1))
# Administrators are the users numbered 0, 10, 20, ...; user 0 already has MCSM_KEY.
others = range(10, users, 10)
chosen = rng.sample(others, min(max(count - 1, 0), len(others)))
def key_for(n):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    form = urllib.parse.urlencode({"username": "user" + str(n).zfill(width), "password": "benchmark-password"}).encode()
    token = json.load(opener.open(base + "/api/auth/login", form, timeout=120))["data"]
    put = urllib.request.Request(f"{base}/api/auth/api?token={token}", data=b"enable=true", method="PUT",
                                 headers={"X-Requested-With": "XMLHttpRequest"})
    key = json.load(opener.open(put, timeout=120))["data"]
    if len(key) != 32:
        raise SystemExit(f"no API key for user {n}: {key!r}")
    return key
with ThreadPoolExecutor(4) as pool:
    keys = [first_key] + list(pool.map(key_for, chosen))
open(f"{dir}/keys", "w").write("\n".join(keys) + "\n")
pages = max(1, users // 50)
ids = []
for page in rng.sample(range(1, pages + 1), min(40, pages)):
    req = urllib.request.Request(f"{base}/api/auth/search?page={page}&page_size=50", headers={"X-Request-API-Key": first_key})
    ids += [u["uuid"] for u in json.load(urllib.request.urlopen(req, timeout=600))["data"]["data"]]
open(f"{dir}/ids", "w").write("\n".join(ids) + "\n")
PY
    export BENCH_KEYS_FILE="$dir/keys" BENCH_IDS="$dir/ids" BENCH_PAGE_SIZE=20 BENCH_PAGE_MIN=1 BENCH_SEARCH_SEED
    export BENCH_SCIM_TOKEN="$SCIM_TOKEN" BENCH_USERS="$users"
    _dir_meta "$name" keys "$(wc -l < "$dir/keys")"
    _dir_meta "$name" ids "$(wc -l < "$dir/ids")"

    # Every page of each filter: the last one from the total the server
    # reports for that filter, before the run.
    echo "[$name] totals of the role filters..."
    local pages_page=$(( (total + 19) / 20 ))
    local pages_role10=$(( ($(_dir_total "&role=10") + 19) / 20 ))
    local pages_role1=$(( ($(_dir_total "&role=1") + 19) / 20 ))
    _dir_meta "$name" pages-page "$pages_page"
    _dir_meta "$name" pages-role10-page "$pages_role10"
    _dir_meta "$name" pages-role1-page "$pages_role1"

    # nginx's files: each point read's answer, and one page of 20 users.
    if [ "$name" = sqlite ]; then
        mkdir -p "$dir/root/read"
        python3 - "$MCSM_BASE" "$MCSM_KEY" "$dir" <<'PY'
import sys, urllib.request
base, key, dir = sys.argv[1:4]
def get(path):
    return urllib.request.urlopen(urllib.request.Request(base + path, headers={"X-Request-API-Key": key}), timeout=600).read()
for id in open(f"{dir}/ids").read().split():
    open(f"{dir}/root/read/{id}", "wb").write(get(f"/api/auth/?uuid={id}"))
open(f"{dir}/root/page.json", "wb").write(get("/api/auth/search?page=1&page_size=20"))
PY
        _dir_meta "$name" read-bytes "$(cat "$dir"/root/read/* | wc -c | awk -v n="$(wc -l < "$dir/ids")" '{printf "%d", $1 / n}')"
        _dir_meta "$name" page-bytes "$(wc -c < "$dir/root/page.json")"
    fi

    echo "[$name] warming up..."
    BENCH_KIND=read wrk -t1 -c4 -d2s --timeout "$_DIR_TIMEOUT" -s "$_DIR_LUA" "$MCSM_BASE" > /dev/null
    BENCH_KIND=needle wrk -t1 -c4 -d2s --timeout "$_DIR_TIMEOUT" -s "$_DIR_LUA" "$MCSM_BASE" > /dev/null
    _dir_drain
    local kind max
    for kind in "${_DIR_SEARCH_KINDS[@]}" read; do
        case $kind in page) max=$pages_page ;; role10-page) max=$pages_role10 ;; role1-page) max=$pages_role1 ;; *) max=1 ;; esac
        _dir_measure "$name" "$kind" "$kind" "$MCSM_BASE" BENCH_PAGE_MAX="$max"
        _dir_drain
    done
    # Last: creates add users (the rows above see exactly $users).
    if [ "$_DIR_CREATE" = yes ]; then _dir_measure "$name" create create "$MCSM_BASE"; fi
    local rss_kb=$(tree_rss_kb "$store_pid")
    stop_store_proteus
    # What the server logged about failed store calls (the non-2xx answers), numbers blanked.
    local failures=$(sed -n 's/.*store call failed: //p' "$dir/proteus.log" | sed 's/[0-9][0-9]*/N/g' | sort | uniq -c | sort -rn \
        | awk '{n=$1; $1=""; printf "%s%s× \"%s\"", (NR>1 ? ", " : ""), n, substr($0, 2)}')
    echo "$name: $users users generated in $MCSM_GENERATE_SECONDS s; proteus RSS after the runs $((rss_kb / 1024)) MB; failed store calls logged: ${failures:-none}" >> "$work/directory/notes"

    # The ceiling, Proteus stopped, same connections.
    if [ "$name" = sqlite ]; then
        start_nginx "$dir/root"
        nginx_ok "/read/$(head -1 "$dir/ids")"
        nginx_ok /page.json
        # The same script as Proteus's rows (a random key header, a random id:
        # the client's cost is the same); the page's id is a query string nginx ignores.
        BENCH_KIND=read BENCH_READ_PREFIX=/read/ wrk -t1 -c4 -d1s -s "$_DIR_LUA" "http://127.0.0.1:$NGINX_PORT" > /dev/null
        _dir_measure "$name" nginx-read read "http://127.0.0.1:$NGINX_PORT" BENCH_READ_PREFIX=/read/
        _dir_measure "$name" nginx-page read "http://127.0.0.1:$NGINX_PORT" BENCH_READ_PREFIX="/page.json?id="
        stop_nginx
    else
        local bin=$(postgres_bin_dir) password=$(python3 -c "import urllib.parse,sys; print(urllib.parse.urlparse(sys.argv[1]).password)" "$PROTEUS_TEST_POSTGRES_URL")
        echo "[$name] pgbench -S (-c $_DIR_CONNECTIONS, ${SECONDS_PER_RUN} s)..."
        PGPASSWORD=$password "$bin/pgbench" -i -q -s 10 -h 127.0.0.1 -p "$PROTEUS_TEST_POSTGRES_PORT" -U proteus proteus \
            > "$work/directory/pgbench-init.log" 2>&1
        PGPASSWORD=$password "$bin/pgbench" -S -n -c $_DIR_CONNECTIONS -j $THREADS -T $SECONDS_PER_RUN \
            -h 127.0.0.1 -p "$PROTEUS_TEST_POSTGRES_PORT" -U proteus proteus > "$work/directory/pgbench.log" 2>&1
        local tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/directory/pgbench.log" | head -1)
        local lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$work/directory/pgbench.log" | head -1)
        local done=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/directory/pgbench.log" | head -1)
        [ -n "$tps" ] || { cat "$work/directory/pgbench.log"; exit 1; }
        echo "$name pgbench $done $tps $lat - - - -" >> "$work/directory/results"
    fi
}

# Runs every store's rows once per script run (both sections report them).
bench_directory() {
    [ -f "$work/directory/done" ] && return 0
    _DIR_USERS=${BENCH_USERS:-${BENCH_SEARCH_USERS:-${BENCH_STORE_USERS:-${BENCH_MCSM_USERS:-1000000}}}}
    _DIR_KEYS=${BENCH_API_KEYS:-1000}
    _DIR_TIMEOUT=${BENCH_SEARCH_TIMEOUT:-2s}
    BENCH_SEARCH_SEED=${BENCH_SEARCH_SEED:-11}
    _DIR_STORES=${BENCH_STORES:-${BENCH_SEARCH_STORES:-sqlite postgres}}
    _DIR_CREATE=no
    section store && _DIR_CREATE=yes
    mkdir -p "$work/directory"
    : > "$work/directory/results"
    : > "$work/directory/meta"
    : > "$work/directory/notes"
    if [[ " $_DIR_STORES " == *" sqlite "* ]]; then
        _bench_directory_backend sqlite '{ "plugin": "sqlite" }'
    fi
    if [[ " $_DIR_STORES " == *" postgres "* ]]; then
        # Directly under /tmp: the cluster's owner (postgres) can't enter $work.
        store_pgdir=$(mktemp -d /tmp/proteus-bench-pg.XXXXXX)
        # Sized as PostgreSQL's documentation suggests for a dedicated
        # server, a quarter of the memory (at most 8 GB): at a million users
        # the tables and indexes are 3.5 GB, and the test clusters' 256 MB
        # read pages from the OS cache on every search (3,599 against 2,227
        # needle searches/s on this machine).
        POSTGRES_SHARED_BUFFERS="$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 4 / 1024 ))MB"
        [ "${POSTGRES_SHARED_BUFFERS%MB}" -gt 8192 ] && POSTGRES_SHARED_BUFFERS=8192MB
        [ "${POSTGRES_SHARED_BUFFERS%MB}" -lt 256 ] && POSTGRES_SHARED_BUFFERS=256MB
        export POSTGRES_SHARED_BUFFERS
        echo "PostgreSQL shared_buffers=$POSTGRES_SHARED_BUFFERS (a quarter of the memory, at most 8 GB)" >> "$work/directory/notes"
        postgres_start_cluster "$store_pgdir"
        export BENCH_PG_URL="$PROTEUS_TEST_POSTGRES_URL"
        _bench_directory_backend postgres '{ "plugin": "postgres", "options": { "urlEnv": "BENCH_PG_URL" } }'
        postgres_stop_cluster "$store_pgdir"
        store_pgdir=
    fi
    # Keep the raw wrk outputs next to the results for a look afterwards.
    [ -n "${BENCH_SEARCH_KEEP:-}" ] && cp -r "$work/directory" "$BENCH_SEARCH_KEEP"
    touch "$work/directory/done"
}

# _directory_table KIND...: the section's text and table (rows of those kinds, then the ceiling, per store).
_directory_table() {
    local rows
    rows=$(python3 - "$work/directory/results" "$work/directory/meta" "$@" 2> "$work/directory/verdicts" <<'PY'
import os, sys
results, meta_path, kinds = sys.argv[1], sys.argv[2], sys.argv[3:]
meta = {}
for line in open(meta_path):
    name, key, value = line.split(maxsplit=2)
    meta[(name, key)] = value.strip()
rows = {}
for line in open(results):
    name, kind, *v = line.split()
    rows[(name, kind)] = v
def num(n): return f"{int(n):,}"
def labels(name, kind):
    pages = lambda k: num(meta.get((name, "pages-" + k), "1"))
    return {
        "needle": "`userName=<random 3–6 digits>`",
        "needle2": "`userName=<random 2 digits>`",
        "needle1": "`userName=<random 1 digit>`",
        "role-needle": "`role=10&userName=<random 3–6 digits>`",
        "role10-page": f"`role=10&page=<random 1–{pages('role10-page')}>` (administrators)",
        "role1-page": f"`role=1&page=<random 1–{pages('role1-page')}>` (the panel's user level)",
        "page": f"unfiltered `page=<random 1–{pages('page')}>`",
        "read": f"point read `GET /api/auth/?uuid=<random of {num(meta.get((name, 'ids'), 0))} users>`",
        "create": "create `POST /api/auth`",
        "scim-eq": "SCIM `filter=userName eq \"USER<random user>\"` (case-insensitive)",
        "scim-sw": "SCIM `count=20&filter=userName sw \"user<random 3–6 digits>\"` + totalResults",
        "scim-co": "SCIM `count=20&filter=userName co \"R<random 2–5 digits>\"` + totalResults (case-insensitive)",
        "nginx-read": f"ceiling: nginx, the point reads' bytes (about {num(meta.get((name, 'read-bytes'), 0))} B, random file)",
        "nginx-page": f"ceiling: nginx, a page of 20 users ({num(meta.get((name, 'page-bytes'), 0))} B)",
        "pgbench": "ceiling: `pgbench -S` (one indexed select per transaction, scale 10)",
    }[kind]
p99_target = {"needle": 20, "needle2": 50, "needle1": 50, "role-needle": 20, "role10-page": 20, "role1-page": 20, "page": 20,
              "scim-eq": 20, "scim-sw": 20, "scim-co": 20}
read_target = {"sqlite": 40, "postgres": 50}
out = []
stores = []
for name, _ in rows:
    if name not in stores: stores.append(name)
for name in stores:
    met_count = total_count = 0
    ceilings = ["pgbench"] if (name, "pgbench") in rows else ["nginx-read", "nginx-page"]
    for kind in kinds + ceilings:
        if (name, kind) not in rows: continue
        if kind == "pgbench":
            done, rps, lat = rows[(name, kind)][:3]
            out.append(f"| {name} | {labels(name, kind)} | {num(done)} | {float(rps):,.1f} | | avg {lat} | | | | | |")
            continue
        done, rps, p50, p99, bad, timeouts, errors = rows[(name, kind)]
        ceiling = None
        if kind not in ("nginx-read", "nginx-page"):
            ck = "pgbench" if "pgbench" in ceilings else ("nginx-read" if kind in ("read", "create") else "nginx-page")
            if (name, ck) in rows: ceiling = float(rows[(name, ck)][1])
        ratio = f"{float(rps) / ceiling * 100:.1f} %" if ceiling else ""
        clean = bad == "0" and timeouts == "0" and errors == "0"
        target, met = "", ""
        if kind in p99_target:
            target = f"≤ {p99_target[kind]}"
            ok = clean and p99 != "-" and float(p99) <= p99_target[kind]
            met = "yes" if ok else "**no**"
        elif kind == "read" and name in read_target and ceiling:
            ratio += f" (target ≥ {read_target[name]} %)"
            ok = clean and float(rps) / ceiling * 100 >= read_target[name]
            met = "yes" if ok else "**no**"
        if met:
            total_count += 1
            met_count += met == "yes"
        out.append(f"| {name} | {labels(name, kind)} | {num(done)} | {float(rps):,.1f} | {ratio} | {p50} | {p99} | {target} | {bad} | {timeouts} | {met} |"
                   + (f" ({errors} socket errors)" if errors != "0" else ""))
    if total_count:
        print(f"{name}: {met_count} of {total_count} targets met", file=sys.stderr)
print("\n".join(out))
cores = os.cpu_count() or 1
per_core = [f"{name} {float(rows[(name, 'create')][1]) / cores:,.1f}" for name in stores if (name, "create") in rows]
if per_core:
    print(f"\nCreates per core ({cores} cores), each hashing its password with argon2id m=1024 KiB, t=1, p=1 "
          f"(the bench's cost; at the default m=19456 KiB, t=2 a create costs what a login costs, see \"Logins\"): "
          + "; ".join(per_core) + " creates/s.")
PY
)
    local keys=$(awk '$2 == "keys" {print $3; exit}' "$work/directory/meta")
    local tools="wrk, proteus" ceilings="" last=$(( _DIR_USERS - 1 ))
    if [[ " $_DIR_STORES " == *" sqlite "* ]]; then
        tools="$tools, nginx"
        ceilings="on SQLite nginx serving the same bytes from static files (\`wrk\` with the same script,
a random key header and a random file of the point reads' bodies; for the other rows, one page of 20 users)"
    fi
    if [[ " $_DIR_STORES " == *" postgres "* ]]; then
        tools="$tools, PostgreSQL $(basename "$(dirname "$(postgres_bin_dir)")")"
        ceilings="${ceilings:+$ceilings, }on PostgreSQL \`pgbench -S -c $_DIR_CONNECTIONS -j $THREADS -T $SECONDS_PER_RUN\` on the same server"
    fi
    cat <<TABLE
Measured $DATE on $CORES cores ($CPU), loopback, $tools on the same machine,
$_DIR_USERS users per store (made with \`proteus generate-users\`, the stores' bulk path: names \`user\` + ${#last} digits,
one in ten an administrator), through HTTP with the MCSManager dialect.
\`wrk -t$THREADS -c$_DIR_CONNECTIONS -d${SECONDS_PER_RUN}s --timeout $_DIR_TIMEOUT -s scripts/lib/mcsm-random.lua\`: every request draws new random
inputs (seed $BENCH_SEARCH_SEED, the same sequence per wrk thread in every run): the API key (\`X-Request-API-Key\`, one of
${keys:-?} administrators' keys, a SHA-256 lookup in the store) and the needle, page or user. A search answers a page of
20 users in the panel's shape with the exact total; the pages are drawn from all of the filter's pages (its
total as the server reported it before the run). Proteus release build, default workers, 20 serving threads per
worker (all 16 connections admitted), passwords at argon2id m=1 MiB, t=1, access log off; after each row the
next waits until the server answers a point read again; ${AUTOGROUP_NOTE:-kernel autogroups: unknown}.
Ceilings, same run, same $_DIR_CONNECTIONS connections, Proteus stopped: $ceilings; "vs ceiling" is requests/s over the ceiling's.
$(sed 's/^/- /' "$work/directory/notes")
$(sed 's/^/- /' "$work/directory/verdicts")

"responses" counts every response wrk read, including those later than the $_DIR_TIMEOUT timeout and the non-2xx ones;
p50/p99 are wrk's latency distribution of the responses (any status) within the timeout ("-": none within it);
"timeouts" is wrk's count. "met": p99 within the target (the point read: at least 40 % of nginx on SQLite, 50 % of
\`pgbench -S\` on PostgreSQL) with 0 non-2xx, 0 timeouts and 0 socket errors.

| store | request | responses | requests/s | vs ceiling | p50 ms | p99 ms | target p99 ms | non-2xx | timeouts | met |
|---|---|---|---|---|---|---|---|---|---|---|
$rows
TABLE
}

bench_mcsm() {
    bench_directory
    local table=$(_directory_table "${_DIR_SEARCH_KINDS[@]}" read)
    write_section mcsm "$table"
    echo "$table"
}

# The store section measures a superset of the mcsm rows: it writes both
# tables from its one measurement, so the two never disagree.
bench_store() {
    bench_directory
    local table=$(_directory_table read create "${_DIR_SEARCH_KINDS[@]}")
    write_section store "$table"
    write_section mcsm "$(_directory_table "${_DIR_SEARCH_KINDS[@]}" read)"
    echo "$table"
}
