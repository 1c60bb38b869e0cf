package cifar

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// This file reads the Python version of CIFAR-10 (cifar-10-batches-py): each
// file is a Python dict written by pickle. Pickle is a small stack machine
// whose program is the file; a general unpickler runs whatever functions the
// file names, so it must never be pointed at a file one does not trust. This
// one runs nothing: it interprets only the opcodes that CIFAR-10's files
// use, builds plain values (ints, strings, lists, tuples, dicts) on a stack,
// and knows by name the four functions those files call (numpy's array
// reconstruction, numpy.dtype, numpy's frombuffer helper and _codecs.encode),
// which it imitates on those values (pickle_numpy.go). Any other opcode or
// function is an error naming it.
//
// The variants met in practice, all read here:
//   - as published, written by Python 2 (protocol 2): text and the pixel
//     bytes are Python 2 str (SHORT_BINSTRING, BINSTRING);
//   - re-saved by Python 3 with protocol 2: bytes become
//     _codecs.encode(latin-1 text, "latin1"), text is BINUNICODE;
//   - protocols 3–5: bytes are BINBYTES; protocol 4 adds FRAME, MEMOIZE and
//     STACK_GLOBAL; under protocol 5 numpy pickles an array as
//     _frombuffer(bytearray, dtype, shape, order) with the bytes in-band
//     (BYTEARRAY8);
//   - numpy ≥ 2 names its modules numpy._core instead of numpy.core.

// The Python values the unpickler builds. A Python int is an int64, a bool a
// bool; the other types are below.
type (
	pyNone  struct{}
	pyBytes []byte // a Python 2 str, bytes or bytearray: a view of the file
	pyStr   []byte // a Python 3 str (Python 2 unicode), UTF-8: a view of the file
	pyTuple []any
	pyList  struct{ items []any }
	pyDict  struct{ keys, values []any }
)

// Limits that no CIFAR-10 pickle comes near, so that a hostile file fails
// early instead of making the unpickler hold much more than its own size.
const (
	// pickleMaxStack bounds the stack: Python's picklers push at most
	// 1,000 items of a list (2,000 keys and values of a dict) between a
	// MARK and its APPENDS (SETITEMS).
	pickleMaxStack = 1 << 13
	// pickleMaxMarks bounds the nesting of MARKs: the files nest three
	// (the dict's items, the array's state, the dtype's state).
	pickleMaxMarks = 32
)

// unpickler is the state of the pickle machine on one file.
type unpickler struct {
	data  []byte
	pos   int         // offset of the next byte to read
	op    int         // offset of the opcode being run, for messages
	stack []any       // the value stack
	marks []int       // stack heights at the open MARKs
	memo  map[int]any // the memo, filled by BINPUT, LONG_BINPUT, MEMOIZE
}

// pickleError is a problem found by the unpickler; the caller turns it into
// a *FormatError naming the file.
type pickleError struct{ msg string }

func (e *pickleError) Error() string { return e.msg }

func (u *unpickler) fail(format string, args ...any) error {
	return &pickleError{fmt.Sprintf("pickle: "+format, args...)}
}

// unpickle runs the pickle program in data and returns the value it leaves
// at STOP. Every error is a *pickleError.
func unpickle(data []byte) (any, error) {
	u := &unpickler{data: data, memo: map[int]any{}}
	if len(data) == 0 || data[0] != opPROTO {
		return nil, u.fail("the file does not start with the PROTO opcode 0x80 of pickle protocols 2–5 (not a pickle written by Python 2 or 3?)")
	}
	for {
		if u.pos >= len(data) {
			return nil, u.fail("the stream ends at byte %d without the STOP opcode (truncated file?)", u.pos)
		}
		u.op = u.pos
		code := data[u.pos]
		u.pos++
		if code == opSTOP {
			if len(u.stack) != 1 || len(u.marks) != 0 {
				return nil, u.fail("STOP at byte %d leaves %d values and %d marks on the stack, want one value", u.op, len(u.stack), len(u.marks))
			}
			return u.stack[0], nil
		}
		if err := u.step(code); err != nil {
			return nil, err
		}
		if len(u.stack) > pickleMaxStack {
			return nil, u.fail("more than %d values on the stack at byte %d (a CIFAR-10 pickle needs about 1,000)", pickleMaxStack, u.op)
		}
	}
}

