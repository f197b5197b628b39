-- wrk script for the engine benchmarks: each request gets one of 20,000 `cf-connecting-ip`
-- values, so the gateway's per-caller rate limit is spread out (and its counters exercised).
-- PATHS=/a,/b alternates those paths (otherwise the URL's path is used); API_KEY=... sends
-- it in `x-api-key`.
local counter = 0
local paths = {}
for path in string.gmatch(os.getenv("PATHS") or "", "[^,]+") do
  table.insert(paths, path)
end
local key = os.getenv("API_KEY")

request = function()
  counter = counter + 1
  local n = counter % 20000
  wrk.headers["cf-connecting-ip"] = "10." .. (n % 200) .. "." .. math.floor(n / 200) .. ".1"
  if key then
    wrk.headers["x-api-key"] = key
  end
  if #paths > 0 then
    return wrk.format("GET", paths[(counter % #paths) + 1])
  end
  return wrk.format(nil)
end
