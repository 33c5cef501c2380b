/**
 * Keeps a failure in one part of the inspector (a plot, a panel) from taking
 * the page down: the part shows what went wrong and a button to try again.
 */
import { Component, type ReactNode } from 'react';

export class Guard extends Component<{ what: string; children: ReactNode }, { error?: Error }> {
  override state: { error?: Error } = {};

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error) {
    console.error(`inspector ${this.props.what}:`, error);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="guard" role="alert">
        The {this.props.what} failed: {this.state.error.message}{' '}
        <button className="small-btn" onClick={() => this.setState({ error: undefined })}>Try again</button>
      </div>
    );
  }
}