// The opcodes used by CIFAR-10's pickles, named as in Python's pickletools.
const (
	opMARK             = '('
	opSTOP             = '.'
	opBININT           = 'J'
	opBININT1          = 'K'
	opBININT2          = 'M'
	opNONE             = 'N'
	opREDUCE           = 'R'
	opBINSTRING        = 'T'
	opSHORT_BINSTRING  = 'U'
	opBINUNICODE       = 'X'
	opAPPEND           = 'a'
	opBUILD            = 'b'
	opGLOBAL           = 'c'
	opAPPENDS          = 'e'
	opBINGET           = 'h'
	opLONG_BINGET      = 'j'
	opBINPUT           = 'q'
	opLONG_BINPUT      = 'r'
	opSETITEM          = 's'
	opTUPLE            = 't'
	opSETITEMS         = 'u'
	opEMPTY_DICT       = '}'
	opEMPTY_LIST       = ']'
	opEMPTY_TUPLE      = ')'
	opBINBYTES         = 'B'
	opSHORT_BINBYTES   = 'C'
	opPROTO            = 0x80
	opTUPLE1           = 0x85
	opTUPLE2           = 0x86
	opTUPLE3           = 0x87
	opNEWTRUE          = 0x88
	opNEWFALSE         = 0x89
	opSHORT_BINUNICODE = 0x8c
	opBINUNICODE8      = 0x8d
	opBINBYTES8        = 0x8e
	opSTACK_GLOBAL     = 0x93
	opMEMOIZE          = 0x94
	opFRAME            = 0x95
	opBYTEARRAY8       = 0x96
)

// opcodeNames names the opcodes above, for messages.
var opcodeNames = map[byte]string{
	opMARK: "MARK", opSTOP: "STOP", opBININT: "BININT", opBININT1: "BININT1", opBININT2: "BININT2",
	opNONE: "NONE", opREDUCE: "REDUCE", opBINSTRING: "BINSTRING", opSHORT_BINSTRING: "SHORT_BINSTRING",
	opBINUNICODE: "BINUNICODE", opAPPEND: "APPEND", opBUILD: "BUILD", opGLOBAL: "GLOBAL",
	opAPPENDS: "APPENDS", opBINGET: "BINGET", opLONG_BINGET: "LONG_BINGET", opBINPUT: "BINPUT",
	opLONG_BINPUT: "LONG_BINPUT", opSETITEM: "SETITEM", opTUPLE: "TUPLE", opSETITEMS: "SETITEMS",
	opEMPTY_DICT: "EMPTY_DICT", opEMPTY_LIST: "EMPTY_LIST", opEMPTY_TUPLE: "EMPTY_TUPLE",
	opBINBYTES: "BINBYTES", opSHORT_BINBYTES: "SHORT_BINBYTES", opPROTO: "PROTO", opTUPLE1: "TUPLE1",
	opTUPLE2: "TUPLE2", opTUPLE3: "TUPLE3", opNEWTRUE: "NEWTRUE", opNEWFALSE: "NEWFALSE",
	opSHORT_BINUNICODE: "SHORT_BINUNICODE", opBINUNICODE8: "BINUNICODE8", opBINBYTES8: "BINBYTES8",
	opSTACK_GLOBAL: "STACK_GLOBAL", opMEMOIZE: "MEMOIZE", opFRAME: "FRAME", opBYTEARRAY8: "BYTEARRAY8",
}

// opName names the opcode being run, for messages.
func (u *unpickler) opName() string { return opcodeNames[u.data[u.op]] }

