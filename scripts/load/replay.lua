-- wrk script: replays the request paths in $YUESOU_LOAD_PATHS round-robin,
-- each thread from its own offset, and prints one machine-readable summary
-- line (RESULT ...) besides wrk's own report.
--
-- $YUESOU_LOAD_MISS_SHARE (0-1, default 0): that share of search requests
-- carries a random phone position inside Guangdong, as phones send them;
-- every such request is distinct, so the response cache cannot answer it.

local paths = {}
local file = os.getenv("YUESOU_LOAD_PATHS")
for line in io.lines(file) do
  if #line > 0 then
    paths[#paths + 1] = line
  end
end

local miss_share = tonumber(os.getenv("YUESOU_LOAD_MISS_SHARE") or "0") or 0

local counter = 0
function setup(thread)
  thread:set("offset", counter * 7919)
  counter = counter + 1
end

local i = 0
function init(args)
  i = offset or 0
  math.randomseed(os.time() + (offset or 0))
end

function request()
  i = i % #paths + 1
  local path = paths[i]
  if miss_share > 0 and path:find("/search?", 1, true)
      and not path:find("lat=", 1, true) and not path:find("city=", 1, true)
      and math.random() < miss_share then
    path = string.format("%s&lat=%.5f&lng=%.5f", path,
      21.6 + math.random() * 3.2, 110.4 + math.random() * 5.8)
  end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d rps=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
