// Package recurrent builds the classic recurrent cells — vanilla RNN (tanh or ReLU), LSTM and
// GRU — from their equations as GoMLX graphs, and runs them over sequences.
//
// The contract of a cell: take x_t and h_{t-1} (and c_{t-1} for the LSTM), return h_t (and c_t).
// Step is that contract for one step; Forward and RunLayer run it over a sequence. Each cell's
// equations are written once, in its own file (rnn.go, lstm.go, gru.go), with its gates named
// in PyTorch's order (LSTMInput, LSTMForget, LSTMCandidate, LSTMOutput; GRUReset, GRUUpdate,
// GRUNew; RNNGate); the other implementations of the same equations (package bptt's fast path
// and adjoints, package deer's cell and Jacobian) are checked against Step by one table-driven
// test, contract_test.go, one row per cell. The sequence utilities (SplitTime, StackTime,
// Linear, ...) live in package seq.
//
// A recurrent cell computes h_t = f(h_{t-1}, x_t). Each step needs the one before it, so inside
// one sequence the work is sequential in time: this is the bottleneck the course is about.
// The layers here make that split visible: the part that does not depend on h_{t-1} (the input
// projections x_t W_ih^T + b_ih, for every t at once, one large matmul) is computed up front,
// and the part that must be sequential is a plain Go loop that unrolls the graph step by step.
//
// The equations, gate order and the two bias vectors are exactly PyTorch's (torch.nn.RNN,
// torch.nn.LSTM, torch.nn.GRU), so that PyTorch weights give the same numbers:
//
//	RNN:  h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh),    act = tanh or relu
//
//	LSTM: i = σ(W_ii x + b_ii + W_hi h + b_hi)                  (gate order i, f, g, o)
//	      f = σ(W_if x + b_if + W_hf h + b_hf)
//	      g = tanh(W_ig x + b_ig + W_hg h + b_hg)
//	      o = σ(W_io x + b_io + W_ho h + b_ho)
//	      c_t = f ⊙ c_{t-1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)
//
//	GRU:  r = σ(W_ir x + b_ir + W_hr h + b_hr)                  (gate order r, z, n)
//	      z = σ(W_iz x + b_iz + W_hz h + b_hz)
//	      n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))          (reset applied after W_hn h + b_hn)
//	      h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}
//
// Weights use PyTorch's layout: weight_ih [G*H, D], weight_hh [G*H, H], bias_ih [G*H],
// bias_hh [G*H], with G = 1 (RNN), 4 (LSTM), 3 (GRU), and PyTorch's names (weight_ih_l0, ...).
// Fresh weights use PyTorch's default initialisation U(-1/sqrt(H), 1/sqrt(H)).
//
// # Linear-cost backward pass
//
// Slicing a tensor that needs a gradient at every time step makes reverse-mode autodiff cost
// O(T^2): each Slice's gradient is a zero-padded copy of the whole sequence, and T of them are
// summed. GoMLX's own ml/layers/lstm has this cost. Here every per-step slice goes through
// [SplitTime], whose custom gradient gathers the T per-step gradients with one Concatenate:
// the backward pass costs O(T), as the forward pass does. For long sequences the split is done
// in two levels (chunks of about sqrt(T) steps), which also keeps graph building close to linear
// on the Go backend (its node de-duplication is quadratic in the number of slices of one tensor).
//
// # Layers over GoMLX's model scope
//
// LSTMLayer, GRULayer, RNNLayer and ScopedLayer are the same cells in GoMLX's own style: called
// inside a graph built by a model.Exec (or by ml/train's Trainer), they read their weights from
// variables under a model.Scope, creating them on first use, and return nodes:
//
//	out, hn, cn := recurrent.LSTMLayer(scope.In("lstm"), x, 64, recurrent.WithLayers(2))
//
// Their contract is Forward's, which they call: x [B, T, D] -> out [B, T, H] (the top layer's
// h_t for every t), hn and cn [L, B, H] (cn nil without a cell state); the backward pass is the
// O(T) one above. The variables are PyTorch's parameters, named as in its state_dict
// (weight_ih_l0 [G*H, D], weight_hh_l0 [G*H, H], bias_ih_l0 [G*H], bias_hh_l0 [G*H], ... per
// layer) directly under the scope, and start as PyTorch's do, U(-1/sqrt(H), 1/sqrt(H)), drawn
// from the store's random generator (GoMLX's ParamInitialSeed makes them repeatable).
// SetScopeWeights and ScopeWeights move a Weights (from NewWeights, or a PyTorch .npz read by
// FromPyTorch from an npz.File) into and out of those variables; Weights.WritePyTorchFile
// writes the .npz.
//
// References:
//   - Elman, "Finding structure in time", Cognitive Science 14, 1990 (the simple RNN).
//   - Hochreiter & Schmidhuber, "Long short-term memory", Neural Computation 9(8), 1997;
//     Gers, Schmidhuber & Cummins, "Learning to forget", 2000 (the forget gate).
//   - Cho et al., "Learning phrase representations using RNN encoder-decoder for statistical
//     machine translation", EMNLP 2014 (the GRU).
//   - PyTorch documentation of torch.nn.RNN, torch.nn.LSTM and torch.nn.GRU (the exact forms).
package recurrent
