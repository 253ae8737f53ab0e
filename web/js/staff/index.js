// The staff screens (placeholder until built).
import { html } from '../ui.js'

export function StaffDashboard({ orgId }) {
  return html`<h1>Tickets</h1><p>Staff dashboard of ${orgId}.</p>`
}

export function StaffTicket({ ticketId }) {
  return html`<h1>Ticket</h1><p>${ticketId}</p>`
}
