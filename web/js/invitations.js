// My invitations: organizations that invited my confirmed email address to join their staff.
// Accepting makes me a member (the database adds the membership), so the organization list is
// fetched again and the new organization shows in the header's switcher.
import { useState } from 'preact/hooks'
import { Ago, Day } from './admin/common.js'
import { action } from './api.js'
import { useSession } from './session.js'
import { Empty, ErrorNotice, html, Loading, notify, useLoad } from './ui.js'

export function MyInvitations() {
  const session = useSession()
  const invitations = useLoad(() => action('listMyInvitations'), [])
  const [busy, setBusy] = useState(null) // id of the invitation being answered
  const [answered, setAnswered] = useState([]) // [{invitation, accepted}] answered on this screen
  const [failed, setFailed] = useState(null) // {id, error}

  const answer = async (invitation, accept) => {
    setBusy(invitation.id)
    setFailed(null)
    try {
      await action(accept ? 'acceptInvitation' : 'declineInvitation', { invitation_id: invitation.id })
      if (accept) await session.refreshOrganizations()
      setAnswered((list) => [{ invitation, accepted: accept }, ...list])
      invitations.setData((data) => ({ ...data, items: data.items.filter((i) => i.id !== invitation.id) }))
      notify(accept ? `You joined ${orgName(invitation)}.` : `Invitation from ${orgName(invitation)} declined.`, 'success')
    } catch (error) {
      setFailed({ id: invitation.id, error })
      // Revoked, expired or answered elsewhere meanwhile: the list shows what is still pending.
      if (error.status === 409 || error.status === 404) invitations.reload()
    } finally {
      setBusy(null)
    }
  }

  const items = invitations.data?.items
  return html`
    <section class="invitations-page">
      <header class="page-header"><h1>Invitations</h1></header>
      <p class="muted">Organizations that invited your email address to join their staff.</p>
      ${answered.map(({ invitation, accepted }) => html`
        <div class=${`notice-inline ${accepted ? 'success' : 'info'} answered`} key=${invitation.id} role="status">
          ${accepted
            ? html`You are now ${invitation.role === 'admin' ? 'an admin' : 'an employee'} of <strong>${orgName(invitation)}</strong>.
                <a href=${`#/org/${invitation.organization_id}/tickets`}>Open its tickets</a>`
            : html`You declined the invitation from <strong>${orgName(invitation)}</strong>.`}
        </div>`)}
      ${failed && !items?.some((i) => i.id === failed.id) && html`<${ErrorNotice} error=${failed.error} />`}
      ${invitations.error && html`<${ErrorNotice} error=${invitations.error} onRetry=${invitations.reload} />`}
      ${!items && !invitations.error && html`<${Loading} label="Loading your invitations…" />`}
      ${items?.length === 0 && html`
        <${Empty}>No pending invitations. When an organization invites your email address, it shows here.</${Empty}>`}
      ${items?.length > 0 && html`
        <ul class="invitation-cards" aria-label="Pending invitations">
          ${items.map((invitation) => html`
            <li class="card invitation-card" key=${invitation.id}>
              <div>
                <h2>${orgName(invitation)}</h2>
                <p class="muted small">
                  Invited as ${invitation.role === 'admin' ? 'an admin' : 'an employee'} <${Ago} iso=${invitation.created_at} /> ·
                  expires <${Day} iso=${invitation.expires_at} />
                </p>
              </div>
              ${failed?.id === invitation.id && html`<${ErrorNotice} error=${failed.error} compact />`}
              <div class="actions">
                <button type="button" class="primary" disabled=${busy === invitation.id}
                  aria-label=${`Accept the invitation from ${orgName(invitation)}`}
                  onClick=${() => answer(invitation, true)}>${busy === invitation.id ? 'Working…' : 'Accept'}</button>
                <button type="button" disabled=${busy === invitation.id}
                  aria-label=${`Decline the invitation from ${orgName(invitation)}`}
                  onClick=${() => answer(invitation, false)}>Decline</button>
              </div>
            </li>`)}
        </ul>`}
    </section>`
}

function orgName(invitation) {
  return invitation.organization?.name ?? 'An organization'
}
