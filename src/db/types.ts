/**
 * Records kept in IndexedDB. Metadata and pixels live in separate tables so a
 * listing of 1,000 files never touches pixels, and a combine can stream any
 * number of frames strip by strip.
 */
import type { Card, HduInfo } from '../core/fits/types';
import type { FrameStats as KernelFrameStats } from '../core/kernels/stats';
import type { DescriptorSet, FrameType } from '../core/classify';

export type FileStatus = 'ok' | 'error';

/** What decided a frame's type: the automatic classifier or the user. */
export interface TypeDecision {
  type: FrameType;
  /** Keyword and value that decided (automatic), absent for unclassified-without-keyword. */
  keyword?: string;
  value?: string;
  reason: string;
}

/** Per-frame statistics kept for the table (the kernel's summary without the pixel count). */
export type FrameStats = Omit<KernelFrameStats, 'count'>;

/** One HDU as listed (its cards live in the headers table). */
export type HduSummary = Pick<HduInfo, 'index' | 'xtension' | 'extname' | 'bitpix' | 'naxis' | 'isImage' | 'compressed'>;

/** A stored file. `id` is the SHA-256 of its bytes, so the same file is stored once. */
export interface FileRecord {
  id: string;
  name: string;
  /** Folder path inside a dropped directory, '' for single files. */
  path: string;
  size: number;
  addedAt: number;
  status: FileStatus;
  /** Error text for files that could not be read (names the problem). */
  message: string;
  hdus: HduSummary[];
  /** Index of the HDU holding the frame's pixels (first image HDU), -1 when none. */
  imageHdu: number;
  width: number;
  height: number;
  depth: number;
  /** Rows per stored pixel strip. */
  stripRows: number;
  descriptors: DescriptorSet;
  auto: TypeDecision;
  /** The user's retag; wins over `auto`. */
  user?: TypeDecision;
  /** Effective type (user ?? auto), kept as a field so it can be indexed. */
  type: FrameType | 'product';
  stats?: FrameStats;
}

/** Header cards of every HDU of a file, stored apart from the listing. */
export interface HeaderRecord {
  fileId: string;
  hdus: { index: number; extname: string; cards: Card[] }[];
}

/**
 * A band of rows [y0, y1) of one plane of one HDU, row-major: float32 for
 * pixels and variance, uint16 for data-quality planes of products.
 * `plane` is the cube slice (0 for 2-D images).
 */
export interface StripRecord {
  fileId: string;
  hdu: number;
  plane: number;
  index: number;
  y0: number;
  y1: number;
  data: Float32Array | Uint16Array;
}

/** A product whose strips are being written; `heartbeat` (ms since epoch) is refreshed per strip. */
export interface WritingRecord {
  fileId: string;
  name: string;
  heartbeat: number;
}
