package cifar

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The only functions a CIFAR-10 pickle may name. The unpickler never calls
// anything: it imitates these on its own values.

// pyGlobal is one of the functions or classes a CIFAR-10 pickle may name.
type pyGlobal int

const (
	// _reconstruct(numpy.ndarray, (0,), b"b") makes an empty array, which
	// BUILD then fills with (version, shape, dtype, is_fortran, raw bytes).
	globalReconstruct pyGlobal = iota + 1
	// numpy.ndarray, the first argument of _reconstruct.
	globalNdarray
	// numpy.dtype(name, align, copy) makes a dtype; BUILD gives it its
	// state (version, byte order, ...).
	globalDtype
	// _frombuffer(buffer, dtype, shape, order) is numpy's array under
	// protocol 5.
	globalFrombuffer
	// _codecs.encode(text, "latin1") is a Python 3 bytes under protocol 2.
	globalEncode
)

// pickleGlobals maps the allowed "module.name" to what it is.
var pickleGlobals = map[string]pyGlobal{
	"numpy.core.multiarray._reconstruct":  globalReconstruct,
	"numpy._core.multiarray._reconstruct": globalReconstruct, // numpy ≥ 2
	"numpy.ndarray":                       globalNdarray,
	"numpy.dtype":                         globalDtype,
	"numpy.core.numeric._frombuffer":      globalFrombuffer,
	"numpy._core.numeric._frombuffer":     globalFrombuffer, // numpy ≥ 2
	"_codecs.encode":                      globalEncode,
}

// String returns the global's name as numpy ≥ 1 writes it.
func (g pyGlobal) String() string {
	switch g {
	case globalReconstruct:
		return "numpy.core.multiarray._reconstruct"
	case globalNdarray:
		return "numpy.ndarray"
	case globalDtype:
		return "numpy.dtype"
	case globalFrombuffer:
		return "numpy.core.numeric._frombuffer"
	case globalEncode:
		return "_codecs.encode"
	}
	return fmt.Sprintf("pyGlobal(%d)", int(g))
}

// global pushes the function module.name if it is one of pickleGlobals.
func (u *unpickler) global(module, name string) error {
	full := module + "." + name
	g, ok := pickleGlobals[full]
	if !ok {
		return u.fail("the file names %s at byte %d; a CIFAR-10 pickle names only numpy's array reconstruction (numpy.core.multiarray._reconstruct, numpy.ndarray, numpy.dtype, numpy.core.numeric._frombuffer, or numpy._core for numpy ≥ 2) and _codecs.encode (nothing was run)",
			shortQuote(full), u.op)
	}
	u.push(g)
	return nil
}

// shortQuote quotes s for a message, cut to 60 bytes.
func shortQuote(s string) string {
	if len(s) > 60 {
		s = strings.ToValidUTF8(s[:60], "") + "…"
	}
	return strconv.Quote(s)
}

// dtype is a numpy dtype: numpy's type string ("u1" for uint8) and, once
// BUILD gave it its state, the byte order.
type dtype struct {
	name  string
	order string // "|" (not applicable), "<", ">" or "="
	built bool
}

