package seq

import (
	"github.com/gomlx/gomlx/core/tensors"
)

// Args returns the tensors followed by more, as the []any arguments of an Exec call (a
// []*tensors.Tensor does not convert to []any). The result has room for extra more values to
// be appended without a copy.
func Args(ts []*tensors.Tensor, more ...any) []any {
	args := make([]any, 0, len(ts)+len(more))
	for _, t := range ts {
		args = append(args, t)
	}
	return append(args, more...)
}
