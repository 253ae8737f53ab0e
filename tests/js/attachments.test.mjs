// Attachments as the web app handles them: the BFF registers a file and hands back a signed
// upload URL; supabase-js uploads the bytes straight to Storage at the project URL
// (`uploadToSignedUrl`) and never through the BFF; a download is a signed URL from
// `getAttachmentUrl`. Run by tests/test_supabase_js.py (see realtime.test.mjs's header for the
// environment it exports).

import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { before, test } from 'node:test'

import { createClient } from '@supabase/supabase-js'
import WebSocket from 'ws'

const { SUPABASE_URL, SUPABASE_ANON_KEY, BFF_URL, DEMO_PASSWORD } = process.env
const ORG_IDS = JSON.parse(process.env.ORG_IDS)
const EMAILS = JSON.parse(process.env.EMAILS)
const BUCKET = 'ticket-attachments'

const signedIn = {}
async function signIn(who) {
  const supabase = createClient(SUPABASE_URL, SUPABASE_ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket },
  })
  const { data, error } = await supabase.auth.signInWithPassword({ email: EMAILS[who], password: DEMO_PASSWORD })
  assert.equal(error, null)
  return { supabase, token: data.session.access_token }
}

async function act(who, action, body) {
  const response = await fetch(`${BFF_URL}/actions/${action}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${signedIn[who].token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: response.status, json: await response.json() }
}

/** Register `file` for `ticketId` as `who` and upload it with supabase-js; return the answer. */
async function attach(who, ticketId, file, extra = {}) {
  const registered = await act(who, 'createAttachmentUpload', {
    ticket_id: ticketId,
    file_name: file.name,
    content_type: file.type,
    size_bytes: file.size,
    ...extra,
  })
  assert.equal(registered.status, 201, JSON.stringify(registered.json))
  const { path, token } = registered.json.upload
  const { error } = await signedIn[who].supabase.storage.from(BUCKET).uploadToSignedUrl(path, token, file)
  assert.equal(error, null)
  return registered.json
}

before(async () => {
  for (const who of ['alice', 'agent1']) signedIn[who] = await signIn(who)
})

const screenshot = () => new File([new Uint8Array(4096).fill(7)], 'screenshot.png', { type: 'image/png' })

test('a customer attaches a file to a new ticket; staff attach one to an internal note; the customer downloads the first and has no path to the second', async () => {
  const ticketId = randomUUID() // reserved by the page for the ticket being written
  const first = await attach('alice', ticketId, screenshot(), { handling_org_id: ORG_IDS.acme })
  const created = await act('alice', 'createTicket', {
    handling_org_id: ORG_IDS.acme,
    subject: 'Blank invoice',
    description: 'Screenshot attached.',
    ticket_id: ticketId,
    attachment_ids: [first.attachment.id],
  })
  assert.equal(created.status, 201, JSON.stringify(created.json))

  const noteFile = new File(['the renderer drops page 2'], 'findings.txt', { type: 'text/plain' })
  const second = await attach('agent1', ticketId, noteFile)
  const note = await act('agent1', 'addComment', {
    ticket_id: ticketId,
    body: 'Root cause attached.',
    is_internal: true,
    attachment_ids: [second.attachment.id],
  })
  assert.equal(note.status, 201, JSON.stringify(note.json))

  const link = await act('alice', 'getAttachmentUrl', { attachment_id: first.attachment.id })
  assert.equal(link.status, 200)
  const download = await fetch(link.json.url)
  assert.equal(download.status, 200)
  assert.equal((await download.arrayBuffer()).byteLength, 4096)
  assert.match(download.headers.get('content-disposition'), /^attachment/)

  // The internal note's file: not through the BFF, not through Storage, not through PostgREST.
  assert.equal((await act('alice', 'getAttachmentUrl', { attachment_id: second.attachment.id })).status, 404)
  const alice = signedIn.alice.supabase
  const signed = await alice.storage.from(BUCKET).createSignedUrl(second.upload.path, 60)
  assert.notEqual(signed.error, null)
  const { data: direct } = await alice.from('ticket_attachments').select('id').eq('id', second.attachment.id)
  assert.deepEqual(direct, [])
  const staffLink = await act('agent1', 'getAttachmentUrl', { attachment_id: second.attachment.id })
  assert.equal(staffLink.status, 200)
})

test('a signed upload URL works once, only for its own name, and not with a forged token', async () => {
  const ticket = await act('alice', 'createTicket', {
    handling_org_id: ORG_IDS.acme,
    subject: 'Upload rules',
    description: 'Checking the signed URL.',
  })
  const registered = await attach('alice', ticket.json.id, screenshot())
  const storage = signedIn.alice.supabase.storage.from(BUCKET)
  const { path, token } = registered.upload

  const again = await storage.uploadToSignedUrl(path, token, screenshot())
  assert.notEqual(again.error, null, 'a reused token must not replace the file')

  const forged = await storage.uploadToSignedUrl(path, `${token.slice(0, -4)}AAAA`, screenshot())
  assert.notEqual(forged.error, null)

  // Another pending attachment's name: the insert policy refuses a URL for it, and a token for
  // one name does not open another.
  const other = await act('agent1', 'createAttachmentUpload', {
    ticket_id: ticket.json.id,
    file_name: 'other.png',
    content_type: 'image/png',
    size_bytes: 4096,
  })
  const stolen = await storage.createSignedUploadUrl(other.json.upload.path)
  assert.notEqual(stolen.error, null)
  const crossed = await storage.uploadToSignedUrl(other.json.upload.path, token, screenshot())
  assert.notEqual(crossed.error, null)
})

test('a file over the bucket limit is refused by Storage even with a signed URL', async () => {
  const ticket = await act('alice', 'createTicket', {
    handling_org_id: ORG_IDS.acme,
    subject: 'Too big',
    description: 'Declared small, sent big.',
  })
  const registered = await act('alice', 'createAttachmentUpload', {
    ticket_id: ticket.json.id,
    file_name: 'big.zip',
    content_type: 'application/zip',
    size_bytes: 1000,
  })
  const big = new File([new Uint8Array(25 * 1024 * 1024 + 1)], 'big.zip', { type: 'application/zip' })
  const { path, token } = registered.json.upload
  const { error } = await signedIn.alice.supabase.storage.from(BUCKET).uploadToSignedUrl(path, token, big)
  assert.notEqual(error, null)
  assert.equal(String(error.statusCode ?? error.status), '413')
})
