/**
 * Test-only: headers as the programs and observatories write them, written
 * from their documented keyword sets (MaxIm DL SBFITSEXT, N.I.N.A., IRAF/KPNO,
 * Gemini GMOS, Las Cumbres, ESO FORS2, NOT ALFOSC), plus calibration products
 * of IRAF zerocombine and DRAGONS. Values are plausible, not copies of real
 * files.
 */
import type { Card } from '../../fits/types';
import { parseCardText } from './cardText';

export const maximLight = `
SIMPLE  =                    T
BITPIX  =                   16 /8 unsigned int, 16 & 32 int, -32 & -64 real
NAXIS   =                    2 /number of axes
NAXIS1  =                 3072 /fastest changing axis
NAXIS2  =                 2048 /next to fastest changing axis
BSCALE  =   1.0000000000000000 /physical = BZERO + BSCALE*array_value
BZERO   =   32768.000000000000 /physical = BZERO + BSCALE*array_value
DATE-OBS= '2019-10-05T03:14:22' / [ISO 8601] UTC date/time of exposure start
EXPTIME =   300.00000000000000 / [s] duration of exposure
EXPOSURE=   300.00000000000000 / [s] duration of exposure
SET-TEMP=  -20.000000000000000 / CCD temperature setpoint in C
CCD-TEMP=  -19.968750000000000 / CCD temperature at start of exposure in C
XPIXSZ  =   18.000000000000000 / Pixel Width in microns (after binning)
YPIXSZ  =   18.000000000000000 / Pixel Height in microns (after binning)
XBINNING=                    2 / Binning factor in width
YBINNING=                    2 / Binning factor in height
XORGSUBF=                    0 / Subframe X position in binned pixels
YORGSUBF=                    0 / Subframe Y position in binned pixels
READOUTM= 'Monochrome'         / Readout mode of image
FILTER  = 'V       '           /        Filter used when taking image
IMAGETYP= 'Light Frame'        /        Type of image
EGAIN   =   1.3700000047683716 / Electronic gain in e-/ADU
FOCALLEN=   2000.0000000000000 / Focal length of telescope in mm
SBSTDVER= 'SBFITSEXT Version 1.0' /Version of SBFITSEXT standard in effect
SWCREATE= 'MaxIm DL Version 6.20 190411 02GS7' /Name of software
SITELAT = '+32 25 00'          / Latitude of the imaging location
SITELONG= '-110 43 59'         / Longitude of the imaging location
JD      =   2458761.6350925928 / Julian Date at time of exposure
OBJECT  = 'NGC 7331'
TELESCOP= ''                   / telescope used to acquire this image
INSTRUME= 'SBIG STXL-6303E 3 CCD Camera'
OBSERVER= 'J. Doe  '
OBJCTRA = '22 37 04'           / Nominal Right Ascension of center of image
OBJCTDEC= '+34 24 56'          / Nominal Declination of center of image
AIRMASS =   1.0512345000000000 / Relative optical path length through atmosphere
END
`;

export const maximBias = maximLight
  .replace("IMAGETYP= 'Light Frame'", "IMAGETYP= 'Bias Frame' ")
  .replace(/EXPTIME = .*\n/, 'EXPTIME =   0.00000000000000000 / [s] duration of exposure\n')
  .replace("OBJECT  = 'NGC 7331'", "OBJECT  = ''");

export const maximFlat = maximLight.replace("IMAGETYP= 'Light Frame'", "IMAGETYP= 'Flat Field' ");
export const maximDark = maximLight.replace("IMAGETYP= 'Light Frame'", "IMAGETYP= 'Dark Frame' ");

