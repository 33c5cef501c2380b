/** Files the storage tests ingest: a raw frame of the sample night and three of the FITS fixtures. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const SHARED = path.resolve(__dirname, '../../shared');
const item = (dir: string, name: string) => ({ name, path: '', bytes: new Uint8Array(readFileSync(path.join(SHARED, dir, name))) });
/** A raw frame (16-bit strips), a float32 image with NaNs, a signed 16-bit one and a multi-extension file. */
export const FILES = [item('sample-night', 'raw0001.fits'), item('fixtures/fits', 'f32_nan.fits'), item('fixtures/fits', 'i16.fits'), item('fixtures/fits', 'mef.fits')];
