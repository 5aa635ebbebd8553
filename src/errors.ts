/**
 * The few error kinds the tool reports as one line. Library code throws the domain errors
 * (InvalidValueError, InputError), which say what is wrong with which value or file; commands
 * put their option's flag in front (forOption, relabel) and throw UsageError for a command line
 * that cannot work. Only `cli.ts` prints them (one line on stderr) and picks the exit code,
 * because that line is all a CI log will show.
 */

/** An error reported as one line. `subject`: the value the message is about, which starts it (see forOption). */
export abstract class ReportedError extends Error {
  constructor(
    message: string,
    readonly subject?: string,
  ) {
    super(message);
  }
}

/**
 * A value given to library code (a name, a size, a setting, a model or a folder given for a
 * purpose) cannot be used: the message says why, naming the value, never an option.
 */
export class InvalidValueError extends ReportedError {
  override readonly name = 'InvalidValueError';
}

/** A file or directory the tool was given cannot be used. */
export class InputError extends ReportedError {
  override readonly name = 'InputError';
}

/** The tool was called wrongly: a bad option value or a missing required option. Commands only. */
export class UsageError extends ReportedError {
  override readonly name = 'UsageError';
}

/**
 * Runs library code on a value an option gave. Library errors say what is wrong with which value
 * or file; an error about the value itself (one with a `subject`) gets the option's flag in front,
 * `relu9: no such layer` → `--layer relu9: no such layer`. Errors about other files keep their
 * words. As with relabel, an InvalidValueError comes out as a UsageError.
 */
export function forOption<T>(flag: string, work: () => T): T {
  return relabel(work, (error) => (error.subject === undefined ? error.message : `${flag} ${error.message}`));
}

/**
 * Runs library code for a command and says its errors in the command's terms, worded by
 * `message(error)` (unchanged by default): an InvalidValueError (or UsageError) becomes a
 * UsageError, an InputError stays one. Anything else passes untouched.
 */
export function relabel<T>(work: () => T, message: (error: ReportedError) => string = (error) => error.message): T {
  const rethrow = (error: unknown): never => {
    if (error instanceof InvalidValueError || error instanceof UsageError) throw new UsageError(message(error));
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
