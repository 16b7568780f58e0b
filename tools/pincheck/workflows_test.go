package pincheck

import (
	"regexp"
	"strings"
	"testing"
)

// checkWorkflowConventions checks what the image, Pages and Dependabot set-ups promise
// (docker/README.md): image.yml builds for pull requests that touch what the image copies or
// builds, shares one build cache between the targets and pushes to GHCR only on v* tags;
// pages.yml publishes `make course` (both editions) with the Pages actions; Dependabot updates
// the Go modules and the actions weekly. Text checks: actionlint checks the syntax.
func checkWorkflowConventions(image, pages, dependabot string) []string {
	var problems []string
	bad := func(s string) { problems = append(problems, s) }

	prPaths := image
	if i := strings.Index(prPaths, "pull_request:"); i >= 0 {
		prPaths = prPaths[i:]
		if j := strings.Index(prPaths, "workflow_dispatch:"); j >= 0 {
			prPaths = prPaths[:j]
		}
	} else {
		bad("image.yml: no pull_request trigger")
	}
	for _, p := range []string{"docker/**", "scripts/**", "cmd/**", "internal/**", "pkg/**", "notebooks/**", "tools/**", "go.mod", "go.sum"} {
		if !regexp.MustCompile(`(?m)^\s+- ` + regexp.QuoteMeta(p) + `\s*$`).MatchString(prPaths) {
			bad("image.yml: the pull_request path filter misses " + p)
		}
	}
	if !strings.Contains(image, `tags: ["v*"]`) {
		bad(`image.yml: does not run on v* tags`)
	}
	scopes := map[string]bool{}
	for _, m := range regexp.MustCompile(`cache-(?:from|to):\s*type=gha\S*scope=([\w.-]+)`).FindAllStringSubmatch(image, -1) {
		scopes[m[1]] = true
	}
	if len(scopes) != 1 || strings.Contains(image, "scope=${{") {
		bad("image.yml: the targets do not share one gha cache scope")
	}
	for _, want := range []string{"packages: write", "docker/login-action@", "docker/metadata-action@", "registry: ghcr.io",
		"startsWith(github.ref, 'refs/tags/v')", "push: true", "push: false"} {
		if !strings.Contains(image, want) {
			bad("image.yml: no " + want)
		}
	}
	if !regexp.MustCompile(`if: env\.PUSH == 'true'\n\s+uses: docker/build-push-action@`).MatchString(image) {
		bad("image.yml: the push step is not limited to v* tags (if: env.PUSH == 'true')")
	}

	for _, want := range []string{"run: make course", "actions/configure-pages@", "actions/upload-pages-artifact@",
		"actions/deploy-pages@", "pages: write", "id-token: write", "build/notebooks/*.html", "build/notebooks/zh/*.html", "index.html"} {
		if !strings.Contains(pages, want) {
			bad("pages.yml: no " + want)
		}
	}

	for _, eco := range []string{"gomod", "github-actions"} {
		if !regexp.MustCompile(`package-ecosystem: ` + eco + `\n\s+directory: /\n\s+schedule:\n\s+interval: weekly`).MatchString(dependabot) {
			bad("dependabot.yml: no weekly " + eco + " updates")
		}
	}
	return problems
}

func TestWorkflowConventions(t *testing.T) {
	image := readFile(t, workflowsDir+"/image.yml")
	pages := readFile(t, workflowsDir+"/pages.yml")
	dependabot := readFile(t, ".github/dependabot.yml")
	for _, p := range checkWorkflowConventions(image, pages, dependabot) {
		t.Error(p)
	}
	// Each rule, broken, is reported.
	for _, c := range []struct {
		file      *string
		old, new  string
		wantInMsg string
	}{
		{&image, "      - pkg/**\n", "", "misses pkg/**"},
		{&image, "      - notebooks/**\n", "", "misses notebooks/**"},
		{&image, "scope=course-image", "scope=${{ matrix.target }}", "one gha cache scope"},
		{&image, "packages: write", "packages: read", "no packages: write"},
		{&image, "if: env.PUSH == 'true'\n        uses: docker/build-push-action@", "uses: docker/build-push-action@", "not limited to v* tags"},
		{&pages, "run: make course", "run: make notebooks", "no run: make course"},
		{&pages, "build/notebooks/zh/*.html", "build/notebooks/*.html", "build/notebooks/zh/*.html"},
		{&pages, "id-token: write", "id-token: none", "no id-token: write"},
		{&dependabot, "package-ecosystem: gomod", "package-ecosystem: npm", "no weekly gomod"},
	} {
		orig := *c.file
		if !strings.Contains(orig, c.old) {
			t.Errorf("mutation %q no longer applies: update this test", c.old)
			continue
		}
		*c.file = strings.ReplaceAll(orig, c.old, c.new)
		problems := checkWorkflowConventions(image, pages, dependabot)
		*c.file = orig
		if !strings.Contains(strings.Join(problems, "\n"), c.wantInMsg) {
			t.Errorf("replacing %q by %q: want a problem with %q, got %q", c.old, c.new, c.wantInMsg, problems)
		}
	}
}
