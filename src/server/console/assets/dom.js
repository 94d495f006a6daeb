// Small DOM helpers: elements are built with text nodes only (never innerHTML), so names and log
// lines from the engine cannot inject markup.

/** h('a', { href: '#/x' }, 'text', child) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** A table with a caption; columns are [header, row => cell, { num }]. */
export function table(caption, rows, columns) {
  if (rows.length === 0) return h('p', { class: 'empty' }, `${caption}: none`);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('caption', { class: 'empty' }, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map(([head, , opts]) =>
            h('th', { scope: 'col', class: opts?.num ? 'num' : undefined }, head),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((row) =>
          h(
            'tr',
            {},
            columns.map(([, cell, opts]) =>
              h('td', { class: opts?.num ? 'num' : undefined }, cell(row) ?? '-'),
            ),
          ),
        ),
      ),
    ),
  );
}

export function link(href, text) {
  return h('a', { href }, text);
}

export function enc(value) {
  return encodeURIComponent(value);
}

export function time(ms) {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}
