// Package msgscan finds the course's message calls, the English texts that go through the
// Chinese edition's catalog (pkg/lang): calls of T, Sprintf, Printf, Println and Errorf of the
// packages lang and notebook (unqualified inside pkg/lang and pkg/notebook), in the library's Go files and in the
// code cells (```go blocks) of the notebook sources. It works on Go tokens (go/scanner), not on
// a syntax tree, because a GoNB cell is not a Go file (top-level statements, %% lines); the same
// scanner serves TestCatalog (pkg/lang) and the converter tools/i18nconv, which rewrites calls by
// their byte offsets. A message is a constant: string literals joined by +.
package msgscan

import (
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Funcs are the message functions; the first argument of each is the message (Msg marks one
// that is kept in English and translated when shown, by Localize).
var Funcs = map[string]bool{"T": true, "Msg": true, "Sprintf": true, "Printf": true, "Println": true, "Errorf": true}

// Packages are the selectors whose Funcs are message calls.
var Packages = map[string]bool{"lang": true, "notebook": true}

// Tok is a token with its byte offsets in the scanned text.
type Tok struct {
	Tok        token.Token
	Lit        string
	Start, End int
}

// Tokens scans Go code (a file or a cell) into tokens, comments and errors skipped.
func Tokens(src []byte) []Tok {
	fs := token.NewFileSet()
	f := fs.AddFile("", -1, len(src))
	var s scanner.Scanner
	s.Init(f, src, func(token.Position, string) {}, 0)
	var out []Tok
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return out
		}
		if tok == token.SEMICOLON && lit == "\n" {
			continue
		}
		start := f.Offset(pos)
		end := start + len(lit)
		if lit == "" {
			end = start + len(tok.String())
		}
		out = append(out, Tok{tok, lit, start, end})
	}
}

// Arg is one argument of a call: its tokens' byte range and, when it is a constant string
// (literals joined by +), its value.
type Arg struct {
	Start, End int
	Const      bool
	Value      string
}

// Call is a message call in scanned text.
type Call struct {
	Pkg, Func  string // Pkg "" for an unqualified call inside pkg/lang
	Start      int    // offset of the selector (or the name)
	Lparen     int    // offset of (
	Rparen     int    // offset of the matching )
	Args       []Arg
	FirstTok   int // index in the token slice of the selector or name
	RparenTok  int // index of the )
	OpenTokIdx int // index of the (
}

// Key is the message (the first argument) and whether it is a constant.
func (c Call) Key() (string, bool) {
	if len(c.Args) == 0 {
		return "", false
	}
	return c.Args[0].Value, c.Args[0].Const
}

// TwoLanguage reports whether c is the old form T(en, zh).
func (c Call) TwoLanguage() bool { return c.Func == "T" && len(c.Args) >= 2 }

// Calls finds the message calls in Go code. unqualified also counts bare T(…), Sprintf(…), …
// (inside pkg/lang).
func Calls(src []byte, unqualified bool) ([]Call, []Tok) {
	toks := Tokens(src)
	var out []Call
	for i := 0; i < len(toks); i++ {
		var c Call
		j := i
		switch {
		case toks[i].Tok == token.IDENT && Packages[toks[i].Lit] && i+3 < len(toks) && toks[i+1].Tok == token.PERIOD &&
			toks[i+2].Tok == token.IDENT && Funcs[toks[i+2].Lit] && toks[i+3].Tok == token.LPAREN &&
			(i == 0 || toks[i-1].Tok != token.PERIOD):
			c = Call{Pkg: toks[i].Lit, Func: toks[i+2].Lit}
			j = i + 3
		case unqualified && toks[i].Tok == token.IDENT && Funcs[toks[i].Lit] && i+1 < len(toks) && toks[i+1].Tok == token.LPAREN &&
			(i == 0 || (toks[i-1].Tok != token.PERIOD && toks[i-1].Tok != token.FUNC && !isReceiver(toks, i-1))):
			c = Call{Func: toks[i].Lit}
			j = i + 1
		default:
			continue
		}
		c.Start, c.FirstTok, c.OpenTokIdx, c.Lparen = toks[i].Start, i, j, toks[j].Start
		depth, argStart := 0, j+1
		k := j + 1
		for ; k < len(toks); k++ {
			switch toks[k].Tok {
			case token.LPAREN, token.LBRACK, token.LBRACE:
				depth++
				continue
			case token.RPAREN, token.RBRACK, token.RBRACE:
				if depth > 0 {
					depth--
					continue
				}
			case token.COMMA:
				if depth > 0 {
					continue
				}
			default:
				continue
			}
			if argStart < k {
				c.Args = append(c.Args, arg(toks[argStart:k]))
			}
			argStart = k + 1
			if toks[k].Tok == token.RPAREN {
				break
			}
		}
		if k >= len(toks) {
			continue // unbalanced: not a call we understand
		}
		c.Rparen, c.RparenTok = toks[k].Start, k
		out = append(out, c)
	}
	return out, toks
}

