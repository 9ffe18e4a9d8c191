/** The file an import step names: a file, a folder or a pattern, and which one `pick` chooses. */
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSha256, resolveImportFile, resolveInputFile } from '../../../src/main/core/pipelines/inputs';

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'prognos-inputs-'));
  mkdirSync(join(dir, 'drop'));
  const at = (name: string, text: string, seconds: number): void => {
    writeFileSync(join(dir, 'drop', name), text);
    utimesSync(join(dir, 'drop', name), seconds, seconds);
  };
  at('train_a.txt', 'a', 3000);
  at('train_b.txt', 'b', 1000);
  at('train_c.csv', 'c', 2000);
  at('.hidden.txt', 'h', 9000);
  return dir;
}

describe('resolveImportFile', () => {
  const cli = (dir: string) => ({ dir, confined: false });

  it('a pattern matches names in its folder; pick chooses among several', () => {
    const dir = folder();
    expect(basename(resolveImportFile(cli(dir), 'drop/train_*.txt', 'newest', 'p'))).toBe('train_a.txt');
    expect(basename(resolveImportFile(cli(dir), 'drop/train_*.txt', 'last-by-name', 'p'))).toBe('train_b.txt');
    expect(basename(resolveImportFile(cli(dir), 'drop/train_?.csv', 'single', 'p'))).toBe('train_c.csv');
    expect(() => resolveImportFile(cli(dir), 'drop/train_*.txt', 'single', 'steps.import.path')).toThrow(
      /steps\.import\.path "drop\/train_\*\.txt": 2 files match \(train_a\.txt, train_b\.txt\); set "pick"/,
    );
  });

  it('a folder stands for its files, hidden ones left out', () => {
    const dir = folder();
    expect(basename(resolveImportFile(cli(dir), 'drop', 'newest', 'p'))).toBe('train_a.txt');
    expect(basename(resolveImportFile(cli(dir), 'drop', 'last-by-name', 'p'))).toBe('train_c.csv');
  });

  it('names what is missing, and refuses wildcards in folder names', () => {
    const dir = folder();
    expect(() => resolveImportFile(cli(dir), 'drop/none_*.txt', 'single', 'steps.import.path')).toThrow(/steps\.import\.path "drop\/none_\*\.txt": no file matches in /);
    expect(() => resolveImportFile(cli(dir), 'nowhere/x.txt', 'single', 'steps.import.path')).toThrow(/"nowhere\/x\.txt": no such file/);
    expect(() => resolveImportFile(cli(dir), 'dr*/x.txt', 'single', 'p')).toThrow(/only, not in a folder's name/);
    expect(() => resolveInputFile(cli(dir), 'drop', 'steps.evaluate.data')).toThrow(/steps\.evaluate\.data "drop": is not a regular file/);
  });

  it('the CLI may name an absolute path; the app may not', () => {
    const dir = folder();
    const file = join(dir, 'drop', 'train_b.txt');
    expect(resolveInputFile(cli(join(dir, 'drop')), file, 'p')).toBe(file);
    expect(() => resolveInputFile({ dir: join(dir, 'drop'), confined: true }, file, 'steps.report.data')).toThrow(/steps\.report\.data ".*": a pipeline run from the app reads files inside its pipeline files folder only/);
  });

  it('hashes a file’s bytes', async () => {
    const dir = folder();
    expect(await fileSha256(join(dir, 'drop', 'train_a.txt'))).toBe('ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb');
  });
});
