/**
 * The benchmark's peer: the seed's architecture (Next.js server actions calling Supabase) reduced
 * to what such an action does per request. It verifies the caller's access token, checks the
 * input, calls the SQL function with supabase-js as the caller, and answers JSON, as
 * `POST /actions/<name>` with the BFF's bodies. One worker per core (node:cluster), as the BFF
 * runs one gunicorn worker per core.
 *
 * Environment: SUPABASE_URL (the project URL), SUPABASE_ANON_KEY, PORT; optionally
 * SUPABASE_JWT_SECRET (to accept HS256 tokens) and WEB_CONCURRENCY (workers; default one per core).
 */
import cluster from 'node:cluster';
import { createHash } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';

import { createClient } from '@supabase/supabase-js';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import WebSocket from 'ws';

for (const name of ['SUPABASE_URL', 'SUPABASE_ANON_KEY', 'PORT']) {
  if (!process.env[name]) throw new Error(`Set ${name}: the server cannot start without it.`);
}
const { SUPABASE_URL, SUPABASE_ANON_KEY, SUPABASE_JWT_SECRET, PORT } = process.env;
const WORKERS = Number(process.env.WEB_CONCURRENCY ?? os.availableParallelism());
const MAX_BODY_BYTES = 1024 * 1024;

const STATUSES = ['open', 'in_progress', 'waiting_on_customer', 'resolved', 'closed'];
const PRIORITIES = ['low', 'medium', 'high', 'urgent'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;
const BUCKET = 'ticket-attachments';

class ActionError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// Input checks: each takes the value and the field's name and returns the value to send.
function check(ok, field, rule) {
  if (!ok) throw new ActionError(422, 'validation_failed', `${field} must be ${rule}.`);
}
const uuid = (value, field) =>
  (check(typeof value === 'string' && UUID.test(value), field, 'a UUID'), value);
const nullableUuid = (value, field) => (value === null ? null : uuid(value, field));
const text = (max) => (value, field) => {
  check(typeof value === 'string' && value.trim() && value.length <= max, field,
    `text of 1 to ${max} characters`);
  return value.trim();
};
const oneOf = (allowed) => (value, field) =>
  (check(allowed.includes(value), field, `one of ${allowed.join(', ')}`), value);
const someOf = (allowed) => (value, field) =>
  (check(Array.isArray(value) && value.every((item) => allowed.includes(item)), field,
    `a list of ${allowed.join(', ')}`), value);
const integer = (min, max) => (value, field) =>
  (check(Number.isInteger(value) && value >= min && value <= max, field,
    `an integer from ${min} to ${max}`), value);
const boolean = (value, field) => (check(typeof value === 'boolean', field, 'true or false'), value);

const NEW_TICKET = {
  handling_org_id: uuid,
  subject: text(200),
  description: text(10_000),
  priority: oneOf(PRIORITIES),
};
const TICKET_CHANGES = {
  subject: NEW_TICKET.subject,
  description: NEW_TICKET.description,
  status: oneOf(STATUSES),
  priority: NEW_TICKET.priority,
  assigned_team_id: nullableUuid,
  assigned_employee_id: nullableUuid,
};
const LIST_FILTERS = {
  org_id: uuid,
  status: someOf(STATUSES),
  priority: someOf(PRIORITIES),
  assigned_employee_id: uuid,
  assigned_team_id: uuid,
  unassigned: boolean,
  q: (value, field) => (check(typeof value === 'string' && value.length <= 200, field,
    'text of at most 200 characters'), value),
  sort: oneOf(['created_at', 'updated_at', 'priority']),
  direction: oneOf(['asc', 'desc']),
  limit: integer(1, 100),
  cursor: (value, field) => (check(value === null || typeof value === 'string', field,
    'a cursor a listing returned'), value),
};

const NEW_UPLOAD = {
  ticket_id: uuid,
  handling_org_id: uuid,
  file_name: text(1000),
  content_type: (value, field) => {
    const type = typeof value === 'string' ? value.trim().toLowerCase() : '';
    check(type.length <= 255 && MEDIA_TYPE.test(type), field, 'a media type such as image/png');
    return type;
  },
  size_bytes: integer(1, Number.MAX_SAFE_INTEGER),
};

/** Return the body's fields, each checked; refuse unknown fields and missing `required` ones. */
function checked(body, checks, required = []) {
  for (const name of required) check(Object.hasOwn(body, name), name, 'given');
  const fields = {};
  for (const [name, value] of Object.entries(body)) {
    check(Object.hasOwn(checks, name), name, 'left out (unknown field)');
    fields[name] = checks[name](value, name);
  }
  return fields;
}

async function rpc(supabase, name, params) {
  const { data, error, status } = await supabase.rpc(name, params);
  if (error) {
    // The functions raise PTxyz SQLSTATEs, which PostgREST answers with HTTP status xyz.
    const answer = status >= 400 && status < 500 ? status : 502;
    throw new ActionError(answer, error.code, error.message);
  }
  return data;
}

const actions = {
  async createTicket(supabase, body, idempotencyKey) {
    const { handling_org_id, subject, description, priority = 'medium' } = checked(body,
      NEW_TICKET, ['handling_org_id', 'subject', 'description']);
    const ticket = { handling_org_id, subject, description, priority };
    // As the BFF does: the same key with another body is refused, not replayed.
    const requestHash = createHash('sha256').update(JSON.stringify(ticket)).digest('hex');
    const result = await rpc(supabase, 'create_ticket', {
      ...ticket,
      idempotency_key: idempotencyKey ?? null,
      request_hash: requestHash,
    });
    const headers = result.replayed ? { 'Idempotent-Replayed': 'true' } : {};
    return { status: 201, json: result.ticket, headers };
  },

  async updateTicket(supabase, body) {
    const { ticket_id, expected_version, ...changes } = checked(body,
      { ticket_id: uuid, expected_version: integer(1, 2 ** 31 - 1), ...TICKET_CHANGES },
      ['ticket_id', 'expected_version']);
    check(Object.keys(changes).length > 0, 'body', 'a change to at least one field');
    const json = await rpc(supabase, 'update_ticket', {
      ticket_id,
      expected_version,
      changes,
    });
    return { json };
  },

  async listTickets(supabase, body) {
    const filters = checked(body, LIST_FILTERS);
    return { json: await rpc(supabase, 'list_tickets', filters) };
  },

  async ticketStats(supabase, body) {
    const { org_id } = checked(body, { org_id: uuid }, ['org_id']);
    return { json: await rpc(supabase, 'ticket_stats', { org_id }) };
  },

  // As the BFF does: register the file, then sign an upload URL for its object with the caller's
  // token (Storage asks the policies on storage.objects whether the caller may upload there).
  async createAttachmentUpload(supabase, body) {
    const fields = checked(body, NEW_UPLOAD,
      ['ticket_id', 'file_name', 'content_type', 'size_bytes']);
    const attachment = await rpc(supabase, 'create_attachment_upload', fields);
    const { data, error } = await supabase.storage.from(BUCKET)
      .createSignedUploadUrl(attachment.object_name);
    if (error) throw new ActionError(503, 'upstream_unavailable', error.message);
    const upload = {
      bucket_id: BUCKET,
      path: data.path,
      token: data.token,
      signed_url: data.signedUrl,
      expires_at: attachment.expires_at,
    };
    return { status: 201, json: { attachment, upload } };
  },
};

// Supabase's JWKS, fetched once and again when a token names an unknown key.
const jwks = createRemoteJWKSet(new URL(`${SUPABASE_URL}/auth/v1/.well-known/jwks.json`));
const secret = SUPABASE_JWT_SECRET ? new TextEncoder().encode(SUPABASE_JWT_SECRET) : null;

/** Return the bearer token if it is a signed-in user's valid access token. */
async function verifiedToken(authorization) {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) throw new ActionError(401, 'unauthorized', 'Sign in first.');
  try {
    const symmetric = secret !== null && decodeProtectedHeader(token).alg === 'HS256';
    const { payload } = await jwtVerify(token, symmetric ? secret : jwks, {
      algorithms: symmetric ? ['HS256'] : ['ES256', 'RS256'],
      audience: 'authenticated',
      requiredClaims: ['exp', 'sub', 'role'],
      clockTolerance: 5,
    });
    if (payload.role !== 'authenticated') throw new Error('not a signed-in user');
  } catch {
    throw new ActionError(401, 'unauthorized', 'The access token is invalid or expired.');
  }
  return token;
}

