package pincheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRepositoryStandsAlone: no tracked file points at the developers' notes outside the
// repository; facts the code relies on live in docs/notes/.
func TestRepositoryStandsAlone(t *testing.T) {
	root := repoRoot(t)
	out, err := exec.Command("git", "-C", root, "ls-files").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	// Spelled in pieces so that this file does not match itself.
	banned := []string{"../" + "shared", "shared/" + "FACTS", "shared " + "FACTS", "FACTS" + ".md", "STYLE" + ".md"}
	for _, rel := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			continue // deleted in the work tree
		}
		for _, s := range banned {
			if strings.Contains(string(b), s) {
				t.Errorf("%s mentions %q, a file outside the repository: put the fact in docs/notes/ and cite that", rel, s)
			}
		}
	}
}
