#!/usr/bin/env python3
# bench/stats.py: the arithmetic of bench/run: medians and percentiles,
# hyperfine's JSON, probe jitter from nginx's access log and from hinit's
# debug log, histograms for gnuplot. Standard library only.
#
#	stats.py median NUMBER...
#	stats.py summary FILE [LIMIT]    n p50 p99 p99.9 max [% over LIMIT]
#	stats.py hyperfine FILE          name median mean stddev min runs
#	                                 user system (ms; user, system: means)
#	stats.py jitter-nginx LOG T0 T1 INTERVAL
#	stats.py jitter-log LOG T0 T1 INTERVAL
#	stats.py hist BIN LO HI FILE...  bin centre, then % of each file's values
#	stats.py wrk FILE                rps p50 p90 p99 p99.9 (ms) errors

import datetime
import json
import re
import sys


def percentile(values, p):
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return float("nan")
    v = sorted(values)
    k = (len(v) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def numbers(path):
    with open(path) as f:
        return [float(x) for x in f.read().split()]


def cmd_median(args):
    print("%g" % percentile([float(a) for a in args], 50))


def cmd_summary(args):
    v = numbers(args[0])
    line = "%d %.2f %.2f %.2f %.2f" % (len(v), percentile(v, 50),
                                       percentile(v, 99), percentile(v, 99.9),
                                       max(v) if v else 0)
    if len(args) > 1:
        over = sum(1 for x in v if x > float(args[1]))
        line += " %.2f" % (100.0 * over / len(v) if v else 0)
    print(line)


def cmd_hyperfine(args):
    with open(args[0]) as f:
        d = json.load(f)
    for r in d["results"]:
        print("%s\t%.3f\t%.3f\t%.3f\t%.3f\t%d\t%.3f\t%.3f" % (
            r["command"], r["median"] * 1e3, r["mean"] * 1e3,
            r["stddev"] * 1e3, r["min"] * 1e3, len(r["times"]),
            r["user"] * 1e3, r["system"] * 1e3))


def cmd_jitter_nginx(args):
    """
    The access log has "$msec $uri" a line, $msec being when nginx logged
    the request (ms resolution). For consecutive requests of one path, the
    next attempt began (arrival gap - interval - the attempt's own duration)
    after its planned start; the duration (well under a ms on loopback) is
    left in, so this slightly overstates the jitter.
    """
    log, t0, t1, interval = args[0], float(args[1]), float(args[2]), \
        float(args[3])
    last = {}
    out = []
    with open(log) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2:
                continue
            t, uri = float(parts[0]), parts[1]
            if t < t0 or t > t1:
                continue
            if uri in last:
                out.append((t - last[uri] - interval) * 1e3)
            last[uri] = t
    for j in out:
        print("%.3f" % j)


def rfc3339(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def json_lines(path):
    """The JSON objects of a --log-format json log; other lines skipped."""
    with open(path) as f:
        for line in f:
            if not line.startswith("{"):
                continue
            try:
                yield json.loads(line)
            except ValueError:
                continue


def cmd_jitter_log(args):
    """
    hinit -vv --log-format json logs "check NAME: attempt N" when attempt N
    starts and "check NAME: attempt N: RESULT in Dms" when it ends, each
    with the wall time (ms). Jitter of attempt N+1 = its start - (the end
    of attempt N + interval): exactly the SPEC's schedule.
    """
    log, t0, t1, interval = args[0], float(args[1]), float(args[2]), \
        float(args[3])
    start_re = re.compile(r"^check (\S+): attempt (\d+)(?: \(-?[\d.]+ms late\))?$")
    end_re = re.compile(r"^check (\S+): attempt (\d+): \w+ in ")
    ends = {}
    for d in json_lines(log):
        msg = d.get("msg", "")
        m = end_re.match(msg)
        if m:
            ends[(m.group(1), int(m.group(2)))] = rfc3339(d["time"])
            continue
        m = start_re.match(msg)
        if not m:
            continue
        t = rfc3339(d["time"])
        prev = ends.get((m.group(1), int(m.group(2)) - 1))
        if prev is None or prev < t0 or t > t1:
            continue
        print("%.3f" % ((t - prev - interval) * 1e3))


def cmd_late_log(args):
    """
    hinit -vv logs "check NAME: attempt N (L ms late)" as attempt N starts:
    L = its start - the planned start (end of the previous attempt +
    interval + the designed spread), from the loop's own clock: how late
    the scheduler is, to the microsecond.
    """
    log, t0, t1 = args[0], float(args[1]), float(args[2])
    late_re = re.compile(r"^check \S+: attempt (\d+) \((-?[\d.]+)ms late\)$")
    for d in json_lines(log):
        m = late_re.match(d.get("msg", ""))
        if not m or int(m.group(1)) < 2:
            continue
        t = rfc3339(d["time"])
        if t0 <= t <= t1:
            print(m.group(2))


def cmd_hist(args):
    width, lo, hi = float(args[0]), float(args[1]), float(args[2])
    sets = [numbers(p) for p in args[3:]]
    nbins = int(round((hi - lo) / width))
    counts = []
    for v in sets:
        c = [0] * nbins
        for x in v:
            i = int((x - lo) // width)
            i = max(0, min(nbins - 1, i))    # the ends hold what is beyond
            c[i] += 1
        counts.append(c)
    for i in range(nbins):
        row = ["%g" % (lo + (i + 0.5) * width)]
        for v, c in zip(sets, counts):
            row.append("%.4f" % (100.0 * c[i] / len(v) if v else 0))
        print(" ".join(row))


def cmd_wrk(args):
    """The file bench/wrk-report.lua writes."""
    pct = {}
    req = dur = 0
    errors = 0
    with open(args[0]) as f:
        for line in f:
            w = line.split()
            if w[0] == "p":
                pct[float(w[1])] = float(w[2]) / 1e3
            elif w[0] == "requests":
                req = int(w[1])
            elif w[0] == "duration_us":
                dur = int(w[1])
            elif w[0] == "errors":
                errors = sum(int(x) for x in w[1:])
    print("%.0f %.3f %.3f %.3f %.3f %d" % (req / (dur / 1e6), pct[50],
          pct[90], pct[99], pct[99.9], errors))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmds = {"median": cmd_median, "summary": cmd_summary,
            "hyperfine": cmd_hyperfine, "jitter-nginx": cmd_jitter_nginx,
            "jitter-log": cmd_jitter_log, "late-log": cmd_late_log,
            "hist": cmd_hist, "wrk": cmd_wrk}
    cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
