package modelspec_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/backend"
	"github.com/rnn-course/bottleneck/pkg/cost"
	"github.com/rnn-course/bottleneck/pkg/mingru"
	"github.com/rnn-course/bottleneck/pkg/modelspec"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/rnn-course/bottleneck/pkg/scan"
	"github.com/rnn-course/bottleneck/pkg/train"
)

// The oracle: every kind's equations on host float64 slices, one step at a time (PyTorch's
// equations and gate order for the classic cells; the minGRU paper's for minGRU and minLSTM).

type mat struct {
	rows, cols int
	v          []float64
}

func (m mat) mulVec(x []float64) []float64 {
	out := make([]float64, m.rows)
	for r := range m.rows {
		for c := range m.cols {
			out[r] += m.v[r*m.cols+c] * x[c]
		}
	}
	return out
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// affine is W x + b, for W [G*H, n] and b [G*H], split into G blocks of H.
func affine(w mat, b []float64, x []float64, G int) [][]float64 {
	y := w.mulVec(x)
	H := len(y) / G
	out := make([][]float64, G)
	for g := range G {
		out[g] = make([]float64, H)
		for j := range H {
			out[g][j] = y[g*H+j] + b[g*H+j]
		}
	}
	return out
}

// oracleStep is one step of a classic cell's layer: params are weight_ih, weight_hh, bias_ih,
// bias_hh of that layer.
func oracleStep(kind recurrent.Kind, p []mat, x, h, c []float64) (hn, cn []float64) {
	G := kind.Gates()
	xi := affine(p[0], p[2].v, x, G)
	hh := affine(p[1], p[3].v, h, G)
	H := len(h)
	hn, cn = make([]float64, H), make([]float64, H)
	for j := range H {
		switch kind {
		case recurrent.RNNTanh:
			hn[j] = math.Tanh(xi[0][j] + hh[0][j])
		case recurrent.RNNReLU:
			hn[j] = math.Max(0, xi[0][j]+hh[0][j])
		case recurrent.LSTM: // i, f, g, o
			i, f := sigmoid(xi[0][j]+hh[0][j]), sigmoid(xi[1][j]+hh[1][j])
			g, o := math.Tanh(xi[2][j]+hh[2][j]), sigmoid(xi[3][j]+hh[3][j])
			cn[j] = f*c[j] + i*g
			hn[j] = o * math.Tanh(cn[j])
		case recurrent.GRU: // r, z, n
			r, z := sigmoid(xi[0][j]+hh[0][j]), sigmoid(xi[1][j]+hh[1][j])
			n := math.Tanh(xi[2][j] + r*hh[2][j])
			hn[j] = (1-z)*n + z*h[j]
		}
	}
	return hn, cn
}

// oracleMin is one step of a minGRU/minLSTM layer: params are the linear maps' weight, bias pairs.
func oracleMin(cfg mingru.Config, p []mat, x, h []float64) []float64 {
	lin := func(k int) []float64 { return affine(p[2*k], p[2*k+1].v, x, 1)[0] }
	P := cfg.Kind.Projections()
	ht := lin(P - 1)
	out := make([]float64, len(h))
	for j := range h {
		cand := ht[j]
		if cfg.PositiveCandidate {
			if cand >= 0 {
				cand += 0.5
			} else {
				cand = sigmoid(cand)
			}
		}
		if cfg.Kind == mingru.MinLSTM {
			f, i := sigmoid(lin(0)[j]), sigmoid(lin(1)[j])
			out[j] = f/(f+i)*h[j] + i/(f+i)*cand
		} else {
			z := sigmoid(lin(0)[j])
			out[j] = (1-z)*h[j] + z*cand
		}
	}
	return out
}

func toMats(ts []*tensors.Tensor) []mat {
	ms := make([]mat, len(ts))
	for i, t := range ts {
		d := t.Shape().Dimensions
		m := mat{rows: d[0], cols: 1, v: tensors.MustCopyFlatData[float64](t)}
		if len(d) == 2 {
			m.cols = d[1]
		}
		ms[i] = m
	}
	return ms
}

// at returns row (b, t) of a [B, T, F] or row b of a [B, F] flat slice.
func row(v []float64, i, F int) []float64 { return slices.Clone(v[i*F : (i+1)*F]) }

func randTensor(rng *rand.Rand, scale float64, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = scale * (2*rng.Float64() - 1)
	}
	return tensors.FromFlatDataAndDimensions(v, dims...)
}

