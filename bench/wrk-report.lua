-- bench/wrk-report.lua: at the end of a wrk run, write its latency
-- percentiles (microseconds), request count, duration and errors to the file
-- named by $WRK_REPORT, for bench/stats.py and the latency plot.

done = function(summary, latency, requests)
	local f = assert(io.open(os.getenv("WRK_REPORT"), "w"))
	local ps = { 1, 5, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5,
	    95, 97, 98, 99, 99.5, 99.9, 99.95, 99.99, 100 }
	for _, p in ipairs(ps) do
		f:write(string.format("p %g %d\n", p, latency:percentile(p)))
	end
	f:write(string.format("requests %d\n", summary.requests))
	f:write(string.format("duration_us %d\n", summary.duration))
	local e = summary.errors
	f:write(string.format("errors %d %d %d %d %d\n", e.connect, e.read,
	    e.write, e.status, e.timeout))
	f:close()
end
