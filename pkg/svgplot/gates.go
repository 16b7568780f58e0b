package svgplot

import (
	"fmt"

	"github.com/rnn-course/bottleneck/pkg/lang"
)

// GateDiagram draws the data flow inside one step of a gated cell, with PyTorch's equations:
// kind "lstm" or "gru". Gates (σ) and candidates (tanh) are boxes fed by h_{t−1} and x_t;
// elementwise products (⊙), sums (+) and 1 − z are circles; the paths that carry the state from
// t−1 to t run along the top. An unknown kind gives an SVG stating the problem.
func GateDiagram(kind string) string {
	switch kind {
	case "lstm":
		return lstmDiagram()
	case "gru":
		return gruDiagram()
	}
	return errorSVG(fmt.Sprintf("svgplot.GateDiagram: kind=%q; want \"lstm\" or \"gru\"", kind))
}

// gateCanvas holds the drawing helpers shared by the two diagrams.
type gateCanvas struct{ b builder }

const (
	gateHW, gateHH = 24.0, 15.0 // half sizes of a gate box
	opR            = 12.0       // radius of an operation circle
)

func (g *gateCanvas) gate(x, y float64, label, fill string) {
	g.b.rect(x-gateHW, y-gateHH, 2*gateHW, 2*gateHH, "rx", "5", "fill", fill, "stroke", colInk, "stroke-width", "1.2")
	centredText(&g.b, x, y+5, label, 13, "fill", colText)
}

func (g *gateCanvas) op(x, y float64, label string) {
	g.b.circle(x, y, opR, "fill", "#ffffff", "stroke", colInk, "stroke-width", "1.2")
	centredText(&g.b, x, y+5, label, 14, "fill", colText)
}

func (g *gateCanvas) state(x, y float64, label string) {
	g.b.circle(x, y, 19, "fill", "#eaf2fb", "stroke", colFwd, "stroke-width", "1.6")
	centredText(&g.b, x, y+5, label, 13, "fill", colText)
}

// link draws an arrow between two shapes given by their centres and half sizes (a circle has
// hw = hh = r; the arrow starts and ends on their borders).
func (g *gateCanvas) link(x1, y1, hw1, hh1, x2, y2, hw2, hh2 float64, color string, width float64) {
	ax, ay := onBox(x1, y1, hw1, hh1, x2, y2)
	bx, by := onBox(x2, y2, hw2, hh2, x1, y1)
	g.b.arrow(ax, ay, bx, by, color, width, false)
}

// elbow draws a path right then up (or down) to a shape, with the arrow on the last segment.
func (g *gateCanvas) elbow(x1, y1, x2, y2, hh2 float64, color string) {
	g.b.line(x1, y1, x2, y1, "stroke", color, "stroke-width", "1.2")
	end := y2 + hh2
	if y1 < y2 {
		end = y2 - hh2
	}
	g.b.arrow(x2, y1, x2, end, color, 1.2, false)
}

func (g *gateCanvas) caption(W float64, y float64, lines ...string) {
	for i, l := range lines {
		centredText(&g.b, W/2, y+float64(i)*18, l, 12, "fill", colMuted)
	}
}

// lstmDiagram: c_{t−1} → ⊙f → + → c_t along the top; i ⊙ g joins at +; tanh(c_t) ⊙ o gives h_t.
func lstmDiagram() string {
	const W, H = 640.0, 470.0
	var g gateCanvas
	g.b.open(W, H)
	centredText(&g.b, W/2, 28, lang.T("LSTM step (PyTorch's equations)"), 15, "font-weight", "bold", "fill", colText)
	yC, yMid, yGate, yIn := 70.0, 150.0, 240.0, 310.0
	// The cell-state path along the top: the one the gradient can follow without squashing.
	g.state(50, yC, "c_{t−1}")
	g.op(200, yC, "⊙")
	g.op(330, yC, "+")
	g.state(590, yC, "c_t")
	g.link(50, yC, 19, 19, 200, yC, opR, opR, colCrit, 2.6)
	g.link(200, yC, opR, opR, 330, yC, opR, opR, colCrit, 2.6)
	g.link(330, yC, opR, opR, 590, yC, 19, 19, colCrit, 2.6)
	// Gates from [h_{t−1}, x_t].
	g.state(50, yIn, "h_{t−1}")
	g.state(120, yIn+55, "x_t")
	gates := []struct {
		x           float64
		label, fill string
	}{{200, "σ: f", "#fdf2e9"}, {280, "σ: i", "#fdf2e9"}, {360, "tanh: g", "#eef7ee"}, {460, "σ: o", "#fdf2e9"}}
	busY := yIn
	g.b.line(69, busY, 480, busY, "stroke", colSoft, "stroke-width", "1.2")
	g.b.line(120, yIn+36, 120, busY, "stroke", colSoft, "stroke-width", "1.2")
	for _, gt := range gates {
		g.b.arrow(gt.x, busY, gt.x, yGate+gateHH, colSoft, 1.2, false)
		g.gate(gt.x, yGate, gt.label, gt.fill)
	}
	g.link(200, yGate, gateHW, gateHH, 200, yC, opR, opR, colInk, 1.2) // f → ⊙
	g.op(320, yMid, "⊙")                                               // i ⊙ g
	g.link(280, yGate, gateHW, gateHH, 320, yMid, opR, opR, colInk, 1.2)
	g.link(360, yGate, gateHW, gateHH, 320, yMid, opR, opR, colInk, 1.2)
	g.link(320, yMid, opR, opR, 330, yC, opR, opR, colInk, 1.2)
	// h_t = o ⊙ tanh(c_t).
	g.gate(520, yMid-30, "tanh", "#eef7ee")
	g.b.line(520, yC, 520, yMid-30-gateHH-6, "stroke", colInk, "stroke-width", "1.2")
	g.b.arrow(520, yC, 520, yMid-30-gateHH, colInk, 1.2, false)
	g.op(520, yMid+40, "⊙")
	g.link(520, yMid-30, gateHW, gateHH, 520, yMid+40, opR, opR, colInk, 1.2)
	g.link(460, yGate, gateHW, gateHH, 520, yMid+40, opR, opR, colInk, 1.2)
	g.state(590, yMid+40, "h_t")
	g.link(520, yMid+40, opR, opR, 590, yMid+40, 19, 19, colFwd, 1.6)
	g.caption(W, 405,
		lang.T("f, i, o = σ(W x_t + U h_{t−1} + b), one (W, U, b) each;  g = tanh(W_g x_t + U_g h_{t−1} + b_g)"),
		"c_t = f ⊙ c_{t−1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)",
		lang.T("vermillion: the cell-state path from c_{t−1} to c_t (only products with f, no squashing)"))
	return g.b.finish()
}

