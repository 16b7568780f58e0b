package tasks

import (
	"testing"
	"unicode/utf8"
)

// FuzzCharText builds a CharText from arbitrary bytes (empty, invalid UTF-8,
// a single character, ...). It must never panic: either NewCharText fails, or
// the dataset is consistent and its batches have the right shapes and ids in
// [0, VocabSize). The seed corpus is in testdata/fuzz/FuzzCharText.
func FuzzCharText(f *testing.F) {
	f.Add([]byte("hello, world"), uint16(250), uint8(3), uint8(2), uint16(0))
	f.Add([]byte(""), uint16(100), uint8(1), uint8(1), uint16(0))
	f.Add([]byte("a"), uint16(500), uint8(1), uint8(1), uint16(1))
	f.Add([]byte("ab\xffcd"), uint16(500), uint8(1), uint8(1), uint16(2))
	f.Add([]byte("αβγδ αβγδ"), uint16(400), uint8(2), uint8(3), uint16(7))

	f.Fuzz(func(t *testing.T, text []byte, valPermille uint16, seqLen, batchSize uint8, step uint16) {
		valFraction := float64(valPermille) / 1000
		c, err := NewCharText(text, valFraction, 1)
		if err != nil {
			if c != nil {
				t.Fatalf("NewCharText returned both a dataset and error %v", err)
			}
			return
		}
		if !utf8.Valid(text) {
			t.Fatalf("accepted invalid UTF-8 %q", text)
		}
		V := c.VocabSize()
		if V < 2 || c.UniformPerplexity() != float64(V) {
			t.Fatalf("vocabulary of %d, uniform perplexity %v", V, c.UniformPerplexity())
		}
		if n := utf8.RuneCount(text); c.TrainLen()+c.ValLen() != n || c.TrainLen() < 2 || c.ValLen() < 2 {
			t.Fatalf("split %d + %d of %d runes", c.TrainLen(), c.ValLen(), n)
		}
		ids, err := c.Encode(string(text))
		if err != nil {
			t.Fatalf("cannot encode its own text: %v", err)
		}
		if got := c.Decode(ids); got != string(text) {
			t.Fatalf("Decode(Encode(%q)) = %q", text, got)
		}
		checkIDs := func(what string, ids []int32) {
			for _, id := range ids {
				if id < 0 || int(id) >= V {
					t.Fatalf("%s: id %d outside [0, %d)", what, id, V)
				}
			}
		}
		checkIDs("text", ids)

		T, B := int(seqLen)%64+1, int(batchSize)%8+1
		x, y, err := c.TrainBatchAt(int(step), B, T)
		if err != nil {
			if c.TrainLen() >= T+1 {
				t.Fatalf("TrainBatchAt(%d, %d, %d) with %d training runes: %v", step, B, T, c.TrainLen(), err)
			}
		} else {
			if len(x) != B*T || len(y) != B*T {
				t.Fatalf("train batch lengths %d, %d, want %d", len(x), len(y), B*T)
			}
			checkIDs("train x", x)
			checkIDs("train y", y)
			for b := range B {
				for i := range T - 1 {
					if x[b*T+i+1] != y[b*T+i] {
						t.Fatalf("train y is not x shifted by one")
					}
				}
			}
		}
		vb, err := c.ValBatches(B, T)
		if err != nil {
			if c.ValLen() >= T+1 {
				t.Fatalf("ValBatches(%d, %d) with %d validation runes: %v", B, T, c.ValLen(), err)
			}
			return
		}
		windows := 0
		for _, v := range vb {
			if v.BatchSize < 1 || v.BatchSize > B || v.SeqLen != T || len(v.X) != v.BatchSize*T || len(v.Y) != v.BatchSize*T {
				t.Fatalf("validation batch of %d x %d with %d and %d ids", v.BatchSize, v.SeqLen, len(v.X), len(v.Y))
			}
			checkIDs("val x", v.X)
			checkIDs("val y", v.Y)
			windows += v.BatchSize
		}
		if windows != (c.ValLen()-1)/T {
			t.Fatalf("%d validation windows, want %d", windows, (c.ValLen()-1)/T)
		}
	})
}
