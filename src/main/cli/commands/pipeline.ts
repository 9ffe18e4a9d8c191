/**
 * `prognos pipeline run FILE`: runs a saved recipe (import → train → evaluate → export → drift →
 * report → register) with per-step retries and caching; `pipeline history` and `pipeline show ID` read the
 * recorded pipeline runs and their steps.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { PrognosError } from '../../../shared/errors';
import type { PipelineRunRecord, PipelineStepRecord } from '../../../shared/pipelines';
import { countOption, parseCommandArgs } from '../args';
import { openServices } from '../context';
import { table, type Output } from '../output';
import { followJob } from '../wait-for-job';

const USAGE = 'Usage: prognos pipeline run FILE | pipeline history [--limit N] | pipeline show ID';

function seconds(s: PipelineStepRecord | PipelineRunRecord): string {
  const start = s.startedAt;
  if (start === null || s.finishedAt === null) return '';
  return ((Date.parse(s.finishedAt) - Date.parse(start)) / 1000).toFixed(1);
}

function runText(r: PipelineRunRecord, withLogs: boolean): string {
  const lines = [
    `Pipeline run ${r.pipelineRunId} of "${r.name}" (${r.source}): ${r.status}${r.finishedAt === null ? '' : ` in ${seconds(r)} s`}, started ${r.startedAt}`,
    ...(r.error === null ? [] : [`error: ${r.error}`]),
    '',
    table(
      r.steps.map((s) => [s.step, s.status, s.attempts, seconds(s), s.summary ?? s.error ?? '']),
      ['step', 'status', 'attempts', 'seconds', 'what it did'],
    ),
  ];
  if (withLogs) for (const s of r.steps) if (s.log !== '') lines.push('', `── ${s.step} log`, s.log.trimEnd());
  return lines.join('\n');
}

export async function pipelineCommand(argv: string[], out: Output): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'run') return run(rest, out);
  if (sub === 'history') return history(rest, out);
  if (sub === 'show') return show(rest, out);
  throw new PrognosError('INVALID_INPUT', sub === undefined ? USAGE : `Unknown pipeline command "${sub}". ${USAGE}`);
}

async function run(argv: string[], out: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {});
  const given = positionals[0];
  if (given === undefined || positionals.length > 1) throw new PrognosError('INVALID_INPUT', 'Usage: prognos pipeline run FILE');
  const file = resolve(given);
  if (!existsSync(file) || !statSync(file).isFile()) throw new PrognosError('NOT_FOUND', `${given}: no such recipe file.`);
  const text = readFileSync(file, 'utf8');
  const services = openServices(values.store);
  try {
    // a bad recipe fails here, naming the file, line and key; nothing is recorded
    const { jobId, pipelineRunId } = services.pipelines.start(text, { label: basename(file), base: { dir: dirname(file), confined: false } });
    out.note(`Pipeline run ${pipelineRunId} (${basename(file)})…`);
    // the run's record says how it ended, a failure included
    await followJob(services, jobId, out);
    const record = services.pipelines.get(pipelineRunId);
    out.result(record, () => runText(record, false));
    if (record.status !== 'done') {
      out.note(`prognos pipeline: ${record.error ?? record.status}`);
      return 1;
    }
    return 0;
  } finally {
    await services.close();
  }
}

async function history(argv: string[], out: Output): Promise<number> {
  const { values } = parseCommandArgs(argv, { limit: { type: 'string' } });
  const limit = countOption(values.limit, 'limit', 50, 1000);
  const services = openServices(values.store);
  try {
    const runs = services.pipelines.history(limit);
    out.result(runs, () =>
      runs.length === 0
        ? 'No pipeline runs yet. Run one with `prognos pipeline run FILE`.'
        : table(
            runs.map((r) => [r.pipelineRunId, r.name, r.status, r.startedAt.slice(0, 19).replace('T', ' '), seconds(r), r.steps.map((s) => `${s.step}:${s.status}`).join(' ')]),
            ['id', 'pipeline', 'status', 'started', 'seconds', 'steps'],
          ),
    );
    return 0;
  } finally {
    await services.close();
  }
}

async function show(argv: string[], out: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {});
  const id = positionals[0];
  if (id === undefined) throw new PrognosError('INVALID_INPUT', 'Usage: prognos pipeline show ID');
  const services = openServices(values.store);
  try {
    const r = services.pipelines.get(id);
    out.result(r, () => runText(r, true));
    return 0;
  } finally {
    await services.close();
  }
}
