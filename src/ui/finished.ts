/** How a reduction in this page ended, and the line that says so. */

export interface Finished {
  batch: string;
  total: number;
  /** The runs that failed, and those that could not run (a run they need failed or was cancelled). */
  failed: { key: string; label: string; reason: string; notRun?: boolean }[];
  cancelled: number;
  at: number;
  /** Ids of the products the done runs made. */
  products: string[];
}

/** "Reduction finished: 1 of 5 runs done, 1 cancelled, 3 not run." for a reduction that did not all go through. */
export function finishedSummary(f: Finished): string {
  const notRun = f.failed.filter((x) => x.notRun).length;
  const failed = f.failed.length - notRun;
  const parts = [
    `${f.total - f.failed.length - f.cancelled} of ${f.total} runs done`,
    failed ? `${failed} failed` : '',
    f.cancelled ? `${f.cancelled} cancelled` : '',
    notRun ? `${notRun} not run` : '',
  ];
  return `Reduction finished: ${parts.filter(Boolean).join(', ')}.`;
}
