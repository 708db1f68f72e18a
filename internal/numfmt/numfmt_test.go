package numfmt

import "testing"

func TestInt(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1630866: "1,630,866", -20608: "-20,608", -100: "-100",
		-9223372036854775808: "-9,223,372,036,854,775,808"} {
		if got := Int(n); got != want {
			t.Errorf("Int(%d) = %q, want %q", n, got, want)
		}
	}
	if got := Group("18446744073709551615"); got != "18,446,744,073,709,551,615" {
		t.Errorf("Group: %q", got)
	}
}
