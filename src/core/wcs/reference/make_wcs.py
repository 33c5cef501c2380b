"""Writes wcs_expected.json: astropy.wcs pixel -> world for a set of headers
(TAN with CD, PC+CDELT, CROTA2; SIN; ARC; STG; TAN-SIP), the reference of
wcs.test.ts. Run with Debian's python: /usr/bin/python3 make_wcs.py
"""
import json, os
import numpy as np
from astropy.io import fits
from astropy.wcs import WCS

here = os.path.dirname(os.path.abspath(__file__))
base = dict(NAXIS=2, NAXIS1=2048, NAXIS2=2048)
headers = {
    "tan_cd": dict(CTYPE1="RA---TAN", CTYPE2="DEC--TAN", CRPIX1=1024.5, CRPIX2=1020.0, CRVAL1=132.825, CRVAL2=11.8,
                   CD1_1=-1.1e-4, CD1_2=2.0e-6, CD2_1=1.5e-6, CD2_2=1.1e-4, RADESYS="ICRS"),
    "tan_pc": dict(CTYPE1="RA---TAN", CTYPE2="DEC--TAN", CRPIX1=100.0, CRPIX2=-50.0, CRVAL1=359.9, CRVAL2=-30.0,
                   CDELT1=-2.5e-4, CDELT2=2.5e-4, PC1_1=0.98, PC1_2=-0.17, PC2_1=0.17, PC2_2=0.98, RADESYS="FK5", EQUINOX=2000.0),
    "tan_crota": dict(CTYPE1="RA---TAN", CTYPE2="DEC--TAN", CRPIX1=512.0, CRPIX2=512.0, CRVAL1=10.0, CRVAL2=41.0,
                      CDELT1=-3e-4, CDELT2=3e-4, CROTA2=23.0),
    "tan_pole": dict(CTYPE1="RA---TAN", CTYPE2="DEC--TAN", CRPIX1=1000.0, CRPIX2=1000.0, CRVAL1=45.0, CRVAL2=89.5,
                     CD1_1=-2e-4, CD1_2=0.0, CD2_1=0.0, CD2_2=2e-4),
    "sin": dict(CTYPE1="RA---SIN", CTYPE2="DEC--SIN", CRPIX1=1024.0, CRPIX2=1024.0, CRVAL1=200.0, CRVAL2=-60.0,
                CD1_1=-5e-4, CD1_2=0.0, CD2_1=0.0, CD2_2=5e-4),
    "arc": dict(CTYPE1="RA---ARC", CTYPE2="DEC--ARC", CRPIX1=1024.0, CRPIX2=1024.0, CRVAL1=80.0, CRVAL2=20.0,
                CD1_1=-1e-3, CD1_2=1e-5, CD2_1=0.0, CD2_2=1e-3),
    "stg": dict(CTYPE1="RA---STG", CTYPE2="DEC--STG", CRPIX1=1024.0, CRPIX2=1024.0, CRVAL1=300.0, CRVAL2=5.0,
                CD1_1=-1e-3, CD1_2=0.0, CD2_1=0.0, CD2_2=1e-3),
    "tan_sip": dict(CTYPE1="RA---TAN-SIP", CTYPE2="DEC--TAN-SIP", CRPIX1=1024.0, CRPIX2=1024.0, CRVAL1=150.1, CRVAL2=2.2,
                    CD1_1=-1.0e-4, CD1_2=1e-7, CD2_1=-1e-7, CD2_2=1.0e-4,
                    A_ORDER=2, A_0_2=2.0e-6, A_1_1=-1.5e-6, A_2_0=3.0e-6, B_ORDER=2, B_0_2=-2.5e-6, B_1_1=1.0e-6, B_2_0=1.2e-6),
}
rng = np.random.default_rng(8)
pts = [(1.0, 1.0), (1024.0, 1024.0), (2048.0, 1.0), (1.0, 2048.0), (2048.0, 2048.0)] + [tuple(p) for p in rng.uniform(1, 2048, (8, 2)).round(3)]
out = {}
for name, cards in headers.items():
    h = fits.Header({**base, **cards})
    w = WCS(h)
    world = w.all_pix2world(np.array(pts), 1)
    out[name] = {"cards": cards, "pixels": [list(p) for p in pts], "world": world.tolist()}
with open(os.path.join(here, "wcs_expected.json"), "w") as f:
    json.dump(out, f, indent=1)
print("wrote", len(out), "headers")
