// Package cost measures the sequential-versus-parallel cost of sequence models: recurrent cells,
// whose dependency chain grows with the sequence length T, against causal self-attention and a
// causal dilated convolution, whose chains do not.
//
// It gives three kinds of numbers, each documented where it is computed:
//
//  1. Exact, machine-independent counts from the GoMLX graph (Walk): the number of nodes, the
//     critical-path depth S (the span; D is the input width below), the floating-point work W
//     and the bytes moved by data-movement ops, and (ActivationBytes) the bytes of forward
//     activations that the backward pass reads.
//
//  2. Wall-clock times (Measure, Sweep): graph build and backend compilation timed apart from
//     execution, warm-up runs, then repeats summarised by median, min and max, for the forward
//     pass ("fwd") and for a train-like step ("fwdbwd": loss and its gradient with respect to
//     every parameter, no optimizer), collected in a Table that round-trips through CSV.
//
//  3. A work-depth model (WorkDepthModel) that predicts time from W and S with Brent's bound
//     (below). A CPU model is fitted to measured times by least squares (FitCPUModel); a GPU
//     model (GPUModelH200) uses stated constants from the vendor's data sheet and is a model,
//     not a measurement.
//
// Brent's bound for unit-time operations on P processors, and what WorkDepthModel.Predict computes
// with F flop/s per processor and a latency L per level of the dependency graph (on a GPU,
// roughly one kernel launch):
//
//	T_P ≤ W/P + S
//	t(W, S) ≈ W / (P·F) + S·L
//
// # Models at equal width
//
// Every model maps x [B, T, D] to features [B, T, H]; the package adds the same readout
// (pred = features·W_o^T + b_o, O = 1 output) and an MSE loss on every step, so that forward and
// forward+backward graphs are built the same way for all of them (BuildGraph):
//
//	rnn, lstm, gru   the cells of package recurrent (recurrent.Forward), one layer, h_0 = 0.
//	                 Depth per step (arithmetic ops on the h_{t-1} → h_t chain):
//	                 rnn: DotGeneral → Add → Tanh = 3; lstm: 7; gru: 8. Exact depths
//	                 (TestDepthRecurrent): fwd rnn 3T+7, lstm 7T+7, gru 8T+7;
//	                 fwdbwd rnn 6T+6, lstm 14T+8, gru 14T+8.
//	attention        causal self-attention, one head: Q, K, V = x W^T + b;
//	attention4       A = softmax(Q K^T / sqrt(d) + M) V with M_ij = 0 for j ≤ i, -1e9 above;
//	                 out = A W_o^T + b_o. Four heads split H into 4 blocks of d = H/4.
//	                 Work O(B·T²·H), depth independent of T: 19 fwd, 29 fwdbwd with
//	                 decomposed ops; 15 and 25 where the backend fuses the softmax (the Go
//	                 backend does; GOMLX_FUSION=false turns fusion off).
//	conv             a stack of causal dilated convolutions (kernel k, dilations 1, 2, 4, ...,
//	                 as many layers as needed for a stated receptive field R = 1 + (k-1)(2^L - 1)):
//	                 each layer shifts its input right by 0, d, 2d, ... steps (a zero block
//	                 concatenated before a slice: GoMLX's Pad has no gradient), concatenates the
//	                 k copies on the feature axis and applies one matmul and tanh,
//	                 h'_t = tanh(b + Σ_j W_j h_{t - j·2^l}). Written as shifts + concat + matmul
//	                 because GoMLX's Convolve has no gradient with asymmetric padding and ConvGeneral
//	                 is ~10x slower on the Go backend (docs/notes/gomlx.md). Work O(B·T·H²·k·L),
//	                 depth independent of T.
//
// A new model is a Model value (Name, Params, Build); nothing else in the package needs to
// change. A layer that is a modelspec.Spec (the course's one model interface) becomes a Model
// with FromSpec, which takes its names, shapes and forward pass from the Spec: Recurrent is
// built so. MinGRU (scanmodels.go) takes its names and shapes from mingru's Spec and evaluates
// its linear recurrence by a form of package scan (the naive loop among them, which is this
// package's alone).
//
// # Counting rules of the graph walk
//
// The walk starts from the output nodes and follows Node.Inputs(), so nodes that nothing reads
// are excluded — in particular the zero-padded Pads that autodiff builds for recurrent.SplitTime
// and that its custom gradient leaves unused (the backend drops them too). Counts are over
// GoMLX graph nodes, before the backend's own de-duplication (CSE) and fusion.
//
//	free        Parameter, Constant, Iota, Reshape, Identity, Bitcast, barriers, SplitNode:
//	            0 flops, 0 bytes moved, depth 0 (views, leaves and bookkeeping).
//	data move   Slice, Concatenate, Pad, Transpose, Reverse, BroadcastInDim, Gather,
//	            DynamicSlice, DynamicUpdateSlice: 0 flops; their output bytes are BytesMoved;
//	            arithmetic depth 0, kernel depth 1.
//	elementwise 1 flop per output element (Add, Mul, Tanh, Logistic, Exp, Where, compares, ...).
//	            Special functions (Exp, Log, Tanh, Logistic, Erf, Sin, Cos, Pow, Sqrt, Rsqrt, ...)
//	            are also counted in Transcendentals, so a caller can weight them; Flops does not.
//	reductions  1 flop per operand element (ReduceSum, ReduceMax, ArgMinMax, ...).
//	DotGeneral  2 × (product of batch, free and contracted dimensions) = 2 × |out| × K.
//	FusedSoftmax 5 flops per element (max, subtract, exp, sum, divide), 1 transcendental: the
//	            same as the decomposed softmax, at depth 1 instead of 5. (Its gradient goes
//	            through the decomposed ops, which GoMLX builds too, so fwdbwd graphs hold both.)
//	anything else 1 flop per output element, and its type is listed in Stats.Unmodeled.
//
// Depth is the longest dependency chain from any leaf to any output, counting each node with
// the weight above: Depth counts arithmetic nodes only (elementwise, reductions, DotGeneral, ...);
// KernelDepth also counts data-movement nodes, i.e. it is the number of dependent kernel launches
// when nothing is fused. A reduction counts 1 although a PRAM would need log n levels: a level here
// is one operation of the backend, which is what a per-level latency L is paid for.
//
// References:
//   - R. P. Brent, "The parallel evaluation of general arithmetic expressions", JACM 21(2), 1974
//     (the work-depth bound T_P ≤ W/P + S).
//   - G. E. Blelloch, "Programming parallel algorithms", CACM 39(3), 1996 (work and depth as the
//     cost model of parallel algorithms).
//   - A. Vaswani et al., "Attention is all you need", NeurIPS 2017 (scaled dot-product attention,
//     causal mask, multiple heads).
//   - A. van den Oord et al., "WaveNet: a generative model for raw audio", arXiv:1609.03499, 2016
//     (stacks of causal convolutions with dilations 1, 2, 4, ...); S. Bai, J. Z. Kolter, V. Koltun,
//     "An empirical evaluation of generic convolutional and recurrent networks for sequence
//     modeling", arXiv:1803.01271, 2018 (TCN versus RNN at equal size).
//   - J. Bradbury, S. Merity, C. Xiong, R. Socher, "Quasi-recurrent neural networks", ICLR 2017,
//     and L. Feng et al., "Were RNNs all we needed?", arXiv:2410.01201, 2024 (minGRU: recurrences
//     whose gates do not read h_{t-1}, computable by a parallel scan).
//   - NVIDIA H200 Tensor Core GPU data sheet, 2024 (FP32: 67 TFLOP/s; used by GPUModelH200).
package cost
