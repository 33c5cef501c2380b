/** Data-quality bits, DRAGONS values. Combined with bitwise OR in arithmetic. */
export const DQ = {
  good: 0,
  bad: 1,
  nonLinear: 2,
  saturated: 4,
  cosmicRay: 8,
  noData: 16,
  overlap: 32,
  unilluminated: 64,
} as const;

export type DqBit = (typeof DQ)[keyof typeof DQ];
