// The shell: a history-API router over lazily imported page modules, the
// tab bar, the unread-message badge, the texts in the person's language,
// and the login shared by the browser's tabs.

import { api, loggedIn, TOKEN_STORAGE_KEY } from './api.js';
import { h } from './dom.js';
import { adoptStored, load, t } from './i18n.js';

const ROUTES = [
  [/^\/$/, 'home', 'home'],
  [/^\/search$/, 'search', 'search'],
  [/^\/items\/([^/]+)$/, 'item', 'search'],
  [/^\/items\/([^/]+)\/book$/, 'booking', 'search'],
  [/^\/me\/appointments(?:\/([^/]+))?$/, 'appointments', 'me'],
  [/^\/me\/bills$/, 'bills', 'me'],
  [/^\/me\/payments(?:\/([^/]+))?$/, 'payment', 'me'],
  [/^\/me\/applications\/([^/]+)$/, 'application', 'me'],
  [/^\/me\/(feedback)\/[^/]+$/, 'me', 'me'],
  [/^\/me(?:\/(applications|messages|feedback|profile|display))?$/, 'me', 'me'],
  [/^\/wallet(?:\/([^/]+))?$/, 'wallet', 'wallet'],
  [/^\/verify$/, 'verify', 'wallet'],
];

let cleanup = null;
let seq = 0;
let first = true;

/** Goes to `url` (path + query) inside the app. */
export function navigate(url, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
}

async function render() {
  const mine = ++seq;
  if (cleanup) {
    try {
      cleanup();
    } catch {
      /* a page's cleanup never blocks the next page */
    }
    cleanup = null;
  }
  const path = location.pathname;
  let name = 'notfound';
  let tab = '';
  let params = [];
  for (const [re, page, t] of ROUTES) {
    const m = path.match(re);
    if (m) {
      name = page;
      tab = t;
      params = m.slice(1).map((p) => (p === undefined ? undefined : decodeURIComponent(p)));
      break;
    }
  }
  for (const a of document.querySelectorAll('.tabbar a')) {
    if (a.dataset.tab === tab) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const main = document.getElementById('main');
  const view = h('div', { class: 'view' });
  let mod;
  try {
    mod = await import(`./pages/${name}.js`);
  } catch {
    main.replaceChildren(h('p', { class: 'error', role: 'alert', text: t('web-page-load-failed') }));
    return;
  }
  if (mine !== seq) return;
  main.replaceChildren(view);
  const ctx = {
    params,
    query: new URLSearchParams(location.search),
    alive: () => mine === seq,
    navigate,
  };
  const done = mod.render(view, ctx);
  if (!first) {
    const heading = view.querySelector('h1');
    (heading || main).focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
  first = false;
  const result = await done;
  if (mine === seq && typeof result === 'function') cleanup = result;
  else if (typeof result === 'function') result();
}

document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const href = a.getAttribute('href');
  if (href.startsWith('#')) {
    // In-page links (the skip link) move focus, not only the scroll position.
    const target = document.getElementById(href.slice(1));
    if (target) {
      e.preventDefault();
      target.focus();
    }
    return;
  }
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/assets/')) return;
  if (url.pathname === location.pathname && url.search === location.search && url.hash) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});

window.addEventListener('popstate', render);

/** Shows the unread-message count on the 我的 tab. */
export async function refreshBadge() {
  const badge = document.querySelector('.tabbar .badge');
  if (!badge) return;
  if (!loggedIn()) {
    badge.hidden = true;
    return;
  }
  try {
    const inbox = await api('/api/v1/me/messages?unread=true&size=1');
    const n = inbox.unread || 0;
    badge.textContent = n > 99 ? '99+' : String(n);
    badge.setAttribute('aria-label', t('web-unread-count', { count: n }));
    badge.hidden = n === 0;
  } catch {
    badge.hidden = true;
  }
}

document.addEventListener('yuesou:auth', refreshBadge);
document.addEventListener('yuesou:messages', refreshBadge);
// A new language or 长辈版: the page is drawn again in it.
document.addEventListener('yuesou:display', () => render());

// Another tab logged in or out, or changed the language or mode: this tab
// follows (a logout anywhere ends the session everywhere).
window.addEventListener('storage', async (e) => {
  if (e.key === TOKEN_STORAGE_KEY || e.key === null) {
    refreshBadge();
    render();
    return;
  }
  if (await adoptStored(e.key)) render();
});

await load();
render();
refreshBadge();