export const ninaLight = `
SIMPLE  =                    T / C# FITS
BITPIX  =                   16 /
NAXIS   =                    2 / Dimensionality
NAXIS1  =                 6248 /
NAXIS2  =                 4176 /
BZERO   =                32768 /
EXTEND  =                    T / Extensions are permitted
IMAGETYP= 'LIGHT'              / Type of exposure
EXPOSURE=                300.0 / [s] Exposure duration
EXPTIME =                300.0 / [s] Exposure duration
DATE-LOC= '2023-09-16T23:41:52.384' / Time of observation (local)
DATE-OBS= '2023-09-16T21:41:52.384' / Time of observation (UTC)
XBINNING=                    1 / X axis binning factor
YBINNING=                    1 / Y axis binning factor
GAIN    =                  100 / Sensor gain
OFFSET  =                   50 / Sensor gain offset
EGAIN   =    0.249925002455711 / [e-/ADU] Electrons per A/D unit
XPIXSZ  =                 3.76 / [um] Pixel X axis size
YPIXSZ  =                 3.76 / [um] Pixel Y axis size
INSTRUME= 'ZWO ASI6200MM Pro'  / Imaging instrument name
SET-TEMP=                -10.0 / [degC] CCD temperature setpoint
CCD-TEMP=                -10.1 / [degC] CCD temperature
READOUTM= 'Normal'             / Sensor readout mode
TELESCOP= 'Celestron EdgeHD 8' / Name of telescope
FOCALLEN=               2032.0 / [mm] Focal length
RA      =     318.256416666667 / [deg] RA of telescope
DEC     =     30.7237777777778 / [deg] Declination of telescope
SITEELEV=                150.0 / [m] Observation site elevation
SITELAT =     48.1372222222222 / [deg] Observation site latitude
SITELONG=               11.575 / [deg] Observation site longitude
OBJECT  = 'NGC 6960'           / Name of the object of interest
OBJCTRA = '21 13 01.540'       / [H M S] RA of imaged object
OBJCTDEC= '+30 43 25.60'       / [D M S] Declination of imaged object
FWHEEL  = 'ZWO EFW'            / Filter Wheel name
FILTER  = 'Ha'                 / Active filter name
ROWORDER= 'TOP-DOWN'           / FITS Image Orientation
EQUINOX =               2000.0 / Equinox of celestial coordinate system
SWCREATE= 'N.I.N.A. 2.1.0.9001 (x64)' / Software that created this file
END
`;

export const ninaDarkFlat = ninaLight
  .replace("IMAGETYP= 'LIGHT'    ", "IMAGETYP= 'DARKFLAT' ")
  .replace(/EXPOSURE= .*\n/, 'EXPOSURE=                  2.5 / [s] Exposure duration\n')
  .replace(/EXPTIME = .*\n/, 'EXPTIME =                  2.5 / [s] Exposure duration\n');

/** N.I.N.A. with a camera driver that does not report e-/ADU: GAIN is still only the setting. */
export const ninaNoEgain = ninaLight.replace(/EGAIN .*\n/, '').replace("IMAGETYP= 'LIGHT'    ", "IMAGETYP= 'FLAT'     ");

/** KPNO 0.9 m / IRAF ccdred era: DD/MM/YY date with UT, IMAGETYP 'zero'. */
export const irafZero = `
SIMPLE  =                    T / FITS STANDARD
BITPIX  =                   16 / FITS BITS/PIXEL
NAXIS   =                    2 / NUMBER OF AXES
NAXIS1  =                 2098 /
NAXIS2  =                 2048 /
OBJECT  = 'Zero    '           / Name of the object observed
OBSERVAT= 'KPNO    '           / observatory
TELESCOP= 'kpno 0.9m'          / telescope
OBSERVER= 'Massey  '           / observers
IMAGETYP= 'zero    '           / object, dark, bias, etc.
DATE-OBS= '12/03/98'           / date (dd/mm/yy) of obs.
UT      = '03:22:41.00'        / universal time
RA      = '08:51:18.00'        / right ascension
DEC     = '+11:48:00.0'        / declination
AIRMASS =                1.000 / airmass
EXPTIME =                  0.0 / actual integration time
DARKTIME=                  0.0 / total elapsed time
FILTERS = '2       '           / filter position
CCDSUM  = '1 1     '           / on chip summation
CCDSEC  = '[1:2048,1:2048]'    / orientation to full frame
BIASSEC = '[2049:2098,1:2048]' / overscan portion of frame
DATASEC = '[1:2048,1:2048]'    / image portion of frame
TRIMSEC = '[1:2048,1:2048]'    / region to be extracted
GAIN    =                  3.2 / gain, electrons per adu
RDNOISE =                  4.2 / read noise, electrons per adu
DETECTOR= 'T2KA    '           / detector
END
`;

export const irafObject = irafZero
  .replace("OBJECT  = 'Zero    '", "OBJECT  = 'NGC 2682 V'")
  .replace("IMAGETYP= 'zero    '", "IMAGETYP= 'object  '")
  .replace(/EXPTIME = .*\n/, 'EXPTIME =                 60.0 / actual integration time\n');
