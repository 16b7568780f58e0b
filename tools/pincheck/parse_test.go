package pincheck

import (
	"strings"
	"testing"
)

func TestParseDockerfile(t *testing.T) {
	src := `# syntax=docker/dockerfile:1
ARG IMG=x:1
FROM ${IMG} AS base
RUN --mount=type=secret,id=T,env=T \
    a; \
    # a comment Docker drops
    b
RUN ["/bin/true"]
RUN <<EOF
not a Dockerfile line
EOF
USER 1000
`
	ins, err := ParseDockerfile(src)
	if err != nil {
		t.Fatal(err)
	}
	var cmds []string
	for _, in := range ins {
		cmds = append(cmds, in.Cmd)
	}
	if got := strings.Join(cmds, " "); got != "ARG FROM RUN RUN RUN USER" {
		t.Fatalf("instructions %q", got)
	}
	run := ins[2]
	if run.Line != 4 || len(run.Flags) != 1 || run.Args != "a;     b" {
		t.Errorf("RUN: line %d flags %q args %q", run.Line, run.Flags, run.Args)
	}
	script, lineOf := run.ShellScript()
	if script != "#!/bin/bash\na; \\\n    b\n" || len(lineOf) != 3 || lineOf[1] != 5 || lineOf[2] != 7 {
		t.Errorf("script %q, lines %v", script, lineOf)
	}
	if !ins[3].ExecForm || !ins[4].HasHeredoc || ins[4].Script != nil {
		t.Errorf("exec form %v, heredoc %v", ins[3].ExecForm, ins[4].HasHeredoc)
	}
	if ins[5].Line != 12 {
		t.Errorf("USER after the heredoc at line %d, want 12", ins[5].Line)
	}
	if _, err := ParseDockerfile("RUN a \\\n"); err == nil {
		t.Error("an unterminated continuation must be an error")
	}
}

func TestParseVersionsEnv(t *testing.T) {
	pins, err := ParseVersionsEnv("# header\n\n# doc of A\nA=v1.2.3\nB_IMAGE=q.io/x/y:2026-01-01\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(pins) != 2 || pins[0].Doc != "doc of A" || pins[1].Doc != "" || pins[1].Line != 5 {
		t.Errorf("%+v", pins)
	}
	for _, bad := range []string{"A = 1", `A="1"`, "A=$B", "a=1", "A=1\nA=2", "A=1 2"} {
		if _, err := ParseVersionsEnv(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestLiteralIndex(t *testing.T) {
	for text, want := range map[string]int{
		"v0.1.2": 1, "x v0.1.2.": 1, "@v0.1.2\n": 1, "golang:v0.1.2-bookworm": 1,
		"v0.1.23": 0, "v0.1.2.4": 0, "xv0.1.2": 0, "1v0.1.2": 0, "v0.1.2 and v0.1.2": 2,
	} {
		if got := len(LiteralIndex(text, "v0.1.2")); got != want {
			t.Errorf("LiteralIndex(%q): %d matches, want %d", text, got, want)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"1.26.5", "1.26.8", -1}, {"go1.26.8", "1.26.8", 0}, {"v1.10", "v1.9", 1}, {"1.26", "1.26.0", -1}} {
		if got, err := CompareVersions(c.a, c.b); err != nil || got != c.want {
			t.Errorf("CompareVersions(%s, %s) = %d, %v; want %d", c.a, c.b, got, err, c.want)
		}
	}
	if _, err := CompareVersions("1.x", "1"); err == nil {
		t.Error("1.x: no error")
	}
}

func TestGoModAndSubstitute(t *testing.T) {
	m, err := ParseGoMod("module a/b\n\ngo 1.26.5\ntoolchain go1.26.8\nrequire x/y v1.0.0 // c\nrequire (\n\tz/w v0.2.0 // indirect\n)\n")
	if err != nil || m.Module != "a/b" || m.Go != "1.26.5" || m.Toolchain != "go1.26.8" ||
		m.Require["x/y"] != "v1.0.0" || m.Require["z/w"] != "v0.2.0" {
		t.Errorf("%+v %v", m, err)
	}
	if got := Substitute("golang:${V}-bookworm $W $X", map[string]string{"V": "1.2.3", "W": "w"}); got != "golang:1.2.3-bookworm w $X" {
		t.Errorf("Substitute: %q", got)
	}
}
