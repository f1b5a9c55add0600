"""Drives js_kernel.js inside the code-interpreter template rootfs and asserts the protocol events.

Run as root on the host:  python3 test_js_kernel.py
The kernel runs in a private mount namespace over the template rootfs (see kerneltest.py).
"""
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kerneltest import Kernel, Runner, rootfs, text, results, errors, main_text, common_event_checks  # noqa

HERE = os.path.dirname(os.path.abspath(__file__))
KERNEL = os.path.normpath(os.path.join(
    HERE, "../../../../../../main/resources/io/airlock/server/interpreter/kernels/js_kernel.js"))


def run():
    r = Runner()
    k = Kernel(["node", "/tmp/js_kernel.js"], [KERNEL])
    print("ready latency: %.1f ms  %s" % (k.ready_latency * 1000, k.ready))

    def ex(code, **kw):
        evs = k.execute(code, **kw)
        common_event_checks(evs)
        return evs

    def t_ready():
        assert k.ready["language"] == "javascript" and k.ready["version"].startswith("18."), k.ready
    r.check("ready", t_ready)

    def t_expr():
        evs = ex("1+1")
        assert main_text(evs) == "2", evs
        assert evs[-1]["execution_count"] == 1, evs
        assert [e["type"] for e in evs] == ["result", "end"], evs
    r.check("last expression is the main result", t_expr)

    def t_undefined():
        evs = ex("let u = 5")
        assert results(evs) == [], evs
        evs = ex("console.log('x'); undefined")
        assert results(evs) == [] and text(evs, "stdout") == "x\n", evs
    r.check("undefined gives no result", t_undefined)

    def t_persist():
        ex("let a = 1; const b = 2; var c = 3; function f(x) { return x * 10 } class K { v() { return 7 } }")
        evs = ex("[a, b, c, f(2), new K().v()]")
        assert main_text(evs) == "[ 1, 2, 3, 20, 7 ]", evs
        evs = ex("let a = 10; const b = 20; a + b")      # redeclaration across cells is allowed
        assert main_text(evs) == "30", evs
        evs = ex("let q; q")
        assert results(evs) == [], evs
    r.check("top-level declarations persist and can be redeclared", t_persist)

    def t_await():
        evs = ex("const p = await new Promise(r => setTimeout(() => r(42), 20)); console.log('got', p); p + 1")
        assert text(evs, "stdout") == "got 42\n" and main_text(evs) == "43", evs
        evs = ex("p * 2")
        assert main_text(evs) == "84", evs
        evs = ex("async function g() { return 5 } const {x, y: [z]} = await Promise.resolve({x: 1, y: [2]}); "
                 "for (var i = 0; i < 2; i++) {} [await g(), x, z, i]")
        assert main_text(evs) == "[ 5, 1, 2, 2 ]", evs
        evs = ex("[g.name, x, z, i]")
        assert main_text(evs) == "[ 'g', 1, 2, 2 ]", evs
    r.check("top-level await with persistent declarations", t_await)

    def t_reject():
        evs = ex("await Promise.reject(new RangeError('nope'))")
        e = errors(evs)
        assert len(e) == 1 and e[0]["name"] == "RangeError" and e[0]["value"] == "nope", evs
        assert "RangeError: nope" in e[0]["traceback"] and "js_kernel" not in e[0]["traceback"], e
    r.check("rejected top-level await is an error", t_reject)

    def t_error():
        evs = ex("console.log('before');\nnull.x")
        e = errors(evs)
        assert text(evs, "stdout") == "before\n", evs
        assert len(e) == 1 and e[0]["name"] == "TypeError", evs
        assert "Cannot read properties of null" in e[0]["value"], e
        assert "<cell-" in e[0]["traceback"], e
        evs = ex("throw 'plain'")
        assert errors(evs)[0]["value"] == "'plain'", evs
        evs = ex("let let = 1")
        assert errors(evs)[0]["name"] == "SyntaxError", evs
    r.check("errors", t_error)

    def t_streams():
        evs = ex("console.log('o1'); console.error('e1'); process.stdout.write('o2\\n'); "
                 "require('child_process').execSync('echo child; echo childerr >&2', {stdio: 'inherit'}); 7")
        assert text(evs, "stdout") == "o1\no2\nchild\n", evs
        assert text(evs, "stderr") == "e1\nchilderr\n", evs
        assert main_text(evs) == "7"
        kinds = [e["type"] for e in evs]
        assert kinds.index("result") > max(i for i, t in enumerate(kinds) if t == "stdout"), kinds
    r.check("stdout/stderr incl. child processes, before the result", t_streams)

    def t_streaming():
        rid = k.send("console.log('first'); await new Promise(r => setTimeout(r, 700)); console.log('second')")
        t0 = time.time()
        first = k.next_event()
        assert first["type"] == "stdout" and first["text"] == "first\n", first
        assert time.time() - t0 < 0.5, "first line was not streamed"
        rest = k.collect(rid)
        assert text(rest, "stdout") == "second\n", rest
    r.check("output is streamed as it happens", t_streaming)

    def t_big():
        evs = ex("process.stdout.write('x'.repeat(1000000)); process.stdout.write('é'.repeat(100000)); 1")
        out = text(evs, "stdout")
        assert out == "x" * 1000000 + "é" * 100000, len(out)
        assert main_text(evs) == "1"
    r.check("huge output is chunked (<= 64 KiB per event)", t_big)

    def t_invalid_utf8():
        evs = ex("process.stdout.write(Buffer.from([0x61, 0xff, 0x62, 0xe2, 0x82])); 0")
        out = text(evs, "stdout")
        assert out.startswith("a\ufffdb") and out.endswith("\ufffd"), repr(out)
    r.check("invalid UTF-8 is replaced", t_invalid_utf8)

    def t_env():
        evs = ex("[process.env.AIRLOCK_T1, process.env.HOME]", env_vars={"AIRLOCK_T1": "v1", "HOME": "/h"})
        assert main_text(evs) == "[ 'v1', '/h' ]", evs
        evs = ex("[process.env.AIRLOCK_T1, process.env.HOME]")
        assert main_text(evs) == "[ undefined, '/home/user' ]", evs
    r.check("env_vars apply to one call", t_env)

    def t_objects():
        evs = ex("{a: 1, b: 'x'}")
        assert main_text(evs) == "{ a: 1, b: 'x' }", evs
        evs = ex("'str'")
        assert main_text(evs) == "'str'", evs
        evs = ex("null")
        assert main_text(evs) == "null", evs
    r.check("object literal and inspect formatting", t_objects)

    def t_require_import():
        evs = ex("const os = require('os'); typeof os.cpus")
        assert main_text(evs) == "'function'", evs
        evs = ex("import path from 'path'; import { join as j } from 'node:path'; import * as fsns from 'fs'; "
                 "[path.join('a', 'b'), j('c', 'd'), typeof fsns.readFileSync]")
        assert main_text(evs) == "[ 'a/b', 'c/d', 'function' ]", evs
        evs = ex("(await import('util')).format('%d', 3)")
        assert main_text(evs) == "'3'", evs
        evs = ex("[path.sep, j('x', 'y')]")
        assert main_text(evs) == "[ '/', 'x/y' ]", evs
    r.check("require, static import and dynamic import", t_require_import)

    def t_interrupt_sync():
        rid = k.send("console.log('spinning'); while (true) {}")
        assert k.next_event()["text"] == "spinning\n"
        time.sleep(0.2)
        t0 = time.time()
        k.interrupt()
        evs = k.collect(rid)
        e = errors(evs)
        assert len(e) == 1 and "interrupted" in e[0]["value"], evs
        assert time.time() - t0 < 1.5, time.time() - t0
        evs = ex("a")
        assert main_text(evs) == "10", evs          # state survived
    r.check("SIGINT interrupts a busy loop; state survives", t_interrupt_sync)

    def t_interrupt_await():
        rid = k.send("await new Promise(r => setTimeout(r, 100000))")
        time.sleep(0.2)
        k.interrupt()
        evs = k.collect(rid, timeout=5)
        assert len(errors(evs)) == 1 and "interrupted" in errors(evs)[0]["value"], evs
        evs = ex("a + 1")
        assert main_text(evs) == "11", evs
    r.check("SIGINT interrupts a pending top-level await", t_interrupt_await)

    def t_interrupt_idle():
        k.interrupt()
        time.sleep(0.1)
        evs = ex("a + 2")
        assert main_text(evs) == "12", evs
    r.check("SIGINT while idle is ignored", t_interrupt_idle)

    def t_interrupt_stuck():
        rid = k.send("await null; while (true) {}")   # not inside vm: cannot break, evaluator restarted
        time.sleep(0.2)
        k.interrupt()
        evs = k.collect(rid, timeout=10)
        assert len(errors(evs)) == 1 and "restarted" in errors(evs)[0]["value"], evs
        evs = ex("typeof a")
        assert main_text(evs) == "'undefined'", evs
        evs = ex("1+1")
        assert main_text(evs) == "2", evs
    r.check("stuck evaluator is restarted after an interrupt", t_interrupt_stuck)

    def t_exit():
        evs = ex("console.log('bye'); process.exit(3)")
        assert text(evs, "stdout") == "bye\n", evs
        assert len(errors(evs)) == 1 and "exited with code 3" in errors(evs)[0]["value"], evs
        evs = ex("40 + 2")
        assert main_text(evs) == "42", evs
    r.check("process.exit restarts the evaluator", t_exit)

    def t_timer_output():
        evs = ex("setTimeout(() => console.log('late'), 100); 1")
        assert main_text(evs) == "1"
        time.sleep(0.4)
        evs = ex("2")
        assert text(evs, "stdout") == "late\n", evs
        evs = ex("setTimeout(() => { throw new Error('in timer') }, 10); await new Promise(r => setTimeout(r, 100)); 3")
        assert "Uncaught Error: in timer" in text(evs, "stderr") and main_text(evs) == "3", evs
    r.check("timer output / uncaught timer errors", t_timer_output)

    def t_count():
        evs = ex("0")
        c1 = evs[-1]["execution_count"]
        evs = ex("0")
        assert evs[-1]["execution_count"] == c1 + 1
    r.check("execution_count increments", t_count)

    def t_raw_lines():
        for line in k.raw_lines:
            assert line.count(b"\n") == 1
    r.check("protocol lines are whole lines", t_raw_lines)

    def t_latency():
        ex("1+1")
        n = 200
        t0 = time.perf_counter()
        for _ in range(n):
            k.execute("1+1")
        dt = (time.perf_counter() - t0) / n
        print("   execute round trip of 1+1: %.2f ms (mean of %d)" % (dt * 1000, n))
    r.check("latency", t_latency)

    rc = k.close()
    r.check("exits on stdin EOF", lambda: None if rc == 0 else (_ for _ in ()).throw(AssertionError(rc)))
    return r.done()


if __name__ == "__main__":
    sys.exit(run())
