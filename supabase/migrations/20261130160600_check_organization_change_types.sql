-- update_organization took any JSON for each field: {"name": ["a"]} renamed the organization to
-- '["a"]', and {"name": null}, {"verified_domains": null} or a string there answered 400
-- 23502/22023 instead of PT422. Each field is now checked for its JSON type (name and
-- customer_access strings, verified_domains an array of strings, changes an object), refused
-- with PT422 hint <field>.
--
-- update_organization: as in 20261130150100_limit_attachment_size_per_organization.sql (same
-- signature), with those checks.

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
  if jsonb_typeof(coalesce(update_organization.changes, '{}')) <> 'object' then
    raise exception 'The changes must be a JSON object of the fields to change.' using errcode = 'PT422', hint = 'changes';
  end if;
  select k into v_key from jsonb_object_keys(coalesce(update_organization.changes, '{}')) k
  where k not in ('name', 'customer_access', 'verified_domains', 'attachment_size_limit_bytes') limit 1;
  if v_key is not null then
    raise exception 'The field "%" cannot be changed here.', v_key using errcode = 'PT422', hint = v_key;
  end if;
  -- Each field in its own JSON type: ->> would turn ["a"] into the name '["a"]', and null would
  -- reach a not-null column or jsonb_array_elements_text as a server error.
  if update_organization.changes ? 'name' and jsonb_typeof(update_organization.changes -> 'name') <> 'string' then
    raise exception 'The name must be a string.' using errcode = 'PT422', hint = 'name';
  end if;
  if update_organization.changes ? 'customer_access'
    and jsonb_typeof(update_organization.changes -> 'customer_access') <> 'string' then
    raise exception 'The customer access must be a string.' using errcode = 'PT422', hint = 'customer_access';
  end if;
  if update_organization.changes ? 'verified_domains' and (
    jsonb_typeof(update_organization.changes -> 'verified_domains') <> 'array'
    or exists (
      select 1 from jsonb_array_elements(update_organization.changes -> 'verified_domains') d
      where jsonb_typeof(d) <> 'string'
    )
  ) then
    raise exception 'The verified domains must be an array of strings.' using errcode = 'PT422', hint = 'verified_domains';
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
