package atomicfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCommitAndAbort(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	require.NoError(t, os.WriteFile(path, []byte("old\n"), 0o600))

	f, err := Create(path)
	require.NoError(t, err)
	_, err = f.WriteString("half a new fi")
	require.NoError(t, err)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "old\n", string(got), "nothing changes before Commit")
	f.Abort()
	f.Abort()
	got, err = os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "old\n", string(got))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "Abort leaves no temporary file")
	require.Error(t, f.Commit(), "no Commit after Abort")

	f, err = Create(path)
	require.NoError(t, err)
	defer f.Abort()
	_, err = f.WriteString("new\n")
	require.NoError(t, err)
	require.NoError(t, f.Commit())
	got, err = os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "new\n", string(got))
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o644), st.Mode().Perm())
	entries, err = os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)

	_, err = Create(filepath.Join(dir, "missing", "x.csv"))
	require.Error(t, err)
	_, err = Create(dir + "/")
	require.ErrorContains(t, err, "names a directory")
}

// A Commit that cannot rename (the path is a directory) leaves the path as it was and no
// temporary file.
func TestCommitFails(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "taken")
	require.NoError(t, os.Mkdir(path, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(path, "keep"), []byte("x"), 0o644))
	f, err := Create(path)
	require.NoError(t, err)
	_, err = f.WriteString("data")
	require.NoError(t, err)
	require.Error(t, f.Commit())
	got, err := os.ReadFile(filepath.Join(path, "keep"))
	require.NoError(t, err)
	require.Equal(t, "x", string(got))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)
}
