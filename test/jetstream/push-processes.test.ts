/**
 * Three engine processes (children) on one 3-node JetStream cluster share the async queue, the
 * way several copies of a service would: each creates the same functions. Events are queued on
 * one of them. Checked: each attempt of each event is made by exactly one process (counted by
 * request id and attempt number), retries and the dead letter go through the cluster; after a
 * SIGKILL of a process holding events in flight, every acknowledged event still gets its attempt
 * from the others. Waits are on messages from the children, each with a bound; no sleeps.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from './cluster.js';
import type { PushChildMessage, PushParentMessage } from './push-process.js';
import { type EngineChild, killAll, spawnEngineChild, Wakeups } from './wait.js';

const CHILD = fileURLToPath(new URL('./push-process.ts', import.meta.url));
/** The consumer's ack_wait: long enough that a loaded machine's keep-alives stay inside it. */
const ACK_WAIT_MS = 4_000;

interface Child extends EngineChild<PushChildMessage> {
  index: number;
}

let cluster: Cluster;
const children: Child[] = [];
const messages: Array<PushChildMessage & { child: number }> = [];
const wakeups = new Wakeups();

let hangDir: string;

beforeAll(async () => {
  cluster = await startCluster();
  hangDir = mkdtempSync(join(tmpdir(), 'lambdalite-push-hang-'));
});
afterAll(async () => {
  await killAll(children);
  await cluster?.stop();
  if (hangDir) rmSync(hangDir, { recursive: true, force: true });
});

