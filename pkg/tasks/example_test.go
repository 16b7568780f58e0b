package tasks_test

import (
	"fmt"

	"github.com/rnn-course/bottleneck/pkg/tasks"
)

func ExampleAdding() {
	a, err := tasks.NewAdding(4, 1)
	if err != nil {
		panic(err)
	}
	x, y, _ := a.BatchAt(0, 1) // x: [1, 4, 2], y: [1]
	for t := range 4 {
		fmt.Printf("t=%d value=%.3f marker=%.0f\n", t, x[2*t], x[2*t+1])
	}
	fmt.Printf("target=%.3f baseline MSE=%.4f\n", y[0], tasks.AddingBaselineMSE)
	// Output:
	// t=0 value=0.236 marker=1
	// t=1 value=0.131 marker=0
	// t=2 value=0.513 marker=0
	// t=3 value=0.370 marker=1
	// target=0.606 baseline MSE=0.1667
}

func ExampleCharText() {
	c, err := tasks.NewCharText(tasks.LoadBook(), 0.1, 1)
	if err != nil {
		panic(err)
	}
	fmt.Println("vocabulary:", c.VocabSize(), "runes; uniform perplexity:", c.UniformPerplexity())
	ids, _ := c.Encode("Light")
	fmt.Println(ids, c.Decode(ids))

	// The batch of step 1000 is the same in every run: resuming a run
	// at step 1000 only needs the step number.
	x, y, _ := c.TrainBatchAt(1000, 2, 8) // [2, 8] each
	fmt.Printf("%q -> %q\n", c.Decode(x[:8]), c.Decode(y[:8]))
	_, err = c.Encode("λ")
	fmt.Println(err)
	// Output:
	// vocabulary: 91 runes; uniform perplexity: 91
	// [36 63 61 62 74] Light
	// " Paper b" -> "Paper be"
	// tasks: char text: encode: rune 'λ' at byte offset 0 is not in the vocabulary of 91 runes
}
