/**
 * Calibrations loaded for earlier runs, kept while they fit a byte budget:
 * every science frame of a night uses the same master bias and flat, and
 * reading them once per worker instead of once per frame saves most of a
 * reduce run's reading. Least recently used goes first.
 */
import { frameBytes, loadFrame, type AstroFrame } from './astroFrame';
import type { PixelStore } from './store';

export class CalibrationCache {
  private frames = new Map<string, AstroFrame>();
  private bytes = 0;

  constructor(private readonly budgetBytes: number) {}

  async get(store: PixelStore, id: string): Promise<AstroFrame> {
    const hit = this.frames.get(id);
    if (hit) {
      this.frames.delete(id);
      this.frames.set(id, hit);
      return hit;
    }
    const frame = await loadFrame(store, await store.open(id));
    const size = frameBytes(frame);
    if (size <= this.budgetBytes) {
      while (this.bytes + size > this.budgetBytes && this.frames.size) {
        const [oldest, f] = this.frames.entries().next().value as [string, AstroFrame];
        this.frames.delete(oldest);
        this.bytes -= frameBytes(f);
      }
      this.frames.set(id, frame);
      this.bytes += size;
    }
    return frame;
  }
}
