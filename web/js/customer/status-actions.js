// What a requester may do to their own request's status (the database's rule): close it, or
// reopen it once resolved or closed. The new status shows at once and is put back, visibly,
// when the server refuses it or someone changed the ticket meanwhile (409 version_conflict).
import { useState } from 'preact/hooks'
import { action } from '../api.js'
import { ErrorNotice, html, notify } from '../ui.js'

export function StatusActions({ ticket, setData, reload }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState(null)

  const change = async (status, done) => {
    const before = ticket.status
    setBusy(true)
    setError(null)
    setData((d) => ({ ...d, status }))
    try {
      const saved = await action('updateTicket', { ticket_id: ticket.id, expected_version: ticket.version, status })
      setData((d) => (saved.version >= d.version ? { ...d, ...saved } : d))
      notify(done, 'success')
      reload() // the history has a new line
    } catch (failure) {
      setData((d) => ({ ...d, status: before }))
      setError(failure)
      notify('The status was not changed.', 'error', failure)
      if (failure.code === 'version_conflict') reload()
    } finally {
      setBusy(false)
    }
  }

  const reopenable = ticket.status === 'resolved' || ticket.status === 'closed'
  return html`
    <div class="status-actions">
      <div class="actions">
        ${ticket.status !== 'closed' && html`
          <button type="button" disabled=${busy} onClick=${() => change('closed', 'Request closed.')}>Close request</button>`}
        ${reopenable && html`
          <button type="button" disabled=${busy} onClick=${() => change('open', 'Request reopened.')}>Reopen request</button>`}
      </div>
      ${error && html`
        <div class="status-refused">
          <p class="refused-title">${error.code === 'version_conflict'
            ? 'The request changed meanwhile; its status is shown as it is now.' : 'The status was not changed.'}</p>
          <${ErrorNotice} error=${error} compact />
        </div>`}
    </div>`
}
