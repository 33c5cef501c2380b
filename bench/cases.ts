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
    {
      kernel: 'resample_shift_lanczos3',
      frames: 1,
      run: () => timeBest(() => shiftFrame(frame(frames[0], width, height), 3.37, -1.61, 'lanczos3'), 2),
    },
  ];
}
