// Command pjrtinstall installs an XLA PJRT plugin at an exact version, for the course's Docker
// image (docker/Dockerfile). It is a thin wrapper around the installer package of the go-xla
// module that this repository's go.mod requires, so that the plugin is installed by the same
// go-xla version that later loads it. (go-xla's own cmd/pjrt_installer is a separate module that
// the Go module proxy does not serve, and its default "latest" would not be a pin.)
//
// Usage:
//
//	pjrtinstall -plugin cpu -version v0.114.0 [-path /usr/local/lib/go-xla]
//	pjrtinstall -plugin cuda13 -version 0.12.0.1 [-path /usr/local/lib/go-xla]
//
// The versions come from scripts/versions.env (PJRT_CPU_VERSION, PJRT_CUDA_PLUGIN,
// PJRT_CUDA_VERSION). Downloads: the CPU plugin from the gomlx/pjrt-cpu-binaries GitHub release
// (set GH_TOKEN to avoid GitHub's API rate limit), the CUDA plugin and NVIDIA libraries from PyPI
// wheels (sha256-checked against PyPI by go-xla). After installing, -check (default on) loads the
// plugin with go-xla's pjrt package (CPU) or checks that the plugin file is in place (CUDA: it can
// only be loaded where a GPU is).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/gomlx/go-xla/installer"
	"github.com/gomlx/go-xla/pjrt"
)

func main() {
	plugin := flag.String("plugin", "", `"cpu", "cuda13" or "cuda12"`)
	version := flag.String("version", "", "exact plugin version (\"latest\" is refused: pin it in scripts/versions.env)")
	path := flag.String("path", "/usr/local/lib/go-xla", "go-xla plugin folder (one that go-xla's pjrt searches)")
	check := flag.Bool("check", true, "after installing, load the CPU plugin / look for the CUDA plugin file")
	flag.Parse()
	if err := run(*plugin, *version, *path, *check); err != nil {
		fmt.Fprintln(os.Stderr, "pjrtinstall:", err)
		os.Exit(1)
	}
}

func run(plugin, version, path string, check bool) error {
	if version == "" || version == "latest" {
		return fmt.Errorf("-version must be an exact version, got %q", version)
	}
	if !filepath.IsAbs(path) {
		return fmt.Errorf("-path must be absolute, got %q", path)
	}
	switch plugin {
	case "cpu":
		if version != pjrt.DefaultCPUVersion {
			fmt.Printf("pjrtinstall: warning: CPU plugin %s differs from go-xla's default %s\n", version, pjrt.DefaultCPUVersion)
		}
		platform := runtime.GOOS + "_" + runtime.GOARCH
		if err := installer.CPUInstall(platform, version, path, false, installer.Verbose); err != nil {
			return fmt.Errorf("installing the CPU plugin %s: %w", version, err)
		}
		if check {
			return checkCPU(path)
		}
	case "cuda13", "cuda12":
		if err := installCUDA(plugin, version, path); err != nil {
			return fmt.Errorf("installing the %s plugin %s: %w", plugin, version, err)
		}
		if check {
			so := filepath.Join(path, "nvidia", "pjrt_c_api_cuda_plugin.so")
			if _, err := os.Stat(so); err != nil {
				return fmt.Errorf("the CUDA plugin is not where go-xla looks for it: %w", err)
			}
			fmt.Printf("pjrtinstall: CUDA plugin in place: %s\n", so)
		}
	default:
		return fmt.Errorf(`-plugin must be "cpu", "cuda13" or "cuda12", got %q`, plugin)
	}
	return nil
}

// checkCPU loads the installed CPU plugin the way the course does (go-xla's search paths).
func checkCPU(path string) error {
	if err := os.Setenv("PJRT_PLUGIN_LIBRARY_PATH", path); err != nil { // go-xla's search-path override
		return err
	}
	p, err := pjrt.GetPlugin("cpu")
	if err != nil {
		return fmt.Errorf("loading the installed CPU plugin: %w", err)
	}
	major, minor := p.Version()
	fmt.Printf("pjrtinstall: loaded %s (PJRT C API %d.%d)\n", p.Path(), major, minor)
	return nil
}
