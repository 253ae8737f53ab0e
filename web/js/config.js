// The app's configuration, served beside index.html as /config.json by whatever hosts the app:
// { supabaseUrl, supabaseAnonKey, bffUrl }. `make dev` writes it for the local stack; a hosted
// deployment serves its project URL, anon key and BFF URL the same way.
const response = await fetch('/config.json', { cache: 'no-store' })
if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`)

export const config = await response.json()

// supabase-js, loaded by index.html as its UMD bundle (window.supabase). It keeps the session in
// localStorage, refreshes the access token before it expires and hands new tokens to Realtime.
export const supabase = window.supabase.createClient(config.supabaseUrl, config.supabaseAnonKey)
