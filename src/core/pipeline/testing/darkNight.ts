/**
 * A small CCD night whose darks match only some of its lights, as raw FITS
 * files made in the test: biases, 120 s darks, 2 s flats in V, lights of 60
 * and 120 s. Dark current 0.5 e-/s everywhere and 20 e-/s at a dozen hot
 * pixels; sky 5 e-/s; flat field 1. The values a correct reduction gives
 * are those it was made with (DARK_NIGHT). Used by test/darkScaling.test.ts
 * (Node) and e2e/darkScaling.spec.ts (the built app).
 */
import { writeFits } from '../../fits';

export const DARK_NIGHT = { width: 128, height: 96, gain: 2, readNoise: 6, level: 1000, skyPerS: 5, darkPerS: 0.5, hotPerS: 20 } as const;

const { width: W, height: H } = DARK_NIGHT;
/** The hot pixels, 0-based (x, y). */
export const HOT_PIXELS = Array.from({ length: 12 }, (_, k) => ({ x: 8 + ((k * 37) % (W - 16)), y: 8 + ((k * 23) % (H - 16)) }));

/** The night's files: name and bytes; `lights`: the lights' exposures, seconds. */
export function darkNight(lights: readonly number[] = [60, 60, 120]): { name: string; bytes: Uint8Array }[] {
  const { gain, readNoise, level, skyPerS, darkPerS, hotPerS } = DARK_NIGHT;
  let seed = 20261201;
  const uniform = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) + 0.5) / 2 ** 31;
  const gauss = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const hot = new Set(HOT_PIXELS.map((p) => p.y * W + p.x));
  /** A raw frame: the level, the dark current (and `sky`) e- a second for `exptime` s, with shot and read noise. */
  const frame = (type: string, exptime: number, minute: number, sky: number, filter?: string): Uint8Array => {
    const px = new Uint16Array(W * H);
    for (let i = 0; i < px.length; i++) {
      const e = exptime * ((hot.has(i) ? hotPerS : darkPerS) + sky);
      px[i] = Math.round(level + (e + Math.sqrt(e) * gauss()) / gain + (readNoise / gain) * gauss());
    }
    const cards = [
      { key: 'IMAGETYP', value: type }, { key: 'EXPTIME', value: exptime }, { key: 'GAIN', value: gain }, { key: 'RDNOISE', value: readNoise },
      { key: 'SATURATE', value: 65535 }, { key: 'INSTRUME', value: 'TestCam' }, { key: 'DATE-OBS', value: `2026-07-01T22:${String(minute).padStart(2, '0')}:00` },
      ...(filter ? [{ key: 'FILTER', value: filter }] : []), ...(type === 'Light Frame' ? [{ key: 'OBJECT', value: 'FIELD' }] : []),
    ];
    return writeFits([{ cards, data: px, width: W, height: H }]);
  };
  const files: { name: string; bytes: Uint8Array }[] = [];
  for (let i = 0; i < 6; i++) files.push({ name: `bias_${i}.fits`, bytes: frame('Bias Frame', 0, i, 0) });
  for (let i = 0; i < 5; i++) files.push({ name: `dark_${i}.fits`, bytes: frame('Dark Frame', 120, 10 + i, 0) });
  // Flats of 2 s: their dark current is far below their light, and no dark has their exposure (not needed).
  for (let i = 0; i < 4; i++) files.push({ name: `flat_${i}.fits`, bytes: frame('Flat Field', 2, 20 + i, 20000, 'V') });
  const seen = new Map<number, number>();
  lights.forEach((t, i) => {
    const k = seen.get(t) ?? 0;
    seen.set(t, k + 1);
    files.push({ name: `light_${t}${String.fromCharCode(97 + k)}.fits`, bytes: frame('Light Frame', t, 30 + 2 * i, skyPerS, 'V') });
  });
  return files;
}
