#!/usr/bin/env python3
"""Black-box tests of airlock-init: start the real binary as a child process with pipes on
fds 0/1, speak docs/agent-protocol.md to it, and check what it answers and what it does to the
host (processes, files). Python 3 standard library only.

    python3 agent/test/agent_test.py [-v] [TestClass.test_name ...]

The binary is $AIRLOCK_INIT, or agent/target/airlock-init next to this file. Run as root to
also exercise a second, unprivileged user ("nobody" or the first uid >= 1000 on this host).
"""
import errno
import os
import pwd
import queue
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("AIRLOCK_INIT") or os.path.join(HERE, "..", "target", "airlock-init")

# host -> agent
SPAWN, STDIN, STDIN_CLOSE, SIGNAL, RESIZE, CREDIT = 0x01, 0x02, 0x03, 0x04, 0x05, 0x06
FS_READ, FS_WRITE, FS_WDATA, FS_WEND, FS_STAT, FS_LIST = 0x10, 0x11, 0x12, 0x13, 0x14, 0x15
FS_MKDIR, FS_MOVE, FS_REMOVE, FS_WATCH, FS_UNWATCH, PING = 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1F
# agent -> host
READY, SPAWNED, STDOUT, STDERR, PTY, EXIT, WCREDIT = 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86
ERROR, FS_DATA, FS_END, FS_ENTRY, FS_EVENT, PONG = 0x8F, 0x90, 0x91, 0x93, 0x94, 0x9F

F_STDIN, F_PTY, F_STDIN_CREDIT = 0x01, 0x02, 0x04
WINDOW = 256 * 1024
MAX_DATA = 64 * 1024
EV_CREATE, EV_WRITE, EV_REMOVE, EV_RENAME, EV_CHMOD = 1, 2, 3, 4, 5

ME = pwd.getpwuid(os.geteuid()).pw_name


def other_user():
    """A real unprivileged user of this host, when we are root and can act as one."""
    if os.geteuid() != 0:
        return None
    for name in ("nobody",):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            pass
    for pw in pwd.getpwall():
        if pw.pw_uid >= 1000 and pw.pw_uid != 65534:
            return pw
    return None


def s(v):
    b = v.encode() if isinstance(v, str) else v
    return struct.pack(">I", len(b)) + b


class Reader:
    """Decodes a payload field by field."""

    def __init__(self, b):
        self.b, self.o = b, 0

    def take(self, n):
        assert self.o + n <= len(self.b), "payload too short"
        v = self.b[self.o:self.o + n]
        self.o += n
        return v

    def u8(self):
        return self.take(1)[0]

    def u32(self):
        return struct.unpack(">I", self.take(4))[0]

    def i32(self):
        return struct.unpack(">i", self.take(4))[0]

    def u64(self):
        return struct.unpack(">Q", self.take(8))[0]

    def i64(self):
        return struct.unpack(">q", self.take(8))[0]

    def str(self):
        return self.take(self.u32()).decode("utf-8", "replace")

    def end(self):
        assert self.o == len(self.b), "trailing bytes in payload"


def entry(payload):
    r = Reader(payload)
    e = dict(name=r.str(), path=r.str(), type=r.u8(), size=r.u64(), mode=r.u32(), owner=r.str(),
             group=r.str(), mtime_ns=r.i64(), target=r.str())
    e["meta"] = {r.str(): r.str() for _ in range(r.u32())}
    r.end()
    return e


def error(payload):
    r = Reader(payload)
    code, msg = r.i32(), r.str()
    r.end()
    return code, msg


class AgentError(AssertionError):
    pass


