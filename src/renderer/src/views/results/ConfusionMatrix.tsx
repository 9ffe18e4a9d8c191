import { formatInteger } from '../../lib/format';
import type { Confusion } from '../../lib/threshold-metrics';

function share(part: number, whole: number): string {
  return whole === 0 ? '' : `${((100 * part) / whole).toFixed(1)} %`;
}

/** Rows: what happened (failure within W or not); columns: what the model said (flagged or not). */
export function ConfusionMatrix(props: { confusion: Confusion; title: string; note: string; testId: string }) {
  const { tp, fp, tn, fn } = props.confusion;
  const positives = tp + fn;
  const negatives = fp + tn;
  const cell = (key: 'tp' | 'fp' | 'tn' | 'fn', value: number, whole: number, good: boolean, meaning: string) => (
    <td
      className={good ? 'confusion__cell confusion__cell--good' : 'confusion__cell confusion__cell--bad'}
      title={meaning}
    >
      <span className="confusion__value" data-testid={`${props.testId}-${key}`}>
        {formatInteger(value)}
      </span>
      <span className="confusion__share">
        {key.toUpperCase()} {share(value, whole)}
      </span>
    </td>
  );
  return (
    <figure className="confusion" data-testid={props.testId}>
      <figcaption>
        <strong>{props.title}</strong> <span className="hint">{props.note}</span>
      </figcaption>
      <table>
        <thead>
          <tr>
            <td />
            <th scope="col">Flagged</th>
            <th scope="col">Not flagged</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row" title="RUL ≤ W">
              Fails within W
            </th>
            {cell('tp', tp, positives, true, 'True positives: failure rows flagged in time')}
            {cell('fn', fn, positives, false, 'False negatives: failure rows missed')}
          </tr>
          <tr>
            <th scope="row">Does not</th>
            {cell('fp', fp, negatives, false, 'False positives: healthy rows flagged (needless inspections)')}
            {cell('tn', tn, negatives, true, 'True negatives: healthy rows left alone')}
          </tr>
        </tbody>
      </table>
    </figure>
  );
}
