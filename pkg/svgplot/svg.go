package svgplot

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Font sizes in px, shared by charts and diagrams.
const (
	fsTitle  = 16.0
	fsNote   = 11.0
	fsLabel  = 13.0
	fsTick   = 11.0
	fsLegend = 12.0
)

// Colours used for chrome (not data).
const (
	colText  = "#222222"
	colMuted = "#555555"
	colGrid  = "#dddddd"
	colMinor = "#eeeeee"
	colFrame = "#444444"
	colRef   = "#555555"
)

// Palette is the default series palette: the Okabe-Ito colours (Okabe & Ito, "Color Universal
// Design", 2008), ordered so that the first ones are the most distinct for the common forms of
// colour blindness and read well on white. Yellow comes last: it is hard to see on white.
var Palette = []string{
	"#0072B2", // blue
	"#D55E00", // vermillion
	"#009E73", // bluish green
	"#E69F00", // orange
	"#CC79A7", // reddish purple
	"#56B4E9", // sky blue
	"#000000", // black
	"#F0E442", // yellow
}

// builder accumulates an SVG document. Every number goes through num, so the output is
// byte-for-byte deterministic.
type builder struct{ sb strings.Builder }

// open writes the root <svg> element. The document has no ids, <defs>, <style> or scripts, so
// several of them can be inlined in one HTML page (a notebook export) without clashing.
func (b *builder) open(w, h float64) {
	w, h = math.Ceil(w), math.Ceil(h) // whole pixels
	b.sb.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="` + num(w) + `" height="` + num(h) +
		`" viewBox="0 0 ` + num(w) + " " + num(h) + `" font-family="sans-serif">` + "\n")
	b.el("rect", "width", num(w), "height", num(h), "fill", "white")
}

func (b *builder) finish() string {
	b.sb.WriteString("</svg>\n")
	return b.sb.String()
}

func (b *builder) raw(s string) { b.sb.WriteString(s) }

// attrs writes key="value" pairs; pairs with an empty value are omitted, which keeps optional
// attributes (dash patterns, opacity) out of the output.
func (b *builder) attrs(kv []string) {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		b.sb.WriteByte(' ')
		b.sb.WriteString(kv[i])
		b.sb.WriteString(`="`)
		b.sb.WriteString(esc(kv[i+1]))
		b.sb.WriteByte('"')
	}
}

// el writes a self-closing element.
func (b *builder) el(name string, kv ...string) {
	b.sb.WriteByte('<')
	b.sb.WriteString(name)
	b.attrs(kv)
	b.sb.WriteString("/>\n")
}

// openEl writes a start tag; closeEl the matching end tag.
func (b *builder) openEl(name string, kv ...string) {
	b.sb.WriteByte('<')
	b.sb.WriteString(name)
	b.attrs(kv)
	b.sb.WriteString(">\n")
}

func (b *builder) closeEl(name string) { b.sb.WriteString("</" + name + ">\n") }

// text writes s (escaped) at baseline (x, y).
func (b *builder) text(x, y float64, s string, kv ...string) {
	b.textRaw(x, y, esc(s), kv...)
}

// textRaw writes already-escaped inner markup (e.g. from rich) at baseline (x, y).
func (b *builder) textRaw(x, y float64, inner string, kv ...string) {
	b.sb.WriteString(`<text x="` + num(x) + `" y="` + num(y) + `"`)
	b.attrs(kv)
	b.sb.WriteString(">" + inner + "</text>\n")
}

func (b *builder) line(x1, y1, x2, y2 float64, kv ...string) {
	b.el("line", append([]string{"x1", num(x1), "y1", num(y1), "x2", num(x2), "y2", num(y2)}, kv...)...)
}

func (b *builder) rect(x, y, w, h float64, kv ...string) {
	b.el("rect", append([]string{"x", num(x), "y", num(y), "width", num(w), "height", num(h)}, kv...)...)
}

