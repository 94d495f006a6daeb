/**
 * What the translation of one resource reads and writes: the options, the spec being built
 * (with where each entry came from), the names resources resolve to, and the template's buckets.
 */
import type {
  BucketSpec,
  EventInvokeConfigSpec,
  FunctionSpec,
  MappingSpec,
  PermissionSpec,
  RoleSpec,
  StreamSpec,
  TableSpec,
} from '../types.js';

export interface TranslateOptions {
  readonly file: string | undefined;
  readonly region: string;
  readonly accountId: string;
  readonly stack: string;
  readonly parameters: Readonly<Record<string, string | number | readonly string[]>>;
}

/** The translation's working state: the spec being built and where each entry came from. */
export class Output {
  readonly roles: RoleSpec[] = [];
  readonly buckets: BucketSpec[] = [];
  readonly streams: StreamSpec[] = [];
  readonly tables: TableSpec[] = [];
  readonly functions: FunctionSpec[] = [];
  readonly permissions: PermissionSpec[] = [];
  readonly eventInvokeConfigs: EventInvokeConfigSpec[] = [];
  readonly mappings: MappingSpec[] = [];
  readonly origins = new Map<object, string>();
  /** S3 events and bucket LambdaConfigurations, by bucket name, attached at the end. */
  readonly notifications = new Map<
    string,
    NonNullable<BucketSpec['notifications']>['lambdaFunctionConfigurations']
  >();

  push<T extends object>(list: T[], item: T, origin: string): void {
    list.push(item);
    this.origins.set(item, origin);
  }

  notify(bucket: string, config: NonNullable<ReturnType<Output['notifications']['get']>>[number]): void {
    const list = this.notifications.get(bucket) ?? [];
    list.push(config);
    this.notifications.set(bucket, list);
  }
}

export interface TranslateScope {
  readonly options: TranslateOptions;
  readonly out: Output;
  /** The name a logical id resolves to (its physical name). */
  ref(id: string): string;
  /** Names of the template's AWS::S3::Bucket resources (S3 events must name one). */
  readonly bucketNames: ReadonlySet<string>;
}
