/**
 * `pipeline`: the file is applied to the bench's engine, and traffic enters where the file wires
 * the named function: the stream of a mapping into it (pull), else a bucket notifying it (push,
 * with keys its filter matches), else direct invokes.
 */
import type { Engine } from '../../engine.js';
import { LambdaliteError } from '../../errors.js';
import { apply } from '../../pipeline/apply.js';
import { loadPipelineFile } from '../../pipeline/load.js';
import type { PullTarget } from './pull.js';
import type { PushTarget } from './push.js';

export type PipelineEntry =
  | { kind: 'pull'; target: PullTarget }
  | { kind: 'push'; target: PushTarget }
  | { kind: 'invoke' };

export async function setUpPipeline(
  engine: Engine,
  file: string,
  functionName: string,
): Promise<PipelineEntry> {
  await apply(engine, await loadPipelineFile(file));
  const fn = await engine.functions.get(functionName).catch((err: unknown) => {
    throw new LambdaliteError(
      'InvalidParameterValueException',
      `options.function must name a function of ${file}, got ${functionName}`,
      { cause: err },
    );
  });
  const mapping = (await engine.mappings.list({ functionName })).find((m) =>
    m.eventSourceArn.includes(':stream/'),
  );
  if (mapping?.eventSourceArn.startsWith('arn:aws:kinesis:')) {
    const streamName = mapping.eventSourceArn.slice(
      mapping.eventSourceArn.indexOf(':stream/') + ':stream/'.length,
    );
    return { kind: 'pull', target: { streamName, uuid: mapping.uuid } };
  }
  for (const bucket of await engine.buckets.list()) {
    const config = await engine.buckets.getNotificationConfiguration(bucket.name);
    const notifying = config.lambdaFunctionConfigurations.find(
      (c) => c.functionArn === fn.functionArn && c.events.some((e) => e.startsWith('s3:ObjectCreated:')),
    );
    if (notifying) {
      return {
        kind: 'push',
        target: {
          bucket: bucket.name,
          prefix: `${notifying.filter?.prefix ?? ''}bench-`,
          suffix: notifying.filter?.suffix ?? '',
        },
      };
    }
  }
  return { kind: 'invoke' };
}
