-- wrk script for bench/intake.py: POSTs prepared bodies in turn, reports JSON when done.
-- Environment: WRK_PATH (request path), WRK_BODIES (directory of files 0, 1, ...),
-- WRK_COUNT (how many files), WRK_TOKEN (optional bearer token), WRK_OUT (report file).

local requests = {}
local turn = 0

function init(args)
  local headers = { ["Content-Type"] = "application/json" }
  local token = os.getenv("WRK_TOKEN")
  if token and token ~= "" then
    headers["Authorization"] = "Bearer " .. token
  end
  local dir, count = os.getenv("WRK_BODIES"), tonumber(os.getenv("WRK_COUNT"))
  for i = 0, count - 1 do
    local file = assert(io.open(dir .. "/" .. i, "rb"))
    requests[#requests + 1] = wrk.format("POST", os.getenv("WRK_PATH"), headers, file:read("*a"))
    file:close()
  end
  -- threads start at different bodies, so they do not post the same ones in step
  turn = math.random(#requests) - 1
end

function request()
  turn = turn % #requests + 1
  return requests[turn]
end

function done(summary, latency, requests)
  local e = summary.errors
  local out = assert(io.open(os.getenv("WRK_OUT"), "w"))
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
  out:close()
end
