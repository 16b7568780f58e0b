// Command linkcheck fails when a relative link in the course's Markdown (README*.md,
// CONTRIBUTING.md, CHANGELOG.md, docs/**.md, notebooks/README*.md, notebooks/zh/*.md) does not
// resolve to a file or folder tracked by git. A link into the ignored build/ folder is dead on
// GitHub, where most people first see the course.
//
//	go run ./tools/linkcheck        # from the repository root; exit 1 and one line per dead link
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// A Markdown link or image [text](target "title"), or an HTML src/href attribute.
var (
	mdLink   = regexp.MustCompile(`!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)
	htmlLink = regexp.MustCompile(`(?:src|href)="([^"]+)"`)
	fence    = regexp.MustCompile("(?s)```.*?```")
	code     = regexp.MustCompile("`[^`\n]*`")
)

// DeadLink is a relative link that resolves to no tracked file.
type DeadLink struct {
	File, Target string
	Line         int
}

func (d DeadLink) String() string {
	return fmt.Sprintf("%s:%d: %s resolves to no tracked file", d.File, d.Line, d.Target)
}

// Links returns the relative link targets of a Markdown text with their line numbers; code
// (fenced and inline) is skipped.
func Links(md string) (targets []string, lines []int) {
	blank := func(s string) string { return regexp.MustCompile(`[^\n]`).ReplaceAllString(s, " ") }
	md = fence.ReplaceAllStringFunc(md, blank)
	md = code.ReplaceAllStringFunc(md, blank)
	for i, line := range strings.Split(md, "\n") {
		var found []string
		for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
			found = append(found, m[1])
		}
		for _, m := range htmlLink.FindAllStringSubmatch(line, -1) {
			found = append(found, m[1])
		}
		for _, t := range found {
			if strings.HasPrefix(t, "#") || strings.Contains(t, "://") || strings.HasPrefix(t, "mailto:") {
				continue
			}
			targets = append(targets, t)
			lines = append(lines, i+1)
		}
	}
	return targets, lines
}

// Check returns the dead links of the Markdown files (paths relative to the repository root,
// slash-separated), given the tracked files.
func Check(files map[string][]byte, tracked []string) []DeadLink {
	exists := map[string]bool{}
	for _, f := range tracked {
		for p := f; p != "." && p != "/"; p = path.Dir(p) {
			exists[p] = true
		}
	}
	var dead []DeadLink
	for name, data := range files {
		targets, lines := Links(string(data))
		for i, t := range targets {
			target := t
			if j := strings.IndexAny(target, "#?"); j >= 0 {
				target = target[:j]
			}
			if target == "" {
				continue
			}
			if u, err := url.PathUnescape(target); err == nil {
				target = u
			}
			resolved := path.Clean(path.Join(path.Dir(name), target))
			if strings.HasPrefix(target, "/") || !exists[resolved] {
				dead = append(dead, DeadLink{File: name, Target: t, Line: lines[i]})
			}
		}
	}
	return dead
}

// markdownFiles lists the checked files among the tracked ones.
func markdownFiles(tracked []string) []string {
	var out []string
	for _, f := range tracked {
		if !strings.HasSuffix(f, ".md") {
			continue
		}
		base, dir := path.Base(f), path.Dir(f)
		switch {
		case dir == "." && (strings.HasPrefix(base, "README") || base == "CONTRIBUTING.md" || base == "CHANGELOG.md"),
			dir == "docs" || strings.HasPrefix(dir, "docs/"),
			dir == "notebooks" && strings.HasPrefix(base, "README"),
			dir == "notebooks/zh":
			out = append(out, f)
		}
	}
	return out
}

// trackedFiles lists the files git tracks under root (quotePath off: names as they are).
func trackedFiles(root string) ([]string, error) {
	cmd := exec.Command("git", "-c", "core.quotePath=false", "ls-files")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files in %s: %w", root, err)
	}
	var files []string
	s := bufio.NewScanner(bytes.NewReader(out))
	for s.Scan() {
		files = append(files, s.Text())
	}
	return files, s.Err()
}

func run(root string) ([]DeadLink, error) {
	tracked, err := trackedFiles(root)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, f := range markdownFiles(tracked) {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f)))
		if err != nil {
			return nil, err
		}
		files[f] = data
	}
	return Check(files, tracked), nil
}

func main() {
	dead, err := run(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "linkcheck:", err)
		os.Exit(2)
	}
	for _, d := range dead {
		fmt.Println(d)
	}
	if len(dead) > 0 {
		os.Exit(1)
	}
}
