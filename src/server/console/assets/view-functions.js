// Functions: the list, and one function's graphs, invoke form and dead letters.
import { get, post } from './api.js';
import { chart } from './chart.js';
import { debounce } from './debounce.js';
import { enc, h, link, table, time } from './dom.js';

export async function functionsView({ main }) {
  const functions = await get('/functions');
  main.append(
    h('h2', {}, 'Functions'),
    table('Functions', functions, [
      ['Name', (f) => link(`#/functions/${enc(f.functionName)}`, f.functionName)],
      ['Handler', (f) => f.handler],
      ['Memory (MB)', (f) => f.memorySize, { num: true }],
      ['Timeout (s)', (f) => f.timeout, { num: true }],
      ['Logs', (f) => link(`#/logs?group=${enc(`/aws/lambda/${f.functionName}`)}`, 'tail')],
    ]),
  );
}

const WINDOWS = [
  ['15 minutes', 900],
  ['1 hour', 3600],
  ['6 hours', 21600],
  ['1 day', 86400],
];

function charts(m) {
  const { rows } = m;
  return [
    chart(
      'invocations',
      'Invocations and errors',
      rows,
      [
        ['Invocations', (r) => r.invocations],
        ['Errors', (r) => r.errors],
      ],
      '',
      m,
    ),
    chart(
      'error-rate',
      'Error rate and availability (%)',
      rows,
      [
        ['Error rate', (r) => r.errorRate],
        ['Availability', (r) => r.availability],
      ],
      '%',
      m,
    ),
    chart(
      'duration',
      'Duration p50 / p99 (ms)',
      rows,
      [
        ['p50', (r) => r.duration.p50],
        ['p99', (r) => r.duration.p99],
      ],
      ' ms',
      m,
    ),
    chart(
      'throttles',
      'Throttles and concurrency',
      rows,
      [
        ['Throttles', (r) => r.throttles],
        ['Concurrency', (r) => r.concurrency],
      ],
      '',
      m,
    ),
  ];
}

function invokeForm(name) {
  const payload = h('textarea', { id: 'invoke-payload', name: 'payload', spellcheck: 'false' }, '{}');
  const type = h(
    'select',
    { id: 'invoke-type', name: 'type' },
    h('option', { value: 'RequestResponse' }, 'RequestResponse (wait for the result)'),
    h('option', { value: 'Event' }, 'Event (queue it)'),
  );
  const result = h(
    'pre',
    { id: 'invoke-result', 'aria-live': 'polite', tabindex: '0' },
    'No invocation yet.',
  );
  const form = h(
    'form',
    { 'aria-labelledby': 'invoke-heading' },
    h('label', { for: 'invoke-payload' }, 'Payload (JSON)', payload),
    h(
      'div',
      { class: 'inline' },
      h('label', { for: 'invoke-type' }, 'Invocation type', type),
      h('button', { type: 'submit' }, 'Invoke'),
    ),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    let event;
    try {
      event = payload.value.trim() === '' ? undefined : JSON.parse(payload.value);
    } catch (err) {
      result.className = 'error';
      result.textContent = `The payload is not valid JSON: ${err.message}`;
      return;
    }
    result.className = '';
    result.textContent = 'Invoking…';
    try {
      const out = await post(`/functions/${enc(name)}/invoke`, {
        payload: event,
        invocationType: type.value,
      });
      result.className = out.functionError ? 'error' : 'ok';
      result.textContent =
        type.value === 'Event'
          ? `Queued, request ${out.requestId}`
          : `${out.functionError ? `Function error (${out.functionError})\n` : ''}${JSON.stringify(out.payload ?? null, null, 2)}\n\nrequest ${out.requestId}`;
    } catch (err) {
      result.className = 'error';
      result.textContent = `${err.code}: ${err.message}`;
    }
  });
  return h(
    'section',
    { 'aria-labelledby': 'invoke-heading' },
    h('h3', { id: 'invoke-heading' }, 'Invoke'),
    form,
    result,
  );
}

