// The conversation of a request as its requester sees it (public comments only: internal notes
// never reach requesters, by the API), and the reply form, which shows a reply at once and takes
// it back, visibly, when the server refuses it.
import { useRef, useState } from 'preact/hooks'
import { action } from '../api.js'
import { ErrorNotice, html, notify } from '../ui.js'
import { AttachmentList, AttachmentsInput, useUploads } from '../attachments.js'

// The API's limit for comments (bff/actions/_fields.py Body): counted near it, refused by the server.
const BODY_MAX = 10000

/** Who wrote a comment, as a requester can tell: me, the assignee by name, or the support team
 * (only staff and the requester can comment on a ticket). */
function author(comment, ticket, me) {
  if (comment.author_id === me) return { mine: true, name: 'You' }
  if (comment.author_id && comment.author_id === ticket.assignee?.id) {
    return { mine: false, name: ticket.assignee.display_name ?? 'Support agent', org: ticket.organization.name }
  }
  return { mine: false, name: 'Support team', org: ticket.organization.name }
}

export function Conversation({ ticket, pending, me }) {
  const comments = [...ticket.comments, ...pending.filter((p) => !ticket.comments.some((c) => c.id === p.id))]
  return html`
    <section class="conversation" aria-labelledby="conversation-title">
      <h2 id="conversation-title">Conversation</h2>
      ${comments.length === 0
        ? html`<p class="muted state">No replies yet. The support team's answer will appear here, live.</p>`
        : html`
          <ol class="comments">
            ${comments.map((c) => html`<${Comment} key=${c.id} comment=${c} who=${author(c, ticket, me)} />`)}
          </ol>`}
    </section>`
}

function Comment({ comment, who }) {
  return html`
    <li class=${`comment ${who.mine ? 'mine' : 'staff'}${comment.sending ? ' sending' : ''}${comment.is_internal ? ' internal' : ''}`}>
      <div class="comment-header">
        <strong class="comment-author">${who.name}</strong>
        ${!who.mine && html`<span class="badge staff-badge" title=${who.org}>Staff</span>`}
        ${comment.is_internal && html`<span class="badge internal-badge">Internal note</span>`}
        <span class="muted comment-time">
          ${comment.sending ? html`<span role="status">Sending…</span>` : html`<${When} iso=${comment.created_at} />`}
        </span>
      </div>
      <p class="comment-body">${comment.body}</p>
      ${comment.sending
        ? comment.files.length > 0 && html`<ul class="attachments">${comment.files.map((name) => html`<li class="muted">${name}</li>`)}</ul>`
        : html`<${AttachmentList} attachments=${comment.attachments} />`}
    </li>`
}

/** The reply form. `onSending(comment)` shows the reply at once; `onSent(temp, comment)` or
 * `onRefused(temp)` settles it. */
export function ReplyForm({ ticket, me, onSending, onSent, onRefused }) {
  const [body, setBody] = useState('')
  const [error, setError] = useState(null)
  const uploads = useUploads(ticket.id)
  const closed = ticket.status === 'closed'
  // A send in progress: two submits in one tick (a double press, Enter and a click) both see the
  // button still enabled and the old `body`, so only a ref set synchronously stops the second.
  const sending = useRef(false)
  const [busy, setBusy] = useState(false)

  const submit = async (e) => {
    e.preventDefault()
    if (sending.current || !body.trim() || uploads.uploading) return
    sending.current = true
    setBusy(true)
    const sent = body
    const ids = uploads.ids
    const temp = {
      id: `sending-${crypto.randomUUID()}`, ticket_id: ticket.id, author_id: me, body: sent.trim(),
      is_internal: false, created_at: new Date().toISOString(), attachments: [], sending: true,
      files: uploads.items.filter((i) => i.state === 'done').map((i) => i.file.name),
    }
    onSending(temp)
    setBody('')
    setError(null)
    try {
      const comment = await action('addComment', { ticket_id: ticket.id, body: sent, ...(ids.length ? { attachment_ids: ids } : {}) })
      uploads.reset()
      onSent(temp, comment)
    } catch (failure) {
      // Taken back: the reply leaves the conversation and returns to the box, with the reason.
      onRefused(temp)
      setBody((now) => (now.trim() ? now : sent))
      setError(failure)
      notify('Your reply was not sent.', 'error', failure)
    } finally {
      sending.current = false
      setBusy(false)
    }
  }

  return html`
    <form class="card reply-form stack" onSubmit=${submit} aria-labelledby="reply-title">
      <h2 id="reply-title">Reply</h2>
      ${closed && html`<p class="notice-inline info">This request is closed. Reopen it (under Details) if the problem is back, or reply to add a note.</p>`}
      <div class="field">
        <label for="reply-body">Your reply</label>
        <textarea id="reply-body" value=${body} rows="4" onInput=${(e) => setBody(e.target.value)}
          placeholder="Add details or answer the support team's questions."></textarea>
        ${body.length > BODY_MAX - 1000 && html`
          <p class=${`field-hint${body.length > BODY_MAX ? ' over' : ''}`}>${body.length} / ${BODY_MAX} characters</p>`}
      </div>
      <${AttachmentsInput} uploads=${uploads} />
      ${error && html`<div class="reply-refused"><p class="refused-title">Your reply was not sent.</p><${ErrorNotice} error=${error} /></div>`}
      <div class="actions">
        <button type="submit" class="primary" disabled=${busy || !body.trim() || uploads.uploading}>Send reply</button>
        ${uploads.uploading && html`<span class="muted" role="status">Waiting for the files to upload…</span>`}
      </div>
    </form>`
}

/** A moment as a date and time in the reader's locale. */
export function When({ iso }) {
  const date = new Date(iso)
  return html`<time datetime=${iso}>${date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}</time>`
}
