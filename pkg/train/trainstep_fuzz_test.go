package train

import (
	"errors"
	"math"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/mingru"
	"github.com/rnn-course/bottleneck/pkg/scan"
	"github.com/stretchr/testify/require"
)

// FuzzTrainStep fuzzes the public training API with configurations and batches: any sizes
// (huge and negative included), any hyperparameters, and batches poisoned with NaN, ±Inf, huge
// values or token ids outside the vocabulary. See checkTrainStep for the property. Run it with
//
//	go test ./pkg/train -run='^$' -fuzz=FuzzTrainStep -fuzztime=60s
func FuzzTrainStep(f *testing.F) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, in := range []stepInput{
		{Kind: 3, DType: uint8(dtypes.Float32), B: 2, T: 5, D: 1, H: 4, L: 1, O: 1, LR: 0.01},                           // gru, mse, adam
		{Kind: 2, DType: uint8(dtypes.Float64), B: 3, T: 6, D: 2, H: 3, L: 2, O: 1, Loss: 1, Opt: 1, LR: 0.1, TBPTT: 2}, // lstm, mse_last, sgd, TBPTT
		{Kind: 0, DType: uint8(dtypes.Float32), B: 2, T: 4, D: 5, H: 4, L: 1, O: 5, Loss: 2, LR: 0.01, Shift: 5},        // xent, ids out of range
		{Kind: 1, DType: uint8(dtypes.Float32), B: 2, T: 4, D: 1, H: 4, L: 1, O: 1, Opt: 1, LR: 3e38, Scale: 100},       // diverging lr
		{Kind: 0, DType: uint8(dtypes.Float32), B: 2, T: 4, D: 1, H: 4, L: 1, O: 1, LR: 0.01, Poison: 1, Value: nan},    // NaN in x
		{Kind: 4, DType: uint8(dtypes.Float32), B: 2, T: 4, D: 1, H: 4, L: 1, O: 1, LR: 0.01, Poison: 3, Value: nan},    // NaN weight, mingru
		{Kind: 5, DType: uint8(dtypes.Float64), B: 2, T: 4, D: 1, H: 2, L: 1, O: 1, LR: 0.01, Poison: 2, Value: -inf},   // -Inf in y, minlstm
		{Kind: 2, DType: uint8(dtypes.Float32), B: 1, T: 3, D: 1, H: 2, L: 1, O: 1, LR: 0.01, Poison: 4, Value: 1e300},  // huge h0 value
		{Kind: 0, DType: uint8(dtypes.Float32), B: 1, T: 1, D: 1, H: 1, L: 1_000_000, O: 1, LR: 0.01},                   // a million layers
		{Kind: 3, DType: uint8(dtypes.Float32), B: 1 << 40, T: 1 << 40, D: 1, H: 4, L: 1, O: 1, LR: 0.01},               // huge batch
		{Kind: 3, DType: uint8(dtypes.Float32), B: -1, T: -2, D: -3, H: -4, L: -5, O: -6, LR: -1},                       // negative sizes
		{Kind: 3, DType: uint8(dtypes.Float32), B: 2, T: 3, D: 1, H: 4, L: 1, O: 1, LR: 1e39},                           // lr not finite in float32
	} {
		f.Add(in.Kind, in.DType, in.B, in.T, in.D, in.H, in.L, in.O, in.Loss, in.Opt, in.Form, in.LR, in.TBPTT,
			in.Poison, in.Value, in.Shift, in.Scale)
	}
	b := testBackend(f)
	f.Fuzz(func(t *testing.T, kind, dtype uint8, B, T, D, H, L, O int, loss, opt, form uint8, lr float64, tbptt int,
		poison uint8, value float64, shift int32, scale float64) {
		checkTrainStep(t, b, stepInput{kind, dtype, B, T, D, H, L, O, loss, opt, form, lr, tbptt, poison, value, shift, scale})
	})
}

// stepInput is one input of FuzzTrainStep.
type stepInput struct {
	Kind, DType      uint8
	B, T, D, H, L, O int
	Loss, Opt, Form  uint8
	LR               float64
	TBPTT            int
	Poison           uint8   // where Value goes: 0 nowhere, 1 x, 2 y, 3 a weight, 4 h0 (Forward)
	Value            float64 // NaN, ±Inf, a huge or an ordinary number
	Shift            int32   // added to every token id (xent): ids outside [0, V) when not 0 mod V
	Scale            float64 // multiplies the float targets (large errors, large gradients)
}

func (in stepInput) configs() (ModelConfig, Config) {
	kinds := append(CellKinds, "rnn") // and one that does not exist
	losses := []LossKind{MSE, MSELast, CrossEntropy, "hinge"}
	opts := []OptimizerKind{Adam, SGD, "rmsprop"}
	mc := ModelConfig{Kind: kinds[int(in.Kind)%len(kinds)], InputSize: in.D, HiddenSize: in.H, NumLayers: in.L,
		DType: dtypes.DType(in.DType), OutputSize: in.O, Loss: losses[int(in.Loss)%len(losses)]}
	if mc.Kind.Parallel() {
		forms := append([]scan.Form{""}, mingru.Forms...)
		mc.Scan = forms[int(in.Form)%len(forms)]
	}
	return mc, Config{Optimizer: opts[int(in.Opt)%len(opts)], LearningRate: in.LR, TBPTT: in.TBPTT, ClipNorm: 0}
}

