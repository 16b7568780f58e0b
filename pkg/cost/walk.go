package cost

import (
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/rnn-course/bottleneck/pkg/graphwalk"
)

// Stats are the exact counts of the graph walk over the nodes reachable from a graph's outputs:
// graphwalk.Stats. The counting rules are in the package documentation.
type Stats = graphwalk.Stats

// Reachable is graphwalk.Reachable: the nodes reachable from outputs, sorted by id (a
// topological order).
func Reachable(outputs ...*Node) []*Node { return graphwalk.Reachable(outputs...) }

// Walk is graphwalk.Walk: the Stats of the part of a graph that the outputs depend on.
func Walk(outputs ...*Node) Stats { return graphwalk.Walk(outputs...) }

// ActivationBytes is graphwalk.ActivationBytes: the bytes of the distinct forward values
// (ids below firstBackward) that the backward nodes reachable from outputs read.
func ActivationBytes(outputs []*Node, firstBackward NodeId) int64 {
	return graphwalk.ActivationBytes(outputs, firstBackward)
}

// Analyze walks a Built graph: Stats of its outputs, and ActivationBytes for FwdBwd graphs.
func Analyze(b *Built) (Stats, int64) {
	return Walk(b.Outputs...), ActivationBytes(b.Outputs, b.FirstBackward)
}
