package npz

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// allDTypes has one array of every dtype, with 0-d, zero-size and n-d shapes.
func allDTypes() []*Array {
	return []*Array{
		NewFloat32("f32", []float32{1.5, -2.25, 3, float32(math.Inf(1)), math.SmallestNonzeroFloat32, float32(math.Copysign(0, -1))}, 2, 3),
		NewFloat64("f64", []float64{math.Pi, math.MaxFloat64, -1e-300}),
		{Name: "i32", DType: Int32, Shape: []int{1, 2}, I64: []int64{math.MinInt32, math.MaxInt32}},
		NewInt64("i64", []int64{math.MinInt64, -1, 0, 1, 2, math.MaxInt64}, 3, 1, 2),
		{Name: "u8", DType: Uint8, Shape: []int{3}, I64: []int64{0, 7, 255}},
		{Name: "b", DType: Bool, Shape: []int{2, 2}, I64: []int64{1, 0, 0, 1}},
		{Name: "scalar32", DType: Float32, F32: []float32{0.5}},
		{Name: "scalar64", DType: Float64, Shape: []int{}, F64: []float64{-7}},
		{Name: "scalarInt", DType: Int64, Shape: []int{}, I64: []int64{42}},
		{Name: "empty", DType: Float32, Shape: []int{0, 4}, F32: []float32{}},
		{Name: "emptyInt", DType: Int32, Shape: []int{3, 0}, I64: []int64{}},
		{Name: "empty1", DType: Bool, Shape: []int{0}, I64: []int64{}},
		NewString("cell", "lstm"),
		NewString("greek", "αβγ→ with\x00inner NUL"),
		NewString("blank", ""),
		{Name: "dir/nested", DType: Float64, Shape: []int{1}, F64: []float64{1}},
	}
}

// normalise makes a written array comparable with what Read returns:
// 0-d shapes become []int{} and str arrays have no shape.
func normalise(a *Array) *Array {
	b := *a
	if len(b.Shape) == 0 {
		b.Shape = []int{}
	}
	return &b
}

func writeBytes(t *testing.T, arrays ...*Array) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, arrays...))
	return buf.Bytes()
}

func readBytes(b []byte, opts ...Option) (*File, error) {
	return Read(bytes.NewReader(b), int64(len(b)), opts...)
}

func TestRoundTrip(t *testing.T) {
	arrays := allDTypes()
	b := writeBytes(t, arrays...)
	f, err := readBytes(b)
	require.NoError(t, err)
	names := make([]string, len(arrays))
	for i, a := range arrays {
		names[i] = a.Name
		got, err := f.Get(a.Name)
		require.NoError(t, err)
		require.Equal(t, normalise(a), got, "array %q", a.Name)
	}
	require.Equal(t, names, f.Names())
	require.Len(t, f.Arrays(), len(arrays))

	// Deterministic output.
	require.Equal(t, b, writeBytes(t, arrays...))
}

func TestHeaderAlignment(t *testing.T) {
	for _, a := range allDTypes() {
		h := npyHeader(a)
		require.Zero(t, len(h)%64, "array %q: header of %d bytes", a.Name, len(h))
		require.Equal(t, byte('\n'), h[len(h)-1])
		require.Equal(t, uint16(len(h)-10), binary.LittleEndian.Uint16(h[8:]))
	}
	require.Contains(t, string(npyHeader(NewFloat32("x", []float32{1}, 1))), "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }")
	require.Contains(t, string(npyHeader(NewString("s", "ab"))), "{'descr': '<U2', 'fortran_order': False, 'shape': (), }")
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "weights.npz")
	require.NoError(t, WriteFile(path, allDTypes()...))
	// Overwrite with different content.
	require.NoError(t, WriteFile(path, NewFloat32("w", []float32{1, 2})))
	f, err := ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, []string{"w"}, f.Names())
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o644), st.Mode().Perm())

	// A failing write leaves the old file and no temporary file behind.
	err = WriteFile(path, NewFloat32("bad", []float32{1, 2}, 3))
	require.ErrorContains(t, err, `array "bad" of dtype float32 has 2 elements of data, want 3 for shape [3]`)
	f, err = ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, []string{"w"}, f.Names())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "temporary files left behind: %v", entries)

	_, err = ReadFile(filepath.Join(dir, "missing.npz"))
	require.ErrorContains(t, err, "missing.npz")
}

