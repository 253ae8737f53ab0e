// One team: rename, delete, its members with their workload (teamWorkload), adding and removing
// members, and its assignment settings (workload.js).
import { useState } from 'preact/hooks'
import { action } from '../api.js'
import { Dialog, Empty, ErrorNotice, html, Loading, notify, useLoad } from '../ui.js'
import { busyWhile, Confirm, memberName } from './common.js'
import { AgentLoad, AssignmentSettings } from './workload.js'

export function TeamDetail({ team, members, onChanged, onDeleted }) {
  const workload = useLoad(() => action('teamWorkload', { team_id: team.id }), [team.id])
  const [dialog, setDialog] = useState(null) // 'rename' | 'delete' | null
  const changed = (answer) => {
    if (answer?.agents) workload.setData(answer)
    else workload.reload()
    onChanged()
  }

  const remove = async () => {
    const answer = await action('deleteTeam', { team_id: team.id })
    notify(`Team ${team.name} deleted${answer.unassigned_tickets ? `; ${answer.unassigned_tickets} tickets lost their team` : ''}.`, 'success')
    onDeleted()
  }

  const data = workload.data
  return html`
    <section class="card admin-section team-detail" aria-labelledby="team-heading">
      <div class="section-header">
        <h2 id="team-heading">${team.name}</h2>
        <div class="actions">
          <button type="button" onClick=${() => setDialog('rename')}>Rename</button>
          <button type="button" class="danger" onClick=${() => setDialog('delete')}>Delete team</button>
        </div>
      </div>
      ${workload.error && html`<${ErrorNotice} error=${workload.error} onRetry=${workload.reload} />`}
      ${!data && !workload.error && html`<${Loading} label="Loading the team's workload…" />`}
      ${data && html`
        <${AssignmentSettings} workload=${data} onSaved=${(answer) => workload.setData(answer)} />
        <div class="section-header">
          <h3>Members and workload</h3>
          <span class="badge" data-testid="queued">${data.queued} queued</span>
        </div>
        ${data.agents.length === 0 && html`<${Empty}>Nobody is on this team yet. Add a member below.</${Empty}>`}
        ${data.agents.length > 0 && html`
          <ul class="admin-list" aria-label="Team members">
            ${data.agents.map((agent) => html`
              <${AgentLoad} key=${agent.user_id} agent=${agent} workload=${data} onChanged=${changed} />`)}
          </ul>`}
        <${AddMember} team=${team} members=${members} agents=${data.agents} onAdded=${changed} />`}
      ${dialog === 'rename' && html`
        <${RenameTeam} team=${team} onClose=${() => setDialog(null)} onRenamed=${onChanged} />`}
      ${dialog === 'delete' && html`
        <${Confirm} title="Delete team" confirmLabel="Delete team" onConfirm=${remove} onClose=${() => setDialog(null)}>
          <p>Delete <strong>${team.name}</strong>? Its tickets lose their team (their history records it),
            and the routing rules that send tickets to it are deleted with it.</p>
        </${Confirm}>`}
    </section>`
}

function AddMember({ team, members, agents, onAdded }) {
  const [userId, setUserId] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState(null)
  const onTeam = new Set(agents.map((a) => a.user_id))
  const candidates = (members.data ?? []).filter((m) => !onTeam.has(m.user_id))

  const submit = (event) => {
    event.preventDefault()
    setError(null)
    busyWhile(setBusy, async () => {
      const member = candidates.find((m) => m.user_id === userId)
      await action('addTeamMember', { team_id: team.id, user_id: userId })
      notify(`${memberName(member)} joined ${team.name}.`, 'success')
      setUserId('')
      onAdded()
    }, setError)
  }

  if (members.error) return html`<${ErrorNotice} error=${members.error} onRetry=${members.reload} compact />`
  return html`
    <form class="inline-form add-member" onSubmit=${submit}>
      <label class="grow">Add a member
        <select aria-label="Add a member" required value=${userId} onChange=${(e) => setUserId(e.target.value)}>
          <option value="">${candidates.length ? 'Choose a member…' : 'Every member is on this team'}</option>
          ${candidates.map((m) => html`<option value=${m.user_id}>${memberName(m)}</option>`)}
        </select>
      </label>
      <button type="submit" disabled=${busy || !userId}>${busy ? 'Adding…' : 'Add to team'}</button>
    </form>
    <${ErrorNotice} error=${error} compact />`
}

function RenameTeam({ team, onClose, onRenamed }) {
  const [name, setName] = useState(team.name)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState(null)
  const submit = (event) => {
    event.preventDefault()
    setError(null)
    busyWhile(setBusy, async () => {
      const answer = await action('renameTeam', { team_id: team.id, name })
      notify(`Team renamed to ${answer.name}.`, 'success')
      onRenamed()
      onClose()
    }, setError)
  }
  return html`
    <${Dialog} title="Rename team" onClose=${onClose}>
      <form onSubmit=${submit}>
        <label>Team name
          <input required maxLength="100" value=${name} onInput=${(e) => setName(e.target.value)} />
        </label>
        <${ErrorNotice} error=${error} compact />
        <div class="actions end">
          <button type="button" onClick=${onClose}>Cancel</button>
          <button type="submit" class="primary" disabled=${busy}>${busy ? 'Saving…' : 'Rename'}</button>
        </div>
      </form>
    </${Dialog}>`
}
