/**
 * `prognos registry`: registered models, their versions and stages, promotion with checks, the
 * transitions history and a version's lineage.
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { PrognosError } from '../../../shared/errors';
import { STAGES, type Lineage, type PromotionCheck, type PromotionResult, type Stage, type Transition } from '../../../shared/registry';
import type { AppServices } from '../../services/app-services';
import { parseCommandArgs } from '../args';
import { openServices } from '../context';
import { table, type Output } from '../output';
import { REGISTRY_USAGE } from '../usage';

const bad = (message: string): PrognosError => new PrognosError('INVALID_INPUT', message);
const usage = `Usage: prognos ${REGISTRY_USAGE.replace(/\s{2,}.*$/, '')}`;

function stageOf(text: string | undefined): Stage {
  const hit = STAGES.find((s) => s.toLowerCase() === (text ?? '').toLowerCase());
  if (hit === undefined) throw bad(`STAGE must be one of ${STAGES.join(', ')}${text === undefined ? '' : `, got "${text}"`}. ${usage}`);
  return hit;
}

function versionOf(text: string | undefined): number {
  if (text === undefined || !/^\d+$/.test(text.trim()) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw bad(`VERSION must be a version number (1 or more)${text === undefined ? '' : `, got "${text}"`}. ${usage}`);
  }
  return Number(text);
}

const mark = (c: PromotionCheck): string => (c.status === 'passed' ? 'passed ' : c.status === 'failed' ? 'FAILED ' : 'skipped');
const checkLines = (checks: readonly PromotionCheck[]): string[] => checks.map((c) => `  ${mark(c)} ${c.name}: ${c.detail}`);

function transitionRows(h: readonly Transition[]): string {
  return table(
    h.map((t) => [t.at, String(t.version), t.from ?? '—', t.to, t.actor, `${t.forced ? '[forced] ' : ''}${t.reason ?? ''}`, t.checks.length === 0 ? '—' : t.checks.map((c) => `${c.name} ${c.status}`).join(', ')]),
    ['when', 'version', 'from', 'to', 'who', 'why', 'checks'],
  );
}

function lineageText(l: Lineage): string {
  const v = l.version;
  return [
    `${v.model} version ${v.version} (${v.stage}), registered ${v.createdAt} by ${v.createdBy}`,
    `  dataset  ${l.dataset.name ?? '(not in this store)'}${l.dataset.file === null ? '' : ` from ${l.dataset.file}`}, fingerprint ${l.dataset.fingerprint}`,
    `  run      ${l.run.runId}${l.run.inStore ? `${l.run.name === null ? '' : ` "${l.run.name}"`} (${l.run.status ?? ''})` : ' (not in this store)'}, config SHA-256 ${l.run.configSha256 ?? '—'}`,
    l.bundle === null
      ? '  bundle   — (a run version)'
      : `  bundle   ${l.bundle.bundleId}${l.bundle.inLibrary ? '' : ' (no longer in the library)'}, manifest SHA-256 ${l.bundle.manifestSha256}, signed by ${l.bundle.signingKeyId ?? 'no key'}`,
    `  reports  ${l.reports.length === 0 ? 'none yet' : l.reports.map((r) => `${r.reportId} "${r.title}" (${r.fleet}, ${r.createdAt})`).join('\n           ')}`,
    `  drift    ${l.driftReports.length === 0 ? 'none yet' : l.driftReports.map((r) => `${r.reportId} on ${r.fleet}${r.datasetDrift ? ' (drift)' : ''}`).join('\n           ')}`,
  ].join('\n');
}

/** `--bundle` names a bundle of the library by id, or a folder or .zip, which is imported (verified) first. */
async function bundleIdOf(services: AppServices, ref: string, out: Output): Promise<string> {
  const path = resolve(ref);
  if (existsSync(path)) {
    out.note(`Importing ${basename(path)} into the bundle library…`);
    return (await services.exports.importBundle(path, basename(path))).bundleId;
  }
  try {
    services.exports.bundlePath(ref);
    return ref;
  } catch {
    throw new PrognosError('NOT_FOUND', `--bundle ${ref}: no such bundle folder or .zip, and no bundle with that id in the store.`);
  }
}

