// SDK benchmark: latency as a user of the official e2b SDK sees it, over HTTP.
//   node bench.mjs --measure create    --label pooled --n 30 [--gap-ms 1000] [--warmup 3]
//   node bench.mjs --measure roundtrip --label sdk    --n 60 [--warmup 5]
//   node bench.mjs --measure runcode   --label sdk    --n 60 [--warmup 300]
//   node bench.mjs --measure create-runcode --label sdk --n 30 [--warmup 3]
//   node bench.mjs --measure alternate --other URL=API_KEY --n 40 --gap-ms 1000 [--warmup 3]
// create:    Sandbox.create('base') + commands.run('echo ok') until the first stdout arrives
//            (the kill afterwards is not timed; --gap-ms sleeps between samples, untimed, so a
//            warm pool can refill). Also prints, per sample, how long of it the SDK was waiting
//            on the server (server_ms): from the create request's body sent to its response
//            headers, plus from the Start request's body sent to the first stdout, as undici's
//            diagnostics channels see them. The rest is the SDK's own time, in the same samples.
// roundtrip: commands.run('true') on one running sandbox.
// runcode:   runCode('1+1') on one code-interpreter sandbox (@e2b/code-interpreter, its default
//            template code-interpreter-v1); the warmup also starts the python kernel.
// Warm-ups are untimed calls before the samples. The JITs of node and of the server need a few
// thousand calls to settle (SdkBench passes --warmup 3000), so that the figures are the steady
// state of a server in use.
// alternate: the create measure against two servers in turn, one sample each, --gap-ms before
//            every sample: the first server is E2B_API_URL/E2B_API_KEY, the other --other URL=KEY.
//            On a machine whose speed drifts by more than a change's effect, this is how to compare
//            two builds or settings: drift then falls on both alike. Prints samples_ms/server_ms
//            for the first server and other_samples_ms/other_server_ms for the other.
//            Give each server its own AIRLOCK_HOME and AIRLOCK_STATE.
// create-runcode: Sandbox.create() of @e2b/code-interpreter + runCode('1+1') (the kill is not
//            timed): the Java SDK's same figure is printed beside it.
// floor:     fetch(GET /health) from node: what one HTTP exchange costs on this machine.
// Against floor_server.mjs (canned replies, no work) the same measures give the SDK's own share.
// Reads E2B_API_URL, E2B_SANDBOX_URL and E2B_API_KEY like the SDK does. Prints one JSON line:
//   {"label": ..., "measure": ..., "samples_ms": [...]}   (create adds "server_ms": [...])
import { parseArgs } from 'node:util'
import diagnostics from 'node:diagnostics_channel'
import { performance } from 'node:perf_hooks'
import { Sandbox } from 'e2b'
import { Sandbox as CodeInterpreter } from '@e2b/code-interpreter'

const { values } = parseArgs({
  options: {
    measure: { type: 'string', default: 'create' },
    label: { type: 'string', default: '' },
    n: { type: 'string', default: '30' },
    'gap-ms': { type: 'string', default: '0' },
    warmup: { type: 'string', default: '' },
    other: { type: 'string', default: '' },
  },
})
const n = Number(values.n)
const gapMs = Number(values['gap-ms'])
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// When each request of the current sample was sent whole, and when the create's response began.
const sent = new Map()
let createAnswered
diagnostics.subscribe('undici:request:bodySent', ({ request }) => sent.set(request.path, performance.now()))
diagnostics.subscribe('undici:request:headers', ({ request }) => {
  if (request.method === 'POST' && request.path === '/sandboxes') createAnswered = performance.now()
})

/** One sample: {ms, serverMs}; `server` ({apiUrl, sandboxUrl, apiKey}) overrides the environment's. */
async function createToFirstOutput(server = {}) {
  sent.clear()
  createAnswered = undefined
  const t0 = performance.now()
  const sbx = await Sandbox.create('base', { ...server, timeoutMs: 60_000 })
  let seen
  const first = new Promise((resolve) => { seen = resolve })
  const h = await sbx.commands.run('echo ok', { background: true, onStdout: () => seen(performance.now()) })
  const stdoutAt = await first
  const ms = performance.now() - t0
  const createSent = sent.get('/sandboxes')
  const startSent = sent.get('/process.Process/Start')
  if (createSent === undefined || startSent === undefined || createAnswered === undefined) {
    throw new Error(`undici reported no send or answer for this sample's requests (${JSON.stringify([...sent.keys()])}); the SDK's transport changed`)
  }
  await h.wait()
  await sbx.kill()
  return { ms, serverMs: (createAnswered - createSent) + (stdoutAt - startSent) }
}

