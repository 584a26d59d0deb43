-- wrk script: POST each prepared attempt's answers once.
-- Usage: wrk -t T -c C -d D -s bench/wrk/submit.lua http://host:port -- submissions.tsv T
-- Each line of submissions.tsv is "attempt_id<TAB>json body". Thread k takes every T-th line from k,
-- so no two threads submit the same attempt. `wrapped` counts walks past the end of a thread's share:
-- after that, requests are re-submissions (a read of the stored result), and the run is too long
-- for the prepared attempts. A third argument "count-busy" (the CI smoke) counts 503 server_busy answers
-- apart: load shed on a slow machine, nothing stored, which the smoke reports instead of failing on.
local threads = {}
local next_tid = 0

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(args[2]) or 1
  local headers = {["Content-Type"] = "application/json"}
  reqs = {}
  local i = 0
  for line in io.lines(args[1]) do
    if i % nthreads == tid then
      local id, body = line:match("^([^\t]+)\t(.*)$")
      reqs[#reqs + 1] = wrk.format("POST", "/api/v1/attempts/" .. id .. "/submit", headers, body)
    end
    i = i + 1
  end
  idx = 0
  wrapped = 0
  busy = 0
  if args[3] == "count-busy" then
    -- defined only here: a script with response() makes wrk parse every answer, which costs the measured run
    response = function(status)
      if status == 503 then busy = busy + 1 end
    end
  end
end

function request()
  idx = idx + 1
  if idx > #reqs then
    idx = 1
    wrapped = wrapped + 1
  end
  return reqs[idx]
end

function done(summary, latency, requests)
  local w, sent, b = 0, 0, 0
  for _, t in ipairs(threads) do
    w = w + (t:get("wrapped") or 0)
    sent = sent + (t:get("idx") or 0)
    b = b + (t:get("busy") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"errors_status":%d,"errors_connect":%d,"errors_read":%d,' ..
    '"errors_write":%d,"errors_timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
    '"wrapped":%d,"last_index":%d,"busy":%d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    w, sent, b))
end
