package graphwalk

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	. "github.com/gomlx/gomlx/core/graph"
)

// Stats are the exact counts of the graph walk over the nodes reachable from a graph's outputs.
// The counting rules are in the package documentation of package cost.
type Stats struct {
	Nodes           int   // nodes reachable from the outputs (outputs and leaves included)
	Depth           int   // longest chain of arithmetic nodes (elementwise, reductions, DotGeneral, ...)
	KernelDepth     int   // longest chain counting data-movement nodes too (dependent launches, no fusion)
	Flops           int64 // floating-point work
	Transcendentals int64 // elements of special functions (exp, tanh, logistic, ...), also in Flops
	BytesMoved      int64 // output bytes of data-movement nodes (slice, concat, pad, transpose, broadcast, ...)
	OutputBytes     int64 // output bytes of every non-free node: what the graph writes, if nothing is fused
	LargestBytes    int64 // the largest single non-free tensor
	// ByType counts the reachable nodes per node type (e.g. "DotGeneral").
	ByType map[string]int
	// Unmodeled counts reachable nodes whose type has no cost rule (1 flop per output element
	// was assumed for them). Empty for the models of this package.
	Unmodeled map[string]int
}

// opClass is how the walk costs a node type.
type opClass int

const (
	classFree opClass = iota
	classMove
	classElementwise
	classReduce
	classDot
	classSoftmax
	classUnmodeled
)

var transcendental = map[NodeType]bool{
	NodeTypeExp: true, NodeTypeExpm1: true, NodeTypeLog: true, NodeTypeLog1p: true,
	NodeTypeLogistic: true, NodeTypeTanh: true, NodeTypeErf: true, NodeTypeSin: true,
	NodeTypeCos: true, NodeTypePow: true, NodeTypeAtan2: true, NodeTypeSqrt: true, NodeTypeRsqrt: true,
}

func classify(t NodeType) opClass {
	switch t {
	case NodeTypeInvalid, NodeTypeParameter, NodeTypeConstant, NodeTypeIota, NodeTypeReshape,
		NodeTypeIdentity, NodeTypeBitcast, NodeTypeSplitNode, NodeTypeOptimizationBarrier,
		NodeTypeSchedulingBarrier:
		return classFree
	case NodeTypeSlice, NodeTypeConcatenate, NodeTypePad, NodeTypeTranspose, NodeTypeReverse,
		NodeTypeBroadcastInDim, NodeTypeGather, NodeTypeDynamicSlice, NodeTypeDynamicUpdateSlice:
		return classMove
	case NodeTypeReduceSum, NodeTypeReduceMax, NodeTypeReduceMin, NodeTypeReduceProduct,
		NodeTypeReduceLogicalAnd, NodeTypeReduceLogicalOr, NodeTypeReduceLogicalXor,
		NodeTypeReduceBitwiseAnd, NodeTypeReduceBitwiseOr, NodeTypeReduceBitwiseXor, NodeTypeArgMinMax:
		return classReduce
	case NodeTypeDotGeneral:
		return classDot
	case NodeTypeFusedSoftmax:
		return classSoftmax
	case NodeTypeAbs, NodeTypeAdd, NodeTypeAtan2, NodeTypeCeil, NodeTypeClamp, NodeTypeConvertDType,
		NodeTypeCos, NodeTypeDiv, NodeTypeEqual, NodeTypeEqualTotalOrder, NodeTypeErf, NodeTypeExp,
		NodeTypeExpm1, NodeTypeFloor, NodeTypeGreaterOrEqual, NodeTypeGreaterOrEqualTotalOrder,
		NodeTypeGreaterThan, NodeTypeGreaterThanTotalOrder, NodeTypeIsFinite, NodeTypeIsNaN,
		NodeTypeLessOrEqual, NodeTypeLessOrEqualTotalOrder, NodeTypeLessThan, NodeTypeLessThanTotalOrder,
		NodeTypeLog, NodeTypeLog1p, NodeTypeLogicalAnd, NodeTypeLogicalNot, NodeTypeLogicalOr,
		NodeTypeLogicalXor, NodeTypeLogistic, NodeTypeMax, NodeTypeMin, NodeTypeMul, NodeTypeNeg,
		NodeTypeNotEqual, NodeTypeNotEqualTotalOrder, NodeTypePow, NodeTypeRem, NodeTypeRound,
		NodeTypeRsqrt, NodeTypeSign, NodeTypeSin, NodeTypeSqrt, NodeTypeSub, NodeTypeTanh, NodeTypeWhere,
		NodeTypeBitwiseAnd, NodeTypeBitwiseNot, NodeTypeBitwiseOr, NodeTypeBitwiseXor, NodeTypeBitCount,
		NodeTypeClz, NodeTypeShiftLeft, NodeTypeShiftRightArithmetic, NodeTypeShiftRightLogical,
		NodeTypeReal, NodeTypeImag, NodeTypeConj, NodeTypeComplex:
		return classElementwise
	}
	return classUnmodeled
}

