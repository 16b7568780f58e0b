// Package npz reads and writes NumPy .npz files: the zip archives of .npy
// arrays that np.savez (members stored) and np.savez_compressed (members
// deflated) write and np.load reads.
//
// It exists so that the course can exchange weights, gradients and reference
// results with Python (PyTorch or NumPy parity tests) using only Go's
// standard library.
//
// # What is supported
//
// Each member "<name>.npy" is one array. The .npy format (versions 1.0, 2.0
// and 3.0) is a magic string "\x93NUMPY", a version, a header length and a
// Python dict literal such as
//
//	{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
//
// followed by the raw little-endian data in C (row-major) order. Supported
// dtypes:
//
//	descr   Array.DType  Go storage
//	<f4     "float32"    Array.F32 (bit-exact)
//	<f8     "float64"    Array.F64 (bit-exact)
//	<i4     "int32"      Array.I64 (widened)
//	<i8     "int64"      Array.I64
//	|u1     "uint8"      Array.I64 (widened)
//	|b1     "bool"       Array.I64 (0 or 1)
//	<U{n}   "str"        Array.Str, 0-d arrays only, e.g. np.array("lstm")
//
// Arrays stored in Fortran order (fortran_order=True, which np.savez writes
// for F-contiguous arrays such as a transpose) are reordered to C order on
// reading. Big-endian data, other dtypes, structured dtypes and string arrays
// with a non-empty shape are refused with an error naming the member and what
// it holds.
//
// # Safety
//
// Read is meant for files from anywhere and is fuzzed (FuzzRead): it never
// panics, and it allocates in proportion to the bytes actually read, never to
// sizes claimed by the file. A member is checked before it is decompressed:
// its zip entry's declared size must fit the budget (WithMaxBytes, default
// DefaultMaxBytes, for all members together), its .npy header must be at most
// 64 KiB, every dimension must be non-negative and the shape's product times
// the item size must equal the bytes that the entry declares after the header.
// While reading, decompression stops at the declared size (a zip bomb cannot
// expand past it), and data shorter than declared, or a CRC-32 mismatch, is an
// error.
//
// # Writing
//
// Write produces the same layout as np.savez: stored (uncompressed) members,
// .npy version 1.0 headers padded with spaces so that the data starts at a
// multiple of 64 bytes, terminated by '\n'. WriteFile replaces a file
// atomically (temporary file in the same directory, fsync, rename, fsync of the
// directory), so a crash during a checkpoint never leaves a half-written file.
package npz

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// Names of the supported dtypes, the values of Array.DType.
const (
	Float32 = "float32"
	Float64 = "float64"
	Int32   = "int32"
	Int64   = "int64"
	Uint8   = "uint8"
	Bool    = "bool"
	Str     = "str"
)

// DefaultMaxBytes is the default budget of Read: the most bytes that all the
// arrays of one file may take, counted as the larger of their stored size and
// their size once decoded into an Array. See WithMaxBytes.
const DefaultMaxBytes int64 = 1 << 30

// maxHeaderLen is the largest .npy header Read accepts (NumPy itself refuses
// headers over 10,000 bytes by default).
const maxHeaderLen = 64 << 10

// Array is one named array of a .npz file.
//
// Exactly one of F32, F64, I64 or Str holds the data, chosen by DType (see the
// package documentation); the others are nil. Data is in C (row-major) order
// and its length is the product of Shape (1 for a 0-d array with Shape empty).
type Array struct {
	// Name is the key of np.load's result: the member name without ".npy".
	Name string
	// DType is one of Float32, Float64, Int32, Int64, Uint8, Bool or Str.
	DType string
	// Shape lists the dimensions; empty (nil or []int{}) for a 0-d array.
	Shape []int
	// F32 holds the data of a "float32" array.
	F32 []float32
	// F64 holds the data of a "float64" array.
	F64 []float64
	// I64 holds the data of "int32", "int64", "uint8" and "bool" arrays
	// (bool as 0 or 1). Write checks that the values fit the dtype.
	I64 []int64
	// Str holds the value of a 0-d "str" array (NumPy dtype '<U{n}').
	Str string
}

// NewFloat32 returns a "float32" array. With no shape given it is 1-d with
// len(data) elements. The data is not copied.
func NewFloat32(name string, data []float32, shape ...int) *Array {
	if len(shape) == 0 {
		shape = []int{len(data)}
	}
	return &Array{Name: name, DType: Float32, Shape: shape, F32: data}
}

// NewFloat64 returns a "float64" array. With no shape given it is 1-d with
// len(data) elements. The data is not copied.
func NewFloat64(name string, data []float64, shape ...int) *Array {
	if len(shape) == 0 {
		shape = []int{len(data)}
	}
	return &Array{Name: name, DType: Float64, Shape: shape, F64: data}
}

// NewInt64 returns an "int64" array. With no shape given it is 1-d with
// len(data) elements. The data is not copied.
func NewInt64(name string, data []int64, shape ...int) *Array {
	if len(shape) == 0 {
		shape = []int{len(data)}
	}
	return &Array{Name: name, DType: Int64, Shape: shape, I64: data}
}

