// Files chosen for a ticket or a reply: each is uploaded as soon as it is chosen (README:
// "Attachments"), so submitting only names the ready ones by id. Shared by the new-request form
// (a ticket still being written: `handlingOrgId` given) and the reply form (ticket_id only).
import { useCallback, useRef, useState } from 'preact/hooks'
import { action } from '../api.js'
import { uploadAttachment } from '../attachments.js'
import { bytes, ErrorNotice, html } from '../ui.js'

let nextKey = 1

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
    const added = [...fileList].map((file) => ({ key: nextKey++, file, state: 'uploading', attachment: null, error: null }))
    setItems((list) => [...list, ...added])
    added.forEach((item) => upload(item.key, item.file))
  }, [upload])

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
