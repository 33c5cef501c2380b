/**
 * IRAF / DS9 zscale display limits.
 *
 * The limit computation is a line-for-line port of astropy's
 * ZScaleInterval.get_limits (astropy 5.2, itself from stsci.numdisplay):
 * sort the sample, fit a straight line to value vs rank with k-sigma
 * rejection (krej) whose rejected set is dilated by ngrow = max(1,
 * int(npix * 0.01)) neighbours each iteration (numpy.convolve 'same'), stop
 * after maxIterations or when the good count stops shrinking or falls below
 * minpix = max(minNpixels, int(npix * maxReject)); then
 * z1 = max(min, median - (center - 1) * slope / contrast),
 * z2 = min(max, median + (npix - center) * slope / contrast).
 *
 * The sample differs by input: when the good pixels number at most
 * `nSamples`, every one of them is the sample (so the limits equal astropy's
 * ZScaleInterval(n_samples=nSamples) on that array). For a larger 2-D frame
 * the sample is taken as IRAF's zsc_sample does (DS9 `sample` 600 and
 * `line` 120): up to `samplesPerLine` pixels spread along a row, from rows
 * spread evenly over the image, until `nSamples` pixels are collected.
 * Without width/height a large array is strided like astropy.
 */
import type { Mask, Pixels } from './stats';

export interface ZScaleOptions {
  /** Image width, for the IRAF line sampling of large frames. */
  width?: number;
  height?: number;
  /** Sample size. Default 600 (IRAF nsample, DS9 `sample`). */
  nSamples?: number;
  /** Pixels taken per sampled line. Default 120 (IRAF len_stdline, DS9 `line`). */
  samplesPerLine?: number;
  /** Default 0.25. */
  contrast?: number;
  /** Rejection threshold in sigma. Default 2.5. */
  krej?: number;
  /** Default 5. */
  maxIterations?: number;
  /** Default 5. */
  minNpixels?: number;
  /** Fall back to min/max when more than this fraction is rejected. Default 0.5. */
  maxReject?: number;
  mask?: Mask;
}

export interface ZScaleLimits {
  z1: number;
  z2: number;
  /** Pixels in the sample. */
  npix: number;
  /** Slope of the fitted line divided by contrast (0 when the fit was rejected). */
  slope: number;
  /** True when the fit was accepted (limits are not just min/max). */
  fitted: boolean;
}

function good(v: number, mask: Mask | undefined, i: number): boolean {
  return v - v === 0 && (!mask || mask[i] === 0);
}

/**
 * The zscale sample as a Float64Array (unsorted), following the rules in the
 * module comment.
 */
export function zscaleSample(data: Pixels, opts: ZScaleOptions = {}): Float64Array {
  const nSamples = opts.nSamples ?? 600;
  const mask = opts.mask;
  const len = data.length;
  let ngood = 0;
  for (let i = 0; i < len; i++) if (good(data[i], mask, i)) ngood++;
  if (ngood <= nSamples) {
    const out = new Float64Array(ngood);
    for (let i = 0, k = 0; i < len; i++) if (good(data[i], mask, i)) out[k++] = data[i];
    return out;
  }
  const { width, height } = opts;
  if (width !== undefined && height !== undefined && width * height === len) {
    return irafSample(data, width, height, nSamples, opts.samplesPerLine ?? 120, mask);
  }
  // astropy: stride over the finite values, first nSamples of them.
  const stride = Math.max(1, Math.trunc(ngood / nSamples));
  const out = new Float64Array(nSamples);
  let k = 0;
  for (let i = 0, g = 0; i < len && k < nSamples; i++) {
    if (!good(data[i], mask, i)) continue;
    if (g % stride === 0) out[k++] = data[i];
    g++;
  }
  return out.subarray(0, k);
}

/** IRAF zsc_sample: a grid of rows and columns; 1-based arithmetic kept from the original. */
function irafSample(
  data: Pixels,
  nc: number,
  nl: number,
  optSize: number,
  lenStdline: number,
  mask: Mask | undefined,
): Float64Array {
  const optNpixPerLine = Math.max(1, Math.min(nc, lenStdline));
  const colStep = Math.max(2, Math.trunc((nc + optNpixPerLine - 1) / optNpixPerLine));
  const npixPerLine = Math.max(1, Math.trunc((nc + colStep - 1) / colStep));
  const minNlines = Math.max(1, Math.trunc(optSize / lenStdline));
  const optNlines = Math.max(minNlines, Math.min(nl, Math.trunc((optSize + npixPerLine - 1) / npixPerLine)));
  const lineStep = Math.max(2, Math.trunc(nl / optNlines));
  const out = new Float64Array(optSize);
  let k = 0;
  for (let line = Math.trunc((lineStep + 1) / 2); line <= nl && k < optSize; line += lineStep) {
    const row = (line - 1) * nc;
    for (let p = 0; p < npixPerLine && k < optSize; p++) {
      const i = row + p * colStep;
      if (good(data[i], mask, i)) out[k++] = data[i];
    }
  }
  return out.subarray(0, k);
}

