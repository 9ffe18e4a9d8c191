// @ts-check
/**
 * End-to-end: the Keys section of the Export view. The shipped demo bundle is "Unsigned" and accepted
 * while the keyring is empty; adding a pasted public key turns the policy on and the demo is marked
 * refused, with the reason; a private key read from a .pem file is stored as its public key only;
 * removing keys and the policy toggle change what the library shows.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExportPage } from './pages/export-page.mjs';
import { KeysPage } from './pages/keys-page.mjs';

/** @typedef {import('./run.mjs').E2eContext} E2eContext */

function pair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    /** SHA-256 of the SPKI DER, as the keyring names keys */
    fingerprint: createHash('sha256')
      .update(publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex'),
  };
}

/** @type {Array<{ name: string, run: (ctx: E2eContext) => Promise<void> }>} */
export const tests = [
  {
    name: 'keys: the demo bundle is unsigned and accepted while the keyring is empty',
    async run(ctx) {
      await ctx.page.goto(ctx.url);
      await new ExportPage(ctx.page).open();
      const keys = new KeysPage(ctx.page);
      await keys.ready();
      assert.deepEqual(await keys.keys(), []);
      assert.equal(await keys.requireSigned(), false);
      const demo = await keys.bundleTrust('shipped');
      assert.equal(demo.verdict, 'unsigned');
      assert.equal(demo.label, 'Unsigned');
      assert.equal(demo.refused, null);
    },
  },
  {
    name: 'keys: a pasted public key turns the policy on and the demo bundle is refused, with the reason',
    async run(ctx) {
      const keys = new KeysPage(ctx.page);
      const release = pair();
      const r = await keys.addPasted('release', release.publicPem);
      assert.equal(r.kind, 'added', r.text);
      assert.match(r.text, new RegExp(`Added "release" \\(${release.fingerprint.slice(0, 16)}\\)`));
      await keys.waitForKeyCount(1);
      assert.deepEqual(await keys.keys(), [{ name: 'release', id: release.fingerprint }]);
      await keys.waitForRequireSigned(true);
      await keys.waitForRefused('shipped', true);
      const demo = await keys.bundleTrust('shipped');
      assert.equal(demo.verdict, 'unsigned');
      assert.equal(demo.refused, 'not signed by a trusted key (unsigned); the trust policy requires one');
      // the same key again is refused, naming the existing entry
      const again = await keys.addPasted('copy', release.publicPem);
      assert.equal(again.kind, 'error');
      assert.match(again.text, /in the keyring already, as "release"/);
      await ctx.screenshot('keys-policy-on.png');
    },
  },
  {
    name: 'keys: a private key read from a .pem file is stored as its public key only; remove and the policy toggle',
    async run(ctx) {
      const keys = new KeysPage(ctx.page);
      const ops = pair();
      const file = join(ctx.tmpDir, 'ops.key.pem');
      await writeFile(file, ops.privatePem);
      const r = await keys.addFile('ops', file);
      assert.equal(r.kind, 'added', r.text);
      assert.match(r.text, /only the public key derived from it was stored/);
      await keys.waitForKeyCount(2);
      assert.deepEqual((await keys.keys()).map((k) => k.name).sort(), ['ops', 'release']);

      await keys.remove('release');
      await keys.waitForKeyCount(1);
      assert.deepEqual(
        (await keys.keys()).map((k) => k.id),
        [ops.fingerprint],
      );

      await keys.setPolicy('allow-unsigned');
      await keys.waitForRequireSigned(false);
      await keys.waitForRefused('shipped', false);
      await keys.setPolicy('default');
      await keys.waitForRequireSigned(true);
      await keys.waitForRefused('shipped', true);
    },
  },
];
