// Live updates: a private Realtime broadcast topic (README: "Live updates"), joined with the
// signed-in user's token. The channel's state is shown on screen; after a reconnect the screen
// refetches, since broadcasts sent while offline are not replayed.
import { useEffect, useRef, useState } from 'preact/hooks'
import { supabase } from './config.js'

// A refused join names its reason; a lost connection reads "channel error" or "socket closed",
// and supabase-js keeps retrying it on its own.
const isRefusal = (err) => !!err && !/^(channel error|socket closed)/.test(err.message)

/**
 * Join `topic` (e.g. `org:<org_id>:tickets`; `null`: none) and call `handlers[event](payload)` for
 * each broadcast. `onResync()` runs after every reconnect. Returns the channel's state:
 * 'connecting', 'live', 'reconnecting' or 'refused'.
 */
export function useChannel(topic, handlers, onResync) {
  const [status, setStatus] = useState('connecting')
  const latest = useRef({ handlers, onResync })
  latest.current = { handlers, onResync }
  useEffect(() => {
    if (!topic) return undefined
    let joinedBefore = false
    setStatus('connecting')
    const channel = supabase.channel(topic, { config: { private: true } })
    for (const event of ['ticket_created', 'ticket_updated', 'ticket_deleted', 'comment_added']) {
      channel.on('broadcast', { event }, ({ payload }) => latest.current.handlers[event]?.(payload))
    }
    channel.subscribe((state, err) => {
      if (state === 'SUBSCRIBED') {
        setStatus('live')
        if (joinedBefore) latest.current.onResync?.()
        joinedBefore = true
      } else if (state === 'CHANNEL_ERROR' && isRefusal(err)) {
        setStatus('refused')
        supabase.removeChannel(channel)
      } else if (state === 'CHANNEL_ERROR' || state === 'TIMED_OUT' || state === 'CLOSED') {
        setStatus((s) => (s === 'refused' ? s : 'reconnecting'))
      }
    })
    return () => { supabase.removeChannel(channel) }
  }, [topic])
  return status
}
