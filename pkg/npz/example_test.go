package npz_test

import (
	"bytes"
	"fmt"

	"github.com/rnn-course/bottleneck/pkg/npz"
)

// Write arrays, as np.savez would, and read them back with shape checks.
func Example() {
	var buf bytes.Buffer
	err := npz.Write(&buf,
		npz.NewFloat32("W", []float32{1, 2, 3, 4, 5, 6}, 2, 3),
		npz.NewString("cell", "lstm"))
	if err != nil {
		panic(err)
	}

	f, err := npz.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		panic(err)
	}
	w, shape, err := f.Float32("W", 2, 3)
	fmt.Println(w, shape, err)
	cell, _ := f.String("cell")
	fmt.Println(f.Names(), cell)
	_, _, err = f.Float32("W", 3, 2)
	fmt.Println(err)
	_, err = f.Get("b")
	fmt.Println(err)
	// Output:
	// [1 2 3 4 5 6] [2 3] <nil>
	// [W cell] lstm
	// npz: array "W" has shape [2 3], want [3 2]
	// npz: no array "b" in file, it has 2: "W", "cell"
}
