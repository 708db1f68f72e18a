// Package numfmt writes whole numbers for people, as the CLI and the web pages print counts.
package numfmt

import (
	"strconv"
	"strings"
)

// Group writes a decimal integer ("-1630866") with thousands separators ("-1,630,866").
func Group(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Int writes n with thousands separators: 1,630,866.
func Int(n int64) string { return Group(strconv.FormatInt(n, 10)) }
