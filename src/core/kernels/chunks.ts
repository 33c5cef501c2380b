/**
 * Elements per call of a per-pixel kernel's inner loop.
 *
 * Why kernels call their inner loop once per chunk instead of looping over a
 * whole frame in one call: in Chromium's workers a call of a long loop
 * sometimes ran ten to twenty times slower than the calls before and after
 * it, as if left in V8's interpreter for the whole call (typically the 2nd
 * to 4th call of each kernel: measured 2026-11-30 on 2048 x 2048 frames in
 * a bare worker, and in the app, where divideByFlat took 0.37-0.42 s instead
 * of 0.04 s on two frames of every night). V8 moves a running call to
 * optimized code only at its loop's back edges, and apparently not while an
 * optimization of the same function is under way; a function called for
 * each chunk gets its optimized code at its next call. Node does not show
 * it. 16k elements keep the calls' own cost (a few ns each) negligible.
 */
export const CHUNK = 1 << 14;
