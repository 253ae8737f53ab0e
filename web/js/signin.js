// Sign in with email and password through supabase-js (Supabase Auth; locally its stand-in):
// as a screen of its own, or as a modal dialog over the screen whose session just ended.
import { useEffect, useRef, useState } from 'preact/hooks'
import { supabase } from './config.js'
import { ErrorNotice, html } from './ui.js'

export function SignIn({ reason = null, dialog = false }) {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState(null)

  async function submit(event) {
    event.preventDefault()
    setBusy(true)
    setError(null)
    const { error: failure } = await supabase.auth.signInWithPassword({ email: email.trim(), password })
    setBusy(false)
    if (failure) {
      setError({ message: failure.message, code: failure.code ?? `http_${failure.status}` })
    }
    // Success: the app hears SIGNED_IN and leaves this screen.
  }

  const form = html`
    <form class="card signin-card" onSubmit=${submit} aria-labelledby="signin-title">
      <h1 id="signin-title">${dialog ? 'Sign in again' : 'Support desk'}</h1>
      <p class="muted">${dialog
        ? 'What you were doing stays on the screen behind this, as it was.'
        : "Sign in to follow your requests or to work on your organization's tickets."}</p>
      ${reason && html`<p class="notice-inline warning" role="alert">${reason}</p>`}
      <label>Email
        <input type="email" name="email" autocomplete="username" required autofocus
          value=${email} onInput=${(e) => setEmail(e.target.value)} />
      </label>
      <label>Password
        <input type="password" name="password" autocomplete="current-password" required
          value=${password} onInput=${(e) => setPassword(e.target.value)} />
      </label>
      <${ErrorNotice} error=${error} compact />
      <button type="submit" class="primary" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
    </form>`
  return dialog ? html`<${SignInDialog}>${form}</${SignInDialog}>` : html`<main class="signin">${form}</main>`
}

/** A modal that cannot be dismissed: the screen behind is inert until someone signs in. */
function SignInDialog({ children }) {
  const ref = useRef(null)
  useEffect(() => {
    const dialog = ref.current
    dialog.showModal()
    return () => dialog.close()
  }, [])
  return html`
    <dialog ref=${ref} class="signin-dialog" aria-labelledby="signin-title"
      onCancel=${(e) => e.preventDefault()}>${children}</dialog>`
}
