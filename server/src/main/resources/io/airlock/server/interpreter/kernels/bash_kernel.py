#!/usr/bin/env python3
"""Airlock code-interpreter kernel for bash (python3 stdlib only).

Protocol: one JSON object per line; requests on stdin, events on stdout (see the kernel protocol
contract of issue 4). This process runs no user code itself: user code runs in a persistent child
`bash --noprofile --norc --noediting -i` whose stdin is a command pipe owned by this kernel and whose
fd 1/2 are pipes this kernel reads and turns into stdout/stderr events.

How a cell runs:
  * the code is handed to bash as a quoted here-document and read into a variable, then run with
    `eval "$code" </dev/null` (so cd/export/functions persist, and commands reading stdin get EOF);
  * bash is interactive (without job control) so that SIGINT behaves like Ctrl-C in a terminal: the
    kernel sends SIGINT to bash's process group, the foreground command dies, bash abandons the rest
    of the cell and stays alive;
  * bash's PROMPT_COMMAND runs after the cell, finished or interrupted; it restores the env_vars of
    the call and writes a marker with the cell number to saved copies of bash's fd 1 and fd 2. The
    kernel emits `end` once it has read the marker on both pipes, so all output comes before `end`.
  * if the shell itself exits (`exit`, `exec` of something that ends), the execution gets an error
    event and a fresh shell is started for the next one (cwd and variables are reset).
"""
import codecs
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time

MAX_TEXT_CHARS = 16384          # 16384 code points always encode to <= 64 KiB of UTF-8
MAX_TEXT_BYTES = 65536
IDLE_BUFFER_LIMIT = 1 << 20
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

TOKEN = secrets.token_hex(12)
MARK_PREFIX = b"\x01\x02AIRLOCK-" + TOKEN.encode() + b":"
MARK_END = b"\x03"
HEREDOC_END = "AIRLOCK_EOF_" + TOKEN

INIT_SCRIPT = r"""set +o history +H; unset HISTFILE MAILCHECK MAIL PROMPT_COMMAND; PS1=''; PS2=''; PS0=''; PS4='+ '
exec {__airlock_out}>&1 {__airlock_err}>&2
__airlock_mark() { printf '\001\002AIRLOCK-%s:%s\003' "$__airlock_token" "$1" >&"$__airlock_out"; [[ $1 == B* ]] || printf '\001\002AIRLOCK-%s:%s\003' "$__airlock_token" "$1" >&"$__airlock_err"; }
__airlock_begin() { __airlock_active=$1; __airlock_mark "B$1"; }
__airlock_setrc() { return "${__airlock_rc:-0}"; }
__airlock_save() { local __airlock_n __airlock_a; __airlock_restore=; for __airlock_n; do if [[ -v $__airlock_n ]]; then __airlock_a=${!__airlock_n@A}; __airlock_restore+="unset -v $__airlock_n; ${__airlock_a/#declare /declare -g }"$'\n'; else __airlock_restore+="unset -v $__airlock_n"$'\n'; fi; done; }
__airlock_prompt() { local __airlock_s=$?; if [[ -n $__airlock_active ]]; then __airlock_rc=$__airlock_s; eval "$__airlock_restore"; __airlock_mark "D$__airlock_active"; __airlock_active=; __airlock_restore=; fi; }
PROMPT_COMMAND=__airlock_prompt
printf '%s' "$BASH_VERSION" >&"$__airlock_out"
__airlock_begin 0
"""


