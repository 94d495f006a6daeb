// Event source mappings: the list, and one mapping's shards, checkpoints and iterator age.
import { get } from './api.js';
import { chart } from './chart.js';
import { debounce } from './debounce.js';
import { enc, h, link, table } from './dom.js';

export async function mappingsView({ main }) {
  const mappings = await get('/mappings');
  main.append(
    h('h2', {}, 'Mappings'),
    table('Event source mappings', mappings, [
      ['Mapping', (m) => link(`#/mappings/${enc(m.uuid)}`, m.uuid)],
      ['Function', (m) => link(`#/functions/${enc(m.functionName)}`, m.functionName)],
      ['Source', (m) => m.eventSourceArn],
      ['State', (m) => m.state],
      ['Last result', (m) => m.lastProcessingResult],
    ]),
  );
}

export async function mappingView({ main, args: [uuid], onEngineEvent }) {
  const shardsBox = h('div', { id: 'shards' });
  const chartBox = h('div', { class: 'charts' });
  const heading = h('h2', {}, `Mapping ${uuid}`);
  const about = h('p');
  main.append(
    h('p', { class: 'breadcrumb' }, link('#/mappings', 'Mappings'), ' / ', uuid),
    heading,
    about,
    h('h3', {}, 'Shards and checkpoints'),
    shardsBox,
    h('h3', {}, 'Iterator age'),
    chartBox,
  );
  const render = async () => {
    const [m, metrics] = await Promise.all([
      get(`/mappings/${enc(uuid)}`),
      get(`/metrics/mappings/${enc(uuid)}`),
    ]);
    about.replaceChildren(
      `${m.eventSourceArn} → `,
      link(`#/functions/${enc(m.functionName)}`, m.functionName),
      ` · ${m.state} · batch ${m.batchSize} · ${m.lastProcessingResult} · ${m.failures.length} stored failures`,
    );
    shardsBox.replaceChildren(
      table('Checkpoint and iterator age per shard', m.shards, [
        ['Shard', (s) => s.shardId],
        ['Checkpoint (sequence number)', (s) => s.sequenceNumber, {}],
        ['Iterator age (ms)', (s) => s.iteratorAgeMs, { num: true }],
        ['Drained', (s) => (s.drained ? 'yes' : 'no')],
      ]),
    );
    chartBox.replaceChildren(
      chart(
        'iterator-age',
        'IteratorAge, maximum per period (ms)',
        metrics.rows,
        [
          ['Maximum', (r) => r.maximum],
          ['Average', (r) => r.average],
        ],
        ' ms',
        metrics,
      ),
    );
  };
  await render();
  const refresh = debounce(() => render().catch(() => undefined), 400);
  const off = onEngineEvent((e) => {
    if (e.uuid === uuid) refresh();
  });
  return () => {
    off();
    refresh.cancel();
  };
}
