package pincheck

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The Docker image's conventions (docker/README.md explains each), checked on the text of
// docker/Dockerfile, its .dockerignore and scripts/setup.sh:
//
//   - GOPATH, GOMODCACHE and GOCACHE are set, under /opt (JupyterHub mounts a volume over
//     /home/jovyan); setup.sh puts its tools in /usr/local/bin and the GoNB kernelspec in
//     ${CONDA_DIR}/share/jupyter; the course itself is not under /home;
//   - docker-stacks' fix-permissions runs as root after the last step that writes the Go caches,
//     the home or the conda environment, so that another NB_UID can write them;
//   - ldconfig runs (as root) after the CUDA plugin and its libraries arrive;
//   - no HEALTHCHECK instruction (the base image's stays);
//   - the stages that run pjrtinstall see only what it needs from the build context (no COPY .);
//   - every external FROM image carries a digest: either @sha256:<64 hex> in the image ARG, or
//     ${X:+@${X}} with a global ARG X whose default is sha256:<64 hex>, or EMPTY. Empty is the one
//     accepted "not pinned yet" form (no registry was reachable where the Dockerfile was
//     written); the test logs a note for it. The Jupyter docker-stacks tag is a date that is a
//     Monday (their date tags are cut on Mondays);
//   - the .dockerignore excludes node_modules, wheels, .device and build;
//   - the targets start in the course root, and Jupyter's root directory is the course;
//   - no CI-only tool (actionlint) in the image.
//
// TestDockerConventionsMutations breaks each rule in memory and checks that it is reported, so
// that the check cannot pass vacuously.

type dockerTexts struct {
	Dockerfile, Ignore, SetupSh string
}

const dockerignore = "docker/Dockerfile.dockerignore"

// stageInfo is one FROM ... [AS name] block of a Dockerfile.
type stageInfo struct {
	name, parent string
	ins          []Instruction // FROM included
}

func splitStages(ins []Instruction) (global []Instruction, stages []*stageInfo, byName map[string]*stageInfo) {
	byName = map[string]*stageInfo{}
	var cur *stageInfo
	for _, in := range ins {
		if in.Cmd == "FROM" {
			f := strings.Fields(in.Args)
			cur = &stageInfo{}
			if len(f) > 0 {
				cur.parent = f[0]
			}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				cur.name = f[2]
				byName[cur.name] = cur
			}
			stages = append(stages, cur)
		}
		if cur == nil {
			global = append(global, in)
		} else {
			cur.ins = append(cur.ins, in)
		}
	}
	return global, stages, byName
}

// chainOf returns the instructions of a stage and of the stages it is built FROM, oldest first.
func chainOf(byName map[string]*stageInfo, s *stageInfo) []Instruction {
	var parts [][]Instruction
	for seen := map[*stageInfo]bool{}; s != nil && !seen[s]; s = byName[s.parent] {
		seen[s] = true
		parts = append(parts, s.ins)
	}
	var out []Instruction
	for i := len(parts) - 1; i >= 0; i-- {
		out = append(out, parts[i]...)
	}
	return out
}

func flagValue(in Instruction, name string) (string, bool) {
	for _, f := range in.Flags {
		if v, ok := strings.CutPrefix(f, "--"+name+"="); ok {
			return v, true
		}
	}
	return "", false
}

var envPairRE = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)`)

// envPairs parses the KEY=VALUE pairs of an ENV instruction.
func envPairs(args string) [][2]string {
	var out [][2]string
	for _, m := range envPairRE.FindAllStringSubmatch(args, -1) {
		out = append(out, [2]string{m[1], strings.Trim(m[2], `"`)})
	}
	return out
}

