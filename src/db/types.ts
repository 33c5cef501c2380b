/**
 * Records kept in IndexedDB. Metadata and pixels live in separate tables so a
 * listing of 1,000 files never touches pixels, and a combine can stream any
 * number of frames strip by strip.
 */
import type { StripData, StripDtype, StripKey } from '../core/workspace/format';
import type { Card, HduInfo } from '../core/fits/types';
import type { FrameStats as KernelFrameStats } from '../core/kernels/stats';
import type { PartLevel } from '../core/pipeline/flatLevel';
import type { DescriptorSet, FrameType } from '../core/classify';
import type { ProductInfo } from '../core/pipeline/products';
import type { LogEntry, RunSpec } from '../core/pipeline/engine';
import type { Pin, PlannedRun } from '../core/pipeline/plan';
import type { ParamFile } from '../core/pipeline/params';
import type { PixelRef } from './pixelFiles';

export type FileStatus = 'ok' | 'error';

/** What decided a frame's type: the automatic classifier or the user. */
export interface TypeDecision {
  type: FrameType;
  /** Keyword and value that decided (automatic), absent for unclassified-without-keyword. */
  keyword?: string;
  value?: string;
  reason: string;
  /** Set when the frame is a processed calibration (master) made elsewhere: what said so. */
  master?: { keyword: string; value: string; reason: string };
}

/** Per-frame statistics kept for the table (the kernel's summary without the pixel count). */
export type FrameStats = Omit<KernelFrameStats, 'count'> & {
  /** Of a colour (Bayer) frame: each sub-lattice's level on the data section (workers/ingest.ts), since 2026-12-01. */
  colours?: PartLevel[];
};

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
  /** Products of this workbench: how they were made, validity, quality (v3). */
  product?: ProductInfo;
  /** Imported masters: the validity window and valid flag the user set (v3). */
  calibration?: { validity?: { start: number; end: number }; valid?: boolean };
  /**
   * The name of the OPFS copy of this file's strips made when they were
   * stored (./rawCopies.ts), which the pipeline reads instead of them where it
   * exists. Code that rewrites a file's strips must drop it.
   */
  rawCopy?: string;
  /**
   * The name of the pixel file its strips point into (./pixelFiles.ts): an
   * ingested file's random name, a product's id. Code that rewrites a file's
   * strips must drop it.
   */
  pixelFile?: string;
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
export type StripRecord = Omit<StripKey, 'dtype'> & (
  | {
      /** Float32 pixels and variances; Uint16 DQ planes; Uint16 or Int16 for whole-number planes (raw frames): see toStrips. */
      data: StripData;
      dtype?: undefined;
    }
  | {
      /** The same values as bytes, stored through an OPFS staging file (./stripStaging.ts); `dtype` says which. */
      data: Blob;
      dtype: StripDtype;
    }
  | {
      /** The same values as bytes in a product's pixel file (./pixelFiles.ts); `dtype` says which. */
      data: PixelRef;
      dtype: StripDtype;
    }
);

/** A product whose strips are being written; `heartbeat` (ms since epoch) is refreshed per strip. */
export interface WritingRecord {
  fileId: string;
  name: string;
  heartbeat: number;
  /** The run writing it, when a run is: the page discards its strips if the run's worker dies. */
  run?: string;
}

export type RunStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

/** One execution of one planned run (v3). */
export interface RunRecord {
  id: string;
  /** The product slot (PlannedRun.key). */
  key: string;
  /** The "Reduce all" (or restart) it belongs to. */
  batch: string;
  label: string;
  recipe: string;
  status: RunStatus;
  /** What the plan listed before the run started: inputs, calibrations, parameters. */
  planned: PlannedRun;
  /** Resolved when it started (product ids in place of other runs). */
  spec?: RunSpec;
  /** 0..1 and the step it is in. */
  progress: number;
  step: string;
  log: LogEntry[];
  error?: string;
  productId?: string;
  createdAt: number;
  startedAt?: number;
  endedAt?: number;
  /** Refreshed while it runs; with `session`, how a reload tells an interrupted run from a live one. */
  heartbeat?: number;
  /** Id of the page session running it (its Web Lock is held while the page lives). */
  session?: string;
}

/** A pin or skip (v3): see core/pipeline/plan.ts Pin. */
export type PinRecord = Pin & { createdAt: number };

/** A frame kept although a step would refuse it (v4): see core/pipeline/plan.ts Overrule. */
export interface OverruleRecord {
  /** `${frameId}|${step}`. */
  id: string;
  frameId: string;
  step: string;
  createdAt: number;
}

/** A frame the user keeps out of the reduction (v3). */
export interface ExclusionRecord {
  frameId: string;
  note?: string;
  createdAt: number;
}

/**
 * Parameter values (v3): 'user' layers (the user's own values, optionally
 * for a group of frames) and named presets; the plan applies active presets,
 * then user layers (see core/pipeline/params.ts).
 */
export interface ParamRecord {
  id: string;
  kind: 'user' | 'preset';
  name: string;
  /** Select expression limiting the values to some frames; absent = every frame. */
  scope?: string;
  values: ParamFile;
  /** Presets: applied to the plan when active. */
  active?: boolean;
  updatedAt: number;
}
