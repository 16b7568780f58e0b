package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/backend"
)

// info prints the backend, the versions this binary was built with, and a 64x64 matmul computed
// on the backend and on the host (an error if they differ by more than float32 rounding allows).
func info(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("info", flag.ContinueOnError)
	fs.SetOutput(w)
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() != 0 {
		return usageError{fmt.Errorf("want no arguments, got %v", fs.Args())}
	}
	b, choice, err := backend.New()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "backend: %s\n", choice)
	fmt.Fprintf(w, "backend description: %s\n", b.Description())
	if !choice.IsGo() { // an XLA backend: the plugin's PJRT C API against the one go-xla is built for
		major, minor, path, err := backend.PluginVersion(choice.Config)
		if path != "" {
			fmt.Fprintf(w, "pjrt: plugin %s implements C API %d.%d; go-xla is built for %d.%d\n",
				path, major, minor, backend.PJRTMajor, backend.PJRTMinor)
		}
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "go: %s %s/%s, %d CPUs\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if strings.HasPrefix(d.Path, "github.com/gomlx/") {
				fmt.Fprintf(w, "module: %s %s\n", d.Path, d.Version)
			}
		}
		for _, s := range bi.Settings {
			if s.Key == "CGO_ENABLED" || s.Key == "GOEXPERIMENT" || s.Key == "vcs.revision" || s.Key == "vcs.modified" {
				fmt.Fprintf(w, "build: %s=%s\n", s.Key, s.Value)
			}
		}
	}
	const n = 64
	a := make([]float32, n*n)
	for i := range a {
		a[i] = float32(math.Sin(float64(i)))
	}
	exec, err := NewExec(b, func(x *Node) *Node { return MatMul(x, Transpose(x, 0, 1)) })
	if err != nil {
		return err
	}
	out, err := exec.Call(tensors.FromFlatDataAndDimensions(a, n, n))
	if err != nil {
		return fmt.Errorf("matmul check on %s: %w", choice.Config, err)
	}
	if out[0].DType() != dtypes.Float32 {
		return fmt.Errorf("matmul check: got %s, want float32", out[0].DType())
	}
	got := tensors.MustCopyFlatData[float32](out[0])
	worst, scale := 0.0, 0.0
	for i := range n {
		for j := range n {
			var s float64
			for k := range n {
				s += float64(a[i*n+k]) * float64(a[j*n+k])
			}
			scale = math.Max(scale, math.Abs(s))
			worst = math.Max(worst, math.Abs(float64(got[i*n+j])-s))
		}
	}
	rel := worst / scale
	fmt.Fprintf(w, "matmul check: 64x64 float32 A·Aᵀ, max |backend - host float64| / max |host| = %.2g\n", rel)
	// float32 accumulation of 64 products is ~1e-6 relative; TF32 (10-bit mantissa) would be ~1e-3.
	if !(rel <= 1e-4) { // NaN included
		return fmt.Errorf("matmul check: relative difference %.3g > 1e-4: the backend does not compute float32 "+
			"matmuls in full precision (TF32?)", rel)
	}
	return nil
}
