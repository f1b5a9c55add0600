"""Airlock Python kernel: one long-lived interpreter per code-interpreter context.

Protocol (see the issue-4 kernel contract): requests arrive as JSON lines on the
original stdin, events leave as JSON lines on a private copy of the original
stdout. File descriptors 1 and 2 are replaced by pipes that this kernel reads
and turns into ``stdout``/``stderr`` events, so output of user code and of its
child processes is captured and can never corrupt the protocol channel.

Dependencies: the standard library only. numpy, pandas and matplotlib are
touched only when the user's own objects come from them.
"""

import os

# Must happen before anything (user code included) imports matplotlib.
os.environ["MPLBACKEND"] = "Agg"

# Start-up cost matters (one kernel per context): only cheap modules are imported here;
# ast, threading, signal, traceback, linecache and re are avoided or imported lazily.
import _ast
import _signal
import _thread
import builtins
import codecs
import fcntl
import io
import json
import sys
import time
import types

_KERNEL_FILES = {__file__, os.path.abspath(__file__)}
_READ_CHUNK = 16384          # bytes per pipe read; keeps each text event well under 64 KiB
_IDLE_BUFFER_LIMIT = 1 << 20  # output produced between executions that is kept for the next one
_TEXT_PLAIN_LIMIT = 4 << 20   # chars of repr() kept in a result's text/plain
_DATA_RECORDS_LIMIT = 8 << 20  # bytes of DataFrame records JSON kept in a result
_DATA_MIME = "application/vnd.airlock.data+json"


# --------------------------------------------------------------------------- fds

def _high_fd(fd):
    """A close-on-exec duplicate of fd, numbered out of the way of user code."""
    try:
        return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 100)
    except OSError:
        return os.dup(fd)


_PROTO_OUT = _high_fd(1)
_PROTO_IN = _high_fd(0)
_DIAG = _high_fd(2)

try:
    _devnull = os.open(os.devnull, os.O_RDONLY)
except OSError:  # no /dev: an empty pipe reads as EOF just the same
    _devnull, _w = os.pipe()
    os.close(_w)
os.dup2(_devnull, 0)
os.close(_devnull)

_out_r, _out_w = os.pipe()
_err_r, _err_w = os.pipe()
_OUT_W = _high_fd(_out_w)   # private write ends: markers and fd 1/2 restoration
_ERR_W = _high_fd(_err_w)
os.dup2(_out_w, 1)
os.dup2(_err_w, 2)
for _fd in (_out_w, _err_w):
    os.close(_fd)
_OUT_R = _high_fd(_out_r)
_ERR_R = _high_fd(_err_r)
os.close(_out_r)
os.close(_err_r)
try:  # a larger pipe means fewer wake-ups for chatty code; best effort
    fcntl.fcntl(_OUT_R, 1031, 1 << 20)  # F_SETPIPE_SZ
    fcntl.fcntl(_ERR_R, 1031, 1 << 20)
except OSError:
    pass


def _text_stream(fd):
    # Line buffered: a print() reaches the pipe as one write as soon as it ends a line;
    # partial lines wait for flush() (tqdm & co. call it) or the end of the execution.
    return io.TextIOWrapper(io.BufferedWriter(io.FileIO(fd, "w", closefd=False)), encoding="utf-8",
                            errors="backslashreplace", line_buffering=True)


def _install_std_streams():
    sys.stdout = sys.__stdout__ = _text_stream(1)
    sys.stderr = sys.__stderr__ = _text_stream(2)
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")


_install_std_streams()


def _diag(msg):
    try:
        os.write(_DIAG, ("python_kernel: %s\n" % msg).encode("utf-8", "replace")[:4096])
    except OSError:
        pass


# ---------------------------------------------------------------------- protocol

_MAIN_THREAD = _thread.get_ident()


class _State:
    write_lock = _thread.allocate_lock()   # one line at a time on the protocol fd
    state_lock = _thread.allocate_lock()   # current execution id vs. reader threads
    current_id = None
    idle = []                       # [(type, text)] produced while no execution ran
    idle_size = 0
    idle_dropped = 0
    execution_count = 0
    executing = False
    interruptible = False
    pending_interrupt = False
    shown_figures = set()           # ids of figures already emitted in this execution


K = _State


def _sanitize(value):
    """Copy of value with NaN/Infinity replaced by null (they are not JSON)."""
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, dict):
        return {str(k): _sanitize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_sanitize(v) for v in value]
    return value


