package cost

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/rnn-course/bottleneck/pkg/lang"
)

// WorkDepthModel predicts the time of a graph from its work W (flops) and depth S (levels) with Brent's
// bound: t ≈ W / (P·F) + S·L, with P processors of F flop/s each and a latency L per level of the
// dependency graph. It is a model: Source says where its constants come from.
type WorkDepthModel struct {
	Name           string
	FlopsPerSecond float64 // F: throughput of one processor
	Processors     int     // P
	LevelLatency   time.Duration
	Source         string
}

// Predict returns W/(P·F) + S·L for work flops and depth levels.
func (m WorkDepthModel) Predict(work int64, depth int) time.Duration {
	var t float64
	if m.FlopsPerSecond > 0 && m.Processors > 0 {
		t = float64(work) / (float64(m.Processors) * m.FlopsPerSecond)
	}
	return time.Duration(t*1e9) + time.Duration(depth)*m.LevelLatency
}

// PredictRow is Predict on a row's Flops and Depth.
func (m WorkDepthModel) PredictRow(r Row) time.Duration { return m.Predict(r.Flops, r.Depth) }

// H200 constants used by GPUModelH200.
const (
	H200FP32FlopsPerSecond = 67e12 // NVIDIA H200 data sheet: FP32 67 TFLOP/s (CUDA cores, not tensor cores)
	H200SMs                = 132   // streaming multiprocessors of the GH100 die in an H200 SXM
	GPULevelLatency        = 5 * time.Microsecond
)

// GPUModelH200 is a work-depth model of an NVIDIA H200, with STATED constants, not measured
// ones: P = 132 SMs, F = 67 TFLOP/s / 132 (the data sheet's FP32 peak, no tensor cores, perfect
// utilisation), L = 5 µs per level (about one CUDA kernel launch plus its synchronisation; typical
// launch overheads are 2-10 µs). It ignores memory bandwidth (4.8 TB/s on an H200), which bounds
// the elementwise ops of small recurrent steps long before their flops do, so it is optimistic
// for work and, with one kernel per node, pessimistic for fused graphs' depth.
func GPUModelH200() WorkDepthModel {
	return WorkDepthModel{
		Name:           "h200_model",
		FlopsPerSecond: H200FP32FlopsPerSecond / H200SMs,
		Processors:     H200SMs,
		LevelLatency:   GPULevelLatency,
		Source: lang.T("MODEL, not a measurement: NVIDIA H200 data sheet FP32 peak 67 TFLOP/s over 132 SMs; " +
			"5 µs per dependency level ≈ one CUDA kernel launch (typical 2-10 µs)"),
	}
}

// Quality reports how well m's predictions match the median times of rows: the R² of log(time),
// predicted against measured, and the median and largest relative errors |predicted - measured| /
// measured. Rows without a positive median time are left out (N counts the rows used). For a
// fitted model, Quality on a subset of its fit's rows (one model's rows, say) says whether the fit
// holds for that subset, which the fit's overall report can hide.
func (m WorkDepthModel) Quality(rows []Row) FitReport {
	var rep FitReport
	var pred, meas, rel []float64
	for _, r := range rows {
		if !(r.MedianMS > 0) {
			continue
		}
		p := m.PredictRow(r).Seconds() * 1e3
		pred = append(pred, math.Log(math.Max(p, 1e-9)))
		meas = append(meas, math.Log(r.MedianMS))
		e := math.Abs(p-r.MedianMS) / r.MedianMS
		rel = append(rel, e)
		rep.MaxRelErr = math.Max(rep.MaxRelErr, e)
	}
	rep.N = len(rel)
	if rep.N == 0 {
		rep.R2, rep.MedianRelErr, rep.MaxRelErr = math.NaN(), math.NaN(), math.NaN()
		return rep
	}
	rep.R2 = rSquared(meas, pred)
	slices.Sort(rel)
	rep.MedianRelErr = rel[len(rel)/2]
	return rep
}

// The course's bar for drawing a conclusion from a fitted work-depth model about one model's
// rows: the fit must explain at least 90% of the variance of log(time) (R² ≥ GoodFitMinLogR2)
// and predict half of the rows within 25% (median relative error ≤ GoodFitMaxMedianRelErr). A
// fit that misses either says too little about the split between work and depth to call it.
const (
	GoodFitMinLogR2        = 0.9
	GoodFitMaxMedianRelErr = 0.25
)

// GoodEnough reports whether a fit meets the course's bar (GoodFitMinLogR2 and
// GoodFitMaxMedianRelErr) on at least 3 rows.
func (r FitReport) GoodEnough() bool {
	return r.N >= 3 && r.R2 >= GoodFitMinLogR2 && r.MedianRelErr <= GoodFitMaxMedianRelErr
}

// FitReport says how well a fitted WorkDepthModel matches the rows it was fitted on.
type FitReport struct {
	N            int     // rows used
	R2           float64 // coefficient of determination of log(time), predicted against measured
	MedianRelErr float64 // median of |predicted - measured| / measured
	MaxRelErr    float64
}