// fixPermissionsArgs returns the arguments of the last fix-permissions command of a RUN.
func fixPermissionsArgs(args string) string {
	i := strings.LastIndex(args, "fix-permissions")
	if i < 0 {
		return ""
	}
	rest := args[i+len("fix-permissions"):]
	if j := strings.IndexAny(rest, ";&|"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

func isRoot(user string) bool {
	return user == "root" || user == "0" || strings.HasPrefix(user, "root:") || strings.HasPrefix(user, "0:")
}

var (
	digestRE      = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
	digestSuffixR = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*):\+@\$\{([A-Za-z_][A-Za-z0-9_]*)\}\}$`)
	dateTagRE     = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})$`)
	ldconfigRE    = regexp.MustCompile(`(?:^|[;&|(\s])ldconfig(?:$|[;&|)\s])`)
	rmActionlint  = regexp.MustCompile(`\brm\s+(?:-[a-zA-Z]+\s+)*(\S*/actionlint)\b`)
	setupFlagRE   = regexp.MustCompile(`(?m)^#\s+(--[a-z][a-z0-9-]*)\s+.*actionlint`)
	binDirRE      = regexp.MustCompile(`--bin-dir[ =](\S+)`)
)

// cacheWriters are the commands that write the Go caches, the home or the conda environment.
var cacheWriters = []string{"scripts/setup.sh", "go mod download", "go build", "go test", "go install", "go get", "run_notebooks.sh"}

// pluginContext is all that the stages running pjrtinstall may copy from the build context.
var pluginContext = []string{"go.mod", "go.sum", "scripts/versions.env", "docker/pjrtinstall", "docker/pjrtinstall/"}

// mondayTag checks a docker-stacks image reference: its tag is a date, and a Monday.
func mondayTag(image string) error {
	ref, _, _ := strings.Cut(image, "@")
	_, tag, ok := strings.Cut(ref[strings.LastIndex(ref, "/")+1:], ":")
	if !ok || !dateTagRE.MatchString(tag) {
		return fmt.Errorf("%s: the tag is not a docker-stacks date tag (YYYY-MM-DD)", image)
	}
	d, err := time.Parse("2006-01-02", tag)
	if err != nil {
		return fmt.Errorf("%s: %v", image, err)
	}
	if d.Weekday() != time.Monday {
		prev := d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
		return fmt.Errorf("%s: %s is a %s; docker-stacks date tags are cut on Mondays (the Monday before is %s)",
			image, tag, d.Weekday(), prev.Format("2006-01-02"))
	}
	return nil
}

