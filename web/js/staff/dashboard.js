// The staff dashboard of one organization: stat cards, my availability, "Claim next ticket",
// the ticket list with its filters, and a new ticket; kept live from the org's broadcast topic.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { action } from '../api.js'
import { useChannel } from '../live.js'
import { navigate } from '../router.js'
import { useMembership, useSession } from '../session.js'
import { ErrorNotice, html, LiveStatus, notify, useLoad } from '../ui.js'
import { loadDirectory, usePeople } from './directory.js'
import { NotStaff } from './not-staff.js'
import { NewTicketDialog } from './ticket-dialog.js'
import { DEFAULT_FILTERS, Filters, TicketList, useTicketPages } from './ticket-list.js'
import { Availability, ClaimNext } from './workload.js'

/** Staff of `orgId` only: anyone else gets one message, and the page asks the API nothing. */
export function StaffDashboard({ orgId }) {
  const membership = useMembership(orgId)
  if (!membership) return html`<${NotStaff} />`
  return html`<${Dashboard} orgId=${orgId} membership=${membership} />`
}

function Dashboard({ orgId, membership }) {
  const { user } = useSession()
  const [filters, setFilters] = useState(DEFAULT_FILTERS) // Filters changes it with updaters
  const [creating, setCreating] = useState(false)
  const pages = useTicketPages(orgId, filters)
  const stats = useLoad(() => action('ticketStats', { org_id: orgId }), [orgId])
  const directory = useLoad(() => loadDirectory(orgId), [orgId])
  const name = usePeople((pages.items ?? []).flatMap((t) => [t.user_id, t.assigned_employee_id]))
  const teamName = useCallback(
    (id) => directory.data?.teams.find((t) => t.id === id)?.name ?? '…',
    [directory.data],
  )

  // The stat cards follow every event, once a burst of them has passed.
  const statsTimer = useRef(null)
  const refreshStats = useCallback(() => {
    clearTimeout(statsTimer.current)
    statsTimer.current = setTimeout(() => stats.reload(), 400)
  }, [stats.reload]) // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => () => clearTimeout(statsTimer.current), [])

  const live = useChannel(`org:${orgId}:tickets`, {
    ticket_created: (t) => { pages.apply('ticket_created', t); refreshStats() },
    ticket_updated: (t) => { pages.apply('ticket_updated', t); refreshStats() },
    ticket_deleted: (t) => { pages.apply('ticket_deleted', t); refreshStats() },
    comment_added: () => {},
  }, () => { pages.refetch(); stats.reload(); directory.reload() })

  const me = useMemo(() => directory.data?.staff.find((s) => s.user_id === user.id), [directory.data, user.id])
  const filtered = JSON.stringify(filters) !== JSON.stringify(DEFAULT_FILTERS)

  return html`
    <div class="st-dashboard">
      <header class="page-header">
        <h1>Tickets <span class="muted st-org-name">${membership.name}</span></h1>
        <${LiveStatus} status=${live} />
        <div class="actions">
          <button type="button" class="primary" onClick=${() => setCreating(true)}>New ticket</button>
        </div>
      </header>

      <${StatCards} stats=${stats} />

      <section class="card st-workload-bar" aria-label="My work">
        ${directory.error && !directory.data
          ? html`<${ErrorNotice} error=${directory.error} onRetry=${directory.reload} compact />`
          : html`<${Availability} orgId=${orgId} me=${me} onChanged=${() => directory.reload()} />`}
        <${ClaimNext} orgId=${orgId} orgName=${membership.name} directory=${directory} me=${me}
          onClaimed=${(ticket) => navigate(`/org/${ticket.handling_org_id ?? orgId}/tickets/${ticket.id}`)} />
      </section>

      <section class="st-ticket-section" aria-label="Ticket list">
        <${Filters} filters=${filters} onChange=${setFilters} />
        <${TicketList} pages=${pages} orgId=${orgId} teamName=${teamName} name=${name} filtered=${filtered} />
      </section>

      ${creating && html`
        <${NewTicketDialog} orgId=${orgId} onClose=${() => setCreating(false)}
          onCreated=${(ticket) => {
            setCreating(false)
            pages.apply('ticket_created', ticket)
            refreshStats()
            notify(`Ticket #${ticket.number} created.`, 'success')
          }} />`}
    </div>`
}

// ticketStats' counts; "unassigned" is what listTickets' `unassigned` filter means: no team and
// no agent, not resolved or closed.
const CARDS = [
  ['open', 'Open'], ['in_progress', 'In progress'], ['high_priority', 'High priority'],
  ['unassigned', 'Unassigned', 'no team, no agent'],
]

function StatCards({ stats }) {
  if (stats.error && !stats.data) return html`<${ErrorNotice} error=${stats.error} onRetry=${stats.reload} />`
  return html`
    <ul class="st-stat-cards" aria-label="Ticket counts" aria-busy=${stats.loading}>
      ${CARDS.map(([key, text, hint]) => html`
        <li class=${`st-stat-card card st-stat-${key}`} data-stat=${key}>
          <span class="st-stat-value">${stats.data ? stats.data[key] : '–'}</span>
          <span class="st-stat-label">${text}${hint && html` <small class="muted">(${hint})</small>`}</span>
        </li>`)}
    </ul>`
}