// otherOpcodes names the pickle opcodes that CIFAR-10's files do not use,
// for the error message.
var otherOpcodes = map[byte]string{
	'0': "POP", '1': "POP_MARK", '2': "DUP", 'F': "FLOAT", 'I': "INT", 'L': "LONG",
	'P': "PERSID", 'Q': "BINPERSID", 'S': "STRING", 'V': "UNICODE", 'd': "DICT",
	'g': "GET", 'i': "INST", 'l': "LIST", 'o': "OBJ", 'p': "PUT", 'G': "BINFLOAT",
	0x81: "NEWOBJ", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4", 0x8a: "LONG1", 0x8b: "LONG4",
	0x8f: "EMPTY_SET", 0x90: "ADDITEMS", 0x91: "FROZENSET", 0x92: "NEWOBJ_EX",
	0x97: "NEXT_BUFFER (an out-of-band buffer)", 0x98: "READONLY_BUFFER",
}

// step runs the opcode code, whose argument (if any) starts at u.pos.
func (u *unpickler) step(code byte) error {
	switch code {
	case opPROTO:
		v, err := u.uint(1)
		if err != nil {
			return err
		}
		if u.op != 0 {
			return u.fail("PROTO opcode at byte %d; it may only come first", u.op)
		}
		if v < 2 || v > 5 {
			return u.fail("protocol %d; CIFAR-10's pickles use protocols 2 to 5", v)
		}
	case opFRAME: // protocol 4+: a hint of how much to read at once
		n, err := u.uint(8)
		if err != nil {
			return err
		}
		if n > uint64(len(u.data)-u.pos) {
			return u.fail("FRAME at byte %d declares %d bytes but only %d remain (truncated file?)", u.op, n, len(u.data)-u.pos)
		}
	case opMARK:
		if len(u.marks) >= pickleMaxMarks {
			return u.fail("MARKs nested more than %d deep at byte %d (CIFAR-10's pickles nest 3)", pickleMaxMarks, u.op)
		}
		u.marks = append(u.marks, len(u.stack))
	case opNONE:
		u.push(pyNone{})
	case opNEWTRUE, opNEWFALSE:
		u.push(code == opNEWTRUE)
	case opBININT1:
		v, err := u.uint(1)
		if err != nil {
			return err
		}
		u.push(int64(v))
	case opBININT2:
		v, err := u.uint(2)
		if err != nil {
			return err
		}
		u.push(int64(v))
	case opBININT:
		v, err := u.uint(4)
		if err != nil {
			return err
		}
		u.push(int64(int32(uint32(v))))
	case opSHORT_BINSTRING, opSHORT_BINBYTES:
		return u.pushBytes(1, false)
	case opBINSTRING, opBINBYTES:
		return u.pushBytes(4, false)
	case opBINBYTES8, opBYTEARRAY8:
		return u.pushBytes(8, false)
	case opSHORT_BINUNICODE:
		return u.pushBytes(1, true)
	case opBINUNICODE:
		return u.pushBytes(4, true)
	case opBINUNICODE8:
		return u.pushBytes(8, true)
	case opEMPTY_TUPLE:
		u.push(pyTuple{})
	case opTUPLE1, opTUPLE2, opTUPLE3:
		n := int(code-opTUPLE1) + 1
		items, err := u.popN(n)
		if err != nil {
			return err
		}
		u.push(pyTuple(items))
	case opTUPLE:
		items, err := u.popMark()
		if err != nil {
			return err
		}
		u.push(pyTuple(items))
	case opEMPTY_LIST:
		u.push(&pyList{})
	case opEMPTY_DICT:
		u.push(&pyDict{})
	case opAPPEND, opAPPENDS:
		return u.appends(code == opAPPENDS)
	case opSETITEM, opSETITEMS:
		return u.setItems(code == opSETITEMS)
	case opBINPUT, opLONG_BINPUT, opMEMOIZE:
		return u.put(code)
	case opBINGET, opLONG_BINGET:
		size := 1
		if code == opLONG_BINGET {
			size = 4
		}
		idx, err := u.uint(size)
		if err != nil {
			return err
		}
		v, ok := u.memo[int(idx)]
		if !ok {
			return u.fail("GET at byte %d of memo entry %d, which was never PUT", u.op, idx)
		}
		u.push(v)
	case opGLOBAL:
		module, err := u.line()
		if err != nil {
			return err
		}
		name, err := u.line()
		if err != nil {
			return err
		}
		return u.global(module, name)
	case opSTACK_GLOBAL:
		names, err := u.popN(2)
		if err != nil {
			return err
		}
		module, ok1 := names[0].(pyStr)
		name, ok2 := names[1].(pyStr)
		if !ok1 || !ok2 {
			return u.fail("STACK_GLOBAL at byte %d on a %s and a %s, want two str", u.op, pyType(names[0]), pyType(names[1]))
		}
		return u.global(string(module), string(name))
	case opREDUCE:
		args, err := u.popN(2)
		if err != nil {
			return err
		}
		v, err := u.reduce(args[0], args[1])
		if err != nil {
			return err
		}
		u.push(v)
	case opBUILD:
		args, err := u.popN(2)
		if err != nil {
			return err
		}
		if err := u.build(args[0], args[1]); err != nil {
			return err
		}
		u.push(args[0])
	default:
		if name, ok := otherOpcodes[code]; ok {
			return u.fail("opcode %s (0x%02x) at byte %d is not one that CIFAR-10's pickles use", name, code, u.op)
		}
		return u.fail("unknown opcode 0x%02x at byte %d (not a pickle, or a corrupted one)", code, u.op)
	}
	return nil
}

