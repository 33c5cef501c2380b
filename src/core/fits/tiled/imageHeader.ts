/**
 * The header of a tile-compressed image as a reader should see it: the image's
 * own keywords, not the binary table that carries the tiles. Follows the
 * tiled-image convention (ZBITPIX -> BITPIX, ZNAXISn -> NAXISn, ZTENSION,
 * ZPCOUNT/ZGCOUNT, ZHECKSUM/ZDATASUM) the way astropy's CompImageHDU shows it;
 * table and compression bookkeeping (TFORMn, ZCMPTYPE, ZTILEn...) is dropped.
 */
import { headerGet } from '../header';
import type { Card } from '../types';

/** Table structure and compression parameters: meaningless for the image. */
const DROP =
  /^(XTENSION|BITPIX|NAXIS\d*|PCOUNT|GCOUNT|TFIELDS|THEAP|T(TYPE|FORM|UNIT|NULL|SCAL|ZERO|DIM|DISP|BCOL)\d+|ZIMAGE|ZCMPTYPE|ZTILE\d+|ZNAME\d+|ZVAL\d+|ZMASKCMP|ZQUANTIZ|ZDITHER0|ZSIMPLE|ZEXTEND|ZBLOCKED|ZTENSION|ZBITPIX|ZNAXIS\d*|ZPCOUNT|ZGCOUNT|CHECKSUM|DATASUM|ZBLANK)$/;

export function compressedImageCards(table: Card[]): Card[] {
  const zbitpix = headerGet(table, 'ZBITPIX');
  const znaxis = headerGet(table, 'ZNAXIS');
  const head: Card[] = [
    { key: 'XTENSION', value: String(headerGet(table, 'ZTENSION') ?? 'IMAGE').trim(), comment: 'Image extension' },
    { key: 'BITPIX', value: zbitpix ?? null, comment: 'data type of original image' },
    { key: 'NAXIS', value: znaxis ?? null, comment: 'dimension of original image' },
  ];
  const n = typeof znaxis === 'number' ? znaxis : 0;
  for (let i = 1; i <= n; i++) {
    head.push({ key: `NAXIS${i}`, value: headerGet(table, `ZNAXIS${i}`) ?? null, comment: `length of original image axis ${i}` });
  }
  head.push({ key: 'PCOUNT', value: headerGet(table, 'ZPCOUNT') ?? 0, comment: 'number of parameters' });
  head.push({ key: 'GCOUNT', value: headerGet(table, 'ZGCOUNT') ?? 1, comment: 'number of groups' });
  // The image's null value travels as ZBLANK for integer images; for quantized floats it flags NaN in the integers.
  const zblank = headerGet(table, 'ZBLANK');
  if (typeof zbitpix === 'number' && zbitpix > 0 && typeof zblank === 'number') {
    head.push({ key: 'BLANK', value: zblank });
  }
  const rest: Card[] = [];
  for (const card of table) {
    const key = card.key.toUpperCase();
    if (DROP.test(key)) continue;
    if (key === 'ZHECKSUM') rest.push({ ...card, key: 'CHECKSUM' });
    else if (key === 'ZDATASUM') rest.push({ ...card, key: 'DATASUM' });
    else rest.push({ ...card });
  }
  return [...head, ...rest];
}
