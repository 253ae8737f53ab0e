// Who and what the staff screens name: the organization's teams, its staff (with their
// availability and teams) and requesters' display names. listTickets answers ids only; the names
// are read with supabase-js, as the README's recipes do (RLS: staff read their organization's
// teams, memberships and the profiles of co-members and of the organization's requesters).
import { useCallback, useEffect, useState } from 'preact/hooks'
import { fromSupabase } from '../api.js'
import { supabase } from '../config.js'

async function read(query) {
  const { data, error } = await query
  if (error) throw fromSupabase(error)
  return data
}

/** The organization's teams and staff: {teams: [{id, name}], staff: [{user_id, role,
 * availability, display_name, team_ids}]}. */
export async function loadDirectory(orgId) {
  const [teams, members, teamMembers] = await Promise.all([
    read(supabase.from('teams').select('id, name').eq('organization_id', orgId).order('name')),
    read(supabase.from('organization_members')
      .select('user_id, role, availability, profile:profiles(display_name)')
      .eq('organization_id', orgId)),
    read(supabase.from('team_members').select('team_id, user_id').eq('organization_id', orgId)),
  ])
  const staff = members.map((m) => ({
    user_id: m.user_id,
    role: m.role,
    availability: m.availability,
    display_name: m.profile?.display_name ?? 'Unknown',
    team_ids: teamMembers.filter((t) => t.user_id === m.user_id).map((t) => t.team_id),
  })).sort((a, b) => a.display_name.localeCompare(b.display_name))
  staff.forEach((person) => remember(person.user_id, person.display_name))
  return { teams, staff }
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
