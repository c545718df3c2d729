/**
 * Crawlee-style logging: `INFO  CheerioCrawler: Message {"field":1}`. Building blocks never print;
 * crawlers log through a child of {@link log} with their name as prefix.
 */

/** Log levels, numbered as in Crawlee (`log.LEVELS.DEBUG`). */
export enum LogLevel {
  OFF = 0,
  ERROR = 1,
  SOFT_FAIL = 2,
  WARNING = 3,
  INFO = 4,
  DEBUG = 5,
  PERF = 6,
}

const LEVEL_LABELS: Record<LogLevel, string> = {
  [LogLevel.OFF]: '',
  [LogLevel.ERROR]: 'ERROR',
  [LogLevel.SOFT_FAIL]: 'SOFT_FAIL',
  [LogLevel.WARNING]: 'WARN',
  [LogLevel.INFO]: 'INFO',
  [LogLevel.DEBUG]: 'DEBUG',
  [LogLevel.PERF]: 'PERF',
};

/** Where formatted lines go; replace it to capture output (tests, a progress display). */
export type LogWriter = (line: string, level: LogLevel) => void;

/** Options of a {@link Log}; children inherit what they do not set. */
export interface LogOptions {
  /** Lines above this level are dropped. @default LogLevel.INFO, or `CRAWLEE_LOG_LEVEL` */
  level?: LogLevel;
  /** Text before the message, such as the crawler's name; children join theirs with `:`. */
  prefix?: string | null;
  /** Receives each formatted line. @default standard error for ERROR and WARN, else standard out */
  writer?: LogWriter;
}

/** Parses a level given by name (`debug`, `WARNING`) or number; `undefined` when unknown. */
export function parseLogLevel(value: string | number | undefined): LogLevel | undefined {
  if (value === undefined || value === '') {
    return undefined;
  }
  const asNumber = Number(value);
  if (Number.isInteger(asNumber) && asNumber >= LogLevel.OFF && asNumber <= LogLevel.PERF) {
    return asNumber;
  }
  const name = String(value).toUpperCase();
  if (name === 'WARN') {
    return LogLevel.WARNING;
  }
  const level = (LogLevel as unknown as Record<string, LogLevel | undefined>)[name];
  return typeof level === 'number' ? level : undefined;
}

function defaultWriter(line: string, level: LogLevel): void {
  const stream = level <= LogLevel.WARNING ? process.stderr : process.stdout;
  stream.write(`${line}\n`);
}

function initialLevel(): LogLevel {
  const env = process.env.CRAWLEE_LOG_LEVEL ?? process.env.APIFY_LOG_LEVEL;
  return parseLogLevel(env) ?? LogLevel.INFO;
}

interface SharedState {
  level: LogLevel;
  writer: LogWriter;
  warnedOnce: Set<string>;
}

/**
 * A logger with Crawlee's methods. Children made with {@link Log.child} share the root's level and
 * writer unless given their own, so `log.setLevel()` affects every crawler at once.
 */
export class Log {
  /** The levels, for `log.setLevel(log.LEVELS.DEBUG)`. */
  readonly LEVELS = LogLevel;
  #shared: SharedState;
  #prefix: string | null;

  constructor(options: LogOptions = {}, shared?: SharedState) {
    this.#shared = shared ?? {
      level: options.level ?? initialLevel(),
      writer: options.writer ?? defaultWriter,
      warnedOnce: new Set(),
    };
    this.#prefix = options.prefix ?? null;
  }

  /** The prefix printed before each message, or null. */
  get prefix(): string | null {
    return this.#prefix;
  }

  /** Sets the level for this logger and every logger sharing its root. */
  setLevel(level: LogLevel): void {
    this.#shared.level = level;
  }

  /** The current level. */
  getLevel(): LogLevel {
    return this.#shared.level;
  }

  /** Changes the level or writer shared with the root. */
  setOptions(options: Pick<LogOptions, 'level' | 'writer'>): void {
    if (options.level !== undefined) {
      this.#shared.level = options.level;
    }
    if (options.writer !== undefined) {
      this.#shared.writer = options.writer;
    }
  }

  /** The writer lines go to. */
  getWriter(): LogWriter {
    return this.#shared.writer;
  }

  /** A logger whose prefix is this one's and `prefix` joined by `:`. */
  child(options: { prefix?: string | null; level?: LogLevel; writer?: LogWriter }): Log {
    const prefix = [this.#prefix, options.prefix].filter(Boolean).join(':') || null;
    if (options.level === undefined && options.writer === undefined) {
      return new Log({ prefix }, this.#shared);
    }
    return new Log({
      prefix,
      level: options.level ?? this.#shared.level,
      writer: options.writer ?? this.#shared.writer,
    });
  }

  /** Writes a line at `level` when the current level allows it. */
  logAt(level: LogLevel, message: string, data?: Record<string, unknown>): void {
    if (level > this.#shared.level || level === LogLevel.OFF) {
      return;
    }
    const label = LEVEL_LABELS[level].padEnd(6);
    const prefix = this.#prefix ? `${this.#prefix}: ` : '';
    const fields = data && Object.keys(data).length > 0 ? ` ${safeStringify(data)}` : '';
    this.#shared.writer(`${label}${prefix}${message}${fields}`, level);
  }

  error(message: string, data?: Record<string, unknown>): void {
    this.logAt(LogLevel.ERROR, message, data);
  }

  softFail(message: string, data?: Record<string, unknown>): void {
    this.logAt(LogLevel.SOFT_FAIL, message, data);
  }

  warning(message: string, data?: Record<string, unknown>): void {
    this.logAt(LogLevel.WARNING, message, data);
  }

  /** Alias of {@link Log.warning}. */
  warn(message: string, data?: Record<string, unknown>): void {
    this.logAt(LogLevel.WARNING, message, data);
  }

  info(message: string, data?: Record<string, unknown>): void {
    this.logAt(LogLevel.INFO, message, data);
  }

  debug(message: string, data?: Record<string, unknown>): void {
    this.logAt(LogLevel.DEBUG, message, data);
  }

  perf(message: string, data?: Record<string, unknown>): void {
    this.logAt(LogLevel.PERF, message, data);
  }

  /** Logs `message` at ERROR with the error's message, and its stack at DEBUG. */
  exception(error: Error, message: string, data?: Record<string, unknown>): void {
    this.logAt(LogLevel.ERROR, `${message}: ${error.message}`, data);
    if (error.stack) {
      this.logAt(LogLevel.DEBUG, error.stack);
    }
  }

  /** Logs a warning once per root logger for each distinct message. */
  warningOnce(message: string): void {
    if (this.#shared.warnedOnce.has(message)) {
      return;
    }
    this.#shared.warnedOnce.add(message);
    this.warning(message);
  }

  /** Logs a deprecation warning once per message. */
  deprecated(message: string): void {
    this.warningOnce(message);
  }
}

function safeStringify(data: Record<string, unknown>): string {
  try {
    return JSON.stringify(data, (_key, value: unknown) =>
      value instanceof Error ? { name: value.name, message: value.message } : value,
    );
  } catch {
    return '[unserializable fields]';
  }
}

/** The root logger; crawlers log through children of it. */
export const log = new Log();