// fixtureWant is what testdata/gen_fixtures.py saved.
func checkFixture(t *testing.T, f *File) {
	t.Helper()
	require.Equal(t, []string{"f32", "f64", "i32", "i64", "u8", "b", "scalar", "empty", "cell", "greek"}, f.Names())

	f32, shape, err := f.Float32("f32", 2, 3)
	require.NoError(t, err)
	require.Equal(t, []int{2, 3}, shape)
	require.Equal(t, []float32{1.5, -2.25, 3, 0.1, 1e-8, float32(math.Inf(1))}, f32)

	f64, _, err := f.Float64("f64", 4)
	require.NoError(t, err)
	require.Equal(t, math.Pi, f64[0])
	require.Equal(t, uint64(1)<<63, math.Float64bits(f64[1]), "-0.0 keeps its sign")
	require.Equal(t, 1e300, f64[2])
	require.True(t, math.IsNaN(f64[3]))

	i32, _, err := f.Int64("i32", 1, 2)
	require.NoError(t, err)
	require.Equal(t, []int64{math.MinInt32, math.MaxInt32}, i32)
	a, err := f.Get("i32")
	require.NoError(t, err)
	require.Equal(t, Int32, a.DType)

	i64, _, err := f.Int64("i64", 2, 3, 1)
	require.NoError(t, err)
	require.Equal(t, []int64{-3, -2, -1, 0, 1, 2}, i64)

	u8, _, err := f.Int64("u8", 3)
	require.NoError(t, err)
	require.Equal(t, []int64{0, 7, 255}, u8)

	b, err := f.Get("b")
	require.NoError(t, err)
	require.Equal(t, &Array{Name: "b", DType: Bool, Shape: []int{2, 2}, I64: []int64{1, 0, 0, 1}}, b)

	s, shape, err := f.Float32("scalar")
	require.NoError(t, err)
	require.Equal(t, []int{}, shape)
	require.Equal(t, []float32{0.5}, s)

	e, shape, err := f.Float32("empty", 0, 4)
	require.NoError(t, err)
	require.Equal(t, []int{0, 4}, shape)
	require.Empty(t, e)

	str, err := f.String("cell")
	require.NoError(t, err)
	require.Equal(t, "lstm", str)
	str, err = f.String("greek")
	require.NoError(t, err)
	require.Equal(t, "αβγ→", str)
}

func TestReadNumPyFixtures(t *testing.T) {
	for _, name := range []string{"numpy_savez.npz", "numpy_savez_compressed.npz"} {
		t.Run(name, func(t *testing.T) {
			f, err := ReadFile(filepath.Join("testdata", name))
			require.NoError(t, err)
			checkFixture(t, f)
		})
	}
}

// TestNumPyLoadsWrittenFile checks the other direction with a real NumPy,
// when one is installed (Debian's python3-numpy); it is skipped otherwise.
func TestNumPyLoadsWrittenFile(t *testing.T) {
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import numpy").Run(); err != nil {
		t.Skipf("no NumPy in %s: %v", python, err)
	}
	path := filepath.Join(t.TempDir(), "go.npz")
	require.NoError(t, WriteFile(path, allDTypes()...))
	script := `
import sys, numpy as np
d = np.load(sys.argv[1])
for k in d.files:
    a = d[k]
    print(k, a.dtype.str, a.shape, a.tolist())
`
	out, err := exec.Command(python, "-c", script, path).CombinedOutput()
	require.NoError(t, err, string(out))
	want := `f32 <f4 (2, 3) [[1.5, -2.25, 3.0], [inf, 1.401298464324817e-45, -0.0]]
f64 <f8 (3,) [3.141592653589793, 1.7976931348623157e+308, -1e-300]
i32 <i4 (1, 2) [[-2147483648, 2147483647]]
i64 <i8 (3, 1, 2) [[[-9223372036854775808, -1]], [[0, 1]], [[2, 9223372036854775807]]]
u8 |u1 (3,) [0, 7, 255]
b |b1 (2, 2) [[True, False], [False, True]]
scalar32 <f4 () 0.5
scalar64 <f8 () -7.0
scalarInt <i8 () 42
empty <f4 (0, 4) []
emptyInt <i4 (3, 0) [[], [], []]
empty1 |b1 (0,) []
cell <U4 () lstm
greek <U19 () αβγ→ with` + "\x00" + `inner NUL
blank <U1 () 
dir/nested <f8 (1,) [1.0]
`
	require.Equal(t, want, string(out))
}

