import { expect } from 'vitest';
import { InputError } from '../../src/errors.js';

/**
 * Awaits `promise`, expects it to reject with a one-line InputError containing every fragment
 * (the file name, what was expected), and returns the message.
 */
export async function expectInputError(promise: Promise<unknown>, ...fragments: string[]): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(InputError);
  const message = (error as Error).message;
  expect(message).not.toContain('\n');
  for (const fragment of fragments) expect(message).toContain(fragment);
  return message;
}
