package msgscan

import (
	"strings"
	"testing"
)

func TestCalls(t *testing.T) {
	src := `%%
x := notebook.T("a "+"b", "甲"+"乙") // notebook.T("in a comment")
fmt.Printf(notebook.T(
	"n = %d\n",
	"n 为 %d\n",
), f(g(1, 2), []int{3, 4}))
y := lang.Sprintf("k %d", k)
z := notebook.T(name)
w := other.T("not ours")
v := notebook.Shared("not a message", nil)
`
	calls, _ := Calls([]byte(src), false)
	var got []string
	for _, c := range calls {
		k, ok := c.Key()
		got = append(got, c.Pkg+"."+c.Func+"|"+k+"|"+map[bool]string{true: "const", false: "var"}[ok]+"|"+strings.Repeat("2", len(c.Args)-1))
	}
	want := []string{"notebook.T|a b|const|2", "notebook.T|n = %d\n|const|2", "lang.Sprintf|k %d|const|2", "notebook.T||var|"}
	if strings.Join(got, ";") != strings.Join(want, ";") {
		t.Errorf("calls\n%q\nwant\n%q", got, want)
	}
	if v := calls[1].Args[1].Value; v != "n 为 %d\n" {
		t.Errorf("second argument %q", v)
	}
	// Inside pkg/lang: bare calls count, declarations and methods do not.
	calls, _ = Calls([]byte("func T(msg string) string { return x.T(msg) }\nfunc f() { T(\"yes\") }\n"), true)
	if len(calls) != 1 || calls[0].Args[0].Value != "yes" {
		t.Errorf("unqualified: %+v", calls)
	}
	// A bare call on the line after a call ending in ")" counts; a method's name does not.
	calls, _ = Calls([]byte("func (c *cat) T(msg string) string { return msg }\nfunc f() {\n\tui.close()\n\tPrintln(\"after a call\")\n}\n"), true)
	if len(calls) != 1 || calls[0].Args[0].Value != "after a call" {
		t.Errorf("bare call after a call: %+v", calls)
	}
}

func TestCells(t *testing.T) {
	md := "# T\n\n```go\n%%\nA\n```\n\ntext\n\n```golang\nshown\n```\n\n```go solution\nB\n```\n"
	cells := Cells(md)
	if len(cells) != 2 || cells[0].Text != "%%\nA\n" || cells[0].Line != 4 || cells[1].Text != "B\n" {
		t.Errorf("cells %+v", cells)
	}
	if !HasCJK("a 中") || !HasCJK("，") || HasCJK("µs ≈ → ‖∂L/∂h‖ σ") {
		t.Error("HasCJK")
	}
}
