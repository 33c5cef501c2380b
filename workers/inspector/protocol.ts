/**
 * What the page and the inspector worker say to each other (workers/
 * inspector.worker.ts exposes InspectorApi with comlink; the page reaches it
 * through workers/inspectorClient.ts). Pixels never cross: the worker holds
 * every loaded plane and paints the page's canvases (OffscreenCanvas) itself;
 * the page gets back pictures, numbers and small arrays.
 */
import type { ColormapName } from '../../src/core/display/colormaps';
import type { FrameImage, PlaneKind } from '../../src/core/display/frameImages';
import type { Limits, LimitsMode } from '../../src/core/display/limits';
import type { ScaleName } from '../../src/core/display/scale';
import type { View } from '../../src/core/display/viewport';
import type { Box, RegionStats } from '../../src/core/display/regionStats';
import type { ProfileModel, StarFit } from '../../src/core/display/radial';
import type { Cut } from '../../src/core/display/cuts';
import type { Histogram } from '../../src/core/kernels/histogram';

export type { PlaneKind };

/** A frame as the worker opened it. */
export interface FrameInfo {
  fileId: string;
  name: string;
  images: FrameImage[];
  /** The image shown first (the file's main image). */
  image: number;
  /** True for products of this workbench (SCI/VAR/DQ). */
  product: boolean;
}

/** One plane of one image of a frame: what a pane shows and what analysis reads. */
export interface PlaneRef {
  fileId: string;
  image: number;
  plane: PlaneKind;
  /** Cube slice, 0-based. */
  slice: number;
}

export interface DisplaySettings {
  limits: LimitsMode;
  scale: ScaleName;
  exponent: number;
  colormap: ColormapName;
  contrast: number;
  bias: number;
  invert: boolean;
}

export interface Overlay {
  /** DQ bits to paint over the picture (0: none). */
  bits: number;
  opacity: number;
}

export interface PaneState {
  ref: PlaneRef;
  /** zoom in device pixels per image pixel. */
  view: View;
  display: DisplaySettings;
  overlay?: Overlay;
  /** 'mean': zoomed out, each device pixel the mean of the image pixels it covers (the panner); default: one pixel picked, as DS9. */
  sampling?: 'mean';
}

export interface DrawResult {
  /** The limits the picture used (provisional while rows are still loading). */
  limits: Limits;
  /** Image rows loaded so far, of `height`. */
  loadedRows: number;
  height: number;
  /** Milliseconds spent painting. */
  ms: number;
  /** How many times this pane has been painted (draws coalesced into one paint share its number). */
  paints: number;
  /** Set when the plane cannot be shown (its pixels are missing from storage). */
  error?: string;
}

/** Loading news of one plane. */
export interface LoadProgress {
  fileId: string;
  image: number;
  plane: PlaneKind;
  slice: number;
  loadedRows: number;
  height: number;
  error?: string;
}

/** Values under the cursor. */
export interface Probe {
  ix: number;
  iy: number;
  /** Value of each plane the image has that is loaded (NaN outside). */
  values: Partial<Record<PlaneKind, number>>;
  /** size x size values of the shown plane around the pixel, top row first. */
  table: Float64Array;
  size: number;
}

export interface HistogramRequest {
  ref: PlaneRef;
  /** Box region (0-based inclusive); absent: the whole plane. */
  box?: Box;
  /** 'limits': over the display limits (DS9's pixel distribution); 'minmax': over every value. */
  range: { low: number; high: number } | 'minmax';
  bins: number;
}

export interface HistogramResult extends Pick<Histogram, 'counts' | 'edges' | 'underflow' | 'overflow' | 'nanCount'> {
  npix: number;
}

export type CutRequest =
  | { kind: 'row'; iy: number }
  | { kind: 'column'; ix: number }
  | { kind: 'line'; x0: number; y0: number; x1: number; y1: number };

export interface Surface {
  /** 1-based FITS coordinates of the columns and rows. */
  x: Float64Array;
  y: Float64Array;
  /** z[row][column], bottom row first. */
  z: Float64Array[];
}

export interface InspectorApi {
  /** Opens the database ahead of the first frame (the page calls it when idle). */
  warm(): Promise<void>;
  /** Opens a stored frame: its images; starts loading the main image's planes. Progress arrives on `onProgress`. */
  open(fileId: string): Promise<FrameInfo>;
  /** Forgets a frame (its pixels are freed). */
  close(fileId: string): Promise<void>;
  /** Subscribes to loading news (one callback for the whole page). */
  watch(onProgress: (p: LoadProgress) => void): Promise<void>;
  /** Makes sure a plane is (being) loaded; resolves when it is complete. */
  load(ref: PlaneRef): Promise<void>;

  attachPane(paneId: string, canvas: OffscreenCanvas): Promise<void>;
  resizePane(paneId: string, width: number, height: number): Promise<void>;
  detachPane(paneId: string): Promise<void>;
  /** Paints a pane (coalesced: a burst of calls paints once, with the last state). */
  draw(paneId: string, state: PaneState): Promise<DrawResult>;
  /** Limits a display mode gives a plane (as draw would use them). */
  limits(ref: PlaneRef, mode: LimitsMode): Promise<Limits>;
  /** Under histogram equalization: the values at these display fractions (the colorbar's labels). */
  histequValues(ref: PlaneRef, low: number, high: number, fractions: number[]): Promise<number[]>;

  probe(ref: PlaneRef, ix: number, iy: number, size: number): Promise<Probe>;
  /** Pixels with each DQ bit set (index k: bit 2^k), of a DQ plane. */
  dqBitCounts(ref: PlaneRef): Promise<number[]>;
  histogram(req: HistogramRequest): Promise<HistogramResult>;
  cut(ref: PlaneRef, req: CutRequest): Promise<Cut>;
  regionStats(ref: PlaneRef, box: Box): Promise<RegionStats>;
  star(ref: PlaneRef, x: number, y: number, model: ProfileModel): Promise<StarFit | undefined>;
  surface(ref: PlaneRef, ix: number, iy: number, half: number): Promise<Surface>;
}
