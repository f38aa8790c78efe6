-- wrk script: one person's records page, again and again
-- (GET /api/v1/me/records?item=...). YUESOU_TOKEN is a session token
-- (empty: no login, for public kinds), YUESOU_RECORDS_ITEM the 查询 item. With YUESOU_COUNT_STATUS=1 it also
-- counts the answers by status (a Lua call per response: use it on the
-- slow department's run, not on the measured one). Prints one
-- machine-readable line (RESULT ...) besides wrk's own report.
local token = os.getenv("YUESOU_TOKEN")
local item = os.getenv("YUESOU_RECORDS_ITEM")
local path = "/api/v1/me/records?item=" .. item
local headers = {}
if token and #token > 0 then
  headers["Authorization"] = "Bearer " .. token
end

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  statuses = {}
end

function request()
  return wrk.format("GET", path, headers)
end

-- YUESOU_PACE_MS > 0: each connection waits that long between its
-- requests, so the load stays below what the machine can serve and the
-- latency is service time rather than queueing (a saturated machine's
-- tail moves with any extra work at all).
local pace = tonumber(os.getenv("YUESOU_PACE_MS") or "0") or 0
if pace > 0 then
  function delay()
    return pace
  end
end

if os.getenv("YUESOU_COUNT_STATUS") == "1" then
  function response(status, headers, body)
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
  end
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local counts = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses") or {}
    for status, n in pairs(s) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local by_status = {}
  for status, n in pairs(counts) do
    by_status[#by_status + 1] = status .. ":" .. n
  end
  table.sort(by_status)
  io.write(string.format(
    "RESULT requests=%d rps=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d timeouts=%d%s\n",
    summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect + e.read + e.write + e.timeout, e.timeout,
    #by_status > 0 and (" statuses=" .. table.concat(by_status, ",")) or ""))
end