func arg(ts []Tok) Arg {
	a := Arg{Start: ts[0].Start, End: ts[len(ts)-1].End, Const: true}
	var b strings.Builder
	for n, t := range ts {
		if n%2 == 1 {
			if t.Tok != token.ADD {
				a.Const = false
			}
			continue
		}
		if t.Tok != token.STRING {
			a.Const = false
			continue
		}
		s, err := strconv.Unquote(t.Lit)
		if err != nil {
			a.Const = false
		}
		b.WriteString(s)
	}
	if len(ts)%2 == 0 {
		a.Const = false
	}
	if a.Const {
		a.Value = b.String()
	}
	return a
}

// Cell is a code cell of a notebook source: its text and where it starts (byte offset, line).
type Cell struct {
	Start, Line int
	Text        string
}

var fenceRE = regexp.MustCompile("(?m)^```go( solution)?[ \t]*\n")

// Cells returns the ```go blocks of a notebook source (the code cells tools/mknb makes).
func Cells(md string) []Cell {
	var out []Cell
	for _, loc := range fenceRE.FindAllStringIndex(md, -1) {
		start := loc[1]
		end := strings.Index(md[start:], "\n```")
		var text string
		if end < 0 {
			text = md[start:]
		} else {
			text = md[start : start+end+1]
		}
		out = append(out, Cell{Start: start, Line: strings.Count(md[:start], "\n") + 1, Text: text})
	}
	return out
}

// Source is a file whose message calls count: a Go file of the library or a notebook source.
type Source struct {
	Path string // relative to the repository root, slash-separated
	Data []byte
}

// IsNotebook reports whether s is a notebook source (Markdown with code cells).
func (s Source) IsNotebook() bool { return strings.HasSuffix(s.Path, ".md") }

// Unqualified reports whether bare T(…) calls count in s (inside pkg/lang and pkg/notebook,
// which define them).
func (s Source) Unqualified() bool {
	return strings.HasPrefix(s.Path, "pkg/lang/") || strings.HasPrefix(s.Path, "pkg/notebook/")
}

// Load reads the sources under root: the non-test Go files under pkg/, cmd/ and internal/ and
// the English notebook sources notebooks/src/*.md (the zh sources have no code).
func Load(root string) ([]Source, error) {
	var out []Source
	for _, dir := range []string{"pkg", "cmd", "internal"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d os.DirEntry, err error) error {
			if err != nil {
				if os.IsNotExist(err) {
					return nil
				}
				return err
			}
			if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			return add(&out, root, p)
		})
		if err != nil {
			return nil, err
		}
	}
	mds, err := filepath.Glob(filepath.Join(root, "notebooks", "src", "*.md"))
	if err != nil {
		return nil, err
	}
	for _, p := range mds {
		if err := add(&out, root, p); err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func add(out *[]Source, root, p string) error {
	data, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return err
	}
	*out = append(*out, Source{Path: filepath.ToSlash(rel), Data: data})
	return nil
}

// Found is a message call located in a source.
type Found struct {
	Path string
	Line int
	Call Call
	Cell bool // in a notebook's code cell
}