func (b *builder) circle(cx, cy, r float64, kv ...string) {
	b.el("circle", append([]string{"cx", num(cx), "cy", num(cy), "r", num(r)}, kv...)...)
}

// num formats a coordinate with at most two decimals and no trailing zeros.
func num(x float64) string {
	r := math.Round(x*100) / 100
	if r == 0 {
		return "0" // also turns -0 into 0
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")

// esc escapes text for use in XML character data and attribute values. Characters that XML 1.0
// forbids (control characters) are dropped so that the output always parses.
func esc(s string) string {
	clean := strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		if r < 0x20 || r == 0xFFFE || r == 0xFFFF || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
	return escaper.Replace(clean)
}

// textWidth estimates the rendered width of s in a sans-serif font of size fs: full-width
// characters one em, others 0.6 em (digits and most lowercase letters are about 0.55 em wide in
// Helvetica, Arial and DejaVu Sans; 0.6 em keeps some slack for capitals).
func textWidth(s string, fs float64) float64 {
	w := 0.0
	for _, r := range s {
		if wide(r) {
			w += fs
		} else {
			w += fs * 0.6
		}
	}
	return w
}

// wide reports whether r is a full-width character (CJK ideographs, kana, Hangul, full-width
// punctuation), about one em wide.
func wide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFF60)
}

// wrap breaks s into lines of at most maxW px (estimated), at spaces and between full-width
// characters (Chinese text has no spaces).
func wrap(s string, fs, maxW float64) []string {
	// Tokens: words, each followed by its separator ("" between full-width characters, " " at a space).
	type token struct{ text, sep string }
	var toks []token
	for _, word := range strings.Fields(s) {
		start := 0
		for i, r := range word {
			if !wide(r) {
				continue
			}
			if i > start {
				toks = append(toks, token{word[start:i], ""})
			}
			start = i + utf8.RuneLen(r)
			toks = append(toks, token{word[i:start], ""})
		}
		if start < len(word) {
			toks = append(toks, token{word[start:], ""})
		}
		toks[len(toks)-1].sep = " "
	}
	if len(toks) == 0 {
		return nil
	}
	var lines []string
	cur, sep := toks[0].text, toks[0].sep
	for _, t := range toks[1:] {
		if textWidth(cur+sep+t.text, fs) > maxW && !(sep == "" && startsWithClosing(t.text)) {
			lines = append(lines, cur)
			cur, sep = t.text, t.sep
			continue
		}
		cur += sep + t.text
		sep = t.sep
	}
	return append(lines, cur)
}

// startsWithClosing: full-width punctuation that must not begin a line (，。：；）、！？).
func startsWithClosing(s string) bool {
	return strings.ContainsAny(firstRune(s), "，。：；）、！？")
}

func firstRune(s string) string {
	for _, r := range s {
		return string(r)
	}
	return ""
}

// rich converts a tiny markup into escaped SVG text content: in "h_t", "h_{t−1}" and "x_12" the
// index is set as a subscript (a smaller <tspan> shifted down with dy, and the text after it
// shifted back up). "_{...}" subscripts the group; a bare "_" subscripts the following run of
// ASCII letters and digits. Used for diagram labels only: chart text is written literally.
func rich(s string, fs float64) string {
	var out strings.Builder
	shift := num(fs * 0.3)
	lowered := false
	for _, sg := range richSegs(s) {
		switch {
		case sg.sub:
			dy := shift
			if lowered {
				dy = "0"
			}
			out.WriteString(`<tspan dy="` + dy + `" font-size="` + num(fs*0.75) + `">` + esc(sg.s) + "</tspan>")
			lowered = true
		case lowered:
			out.WriteString(`<tspan dy="-` + shift + `">` + esc(sg.s) + "</tspan>")
			lowered = false
		default:
			out.WriteString(esc(sg.s))
		}
	}
	return out.String()
}

type richSeg struct {
	s   string
	sub bool
}

