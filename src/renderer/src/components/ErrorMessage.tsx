import { formatIssue, type PrognosError } from '../../../shared/errors';
import { formatInteger } from '../lib/format';

const SHOWN_ISSUES = 20;

const CODE_TITLES: Record<PrognosError['code'], string> = {
  INVALID_INPUT: 'Invalid input',
  BAD_FILE: 'The file could not be read',
  NOT_FOUND: 'Not found',
  CANCELLED: 'Cancelled',
  CONFLICT: 'Not possible right now',
  FORBIDDEN: 'Access refused',
  INTERNAL: 'Something went wrong',
};

/** An inline error: a title, the message, and for bad files the list of problems found. */
export function ErrorMessage(props: { error: PrognosError; title?: string; onDismiss?: () => void; testId?: string }) {
  const { error } = props;
  const issues = error.details?.issues ?? [];
  const total = Math.max(error.details?.totalIssues ?? issues.length, issues.length);
  const shown = issues.slice(0, SHOWN_ISSUES);
  const more = total - shown.length;
  const title = props.title ?? CODE_TITLES[error.code];
  return (
    <div className="error-message" role="alert" data-testid={props.testId ?? 'error-message'} data-code={error.code}>
      <div className="error-message__head">
        <strong>{title}</strong>
        {props.onDismiss !== undefined && (
          <button type="button" className="button button--quiet button--small" onClick={props.onDismiss}>
            Dismiss
          </button>
        )}
      </div>
      {shown.length === 0 ? (
        <p className="error-message__text">{error.message}</p>
      ) : (
        <>
          <p className="error-message__text">
            {total === 1 ? '1 problem found:' : `${formatInteger(total)} problems found:`}
          </p>
          <ul className="error-message__issues" data-testid="error-issues">
            {shown.map((issue, i) => (
              <li key={i}>{formatIssue(issue)}</li>
            ))}
          </ul>
          {more > 0 && <p className="error-message__more">and {formatInteger(more)} more</p>}
        </>
      )}
    </div>
  );
}
