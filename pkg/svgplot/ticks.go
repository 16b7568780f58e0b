package svgplot

import (
	"math"
	"strconv"
	"strings"
)

// tick is a labelled tick mark at data value v.
type tick struct {
	v     float64
	label string
}

// axis maps data values in [lo, hi] to [0, 1], linearly or by log10.
type axis struct {
	log    bool
	lo, hi float64
	major  []tick    // labelled ticks (with grid lines)
	minor  []float64 // unlabelled ticks (log axes: 2..9 × 10^k)
}

// frac maps v to its position on the axis: 0 at lo, 1 at hi.
func (a *axis) frac(v float64) float64 {
	if a.log {
		return (math.Log10(v) - math.Log10(a.lo)) / (math.Log10(a.hi) - math.Log10(a.lo))
	}
	return (v - a.lo) / (a.hi - a.lo)
}

const tickEps = 1e-9

// niceStep returns the smallest step of the form {1, 2, 5} × 10^k that is ≥ raw.
func niceStep(raw float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	f := raw / p
	switch {
	case f <= 1+tickEps:
		return p
	case f <= 2+tickEps:
		return 2 * p
	case f <= 5+tickEps:
		return 5 * p
	}
	return 10 * p
}

// linearAxis picks about target ticks at multiples of a {1, 2, 5} × 10^k step. Unless fixed,
// the limits are widened to the enclosing multiples of the step (the frame starts and ends on
// a labelled tick), or of a fifth of it when that would leave a lot of empty space.
func linearAxis(lo, hi float64, target int, fixed bool) axis {
	if !(hi > lo) {
		if lo == 0 {
			lo, hi = -1, 1
		} else {
			lo, hi = lo-math.Abs(lo)/2, hi+math.Abs(hi)/2
		}
	}
	target = max(target, 2)
	lo0, hi0 := lo, hi
	step := niceStep((hi - lo) / float64(target))
	if !fixed {
		// Widen to a multiple of the step, or, when a whole step would leave more than 8% of
		// the axis empty on that side, to a multiple of a fifth (quarter) of it after a 3%
		// margin, so that data does not run along the frame.
		fine := step / 5
		if m := step / math.Pow(10, math.Floor(math.Log10(step)+tickEps)); math.Abs(m-2) < 0.1 {
			fine = step / 4
		}
		span := hi - lo
		nlo, nhi := math.Floor(lo/step+tickEps)*step, math.Ceil(hi/step-tickEps)*step
		if lo-nlo > 0.08*span {
			nlo = math.Max(nlo, math.Floor((lo-0.03*span)/fine+tickEps)*fine)
		}
		if nhi-hi > 0.08*span {
			nhi = math.Min(nhi, math.Ceil((hi+0.03*span)/fine-tickEps)*fine)
		}
		lo, hi = nlo, nhi
	}
	var vals []float64
	for i := math.Ceil(lo/step - tickEps); i <= math.Floor(hi/step+tickEps); i++ {
		vals = append(vals, i*step)
	}
	if fixed && len(vals) < 2 && target < 40 { // a short fixed range: use a finer step
		return linearAxis(lo, hi, target*2, true)
	}
	if !fixed && len(vals) < 3 && target < 20 { // the frame shrank around a coarse step
		return linearAxis(lo0, hi0, target+1, false)
	}
	labels := linearLabels(vals, step)
	a := axis{lo: lo, hi: hi}
	for i, v := range vals {
		a.major = append(a.major, tick{v, labels[i]})
	}
	return a
}

// linearLabels formats evenly spaced tick values with the same number of decimals, using k/M/G
// suffixes from 100k up and exponent notation for tiny values.
func linearLabels(vals []float64, step float64) []string {
	maxAbs := 0.0
	for _, v := range vals {
		maxAbs = math.Max(maxAbs, math.Abs(v))
	}
	decimals := func(step float64) int {
		return max(0, int(-math.Floor(math.Log10(step)+tickEps)))
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		if math.Abs(v) < step*tickEps {
			v = 0 // not -0 or 1e-17
		}
		var s string
		switch {
		case v == 0 && (maxAbs >= 1e5 || maxAbs < 1e-3):
			s = "0"
		case maxAbs >= 1e5 && maxAbs < 1e12:
			e3 := min(int(math.Floor(math.Log10(maxAbs)/3+tickEps)), 3)
			scale := math.Pow(1000, float64(e3))
			s = strconv.FormatFloat(v/scale, 'f', decimals(step/scale), 64) + []string{"", "k", "M", "G"}[e3]
		case maxAbs < 1e-3 || maxAbs >= 1e12:
			s = expLabel(strconv.FormatFloat(v, 'g', 3, 64))
		default:
			s = strconv.FormatFloat(v, 'f', decimals(step), 64)
		}
		out[i] = minus(s)
	}
	return out
}

// expLabel shortens Go's exponent format: "2e-05" -> "2e-5", "1e+12" -> "1e12".
func expLabel(s string) string {
	s = strings.Replace(s, "e+", "e", 1)
	for strings.Contains(s, "e0") || strings.Contains(s, "e-0") {
		s = strings.Replace(s, "e0", "e", 1)
		s = strings.Replace(s, "e-0", "e-", 1)
	}
	return s
}

