// The organization admin screens (placeholder until built).
import { html } from '../ui.js'

export function OrgAdmin({ orgId, tab }) {
  return html`<h1>Admin</h1><p>${orgId} ${tab}</p>`
}
