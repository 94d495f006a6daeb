/**
 * `lambdalite apply FILE [--prune] [--dry-run]`: reads a pipeline file or SAM template here and
 * has the server apply it (code directories are read by the server, from the same disk).
 */
import { Command } from 'commander';
import type { Plan } from '../../pipeline/types.js';
import { type ConnectionFlags, clientFor, withConnection } from '../connection.js';
import { CliError, EXIT } from '../exit.js';
import { print, printJson } from '../output.js';

interface ApplyFlags extends ConnectionFlags {
  prune?: boolean;
  dryRun?: boolean;
  param?: Record<string, string>;
}

function collectParam(
  value: string,
  previous: Record<string, string> = Object.create(null),
): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new CliError(`--param must be NAME=VALUE, got ${value}`, EXIT.usage);
  const next: Record<string, string> = Object.assign(Object.create(null), previous);
  next[value.slice(0, eq)] = value.slice(eq + 1);
  return next;
}

export function applyCommand(): Command {
  return withConnection(
    new Command('apply')
      .description('create, update or replace what a pipeline file or SAM template declares')
      .argument('<file>', 'lambdalite.config.json, a .ts/.js/.mjs module, or a SAM template.yaml')
      .option('--prune', 'delete resources an earlier apply made that the file no longer names')
      .option('--dry-run', 'print the plan and change nothing')
      .option('--param <name=value>', 'a SAM template parameter (repeatable)', collectParam),
  ).action(async (file: string, flags: ApplyFlags) => {
    const { loadPipelineFile } = await import('../../pipeline/load.js');
    const pipeline = await loadPipelineFile(file);
    const result = await clientFor(flags).post<{ plan: Plan; text: string }>('/apply', {
      pipeline,
      prune: flags.prune === true,
      dryRun: flags.dryRun === true,
      ...(flags.param === undefined ? {} : { parameters: { ...flags.param } }),
    });
    if (flags.json) printJson(result.plan);
    else print(result.text);
  });
}