class Agent:
    """One airlock-init child process and a reader thread that sorts its frames by channel."""

    def __init__(self, argv=None):
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(argv or [BIN], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.log, bufsize=0)
        self.pid = self.proc.pid
        self.lock = threading.Lock()  # guards the queue map; never held while blocking
        self.send_lock = threading.Lock()  # one frame at a time on fd 0
        self.queues = {}
        self.frames = []  # (chan, type, len) in arrival order, for ordering checks
        self.chan_seq = 0
        threading.Thread(target=self._read, daemon=True).start()
        t, p = self.recv(0)
        assert t == READY, f"first frame is 0x{t:02x}, not READY"
        self.version = Reader(p).str()

    def q(self, chan):
        with self.lock:
            return self.queues.setdefault(chan, queue.Queue())

    def _read(self):
        f = self.proc.stdout
        try:
            while True:
                hdr = self._exact(f, 4)
                if hdr is None:
                    break
                (n,) = struct.unpack(">I", hdr)
                assert 5 <= n <= 1 << 20, f"agent sent a frame of length {n}"
                body = self._exact(f, n)
                assert body is not None, "agent closed fd 1 inside a frame"
                t, chan = body[0], struct.unpack(">I", body[1:5])[0]
                if t in (STDOUT, STDERR, PTY, FS_DATA):
                    assert n - 5 <= MAX_DATA, f"data frame of {n - 5} bytes"
                self.frames.append((chan, t, n - 5))
                self.q(chan).put((t, body[5:]))
        finally:
            with self.lock:
                for qq in self.queues.values():
                    qq.put(None)
                self.queues.setdefault("eof", queue.Queue()).put(None)
                self.eof = True

    @staticmethod
    def _exact(f, n):
        b = b""
        while len(b) < n:
            c = f.read(n - len(b))
            if not c:
                return None
            b += c
        return b

    def chan(self):
        self.chan_seq += 1
        return self.chan_seq

    def send(self, t, chan, payload=b""):
        # The agent may block writing fd 1 until we read it, so the reader thread must never
        # wait for this lock while we block writing fd 0.
        with self.send_lock:
            self.proc.stdin.write(struct.pack(">IBI", 5 + len(payload), t, chan) + payload)

    def recv(self, chan, timeout=10):
        try:
            item = self.q(chan).get(timeout=timeout)
        except queue.Empty:
            raise AgentError(f"no frame on channel {chan} within {timeout}s") from None
        if item is None:
            self.q(chan).put(None)
            raise AgentError(f"agent ended (exit {self.proc.poll()}) while waiting on channel {chan}")
        return item

    def quiet(self, chan, seconds):
        """Asserts nothing arrives on chan for the given time."""
        try:
            item = self.q(chan).get(timeout=seconds)
        except queue.Empty:
            return
        raise AgentError(f"unexpected frame on channel {chan}: {item and hex(item[0])}")

    # ---- processes ----

    def spawn(self, argv, user=None, cwd="", env=("PATH=/usr/local/bin:/usr/bin:/bin",), flags=0, cols=80, rows=24):
        chan = self.chan()
        p = struct.pack(">BHH", flags, cols, rows) + s(ME if user is None else user) + s(cwd)
        p += struct.pack(">I", len(argv)) + b"".join(s(a) for a in argv)
        p += struct.pack(">I", len(env)) + b"".join(s(e) for e in env)
        self.send(SPAWN, chan, p)
        return chan

    def spawned(self, chan):
        t, p = self.recv(chan)
        if t == ERROR:
            raise AgentError("spawn failed: %d %s" % error(p))
        assert t == SPAWNED, hex(t)
        return Reader(p).u32()

    def collect(self, chan, credit=True, timeout=20, stdin=None):
        """Output and exit status of a spawned process, returning credit as data arrives.
        With stdin (for a process spawned with F_STDIN_CREDIT), also feeds it within the
        256 KiB window and then closes it: one loop, as a host must do it, so returning
        output credit never waits for stdin to be accepted."""
        out = {STDOUT: bytearray(), STDERR: bytearray(), PTY: bytearray()}
        deadline = time.time() + timeout
        window, off, closed = WINDOW, 0, stdin is None
        while True:
            while not closed and window > 0:
                if off < len(stdin):
                    n = min(MAX_DATA, window, len(stdin) - off)
                    self.send(STDIN, chan, stdin[off:off + n])
                    off, window = off + n, window - n
                else:
                    self.send(STDIN_CLOSE, chan)
                    closed = True
            t, p = self.recv(chan, max(0.1, deadline - time.time()))
            if t in out:
                out[t] += p
                if credit:
                    self.send(CREDIT, chan, struct.pack(">I", len(p)))
            elif t == WCREDIT:
                window += Reader(p).u32()
            elif t == EXIT:
                r = Reader(p)
                kind, value = r.u8(), r.i32()
                r.end()
                return dict(stdout=bytes(out[STDOUT]), stderr=bytes(out[STDERR]), pty=bytes(out[PTY]), kind=kind,
                            value=value)
            else:
                raise AgentError(f"unexpected frame 0x{t:02x} on process channel {chan}")

    def run(self, argv, stdin=None, **kw):
        flags = kw.pop("flags", 0) | (F_STDIN | F_STDIN_CREDIT if stdin is not None else 0)
        chan = self.spawn(argv, flags=flags, **kw)
        self.spawned(chan)
        return self.collect(chan, stdin=stdin)

    # ---- files ----

    def request(self, t, payload, user=None):
        chan = self.chan()
        self.send(t, chan, s(ME if user is None else user) + payload)
        return chan

    def answer(self, chan, want):
        t, p = self.recv(chan)
        if t == ERROR:
            code, msg = error(p)
            raise OSError(code, msg)
        assert t == want, f"got 0x{t:02x}, want 0x{want:02x}"
        return p

    def stat(self, path, user=None):
        return entry(self.answer(self.request(FS_STAT, s(path), user), FS_ENTRY))

    def list(self, path, depth=1, user=None, timeout=10):
        chan = self.request(FS_LIST, s(path) + struct.pack(">I", depth), user)
        entries = []
        while True:
            t, p = self.recv(chan, timeout)
            if t == FS_END:
                return entries
            if t == ERROR:
                raise OSError(*error(p))
            assert t == FS_ENTRY, hex(t)
            entries.append(entry(p))

    def mkdir(self, path, user=None):
        return entry(self.answer(self.request(FS_MKDIR, s(path), user), FS_ENTRY))

    def move(self, src, dst, user=None):
        return entry(self.answer(self.request(FS_MOVE, s(src) + s(dst), user), FS_ENTRY))

    def remove(self, path, user=None):
        self.answer(self.request(FS_REMOVE, s(path), user), FS_END)

    def write(self, path, data, meta=None, user=None, frame=MAX_DATA):
        """FS_WRITE honouring the 256 KiB window; returns (FS_ENTRY, WCREDIT frames seen)."""
        meta = meta or {}
        chan = self.request(FS_WRITE, s(path) + struct.pack(">I", len(meta)) +
                            b"".join(s(k) + s(v) for k, v in meta.items()), user)
        window, credits, off = WINDOW, 0, 0
        while off < len(data):
            while window <= 0:
                t, p = self.recv(chan)
                if t == ERROR:
                    raise OSError(*error(p))
                assert t == WCREDIT, hex(t)
                window += Reader(p).u32()
                credits += 1
            n = min(frame, window, len(data) - off)
            self.send(FS_WDATA, chan, data[off:off + n])
            off += n
            window -= n
        self.send(FS_WEND, chan)
        while True:
            t, p = self.recv(chan)
            if t == WCREDIT:
                credits += 1
                continue
            if t == ERROR:
                raise OSError(*error(p))
            assert t == FS_ENTRY, hex(t)
            return entry(p), credits

    def read(self, path, user=None, credit=True):
        chan = self.request(FS_READ, s(path), user)
        data = bytearray()
        while True:
            t, p = self.recv(chan)
            if t == FS_END:
                return bytes(data)
            if t == ERROR:
                raise OSError(*error(p))
            assert t == FS_DATA, hex(t)
            data += p
            if credit:
                self.send(CREDIT, chan, struct.pack(">I", len(p)))

    def close(self):
        """Closes fd 0 (the agent must exit) and returns its exit status."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            return self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AgentError("agent did not exit after fd 0 was closed")
        finally:
            self.proc.stdout.close()

    def logtext(self):
        self.log.seek(0)
        text = self.log.read().decode(errors="replace")
        self.log.close()
        return text


def children_of(pid):
    """(pid, state) of every process whose parent is pid."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            out.append((int(d), fields[0]))
    return out


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def wait_until(cond, timeout=5, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class AgentCase(unittest.TestCase):
    def setUp(self):
        self.agent = Agent()
        self.tmp = tempfile.mkdtemp(prefix="airlock-agent-test-")
        os.chmod(self.tmp, 0o755)

    def tearDown(self):
        status = self.agent.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        log = self.agent.logtext()
        if status != 0 or os.environ.get("AIRLOCK_TEST_LOG"):
            sys.stderr.write(f"\n--- agent log ({self.id()}) ---\n{log}")
        self.assertEqual(status, 0, "agent exit status after fd 0 closed")

    def p(self, *parts):
        return os.path.join(self.tmp, *parts)


class ProtocolTest(AgentCase):
    def test_ready_sendsVersionFirst(self):
        self.assertEqual(self.agent.version, "airlock-init/1")

    def test_ping_echoesBytes(self):
        self.agent.send(PING, 0, b"\x00hello\xff")
        self.assertEqual(self.agent.recv(0), (PONG, b"\x00hello\xff"))
        self.agent.send(PING, 7, b"")
        self.assertEqual(self.agent.recv(7), (PONG, b""))

    def test_unknownType_answersEnosys(self):
        self.agent.send(0x7E, 9, b"x")
        t, p = self.agent.recv(9)
        self.assertEqual(t, ERROR)
        self.assertEqual(error(p)[0], errno.ENOSYS)


    def test_liveChannelReused_ebusyAndOriginalUnharmed(self):
        chan = self.agent.spawn(["sh", "-c", "read x; echo got $x"], flags=F_STDIN)
        self.agent.spawned(chan)
        self.agent.send(FS_STAT, chan, s(ME) + s("/"))
        t, p = self.agent.recv(chan)
        self.assertEqual((t, error(p)[0]), (ERROR, errno.EBUSY))
        self.agent.send(STDIN, chan, b"it\n")
        self.assertEqual(self.agent.collect(chan)["stdout"], b"got it\n")

    def test_framesForEndedChannel_ignored(self):
        chan = self.agent.spawn(["true"])
        self.agent.spawned(chan)
        self.agent.collect(chan)
        for t, p in ((STDIN, b"x"), (CREDIT, b"\0\0\0\1"), (SIGNAL, b"\0\0\0\x09"), (FS_WDATA, b"y"), (FS_WEND, b"")):
            self.agent.send(t, chan, p)
        self.agent.send(PING, 0, b"still here")
        self.assertEqual(self.agent.recv(0), (PONG, b"still here"))
        self.agent.quiet(chan, 0.3)


class FatalTest(unittest.TestCase):
    """Malformed input ends the agent with status 2; EOF on fd 0 with status 0."""

    def exit_status_after(self, raw):
        a = Agent()
        a.proc.stdin.write(raw)
        try:
            return a.proc.wait(timeout=10)
        finally:
            a.close()
            a.logtext()

    def test_shortLength_exits2(self):
        self.assertEqual(self.exit_status_after(struct.pack(">IB", 1, PING)), 2)

    def test_hugeLength_exits2(self):
        self.assertEqual(self.exit_status_after(struct.pack(">IBI", (1 << 20) + 1, PING, 1)), 2)

    def test_stringPastEnd_exits2(self):
        payload = s(ME) + struct.pack(">I", 1000) + b"abc"
        self.assertEqual(self.exit_status_after(struct.pack(">IBI", 5 + len(payload), FS_STAT, 1) + payload), 2)

    def test_trailingBytes_exits2(self):
        payload = s(ME) + s("/") + b"zz"
        self.assertEqual(self.exit_status_after(struct.pack(">IBI", 5 + len(payload), FS_STAT, 1) + payload), 2)

    def test_eof_exits0AndKillsProcesses(self):
        a = Agent()
        chan = a.spawn(["sleep", "100"])
        pid = a.spawned(chan)
        self.assertEqual(a.close(), 0)
        a.logtext()
        def gone():
            try:
                with open(f"/proc/{pid}/stat") as f:
                    return f.read().split()[2] == "Z"
            except FileNotFoundError:
                return True

        wait_until(gone, what="sleep to die with the agent")

    def test_eofWhileInputPaused_exits(self):
        a = Agent()
        chan = a.spawn(["sleep", "30"], flags=F_STDIN)  # never reads stdin
        a.spawned(chan)
        # 64 KiB fill the stdin pipe and 320 KiB stay queued: over the window, so the agent
        # stops reading fd 0 (yet all of it fits, so these writes do not block)
        for _ in range(6):
            a.send(STDIN, chan, b"z" * MAX_DATA)
        time.sleep(0.3)
        start = time.time()
        self.assertEqual(a.close(), 0)
        self.assertLess(time.time() - start, 3)
        self.assertIn("while its input was paused", a.logtext())

    def test_sigterm_isIgnored(self):
        a = Agent()
        os.kill(a.pid, 15)
        a.send(PING, 0, b"alive")
        self.assertEqual(a.recv(0), (PONG, b"alive"))
        self.assertEqual(a.close(), 0)
        a.logtext()


class ProcessTest(AgentCase):
    def test_echo_stdoutAndExit0(self):
        r = self.agent.run(["echo", "hello"])
        self.assertEqual((r["stdout"], r["kind"], r["value"]), (b"hello\n", 0, 0))

    def test_exitCode_reported(self):
        r = self.agent.run(["sh", "-c", "exit 3"])
        self.assertEqual((r["kind"], r["value"]), (0, 3))

    def test_stderr_separateChannel(self):
        r = self.agent.run(["sh", "-c", "echo out; echo err >&2"])
        self.assertEqual((r["stdout"], r["stderr"]), (b"out\n", b"err\n"))

    def test_stdin_catEchoesAndEndsOnClose(self):
        data = os.urandom(1024 * 1024)  # more than credit + pipes + queue: needs a reader thread
        r = self.agent.run(["cat"], stdin=data)
        self.assertEqual(r["stdout"], data)
        self.assertEqual(r["value"], 0)

    def test_stdinCredit_acknowledgesEveryByte(self):
        chan = self.agent.spawn(["sh", "-c", "cat >/dev/null; echo done"], flags=F_STDIN | F_STDIN_CREDIT)
        self.agent.spawned(chan)
        total, window, acked = 1024 * 1024, WINDOW, 0
        sent = 0
        while sent < total:
            while window <= 0:
                t, p = self.agent.recv(chan)
                self.assertEqual(t, WCREDIT)
                n = Reader(p).u32()
                window += n
                acked += n
            n = min(MAX_DATA, window)
            self.agent.send(STDIN, chan, b"x" * n)
            sent += n
            window -= n
        self.agent.send(STDIN_CLOSE, chan)
        while acked < total:
            t, p = self.agent.recv(chan)
            self.assertEqual(t, WCREDIT)
            acked += Reader(p).u32()
        r = self.agent.collect(chan)
        self.assertEqual((r["stdout"], acked), (b"done\n", total))

    def test_stdinWithoutCredit_backPressureBoundsMemory(self):
        # the process ignores stdin for a while: the agent must stop reading fd 0, not buffer 8 MiB
        chan = self.agent.spawn(["sh", "-c", "sleep 1; cat >/dev/null; echo done"], flags=F_STDIN)
        self.agent.spawned(chan)
        total = 8 * 1024 * 1024

        def feed():
            for _ in range(total // MAX_DATA):
                self.agent.send(STDIN, chan, b"y" * MAX_DATA)
            self.agent.send(STDIN_CLOSE, chan)

        feeder = threading.Thread(target=feed)
        feeder.start()
        time.sleep(0.7)
        self.assertLess(rss_kib(self.agent.pid), 16 * 1024)
        r = self.agent.collect(chan)
        feeder.join()
        self.assertEqual(r["stdout"], b"done\n")

    def test_outputFlood_memoryBounded(self):
        chan = self.agent.spawn(["sh", "-c", "head -c 50000000 /dev/zero"])
        self.agent.spawned(chan)
        time.sleep(0.5)  # no credit returned yet: the process is blocked
        self.assertLess(rss_kib(self.agent.pid), 16 * 1024)
        r = self.agent.collect(chan)
        self.assertEqual((len(r["stdout"]), r["value"]), (50000000, 0))

    def test_noStdin_readsEof(self):
        r = self.agent.run(["sh", "-c", "cat; echo rc=$?"])
        self.assertEqual(r["stdout"], b"rc=0\n")

    def test_env_exactPlusHomeUserLogname(self):
        r = self.agent.run(["/usr/bin/env"], env=["A=1", "PATH=/bin"])
        lines = sorted(r["stdout"].decode().splitlines())
        home = pwd.getpwnam(ME).pw_dir
        self.assertEqual(lines, sorted(["A=1", "PATH=/bin", f"HOME={home}", f"USER={ME}", f"LOGNAME={ME}"]))

    def test_env_givenHomeWins(self):
        r = self.agent.run(["sh", "-c", "echo $HOME"], env=["HOME=/x", "PATH=/bin:/usr/bin"])
        self.assertEqual(r["stdout"], b"/x\n")

    def test_cwd_usedAndEmptyMeansHome(self):
        self.assertEqual(self.agent.run(["pwd"], cwd=self.tmp)["stdout"].decode().strip(), self.tmp)
        home = pwd.getpwnam(ME).pw_dir
        self.assertEqual(self.agent.run(["pwd"])["stdout"].decode().strip(), os.path.realpath(home))

    def test_missingCwd_isErrorNotFallback(self):
        chan = self.agent.spawn(["pwd"], cwd=self.p("nope"))
        t, p = self.agent.recv(chan)
        self.assertEqual(t, ERROR)
        code, msg = error(p)
        self.assertEqual(code, errno.ENOENT)
        self.assertIn(self.p("nope"), msg)
        self.agent.quiet(chan, 0.5)

    def test_execFailure_errorEnoentAndNothingElse(self):
        chan = self.agent.spawn(["/nonexistent/command", "x"])
        t, p = self.agent.recv(chan)
        self.assertEqual(t, ERROR)
        code, msg = error(p)
        self.assertEqual(code, errno.ENOENT)
        self.assertIn("/nonexistent/command", msg)
        self.agent.quiet(chan, 0.5)

    def test_unknownUser_errorEinval(self):
        chan = self.agent.spawn(["true"], user="no-such-user-xyz")
        t, p = self.agent.recv(chan)
        self.assertEqual((t, error(p)[0]), (ERROR, errno.EINVAL))

    def test_signal_sigtermKillsSleep(self):
        chan = self.agent.spawn(["sleep", "100"])
        self.agent.spawned(chan)
        self.agent.send(SIGNAL, chan, struct.pack(">I", 15))
        r = self.agent.collect(chan, timeout=5)
        self.assertEqual((r["kind"], r["value"]), (1, 15))

    def test_signal_reachesWholeProcessGroup(self):
        chan = self.agent.spawn(["sh", "-c", "sleep 100 & sleep 100 & wait"])
        self.agent.spawned(chan)
        time.sleep(0.2)
        self.agent.send(SIGNAL, chan, struct.pack(">I", 9))
        r = self.agent.collect(chan, timeout=5)
        self.assertEqual((r["kind"], r["value"]), (1, 9))
        wait_until(lambda: not [c for c in children_of(self.agent.pid)], what="the sleeps to be gone")

    def test_backgroundGrandchild_doesNotHoldCommandOpen(self):
        start = time.time()
        r = self.agent.run(["sh", "-c", "sleep 30 & echo hi"])
        self.assertEqual((r["stdout"], r["value"]), (b"hi\n", 0))
        self.assertLess(time.time() - start, 3)

    def test_credit_stallsAtWindowAndResumes(self):
        chan = self.agent.spawn(["sh", "-c", "yes | head -c 5000000"])
        self.agent.spawned(chan)
        got = 0
        deadline = time.time() + 10
        while got < WINDOW and time.time() < deadline:
            t, p = self.agent.recv(chan)
            self.assertEqual(t, STDOUT)
            got += len(p)
        self.assertEqual(got, WINDOW)
        self.agent.quiet(chan, 1.0)  # no credit: no more output, and no EXIT
        r = None
        self.agent.send(CREDIT, chan, struct.pack(">I", got))
        r = self.agent.collect(chan)
        self.assertEqual(got + len(r["stdout"]), 5000000)
        self.assertEqual(r["value"], 0)

    def test_credit_exhaustedAtExitStillDrains(self):
        # head writes 300000 bytes and exits: 256 KiB go out, the rest waits in the pipe
        chan = self.agent.spawn(["head", "-c", "300000", "/dev/zero"])
        pid = self.agent.spawned(chan)
        got = 0
        while got < WINDOW:
            t, p = self.agent.recv(chan)
            got += len(p)
        wait_until(lambda: not os.path.exists(f"/proc/{pid}"), what="head to exit and be reaped")
        self.agent.quiet(chan, 0.5)  # exited, but EXIT waits for the output
        self.agent.send(PING, 0, b"x")  # and the loop is not blocked
        self.assertEqual(self.agent.recv(0), (PONG, b"x"))
        self.agent.send(CREDIT, chan, struct.pack(">I", 1 << 20))
        r = self.agent.collect(chan)
        self.assertEqual(got + len(r["stdout"]), 300000)

    def test_outputOfExactlyOneWindow_exitWithoutMoreCredit(self):
        chan = self.agent.spawn(["head", "-c", str(WINDOW), "/dev/zero"])
        self.agent.spawned(chan)
        r = self.agent.collect(chan, credit=False)
        self.assertEqual((len(r["stdout"]), r["value"]), (WINDOW, 0))

    def test_ptyOutput_drainedBeforeExit(self):
        chan = self.agent.spawn(["sh", "-c", "head -c 100000 /dev/zero | tr '\\0' a; echo END"], flags=F_PTY)
        self.agent.spawned(chan)
        r = self.agent.collect(chan)
        self.assertTrue(r["pty"].rstrip().endswith(b"END"), r["pty"][-50:])
        self.assertEqual(r["pty"].count(b"a"), 100000)

    def test_manyShortProcesses_allReaped(self):
        script = "for i in $(seq 60); do (sleep 0.05 &) ; true & done; wait; echo ok"
        chans = [self.agent.spawn(["sh", "-c", script]) for _ in range(3)]
        for c in chans:
            self.agent.spawned(c)
        for c in chans:
            self.assertEqual(self.agent.collect(c)["stdout"], b"ok\n")

        def no_zombies():
            return not [p for p, st in children_of(self.agent.pid) if st == "Z"] and not children_of(self.agent.pid)

        wait_until(no_zombies, what="every child and orphan to be reaped")

    def test_concurrentProcesses_outputStaysOnItsChannel(self):
        chans = {self.agent.spawn(["sh", "-c", f"for i in $(seq 200); do echo {n}; done"]): n for n in range(5)}
        for c in chans:
            self.agent.spawned(c)
        for c, n in chans.items():
            self.assertEqual(self.agent.collect(c)["stdout"], f"{n}\n".encode() * 200)

    def test_pty_ttyAndResize(self):
        chan = self.agent.spawn(["sh", "-c", "tty; read x; stty size"], flags=F_PTY | F_STDIN, cols=80, rows=24)
        self.agent.spawned(chan)
        self.agent.send(RESIZE, chan, struct.pack(">HH", 100, 40))
        time.sleep(0.1)
        self.agent.send(STDIN, chan, b"go\n")
        r = self.agent.collect(chan)
        text = r["pty"].decode()
        self.assertIn("/dev/pts/", text)
        self.assertIn("40 100", text)
        self.assertEqual((r["stdout"], r["stderr"], r["value"]), (b"", b"", 0))

    def test_pty_initialSizeAndStdinClose(self):
        chan = self.agent.spawn(["sh", "-c", "stty size; cat; echo end"], flags=F_PTY | F_STDIN, cols=132, rows=50)
        self.agent.spawned(chan)
        self.agent.send(STDIN, chan, b"abc\n")
        self.agent.send(STDIN_CLOSE, chan)
        r = self.agent.collect(chan)
        self.assertIn("50 132", r["pty"].decode())
        self.assertIn("end", r["pty"].decode())

    def test_childFds_onlyStdio(self):
        r = self.agent.run(["sh", "-c", "ls /proc/self/fd"])
        self.assertEqual(sorted(int(x) for x in r["stdout"].split()), [0, 1, 2, 3])  # 3: ls's own dir fd

    def test_childSignals_defaultAndUnblocked(self):
        r = self.agent.run(["sh", "-c", "grep -E '^Sig(Blk|Ign)' /proc/self/status"])
        self.assertIn(b"SigBlk:\t0000000000000000", r["stdout"])
        self.assertIn(b"SigIgn:\t0000000000000000", r["stdout"])

    def test_childOwnSession(self):
        chan = self.agent.spawn(["sh", "-c", "cut -d' ' -f6 /proc/self/stat; echo $$"])
        pid = self.agent.spawned(chan)
        r = self.agent.collect(chan)
        sid, shpid = r["stdout"].split()
        self.assertEqual(int(sid), pid)
        self.assertEqual(int(shpid), pid)

    @unittest.skipUnless(other_user(), "needs root and an unprivileged user on this host")
    def test_user_setuidAndGroups(self):
        pw = other_user()
        r = self.agent.run(["sh", "-c", "id -u; id -g; echo $HOME $USER"], user=pw.pw_name, cwd="/")
        lines = r["stdout"].decode().split("\n")
        self.assertEqual(lines[0], str(pw.pw_uid))
        self.assertEqual(lines[1], str(pw.pw_gid))
        self.assertEqual(lines[2], f"{pw.pw_dir} {pw.pw_name}")

    @unittest.skipUnless(other_user(), "needs root and an unprivileged user on this host")
    def test_user_cwdCheckedAsUser(self):
        pw = other_user()
        private = self.p("private")
        os.mkdir(private, 0o700)
        chan = self.agent.spawn(["pwd"], user=pw.pw_name, cwd=private)
        t, p = self.agent.recv(chan)
        self.assertEqual((t, error(p)[0]), (ERROR, errno.EACCES))


class FileTest(AgentCase):
    def test_writeRead_roundTrip3MiB(self):
        data = os.urandom(3 * 1024 * 1024 + 17)
        path = self.p("sub", "dir", "big.bin")
        e, credits = self.agent.write(path, data, meta={"origin": "test", "k2": "v2"})
        self.assertGreater(credits, 0)
        self.assertEqual((e["type"], e["size"], e["path"], e["name"]), (1, len(data), path, "big.bin"))
        self.assertEqual(e["meta"], {"origin": "test", "k2": "v2"})
        with open(path, "rb") as f:
            self.assertEqual(f.read(), data)
        self.assertEqual(self.agent.read(path), data)

    def test_write_truncatesAndReplacesMeta(self):
        path = self.p("f.txt")
        self.agent.write(path, b"long content here", meta={"a": "1"})
        e, _ = self.agent.write(path, b"short", meta={"b": "2"})
        self.assertEqual((e["size"], e["meta"]), (5, {"b": "2"}))
        with open(path, "rb") as f:
            self.assertEqual(f.read(), b"short")

    def test_read_withoutCreditStallsAtWindow(self):
        path = self.p("f.bin")
        with open(path, "wb") as f:
            f.write(b"z" * (WINDOW + 1000))
        chan = self.agent.request(FS_READ, s(path))
        got = 0
        while got < WINDOW:
            t, p = self.agent.recv(chan)
            self.assertEqual(t, FS_DATA)
            got += len(p)
        self.assertEqual(got, WINDOW)
        self.agent.quiet(chan, 0.5)
        self.agent.send(CREDIT, chan, struct.pack(">I", 1000))
        self.assertEqual(self.agent.recv(chan), (FS_DATA, b"z" * 1000))
        self.assertEqual(self.agent.recv(chan)[0], FS_END)

    def test_relativePath_underHome(self):
        home = pwd.getpwnam(ME).pw_dir
        name = f"airlock-test-{os.getpid()}.txt"
        try:
            e, _ = self.agent.write(name, b"x")
            self.assertEqual(e["path"], os.path.join(home, name))
            self.assertTrue(os.path.exists(os.path.join(home, name)))
        finally:
            try:
                os.unlink(os.path.join(home, name))
            except FileNotFoundError:
                pass

    def test_stat_fileDirSymlink(self):
        with open(self.p("f"), "w") as f:
            f.write("12345")
        os.symlink("f", self.p("ln"))
        e = self.agent.stat(self.p("f"))
        self.assertEqual((e["type"], e["size"], e["owner"], e["name"]), (1, 5, ME, "f"))
        self.assertEqual(stat.S_IMODE(e["mode"]), 0o644)
        self.assertEqual(e["mtime_ns"], os.stat(self.p("f")).st_mtime_ns)
        self.assertEqual(self.agent.stat(self.tmp + "/")["type"], 2)
        link = self.agent.stat(self.p("ln"))
        self.assertEqual((link["type"], link["target"]), (3, "f"))
        with self.assertRaises(OSError) as cm:
            self.agent.stat(self.p("missing"))
        self.assertEqual(cm.exception.errno, errno.ENOENT)
        self.assertIn(self.p("missing"), cm.exception.strerror)

    def test_stat_rootIsNamedSlash(self):
        e = self.agent.stat("/")
        self.assertEqual((e["name"], e["path"], e["type"]), ("/", "/", 2))

    def test_pathNormalization_trailingSlashDoesNotFollowSymlink(self):
        os.mkdir(self.p("real"))
        os.symlink("real", self.p("ln"))
        e = self.agent.stat(self.tmp + "//./ln/")
        self.assertEqual((e["path"], e["type"]), (self.p("ln"), 3))

    def test_nonUtf8Name_sentAsRawBytes(self):
        raw = os.path.join(self.tmp.encode(), b"caf\xe9")
        open(raw, "w").close()
        chan = self.agent.request(FS_LIST, s(self.tmp) + struct.pack(">I", 1))
        t, p = self.agent.recv(chan)
        self.assertEqual(t, FS_ENTRY)
        r = Reader(p)
        self.assertEqual(r.take(r.u32()), b"caf\xe9")
        self.assertEqual(r.take(r.u32()), raw)
        self.assertEqual(self.agent.recv(chan)[0], FS_END)

    def test_write_badMetadataKey_einvalAndFileUntouched(self):
        with open(self.p("keep"), "w") as f:
            f.write("old")
        for key in ("", "k" * 243):
            with self.assertRaises(OSError) as cm:
                self.agent.write(self.p("keep"), b"new", meta={key: "v"})
            self.assertEqual(cm.exception.errno, errno.EINVAL)
        with open(self.p("keep")) as f:
            self.assertEqual(f.read(), "old")

    def test_write_intoFileAsParent_enotdir(self):
        open(self.p("file"), "w").close()
        with self.assertRaises(OSError) as cm:
            self.agent.write(self.p("file", "child"), b"x")
        self.assertEqual(cm.exception.errno, errno.ENOTDIR)

    def test_nulInPath_einval(self):
        with self.assertRaises(OSError) as cm:
            self.agent.stat(self.tmp + "\0/etc")
        self.assertEqual(cm.exception.errno, errno.EINVAL)

    def test_list_depth(self):
        os.makedirs(self.p("a", "b", "c"))
        for rel in ("top.txt", "a/one.txt", "a/b/two.txt", "a/b/c/three.txt"):
            open(self.p(rel), "w").close()
        names = lambda d: sorted(os.path.relpath(e["path"], self.tmp) for e in self.agent.list(self.tmp, d))
        self.assertEqual(names(1), ["a", "top.txt"])
        self.assertEqual(names(2), ["a", "a/b", "a/one.txt", "top.txt"])
        self.assertEqual(names(10), ["a", "a/b", "a/b/c", "a/b/c/three.txt", "a/b/two.txt", "a/one.txt", "top.txt"])
        with self.assertRaises(OSError) as cm:
            self.agent.list(self.p("top.txt"))
        self.assertEqual(cm.exception.errno, errno.ENOTDIR)

    def test_list_symlinkLoopsDoNotHang(self):
        os.makedirs(self.p("d", "e"))
        os.symlink(".", self.p("d", "self"))
        os.symlink("..", self.p("d", "e", "up"))
        os.symlink("x", self.p("y"))
        os.symlink("y", self.p("x"))
        start = time.time()
        entries = self.agent.list(self.tmp, 100, timeout=5)
        self.assertLess(time.time() - start, 5)
        by = {os.path.relpath(e["path"], self.tmp): e for e in entries}
        self.assertEqual(sorted(by), ["d", "d/e", "d/e/up", "d/self", "x", "y"])
        self.assertEqual(by["d/self"]["type"], 3)

    def test_list_large(self):
        os.mkdir(self.p("many"))
        for i in range(1000):
            open(self.p("many", f"f{i}"), "w").close()
        self.assertEqual(len(self.agent.list(self.p("many"))), 1000)

    def test_mkdir_parentsAndEexist(self):
        e = self.agent.mkdir(self.p("x", "y", "z"))
        self.assertEqual((e["type"], e["path"]), (2, self.p("x", "y", "z")))
        self.assertTrue(os.path.isdir(self.p("x", "y", "z")))
        with self.assertRaises(OSError) as cm:
            self.agent.mkdir(self.p("x", "y", "z"))
        self.assertEqual(cm.exception.errno, errno.EEXIST)

    def test_move_renamesAndReportsDestination(self):
        with open(self.p("a"), "w") as f:
            f.write("abc")
        e = self.agent.move(self.p("a"), self.p("b"))
        self.assertEqual((e["path"], e["size"]), (self.p("b"), 3))
        self.assertFalse(os.path.exists(self.p("a")))
        with self.assertRaises(OSError) as cm:
            self.agent.move(self.p("a"), self.p("c"))
        self.assertEqual(cm.exception.errno, errno.ENOENT)

    def test_remove_recursiveWithoutFollowingSymlinks(self):
        outside = self.p("outside")
        os.makedirs(outside)
        open(os.path.join(outside, "keep"), "w").close()
        os.makedirs(self.p("tree", "a", "b"))
        open(self.p("tree", "a", "b", "f"), "w").close()
        os.symlink(outside, self.p("tree", "a", "link"))
        os.symlink(outside, self.p("tree", "a", "b", "link2"))
        self.agent.remove(self.p("tree"))
        self.assertFalse(os.path.lexists(self.p("tree")))
        self.assertTrue(os.path.exists(os.path.join(outside, "keep")))
        os.symlink(outside, self.p("toplink"))
        self.agent.remove(self.p("toplink"))
        self.assertFalse(os.path.lexists(self.p("toplink")))
        self.assertTrue(os.path.exists(os.path.join(outside, "keep")))
        with self.assertRaises(OSError) as cm:
            self.agent.remove(self.p("gone"))
        self.assertEqual(cm.exception.errno, errno.ENOENT)

    def test_fifo_readRefusedWithoutHanging(self):
        os.mkfifo(self.p("fifo"))
        start = time.time()
        with self.assertRaises(OSError) as cm:
            self.agent.read(self.p("fifo"))
        self.assertEqual(cm.exception.errno, errno.EINVAL)
        self.assertIn("regular file", cm.exception.strerror)
        with self.assertRaises(OSError) as cm:
            self.agent.write(self.p("fifo"), b"data")
        self.assertEqual(cm.exception.errno, errno.EINVAL)
        self.assertLess(time.time() - start, 3)

    def test_nonRegular_dirAndDeviceRefused(self):
        for path in (self.tmp, "/dev/null"):
            with self.assertRaises(OSError) as cm:
                self.agent.read(path)
            self.assertEqual(cm.exception.errno, errno.EINVAL, path)
        with self.assertRaises(OSError) as cm:
            self.agent.write(self.tmp, b"x")
        self.assertEqual(cm.exception.errno, errno.EINVAL)

    @unittest.skipUnless(other_user(), "needs root and an unprivileged user on this host")
    def test_user_permissionsApply(self):
        pw = other_user()
        with self.assertRaises(OSError) as cm:
            self.agent.write(self.p("denied.txt"), b"x", user=pw.pw_name)
        self.assertEqual(cm.exception.errno, errno.EACCES)
        os.mkdir(self.p("open"))
        os.chown(self.p("open"), pw.pw_uid, pw.pw_gid)
        e, _ = self.agent.write(self.p("open", "new", "f.txt"), b"mine", user=pw.pw_name)
        self.assertEqual(e["owner"], pw.pw_name)
        self.assertEqual(os.stat(self.p("open", "new")).st_uid, pw.pw_uid)  # parents belong to the user
        with open(self.p("secret"), "w") as f:
            f.write("s")
        os.chmod(self.p("secret"), 0o600)
        with self.assertRaises(OSError) as cm:
            self.agent.read(self.p("secret"), user=pw.pw_name)
        self.assertEqual(cm.exception.errno, errno.EACCES)
        self.assertEqual(self.agent.read(self.p("secret")), b"s")  # and root is root again


class WatchTest(AgentCase):
    def events(self, chan, until, timeout=5):
        got = []
        deadline = time.time() + timeout
        while not until(got):
            t, p = self.agent.recv(chan, max(0.05, deadline - time.time()))
            self.assertEqual(t, FS_EVENT)
            r = Reader(p)
            got.append((r.u8(), r.str()))
            r.end()
        return got

    def watch(self, path, recursive):
        chan = self.agent.request(FS_WATCH, s(path) + bytes([recursive]))
        self.assertEqual(self.agent.recv(chan)[0], FS_END)
        return chan

    def test_watch_createWriteRemoveRenameChmod(self):
        chan = self.watch(self.tmp, False)
        with open(self.p("f"), "w") as f:
            f.write("x")
        os.chmod(self.p("f"), 0o600)
        os.rename(self.p("f"), self.p("g"))
        os.unlink(self.p("g"))
        want = [(EV_CREATE, "f"), (EV_WRITE, "f"), (EV_CHMOD, "f"), (EV_RENAME, "f"), (EV_CREATE, "g"), (EV_REMOVE, "g")]
        got = self.events(chan, lambda g: (EV_REMOVE, "g") in g)
        self.assertEqual(got, want)
        self.agent.send(FS_UNWATCH, chan)
        self.assertEqual(self.agent.recv(chan)[0], FS_END)
        open(self.p("after"), "w").close()
        self.agent.quiet(chan, 0.3)

    def test_watch_recursiveIncludingNewDirs(self):
        os.makedirs(self.p("old", "deep"))
        chan = self.watch(self.tmp, True)
        open(self.p("old", "deep", "a"), "w").close()
        os.mkdir(self.p("new"))
        time.sleep(0.2)  # the agent adds the watch when it sees the directory's create event
        open(self.p("new", "b"), "w").close()
        got = self.events(chan, lambda g: (EV_CREATE, "new/b") in g)
        self.assertIn((EV_CREATE, "old/deep/a"), got)
        self.assertIn((EV_CREATE, "new"), got)
        os.rename(self.p("new"), self.p("renamed"))
        open(self.p("renamed", "c"), "w").close()
        got = self.events(chan, lambda g: (EV_CREATE, "renamed/c") in g)
        self.assertEqual(got[:2], [(EV_RENAME, "new"), (EV_CREATE, "renamed")])

    def test_watch_dirMovedAcrossParentsAndOut(self):
        os.makedirs(self.p("w", "a", "x"))
        os.makedirs(self.p("w", "b"))
        os.makedirs(self.p("elsewhere"))
        chan = self.watch(self.p("w"), True)
        os.rename(self.p("w", "a", "x"), self.p("w", "b", "x"))
        open(self.p("w", "b", "x", "f"), "w").close()
        got = self.events(chan, lambda g: (EV_CREATE, "b/x/f") in g)
        self.assertEqual(got[:2], [(EV_RENAME, "a/x"), (EV_CREATE, "b/x")])
        os.rename(self.p("w", "b", "x"), self.p("elsewhere", "x"))
        got = self.events(chan, lambda g: (EV_RENAME, "b/x") in g)
        time.sleep(0.2)
        open(self.p("elsewhere", "x", "g"), "w").close()  # no longer in the tree: no event
        open(self.p("w", "marker"), "w").close()
        got = self.events(chan, lambda g: (EV_CREATE, "marker") in g)
        self.assertEqual(got, [(EV_CREATE, "marker")])

    def test_watch_nonRecursiveIgnoresSubdirs(self):
        os.mkdir(self.p("sub"))
        chan = self.watch(self.tmp, False)
        open(self.p("sub", "x"), "w").close()
        open(self.p("top"), "w").close()
        got = self.events(chan, lambda g: (EV_CREATE, "top") in g)
        self.assertNotIn((EV_CREATE, "sub/x"), got)

    def test_unwatch_unknownChannelIsIdempotent(self):
        self.agent.send(FS_UNWATCH, 4242)
        self.assertEqual(self.agent.recv(4242)[0], FS_END)

    def test_watch_missingPathErrors(self):
        chan = self.agent.request(FS_WATCH, s(self.p("nope")) + b"\x01")
        t, p = self.agent.recv(chan)
        self.assertEqual((t, error(p)[0]), (ERROR, errno.ENOENT))


if __name__ == "__main__":
    if not os.access(BIN, os.X_OK):
        sys.exit(f"airlock-init binary not found at {BIN}; build it with make -C agent")
    unittest.main()
