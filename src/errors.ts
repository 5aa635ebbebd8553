/**
 * The few error kinds a command may throw. Commands throw; only `cli.ts` prints them (one line
 * on stderr) and turns them into an exit code. Messages name the offending file or option and
 * say what was expected, because that line is all a CI log will show.
 */

/** The tool was called wrongly: a bad option value or a missing required option (exit 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
}

/** A file or directory the tool was given cannot be used (exit 1). */
export class InputError extends Error {
  override readonly name = 'InputError';
  readonly exitCode = 1;
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
  return message.replace(/[\u0000-\u001f\u007f]/g, (c) => named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
