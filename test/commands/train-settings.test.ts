import { describe, expect, it } from 'vitest';
import { resolveTrainSettings } from '../../src/commands/train.js';
import { defaultWarmupEpochs, TRAINING_DEFAULTS, type TrainCommandOptions } from '../../src/commands/train-options.js';

/** What commander hands resolveTrainSettings when only `given` is on the command line. */
function commandLine(given: Partial<TrainCommandOptions>): TrainCommandOptions {
  return {
    download: false,
    force: false,
    schedule: 'cosine',
    augment: true,
    seed: 0,
    json: false,
    quiet: false,
    ...given,
  } as TrainCommandOptions;
}

describe('the default warm-up follows the length of the run', () => {
  it('is the default share of the default run: 0.8 epochs of 11, scaled to a shorter run', () => {
    const cifar10 = TRAINING_DEFAULTS.cifar10;
    expect(cifar10.warmupEpochs).toBe(0.8);
    expect(cifar10.epochs).toBe(11);
    expect(defaultWarmupEpochs(cifar10, 11)).toBe(0.8);
    expect(defaultWarmupEpochs(cifar10, 1)).toBeCloseTo(0.8 / 11, 15);
    expect(defaultWarmupEpochs(cifar10, 5)).toBeCloseTo(4 / 11, 15);
    // A longer run keeps the default's epochs of warm-up.
    expect(defaultWarmupEpochs(cifar10, 30)).toBe(0.8);
  });

  it('applies to folder and CIFAR-10 runs given --epochs, and never overrides --warmup-epochs', () => {
    const oneEpochFolder = resolveTrainSettings(commandLine({ dataset: 'folder', data: '/images', epochs: 1 }));
    expect(oneEpochFolder.warmupEpochs).toBeCloseTo(0.8 / 11, 15);
    expect(resolveTrainSettings(commandLine({ dataset: 'cifar10', epochs: 2 })).warmupEpochs).toBeCloseTo(1.6 / 11, 15);
    expect(resolveTrainSettings(commandLine({ dataset: 'cifar10' })).warmupEpochs).toBe(0.8);
    const explicit = resolveTrainSettings(
      commandLine({ dataset: 'folder', data: '/images', epochs: 1, warmupEpochs: 0.5 }),
    );
    expect(explicit.warmupEpochs).toBe(0.5);
    expect(resolveTrainSettings(commandLine({ dataset: 'mnist', epochs: 1 })).warmupEpochs).toBe(0);
  });
});