// checkDockerConventions returns the rules that the texts break, and notes (accepted but worth
// saying, like a digest not pinned yet).
func checkDockerConventions(f dockerTexts) (problems, notes []string) {
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	ins, err := ParseDockerfile(f.Dockerfile)
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", dockerfile, err)}, nil
	}
	global, stages, byName := splitStages(ins)
	globalArgs := map[string]string{}
	for _, in := range global {
		if in.Cmd == "ARG" {
			for _, decl := range strings.Fields(in.Args) {
				name, def, _ := strings.Cut(decl, "=")
				globalArgs[name] = def
			}
		}
	}
	at := func(in Instruction) string { return fmt.Sprintf("%s:%d", dockerfile, in.Line) }

	// No HEALTHCHECK: the base image's is kept.
	for _, in := range ins {
		if in.Cmd == "HEALTHCHECK" {
			bad("%s: HEALTHCHECK replaces the base image's healthcheck (docker-stacks' knows Jupyter's runtime files, port and TLS): remove it", at(in))
		}
	}

	// Digests and the Monday tag of every external FROM image.
	for _, s := range stages {
		if s.parent == "" || byName[s.parent] != nil {
			continue
		}
		from := s.ins[0]
		image := s.parent
		if m := digestSuffixR.FindStringSubmatch(image); m != nil && m[1] == m[2] {
			def, declared := globalArgs[m[1]]
			switch {
			case !declared:
				bad("%s: FROM %s: %s is not a global ARG", at(from), image, m[1])
			case def == "":
				notes = append(notes, fmt.Sprintf("%s: ARG %s is empty: FROM %s is not pinned by digest yet (the documented 'pinned at first build' form)", dockerfile, m[1], image))
			case !digestRE.MatchString(def):
				bad("%s: ARG %s=%s is neither empty (not pinned yet) nor sha256:<64 hex digits>", dockerfile, m[1], def)
			}
			image = strings.TrimSuffix(image, m[0])
		} else {
			resolved := Substitute(image, globalArgs)
			if _, dg, ok := strings.Cut(resolved, "@"); !ok || !digestRE.MatchString(dg) {
				bad("%s: FROM %s has no digest: append ${NAME:+@${NAME}} with a global ARG NAME (empty until pinned, then sha256:<64 hex digits>)", at(from), image)
			}
		}
		resolved := Substitute(image, globalArgs)
		if strings.Contains(resolved, "jupyter/") {
			if err := mondayTag(resolved); err != nil {
				bad("%s: FROM %s: %v", at(from), s.parent, err)
			}
		}
	}

	// The stages that run pjrtinstall see only what it needs.
	installs := map[string]string{} // stage name -> "cpu" or "cuda" (the plugin it installs)
	for _, s := range stages {
		for _, in := range s.ins {
			if in.Cmd != "RUN" || !strings.Contains(in.Args, "pjrtinstall -plugin") {
				continue
			}
			kind := "cuda"
			if strings.Contains(in.Args, "-plugin cpu") {
				kind = "cpu"
			}
			if s.name != "" {
				installs[s.name] = kind
			}
			for _, c := range chainOf(byName, s) {
				if c.Cmd != "COPY" && c.Cmd != "ADD" {
					continue
				}
				if _, from := flagValue(c, "from"); from {
					continue
				}
				fields := strings.Fields(c.Args)
				for _, src := range fields[:max(len(fields)-1, 0)] {
					switch {
					case src == "." || src == "./" || src == "/":
						bad("%s: the stage that runs pjrtinstall (line %d) gets the whole build context (%s %s): any edit downloads the plugins again; install them in a stage that copies only %s",
							at(c), in.Line, c.Cmd, c.Args, strings.Join(pluginContext[:4], ", "))
					case !slices.Contains(pluginContext, src):
						bad("%s: the stage that runs pjrtinstall (line %d) copies %s: it may see only %s", at(c), in.Line, src, strings.Join(pluginContext[:4], ", "))
					}
				}
			}
		}
	}

	// The setup.sh steps: tools in /usr/local/bin, the kernelspec in the conda environment, no
	// actionlint.
	setupInstallsActionlint := strings.Contains(f.SetupSh, "go_tool actionlint")
	skipFlag := ""
	if m := setupFlagRE.FindStringSubmatch(f.SetupSh); m != nil {
		skipFlag = m[1]
	}
	for _, in := range ins {
		if in.Cmd != "RUN" {
			continue
		}
		removed := map[string]bool{}
		for _, m := range rmActionlint.FindAllStringSubmatch(in.Args, -1) {
			removed[m[1]] = true
		}
		if n := strings.Count(in.Args, "actionlint"); n > len(rmActionlint.FindAllString(in.Args, -1)) {
			bad("%s: installs actionlint, a CI-only tool, into the image", at(in))
		}
		i := strings.Index(in.Args, "scripts/setup.sh")
		if i < 0 {
			continue
		}
		call := in.Args[i:]
		if j := strings.Index(call, ";"); j >= 0 {
			call = call[:j]
		}
		binDir := ""
		if m := binDirRE.FindStringSubmatch(call); m != nil {
			binDir = m[1]
		}
		if binDir != "/usr/local/bin" {
			bad("%s: scripts/setup.sh puts its tools in %q: pass --bin-dir /usr/local/bin (the default, GOPATH/bin, is not on every user's PATH)", at(in), binDir)
		}
		if !strings.Contains(in.Args[:i], `JUPYTER_DATA_DIR="${CONDA_DIR}/share/jupyter"`) {
			bad(`%s: scripts/setup.sh registers the GoNB kernelspec in the home: run it with JUPYTER_DATA_DIR="${CONDA_DIR}/share/jupyter"`, at(in))
		}
		if setupInstallsActionlint {
			switch {
			case skipFlag != "" && !strings.Contains(call, skipFlag):
				bad("%s: scripts/setup.sh installs actionlint, a CI-only tool: pass %s", at(in), skipFlag)
			case skipFlag == "" && !removed[binDir+"/actionlint"]:
				bad("%s: scripts/setup.sh installs actionlint, a CI-only tool, and has no flag to skip it: rm -f %s/actionlint after it in the same step", at(in), binDir)
			}
		}
	}

	// The two targets.
	for _, target := range []string{"cpu", "cuda"} {
		s := byName[target]
		if s == nil {
			bad("%s: no %q target", dockerfile, target)
			continue
		}
		chain := chainOf(byName, s)
		env := map[string]string{}
		user := "" // the base image's (docker-stacks: the notebook user)
		workdir := Instruction{}
		lastWriter, lastWriterWhat := -1, ""
		setupAt := -1
		pluginAt := map[string]int{"cpu": -1, "cuda": -1}
		type fixRun struct {
			idx  int
			in   Instruction
			root bool
		}
		var fixes []fixRun
		ldconfigAt := []int{}
		for k, in := range chain {
			switch in.Cmd {
			case "USER":
				user = in.Args
			case "ENV":
				for _, kv := range envPairs(in.Args) {
					env[kv[0]] = Substitute(kv[1], env)
				}
			case "WORKDIR":
				workdir = in
			case "COPY":
				if from, ok := flagValue(in, "from"); ok {
					if kind, ok := installs[from]; ok && pluginAt[kind] < 0 {
						pluginAt[kind] = k
					}
				}
			case "RUN":
				last := -1
				for _, w := range cacheWriters {
					if p := strings.LastIndex(in.Args, w); p > last {
						last, lastWriter, lastWriterWhat = p, k, w
					}
				}
				if strings.Contains(in.Args, "scripts/setup.sh") {
					setupAt = k
				}
				if strings.Contains(in.Args, "pjrtinstall -plugin") {
					kind := "cuda"
					if strings.Contains(in.Args, "-plugin cpu") {
						kind = "cpu"
					}
					if pluginAt[kind] < 0 {
						pluginAt[kind] = k
					}
				}
				if p := strings.LastIndex(in.Args, "fix-permissions"); p >= 0 {
					if p > last {
						fixes = append(fixes, fixRun{k, in, isRoot(user)})
					} else {
						fixes = append(fixes, fixRun{k - 1, in, isRoot(user)}) // before this step's writes
					}
					if !isRoot(user) {
						bad("%s: fix-permissions runs as %q, not root: it cannot change what root wrote", at(in), user)
					}
				}
				if ldconfigRE.MatchString(in.Args) && isRoot(user) {
					ldconfigAt = append(ldconfigAt, k)
				}
			}
		}

		// Go's directories under /opt.
		for _, key := range []string{"GOPATH", "GOMODCACHE", "GOCACHE"} {
			v, ok := env[key]
			switch {
			case !ok:
				bad("%s: target %s: %s is not set: its default is under the home, which JupyterHub mounts over; set it under /opt", dockerfile, target, key)
			case strings.HasPrefix(v, "/home") || strings.Contains(v, "HOME}") || strings.Contains(v, "$HOME"):
				bad("%s: target %s: %s=%s is under /home, which JupyterHub mounts over: put it under /opt", dockerfile, target, key, v)
			case !strings.HasPrefix(v, "/opt/"):
				bad("%s: target %s: %s=%s is not under /opt", dockerfile, target, key, v)
			}
		}

		// fix-permissions after the writes.
		if lastWriter >= 0 {
			var final *fixRun
			for i := range fixes {
				if fixes[i].idx >= lastWriter && fixes[i].root {
					final = &fixes[i]
				}
			}
			if final == nil {
				bad("%s: target %s: no fix-permissions (as root) after the %q step at line %d: a container started with another NB_UID (--user root -e NB_UID=...) cannot write the Go caches",
					dockerfile, target, lastWriterWhat, chain[lastWriter].Line)
			} else {
				for _, want := range []string{"${GOPATH}", "/home/${NB_USER}"} {
					if !strings.Contains(fixPermissionsArgs(final.in.Args), want) {
						bad("%s: target %s: the last fix-permissions does not cover %s", at(final.in), target, want)
					}
				}
			}
		}
		if setupAt >= 0 && !slices.ContainsFunc(fixes, func(fr fixRun) bool {
			return fr.idx >= setupAt && fr.root && strings.Contains(fixPermissionsArgs(fr.in.Args), "${CONDA_DIR}")
		}) {
			bad("%s: target %s: no fix-permissions \"${CONDA_DIR}\" (as root) after scripts/setup.sh (line %d) wrote the GoNB kernelspec there", dockerfile, target, chain[setupAt].Line)
		}

		// The plugins, and ldconfig after the CUDA one.
		if pluginAt["cpu"] < 0 {
			bad("%s: target %s gets no CPU plugin (pjrtinstall -plugin cpu)", dockerfile, target)
		}
		if target == "cuda" {
			if c := pluginAt["cuda"]; c < 0 {
				bad("%s: target cuda gets no CUDA plugin", dockerfile)
			} else if !slices.ContainsFunc(ldconfigAt, func(k int) bool { return k >= c }) {
				bad("%s: target cuda: no ldconfig (as root) after the CUDA plugin arrives (line %d): the libraries its installer links into /usr/local/lib are not in the loader's cache",
					dockerfile, chain[c].Line)
			}
		}

		// The course root as the working directory and as Jupyter's root.
		course := env["COURSE_DIR"]
		switch {
		case course == "":
			bad("%s: target %s: COURSE_DIR is not set", dockerfile, target)
		case strings.HasPrefix(course, "/home"):
			bad("%s: target %s: COURSE_DIR=%s is under /home, which JupyterHub mounts over", dockerfile, target, course)
		}
		if wd := Substitute(workdir.Args, env); wd != course {
			bad("%s: target %s starts in %s, not the course root %s: learners could not browse pkg/ and the READMEs", at(workdir), target, wd, course)
		}
	}
	// The server reads its jupyter_server_config.d/ only for jpserver_extensions: root_dir must
	// be in a jupyter_server_config.json (or .py) of a config path, with the course as its value.
	if !slices.ContainsFunc(ins, func(in Instruction) bool {
		return in.Cmd == "RUN" && strings.Contains(in.Args, "root_dir") && strings.Contains(in.Args, "${COURSE_DIR}") &&
			regexp.MustCompile(`etc/jupyter/jupyter_server_config\.(json|py)`).MatchString(in.Args)
	}) {
		bad(`%s: Jupyter's root directory is not the course: set ServerApp.root_dir to ${COURSE_DIR} in ${CONDA_DIR}/etc/jupyter/jupyter_server_config.json (a jupyter_server_config.d/ file is read for extensions only)`, dockerfile)
	}

	// The build context.
	excluded := map[string]bool{}
	for _, line := range strings.Split(f.Ignore, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "!") {
			continue
		}
		line = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(line, "**/"), "/"), "/")
		excluded[line] = true
	}
	for _, want := range []string{"node_modules", "*.whl", ".whl", ".device", "build"} {
		if !excluded[want] {
			bad("%s does not exclude %s", dockerignore, want)
		}
	}
	return problems, notes
}

