/**
 * The torture's verdict, pure: given what the child acknowledged, the checkpoints it announced,
 * the functions' journals and the final dump, the list of broken promises (empty when all held).
 */
import type { Ack, Dump, DumpRecord, SeenCheckpoint } from './types.js';

export interface Journals {
  readonly ingest: string;
  readonly relay: string;
  readonly audit: string;
  readonly flaky: string;
  readonly doomed: string;
  readonly chaos: string;
}

export interface Verdict {
  readonly problems: string[];
  readonly counts: Record<string, number>;
}

const MAX_LISTED = 5;

/** Adds one problem naming up to five offenders. */
function expectNone(problems: string[], what: string, offenders: readonly string[]): void {
  if (offenders.length === 0) return;
  const shown = offenders.slice(0, MAX_LISTED).join(', ');
  problems.push(`${what}: ${offenders.length} (${shown}${offenders.length > MAX_LISTED ? ', ...' : ''})`);
}

/** Journal lines with the byte offset just past each. */
function lines(text: string): Array<{ line: string; end: number }> {
  const result: Array<{ line: string; end: number }> = [];
  let start = 0;
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    result.push({ line: bytes.subarray(start, i).toString('utf8'), end: i + 1 });
    start = i + 1;
  }
  return result;
}

/**
 * Checks one mapping's deliveries of one stream: every record delivered; per shard, delivery
 * positions only ever move one forward or back by less than a batch (the batch in flight
 * redelivered); no announced checkpoint passed a record not yet in the journal.
 */
function checkPull(
  problems: string[],
  name: 'relay' | 'audit',
  stream: Record<string, DumpRecord[]>,
  journal: string,
  idOf: (line: string) => string,
  checkpoints: readonly SeenCheckpoint[],
  batchSize: number,
): number {
  const where = new Map<string, { shardId: string; at: number }>();
  for (const [shardId, records] of Object.entries(stream)) {
    for (const [at, r] of records.entries()) where.set(r.seq, { shardId, at });
  }
  const firstSeen = new Map<string, number>();
  const max = new Map<string, number>();
  const orderBreaks: string[] = [];
  const unknown: string[] = [];
  let deliveries = 0;
  for (const { line, end } of lines(journal)) {
    deliveries++;
    const id = idOf(line);
    const found = where.get(id);
    if (!found) {
      unknown.push(line);
      continue;
    }
    if (!firstSeen.has(id)) firstSeen.set(id, end);
    const top = max.get(found.shardId) ?? -1;
    if (found.at > top) {
      if (found.at !== top + 1) orderBreaks.push(`${found.shardId} jumped from ${top} to ${found.at}`);
      max.set(found.shardId, found.at);
    } else if (top - found.at >= batchSize) {
      orderBreaks.push(`${found.shardId} went back from ${top} to ${found.at}`);
    }
  }
  const missing = [...where.keys()].filter((seq) => !firstSeen.has(seq));
  expectNone(problems, `${name}: stored records never delivered`, missing);
  expectNone(problems, `${name}: deliveries of records the stream does not hold`, unknown);
  expectNone(problems, `${name}: per-shard order broken`, orderBreaks);

  // For each shard, the journal size by which every record up to position i had been delivered.
  const deliveredBy = new Map<string, number[]>();
  for (const [shardId, records] of Object.entries(stream)) {
    let running = 0;
    deliveredBy.set(
      shardId,
      records.map((r) => {
        running = Math.max(running, firstSeen.get(r.seq) ?? Number.POSITIVE_INFINITY);
        return running;
      }),
    );
  }
  const early: string[] = [];
  for (const c of checkpoints) {
    if (c.mapping !== name) continue;
    const found = where.get(c.seq);
    const needed = found ? deliveredBy.get(found.shardId)?.[found.at] : undefined;
    if (!found || needed === undefined || needed > c.journalBytes) early.push(`${c.shardId}@${c.seq}`);
  }
  expectNone(problems, `${name}: checkpoints past a record not yet delivered`, early);
  return deliveries;
}

/** What a chaos fault's dead letter says (the engine's error for it). */
const CHAOS_ERRORS: ReadonlyMap<string, RegExp> = new Map([
  ['throw', /chaos c/],
  ['hang', /timed out/i],
  ['memory', /out of memory/i],
  ['exit', /exit status 3/],
  ['tmp', /\/tmp quota/],
  ['oversize', /ResponseSizeTooLarge/],
]);
/**
 * On a starved machine any invocation may outlast its timeout (an exhausting one often does
 * before it reaches its memory limit): a timeout is an acceptable way for any event to fail.
 */
const TIMED_OUT = /Task timed out/;

/**
 * Every misbehaving event ran and was given up with its own error (or a timeout); the
 * well-behaved ones were not given up, except by a timeout.
 */