// itemSize returns the size in bytes of one element: the number that ends
// numpy's type string ("u1" → 1, "f8" → 8), or 0 if there is none.
func (d *dtype) itemSize() int {
	digits := strings.TrimLeft(d.name, "<>|=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
	n, err := strconv.Atoi(digits)
	if err != nil || n < 1 || n > 16 {
		return 0
	}
	return n
}

// ndarray is a numpy array of fixed-size elements: its shape, dtype and raw
// bytes, in row-major (C) order or, when fortran, column-major order.
type ndarray struct {
	shape   []int
	dtype   *dtype
	fortran bool
	data    []byte
	built   bool
}

// reduce runs REDUCE: the function f called with the tuple args.
func (u *unpickler) reduce(f, a any) (any, error) {
	g, ok := f.(pyGlobal)
	if !ok {
		return nil, u.fail("REDUCE at byte %d calls a %s, not a function", u.op, pyType(f))
	}
	args, ok := a.(pyTuple)
	if !ok {
		return nil, u.fail("REDUCE at byte %d calls %v with a %s, want a tuple of arguments", u.op, g, pyType(a))
	}
	switch g {
	case globalReconstruct:
		if len(args) != 3 || args[0] != globalNdarray {
			return nil, u.fail("%v called at byte %d with %d arguments, want numpy.ndarray, (0,), b\"b\"", g, u.op, len(args))
		}
		return &ndarray{}, nil
	case globalDtype:
		name, ok := text(args0(args))
		if len(args) != 3 || !ok || len(name) > 16 {
			return nil, u.fail("numpy.dtype called at byte %d with %d arguments, want a type string like \"u1\", align, copy", u.op, len(args))
		}
		return &dtype{name: name}, nil
	case globalFrombuffer:
		if len(args) != 4 {
			return nil, u.fail("%v called at byte %d with %d arguments, want buffer, dtype, shape, order", g, u.op, len(args))
		}
		order, _ := text(args[3])
		if order != "C" && order != "F" {
			return nil, u.fail("%v called at byte %d with order %s, want \"C\" or \"F\"", g, u.op, pyType(args[3]))
		}
		arr := &ndarray{built: true, fortran: order == "F"}
		if err := u.fillArray(arr, args[2], args[1], args[0]); err != nil {
			return nil, err
		}
		return arr, nil
	case globalEncode:
		s, ok := args0(args).(pyStr)
		enc, _ := text(args1(args))
		if len(args) != 2 || !ok || (enc != "latin1" && enc != "latin-1") {
			return nil, u.fail("_codecs.encode called at byte %d with other arguments than a str and \"latin1\"", u.op)
		}
		b, ok := latin1(s)
		if !ok {
			return nil, u.fail("_codecs.encode at byte %d: the str has a character above U+00FF, which Latin-1 cannot encode", u.op)
		}
		return b, nil
	}
	return nil, u.fail("%v called at byte %d; it may only be an argument of _reconstruct", g, u.op)
}

func args0(a pyTuple) any {
	if len(a) < 1 {
		return nil
	}
	return a[0]
}

func args1(a pyTuple) any {
	if len(a) < 2 {
		return nil
	}
	return a[1]
}

// latin1 encodes the text s (valid UTF-8) in Latin-1: one byte per
// character, false if a character is above U+00FF. In UTF-8 the characters
// up to U+007F are one byte, those up to U+00FF two bytes starting 0xC2 or
// 0xC3; any other leading byte starts a character above U+00FF.
func latin1(s pyStr) (pyBytes, bool) {
	chars := 0
	for _, c := range s {
		if c&0xc0 != 0x80 { // not a continuation byte
			chars++
		}
	}
	b := make([]byte, 0, chars)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < utf8.RuneSelf:
			b = append(b, c)
		case (c == 0xc2 || c == 0xc3) && i+1 < len(s):
			i++
			b = append(b, (c&0x1f)<<6|s[i]&0x3f)
		default:
			return nil, false
		}
	}
	return b, true
}

// build runs BUILD: it gives obj, a dtype or an array made by REDUCE, its
// state.
func (u *unpickler) build(obj, state any) error {
	st, ok := state.(pyTuple)
	if !ok {
		return u.fail("BUILD at byte %d with a %s as state, want a tuple", u.op, pyType(state))
	}
	switch o := obj.(type) {
	case *dtype:
		// (version 3 or 4, byte order, subarray, names, fields, elsize, alignment, flags[, metadata])
		if o.built || len(st) < 8 {
			return u.fail("BUILD at byte %d: a numpy dtype state of %d items, want 8 or 9", u.op, len(st))
		}
		order, _ := text(st[1])
		if order != "|" && order != "<" && order != ">" && order != "=" {
			return u.fail("BUILD at byte %d: dtype byte order %s, want one of | < > =", u.op, pyType(st[1]))
		}
		for _, v := range st[2:5] {
			if _, ok := v.(pyNone); !ok {
				return u.fail("BUILD at byte %d: a structured or sub-array dtype; CIFAR-10's arrays are plain uint8", u.op)
			}
		}
		o.order, o.built = order, true
		return nil
	case *ndarray:
		// ([version 1,] shape, dtype, is_fortran, raw bytes)
		if len(st) == 5 {
			if v, _ := asInt(st[0]); v != 1 {
				return u.fail("BUILD at byte %d: numpy array state version %s, want 1", u.op, pyType(st[0]))
			}
			st = st[1:]
		}
		if o.built || len(st) != 4 {
			return u.fail("BUILD at byte %d: a numpy array state of %d items, want 4 or 5", u.op, len(st))
		}
		fortran, ok := asInt(st[2])
		if !ok {
			return u.fail("BUILD at byte %d: is_fortran is a %s, want a bool", u.op, pyType(st[2]))
		}
		o.fortran, o.built = fortran != 0, true
		return u.fillArray(o, st[0], st[1], st[3])
	}
	return u.fail("BUILD at byte %d on a %s; CIFAR-10's pickles build only numpy arrays and dtypes", u.op, pyType(obj))
}

