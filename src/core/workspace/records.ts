/**
 * The shape every archived record must have before anything is written: the
 * keys the database indexes, and the fields the library, the plan and the runs
 * view read. A record that fails names its table, its line and the field.
 * (Nested provenance, such as a product's parameters or a run's plan, is checked
 * to be an object of the right kind; its inner fields are the pipeline's own.)
 */
import type { TableName } from './format';

type Rec = Record<string, unknown>;
type Check = (r: Rec) => string | undefined;

const isObj = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (k: string): Check => (r) => (typeof r[k] === 'string' ? undefined : `"${k}" is not text`);
const optStr = (k: string): Check => (r) => (r[k] === undefined || typeof r[k] === 'string' ? undefined : `"${k}" is not text`);
const num = (k: string): Check => (r) => (typeof r[k] === 'number' && Number.isFinite(r[k]) ? undefined : `"${k}" is not a number`);
const optNum = (k: string): Check => (r) => (r[k] === undefined || (typeof r[k] === 'number' && Number.isFinite(r[k])) ? undefined : `"${k}" is not a number`);
const int = (k: string, min = 0): Check => (r) => (Number.isInteger(r[k]) && (r[k] as number) >= min ? undefined : `"${k}" is not a whole number >= ${min}`);
const obj = (k: string): Check => (r) => (isObj(r[k]) ? undefined : `"${k}" is not an object`);
const optObj = (k: string): Check => (r) => (r[k] === undefined || isObj(r[k]) ? undefined : `"${k}" is not an object`);
const arr = (k: string, item?: (v: unknown) => boolean): Check => (r) =>
  Array.isArray(r[k]) && (!item || (r[k] as unknown[]).every(item)) ? undefined : `"${k}" is not a list${item ? ' of the right items' : ''}`;
const oneOf = (k: string, values: readonly string[]): Check => (r) => (values.includes(r[k] as string) ? undefined : `"${k}" is not one of ${values.join(', ')}`);
const optBool = (k: string): Check => (r) => (r[k] === undefined || typeof r[k] === 'boolean' ? undefined : `"${k}" is not true or false`);

const FRAME_TYPES = ['bias', 'dark', 'flat', 'science', 'unclassified', 'product'];
const decision = (v: unknown) => isObj(v) && typeof v.type === 'string' && typeof v.reason === 'string';

const hduSummary = (v: unknown) => isObj(v) && Number.isInteger(v.index) && typeof v.extname === 'string' && Array.isArray(v.naxis) && typeof v.isImage === 'boolean';
const card = (v: unknown) => isObj(v) && typeof v.key === 'string';
const headerHdu = (v: unknown) => isObj(v) && Number.isInteger(v.index) && typeof v.extname === 'string' && Array.isArray(v.cards) && v.cards.every(card);

const CHECKS: Record<TableName, Check[]> = {
  files: [
    str('id'), str('name'), str('path'), num('size'), num('addedAt'), oneOf('status', ['ok', 'error']), str('message'),
    arr('hdus', hduSummary), int('imageHdu', -1), int('width'), int('height'), int('depth'), int('stripRows'),
    obj('descriptors'), (r) => (decision(r.auto) ? undefined : '"auto" is not a type decision'),
    (r) => (r.user === undefined || decision(r.user) ? undefined : '"user" is not a type decision'),
    oneOf('type', FRAME_TYPES), optObj('stats'), optObj('calibration'),
    (r) => (r.product === undefined || (isObj(r.product) && typeof r.product.runKey === 'string' && typeof r.product.kind === 'string' && Array.isArray(r.product.inputs))
      ? undefined : '"product" is not a product description'),
    (r) => (r.status === 'ok' && r.imageHdu !== -1 && !((r.stripRows as number) > 0) ? '"stripRows" is 0 for a file with pixels' : undefined),
  ],
  headers: [str('fileId'), arr('hdus', headerHdu)],
  runs: [
    str('id'), str('key'), str('batch'), str('label'), str('recipe'),
    oneOf('status', ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted']),
    obj('planned'), optObj('spec'), num('progress'), str('step'), arr('log', isObj), optStr('error'), optStr('productId'),
    num('createdAt'), optNum('startedAt'), optNum('endedAt'), optNum('heartbeat'), optStr('session'),
  ],
  pins: [str('id'), str('step'), optStr('frameId'), optStr('scope'), optStr('calibrationId'), optBool('skip'), num('createdAt'),
    (r) => (r.frameId === undefined && r.scope === undefined ? 'neither "frameId" nor "scope" is set' : undefined)],
  exclusions: [str('frameId'), optStr('note'), num('createdAt')],
  params: [str('id'), oneOf('kind', ['user', 'preset']), str('name'), optStr('scope'), obj('values'), optBool('active'), num('updatedAt')],
  overrules: [str('id'), str('frameId'), str('step'), num('createdAt')],
};

/** The key a record is stored under (for duplicate checks and merging). */
export function recordKey(table: TableName, r: Rec): string {
  return String(table === 'headers' ? r.fileId : table === 'exclusions' ? r.frameId : r.id);
}

/** Undefined when `record` may be stored in `table`, else what is wrong with it. */
export function checkRecord(table: TableName, record: unknown): string | undefined {
  if (!isObj(record)) return 'it is not an object';
  for (const check of CHECKS[table]) {
    const problem = check(record);
    if (problem) return problem;
  }
  return undefined;
}
