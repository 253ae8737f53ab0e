// My availability in the organization (setMyAvailability) and "Claim next ticket"
// (claimNextTicket): how an agent takes work from their teams' queues.
import { useEffect, useState } from 'preact/hooks'
import { action } from '../api.js'
import { ErrorNotice, html, notify } from '../ui.js'

const CHOICES = ['available', 'away', 'offline']
const NAMES = { available: 'Available', away: 'Away', offline: 'Offline' }

/** Three radio buttons (arrow keys move between them); the choice shows at once and returns to
 * the previous one, with the API's message, if the server refuses it. */
export function Availability({ orgId, me, onChanged }) {
  const [shown, setShown] = useState(me?.availability ?? null)
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState(null)
  useEffect(() => { if (me) setShown(me.availability) }, [me?.availability]) // eslint-disable-line react-hooks/exhaustive-deps

  const choose = async (status) => {
    const before = shown
    setShown(status)
    setSaving(true)
    setError(null)
    try {
      const answer = await action('setMyAvailability', { org_id: orgId, status })
      setShown(answer.availability)
      onChanged?.()
    } catch (err) {
      setShown(before)
      setError(err)
      notify(`Your availability was not changed: ${err.message}`, 'error', err)
    } finally {
      setSaving(false)
    }
  }

  return html`
    <fieldset class="st-availability" disabled=${!me || saving}>
      <legend>My availability</legend>
      <div class="st-segmented">
        ${CHOICES.map((status) => html`
          <label class=${`st-segment st-availability-${status}${shown === status ? ' st-checked' : ''}`}>
            <input type="radio" name=${`availability-${orgId}`} value=${status}
              checked=${shown === status} onChange=${() => choose(status)} />
            ${NAMES[status]}
          </label>`)}
      </div>
      ${!me && html`<span class="muted">Loading…</span>`}
      <${ErrorNotice} error=${error} compact />
    </fieldset>`
}

/** Claim the next queued ticket of my teams; `onClaimed(ticket)` with the ticket now mine. */
export function ClaimNext({ onClaimed }) {
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState(null) // {empty: true} or {error}

  const claim = async () => {
    setBusy(true)
    setResult(null)
    try {
      const answer = await action('claimNextTicket', {})
      if (answer.ticket) {
        notify(`Ticket #${answer.ticket.number} is now yours.`, 'success')
        onClaimed(answer.ticket)
      } else {
        setResult({ empty: true })
      }
    } catch (error) {
      setResult({ error })
    } finally {
      setBusy(false)
    }
  }

  return html`
    <div class="st-claim-next">
      <button type="button" class="primary" onClick=${claim} disabled=${busy}>
        ${busy ? 'Claiming…' : 'Claim next ticket'}
      </button>
      ${result?.empty && html`<p class="muted st-claim-empty" role="status">Your teams' queues are empty: nothing to claim.</p>`}
      ${result?.error && html`<${ErrorNotice} error=${result.error} compact />`}
    </div>`
}
