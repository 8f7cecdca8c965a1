package wallet

import "time"

// Hooks for the tests of package wallet_test.

// The steps at which SetCrash can stop a write.
const (
	StepPartial = stepPartial
	StepRename  = stepRename
	StepIndex   = stepIndex
)

// SetCrash makes w call f at each step of a write; a panic from f stands for
// the process dying at that step.
func SetCrash(w *Wallet, f func(step string)) { w.crash = f }

// SetNow sets the wallet's clock.
func SetNow(w *Wallet, now func() time.Time) { w.now = now }

// StaleAfter is how old leftovers must be for Open to remove them.
const StaleAfter = staleAfter
