/**
 * The fields a frame is described by, under the names the library table and
 * the select language use (snake_case, DRAGONS-like), with display labels and
 * units. `descriptorRow` turns descriptors + classification into such a row.
 */
import type { DescriptorKey, DescriptorSet } from './descriptors';
import type { Classification } from './frameType';

export interface DescriptorField {
  /** Name in rows and in select expressions. */
  name: string;
  label: string;
  unit?: string;
  /** 'date' values are ISO text and sort as text. ra/dec may hold a number or sexagesimal text ('angle'). */
  kind: 'string' | 'number' | 'date' | 'angle';
  /** Where the value comes from: a descriptor (its keyword is in sources[descriptor]), the classification, or the caller. */
  from: DescriptorKey | 'classification' | 'file';
  description: string;
}

export const DESCRIPTOR_FIELDS: readonly DescriptorField[] = [
  { name: 'file', label: 'File', kind: 'string', from: 'file', description: 'File name' },
  { name: 'type', label: 'Type', kind: 'string', from: 'classification', description: 'bias, dark, flat, science or unclassified' },
  { name: 'filter', label: 'Filter', kind: 'string', from: 'filter', description: 'Filter name (non-open wheel slots joined with &)' },
  { name: 'exptime', label: 'Exposure', unit: 's', kind: 'number', from: 'exptime', description: 'Exposure time' },
  { name: 'date_obs', label: 'Date-obs', unit: 'UTC', kind: 'date', from: 'dateObs', description: 'Start of exposure' },
  { name: 'mjd', label: 'MJD', unit: 'd', kind: 'number', from: 'mjd', description: 'Modified Julian Date of the start of exposure' },
  { name: 'night', label: 'Night', kind: 'date', from: 'night', description: 'Local date on which the observing night began' },
  { name: 'object', label: 'Object', kind: 'string', from: 'object', description: 'Target name' },
  { name: 'binning', label: 'Binning', kind: 'string', from: 'binning', description: 'Binning, X x Y' },
  { name: 'binx', label: 'Bin X', kind: 'number', from: 'binX', description: 'Binning along NAXIS1' },
  { name: 'biny', label: 'Bin Y', kind: 'number', from: 'binY', description: 'Binning along NAXIS2' },
  { name: 'shape', label: 'Shape', unit: 'px', kind: 'string', from: 'shape', description: 'Image size, NAXIS1 x NAXIS2' },
  { name: 'width', label: 'Width', unit: 'px', kind: 'number', from: 'width', description: 'NAXIS1' },
  { name: 'height', label: 'Height', unit: 'px', kind: 'number', from: 'height', description: 'NAXIS2' },
  { name: 'instrument', label: 'Instrument', kind: 'string', from: 'instrument', description: 'Instrument or camera' },
  { name: 'detector', label: 'Detector', kind: 'string', from: 'detector', description: 'Detector or CCD name' },
  { name: 'telescope', label: 'Telescope', kind: 'string', from: 'telescope', description: 'Telescope' },
  { name: 'observer', label: 'Observer', kind: 'string', from: 'observer', description: 'Observer' },
  { name: 'readout', label: 'Readout', kind: 'string', from: 'readout', description: 'Readout mode, speed, amplifier and CMOS gain/offset settings' },
  { name: 'gain', label: 'Gain', unit: 'e-/ADU', kind: 'number', from: 'gain', description: 'Electrons per ADU' },
  { name: 'gain_setting', label: 'Gain setting', kind: 'number', from: 'gainSetting', description: 'CMOS camera gain setting (not e-/ADU)' },
  { name: 'offset', label: 'Offset', kind: 'number', from: 'offset', description: 'CMOS offset setting' },
  { name: 'rdnoise', label: 'Read noise', unit: 'e-', kind: 'number', from: 'readNoise', description: 'Read noise' },
  { name: 'saturation', label: 'Saturation', unit: 'ADU', kind: 'number', from: 'saturation', description: 'Saturation level' },
  { name: 'ccd_temp', label: 'CCD temp.', unit: '°C', kind: 'number', from: 'ccdTemp', description: 'Detector temperature (or set point)' },
  { name: 'airmass', label: 'Airmass', kind: 'number', from: 'airmass', description: 'Airmass' },
  { name: 'ra', label: 'RA', kind: 'angle', from: 'ra', description: 'Right ascension as written (degrees or sexagesimal)' },
  { name: 'dec', label: 'Dec', kind: 'angle', from: 'dec', description: 'Declination as written (degrees or sexagesimal)' },
  { name: 'biassec', label: 'BIASSEC', kind: 'string', from: 'biassec', description: 'Overscan section (FITS, 1-based, inclusive)' },
  { name: 'datasec', label: 'DATASEC', kind: 'string', from: 'datasec', description: 'Data section' },
  { name: 'trimsec', label: 'TRIMSEC', kind: 'string', from: 'trimsec', description: 'Trim section' },
  { name: 'ccdsec', label: 'CCDSEC', kind: 'string', from: 'ccdsec', description: 'Section of the CCD read out' },
  { name: 'bunit', label: 'Unit', kind: 'string', from: 'bunit', description: 'Pixel unit (BUNIT)' },
  { name: 'disperser', label: 'Disperser', kind: 'string', from: 'disperser', description: "Grating or grism as written ('MIRROR', 'Open' when none)" },
  { name: 'slit', label: 'Slit/mask', kind: 'string', from: 'slit', description: "Slit, decker or focal-plane mask as written ('None' when none)" },
  { name: 'obsmode', label: 'Obs. mode', kind: 'string', from: 'obsmode', description: 'Observing mode or technique (OBSMODE, ESO DPR TECH, ...)' },
];

export type DescriptorRow = Record<string, string | number | undefined>;

/** A flat row keyed by DESCRIPTOR_FIELDS names, for the table and compileSelect. */
export function descriptorRow(d: DescriptorSet, c?: Classification, file?: string): DescriptorRow {
  const row: DescriptorRow = {};
  for (const f of DESCRIPTOR_FIELDS) {
    if (f.from === 'file') row[f.name] = file;
    else if (f.from === 'classification') row[f.name] = c?.type;
    else row[f.name] = d[f.from];
  }
  return row;
}

/** The keyword(s) behind a field's value in this row, for "which keyword decided". */
export function fieldSource(field: DescriptorField, d: DescriptorSet, c?: Classification): string | undefined {
  if (field.from === 'file') return undefined;
  if (field.from === 'classification') return c?.keyword;
  return d.sources[field.from];
}
