package main

import "github.com/gomlx/go-xla/installer"

func installCUDA(plugin, version, path string) error {
	return installer.CudaInstall(plugin, version, path, false, installer.Verbose)
}
