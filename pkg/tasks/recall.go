package tasks

const streamRecall = 0x726563616c6c // "recall"

// Recall is the marked-recall task: a sequence of T values in [0, 1) with one marker, placed
// uniformly in the first half; the target, read after the last step, is the marked value.
// Predicting the mean costs MSE 1/12 (RecallBaselineMSE).
//
// It shows the gradient horizon of truncated BPTT: with chunks of k ≤ T/2 steps the loss is in
// the last chunk and the marker never is, so no gradient ever teaches the network to store a
// marked value, and TBPTT stays at the baseline while full BPTT learns the task. (In the adding
// problem, by contrast, the second marker falls inside the last chunk, and the storing learnt
// there transfers to the first marker through the shared weights.)
type Recall struct {
	SeqLen int    // T, 2 to MaxBatchValues/2
	Seed   uint64 // the batch of each step is a function of (Seed, step, batch size, SeqLen)
}

// RecallBaselineMSE is the MSE of always predicting 1/2: the variance of U(0, 1).
const RecallBaselineMSE = 1.0 / 12

// NewRecall returns the task with sequences of seqLen steps, 2 to MaxBatchValues/2.
func NewRecall(seqLen int, seed uint64) (*Recall, error) {
	if err := checkSeqLen("recall", seqLen, 2, 2, 0); err != nil {
		return nil, err
	}
	return &Recall{SeqLen: seqLen, Seed: seed}, nil
}

// BatchAt returns the batch of a step: x [batchSize, SeqLen, 2] (value, marker) laid out like
// Adding's, and y [batchSize], the marked value.
func (r *Recall) BatchAt(step, batchSize int) (x, y []float32, err error) {
	T := r.SeqLen
	if err := checkSeqLen("recall", T, 2, 2, 0); err != nil {
		return nil, nil, err
	}
	if err := checkBatch("recall", step, batchSize, 2*T); err != nil {
		return nil, nil, err
	}
	rng := stepRNG(r.Seed, streamRecall, step)
	x = make([]float32, batchSize*T*2) // [B, T, 2]
	y = make([]float32, batchSize)     // [B]
	for b := range batchSize {
		seq := x[b*T*2 : (b+1)*T*2]
		for t := range T {
			seq[2*t] = rng.Float32()
		}
		m := rng.IntN(T / 2)
		seq[2*m+1] = 1
		y[b] = seq[2*m]
	}
	return x, y, nil
}
