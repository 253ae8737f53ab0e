-- An organization may accept smaller attachments than the bucket's 25 MiB:
-- organizations.attachment_size_limit_bytes (null: 25 MiB), set by its admins through
-- update_organization and shown in every organization record.

alter table public.organizations
  add column attachment_size_limit_bytes bigint
    check (attachment_size_limit_bytes between 1 and 26214400);

comment on column public.organizations.attachment_size_limit_bytes is
  'The largest attachment this organization accepts, in bytes; null: the bucket''s 25 MiB (26214400).';

grant update (attachment_size_limit_bytes) on table public.organizations to authenticated;

create or replace function private.organization_json(p_org public.organizations)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_build_object(
    'id', p_org.id,
    'name', p_org.name,
    'slug', p_org.slug,
    'customer_access', p_org.customer_access,
    'verified_domains', to_jsonb(p_org.verified_domains),
    'attachment_size_limit_bytes', p_org.attachment_size_limit_bytes,
    'created_at', p_org.created_at
  )
$$;

-- update_organization: as in 20261130140000_name_function_parameters_like_the_api.sql, and it
-- accepts attachment_size_limit_bytes (a whole number of bytes up to 26214400, or null for the
-- default).
create or replace function public.update_organization(org_id uuid, changes jsonb)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_key text;
  v_org public.organizations;
  v_limit jsonb;
  v_limit_ok boolean := false;
begin
  perform private.require_admin(update_organization.org_id);
  select k into v_key from jsonb_object_keys(coalesce(update_organization.changes, '{}')) k
  where k not in ('name', 'customer_access', 'verified_domains', 'attachment_size_limit_bytes') limit 1;
  if v_key is not null then
    raise exception 'The field "%" cannot be changed here.', v_key using errcode = 'PT422', hint = v_key;
  end if;
  v_limit := update_organization.changes -> 'attachment_size_limit_bytes';
  if jsonb_typeof(v_limit) = 'number' then
    v_limit_ok := (v_limit::text)::numeric between 1 and 26214400
      and (v_limit::text)::numeric = trunc((v_limit::text)::numeric);
  end if;
  if v_limit is not null and jsonb_typeof(v_limit) <> 'null' and not v_limit_ok then
    raise exception 'The attachment size limit must be a whole number of bytes from 1 to 26214400 (25 MiB), or null for 25 MiB.'
      using errcode = 'PT422', hint = 'attachment_size_limit_bytes';
  end if;
  update public.organizations o
  set
    name = case when update_organization.changes ? 'name' then btrim(update_organization.changes ->> 'name') else o.name end,
    customer_access = coalesce(update_organization.changes ->> 'customer_access', o.customer_access),
    verified_domains = case
      when update_organization.changes ? 'verified_domains' then
        array(select lower(d) from jsonb_array_elements_text(update_organization.changes -> 'verified_domains') d)
      else o.verified_domains
    end,
    attachment_size_limit_bytes = case
      when update_organization.changes ? 'attachment_size_limit_bytes' then
        case when jsonb_typeof(v_limit) = 'number' then (v_limit::text)::numeric::bigint end
      else o.attachment_size_limit_bytes
    end
  where o.id = update_organization.org_id
  returning * into v_org;
  return private.organization_json(v_org);
exception when check_violation then
  raise exception 'The name, customer access or domains are invalid.' using errcode = 'PT422', hint = 'body';
end;
$$;

comment on function public.update_organization(uuid, jsonb) is
  'Change the name, customer access, verified domains or attachment size limit of an organization (admins).';
