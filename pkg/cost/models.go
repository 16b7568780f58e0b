package cost

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/modelspec"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/rnn-course/bottleneck/pkg/seq"
)

// Param names and sizes one parameter tensor of a model.
type Param struct {
	Name string
	Dims []int
}

// Model is a sequence model that maps x [B, T, D] to features [B, T, H]. The package adds the
// readout and the loss (see BuildGraph), so a Model only describes its own layers.
type Model struct {
	// Name is the model's label in tables and benchmark names ("rnn", "attention4", ...).
	Name string
	// Sequential reports whether the model's dependency chain grows with T (the recurrent cells).
	Sequential bool
	// WorkOrder is the exponent of T in the model's work: 1 (recurrent cells, convolution) or 2
	// (attention). Sweeps use it to predict the cost of the next T before building the graph.
	WorkOrder int
	// Params returns the model's parameters for input width D and hidden width H, or an error
	// that says why (D, H) does not suit the model.
	Params func(D, H int) ([]Param, error)
	// Build adds the model to x's graph; params are in Params order. It returns [B, T, H].
	Build func(params []*Node, x *Node) *Node
}

// DefaultModels returns the models compared by the course, in a fixed order: the recurrent
// cells rnn (tanh), lstm, gru; causal self-attention with 1 and 4 heads; and the causal
// dilated convolution stack with kernel 2 and receptive field 256 (8 layers).
//
// More models are Model values appended to this list by the caller, e.g. the scan forms of the
// minGRU (MinGRUModels).
func DefaultModels() []Model {
	return []Model{
		Recurrent(recurrent.RNNTanh), Recurrent(recurrent.LSTM), Recurrent(recurrent.GRU),
		Attention(1), Attention(4), CausalConv(2, 256),
	}
}

// ModelByName finds one of DefaultModels or MinGRUModels ("mingru_<scan form>") by name.
func ModelByName(name string) (Model, error) {
	var names []string
	for _, m := range append(DefaultModels(), MinGRUModels()...) {
		if m.Name == name {
			return m, nil
		}
		names = append(names, m.Name)
	}
	return Model{}, fmt.Errorf("cost: unknown model %q, want one of %v", name, names)
}

// Recurrent is one layer of a cell of package recurrent (its recurrent.Config as a Spec, see
// FromSpec), run by recurrent.Forward from h_0 = 0.
// Its name is "rnn" for RNNTanh, "rnn_relu", "lstm" or "gru".
func Recurrent(kind recurrent.Kind) Model {
	name := string(kind)
	if kind == recurrent.RNNTanh {
		name = "rnn"
	}
	return FromSpec(name, true, 1, func(D, H int, dtype dtypes.DType) modelspec.Spec {
		return recurrent.Config{Kind: kind, InputSize: D, HiddenSize: H, NumLayers: 1, DType: dtype}
	})
}

// GoMLXLSTM is one LSTM layer run by GoMLX's own ml/layers/lstm (recurrent.GoMLXLSTM) from
// h_0 = 0, with the parameters of Recurrent(recurrent.LSTM) in PyTorch's layout, mapped to
// GoMLX's in the graph. It computes the same function as Recurrent(recurrent.LSTM); its
// backward pass sums 4T zero-padded copies of the whole input projection, so its work and bytes
// grow as T². Its name is "lstm_gomlx". It is not one of DefaultModels.
func GoMLXLSTM() Model {
	m := Recurrent(recurrent.LSTM)
	m.Name = "lstm_gomlx"
	m.WorkOrder = 2
	m.Build = func(params []*Node, x *Node) *Node {
		out, _, _ := recurrent.GoMLXLSTM(params, x, nil, nil)
		return out // [B, T, H]
	}
	return m
}

