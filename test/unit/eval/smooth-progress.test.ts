/** Progress does not jump when early stopping ends a model: the unused share goes to the stages after it. */
import { describe, expect, it } from 'vitest';
import { synthesizeFleet } from '../../../src/main/core/data/synth';
import { parseTrainConfig } from '../../../src/main/core/pipeline/config';
import { SmoothProgress } from '../../../src/main/core/pipeline/smooth-progress';
import { runTrainingPipeline } from '../../../src/main/core/pipeline/train';

describe('SmoothProgress', () => {
  it('starts the next stage where the bar stands when a stage ends early, and still ends at 1', () => {
    const s = new SmoothProgress();
    expect(s.at(0)).toBe(0);
    expect(s.at(0.2)).toBe(0.2);
    // the trees' share is 0.2..0.6, early stopping ends them at a planned 0.25
    expect(s.at(0.25)).toBe(0.25);
    s.endedEarly(0.6);
    // the LSTM, planned 0.6..0.9, now runs from 0.25 over the rest of the bar
    expect(s.at(0.6)).toBe(0.25);
    expect(s.at(0.8)).toBeCloseTo(0.25 + (0.2 * 0.75) / 0.4, 12);
    expect(s.at(0.85)).toBeCloseTo(0.25 + (0.25 * 0.75) / 0.4, 12);
    s.endedEarly(0.9);
    const here = s.at(0.9);
    expect(here).toBeCloseTo(0.25 + (0.25 * 0.75) / 0.4, 12);
    expect(s.at(0.95)).toBeGreaterThan(here);
    expect(s.at(1)).toBe(1);
  });

  it('changes nothing when every stage uses its share, and never goes back', () => {
    const s = new SmoothProgress();
    for (const p of [0, 0.1, 0.2, 0.4, 0.6]) expect(s.at(p)).toBe(p);
    s.endedEarly(0.6);
    expect(s.at(0.7)).toBe(0.7);
    expect(s.at(0.5)).toBe(0.7);
    s.endedEarly(0.3); // behind the bar: nothing to hand on
    expect(s.at(0.8)).toBe(0.8);
  });
});

describe('the training pipeline', () => {
  it('goes on from where the trees stopped when early stopping ends them long before their maximum', async () => {
    const table = synthesizeFleet({ units: 24, seed: 5 });
    const seen: { fraction: number; message: string }[] = [];
    const config = parseTrainConfig({
      seed: 2,
      models: ['gbdt'],
      rankWithGain: false,
      topK: 8,
      calibration: { method: 'none' },
      // a fast learner with a short patience stops far before 2,000 trees (planned: 0.2 to 0.75 of the bar)
      gbdt: { nEstimators: 2000, maxDepth: 3, eta: 0.5, earlyStoppingRounds: 3 },
      rul: { enabled: true, seeds: 1, gbdt: { nEstimators: 40, maxDepth: 3, eta: 0.3, earlyStoppingRounds: 5 } },
    });
    await runTrainingPipeline(table, config, { onProgress: (p) => seen.push({ fraction: p.fraction, message: p.message }) });
    const lastTree = seen.findLastIndex((p) => /^Tree \d+ of 2000$/.test(p.message));
    expect(lastTree).toBeGreaterThan(0);
    expect(Number(/^Tree (\d+)/.exec(seen[lastTree]!.message)![1])).toBeLessThan(200);
    const stopped = seen[lastTree]!.fraction;
    expect(stopped).toBeLessThan(0.3);
    // the next stage starts where the bar stands (it was planned at 0.75)
    const next = seen[lastTree + 1]!;
    expect(next.message).not.toMatch(/^Tree /);
    expect(next.fraction - stopped).toBeLessThan(0.01);
    // and the rest still moves forward to 1, never back
    const fractions = seen.map((p) => p.fraction);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]!).toBeGreaterThanOrEqual(fractions[i - 1]!);
    expect(fractions.at(-1)).toBe(1);
    expect(seen.slice(lastTree + 1).some((p) => p.fraction > stopped + 0.2 && p.fraction < 0.95)).toBe(true);
  }, 60_000);
});
