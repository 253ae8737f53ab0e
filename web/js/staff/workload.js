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

/** Claim the next queued ticket of one of my teams in this organization (claimNextTicket with
 * `team_id`: left out, the API would take from my teams in any organization); `onClaimed(ticket)`
 * with the ticket now mine. With several teams here, a choice (the last one used, remembered). */
export function ClaimNext({ orgId, orgName, directory, me, onClaimed }) {
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState(null) // {empty: true} or {error}
  const remembered = `claim-team:${orgId}`
  const [chosen, setChosen] = useState(() => localStorage.getItem(remembered))
  const teams = directory.data && me
    ? directory.data.teams.filter((t) => me.team_ids.includes(t.id))
    : null
  const teamId = teams?.some((t) => t.id === chosen) ? chosen : teams?.[0]?.id

  const claim = async () => {
    setBusy(true)
    setResult(null)
    try {
      const answer = await action('claimNextTicket', { team_id: teamId })
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

  if (!teams) {
    // The directory's own error shows beside it (dashboard.js).
    return html`<div class="st-claim-next">${!directory.error && html`<span class="muted">Loading your teams…</span>`}</div>`
  }
  if (teams.length === 0) {
    return html`
      <div class="st-claim-next">
        <p class="muted st-claim-none">You are not on a team in ${orgName}, so there is no queue to claim
          from. An admin can add you to a team.</p>
      </div>`
  }
  const teamName = teams.find((t) => t.id === teamId)?.name
  return html`
    <div class="st-claim-next">
      <div class="st-claim-row">
        ${teams.length > 1 && html`
          <label class="st-claim-team">Queue
            <select value=${teamId} disabled=${busy}
              onChange=${(e) => { setChosen(e.target.value); localStorage.setItem(remembered, e.target.value); setResult(null) }}>
              ${teams.map((t) => html`<option value=${t.id}>${t.name}</option>`)}
            </select>
          </label>`}
        <button type="button" class="primary" onClick=${claim} disabled=${busy}>
          ${busy ? 'Claiming…' : 'Claim next ticket'}
        </button>
      </div>
      ${teams.length === 1 && html`<span class="muted st-claim-from">from ${teamName}'s queue</span>`}
      ${result?.empty && html`<p class="muted st-claim-empty" role="status">${teamName}'s queue is empty: nothing to claim.</p>`}
      ${result?.error && html`<${ErrorNotice} error=${result.error} compact />`}
    </div>`
}
