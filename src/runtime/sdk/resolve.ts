/**
 * Inside a container: makes `lambdalite/sdk` resolve from any code location (a file, a
 * directory, an unzipped package without node_modules), the way Lambda's runtime provided the
 * AWS SDK. ESM `import` goes through a resolve hook registered with `node:module`; CJS `require`
 * through a `Module._resolveFilename` patch whose answer is pre-filled in the require cache.
 */
import Module, { register } from 'node:module';
import { fileURLToPath } from 'node:url';

export const SDK_SPECIFIER = 'lambdalite/sdk';

interface CjsModuleStatics {
  _resolveFilename(request: string, ...rest: unknown[]): string;
  _cache: Record<string, unknown>;
}

/**
 * `sdkUrl` is the SDK module's file URL; `exports` its namespace, handed to `require`. The CJS
 * patch costs nothing; the ESM hook (a loader thread on Node 20) is registered only when `esm`.
 */
export function installSdkResolution(sdkUrl: URL, exports: object, esm: boolean): void {
  if (esm) registerEsmHook(sdkUrl);
  const statics = Module as unknown as CjsModuleStatics;
  const filename = fileURLToPath(sdkUrl);
  const cached = new Module(filename);
  Object.assign(cached, { filename, loaded: true, exports: { ...exports } });
  statics._cache[filename] = cached;
  const original = statics._resolveFilename;
  statics._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    if (request === SDK_SPECIFIER) return filename;
    return original.call(this, request, ...rest);
  };
}

function registerEsmHook(sdkUrl: URL): void {
  const code = `const SDK = ${JSON.stringify(sdkUrl.href)};
export async function resolve(specifier, context, next) {
  if (specifier === ${JSON.stringify(SDK_SPECIFIER)}) return { url: SDK, shortCircuit: true };
  return next(specifier, context);
}`;
  register(`data:text/javascript,${encodeURIComponent(code)}`);
}
