// The conversation on a ticket: public comments and internal notes (set apart: another
// background and an "Internal note" label), and the form to reply or leave a note with files.
// A comment shows at once while it is sent; if it is refused it leaves the list, its text and
// files return to the form, and a notice says why.
import { useRef, useState } from 'preact/hooks'
import { action } from '../api.js'
import { Age, bytes, Empty, ErrorNotice, html, notify } from '../ui.js'
import { AttachmentList, FileType, uploadAttachment } from '../attachments.js'

export function Conversation({ ticket, name, onAdded }) {
  const [sending, setSending] = useState([]) // comments shown before the server answered
  const comments = [...ticket.comments, ...sending]
  return html`
    <section class="card st-conversation" aria-labelledby="conversation-title">
      <h2 id="conversation-title">Conversation</h2>
      ${comments.length === 0
        ? html`<${Empty}>No comments yet. Reply to the requester or leave an internal note below.</${Empty}>`
        : html`
          <ol class="st-comments" aria-label="Comments">
            ${comments.map((c) => html`<${Comment} key=${c.id} comment=${c} name=${name} requesterId=${ticket.user_id} />`)}
          </ol>`}
      <${CommentForm} ticketId=${ticket.id} setSending=${setSending} onAdded=${onAdded} />
    </section>`
}

function Comment({ comment, name, requesterId }) {
  const kind = comment.is_internal ? 'internal' : 'public'
  return html`
    <li class=${`st-comment st-${kind}${comment.sending ? ' st-sending' : ''}`} data-comment-id=${comment.id}>
      <header class="st-comment-header">
        <strong>${comment.sending ? 'You' : name(comment.author_id) ?? 'Deleted user'}</strong>
        ${!comment.sending && comment.author_id === requesterId && html`<span class="badge st-requester-label">Requester</span>`}
        ${comment.is_internal && html`<span class="badge st-internal-label">Internal note</span>`}
        <span class="muted">${comment.sending ? 'Sending…' : html`<${Age} iso=${comment.created_at} />`}</span>
      </header>
      <p class="st-comment-body">${comment.body}</p>
      ${comment.sending && comment.files.length > 0 && html`
        <ul class="attachments" aria-label="Files being sent">
          ${comment.files.map((f) => html`<li class="attachment muted"><${FileType} name=${f.name} /> ${f.name} · ${bytes(f.size)}</li>`)}
        </ul>`}
      <${AttachmentList} attachments=${comment.attachments} label=${`Files on this ${comment.is_internal ? 'note' : 'comment'}`} />
    </li>`
}

let nextTemporary = 1

function CommentForm({ ticketId, setSending, onAdded }) {
  const [body, setBody] = useState('')
  const [internal, setInternal] = useState(false)
  const [files, setFiles] = useState([])
  const [error, setError] = useState(null)
  const fileInput = useRef(null)

  const submit = async (e) => {
    e.preventDefault()
    if (!body.trim()) return
    const draft = { body, internal, files }
    const temporary = {
      id: `sending-${nextTemporary++}`, body, is_internal: internal, files, attachments: [], sending: true,
    }
    setSending((list) => [...list, temporary])
    setBody('')
    setFiles([])
    setError(null)
    if (fileInput.current) fileInput.current.value = ''
    try {
      const attachmentIds = []
      for (const file of draft.files) {
        attachmentIds.push((await uploadAttachment(file, { ticketId })).id)
      }
      const comment = await action('addComment', {
        ticket_id: ticketId, body: draft.body, is_internal: draft.internal,
        ...(attachmentIds.length ? { attachment_ids: attachmentIds } : {}),
      })
      onAdded(comment)
    } catch (err) {
      // Undo: the text and files come back to the form (unless something new was typed).
      setBody((now) => (now ? now : draft.body))
      setInternal(draft.internal)
      setFiles((now) => (now.length ? now : draft.files))
      setError(err)
      notify(`Your ${draft.internal ? 'internal note' : 'comment'} was not added: ${err.message}`, 'error', err)
    } finally {
      setSending((list) => list.filter((c) => c.id !== temporary.id))
    }
  }

  return html`
    <form class=${`st-comment-form${internal ? ' st-internal' : ''}`} onSubmit=${submit}>
      <label>${internal ? 'Internal note' : 'Reply'}
        <textarea rows="4" value=${body} onInput=${(e) => setBody(e.target.value)}
          onKeyDown=${(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e) }}
          placeholder=${internal ? 'Only staff see internal notes.' : 'The requester sees this reply.'}></textarea>
      </label>
      <div class="st-comment-form-options">
        <label class="inline">
          <input type="checkbox" checked=${internal} onChange=${(e) => setInternal(e.target.checked)} />
          Internal note (staff only)
        </label>
        <label class="st-file-picker">Attach files
          <input type="file" multiple ref=${fileInput}
            onChange=${(e) => { setFiles([...files, ...e.target.files]); e.target.value = '' }} />
        </label>
      </div>
      ${files.length > 0 && html`
        <ul class="attachments st-chosen-files" aria-label="Files to send">
          ${files.map((f, i) => html`
            <li class="attachment">
              <${FileType} name=${f.name} /> ${f.name} <span class="muted">${bytes(f.size)}</span>
              <button type="button" class="link" aria-label=${`Remove ${f.name}`}
                onClick=${() => setFiles(files.filter((_, j) => j !== i))}>Remove</button>
            </li>`)}
        </ul>`}
      <${ErrorNotice} error=${error} compact />
      <div class="actions end">
        <span class="muted st-hint">Ctrl+Enter sends</span>
        <button type="submit" class="primary" disabled=${!body.trim()}>
          ${internal ? 'Add internal note' : 'Send reply'}
        </button>
      </div>
    </form>`
}
