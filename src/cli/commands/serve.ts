/**
 * `lambdalite serve`: opens the engine on a data directory and answers AWS's wire protocols
 * until SIGINT/SIGTERM, then closes cleanly (requests finished, engine drained and persisted).
 */
import { Command } from 'commander';
import { DEFAULT_PORT, parseCredentials, parsePort } from '../options.js';

interface ServeFlags {
  data: string;
  port: number;
  host: string;
  config?: string;
  credentials?: string;
  allowUnauthenticated?: boolean;
  region?: string;
}

export function serveCommand(): Command {
  return new Command('serve')
    .description(
      'serve the engine over AWS wire protocols (S3, Lambda, Kinesis, DynamoDB, DynamoDB Streams, IAM) and the console at /',
    )
    .option('--data <dir>', 'LevelDB data directory', './.lambdalite')
    .option('--port <n>', 'TCP port (0 picks a free one)', parsePort, DEFAULT_PORT)
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--config <file>', 'apply a pipeline file or SAM template before serving')
    .option('--credentials <key:secret>', 'require SigV4 signatures with this key pair', parseCredentials)
    .option('--allow-unauthenticated', 'allow a non-loopback --host without --credentials')
    .option('--region <region>', 'the engine region', 'us-east-1')
    .action(async (flags: ServeFlags) => run(flags));
}

async function run(flags: ServeFlags): Promise<void> {
  // Loaded here, not at the top: every other command starts without the engine.
  const [{ createEngine }, { serve }, { apply }, { formatPlan }, { loadPipelineFile }] = await Promise.all([
    import('../../engine.js'),
    import('../../server/serve.js'),
    import('../../pipeline/apply.js'),
    import('../../pipeline/format.js'),
    import('../../pipeline/load.js'),
  ]);
  // Read (and so check) the file before taking the data directory's lock.
  const pipeline = flags.config === undefined ? undefined : await loadPipelineFile(flags.config);
  const engine = await createEngine({
    location: flags.data,
    ...(flags.region === undefined ? {} : { region: flags.region }),
  });
  let server: Awaited<ReturnType<typeof serve>>;
  try {
    if (pipeline !== undefined) process.stderr.write(`${formatPlan(await apply(engine, pipeline))}\n`);
    server = await serve(engine, {
      port: flags.port,
      host: flags.host,
      ...(flags.credentials === undefined ? {} : { credentials: flags.credentials }),
      ...(flags.allowUnauthenticated === true ? { allowUnauthenticatedRemote: true } : {}),
    });
  } catch (err) {
    await engine.close();
    throw err;
  }
  process.stdout.write(`${server.url}\n`);
  process.stderr.write(`console: ${server.url}/ (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  await engine.close();
  process.stderr.write('lambdalite: closed\n');
}
