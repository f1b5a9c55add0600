// Commands and PTYs through the data plane (process.Process over Connect-JSON).
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox, CommandExitError, NotFoundError, TimeoutError } from 'e2b'
import { rejectsWith, eventually, sleep } from '../lib/env.mjs'

const T = { timeout: 60_000 }

describe('commands', { concurrency: 4 }, () => {
  let sbx
  before(async () => {
    sbx = await Sandbox.create('base', { timeoutMs: 180_000, envs: { SBX_LEVEL: 'global', SHADOWED: 'sandbox' } })
  })
  after(async () => {
    await sbx?.kill().catch(() => {})
  })

  it('run returns stdout, stderr and the exit code', T, async () => {
    const r = await sbx.commands.run('echo out; echo err >&2')
    assert.equal(r.exitCode, 0)
    assert.equal(r.stdout, 'out\n')
    assert.equal(r.stderr, 'err\n')
  })

  it('run streams output to onStdout/onStderr', T, async () => {
    const out = []
    const err = []
    await sbx.commands.run('for i in 1 2 3; do echo o$i; echo e$i >&2; done', {
      onStdout: (d) => out.push(d),
      onStderr: (d) => err.push(d),
    })
    assert.equal(out.join(''), 'o1\no2\no3\n')
    assert.equal(err.join(''), 'e1\ne2\ne3\n')
  })

  it('run carries large output intact', T, async () => {
    const r = await sbx.commands.run("head -c 300000 /dev/zero | tr '\\0' a")
    assert.equal(r.stdout.length, 300000)
    assert.match(r.stdout, /^a+$/)
  })

  it('a non-zero exit throws CommandExitError with exitCode, stdout and stderr', T, async () => {
    const e = await rejectsWith(sbx.commands.run('echo partial; echo oops >&2; exit 3'), CommandExitError, 'exit 3')
    assert.equal(e.exitCode, 3)
    assert.equal(e.stdout, 'partial\n')
    assert.equal(e.stderr, 'oops\n')
  })

  it('background commands return a handle; wait gives the result', T, async () => {
    const h = await sbx.commands.run('sleep 0.5; echo done', { background: true })
    assert.ok(Number.isInteger(h.pid) && h.pid > 0, `pid ${h.pid}`)
    assert.equal(h.exitCode, undefined, 'still running right after start')
    const r = await h.wait()
    assert.equal(r.exitCode, 0)
    assert.equal(r.stdout, 'done\n')
    assert.equal(h.exitCode, 0)
  })

  it('stdin: sendStdin then closeStdin reaches the command', T, async () => {
    const h = await sbx.commands.run('cat', { background: true, stdin: true })
    await h.sendStdin('hello stdin\n')
    await h.sendStdin(new TextEncoder().encode('bytes too\n'))
    await h.closeStdin()
    const r = await h.wait()
    assert.equal(r.stdout, 'hello stdin\nbytes too\n')
  })

  it('without stdin:true the command reads EOF at once', T, async () => {
    const r = await sbx.commands.run('cat; echo eof', { timeoutMs: 10_000 })
    assert.equal(r.stdout, 'eof\n')
  })

  it('kill ends a background command; wait rejects; a second kill returns false', T, async () => {
    const h = await sbx.commands.run('sleep 120', { background: true })
    assert.equal(await h.kill(), true)
    const e = await rejectsWith(h.wait(), CommandExitError, 'wait after kill')
    assert.notEqual(e.exitCode, 0)
    assert.equal(await sbx.commands.kill(h.pid), false, 'killing an exited pid returns false (not_found)')
    const pids = (await sbx.commands.list()).map((p) => p.pid)
    assert.ok(!pids.includes(h.pid), `killed pid ${h.pid} still listed`)
  })

  it('list shows running commands with their command line', T, async () => {
    const h = await sbx.commands.run('sleep 77', { background: true, envs: { LISTED: 'yes' }, cwd: '/tmp' })
    try {
      const procs = await sbx.commands.list()
      const p = procs.find((x) => x.pid === h.pid)
      assert.ok(p, `pid ${h.pid} not in ${JSON.stringify(procs)}`)
      assert.ok([p.cmd, ...p.args].join(' ').includes('sleep 77'), `cmd/args: ${p.cmd} ${JSON.stringify(p.args)}`)
      assert.equal(p.envs.LISTED, 'yes')
      assert.equal(p.cwd, '/tmp')
    } finally {
      await h.kill()
    }
  })

  it('connect by pid receives later output', T, async () => {
    // A short timeoutMs: after disconnect() the SDK may leave the stream's deadline timer armed,
    // which keeps node alive until it fires (60 s by default).
    const h = await sbx.commands.run('for i in $(seq 1 15); do echo tick-$i; sleep 0.1; done', { background: true, timeoutMs: 6_000 })
    await h.disconnect()
    const seen = []
    const c = await sbx.commands.connect(h.pid, { onStdout: (d) => seen.push(d) })
    assert.equal(c.pid, h.pid)
    const r = await c.wait()
    assert.equal(r.exitCode, 0)
    assert.match(seen.join(''), /tick-15\n$/)
    await rejectsWith(sbx.commands.connect(999_999), NotFoundError, 'connect to an unknown pid')
  })

  it('per-command envs do not leak into later commands; sandbox envs are visible', T, async () => {
    assert.equal((await sbx.commands.run('echo "$FOO"', { envs: { FOO: 'bar' } })).stdout, 'bar\n')
    assert.equal((await sbx.commands.run('echo "$FOO"')).stdout, '\n')
    assert.equal((await sbx.commands.run('echo "$SBX_LEVEL"')).stdout, 'global\n')
    assert.equal((await sbx.commands.run('echo "$SHADOWED"', { envs: { SHADOWED: 'command' } })).stdout, 'command\n')
    assert.equal((await sbx.commands.run('echo "$SHADOWED"')).stdout, 'sandbox\n')
  })

  it('cwd sets the working directory; the default is the home of user', T, async () => {
    assert.equal((await sbx.commands.run('pwd', { cwd: '/tmp' })).stdout, '/tmp\n')
    assert.equal((await sbx.commands.run('pwd')).stdout, '/home/user\n')
  })

  it('user selects the Linux user; the default is user', T, async () => {
    assert.equal((await sbx.commands.run('id -un', { user: 'root' })).stdout, 'root\n')
    assert.equal((await sbx.commands.run('id -un')).stdout, 'user\n')
    assert.equal((await sbx.commands.run('id -un', { user: 'user' })).stdout, 'user\n')
    assert.equal((await sbx.commands.run('echo "$HOME"', { user: 'root' })).stdout, '/root\n')
  })

  it('commands run in a bash login shell', T, async () => {
    const r = await sbx.commands.run('echo "$0 ${BASH_VERSION:+bash}"; shopt -q login_shell && echo login')
    assert.equal(r.stdout.split('\n')[1], 'login')
    assert.match(r.stdout, /bash/)
  })

  it('timeoutMs ends the wait with TimeoutError', T, async () => {
    await rejectsWith(sbx.commands.run('sleep 30', { timeoutMs: 700 }), TimeoutError, 'sleep 30 with timeoutMs 700')
  })

  it('pty: input, output, resize and kill', T, async () => {
    const chunks = []
    const decoder = new TextDecoder()
    const term = await sbx.pty.create({ cols: 80, rows: 24, onData: (d) => chunks.push(decoder.decode(d, { stream: true })) })
    const out = () => chunks.join('')
    assert.ok(term.pid > 0)
    // The terminal echoes the input line; only a shell that ran it prints the sum.
    await sbx.pty.sendInput(term.pid, new TextEncoder().encode('echo hi-$((40+2))\n'))
    await eventually(() => out().includes('hi-42'), { timeoutMs: 10_000, what: 'pty output hi-42' })

    await sbx.pty.resize(term.pid, { cols: 100, rows: 30 })
    await sbx.pty.sendInput(term.pid, new TextEncoder().encode('stty size\n'))
    await eventually(() => out().includes('30 100'), { timeoutMs: 10_000, what: "'stty size' to print 30 100" })

    await sbx.pty.sendInput(term.pid, new TextEncoder().encode('echo "$TERM"\n'))
    await eventually(() => out().includes('xterm-256color'), { timeoutMs: 10_000, what: 'TERM=xterm-256color' })

    assert.equal(await sbx.pty.kill(term.pid), true)
    await assert.rejects(term.wait(), 'wait on a killed pty rejects')
    await sleep(100)
    assert.ok(!(await sbx.commands.list()).some((p) => p.pid === term.pid), 'killed pty is not listed')
  })
})
