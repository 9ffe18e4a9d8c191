/**
 * Bundles: export a finished run, import and verify bundles, and score a fleet either through a
 * bundle's ONNX models (onnxruntime, the artifact production runs) or through a run's in-app engines.
 * The store keeps bundles under `<store>/bundles/`; the app ships one demo bundle.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PrognosError } from '../../shared/errors';
import type { BundleEntry, FleetScoresValue, Scorer } from '../../shared/schemas';
import type { FleetTable } from '../core/data/table';
import { unitSpans } from '../core/data/table';
import { bundleInputFromRun, BundleScorer, copyBundle, readBundle, verifyBundle, writeBundle, type BundleTrust, type UnitScore, type VerifyOptions, type VerifyResult, type WrittenBundle } from '../core/export';
import { scoreRows } from '../core/pipeline/train';
import type { ExperimentStore } from '../core/store/store';
import type { TrainingService } from './training';

export interface ScoredUnit extends UnitScore {
  /** true remaining cycles after the last row, when the data came with a RUL file */
  readonly rul?: number;
}

export interface FleetScores {
  units: ScoredUnit[];
  /** alert when probability ≥ threshold */
  threshold: number;
  /** failure within W cycles */
  labelWindow: number;
  /** what the bundle's signature proves (bundle scoring only) */
  trust?: BundleTrust;
}

/** Trust options for one check: the policy is in force, or the caller asks for a trusted key. */
export interface TrustRequest {
  /** require a bundle signed by a trusted key even when the store's policy does not */
  readonly requireSigned?: boolean;
}

export interface UnitSeries {
  unit: number;
  cycle: number[];
  probability: number[];
  gbdt: number[];
  lstm: number[] | null;
}

export class ExportService {
  private readonly libraryDir: string;

  constructor(
    private readonly store: ExperimentStore,
    private readonly training: TrainingService,
    private readonly appVersion: string,
    /** bundles shipped with the app (resources/models), listed read-only */
    private readonly shippedDir?: string,
    /** shows a path in the desktop file manager; absent in browser mode and the CLI */
    private readonly reveal?: (path: string) => void,
  ) {
    this.libraryDir = join(store.dir, 'bundles');
  }

  async exportRun(runId: string, out: string, opts: { zip?: boolean; signKey?: string; overwrite?: boolean; created?: string } = {}): Promise<WrittenBundle> {
    const trained = await this.training.loadTrained(runId);
    const dataset = this.store.getDataset(trained.record.datasetId);
    if (dataset === undefined) throw new PrognosError('NOT_FOUND', `The dataset of run ${runId} is gone.`);
    const columns = dataset.summary.columns
      .filter((c) => c.role === 'setting' || c.role === 'sensor')
      .map((c) => ({ name: c.name, original: c.original, role: c.role }));
    const input = bundleInputFromRun(trained, {
      appVersion: this.appVersion,
      columns,
      datasetName: dataset.name,
      pipeline: true,
      ...(opts.created === undefined ? {} : { created: opts.created }),
      ...(trained.lstm === undefined ? {} : { lstm: { weights: trained.lstm.model.getWeights(), scaler: trained.lstm.scaler, weight: trained.weight } }),
    });
    return writeBundle(input, out, {
      ...(opts.zip === undefined ? {} : { zip: opts.zip }),
      ...(opts.signKey === undefined ? {} : { signKey: opts.signKey }),
      ...(opts.overwrite === undefined ? {} : { overwrite: opts.overwrite }),
    });
  }

  /** The keyring, and whether a trusted signature is required now (the store's policy or the caller). */
  trustOptions(req: TrustRequest = {}): VerifyOptions & { requireTrusted: boolean } {
    const policy = this.store.trustPolicy();
    return { trustedKeys: this.store.trustedKeys(), requireTrusted: req.requireSigned === true || policy.requireSigned };
  }

  verify(path: string, req: TrustRequest = {}): Promise<VerifyResult> {
    return verifyBundle(path, this.trustOptions(req));
  }

  // ── the bundle library ──────────────────────────────────────────────────────────────────────