// NewString returns a 0-d "str" array holding s, like np.array(s).
func NewString(name, s string) *Array {
	return &Array{Name: name, DType: Str, Str: s}
}

// Size returns the number of elements: the product of Shape (1 for a 0-d
// array). It returns -1 if a dimension is negative or the product overflows.
func (a *Array) Size() int {
	n, err := shapeSize(a.Shape, 1<<62)
	if err != nil {
		return -1
	}
	return int(n)
}

// dataLen returns the length of the slice that holds a's data, or -1 when
// the dtype is unknown. A 0-d "str" array counts as one element.
func (a *Array) dataLen() int {
	switch a.DType {
	case Float32:
		return len(a.F32)
	case Float64:
		return len(a.F64)
	case Int32, Int64, Uint8, Bool:
		return len(a.I64)
	case Str:
		return 1
	}
	return -1
}

// File is the content of a .npz file: its arrays, in archive order.
type File struct {
	names  []string
	arrays map[string]*Array
}

// Names returns the names of the arrays in the order they appear in the
// archive (the order of np.savez's keyword arguments).
func (f *File) Names() []string { return slices.Clone(f.names) }

// Arrays returns the arrays in archive order.
func (f *File) Arrays() []*Array {
	out := make([]*Array, len(f.names))
	for i, n := range f.names {
		out[i] = f.arrays[n]
	}
	return out
}

// Get returns the array called name, or an error that lists the names
// present.
func (f *File) Get(name string) (*Array, error) {
	if a, ok := f.arrays[name]; ok {
		return a, nil
	}
	return nil, fmt.Errorf("npz: no array %q in file, it has %d: %s", name, len(f.names), quoteList(f.names))
}

// Float32 returns the data and shape of the "float32" array called name. If
// wantShape is given, the array must have exactly that shape (give no
// dimensions to accept any shape; a 0-d array cannot be asked for this way,
// check the returned shape instead). The data is not copied and is never
// converted: asking for a float64 array is an error.
func (f *File) Float32(name string, wantShape ...int) ([]float32, []int, error) {
	a, err := f.typed(name, Float32, wantShape)
	if err != nil {
		return nil, nil, err
	}
	return a.F32, a.Shape, nil
}

// Float64 is like Float32 for "float64" arrays.
func (f *File) Float64(name string, wantShape ...int) ([]float64, []int, error) {
	a, err := f.typed(name, Float64, wantShape)
	if err != nil {
		return nil, nil, err
	}
	return a.F64, a.Shape, nil
}

// Int64 is like Float32 for integer and bool arrays ("int32", "int64",
// "uint8", "bool"), whose values Read widens to int64.
func (f *File) Int64(name string, wantShape ...int) ([]int64, []int, error) {
	a, err := f.Get(name)
	if err != nil {
		return nil, nil, err
	}
	switch a.DType {
	case Int32, Int64, Uint8, Bool:
	default:
		return nil, nil, fmt.Errorf("npz: array %q has dtype %s, want an integer or bool dtype", name, a.DType)
	}
	if err := checkShape(a, wantShape); err != nil {
		return nil, nil, err
	}
	return a.I64, a.Shape, nil
}

// String returns the value of the 0-d string array called name, such as one
// saved from np.array("lstm"). (It is not a fmt.Stringer.)
func (f *File) String(name string) (string, error) {
	a, err := f.typed(name, Str, nil)
	if err != nil {
		return "", err
	}
	return a.Str, nil
}

func (f *File) typed(name, dtype string, wantShape []int) (*Array, error) {
	a, err := f.Get(name)
	if err != nil {
		return nil, err
	}
	if a.DType != dtype {
		return nil, fmt.Errorf("npz: array %q has dtype %s, want %s", name, a.DType, dtype)
	}
	if err := checkShape(a, wantShape); err != nil {
		return nil, err
	}
	return a, nil
}

func checkShape(a *Array, want []int) error {
	if len(want) > 0 && !slices.Equal(a.Shape, want) {
		return fmt.Errorf("npz: array %q has shape %v, want %v", a.Name, shapeString(a.Shape), shapeString(want))
	}
	return nil
}

// shapeString formats a shape as [2 3], and a 0-d shape as [].
func shapeString(s []int) string {
	if s == nil {
		s = []int{}
	}
	return fmt.Sprint(s)
}