// FitWorkDepth fits t = a·W + c·D (a = 1/(P·F), c = L) to the median times of rows by least
// squares on relative errors (each row weighted by 1/t², so that 1 ms and 1 s rows count alike),
// with a, c >= 0 (if the joint fit makes one negative, it is set to 0 and the other refitted).
// P = processors is a label only (it cannot be told apart from F by timing one machine); pass 1
// for "this CPU as a whole". Fit rows whose ratios of depth to work differ widely together — the
// recurrent cells have many levels per flop, attention few — or the two terms cannot be told
// apart. (On the course's 2-core CPU the fit makes even the RNN's time mostly work: the latency
// per level it finds is small next to one step's work. Notebook 05 prints the split.)
func FitWorkDepth(rows []Row, name string, processors int) (WorkDepthModel, FitReport, error) {
	if processors <= 0 {
		return WorkDepthModel{}, FitReport{}, fmt.Errorf("cost: processors must be >= 1, got %d", processors)
	}
	var ws, ds, ts []float64
	for _, r := range rows {
		if r.MedianMS > 0 && !math.IsNaN(r.MedianMS) {
			ws = append(ws, float64(r.Flops))
			ds = append(ds, float64(r.Depth))
			ts = append(ts, r.MedianMS/1e3)
		}
	}
	if len(ts) < 2 {
		return WorkDepthModel{}, FitReport{}, fmt.Errorf("cost: need at least 2 timed rows to fit a work-depth model, got %d", len(ts))
	}
	// Weighted normal equations for t_i ≈ a w_i + c d_i with weights 1/t_i^2.
	var sww, swd, sdd, swt, sdt float64
	for i := range ts {
		k := 1 / (ts[i] * ts[i])
		sww += k * ws[i] * ws[i]
		swd += k * ws[i] * ds[i]
		sdd += k * ds[i] * ds[i]
		swt += k * ws[i] * ts[i]
		sdt += k * ds[i] * ts[i]
	}
	var a, c float64
	det := sww*sdd - swd*swd
	if det != 0 {
		a = (swt*sdd - sdt*swd) / det
		c = (sww*sdt - swd*swt) / det
	}
	if det == 0 || a < 0 || c < 0 {
		// One term alone: keep the one with the smaller weighted residual.
		aOnly, cOnly := 0.0, 0.0
		if sww > 0 {
			aOnly = swt / sww
		}
		if sdd > 0 {
			cOnly = sdt / sdd
		}
		resid := func(a, c float64) float64 {
			s := 0.0
			for i := range ts {
				e := (a*ws[i] + c*ds[i] - ts[i]) / ts[i]
				s += e * e
			}
			return s
		}
		if resid(aOnly, 0) <= resid(0, cOnly) {
			a, c = aOnly, 0
		} else {
			a, c = 0, cOnly
		}
	}
	if a == 0 && c == 0 {
		return WorkDepthModel{}, FitReport{}, errors.New("cost: the rows have no work and no depth to fit")
	}
	m := WorkDepthModel{
		Name: name, Processors: processors, LevelLatency: time.Duration(c * 1e9),
		Source: lang.Sprintf("fitted by weighted least squares on %d measured rows", len(ts)),
	}
	if a > 0 {
		m.FlopsPerSecond = 1 / (a * float64(processors))
	}
	rep := FitReport{N: len(ts)}
	var pred, meas, rel []float64
	for i := range ts {
		p := a*ws[i] + c*ds[i]
		pred = append(pred, math.Log(math.Max(p, 1e-12)))
		meas = append(meas, math.Log(ts[i]))
		e := math.Abs(p-ts[i]) / ts[i]
		rel = append(rel, e)
		rep.MaxRelErr = math.Max(rep.MaxRelErr, e)
	}
	rep.R2 = rSquared(meas, pred)
	slices.Sort(rel)
	rep.MedianRelErr = rel[len(rel)/2]
	return m, rep, nil
}

// FitCPUModel fits a WorkDepthModel named name to the timed rnn and attention rows of a table
// measured on one CPU (both passes, every T and B): the RNN has many levels per flop, attention
// few, so together they separate L from F. P is 1 ("this CPU as a whole").
func FitCPUModel(t *Table, name string) (WorkDepthModel, FitReport, error) {
	rows := append(t.Select("rnn", "", 0), t.Select("attention", "", 0)...)
	return FitWorkDepth(rows, name, 1)
}

// rSquared is 1 - SS_res/SS_tot of predictions against observations.
func rSquared(obs, pred []float64) float64 {
	mean := 0.0
	for _, v := range obs {
		mean += v
	}
	mean /= float64(len(obs))
	var ssRes, ssTot float64
	for i := range obs {
		ssRes += (obs[i] - pred[i]) * (obs[i] - pred[i])
		ssTot += (obs[i] - mean) * (obs[i] - mean)
	}
	if ssTot == 0 {
		if ssRes == 0 {
			return 1
		}
		return math.NaN()
	}
	return 1 - ssRes/ssTot
}

// PredictTable returns a table with one row per row of t, whose times are m's predictions
// (median = min = max, Repeats 0, no build or compile time) and whose Backend is m.Name, so that
// Crossover and Series work on predictions as on measurements.
func PredictTable(t *Table, m WorkDepthModel) *Table {
	out := &Table{}
	for _, r := range t.Rows {
		p := ms(m.PredictRow(r))
		r.MedianMS, r.MinMS, r.MaxMS = p, p, p
		r.Repeats, r.BuildMS, r.CompileMS = 0, 0, 0
		r.Backend = m.Name
		out.Rows = append(out.Rows, r)
	}
	return out
}
