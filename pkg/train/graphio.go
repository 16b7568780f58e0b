package train

// The compiled graphs of a Trainer (train step, loss, forward) take and return flat lists of
// values. graphIO names the parts of such a list and is the one place that packs them into a
// list and unpacks them again, for graph nodes (T = *Node) and host tensors alike.

// graphIO holds the values of one graph call. Params and State come first, in ParamNames order
// (State slot-major: slot 0 of every parameter, then slot 1, ...), then whichever single values
// the call's layout says are present, in the order of singles.
type graphIO[T comparable] struct {
	Params, State []T
	Step, LR      T // train step inputs: update number (1-based) and learning rate
	X, Y          T // the batch (Y: targets)
	Pred          T // predictions (forward output)
	Loss, Norm    T // train/loss outputs: the mean loss and the gradient norm before clipping
	H, C          T // recurrent state [L, B, H], in or out; C only with a cell state
	Bad           T // output: int32 [K], how many NaN or ±Inf values each checked value holds (nonfinite.go)
}

// single names one of graphIO's single values.
type single int

const (
	inStep single = iota
	inLR
	inX
	inY
	outPred
	outLoss
	outNorm
	stateH
	stateC
	outBad
)

func (g *graphIO[T]) singles() [10]*T {
	return [10]*T{&g.Step, &g.LR, &g.X, &g.Y, &g.Pred, &g.Loss, &g.Norm, &g.H, &g.C, &g.Bad}
}

// ioLayout says how many parameters and optimizer-state tensors a call has and which single
// values, in order.
type ioLayout struct {
	P, S    int
	singles []single
}

// The layouts of the graphs, inputs and outputs: the train step (P parameters, S optimizer-state
// tensors), the loss and the forward pass. hasC adds the cell state C after H; every output
// ends with the counts Bad.

func trainStepLayout(P, S int, hasC bool) (in, out ioLayout) {
	return ioLayout{P, S, withState(hasC, inStep, inLR, inX, inY)}, ioLayout{P, S, withBad(hasC, outLoss, outNorm)}
}

func lossLayout(P int, hasC bool) (in, out ioLayout) {
	return ioLayout{P, 0, withState(hasC, inX, inY)}, ioLayout{0, 0, withBad(hasC, outLoss)}
}

func forwardLayout(P int, hasC bool) (in, out ioLayout) {
	return ioLayout{P, 0, withState(hasC, inX)}, ioLayout{0, 0, withBad(hasC, outPred)}
}

// withState appends the recurrent state (H, and C if hasC) to s.
func withState(hasC bool, s ...single) []single {
	s = append(s, stateH)
	if hasC {
		s = append(s, stateC)
	}
	return s
}

// withBad is withState followed by the counts Bad (an output).
func withBad(hasC bool, s ...single) []single { return append(withState(hasC, s...), outBad) }

// pack lays g out as l says. A single value that l lists must be set.
func pack[T comparable](l ioLayout, g graphIO[T]) []T {
	var zero T
	if len(g.Params) != l.P || len(g.State) != l.S {
		panic("train: graphIO has the wrong number of parameters or state tensors")
	}
	flat := make([]T, 0, l.P+l.S+len(l.singles))
	flat = append(append(flat, g.Params...), g.State...)
	ptrs := g.singles()
	for _, s := range l.singles {
		if *ptrs[s] == zero {
			panic("train: graphIO value missing for its layout")
		}
		flat = append(flat, *ptrs[s])
	}
	return flat
}

// unpack is the inverse of pack.
func unpack[T comparable](l ioLayout, flat []T) graphIO[T] {
	if len(flat) != l.P+l.S+len(l.singles) {
		panic("train: graph call returned the wrong number of values")
	}
	g := graphIO[T]{Params: flat[:l.P:l.P], State: flat[l.P : l.P+l.S : l.P+l.S]}
	ptrs := g.singles()
	for i, s := range l.singles {
		*ptrs[s] = flat[l.P+l.S+i]
	}
	return g
}
