// Command charlm trains the course's character language model (package tasks' CharText over
// Newton's Opticks, in data/) the way GoMLX programs do: flags, a train.Dataset, GoMLX's
// Trainer and Loop with a progress callback, an optimizer of ml/train/optimizer, and GoMLX
// checkpoints (ml/model/checkpoint), on the scoped layers of packages recurrent and mingru
// (train.ModelConfig.ScopedModel). The course's own trainer (package train) does the same with
// its own optimizers and checkpoint format; docs/notes/gomlx.md compares the two.
//
//	charlm -checkpoint /tmp/charlm -cell lstm -hidden 128 -steps 2000
//
// Run it again with the same -checkpoint and it goes on from the step it saved (-steps is the
// total number of steps, not the number to add). It prints the training loss every -log-every
// steps and, at the end, the perplexity on the first -val-batches held-out batches (computed by
// package train's Predictor on the trained weights).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	if _, err := run(cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "charlm:", err)
		os.Exit(1)
	}
}

// parseFlags reads the command line into a config; errors and -h go to stderr.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("charlm", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Cell, "cell", cfg.Cell, "recurrent cell: rnn_tanh, rnn_relu, lstm, gru, mingru or minlstm")
	fs.StringVar(&cfg.Scan, "scan", cfg.Scan, "how a mingru/minlstm recurrence runs: sequential, blelloch, chunked, hillis-steele or logspace")
	fs.IntVar(&cfg.Hidden, "hidden", cfg.Hidden, "hidden size H")
	fs.IntVar(&cfg.Layers, "layers", cfg.Layers, "stacked layers (classic cells)")
	fs.IntVar(&cfg.Batch, "batch", cfg.Batch, "sequences per batch")
	fs.IntVar(&cfg.SeqLen, "seqlen", cfg.SeqLen, "characters per sequence (full BPTT over each)")
	fs.IntVar(&cfg.Steps, "steps", cfg.Steps, "train until this global step")
	fs.StringVar(&cfg.Optimizer, "optimizer", cfg.Optimizer, "adam or sgd (GoMLX's, see docs/notes/gomlx.md)")
	fs.Float64Var(&cfg.LearningRate, "lr", cfg.LearningRate, "learning rate")
	fs.Float64Var(&cfg.Clip, "clip", cfg.Clip, "global gradient-norm clipping threshold (0: off)")
	fs.Int64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the weights and of the batches")
	fs.StringVar(&cfg.Checkpoint, "checkpoint", cfg.Checkpoint, "checkpoint directory (empty: none); an existing one is resumed")
	fs.IntVar(&cfg.SaveEvery, "save-every", cfg.SaveEvery, "save a checkpoint every this many steps (and at the end)")
	fs.IntVar(&cfg.Keep, "keep", cfg.Keep, "checkpoints to keep (-1: all)")
	fs.IntVar(&cfg.LogEvery, "log-every", cfg.LogEvery, "print the loss every this many steps")
	fs.IntVar(&cfg.ValBatches, "val-batches", cfg.ValBatches, "held-out batches for the final perplexity (0: skip)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected arguments %q", fs.Args())
		fmt.Fprintln(stderr, "charlm:", err)
		return cfg, err
	}
	return cfg, nil
}
