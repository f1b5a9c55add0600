// Files through the data plane: /files (multipart, octet-stream, gzip, signed URLs) and
// filesystem.Filesystem over Connect-JSON.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { Sandbox, NotFoundError, FileType, FilesystemEventType, getSignature } from 'e2b'
import { SANDBOX_URL, rejectsWith, eventually } from '../lib/env.mjs'

const T = { timeout: 60_000 }

describe('files', { concurrency: 4 }, () => {
  let sbx
  before(async () => {
    sbx = await Sandbox.create('base', { timeoutMs: 180_000 })
  })
  after(async () => {
    await sbx?.kill().catch(() => {})
  })

  it('write and read text; relative paths resolve against the home directory', T, async () => {
    const info = await sbx.files.write('/home/user/hello.txt', 'hello files\n')
    assert.equal(info.path, '/home/user/hello.txt')
    assert.equal(info.name, 'hello.txt')
    assert.equal(info.type, FileType.FILE)
    assert.equal(await sbx.files.read('/home/user/hello.txt'), 'hello files\n')

    const rel = await sbx.files.write('relative.txt', 'rel')
    assert.equal(rel.path, '/home/user/relative.txt')
    assert.equal(await sbx.files.read('/home/user/relative.txt'), 'rel')
    const owner = (await sbx.commands.run('stat -c %U /home/user/relative.txt')).stdout
    assert.equal(owner, 'user\n', 'files are written as the default user')
  })

  it('write and read 1 MiB of random bytes unchanged', T, async () => {
    const data = randomBytes(1 << 20)
    const ab = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)
    await sbx.files.write('/tmp/random.bin', ab)
    const back = await sbx.files.read('/tmp/random.bin', { format: 'bytes' })
    assert.ok(back instanceof Uint8Array)
    assert.equal(back.length, data.length)
    assert.ok(Buffer.from(back).equals(data), 'bytes differ after a round trip')
    const blob = await sbx.files.read('/tmp/random.bin', { format: 'blob' })
    assert.equal(blob.size, data.length)
    const sum = (await sbx.commands.run('sha256sum /tmp/random.bin')).stdout.split(' ')[0]
    const { createHash } = await import('node:crypto')
    assert.equal(sum, createHash('sha256').update(data).digest('hex'))
  })

  it('write as octet-stream and as root', T, async () => {
    await sbx.files.write('/tmp/octet.txt', 'octet body', { useOctetStream: true })
    assert.equal(await sbx.files.read('/tmp/octet.txt'), 'octet body')
    await sbx.files.write('/root/as-root.txt', 'root only', { user: 'root' })
    assert.equal(await sbx.files.read('/root/as-root.txt', { user: 'root' }), 'root only')
    assert.equal((await sbx.files.getInfo('/root/as-root.txt', { user: 'root' })).owner, 'root')
  })

  it('writeFiles writes several files, creating parent directories', T, async () => {
    const infos = await sbx.files.write([
      { path: '/tmp/multi/a.txt', data: 'A' },
      { path: '/tmp/multi/deep/b.txt', data: 'B' },
    ])
    assert.deepEqual(infos.map((i) => i.path).sort(), ['/tmp/multi/a.txt', '/tmp/multi/deep/b.txt'])
    const more = await sbx.files.writeFiles([{ path: '/tmp/multi/c.txt', data: 'C' }])
    assert.equal(more.length, 1)
    assert.equal(await sbx.files.read('/tmp/multi/a.txt'), 'A')
    assert.equal(await sbx.files.read('/tmp/multi/deep/b.txt'), 'B')
    assert.equal(await sbx.files.read('/tmp/multi/c.txt'), 'C')
  })

  it('list honours depth', T, async () => {
    await sbx.files.makeDir('/tmp/tree/sub/deeper')
    await sbx.files.write('/tmp/tree/top.txt', 'top')
    await sbx.files.write('/tmp/tree/sub/mid.txt', 'mid')
    await sbx.files.write('/tmp/tree/sub/deeper/low.txt', 'low')

    const one = await sbx.files.list('/tmp/tree')
    assert.deepEqual(one.map((e) => e.path).sort(), ['/tmp/tree/sub', '/tmp/tree/top.txt'])
    const sub = one.find((e) => e.name === 'sub')
    assert.equal(sub.type, FileType.DIR)
    const top = one.find((e) => e.name === 'top.txt')
    assert.equal(top.type, FileType.FILE)
    assert.equal(top.size, 3)

    const two = await sbx.files.list('/tmp/tree', { depth: 2 })
    assert.deepEqual(two.map((e) => e.path).sort(),
      ['/tmp/tree/sub', '/tmp/tree/sub/deeper', '/tmp/tree/sub/mid.txt', '/tmp/tree/top.txt'])
    await rejectsWith(sbx.files.list('/tmp/no-such-dir'), NotFoundError, 'list a missing directory')
  })

  it('exists and getInfo', T, async () => {
    await sbx.files.write('/tmp/info.txt', '12345')
    assert.equal(await sbx.files.exists('/tmp/info.txt'), true)
    assert.equal(await sbx.files.exists('/tmp/definitely-missing.txt'), false)
    const f = await sbx.files.getInfo('/tmp/info.txt')
    assert.equal(f.type, FileType.FILE)
    assert.equal(f.size, 5)
    assert.equal(f.name, 'info.txt')
    assert.equal(f.path, '/tmp/info.txt')
    assert.equal(f.owner, 'user')
    // envd's form is Go's os.FileMode string: a type character, then rwx three times.
    assert.match(f.permissions, /^-[-r][-w][-x][-r][-w][-x][-r][-w][-x]$/)
    const bits = [...f.permissions.slice(1)].reduce((m, c) => (m << 1) | (c === '-' ? 0 : 1), 0)
    assert.equal(f.mode & 0o777, bits, `mode ${f.mode.toString(8)} vs permissions ${f.permissions}`)
    assert.ok(f.modifiedTime instanceof Date && Math.abs(f.modifiedTime - Date.now()) < 120_000, `modifiedTime ${f.modifiedTime}`)
    const d = await sbx.files.getInfo('/tmp')
    assert.equal(d.type, FileType.DIR)
    await rejectsWith(sbx.files.getInfo('/tmp/definitely-missing.txt'), NotFoundError, 'getInfo of a missing file')
    await rejectsWith(sbx.files.read('/tmp/definitely-missing.txt'), NotFoundError, 'read of a missing file')
  })

  it('rename moves a file', T, async () => {
    await sbx.files.write('/tmp/rename-a.txt', 'moving')
    const moved = await sbx.files.rename('/tmp/rename-a.txt', '/tmp/rename-b.txt')
    assert.equal(moved.path, '/tmp/rename-b.txt')
    assert.equal(await sbx.files.exists('/tmp/rename-a.txt'), false)
    assert.equal(await sbx.files.read('/tmp/rename-b.txt'), 'moving')
    await rejectsWith(sbx.files.rename('/tmp/rename-a.txt', '/tmp/rename-c.txt'), NotFoundError, 'rename a missing file')
  })

  it('remove deletes files and directories', T, async () => {
    await sbx.files.write('/tmp/rm/inner/x.txt', 'x')
    await sbx.files.remove('/tmp/rm/inner/x.txt')
    assert.equal(await sbx.files.exists('/tmp/rm/inner/x.txt'), false)
    await sbx.files.write('/tmp/rm/inner/y.txt', 'y')
    await sbx.files.remove('/tmp/rm')
    assert.equal(await sbx.files.exists('/tmp/rm'), false)
  })

  it('makeDir returns true, then false when the directory exists', T, async () => {
    assert.equal(await sbx.files.makeDir('/tmp/made/nested'), true)
    assert.equal((await sbx.files.getInfo('/tmp/made/nested')).type, FileType.DIR)
    assert.equal(await sbx.files.makeDir('/tmp/made/nested'), false)
  })

  it('watchDir reports a created file and stops', T, async () => {
    await sbx.files.makeDir('/tmp/watched')
    const events = []
    const handle = await sbx.files.watchDir('/tmp/watched', (e) => events.push(e))
    try {
      await sbx.files.write('/tmp/watched/new.txt', 'watch me')
      await eventually(() => events.some((e) => e.name === 'new.txt' &&
        (e.type === FilesystemEventType.CREATE || e.type === FilesystemEventType.WRITE)),
      { timeoutMs: 10_000, what: `a create/write event for new.txt (got ${JSON.stringify(events)})` })
    } finally {
      await handle.stop()
    }
    const count = events.length
    await sbx.files.write('/tmp/watched/after-stop.txt', 'x')
    await new Promise((r) => setTimeout(r, 500))
    assert.ok(!events.slice(count).some((e) => e.name === 'after-stop.txt'), 'no events after stop')
  })

  it('gzip upload and download', T, async () => {
    const text = 'compressible line\n'.repeat(20_000)
    await sbx.files.write('/tmp/gzip.txt', text, { gzip: true })
    assert.equal(await sbx.files.read('/tmp/gzip.txt', { gzip: true }), text)
    assert.equal((await sbx.files.getInfo('/tmp/gzip.txt')).size, text.length, 'stored uncompressed')
    const res = await fetch(await sbx.downloadUrl('/tmp/gzip.txt'), { headers: { 'Accept-Encoding': 'gzip' } })
    assert.equal(res.status, 200)
    assert.equal(await res.text(), text, 'fetch decodes Content-Encoding: gzip transparently')
  })

  it('signed upload and download URLs work with plain fetch and no headers', T, async () => {
    const up = await sbx.uploadUrl('/home/user/signed.txt', { useSignatureExpiration: 120 })
    assert.ok(up.startsWith(SANDBOX_URL + '/files?'), up)
    const u = new URL(up)
    assert.match(u.searchParams.get('signature'), /^v1_/)
    assert.ok(u.searchParams.get('signature_expiration'))
    const form = new FormData()
    form.append('file', new Blob(['uploaded with a signed URL']), 'signed.txt')
    const put = await fetch(up, { method: 'POST', body: form })
    assert.equal(put.status, 200, `upload answered ${put.status}: ${await put.text()}`)
    assert.equal(await sbx.files.read('/home/user/signed.txt'), 'uploaded with a signed URL')

    const down = await sbx.downloadUrl('/home/user/signed.txt')
    const get = await fetch(down)
    assert.equal(get.status, 200)
    assert.equal(await get.text(), 'uploaded with a signed URL')

    const withExp = await fetch(await sbx.downloadUrl('/home/user/signed.txt', { useSignatureExpiration: 60 }))
    assert.equal(withExp.status, 200)
  })

  it('tampered, mismatched or expired signatures are refused', T, async () => {
    await sbx.files.write('/home/user/guarded.txt', 'guarded')
    await sbx.files.write('/home/user/other.txt', 'other')
    const good = new URL(await sbx.downloadUrl('/home/user/guarded.txt'))

    const tampered = new URL(good)
    const sig = tampered.searchParams.get('signature')
    tampered.searchParams.set('signature', sig.slice(0, -2) + (sig.endsWith('AA') ? 'BB' : 'AA'))
    assert.equal((await fetch(tampered)).status, 401, 'tampered signature')

    const otherPath = new URL(good)
    otherPath.searchParams.set('path', '/home/user/other.txt')
    assert.equal((await fetch(otherPath)).status, 401, 'signature for another path')

    // A read signature does not authorise a write.
    const form = new FormData()
    form.append('file', new Blob(['overwritten']), 'guarded.txt')
    assert.equal((await fetch(good, { method: 'POST', body: form })).status, 401, 'read signature used to upload')
    assert.equal(await sbx.files.read('/home/user/guarded.txt'), 'guarded')

    const expired = await getSignature({
      path: '/home/user/guarded.txt', operation: 'read', user: undefined,
      expirationInSeconds: -60, envdAccessToken: sbx.envdAccessToken,
    })
    const exp = new URL(good)
    exp.searchParams.set('signature', expired.signature)
    exp.searchParams.set('signature_expiration', String(expired.expiration))
    assert.equal((await fetch(exp)).status, 401, 'expired signature')

    assert.equal((await fetch(good)).status, 200, 'the untouched URL still works')
  })
})
