#!/usr/bin/python3
"""Generate PyTorch training-trajectory case files for pkg/train.

Each case trains a torch.nn.RNN / nn.LSTM / nn.GRU (batch_first=True) with a linear readout,
built the way pkg/train's model is (pkg/train/model.go), in float64, with PyTorch's own
optimizers (torch.optim.Adam, torch.optim.SGD) and torch.nn.utils.clip_grad_norm_, for N steps
over a fixed sequence of batches, and writes <case>.npz (np.savez_compressed) holding the
configuration, the initial weights, the batches, the loss and gradient norm of every step and the
final weights. pkg/train's TestPyTorchTrajectories replays the run. The format is described in
pkg/train/testdata/pytorch_trajectories/README.md.

Usage (from the repository root; needs Debian's python3-torch):
    /usr/bin/python3 scripts/pytorch/make_trajectories.py [--out pkg/train/testdata/pytorch_trajectories]
"""

import argparse
import os

import numpy as np
import torch
import torch.nn.functional as F

B, T, D, H, O = 2, 6, 3, 4, 2  # batch, time, input features, hidden, readout width (mse losses)
V = 5  # vocabulary of the xent cases (input and output size)
N = 20  # Trainer.Step calls (steps) per case
NB = 5  # distinct batches; step s trains on batch order[s]

BASE_SEED = 20250301

ADAM_DEFAULTS = dict(beta1=0.9, beta2=0.999, eps=1e-8)  # pkg/train's defaults (Config.adamConstants)

# (name, kind, layers, loss, optimizer, lr, momentum, clip_norm, tbptt)
CASES = (
    ("rnn_tanh_l1_mse_adam", "rnn_tanh", 1, "mse", "adam", 0.01, 0.0, 0.0, 0),
    ("lstm_l1_mse_sgdmom", "lstm", 1, "mse", "sgd", 0.1, 0.9, 0.0, 0),
    ("rnn_relu_l1_mse_sgd", "rnn_relu", 1, "mse", "sgd", 0.1, 0.0, 0.0, 0),
    ("gru_l2_mse_adam_clip", "gru", 2, "mse", "adam", 0.01, 0.0, 0.5, 0),
    ("lstm_l2_xent_adam_clip", "lstm", 2, "xent", "adam", 0.02, 0.0, 0.3, 0),
    ("gru_l1_xent_sgdmom_clip", "gru", 1, "xent", "sgd", 0.2, 0.9, 0.5, 0),
    ("rnn_tanh_l2_mselast_sgdmom_clip", "rnn_tanh", 2, "mse_last", "sgd", 0.1, 0.9, 0.3, 0),
    ("lstm_l1_mse_adam_tbptt4", "lstm", 1, "mse", "adam", 0.01, 0.0, 0.0, 4),
    ("gru_l1_xent_sgdmom_clip_tbptt2", "gru", 1, "xent", "sgd", 0.2, 0.9, 0.5, 2),
    ("rnn_tanh_l1_mselast_adam_tbptt4", "rnn_tanh", 1, "mse_last", "adam", 0.01, 0.0, 0.0, 4),
)


class Model(torch.nn.Module):
    """pkg/train's model: a recurrent stack and a linear readout at every step (mse, xent) or
    on the top layer's last state (mse_last); xent reads one-hot token ids."""

    def __init__(self, kind, layers, loss, din, dout):
        super().__init__()
        self.kind, self.loss, self.din = kind, loss, din
        if kind in ("rnn_tanh", "rnn_relu"):
            self.rnn = torch.nn.RNN(din, H, num_layers=layers, nonlinearity=kind[4:], batch_first=True)
        elif kind == "lstm":
            self.rnn = torch.nn.LSTM(din, H, num_layers=layers, batch_first=True)
        elif kind == "gru":
            self.rnn = torch.nn.GRU(din, H, num_layers=layers, batch_first=True)
        else:
            raise ValueError(kind)
        self.readout = torch.nn.Linear(H, dout)

    def forward(self, x, state):
        if self.loss == "xent":
            x = F.one_hot(x, self.din).to(torch.float64)
        out, new_state = self.rnn(x, state)
        if self.loss == "mse_last":
            hn = new_state[0] if self.kind == "lstm" else new_state
            return self.readout(hn[-1]), new_state  # [B, O]
        return self.readout(out), new_state  # [B, T, O]

    def loss_of(self, pred, y):
        if self.loss == "xent":
            return F.cross_entropy(pred.reshape(-1, self.din), y.reshape(-1))  # mean over B*T
        return F.mse_loss(pred, y)  # mean over every element

    def named(self):
        """Parameters by pkg/train's names (Model.ParamNames): the recurrent layer's PyTorch
        names, then readout.weight and readout.bias."""
        out = [(n, p) for n, p in self.rnn.named_parameters()]
        return out + [("readout.weight", self.readout.weight), ("readout.bias", self.readout.bias)]


