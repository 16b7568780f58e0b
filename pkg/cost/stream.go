package cost

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
)

// RowWriter streams rows to a CSV file in WriteCSV's format, one flushed line per row, so that
// whatever was measured before a process is killed stays readable by ReadCSV. Skipped cases
// become "# skipped ..." comment lines, as in WriteCSV.
type RowWriter struct {
	f  *os.File
	cw *csv.Writer
}

// AppendCSV opens path for appending rows, creating it with the header line when it does not
// exist or is empty. An existing non-empty file must start with WriteCSV's header and end with a
// newline (a file whose last line was cut, by a killed writer, is refused: a row appended to it
// would be glued to that line). What is in the file is never changed, only added to.
func AppendCSV(path string) (*RowWriter, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cost: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("cost: %w", err)
	}
	w := &RowWriter{f: f, cw: csv.NewWriter(f)}
	if st.Size() == 0 {
		if err := w.write(csvColumns); err != nil {
			f.Close()
			return nil, err
		}
		return w, nil
	}
	header, err := csv.NewReader(io.NewSectionReader(f, 0, st.Size())).Read()
	if err != nil || len(header) != len(csvColumns) || header[0] != csvColumns[0] {
		f.Close()
		return nil, fmt.Errorf("cost: %s exists but does not start with the cost CSV header %v (got %v, %v); "+
			"remove it or name another file", path, csvColumns, header, err)
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, st.Size()-1); err != nil || last[0] != '\n' {
		f.Close()
		return nil, fmt.Errorf("cost: %s does not end with a newline: its last line was cut (a killed writer?); "+
			"repair or remove that line, or name another file", path)
	}
	return w, nil
}

func (w *RowWriter) write(rec []string) error {
	if err := w.cw.Write(rec); err != nil {
		return fmt.Errorf("cost: writing %s: %w", w.f.Name(), err)
	}
	w.cw.Flush()
	if err := w.cw.Error(); err != nil {
		return fmt.Errorf("cost: writing %s: %w", w.f.Name(), err)
	}
	return nil
}

// Row appends one row and flushes it.
func (w *RowWriter) Row(r Row) error { return w.write(r.record()) }

// Skip appends one "# skipped ..." comment line.
func (w *RowWriter) Skip(s Skip) error {
	if _, err := fmt.Fprintf(w.f, "# skipped %s\n", s); err != nil {
		return fmt.Errorf("cost: writing %s: %w", w.f.Name(), err)
	}
	return nil
}

// Close closes the file.
func (w *RowWriter) Close() error { return w.f.Close() }
