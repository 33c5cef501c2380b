import { describe, expect, it } from 'vitest';
import { classifyFrame } from './frameType';
import type { Card } from '../fits/types';

// What the pipeline writes on its products (core/pipeline/provenance.ts), on top of the first input's header.
const product = (prodtype: string, imagetyp: string): Card[] => [
  { key: 'IMAGETYP', value: imagetyp }, { key: 'PRODTYPE', value: prodtype }, { key: 'NCOMBINE', value: 7 },
];

describe('products of the workbench coming back as files', () => {
  it('a master is a master of its type', () => {
    const c = classifyFrame(product('MASTER FLAT', 'MASTER FLAT'));
    expect(c.type).toBe('flat');
    expect(c.master?.reason).toMatch(/names a master/);
    expect(c.reason).toMatch(/made by the CCD workbench/);
  });

  it('a reduced frame or a stack is not raw science to reduce again', () => {
    for (const kind of ['REDUCED', 'STACK']) {
      const c = classifyFrame(product(kind, 'Light Frame'));
      expect(c.type).toBe('unclassified');
      expect(c.reason).toMatch(/not raw data/);
      expect(c.master).toBeUndefined();
    }
  });
});
