//go:build !(linux && amd64)

package main

import "errors"

func installCUDA(plugin, version, path string) error {
	return errors.New("go-xla installs CUDA plugins on linux/amd64 only")
}
