// Package e2e holds the end-to-end tests of canvass serve; it has no code of its own.
//
// The browser tests drive Debian's chromium (/usr/bin/chromium, headless) with
// github.com/chromedp/chromedp through the demonstration election (package demo) served on
// loopback: the public results drilled down from the state to a county and a ward, an
// official's upload refused with its per-record error report, an audit board's two members
// recording a ballot, and the measured risk on the public audit page. They fail, never skip,
// when chromium is missing: install it with 'apt-get install chromium' (.ci/run does).
//
// Every page they visit is checked at a phone's width (no sideways scrolling) and captured;
// 'make screenshots' (go test ./web/e2e -args -screenshots DIR) saves the captures as PNG
// files in docs/screenshots.
//
// The kill test builds cmd/canvass, serves a workspace from it as a child process, kills it
// with SIGKILL in the middle of an upload and of audit-board confirmations, restarts it, and
// checks that everything acknowledged is there, whole, and nothing else.
package e2e