// Attention is one layer of causal multi-head self-attention of width H with the given number
// of heads (H must be a multiple of heads). Its name is "attention" for one head and
// "attention<heads>" otherwise. See the package documentation for the equations.
func Attention(heads int) Model {
	name := "attention"
	if heads != 1 {
		name = fmt.Sprintf("attention%d", heads)
	}
	return Model{
		Name: name, WorkOrder: 2,
		Params: func(D, H int) ([]Param, error) {
			if heads <= 0 {
				return nil, fmt.Errorf("cost: attention needs >= 1 head, got %d", heads)
			}
			if D <= 0 || H <= 0 || H%heads != 0 {
				return nil, fmt.Errorf("cost: attention needs D, H > 0 and H a multiple of the %d heads, got D=%d, H=%d",
					heads, D, H)
			}
			return []Param{
				{"q.weight", []int{H, D}}, {"q.bias", []int{H}},
				{"k.weight", []int{H, D}}, {"k.bias", []int{H}},
				{"v.weight", []int{H, D}}, {"v.bias", []int{H}},
				{"out.weight", []int{H, H}}, {"out.bias", []int{H}},
			}, nil
		},
		Build: func(params []*Node, x *Node) *Node { return causalAttention(params, x, heads) },
	}
}

// causalMask is the additive mask M [T, T]: 0 where key j <= query i, -1e9 above the diagonal.
func causalMask(g *Graph, T int, dtype dtypes.DType) *Node {
	sh := shapes.Make(dtypes.Int32, T, T)
	query, key := Iota(g, sh, 0), Iota(g, sh, 1)
	return Where(GreaterThan(key, query), Scalar(g, dtype, -1e9), ScalarZero(g, dtype)) // [T, T]
}

func causalAttention(p []*Node, x *Node, heads int) *Node {
	B, T := x.Shape().Dim(0), x.Shape().Dim(1)
	H := p[0].Shape().Dim(0)
	dh := H / heads
	q := seq.Linear(x, p[0], p[1]) // [B, T, H]
	k := seq.Linear(x, p[2], p[3]) // [B, T, H]
	v := seq.Linear(x, p[4], p[5]) // [B, T, H]
	// Heads-major layouts from [B, T, heads, dh], with the contraction axis last in both
	// operands of each DotGeneral: dh for Q K^T, the keys for A V.
	split := func(z *Node, perm ...int) *Node { return permute(Reshape(z, B, T, heads, dh), perm...) }
	qh := split(q, 0, 2, 1, 3) // [B, heads, T, dh]
	kh := split(k, 0, 2, 1, 3) // [B, heads, T, dh]
	vt := split(v, 0, 2, 3, 1) // [B, heads, dh, T]

	scores := DotGeneral(qh, []int{3}, []int{0, 1}, kh, []int{3}, []int{0, 1}) // [B, heads, T, T]
	scores = MulScalar(scores, 1/math.Sqrt(float64(dh)))
	mask := Reshape(causalMask(x.Graph(), T, x.DType()), 1, 1, T, T)
	scores = Add(scores, BroadcastToDims(mask, B, heads, T, T)) // [B, heads, T, T]
	a := Softmax(scores, -1)                                    // [B, heads, T(query), T(key)]

	o := DotGeneral(a, []int{3}, []int{0, 1}, vt, []int{3}, []int{0, 1}) // [B, heads, T, dh]
	o = Reshape(permute(o, 0, 2, 1, 3), B, T, H)                         // [B, T, H]
	return seq.Linear(o, p[6], p[7])                                     // [B, T, H]
}

// permute is TransposeAllAxes(z, perm...), or a Reshape when the permutation only moves axes of
// size 1 (the single-head case), which moves no data.
func permute(z *Node, perm ...int) *Node {
	dims := z.Shape().Dimensions
	out := make([]int, len(perm))
	var order []int // the axes of size > 1, in their new order
	for i, a := range perm {
		out[i] = dims[a]
		if dims[a] != 1 {
			order = append(order, a)
		}
	}
	if slices.IsSorted(order) {
		return Reshape(z, out...)
	}
	return TransposeAllAxes(z, perm...)
}

// ConvLayers is the number L of layers with dilations 1, 2, ..., 2^(L-1) that a causal
// convolution stack of kernel k needs for a receptive field of at least rf steps:
// the smallest L with 1 + (k-1)(2^L - 1) >= rf.
func ConvLayers(kernel, rf int) int {
	L := 1
	for 1+(kernel-1)*(1<<L-1) < rf {
		L++
	}
	return L
}

