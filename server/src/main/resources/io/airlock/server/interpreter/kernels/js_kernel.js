'use strict';
// Airlock code-interpreter kernel for JavaScript (Node.js 18+).
//
// Protocol: one JSON object per line; requests on stdin, events on stdout (see the kernel protocol
// contract of issue 4). Node cannot dup2(), so the kernel is two processes:
//
//   * the supervisor (this file, started by the server) owns the real stdin/stdout protocol. It
//     spawns the evaluator, turns the evaluator's fd 1/2 (pipes it reads) into stdout/stderr events,
//     forwards SIGINT and restarts the evaluator when it dies or ignores an interrupt;
//   * the evaluator (this file with --airlock-evaluator) runs user code with vm in its own global
//     context and reports results, errors and the end of an execution on its private fd 3.
//
// Before reporting anything on fd 3 the evaluator writes a marker carrying a sequence number to its
// fd 1 and fd 2; the supervisor holds each fd 3 message until it has seen that marker on both pipes,
// so every byte of output written before a result/end is emitted before it.

const EVALUATOR_FLAG = '--airlock-evaluator';
const TOKEN_ENV = 'AIRLOCK_JS_KERNEL_TOKEN';
const MARK_PREFIX = '\x01\x02AIRLOCK-';
const MARK_END = 0x03;

if (process.argv[2] === EVALUATOR_FLAG) {
  evaluatorMain();
} else {
  supervisorMain();
}

// ---------------------------------------------------------------------------------------------
// Supervisor
// ---------------------------------------------------------------------------------------------