export const irafFlat = irafZero
  .replace("OBJECT  = 'Zero    '", "OBJECT  = 'dome flat V'")
  .replace("IMAGETYP= 'zero    '", "IMAGETYP= 'flat    '");
export const irafComp = irafZero
  .replace("OBJECT  = 'Zero    '", "OBJECT  = 'HeNeAr  '")
  .replace("IMAGETYP= 'zero    '", "IMAGETYP= 'comp    '");

/** Same observatory, newer IRAF: ISO date + TIME-OBS. */
export const irafDateTimeObs = irafObject
  .replace("DATE-OBS= '12/03/98'  ", "DATE-OBS= '2004-01-31'")
  .replace("UT      = '03:22:41.00'", "TIME-OBS= '23:59:59.5'");

/** GMOS-N primary header of a twilight flat (imaging, Hamamatsu CCDs). */
export const gmosTwilightPrimary = `
SIMPLE  =                    T / Fits standard
BITPIX  =                   16 / Bits per pixel
NAXIS   =                    0 / Number of axes
EXTEND  =                    T / File may contain extensions
ORIGIN  = 'NOAO-IRAF FITS Image Kernel July 2003' / FITS file originator
DATE    = '2019-04-14T05:31:15' / Date FITS file was generated
INSTRUME= 'GMOS-N  '           / Instrument used to acquire data
OBJECT  = 'Twilight'           / Object Name
OBSTYPE = 'OBJECT  '           / Observation type
OBSCLASS= 'dayCal  '           / Observe class
GEMPRGID= 'GN-CAL20190413'     / Gemini programme ID
OBSID   = 'GN-CAL20190413-10'  / Observation ID / Data label
DATALAB = 'GN-CAL20190413-10-001' / DHS Data label
OBSERVER= 'Smith   '           / Observer
OBSERVAT= 'Gemini-North'       / Name of telescope (Gemini-North|Gemini-South)
TELESCOP= 'Gemini-North'       / Gemini-North
RA      =          197.1836667 / Right Ascension
DEC     =           19.8432222 / Declination
UT      = '05:30:45.3'         / UT at observation start
DATE-OBS= '2019-04-14'         / UT date at observation start
AIRMASS =                1.012 / Mean airmass for the observation
FILTER1 = 'open1-6 '           / Filter 1 name
FILTID1 =                    0 / Filter 1 barcode
FILTER2 = 'r_G0303 '           / Filter 2 name
FILTID2 =                 7018 / Filter 2 barcode
GRATING = 'MIRROR  '           / Grating name
EXPTIME =                  5.0 / Exposure time in seconds
DETECTOR= 'GMOS + Hamamatsu_new' / Detector name
END
`;

/** Its first science extension: the per-amplifier keywords live here. */
export const gmosSciExtension = `
XTENSION= 'IMAGE   '           / Image extension
BITPIX  =                   16 / number of bits per data pixel
NAXIS   =                    2 / number of data axes
NAXIS1  =                  288 / length of data axis 1
NAXIS2  =                 2112 / length of data axis 2
PCOUNT  =                    0 / required keyword; must = 0
GCOUNT  =                    1 / required keyword; must = 1
BZERO   =                32768 /
EXTNAME = 'SCI     '           / Extension name
EXTVER  =                    1 / Extension version
CCDNAME = 'BI13-20-4k-1'       / CCD chip name(s)
AMPNAME = 'BI13-20-4k-1, 1'    / Amplifier name(s)
GAIN    =                 1.63 / Amplifier gain
RDNOISE =                 4.14 / Readout noise
CCDSIZE = '[1:2048,1:4224]'    / CCD chip size
CCDSUM  = '2 2     '           / CCD pixel summing
DETSEC  = '[1:512,1:4224]'     / Detector section(s)
CCDSEC  = '[1:512,1:4224]'     / CCD section(s)
DATASEC = '[33:288,1:2112]'    / Data section(s)
BIASSEC = '[1:32,1:2112]'      / Bias section(s)
END
`;

export const gmosBiasPrimary = gmosTwilightPrimary
  .replace("OBJECT  = 'Twilight'", "OBJECT  = 'Bias    '")
  .replace("OBSTYPE = 'OBJECT  '", "OBSTYPE = 'BIAS    '")
  .replace(/EXPTIME = .*\n/, 'EXPTIME =                  0.0 / Exposure time in seconds\n');

