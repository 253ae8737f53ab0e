// Articles tab: the organization's knowledge base (listArticles, filtered by status, a page at a
// time), new articles and edits (article.js), publishing and archiving. Publishing and archiving
// show at once and roll back when refused; a stale version offers the current article.
import { useState } from 'preact/hooks'
import { action } from '../api.js'
import { Empty, ErrorNotice, html, Loading, notify, useLoad } from '../ui.js'
import { ArticleDialog } from './article.js'
import { Ago } from './common.js'

const FILTERS = { all: 'Every status', draft: 'Drafts', published: 'Published', archived: 'Archived' }
const STATUS_LABELS = { draft: 'Draft', published: 'Published', archived: 'Archived' }

export function ArticleStatus({ status }) {
  return html`<span class=${`badge article-${status}`}>${STATUS_LABELS[status] ?? status}</span>`
}

export function ArticlesTab({ orgId }) {
  const [filter, setFilter] = useState('all')
  const [more, setMore] = useState({ loading: false, error: null })
  const [editing, setEditing] = useState(null) // an article summary, 'new', or null
  const [pending, setPending] = useState(null) // id of the article being published or archived
  const [refused, setRefused] = useState(null) // {articleId, error}
  const page = (cursor) => action('listArticles', {
    org_id: orgId, limit: 20, ...(filter === 'all' ? {} : { status: [filter] }), ...(cursor ? { cursor } : {}),
  })
  const articles = useLoad(() => page(null), [orgId, filter])

  const loadMore = async () => {
    setMore({ loading: true, error: null })
    try {
      const next = await page(articles.data.next_cursor)
      articles.setData((data) => ({ items: [...data.items, ...next.items], next_cursor: next.next_cursor }))
      setMore({ loading: false, error: null })
    } catch (error) {
      setMore({ loading: false, error })
    }
  }

  const replace = (article) => articles.setData((data) => ({
    ...data, items: data.items.map((a) => (a.id === article.id ? { ...a, ...article } : a)),
  }))

  const changeStatus = async (article, name, status) => {
    setRefused(null)
    setPending(article.id)
    replace({ ...article, status }) // optimistic
    try {
      const answer = await action(name, { article_id: article.id, expected_version: article.version })
      replace(answer)
      notify(`${answer.title} is ${STATUS_LABELS[answer.status].toLowerCase()}.`, 'success')
    } catch (error) {
      // Back as it was; a stale version brings the article as it is now.
      replace(error.code === 'version_conflict' && error.details?.current ? error.details.current : article)
      setRefused({ articleId: article.id, error })
      notify(`${article.title} was not changed.`, 'error', error)
    } finally {
      setPending(null)
    }
  }

  const saved = (article, created) => {
    setEditing(null)
    notify(`${article.title} ${created ? 'created as a draft' : 'saved'}.`, 'success')
    if (created) articles.reload()
    else replace(article)
  }

  const items = articles.data?.items
  return html`
    <section class="card admin-section" aria-labelledby="articles-heading">
      <div class="section-header">
        <h2 id="articles-heading">Articles</h2>
        <label class="inline compact-field">Status
          <select aria-label="Status" value=${filter} onChange=${(e) => setFilter(e.target.value)}>
            ${Object.entries(FILTERS).map(([value, text]) => html`<option value=${value}>${text}</option>`)}
          </select>
        </label>
        <button type="button" class="primary" onClick=${() => setEditing('new')}>New article</button>
      </div>
      ${articles.error && html`<${ErrorNotice} error=${articles.error} onRetry=${articles.reload} />`}
      ${articles.loading && !articles.error && html`<${Loading} label="Loading articles…" />`}
      ${!articles.loading && items?.length === 0 && html`
        <${Empty}>${filter === 'all' ? 'No articles yet. Write the first one.' : `No ${FILTERS[filter].toLowerCase()} articles.`}</${Empty}>`}
      ${!articles.loading && items?.length > 0 && html`
        <ul class="admin-list" aria-label="Articles">
          ${items.map((article) => html`
            <li key=${article.id} class=${refused?.articleId === article.id ? 'rolled-back' : ''} data-article=${article.title}>
              <div class="admin-row">
                <div class="admin-row-main">
                  <strong class="break">${article.title}</strong>
                  <div class="small article-meta">
                    <${ArticleStatus} status=${article.status} />
                    <span class=${`badge visibility-${article.visibility}`}>${article.visibility === 'public' ? 'Public' : 'Internal'}</span>
                    ${article.category && html`<span>${article.category}</span>`}
                    ${article.tags.map((tag) => html`<span class="tag">#${tag}</span>`)}
                    <span class="muted">updated <${Ago} iso=${article.updated_at} /></span>
                  </div>
                </div>
                <div class="actions">
                  <button type="button" aria-label=${`Edit ${article.title}`} onClick=${() => setEditing(article)}>Edit</button>
                  ${article.status !== 'published' && html`
                    <button type="button" class="primary" disabled=${pending === article.id}
                      aria-label=${`Publish ${article.title}`}
                      onClick=${() => changeStatus(article, 'publishArticle', 'published')}>Publish</button>`}
                  ${article.status === 'published' && html`
                    <button type="button" disabled=${pending === article.id} aria-label=${`Archive ${article.title}`}
                      onClick=${() => changeStatus(article, 'archiveArticle', 'archived')}>Archive</button>`}
                </div>
              </div>
              ${refused?.articleId === article.id && html`<${ErrorNotice} error=${refused.error} compact />`}
            </li>`)}
        </ul>`}
      ${articles.data?.next_cursor && !articles.loading && html`
        <div class="actions load-more">
          <button type="button" onClick=${loadMore} disabled=${more.loading}>${more.loading ? 'Loading…' : 'Load more'}</button>
        </div>`}
      <${ErrorNotice} error=${more.error} onRetry=${loadMore} compact />
      ${editing && html`
        <${ArticleDialog} orgId=${orgId} article=${editing === 'new' ? null : editing}
          onSaved=${saved} onClose=${() => setEditing(null)} />`}
    </section>`
}