async function readJson(request) {
  const chunks = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ActionError(413, 'payload_too_large', 'Body too large.');
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks).toString('utf8').trim() || '{}';
  let body;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new ActionError(400, 'bad_request', 'The request body is not valid JSON.');
  }
  check(body !== null && typeof body === 'object' && !Array.isArray(body), 'body', 'an object');
  return body;
}

async function handle(request, response) {
  let answer;
  try {
    const name = /^\/actions\/(\w+)$/.exec(request.url)?.[1];
    const action = request.method === 'POST' && Object.hasOwn(actions, name) && actions[name];
    if (!action) throw new ActionError(404, 'not_found', 'There is no such action.');
    const token = await verifiedToken(request.headers.authorization);
    const body = await readJson(request);
    const supabase = createClient(SUPABASE_URL, SUPABASE_ANON_KEY, {
      global: { headers: { Authorization: `Bearer ${token}` } },
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket }, // Node 20 has no WebSocket of its own
    });
    answer = await action(supabase, body, request.headers['idempotency-key']);
  } catch (error) {
    if (!(error instanceof ActionError)) console.error(error);
    const { status = 500, code = 'internal_error', message = 'Something went wrong.' } =
      error instanceof ActionError ? error : {};
    answer = { status, json: { error: { code, message } } };
  }
  response.writeHead(answer.status ?? 200, {
    'Content-Type': 'application/json',
    ...answer.headers,
  });
  response.end(JSON.stringify(answer.json));
}

if (cluster.isPrimary) {
  for (let i = 0; i < WORKERS; i += 1) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    console.error(`worker ${worker.process.pid} exited (${signal ?? code})`);
  });
} else {
  http.createServer(handle).listen(Number(PORT), '127.0.0.1');
}
