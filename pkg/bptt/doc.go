// Package bptt holds backpropagation through time (BPTT) written by hand: the explicit adjoint
// recursion, backward in time, for the vanilla RNNs, the LSTM and the GRU of package recurrent. It
// returns the same gradients as reverse-mode autodiff through the unrolled graph, and shows why
// BPTT is as sequential as the forward pass: the gradient at step t needs the one at step t+1.
//
// For a loss L = Σ_t ℓ_t(h_t), write δh_t = ∂L/∂h_t (total) and g_t = ∂ℓ_t/∂h_t (direct).
//
// Vanilla RNN, a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh, h_t = act(a_t):
//
//	δh_T = g_T (+ ∂L/∂h_T from the final state)
//	δa_t = δh_t ⊙ act'(a_t)          act' = 1 - h_t² (tanh), [h_t > 0] (relu)
//	δh_{t-1} = g_{t-1} + δa_t W_hh   ← the sequential recursion
//
// LSTM (gates i, f, g, o; c_t = f ⊙ c_{t-1} + i ⊙ g; h_t = o ⊙ tanh(c_t)):
//
//	δo = δh_t ⊙ tanh(c_t)
//	δc_t = δc_t(from t+1) + δh_t ⊙ o ⊙ (1 - tanh²(c_t))
//	δi = δc_t ⊙ g, δg = δc_t ⊙ i, δf = δc_t ⊙ c_{t-1}
//	δa_i = δi ⊙ i(1-i), δa_f = δf ⊙ f(1-f), δa_g = δg ⊙ (1-g²), δa_o = δo ⊙ o(1-o)
//	δc_{t-1} = δc_t ⊙ f,   δh_{t-1} = g_{t-1} + Σ_k δa_k W_hk
//
// GRU (PyTorch's: r = σ(a_ir + a_hr), z = σ(a_iz + a_hz), n = tanh(a_in + r ⊙ a_hn),
// h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}, with a_i = W_i x_t + b_i and a_h = W_h h_{t-1} + b_h):
//
//	δa_n = δh_t ⊙ (1 - z) ⊙ (1 - n²)            (= δa_in; δa_hn = δa_n ⊙ r)
//	δa_r = δa_n ⊙ a_hn ⊙ r(1-r),   δa_z = δh_t ⊙ (h_{t-1} - n) ⊙ z(1-z)
//	δh_{t-1} = g_{t-1} + δh_t ⊙ z + δa_r W_hr + δa_z W_hz + δa_hn W_hn
//
// (the n gate is why the GRU's b_hh gradient differs from its b_ih gradient: b_hn sits inside
// the reset product).
//
// Once every δa_t is known, the weight gradients need no recursion: they are sums over time,
// computed here as one matmul over the whole sequence each (the parallel part of the backward
// pass): ∂L/∂W_ih = Σ_t δa_tᵀ x_t, ∂L/∂W_hh = Σ_t δa_tᵀ h_{t-1}, ∂L/∂b = Σ_t δa_t, and
// ∂L/∂x_t = δa_t W_ih for all t at once.
//
// References: Werbos, "Backpropagation through time: what it does and how to do it",
// Proc. IEEE 78(10), 1990; Williams & Zipser, "Gradient-based learning algorithms for recurrent
// networks", 1995 (truncated BPTT); Graves, "Supervised sequence labelling with recurrent neural
// networks", 2012, ch. 4 (the LSTM equations above); Cho et al., "Learning phrase
// representations using RNN encoder-decoder for statistical machine translation", EMNLP 2014
// (the GRU).
package bptt
