/**
 * Where frames the pipeline registered sit relative to each other, so the
 * inspector's locked pan can show the same sky in each. A stack lists its
 * members (reduced frames) with their offsets to its reference frame: a star
 * at (x, y) in the stack is at (x + dx, y + dy) in the member. A raw frame is
 * its reduced frame before trimming, so it is further offset by the origin
 * of the section the pipeline kept (TRIMSEC, else DATASEC).
 */
import { parseSection } from '../kernels/section';

export interface AlignableFrame {
  id: string;
  product?: {
    kind: string;
    inputs: readonly { id: string }[];
    members?: readonly { id: string; dx: number; dy: number }[];
  };
  /** Raw frames: the TRIMSEC or DATASEC the pipeline trims to. */
  section?: string;
}

export interface Alignment {
  /** The stack whose registration places the frames. */
  stack: string;
  /** Offset of each placed frame: its pixel = the stack's pixel + offset. */
  offsets: Map<string, { dx: number; dy: number }>;
}

function sectionOrigin(section: string | undefined): { x: number; y: number } {
  if (!section) return { x: 0, y: 0 };
  try {
    const s = parseSection(section);
    return { x: s.x0, y: s.y0 };
  } catch {
    return { x: 0, y: 0 };
  }
}

/**
 * The registration that places the most of `open` (at least two), from any
 * stack in `library`; undefined when none places two of them.
 */
export function alignFrames(open: readonly string[], library: readonly AlignableFrame[]): Alignment | undefined {
  const byId = new Map(library.map((f) => [f.id, f]));
  const wanted = new Set(open);
  let best: Alignment | undefined;
  let bestCount = 1;
  for (const stack of library) {
    if (stack.product?.kind !== 'stack' || !stack.product.members) continue;
    const offsets = new Map<string, { dx: number; dy: number }>([[stack.id, { dx: 0, dy: 0 }]]);
    for (const m of stack.product.members) {
      offsets.set(m.id, { dx: m.dx, dy: m.dy });
      const raw = byId.get(m.id)?.product?.inputs[0]?.id;
      if (raw) {
        const o = sectionOrigin(byId.get(raw)?.section);
        offsets.set(raw, { dx: m.dx + o.x, dy: m.dy + o.y });
      }
    }
    const count = [...wanted].filter((id) => offsets.has(id)).length;
    if (count > bestCount) {
      bestCount = count;
      best = { stack: stack.id, offsets: new Map([...offsets].filter(([id]) => wanted.has(id))) };
    }
  }
  return best;
}
