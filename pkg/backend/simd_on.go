//go:build goexperiment.simd

package backend

// SIMD reports whether this binary was built with GOEXPERIMENT=simd, which turns on the pure-Go
// backend's AVX2/AVX-512 matmul kernels on amd64 (the course's build: scripts/build.env).
const SIMD = true
