// A routing rule's form, for a new rule (createRoutingRule) or an existing one (updateRoutingRule
// with expected_version). A 409 version_conflict shows the rule as it is now and lets the admin
// apply their edit on top of it or take the current version.
import { useState } from 'preact/hooks'
import { action } from '../api.js'
import { Dialog, ErrorNotice, html, label, PRIORITIES } from '../ui.js'
import { busyWhile, Conditions, splitList, VersionConflict } from './common.js'

function fromRule(rule, teams) {
  return {
    name: rule?.name ?? '',
    keywords: rule?.conditions.keywords?.join(', ') ?? '',
    priorities: rule?.conditions.priorities ?? [],
    domains: rule?.conditions.requester_domains?.join(', ') ?? '',
    team_id: rule?.team_id ?? teams[0]?.id ?? '',
    set_priority: rule?.set_priority ?? '',
  }
}

/** The form as the API's input: a condition left empty is left out (it then matches anything). */
function toInput(form) {
  const conditions = {}
  if (form.priorities.length) conditions.priorities = form.priorities
  const keywords = splitList(form.keywords)
  if (keywords.length) conditions.keywords = keywords
  const domains = splitList(form.domains)
  if (domains.length) conditions.requester_domains = domains
  return { name: form.name, conditions, team_id: form.team_id, set_priority: form.set_priority || null }
}

export function RuleDialog({ orgId, rule, teams, onSaved, onClose }) {
  const [form, setForm] = useState(() => fromRule(rule, teams))
  const [base, setBase] = useState(rule) // the rule as opened: what changes are counted from
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState(null)
  const set = (field) => (e) => setForm({ ...form, [field]: e.target.value })
  const togglePriority = (priority) => setForm({
    ...form,
    priorities: form.priorities.includes(priority)
      ? form.priorities.filter((p) => p !== priority)
      : PRIORITIES.filter((p) => p === priority || form.priorities.includes(p)),
  })

  const save = (expectedVersion) => {
    setError(null)
    busyWhile(setBusy, async () => {
      const input = toInput(form)
      if (base) {
        // Only what the admin changed, so applying it on top of a newer version keeps the rest.
        const before = toInput(fromRule(base, teams))
        const changed = Object.fromEntries(Object.entries(input)
          .filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(before[key])))
        if (Object.keys(changed).length === 0) { onClose(); return }
        onSaved(await action('updateRoutingRule', { rule_id: base.id, expected_version: expectedVersion, ...changed }))
      } else {
        const { set_priority: setPriority, ...rest } = input
        onSaved(await action('createRoutingRule', {
          org_id: orgId, ...rest, ...(setPriority ? { set_priority: setPriority } : {}),
        }))
      }
    }, setError)
  }
  const submit = (event) => { event.preventDefault(); save(base?.version) }
  const takeCurrent = (current) => { setBase(current); setForm(fromRule(current, teams)); setError(null) }
  const reapply = (current) => save(current.version)
  const teamName = (id) => teams.find((t) => t.id === id)?.name ?? 'a team'
  const catchesAll = !form.priorities.length && !splitList(form.keywords).length && !splitList(form.domains).length

  return html`
    <${Dialog} title=${rule ? 'Edit routing rule' : 'New routing rule'} onClose=${onClose} wide>
      <form onSubmit=${submit} class="rule-form">
        <label>Name
          <input required maxLength="100" value=${form.name} onInput=${set('name')} />
        </label>
        <fieldset>
          <legend>Conditions <span class="muted small">(every one given must hold; leave one empty to match anything)</span></legend>
          <label>Keywords <span class="muted small">(comma-separated; any one in the subject or description)</span>
            <input value=${form.keywords} onInput=${set('keywords')} placeholder="refund, chargeback" />
          </label>
          <div class="field-group" role="group" aria-label="Priorities">
            <span class="field-label">Priorities</span>
            ${PRIORITIES.map((p) => html`
              <label class="inline"><input type="checkbox" checked=${form.priorities.includes(p)}
                onChange=${() => togglePriority(p)} /> ${label(p)}</label>`)}
          </div>
          <label>Requester domains <span class="muted small">(comma-separated; subdomains match too)</span>
            <input value=${form.domains} onInput=${set('domains')} placeholder="example.com" />
          </label>
          ${catchesAll && html`<p class="notice-inline warning small">Without a condition this rule catches every new ticket.</p>`}
        </fieldset>
        <div class="form-row">
          <label class="grow">Team
            <select aria-label="Team" required value=${form.team_id} onChange=${set('team_id')}>
              ${teams.map((t) => html`<option value=${t.id}>${t.name}</option>`)}
            </select>
          </label>
          <label class="grow">Set priority
            <select aria-label="Set priority" value=${form.set_priority} onChange=${set('set_priority')}>
              <option value="">Keep the ticket's priority</option>
              ${PRIORITIES.map((p) => html`<option value=${p}>Raise to ${label(p)}</option>`)}
            </select>
          </label>
        </div>
        ${error?.code === 'version_conflict'
          ? html`<${VersionConflict} error=${error} busy=${busy} onReapply=${reapply} onTakeCurrent=${takeCurrent}
              describe=${(current) => html`
                <p><strong>${current.name}</strong> → ${teamName(current.team_id)}
                  ${current.set_priority && ` · raises to ${label(current.set_priority)}`}</p>
                <${Conditions} rule=${current} />`} />`
          : html`<${ErrorNotice} error=${error} compact />`}
        <div class="actions end">
          <button type="button" onClick=${onClose}>Cancel</button>
          <button type="submit" class="primary" disabled=${busy}>${busy ? 'Saving…' : rule ? 'Save rule' : 'Create rule'}</button>
        </div>
      </form>
    </${Dialog}>`
}
