/**
 * Dataset roles, names of datasets, runs and bundles, and deletes that say first what goes with them:
 * a dataset takes the runs trained on it; a run takes its drift reports and the bundles exported from
 * it into the library. PDF maintenance reports stay (documents that were handed out).
 */
import { PrognosError } from '../../shared/errors';
import type { DatasetRecord } from '../../shared/schemas';
import type { DatasetRole, DeleteImpact, DeleteTarget } from '../../shared/housekeeping';
import type { ExperimentStore } from '../core/store/store';
import type { RunBrief } from '../core/store/housekeeping';
import type { ExportService } from './exports';

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function runLabel(r: { runId: string; name: string | null }): string {
  return r.name === null ? r.runId : `"${r.name}" (${r.runId})`;
}

export class HousekeepingService {
  constructor(
    private readonly store: ExperimentStore,
    private readonly exports: ExportService,
    /** called before a dataset goes, so cached tables are dropped */
    private readonly forgetTable: (datasetId: string) => void,
  ) {}

  private dataset(datasetId: string): DatasetRecord {
    const d = this.store.getDataset(datasetId);
    if (d === undefined) throw new PrognosError('NOT_FOUND', `No dataset ${datasetId}.`);
    return d;
  }

  setRole(datasetId: string, role: DatasetRole): DatasetRecord {
    this.dataset(datasetId);
    this.store.housekeeping().setDatasetRole(datasetId, role);
    return this.dataset(datasetId);
  }

  renameDataset(datasetId: string, name: string): DatasetRecord {
    this.dataset(datasetId);
    this.store.housekeeping().renameDataset(datasetId, name);
    return this.dataset(datasetId);
  }

  renameRun(runId: string, name: string | null): { runId: string; name: string | null } {
    this.store.housekeeping().renameRun(runId, name);
    return { runId, name };
  }

  async renameBundle(bundleId: string, name: string | null): Promise<{ bundleId: string; name: string | null }> {
    const entry = (await this.exports.list()).find((b) => b.bundleId === bundleId);
    if (entry === undefined) throw new PrognosError('NOT_FOUND', `No bundle ${bundleId}.`);
    if (entry.origin === 'shipped') throw new PrognosError('FORBIDDEN', `${bundleId} ships with the app and cannot be renamed.`);
    this.store.housekeeping().setBundleName(bundleId, name);
    return { bundleId, name };
  }

  /** The runs a delete takes, and the target in words. */
  private runsOf(target: DeleteTarget): { target: string; datasetId: string | null; runs: RunBrief[] } {
    const hk = this.store.housekeeping();
    switch (target.kind) {
      case 'dataset': {
        const d = this.dataset(target.datasetId);
        return { target: `dataset "${d.name}" (${d.datasetId})`, datasetId: d.datasetId, runs: hk.runsOfDataset(d.datasetId) };
      }
      case 'run': {
        const r = hk.runBrief(target.runId);
        if (r === undefined) throw new PrognosError('NOT_FOUND', `No run ${target.runId}.`);
        return { target: `run ${runLabel(r)}`, datasetId: null, runs: [r] };
      }
      case 'bundle':
        return { target: `bundle ${target.bundleId}`, datasetId: null, runs: [] };
    }
  }

  /** What deleting the target removes with it, and what stays. */
  async impact(target: DeleteTarget): Promise<DeleteImpact> {
    const { target: what, datasetId, runs } = this.runsOf(target);
    const runIds = new Set(runs.map((r) => r.runId));
    const library = (await this.exports.list()).filter((b) => b.origin !== 'shipped');
    let bundles: { bundleId: string; name: string | null }[];
    let label = what;
    if (target.kind === 'bundle') {
      const b = library.find((x) => x.bundleId === target.bundleId);
      if (b === undefined) throw new PrognosError((await this.exports.list()).some((x) => x.bundleId === target.bundleId) ? 'FORBIDDEN' : 'NOT_FOUND', `No bundle ${target.bundleId} in the store's library.`);
      label = b.name === null ? `bundle ${b.bundleId}` : `bundle "${b.name}" (${b.bundleId})`;
      bundles = [];
    } else {
      bundles = library.filter((b) => runIds.has(b.runId)).map((b) => ({ bundleId: b.bundleId, name: b.name }));
    }
    const hk = this.store.housekeeping();
    const driftReports = hk.driftReportsOfRuns([...runIds]);
    const reportsKept = target.kind === 'bundle' ? 0 : hk.fleetReportsOf(datasetId, [...runIds]);
    const lines: string[] = [];
    if (target.kind === 'dataset') lines.push(runs.length === 0 ? 'no runs were trained on it' : `${plural(runs.length, 'run')} trained on it: ${runs.map(runLabel).join(', ')}`);
    if (target.kind !== 'bundle') {
      lines.push(bundles.length === 0 ? 'no bundles exported from its runs' : `${plural(bundles.length, 'bundle')} of ${target.kind === 'run' ? 'the run' : 'those runs'}: ${bundles.map((b) => (b.name === null ? b.bundleId : `"${b.name}"`)).join(', ')}`);
      lines.push(`${plural(driftReports, 'drift report')}`);
      if (reportsKept > 0) lines.push(`kept: ${plural(reportsKept, 'PDF maintenance report')} made from it (documents that were handed out)`);
    }
    return { target: label, runs: target.kind === 'dataset' ? runs.map((r) => ({ ...r })) : [], bundles, driftReports, reportsKept, lines };
  }

  /** Deletes the target with everything `impact` lists (bundle files first, then the rows, in one transaction). */
  async delete(target: DeleteTarget): Promise<{ deleted: boolean; impact: DeleteImpact }> {
    let impact: DeleteImpact;
    try {
      impact = await this.impact(target);
    } catch (e) {
      if (e instanceof PrognosError && e.code === 'NOT_FOUND') return { deleted: false, impact: { target: '', runs: [], bundles: [], driftReports: 0, reportsKept: 0, lines: [] } };
      throw e;
    }
    for (const b of impact.bundles) await this.exports.removeFromLibrary(b.bundleId);
    // the fleet scores stored for a deleted bundle go with it (a run's and a dataset's go by foreign key)
    for (const id of [...impact.bundles.map((b) => b.bundleId), ...(target.kind === 'bundle' ? [target.bundleId] : [])]) this.store.storedResults().forgetBundle(id);
    switch (target.kind) {
      case 'dataset':
        this.forgetTable(target.datasetId);
        return { deleted: this.store.deleteDataset(target.datasetId), impact };
      case 'run':
        return { deleted: this.store.deleteRun(target.runId), impact };
      case 'bundle':
        return { deleted: await this.exports.removeFromLibrary(target.bundleId), impact };
    }
  }
}
