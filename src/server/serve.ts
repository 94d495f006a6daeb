/**
 * `serve(engine, options)`: the engine behind AWS's own wire protocols on one port. The engine
 * knows nothing of HTTP; every request maps onto its public API.
 *
 * @example
 * const server = await serve(engine, { port: 4566 });
 * // aws --endpoint-url http://127.0.0.1:4566 s3 mb s3://photos
 * await server.close();
 */
import { randomUUID } from 'node:crypto';
import type { Engine } from '../engine.js';
import { LambdaliteError } from '../errors.js';
import { BodyTooLarge, readBody } from './body.js';
import { ConsoleServer } from './console/console.js';
import { isConsoleRequest } from './console/owns.js';
import { type AnyRequest, type AnyResponse, DualListener } from './listener.js';
import { buildServices } from './registry.js';
import { Router } from './router.js';
import type { ServiceModule } from './service.js';
import { AuthError, type Credentials, readSignature, type SignatureInfo, verifySignature } from './sigv4.js';
import { header, sendableHeaderValue, type WireRequest, type WireResponse } from './wire.js';
import { WireError } from './wire-error.js';

export interface ServeOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /**
   * Turns on SigV4 verification: requests must be signed with this key pair. As
   * `{ accessKeyId, secretAccessKey }` or `'KEY:SECRET'`. Without it any signature is accepted.
   */
  credentials?: Credentials | string;
  /** Bind to a non-loopback host without credentials anyway (prints a warning). */
  allowUnauthenticatedRemote?: boolean;
  /** Clock-skew window for signatures, ms; default 15 minutes as AWS. */
  clockSkewMs?: number;
  /** How long `close()` lets requests in flight finish, ms; default 5000. */
  closeGraceMs?: number;
  /** Where warnings go; default stderr. */
  onWarning?: (message: string) => void;
}

export interface Server {
  /** `http://127.0.0.1:<port>` (path-style S3 addressing for the SDK). */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, finishes requests in flight, closes connections. Leaves the engine open. */
  close(): Promise<void>;
}

const DEFAULTS = Object.freeze({ port: 0, host: '127.0.0.1', clockSkewMs: 15 * 60_000, closeGraceMs: 5000 });
/** Query-protocol bodies (IAM, CloudWatch) are small; the form is read to find its Version. */
const FORM_LIMIT = 1024 * 1024;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function parseCredentials(value: Credentials | string | undefined): Credentials | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    const colon = value.indexOf(':');
    if (colon <= 0 || colon === value.length - 1) {
      throw new LambdaliteError(
        'InvalidArgument',
        `options.credentials must be 'KEY:SECRET', got '${value}'`,
      );
    }
    return { accessKeyId: value.slice(0, colon), secretAccessKey: value.slice(colon + 1) };
  }
  if (
    typeof value.accessKeyId !== 'string' ||
    typeof value.secretAccessKey !== 'string' ||
    !value.accessKeyId
  ) {
    throw new LambdaliteError(
      'InvalidArgument',
      'options.credentials must have accessKeyId and secretAccessKey strings',
    );
  }
  return value;
}

function checkOptions(options: ServeOptions): void {
  const { port } = options;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new LambdaliteError('InvalidArgument', `options.port must be an integer in 0..65535, got ${port}`);
  }
  if (options.host !== undefined && (typeof options.host !== 'string' || options.host === '')) {
    throw new LambdaliteError(
      'InvalidArgument',
      `options.host must be a non-empty string, got ${options.host}`,
    );
  }
}

/** Serves `engine` over AWS's wire protocols until `close()`. */
export async function serve(engine: Engine, options: ServeOptions = {}): Promise<Server> {
  checkOptions(options);
  const credentials = parseCredentials(options.credentials);
  const host = options.host ?? DEFAULTS.host;
  const warn = options.onWarning ?? ((m: string) => process.stderr.write(`lambdalite: warning: ${m}\n`));
  if (!isLoopback(host) && credentials === undefined) {
    if (options.allowUnauthenticatedRemote !== true) {
      throw new LambdaliteError(
        'InvalidArgument',
        `Binding to ${host} (not loopback) without credentials would let anyone on the network use the engine; ` +
          'give credentials, or allowUnauthenticatedRemote: true (--allow-unauthenticated)',
      );
    }
    warn(`serving on ${host} without credentials: anyone who can reach this port can use the engine`);
  }
  const services = buildServices(engine);
  const s3 = services.find((s) => s.name === 's3')!;
  const handler = new RequestDispatcher(new Router(services, s3), engine.region, {
    credentials,
    clockSkewMs: options.clockSkewMs ?? DEFAULTS.clockSkewMs,
  });
  const consoleServer = new ConsoleServer(engine, {
    credentials,
    loopbackHostsOnly: credentials === undefined && isLoopback(host),
  });
  const listener = new DualListener((req, res) =>
    isConsoleRequest(req) ? consoleServer.handle(req, res) : handler.dispatch(req, res),
  );
  const port = await listener.listen(options.port ?? DEFAULTS.port, host);
  const shownHost =
    host === '0.0.0.0' || host === 'localhost' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () => {
      closing ??= listener
        .close(options.closeGraceMs ?? DEFAULTS.closeGraceMs, () => handler.idle())
        .finally(() => consoleServer.close());
      return closing;
    },
  };
}

