// The customer screens, routed by main.js: my requests (#/requests), a new request
// (#/requests/new) and one request (#/requests/<ticketId>). Every signed-in user, staff
// included, has requests of their own here.
export { MyRequests } from './requests.js'
export { NewRequest } from './new-request.js'
export { RequestView } from './request-view.js'
