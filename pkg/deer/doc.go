// Package deer evaluates a nonlinear recurrence h_t = f(h_{t-1}, x_t) for all t at once, by
// Newton's method over the whole trajectory: DEER (Lim et al. 2024) and quasi-DEER (Gonzalez et
// al. 2024). Each Newton iteration is a fixed number of whole-sequence operations plus one
// parallel scan, so its critical path grows like log T, not like T; the price is that several
// iterations are needed, each doing more work than the sequential loop.
//
// # Newton's method on a trajectory
//
// Stack the T states into one unknown h = (h_0, …, h_{T-1}) and ask for the zero of the
// residual F_t(h) = h_t - f(h_{t-1}, x_t) (h_{-1} = h0, given). From a guess h^(k), linearise f
// around the guess's previous states:
//
//	f(h_{t-1}, x_t) ≈ f_t + J_t (h_{t-1} - h^(k)_{t-1}),
//	f_t = f(h^(k)_{t-1}, x_t),   J_t = ∂f/∂h (h^(k)_{t-1}, x_t)        [H, H]
//
// The linearised system is the LINEAR recurrence
//
//	h_t = J_t h_{t-1} + c_t,   c_t = f_t - J_t h^(k)_{t-1},
//
// or, for the correction δ_t = h^(k+1)_t - h^(k)_t (δ_{-1} = 0, because h0 is fixed),
//
//	δ_t = J_t δ_{t-1} + r_t,   r_t = f_t - h^(k)_t  (minus the residual),
//
// which is the form computed here: the right-hand side is the residual itself and the new guess
// is h^(k+1) = h^(k) + δ. A linear recurrence is a prefix scan under the associative combine of
// affine maps,
//
//	(A1, b1) ∘ (A2, b2) = (A2 A1, A2 b1 + b2),   identity (I, 0),
//
// so all T corrections come from one parallel scan (package scan explains why this is a scan).
//
// Two facts make the iteration safe to use as an exact solver:
//
//   - Newton converges quadratically once the guess is close (the error squares each iteration).
//   - Whatever the start, iteration k reproduces the first k states exactly: if h^(k)_{0..t-1}
//     are exact, then δ_{t-1} = 0 and h^(k+1)_t = f_t, the true state. So at most T iterations
//     reach the solution, plus one to see that the update vanished. This holds for ANY
//     approximation of J_t, in particular for the diagonal one below (Gonzalez et al. 2024).
//
// # Full DEER and quasi-DEER
//
// Full DEER ([Full]) uses the whole Jacobian and a matrix scan ([MatrixScan]): work O(T H³) per
// iteration (T - 1 batched H x H matmuls), memory O(T H²). It is for small H only: measured with
// [IterationCost] at T = 256, one iteration costs 5.9x / 27x / 58x the flops of the whole
// sequential loop (tanh RNN, H = 8 / 32 / 64; GRU 3.1x / 10x / 21x), and several iterations
// are needed.
//
// Quasi-DEER ([Quasi]) keeps only diag(J_t): the linear recurrence becomes elementwise,
// δ_t = d_t ⊙ δ_{t-1} + r_t, solved by the scans of package scan (O(T H) work beyond evaluating
// f). The diagonal is no longer Newton's step, so convergence is linear instead of quadratic and
// takes more iterations, but the fixed point is the same exact trajectory, and the T-iteration
// bound above still holds. One iteration costs 1.07x-1.3x the loop's flops (H = 64 to 8).
//
// How many iterations either needs depends on the dynamics. For a contractive recurrence
// (‖J_t‖ < 1) errors made early are forgotten and a handful of iterations suffice, whatever T.
// For a chaotic one (W_hh = 3 x orthogonal for the tanh RNN) the products J_t ⋯ J_s grow
// exponentially: an error at step s is amplified along the sequence, the linearisation is
// only trusted near the already-exact prefix, and the number of iterations approaches the T
// bound — no faster than the loop, in iterations of O(log T) depth each. [ErrorByIteration]
// measures this. Measured (tanh RNN, H = 8, float64, T = 16 / 64 / 300, the course build):
//
//	W_hh = 0.5 x orthogonal   DEER 5 / 5 / 5 iterations       quasi-DEER 17 / 29 / 30
//	W_hh = 3 x orthogonal     DEER 15 / 51 / 237              quasi-DEER 17 / 65 / 302 (T+2)
//	  with Config.Clip        DEER 12 / 37 / 200              quasi-DEER 17 / 65 / 302
//
// Chaos also limits what "the true trajectory" means in floating point. Each step's rounding
// error is amplified like any other error, so two evaluations that round differently — the
// loop and DEER, or the same loop with another matmul kernel — agree at step t only to about
// u κ_t (u = 2⁻⁵³, κ_t the sum of the Jacobian products' norms, [Conditioning]). In the
// chaotic case above κ_t is 6e5 at t = 40 and 2e24 at t = 299: by step 200 DEER's
// trajectory and the loop's differ by O(1) although both satisfy the recurrence to 1e-15. The
// T + 1 bound is likewise one of exact arithmetic; the default MaxIter is T + 2.
//
// In the chaotic case the first iterates overshoot: the error of h^(1) reaches 1e131 at T = 300
// (the linearisation around h = 0 has J_t = diag(1 - f_t²) W_hh, gain up to 3 per step), which
// overflows float32 and trips the divergence test. Config.Clip projects every iterate onto the box that holds the
// true trajectory (|h| <= max(1, max|h0|) for the tanh RNN and the GRU): the exact prefix is
// untouched, so the T-iteration bound still holds, and the overshoot is gone.
//
// # The cells and their Jacobians
//
// The cells are those of package recurrent, single layer, PyTorch layout and equations:
// weight_ih [G*H, D], weight_hh [G*H, H], bias_ih [G*H], bias_hh [G*H]. f is computed for every
// t at once from the shifted guess h_prev = (h0, h^(k)_0, …, h^(k)_{T-2}), [B, T, H], with
// whole-tensor ops ([Cell]). The Jacobians are analytic ([Jacobian], [DiagJacobian]) and
// checked against autodiff in the tests. With W_hk the block k of weight_hh, hp_k = W_hk h + b_hk
// and ⊙ the elementwise product:
//
//	tanh RNN:  f = tanh(a),  a = W_ih x + b_ih + W_hh h + b_hh
//	           J = diag(1 - f²) W_hh                       J_ij = (1 - f_i²) W_hh,ij
//	ReLU RNN:  f = max(a, 0),  J = diag(1[a > 0]) W_hh
//
//	GRU:       r = σ(W_ir x + b_ir + hp_r),  z = σ(W_iz x + b_iz + hp_z)
//	           n = tanh(W_in x + b_in + r ⊙ hp_n),   f = (1 - z) ⊙ n + z ⊙ h
//
// For the GRU, by the product rule on f_i = (1 - z_i) n_i + z_i h_i, with σ' = σ(1 - σ):
//
//	∂f_i/∂h_j = (h_i - n_i) ∂z_i/∂h_j + (1 - z_i) ∂n_i/∂h_j + z_i δ_ij
//	∂z_i/∂h_j = z_i (1 - z_i) W_hz,ij
//	∂n_i/∂h_j = (1 - n_i²) ( hp_n,i ∂r_i/∂h_j + r_i W_hn,ij ),   ∂r_i/∂h_j = r_i (1 - r_i) W_hr,ij
//
// so that J is a diagonal plus three row-scaled copies of the recurrent blocks:
//
//	J = diag(z) + diag(u_r) W_hr + diag(u_z) W_hz + diag(u_n) W_hn
//	u_r = (1 - z)(1 - n²) r (1 - r) hp_n,   u_z = (h - n) z (1 - z),   u_n = (1 - z)(1 - n²) r
//
// and diag(J)_i = z_i + u_r,i W_hr,ii + u_z,i W_hz,ii + u_n,i W_hn,ii — O(H) per step, without
// forming J. (The LSTM's state is the pair (h, c); it is not supported here.)
//
// # Driver
//
// [Solver] (NewSolver takes the layer as a modelspec.Spec, the course's one model interface: a
// recurrent.Config of a supported kind) runs the iterations in a Go loop, each one call of a compiled graph (compiled once
// per input shape) that returns the new guess, the size of the update max |h^(k+1) - h^(k)| and
// the residual max_t |h_t - f(h_{t-1}, x_t)| of the old guess (a by-product: r_t above); a
// second graph gives the returned trajectory's residual. It stops when the update is below
// Options.Tol, and returns a [*NotConvergedError] — never a trajectory — when MaxIter is reached,
// when a value is NaN or Inf, or when the residual grows by more than Options.DivergenceFactor
// (1e6) over the initial guess's. [Step] builds one iteration as a pure graph, (params, x, h0,
// guess) -> new guess, for the graph walk (package graphwalk, cost.Walk) to measure
// ([IterationCost], [SequentialCost]): with L = ceil(log2 T) its depth is 4L + 6 (tanh RNN) or
// 4L + 15 (GRU) — each scan level is a matmul and an add up and down — against 3T + 1 and
// 8T + 1 for the loop (46 vs 3073 for the tanh RNN at T = 1024).
//
// References:
//   - Lim, Zhu, Selfridge & Kasim, "Parallelizing non-linear sequential models over the sequence
//     length", ICLR 2024 (DEER).
//   - Gonzalez, Warrington, Smith & Linderman, "Towards scalable and stable parallelization of
//     nonlinear RNNs", NeurIPS 2024 (quasi-DEER, the T-iteration bound; their damped variant,
//     ELK, is not implemented here).
//   - Blelloch, "Prefix sums and their applications", CMU-CS-90-190, 1990 (the scan).
package deer
