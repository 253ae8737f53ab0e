// The app: sign-in state, the signed-in user's organizations, the header and the routes.
import { render } from 'preact'
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { action, SESSION_ENDED } from './api.js'
import { supabase } from './config.js'
import { MyInvitations } from './invitations.js'
import { OrgAdmin } from './admin/admin.js'
import { MyRequests, NewRequest, RequestView } from './customer/index.js'
import { match, navigate, useRoute } from './router.js'
import { SessionContext, useSession } from './session.js'
import { SignIn } from './signin.js'
import { StaffDashboard, StaffTicket } from './staff/index.js'
import { ErrorNotice, html, Loading, Notices } from './ui.js'

// Set when the user presses Sign out: any other SIGNED_OUT (a refresh Auth refused) ended the
// session under them.
let signingOut = false

function signOut() {
  signingOut = true
  window.location.hash = '#/' // whoever signs in next starts at their own start
  supabase.auth.signOut().finally(() => { signingOut = false })
}

/**
 * Who is signed in: 'loading', 'signedOut' (the sign-in screen), 'signedIn', or 'ended': the
 * session ended under the user (signed out elsewhere, revoked, a refresh refused), and a sign-in
 * dialog covers the screen they were on, which stays as it was, typed text included. The same
 * user signing in again carries on there; anyone else starts at their own start.
 */
function App() {
  const [auth, setAuth] = useState({ status: 'loading', user: null, reason: null })
  const current = useRef(auth)
  current.current = auth

  useEffect(() => {
    supabase.auth.getSession().then(({ data }) => {
      setAuth(data.session ? { status: 'signedIn', user: data.session.user, reason: null }
        : { status: 'signedOut', user: null, reason: null })
    })
    const end = (reason) => {
      const { user } = current.current
      setAuth(user && !signingOut ? { status: 'ended', user, reason }
        : { status: 'signedOut', user: null, reason: null })
    }
    const { data } = supabase.auth.onAuthStateChange((event, session) => {
      if (event === 'SIGNED_IN' && session) {
        const before = current.current
        if (before.user?.id === session.user.id) {
          if (before.status !== 'signedIn') {
            setAuth({ status: 'signedIn', user: before.user, reason: null })
            window.dispatchEvent(new CustomEvent('session-resumed'))
          }
          return
        }
        if (before.status === 'ended') window.location.hash = '#/' // not their screen
        setAuth({ status: 'signedIn', user: session.user, reason: null })
      } else if (event === 'SIGNED_OUT' && current.current.status !== 'ended') {
        end(SESSION_ENDED)
      }
    })
    // The BFF or PostgREST said 401: the session ended (signed out elsewhere, expired, revoked).
    const ended = (event) => {
      if (current.current.status === 'ended') return
      end(event.detail)
      supabase.auth.signOut({ scope: 'local' })
    }
    window.addEventListener('session-ended', ended)
    return () => { data.subscription.unsubscribe(); window.removeEventListener('session-ended', ended) }
  }, [])

  if (auth.status === 'loading') return html`<${Loading} />`
  if (auth.status === 'signedOut') return html`<${SignIn} />`
  return html`
    <${SignedIn} user=${auth.user} key=${auth.user.id} />
    ${auth.status === 'ended' && html`<${SignIn} reason=${auth.reason} dialog />`}`
}

function SignedIn({ user }) {
  const [organizations, setOrganizations] = useState(null)
  const [error, setError] = useState(null)
  const refreshOrganizations = useCallback(() => action('listMyOrganizations').then(
    (answer) => { setOrganizations(answer.items); setError(null) },
    setError,
  ), [])
  useEffect(() => { refreshOrganizations() }, [refreshOrganizations])
  // Memberships change under a running app (an admin removes the user, or invites them): read
  // them again when the API refuses something, when the tab comes back, once a minute, and
  // when the user signs in again, so a screen of an organization the user left closes (and its
  // live channel with it).
  useEffect(() => {
    const visible = () => { if (document.visibilityState === 'visible') refreshOrganizations() }
    const timer = setInterval(visible, 60_000)
    document.addEventListener('visibilitychange', visible)
    window.addEventListener('access-refused', refreshOrganizations)
    window.addEventListener('session-resumed', refreshOrganizations)
    return () => {
      clearInterval(timer)
      document.removeEventListener('visibilitychange', visible)
      window.removeEventListener('access-refused', refreshOrganizations)
      window.removeEventListener('session-resumed', refreshOrganizations)
    }
  }, [refreshOrganizations])

  if (error && !organizations) return html`<main class="page"><${ErrorNotice} error=${error} onRetry=${refreshOrganizations} /></main>`
  if (!organizations) return html`<${Loading} label="Loading your organizations…" />`
  return html`
    <${SessionContext.Provider} value=${{ user, organizations, refreshOrganizations }}>
      <${Shell} />
    </${SessionContext.Provider}>`
}