export async function registryCommand(argv: string[], out: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    run: { type: 'string' },
    bundle: { type: 'string' },
    model: { type: 'string' },
    reason: { type: 'string' },
    force: { type: 'boolean', default: false },
    actor: { type: 'string' },
  });
  const [action, ...args] = positionals;
  const only = (allowed: readonly string[]): void => {
    for (const k of ['run', 'bundle', 'model', 'reason', 'actor'] as const) if (values[k] !== undefined && !allowed.includes(k)) throw bad(`--${k} does not go with registry ${action ?? ''}. ${usage}`);
    if (values.force && !allowed.includes('force')) throw bad(`--force does not go with registry ${action ?? ''}. ${usage}`);
  };
  const maxArgs = (n: number): void => {
    if (args.length > n) throw bad(`Unexpected argument "${args[n]!}". ${usage}`);
  };
  const actor = values.actor === undefined ? {} : { actor: values.actor };
  switch (action) {
    case 'register': {
      only(['run', 'bundle', 'model', 'actor']);
      maxArgs(0);
      if ((values.run === undefined) === (values.bundle === undefined)) throw bad(`Give either --run R or --bundle B. ${usage}`);
      if (values.model === undefined || values.model.trim() === '') throw bad(`--model NAME is required. ${usage}`);
      break;
    }
    case 'promote':
      only(['reason', 'force', 'actor']);
      maxArgs(3);
      if (args[0] === undefined) throw bad(`registry promote needs NAME VERSION STAGE. ${usage}`);
      versionOf(args[1]);
      stageOf(args[2]);
      if (values.force && (values.reason === undefined || values.reason.trim() === '')) throw bad('--force needs --reason TEXT: an override is recorded with its reason.');
      break;
    case 'list':
      only([]);
      maxArgs(0);
      break;
    case 'history':
      only([]);
      maxArgs(1);
      if (args[0] === undefined) throw bad(`registry history needs NAME. ${usage}`);
      break;
    case 'lineage':
      only([]);
      maxArgs(2);
      if (args[0] === undefined) throw bad(`registry lineage needs NAME VERSION. ${usage}`);
      versionOf(args[1]);
      break;
    default:
      throw bad(action === undefined ? usage : `Unknown registry action "${action}". ${usage}`);
  }
  const services = openServices(values.store);
  try {
    switch (action) {
      case 'register': {
        const source = values.run !== undefined ? { runId: values.run } : { bundleId: await bundleIdOf(services, values.bundle!, out) };
        const v = await services.registry.register({ model: values.model!, source, ...actor });
        out.result(v, () => `Registered ${v.source} ${v.source === 'run' ? v.runId : (v.bundleId ?? '')} as "${v.model}" version ${v.version} (stage None).`);
        return 0;
      }
      case 'promote': {
        const r: PromotionResult = await services.registry.promote({
          model: args[0]!,
          version: versionOf(args[1]),
          stage: stageOf(args[2]),
          ...(values.reason === undefined ? {} : { reason: values.reason }),
          force: values.force,
          ...actor,
        });
        if (!r.promoted) {
          const failed = r.checks.filter((c) => c.status === 'failed');
          out.note(`Refused: ${r.model} version ${r.version} stays where it is; ${failed.length} check${failed.length === 1 ? '' : 's'} failed:\n${checkLines(failed).join('\n')}\nPass --force --reason TEXT to override (recorded in the history).`);
          if (out.json) out.result(r, () => '');
          return 1;
        }
        out.result(r, () =>
          [
            `${r.model} version ${r.version} is now in ${r.stage}${r.forced ? ' (forced over failed checks; the override is recorded)' : ''}.`,
            ...(r.archived === null ? [] : [`Version ${r.archived} moved from Production to Archived.`]),
            ...(r.checks.length === 0 ? [] : ['Checks:', ...checkLines(r.checks)]),
          ].join('\n'),
        );
        return 0;
      }
      case 'list': {
        // [ { model, versions: [ { version, stage, runId, … } ] } ], newest version first
        const models = services.registry.list();
        out.result(models, () =>
          models.length === 0
            ? 'No registered models.'
            : table(
                models.flatMap((m) => m.versions.map((v) => [m.model, String(v.version), v.stage, v.source, v.bundleId ?? v.runId, v.metrics.f2 === null ? '—' : v.metrics.f2.toFixed(3), v.createdAt])),
                ['model', 'version', 'stage', 'source', 'run or bundle', 'val F2', 'registered'],
              ),
        );
        return 0;
      }
      case 'history': {
        const h = services.registry.history(args[0]!);
        out.result(h, () => transitionRows(h));
        return 0;
      }
      case 'lineage': {
        const l = services.registry.lineage(args[0]!, versionOf(args[1]));
        out.result(l, () => lineageText(l));
        return 0;
      }
      default:
        throw bad(usage);
    }
  } finally {
    await services.close();
  }
}
