"""Shared driver for the kernel test scripts: runs a kernel inside the code-interpreter template rootfs
(chroot, unprivileged user) and talks the line protocol to it over pipes.

Usage from a test script:  k = Kernel(["node", "/tmp/js_kernel.js"], ["/host/path/js_kernel.js"])
The template rootfs is shared read-only state, so nothing is written into it: the kernel runs in a
private mount namespace (unshare -m) in which /proc, /dev and a fresh tmpfs /tmp are mounted over the
rootfs, and the kernel files are copied into that tmpfs. Everything vanishes when the kernel exits.
Needs root.
"""
import glob
import json
import os
import queue
import shutil
import signal
import subprocess
import threading
import time


def rootfs():
    """The code-interpreter template rootfs: $AIRLOCK_KERNEL_ROOTFS, else the first cached template with numpy."""
    if os.environ.get("AIRLOCK_KERNEL_ROOTFS"):
        return os.environ["AIRLOCK_KERNEL_ROOTFS"]
    found = glob.glob(os.path.expanduser("~/.airlock/templates/*/rootfs/usr/lib/python3/dist-packages/numpy"))
    if not found:
        raise SystemExit("the code-interpreter template rootfs was not found under ~/.airlock/templates")
    return found[0].split("/usr/lib/")[0]


class Kernel:
    def __init__(self, argv, files, cwd="/home/user", env=None):
        base_env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/home/user", "LANG": "C.UTF-8"}
        if env:
            base_env.update(env)
        r = rootfs()
        inner = "cd %s && exec %s" % (cwd, " ".join(argv))
        setup = ("set -e; mount -t proc proc {r}/proc; mount --rbind /dev {r}/dev; "
                 "mount -t tmpfs -o mode=1777 tmpfs {r}/tmp; cp {files} {r}/tmp/; "
                 "exec {chroot} --userspec=1000:1000 {r} /bin/sh -c '{inner}'").format(
            r=r, files=" ".join(files), chroot=shutil.which("chroot") or "/usr/sbin/chroot", inner=inner)
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [shutil.which("unshare") or "/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c", setup],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=base_env)
        self.events = queue.Queue()
        self.raw_lines = []
        self.stderr = b""
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()
        self.ready = self.next_event(timeout=30)
        self.ready_latency = time.perf_counter() - self.started
        assert self.ready["type"] == "ready", self.ready
        self.n = 0

    def _read(self):
        for line in self.proc.stdout:
            self.raw_lines.append(line)
            assert line.endswith(b"\n")
            self.events.put(json.loads(line))
        self.events.put(None)

    def _read_err(self):
        for line in self.proc.stderr:
            self.stderr += line

    def next_event(self, timeout=30):
        ev = self.events.get(timeout=timeout)
        if ev is None:
            raise AssertionError("kernel closed stdout; stderr: %r" % self.stderr[-2000:])
        return ev

    def send(self, code, env_vars=None, rid=None):
        self.n += 1
        rid = rid or "e%d" % self.n
        req = {"id": rid, "type": "execute", "code": code}
        if env_vars is not None:
            req["env_vars"] = env_vars
        self.proc.stdin.write((json.dumps(req) + "\n").encode())
        self.proc.stdin.flush()
        return rid

    def collect(self, rid, timeout=30):
        evs = []
        while True:
            ev = self.next_event(timeout)
            assert ev.get("id") == rid, (rid, ev)
            evs.append(ev)
            if ev["type"] == "end":
                return evs

    def execute(self, code, env_vars=None, timeout=30):
        return self.collect(self.send(code, env_vars), timeout)

    def interrupt(self):
        self.proc.send_signal(signal.SIGINT)

    def close(self):
        try:
            self.proc.stdin.close()
        except Exception:
            pass
        try:
            return self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError("kernel did not exit on stdin EOF")


def text(evs, kind):
    return "".join(e["text"] for e in evs if e["type"] == kind)


def results(evs):
    return [e for e in evs if e["type"] == "result"]


def errors(evs):
    return [e for e in evs if e["type"] == "error"]


def main_text(evs):
    r = [e for e in evs if e["type"] == "result" and e["is_main_result"]]
    return r[0]["data"]["text/plain"] if r else None


class Runner:
    def __init__(self):
        self.failures = 0
        self.passed = 0

    def check(self, name, fn):
        try:
            fn()
            self.passed += 1
            print("PASS", name, flush=True)
        except Exception as e:  # noqa
            self.failures += 1
            print("FAIL", name, repr(e)[:1500], flush=True)

    def done(self):
        print("%d passed, %d failed" % (self.passed, self.failures))
        return 1 if self.failures else 0


def common_event_checks(evs):
    """Every event has the request id; end is last and exactly once; text events <= 64 KiB."""
    assert evs[-1]["type"] == "end"
    assert sum(1 for e in evs if e["type"] == "end") == 1
    for e in evs:
        if e["type"] in ("stdout", "stderr"):
            assert len(e["text"].encode("utf-8")) <= 65536, len(e["text"].encode("utf-8"))
            assert isinstance(e["timestamp"], int) and e["timestamp"] > 1_600_000_000 * 10**9
