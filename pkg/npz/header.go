package npz

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// npyMagic starts every .npy file.
const npyMagic = "\x93NUMPY"

// header is a parsed .npy header with the sizes derived from it.
type header struct {
	descr    string // as in the file, e.g. "<f4"
	dtype    string // Array.DType
	itemSize int64  // bytes per element in the file
	memItem  int64  // bytes per element once decoded
	shape    []int
	fortran  bool  // data in Fortran (column-major) order: decode reorders it
	n        int64 // number of elements

	headerBytes int64 // magic, version, length and dict
	dataBytes   int64 // n * itemSize
	memBytes    int64 // n * memItem
}

// readHeader reads and checks the .npy header of a member of declared bytes.
func readHeader(r io.Reader, member string, declared int64) (*header, error) {
	var pre [12]byte
	if _, err := io.ReadFull(r, pre[:8]); err != nil {
		return nil, fmt.Errorf("npz: member %q is too short for a .npy header: want at least 10 bytes (%v)", member, err)
	}
	if string(pre[:6]) != npyMagic {
		return nil, fmt.Errorf("npz: member %q is not a .npy array: want magic %q, got %q", member, npyMagic, pre[:6])
	}
	major, minor := pre[6], pre[7]
	var lenBytes int
	switch {
	case major == 1 && minor == 0:
		lenBytes = 2
	case (major == 2 || major == 3) && minor == 0:
		lenBytes = 4
	default:
		return nil, fmt.Errorf("npz: member %q has .npy format version %d.%d, want 1.0, 2.0 or 3.0", member, major, minor)
	}
	if _, err := io.ReadFull(r, pre[8:8+lenBytes]); err != nil {
		return nil, fmt.Errorf("npz: member %q is truncated in its .npy header length (%v)", member, err)
	}
	var hl int64
	if lenBytes == 2 {
		hl = int64(binary.LittleEndian.Uint16(pre[8:]))
	} else {
		hl = int64(binary.LittleEndian.Uint32(pre[8:]))
	}
	if hl > maxHeaderLen {
		return nil, fmt.Errorf("npz: member %q has a .npy header of %d bytes, want at most %d", member, hl, maxHeaderLen)
	}
	headerBytes := int64(8+lenBytes) + hl
	if headerBytes > declared {
		return nil, fmt.Errorf("npz: member %q has a .npy header of %d bytes but the member declares only %d bytes in all", member, headerBytes, declared)
	}
	text := make([]byte, hl)
	if _, err := io.ReadFull(r, text); err != nil {
		return nil, fmt.Errorf("npz: member %q is truncated in its .npy header: want %d header bytes (%v)", member, hl, err)
	}
	h, err := parseHeaderDict(string(text), major)
	if err != nil {
		return nil, fmt.Errorf("npz: member %q: %w", member, err)
	}
	h.headerBytes = headerBytes
	avail := declared - headerBytes
	// Bound the element count by the bytes available so that the products
	// below cannot overflow.
	n, err := shapeSize(h.shape, avail/max(h.itemSize, 1)+1)
	if err != nil { // too many elements: parseHeaderDict refused negative dimensions
		return nil, fmt.Errorf("npz: member %q: header says shape %v of dtype %s, which is more than the %d bytes of data the member has after its header", member, shapeString(h.shape), h.descr, avail)
	}
	h.n = n
	h.dataBytes = n * h.itemSize
	h.memBytes = n * h.memItem
	if h.dataBytes != avail {
		return nil, fmt.Errorf("npz: member %q: header says shape %v of dtype %s, which is %d bytes of data, but the member has %d bytes after its header", member, shapeString(h.shape), h.descr, h.dataBytes, avail)
	}
	return h, nil
}

// shapeSize returns the product of shape (1 for a 0-d shape), or an error if
// a dimension is negative or the product exceeds limit.
func shapeSize(shape []int, limit int64) (int64, error) {
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("dimension %d is negative, want >= 0", d)
		}
		if d == 0 {
			return 0, nil
		}
	}
	n := int64(1)
	for _, d := range shape {
		if int64(d) > limit/n {
			return 0, fmt.Errorf("it has more than %d elements", limit)
		}
		n *= int64(d)
	}
	return n, nil
}

// dtypeInfo describes a supported descr.
type dtypeInfo struct {
	dtype    string
	itemSize int64
	memItem  int64
}

var dtypes = map[string]dtypeInfo{
	"f4": {Float32, 4, 4},
	"f8": {Float64, 8, 8},
	"i4": {Int32, 4, 8},
	"i8": {Int64, 8, 8},
	"u1": {Uint8, 1, 8},
	"b1": {Bool, 1, 8},
}

const supportedDescrs = "<f4 <f8 <i4 <i8 |u1 |b1 <U{n}"

