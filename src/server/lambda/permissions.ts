/** AddPermission (201), RemovePermission (204), GetPolicy. */
import type { Engine } from '../../engine.js';
import { str } from '../protocols/json.js';
import { json, type RestCall } from '../protocols/rest-json.js';

export function permissionOperations(engine: Engine) {
  return {
    async addPermission(call: RestCall) {
      const input = call.json();
      const sourceArn = str(input, 'SourceArn');
      const sourceAccount = str(input, 'SourceAccount');
      const { statement } = await engine.functions.addPermission(call.labels.get('FunctionName') ?? '', {
        statementId: str(input, 'StatementId', true),
        action: str(input, 'Action', true),
        principal: str(input, 'Principal', true),
        ...(sourceArn === undefined ? {} : { sourceArn }),
        ...(sourceAccount === undefined ? {} : { sourceAccount }),
      });
      return json(201, { Statement: JSON.stringify(statement) });
    },

    async removePermission(call: RestCall) {
      await engine.functions.removePermission(
        call.labels.get('FunctionName') ?? '',
        call.labels.get('StatementId') ?? '',
      );
      return json(204, undefined);
    },

    async getPolicy(call: RestCall) {
      const name = call.labels.get('FunctionName') ?? '';
      const policy = await engine.functions.getPolicy(name);
      const { revisionId } = await engine.functions.get(name);
      return json(200, { Policy: JSON.stringify(policy), RevisionId: revisionId });
    },
  };
}
