/**
 * A folder given as a bundle: nothing is read before SHA256SUMS and manifest.json are found, then
 * only the files SHA256SUMS lists (and SIGNATURE). FIFOs stand in for files that must never be
 * opened: opening one for reading would block, which assertNoReader detects.
 */
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyBundle, verifyBundle } from '../../../src/main/core/export/bundle';
import { formatSums, sha256Hex } from '../../../src/main/core/export/checksums';
import { assertNoReader, makeFifo, makeTrap, OLD_ATIME } from '../../helpers/fifo';
import { tempDir } from '../../helpers/paths';

const MANIFEST = '{"format":"not checked here"}';

function folder(files: Record<string, string>, listed: Record<string, string> = files): string {
  const root = join(tempDir('prognos-folder-'), 'bundle');
  mkdirSync(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  writeFileSync(
    join(root, 'SHA256SUMS'),
    formatSums(Object.entries(listed).map(([path, text]) => ({ path, sha256: sha256Hex(Buffer.from(text)) }))),
  );
  return root;
}

describe('folder bundles are read by their checksum list only', () => {
  it('reports unlisted files and FIFOs by name from the listing, without opening them', async () => {
    const root = folder({ 'manifest.json': MANIFEST, 'model_card.md': '# card' });
    const fifo = makeFifo(join(root, 'extra.bin'));
    mkdirSync(join(root, 'models'));
    const trap = makeTrap(join(root, 'models', 'notes.txt'), 'private notes');
    const before = statSync(trap).atimeMs;
    const control = makeTrap(join(root, '..', 'control.txt'), 'x');

    const v = await verifyBundle(root);
    expect(v.ok).toBe(false);
    expect(v.problems).toContainEqual({
      file: 'extra.bin',
      reason: 'not a regular file (links and devices are not allowed in a bundle)',
    });
    expect(v.problems).toContainEqual({ file: 'models/notes.txt', reason: 'not listed in SHA256SUMS (not read)' });
    assertNoReader(fifo);
    readFileSync(control);
    if (statSync(control).atimeMs > OLD_ATIME.getTime()) expect(statSync(trap).atimeMs).toBe(before);
  });

  it('refuses a symlink to /etc/passwd listed with its true checksum, without following it', async () => {
    const passwd = readFileSync('/etc/passwd', 'utf8');
    const root = folder(
      { 'manifest.json': MANIFEST },
      { 'manifest.json': MANIFEST, 'model_card.md': passwd, 'models/gbdt.onnx': 'x' },
    );
    symlinkSync('/etc/passwd', join(root, 'model_card.md'));
    // and a linked folder whose target would hang if a file in it were opened
    const outside = tempDir('prognos-outside-');
    const fifo = makeFifo(join(outside, 'gbdt.onnx'));
    symlinkSync(outside, join(root, 'models'));

    const v = await verifyBundle(root);
    expect(v.ok).toBe(false);
    expect(v.problems).toContainEqual({
      file: 'model_card.md',
      reason: 'a symbolic link: links are not followed in a bundle',
    });
    expect(v.problems).toContainEqual({
      file: 'models/gbdt.onnx',
      reason: 'a symbolic link: links are not followed in a bundle',
    });
    expect(JSON.stringify(v.problems)).not.toContain(passwd.split('\n')[0]!);
    assertNoReader(fifo);
  });

  it('refuses ../ and absolute names in SHA256SUMS without touching what they name', async () => {
    const parent = tempDir('prognos-parent-');
    const fifo = makeFifo(join(parent, 'outside.txt'));
    const root = join(parent, 'bundle');
    mkdirSync(root);
    writeFileSync(join(root, 'manifest.json'), MANIFEST);
    const h = sha256Hex(Buffer.from('x'));
    writeFileSync(
      join(root, 'SHA256SUMS'),
      `${sha256Hex(Buffer.from(MANIFEST))}  manifest.json\n${h}  ../outside.txt\n${h}  ${fifo}\n${h}  models/../../outside.txt\n`,
    );

    const v = await verifyBundle(root);
    expect(v.ok).toBe(false);
    const sums = v.problems.filter((p) => p.file === 'SHA256SUMS').map((p) => p.reason);
    expect(sums).toEqual(['line 2 names an unsafe path', 'line 3 names an unsafe path', 'line 4 names an unsafe path']);
    assertNoReader(fifo);
  });

  it('reads nothing else when SHA256SUMS or manifest.json is missing or is not a regular file', async () => {
    const root = folder({ 'manifest.json': MANIFEST });
    const fifo = makeFifo(join(root, 'model_card.md'));
    const noSums = join(root, 'SHA256SUMS');
    const { rmSync } = await import('node:fs');
    rmSync(noSums);
    let v = await verifyBundle(root);
    expect(v.problems).toEqual([
      { file: 'SHA256SUMS', reason: 'missing: the bundle has no checksums, so nothing else in it was read' },
    ]);
    makeFifo(noSums);
    v = await verifyBundle(root);
    expect(v.problems).toEqual([
      { file: 'SHA256SUMS', reason: 'not a regular file (links and devices are not allowed in a bundle)' },
    ]);
    assertNoReader(noSums);
    assertNoReader(fifo);
  });

  it('copies only the listed files into the store, never what a link points to', async () => {
    const root = folder({ 'manifest.json': MANIFEST, 'model_card.md': '# card' });
    symlinkSync('/etc/passwd', join(root, 'passwd'));
    writeFileSync(join(root, 'unlisted.txt'), 'not copied');
    const dest = join(tempDir('prognos-copy-'), 'copy');
    await copyBundle(root, dest);
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(dest).sort()).toEqual(['SHA256SUMS', 'manifest.json', 'model_card.md']);
  });
});