class Output:
    """The single writer of protocol lines, plus the stdout/stderr sink for the running execution."""

    def __init__(self):
        self.lock = threading.Lock()
        self.fd = sys.stdout.fileno()
        self.current = None
        self.idle = []
        self.idle_chars = 0
        self.idle_dropped = 0

    def write(self, obj):
        data = (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8", "surrogatepass")
        with self.lock:
            self._write_raw(data)

    def _write_raw(self, data):
        view = memoryview(data)
        while view:
            n = os.write(self.fd, view)
            view = view[n:]

    def text(self, kind, text):
        if not text:
            return
        with self.lock:
            if self.current is None:
                if self.idle_chars + len(text) > IDLE_BUFFER_LIMIT:
                    self.idle_dropped += len(text)
                else:
                    self.idle_chars += len(text)
                    self.idle.append((kind, text))
                return
            self._emit_text(kind, text)

    def _emit_text(self, kind, text):
        if len(text) <= MAX_TEXT_CHARS or len(text.encode("utf-8", "surrogatepass")) <= MAX_TEXT_BYTES:
            pieces = [text]
        else:
            pieces = [text[i:i + MAX_TEXT_CHARS] for i in range(0, len(text), MAX_TEXT_CHARS)]
        for piece in pieces:
            line = json.dumps({"id": self.current, "type": kind, "text": piece,
                               "timestamp": time.time_ns()}, ensure_ascii=False) + "\n"
            self._write_raw(line.encode("utf-8", "surrogatepass"))

    def begin(self, rid):
        with self.lock:
            self.current = rid
            held, self.idle, self.idle_chars = self.idle, [], 0
            for kind, text in held:
                self._emit_text(kind, text)
            if self.idle_dropped:
                self._emit_text("stderr", "[airlock: %d characters of output produced between executions "
                                          "were dropped]\n" % self.idle_dropped)
                self.idle_dropped = 0

    def end(self, rid, count):
        with self.lock:
            self._write_raw((json.dumps({"id": rid, "type": "end", "execution_count": count}) + "\n").encode())
            self.current = None


def log(msg):
    try:
        sys.stderr.write("bash_kernel: %s\n" % msg)
        sys.stderr.flush()
    except Exception:
        pass


class StreamReader(threading.Thread):
    """Reads one of bash's output pipes, emits its text and tracks the markers written by bash."""

    def __init__(self, shell, kind, fd):
        super().__init__(daemon=True)
        self.shell = shell
        self.kind = kind
        self.fd = fd
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.pending = b""
        self.done_seq = -1
        self.begun_seq = -1
        self.eof = False

    def run(self):
        try:
            while True:
                data = os.read(self.fd, 65536)
                if not data:
                    break
                self.feed(data)
        except OSError:
            pass
        finally:
            self.flush()
            with self.shell.cond:
                self.eof = True
                self.shell.cond.notify_all()

    def emit(self, data, final=False):
        text = self.decoder.decode(data, final)
        if final:
            self.decoder.reset()
        if text:
            self.shell.sink(self.kind, text)

    def feed(self, data):
        buf = self.pending + data if self.pending else data
        self.pending = b""
        while True:
            i = buf.find(MARK_PREFIX)
            if i < 0:
                keep = 0
                for k in range(min(len(buf), len(MARK_PREFIX) - 1), 0, -1):
                    if buf.endswith(MARK_PREFIX[:k]):
                        keep = k
                        break
                self.emit(buf[:len(buf) - keep] if keep else buf)
                self.pending = buf[len(buf) - keep:] if keep else b""
                return
            j = buf.find(MARK_END, i + len(MARK_PREFIX))
            if j < 0:
                self.emit(buf[:i])
                self.pending = buf[i:]
                return
            marker = buf[i + len(MARK_PREFIX):j].decode("ascii", "replace")
            # Output before a "done" marker belongs to the finished cell: flush partial UTF-8 too.
            self.emit(buf[:i], final=marker[:1] == "D")
            buf = buf[j + 1:]
            self.on_marker(marker)

    def on_marker(self, marker):
        try:
            seq = int(marker[1:])
        except ValueError:
            return
        with self.shell.cond:
            if marker[0] == "D":
                self.done_seq = max(self.done_seq, seq)
            elif marker[0] == "B":
                self.begun_seq = max(self.begun_seq, seq)
            self.shell.cond.notify_all()

    def flush(self):
        data, self.pending = self.pending, b""
        self.emit(data, final=True)


class Shell:
    """One persistent bash process."""

    def __init__(self, kernel):
        self.kernel = kernel
        self.cond = threading.Condition()
        self.collecting = []          # output captured during start-up instead of being emitted
        self.capture = True
        self.live = True              # False once a dead shell's leftovers must be ignored
        env = dict(os.environ)
        env["__airlock_token"] = TOKEN
        # bash leads a session of its own (for SIGINT to its process group), so a SIGKILL to this
        # kernel's group misses it: the parent-death signal takes it down with the kernel.
        prefix = ["setpriv", "--pdeathsig", "KILL"] if shutil.which("setpriv") else []
        self.proc = subprocess.Popen(
            prefix + ["bash", "--noprofile", "--norc", "--noediting", "-i"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True, env=env, bufsize=0)
        self.out = StreamReader(self, "stdout", self.proc.stdout.fileno())
        self.err = StreamReader(self, "stderr", self.proc.stderr.fileno())
        self.exit_status = None
        self.out.start()
        self.err.start()
        threading.Thread(target=self._wait, daemon=True).start()
        self.send("unset __airlock_token; __airlock_token=" + TOKEN + "\n" + INIT_SCRIPT)
        ok = self.wait_done(0, deadline=time.monotonic() + 30)
        startup = "".join(t for k, t in self.collecting if k == "stdout")
        self.version = startup.strip() or "unknown"
        noise = "".join(t for k, t in self.collecting if k == "stderr").strip()
        if noise:
            log("bash start-up said: " + noise[:500])
        self.collecting = []
        self.capture = False
        if not ok:
            raise RuntimeError("bash did not start (exit status %s)" % self.exit_status)

    def _wait(self):
        status = self.proc.wait()
        with self.cond:
            self.exit_status = status
            self.cond.notify_all()

    def sink(self, kind, text):
        if self.capture:
            self.collecting.append((kind, text))
        elif self.live:
            self.kernel.output.text(kind, text)

    def send(self, text):
        try:
            self.proc.stdin.write(text.encode("utf-8", "surrogateescape"))
        except (BrokenPipeError, OSError):
            pass

    def wait_done(self, seq, deadline=None):
        """Waits until both pipes carried the done marker of `seq`; False if bash died first."""
        with self.cond:
            while not (self.out.done_seq >= seq and self.err.done_seq >= seq):
                if self.exit_status is not None:
                    return False
                if deadline is not None and time.monotonic() > deadline:
                    return False
                self.cond.wait(0.5)
            return True

    def begun(self, seq):
        with self.cond:
            return self.out.begun_seq >= seq

    def interrupt(self):
        try:
            os.killpg(self.proc.pid, signal.SIGINT)
        except OSError:
            pass
        # A newline makes bash run PROMPT_COMMAND again in case the interrupt hit it mid-way.
        self.send("\n")

    def drain_after_death(self):
        """Lets output still in the pipes of a dead shell arrive (briefly), then ignores the rest."""
        deadline = time.monotonic() + 0.3
        with self.cond:
            while not (self.out.eof and self.err.eof) and time.monotonic() < deadline:
                self.cond.wait(0.05)
        self.live = False

    def kill(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass


def bash_quote(value):
    value = str(value).replace("\x00", "")
    return "$'" + (value.replace("\\", "\\\\").replace("'", "\\'")
                   .replace("\n", "\\n").replace("\r", "\\r")) + "'"


class Kernel:
    def __init__(self):
        self.output = Output()
        self.count = 0
        self.running = False
        self.pending_interrupt = False
        self.shell = Shell(self)

    def on_sigint(self, signum, frame):
        if not self.running:
            return                      # idle: ignored
        if self.shell.begun(self.count):
            self.shell.interrupt()
        else:
            self.pending_interrupt = True

    def execute(self, req):
        rid = req.get("id")
        self.count += 1
        seq = self.count
        self.output.begin(rid)
        code = req.get("code")
        if not isinstance(code, str):
            self.error(rid, "TypeError", 'the execute request has no "code" string')
            self.output.end(rid, seq)
            return
        env_vars = req.get("env_vars") or {}
        if not isinstance(env_vars, dict):
            env_vars = {}
        bad = [k for k in env_vars if not NAME_RE.match(str(k))]
        if bad:
            self.error(rid, "ValueError", "env_vars names must be shell identifiers ([A-Za-z_][A-Za-z0-9_]*); "
                                          "got %s" % ", ".join(repr(b) for b in bad[:5]))
            self.output.end(rid, seq)
            return
        code = code.replace("\x00", "")
        if not code.endswith("\n"):
            code += "\n"
        parts = ["__airlock_begin %d" % seq]
        if env_vars:
            names = " ".join(env_vars)
            parts.append("__airlock_save " + names)
            parts.append("export " + " ".join("%s=%s" % (k, bash_quote(v)) for k, v in env_vars.items()))
        parts.append('__airlock_setrc; eval "$__airlock_code" </dev/null')
        script = ("IFS= read -r -d '' __airlock_code <<'%s'\n%s%s\n%s\n"
                  % (HEREDOC_END, code, HEREDOC_END, "; ".join(parts)))
        shell = self.shell
        self.running = True
        self.pending_interrupt = False
        shell.send(script)
        try:
            while True:
                if shell.wait_done(seq, deadline=time.monotonic() + 0.1):
                    break
                if shell.exit_status is not None:
                    shell.drain_after_death()
                    status = shell.exit_status
                    self.running = False
                    try:
                        self.shell = Shell(self)
                    except Exception as e:  # noqa
                        log("could not restart bash: %s" % e)
                    self.error(rid, "ShellExited",
                               "bash exited with status %s; a new shell was started (the working directory "
                               "and variables were reset)" % (status if status >= 0 else "signal %d" % -status))
                    break
                if self.pending_interrupt and shell.begun(seq):
                    self.pending_interrupt = False
                    shell.interrupt()
        finally:
            self.running = False
        self.output.end(rid, seq)

    def error(self, rid, name, value):
        self.output.write({"id": rid, "type": "error", "name": name, "value": value, "traceback": value})

    def serve(self):
        self.output.write({"type": "ready", "language": "bash", "version": self.shell.version})
        stdin = sys.stdin.buffer
        while True:
            line = stdin.readline()
            if not line:
                break
            if not line.strip():
                continue
            try:
                req = json.loads(line)
            except ValueError:
                log("ignoring a request that is not JSON")
                continue
            if not isinstance(req, dict) or req.get("type") != "execute":
                log("ignoring a request of type %r" % (req.get("type") if isinstance(req, dict) else None))
                continue
            self.execute(req)
        self.shell.kill()


def main():
    kernel = None

    def handler(signum, frame):
        if kernel is not None:
            kernel.on_sigint(signum, frame)

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    kernel = Kernel()
    kernel.serve()


if __name__ == "__main__":
    main()
