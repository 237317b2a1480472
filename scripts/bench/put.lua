-- wrk client for conditional PUTs (scripts/bench-mock.sh, scripts/bench-harness.sh).
-- wrk gives Lua no connection identity, so each request names its key in the
-- body and the response names it back (the representation on 2xx, the
-- problem's instance path on 409/412); the ETag learnt for a key is used by
-- that key's next request (If-None-Match: * before the first). BENCH_KEYS keys.
local keys = tonumber(os.getenv("BENCH_KEYS") or "64")
local etags = {}
local n = 0
request = function()
    n = n % keys + 1
    local k = "k" .. n
    local headers = { ["Content-Type"] = "application/json" }
    local etag = etags[k]
    if etag then headers["If-Match"] = etag else headers["If-None-Match"] = "*" end
    return wrk.format("PUT", "/resources/" .. k, headers, '{"k":"' .. k .. '","n":' .. n .. '}')
end
response = function(status, headers, body)
    if status == 200 or status == 201 then
        local k = body:match('"k":"(k%d+)"')
        if k then etags[k] = headers["ETag"] end
    elseif status == 409 or status == 412 then
        local k = body:match('/resources/(k%d+)')
        local opaque = body:match('"current_etag":"\\"([^\\"]*)\\""')
        if k and opaque then etags[k] = '"' .. opaque .. '"' end
    end
end
