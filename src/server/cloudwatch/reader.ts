/**
 * CloudWatch's inputs arrive in two encodings of the same shapes: a JSON object (SDK v3, awsJson
 * 1.0) and query parameters (the aws CLI: `Dimensions.member.1.Name=...`). The operations read
 * them through one `InputReader`, so each is written once. Readers check only what the
 * encoding needs (types, timestamp syntax); the engine checks the values.
 */
import { bool, type JsonObject, list, num, obj, str } from '../protocols/json.js';
import { WireError } from '../wire-error.js';

export interface InputReader {
  str(name: string): string | undefined;
  num(name: string): number | undefined;
  bool(name: string): boolean | undefined;
  /** A timestamp as engine milliseconds. */
  time(name: string): number | undefined;
  struct(name: string): InputReader | undefined;
  /** A list of structures. */
  list(name: string): InputReader[] | undefined;
  strList(name: string): string[] | undefined;
  numList(name: string): number[] | undefined;
}

function badValue(name: string, value: unknown, expected: string): WireError {
  return new WireError(
    'InvalidParameterValue',
    400,
    `The value ${JSON.stringify(value)} for parameter ${name} is not ${expected}.`,
  );
}

/** ISO 8601, or epoch seconds as a number or numeric string. */
function timestampMs(name: string, value: string | number): number {
  if (typeof value === 'number' || /^\d+(\.\d+)?$/.test(value)) {
    const seconds = Number(value);
    if (Number.isFinite(seconds)) return Math.round(seconds * 1000);
  } else {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  throw badValue(name, value, 'a valid timestamp');
}

export class JsonReader implements InputReader {
  readonly #input: JsonObject;

  constructor(input: JsonObject) {
    this.#input = input;
  }

  str(name: string): string | undefined {
    return str(this.#input, name);
  }

  num(name: string): number | undefined {
    return num(this.#input, name);
  }

  bool(name: string): boolean | undefined {
    return bool(this.#input, name);
  }

  time(name: string): number | undefined {
    const value = Object.hasOwn(this.#input, name) ? this.#input[name] : undefined;
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' && typeof value !== 'string') {
      throw new WireError('SerializationException', 400, `${name} must be a timestamp`);
    }
    return timestampMs(name, value);
  }

  struct(name: string): InputReader | undefined {
    const value = obj(this.#input, name);
    return value === undefined ? undefined : new JsonReader(value);
  }

  list(name: string): InputReader[] | undefined {
    return list(this.#input, name)?.map((item) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw new WireError('SerializationException', 400, `${name} must hold objects`);
      }
      return new JsonReader(item as JsonObject);
    });
  }

  strList(name: string): string[] | undefined {
    return list(this.#input, name)?.map((item) => {
      if (typeof item !== 'string')
        throw new WireError('SerializationException', 400, `${name} must hold strings`);
      return item;
    });
  }

  numList(name: string): number[] | undefined {
    return list(this.#input, name)?.map((item) => {
      if (typeof item !== 'number')
        throw new WireError('SerializationException', 400, `${name} must hold numbers`);
      return item;
    });
  }
}

/** Query parameters under a prefix (`MetricData.member.2.`): lists are `<Name>.member.<n>`. */
export class QueryReader implements InputReader {
  readonly #params: URLSearchParams;
  readonly #prefix: string;

  constructor(params: URLSearchParams, prefix = '') {
    this.#params = params;
    this.#prefix = prefix;
  }

  str(name: string): string | undefined {
    return this.#params.get(this.#prefix + name) ?? undefined;
  }

  num(name: string): number | undefined {
    const text = this.str(name);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) throw badValue(this.#prefix + name, text, 'a number');
    return value;
  }

  bool(name: string): boolean | undefined {
    const text = this.str(name);
    if (text === undefined) return undefined;
    if (text !== 'true' && text !== 'false') throw badValue(this.#prefix + name, text, 'true or false');
    return text === 'true';
  }

  time(name: string): number | undefined {
    const text = this.str(name);
    return text === undefined ? undefined : timestampMs(this.#prefix + name, text);
  }

  struct(name: string): InputReader | undefined {
    const prefix = `${this.#prefix}${name}.`;
    for (const key of this.#params.keys()) {
      if (key.startsWith(prefix)) return new QueryReader(this.#params, prefix);
    }
    return undefined;
  }

  /** The member numbers present under `<name>.member.`, ascending; undefined when the list is absent. */
  #members(name: string): number[] | undefined {
    const key = this.#prefix + name;
    const prefix = `${key}.member.`;
    const numbers = new Set<number>();
    let present = false;
    for (const param of this.#params.keys()) {
      if (param === key) present = true; // `Name=` is how the query protocol sends an empty list
      if (!param.startsWith(prefix)) continue;
      const rest = param.slice(prefix.length);
      const dot = rest.indexOf('.');
      const n = Number(dot < 0 ? rest : rest.slice(0, dot));
      if (!Number.isInteger(n) || n < 1) throw badValue(param, rest, 'a list member number');
      numbers.add(n);
    }
    if (numbers.size === 0) return present ? [] : undefined;
    return [...numbers].sort((a, b) => a - b);
  }

  list(name: string): InputReader[] | undefined {
    return this.#members(name)?.map(
      (n) => new QueryReader(this.#params, `${this.#prefix}${name}.member.${n}.`),
    );
  }

  strList(name: string): string[] | undefined {
    return this.#members(name)?.map((n) => this.str(`${name}.member.${n}`) ?? '');
  }

  numList(name: string): number[] | undefined {
    return this.#members(name)?.map((n) => this.num(`${name}.member.${n}`) ?? Number.NaN);
  }
}
