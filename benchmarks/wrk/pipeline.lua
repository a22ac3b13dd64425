-- wrk script for HTTP pipelining (benchmarks/run.sh, workload http-wrk-pipe16-100conn):
--   wrk -s benchmarks/wrk/pipeline.lua http://127.0.0.1:PORT/ -- 16
-- Every write sends DEPTH copies of wrk's own request (GET / HTTP/1.1 with a Host header) at
-- once; wrk counts the responses one by one, so req/s counts requests, not batches.
init = function(args)
    local depth = tonumber(args[1]) or 16
    local r = {}
    for i = 1, depth do
        r[i] = wrk.format()
    end
    req = table.concat(r)
end

request = function()
    return req
end
