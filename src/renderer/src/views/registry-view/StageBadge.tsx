import type { Stage } from '../../../../shared/registry';

/** A version's stage as a badge: Production stands out, Archived is muted. */
export function StageBadge(props: { stage: Stage }) {
  return (
    <span className={`stage-badge stage-badge--${props.stage.toLowerCase()}`} data-testid="registry-stage-badge">
      {props.stage}
    </span>
  );
}