/** Resolves once `check` holds, re-checked on every child message; rejects after `ms`. */
function until(what: string, check: () => boolean, ms: number): Promise<void> {
  return wakeups.until(what, check, ms, () => {
    const seen = new Map<string, number>();
    for (const m of messages) {
      const key = `${m.type}@${m.child}:${'functionName' in m ? m.functionName : ''}:${'outcome' in m ? m.outcome : ''}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    return JSON.stringify([...seen]);
  });
}

function spawnChild(index: number, prefix: string, hang: boolean): Child {
  const child = spawnEngineChild<PushChildMessage>(
    CHILD,
    {
      NATS_SERVERS: cluster.servers.join(','),
      PREFIX: prefix,
      ACK_WAIT_MS: String(ACK_WAIT_MS),
      HANG_DIR: hangDir,
      ...(hang ? { HANG: '1' } : {}),
    },
    wakeups,
    (message) => messages.push({ ...message, child: index }),
  );
  return { ...child, index };
}

function tell(child: Child, message: PushParentMessage): void {
  child.process.send(message);
}

/** Asks child 0 to queue `count` events of the function; resolves with their request ids. */
async function enqueue(functionName: string, count: number): Promise<string[]> {
  const since = messages.length;
  const sender = children[0] as Child;
  tell(sender, { type: 'enqueue', functionName, count });
  let ids: string[] = [];
  await until(
    `${count} ${functionName} events queued`,
    () => {
      const m = messages.slice(since).find((x) => x.type === 'enqueued' && x.functionName === functionName);
      if (m?.type === 'enqueued') ids = m.requestIds;
      return m !== undefined;
    },
    60_000,
  );
  return ids;
}

type Of<T extends PushChildMessage['type']> = Extract<PushChildMessage, { type: T }> & { child: number };
const of = <T extends PushChildMessage['type']>(type: T, ids: ReadonlySet<string>): Of<T>[] =>
  messages.filter(
    (m): m is Of<T> => m.type === type && ids.has((m as { requestId?: string }).requestId ?? ''),
  );

describe('three engine processes share the async queue on the cluster', () => {
  it('make each attempt of each event in exactly one process, retries and dead letters included, and lose nothing to a SIGKILL', async () => {
    const prefix = `q${randomUUID().slice(0, 8)}`;
    // Child 2's `held` function never returns: it is the one killed with events in flight.
    // One after another: three engines opening at once on a fresh prefix create the same shared
    // buckets and streams together, which the 2.9 server can answer with request timeouts.
    for (let i = 0; i < 3; i++) {
      children.push(spawnChild(i, prefix, i === 2));
      await until(
        `process ${i} ready`,
        () => messages.filter((m) => m.type === 'ready').length === i + 1,
        90_000,
      );
    }

    // 1. Successes and failures through the shared queue.
    const okIds = new Set(await enqueue('ok', 60));
    const failIds = new Set(await enqueue('fail', 6));
    expect(okIds.size).toBe(60);
    await until(
      'every ok event succeeded and every failing one dead-lettered',
      () => of('succeeded', okIds).length >= okIds.size && of('failed', failIds).length >= failIds.size,
      90_000,
    );
    const attempts = of('attempt', new Set([...okIds, ...failIds]));
    const perAttempt = new Map<string, number[]>();
    for (const a of attempts) {
      const key = `${a.requestId}#${a.attempt}`;
      perAttempt.set(key, [...(perAttempt.get(key) ?? []), a.child]);
    }
    // Exactly one process per attempt: ok events one attempt each, failing ones 3 (2 retries).
    expect(perAttempt.size).toBe(okIds.size + 3 * failIds.size);
    for (const [key, by] of perAttempt) expect({ key, by: by.length }).toEqual({ key, by: 1 });
    for (const id of failIds) {
      expect(
        attempts
          .filter((a) => a.requestId === id)
          .map((a) => a.attempt)
          .sort(),
      ).toEqual([1, 2, 3]);
    }
    expect(of('succeeded', okIds)).toHaveLength(okIds.size);
    const failed = of('failed', failIds);
    expect(failed).toHaveLength(failIds.size);
    expect(failed.every((f) => f.attempts === 3 && f.destination === 'dead-letter')).toBe(true);
    // The dead letters are the cluster's: any process lists them all.
    const since = messages.length;
    tell(children[1] as Child, { type: 'deadLetters', functionName: 'fail' });
    await until(
      'the dead letters listed',
      () => messages.slice(since).some((m) => m.type === 'dead'),
      30_000,
    );
    const dead = messages.slice(since).find((m) => m.type === 'dead');
    expect(new Set(dead?.type === 'dead' ? dead.requestIds : [])).toEqual(failIds);
    console.log(`attempts by process: ${[0, 1, 2].map((c) => attempts.filter((a) => a.child === c).length)}`);

    // 2. SIGKILL a process holding events in flight: queue until child 2 has started one.
    const held = new Set<string>();
    const victim = children[2] as Child;
    const startedByVictim = () => of('started', held).filter((m) => m.child === 2);
    for (let round = 0; round < 10 && startedByVictim().length === 0; round++) {
      for (const id of await enqueue('held', 10)) held.add(id);
      // Child 2 starts an event before it keeps any waiting (its slots are free until then), so
      // either it started one or the others delivered the whole round.
      await until(
        'child 2 started an event, or the round succeeded elsewhere',
        () =>
          startedByVictim().length > 0 ||
          [...held].every((id) => messages.some((m) => m.type === 'succeeded' && m.requestId === id)),
        60_000,
      );
    }
    const inFlight = new Set(startedByVictim().map((m) => m.requestId));
    expect(inFlight.size).toBeGreaterThan(0);
    victim.process.kill('SIGKILL');
    await victim.exited;
    const survivors = new Set([0, 1]);
    await until(
      'every held event succeeded in a surviving process',
      () =>
        [...held].every((id) =>
          messages.some((m) => m.type === 'succeeded' && m.requestId === id && survivors.has(m.child)),
        ),
      90_000,
    );
    // The attempt the killed process was making is made again, as the same attempt.
    for (const id of inFlight) {
      const again = messages.filter(
        (m) => m.type === 'attempt' && m.requestId === id && survivors.has(m.child),
      );
      expect(again.map((m) => (m.type === 'attempt' ? m.attempt : 0))).toEqual([1]);
    }
  }, 600_000);
});
