/**
 * Put/GetBucketNotificationConfiguration. On the wire Lambda destinations are
 * `<CloudFunctionConfiguration>` with `<CloudFunction>`, the names the 2014 API used.
 */
import type { LambdaFunctionConfigurationInput } from '../../buckets/notification-config.js';
import { type XmlNode, xmlChild, xmlList, xmlText } from '../protocols/xml.js';
import { WireError } from '../wire-error.js';
import { empty, type S3Call, xmlBody, xmlReply } from './common.js';

const UNSUPPORTED = ['TopicConfiguration', 'QueueConfiguration', 'EventBridgeConfiguration'];

export async function putBucketNotificationConfiguration(call: S3Call) {
  const doc = xmlBody(call.req);
  const root = xmlChild(doc, 'NotificationConfiguration');
  for (const name of UNSUPPORTED) {
    if (xmlList(xmlChild(root, name)).length > 0) {
      throw new WireError(
        'InvalidArgument',
        400,
        `${name} is not supported by lambdalite: only Lambda function destinations are`,
      );
    }
  }
  const configs = xmlList(xmlChild(root, 'CloudFunctionConfiguration')).map(
    (c): LambdaFunctionConfigurationInput => {
      const rules = xmlList(xmlChild(xmlChild(xmlChild(c, 'Filter'), 'S3Key'), 'FilterRule')).map((r) => ({
        name: (xmlText(r, 'Name') ?? '').toLowerCase(),
        value: xmlText(r, 'Value') ?? '',
      }));
      const id = xmlText(c, 'Id');
      const invocationRole = xmlText(c, 'InvocationRole');
      return {
        functionArn: xmlText(c, 'CloudFunction') ?? '',
        events: xmlList(xmlChild(c, 'Event')).map((e) => (typeof e === 'string' ? e : '')),
        ...(id === undefined ? {} : { id }),
        ...(invocationRole === undefined ? {} : { invocationRole }),
        ...(rules.length === 0 ? {} : { filter: { key: { filterRules: rules } } }),
      };
    },
  );
  await call.engine.buckets.putNotificationConfiguration(call.bucket, {
    lambdaFunctionConfigurations: configs,
  });
  return empty(200);
}

export async function getBucketNotificationConfiguration(call: S3Call) {
  const config = await call.engine.buckets.getNotificationConfiguration(call.bucket);
  return xmlReply([
    'NotificationConfiguration',
    config.lambdaFunctionConfigurations.map((c): XmlNode => {
      const rules: XmlNode[] = [];
      if (c.filter?.prefix !== undefined)
        rules.push([
          'FilterRule',
          [
            ['Name', 'Prefix'],
            ['Value', c.filter.prefix],
          ],
        ]);
      if (c.filter?.suffix !== undefined)
        rules.push([
          'FilterRule',
          [
            ['Name', 'Suffix'],
            ['Value', c.filter.suffix],
          ],
        ]);
      return [
        'CloudFunctionConfiguration',
        [
          ['Id', c.id],
          ...(rules.length === 0 ? [] : [['Filter', [['S3Key', rules]]] as XmlNode]),
          ['CloudFunction', c.functionArn],
          ...c.events.map((e): XmlNode => ['Event', e]),
          ['InvocationRole', c.invocationRole],
        ],
      ];
    }),
  ]);
}
