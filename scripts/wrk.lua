-- wrk: the request of one scenario, set from the environment.
--   WRK_BODY   a form body: the request is a POST of it (otherwise a GET)
--   WRK_BASIC  base64 of id:secret, sent as HTTP Basic client authentication
--   WRK_PORTS  "p1,p2": wrk's threads connect to these ports in turn (round-robin over
--              several instances on this host)
--   WRK_STATUS when set, counts answers and prints "STATUS 2xx N 429 N 4xx N 5xx N" (4xx: the
--              other client errors)
local ports = {}
for p in string.gmatch(os.getenv("WRK_PORTS") or "", "%d+") do
  table.insert(ports, p)
end
local threads = {}
local started = 0

function setup(thread)
  if #ports > 0 then
    local addrs = wrk.lookup(wrk.host, ports[(started % #ports) + 1])
    thread.addr = addrs[1]
  end
  started = started + 1
  table.insert(threads, thread)
end

local body = os.getenv("WRK_BODY") or ""
if body ~= "" then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
local basic = os.getenv("WRK_BASIC") or ""
if basic ~= "" then
  wrk.headers["Authorization"] = "Basic " .. basic
end

if (os.getenv("WRK_STATUS") or "") ~= "" then
  function init()
    s2, s429, s4, s5 = 0, 0, 0, 0
  end
  function response(status)
    if status >= 500 then
      s5 = s5 + 1
    elseif status == 429 then
      s429 = s429 + 1
    elseif status >= 400 then
      s4 = s4 + 1
    else
      s2 = s2 + 1
    end
  end
  function done()
    local a, r, b, c = 0, 0, 0, 0
    for _, t in ipairs(threads) do
      a = a + t:get("s2")
      r = r + t:get("s429")
      b = b + t:get("s4")
      c = c + t:get("s5")
    end
    io.write(string.format("STATUS 2xx %d 429 %d 4xx %d 5xx %d\n", a, r, b, c))
  end
end
