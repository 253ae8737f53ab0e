// Live updates as the frontend receives them: supabase-js on private channels of the project URL,
// writes made through the BFF. Run by tests/test_supabase_js.py, which exports SUPABASE_URL (the
// project URL), SUPABASE_ANON_KEY, BFF_URL, DEMO_PASSWORD (every seeded user's) and TOKENS /
// USER_IDS / ORG_IDS (JSON maps by the short names of tests/conftest.py; organizations by slug).
//
//   node --test tests/js/realtime.test.mjs

import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'

import { createClient } from '@supabase/supabase-js'
import WebSocket from 'ws'

function required(name) {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set: run this file through pytest (see its header)`)
  return value
}

const SUPABASE_URL = required('SUPABASE_URL')
const SUPABASE_ANON_KEY = required('SUPABASE_ANON_KEY')
const BFF_URL = required('BFF_URL')
const TOKENS = JSON.parse(required('TOKENS'))
const USER_IDS = JSON.parse(required('USER_IDS'))
const ORG_IDS = JSON.parse(required('ORG_IDS'))
const DEMO_PASSWORD = required('DEMO_PASSWORD')

const WAIT_MS = 5000 // for a message that must arrive
const GRACE_MS = 500 // after which a message that must not arrive is taken as not sent

const orgTopic = (orgId) => `org:${orgId}:tickets`
const userTopic = (userId) => `user:${userId}:tickets`
const unauthorized = (topic) =>
  `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`

const clients = []
after(async () => {
  await Promise.all(clients.map((supabase) => supabase.removeAllChannels()))
})

/** A supabase-js client as the frontend makes it, its Realtime given `token` (anon if null). */
async function connect(token) {
  const supabase = createClient(SUPABASE_URL, SUPABASE_ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket },
  })
  clients.push(supabase)
  if (token) await supabase.realtime.setAuth(token)
  return supabase
}

/** Join a private topic; resolve with the first status and what the channel receives after. */
function join(supabase, topic) {
  const broadcasts = []
  const system = []
  const statuses = []
  const channel = supabase
    .channel(topic, { config: { private: true } })
    .on('broadcast', { event: '*' }, (message) => broadcasts.push(message))
    .on('system', {}, (message) => system.push(message))
  return new Promise((resolve) => {
    channel.subscribe((status, error) => {
      statuses.push(status)
      if (statuses.length === 1) resolve({ channel, status, error, broadcasts, system, statuses })
    })
  })
}

async function joined(supabase, topic) {
  const subscription = await join(supabase, topic)
  assert.equal(subscription.status, 'SUBSCRIBED', subscription.error?.message)
  return subscription
}

async function until(condition, what, ms = WAIT_MS) {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(20)
  }
}

/** Call a server action of the BFF as `who` (a short name of TOKENS). */
async function act(who, action, body) {
  const response = await fetch(`${BFF_URL}/actions/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS[who]}` },
    body: JSON.stringify(body),
  })
  const answer = await response.json()
  assert.ok(response.ok, `${action}: ${response.status} ${JSON.stringify(answer)}`)
  return answer
}

function newTicket(who = 'alice', orgId = ORG_IDS.acme) {
  return act(who, 'createTicket', {
    handling_org_id: orgId,
    subject: `Live ${randomUUID().slice(0, 8)}`,
    description: 'The printer prints only blank pages.',
  })
}

const startWork = (who, ticket) =>
  act(who, 'updateTicket', { ticket_id: ticket.id, expected_version: 1, status: 'in_progress' })

const comment = (who, ticket, body, isInternal = false) =>
  act(who, 'addComment', { ticket_id: ticket.id, body, is_internal: isInternal })

/** The broadcasts about one ticket, as [event] or, for comments, [event, is_internal]. */
function about(ticketId, broadcasts) {
  const described = ({ event, payload }) =>
    event === 'comment_added' ? [event, payload.is_internal] : [event]
  return broadcasts
    .filter(({ payload }) => payload.id === ticketId || payload.ticket_id === ticketId)
    .map(described)
}

/** The ticket with its timestamps as instants: Postgres and the BFF spell them differently. */
function instants(ticket) {
  const at = ([name, value]) => [name, name.endsWith('_at') && value ? Date.parse(value) : value]
  return Object.fromEntries(Object.entries(ticket).map(at))
}

function claimsOf(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())
}

describe('staff of the organization on org:<org_id>:tickets', () => {
  test('receive created, updated and comments, internal notes included, in order', async () => {
    const staff = await joined(await connect(TOKENS.agent1), orgTopic(ORG_IDS.acme))

    const ticket = await newTicket('alice')
    await startWork('agent1', ticket)
    await comment('agent1', ticket, 'Known firmware bug.', true)
    await comment('alice', ticket, 'Any news?')

    await until(() => about(ticket.id, staff.broadcasts).length === 4, 'four messages')
    assert.deepEqual(about(ticket.id, staff.broadcasts), [
      ['ticket_created'],
      ['ticket_updated'],
      ['comment_added', true],
      ['comment_added', false],
    ])
    const [created, updated] = staff.broadcasts.filter(({ payload }) => payload.id === ticket.id)
    assert.deepEqual(instants(created.payload), instants(ticket), 'as createTicket returned it')
    assert.equal(updated.payload.status, 'in_progress')
    assert.equal(updated.payload.version, 2)
    assert.equal(created.type, 'broadcast')
    assert.match(created.meta?.id ?? '', /^[0-9a-f-]{36}$/, "the message's id, as Realtime has it")
  })
})

describe('the requester on user:<user_id>:tickets', () => {
  test("receives their ticket's public changes and never an internal note", async () => {
    const requester = await joined(await connect(TOKENS.alice), userTopic(USER_IDS.alice))

    const ticket = await newTicket('alice')
    await startWork('agent1', ticket)
    await comment('agent1', ticket, 'Do not tell the customer.', true)
    const reply = await comment('agent1', ticket, 'We are on it.')

    // Messages of a topic arrive in commit order: once the public reply is here, the internal
    // note written before it would have been too.
    await until(() => requester.broadcasts.some(({ payload }) => payload.id === reply.id), 'reply')
    assert.deepEqual(about(ticket.id, requester.broadcasts), [
      ['ticket_created'],
      ['ticket_updated'],
      ['comment_added', false],
    ])
    assert.ok(!JSON.stringify(requester.broadcasts).includes('Do not tell the customer.'))
  })
})

describe('refused at join, with the reason', () => {
  const acme = () => orgTopic(ORG_IDS.acme)
  const alices = () => userTopic(USER_IDS.alice)
  const cases = [
    ['an employee of another organization', 'globex_agent', acme],
    ['an employee of another organization, on a requester topic', 'globex_agent', alices],
    ['another customer, on a requester topic', 'bob', alices],
    ['anon', null, acme],
    ['anon, on a requester topic', null, alices],
  ]
  for (const [who, name, topicOf] of cases) {
    test(`${who} gets CHANNEL_ERROR "Unauthorized: …" and no messages`, async () => {
      const topic = topicOf()
      const supabase = await connect(name ? TOKENS[name] : null)
      const refused = await join(supabase, topic)
      assert.equal(refused.status, 'CHANNEL_ERROR')
      assert.equal(refused.error.message, unauthorized(topic))
      await supabase.removeChannel(refused.channel) // else the client retries the join

      const watcher = await joined(await connect(TOKENS.agent1), orgTopic(ORG_IDS.acme))
      const ticket = await newTicket('alice')
      await until(() => about(ticket.id, watcher.broadcasts).length === 1, 'the staff copy')
      await sleep(GRACE_MS)
      assert.deepEqual(refused.broadcasts, [])
    })
  }

  test('a token whose session was signed out opens no channel', async () => {
    const person = createClient(SUPABASE_URL, SUPABASE_ANON_KEY, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket },
    })
    const { data, error } = await person.auth.signInWithPassword({
      email: 'agent1@acme.test',
      password: DEMO_PASSWORD,
    })
    assert.ifError(error)
    const token = data.session.access_token
    assert.ifError((await person.auth.signOut()).error)

    const topic = orgTopic(ORG_IDS.acme)
    const refused = await join(await connect(token), topic)
    assert.equal(refused.status, 'CHANNEL_ERROR')
    assert.equal(refused.error.message, unauthorized(topic))
    await refused.channel.unsubscribe()
  })

  test('an unreachable server is a transport failure, not a refusal', async () => {
    const supabase = createClient('http://127.0.0.1:9', SUPABASE_ANON_KEY, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket },
    })
    clients.push(supabase)
    await supabase.realtime.setAuth(TOKENS.agent1)
    const failed = await join(supabase, orgTopic(ORG_IDS.acme))
    assert.equal(failed.status, 'CHANNEL_ERROR')
    assert.equal(failed.error.message, 'channel error: transport failure')
    await supabase.removeAllChannels()
  })
})

describe('a member removed while subscribed', () => {
  test('stops receiving after the next token update', async () => {
    // A fresh organization of globex_admin's with bob invited as an employee, so no seeded
    // membership changes.
    const slug = `live-${randomUUID().slice(0, 8)}`
    const org = await act('globex_admin', 'createOrganization', { name: `Live ${slug}`, slug })
    const invitation = await act('globex_admin', 'inviteMember', {
      org_id: org.id,
      email: claimsOf(TOKENS.bob).email,
      role: 'employee',
    })
    await act('bob', 'acceptInvitation', { invitation_id: invitation.id })

    // Bob signs in as the web app does; supabase-js hands his session's token to Realtime.
    const bobClient = await connect(null)
    const signedIn = await bobClient.auth.signInWithPassword({
      email: claimsOf(TOKENS.bob).email,
      password: DEMO_PASSWORD,
    })
    assert.equal(signedIn.error, null)
    await bobClient.realtime.setAuth(signedIn.data.session.access_token)

    const topic = orgTopic(org.id)
    const admin = await joined(await connect(TOKENS.globex_admin), topic)
    const member = await joined(bobClient, topic)

    const before = await newTicket('globex_admin', org.id)
    await until(() => about(before.id, member.broadcasts).length === 1, 'a ticket while a member')

    await act('globex_admin', 'removeMember', { org_id: org.id, user_id: USER_IDS.bob })
    // The next token update: a refreshed session, handed to Realtime as the README says.
    const refreshed = await bobClient.auth.refreshSession()
    assert.equal(refreshed.error, null)
    await bobClient.realtime.setAuth(refreshed.data.session.access_token)
    await until(() => member.statuses.includes('CLOSED'), 'the channel to close')
    assert.deepEqual(
      member.system.map(({ status, message }) => [status, message]),
      [['error', `You do not have permissions to read from this Channel topic: ${topic}`]],
    )

    const afterRemoval = await newTicket('globex_admin', org.id)
    await until(() => about(afterRemoval.id, admin.broadcasts).length === 1, 'the admin copy')
    await sleep(GRACE_MS)
    assert.deepEqual(about(afterRemoval.id, member.broadcasts), [])
  })
})
