// Package recovered runs a function and turns a panic into an error, so that a table-driven test
// of bad inputs fails the one case that panicked instead of the whole test binary.
package recovered

import "fmt"

// Call returns f's error, or an error "panic: <value>" if f panicked.
func Call(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return f()
}
