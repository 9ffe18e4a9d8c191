import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { PrognosError } from '../../../shared/errors';
import { parseFleetFile } from '../../core/data/import-file';
import { computeMetrics } from '../../core/eval/metrics';
import { failWithin } from '../../core/labels';
import type { BundleTrust } from '../../core/export';
import type { FleetScores } from '../../services/exports';
import { parseCommandArgs, requireOption } from '../args';
import { openServices } from '../context';
import { table, type Output } from '../output';

export async function exportCommand(argv: string[], out: Output): Promise<void> {
  const { values } = parseCommandArgs(argv, { run: { type: 'string' }, out: { type: 'string' }, zip: { type: 'boolean', default: false }, sign: { type: 'string' }, force: { type: 'boolean', default: false } });
  const runId = requireOption(values.run, 'run');
  const dest = resolve(requireOption(values.out, 'out'));
  let signKey: string | undefined;
  if (values.sign !== undefined) {
    const keyFile = resolve(values.sign);
    if (!existsSync(keyFile)) throw new PrognosError('NOT_FOUND', `--sign ${values.sign}: no such key file.`);
    signKey = readFileSync(keyFile, 'utf8');
  }
  const services = openServices(values.store);
  try {
    const w = await services.exports.exportRun(runId, dest, { zip: values.zip, overwrite: values.force, ...(signKey === undefined ? {} : { signKey }) });
    const m = w.manifest;
    out.result({ runId, path: w.path, files: w.files, formatVersion: m.formatVersion, threshold: m.threshold, weight: m.ensemble.weight, signed: signKey !== undefined }, () =>
      [`Exported run ${runId} to ${w.path}${signKey === undefined ? '' : ' (signed)'}:`, ...w.files.map((f) => `  ${f}`)].join('\n'),
    );
  } finally {
    await services.close();
  }
}

/** The verdict as JSON: what the signature proves (never trust from the bundle's own key). */
function trustJson(t: BundleTrust | undefined): { verdict: BundleTrust['verdict']; keyId: string | null; keyName: string | null; claimedKeyId: string | null; summary: string } | null {
  return t === undefined ? null : { verdict: t.verdict, keyId: t.keyId, keyName: t.keyName, claimedKeyId: t.claimedKeyId, summary: t.summary };
}

export async function verifyCommand(argv: string[], out: Output): Promise<number> {
  const { values } = parseCommandArgs(argv, { bundle: { type: 'string' }, 'require-signed': { type: 'boolean', default: false } });
  const path = resolve(requireOption(values.bundle, 'bundle'));
  const services = openServices(values.store);
  try {
    const r = await services.exports.verify(path, { requireSigned: values['require-signed'] });
    const requireSigned = values['require-signed'] || services.store.trustPolicy().requireSigned;
    const trust = trustJson(r.trust);
    out.result({ bundle: path, ok: r.ok, problems: r.problems, runId: r.manifest?.runId ?? null, trust, requireSigned }, () =>
      r.ok
        ? `${basename(path)}: OK — every checksum verified; ${trust?.summary ?? 'unsigned'}.`
        : [`${basename(path)}: REFUSED${trust === null ? '' : ` — ${trust.summary}`}`, ...r.problems.map((p) => `  ${p.file}: ${p.reason}`)].join('\n'),
    );
    return r.ok ? 0 : 1;
  } finally {
    await services.close();
  }
}

export async function predictCommand(argv: string[], out: Output): Promise<void> {
  const { values } = parseCommandArgs(argv, {
    bundle: { type: 'string' },
    run: { type: 'string' },
    data: { type: 'string' },
    rul: { type: 'string' },
    engine: { type: 'string' },
    'require-signed': { type: 'boolean', default: false },
  });
  if ((values.bundle === undefined) === (values.run === undefined)) throw new PrognosError('INVALID_INPUT', 'Give either --bundle B or --run R.');
  if (values['require-signed'] && values.bundle === undefined) throw new PrognosError('INVALID_INPUT', '--require-signed goes with --bundle (a run in the store is not signed).');
  const engine = values.engine ?? 'models';
  if (engine !== 'models' && engine !== 'pipeline') throw new PrognosError('INVALID_INPUT', `--engine must be models or pipeline, got "${engine}".`);
  const data = resolve(requireOption(values.data, 'data'));
  const parsed = await parseFleetFile(data, values.rul === undefined ? {} : { rulPath: resolve(values.rul) });
  const services = openServices(values.store);
  try {
    const scores: FleetScores =
      values.bundle !== undefined
        ? await services.exports.scoreWithBundle(resolve(values.bundle), parsed.table, engine, { requireSigned: values['require-signed'] })
        : await services.exports.scoreWithRun(values.run!, parsed.table);
    const trust = trustJson(scores.trust);
    const { units } = scores;
    const ranked = [...units].sort((a, b) => b.probability - a.probability);
    // with a RUL file: how the alerts fare at each unit's last cycle (a true failure is RUL ≤ W)
    const lastCycle =
      parsed.table.rulAtEnd === undefined
        ? undefined
        : computeMetrics(
            units.map((u) => u.probability),
            failWithin(units.map((u) => u.trueRul ?? Number.NaN), scores.labelWindow),
            scores.threshold,
          );
    const withRul = units.some((u) => u.rul !== undefined);
    out.result({ source: values.bundle ?? values.run, threshold: scores.threshold, ...(trust === null ? {} : { trust }), units, ...(lastCycle === undefined ? {} : { lastCycle }) }, () =>
      [
        ...(trust === null ? [] : [`Bundle ${basename(values.bundle!)}: ${trust.summary}.`]),
        `${units.length} units scored at their last cycle; ${units.filter((u) => u.alert).length} alerts.`,
        '',
        table(
          ranked.map((u) => [
            u.unit,
            u.cycle,
            u.probability.toFixed(4),
            u.parts.gbdt.toFixed(4),
            u.parts.lstm === undefined ? '—' : u.parts.lstm.toFixed(4),
            u.alert ? 'ALERT' : '',
            ...(withRul ? [u.rul === undefined ? '—' : u.rul.toFixed(1), u.rulLow === undefined || u.rulHigh === undefined ? '—' : `${u.rulLow.toFixed(1)}–${u.rulHigh.toFixed(1)}`] : []),
            u.trueRul ?? '',
          ]),
          ['unit', 'cycle', 'probability', 'gbdt', 'lstm', 'alert', ...(withRul ? ['RUL', 'RUL interval'] : []), 'true RUL'],
        ),
      ].join('\n'),
    );
  } finally {
    await services.close();
  }
}
