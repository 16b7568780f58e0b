package recurrent

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers/lstm"
)

// GoMLX's own LSTM layer (ml/layers/lstm) follows ONNX's LSTM operator: its weights are
//
//	inputsW    [numDirections, 4, H, D]   gate blocks in the order i, o, f, c
//	recurrentW [numDirections, 4, H, H]   (c is PyTorch's g, the candidate)
//	biases     [numDirections, 8, H]      the 4 input biases (Wb), then the 4 recurrent ones (Rb)
//
// and its output is allHiddenStates [T, numDirections, B, H]. PyTorch's layout, the one used
// everywhere in this package, is weight_ih [4H, D], weight_hh [4H, H], bias_ih and bias_hh [4H]
// with the gate blocks in the order i, f, g, o. The equations are the same (ONNX's LSTM with
// the default activations σ, tanh, tanh, no peepholes, no clipping), so the same weights in the
// two layouts give the same function.

// onnxFromPyTorch lists, for GoMLX's gate blocks i, o, f, c, the PyTorch block each one is
// (PyTorch: i = 0, f = 1, g = 2, o = 3).
var onnxFromPyTorch = [4]int{0, 3, 1, 2}

// pyTorchFromONNX is the inverse permutation: for PyTorch's blocks i, f, g, o, GoMLX's block.
var pyTorchFromONNX = [4]int{0, 2, 3, 1}

// permuteGateBlocks splits m along axis 0 into 4 gate blocks and concatenates them in the order
// given by order (block k of the result is block order[k] of m).
func permuteGateBlocks(m *Node, order [4]int) *Node {
	blocks := Split(m, 0, 4)
	out := make([]*Node, 4)
	for k, src := range order {
		out[k] = blocks[src]
	}
	return Concatenate(out, 0)
}

// ToGoMLXLSTM maps one LSTM layer's weights from PyTorch's layout (weight_ih [4H, D],
// weight_hh [4H, H], bias_ih [4H], bias_hh [4H], gates i, f, g, o) to the layout of GoMLX's
// ml/layers/lstm for one direction (inputsW [1, 4, H, D], recurrentW [1, 4, H, H],
// biases [1, 8, H], gates i, o, f, c). It only moves values: FromGoMLXLSTM undoes it exactly.
// Shapes that do not fit an LSTM layer panic with a message, as graph-building errors do.
func ToGoMLXLSTM(wih, whh, bih, bhh *Node) (inputsW, recurrentW, biases *Node) {
	if wih.Rank() != 2 || whh.Rank() != 2 || bih.Rank() != 1 || bhh.Rank() != 1 ||
		whh.Shape().Dim(0) != 4*whh.Shape().Dim(1) || wih.Shape().Dim(0) != whh.Shape().Dim(0) ||
		bih.Shape().Dim(0) != whh.Shape().Dim(0) || bhh.Shape().Dim(0) != whh.Shape().Dim(0) {
		panic(fmt.Errorf("recurrent: ToGoMLXLSTM wants weight_ih [4H, D], weight_hh [4H, H], bias_ih and bias_hh [4H]; got %s, %s, %s, %s",
			wih.Shape(), whh.Shape(), bih.Shape(), bhh.Shape()))
	}
	H, D := whh.Shape().Dim(1), wih.Shape().Dim(1)
	inputsW = Reshape(permuteGateBlocks(wih, onnxFromPyTorch), 1, 4, H, D)    // [1, 4, H, D]
	recurrentW = Reshape(permuteGateBlocks(whh, onnxFromPyTorch), 1, 4, H, H) // [1, 4, H, H]
	biases = Reshape(Concatenate([]*Node{
		permuteGateBlocks(bih, onnxFromPyTorch), permuteGateBlocks(bhh, onnxFromPyTorch),
	}, 0), 1, 8, H) // [1, 8, H]
	return inputsW, recurrentW, biases
}

