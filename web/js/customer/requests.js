// My requests: every ticket I submitted, at any organization, newest activity first, kept live
// on my own topic (user:<id>:tickets), with a marker where staff replied since I last looked.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { action } from '../api.js'
import { useChannel } from '../live.js'
import { useSession } from '../session.js'
import { Age, Empty, ErrorNotice, html, label, LiveStatus, Loading, PriorityBadge, STATUSES, StatusBadge } from '../ui.js'

const PAGE = 25
const ACTIVE = ['open', 'in_progress', 'waiting_on_customer']
const FILTERS = { all: null, active: ACTIVE, ...Object.fromEntries(STATUSES.map((s) => [s, [s]])) }

export function MyRequests() {
  const { user } = useSession()
  const [filter, setFilter] = useState('all')
  const [state, setState] = useState({ items: null, next: null, error: null, loading: true, more: false })
  const generation = useRef(0)
  const loaded = useRef(0)
  loaded.current = state.items?.length ?? 0

  // The first page, or as many rows as are on screen (a refetch after a live event or a
  // reconnect keeps the pages already loaded).
  const load = useCallback((keep = false) => {
    const mine = ++generation.current
    const status = FILTERS[filter]
    const limit = keep ? Math.min(100, Math.max(PAGE, loaded.current)) : PAGE
    setState((s) => ({ ...s, loading: true }))
    action('listMyTickets', { ...(status ? { status } : {}), limit }).then(
      (page) => { if (mine === generation.current) setState({ items: page.items, next: page.next_cursor, error: null, loading: false, more: false }) },
      (error) => { if (mine === generation.current) setState((s) => ({ ...s, error, loading: false })) },
    )
  }, [filter])
  useEffect(() => { setState((s) => ({ ...s, items: null, error: null })); load() }, [load])

  const loadMore = () => {
    const mine = generation.current
    setState((s) => ({ ...s, more: true }))
    const status = FILTERS[filter]
    action('listMyTickets', { ...(status ? { status } : {}), limit: PAGE, cursor: state.next }).then(
      (page) => {
        if (mine !== generation.current) return
        setState((s) => {
          const have = new Set(s.items.map((t) => t.id))
          return { ...s, items: [...s.items, ...page.items.filter((t) => !have.has(t.id))], next: page.next_cursor, more: false }
        })
      },
      (error) => { if (mine === generation.current) setState((s) => ({ ...s, error, more: false })) },
    )
  }

  // Several events often arrive together (a reply updates the ticket too): refetch once.
  const timer = useRef(null)
  const refetchSoon = () => { clearTimeout(timer.current); timer.current = setTimeout(() => load(true), 150) }
  useEffect(() => () => clearTimeout(timer.current), [])

  const live = useChannel(`user:${user.id}:tickets`, {
    ticket_updated: (ticket) => {
      const row = state.items?.find((t) => t.id === ticket.id)
      const status = FILTERS[filter]
      if (row && ticket.version > row.version && (!status || status.includes(ticket.status))) {
        setState((s) => ({
          ...s,
          items: s.items.map((t) => (t.id === ticket.id && ticket.version > t.version
            ? { ...t, ...ticket, last_activity_at: maxTime(t.last_activity_at, ticket.updated_at) } : t)),
        }))
        // Shown at once; the list is ordered by last activity, which the server orders.
        refetchSoon()
      } else if (!row || ticket.version > row.version) {
        refetchSoon()
      }
    },
    ticket_created: refetchSoon,
    ticket_deleted: (ticket) => setState((s) => ({ ...s, items: s.items?.filter((t) => t.id !== ticket.id) ?? null })),
    // Only public comments reach this topic; a staff reply turns on "Staff replied".
    comment_added: refetchSoon,
  }, () => load(true))

  return html`
    <div class="page-header">
      <h1>My requests</h1>
      <${LiveStatus} status=${live} />
      <div class="actions">
        <label class="inline filter">
          <span>Show</span>
          <select value=${filter} onChange=${(e) => setFilter(e.target.value)} aria-label="Show requests">
            <option value="all">All requests</option>
            <option value="active">Not yet resolved</option>
            ${STATUSES.map((s) => html`<option value=${s}>${label(s)}</option>`)}
          </select>
        </label>
        <a class="button primary" href="#/requests/new">New request</a>
      </div>
    </div>
    ${state.error && html`<${ErrorNotice} error=${state.error} onRetry=${() => load(true)} />`}
    ${state.items === null ? (!state.error && html`<${Loading} label="Loading your requests…" />`)
      : state.items.length === 0 ? html`<${EmptyRequests} filtered=${filter !== 'all'} />`
        : html`
          <ul class="request-list" aria-label="My requests" aria-busy=${state.loading}>
            ${state.items.map((t) => html`<${RequestRow} key=${t.id} ticket=${t} />`)}
          </ul>
          ${state.next && html`
            <div class="actions requests-more">
              <button type="button" onClick=${loadMore} disabled=${state.more}>${state.more ? 'Loading…' : 'Load more'}</button>
            </div>`}`}`
}

function EmptyRequests({ filtered }) {
  return html`<${Empty}>
    ${filtered ? 'No requests with this status.' : html`
      <strong>You have not submitted any request yet.</strong><br />
      Ask a question or report a problem: <a href="#/requests/new">submit your first request</a>.`}
  </${Empty}>`
}

function RequestRow({ ticket }) {
  return html`
    <li class=${`request-row${ticket.staff_replied ? ' replied' : ''}`}>
      <a class="request-link" href=${`#/requests/${ticket.id}`}>
        <span class="request-subject">${ticket.subject}</span>
        <span class="request-meta muted">
          <span>${ticket.organization_name ?? 'Organization'}</span>
          <span aria-hidden="true"> · </span>
          <span>#${ticket.number}</span>
        </span>
      </a>
      <span class="request-badges">
        ${ticket.staff_replied && html`<span class="badge staff-replied">Staff replied</span>`}
        <${StatusBadge} status=${ticket.status} />
        <${PriorityBadge} priority=${ticket.priority} />
      </span>
      <span class="request-activity muted">Last activity <${Age} iso=${ticket.last_activity_at} /></span>
    </li>`
}

function maxTime(a, b) {
  return new Date(a) > new Date(b) ? a : b
}
