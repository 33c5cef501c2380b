/**
 * A small selection language over descriptor rows, after DRAGONS' dataselect:
 *
 *   type == "flat" and filter == "R"
 *   exptime > 30 or object != "M 31"
 *   not (binning == "2x2")
 *   filter in ("g", "r")            filter not in ("g", "r")
 *   object ~ "NGC*"                 (glob: * ? [abc], case-insensitive, whole value)
 *   date_obs >= "2024-03-01"
 *
 * Precedence: not > and > or; parentheses group. String == and != ignore case
 * and surrounding blanks; a number compares as a number when the other side is
 * a number or numeric text. A missing value fails every test except != and the
 * negated ones (as Python's None != 'R' is True). An empty expression selects
 * everything.
 *
 * Why hand-written and not a parser library or eval: the grammar is a dozen
 * productions, it must run inside Web Workers with no dependencies, user text
 * must never become code (no eval/Function, which a CSP may also forbid), and
 * errors must point at a column with a sentence a non-programmer can act on.
 */

import { DESCRIPTOR_FIELDS } from './fields';

export class SelectError extends Error {
  /** 0-based character offset of the problem in the expression. */
  readonly position: number;
  readonly expression: string;
  constructor(expression: string, position: number, problem: string) {
    super(`${problem} (at column ${position + 1})`);
    this.name = 'SelectError';
    this.expression = expression;
    this.position = position;
  }
  /** The expression with a caret under the problem, for monospace display. */
  get pointer(): string {
    return `${this.expression}\n${' '.repeat(this.position)}^`;
  }
}

export type FieldSpec = string | { name: string };
export type RowPredicate = (row: Record<string, unknown>) => boolean;

type TokenKind = 'ident' | 'string' | 'number' | 'op' | '(' | ')' | ',' | 'and' | 'or' | 'not' | 'in' | 'eof';
interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
  /** Parsed literal for 'string' and 'number'; canonical operator for 'op'. */
  value?: string | number;
}

