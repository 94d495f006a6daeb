// The console API (/_lambdalite/api) and its live feeds.
const BASE = '/_lambdalite/api';

export class ApiError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

async function answer(response) {
  const body = await response
    .json()
    .catch(() => ({ code: 'BadResponse', message: `HTTP ${response.status}` }));
  if (!response.ok) throw new ApiError(body.code, body.message);
  return body;
}

export function get(path, query = {}) {
  const url = new URL(BASE + path, location.origin);
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  return fetch(url, { headers: { accept: 'application/json' } }).then(answer);
}

export function post(path, body) {
  return fetch(BASE + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  }).then(answer);
}

/** An EventSource on a feed; `onReady` once the server subscribed, `onData` per message. */
export function feed(path, query, { onData, onReady, onDown }) {
  const url = new URL(BASE + path, location.origin);
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  const source = new EventSource(url);
  source.addEventListener('message', (e) => onData(JSON.parse(e.data)));
  source.addEventListener('ready', () => onReady?.());
  source.addEventListener('error', () => onDown?.());
  return source;
}
