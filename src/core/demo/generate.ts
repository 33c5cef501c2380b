/**
 * The simulated night as FITS files (BITPIX 16, BZERO 32768, one primary
 * HDU each) that the app ingests exactly like files a user dropped.
 */
import { writeFits } from '../fits';
import { frameCards } from './headers';
import type { DemoOptions } from './options';
import { simulateNight } from './simulate';

export interface DemoFile {
  name: string;
  bytes: Uint8Array;
}

export function generateDemoNight(opts: DemoOptions = {}): DemoFile[] {
  const files: DemoFile[] = [];
  simulateNight(opts, (frame, o, total) => {
    const bytes = writeFits([{ cards: frameCards(frame.plan, o), width: frame.naxis1, height: frame.naxis2, data: frame.pixels }]);
    files.push({ name: frame.plan.name, bytes });
    opts.onFile?.(files.length, total);
  });
  return files;
}