// uint reads the size-byte little-endian unsigned argument of the current
// opcode.
func (u *unpickler) uint(size int) (uint64, error) {
	if len(u.data)-u.pos < size {
		return 0, u.truncated(uint64(size))
	}
	var b [8]byte
	copy(b[:], u.data[u.pos:u.pos+size])
	u.pos += size
	return binary.LittleEndian.Uint64(b[:]), nil
}

func (u *unpickler) truncated(need uint64) error {
	return u.fail("%s at byte %d needs %d bytes but only %d remain (truncated file?)", u.opName(), u.op, need, len(u.data)-u.pos)
}

// pushBytes pushes the byte string (text, when utf8) whose length is the
// lenSize-byte argument of the current opcode. The value is a view of the
// file: nothing is allocated for it, whatever the length says.
func (u *unpickler) pushBytes(lenSize int, utf8Text bool) error {
	n, err := u.uint(lenSize)
	if err != nil {
		return err
	}
	if n > uint64(len(u.data)-u.pos) {
		return u.truncated(n)
	}
	b := u.data[u.pos : u.pos+int(n) : u.pos+int(n)]
	u.pos += int(n)
	if !utf8Text {
		u.push(pyBytes(b))
		return nil
	}
	if !utf8.Valid(b) {
		return u.fail("the str at byte %d is not valid UTF-8", u.op)
	}
	u.push(pyStr(b))
	return nil
}

// line reads the newline-terminated argument of GLOBAL.
func (u *unpickler) line() (string, error) {
	for i := u.pos; i < len(u.data); i++ {
		if u.data[i] == '\n' {
			s := string(u.data[u.pos:i])
			u.pos = i + 1
			return s, nil
		}
	}
	return "", u.fail("GLOBAL at byte %d has no end of line (truncated file?)", u.op)
}

func (u *unpickler) push(v any) { u.stack = append(u.stack, v) }

// popN pops the top n values, returned bottom first. The values above the
// innermost MARK are the only ones that may be popped.
func (u *unpickler) popN(n int) ([]any, error) {
	floor := 0
	if len(u.marks) > 0 {
		floor = u.marks[len(u.marks)-1]
	}
	if len(u.stack)-floor < n {
		return nil, u.fail("%s at byte %d needs %d values on the stack, finds %d", u.opName(), u.op, n, len(u.stack)-floor)
	}
	items := append([]any(nil), u.stack[len(u.stack)-n:]...)
	u.stack = u.stack[:len(u.stack)-n]
	return items, nil
}

// popMark pops the values above the innermost MARK and the MARK.
func (u *unpickler) popMark() ([]any, error) {
	if len(u.marks) == 0 {
		return nil, u.fail("%s at byte %d needs a MARK, finds none", u.opName(), u.op)
	}
	m := u.marks[len(u.marks)-1]
	u.marks = u.marks[:len(u.marks)-1]
	items := append([]any(nil), u.stack[m:]...)
	u.stack = u.stack[:m]
	return items, nil
}

