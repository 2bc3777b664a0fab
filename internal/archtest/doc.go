// Package archtest holds tests of the tree itself: imports run down the
// layers, files and functions stay small, and comments state their rules
// instead of pointing at documents outside the repository. It has no code.
package archtest
