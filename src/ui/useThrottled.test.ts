import { describe, expect, it } from 'vitest';
import { throttleWait } from './useThrottled';

describe('throttleWait', () => {
  it('shows at once the first time and once the interval has passed, else waits for the rest of it', () => {
    expect(throttleWait(0, 1_000_000, 5000)).toBe(0);
    expect(throttleWait(1_000_000, 1_000_000, 5000)).toBe(5000);
    expect(throttleWait(1_000_000, 1_003_000, 5000)).toBe(2000);
    expect(throttleWait(1_000_000, 1_005_000, 5000)).toBe(0);
    expect(throttleWait(1_000_000, 1_009_000, 5000)).toBe(0);
  });
});