type specCase struct {
	name  string
	spec  modelspec.Spec
	names []string // the existing path's names
	dims  [][]int  // and shapes
	init  func(seed uint64) ([]*tensors.Tensor, error)
	model train.ModelConfig // the same layer in package train
}

func specCases(t *testing.T) []specCase {
	const D, H = 3, 4
	var cases []specCase
	for _, kind := range recurrent.Kinds {
		for _, L := range []int{1, 2} {
			cfg := recurrent.Config{Kind: kind, InputSize: D, HiddenSize: H, NumLayers: L, DType: dtypes.Float64}
			var dims [][]int
			for l := range L {
				for _, d := range cfg.LayerShapes(l) {
					dims = append(dims, d)
				}
			}
			cases = append(cases, specCase{
				name: fmt.Sprintf("%s_L%d", kind, L), spec: cfg, names: recurrent.ParamNames(L), dims: dims,
				init: func(seed uint64) ([]*tensors.Tensor, error) {
					w, err := recurrent.NewWeights(cfg, seed)
					if err != nil {
						return nil, err
					}
					return w.Tensors, nil
				},
				model: train.ModelConfig{Kind: train.CellKind(kind), InputSize: D, HiddenSize: H, NumLayers: L,
					DType: dtypes.Float64, OutputSize: 2, Loss: train.MSE},
			})
		}
	}
	for _, c := range []struct {
		kind mingru.Kind
		form string
	}{{mingru.MinGRU, "sequential"}, {mingru.MinLSTM, "blelloch"}, {mingru.MinGRU, "logspace"}, {mingru.MinLSTM, "chunked"}} {
		form := mingru.Forms[slices.IndexFunc(mingru.Forms, func(f scan.Form) bool { return string(f) == c.form })]
		cfg := mingru.Config{Kind: c.kind, InputSize: D, HiddenSize: H, DType: dtypes.Float64,
			PositiveCandidate: form == mingru.LogSpace}
		cases = append(cases, specCase{
			name: fmt.Sprintf("%s_%s", c.kind, c.form), spec: mingru.Layer{Config: cfg, Form: form},
			names: cfg.ParamNames(), dims: cfg.ParamShapes(),
			init: func(seed uint64) ([]*tensors.Tensor, error) {
				w, err := mingru.NewWeights(cfg, seed)
				if err != nil {
					return nil, err
				}
				return w.Tensors, nil
			},
			model: train.ModelConfig{Kind: train.CellKind(c.kind), InputSize: D, HiddenSize: H, NumLayers: 1,
				DType: dtypes.Float64, Scan: form, OutputSize: 2, Loss: train.MSE},
		})
	}
	if len(cases) != 2*len(recurrent.Kinds)+4 {
		t.Fatalf("%d cases", len(cases))
	}
	return cases
}