func quoteList(names []string) string {
	if len(names) == 0 {
		return "(none)"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// Option configures Read.
type Option func(*options)

type options struct {
	maxBytes int64
}

// WithMaxBytes sets the budget of Read: the most bytes that all arrays of the
// file together may take, each counted as the larger of its size in the
// archive (after decompression) and its size once decoded (8 bytes per
// element for the integer and bool dtypes, which are widened to int64). A file
// over the budget is refused before its data is read. n <= 0 means
// DefaultMaxBytes.
func WithMaxBytes(n int64) Option {
	return func(o *options) { o.maxBytes = n }
}

// ReadFile reads the .npz file at path. See Read.
func ReadFile(path string, opts ...Option) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("npz: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("npz: %w", err)
	}
	f, err := Read(fh, st.Size(), opts...)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return f, nil
}

// Read reads a .npz archive of size bytes from r. Every member must be a
// .npy file of a supported dtype (see the package documentation); the whole
// file is decoded into memory, within the budget set by WithMaxBytes.
func Read(r io.ReaderAt, size int64, opts ...Option) (*File, error) {
	o := options{maxBytes: DefaultMaxBytes}
	for _, opt := range opts {
		opt(&o)
	}
	if o.maxBytes <= 0 {
		o.maxBytes = DefaultMaxBytes
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("npz: not a valid zip archive (a .npz file is one): %w", err)
	}
	f := &File{arrays: make(map[string]*Array, len(zr.File))}
	budget := o.maxBytes
	for _, zf := range zr.File {
		name, ok := strings.CutSuffix(zf.Name, ".npy")
		if !ok {
			return nil, fmt.Errorf("npz: member %q is not a .npy file: every member of a .npz must be named <array>.npy", zf.Name)
		}
		if name == "" {
			return nil, fmt.Errorf("npz: member %q has an empty array name, want <name>.npy with a non-empty name", zf.Name)
		}
		if _, dup := f.arrays[name]; dup {
			return nil, fmt.Errorf("npz: member %q appears twice in the archive, want unique names", zf.Name)
		}
		a, used, err := readMember(zf, name, budget)
		if err != nil {
			return nil, err
		}
		budget -= used
		f.names = append(f.names, name)
		f.arrays[name] = a
	}
	return f, nil
}

// readMember decodes one zip member, using at most budget bytes, and returns
// the array and the bytes of budget it used.
func readMember(zf *zip.File, name string, budget int64) (*Array, int64, error) {
	declared := zf.UncompressedSize64
	if declared > uint64(budget) {
		return nil, 0, fmt.Errorf("npz: member %q declares %d bytes uncompressed, over the remaining budget of %d bytes (raise it with WithMaxBytes)", zf.Name, declared, budget)
	}
	rc, err := zf.Open()
	if err != nil {
		if errors.Is(err, zip.ErrAlgorithm) {
			return nil, 0, fmt.Errorf("npz: member %q uses zip compression method %d, want 0 (stored, np.savez) or 8 (deflate, np.savez_compressed)", zf.Name, zf.Method)
		}
		return nil, 0, fmt.Errorf("npz: member %q: cannot open: %w", zf.Name, err)
	}
	defer rc.Close()
	// The zip reader already refuses to decompress past the declared size;
	// the LimitReader makes that guard independent of it.
	lr := io.LimitReader(rc, int64(declared)+1)
	h, err := readHeader(lr, zf.Name, int64(declared))
	if err != nil {
		return nil, 0, err
	}
	used := max(h.dataBytes, h.memBytes) + h.headerBytes
	if used > budget {
		return nil, 0, fmt.Errorf("npz: member %q: array of shape %v and dtype %s takes %d bytes in memory, over the remaining budget of %d bytes (raise it with WithMaxBytes)", zf.Name, shapeString(h.shape), h.descr, used, budget)
	}
	raw, err := readExactly(lr, h.dataBytes)
	if err != nil {
		return nil, 0, memberReadError(zf.Name, err, h)
	}
	// Read to EOF so that the zip reader checks the CRC-32 and the size.
	var one [1]byte
	if n, err := io.ReadFull(lr, one[:]); n > 0 {
		return nil, 0, fmt.Errorf("npz: member %q has more bytes than the %d it declares", zf.Name, declared)
	} else if err != io.EOF {
		return nil, 0, memberReadError(zf.Name, err, h)
	}
	a, err := decode(name, zf.Name, h, raw)
	if err != nil {
		return nil, 0, err
	}
	return a, used, nil
}

func memberReadError(member string, err error, h *header) error {
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return fmt.Errorf("npz: member %q is truncated: its data ends before the %d bytes that its header (shape %v, dtype %s) and zip entry declare", member, h.dataBytes, shapeString(h.shape), h.descr)
	case errors.Is(err, zip.ErrChecksum):
		return fmt.Errorf("npz: member %q is corrupt: its CRC-32 does not match the data", member)
	case errors.Is(err, zip.ErrFormat):
		return fmt.Errorf("npz: member %q is corrupt: its data does not match the size its zip entry declares (%w)", member, err)
	}
	return fmt.Errorf("npz: member %q: reading data: %w", member, err)
}

// readExactly reads n bytes from r. It grows its buffer as data arrives, so a
// member that claims more than it holds costs only what it holds.
func readExactly(r io.Reader, n int64) ([]byte, error) {
	const chunk = 1 << 20
	buf := make([]byte, 0, min(n, chunk))
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, int(min(n-int64(len(buf)), max(int64(len(buf)), chunk))))
		}
		want := min(int64(cap(buf)), n)
		m, err := io.ReadFull(r, buf[len(buf):want])
		buf = buf[:len(buf)+m]
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}
