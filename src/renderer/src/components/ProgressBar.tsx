import { formatPercent } from '../lib/format';

/** A labelled progress bar; `fraction` undefined shows an indeterminate bar. */
export function ProgressBar(props: { fraction: number | undefined; label: string; message: string; testId?: string }) {
  const pct = props.fraction === undefined ? undefined : Math.round(Math.min(1, Math.max(0, props.fraction)) * 100);
  return (
    <div className="progress" data-testid={props.testId ?? 'progress'}>
      <div className="progress__row">
        <span className="progress__message" data-testid={`${props.testId ?? 'progress'}-message`} title={props.message}>
          {props.message}
        </span>
        <span className="progress__pct">{props.fraction === undefined ? '' : formatPercent(props.fraction)}</span>
      </div>
      <div
        className={pct === undefined ? 'progress__track progress__track--indeterminate' : 'progress__track'}
        role="progressbar"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
      >
        <div className="progress__fill" style={pct === undefined ? undefined : { width: `${pct}%` }} />
      </div>
    </div>
  );
}
