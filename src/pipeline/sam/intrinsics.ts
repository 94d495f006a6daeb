/**
 * CloudFormation's intrinsic functions over a parsed template: `Ref`, `Fn::GetAtt`, `Fn::Sub`
 * and `Fn::Join` (long forms; the YAML parser already turned `!Ref` and friends into these).
 * Parameters, pseudo parameters and resources resolve to the values they will have in the
 * engine; anything else (another intrinsic, an unknown name) is reported where it appears.
 */
import { show } from '../errors.js';

/** `AWS::NoValue`: the property or list item is left out. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** Where a value sits, for messages: the resource (`Logical (Type)`) and the property path. */
export interface At {
  readonly resource: string;
  readonly field: string;
}

export type Report = (at: At, message: string) => void;

export interface ResourceValues {
  /** What `Ref` gives. */
  readonly ref: string;
  /** What `Fn::GetAtt` gives, by attribute. */
  readonly attributes: ReadonlyMap<string, string>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const child = (at: At, key: string | number): At => ({
  resource: at.resource,
  field: typeof key === 'number' ? `${at.field}[${key}]` : at.field === '' ? key : `${at.field}.${key}`,
});

export class Resolver {
  readonly #names: ReadonlyMap<string, string | readonly string[] | typeof NO_VALUE>;
  readonly #resources: ReadonlyMap<string, ResourceValues>;
  readonly #report: Report;

  /**
   * @param names parameters and pseudo parameters (`AWS::Region`, ...), by name
   * @param resources the template's resources, by logical id
   */
  constructor(
    names: ReadonlyMap<string, string | readonly string[] | typeof NO_VALUE>,
    resources: ReadonlyMap<string, ResourceValues>,
    report: Report,
  ) {
    this.#names = names;
    this.#resources = resources;
    this.#report = report;
  }

  /** `value` with every intrinsic replaced; `undefined` where one could not be resolved (reported). */
  resolve(value: unknown, at: At): unknown {
    if (Array.isArray(value)) {
      return value.map((v, i) => this.resolve(v, child(at, i))).filter((v) => v !== NO_VALUE);
    }
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) {
      return this.#intrinsic(keys[0]!, value[keys[0]!], at);
    }
    const out: Record<string, unknown> = Object.create(null);
    for (const key of keys) {
      const v = this.resolve(value[key], child(at, key));
      if (v !== NO_VALUE) out[key] = v;
    }
    return out;
  }

  #intrinsic(name: string, arg: unknown, at: At): unknown {
    switch (name) {
      case 'Ref':
        return this.#ref(arg, at);
      case 'Fn::GetAtt':
        return this.#getAtt(arg, at);
      case 'Fn::Sub':
        return this.#sub(arg, at);
      case 'Fn::Join':
        return this.#join(arg, at);
      default:
        this.#report(
          at,
          `intrinsic function ${name} is not supported (Ref, Fn::GetAtt, Fn::Sub and Fn::Join are)`,
        );
        return undefined;
    }
  }

  #ref(arg: unknown, at: At): unknown {
    if (typeof arg !== 'string') {
      this.#report(at, `Ref must name a parameter or resource, got ${show(arg)}`);
      return undefined;
    }
    const named = this.#names.get(arg);
    if (named !== undefined) return named;
    const resource = this.#resources.get(arg);
    if (resource) return resource.ref;
    this.#report(at, `Ref to ${arg}: no parameter, pseudo parameter or resource of that name`);
    return undefined;
  }

  #getAtt(arg: unknown, at: At): string | undefined {
    const parts = typeof arg === 'string' ? splitAt(arg) : arg;
    if (!Array.isArray(parts) || parts.length !== 2 || typeof parts[0] !== 'string') {
      this.#report(at, `Fn::GetAtt takes [LogicalId, Attribute], got ${show(arg)}`);
      return undefined;
    }
    const attribute = this.resolve(parts[1], at);
    const resource = this.#resources.get(parts[0]);
    const value = typeof attribute === 'string' ? resource?.attributes.get(attribute) : undefined;
    if (value === undefined) {
      this.#report(
        at,
        resource
          ? `Fn::GetAtt ${parts[0]}.${String(attribute)}: the attribute is not supported (supported: ${[...resource.attributes.keys()].join(', ') || 'none'})`
          : `Fn::GetAtt ${parts[0]}: no resource of that name`,
      );
    }
    return value;
  }

  #sub(arg: unknown, at: At): string | undefined {
    const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
    if (typeof text !== 'string' || !isObject(vars)) {
      this.#report(at, `Fn::Sub takes a string or [string, { variables }], got ${show(arg)}`);
      return undefined;
    }
    const local = new Map<string, unknown>();
    for (const [k, v] of Object.entries(vars)) local.set(k, this.resolve(v, child(at, k)));
    let failed = false;
    const out = text.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
      const name = inner.trim();
      let value: unknown;
      if (local.has(name)) value = local.get(name);
      else if (this.#names.has(name) || this.#resources.has(name)) value = this.#ref(name, at);
      else if (name.includes('.')) value = this.#getAtt(name, at);
      else {
        this.#report(
          at,
          `Fn::Sub ${whole}: no parameter, pseudo parameter, resource or variable of that name`,
        );
        value = undefined;
      }
      if (typeof value !== 'string' && typeof value !== 'number') {
        failed = true;
        return '';
      }
      return String(value);
    });
    return failed ? undefined : out;
  }

  #join(arg: unknown, at: At): string | undefined {
    if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') {
      this.#report(at, `Fn::Join takes [delimiter, [values]], got ${show(arg)}`);
      return undefined;
    }
    const list = this.resolve(arg[1], at);
    if (!Array.isArray(list) || list.some((v) => typeof v !== 'string' && typeof v !== 'number')) {
      if (list !== undefined) this.#report(at, `Fn::Join needs a list of strings, got ${show(list)}`);
      return undefined;
    }
    return list.join(arg[0]);
  }
}

function splitAt(text: string): string[] {
  const dot = text.indexOf('.');
  return dot < 0 ? [text] : [text.slice(0, dot), text.slice(dot + 1)];
}
