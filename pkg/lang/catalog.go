package lang

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// ZhFile is the Chinese edition's catalog, relative to this package: one message a line, sorted
// by the English text, each line the English message and its Chinese as two Go-quoted strings
// separated by a tab. Lines starting with # are comments. tools/i18nconv writes it;
// TestCatalog checks that every entry is used and every message has one.
const ZhFile = "zh.tsv"

//go:embed zh.tsv
var zhTSV []byte

// Entry is one catalog line: an English message (the key code writes) and its Chinese.
type Entry struct{ En, Zh string }

// ParseCatalog reads a catalog file (see ZhFile). It rejects a malformed line, an empty or
// duplicated key, and an empty translation, naming the line.
func ParseCatalog(data []byte) ([]Entry, error) {
	var out []Entry
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		en, zh, ok := strings.Cut(line, "\t")
		if !ok {
			return nil, fmt.Errorf("lang: catalog line %d: want two Go-quoted strings separated by a tab", n)
		}
		e, err1 := strconv.Unquote(en)
		z, err2 := strconv.Unquote(zh)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("lang: catalog line %d: want two Go-quoted strings separated by a tab: %q", n, line)
		}
		if e == "" || z == "" {
			return nil, fmt.Errorf("lang: catalog line %d: empty message or translation", n)
		}
		if prev, dup := seen[e]; dup {
			return nil, fmt.Errorf("lang: catalog line %d: %q is already on line %d", n, e, prev)
		}
		seen[e] = n
		out = append(out, Entry{e, z})
	}
	return out, sc.Err()
}

