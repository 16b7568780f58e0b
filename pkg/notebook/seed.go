package notebook

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// SeedEnv is the environment variable that sets the course's seed: every random choice of every
// notebook (initial weights, generated data, the held-out split, batch order, sampling) derives
// from it through Seed. Unset, each notebook uses the seeds written in its code.
const SeedEnv = "RNN_COURSE_SEED"

// SeedFromEnv reads RNN_COURSE_SEED: ok is false when it is unset or empty; otherwise it must be
// a whole number from 0 to 2⁶⁴ − 1.
func SeedFromEnv() (seed uint64, ok bool, err error) {
	v := strings.TrimSpace(os.Getenv(SeedEnv))
	if v == "" {
		return 0, false, nil
	}
	seed, err = strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("notebook: %s=%q, want a whole number from 0 to 18446744073709551615", SeedEnv, v)
	}
	return seed, true, nil
}

// Seed returns the seed of one random choice in a notebook: def, the seed written in the code,
// when RNN_COURSE_SEED is unset; otherwise a seed mixed from RNN_COURSE_SEED and def, so that
// choices with different defaults stay different and every choice changes with the course seed.
// It panics on an invalid RNN_COURSE_SEED (notebook.Start reports it first).
func Seed(def uint64) uint64 {
	s, ok, err := SeedFromEnv()
	if err != nil {
		panic(err)
	}
	if !ok {
		return def
	}
	return mixSeed(s, def)
}

// mixSeed is SplitMix64's finaliser applied to course ⊕ (def · golden ratio): a bijection in def
// for a fixed course seed, so distinct defaults give distinct seeds.
func mixSeed(course, def uint64) uint64 {
	z := course ^ (def * 0x9E3779B97F4A7C15)
	z += 0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// seedBanner is the banner's line about the seed.
func seedBanner() string {
	s, ok, err := SeedFromEnv()
	switch {
	case err != nil:
		panic(err)
	case !ok:
		return T("seeds: as written in the code (set "+SeedEnv+" to draw others)",
			"随机种子：代码中写定的值（设置 "+SeedEnv+" 可换用其他种子）")
	}
	return Sprintf("seeds: derived from %s=%d", SeedEnv, s)
}