// gruDiagram: h_{t−1} → ⊙z → + → h_t along the top; (1 − z) ⊙ n joins at +; r gates W_hn h.
func gruDiagram() string {
	const W, H = 640.0, 470.0
	var g gateCanvas
	g.b.open(W, H)
	centredText(&g.b, W/2, 28, lang.T("GRU step (PyTorch's equations)"), 15, "font-weight", "bold", "fill", colText)
	yTop, yMid, yGate, yIn := 70.0, 150.0, 240.0, 310.0
	g.state(50, yTop, "h_{t−1}")
	g.op(330, yTop, "⊙")
	g.op(450, yTop, "+")
	g.state(590, yTop, "h_t")
	g.link(50, yTop, 19, 19, 330, yTop, opR, opR, colCrit, 2.6)
	g.link(330, yTop, opR, opR, 450, yTop, opR, opR, colCrit, 2.6)
	g.link(450, yTop, opR, opR, 590, yTop, 19, 19, colCrit, 2.6)
	// Gates r, z from [h_{t−1}, x_t]; the candidate n from x_t and r ⊙ (W_hn h_{t−1} + b_hn).
	g.b.line(50, yTop+19, 50, yIn, "stroke", colSoft, "stroke-width", "1.2")
	g.state(120, yIn+55, "x_t")
	g.b.line(50, yIn, 400, yIn, "stroke", colSoft, "stroke-width", "1.2")
	g.b.line(120, yIn+36, 120, yIn, "stroke", colSoft, "stroke-width", "1.2")
	for _, gt := range []struct {
		x           float64
		label, fill string
	}{{200, "σ: r", "#fdf2e9"}, {330, "σ: z", "#fdf2e9"}} {
		g.b.arrow(gt.x, yIn, gt.x, yGate+gateHH, colSoft, 1.2, false)
		g.gate(gt.x, yGate, gt.label, gt.fill)
	}
	g.op(200, yMid, "⊙") // r ⊙ (W_hn h + b_hn)
	g.link(200, yGate, gateHW, gateHH, 200, yMid, opR, opR, colInk, 1.2)
	g.gate(110, yMid, "U_n h", "#f4f4f4")
	g.b.line(50, yMid, 110-gateHW, yMid, "stroke", colSoft, "stroke-width", "1.2")
	g.link(110, yMid, gateHW, gateHH, 200, yMid, opR, opR, colInk, 1.2)
	g.gate(270, yMid, "tanh: n", "#eef7ee")
	g.link(200, yMid, opR, opR, 270, yMid, gateHW, gateHH, colInk, 1.2)
	g.b.line(139, yIn+55, 270, yIn+55, "stroke", colSoft, "stroke-width", "1.2") // n reads x_t itself
	g.b.arrow(270, yIn+55, 270, yMid+gateHH, colSoft, 1.2, false)
	g.link(330, yGate, gateHW, gateHH, 330, yTop, opR, opR, colInk, 1.2) // z ⊙ h_{t−1}
	g.op(400, yGate-40, "1−z")
	g.link(330, yGate, gateHW, gateHH, 400, yGate-40, opR, opR, colInk, 1.2)
	g.op(450, yMid, "⊙") // (1 − z) ⊙ n
	g.link(400, yGate-40, opR, opR, 450, yMid, opR, opR, colInk, 1.2)
	g.link(270, yMid, gateHW, gateHH, 450, yMid, opR, opR, colInk, 1.2)
	g.link(450, yMid, opR, opR, 450, yTop, opR, opR, colInk, 1.2)
	g.caption(W, 405,
		lang.T("r, z = σ(W x_t + U h_{t−1} + b), one (W, U, b) each;  n = tanh(W_n x_t + b_n + r ⊙ (U_n h_{t−1} + c_n))"),
		"h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}",
		lang.T("vermillion: the path from h_{t−1} to h_t through z (a gate near 1 keeps the old state)"))
	return g.b.finish()
}
