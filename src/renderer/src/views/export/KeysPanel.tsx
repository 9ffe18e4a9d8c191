import { useCallback, useId, useState, type ChangeEvent, type FormEvent } from 'react';
import { PrognosError } from '../../../../shared/errors';
import type { TrustPolicyValue, TrustedKeyValue } from '../../../../shared/schemas';
import { useApi } from '../../api/context';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorMessage } from '../../components/ErrorMessage';
import { Segmented } from '../../components/Segmented';
import { asPrognosError } from '../../lib/errors';
import { formatShortDate } from '../../lib/format';
import { useAsync } from '../../lib/use-async';

type Setting = TrustPolicyValue['setting'];
const MAX_PEM_BYTES = 16_384;

const POLICY_OPTIONS: readonly { value: Setting; label: string; title: string }[] = [
  { value: 'default', label: 'Default', title: 'Require a trusted signature once the keyring holds a key' },
  {
    value: 'require-signed',
    label: 'Require trusted',
    title: 'Only bundles signed by a key of the keyring are imported and scored',
  },
  {
    value: 'allow-unsigned',
    label: 'Allow unsigned',
    title: 'Unsigned bundles and unknown signers are accepted, with their verdict shown',
  },
];

function policyText(p: TrustPolicyValue): string {
  return p.requireSigned
    ? 'In force: only bundles signed by a key of this keyring are imported and scored.'
    : 'Not in force: unsigned bundles and unknown signers are accepted, with their verdict shown.';
}

/** The keyring of trusted bundle signers (Ed25519 public keys) and the trust policy. */
export function KeysPanel(props: { onChanged: () => void }) {
  const api = useApi();
  const id = useId();
  const load = useCallback(() => api.keysList({}), [api]);
  const [state, reload, last] = useAsync(load);
  const [name, setName] = useState('');
  const [pem, setPem] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PrognosError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [removing, setRemoving] = useState<TrustedKeyValue | null>(null);

  const { onChanged } = props;
  const changed = useCallback(() => {
    reload();
    onChanged();
  }, [reload, onChanged]);

  const act = useCallback(
    async (what: () => Promise<string | null>) => {
      setBusy(true);
      setError(null);
      setNotice(null);
      try {
        setNotice(await what());
        changed();
      } catch (e) {
        setError(asPrognosError(e));
      } finally {
        setBusy(false);
      }
    },
    [changed],
  );

  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (file === undefined) return;
    if (file.size > MAX_PEM_BYTES) {
      setNotice(null);
      setError(
        new PrognosError(
          'INVALID_INPUT',
          `${file.name}: ${file.size} bytes is too large for a PEM key (at most ${MAX_PEM_BYTES})`,
        ),
      );
      return;
    }
    void file.text().then((text) => {
      setPem(text);
      if (name.trim() === '') setName(file.name.replace(/\.(pem|pub|key)$/i, ''));
    });
  };

  const onAdd = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      const r = await api.keysAdd({ pem, name });
      setPem('');
      setName('');
      return `Added "${r.key.name}" (${r.key.keyId.slice(0, 16)}).${r.fromPrivateKey ? ' That was a private key: only the public key derived from it was stored.' : ''}`;
    });
  };

  const data = last;
  const policy = data?.policy;
  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="keys-panel">
      <h2 className="panel__title" id={`${id}-title`}>
        Trusted keys
        {data !== undefined && (
          <span className="panel__count" data-testid="keys-count">
            {data.keys.length}
          </span>
        )}
      </h2>
      <p className="hint">
        Only a key listed here vouches for a bundle. The public key a bundle names in its own manifest never does.
      </p>
      {state.status === 'error' && (
        <ErrorMessage error={state.error} title="The keyring could not be read" testId="keys-error" />
      )}
      {data !== undefined && data.keys.length === 0 && (
        <p className="empty" data-testid="keys-empty">
          No trusted keys.
        </p>
      )}
      {data !== undefined && data.keys.length > 0 && (
        <ul className="bundle-list" data-testid="keys-list">
          {data.keys.map((k) => (
            <li key={k.keyId} className="bundle-item" data-testid="key-row" data-key-id={k.keyId}>
              <span className="bundle-item__select">
                <span className="bundle-item__line">
                  <span className="bundle-item__name" data-testid="key-name">
                    {k.name}
                  </span>
                </span>
                <span className="bundle-item__meta">
                  <span className="mono" title={`SHA-256 of the public key: ${k.keyId}`} data-testid="key-id">
                    {k.keyId.slice(0, 16)}
                  </span>
                  <span>added {formatShortDate(k.addedAt)}</span>
                </span>
              </span>
              <div className="bundle-item__side">
                <button
                  type="button"
                  className="button button--quiet button--small"
                  disabled={busy}
                  onClick={() => setRemoving(k)}
                  aria-label={`Remove ${k.name}`}
                  data-testid="key-remove"
                >
                  Remove
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <form className="stack-s" onSubmit={onAdd} data-testid="key-add-form">
        <label className="field">
          <span className="field-label">Name</span>
          <input
            className="input"
            value={name}
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
            data-testid="key-add-name"
          />
        </label>
        <label className="field">
          <span className="field-label">Ed25519 public key (PEM)</span>
          <textarea
            className="input mono keys-pem"
            rows={4}
            value={pem}
            spellCheck={false}
            placeholder="-----BEGIN PUBLIC KEY-----"
            onChange={(e) => setPem(e.target.value)}
            data-testid="key-add-pem"
          />
        </label>
        <div className="form-actions">
          <label className="button button--small" htmlFor={`${id}-file`}>
            Read a .pem file…
          </label>
          <input
            id={`${id}-file`}
            className="visually-hidden"
            type="file"
            accept=".pem,.pub,.key,text/plain"
            onChange={onFile}
            data-testid="key-add-file"
          />
          <button
            type="submit"
            className="button button--small button--primary"
            disabled={busy || pem.trim() === '' || name.trim() === ''}
            data-testid="key-add-submit"
          >
            Add key
          </button>
        </div>
      </form>
      {policy !== undefined && (
        <div className="stack-s">
          <Segmented
            legend="Trust policy"
            options={POLICY_OPTIONS}
            value={policy.setting}
            onChange={(setting) =>
              void act(async () => {
                await api.keysPolicy({ setting });
                return null;
              })
            }
            testId="keys-policy"
          />
          <p className="hint" data-testid="keys-policy-state" data-require-signed={policy.requireSigned}>
            {policyText(policy)}
          </p>
        </div>
      )}
      {notice !== null && (
        <p className="notice notice--success" role="status" data-testid="keys-notice">
          {notice}
        </p>
      )}
      {error !== null && (
        <ErrorMessage
          error={error}
          title="The keyring was not changed"
          onDismiss={() => setError(null)}
          testId="keys-action-error"
        />
      )}
      <ConfirmDialog
        open={removing !== null}
        title="Remove trusted key"
        confirmLabel="Remove"
        danger
        busy={busy}
        onCancel={() => setRemoving(null)}
        onConfirm={() => {
          const k = removing;
          setRemoving(null);
          if (k !== null) {
            void act(async () => {
              await api.keysRemove({ keyId: k.keyId });
              return `Removed "${k.name}". Bundles it signed are now "signed by an unknown key".`;
            });
          }
        }}
      >
        {removing !== null && (
          <p>
            Bundles signed by “{removing.name}” ({removing.keyId.slice(0, 16)}) will no longer count as trusted.
          </p>
        )}
      </ConfirmDialog>
    </section>
  );
}
