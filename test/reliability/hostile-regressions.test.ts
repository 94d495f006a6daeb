/** The counterexamples the hostile-input property found, kept as plain cases (each was a TypeError). */
import { describe, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { openEngine } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { createFixture } from '../helpers/functions.js';

/** Calls a public method with arguments its types would refuse, as JavaScript callers can. */
function raw(target: object, method: string, ...args: unknown[]): Promise<unknown> {
  return (target as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]?.(
    ...args,
  ) as Promise<unknown>;
}

describe('arguments of the wrong shape get a coded error, not a TypeError', () => {
  let engine: Engine;
  const open = async (): Promise<Engine> => {
    engine = await openEngine();
    await engine.buckets.create('box');
    await engine.streams.create('str');
    await engine.tables.create('tab', { partitionKey: 'id' });
    await createFixture(engine, 'fn', 'faults.sawTimer');
    return engine;
  };

  it('null options objects', async () => {
    const e = await open();
    await expectCode(
      raw(e.functions, 'invoke', 'fn', {}, null),
      'InvalidParameterValueException',
      'options must be an object',
    );
    await expectCode(
      raw(e.mappings, 'list', null),
      'InvalidParameterValueException',
      'filter must be an object',
    );
    await expectCode(
      raw(e.buckets, 'listObjects', 'box', null),
      'InvalidArgument',
      'options must be an object',
    );
    await expectCode(raw(e.buckets, 'putObject', 'box', 'k', 'b', 'text/plain'), 'InvalidArgument');
    await expectCode(raw(e.streams, 'getRecords', 'it', null), 'InvalidArgumentException');
    await expectCode(raw(e.streams, 'create', 'str2', null), 'InvalidArgumentException');
    await expectCode(raw(e.tables, 'putItem', 'tab', { id: 'a' }, null), 'ValidationException');
    await expectCode(raw(e.tables, 'deleteItem', 'tab', { id: 'a' }, 7), 'ValidationException');
    await expectCode(raw(e.iam, 'listRoles', null), 'ValidationError');
  });

  it('a redrive list that is not a list', async () => {
    const e = await open();
    await expectCode(
      raw(e.asyncInvocations, 'redrive', 'fn', {}),
      'InvalidParameterValueException',
      'requestIds',
    );
  });

  it('policies that are neither a document, a list nor a record', async () => {
    const e = await open();
    await expectCode(
      raw(e.iam, 'simulate', { policies: 0, action: 's3:GetObject', resource: '*' }),
      'InvalidArgument',
    );
  });

  it('a name that cannot be turned into text', async () => {
    const e = await open();
    await expectCode(raw(e.tables, 'query', { toString: undefined }, {}), 'ResourceNotFoundException');
  });
});