func TestGetErrors(t *testing.T) {
	f, err := readBytes(writeBytes(t, allDTypes()...))
	require.NoError(t, err)

	_, err = f.Get("weights")
	require.ErrorContains(t, err, `no array "weights" in file, it has 16: "f32", "f64", "i32"`)
	_, _, err = f.Float32("weights")
	require.ErrorContains(t, err, `no array "weights"`)

	_, _, err = f.Float32("f64")
	require.EqualError(t, err, `npz: array "f64" has dtype float64, want float32`)
	_, _, err = f.Float64("f32")
	require.EqualError(t, err, `npz: array "f32" has dtype float32, want float64`)
	_, _, err = f.Int64("f32")
	require.EqualError(t, err, `npz: array "f32" has dtype float32, want an integer or bool dtype`)
	_, err = f.String("f32")
	require.EqualError(t, err, `npz: array "f32" has dtype float32, want str`)

	_, _, err = f.Float32("f32", 3, 2)
	require.EqualError(t, err, `npz: array "f32" has shape [2 3], want [3 2]`)
	_, _, err = f.Float64("f64", 3, 1)
	require.EqualError(t, err, `npz: array "f64" has shape [3], want [3 1]`)
	_, _, err = f.Int64("i64", 6)
	require.EqualError(t, err, `npz: array "i64" has shape [3 1 2], want [6]`)
}

func TestWriteErrors(t *testing.T) {
	for _, tc := range []struct {
		a    *Array
		want string
	}{
		{&Array{DType: Float32, Shape: []int{0}, F32: []float32{}}, "empty name"},
		{&Array{Name: "x", DType: "float16"}, `array "x" has dtype "float16", want one of float32, float64`},
		{&Array{Name: "x", DType: Float32, Shape: []int{2, -1}}, `array "x" has shape [2 -1]: dimension -1 is negative`},
		{NewFloat64("x", []float64{1}, 2), `has 1 elements of data, want 2 for shape [2]`},
		{&Array{Name: "x", DType: Int32, Shape: []int{1}, I64: []int64{1 << 31}}, `element 0 is 2147483648, want a value in [-2147483648, 2147483647]`},
		{&Array{Name: "x", DType: Uint8, Shape: []int{2}, I64: []int64{1, -1}}, `element 1 is -1, want a value in [0, 255]`},
		{&Array{Name: "x", DType: Bool, Shape: []int{1}, I64: []int64{2}}, `element 0 is 2, want a value in [0, 1]`},
		{&Array{Name: "x", DType: Str, Shape: []int{1}, Str: "a"}, `want a 0-d array`},
		{NewString("x", "\xff"), `not valid UTF-8`},
	} {
		err := Write(&bytes.Buffer{}, tc.a)
		require.ErrorContains(t, err, tc.want)
	}
	err := Write(&bytes.Buffer{}, NewFloat32("x", nil), NewFloat32("x", nil))
	require.ErrorContains(t, err, `array name "x" given twice`)
	err = Write(&bytes.Buffer{}, nil)
	require.ErrorContains(t, err, `array 0 of 1 is nil`)
}

// member is one entry of a hand-made zip archive.
type member struct {
	name     string
	data     []byte // uncompressed content
	deflate  bool
	declared uint64 // declared uncompressed size; 0 means len(data)
	badCRC   bool
}

