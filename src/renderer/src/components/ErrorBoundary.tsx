import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** what failed, in the analyst's words ("the Datasets view") */
  where: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

/** Keeps a rendering fault inside one part of the screen and offers to try again. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(_error: Error, _info: ErrorInfo): void {
    // the fault is shown in place; nothing else to do here
  }

  private readonly reset = (): void => this.setState({ error: null });

  override render(): ReactNode {
    if (this.state.error === null) return this.props.children;
    return (
      <div className="error-message error-boundary" role="alert" data-testid="error-boundary">
        <div className="error-message__head">
          <strong>{`Something went wrong in ${this.props.where}.`}</strong>
        </div>
        <p className="error-message__text">{this.state.error.message}</p>
        <button type="button" className="button" onClick={this.reset}>
          Try again
        </button>
      </div>
    );
  }
}