// Reachable returns the nodes reachable from outputs through Node.Inputs(), sorted by id
// (inputs always have smaller ids than the nodes that read them, so this is a topological order).
func Reachable(outputs ...*Node) []*Node {
	seen := map[*Node]bool{}
	stack := make([]*Node, 0, len(outputs))
	for _, o := range outputs {
		if o != nil && !seen[o] {
			seen[o] = true
			stack = append(stack, o)
		}
	}
	var nodes []*Node
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		nodes = append(nodes, n)
		for _, in := range n.Inputs() {
			if in != nil && !seen[in] {
				seen[in] = true
				stack = append(stack, in)
			}
		}
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].Id() < nodes[j].Id() })
	return nodes
}

// Walk computes the Stats of the part of a graph that the outputs depend on.
func Walk(outputs ...*Node) Stats {
	nodes := Reachable(outputs...)
	st := Stats{Nodes: len(nodes), ByType: map[string]int{}, Unmodeled: map[string]int{}}
	depth := make(map[*Node][2]int, len(nodes)) // arithmetic, kernel
	for _, n := range nodes {
		t := n.Type()
		st.ByType[t.String()]++
		class := classify(t)
		flops, trans := nodeFlops(n, class)
		st.Flops += flops
		st.Transcendentals += trans
		bytes := int64(n.Shape().ByteSize())
		var wArith, wKernel int
		switch class {
		case classFree:
		case classMove:
			st.BytesMoved += bytes
			wKernel = 1
		case classUnmodeled:
			st.Unmodeled[t.String()]++
			fallthrough
		default:
			wArith, wKernel = 1, 1
		}
		if class != classFree {
			st.OutputBytes += bytes
			st.LargestBytes = max(st.LargestBytes, bytes)
		}
		var d [2]int
		for _, in := range n.Inputs() {
			di := depth[in]
			d[0], d[1] = max(d[0], di[0]), max(d[1], di[1])
		}
		d[0] += wArith
		d[1] += wKernel
		depth[n] = d
		st.Depth, st.KernelDepth = max(st.Depth, d[0]), max(st.KernelDepth, d[1])
	}
	return st
}

// nodeFlops is the floating-point work of one node and how many of its elements are special
// functions.
func nodeFlops(n *Node, class opClass) (flops, trans int64) {
	out := int64(n.Shape().Size())
	switch class {
	case classFree, classMove:
		return 0, 0
	case classElementwise:
		if transcendental[n.Type()] {
			return out, out
		}
		return out, 0
	case classReduce:
		return int64(n.Inputs()[0].Shape().Size()), 0
	case classDot:
		return 2 * out * dotContracted(n), 0
	case classSoftmax:
		return 5 * out, out
	}
	return out, 0
}

var lhsContractingRE = regexp.MustCompile(`lhsContractingAxes=\[([0-9 ]*)\]`)

// dotContracted is K, the product of the contracted dimensions of a DotGeneral node. GoMLX does
// not export a DotGeneral node's axes, but prints them in the node's description; a test
// guards this against format changes (TestWalkDotGeneral).
func dotContracted(n *Node) int64 {
	m := lhsContractingRE.FindStringSubmatch(n.String())
	if m == nil {
		panic(fmt.Sprintf("cost: cannot read the contracting axes of %s", n))
	}
	lhs := n.Inputs()[0].Shape()
	k := int64(1)
	for _, f := range strings.Fields(m[1]) {
		a, err := strconv.Atoi(f)
		if err != nil {
			panic(fmt.Sprintf("cost: bad contracting axis %q in %s", f, n))
		}
		k *= int64(lhs.Dim(a))
	}
	return k
}

// ActivationBytes is the memory the backward pass needs from the forward pass: the sum of the
// output bytes of the distinct forward nodes (ids below firstBackward) that are direct inputs of
// backward nodes (ids from firstBackward on) reachable from outputs. Views (Reshape, Identity)
// are followed to the tensor they view; parameters, constants and iotas are not activations and
// are not counted (the inputs x and y are graph parameters, so they are not counted either).
func ActivationBytes(outputs []*Node, firstBackward NodeId) int64 {
	if firstBackward < 0 {
		return 0
	}
	saved := map[*Node]bool{}
	var total int64
	for _, n := range Reachable(outputs...) {
		if n.Id() < firstBackward {
			continue
		}
		for _, in := range n.Inputs() {
			if in == nil || in.Id() >= firstBackward {
				continue
			}
			for (in.Type() == NodeTypeReshape || in.Type() == NodeTypeIdentity) && len(in.Inputs()) == 1 {
				in = in.Inputs()[0]
			}
			switch in.Type() {
			case NodeTypeParameter, NodeTypeConstant, NodeTypeIota:
				continue
			}
			if !saved[in] {
				saved[in] = true
				total += int64(in.Shape().ByteSize())
			}
		}
	}
	return total
}