// fillArray sets the shape, dtype and bytes of arr from pickled values and
// checks that they agree.
func (u *unpickler) fillArray(arr *ndarray, shape, dt, data any) error {
	t, ok := shape.(pyTuple)
	if !ok || len(t) > 32 {
		return u.fail("at byte %d: an array shape that is a %s, want a tuple of ints", u.op, pyType(shape))
	}
	arr.shape = make([]int, len(t))
	for i, v := range t {
		d, ok := v.(int64)
		if !ok || d < 0 || d > 1<<40 {
			return u.fail("at byte %d: array dimension %d is not an int in 0..2⁴⁰", u.op, i)
		}
		arr.shape[i] = int(d)
	}
	if arr.dtype, ok = dt.(*dtype); !ok || !arr.dtype.built {
		return u.fail("at byte %d: an array whose dtype is a %s, want a numpy dtype", u.op, pyType(dt))
	}
	switch d := data.(type) {
	case pyBytes:
		arr.data = d
	case pyStr: // numpy accepts text, read as Latin-1
		if arr.data, ok = latin1(d); !ok {
			return u.fail("at byte %d: array data given as text with a character above U+00FF", u.op)
		}
	default:
		return u.fail("at byte %d: array data is a %s, want bytes (an object array?)", u.op, pyType(data))
	}
	size := arr.dtype.itemSize()
	if size == 0 {
		return u.fail("at byte %d: array dtype %s is not a plain number type", u.op, shortQuote(arr.dtype.name))
	}
	if need, ok := product(arr.shape, size, len(arr.data)); !ok || need != len(arr.data) {
		return u.fail("at byte %d: an array of shape %v and dtype %s %s", u.op, arr.shape, shortQuote(arr.dtype.name), sizeMismatch(need, ok, len(arr.data)))
	}
	return nil
}

// pickleRecords decodes a pickled CIFAR-10 batch, a dict whose "data" is a
// uint8 array of n×3072 pixel bytes and whose "labels" is a list of n ints
// in 0..9, into n records of the binary version.
func pickleRecords(data []byte) ([]byte, error) {
	d, err := unpickleDict(data)
	if err != nil {
		return nil, err
	}
	v, ok := d.get("data")
	if !ok {
		return nil, fmt.Errorf("the pickled dict has no \"data\" (keys: %s): not a CIFAR-10 batch", d.keyList())
	}
	arr, ok := v.(*ndarray)
	switch {
	case !ok:
		return nil, fmt.Errorf("the pickled \"data\" is a %s, want a numpy array", pyType(v))
	case arr.dtype.name != "u1":
		return nil, fmt.Errorf("the pickled \"data\" has dtype %s, want uint8 (\"u1\")", shortQuote(arr.dtype.name))
	case len(arr.shape) != 2 || arr.shape[1] != ImageSize || arr.shape[0] == 0:
		return nil, fmt.Errorf("the pickled \"data\" has shape %v, want n×%d with n ≥ 1", arr.shape, ImageSize)
	}
	n := arr.shape[0]
	v, ok = d.get("labels")
	if !ok {
		return nil, fmt.Errorf("the pickled dict has no \"labels\" (keys: %s): not a CIFAR-10 batch", d.keyList())
	}
	list, ok := v.(*pyList)
	if !ok || len(list.items) != n {
		return nil, fmt.Errorf("the pickled \"labels\" is a %s of %d items, want a list of %d ints (one per image)", pyType(v), pyLen(v), n)
	}
	labels := make([]byte, n)
	for i, item := range list.items {
		l, ok := item.(int64)
		if !ok || l < 0 || l >= NumClasses {
			return nil, fmt.Errorf("the pickled label %d is %s; labels must be ints 0..9", i, pyRepr(item))
		}
		labels[i] = byte(l)
	}
	return makeRecords(labels, arr.data, arr.fortran), nil
}

// pickleClassNames returns the "label_names" of a pickled batches.meta.
func pickleClassNames(data []byte) ([]string, error) {
	d, err := unpickleDict(data)
	if err != nil {
		return nil, err
	}
	v, ok := d.get("label_names")
	list, isList := v.(*pyList)
	if !ok || !isList {
		return nil, fmt.Errorf("the pickled dict has no list \"label_names\" (keys: %s)", d.keyList())
	}
	names := make([]string, len(list.items))
	for i, item := range list.items {
		if names[i], ok = text(item); !ok {
			return nil, fmt.Errorf("the pickled label name %d is a %s, want text", i, pyType(item))
		}
	}
	return names, nil
}

// unpickleDict unpickles data and returns the dict it holds.
func unpickleDict(data []byte) (*pyDict, error) {
	v, err := unpickle(data)
	if err != nil {
		return nil, err
	}
	d, ok := v.(*pyDict)
	if !ok {
		return nil, fmt.Errorf("the pickle holds a %s, want a dict: not a CIFAR-10 batch", pyType(v))
	}
	return d, nil
}

// keyList lists up to 8 of d's keys, for messages.
func (d *pyDict) keyList() string {
	var keys []string
	for i, k := range d.keys {
		if i == 8 {
			keys = append(keys, "…")
			break
		}
		s, ok := text(k)
		if !ok {
			s = pyType(k)
		} else {
			s = shortQuote(s)
		}
		keys = append(keys, s)
	}
	if len(keys) == 0 {
		return "none"
	}
	return strings.Join(keys, ", ")
}

// pyLen returns the number of items of a list or tuple, else 0.
func pyLen(v any) int {
	switch v := v.(type) {
	case *pyList:
		return len(v.items)
	case pyTuple:
		return len(v)
	}
	return 0
}

// pyRepr shows an int as its value, anything else as its type.
func pyRepr(v any) string {
	if i, ok := v.(int64); ok {
		return strconv.FormatInt(i, 10)
	}
	return "a " + pyType(v)
}
