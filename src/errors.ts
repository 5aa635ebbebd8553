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