func richSegs(s string) []richSeg {
	rs := []rune(s)
	var segs []richSeg
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			segs = append(segs, richSeg{s: string(cur)})
			cur = nil
		}
	}
	for i := 0; i < len(rs); i++ {
		if rs[i] != '_' || i+1 == len(rs) {
			cur = append(cur, rs[i])
			continue
		}
		var sub []rune
		if rs[i+1] == '{' {
			k := i + 2
			for k < len(rs) && rs[k] != '}' {
				k++
			}
			sub = rs[i+2 : k]
			i = k // at '}' (or past the end)
		} else {
			k := i + 1
			for k < len(rs) && isAlnum(rs[k]) {
				k++
			}
			if k == i+1 { // "_" followed by punctuation: literal
				cur = append(cur, '_')
				continue
			}
			sub = rs[i+1 : k]
			i = k - 1
		}
		flush()
		segs = append(segs, richSeg{s: string(sub), sub: true})
	}
	flush()
	return segs
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// richWidth estimates the width of rich text (subscripts count three quarters).
func richWidth(s string, fs float64) float64 {
	w := 0.0
	for _, sg := range richSegs(s) {
		if sg.sub {
			w += textWidth(sg.s, fs*0.75)
		} else {
			w += textWidth(sg.s, fs)
		}
	}
	return w
}

// arrow draws a straight arrow from (x1, y1) to the tip (x2, y2) with a filled triangular head.
// The head is a plain polygon (not an SVG <marker>), so the document needs no ids.
func (b *builder) arrow(x1, y1, x2, y2 float64, color string, width float64, dashed bool) {
	dx, dy := x2-x1, y2-y1
	n := math.Hypot(dx, dy)
	if n == 0 {
		return
	}
	ux, uy := dx/n, dy/n
	headLen := 6 + 1.5*width
	headHalf := 3 + width
	if headLen > n*0.6 {
		headLen = n * 0.6
	}
	bx, by := x2-ux*headLen, y2-uy*headLen
	dash := ""
	if dashed {
		dash = "5 3"
	}
	b.line(x1, y1, bx+ux*0.5, by+uy*0.5, "stroke", color, "stroke-width", num(width), "stroke-dasharray", dash)
	b.el("polygon", "points", num(x2)+","+num(y2)+" "+
		num(bx-uy*headHalf)+","+num(by+ux*headHalf)+" "+
		num(bx+uy*headHalf)+","+num(by-ux*headHalf), "fill", color)
}

// onCircle returns the point on the circle (cx, cy, r) in the direction of (tx, ty).
func onCircle(cx, cy, r, tx, ty float64) (float64, float64) {
	dx, dy := tx-cx, ty-cy
	n := math.Hypot(dx, dy)
	if n == 0 {
		return cx, cy
	}
	return cx + dx/n*r, cy + dy/n*r
}

// onBox returns the point on the border of the box centred at (cx, cy) with half sizes hw, hh
// in the direction of (tx, ty).
func onBox(cx, cy, hw, hh, tx, ty float64) (float64, float64) {
	dx, dy := tx-cx, ty-cy
	t := math.Inf(1)
	if dx != 0 {
		t = hw / math.Abs(dx)
	}
	if dy != 0 {
		t = math.Min(t, hh/math.Abs(dy))
	}
	if math.IsInf(t, 1) {
		return cx, cy
	}
	return cx + dx*t, cy + dy*t
}

// errorSVG renders a small card that states what was wrong; the diagram functions return it
// for invalid arguments, so that a notebook cell shows the problem instead of crashing.
func errorSVG(msg string) string {
	var b builder
	w := math.Max(320, textWidth(msg, fsLabel)+40)
	b.open(w, 60)
	b.rect(0.5, 0.5, w-1, 59, "fill", "#fff4f0", "stroke", "#D55E00")
	b.text(20, 35, msg, "font-size", num(fsLabel), "fill", "#A03000")
	return b.finish()
}
