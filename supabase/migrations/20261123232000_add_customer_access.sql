-- Which customers may submit tickets to an organization: anyone signed in, people with a verified
-- address at one of its domains, or people an admin invited.

alter table public.organizations
  add column customer_access text not null default 'public'
    check (customer_access in ('public', 'domain', 'invite')),
  add column verified_domains text[] not null default '{}'
    check (
      cardinality(verified_domains) <= 50
      and array_to_string(verified_domains, ' ') ~ '^(([a-z0-9-]+\.)+[a-z]{2,63}( |$))*$'
    );

comment on column public.organizations.customer_access is
  'public: any signed-in user may submit; domain: users whose confirmed email is at one of verified_domains; invite: invited customers.';
comment on column public.organizations.verified_domains is
  'Lowercase email domains whose users may submit when customer_access is domain.';

grant update (customer_access, verified_domains) on table public.organizations to authenticated;

create table public.organization_customers (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  email text not null check (email = lower(email) and email ~ '^[^@\s]+@[^@\s]+$'),
  invited_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (organization_id, email)
);

comment on table public.organization_customers is
  'Customers invited to submit tickets to an organization whose customer_access is invite.';

create unique index organization_customers_email_organization_id_key
  on public.organization_customers (email, organization_id);
create unique index organization_customers_invited_by_key
  on public.organization_customers (invited_by, organization_id, email);

alter table public.organization_customers enable row level security;
revoke all on table public.organization_customers from public, anon, authenticated;
grant select, delete on table public.organization_customers to authenticated;
grant insert (organization_id, email, invited_by) on table public.organization_customers to authenticated;
grant all on table public.organization_customers to service_role;

create policy "Admins read their organizations' invitations"
  on public.organization_customers
  for select
  to authenticated
  using (organization_id in (select private.my_admin_org_ids()));

create policy "Admins invite customers to their organizations"
  on public.organization_customers
  for insert
  to authenticated
  with check (
    organization_id in (select private.my_admin_org_ids())
    and invited_by = (select auth.uid())
  );

create policy "Admins revoke invitations to their organizations"
  on public.organization_customers
  for delete
  to authenticated
  using (organization_id in (select private.my_admin_org_ids()));

-- The confirmed email of the current user, from Auth (the JWT's email claim is not proof).
create function private.my_confirmed_email()
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select lower(u.email)
  from auth.users u
  where u.id = (select auth.uid())
    and u.email_confirmed_at is not null
$$;

comment on function private.my_confirmed_email() is 'The current user''s email, lowercased, if Auth confirmed it.';
revoke execute on function private.my_confirmed_email() from public, anon;
grant execute on function private.my_confirmed_email() to authenticated;

create or replace function private.can_submit_to(p_org_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.organizations o
    where o.id = p_org_id
      and (select auth.uid()) is not null
      and (
        o.customer_access = 'public'
        or o.id in (select private.my_org_ids())
        or (
          o.customer_access = 'domain'
          and split_part((select private.my_confirmed_email()), '@', 2) = any (o.verified_domains)
        )
        or (
          o.customer_access = 'invite'
          and exists (
            select 1
            from public.organization_customers c
            where c.organization_id = o.id
              and c.email = (select private.my_confirmed_email())
          )
        )
      )
  )
$$;

comment on function private.can_submit_to(uuid) is
  'Whether the current user may submit tickets to the organization: its staff always, customers by its customer_access.';

-- Organizations where the current user has submitted tickets: their names stay visible to the
-- requester even if the organization later closes submissions.
create function private.my_requested_org_ids()
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select distinct t.handling_org_id
  from public.tickets t
  where t.user_id = (select auth.uid())
$$;

comment on function private.my_requested_org_ids() is 'Organizations handling tickets the current user requested.';
revoke execute on function private.my_requested_org_ids() from public, anon;
grant execute on function private.my_requested_org_ids() to authenticated;

-- create_ticket now says which rule refused the caller (the tickets insert policy enforces the same
-- rule for direct PostgREST inserts, through can_submit_to).
create or replace function private.require_can_submit(p_org_id uuid)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_access text;
begin
  if private.can_submit_to(p_org_id) then
    return;
  end if;
  select o.customer_access into v_access from public.organizations o where o.id = p_org_id;
  if v_access is null then
    raise exception 'The organization was not found; check the organization you are submitting to.'
      using errcode = 'TK404', hint = 'handling_org_id';
  end if;
  raise exception '%', case v_access
      when 'domain' then 'This organization accepts tickets only from confirmed email addresses at its own domains.'
      else 'This organization accepts tickets only from customers it has invited.'
    end
    using errcode = 'TK403', hint = 'handling_org_id';
end;
$$;
