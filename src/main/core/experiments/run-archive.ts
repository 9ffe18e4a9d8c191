/**
 * A run in one archive, to hand it from one store to another (`prognos runs export R --out FILE`,
 * `prognos runs import FILE`). A ZIP holding:
 *
 * - `run.json`: format, the run record (config, metrics summary, status, seed, timings, notes, tags),
 *   its experiment's name, notes and tags, the lineage (dataset id, name, role, fingerprint and the
 *   feature spec and selected features), parameters, every metric point, the registered models, and
 *   each artifact's name, kind, size, SHA-256 and entry;
 * - `artifacts/NNN.bin`: each artifact's bytes (models, feature state, outcome);
 * - `SHA256SUMS`: the SHA-256 of every other entry.
 *
 * Reading trusts nothing: the ZIP reader refuses unsafe names (absolute, `..`, backslashes), duplicate
 * and overlapping entries, symbolic links and special files, encryption, and entries larger than the
 * limits or than deflate can produce (an entry that inflates past its recorded size is stopped);
 * then the entries must be exactly those SHA256SUMS lists, each with its SHA-256, and run.json must
 * match its schema and the artifacts' recorded digests.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { z } from 'zod';
import { PrognosError } from '../../../shared/errors';
import { formatSums, parseSums, sha256Hex, SUMS_FILE } from '../export/checksums';
import { writeZip, ZipError, ZipFileReader, type ZipEntry } from '../export/zip';
import type { RunSnapshot } from '../store/run-transfer';

export const RUN_ARCHIVE_FORMAT = 'prognos-run';
export const RUN_ARCHIVE_VERSION = 1;
const RUN_FILE = 'run.json';

/** Limits of an archive being read: entries, one entry's bytes, all entries' bytes. */
export const RUN_ARCHIVE_LIMITS = { maxEntries: 1000, maxEntryBytes: 256 * 1024 * 1024, maxTotalBytes: 512 * 1024 * 1024 } as const;

const sha = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in hex');
const iso = z.string().min(1).max(64);
const shortText = z.string().max(200);

const lineageSchema = z.object({
  datasetId: z.string().min(1).max(200),
  datasetName: shortText.nullable(),
  datasetRole: z.string().max(50).nullable(),
  datasetFingerprint: z.string().min(1).max(200),
  featureSpec: z.unknown(),
  selected: z.array(z.string().max(500)).max(5000),
});
export type RunLineage = z.infer<typeof lineageSchema>;

const runFileSchema = z
  .object({
    format: z.literal(RUN_ARCHIVE_FORMAT),
    formatVersion: z.literal(RUN_ARCHIVE_VERSION),
    createdAt: iso,
    appVersion: shortText,
    run: z.object({
      runId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'letters, digits, _ and -'),
      kind: shortText.min(1),
      status: z.enum(['done', 'failed', 'cancelled']),
      config: z.unknown(),
      seed: z.number().int(),
      datasetId: z.string().min(1).max(200),
      datasetFingerprint: z.string().min(1).max(200),
      backend: shortText.nullable(),
      error: z.string().max(100_000).nullable(),
      result: z.unknown(),
      createdAt: iso,
      finishedAt: iso.nullable(),
      name: z.string().trim().min(1).max(200).nullable(),
      notes: z.string().max(20_000),
      tags: z.array(z.string().trim().min(1).max(50)).max(50),
    }),
    experiment: z.object({ name: z.string().trim().min(1).max(200), notes: z.string().max(20_000), tags: z.array(z.string().trim().min(1).max(50)).max(50) }).nullable(),
    lineage: lineageSchema,
    params: z.record(z.string().min(1).max(500), z.union([z.string(), z.number(), z.boolean()])),
    metrics: z
      .array(z.object({ key: z.string().min(1).max(500), step: z.number().int().nullable(), value: z.number().nullable(), loggedAt: iso }))
      .max(5_000_000),
    models: z.array(z.object({ kind: shortText.min(1), artifactName: z.string().min(1).max(500), meta: z.unknown(), createdAt: iso })).max(100),
    artifacts: z
      .array(
        z.object({
          name: z.string().min(1).max(500),
          kind: shortText.min(1),
          mediaType: shortText.nullable(),
          size: z.number().int().min(0),
          sha256: sha,
          createdAt: iso,
          entry: z.string().regex(/^artifacts\/\d{3,6}\.bin$/, 'artifacts/NNN.bin'),
        }),
      )
      .max(500),
  })
  .strict();
export type RunFile = z.infer<typeof runFileSchema>;

export interface ArchiveInput {
  snapshot: RunSnapshot;
  experiment: { name: string; notes: string; tags: string[] } | null;
  lineage: RunLineage;
  appVersion: string;
  createdAt?: Date;
}

