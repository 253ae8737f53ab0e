// Who and what the staff screens name: the organization's teams, its staff (with their
// availability and teams) and requesters' display names. listTickets answers ids only; the names
// are read with supabase-js, as the README's recipes do (RLS: staff read their organization's
// teams, memberships and the profiles of co-members and of the organization's requesters).
import { useCallback, useEffect, useState } from 'preact/hooks'
import { readMembers, readTeams } from '../organization.js'
import { supabase } from '../config.js'

/** The organization's teams and staff: {teams: [{id, name}], staff: [{user_id, role,
 * availability, display_name, team_ids}]}. */
export async function loadDirectory(orgId) {
  const [teams, members] = await Promise.all([readTeams(orgId), readMembers(orgId)])
  const staff = members.map((m) => ({
    user_id: m.user_id,
    role: m.role,
    availability: m.availability,
    display_name: m.profile?.display_name ?? 'Unknown',
    team_ids: teams.filter((t) => t.team_members.some((x) => x.user_id === m.user_id)).map((t) => t.id),
  })).sort((a, b) => a.display_name.localeCompare(b.display_name))
  staff.forEach((person) => remember(person.user_id, person.display_name))
  return { teams: teams.map(({ id, name }) => ({ id, name })), staff }
}

// Display names by user id, shared by every staff screen (names rarely change while one works).
const names = new Map()
const nameListeners = new Set()

function remember(id, name) {
  names.set(id, name)
}

/** Names of `ids` (requesters, assignees): those not known yet are read from `profiles` in one
 * query. Re-renders the caller when they arrive. Returns `name(id)`. */
export function usePeople(ids) {
  const [, setTick] = useState(0)
  const missing = [...new Set(ids.filter((id) => id && !names.has(id)))]
  const key = missing.sort().join(',')
  useEffect(() => {
    const listener = () => setTick((t) => t + 1)
    nameListeners.add(listener)
    return () => nameListeners.delete(listener)
  }, [])
  useEffect(() => {
    if (!key) return
    const wanted = key.split(',')
    wanted.forEach((id) => names.set(id, null)) // asked for: not again while in flight
    supabase.from('profiles').select('id, display_name').in('id', wanted).then(({ data, error }) => {
      // A failed read is asked again when the ids on screen change; names are not worth an alert.
      if (error) wanted.forEach((id) => names.delete(id))
      else for (const id of wanted) names.set(id, data.find((p) => p.id === id)?.display_name ?? 'Unknown')
      nameListeners.forEach((listener) => listener())
    })
  }, [key])
  return useCallback((id) => (id ? names.get(id) ?? '…' : null), [])
}
