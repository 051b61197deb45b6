// The public API, with the read token from this tab's session storage (never the URL, a cookie or a log).
const KEY = 'pulse.session';

export const session = {
  get() {
    try {
      return JSON.parse(sessionStorage.getItem(KEY));
    } catch {
      return null;
    }
  },
  set(app, token) {
    sessionStorage.setItem(KEY, JSON.stringify({ app, token }));
  },
  clear() {
    sessionStorage.removeItem(KEY);
  },
};

export class ApiError extends Error {
  constructor(status, problem) {
    // a proxy's error page or an empty HTTP/2 status text leaves nothing to quote
    super(problem.detail || problem.title || 'no details given');
    this.status = status;
    this.field = problem.field;
  }
}

// query-api runs at most PULSE_QUERY_MAX_CONCURRENT_PER_APP (4) queries of one app at once and answers 429 to one
// more: the dashboard asks at most that many at a time, and on a 429 (another tab or person on the same app) waits
// for Retry-After and asks again, a few times, before showing the 429
const MAX_IN_FLIGHT = 4;
const RETRIES = 3;
let inFlight = 0;
const waiting = [];

async function slot() {
  if (inFlight < MAX_IN_FLIGHT) {
    inFlight += 1;
    return;
  }
  await new Promise((resolve) => waiting.push(resolve));
}

function free() {
  const next = waiting.shift();
  if (next) {
    next();
  } else {
    inFlight -= 1;
  }
}

function retryAfter(res) {
  const seconds = Number(res.headers.get('Retry-After'));
  return new Promise((resolve) => setTimeout(resolve, 1000 * (seconds > 0 && seconds <= 30 ? seconds : 1)));
}

async function send(path, init) {
  for (let attempt = 0; ; attempt += 1) {
    const s = session.get();
    if (!s) {
      throw new ApiError(401, { detail: 'not signed in' });
    }
    await slot();
    let res;
    try {
      res = await fetch(path, {
        ...init,
        credentials: 'omit',
        cache: 'no-store',
        headers: { ...init.headers, Authorization: `Bearer ${s.token}`, Accept: 'application/json, application/problem+json' },
      });
    } catch (e) {
      throw new ApiError(0, { detail: `the server did not answer (${e.message})` });
    } finally {
      free();
    }
    if (res.status === 429 && attempt < RETRIES) {
      await retryAfter(res);
      continue;
    }
    if (!res.ok) {
      let problem = {};
      try {
        problem = await res.json();
      } catch {
        problem = { detail: res.statusText };
      }
      throw new ApiError(res.status, problem);
    }
    return res.json();
  }
}

/** POST a JSON body (with the signed-in app) to a query endpoint. */
export function post(path, body) {
  return send(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ app: session.get()?.app, ...body }),
  });
}

/** POST /v1/query for the signed-in app. */
export function query(body) {
  return post('/v1/query', body);
}

/** GET path?app=…&params for the signed-in app. */
export function get(path, params = {}) {
  const search = new URLSearchParams({ app: session.get()?.app ?? '', ...params });
  return send(`${path}?${search}`, { method: 'GET', headers: {} });
}

/** An error in words: what failed, and the field at fault for a 400. */
export function describe(error) {
  if (!(error instanceof ApiError)) {
    return `Something went wrong: ${error.message}`;
  }
  switch (error.status) {
    case 0: return `No answer: ${error.message}.`;
    case 400: return `The request was refused (400): ${error.message}${error.field ? ` — field “${error.field}”` : ''}.`;
    case 401: return 'The read token was not accepted (401). Sign in again.';
    case 404: return `Not found (404): ${error.message}.`;
    case 429: return `Too many requests (429): ${error.message}. Wait a moment, then change the view or reload.`;
    default: return error.status >= 500
      ? `The server failed (${error.status}): ${error.message}. Reload to try again.`
      : `The server answered ${error.status}: ${error.message}.`;
  }
}
