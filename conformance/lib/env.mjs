// Shared set-up for the conformance tests: the server under test comes from the environment,
// exactly as a user of the official SDK would configure it.
//   E2B_API_URL, E2B_SANDBOX_URL  the Airlock server (one port serves both planes)
//   E2B_API_KEY                   tenant A's key (read by the SDK itself)
//   AIRLOCK_SECOND_KEY            tenant B's key
//   AIRLOCK_ADMIN_KEY             the operator key, for the admin API
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { Sandbox } from 'e2b'

function required(name) {
  const v = process.env[name]
  if (!v) {
    throw new Error(`${name} is not set; the conformance tests need E2B_API_URL, E2B_SANDBOX_URL, E2B_API_KEY, AIRLOCK_SECOND_KEY and AIRLOCK_ADMIN_KEY`)
  }
  return v
}

export const API_URL = required('E2B_API_URL').replace(/\/$/, '')
export const SANDBOX_URL = required('E2B_SANDBOX_URL').replace(/\/$/, '')
export const KEY_A = required('E2B_API_KEY')
export const KEY_B = required('AIRLOCK_SECOND_KEY')
export const ADMIN_KEY = required('AIRLOCK_ADMIN_KEY')

/** Options that make an SDK call act as tenant B. */
export const asB = { apiKey: KEY_B }

/** A per-run tag, so list filters only see this run's sandboxes. */
export function uniqueTag(prefix = 't') {
  return `${prefix}-${randomUUID()}`
}

/**
 * Creates a sandbox and registers its kill with the test context, so every test cleans up what
 * it creates even when it fails half-way.
 */
export async function sandbox(t, opts = {}) {
  const sbx = await Sandbox.create('base', { timeoutMs: 120_000, ...opts })
  t.after(async () => {
    await Sandbox.kill(sbx.sandboxId, opts.apiKey ? { apiKey: opts.apiKey } : {}).catch(() => {})
  })
  return sbx
}

/** Calls the admin API as the operator; returns {status, body}. */
export async function admin(method, path, body) {
  const res = await fetch(API_URL + path, {
    method,
    headers: { 'X-API-Key': ADMIN_KEY, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  let json
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = text
  }
  return { status: res.status, body: json }
}

/** Creates a tenant through the admin API; deletes it after the test. Returns {id, apiKey, ...}. */
export async function tenant(t, name, maxSandboxes) {
  const res = await admin('POST', '/admin/tenants', { name, ...(maxSandboxes != null ? { maxSandboxes } : {}) })
  assert.equal(res.status, 201, `POST /admin/tenants answered ${res.status}: ${JSON.stringify(res.body)}`)
  assert.match(res.body.apiKey, /^e2b_[0-9a-f]{40}$/, 'a tenant key must look like an E2B key')
  t.after(async () => {
    // Kill what the tenant still runs, then delete it.
    try {
      const pager = Sandbox.list({ apiKey: res.body.apiKey })
      while (pager.hasNext) {
        for (const s of await pager.nextItems()) {
          await Sandbox.kill(s.sandboxId, { apiKey: res.body.apiKey }).catch(() => {})
        }
      }
    } catch {
      // the tenant may already be gone
    }
    await admin('DELETE', `/admin/tenants/${res.body.id}`).catch(() => {})
  })
  return res.body
}

/** Asserts that a promise rejects with an instance of cls; returns the error. */
export async function rejectsWith(promise, cls, what) {
  let err
  try {
    await promise
  } catch (e) {
    err = e
  }
  assert.ok(err, `${what}: expected ${cls.name}, but it succeeded`)
  assert.ok(err instanceof cls, `${what}: expected ${cls.name}, got ${err?.constructor?.name}: ${err?.message}`)
  return err
}

/** Polls fn until it returns a truthy value or the deadline passes. */
export async function eventually(fn, { timeoutMs = 15_000, intervalMs = 250, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs
  let last
  while (Date.now() < deadline) {
    last = await fn()
    if (last) return last
    await new Promise((r) => setTimeout(r, intervalMs))
  }
  assert.fail(`${what} did not happen within ${timeoutMs} ms (last value: ${JSON.stringify(last)})`)
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
