// Article bodies are Markdown written by staff. They are shown as text: paragraphs, headings,
// lists, **bold**, *emphasis* and `code` become elements built by Preact (which escapes text),
// never HTML parsed from the body, so nothing in an article can run or inject markup.
import { html } from '../ui.js'

/** Inline marks of one line: **bold**, *emphasis*, `code`; everything else stays text. */
function inline(text) {
  const parts = []
  const pattern = /(\*\*[^*]+\*\*|`[^`]+`|\*[^*\s][^*]*\*|_[^_\s][^_]*_)/g
  let last = 0
  for (const found of text.matchAll(pattern)) {
    if (found.index > last) parts.push(text.slice(last, found.index))
    const token = found[0]
    if (token.startsWith('**')) parts.push(html`<strong>${token.slice(2, -2)}</strong>`)
    else if (token.startsWith('`')) parts.push(html`<code>${token.slice(1, -1)}</code>`)
    else parts.push(html`<em>${token.slice(1, -1)}</em>`)
    last = found.index + token.length
  }
  if (last < text.length) parts.push(text.slice(last))
  return parts
}

/** Markdown `source` as blocks: headings, ordered and bulleted lists, paragraphs. */
export function Markdown({ source }) {
  const blocks = []
  let list = null
  let paragraph = []
  const flushParagraph = () => {
    if (paragraph.length) blocks.push(html`<p>${inline(paragraph.join(' '))}</p>`)
    paragraph = []
  }
  const flushList = () => {
    if (list) blocks.push(list.ordered ? html`<ol>${list.items}</ol>` : html`<ul>${list.items}</ul>`)
    list = null
  }
  for (const raw of String(source ?? '').split('\n')) {
    const line = raw.trim()
    const item = /^(\d+[.)]|[-*+])\s+(.*)$/.exec(line)
    const heading = /^(#{1,6})\s+(.*)$/.exec(line)
    if (!line) {
      flushParagraph(); flushList()
    } else if (heading) {
      flushParagraph(); flushList()
      blocks.push(html`<p class="md-heading"><strong>${inline(heading[2])}</strong></p>`)
    } else if (item) {
      flushParagraph()
      const ordered = /^\d/.test(item[1])
      if (list && list.ordered !== ordered) flushList()
      list ??= { ordered, items: [] }
      list.items.push(html`<li>${inline(item[2])}</li>`)
    } else {
      flushList()
      paragraph.push(line)
    }
  }
  flushParagraph(); flushList()
  return html`<div class="markdown">${blocks}</div>`
}
