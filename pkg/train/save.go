package train

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/rnn-course/bottleneck/pkg/npz"
	"github.com/rnn-course/bottleneck/pkg/tensornpz"
)

// ModelFormat identifies a saved model's meta.
const ModelFormat = "rnn-course/train model"

type modelMeta struct {
	Format string      `json:"format"`
	Model  ModelConfig `json:"model"`
}

// SaveModel writes a model's parameters, by name (PyTorch's weight_ih_l0 ... and readout.weight,
// readout.bias), and its configuration (a JSON string "meta") to an .npz file, atomically.
// np.load reads it; the recurrent weights load into torch.nn.RNN/LSTM/GRU by name. A
// checkpoint holds the same arrays plus the optimizer state and the history.
//
// It refuses, writing nothing, what LoadModel would refuse to read back: a model whose Config
// was changed after NewModel, or whose parameters are not all finite.
func SaveModel(path string, m *Model) error {
	if err := m.check(); err != nil {
		return err
	}
	if err := m.Config.Validate(); err != nil {
		return err
	}
	if err := checkFinite(prefixed("parameter ", m.ParamNames()), m.Params()); err != nil {
		return fmt.Errorf("train: save model: %v: nothing written (LoadModel refuses non-finite weights)", err)
	}
	meta, err := json.Marshal(modelMeta{Format: ModelFormat, Model: m.Config})
	if err != nil {
		return fmt.Errorf("train: save model: %w", err)
	}
	params, err := modelArrays(m)
	if err != nil {
		return err
	}
	return npz.WriteFile(path, append([]*npz.Array{npz.NewString("meta", string(meta))}, params...)...)
}

// modelArrays are the model's parameters as npz arrays named by ParamNames.
func modelArrays(m *Model) ([]*npz.Array, error) {
	names := m.ParamNames()
	var out []*npz.Array
	for i, p := range m.Params() {
		a, err := tensornpz.Array(names[i], p)
		if err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
		out = append(out, a)
	}
	return out, nil
}

// modelReadBudget is the most bytes LoadModel reads from a file: the largest model that
// Limits.Params allows, in float64, with the two moments of Adam (a checkpoint holds them),
// and room for a long history. Package npz allocates only for bytes it actually reads.
func modelReadBudget() int64 { return int64(Limits.Params)*8*3 + 1<<30 }

// LoadModel reads the model of a file written by SaveModel, or of a checkpoint, checking names,
// dtypes, shapes and that every value is finite. It reads any model within Limits (which
// SaveModel and NewModel apply too).
func LoadModel(path string) (*Model, error) {
	f, err := npz.ReadFile(path, npz.WithMaxBytes(modelReadBudget()))
	if err != nil {
		return nil, overBudget(err)
	}
	metaText, err := f.String("meta")
	if err != nil {
		return nil, fmt.Errorf("train: %s is not a saved model or a checkpoint: %w", path, err)
	}
	var meta struct {
		Format string      `json:"format"`
		Model  ModelConfig `json:"model"`
	}
	if err := json.Unmarshal([]byte(metaText), &meta); err != nil || (meta.Format != ModelFormat && meta.Format != CheckpointFormat) {
		return nil, fmt.Errorf("train: %s is not a saved model or a checkpoint (meta %.80q)", path, metaText)
	}
	if err := meta.Model.Validate(); err != nil {
		return nil, fmt.Errorf("train: %s: %w", path, err)
	}
	ps, err := readModelParams(f, meta.Model)
	if err != nil {
		return nil, fmt.Errorf("train: %s: %w", path, err)
	}
	return &Model{Config: meta.Model, params: ps, made: meta.Model}, nil
}

// overBudget rewrites the error of a file over the read budget, whose words from package npz
// name an option of npz.Read, to name what a user of this package can change.
func overBudget(err error) error {
	msg, over := npzBudget(err)
	if !over {
		return err
	}
	return fmt.Errorf("train: %s: the file is larger than any model within train.Limits.Params = %d parameters "+
		"(counted in float64, with an optimizer's state, as in a checkpoint): raise train.Limits.Params to read a larger one",
		msg, Limits.Params)
}

// npzBudget reports whether err is package npz's refusal of a file over its read budget, and
// returns its message without the advice to raise it with npz.WithMaxBytes, an option that the
// users of this package do not hold.
func npzBudget(err error) (string, bool) {
	if err == nil {
		return "", false
	}
	msg := err.Error()
	if !strings.Contains(msg, "WithMaxBytes") {
		return msg, false
	}
	return strings.Replace(msg, " (raise it with WithMaxBytes)", "", 1), true
}
