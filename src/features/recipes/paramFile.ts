/**
 * The recipes view's side of parameter files (the format and its reader are
 * core/pipeline/paramFile.ts, shared with `npm run reduce -- --params`).
 */
import type { ParamFile } from '../../core/pipeline/params';

export { makeExport, readParamFile, type ExportedParams, type GroupValues, type Imported } from '../../core/pipeline/paramFile';

/** Only one recipe's part of a file (an empty object when it has none: importing it then clears that recipe). */
export function onlyRecipe(file: ParamFile, recipe: string): ParamFile {
  return { [recipe]: file[recipe] ?? {} };
}

/** Safe file name from a preset or recipe name. */
export function fileNameOf(name: string): string {
  return `${name.trim().replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'parameters'}.json`;
}
