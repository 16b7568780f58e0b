package lang

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rnn-course/bottleneck/internal/msgscan"
)

const repoRoot = "../.."

func catalogKeys(t *testing.T) map[string]bool {
	t.Helper()
	entries, err := ParseCatalog(zhTSV)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, e := range entries {
		keys[e.En] = true
	}
	return keys
}

// TestCatalog fails on a learner-visible message (a message call in a notebook's code cell or
// in the library) without a Chinese entry in zh.tsv, on an entry nothing uses, on an old
// two-language T(en, zh) and on CJK in a code cell (see msgscan.Audit).
func TestCatalog(t *testing.T) {
	srcs, err := msgscan.Load(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) < 50 {
		t.Fatalf("found %d sources under %s: the scan looks in the wrong place", len(srcs), repoRoot)
	}
	for _, p := range msgscan.Audit(srcs, catalogKeys(t)) {
		t.Error(p)
	}
}

// TestCatalogIsLive shows that TestCatalog can fail: a message inserted into a notebook's code
// cell with no entry, an entry whose only use is removed, a CJK string and an old pair in a cell.
func TestCatalogIsLive(t *testing.T) {
	srcs, err := msgscan.Load(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	keys := catalogKeys(t)
	var nb int
	for i, s := range srcs {
		if s.Path == "notebooks/src/01_bottleneck.md" {
			nb = i
		}
	}
	if srcs[nb].Path != "notebooks/src/01_bottleneck.md" {
		t.Fatal("notebooks/src/01_bottleneck.md not found")
	}
	orig := srcs[nb].Data
	insert := func(code string) {
		srcs[nb].Data = append(append([]byte(nil), orig...), []byte("\n```go\n%%\n"+code+"\n```\n")...)
	}
	cases := []struct{ code, want string }{
		{`notebook.Printf("an inserted message, %d of it\n", 1)`, `no Chinese entry for "an inserted message, %d of it\n"`},
		{`fmt.Println(notebook.T("inserted", "插入的"))`, `two-language notebook.T(en, zh)`},
		{`label := "插入的"`, `CJK in a code cell`},
		{`notebook.Println(label)`, `the message of Println is not a constant string`},
	}
	for _, c := range cases {
		insert(c.code)
		probs := msgscan.Audit(srcs, keys)
		if !containsProblem(probs, c.want) {
			t.Errorf("with %s inserted: problems %q, want one with %q", c.code, probs, c.want)
		}
	}
	srcs[nb].Data = orig
	if probs := msgscan.Audit(srcs, keys); len(probs) != 0 {
		t.Fatalf("the sources as they are: %q", probs)
	}
	// An entry nothing uses: drop the only use of "the final cell state c" (pkg/train).
	for i, s := range srcs {
		if s.Path == "pkg/train/trainer.go" {
			srcs[i].Data = []byte(strings.ReplaceAll(string(s.Data), `lang.Msg("the final cell state c")`, `"the final cell state c"`))
		}
	}
	if probs := msgscan.Audit(srcs, keys); !containsProblem(probs, `entry "the final cell state c" is used by no message call`) {
		t.Errorf("with the use of an entry removed: problems %q", probs)
	}
}

func containsProblem(probs []string, want string) bool {
	for _, p := range probs {
		if strings.Contains(p, want) {
			return true
		}
	}
	return false
}

func TestParseCatalog(t *testing.T) {
	good := "# comment\n\"a %d\"\t\"甲 %d\"\n\n\"b\"\t\"乙\"\n"
	e, err := ParseCatalog([]byte(good))
	if err != nil || len(e) != 2 || e[0] != (Entry{"a %d", "甲 %d"}) || e[1] != (Entry{"b", "乙"}) {
		t.Fatalf("ParseCatalog = %v, %v", e, err)
	}
	if got := string(FormatCatalog([]Entry{e[1], e[0]})); !strings.HasSuffix(got, "\"a %d\"\t\"甲 %d\"\n\"b\"\t\"乙\"\n") {
		t.Errorf("FormatCatalog = %q", got)
	}
	for _, bad := range []string{"\"a\" \"甲\"\n", "\"a\"\t甲\n", "\"a\"\t\"甲\"\n\"a\"\t\"乙\"\n", "\"\"\t\"甲\"\n", "\"a\"\t\"\"\n"} {
		if _, err := ParseCatalog([]byte(bad)); err == nil {
			t.Errorf("ParseCatalog(%q): no error", bad)
		}
	}
	// The committed file is in FormatCatalog's form (sorted), so a converter run changes nothing.
	all, err := ParseCatalog(zhTSV)
	if err != nil {
		t.Fatal(err)
	}
	if string(FormatCatalog(all)) != string(zhTSV) {
		t.Error("zh.tsv is not sorted or not in FormatCatalog's form: run go run ./tools/i18nconv")
	}
}

func TestSprintfAndYesNo(t *testing.T) {
	t.Setenv("GONB_DIR", "")
	t.Setenv(Env, "zh")
	// %[n] reorders; numbers are fmt's, not grouped.
	if got, want := Sprintf("step %d (chunk %d of %d): ", 12345, 2, 3), "第 12345 步（第 2 块，共 3 块）："; got != want {
		t.Errorf("zh Sprintf = %q, want %q", got, want)
	}
	if YesNo(true) != "是" || YesNo(false) != "否" {
		t.Errorf("zh YesNo = %q, %q", YesNo(true), YesNo(false))
	}
	t.Setenv(Env, "en")
	if got := Sprintf("step %d (chunk %d of %d): ", 12345, 2, 3); got != "step 12345 (chunk 2 of 3): " {
		t.Errorf("en Sprintf = %q", got)
	}
	if YesNo(true) != "yes" || YesNo(false) != "no" {
		t.Errorf("en YesNo = %q, %q", YesNo(true), YesNo(false))
	}
}

// sampleArgs makes one argument per verb of an English format, of the verb's kind.
func sampleArgs(t *testing.T, format string) []any {
	_, verbs, ok := splitVerbs(format)
	if !ok {
		return nil
	}
	n := 0
	for _, v := range verbs {
		n = max(n, v.index+1)
	}
	args := make([]any, n)
	for _, v := range verbs {
		switch v.verb {
		case 'd', 'x':
			args[v.index] = 40 + v.index
		case 'f', 'g', 'e':
			args[v.index] = 2.5 + float64(v.index)
		case 'q':
			args[v.index] = fmt.Sprintf("q%d", v.index)
		default:
			args[v.index] = fmt.Sprintf("arg%d", v.index)
		}
	}
	return args
}

// TestLocalizeEveryFormat checks Localize against fmt: for every catalog format, the English
// text made by fmt.Sprintf with sample arguments localises to fmt.Sprintf of the Chinese format
// with the same arguments.
func TestLocalizeEveryFormat(t *testing.T) {
	t.Setenv("GONB_DIR", "")
	t.Setenv(Env, "zh")
	entries, err := ParseCatalog(zhTSV)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, e := range entries {
		args := sampleArgs(t, e.En)
		if len(args) == 0 {
			if got := Localize(e.En); !strings.Contains(e.En, "%") && got != e.Zh {
				t.Errorf("Localize(%q) = %q, want %q", e.En, got, e.Zh)
			}
			continue
		}
		if pieces, _, _ := splitVerbs(e.En); !hasLetter(pieces) {
			continue // not matched by design
		}
		en := fmt.Sprintf(strings.ReplaceAll(e.En, "%w", "%v"), args...)
		want := fmt.Sprintf(strings.ReplaceAll(e.Zh, "%w", "%v"), args...)
		if strings.Contains(want, "%!") || strings.Contains(en, "%!") {
			t.Errorf("format %q or its Chinese %q is malformed for fmt: %q, %q", e.En, e.Zh, en, want)
		}
		if got := Localize(en); got != want {
			t.Errorf("Localize(%q) = %q, want %q (format %q)", en, got, want, e.En)
		}
		checked++
	}
	if checked < 50 {
		t.Errorf("only %d formats checked", checked)
	}
	t.Setenv(Env, "en")
	if got := Localize("time budget spent"); got != "time budget spent" {
		t.Errorf("en Localize = %q", got)
	}
}

func TestErrorfAndExplain(t *testing.T) {
	t.Setenv("GONB_DIR", "")
	inner := Errorf("step %d: ", 3)
	err := Errorf("train: loop: batch %d: %w", 7, inner)
	wantEn := "train: loop: batch 7: step 3: "
	if !errors.Is(err, inner) {
		t.Error("Errorf does not wrap its %w argument")
	}
	for _, l := range []string{"en", "zh"} {
		t.Setenv(Env, l)
		if err.Error() != wantEn {
			t.Errorf("%s: Error() = %q, want the English %q", l, err.Error(), wantEn)
		}
	}
	if got, want := Explain(err), "train: loop: 第 7 个批次：第 3 步："; got != want {
		t.Errorf("zh Explain = %q, want %q", got, want)
	}
	// A plain error with a catalog message inside: Localize translates what it recognises.
	plain := fmt.Errorf("train: loop: interrupted at position %d of %d: %w", 6, 12, errors.New("context canceled"))
	if got, want := Explain(plain), "train: loop: 在位置 6（共 12）处中断：上下文已取消"; got != want {
		t.Errorf("zh Explain(plain) = %q, want %q", got, want)
	}
	// Text no format matches comes back unchanged, even with a comma in it ("%s, %s" is in the
	// catalog but not matched).
	if got := Localize("train: parameter x is nil, want a tensor"); got != "train: parameter x is nil, want a tensor" {
		t.Errorf("Localize of unknown text = %q", got)
	}
	if Explain(nil) != "" {
		t.Error("Explain(nil) is not empty")
	}
	t.Setenv(Env, "en")
	if got := Explain(err); got != wantEn {
		t.Errorf("en Explain = %q", got)
	}
}

// TestNoDigitGrouping records why formatting is fmt's: x/text's printer would print 12,345.
func TestNoDigitGrouping(t *testing.T) {
	t.Setenv("GONB_DIR", "")
	t.Setenv(Env, "zh")
	if got := Sprintf("step %d", 12345); !regexp.MustCompile(`12345`).MatchString(got) {
		t.Errorf("Sprintf grouped digits: %q", got)
	}
}

var _ = os.Getenv
var _ = filepath.Join
