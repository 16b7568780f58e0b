package bptt

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/rnn-course/bottleneck/pkg/stats"
)

// The bookkeeping of notebook 03's measurements of the gradient against the lag: inputs,
// fresh cells, the average decay factor per step over several draws, and the sweep over the
// spectral radius of W_hh.

// RandomInputs returns B×T×D float64 inputs drawn from N(0, 1) with the PCG generator
// (seed, stream), in the order batch, time, feature.
func RandomInputs(B, T, D int, seed, stream uint64) *tensors.Tensor {
	rng := rand.New(rand.NewPCG(seed, stream))
	xs := make([]float64, B*T*D)
	for i := range xs {
		xs[i] = rng.NormFloat64()
	}
	return tensors.FromFlatDataAndDimensions(xs, B, T, D) // [B, T, D]
}

// LagSetup is one draw of a measurement of ‖∂L/∂h_t‖ against the lag (GradientByLag) for fresh,
// PyTorch-initialised one-layer cells in float64 (in float32 the RNN's gradient underflows to
// exactly 0 after about 90 steps): T steps, a batch of B, H hidden units, D inputs. Draw d takes
// its inputs from PCG(InputSeed, 2+d), its weights from WeightSeed+d and its probe g of the loss
// L = ⟨h_T, g⟩ from ProbeSeed+d.
type LagSetup struct {
	T, B, H, D                       int
	InputSeed, WeightSeed, ProbeSeed uint64
}

// Norms returns ‖∂L/∂h_t‖ by lag 0 … T−1 for draw d of a cell of kind.
func (s LagSetup) Norms(b compute.Backend, kind recurrent.Kind, d int) ([]float64, error) {
	if s.T < 1 || s.B < 1 || s.H < 1 || s.D < 1 || d < 0 {
		return nil, fmt.Errorf("bptt: LagSetup %+v, draw %d: want T, B, H, D >= 1 and draw >= 0", s, d)
	}
	x := RandomInputs(s.B, s.T, s.D, s.InputSeed, uint64(2+d))
	w, err := recurrent.NewWeights(recurrent.Config{Kind: kind, InputSize: s.D, HiddenSize: s.H, NumLayers: 1, DType: dtypes.Float64}, s.WeightSeed+uint64(d))
	if err != nil {
		return nil, err
	}
	return GradientByLag(b, w, x, s.ProbeSeed+uint64(d))
}

// DecayRate is the average factor per step by which the gradient shrinks over the first L lags,
// (‖∂L/∂h‖ at lag L / at lag 0)^(1/L): below 1 it vanishes, above 1 it grows.
func DecayRate(norms []float64, L int) float64 {
	return math.Pow(norms[L]/norms[0], 1/float64(L))
}

// DecayRates measures draws independent draws (0 … draws−1) of the setup with T = L+1 and returns
// each kind's DecayRate over the first L lags, one per draw.
func (s LagSetup) DecayRates(b compute.Backend, kinds []recurrent.Kind, draws, L int) (map[recurrent.Kind][]float64, error) {
	if L < 1 || draws < 1 {
		return nil, fmt.Errorf("bptt: DecayRates over %d lags and %d draws; want both >= 1", L, draws)
	}
	s.T = L + 1
	out := map[recurrent.Kind][]float64{}
	for d := range draws {
		for _, kind := range kinds {
			norms, err := s.Norms(b, kind, d)
			if err != nil {
				return nil, err
			}
			out[kind] = append(out[kind], DecayRate(norms, L))
		}
	}
	return out, nil
}

// DecayReport states the decay rates of DecayRates (over the first L lags) in the learner's
// language: one line per kind with its mean ± SE, then whether the draws separate the
// fastest-falling kind from the next by more than two standard errors (stats.Compare). It
// returns an error, in the learner's language, when in some draw a kind's gradient grew
// (rate ≥ 1): fresh cells forget, and a report that said otherwise would be false.
func DecayReport(rates map[recurrent.Kind][]float64, kinds []recurrent.Kind, L int) (string, error) {
	if len(kinds) < 2 {
		return "", fmt.Errorf("bptt: DecayReport needs at least 2 kinds, got %d", len(kinds))
	}
	var sb strings.Builder
	sum := map[recurrent.Kind]stats.Summary{}
	for _, k := range kinds {
		s, err := stats.Summarize(rates[k])
		if err != nil {
			return "", fmt.Errorf("bptt: DecayReport: %s: %w", k, err)
		}
		sum[k] = s
		sb.WriteString(lang.Sprintf("%-8s factor per step over the first %d lags: %s\n", k, L, s))
	}
	for _, k := range kinds {
		if sum[k].Max >= 1 {
			return sb.String(), lang.Errorf("%s: in one draw the gradient grew over the first %d lags (factor %.3g per step)", k, L, sum[k].Max)
		}
	}
	sorted := slices.Clone(kinds)
	slices.SortStableFunc(sorted, func(a, b recurrent.Kind) int { return cmp.Compare(sum[a].Mean, sum[b].Mean) })
	draws := sum[sorted[0]].N
	if stats.Compare(sum[sorted[0]], sum[sorted[1]], 2) == stats.Below {
		sb.WriteString(lang.Sprintf("Over these %d draws the %s's gradient falls fastest, by more than two standard errors.\n", draws, sorted[0]))
	} else {
		sb.WriteString(lang.Sprintf("These %d draws do not separate the fastest-falling cell (%s) from the next (%s): their factors are within two standard errors.\n", draws, sorted[0], sorted[1]))
	}
	return sb.String(), nil
}
