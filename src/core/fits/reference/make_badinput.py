"""Damaged inputs for badinput.test.ts, and what astropy and Python's gzip/zlib
make of each (the test never runs Python: it reads badinput_expected.json).

Cases on plain files are recipes (a cut, or cards replaced at byte offsets of
a shared fixture) applied identically by the test; damaged gzip streams are
written as files, since another zlib could compress differently.

Run: /usr/bin/python3 make_badinput.py  (needs python3-astropy)
"""
import gzip, io, json, os, warnings, zlib
from astropy.io import fits

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, '../../../../../shared/fixtures/fits')
OUT = os.path.join(HERE, 'badinput')


def astropy_reads(data):
    """'error' with the exception, or 'ok' (with astropy's warnings) and the HDUs it read."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try:
            hdul = fits.open(io.BytesIO(data))
            hdus = []
            for h in hdul:
                d = h.data
                hdus.append(None if d is None else float(d.astype('float64').sum()) if d.dtype.fields is None else None)
            return {'astropy': 'warning' if w else 'ok', 'hdus': len(hdus), 'sums': hdus,
                    'warnings': sorted({str(x.message).split('\n')[0][:100] for x in w})}
        except Exception as e:
            return {'astropy': 'error', 'error': f'{type(e).__name__}: {str(e)[:120]}'}


def card(key, value):
    return (key.ljust(8) + '= ' + value).ljust(80)


def find_card(data, hdu_start, key):
    for p in range(hdu_start, len(data), 80):
        if data[p:p + 8] == key.ljust(8).encode():
            return p
        if data[p:p + 8] == b'END     ':
            break
    raise KeyError(key)


def apply(data, recipe):
    b = bytearray(data)
    for off, text in recipe.get('edits', []):
        b[off:off + len(text)] = text.encode('latin-1')
    if 'cut' in recipe:
        b = b[:recipe['cut']]
    return bytes(b)


cases = {}


def plain_case(name, base, **recipe):
    data = open(os.path.join(SHARED, base), 'rb').read()
    recipe = {'base': base, **recipe}
    cases[name] = {**recipe, **astropy_reads(apply(data, recipe))}


def edit(base, hdu_start, key, value):
    data = open(os.path.join(SHARED, base), 'rb').read()
    return [[find_card(data, hdu_start, key), card(key, value)]]


# mef.fits: HDU 0 header 0-2880; SCI header 2880, data 5760 (1200 bytes + padding); CAT header 8640;
# VAR header 14400; DQ header 20160, data 23040-24240, padding to 25920.
plain_case('mef cut inside the data of SCI', 'mef.fits', cut=6360)
plain_case('mef cut inside the padding after SCI', 'mef.fits', cut=7060)
plain_case('mef cut inside the header of CAT', 'mef.fits', cut=8640 + 1000)
plain_case('mef cut inside the padding of the last HDU', 'mef.fits', cut=24420)
plain_case('mef cut where an HDU ends', 'mef.fits', cut=8640)
mef = open(os.path.join(SHARED, 'mef.fits'), 'rb').read()
end1 = mef.index(b'END     ', 2880)
plain_case('mef with a garbled END in the SCI header', 'mef.fits', edits=[[end1, 'EMD']])
plain_case('mef with GCOUNT = 0 in SCI', 'mef.fits', edits=edit('mef.fits', 2880, 'GCOUNT', '0'))
plain_case("mef with GCOUNT = 'abc' in SCI", 'mef.fits', edits=edit('mef.fits', 2880, 'GCOUNT', "'abc'"))
plain_case('mef with a huge PCOUNT in CAT', 'mef.fits', edits=edit('mef.fits', 8640, 'PCOUNT', '99999999999'))
plain_case('mef with bytes after the last HDU', 'mef.fits', edits=[[25920, 'hello world']])
plain_case("i16_scaled with BZERO = 'abc'", 'i16_scaled.fits', edits=edit('i16_scaled.fits', 0, 'BZERO', "'abc'"))
plain_case("i16_scaled with BSCALE = 'abc'", 'i16_scaled.fits', edits=edit('i16_scaled.fits', 0, 'BSCALE', "'abc'"))
plain_case("i16_scaled with NAXIS1 = 'abc'", 'i16_scaled.fits', edits=edit('i16_scaled.fits', 0, 'NAXIS1', "'abc'"))
plain_case('i16_scaled with NAXIS1 = 1.5', 'i16_scaled.fits', edits=edit('i16_scaled.fits', 0, 'NAXIS1', '1.5'))
plain_case('i16_scaled with BITPIX = 12', 'i16_scaled.fits', edits=edit('i16_scaled.fits', 0, 'BITPIX', '12'))
plain_case('mef with a non-ASCII byte in OBJECT', 'mef.fits', edits=[[find_card(open(os.path.join(SHARED, 'mef.fits'), 'rb').read(), 0, 'OBJECT') + 13, '\xe9']])
plain_case("i16_blank with BLANK = 'abc'", 'i16_blank.fits', edits=edit('i16_blank.fits', 0, 'BLANK', "'abc'"))
rice = open(os.path.join(SHARED, 'rice_f32.fits.fz'), 'rb').read()
plain_case("rice_f32.fits.fz with ZDITHER0 = 'abc'", 'rice_f32.fits.fz', edits=edit('rice_f32.fits.fz', 2880, 'ZDITHER0', "'abc'"))
if not os.path.exists(OUT):
    os.makedirs(OUT)

# Damaged gzip streams of u16.fits, and what Python's gzip module (zlib underneath) says of each.
u16 = open(os.path.join(SHARED, 'u16.fits'), 'rb').read()
good = gzip.compress(u16, mtime=0)
def gz_case(name, data):
    path = os.path.join(OUT, name)
    open(path, 'wb').write(data)
    try:
        out = gzip.decompress(data)
        verdict = {'python_gzip': 'ok', 'same_as_plain': out == u16}
    except Exception as e:
        verdict = {'python_gzip': 'error', 'error': f'{type(e).__name__}: {e}'}
    cases[name] = {'file': name, **verdict}
b = bytearray(good); b[-8] ^= 0x01; gz_case('u16_bad_crc.fits.gz', bytes(b))
b = bytearray(good); b[-2] ^= 0x01; gz_case('u16_bad_isize.fits.gz', bytes(b))
gz_case('u16_cut.fits.gz', good[:len(good) // 2])
gz_case('u16_no_trailer.fits.gz', good[:-8])
# A flipped literal bit that still inflates: only the CRC can tell (search for one, deterministically).
for p in range(len(good) - 40, 20, -1):
    b = bytearray(good); b[p] ^= 0x10
    try:
        d = zlib.decompressobj(-15); out = d.decompress(bytes(b[10:-8]))
        if len(out) == len(u16) and out != u16 and d.eof:
            gz_case('u16_flipped_literal.fits.gz', bytes(b)); break
    except zlib.error:
        pass
gz_case('u16_two_members.fits.gz', gzip.compress(u16[:5000], mtime=0) + gzip.compress(u16[5000:], mtime=0))
gz_case('u16_zero_padded.fits.gz', good + bytes(64))
gz_case('u16_junk_after.fits.gz', good + b'junk')
gz_case('random_after_magic.fits.gz', b'\x1f\x8b\x08\x00' + os.urandom(0) + bytes((i * 7919 + 13) % 251 for i in range(30_000)) + b'\x00\x00\x00\x74')

json.dump(cases, open(os.path.join(HERE, 'badinput_expected.json'), 'w'), indent=1, sort_keys=True)
print(json.dumps(cases, indent=1, sort_keys=True))
