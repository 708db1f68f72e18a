package web

// The electoral-vote slot: its navigation entry is in publicNav, its route (/electoral) in the
// route table, and this handler is the hook that package electoral's page replaces. Until the
// workspace offers the electoral-vote table, the page says so. (The recount slot is filled:
// recountPage in public.go reads the workspace's recounts.)
func (q *req) electoralPage() error {
	return q.page("electoral", nil)
}
