package sampler

import (
	"errors"
	"fmt"
	"strings"
)

// MinSeedDigits is the least number of decimal digits a seed must have: 20 rolls of a
// ten-sided die give 10^20 equally likely seeds, about 66 bits, the size audit guidance
// (and Arlo and Colorado's tool) ask for.
const MinSeedDigits = 20

// ErrSeed is wrapped by the errors of CheckSeed.
var ErrSeed = errors.New("sampler: seed")

// NormalizeSeed removes the spaces, tabs and commas people type between groups of dice
// digits: "1234 5678, 9012" becomes "123456789012". The
// samplers hash the seed exactly as given, so call NormalizeSeed once, publish its result,
// and pass that to them.
func NormalizeSeed(seed string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == ',' {
			return -1
		}
		return r
	}, seed)
}

// CheckSeed reports whether seed, after [NormalizeSeed], is a seed an audit may use: decimal
// digits only, at least [MinSeedDigits] of them. The error says what to do.
func CheckSeed(seed string) error {
	s := NormalizeSeed(seed)
	pos := 0
	for _, r := range s {
		pos++
		if r < '0' || r > '9' {
			return fmt.Errorf("%w: %q at character %d is not a digit; type only the digits the dice show", ErrSeed, r, pos)
		}
	}
	if len(s) < MinSeedDigits {
		return fmt.Errorf("%w: seed has %d digits; roll at least %d dice in public and type every digit", ErrSeed, len(s), MinSeedDigits)
	}
	return nil
}