type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | '~' | '!~';
const OPERATORS: [string, CmpOp][] = [
  ['==', '=='], ['!=', '!='], ['<>', '!='], ['<=', '<='], ['>=', '>='], ['!~', '!~'],
  ['=', '=='], ['<', '<'], ['>', '>'], ['~', '~'],
];
const WORDS: Record<string, TokenKind> = { and: 'and', or: 'or', not: 'not', in: 'in' };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    const start = i;
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c, text: c, pos: i++ });
      continue;
    }
    if (c === '"' || c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new SelectError(src, start, `text starting here has no closing ${c}`);
        if (src[i] === c) {
          // A doubled quote stands for itself, as in FITS and SQL: 'it''s'.
          if (src[i + 1] === c) { s += c; i += 2; continue; }
          i++;
          break;
        }
        if (src[i] === '\\' && i + 1 < src.length) i++;
        s += src[i++];
      }
      tokens.push({ kind: 'string', text: src.slice(start, i), pos: start, value: s });
      continue;
    }
    const num = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      const after = src[i + num[0].length];
      if (after !== undefined && /[A-Za-z_]/.test(after)) {
        throw new SelectError(src, start, `'${src.slice(i).split(/[\s()]/)[0]}' is neither a number nor a field name; put text in quotes`);
      }
      tokens.push({ kind: 'number', text: num[0], pos: start, value: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    if (src.startsWith('&&', i)) { tokens.push({ kind: 'and', text: '&&', pos: i }); i += 2; continue; }
    if (src.startsWith('||', i)) { tokens.push({ kind: 'or', text: '||', pos: i }); i += 2; continue; }
    const op = OPERATORS.find(([t]) => src.startsWith(t, i));
    if (op) {
      tokens.push({ kind: 'op', text: op[0], pos: i, value: op[1] });
      i += op[0].length;
      continue;
    }
    if (c === '!') { tokens.push({ kind: 'not', text: '!', pos: i++ }); continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z][A-Za-z0-9_]*)*/.exec(src.slice(i));
    if (id) {
      const word = WORDS[id[0].toLowerCase()];
      tokens.push({ kind: word ?? 'ident', text: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    throw new SelectError(src, i, `unexpected character '${c}'`);
  }
  tokens.push({ kind: 'eof', text: '', pos: src.length });
  return tokens;
}

type Node =
  | { k: 'and' | 'or'; a: Node; b: Node }
  | { k: 'not'; a: Node }
  | { k: 'cmp'; field: string; op: CmpOp; value: string | number }
  | { k: 'in'; field: string; values: (string | number)[]; negate: boolean };

/** Field names match ignoring case, and '-' stands for '_' (so FITS-minded 'DATE-OBS' finds date_obs). */
function canonicalField(name: string): string {
  return name.toLowerCase().replace(/-/g, '_');
}

/** Edit distance counting a swap of neighbours as one edit ('fitler' is one step from 'filter'). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly tokens: Token[],
    private readonly fields: Map<string, string>,
  ) {}

  private peek(): Token { return this.tokens[this.i]; }
  private next(): Token { return this.tokens[this.i++]; }
  private fail(tok: Token, problem: string): never { throw new SelectError(this.src, tok.pos, problem); }
  private describe(tok: Token): string { return tok.kind === 'eof' ? 'the end of the expression' : `'${tok.text}'`; }

  parse(): Node {
    const node = this.parseOr();
    const tok = this.peek();
    if (tok.kind === ')') this.fail(tok, "')' without a matching '('");
    if (tok.kind !== 'eof') this.fail(tok, `unexpected ${this.describe(tok)} after a complete condition: join conditions with 'and' or 'or'`);
    return node;
  }

  private parseOr(): Node {
    let a = this.parseAnd();
    while (this.peek().kind === 'or') { this.next(); a = { k: 'or', a, b: this.parseAnd() }; }
    return a;
  }

  private parseAnd(): Node {
    let a = this.parseNot();
    while (this.peek().kind === 'and') { this.next(); a = { k: 'and', a, b: this.parseNot() }; }
    return a;
  }

  private parseNot(): Node {
    if (this.peek().kind === 'not') { this.next(); return { k: 'not', a: this.parseNot() }; }
    return this.parsePrimary();
  }

  private parsePrimary(): Node {
    const tok = this.next();
    if (tok.kind === '(') {
      const inner = this.parseOr();
      const close = this.next();
      if (close.kind !== ')') this.fail(close, `expected ')' to close the '(' at column ${tok.pos + 1}, found ${this.describe(close)}`);
      return inner;
    }
    if (tok.kind === 'ident') return this.parseComparison(tok);
    if (tok.kind === 'string' || tok.kind === 'number') {
      this.fail(tok, `expected a field name, found the value ${tok.text}: write conditions as field operator value, e.g. exptime > 30`);
    }
    if (tok.kind === 'eof') this.fail(tok, "the expression ends too early: expected a field name, 'not' or '('");
    this.fail(tok, `expected a field name, 'not' or '(', found ${this.describe(tok)}`);
  }

  private field(tok: Token): string {
    const name = this.fields.get(canonicalField(tok.text));
    if (name !== undefined) return name;
    const wanted = canonicalField(tok.text);
    let best: string | undefined;
    let bestD = Infinity;
    for (const [canon, real] of this.fields) {
      const d = editDistance(wanted, canon);
      if (d < bestD) { bestD = d; best = real; }
    }
    const suggestion = best !== undefined && bestD <= Math.max(1, Math.floor(wanted.length / 3)) ? `; did you mean '${best}'?` : '.';
    const known = [...this.fields.values()].join(', ');
    this.fail(tok, `unknown field '${tok.text}'${suggestion} Known fields: ${known}`);
  }

  private literal(after: Token, op: string): string | number {
    const tok = this.next();
    if (tok.kind === 'string' || tok.kind === 'number') return tok.value as string | number;
    if (tok.kind === 'ident') {
      this.fail(tok, `expected a value after '${op}', found the word ${tok.text}: put text in quotes, e.g. "${tok.text}"`);
    }
    this.fail(tok, `expected a value after '${after.text}', found ${this.describe(tok)}`);
  }

  private parseComparison(fieldTok: Token): Node {
    const field = this.field(fieldTok);
    const tok = this.next();
    if (tok.kind === 'op') {
      const op = tok.value as CmpOp;
      const value = this.literal(tok, tok.text);
      if ((op === '~' || op === '!~') && typeof value !== 'string') {
        this.fail(this.tokens[this.i - 1], `a ${tok.text} pattern must be quoted text, e.g. "NGC*"`);
      }
      return { k: 'cmp', field, op, value };
    }
    let negate = false;
    let inTok = tok;
    if (tok.kind === 'not' && this.peek().kind === 'in') { negate = true; inTok = this.next(); }
    if (inTok.kind === 'in') {
      const open = this.next();
      if (open.kind !== '(') this.fail(open, `expected '(' after 'in', e.g. ${field} in ("g", "r")`);
      const values: (string | number)[] = [];
      for (;;) {
        values.push(this.literal(open, 'in ('));
        const sep = this.next();
        if (sep.kind === ')') break;
        if (sep.kind !== ',') this.fail(sep, `expected ',' or ')' in the list after 'in', found ${this.describe(sep)}`);
      }
      return { k: 'in', field, values, negate };
    }
    this.fail(tok, `expected an operator (==, !=, <, <=, >, >=, ~, in) after field '${fieldTok.text}', found ${this.describe(tok)}`);
  }
}

type Scalar = string | number | undefined;

function scalar(v: unknown): Scalar {
  if (typeof v === 'number') return Number.isNaN(v) ? undefined : v;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return undefined;
}

function numeric(v: string | number): number | undefined {
  if (typeof v === 'number') return v;
  const s = v.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

/** -1/0/1, or undefined when the two cannot be ordered (number against non-numeric text). */
function order(a: string | number, b: string | number): number | undefined {
  if (typeof a === 'number' || typeof b === 'number') {
    const x = numeric(a);
    const y = numeric(b);
    if (x === undefined || y === undefined) return undefined;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = a.trim().toLowerCase();
  const y = b.trim().toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) { re += '\\['; continue; }
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'is');
}

function compileNode(node: Node): RowPredicate {
  switch (node.k) {
    case 'and': { const a = compileNode(node.a); const b = compileNode(node.b); return (r) => a(r) && b(r); }
    case 'or': { const a = compileNode(node.a); const b = compileNode(node.b); return (r) => a(r) || b(r); }
    case 'not': { const a = compileNode(node.a); return (r) => !a(r); }
    case 'in': {
      const { field, values, negate } = node;
      return (r) => {
        const v = scalar(r[field]);
        const hit = v !== undefined && values.some((x) => order(v, x) === 0);
        return negate ? !hit : hit;
      };
    }
    case 'cmp': {
      const { field, op, value } = node;
      if (op === '~' || op === '!~') {
        const re = globToRegExp(String(value));
        const want = op === '~';
        return (r) => {
          const v = scalar(r[field]);
          return v === undefined ? !want : re.test(String(v).trim()) === want;
        };
      }
      return (r) => {
        const v = scalar(r[field]);
        if (v === undefined) return op === '!=';
        const o = order(v, value);
        if (o === undefined) return op === '!=';
        switch (op) {
          case '==': return o === 0;
          case '!=': return o !== 0;
          case '<': return o < 0;
          case '<=': return o <= 0;
          case '>': return o > 0;
          case '>=': return o >= 0;
        }
      };
    }
  }
}

/**
 * Compile `expr` into a row predicate. `fields` lists the field names rows
 * carry (by default DESCRIPTOR_FIELDS); naming any other field is a SelectError.
 */
export function compileSelect(expr: string, fields: readonly FieldSpec[] = DESCRIPTOR_FIELDS): RowPredicate {
  if (expr.trim() === '') return () => true;
  const known = new Map<string, string>();
  for (const f of fields) {
    const name = typeof f === 'string' ? f : f.name;
    known.set(canonicalField(name), name);
  }
  const tokens = tokenize(expr);
  return compileNode(new Parser(expr, tokens, known).parse());
}
