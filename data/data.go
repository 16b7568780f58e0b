// Package data holds the course's data files, embedded in the binary so that
// examples, tests and notebooks need no download.
//
// Opticks is the text of Isaac Newton's "Opticks: or, a Treatise of the
// Reflections, Refractions, Inflections and Colours of Light" (4th edition,
// 1730), as prepared for Project Gutenberg (produced by Suzanne Lybarger,
// Steve Harris, Josephine Paolucci and the Online Distributed Proofreading
// Team at http://www.pgdp.net, as the first lines of the text say). The book
// is in the public domain. This copy is the one that ships with every Go
// toolchain as $GOROOT/src/testdata/Isaac.Newton-Opticks.txt (taken from Go
// 1.26.8), in which the Project Gutenberg header and licence boilerplate have
// been removed, leaving only the book. It is UTF-8 with '\n' line endings, 567,198 bytes, 567,038 runes and
// 91 distinct runes.
package data

import _ "embed" // for //go:embed

// Opticks is the full text of Newton's Opticks (see the package documentation
// for its origin and licence). It is shared: callers must not modify it; use
// tasks.LoadBook for a private copy.
//
//go:embed opticks.txt
var Opticks []byte
