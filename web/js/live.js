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
 * each broadcast. `onResync()` runs after every reconnect, and after rejoining once the user has
 * signed in again. Returns the channel's state:
 * 'connecting', 'live', 'reconnecting' or 'refused'.
 */
export function useChannel(topic, handlers, onResync) {
  const [status, setStatus] = useState('connecting')
  const latest = useRef({ handlers, onResync })
  latest.current = { handlers, onResync }
  // Signing in again after the session ended (web/js/main.js): the channel, refused or closed
  // with the old token, is joined anew with the new one, and the screen refetches.
  const [rejoins, setRejoins] = useState(0)
  useEffect(() => {
    const rejoin = () => setRejoins((n) => n + 1)
    window.addEventListener('session-resumed', rejoin)
    return () => window.removeEventListener('session-resumed', rejoin)
  }, [])
  useEffect(() => {
    if (!topic) return undefined
    let joinedBefore = rejoins > 0
    let cancelled = false
    let channel = null
    setStatus('connecting')
    const join = async () => {
      // supabase-js hands out one channel per topic: one still leaving (the previous screen's,
      // or this screen's before a rejoin) must be gone first, or the new join never happens.
      const stale = supabase.getChannels().find((c) => c.topic === `realtime:${topic}`)
      if (stale) await supabase.removeChannel(stale)
      if (cancelled) return
      channel = supabase.channel(topic, { config: { private: true } })
      for (const event of ['ticket_created', 'ticket_updated', 'ticket_deleted', 'comment_added']) {
        channel.on('broadcast', { event }, ({ payload }) => latest.current.handlers[event]?.(payload))
      }
      const mine = channel
      mine.subscribe((state, err) => {
        if (cancelled) return // this screen left the channel: its closing is not news
        if (state === 'SUBSCRIBED') {
          setStatus('live')
          if (joinedBefore) latest.current.onResync?.()
          joinedBefore = true
        } else if (state === 'CHANNEL_ERROR' && isRefusal(err)) {
          setStatus('refused')
          supabase.removeChannel(mine)
        } else if (state === 'CHANNEL_ERROR' || state === 'TIMED_OUT' || state === 'CLOSED') {
          setStatus((s) => (s === 'refused' ? s : 'reconnecting'))
        }
      })
    }
    join()
    return () => {
      cancelled = true
      if (channel) supabase.removeChannel(channel)
    }
  }, [topic, rejoins])
  return status
}
