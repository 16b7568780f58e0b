package seq

import (
	"fmt"
	"strings"

	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// StateDictVariable returns (creating it if needed, with init) the variable for a PyTorch
// state_dict key under scope: each '.' of the key opens a sub-scope, so "readout.weight" is the
// variable "weight" in the sub-scope "readout", and "weight_ih_l0" a variable of scope itself.
func StateDictVariable(scope *model.Scope, key string, shape shapes.Shape, init model.VariableInitializer) *model.Variable {
	parts := strings.Split(key, ".")
	for _, p := range parts[:len(parts)-1] {
		scope = scope.At("%s", p)
	}
	return scope.WithInitializer(init).VariableWithShape(parts[len(parts)-1], shape)
}

// statePath is the absolute path of the variable of a state_dict key under scope.
func statePath(scope *model.Scope, key string) string {
	return model.JoinPath(scope.Scope(), strings.ReplaceAll(key, ".", model.ScopeSeparator))
}

// SetScopeTensors writes tensors into the variables of the given state_dict keys under scope
// (StateDictVariable's naming), creating the variables or replacing their values. The tensors
// are copied. An existing variable of another shape is an error, and nothing is written then.
func SetScopeTensors(scope *model.Scope, keys []string, ts []*tensors.Tensor) error {
	if len(keys) != len(ts) {
		return fmt.Errorf("seq: %d names for %d tensors", len(keys), len(ts))
	}
	store := scope.Store()
	for i, key := range keys {
		if ts[i] == nil || !ts[i].Ok() {
			return fmt.Errorf("seq: tensor for %s is nil or finalized", key)
		}
		if v := store.GetVariable(statePath(scope, key)); v != nil && !v.Shape().Equal(ts[i].Shape()) {
			return fmt.Errorf("seq: variable %s has shape %s, the tensor for it %s", v.Path(), v.Shape(), ts[i].Shape())
		}
	}
	for i, key := range keys {
		t, err := ts[i].LocalClone()
		if err != nil {
			return err
		}
		path := statePath(scope, key)
		if v := store.GetVariable(path); v != nil {
			err = v.SetValue(t)
		} else {
			_, err = store.CreateVariable(path, t)
		}
		if err != nil {
			return fmt.Errorf("seq: setting %s: %w", path, err)
		}
	}
	return nil
}

// ScopeTensors returns copies of the values of the variables of the given state_dict keys
// under scope. A missing or uninitialised variable is an error that names it.
func ScopeTensors(scope *model.Scope, keys []string) ([]*tensors.Tensor, error) {
	var out []*tensors.Tensor
	for _, key := range keys {
		path := statePath(scope, key)
		v := scope.Store().GetVariable(path)
		if v == nil || !v.HasValue() {
			return nil, fmt.Errorf("seq: no value for variable %s: build the layer once (any model.Exec call initialises it) or set it", path)
		}
		val, err := v.Value()
		if err != nil {
			return nil, err
		}
		t, err := val.LocalClone()
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}
