import { useCallback, useEffect, useState } from 'react';
import {
  CMAPSS_HEADERS,
  guessColumnRoles,
  headerKey,
  readFileHead,
  roleProblems,
  type FileHead,
  type ImportColumnRole,
} from '../../../../shared/column-roles';
import { CMAPSS_PRESET, type SensorCatalogue } from '../../../../shared/sensor-catalogue';
import type { ColumnMap } from '../../../../shared/schemas';
import { useApi } from '../../api/context';
import type { FormatChoice } from './use-dataset-job';

export interface SensorDraft {
  name: string;
  quantity: string;
  unit: string;
}

/** The mapping step's state for one file: its head, each column's role and catalogue entry. */
export interface MappingDraft {
  readonly file: File;
  readonly head: FileHead;
  readonly roles: readonly ImportColumnRole[];
  readonly sensors: readonly SensorDraft[];
  /** where the roles came from */
  readonly source: 'guessed' | 'remembered';
  /** C-MAPSS text: the analyst asked to edit its roles (otherwise its layout is used as it is) */
  readonly editing: boolean;
}

const HEAD_BYTES = 64 * 1024;
const PRESET = new Map(CMAPSS_PRESET.map((e) => [e.column, e]));

function cmapssLike(headers: readonly string[]): boolean {
  return headers.length === CMAPSS_HEADERS.length && headers.every((h, i) => headerKey(h) === CMAPSS_HEADERS[i] || /^(col(umn)?_?)?\d*$/i.test(h.trim()));
}

/** A column's entry before the analyst edits it: the C-MAPSS preset by position, else its header. */
function defaultSensors(headers: readonly string[]): SensorDraft[] {
  const preset = cmapssLike(headers);
  return headers.map((h, i) => {
    const p = preset ? PRESET.get(CMAPSS_HEADERS[i]!) : undefined;
    return p === undefined ? { name: h.trim() === '' ? `column ${i + 1}` : h.trim().slice(0, 60), quantity: '', unit: '' } : { name: p.name, quantity: p.quantity, unit: p.unit };
  });
}

/** Reads the chosen file's first rows, guesses roles and asks the store for roles remembered for its header. */
export function useColumnMapping(file: File | null, format: FormatChoice) {
  const api = useApi();
  const [draft, setDraft] = useState<MappingDraft | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setDraft(null);
    setError(null);
    if (file === null) return;
    let live = true;
    (async () => {
      const text = await file.slice(0, HEAD_BYTES).text();
      const cut = file.size > HEAD_BYTES ? text.slice(0, Math.max(0, text.lastIndexOf('\n'))) : text;
      const head = readFileHead(cut, 8, format === 'auto' ? undefined : format);
      if (head.headers.length === 0) return;
      let roles = guessColumnRoles(head.headers);
      let sensors = defaultSensors(head.headers);
      let source: MappingDraft['source'] = 'guessed';
      if (head.format === 'csv') {
        const { remembered } = await api.datasetsMapping({ headers: head.headers });
        if (remembered !== null) {
          roles = head.headers.map((h, i) => remembered.roles[h] ?? roles[i]!);
          const byHeader = new Map((remembered.catalogue ?? []).map((e) => [e.column, e]));
          sensors = head.headers.map((h, i) => {
            const e = byHeader.get(h);
            return e === undefined ? sensors[i]! : { name: e.name, quantity: e.quantity, unit: e.unit };
          });
          source = 'remembered';
        }
      }
      if (live) setDraft({ file, head, roles, sensors, source, editing: head.format === 'csv' });
    })().catch((e: unknown) => {
      if (live) setError(e instanceof Error ? e.message : String(e));
    });
    return () => {
      live = false;
    };
  }, [api, file, format]);

  const setRole = useCallback((i: number, role: ImportColumnRole) => {
    setDraft((d) => (d === null ? d : { ...d, roles: d.roles.map((r, k) => (k === i ? role : r)) }));
  }, []);
  const setSensor = useCallback((i: number, patch: Partial<SensorDraft>) => {
    setDraft((d) => (d === null ? d : { ...d, sensors: d.sensors.map((s, k) => (k === i ? { ...s, ...patch } : s)) }));
  }, []);
  const setEditing = useCallback((editing: boolean) => {
    setDraft((d) => (d === null ? d : { ...d, editing }));
  }, []);

  return { draft, error, setRole, setSensor, setEditing };
}

/** Why the draft cannot be imported (empty when it can). */
export function draftProblems(d: MappingDraft): string[] {
  const problems = roleProblems(d.head.headers, d.roles);
  if (d.head.format === 'cmapss') {
    d.roles.forEach((r, i) => {
      const fixed = i === 0 ? 'unit' : i === 1 ? 'cycle' : null;
      if (fixed !== null && r !== fixed) problems.push(`in C-MAPSS text column ${i + 1} is always the ${fixed}`);
      if (fixed === null && (r === 'unit' || r === 'cycle')) problems.push(`in C-MAPSS text ${d.head.headers[i]} cannot be the ${r}`);
    });
  }
  const names = new Map<string, string>();
  d.roles.forEach((r, i) => {
    if (r !== 'setting' && r !== 'sensor') return;
    const name = d.sensors[i]!.name.trim();
    const header = d.head.headers[i]!;
    if (name === '') problems.push(`${header} has no display name`);
    const other = names.get(name.toLowerCase());
    if (other !== undefined && name !== '') problems.push(`${other} and ${header} are both named "${name}"`);
    names.set(name.toLowerCase(), header);
  });
  return [...new Set(problems)];
}

/** What the import request carries: every column's role and the catalogue by header (none when the step is not used). */
export function draftRequest(d: MappingDraft | null): { map?: ColumnMap; catalogue?: SensorCatalogue } {
  if (d === null || !d.editing) return {};
  const map: ColumnMap = Object.fromEntries(d.head.headers.map((h, i) => [h, d.roles[i]!]));
  const catalogue: SensorCatalogue = d.head.headers.flatMap((h, i) => {
    const r = d.roles[i];
    if (r !== 'setting' && r !== 'sensor') return [];
    const s = d.sensors[i]!;
    return [{ column: h, name: s.name.trim().slice(0, 60), quantity: s.quantity.trim().slice(0, 120), unit: s.unit.trim().slice(0, 24) }];
  });
  return { map, catalogue };
}
