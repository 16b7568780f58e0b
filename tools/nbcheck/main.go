// Command nbcheck checks executed Jupyter notebooks (.ipynb) for failures that
// `jupyter nbconvert --execute` lets pass, and fails if it finds any.
//
// Usage:
//
//	go run ./tools/nbcheck [-require-svg] [-q] executed.ipynb...
//
// It reports, with the file, the cell index and the first lines of the offending text:
//   - outputs of output_type "error";
//   - stderr stream outputs with a line like "exit status N" (N != 0), "panic: ", "fatal error: ",
//     "goroutine N [running]" or "FAIL" (GoNB's failing `!cmd` and `%%bash` cells leave only these);
//   - code cells that were not executed (execution_count null), or a notebook not executed at all;
//   - with -require-svg (or notebook metadata {"nbcheck": {"require_svg": true}}): no image/svg+xml
//     output anywhere;
//   - in the Chinese edition (metadata {"rnn_course": {"lang": "zh"}}, written by tools/mknb): no
//     Chinese character in the printed output, or none in the plots.
//
// Cells tagged "raises-exception" may show errors; cells tagged "skip-execution" may stay
// unexecuted. Exit status: 0 all clean, 1 problems found, 2 usage or unreadable file.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("nbcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts Options
	fs.BoolVar(&opts.RequireSVG, "require-svg", false, "fail notebooks without any image/svg+xml output")
	quiet := fs.Bool("q", false, "print nothing for notebooks without problems")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: nbcheck [-require-svg] [-q] executed.ipynb...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	code := 0
	for _, path := range fs.Args() {
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "nbcheck: %v\n", err)
			code = 2
			continue
		}
		findings, err := Check(data, opts)
		if err != nil {
			fmt.Fprintf(stderr, "nbcheck: %s: %v\n", path, err)
			code = 2
			continue
		}
		if len(findings) == 0 {
			if !*quiet {
				fmt.Fprintf(stdout, "nbcheck: %s: ok\n", path)
			}
			continue
		}
		for _, f := range findings {
			fmt.Fprintf(stdout, "%s: %s\n", path, f)
		}
		fmt.Fprintf(stdout, "nbcheck: %s: FAILED with %d problem(s)\n", path, len(findings))
		if code == 0 {
			code = 1
		}
	}
	return code
}
