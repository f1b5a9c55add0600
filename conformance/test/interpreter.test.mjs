// The code interpreter through the official @e2b/code-interpreter SDK: Sandbox.create() with its
// default template (E2B's alias code-interpreter-v1), runCode over POST /execute (streamed NDJSON)
// and the /contexts routes, both reached on the data-plane URL with E2b-Sandbox-Port: 49999.
// Each describe block owns one sandbox; its tests run one at a time (concurrency 1) because they
// share kernel state: a test that kills the kernel must not overlap one that uses it.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox } from '@e2b/code-interpreter'
import { NotFoundError, TimeoutError } from 'e2b'
import { rejectsWith } from '../lib/env.mjs'

const T = { timeout: 30_000 }
const HOME = '/home/user'

/** A code-interpreter sandbox for one describe block; killed after it, even on failure. */
function interpreter(opts = {}) {
  const box = {}
  before(async () => {
    box.sbx = await Sandbox.create({ timeoutMs: 180_000, ...opts })
  })
  after(async () => {
    await box.sbx?.kill().catch(() => {})
  })
  return box
}

/** runCode that fails the test when the execution reports an error, naming it. */
async function run(sbx, code, opts) {
  const ex = await sbx.runCode(code, opts)
  assert.equal(ex.error, undefined, `runCode(${JSON.stringify(code)}) raised ${ex.error?.name}: ${ex.error?.value}\n${ex.error?.traceback}`)
  return ex
}

/** Width and height from a PNG's IHDR chunk; fails unless the bytes are a PNG. */
function pngSize(base64) {
  const b = Buffer.from(base64, 'base64')
  assert.ok(b.length > 24, `png is ${b.length} bytes`)
  assert.deepEqual([...b.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature')
  assert.equal(b.subarray(12, 16).toString('latin1'), 'IHDR', 'the first PNG chunk must be IHDR')
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) }
}

/** The default python context as listCodeContexts reports it (cwd /home/user). */
async function defaultPython(sbx, except = []) {
  const all = await sbx.listCodeContexts()
  const found = all.find((c) => c.language === 'python' && c.cwd === HOME && !except.includes(c.id))
  assert.ok(found, `no default python context (cwd ${HOME}) in ${JSON.stringify(all)}`)
  return found
}

