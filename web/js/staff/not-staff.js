// What a staff screen shows to someone who is not on the organization's staff (a customer who
// followed a link, or someone removed from the staff): one message, decided before the screen
// asks the API for anything, since every one of its requests would be refused.
import { html } from '../ui.js'

export function NotStaff({ ticketId = null }) {
  return html`
    <section class="card st-not-staff" aria-labelledby="not-staff-title">
      <h1 id="not-staff-title">${ticketId ? 'This ticket is for staff' : 'This page is for staff'}</h1>
      <p>You are not on the staff of this organization, so its ${ticketId ? 'tickets are' : 'ticket list is'} not open to you.</p>
      <p>Your own requests, and the replies to them, are under
        <a href="#/requests">My requests</a>.</p>
    </section>`
}