async function main() {
  const samples = []
  const serverMs = []
  const result = {}
  if (values.measure === 'create') {
    const warmup = Number(values.warmup || 3)
    for (let i = 0; i < warmup + n; i++) {
      if (gapMs > 0) await sleep(gapMs)
      const sample = await createToFirstOutput()
      if (i >= warmup) {
        samples.push(sample.ms)
        serverMs.push(sample.serverMs)
      }
    }
  } else if (values.measure === 'alternate') {
    const at = values.other.lastIndexOf('=')
    if (at < 0) throw new Error(`--other must be URL=API_KEY of the second server, not '${values.other}'`)
    const url = values.other.slice(0, at)
    const servers = [{}, { apiUrl: url, sandboxUrl: url, apiKey: values.other.slice(at + 1) }]
    const other = { samples: [], serverMs: [] }
    const warmup = Number(values.warmup || 3)
    for (let i = 0; i < warmup + n; i++) {
      // each round starts with the other server than the last, so neither always follows the other
      for (const s of i % 2 ? servers : [...servers].reverse()) {
        if (gapMs > 0) await sleep(gapMs)
        const sample = await createToFirstOutput(s)
        if (i < warmup) continue
        const into = s === servers[0] ? { samples, serverMs } : other
        into.samples.push(sample.ms)
        into.serverMs.push(sample.serverMs)
      }
    }
    result.other_samples_ms = other.samples
    result.other_server_ms = other.serverMs
  } else if (values.measure === 'roundtrip') {
    const warmup = Number(values.warmup || 5)
    const sbx = await Sandbox.create('base', { timeoutMs: 300_000 })
    try {
      for (let i = 0; i < warmup + n; i++) {
        const t0 = performance.now()
        await sbx.commands.run('true')
        const ms = performance.now() - t0
        if (i >= warmup) samples.push(ms)
      }
    } finally {
      await sbx.kill()
    }
  } else if (values.measure === 'runcode') {
    const warmup = Number(values.warmup || 300)
    const sbx = await CodeInterpreter.create({ timeoutMs: 300_000 })
    try {
      for (let i = 0; i < warmup + n; i++) {
        const t0 = performance.now()
        const ex = await sbx.runCode('1+1')
        const ms = performance.now() - t0
        if (ex.text !== '2' || ex.error) {
          throw new Error(`runCode('1+1') gave ${JSON.stringify(ex.toJSON())}`)
        }
        if (i >= warmup) samples.push(ms)
      }
    } finally {
      await sbx.kill()
    }
  } else if (values.measure === 'create-runcode') {
    const warmup = Number(values.warmup || 3)
    for (let i = 0; i < warmup + n; i++) {
      const t0 = performance.now()
      const sbx = await CodeInterpreter.create({ timeoutMs: 60_000 })
      const ex = await sbx.runCode('1+1')
      const ms = performance.now() - t0
      await sbx.kill()
      if (ex.text !== '2' || ex.error) {
        throw new Error(`runCode('1+1') gave ${JSON.stringify(ex.toJSON())}`)
      }
      if (i >= warmup) samples.push(ms)
    }
  } else if (values.measure === 'floor') {
    // The HTTP floor: one plain request/response from node to the same server, no sandbox work.
    const url = process.env.E2B_API_URL + '/health'
    const warmup = Number(values.warmup || 10)
    for (let i = 0; i < warmup + n; i++) {
      const t0 = performance.now()
      const r = await fetch(url)
      await r.arrayBuffer()
      if (i >= warmup) samples.push(performance.now() - t0)
    }
  } else {
    throw new Error(`--measure must be create, alternate, roundtrip, runcode, create-runcode or floor, not '${values.measure}'`)
  }
  Object.assign(result, { label: values.label || values.measure, measure: values.measure, samples_ms: samples })
  if (serverMs.length > 0) result.server_ms = serverMs
  process.stdout.write(JSON.stringify(result) + '\n')
}

main().catch((e) => {
  console.error(`bench failed: ${e?.stack ?? e}`)
  process.exit(1)
})
