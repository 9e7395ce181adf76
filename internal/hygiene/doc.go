// Package hygiene holds checks over the repository itself rather than over
// the code of any one package: what may be tracked in git. Its content is
// its tests; run them with go test ./internal/hygiene.
package hygiene
