#!/usr/bin/env python3
"""Writes the Python- and MATLAB-version fixtures under cifar/testdata/.

    cd cifar/testdata && python3 make_formats.py

Needs numpy and scipy (Debian: apt-get install python3-numpy python3-scipy).
The Go tests need neither: they read the files this script wrote, which are
committed. Every fixture holds the same images and labels as a binary file
of testdata/tiny/ (written by the Go test generator), so a test checks a
decoder by comparing its records with that file, byte for byte.

  tiny-py/   the Python version as published: pickled by Python 2's cPickle
             with protocol 2 (assembled here opcode by opcode, since Python 2
             is gone): dict keys and pixel bytes are Python 2 str
             (SHORT_BINSTRING, BINSTRING), the array is
             numpy.core.multiarray._reconstruct + BUILD, memo ids from 1.
  tiny-mat/  the MATLAB version: scipy.io.savemat, compressed (miCOMPRESSED),
             little-endian; label_names a cell array.
  pickle/    data_batch_1 and batches.meta as Python 3 re-saves them
             (pickle.load with encoding='latin1' or 'bytes', pickle.dump with
             protocols 2 to 5), as numpy >= 2 writes them (numpy._core), and
             with a Fortran-ordered array.
  mat/       data_batch_1 as scipy writes it uncompressed, and big-endian
             files (written here element by element, since scipy writes only
             the machine's byte order) mixing compressed and plain elements,
             labels stored as uint8 in a double array, text as UTF-16.
"""

import copyreg
import io
import os
import pickle
import struct
import sys
import types
import zlib

import numpy as np
import scipy.io as sio

RECORD = 3073
IMAGE = 3072
FILES = ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"]


def read_bin(name):
    """Returns the labels (list) and pixels (n×3072 uint8) of tiny/NAME.bin."""
    raw = open(os.path.join("tiny", name + ".bin"), "rb").read()
    rec = np.frombuffer(raw, dtype=np.uint8).reshape(-1, RECORD)
    return [int(x) for x in rec[:, 0]], np.ascontiguousarray(rec[:, 1:])


def batch_label(name):
    if name == "test_batch":
        return "testing batch 1 of 1"
    return "training batch %s of 5" % name[-1]


def class_names():
    return open(os.path.join("tiny", "batches.meta.txt")).read().split()


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


# --- the Python version as published: Python 2's cPickle, protocol 2 ---------


class Py2Pickler:
    """Assembles protocol-2 pickles the way Python 2's cPickle wrote them."""

    def __init__(self):
        self.out = bytearray(b"\x80\x02")  # PROTO 2
        self.next_memo = 1  # cPickle numbered its memo from 1

    def put(self):
        """BINPUT: cPickle memoised objects that something else referred to."""
        if self.next_memo < 256:
            self.out += b"q" + bytes([self.next_memo])
        else:
            self.out += b"r" + struct.pack("<I", self.next_memo)  # LONG_BINPUT
        self.next_memo += 1

    def str(self, s, memo=True):
        """A Python 2 str: SHORT_BINSTRING below 256 bytes, else BINSTRING."""
        if isinstance(s, str):
            s = s.encode("latin-1")
        if len(s) < 256:
            self.out += b"U" + bytes([len(s)]) + s
        else:
            self.out += b"T" + struct.pack("<i", len(s)) + s
        if memo:
            self.put()

    def int(self, v):
        if 0 <= v < 256:
            self.out += b"K" + bytes([v])  # BININT1
        elif 0 <= v < 65536:
            self.out += b"M" + struct.pack("<H", v)  # BININT2
        else:
            self.out += b"J" + struct.pack("<i", v)  # BININT

    def glob(self, module, name):
        self.out += b"c" + module.encode() + b"\n" + name.encode() + b"\n"  # GLOBAL
        self.put()

    def list(self, items, save):
        """EMPTY_LIST, then MARK ... APPENDS per 1,000 items."""
        self.out += b"]"
        self.put()
        for i in range(0, len(items), 1000):
            chunk = items[i:i + 1000]
            if len(chunk) == 1:
                save(chunk[0])
                self.out += b"a"  # APPEND
                continue
            self.out += b"("
            for x in chunk:
                save(x)
            self.out += b"e"

    def array_uint8(self, a):
        """numpy's ndarray.__reduce__: _reconstruct(ndarray, (0,), 'b') and
        BUILD with (1, shape, dtype, is_fortran, raw bytes)."""
        self.glob("numpy.core.multiarray", "_reconstruct")
        self.glob("numpy", "ndarray")
        self.out += b"K\x00\x85"  # (0,)
        self.str("b", memo=False)
        self.out += b"\x87R"  # TUPLE3 REDUCE
        self.put()
        self.out += b"(K\x01"  # MARK, version 1
        for d in a.shape:
            self.int(d)
        self.out += b"\x86"  # the shape, a 2-tuple
        self.glob("numpy", "dtype")
        self.str("u1", memo=False)
        self.out += b"K\x00K\x01\x87R"  # ('u1', 0, 1) REDUCE
        self.put()
        self.out += b"(K\x03"
        self.str("|", memo=False)
        self.out += b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"  # the dtype's state, BUILD
        self.out += b"\x89"  # NEWFALSE: not Fortran order
        self.str(a.tobytes(), memo=False)
        self.out += b"tb"  # TUPLE BUILD

    def dict(self, items, save):
        self.out += b"}"
        self.put()
        self.out += b"("
        for k, v in items:
            self.str(k)
            save(v)
        self.out += b"u"  # SETITEMS

    def done(self):
        return bytes(self.out + b".")


