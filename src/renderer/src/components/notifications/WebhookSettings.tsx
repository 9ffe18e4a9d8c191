import { useCallback, useEffect, useState } from 'react';
import type { WebhookTestResult } from '../../../../shared/alerts';
import type { PrognosError } from '../../../../shared/errors';
import { useApi } from '../../api/context';
import { asPrognosError } from '../../lib/errors';
import { useAsync } from '../../lib/use-async';
import { ErrorMessage } from '../ErrorMessage';

/** The Slack-compatible webhook: off by default; a URL, on/off, and a test message. */
export function WebhookSettings() {
  const api = useApi();
  const load = useCallback(() => api.alertsWebhook({}), [api]);
  const [setting, reload] = useAsync(load);
  const [url, setUrl] = useState('');
  const [enabled, setEnabled] = useState(false);
  const [error, setError] = useState<PrognosError | null>(null);
  /** what the last save stored (shown until the next save), or null */
  const [saved, setSaved] = useState<{ enabled: boolean } | null>(null);
  const [test, setTest] = useState<WebhookTestResult | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (setting.status !== 'ok') return;
    setUrl(setting.value.url ?? '');
    setEnabled(setting.value.enabled);
  }, [setting]);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      await work();
    } catch (e) {
      setError(asPrognosError(e));
    } finally {
      setBusy(false);
    }
  };

  if (setting.status === 'loading') return <p className="muted">Loading the webhook setting…</p>;
  if (setting.status === 'error')
    return <ErrorMessage error={setting.error} title="The webhook setting could not be read" />;
  const trimmed = url.trim();
  return (
    <section className="webhook-settings" aria-label="Webhook" data-testid="webhook-settings">
      <p className="hint">
        Notifications can also be POSTed as Slack-compatible JSON (<code>{'{ "text", "blocks" }'}</code>) to an incoming
        webhook, retried up to 5 times with growing waits. Off by default; sites without outside network access leave it
        off. Nothing is sent while it is off, except a test message you ask for.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await api.alertsWebhook({ setting: { enabled, url: trimmed === '' ? null : trimmed } });
            // the message names what was stored, not the setting as last loaded (its reload may still be on its way)
            setSaved({ enabled });
            reload();
          });
        }}
      >
        <label className="field">
          <span className="field-label">Webhook URL (http or https)</span>
          <input
            className="input"
            type="url"
            value={url}
            placeholder="https://hooks.slack.com/services/…"
            onChange={(e) => setUrl(e.target.value)}
            data-testid="webhook-url"
          />
        </label>
        <label className="rule-form__check">
          <input
            type="checkbox"
            checked={enabled}
            onChange={(e) => setEnabled(e.target.checked)}
            data-testid="webhook-enabled"
          />
          Send notifications to this webhook
        </label>
        {error !== null && <ErrorMessage error={error} onDismiss={() => setError(null)} />}
        {saved !== null && (
          <p className="notice notice--success" data-testid="webhook-saved">
            Saved: the webhook is {saved.enabled ? 'on' : 'off'}.
          </p>
        )}
        {test !== null && (
          <p
            className={`notice ${test.delivered ? 'notice--success' : 'notice--warning'}`}
            data-testid="webhook-test-result"
          >
            {test.delivered
              ? `Test message delivered (HTTP ${test.attempt.status ?? ''}).`
              : `Test message not delivered: ${test.attempt.error ?? 'no answer'}.`}
          </p>
        )}
        <div className="form-actions">
          <button
            type="submit"
            className="button button--primary button--small"
            disabled={busy || (enabled && trimmed === '')}
            data-testid="webhook-save"
          >
            Save
          </button>
          <button
            type="button"
            className="button button--small"
            disabled={busy || trimmed === ''}
            onClick={() =>
              void run(async () => {
                setTest(null);
                setTest(await api.alertsTestWebhook({ url: trimmed }));
              })
            }
            data-testid="webhook-test"
          >
            Send a test message
          </button>
        </div>
      </form>
    </section>
  );
}
