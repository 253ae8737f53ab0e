// One ticket as staff work it (getTicket): header, description and files, the conversation and
// comment form, assignment and status, linked articles and the history. Changes show at once
// and roll back, visibly, when the server refuses them; events for this ticket on the org's
// topic refetch it (history is not broadcast).
import { useCallback, useEffect, useState } from 'preact/hooks'
import { action } from '../api.js'
import { useChannel } from '../live.js'
import { navigate } from '../router.js'
import { useMembership, useSession } from '../session.js'
import { Age, ErrorNotice, html, LiveStatus, Loading, notify, PriorityBadge, StatusBadge, useLoad } from '../ui.js'
import { LinkedArticles } from './articles.js'
import { AssignmentPanel, StatusPanel } from './assignment.js'
import { AttachmentList } from '../attachments.js'
import { Conversation } from './conversation.js'
import { loadDirectory, usePeople } from './directory.js'
import { History } from './history.js'
import { NotStaff } from './not-staff.js'
import { EditTicketDialog } from './ticket-dialog.js'

/** Staff of `orgId` only: anyone else gets one message, and the page asks the API nothing. */
export function StaffTicket({ orgId, ticketId }) {
  const membership = useMembership(orgId)
  if (!membership) return html`<${NotStaff} ticketId=${ticketId} />`
  return html`<${TicketScreen} orgId=${orgId} ticketId=${ticketId} />`
}

