/**
 * Recipes: short, readable lists of primitive calls (DRAGONS' recipes_*.py).
 * A step may carry the recipe's own defaults for its primitive's parameters;
 * the user's values and presets go over them (params.ts).
 *
 * The order of the first steps follows DRAGONS rather than the order in
 * which the issue lists them, where it matters for correctness:
 * - addDQ comes first: saturation is a property of the raw ADU.
 * - addVariance comes before flatCorrect: its Poisson term must be the counts
 *   actually detected; dividing by the flat then scales VAR by 1/flat^2 as it
 *   should. (Computing it after the flat would be off by the flat's value,
 *   up to the depth of the vignetting.)
 */
import type { ParamSpec, RecipeSchema, StepValues } from './params';
import type { Primitive } from './primitive';
import type { ProductKind } from './products';
import { addDQ } from './primitives/dq';
import { overscanCorrect, trimData } from './primitives/overscan';
import { flatCorrect, subtractBias, subtractDark } from './primitives/calibrate';
import { ADUToElectrons, addVariance } from './primitives/electrons';
import { measureReadNoise } from './primitives/readNoise';
import { measureGain } from './primitives/gain';
import { flagCosmicRays } from './primitives/cosmics';
import { checkFlatLevel, flagFlatBadPixels, normalizeFlat } from './primitives/flats';
import { detectSources } from './primitives/sources';
import { adjustOffsets, resample, scaleToReference, selectFrames, stackFrames } from './primitives/stack';
import { tileArrays } from './primitives/tile';

export interface RecipeStep {
  /** Unique within the recipe; the primitive's name unless it appears twice. */
  id: string;
  primitive: Primitive;
  defaults?: StepValues;
}

export type RecipeName = 'makeMasterBias' | 'makeMasterDark' | 'makeMasterFlat' | 'reduceScience' | 'stackScience';

export interface Recipe {
  name: RecipeName;
  doc: string;
  produces: ProductKind;
  /** 'one': one input, one product (reduceScience). 'many': many inputs into one product. */
  inputs: 'one' | 'many';
  steps: RecipeStep[];
}

const step = (primitive: Primitive, defaults?: StepValues): RecipeStep => ({ id: primitive.name, primitive, defaults });

export const makeMasterBias: Recipe = {
  name: 'makeMasterBias',
  doc: 'Master bias from raw biases of one configuration: overscan, trim, read noise (measured where no header gives it), stack (sigma-clipped mean).',
  produces: 'bias',
  inputs: 'many',
  steps: [
    step(addDQ),
    step(overscanCorrect),
    step(trimData),
    step(addVariance, { poisson: false }),
    step(measureReadNoise),
    step(stackFrames, { operation: 'mean', reject: 'sigclip', scale: 'none' }),
  ],
};

export const makeMasterDark: Recipe = {
  name: 'makeMasterDark',
  doc: 'Master dark from raw darks of one configuration and exposure: overscan, trim, bias, noise (measured where no header gives it), stack. Kept in ADU with its exposure time, so it can be scaled to another.',
  produces: 'dark',
  inputs: 'many',
  steps: [
    step(addDQ),
    step(overscanCorrect),
    step(trimData),
    step(subtractBias),
    step(addVariance),
    step(measureReadNoise),
    step(stackFrames, { operation: 'mean', reject: 'sigclip', scale: 'none' }),
  ],
};

export const makeMasterFlat: Recipe = {
  name: 'makeMasterFlat',
  doc: 'Master flat of one filter: overscan, trim, bias, dark, unsuitable flats refused, the gain measured where nothing gives it, electrons, stack of flats each scaled by its inverse median, normalized; bad pixels it shows go to DQ.',
  produces: 'flat',
  inputs: 'many',
  steps: [
    step(addDQ),
    step(overscanCorrect),
    step(trimData),
    step(subtractBias),
    step(subtractDark),
    step(checkFlatLevel),
    step(measureGain),
    step(ADUToElectrons),
    step(addVariance),
    step(stackFrames, { operation: 'mean', reject: 'sigclip', scale: 'median' }),
    step(normalizeFlat),
    step(flagFlatBadPixels),
  ],
};

export const reduceScience: Recipe = {
  name: 'reduceScience',
  doc: 'One science frame: overscan, trim, bias, dark, electrons, variance, flat, cosmic rays, then its image quality.',
  produces: 'reduced',
  inputs: 'one',
  steps: [
    step(addDQ),
    step(overscanCorrect),
    step(trimData),
    step(subtractBias),
    step(subtractDark),
    step(ADUToElectrons),
    step(addVariance),
    step(flatCorrect),
    step(flagCosmicRays),
    step(detectSources),
  ],
};

export const stackScience: Recipe = {
  name: 'stackScience',
  doc: 'Reduced frames of one target and filter: stars, registration to the reference frame, sub-pixel resampling, scaling to the reference, combine with rejection.',
  produces: 'stack',
  inputs: 'many',
  steps: [
    step(tileArrays),
    step(detectSources),
    step(selectFrames),
    step(adjustOffsets),
    step(scaleToReference),
    step(resample),
    step(stackFrames, { operation: 'mean', reject: 'sigclip', scale: 'reference' }),
  ],
};

export const RECIPES: Record<RecipeName, Recipe> = { makeMasterBias, makeMasterDark, makeMasterFlat, reduceScience, stackScience };

export const RECIPE_LIST: readonly Recipe[] = Object.values(RECIPES);

export function isRecipeName(name: string): name is RecipeName {
  return Object.prototype.hasOwnProperty.call(RECIPES, name);
}

/** The recipe as parameter resolution sees it. */
export function recipeSchema(recipe: Recipe): RecipeSchema {
  return {
    name: recipe.name,
    steps: recipe.steps.map((s) => ({ id: s.id, params: s.primitive.params as readonly ParamSpec[], defaults: s.defaults })),
  };
}

export const RECIPE_SCHEMAS: readonly RecipeSchema[] = RECIPE_LIST.map(recipeSchema);