func readDockerTexts(t *testing.T) dockerTexts {
	return dockerTexts{
		Dockerfile: readFile(t, dockerfile),
		Ignore:     readFile(t, dockerignore),
		SetupSh:    readFile(t, "scripts/setup.sh"),
	}
}

func TestDockerConventions(t *testing.T) {
	problems, notes := checkDockerConventions(readDockerTexts(t))
	for _, p := range problems {
		t.Error(p)
	}
	for _, n := range notes {
		t.Log("note:", n)
	}
	// versions.env's value is what CI builds with (the ARG default is checked equal to it).
	_, pins := loadPins(t)
	if err := mondayTag(pins["JUPYTER_STACKS_IMAGE"]); err != nil {
		t.Errorf("%s: JUPYTER_STACKS_IMAGE=%v", versionsEnv, err)
	}
	if _, dg, ok := strings.Cut(pins["JUPYTER_STACKS_IMAGE"], "@"); ok && !digestRE.MatchString(dg) {
		t.Errorf("%s: JUPYTER_STACKS_IMAGE=%s: the digest is not sha256:<64 hex digits>", versionsEnv, pins["JUPYTER_STACKS_IMAGE"])
	}
}

func TestMondayTag(t *testing.T) {
	for image, want := range map[string]string{
		"quay.io/jupyter/base-notebook:2026-08-31":                   "",
		"quay.io/jupyter/base-notebook:2026-08-31@sha256:" + hex64(): "",
		"quay.io/jupyter/base-notebook:2026-09-01":                   "2026-09-01 is a Tuesday; docker-stacks date tags are cut on Mondays (the Monday before is 2026-08-31)",
		"quay.io/jupyter/base-notebook:2026-09-06":                   "is a Sunday; docker-stacks date tags are cut on Mondays (the Monday before is 2026-08-31)",
		"quay.io/jupyter/base-notebook:latest":                       "not a docker-stacks date tag",
		"quay.io/jupyter/base-notebook:2026-02-30":                   "day out of range",
	} {
		err := mondayTag(image)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", image, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: error %v, want one with %q", image, err, want)
		}
	}
}

