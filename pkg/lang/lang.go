// Package lang holds the course's one language setting: the edition (English or Chinese, 中文) in
// which notebooks print their sentences and draw their figures' titles, axis labels, legends and
// captions. Numbers and units are the same in both editions.
//
// The setting comes from the environment:
//
//   - RNN_COURSE_LANG=en or zh, when set, decides;
//   - otherwise a notebook in a folder named zh (notebooks/zh/, the Chinese edition) is Chinese:
//     GoNB sets GONB_DIR to the notebook's folder;
//   - otherwise English.
//
// Code writes each message once, in English, and the Chinese edition's catalog (zh.tsv, loaded
// into an x/text catalog.Builder) gives its Chinese:
//
//	lang.Printf("depth %d at T = %d\n", d, T) // zh.tsv: "depth %d at T = %d\n"	"T = %[2]d 时深度为 %[1]d\n"
//
// T, Sprintf, Printf and Println look a message up; Errorf makes an error whose Error() stays
// English for Go code and whose Localized text (Explain) is the edition's; Msg marks an English
// message kept in English (a skip reason in a table both editions share) that Localize
// translates when shown; YesNo prints a check. TestCatalog fails on a message without an entry
// and on an entry nothing uses; tools/i18nconv moves old two-language T(en, zh) pairs into the
// catalog. Design and measurements: docs/notes/i18n.md.
package lang

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Lang is an edition's language.
type Lang string

// The editions.
const (
	English Lang = "en"
	Chinese Lang = "zh"
)

// Env is the environment variable that selects the language.
const Env = "RNN_COURSE_LANG"

// FromEnv reads the setting (see the package doc); an unknown value of RNN_COURSE_LANG is an
// error that names the accepted ones.
func FromEnv() (Lang, error) {
	switch v := strings.TrimSpace(os.Getenv(Env)); v {
	case string(English):
		return English, nil
	case string(Chinese):
		return Chinese, nil
	case "":
		if dir := os.Getenv("GONB_DIR"); dir != "" && filepath.Base(filepath.Clean(dir)) == string(Chinese) {
			return Chinese, nil
		}
		return English, nil
	default:
		return "", fmt.Errorf("lang: %s=%q, want %q (English) or %q (中文)", Env, v, English, Chinese)
	}
}

// Current is FromEnv for notebooks and figures: it panics with the error, which a notebook shows
// as a failed cell.
func Current() Lang {
	l, err := FromEnv()
	if err != nil {
		panic(err)
	}
	return l
}
