// Overview: counts, live containers, and each mapping's lag.
import { get } from './api.js';
import { debounce } from './debounce.js';
import { enc, h, link, table } from './dom.js';

export async function overviewView({ main, onEngineEvent }) {
  main.append(h('h2', {}, 'Overview'));
  const body = h('div', { id: 'status' });
  main.append(body);
  const render = async () => {
    const s = await get('/status');
    const c = s.counts;
    body.replaceChildren(
      h('p', {}, `Region ${s.region}, account ${s.accountId}. ${s.pendingAsyncEvents} async events pending.`),
      h(
        'ul',
        { class: 'cards', 'aria-label': 'Resources' },
        [
          ['Functions', c.functions, '#/functions'],
          ['Mappings', c.mappings, '#/mappings'],
          ['Buckets', c.buckets, '#/buckets'],
          ['Streams', c.streams, '#/streams'],
          ['Tables', c.tables, '#/tables'],
          ['Roles', c.roles, '#/roles'],
        ].map(([label, n, href]) => h('li', {}, h('strong', {}, n), link(href, label))),
      ),
      h('h3', {}, 'Live containers'),
      table('Containers per function', s.containers, [
        ['Function', (r) => link(`#/functions/${enc(r.functionName)}`, r.functionName)],
        ['Containers', (r) => r.containers, { num: true }],
      ]),
      h('h3', {}, 'Mappings'),
      table('Lag per mapping', s.mappings, [
        ['Mapping', (m) => link(`#/mappings/${enc(m.uuid)}`, m.uuid)],
        ['Function', (m) => m.functionName],
        ['State', (m) => m.state],
        ['Lag (ms)', (m) => m.maxIteratorAgeMs, { num: true }],
        ['Last result', (m) => m.lastProcessingResult],
      ]),
    );
  };
  await render();
  const refresh = debounce(() => render().catch(() => undefined), 400);
  const off = onEngineEvent(refresh);
  return () => {
    off();
    refresh.cancel();
  };
}
