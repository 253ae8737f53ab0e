// The conversation on a ticket: public comments and internal notes (set apart: another
// background and an "Internal note" label), and the form to reply or leave a note with files.
// A comment shows at once while it is sent. A message is its text, whether it is internal and
// its files, always together: a refused one comes back to the form as a whole when the form is
// still empty, and otherwise waits beside it (what was typed since stays as it is), so a note is
// never sent as a public reply by mistake.
import { useRef, useState } from 'preact/hooks'
import { action } from '../api.js'
import { Age, bytes, Empty, ErrorNotice, html, notify } from '../ui.js'
import { AttachmentList, AttachmentsInput, FileType, useUploads } from '../attachments.js'

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
          ${comment.files.map((f) => html`<li class="attachment muted"><${FileType} name=${f.name} /> <span class="st-file-name">${f.name}</span> · ${bytes(f.size)}</li>`)}
        </ul>`}
      <${AttachmentList} attachments=${comment.attachments} label=${`Files on this ${comment.is_internal ? 'note' : 'comment'}`} />
    </li>`
}

const kindOf = (internal) => (internal ? 'internal note' : 'reply to the requester')

let nextTemporary = 1

function CommentForm({ ticketId, setSending, onAdded }) {
  const [body, setBody] = useState('')
  const [internal, setInternal] = useState(false)
  const [error, setError] = useState(null)
  // A refused message kept apart because something new was typed meanwhile:
  // {body, internal, withFiles, error}. The files chosen are its files until it is settled.
  const [held, setHeld] = useState(null)
  const [inFlight, setInFlight] = useState(false)
  // One send at a time: state is a render late, two submits in one tick would both pass it.
  const sendingNow = useRef(false)
  const box = useRef({ body, internal })
  box.current = { body, internal }
  const uploads = useUploads(ticketId)
  const filesNotReady = uploads.uploading || uploads.failed

  /** Send `draft` ({body, internal}); `fromBox`: it is what the form holds, else the held one. */
  const send = async (draft, fromBox) => {
    if (sendingNow.current || !draft.body.trim() || (fromBox && held)) return
    const withFiles = fromBox || held.withFiles
    if (withFiles && filesNotReady) return
    sendingNow.current = true
    setInFlight(true)
    const ids = withFiles ? uploads.ids : []
    const temporary = {
      id: `sending-${nextTemporary++}`, body: draft.body, is_internal: draft.internal, attachments: [], sending: true,
      files: withFiles ? uploads.items.filter((i) => i.state === 'done').map((i) => i.file) : [],
    }
    setSending((list) => [...list, temporary])
    if (fromBox) setBody('')
    else setHeld(null)
    setError(null)
    try {
      const comment = await action('addComment', {
        ticket_id: ticketId, body: draft.body, is_internal: draft.internal,
        ...(ids.length ? { attachment_ids: ids } : {}),
      })
      if (ids.length) uploads.reset() // attached now: nothing to remove
      onAdded(comment)
    } catch (err) {
      notify(`Your ${kindOf(draft.internal)} was not added: ${err.message}`, 'error', err)
      if (!box.current.body.trim()) {
        // Nothing new typed: the message returns to the form as a whole (text, visibility,
        // files), ready to be sent again.
        setBody(draft.body)
        setInternal(draft.internal)
        setError(err)
      } else {
        // The form holds something new: it stays as it is, and the refused message waits.
        setHeld({ body: draft.body, internal: draft.internal, withFiles: ids.length > 0, error: err })
      }
    } finally {
      sendingNow.current = false
      setInFlight(false)
      setSending((list) => list.filter((c) => c.id !== temporary.id))
    }
  }

  const submit = (e) => {
    e.preventDefault()
    send({ body, internal }, true)
  }

  const putBack = () => {
    setBody(held.body)
    setInternal(held.internal)
    setError(held.error)
    setHeld(null)
  }
  const discard = () => {
    if (held.withFiles) uploads.reset(true)
    setHeld(null)
  }

  const files = html`
    <fieldset class="st-files" disabled=${inFlight}>
      <legend class="visually-hidden">Files</legend>
      <${AttachmentsInput} uploads=${uploads} label="Attach files" disabled=${inFlight} />
    </fieldset>`
  const blocked = inFlight || !!held || filesNotReady
  return html`
    ${held && html`
      <div class=${`st-held st-${held.internal ? 'internal' : 'public'}`} role="group" aria-label="Message not sent">
        <p class="st-held-title"><strong>Your ${kindOf(held.internal)} was not sent.</strong>
          ${held.internal ? ' Only staff would see it.' : ' The requester would see it.'}</p>
        <blockquote class="st-held-body">${held.body}</blockquote>
        <${ErrorNotice} error=${held.error} compact />
        ${held.withFiles && files}
        <div class="actions">
          <button type="button" disabled=${inFlight || (held.withFiles && filesNotReady)} onClick=${() => send(held, false)}>
            ${held.internal ? 'Add this internal note again' : 'Send this reply again'}
          </button>
          ${!body.trim() && html`<button type="button" onClick=${putBack}>Put it back in the form</button>`}
          <button type="button" class="link" onClick=${discard}>Discard it</button>
        </div>
      </div>`}
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
      </div>
      ${held?.withFiles
        ? html`<p class="muted st-files-held">The files chosen belong to the message that was not sent, above.</p>`
        : files}
      <${ErrorNotice} error=${error} compact />
      <div class="actions end st-send-row">
        <p class=${`st-audience st-audience-${internal ? 'internal' : 'public'}`} data-testid="audience">
          ${internal ? 'Internal note: only staff will see it' : 'Public reply: the requester will see it'}
        </p>
        ${held && html`<span class="muted">Send or discard the message that was not sent first.</span>`}
        ${!held && uploads.uploading && html`<span class="muted" role="status">Waiting for the files to upload…</span>`}
        ${!held && uploads.failed && html`<span class="muted">A file failed to upload: remove it to send.</span>`}
        <span class="muted st-hint">Ctrl+Enter sends</span>
        <button type="submit" class="primary" disabled=${!body.trim() || blocked}>
          ${inFlight ? 'Sending…' : internal ? 'Add internal note' : 'Send reply'}
        </button>
      </div>
    </form>`
}
