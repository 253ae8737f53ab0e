-- Email addresses are personal: a customer who sees the name of the employee on their ticket, or
-- an employee who sees a requester's name, has no need for the address. Only the columns people
-- show each other stay readable through the API; Auth and security definer helpers (adding a
-- member by email) still read the address.

revoke select on table public.profiles from authenticated;
grant select (id, display_name, avatar_url, created_at, updated_at) on table public.profiles to authenticated;

comment on column public.profiles.email is
  'Copy of the Auth email, for the database''s own use; not readable through the API.';
