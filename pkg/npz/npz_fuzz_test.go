package npz

import (
	"bytes"
	"math"
	"testing"
)

// FuzzRead feeds arbitrary bytes to Read. It must never panic; when it
// succeeds, every array's data length must equal the product of its shape,
// and writing the arrays back and reading them again must give the same
// arrays. The seed corpus (testdata/fuzz/FuzzRead) holds a valid file, a
// truncated one, garbage and any crasher found so far.
func FuzzRead(f *testing.F) {
	var valid bytes.Buffer
	if err := Write(&valid, NewFloat32("w", []float32{1, 2, 3, 4}, 2, 2), NewString("cell", "lstm")); err != nil {
		f.Fatal(err)
	}
	f.Add(valid.Bytes())
	f.Add(valid.Bytes()[:valid.Len()-10])
	f.Add([]byte("PK\x03\x04garbage"))

	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Read(bytes.NewReader(data), int64(len(data)), WithMaxBytes(1<<20))
		if err != nil {
			if file != nil {
				t.Fatalf("Read returned both a file and error %v", err)
			}
			return
		}
		arrays := file.Arrays()
		if len(arrays) != len(file.Names()) {
			t.Fatalf("%d arrays but %d names", len(arrays), len(file.Names()))
		}
		for _, a := range arrays {
			n := a.Size()
			if n < 0 {
				t.Fatalf("array %q: invalid shape %v", a.Name, a.Shape)
			}
			if a.dataLen() != n {
				t.Fatalf("array %q of dtype %s: %d elements of data for shape %v (product %d)", a.Name, a.DType, a.dataLen(), a.Shape, n)
			}
			if got, err := file.Get(a.Name); err != nil || got != a {
				t.Fatalf("Get(%q) = %v, %v", a.Name, got, err)
			}
		}
		// What was read can be written and reads back the same.
		var buf bytes.Buffer
		if err := Write(&buf, arrays...); err != nil {
			t.Fatalf("writing back what was read: %v", err)
		}
		again, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatalf("reading back what was written: %v", err)
		}
		for i, b := range again.Arrays() {
			if !sameArray(arrays[i], b) {
				t.Fatalf("array %q changed in a write/read round trip: %+v, then %+v", arrays[i].Name, arrays[i], b)
			}
		}
	})
}

// sameArray compares arrays, floats by their bits (NaN payloads included).
func sameArray(a, b *Array) bool {
	if a.Name != b.Name || a.DType != b.DType || a.Str != b.Str || len(a.Shape) != len(b.Shape) ||
		len(a.F32) != len(b.F32) || len(a.F64) != len(b.F64) || len(a.I64) != len(b.I64) {
		return false
	}
	for i := range a.Shape {
		if a.Shape[i] != b.Shape[i] {
			return false
		}
	}
	for i := range a.F32 {
		if math.Float32bits(a.F32[i]) != math.Float32bits(b.F32[i]) {
			return false
		}
	}
	for i := range a.F64 {
		if math.Float64bits(a.F64[i]) != math.Float64bits(b.F64[i]) {
			return false
		}
	}
	for i := range a.I64 {
		if a.I64[i] != b.I64[i] {
			return false
		}
	}
	return true
}