// top returns the value on top of the stack, or an error for an opcode that
// needs one.
func (u *unpickler) top() (any, error) {
	if len(u.stack) == 0 || (len(u.marks) > 0 && u.marks[len(u.marks)-1] == len(u.stack)) {
		return nil, u.fail("%s at byte %d needs a value on the stack, finds none", u.opName(), u.op)
	}
	return u.stack[len(u.stack)-1], nil
}

// appends runs APPEND (one item) or APPENDS (the items above the MARK): they
// are added to the list below them.
func (u *unpickler) appends(many bool) error {
	var items []any
	var err error
	if many {
		items, err = u.popMark()
	} else {
		items, err = u.popN(1)
	}
	if err != nil {
		return err
	}
	l, err := u.top()
	if err != nil {
		return err
	}
	list, ok := l.(*pyList)
	if !ok {
		return u.fail("%s at byte %d to a %s, want a list", u.opName(), u.op, pyType(l))
	}
	list.items = append(list.items, items...)
	return nil
}

// setItems runs SETITEM (one key and value) or SETITEMS (the pairs above the
// MARK): they are added to the dict below them.
func (u *unpickler) setItems(many bool) error {
	var items []any
	var err error
	if many {
		items, err = u.popMark()
	} else {
		items, err = u.popN(2)
	}
	if err != nil {
		return err
	}
	if len(items)%2 != 0 {
		return u.fail("%s at byte %d with an odd number (%d) of keys and values", u.opName(), u.op, len(items))
	}
	d, err := u.top()
	if err != nil {
		return err
	}
	dict, ok := d.(*pyDict)
	if !ok {
		return u.fail("%s at byte %d on a %s, want a dict", u.opName(), u.op, pyType(d))
	}
	for i := 0; i < len(items); i += 2 {
		dict.keys = append(dict.keys, items[i])
		dict.values = append(dict.values, items[i+1])
	}
	return nil
}

// put runs BINPUT, LONG_BINPUT or MEMOIZE: the value on top of the stack is
// remembered under an index (MEMOIZE: the memo's size).
func (u *unpickler) put(code byte) error {
	idx := len(u.memo)
	if code != opMEMOIZE {
		size := 1
		if code == opLONG_BINPUT {
			size = 4
		}
		v, err := u.uint(size)
		if err != nil {
			return err
		}
		idx = int(v)
	}
	v, err := u.top()
	if err != nil {
		return err
	}
	u.memo[idx] = v
	return nil
}

// get returns the value of key (a str or bytes, as the file was written by
// Python 2 or 3) in d, and whether it is there.
func (d *pyDict) get(key string) (any, bool) {
	for i, k := range d.keys {
		if s, ok := text(k); ok && s == key {
			return d.values[i], true
		}
	}
	return nil, false
}

// text returns the text of a str, or of a bytes (Python 2's str) read as
// Latin-1, and whether v is either.
func text(v any) (string, bool) {
	switch v := v.(type) {
	case pyStr:
		return string(v), true
	case pyBytes:
		if utf8.Valid(v) {
			return string(v), true
		}
		var b strings.Builder
		for _, c := range v {
			b.WriteRune(rune(c))
		}
		return b.String(), true
	}
	return "", false
}

// pyType names the Python type of v, for messages.
func pyType(v any) string {
	switch v := v.(type) {
	case pyNone:
		return "None"
	case bool:
		return "bool"
	case int64:
		return "int"
	case pyBytes:
		return "bytes"
	case pyStr:
		return "str"
	case pyTuple:
		return fmt.Sprintf("%d-tuple", len(v))
	case *pyList:
		return "list"
	case *pyDict:
		return "dict"
	case pyGlobal:
		return v.String()
	case *ndarray:
		return "numpy array"
	case *dtype:
		return "numpy dtype"
	}
	return fmt.Sprintf("%T", v)
}

// asInt returns v as an int when it is a Python int (or bool) that fits.
func asInt(v any) (int, bool) {
	switch v := v.(type) {
	case int64:
		if v < math.MinInt || v > math.MaxInt {
			return 0, false
		}
		return int(v), true
	case bool:
		if v {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}
