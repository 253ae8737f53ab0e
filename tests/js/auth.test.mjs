// Signing in with supabase-js against the local project URL, as the web app does: sign up, sign
// in, refresh, get the user, sign out; and a session that ended (signed out, revoked for reusing
// a refresh token, or expired) is refused by PostgREST and by the BFF alike.
//
// Environment (tests/test_supabase_js.py): SUPABASE_URL, SUPABASE_ANON_KEY, BFF_URL,
// DEMO_PASSWORD (every seeded user's), DATABASE_URL (superuser, to expire a session), TOKENS
// (tokens minted without a session, by seeded user).
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'

import { createClient } from '@supabase/supabase-js'
import ws from 'ws'

const { SUPABASE_URL, SUPABASE_ANON_KEY, BFF_URL, DEMO_PASSWORD, DATABASE_URL } = process.env
const TOKENS = JSON.parse(process.env.TOKENS ?? '{}')

// supabase/config.toml's [auth] refresh_token_reuse_interval: a rotated refresh token may be
// used again for this long (concurrent refreshes) before reusing it counts as theft.
const REFRESH_TOKEN_REUSE_INTERVAL_MS = 10_000

/** A client as a browser tab has one, without timers or storage that outlive the test. */
function newClient(accessToken) {
  const options = {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: ws }, // Node 20 has no WebSocket of its own
  }
  if (accessToken) options.global = { headers: { Authorization: `Bearer ${accessToken}` } }
  return createClient(SUPABASE_URL, SUPABASE_ANON_KEY, options)
}

function newEmail() {
  return `signup-${randomUUID()}@example.test`
}

async function signUp(email = newEmail()) {
  const client = newClient()
  const { data, error } = await client.auth.signUp({ email, password: 'correct horse battery' })
  assert.equal(error, null)
  return { client, session: data.session, user: data.user }
}

function claimsOf(accessToken) {
  return JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString())
}

/** What PostgREST answers a read of tickets made with exactly this access token. */
async function readTickets(accessToken) {
  return await newClient(accessToken).from('tickets').select('id, user_id')
}

/** What the BFF answers listTickets called with this access token. */
async function listTicketsThroughBff(accessToken) {
  const response = await fetch(`${BFF_URL}/actions/listTickets`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
    body: '{}',
  })
  return { status: response.status, body: await response.json() }
}

async function assertRefusedEverywhere(accessToken) {
  const { error, status } = await readTickets(accessToken)
  assert.equal(status, 401)
  assert.equal(error.code, 'PT401', 'refused because the session ended, not for another reason')
  const bff = await listTicketsThroughBff(accessToken)
  assert.equal(bff.status, 401)
  assert.equal(bff.body.error.code, 'unauthorized')
}

async function assertAcceptedEverywhere(accessToken) {
  const { error, status } = await readTickets(accessToken)
  assert.equal(error, null)
  assert.equal(status, 200)
  assert.equal((await listTicketsThroughBff(accessToken)).status, 200)
}

