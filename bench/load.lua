-- wrk script for the benchmark's operations, chosen by environment variables:
--   BENCH_OP      get_post | list_posts | create
--   BENCH_POSTS   number of seeded posts (ids 1..N)
--   BENCH_PAGES   list offsets are random within the first N pages of 20
--   BENCH_PREFIX  tag-name prefix, unique per load run, so every POST /tags is a new name
--   BENCH_TOKEN   access token sent with every POST /tags (creating a tag needs one)
-- done() prints one line "BENCH {json}" that the harness parses.

local op = os.getenv("BENCH_OP")
local posts = tonumber(os.getenv("BENCH_POSTS"))
local prefix = os.getenv("BENCH_PREFIX") or "bench"
local page = 20
local pages = tonumber(os.getenv("BENCH_PAGES"))
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + tid)
  counter = 0
  non2xx = 0
end

local json_headers = { ["Content-Type"] = "application/json" }
local token = os.getenv("BENCH_TOKEN") or ""
if token ~= "" then
  json_headers["Authorization"] = "Bearer " .. token
end

function request()
  if op == "get_post" then
    return wrk.format("GET", "/posts/" .. math.random(1, posts))
  elseif op == "list_posts" then
    return wrk.format("GET", "/posts?limit=" .. page .. "&offset=" .. math.random(0, pages * page - page))
  end
  counter = counter + 1
  local body = string.format('{"name":"%s-%d-%d"}', prefix, tid, counter)
  return wrk.format("POST", "/tags", json_headers, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,' ..
    '"non2xx":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout,
    bad, latency:percentile(50), latency:percentile(99), latency.max))
end