  private locations(): { bundleId: string; path: string; origin: BundleEntry['origin'] }[] {
    const out: { bundleId: string; path: string; origin: BundleEntry['origin'] }[] = [];
    if (this.shippedDir !== undefined && existsSync(this.shippedDir)) {
      for (const name of readdirSync(this.shippedDir).sort()) out.push({ bundleId: `shipped:${name}`, path: join(this.shippedDir, name), origin: 'shipped' });
    }
    if (existsSync(this.libraryDir)) {
      for (const name of readdirSync(this.libraryDir).sort().reverse()) {
        if (name.startsWith('.')) continue;
        out.push({ bundleId: `store:${name}`, path: join(this.libraryDir, name), origin: name.startsWith('imported-') ? 'imported' : 'exported' });
      }
    }
    return out;
  }

  private pathOf(bundleId: string): { bundleId: string; path: string; origin: BundleEntry['origin'] } {
    const hit = this.locations().find((l) => l.bundleId === bundleId);
    if (hit === undefined) throw new PrognosError('NOT_FOUND', `No bundle ${bundleId}.`);
    return hit;
  }

  private async entry(loc: { bundleId: string; path: string; origin: BundleEntry['origin'] }): Promise<BundleEntry> {
    const { trustedKeys, requireTrusted } = this.trustOptions();
    // read with the keyring but without the policy: an untrusted bundle is listed, marked refused
    const b = await readBundle(loc.path, { trustedKeys });
    const m = b.manifest;
    const refused = requireTrusted && b.trust.verdict !== 'trusted' ? `not signed by a trusted key (${b.trust.summary}); the trust policy requires one` : null;
    return {
      ...loc,
      runId: m.runId,
      created: m.created,
      datasetName: m.dataset.name ?? null,
      models: Object.keys(m.models),
      threshold: m.threshold,
      weight: m.ensemble.weight,
      signed: m.signature !== undefined,
      files: [...b.files.keys()].sort(),
      trust: { verdict: b.trust.verdict, keyId: b.trust.keyId, keyName: b.trust.keyName, claimedKeyId: b.trust.claimedKeyId, summary: b.trust.summary },
      refused,
    };
  }

  /** Every readable bundle; a damaged one is listed by `bundles:verify`, not here. */
  async list(): Promise<BundleEntry[]> {
    const out: BundleEntry[] = [];
    for (const loc of this.locations()) {
      try {
        out.push(await this.entry(loc));
      } catch {
        // unreadable or tampered: left out of the list, still reported by verify
      }
    }
    return out;
  }