export const gmosSciencePrimary = gmosTwilightPrimary
  .replace("OBJECT  = 'Twilight'", "OBJECT  = 'NGC 4649'")
  .replace("OBSCLASS= 'dayCal  '", "OBSCLASS= 'science '")
  .replace("GEMPRGID= 'GN-CAL20190413'", "GEMPRGID= 'GN-2019A-Q-101'");

export const gmosAcquisitionPrimary = gmosSciencePrimary.replace("OBSCLASS= 'science '", "OBSCLASS= 'acq     '");

export const gmosArcPrimary = gmosTwilightPrimary
  .replace("OBJECT  = 'Twilight'", "OBJECT  = 'CuAr    '")
  .replace("OBSTYPE = 'OBJECT  '", "OBSTYPE = 'ARC     '");

/** GMOS-S spectroscopic GCAL lamp flat. */
export const gmosGcalFlatPrimary = gmosTwilightPrimary
  .replace("INSTRUME= 'GMOS-N  '", "INSTRUME= 'GMOS-S  '")
  .replace("OBJECT  = 'Twilight'", "OBJECT  = 'GCALflat'")
  .replace("OBSTYPE = 'OBJECT  '", "OBSTYPE = 'FLAT    '")
  .replace("OBSCLASS= 'dayCal  '", "OBSCLASS= 'partnerCal'\nGCALLAMP= 'QH      '           / GCAL lamp\nGCALSHUT= 'OPEN    '           / GCAL shutter");

/** Las Cumbres Observatory (generic OBSTYPE convention, east-positive LONGITUD). */
export const lcoSkyflat = `
SIMPLE  =                    T / file does conform to FITS standard
BITPIX  =                   16 / number of bits per data pixel
NAXIS   =                    2 / number of data axes
NAXIS1  =                 3136 / length of data axis 1
NAXIS2  =                 2112 / length of data axis 2
ORIGIN  = 'LCOGT   '           / Organization responsible for the data
SITEID  = 'lsc     '           / ID code of the Observatory site
SITE    = 'LCOGT node at Cerro Tololo Inter-American Observatory' / Site
TELESCOP= '1m0-04  '           / Telescope used
LATITUDE=       -30.1673666667 / [deg North] Telescope Latitude
LONGITUD=       -70.8047888889 / [deg East] Telescope Longitude
INSTRUME= 'fa15    '           / Instrument used
OBSTYPE = 'SKYFLAT '           / Observation type
EXPTIME =               12.345 / [s] Exposure length
FILTER1 = 'air     '           / Filter used
FILTER2 = 'rp      '           / Filter used
FILTER3 = 'air     '           / Filter used
FILTER  = 'rp      '           / Filter used
DATE-OBS= '2024-05-10T23:15:03.120' / [UTC] Start date and time of the observation
MJD-OBS =       60440.96878611 / [UTC days] Start date/time (Modified Julian Date)
CCDSUM  = '1 1     '           / CCD on-chip summing/binning
READMODE= 'full_frame'         / Readout mode of image
GAIN    =                 1.0 / [electrons/count] Pixel gain
RDNOISE =                 7.0 / [electrons/pixel] Read noise
SATURATE=             125000.0 / [ADU] Saturation level used
DATASEC = '[19:3100,1:2112]'   / [binned pixel] Data section
TRIMSEC = '[19:3100,1:2112]'   / [binned pixel] Trim section
BIASSEC = '[3106:3136,1:2112]' / [binned pixel] Overscan section
CCDATEMP=                -97.9 / [deg C] CCD temperature
CCDSTEMP=                -98.0 / [deg C] CCD set temperature
OBJECT  = 'Sky Flat'           / Object name
END
`;

export const lcoScience = lcoSkyflat
  .replace("OBSTYPE = 'SKYFLAT '", "OBSTYPE = 'EXPOSE  '")
  .replace("OBJECT  = 'Sky Flat'", "OBJECT  = 'M 83    '");

