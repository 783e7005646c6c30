// Tessera browser-flow demo: no framework, no build. Shows the pattern docs/browser-flow.md asks of SPAs:
// the access token lives in this module's memory only, the refresh token in an HttpOnly cookie,
// and every cookie-authenticated call carries `X-Requested-With: tessera`.

const API = ""; // same origin as the page; set to "https://auth.example.com" for a separate API origin
const CSRF = { "X-Requested-With": "tessera" };
const LOCK = "tessera-refresh";

/** @type {{ token: string, expiresAt: number, stamp: number } | null} */
let auth = null;
let refreshTimer = 0;
let countdownTimer = 0;

const channel = "BroadcastChannel" in self ? new BroadcastChannel("tessera-auth") : null;
const $ = (id) => document.getElementById(id);

function log(message) {
  const item = document.createElement("li");
  item.textContent = `${new Date().toLocaleTimeString()} ${message}`;
  $("log").prepend(item);
}

function setStatus(state, text) {
  $("status").dataset.state = state;
  $("status").textContent = text;
}

async function call(path, init = {}) {
  const res = await fetch(API + path, { credentials: "include", ...init });
  const body = res.status === 204 ? null : await res.json().catch(() => null);
  return { status: res.status, ok: res.ok, body };
}

function explain(res) {
  if (res.status === 403 && res.body?.error === "forbidden") {
    return `${res.body.error_description} (is ${location.origin} in ALLOWED_ORIGINS, or PUBLIC_URL's origin?)`;
  }
  return res.body?.error_description ?? `HTTP ${res.status}`;
}

// ---- token state -----------------------------------------------------------------------------

function adopt(token, expiresAt, { broadcast }) {
  auth = { token, expiresAt, stamp: (auth?.stamp ?? 0) + 1 };
  if (broadcast) channel?.postMessage({ type: "token", token, expiresAt });
  schedule();
}

function forget() {
  auth = null;
  clearTimeout(refreshTimer);
  clearInterval(countdownTimer);
}

/** Refresh before expiry: halfway through short lifetimes, a minute early for normal ones. */
function schedule() {
  clearTimeout(refreshTimer);
  clearInterval(countdownTimer);
  if (!auth) return;
  const lifetime = auth.expiresAt - Date.now();
  const delay = Math.max(lifetime / 2, lifetime - 60_000);
  refreshTimer = setTimeout(() => void refresh("timer"), delay);
  const tick = () => ($("expires-in").textContent = String(Math.max(0, Math.round((auth?.expiresAt - Date.now()) / 1000))));
  tick();
  countdownTimer = setInterval(tick, 1000);
}

/**
 * Rotates the refresh cookie and gets a new access token. Tabs share one cookie, so they take
 * turns (Web Locks); a tab that waited for the lock and meanwhile received a fresh token from
 * another tab (BroadcastChannel) uses it instead of rotating again. The server's grace window
 * covers browsers without either API.
 */
async function refresh(reason) {
  const stampBefore = auth?.stamp ?? 0;
  const run = async () => {
    if (auth && auth.stamp !== stampBefore && auth.expiresAt - Date.now() > 30_000) {
      log(`refresh (${reason}): another tab already refreshed; using its token`);
      return true;
    }
    const res = await call("/auth/session/refresh", { method: "POST", headers: CSRF });
    if (!res.ok) {
      const quiet = reason === "page load" && res.status === 401;
      log(quiet ? "page load: no live session cookie, so not signed in" : `refresh (${reason}) failed: ${explain(res)}`);
      signedOut(res.status !== 401 ? explain(res) : reason === "page load" ? "Not signed in." : "Signed out.");
      return false;
    }
    adopt(res.body.access_token, Date.now() + res.body.expires_in * 1000, { broadcast: true });
    log(`refresh (${reason}): new access token, cookie rotated`);
    return true;
  };
  return navigator.locks ? navigator.locks.request(LOCK, run) : run();
}

/** Calls the API with the access token; one silent refresh and retry on a 401. */
async function withToken(path, init = {}) {
  if (!auth && !(await refresh("no token"))) return null;
  const send = () => call(path, { ...init, headers: { ...init.headers, Authorization: `Bearer ${auth.token}` } });
  let res = await send();
  if (res.status === 401 && (await refresh("401 from API"))) res = await send();
  return res;
}

// ---- screens -----------------------------------------------------------------------------------

function signedOut(text) {
  forget();
  $("signed-in").hidden = true;
  $("signed-out").hidden = false;
  $("me").replaceChildren();
  $("sessions").replaceChildren();
  setStatus("signed-out", text);
}

function renderMe(user) {
  const rows = [
    ["Email", user.email],
    ["Name", user.name ?? "—"],
    ["Role", user.role],
    ["User id", user.id],
    ["Member since", new Date(user.created_at).toLocaleString()],
  ];
  $("me").replaceChildren(
    ...rows.flatMap(([k, v]) => {
      const dt = document.createElement("dt");
      dt.textContent = k;
      const dd = document.createElement("dd");
      dd.textContent = v;
      return [dt, dd];
    }),
  );
}

