/**
 * The live progress bar `train` and `eval` draw on a terminal's stderr: one look for both, cleared
 * when it completes so the plain log lines that follow stand alone.
 */
import cliProgress from 'cli-progress';

/** A bar on stderr; `format` is cli-progress's, with the caller's payload fields. */
export function stderrProgressBar(format: string): cliProgress.SingleBar {
  return new cliProgress.SingleBar(
    { format, stream: process.stderr, hideCursor: true, clearOnComplete: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
}
