package npz

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Write writes arrays to w as an uncompressed .npz archive, in the given
// order, that np.load reads. Each array is checked first (known dtype,
// non-negative dimensions, data length equal to the product of the shape,
// integer values that fit the dtype, unique non-empty names); on error nothing
// useful has been written. The output is deterministic: zip timestamps are
// fixed at 1980-01-01.
func Write(w io.Writer, arrays ...*Array) error {
	seen := make(map[string]bool, len(arrays))
	for i, a := range arrays {
		if a == nil {
			return fmt.Errorf("npz: array %d of %d is nil", i, len(arrays))
		}
		if err := validate(a); err != nil {
			return err
		}
		if seen[a.Name] {
			return fmt.Errorf("npz: array name %q given twice, want unique names", a.Name)
		}
		seen[a.Name] = true
	}
	zw := zip.NewWriter(w)
	for _, a := range arrays {
		var buf bytes.Buffer
		if err := writeNpy(&buf, a); err != nil {
			return err
		}
		fh := &zip.FileHeader{
			Name:               a.Name + ".npy",
			Method:             zip.Store,
			ModifiedDate:       1<<5 | 1, // 1980-01-01, the MS-DOS epoch
			CRC32:              crc32.ChecksumIEEE(buf.Bytes()),
			CompressedSize64:   uint64(buf.Len()),
			UncompressedSize64: uint64(buf.Len()),
		}
		fw, err := zw.CreateRaw(fh)
		if err != nil {
			return fmt.Errorf("npz: writing member %q: %w", fh.Name, err)
		}
		if _, err := fw.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("npz: writing member %q: %w", fh.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("npz: finishing archive: %w", err)
	}
	return nil
}

// WriteFile writes arrays to the .npz file at path (see Write), atomically:
// it writes a temporary file in the same directory, syncs it, renames it over
// path and syncs the directory. Readers see either the old file or the whole
// new one. The file gets mode 0644.
func WriteFile(path string, arrays ...*Array) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("npz: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = Write(tmp, arrays...); err != nil {
		return fmt.Errorf("%w (writing %s)", err, path)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("npz: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("npz: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("npz: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("npz: %w", err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("npz: renamed into place but cannot open directory to sync it: %w", err)
	}
	defer d.Close()
	if err = d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("npz: renamed into place but syncing directory %s failed: %w", dir, err)
	}
	return nil
}

// validate checks that a can be written.
func validate(a *Array) error {
	if a.Name == "" {
		return fmt.Errorf("npz: array with dtype %s and shape %v has an empty name, want a name", a.DType, shapeString(a.Shape))
	}
	if a.dataLen() < 0 {
		return fmt.Errorf("npz: array %q has dtype %q, want one of %s", a.Name, a.DType,
			strings.Join([]string{Float32, Float64, Int32, Int64, Uint8, Bool, Str}, ", "))
	}
	n, err := shapeSize(a.Shape, math.MaxInt64)
	if err != nil {
		return fmt.Errorf("npz: array %q has shape %v: %w", a.Name, shapeString(a.Shape), err)
	}
	if a.DType == Str {
		if len(a.Shape) != 0 {
			return fmt.Errorf("npz: array %q of dtype str has shape %v, want a 0-d array (empty shape)", a.Name, shapeString(a.Shape))
		}
		if !utf8.ValidString(a.Str) {
			return fmt.Errorf("npz: array %q: string is not valid UTF-8", a.Name)
		}
		return nil
	}
	if int64(a.dataLen()) != n {
		return fmt.Errorf("npz: array %q of dtype %s has %d elements of data, want %d for shape %v", a.Name, a.DType, a.dataLen(), n, shapeString(a.Shape))
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	switch a.DType {
	case Int32:
		lo, hi = math.MinInt32, math.MaxInt32
	case Uint8:
		lo, hi = 0, math.MaxUint8
	case Bool:
		lo, hi = 0, 1
	}
	for i, v := range a.I64 {
		if v < lo || v > hi {
			return fmt.Errorf("npz: array %q of dtype %s: element %d is %d, want a value in [%d, %d]", a.Name, a.DType, i, v, lo, hi)
		}
	}
	return nil
}

// descrOf returns the NumPy dtype string for a (validated) array.
func descrOf(a *Array) string {
	switch a.DType {
	case Float32:
		return "<f4"
	case Float64:
		return "<f8"
	case Int32:
		return "<i4"
	case Int64:
		return "<i8"
	case Uint8:
		return "|u1"
	case Bool:
		return "|b1"
	}
	// Str: np.array("") has dtype <U1.
	return fmt.Sprintf("<U%d", max(1, utf8.RuneCountInString(a.Str)))
}

// npyHeader returns the .npy preamble and header for a, as NumPy writes them:
// the dict padded with spaces and ended by '\n' so that the data starts at a
// multiple of 64 bytes. It uses format 1.0 unless the header needs 2.0.
func npyHeader(a *Array) []byte {
	var shape strings.Builder
	shape.WriteByte('(')
	for i, d := range a.Shape {
		if i > 0 {
			shape.WriteString(", ")
		}
		fmt.Fprint(&shape, d)
	}
	if len(a.Shape) == 1 {
		shape.WriteByte(',')
	}
	shape.WriteByte(')')
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descrOf(a), shape.String())
	major, lenBytes := byte(1), 2
	if 6+2+2+len(dict)+1 > math.MaxUint16 {
		major, lenBytes = 2, 4
	}
	pre := 6 + 2 + lenBytes
	total := (pre + len(dict) + 1 + 63) / 64 * 64
	hl := total - pre
	out := make([]byte, 0, total)
	out = append(out, npyMagic...)
	out = append(out, major, 0)
	if lenBytes == 2 {
		out = binary.LittleEndian.AppendUint16(out, uint16(hl))
	} else {
		out = binary.LittleEndian.AppendUint32(out, uint32(hl))
	}
	out = append(out, dict...)
	for len(out) < total-1 {
		out = append(out, ' ')
	}
	return append(out, '\n')
}

// writeNpy writes a (validated) array as a .npy file.
func writeNpy(buf *bytes.Buffer, a *Array) error {
	buf.Write(npyHeader(a))
	le := binary.LittleEndian
	var b [8]byte
	switch a.DType {
	case Float32:
		for _, v := range a.F32 {
			buf.Write(le.AppendUint32(b[:0], math.Float32bits(v)))
		}
	case Float64:
		for _, v := range a.F64 {
			buf.Write(le.AppendUint64(b[:0], math.Float64bits(v)))
		}
	case Int32:
		for _, v := range a.I64 {
			buf.Write(le.AppendUint32(b[:0], uint32(int32(v))))
		}
	case Int64:
		for _, v := range a.I64 {
			buf.Write(le.AppendUint64(b[:0], uint64(v)))
		}
	case Uint8, Bool:
		for _, v := range a.I64 {
			buf.WriteByte(byte(v))
		}
	case Str:
		n := 0
		for _, r := range a.Str {
			buf.Write(le.AppendUint32(b[:0], uint32(r)))
			n++
		}
		if n == 0 {
			buf.Write(make([]byte, 4)) // <U1 holding ""
		}
	default:
		return fmt.Errorf("npz: array %q has dtype %q, cannot write it", a.Name, a.DType)
	}
	return nil
}