// Find returns the message calls of the sources, with file lines.
func Find(srcs []Source) []Found {
	var out []Found
	for _, s := range srcs {
		if s.IsNotebook() {
			md := string(s.Data)
			for _, cell := range Cells(md) {
				calls, _ := Calls([]byte(cell.Text), false)
				for _, c := range calls {
					out = append(out, Found{Path: s.Path, Line: cell.Line + strings.Count(cell.Text[:c.Start], "\n"), Call: c, Cell: true})
				}
			}
			continue
		}
		calls, _ := Calls(s.Data, s.Unqualified())
		for _, c := range calls {
			out = append(out, Found{Path: s.Path, Line: 1 + strings.Count(string(s.Data[:c.Start]), "\n"), Call: c})
		}
	}
	return out
}

var cjkRE = regexp.MustCompile(`[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\x{3000}-\x{303F}\x{FF00}-\x{FFEF}]`)

// HasCJK reports whether s has a CJK character (Han, kana, Hangul, CJK punctuation, full-width forms).
func HasCJK(s string) bool { return cjkRE.MatchString(s) }

// Audit checks the sources against the catalog's keys and returns one line per problem:
//   - a message (constant first argument of a message call) with no catalog entry;
//   - a catalog entry no message call uses;
//   - an old two-language T(en, zh) with constant texts (tools/i18nconv converts it);
//   - in a notebook's code cell: a message that is not a constant, or a line with a CJK
//     character (the code cells are the same in both editions);
//   - in the library: a non-constant message, except in the message functions themselves
//     (pkg/lang, pkg/notebook) and in a two-language T whose texts are computed (svgplot's
//     diagram captions), which keeps its own Chinese.
func Audit(srcs []Source, keys map[string]bool) []string {
	var probs []string
	used := map[string]bool{}
	for _, f := range Find(srcs) {
		where := f.Path + ":" + strconv.Itoa(f.Line)
		key, ok := f.Call.Key()
		wrapper := strings.HasPrefix(f.Path, "pkg/lang/") || strings.HasPrefix(f.Path, "pkg/notebook/")
		switch {
		case !ok && !f.Cell && wrapper:
			// the message functions themselves pass their argument on
		case f.Call.TwoLanguage() && ok && f.Call.Args[1].Const:
			probs = append(probs, where+": two-language "+f.Call.Pkg+".T(en, zh): run go run ./tools/i18nconv")
		case f.Call.TwoLanguage() && f.Cell:
			probs = append(probs, where+": two-language "+f.Call.Pkg+".T(en, zh) with computed texts: write one message by hand (notebook.Sprintf with a format)")
		case !ok && (f.Cell || !f.Call.TwoLanguage()):
			probs = append(probs, where+": the message of "+f.Call.Func+" is not a constant string")
		case ok && !keys[key] && !(f.Call.TwoLanguage() && !f.Cell):
			probs = append(probs, where+": no Chinese entry for "+strconv.Quote(key)+" in pkg/lang/zh.tsv")
		}
		if ok {
			used[key] = true
		}
	}
	for _, s := range srcs {
		if !s.IsNotebook() {
			continue
		}
		for _, cell := range Cells(string(s.Data)) {
			for i, line := range strings.Split(cell.Text, "\n") {
				if HasCJK(line) {
					probs = append(probs, s.Path+":"+strconv.Itoa(cell.Line+i)+": CJK in a code cell: "+strings.TrimSpace(line))
				}
			}
		}
	}
	var unused []string
	for k := range keys {
		if !used[k] {
			unused = append(unused, "pkg/lang/zh.tsv: entry "+strconv.Quote(k)+" is used by no message call")
		}
	}
	sort.Strings(unused)
	return append(probs, unused...)
}

// isReceiver reports whether toks[k] closes a method's receiver list, "func (r R)", so that
// the identifier after it is a method's name, not a call.
func isReceiver(toks []Tok, k int) bool {
	if toks[k].Tok != token.RPAREN {
		return false
	}
	depth := 0
	for ; k >= 0; k-- {
		switch toks[k].Tok {
		case token.RPAREN:
			depth++
		case token.LPAREN:
			depth--
			if depth == 0 {
				return k > 0 && toks[k-1].Tok == token.FUNC
			}
		}
	}
	return false
}
