/**
 * 005 — the keyring of trusted bundle signers, and store settings.
 *
 * `trusted_keys` holds Ed25519 public keys (SPKI PEM) the site chose to trust; `key_id` is the
 * key's fingerprint, the SHA-256 of its SPKI DER in hex. Only a key of this table makes a bundle
 * "signed by a trusted key"; the key a bundle names in its own manifest never does.
 * `settings` holds store-wide choices as text. `trust_policy` is 'default' (require a trusted
 * signature once the keyring holds a key), 'require-signed' or 'allow-unsigned'.
 */
import type { Migration } from './types';

export const migration005: Migration = {
  version: 5,
  name: 'keyring',
  up(db) {
    db.exec(`
      CREATE TABLE trusted_keys (
        key_id         TEXT PRIMARY KEY CHECK (length(key_id) = 64),
        name           TEXT NOT NULL CHECK (length(name) > 0),
        public_key_pem TEXT NOT NULL,
        added_at       TEXT NOT NULL
      ) STRICT;
      CREATE INDEX trusted_keys_added ON trusted_keys (added_at);

      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
      INSERT INTO settings (key, value) VALUES ('trust_policy', 'default');
    `);
  },
};
