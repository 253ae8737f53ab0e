// The ticket's history (getTicket's `events`) as a timeline, in words. Staff see all of it,
// internal events included (routing decisions, assignments), marked as such.
import { Age, Empty, html, label } from '../ui.js'

const BY = { round_robin: 'round robin', least_loaded: 'least loaded', claim: 'a claim', manual: 'hand' }
const REASONS = {
  assignee_away: 'the assignee is away', assignee_offline: 'the assignee is offline',
  assignee_unavailable: 'the assignee is unavailable', no_agent_available: 'nobody on the team had room',
}

/** One event in words. */
function describe(event) {
  const o = event.old_value ?? {}
  const n = event.new_value ?? {}
  switch (event.kind) {
    case 'created': return `created the ticket${n.priority ? ` (${label(n.priority)} priority)` : ''}`
    case 'status_changed': return `changed the status: ${label(o.status)} → ${label(n.status)}`
    case 'priority_changed': return `changed the priority: ${label(o.priority)} → ${label(n.priority)}`
    case 'details_changed': {
      const what = ['subject', 'description'].filter((f) => f in n)
      return `edited the ${what.join(' and ') || 'details'}${n.subject ? `: "${n.subject}"` : ''}`
    }
    case 'assignment_changed': {
      if ('team_id' in n || 'team_id' in o) {
        return n.team_id ? `assigned team ${n.team_name ?? ''}`.trim() : `removed team ${o.team_name ?? ''}`.trim()
      }
      let text = n.employee_id ? `assigned it to ${n.display_name ?? 'someone'}` : `unassigned ${o.display_name ?? 'the assignee'}`
      if (n.assigned_by && BY[n.assigned_by]) text += ` by ${BY[n.assigned_by]}`
      if (n.from_queue) text += ', from the queue'
      if (n.over_capacity) text += ' (over capacity)'
      if (n.while_unavailable) text += ' (while unavailable)'
      if (n.reason) text += ` because ${REASONS[n.reason] ?? n.reason}`
      return text
    }
    case 'comment_added': return event.is_internal ? 'added an internal note' : 'commented'
    case 'attachment_added': return `attached ${n.file_name ?? 'a file'}`
    case 'attachment_removed': return `removed ${n.file_name ?? 'a file'}`
    case 'routed': {
      const how = n.routed_by === 'rule' ? `by rule "${n.rule_name}"` : 'as the default team'
      const raised = n.priority_to ? `; priority ${label(n.priority_from)} → ${label(n.priority_to)}` : ''
      return `routed to ${n.team_name ?? 'a team'} ${how}${raised}`
    }
    case 'queued': return `queued in ${n.team_name ?? 'the team'}: ${REASONS[n.reason] ?? n.reason ?? 'waiting'}`
    default: return event.kind.replaceAll('_', ' ')
  }
}

// Events the database makes on its own (routing, queues) have no actor.
const SYSTEM = new Set(['routed', 'queued'])

export function History({ events, name }) {
  return html`
    <section class="card st-history" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      ${events.length === 0
        ? html`<${Empty}>No history yet.</${Empty}>`
        : html`
          <ol class="st-timeline">
            ${events.map((e) => html`
              <li class=${`st-timeline-item kind-${e.kind}${e.is_internal ? ' st-internal' : ''}`} key=${e.id}>
                <span class="st-timeline-text">
                  <strong>${e.actor_id ? name(e.actor_id) : SYSTEM.has(e.kind) ? 'Routing' : 'System'}</strong> ${describe(e)}
                  ${e.is_internal && html` <span class="badge st-internal-label">staff only</span>`}
                </span>
                <span class="muted st-timeline-time"><${Age} iso=${e.created_at} /></span>
              </li>`)}
          </ol>`}
    </section>`
}