// CausalConv is a stack of causal dilated convolutions of width H, kernel k >= 2 and dilations
// 1, 2, 4, ..., with ConvLayers(k, rf) layers so that its receptive field covers rf steps.
// Its name is "conv" for the default (k = 2, rf = 256), "conv_k<k>_rf<rf>" otherwise.
func CausalConv(kernel, rf int) Model {
	name := fmt.Sprintf("conv_k%d_rf%d", kernel, rf)
	if kernel == 2 && rf == 256 {
		name = "conv"
	}
	return Model{
		Name: name, WorkOrder: 1,
		Params: func(D, H int) ([]Param, error) {
			if kernel < 2 || rf < 2 {
				return nil, fmt.Errorf("cost: causal convolution needs kernel >= 2 and receptive field >= 2, got %d, %d",
					kernel, rf)
			}
			if D <= 0 || H <= 0 {
				return nil, fmt.Errorf("cost: causal convolution needs D, H > 0, got D=%d, H=%d", D, H)
			}
			var ps []Param
			C := D
			for l := range ConvLayers(kernel, rf) {
				ps = append(ps, Param{fmt.Sprintf("conv%d.weight", l), []int{H, kernel * C}},
					Param{fmt.Sprintf("conv%d.bias", l), []int{H}})
				C = H
			}
			return ps, nil
		},
		Build: func(params []*Node, x *Node) *Node {
			h := x // [B, T, C]
			for l := range len(params) / 2 {
				h = causalConvLayer(h, params[2*l], params[2*l+1], kernel, 1<<l)
			}
			return h // [B, T, H]
		},
	}
}

// causalConvLayer is h'_t = tanh(b + Σ_j W_j h_{t - j·dilation}), h [B, T, C], w [H, k·C]:
// k shifted copies (zeros before the start), concatenated on the feature axis, one matmul.
func causalConvLayer(h, w, b *Node, kernel, dilation int) *Node {
	taps := make([]*Node, kernel)
	for j := range kernel {
		taps[j] = seq.ShiftTime(h, j*dilation, 0) // [B, T, C]
	}
	cat := Concatenate(taps, 2)        // [B, T, k·C]
	return Tanh(seq.Linear(cat, w, b)) // [B, T, H]
}

// OutputSize is the width O of the readout that BuildGraph puts on every model.
const OutputSize = 1

// AllParams returns the model's parameters followed by the readout's (readout.weight [O, H],
// readout.bias [O]): the parameter inputs of BuildGraph, in order.
func AllParams(m Model, D, H int) ([]Param, error) {
	if m.Params == nil || m.Build == nil {
		return nil, fmt.Errorf("cost: model %q has no Params or no Build function", m.Name)
	}
	ps, err := m.Params(D, H)
	if err != nil {
		return nil, err
	}
	return append(ps, Param{"readout.weight", []int{OutputSize, H}}, Param{"readout.bias", []int{OutputSize}}), nil
}

// Pass selects which passes a graph computes: the forward pass alone, or forward and backward.
// (CSV files keep the column name "mode" for it.)
type Pass string

// The passes.
const (
	Fwd    Pass = "fwd"    // the forward pass to the loss
	FwdBwd Pass = "fwdbwd" // the loss and its gradient with respect to every parameter (a train step without optimizer)
)

// ParsePass accepts "fwd" and "fwdbwd".
func ParsePass(s string) (Pass, error) {
	switch Pass(s) {
	case Fwd, FwdBwd:
		return Pass(s), nil
	}
	return "", fmt.Errorf("cost: unknown pass %q, want fwd or fwdbwd", s)
}

// Shape is the size of one measurement: batch B, sequence length T, input width D, hidden H.
type Shape struct{ B, T, D, H int }

// Validate says what is wrong with a shape.
func (s Shape) Validate() error {
	if s.B <= 0 || s.T <= 0 || s.D <= 0 || s.H <= 0 {
		return fmt.Errorf("cost: B, T, D, H must all be >= 1, got B=%d T=%d D=%d H=%d", s.B, s.T, s.D, s.H)
	}
	return nil
}

