// Invitations to join an organization's staff (placeholder until built).
import { html } from './ui.js'

export function MyInvitations() {
  return html`<h1>Invitations</h1>`
}
