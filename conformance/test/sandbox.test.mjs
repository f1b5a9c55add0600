// Sandbox lifecycle through the control plane: create, getInfo, list, kill, setTimeout, connect,
// pause and resume.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox, NotFoundError, SandboxNotFoundError, ALL_TRAFFIC } from 'e2b'
import { sandbox, uniqueTag, rejectsWith, eventually } from '../lib/env.mjs'

const T = { timeout: 60_000 }

async function listAll(opts) {
  const pager = Sandbox.list(opts)
  const pages = []
  while (pager.hasNext) {
    pages.push(await pager.nextItems())
  }
  return pages
}

describe('sandboxes', { concurrency: 3 }, () => {
  it('create returns a running sandbox whose info echoes the request', T, async (t) => {
    const tag = uniqueTag('create')
    const before = Date.now()
    const sbx = await sandbox(t, { metadata: { tag, note: 'a b&c=d' }, timeoutMs: 120_000 })
    assert.match(sbx.sandboxId, /^[A-Za-z0-9-]{6,}$/)

    const info = await sbx.getInfo()
    assert.equal(info.sandboxId, sbx.sandboxId)
    assert.equal(info.templateId, 'base')
    assert.deepEqual(info.metadata, { tag, note: 'a b&c=d' })
    assert.equal(info.state, 'running')
    assert.match(info.envdVersion, /^\d+\.\d+\.\d+/)
    assert.ok(info.cpuCount > 0, `cpuCount ${info.cpuCount}`)
    assert.ok(info.memoryMB > 0, `memoryMB ${info.memoryMB}`)
    const started = info.startedAt.getTime()
    assert.ok(started >= before - 2_000 && started <= Date.now() + 2_000, `startedAt ${info.startedAt.toISOString()} is not now`)
    const ttl = info.endAt.getTime() - started
    assert.ok(Math.abs(ttl - 120_000) < 3_000, `endAt - startedAt = ${ttl} ms, expected ~120000 (timeoutMs)`)
    assert.equal(await sbx.isRunning(), true)
  })

  it('list filters by metadata and state and pages with limit/nextToken', T, async (t) => {
    const tag = uniqueTag('list')
    const created = []
    for (let i = 0; i < 3; i++) {
      created.push((await sandbox(t, { metadata: { tag, n: String(i) } })).sandboxId)
    }
    const other = await sandbox(t, { metadata: { tag: tag + '-other' } })

    const pager = Sandbox.list({ query: { metadata: { tag } }, limit: 2 })
    assert.equal(pager.hasNext, true)
    const first = await pager.nextItems()
    assert.equal(first.length, 2, `first page: ${first.map((s) => s.sandboxId)}`)
    assert.equal(pager.hasNext, true, 'a full page of 2 out of 3 must come with a next token')
    const rest = []
    while (pager.hasNext) {
      rest.push(...(await pager.nextItems()))
    }
    assert.equal(rest.length, 1, `rest: ${rest.map((s) => s.sandboxId)}`)
    const seen = [...first, ...rest].map((s) => s.sandboxId)
    assert.deepEqual([...seen].sort(), [...created].sort(), 'every sandbox exactly once across pages')
    assert.ok(!seen.includes(other.sandboxId))
    for (const s of [...first, ...rest]) {
      assert.equal(s.templateId, 'base')
      assert.equal(s.state, 'running')
      assert.equal(s.metadata.tag, tag)
      assert.ok(s.startedAt instanceof Date && !isNaN(s.startedAt), 'startedAt is a date')
    }

    // Two metadata pairs are ANDed.
    const one = (await listAll({ query: { metadata: { tag, n: '1' } } })).flat()
    assert.deepEqual(one.map((s) => s.sandboxId), [created[1]])

    const running = (await listAll({ query: { metadata: { tag }, state: ['running'] } })).flat()
    assert.equal(running.length, 3)
    const paused = (await listAll({ query: { metadata: { tag }, state: ['paused'] } })).flat()
    assert.deepEqual(paused, [])
  })

  it('kill ends the sandbox; a second kill returns false; getInfo is NotFound', T, async (t) => {
    const sbx = await sandbox(t)
    assert.equal(await sbx.kill(), true)
    assert.equal(await Sandbox.kill(sbx.sandboxId), false)
    await rejectsWith(Sandbox.getInfo(sbx.sandboxId), SandboxNotFoundError, 'getInfo after kill')
    assert.equal(await sbx.isRunning(), false, 'envd /health of a killed sandbox must answer 502')
    const listed = (await listAll({})).flat().map((s) => s.sandboxId)
    assert.ok(!listed.includes(sbx.sandboxId), 'a killed sandbox is not listed')
  })

  it('setTimeout shortens the life of a sandbox and moves endAt', T, async (t) => {
    const sbx = await sandbox(t, { timeoutMs: 120_000 })
    const before = await sbx.getInfo()
    await sbx.setTimeout(4_000)
    const after = await sbx.getInfo()
    assert.ok(after.endAt < before.endAt, `endAt did not move: ${before.endAt.toISOString()} -> ${after.endAt.toISOString()}`)
    const left = after.endAt.getTime() - Date.now()
    assert.ok(left > -1_000 && left < 6_000, `endAt is ${left} ms away, expected ~4000`)

    // Extending moves it the other way.
    await sbx.setTimeout(5_000)
    const extended = await sbx.getInfo()
    assert.ok(extended.endAt > after.endAt, 'a longer timeout moves endAt later')

    await eventually(async () => {
      try {
        await Sandbox.getInfo(sbx.sandboxId)
        return false
      } catch (e) {
        if (e instanceof NotFoundError) return true
        throw e
      }
    }, { timeoutMs: 15_000, what: `sandbox ${sbx.sandboxId} to expire` })
    assert.equal(await sbx.isRunning(), false)
  })

  it('connect returns a working handle to an existing sandbox', T, async (t) => {
    const sbx = await sandbox(t)
    await sbx.files.write('/tmp/connect.txt', 'from the first handle')
    const again = await Sandbox.connect(sbx.sandboxId)
    assert.equal(again.sandboxId, sbx.sandboxId)
    const r = await again.commands.run('cat /tmp/connect.txt')
    assert.equal(r.stdout, 'from the first handle')
    await rejectsWith(Sandbox.connect('nosuchsandbox0000'), NotFoundError, 'connect to an unknown id')
  })

  it('pause keeps processes and files; connect resumes', { timeout: 90_000 }, async (t) => {
    const tag = uniqueTag('pause')
    const sbx = await sandbox(t, { metadata: { tag } })
    await sbx.files.write('/home/user/before-pause.txt', 'kept across pause')
    const sleeper = await sbx.commands.run('sleep 3600', { background: true })
    await sleeper.disconnect()

    assert.equal(await sbx.pause(), true)
    assert.equal((await Sandbox.getInfo(sbx.sandboxId)).state, 'paused')
    assert.equal(await sbx.pause(), false, 'pausing a paused sandbox returns false (409)')
    const paused = (await listAll({ query: { metadata: { tag }, state: ['paused'] } })).flat()
    assert.deepEqual(paused.map((s) => s.sandboxId), [sbx.sandboxId])
    assert.equal(paused[0].state, 'paused')
    const running = (await listAll({ query: { metadata: { tag }, state: ['running'] } })).flat()
    assert.deepEqual(running, [])

    const resumed = await Sandbox.connect(sbx.sandboxId)
    assert.equal((await resumed.getInfo()).state, 'running')
    const procs = await resumed.commands.list()
    assert.ok(procs.some((p) => p.pid === sleeper.pid), `pid ${sleeper.pid} not in ${JSON.stringify(procs.map((p) => p.pid))}`)
    assert.equal(await resumed.files.read('/home/user/before-pause.txt'), 'kept across pause')
    const r = await resumed.commands.run('echo alive')
    assert.equal(r.stdout, 'alive\n')
  })

  it('network rules: create and updateNetwork round-trip through getInfo; bad rules are 400', T, async (t) => {
    const sbx = await sandbox(t, { network: { allowOut: ['a.test', '*.b.test'], denyOut: [ALL_TRAFFIC] } })
    let info = await sbx.getInfo()
    assert.deepEqual(info.network.allowOut, ['a.test', '*.b.test'])
    assert.deepEqual(info.network.denyOut, [ALL_TRAFFIC])

    await sbx.updateNetwork({ allowOut: ['c.test'], denyOut: [ALL_TRAFFIC] })
    info = await sbx.getInfo()
    assert.deepEqual(info.network.allowOut, ['c.test'])
    await sbx.updateNetwork({ allowInternetAccess: false })
    info = await sbx.getInfo()
    assert.deepEqual(info.network.allowOut, [])
    assert.equal(info.allowInternetAccess, false)

    // E2B's rule: a domain in allowOut needs denyOut to hold ALL_TRAFFIC
    await assert.rejects(sandbox(t, { network: { allowOut: ['a.test'] } }), /0\.0\.0\.0\/0/)
  })
})