function renderSessions(sessions) {
  $("sessions").replaceChildren(
    ...sessions.map((s) => {
      const tr = document.createElement("tr");
      for (const text of [when(s.created_at), when(s.last_used_at), browserName(s.user_agent)]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      const td = document.createElement("td");
      if (s.current) {
        td.textContent = "this tab";
        td.className = "current";
      } else {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = "End";
        button.addEventListener("click", () => void endSession(s.id));
        td.append(button);
      }
      tr.append(td);
      return tr;
    }),
  );
}

function when(iso) {
  return new Date(iso).toLocaleString([], { dateStyle: "short", timeStyle: "short" });
}

function browserName(ua) {
  if (!ua) return "unknown";
  const m = /(HeadlessChrome|Chrome|Chromium|Firefox|Edg|Safari)\/[\d.]+/.exec(ua);
  return m ? m[0] : ua.slice(0, 40);
}

async function showAccount() {
  const me = await withToken("/users/me");
  if (!me) return;
  if (!me.ok) return signedOut(explain(me));
  renderMe(me.body);
  $("signed-out").hidden = true;
  $("signed-in").hidden = false;
  setStatus("signed-in", `Signed in as ${me.body.email}`);
  const sessions = await withToken("/users/me/sessions");
  if (sessions?.ok) renderSessions(sessions.body.sessions);
}

async function endSession(id) {
  const res = await withToken(`/users/me/sessions/${encodeURIComponent(id)}`, { method: "DELETE" });
  log(res?.status === 204 ? "ended another session" : `could not end session: ${res ? explain(res) : "signed out"}`);
  await showAccount();
}

// ---- actions -----------------------------------------------------------------------------------

/**
 * Sign-in (`/auth/session`) and sign-up (`/auth/session/register`) answer alike: the access token
 * in the body, the refresh token in the HttpOnly cookie.
 */
async function startSession(path, fields, action) {
  const res = await call(path, {
    method: "POST",
    headers: { ...CSRF, "Content-Type": "application/json" },
    body: JSON.stringify(fields),
  });
  if (!res.ok) {
    log(`${action} failed: ${explain(res)}`);
    setStatus("error", explain(res));
    return;
  }
  adopt(res.body.access_token, Date.now() + res.body.expires_in * 1000, { broadcast: true });
  log(`${action}: signed in as ${res.body.user.email}`);
  await showAccount();
}

const signIn = (email, password) => startSession("/auth/session", { email, password }, "sign-in");
const signUp = (name, email, password) =>
  startSession("/auth/session/register", { name: name || undefined, email, password }, "sign-up");

async function signOut() {
  const res = await call("/auth/session", { method: "DELETE", headers: CSRF });
  if (res.status !== 204) log(`sign-out: ${explain(res)}`);
  channel?.postMessage({ type: "signed-out" });
  log("signed out");
  signedOut("Signed out.");
}

// ---- wiring ------------------------------------------------------------------------------------

channel?.addEventListener("message", (event) => {
  const msg = event.data;
  if (msg?.type === "token") {
    const first = !auth;
    adopt(msg.token, msg.expiresAt, { broadcast: false });
    log("received a fresh access token from another tab");
    if (first) void showAccount();
  } else if (msg?.type === "signed-out") {
    log("another tab signed out");
    signedOut("Signed out in another tab.");
  }
});

$("signin-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = new FormData(event.currentTarget);
  void signIn(String(form.get("email")), String(form.get("password")));
});
$("signup-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = new FormData(event.currentTarget);
  void signUp(String(form.get("name")), String(form.get("email")), String(form.get("password")));
});
$("refresh-button").addEventListener("click", () => void refresh("button").then((ok) => ok && showAccount()));
$("profile-button").addEventListener("click", () => void showAccount());
$("signout-button").addEventListener("click", () => void signOut());

/** One link per configured provider; the flow comes back to this page with the refresh cookie set. */
async function showProviders() {
  const res = await call("/auth/providers");
  const providers = res.ok ? res.body.providers : [];
  const links = providers.map((p) => {
    const a = document.createElement("a");
    a.className = "button";
    a.textContent = `Continue with ${p.label}`;
    a.href = `${API}/auth/oauth/${encodeURIComponent(p.id)}/start?redirect_to=${encodeURIComponent(location.pathname)}`;
    return a;
  });
  $("provider-buttons").replaceChildren(...links);
  $("providers").hidden = links.length === 0;
}

// Back from a provider that refused: the reason is in the query (never a token), then dropped from the address bar.
const providerError = new URLSearchParams(location.search).get("error");
if (providerError) {
  log(`provider sign-in failed: ${providerError}`);
  history.replaceState(null, "", location.pathname);
}
void showProviders();

// On load the page has no token: the cookie (if any) is the only way back into the session.
refresh("page load").then((ok) => (ok ? showAccount() : undefined));
