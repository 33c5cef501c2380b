/**
 * `npm run bench`: every kernel on 15 frames of 2048 x 2048 float32 (the
 * reference case of issue 3), on one thread in Node. One JSON line per kernel.
 * Sizes can be lowered for a quick look: BENCH_SIZE=1024 BENCH_FRAMES=5.
 */
import { cases } from './cases';
import { floorSeconds, keepSink, line, skyFrame } from './lib';

const size = Number(process.env.BENCH_SIZE ?? 2048);
const nFrames = Number(process.env.BENCH_FRAMES ?? 15);
const only = process.env.BENCH_ONLY?.split(',');

const frames: Float32Array[] = [];
for (let i = 0; i < nFrames; i++) frames.push(skyFrame(size, size, 1000 + i, { dx: (i % 5) * 1.7, dy: Math.floor(i / 5) * 2.3 }));

console.log(JSON.stringify({ machine: `${process.platform} ${process.arch}`, node: process.version, date: new Date().toISOString(), size, frames: nFrames }));
for (const c of cases(frames, size, size)) {
  if (only && !only.includes(c.kernel)) continue;
  const inputs = frames.slice(0, c.frames);
  const floor = floorSeconds(inputs);
  const seconds = c.run();
  console.log(JSON.stringify(line(c.kernel, c.frames, size, size, seconds, floor, c.extra?.() ?? {})));
}
if (keepSink() === 42) console.log('');
