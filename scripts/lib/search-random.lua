-- wrk script for `scripts/bench search`: GET /api/auth/search (the MCSManager
-- dialect) with a random needle or page on every request, so that no single
-- query stays hot (issue 11). Seeded: the same BENCH_SEARCH_SEED gives every
-- wrk thread the same sequence in every run, so runs are comparable.
--
-- Environment:
--   BENCH_KEY          the administrator's API key (sent as X-Request-API-Key)
--   BENCH_SEARCH_KIND  needle      userName=<3-6 random digits>
--                      needle2     userName=<2 random digits>
--                      role-needle role=10&userName=<3-6 random digits>
--                      role-page   role=1&page=<1-50>
--                      page        page=<BENCH_PAGE_MIN..BENCH_PAGE_MAX> (default 1000-40000)
--   BENCH_SEARCH_SEED  integer seed (default 11)
--   BENCH_PAGE_SIZE    page_size (default 20)

local key = os.getenv("BENCH_KEY") or error("BENCH_KEY is not set")
local kind = os.getenv("BENCH_SEARCH_KIND") or "needle"
local seed = tonumber(os.getenv("BENCH_SEARCH_SEED") or "11")
local page_size = os.getenv("BENCH_PAGE_SIZE") or "20"
local page_min = tonumber(os.getenv("BENCH_PAGE_MIN") or "1000")
local page_max = tonumber(os.getenv("BENCH_PAGE_MAX") or "40000")
local headers = { ["X-Request-API-Key"] = key }

-- setup runs in the main Lua state, once per wrk thread: number the threads.
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

init = function()
  math.randomseed(seed * 1000 + (tid or 0))
end

local function digits(n)
  local t = {}
  for i = 1, n do t[i] = tostring(math.random(0, 9)) end
  return table.concat(t)
end

local prefix = "/api/auth/search?page_size=" .. page_size .. "&"
local paths = {
  ["needle"] = function() return prefix .. "page=1&userName=" .. digits(math.random(3, 6)) end,
  ["needle2"] = function() return prefix .. "page=1&userName=" .. digits(2) end,
  ["role-needle"] = function() return prefix .. "page=1&role=10&userName=" .. digits(math.random(3, 6)) end,
  ["role-page"] = function() return prefix .. "role=1&page=" .. math.random(1, 50) end,
  ["page"] = function() return prefix .. "page=" .. math.random(page_min, page_max) end,
}
local path = paths[kind] or error("unknown BENCH_SEARCH_KIND " .. kind)

request = function()
  return wrk.format("GET", path(), headers)
end