function deadLetters(name) {
  const section = h('section', { 'aria-labelledby': 'dl-heading' });
  const message = h('p', { role: 'status', 'aria-live': 'polite', id: 'dl-status' });
  const redrive = async (requestIds) => {
    try {
      const out = await post(`/functions/${enc(name)}/redrive`, requestIds ? { requestIds } : {});
      message.textContent = `Redriven: ${out.requestIds.length} event(s).`;
      await render();
    } catch (err) {
      message.textContent = `${err.code}: ${err.message}`;
    }
  };
  const render = async () => {
    const letters = await get(`/functions/${enc(name)}/dead-letters`);
    section.replaceChildren(
      h('h3', { id: 'dl-heading' }, `Dead letters (${letters.length})`),
      message,
      letters.length > 0
        ? h('button', { type: 'button', class: 'secondary', onclick: () => redrive() }, 'Redrive all')
        : '',
      table('Dead letters', letters, [
        [
          'Request',
          (d) =>
            link(`#/logs?group=${enc(`/aws/lambda/${name}`)}&filter=${enc(`"${d.requestId}"`)}`, d.requestId),
        ],
        ['Condition', (d) => d.condition],
        ['Attempts', (d) => d.attempts, { num: true }],
        ['Failed at', (d) => time(d.failedAt)],
        ['Last error', (d) => d.lastError],
        [
          'Action',
          (d) =>
            h(
              'button',
              {
                type: 'button',
                'aria-label': `Redrive ${d.requestId}`,
                onclick: () => redrive([d.requestId]),
              },
              'Redrive',
            ),
        ],
      ]),
    );
  };
  return { section, render };
}

export async function functionView({ main, args: [name], params, onEngineEvent }) {
  const detail = await get(`/functions/${enc(name)}`);
  const c = detail.configuration;
  let windowSec = Number(params.get('window') ?? 3600);
  const windowSelect = h(
    'select',
    { id: 'window' },
    WINDOWS.map(([label, sec]) => h('option', { value: sec, selected: sec === windowSec }, label)),
  );
  const chartBox = h('div', { class: 'charts', id: 'charts' });
  const renderCharts = async () => {
    const m = await get(`/metrics/functions/${enc(name)}`, { window: windowSec });
    chartBox.replaceChildren(...charts(m));
  };
  windowSelect.addEventListener('change', () => {
    windowSec = Number(windowSelect.value);
    renderCharts();
  });
  const letters = deadLetters(name);
  main.append(
    h('p', { class: 'breadcrumb' }, link('#/functions', 'Functions'), ' / ', name),
    h('h2', {}, name),
    h(
      'p',
      {},
      `${c.handler} · ${c.runtime} · ${c.memorySize} MB · ${c.timeout} s · role ${c.role} · `,
      link(`#/logs?group=${enc(`/aws/lambda/${name}`)}`, 'live logs'),
    ),
    h(
      'section',
      { 'aria-labelledby': 'metrics-heading' },
      h('h3', { id: 'metrics-heading' }, 'Metrics'),
      h('form', { class: 'inline' }, h('label', { for: 'window' }, 'Window', windowSelect)),
      chartBox,
    ),
    invokeForm(name),
    letters.section,
  );
  await Promise.all([renderCharts(), letters.render()]);
  const refreshCharts = debounce(() => renderCharts().catch(() => undefined), 300);
  const refreshLetters = debounce(() => letters.render().catch(() => undefined), 300);
  const off = onEngineEvent((e) => {
    if (e.functionName !== name) return;
    if (e.type === 'function.invocation.completed' || e.type === 'function.throttled') refreshCharts();
    if (e.type === 'async.failed' || e.type === 'async.redriven') refreshLetters();
  });
  return () => {
    off();
    refreshCharts.cancel();
    refreshLetters.cancel();
  };
}