/** zscale limits of `data`; see the module comment. NaN limits when there is no good pixel. */
export function zscale(data: Pixels, opts: ZScaleOptions = {}): ZScaleLimits {
  const samples = zscaleSample(data, opts);
  return zscaleFromSample(samples, opts);
}

/** The astropy get_limits core on an explicit sample (sorted in place). */
export function zscaleFromSample(samples: Float64Array, opts: ZScaleOptions = {}): ZScaleLimits {
  const contrast = opts.contrast ?? 0.25;
  const krej = opts.krej ?? 2.5;
  const maxIterations = opts.maxIterations ?? 5;
  const minNpixels = opts.minNpixels ?? 5;
  const maxReject = opts.maxReject ?? 0.5;
  samples.sort();
  const npix = samples.length;
  if (npix === 0) return { z1: NaN, z2: NaN, npix: 0, slope: 0, fitted: false };
  let vmin = samples[0];
  let vmax = samples[npix - 1];

  const minpix = Math.max(minNpixels, Math.trunc(npix * maxReject));
  let ngoodpix = npix;
  let lastNgoodpix = npix + 1;
  let badpix = new Uint8Array(npix);
  let grown = new Uint8Array(npix);
  const ngrow = Math.max(1, Math.trunc(npix * 0.01));
  // numpy.convolve(mode='same') with a length-ngrow box: out[m] = OR of in[m - floor(ngrow/2) .. m + floor((ngrow-1)/2)].
  const left = Math.floor(ngrow / 2);
  const right = Math.floor((ngrow - 1) / 2);
  let slope = NaN;
  let fitDone = false;

  for (let it = 0; it < maxIterations; it++) {
    if (ngoodpix >= lastNgoodpix || ngoodpix < minpix) break;
    // Least-squares line through the good points (x = rank), as polyfit(deg=1, w=0/1).
    let sw = 0, sx = 0, sy = 0;
    for (let i = 0; i < npix; i++) {
      if (badpix[i]) continue;
      sw++;
      sx += i;
      sy += samples[i];
    }
    const mx = sx / sw, my = sy / sw;
    let sxx = 0, sxy = 0;
    for (let i = 0; i < npix; i++) {
      if (badpix[i]) continue;
      const dx = i - mx;
      sxx += dx * dx;
      sxy += dx * (samples[i] - my);
    }
    slope = sxx > 0 ? sxy / sxx : 0;
    const intercept = my - slope * mx;
    fitDone = true;

    // Threshold from the std (ddof 0) of the residuals of the good points.
    let sr = 0;
    for (let i = 0; i < npix; i++) if (!badpix[i]) sr += samples[i] - (intercept + slope * i);
    const mr = sr / sw;
    let srr = 0;
    for (let i = 0; i < npix; i++) {
      if (badpix[i]) continue;
      const d = samples[i] - (intercept + slope * i) - mr;
      srr += d * d;
    }
    const threshold = krej * Math.sqrt(srr / sw);

    // Reject every point (good or not) beyond the threshold, then dilate.
    for (let i = 0; i < npix; i++) {
      const r = samples[i] - (intercept + slope * i);
      if (r < -threshold || r > threshold) badpix[i] = 1;
    }
    let count = 0;
    for (let m = 0; m < npix; m++) {
      let b = 0;
      const lo = Math.max(0, m - left), hi = Math.min(npix - 1, m + right);
      for (let j = lo; j <= hi; j++) if (badpix[j]) { b = 1; break; }
      grown[m] = b;
      if (!b) count++;
    }
    const t = badpix;
    badpix = grown;
    grown = t;
    lastNgoodpix = ngoodpix;
    ngoodpix = count;
  }

  let fitted = false;
  let outSlope = 0;
  if (fitDone && ngoodpix >= minpix) {
    fitted = true;
    outSlope = contrast > 0 ? slope / contrast : slope;
    const center = Math.trunc((npix - 1) / 2);
    const med = npix & 1 ? samples[npix >> 1] : (samples[npix / 2 - 1] + samples[npix / 2]) / 2;
    vmin = Math.max(vmin, med - (center - 1) * outSlope);
    vmax = Math.min(vmax, med + (npix - center) * outSlope);
  }
  return { z1: vmin, z2: vmax, npix, slope: outSlope, fitted };
}
