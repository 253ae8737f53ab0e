// Attachments (README: "Attachments"): uploading a file straight to Storage, and the files on a
// ticket or a comment with a download through the signed URL getAttachmentUrl hands out (valid
// 5 minutes, so it is asked for at the click, not before).
import { useState } from 'preact/hooks'
import { action, ApiError } from './api.js'
import { supabase } from './config.js'
import { bytes, html, notify } from './ui.js'

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
