/** A container's options and stop reasons, shared by container.ts and container-setup.ts. */
import type { LoggingConfig } from '../functions/logging-config.js';

export type StopReason =
  | 'idle'
  | 'timeout'
  | 'out-of-memory'
  | 'exit'
  | 'crash'
  | 'init-error'
  | 'tmp-quota'
  | 'updated'
  | 'deleted'
  | 'closed';

export interface ContainerOptions {
  functionName: string;
  functionArn: string;
  handler: string;
  taskRoot: string;
  /** The code mentions `lambdalite/sdk` (see sdk/scan.ts). */
  sdkImports: boolean;
  memoryMb: number;
  tmpMb: number;
  /** The synchronous response limit, bytes (quotas.syncPayloadBytes). */
  responseBytes: number;
  region: string;
  /** The function's own variables. */
  environment: Record<string, string>;
  /** Identifies the configuration the container was started with. */
  revisionId: string;
  /** The execution role lets the function write logs (checked when the container starts). */
  logsAllowed?: boolean;
  /** The function's log format; the runtime reads it, the container does not. */
  loggingConfig?: LoggingConfig;
}
