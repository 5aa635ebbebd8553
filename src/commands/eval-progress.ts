/**
 * How `eval` reports its long phases on stderr: a cli-progress bar on a terminal; otherwise (CI
 * logs) a plain line at most every PROGRESS_INTERVAL_MS, so a run of many minutes is never
 * silent for long; nothing under --quiet.
 */
import { stderrProgressBar } from './progress-bar.js';
import type { EvalWork } from '../eval/evaluate.js';
import type { Log } from '../log.js';

/** A line at least this often while work goes on (and never more often). */
export const PROGRESS_INTERVAL_MS = 30_000;

export interface EvalReporter {
  onWork(work: EvalWork): void;
  stop(): void;
}

export function createEvalReporter(
  log: Log,
  quiet: boolean,
  now: () => number = () => performance.now(),
): EvalReporter {
  if (quiet) return { onWork() {}, stop() {} };
  return process.stderr.isTTY ? barReporter(now) : lineReporter(log, now);
}

/** Lines for a log: the first piece of work after each interval prints one. */
export function lineReporter(log: Log, now: () => number): EvalReporter {
  const started = now();
  let lastLine = started;
  return {
    onWork(work) {
      const time = now();
      if (time - lastLine < PROGRESS_INTERVAL_MS || work.done >= work.total) return;
      lastLine = time;
      log.info(formatWork(work, time - started));
    },
    stop() {},
  };
}

/**
 * `scoring gradcam, image 3/8: 12/90 done after 1 min 30 s, about 9 min 45 s left`. The estimate
 * assumes the remaining pieces cost what the finished ones did on average.
 */
export function formatWork(work: EvalWork, elapsedMs: number): string {
  const where = work.phase === 'scoring' ? 'image' : 'point';
  const left = work.done > 0 ? (elapsedMs / work.done) * (work.total - work.done) : undefined;
  return (
    `${work.phase} ${work.method}, ${where} ${work.image}/${work.images}: ${work.done}/${work.total} done ` +
    `after ${duration(elapsedMs)}${left === undefined ? '' : `, about ${duration(left)} left`}`
  );
}

/** `45 s`, `2 min 5 s`, `1 h 3 min`. */
export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function barReporter(now: () => number): EvalReporter {
  const bar = stderrProgressBar(
    '{phase} {method} {where} {image}/{images} [{bar}] {value}/{total} | ETA {eta_formatted}',
  );
  let running = false;
  const started = now();
  return {
    onWork(work) {
      const payload = { ...work, where: work.phase === 'scoring' ? 'image' : 'point', elapsed: now() - started };
      if (!running) {
        bar.start(work.total, 0, payload);
        running = true;
      }
      bar.update(work.done, payload);
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}
