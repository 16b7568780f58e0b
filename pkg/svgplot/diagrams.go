package svgplot

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"

	"github.com/rnn-course/bottleneck/pkg/lang"
)

// Diagrams for the course. Each function returns a complete SVG document. Invalid arguments
// (T out of range, unknown kind) give a small SVG that states the problem in red, so that a
// notebook cell shows it instead of panicking.

// Diagram colours: vermillion marks the sequential chain (critical path, backward pass), blue
// the forward pass and combines, green the Blelloch down-sweep.
const (
	colCrit = "#D55E00"
	colFwd  = "#0072B2"
	colDown = "#009E73"
	colInk  = "#333333"
	colSoft = "#888888"
)

// displaySteps lists the steps drawn for a sequence of length T: all of 1..T when T ≤ 8,
// otherwise 1, 2, 3, an ellipsis (0), T−1, T.
func displaySteps(T int) []int {
	if T <= 8 {
		s := make([]int, T)
		for i := range s {
			s[i] = i + 1
		}
		return s
	}
	return []int{1, 2, 3, 0, T - 1, T}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// centredText writes rich text centred at x.
func centredText(b *builder, x, y float64, s string, fs float64, kv ...string) {
	b.textRaw(x, y, rich(s, fs), append([]string{"font-size", num(fs), "text-anchor", "middle"}, kv...)...)
}

// UnrolledRNN draws the unrolled dependency graph of h_t = f(h_{t−1}, x_t): inputs x_1..x_T
// along the bottom, one f box per step in the middle, states h_0..h_T on top, with arrows
// x_t → f_t, h_{t−1} → f_t and f_t → h_t. With highlightCriticalPath the chain
// h_0 → f_1 → h_1 → … → h_T is drawn thick in vermillion, with the caption "critical path: T
// sequential steps". For T > 8 only steps 1, 2, 3, T−1 and T are drawn, with an ellipsis
// between. T must be ≥ 1.
func UnrolledRNN(T int, highlightCriticalPath bool) string {
	if T < 1 {
		return errorSVG(fmt.Sprintf("svgplot.UnrolledRNN: T=%d; want T ≥ 1", T))
	}
	const (
		dx     = 84.0
		yH     = 84.0
		yF     = 154.0
		yX     = 224.0
		rH     = 19.0
		rX     = 16.0
		fHalfW = 20.0
		fHalfH = 15.0
	)
	chain, chainW, hStroke := colInk, 1.6, 1.4
	if highlightCriticalPath {
		chain, chainW, hStroke = colCrit, 3.0, 2.4
	}
	tt := strconv.Itoa(T)
	title := lang.T("Unrolled RNN: h_t = f(h_{t−1}, x_t)")
	var cap1, cap2 string
	if highlightCriticalPath {
		cap1 = lang.T("critical path: "+tt+" sequential "+plural(T, "step", "steps")+" (h_0 → h_{"+tt+"})",
			"关键路径："+tt+" 个按序执行的时间步（h_0 → h_{"+tt+"}）")
	} else {
		cap1 = lang.T("unrolled over T = "+tt+" "+plural(T, "step", "steps"), "展开为 T = "+tt+" 个时间步")
	}
	cap2 = lang.T("each f_t waits for h_{t−1}; the inputs x_1 … x_{"+tt+"} are all known up front",
		"每个 f_t 都要等待 h_{t−1}；输入 x_1 … x_{"+tt+"} 则一开始就全部已知")
	depLabel := lang.T("dependency")
	steps := displaySteps(T)
	contentW := 60 + dx*float64(len(steps)) + 60
	W := math.Max(contentW, math.Max(richWidth(cap2, 12), richWidth(cap1, 14))+40)
	x0 := (W-contentW)/2 + 60 // h_0
	H := 300.0

	var b builder
	b.open(W, H)
	centredText(&b, W/2, 30, title, 15, "font-weight", "bold", "fill", colText)

	hNode := func(x float64, t int) {
		b.circle(x, yH, rH, "fill", "#eaf2fb", "stroke", chain, "stroke-width", num(hStroke))
		centredText(&b, x, yH+5, "h_{"+strconv.Itoa(t)+"}", 14, "fill", colText)
	}
	ell := func(x, y float64, c string) {
		b.text(x, y+6, "⋯", "font-size", "20", "text-anchor", "middle", "fill", c)
	}
	prevX, prevGap := x0, false
	for i, t := range steps {
		x := x0 + dx*float64(i+1)
		if t == 0 {
			ax, ay := onCircle(prevX, yH, rH+2, x, yH)
			b.arrow(ax, ay, x-16, yH, chain, chainW, true)
			ell(x, yH, chain)
			ell(x, yF, colSoft)
			ell(x, yX, colSoft)
			hidden := T - 5
			b.text(x, (yF+yX)/2+4, lang.T(strconv.Itoa(hidden)+" more "+plural(hidden, "step", "steps"), "另有 "+strconv.Itoa(hidden)+" 步"), "font-size", "10",
				"text-anchor", "middle", "fill", colMuted)
			prevX, prevGap = x, true
			continue
		}
		// h_{t-1} → f_t (from the ellipsis when the previous steps are elided).
		var sx, sy float64
		if prevGap {
			sx, sy = prevX+12, yH+8
		} else {
			sx, sy = onCircle(prevX, yH, rH+2, x, yF)
		}
		ex, ey := onBox(x, yF, fHalfW+2, fHalfH+2, sx, sy)
		b.arrow(sx, sy, ex, ey, chain, chainW, prevGap)
		if i == 0 { // name the dependency edge h_{t−1} → f_t once, on the first step
			b.text((sx+ex)/2-6, (sy+ey)/2+4, depLabel, "font-size", "11", "text-anchor", "end", "fill", chain)
		}
		// f_t → h_t, x_t → f_t.
		b.arrow(x, yF-fHalfH-2, x, yH+rH+2, chain, chainW, false)
		b.arrow(x, yX-rX-2, x, yF+fHalfH+2, colSoft, 1.4, false)
		b.rect(x-fHalfW, yF-fHalfH, 2*fHalfW, 2*fHalfH, "rx", "4", "fill", "white", "stroke", chain, "stroke-width", num(hStroke))
		b.text(x, yF+5, "f", "font-size", "14", "font-style", "italic", "text-anchor", "middle", "fill", colText)
		hNode(x, t)
		b.circle(x, yX, rX, "fill", "#f4f4f4", "stroke", colSoft, "stroke-width", "1.2")
		centredText(&b, x, yX+5, "x_{"+strconv.Itoa(t)+"}", 13, "fill", colText)
		prevX, prevGap = x, false
	}
	hNode(x0, 0)
	capColor, capWeight := colText, ""
	if highlightCriticalPath {
		capColor, capWeight = colCrit, "bold"
	}
	centredText(&b, W/2, 270, cap1, 14, "fill", capColor, "font-weight", capWeight)
	centredText(&b, W/2, 290, cap2, 12, "fill", colMuted)
	return b.finish()
}

// scanOp is one operation of a parallel scan on positions 0..T−1. A combine sets
// v[dst] = v[a] ∘ v[b] where v[a] covers an earlier part of the sequence than v[b] (∘ need
// not commute, e.g. composing the affine maps h ↦ A_t h + b_t of a linear RNN); a copy sets
// v[dst] = v[a]. All operations of a row read the values of the previous row.
type scanOp struct {
	dst, a, b int
	copy      bool
}

type scanRow struct {
	ops   []scanOp
	clear int    // position set to the identity in this row (Blelloch), or −1
	phase string // "up-sweep" or "down-sweep" for Blelloch
}

type scanPlan struct {
	T         int
	kind      string
	inclusive bool // inclusive: output t = x_1 ∘ … ∘ x_t; exclusive: x_1 ∘ … ∘ x_{t−1}
	rows      []scanRow
}

// counts returns the number of combines (work) and of rows with at least one combine (depth).
func (p scanPlan) counts() (combines, depth int) {
	for _, r := range p.rows {
		n := 0
		for _, op := range r.ops {
			if !op.copy {
				n++
			}
		}
		combines += n
		if n > 0 {
			depth++
		}
	}
	return combines, depth
}

// newScanPlan lists the operations of a scan over T elements.
//
//   - "sequential": v[t] = v[t−1] ∘ v[t] for t = 1..T−1: T−1 combines, depth T−1 (inclusive).
//   - "hillis-steele" (Hillis & Steele 1986): for k = 0..log2 T − 1, every t ≥ 2^k does
//     v[t] = v[t−2^k] ∘ v[t] at once: Σ_k (T − 2^k) = T·log2 T − (T−1) combines, depth log2 T
//     (inclusive).
//   - "blelloch" (Blelloch 1990): an up-sweep (reduce) tree with T/2 + T/4 + … + 1 = T−1
//     combines in log2 T levels, the root set to the identity, then a down-sweep in which each
//     node passes its value to its left child (a copy) and gives its right child value ∘ left:
//     another T−1 combines in log2 T levels. Total 2(T−1) combines, depth 2·log2 T (exclusive).
func newScanPlan(T int, kind string) (scanPlan, error) {
	if T < 2 || T > 16 || T&(T-1) != 0 {
		return scanPlan{}, fmt.Errorf("T=%d; want a power of two from 2 to 16", T)
	}
	p := scanPlan{T: T, kind: kind}
	logT := bits.TrailingZeros(uint(T))
	switch kind {
	case "sequential":
		p.inclusive = true
		for t := 1; t < T; t++ {
			p.rows = append(p.rows, scanRow{clear: -1, ops: []scanOp{{dst: t, a: t - 1, b: t}}})
		}
	case "hillis-steele":
		p.inclusive = true
		for k := 0; k < logT; k++ {
			r := scanRow{clear: -1}
			for t := 1 << k; t < T; t++ {
				r.ops = append(r.ops, scanOp{dst: t, a: t - 1<<k, b: t})
			}
			p.rows = append(p.rows, r)
		}
	case "blelloch":
		for d := 0; d < logT; d++ {
			r := scanRow{clear: -1, phase: "up-sweep"}
			for k := 0; k < T; k += 2 << d {
				left, right := k+1<<d-1, k+2<<d-1
				r.ops = append(r.ops, scanOp{dst: right, a: left, b: right})
			}
			p.rows = append(p.rows, r)
		}
		p.rows = append(p.rows, scanRow{clear: T - 1})
		for d := logT - 1; d >= 0; d-- {
			r := scanRow{clear: -1, phase: "down-sweep"}
			for k := 0; k < T; k += 2 << d {
				left, right := k+1<<d-1, k+2<<d-1
				r.ops = append(r.ops,
					scanOp{dst: left, a: right, copy: true},
					scanOp{dst: right, a: right, b: left}) // prefix before the subtree ∘ left half
			}
			p.rows = append(p.rows, r)
		}
	default:
		return scanPlan{}, fmt.Errorf("kind=%q; want \"blelloch\", \"hillis-steele\" or \"sequential\"", kind)
	}
	return p, nil
}

// ScanTree draws the dependency graph of a parallel prefix scan over T elements (T a power of
// two, 2..16): one small circle per (row, position), inputs x_1..x_T at the top, one row per
// parallel step below, with an edge from each operand to the result of each combine, and a
// caption with the work (number of combines) and depth (number of dependent rows), compared
// with the sequential loop (T−1 combines, depth T−1). kind is
//
//   - "blelloch": exclusive scan, up-sweep then down-sweep: 2(T−1) combines, depth 2·log2 T;
//   - "hillis-steele": inclusive scan, row k combines element t with t−2^k:
//     T·log2 T − (T−1) combines, depth log2 T;
//   - "sequential": the loop an RNN runs: T−1 combines, depth T−1.
//
// The counts in the caption are counted from the drawn graph, not typed in.
func ScanTree(T int, kind string) string {
	p, err := newScanPlan(T, kind)
	if err != nil {
		return errorSVG("svgplot.ScanTree: " + err.Error())
	}
	combines, depth := p.counts()
	logT := bits.TrailingZeros(uint(T))
	const (
		colW  = 40.0
		rowH  = 38.0
		left  = 100.0
		row0Y = 86.0
		rIn   = 7.0
	)
	n := func(i int) string { return strconv.Itoa(i) }
	nc := func(k int) string { return lang.T(n(k)+" "+plural(k, "combine", "combines"), n(k)+" 次组合") }
	depthW := lang.T(", depth ")
	seqLine := lang.T("sequential loop: T−1 = ") + nc(T-1) + depthW + n(T-1)
	var title, cap1, cap2, cap3 string
	switch kind {
	case "sequential":
		title = lang.T("Sequential scan, T = ") + n(T)
		cap1 = lang.T("work T−1 = ") + nc(combines) + lang.T(", depth T−1 = ") + n(depth)
		cap2 = lang.T("each combine waits for the previous one: the critical path of an RNN")
		hs := T*logT - (T - 1)
		cap3 = lang.T("parallel scans: Blelloch ") + nc(2*(T-1)) + depthW + n(2*logT) +
			lang.T("; Hillis–Steele ") + nc(hs) + depthW + n(logT)
	case "hillis-steele":
		title = lang.T("Hillis–Steele scan (inclusive), T = ") + n(T)
		cap1 = lang.T("work T·log_{2}T − (T−1) = ") + nc(combines) +
			lang.T(", depth log_{2}T = ") + n(depth)
		cap2 = seqLine
		cap3 = lang.T("the row at offset d combines element t − d into element t; output t = x_1 ∘ … ∘ x_t")
	case "blelloch":
		title = lang.T("Blelloch scan (exclusive), T = ") + n(T)
		cap1 = lang.T("work 2(T−1) = ") + nc(combines) +
			lang.T(", depth 2·log_{2}T = ") + n(depth)
		cap2 = seqLine
		cap3 = lang.T("dashed: copies (the down-sweep swap), not combines; output t = x_1 ∘ … ∘ x_{t−1}")
	}
	gridW := colW * float64(T)
	rightW := 150.0
	W := left + gridW + rightW
	for _, c := range []string{cap1, cap2, cap3} {
		W = math.Max(W, richWidth(c, 12)+40)
	}
	ox := (W - (left + gridW + rightW)) / 2 // centre the graph when captions are wider
	x := func(t int) float64 { return ox + left + colW*float64(t) + colW/2 }
	y := func(r int) float64 { return row0Y + rowH*float64(r) }
	lastY := y(len(p.rows))
	H := lastY + 90

	var b builder
	b.open(W, H)
	centredText(&b, W/2, 28, title, 15, "font-weight", "bold", "fill", colText)
	for t := range T {
		centredText(&b, x(t), row0Y-18, "x_{"+n(t+1)+"}", 12, "fill", colText)
	}
	b.text(ox+left-16, row0Y+4, lang.T("input"), "font-size", "12", "text-anchor", "end", "fill", colMuted)

	d := 0
	for ri, row := range p.rows {
		r := ri + 1
		color := colFwd
		if row.phase == "down-sweep" {
			color = colDown
		}
		written := make([]bool, T)
		for _, op := range row.ops {
			written[op.dst] = true
		}
		if row.clear >= 0 {
			written[row.clear] = true
		}
		for t := range T {
			if !written[t] {
				b.line(x(t), y(r-1)+4, x(t), y(r)-4, "stroke", "#cccccc", "stroke-width", "1")
			}
		}
		nComb := 0
		for _, op := range row.ops {
			operands := []int{op.a, op.b}
			c, w, dash := color, "1.8", ""
			if op.copy {
				operands, c, w, dash = operands[:1], "#999999", "1.4", "4 3"
			} else {
				nComb++
			}
			for _, o := range operands {
				sx, sy := onCircle(x(o), y(r-1), rIn, x(op.dst), y(r))
				ex, ey := onCircle(x(op.dst), y(r), rIn, x(o), y(r-1))
				b.line(sx, sy, ex, ey, "stroke", c, "stroke-width", w, "stroke-dasharray", dash)
			}
		}
		// Nodes of this row.
		for t := range T {
			switch {
			case t == row.clear:
				b.rect(x(t)-6, y(r)-6, 12, 12, "fill", "white", "stroke", colInk, "stroke-width", "1.2")
				b.text(x(t), y(r)+3.5, "e", "font-size", "10", "text-anchor", "middle", "fill", colText)
			case !written[t]:
				b.circle(x(t), y(r), 4, "fill", "white", "stroke", "#bbbbbb", "stroke-width", "1")
			}
		}
		for _, op := range row.ops {
			if op.copy {
				b.circle(x(op.dst), y(r), 6, "fill", "white", "stroke", "#777777", "stroke-width", "1.4")
			} else {
				b.circle(x(op.dst), y(r), rIn, "fill", color, "stroke", color, "stroke-width", "1")
			}
		}
		label, right := "", ""
		if nComb > 0 {
			d++
			label = lang.T("depth ") + n(d)
			right = nc(nComb)
		}
		switch {
		case row.clear >= 0:
			right = lang.T("root ← identity e")
		case kind == "hillis-steele":
			right = lang.T("offset ") + n(1<<(r-1)) + lang.T(": ") + right
		case row.phase == "up-sweep":
			right = lang.T("up-sweep: ") + right
		case row.phase == "down-sweep":
			right = lang.T("down-sweep: ") + right
		}
		b.text(ox+left-16, y(r)+4, label, "font-size", "12", "text-anchor", "end", "fill", colText)
		b.text(ox+left+gridW+8, y(r)+4, right, "font-size", "11", "fill", colMuted)
	}
	for t := range T { // inputs on top of the first edges
		b.circle(x(t), row0Y, rIn, "fill", "#f2f2f2", "stroke", "#666666", "stroke-width", "1.2")
	}
	centredText(&b, W/2, lastY+36, cap1, 13, "font-weight", "bold", "fill", colText)
	centredText(&b, W/2, lastY+55, cap2, 12, "fill", colMuted)
	centredText(&b, W/2, lastY+73, cap3, 12, "fill", colMuted)
	return b.finish()
}

// BPTTDiagram draws backpropagation through time for T steps: the forward chain
// h_0 → h_1 → … → h_T left to right, and below it the gradients ∂L/∂h_T → … → ∂L/∂h_1 right
// to left, since ∂L/∂h_t = ∂ℓ_t/∂h_t + ∂L/∂h_{t+1} · ∂h_{t+1}/∂h_t waits for ∂L/∂h_{t+1}.
// Dashed arrows h_t → ∂L/∂h_t mark the direct loss term, which needs the stored h_t. Step
// numbers show the order in each pass. For T > 8 only steps 1, 2, 3, T−1 and T are drawn.
// T must be ≥ 1.
func BPTTDiagram(T int) string {
	if T < 1 {
		return errorSVG(fmt.Sprintf("svgplot.BPTTDiagram: T=%d; want T ≥ 1", T))
	}
	const (
		dx    = 88.0
		left  = 110.0
		yH    = 92.0
		yG    = 196.0
		rH    = 19.0
		gHalf = 29.0
		gH    = 15.0
	)
	tt := strconv.Itoa(T)
	steps := displaySteps(T)
	cap1 := lang.T("forward: h_t = f(h_{t−1}, x_t), left to right: "+tt+" sequential "+plural(T, "step", "steps"),
		"前向：h_t = f(h_{t−1}, x_t)，从左到右："+tt+" 个按序执行的时间步")
	cap2 := lang.T("backward: ∂L/∂h_t = ∂ℓ_t/∂h_t + ∂L/∂h_{t+1} · ∂h_{t+1}/∂h_t waits for ∂L/∂h_{t+1}: another "+
		tt+" sequential "+plural(T, "step", "steps"),
		"反向：∂L/∂h_t = ∂ℓ_t/∂h_t + ∂L/∂h_{t+1} · ∂h_{t+1}/∂h_t 要等待 ∂L/∂h_{t+1}：又是 "+tt+" 个按序执行的时间步")
	cap3 := lang.T("dashed: the direct term ∂ℓ_t/∂h_t, which needs h_t stored from the forward pass (memory grows with T)")
	contentW := left + 20 + dx*float64(len(steps)) + 50
	W := contentW
	for _, c := range []string{cap1, cap2, cap3} {
		W = math.Max(W, richWidth(c, 12)+40)
	}
	x0 := left + 20 + (W-contentW)/2
	xs := make([]float64, len(steps))
	for i := range steps {
		xs[i] = x0 + dx*float64(i+1)
	}
	H := 320.0

	var b builder
	b.open(W, H)
	centredText(&b, W/2, 28, lang.T("Backpropagation through time, T = ")+tt, 15, "font-weight", "bold", "fill", colText)
	b.text(16, yH+5, lang.T("forward →"), "font-size", "13", "font-weight", "bold", "fill", colFwd)
	b.text(16, yG+5, lang.T("backward ←"), "font-size", "13", "font-weight", "bold", "fill", colCrit)
	ell := func(x, y float64, c string) {
		b.text(x, y+6, "⋯", "font-size", "20", "text-anchor", "middle", "fill", c)
	}

	// Forward chain.
	prevX, prevGap := x0, false
	for i, t := range steps {
		x := xs[i]
		if t == 0 {
			b.arrow(prevX+rH+2, yH, x-16, yH, colFwd, 2, true)
			ell(x, yH, colFwd)
			ell(x, yG, colCrit)
			prevX, prevGap = x, true
			continue
		}
		sx := prevX + rH + 2
		if prevGap {
			sx = prevX + 16
		}
		b.arrow(sx, yH, x-rH-2, yH, colFwd, 2, prevGap)
		b.arrow(x, yH+rH+2, x, yG-gH-2, colSoft, 1.2, true)
		b.text(x, yH-rH-8, lang.Sprintf("step %d", t), "font-size", "10", "text-anchor", "middle", "fill", colFwd)
		prevX, prevGap = x, false
	}
	// The first vertical arrow carries the label of all of them.
	b.textRaw(xs[0]+5, (yH+yG)/2+4, rich("∂ℓ_t/∂h_t", 10), "font-size", "10", "fill", colMuted)
	for i, t := range append([]int{0}, steps...) {
		x := x0
		if i > 0 {
			x = xs[i-1]
		}
		if t == 0 && i > 0 {
			continue
		}
		b.circle(x, yH, rH, "fill", "#eaf2fb", "stroke", colFwd, "stroke-width", "1.6")
		centredText(&b, x, yH+5, "h_{"+strconv.Itoa(t)+"}", 14, "fill", colText)
	}

	// Backward chain, right to left: ∂L/∂h_{t+1} → ∂L/∂h_t.
	for i := len(steps) - 1; i > 0; i-- {
		from, to := xs[i], xs[i-1]
		dashed := steps[i] == 0 || steps[i-1] == 0
		sx, ex := from-gHalf-2, to+gHalf+2
		if steps[i] == 0 {
			sx = from - 16
		}
		if steps[i-1] == 0 {
			ex = to + 16
		}
		b.arrow(sx, yG, ex, yG, colCrit, 2, dashed)
	}
	for i, t := range steps {
		if t == 0 {
			continue
		}
		x := xs[i]
		b.rect(x-gHalf, yG-gH, 2*gHalf, 2*gH, "rx", "6", "fill", "#fbede5", "stroke", colCrit, "stroke-width", "1.6")
		centredText(&b, x, yG+4.5, "∂L/∂h_{"+strconv.Itoa(t)+"}", 12, "fill", colText)
		b.text(x, yG+gH+15, lang.Sprintf("step %d", T-t+1), "font-size", "10", "text-anchor", "middle", "fill", colCrit)
	}

	centredText(&b, W/2, 262, cap1, 12, "fill", colFwd)
	centredText(&b, W/2, 281, cap2, 12, "fill", colCrit)
	centredText(&b, W/2, 300, cap3, 12, "fill", colMuted)
	return b.finish()
}