def py2_batch(name):
    labels, pixels = read_bin(name)
    p = Py2Pickler()
    filenames = ["tiny_%s_%05d.png" % (name, i) for i in range(len(labels))]

    def save(v):
        if isinstance(v, np.ndarray):
            p.array_uint8(v)
        elif isinstance(v, int):
            p.int(v)
        elif isinstance(v, str):
            p.str(v)
        elif isinstance(v, list):
            p.list(v, save)
        else:
            raise TypeError(type(v))

    # the key order of the published files (Python 2's dict order)
    p.dict([("data", pixels), ("labels", labels), ("batch_label", batch_label(name)), ("filenames", filenames)], save)
    return p.done()


def py2_meta():
    p = Py2Pickler()

    def save(v):
        if isinstance(v, int):
            p.int(v)
        elif isinstance(v, str):
            p.str(v)
        elif isinstance(v, list):
            p.list(v, save)

    p.dict([("num_cases_per_batch", 10000), ("label_names", class_names()), ("num_vis", IMAGE)], save)
    return p.done()


# --- numpy >= 2's module names -----------------------------------------------


def numpy2_dumps(obj, protocol):
    """pickle.dumps as under numpy >= 2, which names its modules numpy._core:
    numpy 1's reduction of each array, with the function renamed."""
    renamed = {}
    for module, fn in [("numpy._core.multiarray", np.core.multiarray._reconstruct),
                       ("numpy._core.numeric", np.core.numeric._frombuffer)]:
        m = sys.modules.setdefault(module, types.ModuleType(module))

        def stand_in(*args):
            raise RuntimeError("a stand-in for pickling, never called")

        stand_in.__module__, stand_in.__name__, stand_in.__qualname__ = module, fn.__name__, fn.__name__
        setattr(m, fn.__name__, stand_in)
        renamed[fn] = stand_in

    def reduce(a):
        fn, args, *rest = a.__reduce_ex__(protocol)
        return (renamed[fn], args, *rest)

    f = io.BytesIO()
    p = pickle.Pickler(f, protocol=protocol)
    p.dispatch_table = copyreg.dispatch_table.copy()
    p.dispatch_table[np.ndarray] = reduce
    p.dump(obj)
    return f.getvalue()


# --- MAT-files written element by element, in either byte order --------------

miINT8, miUINT8, miUINT16, miINT32, miUINT32, miMATRIX, miCOMPRESSED = 1, 2, 4, 5, 6, 14, 15
mxCHAR, mxDOUBLE, mxUINT8 = 4, 6, 9


class MatWriter:
    def __init__(self, order):
        self.o = order  # ">" or "<"

    def header(self):
        text = b"MATLAB 5.0 MAT-file, Platform: twolayer fixture, Created by make_formats.py"
        indicator = struct.pack(self.o + "H", (ord("M") << 8) | ord("I"))  # "MI" big-endian, "IM" little
        return text.ljust(116, b" ") + b"\x00" * 8 + struct.pack(self.o + "H", 0x0100) + indicator

    def element(self, typ, data):
        if 0 < len(data) <= 4:  # small data element format
            return struct.pack(self.o + "I", (len(data) << 16) | typ) + data.ljust(4, b"\x00")
        pad = -len(data) % 8
        return struct.pack(self.o + "II", typ, len(data)) + data + b"\x00" * pad

    def matrix(self, name, cls, dims, typ, data):
        flags = self.element(miUINT32, struct.pack(self.o + "II", cls, 0))
        d = self.element(miINT32, struct.pack(self.o + "%di" % len(dims), *dims))
        n = self.element(miINT8, name.encode())
        body = flags + d + n + self.element(typ, data)
        return struct.pack(self.o + "II", miMATRIX, len(body)) + body

    def compressed(self, element):
        z = zlib.compress(element)
        return struct.pack(self.o + "II", miCOMPRESSED, len(z)) + z  # not padded

    def chars(self, rows):
        """A character matrix, UTF-16 code units, rows padded with spaces."""
        width = max(len(r) for r in rows)
        rows = [r.ljust(width) for r in rows]
        units = [ord(rows[i][j]) for j in range(width) for i in range(len(rows))]  # column-major
        return [len(rows), width], struct.pack(self.o + "%dH" % len(units), *units)


