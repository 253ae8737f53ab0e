// New request: the organization (only those the API says I may submit to), subject, description,
// priority, files uploaded as they are chosen, and knowledge-base suggestions while typing.
import { useMemo, useState } from 'preact/hooks'
import { action } from '../api.js'
import { navigate } from '../router.js'
import { Empty, ErrorNotice, html, label, Loading, notify, PRIORITIES, useLoad } from '../ui.js'
import { AttachmentsInput, useUploads } from '../attachments.js'
import { Suggestions, useSuggestions } from './suggestions.js'

// The API's limit (bff/actions/_fields.py Subject). Shown as a counter, not enforced by the form:
// the server is the one that refuses, and its message is shown.
const SUBJECT_MAX = 200
const DESCRIPTION_MAX = 10000

/** A draft's identity: the ticket id its files are uploaded for, and the Idempotency-Key that
 * makes a retried submit return the first ticket instead of a second one. */
const newDraft = () => ({ ticketId: crypto.randomUUID(), idempotencyKey: crypto.randomUUID() })

export function NewRequest() {
  const orgs = useLoad(() => action('listSubmittableOrganizations'), [])
  return html`
    <div class="page-header">
      <h1>New request</h1>
      <div class="actions"><a href="#/requests">Back to my requests</a></div>
    </div>
    ${orgs.error ? html`<${ErrorNotice} error=${orgs.error} onRetry=${orgs.reload} />`
      : !orgs.data ? html`<${Loading} label="Loading the organizations you can contact…" />`
        : orgs.data.items.length === 0
          ? html`<${Empty}>There is no organization you can submit a request to yet. An organization's support team can invite you.</${Empty}>`
          : html`<${RequestForm} organizations=${orgs.data.items} />`}`
}

function RequestForm({ organizations }) {
  const [orgId, setOrgId] = useState(organizations.length === 1 ? organizations[0].id : '')
  const [subject, setSubject] = useState('')
  const [description, setDescription] = useState('')
  const [priority, setPriority] = useState('medium')
  const [draft, setDraft] = useState(newDraft)
  const [notice, setNotice] = useState(null)
  const [error, setError] = useState(null)
  const [submitting, setSubmitting] = useState(false)
  const uploads = useUploads(draft.ticketId, orgId || null)
  const suggestions = useSuggestions(orgId, subject, description)
  const org = useMemo(() => organizations.find((o) => o.id === orgId), [organizations, orgId])

  const changeOrg = (next) => {
    // Files are uploaded for one organization's ticket: they cannot follow the request elsewhere.
    // Start a new draft (new ticket id) and say what happened to them.
    if (uploads.items.length > 0) {
      const before = organizations.find((o) => o.id === orgId)?.name ?? 'the other organization'
      uploads.reset(true)
      setNotice(`Your files were removed: they had been uploaded for ${before}. Attach them again for this organization.`)
    } else {
      setNotice(null)
    }
    setDraft(newDraft())
    setOrgId(next)
    setError(null)
  }

  const submit = async (e) => {
    e.preventDefault()
    if (submitting || uploads.uploading) return
    setSubmitting(true)
    setError(null)
    try {
      const ticket = await action('createTicket', {
        handling_org_id: orgId,
        subject,
        description,
        priority,
        ticket_id: draft.ticketId,
        ...(uploads.ids.length ? { attachment_ids: uploads.ids } : {}),
        ...(suggestions.shown.length ? { suggested_article_ids: suggestions.shown } : {}),
      }, { idempotencyKey: draft.idempotencyKey })
      notify(`Request #${ticket.number} submitted.`, 'success')
      navigate(`/requests/${ticket.id}`)
    } catch (failure) {
      setError(failure)
      setSubmitting(false)
    }
  }

  const fieldError = (name) => error?.details?.fields?.filter((f) => f.path[0] === name).map((f) => f.message).join('; ')
  const subjectError = fieldError('subject')
  const descriptionError = fieldError('description')

  return html`
    <div class="grid two new-request">
      <form class="card stack request-form" onSubmit=${submit} aria-describedby=${error ? 'submit-error' : undefined}>
        <label>
          Organization
          <select value=${orgId} required onChange=${(e) => changeOrg(e.target.value)}>
            ${!orgId && html`<option value="">Choose an organization</option>`}
            ${organizations.map((o) => html`<option value=${o.id}>${o.name}</option>`)}
          </select>
        </label>
        ${notice && html`<p class="notice-inline warning" role="status">${notice}</p>`}
        <div class="field">
          <label for="request-subject">Subject</label>
          <input id="request-subject" value=${subject} required autocomplete="off" aria-invalid=${!!subjectError}
            aria-describedby=${subjectError ? 'subject-count subject-error' : 'subject-count'}
            onInput=${(e) => setSubject(e.target.value)} />
          <p id="subject-count" class=${`field-hint${subject.length > SUBJECT_MAX ? ' over' : ''}`}>
            ${subject.length} / ${SUBJECT_MAX} characters
          </p>
          ${subjectError && html`<p id="subject-error" class="field-error">${subjectError}</p>`}
        </div>
        <div class="field">
          <label for="request-description">Description</label>
          <textarea id="request-description" value=${description} required rows="7" aria-invalid=${!!descriptionError}
            aria-describedby=${descriptionError ? 'description-error' : undefined}
            onInput=${(e) => setDescription(e.target.value)}
            placeholder="What happened, what you expected, and what you already tried."></textarea>
          ${description.length > DESCRIPTION_MAX - 1000 && html`
            <p class=${`field-hint${description.length > DESCRIPTION_MAX ? ' over' : ''}`}>${description.length} / ${DESCRIPTION_MAX} characters</p>`}
          ${descriptionError && html`<p id="description-error" class="field-error">${descriptionError}</p>`}
        </div>
        ${orgId && html`<${Suggestions} suggestions=${suggestions} subject=${subject} place="inline" />`}
        <label>
          Priority
          <select value=${priority} onChange=${(e) => setPriority(e.target.value)}>
            ${PRIORITIES.map((p) => html`<option value=${p}>${label(p)}</option>`)}
          </select>
        </label>
        ${org ? html`<${AttachmentsInput} uploads=${uploads} disabled=${submitting} />`
          : html`<p class="muted">Choose an organization to attach files.</p>`}
        <div id="submit-error"><${ErrorNotice} error=${error} /></div>
        <div class="actions">
          <button type="submit" class="primary" disabled=${submitting || uploads.uploading || !orgId}>
            ${submitting ? 'Submitting…' : 'Submit request'}
          </button>
          ${uploads.uploading && html`<span class="muted" role="status">Waiting for the files to upload…</span>`}
          ${uploads.failed && !uploads.uploading && html`<span class="muted">Files that failed are not sent: remove them or choose them again.</span>`}
        </div>
      </form>
      ${orgId ? html`<${Suggestions} suggestions=${suggestions} subject=${subject} place="side" />`
        : html`<aside class="card suggestions suggestions-side"><h2>Suggested articles</h2><p class="muted">Choose an organization to see its articles.</p></aside>`}
    </div>`
}
