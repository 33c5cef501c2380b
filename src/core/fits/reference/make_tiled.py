"""Small tile-compressed images that exercise what ../../../../shared/fixtures/fits
does not: 8-bit RICE, GZIP_2, 2-D and 3-D tiles with partial edge tiles,
SUBTRACTIVE_DITHER_2 with NaN and exact zeros, NO_DITHER, lossless GZIP of
floats, and HCOMPRESS (which the reader refuses by name).

Run with Debian's python (numpy + astropy): /usr/bin/python3 make_tiled.py
Writes tiled_*.fits.fz beside this script and tiled_expected.json with every
pixel value as astropy reads it (null = NaN)."""
import json
import math
import os

import numpy as np
from astropy.io import fits

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261121)


def write(name, data, **kw):
    path = os.path.join(HERE, name)
    primary = fits.PrimaryHDU()
    comp = fits.CompImageHDU(data=data, **kw)
    fits.HDUList([primary, comp]).writeto(path, overwrite=True)
    return path


cases = {}

# 8-bit unsigned, RICE (BYTEPIX 1), one tile per row
u8 = rng.integers(0, 256, size=(17, 23), dtype=np.uint8)
cases['tiled_rice_u8.fits.fz'] = write('tiled_rice_u8.fits.fz', u8, compression_type='RICE_1')

# 32-bit ints, GZIP_2 (byte-shuffled), 2-D tiles 8x5 on a 21x13 image: partial tiles at the edges
i32 = rng.integers(-2**31, 2**31 - 1, size=(13, 21), dtype=np.int64).astype(np.int32)
cases['tiled_gzip2_i32.fits.fz'] = write('tiled_gzip2_i32.fits.fz', i32, compression_type='GZIP_2', tile_size=(8, 5))

# int16 cube, RICE, tiles 6x4x1
cube = rng.integers(-3000, 3000, size=(3, 9, 14), dtype=np.int16)
cases['tiled_rice_cube_i16.fits.fz'] = write('tiled_rice_cube_i16.fits.fz', cube, compression_type='RICE_1', tile_size=(6, 4, 1))

# float32 with exact zeros, SUBTRACTIVE_DITHER_2, 2-D tiles 10x6. (No NaN here: astropy 5.2's
# compressor gives a tile holding a NaN ZSCALE = NaN, so the whole tile reads as NaN. Null
# pixels are covered by hand-built tables in tiled.test.ts.)
f = (100 + 5 * rng.standard_normal((18, 25))).astype(np.float32)
f[7, 7:12] = 0.0
cases['tiled_rice_f32_dither2.fits.fz'] = write(
    'tiled_rice_f32_dither2.fits.fz', f, compression_type='RICE_1', quantize_method=2, dither_seed=42, tile_size=(10, 6))

# float64 quantized without dither, GZIP_1
d = (1000 + 30 * rng.standard_normal((11, 16))).astype(np.float64)
cases['tiled_gzip1_f64_nodither.fits.fz'] = write(
    'tiled_gzip1_f64_nodither.fits.fz', d, compression_type='GZIP_1', quantize_method=-1)

# float32 lossless (quantize_level 0 -> ZQUANTIZ NONE), GZIP_2
g = (rng.standard_normal((12, 15)) * 1e-3).astype(np.float32)
cases['tiled_gzip2_f32_lossless.fits.fz'] = write(
    'tiled_gzip2_f32_lossless.fits.fz', g, compression_type='GZIP_2', quantize_level=0.0)

# HCOMPRESS: refused by our reader
h = rng.integers(0, 1000, size=(16, 16), dtype=np.int16)
write('tiled_hcompress_i16.fits.fz', h, compression_type='HCOMPRESS_1')

expected = {'about': 'Pixels as astropy reads them from HDU 1 (numpy C order, NAXIS1 fastest); null = NaN.',
            'unsupported': {'tiled_hcompress_i16.fits.fz': 'HCOMPRESS_1'}, 'valid': {}}
for name in cases:
    with fits.open(os.path.join(HERE, name)) as hl:
        hdu = hl[1]
        data = np.asarray(hdu.data)
        hdr = hl[1].header
        expected['valid'][name] = {
            'bitpix': hdr['BITPIX'],
            'shape': list(data.shape),
            'zcmptype': hl[1]._header.get('ZCMPTYPE'),
            'zquantiz': hl[1]._header.get('ZQUANTIZ'),
            'nan': int(np.isnan(data).sum()) if data.dtype.kind == 'f' else 0,
        'values': [None if (isinstance(v, float) and math.isnan(v)) else v for v in data.ravel().tolist()],
        }
with open(os.path.join(HERE, 'tiled_expected.json'), 'w') as fh:
    json.dump(expected, fh, indent=0)
