# Sourced by scripts/bench: the "import" section — `proteus import csv` of a
# 100,000-user CSV (BENCH_IMPORT_USERS) into a fresh SQLite directory (issue
# 13's target: under a minute on this machine): first a dry run on the
# empty directory, then the import, then the same file again (every user
# unchanged); and, for scale, `generate-users` of as many users into another
# fresh directory (the store's bulk insert alone). The hashes are precomputed once and
# reused: a bcrypt, an argon2id and a sha512-crypt verifier and no password,
# a quarter of the users each (the import keeps hashes as they are; it never
# hashes them), one in ten with the admin role.

bench_import() {
echo "import..."
local dir="$work/import" users=${BENCH_IMPORT_USERS:-100000}
mkdir -p "$dir"
python3 - "$dir/users.csv" "$users" <<'PY'
import sys
path, count = sys.argv[1], int(sys.argv[2])
hashes = [
    "$2b$10$abcdefghijklmnopqrstuuzKLaYGYNz1NPo5cy8HNLkTxBHF3QJ9m",                                  # bcrypt, "Bcrypt0Pass"
    '"$argon2id$v=19$m=1024,t=1,p=1$2Tz73wwYKqivPNvVgom5kg$hiiqkv8QeGvM7OSleIJHY3zCzeBEXbFyK4VDrR0ukfE"',   # "Argon2Pass!" (quoted: it holds commas)
    "$6$benchsalt$650iJTVUjvrPyu14kPbItOU32nlQTG1iL8W3umUlWv3SePy5bhDxR1oWjNg/90InepP.Smk0/DKWgHCwGqAVh0",  # "Sha512Pass"
    "",
]
with open(path, "w") as f:
    f.write("username,email,display_name,password_hash,roles\n")
    for n in range(count):
        f.write(f"user{n:07d},user{n:07d}@example.com,User {n},{hashes[n % 4]},{'admin' if n % 10 == 0 else ''}\n")
PY
cat > "$dir/config.json" <<JSON
{ "listen": "127.0.0.1:0", "dataDirectory": "$dir/data",
  "store": { "plugin": "sqlite", "options": { "path": "$dir/data/proteus.sqlite" } },
  "auth": [ { "plugin": "password" } ], "dialects": [] }
JSON
timed_import() { # label extra-args... -> seconds; the output in $dir/<label>.txt
    local label=$1; shift
    local t0 t1
    t0=$(date +%s.%N)
    "$BIN" import csv --from "$dir/users.csv" --config "$dir/config.json" "$@" > "$dir/$label.txt" 2>&1
    t1=$(date +%s.%N)
    python3 -c "print(f'{$t1 - $t0:.1f}')"
}
local first again dry
dry=$(timed_import dry --dry-run)
first=$(timed_import first)
again=$(timed_import again)
local s1 s2 s3
s1=$(grep -m1 "^imported" "$dir/first.txt" | sed 's/ (csv, from .*//')
s2=$(grep -m1 "^imported" "$dir/again.txt" | sed 's/ (csv, from .*//')
s3=$(grep -m1 "^dry run" "$dir/dry.txt" | sed 's/ (csv, from .*//')
sed 's/"dialects": \[\]/"dialects": [ { "plugin": "aiostreams", "mount": "\/" } ]/; s#'"$dir"'/data#'"$dir"'/generated#g' "$dir/config.json" > "$dir/generate.json"
local t0 t1 generated
t0=$(date +%s.%N)
"$BIN" generate-users --config "$dir/generate.json" --count "$users" --batch 500 > "$dir/generate.txt" 2>&1
t1=$(date +%s.%N)
generated=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
local hashes_line size
hashes_line=$(grep -m1 "^password hashes" "$dir/first.txt")
size=$(du -m "$dir/users.csv" | cut -f1)
local verdict="met"
python3 -c "import sys; sys.exit(0 if $first < 60 else 1)" || verdict="NOT met"
local table
table=$(cat <<TABLE
Measured $DATE on $CORES cores ($CPU), release build: \`proteus import csv\` of a $(printf "%'d" "$users")-user CSV
($size MB; precomputed bcrypt, argon2id and sha512-crypt hashes and no password, a quarter each; one in ten
admin) into a fresh SQLite directory: \`--dry-run\` first, then the import, then the same file again. Standard
output to a file (plain progress lines).

| run | seconds | users/s | summary |
|---|---|---|---|
| \`--dry-run\` (empty directory) | $dry | $(python3 -c "print(int($users / $dry))") | $s3 |
| import | $first | $(python3 -c "print(int($users / $first))") | $s1 |
| again (nothing to change) | $again | $(python3 -c "print(int($users / $again))") | $s2 |
| for scale: \`generate-users --count $users --batch 500\` (the store's bulk insert alone) | $generated | $(python3 -c "print(int($users / $generated))") | |

$hashes_line. Target: $(printf "%'d" "$users") users in under a minute: **$verdict**.
TABLE
)
write_section import "$table"
echo "$table"
}
