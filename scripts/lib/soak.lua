-- wrk script for scripts/soak: a mixed AIOStreams workload on keep-alive
-- connections, in cycles of 40 requests per wrk thread:
--   1  POST /api/v1/user            create              -> 201
--   2  GET  /api/v1/user?uuid&password (a soak user)    -> 200
--   1  PUT  /api/v1/user            replace its config  -> 200
--   36 GET  /api/v1/user            no credentials      -> 400 MISSING_REQUIRED_FIELDS (expected)
-- (HEADs run beside wrk, from scripts/lib/loadgen.py: wrk cannot parse them.)
-- Anything else — another status, a 400 with another code — is an error.
--
-- Environment: SOAK_USERS (a Lua file setting `users = {{u=UUID, p=PASSWORD}, ...}`),
-- SOAK_DELAY_MS (mean pause before each request per connection; fractional
-- values are honoured on average, wrk itself only sleeps whole ms).
local threads = {}

function setup(thread)
    thread:set("id", #threads)
    table.insert(threads, thread)
end

function init(args)
    dofile(os.getenv("SOAK_USERS"))
    delay_ms = tonumber(os.getenv("SOAK_DELAY_MS") or "0")
    counter = id * 7919
    created, ok, expected400, unexpected = 0, 0, 0, 0
    bad = ""
    math.randomseed(os.time() + id)
end

local function user()
    local n = #users
    local i = (math.floor(counter / 40) * 3 + id * 17) % n + 1
    return users[i]
end

function request()
    counter = counter + 1
    local k = counter % 40
    if k == 0 then
        local body = string.format('{"config":{"soak":%d,"addons":[1,2,3]},"password":"soak-created-%d-%d"}', counter, id, counter)
        return wrk.format("POST", "/api/v1/user", {["Content-Type"] = "application/json"}, body)
    elseif k == 1 or k == 21 then
        local u = user()
        return wrk.format("GET", "/api/v1/user?uuid=" .. u.u .. "&password=" .. u.p)
    elseif k == 11 then
        local u = user()
        local body = string.format('{"uuid":"%s","password":"%s","config":{"theme":"t%d","n":%d}}', u.u, u.p, counter % 7, counter)
        return wrk.format("PUT", "/api/v1/user", {["Content-Type"] = "application/json"}, body)
    else
        return wrk.format("GET", "/api/v1/user")
    end
end

function delay()
    if delay_ms <= 0 then return 0 end
    local whole = math.floor(delay_ms)
    if math.random() < delay_ms - whole then return whole + 1 end
    return whole
end

function response(status, headers, body)
    if status == 200 or status == 201 then
        ok = ok + 1
    elseif status == 400 and body and string.find(body, "MISSING_REQUIRED_FIELDS", 1, true) then
        expected400 = expected400 + 1
    else
        unexpected = unexpected + 1
        if #bad < 2000 then bad = bad .. status .. ":" .. string.sub(body or "", 1, 120) .. "\n" end
    end
end

function done(summary, latency, requests)
    local okT, e400, unex, badT = 0, 0, 0, ""
    for _, t in ipairs(threads) do
        okT = okT + t:get("ok")
        e400 = e400 + t:get("expected400")
        unex = unex + t:get("unexpected")
        badT = badT .. t:get("bad")
    end
    local s = summary.errors
    io.write(string.format("soak requests=%d ok=%d expected400=%d unexpected=%d connect=%d read=%d write=%d timeout=%d status=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d\n",
        summary.requests, okT, e400, unex, s.connect, s.read, s.write, s.timeout, s.status, summary.duration,
        latency:percentile(50), latency:percentile(99), latency.max))
    if #badT > 0 then io.write("soak-unexpected:\n" .. badT) end
end
