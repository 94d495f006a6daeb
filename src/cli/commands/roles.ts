/** `lambdalite roles list`. */
import { Command } from 'commander';
import type { Role } from '../../iam/roles/types.js';
import { type ConnectionFlags, clientFor, withConnection } from '../connection.js';
import { show } from '../output.js';

export function rolesCommand(): Command {
  const list = withConnection(new Command('list').description('list roles')).action(
    async (flags: ConnectionFlags) => {
      const roles = await clientFor(flags).get<Role[]>('/roles');
      show(
        roles,
        [
          { header: 'NAME', value: (r) => r.roleName },
          { header: 'ARN', value: (r) => r.arn },
          { header: 'POLICIES', value: (r) => r.policyNames.join(', ') },
        ],
        flags.json,
      );
    },
  );
  return new Command('roles').description('IAM roles').addCommand(list);
}
