// Package mingru builds minGRU and minLSTM (Feng et al. 2024) as GoMLX graphs: recurrent cells
// whose gates read only the input x_t, never h_{t-1}, so that the state update is a linear
// recurrence h_t = a_t ⊙ h_{t-1} + b_t with a_t, b_t known for all t in advance. That is what
// lets them run as a parallel scan (package scan) instead of a loop: the sequential bottleneck
// of the classic RNN, GRU and LSTM (package recurrent), whose gates read h_{t-1}, is gone.
//
//	minGRU:  z_t = σ(W_z x_t + b_z)             update gate
//	         h̃_t = W_h x_t + b_h                candidate (no tanh, no reset gate)
//	         h_t = (1 - z_t) ⊙ h_{t-1} + z_t ⊙ h̃_t        a_t = 1 - z_t,  b_t = z_t ⊙ h̃_t
//
//	minLSTM: f_t = σ(W_f x_t + b_f),  i_t = σ(W_i x_t + b_i)
//	         f'_t = f_t / (f_t + i_t),  i'_t = i_t / (f_t + i_t)   (normalised: f' + i' = 1)
//	         h̃_t = W_h x_t + b_h
//	         h_t = f'_t ⊙ h_{t-1} + i'_t ⊙ h̃_t              a_t = f'_t,  b_t = i'_t ⊙ h̃_t
//
// Every projection is one matmul over the whole sequence (the parallel part); only the
// recurrence remains, and Mode chooses how it runs: the loop (Sequential) or one of the scans
// (Blelloch, Chunked, HillisSteele), all giving the same numbers, or LogSpace below.
//
// # Log space
//
// Heinsen (2023) computes the same recurrence for positive a_t, b_t in log space, with two
// cumulative reductions over time:
//
//	a*_t = Σ_{s≤t} log a_s,   log h_t = a*_t + log( h0 + Σ_{s≤t} exp(log b_s - a*_s) )
//
// i.e. a prefix sum and a log-cumsum-exp, which are scans with the associative operators + and
// logaddexp (scan.PrefixSum, scan.LogCumSumExp; GoMLX's CumSum is O(T²) on the Go backend and
// is not used). The paper's log-space parametrisation (its appendix) keeps b_t > 0 by passing the
// candidate through g(x) = x + 0.5 for x ≥ 0, σ(x) for x < 0 (continuous, positive, linear for
// large x), and computes the logs of the gates without forming them:
//
//	minGRU:  log a_t = -softplus(k_t),  log z_t = -softplus(-k_t),   k_t = W_z x_t + b_z
//	minLSTM: d_t = softplus(-k^f_t) - softplus(-k^i_t),  log f'_t = -softplus(d_t),
//	         log i'_t = -softplus(-d_t)
//	         log b_t = log z_t (or log i'_t) + log g(W_h x_t + b_h)
//
// Set Config.PositiveCandidate to use g in every form (LogSpace requires it), so that the
// log-space result can be compared with the others. In the LogSpace form h0 must be > 0 (its log is
// taken); the states a positive-candidate model produces always are. Its error relative to the
// other forms grows like ε·|a*_t| (log h_t is the sum of two large terms of opposite sign):
// measured up to 7e-15 in float64 and 4e-6 in float32 at T=200 (the scans: 2e-16 and 1e-7).
//
// Weights follow the paper's PyTorch code: nn.Linear layers linear_z, linear_h (minGRU) or
// linear_f, linear_i, linear_h (minLSTM), each weight [H, D] and bias [H], initialised like
// nn.Linear, U(-1/sqrt(D), 1/sqrt(D)).
//
// # Layers over GoMLX's model scope
//
// MinGRULayer, MinLSTMLayer and ScopedLayer are the same layer in GoMLX's own style: called inside
// a graph built by a model.Exec (or ml/train's Trainer), they read the weights from variables
// under a model.Scope, creating them on first use, and return nodes; WithForm chooses the scan:
//
//	out, hn := mingru.MinGRULayer(scope.In("mingru"), x, 64, mingru.WithForm(mingru.Chunked))
//
// The contract is Forward's: x [B, T, D] -> out [B, T, H], plus hn = h_T [B, H]. The variables
// are the paper's PyTorch parameters, named as in its state_dict with each '.' a sub-scope
// (linear_z/weight [H, D], linear_z/bias [H], linear_h/..., or linear_f, linear_i, linear_h for
// minLSTM), and start as nn.Linear's do, U(-1/sqrt(D), 1/sqrt(D)), drawn from the store's random
// generator. SetScopeWeights and ScopeWeights move a Weights into and out of them.
//
// References:
//   - Feng, Tung, Ahmed, Bengio & Hajimirsadeghi, "Were RNNs all we needed?", arXiv:2410.01201,
//     2024 (minGRU, minLSTM, their log-space forms and g).
//   - Heinsen, "Efficient parallelization of a ubiquitous sequential computation",
//     arXiv:2311.06281, 2023 (the log-space scan).
//   - Martin & Cundy, "Parallelizing linear recurrent neural nets over sequence length",
//     ICLR 2018.
package mingru
