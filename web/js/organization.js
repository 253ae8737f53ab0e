// An organization's staff and teams, read with supabase-js as the README's recipes read (RLS:
// staff read their organization's memberships, teams and team members, and their co-members'
// profiles). Shared by the staff screens and the admin tabs.
import { fromSupabase } from './api.js'
import { supabase } from './config.js'

/** The organization's staff with their display names (RLS: staff read their co-members). */
export async function readMembers(orgId) {
  const { data, error } = await supabase
    .from('organization_members')
    .select('user_id, role, created_at, availability, profile:profiles(display_name, avatar_url)')
    .eq('organization_id', orgId)
    .order('created_at')
  if (error) throw fromSupabase(error)
  return data
}

/** The organization's teams, by name, each with its members' ids. */
export async function readTeams(orgId) {
  const { data, error } = await supabase
    .from('teams')
    .select('id, name, created_at, team_members(user_id)')
    .eq('organization_id', orgId)
    .order('name')
  if (error) throw fromSupabase(error)
  return data
}
