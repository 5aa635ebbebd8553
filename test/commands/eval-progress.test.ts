import { describe, expect, it } from 'vitest';
import { duration, formatWork, lineReporter, PROGRESS_INTERVAL_MS } from '../../src/commands/eval-progress.js';
import type { EvalWork } from '../../src/eval/evaluate.js';
import { memoryLog } from '../../src/log.js';

const work = (done: number, method = 'gradcam', image = done): EvalWork => ({
  phase: 'scoring',
  method,
  image,
  images: 8,
  done,
  total: 20,
});

describe('eval progress on a log (stderr not a terminal)', () => {
  it('prints the first piece of work after each 30 s, with method, image, elapsed time and estimate', () => {
    let clock = 1000;
    const log = memoryLog();
    const reporter = lineReporter(log, () => clock);
    clock += 10_000;
    reporter.onWork(work(1));
    expect(log.lines).toEqual([]);
    clock = 1000 + PROGRESS_INTERVAL_MS;
    reporter.onWork(work(2));
    // 2 of 20 pieces in 30 s: 18 more at 15 s each.
    expect(log.lines).toEqual(['scoring gradcam, image 2/8: 2/20 done after 30 s, about 4 min 30 s left']);
    clock += PROGRESS_INTERVAL_MS - 1;
    reporter.onWork(work(3));
    expect(log.lines).toHaveLength(1);
    clock += 1;
    reporter.onWork({ ...work(5), phase: 'sanity check', method: 'scorecam', image: 3, images: 53 });
    expect(log.lines[1]).toBe('sanity check scorecam, point 3/53: 5/20 done after 1 min 0 s, about 3 min 0 s left');
    // The last piece is followed by the command's own "done" line.
    clock += 10 * PROGRESS_INTERVAL_MS;
    reporter.onWork(work(20));
    expect(log.lines).toHaveLength(2);
  });

  it('formats durations', () => {
    expect([duration(0), duration(59_400), duration(60_000), duration(3_725_000)]).toEqual([
      '0 s',
      '59 s',
      '1 min 0 s',
      '1 h 2 min',
    ]);
    expect(formatWork(work(0), 0)).toBe('scoring gradcam, image 0/8: 0/20 done after 0 s');
  });
});