// minus uses the typographic minus sign (U+2212) for negative labels.
func minus(s string) string {
	if strings.HasPrefix(s, "-") {
		return "−" + s[1:]
	}
	return s
}

// logAxis picks ticks for a log10 axis.
//
//   - Data spanning 2 decades or more: labelled ticks at powers of ten (every n-th decade if
//     more than maxLabels would fit), minor ticks at 2..9 × 10^k when a decade is at least
//     30 px long. Unless fixed, the limits widen to the enclosing minor ticks (16..2048 is
//     drawn from 10 to 3k), so the frame ends close to the data.
//   - Less than that: labelled ticks at {1, 2, 5} × 10^k and minor ticks at the other
//     mantissas, so even data within one decade gets at least two labels. Unless fixed, the
//     limits widen to the enclosing {1, 2, 5} × 10^k values.
//
// Labels are formatted by logLabel: 1, 10, 100, 1k, 10k, 100k, 1M, ...; 0.1, 0.01; 1e-3 and
// below (and 1e9 and above) in exponent notation.
func logAxis(lo, hi float64, pxLen float64, maxLabels int, fixed bool) axis {
	if !(hi > lo) {
		lo, hi = lo/2, hi*2
	}
	a := axis{log: true, lo: lo, hi: hi}
	decades := math.Log10(hi / lo)
	k0 := int(math.Floor(math.Log10(lo) + tickEps))
	k1 := int(math.Ceil(math.Log10(hi) - tickEps))
	in := func(v float64) bool { return v >= a.lo*(1-tickEps) && v <= a.hi*(1+tickEps) }

	if decades >= 2 || 3*decades+1 > float64(maxLabels) {
		if !fixed { // widen to the enclosing minor ticks m × 10^k
			a.lo = math.Floor(lo/math.Pow10(k0)*(1+tickEps)) * math.Pow10(k0)
			a.hi = math.Ceil(hi/math.Pow10(k1-1)*(1-tickEps)) * math.Pow10(k1-1)
		}
		var ks []int
		for k := k0; k <= k1; k++ {
			if in(math.Pow10(k)) {
				ks = append(ks, k)
			}
		}
		if len(ks) >= 2 {
			every := (len(ks) + max(maxLabels, 2) - 1) / max(maxLabels, 2)
			span := math.Log10(a.hi / a.lo)
			withMinor := pxLen/span >= 30
			for _, k := range ks {
				v := math.Pow10(k)
				if ((k%every)+every)%every == 0 {
					a.major = append(a.major, tick{v, logLabel(1, k)})
				} else {
					a.minor = append(a.minor, v)
				}
			}
			if len(a.major) < 2 { // thinning left one label: label the ends instead
				a.major = []tick{{math.Pow10(ks[0]), logLabel(1, ks[0])}, {math.Pow10(ks[len(ks)-1]), logLabel(1, ks[len(ks)-1])}}
			}
			if withMinor {
				for k := k0 - 1; k <= k1; k++ {
					for m := 2; m <= 9; m++ {
						if v := float64(m) * math.Pow10(k); in(v) {
							a.minor = append(a.minor, v)
						}
					}
				}
			}
			return a
		}
		// A fixed range with fewer than two decades inside: fall through to mantissas.
	}

	isMajor := func(m int) bool { return m == 1 || m == 2 || m == 5 }
	if !fixed {
		bestLo, bestHi := 0.0, math.Inf(1)
		for k := k0 - 1; k <= k1+1; k++ {
			for _, m := range []int{1, 2, 5} {
				v := float64(m) * math.Pow10(k)
				if v <= lo*(1+tickEps) && v > bestLo {
					bestLo = v
				}
				if v >= hi*(1-tickEps) && v < bestHi {
					bestHi = v
				}
			}
		}
		a.lo, a.hi = bestLo, bestHi
	}
	for pass := 0; pass < 2 && len(a.major) < 2; pass++ {
		a.major, a.minor = nil, nil
		for k := k0 - 1; k <= k1+1; k++ {
			for m := 1; m <= 9; m++ {
				v := float64(m) * math.Pow10(k)
				if !in(v) {
					continue
				}
				if isMajor(m) || pass == 1 {
					a.major = append(a.major, tick{v, logLabel(m, k)})
				} else {
					a.minor = append(a.minor, v)
				}
			}
		}
	}
	if len(a.major) < 2 { // a fixed range inside one mantissa step, e.g. 3.1..3.9
		lin := linearAxis(a.lo, a.hi, 3, true)
		a.major, a.minor = lin.major, nil
	}
	return a
}

// logLabel formats m × 10^k (m in 1..9): 1, 20, 500, 1k, 20k, 500k, 1M, 20M, 500M, then 1e9;
// 0.5, 0.02, then 5e-3.
func logLabel(m, k int) string {
	itoa := strconv.Itoa
	pow := func(e int) int {
		p := 1
		for range e {
			p *= 10
		}
		return p
	}
	switch {
	case k >= 9 || k < -2:
		return itoa(m) + "e" + itoa(k)
	case k >= 6:
		return itoa(m*pow(k-6)) + "M"
	case k >= 3:
		return itoa(m*pow(k-3)) + "k"
	case k >= 0:
		return itoa(m * pow(k))
	case k == -1:
		return "0." + itoa(m)
	default:
		return "0.0" + itoa(m)
	}
}
