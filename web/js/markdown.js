// Article bodies are Markdown written by staff (README: "Knowledge base"). marked turns them into
// HTML and DOMPurify keeps only inert markup (no scripts, event handlers, javascript: links,
// styles or forms) before it reaches the page; the Content-Security-Policy stops inline scripts
// as a second line. Links to other sites open in a new tab, so a request being written is never
// left behind.
import DOMPurify from 'dompurify'
import { marked } from 'marked'
import { useMemo } from 'preact/hooks'
import { html } from './ui.js'

const purifier = DOMPurify(window)
purifier.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && /^https?:/i.test(node.getAttribute('href') ?? '')) {
    node.setAttribute('target', '_blank')
    node.setAttribute('rel', 'noopener noreferrer')
  }
})
// No images: the app loads nothing from other hosts (its Content-Security-Policy refuses them).
const ALLOWED = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'img'],
}

/** `source` (Markdown, as stored) rendered as sanitized HTML. */
export function Markdown({ source }) {
  const markup = useMemo(
    () => purifier.sanitize(marked.parse(String(source ?? ''), { async: false }), ALLOWED),
    [source],
  )
  return html`<div class="markdown" dangerouslySetInnerHTML=${{ __html: markup }}></div>`
}
