package reconcile

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// ErrMappedTwice is wrapped by errors about a unit a mapping maps to a group twice.
var ErrMappedTwice = errors.New("unit mapped twice")

// ErrUnknownUnit is wrapped by errors about figures for a unit the election does not have.
var ErrUnknownUnit = errors.New("unknown unit")

// Mapping maps member units to the reporting group that reports for them: a Detroit precinct to
// the absentee counting board that counted its absentee ballots, a Wisconsin ward to the
// combined reporting unit. A unit is mapped at most once, and a group is not itself a member.
type Mapping struct {
	group   map[string]Unit
	groups  map[string]Unit
	members map[string][]Unit
}

// NewMapping returns an empty mapping.
func NewMapping() *Mapping {
	return &Mapping{group: map[string]Unit{}, groups: map[string]Unit{}, members: map[string][]Unit{}}
}

// Add maps member to group. Mapping a unit twice (to any group), mapping a group as a member,
// or a member as a group is an error.
func (m *Mapping) Add(member, group Unit) error {
	mk, gk := member.Key(), group.Key()
	if g, ok := m.group[mk]; ok {
		return fmt.Errorf("%w: %s is already mapped to %s", ErrMappedTwice, member, g)
	}
	if mk == gk {
		return fmt.Errorf("%s is mapped to itself", member)
	}
	if _, ok := m.groups[mk]; ok {
		return fmt.Errorf("%s is a group and cannot also be a member", member)
	}
	if _, ok := m.group[gk]; ok {
		return fmt.Errorf("%s is a member and cannot also be a group", group)
	}
	m.group[mk] = group
	m.groups[gk] = group
	m.members[gk] = append(m.members[gk], member)
	return nil
}

// Group returns the group u is mapped to.
func (m *Mapping) Group(u Unit) (Unit, bool) {
	g, ok := m.group[u.Key()]
	return g, ok
}

// IsGroup reports whether u is the group of some member.
func (m *Mapping) IsGroup(u Unit) bool {
	_, ok := m.groups[u.Key()]
	return ok
}

// Members returns the members mapped to g, in the order they were added.
func (m *Mapping) Members(g Unit) []Unit { return m.members[g.Key()] }

// Groups returns every group, ordered by key.
func (m *Mapping) Groups() []Unit {
	out := make([]Unit, 0, len(m.groups))
	for _, g := range m.groups {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}

// Len is the number of mapped members.
func (m *Mapping) Len() int { return len(m.group) }

// Registration is one unit's registered voters on the list of Date (zero when not known).
type Registration struct {
	Unit       Unit
	Registered int64
	Date       time.Time
}

// ApplyRegistration sets the registration of each unit of figs from regs (matched by
// Unit.Key). Registration for a unit figs does not have is an error naming it, as is a unit
// registered twice.
func ApplyRegistration(figs []UnitFigures, regs []Registration) error {
	at := make(map[string]int, len(figs))
	for i := range figs {
		at[figs[i].Unit.Key()] = i
	}
	seen := map[string]bool{}
	for _, r := range regs {
		k := r.Unit.Key()
		i, ok := at[k]
		if !ok {
			return fmt.Errorf("reconcile: registration for %s: %w (no results for it; check its spelling or map it)", r.Unit, ErrUnknownUnit)
		}
		if seen[k] {
			return fmt.Errorf("reconcile: registration for %s given twice", r.Unit)
		}
		seen[k] = true
		figs[i].Registered = r.Registered
		figs[i].RegisteredDate = r.Date
	}
	return nil
}
