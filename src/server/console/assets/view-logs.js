// Live log tail of one group, with a filter pattern; request ids link to a tail filtered on them.
import { feed, get } from './api.js';
import { enc, h, time } from './dom.js';

const REQUEST_ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const MAX_LINES = 1000;

function lineItem(group, e) {
  const match = REQUEST_ID.exec(e.message);
  const text = match
    ? [
        e.message.slice(0, match.index),
        h(
          'a',
          { href: `#/logs?group=${enc(group)}&filter=${enc(`"${match[0]}"`)}`, title: 'only this request' },
          match[0],
        ),
        e.message.slice(match.index + match[0].length),
      ]
    : [e.message];
  return h(
    'li',
    {},
    h('time', { datetime: new Date(e.timestamp).toISOString() }, time(e.timestamp)),
    ...text,
  );
}

export async function logsView({ main, params }) {
  const groups = await get('/logs/groups');
  const group = params.get('group') ?? groups[0]?.logGroupName ?? '';
  const filter = params.get('filter') ?? '';
  const groupInput = h('input', {
    id: 'log-group',
    name: 'group',
    value: group,
    list: 'log-groups',
    size: 30,
  });
  const filterInput = h('input', {
    id: 'log-filter',
    name: 'filter',
    value: filter,
    size: 30,
    placeholder: 'ERROR, "some text", { $.level = "ERROR" }',
  });
  const form = h(
    'form',
    { class: 'inline', role: 'search', 'aria-label': 'Log tail' },
    h('label', { for: 'log-group' }, 'Log group', groupInput),
    h(
      'datalist',
      { id: 'log-groups' },
      groups.map((g) => h('option', { value: g.logGroupName })),
    ),
    h('label', { for: 'log-filter' }, 'Filter pattern', filterInput),
    h('button', { type: 'submit' }, 'Tail'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = `#/logs?group=${enc(groupInput.value)}${filterInput.value ? `&filter=${enc(filterInput.value)}` : ''}`;
  });
  const state = h(
    'p',
    { id: 'log-state', role: 'status' },
    group ? `Connecting to ${group}…` : 'Choose a log group.',
  );
  const lines = h('ol', {
    id: 'log-lines',
    class: 'log',
    'aria-label': 'Log lines',
    'aria-live': 'polite',
    'data-state': 'connecting',
    tabindex: '0',
  });
  main.append(h('h2', {}, 'Logs'), form, state, lines);
  if (!group) return undefined;
  const source = feed(
    '/logs/tail',
    { group, filter, since: 3_600_000 },
    {
      onReady: () => {
        lines.dataset.state = 'live';
        state.textContent = `Tailing ${group}${filter ? ` matching ${filter}` : ''}: new lines appear as they are written.`;
      },
      onDown: () => {
        lines.dataset.state = 'down';
        state.textContent = 'Connection lost; reconnecting…';
      },
      onData: (e) => {
        const atBottom = lines.scrollTop + lines.clientHeight >= lines.scrollHeight - 4;
        lines.append(lineItem(group, e));
        while (lines.childElementCount > MAX_LINES) lines.firstElementChild.remove();
        if (atBottom) lines.scrollTop = lines.scrollHeight;
      },
    },
  );
  return () => source.close();
}
