// Package pincheck keeps the course's pinned versions in one place. Its tests (go test ./...)
// check, without network, that go.mod, docker/Dockerfile, docker/README.md and the GitHub
// workflows agree with scripts/versions.env and repeat none of its versions, that the Docker image
// and the workflows keep their conventions (docker_test.go, workflows_test.go: each rule is also
// shown to fail on a file broken in memory), and they run actionlint on the workflows and
// shellcheck on the Dockerfile's RUN steps.
//
// This file holds the small parsers the tests use: versions.env, go.mod, Dockerfile instructions
// and the version table of docker/README.md.
package pincheck

import (
	"bufio"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Pin is one KEY=VALUE line of scripts/versions.env.
type Pin struct {
	Key, Value string
	Doc        string // the comment line(s) right above the key, without "# "
	Line       int
}

var (
	envKeyRE   = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	envValueRE = regexp.MustCompile(`^[A-Za-z0-9._:/@+-]+$`) // no spaces, quotes or expansions
)

// ParseVersionsEnv parses scripts/versions.env: comments, blank lines and KEY=VALUE lines only.
func ParseVersionsEnv(text string) ([]Pin, error) {
	var pins []Pin
	var doc []string
	seen := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			doc = nil
		case strings.HasPrefix(line, "#"):
			doc = append(doc, strings.TrimSpace(strings.TrimPrefix(line, "#")))
		default:
			key, value, ok := strings.Cut(line, "=")
			if !ok || !envKeyRE.MatchString(key) || !envValueRE.MatchString(value) {
				return nil, fmt.Errorf("line %d: %q is not KEY=VALUE (KEY upper case, VALUE without spaces, quotes or $)", n, line)
			}
			if prev, dup := seen[key]; dup {
				return nil, fmt.Errorf("line %d: %s already set on line %d", n, key, prev)
			}
			seen[key] = n
			pins = append(pins, Pin{Key: key, Value: value, Doc: strings.Join(doc, " "), Line: n})
			doc = nil
		}
	}
	return pins, sc.Err()
}

// PinMap returns the pins by key.
func PinMap(pins []Pin) map[string]string {
	m := make(map[string]string, len(pins))
	for _, p := range pins {
		m[p.Key] = p.Value
	}
	return m
}

// Table markers in docker/README.md.
const (
	TableBegin = "<!-- BEGIN versions table: generated from scripts/versions.env; `go test ./tools/pincheck -update` rewrites it -->"
	TableEnd   = "<!-- END versions table -->"
)

// VersionTable renders the pins as the markdown table that docker/README.md carries.
func VersionTable(pins []Pin) string {
	var b strings.Builder
	b.WriteString("| key in `scripts/versions.env` | pinned | what it pins |\n|---|---|---|\n")
	for _, p := range pins {
		fmt.Fprintf(&b, "| `%s` | `%s` | %s |\n", p.Key, p.Value, strings.ReplaceAll(p.Doc, "|", `\|`))
	}
	return b.String()
}

// SplitTable returns the text of doc before, inside and after the version table markers.
func SplitTable(doc string) (before, table, after string, err error) {
	i := strings.Index(doc, TableBegin)
	j := strings.Index(doc, TableEnd)
	if i < 0 || j < i {
		return "", "", "", fmt.Errorf("no %q ... %q block", TableBegin, TableEnd)
	}
	inner := doc[i+len(TableBegin) : j]
	return doc[:i+len(TableBegin)], strings.TrimPrefix(inner, "\n"), doc[j:], nil
}

// GoMod is what the checks need from go.mod.
type GoMod struct {
	Module, Go, Toolchain string
	Require               map[string]string // module path -> version
}

// ParseGoMod reads the module, go and toolchain directives and the requirements of a go.mod.
func ParseGoMod(text string) (GoMod, error) {
	m := GoMod{Require: map[string]string{}}
	inRequire := false
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case inRequire && f[0] == ")":
			inRequire = false
		case inRequire && len(f) >= 2:
			m.Require[f[0]] = f[1]
		case f[0] == "require" && len(f) == 2 && f[1] == "(":
			inRequire = true
		case f[0] == "require" && len(f) >= 3:
			m.Require[f[1]] = f[2]
		case f[0] == "module" && len(f) == 2:
			m.Module = f[1]
		case f[0] == "go" && len(f) == 2:
			m.Go = f[1]
		case f[0] == "toolchain" && len(f) == 2:
			m.Toolchain = f[1]
		}
	}
	if m.Module == "" || m.Go == "" {
		return m, fmt.Errorf("go.mod without module or go directive")
	}
	return m, sc.Err()
}

// CompareVersions compares dotted numeric versions ("1.26.5" < "1.26.8"; "1.26" < "1.26.0"),
// with an optional leading "v" or "go". It reports an error for anything else.
func CompareVersions(a, b string) (int, error) {
	pa, err := versionParts(a)
	if err != nil {
		return 0, err
	}
	pb, err := versionParts(b)
	if err != nil {
		return 0, err
	}
	for i := 0; i < len(pa) || i < len(pb); i++ {
		switch {
		case i >= len(pa):
			return -1, nil
		case i >= len(pb):
			return 1, nil
		case pa[i] != pb[i]:
			if pa[i] < pb[i] {
				return -1, nil
			}
			return 1, nil
		}
	}
	return 0, nil
}

func versionParts(v string) ([]int, error) {
	s := strings.TrimPrefix(strings.TrimPrefix(v, "go"), "v")
	var parts []int
	for _, f := range strings.Split(s, ".") {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%q is not a dotted numeric version", v)
		}
		parts = append(parts, n)
	}
	return parts, nil
}

