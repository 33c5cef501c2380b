/**
 * A parameter typed into a text field: the text becomes a value, and the
 * value goes through the schema's own checkParam, so the field refuses
 * exactly what the plan and `npm run reduce -- --params` would refuse.
 */
import { checkParam, type ParamSpec, type ParamValue } from '../../core/pipeline/params';

export type Parsed = { ok: true; value: ParamValue } | { ok: false; error: string };

export function parseField(spec: ParamSpec, text: string): Parsed {
  const t = text.trim();
  // An empty field is "auto" (null) where the schema allows it; checkParam says so otherwise.
  let value: unknown = t === '' ? null : t;
  if (t !== '' && (spec.type === 'number' || spec.type === 'integer')) {
    // Number('') and Number(' ') are 0 and Number('0x10') is 16: only decimal text counts as a number.
    value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : t;
  } else if (t !== '' && spec.type === 'string') {
    value = text; // kept as typed: a section's blanks are the user's business
  }
  const error = checkParam(spec, value);
  return error ? { ok: false, error } : { ok: true, value: value as ParamValue };
}

/** The text a field shows for a value: empty for null, which the engine decides (the empty field's hint reads "auto"). */
export function fieldText(v: ParamValue | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}

/** "0.1 – 1", "≥ 0", one of ..., shown beside the field like showpars' "Allowed values". */
export function allowedText(spec: ParamSpec): string {
  let s: string;
  switch (spec.type) {
    case 'boolean':
      s = 'true or false';
      break;
    case 'choice':
      s = (spec.choices ?? []).join(', ');
      break;
    case 'string':
      s = 'text';
      break;
    default: {
      const kind = spec.type === 'integer' ? 'whole number' : 'number';
      if (spec.min !== undefined && spec.max !== undefined) s = `${kind} ${spec.min} – ${spec.max}`;
      else if (spec.min !== undefined) s = `${kind} ≥ ${spec.min}`;
      else if (spec.max !== undefined) s = `${kind} ≤ ${spec.max}`;
      else s = kind;
    }
  }
  return spec.nullable ? `${s}, or empty` : s;
}