// TestSpecsAgree checks, for every kind, that its Spec has the names and shapes of the existing
// paths (recurrent.ParamNames and LayerShapes, mingru's Config, train's Model, cost's Params),
// that Init draws NewWeights' values, and that Build (through Runner) computes the oracle's
// outputs and final states, from zero and from random states.
func TestSpecsAgree(t *testing.T) {
	b, _, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	const B, T = 2, 5
	for _, c := range specCases(t) {
		t.Run(c.name, func(t *testing.T) {
			s := c.spec
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(s.ParamNames(), c.names) {
				t.Errorf("names %v, want %v", s.ParamNames(), c.names)
			}
			if !slices.EqualFunc(s.ParamShapes(), c.dims, slices.Equal) {
				t.Errorf("shapes %v, want %v", s.ParamShapes(), c.dims)
			}
			// train sees the same layer: same names and shapes ahead of the readout's.
			if err := c.model.Validate(); err != nil {
				t.Fatal(err)
			}
			m, err := train.NewModel(c.model, 7)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.ParamNames(); !slices.Equal(got[:len(got)-2], c.names) {
				t.Errorf("train names %v, want %v", got, c.names)
			}
			if got := c.model.Layer(); got != s {
				t.Errorf("train's layer %#v, want %#v", got, s)
			}
			params, err := s.Init(7)
			if err != nil {
				t.Fatal(err)
			}
			want, err := c.init(7)
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if !slices.Equal(tensors.MustCopyFlatData[float64](params[i]), tensors.MustCopyFlatData[float64](want[i])) {
					t.Errorf("Init's %s differs from NewWeights'", c.names[i])
				}
				if !slices.Equal(tensors.MustCopyFlatData[float64](m.Params()[i]), tensors.MustCopyFlatData[float64](want[i])) {
					t.Errorf("train.NewModel's %s differs from NewWeights'", c.names[i])
				}
			}
			r, err := modelspec.NewRunner(b, s)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(3, 4))
			x := randTensor(rng, 1, B, T, 3)
			for _, random := range []bool{false, true} {
				var states []*tensors.Tensor
				stateDims := s.StateShapes(B)
				hostStates := make([][]float64, len(stateDims))
				for i, d := range stateDims {
					if d[len(d)-2] != B {
						t.Fatalf("state %d has shape %v, want batch %d on the axis before last", i, d, B)
					}
					if random {
						st := randTensor(rng, 0.5, d...)
						if _, ok := s.(mingru.Layer); ok { // > 0: the log-space form takes log h0
							st = tensors.FromFlatDataAndDimensions(positive(tensors.MustCopyFlatData[float64](st)), d...)
						}
						states = append(states, st)
						hostStates[i] = tensors.MustCopyFlatData[float64](st)
					} else {
						n := 1
						for _, v := range d {
							n *= v
						}
						hostStates[i] = make([]float64, n)
					}
				}
				out, final, err := r.Run(params, x, states)
				if err != nil {
					t.Fatal(err)
				}
				wantOut, wantFinal := oracle(s, toMats(params), tensors.MustCopyFlatData[float64](x), hostStates, B, T)
				if d := maxDiff(tensors.MustCopyFlatData[float64](out), wantOut); d > 1e-12 {
					t.Errorf("random states %v: out differs from the oracle by %g", random, d)
				}
				if len(final) != len(wantFinal) {
					t.Fatalf("%d final states, want %d", len(final), len(wantFinal))
				}
				for i := range final {
					if !slices.Equal(final[i].Shape().Dimensions, stateDims[i]) {
						t.Errorf("final state %d has shape %v, want %v", i, final[i].Shape().Dimensions, stateDims[i])
					}
					if d := maxDiff(tensors.MustCopyFlatData[float64](final[i]), wantFinal[i]); d > 1e-12 {
						t.Errorf("random states %v: final state %d differs from the oracle by %g", random, i, d)
					}
				}
			}
		})
	}
}

func positive(v []float64) []float64 {
	for i := range v {
		v[i] = math.Abs(v[i]) + 0.1
	}
	return v
}

func maxDiff(a, b []float64) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// oracle runs a Spec's layer on host values: x [B, T, D] flat, states as StateShapes (h, c:
// [L, B, H] for the classic cells, [1, B, H] for mingru); it returns out [B, T, H] and the final
// states, flat.
func oracle(s modelspec.Spec, p []mat, x []float64, states [][]float64, B, T int) (out []float64, final [][]float64) {
	switch cfg := s.(type) {
	case recurrent.Config:
		L, H, D := cfg.NumLayers, cfg.HiddenSize, cfg.InputSize
		hn := slices.Clone(states[0])
		var cn []float64
		if cfg.Kind.HasCellState() {
			cn = slices.Clone(states[1])
		}
		in, F := x, D
		for l := range L {
			layer := make([]float64, B*T*H)
			for b := range B {
				h := row(hn, l*B+b, H)
				c := make([]float64, H)
				if cn != nil {
					c = row(cn, l*B+b, H)
				}
				for t := range T {
					h, c = oracleStep(cfg.Kind, p[4*l:4*l+4], row(in, b*T+t, F), h, c)
					copy(layer[(b*T+t)*H:], h)
				}
				copy(hn[(l*B+b)*H:], h)
				if cn != nil {
					copy(cn[(l*B+b)*H:], c)
				}
			}
			in, F = layer, H
		}
		final = [][]float64{hn}
		if cn != nil {
			final = append(final, cn)
		}
		return in, final
	case mingru.Layer:
		H, D := cfg.HiddenSize, cfg.InputSize
		out = make([]float64, B*T*H)
		hn := slices.Clone(states[0])
		for b := range B {
			h := row(hn, b, H)
			for t := range T {
				h = oracleMin(cfg.Config, p, row(x, b*T+t, D), h)
				copy(out[(b*T+t)*H:], h)
			}
			copy(hn[b*H:], h)
		}
		return out, [][]float64{hn}
	}
	panic(fmt.Sprintf("no oracle for %T", s))
}

