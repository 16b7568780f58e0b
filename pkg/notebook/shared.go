package notebook

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/rnn-course/bottleneck/pkg/lang"
)

// SharedEnv names the folder in which one batch run of the course (scripts/run_notebooks.sh:
// `make course`, `make test`) keeps the results of its longest cells, so that the second edition
// of a notebook reuses what the first one computed with the same code instead of computing it
// again. run_notebooks.sh empties it at the start of every run; unset (an interactive session),
// every cell computes.
const SharedEnv = "RNN_COURSE_SHARED_DIR"

var sharedName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// sharedRecord is the file Shared writes: when and by which edition the value was computed.
type sharedRecord[V any] struct {
	Computed time.Time
	Lang     string
	Mode     RunMode
	Value    V
}

// Shared returns compute(), or, in a batch run where an edition of this notebook already
// computed name in the same mode, that edition's result. It prints nothing either way: reuse is
// plumbing of the batch run (make course), not part of the lesson, and the code that computed
// the value is the same. name is unique within the course ("04-lm-lstm"), lower case with
// digits, '-' and '_'. V must survive a JSON round trip (exported fields, no NaN or Inf: those
// are refused when writing).
func Shared[V any](name string, compute func() V) V {
	v, _, err := shared(os.Getenv(SharedEnv), name, CurrentMode(), compute)
	if err != nil {
		panic(err)
	}
	return v
}

// shared is Shared with its inputs explicit; reused is the record read back, nil if compute ran.
func shared[V any](dir, name string, mode RunMode, compute func() V) (v V, reused *sharedRecord[V], err error) {
	if !sharedName.MatchString(name) {
		return v, nil, fmt.Errorf("notebook.Shared: name %q: want lower case letters, digits, '-' and '_'", name)
	}
	if dir == "" {
		return compute(), nil, nil
	}
	key := fmt.Sprintf("%s.%s", name, mode)
	if seed, ok, err := SeedFromEnv(); err != nil {
		return v, nil, err
	} else if ok { // another course seed computes another result
		key += fmt.Sprintf(".seed%d", seed)
	}
	path := filepath.Join(dir, key+".json")
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		var rec sharedRecord[V]
		if err := json.Unmarshal(data, &rec); err != nil {
			return v, nil, fmt.Errorf("notebook.Shared: %s is not a saved result of %q (%v): delete it and run again", path, name, err)
		}
		if rec.Mode != mode {
			return v, nil, fmt.Errorf("notebook.Shared: %s holds a %s-mode result, this is %s mode: delete it and run again", path, rec.Mode, mode)
		}
		return rec.Value, &rec, nil
	case !errors.Is(err, fs.ErrNotExist):
		return v, nil, fmt.Errorf("notebook.Shared: %w", err)
	}
	v = compute()
	data, err = json.Marshal(sharedRecord[V]{Computed: time.Now(), Lang: string(lang.Current()), Mode: mode, Value: v})
	if err != nil {
		return v, nil, fmt.Errorf("notebook.Shared: the result of %q cannot be saved for the other edition: %w", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return v, nil, fmt.Errorf("notebook.Shared: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return v, nil, fmt.Errorf("notebook.Shared: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return v, nil, fmt.Errorf("notebook.Shared: %w", err)
	}
	return v, nil, nil
}
