package cost

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/rnn-course/bottleneck/pkg/recurrent"
)

// MeasureBackward on GoMLX's LSTM and the course's: the exact backward counts are those of the
// graphs walked one by one, and per doubling of T GoMLX's backward bytes grow about fourfold
// (its 4T full-size Pads, notebook 02 section 6), the course's about twofold.
func TestMeasureBackward(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs 12 graphs")
	}
	b := testBackend(t)
	s := Shape{B: 2, D: 3, H: 4}
	models := []Model{Recurrent(recurrent.LSTM), GoMLXLSTM()}
	Ts := []int{8, 16, 32}
	g, err := MeasureBackward(context.Background(), b, models, s, Ts, TimingOptions{Repeats: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g.Models, []string{"lstm", "lstm_gomlx"}) || g.Batch != 2 || g.Dim != 4 {
		t.Fatalf("models %v, batch %d, H %d", g.Models, g.Batch, g.Dim)
	}
	for i, m := range models {
		s.T = 16
		fwd, _, _ := stats(t, m, Fwd, s)
		both, _, _ := stats(t, m, FwdBwd, s)
		if g.Nodes[i][1] != float64(both.Nodes-fwd.Nodes) || g.MB[i][1] != float64(both.BytesMoved-fwd.BytesMoved)/1e6 || !(g.MS[i][1] > 0) {
			t.Errorf("%s at T = 16: nodes %v, MB %v, ms %v; the graphs walked alone: %d nodes, %d bytes",
				m.Name, g.Nodes[i][1], g.MB[i][1], g.MS[i][1], both.Nodes-fwd.Nodes, both.BytesMoved-fwd.BytesMoved)
		}
	}
	if gc, gg := LastGrowth(g.MB[0]), LastGrowth(g.MB[1]); !(gc < 2.6 && gg > 3.4) {
		t.Errorf("backward bytes per doubling: course × %.2f, GoMLX × %.2f", gc, gg)
	}
	// Shared between the editions: a JSON round trip keeps it whole.
	data, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	var back BackwardGrowth
	if err := json.Unmarshal(data, &back); err != nil || !reflect.DeepEqual(back, g) {
		t.Errorf("JSON round trip: %v, %+v", err, back)
	}
}

func TestCheckLinearVsQuadratic(t *testing.T) {
	good := func() BackwardGrowth {
		return BackwardGrowth{
			Models: []string{"lstm", "lstm_gomlx"}, Ts: []int{16, 32, 64},
			Nodes: [][]float64{{100, 200, 400}, {110, 220, 440}},
			MB:    [][]float64{{1, 2, 4}, {1, 4, 16}},
			MS:    [][]float64{{1, 2, 4}, {2, 8, 32}}, // GoMLX ÷ course: × 2 at T = 16, × 8 at T = 64
		}
	}
	if err := good().CheckLinearVsQuadratic(); err != nil {
		t.Errorf("on T and T² growth: %v", err)
	}
	if LastGrowth([]float64{3, 6, 21}) != 3.5 || LastGrowth([]float64{1}) != 0 {
		t.Error("Growth is not the last value over the one before")
	}
	for _, c := range []struct {
		edit func(*BackwardGrowth)
		want string
	}{
		{func(g *BackwardGrowth) { g.MB[1][2] = 12 }, "grew × 3.00 for GoMLX's layer and × 2.00 for the course's"},
		{func(g *BackwardGrowth) { g.MB[0][2] = 6 }, "grew × 4.00 for GoMLX's layer and × 3.00 for the course's"},
		{func(g *BackwardGrowth) { g.Nodes[1][2] = 500 }, "node counts grew × 2.00 and × 2.27"},
		{func(g *BackwardGrowth) { g.MS[1][2] = 15 }, "took 2.0× the course's time at T = 16 and 3.8× at T = 64"},
		{func(g *BackwardGrowth) { g.Models = g.Models[:1] }, "got 1 models"},
	} {
		g := good()
		c.edit(&g)
		if err := g.CheckLinearVsQuadratic(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want an error with %q, got %v", c.want, err)
		}
	}
}
