/**
 * The few error kinds a command may throw. Commands throw; only `cli.ts` prints them (one line
 * on stderr) and turns them into an exit code. Messages name the offending file or option and
 * say what was expected, because that line is all a CI log will show.
 */

/**
 * An error the tool reports as one line. `subject`: the value the message is about, which starts
 * it (see forOption).
 */
abstract class ReportedError extends Error {
  abstract readonly exitCode: number;
  constructor(
    message: string,
    readonly subject?: string,
  ) {
    super(message);
  }
}

/** The tool was called wrongly: a bad option value or a missing required option (exit 2). */
export class UsageError extends ReportedError {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
}

/** A file or directory the tool was given cannot be used (exit 1). */
export class InputError extends ReportedError {
  override readonly name = 'InputError';
  readonly exitCode = 1;
}

/**
 * Runs library code on a value an option gave. Library errors say what is wrong with which value
 * or file; an error about the value itself (one with a `subject`) gets the option's flag in front,
 * `relu9: no such layer` → `--layer relu9: no such layer`. Errors about other files pass unchanged.
 */
export function forOption<T>(flag: string, work: () => T): T {
  return relabel(work, (error) => (error.subject === undefined ? error.message : `${flag} ${error.message}`));
}

/** Runs `work`; a UsageError or InputError from it is thrown again with `message(error)`. */
export function relabel<T>(work: () => T, message: (error: UsageError | InputError) => string): T {
  const rethrow = (error: unknown): never => {
    if (error instanceof UsageError) throw new UsageError(message(error));
    if (error instanceof InputError) throw new InputError(message(error));
    throw error;
  };
  try {
    const result = work();
    return (result instanceof Promise ? result.catch(rethrow) : result) as T;
  } catch (error) {
    return rethrow(error);
  }
}

/** The run was stopped by SIGINT (exit 130) or SIGTERM (exit 143). */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor(
    message: string,
    readonly exitCode: 130 | 143,
  ) {
    super(message);
  }
}

/** The message of anything thrown, without a stack. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A file-system error in a few words, without the path Node appends (often a temporary file the
 * user never named): `ENOSPC: no space left on device, write` → `ENOSPC: no space left on device`.
 */
export function fsReasonOf(error: unknown): string {
  const message = messageOf(error).split('\n')[0];
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code && message.startsWith(`${code}: `) ? message.split(',')[0] : message;
}

/**
 * `message` on one line: control characters escaped as in a JSON string (`\n`, `\t`, `\u001b`).
 * File names may contain newlines (`find` hands them over as they are); printed raw, one error
 * would become two lines and a terminal escape in a name could rewrite the screen.
 */
export function escapeControlCharacters(message: string): string {
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  return message.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
    /[\u0000-\u001f\u007f]/g,
    (c) => named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
