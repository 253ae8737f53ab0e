// The customer screens (placeholder until built).
import { html } from '../ui.js'

export function MyRequests() {
  return html`<h1>My requests</h1>`
}

export function NewRequest() {
  return html`<h1>New request</h1>`
}

export function RequestView({ ticketId }) {
  return html`<h1>Request</h1><p>${ticketId}</p>`
}
