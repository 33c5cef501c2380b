import { describe, expect, it } from 'vitest';
import { canonicalJson, signatureOf } from './signature';

describe('canonicalJson', () => {
  it('does not depend on key order, at any depth', () => {
    const a = { recipe: 'x', params: { b: 1, a: { z: true, y: null } }, list: [{ q: 1, p: 2 }] };
    const b = { list: [{ p: 2, q: 1 }], params: { a: { y: null, z: true }, b: 1 }, recipe: 'x' };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"list":[{"p":2,"q":1}],"params":{"a":{"y":null,"z":true},"b":1},"recipe":"x"}');
  });

  it('keeps array order', () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });

  it('leaves out undefined members, like JSON', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(canonicalJson({ a: 1, b: undefined })).toBe(JSON.stringify({ a: 1, b: undefined }));
  });

  it('writes scalars as JSON', () => {
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
    expect(canonicalJson(1.5)).toBe('1.5');
    expect(canonicalJson(false)).toBe('false');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('keeps types apart', () => {
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
    expect(canonicalJson({ a: null })).not.toBe(canonicalJson({}));
  });
});

describe('signatureOf', () => {
  const base = {
    recipe: 'reduceScience',
    inputs: [{ in: 'raw1', bias: 'run:abc', dark: null, flat: 'mflat' }],
    params: { flatCorrect: { minValue: null }, flagCosmicRays: { sigclip: 4.5, niter: 4 }, overscanCorrect: { function: 'auto' } },
  };

  it('is 28 hex digits and deterministic', () => {
    expect(signatureOf(base)).toMatch(/^[0-9a-f]{28}$/);
    expect(signatureOf(base)).toBe(signatureOf(JSON.parse(JSON.stringify(base))));
  });

  it('does not depend on key order', () => {
    const reordered = {
      params: { overscanCorrect: { function: 'auto' }, flagCosmicRays: { niter: 4, sigclip: 4.5 }, flatCorrect: { minValue: null } },
      inputs: [{ flat: 'mflat', dark: null, bias: 'run:abc', in: 'raw1' }],
      recipe: 'reduceScience',
    };
    expect(signatureOf(reordered)).toBe(signatureOf(base));
  });

  it('changes with any value', () => {
    const variants: unknown[] = [
      { ...base, recipe: 'stackScience' },
      { ...base, inputs: [{ ...base.inputs[0], in: 'raw2' }] },
      { ...base, inputs: [{ ...base.inputs[0], bias: 'run:abd' }] },
      { ...base, inputs: [{ ...base.inputs[0], dark: 'mdark' }] },
      { ...base, inputs: [{ ...base.inputs[0], flat: null }] },
      { ...base, inputs: [...base.inputs, base.inputs[0]] },
      { ...base, params: { ...base.params, flatCorrect: { minValue: 0.1 } } },
      { ...base, params: { ...base.params, flagCosmicRays: { sigclip: 4.6, niter: 4 } } },
      { ...base, params: { ...base.params, flagCosmicRays: { sigclip: 4.5, niter: 5 } } },
      { ...base, params: { ...base.params, flagCosmicRays: { sigclip: '4.5', niter: 4 } } },
      { ...base, params: { ...base.params, overscanCorrect: { function: 'spline' } } },
      { ...base, params: { ...base.params, overscanCorrect: { function: 'auto', extra: false } } },
    ];
    const sigs = new Set([signatureOf(base), ...variants.map(signatureOf)]);
    expect(sigs.size).toBe(variants.length + 1);
  });

  it('tells apart values that differ in one character, in either hash lane', () => {
    const seen = new Set<string>();
    const lanes = [new Set<string>(), new Set<string>()];
    for (let i = 0; i < 2000; i++) {
      const s = signatureOf({ value: i / 1000 });
      seen.add(s);
      lanes[0].add(s.slice(0, 14));
      lanes[1].add(s.slice(14));
    }
    expect(seen.size).toBe(2000);
    expect(lanes[0].size).toBe(2000);
    expect(lanes[1].size).toBe(2000);
  });
});
