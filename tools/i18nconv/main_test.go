package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, root, rel, text string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, root, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const nbBefore = "# Title\n\nProse with 中文 stays.\n\n```go\n%%\n" +
	"notebook.Start(notebook.T(\"01 · Title\", \"01 · 标题\"))\n" +
	"fmt.Printf(notebook.T(\n\t\"n = %d, m = %d\\n\",\n\t\"m = %[2]d，n = %[1]d\\n\"),\n\tn, m)\n" +
	"fmt.Println(notebook.T(\"done\", \"完成\"))\n" +
	"fmt.Println(notebook.T(\"label:\", \"标签：\"), x)\n" +
	"s := fmt.Sprintf(notebook.T(\"loss %.3f\", \"损失 %.3f\"), l)\n" +
	"y := notebook.T(\"a \"+\"b\", \"甲\"+\"乙\")\n" +
	"z := notebook.T(name+\"!\", name+\"！\")\n" +
	"```\n\nMore prose.\n\n```golang\nnotebook.T(\"shown, not run\", \"不运行\")\n```\n"

const nbAfter = "# Title\n\nProse with 中文 stays.\n\n```go\n%%\n" +
	"notebook.Start(notebook.T(\"01 · Title\"))\n" +
	"notebook.Printf(\n\t\"n = %d, m = %d\\n\",\n\tn, m)\n" +
	"notebook.Println(\"done\")\n" +
	"fmt.Println(notebook.T(\"label:\"), x)\n" +
	"s := notebook.Sprintf(\"loss %.3f\", l)\n" +
	"y := notebook.T(\"a \"+\"b\")\n" +
	"z := notebook.T(name+\"!\", name+\"！\")\n" +
	"```\n\nMore prose.\n\n```golang\nnotebook.T(\"shown, not run\", \"不运行\")\n```\n"

const goBefore = `package foo

import (
	"fmt"

	"github.com/rnn-course/bottleneck/pkg/lang"
)

func F(k int) string {
	return fmt.Sprintf(lang.T("k = %d", "k 为 %d"), k) + lang.T("ok", "好")
}
`

const goAfter = `package foo

import (
	"fmt"

	"github.com/rnn-course/bottleneck/pkg/lang"
)

func F(k int) string {
	return lang.Sprintf("k = %d", k) + lang.T("ok")
}
`

