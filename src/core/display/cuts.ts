/**
 * Cuts through a frame: a row, a column, or any line. Coordinates are 0-based
 * with pixel centres at integers (add 1 for FITS/DS9).
 *
 * A line is sampled every pixel of length from its start to its end, with
 * bilinear interpolation between the four nearest pixel centres (what
 * scipy.ndimage.map_coordinates does with order=1); a sample that needs a
 * pixel outside the frame, or a NaN one, is NaN.
 */

export interface Cut {
  /** Distance from the start of the cut, pixels. */
  distance: Float64Array;
  /** 0-based image position of every sample. */
  x: Float64Array;
  y: Float64Array;
  values: Float64Array;
}

export function rowCut(data: ArrayLike<number>, width: number, height: number, iy: number): Cut {
  if (!(iy >= 0 && iy < height)) throw new RangeError(`row ${iy + 1} is outside the frame (1-${height})`);
  const out = emptyCut(width);
  for (let ix = 0; ix < width; ix++) {
    out.distance[ix] = ix;
    out.x[ix] = ix;
    out.y[ix] = iy;
    out.values[ix] = data[iy * width + ix];
  }
  return out;
}

export function columnCut(data: ArrayLike<number>, width: number, height: number, ix: number): Cut {
  if (!(ix >= 0 && ix < width)) throw new RangeError(`column ${ix + 1} is outside the frame (1-${width})`);
  const out = emptyCut(height);
  for (let iy = 0; iy < height; iy++) {
    out.distance[iy] = iy;
    out.x[iy] = ix;
    out.y[iy] = iy;
    out.values[iy] = data[iy * width + ix];
  }
  return out;
}

/** Bilinear value at a continuous position; NaN outside the frame. */
export function bilinear(data: ArrayLike<number>, width: number, height: number, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  // A sample exactly on the last row or column needs no neighbour beyond it.
  const x1 = fx === 0 ? x0 : x0 + 1;
  const y1 = fy === 0 ? y0 : y0 + 1;
  if (x0 < 0 || y0 < 0 || x1 >= width || y1 >= height) return NaN;
  const a = data[y0 * width + x0];
  const b = data[y0 * width + x1];
  const c = data[y1 * width + x0];
  const d = data[y1 * width + x1];
  return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
}

export function lineCut(data: ArrayLike<number>, width: number, height: number, x0: number, y0: number, x1: number, y1: number): Cut {
  const length = Math.hypot(x1 - x0, y1 - y0);
  const n = Math.floor(length) + 1;
  const out = emptyCut(n);
  const ux = length > 0 ? (x1 - x0) / length : 0;
  const uy = length > 0 ? (y1 - y0) / length : 0;
  for (let k = 0; k < n; k++) {
    const x = x0 + ux * k;
    const y = y0 + uy * k;
    out.distance[k] = k;
    out.x[k] = x;
    out.y[k] = y;
    out.values[k] = bilinear(data, width, height, x, y);
  }
  return out;
}

function emptyCut(n: number): Cut {
  return { distance: new Float64Array(n), x: new Float64Array(n), y: new Float64Array(n), values: new Float64Array(n) };
}

/**
 * The pixels of a size x size box centred on (ix, iy), row-major from the top
 * row down (as the pixel table shows them); NaN outside the frame.
 */
export function pixelBox(data: ArrayLike<number>, width: number, height: number, ix: number, iy: number, size: number): Float64Array {
  const half = Math.floor(size / 2);
  const out = new Float64Array(size * size);
  for (let r = 0; r < size; r++) {
    const y = iy + half - r;
    for (let c = 0; c < size; c++) {
      const x = ix - half + c;
      out[r * size + c] = x >= 0 && y >= 0 && x < width && y < height ? data[y * width + x] : NaN;
    }
  }
  return out;
}
