// Hash routes: the app is static files, so any static host serves every screen.
import { useEffect, useState } from 'preact/hooks'

export function navigate(path) {
  if (window.location.hash !== `#${path}`) window.location.hash = path
}

export function useRoute() {
  const read = () => window.location.hash.replace(/^#/, '') || '/'
  const [path, setPath] = useState(read)
  useEffect(() => {
    const update = () => setPath(read())
    window.addEventListener('hashchange', update)
    return () => window.removeEventListener('hashchange', update)
  }, [])
  return path
}

/** Match `path` against a pattern such as '/org/:orgId/tickets/:ticketId'; the named parts, or null. */
export function match(pattern, path) {
  const names = []
  const source = pattern.replace(/:(\w+)/g, (_, name) => { names.push(name); return '([^/]+)' })
  const found = new RegExp(`^${source}/?$`).exec(path)
  if (!found) return null
  try {
    return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1])]))
  } catch {
    return null // a malformed %-escape names nothing: the route does not match
  }
}
