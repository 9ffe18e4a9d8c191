/**
 * Column roles remembered per header signature, and each dataset's sensor catalogue (migration 011).
 * Every write is one statement.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { PrognosError } from '../../../shared/errors';
import { rolesByHeaderSchema, type ImportColumnRole, type RememberedMapping } from '../../../shared/column-roles';
import { sensorCatalogueSchema, type SensorCatalogue } from '../../../shared/sensor-catalogue';

/** SHA-256 (hex) of a header's names in order, each trimmed: what a remembered mapping is keyed by. */
export function headerSignature(headers: readonly string[]): string {
  return createHash('sha256')
    .update(JSON.stringify(headers.map((h) => h.trim())))
    .digest('hex');
}

interface MappingRow {
  signature: string;
  headers_json: string;
  roles_json: string;
  catalogue_json: string | null;
  updated_at: string;
}

export class ColumnMappingStore {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  /** The mapping remembered for this header, if any (a stored row that no longer parses is ignored). */
  mappingFor(headers: readonly string[]): RememberedMapping | undefined {
    const signature = headerSignature(headers);
    const row = this.db.prepare<[string], MappingRow>('SELECT * FROM column_mappings WHERE signature = ?').get(signature);
    if (row === undefined) return undefined;
    const roles = rolesByHeaderSchema.safeParse(JSON.parse(row.roles_json));
    const catalogue = row.catalogue_json === null ? null : sensorCatalogueSchema.safeParse(JSON.parse(row.catalogue_json));
    if (!roles.success || (catalogue !== null && !catalogue.success)) return undefined;
    return {
      signature,
      headers: JSON.parse(row.headers_json) as string[],
      roles: roles.data,
      catalogue: catalogue === null ? null : (catalogue.data ?? null),
      updatedAt: row.updated_at,
    };
  }

  /** Remembers (or replaces) the roles of every column of this header, with its catalogue. */
  remember(headers: readonly string[], roles: Readonly<Record<string, ImportColumnRole>>, catalogue: SensorCatalogue | null): string {
    const signature = headerSignature(headers);
    const full: Record<string, ImportColumnRole> = {};
    for (const h of headers) {
      const r = roles[h];
      if (r === undefined) throw new PrognosError('INVALID_INPUT', `the mapping gives no role to column "${h}"`);
      full[h] = r;
    }
    this.db
      .prepare<[string, string, string, string | null, string]>(
        `INSERT INTO column_mappings (signature, headers_json, roles_json, catalogue_json, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (signature) DO UPDATE SET headers_json = excluded.headers_json, roles_json = excluded.roles_json,
           catalogue_json = excluded.catalogue_json, updated_at = excluded.updated_at`,
      )
      .run(signature, JSON.stringify(headers), JSON.stringify(full), catalogue === null ? null : JSON.stringify(catalogue), this.now());
    return signature;
  }

  /** The catalogue stored for a dataset, or null when it has none (it shows the default). */
  datasetCatalogue(datasetId: string): SensorCatalogue | null {
    const row = this.db.prepare<[string], { catalogue_json: string }>('SELECT catalogue_json FROM dataset_sensors WHERE dataset_id = ?').get(datasetId);
    if (row === undefined) return null;
    const parsed = sensorCatalogueSchema.safeParse(JSON.parse(row.catalogue_json));
    return parsed.success ? parsed.data : null;
  }

  setDatasetCatalogue(datasetId: string, catalogue: SensorCatalogue): void {
    const parsed = sensorCatalogueSchema.parse(catalogue);
    this.db
      .prepare<[string, string, string]>(
        `INSERT INTO dataset_sensors (dataset_id, catalogue_json, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (dataset_id) DO UPDATE SET catalogue_json = excluded.catalogue_json, updated_at = excluded.updated_at`,
      )
      .run(datasetId, JSON.stringify(parsed), this.now());
  }
}
