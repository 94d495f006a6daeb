import { describe, expect, it } from 'vitest';
import { type Journals, verdict } from './checks.js';
import type { Ack, Dump, SeenCheckpoint } from './types.js';

const dump = (over: Partial<Dump> = {}): Dump => ({
  objects: ['a', 'b'],
  flow: {
    s0: [
      { seq: '1', key: 'a' },
      { seq: '2', key: 'b' },
    ],
  },
  items: {
    t0: [
      { seq: '10', key: 'a' },
      { seq: '11', key: 'b' },
    ],
  },
  failures: ['f'],
  deadLetters: { flaky: [], doomed: ['d'] },
  chaosLetters: [{ key: 'x1', lastError: 'Task timed out after 2.00 seconds' }],
  checkpoints: { relay: { s0: '2' }, audit: { t0: '11' } },
  logGroups: ['/aws/lambda/ingest', '/aws/lambda/relay', '/aws/lambda/audit'],
  metrics: 3,
  ...over,
});
const journals = (over: Partial<Journals> = {}): Journals => ({
  ingest: 'a\nb\n',
  relay: 's0:1 a\ns0:2 b\n',
  audit: '10 a\n11 b\n',
  flaky: 'f\ng\n',
  doomed: 'd\n',
  chaos: 'x0 ok\nx1 hang\n',
  ...over,
});
const acks: Ack[] = [
  { kind: 'obj', key: 'a', fail: false },
  { kind: 'obj', key: 'b', fail: false },
  { kind: 'flaky', key: 'f', fail: true },
  { kind: 'flaky', key: 'g', fail: false },
  { kind: 'doomed', key: 'd', fail: true },
  { kind: 'chaos', key: 'x0', fail: false, fault: 'ok' },
  { kind: 'chaos', key: 'x1', fail: true, fault: 'hang' },
];
const BATCH = 10;

describe('the torture verdict', () => {
  it('finds nothing wrong in a run that kept every promise, redelivery of the batch in flight included', () => {
    const again = journals({ relay: 's0:1 a\ns0:2 b\ns0:1 a\ns0:2 b\n' });
    expect(verdict(acks, [], again, dump(), BATCH).problems).toEqual([]);
  });

  it('names an acknowledged object the bucket lost', () => {
    const lost = dump({ objects: ['a'] });
    expect(verdict(acks, [], journals(), lost, BATCH).problems.join()).toContain(
      'acknowledged objects missing',
    );
  });

  it('names a stored record never delivered, and a shard whose deliveries jumped ahead', () => {
    const problems = verdict(acks, [], journals({ relay: 's0:2 b\n' }), dump(), BATCH).problems.join('\n');
    expect(problems).toContain('relay: stored records never delivered: 1 (1)');
    expect(problems).toContain('relay: per-shard order broken');
  });

  it('names a shard that went back further than one batch', () => {
    const flow = { s0: Array.from({ length: 12 }, (_, i) => ({ seq: String(i + 1), key: 'a' })) };
    const relay = `${flow.s0.map((r) => `s0:${r.seq} a`).join('\n')}\ns0:1 a\n`;
    expect(verdict(acks, [], journals({ relay }), dump({ flow }), BATCH).problems.join()).toContain(
      'went back from 11 to 0',
    );
  });

  it('names a checkpoint announced before its records were in the journal', () => {
    const early: SeenCheckpoint[] = [{ mapping: 'relay', shardId: 's0', seq: '2', journalBytes: 6 }];
    expect(verdict(acks, early, journals(), dump(), BATCH).problems.join()).toContain(
      'checkpoints past a record',
    );
    const onTime: SeenCheckpoint[] = [{ mapping: 'relay', shardId: 's0', seq: '2', journalBytes: 14 }];
    expect(verdict(acks, onTime, journals(), dump(), BATCH).problems).toEqual([]);
  });

  it('names a misbehaving chaos event not given up with its own error, and a well-behaved one given up', () => {
    const letters = [{ key: 'x0', lastError: 'Runtime.ExitError: exit status 3' }];
    const problems = verdict(acks, [], journals(), dump({ chaosLetters: letters }), BATCH).problems.join();
    expect(problems).toContain('x0 (ok): Runtime.ExitError');
    expect(problems).toContain('x1 (hang): not given up');
  });

  it('names a given-up event found in neither a destination nor the dead letters', () => {
    const problems = verdict(
      acks,
      [],
      journals(),
      dump({ failures: [], deadLetters: { flaky: [], doomed: [] } }),
      BATCH,
    ).problems;
    expect(problems.join()).toContain(
      'given-up events in neither the on-failure destination nor the dead letters: 2',
    );
  });
});
