// Workspaces through the official SDK, which knows nothing of them: the reserved metadata key
// airlock.workspace attaches one (NAME read-only, NAME:rw read-write) at /home/user/workspace.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox, CommandExitError } from 'e2b'
import { API_URL, KEY_A, KEY_B, sandbox, uniqueTag, rejectsWith } from '../lib/env.mjs'

const T = { timeout: 120_000 }
const WS = '/home/user/workspace'

async function newWorkspace(key, name) {
  const res = await fetch(API_URL + '/v1/workspaces', {
    method: 'POST',
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name }),
  })
  assert.equal(res.status, 201, await res.text())
}

describe('workspaces via E2B metadata', { concurrency: 2 }, () => {
  it('a file written by one sandbox is there in the next, read-only unless asked', T, async (t) => {
    const name = uniqueTag('ws')
    await newWorkspace(KEY_A, name)
    const writer = await Sandbox.create('base', { timeoutMs: 120_000, metadata: { 'airlock.workspace': `${name}:rw` } })
    await writer.files.write(`${WS}/hello.txt`, 'hello from the first sandbox')
    await writer.commands.run(`mkdir -p ${WS}/data && seq 1 1000 > ${WS}/data/numbers`)
    await writer.kill() // the final commit is durable when kill returns

    const reader = await sandbox(t, { metadata: { 'airlock.workspace': name } })
    assert.equal(await reader.files.read(`${WS}/hello.txt`), 'hello from the first sandbox')
    assert.equal((await reader.commands.run(`wc -l < ${WS}/data/numbers`)).stdout.trim(), '1000')
    const e = await rejectsWith(reader.commands.run(`echo x > ${WS}/hello.txt`), CommandExitError, 'write to a read-only workspace')
    assert.match(e.stderr, /Read-only file system/)
    const info = await reader.getInfo()
    assert.equal(info.metadata['airlock.workspace'], name)
  })

  it('another tenant cannot attach my workspace', T, async () => {
    const name = uniqueTag('ws')
    await newWorkspace(KEY_A, name)
    await assert.rejects(Sandbox.create('base', { apiKey: KEY_B, metadata: { 'airlock.workspace': name } }), /not found|404/i)
  })
})