// Built is a graph built by BuildGraph, not yet compiled.
type Built struct {
	Graph  *Graph
	Params []Param
	// Inputs are the graph's parameters: the model's and readout's weights (Params order),
	// then x [B, T, D] and y [B, T, O].
	Inputs []*Node
	// Outputs: the loss (scalar), then, for FwdBwd, the gradient of each parameter.
	Outputs []*Node
	// FirstBackward is the id of the first node created by Gradient (FwdBwd), or -1 (Fwd).
	// Nodes with smaller ids belong to the forward pass.
	FirstBackward NodeId
}

// BuildGraph builds, on a new graph of backend b, the model with its readout and MSE loss on
// every step, loss = mean_{b,t} (pred_{b,t} - y_{b,t})^2, for float32 inputs of shape s; in
// FwdBwd mode also the gradient of the loss with respect to every parameter. Graph-building
// panics (GoMLX reports shape errors that way) come back as errors.
func BuildGraph(b compute.Backend, m Model, mode Pass, s Shape) (built *Built, err error) {
	return buildGraph(b, m, mode, s, dtypes.Float32)
}

func buildGraph(b compute.Backend, m Model, mode Pass, s Shape, dtype dtypes.DType) (built *Built, err error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if _, err := ParsePass(string(mode)); err != nil {
		return nil, err
	}
	ps, err := AllParams(m, s.D, s.H)
	if err != nil {
		return nil, err
	}
	g := NewGraph(b, fmt.Sprintf("cost_%s_%s_T%d_B%d", m.Name, mode, s.T, s.B))
	defer func() {
		if r := recover(); r != nil {
			built, err = nil, fmt.Errorf("cost: building %s (%s, %+v) failed: %v", m.Name, mode, s, r)
		}
	}()
	built = &Built{Graph: g, Params: ps, FirstBackward: -1}
	params := make([]*Node, len(ps))
	for i, p := range ps {
		params[i] = Parameter(g, p.Name, shapes.Make(dtype, p.Dims...))
	}
	x := Parameter(g, "x", shapes.Make(dtype, s.B, s.T, s.D))
	y := Parameter(g, "y", shapes.Make(dtype, s.B, s.T, OutputSize))
	built.Inputs = append(append([]*Node{}, params...), x, y)
	n := len(params) - 2
	feat := m.Build(params[:n], x) // [B, T, H]
	if got := feat.Shape(); got.Rank() != 3 || got.Dim(0) != s.B || got.Dim(1) != s.T || got.Dim(2) != s.H {
		return nil, fmt.Errorf("cost: model %s returned features of shape %s, want [%d, %d, %d]", m.Name, got, s.B, s.T, s.H)
	}
	pred := seq.Linear(feat, params[n], params[n+1]) // [B, T, O]
	loss := ReduceAllMean(Square(Sub(pred, y)))      // scalar
	built.Outputs = []*Node{loss}
	if mode == FwdBwd {
		built.FirstBackward = NodeId(len(g.Nodes()))
		built.Outputs = append(built.Outputs, Gradient(loss, params...)...)
	}
	return built, nil
}

// NewInputs returns host tensors for a Built graph's inputs: weights drawn from
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (fan_in = last dimension, H for biases), x and y from a
// standard normal. The same seed gives the same values. Values do not change the cost; they only
// keep it away from denormals and NaNs.
func NewInputs(built *Built, seed uint64) []*tensors.Tensor {
	rng := rand.New(rand.NewPCG(seed, 0xc057))
	out := make([]*tensors.Tensor, len(built.Inputs))
	nParams := len(built.Params)
	for i, in := range built.Inputs {
		sh := in.Shape()
		scale := 1.0
		normal := i >= nParams
		if !normal {
			fanIn := sh.Dim(-1)
			if sh.Rank() == 1 {
				fanIn = max(fanIn, 1)
			}
			scale = 1 / math.Sqrt(float64(fanIn))
		}
		t := tensors.FromShape(sh)
		t.MustMutableFlatData(func(flat any) {
			draw := func() float64 {
				if normal {
					return rng.NormFloat64()
				}
				return scale * (2*rng.Float64() - 1)
			}
			switch v := flat.(type) {
			case []float32:
				for j := range v {
					v[j] = float32(draw())
				}
			case []float64:
				for j := range v {
					v[j] = draw()
				}
			}
		})
		out[i] = t
	}
	return out
}
