package pincheck

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/go-xla/pjrt"
)

// sourcesRE matches a shell step that sources versions.env (". path/scripts/versions.env").
var sourcesRE = regexp.MustCompile(`(?:^|[;&|]|\s)(?:\.|source)\s+\S*scripts/versions\.env`)

var update = flag.Bool("update", false, "rewrite the version table of docker/README.md from scripts/versions.env")

// Files, relative to the repository root.
const (
	versionsEnv  = "scripts/versions.env"
	buildEnv     = "scripts/build.env"
	dockerfile   = "docker/Dockerfile"
	dockerReadme = "docker/README.md"
	workflowsDir = ".github/workflows"
)

// Keys every consumer relies on.
var requiredKeys = []string{
	"GO_VERSION", "GOMLX_VERSION", "GOMLX_COMPUTE_VERSION", "GOMLX_GOXLA_VERSION", "GONB_VERSION",
	"GOIMPORTS_VERSION", "GOPLS_VERSION", "ACTIONLINT_VERSION", "JUPYTER_STACKS_IMAGE",
	"PJRT_CPU_VERSION", "PJRT_CUDA_PLUGIN", "PJRT_CUDA_VERSION", "CI_DEBIAN_IMAGE",
}

// go.mod requirements that versions.env pins too.
var goModPins = map[string]string{
	"github.com/gomlx/gomlx":     "GOMLX_VERSION",
	"github.com/gomlx/compute":   "GOMLX_COMPUTE_VERSION",
	"github.com/gomlx/go-xla":    "GOMLX_GOXLA_VERSION",
	"github.com/janpfeifer/gonb": "GONB_VERSION",
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, versionsEnv)); err != nil {
		t.Fatalf("repository root not found from %s: %v", root, err)
	}
	return root
}