// makeZip builds an archive whose entries may lie about their size or CRC.
func makeZip(t *testing.T, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		payload := m.data
		method := zip.Store
		if m.deflate {
			var c bytes.Buffer
			fw, err := flate.NewWriter(&c, flate.BestCompression)
			require.NoError(t, err)
			_, err = fw.Write(m.data)
			require.NoError(t, err)
			require.NoError(t, fw.Close())
			payload, method = c.Bytes(), zip.Deflate
		}
		declared := m.declared
		if declared == 0 {
			declared = uint64(len(m.data))
		}
		crc := crc32.ChecksumIEEE(m.data)
		if m.badCRC {
			crc++
		}
		w, err := zw.CreateRaw(&zip.FileHeader{
			Name: m.name, Method: method, CRC32: crc,
			CompressedSize64: uint64(len(payload)), UncompressedSize64: declared,
		})
		require.NoError(t, err)
		_, err = w.Write(payload)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// npy builds a .npy 1.0 file with the given header dict and data, padding the
// header to a multiple of 64 bytes as NumPy does.
func npy(dict string, data []byte) []byte {
	hl := (10+len(dict)+1+63)/64*64 - 10
	b := []byte(npyMagic + "\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(hl))
	b = append(b, dict...)
	b = append(b, strings.Repeat(" ", hl-len(dict)-1)...)
	b = append(b, '\n')
	return append(b, data...)
}

func f64Dict(shape string) string {
	return fmt.Sprintf("{'descr': '<f8', 'fortran_order': False, 'shape': %s, }", shape)
}

func TestReadErrors(t *testing.T) {
	valid := writeBytes(t, allDTypes()...)
	eightF64 := make([]byte, 64)
	zeros := make([]byte, 1<<20)

	for _, tc := range []struct {
		name string
		file []byte
		opts []Option
		want string
	}{
		{"empty file", nil, nil, "not a valid zip archive"},
		{"garbage", []byte("this is not a zip file at all, not even close....."), nil, "not a valid zip archive"},
		{"truncated file", valid[:len(valid)/2], nil, "not a valid zip archive"},
		{"wrong magic", makeZip(t, member{name: "x.npy", data: append([]byte("\x93NUMPZ\x01\x00"), make([]byte, 60)...)}),
			nil, `member "x.npy" is not a .npy array: want magic "\x93NUMPY", got "\x93NUMPZ"`},
		{"bad version", makeZip(t, member{name: "x.npy", data: []byte(npyMagic + "\x04\x00\x00\x00")}),
			nil, `member "x.npy" has .npy format version 4.0, want 1.0, 2.0 or 3.0`},
		{"too short", makeZip(t, member{name: "x.npy", data: []byte(npyMagic)}),
			nil, `member "x.npy" is too short for a .npy header`},
		{"not npy member", makeZip(t, member{name: "readme.txt", data: []byte("hi")}),
			nil, `member "readme.txt" is not a .npy file`},
		{"empty name", makeZip(t, member{name: ".npy", data: npy(f64Dict("(8,)"), eightF64)}),
			nil, `member ".npy" has an empty array name`},
		{"duplicate", makeZip(t, member{name: "x.npy", data: npy(f64Dict("(8,)"), eightF64)}, member{name: "x.npy", data: npy(f64Dict("(8,)"), eightF64)}),
			nil, `member "x.npy" appears twice`},
		{"big-endian", makeZip(t, member{name: "x.npy", data: npy("{'descr': '>f8', 'fortran_order': False, 'shape': (8,), }", eightF64)}),
			nil, `member "x.npy": dtype ">f8" is not supported (big-endian); want one of <f4 <f8 <i4 <i8 |u1 |b1 <U{n}`},
		{"complex dtype", makeZip(t, member{name: "x.npy", data: npy("{'descr': '<c16', 'fortran_order': False, 'shape': (4,), }", eightF64)}),
			nil, `member "x.npy": dtype "<c16" is not supported (unknown)`},
		{"structured dtype", makeZip(t, member{name: "x.npy", data: npy("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (8,), }", eightF64)}),
			nil, `'descr' is a tuple or list (a structured dtype?)`},
		{"negative dim", makeZip(t, member{name: "x.npy", data: npy(f64Dict("(-8,)"), eightF64)}),
			nil, `member "x.npy": .npy header 'shape' element 0 is -8, want a non-negative int`},
		{"overflowing dim", makeZip(t, member{name: "x.npy", data: npy(f64Dict("(99999999999999999999,)"), eightF64)}),
			nil, `integer 99999999999999999999 does not fit in 64 bits`},
		{"overflowing product", makeZip(t, member{name: "x.npy", data: npy(f64Dict("(4294967296, 4294967296, 4294967296)"), eightF64)}),
			nil, `member "x.npy": header says shape [4294967296 4294967296 4294967296] of dtype <f8, which is more than the 64 bytes of data the member has after its header`},
		{"missing key", makeZip(t, member{name: "x.npy", data: npy("{'descr': '<f8', 'shape': (8,)}", eightF64)}),
			nil, `.npy header has keys "descr", "shape", want exactly 'descr', 'fortran_order', 'shape'`},
		{"not a dict", makeZip(t, member{name: "x.npy", data: npy("(1, 2)", eightF64)}),
			nil, `.npy header is a tuple or list, want a dict`},
		{"bad literal", makeZip(t, member{name: "x.npy", data: npy("{'descr': '<f8', 'fortran_order': Nope}", eightF64)}),
			nil, `.npy header is not a Python dict literal: at offset 34: unexpected character 'N'`},
		{"string array with shape", makeZip(t, member{name: "x.npy", data: npy("{'descr': '<U2', 'fortran_order': False, 'shape': (8,), }", eightF64)}),
			nil, `only 0-d string arrays`},
		{"invalid code point", makeZip(t, member{name: "x.npy", data: npy("{'descr': '<U1', 'fortran_order': False, 'shape': (), }", []byte{0, 0xd8, 0, 0})}),
			nil, `member "x.npy": string holds invalid code point 0xd800`},
		{"header too long", makeZip(t, member{name: "x.npy", data: append([]byte(npyMagic+"\x02\x00\x00\x00\x02\x00"), make([]byte, 1<<17)...)}),
			nil, `member "x.npy" has a .npy header of 131072 bytes, want at most 65536`},
		{"header longer than member", makeZip(t, member{name: "x.npy", data: []byte(npyMagic + "\x01\x00\xff\x00{}")}),
			nil, `member "x.npy" has a .npy header of 265 bytes but the member declares only 12 bytes in all`},
		{"data shorter than header says", makeZip(t, member{name: "x.npy", data: npy(f64Dict("(9,)"), eightF64)}),
			nil, `member "x.npy": header says shape [9] of dtype <f8, which is 72 bytes of data, but the member has 64 bytes after its header`},
		{"data longer than header says", makeZip(t, member{name: "x.npy", data: npy(f64Dict("(7,)"), eightF64)}),
			nil, `header says shape [7] of dtype <f8, which is 56 bytes of data, but the member has 64 bytes after its header`},
		{"data truncated in the archive", makeZip(t, member{name: "x.npy", data: npy(f64Dict("(8,)"), eightF64[:40]), declared: 192}),
			nil, `member "x.npy" is truncated: its data ends before the 64 bytes that its header (shape [8], dtype <f8) and zip entry declare`},
		{"deflated data truncated", makeZip(t, member{name: "x.npy", deflate: true, data: npy(f64Dict("(8,)"), eightF64[:8]), declared: 192}),
			nil, `member "x.npy" is truncated: its data ends before the 64 bytes`},
		{"bad CRC", makeZip(t, member{name: "x.npy", data: npy(f64Dict("(8,)"), eightF64), badCRC: true}),
			nil, `member "x.npy" is corrupt: its CRC-32 does not match the data`},
		{"zip bomb: declared size over budget", makeZip(t, member{name: "x.npy", deflate: true,
			data: npy(f64Dict("(137438953472,)"), eightF64), declared: 192 + 1<<40}),
			nil, `member "x.npy" declares 1099511627968 bytes uncompressed, over the remaining budget of 1073741824 bytes`},
		{"zip bomb: inflates past declared size", makeZip(t, member{name: "x.npy", deflate: true,
			data: npy(f64Dict("(8,)"), zeros), declared: 192}),
			nil, `member "x.npy" is corrupt: its data does not match the size its zip entry declares`},
		{"zip bomb: claims within budget, holds little", makeZip(t, member{name: "x.npy", deflate: true,
			data: npy(f64Dict("(67108864,)"), zeros), declared: 128 + 1<<29}),
			nil, `member "x.npy" is truncated: its data ends before the 536870912 bytes`},
		{"over WithMaxBytes", makeZip(t, member{name: "x.npy", data: npy(f64Dict("(8,)"), eightF64)}),
			[]Option{WithMaxBytes(100)}, `member "x.npy" declares 192 bytes uncompressed, over the remaining budget of 100 bytes (raise it with WithMaxBytes)`},
		{"widened over WithMaxBytes", makeZip(t, member{name: "x.npy", data: npy("{'descr': '|u1', 'fortran_order': False, 'shape': (64,), }", eightF64)}),
			[]Option{WithMaxBytes(200)}, `array of shape [64] and dtype |u1 takes 640 bytes in memory, over the remaining budget of 200 bytes`},
		{"second member over WithMaxBytes", makeZip(t, member{name: "a.npy", data: npy(f64Dict("(8,)"), eightF64)}, member{name: "b.npy", data: npy(f64Dict("(8,)"), eightF64)}),
			[]Option{WithMaxBytes(300)}, `member "b.npy" declares 192 bytes uncompressed, over the remaining budget of 108 bytes`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := readBytes(tc.file, tc.opts...)
			require.Nil(t, f)
			require.ErrorContains(t, err, tc.want)
			require.True(t, strings.HasPrefix(err.Error(), "npz: "), err.Error())
		})
	}
}

func TestReadAcceptsVariants(t *testing.T) {
	eight := make([]byte, 8)
	binary.LittleEndian.PutUint64(eight, math.Float64bits(2.5))
	for _, tc := range []struct {
		name string
		npy  []byte
	}{
		{"python2 long and double quotes", npy(`{"descr": "<f8", "fortran_order": False, "shape": (1L,)}`, eight)},
		{"list shape, no trailing comma", npy(`{'shape': [1], 'fortran_order': False, 'descr': '<f8'}`, eight)},
		{"version 2.0", append(append([]byte(npyMagic+"\x02\x00"), binary.LittleEndian.AppendUint32(nil, uint32(len(f64Dict("(1,)"))+1))...), append([]byte(f64Dict("(1,)")+"\n"), eight...)...)},
		{"version 3.0", append(append([]byte(npyMagic+"\x03\x00"), binary.LittleEndian.AppendUint32(nil, uint32(len(f64Dict("(1,)"))+1))...), append([]byte(f64Dict("(1,)")+"\n"), eight...)...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := readBytes(makeZip(t, member{name: "x.npy", data: tc.npy}))
			require.NoError(t, err)
			x, _, err := f.Float64("x", 1)
			require.NoError(t, err)
			require.Equal(t, []float64{2.5}, x)
		})
	}
}

func TestReadBudget(t *testing.T) {
	b := writeBytes(t, NewFloat32("x", make([]float32, 256)))
	_, err := readBytes(b, WithMaxBytes(1024+128))
	require.NoError(t, err)
	_, err = readBytes(b, WithMaxBytes(1024))
	require.ErrorContains(t, err, "over the remaining budget of 1024 bytes")
	_, err = readBytes(b, WithMaxBytes(0)) // default
	require.NoError(t, err)
}

// TestReadAllocatesWhatItReads checks that a member claiming 512 MiB but
// holding 1 MiB costs about 1 MiB, not 512.
func TestReadAllocatesWhatItReads(t *testing.T) {
	b := makeZip(t, member{name: "x.npy", deflate: true,
		data: npy(f64Dict("(67108864,)"), make([]byte, 1<<20)), declared: 128 + 1<<29})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := readBytes(b)
	runtime.ReadMemStats(&after)
	require.ErrorContains(t, err, "is truncated")
	allocated := after.TotalAlloc - before.TotalAlloc
	require.Less(t, allocated, uint64(16<<20), "allocated %d bytes", allocated)
}
