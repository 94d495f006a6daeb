/** `jetstream(options)` refuses bad options at once, naming the option and the value (no cluster needed). */
import { describe, expect, it } from 'vitest';
import { type JetStreamBackendOptions, jetstream } from '../../src/backends/jetstream/index.js';

const servers = ['nats://127.0.0.1:4222'];

function refusal(options: unknown): unknown {
  try {
    jetstream(options as JetStreamBackendOptions);
  } catch (err) {
    return err;
  }
  throw new Error(`accepted ${JSON.stringify(options)}`);
}

describe('jetstream() options', () => {
  it.each([
    [{ servers: [] }, /options\.servers must be one or more NATS URLs, got \[\]/],
    [{ servers, replicas: 2 }, /options\.replicas must be 1, 3 or 5, got 2/],
    [{ servers, leaseMs: 100 }, /options\.leaseMs must be an integer of at least 300, got 100/],
    [{ servers, prefix: 'a.b' }, /options\.prefix must be 1-32 letters, digits, '_' or '-', got "a\.b"/],
    [{ servers, pollMappings: 'no' }, /options\.pollMappings must be a boolean, got "no"/],
    [
      { servers, tableItems: { pendingWaitMs: 10 } },
      /options\.tableItems\.pendingWaitMs must be an integer of at least 50, got 10/,
    ],
    [{ servers, warnings: 'no' }, /options\.warnings must be true or false, got "no"/],
    [{ servers, orphanChunkMs: 999 }, /options\.orphanChunkMs must be an integer of at least 1000, got 999/],
  ])('refuses %j with InvalidArgument naming the option', (options, message) => {
    expect(refusal(options)).toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringMatching(message),
    });
  });

  it('accepts pollMappings false and true', () => {
    expect(jetstream({ servers, pollMappings: false }).kind).toBe('jetstream');
    expect(jetstream({ servers, pollMappings: true }).kind).toBe('jetstream');
  });
});
