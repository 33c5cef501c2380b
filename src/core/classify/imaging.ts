/**
 * Imaging or spectroscopy, from the disperser / slit / obsmode descriptors.
 * Imaging recipes leave a spectroscopic frame out and show the sentence
 * `spectroscopyReason` returns. A frame with none of these keywords (every
 * amateur camera, most imagers) is imaging: nothing here guesses from pixels.
 *
 * Rules, in the order they are applied:
 *  1. a disperser value other than an empty-slot word is decisive: a grating
 *     or grism in the beam disperses the light whatever else the header says
 *     (DRAGONS tags GMOS SPECT exactly when GRATING != 'MIRROR');
 *  2. an observing mode naming a spectroscopic technique is decisive
 *     (OSIRIS 'OsirisLongSlitSpectroscopy', FORS INS MODE 'LSS'/'MOS'/'MXU',
 *     ESO DPR TECH 'SPECTRUM', 'ECHELLE', 'IFU', 'MOS', ALFOSC 'SPECTROSCOPY');
 *  3. an observing mode naming imaging ('IMAGE', 'IMAGING', 'IMG') is decisive
 *     the other way: the observatory's own statement beats a slit keyword that
 *     may only record where the slit unit was parked;
 *  4. a slit or mask value other than an empty-slot word leaves the frame
 *     out: with a disperser it is spectroscopy, without one (GMOS GRATING =
 *     'MIRROR' with MASKNAME = '1.0arcsec', DRAGONS' THRUSLIT) it is a
 *     through-slit acquisition image, not a sky image to stack either.
 * Everything else is imaging, so a value this code does not know never
 * excludes a frame on its own except as a disperser or slit name.
 */
import type { DescriptorKey, Descriptors } from './descriptors';

/**
 * Words for an empty or imaging position of a grism, grating or slit wheel
 * (case, brackets and separators ignored). As the first word of the value:
 *  - 'MIRROR': GMOS GRATING in imaging (the grating turret's mirror);
 *  - 'open...', 'clear...', 'empty...': generic, ALFOSC 'Open (Lyot)',
 *    NOTCam/OSIRIS 'OPEN', numbered slots such as 'open2-8';
 *  - 'free': EFOSC2 'Free' grism and slit wheels;
 *  - 'none', 'no', 'no grism', 'nograting', ...: GMOS MASKNAME = 'None',
 *    SOAR Goodman '<NO GRATING>' / '<NO MASK>';
 *  - 'blank', 'dark', 'out', 'park(ed)', 'air': the unit is out of the beam or
 *    blocks it, which is no evidence of spectroscopy;
 *  - 'n/a', 'unknown', 'undefined', 'null': no information.
 * As the whole value only ('Image slicer' is an IFU, not imaging):
 *  - 'imaging', 'image', 'img', 'direct': a mask position named for imaging
 *    (Keck LRIS SLITNAME = 'direct');
 *  - a number equal to zero (no slit width / position).
 */
const EMPTY_FIRST_WORDS = new Set([
  'mirror', 'free', 'none', 'no', 'nothing', 'blank', 'dark', 'out', 'park', 'parked', 'air',
  'n/a', 'na', 'unknown', 'undefined', 'null',
]);
const IMAGING_VALUES = new Set(['imaging', 'image', 'img', 'direct']);

/** True when a disperser or slit value means nothing is in the beam (or says nothing). */
export function isEmptyOpticsSlot(value: string): boolean {
  if (/^\s*[+-]?(0+\.?0*|\.0+)\s*$/.test(value)) return true;
  const words = value.toLowerCase().split(/[^a-z0-9/]+/).filter((w) => w !== '' && w !== '/');
  if (words.length === 0) return true;
  const first = words[0];
  if (/^(open|clear|empty)/.test(first)) return true;
  if (/^no(grism|grating|mask|slit|disperser|decker)$/.test(first)) return true;
  if (words.length === 1 && IMAGING_VALUES.has(first)) return true;
  return EMPTY_FIRST_WORDS.has(first);
}

/** Mode words that name a spectroscopic technique (whole words; 'SPEC...' as a prefix, but not 'SPECKLE'). */
const SPECTROSCOPIC_WORDS = new Set([
  'LS', 'LSS', 'LONGSLIT', 'SLIT', 'SLITLESS', 'MULTISLIT', 'MOS', 'MXU', 'PMOS', 'IFU', 'IFS',
  'ECHELLE', 'FIBER', 'FIBRE', 'GRISM',
]);
const IMAGING_WORDS = new Set(['IMAGE', 'IMAGING', 'IMG']);

/**
 * What an observing-mode value says: 'spectroscopy', 'imaging', or undefined
 * when it names neither (e.g. 'POLARIMETRY', 'NORMAL'). Words are split at
 * separators and camel case, so 'OsirisLongSlitSpectroscopy' reads as
 * OSIRIS LONG SLIT SPECTROSCOPY and 'SPECTRUM,NODDING' as SPECTRUM NODDING.
 */
export function observingTechnique(obsmode: string): 'imaging' | 'spectroscopy' | undefined {
  const words = obsmode
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
  if (words.some((w) => SPECTROSCOPIC_WORDS.has(w) || (w.startsWith('SPEC') && !w.startsWith('SPECKLE')))) return 'spectroscopy';
  if (words.some((w) => IMAGING_WORDS.has(w))) return 'imaging';
  return undefined;
}

/** The descriptors spectroscopyReason reads; `sources` (a DescriptorSet's) names the keyword in the sentence. */
export type OpticsDescriptors = Pick<Descriptors, 'disperser' | 'slit' | 'obsmode'> & {
  sources?: Partial<Record<DescriptorKey, string>>;
};

/**
 * Undefined for an imaging frame; otherwise a sentence naming the keyword and
 * value that decided, e.g. "GRATING = 'R400+_G5325': a disperser is in the beam".
 */
export function spectroscopyReason(d: OpticsDescriptors): string | undefined {
  const named = (field: 'disperser' | 'slit' | 'obsmode', value: string) => `${d.sources?.[field] ?? field} = '${value}'`;
  if (d.disperser !== undefined && !isEmptyOpticsSlot(d.disperser)) {
    return `${named('disperser', d.disperser)}: a disperser is in the beam`;
  }
  const technique = d.obsmode !== undefined ? observingTechnique(d.obsmode) : undefined;
  if (technique === 'spectroscopy' && d.obsmode !== undefined) {
    return `${named('obsmode', d.obsmode)}: a spectroscopic observing mode`;
  }
  if (technique === 'imaging') return undefined;
  if (d.slit !== undefined && !isEmptyOpticsSlot(d.slit)) {
    return `${named('slit', d.slit)}: a slit or mask is in the beam`;
  }
  return undefined;
}