  async exportToLibrary(runId: string, zip: boolean): Promise<BundleEntry> {
    mkdirSync(this.libraryDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const name = `${runId}-${stamp}${zip ? '.zip' : ''}`;
    const w = await this.exportRun(runId, join(this.libraryDir, name), { zip });
    return this.entry({ bundleId: `store:${basename(w.path)}`, path: w.path, origin: 'exported' });
  }

  /** Verifies first; only a sound bundle is copied into the store, so a refused one writes nothing. */
  async importBundle(path: string, displayName: string): Promise<BundleEntry> {
    const verdict = await verifyBundle(path, { ...this.trustOptions(), displayName });
    if (!verdict.ok) {
      const issues = verdict.problems.map((p) => ({ file: `${displayName}/${p.file}`, reason: p.reason }));
      throw new PrognosError('BAD_FILE', `${displayName} is refused:\n${issues.map((i) => `${i.file}: ${i.reason}`).join('\n')}`, { issues });
    }
    mkdirSync(this.libraryDir, { recursive: true });
    const zip = statSync(path).isFile();
    const name = `imported-${verdict.manifest!.runId}-${Date.now().toString(36)}${zip ? '.zip' : ''}`;
    const dest = join(this.libraryDir, name);
    try {
      await copyBundle(path, dest);
      // what is kept is what counts: the copy must pass the same checks (the source may have changed)
      const copied = await verifyBundle(dest, { ...this.trustOptions(), displayName });
      if (!copied.ok) throw new PrognosError('BAD_FILE', `${displayName} changed while it was being imported; try again.`);
      return await this.entry({ bundleId: `store:${name}`, path: dest, origin: 'imported' });
    } catch (e) {
      rmSync(dest, { recursive: true, force: true });
      throw e;
    }
  }

  async verifyById(bundleId: string) {
    const r = await verifyBundle(this.pathOf(bundleId).path, this.trustOptions());
    return { ok: r.ok, problems: r.problems.map((p) => ({ file: p.file, reason: p.reason })), trust: r.trust === undefined ? null : { ...r.trust } };
  }

  revealById(bundleId: string): { shown: boolean; path: string } {
    const { path } = this.pathOf(bundleId);
    if (this.reveal === undefined) return { shown: false, path };
    this.reveal(path);
    return { shown: true, path };
  }

  // ── scoring ────────────────────────────────────────────────────────────────────────────────

  /** Per unit at its last cycle, through the bundle's ONNX models. */
  async scoreWithBundle(bundle: string, table: FleetTable, engine: 'models' | 'pipeline' = 'models', req: TrustRequest = {}): Promise<FleetScores> {
    const scorer = await BundleScorer.open(bundle, { engine, ...this.trustOptions(req) });
    try {
      const units = withRul(await scorer.scoreUnits(table), table);
      return { units, threshold: scorer.manifest.threshold, labelWindow: scorer.manifest.label.window, trust: scorer.trust };
    } finally {
      await scorer.close();
    }
  }

  /** Per unit at its last cycle, through the run's in-app engines; the same shape as a bundle's. */
  async scoreWithRun(runId: string, table: FleetTable): Promise<FleetScores> {
    const trained = await this.training.loadTrained(runId);
    const spans = unitSpans(table);
    const p = scoreRows(table, trained, Int32Array.from(spans, (s) => s.end - 1));
    const units = spans.map((s, k) => {
      const probability = p.probability[k]!;
      const gbdt = p.gbdt[k]!;
      return {
        unit: s.unit,
        cycle: table.cycle[s.end - 1]!,
        probability,
        parts: p.lstm === undefined ? { gbdt } : { gbdt, lstm: p.lstm[k]! },
        alert: probability >= trained.threshold,
      };
    });
    return { units: withRul(units, table), threshold: trained.threshold, labelWindow: trained.config.labelWindow };
  }

  async scoreFleet(scorer: Scorer, table: FleetTable): Promise<FleetScoresValue> {
    if (scorer.kind === 'run') return { ...(await this.scoreWithRun(scorer.runId, table)), engine: 'in-app engines' };
    return { ...(await this.scoreWithBundle(this.pathOf(scorer.bundleId).path, table)), engine: 'onnxruntime (bundle models)' };
  }

  /** Chosen units' risk at every cycle. */
  async series(scorer: Scorer, table: FleetTable, units: readonly number[]): Promise<{ threshold: number; units: UnitSeries[] }> {
    const wanted = new Set(units);
    const spans = unitSpans(table).filter((s) => wanted.has(s.unit));
    const rows = Int32Array.from(spans.flatMap((s) => Array.from({ length: s.end - s.start }, (_, k) => s.start + k)));
    let threshold: number;
    let probability: ArrayLike<number>;
    let gbdt: ArrayLike<number>;
    let lstm: ArrayLike<number> | undefined;
    if (scorer.kind === 'run') {
      const trained = await this.training.loadTrained(scorer.runId);
      ({ probability, gbdt, lstm } = scoreRows(table, trained, rows));
      threshold = trained.threshold;
    } else {
      const s = await BundleScorer.open(this.pathOf(scorer.bundleId).path, this.trustOptions());
      try {
        const r = await s.scoreRows(table, rows);
        ({ probability, gbdt, lstm } = r);
        threshold = s.manifest.threshold;
      } finally {
        await s.close();
      }
    }
    let k = 0;
    const out = spans.map((s) => {
      const n = s.end - s.start;
      const slice = (a: ArrayLike<number>): number[] => Array.from({ length: n }, (_, j) => a[k + j]!);
      const u = { unit: s.unit, cycle: Array.from(table.cycle.subarray(s.start, s.end)), probability: slice(probability), gbdt: slice(gbdt), lstm: lstm === undefined ? null : slice(lstm) };
      k += n;
      return u;
    });
    return { threshold, units: out };
  }
}

function withRul(units: UnitScore[], table: FleetTable): ScoredUnit[] {
  const rul = table.rulAtEnd;
  return units.map((u) => (rul?.has(u.unit) === true ? { ...u, rul: rul.get(u.unit)! } : u));
}
