package workspace

import (
	"strconv"
	"strings"
	"sync"

	"github.com/canvass-vote/canvass/audit"
	"github.com/canvass-vote/canvass/audit/sampler"
	"github.com/canvass-vote/canvass/store"
)

// cvrCache keeps, between requests, what an audit reads from every CVR of the workspace: the
// ballot manifest derived from them and the CVRs of the cards drawn. Reading every CVR is
// most of the cost of an audit-board request (a county has millions of cards); the cache is
// valid while the CVR imports in force are the same, which its stamp (their ledger entries)
// checks on each use, inside the caller's transaction.
type cvrCache struct {
	mu        sync.Mutex
	stamp     string
	manifests map[string]*sampler.Manifest
	cvrs      map[string]map[audit.Card]map[string][]string
}

// cvrStamp names the CVR imports in force: their ledger entries in order.
func cvrStamp(tx store.Tx) (string, error) {
	files, err := tx.Files()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, f := range files {
		if f.Kind == "cvr" && !replacedFile(files, f.ID) {
			b.WriteString(strconv.FormatUint(f.Entry, 10))
			b.WriteByte(',')
		}
	}
	return b.String(), nil
}

// current empties the cache if the CVR imports changed, and returns it locked: the caller
// must unlock c.mu.
func (c *cvrCache) current(tx store.Tx) error {
	stamp, err := cvrStamp(tx)
	if err != nil {
		return err
	}
	c.mu.Lock()
	if stamp != c.stamp || c.manifests == nil {
		c.stamp = stamp
		c.manifests = map[string]*sampler.Manifest{}
		c.cvrs = map[string]map[audit.Card]map[string][]string{}
	}
	return nil
}

// manifest is cvrManifest, cached.
func (c *cvrCache) manifest(tx store.Tx, cardStyle []string) (*sampler.Manifest, error) {
	if c == nil {
		return cvrManifest(tx, cardStyle)
	}
	if err := c.current(tx); err != nil {
		return nil, err
	}
	defer c.mu.Unlock()
	k := strings.Join(cardStyle, "\x00")
	if m, ok := c.manifests[k]; ok {
		return m, nil
	}
	m, err := cvrManifest(tx, cardStyle)
	if err != nil {
		return nil, err
	}
	c.manifests[k] = m
	return m, nil
}

// cvrsOf is loadCVRs, cached: the CVRs of cards read before are kept, and only cards not yet
// read send it over every CVR again.
func (c *cvrCache) cvrsOf(tx store.Tx, cardStyle []string, drawn map[audit.Card]bool, ranked []string) (map[audit.Card]map[string][]string, error) {
	if c == nil {
		return loadCVRs(tx, cardStyle, drawn, ranked)
	}
	if err := c.current(tx); err != nil {
		return nil, err
	}
	defer c.mu.Unlock()
	k := strings.Join(cardStyle, "\x00") + "\x01" + strings.Join(ranked, "\x00")
	have := c.cvrs[k]
	if have == nil {
		have = map[audit.Card]map[string][]string{}
		c.cvrs[k] = have
	}
	missing := map[audit.Card]bool{}
	for card := range drawn {
		if _, ok := have[card]; !ok {
			missing[card] = true
		}
	}
	if len(missing) > 0 {
		got, err := loadCVRs(tx, cardStyle, missing, ranked)
		if err != nil {
			return nil, err
		}
		for card := range missing {
			have[card] = got[card] // nil for a card without a CVR: remembered as such
		}
	}
	out := make(map[audit.Card]map[string][]string, len(drawn))
	for card := range drawn {
		if v := have[card]; v != nil {
			out[card] = v
		}
	}
	return out, nil
}
