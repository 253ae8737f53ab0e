// Attachments (README: "Attachments"): files chosen for a ticket or a comment, each uploaded
// straight to Storage as soon as it is chosen, so sending only names the ready ones by id (and a
// retried send reuses them); and the files on a ticket or a comment, downloaded through the
// signed URL getAttachmentUrl hands out (valid 5 minutes, so it is asked for at the click).
import { useCallback, useRef, useState } from 'preact/hooks'
import { action, ApiError } from './api.js'
import { supabase } from './config.js'
import { bytes, ErrorNotice, html, notify } from './ui.js'

/**
 * Upload `file` (a File) for ticket `ticketId`: createAttachmentUpload records a pending
 * attachment (with `handlingOrgId` for a ticket still being written, whose id the page reserved),
 * then the bytes go to Storage with the signed upload URL. Returns the attachment record, to name
 * in createTicket's or addComment's `attachment_ids`. Throws ApiError (the limits are 422s).
 */
export async function uploadAttachment(file, { ticketId, handlingOrgId = null }) {
  const answer = await action('createAttachmentUpload', {
    ticket_id: ticketId,
    ...(handlingOrgId ? { handling_org_id: handlingOrgId } : {}),
    file_name: file.name,
    // Browsers leave the type empty for what they cannot name; Storage takes those as
    // application/octet-stream and the server checks the name's extension instead.
    content_type: file.type || 'application/octet-stream',
    size_bytes: file.size,
  })
  const { upload } = answer
  const { error } = await supabase.storage
    .from(upload.bucket_id)
    .uploadToSignedUrl(upload.path, upload.token, file)
  if (error) throw new ApiError({ status: error.statusCode ?? 0, code: 'upload_failed', message: error.message })
  return answer.attachment
}

export function AttachmentList({ attachments, label }) {
  if (!attachments?.length) return null
  return html`
    <ul class="attachments" aria-label=${label}>
      ${attachments.map((a) => html`<${Attachment} key=${a.id} attachment=${a} />`)}
    </ul>`
}

/** The file's extension as a small tag (no icon font or emoji: they depend on the device). */
export function FileType({ name }) {
  const extension = /\.([a-z0-9]{1,5})$/i.exec(name)?.[1] ?? 'file'
  return html`<span class="file-type" aria-hidden="true">${extension.toUpperCase()}</span>`
}

function Attachment({ attachment }) {
  const [busy, setBusy] = useState(false)
  const download = async () => {
    setBusy(true)
    try {
      const answer = await action('getAttachmentUrl', { attachment_id: attachment.id })
      // The signed URL answers with Content-Disposition: attachment, so the page stays.
      window.location.assign(answer.url)
    } catch (error) {
      notify(`"${attachment.file_name}" could not be downloaded: ${error.message}`, 'error', error)
    } finally {
      setBusy(false)
    }
  }
  return html`
    <li class="attachment">
      <${FileType} name=${attachment.file_name} />
      <button type="button" class="link" onClick=${download} disabled=${busy}
        aria-label=${`Download ${attachment.file_name}`}>${attachment.file_name}</button>
      <span class="muted">${bytes(attachment.size_bytes)}</span>
    </li>`
}

let nextKey = 1
// Files per ticket or comment: createTicket and addComment refuse more (README: "Attachments").
export const MAX_FILES = 10

/**
 * Uploads for `ticketId` (and `handlingOrgId` while the ticket is being written). Each item is
 * {key, file, state: 'uploading'|'done'|'error', attachment, error}.
 */
export function useUploads(ticketId, handlingOrgId = null) {
  const [items, setItems] = useState([])
  // An upload still running when its item is removed is removed on the server once it lands.
  const dropped = useRef(new Set())
  const update = (key, change) => setItems((list) => list.map((i) => (i.key === key ? { ...i, ...change } : i)))

  const upload = useCallback(async (key, file) => {
    try {
      const attachment = await uploadAttachment(file, { ticketId, handlingOrgId })
      if (dropped.current.has(key)) {
        action('removeAttachment', { attachment_id: attachment.id }).catch(() => {})
        return
      }
      update(key, { state: 'done', attachment })
    } catch (error) {
      update(key, { state: 'error', error })
    }
  }, [ticketId, handlingOrgId])

  const add = useCallback((fileList) => {
    const chosen = [...fileList]
    const room = Math.max(0, MAX_FILES - items.length)
    if (chosen.length > room) {
      // Uploading them would only leave pending files that count against the user's limits.
      notify(`At most ${MAX_FILES} files per message: ${chosen.length - room} not added.`, 'error')
    }
    const added = chosen.slice(0, room).map((file) => ({ key: nextKey++, file, state: 'uploading', attachment: null, error: null }))
    setItems((list) => [...list, ...added])
    added.forEach((item) => upload(item.key, item.file))
  }, [upload, items.length])

  /** Take a file off the draft; an uploaded one is removed on the server too (still pending). */
  const remove = useCallback((item) => {
    setItems((list) => list.filter((i) => i.key !== item.key))
    if (item.state === 'uploading') dropped.current.add(item.key)
    if (item.state === 'done') action('removeAttachment', { attachment_id: item.attachment.id }).catch(() => {})
  }, [])

  /** Forget every file: `discard` also removes the uploaded ones on the server. */
  const reset = useCallback((discard = false) => {
    setItems((list) => {
      for (const item of list) {
        if (item.state === 'uploading') dropped.current.add(item.key)
        if (discard && item.state === 'done') action('removeAttachment', { attachment_id: item.attachment.id }).catch(() => {})
      }
      return []
    })
  }, [])

  const ids = items.filter((i) => i.state === 'done').map((i) => i.attachment.id)
  const uploading = items.some((i) => i.state === 'uploading')
  const failed = items.some((i) => i.state === 'error')
  return { items, add, remove, reset, ids, uploading, failed }
}

/** The file picker and the list of chosen files with their progress. */
export function AttachmentsInput({ uploads, label = 'Attach files', disabled = false }) {
  const onChange = (e) => {
    uploads.add(e.target.files)
    e.target.value = '' // the same file can be chosen again after removing it
  }
  return html`
    <div class="attachments-input">
      <label class="file-pick">
        <span>${label}</span>
        <input type="file" multiple disabled=${disabled} onChange=${onChange} />
      </label>
      ${uploads.items.length > 0 && html`
        <ul class="upload-list" aria-label="Chosen files">
          ${uploads.items.map((item) => html`
            <li key=${item.key} class=${`upload ${item.state}`}>
              <span class="upload-name">${item.file.name}</span>
              <span class="upload-size muted">${bytes(item.file.size)}</span>
              <span class="upload-state" role="status">${
                item.state === 'uploading' ? 'Uploading…' : item.state === 'done' ? 'Uploaded' : 'Failed'}</span>
              <button type="button" class="link" onClick=${() => uploads.remove(item)}
                aria-label=${`Remove ${item.file.name}`}>Remove</button>
              ${item.error && html`<div class="upload-error"><${ErrorNotice} error=${item.error} compact /></div>`}
            </li>`)}
        </ul>`}
    </div>`
}
