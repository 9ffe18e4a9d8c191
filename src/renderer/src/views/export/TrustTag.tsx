import type { BundleEntry } from '../../../../shared/schemas';

const LABELS: Record<BundleEntry['trust']['verdict'], string> = {
  trusted: 'Trusted signer',
  'unknown-key': 'Unknown signer',
  unsigned: 'Unsigned',
  'bad-signature': 'Bad signature',
};

const CLASSES: Record<BundleEntry['trust']['verdict'], string> = {
  trusted: 'tag tag--signed',
  'unknown-key': 'tag tag--warning',
  unsigned: 'tag tag--muted',
  'bad-signature': 'tag tag--danger',
};

/**
 * What a bundle's signature proves against the keyring ("signed by trusted key …", "signed by an
 * unknown key …", "unsigned"), and whether the trust policy refuses the bundle.
 */
export function TrustTag(props: { entry: BundleEntry; testId?: string }) {
  const { trust, refused } = props.entry;
  const label =
    trust.verdict === 'trusted' && trust.keyName !== null ? `Signed: ${trust.keyName}` : LABELS[trust.verdict];
  return (
    <>
      <span
        className={CLASSES[trust.verdict]}
        title={trust.summary}
        data-testid={props.testId ?? 'bundle-trust'}
        data-verdict={trust.verdict}
      >
        {label}
      </span>
      {refused !== null && (
        <span className="tag tag--danger" title={refused} data-testid="bundle-refused">
          Refused by trust policy
        </span>
      )}
    </>
  );
}
