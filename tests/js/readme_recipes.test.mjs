// The README's supabase-js recipes, run verbatim as every role of the visibility table. Each
// snippet is cut out of README.md (after its `<!-- recipe NAME: ... -->` marker), run with the
// names it leaves to the page (supabase, orgId, ticketId), and its results are checked against
// what "Who can see what" promises that role. Run by tests/test_supabase_js.py (see
// realtime.test.mjs's header for the environment it exports).

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { before, describe, test } from 'node:test'

import { createClient } from '@supabase/supabase-js'
import WebSocket from 'ws'

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const RECIPES = Object.fromEntries(
  [...README.matchAll(/<!-- recipe ([a-z-]+): [^>]*-->\n```js\n([\s\S]*?)\n```/g)].map(([, name, code]) => [
    name,
    code,
  ]),
)
// What each recipe leaves for the page to use, handed back to the test.
const RESULTS = {
  'list-tickets': ['page', 'tickets'],
  'read-ticket': ['ticket'],
  'ticket-history': ['detail', 'history'],
  stats: ['stats', 'cards'],
}
const AsyncFunction = (async () => {}).constructor

const { SUPABASE_URL, SUPABASE_ANON_KEY, BFF_URL, DEMO_PASSWORD } = process.env
const TOKENS = JSON.parse(process.env.TOKENS)
const USER_IDS = JSON.parse(process.env.USER_IDS)
const ORG_IDS = JSON.parse(process.env.ORG_IDS)
const EMAILS = JSON.parse(process.env.EMAILS)

// The visibility table's roles, by the seeded user acting in each (anon: nobody signed in).
const ROLES = {
  requester: 'alice',
  other_customer: 'bob',
  colleague: 'agent2',
  admin: 'acme_admin',
  other_org_employee: 'globex_agent',
  anon: null,
}
const STAFF = new Set(['colleague', 'admin'])

// As the web app makes it (Node 20 has no WebSocket of its own; supabase-js wants one at once).
const newClient = () =>
  createClient(SUPABASE_URL, SUPABASE_ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket },
  })

