// Command rnnbench measures the course's models on whatever GoMLX backend is chosen (package
// backend: GOMLX_BACKEND, else XLA CPU if a plugin is installed, else the pure-Go backend). It is
// the Go half of the prepared GPU run (scripts/device/run.sh), and works the same on a laptop.
//
//	rnnbench info                       backend, versions and a matmul checked against the host
//	rnnbench parity -dir D -out F.csv   PyTorch parity cases (package recurrent) on this backend
//	rnnbench sweep  -out F.csv [flags]  time against T and B (package cost), rows streamed to F
//
// Every subcommand exits 0 on success, 1 when a check fails or a measurement breaks, and 2 on
// bad usage, with a message that says which.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/rnn-course/bottleneck/pkg/lang"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `usage: rnnbench info | parity [flags] | sweep [flags]   (rnnbench <cmd> -h for flags)`

// run is main without the process: it returns the exit code. It never panics: a panic (a bug)
// is reported with its stack and exit code 1.
func run(args []string, stdout, stderr io.Writer) (code int) {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "rnnbench %s: internal error (a bug: please report it): %v\n%s", args[0], r, debug.Stack())
			code = 1
		}
	}()
	var err error
	switch args[0] {
	case "info", "parity", "sweep":
		// The language of messages (package lang) is read before anything runs.
		if _, err := lang.FromEnv(); err != nil {
			fmt.Fprintf(stderr, "rnnbench %s: %v\n", args[0], err)
			return 2
		}
	}
	switch args[0] {
	case "info":
		err = info(args[1:], stdout)
	case "parity":
		err = parity(args[1:], stdout)
	case "sweep":
		err = sweep(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "rnnbench: unknown command %q\n%s\n", args[0], usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "rnnbench %s: %v\n", args[0], err)
		if _, ok := err.(usageError); ok {
			return 2
		}
		return 1
	}
	return 0
}

// usageError is bad flags or arguments (exit code 2).
type usageError struct{ error }
