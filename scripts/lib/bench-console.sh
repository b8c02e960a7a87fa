# Sourced by scripts/bench: the "console" section — the admin console's
# search as you type at a million users (issue 15: results within 300 ms).
# A SQLite directory of BENCH_CONSOLE_USERS users (default 1,000,000) from
# `proteus generate-users` (names `user` + digits, one in ten an
# administrator), the console mounted at /console; an administrator signs
# in, then typists type random usernames one character at a time, each
# keystroke a `GET /console/api/users?q=<what is typed so far>` (the page's
# first 25 users with the total, exact up to the console's searchTotalCap of
# 10,000), the next sent when the answer arrived: one typist, then 4 at
# once, 40 names each (seed BENCH_SEARCH_SEED). Then pages of the
# unfiltered list at random offsets, and after random usernames (keyset,
# ABI 2.6). Reported per typed length: p50, p99 and the slowest answer.

bench_console() {
echo "console..."
local dir="$work/console" users=${BENCH_CONSOLE_USERS:-1000000}
mkdir -p "$dir"
cat > "$dir/proteus.json" <<JSON
{
  "listen": "127.0.0.1:0",
  "dataDirectory": "$dir/data",
  "logRequests": false,
  "store": { "plugin": "sqlite" },
  "dialects": [ { "plugin": "console", "mount": "/console" } ]
}
JSON
echo "[console] generating $users users..."
"$BIN" generate-users --config "$dir/proteus.json" --count "$users" > "$dir/generate.log"
"$BIN" --config "$dir/proteus.json" > "$dir/proteus.log" 2>&1 &
local pid=$!
for _ in $(seq 1 600); do grep -q "listening on" "$dir/proteus.log" 2>/dev/null && break; sleep 0.1; done
local port
port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$dir/proteus.log" | head -1)
[ -n "$port" ] || { cat "$dir/proteus.log"; kill "$pid"; exit 1; }
local admin
admin=$(python3 -c "print('user' + '0' * len(str($users - 1)))")
python3 - "http://127.0.0.1:$port/console" "$admin" "$users" "${BENCH_SEARCH_SEED:-11}" > "$dir/results.md" <<'PY'
import http.cookiejar, json, random, sys, threading, time, urllib.parse, urllib.request
base, admin, users, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
body = json.dumps({"username": admin, "password": "benchmark-password"}).encode()
opener.open(urllib.request.Request(base + "/api/session", body, {"Content-Type": "application/json"})).read()
width = len(str(users - 1))

def get(path):
    t0 = time.perf_counter()
    with opener.open(base + path) as r:
        data = json.load(r)
        assert r.status == 200, r.status
    return time.perf_counter() - t0, data

def typist(rng, names, times):
    for _ in range(names):
        name = "user" + str(rng.randrange(users)).zfill(width)
        for n in range(1, len(name) + 1):
            seconds, data = get("/api/users?q=" + urllib.parse.quote(name[:n]))
            times.setdefault(n, []).append(seconds)

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1000

print("| typists | typed | searches | p50 ms | p99 ms | slowest ms |")
print("|---|---|---|---|---|---|")
for typists in (1, 4):
    times = {}
    threads = [threading.Thread(target=typist, args=(random.Random(seed + i), 40, times)) for i in range(typists)]
    for t in threads: t.start()
    for t in threads: t.join()
    for n in sorted(times):
        xs = times[n]
        typed = "`" + "user"[:n] + "`" + (f" + {n - 4} random digit{'s' if n > 5 else ''}" if n > 4 else "")
        print(f"| {typists} | {typed} | {len(xs)} | {pct(xs, 50):.1f} | {pct(xs, 99):.1f} | {max(xs) * 1000:.1f} |")
rng = random.Random(seed)
pages = [get(f"/api/users?offset={rng.randrange(users)}")[0] for _ in range(40)]
print(f"| 1 | (none), a random page of all users (OFFSET up to {users:,}) | 40 | {pct(pages, 50):.1f} | {pct(pages, 99):.1f} | {max(pages) * 1000:.1f} |")
# Keyset pages (ABI 2.6): the page after a random username, as Next asks it.
pages = [get("/api/users?after=user" + str(rng.randrange(users)).zfill(width))[0] for _ in range(40)]
print(f"| 1 | (none), the page after a random username (keyset, up to {users:,} deep) | 40 | {pct(pages, 50):.1f} | {pct(pages, 99):.1f} | {max(pages) * 1000:.1f} |")
PY
kill "$pid"; wait "$pid" 2>/dev/null || true
write_section console "$(cat <<EOF
Measured $DATE on $CORES cores ($CPU), loopback, Proteus release build, default workers, SQLite,
$users users (\`proteus generate-users\`: names \`user\` + $(( ${#admin} - 4 )) digits, one in ten an administrator), the console at /console, an administrator's
session. Each keystroke is \`GET /console/api/users?q=<typed so far>\` (the first 25 users in username order and the
total, exact up to 10,000: the store's \`total_cap\`), sent when the previous answer arrived; typists type 40 random usernames each (seed ${BENCH_SEARCH_SEED:-11}).
Target (issue 15): every answer within 300 ms.

$(cat "$dir/results.md")
EOF
)"
}
