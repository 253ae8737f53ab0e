// The staff screens: an organization's ticket dashboard and one ticket as staff work it.
export { StaffDashboard } from './dashboard.js'
export { StaffTicket } from './ticket-view.js'
