// Command i18nconv moves the course's messages into the Chinese edition's catalog
// (pkg/lang/zh.tsv). Run from the repository root:
//
//	go run ./tools/i18nconv            # convert, update the catalog, report what is left
//	go run ./tools/i18nconv -check     # change nothing; exit 1 if a run would change a file
//	go run ./tools/i18nconv -fix f.tsv # also apply old→new corrections to the Chinese texts
//
// It rewrites, in the code cells of notebooks/src/*.md and in the library's Go files (pkg/,
// cmd/, internal/; gofmt'ed after):
//
//	notebook.T("en", "zh")               → notebook.T("en")          and "en"→"zh" into the catalog
//	fmt.Printf(notebook.T("f %d"), x)    → notebook.Printf("f %d", x)   (Sprintf likewise)
//	fmt.Println(notebook.T("msg"))       → notebook.Println("msg")
//	panic(fmt.Sprintf("check %d", x))    → panic(notebook.Sprintf("check %d", x))   (code cells only)
//	panic("check")                       → panic(notebook.T("check"))               (code cells only)
//
// (and the same with lang. for lang.T). A pair's Chinese replaces a different one already in the
// catalog (the pair is the newer text); two pairs with one English text and two Chinese ones keep
// the first and are reported. Entries no message call uses are dropped (-keep-unused keeps
// them). Pairs whose texts are not constants are left as they are and listed. The run is
// idempotent: a second run changes nothing. Afterwards it prints what TestCatalog (pkg/lang)
// would fail on, e.g. a message with no Chinese entry, and exits 1 if there is any.
//
// A -fix file has one correction a line, old<TAB>new, each a Go-quoted string or raw text: every
// occurrence of old in a Chinese text becomes new; an old that occurs nowhere is reported (and
// the exit status is 1), the others are applied.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/rnn-course/bottleneck/internal/msgscan"
	"github.com/rnn-course/bottleneck/pkg/lang"
)

func main() {
	root := flag.String("root", ".", "repository root")
	check := flag.Bool("check", false, "change nothing; exit 1 if a run would change a file")
	fix := flag.String("fix", "", "file of old<TAB>new corrections to the Chinese texts")
	keep := flag.Bool("keep-unused", false, "keep catalog entries that no message call uses")
	flag.Parse()
	var fixes []correction
	if *fix != "" {
		data, err := os.ReadFile(*fix)
		if err == nil {
			fixes, err = parseCorrections(data)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "i18nconv:", err)
			os.Exit(2)
		}
	}
	res, err := run(*root, options{check: *check, keepUnused: *keep, fixes: fixes}, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "i18nconv:", err)
		os.Exit(2)
	}
	if (*check && len(res.changed) > 0) || len(res.problems) > 0 {
		os.Exit(1)
	}
}

type options struct {
	check, keepUnused bool
	fixes             []correction
}

type result struct {
	changed  []string // files written (or, with check, that would be)
	problems []string // what TestCatalog would fail on after the run
}

