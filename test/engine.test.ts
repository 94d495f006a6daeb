import { describe, expect, it } from 'vitest';
import { createEngine, ManualClock } from '../src/index.js';
import { openEngine, STORAGE_KINDS, tempDir } from './helpers/engines.js';
import { expectCode } from './helpers/errors.js';

describe.each(STORAGE_KINDS)('engine lifecycle (%s)', (kind) => {
  it('opens with defaults, reports its status, and closes idempotently', async () => {
    const engine = await openEngine(kind);
    expect(engine.status).toBe('open');
    expect(engine.region).toBe('us-east-1');
    expect(engine.accountId).toBe('000000000000');
    const first = engine.close();
    const second = engine.close();
    expect(second).toBe(first);
    await first;
    expect(engine.status).toBe('closed');
  });

  it('closes through Symbol.asyncDispose', async () => {
    let captured: { status: string } | undefined;
    {
      await using engine = await openEngine(kind);
      captured = engine;
    }
    expect(captured?.status).toBe('closed');
  });
});

describe('engine options', () => {
  it('refuses a malformed region, account id, clock or quota, naming the option', async () => {
    await expectCode(createEngine({ region: 'Mars' }), 'InvalidArgument', /options\.region.*"Mars"/);
    await expectCode(createEngine({ accountId: '123' }), 'InvalidArgument', /options\.accountId.*"123"/);
    await expectCode(createEngine({ clock: {} as ManualClock }), 'InvalidArgument', /options\.clock/);
    await expectCode(
      createEngine({ quotas: { memoryMaxMb: -1 } }),
      'InvalidArgument',
      /options\.quotas\.memoryMaxMb.*-1/,
    );
    await expectCode(
      createEngine({ quotas: { bogus: 1 } as unknown as Record<string, number> }),
      'InvalidArgument',
      /options\.quotas\.bogus/,
    );
  });

  it('uses the injected clock for event times', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const engine = await openEngine('memory', { clock });
    const events: number[] = [];
    const sub = engine.events$.subscribe((e) => events.push(e.time));
    await engine.close();
    sub.unsubscribe();
    expect(events).toEqual([Date.UTC(2026, 0, 1)]);
  });
});

describe('engine on disk', () => {
  it('refuses a second engine on a directory another engine holds, with a clear error', async () => {
    const location = await tempDir();
    const first = await createEngine({ location });
    await expectCode(createEngine({ location }), 'ResourceInUseException', /locked/);
    await first.close();
    const again = await createEngine({ location });
    await again.close();
  });
});