// FromGoMLXLSTM maps the weights of one direction of GoMLX's ml/layers/lstm (inputsW
// [1, 4, H, D], recurrentW [1, 4, H, H], biases [1, 8, H]) back to PyTorch's layout
// (weight_ih [4H, D], weight_hh [4H, H], bias_ih [4H], bias_hh [4H]): the inverse of
// ToGoMLXLSTM. Other shapes (two directions, a wrong H) panic with a message.
func FromGoMLXLSTM(inputsW, recurrentW, biases *Node) (wih, whh, bih, bhh *Node) {
	if inputsW.Rank() != 4 || recurrentW.Rank() != 4 || biases.Rank() != 3 ||
		inputsW.Shape().Dim(0) != 1 || inputsW.Shape().Dim(1) != 4 ||
		recurrentW.Shape().Dim(0) != 1 || recurrentW.Shape().Dim(1) != 4 ||
		biases.Shape().Dim(0) != 1 || biases.Shape().Dim(1) != 8 ||
		recurrentW.Shape().Dim(2) != recurrentW.Shape().Dim(3) ||
		inputsW.Shape().Dim(2) != recurrentW.Shape().Dim(2) || biases.Shape().Dim(2) != recurrentW.Shape().Dim(2) {
		panic(fmt.Errorf("recurrent: FromGoMLXLSTM wants one direction, inputsW [1, 4, H, D], recurrentW [1, 4, H, H], biases [1, 8, H]; got %s, %s, %s",
			inputsW.Shape(), recurrentW.Shape(), biases.Shape()))
	}
	H, D := recurrentW.Shape().Dim(2), inputsW.Shape().Dim(3)
	wih = permuteGateBlocks(Reshape(inputsW, 4*H, D), pyTorchFromONNX)    // [4H, D]
	whh = permuteGateBlocks(Reshape(recurrentW, 4*H, H), pyTorchFromONNX) // [4H, H]
	b := Split(Reshape(biases, 8*H), 0, 2)                                // Wb, Rb: [4H] each
	bih = permuteGateBlocks(b[0], pyTorchFromONNX)                        // [4H]
	bhh = permuteGateBlocks(b[1], pyTorchFromONNX)                        // [4H]
	return wih, whh, bih, bhh
}

// GoMLXLSTM runs GoMLX's own ml/layers/lstm on x [B, T, D] with one LSTM layer's weights in
// PyTorch's layout (params: weight_ih, weight_hh, bias_ih, bias_hh, as for Forward), mapped by
// ToGoMLXLSTM. h0 and c0 are [1, B, H] or nil for zeros. It returns what Forward returns for
// one layer: out [B, T, H], hn and cn [1, B, H].
//
// It computes the same function as Forward(LSTM, ...), but its backward pass costs O(T²): it
// slices the whole-sequence input projection [1, 4, B, T, H] once per gate and step, and
// GoMLX's gradient of each Slice is a zero-padded copy of the whole tensor, 4T of them summed.
// Forward's per-step slices go through SplitTime, whose gradient is O(T).
func GoMLXLSTM(params []*Node, x, h0, c0 *Node) (out, hn, cn *Node) {
	cfg, err := graphConfig(LSTM, params, x, h0, c0)
	if err != nil {
		panic(err)
	}
	if cfg.NumLayers != 1 {
		panic(fmt.Errorf("recurrent: GoMLXLSTM runs one layer, got the parameters of %d", cfg.NumLayers))
	}
	inputsW, recurrentW, biases := ToGoMLXLSTM(params[0], params[1], params[2], params[3])
	layer := lstm.NewWithWeights(x, inputsW, recurrentW, biases, nil)
	if h0 != nil || c0 != nil { // shapes checked by graphConfig: [1, B, H]
		if h0 == nil {
			h0 = ZerosLike(c0)
		}
		if c0 == nil {
			c0 = ZerosLike(h0)
		}
		layer.InitialStates(h0, c0)
	}
	all, hn, cn := layer.Done()            // all: [T, 1, B, H]
	out = Transpose(Squeeze(all, 1), 0, 1) // [T, B, H] -> [B, T, H]
	return out, hn, cn
}
