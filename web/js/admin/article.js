// An article's form: a new draft (createArticle) or an edit (getArticle for the body, then
// updateArticle with expected_version and the fields that changed). A 409 version_conflict shows
// the article as it is now; the admin applies their changes on top of it or takes it.
import { useEffect, useState } from 'preact/hooks'
import { action } from '../api.js'
import { Dialog, ErrorNotice, html, Loading } from '../ui.js'
import { busyWhile, splitList, VersionConflict } from './common.js'

function fromArticle(article) {
  return {
    title: article?.title ?? '',
    body: article?.body ?? '',
    visibility: article?.visibility ?? 'public',
    category: article?.category ?? '',
    tags: article?.tags?.join(', ') ?? '',
  }
}

/** The form as the API's fields: no category is null, tags a list. */
function toFields(form) {
  return {
    title: form.title, body: form.body, visibility: form.visibility,
    category: form.category.trim() || null, tags: splitList(form.tags),
  }
}

/** The fields that differ from `base` (what was loaded), as updateArticle takes them. */
function changes(form, base) {
  const now = toFields(form)
  const before = toFields(fromArticle(base))
  return Object.fromEntries(Object.entries(now).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(before[key])))
}

export function ArticleDialog({ orgId, article, onSaved, onClose }) {
  const [base, setBase] = useState(null) // the article as loaded: what changes are counted from
  const [form, setForm] = useState(fromArticle(null))
  const [loadError, setLoadError] = useState(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState(null)

  const load = () => {
    setLoadError(null)
    action('getArticle', { article_id: article.id }).then((full) => { setBase(full); setForm(fromArticle(full)) }, setLoadError)
  }
  useEffect(() => { if (article) load() }, []) // eslint-disable-line react-hooks/exhaustive-deps

  const set = (field) => (e) => setForm({ ...form, [field]: e.target.value })

  const save = (expectedVersion) => {
    setError(null)
    busyWhile(setBusy, async () => {
      if (!article) {
        const { category, tags, ...rest } = toFields(form)
        const created = await action('createArticle', {
          org_id: orgId, ...rest, ...(category ? { category } : {}), ...(tags.length ? { tags } : {}),
        })
        onSaved(created, true)
        return
      }
      const changed = changes(form, base)
      if (Object.keys(changed).length === 0) { onClose(); return }
      onSaved(await action('updateArticle', { article_id: article.id, expected_version: expectedVersion, ...changed }), false)
    }, setError)
  }
  const submit = (event) => { event.preventDefault(); save(base?.version) }
  // My changes stay counted from what I loaded, and go on top of the current version.
  const reapply = (current) => save(current.version)
  const takeCurrent = (current) => {
    setError(null)
    if (current.body === undefined) { load(); return }
    setBase(current)
    setForm(fromArticle(current))
  }

  const title = article ? 'Edit article' : 'New article'
  if (article && !base) {
    return html`
      <${Dialog} title=${title} onClose=${onClose} wide>
        ${loadError ? html`<${ErrorNotice} error=${loadError} onRetry=${load} />` : html`<${Loading} label="Loading the article…" />`}
      </${Dialog}>`
  }
  return html`
    <${Dialog} title=${title} onClose=${onClose} wide>
      <form onSubmit=${submit} class="article-form">
        <label>Title
          <input required maxLength="200" value=${form.title} onInput=${set('title')} />
        </label>
        <label>Body <span class="muted small">(Markdown)</span>
          <textarea required rows="10" value=${form.body} onInput=${set('body')}></textarea>
        </label>
        <div class="form-row">
          <label class="grow">Visibility
            <select aria-label="Visibility" value=${form.visibility} onChange=${set('visibility')}>
              <option value="public">Public: customers who may submit tickets</option>
              <option value="internal">Internal: staff only</option>
            </select>
          </label>
          <label class="grow">Category
            <input maxLength="100" value=${form.category} onInput=${set('category')} />
          </label>
        </div>
        <label>Tags <span class="muted small">(comma-separated)</span>
          <input value=${form.tags} onInput=${set('tags')} placeholder="billing, invoices" />
        </label>
        ${base && base.status !== 'draft' && html`
          <p class="notice-inline info small">This article is ${base.status}: saving changes what readers see.</p>`}
        ${error?.code === 'version_conflict'
          ? html`<${VersionConflict} error=${error} busy=${busy} onReapply=${reapply} onTakeCurrent=${takeCurrent}
              describe=${(current) => html`<p><strong>${current.title}</strong> · ${current.status} · ${current.visibility}</p>`} />`
          : html`<${ErrorNotice} error=${error} compact />`}
        <div class="actions end">
          <button type="button" onClick=${onClose}>Cancel</button>
          <button type="submit" class="primary" disabled=${busy}>${busy ? 'Saving…' : article ? 'Save article' : 'Create draft'}</button>
        </div>
      </form>
    </${Dialog}>`
}