// parseDescr interprets a numpy dtype string such as "<f4" or "<U5".
func parseDescr(descr string) (dtypeInfo, error) {
	unsupported := func(why string) (dtypeInfo, error) {
		return dtypeInfo{}, fmt.Errorf("dtype %q is not supported (%s); want one of %s", descr, why, supportedDescrs)
	}
	if len(descr) < 3 {
		return unsupported("unknown")
	}
	order, kind := descr[0], descr[1:]
	if order != '<' && order != '>' && order != '|' && order != '=' {
		return unsupported("unknown byte order")
	}
	if kind[0] == 'U' {
		n, err := strconv.ParseInt(kind[1:], 10, 32)
		if err != nil || n < 0 || kind[1] == '+' {
			return unsupported("bad string length")
		}
		switch order {
		case '>':
			return unsupported("big-endian")
		case '=':
			return unsupported("native byte order is ambiguous in a file")
		}
		// Decoded as UTF-8: at most 4 bytes per code point.
		return dtypeInfo{Str, 4 * n, 4 * n}, nil
	}
	info, ok := dtypes[kind]
	if !ok {
		return unsupported("unknown")
	}
	if info.itemSize > 1 {
		switch order {
		case '>':
			return unsupported("big-endian")
		case '|':
			return unsupported("'|' byte order is for 1-byte types")
		case '=':
			return unsupported("native byte order is ambiguous in a file")
		}
	}
	return info, nil
}

// parseHeaderDict parses the Python dict literal of a .npy header.
func parseHeaderDict(text string, major byte) (*header, error) {
	if major < 3 {
		// Versions 1 and 2 are latin-1; anything non-ASCII can only appear
		// inside strings, which then fail dtype checks. Decode so that error
		// messages show the right characters.
		if !isASCII(text) {
			b := make([]rune, 0, len(text))
			for i := 0; i < len(text); i++ {
				b = append(b, rune(text[i]))
			}
			text = string(b)
		}
	} else if !utf8.ValidString(text) {
		return nil, fmt.Errorf(".npy 3.0 header is not valid UTF-8")
	}
	p := &pyParser{s: text}
	v, err := p.value(0)
	if err == nil {
		p.skipSpace()
		if p.i != len(p.s) {
			err = p.errorf("unexpected text after the dict")
		}
	}
	if err != nil {
		return nil, fmt.Errorf(".npy header is not a Python dict literal: %w (header %.200q)", err, text)
	}
	d, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf(".npy header is a %s, want a dict with keys 'descr', 'fortran_order', 'shape' (header %.200q)", pyType(v), text)
	}
	if len(d) != 3 || d["descr"] == nil || d["fortran_order"] == nil || d["shape"] == nil {
		keys := make([]string, 0, len(d))
		for k := range d {
			keys = append(keys, k)
		}
		return nil, fmt.Errorf(".npy header has keys %s, want exactly 'descr', 'fortran_order', 'shape'", quoteList(sortedStrings(keys)))
	}
	descr, ok := d["descr"].(string)
	if !ok {
		return nil, fmt.Errorf(".npy header 'descr' is a %s (a structured dtype?), want a dtype string; supported: %s", pyType(d["descr"]), supportedDescrs)
	}
	info, err := parseDescr(descr)
	if err != nil {
		return nil, err
	}
	fortran, ok := d["fortran_order"].(bool)
	if !ok {
		return nil, fmt.Errorf(".npy header 'fortran_order' is a %s, want True or False", pyType(d["fortran_order"]))
	}
	tup, ok := d["shape"].([]any)
	if !ok {
		return nil, fmt.Errorf(".npy header 'shape' is a %s, want a tuple of ints", pyType(d["shape"]))
	}
	shape := make([]int, len(tup))
	for i, e := range tup {
		v, ok := e.(int64)
		if !ok {
			return nil, fmt.Errorf(".npy header 'shape' element %d is a %s, want an int", i, pyType(e))
		}
		if v < 0 || v > math.MaxInt {
			return nil, fmt.Errorf(".npy header 'shape' element %d is %d, want a non-negative int", i, v)
		}
		shape[i] = int(v)
	}
	if info.dtype == Str && len(shape) != 0 {
		return nil, fmt.Errorf("string array of shape %v: only 0-d string arrays (np.array(\"...\")) are supported", shapeString(shape))
	}
	return &header{descr: descr, dtype: info.dtype, itemSize: info.itemSize, memItem: info.memItem, shape: shape, fortran: fortran}, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func sortedStrings(s []string) []string {
	slices.Sort(s)
	return s
}

func pyType(v any) string {
	switch v.(type) {
	case nil, pyNone:
		return "None"
	case string:
		return "string"
	case bool:
		return "bool"
	case int64:
		return "int"
	case []any:
		return "tuple or list"
	case map[string]any:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}

// pyParser parses the small subset of Python literals that .npy headers use:
// dicts with string keys, strings, True/False/None, ints, tuples and lists.
type pyParser struct {
	s string
	i int
}

// maxDepth bounds nesting, e.g. of a structured dtype's list of tuples.
const maxDepth = 8

func (p *pyParser) errorf(format string, args ...any) error {
	return fmt.Errorf("at offset %d: %s", p.i, fmt.Sprintf(format, args...))
}

func (p *pyParser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r', '\x00':
			p.i++
		default:
			return
		}
	}
}

