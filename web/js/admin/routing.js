// Routing tab: the rules in evaluation order (first match wins), moved up and down with an
// optimistic reorder that rolls back when refused, edited in rule.js, deleted after a
// confirmation; and the default team for tickets no rule matches.
import { useState } from 'preact/hooks'
import { action } from '../api.js'
import { Empty, ErrorNotice, html, Loading, notify, PriorityBadge, useLoad } from '../ui.js'
import { readTeams } from '../organization.js'
import { Conditions, Confirm, swapped } from './common.js'
import { RuleDialog } from './rule.js'

export function RoutingTab({ orgId }) {
  const routing = useLoad(() => action('listRoutingRules', { org_id: orgId }), [orgId])
  const teams = useLoad(() => readTeams(orgId), [orgId])
  const [editing, setEditing] = useState(null) // a rule, 'new', or null
  const [deleting, setDeleting] = useState(null)
  const [moving, setMoving] = useState(false)
  const [refused, setRefused] = useState(null) // {ruleId, error}: a reorder the server refused

  const teamName = (id) => teams.data?.find((t) => t.id === id)?.name ?? 'a team'

  const move = async (index, by) => {
    const before = routing.data
    const rules = swapped(before.rules, index, index + by)
    setRefused(null)
    setMoving(true)
    routing.setData({ ...before, rules }) // optimistic: the new order shows at once
    try {
      const answer = await action('reorderRoutingRules', { org_id: orgId, rule_ids: rules.map((r) => r.id) })
      routing.setData(answer)
    } catch (error) {
      routing.setData(before) // back where it was, with why
      setRefused({ ruleId: before.rules[index].id, error })
      notify('The new order was not saved.', 'error', error)
      // A refused order is usually a stale list (a rule added or deleted meanwhile): show the
      // rules as they are now, so the next move is made from them.
      routing.reload()
    } finally {
      setMoving(false)
    }
  }

  const remove = async (rule) => {
    await action('deleteRoutingRule', { rule_id: rule.id })
    notify(`Rule ${rule.name} deleted.`, 'success')
    routing.reload()
  }

  const saved = (rule) => {
    setEditing(null)
    notify(`Rule ${rule.name} saved.`, 'success')
    routing.reload()
  }

  const rules = routing.data?.rules
  return html`
    <div class="stack">
      <section class="card admin-section" aria-labelledby="rules-heading">
        <div class="section-header">
          <h2 id="rules-heading">Routing rules</h2>
          <button type="button" class="primary" onClick=${() => setEditing('new')}
            disabled=${!teams.data?.length}>New rule</button>
        </div>
        <p class="muted small">A new ticket goes to the team of the first rule it matches, from the top.</p>
        ${(routing.error || teams.error) && html`
          <${ErrorNotice} error=${routing.error ?? teams.error} onRetry=${() => { routing.reload(); teams.reload() }} />`}
        ${!rules && !routing.error && html`<${Loading} label="Loading routing rules…" />`}
        ${teams.data?.length === 0 && html`<p class="notice-inline info">Create a team first: every rule sends tickets to a team.</p>`}
        ${rules?.length === 0 && html`<${Empty}>No rules: new tickets go to the default team.</${Empty}>`}
        ${rules?.length > 0 && html`
          <ol class="admin-list rule-list" aria-label="Routing rules">
            ${rules.map((rule, index) => html`
              <li key=${rule.id} class=${refused?.ruleId === rule.id ? 'rolled-back' : ''} data-rule=${rule.name}>
                <div class="admin-row">
                  <span class="rule-position" aria-hidden="true">${index + 1}</span>
                  <div class="admin-row-main">
                    <strong class="break">${rule.name}</strong>
                    <${Conditions} rule=${rule} />
                    <div class="small">→ ${teamName(rule.team_id)}
                      ${rule.set_priority && html` · raises to <${PriorityBadge} priority=${rule.set_priority} />`}</div>
                  </div>
                  <div class="actions">
                    <button type="button" disabled=${moving || index === 0} aria-label=${`Move ${rule.name} up`}
                      onClick=${() => move(index, -1)}>↑</button>
                    <button type="button" disabled=${moving || index === rules.length - 1}
                      aria-label=${`Move ${rule.name} down`} onClick=${() => move(index, 1)}>↓</button>
                    <button type="button" aria-label=${`Edit ${rule.name}`} onClick=${() => setEditing(rule)}>Edit</button>
                    <button type="button" class="danger" aria-label=${`Delete ${rule.name}`}
                      onClick=${() => setDeleting(rule)}>Delete</button>
                  </div>
                </div>
                ${refused?.ruleId === rule.id && html`<${ErrorNotice} error=${refused.error} compact />`}
              </li>`)}
          </ol>`}
      </section>
      ${routing.data && teams.data && html`
        <${DefaultTeam} orgId=${orgId} routing=${routing} teams=${teams.data} />`}
      ${editing && teams.data && html`
        <${RuleDialog} orgId=${orgId} rule=${editing === 'new' ? null : editing} teams=${teams.data}
          onSaved=${saved} onClose=${() => setEditing(null)} />`}
      ${deleting && html`
        <${Confirm} title="Delete rule" confirmLabel="Delete rule"
          onConfirm=${() => remove(deleting)} onClose=${() => setDeleting(null)}>
          <p>Delete the rule <strong>${deleting.name}</strong>? Tickets it would route go on to the next rules.</p>
        </${Confirm}>`}
    </div>`
}

function DefaultTeam({ orgId, routing, teams }) {
  const [error, setError] = useState(null)
  const [busy, setBusy] = useState(false)
  const change = async (value) => {
    const before = routing.data
    const teamId = value || null
    setError(null)
    setBusy(true)
    routing.setData({ ...before, default_team_id: teamId }) // optimistic
    try {
      routing.setData(await action('setDefaultTeam', { org_id: orgId, team_id: teamId }))
      notify('Default team saved.', 'success')
    } catch (failure) {
      routing.setData(before)
      setError(failure)
    } finally {
      setBusy(false)
    }
  }
  return html`
    <section class="card admin-section default-team" aria-labelledby="default-team-heading">
      <h2 id="default-team-heading">Default team</h2>
      <label>Tickets no rule matches go to
        <select aria-label="Default team" value=${routing.data.default_team_id ?? ''} disabled=${busy} onChange=${(e) => change(e.target.value)}>
          <option value="">No team (they stay unassigned)</option>
          ${teams.map((t) => html`<option value=${t.id}>${t.name}</option>`)}
        </select>
      </label>
      <${ErrorNotice} error=${error} compact />
    </section>`
}
