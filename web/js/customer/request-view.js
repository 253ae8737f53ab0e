// One of my requests: what I wrote, the public conversation, its files and history, and a reply
// form. Opening it tells the API I have seen it (clearing "Staff replied"); staff replies and
// changes arrive live on my topic, and the ticket is read again without touching the reply box.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { action } from '../api.js'
import { useChannel } from '../live.js'
import { navigate } from '../router.js'
import { useSession } from '../session.js'
import { ErrorNotice, html, label, LiveStatus, Loading, PriorityBadge, StatusBadge, useLoad } from '../ui.js'
import { AttachmentList } from '../attachments.js'
import { Conversation, ReplyForm, When } from './conversation.js'
import { StatusActions } from './status-actions.js'

export function RequestView({ ticketId }) {
  const { user, organizations } = useSession()
  const ticket = useLoad(() => action('getTicket', { ticket_id: ticketId }), [ticketId])
  const [pending, setPending] = useState([])
  // This screen speaks to the ticket's requester ("Your request", "You", "Close request"); staff
  // may read other people's tickets of their organization, and do so in the staff view.
  const mine = ticket.data ? ticket.data.user_id === user.id : null
  const handling = ticket.data && !mine
    ? organizations.find((org) => org.id === ticket.data.handling_org_id) : null
  useEffect(() => {
    if (handling) navigate(`/org/${handling.id}/tickets/${ticketId}`)
  }, [handling, ticketId])

  // Seen: when opened, and again whenever something new arrives while it is open.
  const seen = useCallback(() => { action('markTicketSeen', { ticket_id: ticketId }).catch(() => {}) }, [ticketId])
  useEffect(() => { if (mine) seen() }, [mine, seen])

  const timer = useRef(null)
  const refresh = useCallback(() => {
    clearTimeout(timer.current)
    timer.current = setTimeout(() => { ticket.reload().then(seen) }, 100)
  }, [ticket.reload, seen])
  useEffect(() => () => clearTimeout(timer.current), [])

  const live = useChannel(`user:${user.id}:tickets`, {
    comment_added: (comment) => { if (comment.ticket_id === ticketId) refresh() },
    ticket_updated: (changed) => {
      if (changed.id === ticketId && changed.version > (ticket.data?.version ?? 0)) refresh()
    },
    ticket_deleted: (gone) => { if (gone.id === ticketId) refresh() },
  }, refresh)

  if (ticket.error && !ticket.data) {
    return html`
      <p><a href="#/requests">← My requests</a></p>
      <${ErrorNotice} error=${ticket.error} onRetry=${ticket.reload} />`
  }
  if (!ticket.data) return html`<${Loading} label="Loading your request…" />`
  if (handling) return html`<${Loading} label="Opening the ticket in the staff view…" />`
  if (!mine) return html`<${NotYourRequest} ticket=${ticket.data} />`
  const t = ticket.data

  const onSending = (temp) => setPending((list) => [...list, temp])
  const onSent = (temp, comment) => {
    setPending((list) => list.filter((p) => p.id !== temp.id))
    ticket.setData((d) => (d.comments.some((c) => c.id === comment.id) ? d : { ...d, comments: [...d.comments, comment] }))
    refresh() // the history and the ticket's status move too
  }
  const onRefused = (temp) => setPending((list) => list.filter((p) => p.id !== temp.id))

  return html`
    <p class="back"><a href="#/requests">← My requests</a></p>
    <div class="page-header request-header">
      <h1>${t.subject}</h1>
      <${LiveStatus} status=${live} />
    </div>
    <p class="request-summary">
      <span class="muted">#${t.number} · ${t.organization.name}</span>
      <${StatusBadge} status=${t.status} />
      <${PriorityBadge} priority=${t.priority} />
    </p>
    ${ticket.error && html`<${ErrorNotice} error=${ticket.error} onRetry=${ticket.reload} compact />`}
    <div class="grid two request-view">
      <div class="stack">
        <section class="card original" aria-labelledby="original-title">
          <div class="comment-header">
            <h2 id="original-title">Your request</h2>
            <span class="muted comment-time"><${When} iso=${t.created_at} /></span>
          </div>
          <p class="comment-body">${t.description}</p>
          ${t.attachments.length > 0 && html`
            <h3 class="files-title">Files</h3>
            <${AttachmentList} attachments=${t.attachments} />`}
        </section>
        <${Conversation} ticket=${t} pending=${pending} me=${user.id} />
        <${ReplyForm} ticket=${t} me=${user.id} onSending=${onSending} onSent=${onSent} onRefused=${onRefused} />
      </div>
      <aside class="stack">
        <${Details} ticket=${t}>
          <${StatusActions} ticket=${t} setData=${ticket.setData} reload=${ticket.reload} />
        </${Details}>
        ${t.articles.length > 0 && html`
          <section class="card">
            <h2>Related articles</h2>
            <ul class="plain-list">${t.articles.map((a) => html`<li key=${a.id}>${a.title}</li>`)}</ul>
          </section>`}
        <${History} ticket=${t} me=${user.id} />
      </aside>
    </div>`
}