// fuzzStepSizes bounds what FuzzTrainStep runs (each new configuration compiles a graph); larger
// valid inputs are only validated.
const (
	fuzzMaxB, fuzzMaxT, fuzzMaxWidth = 4, 8, 8
)

// checkTrainStep is the property of FuzzTrainStep. Nothing panics. Validation refuses what the
// model cannot take, with a message, before allocating: sizes beyond Limits, hyperparameters
// that are not finite in the model's dtype. For what it accepts, one Step either trains (finite
// loss, finite parameters) or fails; a failure is a *NonFiniteError (parameters as before, and
// finite unless a weight was poisoned) or a clear refusal of the batch (parameters untouched).
// Evaluate and Forward return finite results or an error; a checkpoint can be laid out exactly
// when the parameters are finite.
func checkTrainStep(t *testing.T, b compute.Backend, in stepInput) {
	mc, cfg := in.configs()
	if err := cfg.Validate(mc); err != nil {
		require.NotEmpty(t, err.Error())
		return
	}
	if in.B < 1 || in.T < 1 {
		return // not a batch: checkBatch refuses an empty one (TestBadInputs), a negative one cannot be built
	}
	// Huge batches are refused by the budget, before anything is allocated.
	if err := mc.checkWork(in.B, in.T); err != nil {
		require.ErrorContains(t, err, "train.Limits.")
		return
	}
	if in.B > fuzzMaxB || in.T > fuzzMaxT || mc.InputSize > fuzzMaxWidth || mc.OutputSize > fuzzMaxWidth ||
		mc.HiddenSize > fuzzMaxWidth || mc.NumLayers > 2 {
		return
	}
	m, err := NewModel(mc, 1)
	require.NoError(t, err)
	tr, err := New(b, m, cfg)
	require.NoError(t, err)
	x, y := fuzzBatch(mc, in.B, in.T)
	if in.Scale != 0 && mc.Loss != CrossEntropy {
		for i, v := range flat64(y) {
			setElem(y, i, v*in.Scale)
		}
	}
	var h0 *tensors.Tensor
	switch in.Poison % 5 {
	case 1:
		poisonAt(x, in.Value)
	case 2:
		poisonAt(y, in.Value)
	case 3:
		setElem(m.Params()[0], 0, in.Value)
	case 4:
		h0, _ = tr.zeroStates(in.B)
		setElem(h0, 0, in.Value)
	}
	if mc.Loss == CrossEntropy && in.Shift != 0 {
		shiftIDs(x, in.Shift)
	}
	stored := in.Value // as the model's dtype holds it: 1e300 is +Inf in float32
	if mc.DType == dtypes.Float32 {
		stored = float64(float32(stored))
	}
	weightPoisoned := in.Poison%5 == 3 && (math.IsNaN(stored) || math.IsInf(stored, 0))
	before := paramBits(m)

	st, err := tr.Step(x, y)
	var nf *NonFiniteError
	switch {
	case err == nil:
		require.False(t, math.IsNaN(st.Loss) || math.IsInf(st.Loss, 0), "loss %v with no error", st.Loss)
		require.True(t, allFinite(m), "non-finite parameters with no error")
		require.Equal(t, st.Updates, tr.Steps())
	case errors.As(err, &nf):
		require.NotEmpty(t, nf.What)
		if cfg.TBPTT == 0 || cfg.TBPTT >= in.T {
			require.Equal(t, before, paramBits(m), "a refused step changed the parameters: %v", err)
		}
		require.Equal(t, !weightPoisoned, allFinite(m), "%v", err)
	default:
		// The sizes passed checkWork above: the one refusal left is a token id outside [0, V).
		require.ErrorContains(t, err, "outside the vocabulary")
		require.Equal(t, before, paramBits(m), "a refused batch changed the parameters: %v", err)
		require.Zero(t, tr.Steps())
	}

	_, err = tr.checkpointArrays(tr.Steps(), &History{})
	require.Equal(t, allFinite(m), err == nil, "a checkpoint must be laid out exactly when the parameters are finite: %v", err)

	if loss, err := tr.Evaluate(x, y); err == nil {
		require.False(t, math.IsNaN(loss) || math.IsInf(loss, 0), "Evaluate gave %v with no error", loss)
	}
	if pred, hn, cn, err := tr.Forward(x, h0, nil); err == nil {
		for _, r := range []*tensors.Tensor{pred, hn, cn} {
			require.Nil(t, nonFiniteIn("result", r), "Forward gave non-finite results with no error")
		}
	}
}

// poisonAt sets the middle element of a float tensor to v (ids are left alone).
func poisonAt(x *tensors.Tensor, v float64) {
	if x.DType().IsFloat() {
		setElem(x, x.Size()/2, v)
	}
}

// shiftIDs adds s to every token id of x (int32).
func shiftIDs(x *tensors.Tensor, s int32) {
	x.MustMutableFlatData(func(flat any) {
		for i := range flat.([]int32) {
			flat.([]int32)[i] += s
		}
	})
}
