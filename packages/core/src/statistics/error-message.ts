/**
 * How an error reads in a log line: Crawlee's rules for how much of the stack to show, applied
 * to the error's root cause, since a wrapper's own message rarely says what went wrong.
 */

import { sep } from 'node:path';

/** The longest `cause` chain followed; guards against cycles. */
const MAX_CAUSE_DEPTH = 10;

/** Names of errors that are programming mistakes: their whole stack is worth reading. */
const BUG_ERROR_NAMES = new Set(['TypeError', 'SyntaxError', 'ReferenceError']);

/**
 * The innermost error in `error`'s `cause` chain: an error whose `cause` is another error is a
 * wrapper, and the cause is what really happened. Non-error causes are not followed.
 */
export function rootCause(error: Error): Error {
  let current = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH; depth++) {
    const cause: unknown = current.cause;
    if (!(cause instanceof Error) || cause === error) {
      break;
    }
    current = cause;
  }
  return current;
}

/**
 * The reason to log for a failed attempt, following Crawlee's rules:
 *
 * - a timeout (any error named `...TimeoutError`): its message only;
 * - `TypeError`, `SyntaxError`, `ReferenceError`: the full stack, as they are bugs in the handler;
 * - anything else: the message and the first stack frame in the project's own code (inside
 *   `process.cwd()`, outside `node_modules`), when there is one;
 * - with the `CRAWLEE_VERBOSE_LOG` environment variable set: the full stack of every error.
 *
 * A wrapper (an error with an error `cause`) is unwrapped first; its message, when it adds to
 * the cause's, is kept in front: `Could not save the record: EACCES: permission denied ...`.
 * A thrown value that is not an error is converted to a string.
 */
export function errorMessageFor(error: unknown): string {
  if (!(error instanceof Error)) {
    return String(error);
  }
  const root = rootCause(error);
  const message = combinedMessage(error, root);
  if (isVerboseLog() || BUG_ERROR_NAMES.has(root.name)) {
    const stack = root.stack ?? message;
    const isWrapped = message !== (root.message || root.name);
    return isWrapped ? `${error.message}: ${stack}` : stack;
  }
  if (root.name.endsWith('TimeoutError')) {
    return message;
  }
  const frame = stackFrames(root).find(isProjectFrame) ?? stackFrames(error).find(isProjectFrame);
  return frame === undefined ? message : `${message} ${frame}`;
}

/** The wrapper's message and the cause's, each once. */
function combinedMessage(error: Error, root: Error): string {
  const inner = root.message || root.name;
  if (root === error || error.message === '' || inner.includes(error.message)) {
    return inner;
  }
  if (error.message.includes(inner)) {
    return error.message;
  }
  return `${error.message}: ${inner}`;
}

function isVerboseLog(): boolean {
  const value = process.env.CRAWLEE_VERBOSE_LOG;
  return value !== undefined && !['', '0', 'false'].includes(value.trim().toLowerCase());
}

/** The `at ...` lines of the error's stack, trimmed; empty when it has no stack. */
export function stackFrames(error: Error): string[] {
  if (typeof error.stack !== 'string') {
    return [];
  }
  return error.stack
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at '));
}

/** Whether a stack frame points at the project's own code rather than a dependency or Node. */
export function isProjectFrame(frame: string): boolean {
  return frame.includes(process.cwd()) && !frame.includes(`node_modules`);
}

/**
 * A stack frame without its `at ` and with paths relative to the working directory:
 * `at handler (/srv/app/src/main.ts:10:5)` becomes `handler (src/main.ts:10:5)`.
 */
export function shortenFrame(frame: string): string {
  const cwd = process.cwd() + sep;
  return frame.replace(/^at /, '').replaceAll(`file://${cwd}`, '').replaceAll(cwd, '');
}
