/**
 * npm run reduce -- <folder of raw FITS> <output folder> [--params recipe.json]
 *                   [--workers N] [--memory MB] [--quiet]
 *
 * The page's plan, run headless: every FITS file under the folder is
 * described from its headers, the plan is built exactly as in the page
 * (association, recipes, parameters), and its runs go to worker threads that
 * write the products into the output folder. Progress goes to stderr, a JSON
 * summary to stdout; the exit code is 0 only when every run succeeded.
 */
import { availableParallelism } from 'node:os';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { runsToDo, type Plan } from '../src/core/pipeline/plan';
import type { RunOutcome } from '../src/core/pipeline/scheduler';
import type { ParamLayer } from '../src/core/pipeline/params';
import { paramLayersOf, readParamFile } from '../src/core/pipeline/paramFile';
import { reduceFolder } from './reduceFolder';

interface Args {
  input: string;
  output: string;
  params?: string;
  workers: number;
  memoryMB: number;
  quiet: boolean;
  verbose: boolean;
}

const USAGE = 'usage: npm run reduce -- <folder of raw FITS> <output folder> [--params recipe.json] [--workers N] [--memory MB] [--quiet] [--verbose]';

class UsageError extends Error {}

function parseArgs(argv: string[]): Args {
  const pos: string[] = [];
  const a: Partial<Args> = { workers: Math.max(1, Math.min(availableParallelism(), 4)), memoryMB: 1024, quiet: false, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${x} needs a value`);
      return v;
    };
    if (x === '--params') a.params = value();
    else if (x === '--workers') a.workers = Number(value());
    else if (x === '--memory') a.memoryMB = Number(value());
    else if (x === '--quiet') a.quiet = true;
    else if (x === '--verbose') a.verbose = true;
    else if (x === '--help' || x === '-h') throw new UsageError('');
    else if (x.startsWith('--')) throw new UsageError(`unknown option ${x}`);
    else pos.push(x);
  }
  if (pos.length !== 2) throw new UsageError('give the input folder and the output folder');
  if (!(Number.isInteger(a.workers) && a.workers! >= 1)) throw new UsageError('--workers must be a whole number >= 1');
  if (!(a.memoryMB! >= 64)) throw new UsageError('--memory must be at least 64 (MB)');
  return { ...(a as Args), input: resolve(pos[0]), output: resolve(pos[1]) };
}

/** The page's parameter file (exported from the recipes view), groups included; or a bare object of recipes. */
function readParams(path: string): ParamLayer[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--params ${path}: ${(err as Error).message}`);
  }
  const file = readParamFile(text, path);
  if (!file.ok) throw new UsageError(file.problems.join('\n'));
  return paramLayersOf(file, path);
}

const say = (quiet: boolean, text: string) => {
  if (!quiet) process.stderr.write(`${text}\n`);
};

function describePlan(plan: Plan): string {
  const lines = [`plan: ${plan.runs.length} runs`];
  for (const r of plan.runs) lines.push(`  ${r.label} -> ${r.output.name}`);
  for (const f of plan.leftOut) lines.push(`  left out ${f.name}: ${f.reason}`);
  for (const n of plan.notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof UsageError && err.message ? `${err.message}\n` : ''}${USAGE}\n`);
    return 2;
  }
  if (!existsSync(args.input) || !statSync(args.input).isDirectory()) {
    process.stderr.write(`${args.input}: not a folder\n${USAGE}\n`);
    return 2;
  }
  let layers: ParamLayer[] = [];
  try {
    layers = args.params ? readParams(args.params) : [];
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  let total = 0;
  let done = 0;
  const summary = await reduceFolder(args.input, args.output, {
    params: layers,
    workers: args.workers,
    memoryBytes: args.memoryMB * 2 ** 20,
    onPlan: (plan, frames) => {
      for (const f of frames) {
        if (f.status === 'error') say(args.quiet, `cannot read ${f.name}: ${f.message}`);
        else if (f.message) say(args.quiet, `warning: ${f.name}: ${f.message}`);
      }
      say(args.quiet, describePlan(plan));
      total = runsToDo(plan).length;
    },
    onStart: (run) => say(args.quiet, `[${done}/${total}] ${run.label}...`),
    onFinish: (run, o) => {
      done++;
      if (o.status === 'done') {
        const warnings = o.result?.info.warnings ?? [];
        say(args.quiet, `[${done}/${total}] ${run.output.name} done in ${o.result?.seconds.toFixed(2)} s${warnings.length ? ` (${warnings.length} warning${warnings.length > 1 ? 's' : ''})` : ''}`);
        for (const w of warnings) say(args.quiet, `    warning: ${w}`);
      } else {
        say(false, `[${done}/${total}] ${run.label} FAILED: ${o.status === 'failed' ? o.error : o.status === 'not-run' ? o.reason : 'cancelled'}`);
      }
    },
    onLog: args.verbose ? (name, e) => say(false, `    ${name} ${e.step}${e.frame ? ` [${e.frame}]` : ''}: ${e.message}`) : undefined,
  });
  if (!summary.frames.length) {
    process.stderr.write(`${args.input}: no FITS files (.fits, .fit, .fts, .fz, .gz)\n`);
    return 1;
  }
  const products = [...summary.outcomes.values()].filter((o): o is Extract<RunOutcome, { status: 'done' }> => o.status === 'done').map((o) => o.product.name);
  if (!summary.executed) say(args.quiet, summary.plan.runs.length ? 'every product is up to date' : 'nothing to reduce');
  else say(args.quiet, `${products.length} products in ${args.output} (${summary.seconds.toFixed(1)} s)${summary.failures.length ? `; ${summary.failures.length} runs failed` : ''}`);
  process.stdout.write(`${JSON.stringify({ runs: summary.executed, failed: summary.failures.length, seconds: Number(summary.seconds.toFixed(2)), products, failures: summary.failures })}\n`);
  if (!summary.plan.runs.length) return 1;
  return summary.failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`reduce: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