function checkChaos(
  problems: string[],
  acks: readonly Ack[],
  journal: string,
  letters: Dump['chaosLetters'],
): void {
  const ran = new Set(lines(journal).map((l) => l.line.split(' ')[0] ?? ''));
  const letterOf = new Map(letters.map((l) => [l.key, l.lastError]));
  expectNone(
    problems,
    'chaos: acknowledged events neither run nor given up',
    acks.filter((a) => !ran.has(a.key) && !letterOf.has(a.key)).map((a) => a.key),
  );
  const wrong: string[] = [];
  for (const a of acks) {
    const error = letterOf.get(a.key);
    const expected = CHAOS_ERRORS.get(a.fault ?? '');
    const fine =
      error === undefined ? expected === undefined : TIMED_OUT.test(error) || expected?.test(error) === true;
    if (!fine) wrong.push(`${a.key} (${a.fault}): ${error ?? 'not given up'}`);
  }
  expectNone(problems, 'chaos: events given up wrongly (or not at all)', wrong);
}

export function verdict(
  acks: readonly Ack[],
  checkpoints: readonly SeenCheckpoint[],
  journals: Journals,
  dump: Dump,
  batchSize: number,
): Verdict {
  const problems: string[] = [];
  const objects = new Set(dump.objects);
  const acked = (kind: Ack['kind']) => acks.filter((a) => a.kind === kind);
  expectNone(
    problems,
    'acknowledged objects missing from the bucket',
    acked('obj')
      .map((a) => a.key)
      .filter((k) => !objects.has(k)),
  );

  const ingested = new Set(lines(journals.ingest).map((l) => l.line));
  expectNone(
    problems,
    'objects whose notification never reached ingest',
    dump.objects.filter((k) => !ingested.has(k)),
  );
  const forwarded = new Set(Object.values(dump.flow).flatMap((rs) => rs.map((r) => r.key)));
  expectNone(
    problems,
    'objects ingest never forwarded to the stream flow',
    dump.objects.filter((k) => !forwarded.has(k)),
  );
  const itemised = new Set(Object.values(dump.items).flatMap((rs) => rs.map((r) => r.key)));
  expectNone(
    problems,
    'flow records relay never wrote to the table',
    [...forwarded].filter((k) => !itemised.has(k)),
  );

  const relayDeliveries = checkPull(
    problems,
    'relay',
    dump.flow,
    journals.relay,
    (line) => line.split(' ')[0]?.split(':')[1] ?? '',
    checkpoints,
    batchSize,
  );
  const auditDeliveries = checkPull(
    problems,
    'audit',
    dump.items,
    journals.audit,
    (line) => line.split(' ')[0] ?? '',
    checkpoints,
    batchSize,
  );

  const flakyRan = new Set(lines(journals.flaky).map((l) => l.line));
  const doomedRan = new Set(lines(journals.doomed).map((l) => l.line));
  const failed = new Set(dump.failures);
  const flakyLetters = new Set(dump.deadLetters.flaky);
  const doomedLetters = new Set(dump.deadLetters.doomed);
  expectNone(
    problems,
    'acknowledged async invokes never run',
    [
      ...acked('flaky').filter((a) => !flakyRan.has(a.key)),
      ...acked('doomed').filter((a) => !doomedRan.has(a.key)),
    ].map((a) => a.key),
  );
  expectNone(
    problems,
    'given-up events in neither the on-failure destination nor the dead letters',
    [
      ...acked('flaky').filter((a) => a.fail && !failed.has(a.key) && !flakyLetters.has(a.key)),
      ...acked('doomed').filter((a) => !doomedLetters.has(a.key)),
    ].map((a) => a.key),
  );
  expectNone(
    problems,
    'succeeding events given up',
    acked('flaky')
      .filter((a) => !a.fail && (failed.has(a.key) || flakyLetters.has(a.key)))
      .map((a) => a.key),
  );

  checkChaos(problems, acked('chaos'), journals.chaos, dump.chaosLetters);
  const groups = new Set(dump.logGroups);
  expectNone(
    problems,
    'functions that ran without a log group after reopening',
    ['ingest', 'relay', 'audit'].filter((fn) => !groups.has(`/aws/lambda/${fn}`)),
  );
  if (dump.metrics === 0) problems.push('no metrics after reopening');

  return {
    problems,
    counts: {
      ackedObjects: acked('obj').length,
      storedObjects: dump.objects.length,
      ackedInvokes: acked('flaky').length + acked('doomed').length,
      flowRecords: Object.values(dump.flow).reduce((n, rs) => n + rs.length, 0),
      itemChanges: Object.values(dump.items).reduce((n, rs) => n + rs.length, 0),
      relayDeliveries,
      auditDeliveries,
      givenUp: failed.size + flakyLetters.size + doomedLetters.size,
      checkpointsSeen: checkpoints.length,
      chaosGivenUp: dump.chaosLetters.length,
    },
  };
}
