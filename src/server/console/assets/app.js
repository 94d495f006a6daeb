// The console's entry: hash routes to views, one live feed of engine events shared by them.
import { feed } from './api.js';
import { disposeCharts } from './chart.js';
import { h } from './dom.js';
import { functionsView, functionView } from './view-functions.js';
import { logsView } from './view-logs.js';
import { mappingsView, mappingView } from './view-mappings.js';
import { overviewView } from './view-overview.js';
import {
  bucketsView,
  bucketView,
  rolesView,
  roleView,
  streamsView,
  streamView,
  tablesView,
  tableView,
} from './view-resources.js';

const main = document.getElementById('main');
const live = document.getElementById('live');
const listeners = new Set();

/** Engine events for the current view; the view's cleanup unsubscribes. */
export function onEngineEvent(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

feed(
  '/events',
  {},
  {
    onReady: () => {
      live.textContent = 'live';
    },
    onDown: () => {
      live.textContent = 'reconnecting…';
    },
    onData: (event) => {
      for (const listener of listeners) listener(event);
    },
  },
);

const ROUTES = [
  [/^\/$/, overviewView],
  [/^\/functions$/, functionsView],
  [/^\/functions\/([^/]+)$/, functionView],
  [/^\/mappings$/, mappingsView],
  [/^\/mappings\/([^/]+)$/, mappingView],
  [/^\/logs$/, logsView],
  [/^\/buckets$/, bucketsView],
  [/^\/buckets\/([^/]+)$/, bucketView],
  [/^\/streams$/, streamsView],
  [/^\/streams\/([^/]+)$/, streamView],
  [/^\/tables$/, tablesView],
  [/^\/tables\/([^/]+)$/, tableView],
  [/^\/roles$/, rolesView],
  [/^\/roles\/([^/]+)$/, roleView],
];

let cleanup = () => undefined;

async function route() {
  cleanup();
  cleanup = () => undefined;
  disposeCharts();
  const hash = location.hash.replace(/^#/, '') || '/';
  const q = hash.indexOf('?');
  const path = q < 0 ? hash : hash.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : hash.slice(q + 1));
  for (const a of document.querySelectorAll('nav a')) {
    const target = a.getAttribute('href').slice(1);
    const current = target === '/' ? path === '/' : path.startsWith(target);
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const found = ROUTES.find(([pattern]) => pattern.test(path));
  main.replaceChildren();
  main.setAttribute('aria-busy', 'true');
  try {
    if (!found) {
      main.append(h('h2', {}, 'Not found'), h('p', {}, `No page at ${path}.`));
      return;
    }
    const args = found[0].exec(path).slice(1).map(decodeURIComponent);
    const view = await found[1]({ main, args, params, onEngineEvent });
    if (typeof view === 'function') cleanup = view;
  } catch (err) {
    main.append(h('p', { class: 'error', role: 'alert' }, `${err.code ?? 'Error'}: ${err.message}`));
  } finally {
    main.removeAttribute('aria-busy');
    document.title = `${main.querySelector('h2')?.textContent ?? 'lambdalite'} · lambdalite console`;
  }
}

window.addEventListener('hashchange', () => {
  route().then(() => main.focus());
});
route();
