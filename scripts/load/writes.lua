-- wrk script: acknowledged personal writes. Each request is one committed
-- write of the personal centre, in turn: a question (POST /me/feedback), a
-- profile change (PATCH /me/profile) and a saved application step (PUT
-- /me/applications/{id}/steps/0). YUESOU_TOKEN is a session token,
-- YUESOU_APPLICATION the id of a draft of that person.
local token = os.getenv("YUESOU_TOKEN")
local application = os.getenv("YUESOU_APPLICATION")
local n = 0

function request()
  n = n + 1
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }
  local kind = n % 3
  if kind == 0 then
    return wrk.format("POST", "/api/v1/me/feedback", headers,
      string.format('{"kind":"complaint","title":"压测","content":"写入压测第 %d 条"}', n))
  elseif kind == 1 then
    return wrk.format("PATCH", "/api/v1/me/profile", headers,
      string.format('{"postal_address":"广州市越秀区压测路 %d 号"}', n))
  else
    return wrk.format("PUT", "/api/v1/me/applications/" .. application .. "/steps/0", headers,
      string.format('{"answers":{"压测":"%d"}}', n))
  end
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT writes=%d writes_per_s=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