/** The archive's bytes. */
export function writeRunArchive(a: ArchiveInput): Uint8Array {
  const s = a.snapshot;
  const entries: ZipEntry[] = s.artifacts.map((art, i) => ({ name: `artifacts/${String(i).padStart(3, '0')}.bin`, data: art.data }));
  const runFile: RunFile = {
    format: RUN_ARCHIVE_FORMAT,
    formatVersion: RUN_ARCHIVE_VERSION,
    createdAt: (a.createdAt ?? new Date()).toISOString(),
    appVersion: a.appVersion,
    run: { ...s.run, status: s.run.status as RunFile['run']['status'] },
    experiment: a.experiment,
    lineage: a.lineage,
    params: s.params as RunFile['params'],
    metrics: s.metrics,
    models: s.models,
    artifacts: s.artifacts.map((art, i) => ({ name: art.name, kind: art.kind, mediaType: art.mediaType, size: art.size, sha256: art.sha256, createdAt: art.createdAt, entry: entries[i]!.name })),
  };
  entries.unshift({ name: RUN_FILE, data: new TextEncoder().encode(`${JSON.stringify(runFile, null, 1)}\n`) });
  const sums = formatSums(entries.map((e) => ({ path: e.name, sha256: sha256Hex(e.data) })));
  entries.push({ name: SUMS_FILE, data: new TextEncoder().encode(sums) });
  return writeZip(entries, a.createdAt ?? new Date());
}

export interface ReadArchive {
  runFile: RunFile;
  snapshot: RunSnapshot;
  /** SHA-256 of the whole archive file */
  archiveSha256: string;
}

function refuse(file: string, reason: string): PrognosError {
  return new PrognosError('BAD_FILE', `${file}: ${reason}`, { issues: [{ file, reason }] });
}

/** Reads and checks an archive (BAD_FILE naming the file and the reason when anything is wrong). */
export async function readRunArchive(path: string, displayName: string = path): Promise<ReadArchive> {
  let zip: ZipFileReader;
  try {
    zip = await ZipFileReader.open(path, RUN_ARCHIVE_LIMITS);
  } catch (e) {
    if (e instanceof ZipError) throw refuse(displayName, e.message);
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new PrognosError('NOT_FOUND', `${displayName}: no such file`);
    throw e;
  }
  try {
    const read = async (name: string): Promise<Uint8Array> => {
      try {
        const r = await zip.read(name, { keep: true });
        return r.data!;
      } catch (e) {
        if (e instanceof ZipError) throw refuse(displayName, e.message);
        throw e;
      }
    };
    if (!zip.entries.has(SUMS_FILE)) throw refuse(displayName, `not a run archive: no ${SUMS_FILE}`);
    const sums = parseSums(new TextDecoder('utf-8', { fatal: false }).decode(await read(SUMS_FILE)));
    if (sums.problems.length > 0) throw refuse(displayName, `${SUMS_FILE}: ${sums.problems[0]}`);
    const listed = new Map(sums.entries.map((e) => [e.path, e.sha256]));
    for (const name of zip.entries.keys()) {
      if (name.endsWith('/')) continue;
      if (name !== SUMS_FILE && !listed.has(name)) throw refuse(displayName, `entry ${name} is not listed in ${SUMS_FILE}`);
    }
    const data = new Map<string, Uint8Array>();
    for (const [name, expected] of listed) {
      if (!zip.entries.has(name)) throw refuse(displayName, `${SUMS_FILE} lists ${name}, which the archive does not hold`);
      const bytes = await read(name);
      const actual = sha256Hex(bytes);
      if (actual !== expected) throw refuse(displayName, `entry ${name} was altered: its SHA-256 is ${actual}, ${SUMS_FILE} says ${expected}`);
      data.set(name, bytes);
    }
    const runBytes = data.get(RUN_FILE);
    if (runBytes === undefined) throw refuse(displayName, `not a run archive: no ${RUN_FILE}`);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(runBytes));
    } catch (e) {
      throw refuse(displayName, `${RUN_FILE} is not JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    const parsed = runFileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw refuse(displayName, `${RUN_FILE}: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
    }
    const runFile = parsed.data;
    const names = new Set<string>();
    const entriesUsed = new Set<string>();
    const artifacts = runFile.artifacts.map((a) => {
      if (names.has(a.name)) throw refuse(displayName, `${RUN_FILE} lists artifact "${a.name}" twice`);
      names.add(a.name);
      if (entriesUsed.has(a.entry)) throw refuse(displayName, `${RUN_FILE} points two artifacts at ${a.entry}`);
      entriesUsed.add(a.entry);
      const bytes = data.get(a.entry);
      if (bytes === undefined) throw refuse(displayName, `artifact "${a.name}": entry ${a.entry} is not in the archive`);
      if (bytes.byteLength !== a.size || sha256Hex(bytes) !== a.sha256) throw refuse(displayName, `artifact "${a.name}" (${a.entry}) does not match the size and SHA-256 recorded in ${RUN_FILE}`);
      return { name: a.name, kind: a.kind, mediaType: a.mediaType, size: a.size, sha256: a.sha256, createdAt: a.createdAt, data: bytes };
    });
    for (const name of data.keys()) {
      if (name !== RUN_FILE && !entriesUsed.has(name)) throw refuse(displayName, `entry ${name} belongs to no artifact`);
    }
    for (const m of runFile.models) if (!names.has(m.artifactName)) throw refuse(displayName, `model "${m.kind}" names artifact "${m.artifactName}", which the archive does not hold`);
    return {
      runFile,
      snapshot: { run: runFile.run, params: runFile.params, metrics: runFile.metrics, artifacts, models: runFile.models },
      archiveSha256: await fileSha256(path),
    };
  } finally {
    await zip.close();
  }
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