function psql(sql, variables) {
  const args = [DATABASE_URL, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1']
  for (const [name, value] of Object.entries(variables)) args.push('-v', `${name}=${value}`)
  return execFileSync('psql', args, { input: sql, encoding: 'utf8' }).trim()
}

describe('signing up', () => {
  test('a new user is signed in at once, with a token shaped like Supabase Auth’s', async () => {
    const email = newEmail().toUpperCase()
    const { client, session, user } = await signUp(email)
    assert.equal(user.email, email.toLowerCase())
    assert.ok(user.email_confirmed_at, 'confirmed at once locally')
    assert.ok(session.access_token && session.refresh_token)
    const claims = claimsOf(session.access_token)
    assert.equal(claims.sub, user.id)
    assert.equal(claims.role, 'authenticated')
    assert.equal(claims.aud, 'authenticated')
    assert.equal(claims.aal, 'aal1')
    assert.equal(claims.amr[0].method, 'password')
    assert.equal(claims.is_anonymous, false)
    assert.deepEqual(claims.app_metadata, { provider: 'email', providers: ['email'] })
    assert.match(claims.session_id, /^[0-9a-f-]{36}$/)

    const { data: tickets, error } = await client.from('tickets').select('id')
    assert.equal(error, null)
    assert.deepEqual(tickets, [], 'a new user has no tickets, and may read')
  })

  test('the same address again is refused as an existing user', async () => {
    const { user } = await signUp()
    const { data, error } = await newClient().auth.signUp({ email: user.email, password: 'another password' })
    assert.equal(data.session, null)
    assert.equal(error.status, 422)
    assert.equal(error.code, 'user_already_exists')
  })

  test('a password shorter than 6 characters is refused as weak', async () => {
    const { error } = await newClient().auth.signUp({ email: newEmail(), password: 'short' })
    assert.equal(error.status, 422)
    assert.equal(error.code, 'weak_password')
    assert.deepEqual(error.reasons, ['length'])
  })
})

describe('signing in', () => {
  test('a seeded user signs in with the demo password and reads their own tickets', async () => {
    const client = newClient()
    const { data, error } = await client.auth.signInWithPassword({
      email: 'alice@example.test',
      password: DEMO_PASSWORD,
    })
    assert.equal(error, null)
    const { data: tickets, error: readError } = await client.from('tickets').select('user_id')
    assert.equal(readError, null)
    assert.ok(tickets.length > 0)
    assert.ok(tickets.every((ticket) => ticket.user_id === data.user.id))
    assert.equal((await listTicketsThroughBff(data.session.access_token)).status, 200)
    await client.auth.signOut({ scope: 'local' })
  })

  test('a wrong password and an unknown email get the same answer', async () => {
    const wrongPassword = await newClient().auth.signInWithPassword({
      email: 'alice@example.test',
      password: 'not the password',
    })
    const unknownEmail = await newClient().auth.signInWithPassword({
      email: newEmail(),
      password: 'not the password',
    })
    for (const { error } of [wrongPassword, unknownEmail]) {
      assert.equal(error.status, 400)
      assert.equal(error.code, 'invalid_credentials')
    }
    assert.equal(wrongPassword.error.message, unknownEmail.error.message)
  })

  test('getUser and getClaims (checked against the JWKS) name the signed-in user', async () => {
    const { client, user, session } = await signUp()
    const { data: fetched, error } = await client.auth.getUser()
    assert.equal(error, null)
    assert.equal(fetched.user.id, user.id)
    assert.equal(fetched.user.email, user.email)
    const { data: verified, error: claimsError } = await client.auth.getClaims()
    assert.equal(claimsError, null)
    assert.equal(verified.claims.session_id, claimsOf(session.access_token).session_id)
  })
})

describe('refreshing', () => {
  test('each refresh rotates the refresh token and keeps the session', async () => {
    const { client, session } = await signUp()
    const { data, error } = await client.auth.refreshSession()
    assert.equal(error, null)
    assert.notEqual(data.session.refresh_token, session.refresh_token)
    assert.equal(claimsOf(data.session.access_token).session_id, claimsOf(session.access_token).session_id)
    await assertAcceptedEverywhere(data.session.access_token)
  })

  test('reusing a rotated refresh token after the reuse interval ends the session', async () => {
    const { client, session: first } = await signUp()
    const { data: second } = await client.auth.refreshSession()
    const { data: third } = await client.auth.refreshSession()
    await assertAcceptedEverywhere(third.session.access_token)

    await sleep(REFRESH_TOKEN_REUSE_INTERVAL_MS + 500)
    const stolen = await newClient().auth.refreshSession({ refresh_token: first.refresh_token })
    assert.equal(stolen.error.status, 400)
    assert.equal(stolen.error.code, 'refresh_token_already_used')

    await assertRefusedEverywhere(third.session.access_token)
    await assertRefusedEverywhere(second.session.access_token)
    const current = await newClient().auth.refreshSession({ refresh_token: third.session.refresh_token })
    assert.equal(current.error.code, 'refresh_token_not_found', 'the whole session went')
  })
})

describe('signing out', () => {
  test('ends the session: PostgREST and the BFF refuse its access token', async () => {
    const { client, session } = await signUp()
    await assertAcceptedEverywhere(session.access_token)
    const { error } = await client.auth.signOut()
    assert.equal(error, null)
    await assertRefusedEverywhere(session.access_token)
    const { error: userError } = await newClient().auth.getUser(session.access_token)
    assert.equal(userError.name, 'AuthSessionMissingError')
  })

  test('everywhere else (scope others) keeps this session', async () => {
    const { client: here, user, session } = await signUp()
    const { data: elsewhere } = await newClient().auth.signInWithPassword({
      email: user.email,
      password: 'correct horse battery',
    })
    const { error } = await here.auth.signOut({ scope: 'others' })
    assert.equal(error, null)
    await assertAcceptedEverywhere(session.access_token)
    await assertRefusedEverywhere(elsewhere.session.access_token)
  })
})

test('an expired session is refused by PostgREST and by the BFF, and cannot be refreshed', async () => {
  const { client, session } = await signUp()
  psql("update auth.sessions set not_after = now() - interval '1 second' where id = :'session_id';", {
    session_id: claimsOf(session.access_token).session_id,
  })
  await assertRefusedEverywhere(session.access_token)
  const { error } = await client.auth.refreshSession()
  assert.equal(error.code, 'session_expired')
})

test('a token minted without a session (bff token, tests) still passes', async () => {
  assert.ok(TOKENS.alice, 'the runner passes the seeded users’ tokens')
  assert.equal(claimsOf(TOKENS.alice).session_id, undefined)
  await assertAcceptedEverywhere(TOKENS.alice)
})
