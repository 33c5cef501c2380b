/**
 * A frame as the kernels see it: science pixels with optional variance and
 * data-quality planes, all width*height, row-major (x fastest), like FITS.
 */
export interface Frame {
  width: number;
  height: number;
  sci: Float32Array;
  /** Variance of sci, in sci units squared. */
  var?: Float32Array;
  /** Data-quality bit mask, see dq.ts. */
  dq?: Uint16Array;
}

export function makeFrame(width: number, height: number, withVar = false, withDq = false): Frame {
  const n = width * height;
  return {
    width,
    height,
    sci: new Float32Array(n),
    var: withVar ? new Float32Array(n) : undefined,
    dq: withDq ? new Uint16Array(n) : undefined,
  };
}
