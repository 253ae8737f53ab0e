// Server actions: every write (and the reads the BFF shapes) is `POST <bffUrl>/actions/<name>`
// with the signed-in user's access token. Errors arrive in the BFF's one shape,
// {error: {code, message, details, request_id}}, and are thrown as ApiError.
import { config, supabase } from './config.js'

/** A refused or failed action: HTTP `status` (0: no answer), the BFF's stable `code`, its
 * `message` for people, `details` (e.g. `current` on a 409 version_conflict) and `requestId`. */
export class ApiError extends Error {
  constructor({ status, code, message, details = null, requestId = null }) {
    super(message)
    this.status = status
    this.code = code
    this.details = details
    this.requestId = requestId
  }
}

export const SESSION_ENDED = 'Your session has ended. Sign in again.'

/** Tell the app that the session is over (signed out elsewhere, expired, revoked): it signs out
 * locally and shows the sign-in screen with `reason`. */
export function endSession(reason = SESSION_ENDED) {
  window.dispatchEvent(new CustomEvent('session-ended', { detail: reason }))
}

/** The current access token; refreshed by supabase-js first when it is about to expire. */
async function accessToken() {
  const { data, error } = await supabase.auth.getSession()
  if (error || !data.session) {
    const ended = new ApiError({ status: 401, code: 'unauthorized', message: SESSION_ENDED })
    endSession()
    throw ended
  }
  return data.session.access_token
}

/**
 * Call server action `name` with `body` (a JSON object). `idempotencyKey` makes a retried
 * createTicket return the first ticket instead of a second one. Returns the answer's JSON; throws
 * ApiError. A 401 also ends the session (the app goes back to sign-in).
 */
export async function action(name, body = {}, { idempotencyKey } = {}) {
  const headers = {
    Authorization: `Bearer ${await accessToken()}`,
    'Content-Type': 'application/json',
  }
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey
  let response
  try {
    response = await fetch(`${config.bffUrl}/actions/${name}`, {
      method: 'POST', headers, body: JSON.stringify(body),
    })
  } catch {
    throw new ApiError({
      status: 0, code: 'network_error',
      message: 'The server could not be reached. Check your connection and try again.',
    })
  }
  const requestId = response.headers.get('X-Request-Id')
  const payload = await response.json().catch(() => null)
  if (response.ok) return payload
  const error = payload?.error ?? {}
  const failure = new ApiError({
    status: response.status,
    code: error.code ?? 'internal_error',
    message: error.message ?? `The server answered HTTP ${response.status}.`,
    details: error.details ?? null,
    requestId: error.request_id ?? requestId,
  })
  if (response.status === 401) endSession()
  // Refused or not found: the user's memberships may have changed (removed from an
  // organization, a role taken away); the app reads them again.
  if (response.status === 403 || response.status === 404) {
    window.dispatchEvent(new CustomEvent('access-refused'))
  }
  throw failure
}

/** A supabase-js error (PostgREST's {code, message, hint}) as an ApiError, with the BFF's code
 * for the SQLSTATEs the API raises (README: "Reading with supabase-js"). */
export function fromSupabase(error) {
  const codes = { PT401: [401, 'unauthorized'], PT403: [403, 'forbidden'], PT404: [404, 'not_found'],
    PT409: [409, 'conflict'], PT422: [422, 'validation_failed'] }
  const [status, code] = codes[error.code] ?? [error.status ?? 500, error.code ?? 'internal_error']
  if (status === 401) endSession()
  return new ApiError({ status, code, message: error.message })
}
