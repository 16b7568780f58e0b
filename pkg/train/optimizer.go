package train

import (
	"fmt"
	"math"

	"github.com/gomlx/compute/dtypes"

	. "github.com/gomlx/gomlx/core/graph"
)

// OptimizerKind selects the update rule.
type OptimizerKind string

// The optimizers.
const (
	SGD  OptimizerKind = "sgd"  // p -= lr * (g + momentum * buffer), with a momentum buffer when Momentum > 0
	Adam OptimizerKind = "adam" // Kingma & Ba 2015, with bias correction
)

// slots is the number of optimizer state tensors per parameter.
func (c Config) slots() int {
	switch c.Optimizer {
	case Adam:
		return 2 // first and second moments
	case SGD:
		if c.Momentum > 0 {
			return 1 // velocity
		}
	}
	return 0
}

func (c Config) validateOptimizer() error {
	switch c.Optimizer {
	case SGD, Adam:
	default:
		return fmt.Errorf("train: unknown optimizer %q, want sgd or adam", c.Optimizer)
	}
	if !(c.LearningRate > 0) {
		return fmt.Errorf("train: learning rate must be > 0, got %v", c.LearningRate)
	}
	if c.Momentum < 0 || c.Momentum >= 1 {
		return fmt.Errorf("train: momentum must be in [0, 1), got %v", c.Momentum)
	}
	b1, b2, _ := c.adamConstants()
	if b1 < 0 || b1 >= 1 || b2 < 0 || b2 >= 1 {
		return fmt.Errorf("train: Adam betas must be in [0, 1), got %v, %v", b1, b2)
	}
	return nil
}

// validateInDType checks the hyperparameters as the train step sees them: converted to the
// model's dtype. In float32 a learning rate of 1e39 becomes +Inf (and every parameter with it),
// one of 1e-50 becomes 0, and a beta of 1 - 1e-10 becomes 1 (Adam's bias correction then
// divides by zero).
func (c Config) validateInDType(dtype dtypes.DType) error {
	if dtype != dtypes.Float32 {
		return nil // float64: Validate's checks are the float64 ones
	}
	b1, b2, _ := c.adamConstants()
	for _, v := range []struct {
		name string
		v    float64
	}{{"learning rate", c.LearningRate}, {"momentum", c.Momentum}, {"beta1", b1}, {"beta2", b2},
		{"epsilon", c.Epsilon}, {"clip norm", c.ClipNorm}} {
		if math.Abs(v.v) > math.MaxFloat32 {
			return fmt.Errorf("train: %s %v is not finite in float32, the model's dtype (the largest float32 is %.4g): "+
				"choose a smaller value", v.name, v.v, math.MaxFloat32)
		}
	}
	if float32(c.LearningRate) == 0 {
		return fmt.Errorf("train: learning rate %v is 0 in float32, the model's dtype (the smallest positive float32 is %.4g): "+
			"choose a larger value", c.LearningRate, math.SmallestNonzeroFloat32)
	}
	for _, v := range []struct {
		name string
		v    float64
		used bool
	}{{"momentum", c.Momentum, c.Optimizer == SGD}, {"beta1", b1, c.Optimizer == Adam}, {"beta2", b2, c.Optimizer == Adam}} {
		if v.used && float32(v.v) >= 1 {
			return fmt.Errorf("train: %s %v is 1 in float32, the model's dtype; want < 1 (at most %v)", v.name, v.v, float64(math.Nextafter32(1, 0)))
		}
	}
	return nil
}

func (c Config) adamConstants() (b1, b2, eps float64) {
	b1, b2, eps = c.Beta1, c.Beta2, c.Epsilon
	if b1 == 0 {
		b1 = 0.9
	}
	if b2 == 0 {
		b2 = 0.999
	}
	if eps == 0 {
		eps = 1e-8
	}
	return
}

// globalNorm is sqrt(Σ ||g_i||²) over all gradients.
func globalNorm(grads []*Node) *Node {
	var sum *Node
	for _, g := range grads {
		s := ReduceAllSum(Square(g))
		if sum == nil {
			sum = s
		} else {
			sum = Add(sum, s)
		}
	}
	return Sqrt(sum)
}

// update applies clipping and one optimizer step in the graph. state holds slots() tensors per
// parameter, laid out slot-major; step is the 1-based update count (a scalar), lr the learning rate.
func (c Config) update(params, grads, state []*Node, step, lr *Node) (newParams, newState []*Node, norm *Node) {
	norm = globalNorm(grads)
	if c.ClipNorm > 0 {
		// scale = min(1, clip / (norm + 1e-6)), the same factor for every gradient.
		scale := Min(OnesLike(norm), Div(ConstAs(norm, c.ClipNorm), AddScalar(norm, 1e-6)))
		for i := range grads {
			grads[i] = Mul(grads[i], scale)
		}
	}
	P := len(params)
	newParams = make([]*Node, P)
	switch {
	case c.Optimizer == Adam:
		b1, b2, eps := c.adamConstants()
		newState = make([]*Node, 2*P)
		one := OnesLike(step)
		corr1 := Sub(one, Pow(ConstAs(step, b1), step)) // 1 - β1^t
		corr2 := Sub(one, Pow(ConstAs(step, b2), step)) // 1 - β2^t
		for i, p := range params {
			m := Add(MulScalar(state[i], b1), MulScalar(grads[i], 1-b1))
			v := Add(MulScalar(state[P+i], b2), MulScalar(Square(grads[i]), 1-b2))
			mHat := Div(m, corr1)
			vHat := Div(v, corr2)
			newParams[i] = Sub(p, Mul(lr, Div(mHat, AddScalar(Sqrt(vHat), eps))))
			newState[i], newState[P+i] = m, v
		}
	case c.Momentum > 0:
		newState = make([]*Node, P)
		for i, p := range params {
			vel := Add(MulScalar(state[i], c.Momentum), grads[i])
			newParams[i] = Sub(p, Mul(lr, vel))
			newState[i] = vel
		}
	default:
		for i, p := range params {
			newParams[i] = Sub(p, Mul(lr, grads[i]))
		}
	}
	return newParams, newState, norm
}