// FormatCatalog writes entries as a catalog file, sorted by the English message.
func FormatCatalog(entries []Entry) []byte {
	s := slicesClone(entries)
	sort.Slice(s, func(i, j int) bool { return s[i].En < s[j].En })
	var b bytes.Buffer
	b.WriteString("# Chinese edition's messages: \"English\"<TAB>\"中文\", Go-quoted, sorted by the English.\n")
	b.WriteString("# Edit the Chinese freely; add entries with `go run ./tools/i18nconv` (see pkg/lang's doc).\n")
	for _, e := range s {
		b.WriteString(strconv.Quote(e.En))
		b.WriteByte('\t')
		b.WriteString(strconv.Quote(e.Zh))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func slicesClone(e []Entry) []Entry { return append([]Entry(nil), e...) }

// cat is the loaded catalog: the x/text catalog with every message of both editions, the set of
// keys, and the patterns Localize matches.
type cat struct {
	builder *catalog.Builder
	zh      *message.Printer
	keys    map[string]bool
	formats []format // entries with verbs, longest first
}

var (
	loadOnce sync.Once
	loaded   *cat
)

func theCatalog() *cat {
	loadOnce.Do(func() {
		entries, err := ParseCatalog(zhTSV)
		if err != nil {
			panic(err) // TestCatalog parses it: a broken file never ships
		}
		loaded = newCat(entries)
	})
	return loaded
}

func newCat(entries []Entry) *cat {
	c := &cat{builder: catalog.NewBuilder(catalog.Fallback(language.English)), keys: map[string]bool{}}
	for _, e := range entries {
		// The catalog stores the text with % doubled, so that the printer's Sprintf without
		// arguments returns it unchanged: formatting is fmt's (see Sprintf).
		if err := c.builder.SetString(language.Chinese, e.En, strings.ReplaceAll(e.Zh, "%", "%%")); err != nil {
			panic(err)
		}
		c.keys[e.En] = true
		if f, ok := compileFormat(e.En, e.Zh); ok {
			c.formats = append(c.formats, f)
		}
	}
	sort.SliceStable(c.formats, func(i, j int) bool { return len(c.formats[i].en) > len(c.formats[j].en) })
	c.zh = message.NewPrinter(language.Chinese, message.Catalog(c.builder))
	return c
}

// lookup returns msg's text in edition l, and whether the catalog has it (English always does).
func (c *cat) lookup(l Lang, msg string) (string, bool) {
	if l != Chinese {
		return msg, true
	}
	if !c.keys[msg] {
		return msg, false
	}
	return c.zh.Sprintf(msg), true
}

// Has reports whether the Chinese catalog has an entry for msg.
func Has(msg string) bool { return theCatalog().keys[msg] }

// T returns msg, an English message, in the current edition: the catalog's Chinese in the
// Chinese edition. Code writes each message once, in English:
//
//	notebook.T("sequence length T (steps)")
//
// The old two-language form T(en, zh) still compiles: zh is used when the catalog has no entry.
// tools/i18nconv rewrites it into the one-language form and moves zh into the catalog, and
// TestCatalog fails while a notebook still has one.
func T(msg string, legacyZh ...string) string {
	l := Current()
	s, ok := theCatalog().lookup(l, msg)
	if !ok && len(legacyZh) > 0 && l == Chinese {
		return legacyZh[0]
	}
	return s
}

// Sprintf formats the current edition's text of format (see T) with fmt.Sprintf. A Chinese
// format may reorder the arguments with explicit indexes (%[2]d). Formatting is fmt's, not
// x/text's printer: the latter groups digits ("seed 12,345", "%5.1f" of 1234.5 → "1,234.5"),
// which would change every number the course prints (docs/notes/i18n.md).
func Sprintf(format string, args ...any) string { return fmt.Sprintf(T(format), args...) }

// Printf prints Sprintf(format, args...) to standard output.
func Printf(format string, args ...any) { fmt.Print(Sprintf(format, args...)) }

// Println prints the current edition's text of msg and a newline.
func Println(msg string) { fmt.Println(T(msg)) }

// YesNo is "yes" or "no" in the current edition, for a printed check (not true/false).
func YesNo(b bool) string {
	if b {
		return T("yes")
	}
	return T("no")
}

// Error is an error whose text is an English catalog format with its arguments: Error() is the
// English text for Go code and logs, Localized the current edition's. Errorf makes one.
type Error struct {
	Format string
	Args   []any
	err    error // the %w argument, if any
}

// Errorf is fmt.Errorf with a catalog format: err.Error() stays English, and Explain(err) (or
// Localized) gives the edition's text. %w wraps as in fmt.Errorf.
func Errorf(format string, args ...any) error {
	e := &Error{Format: format, Args: args}
	if w, ok := fmt.Errorf(format, args...).(interface{ Unwrap() error }); ok {
		e.err = w.Unwrap()
	}
	return e
}

func (e *Error) Error() string {
	return fmt.Sprintf(strings.ReplaceAll(e.Format, "%w", "%v"), e.Args...)
}

// Unwrap returns the wrapped error (%w).
func (e *Error) Unwrap() error { return e.err }

// Localized is the error's text in the current edition; wrapped errors are localised too.
func (e *Error) Localized() string {
	args := make([]any, len(e.Args))
	for i, a := range e.Args {
		if err, ok := a.(error); ok {
			a = Explain(err)
		}
		args[i] = a
	}
	return fmt.Sprintf(strings.ReplaceAll(T(e.Format), "%w", "%v"), args...)
}

// Explain is err's text in the current edition, for a notebook to print: an error with a
// Localized method (Error, train.NonFiniteError) gives that; any other error's English text is
// translated by Localize. Explain(nil) is "".
func Explain(err error) string {
	if err == nil {
		return ""
	}
	if l, ok := err.(interface{ Localized() string }); ok {
		return l.Localized()
	}
	return Localize(err.Error())
}

// Localize translates an English text made from catalog messages into the current edition: a
// catalog message, or a catalog format whose arguments were filled in (as fmt.Sprintf did),
// matched as a whole (formats with no letter outside their verbs, such as "%s, %s", are not
// matched: they would match any text); the text of a %v, %s or %w argument is localised in turn, so an error
// wrapped by a catalog format reads in one language. Text no format matches comes back as is.
// It lets text kept in English (err.Error(), a table shared between the editions) be shown in
// the edition's language.
func Localize(s string) string {
	if Current() != Chinese {
		return s
	}
	return theCatalog().localize(s, 0)
}

func (c *cat) localize(s string, depth int) string {
	if c.keys[s] {
		t, _ := c.lookup(Chinese, s)
		if !strings.Contains(s, "%") {
			return t
		}
	}
	if depth > 8 {
		return s
	}
	for _, f := range c.formats {
		m := f.re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		vals := map[int]string{}
		for i, arg := range f.enArgs {
			v := m[i+1]
			if arg.padded {
				v = strings.TrimSpace(v)
			}
			if arg.verb == 'v' || arg.verb == 's' || arg.verb == 'w' {
				v = c.localize(v, depth+1)
			}
			vals[arg.index] = v
		}
		return f.fill(vals)
	}
	return s
}

// format is a catalog entry with verbs, compiled for Localize.
type format struct {
	en     string
	re     *regexp.Regexp
	enArgs []verbRef // the English verbs in order
	zh     []piece   // the Chinese text split at its verbs
}

type verbRef struct {
	index  int // the argument's index (0-based)
	verb   byte
	padded bool // has a width: the text matched may have padding
}

type piece struct {
	text string
	arg  int    // -1: literal text
	pad  string // for an argument: its flags and width as a %s verb, e.g. "%-10s"
}

// verbRE matches a fmt verb: flags, an argument index before the width or before the verb,
// width, precision, verb. Groups: 1 flags, 2 index, 3 width, 4 precision, 5 index, 6 verb.
var verbRE = regexp.MustCompile(`%([-+# 0]*)(?:\[(\d+)\])?(\d+|\*)?(?:\.(\d*|\*))?(?:\[(\d+)\])?([a-zA-Z%])`)

// splitVerbs splits a format into literal pieces and verbs with their argument indexes, as fmt
// numbers them (an explicit [n] sets the next index). It refuses * widths.
func splitVerbs(f string) ([]piece, []verbRef, bool) {
	var pieces []piece
	var verbs []verbRef
	next, last := 0, 0
	for _, m := range verbRE.FindAllStringSubmatchIndex(f, -1) {
		pieces = append(pieces, piece{text: f[last:m[0]], arg: -1})
		last = m[1]
		group := func(g int) string {
			if m[2*g] < 0 {
				return ""
			}
			return f[m[2*g]:m[2*g+1]]
		}
		verb := group(6)[0]
		if verb == '%' {
			pieces = append(pieces, piece{text: "%", arg: -1})
			continue
		}
		if strings.Contains(f[m[0]:m[1]], "*") {
			return nil, nil, false
		}
		for _, g := range []int{2, 5} {
			if idx := group(g); idx != "" {
				n, _ := strconv.Atoi(idx)
				next = n - 1
			}
		}
		width := group(3)
		verbs = append(verbs, verbRef{index: next, verb: verb, padded: width != ""})
		pieces = append(pieces, piece{arg: next, pad: "%" + group(1) + width + "s"})
		next++
	}
	pieces = append(pieces, piece{text: f[last:], arg: -1})
	return pieces, verbs, true
}

func compileFormat(en, zh string) (format, bool) {
	enPieces, enVerbs, ok := splitVerbs(en)
	if !ok || len(enVerbs) == 0 || !hasLetter(enPieces) {
		return format{}, false // a format of punctuation only ("%s, %s") would match any text
	}
	zhPieces, zhVerbs, ok := splitVerbs(zh)
	if !ok {
		return format{}, false
	}
	have := map[int]bool{}
	for _, v := range enVerbs {
		have[v.index] = true
	}
	for _, v := range zhVerbs {
		if !have[v.index] {
			return format{}, false
		}
	}
	var re strings.Builder
	re.WriteString(`(?s)^`)
	for _, p := range enPieces {
		if p.arg < 0 {
			re.WriteString(regexp.QuoteMeta(p.text))
		} else {
			re.WriteString(`(.+?)`)
		}
	}
	re.WriteString(`$`)
	return format{en: en, re: regexp.MustCompile(re.String()), enArgs: enVerbs, zh: zhPieces}, true
}

func hasLetter(pieces []piece) bool {
	for _, p := range pieces {
		if p.arg < 0 && strings.IndexFunc(p.text, unicode.IsLetter) >= 0 {
			return true
		}
	}
	return false
}

func (f format) fill(vals map[int]string) string {
	var b strings.Builder
	for _, p := range f.zh {
		if p.arg < 0 {
			b.WriteString(p.text)
		} else {
			b.WriteString(fmt.Sprintf(p.pad, vals[p.arg]))
		}
	}
	return b.String()
}

// Msg returns msg unchanged: it marks an English message that is stored or compared in English
// (a skip reason in a cost table that both editions share, a check's message) and translated
// when shown, by Localize. Like gettext's N_, it makes the message one of the catalog's.
func Msg(msg string) string { return msg }

// stdErrors are the standard library's error texts a learner reads inside the course's errors
// (an interrupted training run wraps context.Canceled): Msg makes them catalog messages, so that
// Localize translates them too.
var stdErrors = []string{Msg("context canceled"), Msg("context deadline exceeded")}

var _ = stdErrors
