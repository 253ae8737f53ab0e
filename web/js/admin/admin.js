// The organization admin screens: members and invitations, teams, routing rules, articles.
// Tabs are links (#/org/<orgId>/admin/<tab>) so each one can be bookmarked and reloaded.
import { action } from '../api.js'
import { useMembership } from '../session.js'
import { ErrorNotice, html, Loading, useLoad } from '../ui.js'
import { ArticlesTab } from './articles.js'
import { MembersTab } from './members.js'
import { RoutingTab } from './routing.js'
import { TeamsTab } from './teams.js'

const TABS = [
  { id: 'members', label: 'Members', component: MembersTab },
  { id: 'teams', label: 'Teams', component: TeamsTab },
  { id: 'routing', label: 'Routing', component: RoutingTab },
  { id: 'articles', label: 'Articles', component: ArticlesTab },
]

export function OrgAdmin({ orgId, tab }) {
  const membership = useMembership(orgId)
  // Who is an admin is the API's to say, not the header's: an admin-only read first, so anyone
  // else who opens the URL sees its 403 (or 404) with the request id instead of broken tabs.
  const access = useLoad(() => action('listInvitations', { org_id: orgId }), [orgId])
  const current = TABS.find((t) => t.id === tab)

  if (access.error) {
    return html`
      <section class="admin">
        <h1>Administration</h1>
        <${ErrorNotice} error=${access.error} onRetry=${access.reload} />
        ${membership && html`<p><a href=${`#/org/${orgId}/tickets`}>Back to ${membership.name}'s tickets</a></p>`}
      </section>`
  }
  if (!access.data) return html`<${Loading} label="Checking your access…" />`
  // Access checked once, then kept in step with the memberships the app reads again (an admin
  // who made themselves an employee, or was removed, loses the tabs at once).
  if (membership?.role !== 'admin') {
    return html`
      <section class="admin">
        <h1>Administration</h1>
        <p class="notice-inline warning" role="alert">You are no longer an admin of this organization.</p>
        ${membership && html`<p><a href=${`#/org/${orgId}/tickets`}>Back to ${membership.name}'s tickets</a></p>`}
      </section>`
  }

  const Tab = current?.component
  return html`
    <section class="admin">
      <header class="page-header">
        <h1>Administration${membership ? html` <span class="muted admin-org">${membership.name}</span>` : ''}</h1>
      </header>
      <nav class="admin-tabs" aria-label="Administration">
        ${TABS.map((t) => html`
          <a href=${`#/org/${orgId}/admin/${t.id}`} aria-current=${t.id === tab ? 'page' : undefined}>${t.label}</a>`)}
      </nav>
      ${Tab ? html`<${Tab} orgId=${orgId} key=${tab} />`
        : html`<p class="state empty">There is no “${tab}” tab. Choose one above.</p>`}
    </section>`
}