func readFile(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func loadPins(t *testing.T) ([]Pin, map[string]string) {
	t.Helper()
	pins, err := ParseVersionsEnv(readFile(t, versionsEnv))
	if err != nil {
		t.Fatalf("%s: %v", versionsEnv, err)
	}
	return pins, PinMap(pins)
}

func workflowFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pat := range []string{"*.yml", "*.yaml"} {
		m, err := filepath.Glob(filepath.Join(repoRoot(t), workflowsDir, pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatalf("no workflows in %s", workflowsDir)
	}
	slices.Sort(files)
	return files
}

func rel(t *testing.T, path string) string {
	r, err := filepath.Rel(repoRoot(t), path)
	if err != nil {
		return path
	}
	return r
}

func TestVersionsEnv(t *testing.T) {
	pins, m := loadPins(t)
	for _, k := range requiredKeys {
		if m[k] == "" {
			t.Errorf("%s: %s is missing", versionsEnv, k)
		}
	}
	semver := regexp.MustCompile(`^v\d+\.\d+\.\d+$`)
	for _, p := range pins {
		switch {
		case p.Key == "GO_VERSION":
			if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(p.Value) {
				t.Errorf("%s:%d: GO_VERSION=%s is not an exact Go release (like 1.27.3)", versionsEnv, p.Line, p.Value)
			}
		case strings.HasSuffix(p.Key, "_IMAGE"):
			name, tag, ok := strings.Cut(p.Value[strings.LastIndex(p.Value, "/")+1:], ":")
			if !ok || tag == "" || tag == "latest" || !regexp.MustCompile(`\d`).MatchString(tag) {
				t.Errorf("%s:%d: %s=%s: the image %s needs an explicit, versioned tag", versionsEnv, p.Line, p.Key, p.Value, name)
			}
		case p.Key == "PJRT_CUDA_PLUGIN":
			if p.Value != "cuda13" && p.Value != "cuda12" {
				t.Errorf("%s:%d: PJRT_CUDA_PLUGIN=%s: go-xla's installer knows cuda13 and cuda12", versionsEnv, p.Line, p.Value)
			}
		case p.Key == "PJRT_CUDA_VERSION":
			if !regexp.MustCompile(`^\d+(\.\d+)+$`).MatchString(p.Value) {
				t.Errorf("%s:%d: PJRT_CUDA_VERSION=%s is not an exact JAX release", versionsEnv, p.Line, p.Value)
			}
		case strings.HasSuffix(p.Key, "_VERSION"):
			if !semver.MatchString(p.Value) {
				t.Errorf("%s:%d: %s=%s is not an exact vX.Y.Z version", versionsEnv, p.Line, p.Key, p.Value)
			}
		}
		if p.Doc == "" {
			t.Errorf("%s:%d: %s has no comment line above it (docker/README.md's table shows it)", versionsEnv, p.Line, p.Key)
		}
	}
}

func TestGoModAgrees(t *testing.T) {
	_, pins := loadPins(t)
	mod, err := ParseGoMod(readFile(t, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for path, key := range goModPins {
		if got := mod.Require[path]; got != pins[key] {
			t.Errorf("go.mod requires %s %s, %s has %s=%s", path, got, versionsEnv, key, pins[key])
		}
	}
	goVersion := pins["GO_VERSION"]
	if c, err := CompareVersions(mod.Go, goVersion); err != nil || c > 0 {
		t.Errorf("go.mod's go directive %s needs a newer Go than %s's GO_VERSION=%s (%v)", mod.Go, versionsEnv, goVersion, err)
	}
	if lang := strings.Join(strings.Split(goVersion, ".")[:2], "."); !strings.HasPrefix(mod.Go+".", lang+".") {
		t.Errorf("go.mod's go directive %s is not Go %s, the language version of GO_VERSION=%s", mod.Go, lang, goVersion)
	}
	if mod.Toolchain != "" && mod.Toolchain != "go"+goVersion {
		t.Errorf("go.mod's toolchain %s differs from GO_VERSION=%s", mod.Toolchain, goVersion)
	}
}

// TestBuildEnvToolchain: scripts/build.env's GOTOOLCHAIN (which make, the GoNB kernel and the
// Docker image run with) is the Go release that scripts/versions.env pins.
func TestBuildEnvToolchain(t *testing.T) {
	_, pins := loadPins(t)
	want := "go" + pins["GO_VERSION"]
	found := false
	for _, line := range strings.Split(readFile(t, buildEnv), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "GOTOOLCHAIN="); ok {
			found = true
			if v != want {
				t.Errorf("%s: GOTOOLCHAIN=%s, but %s pins GO_VERSION=%s (want GOTOOLCHAIN=%s)", buildEnv, v, versionsEnv, pins["GO_VERSION"], want)
			}
		}
	}
	if !found {
		t.Errorf("%s: no GOTOOLCHAIN line; want GOTOOLCHAIN=%s so that every shell runs the pinned Go", buildEnv, want)
	}
}

// PJRT_CPU_VERSION must be the CPU plugin that the go-xla in go.mod was built and tested with.
func TestPJRTCPUVersionIsGoXLAs(t *testing.T) {
	_, pins := loadPins(t)
	if pins["PJRT_CPU_VERSION"] != pjrt.DefaultCPUVersion {
		t.Errorf("%s: PJRT_CPU_VERSION=%s but go-xla %s expects the CPU plugin %s (pjrt.DefaultCPUVersion)",
			versionsEnv, pins["PJRT_CPU_VERSION"], pins["GOMLX_GOXLA_VERSION"], pjrt.DefaultCPUVersion)
	}
}

func parseDockerfile(t *testing.T) []Instruction {
	t.Helper()
	ins, err := ParseDockerfile(readFile(t, dockerfile))
	if err != nil {
		t.Fatalf("%s: %v", dockerfile, err)
	}
	return ins
}

// The FROM images are ARGs whose defaults equal versions.env; every other version is read from
// versions.env in the RUN steps that use it.
func TestDockerfilePins(t *testing.T) {
	_, pins := loadPins(t)
	ins := parseDockerfile(t)
	looksVersioned := regexp.MustCompile(`\d+\.\d+|\d{4}-\d{2}-\d{2}`)

	globalArgs := map[string]string{}
	stages := map[string]bool{}
	var stageArgs map[string]bool // ARGs declared in the current stage
	seenFrom := false
	for _, in := range ins {
		where := fmt.Sprintf("%s:%d", dockerfile, in.Line)
		switch in.Cmd {
		case "ARG":
			for _, decl := range strings.Fields(in.Args) {
				name, def, hasDef := strings.Cut(decl, "=")
				if pinned, ok := pins[name]; ok && hasDef && def != pinned {
					t.Errorf("%s: ARG %s=%s but %s has %s=%s", where, name, def, versionsEnv, name, pinned)
				}
				if _, ok := pins[name]; !ok && hasDef && looksVersioned.MatchString(def) {
					t.Errorf("%s: ARG %s=%s looks like a version: pin it in %s under that name", where, name, def, versionsEnv)
				}
				if !seenFrom {
					globalArgs[name] = def
				} else {
					stageArgs[name] = true
				}
			}
		case "FROM":
			seenFrom = true
			stageArgs = map[string]bool{}
			f := strings.Fields(in.Args)
			if len(f) == 0 {
				t.Errorf("%s: empty FROM", where)
				continue
			}
			image := f[0]
			isStage := stages[image]
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				stages[f[2]] = true // usable by later FROMs
			}
			if isStage {
				continue
			}
			var fromPins []string
			for _, name := range VarRefs(image) {
				if _, ok := globalArgs[name]; !ok {
					t.Errorf("%s: FROM %s uses %s, not an ARG declared before the first FROM", where, image, name)
				}
				if _, ok := pins[name]; ok {
					fromPins = append(fromPins, name)
				}
			}
			if len(fromPins) == 0 {
				t.Errorf("%s: FROM %s: external images must come from an ARG named after a %s key", where, image, versionsEnv)
				continue
			}
			resolved := Substitute(image, pins)
			tag := resolved[strings.LastIndex(resolved, "/")+1:]
			if _, tg, ok := strings.Cut(tag, ":"); !strings.Contains(resolved, "@sha256:") && (!ok || tg == "latest") {
				t.Errorf("%s: FROM %s resolves to %s: no pinned tag", where, image, resolved)
			}
			if strings.HasPrefix(resolved, "golang:") && !strings.HasPrefix(resolved, "golang:"+pins["GO_VERSION"]+"-") &&
				resolved != "golang:"+pins["GO_VERSION"] {
				t.Errorf("%s: FROM %s resolves to %s, not Go %s", where, image, resolved, pins["GO_VERSION"])
			}
		case "RUN":
			script := in.Args
			sources := sourcesRE.MatchString(script)
			for _, name := range VarRefs(script) {
				if _, pinned := pins[name]; pinned && !sources && !stageArgs[name] {
					t.Errorf("%s: RUN uses $%s without sourcing %s or declaring ARG %s in its stage", where, name, versionsEnv, name)
				}
			}
			for _, m := range regexp.MustCompile(`@v\d+\.\d+[\w.+-]*|==\s*\d[\w.]*|--version[ =]["']?\d[\w.]*`).FindAllString(script, -1) {
				t.Errorf("%s: RUN pins %q literally: use a %s key", where, m, versionsEnv)
			}
		}
	}
	if len(globalArgs) == 0 {
		t.Errorf("%s: no ARG before the first FROM", dockerfile)
	}
}

// TestDockerfileBuildEnv: the image builds and runs Go with scripts/build.env's settings (its
// ENV), and setup.sh, which writes them into the kernel's environment, finds the file there.
func TestDockerfileBuildEnv(t *testing.T) {
	var want []Pin
	for n, line := range strings.Split(readFile(t, buildEnv), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || k == "" || strings.ContainsAny(line, " \"'$") {
			t.Fatalf("%s:%d: %q is not KEY=VALUE (no spaces, quotes or $)", buildEnv, n+1, line)
		}
		want = append(want, Pin{Key: k, Value: v, Line: n + 1})
	}
	if len(want) == 0 {
		t.Fatalf("%s sets nothing", buildEnv)
	}
	env := map[string]string{}
	copied := false
	for _, in := range parseDockerfile(t) {
		switch in.Cmd {
		case "ENV":
			for _, kv := range envPairs(in.Args) {
				env[kv[0]] = kv[1]
			}
		case "COPY":
			if strings.Contains(in.Args, "scripts/setup.sh") && strings.Contains(in.Args, buildEnv) {
				copied = true
			}
		}
	}
	for _, p := range want {
		if got, ok := env[p.Key]; !ok || got != p.Value {
			t.Errorf("%s: ENV %s=%q, but %s has %s=%s", dockerfile, p.Key, got, buildEnv, p.Key, p.Value)
		}
	}
	if !copied {
		t.Errorf("%s: the COPY of scripts/setup.sh must also copy %s (setup.sh reads it)", dockerfile, buildEnv)
	}
}

// The image targets and runtime settings the course relies on.
func TestDockerfileTargets(t *testing.T) {
	ins := parseDockerfile(t)
	type stage struct {
		parent string
		user   string // last USER in the stage
		cmds   map[string]string
	}
	stages := map[string]*stage{}
	var cur *stage
	for _, in := range ins {
		switch in.Cmd {
		case "FROM":
			f := strings.Fields(in.Args)
			cur = &stage{parent: f[0], cmds: map[string]string{}}
			if len(f) == 3 {
				stages[f[2]] = cur
			}
		case "USER":
			if cur != nil {
				cur.user = in.Args
			}
		}
		if cur != nil {
			cur.cmds[in.Cmd] = in.Args
		}
	}
	// effective walks a target's chain of stages, nearest first.
	effective := func(target, cmd string) string {
		for s := stages[target]; s != nil; s = stages[s.parent] {
			if cmd == "USER" && s.user != "" {
				return s.user
			}
			if v, ok := s.cmds[cmd]; ok && cmd != "USER" {
				return v
			}
		}
		return ""
	}
	for _, target := range []string{"cpu", "cuda"} {
		if stages[target] == nil {
			t.Errorf("%s: no %q target", dockerfile, target)
			continue
		}
		if u := effective(target, "USER"); u == "" || u == "root" || u == "0" || strings.HasPrefix(u, "root:") || strings.HasPrefix(u, "0:") {
			t.Errorf("%s: target %s runs as %q: it must end as the non-root notebook user", dockerfile, target, u)
		}
		if !strings.Contains(effective(target, "ENTRYPOINT"), `"tini"`) {
			t.Errorf("%s: target %s has no tini ENTRYPOINT", dockerfile, target)
		}
		if !strings.Contains(effective(target, "EXPOSE"), "8888") {
			t.Errorf("%s: target %s does not EXPOSE 8888", dockerfile, target)
		}
		// HEALTHCHECK (none: the base image's) and WORKDIR (the course root): docker_test.go.
	}
	if !strings.Contains(effective("cuda", "ENV"), "GOMLX_BACKEND=xla:cuda") {
		t.Errorf("%s: the cuda target does not default to GOMLX_BACKEND=xla:cuda", dockerfile)
	}
	text := readFile(t, dockerfile)
	for _, want := range []string{"scripts/setup.sh --no-apt", "go mod download", "go build ./...", "go test -count=1 -run '^$' ./...",
		"scripts/run_notebooks.sh\" --fast", `-plugin cpu -version "${PJRT_CPU_VERSION}"`,
		`-plugin "${PJRT_CUDA_PLUGIN}" -version "${PJRT_CUDA_VERSION}"`} {
		if !strings.Contains(text, want) {
			t.Errorf("%s: no step with %q", dockerfile, want)
		}
	}
}

// No file that consumes versions.env repeats one of its versions (so a bump is one edit).
func TestNoDuplicatedVersions(t *testing.T) {
	pins, m := loadPins(t)
	root := repoRoot(t)
	files := map[string]string{}
	for _, f := range append(workflowFiles(t), filepath.Join(root, dockerReadme),
		filepath.Join(root, "scripts/setup.sh"), filepath.Join(root, "scripts/nbsetup.sh")) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		if rel(t, f) == dockerReadme {
			if before, _, after, err := SplitTable(text); err == nil {
				text = before + after // the generated table is checked by TestDockerReadmeTable
			}
		}
		files[rel(t, f)] = text
	}
	// The Dockerfile: only its ARG defaults (checked equal to versions.env) may hold them.
	var df strings.Builder
	for _, line := range strings.Split(readFile(t, dockerfile), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "ARG" {
			name, _, _ := strings.Cut(f[1], "=")
			if _, ok := m[name]; ok {
				line = ""
			}
		}
		df.WriteString(line + "\n")
	}
	files[dockerfile] = df.String()

	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		text := files[name]
		for _, p := range pins {
			for _, at := range LiteralIndex(text, p.Value) {
				line := strings.Count(text[:at], "\n") + 1
				t.Errorf("%s:%d: repeats %s's %s=%s: read it from there instead", name, line, versionsEnv, p.Key, p.Value)
			}
		}
	}
}

