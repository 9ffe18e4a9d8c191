/** `prognos sweep`: a hyperparameter search over a search space, every trial a run in one experiment. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, resolve } from 'node:path';
import { PrognosError } from '../../../shared/errors';
import { SAMPLERS, type SamplerName } from '../../core/sweep/samplers';
import type { SweepObjective, SweepRequest, SweepResult, TrialEvent } from '../../services/sweep';
import { countOption, intOption, parseCommandArgs } from '../args';
import { openServices } from '../context';
import { waitForJob } from '../wait-for-job';
import { table, type Output } from '../output';

const OBJECTIVES: readonly SweepObjective[] = ['f2', 'rmse'];

function readSpace(file: string): { text: string; name: string } {
  const path = resolve(file);
  if (!existsSync(path) || !statSync(path).isFile()) throw new PrognosError('NOT_FOUND', `--space ${file}: no such file.`);
  const bytes = readFileSync(path);
  if (bytes.includes(0)) throw new PrognosError('BAD_FILE', `${basename(path)}: not a text file (a search space is JSON).`, { issues: [{ file: basename(path), reason: 'not a text file' }] });
  return { text: bytes.toString('utf8'), name: basename(path) };
}

function fmt(v: number | null): string {
  return v === null ? '—' : v.toFixed(4);
}

function trialLine(e: TrialEvent, objective: SweepObjective): string | null {
  const params = Object.entries(e.params).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : JSON.stringify(v)}`).join(' ');
  switch (e.status) {
    case 'running':
      return `trial ${e.trialNo} started: run ${e.runId} ${params}`;
    case 'done':
      return `trial ${e.trialNo} done: ${objective} ${fmt(e.objective)} (run ${e.runId})`;
    case 'pruned':
      return `trial ${e.trialNo} pruned: ${e.note ?? ''} (run ${e.runId})`;
    case 'failed':
      return `trial ${e.trialNo} failed: ${e.note ?? ''}`;
    case 'pending':
      return null;
  }
}

function humanResult(r: SweepResult): string {
  const rows = r.trials.map((t) => [String(t.trialNo), t.status, fmt(t.objective), t.runId ?? '—', Object.entries(t.params).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : JSON.stringify(v)}`).join(' ')]);
  return [
    `Sweep ${r.sweepId} (experiment ${r.experimentId}, ${r.sampler}, objective validation ${r.objective === 'f2' ? 'F2, higher is better' : 'RUL RMSE, lower is better'}):`,
    table(rows, ['trial', 'status', r.objective, 'run', 'parameters']),
    r.best === null ? 'No trial finished.' : `best: trial ${r.best.trialNo}, run ${r.best.runId}, ${r.objective} ${fmt(r.best.objective)}`,
  ].join('\n');
}

export async function sweepCommand(argv: string[], out: Output): Promise<void> {
  const { values } = parseCommandArgs(argv, {
    dataset: { type: 'string' },
    space: { type: 'string' },
    trials: { type: 'string' },
    objective: { type: 'string' },
    sampler: { type: 'string' },
    parallel: { type: 'string' },
    seed: { type: 'string' },
    'no-pruning': { type: 'boolean', default: false },
    resume: { type: 'string' },
  });
  const parallel = values.parallel === undefined ? undefined : countOption(values.parallel, 'parallel', undefined, 64);
  let request: SweepRequest | undefined;
  if (values.resume === undefined) {
    if (values.dataset === undefined || values.space === undefined) throw new PrognosError('INVALID_INPUT', 'sweep needs --dataset D and --space FILE (or --resume ID).');
    const objective = (values.objective ?? 'f2') as SweepObjective;
    if (!OBJECTIVES.includes(objective)) throw new PrognosError('INVALID_INPUT', `--objective must be f2 or rmse, got "${values.objective}".`);
    const sampler = (values.sampler ?? 'tpe') as SamplerName;
    if (!SAMPLERS.includes(sampler)) throw new PrognosError('INVALID_INPUT', `--sampler must be grid, random or tpe, got "${values.sampler}".`);
    const space = readSpace(values.space);
    request = {
      datasetId: values.dataset,
      spaceText: space.text,
      spaceFile: space.name,
      sampler,
      objective,
      trials: countOption(values.trials, 'trials', 20, 10_000),
      parallel: parallel ?? Math.max(1, availableParallelism()),
      seed: intOption(values.seed, 'seed', 0),
      pruning: !values['no-pruning'],
    };
  } else if (values.dataset !== undefined || values.space !== undefined) {
    throw new PrognosError('INVALID_INPUT', '--resume ID takes the sweep as it was recorded: leave out --dataset and --space.');
  }
  const services = openServices(values.store);
  try {
    let sweepId: string;
    if (request !== undefined) {
      const dataset = services.store.getDataset(request.datasetId);
      if (dataset === undefined) throw new PrognosError('NOT_FOUND', `--dataset ${request.datasetId}: no dataset with that id.`);
      if (dataset.role !== 'training') throw new PrognosError('CONFLICT', `--dataset ${request.datasetId}: "${dataset.name}" is not a training fleet (its role is ${dataset.role}); set its role with \`prognos datasets set-role ${dataset.datasetId} training\`. Nothing was run.`);
      const created = services.sweeps.create(request);
      sweepId = created.sweepId;
      out.note(created.resumed ? `Sweep ${sweepId} (experiment ${created.experimentId}): resuming the unfinished sweep of this space…` : `Sweep ${sweepId} (experiment ${created.experimentId}): ${request.trials} trials, ${request.sampler}, objective ${request.objective}…`);
    } else {
      sweepId = values.resume!;
      const s = services.sweeps.get(sweepId);
      out.note(`Sweep ${sweepId} (experiment ${s.experimentId}): resuming…`);
    }
    const objective = services.sweeps.get(sweepId).objective;
    const jobId = services.jobs.start('sweep', async (ctx) => {
      await services.sweeps.run(sweepId, ctx, (e) => {
        const line = trialLine(e, objective);
        if (line !== null) out.note(line);
      }, parallel);
      return undefined;
    });
    await waitForJob(services, jobId, out);
    const r = services.sweeps.result(sweepId);
    out.result(
      {
        sweepId: r.sweepId,
        experimentId: r.experimentId,
        sampler: r.sampler,
        objective: r.objective,
        trials: r.trials.map((t) => ({ runId: t.runId, status: t.status, objective: t.objective, params: t.params, trial: t.trialNo, attempts: t.attempts, previousRunIds: t.previousRunIds, note: t.note })),
        best: r.best === null ? null : { runId: r.best.runId, objective: r.best.objective, trial: r.best.trialNo, params: r.best.params },
        bestConfig: r.bestConfig,
      },
      () => humanResult(r),
    );
  } finally {
    await services.close();
  }
}
