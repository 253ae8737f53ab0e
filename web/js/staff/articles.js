// Knowledge-base articles linked to a ticket (getTicket's `articles`), and a small search
// (searchArticles) to find one and link it (linkArticle).
import { useState } from 'preact/hooks'
import { action } from '../api.js'
import { Empty, ErrorNotice, html, label, Loading, notify } from '../ui.js'

export function LinkedArticles({ ticket, onLinked }) {
  const [q, setQ] = useState('')
  const [search, setSearch] = useState(null) // {loading} | {items} | {error}
  const [linking, setLinking] = useState(null)
  const linked = new Set(ticket.articles.map((a) => a.id))

  const find = async (e) => {
    e.preventDefault()
    if (!q.trim()) return
    setSearch({ loading: true })
    try {
      const answer = await action('searchArticles', { org_id: ticket.handling_org_id, q: q.trim(), limit: 5 })
      setSearch({ items: answer.items })
    } catch (error) {
      setSearch({ error })
    }
  }

  const link = async (article) => {
    setLinking(article.id)
    try {
      await action('linkArticle', { ticket_id: ticket.id, article_id: article.id })
      notify(`Linked "${article.title}".`, 'success')
      onLinked()
    } catch (error) {
      notify(`"${article.title}" was not linked: ${error.message}`, 'error', error)
    } finally {
      setLinking(null)
    }
  }

  return html`
    <section class="card st-linked-articles" aria-labelledby="articles-title">
      <h2 id="articles-title">Linked articles</h2>
      ${ticket.articles.length === 0
        ? html`<p class="muted">No articles linked.</p>`
        : html`
          <ul class="st-article-links">
            ${ticket.articles.map((a) => html`
              <li key=${a.id}>${a.title}
                <span class="muted"> · ${label(a.status)}${a.visibility === 'internal' ? ' · internal' : ''}</span>
              </li>`)}
          </ul>`}
      <form class="st-article-search" role="search" onSubmit=${find}>
        <label>Find an article
          <span class="st-input-with-button">
            <input type="search" value=${q} onInput=${(e) => setQ(e.target.value)} placeholder="e.g. refund" />
            <button type="submit">Search</button>
          </span>
        </label>
      </form>
      ${search?.loading && html`<${Loading} label="Searching…" />`}
      ${search?.error && html`<${ErrorNotice} error=${search.error} compact />`}
      ${search?.items && (search.items.length === 0
        ? html`<${Empty}>No published article matches.</${Empty}>`
        : html`
          <ul class="st-article-results" aria-label="Articles found">
            ${search.items.map((a) => html`
              <li key=${a.id}>
                <span>${a.title}${a.visibility === 'internal' ? html` <span class="muted">· internal</span>` : ''}</span>
                ${linked.has(a.id)
                  ? html`<span class="muted">Linked</span>`
                  : html`<button type="button" onClick=${() => link(a)} disabled=${linking === a.id}
                      aria-label=${`Link ${a.title}`}>Link</button>`}
              </li>`)}
          </ul>`)}
    </section>`
}
