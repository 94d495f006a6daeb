/**
 * A function's LoggingConfig: AWS's text format (the default) or its JSON format (2023), with
 * the levels that filter application and platform records in JSON format.
 */
import { fail } from '../errors.js';
import { anyValue, readOptions } from '../validation/options.js';

export type LogFormat = 'Text' | 'JSON';
export type ApplicationLogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
export type SystemLogLevel = 'DEBUG' | 'INFO' | 'WARN';

/** What create / update take (`logFormat` defaults to 'Text'). */
export interface LoggingConfigInput {
  logFormat?: LogFormat;
  /** JSON format only; default INFO: lines printed with a lower level are dropped. */
  applicationLogLevel?: ApplicationLogLevel;
  /** JSON format only; default INFO: platform records of a lower level are dropped. */
  systemLogLevel?: SystemLogLevel;
}

/** As every configuration read returns it. */
export interface LoggingConfig {
  logFormat: LogFormat;
  applicationLogLevel?: ApplicationLogLevel;
  systemLogLevel?: SystemLogLevel;
  /** Always `/aws/lambda/<name>` (a custom group is not supported). */
  logGroup: string;
}

// Values are checked below, where the format (given or current) decides which levels apply.
const LOGGING_OPTIONS = {
  logFormat: anyValue(),
  applicationLogLevel: anyValue(),
  systemLogLevel: anyValue(),
};

const APPLICATION_LEVELS: ReadonlySet<string> = new Set(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']);
const SYSTEM_LEVELS: ReadonlySet<string> = new Set(['DEBUG', 'INFO', 'WARN']);

export function validateLoggingConfig(
  input: LoggingConfigInput,
  functionName: string,
  current?: LoggingConfig,
): LoggingConfig {
  if (input === undefined) fail('InvalidParameterValueException', 'options.loggingConfig must be an object');
  readOptions(input, LOGGING_OPTIONS, 'InvalidParameterValueException', { label: 'options.loggingConfig' });
  const format = input.logFormat ?? current?.logFormat ?? 'Text';
  if (format !== 'Text' && format !== 'JSON') {
    fail(
      'InvalidParameterValueException',
      `loggingConfig.logFormat must be 'Text' or 'JSON', got ${JSON.stringify(format)}`,
    );
  }
  const config: LoggingConfig = { logFormat: format, logGroup: `/aws/lambda/${functionName}` };
  const app = input.applicationLogLevel;
  const sys = input.systemLogLevel;
  if (format === 'Text') {
    if (app !== undefined || sys !== undefined) {
      fail(
        'InvalidParameterValueException',
        'loggingConfig.applicationLogLevel and systemLogLevel require logFormat JSON (the Text format is not filtered by level)',
      );
    }
    return config;
  }
  const application =
    app ?? (input.logFormat === undefined ? current?.applicationLogLevel : undefined) ?? 'INFO';
  if (!APPLICATION_LEVELS.has(application)) {
    fail(
      'InvalidParameterValueException',
      `loggingConfig.applicationLogLevel must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL, got ${JSON.stringify(application)}`,
    );
  }
  const system = sys ?? (input.logFormat === undefined ? current?.systemLogLevel : undefined) ?? 'INFO';
  if (!SYSTEM_LEVELS.has(system)) {
    fail(
      'InvalidParameterValueException',
      `loggingConfig.systemLogLevel must be one of DEBUG, INFO, WARN, got ${JSON.stringify(system)}`,
    );
  }
  config.applicationLogLevel = application;
  config.systemLogLevel = system;
  return config;
}
