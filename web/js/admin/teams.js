// Teams tab: the organization's teams (read with supabase-js) and a new team's form; choosing a
// team opens its members, assignment settings and workload (team.js).
import { useEffect, useRef, useState } from 'preact/hooks'
import { action } from '../api.js'
import { Empty, ErrorNotice, html, Loading, notify, useLoad } from '../ui.js'
import { readMembers, readTeams } from '../organization.js'
import { TeamDetail } from './team.js'

export function TeamsTab({ orgId }) {
  const teams = useLoad(() => readTeams(orgId), [orgId])
  const members = useLoad(() => readMembers(orgId), [orgId])
  const [selected, setSelected] = useState(null)

  // Keep a valid team chosen: the first one, or none when the list is empty.
  useEffect(() => {
    if (!teams.data) return
    if (!teams.data.some((t) => t.id === selected)) setSelected(teams.data[0]?.id ?? null)
  }, [teams.data]) // eslint-disable-line react-hooks/exhaustive-deps

  // On a phone the team opens below the list: bring it into view when someone picks one.
  const picked = useRef(false)
  const choose = (id) => { picked.current = true; setSelected(id) }
  useEffect(() => {
    if (!picked.current) return
    picked.current = false
    if (window.matchMedia('(max-width: 899px)').matches) {
      document.getElementById('team-heading')?.scrollIntoView({ block: 'start' })
    }
  }, [selected])

  const team = teams.data?.find((t) => t.id === selected)
  return html`
    <div class="admin-split">
      <section class="card admin-section" aria-labelledby="teams-heading">
        <h2 id="teams-heading">Teams</h2>
        <${NewTeam} orgId=${orgId} onCreated=${(created) => { setSelected(created.id); teams.reload() }} />
        ${teams.error && html`<${ErrorNotice} error=${teams.error} onRetry=${teams.reload} />`}
        ${!teams.data && !teams.error && html`<${Loading} label="Loading teams…" />`}
        ${teams.data?.length === 0 && html`<${Empty}>No teams yet. Create the first one above.</${Empty}>`}
        ${teams.data?.length > 0 && html`
          <ul class="team-list" aria-label="Teams">
            ${teams.data.map((t) => html`
              <li key=${t.id}>
                <button type="button" class="team-choice" aria-pressed=${t.id === selected}
                  onClick=${() => choose(t.id)}>
                  <span>${t.name}</span>
                  <span class="muted small">${t.team_members.length} ${t.team_members.length === 1 ? 'member' : 'members'}</span>
                </button>
              </li>`)}
          </ul>`}
      </section>
      ${team ? html`
        <${TeamDetail} key=${team.id} team=${team} members=${members}
          onChanged=${teams.reload} onDeleted=${() => { setSelected(null); teams.reload() }} />`
        : teams.data?.length > 0 && html`<p class="state">Choose a team.</p>`}
    </div>`
}

function NewTeam({ orgId, onCreated }) {
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState(null)
  const submit = async (event) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const team = await action('createTeam', { org_id: orgId, name })
      notify(`Team ${team.name} created.`, 'success')
      setName('')
      onCreated(team)
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }
  return html`
    <form class="inline-form" onSubmit=${submit}>
      <label class="grow">New team name
        <input required maxLength="100" value=${name} onInput=${(e) => setName(e.target.value)} />
      </label>
      <button type="submit" class="primary" disabled=${busy}>${busy ? 'Creating…' : 'Create team'}</button>
    </form>
    <${ErrorNotice} error=${error} compact />`
}
