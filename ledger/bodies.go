package ledger

import "encoding/json"

// The bodies of the entry types. docs/LEDGER.md describes each field; a verifier decodes them
// refusing unknown fields.

// InitBody starts a log (entry 0, TypeInit): the log's origin (the first line of every
// checkpoint) and the verifier key that signs its checkpoints.
type InitBody struct {
	Origin string `json:"origin"`
	LogKey string `json:"log_key"`
	Schema int    `json:"schema"`
}

// FileRef names an imported file by its content. For a folder, SHA256 is the hash of its
// manifest (the lines "relative/path NUL sha256-hex LF" of its regular files in byte order of
// the paths), Size the sum of the files' sizes, and Folder is true.
type FileRef struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Folder bool   `json:"folder,omitempty"`
}

// ResultsOptions are the options of a results import that select what it reads.
type ResultsOptions struct {
	State   string `json:"state,omitempty"`
	County  string `json:"county,omitempty"`
	Contest string `json:"contest,omitempty"`
	// Skip lists the columns of a wide file passed over (results.Options.Skip).
	Skip []string `json:"skip,omitempty"`
	// Rename names a wide file's choice columns (results.Options.Rename).
	Rename map[string]string `json:"rename,omitempty"`
}

// ImportBody records an import (TypeImportCVR, TypeImportResults).
type ImportBody struct {
	File         FileRef         `json:"file"`
	Format       string          `json:"format"`
	Jurisdiction string          `json:"jurisdiction,omitempty"`
	Results      *ResultsOptions `json:"results,omitempty"`
	// Records is the number of ballots or result rows imported.
	Records int64 `json:"records"`
	// Replaces is the entry of the import whose data this one replaces.
	Replaces *uint64 `json:"replaces,omitempty"`
	// Ranked holds the settings of a ranked layout's reader (canvass's cvr.RankedOptions: an
	// RCTab source's columns, labels and candidates), when the import needed them.
	Ranked json.RawMessage `json:"ranked,omitempty"`
}

// ChoiceDef is a choice of an election definition.
type ChoiceDef struct {
	Name    string `json:"name"`
	Party   string `json:"party,omitempty"`
	WriteIn bool   `json:"write_in,omitempty"`
}

// ContestDef is a contest added to, or extended in, the election definition.
type ContestDef struct {
	Name         string `json:"name"`
	Type         string `json:"type"`
	Seats        int    `json:"seats"`
	VoteFor      int    `json:"vote_for"`
	ThresholdNum int64  `json:"threshold_num,omitempty"`
	ThresholdDen int64  `json:"threshold_den,omitempty"`
	// New is true when the contest was not in the definition before.
	New bool `json:"new,omitempty"`
	// Choices are the choices added.
	Choices []ChoiceDef `json:"choices"`
}

// ElectionBody records what an import added to the election definition (TypeElection, right
// after the import entry).
type ElectionBody struct {
	Contests []ContestDef `json:"contests"`
}

// TabulationBody records a tabulation of one contest (TypeTabulation).
type TabulationBody struct {
	Contest string `json:"contest"`
	// Source is what was counted: "cvr" or "results".
	Source string `json:"source"`
	// Level is the level of the per-unit tables of the full result.
	Level string `json:"level"`
	// Inputs are the import entries whose data was counted.
	Inputs []uint64 `json:"inputs"`
	// Result is the contest's result without its per-unit tables (canvass's tabulate JSON).
	Result json.RawMessage `json:"result"`
	// FullSHA256 is the SHA-256 of the full result, published as results/<seq>.json.
	FullSHA256 string `json:"full_sha256"`
}

// Signer names a key that signed a certification.
type Signer struct {
	Name string `json:"name"`
	Key  string `json:"key"` // note verifier key "<name>+<hash>+<base64 key>"
}

// Override records a check that would have refused a certification, and why it was overridden.
type Override struct {
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
}

// CertificationBody records a certification (TypeCertification) or an amendment of one
// (TypeAmendment, with Amends and Reason).
type CertificationBody struct {
	Contest string `json:"contest"`
	// Tabulation is the entry of the tabulation certified, and TabulationHash its leaf hash.
	Tabulation     uint64     `json:"tabulation"`
	TabulationHash string     `json:"tabulation_hash"`
	Winners        []string   `json:"winners"`
	Overrides      []Override `json:"overrides,omitempty"`
	Amends         *uint64    `json:"amends,omitempty"`
	Reason         string     `json:"reason,omitempty"`
	Signers        []Signer   `json:"signers"`
	// Note is the signed statement: a note (C2SP signed-note) whose text is the statement
	// described in docs/LEDGER.md and which carries one signature per signer.
	Note string `json:"note"`
}