/** ESO VLT FORS2 sky flat, HIERARCH ESO keywords. */
export const fors2SkyFlat = `
SIMPLE  =                    T / Standard FITS format (NOST-100.0)
BITPIX  =                   16 / # of bits storing pix values
NAXIS   =                    2 / # of axes in frame
NAXIS1  =                 2098 / # pixels/axis
NAXIS2  =                 1034 / # pixels/axis
BZERO   =                32768 /
ORIGIN  = 'ESO-PARANAL'        / European Southern Observatory
DATE    = '2017-09-05T00:11:45.000' / Date this file was written
TELESCOP= 'ESO-VLT-U1'         / ESO Telescope Name
INSTRUME= 'FORS2   '           / Instrument used
OBJECT  = 'FLAT,SKY'           / Original target
RA      =            12.345678 / 00:49:22.9 RA (J2000) pointing (deg)
DEC     =           -20.123456 / -20:07:24.4 DEC (J2000) pointing (deg)
EXPTIME =                8.000 / Integration time
MJD-OBS =       57999.98067315 / Obs start
DATE-OBS= '2017-09-04T23:32:10.160' / Observing date
HIERARCH ESO DET CHIP1 NAME = 'CCID20-14-5-3' / Detector chip name
HIERARCH ESO DET OUT1 CONAD = 1.25 / Conversion from ADUs to electrons
HIERARCH ESO DET OUT1 GAIN = 0.80 / Conversion from electrons to ADU
HIERARCH ESO DET OUT1 RON = 2.9 / Readout noise per output (e-)
HIERARCH ESO DET READ CLOCK = '200Kps/2ports/low_gain' / Readout clock pattern used
HIERARCH ESO DET WIN1 BINX = 2 / Binning factor along X
HIERARCH ESO DET WIN1 BINY = 2 / Binning factor along Y
HIERARCH ESO DPR CATG = 'CALIB   ' / Observation category
HIERARCH ESO DPR TECH = 'IMAGE   ' / Observation technique
HIERARCH ESO DPR TYPE = 'FLAT,SKY' / Observation type
HIERARCH ESO INS FILT1 NAME = 'R_SPECIAL' / Filter name.
HIERARCH ESO TEL AIRM START = 1.012 / Airmass at start
HIERARCH ESO TEL GEOLON = -70.4045 / Tel geo longitude (+=East) (deg)
END
`;

export const fors2Bias = fors2SkyFlat
  .replace("OBJECT  = 'FLAT,SKY'", "OBJECT  = 'BIAS    '")
  .replace("HIERARCH ESO DPR TYPE = 'FLAT,SKY'", "HIERARCH ESO DPR TYPE = 'BIAS    '");
export const fors2Science = fors2SkyFlat
  .replace("OBJECT  = 'FLAT,SKY'", "OBJECT  = 'NGC 253 '")
  .replace("HIERARCH ESO DPR CATG = 'CALIB   '", "HIERARCH ESO DPR CATG = 'SCIENCE '")
  .replace("HIERARCH ESO DPR TYPE = 'FLAT,SKY'", "HIERARCH ESO DPR TYPE = 'OBJECT  '");
export const fors2Arc = fors2SkyFlat.replace("HIERARCH ESO DPR TYPE = 'FLAT,SKY'", "HIERARCH ESO DPR TYPE = 'LAMP,WAVE'");

/** Insert cards just before END. */
function withCards(text: string, lines: string): string {
  return text.replace(/\nEND\n$/, `\n${lines.trim()}\nEND\n`);
}

/** GMOS imaging with the mask unit stated empty (gmosSciencePrimary has no MASKNAME at all). */
export const gmosImagingPrimary = gmosSciencePrimary.replace(
  "GRATING = 'MIRROR  '           / Grating name",
  `GRATING = 'MIRROR  '           / Grating name
MASKNAME= 'None    '           / Mask name
MASKTYP =                    0 / Mask type`,
);

/** GMOS-S long-slit science spectrum: OBSTYPE = 'OBJECT' like imaging, but a grating and a slit in the beam. */
export const gmosLongslitPrimary = gmosSciencePrimary
  .replace("INSTRUME= 'GMOS-N  '", "INSTRUME= 'GMOS-S  '")
  .replaceAll("'Gemini-North'", "'Gemini-South'")
  .replace("GEMPRGID= 'GN-2019A-Q-101'", "GEMPRGID= 'GS-2019A-Q-101'")
  .replace("OBJECT  = 'NGC 4649'", "OBJECT  = 'SN2019abc'")
  .replace("FILTER1 = 'open1-6 '", "FILTER1 = 'GG455_G0329'")
  .replace("FILTER2 = 'r_G0303 '", "FILTER2 = 'open2-8 '")
  .replace(
    "GRATING = 'MIRROR  '           / Grating name",
    `GRATING = 'R400+_G5325'        / Grating name
GRWLEN  =                700.0 / Grating wavelength setting (nm)
CENTWAVE=                700.0 / Central wavelength (nm)
MASKNAME= '1.0arcsec'          / Mask name
MASKTYP =                    1 / Mask type`,
  );

