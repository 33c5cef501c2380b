/** A question to the worker that is asked again when its inputs change; answers to older questions are dropped. */
import { useEffect, useRef, useState } from 'react';

export interface Answer<T> {
  value?: T;
  error?: string;
  busy: boolean;
}

export function useAsk<T>(ask: (() => Promise<T>) | undefined, key: string): Answer<T> {
  const [answer, setAnswer] = useState<Answer<T>>({ busy: false });
  const ticket = useRef(0);
  useEffect(() => {
    const t = ++ticket.current;
    if (!ask) {
      setAnswer({ busy: false });
      return;
    }
    setAnswer((a) => ({ ...a, busy: true }));
    ask().then(
      (value) => { if (t === ticket.current) setAnswer({ value, busy: false }); },
      (err: unknown) => { if (t === ticket.current) setAnswer({ error: err instanceof Error ? err.message : String(err), busy: false }); },
    );
  }, [key]); // eslint-disable-line react-hooks/exhaustive-deps
  return answer;
}