// run converts the sources under root and updates the catalog; it reports on w.
func run(root string, opt options, w io.Writer) (result, error) {
	var res result
	catPath := filepath.Join(root, "pkg", "lang", lang.ZhFile)
	old, err := os.ReadFile(catPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return res, err
	}
	entries, err := lang.ParseCatalog(old)
	if err != nil {
		return res, err
	}
	zh := map[string]string{}
	for _, e := range entries {
		zh[e.En] = e.Zh
	}
	srcs, err := msgscan.Load(root)
	if err != nil {
		return res, err
	}
	added := map[string]string{} // this run's pairs
	for i, s := range srcs {
		var pairs []pair
		var left []string
		if s.IsNotebook() {
			s.Data, pairs, left = convertNotebook(s.Data)
		} else {
			s.Data, pairs, left = convertGo(s.Data, s.Unqualified())
			if !bytes.Equal(s.Data, srcs[i].Data) {
				f, err := format.Source(s.Data)
				if err != nil {
					return res, fmt.Errorf("%s: after conversion: %v", s.Path, err)
				}
				s.Data = f
			}
		}
		for _, l := range left {
			fmt.Fprintf(w, "%s: left as is (texts not constant, or empty): %s\n", s.Path, l)
		}
		for _, p := range pairs {
			switch prev, ok := added[p.en]; {
			case ok && prev != p.zh:
				fmt.Fprintf(w, "%s: conflict: %q is %q in an earlier pair, %q here; kept the first\n", s.Path, p.en, prev, p.zh)
				continue
			case ok:
				continue
			}
			added[p.en] = p.zh
			if cur, ok := zh[p.en]; ok && cur != p.zh {
				fmt.Fprintf(w, "%s: updated %q: %q → %q\n", s.Path, p.en, cur, p.zh)
			}
			zh[p.en] = p.zh
		}
		if !bytes.Equal(s.Data, srcs[i].Data) {
			res.changed = append(res.changed, s.Path)
			fmt.Fprintf(w, "%s: %d pairs converted\n", s.Path, len(pairs))
		}
		srcs[i] = s
	}
	var fixMisses []string
	for _, c := range opt.fixes {
		n := 0
		for k, v := range zh {
			if strings.Contains(v, c.old) {
				n += strings.Count(v, c.old)
				zh[k] = strings.ReplaceAll(v, c.old, c.new)
			}
		}
		if n == 0 {
			fixMisses = append(fixMisses, fmt.Sprintf("-fix: %q occurs in no Chinese text (skipped)", c.old))
			continue
		}
		fmt.Fprintf(w, "fix %q → %q: %d occurrences\n", c.old, c.new, n)
	}
	used := map[string]bool{}
	for _, f := range msgscan.Find(srcs) {
		if k, ok := f.Call.Key(); ok {
			used[k] = true
		}
	}
	var out []lang.Entry
	keys := map[string]bool{}
	for en, z := range zh {
		if !used[en] && !opt.keepUnused {
			fmt.Fprintf(w, "%s: dropped %q (no message call uses it)\n", filepath.ToSlash(filepath.Join("pkg", "lang", lang.ZhFile)), en)
			continue
		}
		out = append(out, lang.Entry{En: en, Zh: z})
		keys[en] = true
	}
	newCat := lang.FormatCatalog(out)
	if !bytes.Equal(newCat, old) {
		res.changed = append(res.changed, "pkg/lang/"+lang.ZhFile)
	}
	res.problems = append(fixMisses, msgscan.Audit(srcs, keys)...)
	for _, p := range res.problems {
		fmt.Fprintln(w, "still to do:", p)
	}
	if opt.check {
		return res, nil
	}
	for _, s := range srcs {
		for _, c := range res.changed {
			if c == s.Path {
				if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(s.Path)), s.Data, 0o644); err != nil {
					return res, err
				}
			}
		}
	}
	if !bytes.Equal(newCat, old) {
		if err := os.WriteFile(catPath, newCat, 0o644); err != nil {
			return res, err
		}
	}
	sort.Strings(res.changed)
	return res, nil
}

type pair struct{ en, zh string }

// convertNotebook converts each code cell of a notebook source.
func convertNotebook(md []byte) ([]byte, []pair, []string) {
	cells := msgscan.Cells(string(md))
	var pairs []pair
	var left []string
	out := md
	for i := len(cells) - 1; i >= 0; i-- { // from the end: earlier offsets stay valid
		c := cells[i]
		text, p, l := convertGo([]byte(c.Text), false)
		text = convertChecks(text)
		pairs = append(p, pairs...)
		left = append(l, left...)
		out = slicesConcat(out[:c.Start], text, out[c.Start+len(c.Text):])
	}
	return out, pairs, left
}

func slicesConcat(a, b, c []byte) []byte {
	r := make([]byte, 0, len(a)+len(b)+len(c))
	return append(append(append(r, a...), b...), c...)
}

// convertGo rewrites one piece of Go code (a file or a cell) until no rule applies.
func convertGo(src []byte, unqualified bool) ([]byte, []pair, []string) {
	var pairs []pair
	leftSeen := map[string]bool{}
	var left []string
	for {
		calls, toks := msgscan.Calls(src, unqualified)
		changed := false
		for _, c := range calls {
			if c.Func != "T" {
				continue
			}
			if c.TwoLanguage() {
				if !c.Args[0].Const || !c.Args[1].Const || len(c.Args) > 2 || c.Args[0].Value == "" || c.Args[1].Value == "" {
					s := string(src[c.Start : c.Rparen+1])
					if !leftSeen[s] {
						leftSeen[s] = true
						left = append(left, firstLine(s))
					}
					continue
				}
				pairs = append(pairs, pair{c.Args[0].Value, c.Args[1].Value})
				src = slicesConcat(src[:c.Args[0].End], nil, src[c.Args[1].End:])
				changed = true
				break
			}
			if len(c.Args) != 1 || !c.Args[0].Const {
				continue
			}
			if r, ok := unwrap(src, toks, c); ok {
				src, changed = r, true
				break
			}
		}
		if !changed {
			return src, pairs, left
		}
	}
}