/** DRAGONS' processed bias (storeProcessedBias): OBSTYPE still 'BIAS', PROCBIAS stamped, NCOMBINE from stackFrames. */
export const dragonsProcessedBiasPrimary = withCards(gmosBiasPrimary, `
GEM-TLM = '2019-04-15T10:12:31' / UT last modification with GEMINI
PREPARE = '2019-04-15T10:11:02' / UT time stamp for prepare
STACKFRM= '2019-04-15T10:12:20' / UT time stamp for stackFrames
NCOMBINE=                   20 / Number of input frames combined
PROCBIAS= '2019-04-15T10:12:31' / UT time stamp for storeProcessedBias
`);

/** IRAF zerocombine output: IMAGETYP stays 'zero'; NCOMBINE and IMCMBnnn list the inputs. */
export const irafZerocombine = withCards(irafZero, `
NCOMBINE=                    3
IMCMB001= 'a001.fits'
IMCMB002= 'a002.fits'
IMCMB003= 'a003.fits'
`);

/** FORS2 long-slit science: grism and slit in the beam, ESO INS MODE and DPR TECH say so too. */
export const fors2LongslitScience = fors2Science
  .replace("HIERARCH ESO DPR TECH = 'IMAGE   '", "HIERARCH ESO DPR TECH = 'SPECTRUM'")
  .replace("HIERARCH ESO INS FILT1 NAME = 'R_SPECIAL' / Filter name.", `HIERARCH ESO INS FILT1 NAME = 'GG435' / Filter name.
HIERARCH ESO INS GRIS1 NAME = 'GRIS_300V' / Grism name.
HIERARCH ESO INS MODE = 'LSS     ' / Instrument mode used.
HIERARCH ESO INS SLIT NAME = 'lSlit1_0arcsec' / Slit name.`);

/** NOT ALFOSC imaging: empty grism and aperture wheels, OBS_MODE says IMAGING. */
export const alfoscImaging = `
SIMPLE  =                    T / file does conform to FITS standard
BITPIX  =                   16 / number of bits per data pixel
NAXIS   =                    2 / number of data axes
NAXIS1  =                 2148 / length of data axis 1
NAXIS2  =                 2102 / length of data axis 2
BZERO   =                32768 / offset data range to that of unsigned short
ORIGIN  = 'NOT     '           / Nordic Optical Telescope
TELESCOP= 'NOT     '           / Telescope name
INSTRUME= 'ALFOSC_FASU'        / Instrument
OBJECT  = 'SN2021abc'          / Target name
IMAGETYP= 'OBJECT  '           / Image type
OBS_MODE= 'IMAGING '           / Observing mode
DATE-OBS= '2021-08-12T01:02:03.4' / UTC at start of exposure
EXPTIME =                 60.0 / Exposure time (s)
ALFLTNM = 'r_SDSS 618_148'     / ALFOSC filter name
FAFLTNM = 'Open    '           / FASU filter wheel A name
FBFLTNM = 'Open    '           / FASU filter wheel B name
ALGRNM  = 'Open (Lyot)'        / ALFOSC grism wheel name
ALAPRTNM= 'Open    '           / ALFOSC aperture wheel name
DETXBIN =                    1 / Binning factor along X
DETYBIN =                    1 / Binning factor along Y
END
`;

export const alfoscSpectrum = alfoscImaging
  .replace("OBS_MODE= 'IMAGING '", "OBS_MODE= 'SPECTROSCOPY'")
  .replace("ALFLTNM = 'r_SDSS 618_148'", "ALFLTNM = 'Open    '      ")
  .replace("ALGRNM  = 'Open (Lyot)'", "ALGRNM  = 'Grism_#4'   ")
  .replace("ALAPRTNM= 'Open    '", "ALAPRTNM= 'Slit_1.0'");

export function cards(text: string): Card[] {
  return parseCardText(text);
}