describe('code interpreter', { concurrency: 4 }, () => {
  describe('python (default context)', { concurrency: 1 }, () => {
    const box = interpreter({ envs: { SBX_GLOBAL: 'from-create' } })

    it('Sandbox.create() uses the code-interpreter-v1 template', T, async () => {
      assert.equal(Sandbox.defaultTemplate, 'code-interpreter-v1')
      const info = await box.sbx.getInfo()
      assert.ok(['code-interpreter', 'code-interpreter-v1'].includes(info.templateId) || info.name === 'code-interpreter-v1',
        `templateId ${info.templateId}, name ${info.name}`)
    })

    it('state persists between runs: x = 1, then x + 1 is 2', T, async () => {
      const first = await run(box.sbx, 'x = 1')
      assert.deepEqual(first.results, [], 'an assignment has no result')
      assert.equal(first.text, undefined)
      const second = await run(box.sbx, 'x + 1')
      assert.equal(second.text, '2')
      assert.equal(second.results.length, 1)
      assert.equal(second.results[0].isMainResult, true)
      assert.ok(second.executionCount > first.executionCount, `executionCount ${first.executionCount} then ${second.executionCount}`)
    })

    it(`the default context's cwd is ${HOME}`, T, async () => {
      const ex = await run(box.sbx, 'import os; os.getcwd()')
      assert.equal(ex.text, HOME)
    })

    it('per-call envs apply to that call only; sandbox envs are visible', T, async () => {
      const code = 'import os; print(os.environ.get("X")); os.environ.get("X")'
      const withX = await run(box.sbx, code, { envs: { X: '1' } })
      assert.equal(withX.text, '1')
      assert.deepEqual(withX.logs.stdout, ['1\n'])
      const without = await run(box.sbx, code)
      assert.equal(without.text, undefined, 'os.environ.get("X") must be None (no result) on the next call')
      assert.deepEqual(without.logs.stdout, ['None\n'])
      const global = await run(box.sbx, 'import os; os.environ.get("SBX_GLOBAL")')
      assert.equal(global.text, 'from-create', 'envs given to Sandbox.create reach the kernel')
    })

    it('onStdout streams lines in order while the code runs', T, async () => {
      const seen = []
      const ex = await run(box.sbx, 'import time\nprint("first", flush=True)\ntime.sleep(0.5)\nprint("second", flush=True)', {
        onStdout: (m) => seen.push({ line: m.line, at: Date.now(), error: m.error }),
      })
      const done = Date.now()
      assert.equal(seen.map((s) => s.line).join(''), 'first\nsecond\n')
      assert.match(seen[0].line, /^first/)
      assert.equal(seen[0].error, false)
      assert.ok(done - seen[0].at >= 300,
        `the first line arrived ${done - seen[0].at} ms before runCode resolved; it must stream while the code sleeps (>= 300 ms)`)
      assert.deepEqual(ex.logs.stdout.join(''), 'first\nsecond\n')
    })

    it('stderr goes to onStderr and logs.stderr', T, async () => {
      const lines = []
      const ex = await run(box.sbx, 'import sys; print("oops", file=sys.stderr)', { onStderr: (m) => lines.push(m) })
      assert.equal(ex.logs.stderr.join(''), 'oops\n')
      assert.equal(lines.map((m) => m.line).join(''), 'oops\n')
      assert.equal(lines[0].error, true)
    })

    it('an exception is reported as execution.error with its traceback', T, async () => {
      const ex = await box.sbx.runCode('1/0')
      assert.ok(ex.error, 'execution.error must be set')
      assert.equal(ex.error.name, 'ZeroDivisionError')
      assert.match(ex.error.value, /division by zero/)
      assert.match(ex.error.traceback, /ZeroDivisionError/)
      assert.deepEqual(ex.results, [])
      const after = await run(box.sbx, 'x')
      assert.equal(after.text, '1', 'the kernel keeps its state after an exception')
    })

    it('a matplotlib figure comes back as a PNG of the figure size', T, async () => {
      const ex = await run(box.sbx, [
        'import matplotlib.pyplot as plt',
        'fig = plt.figure(figsize=(4, 3), dpi=100)',
        'plt.plot([1, 2, 3], [1, 4, 9])',
        'plt.show()',
      ].join('\n'))
      const pngs = ex.results.filter((r) => r.png)
      assert.equal(pngs.length, 1, `one PNG result expected; formats: ${JSON.stringify(ex.results.map((r) => r.formats()))}`)
      assert.deepEqual(pngSize(pngs[0].png), { width: 400, height: 300 })
      assert.ok(pngs[0].formats().includes('png'))
    })

    it('a line plot carries a chart (type line, one element per line)', T, async (t) => {
      const ex = await run(box.sbx, [
        'import matplotlib.pyplot as plt',
        'plt.figure()',
        'plt.plot([1, 2, 3, 4], [1, 4, 9, 16], label="squares")',
        'plt.plot([1, 2, 3, 4], [1, 2, 3, 4], label="linear")',
        'plt.title("two lines")',
        'plt.legend()',
        'plt.show()',
      ].join('\n'))
      const plotted = ex.results.filter((r) => r.png)
      assert.equal(plotted.length, 1, 'the plot itself must come back')
      const chart = plotted[0].chart
      if (!chart) {
        t.todo('charts not implemented')
        return
      }
      assert.equal(chart.type, 'line')
      assert.equal(chart.title, 'two lines')
      assert.equal(chart.elements.length, 2)
      assert.deepEqual(chart.elements.map((e) => e.label), ['squares', 'linear'])
      assert.deepEqual(chart.elements[0].points, [[1, 1], [2, 4], [3, 9], [4, 16]])
      assert.deepEqual(chart.elements[1].points, [[1, 1], [2, 2], [3, 3], [4, 4]])
    })

    it('a DataFrame comes back as an HTML table with its data', T, async () => {
      const ex = await run(box.sbx, 'import pandas as pd\npd.DataFrame({"a": [1, 2], "b": [3, 4]})')
      assert.equal(ex.results.length, 1)
      const r = ex.results[0]
      assert.equal(r.isMainResult, true)
      assert.match(r.html ?? '', /<table/, `html: ${r.html}`)
      assert.match(r.text ?? '', /a\s+b/, `text: ${r.text}`)
      assert.deepEqual(r.data, { a: [1, 2], b: [3, 4] }, 'data is the frame as column lists (DataFrame.to_dict(orient="list"))')
    })

    it('display() of several objects gives one result each; only the last is the main result', T, async () => {
      const ex = await run(box.sbx, "display(1)\ndisplay('a')\n3")
      assert.deepEqual(ex.results.map((r) => r.text), ['1', 'a', '3'])
      assert.deepEqual(ex.results.map((r) => r.isMainResult), [false, false, true])
      assert.equal(ex.text, '3')
    })
  })

  describe('contexts', { concurrency: 1 }, () => {
    const box = interpreter()

    it('create, list, isolate, restart and remove a python context with cwd /tmp', T, async () => {
      const sbx = box.sbx
      const ctx = await sbx.createCodeContext({ language: 'python', cwd: '/tmp' })
      assert.equal(typeof ctx.id, 'string')
      assert.ok(ctx.id.length > 0)
      assert.equal(ctx.language, 'python')
      assert.equal(ctx.cwd, '/tmp')

      const listed = await sbx.listCodeContexts()
      assert.deepEqual(listed.find((c) => c.id === ctx.id), { id: ctx.id, language: 'python', cwd: '/tmp' })
      const def = await defaultPython(sbx, [ctx.id])
      assert.ok(listed.some((c) => c.language === 'javascript' && c.cwd === HOME),
        `a default javascript context must be listed: ${JSON.stringify(listed)}`)

      await run(sbx, 'y = "default"')
      await run(sbx, 'y = "mine"', { context: ctx })
      assert.equal((await run(sbx, 'y', { context: ctx })).text, 'mine')
      assert.equal((await run(sbx, 'y')).text, 'default')
      assert.equal((await run(sbx, 'y', { context: def })).text, 'default', 'the listed default is the one runCode uses')
      assert.equal((await run(sbx, 'import os; os.getcwd()', { context: ctx })).text, '/tmp')
      assert.equal((await run(sbx, 'import os; os.getcwd()')).text, HOME)

      await sbx.restartCodeContext(ctx)
      const gone = await sbx.runCode('y', { context: ctx })
      assert.equal(gone.error?.name, 'NameError', 'a restarted context has no state')
      assert.equal((await run(sbx, 'import os; os.getcwd()', { context: ctx })).text, '/tmp', 'restart keeps the cwd')
      assert.equal((await run(sbx, 'y')).text, 'default', 'restarting one context leaves the others')

      await sbx.removeCodeContext(ctx.id)
      const after = await sbx.listCodeContexts()
      assert.ok(!after.some((c) => c.id === ctx.id), `removed context still listed: ${JSON.stringify(after)}`)
      // requestTimeoutMs: the SDK leaves its request timer running when a request fails (4xx), which
      // would keep node alive for the default 60 s after the suite
      await rejectsWith(sbx.runCode('1', { context: ctx, requestTimeoutMs: 3000 }), NotFoundError, 'runCode in a removed context')
    })
  })

  describe('javascript and bash', { concurrency: 1 }, () => {
    const box = interpreter()

    it('javascript: results, state, console.log streaming and top-level await', T, async () => {
      const sbx = box.sbx
      assert.equal((await run(sbx, 'let a = 2; a * 21', { language: 'javascript' })).text, '42')
      assert.equal((await run(sbx, 'a + 1', { language: 'javascript' })).text, '3', 'state persists in the javascript context')

      const seen = []
      const ex = await run(sbx, "console.log('one'); await new Promise((r) => setTimeout(r, 500)); console.log('two')", {
        language: 'javascript',
        onStdout: (m) => seen.push({ line: m.line, at: Date.now() }),
      })
      const done = Date.now()
      assert.equal(ex.logs.stdout.join(''), 'one\ntwo\n')
      assert.equal(seen.map((s) => s.line).join(''), 'one\ntwo\n')
      assert.ok(done - seen[0]?.at >= 300, `console.log output arrived ${done - seen[0]?.at} ms before runCode resolved; it must stream`)

      assert.equal((await run(sbx, 'await Promise.resolve(5)', { language: 'javascript' })).text, '5')
      const err = await sbx.runCode('undefinedThing.x', { language: 'javascript' })
      assert.ok(err.error, 'a thrown error must be reported as execution.error')
      assert.match(`${err.error.name} ${err.error.value} ${err.error.traceback}`, /ReferenceError/)
    })

    it('bash: cd and export persist between runs', T, async () => {
      const sbx = box.sbx
      await run(sbx, 'cd /tmp', { language: 'bash' })
      assert.equal((await run(sbx, 'pwd', { language: 'bash' })).logs.stdout.join('').trim(), '/tmp')
      await run(sbx, 'export AIRLOCK_T=persisted', { language: 'bash' })
      assert.equal((await run(sbx, 'echo "$AIRLOCK_T"', { language: 'bash' })).logs.stdout.join('').trim(), 'persisted')
      assert.equal((await run(sbx, 'import os; os.getcwd()')).text, HOME, "bash's cd does not move the python context")
    })
  })

  describe('interrupt and kernel death', { concurrency: 1 }, () => {
    const box = interpreter()

    it('a timed-out runCode interrupts the kernel; the next run works and state survives', T, async () => {
      const sbx = box.sbx
      await run(sbx, 'kept = 5')
      const t0 = Date.now()
      await rejectsWith(sbx.runCode('while True: pass', { timeoutMs: 2000 }), TimeoutError, 'runCode with timeoutMs 2000')
      assert.ok(Date.now() - t0 < 6000, `the timeout took ${Date.now() - t0} ms`)
      const t1 = Date.now()
      const next = await run(sbx, '1+1', { timeoutMs: 10_000 })
      assert.equal(next.text, '2')
      assert.ok(Date.now() - t1 < 5000, `the run after the interrupt took ${Date.now() - t1} ms; the loop was not interrupted`)
      assert.equal((await run(sbx, 'kept')).text, '5', 'an interrupt (unlike a restart) keeps the state')
    })

    it('a killed kernel is reported; restartCodeContext on the default context brings it back', T, async () => {
      const sbx = box.sbx
      const def = await defaultPython(sbx)
      const t0 = Date.now()
      let ex
      let rejected
      try {
        ex = await sbx.runCode('import os, signal; os.kill(os.getpid(), signal.SIGKILL)', { timeoutMs: 20_000 })
      } catch (e) {
        rejected = e
      }
      const took = Date.now() - t0
      assert.ok(took < 15_000, `the kernel's death took ${took} ms to report (${rejected?.message ?? 'no error'})`)
      if (rejected) {
        assert.doesNotMatch(rejected.message, /Execution timed out/, 'the death must be reported, not timed out')
      } else {
        assert.ok(ex.error, `a killed kernel must be an execution error; got ${JSON.stringify(ex.toJSON())}`)
      }

      await sbx.restartCodeContext(def)
      const t1 = Date.now()
      const again = await run(sbx, '1+1', { timeoutMs: 15_000 })
      assert.equal(again.text, '2')
      assert.ok(Date.now() - t1 < 10_000, `the first run after the restart took ${Date.now() - t1} ms`)
      const fresh = await sbx.runCode('kept')
      assert.equal(fresh.error?.name, 'NameError', 'the restarted kernel starts empty')
    })
  })
})
