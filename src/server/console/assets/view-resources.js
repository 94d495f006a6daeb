// Browsing what the engine stores: buckets and objects, streams and shards, tables and items, roles and policies.
import { get } from './api.js';
import { enc, h, link, table } from './dom.js';

const crumb = (href, label, here) => h('p', { class: 'breadcrumb' }, link(href, label), ' / ', here);

export async function bucketsView({ main }) {
  const buckets = await get('/buckets');
  main.append(
    h('h2', {}, 'Buckets'),
    table('Buckets', buckets, [
      ['Name', (b) => link(`#/buckets/${enc(b.name)}`, b.name)],
      ['Created', (b) => b.creationDate],
    ]),
  );
}

export async function bucketView({ main, args: [bucket], params }) {
  const prefix = params.get('prefix') ?? '';
  const key = params.get('key');
  main.append(crumb('#/buckets', 'Buckets', bucket), h('h2', {}, `${bucket}/${prefix}`));
  if (key !== null) {
    const o = await get(`/buckets/${enc(bucket)}/object`, { key });
    main.append(
      h('h3', {}, key),
      h('p', {}, `${o.size} bytes · ${o.contentType} · ETag ${o.eTag} · ${o.lastModified}`),
      h('pre', { 'aria-label': 'Object content (first 4 KB)' }, o.preview + (o.truncated ? '\n…' : '')),
    );
    return;
  }
  const listing = await get(`/buckets/${enc(bucket)}/objects`, { prefix });
  const up = prefix.replace(/[^/]*\/$/, '');
  main.append(
    prefix ? h('p', {}, link(`#/buckets/${enc(bucket)}?prefix=${enc(up)}`, '↑ up one level')) : '',
    table('Folders', listing.commonPrefixes, [
      ['Folder', (p) => link(`#/buckets/${enc(bucket)}?prefix=${enc(p)}`, p)],
    ]),
    table('Objects', listing.contents, [
      ['Key', (o) => link(`#/buckets/${enc(bucket)}?key=${enc(o.key)}`, o.key)],
      ['Size', (o) => o.size, { num: true }],
      ['Last modified', (o) => o.lastModified],
    ]),
    listing.isTruncated ? h('p', { class: 'empty' }, 'More objects exist; narrow the prefix.') : '',
  );
}

export async function streamsView({ main }) {
  const streams = await get('/streams');
  main.append(
    h('h2', {}, 'Streams'),
    table('Streams', streams, [
      ['Name', (s) => link(`#/streams/${enc(s.streamName)}`, s.streamName)],
      ['ARN', (s) => s.streamArn],
    ]),
  );
}

export async function streamView({ main, args: [name] }) {
  const s = await get(`/streams/${enc(name)}`);
  main.append(
    crumb('#/streams', 'Streams', name),
    h('h2', {}, name),
    h('p', {}, `${s.openShardCount} open shards · retention ${s.retentionPeriodHours} h · ${s.streamArn}`),
    table('Shards', s.shards, [
      ['Shard', (x) => x.shardId],
      ['Parent', (x) => x.parentShardId],
      ['Hash keys', (x) => `${x.hashKeyRange.startingHashKey} – ${x.hashKeyRange.endingHashKey}`],
      ['First sequence', (x) => x.sequenceNumberRange.startingSequenceNumber],
      ['Closed at', (x) => x.sequenceNumberRange.endingSequenceNumber],
    ]),
  );
}

export async function tablesView({ main }) {
  const tables = await get('/tables');
  main.append(
    h('h2', {}, 'Tables'),
    table('Tables', tables, [
      ['Name', (t) => link(`#/tables/${enc(t.tableName)}`, t.tableName)],
      ['Partition key', (t) => `${t.partitionKey.name} (${t.partitionKey.type})`],
      ['Sort key', (t) => (t.sortKey ? `${t.sortKey.name} (${t.sortKey.type})` : undefined)],
      ['Stream', (t) => t.streamViewType],
    ]),
  );
}

export async function tableView({ main, args: [name], params }) {
  const t = await get(`/tables/${enc(name)}`);
  const pk = params.get('pk') ?? '';
  const input = h('input', { id: 'pk', name: 'pk', value: pk, required: true });
  const form = h(
    'form',
    { class: 'inline', role: 'search', 'aria-label': 'Query items' },
    h('label', { for: 'pk' }, `Partition key (${t.partitionKey.name})`, input),
    h('button', { type: 'submit' }, 'Query'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = `#/tables/${enc(name)}?pk=${enc(input.value)}`;
  });
  main.append(crumb('#/tables', 'Tables', name), h('h2', {}, name), h('p', {}, t.tableArn), form);
  if (pk === '') return;
  const out = await get(`/tables/${enc(name)}/items`, { partitionKey: pk });
  main.append(
    h('p', {}, `${out.count} item(s) with ${t.partitionKey.name} = ${pk}`),
    ...out.items.map((item) => h('pre', {}, JSON.stringify(item, null, 2))),
  );
}

export async function rolesView({ main }) {
  const roles = await get('/roles');
  main.append(
    h('h2', {}, 'Roles'),
    table('Roles', roles, [
      ['Name', (r) => link(`#/roles/${enc(r.roleName)}`, r.roleName)],
      ['Policies', (r) => r.policyNames.join(', ')],
      ['Created', (r) => r.createDate],
    ]),
  );
}

export async function roleView({ main, args: [name] }) {
  const r = await get(`/roles/${enc(name)}`);
  main.append(
    crumb('#/roles', 'Roles', name),
    h('h2', {}, name),
    h('p', {}, r.arn),
    h('h3', {}, 'Trust policy'),
    h('pre', {}, JSON.stringify(r.assumeRolePolicyDocument, null, 2)),
    ...r.policies.flatMap((p) => [
      h('h3', {}, `Policy ${p.policyName}`),
      h('pre', {}, JSON.stringify(p.policyDocument, null, 2)),
    ]),
  );
}
