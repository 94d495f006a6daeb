/**
 * Roles and policies: an execution role allowed to write logs and thumbnails only, checked with
 * the simulator. Run with `npx tsx examples/iam-roles.ts`.
 */
import { createEngine } from '../src/index.js';

const engine = await createEngine();
try {
  const role = await engine.iam.createRole({
    name: 'thumbnailer-exec',
    assumeRolePolicy: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    },
    policies: {
      logs: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['logs:*'], Resource: 'arn:aws:logs:*:*:*' }],
      },
      thumbnails: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::photos/thumbnails/*' },
        ],
      },
    },
  });
  console.log(`created ${role.arn}`);

  const { policyDocument } = await engine.iam.getRolePolicy('thumbnailer-exec', 'thumbnails');
  for (const key of ['thumbnails/a.png', 'originals/a.png']) {
    const { decision, decidingStatement } = await engine.iam.simulate({
      policies: [policyDocument],
      action: 's3:PutObject',
      resource: `arn:aws:s3:::photos/${key}`,
    });
    console.log(`s3:PutObject photos/${key}: ${decision}`, decidingStatement ?? '');
  }
} finally {
  await engine.close();
}
