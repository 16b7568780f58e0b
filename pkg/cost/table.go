package cost

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/rnn-course/bottleneck/internal/atomicfile"
	"github.com/rnn-course/bottleneck/pkg/lang"
)

// Row is one measured (or predicted) case. Times are in milliseconds; the graph counts are those
// of Walk and ActivationBytes (ActBytes is 0 for Fwd rows, which have no backward pass).
type Row struct {
	Model string
	Pass  Pass
	T     int // sequence length
	B     int // batch
	D     int // input width
	H     int // hidden width

	MedianMS, MinMS, MaxMS float64 // over Repeats timed runs
	Repeats                int
	// MeanMS is the mean wall time of the timed runs, CPUMS the process's CPU time (user and
	// system, every thread) per timed run: CPUMS / MeanMS is the number of cores kept busy.
	// Both are 0 in files written before they were recorded; CPUMS is 0 where it is not measured.
	MeanMS, CPUMS float64
	BuildMS       float64 // graph building (GoMLX nodes and backend ops)
	CompileMS     float64 // backend compilation of the built graph

	Nodes           int
	Depth           int
	KernelDepth     int
	Flops           int64
	Transcendentals int64
	BytesMoved      int64
	ActBytes        int64

	Backend string // e.g. "go:ops_sequential", or a WorkDepthModel's name for predicted rows
}

// Skip records a case a sweep did not run, and why.
type Skip struct {
	Model  string
	Pass   Pass
	T, B   int
	Reason string
}

// String is the English line a CSV file keeps; Localized is the course edition's.
func (s Skip) String() string {
	return fmt.Sprintf("%s %s T=%d B=%d: %s", s.Model, s.Pass, s.T, s.B, s.Reason)
}

// Localized is String in the course's current edition: the Reason, kept in English (a table is
// shared between the editions), is translated by lang.Localize.
func (s Skip) Localized() string {
	return fmt.Sprintf("%s %s T=%d B=%d: %s", s.Model, s.Pass, s.T, s.B, lang.Localize(s.Reason))
}

// Table is a list of rows, written to and read from CSV with one header line.
type Table struct {
	Rows    []Row
	Skipped []Skip // cases a sweep left out; written as comment lines ("# skipped ..."), not read back
}

// csvColumns are the CSV header, in order.
var csvColumns = []string{"model", "T", "B", "D", "H", "mode", "median_ms", "min_ms", "max_ms", "repeats",
	"build_ms", "compile_ms", "nodes", "depth", "kernel_depth", "flops", "transcendentals", "bytes_moved",
	"act_bytes", "backend", "mean_ms", "cpu_ms"}

// optionalColumns may be missing from files written before they existed (read as 0).
var optionalColumns = map[string]bool{"mean_ms": true, "cpu_ms": true}

func (r Row) record() []string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	i := strconv.Itoa
	i64 := func(v int64) string { return strconv.FormatInt(v, 10) }
	return []string{r.Model, i(r.T), i(r.B), i(r.D), i(r.H), string(r.Pass), f(r.MedianMS), f(r.MinMS), f(r.MaxMS),
		i(r.Repeats), f(r.BuildMS), f(r.CompileMS), i(r.Nodes), i(r.Depth), i(r.KernelDepth), i64(r.Flops),
		i64(r.Transcendentals), i64(r.BytesMoved), i64(r.ActBytes), r.Backend, f(r.MeanMS), f(r.CPUMS)}
}

// WriteCSVFile writes the table (WriteCSV) to a file that replaces path only once it is
// complete: an error or a killed process leaves the old file as it was (internal/atomicfile).
func (t *Table) WriteCSVFile(path string) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return fmt.Errorf("cost: %w", err)
	}
	defer f.Abort()
	if err := t.WriteCSV(f); err != nil {
		return fmt.Errorf("cost: writing %s: %w", path, err)
	}
	if err := f.Commit(); err != nil {
		return fmt.Errorf("cost: %w", err)
	}
	return nil
}

// WriteCSV writes the header and one line per row, then one comment line per skipped case.
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvColumns); err != nil {
		return err
	}
	for _, r := range t.Rows {
		if err := cw.Write(r.record()); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	for _, s := range t.Skipped {
		if _, err := fmt.Fprintf(w, "# skipped %s\n", s); err != nil {
			return err
		}
	}
	return nil
}