function TicketScreen({ orgId, ticketId }) {
  const { organizations, user } = useSession()
  const detail = useLoad(() => action('getTicket', { ticket_id: ticketId }), [ticketId])
  const directory = useLoad(() => loadDirectory(orgId), [orgId])
  const [pending, setPending] = useState({}) // fields changed on screen, not yet answered
  const [refusal, setRefusal] = useState(null) // the last rolled-back change: {fields, what, error}
  const [editing, setEditing] = useState(false)
  const data = detail.data
  const name = usePeople(data ? [data.user_id, ...data.comments.map((c) => c.author_id), ...data.events.map((e) => e.actor_id)] : [])

  // A ticket is worked in its handling organization: one reached under another organization's
  // address (a claim, an old link) moves there when the user is staff there too.
  const elsewhere = data && data.handling_org_id !== orgId ? data.handling_org_id : null
  const staffThere = elsewhere && organizations.some((org) => org.id === elsewhere)
  useEffect(() => {
    if (staffThere) navigate(`/org/${elsewhere}/tickets/${ticketId}`)
  }, [staffThere, elsewhere, ticketId])

  const live = useChannel(`org:${orgId}:tickets`, {
    ticket_updated: (t) => { if (t.id === ticketId) detail.reload() },
    comment_added: (c) => { if (c.ticket_id === ticketId) detail.reload() },
    ticket_deleted: (t) => { if (t.id === ticketId) detail.reload() },
  }, () => detail.reload())

  /** Change `fields` of the ticket now, and for good once the server agrees; `what` names the
   * change in the notice when it is refused. */
  const change = useCallback(async (fields, what) => {
    const version = detail.data.version
    setPending((p) => ({ ...p, ...fields }))
    setRefusal(null)
    try {
      const saved = await action('updateTicket', { ticket_id: ticketId, expected_version: version, ...fields })
      detail.setData((d) => (d && d.version < saved.version ? { ...d, ...saved } : d))
    } catch (error) {
      // The value returns: as it was, or as the server says it is now.
      if (error.code === 'version_conflict' && error.details?.current) {
        detail.setData((d) => ({ ...d, ...error.details.current }))
      }
      setRefusal({ fields, what, error })
      notify(`${what} was not saved and was undone: ${error.message}`, 'error', error)
    } finally {
      setPending((p) => Object.fromEntries(Object.entries(p).filter(([k]) => !(k in fields))))
      detail.reload()
    }
  }, [ticketId, detail.data?.version]) // eslint-disable-line react-hooks/exhaustive-deps

  if (elsewhere) {
    if (staffThere) return html`<${Loading} label="Opening the ticket in its organization…" />`
    return html`
      <p class="st-back"><a href=${`#/org/${orgId}/tickets`}>← All tickets</a></p>
      <section class="card st-elsewhere" role="alert">
        <h1>This ticket is not handled here</h1>
        <p>Ticket #${data.number} belongs to ${data.organization?.name ?? 'another organization'}, where you are not on the staff.</p>
        ${data.user_id === user.id
          ? html`<p>You asked for it: <a href=${`#/requests/${ticketId}`}>open it in My requests</a>.</p>`
          : html`<p>Its staff work it there; it is not part of this organization's tickets.</p>`}
      </section>`
  }
  if (detail.error && !data) {
    return html`
      <p><a href=${`#/org/${orgId}/tickets`}>← All tickets</a></p>
      <${ErrorNotice} error=${detail.error} onRetry=${detail.reload} />`
  }
  if (!data) return html`<${Loading} label="Loading the ticket…" />`

  const ticket = { ...data, ...pending }
  const busy = Object.keys(pending).length > 0
  return html`
    <article class="st-ticket">
      <p class="st-back"><a href=${`#/org/${orgId}/tickets`}>← All tickets</a></p>
      <header class="page-header st-ticket-header">
        <h1><span class="st-ticket-number">#${ticket.number}</span> ${ticket.subject}</h1>
        <${LiveStatus} status=${live} />
        <div class="actions">
          <button type="button" onClick=${() => setEditing(true)}>Edit ticket</button>
        </div>
      </header>
      <dl class="st-ticket-facts">
        <div><dt>Status</dt><dd><${StatusBadge} status=${ticket.status} /></dd></div>
        <div><dt>Priority</dt><dd><${PriorityBadge} priority=${ticket.priority} /></dd></div>
        <div><dt>Requester</dt><dd>${data.requester?.display_name ?? name(data.user_id)}</dd></div>
        <div><dt>Organization</dt><dd>${data.organization.name}</dd></div>
        <div><dt>Created</dt><dd><${Age} iso=${ticket.created_at} /></dd></div>
        <div><dt>Version</dt><dd>${ticket.version}</dd></div>
      </dl>
      ${detail.error && html`<${ErrorNotice} error=${detail.error} onRetry=${detail.reload} compact />`}
      ${refusal && html`
        <div class="st-rollback" data-testid="rollback">
          <p class="notice-inline warning">${refusal.what} was undone: the server refused it.</p>
          <${ErrorNotice} error=${refusal.error} compact />
          <div class="actions">
            ${refusal.error.code === 'version_conflict' && html`
              <button type="button" disabled=${busy} onClick=${() => change(refusal.fields, refusal.what)}>
                Apply it to the ticket as it is now
              </button>`}
            <button type="button" class="link" onClick=${() => setRefusal(null)}>Dismiss</button>
          </div>
        </div>`}

      <div class="st-ticket-layout">
        <section class="card st-area-description" aria-labelledby="description-title">
          <h2 id="description-title">Description</h2>
          <p class="st-ticket-description">${ticket.description}</p>
          <${AttachmentList} attachments=${data.attachments} label="Files on the ticket" />
        </section>
        <div class="st-area-conversation">
          <${Conversation} ticket=${data} name=${name} onAdded=${(comment) => {
            detail.setData((d) => (d.comments.some((c) => c.id === comment.id) ? d : { ...d, comments: [...d.comments, comment] }))
            detail.reload()
          }} />
        </div>
        <aside class="stack st-ticket-side st-area-side" aria-label="Ticket settings">
          <${StatusPanel} ticket=${ticket} busy=${busy} onChange=${change} />
          <${AssignmentPanel} ticket=${ticket} directory=${directory} busy=${busy} onChange=${change} />
          <${LinkedArticles} ticket=${data} onLinked=${() => detail.reload()} />
        </aside>
        <div class="st-area-history">
          <${History} events=${data.events} name=${name} />
        </div>
      </div>

      ${editing && html`
        <${EditTicketDialog} ticket=${data} onClose=${() => setEditing(false)}
          onSaved=${(saved) => {
            setEditing(false)
            detail.setData((d) => (d.version <= saved.version ? { ...d, ...saved } : d))
            detail.reload()
          }} />`}
    </article>`
}