def mat_be_batch(name):
    labels, pixels = read_bin(name)
    w = MatWriter(">")
    n = len(labels)
    dims, text = w.chars([batch_label(name)])
    return (w.header()
            + w.compressed(w.matrix("data", mxUINT8, [n, IMAGE], miUINT8, pixels.T.tobytes()))
            # MATLAB stores a double array of small integers as uint8
            + w.matrix("labels", mxDOUBLE, [n, 1], miUINT8, bytes(labels))
            + w.compressed(w.matrix("batch_label", mxCHAR, dims, miUINT16, text)))


def mat_be_meta():
    w = MatWriter(">")
    dims, text = w.chars(class_names())
    return w.header() + w.matrix("label_names", mxCHAR, dims, miUINT16, text)


def savemat(variables, compress):
    f = io.BytesIO()
    sio.savemat(f, variables, do_compression=compress)
    data = f.getvalue()
    # the header's text holds the date; keep the fixtures the same at each run
    return b"MATLAB 5.0 MAT-file Platform: posix, Created by make_formats.py".ljust(116, b" ") + data[116:]


def scipy_batch(name, compress, labels_dtype=np.uint8):
    labels, pixels = read_bin(name)
    return savemat({"data": pixels, "labels": np.array(labels, dtype=labels_dtype).reshape(-1, 1),
                    "batch_label": batch_label(name)}, compress)


def scipy_meta():
    names = np.empty((10, 1), dtype=object)
    for i, n in enumerate(class_names()):
        names[i, 0] = n
    return savemat({"label_names": names, "num_cases_per_batch": 10000, "num_vis": IMAGE}, True)


def main():
    for name in FILES:
        write(os.path.join("tiny-py", name), py2_batch(name))
        write(os.path.join("tiny-mat", name + ".mat"), scipy_batch(name, True))
    write(os.path.join("tiny-py", "batches.meta"), py2_meta())
    write(os.path.join("tiny-mat", "batches.meta.mat"), scipy_meta())

    published = py2_batch("data_batch_1")
    as_str = pickle.loads(published, encoding="latin1")  # what numpy's docs advise
    as_bytes = pickle.loads(published, encoding="bytes")  # keys and text stay bytes
    for proto in (2, 3, 4, 5):
        write(os.path.join("pickle", "py3-p%d.pkl" % proto), pickle.dumps(as_str, protocol=proto))
    write(os.path.join("pickle", "py3-p2-bytes.pkl"), pickle.dumps(as_bytes, protocol=2))
    write(os.path.join("pickle", "py3-p4-bytes.pkl"), pickle.dumps(as_bytes, protocol=4))
    for proto in (2, 5):
        write(os.path.join("pickle", "numpy2-p%d.pkl" % proto), numpy2_dumps(as_str, proto))
    fortran = dict(as_str, data=np.asfortranarray(as_str["data"]))
    for proto in (2, 5):
        write(os.path.join("pickle", "fortran-p%d.pkl" % proto), pickle.dumps(fortran, protocol=proto))
    meta = pickle.loads(py2_meta(), encoding="latin1")
    meta_bytes = pickle.loads(py2_meta(), encoding="bytes")
    write(os.path.join("pickle", "meta-py3-p5.pkl"), pickle.dumps(meta, protocol=5))
    write(os.path.join("pickle", "meta-py3-p2-bytes.pkl"), pickle.dumps(meta_bytes, protocol=2))

    write(os.path.join("mat", "scipy-v5.mat"), scipy_batch("data_batch_1", False))
    write(os.path.join("mat", "scipy-double-labels.mat"), scipy_batch("data_batch_1", False, np.float64))
    write(os.path.join("mat", "big-endian.mat"), mat_be_batch("data_batch_1"))
    write(os.path.join("mat", "meta-big-endian.mat"), mat_be_meta())


if __name__ == "__main__":
    main()
