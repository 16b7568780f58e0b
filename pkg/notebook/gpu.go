package notebook

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/rnn-course/bottleneck/pkg/cost"
	"github.com/rnn-course/bottleneck/pkg/svgplot"
)

// GPURunName is the prefix of the committed GPU measurement in results/gpu/ (h200_goxla.csv,
// h200_torch.csv, h200_env.txt), written by the prepared GPU run (scripts/device/run.sh).
const GPURunName = "h200"

// NoGPUMeasurement is what the notebooks say while results/gpu/ holds no measurement.
func NoGPUMeasurement() string {
	return T("No GPU measurement is committed yet (`results/gpu/` holds none): what this " +
		"notebook says about GPUs comes from the work-depth model and the hardware's design, not from a measurement.")
}

// RepoPath joins elem to the repository root, found from the notebook's folder ($GONB_DIR is
// notebooks/ in a GoNB kernel) or else from the working directory.
func RepoPath(elem ...string) string {
	dir := os.Getenv("GONB_DIR")
	if dir == "" {
		dir, _ = os.Getwd()
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(append([]string{d}, elem...)...)
		}
		if filepath.Dir(d) == d {
			return filepath.Join(append([]string{dir, ".."}, elem...)...)
		}
	}
}

// GPURun loads the committed GPU measurement, or returns nil when none is committed. A committed
// file that cannot be read panics with the reason (a notebook cell then fails, as it should).
func GPURun() *cost.GPURun {
	run, err := cost.LoadGPURun(RepoPath("results", "gpu"), GPURunName)
	if err != nil {
		panic(err)
	}
	return run
}

// GPUFigure plots, against T at batch B and for the given mode, each named model as measured on
// the GPU with GoMLX (solid), as predicted by the work-depth model (dotted) and, where the run
// has it, PyTorch's layer on the same GPU ("torch_<model>", dashed). It also returns the
// measured/model comparison of every model at every T both have. The figure is nil when the run
// has no row for these models at batch B.
func GPUFigure(run *cost.GPURun, model cost.WorkDepthModel, models []string, mode cost.Pass, B int) (*svgplot.Figure, []cost.ModelCheck) {
	pred := cost.PredictTable(run.Go, model)
	fig := &svgplot.Figure{
		Title: Sprintf("%s, batch %d: measured on the GPU and the work-depth model",
			modeTitle(mode), B),
		XLabel: T("sequence length T"), YLabel: T("time (ms)"),
		LogX: true, LogY: true, Legend: svgplot.LegendOutside, Width: 780,
		Notes: []string{T("measured: ") + run.Label() +
			T("; solid GoMLX on XLA, dashed PyTorch, dotted the model")},
	}
	var checks []cost.ModelCheck
	for i, name := range models {
		color := svgplot.Palette[i%len(svgplot.Palette)]
		if xs, ys := run.Go.Series(name, mode, B); len(xs) > 0 {
			fig.Series = append(fig.Series, svgplot.Series{Name: name + " (GoMLX, GPU)", X: xs, Y: ys, Markers: true, Color: color})
		}
		if xs, ys := run.Torch.Series("torch_"+name, mode, B); len(xs) > 0 {
			fig.Series = append(fig.Series, svgplot.Series{Name: name + " (PyTorch, GPU)", X: xs, Y: ys, Dashed: true, Color: color})
		}
		if xs, ys := pred.Series(name, mode, B); len(xs) > 0 {
			fig.Series = append(fig.Series, svgplot.Series{Name: name + T(" (model)"), X: xs, Y: ys, Dashed: true, Color: color})
		}
		checks = append(checks, cost.CheckModel(run.Go, pred, name, mode, B)...)
	}
	if len(fig.Series) == 0 {
		return nil, nil
	}
	return fig, checks
}

func modeTitle(m cost.Pass) string {
	if m == cost.FwdBwd {
		return T("Forward + backward")
	}
	return T("Forward")
}

// DescribeModelChecks says, per model, how far the measurement was from the model: the range of
// measured/model over T, and whether the model was within a factor of 2 everywhere.
func DescribeModelChecks(checks []cost.ModelCheck) string {
	type span struct{ lo, hi float64 }
	var order []string
	spans := map[string]*span{}
	for _, c := range checks {
		s, ok := spans[c.Model]
		if !ok {
			s = &span{math.Inf(1), math.Inf(-1)}
			spans[c.Model] = s
			order = append(order, c.Model)
		}
		s.lo, s.hi = math.Min(s.lo, c.Ratio()), math.Max(s.hi, c.Ratio())
	}
	var b strings.Builder
	for _, m := range order {
		s := spans[m]
		verdict := T("the model was right within a factor of 2 at every T")
		switch {
		case s.lo >= 2:
			verdict = T("the model was too optimistic at every T")
		case s.hi <= 0.5:
			verdict = T("the model was too pessimistic at every T")
		case s.lo < 0.5 || s.hi > 2:
			verdict = T("the model was off by more than a factor of 2 at some T")
		}
		fmt.Fprintf(&b, T("%s: measured/model from %.2g to %.2g; %s\n"), m, s.lo, s.hi, verdict)
	}
	return b.String()
}
