// Knowledge-base suggestions while a request is being written (README: "Knowledge base"): the
// articles that may already answer it, each readable in a dialog, with "Did this answer your
// question?". The ids shown are sent with the ticket (suggested_article_ids) for kbStats.
import { useEffect, useRef, useState } from 'preact/hooks'
import { action } from '../api.js'
import { Dialog, ErrorNotice, html, Loading, useLoad } from '../ui.js'
import { Markdown } from '../markdown.js'

const DEBOUNCE_MS = 300
const MIN_SUBJECT = 3

/** Suggestions for what is typed: asked 300 ms after the last keystroke, from the third
 * character of the subject; an answer older than the latest question is ignored. */
export function useSuggestions(orgId, subject, description) {
  const [state, setState] = useState({ items: [], loading: false, error: null })
  const [shown, setShown] = useState([])
  const asked = useRef(0)
  useEffect(() => {
    const mine = ++asked.current
    if (!orgId || subject.trim().length < MIN_SUBJECT) {
      setState({ items: [], loading: false, error: null })
      return undefined
    }
    const timer = setTimeout(() => {
      setState((s) => ({ ...s, loading: true }))
      action('suggestArticles', {
        org_id: orgId, subject, ...(description.trim() ? { description: description.slice(0, 10000) } : {}),
      }).then(
        (answer) => {
          if (mine !== asked.current) return
          setState({ items: answer.items, loading: false, error: null })
          setShown((ids) => [...new Set([...ids, ...answer.items.map((a) => a.id)])])
        },
        (error) => {
          if (mine !== asked.current) return
          // Suggestions are a hint: a subject the API will refuse (too long, control characters)
          // is the form's to report when it is sent; here the last suggestions simply stay.
          if (error.status === 422) setState((s) => ({ ...s, loading: false, error: null }))
          else setState((s) => ({ ...s, loading: false, error }))
        },
      )
    }, DEBOUNCE_MS)
    return () => clearTimeout(timer)
  }, [orgId, subject, description])
  // Another organization: what was shown for the first one is not a suggestion of this one.
  useEffect(() => { setShown([]) }, [orgId])
  return { ...state, shown }
}

/** The current suggestions, each opening the article: a panel beside the form on wide screens
 * (`place` 'side'), inside the form under what is typed on phones ('inline'); CSS shows one. */
export function Suggestions({ suggestions, subject, place = 'side' }) {
  const [open, setOpen] = useState(null)
  const waiting = subject.trim().length < MIN_SUBJECT
  const titleId = `suggestions-title-${place}`
  if (place === 'inline' && (waiting || (!suggestions.items.length && !suggestions.error))) return null
  return html`
    <aside class=${`suggestions suggestions-${place}${place === 'side' ? ' card' : ''}`} aria-labelledby=${titleId}>
      <h2 id=${titleId}>Suggested articles</h2>
      ${waiting ? html`<p class="muted">Start typing a subject: articles that may answer it appear here.</p>`
        : suggestions.items.length === 0 ? html`<p class="muted">${suggestions.loading ? 'Looking for articles…'
          : suggestions.error ? 'No suggestions for now.' : 'No matching articles yet.'}</p>`
            : html`
              <p class="muted">These articles may already answer your question.</p>
              <ul class="suggestion-list" aria-busy=${suggestions.loading}>
                ${suggestions.items.map((a) => html`
                  <li key=${a.id}>
                    <button type="button" class="suggestion" onClick=${() => setOpen(a)}>
                      <span class="suggestion-title">${a.title}</span>
                      ${a.category && html`<span class="muted suggestion-category">${a.category}</span>`}
                    </button>
                  </li>`)}
              </ul>`}
      ${!waiting && suggestions.error && html`<${Unavailable} error=${suggestions.error} />`}
    </aside>
    ${open && html`<${ArticleDialog} summary=${open} onClose=${() => setOpen(null)} />`}`
}

/** A failure to suggest (no network, a server error) must not get in the way of writing the
 * request: one quiet line, with the code and request id to quote if it lasts. */
function Unavailable({ error }) {
  return html`
    <p class="muted suggestions-unavailable" role="status">
      Suggestions are unavailable right now.
      <small class="suggestions-error-meta">
        ${error.code && html`<span>code <code>${error.code}</code></span>`}
        ${error.requestId && html` <span>request id <code class="request-id">${error.requestId}</code></span>`}
      </small>
    </p>`
}

/** One article, read from a suggestion (counted as such), with the helpful vote. */
function ArticleDialog({ summary, onClose }) {
  const article = useLoad(() => action('getArticle', { article_id: summary.id, from_suggestion: true }), [summary.id])
  return html`
    <${Dialog} title=${summary.title} onClose=${onClose} wide>
      ${article.error ? html`<${ErrorNotice} error=${article.error} onRetry=${article.reload} />`
        : !article.data ? html`<${Loading} label="Loading the article…" />`
          : html`
            <article class="article-body">
              ${article.data.category && html`<p class="muted">${article.data.category}</p>`}
              <${Markdown} source=${article.data.body} />
            </article>
            <${Helpful} article=${article.data} />`}
      <div class="actions end dialog-footer">
        <button type="button" onClick=${onClose}>Back to writing my request</button>
      </div>
    </${Dialog}>`
}

function Helpful({ article }) {
  const [vote, setVote] = useState(article.my_vote)
  const [error, setError] = useState(null)
  const [busy, setBusy] = useState(false)
  const answer = async (helpful) => {
    const before = vote
    setVote(helpful) // shown at once; put back if refused
    setBusy(true)
    setError(null)
    try {
      await action('markArticleHelpful', { article_id: article.id, helpful })
    } catch (e) {
      setVote(before)
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  return html`
    <div class="helpful" role="group" aria-labelledby="helpful-question">
      <p id="helpful-question"><strong>Did this answer your question?</strong></p>
      <div class="actions">
        <button type="button" aria-pressed=${vote === true} disabled=${busy} onClick=${() => answer(true)}>Yes</button>
        <button type="button" aria-pressed=${vote === false} disabled=${busy} onClick=${() => answer(false)}>No</button>
        ${vote === true && html`<span class="muted" role="status">Glad it helped. You can leave this page: no request is needed.</span>`}
        ${vote === false && html`<span class="muted" role="status">Thanks. Go on with your request below.</span>`}
      </div>
      <${ErrorNotice} error=${error} compact />
    </div>`
}
