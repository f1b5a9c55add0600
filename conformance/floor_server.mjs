// The SDK floor: a stand-in for an E2B server that does no work at all, so that bench.mjs run
// against it measures what the official SDKs and one HTTP exchange per call cost on this machine.
// It answers only what bench.mjs asks, with canned replies:
//   POST /sandboxes                  201, a sandbox (envd 0.6.4)
//   DELETE /sandboxes/{id}           204
//   POST /process.Process/Start      a Connect stream: start, stdout "ok\n" for `echo ok`, end (exit 0)
//   POST /execute                    NDJSON: result "2", number_of_executions, end_of_execution
// Prints {"port": N} once listening on 127.0.0.1 (port 0 unless --port), then serves until killed.
import http from 'node:http'
import { parseArgs } from 'node:util'

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } })

function envelope(message, flags = 0) {
  const json = Buffer.from(JSON.stringify(message))
  const head = Buffer.alloc(5)
  head.writeUInt8(flags, 0)
  head.writeUInt32BE(json.length, 1)
  return Buffer.concat([head, json])
}

function readBody(req) {
  return new Promise((resolve) => {
    const parts = []
    req.on('data', (c) => parts.push(c))
    req.on('end', () => resolve(Buffer.concat(parts)))
  })
}

let counter = 0
const server = http.createServer(async (req, res) => {
  const body = await readBody(req)
  const path = req.url.split('?')[0]
  if (req.method === 'POST' && path === '/sandboxes') {
    const id = `ifloor${(counter++).toString(36).padStart(14, '0')}`
    res.writeHead(201, { 'Content-Type': 'application/json' })
    res.end(JSON.stringify({ sandboxID: id, templateID: 'base', clientID: 'floor', envdVersion: '0.6.4', envdAccessToken: 'floor' }))
  } else if (req.method === 'DELETE' && path.startsWith('/sandboxes/')) {
    res.writeHead(204).end()
  } else if (req.method === 'POST' && path === '/process.Process/Start') {
    // a JSON-encoded Connect request is one envelope; `echo ok` prints, `true` does not
    const request = JSON.parse(body.subarray(5).toString() || '{}')
    const command = (request.process?.args ?? []).join(' ')
    res.writeHead(200, { 'Content-Type': 'application/connect+json' })
    res.write(envelope({ event: { start: { pid: 1 } } }))
    if (command.includes('echo ok')) {
      res.write(envelope({ event: { data: { stdout: Buffer.from('ok\n').toString('base64') } } }))
    }
    res.write(envelope({ event: { end: { exitCode: 0, exited: true, status: 'exit status 0' } } }))
    res.end(envelope({}, 0x02))
  } else if (req.method === 'POST' && path === '/execute') {
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson' })
    res.end('{"type":"result","text":"2","is_main_result":true}\n'
      + '{"type":"number_of_executions","execution_count":1}\n{"type":"end_of_execution"}\n')
  } else {
    res.writeHead(404, { 'Content-Type': 'application/json' })
    res.end(JSON.stringify({ code: 404, message: `the floor server does not serve ${req.method} ${path}` }))
  }
})
server.keepAliveTimeout = 60_000
server.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n')
})
