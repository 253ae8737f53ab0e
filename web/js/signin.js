// Sign in with email and password through supabase-js (Supabase Auth; locally its stand-in).
import { useState } from 'preact/hooks'
import { supabase } from './config.js'
import { ErrorNotice, html } from './ui.js'

export function SignIn({ reason }) {
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

  return html`
    <main class="signin">
      <form class="card signin-card" onSubmit=${submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Support desk</h1>
        <p class="muted">Sign in to follow your requests or to work on your organization's tickets.</p>
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
      </form>
    </main>`
}
