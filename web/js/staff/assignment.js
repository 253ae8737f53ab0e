// The ticket's side panels: status and priority at a glance, and who has it (team, assignee,
// "Assign to me"). Each choice calls `onChange(fields, what)`, which shows it at once and
// undoes it if the server refuses (ticket-view.js).
import { useEffect, useRef } from 'preact/hooks'
import { useSession } from '../session.js'
import { ErrorNotice, html, label, Loading, PRIORITIES, STATUSES } from '../ui.js'

export function StatusPanel({ ticket, busy, onChange }) {
  // A quick button disappears once its status is set: keyboard focus moves to the Status field,
  // which shows the new value (after the request, while the field is not disabled).
  const statusField = useRef(null)
  const focusStatus = useRef(false)
  useEffect(() => {
    if (!busy && focusStatus.current) {
      focusStatus.current = false
      statusField.current?.focus()
    }
  }, [busy])
  const quick = (status) => {
    focusStatus.current = true
    onChange({ status }, `Status "${label(status)}"`)
  }
  return html`
    <section class="card" aria-labelledby="status-title">
      <h2 id="status-title">Status and priority</h2>
      <label>Status
        <select ref=${statusField} value=${ticket.status} disabled=${busy}
          onChange=${(e) => onChange({ status: e.target.value }, `Status "${label(e.target.value)}"`)}>
          ${STATUSES.map((s) => html`<option value=${s}>${label(s)}</option>`)}
        </select>
      </label>
      <label>Priority
        <select value=${ticket.priority} disabled=${busy}
          onChange=${(e) => onChange({ priority: e.target.value }, `Priority "${label(e.target.value)}"`)}>
          ${PRIORITIES.map((p) => html`<option value=${p}>${label(p)}</option>`)}
        </select>
      </label>
      <div class="actions st-quick-status">
        ${ticket.status !== 'in_progress' && ticket.status !== 'closed' && html`
          <button type="button" disabled=${busy} onClick=${() => quick('in_progress')}>Start work</button>`}
        ${ticket.status !== 'resolved' && ticket.status !== 'closed' && html`
          <button type="button" disabled=${busy} onClick=${() => quick('resolved')}>Resolve</button>`}
        ${(ticket.status === 'resolved' || ticket.status === 'closed') && html`
          <button type="button" disabled=${busy} onClick=${() => quick('open')}>Reopen</button>`}
      </div>
    </section>`
}

const AWAY = { away: ' (away)', offline: ' (offline)' }

export function AssignmentPanel({ ticket, directory, busy, onChange }) {
  const { user } = useSession()
  const body = () => {
    if (directory.error && !directory.data) return html`<${ErrorNotice} error=${directory.error} onRetry=${directory.reload} compact />`
    if (!directory.data) return html`<${Loading} label="Loading teams and staff…" />`
    const { teams, staff } = directory.data
    const teamName = (id) => teams.find((t) => t.id === id)?.name
    // The team's members first: they are who the team's queue and strategy assign to.
    const onTeam = staff.filter((s) => ticket.assigned_team_id && s.team_ids.includes(ticket.assigned_team_id))
    const others = staff.filter((s) => !onTeam.includes(s))
    const option = (s) => html`<option value=${s.user_id}>${s.display_name}${AWAY[s.availability] ?? ''}</option>`
    const assigneeName = staff.find((s) => s.user_id === ticket.assigned_employee_id)?.display_name
    return html`
      <p class="st-assigned-summary">
        <span><span class="st-meta-label">Team</span> ${ticket.assigned_team_id ? teamName(ticket.assigned_team_id) ?? ticket.team?.name : html`<em class="muted">none</em>`}</span>
        <span><span class="st-meta-label">Assignee</span> ${ticket.assigned_employee_id ? assigneeName ?? ticket.assignee?.display_name : html`<em class="muted">${ticket.assigned_team_id ? "in the team's queue" : 'none'}</em>`}</span>
      </p>
      <label>Team
        <select value=${ticket.assigned_team_id ?? ''} disabled=${busy}
          onChange=${(e) => onChange({ assigned_team_id: e.target.value || null }, 'The team change')}>
          <option value="">No team</option>
          ${teams.map((t) => html`<option value=${t.id}>${t.name}</option>`)}
        </select>
      </label>
      ${teams.length === 0 && html`<p class="muted">This organization has no teams yet.</p>`}
      <label>Assignee
        <select value=${ticket.assigned_employee_id ?? ''} disabled=${busy}
          onChange=${(e) => onChange({ assigned_employee_id: e.target.value || null }, 'The assignment')}>
          <option value="">Unassigned</option>
          ${onTeam.length > 0
            ? html`<optgroup label=${`Team ${teamName(ticket.assigned_team_id)}`}>${onTeam.map(option)}</optgroup>
                <optgroup label="Other staff">${others.map(option)}</optgroup>`
            : staff.map(option)}
        </select>
      </label>
      <div class="actions">
        <button type="button" disabled=${busy || ticket.assigned_employee_id === user.id}
          onClick=${() => onChange({ assigned_employee_id: user.id }, 'Assigning it to you')}>Assign to me</button>
      </div>`
  }
  return html`
    <section class="card st-assignment" aria-labelledby="assignment-title">
      <h2 id="assignment-title">Assignment</h2>
      ${body()}
    </section>`
}