// convertChecks rewrites a code cell's claim checks into messages: panic(fmt.Sprintf("…", …))
// becomes panic(notebook.Sprintf("…", …)) and panic("…") becomes panic(notebook.T("…")), so that
// a failed check reads in the edition's language (their Chinese is written into the catalog by
// hand: TestCatalog lists the ones without).
func convertChecks(src []byte) []byte {
	for {
		toks := msgscan.Tokens(src)
		changed := false
		for i := 0; i+2 < len(toks); i++ {
			if toks[i].Tok != token.IDENT || toks[i].Lit != "panic" || toks[i+1].Tok != token.LPAREN ||
				(i > 0 && toks[i-1].Tok == token.PERIOD) {
				continue
			}
			j := i + 2
			if j+4 < len(toks) && toks[j].Tok == token.IDENT && toks[j].Lit == "fmt" && toks[j+1].Tok == token.PERIOD &&
				toks[j+2].Lit == "Sprintf" && toks[j+3].Tok == token.LPAREN && toks[j+4].Tok == token.STRING {
				src = slicesConcat(src[:toks[j].Start], []byte("notebook"), src[toks[j].End:])
				changed = true
				break
			}
			k := j
			for k < len(toks) && toks[k].Tok == token.STRING && k+1 < len(toks) && toks[k+1].Tok == token.ADD {
				k += 2
			}
			if k+1 < len(toks) && toks[k].Tok == token.STRING && toks[k+1].Tok == token.RPAREN {
				src = slicesConcat(src[:toks[j].Start], []byte("notebook.T("+string(src[toks[j].Start:toks[k].End])+")"), src[toks[k].End:])
				changed = true
				break
			}
		}
		if !changed {
			return src
		}
	}
}

// unwrap rewrites fmt.Printf(P.T(msg), …) to P.Printf(msg, …), fmt.Sprintf likewise, and
// fmt.Println(P.T(msg)) to P.Println(msg).
func unwrap(src []byte, toks []msgscan.Tok, c msgscan.Call) ([]byte, bool) {
	i := c.FirstTok
	if i < 4 || toks[i-1].Tok != token.LPAREN || toks[i-2].Tok != token.IDENT || toks[i-3].Tok != token.PERIOD ||
		toks[i-4].Tok != token.IDENT || toks[i-4].Lit != "fmt" {
		return nil, false
	}
	fn := toks[i-2].Lit
	next := c.RparenTok + 1
	switch fn {
	case "Printf", "Sprintf":
		if next >= len(toks) || (toks[next].Tok != token.COMMA && toks[next].Tok != token.RPAREN) {
			return nil, false
		}
	case "Println":
		if next >= len(toks) || toks[next].Tok != token.RPAREN {
			return nil, false
		}
	default:
		return nil, false
	}
	head := fn + "(" + string(src[c.Lparen+1:c.Args[0].Start])
	if c.Pkg != "" {
		head = c.Pkg + "." + head
	}
	return slicesConcat(src[:toks[i-4].Start], []byte(head), slicesConcat(src[c.Args[0].Start:c.Args[0].End], nil, src[c.Rparen+1:])), true
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

type correction struct{ old, new string }

func parseCorrections(data []byte) ([]correction, error) {
	var out []correction
	for n, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		o, nw, ok := strings.Cut(line, "\t")
		if !ok {
			return nil, fmt.Errorf("-fix line %d: want old<TAB>new", n+1)
		}
		var err error
		if o, err = maybeUnquote(o); err == nil {
			nw, err = maybeUnquote(nw)
		}
		if err != nil || o == "" {
			return nil, fmt.Errorf("-fix line %d: %v", n+1, err)
		}
		out = append(out, correction{o, nw})
	}
	return out, nil
}

func maybeUnquote(s string) (string, error) {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '`') {
		return strconv.Unquote(s)
	}
	return s, nil
}
