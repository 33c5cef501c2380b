/**
 * Header classification: descriptors (exposure, filter, binning, ...), frame
 * type with the keyword that decided it (and whether it is a master made by
 * another tool), imaging vs spectroscopy, and the select language over them.
 */
import type { Card } from '../fits/types';
import { extractDescriptors, type DescriptorSet } from './descriptors';
import { descriptorRow, type DescriptorRow } from './fields';
import { classifyFrame, type Classification } from './frameType';

export { extractDescriptors, isEmptyFilterSlot } from './descriptors';
export type { Descriptors, DescriptorKey, DescriptorSet } from './descriptors';
export { classifyFrame } from './frameType';
export type { Classification } from './frameType';
export { FRAME_TYPE_RULES } from './frameRules';
export type { FrameTypeRule, RuleVerdict } from './frameRules';
export { interpretTypeWord, normalizeTypeWord } from './frameVocabulary';
export type { FrameType, Meaning } from './frameVocabulary';
export { COMBINE_COUNT_KEYWORDS, DRAGONS_PROCESSED_STAMPS, masterEvidence } from './masters';
export type { MasterCalibration, TypeVerdict } from './masters';
export { isEmptyOpticsSlot, observingTechnique, spectroscopyReason } from './imaging';
export type { OpticsDescriptors } from './imaging';
export { compileSelect, SelectError } from './select';
export type { FieldSpec, RowPredicate } from './select';
export { DESCRIPTOR_FIELDS, descriptorRow, fieldSource } from './fields';
export type { DescriptorField, DescriptorRow } from './fields';
export { HeaderLookup, normalizeKey } from './headerLookup';
export type { HduName } from './headerLookup';
export { observingNight, parseDateObs, parseLongitude } from './dates';

export interface FrameDescription {
  descriptors: DescriptorSet;
  classification: Classification;
  /** Flat row for the library table and compileSelect. */
  row: DescriptorRow;
}

/** Everything the library needs about one file's header(s) in one call. */
export function describeHeader(primary: readonly Card[], image?: readonly Card[], file?: string): FrameDescription {
  const descriptors = extractDescriptors(primary, image);
  const classification = classifyFrame(primary, image);
  return { descriptors, classification, row: descriptorRow(descriptors, classification, file) };
}