function Shell() {
  const path = useRoute()
  const main = useRef(null)
  // A new screen takes keyboard focus to its main area, as a page load would, unless the screen
  // already put focus somewhere inside itself.
  useEffect(() => {
    if (!main.current.contains(document.activeElement)) main.current.focus({ preventScroll: true })
  }, [path])
  const skip = (e) => { e.preventDefault(); main.current.focus() }
  return html`
    <a class="skip-link" href="#main" onClick=${skip}>Skip to content</a>
    <${Header} path=${path} />
    <main class="page" id="main" tabindex="-1" ref=${main}>${route(path)}</main>
    <${Notices} />`
}

function route(path) {
  let params
  if ((params = match('/org/:orgId/tickets', path))) return html`<${StaffDashboard} key=${params.orgId} ...${params} />`
  if ((params = match('/org/:orgId/tickets/:ticketId', path))) return html`<${StaffTicket} key=${params.ticketId} ...${params} />`
  if ((params = match('/org/:orgId/admin', path))) return html`<${OrgAdmin} key=${params.orgId} ...${params} tab="members" />`
  if ((params = match('/org/:orgId/admin/:tab', path))) return html`<${OrgAdmin} key=${params.orgId} ...${params} />`
  if (match('/requests', path)) return html`<${MyRequests} />`
  if (match('/requests/new', path)) return html`<${NewRequest} />`
  if ((params = match('/requests/:ticketId', path))) return html`<${RequestView} key=${params.ticketId} ...${params} />`
  if (match('/invitations', path)) return html`<${MyInvitations} />`
  return html`<${Home} />`
}

/** Staff land on their first organization's tickets; everyone else on their requests. */
function Home() {
  const { organizations } = useSession()
  useEffect(() => {
    navigate(organizations[0] ? `/org/${organizations[0].id}/tickets` : '/requests')
  }, [organizations])
  return html`<${Loading} />`
}

function Header({ path }) {
  const session = useSession()
  const orgId = /^\/org\/([^/]+)/.exec(path)?.[1] ?? null
  const current = session.organizations.find((org) => org.id === orgId)
  const [menuOpen, setMenuOpen] = useState(false)
  const pending = usePendingInvitations(path)
  const toggle = useRef(null)
  // Escape closes the phone menu and gives focus back to its button, as a dialog would.
  const closeOnEscape = (e) => {
    if (e.key === 'Escape' && menuOpen) { setMenuOpen(false); toggle.current?.focus() }
  }
  const link = (href, text, active) => html`
    <a href=${`#${href}`} aria-current=${active ? 'page' : undefined} onClick=${() => setMenuOpen(false)}>${text}</a>`

  return html`
    <header class="topbar" onKeyDown=${closeOnEscape}>
      <a class="brand" href="#/">Support desk</a>
      ${session.organizations.length > 0 && html`
        <label class="org-switch">
          <span class="visually-hidden">Organization</span>
          <select aria-label="Organization" value=${current?.id ?? ''}
            onChange=${(e) => e.target.value && navigate(`/org/${e.target.value}/tickets`)}>
            ${!current && html`<option value="">Choose an organization</option>`}
            ${session.organizations.map((org) => html`<option value=${org.id}>${org.name}</option>`)}
          </select>
        </label>`}
      <button type="button" class="menu-toggle" ref=${toggle} aria-expanded=${menuOpen} aria-controls="nav"
        onClick=${() => setMenuOpen(!menuOpen)}>Menu</button>
      <nav id="nav" class=${menuOpen ? 'open' : ''} aria-label="Main">
        ${current && link(`/org/${current.id}/tickets`, 'Tickets', /\/tickets/.test(path))}
        ${current?.role === 'admin' && link(`/org/${current.id}/admin`, 'Admin', /\/admin/.test(path))}
        ${link('/requests', 'My requests', path.startsWith('/requests'))}
        ${link('/invitations', pending ? `Invitations (${pending})` : 'Invitations', path === '/invitations')}
        <span class="whoami" title=${session.user.email}>${session.user.email}</span>
        <button type="button" class="link" onClick=${signOut}>Sign out</button>
      </nav>
    </header>`
}

/** How many staff invitations wait for me: asked at sign-in and again on leaving Invitations. */
function usePendingInvitations(path) {
  const [count, setCount] = useState(0)
  const onInvitations = path === '/invitations'
  useEffect(() => {
    if (onInvitations) return
    // A count is a hint: if it cannot be read, the link simply shows none.
    action('listMyInvitations').then((answer) => setCount(answer.items.length), () => setCount(0))
  }, [onInvitations])
  return count
}

render(html`<${App} />`, document.getElementById('app'))
