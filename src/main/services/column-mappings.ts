/**
 * Column roles at import and sensor catalogues: what the import uses when the client names no roles
 * (the mapping remembered for the file's header, else the guess), what it remembers afterwards, and
 * the `datasets:mapping` / `datasets:catalogue` / `datasets:setCatalogue` handlers.
 */
import type { Handlers } from './app-services';
import { badFile, PrognosError } from '../../shared/errors';
import { guessColumnRoles, headerKey, type FileHead, type ImportColumnRole } from '../../shared/column-roles';
import type { ImportRequest } from '../../shared/schemas';
import { catalogueProblems, completeCatalogue, type SensorCatalogue } from '../../shared/sensor-catalogue';
import { catalogueByColumnId, readHead } from '../core/data/column-mapping';
import { sanitizeColumnName } from '../core/data/import-file';
import type { ColumnInfo } from '../core/data/table';
import { headerSignature } from '../core/store/column-mappings';
import type { ExperimentStore } from '../core/store/store';

/** What an import uses, decided before the parse. */
export interface ImportMapping {
  readonly head: FileHead;
  /** the roles passed to the parser (every CSV column named), or undefined for the importer's own */
  readonly map: Record<string, ImportColumnRole> | undefined;
  /** the catalogue by header, or null for the default */
  readonly catalogue: SensorCatalogue | null;
  /** where the roles came from */
  readonly source: 'request' | 'remembered' | 'guessed' | 'format';
}

export class ColumnMappingService {
  constructor(private readonly store: ExperimentStore) {}

  handlers(): Pick<Handlers, 'datasets:mapping' | 'datasets:catalogue' | 'datasets:setCatalogue'> {
    return {
      'datasets:mapping': ({ headers }) =>
        Promise.resolve({ signature: headerSignature(headers), remembered: this.store.columnMappings().mappingFor(headers) ?? null }),
      'datasets:catalogue': ({ datasetId }) => Promise.resolve(this.catalogueOf(datasetId)),
      'datasets:setCatalogue': ({ datasetId, catalogue }) => {
        const d = this.store.getDataset(datasetId);
        if (d === undefined) throw new PrognosError('NOT_FOUND', `No dataset ${datasetId}.`);
        const columns = d.summary.columns.filter((c) => c.role === 'setting' || c.role === 'sensor').map((c) => c.name);
        const problems = catalogueProblems(catalogue, columns);
        if (problems.length > 0) throw new PrognosError('INVALID_INPUT', `Sensor catalogue of ${d.name}: ${problems.join('; ')}.`);
        this.store.columnMappings().setDatasetCatalogue(datasetId, completeCatalogue(d.summary.columns, catalogue));
        return Promise.resolve(this.catalogueOf(datasetId));
      },
    };
  }

  /** The dataset's catalogue: the stored one completed with defaults (the C-MAPSS preset, else the headers). */
  catalogueOf(datasetId: string): SensorCatalogue {
    const d = this.store.getDataset(datasetId);
    if (d === undefined) throw new PrognosError('NOT_FOUND', `No dataset ${datasetId}.`);
    return completeCatalogue(d.summary.columns, this.store.columnMappings().datasetCatalogue(datasetId));
  }

  /**
   * The roles for an import. CSV: the request's roles over the guess (a partial map, as the CLI's
   * `--map col=role` gives, keeps the guess for the other columns), else the mapping remembered for
   * this header, else the guess. C-MAPSS text: the request's roles, if any.
   */
  async prepare(req: ImportRequest, data: { path: string; displayName: string }): Promise<ImportMapping> {
    const head = await readHead(data.path, data.displayName, req.format);
    if (head.format === 'cmapss' || head.headers.length === 0) {
      return { head, map: req.map, catalogue: req.catalogue ?? null, source: req.map === undefined ? 'format' : 'request' };
    }
    const headers = head.headers;
    const guess = guessColumnRoles(headers);
    if (req.map === undefined) {
      const remembered = this.store.columnMappings().mappingFor(headers);
      if (remembered !== undefined) return { head, map: remembered.roles, catalogue: req.catalogue ?? remembered.catalogue, source: 'remembered' };
      return { head, map: Object.fromEntries(headers.map((h, i) => [h, guess[i]!])), catalogue: req.catalogue ?? null, source: 'guessed' };
    }
    const roles = [...guess];
    const explicit = new Set<number>();
    const sanitized = headers.map((h, i) => sanitizeColumnName(h, i));
    const unknown: string[] = [];
    for (const [key, role] of Object.entries(req.map)) {
      let at = headers.indexOf(key);
      if (at < 0) at = sanitized.indexOf(key);
      if (at < 0) at = headers.findIndex((h) => headerKey(h) === headerKey(key));
      if (at < 0) {
        unknown.push(key);
        continue;
      }
      roles[at] = role;
      explicit.add(at);
    }
    if (unknown.length > 0) {
      const known = headers.map((h) => `"${h}"`).join(', ');
      throw badFile(unknown.map((key) => ({ file: data.displayName, line: 1, column: key, reason: `the column map names "${key}", which is not in the header (${known})` })));
    }
    // a unit or cycle named explicitly displaces the guessed one
    for (const role of ['unit', 'cycle'] as const) {
      if (![...explicit].some((k) => roles[k] === role)) continue;
      roles.forEach((r, k) => {
        if (r === role && !explicit.has(k)) roles[k] = 'ignore';
      });
    }
    return { head, map: Object.fromEntries(headers.map((h, i) => [h, roles[i]!])), catalogue: req.catalogue ?? null, source: 'request' };
  }

  /** After a committed import: the dataset's catalogue, and the roles remembered for the header when the client chose them. */
  recorded(datasetId: string, columns: readonly ColumnInfo[], mapping: ImportMapping): void {
    const store = this.store.columnMappings();
    if (mapping.catalogue !== null) store.setDatasetCatalogue(datasetId, catalogueByColumnId(mapping.catalogue, columns));
    if (mapping.source === 'request' && mapping.head.format === 'csv' && mapping.map !== undefined) {
      store.remember(mapping.head.headers, mapping.map, mapping.catalogue);
    }
  }
}
