package backend

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestPJRTVersionIsGoXLAs reads PJRT_API_MAJOR/MINOR from the pjrt_c_api.h of the go-xla in go.mod.
func TestPJRTVersionIsGoXLAs(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/gomlx/go-xla").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/gomlx/go-xla: %v", err)
	}
	header, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "pjrt", "pjrt_c_api.h"))
	if err != nil {
		t.Fatal(err)
	}
	get := func(name string) int {
		m := regexp.MustCompile(`(?m)^#define ` + name + ` (\d+)$`).FindSubmatch(header)
		if m == nil {
			t.Fatalf("no #define %s in go-xla's pjrt_c_api.h", name)
		}
		v, _ := strconv.Atoi(string(m[1]))
		return v
	}
	if major, minor := get("PJRT_API_MAJOR"), get("PJRT_API_MINOR"); major != PJRTMajor || minor != PJRTMinor {
		t.Errorf("go-xla's pjrt_c_api.h is PJRT C API %d.%d; PJRTMajor.PJRTMinor say %d.%d", major, minor, PJRTMajor, PJRTMinor)
	}
}

func TestCheckPJRTVersion(t *testing.T) {
	for _, c := range []struct {
		major, minor int
		ok           bool
		says         string
	}{
		{0, PJRTMinor, true, ""}, {0, PJRTMinor + 30, true, ""},
		{0, PJRTMinor - 1, false, "older than"}, {1, 0, false, "different ABI"},
	} {
		err := CheckPJRTVersion(c.major, c.minor)
		if (err == nil) != c.ok || (err != nil && !strings.Contains(err.Error(), c.says)) {
			t.Errorf("CheckPJRTVersion(%d, %d) = %v, want ok=%v (%q)", c.major, c.minor, err, c.ok, c.says)
		}
	}
	if _, _, _, err := PluginVersion("go:ops_sequential"); err == nil || !strings.Contains(err.Error(), "not an XLA") {
		t.Errorf("PluginVersion(go) = %v, want a not-XLA error", err)
	}
}