async function act(who, action, body) {
  const response = await fetch(`${BFF_URL}/actions/${action}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKENS[who]}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
  const json = await response.json()
  assert.ok(response.ok, `${action}: ${JSON.stringify(json)}`)
  return json
}

async function run(recipe, supabase, ticketId) {
  const body = `${RECIPES[recipe]}\nreturn { ${RESULTS[recipe].join(', ')} }`
  return new AsyncFunction('supabase', 'orgId', 'ticketId', body)(supabase, ORG_IDS.acme, ticketId)
}

test('every recipe in the README is run here, and every one run here is in the README', () => {
  assert.deepEqual(Object.keys(RECIPES).sort(), Object.keys(RESULTS).sort())
})

// Alice's urgent ticket at acme, on a team, assigned to agent1, with a reply and an internal note.
const worked = {}
before(async () => {
  const tag = Math.random().toString(36).slice(2, 10)
  const team = await act('acme_admin', 'createTeam', { org_id: ORG_IDS.acme, name: `Recipes ${tag}` })
  await act('acme_admin', 'addTeamMember', { team_id: team.id, user_id: USER_IDS.agent1 })
  const ticket = await act('alice', 'createTicket', {
    handling_org_id: ORG_IDS.acme,
    subject: `Recipes ${tag}`,
    description: 'The invoice PDF is blank.',
    priority: 'urgent',
  })
  await act('agent1', 'updateTicket', {
    ticket_id: ticket.id,
    expected_version: ticket.version,
    status: 'in_progress',
    assigned_team_id: team.id,
    assigned_employee_id: USER_IDS.agent1,
  })
  await act('agent1', 'addComment', { ticket_id: ticket.id, body: 'Looking into it.' })
  await act('agent1', 'addComment', { ticket_id: ticket.id, body: 'Renderer bug.', is_internal: true })
  Object.assign(worked, { id: ticket.id, team: team.name })
})

for (const [role, who] of Object.entries(ROLES)) {
  describe(`as the ${role}`, () => {
    const supabase = newClient()
    const sees = STAFF.has(role) || role === 'requester'

    before(async () => {
      if (!who) return
      const { error } = await supabase.auth.signInWithPassword({ email: EMAILS[who], password: DEMO_PASSWORD })
      assert.equal(error, null)
    })

    if (!who) {
      test('every recipe is refused: anon has no privileges', async () => {
        for (const recipe of Object.keys(RESULTS)) {
          await assert.rejects(run(recipe, supabase, worked.id), { code: '42501' }, recipe)
        }
      })
      return
    }

    test('list-tickets', async () => {
      const { page, tickets } = await run('list-tickets', supabase, worked.id)
      assert.ok(Array.isArray(tickets) && 'next_cursor' in page)
      assert.equal(tickets.some((t) => t.id === worked.id), sees)
      assert.ok(tickets.every((t) => ['open', 'in_progress'].includes(t.status)))
      if (!STAFF.has(role)) assert.ok(tickets.every((t) => t.user_id === USER_IDS[who]), 'own tickets only')
    })

    test('read-ticket', async () => {
      const { ticket } = await run('read-ticket', supabase, worked.id)
      if (!sees) return assert.equal(ticket, null)
      assert.equal(ticket.requester.display_name, 'Alice')
      assert.equal(ticket.assignee.display_name, 'Arthur Agent')
      assert.deepEqual(ticket.team, { name: worked.team })
      const bodies = ticket.ticket_comments.map((c) => c.body)
      assert.deepEqual(bodies, STAFF.has(role) ? ['Looking into it.', 'Renderer bug.'] : ['Looking into it.'])
      assert.equal(ticket.ticket_comments[0].author.display_name, 'Arthur Agent')
    })

    test('ticket-history', async () => {
      const { detail, history } = await run('ticket-history', supabase, worked.id)
      if (!sees) return assert.deepEqual([detail, history], [null, []])
      assert.equal(detail.id, worked.id)
      const kinds = history.map((e) => e.kind)
      assert.ok(kinds.includes('created') && kinds.includes('comment_added'), kinds.join())
      assert.equal(history.some((e) => e.is_internal), STAFF.has(role))
    })

    test('stats', async () => {
      const { stats, cards } = await run('stats', supabase, worked.id)
      assert.ok(cards.every(Number.isInteger))
      // Exactly what list_tickets lists to this caller (the org's tickets for staff).
      const { data: listed, error } = await supabase.rpc('list_tickets', { org_id: ORG_IDS.acme, limit: 100 })
      assert.equal(error, null)
      if (STAFF.has(role)) assert.ok(stats.total >= listed.items.length && stats.in_progress >= 1)
      else if (listed.next_cursor === null) assert.equal(stats.total, listed.items.length)
      else assert.ok(stats.total > listed.items.length) // more than one page of their own
    })
  })
}

describe('a direct caller gets the BFF status and a code naming it', () => {
  const supabase = newClient()
  before(async () => {
    await supabase.auth.signInWithPassword({ email: EMAILS.agent1, password: DEMO_PASSWORD })
  })

  test('a stale update is 409 PT409 with the current ticket', async () => {
    const { data: current } = await supabase.rpc('get_ticket', { ticket_id: worked.id }, { get: true })
    const { error, status } = await supabase.rpc('update_ticket', {
      ticket_id: worked.id,
      expected_version: current.version - 1,
      changes: { priority: 'low' },
    })
    assert.deepEqual([status, error.code, error.hint], [409, 'PT409', 'expected_version'])
    assert.equal(JSON.parse(error.details).version, current.version)
  })

  test('an invalid input is 422 PT422 naming it', async () => {
    const { error, status } = await supabase.rpc('create_ticket', {
      handling_org_id: ORG_IDS.acme,
      subject: 'x',
      description: '',
      priority: 'whenever',
    })
    assert.deepEqual([status, error.code, error.hint], [422, 'PT422', 'priority'])
  })

  test("another organization's admin action is 404 PT404", async () => {
    const { error, status } = await supabase.rpc('list_invitations', { org_id: ORG_IDS.globex }, { get: true })
    assert.deepEqual([status, error.code, error.hint], [404, 'PT404', 'org_id'])
  })

  test('a colleague doing an admin action is 403 PT403', async () => {
    const { error, status } = await supabase.rpc('create_team', { org_id: ORG_IDS.acme, name: 'Not mine' })
    assert.deepEqual([status, error.code], [403, 'PT403'])
  })
})
