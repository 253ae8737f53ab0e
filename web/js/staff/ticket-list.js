// The dashboard's ticket list: filters, keyset pages from listTickets, one card per ticket, and
// the live events applied to what is on screen.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { action } from '../api.js'
import { Age, Empty, ErrorNotice, html, label, Loading, PRIORITIES, PriorityBadge, STATUSES, StatusBadge } from '../ui.js'

export const PAGE_SIZE = 25
export const DEFAULT_FILTERS = { q: '', status: 'active', priority: '', sort: 'created_at', direction: 'desc' }
// "Active": what still needs work; the other choices are listTickets' statuses one by one.
const ACTIVE = ['open', 'in_progress', 'waiting_on_customer']

function statusFilter(status) {
  if (status === 'active') return ACTIVE
  return status ? [status] : null
}

/** listTickets' input for `filters` (empty choices left out, as the contract prefers). */
function listInput(orgId, filters, cursor) {
  const body = { org_id: orgId, sort: filters.sort, direction: filters.direction, limit: PAGE_SIZE }
  const status = statusFilter(filters.status)
  if (status) body.status = status
  if (filters.priority) body.priority = [filters.priority]
  if (filters.q.trim()) body.q = filters.q.trim()
  if (cursor) body.cursor = cursor
  return body
}

/** Whether `ticket` belongs in the list under `filters` (the search words are the server's to
 * judge, so with words typed a change refetches instead). */
function matches(ticket, filters) {
  const status = statusFilter(filters.status)
  return (!status || status.includes(ticket.status))
    && (!filters.priority || ticket.priority === filters.priority)
}

/**
 * The pages of tickets for `filters`: {items, nextCursor, error, loading, loadingMore, loadMore,
 * refetch, apply}. `apply(event, payload)` applies a live event to the loaded items.
 */
export function useTicketPages(orgId, filters) {
  const [state, setState] = useState({ items: null, nextCursor: null, error: null, loading: true, loadingMore: false, moreError: null })
  const generation = useRef(0)
  const latestFilters = useRef(filters)
  latestFilters.current = filters
  const onScreen = useRef(null) // the items on screen, for live events to look up
  onScreen.current = state.items

  const refetch = useCallback(() => {
    const mine = ++generation.current
    // The cursor belongs to the listing on screen: no "Load more" until the new one is here.
    setState((s) => ({ ...s, loading: true, nextCursor: null }))
    return action('listTickets', listInput(orgId, filters)).then(
      (page) => { if (mine === generation.current) setState({ items: page.items, nextCursor: page.next_cursor, error: null, loading: false, loadingMore: false, moreError: null }) },
      (error) => { if (mine === generation.current) setState((s) => ({ ...s, error, loading: false })) },
    )
  }, [orgId, filters])

  useEffect(() => { refetch() }, [refetch])

  // A ticket that now belongs in the list but is not on screen (reopened, re-prioritized, or
  // matching the search words): its place is the server's to say, so the first page comes again,
  // once a burst of events has passed.
  const latestRefetch = useRef(refetch)
  latestRefetch.current = refetch
  const refetchTimer = useRef(null)
  const refetchSoon = useCallback(() => {
    clearTimeout(refetchTimer.current)
    refetchTimer.current = setTimeout(() => latestRefetch.current(), 300)
  }, [])
  useEffect(() => () => clearTimeout(refetchTimer.current), [])

  const loadMore = useCallback(() => {
    const mine = generation.current
    setState((s) => ({ ...s, loadingMore: true, moreError: null }))
    action('listTickets', listInput(orgId, filters, state.nextCursor)).then(
      (page) => {
        if (mine !== generation.current) return
        setState((s) => {
          const known = new Set(s.items.map((t) => t.id))
          return { ...s, items: [...s.items, ...page.items.filter((t) => !known.has(t.id))], nextCursor: page.next_cursor, loadingMore: false }
        })
      },
      (moreError) => { if (mine === generation.current) setState((s) => ({ ...s, moreError, loadingMore: false })) },
    )
  }, [orgId, filters, state.nextCursor])

  const apply = useCallback((event, ticket) => {
    const f = latestFilters.current
    if (event === 'ticket_created') {
      // Newest first and no words typed: the new card goes on top at once; otherwise its place
      // is the server's to say.
      if (f.q.trim() || f.sort !== 'created_at' || f.direction !== 'desc') { refetch(); return }
      if (!matches(ticket, f)) return
      setState((s) => (s.items && !s.items.some((t) => t.id === ticket.id)
        ? { ...s, items: [ticket, ...s.items] } : s))
    } else if (event === 'ticket_updated') {
      if (onScreen.current && !onScreen.current.some((t) => t.id === ticket.id)) {
        if (matches(ticket, f)) refetchSoon()
        return
      }
      // The card changes at once below; where it now belongs (sorted by last update or priority)
      // and whether it still matches the words typed are the server's to say.
      if (f.q.trim() || f.sort !== 'created_at') refetchSoon()
      setState((s) => {
        if (!s.items) return s
        const held = s.items.find((t) => t.id === ticket.id)
        if (!held || held.version >= ticket.version) return s
        const items = matches(ticket, f)
          ? s.items.map((t) => (t.id === ticket.id ? ticket : t))
          : s.items.filter((t) => t.id !== ticket.id)
        return { ...s, items }
      })
    } else if (event === 'ticket_deleted') {
      setState((s) => (s.items ? { ...s, items: s.items.filter((t) => t.id !== ticket.id) } : s))
    }
  }, [refetch, refetchSoon])

  return { ...state, loadMore, refetch, apply }
}