def make_case(name, kind, layers, loss, opt_name, lr, momentum, clip, tbptt, seed):
    torch.manual_seed(seed)
    xent = loss == "xent"
    din, dout = (V, V) if xent else (D, O)
    # PyTorch's default initialisation, drawn directly in float64.
    model = Model(kind, layers, loss, din, dout)
    named = model.named()
    params = [p for _, p in named]
    init = {n: p.detach().clone().numpy() for n, p in named}

    if xent:
        xs = torch.randint(0, V, (NB, B, T))
        ys = torch.randint(0, V, (NB, B, T))
    else:
        xs = torch.randn(NB, B, T, D)
        ys = 0.5 * torch.randn(NB, B, O) if loss == "mse_last" else 0.5 * torch.randn(NB, B, T, O)
    order = torch.randint(0, NB, (N,))

    if opt_name == "adam":
        opt = torch.optim.Adam(params, lr=lr, betas=(ADAM_DEFAULTS["beta1"], ADAM_DEFAULTS["beta2"]),
                               eps=ADAM_DEFAULTS["eps"])
    else:
        opt = torch.optim.SGD(params, lr=lr, momentum=momentum)  # dampening 0, no Nesterov

    k = T if tbptt == 0 or tbptt > T else tbptt
    chunks = (T + k - 1) // k
    losses, norms, chunk_losses, clipped = [], [], [], 0
    for s in range(N):
        x, y = xs[order[s]], ys[order[s]]
        # Trainer.Step: the state starts at zero for every batch; with TBPTT each chunk of k
        # steps is one update, its final state carried to the next chunk without gradient.
        h = torch.zeros(layers, B, H)
        state = (h, torch.zeros(layers, B, H)) if kind == "lstm" else h
        step_losses, step_norm = [], 0.0
        for ci in range(chunks):
            lo, hi = ci * k, min((ci + 1) * k, T)
            xc = x[:, lo:hi]
            if loss == "mse_last" and ci < chunks - 1:
                # The loss is at the last step only: earlier chunks only advance the state.
                with torch.no_grad():
                    _, state = model(xc, state)
                continue
            yc = y if loss == "mse_last" else y[:, lo:hi]
            opt.zero_grad()
            pred, new_state = model(xc, state)
            lv = model.loss_of(pred, yc)
            lv.backward()
            if clip > 0:
                norm = torch.nn.utils.clip_grad_norm_(params, clip).item()
                clipped += norm > clip
            else:
                norm = torch.norm(torch.stack([torch.norm(p.grad.detach(), 2) for p in params]), 2).item()
            opt.step()
            state = tuple(t.detach() for t in new_state) if kind == "lstm" else new_state.detach()
            step_losses.append(lv.item())
            step_norm = max(step_norm, norm)
        chunk_losses += step_losses
        losses.append(sum(step_losses) / len(step_losses))  # Stats.Loss: mean over the updates
        norms.append(step_norm)  # Stats.GradNorm: largest pre-clipping norm over the updates

    flat = lambda vals: np.concatenate([np.asarray(v, dtype=np.float64).ravel() for v in vals])
    arrays = {
        "kind": np.array(kind),
        "loss_kind": np.array(loss),
        "optimizer": np.array(opt_name),
        # sizes: num_layers, input_size, hidden_size, output_size, tbptt (0 = full BPTT), steps
        "sizes": np.array([layers, din, H, dout, tbptt, N], dtype=np.int64),
        # hyper: learning_rate, momentum, beta1, beta2, epsilon, clip_norm (0 = off)
        "hyper": np.array([lr, momentum, ADAM_DEFAULTS["beta1"], ADAM_DEFAULTS["beta2"], ADAM_DEFAULTS["eps"], clip],
                          dtype=np.float64),
        "x": xs.numpy(),
        "y": ys.numpy(),
        "order": order.numpy().astype(np.int64),
        "loss": np.array(losses, dtype=np.float64),
        "grad_norm": np.array(norms, dtype=np.float64),
        "update_loss": np.array(chunk_losses, dtype=np.float64),
        # every parameter, flattened row-major and concatenated in pkg/train's ParamNames order
        "init": flat(init.values()),
        "final": flat(p.detach().numpy() for _, p in named),
    }
    return arrays, clipped, len(chunk_losses)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="pkg/train/testdata/pytorch_trajectories", help="output directory")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    for ci, case in enumerate(CASES):
        seed = BASE_SEED + ci
        arrays, clipped, updates = make_case(*case, seed)
        path = os.path.join(args.out, f"{case[0]}.npz")
        np.savez_compressed(path, **arrays)
        print(f"wrote {path} ({os.path.getsize(path)} bytes, seed {seed}): loss "
              f"{arrays['loss'][0]:.4f} -> {arrays['loss'][-1]:.4f}, {updates} updates, {clipped} clipped")
    print(f"{len(CASES)} files, torch {torch.__version__}")


if __name__ == "__main__":
    main()
