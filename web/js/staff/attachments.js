// Files on a ticket or a comment: name, size, and a download through a signed URL that
// getAttachmentUrl hands out (valid 5 minutes, so it is asked for at the click, not before).
import { useState } from 'preact/hooks'
import { action } from '../api.js'
import { bytes, html, notify } from '../ui.js'

export function AttachmentList({ attachments, label }) {
  if (!attachments?.length) return null
  return html`
    <ul class="st-attachments" aria-label=${label}>
      ${attachments.map((a) => html`<${Attachment} key=${a.id} attachment=${a} />`)}
    </ul>`
}

/** The file's extension as a small tag (no icon font or emoji: they depend on the device). */
export function FileType({ name }) {
  const extension = /\.([a-z0-9]{1,5})$/i.exec(name)?.[1] ?? 'file'
  return html`<span class="st-file-type" aria-hidden="true">${extension.toUpperCase()}</span>`
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
    <li class="st-attachment">
      <${FileType} name=${attachment.file_name} />
      <button type="button" class="link" onClick=${download} disabled=${busy}
        aria-label=${`Download ${attachment.file_name}`}>${attachment.file_name}</button>
      <span class="muted">${bytes(attachment.size_bytes)}</span>
    </li>`
}
