// Members tab: the organization's staff (read with supabase-js), their roles and removal, and
// the staff invitations (invite by email, the list in every status, revoke).
import { useState } from 'preact/hooks'
import { action } from '../api.js'
import { useSession } from '../session.js'
import { Empty, ErrorNotice, html, Loading, notify, useLoad } from '../ui.js'
import { readMembers } from '../organization.js'
import { Ago, Confirm, memberName } from './common.js'
import { Invitations } from './invites.js'

export function MembersTab({ orgId }) {
  return html`
    <div class="admin-columns">
      <${Members} orgId=${orgId} />
      <${Invitations} orgId=${orgId} />
    </div>`
}

function Members({ orgId }) {
  const session = useSession()
  const members = useLoad(() => readMembers(orgId), [orgId])
  const [removing, setRemoving] = useState(null)
  // The row whose role change the server refused: it is shown back at its old role, with why.
  const [refused, setRefused] = useState(null)
  const [saving, setSaving] = useState(null)

  const changeRole = async (member, role) => {
    const previous = member.role
    const setRole = (value) => members.setData((list) => list.map(
      (m) => (m.user_id === member.user_id ? { ...m, role: value } : m)))
    setRefused(null)
    setRole(role) // optimistic: the new role shows at once
    setSaving(member.user_id)
    try {
      const answer = await action('setMemberRole', { org_id: orgId, user_id: member.user_id, role })
      setRole(answer.role)
      notify(`${memberName(member)} is now ${answer.role === 'admin' ? 'an admin' : 'an employee'}.`, 'success')
      // Changing one's own role changes what the header offers.
      if (member.user_id === session.user.id) session.refreshOrganizations()
    } catch (error) {
      setRole(previous)
      setRefused({ userId: member.user_id, error })
      notify(`The role of ${memberName(member)} was not changed.`, 'error', error)
    } finally {
      setSaving(null)
    }
  }

  const remove = async (member) => {
    await action('removeMember', { org_id: orgId, user_id: member.user_id })
    notify(`${memberName(member)} was removed from the organization.`, 'success')
    if (member.user_id === session.user.id) session.refreshOrganizations()
    members.reload()
  }

  // The API refuses to remove the last admin (and stays the authority, for races): an admin
  // alone in that role is not offered removing themselves.
  const admins = members.data?.filter((m) => m.role === 'admin').length ?? 0
  const lastAdmin = (member) => member.user_id === session.user.id && member.role === 'admin' && admins === 1

  return html`
    <section class="card admin-section" aria-labelledby="members-heading">
      <h2 id="members-heading">Members</h2>
      ${members.error && html`<${ErrorNotice} error=${members.error} onRetry=${members.reload} />`}
      ${!members.data && !members.error && html`<${Loading} label="Loading members…" />`}
      ${members.data?.length === 0 && html`<${Empty}>No members yet.</${Empty}>`}
      ${members.data?.length > 0 && html`
        <ul class="admin-list" aria-label="Members">
          ${members.data.map((member) => html`
            <li key=${member.user_id} class=${refused?.userId === member.user_id ? 'rolled-back' : ''}>
              <div class="admin-row">
                <div class="admin-row-main">
                  <strong>${memberName(member)}</strong>
                  ${member.user_id === session.user.id && html` <span class="badge">you</span>`}
                  <div class="muted small">Joined <${Ago} iso=${member.created_at} /></div>
                </div>
                <select value=${member.role} disabled=${saving === member.user_id}
                  aria-label=${`Role of ${memberName(member)}`}
                  onChange=${(e) => changeRole(member, e.target.value)}>
                  <option value="admin">Admin</option>
                  <option value="employee">Employee</option>
                </select>
                ${lastAdmin(member)
                  ? html`<span class="muted small only-admin">You are the only admin</span>`
                  : html`<button type="button" class="danger" aria-label=${`Remove ${memberName(member)}`}
                      onClick=${() => setRemoving(member)}>Remove</button>`}
              </div>
              ${refused?.userId === member.user_id && html`
                <${ErrorNotice} error=${refused.error} compact />`}
            </li>`)}
        </ul>`}
      ${removing && html`
        <${Confirm} title="Remove member" confirmLabel="Remove"
          onConfirm=${() => remove(removing)} onClose=${() => setRemoving(null)}>
          <p>Remove <strong>${memberName(removing)}</strong> from the organization and its teams?
            Their assigned tickets become unassigned. They can come back only with a new invitation.</p>
        </${Confirm}>`}
    </section>`
}
