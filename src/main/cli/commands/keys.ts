/** `prognos keys`: the keyring of trusted bundle signers and the trust policy of the store. */
import { readFileSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { PrognosError } from '../../../shared/errors';
import { shortFingerprint } from '../../core/export/signing';
import { ExperimentStore, type TrustPolicy, type TrustPolicySetting } from '../../core/store/store';
import { TRUST_POLICY_SETTINGS } from '../../core/store/keys';
import { resolveStoreDir } from '../../services/store-dir';
import { parseCommandArgs } from '../args';
import { table, type Output } from '../output';

export const KEYS_USAGE = 'Usage: prognos keys add FILE [--name N] | keys list | keys remove ID | keys policy [default|require-signed|allow-unsigned]';
const MAX_KEY_FILE = 16 * 1024;

export function policySentence(p: TrustPolicy): string {
  const why = p.setting === 'default' ? (p.keys > 0 ? 'default: the keyring holds a key' : 'default: the keyring is empty') : `set to ${p.setting}`;
  return p.requireSigned
    ? `Trust policy: only bundles signed by a trusted key are verified, imported and scored (${why}).`
    : `Trust policy: unsigned bundles and bundles signed by unknown keys are accepted, with their verdict shown (${why}).`;
}

function readKeyFile(file: string): string {
  const path = resolve(file);
  let size: number;
  try {
    const info = statSync(path);
    if (!info.isFile()) throw new PrognosError('INVALID_INPUT', `${file}: not a file`);
    size = info.size;
  } catch (e) {
    if (e instanceof PrognosError) throw e;
    throw new PrognosError('NOT_FOUND', `${file}: no such key file`);
  }
  if (size > MAX_KEY_FILE) throw new PrognosError('INVALID_INPUT', `${file}: ${size} bytes is too large for a PEM key (at most ${MAX_KEY_FILE})`);
  return readFileSync(path, 'utf8');
}

export function keysCommand(argv: string[], out: Output): Promise<number> {
  return Promise.resolve(keys(argv, out));
}

function keys(argv: string[], out: Output): number {
  const { values, positionals } = parseCommandArgs(argv, { name: { type: 'string' } });
  const [action, arg, extra] = positionals;
  if (extra !== undefined) throw new PrognosError('INVALID_INPUT', `Unexpected argument "${extra}". ${KEYS_USAGE}`);
  if (values.name !== undefined && action !== 'add') throw new PrognosError('INVALID_INPUT', `--name goes with keys add. ${KEYS_USAGE}`);
  const store = ExperimentStore.open(resolveStoreDir(values.store));
  try {
    switch (action) {
      case 'add': {
        if (arg === undefined) throw new PrognosError('INVALID_INPUT', `keys add needs a PEM file. ${KEYS_USAGE}`);
        const name = values.name ?? basename(arg, extname(arg));
        const added = store.addTrustedKey(readKeyFile(arg), name, arg);
        const policy = store.trustPolicy();
        out.result({ key: added.key, fromPrivateKey: added.fromPrivateKey, policy }, () =>
          [
            `Trusted key "${added.key.name}" added: ${shortFingerprint(added.key.keyId)} (SHA-256 ${added.key.keyId}).`,
            ...(added.fromPrivateKey ? [`${arg} holds a private key: only the public key derived from it was stored.`] : []),
            policySentence(policy),
          ].join('\n'),
        );
        return 0;
      }
      case 'list': {
        if (arg !== undefined) throw new PrognosError('INVALID_INPUT', `Unexpected argument "${arg}". ${KEYS_USAGE}`);
        const keys = store.trustedKeys();
        const policy = store.trustPolicy();
        out.result({ keys, policy }, () =>
          [
            keys.length === 0
              ? 'The keyring is empty.'
              : table(
                  keys.map((k) => [shortFingerprint(k.keyId), k.name, k.addedAt]),
                  ['id', 'name', 'added'],
                ),
            policySentence(policy),
          ].join('\n'),
        );
        return 0;
      }
      case 'remove': {
        if (arg === undefined) throw new PrognosError('INVALID_INPUT', `keys remove needs a key id (or a unique prefix of one). ${KEYS_USAGE}`);
        const key = store.removeTrustedKey(arg);
        const policy = store.trustPolicy();
        out.result({ removed: key, policy }, () =>
          [`Removed trusted key "${key.name}" (${shortFingerprint(key.keyId)}); bundles it signed are now "signed by an unknown key".`, policySentence(policy)].join('\n'),
        );
        return 0;
      }
      case 'policy': {
        let policy: TrustPolicy;
        if (arg === undefined) policy = store.trustPolicy();
        else {
          if (!(TRUST_POLICY_SETTINGS as readonly string[]).includes(arg)) {
            throw new PrognosError('INVALID_INPUT', `keys policy: "${arg}" is not one of ${TRUST_POLICY_SETTINGS.join(', ')}.`);
          }
          policy = store.setTrustPolicy(arg as TrustPolicySetting);
        }
        out.result(policy, () => policySentence(policy));
        return 0;
      }
      default:
        throw new PrognosError('INVALID_INPUT', action === undefined ? KEYS_USAGE : `Unknown keys action "${action}". ${KEYS_USAGE}`);
    }
  } finally {
    store.close();
  }
}
