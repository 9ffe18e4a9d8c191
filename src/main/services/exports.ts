/**
 * Bundles: export a finished run, import and verify bundles, and score a fleet either through a
 * bundle's ONNX models (onnxruntime, the artifact production runs) or through a run's in-app engines.
 * The store keeps bundles under `<store>/bundles/`; the app ships one demo bundle.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { PrognosError } from '../../shared/errors';
import type { ModelCard } from '../../shared/model-card';
import type { BundleEntry, FleetScoresValue, Scorer } from '../../shared/schemas';
import type { FleetTable } from '../core/data/table';
import { copyBundle, type VerifyOptions, type VerifyResult, type WrittenBundle } from '../core/export';
import type { ExperimentStore } from '../core/store/store';
import type { BundleRead, BundleRequest, BundleValue } from '../workers/bundle-protocol';
import type { ExportRequest, ExportValue } from '../workers/export-protocol';
import { toWire } from '../workers/import-protocol';
import type { BundleTrustOptions, FleetScores, ScoreSource, SeriesValue } from '../workers/score-protocol';
import { modelCardOf } from './model-card';
import { ScoringHost } from './scoring-host';
import { shareTable } from './shared-table';
import type { TrainingService } from './training';
import { callWorker, UNCANCELLED, type WorkerCallContext } from './worker-call';

export type { FleetScores, ScoredUnit, UnitSeries } from '../workers/score-protocol';

/** Trust options for one check: the policy is in force, or the caller asks for a trusted key. */
export interface TrustRequest {
  /** require a bundle signed by a trusted key even when the store's policy does not */
  readonly requireSigned?: boolean;
}

export class ExportService {
  private readonly libraryDir: string;
  /** the long-lived scoring worker and its model cache */
  readonly scoring: ScoringHost;
  /** tfjs tensors the last export worker still held when it finished (0 when it disposed them all) */
  lastExportTensors = 0;

  constructor(
    private readonly store: ExperimentStore,
    private readonly training: TrainingService,
    private readonly appVersion: string,
    /** bundles shipped with the app (resources/models), listed read-only */
    private readonly shippedDir?: string,
    /** shows a path in the desktop file manager; absent in browser mode and the CLI */
    private readonly reveal?: (path: string) => void,
    /** a dataset's table in shared memory (the services' cache); else read from the store */
    private readonly tableOf: (datasetId: string) => Promise<FleetTable> = (id) => Promise.resolve(shareTable(store.loadTable(id))),
  ) {
    this.libraryDir = join(store.dir, 'bundles');
    this.scoring = new ScoringHost(training.workerScript('score-worker'));
  }

  /** Releases the scoring worker's models and stops it. */
  close(): Promise<void> {
    return this.scoring.close();
  }

  private async bundleWork(request: BundleRequest, ctx: WorkerCallContext): Promise<BundleValue> {
    return (await callWorker<BundleRequest, BundleValue>(this.training.workerScript('bundle-worker'), request, ctx)).value;
  }

  /** Writes the run as a bundle in a worker thread (models are converted and hashed there). */
  async exportRun(
    runId: string,
    out: string,
    opts: { zip?: boolean; signKey?: string; overwrite?: boolean; created?: string } = {},
    ctx: WorkerCallContext = UNCANCELLED,
  ): Promise<WrittenBundle> {
    const artifacts = await this.training.loadArtifacts(runId, ctx);
    const dataset = this.store.getDataset(artifacts.record.datasetId);
    if (dataset === undefined) throw new PrognosError('NOT_FOUND', `The dataset of run ${runId} is gone.`);
    const columns = dataset.summary.columns
      .filter((c) => c.role === 'setting' || c.role === 'sensor')
      .map((c) => ({ name: c.name, original: c.original, role: c.role }));
    const request: ExportRequest = {
      artifacts,
      // the run's training units travel as the bundle's drift reference (drift/)
      trainingTable: toWire(await this.tableOf(dataset.datasetId)),
      appVersion: this.appVersion,
      columns,
      datasetName: dataset.name,
      out,
      ...(opts.created === undefined ? {} : { created: opts.created }),
      ...(opts.zip === undefined ? {} : { zip: opts.zip }),
      ...(opts.signKey === undefined ? {} : { signKey: opts.signKey }),
      ...(opts.overwrite === undefined ? {} : { overwrite: opts.overwrite }),
    };
    const r = await callWorker<ExportRequest, ExportValue>(this.training.workerScript('export-worker'), request, ctx);
    this.lastExportTensors = r.tensors;
    return r.value;
  }

