package cost

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/rnn-course/bottleneck/pkg/lang"
)

// GPURun is a measurement made by the prepared GPU run (scripts/device/run.sh) and committed
// under results/gpu/ as <name>_goxla.csv (this package's CSV, GoMLX on XLA's CUDA backend),
// <name>_torch.csv (PyTorch, cuDNN) and <name>_env.txt (date, GPU, driver, versions).
type GPURun struct {
	Name  string // file prefix, e.g. "h200"
	Go    *Table // GoMLX rows
	Torch *Table // PyTorch rows; Model is "torch_" + the PyTorch model name (torch_lstm, ...)
	// Env holds what env.txt says: "date", "gpu", "driver", "plugin" (the jax-cuda PJRT wheel and
	// its version) and "torch"; missing keys are empty.
	Env map[string]string
}

// LoadGPURun reads the run called name from dir. It returns nil and no error when dir holds no
// <name>_goxla.csv (nothing committed yet); a file that exists but cannot be read is an error.
func LoadGPURun(dir, name string) (*GPURun, error) {
	goPath := filepath.Join(dir, name+"_goxla.csv")
	if _, err := os.Stat(goPath); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	run := &GPURun{Name: name, Env: map[string]string{}}
	read := func(path string, parse func(io.Reader) (*Table, error)) (*Table, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("cost: GPU run %s: %w", name, err)
		}
		defer f.Close()
		t, err := parse(f)
		if err != nil {
			return nil, fmt.Errorf("cost: GPU run %s, %s: %w", name, filepath.Base(path), err)
		}
		return t, nil
	}
	var err error
	if run.Go, err = read(goPath, ReadCSV); err != nil {
		return nil, err
	}
	if run.Torch, err = read(filepath.Join(dir, name+"_torch.csv"), ReadTorchCSV); err != nil {
		return nil, err
	}
	if f, err := os.Open(filepath.Join(dir, name+"_env.txt")); err == nil {
		run.Env = parseEnv(f)
		f.Close()
	}
	return run, nil
}

// Label is one line naming what measured the run, e.g.
// "NVIDIA H200, driver 580.159.04, jax-cuda13-pjrt 0.11.2, 2026-12-01".
func (r *GPURun) Label() string {
	var parts []string
	for _, k := range []string{"gpu", "driver", "plugin", "date"} {
		v := r.Env[k]
		if v == "" {
			continue
		}
		if k == "driver" {
			v = lang.T("driver ") + v
		}
		parts = append(parts, v)
	}
	if len(parts) == 0 {
		return lang.T("GPU run ") + r.Name
	}
	return strings.Join(parts, ", ")
}

// parseEnv reads the env.txt that scripts/device/run.sh writes.
func parseEnv(r io.Reader) map[string]string {
	env := map[string]string{}
	sc := bufio.NewScanner(r)
	smiHeader := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "date: "):
			d := strings.TrimPrefix(line, "date: ")
			env["date"] = d[:min(10, len(d))] // the day of an RFC 3339 time
		case strings.HasPrefix(line, "pip: jax-cuda") && strings.Contains(line, "-pjrt "):
			env["plugin"] = strings.TrimPrefix(line, "pip: ")
		case strings.HasPrefix(line, "pip: torch "):
			env["torch"] = strings.TrimPrefix(line, "pip: ")
		case strings.HasPrefix(line, "name, driver_version"):
			smiHeader = true
		case smiHeader:
			smiHeader = false
			f := strings.Split(line, ",")
			if len(f) >= 2 {
				env["gpu"], env["driver"] = strings.TrimSpace(f[0]), strings.TrimSpace(f[1])
			}
		}
	}
	return env
}

// torchColumns are the columns of scripts/device/bench_torch.py's CSV that ReadTorchCSV needs.
var torchColumns = []string{"model", "T", "B", "D", "H", "mode", "median_ms", "min_ms", "max_ms", "repeats", "device_name"}

// ReadTorchCSV reads the CSV of scripts/device/bench_torch.py into a Table whose rows are named
// "torch_<model>" and whose Backend is "pytorch <device name> (<impl>)". Graph counts are zero.
func ReadTorchCSV(r io.Reader) (*Table, error) {
	return readTable(r, torchColumns, nil, func(p *rowParser) Row {
		impl := ""
		if i, ok := p.col["impl"]; ok {
			impl = " (" + p.rec[i] + ")"
		}
		return Row{Model: "torch_" + p.str("model"), Pass: Pass(p.str("mode")), T: p.int("T"), B: p.int("B"),
			D: p.int("D"), H: p.int("H"), MedianMS: p.float("median_ms"), MinMS: p.float("min_ms"),
			MaxMS: p.float("max_ms"), Repeats: p.int("repeats"), Backend: "pytorch " + p.str("device_name") + impl}
	})
}

// ModelCheck compares a measured series with a model's prediction at one T.
type ModelCheck struct {
	Model               string
	T                   int
	MeasuredMS, ModelMS float64
}

// Ratio is measured / model: above 1 the model was optimistic, below 1 pessimistic.
func (c ModelCheck) Ratio() float64 { return c.MeasuredMS / c.ModelMS }

func (c ModelCheck) String() string {
	return fmt.Sprintf("%s T=%d: measured %.3g ms, model %.3g ms (measured/model %.2g)", c.Model, c.T, c.MeasuredMS, c.ModelMS, c.Ratio())
}

// CheckModel pairs the rows of measured and predicted (e.g. PredictTable of a WorkDepthModel)
// for one model, mode and batch at every T that both have, in increasing T.
func CheckModel(measured, predicted *Table, model string, mode Pass, B int) []ModelCheck {
	pred := map[int]float64{}
	for _, r := range predicted.Select(model, mode, B) {
		pred[r.T] = r.MedianMS
	}
	var out []ModelCheck
	for _, r := range measured.Select(model, mode, B) {
		if p, ok := pred[r.T]; ok && p > 0 {
			out = append(out, ModelCheck{Model: model, T: r.T, MeasuredMS: r.MedianMS, ModelMS: p})
		}
	}
	return out
}
