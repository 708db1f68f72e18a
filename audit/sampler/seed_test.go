package sampler

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckSeed(t *testing.T) {
	cases := []struct {
		seed    string
		wantErr string // "" for no error
	}{
		{"12345678901234567890", ""},
		{"1234 5678 9012 3456 7890", ""},
		{"12345,67890,12345,67890,1", ""},
		{"3546311556112163624615351222", ""},
		{"314159", "seed has 6 digits; roll at least 20 dice"},
		{"", "seed has 0 digits"},
		{"1234567890123456789x", `'x' at character 20 is not a digit`},
		{"12345678901234567890.5", `'.' at character 21`},
	}
	for _, c := range cases {
		err := CheckSeed(c.seed)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("CheckSeed(%q) = %v", c.seed, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr) || !errors.Is(err, ErrSeed)):
			t.Errorf("CheckSeed(%q) = %v, want an ErrSeed containing %q", c.seed, err, c.wantErr)
		}
	}
	if got := NormalizeSeed(" 1234 5678,\t9012 "); got != "123456789012" {
		t.Errorf("NormalizeSeed = %q", got)
	}
}
