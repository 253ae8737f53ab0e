// Pieces the admin tabs share: a confirmation dialog, a 409 version_conflict notice, and small
// list helpers (members and teams are read with web/js/organization.js).
import { useState } from 'preact/hooks'
import { Age, Dialog, ErrorNotice, html, label } from '../ui.js'

/** "5 min ago", or "just now" (Age says "just now" for the first minute). */
export function Ago({ iso }) {
  const fresh = Date.now() - new Date(iso).getTime() < 60_000
  return fresh ? html`<${Age} iso=${iso} />` : html`<${Age} iso=${iso} /> ago`
}

/** A day to come (an invitation's expiry), as a readable date; the exact time on hover. */
export function Day({ iso }) {
  const date = new Date(iso)
  return html`<time datetime=${iso} title=${date.toLocaleString()}>${date.toLocaleDateString(undefined, { dateStyle: 'medium' })}</time>`
}

export function memberName(member) {
  return member?.profile?.display_name ?? member?.display_name ?? 'Unnamed member'
}

/** "a, b, c" typed by people → ['a', 'b', 'c'] (blank entries dropped). */
export function splitList(text) {
  return text.split(',').map((part) => part.trim()).filter(Boolean)
}

/** Swap the items at `i` and `j` of a copy of `list`. */
export function swapped(list, i, j) {
  const copy = [...list]
  ;[copy[i], copy[j]] = [copy[j], copy[i]]
  return copy
}

/**
 * Ask before something that cannot be undone. `onConfirm()` returns a promise; while it runs the
 * buttons are disabled, a refusal stays in the dialog with its message and request id.
 */
export function Confirm({ title, children, confirmLabel, onConfirm, onClose }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState(null)
  const confirm = async () => {
    setBusy(true)
    setError(null)
    try {
      await onConfirm()
      onClose()
    } catch (failure) {
      setError(failure)
      setBusy(false)
    }
  }
  return html`
    <${Dialog} title=${title} onClose=${onClose}>
      <div class="stack">
        <div>${children}</div>
        <${ErrorNotice} error=${error} compact />
        <div class="actions end">
          <button type="button" onClick=${onClose} disabled=${busy}>Cancel</button>
          <button type="button" class="danger" onClick=${confirm} disabled=${busy}>
            ${busy ? 'Working…' : confirmLabel}
          </button>
        </div>
      </div>
    </${Dialog}>`
}

/**
 * A 409 version_conflict: someone changed the record since it was opened. Shows what is current
 * (`describe(details.current)`) and lets the admin apply their edit on top of it, or take the
 * current version instead.
 */
export function VersionConflict({ error, describe, onReapply, onTakeCurrent, busy }) {
  const current = error.details?.current
  return html`
    <div class="conflict" role="alert">
      <p class="conflict-title">${error.message}</p>
      ${current && html`
        <div class="conflict-current">
          <p class="muted">Current version ${current.version}:</p>
          ${describe(current)}
        </div>`}
      <p class="error-meta muted">
        code <code>${error.code}</code>
        ${error.requestId && html` · request id <code class="request-id">${error.requestId}</code>`}
      </p>
      <div class="actions">
        ${current && html`
          <button type="button" class="primary" disabled=${busy} onClick=${() => onReapply(current)}>
            Apply my changes to the current version
          </button>
          <button type="button" disabled=${busy} onClick=${() => onTakeCurrent(current)}>Use the current version</button>`}
      </div>
    </div>`
}

/** Run `work()` with `setBusy` around it; failures go to `onError` (never thrown further). */
export async function busyWhile(setBusy, work, onError) {
  setBusy(true)
  try {
    return await work()
  } catch (failure) {
    onError(failure)
    return undefined
  } finally {
    setBusy(false)
  }
}

/** What a rule checks, in words; a rule with no condition catches every ticket. */
export function Conditions({ rule }) {
  const { priorities, keywords, requester_domains: domains } = rule.conditions
  const parts = []
  if (priorities) parts.push(html`<span>priority ${priorities.map(label).join(' or ')}</span>`)
  if (keywords) parts.push(html`<span>mentions ${keywords.map((k, i) => html`${i > 0 ? ' or ' : ''}<q>${k}</q>`)}</span>`)
  if (domains) parts.push(html`<span>requester at ${domains.join(', ')}</span>`)
  return html`<div class="muted small conditions">
    ${parts.length ? parts.map((p, i) => html`${i > 0 ? ' and ' : ''}${p}`) : 'Every ticket'}
  </div>`
}
