/**
 * The benchmarked kernels, shared by the Node bench and the in-browser bench.
 * Each case says how many input frames it reads (for the floor) and returns
 * its best-of-N seconds.
 */
import { combine, type CombineOptions } from '../src/core/kernels/combine';
import { subtractOverscan } from '../src/core/kernels/overscan';
import { divideByFlat } from '../src/core/kernels/flat';
import { zscale } from '../src/core/kernels/zscale';
import { detectCosmicRays } from '../src/core/kernels/cosmic';
import { registerFrames } from '../src/core/kernels/registration';
import { shiftFrame } from '../src/core/kernels/resample';
import { frameStats } from '../src/core/kernels/stats';
import type { Frame } from '../src/core/kernels/frame';
import { skyFrame, timeBest } from './lib';
import { gzip } from 'pako';
import { parseFits, readImage, writeFits } from '../src/core/fits';
import { bigEndian, buildTiledFile, rowTiledImageKeywords } from '../src/core/fits/tiled/tableBuilder';

export interface BenchCase {
  kernel: string;
  frames: number;
  run(): number;
  extra?(): Record<string, unknown>;
}

const frame = (sci: Float32Array, width: number, height: number): Frame => ({ width, height, sci });

export function combineCase(kernel: string, frames: Float32Array[], opts: CombineOptions): BenchCase {
  return { kernel, frames: frames.length, run: () => timeBest(() => combine(frames.map((sci) => ({ sci })), opts), 2) };
}

export function cases(frames: Float32Array[], width: number, height: number): BenchCase[] {
  const n = frames.length;
  const flat = new Float32Array(width * height);
  for (let i = 0; i < flat.length; i++) flat[i] = 0.9 + 0.2 * ((i % width) / width);
  // Overscan: the last 32 columns of each frame act as the strip, a spline fit across rows.
  const biassec = `[${width - 31}:${width},1:${height}]`;
  let registration: unknown;
  let cosmics = 0, cosmicsSky = 0;
  return [
    combineCase('combine_median', frames, { method: 'median' }),
    combineCase('combine_mean_sigclip', frames, { method: 'mean', reject: 'sigclip', lsigma: 3, hsigma: 3 }),
    // Per-frame weights (e.g. exposure times): the same work plus frame indices through the network.
    combineCase('combine_mean_weights_sigclip', frames, { method: 'mean', reject: 'sigclip', lsigma: 3, hsigma: 3, weights: frames.map((_, i) => 1 + (i % 4) * 0.25) }),
    combineCase('combine_mean_madclip', frames, { method: 'mean', reject: 'madclip', lsigma: 3, hsigma: 3 }),
    combineCase('combine_mean_minmax', frames, { method: 'mean', reject: 'minmax', nlow: 1, nhigh: 1 }),
    combineCase('combine_mean', frames, { method: 'mean' }),
    {
      kernel: 'overscan_spline',
      frames: n,
      run: () => timeBest(() => { for (const f of frames) subtractOverscan(frame(f, width, height), { biassec, function: 'spline', order: 6, niter: 3 }); }, 2),
    },
    {
      kernel: 'flat_divide',
      frames: n,
      run: () => timeBest(() => { const fl = frame(flat, width, height); for (const f of frames) divideByFlat(frame(f, width, height), fl); }, 2),
    },
    {
      kernel: 'frame_stats',
      frames: 1,
      run: () => timeBest(() => frameStats(frames[0], { saturation: 65535 }), 3),
    },
    { kernel: 'zscale', frames: 1, run: () => timeBest(() => zscale(frames[0], { width, height }), 5) },
    {
      kernel: 'cosmic_rays_lacosmic_niter4',
      frames: 1,
      run: () => timeBest(() => { cosmics = detectCosmicRays(frames[0], width, height, { niter: 4, gain: 1, readnoise: 10, clean: true }).nFound; }, 1),
      extra: () => ({ found: cosmics }),
    },
    {
      // Frame 0's noise (sigma 10 on 1000) is well below the model's (sqrt(1000 + 10^2)); a reduced
      // science frame is sky-limited: sky 600 e-, noise sqrt(600 + 5^2), read noise 5 e-.
      kernel: 'cosmic_rays_lacosmic_sky_limited',
      frames: 1,
      run: () => {
        const sky = skyFrame(width, height, 1000, { level: 600, sigma: Math.sqrt(600 + 25) });
        return timeBest(() => { cosmicsSky = detectCosmicRays(sky, width, height, { niter: 4, gain: 1, readnoise: 5, clean: true }).nFound; }, 1);
      },
      extra: () => ({ found: cosmicsSky }),
    },
    {
      kernel: 'register_stars',
      frames: 2,
      run: () => timeBest(() => { registration = registerFrames(frame(frames[0], width, height), frame(frames[1], width, height)); }, 2),
      extra: () => ({ result: registration }),
    },
    decodeCase('read_fits_gz', () => gzip(writeFits([{ cards: [], width, height, data: rawFrame(frames[0]) }]))),
    decodeCase('read_fz_gzip1', () => gzipTiled(rawFrame(frames[0]), width, height)),
    {
      kernel: 'resample_shift_lanczos3',
      frames: 1,
      run: () => timeBest(() => shiftFrame(frame(frames[0], width, height), 3.37, -1.61, 'lanczos3'), 2),
    },
  ];
}

/** A frame as a camera writes it: whole numbers in unsigned 16 bits. */
function rawFrame(f: Float32Array): Uint16Array {
  return Uint16Array.from(f, (v) => Math.max(0, Math.min(65535, Math.round(v))));
}

/** The frame as a GZIP_1 tile-compressed image, one row a tile (as fpack and astropy write it). */
function gzipTiled(raw: Uint16Array, width: number, height: number): Uint8Array {
  const rows = Array.from({ length: height }, (_, y) => gzip(bigEndian(Array.from(raw.subarray(y * width, (y + 1) * width), (v) => v - 32768), 'I')));
  return buildTiledFile([{ name: 'COMPRESSED_DATA', tform: 'PB', cells: rows }], [
    ...rowTiledImageKeywords(16, width, height, 'GZIP_1'),
    { key: 'BZERO', value: 32768 },
    { key: 'BSCALE', value: 1 },
  ]);
}

/** Decoding one compressed raw frame (headers, inflate with its bounds and CRC, pixels), as ingest does. */
function decodeCase(kernel: string, make: () => Uint8Array): BenchCase {
  return {
    kernel,
    frames: 1,
    run: () => {
      const bytes = make();
      // A fresh copy each time: the reader remembers what it inflated per input array.
      return timeBest(() => {
        const input = bytes.slice();
        const file = parseFits(input, kernel);
        readImage(file, input, file.hdus.findIndex((h) => h.isImage));
      }, 5);
    },
  };
}