/** `onChange(update)` takes an updater (as a state setter does): the search, sent after a pause,
 * changes only the words, on top of whatever the other filters are by then. */
export function Filters({ filters, onChange }) {
  const [q, setQ] = useState(filters.q)
  // Search as one types, once the typing pauses.
  useEffect(() => {
    if (q === filters.q) return undefined
    const timer = setTimeout(() => onChange((f) => ({ ...f, q })), 300)
    return () => clearTimeout(timer)
  }, [q]) // eslint-disable-line react-hooks/exhaustive-deps
  const set = (name) => (e) => {
    const value = e.target.value
    onChange((f) => ({ ...f, [name]: value }))
  }
  return html`
    <form class="st-ticket-filters" role="search" onSubmit=${(e) => { e.preventDefault(); onChange((f) => ({ ...f, q })) }}>
      <div class="st-field st-filter-search">
        <label for="st-filter-q">Search</label>
        <input id="st-filter-q" type="search" value=${q} placeholder="Words in subject or description"
          onInput=${(e) => setQ(e.target.value)} />
      </div>
      <div class="st-field">
        <label for="st-filter-status">Status</label>
        <select id="st-filter-status" value=${filters.status} onChange=${set('status')}>
          <option value="active">Needs work</option>
          <option value="">Any status</option>
          ${STATUSES.map((s) => html`<option value=${s}>${label(s)}</option>`)}
        </select>
      </div>
      <div class="st-field">
        <label for="st-filter-priority">Priority</label>
        <select id="st-filter-priority" value=${filters.priority} onChange=${set('priority')}>
          <option value="">Any priority</option>
          ${PRIORITIES.map((p) => html`<option value=${p}>${label(p)}</option>`)}
        </select>
      </div>
      <div class="st-field">
        <label for="st-filter-sort">Sort by</label>
        <select id="st-filter-sort" value=${filters.sort} onChange=${set('sort')}>
          <option value="created_at">Created</option>
          <option value="updated_at">Last updated</option>
          <option value="priority">Priority</option>
        </select>
      </div>
      <div class="st-field">
        <label for="st-filter-direction">Order</label>
        <select id="st-filter-direction" value=${filters.direction} onChange=${set('direction')}>
          <option value="desc">${filters.sort === 'priority' ? 'Highest first' : 'Newest first'}</option>
          <option value="asc">${filters.sort === 'priority' ? 'Lowest first' : 'Oldest first'}</option>
        </select>
      </div>
    </form>`
}

export function TicketCard({ ticket, orgId, teamName, name }) {
  return html`
    <li class="st-ticket-card card" data-ticket-id=${ticket.id}>
      <div class="st-ticket-card-top">
        <span class="st-ticket-number">#${ticket.number}</span>
        <a class="st-ticket-subject" href=${`#/org/${orgId}/tickets/${ticket.id}`}>${ticket.subject}</a>
        <span class="st-ticket-age"><${Age} iso=${ticket.created_at} /></span>
      </div>
      <div class="st-ticket-card-meta">
        <${StatusBadge} status=${ticket.status} />
        <${PriorityBadge} priority=${ticket.priority} />
        <span><span class="st-meta-label">Requester</span> ${name(ticket.user_id)}</span>
        ${ticket.assigned_team_id || ticket.assigned_employee_id
          ? html`
            <span><span class="st-meta-label">Team</span> ${ticket.assigned_team_id ? teamName(ticket.assigned_team_id) : html`<em class="muted">none</em>`}</span>
            <span><span class="st-meta-label">Assignee</span> ${ticket.assigned_employee_id ? name(ticket.assigned_employee_id) : html`<em class="muted">in the team's queue</em>`}</span>`
          : html`<span class="badge st-unassigned">Unassigned</span>`}
      </div>
    </li>`
}

export function TicketList({ pages, orgId, teamName, name, filtered }) {
  if (pages.error && !pages.items) return html`<${ErrorNotice} error=${pages.error} onRetry=${pages.refetch} />`
  if (!pages.items) return html`<${Loading} label="Loading tickets…" />`
  return html`
    ${pages.error && html`<${ErrorNotice} error=${pages.error} onRetry=${pages.refetch} compact />`}
    ${pages.items.length === 0
      ? html`<${Empty}>${filtered ? 'No tickets match these filters.' : 'No tickets yet.'}</${Empty}>`
      : html`
        <ul class="st-ticket-list" aria-label="Tickets" aria-busy=${pages.loading}>
          ${pages.items.map((t) => html`<${TicketCard} key=${t.id} ticket=${t} orgId=${orgId} teamName=${teamName} name=${name} />`)}
        </ul>`}
    ${pages.moreError && html`<${ErrorNotice} error=${pages.moreError} onRetry=${pages.loadMore} compact />`}
    ${pages.nextCursor && html`
      <div class="actions st-load-more">
        <button type="button" onClick=${pages.loadMore} disabled=${pages.loadingMore || pages.loading}>
          ${pages.loadingMore ? 'Loading…' : 'Load more'}
        </button>
      </div>`}`
}
