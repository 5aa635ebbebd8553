import { describe, expect, it } from 'vitest';
import { planEvaluation, spreadPoints } from '../../src/eval/default-plan.js';

const cifar = { inputSize: [32, 32] as const, layerChannels: 512, images: 100, cascadeLength: 19, given: {} };
const photo = { inputSize: [224, 224] as const, layerChannels: 1280, images: 8, cascadeLength: 107, given: {} };

describe("eval's defaults for the model's size", () => {
  it('are the full protocol for CIFAR-10 and MNIST sizes', () => {
    expect(planEvaluation(cifar)).toEqual({
      steps: 32,
      maxChannels: undefined,
      sanityImages: 100,
      sanityPoints: Array.from({ length: 19 }, (_, i) => i),
      reductions: [],
    });
    expect(planEvaluation({ ...cifar, inputSize: [28, 28] }).steps).toBe(28);
  });

  it('scale down for a 224×224 MobileNetV2, and say how', () => {
    const plan = planEvaluation(photo);
    expect(plan.steps).toBe(24);
    expect(plan.maxChannels).toBe(64);
    expect(plan.sanityImages).toBe(4);
    expect(plan.sanityPoints).toEqual([0, 21, 42, 64, 85, 106]);
    expect(plan.reductions).toEqual([
      '24 steps rather than one per row (224)',
      'scorecam on the 64 of 1280 channels with the highest mean activation',
      'sanity check on the first 4 of 8 images',
      'sanity check compared after 6 of 107 cascade steps',
    ]);
    // 64×64 is still small: one step per row up to 32, every image in the sanity check.
    expect(planEvaluation({ ...photo, inputSize: [64, 64], layerChannels: 0 })).toMatchObject({
      steps: 32,
      sanityImages: 8,
    });
  });

  it('use every option given, as given', () => {
    const plan = planEvaluation({
      ...photo,
      given: { steps: 224, maxChannels: 1280, sanityCount: 8, sanitySteps: 107 },
    });
    expect(plan).toEqual({
      steps: 224,
      maxChannels: 1280,
      sanityImages: 8,
      sanityPoints: Array.from({ length: 107 }, (_, i) => i),
      reductions: [],
    });
    // No sanity check: no points, and no reduction of it to report.
    expect(planEvaluation({ ...photo, given: { sanityCount: 0 } })).toMatchObject({
      sanityImages: 0,
      sanityPoints: [],
    });
    expect(planEvaluation({ ...photo, given: { sanityCount: 0 } }).reductions).toHaveLength(2);
  });

  it('cap Score-CAM only where its channels exceed the budget', () => {
    expect(planEvaluation({ ...photo, layerChannels: 64 }).maxChannels).toBeUndefined();
    expect(planEvaluation({ ...photo, inputSize: [112, 112] }).maxChannels).toBe(256);
    expect(planEvaluation({ ...photo, layerChannels: 0 }).reductions).not.toContain(
      expect.stringContaining('scorecam'),
    );
  });
});

describe('spreadPoints', () => {
  it('spreads the points evenly, first and last included', () => {
    expect(spreadPoints(10, 3)).toEqual([0, 5, 9]);
    expect(spreadPoints(10, 1)).toEqual([9]);
    expect(spreadPoints(3, 8)).toEqual([0, 1, 2]);
    expect(spreadPoints(0, 8)).toEqual([]);
  });
});
