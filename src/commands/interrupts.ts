/**
 * Ctrl-C / SIGTERM during training: the first signal asks the loop to stop after the current
 * step and write a checkpoint; a second one exits at once. Every file the tool writes is written
 * atomically (temp + rename), so exiting mid-write leaves at most a hidden temporary file, never
 * a corrupt checkpoint or model.
 */
export type InterruptSignal = 'SIGINT' | 'SIGTERM';

/** Exit codes for signals: 128 + signal number, the shell convention (README: exit codes). */
export const SIGNAL_EXIT_CODES: Record<InterruptSignal, 130 | 143> = { SIGINT: 130, SIGTERM: 143 };

export interface InterruptWatch {
  /** The first signal received, if any. */
  received(): InterruptSignal | undefined;
  dispose(): void;
}

export function watchInterrupts(notice: (message: string) => void): InterruptWatch {
  let first: InterruptSignal | undefined;
  const handler = (signal: InterruptSignal) => {
    if (first) {
      // The one deliberate exit outside cli.ts: the user insisted, and nothing is half-written.
      process.exit(SIGNAL_EXIT_CODES[signal]);
    }
    first = signal;
    notice(
      `gradcam: ${signal} received: finishing the current step and writing a checkpoint (send it again to exit at once)`,
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    received: () => first,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