func (p *pyParser) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, p.errorf("nested deeper than %d levels", maxDepth)
	}
	p.skipSpace()
	if p.i >= len(p.s) {
		return nil, p.errorf("unexpected end of header, want a value")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.dict(depth)
	case c == '(':
		return p.sequence(depth, ')')
	case c == '[':
		return p.sequence(depth, ']')
	case c == '\'' || c == '"':
		return p.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.int()
	default:
		for _, w := range []struct {
			word string
			v    any
		}{{"True", true}, {"False", false}, {"None", nil}} {
			if strings.HasPrefix(p.s[p.i:], w.word) {
				p.i += len(w.word)
				return w.v, nil
			}
		}
		return nil, p.errorf("unexpected character %q, want a value", c)
	}
}

func (p *pyParser) dict(depth int) (any, error) {
	p.i++ // '{'
	d := map[string]any{}
	for {
		p.skipSpace()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return d, nil
		}
		k, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		key, ok := k.(string)
		if !ok {
			return nil, p.errorf("dict key is a %s, want a string", pyType(k))
		}
		if _, dup := d[key]; dup {
			return nil, p.errorf("dict key %q appears twice", key)
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.errorf("want ':' after dict key %q", key)
		}
		p.i++
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		if v == nil {
			v = pyNone{}
		}
		d[key] = v
		p.skipSpace()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return d, nil
		}
		return nil, p.errorf("want ',' or '}' in dict")
	}
}

// pyNone stands for None as a dict value, so that a present key is never nil.
type pyNone struct{}

func (p *pyParser) sequence(depth int, end byte) (any, error) {
	p.i++ // '(' or '['
	var out []any
	for {
		p.skipSpace()
		if p.i < len(p.s) && p.s[p.i] == end {
			p.i++
			if out == nil {
				out = []any{}
			}
			return out, nil
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		p.skipSpace()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == end {
			p.i++
			return out, nil
		}
		return nil, p.errorf("want ',' or %q in sequence", end)
	}
}

func (p *pyParser) str() (any, error) {
	q := p.s[p.i]
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == q:
			p.i++
			return b.String(), nil
		case c == '\\':
			if p.i+1 >= len(p.s) {
				return nil, p.errorf("unterminated string")
			}
			e := p.s[p.i+1]
			if e != '\\' && e != '\'' && e != '"' {
				return nil, p.errorf("unsupported string escape \\%c", e)
			}
			b.WriteByte(e)
			p.i += 2
		case c == '\n':
			return nil, p.errorf("newline in string")
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return nil, p.errorf("unterminated string")
}

func (p *pyParser) int() (any, error) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	digits := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	if p.i == digits {
		return nil, p.errorf("want digits after '-'")
	}
	v, err := strconv.ParseInt(p.s[start:p.i], 10, 64)
	if err != nil {
		return nil, p.errorf("integer %s does not fit in 64 bits", p.s[start:p.i])
	}
	if p.i < len(p.s) && p.s[p.i] == 'L' { // Python 2 long, written by old NumPy
		p.i++
	}
	return v, nil
}

// decode converts the raw little-endian data of a member into an Array.
func decode(name, member string, h *header, raw []byte) (*Array, error) {
	n := int(h.n)
	a := &Array{Name: name, DType: h.dtype, Shape: h.shape}
	le := binary.LittleEndian
	switch h.dtype {
	case Float32:
		a.F32 = make([]float32, n)
		for i := range a.F32 {
			a.F32[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
		}
	case Float64:
		a.F64 = make([]float64, n)
		for i := range a.F64 {
			a.F64[i] = math.Float64frombits(le.Uint64(raw[8*i:]))
		}
	case Int32:
		a.I64 = make([]int64, n)
		for i := range a.I64 {
			a.I64[i] = int64(int32(le.Uint32(raw[4*i:])))
		}
	case Int64:
		a.I64 = make([]int64, n)
		for i := range a.I64 {
			a.I64[i] = int64(le.Uint64(raw[8*i:]))
		}
	case Uint8:
		a.I64 = make([]int64, n)
		for i := range a.I64 {
			a.I64[i] = int64(raw[i])
		}
	case Bool:
		a.I64 = make([]int64, n)
		for i := range a.I64 {
			if raw[i] != 0 {
				a.I64[i] = 1
			}
		}
	case Str:
		// n == 1: one string of itemSize/4 UTF-32LE code points, padded
		// with NULs, which NumPy strips (so trailing NULs are lost).
		end := len(raw) / 4
		for end > 0 && le.Uint32(raw[4*(end-1):]) == 0 {
			end--
		}
		var b strings.Builder
		for i := 0; i < 4*end; i += 4 {
			c := le.Uint32(raw[i:])
			if c > utf8.MaxRune || (c >= 0xD800 && c <= 0xDFFF) {
				return nil, fmt.Errorf("npz: member %q: string holds invalid code point %#x at character %d", member, c, i/4)
			}
			b.WriteRune(rune(c))
		}
		a.Str = b.String()
	}
	if h.fortran {
		a.F32, a.F64, a.I64 = fortranToC(a.F32, h.shape), fortranToC(a.F64, h.shape), fortranToC(a.I64, h.shape)
	}
	return a, nil
}
