import type { JobStatus } from '../api/job-tracker';
import type { TrackedPhase } from '../state/use-tracked-job';
import { ProgressBar } from './ProgressBar';

/** Progress of a running job with its Cancel button; nothing when idle. */
export function JobControl<I>(props: {
  phase: TrackedPhase<I>;
  status: JobStatus | undefined;
  onCancel: () => void;
  testId: string;
}) {
  const { phase, status } = props;
  if (phase.kind === 'idle') return null;
  const message =
    phase.kind === 'starting'
      ? `${phase.label}: starting…`
      : status?.message !== undefined && status.message !== ''
        ? status.message
        : `${phase.label}…`;
  return (
    <div className="job-progress" data-testid={props.testId}>
      <ProgressBar
        fraction={phase.kind === 'running' && status !== undefined ? status.fraction : undefined}
        label={phase.label}
        message={message}
        testId={`${props.testId}-bar`}
      />
      <button
        type="button"
        className="button button--small"
        onClick={props.onCancel}
        data-testid={`${props.testId}-cancel`}
      >
        Cancel
      </button>
    </div>
  );
}