function supervisorMain() {
  const { spawn } = require('child_process');
  const { StringDecoder } = require('string_decoder');
  const crypto = require('crypto');

  const MAX_TEXT_UNITS = 21845;          // 21845 UTF-16 units always encode to <= 65535 UTF-8 bytes
  const MAX_TEXT_BYTES = 65536;
  const MARKER_WAIT_MS = 2000;           // silence after which a missing marker is given up on
  const INTERRUPT_GRACE_MS = 2000;       // an evaluator ignoring SIGINT this long is restarted
  const IDLE_BUFFER_LIMIT = 1 << 20;

  const token = crypto.randomBytes(12).toString('hex');
  const markPrefix = Buffer.from(MARK_PREFIX + token + ':', 'latin1');
  const clockBase = BigInt(Date.now()) * 1000000n - process.hrtime.bigint();

  let executionCount = 0;
  const requests = [];
  let current = null;          // {id, restarted?}
  let evaluator = null;        // see startEvaluator
  let idleOutput = [];         // output produced between executions, emitted with the next one
  let idleBytes = 0;
  let idleDropped = 0;
  let stdinClosed = false;

  // process.execPath is only absolute when /proc is mounted.
  const nodePath = (() => {
    const path = require('path');
    const fs = require('fs');
    if (path.isAbsolute(process.execPath)) return process.execPath;
    for (const dir of (process.env.PATH || '/usr/local/bin:/usr/bin:/bin').split(':')) {
      const candidate = path.join(dir || '.', 'node');
      try { fs.accessSync(candidate, fs.constants.X_OK); return path.resolve(candidate); } catch (e) { /* next */ }
    }
    return '/usr/bin/node';
  })();

  function now() { return (clockBase + process.hrtime.bigint()).toString(); }

  function writeLine(line) { process.stdout.write(line + '\n'); }

  function emit(obj) { writeLine(JSON.stringify(obj)); }

  function emitText(kind, text) {
    if (text.length === 0) return;
    if (current === null) {
      if (idleBytes + text.length > IDLE_BUFFER_LIMIT) { idleDropped += text.length; return; }
      idleBytes += text.length;
      idleOutput.push([kind, text]);
      return;
    }
    if (text.length <= MAX_TEXT_UNITS || Buffer.byteLength(text, 'utf8') <= MAX_TEXT_BYTES) {
      emitTextEvent(kind, text);
      return;
    }
    for (let i = 0; i < text.length;) {
      let j = Math.min(text.length, i + MAX_TEXT_UNITS);
      const c = text.charCodeAt(j - 1);
      if (j < text.length && c >= 0xd800 && c <= 0xdbff) j--;   // do not split a surrogate pair
      emitTextEvent(kind, text.slice(i, j));
      i = j;
    }
  }

  function emitTextEvent(kind, text) {
    writeLine('{"id":' + JSON.stringify(current.id) + ',"type":"' + kind + '","text":' +
      JSON.stringify(text) + ',"timestamp":' + now() + '}');
  }

  function log(msg) { process.stderr.write('js_kernel: ' + msg + '\n'); }

  // --- output pipes of the evaluator -----------------------------------------------------------

  function makeStream(kind, ev) {
    const s = { kind, seen: 0, pending: null, decoder: new StringDecoder('utf8'), ev };
    s.onData = (chunk) => {
      if (evaluator !== ev && !ev.draining) return;
      let buf = s.pending ? Buffer.concat([s.pending, chunk]) : chunk;
      s.pending = null;
      for (;;) {
        const i = buf.indexOf(markPrefix);
        if (i < 0) {
          const keep = partialPrefixLength(buf);
          emitText(kind, s.decoder.write(keep ? buf.subarray(0, buf.length - keep) : buf));
          if (keep) s.pending = Buffer.from(buf.subarray(buf.length - keep));
          break;
        }
        const j = buf.indexOf(MARK_END, i + markPrefix.length);
        if (j < 0) {
          if (i > 0) emitText(kind, s.decoder.write(buf.subarray(0, i)));
          s.pending = Buffer.from(buf.subarray(i));
          break;
        }
        if (i > 0) emitText(kind, s.decoder.write(buf.subarray(0, i)));
        const seq = Number(buf.toString('latin1', i + markPrefix.length, j));
        if (seq > s.seen) s.seen = seq;
        buf = buf.subarray(j + 1);
      }
      ev.lastData = Date.now();
      pump(ev);
    };
    s.flush = () => {
      let text = '';
      if (s.pending) { text += s.decoder.write(s.pending); s.pending = null; }
      text += s.decoder.end();
      emitText(kind, text);
    };
    return s;
  }

  function partialPrefixLength(buf) {
    const max = Math.min(buf.length, markPrefix.length - 1);
    for (let k = max; k > 0; k--) {
      if (buf.compare(markPrefix, 0, k, buf.length - k) === 0) return k;
    }
    return 0;
  }

  // --- evaluator lifecycle ---------------------------------------------------------------------

  function startEvaluator() {
    const env = Object.assign({}, process.env, { [TOKEN_ENV]: token });
    const child = spawn(nodePath, [__filename, EVALUATOR_FLAG], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env, cwd: process.cwd(),
    });
    const ev = { child, ready: false, version: null, messages: [], lineBuf: '', lastData: 0,
      timer: null, interruptTimer: null, dead: false, draining: false };
    ev.out = makeStream('stdout', ev);
    ev.err = makeStream('stderr', ev);
    child.stdout.on('data', ev.out.onData);
    child.stderr.on('data', ev.err.onData);
    const chan = child.stdio[3];
    ev.chan = chan;
    chan.setEncoding('utf8');
    chan.on('data', (data) => {
      ev.lineBuf += data;
      let nl;
      while ((nl = ev.lineBuf.indexOf('\n')) >= 0) {
        const line = ev.lineBuf.slice(0, nl);
        ev.lineBuf = ev.lineBuf.slice(nl + 1);
        let msg;
        try { msg = JSON.parse(line); } catch (e) { log('bad evaluator message: ' + line.slice(0, 200)); continue; }
        onEvaluatorMessage(ev, msg);
      }
    });
    chan.on('error', () => {});
    child.stdout.on('error', () => {});
    child.stderr.on('error', () => {});
    child.on('error', (e) => log('evaluator failed to start: ' + e.message));
    child.on('exit', (code, signal) => onEvaluatorExit(ev, code, signal));
    evaluator = ev;
    return ev;
  }

  function onEvaluatorMessage(ev, msg) {
    if (msg.t === 'ready') {
      ev.ready = true;
      ev.version = msg.version;
      if (!supervisorReady) {
        supervisorReady = true;
        emit({ type: 'ready', language: 'javascript', version: msg.version });
      }
      next();
      return;
    }
    ev.messages.push(msg);
    ev.lastData = Date.now();
    pump(ev);
  }

  // Releases evaluator messages whose marker has been seen on both output pipes.
  function pump(ev) {
    while (ev.messages.length > 0) {
      const msg = ev.messages[0];
      const waiting = msg.seq > ev.out.seen || msg.seq > ev.err.seen;
      if (waiting && !ev.giveUp) {
        if (ev.timer === null) {
          ev.timer = setInterval(() => {
            if (Date.now() - ev.lastData >= MARKER_WAIT_MS) { ev.giveUp = true; pump(ev); }
          }, 250);
        }
        return;
      }
      ev.messages.shift();
      if (ev.timer !== null && ev.messages.length === 0) { clearInterval(ev.timer); ev.timer = null; }
      ev.giveUp = false;
      release(ev, msg);
    }
  }

  function release(ev, msg) {
    if (current === null) return;
    if (msg.t === 'result') {
      emit({ id: current.id, type: 'result', is_main_result: msg.main !== false, data: msg.data });
    } else if (msg.t === 'error') {
      emit({ id: current.id, type: 'error', name: msg.name, value: msg.value, traceback: msg.traceback });
    } else if (msg.t === 'end') {
      ev.out.flush();
      ev.err.flush();
      finish();
    }
  }

  function finish() {
    const ev = evaluator;
    if (ev && ev.interruptTimer) { clearTimeout(ev.interruptTimer); ev.interruptTimer = null; }
    emit({ id: current.id, type: 'end', execution_count: executionCount });
    current = null;
    next();
  }

  let supervisorReady = false;

  function onEvaluatorExit(ev, code, signal) {
    ev.dead = true;
    if (ev.timer) { clearInterval(ev.timer); ev.timer = null; }
    if (ev.interruptTimer) { clearTimeout(ev.interruptTimer); ev.interruptTimer = null; }
    if (stdinClosed) return;
    if (evaluator !== ev) return;
    const how = signal ? 'was killed by ' + signal : 'exited with code ' + code;
    log('evaluator ' + how);
    // Let output still in the pipes arrive (briefly), then report and restart.
    ev.draining = true;
    setTimeout(() => {
      ev.out.flush();
      ev.err.flush();
      ev.draining = false;
      if (!supervisorReady) {
        log('the evaluator could not start; giving up');
        process.exit(1);
      }
      const fresh = startEvaluator();
      if (current !== null) {
        const value = ev.killedForInterrupt
          ? 'Script execution interrupted. The evaluator did not stop within ' + INTERRUPT_GRACE_MS +
            ' ms and was restarted; all variables were lost.'
          : 'The JavaScript evaluator ' + how + ' during the execution and was restarted; all variables were lost.';
        emit({ id: current.id, type: 'error', name: 'Error', value,
          traceback: value });
        finish();
      }
      void fresh;
    }, 50);
  }

  // --- requests --------------------------------------------------------------------------------

  function next() {
    if (current !== null || requests.length === 0) return;
    const ev = evaluator;
    if (!ev || !ev.ready || ev.dead) return;
    const req = requests.shift();
    current = { id: req.id };
    executionCount++;
    if (idleOutput.length > 0 || idleDropped > 0) {
      const held = idleOutput;
      idleOutput = [];
      idleBytes = 0;
      for (const [kind, text] of held) emitText(kind, text);
      if (idleDropped > 0) {
        emitText('stderr', '[airlock: ' + idleDropped + ' characters of output produced between executions were dropped]\n');
        idleDropped = 0;
      }
    }
    if (typeof req.code !== 'string') {
      emit({ id: req.id, type: 'error', name: 'TypeError', value: 'the execute request has no "code" string',
        traceback: 'TypeError: the execute request has no "code" string' });
      finish();
      return;
    }
    let env = null;
    if (req.env_vars && typeof req.env_vars === 'object') env = req.env_vars;
    ev.chan.write(JSON.stringify({ t: 'execute', code: req.code, env, count: executionCount }) + '\n');
  }

  let inBuf = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (data) => {
    inBuf += data;
    let nl;
    while ((nl = inBuf.indexOf('\n')) >= 0) {
      const line = inBuf.slice(0, nl);
      inBuf = inBuf.slice(nl + 1);
      if (line.trim() === '') continue;
      let req;
      try { req = JSON.parse(line); } catch (e) { log('ignoring a request that is not JSON'); continue; }
      if (req === null || typeof req !== 'object' || req.type !== 'execute') {
        log('ignoring a request of type ' + JSON.stringify(req && req.type));
        continue;
      }
      requests.push(req);
    }
    next();
  });
  process.stdin.on('end', () => {
    stdinClosed = true;
    if (evaluator && !evaluator.dead) evaluator.child.kill('SIGKILL');
    process.stdout.write('', () => process.exit(0));
  });

  process.on('SIGINT', () => {
    const ev = evaluator;
    if (current === null || !ev || ev.dead) return;   // idle: ignored
    try { ev.child.kill('SIGINT'); } catch (e) { /* already gone */ }
    if (ev.interruptTimer === null) {
      ev.interruptTimer = setTimeout(() => {
        ev.interruptTimer = null;
        if (evaluator === ev && current !== null && !ev.dead) {
          ev.killedForInterrupt = true;
          ev.child.kill('SIGKILL');
        }
      }, INTERRUPT_GRACE_MS);
    }
  });
  process.stdout.on('error', () => process.exit(0));

  startEvaluator();
}

