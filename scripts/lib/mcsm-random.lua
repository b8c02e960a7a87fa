-- wrk script for the MCSManager rows of `scripts/bench mcsm` and `store`
-- (scripts/lib/bench-directory.sh): every request draws a new random input —
-- needle, page, user, API key — so that no single query stays hot (issue 11).
-- Seeded: the same BENCH_SEARCH_SEED gives every wrk thread the same sequence
-- in every run, so runs are comparable.
--
-- Environment:
--   BENCH_KIND         needle       GET /api/auth/search?page=1&userName=<3-6 random digits>
--                      needle2      ... userName=<2 random digits>
--                      needle1      ... userName=<1 random digit>
--                      role-needle  ... role=10&userName=<3-6 random digits>
--                      role10-page  ... role=10&page=<1..BENCH_PAGE_MAX>
--                      role1-page   ... role=1&page=<1..BENCH_PAGE_MAX>
--                      page         ... page=<BENCH_PAGE_MIN..BENCH_PAGE_MAX>
--                      read         GET BENCH_READ_PREFIX<random line of BENCH_IDS>
--                      create       POST /api/auth {a new username, password, permission 1}
--                      scim-eq      GET /scim/v2/Users?filter=userName eq "USER<random user number>"
--                                   (upper case: the match is case-insensitive)
--                      scim-sw      GET /scim/v2/Users?count=20&filter=userName sw "user<3-6 random digits>"
--                      scim-co      GET /scim/v2/Users?count=20&filter=userName co "R<2-5 random digits>"
--   BENCH_SCIM_TOKEN   the SCIM rows' bearer token (instead of an API key)
--   BENCH_USERS        the directory's size (scim-eq draws user numbers below it)
--   BENCH_KEYS_FILE    file of API keys, one a line: each request sends a random one
--                      (X-Request-API-Key); without it, BENCH_KEY for every request
--   BENCH_IDS          file of user ids, one a line (read)
--   BENCH_READ_PREFIX  the read's path before the id (default /api/auth/?uuid=; the
--                      nginx ceiling serves the same bytes from /read/<id>)
--   BENCH_SEARCH_SEED  integer seed (default 11)
--   BENCH_PAGE_SIZE    page_size (default 20)
--   BENCH_PAGE_MIN, BENCH_PAGE_MAX  the page range (default 1..1)

local kind = os.getenv("BENCH_KIND") or os.getenv("BENCH_SEARCH_KIND") or "needle"
local seed = tonumber(os.getenv("BENCH_SEARCH_SEED") or "11")
local page_size = os.getenv("BENCH_PAGE_SIZE") or "20"
local page_min = tonumber(os.getenv("BENCH_PAGE_MIN") or "1")
local page_max = tonumber(os.getenv("BENCH_PAGE_MAX") or "1")
local read_prefix = os.getenv("BENCH_READ_PREFIX") or "/api/auth/?uuid="

local function lines(path)
  local t = {}
  for line in io.lines(path) do if line ~= "" then t[#t + 1] = line end end
  if #t == 0 then error(path .. " is empty") end
  return t
end

local keys
if os.getenv("BENCH_KEYS_FILE") then
  keys = lines(os.getenv("BENCH_KEYS_FILE"))
else
  keys = { os.getenv("BENCH_KEY") or error("neither BENCH_KEYS_FILE nor BENCH_KEY is set") }
end
local ids = {}
if kind == "read" then ids = lines(os.getenv("BENCH_IDS") or error("BENCH_IDS is not set")) end

-- setup runs in the main Lua state, once per wrk thread: number the threads.
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local create_prefix = "bench"
init = function()
  math.randomseed(seed * 1000 + (tid or 0))
  -- Usernames unique across threads and across runs on the same directory.
  create_prefix = "bench" .. os.time() .. "t" .. (tid or 0) .. "x"
end

local function digits(n)
  local t = {}
  for i = 1, n do t[i] = tostring(math.random(0, 9)) end
  return table.concat(t)
end

local search = "/api/auth/search?page_size=" .. page_size .. "&"
local users = tonumber(os.getenv("BENCH_USERS") or "1000000")
local width = #tostring(users - 1)
local scim_token = os.getenv("BENCH_SCIM_TOKEN")
local function scim_filter(f) return "/scim/v2/Users?count=20&filter=" .. f:gsub(" ", "%%20"):gsub('"', "%%22") end
local created = 0
local requests = {
  ["needle"] = function() return "GET", search .. "page=1&userName=" .. digits(math.random(3, 6)) end,
  ["needle2"] = function() return "GET", search .. "page=1&userName=" .. digits(2) end,
  ["needle1"] = function() return "GET", search .. "page=1&userName=" .. digits(1) end,
  ["role-needle"] = function() return "GET", search .. "page=1&role=10&userName=" .. digits(math.random(3, 6)) end,
  ["role10-page"] = function() return "GET", search .. "role=10&page=" .. math.random(page_min, page_max) end,
  ["role1-page"] = function() return "GET", search .. "role=1&page=" .. math.random(page_min, page_max) end,
  ["page"] = function() return "GET", search .. "page=" .. math.random(page_min, page_max) end,
  ["read"] = function() return "GET", read_prefix .. ids[math.random(#ids)] end,
  ["scim-eq"] = function()
    return "GET", scim_filter('userName eq "USER' .. string.format("%0" .. width .. "d", math.random(0, users - 1)) .. '"')
  end,
  ["scim-sw"] = function() return "GET", scim_filter('userName sw "user' .. digits(math.random(3, 6)) .. '"') end,
  ["scim-co"] = function() return "GET", scim_filter('userName co "R' .. digits(math.random(2, 5)) .. '"') end,
  ["create"] = function()
    created = created + 1
    return "POST", "/api/auth", '{"username":"' .. create_prefix .. created .. '","password":"Benchmark1pass","permission":1}'
  end,
}
local make = requests[kind] or error("unknown BENCH_KIND " .. kind)

request = function()
  local key = keys[math.random(#keys)]
  local method, path, body = make()
  local headers = { ["X-Request-API-Key"] = key }
  if kind:sub(1, 5) == "scim-" then headers = { ["Authorization"] = "Bearer " .. (scim_token or error("BENCH_SCIM_TOKEN is not set")) } end
  if body then headers["Content-Type"] = "application/json" end
  return wrk.format(method, path, headers, body)
end
