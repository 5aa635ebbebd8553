/**
 * How `train` reports progress on stderr: a live cli-progress bar on a terminal, one plain line
 * per epoch otherwise (CI logs), nothing under --quiet.
 */
import { stderrProgressBar } from './progress-bar.js';
import type { EpochRecord } from '../models/metadata.js';
import type { StepProgress, TrainingEvents } from '../models/training.js';

export interface TrainingReporter extends TrainingEvents {
  stop(): void;
}

export function createTrainingReporter(epochs: number, quiet: boolean): TrainingReporter {
  if (quiet) return { stop() {} };
  return process.stderr.isTTY ? barReporter(epochs) : lineReporter(epochs);
}

export function formatEpoch(record: EpochRecord, epochs: number): string {
  return (
    `epoch ${record.epoch}/${epochs}: loss ${record.loss.toFixed(4)}, accuracy ${percent(record.accuracy)}, ` +
    `test loss ${record.testLoss.toFixed(4)}, test accuracy ${percent(record.testAccuracy)}, ` +
    `${record.imagesPerSecond.toFixed(1)} images/s, ${record.seconds.toFixed(1)} s`
  );
}

function lineReporter(epochs: number): TrainingReporter {
  return {
    onEpoch: (record) => process.stderr.write(`${formatEpoch(record, epochs)}\n`),
    stop() {},
  };
}

function barReporter(epochs: number): TrainingReporter {
  const bar = stderrProgressBar(
    'epoch {epoch}/{epochs} [{bar}] {value}/{total} | loss {loss} | acc {accuracy} | {speed} img/s | ETA {eta_formatted}',
  );
  let running = false;
  return {
    onStep(progress: StepProgress) {
      const payload = {
        epoch: progress.epoch,
        epochs,
        loss: progress.loss.toFixed(4),
        accuracy: percent(progress.accuracy),
        speed: progress.imagesPerSecond.toFixed(1),
      };
      if (!running) {
        bar.start(progress.steps, 0, payload);
        running = true;
      }
      bar.update(progress.step, payload);
    },
    onEpoch(record) {
      bar.stop();
      running = false;
      process.stderr.write(`${formatEpoch(record, epochs)}\n`);
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}

function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(2)}%`;
}
