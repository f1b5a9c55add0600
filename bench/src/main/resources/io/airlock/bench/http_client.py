"""Times plain HTTP GETs, one new TCP connection each: python3 http_client.py HOST PATH N [--bulk]

The first 300 requests are a warm-up (the proxy's JIT, the server's caches) and are not timed.

Prints one JSON line: {"samples_ms": [...]} for N small requests, or with --bulk
{"bytes": B, "seconds": S} for one download of PATH. Standard library only, raw sockets,
so the same script measures the same thing inside a sandbox and on the host.
"""
import json
import socket
import sys
import time


def get(host, path):
    s = socket.create_connection((host, 80), timeout=30)
    s.sendall(("GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" % (path, host)).encode())
    n = 0
    while True:
        d = s.recv(1 << 16)
        if not d:
            break
        n += len(d)
    s.close()
    return n


def main():
    host, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if "--bulk" in sys.argv:
        t = time.perf_counter()
        got = get(host, path)
        print(json.dumps({"bytes": got, "seconds": time.perf_counter() - t}))
        return
    samples = []
    warmup = 300
    for i in range(n + warmup):
        t = time.perf_counter()
        if get(host, path) == 0:
            raise SystemExit("empty answer from %s" % host)
        if i >= warmup:
            samples.append((time.perf_counter() - t) * 1000)
    print(json.dumps({"samples_ms": samples}))


main()