// ---------------------------------------------------------------------------------------------
// Evaluator
// ---------------------------------------------------------------------------------------------

function evaluatorMain() {
  const vm = require('vm');
  const util = require('util');
  const path = require('path');
  const net = require('net');
  const Module = require('module');
  const { pathToFileURL } = require('url');

  const stringify = JSON.stringify;
  const parseJson = JSON.parse;
  const inspect = util.inspect;
  const token = process.env[TOKEN_ENV] || '';
  delete process.env[TOKEN_ENV];
  process.argv.splice(1, 2, '[airlock]');

  let acorn = null;
  try { acorn = require('/usr/share/nodejs/acorn'); } catch (e) {
    try { acorn = require('acorn'); } catch (e2) { acorn = null; }
  }

  const stdoutWrite = process.stdout.write.bind(process.stdout);
  const stderrWrite = process.stderr.write.bind(process.stderr);
  const chan = new net.Socket({ fd: 3, readable: true, writable: true });
  let seq = 0;

  function send(msg) { chan.write(stringify(msg) + '\n'); }

  function mark() {
    seq++;
    const m = MARK_PREFIX + token + ':' + seq + '\x03';
    stdoutWrite(m);
    stderrWrite(m);
    return seq;
  }

  // --- globals for user code --------------------------------------------------------------------
  const userRequire = Module.createRequire(path.join(process.cwd(), '[airlock-cell]'));
  const hidden = (name, value) => Object.defineProperty(globalThis, name,
    { value, writable: true, configurable: true, enumerable: false });
  hidden('require', userRequire);
  hidden('module', { exports: {}, require: userRequire, id: '[airlock-cell]', filename: null });
  hidden('exports', globalThis.module.exports);
  hidden('__filename', path.join(process.cwd(), '[airlock-cell]'));
  hidden('__dirname', process.cwd());

  function importModule(specifier) {
    let target = String(specifier);
    if (!target.startsWith('node:') && !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(target) && !Module.isBuiltin?.(target)) {
      try { target = pathToFileURL(userRequire.resolve(target)).href; } catch (e) { /* let import() resolve it */ }
    }
    return import(target);
  }
  hidden('__airlock_import__', importModule);

  // --- interrupts -------------------------------------------------------------------------------
  let rejectPending = null;
  function interruptedError() {
    const e = new Error('Script execution interrupted.');
    e.code = 'ERR_SCRIPT_EXECUTION_INTERRUPTED';
    e.stack = 'Error: Script execution interrupted.';
    return e;
  }
  process.on('SIGINT', () => {
    if (rejectPending) { const r = rejectPending; rejectPending = null; r(interruptedError()); }
  });

  // Errors thrown later by timers and rejected promises nobody awaited must not kill the evaluator.
  process.on('uncaughtException', (e) => { safeWrite(stderrWrite, 'Uncaught ' + describe(e) + '\n'); });
  process.on('unhandledRejection', (e) => { safeWrite(stderrWrite, 'Uncaught (in promise) ' + describe(e) + '\n'); });

  function safeWrite(w, s) { try { w(s); } catch (e) { /* ignore */ } }

  function describe(e) {
    try {
      if (e instanceof Error || (e && typeof e.stack === 'string')) return cleanStack(e.stack || String(e));
      return inspect(e);
    } catch (x) { return '[unprintable value]'; }
  }

  function cleanStack(stack) {
    const lines = String(stack).split('\n');
    const out = [];
    for (const line of lines) {
      if (/^\s+at /.test(line) && (line.includes(__filename) || /\(node:(vm|internal)|at node:(vm|internal)/.test(line) ||
          /^\s+at (new )?Script\b/.test(line) || line.includes('(<anonymous>)'))) continue;
      out.push(line);
    }
    while (out.length > 1 && out[out.length - 1].trim() === '') out.pop();
    return out.join('\n');
  }

  function errorEvent(e) {
    if (e instanceof Error || (e !== null && typeof e === 'object' && typeof e.message === 'string' && typeof e.stack === 'string')) {
      let name = 'Error';
      let message = '';
      try { name = String(e.name || 'Error'); message = String(e.message); } catch (x) { /* keep defaults */ }
      return { t: 'error', name, value: message, traceback: cleanStack(e.stack || name + ': ' + message) };
    }
    const text = describe(e);
    return { t: 'error', name: 'Error', value: text, traceback: 'Uncaught ' + text };
  }

  // --- code rewriting ---------------------------------------------------------------------------

  const PARSE_OPTS = { ecmaVersion: 'latest', sourceType: 'script', allowAwaitOutsideFunction: true,
    allowHashBang: true, allowReserved: true };

  function tryParse(code, sourceType) {
    try { return acorn.parse(code, Object.assign({}, PARSE_OPTS, { sourceType })); } catch (e) { return null; }
  }

  const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression',
    'StaticBlock']);

  // Calls visit(node, parent) for every node outside nested functions (including the root's body).
  function walkOutsideFunctions(node, visit, parent) {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) { for (const n of node) walkOutsideFunctions(n, visit, parent); return; }
    if (typeof node.type !== 'string') return;
    if (visit(node, parent) === false) return;
    if (FUNCTION_TYPES.has(node.type)) return;
    for (const key in node) {
      if (key === 'type' || key === 'start' || key === 'end') continue;
      const v = node[key];
      if (v !== null && typeof v === 'object') walkOutsideFunctions(v, visit, node);
    }
  }

  function hasTopLevelAwait(ast) {
    let found = false;
    walkOutsideFunctions(ast.body, (n) => {
      if (found) return false;
      if (n.type === 'AwaitExpression' || (n.type === 'ForOfStatement' && n.await)) { found = true; return false; }
      if (n.type === 'ImportDeclaration') { found = true; return false; }
      return true;
    }, ast);
    return found;
  }

  function patternNames(p, out) {
    if (!p) return out;
    switch (p.type) {
      case 'Identifier': out.push(p.name); break;
      case 'ObjectPattern': for (const prop of p.properties) patternNames(prop.type === 'RestElement' ? prop.argument : prop.value, out); break;
      case 'ArrayPattern': for (const el of p.elements) patternNames(el, out); break;
      case 'RestElement': patternNames(p.argument, out); break;
      case 'AssignmentPattern': patternNames(p.left, out); break;
      default: break;
    }
    return out;
  }

  // vm scripts cannot use import() without --experimental-vm-modules on Node 18: route every
  // import(x) through the kernel's own import (resolving from the cwd).
  function rewriteDynamicImports(code) {
    if (!/\bimport\s*\(/.test(code)) return code;
    const ast = tryParse(code, 'script') || tryParse(code, 'module');
    if (ast === null) return code;
    const edits = [];
    (function visit(node) {
      if (node === null || typeof node !== 'object') return;
      if (Array.isArray(node)) { for (const n of node) visit(n); return; }
      if (node.type === 'ImportExpression') edits.push([node.start, node.start + 6, '__airlock_import__']);
      for (const key in node) {
        const v = node[key];
        if (v !== null && typeof v === 'object') visit(v);
      }
    })(ast);
    return applyEdits(code, edits);
  }

  // Returns {source, isAsync, hasResult} or null when the code cannot be parsed.
  function rewrite(code) {
    code = rewriteDynamicImports(code);
    let ast = null;
    let src = code;
    if (/^\s*\{/.test(code) && /\}\s*;?\s*$/.test(code)) {
      // `{a: 1}` is an object literal for a REPL user, not a block.
      const wrapped = '(' + code.replace(/;\s*$/, '') + '\n)';
      const w = tryParse(wrapped, 'script');
      if (w && w.body.length === 1 && w.body[0].type === 'ExpressionStatement') { ast = w; src = wrapped; }
    }
    if (ast === null) ast = tryParse(code, 'script');
    if (ast === null) ast = tryParse(code, 'module');   // static import declarations
    if (ast === null) return null;

    const isAsync = hasTopLevelAwait(ast);
    const edits = [];      // [start, end, text]
    const hoisted = new Set();
    const body = ast.body;
    let last = body.length - 1;
    while (last >= 0 && body[last].type === 'EmptyStatement') last--;
    const lastStmt = last >= 0 ? body[last] : null;
    const hasResult = lastStmt !== null && lastStmt.type === 'ExpressionStatement';
    const text = (n) => src.slice(n.start, n.end);
    const assignments = (decl) => decl.declarations
      .filter((d) => d.init || decl.kind !== 'var')
      .map((d) => '(' + text(d.id) + ' = ' + (d.init ? text(d.init) : 'void 0') + ')');

    if (!isAsync) {
      for (const stmt of body) {
        if (stmt.type === 'VariableDeclaration' && stmt.kind !== 'var') {
          edits.push([stmt.start, stmt.start + stmt.kind.length, 'var']);
          if (stmt.kind === 'let') {
            for (const d of stmt.declarations) if (!d.init) edits.push([d.id.end, d.id.end, ' = void 0']);
          }
        } else if (stmt.type === 'ClassDeclaration') {
          edits.push([stmt.start, stmt.start, 'var ' + stmt.id.name + ' = ']);
          edits.push([stmt.end, stmt.end, ';']);
        }
      }
      return { source: applyEdits(src, edits), isAsync: false, hasResult };
    }

    const functionNames = [];
    for (const stmt of body) {
      if (stmt.type === 'VariableDeclaration') {
        for (const d of stmt.declarations) for (const n of patternNames(d.id, [])) hoisted.add(n);
        const a = assignments(stmt);
        edits.push([stmt.start, stmt.end, ';' + (a.length ? a.join(', ') + ';' : '')]);
      } else if (stmt.type === 'ClassDeclaration') {
        hoisted.add(stmt.id.name);
        edits.push([stmt.start, stmt.start, ';' + stmt.id.name + ' = ']);
        edits.push([stmt.end, stmt.end, ';']);
      } else if (stmt.type === 'FunctionDeclaration') {
        hoisted.add(stmt.id.name);
        functionNames.push(stmt.id.name);
      } else if (stmt.type === 'ImportDeclaration') {
        const from = stringify(stmt.source.value);
        const props = [];
        let ns = null;
        for (const s of stmt.specifiers) {
          hoisted.add(s.local.name);
          if (s.type === 'ImportNamespaceSpecifier') ns = s.local.name;
          else if (s.type === 'ImportDefaultSpecifier') props.push('default: ' + s.local.name);
          else props.push(stringify(s.imported.name !== undefined ? s.imported.name : s.imported.value) + ': ' + s.local.name);
        }
        let out = ';';
        if (ns === null && props.length === 0) out += 'await __airlock_import__(' + from + ');';
        else {
          out += '{ const __m = await __airlock_import__(' + from + ');';
          if (ns !== null) out += ' ' + ns + ' = __m;';
          if (props.length) out += ' ({' + props.join(', ') + '} = __m);';
          out += ' }';
        }
        edits.push([stmt.start, stmt.end, out]);
      } else {
        // `var` inside top-level blocks and loops (outside functions) is global too.
        walkOutsideFunctions(stmt, (n, parent) => {
          if (n.type !== 'VariableDeclaration' || n.kind !== 'var') return true;
          for (const d of n.declarations) for (const name of patternNames(d.id, [])) hoisted.add(name);
          if (parent && (parent.type === 'ForInStatement' || parent.type === 'ForOfStatement') && parent.left === n) {
            edits.push([n.start, n.end, text(n.declarations[0].id)]);
          } else if (parent && parent.type === 'ForStatement' && parent.init === n) {
            edits.push([n.start, n.end, assignments(n).join(', ')]);
          } else {
            const a = assignments(n);
            edits.push([n.start, n.end, ';' + (a.length ? a.join(', ') + ';' : '')]);
          }
          return false;
        }, null);
      }
    }
    if (hasResult) {
      edits.push([lastStmt.start, lastStmt.end, 'return {v: (' + text(lastStmt.expression) + '\n)};']);
    }
    const exportFns = functionNames.map((n) => 'globalThis[' + stringify(n) + '] = ' + n + ';').join(' ');
    const names = [...hoisted].filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
    const prefix = (names.length ? 'var ' + names.join(', ') + '; ' : '') + '(async () => { ' + exportFns;
    return { source: prefix + applyEdits(src, edits) + '\n})()', isAsync: true, hasResult };
  }

  function applyEdits(src, edits) {
    edits.sort((a, b) => b[0] - a[0] || b[1] - a[1]);
    let out = src;
    for (const [s, e, t] of edits) out = out.slice(0, s) + t + out.slice(e);
    return out;
  }

  // --- execution --------------------------------------------------------------------------------

  function compile(source, count) {
    return new vm.Script(source, { filename: '<cell-' + count + '>' });
  }

  function applyEnv(vars) {
    if (!vars) return () => {};
    const saved = [];
    for (const key of Object.keys(vars)) {
      saved.push([key, Object.prototype.hasOwnProperty.call(process.env, key), process.env[key]]);
      process.env[key] = String(vars[key]);
    }
    return () => {
      for (const [key, had, value] of saved) {
        if (had) process.env[key] = value; else delete process.env[key];
      }
    };
  }

  async function execute(req) {
    const restoreEnv = applyEnv(req.env);
    let error = null;
    let value;
    let hasValue = false;
    try {
      let prepared = acorn ? rewrite(req.code) : null;
      let script;
      if (prepared === null) {
        // Unparseable for acorn: let V8 report the SyntaxError (or run syntax acorn does not know).
        script = compile(req.code, req.count);
        prepared = { isAsync: false, hasResult: true };
      } else {
        script = compile(prepared.source, req.count);
      }
      const v = script.runInThisContext({ breakOnSigint: true, displayErrors: false });
      if (prepared.isAsync) {
        const r = await new Promise((resolve, reject) => {
          rejectPending = reject;
          Promise.resolve(v).then(resolve, reject);
        });
        if (prepared.hasResult && r !== undefined && r !== null) { value = r.v; hasValue = true; }
      } else if (prepared.hasResult) {
        value = v;
        hasValue = true;
      }
    } catch (e) {
      error = e;
    } finally {
      rejectPending = null;
      restoreEnv();
    }
    let resultMsg = null;
    if (error === null && hasValue && value !== undefined) {
      try {
        resultMsg = { t: 'result', main: true, data: { 'text/plain': inspect(value, { maxStringLength: 1000000 }) } };
      } catch (e) {
        error = e;
      }
    }
    const s = mark();
    if (error !== null) {
      const ev = errorEvent(error);
      ev.seq = s;
      send(ev);
    } else if (resultMsg !== null) {
      resultMsg.seq = s;
      send(resultMsg);
    }
    send({ t: 'end', seq: s });
  }

  let lineBuf = '';
  let queue = Promise.resolve();
  chan.setEncoding('utf8');
  chan.on('data', (data) => {
    lineBuf += data;
    let nl;
    while ((nl = lineBuf.indexOf('\n')) >= 0) {
      const line = lineBuf.slice(0, nl);
      lineBuf = lineBuf.slice(nl + 1);
      let req;
      try { req = parseJson(line); } catch (e) { continue; }
      if (req.t === 'execute') queue = queue.then(() => execute(req));
    }
  });
  chan.on('end', () => process.exit(0));
  chan.on('error', () => process.exit(0));
  send({ t: 'ready', version: process.versions.node });
}
