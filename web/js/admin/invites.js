// Staff invitations of an organization (admins): invite an email address with a role, see every
// invitation with its status, revoke pending ones. Only the invitee's acceptance adds a member.
import { useState } from 'preact/hooks'
import { action } from '../api.js'
import { Empty, ErrorNotice, html, Loading, notify, useLoad } from '../ui.js'
import { Ago, Day } from './common.js'

const STATUS_LABELS = {
  pending: 'Pending', accepted: 'Accepted', declined: 'Declined', revoked: 'Revoked', expired: 'Expired',
}

export function InvitationStatus({ status }) {
  return html`<span class=${`badge invitation-${status}`}>${STATUS_LABELS[status] ?? status}</span>`
}

export function Invitations({ orgId }) {
  const invitations = useLoad(() => action('listInvitations', { org_id: orgId }), [orgId])
  const [revoking, setRevoking] = useState(null)

  const revoke = async (invitation) => {
    setRevoking(invitation.id)
    try {
      const answer = await action('revokeInvitation', { invitation_id: invitation.id })
      invitations.setData((data) => ({ ...data, items: data.items.map((i) => (i.id === answer.id ? answer : i)) }))
      notify(`The invitation to ${invitation.email} was revoked.`, 'success')
    } catch (error) {
      notify(`The invitation to ${invitation.email} was not revoked.`, 'error', error)
      invitations.reload() // it may have been answered meanwhile: show its status now
    } finally {
      setRevoking(null)
    }
  }

  const items = invitations.data?.items
  return html`
    <section class="card admin-section" aria-labelledby="invitations-heading">
      <div class="section-header">
        <h2 id="invitations-heading">Invitations</h2>
        <button type="button" class="link" onClick=${invitations.reload} disabled=${invitations.loading}>Refresh</button>
      </div>
      <${InviteForm} orgId=${orgId} onInvited=${invitations.reload} />
      ${invitations.error && html`<${ErrorNotice} error=${invitations.error} onRetry=${invitations.reload} />`}
      ${!items && !invitations.error && html`<${Loading} label="Loading invitations…" />`}
      ${items?.length === 0 && html`<${Empty}>No invitations yet. Invite someone by email above.</${Empty}>`}
      ${items?.length > 0 && html`
        <ul class="admin-list" aria-label="Invitations">
          ${items.map((invitation) => html`
            <li key=${invitation.id} class="admin-row" data-email=${invitation.email}>
              <div class="admin-row-main">
                <strong class="break">${invitation.email}</strong>
                <div class="muted small">
                  ${invitation.role === 'admin' ? 'Admin' : 'Employee'} · sent <${Ago} iso=${invitation.created_at} />
                  ${invitation.status === 'pending' && html` · expires <${Day} iso=${invitation.expires_at} />`}
                </div>
              </div>
              <${InvitationStatus} status=${invitation.status} />
              ${invitation.status === 'pending' && html`
                <button type="button" class="danger" disabled=${revoking === invitation.id}
                  aria-label=${`Revoke the invitation to ${invitation.email}`}
                  onClick=${() => revoke(invitation)}>${revoking === invitation.id ? 'Revoking…' : 'Revoke'}</button>`}
            </li>`)}
        </ul>`}
    </section>`
}

function InviteForm({ orgId, onInvited }) {
  const [email, setEmail] = useState('')
  const [role, setRole] = useState('employee')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState(null)

  const submit = async (event) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const invitation = await action('inviteMember', { org_id: orgId, email, role })
      notify(`Invitation sent to ${invitation.email}.`, 'success')
      setEmail('')
      onInvited()
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  return html`
    <form class="invite-form" onSubmit=${submit}>
      <label class="grow">Email address
        <input type="email" required value=${email} autocomplete="off"
          onInput=${(e) => setEmail(e.target.value)} />
      </label>
      <label>Role
        <select aria-label="Role" value=${role} onChange=${(e) => setRole(e.target.value)}>
          <option value="employee">Employee</option>
          <option value="admin">Admin</option>
        </select>
      </label>
      <button type="submit" class="primary" disabled=${busy}>${busy ? 'Sending…' : 'Send invitation'}</button>
    </form>
    <${ErrorNotice} error=${error} compact />`
}