// TestCostUsesSpecs checks that package cost's models have their Spec's parameters.
func TestCostUsesSpecs(t *testing.T) {
	const D, H = 3, 4
	for _, kind := range recurrent.Kinds {
		ps, err := cost.Recurrent(kind).Params(D, H)
		if err != nil {
			t.Fatal(err)
		}
		cfg := recurrent.Config{Kind: kind, InputSize: D, HiddenSize: H, NumLayers: 1, DType: dtypes.Float32}
		for i, p := range ps {
			if p.Name != cfg.ParamNames()[i] || !slices.Equal(p.Dims, cfg.ParamShapes()[i]) {
				t.Errorf("%s: cost's parameter %d is %v, want %s %v", kind, i, p, cfg.ParamNames()[i], cfg.ParamShapes()[i])
			}
		}
	}
	m, err := cost.MinGRU("blelloch")
	if err != nil {
		t.Fatal(err)
	}
	ps, err := m.Params(D, H)
	if err != nil {
		t.Fatal(err)
	}
	cfg := mingru.Config{Kind: mingru.MinGRU, InputSize: D, HiddenSize: H, DType: dtypes.Float32}
	if len(ps) != 4 || ps[0].Name != "linear_z.weight" || !slices.Equal(ps[0].Dims, []int{H, D}) ||
		ps[3].Name != cfg.ParamNames()[3] || !slices.Equal(ps[3].Dims, []int{H}) {
		t.Errorf("cost's minGRU parameters %v", ps)
	}
}

// TestRunnerBadInput checks that Runner says what is wrong with its inputs.
func TestRunnerBadInput(t *testing.T) {
	b, _, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := modelspec.NewRunner(b, nil); err == nil {
		t.Error("NewRunner(nil) gave no error")
	}
	if _, err := modelspec.NewRunner(b, recurrent.Config{Kind: "peephole", InputSize: 1, HiddenSize: 1, NumLayers: 1,
		DType: dtypes.Float64}); err == nil || !strings.Contains(err.Error(), "unknown cell kind") {
		t.Errorf("an unknown kind: error %v", err)
	}
	cfg := recurrent.Config{Kind: recurrent.LSTM, InputSize: 3, HiddenSize: 4, NumLayers: 1, DType: dtypes.Float64}
	r, err := modelspec.NewRunner(b, cfg)
	if err != nil {
		t.Fatal(err)
	}
	params, err := cfg.Init(1)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := randTensor(rng, 1, 2, 5, 3)
	for _, c := range []struct {
		name   string
		params []*tensors.Tensor
		x      *tensors.Tensor
		states []*tensors.Tensor
		want   string
	}{
		{"nil x", params, nil, nil, "x is nil"},
		{"rank 2 x", params, randTensor(rng, 1, 2, 3), nil, "want [batch, time, features]"},
		{"3 params", params[:3], x, nil, "3 parameters, want 4"},
		{"swapped params", []*tensors.Tensor{params[1], params[0], params[2], params[3]}, x, nil,
			"parameter weight_ih_l0 has shape"},
		{"wrong dtype", params, tensors.FromShape(tensors.FromFlatDataAndDimensions(make([]float32, 30), 2, 5, 3).Shape()), nil,
			"parameter weight_ih_l0 has shape"},
		{"one state of two", params, x, []*tensors.Tensor{randTensor(rng, 1, 1, 2, 4)}, "1 states, want 2"},
		{"state of the wrong batch", params, x, []*tensors.Tensor{randTensor(rng, 1, 1, 3, 4), nil}, "state 0 has shape"},
	} {
		if _, _, err := r.Run(c.params, c.x, c.states); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	// A nil state is zeros: the same result as explicit zeros.
	zeros := []*tensors.Tensor{randTensor(rng, 0, 1, 2, 4), randTensor(rng, 0, 1, 2, 4)}
	out0, _, err := r.Run(params, x, nil)
	if err != nil {
		t.Fatal(err)
	}
	out1, _, err := r.Run(params, x, zeros)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxDiff(tensors.MustCopyFlatData[float64](out0), tensors.MustCopyFlatData[float64](out1)); d != 0 {
		t.Errorf("nil states and zero states differ by %g", d)
	}
}
