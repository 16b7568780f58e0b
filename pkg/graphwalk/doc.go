// Package graphwalk counts the work of a GoMLX graph exactly, without running it: Walk gives
// the Stats (nodes, depth, flops, transcendentals, bytes) of the part of a graph that its
// outputs depend on, Reachable lists that part in topological order, and ActivationBytes gives
// the forward values a backward pass reads.
//
// Package cost builds its measurements on it (cost.Walk, cost.Stats are these) and documents the
// counting rules ("Counting rules of the graph walk"); package deer counts its iterations with
// it. It imports no model package, so that neither has to import the other for it.
package graphwalk
