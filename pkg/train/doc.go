// Package train trains the recurrent models of package recurrent and the parallel-in-time
// minGRU/minLSTM of package mingru with backpropagation through time: full BPTT by autodiff
// through the unrolled graph, truncated BPTT (TBPTT, chunks of k steps with the state carried
// across chunks without gradient), or the hand-written adjoint recursion of package bptt;
// global-norm gradient clipping; SGD (with momentum) and Adam.
//
// ModelConfig.Kind names the cell (rnn_tanh, rnn_relu, lstm, gru, mingru, minlstm) and, for the
// parallel-in-time cells, ModelConfig.Scan says how their linear recurrence runs. Both families
// reach the trainer through the course's one model interface, Layer = modelspec.Spec (parameter
// names and shapes, fresh parameters, state shapes, the forward pass), which recurrent.Config
// and mingru.Layer implement and packages cost and deer take too. A Predictor runs a model forward (evaluation, sampling) without an
// optimizer; a Trainer adds the train step, the loop, checkpoints and resume.
//
// A model is a stack of recurrent layers and a linear readout applied at every step (or at the
// last step only). Three losses cover the course's tasks:
//
//	mse       y [B, T, O]: next-value prediction (the noisy sine)
//	mse_last  y [B, O]:    a prediction after the whole sequence (the adding problem)
//	xent      x [B, T] token ids (one-hot inside), y [B, T] next ids: character language model
//
// Parameters and optimizer state live on the host as tensors and are inputs and outputs of one
// compiled train-step graph, so a step is a pure function of (parameters, optimizer state,
// batch): runs are deterministic for a seed, and checkpoints hold everything needed to resume.
//
// Nothing non-finite is hidden. The pure-Go backend's kernels squash NaN (tanh(NaN) = -1,
// logistic(NaN) = 1), so a NaN in a weight or an input need not reach the loss; every graph of
// this package therefore also counts the NaN and ±Inf values of what it read and computed
// (parameters, loss, gradients, updated parameters and optimizer state, final states), and the
// batch and initial states are checked on the host. Training stops with a *NonFiniteError that
// names the step and the value; the update that produced it is not applied, so the parameters
// never become non-finite and nothing learned before is lost. Predictor.Forward and Evaluate
// return one instead of NaN results; SaveModel and checkpoints never write non-finite values.
//
// Bad input gets an error that says what was wrong and what was expected, before anything runs:
// nil or misshapen batches, token ids outside the vocabulary, states that do not fit,
// hyperparameters that are not finite in the model's dtype. Sizes are held to a stated budget,
// Limits (parameters, graph nodes, activation bytes), which a program may raise. A checkpoint
// directory holding another configuration's checkpoints, a format this code does not read, or a
// file it cannot read is refused rather than pruned; the only unreadable checkpoints ever deleted
// are those that Resume skipped as corrupt, once a good checkpoint has been written after them.
//
// References: Williams & Peng, "An efficient gradient-based algorithm for on-line training of
// recurrent network trajectories", Neural Computation 2(4), 1990 (truncated BPTT); Pascanu,
// Mikolov & Bengio, "On the difficulty of training recurrent neural networks", ICML 2013
// (gradient-norm clipping); Kingma & Ba, "Adam: a method for stochastic optimization", ICLR 2015.
package train