func TestConvert(t *testing.T) {
	root := t.TempDir()
	write(t, root, "pkg/lang/zh.tsv", "\"ok\"\t\"行\"\n\"unused\"\t\"无用\"\n")
	write(t, root, "pkg/foo/foo.go", goBefore)
	write(t, root, "notebooks/src/01_x.md", nbBefore)
	var log bytes.Buffer
	res, err := run(root, options{}, &log)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, root, "notebooks/src/01_x.md"); got != nbAfter {
		t.Errorf("notebook:\n%s\nwant:\n%s", got, nbAfter)
	}
	if got := read(t, root, "pkg/foo/foo.go"); got != goAfter {
		t.Errorf("Go file:\n%s\nwant:\n%s", got, goAfter)
	}
	wantCat := "\"01 · Title\"\t\"01 · 标题\"\n\"a b\"\t\"甲乙\"\n\"done\"\t\"完成\"\n\"k = %d\"\t\"k 为 %d\"\n" +
		"\"label:\"\t\"标签：\"\n\"loss %.3f\"\t\"损失 %.3f\"\n\"n = %d, m = %d\\n\"\t\"m = %[2]d，n = %[1]d\\n\"\n\"ok\"\t\"好\"\n"
	if got := read(t, root, "pkg/lang/zh.tsv"); !strings.HasSuffix(got, wantCat) || strings.Contains(got, "unused") {
		t.Errorf("catalog:\n%s\nwant (after the header):\n%s", got, wantCat)
	}
	for _, want := range []string{`updated "ok": "行" → "好"`, `dropped "unused"`, `left as is`, `name+"!"`} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
	// The non-constant pair is left, and TestCatalog's audit says so.
	if len(res.problems) != 2 || !strings.Contains(res.problems[0], "computed texts") || !strings.Contains(res.problems[1], "CJK") {
		t.Errorf("problems %q, want the non-constant pair and its CJK", res.problems)
	}

	// Idempotent: a second run changes nothing.
	res, err = run(root, options{check: true}, &bytes.Buffer{})
	if err != nil || len(res.changed) != 0 {
		t.Errorf("second run: changed %v, %v", res.changed, err)
	}

	// Re-runnable: a merge brings a new pair and a new Chinese for an existing message.
	nb := read(t, root, "notebooks/src/01_x.md")
	nb = strings.Replace(nb, "%%\n", "%%\nfmt.Println(notebook.T(\"done\", \"做完了\"))\nq := notebook.T(\"new\", \"新\")\n", 1)
	write(t, root, "notebooks/src/01_x.md", nb)
	log.Reset()
	if _, err := run(root, options{}, &log); err != nil {
		t.Fatal(err)
	}
	cat := read(t, root, "pkg/lang/zh.tsv")
	if !strings.Contains(cat, "\"done\"\t\"做完了\"\n") || !strings.Contains(cat, "\"new\"\t\"新\"\n") {
		t.Errorf("after the merge the catalog is\n%s", cat)
	}
	if got := read(t, root, "notebooks/src/01_x.md"); !strings.Contains(got, "%%\nnotebook.Println(\"done\")\nq := notebook.T(\"new\")\n") {
		t.Errorf("after the merge the notebook is\n%s", got)
	}

	// Two pairs with one English and two Chinese texts: the first wins, the conflict is reported.
	write(t, root, "notebooks/src/02_y.md", "```go\na := notebook.T(\"twin\", \"孪生一\")\nb := notebook.T(\"twin\", \"孪生二\")\n```\n")
	log.Reset()
	if _, err := run(root, options{}, &log); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "conflict") || !strings.Contains(read(t, root, "pkg/lang/zh.tsv"), "\"twin\"\t\"孪生一\"\n") {
		t.Errorf("no conflict reported, or not the first kept:\n%s", log.String())
	}

	// -fix applies old→new to the Chinese texts; an old that occurs nowhere is an error.
	fixes, err := parseCorrections([]byte("# corrections\n\"损失\"\t\"损失值\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run(root, options{fixes: fixes}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if cat := read(t, root, "pkg/lang/zh.tsv"); !strings.Contains(cat, "\"loss %.3f\"\t\"损失值 %.3f\"\n") {
		t.Errorf("-fix not applied:\n%s", cat)
	}
	fixes, _ = parseCorrections([]byte("nowhere\tx\n\"值\"\t\"数值\"\n"))
	res, err = run(root, options{fixes: fixes}, &bytes.Buffer{})
	if err != nil || len(res.problems) == 0 || !strings.Contains(res.problems[0], `"nowhere" occurs in no Chinese text`) {
		t.Errorf("-fix with an old text that occurs nowhere: %v, problems %q", err, res.problems)
	}
	if cat := read(t, root, "pkg/lang/zh.tsv"); !strings.Contains(cat, "\"loss %.3f\"\t\"损失数值 %.3f\"\n") {
		t.Errorf("the other correction was not applied:\n%s", cat)
	}
}

func TestConvertChecks(t *testing.T) {
	in := "if a { panic(fmt.Sprintf(\"bad %d\", a)) }\nif b { panic(\"plain \" + \"check\") }\npanic(err)\npanic(name + \"!\")\nx.panic(\"other\")\n"
	want := "if a { panic(notebook.Sprintf(\"bad %d\", a)) }\nif b { panic(notebook.T(\"plain \" + \"check\")) }\npanic(err)\npanic(name + \"!\")\nx.panic(\"other\")\n"
	got := string(convertChecks([]byte(in)))
	if got != want {
		t.Errorf("convertChecks:\n%s\nwant:\n%s", got, want)
	}
	if again := string(convertChecks([]byte(got))); again != got {
		t.Errorf("not idempotent:\n%s", again)
	}
}
