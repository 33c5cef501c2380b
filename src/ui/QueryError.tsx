/**
 * What the user sees when the library cannot be read: the reason and a Retry
 * button, in place of the data a view waits for (QueryFailed), in a banner
 * above any view whose queries failed (FailedQueries), or in place of a view
 * whose rendering threw (ViewGuard: dexie-react-hooks' useLiveQuery throws a
 * failed query into the render).
 */
import { Component, type ReactNode } from 'react';
import { reopenDb } from '../db/live';
import { describeFailure, useQueryErrors } from './queryErrors';

/** `title` says what failed ("Could not read the library"). */
export function QueryFailed({ title, reason, onRetry }: { title: string; reason: string; onRetry(): void }) {
  return (
    <div className="query-error" role="alert">
      {title}: {reason}{' '}
      <button className="small-btn" onClick={onRetry}>Retry</button>
    </div>
  );
}

export function FailedQueries() {
  const failed = useQueryErrors((s) => s.failed);
  if (!failed.size) return null;
  // One line per distinct failure: several views reading the same tables fail alike.
  const lines = new Map<string, { what: string; reason: string; retries: (() => void)[] }>();
  for (const f of failed.values()) {
    const key = `${f.what}\n${f.reason}`;
    const line = lines.get(key) ?? { what: f.what, reason: f.reason, retries: [] };
    line.retries.push(f.retry);
    lines.set(key, line);
  }
  return (
    <>
      {[...lines.entries()].map(([key, l]) => (
        <QueryFailed key={key} title={`Could not read ${l.what}`} reason={l.reason} onRetry={() => l.retries.forEach((r) => r())} />
      ))}
    </>
  );
}

export class ViewGuard extends Component<{ what: string; children: ReactNode }, { error?: unknown; attempt: number }> {
  override state: { error?: unknown; attempt: number } = { attempt: 0 };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  override componentDidCatch(error: unknown) {
    console.error(`${this.props.what} failed:`, error);
  }

  override render() {
    if (this.state.error === undefined) return <ViewAttempt key={this.state.attempt}>{this.props.children}</ViewAttempt>;
    return (
      <QueryFailed
        title={`${this.props.what[0].toUpperCase()}${this.props.what.slice(1)} failed`}
        reason={describeFailure(this.state.error)}
        onRetry={() => void reopenDb().catch(() => undefined).finally(() => this.setState((s) => ({ error: undefined, attempt: s.attempt + 1 })))}
      />
    );
  }
}

/** Keyed by attempt, so a retry mounts the view afresh (its queries start again). */
function ViewAttempt({ children }: { children: ReactNode }) {
  return <>{children}</>;
}
