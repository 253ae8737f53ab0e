// The README's realtime example, run verbatim: it is cut out of README.md, given the names it
// leaves to the page (email, orgId, addTicket, showLive, ...), and run in its own Node process
// against the local project URL. Run by tests/test_supabase_js.py (see realtime.test.mjs's header
// for the environment it exports).

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const MARKER = '<!-- Run verbatim by tests/js/readme_realtime.test.mjs: keep it working. -->'
const EXAMPLE = README.split(MARKER)[1].split('```js\n')[1].split('\n```')[0]
const ORG_IDS = JSON.parse(process.env.ORG_IDS)

// What the page around the example provides; every call is reported to the test as a JSON line.
const PAGE = `
import WebSocket from 'ws'
globalThis.WebSocket ??= WebSocket // Node 20 has none; browsers and Node 22 do
const SUPABASE_URL = process.env.SUPABASE_URL
const SUPABASE_ANON_KEY = process.env.SUPABASE_ANON_KEY
const email = process.env.EXAMPLE_EMAIL
const password = process.env.DEMO_PASSWORD
const orgId = process.env.EXAMPLE_ORG_ID
const report = (kind, value) => console.log(JSON.stringify({ kind, value }))
const addTicket = (ticket) => report('addTicket', ticket.id)
const replaceTicketIfNewer = (ticket) => report('replaceTicketIfNewer', ticket.id)
const removeTicket = (id) => report('removeTicket', id)
const addComment = (comment) => report('addComment', comment.body)
const showLive = () => report('showLive', null)
const showRefused = (reason) => report('showRefused', reason)
const showReconnecting = () => report('showReconnecting', null)
`

// After the example: hand its access token to the test, which submits through the BFF with it.
const HAND_OVER_TOKEN = `
report('token', accessToken)
`

/** Run the example as `email` on `orgId`'s topic; collect the reports until `done` says so. */
function runExample(email, orgId, done, onReport = () => {}) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', PAGE + EXAMPLE + HAND_OVER_TOKEN], {
    cwd: new URL('../..', import.meta.url),
    env: { ...process.env, EXAMPLE_EMAIL: email, EXAMPLE_ORG_ID: orgId },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const reports = []
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += chunk))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill()
      reject(new Error(`no outcome in time; reports ${JSON.stringify(reports)}; stderr ${stderr}`))
    }, 15000)
    let buffered = ''
    child.stdout.on('data', async (chunk) => {
      buffered += chunk
      const lines = buffered.split('\n')
      buffered = lines.pop()
      for (const line of lines) {
        reports.push(JSON.parse(line))
        await onReport(reports)
        if (done(reports)) {
          clearTimeout(timer)
          child.kill()
          resolve(reports)
        }
      }
    })
    child.on('exit', (code) => {
      if (code) reject(new Error(`example exited ${code}: ${stderr}`))
    })
  })
}

const value = (reports, kind) => reports.find((r) => r.kind === kind)?.value

test('staff go live on their organization and see a new ticket arrive', async () => {
  let submitted = null
  const reports = await runExample(
    'agent1@acme.test',
    ORG_IDS.acme,
    (seen) => submitted !== null && seen.some((r) => r.kind === 'addTicket' && r.value === submitted),
    async (seen) => {
      const token = value(seen, 'token')
      if (submitted !== null || !token || !seen.some((r) => r.kind === 'showLive')) return
      submitted = 'pending'
      const response = await fetch(`${process.env.BFF_URL}/actions/createTicket`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          handling_org_id: ORG_IDS.acme,
          subject: 'Seen live by the README example',
          description: 'Submitted while the staff dashboard listens.',
        }),
      })
      assert.equal(response.status, 201)
      submitted = (await response.json()).id
    },
  )
  assert.equal(value(reports, 'showRefused'), undefined)
})

test('an employee of another organization is told the join was refused, and why', async () => {
  const reports = await runExample('agent@globex.test', ORG_IDS.acme, (seen) =>
    seen.some((r) => r.kind === 'showRefused'),
  )
  assert.match(value(reports, 'showRefused'), /^Unauthorized: You do not have permissions to read/)
  assert.ok(!reports.some((r) => r.kind === 'showLive'))
})
