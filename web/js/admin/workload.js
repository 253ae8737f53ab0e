// A team's assignment settings (setTeamAssignment: strategy, default capacity, requeue when away,
// all sent together) and one member's load and capacity (setMemberCapacity; empty = the default).
import { useState } from 'preact/hooks'
import { action } from '../api.js'
import { ErrorNotice, html, label, notify } from '../ui.js'
import { busyWhile } from './common.js'

const AVAILABILITY = { available: 'Available', away: 'Away', offline: 'Offline' }

const STRATEGIES = {
  manual: 'Manual: people assign tickets',
  round_robin: 'Round robin: the available member with room assigned least recently',
  least_loaded: 'Least loaded: the available member with the most spare capacity',
}

export function AssignmentSettings({ workload, onSaved }) {
  const [strategy, setStrategy] = useState(workload.strategy)
  const [capacity, setCapacity] = useState(String(workload.default_capacity))
  const [requeue, setRequeue] = useState(workload.requeue_when_away)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState(null)
  const dirty = strategy !== workload.strategy || Number(capacity) !== workload.default_capacity
    || requeue !== workload.requeue_when_away

  const submit = (event) => {
    event.preventDefault()
    setError(null)
    busyWhile(setBusy, async () => {
      // The action takes all four settings: the ones not changed are sent as they are.
      const answer = await action('setTeamAssignment', {
        team_id: workload.team_id, strategy, default_capacity: Number(capacity), requeue_when_away: requeue,
      })
      onSaved(answer)
      notify('Assignment settings saved.', 'success')
    }, setError)
  }

  return html`
    <form class="assignment-form" onSubmit=${submit} aria-label="Assignment settings">
      <h3>Assignment</h3>
      <div class="form-row">
        <label class="grow">Assignment strategy
          <select aria-label="Assignment strategy" value=${strategy} onChange=${(e) => setStrategy(e.target.value)}>
            ${Object.entries(STRATEGIES).map(([value, text]) => html`<option value=${value}>${text}</option>`)}
          </select>
        </label>
        <label class="narrow">Default capacity
          <input type="number" min="0" max="1000" step="1" required value=${capacity}
            onInput=${(e) => setCapacity(e.target.value)} />
        </label>
      </div>
      <label class="inline">
        <input type="checkbox" checked=${requeue} onChange=${(e) => setRequeue(e.target.checked)} />
        Return a member's open tickets to the queue when they are away or offline
      </label>
      ${workload.is_default && html`<p class="muted small">Tickets no routing rule matches go to this team.</p>`}
      <${ErrorNotice} error=${error} compact />
      <div class="actions">
        <button type="submit" class="primary" disabled=${busy || !dirty}>${busy ? 'Saving…' : 'Save assignment'}</button>
      </div>
    </form>`
}

export function AgentLoad({ agent, workload, onChanged }) {
  const [capacity, setCapacity] = useState(agent.capacity_override === null ? '' : String(agent.capacity_override))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState(null)
  const name = agent.display_name ?? 'Unnamed member'
  const full = agent.open_assigned >= agent.capacity

  const saveCapacity = (event) => {
    event.preventDefault()
    setError(null)
    busyWhile(setBusy, async () => {
      const answer = await action('setMemberCapacity', {
        team_id: workload.team_id, user_id: agent.user_id, capacity: capacity === '' ? null : Number(capacity),
      })
      notify(`Capacity of ${name} saved.`, 'success')
      onChanged(answer)
    }, setError)
  }
  const removeFromTeam = () => {
    setError(null)
    busyWhile(setBusy, async () => {
      await action('removeTeamMember', { team_id: workload.team_id, user_id: agent.user_id })
      notify(`${name} left the team.`, 'success')
      onChanged(null)
    }, setError)
  }

  return html`
    <li class="agent" data-user=${agent.user_id}>
      <div class="admin-row">
        <div class="admin-row-main">
          <strong>${name}</strong>
          <div class="small agent-meta">
            <span class=${`badge availability-${agent.availability}`}>${AVAILABILITY[agent.availability] ?? label(agent.availability)}</span>
            <span class=${full ? 'load full' : 'load'} aria-label=${`${agent.open_assigned} open of ${agent.capacity}`}>
              ${agent.open_assigned} / ${agent.capacity} open
            </span>
            <span class="muted">${agent.capacity_override === null ? 'team default' : 'own capacity'}</span>
          </div>
        </div>
        <form class="capacity-form" onSubmit=${saveCapacity}>
          <label class="narrow">
            <span>Capacity</span>
            <input type="number" min="0" max="1000" step="1" value=${capacity}
              aria-label=${`Capacity of ${name}`} placeholder=${`Default: ${workload.default_capacity}`}
              onInput=${(e) => setCapacity(e.target.value)} />
          </label>
          <button type="submit" disabled=${busy} aria-label=${`Save the capacity of ${name}`}>Save</button>
        </form>
        <button type="button" class="danger" disabled=${busy} aria-label=${`Remove ${name} from the team`}
          onClick=${removeFromTeam}>Remove</button>
      </div>
      <${ErrorNotice} error=${error} compact />
    </li>`
}
