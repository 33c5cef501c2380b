/**
 * The images a stored file offers the inspector. A product written in
 * DRAGONS' layout groups SCI with the VAR and DQ that follow it; any other
 * image HDU (a raw frame, an amplifier of a multi-extension file, another
 * tool's extension) is an image of its own. Each image has one or more
 * planes (cube slices) of width x height pixels.
 */

export type PlaneKind = 'sci' | 'var' | 'dq';

export interface HduShape {
  index: number;
  extname: string;
  naxis: number[];
  isImage: boolean;
}

export interface FrameImage {
  /** Position in the file's list of images. */
  index: number;
  /** What the menu shows: 'SCI', 'SCI 2', '[1] AMP1', 'PRIMARY'. */
  label: string;
  /** HDU holding each plane kind (a raw image has only 'sci'). */
  hdus: Partial<Record<PlaneKind, number>>;
  width: number;
  height: number;
  /** Cube slices (1 for a 2-D image). */
  depth: number;
}

export function frameImages(hdus: readonly HduShape[]): FrameImage[] {
  const images: FrameImage[] = [];
  const shapeOf = (h: HduShape) => ({ width: h.naxis[0], height: h.naxis[1], depth: h.naxis.slice(2).reduce((a, b) => a * b, 1) });
  let sciCount = 0;
  for (const h of hdus) {
    if (!h.isImage || h.naxis.length < 2) continue;
    const name = h.extname.trim().toUpperCase();
    const last = images[images.length - 1];
    if ((name === 'VAR' || name === 'DQ') && last?.hdus.sci !== undefined && last.label.startsWith('SCI') && last.hdus[name.toLowerCase() as PlaneKind] === undefined) {
      last.hdus[name.toLowerCase() as PlaneKind] = h.index;
      continue;
    }
    if (name === 'SCI') sciCount++;
    images.push({
      index: images.length,
      label: name === 'SCI' ? 'SCI' : `[${h.index}] ${h.extname || (h.index === 0 ? 'PRIMARY' : 'IMAGE')}`,
      hdus: { sci: h.index },
      ...shapeOf(h),
    });
  }
  // Number the SCI extensions only when there are several.
  if (sciCount > 1) {
    let k = 0;
    for (const im of images) if (im.label === 'SCI') im.label = `SCI ${++k}`;
  }
  return images;
}
