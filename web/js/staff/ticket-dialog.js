// The ticket dialog: a new ticket (createTicket, with one Idempotency-Key per dialog so a retry
// never makes a second ticket) or an edit (updateTicket with expected_version). An edit that
// someone else's change made stale shows what changed, field by field, and lets the person
// re-apply their changes on top of the ticket as it is now, or discard them.
import { useState } from 'preact/hooks'
import { action } from '../api.js'
import { Dialog, ErrorNotice, html, label, PRIORITIES, STATUSES } from '../ui.js'

const EDITABLE = ['subject', 'description', 'priority', 'status']
const FIELD_NAMES = { subject: 'Subject', description: 'Description', priority: 'Priority', status: 'Status' }

function shown(field, value) {
  return field === 'priority' || field === 'status' ? label(value) : value
}

/** Create a ticket for `orgId`; `onCreated(ticket)` after the server accepted it. */
export function NewTicketDialog({ orgId, onClose, onCreated }) {
  const [idempotencyKey] = useState(() => crypto.randomUUID())
  const [form, setForm] = useState({ subject: '', description: '', priority: 'medium' })
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState(null)
  const set = (name) => (e) => setForm({ ...form, [name]: e.target.value })

  const submit = async (e) => {
    e.preventDefault()
    setSaving(true)
    setError(null)
    try {
      const ticket = await action('createTicket', { handling_org_id: orgId, ...form }, { idempotencyKey })
      onCreated(ticket)
    } catch (err) {
      setError(err)
      setSaving(false)
    }
  }

  return html`
    <${Dialog} title="New ticket" onClose=${onClose}>
      <form class="st-ticket-form" onSubmit=${submit}>
        <${TicketFields} form=${form} set=${set} />
        <${ErrorNotice} error=${error} />
        <div class="actions end">
          <button type="button" onClick=${onClose}>Cancel</button>
          <button type="submit" class="primary" disabled=${saving}>${saving ? 'Creating…' : 'Create ticket'}</button>
        </div>
      </form>
    </${Dialog}>`
}

/** Edit `ticket` (as it was when the dialog opened); `onSaved(ticket)` with the ticket as stored,
 * also when the person discards their changes after a conflict (the ticket as it is now). */
export function EditTicketDialog({ ticket, onClose, onSaved }) {
  const [base] = useState(ticket)
  const [form, setForm] = useState(() => Object.fromEntries(EDITABLE.map((f) => [f, ticket[f]])))
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState(null)
  const [current, setCurrent] = useState(null) // the ticket as it is now, after a version conflict
  const set = (name) => (e) => setForm({ ...form, [name]: e.target.value })
  const mine = Object.fromEntries(EDITABLE.filter((f) => form[f] !== base[f]).map((f) => [f, form[f]]))

  const save = async (expectedVersion) => {
    if (Object.keys(mine).length === 0) { onClose(); return }
    setSaving(true)
    setError(null)
    try {
      const saved = await action('updateTicket', { ticket_id: base.id, expected_version: expectedVersion, ...mine })
      onSaved(saved)
    } catch (err) {
      if (err.code === 'version_conflict' && err.details?.current) setCurrent(err.details.current)
      else setError(err)
      setSaving(false)
    }
  }

  return html`
    <${Dialog} title=${`Edit ticket #${base.number}`} onClose=${onClose} wide=${!!current}>
      ${current
        ? html`<${Conflict} base=${base} current=${current} mine=${mine} error=${error} saving=${saving}
            onReapply=${() => save(current.version)} onDiscard=${() => onSaved(current)} />`
        : html`
          <form class="st-ticket-form" onSubmit=${(e) => { e.preventDefault(); save(base.version) }}>
            <${TicketFields} form=${form} set=${set} withStatus />
            <${ErrorNotice} error=${error} />
            <div class="actions end">
              <button type="button" onClick=${onClose}>Cancel</button>
              <button type="submit" class="primary" disabled=${saving}>${saving ? 'Saving…' : 'Save changes'}</button>
            </div>
          </form>`}
    </${Dialog}>`
}

/** The ticket's own fields (and its status, when editing), bound to `form` through `set(name)`. */
function TicketFields({ form, set, withStatus = false }) {
  return html`
    <label>Subject
      <input required maxlength="200" autofocus value=${form.subject} onInput=${set('subject')} />
    </label>
    <label>Description
      <textarea required rows="6" value=${form.description} onInput=${set('description')}></textarea>
    </label>
    <div class="st-form-row">
      <label>Priority
        <select value=${form.priority} onChange=${set('priority')}>
          ${PRIORITIES.map((p) => html`<option value=${p}>${label(p)}</option>`)}
        </select>
      </label>
      ${withStatus && html`
        <label>Status
          <select value=${form.status} onChange=${set('status')}>
            ${STATUSES.map((s) => html`<option value=${s}>${label(s)}</option>`)}
          </select>
        </label>`}
    </div>`
}

/** What changed since the dialog opened: per field, then → now, and what the person wanted. */
function Conflict({ base, current, mine, error, saving, onReapply, onDiscard }) {
  const fields = EDITABLE.filter((f) => base[f] !== current[f] || f in mine)
  return html`
    <div class="st-conflict" role="alert">
      <p class="notice-inline warning">
        Someone changed this ticket while you were editing it (version ${base.version} → ${current.version}).
        Your changes are not saved yet.
      </p>
      <table class="st-conflict-table">
        <caption class="visually-hidden">What changed</caption>
        <thead><tr><th scope="col">Field</th><th scope="col">When you opened it</th><th scope="col">Now</th><th scope="col">Yours</th></tr></thead>
        <tbody>
          ${fields.map((f) => html`
            <tr class=${base[f] !== current[f] ? 'st-changed' : ''} data-field=${f}>
              <th scope="row">${FIELD_NAMES[f]}</th>
              <td>${shown(f, base[f])}</td>
              <td>${base[f] !== current[f] ? html`<strong>${shown(f, current[f])}</strong>` : html`<span class="muted">unchanged</span>`}</td>
              <td>${f in mine ? shown(f, mine[f]) : html`<span class="muted">not changed</span>`}</td>
            </tr>`)}
        </tbody>
      </table>
      <${ErrorNotice} error=${error} />
      <div class="actions end">
        <button type="button" onClick=${onDiscard}>Discard mine</button>
        <button type="button" class="primary" onClick=${onReapply} disabled=${saving}>
          ${saving ? 'Saving…' : 'Re-apply my changes'}
        </button>
      </div>
    </div>`
}