def _encode(obj):
    try:
        text = json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=str)
    except ValueError:
        text = json.dumps(_sanitize(obj), ensure_ascii=False, allow_nan=False,
                          separators=(",", ":"), default=str)
    return (text + "\n").encode("utf-8", "replace")  # lone surrogates become '?'


def _write_line(obj):
    """Write one event. Callers that may be interrupted must use _emit."""
    data = _encode(obj)
    with K.write_lock:
        view = memoryview(data)
        while view:
            n = os.write(_PROTO_OUT, view)
            view = view[n:]


class _NoInterrupt:
    """Defers SIGINT while the main thread writes protocol lines during user code."""

    def __enter__(self):
        self.main = _thread.get_ident() == _MAIN_THREAD
        self.prev = K.interruptible
        if self.main:
            K.interruptible = False

    def __exit__(self, *exc):
        if not self.main:
            return
        K.interruptible = self.prev
        if self.prev and K.pending_interrupt:
            K.pending_interrupt = False
            raise KeyboardInterrupt


def _emit(obj):
    with _NoInterrupt():
        _write_line(obj)


def _on_sigint(signum, frame):
    if K.interruptible:
        raise KeyboardInterrupt
    if K.executing:
        K.pending_interrupt = True
    # idle: ignored


# ------------------------------------------------------------------ pipe readers

_MARK = b"\x00airlock-sync-" + os.urandom(8).hex().encode() + b"\x1b"


class _PipeReader:
    def __init__(self, fd, kind):
        self.fd = fd
        self.kind = kind
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.synced = 0
        self.alive = True
        self.wakeup = _thread.allocate_lock()
        self.wakeup.acquire()

    def start(self):
        _thread.start_new_thread(self._run, ())

    def _run(self):
        try:
            self.run()
        finally:
            self.alive = False
            self._wake()

    def _wake(self):
        try:
            self.wakeup.release()
        except RuntimeError:  # already released; the waiter will see the new count
            pass

    def run(self):
        buf = b""
        mark = _MARK
        try:
            while True:
                chunk = os.read(self.fd, _READ_CHUNK)
                if not chunk:
                    return
                buf = buf + chunk if buf else chunk
                while True:
                    i = buf.find(mark)
                    if i < 0:
                        break
                    self._text(self.decoder.decode(buf[:i], True))
                    buf = buf[i + len(mark):]
                    self.synced += 1
                    self._wake()
                # keep a trailing partial marker (it starts with the only NUL of the marker)
                keep = 0
                j = buf.rfind(b"\x00", max(0, len(buf) - len(mark) + 1))
                if j >= 0 and mark.startswith(buf[j:]):
                    keep = len(buf) - j
                if len(buf) > keep:
                    self._text(self.decoder.decode(buf[:len(buf) - keep]))
                    buf = buf[len(buf) - keep:]
        except Exception as e:  # never expected; keep the kernel alive and say why
            _diag("%s reader failed: %r" % (self.kind, e))

    def _text(self, text):
        if not text:
            return
        with K.state_lock:
            rid = K.current_id
            if rid is None:
                if K.idle_size + len(text) <= _IDLE_BUFFER_LIMIT:
                    K.idle.append((self.kind, text))
                    K.idle_size += len(text)
                else:
                    K.idle_dropped += len(text)
                return
            _write_line({"id": rid, "type": self.kind, "text": text, "timestamp": time.time_ns()})

    def wait_synced(self, target):
        while self.synced < target and self.alive:
            self.wakeup.acquire(timeout=1.0)


_readers = (_PipeReader(_OUT_R, "stdout"), _PipeReader(_ERR_R, "stderr"))
for _r in _readers:
    _r.start()
_sync_target = 0


def _flush_std_streams():
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name, None)
        try:
            if stream is not None and not stream.closed:
                stream.flush()
        except Exception:
            pass


def _sync_output():
    """Returns once every byte written to fd 1/2 before this call has been emitted."""
    global _sync_target
    _flush_std_streams()
    _sync_target += 1
    for fd in (_OUT_W, _ERR_W):
        os.write(fd, _MARK)
    for r in _readers:
        r.wait_synced(_sync_target)


