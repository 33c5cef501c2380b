/**
 * Whether typed arrays use little-endian byte order here (they use the
 * machine's): true on every platform a browser runs on, checked all the same
 * where bytes are read as wider words (FITS decoding, workspace strips, the
 * display's packed colours).
 */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
