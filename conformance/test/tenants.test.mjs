// Tenants: isolation between two API keys on both planes, per-tenant quotas, key revocation,
// and the SDK's error classes for unknown sandboxes and bad keys.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox, AuthenticationError, NotFoundError, SandboxNotFoundError, RateLimitError } from 'e2b'
import { API_URL, SANDBOX_URL, KEY_A, KEY_B, asB, sandbox, tenant, admin, rejectsWith, uniqueTag } from '../lib/env.mjs'

const T = { timeout: 60_000 }
const RANDOM_ID = 'doesnotexist0000000000'

async function listIds(opts = {}) {
  const pager = Sandbox.list(opts)
  const ids = []
  while (pager.hasNext) {
    ids.push(...(await pager.nextItems()).map((s) => s.sandboxId))
  }
  return ids
}

async function rpc(path, headers, body = {}) {
  return fetch(SANDBOX_URL + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Connect-Protocol-Version': '1', 'E2b-Sandbox-Port': '49983', ...headers },
    body: JSON.stringify(body),
  })
}

describe('tenants', { concurrency: 3 }, () => {
  it('tenant B cannot see or touch tenant A\'s sandbox on the control plane', T, async (t) => {
    const a = await sandbox(t)
    const b = await sandbox(t, asB)
    const infoBefore = await a.getInfo()

    await rejectsWith(Sandbox.getInfo(a.sandboxId, asB), SandboxNotFoundError, 'B getInfo(A)')
    assert.equal(await Sandbox.kill(a.sandboxId, asB), false, 'B kill(A) must look like an unknown id')
    await rejectsWith(Sandbox.connect(a.sandboxId, asB), NotFoundError, 'B connect(A)')
    await rejectsWith(Sandbox.setTimeout(a.sandboxId, 1_000, asB), NotFoundError, 'B setTimeout(A)')
    await rejectsWith(Sandbox.pause(a.sandboxId, asB), NotFoundError, 'B pause(A)')

    // The answer for A's sandbox is the same as for an id that never existed.
    for (const [method, suffix, body] of [['GET', '', undefined], ['DELETE', '', undefined], ['POST', '/timeout', { timeout: 1 }], ['POST', '/connect', { timeout: 60 }]]) {
      const call = (id) => fetch(`${API_URL}/sandboxes/${id}${suffix}`, {
        method, headers: { 'X-API-Key': KEY_B, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      })
      const [mine, random] = [await call(a.sandboxId), await call(RANDOM_ID)]
      assert.equal(mine.status, 404, `${method} /sandboxes/{A}${suffix} as B`)
      assert.equal(random.status, 404)
      const [m, r] = [await mine.json(), await random.json()]
      assert.equal(m.code, 404)
      assert.deepEqual(Object.keys(m).sort(), Object.keys(r).sort())
      assert.equal(m.message.replaceAll(a.sandboxId, 'ID'), r.message.replaceAll(RANDOM_ID, 'ID'),
        'the 404 for another tenant\'s sandbox must not differ from an unknown id')
    }

    const infoAfter = await a.getInfo()
    assert.equal(infoAfter.state, 'running')
    assert.equal(infoAfter.endAt.getTime(), infoBefore.endAt.getTime(), 'B\'s setTimeout must not have changed A\'s sandbox')
    assert.equal(await a.isRunning(), true)

    const seenByB = await listIds(asB)
    assert.ok(!seenByB.includes(a.sandboxId), 'B lists A\'s sandbox')
    assert.ok(seenByB.includes(b.sandboxId), 'B does not list its own sandbox')
    const seenByA = await listIds()
    assert.ok(seenByA.includes(a.sandboxId))
    assert.ok(!seenByA.includes(b.sandboxId), 'A lists B\'s sandbox')
  })

  it('the data plane needs the sandbox\'s own access token, not an API key', T, async (t) => {
    const a = await sandbox(t)
    assert.ok(a.envdAccessToken, 'a secure sandbox (the default) has an envdAccessToken')
    const route = { 'E2b-Sandbox-Id': a.sandboxId }

    const ok = await rpc('/process.Process/List', { ...route, 'X-Access-Token': a.envdAccessToken })
    assert.equal(ok.status, 200, 'the right token is accepted')
    assert.ok(Array.isArray((await ok.json()).processes ?? []))

    assert.equal((await rpc('/process.Process/List', route)).status, 401, 'no token')
    assert.equal((await rpc('/process.Process/List', { ...route, 'X-Access-Token': 'wrong' })).status, 401, 'wrong token')
    assert.equal((await rpc('/process.Process/List', { ...route, 'X-API-Key': KEY_B })).status, 401, 'B\'s API key')
    assert.equal((await rpc('/process.Process/List', { ...route, 'X-API-Key': KEY_A })).status, 401, 'even A\'s API key is not a token')
    const b = await sandbox(t, asB)
    assert.equal((await rpc('/process.Process/List', { ...route, 'X-Access-Token': b.envdAccessToken })).status, 401, 'B\'s sandbox token on A\'s sandbox')
    assert.equal((await rpc('/filesystem.Filesystem/Stat', { ...route, 'X-Access-Token': 'wrong' }, { path: '/etc/hostname' })).status, 401)
    const start = await rpc('/process.Process/Start', { ...route, 'X-Access-Token': 'wrong' }, { process: { cmd: '/bin/true' } })
    assert.equal(start.status, 401, 'Start with a wrong token')

    // /files without a token or signature is refused too.
    const files = await fetch(`${SANDBOX_URL}/files?path=/etc/hostname`, { headers: { ...route, 'E2b-Sandbox-Port': '49983' } })
    assert.equal(files.status, 401, 'GET /files with neither token nor signature')
  })

  it('a tenant at maxSandboxes gets RateLimitError; killing one frees the slot', T, async (t) => {
    const q = await tenant(t, uniqueTag('quota'), 1)
    assert.equal(q.maxSandboxes, 1)
    const opts = { apiKey: q.apiKey }
    const first = await sandbox(t, opts)
    await rejectsWith(Sandbox.create('base', opts), RateLimitError, 'second create over the quota')
    await first.kill()
    await sandbox(t, opts)
  })

  it('unknown sandbox ids are NotFoundError', T, async () => {
    await rejectsWith(Sandbox.getInfo(RANDOM_ID), SandboxNotFoundError, 'getInfo(random)')
    await rejectsWith(Sandbox.setTimeout(RANDOM_ID, 10_000), NotFoundError, 'setTimeout(random)')
    assert.equal(await Sandbox.kill(RANDOM_ID), false)
  })

  it('a bad API key is AuthenticationError', T, async () => {
    const bad = { apiKey: 'e2b_' + '0'.repeat(40) }
    await rejectsWith(Sandbox.create('base', bad), AuthenticationError, 'create with a bad key')
    await rejectsWith(Sandbox.list(bad).nextItems(), AuthenticationError, 'list with a bad key')
    await rejectsWith(Sandbox.getInfo(RANDOM_ID, bad), AuthenticationError, 'getInfo with a bad key')
    const none = await fetch(`${API_URL}/v2/sandboxes`)
    assert.equal(none.status, 401, 'no key at all')
  })

  it('keys minted and revoked through the admin API take effect at once', T, async (t) => {
    const tn = await tenant(t, uniqueTag('keys'))
    const minted = await admin('POST', `/admin/tenants/${tn.id}/keys`, { name: 'second' })
    assert.equal(minted.status, 201, JSON.stringify(minted.body))
    assert.match(minted.body.apiKey, /^e2b_[0-9a-f]{40}$/)
    const listed = await admin('GET', `/admin/tenants/${tn.id}/keys`)
    assert.equal(listed.status, 200)
    assert.ok(listed.body.some((k) => k.id === minted.body.id), 'the new key is listed')
    assert.ok(listed.body.every((k) => !('apiKey' in k)), 'listing never shows the secret again')

    // Both keys act as the same tenant.
    const s = await sandbox(t, { apiKey: minted.body.apiKey })
    assert.ok((await listIds({ apiKey: tn.apiKey })).includes(s.sandboxId))

    assert.equal((await admin('DELETE', `/admin/keys/${minted.body.id}`)).status, 204)
    await rejectsWith(Sandbox.list({ apiKey: minted.body.apiKey }).nextItems(), AuthenticationError, 'revoked key')
    assert.ok((await listIds({ apiKey: tn.apiKey })).includes(s.sandboxId), 'the other key still works')
    assert.equal(await Sandbox.kill(s.sandboxId, { apiKey: tn.apiKey }), true, 'a sandbox made with one key is killed with the other')

    // A tenant key cannot use the admin API.
    const asTenant = await fetch(`${API_URL}/admin/tenants`, { headers: { 'X-API-Key': tn.apiKey } })
    assert.ok(asTenant.status === 401 || asTenant.status === 403, `admin API with a tenant key answered ${asTenant.status}`)
  })
})