// Workflows: actions pinned by commit SHA, versions only through expressions fed by versions.env.
func TestWorkflowPins(t *testing.T) {
	usesRE := regexp.MustCompile(`^\s*(?:-\s+)?uses:\s*(\S+)(.*)$`)
	pinnedRE := regexp.MustCompile(`^[\w.-]+/[\w./-]+@[0-9a-f]{40}$`)
	tagCommentRE := regexp.MustCompile(`#\s*v\d+(\.\d+)*`)
	literalRE := regexp.MustCompile(`^\s*(?:-\s+)?(go-version|python-version|node-version|image|container):\s*(\S.*)$`)
	for _, f := range workflowFiles(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		if !strings.Contains(text, versionsEnv) {
			t.Errorf("%s: does not read %s", rel(t, f), versionsEnv)
		}
		for n, line := range strings.Split(text, "\n") {
			where := fmt.Sprintf("%s:%d", rel(t, f), n+1)
			if m := usesRE.FindStringSubmatch(line); m != nil {
				if strings.HasPrefix(m[1], "./") {
					continue
				}
				if !pinnedRE.MatchString(m[1]) {
					t.Errorf("%s: %s is not pinned by a full commit SHA", where, m[1])
				} else if !tagCommentRE.MatchString(m[2]) {
					t.Errorf("%s: %s has no '# vX.Y.Z' comment naming its release", where, m[1])
				}
			}
			if m := literalRE.FindStringSubmatch(line); m != nil && !strings.HasPrefix(m[2], "${{") {
				t.Errorf("%s: %s: %s is a literal: pass it from %s", where, m[1], m[2], versionsEnv)
			}
		}
	}
	test := readFile(t, filepath.Join(workflowsDir, "test.yml"))
	if !regexp.MustCompile(`(?m)^\s*run:\s*make test\s*$`).MatchString(test) {
		t.Errorf("%s/test.yml does not run the README's `make test`", workflowsDir)
	}
	image := readFile(t, filepath.Join(workflowsDir, "image.yml"))
	for _, want := range []string{"target: [cpu, cuda]", "file: docker/Dockerfile", "target: ${{ matrix.target }}",
		"JUPYTER_STACKS_IMAGE=${{", "GO_VERSION=${{"} {
		if !strings.Contains(image, want) {
			t.Errorf("%s/image.yml: no %q", workflowsDir, want)
		}
	}
}