// Instruction is one Dockerfile instruction.
type Instruction struct {
	Line  int    // first line, 1-based
	Cmd   string // upper case: FROM, RUN, ARG ...
	Args  string // the arguments as Docker joins them: continuations joined, comment lines dropped
	Flags []string
	// For shell-form RUN: the script lines as written (each with its Dockerfile line number),
	// comment and empty lines inside the continuation dropped as Docker drops them.
	Script     []ScriptLine
	ExecForm   bool // JSON array form: RUN ["..."], CMD [...]
	HasHeredoc bool // RUN <<EOF ...: not extracted
}

// ScriptLine is one physical line of a RUN script.
type ScriptLine struct {
	Line int
	Text string
}

var heredocRE = regexp.MustCompile(`<<-?\s*["']?[A-Za-z_][A-Za-z0-9_]*["']?`)

// ParseDockerfile splits a Dockerfile (default escape character) into instructions.
func ParseDockerfile(text string) ([]Instruction, error) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var out []Instruction
	for i := 0; i < len(lines); i++ {
		trimmed := strings.TrimSpace(lines[i])
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		start := i
		var phys []ScriptLine // physical lines of the instruction, comments dropped
		for ; i < len(lines); i++ {
			t := strings.TrimSpace(lines[i])
			if i > start && (t == "" || strings.HasPrefix(t, "#")) {
				continue // Docker drops comment and empty lines inside a continuation
			}
			phys = append(phys, ScriptLine{Line: i + 1, Text: strings.TrimRight(lines[i], " \t")})
			if !strings.HasSuffix(strings.TrimRight(lines[i], " \t"), `\`) {
				break
			}
		}
		if i == len(lines) {
			return nil, fmt.Errorf("line %d: instruction continues past the end of the file", start+1)
		}
		first := strings.TrimLeft(phys[0].Text, " \t")
		cmd, rest, _ := strings.Cut(first, " ")
		in := Instruction{Line: start + 1, Cmd: strings.ToUpper(cmd)}
		phys[0].Text = rest
		// Flags (--mount=..., --chown=..., --from=...) come first.
		for {
			r := strings.TrimLeft(phys[0].Text, " \t")
			if !strings.HasPrefix(r, "--") {
				phys[0].Text = r
				break
			}
			flag, tail, _ := strings.Cut(r, " ")
			in.Flags = append(in.Flags, flag)
			phys[0].Text = tail
			if strings.TrimSpace(tail) == `\` && len(phys) > 1 { // a flag alone on its line
				phys = phys[1:]
				phys[0].Text = strings.TrimLeft(phys[0].Text, " \t")
			}
		}
		var joined strings.Builder
		for k, p := range phys {
			t := p.Text
			if k < len(phys)-1 {
				t = strings.TrimSuffix(t, `\`)
			}
			joined.WriteString(t)
		}
		in.Args = strings.TrimSpace(joined.String())
		in.ExecForm = strings.HasPrefix(in.Args, "[")
		if in.Cmd == "RUN" && !in.ExecForm {
			if heredocRE.MatchString(in.Args) {
				in.HasHeredoc = true
				// Skip the heredoc bodies: up to each terminator line.
				for _, m := range heredocRE.FindAllString(in.Args, -1) {
					word := strings.Trim(strings.TrimLeft(strings.TrimPrefix(m, "<<"), "- \t"), `"'`)
					for i++; i < len(lines) && strings.TrimSpace(lines[i]) != word; i++ {
					}
				}
			} else {
				in.Script = phys
			}
		}
		out = append(out, in)
	}
	return out, nil
}

// ShellScript renders a shell-form RUN as a bash script for shellcheck, and the Dockerfile line
// of each script line (index k holds the line of script line k+1). The script keeps the
// Dockerfile's line breaks and continuations, so shellcheck's columns stay close to the source.
func (in Instruction) ShellScript() (string, []int) {
	var b strings.Builder
	b.WriteString("#!/bin/bash\n")
	lineOf := []int{in.Line}
	for _, p := range in.Script {
		b.WriteString(p.Text)
		b.WriteByte('\n')
		lineOf = append(lineOf, p.Line)
	}
	return b.String(), lineOf
}

var argRefRE = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)

// Substitute expands $NAME and ${NAME} (no modifiers) from vars; unknown names stay as written.
func Substitute(s string, vars map[string]string) string {
	return regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)`).ReplaceAllStringFunc(s, func(m string) string {
		name := strings.Trim(m, "${}")
		if v, ok := vars[name]; ok {
			return v
		}
		return m
	})
}

// VarRefs lists the variable names that s references ($NAME, ${NAME}, ${NAME:-x}, ...).
func VarRefs(s string) []string {
	var names []string
	for _, m := range argRefRE.FindAllStringSubmatch(s, -1) {
		names = append(names, m[1])
	}
	return names
}

// LiteralIndex returns the byte offsets at which value occurs in text as a whole token: not
// inside a longer version or word ("v0.1.2" is not in "v0.1.23" nor in "xv0.1.2").
func LiteralIndex(text, value string) []int {
	var at []int
	for off := 0; ; {
		i := strings.Index(text[off:], value)
		if i < 0 {
			return at
		}
		i += off
		end := i + len(value)
		before := i == 0 || !isWordByte(text[i-1]) && text[i-1] != '.'
		after := end == len(text) || !isWordByte(text[end]) &&
			(text[end] != '.' || end+1 == len(text) || !isWordByte(text[end+1]))
		if before && after {
			at = append(at, i)
		}
		off = i + 1
	}
}

func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}
