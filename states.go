package canvass

import "strings"

// states lists the 50 states and the District of Columbia: postal code and name.
var states = [...][2]string{
	{"AL", "Alabama"}, {"AK", "Alaska"}, {"AZ", "Arizona"}, {"AR", "Arkansas"}, {"CA", "California"},
	{"CO", "Colorado"}, {"CT", "Connecticut"}, {"DE", "Delaware"}, {"DC", "District of Columbia"},
	{"FL", "Florida"}, {"GA", "Georgia"}, {"HI", "Hawaii"}, {"ID", "Idaho"}, {"IL", "Illinois"},
	{"IN", "Indiana"}, {"IA", "Iowa"}, {"KS", "Kansas"}, {"KY", "Kentucky"}, {"LA", "Louisiana"},
	{"ME", "Maine"}, {"MD", "Maryland"}, {"MA", "Massachusetts"}, {"MI", "Michigan"},
	{"MN", "Minnesota"}, {"MS", "Mississippi"}, {"MO", "Missouri"}, {"MT", "Montana"},
	{"NE", "Nebraska"}, {"NV", "Nevada"}, {"NH", "New Hampshire"}, {"NJ", "New Jersey"},
	{"NM", "New Mexico"}, {"NY", "New York"}, {"NC", "North Carolina"}, {"ND", "North Dakota"},
	{"OH", "Ohio"}, {"OK", "Oklahoma"}, {"OR", "Oregon"}, {"PA", "Pennsylvania"},
	{"RI", "Rhode Island"}, {"SC", "South Carolina"}, {"SD", "South Dakota"}, {"TN", "Tennessee"},
	{"TX", "Texas"}, {"UT", "Utah"}, {"VT", "Vermont"}, {"VA", "Virginia"}, {"WA", "Washington"},
	{"WV", "West Virginia"}, {"WI", "Wisconsin"}, {"WY", "Wyoming"},
}

var stateCodes = func() map[string]string {
	m := make(map[string]string, 2*len(states))
	for _, s := range states {
		m[strings.ToLower(s[0])] = s[0]
		m[NameKey(s[1])] = s[0]
	}
	m["washington dc"] = "DC"
	m["washington d.c."] = "DC"
	return m
}()

// StateCode returns the postal code of a state (or the District of Columbia) named by its
// name or its code, in any case ("Wisconsin", "wi", "WI" → "WI"); "" when s names none.
func StateCode(s string) string { return stateCodes[NameKey(s)] }

// StateName returns the name of the state with postal code (or name) s; "" when none.
func StateName(s string) string {
	c := StateCode(s)
	for _, st := range states {
		if st[0] == c {
			return st[1]
		}
	}
	return ""
}