// docker/README.md carries ONE table of every pin, generated from versions.env.
func TestDockerReadmeTable(t *testing.T) {
	pins, _ := loadPins(t)
	path := filepath.Join(repoRoot(t), dockerReadme)
	doc := readFile(t, dockerReadme)
	before, table, after, err := SplitTable(doc)
	if err != nil {
		t.Fatalf("%s: %v", dockerReadme, err)
	}
	want := VersionTable(pins)
	if table == want {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(before+"\n"+want+after), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: version table rewritten from %s", dockerReadme, versionsEnv)
		return
	}
	t.Errorf("%s: the version table differs from %s; run `go test ./tools/pincheck -update`.\nwant:\n%s\ngot:\n%s",
		dockerReadme, versionsEnv, want, table)
}

// findTool looks for a Go-installed or system tool: PATH, then GOBIN, then each GOPATH's bin.
func findTool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	var dirs []string
	if out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output(); err == nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) == 2 {
			if lines[0] != "" {
				dirs = append(dirs, lines[0])
			}
			for _, gp := range filepath.SplitList(lines[1]) {
				dirs = append(dirs, filepath.Join(gp, "bin"))
			}
		}
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// missingTool skips (a developer's machine without the tool) or, under CI, fails.
func missingTool(t *testing.T, name, install string) {
	t.Helper()
	msg := fmt.Sprintf("%s not found on PATH, in GOBIN or GOPATH/bin: %s (scripts/setup.sh installs it)", name, install)
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func TestActionlint(t *testing.T) {
	_, pins := loadPins(t)
	bin := findTool(t, "actionlint")
	if bin == "" {
		missingTool(t, "actionlint", "go install github.com/rhysd/actionlint/cmd/actionlint@"+pins["ACTIONLINT_VERSION"])
	}
	if out, err := exec.Command(bin, "-version").Output(); err == nil {
		if got := strings.SplitN(string(out), "\n", 2)[0]; got != pins["ACTIONLINT_VERSION"] {
			t.Logf("note: %s is %s, %s pins ACTIONLINT_VERSION=%s", bin, got, versionsEnv, pins["ACTIONLINT_VERSION"])
		}
	}
	if sc := findTool(t, "shellcheck"); sc == "" {
		t.Logf("note: shellcheck not found: actionlint checks the run: scripts only with it")
	}
	args := []string{"-no-color"}
	for _, f := range workflowFiles(t) {
		args = append(args, rel(t, f))
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("actionlint %s: %v\n%s", strings.Join(args[1:], " "), err, out)
	}
}

// Each shell-form RUN of the Dockerfile, extracted as a bash script, passes shellcheck. SC1090
// and SC1091 (cannot follow a sourced file) are off: the sourced paths exist only in the image.
func TestDockerfileShellcheck(t *testing.T) {
	bin := findTool(t, "shellcheck")
	if bin == "" {
		missingTool(t, "shellcheck", "apt-get install shellcheck")
	}
	dir := t.TempDir()
	lineMaps := map[string][]int{}
	var files []string
	for _, in := range parseDockerfile(t) {
		if in.Cmd != "RUN" {
			continue
		}
		if in.ExecForm || in.HasHeredoc {
			t.Logf("%s:%d: RUN in exec or heredoc form: not checked", dockerfile, in.Line)
			continue
		}
		script, lineOf := in.ShellScript()
		name := fmt.Sprintf("RUN-line-%d.sh", in.Line)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o644); err != nil {
			t.Fatal(err)
		}
		lineMaps[name] = lineOf
		files = append(files, name)
	}
	if len(files) == 0 {
		t.Fatalf("%s: no RUN instruction extracted", dockerfile)
	}
	cmd := exec.Command(bin, append([]string{"-s", "bash", "-f", "gcc", "-e", "SC1090,SC1091"}, files...)...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	// Report findings at their Dockerfile lines: "RUN-line-N.sh:K:C: level: message".
	findRE := regexp.MustCompile(`^(RUN-line-\d+\.sh):(\d+):(\d+): (.*)$`)
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if m := findRE.FindStringSubmatch(line); m != nil {
			var k int
			fmt.Sscan(m[2], &k)
			if lm := lineMaps[m[1]]; k >= 1 && k <= len(lm) {
				t.Errorf("%s:%d:%s: %s", dockerfile, lm[k-1], m[3], m[4])
				continue
			}
		}
		if line != "" {
			t.Error(line)
		}
	}
	if err != nil && !t.Failed() {
		t.Errorf("shellcheck: %v\n%s", err, out.String())
	}
	t.Logf("shellcheck checked %d RUN step(s) of %s", len(files), dockerfile)
}