def _repair_std_streams():
    """User code may have closed sys.stdout or fds 1/2; give the next execution working ones."""
    os.dup2(_OUT_W, 1, inheritable=True)
    os.dup2(_ERR_W, 2, inheritable=True)
    for name, fd in (("stdout", 1), ("stderr", 2)):
        dunder = "__%s__" % name
        if getattr(getattr(sys, dunder, None), "closed", True):
            setattr(sys, dunder, _text_stream(fd))
        stream = getattr(sys, name, None)
        if stream is None or getattr(stream, "closed", False):
            setattr(sys, name, getattr(sys, dunder))


# ----------------------------------------------------------------- rich display

_REPR_METHODS = (
    ("text/html", "_repr_html_"),
    ("text/markdown", "_repr_markdown_"),
    ("image/svg+xml", "_repr_svg_"),
    ("image/png", "_repr_png_"),
    ("image/jpeg", "_repr_jpeg_"),
    ("application/pdf", "_repr_pdf_"),
    ("text/latex", "_repr_latex_"),
    ("application/json", "_repr_json_"),
    ("application/javascript", "_repr_javascript_"),
)
_BINARY_MIMES = ("image/png", "image/jpeg", "application/pdf")


def _b64(value):
    import base64
    return base64.b64encode(value).decode("ascii")


def _normalize(mime, value):
    if mime in _BINARY_MIMES:
        if isinstance(value, (bytes, bytearray, memoryview)):
            return _b64(bytes(value))
        return str(value)  # already base64, as IPython allows
    if mime == "application/json" or mime.endswith("+json"):
        if isinstance(value, (str, bytes)):
            try:
                return json.loads(value)
            except ValueError:
                return None
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return value if isinstance(value, str) else str(value)


def _method(obj, name):
    if isinstance(obj, type):
        return None
    try:
        m = getattr(obj, name, None)
    except Exception:
        return None
    return m if callable(m) else None


def _formatter_failed(name, obj):
    try:
        import traceback
        sys.stderr.write("%s of %s object failed:\n%s" % (
            name, type(obj).__name__, traceback.format_exc()))
    except Exception:
        pass


def _text_plain(obj):
    text = repr(obj)
    if len(text) > _TEXT_PLAIN_LIMIT:
        text = text[:_TEXT_PLAIN_LIMIT] + "\n... [%d more characters]" % (len(text) - _TEXT_PLAIN_LIMIT)
    return text


def _is_instance_of(obj, module_prefix, class_name):
    for cls in type(obj).__mro__:
        if cls.__name__ == class_name and cls.__module__.startswith(module_prefix):
            return True
    return False


def _bundle(obj):
    """(data, chart) for obj, data keyed by Jupyter MIME type."""
    if _is_instance_of(obj, "matplotlib", "Figure"):
        return _figure_bundle(obj)
    data = {}
    m = _method(obj, "_repr_mimebundle_")
    if m is not None:
        try:
            bundle = m(include=None, exclude=None)
        except TypeError:
            bundle = m()
        except Exception:
            bundle = None
            _formatter_failed("_repr_mimebundle_", obj)
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        if isinstance(bundle, dict):
            for mime, value in bundle.items():
                if value is not None:
                    value = _normalize(str(mime), value)
                    if value is not None:
                        data[str(mime)] = value
    for mime, name in _REPR_METHODS:
        if mime in data:
            continue
        m = _method(obj, name)
        if m is None:
            continue
        try:
            value = m()
        except NotImplementedError:
            continue
        except Exception:
            _formatter_failed(name, obj)
            continue
        if isinstance(value, tuple) and len(value) == 2:
            value = value[0]
        if value is None:
            continue
        value = _normalize(mime, value)
        if value is not None:
            data[mime] = value
    if "text/plain" not in data:
        data["text/plain"] = _text_plain(obj)
    if _is_instance_of(obj, "pandas", "DataFrame"):
        records = _dataframe_records(obj)
        if records is not None:
            data[_DATA_MIME] = records
    return data, None


def _dataframe_records(df):
    # E2B's shape for Result.data: {column: [values]} (to_dict(orient="list"))
    try:
        text = df.to_json(orient="columns", date_format="iso", default_handler=str)
        text = json.dumps({k: list(v.values()) for k, v in json.loads(text).items()})
    except Exception:
        try:
            text = json.dumps(_sanitize(df.to_dict(orient="list")), default=str)
        except Exception:
            return None
    if len(text) > _DATA_RECORDS_LIMIT:
        return None
    return json.loads(text)


