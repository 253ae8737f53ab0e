// Who is signed in, and where they work: shared by every screen.
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'

/** {user, organizations: [{id, name, slug, role, …}], refreshOrganizations()} */
export const SessionContext = createContext(null)

export function useSession() {
  return useContext(SessionContext)
}

/** The membership of the signed-in user in `orgId`, or undefined. */
export function useMembership(orgId) {
  return useSession().organizations.find((org) => org.id === orgId)
}
