// Shared pieces of every screen: loading, empty and error states, dialogs, notices, badges.
import { html } from 'htm/preact'
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'

export { html }

/** Run `load()` (returning a promise) now and whenever `deps` change; `reload()` runs it again
 * keeping what is on screen. Answers {data, error, loading, reload, setData}. */
export function useLoad(load, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true })
  const generation = useRef(0)
  const run = useCallback(() => {
    const mine = ++generation.current
    setState((s) => ({ ...s, loading: true }))
    return load().then(
      (data) => { if (mine === generation.current) setState({ data, error: null, loading: false }) },
      (error) => { if (mine === generation.current) setState((s) => ({ ...s, error, loading: false })) },
    )
  }, deps) // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => { run() }, [run])
  const setData = useCallback((update) => setState((s) => ({
    ...s, data: typeof update === 'function' ? update(s.data) : update,
  })), [])
  return { ...state, reload: run, setData }
}

export function Loading({ label = 'Loading…' }) {
  return html`<p class="state loading" role="status"><span class="spinner" aria-hidden="true"></span>${label}</p>`
}

export function Empty({ children }) {
  return html`<p class="state empty">${children}</p>`
}

// Errors that may pass if the same request is sent again: no answer, an ended session (once
// signed in again), a timeout, too many requests, or a fault on the server's side. A refusal
// (403, 404, 409, 422) will not.
const passing = (error) => !error.status || [401, 408, 429].includes(error.status) || error.status >= 500

/** An API error as people should see it: the message, and the code and request id to quote;
 * "Try again" (`onRetry`) only where trying again can help. */
export function ErrorNotice({ error, onRetry, compact = false }) {
  if (!error) return null
  const retry = passing(error) ? onRetry : null
  return html`
    <div class=${`error-notice${compact ? ' compact' : ''}`} role="alert">
      <p class="error-message">${error.message}</p>
      ${error.details?.fields && !(error.details.fields.length === 1 && error.details.fields[0].message === error.message) && html`
        <ul class="error-fields">
          ${error.details.fields.map((f) => html`<li><code>${f.path.join('.')}</code>: ${f.message}</li>`)}
        </ul>`}
      <p class="error-meta">
        ${error.code && html`<span>code <code>${error.code}</code></span>`}
        ${error.requestId && html`<span>request id <code class="request-id">${error.requestId}</code></span>`}
        ${retry && html`<button type="button" class="link" onClick=${retry}>Try again</button>`}
      </p>
    </div>`
}

/** A modal dialog on the native <dialog> element: focus moves in, Escape closes, focus returns. */
export function Dialog({ title, onClose, children, wide = false }) {
  const ref = useRef(null)
  useEffect(() => {
    const dialog = ref.current
    const opener = document.activeElement
    dialog.showModal()
    return () => { dialog.close(); opener?.focus?.() }
  }, [])
  return html`
    <dialog ref=${ref} class=${`dialog${wide ? ' wide' : ''}`} aria-label=${title}
      onCancel=${(e) => { e.preventDefault(); onClose() }}>
      <header class="dialog-header">
        <h2>${title}</h2>
        <button type="button" class="icon" aria-label="Close" onClick=${onClose}>×</button>
      </header>
      ${children}
    </dialog>`
}

// Notices: short messages at the corner of the screen, read out by screen readers.
const listeners = new Set()
let nextNotice = 1

/** Show a notice: `kind` is 'info', 'success' or 'error' (an ApiError adds its request id). */
export function notify(message, kind = 'info', error = null) {
  const notice = { id: nextNotice++, message, kind, requestId: error?.requestId, code: error?.code }
  listeners.forEach((listener) => listener(notice))
}

export function Notices() {
  const [notices, setNotices] = useState([])
  useEffect(() => {
    const add = (notice) => {
      setNotices((list) => [...list.slice(-3), notice])
      setTimeout(() => setNotices((list) => list.filter((n) => n.id !== notice.id)), notice.kind === 'error' ? 12000 : 5000)
    }
    listeners.add(add)
    return () => listeners.delete(add)
  }, [])
  return html`
    <div class="notices" aria-live="polite">
      ${notices.map((n) => html`
        <div class=${`notice ${n.kind}`} key=${n.id} role=${n.kind === 'error' ? 'alert' : 'status'}>
          <span class="notice-message">${n.message}</span>
          <button type="button" class="icon" aria-label="Dismiss"
            onClick=${() => setNotices((list) => list.filter((x) => x.id !== n.id))}>×</button>
          ${(n.code || n.requestId) && html`
            <small class="notice-meta">
              ${n.code && html`<span>code <code>${n.code}</code></span>`}
              ${n.requestId && html`<span>request id <code class="request-id">${n.requestId}</code></span>`}
            </small>`}
        </div>`)}
    </div>`
}

const LABELS = {
  open: 'Open', in_progress: 'In progress', waiting_on_customer: 'Waiting on customer',
  resolved: 'Resolved', closed: 'Closed', low: 'Low', medium: 'Medium', high: 'High', urgent: 'Urgent',
}
export const STATUSES = ['open', 'in_progress', 'waiting_on_customer', 'resolved', 'closed']
export const PRIORITIES = ['low', 'medium', 'high', 'urgent']

export function label(value) {
  return LABELS[value] ?? String(value).replaceAll('_', ' ')
}

export function StatusBadge({ status }) {
  return html`<span class=${`badge status-${status}`}>${label(status)}</span>`
}

export function PriorityBadge({ priority }) {
  return html`<span class=${`badge priority-${priority}`}>${label(priority)}</span>`
}

/** "5 min", "3 h", "2 d" since `iso`, with the exact time on hover. */
export function Age({ iso }) {
  const seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000)
  const text = seconds < 60 ? 'just now'
    : seconds < 3600 ? `${Math.floor(seconds / 60)} min`
      : seconds < 86400 ? `${Math.floor(seconds / 3600)} h`
        : `${Math.floor(seconds / 86400)} d`
  return html`<time datetime=${iso} title=${new Date(iso).toLocaleString()}>${text}</time>`
}

export function bytes(size) {
  if (size < 1024) return `${size} B`
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`
  return `${(size / 1024 / 1024).toFixed(1)} MB`
}

/** Status of a live channel (web/js/live.js), shown in the header of live screens. */
export function LiveStatus({ status }) {
  const text = { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', refused: 'Live updates refused' }
  return html`<span class=${`live-status ${status}`} role="status" data-live=${status}>${text[status] ?? status}</span>`
}