def _figure_bundle(fig):
    data = {"text/plain": repr(fig)}
    chart = None
    if fig.axes or getattr(fig, "lines", None):  # an empty figure shows only its repr, as Jupyter
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        data["image/png"] = _b64(buf.getvalue())
        try:
            chart = _chart_from_figure(fig)  # after savefig: tick labels exist only once drawn
        except Exception as e:
            _diag("chart extraction failed: %r" % (e,))
    return data, chart


def _emit_result(obj, main):
    data, chart = _bundle(obj)
    event = {"id": K.current_id, "type": "result", "is_main_result": main, "data": data}
    if chart:
        event["chart"] = chart
    _emit(event)


def display(*objs, **kwargs):
    """Emit each object as a (non-main) result, like IPython's display()."""
    raw = kwargs.get("raw", False)
    for obj in objs:
        if K.current_id is None:
            print(repr(obj))
            continue
        if raw and isinstance(obj, dict):
            data = {str(k): _normalize(str(k), v) for k, v in obj.items() if v is not None}
            _emit({"id": K.current_id, "type": "result", "is_main_result": False, "data": data})
            continue
        if _is_instance_of(obj, "matplotlib", "Figure"):
            K.shown_figures.add(id(obj))
        _emit_result(obj, False)


def _flush_figures(only_unshown=False):
    """Emit every open pyplot figure as a PNG result, then close them all."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return
    try:
        from matplotlib._pylab_helpers import Gcf
        figures = [m.canvas.figure for m in Gcf.get_all_fig_managers()]
    except Exception:
        return
    try:
        for fig in figures:
            if only_unshown and id(fig) in K.shown_figures:
                continue
            _emit_result(fig, False)
    finally:
        plt.close("all")


def _show(*args, **kwargs):
    """Replacement for pyplot.show(): emits the open figures instead of opening a window."""
    if K.current_id is not None:
        _flush_figures()


class _ImportHooks:
    """Patches pyplot.show on import and offers a minimal IPython.display when IPython is absent."""

    _names = ("matplotlib.pyplot", "linecache", "IPython", "IPython.display", "IPython.core", "IPython.core.display")

    def find_spec(self, name, path, target=None):
        if name not in self._names:
            return None
        import importlib.machinery
        import importlib.util
        spec = None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        if name in ("matplotlib.pyplot", "linecache"):
            if spec is not None and spec.loader is not None:
                spec.loader = _PatchingLoader(spec.loader)
            return spec
        if spec is not None:
            return spec  # a real IPython is installed: use it
        return importlib.machinery.ModuleSpec(name, _ShimLoader(), is_package=(name in ("IPython", "IPython.core")))


class _PatchingLoader:
    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        if module.__name__ == "linecache":
            sys.modules.setdefault("linecache", module)
            _register_cells()
        else:
            module.show = _show

    def __getattr__(self, name):
        return getattr(self.loader, name)


class _ShimLoader:
    def create_module(self, spec):
        return None

    def exec_module(self, module):
        if module.__name__ == "IPython":
            module.get_ipython = lambda: None
            module.display = display
            module.__version__ = "0.0.0+airlock-shim"
        elif module.__name__ == "IPython.core":
            pass
        else:
            _fill_display_shim(module)


def _fill_display_shim(mod):
    class DisplayObject:
        _mime = "text/plain"

        def __init__(self, data=None, url=None, filename=None, metadata=None, **kwargs):
            if filename is not None and data is None:
                with open(filename, "rb" if self._mime in _BINARY_MIMES else "r") as f:
                    data = f.read()
            self.data, self.url, self.filename, self.metadata = data, url, filename, metadata

        def _repr_mimebundle_(self, include=None, exclude=None):
            bundle = {"text/plain": "<%s object>" % type(self).__name__}
            if self.data is not None:
                bundle[self._mime] = self.data
            return bundle

    def make(name, mime):
        return type(name, (DisplayObject,), {"_mime": mime})

    mod.DisplayObject = DisplayObject
    mod.HTML = make("HTML", "text/html")
    mod.Markdown = make("Markdown", "text/markdown")
    mod.Latex = make("Latex", "text/latex")
    mod.SVG = make("SVG", "image/svg+xml")
    mod.JSON = make("JSON", "application/json")
    mod.Javascript = make("Javascript", "application/javascript")

    class Image(DisplayObject):
        def __init__(self, data=None, url=None, filename=None, format=None, **kwargs):
            fmt = (format or (filename or "").rsplit(".", 1)[-1] or "png").lower()
            self._mime = "image/jpeg" if fmt in ("jpg", "jpeg") else "image/png"
            if isinstance(data, str) and filename is None and os.path.exists(data):
                data, filename = None, data
            super().__init__(data, url, filename)

    mod.Image = Image
    mod.display = display
    mod.clear_output = lambda wait=False: None

    def update_display(obj, **kwargs):
        display(obj)

    mod.update_display = update_display


# ---------------------------------------------------------------------- execution

_user_module = types.ModuleType("__main__")
_user_ns = _user_module.__dict__
_user_ns["__builtins__"] = builtins
_user_ns["display"] = display
builtins.display = display
_async_loop = None
_CO_COROUTINE = 0x80


def _run_code(code_obj):
    result = eval(code_obj, _user_ns)
    if code_obj.co_flags & _CO_COROUTINE:
        global _async_loop
        import asyncio
        if _async_loop is None or _async_loop.is_closed():
            _async_loop = asyncio.new_event_loop()
        result = _async_loop.run_until_complete(result)
    return result


def _user_traceback(exc, compiling=False):
    import traceback
    _register_cells()
    if compiling and isinstance(exc, SyntaxError):
        return "".join(traceback.format_exception_only(type(exc), exc))
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename in _KERNEL_FILES:
        tb = tb.tb_next
    if isinstance(exc, SyntaxError) and tb is None:
        return "".join(traceback.format_exception_only(type(exc), exc))
    return "".join(traceback.format_exception(type(exc), exc, tb))


def _emit_error(exc, compiling=False):
    try:
        tb = _user_traceback(exc, compiling)
    except Exception:
        tb = "%s: %s\n" % (type(exc).__name__, exc)
    try:
        value = str(exc)
    except Exception:
        value = "<unprintable %s>" % type(exc).__name__
    _write_line({"id": K.current_id, "type": "error", "name": type(exc).__name__,
                 "value": value, "traceback": tb})


_cells = {}  # filename -> source, handed to linecache (tracebacks, inspect) once it is loaded


def _register_cells():
    linecache = sys.modules.get("linecache")
    if linecache is None:
        return
    while _cells:
        filename, code = _cells.popitem()
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)


def _cell(code, count):
    filename = "<cell-%d>" % count
    _cells[filename] = code
    _register_cells()
    tree = compile(code, filename, "exec", _ast.PyCF_ONLY_AST, dont_inherit=True)
    last = None
    if tree.body and isinstance(tree.body[-1], _ast.Expr) and not code.rstrip().endswith(";"):
        last = tree.body.pop()
    flags = _ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    body = compile(tree, filename, "exec", flags, dont_inherit=True)
    expr = None
    if last is not None:
        expr = compile(_ast.Expression(last.value), filename, "eval", flags, dont_inherit=True)

    def run():
        _run_code(body)
        if expr is not None:
            value = _run_code(expr)
            if value is not None:
                _user_ns["_"] = value
                _emit_result(value, True)
    return run


def _guarded(fn):
    """Runs fn with SIGINT turned into KeyboardInterrupt; reports any exception as an error event."""
    try:
        try:
            K.interruptible = True
            if K.pending_interrupt:  # it came while the cell was being read or compiled
                K.pending_interrupt = False
                raise KeyboardInterrupt
            fn()
        finally:
            K.interruptible = False
    except BaseException as e:  # KeyboardInterrupt and SystemExit included
        K.interruptible = False
        _emit_error(e)
        return False
    return True


def _apply_env(env_vars):
    saved = {}
    if isinstance(env_vars, dict):
        for key, value in env_vars.items():
            key = str(key)
            if not key or "=" in key or "\x00" in key:
                continue
            saved.setdefault(key, os.environ.get(key))
            os.environ[key] = "" if value is None else str(value).replace("\x00", "")
    return saved


def _restore_env(saved):
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _begin(rid):
    with K.state_lock:
        K.current_id = rid
        pending, K.idle, K.idle_size = K.idle, [], 0
        dropped, K.idle_dropped = K.idle_dropped, 0
        for kind, text in pending:
            _write_line({"id": rid, "type": kind, "text": text, "timestamp": time.time_ns()})
        if dropped:
            _write_line({"id": rid, "type": "stderr", "timestamp": time.time_ns(),
                         "text": "[airlock: %d characters of output produced between executions were dropped]\n" % dropped})


def _finish(rid):
    _sync_output()
    with K.state_lock:
        K.current_id = None
        _write_line({"id": rid, "type": "end", "execution_count": K.execution_count})


def _execute(rid, code, env_vars):
    K.execution_count += 1
    K.executing = True
    K.shown_figures = set()
    _begin(rid)
    saved = _apply_env(env_vars)
    try:
        try:
            run = _cell(code, K.execution_count)
        except BaseException as e:  # SyntaxError, ValueError (null bytes), MemoryError...
            _emit_error(e, compiling=True)
            run = None
        if run is not None:
            _guarded(run)
        if "matplotlib.pyplot" in sys.modules:
            _guarded(lambda: _flush_figures(only_unshown=True))
    finally:
        _restore_env(saved)
        K.executing = False
        K.pending_interrupt = False
        _repair_std_streams()
        _finish(rid)


def _reject(rid, message):
    _begin(rid)
    _write_line({"id": rid, "type": "error", "name": "KernelProtocolError", "value": message,
                 "traceback": "KernelProtocolError: %s\n" % message})
    _finish(rid)


def main():
    _signal.signal(_signal.SIGINT, _on_sigint)
    sys.modules["airlock_kernel"] = sys.modules.get("__main__")
    sys.modules["__main__"] = _user_module
    sys.meta_path.insert(0, _ImportHooks())
    os.chdir(os.getcwd())  # fail early if the cwd is gone
    _write_line({"type": "ready", "language": "python", "version": "%d.%d.%d" % sys.version_info[:3]})
    stdin = os.fdopen(_PROTO_IN, "rb", buffering=1 << 16)
    while True:
        try:
            line = stdin.readline()
        except KeyboardInterrupt:
            continue
        if not line:
            break
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            if not isinstance(req, dict):
                raise ValueError("request is not a JSON object")
        except ValueError as e:
            _diag("ignoring malformed request line: %s" % e)
            continue
        rid = req.get("id")
        if not isinstance(rid, str) or not rid:
            _diag("ignoring request without a string id")
            continue
        if req.get("type") != "execute":
            _reject(rid, "unknown request type %r; expected 'execute'" % (req.get("type"),))
            continue
        code = req.get("code")
        if not isinstance(code, str):
            _reject(rid, "field 'code' must be a string")
            continue
        _execute(rid, code, req.get("env_vars"))
    os._exit(0)


# ------------------------------------------------------------ chart extraction
# Best-effort conversion of a matplotlib figure into E2B's chart object
# (types line, scatter, bar, pie, box_and_whisker, superchart, unknown).
# Any failure just means "no chart"; nothing here may break an execution.

_UNIT = r"\s\((.*?)\)|\[(.*?)\]"


def _chart_from_figure(fig):
    axes = fig.get_axes()
    if not axes:
        return None
    if len(axes) == 1:
        return _chart_from_axes(axes[0])
    sup = getattr(fig, "_suptitle", None)
    elements = [_chart_from_axes(ax) for ax in axes]
    # Python SDK reads "elements"; the JS SDK reads "data" for a superchart.
    return {"type": "superchart", "title": (sup.get_text() or None) if sup is not None else None,
            "elements": elements, "data": elements}


def _chart_kind(ax):
    from matplotlib.collections import PathCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import PathPatch, Rectangle, Wedge
    from matplotlib.text import Text
    children = getattr(ax, "_children", None)
    if children is None:
        children = ax.get_children()
    objs = [c for c in children if not isinstance(c, Text)]
    if all(isinstance(o, Line2D) for o in objs):
        return "box_and_whisker" if any(_is_rect_line(o) for o in objs) else "line"
    if all(isinstance(o, (PathPatch, Line2D)) for o in objs):
        return "box_and_whisker"
    objs = [o for o in objs if not (isinstance(o, Line2D) and _is_grid_line(o))]
    if objs and all(isinstance(o, PathCollection) for o in objs):
        return "scatter"
    if objs and all(isinstance(o, Wedge) for o in objs):
        return "pie"
    if objs and all(isinstance(o, Rectangle) for o in objs):
        return "bar"
    return "unknown"


def _num(v):
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if f == f and f not in (float("inf"), float("-inf")) else None


def _is_grid_line(line):
    x, y = line.get_xdata(), line.get_ydata()
    return len(x) == 2 and len(y) == 2 and (x[0] == x[1] or y[0] == y[1])


def _is_rect_line(line):
    """A closed, axis-aligned 5-point outline: the box of a boxplot drawn without patch_artist."""
    try:
        x = [_num(v) for v in line.get_xdata()]
        y = [_num(v) for v in line.get_ydata()]
    except Exception:
        return False
    if len(x) != 5 or None in x or None in y:
        return False
    return (x[0], y[0]) == (x[4], y[4]) and len(set(x)) == 2 and len(set(y)) == 2


def _label(text):
    return text if text else None


def _base(ax, kind):
    return {"type": kind, "title": _label(ax.get_title()), "elements": []}


def _add_2d(chart, ax):
    for axis, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())):
        chart[axis + "_label"] = _label(label)
        unit = None
        if label:
            import re
            m = re.search(_UNIT, label)
            if m:
                unit = m.group(1) or m.group(2)
        chart[axis + "_unit"] = unit


def _swap_axes(chart):
    for k in ("label", "unit"):
        chart["x_" + k], chart["y_" + k] = chart["y_" + k], chart["x_" + k]


def _axis_kind(axis, scale):
    conv = getattr(axis, "converter", None)
    name = type(conv).__name__ if conv is not None else ""
    if "Date" in name:
        return "datetime"
    if "StrCategory" in name:
        return "categorical"
    return scale


def _point_value(v, is_date=False):
    import datetime
    if isinstance(v, (datetime.date, datetime.time)):
        return v.isoformat()
    if type(v).__name__ == "datetime64":
        return str(v.astype("datetime64[s]"))
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            v = v.item()
        except Exception:
            pass
        if isinstance(v, (datetime.date, datetime.time)):
            return v.isoformat()
    if isinstance(v, str):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        f = _num(v)
        if f is not None and is_date:
            from matplotlib.dates import num2date
            return num2date(f).isoformat()
        return f
    return str(v)


def _add_ticks(chart, ax):
    for axis_name, axis, scale in (("x", ax.xaxis, ax.get_xscale()), ("y", ax.yaxis, ax.get_yscale())):
        kind = _axis_kind(axis, scale)
        ticks = axis.get_ticklocs()
        labels = [t.get_text() for t in axis.get_ticklabels()]
        chart[axis_name + "_ticks"] = [_point_value(t, kind == "datetime") for t in ticks]
        chart[axis_name + "_tick_labels"] = labels
        chart[axis_name + "_scale"] = kind


def _chart_from_axes(ax):
    kind = _chart_kind(ax)
    chart = _base(ax, kind)
    if kind == "pie":
        _pie(chart, ax)
    elif kind == "unknown":
        pass
    else:
        _add_2d(chart, ax)
        if kind == "line":
            _add_ticks(chart, ax)
            _lines(chart, ax)
        elif kind == "scatter":
            _add_ticks(chart, ax)
            _scatter(chart, ax)
        elif kind == "bar":
            _bars(chart, ax)
        elif kind == "box_and_whisker":
            _boxes(chart, ax)
    return chart


def _lines(chart, ax):
    x_date = chart.get("x_scale") == "datetime"
    y_date = chart.get("y_scale") == "datetime"
    for line in ax.get_lines():
        if _is_grid_line(line):
            continue
        label = line.get_label()
        if label.startswith("_child"):
            label = "Line " + label[len("_child"):]
        points = [[_point_value(x, x_date and not isinstance(x, str)), _point_value(y, y_date)]
                  for x, y in zip(line.get_xdata(), line.get_ydata())]
        chart["elements"].append({"label": label, "points": points})


def _scatter(chart, ax):
    x_date = chart.get("x_scale") == "datetime"
    y_date = chart.get("y_scale") == "datetime"
    for coll in ax.collections:
        offsets = coll.get_offsets()
        points = [[_point_value(p[0], x_date), _point_value(p[1], y_date)] for p in offsets]
        chart["elements"].append({"label": coll.get_label(), "points": points})


def _tick_label_at(axis, pos):
    locs = list(axis.get_ticklocs())
    labels = [t.get_text() for t in axis.get_ticklabels()]
    for loc, text in zip(locs, labels):
        if abs(float(loc) - pos) <= 1e-9 * max(1.0, abs(pos)):
            return text
    return ("%g" % pos)


def _bars(chart, ax):
    horizontal_all = None
    for cont in ax.containers:
        if type(cont).__name__ != "BarContainer":
            continue
        group = cont.get_label() or ""
        if group.startswith("_container"):
            group = "Group " + group[len("_container"):]
        rects = list(cont)
        if not rects:
            continue
        orientation = getattr(cont, "orientation", None)
        if orientation is None:
            heights = [r.get_height() for r in rects]
            orientation = "horizontal" if len(rects) > 1 and all(h == heights[0] for h in heights) else "vertical"
        horizontal = orientation == "horizontal"
        horizontal_all = horizontal if horizontal_all is None else horizontal_all
        for r in rects:
            if horizontal:
                label = _tick_label_at(ax.yaxis, r.get_y() + r.get_height() / 2.0)
                value = r.get_width()
            else:
                label = _tick_label_at(ax.xaxis, r.get_x() + r.get_width() / 2.0)
                value = r.get_height()
            chart["elements"].append({"label": label, "group": group, "value": _num(value)})
    if horizontal_all:
        _swap_axes(chart)  # x_label names the category axis, as E2B does


def _close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _boxes(chart, ax):
    from matplotlib.lines import Line2D
    from matplotlib.patches import PathPatch
    rects = []  # (x0, x1, y0, y1)
    outline_lines = set()
    for p in ax.patches:
        if isinstance(p, PathPatch):
            v = p.get_path().vertices
            xs, ys = [float(a) for a in v[:, 0]], [float(a) for a in v[:, 1]]
            rects.append((min(xs), max(xs), min(ys), max(ys)))
    if not rects:
        for line in ax.get_lines():
            if _is_rect_line(line):
                xs = [float(a) for a in line.get_xdata()]
                ys = [float(a) for a in line.get_ydata()]
                rects.append((min(xs), max(xs), min(ys), max(ys)))
                outline_lines.add(id(line))
    if not rects:
        return
    widths = [r[1] - r[0] for r in rects]
    heights = [r[3] - r[2] for r in rects]
    same_w = all(_close(w, widths[0]) for w in widths)
    same_h = all(_close(h, heights[0]) for h in heights)
    vertical = not (same_h and not same_w)  # a single box: matplotlib's default, vertical
    pos_axis = ax.xaxis if vertical else ax.yaxis
    boxes = []
    for i, (x0, x1, y0, y1) in enumerate(rects):
        p0, p1, q1, q3 = (x0, x1, y0, y1) if vertical else (y0, y1, x0, x1)
        label = _tick_label_at(pos_axis, (p0 + p1) / 2.0)
        boxes.append({"p0": p0, "p1": p1, "label": label, "min": q1, "first_quartile": q1,
                      "median": None, "third_quartile": q3, "max": q3, "outliers": []})
    for line in ax.get_lines():
        if id(line) in outline_lines or not isinstance(line, Line2D):
            continue
        xs = [_num(a) for a in line.get_xdata()]
        ys = [_num(a) for a in line.get_ydata()]
        ps, vs = (xs, ys) if vertical else (ys, xs)
        if not ps or None in ps:
            continue
        for b in boxes:
            if not all(b["p0"] - 1e-9 <= p <= b["p1"] + 1e-9 for p in ps):
                continue
            marker_only = line.get_linestyle() in ("None", "none", "", " ")
            vals = [v for v in vs if v is not None]
            if marker_only:
                b["outliers"].extend(vals)
            elif len(vals) == 2 and _close(vals[0], vals[1]):
                v = vals[0]
                if b["first_quartile"] - 1e-9 <= v <= b["third_quartile"] + 1e-9 and len(set(ps)) == 2:
                    b["median"] = v if b["median"] is None else b["median"]
            elif len(vals) == 2 and len(set(ps)) == 1:  # whisker
                lo, hi = min(vals), max(vals)
                if _close(hi, b["first_quartile"]) or hi <= b["first_quartile"]:
                    b["min"] = lo
                elif _close(lo, b["third_quartile"]) or lo >= b["third_quartile"]:
                    b["max"] = hi
            break
    for b in boxes:
        median = b["median"] if b["median"] is not None else (b["first_quartile"] + b["third_quartile"]) / 2.0
        chart["elements"].append({
            "label": b["label"], "min": b["min"], "first_quartile": b["first_quartile"],
            "median": median, "third_quartile": b["third_quartile"], "max": b["max"],
            "outliers": b["outliers"]})
    if not vertical:
        _swap_axes(chart)


def _pie(chart, ax):
    from matplotlib.patches import Wedge
    for w in ax.patches:
        if isinstance(w, Wedge):
            angle = abs(float(w.theta2) - float(w.theta1))
            chart["elements"].append({"label": w.get_label(), "angle": round(angle, 10),
                                      "radius": _num(w.r)})


if __name__ == "__main__":
    main()