  /** The keyring, and whether a trusted signature is required now (the store's policy or the caller). */
  trustOptions(req: TrustRequest = {}): BundleTrustOptions {
    const policy = this.store.trustPolicy();
    return { trustedKeys: this.store.trustedKeys(), requireTrusted: req.requireSigned === true || policy.requireSigned };
  }

  /** Checks a bundle's checksums, signature (against the keyring) and manifest in a worker thread. */
  async verify(path: string, req: TrustRequest = {}, ctx: WorkerCallContext = UNCANCELLED, extra: Pick<VerifyOptions, 'displayName'> = {}): Promise<VerifyResult> {
    const v = await this.bundleWork({ op: 'verify', path, options: { ...this.trustOptions(req), ...extra } }, ctx);
    if (v.op !== 'verify') throw new PrognosError('INTERNAL', 'the bundle worker answered another request');
    return v.result;
  }

  private async readAll(paths: readonly string[], ctx: WorkerCallContext = UNCANCELLED): Promise<BundleRead[]> {
    if (paths.length === 0) return [];
    const v = await this.bundleWork({ op: 'read', paths, trustedKeys: this.store.trustedKeys() }, ctx);
    if (v.op !== 'read') throw new PrognosError('INTERNAL', 'the bundle worker answered another request');
    return v.bundles;
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

  /** The path of a bundle of the library (NOT_FOUND naming the id when there is none). */
  bundlePath(bundleId: string): string {
    return this.pathOf(bundleId).path;
  }

  /** `requireTrusted`: whether the policy requires a trusted signature (read once per listing) */
  private toEntry(loc: { bundleId: string; path: string; origin: BundleEntry['origin'] }, b: BundleRead, requireTrusted: boolean): BundleEntry {
    if (!b.ok) throw new PrognosError('BAD_FILE', b.reason);
    const m = b.manifest;
    const refused = requireTrusted && b.trust.verdict !== 'trusted' ? `not signed by a trusted key (${b.trust.summary}); the trust policy requires one` : null;
    return {
      ...loc,
      name: this.store.housekeeping().bundleNames().get(loc.bundleId) ?? null,
      runId: m.runId,
      created: m.created,
      datasetName: m.dataset.name ?? null,
      models: Object.keys(m.models),
      threshold: m.threshold,
      weight: m.ensemble.weight,
      signed: m.signature !== undefined,
      files: b.files,
      trust: { verdict: b.trust.verdict, keyId: b.trust.keyId, keyName: b.trust.keyName, claimedKeyId: b.trust.claimedKeyId, summary: b.trust.summary },
      refused,
    };
  }

  private async entry(loc: { bundleId: string; path: string; origin: BundleEntry['origin'] }): Promise<BundleEntry> {
    const [b] = await this.readAll([loc.path]);
    return this.toEntry(loc, b!, this.trustOptions().requireTrusted);
  }

  /** Every readable bundle (read in a worker thread); a damaged one is listed by `bundles:verify`, not here. */
  async list(): Promise<BundleEntry[]> {
    const locs = this.locations();
    const read = await this.readAll(locs.map((l) => l.path));
    // unreadable or tampered: left out of the list, still reported by verify
    const { requireTrusted } = this.trustOptions();
    return locs.flatMap((loc, i) => (read[i]?.ok === true ? [this.toEntry(loc, read[i], requireTrusted)] : []));
  }

  async exportToLibrary(runId: string, zip: boolean, ctx: WorkerCallContext = UNCANCELLED): Promise<BundleEntry> {
    mkdirSync(this.libraryDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const name = `${runId}-${stamp}${zip ? '.zip' : ''}`;
    ctx.progress?.(0, 'Exporting…');
    const dest = join(this.libraryDir, name);
    // a cancelled or failed export leaves nothing: neither the bundle nor the worker's staging copy
    const discard = async (): Promise<void> => {
      const staged = readdirSync(this.libraryDir).filter((f) => f.startsWith(`.${name}.partial-`));
      await Promise.all([dest, ...staged.map((f) => join(this.libraryDir, f))].map((p) => rm(p, { recursive: true, force: true })));
    };
    try {
      const w = await this.exportRun(runId, dest, { zip }, ctx);
      if (ctx.signal.aborted) throw new PrognosError('CANCELLED', 'Export cancelled.');
      return await this.entry({ bundleId: `store:${basename(w.path)}`, path: w.path, origin: 'exported' });
    } catch (e) {
      await discard();
      throw e;
    }
  }

  /** The bundles of the library with the same manifest (run, creation time, every model file's SHA-256), newest first. */
  private async sameContent(manifest: object, ctx: WorkerCallContext): Promise<BundleEntry[]> {
    const key = manifestKey(manifest);
    const locs = this.locations();
    const read = await this.readAll(locs.map((l) => l.path), ctx);
    const { requireTrusted } = this.trustOptions();
    const same = locs.flatMap((loc, i) => {
      const b = read[i];
      return b?.ok === true && manifestKey(b.manifest) === key ? [this.toEntry(loc, b, requireTrusted)] : [];
    });
    // the library's own copies before the shipped one
    return [...same.filter((e) => e.origin !== 'shipped'), ...same.filter((e) => e.origin === 'shipped')];
  }

  /**
   * Verifies first; only a sound bundle is copied into the store, so a refused one writes nothing.
   * A bundle whose manifest matches one already in the library: `duplicates` 'ask' refuses with
   * CONFLICT naming it (details.existingBundles), 'reuse' answers with it, 'new' (the default) imports
   * another copy, named `name` when given.
   */
  async importBundle(
    path: string,
    displayName: string,
    ctx: WorkerCallContext = UNCANCELLED,
    opts: { duplicates?: 'ask' | 'reuse' | 'new'; name?: string } = {},
  ): Promise<BundleEntry> {
    const verdict = await this.verify(path, {}, ctx, { displayName });
    if (!verdict.ok) {
      const issues = verdict.problems.map((p) => ({ file: `${displayName}/${p.file}`, reason: p.reason }));
      throw new PrognosError('BAD_FILE', `${displayName} is refused:\n${issues.map((i) => `${i.file}: ${i.reason}`).join('\n')}`, { issues });
    }
    const duplicates = opts.duplicates ?? 'new';
    if (duplicates !== 'new') {
      const same = await this.sameContent(verdict.manifest!, ctx);
      const existing = same[0];
      if (existing !== undefined && duplicates === 'reuse') return existing;
      if (existing !== undefined) {
        throw new PrognosError(
          'CONFLICT',
          `${displayName} has the same content as the bundle ${existing.name === null ? existing.bundleId : `"${existing.name}" (${existing.bundleId})`} in the library. Open the existing one, or import it again under a new name.`,
          { existingBundles: same.map((e) => ({ bundleId: e.bundleId, name: e.name, origin: e.origin })) },
        );
      }
    }
    mkdirSync(this.libraryDir, { recursive: true });
    const zip = statSync(path).isFile();
    const name = `imported-${verdict.manifest!.runId}-${Date.now().toString(36)}${zip ? '.zip' : ''}`;
    const dest = join(this.libraryDir, name);
    try {
      await copyBundle(path, dest);
      // what is kept is what counts: the copy must pass the same checks (the source may have changed)
      const copied = await this.verify(dest, {}, ctx, { displayName });
      if (!copied.ok) throw new PrognosError('BAD_FILE', `${displayName} changed while it was being imported; try again.`);
      if (opts.name !== undefined) this.store.housekeeping().setBundleName(`store:${name}`, opts.name);
      return await this.entry({ bundleId: `store:${name}`, path: dest, origin: 'imported' });
    } catch (e) {
      await rm(dest, { recursive: true, force: true });
      throw e;
    }
  }

  async verifyById(bundleId: string, ctx: WorkerCallContext = UNCANCELLED) {
    const r = await this.verify(this.pathOf(bundleId).path, {}, ctx);
    return { ok: r.ok, problems: r.problems.map((p) => ({ file: p.file, reason: p.reason })), trust: r.trust === undefined ? null : { ...r.trust } };
  }

  /** Removes a bundle of the store's library (folder or zip) and its name; shipped bundles are read-only. */
  async removeFromLibrary(bundleId: string): Promise<boolean> {
    const loc = this.locations().find((l) => l.bundleId === bundleId);
    if (loc === undefined) return false;
    if (loc.origin === 'shipped') throw new PrognosError('FORBIDDEN', `${bundleId} ships with the app and cannot be deleted.`);
    await rm(loc.path, { recursive: true, force: true });
    this.store.housekeeping().setBundleName(bundleId, null);
    return true;
  }

  /** The bundle's model card, read from its manifest (in a worker, like every bundle read). */
  async card(bundleId: string, ctx: WorkerCallContext = UNCANCELLED): Promise<ModelCard> {
    const loc = this.pathOf(bundleId);
    const [b] = await this.readAll([loc.path], ctx);
    if (b === undefined || !b.ok) throw new PrognosError('BAD_FILE', b === undefined ? `${bundleId} could not be read.` : b.reason);
    return modelCardOf(bundleId, b.manifest);
  }

  /**
   * The bundle as one .zip, packed in the bundle worker after the same checks as an import: only a
   * bundle of the library (its id as listed, never a path), no link or device followed, refused
   * naming the file when a checksum or the signature does not match. Browser mode streams it as a
   * download; the desktop app writes it where its save dialog says (`saveArchive`).
   */
  async archive(bundleId: string, ctx: WorkerCallContext = UNCANCELLED): Promise<{ fileName: string; bytes: Uint8Array }> {
    const loc = this.pathOf(bundleId);
    const v = await this.bundleWork({ op: 'archive', path: loc.path, displayName: bundleId, trustedKeys: this.store.trustedKeys() }, ctx);
    if (v.op !== 'archive') throw new PrognosError('INTERNAL', 'the bundle worker answered another request');
    return { fileName: archiveFileName(bundleId, this.store.housekeeping().bundleNames().get(bundleId) ?? null), bytes: v.bytes };
  }

  /** Writes `archive(bundleId)` to `dest` whole or not at all (a temporary file beside it, then a rename). */
  async saveArchive(bundleId: string, dest: string, ctx: WorkerCallContext = UNCANCELLED): Promise<{ path: string; bytes: number }> {
    const a = await this.archive(bundleId, ctx);
    const temp = join(dirname(dest), `.${basename(dest)}.partial-${randomBytes(6).toString('hex')}`);
    try {
      await writeFile(temp, a.bytes, { flag: 'wx' });
      await rename(temp, dest);
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
    return { path: dest, bytes: a.bytes.byteLength };
  }

  revealById(bundleId: string): { shown: boolean; path: string } {
    const { path } = this.pathOf(bundleId);
    if (this.reveal === undefined) return { shown: false, path };
    this.reveal(path);
    return { shown: true, path };
  }

  // ── scoring (in the scoring worker) ─────────────────────────────────────────────────────────

  private bundleSource(path: string, engine: 'models' | 'pipeline', req: TrustRequest = {}): ScoreSource {
    const st = statSync(path);
    return { kind: 'bundle', path, version: `${st.size}:${st.mtimeMs}`, engine, trust: this.trustOptions(req) };
  }

  private runSource(runId: string): ScoreSource {
    this.training.finished(runId); // a missing or unfinished run fails here, not in the worker
    return { kind: 'run', runId, dbPath: this.store.dbPath };
  }

  /** Per unit at its last cycle, through the bundle's ONNX models. */
  scoreWithBundle(
    bundle: string,
    table: FleetTable,
    engine: 'models' | 'pipeline' = 'models',
    req: TrustRequest = {},
    ctx: WorkerCallContext = UNCANCELLED,
  ): Promise<FleetScores> {
    return this.scoring.request({ type: 'score', source: this.bundleSource(bundle, engine, req), table: toWire(table) }, ctx);
  }

  /** Per unit at its last cycle, through the run's in-app engines; the same shape as a bundle's. */
  scoreWithRun(runId: string, table: FleetTable, ctx: WorkerCallContext = UNCANCELLED): Promise<FleetScores> {
    return this.scoring.request({ type: 'score', source: this.runSource(runId), table: toWire(table) }, ctx);
  }

  async scoreFleet(scorer: Scorer, table: FleetTable, ctx: WorkerCallContext = UNCANCELLED): Promise<FleetScoresValue> {
    if (scorer.kind === 'run') return { ...(await this.scoreWithRun(scorer.runId, table, ctx)), engine: 'in-app engines' };
    return { ...(await this.scoreWithBundle(this.pathOf(scorer.bundleId).path, table, 'models', {}, ctx)), engine: 'onnxruntime (bundle models)' };
  }

  /** Chosen units' risk at every cycle. */
  series(scorer: Scorer, table: FleetTable, units: readonly number[], ctx: WorkerCallContext = UNCANCELLED): Promise<SeriesValue> {
    const source = scorer.kind === 'run' ? this.runSource(scorer.runId) : this.bundleSource(this.pathOf(scorer.bundleId).path, 'models');
    return this.scoring.request({ type: 'series', source, table: toWire(table), units }, ctx);
  }
}

/** A bundle's identity for re-import checks: the SHA-256 of its manifest as read (models and their digests included). */
function manifestKey(manifest: object): string {
  return createHash('sha256').update(JSON.stringify(manifest)).digest('hex');
}

/** A plain file name for a bundle's archive: its display name, else its library name, as `NAME.zip`. */
export function archiveFileName(bundleId: string, name: string | null): string {
  const base = (name ?? bundleId.replace(/^(store|shipped):/, '')).replace(/\.zip$/i, '');
  const plain = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+|-+$/g, '').slice(0, 120);
  return `${plain === '' ? 'bundle' : plain}.zip`;
}
