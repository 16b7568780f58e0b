// Package backend chooses the GoMLX compute backend that every test, benchmark and notebook of
// the course uses, so that the same code runs on XLA (CPU or GPU, where a PJRT plugin is
// installed) and on GoMLX's pure-Go backend everywhere else.
//
// The rule, in order:
//
//  1. GOMLX_BACKEND, when set, wins (e.g. "go", "go:ops_sequential", "xla:cpu",
//     "xla:/abs/path/pjrt_c_api_cuda_plugin.so").
//  2. Otherwise XLA on CPU when a PJRT CPU plugin is installed in one of the places go-xla
//     searches (PJRT_PLUGIN_LIBRARY_PATH, ~/.local/lib/go-xla, /usr/local/lib/go-xla, the
//     system library paths).
//  3. Otherwise the pure-Go backend in its "ops_sequential" mode: its default parallel mode can
//     deadlock (nested use of its worker pool inside matmul, see docs/notes/gomlx.md), and on small
//     machines the sequential mode is not slower.
//
// Nothing is ever downloaded at run time: go-xla's plugin auto-install is switched off before
// any XLA backend is created.
package backend

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend"
	"github.com/gomlx/go-xla/compute/xla"
	"github.com/gomlx/go-xla/pjrt"
	"github.com/rnn-course/bottleneck/pkg/lang"
)

// EnvVar is the environment variable that overrides the choice ("GOMLX_BACKEND").
const EnvVar = compute.ConfigEnvVar

// GoDefaultConfig is the configuration of the pure-Go backend used when nothing else is chosen.
const GoDefaultConfig = "go:ops_sequential"

// Choice says which backend configuration was chosen and why (the reason in the course's
// language, package lang).
type Choice struct {
	Config string // e.g. "go:ops_sequential" or "xla:cpu"
	Reason string // one human sentence
}

func (c Choice) String() string { return fmt.Sprintf("backend %s (%s)", c.Config, c.Reason) }

// IsGo reports whether the choice is GoMLX's pure-Go backend.
func (c Choice) IsGo() bool { return c.Config == "go" || strings.HasPrefix(c.Config, "go:") }

// Decide returns the configuration that New would use, without creating a backend.
// lookupEnv and plugins are parameters so that the rule can be tested; use DecideFromEnvironment.
// It never panics: with an unknown language setting (package lang) the reason is in English,
// and New reports the setting as its error.
func Decide(lookupEnv func(string) (string, bool), plugins map[string]string) Choice {
	if v, ok := lookupEnv(EnvVar); ok && strings.TrimSpace(v) != "" {
		return Choice{Config: strings.TrimSpace(v), Reason: t(EnvVar+" is set", "已设置 "+EnvVar)}
	}
	if path, ok := plugins["cpu"]; ok {
		return Choice{Config: "xla:cpu", Reason: t("PJRT CPU plugin found at "+path, "在 "+path+" 找到 PJRT CPU 插件")}
	}
	return Choice{Config: GoDefaultConfig, Reason: t("no "+EnvVar+" and no PJRT CPU plugin installed; "+
		"pure-Go backend in sequential-ops mode (cannot deadlock)",
		"未设置 "+EnvVar+"，也没有安装 PJRT CPU 插件；使用纯 Go 后端的顺序执行模式（不会死锁）")}
}

// t is lang.T, in English when the language setting is unknown (lang.T panics then).
func t(en, zh string) string {
	if l, err := lang.FromEnv(); err == nil && l == lang.Chinese {
		return zh
	}
	return en
}

// DecideFromEnvironment applies Decide to this process's environment and installed plugins.
func DecideFromEnvironment() Choice {
	xla.EnableAutoInstall(false)
	return Decide(os.LookupEnv, pjrt.AvailablePlugins())
}

// NewFromConfig creates the backend for a configuration string "<name>[:<config>]".
// Unknown backends, missing plugins and other failures come back as errors, never panics.
func NewFromConfig(config string) (b compute.Backend, err error) {
	xla.EnableAutoInstall(false) // never download anything at run time
	name, _, _ := strings.Cut(config, ":")
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("backend: cannot create %q: %v", config, r)
		}
	}()
	switch name {
	case gobackend.BackendName:
		_, cfg, _ := strings.Cut(config, ":")
		b, err = gobackend.New(cfg)
	default:
		b, err = compute.NewWithConfig(config)
	}
	if err != nil {
		hint := ""
		if name == "xla" || name == "stablehlo" {
			hint = fmt.Sprintf("; no PJRT plugin could be loaded (searched %s=%q and go-xla's default folders); "+
				"install one or set %s=%s to use the pure-Go backend", pjrt.PJRTPluginPathsEnv,
				os.Getenv(pjrt.PJRTPluginPathsEnv), EnvVar, GoDefaultConfig)
		}
		return nil, fmt.Errorf("backend: cannot create %q: %w%s", config, err, hint)
	}
	return b, nil
}

var (
	sharedMu      sync.Mutex
	sharedBackend compute.Backend // nil until a New succeeds
	sharedChoice  Choice
	// Announce is where New prints its one line; set to io.Discard to silence it.
	Announce io.Writer = os.Stderr
)

// New returns the process-wide backend chosen by the rule in the package documentation,
// creating it on first use, and prints one line saying which backend was chosen and why.
//
// An unknown language setting (package lang: RNN_COURSE_LANG) is an error, as is a backend that
// cannot be created; neither is kept, so a call after the cause is fixed (in the same notebook
// session, say) creates the backend. New never panics, and never returns a nil backend without
// an error. Once created, the backend is returned by every later call.
func New() (b compute.Backend, choice Choice, err error) {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if sharedBackend != nil {
		return sharedBackend, sharedChoice, nil
	}
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("backend: choosing the backend failed: %v", r)
		}
	}()
	if _, err := lang.FromEnv(); err != nil {
		return nil, Choice{}, fmt.Errorf("backend: %w", err)
	}
	choice = DecideFromEnvironment()
	if b, err = NewFromConfig(choice.Config); err != nil {
		return nil, choice, err
	}
	if b == nil {
		return nil, choice, fmt.Errorf("backend: creating %q returned no backend and no error", choice.Config)
	}
	sharedBackend, sharedChoice = b, choice
	if Announce != nil {
		fmt.Fprintf(Announce, "rnn-course: using %s\n", choice)
	}
	return b, choice, nil
}

// MustNew is New for programs, tests and notebooks: it panics with New's error.
func MustNew() compute.Backend {
	b, _, err := New()
	if err != nil {
		panic(err)
	}
	return b
}