func hex64() string { return strings.Repeat("0123456789abcdef", 4) }

// Each rule, broken in memory, is reported; an edit that no longer applies fails the test, so
// that the list follows the Dockerfile.
func TestDockerConventionsMutations(t *testing.T) {
	orig := readDockerTexts(t)
	if problems, _ := checkDockerConventions(orig); len(problems) > 0 {
		t.Fatalf("the unmodified files break the conventions (TestDockerConventions lists how)")
	}
	type edit struct{ file, old, new string }
	cases := []struct {
		name  string
		edits []edit
		want  string // a substring of one reported problem; "" = no problem expected
	}{
		{"GOPATH under /home", []edit{{dockerfile, "GOPATH=/opt/go \\", "GOPATH=/home/${NB_USER}/go \\"}}, "GOPATH=/home/${NB_USER}/go is under /home"},
		{"GOMODCACHE unset", []edit{{dockerfile, "    GOMODCACHE=/opt/go/pkg/mod \\\n", ""}}, "GOMODCACHE is not set"},
		{"GOCACHE under /home", []edit{{dockerfile, "GOCACHE=/opt/go/cache", "GOCACHE=/home/jovyan/.cache/go-build"}}, "GOCACHE=/home/jovyan/.cache/go-build is under /home"},
		{"GOCACHE from $HOME", []edit{{dockerfile, "GOCACHE=/opt/go/cache", "GOCACHE=${HOME}/.cache/go-build"}}, "is under /home"},
		{"tools in GOPATH/bin", []edit{{dockerfile, " --bin-dir /usr/local/bin;", ";"}}, "pass --bin-dir /usr/local/bin"},
		{"kernelspec in the home", []edit{{dockerfile, `JUPYTER_DATA_DIR="${CONDA_DIR}/share/jupyter" scripts/setup.sh`, "scripts/setup.sh"}}, `JUPYTER_DATA_DIR="${CONDA_DIR}/share/jupyter"`},
		{"course under /home", []edit{{dockerfile, "COURSE_DIR=/opt/rnn-course", "COURSE_DIR=/home/${NB_USER}/rnn-course"}}, "COURSE_DIR=/home/${NB_USER}/rnn-course is under /home"},
		{"no fix-permissions after the smoke test", []edit{{dockerfile, "USER root\nRUN fix-permissions \"/home/${NB_USER}\" \"${GOPATH}\" \"${COURSE_DIR}\"\n", ""}}, "no fix-permissions (as root) after the \"run_notebooks.sh\" step"},
		{"fix-permissions as the notebook user", []edit{{dockerfile, "USER root\nRUN fix-permissions", "RUN fix-permissions"}}, "fix-permissions runs as \"${NB_UID}\", not root"},
		{"no fix-permissions at all", []edit{{dockerfile, "fix-permissions", "chmod -R g+w"}}, "no fix-permissions (as root)"},
		{"fix-permissions without the conda environment", []edit{{dockerfile, `fix-permissions "${CONDA_DIR}" `, "fix-permissions "}}, `no fix-permissions "${CONDA_DIR}"`},
		{"fix-permissions without GOPATH", []edit{{dockerfile, "RUN fix-permissions \"/home/${NB_USER}\" \"${GOPATH}\" \"${COURSE_DIR}\"", "RUN fix-permissions \"/home/${NB_USER}\" \"${COURSE_DIR}\""}}, "does not cover ${GOPATH}"},
		{"no ldconfig", []edit{{dockerfile, "RUN ldconfig; \\", "RUN true; \\"}}, "no ldconfig (as root) after the CUDA plugin arrives"},
		{"HEALTHCHECK", []edit{{dockerfile, "EXPOSE 8888\n", "EXPOSE 8888\nHEALTHCHECK CMD curl -f http://127.0.0.1:8888/api\n"}}, "HEALTHCHECK replaces the base image's healthcheck"},
		{"plugin stage copies the context", []edit{{dockerfile, "COPY docker/pjrtinstall/ docker/pjrtinstall/", "COPY . ./"}}, "gets the whole build context (COPY . ./)"},
		{"plugin stage copies more", []edit{{dockerfile, "COPY docker/pjrtinstall/ docker/pjrtinstall/", "COPY docker/ docker/"}}, "copies docker/: it may see only"},
		{"plugin installed after COPY .", []edit{{dockerfile, "COPY --from=plugin-cpu /pjrt/ /usr/local/lib/",
			`RUN --mount=type=secret,id=GH_TOKEN,env=GH_TOKEN . scripts/versions.env; pjrtinstall -plugin cpu -version "${PJRT_CPU_VERSION}" -path /usr/local/lib/go-xla`}},
			"gets the whole build context (COPY . ./)"},
		{"base tag a Tuesday", []edit{{dockerfile, "base-notebook:2026-08-31", "base-notebook:2026-09-01"}}, "2026-09-01 is a Tuesday"},
		{"base tag not a date", []edit{{dockerfile, "base-notebook:2026-08-31", "base-notebook:latest"}}, "not a docker-stacks date tag"},
		{"no digest", []edit{{dockerfile, "FROM ${JUPYTER_STACKS_IMAGE}${JUPYTER_STACKS_DIGEST:+@${JUPYTER_STACKS_DIGEST}}", "FROM ${JUPYTER_STACKS_IMAGE}"}}, "FROM ${JUPYTER_STACKS_IMAGE} has no digest"},
		{"golang image without digest", []edit{{dockerfile, "-bookworm${GO_IMAGE_DIGEST:+@${GO_IMAGE_DIGEST}}", "-bookworm"}}, "FROM golang:${GO_VERSION}-bookworm has no digest"},
		{"placeholder digest", []edit{{dockerfile, "ARG JUPYTER_STACKS_DIGEST=\n", "ARG JUPYTER_STACKS_DIGEST=sha256:PIN-AT-FIRST-BUILD\n"}}, "is neither empty (not pinned yet) nor sha256:<64 hex digits>"},
		{"short digest", []edit{{dockerfile, "ARG GO_IMAGE_DIGEST=\n", "ARG GO_IMAGE_DIGEST=sha256:0123abcd\n"}}, "ARG GO_IMAGE_DIGEST=sha256:0123abcd is neither empty"},
		{"digest ARG not global", []edit{{dockerfile, "ARG JUPYTER_STACKS_DIGEST=\n", ""}}, "JUPYTER_STACKS_DIGEST is not a global ARG"},
		{"real digests are accepted", []edit{{dockerfile, "ARG JUPYTER_STACKS_DIGEST=\n", "ARG JUPYTER_STACKS_DIGEST=sha256:" + hex64() + "\n"},
			{dockerfile, "ARG GO_IMAGE_DIGEST=\n", "ARG GO_IMAGE_DIGEST=sha256:" + hex64() + "\n"}}, ""},
		{"node_modules in the context", []edit{{dockerignore, "**/node_modules/\n", ""}}, "does not exclude node_modules"},
		{"wheels in the context", []edit{{dockerignore, "**/*.whl\n", ""}}, "does not exclude *.whl"},
		{"the wheel folder in the context", []edit{{dockerignore, ".whl/\n", ""}}, "does not exclude .whl"},
		{".device in the context", []edit{{dockerignore, ".device/\n", ""}}, "does not exclude .device"},
		{"build in the context", []edit{{dockerignore, "build/\n", ""}}, "does not exclude build"},
		{"WORKDIR notebooks", []edit{{dockerfile, "WORKDIR ${COURSE_DIR}\n", "WORKDIR ${COURSE_DIR}/notebooks\n"}}, "starts in /opt/rnn-course/notebooks, not the course root /opt/rnn-course"},
		{"Jupyter's root not set", []edit{{dockerfile, `["root_dir"] = root`, `["default_url"] = "/lab"`}}, "Jupyter's root directory is not the course"},
		{"Jupyter's root in a conf.d file", []edit{{dockerfile, "etc/jupyter/jupyter_server_config.json", "etc/jupyter/jupyter_server_config.d/rnn-course.json"}}, "read for extensions only"},
		{"actionlint flag not passed", []edit{{dockerfile, " --no-ci-tools", ""}}, "installs actionlint, a CI-only tool: pass --no-ci-tools"},
		{"actionlint installed", []edit{{dockerfile, "    go mod download; \\\n", "    go mod download; \\\n    go install github.com/rhysd/actionlint/cmd/actionlint; \\\n"}}, "installs actionlint, a CI-only tool, into the image"},
		{"setup.sh without the flag", []edit{{"scripts/setup.sh", "#   --no-ci-tools   skip actionlint, a tool only CI and make test need (the Docker image)\n", ""}, {dockerfile, " --no-ci-tools", ""}},
			"installs actionlint, a CI-only tool, and has no flag to skip it"},
		{"setup.sh without the flag, binary removed", []edit{{"scripts/setup.sh", "#   --no-ci-tools   skip actionlint, a tool only CI and make test need (the Docker image)\n", ""},
			{dockerfile, " --no-ci-tools --bin-dir /usr/local/bin; \\\n", " --bin-dir /usr/local/bin; \\\n    rm -f /usr/local/bin/actionlint; \\\n"}}, ""},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			f := orig
			for _, e := range c.edits {
				p := map[string]*string{dockerfile: &f.Dockerfile, dockerignore: &f.Ignore, "scripts/setup.sh": &f.SetupSh}[e.file]
				if !strings.Contains(*p, e.old) {
					t.Fatalf("%s no longer contains %q: update this case", e.file, e.old)
				}
				*p = strings.ReplaceAll(*p, e.old, e.new)
			}
			problems, _ := checkDockerConventions(f)
			if c.want == "" {
				for _, p := range problems {
					t.Errorf("unexpected: %s", p)
				}
				return
			}
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, c.want) }) {
				t.Errorf("not reported: want a problem containing %q; got:\n%s", c.want, strings.Join(problems, "\n"))
			}
		})
	}
}
