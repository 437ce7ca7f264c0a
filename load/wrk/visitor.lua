-- wrk script for load/server-only.sh: every connection cycles through the requests of Task 1's
-- visitor (the page, the first listing page, each listed photo's thumbnail, the tags), read from
-- the file given after `--` (one path a line), as a signed-in visitor: with the cookie given
-- after the file. At the end, one JSON line with the figures.
local paths = {}
local n = 0

function init(args)
  local file = assert(io.open(args[1], "r"))
  local headers = { Cookie = args[2] }
  for line in file:lines() do
    if #line > 0 then
      table.insert(paths, wrk.format("GET", line, headers))
    end
  end
  file:close()
  -- Threads start at different points of the visit.
  n = math.random(#paths) - 1
end

function request()
  n = n % #paths + 1
  return paths[n]
end

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_ms":{"p50":%.2f,"p90":%.2f,"p95":%.2f,"p99":%.2f,"max":%.2f,"mean":%.2f}}\n',
    summary.requests, secs, summary.requests / secs, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000))
end
