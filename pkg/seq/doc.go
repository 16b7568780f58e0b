// Package seq holds the small sequence utilities that the model packages share (recurrent,
// scan, mingru, deer, cost, bptt, train), so that none of them imports another only for a
// helper. Every sequence is batch first, [B, T, F]:
//
//   - [SplitTime] and [StackTime]: the T per-step slices of a sequence and back, with custom
//     gradients that keep the backward pass O(T) (reverse-mode autodiff of T plain Slices costs
//     O(T^2));
//   - [Linear]: PyTorch's nn.Linear applied to every step at once, x W^T + b;
//   - [ShiftTime]: a sequence moved d steps later in time, the first d steps filled with a
//     constant (h_{t-1} for a scan, the left padding of a causal convolution);
//   - [InitUniform]: PyTorch's default initialisation U(-k, k) of a host tensor;
//   - [Args]: host tensors as the []any arguments of an Exec call;
//   - [StateDictVariable], [SetScopeTensors], [ScopeTensors]: PyTorch state_dict keys as
//     variables of a GoMLX model.Scope (the scoped layers of recurrent, mingru and train).
package seq