interface DispatchOptions {
  readonly credentials: Credentials | undefined;
  readonly clockSkewMs: number;
}

/** Turns one HTTP exchange into a service call and writes the answer. */
class RequestDispatcher {
  #inFlight = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(
    private readonly router: Router,
    private readonly region: string,
    private readonly options: DispatchOptions,
  ) {}

  idle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  dispatch(req: AnyRequest, res: AnyResponse): void {
    this.#inFlight++;
    this.#answer(req)
      .then((response) => write(res, response))
      .catch(() => write(res, { status: 500, body: '' }))
      .finally(() => {
        if (--this.#inFlight === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
      });
  }

  async #answer(req: AnyRequest): Promise<WireResponse> {
    const requestId = randomUUID();
    return withRequestId(await this.#respond(req, requestId), requestId);
  }

  async #respond(req: AnyRequest, requestId: string): Promise<WireResponse> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const query = new URLSearchParams(rawQuery);
    const method = req.method ?? 'GET';
    let signature: SignatureInfo | undefined;
    let authProblem: AuthError | undefined;
    try {
      signature = readSignature(req.headers, query);
    } catch (err) {
      authProblem = err as AuthError;
    }
    const target = header(req, 'x-amz-target');
    let service = this.router.route({
      scope: signature?.service,
      target,
      rawPath,
      queryVersion: query.get('Action') === null ? undefined : (query.get('Version') ?? undefined),
    });
    const declared = header(req, 'content-length');
    const declaredLength = declared === undefined ? undefined : Number(declared);
    let body: Buffer | undefined;
    const isForm = (header(req, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded');
    const base = { method, rawPath, query, headers: req.headers, requestId, region: this.region };
    try {
      if (
        service.name === 's3' &&
        signature === undefined &&
        target === undefined &&
        method === 'POST' &&
        isForm
      ) {
        // An unsigned query-protocol call (`--no-sign-request`): its Version is in the form body.
        body = await readBody(req, FORM_LIMIT, declaredLength);
        const version = new URLSearchParams(body.toString('utf8')).get('Version') ?? undefined;
        service = this.router.route({ scope: undefined, target, rawPath, queryVersion: version });
      }
      body ??= await readBody(req, service.maxBodyBytes(method, rawPath), declaredLength);
    } catch (err) {
      const [code, status] = service.bodyTooLarge;
      const tooLarge = err instanceof BodyTooLarge ? new WireError(code, status, err.message) : err;
      return service.errorResponse(tooLarge, { ...base, body: Buffer.alloc(0) });
    }
    const wireRequest: WireRequest = { ...base, body };
    const { credentials } = this.options;
    if (credentials !== undefined) {
      try {
        if (authProblem !== undefined) throw authProblem;
        verifySignature(
          signature,
          { method, rawPath, rawQuery, headers: req.headers, body },
          credentials,
          Date.now(),
          this.options.clockSkewMs,
        );
      } catch (err) {
        if (!(err instanceof AuthError)) throw err;
        const [code, status] = service.authCodes[err.failure];
        return service.errorResponse(new WireError(code, status, err.message), wireRequest);
      }
    }
    return handle(service, wireRequest);
  }
}

async function handle(service: ServiceModule, req: WireRequest): Promise<WireResponse> {
  try {
    return await service.handle(req);
  } catch (err) {
    return service.errorResponse(err, req);
  }
}

const REQUEST_ID_HEADER = /^x-amzn?-request-?id$/i;

/**
 * Every AWS answer names its request: S3 in `x-amz-request-id` (its module sets it), the JSON
 * and query services in `x-amzn-RequestId` (the SDKs read it into `$metadata.requestId`; Lambda's
 * Invoke puts the invocation's own id there).
 */
function withRequestId(response: WireResponse, requestId: string): WireResponse {
  const headers = response.headers ?? {};
  if (Object.keys(headers).some((name) => REQUEST_ID_HEADER.test(name))) return response;
  return { ...response, headers: { ...headers, 'x-amzn-RequestId': requestId } };
}

function write(res: AnyResponse, response: WireResponse): void {
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(response.headers ?? {}))
    headers[name] = sendableHeaderValue(value);
  const body = typeof response.body === 'string' ? Buffer.from(response.body) : response.body;
  if (body !== undefined && headers['content-length'] === undefined)
    headers['content-length'] = String(body.length);
  if (headers['content-length'] === undefined) headers['content-length'] = '0';
  res.writeHead(response.status, headers);
  if (body === undefined) res.end();
  else res.end(body);
}
