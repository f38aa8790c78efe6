-- wrk script: replays the request paths in $YUESOU_LOAD_PATHS round-robin,
-- each thread from its own offset, and prints one machine-readable summary
-- line (RESULT ...) besides wrk's own report.

local paths = {}
local file = os.getenv("YUESOU_LOAD_PATHS")
for line in io.lines(file) do
  if #line > 0 then
    paths[#paths + 1] = line
  end
end

local counter = 0
function setup(thread)
  thread:set("offset", counter * 7919)
  counter = counter + 1
end

local i = 0
function init(args)
  i = offset or 0
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
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
