#!/usr/bin/env python3
"""Latency probe, run INSIDE the template (python3 python_kernel_bench.py KERNEL_PATH).

Prints: kernel ready latency, round trip of an execute of `1+1`, and the same round trip
against a trivial line-echo process (the pipe/wake-up floor), so the kernel's own cost
is the difference. The harness python_kernel_test.py copies and runs it.
"""
import json, os, statistics, subprocess, sys, time

ECHO = ("import os,sys\nr=os.fdopen(0,'rb')\nos.write(1,b'{\"type\":\"ready\"}\\n')\n"
        "for l in r:\n    os.write(1,b'{\"id\":\"x\",\"type\":\"end\",\"execution_count\":1}\\n')\n")


def probe(args, n=2000):
    t0 = time.perf_counter()
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    out = p.stdout
    assert b'"ready"' in out.readline()
    ready = time.perf_counter() - t0
    req = (json.dumps({"id": "x", "type": "execute", "code": "1+1"}) + "\n").encode()
    times = []
    for i in range(n):
        t = time.perf_counter()
        os.write(p.stdin.fileno(), req)
        while b'"end"' not in out.readline():
            pass
        times.append(time.perf_counter() - t)
    p.stdin.close()
    p.wait()
    times = times[n // 10:]
    return ready, statistics.median(times), statistics.mean(times)


def main():
    kernel = sys.argv[1]
    readies = [probe(["python3", "-u", kernel], n=1)[0] for _ in range(7)]
    bare = [probe(["python3", "-u", "-c", ECHO], n=1)[0] for _ in range(7)]
    _, k_med, k_mean = probe(["python3", "-u", kernel])
    _, e_med, e_mean = probe(["python3", "-u", "-c", ECHO])
    print("ready: kernel median %.1f ms (bare python3 -u start to first line: %.1f ms)"
          % (statistics.median(readies) * 1e3, statistics.median(bare) * 1e3))
    print("execute 1+1 round trip: median %.0f us, mean %.0f us; echo floor median %.0f us; "
          "kernel cost ~%.0f us" % (k_med * 1e6, k_mean * 1e6, e_med * 1e6, (k_med - e_med) * 1e6))


if __name__ == "__main__":
    main()