// ReadCSV reads a table written by WriteCSV. Columns are found by their header names, so their
// order may change; every column of WriteCSV must be present. Comment lines (#) are ignored.
func ReadCSV(r io.Reader) (*Table, error) {
	return readTable(r, csvColumns, optionalColumns, func(p *rowParser) Row {
		return Row{
			Model: p.str("model"), Pass: Pass(p.str("mode")), T: p.int("T"), B: p.int("B"), D: p.int("D"),
			H: p.int("H"), MedianMS: p.float("median_ms"), MinMS: p.float("min_ms"), MaxMS: p.float("max_ms"),
			Repeats: p.int("repeats"), BuildMS: p.float("build_ms"), CompileMS: p.float("compile_ms"),
			Nodes: p.int("nodes"), Depth: p.int("depth"), KernelDepth: p.int("kernel_depth"),
			Flops: p.int64("flops"), Transcendentals: p.int64("transcendentals"),
			BytesMoved: p.int64("bytes_moved"), ActBytes: p.int64("act_bytes"), Backend: p.str("backend"),
			MeanMS: p.optFloat("mean_ms"), CPUMS: p.optFloat("cpu_ms"),
		}
	})
}

// readTable reads a CSV whose header line names every column of want (those in optional may be
// missing), skipping comment lines (#), and makes one row of each record with toRow; the first
// malformed number is an error naming its line and column.
func readTable(r io.Reader, want []string, optional map[string]bool, toRow func(p *rowParser) Row) (*Table, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("cost: empty CSV, want a header line")
	}
	if err != nil {
		return nil, fmt.Errorf("cost: reading CSV header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, c := range want {
		if _, ok := col[c]; !ok && !optional[c] {
			return nil, fmt.Errorf("cost: CSV has no %q column (header %v, want %v)", c, header, want)
		}
	}
	t := &Table{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, fmt.Errorf("cost: reading CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		p := rowParser{rec: rec, col: col, line: line}
		row := toRow(&p)
		if p.err != nil {
			return nil, p.err
		}
		t.Rows = append(t.Rows, row)
	}
}

type rowParser struct {
	rec  []string
	col  map[string]int
	line int
	err  error
}

func (p *rowParser) str(name string) string { return p.rec[p.col[name]] }

func (p *rowParser) fail(name string, err error) {
	if p.err == nil {
		p.err = fmt.Errorf("cost: CSV line %d, column %s: %q is not a number: %w", p.line, name, p.str(name), err)
	}
}

func (p *rowParser) int(name string) int {
	v, err := strconv.Atoi(p.str(name))
	if err != nil {
		p.fail(name, err)
	}
	return v
}

func (p *rowParser) int64(name string) int64 {
	v, err := strconv.ParseInt(p.str(name), 10, 64)
	if err != nil {
		p.fail(name, err)
	}
	return v
}

// optFloat is float for an optional column: 0 when the file has no such column.
func (p *rowParser) optFloat(name string) float64 {
	if _, ok := p.col[name]; !ok {
		return 0
	}
	return p.float(name)
}

func (p *rowParser) float(name string) float64 {
	v, err := strconv.ParseFloat(p.str(name), 64)
	if err != nil {
		p.fail(name, err)
	}
	return v
}

// Select returns the rows of a model and mode with batch B, sorted by T then B. An empty model
// or mode, or B = 0, matches any.
func (t *Table) Select(model string, mode Pass, B int) []Row {
	var out []Row
	for _, r := range t.Rows {
		if (model == "" || r.Model == model) && (mode == "" || r.Pass == mode) && (B == 0 || r.B == B) {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].T != out[j].T {
			return out[i].T < out[j].T
		}
		return out[i].B < out[j].B
	})
	return out
}

// Series returns (T, median ms) of Select(model, mode, B), ready to plot or fit.
func (t *Table) Series(model string, mode Pass, B int) (Ts, medianMS []float64) {
	for _, r := range t.Select(model, mode, B) {
		Ts = append(Ts, float64(r.T))
		medianMS = append(medianMS, r.MedianMS)
	}
	return Ts, medianMS
}

// GFLOPS is the throughput a row achieved: its exact work over its median time, in GFLOP/s.
func (r Row) GFLOPS() float64 {
	if r.MedianMS <= 0 {
		return 0
	}
	return float64(r.Flops) / (r.MedianMS * 1e6)
}

// CoresBusy is CPU time over wall time of the timed runs: how many cores the run kept busy on
// average (0 when CPU time was not recorded).
func (r Row) CoresBusy() float64 {
	if r.MeanMS <= 0 {
		return 0
	}
	return r.CPUMS / r.MeanMS
}