/** Someone who may read the ticket but did not submit it, and is not staff where it is handled
 * (say, staff of the requester's organization): no requester's screen, no staff screen. */
function NotYourRequest({ ticket }) {
  return html`
    <p class="back"><a href="#/requests">← My requests</a></p>
    <div class="card stack not-yours" role="alert">
      <h1>Not one of your requests</h1>
      <p>Ticket #${ticket.number} at ${ticket.organization?.name ?? 'another organization'} was submitted by
        ${ticket.requester?.display_name ?? 'someone else'}. This page shows your own requests only.</p>
      <p><a href="#/requests">See your requests</a></p>
    </div>`
}

function Details({ ticket, children }) {
  return html`
    <section class="card" aria-labelledby="details-title">
      <h2 id="details-title">Details</h2>
      <dl class="details">
        <dt>Organization</dt><dd>${ticket.organization.name}</dd>
        <dt>Status</dt><dd>${label(ticket.status)}</dd>
        <dt>Priority</dt><dd>${label(ticket.priority)}</dd>
        <dt>Team</dt><dd>${ticket.team?.name ?? html`<span class="muted">Not yet assigned</span>`}</dd>
        <dt>Handled by</dt><dd>${ticket.assignee?.display_name ?? html`<span class="muted">${ticket.assignee ? 'A support agent' : 'Not yet assigned'}</span>`}</dd>
        <dt>Submitted</dt><dd><${When} iso=${ticket.created_at} /></dd>
        ${ticket.resolved_at && html`<dt>Resolved</dt><dd><${When} iso=${ticket.resolved_at} /></dd>`}
      </dl>
      ${children}
    </section>`
}

/** The history the API shows the requester (its public events), oldest first like the
 * conversation, each in words. */
function History({ ticket, me }) {
  const events = ticket.events
  return html`
    <section class="card" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      ${events.length === 0 ? html`<p class="muted">Nothing yet.</p>` : html`
        <ol class="history">
          ${events.map((e) => html`
            <li key=${e.id}>
              <span>${e.actor_id === me ? 'You' : e.actor_id ? 'Support' : 'System'} ${describe(e)}</span>
              <span class="muted history-time"><${When} iso=${e.created_at} /></span>
            </li>`)}
        </ol>`}
    </section>`
}

function describe(event) {
  const from = event.old_value ?? {}
  const to = event.new_value ?? {}
  switch (event.kind) {
    case 'created': return 'submitted the request'
    case 'status_changed': return `changed the status: ${label(from.status)} → ${label(to.status)}`
    case 'priority_changed': return `changed the priority: ${label(from.priority)} → ${label(to.priority)}`
    case 'assignment_changed': return to.team_name ? `passed the request to the ${to.team_name} team` : 'took the request off its team'
    case 'details_changed': return `edited the ${Object.keys(to).join(' and ') || 'details'}`
    case 'comment_added': return 'replied'
    case 'attachment_added': return to.file_name ? `added the file ${to.file_name}` : 'added a file'
    case 'attachment_removed': return 'removed a file'
    default: return label(event.kind)
  }
}
