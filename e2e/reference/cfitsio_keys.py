"""String keyword values of a FITS file's primary header as CFITSIO reads them
(ffgkls: long strings over CONTINUE cards, '' for a quote), printed as JSON.
CFITSIO is the reference reader here because the system's astropy (5.2.1)
mis-reads a doubled quote followed by a space inside a CONTINUE'd string
(astropy issue 14581, fixed by astropy PR 14598 in later releases).
Usage: python3 cfitsio_keys.py FILE KEY..."""
import ctypes, json, sys
lib = ctypes.CDLL('libcfitsio.so.10')
fptr = ctypes.c_void_p(); status = ctypes.c_int(0)
lib.ffopen(ctypes.byref(fptr), sys.argv[1].encode(), 0, ctypes.byref(status))
out = {}
for key in sys.argv[2:]:
    val = ctypes.c_char_p(); comm = ctypes.create_string_buffer(81)
    lib.ffgkls(fptr, key.encode(), ctypes.byref(val), comm, ctypes.byref(status))
    out[key] = val.value.decode('ascii')
print(json.dumps({'status': status.value, 'values': out}))
