/**
 * Picks the service of a request the way LocalStack's router does (reference/aws-wire.md): the
 * service in the SigV4 credential scope, then `X-Amz-Target`, then the path, then a query
 * protocol `Action`/`Version`, and S3 for everything else (unsigned requests included).
 */
import type { ServiceModule } from './service.js';

export interface RouteHints {
  /** The credential scope's service, when the request is signed. */
  readonly scope: string | undefined;
  readonly target: string | undefined;
  readonly rawPath: string;
  /** `Version` of a query-protocol request (query string or form body), when known. */
  readonly queryVersion: string | undefined;
}

export class Router {
  readonly #services: readonly ServiceModule[];
  readonly #s3: ServiceModule;

  constructor(services: readonly ServiceModule[], fallback: ServiceModule) {
    this.#services = services;
    this.#s3 = fallback;
  }

  route(hints: RouteHints): ServiceModule {
    const prefix = hints.target === undefined ? undefined : hints.target.split('.')[0];
    const byTarget = (candidates: readonly ServiceModule[]): ServiceModule | undefined =>
      prefix === undefined ? undefined : candidates.find((s) => s.targetPrefixes?.includes(prefix));
    if (hints.scope !== undefined) {
      const scoped = this.#services.filter((s) => s.signingName === hints.scope);
      // DynamoDB Streams is signed as `dynamodb`: the target tells the two apart.
      const chosen = scoped.length > 1 ? (byTarget(scoped) ?? scoped[0]) : scoped[0];
      if (chosen !== undefined) return chosen;
    }
    return (
      byTarget(this.#services) ??
      this.#services.find((s) => s.ownsPath?.(hints.rawPath) === true) ??
      (hints.queryVersion === undefined
        ? undefined
        : this.#services.find((s) => s.queryVersion === hints.queryVersion)) ??
      this.#s3
    );
  }
}
