import type { SchemaIssue } from '../lib/json-schema';
import { describeIssue } from '../lib/train-config';

const SHOWN = 12;

/** Problems of a config document, each with the setting's path. */
export function IssueList(props: { issues: readonly SchemaIssue[]; syntax: string | null; testId: string }) {
  const { issues, syntax } = props;
  if (issues.length === 0 && syntax === null) {
    return (
      <p className="config-status config-status--ok" data-testid={`${props.testId}-ok`}>
        Valid configuration
      </p>
    );
  }
  const shown = issues.slice(0, SHOWN);
  return (
    <div className="config-status config-status--error" role="alert" data-testid={props.testId}>
      {syntax !== null && <p className="config-status__syntax">{syntax}</p>}
      {shown.length > 0 && (
        <ul className="config-status__list">
          {shown.map((issue, i) => (
            <li key={i}>{describeIssue(issue)}</li>
          ))}
        </ul>
      )}
      {issues.length > SHOWN && <p className="config-status__more">and {issues.length - SHOWN} more</p>}
    </div>
  );
}
